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
    page.wait_for_selector("#compare-form[data-ready]")
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


def test_the_picker_says_what_is_not_recorded_as_the_page_does(browser: Browser,
                                                                 served: str) -> None:
    """PEEL 2023-25's findings are not recorded here: the picker says so above the
    earlier report's findings, in the page's words, and marks each 'Not recorded here';
    a report with no findings listed gets the page's sentence for it."""
    context, page, errors = open_page(browser, served + "compare/?a=2021-peel&b=2023-peel")
    page.wait_for_selector("#compare-result table.fates")
    static = browser.new_page(java_script_enabled=False)
    static.goto(f"{served}compare/2021-peel/2023-peel/")
    assert page.locator("#compare-result .findings-gap").all_inner_texts() == \
        static.locator(".findings-gap").all_inner_texts()[:1]
    assert {f[-1] for f in table_text(page, "#compare-result table.fates")} == {
        "Not recorded here"}
    page.goto(served + "compare/?a=2017-peel&b=2018-peel")
    page.wait_for_selector("#compare-result h2")
    static.goto(f"{served}compare/2017-peel/2018-peel/")
    assert page.locator("#compare-result .findings-gap").all_inner_texts() == \
        static.locator(".findings-gap").all_inner_texts()[:1]
    static.close()
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
    page.wait_for_selector("#compare-form[data-ready]")
    page.focus("#pick-a")
    page.keyboard.press("End")  # the oldest report
    page.keyboard.press("Tab")  # past the second report's organisation, as it is
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
    page.select_option("#filter-status", "not-recorded")
    assert parse_qs(urlsplit(page.url).query) == {"status": ["not-recorded"],
                                                  "area": ["investigating-crime"]}
    shown = visible.count()
    page.reload()
    assert page.locator("table.tracker tbody tr:not([hidden])").count() == shown
    assert errors == []
    context.close()


def test_two_forces_compare_like_one_and_match_their_page(browser: Browser,
                                                          served: str) -> None:
    """Northamptonshire's PEEL 2021/22 beside Derbyshire's: areas aligned by canonical id,
    the framework difference explained, the same table as the pre-rendered page."""
    context, page, errors = open_page(browser, served + "compare/")
    page.wait_for_selector("#compare-form[data-ready]")
    page.select_option("#pick-a-org", "northamptonshire-police")
    page.select_option("#pick-b-org", "derbyshire-constabulary")
    page.wait_for_selector("#pick-b option[value='derbyshire-2021-peel']", state="attached")
    page.select_option("#pick-a", "2021-peel")
    page.select_option("#pick-b", "derbyshire-2021-peel")
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-result table.comparison")
    assert parse_qs(urlsplit(page.url).query) == {"a": ["2021-peel"],
                                                  "b": ["derbyshire-2021-peel"]}
    assert page.text_content("#comparison-heading") == (
        "Compare Northamptonshire PEEL 2021/22 and Derbyshire PEEL 2021/22")
    picked = table_text(page, "#compare-result table.comparison")
    notes = page.locator("#compare-result .comparison-note").all_inner_texts()
    assert notes and "PEEL 2021/22 (original framework) and PEEL 2021/22 (revised " \
                     "framework), on the same scale" in notes[0]
    page.click("text=Permanent page for this comparison")
    page.wait_for_selector("table.comparison")
    assert "/compare/2021-peel/derbyshire-2021-peel/" in urlsplit(page.url).path
    assert table_text(page, "table.comparison") == picked
    headers = page.locator("table.comparison thead th").all_inner_texts()
    assert headers == ["Area", "Northamptonshire PEEL 2021/22", "Derbyshire PEEL 2021/22",
                       "Difference"]
    by_area = {row[0]: row[-1] for row in picked}
    # Adequate, then Requires improvement
    assert by_area["Investigating crime"] == "▼ Worse in the second"
    assert by_area["Crime recording (crime data integrity)"] == "▶ Only in the second report"
    assert errors == []
    context.close()


@pytest.mark.parametrize("query, missing", [("a=2021-peel&b=no-such-report", "no-such-report"),
                                            ("a=nope&b=2023-peel", "nope")])
def test_an_unknown_report_gets_a_message_never_a_wrong_comparison(
        browser: Browser, served: str, query: str, missing: str) -> None:
    context, page, errors = open_page(browser, f"{served}compare/?{query}")
    page.wait_for_selector("#compare-result .warning")
    assert page.text_content("#compare-result") == (
        f"There is no report with the id “{missing}” on this site. Choose two reports from "
        "the lists.")
    assert page.locator("#compare-result table").count() == 0
    assert page.locator("#pick-a option").count() > 0  # the lists are there to choose from
    assert errors == []
    context.close()


def test_a_round_sets_framework_variants_side_by_side(browser: Browser, served: str) -> None:
    """PEEL 2021/22 is one round of two frameworks: Northamptonshire on the original, its
    neighbours on the revised one, every force in one table and one heatmap."""
    context, page, errors = open_page(browser, served + "rounds/peel-2021/")
    rows = table_text(page, "#round-table")
    assert [r[0].split(" ")[0] for r in rows] == [
        "Northamptonshire", "Derbyshire", "Leicestershire", "Lincolnshire", "Nottinghamshire"]
    assert "(original framework)" in rows[0][0] and "(this site's subject)" in rows[0][0]
    assert all("(revised framework)" in r[0] for r in rows[1:])
    notes = page.locator(".comparison-note").all_inner_texts()
    assert any("grading scale changed after PEEL 2018/19" in n for n in notes)
    assert any("2 versions of its framework" in n for n in notes)
    # Sortable: by the Investigating crime column, best first.
    page.click("#round-table thead button:has-text('Investigating crime')")
    sorted_rows = table_text(page, "#round-table")
    assert sorted(sorted_rows) == sorted(rows)
    page.locator("figure").scroll_into_view_if_needed()
    page.wait_for_selector("figure .main-svg", state="attached")
    assert errors == []
    context.close()


LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


@pytest.mark.parametrize("path, ready", [("compare/", "#compare-form[data-ready]"),
                                         ("tracker/", "#tracker-filters[data-ready]")])
@pytest.mark.parametrize("width", [360, 1280])
def test_nothing_moves_as_the_controls_start_working(browser: Browser, served: str,
                                                     path: str, ready: str,
                                                     width: int) -> None:
    """The page is drawn before its script arrives (held back here, as on a slow phone):
    the script makes the controls work without moving what is below them."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()

    def held_back(route) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_timeout(600)
        route.continue_()

    page.route("**/static/*.js*", held_back)
    page.goto(served + path)
    page.wait_for_selector(ready)
    assert page.evaluate(LAYOUT_SHIFT) < 0.01
    context.close()


@pytest.mark.parametrize("path, form", [("compare/", "#compare-form"),
                                        ("tracker/", "#tracker-filters")])
def test_controls_that_need_scripts_are_not_shown_without_them(browser: Browser, served: str,
                                                               path: str, form: str) -> None:
    context, page, errors = open_page(browser, served + path, javascript=False)
    assert page.locator(form).count() == 1
    assert not page.locator(form).is_visible()
    assert errors == []
    context.close()
