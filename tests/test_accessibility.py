"""Accessibility: axe-core on every page of the built site, and the site by keyboard alone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from gradeline.build import build

from conftest import ROOT, open_page, serve_folder

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate

pytestmark = pytest.mark.browser

#: WCAG 2.0, 2.1 and 2.2, levels A and AA, plus axe's best practices (landmarks, headings).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def all_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if "pagefind" not in p.parts)


def audit(browser: Browser, served: str, pages: list[str],
          width: int | None = None) -> list[str]:
    """axe's violations on each page, as a reader sees it after scrolling: charts drawn
    (at the browser's own width, or ``width`` pixels wide)."""
    axe = Axe()
    found = []
    context = browser.new_context(
        **({"viewport": {"width": width, "height": 900}} if width else {}))
    page = context.new_page()
    for path in pages:
        page.goto(served + path)
        for canvas in page.locator(".chart-canvas").all():
            canvas.scroll_into_view_if_needed()
            canvas.locator(".main-svg").first.wait_for(timeout=15_000)
        if path.startswith("search/"):
            page.goto(served + path + "?q=crime")
            page.wait_for_selector("#search-results li")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        for violation in results.response["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:3]
            found.append(f"{path}: {violation['id']} ({violation['impact']}): {targets}")
    context.close()
    print(f"\naxe audited {len(pages)} pages against {', '.join(TAGS)}: "
          f"{len(found)} violations")
    return found


def test_axe_finds_no_violations_on_any_page(browser: Browser, built_site: Path,
                                             served: str) -> None:
    pages = all_pages(built_site)
    assert len(pages) > 60
    assert audit(browser, served, pages) == []


def test_axe_finds_no_violations_on_a_phone(browser: Browser, served: str) -> None:
    """At phone width a chart too wide for the screen scrolls sideways, and tables do."""
    pages = ["areas/index.html", "timeline/index.html", "areas/investigating-crime/index.html",
             "inspections/2021-peel/index.html", "compare/2021-peel/2023-peel/index.html",
             "tracker/index.html"]
    assert audit(browser, served, pages, width=412) == []


def test_axe_finds_no_violations_on_the_pages_of_several_organisations(
        browser: Browser, tmp_path: Path) -> None:
    """The pages only a site of several organisations has, one of each kind."""
    generate(tmp_path / "content", orgs=3, per_org=4, seed=3)
    build(tmp_path / "content", tmp_path / "site", search=False)
    pages = ["index.html", "rounds/index.html", "compare/index.html", "data/index.html",
             *(f"organisations/force-001/{kind}index.html"
               for kind in ("", "timeline/", "areas/", "tracker/")),
             *sorted(p.relative_to(tmp_path / "site").as_posix()
                     for p in (tmp_path / "site" / "rounds").glob("*/index.html"))]
    assert len(pages) > 8
    server, origin = serve_folder(tmp_path / "site")
    try:
        assert audit(browser, origin, pages) == []
    finally:
        server.shutdown()


def test_axe_audits_the_compare_picker_and_tracker_after_use(browser: Browser,
                                                             served: str) -> None:
    axe = Axe()
    context, page, _ = open_page(browser, served + "compare/?a=2018-peel&b=2021-peel")
    page.wait_for_selector("#compare-result table.comparison")
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.response["violations"] == []
    page.goto(served + "tracker/?status=not-recorded")
    page.wait_for_selector("#tracker-filters[data-ready]")
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    assert results.response["violations"] == []
    context.close()


def focused(page) -> dict:  # type: ignore[no-untyped-def]
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, text: (e.textContent || '').trim().slice(0, 80),
                href: e.getAttribute('href'), outline: getComputedStyle(e).outlineStyle}; }""")


def test_timeline_by_keyboard(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served + "timeline/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"] != "none", now  # focus is always visible
        seen.append(now["href"] or now["tag"])
    events = [h for h in seen if h and "inspections/" in h]
    assert len(events) >= 15  # each event's link is reachable, in time order
    assert events[0].endswith("2013-07-child-protection/index.html")
    page.keyboard.press("Shift+Tab")
    while "inspections/" not in (focused(page)["href"] or ""):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/inspections/**")
    context.close()


def test_search_by_keyboard(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served)
    for _ in range(5):
        page.keyboard.press("Tab")
        if focused(page)["id"] == "site-search-q":
            break
    assert focused(page)["id"] == "site-search-q"
    page.keyboard.type("case files")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results li")
    page.focus("#search-q")
    for _ in range(6):
        page.keyboard.press("Tab")
        if (focused(page)["href"] or "").startswith("/"):
            break
    assert "2019-07-child-protection-review" in (focused(page)["href"] or "")
    context.close()


def test_tracker_filters_by_keyboard(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served + "tracker/")
    page.focus("#filter-status")
    page.keyboard.type("Largely")  # type-ahead picks "Largely met"
    visible = page.locator("table.tracker tbody tr:not([hidden])")
    statuses = set(visible.evaluate_all("rows => rows.map(r => r.dataset.status)"))
    assert statuses == {"largely-met"}
    assert "status=largely-met" in page.url
    context.close()
