"""The record reads true on every page and in the data, as a journalist would read it.

A grade shown out of context is a wrong fact: counts of pillars and questions added up, an
amended grade shown before it was given, a gap in the record told as the report's silence,
and one report placed at three dates. Each test reads the built shipped site (or the data
files) as a reader or a script would.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import parse

ATOM = "{http://www.w3.org/2005/Atom}"


def words(tag: object) -> str:
    """A tag's text as a reader sees it: whitespace collapsed."""
    return " ".join(tag.get_text(" ").split()).replace(" ;", ";").replace(" ,", ",")  # type: ignore[attr-defined]


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def compact_line(home: BeautifulSoup, title: str) -> str:
    """The at-a-glance line of the home page for one report."""
    for li in home.select(".compact-timeline li li"):
        if li.a.get_text() == title:
            return words(li)
    raise AssertionError(f"no line for {title!r} at a glance")


# -- counts by level ---------------------------------------------------------------------------

def test_counts_never_add_pillars_and_questions(built_site: Path) -> None:
    """PEEL 2016 graded three pillars only; PEEL 2017 three pillars and eight questions:
    counted together, 2017 looked worse partly because more was counted."""
    home = parse(built_site / "index.html")
    assert compact_line(home, "PEEL 2016") == "PEEL 2016 · pillars: 2 good, 1 requires improvement"
    assert compact_line(home, "PEEL 2017") == (
        "PEEL 2017 · pillars: 1 good, 2 requires improvement; questions: 2 good, "
        "6 requires improvement")
    assert compact_line(home, "PEEL 2021/22") == (
        "PEEL 2021/22 · areas: 4 adequate, 6 requires improvement")


def test_cards_and_the_timeline_count_level_by_level(built_site: Path) -> None:
    home = parse(built_site / "index.html")
    card = home.find("article", attrs={"aria-labelledby": "card-2018-peel"})
    assert [(words(dt), [words(li) for li in dd.select("li")])
            for dt, dd in zip(card.select(".grade-counts dt"), card.select(".grade-counts dd"),
                              strict=True)] == [
        ("Pillars", ["Requires improvement × 2", "Inadequate × 1"]),
        ("Questions", ["Requires improvement × 2", "Inadequate × 1", "Not known × 6"])]
    timeline = parse(built_site / "timeline" / "index.html")
    event = next(li for li in timeline.select("li.event-published")
                 if "/2017-peel/" in li.select_one(".event-title a")["href"])
    assert [words(dt) for dt in event.select(".grade-counts dt")] == ["Pillars", "Questions"]


def test_rounds_count_each_level_in_its_own_columns(built_site: Path) -> None:
    page = parse(built_site / "rounds" / "peel-2017" / "index.html")
    headings = [words(th) for th in page.select("#round-table thead th")]
    assert headings[-8:] == [f"{level} graded {grade}" for level in ("Pillars", "Questions")
                             for grade in ("Outstanding", "Good", "Requires improvement",
                                           "Inadequate")]
    row = next(tr for tr in page.select("#round-table tbody tr")
               if "/2017-peel/" in tr.th.a["href"])
    assert [words(td) for td in row.find_all("td")][-8:] == [
        "0", "1", "2", "0", "0", "2", "6", "0"]


def test_each_judgment_says_its_level_in_the_data(built_site: Path) -> None:
    rows = read_csv(built_site / "data" / "judgments.csv")
    levels = {(r["inspection_id"], r["area_id"]): r["level"] for r in rows}
    assert levels[("2016-peel", "effectiveness")] == "pillar"
    assert levels[("2017-peel", "effectiveness")] == "pillar"
    assert levels[("2017-peel", "investigating-crime")] == "question"
    assert levels[("2021-peel", "investigating-crime")] == "area"
    record = json.loads((built_site / "data" / "inspections.json").read_text())
    peel = next(i for i in record["inspections"] if i["id"] == "2017-peel")
    assert [j["level"] for j in peel["judgments"]].count("question") == 8


def test_the_feed_counts_level_by_level(built_site: Path) -> None:
    root = ET.fromstring((built_site / "feed.xml").read_bytes())
    summaries = {e.find(f"{ATOM}id").text.rsplit(":", 1)[-1]: e.find(f"{ATOM}summary").text
                 for e in root.findall(f"{ATOM}entry")}
    assert "pillars: 1 good, 2 requires improvement; questions: 2 good, 6 requires " \
           "improvement" in summaries["2017-peel"]


def test_one_overall_trend_counts_like_with_like(built_site: Path) -> None:
    """One trend a reader can follow from 2014 to 2024: each PEEL report's pillars (never
    its questions), then from 2021/22 its areas, with the change of scale and of what is
    counted marked, and the 2024 amendment as a bar of its own at its date."""
    home = parse(built_site / "index.html")
    figure = home.find("figure", id="trend-peel")
    assert words(figure.select_one(".chart-title")).startswith(
        "PEEL: headline grades, report by report")
    summary = words(figure.select_one(".chart-summary"))
    assert "its pillars from PEEL 2014 to PEEL 2018/19 and its areas from PEEL 2021/22 to " \
           "PEEL 2023–25" in summary
    assert "The scale and what is counted changed at PEEL 2021/22 (the dashed line): grades " \
           "on either side are not directly comparable." in summary
    rows = read_csv(built_site / "data" / "charts" / "trend-peel.csv")
    assert [(r["Report"], r["Date"], r["Counted"], r["Good"], r["Adequate"],
             r["Requires improvement"], r["Inadequate"], r["Not known"]) for r in rows] == [
        ("PEEL 2014", "2014-11-12", "pillars", "0", "0", "0", "0", "1"),
        ("PEEL 2015", "2016-02-18", "pillars", "1", "0", "2", "0", "0"),
        ("PEEL 2016", "2017-03-02", "pillars", "2", "0", "1", "0", "0"),
        ("PEEL 2017", "2018-03-01", "pillars", "1", "0", "2", "0", "0"),
        ("PEEL 2018/19", "2019-09-27", "pillars", "0", "0", "2", "1", "0"),
        ("PEEL 2021/22", "2021-11-23", "areas", "0", "4", "6", "0", "0"),
        ("PEEL 2023–25 as published", "2024-02-16", "areas", "1", "6", "1", "0", "0"),
        ("PEEL 2023–25 amended 8 August 2024", "2024-08-08", "areas", "1", "5", "2", "0",
         "0")]
    chart = json.loads(home.select_one("#figure-trend-peel").string)
    (line,) = chart["layout"]["shapes"]
    rows_y = chart["layout"]["yaxis"]["categoryarray"]
    assert rows_y.index(line["y0"]) == rows_y.index("PEEL 2018/19") + 1 == \
        rows_y.index("PEEL 2021/22") - 1
    assert any(note.get("text", "").startswith("Scale and what is counted changed")
               for note in chart["layout"]["annotations"])
    notes = [words(p) for p in figure.select(".note")]
    assert "PEEL 2014: no pillar graded: 2 not graded, 1 not known." in notes
    assert any(note.startswith("Pillars and areas are different units") for note in notes)


# -- a gap in the record is said as a gap -------------------------------------------------------

def test_a_comparison_never_reads_a_gap_as_silence(built_site: Path) -> None:
    """PEEL 2023-25's findings are not in any stored source: the comparison once said it
    'has no recorded areas for improvement' and listed all 19 of 2021/22's as 'Not
    mentioned'."""
    page = parse(built_site / "compare" / "2021-peel" / "2023-peel" / "index.html")
    findings = page.find("h2", id="findings").find_parent("section")
    text = words(findings)
    assert "Not mentioned" not in text and "has no recorded" not in text
    assert words(findings.select_one(".findings-gap")).startswith(
        "The findings of PEEL 2023–25 (its causes of concern, areas for improvement and "
        "recommendations) are not recorded in this site; the report may make some. The "
        "report sets out where the force should improve")
    earlier, later = findings.select("table.fates"), findings.select("p.findings-gap")
    fates = [words(td) for td in earlier[0].select("tbody td:last-child")]
    assert fates == ["Not recorded here"] * 19
    assert len(later) == 2  # above the earlier findings, and in place of the later ones
    # A report whose findings are all recorded and which makes none says so plainly.
    page = parse(built_site / "compare" / "2018-peel" / "2021-peel" / "index.html")
    fates = {words(tr.th.a): words(tr.select("td")[-1])
             for tr in page.select("table.fates")[0].select("tbody tr")}
    assert fates == {"coc-1": "Not carried forward", "afi-1": "Partly met"}


def test_the_tracker_does_not_call_unrecorded_follow_ups_not_followed_up(
        built_site: Path) -> None:
    """On the tracker 20 of 28 findings were 'Not yet followed up', though PEEL 2023-25
    may well say what became of them."""
    page = parse(built_site / "tracker" / "index.html")
    rows = page.select("table.tracker tbody tr")
    of_2021 = [tr for tr in rows if "/2021-peel/" in tr.select_one("td a")["href"]]
    assert len(of_2021) == 19
    assert {tr["data-status"] for tr in of_2021} == {"not-recorded"}
    assert all("The findings of PEEL 2023–25 are not recorded here." in words(tr)
               for tr in of_2021)
    assert "not-followed-up" not in {tr["data-status"] for tr in rows}
    options = [words(o) for o in page.select("#filter-status option")]
    assert "Not recorded here (20)" in options


def test_report_pages_and_data_say_what_is_not_recorded(built_site: Path) -> None:
    page = parse(built_site / "inspections" / "2023-peel" / "index.html")
    section = page.find("h2", id="findings-recorded").find_parent("section")
    assert "no stored source consulted lists its areas for improvement" in words(section)
    assert "Searched: HMICFRS's report page" in words(section)
    page = parse(built_site / "inspections" / "2021-peel" / "index.html")
    assert page.find(id="findings-recorded") is None  # all recorded, and listed
    record = json.loads((built_site / "data" / "inspections.json").read_text())
    recorded = {i["id"]: (i["findings_recorded"], bool(i["findings_note"]))
                for i in record["inspections"]}
    assert recorded["2023-peel"] == ("none", True)
    assert recorded["2021-peel"] == ("all", True)
    assert recorded["2018-peel"] == ("some", True)
    assert recorded["derbyshire-2023-peel"][0] == "none"


def test_every_grade_not_known_says_what_was_searched(built_site: Path) -> None:
    record = json.loads((built_site / "data" / "inspections.json").read_text())
    unexplained = [(i["id"], j["area_id"]) for i in record["inspections"]
                   for j in i["judgments"] if j["status"] == "not-known" and not j["note"]]
    assert unexplained == []
    assert sum(j["status"] == "not-known" for i in record["inspections"]
               for j in i["judgments"]) > 50


# -- one rule for a report without a publication date -------------------------------------------

UNDATED = "2013-10-child-protection"


def test_an_undated_report_is_placed_by_one_rule_everywhere(built_site: Path) -> None:
    """The October 2013 re-inspection has no known publication date: every page places it
    at the end of its fieldwork and says so, and the timeline holds it."""
    home = parse(built_site / "index.html")
    assert compact_line(home, "Child protection re-inspection 2013").endswith(
        "· fieldwork October 2013; publication date not known")
    card = home.find("article", attrs={"aria-labelledby": f"card-{UNDATED}"})
    assert words(card.select_one(".meta")).startswith(
        "Fieldwork October 2013; publication date not known")
    page = parse(built_site / "inspections" / UNDATED / "index.html")
    facts = {words(dt): words(dt.find_next_sibling("dd")) for dt in page.select("dl.facts dt")}
    assert facts["Placed in this record at"].startswith("October 2013, the end of its fieldwork")
    timeline = parse(built_site / "timeline" / "index.html")
    event = timeline.select("li.event-placed")
    assert [words(e.select_one(".event-when")) for e in event] == ["October 2013"]
    assert words(event[0].select_one(".event-type")) == "Report (publication date not known)"


def test_the_timeline_counts_every_report(built_site: Path) -> None:
    """The timeline once said '15 report publications' of 16 reports."""
    record = json.loads((built_site / "data" / "inspections.json").read_text())
    mine = [i for i in record["inspections"] if i["organisation"] == "northamptonshire-police"]
    timeline = parse(built_site / "timeline" / "index.html")
    reports = timeline.select("li.event-published, li.event-placed")
    assert len(reports) == len(mine) == 16
    summary = words(timeline.select_one("#timeline .chart-summary"))
    assert summary.startswith("16 reports (1 of them placed at the end of its fieldwork: its "
                              "publication date is not known)")
    # The data place each report where the timeline does, and say on what basis.
    placed = {i["id"]: (i["date"], i["date_basis"]) for i in mine}
    assert placed[UNDATED] == ("2013-10-01", "fieldwork")
    rows = read_csv(built_site / "data" / "charts" / "timeline.csv")
    events = {(r["Title"], r["Event"]): (r["Date"], r["Date precision"]) for r in rows}
    title = next(i["title"] for i in mine if i["id"] == UNDATED)
    assert events[(title, "Report (publication date not known)")] == ("2013-10-01", "month")


def test_the_feed_says_how_an_undated_report_is_placed(built_site: Path) -> None:
    root = ET.fromstring((built_site / "feed.xml").read_bytes())
    entry = next(e for e in root.findall(f"{ATOM}entry")
                 if e.find(f"{ATOM}id").text.endswith(UNDATED))
    assert "fieldwork October 2013; publication date not known" in \
        entry.find(f"{ATOM}summary").text
    assert entry.find(f"{ATOM}published") is None


# -- an amended grade, as published and as amended, each at its date --------------------------

AMENDMENT = "Responding to the public, Adequate as published, Requires improvement from " \
            "8 August 2024"


def test_the_area_chart_plots_the_amendment_at_its_date(built_site: Path) -> None:
    """'Responding to the public' was Adequate when PEEL 2023–25 was published (16 February
    2024) and Requires improvement from 8 August 2024: the chart once plotted the new grade
    in February, six months before it was given."""
    page = parse(built_site / "areas" / "responding-to-public" / "index.html")
    figure = json.loads(page.select_one("#figure-history-responding-to-public").string)
    points = {(x, y) for trace in figure["data"]
              for x, y in zip(trace["x"], trace["y"], strict=True)}
    assert ("2024-02-16", 2.0) in points  # Adequate, at publication
    assert ("2024-08-08", 3.0) in points  # Requires improvement, from the amendment
    assert ("2024-02-16", 3.0) not in points
    rows = read_csv(built_site / "data" / "charts" / "history-responding-to-public.csv")
    assert [(r["Inspection"], r["Date"], r["Event"], r["Grade"]) for r in rows][-2:] == [
        ("PEEL 2023–25", "2024-02-16", "Report published", "Adequate"),
        ("PEEL 2023–25", "2024-08-08", "Grade amended", "Requires improvement")]
    assert "as amended on 8 August 2024; adequate as published" in words(
        page.select_one(".chart-summary"))


def test_the_grid_of_grades_shows_both_versions(built_site: Path) -> None:
    rows = read_csv(built_site / "data" / "charts" / "grades-by-area.csv")
    row = next(r for r in rows if r["Area"] == "Responding to the public")
    assert (row["PEEL 2023–25 as published"], row["PEEL 2023–25 amended 8 August 2024"]) == (
        "Adequate", "Requires improvement")
    page = parse(built_site / "areas" / "index.html")
    assert any(AMENDMENT in words(note) for note in page.select("#grades-by-area .note"))


def test_every_count_of_the_report_tells_the_amendment(built_site: Path) -> None:
    home = parse(built_site / "index.html")
    assert compact_line(home, "PEEL 2023–25").endswith(
        "amended: Responding to the public, adequate as published, requires improvement "
        "from 8 August 2024")
    card = home.find("article", attrs={"aria-labelledby": "card-2023-peel"})
    assert words(card.select_one(".amended")) == f"Amended after publication: {AMENDMENT}."
    organisations = parse(built_site / "organisations" / "index.html")
    assert f"Amended after publication: {AMENDMENT}." in words(
        organisations.select_one("table.organisations"))
    page = parse(built_site / "inspections" / "2023-peel" / "index.html")
    chart = page.select_one("#grades-2023-peel")
    assert any(AMENDMENT in words(note) for note in chart.select(".note"))
    counts = read_csv(built_site / "data" / "charts" / "grades-2023-peel.csv")
    assert [(r["Grade"], r["Count"], r["Count as published"]) for r in counts
            if r["Grade"] in ("Adequate", "Requires improvement")] == [
        ("Adequate", "5", "6"), ("Requires improvement", "2", "1")]


def test_the_timeline_counts_as_published_then_marks_the_amendment(built_site: Path) -> None:
    timeline = parse(built_site / "timeline" / "index.html")
    published = next(li for li in timeline.select("li.event-published")
                     if "/2023-peel/" in li.select_one(".event-title a")["href"])
    assert [words(li) for li in published.select(".grade-counts li")] == [
        "Outstanding × 1", "Good × 1", "Adequate × 6", "Requires improvement × 1"]
    amended = timeline.select("li.event-amended")
    assert [words(e.select_one(".event-when")) for e in amended] == ["8 August 2024"]
    rows = read_csv(built_site / "data" / "charts" / "timeline.csv")
    detail = next(r["Detail"] for r in rows
                  if r["Event"] == "Report published" and r["Date"] == "2024-02-16"
                  and "Northamptonshire" in r["Title"])
    assert "6 adequate, 1 requires improvement" in detail


def test_rounds_show_the_report_as_published_and_as_amended(built_site: Path) -> None:
    page = parse(built_site / "rounds" / "peel-2023" / "index.html")
    assert words(page.select_one(".lede")).startswith("The grades of 5 organisations")
    names = [words(tr.th.a) for tr in page.select("#round-table tbody tr")]
    assert names[:2] == ["Northamptonshire (as published)", "Northamptonshire"]
    rows = read_csv(built_site / "data" / "charts" / "round-peel-2023.csv")
    column = "Responding to the public"
    assert [(r["Organisation"], r[column]) for r in rows][:2] == [
        ("Northamptonshire (as published)", "Adequate"),
        ("Northamptonshire", "Requires improvement")]
    current = page.select("#round-table tbody tr")[1]
    assert "amended 8 August 2024; Adequate as published" in words(current)


def test_the_feed_entry_tells_the_amendment(built_site: Path) -> None:
    root = ET.fromstring((built_site / "feed.xml").read_bytes())
    entry = next(e for e in root.findall(f"{ATOM}entry")
                 if e.find(f"{ATOM}id").text.endswith(":2023-peel"))
    summary = entry.find(f"{ATOM}summary").text
    assert f"Amended after publication: {AMENDMENT}. The grade was changed" in summary
    assert entry.find(f"{ATOM}updated").text.startswith("2024-08-08")


def test_no_note_ends_in_stray_brackets(built_site: Path) -> None:
    """An amendment's reason ends in a bracket and a full stop; set inside brackets, it
    read '.);'. Neither that nor nested brackets appear on any page."""
    found = []
    for page in sorted(built_site.rglob("*.html")):
        if "pagefind" in page.parts:
            continue
        text = words(parse(page).find("main") or parse(page))
        found += [f"{page.relative_to(built_site)}: {bad}" for bad in (".);", ") (")
                  if bad in text]
    assert found == []


def test_framework_and_scale_are_named_apart(built_site: Path) -> None:
    """'PEEL 2021/22 (original framework) (Five-tier PEEL scale (from 2021/22))' read as
    brackets within brackets."""
    page = parse(built_site / "inspections" / "2021-peel" / "index.html")
    facts = {words(dt): words(dt.find_next_sibling("dd")) for dt in page.select("dl.facts dt")}
    assert (facts["Framework"], facts["Grading scale"]) == (
        "PEEL 2021/22 (original framework)", "Five-tier PEEL scale (from 2021/22)")


def test_page_titles_carry_no_citation_markers(built_site: Path) -> None:
    """The report's sources were numbered inside its title: 'PEEL 2017[1][2]'."""
    pages = sorted((built_site / "inspections").glob("*/index.html"))
    marked = [p.parent.name for p in pages if "[" in words(parse(p).find("h1"))]
    assert len(pages) == 40 and marked == []
    page = parse(built_site / "inspections" / "2023-peel" / "index.html")
    facts = {words(dt): dt.find_next_sibling("dd") for dt in page.select("dl.facts dt")}
    assert [a["href"] for a in facts["Sources"].select("a")] == [
        "#source-1", "#source-2", "#source-3"]
