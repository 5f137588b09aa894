"""Every command: its help, its one-line summary and its exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradeline.cli import COMMANDS, main
from gradeline.dates import PartialDate
from gradeline.derive import derive
from gradeline.model import Framework, Inspection, Organisation
from gradeline.new import default_inspection_id, inspection_id_prefix
from gradeline.pages import site_pages
from gradeline.resolve import read_content
from gradeline.schema import DOCS_END, DOCS_START, all_models, field_reference, schema_files

from conftest import ROOT, SHIPPED

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=60)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: python build.py {command}")
    assert len(result.stdout.splitlines()) > 4


def test_top_level_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert f"    {command}" in result.stdout


def test_unknown_options_exit_2() -> None:
    assert run("frobnicate").returncode == 2
    assert run("check", "--colour").returncode == 2


def test_check_github_format_and_strict(minimal: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    bad = minimal / "inspections" / "2021-peel.yaml"
    bad.write_text(bad.read_text().replace("kind: peel", "kind: peal"))
    assert main(["check", "--content", str(minimal), "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"::error file={bad},line=5,col=7::kind: 'peal' is not a known kind in "
                   "site.yaml (did you mean 'peel'?) (known: child-protection, peel)"]
    # A file name with a comma or colon, and a message with a percent sign, are escaped as
    # GitHub's workflow commands require; a line break in a value is quoted as \n, so that
    # every message is one line.
    odd = bad.rename(bad.with_name("2021,peel:50%.yaml"))
    odd.write_text(odd.read_text().replace("kind: peal", 'kind: "pe\\nal%"'))
    assert main(["check", "--content", str(minimal), "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    escaped = str(odd).replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
    assert out[0] == (f"::error file={escaped},line=5,col=7::kind: 'pe\\nal%25' is not a safe "
                      "id: use lowercase letters, digits and hyphens, starting and ending with "
                      "a letter or digit, at most 80 characters (e.g. 2021-peel)")
    assert len(out) == 2  # and 2023-peel.yaml's link to the now invalid file: one line each
    bad = odd.rename(bad)
    bad.write_text(bad.read_text().replace('kind: "pe\\nal%"', "kind: peel").replace(
        "    url: https://example.org/report-2021\n", ""))
    assert main(["check", "--content", str(minimal)]) == 0
    assert main(["check", "--content", str(minimal), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "warning: sources.report: source has no url, so readers cannot look it up" in err
    assert "Check failed (--strict): 1 warning in 7 files." in err


def test_new_inspection_writes_a_valid_skeleton_and_never_overwrites(
        minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["new", "inspection", "--content", str(minimal), "--organisation", "test-force",
            "--framework", "peel-2021", "--date", "2025-06-30"]
    assert main(args) == 0
    # In the organisation's folder, named by organisation, the framework's year and kind.
    path = minimal / "inspections" / "test-force" / "test-force-2021-peel.yaml"
    assert capsys.readouterr().out.startswith(f"Wrote {path}")
    text = path.read_text()
    assert "\nid: test-force-2021-peel\n" in text
    assert text.count("  - area: ") == 3 and "grade: not graded" in text
    assert main(["check", "--content", str(minimal)]) == 0  # valid as written
    # ... but what is to be filled in is pointed out, and --strict fails on it.
    warnings = [line.split(": ", 1)[1] for line in capsys.readouterr().err.splitlines()]
    assert warnings == [
        "warning: title: still holds the placeholder 'TODO'; replace it or remove the field",
        "warning: summary: still holds the placeholder 'TODO'; replace it or remove the field",
        # (a grade not known says what was searched for it)
        "warning: judgments[0].note: still holds the placeholder 'TODO'; replace it or remove "
        "the field",
        "warning: judgments[1].note: still holds the placeholder 'TODO'; replace it or remove "
        "the field",
        "warning: sources.report: source has no url, so readers cannot look it up; add its "
        "url, or if it is not online, say so and where it can be seen in 'access'",
        "warning: sources.report.title: still holds the placeholder 'TODO'; replace it or "
        "remove the field"]
    path.write_text(text + "# my edits\n")
    assert main(args) == 1
    assert capsys.readouterr().err.strip() == (
        "New failed: an inspection with id 'test-force-2021-peel' already exists; choose "
        "another with --id, e.g. --id test-force-2025-06-peel")
    assert path.read_text().endswith("# my edits\n")
    assert main([*args, "--id", "test-force-2025-06-peel"]) == 0
    second = path.with_name("test-force-2025-06-peel.yaml")
    assert "\nid: test-force-2025-06-peel\n" in second.read_text()
    assert main(["check", "--content", str(minimal)]) == 0
    capsys.readouterr()
    # The id is the id, whatever file holds it: no second file may take it.
    assert main([*args, "--id", "2021-peel"]) == 1
    assert capsys.readouterr().err.strip() == (
        "New failed: an inspection with id '2021-peel' already exists; choose another with "
        "--id")


def test_new_inspection_ids_cannot_collide_across_organisations(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The issue's case: two forces' reports published on one day.
    content = tmp_path / "content"
    generate(content, orgs=2, per_org=1, seed=3)
    written = []
    for org in ("force-001", "force-002"):
        assert main(["new", "inspection", "--content", str(content), "--organisation", org,
                     "--framework", "peel-2023", "--date", "2024-09-24"]) == 0
        written.append(capsys.readouterr().out.split()[1].rstrip(":"))
    assert written == [str(content / "inspections" / "force-001" / "force-001-2023-peel.yaml"),
                       str(content / "inspections" / "force-002" / "force-002-2023-peel.yaml")]
    capsys.readouterr()
    assert main(["check", "--content", str(content)]) == 0
    assert "already exists" not in capsys.readouterr().err


def test_new_inspection_id_year_is_the_framework_s_or_else_the_publication_s() -> None:
    def framework(framework_id: str) -> Framework:
        return Framework(id=framework_id, title="A framework", kind="peel", scale="s",
                         areas=[{"area": "a", "label": "A"}])

    published = PartialDate.parse("2016-02-18")  # PEEL 2015's reports came out in 2016
    ids = [default_inspection_id("derbyshire", framework(f), published)
           for f in ("peel-2015", "peel-2021-revised", "crime-data-integrity-graded")]
    assert ids == ["derbyshire-2015-peel", "derbyshire-2021-peel", "derbyshire-2016-peel"]


def test_new_inspection_id_prefix_is_the_short_name_unless_shared() -> None:
    def org(org_id: str, short: str | None = None) -> Organisation:
        return Organisation(id=org_id, name=org_id.title(), short_name=short)

    orgs = {"derbyshire-constabulary": org("derbyshire-constabulary", "Derbyshire"),
            "leicestershire-police": org("leicestershire-police", "Leicestershire"),
            "no-short-name": org("no-short-name"),
            "avon-and-somerset": org("avon-and-somerset", "Avon & Somerset"),
            "derbyshire-fire": org("derbyshire-fire", "Derbyshire")}
    prefixes = {i: inspection_id_prefix(i, orgs) for i in orgs}
    assert prefixes == {"derbyshire-constabulary": "derbyshire-constabulary",
                        "leicestershire-police": "leicestershire",
                        "no-short-name": "no-short-name",
                        "avon-and-somerset": "avon-somerset",
                        "derbyshire-fire": "derbyshire-fire"}
    # A short name that is another organisation's id is not used either.
    orgs["derbyshire"] = org("derbyshire")
    del orgs["derbyshire-fire"]
    assert inspection_id_prefix("derbyshire-constabulary", orgs) == "derbyshire-constabulary"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--organisation", "test-forse", "'test-forse' is not a known organisation (did you "
                                         "mean 'test-force'?) (known: test-force)"),
        ("--framework", "peel-2022", "'peel-2022' is not a known framework (did you mean "
                                     "'peel-2021'?) (known: peel-2021)"),
        ("--date", "2025-02-30", "--date: '2025-02-30' is not a real date (February 2025 has "
                                 "28 days)"),
        ("--date", "2025-06", "--date: '2025-06' needs a day: write YYYY-MM-DD"),
        ("--id", "Force 2025", "--id: 'Force 2025' is not a safe id: use lowercase letters, "
                               "digits and hyphens, starting and ending with a letter or "
                               "digit, at most 80 characters (e.g. 2021-peel)"),
    ],
)
def test_new_inspection_refuses_bad_arguments(minimal: Path, capsys: pytest.CaptureFixture[str],
                                              option: str, value: str, message: str) -> None:
    args = {"--organisation": "test-force", "--framework": "peel-2021", "--date": "2025-06-30"}
    args[option] = value
    before = sorted(minimal.rglob("*"))
    flat = [x for pair in args.items() for x in pair]
    assert main(["new", "inspection", "--content", str(minimal), *flat]) == 1
    assert capsys.readouterr().err.strip() == f"New failed: {message}"
    assert sorted(minimal.rglob("*")) == before  # nothing written


def test_schema_command_writes_schemas(minimal: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--content", str(minimal), "--docs", str(tmp_path / "none.md")]) == 0
    assert sorted(p.name for p in (minimal / "schemas").iterdir()) == sorted(schema_files())
    assert main(["schema", "--content", str(tmp_path / "missing")]) == 1
    assert main(["serve", "--content", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_shipped_schemas_match_the_model() -> None:
    for name, text in schema_files().items():
        shipped = SHIPPED / "schemas" / name
        assert shipped.read_text(encoding="utf-8") == text, (
            f"{shipped} is out of date: run python build.py schema")


def test_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads(schema_files()["inspection.schema.json"])
    assert schema["additionalProperties"] is False
    assert {"id", "title", "organisation", "inspectorates", "kind", "cite"} <= set(
        schema["required"])
    assert "from" in json.dumps(schema["$defs"]["Amendment"]["properties"])


def test_content_files_name_their_schema() -> None:
    for path in sorted(SHIPPED.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target.is_file(), (path, target)


def test_every_field_has_a_description() -> None:
    missing = [f"{model.__name__}.{name}" for model in all_models()
               for name, info in model.model_fields.items() if not info.description]
    assert missing == []
    assert Inspection in all_models()


def test_editor_guide_reference_is_generated_from_the_model() -> None:
    text = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    block = text[text.index(DOCS_START) + len(DOCS_START): text.index(DOCS_END)]
    assert block.strip() == field_reference().strip(), "run python build.py schema"


def page_patterns(site_dir: Path) -> set[str]:
    """The addresses of the pages the site of a content folder has, each id in them written
    as the guide writes it (``/areas/<area>/``)."""
    names = {"organisations": "<organisation>", "areas": "<area>",
             "inspections": "<inspection>", "rounds": "<framework>"}
    patterns = set()
    for page in site_pages(derive(read_content(site_dir))):
        parts = page.target.rstrip("/").split("/") if page.target else []
        out = []
        for i, part in enumerate(parts):
            if i and parts[i - 1] == "compare":
                out.append("<earlier>")
            elif i > 1 and parts[i - 2] == "compare":
                out.append("<later>")
            elif i % 2 and parts[i - 1] in names:  # a folder's id: organisations/<id>
                out.append(names[parts[i - 1]])
            else:
                out.append(part)
        text = "/" + "/".join(out)
        patterns.add(text if text.endswith(".html") or text == "/" else text + "/")
    return patterns


def documented_pages() -> tuple[set[str], set[str]]:
    """The page addresses the editor guide lists, for one organisation and for several."""
    guide = (ROOT / "docs" / "editing.md").read_text()
    table = guide.split("<!-- pages:start")[1].split("<!-- pages:end -->")[0]
    one, several = set(), set()
    for row in table.splitlines():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`"):
            one.add(cells[1].strip("`"))
        if len(cells) == 3 and cells[2].startswith("`"):
            several.add(cells[2].strip("`"))
    return one, several


def test_editor_guide_lists_every_page_address(minimal: Path, tmp_path: Path) -> None:
    one, several = documented_pages()
    assert page_patterns(minimal) == one
    generate(tmp_path / "many", orgs=2, per_org=3, seed=1)
    assert page_patterns(tmp_path / "many") == several
