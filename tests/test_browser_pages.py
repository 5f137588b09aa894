"""The built pages in a real browser: they load cleanly, with and without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from conftest import open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["", "inspections/2021-peel/", "inspections/2023-peel/"])
def test_pages_load_without_console_errors(browser: Browser, served: str, path: str) -> None:
    context, page, errors = open_page(browser, served + path)
    # The stylesheet applied under the Content-Security-Policy (the header turns dark).
    header_bg = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
    assert header_bg == "rgb(11, 12, 12)"
    assert errors == []
    context.close()


def test_grades_are_readable_without_javascript(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served + "inspections/2021-peel/", javascript=False)
    grades = page.locator("table.judgments tbody .grade").all_inner_texts()
    assert grades.count("Adequate") == 4
    assert grades.count("Requires improvement") == 6
    assert grades.count("Not graded") == 2
    context.close()


def test_skip_link_moves_focus_to_main(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_no_page_is_wider_than_a_small_phone(browser: Browser, served: str,
                                              built_site: Path) -> None:
    """At 320 px every page fits the screen: wide tables and charts scroll inside their own
    boxes, and nothing (a select listing long area names, a long address) widens the page
    so that the reader has to scroll it sideways."""
    pages = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
                   if "pagefind" not in p.parts)
    assert len(pages) > 60
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    wide = []
    for path in pages:
        page.goto(served + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide.append((path, width))
    assert wide == []
    context.close()
