"""Several organisations in one site, and the single-organisation site kept as it was."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from golden import golden_diff, write_golden
from playwright.sync_api import Browser

from gradeline import feeds
from gradeline.build import build
from gradeline.derive import derive
from gradeline.pages import site_pages
from gradeline.render import Page, chunks
from gradeline.resolve import read_content
from gradeline.urls import Urls

from conftest import ROOT, SHIPPED, open_page, parse, serve_folder

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content of the site's focus organisation alone: a site of one."""
    root = tmp_path_factory.mktemp("alone")
    content = root / "content"
    shutil.copytree(SHIPPED, content)
    focus = read_content(SHIPPED).site.focus
    site_yaml = content / "site.yaml"
    site_yaml.write_text("".join(line for line in site_yaml.read_text().splitlines(True)
                                 if not line.startswith("focus:")))
    for organisation in (content / "organisations").glob("*.yaml"):
        if organisation.stem != focus:
            organisation.unlink()
            shutil.rmtree(content / "inspections" / organisation.stem)
    build(content, root / "site", search=False)
    return root / "site"


def test_single_organisation_site_is_unchanged_golden(alone: Path) -> None:
    if os.environ.get("GRADELINE_UPDATE_GOLDEN"):
        write_golden(alone)
    assert golden_diff(alone) == "", "pages changed (GRADELINE_UPDATE_GOLDEN=1 if intended)"
    assert not (alone / "organisations").exists() and not (alone / "rounds").exists()


def test_the_focus_organisation_keeps_its_story_at_the_root(alone: Path,
                                                            built_site: Path) -> None:
    """Beside its neighbours, Northamptonshire's home page lists the same inspections, year
    by year, and its timeline, areas and tracker say the same as on a site of its own."""
    def section(site: Path, page: str, selector: str) -> str:
        found = parse(site / page).select_one(selector)
        assert found is not None, (site, page, selector)
        return " ".join(found.get_text().split())

    for page, selector in [("index.html", "#all-inspections + ol"),
                           ("index.html", ".compact-timeline"),
                           ("timeline/index.html", "main h1 ~ *"),
                           ("areas/index.html", "figure"),
                           ("tracker/index.html", "main table")]:
        assert section(built_site, page, selector) == section(alone, page, selector), page
    home = parse(built_site / "index.html")
    rounds_section = home.select_one("#neighbours").find_parent("section")
    assert [a.get_text() for a in rounds_section.select("ul a")] == [
        "PEEL 2015", "PEEL 2016", "PEEL 2017", "PEEL 2018/19", "PEEL 2021/22", "PEEL 2023–25"]


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many")
    generate(root / "content", orgs=3, per_org=4, seed=7)
    build(root / "content", root / "site")
    return root / "site"


def test_home_lists_the_organisations(many: Path) -> None:
    soup = parse(many / "index.html")
    rows = soup.select("table.organisations tbody tr")
    names = [r.find("th").get_text(strip=True) for r in rows]
    assert names == ["Force 001 Police (synthetic)", "Force 002 Police (synthetic)",
                     "Force 003 Police (synthetic)"]
    links = [r.select_one("th a")["href"] for r in rows]
    assert links == [f"organisations/force-00{i}/index.html" for i in (1, 2, 3)]
    nav = [a.get_text() for a in soup.select("nav[aria-label=Main] a")]
    assert nav == ["Organisations", "Rounds", "Compare", "Data"]


def test_each_organisation_has_its_own_pages(many: Path) -> None:
    for org in ("force-001", "force-002", "force-003"):
        base = many / "organisations" / org
        for page in ("index.html", "timeline/index.html", "areas/index.html",
                     "tracker/index.html", "areas/investigating-crime/index.html"):
            assert (base / page).is_file(), f"{org}/{page}"
        home = parse(base / "index.html")
        cards = [a["href"] for a in home.select("ol.cards a")]
        assert len(cards) == 4 and all(org in href for href in cards)
        history = parse(base / "areas" / "investigating-crime" / "index.html")
        rows = history.select("figure.chart table.chart-table tbody tr")
        assert len(rows) == 4  # this organisation's four inspections, not the others'
    assert not (many / "timeline").exists() and not (many / "tracker").exists()


def test_previous_and_next_stay_within_an_organisation(many: Path) -> None:
    soup = parse(many / "inspections" / "force-002-2013-peel-1" / "index.html")
    assert soup.select_one(".prev-next a[rel=prev]") is None
    assert "force-002-2014-peel-2" in soup.select_one(".prev-next a[rel=next]")["href"]


def test_rounds_set_every_organisation_side_by_side(many: Path) -> None:
    index = parse(many / "rounds" / "index.html")
    assert [a["href"] for a in index.select("main ul a")] == [
        "peel-2021/index.html", "peel-2023/index.html"]
    soup = parse(many / "rounds" / "peel-2023" / "index.html")
    rows = soup.select("#round-table tbody tr")
    assert len(rows) == 3
    first = rows[0]
    # Each organisation's latest inspection under the framework, linked.
    assert first.select_one("th a")["href"] == "../../inspections/force-001-2016-peel-4/index.html"
    grades = [td.get_text(strip=True) for td in first.find_all("td")]
    headers = [th.get_text(strip=True) for th in soup.select("#round-table thead th")]
    assert len(grades) == len(headers) - 1
    counts = [int(g) for g in grades[-5:]]
    assert sum(counts) == 9  # nine graded areas in PEEL 2023-25
    assert soup.find("figure", id="round-peel-2023")


def test_compare_data_is_one_file_per_organisation(many: Path) -> None:
    files = sorted(p.name for p in (many / "data" / "compare").iterdir())
    assert files == ["force-001.js", "force-002.js", "force-003.js"]


@pytest.mark.browser
def test_compare_picker_across_organisations(browser: Browser, many: Path) -> None:
    server, origin = serve_folder(many)
    try:
        context, page, errors = open_page(browser, origin + "compare/")
        page.wait_for_selector("#compare-form[data-ready]")
        for side in ("a", "b"):
            page.select_option(f"#pick-{side}-org", "force-003")
        page.wait_for_selector("#pick-a option[value='force-003-2013-peel-1']", state="attached")
        page.wait_for_selector("#pick-b option[value='force-003-2015-peel-3']", state="attached")
        page.select_option("#pick-a", "force-003-2013-peel-1")
        page.select_option("#pick-b", "force-003-2015-peel-3")
        page.click("#compare-form button")
        page.wait_for_selector("#compare-result table.comparison")
        assert parse_qs(urlsplit(page.url).query) == {
            "a": ["force-003-2013-peel-1"], "b": ["force-003-2015-peel-3"]}
        rows = page.locator("#compare-result table.comparison tbody tr").count()
        page.reload()
        page.wait_for_selector("#compare-result table.comparison")
        assert page.locator("#compare-result table.comparison tbody tr").count() == rows
        assert page.input_value("#pick-a-org") == "force-003"
        # Two organisations' reports, side by side.
        page.select_option("#pick-b-org", "force-001")
        page.wait_for_selector("#pick-b option[value='force-001-2014-peel-2']", state="attached")
        page.select_option("#pick-b", "force-001-2014-peel-2")
        page.click("#compare-form button")
        page.wait_for_selector("#compare-result th:has-text('Difference')")
        assert page.text_content("#comparison-heading") == (
            "Compare Force 003 PEEL 2013 and Force 001 PEEL 2014")
        assert errors == []
        context.close()
    finally:
        server.shutdown()


@pytest.mark.browser
def test_round_table_sorts_by_any_column(browser: Browser, many: Path) -> None:
    server, origin = serve_folder(many)
    try:
        context, page, errors = open_page(browser, origin + "rounds/peel-2023/")
        names = lambda: page.eval_on_selector_all(  # noqa: E731
            "#round-table tbody th", "ths => ths.map(t => t.dataset.sortValue)")
        assert names() == ["Force 001", "Force 002", "Force 003"]
        page.click("#round-table thead button >> nth=0")  # organisation: now descending
        assert names() == ["Force 003", "Force 002", "Force 001"]
        assert page.get_attribute("#round-table thead th >> nth=0", "aria-sort") == "descending"
        page.click("#round-table thead button >> nth=-1")  # the count of the worst grade
        values = page.eval_on_selector_all(
            "#round-table tbody tr",
            "rs => rs.map(r => Number(r.lastElementChild.dataset.sortValue))")
        assert values == sorted(values)
        assert errors == []
        context.close()
    finally:
        server.shutdown()


def test_parallel_runs_keep_each_organisation_together(many: Path) -> None:
    site = derive(read_content(many.parent / "content"))
    pages = site_pages(site)
    runs = chunks(pages, 2)
    assert sorted(p.file for run in runs for p in run) == sorted(p.file for p in pages)
    assert [len(run) for run in runs] == sorted((len(run) for run in runs), reverse=True)
    assert {page.organisation for page in pages} == {"", "force-001", "force-002", "force-003"}
    for run in runs:  # small organisations: one run each
        assert len({page.organisation for page in run}) == 1
    assert len(runs) == 4
    inspection = next(p for p in pages if p.target.startswith("inspections/"))
    assert inspection.organisation == site.inspections[0].inspection.organisation
    # One organisation larger than a fair share is cut into runs of at most the run size.
    big = [Page(f"p{i}/", "404.html", "t", organisation="only") for i in range(1000)]
    runs = chunks(big, 2)
    assert [len(run) for run in runs] == [62] * 16 + [8]
    assert [p.target for run in runs for p in run] == [p.target for p in big]


def test_the_feed_lists_only_the_newest_inspections(many: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = derive(read_content(many.parent / "content"))
    assert len(site.inspections) == 12
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 5)
    root = ET.fromstring(feeds.atom_feed(site, Urls("https://example.org/")))
    updated = [e.findtext(f"{ATOM}updated") for e in root.findall(f"{ATOM}entry")]
    assert len(updated) == 5
    newest = sorted((v.summary.date.sort_key for v in site.inspections), reverse=True)[:5]
    assert updated == sorted(updated, reverse=True)
    assert [int(u[:4]) for u in updated] == [key[0] for key in newest]


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 412])
def test_round_heatmap_shows_every_area_name_whole(browser: Browser, many: Path,
                                                   width: int) -> None:
    """The area names above the round heatmap are long and set at an angle: each must lie
    inside the chart, not cut off at its top or right edge."""
    server, origin = serve_folder(many)
    try:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(origin + "rounds/peel-2023/")
        canvas = page.locator(".chart-canvas").first
        canvas.scroll_into_view_if_needed()
        canvas.locator(".main-svg").first.wait_for(timeout=15_000)
        box = canvas.locator(".main-svg").first.bounding_box()
        labels = canvas.locator(".xtick text")
        figure = json.loads(page.locator(f"#{canvas.get_attribute('data-figure')}")
                            .text_content() or "")
        assert labels.count() == len(figure["data"][0]["x"]) >= 9
        lefts = []
        for i in range(labels.count()):
            label = labels.nth(i).bounding_box()
            assert box is not None and label is not None
            assert label["y"] >= box["y"] - 1, labels.nth(i).text_content()
            assert label["x"] + label["width"] <= box["x"] + box["width"] + 1, \
                labels.nth(i).text_content()
            lefts.append(label["x"])
        # Columns wide enough for two-letter grades, and for a name's lines to clear the
        # next name's.
        assert min(b - a for a, b in itertools.pairwise(lefts)) >= 44
        # Never squeezed: where the screen is too narrow, the chart scrolls sideways.
        scrolls = canvas.evaluate("el => el.classList.contains('chart-wide') && "
                                  "el.scrollWidth > el.clientWidth + 100")
        assert scrolls == (width < 800)
        assert errors == []
        context.close()
    finally:
        server.shutdown()


@pytest.mark.browser
def test_no_page_of_several_organisations_is_wider_than_a_phone(browser: Browser,
                                                                  many: Path) -> None:
    server, origin = serve_folder(many)
    try:
        context = browser.new_context(viewport={"width": 360, "height": 800})
        page = context.new_page()
        wide = []
        for path in sorted(p.relative_to(many).as_posix() for p in many.rglob("*.html")
                           if "pagefind" not in p.parts):
            page.goto(origin + path)
            if (width := page.evaluate("document.documentElement.scrollWidth")) > 360:
                wide.append((path, width))
        assert wide == []
        context.close()
    finally:
        server.shutdown()
