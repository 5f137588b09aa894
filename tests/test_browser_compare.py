"""The compare picker and the tracker filters, driven as a reader would."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from gradeline.derive import derive
from gradeline.resolve import read_content

from conftest import SHIPPED, open_page

pytestmark = pytest.mark.browser


def table_text(page: Page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => Array.from(r.querySelectorAll('th, td'))"
        ".map(c => c.textContent.split(/\\s+/).filter(Boolean).join(' ')))")


def pick(page: Page, a: str, b: str) -> None:
    page.select_option("#pick-a", a)
    page.select_option("#pick-b", b)
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-result table.comparison")


def test_picking_two_reports_aligns_them_and_keeps_the_choice_in_the_url(
        browser: Browser, served: str) -> None:
    context, page, errors = open_page(browser, served + "compare/")
    pick(page, "2023-peel", "2021-peel")  # chosen the wrong way round: ordered for the reader
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"a": ["2021-peel"], "b": ["2023-peel"]}
    rows = table_text(page, "#compare-result table.comparison")
    by_area = {r[0]: r[-1] for r in rows}
    assert by_area["Responding to the public"] == "= Same as published: ▲ Better"
    assert by_area["Investigating crime"] == "▼ Worse"
    assert by_area["Crime recording (crime data integrity)"] == "▶ Only in the later report"
    assert page.evaluate("document.activeElement.id") == "comparison-heading"
    # The URL round-trips: opening it afresh shows the same comparison.
    page.reload()
    page.wait_for_selector("#compare-result table.comparison")
    assert table_text(page, "#compare-result table.comparison") == rows
    assert page.input_value("#pick-a") == "2021-peel"
    # Back returns to the previous choice.
    pick(page, "2018-peel", "2021-peel")
    assert "Not directly comparable" in page.text_content("#compare-result")
    page.go_back()
    page.wait_for_function("document.querySelector('#pick-a').value === '2021-peel'")
    assert errors == []
    context.close()


def test_the_picker_matches_every_pre_rendered_pair(browser: Browser, served: str) -> None:
    site = derive(read_content(SHIPPED))
    context, page, errors = open_page(browser, served + "compare/")
    for earlier, later in site.pairs:
        a, b = earlier.summary.id, later.summary.id
        page.goto(f"{served}compare/?a={a}&b={b}")
        page.wait_for_selector("#compare-result h2")
        picked = (table_text(page, "#compare-result table.comparison")
                  if page.locator("#compare-result table.comparison").count() else [])
        fates = (table_text(page, "#compare-result table.fates")
                 if page.locator("#compare-result table.fates").count() else [])
        static = browser.new_page(java_script_enabled=False)
        static.goto(f"{served}compare/{a}/{b}/")
        expected = (table_text(static, "table.comparison")
                    if static.locator("table.comparison").count() else [])
        expected_fates = table_text(static, "table.fates")[:len(fates)] if fates else []
        notes = static.locator(".comparison-note").all_inner_texts()
        static.close()
        assert picked == expected, (a, b)
        assert [f[-1] for f in fates] == [f[-1] for f in expected_fates], (a, b)
        # Each finding in the same words as on the page, not as Markdown (the picker marks
        # list items with bullets, where the page shows a list).
        assert [f[0].replace(" •", "") for f in fates] == [f[0] for f in expected_fates], \
            (a, b)
        assert page.locator("#compare-result .comparison-note").all_inner_texts() == notes
    assert errors == []
    context.close()


def test_pre_rendered_pairs_work_without_javascript(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served + "compare/", javascript=False)
    assert not page.locator("#compare-form").is_visible()
    page.click("text=PEEL 2021/22 → PEEL 2023–25")
    assert urlsplit(page.url).path.endswith("/compare/2021-peel/2023-peel/index.html")
    assert page.locator("table.comparison tbody tr").count() == 14
    context.close()


def test_the_picker_works_from_the_keyboard(browser: Browser, served: str) -> None:
    context, page, _ = open_page(browser, served + "compare/")
    page.focus("#pick-a")
    page.keyboard.press("End")  # the oldest report
    page.keyboard.press("Tab")
    page.keyboard.press("Home")  # the newest report
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    page.wait_for_selector("#compare-result h2")
    assert page.evaluate("document.activeElement.id") == "comparison-heading"
    assert "Choose two reports of the same organisation" not in page.text_content(
        "#compare-result")
    context.close()


def test_tracker_filters_by_status_and_area_and_keeps_them_in_the_url(
        browser: Browser, served: str, built_site: Path) -> None:
    context, page, errors = open_page(browser, served + "tracker/")
    total = page.locator("table.tracker tbody tr").count()
    assert total > 20
    page.select_option("#filter-area", "investigating-crime")
    visible = page.locator("table.tracker tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert set(visible.evaluate_all("rows => rows.map(r => r.dataset.area)")) == {
        "investigating-crime"}
    assert page.text_content("#tracker-count") == (
        f"Showing {visible.count()} of {total} findings.")
    page.select_option("#filter-status", "not-followed-up")
    assert parse_qs(urlsplit(page.url).query) == {"status": ["not-followed-up"],
                                                  "area": ["investigating-crime"]}
    shown = visible.count()
    page.reload()
    assert page.locator("table.tracker tbody tr:not([hidden])").count() == shown
    assert errors == []
    context.close()
