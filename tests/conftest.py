"""Shared test fixtures: content folders to break, built sites to read, and a browser."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "content"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A private copy of the small fixture content, free to be broken."""
    target = tmp_path / "content"
    shutil.copytree(MINIMAL, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content built once, for tests that only read the output."""
    from gradeline.build import build

    out = tmp_path_factory.mktemp("built") / "site"
    build(SHIPPED, out)
    return out


def parse(path: Path) -> BeautifulSoup:
    """A built page, parsed."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(autouse=True)
def _run_in_project_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Messages name files relative to the working folder; run tests where editors would.
    monkeypatch.chdir(ROOT)
    yield


def skip_or_fail(reason: str) -> None:
    """Skip a test whose tool is missing; in CI, fail it instead."""
    if in_ci():
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def in_ci() -> bool:
    """Whether we are in CI, where skipping a browser test is a failure."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


# -- browser tests ---------------------------------------------------------------------------

CHROMIUM = os.environ.get("GRADELINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


#: Tests that need a tool the user may lack: skipped with a reason on a user's machine,
#: but a failure in CI, where .ci/run installs every tool.
CI_REQUIRED = ("browser", "validator")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the built site in headless Chromium")
    config.addinivalue_line("markers", "validator: checks HTML with the Nu HTML Checker")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright; skipped without it, except in CI."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set GRADELINE_CHROMIUM)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason:
        skip_or_fail(reason)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped browser or validator test is a failure: its checks would vanish."""
    if not in_ci():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    required = [r for r in skipped
                if any(mark in getattr(r, "keywords", {}) for mark in CI_REQUIRED)]
    if required:
        for report in required:
            print(f"\nCI: required test skipped: {report.nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def served(built_site: Path) -> Iterator[str]:
    """The shipped site on a local HTTP server."""
    server, url = serve_folder(built_site)
    yield url
    server.shutdown()


def open_page(browser: Any, url: str, javascript: bool = True) -> tuple[Any, Any, list[str]]:
    """A page in a fresh context, with console errors, page errors and failed requests."""
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # A request cut short by the next navigation (ERR_ABORTED) is not a fault of the page.
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url} {r.failure}")
            if "ERR_ABORTED" not in (r.failure or "") else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    response = page.goto(url)
    assert response is not None and response.ok, url
    return context, page, errors


def serve_folder(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve a folder on 127.0.0.1 (port chosen by the OS); returns the server and its URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
