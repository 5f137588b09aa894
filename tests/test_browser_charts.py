"""Charts in a real browser: each draws, with the right number of traces, and no errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from gradeline.vendor import PLOTLY_JS, plotly_bundle

from conftest import ROOT, open_page

pytestmark = pytest.mark.browser

CHART_PAGES = [
    "timeline/",
    "areas/",
    "areas/investigating-crime/",
    "areas/public-treatment/",
    "inspections/2021-peel/",
    "inspections/2023-peel/",
    "inspections/2019-07-child-protection-review/",
]


@pytest.mark.parametrize("path", CHART_PAGES)
def test_every_chart_draws_with_its_traces(browser: Browser, served: str, path: str) -> None:
    context, page, errors = open_page(browser, served + path)
    canvases = page.locator(".chart-canvas[data-figure]")
    assert canvases.count() > 0
    for i in range(canvases.count()):
        canvas = canvases.nth(i)
        canvas.scroll_into_view_if_needed()
        canvas.locator(".main-svg").first.wait_for(timeout=15_000)
        figure_id = canvas.get_attribute("data-figure")
        expected = json.loads(page.locator(f"#{figure_id}").text_content() or "")
        drawn = canvas.evaluate("el => el.data.length")
        assert drawn == len(expected["data"]), figure_id
        assert canvas.evaluate("el => el.classList.contains('chart-drawn')")
    assert errors == []
    context.close()


def test_plotly_is_fetched_as_soon_as_a_chart_page_loads(browser: Browser, served: str) -> None:
    """The bundle is fetched once, under its versioned and hashed name, while the page loads,
    although no chart is on screen yet; it runs only once a chart comes near (a reader of
    the text above is never kept waiting by it); a page without charts never fetches it."""
    context = browser.new_context(viewport={"width": 412, "height": 823})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served + "inspections/2021-peel/")
    page.wait_for_load_state("networkidle")
    name = plotly_bundle()[1]
    assert [url for url in requests if "plotly" in url and url.endswith(".js")] == [
        served + "static/" + name]
    assert page.locator(".chart-canvas .main-svg").count() == 0  # none in view: none drawn
    assert page.evaluate("typeof window.Plotly") == "undefined"
    page.locator(".chart-canvas").first.scroll_into_view_if_needed()
    page.locator(".chart-canvas .main-svg").first.wait_for(timeout=15_000)
    assert sum(name in url for url in requests) == 1
    requests.clear()
    page.goto(served + "tracker/")
    page.wait_for_load_state("networkidle")
    assert not any("plotly" in url for url in requests)
    context.close()


def test_without_javascript_the_tables_carry_the_grades(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served + "areas/investigating-crime/",
                                 javascript=False)
    table = page.locator("figure.chart table.chart-table")
    assert table.is_visible()
    grades = table.locator("tbody .grade").all_inner_texts()
    # PEEL 2014, 2015, 2017, 2018/19, 2021/22 and 2023-25, as content/inspections/ says.
    assert grades == ["Requires improvement", "Not known", "Requires improvement", "Inadequate",
                      "Adequate", "Requires improvement"]
    assert page.locator(".chart-canvas .main-svg").count() == 0
    context.close()


def test_a_chart_permalink_lands_on_the_chart(browser: Browser, served: str) -> None:
    context, page, errors = open_page(browser, served + "areas/#grades-by-area")
    box = page.locator("#grades-by-area").bounding_box()
    assert box is not None and abs(box["y"]) < 5
    assert errors == []
    context.close()


def test_plotly_css_matches_what_plotly_would_inject(browser: Browser, tmp_path: Path) -> None:
    """static/plotly.css replaces plotly.js's injected <style>; it must not drift from it.

    Regenerate after upgrading plotly: GRADELINE_UPDATE_PLOTLY_CSS=1 pytest -k plotly_css
    """
    (tmp_path / "plotly.min.js").write_bytes(PLOTLY_JS.read_bytes())
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><script src="plotly.min.js"></script></head><body>'
        '<div id="g"></div></body></html>')
    context = browser.new_context()
    page = context.new_page()
    page.goto((tmp_path / "index.html").as_uri())
    page.evaluate("Plotly.newPlot('g', [{y: [1, 2]}], {}, {displayModeBar: false})")
    rules = page.evaluate("""Array.from(document.getElementById('plotly.js-style-global')
        .sheet.cssRules).map(r => r.cssText).reverse()""")
    context.close()
    css_path = ROOT / "templates" / "static" / "plotly.css"
    if os.environ.get("GRADELINE_UPDATE_PLOTLY_CSS"):
        header = "".join(line for line in css_path.read_text().splitlines(True)
                         if line.startswith(("/*", "   ")))
        css_path.write_text(header + "\n".join(rules) + "\n")
    shipped = [line for line in css_path.read_text().splitlines()
               if line and not line.startswith(("/*", "   "))]
    assert shipped == rules


@pytest.mark.parametrize("width", [412, 1280])
def test_every_chart_label_is_drawn_whole(browser: Browser, served: str, width: int) -> None:
    """Axis labels, notes and legends lie inside their chart at phone and desktop width:
    plotly cuts off what does not fit (long area names, a note at the edge) or crowds it;
    a chart too wide for the screen scrolls sideways instead."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in CHART_PAGES:
        page.goto(served + path)
        canvases = page.locator(".chart-canvas[data-figure]")
        for i in range(canvases.count()):
            canvas = canvases.nth(i)
            canvas.scroll_into_view_if_needed()
            svg = canvas.locator(".main-svg").first
            svg.wait_for(timeout=15_000)
            box = svg.bounding_box()
            assert box is not None
            labels = canvas.locator(".xtick text, .ytick text, .annotation-text, .legendtext")
            shown = 0
            for j in range(labels.count()):
                label = labels.nth(j).bounding_box()
                if label is None:
                    continue  # a tick label plotly chose not to show
                shown += 1
                where = (path, width, labels.nth(j).text_content())
                assert label["x"] >= box["x"] - 1, where
                assert label["x"] + label["width"] <= box["x"] + box["width"] + 1, where
                assert label["y"] >= box["y"] - 1, where
                assert label["y"] + label["height"] <= box["y"] + box["height"] + 1, where
            assert shown > 0, (path, i)
    context.close()
