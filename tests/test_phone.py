"""The site on a phone, 360 px wide: every table reads whole, every chart keeps its labels.

Runs over every page of the shipped site and of a site of several organisations.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from gradeline.build import build

from conftest import ROOT, serve_folder

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate

pytestmark = pytest.mark.browser

WIDTH = 360

#: For every table in the page: does it scroll sideways, and if so, are any of its row labels
#: out of sight once it is scrolled all the way (its label column not held)?
TABLES = """() => {
  const problems = [];
  for (const table of document.querySelectorAll('main table')) {
    const name = (table.caption ? table.caption.textContent : table.className).trim();
    const box = table.closest('.table-scroll') || table.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) {
      box.scrollLeft = box.scrollWidth;
      const seen = box.getBoundingClientRect();
      const labels = table.querySelectorAll('tbody tr > :first-child');
      const lost = Array.from(labels).filter(cell => {
        const r = cell.getBoundingClientRect();
        return r.left < seen.left - 1 || r.right > seen.right + 1;
      });
      if (!labels.length || lost.length) {
        problems.push(`${name}: scrolls sideways (${box.scrollWidth} px in ${box.clientWidth})`
                      + ` and loses ${lost.length || 'all'} of its row labels`);
      }
      box.scrollLeft = 0;
    }
  }
  return problems;
}"""


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if "pagefind" not in p.parts)


@pytest.fixture(scope="module")
def many() -> Iterator[tuple[Path, str]]:
    """A built site of three organisations, served."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "content", orgs=3, per_org=4, seed=7)
        build(root / "content", root / "site", search=False)
        server, url = serve_folder(root / "site")
        yield root / "site", url
        server.shutdown()


@pytest.fixture(params=["shipped", "many"])
def site(request: pytest.FixtureRequest, built_site: Path, served: str) -> tuple[Path, str]:
    if request.param == "shipped":
        return built_site, served
    return request.getfixturevalue("many")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": WIDTH, "height": 780})
    yield context.new_page()
    context.close()


def test_no_table_scrolls_away_from_its_labels(phone: Page, site: tuple[Path, str]) -> None:
    """At 360 px a table either fits (stacked as cards) or, a grid of grades, scrolls
    sideways with its row labels held in view."""
    folder, url = site
    pages = html_pages(folder)
    assert len(pages) > 30
    problems = []
    tables = 0
    for path in pages:
        phone.goto(url + path)
        tables += phone.locator("main table").count()
        problems += [f"{path}: {p}" for p in phone.evaluate(TABLES)]
    assert tables > 50
    assert not problems, "\n".join(problems)


def draw_charts(page: Page) -> list[Any]:
    canvases = page.locator(".chart-canvas[data-figure]").all()
    for canvas in canvases:
        canvas.scroll_into_view_if_needed()
        canvas.locator(".main-svg").first.wait_for(timeout=15_000)
    return canvases


def test_chart_labels_stay_inside_their_charts(phone: Page, site: tuple[Path, str]) -> None:
    """Every axis label, note and legend entry lies inside its chart; in a chart too wide
    for the screen, the row labels are still on screen when it is scrolled to its end."""
    folder, url = site
    problems = []
    charts = 0
    for path in html_pages(folder):
        if "chart-canvas" not in (folder / path).read_text(encoding="utf-8"):
            continue
        phone.goto(url + path)
        for canvas in draw_charts(phone):
            charts += 1
            problems += [f"{path}: {p}" for p in canvas.evaluate(CHART_LABELS)]
    assert charts > 10
    assert not problems, "\n".join(problems)


CHART_LABELS = """canvas => {
  const problems = [];
  const chart = canvas.querySelector('.main-svg').getBoundingClientRect();
  const selector = '.xtick text, .ytick text, .annotation-text, .legendtext';
  for (const label of canvas.querySelectorAll(selector)) {
    const r = label.getBoundingClientRect();
    if (!r.width) continue;  // a tick label plotly chose not to show
    if (r.left < chart.left - 1 || r.right > chart.right + 1 || r.top < chart.top - 1
        || r.bottom > chart.bottom + 1) {
      problems.push(`${canvas.dataset.figure}: "${label.textContent}" outside the chart`);
    }
  }
  if (canvas.scrollWidth > canvas.clientWidth + 1) {
    canvas.scrollLeft = canvas.scrollWidth;
    const seen = canvas.getBoundingClientRect();
    const rows = canvas.querySelectorAll('.ytick text');
    const held = Array.from(rows).filter(label => {
      const r = label.getBoundingClientRect();
      return r.width && r.left >= seen.left - 1 && r.right <= seen.right + 1;
    });
    const names = new Set(Array.from(rows).map(label => label.textContent));
    const seenNames = new Set(held.map(label => label.textContent));
    if (seenNames.size < names.size) {
      problems.push(`${canvas.dataset.figure}: scrolled sideways, ${names.size - seenNames.size}`
                    + ` of ${names.size} row labels out of sight`);
    }
    canvas.scrollLeft = 0;
  }
  return problems;
}"""


@pytest.mark.parametrize("width", [WIDTH, 1280])
def test_timeline_markers_never_hide_each_other(browser: Browser, served: str,
                                                width: int) -> None:
    """Every event's marker is drawn where no other covers much of it, publications and
    their news coverage on the same day included."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(served + "timeline/")
    draw_charts(page)
    boxes = page.locator("#timeline .scatterlayer .trace .points path").evaluate_all(
        "points => points.map(p => { const r = p.getBoundingClientRect();"
        " return [r.x, r.y, r.width, r.height]; })")
    context.close()
    assert len(boxes) > 20
    hidden = []
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            overlap = (max(0, min(x + w, x2 + w2) - max(x, x2))
                       * max(0, min(y + h, y2 + h2) - max(y, y2)))
            if overlap > 0.25 * min(w * h, w2 * h2):
                hidden.append(((round(x), round(y)), (round(x2), round(y2))))
    assert hidden == []


def test_stacked_tables_keep_their_table_semantics(phone: Page, served: str) -> None:
    """Shown as cards, a table is still a table to a screen reader: its caption, column
    headers, row headers and cells. (Explicit ARIA roles on the cells would be invalid HTML
    inside a table, so this rests on the browser keeping them for cells shown as blocks.)"""
    for path, selector in [("compare/2021-peel/2023-peel/", "table.comparison"),
                           ("tracker/", "table.tracker"),
                           ("inspections/2021-peel/", "table.judgments"),
                           ("areas/", "table.areas"),
                           ("areas/investigating-crime/", "table.chart-table")]:
        phone.goto(served + path)
        table = phone.locator(selector).first
        assert table.evaluate("t => getComputedStyle(t.tBodies[0].rows[0]).display") == "block"
        tree = table.aria_snapshot()
        assert tree.startswith(("- table ", "- 'table ")), (path, tree[:200])
        for role in ("caption", "columnheader", "rowheader", "cell"):
            assert f"- {role}" in tree, (path, role)
