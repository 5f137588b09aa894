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
    assert compact_line(home, "PEEL 2016") == "PEEL 2016 (pillars: 2 good, 1 requires improvement)"
    assert compact_line(home, "PEEL 2017") == (
        "PEEL 2017 (pillars: 1 good, 2 requires improvement; questions: 2 good, "
        "6 requires improvement)")
    assert compact_line(home, "PEEL 2021/22") == (
        "PEEL 2021/22 (areas: 4 adequate, 6 requires improvement)")


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
