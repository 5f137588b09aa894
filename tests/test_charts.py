"""Charts: valid Plotly figures, tables that say what the content says, CSVs that match."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import plotly.graph_objects as go
import pytest
from bs4 import BeautifulSoup

from gradeline.dates import PartialDate
from gradeline.model import NOT_GRADED, NOT_KNOWN
from gradeline.resolve import Content, read_content
from gradeline.vendor import PLOTLY_JS, plotly_bundle

from conftest import SHIPPED, parse

WORDS = {NOT_GRADED: "Not graded", NOT_KNOWN: "Not known"}


@pytest.fixture(scope="module")
def content() -> Content:
    """The shipped content of the organisation whose pages sit at the site's root."""
    full = read_content(SHIPPED)
    return replace(full, inspections=[i for i in full.inspections
                                      if i.organisation == full.site.focus])


def current_grades(content: Content) -> dict[tuple[str, str], str]:
    """(inspection, area) -> the grade as it stands, worked out from the YAML directly."""
    out = {}
    for insp in content.inspections:
        if not insp.framework:
            continue
        framework = content.frameworks[insp.framework]
        recorded = {j.area: WORDS.get(j.grade, j.grade) for j in insp.judgments}
        for am in sorted(insp.amendments, key=lambda a: a.date.sort_key):
            recorded[am.area] = am.to_grade
        for fa in framework.areas:
            out[(insp.id, fa.area)] = recorded.get(fa.area, "Not known" if fa.graded
                                                   else "Not graded")
    return out


def figures(site: Path) -> list[tuple[Path, str, dict]]:
    found = []
    for page in sorted(site.rglob("*.html")):
        for script in parse(page).select('script[type="application/json"][id^="figure-"]'):
            found.append((page, script["id"], json.loads(script.string)))
    return found


def chart_table(soup: BeautifulSoup, chart_id: str) -> list[list[str]]:
    figure = soup.find("figure", id=chart_id)
    table = figure.select_one("table.chart-table")
    return [[" ".join(c.get_text().split()) for c in tr.find_all(["th", "td"])]
            for tr in table.find_all("tr")]


def test_every_figure_is_valid_plotly(built_site: Path) -> None:
    found = figures(built_site)
    assert len(found) > 30
    for page, figure_id, figure in found:
        config = figure.pop("config")
        narrow = figure.pop("narrow", None)
        go.Figure(figure)  # raises on any property plotly does not know
        if narrow:  # as charts.js draws it on a phone
            go.Figure({**figure, "layout": {**figure["layout"], **narrow["layout"]}})
        assert config["displayModeBar"] is False, (page, figure_id)


def test_figures_carry_no_default_template(built_site: Path) -> None:
    for _, figure_id, figure in figures(built_site):
        assert "template" not in figure["layout"], figure_id


def test_heatmap_table_matches_the_content(built_site: Path, content: Content) -> None:
    """A column for each graded report; a report with an amended grade has a column as
    published and one from the amendment's date."""
    rows = chart_table(parse(built_site / "areas" / "index.html"), "grades-by-area")
    header, body = rows[0], rows[1:]
    now, then = current_grades(content), published_grades(content)
    columns = []  # (title, inspection, grades)
    for insp in content.inspections:
        if not insp.framework:
            continue
        if insp.amendments:
            (day,) = {am.date.label for am in insp.amendments}
            columns += [(f"{insp.short_title} as published", insp.id, then),
                        (f"{insp.short_title} amended {day}", insp.id, now)]
        else:
            columns.append((insp.short_title, insp.id, now))
    assert header[1:] == [title for title, _, _ in columns]
    assert "PEEL 2023–25 amended 8 August 2024" in header
    names = {a.name: a.id for a in content.areas.values()}
    for row in body:
        area = names[row[0]]
        for (title, insp, grades), cell in zip(columns, row[1:], strict=True):
            assert cell == grades.get((insp, area), "not assessed"), (title, area)
    assert len(body) == len({a for (_, a) in now})


def test_area_history_tables_match_the_content(built_site: Path, content: Content) -> None:
    """A row for each report's grade as published, at its date, and one for each amendment
    of it, at the amendment's date."""
    published = published_grades(content)
    titles = {i.short_title: i.id for i in content.inspections}
    pages = sorted((built_site / "areas").glob("*/index.html"))
    assert len(pages) == len({a for (_, a) in published})
    for page in pages:
        area = page.parent.name
        rows = chart_table(parse(page), f"history-{area}")[1:]
        expected = []
        for i in content.inspections:
            if (i.id, area) not in published:
                continue
            expected.append((i.id, str(i.published), "Report published",
                             published[(i.id, area)]))
            expected += [(i.id, str(am.date), "Grade amended", am.to_grade)
                         for am in sorted(i.amendments, key=lambda a: a.date.sort_key)
                         if am.area == area]
        assert [(titles[r[0]], *r[1:4]) for r in rows] == expected, area


def test_history_lines_never_cross_a_change_of_scale(built_site: Path,
                                                     content: Content) -> None:
    scale_of = {i.short_title: content.frameworks[i.framework].scale
                for i in content.inspections if i.framework}
    for page, figure_id, figure in figures(built_site / "areas"):
        if not figure_id.startswith("figure-history-"):
            continue
        rows = chart_table(parse(page), figure_id.removeprefix("figure-"))[1:]
        by_date = {str(PartialDate.parse(r[1]).start()): scale_of[r[0]] for r in rows}
        for trace in figure["data"]:
            assert len({by_date[x] for x in trace["x"]}) == 1, (figure_id, trace["name"])
        scales = [scale_of[r[0]] for r in rows]
        if len(set(scales)) > 1:
            assert figure["layout"]["shapes"], f"{figure_id}: no mark at the change of scale"


def published_grades(content: Content) -> dict[tuple[str, str], str]:
    """(inspection, area) -> the grade as published, worked out from the YAML directly."""
    out = {}
    for insp in content.inspections:
        if not insp.framework:
            continue
        recorded = {j.area: WORDS.get(j.grade, j.grade) for j in insp.judgments}
        for fa in content.frameworks[insp.framework].areas:
            out[(insp.id, fa.area)] = recorded.get(fa.area, "Not known" if fa.graded
                                                   else "Not graded")
    return out


def level_words(content: Content, framework_id: str) -> dict[str, str]:
    """Each area's level as a count names it: questions sit under a pillar; pillars are
    the areas that have questions under them in some framework, and their siblings."""
    pillars = {fa.parent for fw in content.frameworks.values() for fa in fw.areas}
    areas = content.frameworks[framework_id].areas
    nested = any(fa.parent or fa.area in pillars for fa in areas)
    return {fa.area: "questions" if fa.parent else "pillars" if nested else "areas"
            for fa in areas}


def test_distribution_tables_count_each_level_apart(built_site: Path,
                                                    content: Content) -> None:
    """Pillars and questions are counted apart, as the grades stand and as published."""
    now, then = current_grades(content), published_grades(content)
    for insp in content.inspections:
        if not insp.framework:
            continue
        soup = parse(built_site / "inspections" / insp.id / "index.html")
        rows = chart_table(soup, f"grades-{insp.id}")[1:]
        levels = level_words(content, insp.framework)
        counted = {level: (Counter(), Counter()) for level in levels.values()}
        for area, level in levels.items():
            for grades, counter in zip((now, then), counted[level], strict=True):
                if grades[(insp.id, area)] != "Not graded":
                    counter[grades[(insp.id, area)].replace("Not known", "not known")] += 1
        scale = [g.label for g in content.scales[content.frameworks[insp.framework].scale]
                 .grades]
        unknown = any(c[0]["not known"] for c in counted.values())
        expected = [[level, grade, str(counted[level][0][grade]),
                     str(counted[level][1][grade])]
                    for level in ("pillars", "questions", "areas")
                    if level in counted and sum(counted[level][0].values())
                    for grade in [*scale, *(["not known"] if unknown else [])]]
        assert rows == expected, insp.id


def test_peel_2017_counts_three_pillars_and_eight_questions(built_site: Path) -> None:
    """PEEL 2017 graded three pillars and eight questions: eleven grades on two levels,
    which its page once added up as 'Good × 3, Requires improvement × 8'."""
    page = parse(built_site / "inspections" / "2017-peel" / "index.html")
    counts = page.select_one("section[aria-labelledby=judgments] .grade-counts")
    assert [(dt.get_text(), [" ".join(li.get_text().split()) for li in dd.select("li")])
            for dt, dd in zip(counts.select("dt"), counts.select("dd"), strict=True)] == [
        ("Pillars", ["Good × 1", "Requires improvement × 2"]),
        ("Questions", ["Good × 2", "Requires improvement × 6"])]


def test_case_file_chart_matches_the_content(built_site: Path, content: Content) -> None:
    insp = content.inspection("2019-07-child-protection-review")
    soup = parse(built_site / "inspections" / insp.id / "index.html")
    rows = chart_table(soup, f"case-files-{insp.id}")[1:]
    assert rows == [["Good", "0"], ["Inadequate", "11"], ["Rating not stated", "10"]]
    assert "21 case files" in soup.find("figure", id=f"case-files-{insp.id}").get_text()


#: A table cell without a grade, as the CSV files word it (see datapackage.RULES).
CSV_WORDS = {"Not graded": "not graded", "Not known": "not known"}


def as_csv(table: list[list[str]]) -> list[list[str]]:
    """A chart's table as its CSV file gives it: each date whole, with its precision after
    it, and a grade's absence in the data dictionary's words."""
    header, *rows = table
    dates = [i for i, name in enumerate(header) if name == "Date"]
    out = []
    for row in [header, *rows]:
        cells = []
        for i, cell in enumerate(row):
            if i not in dates:
                cells.append(CSV_WORDS.get(cell, cell) if row is not header else cell)
            elif row is header:
                cells += ["Date", "Date precision"]
            else:
                parts = cell.split("-")
                cells += [cell + "-01" * (3 - len(parts)) if cell else "",
                          ["year", "month", "day"][len(parts) - 1] if cell else ""]
        out.append(cells)
    return out


def test_each_chart_csv_is_exactly_its_table(built_site: Path) -> None:
    for page in sorted(built_site.rglob("*.html")):
        soup = parse(page)
        for figure in soup.select("figure.chart"):
            link = figure.select_one(".chart-links a[download]")
            path = (page.parent / link["href"]).resolve()
            text = path.read_bytes().decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text, newline="")))
            assert rows == as_csv(chart_table(soup, figure["id"])), path


def test_every_chart_is_a_figure_with_caption_summary_table_and_permalink(
        built_site: Path) -> None:
    ids = []
    for page in sorted(built_site.rglob("*.html")):
        for figure in parse(page).select("figure.chart"):
            ids.append(figure["id"])
            assert figure.find("figcaption").select_one(".chart-title")
            assert figure.select_one(".chart-summary").get_text(strip=True)
            assert figure.select_one("table.chart-table caption")
            assert figure.select_one(f'a.permalink[href="#{figure["id"]}"]')
    assert {"timeline", "grades-by-area", "history-investigating-crime",
            "grades-2021-peel", "case-files-2019-07-child-protection-review"} <= set(ids)


def test_pages_stay_small_without_their_chart_data(built_site: Path) -> None:
    for page in sorted(built_site.rglob("*.html")):
        soup = parse(page)
        for script in soup.select('script[type="application/json"]'):
            script.decompose()
        size = len(str(soup).encode("utf-8"))
        # The Data page lists every file under data/ (a chart's CSV for every chart).
        files = sum(1 for _ in (built_site / "data").rglob("*")) if page.parent.name == "data" \
            else 0
        assert size < 60_000 + 400 * files, f"{page.relative_to(built_site)}: {size:,} bytes"


def test_plotly_is_copied_once_and_loaded_only_by_the_chart_script(built_site: Path) -> None:
    """The bundle is in the site once, under a name with its version and hash; a page with
    charts preloads it from its head (fetched at once) and its chart script names it; no
    other page mentions it."""
    version, name = plotly_bundle()
    assert [p.name for p in (built_site / "static").glob("plotly*.js")] == [name]
    assert name.startswith(f"plotly-{version}.") and name.endswith(".min.js")
    assert (built_site / "static" / name).read_bytes() == PLOTLY_JS.read_bytes()
    for page in sorted(built_site.rglob("*.html")):
        soup = parse(page)
        sources = [s.get("src", "") for s in soup.find_all("script") if s.get("src")]
        assert not any("plotly" in s for s in sources), page
        assert not any(s.startswith(("http:", "https:", "//")) for s in sources), page
        has_charts = bool(soup.select("figure.chart"))
        chart_scripts = soup.select("script[data-plotly]")
        assert bool(chart_scripts) == has_charts, page
        preloads = [link["href"] for link in soup.select('head link[rel="preload"]')]
        assert [h.rsplit("/", 1)[-1] for h in preloads] == ([name] if has_charts else []), page
        for script in chart_scripts:
            assert script.has_attr("defer")
            assert script["data-plotly"] == preloads[0], page


def test_the_bundle_holds_every_trace_type_the_charts_use(built_site: Path) -> None:
    """A chart of a type the bundle lacks would not draw: every figure's trace types are
    among those the bundle was built with (scripts/refresh_plotly.py)."""
    bundled = json.loads((PLOTLY_JS.parent / "bundle.json").read_text())["traces"]
    used = set()
    for page in sorted(built_site.rglob("*.html")):
        for script in parse(page).select('script[type="application/json"][id^="figure-"]'):
            used |= {trace["type"] for trace in json.loads(script.string)["data"]}
    assert used and used <= set(bundled), sorted(used - set(bundled))
