"""Report comparison and follow-up tracking, on small content made for each case."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from gradeline.build import build
from gradeline.compare import compare_grades
from gradeline.grades import GradeView

from conftest import parse

FOUR_TIER = """\
id: four-tier
title: Four-tier scale
grades:
  - label: Outstanding
  - label: Good
  - label: Requires improvement
  - label: Inadequate
"""
OLD_FRAMEWORK = """\
id: peel-2017
title: PEEL 2017
kind: peel
scale: four-tier
areas:
  - area: victim-service
    label: Supporting victims
  - area: legacy-area
    label: An area later frameworks dropped
"""
OLD_INSPECTION = """\
id: 2017-peel
title: PEEL 2017 inspection of Test Force
short_title: PEEL 2017
organisation: test-force
inspectorates: [hmicfrs]
kind: peel
framework: peel-2017
published: 2017-11-01
summary: Earlier grades on the old scale.
judgments:
  - area: victim-service
    grade: Good
  - area: legacy-area
    grade: Requires improvement
recommendations:
  - id: rec-1
    text: The force should improve its victim service.
    timescale: within six months
cite: [report]
sources:
  report:
    title: PEEL 2017 report
    publisher: HMICFRS
    url: https://example.org/2017
"""


@pytest.fixture
def site(minimal: Path, tmp_path: Path) -> Path:
    (minimal / "scales" / "four-tier.yaml").write_text(FOUR_TIER)
    (minimal / "frameworks" / "peel-2017.yaml").write_text(OLD_FRAMEWORK)
    (minimal / "inspections" / "2017-peel.yaml").write_text(OLD_INSPECTION)
    areas = minimal / "areas.yaml"
    areas.write_text(areas.read_text() + "  - id: legacy-area\n    name: Legacy area\n")
    # The 2021 report says the 2017 recommendation was partly met.
    later = minimal / "inspections" / "2021-peel.yaml"
    later.write_text(later.read_text() + (
        "progress:\n  - items: [2017-peel#rec-1]\n    status: partly-met\n"
        "    note: Victim service had improved but not enough.\n    cite: [report]\n"))
    out = tmp_path / "site"
    build(minimal, out)
    return out


def rows(soup: BeautifulSoup, selector: str = "table.comparison") -> list[list[str]]:
    table = soup.select_one(selector)
    return [[" ".join(cell.get_text().split()) for cell in tr.find_all(["th", "td"])]
            for tr in table.select("tbody tr")]


def test_grade_changes_compare_ranks_only_on_one_scale() -> None:
    good5, adequate5 = GradeView("Good", "graded", 1, 1, "five"), GradeView(
        "Adequate", "graded", 2, 2, "five")
    good4 = GradeView("Good", "graded", 1, 1, "four")
    assert compare_grades(adequate5, good5) == "better"
    assert compare_grades(good5, adequate5) == "worse"
    assert compare_grades(good5, good5) == "same"
    assert compare_grades(good4, adequate5) == "not-comparable"
    assert compare_grades(good5, GradeView("Not known", "not-known")) == "no-grade"
    assert compare_grades(None, good5) == "only-later"
    assert compare_grades(good5, None) == "only-earlier"


def test_pair_on_one_scale_with_an_amended_grade(site: Path) -> None:
    soup = parse(site / "compare" / "2021-peel" / "2023-peel" / "index.html")
    assert soup.find("h1").get_text() == "Compare PEEL 2021 and PEEL 2024"
    assert rows(soup) == [
        ["Service to victims", "Adequate “Providing a service to victims”",
         "Good “Providing a service to victims”", "▲ Better"],
        ["Investigating crime", "Requires improvement “Investigating crime”",
         "Requires improvement amended 8 August 2024; as published: Adequate. The force had "
         "supplied incorrect data. “Investigating crime”", "= Same as published: ▲ Better"],
        ["Protecting the public against armed threats",
         "Not graded “Protecting the public against armed threats”",
         "Not graded “Protecting the public against armed threats”", "– No grade to compare"],
    ]
    symbols = [s.get_text() for s in soup.select("table.comparison .change-symbol")]
    assert symbols == ["▲", "=", "▲", "–"]
    assert soup.select(".comparison-note") == []


def test_pair_across_a_change_of_scale_and_areas_in_one_report_only(site: Path) -> None:
    soup = parse(site / "compare" / "2017-peel" / "2021-peel" / "index.html")
    (note,) = [p.get_text(" ", strip=True) for p in soup.select(".comparison-note")]
    assert note.startswith("The two reports grade on different scales, the Four-tier scale "
                           "and the Five-tier scale. Their grades are not directly comparable")
    assert [(r[0], r[-1]) for r in rows(soup)] == [
        ("Service to victims", "≠ Not directly comparable"),
        ("Investigating crime", "▶ Only in the later report"),
        ("Protecting the public against armed threats", "▶ Only in the later report"),
        ("Legacy area", "◀ Only in the earlier report"),
    ]


def test_findings_carried_forward_met_or_new(site: Path) -> None:
    soup = parse(site / "compare" / "2021-peel" / "2023-peel" / "index.html")
    _, later = soup.select("table.fates")
    assert [r[-1] for r in rows(soup, "table.fates")] == ["Carried forward"]
    assert [" ".join(td.get_text().split()) for td in later.select("tbody td")][-1] == (
        "Continues PEEL 2021, afi-1")
    soup = parse(site / "compare" / "2017-peel" / "2021-peel" / "index.html")
    assert [r[-1] for r in rows(soup, "table.fates")] == ["Partly met"]


def test_tracker_lists_every_finding_with_its_status_and_source(site: Path) -> None:
    soup = parse(site / "tracker" / "index.html")
    by_report = {(tr.select("td a")[0].get_text(), tr.select_one("th a").get_text()):
                 tr["data-status"] for tr in soup.select("table.tracker tbody tr")}
    assert by_report == {
        ("PEEL 2017", "rec-1"): "partly-met",
        ("PEEL 2021", "afi-1"): "carried-forward",
        ("PEEL 2024", "afi-1"): "not-followed-up",
    }
    rec = next(tr for tr in soup.select("table.tracker tbody tr")
               if tr.select("td a")[0].get_text() == "PEEL 2017")
    source = rec.select_one(".fate a")
    assert source["href"] == "../inspections/2021-peel/index.html#progress-1"
    target = parse(site / "inspections" / "2021-peel" / "index.html").find(id="progress-1")
    assert "Partly met" in target.get_text() and target.select("sup.refs a")


def test_tracker_shows_amended_grades_of_the_finding_area(site: Path) -> None:
    soup = parse(site / "tracker" / "index.html")
    row = next(tr for tr in soup.select("table.tracker tbody tr")
               if tr.select("td a")[0].get_text() == "PEEL 2024")
    text = " ".join(row.get_text().split())
    assert "Requires improvement amended 8 August 2024" in text
    assert "as published: Adequate" in text


def test_picker_lists_the_natural_pairs_without_javascript(site: Path) -> None:
    soup = parse(site / "compare" / "index.html")
    links = [a["href"] for a in soup.select("ul.pairs a")]
    assert links == ["2017-peel/2021-peel/index.html", "2021-peel/2023-peel/index.html"]
    # Without scripts the picker is not shown (see test_browser_compare); with them it is
    # there from the first paint, so nothing below it moves as the script fills it in.
    assert "needs-js" in soup.find("form", id="compare-form")["class"]
    assert not soup.find("form", id="compare-form").has_attr("hidden")
    assert [link["href"].split("?")[0] for link in soup.select("head noscript link")] == \
        ["../static/noscript.css"]
