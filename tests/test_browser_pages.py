"""The built pages in a real browser: they load cleanly, with and without JavaScript."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(built_site: Path) -> Iterator[str]:
    """The shipped site on a local HTTP server (port chosen by the OS)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def open_page(browser: Browser, url: str,
              javascript: bool = True) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    response = page.goto(url)
    assert response is not None and response.ok, url
    return context, page, errors


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
