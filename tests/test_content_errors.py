"""Every kind of content error, by its exact message: error wording is API."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradeline import resolve
from gradeline.build import check
from gradeline.cache import ContentCache
from gradeline.cli import main
from gradeline.errors import ContentError
from gradeline.resolve import read_content

INSPECTION = """\
id: 2022-test
title: A test inspection
organisation: test-force
inspectorates: [hmicfrs]
kind: peel
framework: peel-2021
published: 2022-03-01
summary: Fine.
judgments:
  - area: victim-service
    grade: Good
cite: [report]
sources:
  report:
    title: Test report
    publisher: HMICFRS
    url: https://example.org/r
"""

ALL_AREAS = """\
judgments:
  - area: victim-service
    grade: Good
  - area: investigating-crime
    grade: not known
    note: No source found gives it.
  - area: armed-threats
    grade: not graded
"""
COMPLETE = INSPECTION.replace("judgments:\n  - area: victim-service\n    grade: Good\n",
                              ALL_AREAS)
LEFT_OUT = ("leaves out {n} of framework peel-2021: {areas}; list each with 'grade: not "
            "known' and a note saying why, or 'grade: not graded' if the inspectorate gave "
            "it no grade")


def problems(content: Path) -> list[str]:
    """The problem lines for a content folder (none if it is valid)."""
    try:
        read_content(content)
    except ContentError as exc:
        return str(exc).splitlines()
    return []


def write(content: Path, text: str, name: str = "inspections/2022-test.yaml") -> str:
    """Write one content file; returns its name as messages show it."""
    path = content / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_fixture_content_is_valid(minimal: Path) -> None:
    assert problems(minimal) == []
    write(minimal, INSPECTION)
    assert problems(minimal) == []


def test_yaml_syntax_error_names_line_and_column(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("inspectorates: [hmicfrs]", "inspectorates: [hmicfrs"))
    assert problems(minimal) == [
        f"{f}:5:5: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence)"
    ]


def test_missing_required_field(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("title: A test inspection\n", ""))
    assert problems(minimal) == [f"{f}:1:1: title: required field is missing (the report's title)"]


def test_wrong_type_suggests_quotes_for_numbers(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("title: A test inspection", "title: 2022"))
    assert problems(minimal) == [
        f"{f}:2:8: title: expected text, got a number (2022); put it in quotes if it is meant "
        "as text"
    ]


def test_wrong_type_list_expected(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("inspectorates: [hmicfrs]", "inspectorates: hmicfrs"))
    assert problems(minimal) == [
        f"{f}:4:16: inspectorates: expected a list, got text ('hmicfrs')"
    ]


def test_unknown_key_with_suggestion(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("summary: Fine.", "sumary: Fine."))
    assert problems(minimal) == [
        f"{f}:8:1: sumary: unknown field 'sumary' (did you mean 'summary'?)"]


def test_unknown_key_nested_lists_allowed_fields(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("    grade: Good", "    grade: Good\n    zzz: 1"))
    (line,) = problems(minimal)
    assert line.startswith(
        f"{f}:12:5: judgments[0].zzz: unknown field 'zzz' (allowed: area, grade,")


def test_unknown_grade_lists_the_scale(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("grade: Good", "grade: Goodish"))
    assert problems(minimal) == [
        f"{f}:11:12: judgments[0].grade: 'Goodish' is not a grade of framework peel-2021 "
        "(did you mean 'Good'?) (allowed: Outstanding, Good, Adequate, Requires improvement, "
        "Inadequate)"
    ]


@pytest.mark.parametrize(("written", "meant"), [
    ("Requires Improvment", "Requires improvement"),  # the misspelling
    ("requires improvment", "Requires improvement"),  # shown in the scale's own words
    ("INADEQUET", "Inadequate"),
    ("not knwon", "not known"),
    ("Not grade", "not graded"),
])
def test_a_misspelt_grade_gets_a_did_you_mean(minimal: Path, written: str, meant: str) -> None:
    f = write(minimal, INSPECTION.replace("grade: Good", f"grade: {written}"))
    assert problems(minimal) == [
        f"{f}:11:12: judgments[0].grade: '{written}' is not a grade of framework peel-2021 "
        f"(did you mean '{meant}'?) (allowed: Outstanding, Good, Adequate, Requires "
        "improvement, Inadequate)"
    ]


def test_a_grade_like_no_other_gets_no_guess(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("grade: Good", "grade: Satisfactory"))
    assert problems(minimal) == [
        f"{f}:11:12: judgments[0].grade: 'Satisfactory' is not a grade of framework peel-2021 "
        "(allowed: Outstanding, Good, Adequate, Requires improvement, Inadequate)"
    ]


def test_grade_words_are_matched_without_case(minimal: Path) -> None:
    write(minimal, INSPECTION.replace("grade: Good", "grade: requires IMPROVEMENT"))
    content = read_content(minimal)
    assert content.inspection("2022-test").judgments[0].grade == "Requires improvement"


def test_area_not_in_framework(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("area: victim-service", "area: victim-servce"))
    assert problems(minimal) == [
        f"{f}:10:11: judgments[0].area: 'victim-servce' is not a known area in framework "
        "peel-2021 (did you mean 'victim-service'?) (known: armed-threats, investigating-crime, "
        "victim-service)"
    ]


def test_grade_for_an_ungraded_area(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("area: victim-service", "area: armed-threats"))
    assert problems(minimal) == [
        f"{f}:11:12: judgments[0].grade: area 'armed-threats' is not graded in framework "
        "peel-2021; write 'not graded'"
    ]


def test_duplicate_ids_across_files(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("id: 2022-test", "id: 2021-peel"))
    assert problems(minimal) == [
        f"{f}:1:5: id: duplicate inspection id '2021-peel' (also used in "
        f"{minimal / 'inspections' / '2021-peel.yaml'}:1)"
    ]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2022-02-30", "'2022-02-30' is not a real date (February 2022 has 28 days)"),
        ("2022-13", "'2022-13' is not a real date (there is no month 13)"),
        ("01/03/2022", "'01/03/2022' is not a date: write YYYY-MM-DD, or YYYY-MM or YYYY when "
                       "the source gives no day or month"),
    ],
)
def test_bad_and_impossible_dates(minimal: Path, date: str, message: str) -> None:
    f = write(minimal, INSPECTION.replace("published: 2022-03-01", f"published: {date}"))
    assert problems(minimal) == [f"{f}:7:12: published: {message}"]


def test_partial_dates_are_kept_partial(minimal: Path) -> None:
    write(minimal, INSPECTION.replace("published: 2022-03-01", "published: 2022-03"))
    published = read_content(minimal).inspection("2022-test").published
    assert published is not None
    assert (str(published), published.label) == ("2022-03", "March 2022")


def test_follow_up_of_a_missing_inspection(minimal: Path) -> None:
    f = write(minimal, INSPECTION + "follows_up: 2021-pel\n")
    assert problems(minimal) == [
        f"{f}:18:13: follows_up: '2021-pel' is not a known inspection (did you mean "
        "'2021-peel'?) (known: 2021-peel, 2022-test, 2023-peel)"
    ]


def test_unsafe_id_that_would_escape_the_output_folder(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("id: 2022-test", "id: ../../etc/passwd"))
    assert problems(minimal) == [
        f"{f}:1:5: id: '../../etc/passwd' is not a safe id: use lowercase letters, digits and "
        "hyphens, starting and ending with a letter or digit, at most 80 characters (e.g. "
        "2021-peel)"
    ]


def test_unknown_source_key(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("cite: [report]", "cite: [reprt]"))
    assert problems(minimal) == [
        f"{f}:12:8: cite[0]: 'reprt' is not a known source in this file's sources or "
        "sources.yaml (did you mean 'report'?) (known: report)"
    ]


def test_duplicate_keys_are_errors_not_overwrites(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("summary: Fine.", "summary: Fine.\nsummary: Again."))
    assert problems(minimal) == [
        f"{f}:9:1: summary: duplicate key 'summary' (first given on line 8); each key may "
        "appear once"
    ]


def test_text_no_page_can_show_is_an_error_at_its_place(minimal: Path) -> None:
    """libyaml refuses control characters written as they are, but not written as escapes;
    a feed with one is not XML at all."""
    f = write(minimal, INSPECTION.replace("title: A test inspection", 'title: "A\\btest"')
              .replace("summary: Fine.", 'summary: "Fine.\\Nand \\uFFFE, but \\L is a line."'))
    assert problems(minimal) == [
        f"{f}:2:8: title: holds U+0008 (a control character), which web pages and feeds "
        "cannot show; remove it",
        f"{f}:8:10: summary: holds U+0085 (a control character), which web pages and feeds "
        "cannot show; remove it",
    ]
    write(minimal, INSPECTION.replace("summary: Fine.", 'summary: "\\uFFFE"'))
    assert problems(minimal)[0].endswith(
        ":8:10: summary: holds U+FFFE (a noncharacter), which web pages and feeds cannot "
        "show; remove it")


def test_amendment_must_start_from_the_published_grade(minimal: Path) -> None:
    text = INSPECTION + ("amendments:\n  - date: 2022-05-01\n    area: victim-service\n"
                         "    from: Adequate\n    to: Inadequate\n    reason: Wrong data.\n"
                         "    cite: [report]\n")
    f = write(minimal, text)
    assert problems(minimal) == [
        f"{f}:21:11: amendments[0].from: 'Adequate' is not the grade of 'victim-service' "
        "before this amendment (Good)"
    ]


def test_a_misspelt_amended_grade_gets_a_did_you_mean(minimal: Path) -> None:
    text = INSPECTION + ("amendments:\n  - date: 2022-05-01\n    area: victim-service\n"
                         "    from: Goood\n    to: Requires Improvment\n    reason: Wrong data.\n"
                         "    cite: [report]\n")
    f = write(minimal, text)
    allowed = "(allowed: Outstanding, Good, Adequate, Requires improvement, Inadequate)"
    assert problems(minimal) == [
        f"{f}:21:11: amendments[0].from: 'Goood' is not a grade of framework peel-2021 "
        f"(did you mean 'Good'?) {allowed}",
        f"{f}:22:9: amendments[0].to: 'Requires Improvment' is not a grade of framework "
        f"peel-2021 (did you mean 'Requires improvement'?) {allowed}",
    ]


def test_every_error_in_every_file_is_reported_at_once(minimal: Path) -> None:
    f1 = write(minimal, INSPECTION.replace("grade: Good", "grade: Goodish"))
    f2 = write(minimal, INSPECTION.replace("id: 2022-test", "id: 2022-other")
               .replace("kind: peel", "kind: peal"), "inspections/2022-other.yaml")
    f3 = write(minimal, "title: [unclosed\n", "organisations/broken.yaml")
    lines = problems(minimal)
    assert [line.split(":")[0] for line in lines] == [f2, f1, f3]
    assert "kind: 'peal' is not a known kind in site.yaml (did you mean 'peel'?)" in lines[0]


def test_a_missing_site_config_is_reported(minimal: Path) -> None:
    (minimal / "site.yaml").unlink()
    (line,) = problems(minimal)
    assert line.endswith("site.yaml:1:1: the site config file is missing (it names the site and "
                         "its kinds of inspection and inspectorates)")


RELATIVE = ("is relative, but this text is shown on several pages, where it would lead to "
            "different places; link to a page of this site from the site's root, e.g. "
            "'/inspections/2021-peel/', or write a full web address starting with https://")


def test_a_relative_link_in_text_is_an_error_where_it_is_written(minimal: Path) -> None:
    # Each way Markdown writes a link: inline, in angle brackets, a reference, raw HTML;
    # a fragment alone is relative too (to whichever page shows the text).
    f = write(minimal, INSPECTION.replace(
        "summary: Fine.", "summary: See [the last one](../2021-peel/).") + (
        "areas_for_improvement:\n"
        "  - id: afi-1\n"
        "    text: |\n"
        "      Read [it] and <a href='notes.html'>the notes</a>.\n\n"
        "      [it]: <www.example.org/report>\n"
        "  - id: afi-2\n"
        "    text: 'Jump to [the sources](#sources).'\n"))
    assert problems(minimal) == [
        f"{f}:8:10: summary: the link '../2021-peel/' {RELATIVE}",
        f"{f}:20:11: areas_for_improvement[0].text: the links 'notes.html', "
        f"'www.example.org/report' {RELATIVE.replace('is relative', 'are relative')}",
        f"{f}:25:11: areas_for_improvement[1].text: the link '#sources' {RELATIVE}",
    ]
    # Links from the site's root, full addresses, and link-like text in code are fine.
    write(minimal, INSPECTION.replace("summary: Fine.", (
        "summary: '[Areas](/areas/), [the report](https://example.org/r), "
        "[mail](mailto:a@example.org), and the code `[x](y)`.'")))
    assert problems(minimal) == []


def test_a_link_without_an_address_is_an_error(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("summary: Fine.", "summary: See [the report]()."))
    assert problems(minimal) == [
        f"{f}:8:10: summary: a link has no address; write one in the parentheses after the "
        "link's words, e.g. [the report](https://example.org/report)"]


def test_a_link_to_a_page_the_site_does_not_have(minimal: Path) -> None:
    f = write(minimal, INSPECTION.replace("summary: Fine.", (
        "summary: '[Grades](/inspections/2021-pel/#grades), [areas](/areas), "
        "[home](/), [the data](/data/judgments.csv), [2023](/inspections/2023-peel/)'")))
    with pytest.raises(ContentError) as caught:
        check(minimal)
    assert str(caught.value).splitlines() == [
        f"{f}:8:10: summary: the link '/areas' leads to a page without its closing '/'; "
        "write '/areas/'",
        f"{f}:8:10: summary: the link '/inspections/2021-pel/#grades' leads to no page of "
        "this site (did you mean '/inspections/2021-peel/'?)",
    ]


def test_text_that_would_show_reordered_is_a_warning_at_its_place(minimal: Path) -> None:
    """A right-to-left override makes "PEEL 2021" show as "PEEL 1202": allowed, since some
    languages need these marks, but the editor is told, on every build."""
    f = write(minimal, COMPLETE.replace("title: A test inspection",
                                        'title: "PEEL \\u202E2021"'))
    content = read_content(minimal)  # a warning: the site still builds
    assert content.inspection("2022-test").title == "PEEL \u202e2021"
    assert [str(w) for w in content.warnings if w.file == f] == [
        f"{f}:2:8: warning: title: holds U+202E, an invisible character that changes the "
        "direction of the text after it, so that readers may see it reordered; remove it "
        "unless the text is written right to left"]
    # Still said on a build that takes the file from the cache, parsed or from disk.
    cache = ContentCache()
    read_content(minimal, cache)
    again = read_content(minimal, cache)
    assert [str(w) for w in again.warnings if w.file == f] == [
        str(w) for w in content.warnings if w.file == f]
    saved = minimal.parent / "cache.cbor"
    cache.save(saved)
    from_disk = read_content(minimal, ContentCache.load(saved)[0])
    assert from_disk.inspection("2022-test").title == "PEEL \u202e2021"
    assert [str(w) for w in from_disk.warnings if w.file == f] == [
        str(w) for w in content.warnings if w.file == f]


def test_a_file_parsed_ahead_in_another_process_reports_its_problems(
        minimal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build of many files parses every other one in a forked process; such a file
    that is not valid was once dropped without a word (the site built without it)."""
    monkeypatch.setattr(resolve, "PARALLEL_MIN_FILES", 1)  # the fixture's files are few
    f = write(minimal, INSPECTION.replace("title: A test inspection", "titel: A test"))
    ahead = sorted(p.name for p in (minimal / "inspections").glob("*.yaml"))[1::2]
    assert Path(f).name in ahead  # the file is among those parsed in the other process
    with pytest.raises(ContentError) as caught:
        read_content(minimal, ContentCache())
    assert [str(p) for p in caught.value.problems] == problems(minimal) == [
        f"{f}:1:1: title: required field is missing (the report's title)",
        f"{f}:2:1: titel: unknown field 'titel' (did you mean 'title'?)",
    ]


def warnings_in(content_dir: Path, file: str, cache: ContentCache | None = None) -> list[str]:
    """The warnings for one file of a valid content folder."""
    return [str(w) for w in read_content(content_dir, cache).warnings if w.file == file]


def test_a_placeholder_left_in_is_a_warning_at_its_place(minimal: Path) -> None:
    half_filled = (COMPLETE.replace("title: A test inspection", "title: TODO the title")
                   .replace("    note: No source found gives it.",
                            "    note: >-\n      Searched the report;\n      TODO the news.")
                   .replace("    publisher: HMICFRS", "    publisher: 'TODO'"))
    f = write(minimal, half_filled)
    o = write(minimal, (minimal / "organisations" / "test-force.yaml").read_text()
              + "description: Polices the test county; TODO its size.\n",
              "organisations/test-force.yaml")
    message = "still holds the placeholder 'TODO'; replace it or remove the field"
    expected = [f"{f}:2:8: warning: title: {message}",
                f"{f}:14:11: warning: judgments[1].note: {message}",
                f"{f}:23:16: warning: sources.report.publisher: {message}"]
    assert warnings_in(minimal, f) == expected
    assert warnings_in(minimal, o) == [f"{o}:3:14: warning: description: {message}"]
    assert main(["check", "--content", str(minimal)]) == 0  # a warning, not an error
    assert main(["check", "--content", str(minimal), "--strict"]) == 1
    # Said on every check, the file parsed, from the cache or from the cache's file.
    cache = ContentCache()
    assert warnings_in(minimal, f, cache) == expected
    assert warnings_in(minimal, f, cache) == expected
    saved = minimal.parent / "cache.cbor"
    cache.save(saved)
    assert warnings_in(minimal, f, ContentCache.load(saved)[0]) == expected
    # Only the word itself: 'to do' and words that hold the letters are the editor's own.
    write(minimal, COMPLETE.replace("summary: Fine.", "summary: Much to do; TODOS, MASTODON."))
    assert warnings_in(minimal, f) == []


def test_framework_areas_left_out_are_a_warning_at_judgments(minimal: Path) -> None:
    f = write(minimal, INSPECTION)
    assert warnings_in(minimal, f) == [
        f"{f}:9:1: warning: judgments: " + LEFT_OUT.format(
            n="2 areas", areas="investigating-crime, armed-threats")]
    f = write(minimal, COMPLETE.replace("  - area: armed-threats\n    grade: not graded\n", ""))
    assert warnings_in(minimal, f) == [
        f"{f}:9:1: warning: judgments: " + LEFT_OUT.format(n="1 area", areas="armed-threats")]
    # With no judgments at all, the warning is at the top of the file.
    f = write(minimal, COMPLETE.replace(ALL_AREAS, ""))
    assert warnings_in(minimal, f) == [
        f"{f}:1:1: warning: judgments: " + LEFT_OUT.format(
            n="3 areas", areas="victim-service, investigating-crime, armed-threats")]
    f = write(minimal, COMPLETE)
    assert warnings_in(minimal, f) == []
    # An inspection without a framework has no areas to leave out.
    f = write(minimal, COMPLETE.replace(ALL_AREAS, "").replace("framework: peel-2021\n", ""))
    assert warnings_in(minimal, f) == []


def test_a_source_not_online_says_so_in_access_instead_of_a_url(minimal: Path) -> None:
    no_url = COMPLETE.replace("    url: https://example.org/r\n", "")
    f = write(minimal, no_url)
    assert warnings_in(minimal, f) == [
        f"{f}:19:3: warning: sources.report: source has no url, so readers cannot look it up; "
        "add its url, or if it is not online, say so and where it can be seen in 'access'"]
    write(minimal, no_url + "    access: Not published online; held by the force.\n")
    assert warnings_in(minimal, f) == []
    f = write(minimal, no_url + "    access: ''\n")
    assert problems(minimal) == [f"{f}:22:13: sources.report.access: must not be empty"]


def test_a_grade_not_known_without_a_note_is_a_warning(minimal: Path) -> None:
    """A 'not known' must say what was searched, so that readers can tell a gap in the
    record from a grade never given."""
    f = write(minimal, COMPLETE.replace("    note: No source found gives it.\n", ""))
    assert warnings_in(minimal, f) == [
        f"{f}:13:12: warning: judgments[1].grade: 'not known' needs a note saying what was "
        "searched for the grade, so that readers can tell a gap in the record from a grade "
        "never given: add 'note:'"]
    f = write(minimal, COMPLETE)
    assert warnings_in(minimal, f) == []


def test_findings_recorded_must_agree_with_the_findings_listed(minimal: Path) -> None:
    item = ("areas_for_improvement:\n  - id: afi-1\n    text: The force should improve.\n")
    f = write(minimal, COMPLETE.replace("cite: [report]\n",
                                        item + "findings_recorded: none\ncite: [report]\n"))
    assert problems(minimal) == [
        f"{f}:20:20: findings_recorded: is 'none', but the file lists 1 finding; write "
        "'some' if the report makes others that are not recorded, or 'all'"]
    f = write(minimal, COMPLETE.replace("cite: [report]\n",
                                        "findings_recorded: some\ncite: [report]\n"))
    assert problems(minimal) == [
        f"{f}:17:20: findings_recorded: is 'some', but the file lists no causes of concern, "
        "areas for improvement or recommendations; write 'none' if the report's findings "
        "are not recorded, or 'all' if it makes none"]
    f = write(minimal, COMPLETE.replace("cite: [report]\n",
                                        "findings_recorded: maybe\ncite: [report]\n"))
    assert problems(minimal) == [
        f"{f}:17:20: findings_recorded: 'maybe' is not allowed (allowed: all, some, none)"]
    for word in ("all", "none"):
        write(minimal, COMPLETE.replace("cite: [report]\n",
                                        f"findings_recorded: {word}\ncite: [report]\n"))
        assert problems(minimal) == []
