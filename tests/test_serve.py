"""The dev server, as an editor uses it: save, see the page change; break, see the error."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, expect
from tornado import httpserver, netutil, web

from gradeline.serve import SiteHandler

from conftest import MINIMAL, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate

INSPECTION = "inspections/2021-peel.yaml"


class DevServer:
    """``python build.py serve`` in a subprocess on a free port."""

    def __init__(self, content: Path, *extra: str, env: dict[str, str] | None = None):
        self.content = content
        self.process = subprocess.Popen(
            [sys.executable, "build.py", "serve", "--port", "0", "--content", str(content),
             *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("Serving "), line + self.process.stderr.read()
        self.url = line.split(" at ")[1].split(" ")[0]
        self.origin = self.url.split("/", 3)[0] + "//" + self.url.split("/", 3)[2]

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.origin + path, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def status(self) -> dict:
        return json.loads(self.get("/__gradeline__/status.json")[1])

    def wait_for_build(self, after: int, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status["build"] > after:
                return status
            time.sleep(0.05)
        raise AssertionError(f"no build after {after} within {timeout} s")

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


@pytest.fixture
def server(minimal: Path) -> Iterator[DevServer]:
    dev = DevServer(minimal)
    yield dev
    dev.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serves_the_built_site_on_localhost_with_the_dev_script(server: DevServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    status, body = server.get("/")
    assert status == 200
    assert b'<script src="/__gradeline__/dev.js" defer></script></head>' in body
    assert server.status()["ok"] is True
    assert server.get("/livereload.js")[0] == 200


def test_every_page_in_the_navigation_is_there_from_the_first_build(
        server: DevServer) -> None:
    status, body = server.get("/")
    assert status == 200
    links = [a["href"] for a in BeautifulSoup(body, "html.parser").select("nav a[href]")]
    assert "data/index.html" in links
    missing = [(href, code) for href in links
               if (code := server.get("/" + href.removeprefix("./"))[0]) != 200]
    assert missing == []


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                  "/static/..%2f..%2f..%2fetc/passwd", "/..%5c..%5cetc/passwd"])
def test_serves_nothing_outside_the_site(server: DevServer, path: str) -> None:
    status, body = server.get(path)
    assert status in (400, 403, 404)
    assert b"root:" not in body


def test_a_failed_rebuild_keeps_the_last_good_site_and_reports_every_problem(
        server: DevServer) -> None:
    before = server.status()["build"]
    path = server.content / INSPECTION
    edit(path, "grade: Adequate", "grade: Goodish")
    status = server.wait_for_build(before)
    assert status["ok"] is False
    assert [p["text"] for p in status["problems"]] == [
        f"{path}:11:12: judgments[0].grade: 'Goodish' is not a grade of framework peel-2021 "
        "(did you mean 'Good'?) (allowed: Outstanding, Good, Adequate, Requires improvement, "
        "Inadequate)"]
    code, body = server.get("/inspections/2021-peel/")
    assert code == 200 and b"Adequate" in body  # still the last good build
    edit(path, "grade: Goodish", "grade: Adequate")
    assert server.wait_for_build(status["build"])["ok"] is True


def test_survives_fifty_rapid_saves(server: DevServer) -> None:
    path = server.content / INSPECTION
    original = path.read_text(encoding="utf-8")
    for i in range(50):
        text = original.replace("summary: The force", f"summary: Save {i}. The force")
        if i % 7 == 3:
            text = text.replace("grade: Adequate", "grade: Goodish")  # some saves are broken
        path.write_text(text, encoding="utf-8")
        time.sleep(0.01)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = server.status()
        body = server.get("/inspections/2021-peel/")[1]
        if status["ok"] and b"Save 49." in body:
            break
        time.sleep(0.1)
    assert status["ok"] is True and b"Save 49." in body
    assert server.process.poll() is None


class _SavedMidRequest(SiteHandler):
    """Serves a page that is saved again between reading its size and its bytes: the
    moment when an in-place rebuild replaces the file a request is reading."""

    def get_content_size(self) -> int:
        size = super().get_content_size()
        assert self.absolute_path is not None
        page = Path(self.absolute_path)
        replacement = page.with_name("index.html.new")
        replacement.write_text(NEW_PAGE, encoding="utf-8")
        os.replace(replacement, page)
        return size


OLD_PAGE = "<!doctype html><html><head></head><body><p>Old.</p></body></html>\n"
NEW_PAGE = "<!doctype html><html><head></head><body><p>New, and longer.</p></body></html>\n"


def test_a_page_saved_while_it_is_served_comes_whole(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(OLD_PAGE, encoding="utf-8")
    app = web.Application([(r"/(.*)", _SavedMidRequest,
                            {"path": str(tmp_path), "default_filename": "index.html"})])
    # The handler on its own event loop and thread (the browser tests' loop runs in this one).
    ready, address = threading.Event(), []
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        sockets = netutil.bind_sockets(0, "127.0.0.1")
        httpserver.HTTPServer(app).add_sockets(sockets)
        address.append(sockets[0].getsockname()[1])
        loop.call_soon(ready.set)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{address[0]}/", timeout=10) as response:
            status, body = response.status, response.read()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
    assert status == 200
    assert body == OLD_PAGE.encode().replace(b"</head>", SiteHandler.dev_script + b"</head>")
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == NEW_PAGE


def test_serves_under_the_production_base_path(minimal: Path) -> None:
    dev = DevServer(minimal, "--base-url", "https://example.org/reports/")
    try:
        assert dev.url.endswith("/reports/")
        assert dev.get("/reports/")[0] == 200
        assert dev.get("/reports/inspections/2021-peel/")[0] == 200
        assert dev.get("/inspections/2021-peel/")[0] == 404
        with urllib.request.urlopen(dev.origin + "/", timeout=10) as response:
            assert response.url.endswith("/reports/")  # the root redirects to the base path
    finally:
        dev.stop()


def test_content_with_errors_from_the_start_shows_them(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    edit(content / INSPECTION, "kind: peel", "kind: peal")
    dev = DevServer(content)
    try:
        status = dev.status()
        assert status["ok"] is False and "kind: 'peal'" in status["problems"][0]["text"]
        code, body = dev.get("/")
        assert code == 200 and b"No build yet" in body and b"dev.js" in body
    finally:
        dev.stop()


@pytest.mark.browser
def test_editor_loop_in_the_browser(browser: Browser, server: DevServer) -> None:
    """Save: the open page changes by itself. Break: the overlay names the file and line.
    Fix: the overlay goes away by itself."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server.url + "inspections/2021-peel/")
    # Polled from Python: the page's CSP forbids the eval that wait_for_function uses.
    deadline = time.monotonic() + 10
    while not page.evaluate("Boolean(window.LiveReload && window.LiveReload.connector"
                            " && window.LiveReload.connector.protocol >= 7)"):
        assert time.monotonic() < deadline, "livereload did not connect"
        page.wait_for_timeout(50)
    page.wait_for_timeout(200)  # after the handshake the client registers its page
    path = server.content / INSPECTION
    edit(path, "title: PEEL 2021/22 inspection of Test Force", "title: Renamed inspection")
    expect(page.locator("h1")).to_have_text(re.compile("^Renamed inspection"), timeout=15_000)

    edit(path, "grade: Adequate", "grade: Goodish")
    overlay = page.locator("#gradeline-overlay")
    overlay.wait_for(timeout=15_000)
    text = overlay.inner_text()
    assert f"{path}:11:12" in text
    # One problem reads as one line: file, field, message (the site's own styles for form
    # fields once made the field a block of its own).
    assert f"{path}:11:12 judgments[0].grade: 'Goodish' is not a grade" in text
    assert page.locator("h1").inner_text().startswith("Renamed inspection")

    edit(path, "grade: Goodish", "grade: Adequate")
    overlay.wait_for(state="detached", timeout=15_000)
    assert errors == []
    page.close()


def test_the_search_index_catches_up_after_a_rebuild(server: DevServer) -> None:
    before = server.get("/pagefind/pagefind-entry.json")[1]
    build = server.status()["build"]
    edit(server.content / INSPECTION, "summary: The force", "summary: Zanzibarian. The force")
    server.wait_for_build(build)
    deadline = time.monotonic() + 30
    while server.get("/pagefind/pagefind-entry.json")[1] == before:
        assert time.monotonic() < deadline, "the search index was not remade"
        time.sleep(0.1)
    # The page was served before the index was remade, and still is.
    assert b"Zanzibarian" in server.get("/inspections/2021-peel/")[1]


def request(server: DevServer, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """A GET with headers of the test's choosing (urllib sets Host itself)."""
    port = int(server.origin.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read() if response.status != 101 else b""
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/", "/inspections/2021-peel/", "/__gradeline__/status.json",
                                  "/livereload.js", "/livereload"])
def test_answers_only_to_names_of_this_computer(server: DevServer, path: str) -> None:
    """A page elsewhere can point a name of its own at 127.0.0.1 (DNS rebinding) and then
    read the server as its own origin; the Host header gives it away."""
    port = server.origin.rsplit(":", 1)[1]
    for host in (f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "localhost.evil"):
        status, body = request(server, path, {"Host": host})
        assert status == 403, host
        assert body == (b"403: this server answers only to addresses on this computer "
                        b"(localhost, 127.0.0.1, [::1]).\n")
    if path != "/livereload":
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            assert request(server, path, {"Host": host})[0] == 200, host


WEBSOCKET = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
             "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


def test_the_reload_socket_opens_only_to_the_servers_own_pages(server: DevServer) -> None:
    port = server.origin.rsplit(":", 1)[1]
    own = {**WEBSOCKET, "Host": f"127.0.0.1:{port}"}
    for origin in ("https://evil.example", f"http://evil.example:{port}", "null",
                   f"http://localhost:{int(port) + 1}"):
        assert request(server, "/livereload", {**own, "Origin": origin})[0] == 403, origin
    assert request(server, "/livereload", {**own, "Origin": f"http://127.0.0.1:{port}"})[0] \
        == 101


@pytest.mark.parametrize("path", ["/%00", "/inspections/%00/", "/static/style.css%00.html",
                                  "/__gradeline__/dev.js%00"])
def test_a_path_no_file_can_have_is_a_client_error(server: DevServer, path: str) -> None:
    status, _ = server.get(path)
    assert status in (400, 404)
    assert server.get("/")[0] == 200
    assert "Traceback" not in server.stop()


def test_sigterm_stops_the_server_and_removes_its_working_folder(minimal: Path,
                                                                 tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    dev = DevServer(minimal, env={**os.environ, "TMPDIR": str(scratch)})
    assert dev.get("/")[0] == 200
    assert [p.name.startswith("gradeline-serve-") for p in scratch.iterdir()] == [True]
    dev.process.send_signal(signal.SIGTERM)
    out, err = dev.process.communicate(timeout=20)
    assert dev.process.returncode == 0, err
    assert out == "Stopped.\n"
    assert "Traceback" not in err
    assert list(scratch.iterdir()) == []


# Stands in for ``python -m pagefind``: the real one until the test leaves a file named
# "slow" beside it, then one that starts a child (as the real wrapper starts Pagefind's
# binary) and waits, having said who they are.
SLOW_PAGEFIND = '''
import os, pathlib, runpy, subprocess, sys
here = pathlib.Path(__file__).resolve().parent.parent
if (here / "slow").exists():
    child = subprocess.Popen(["sleep", "120"])
    (here / "started.tmp").write_text(f"{os.getpid()} {child.pid}")
    (here / "started.tmp").rename(here / "started")
    sys.exit(child.wait())
sys.path = [p for p in sys.path if pathlib.Path(p or ".").resolve() != here]
for name in [n for n in sys.modules if n.split(".")[0] == "pagefind"]:
    del sys.modules[name]
runpy.run_module("pagefind", run_name="__main__", alter_sys=True)
'''


def running(pid: int) -> bool:
    """Whether the process exists and has not ended (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_stopping_the_server_stops_the_search_index_it_is_making(minimal: Path,
                                                                 tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    (fake / "pagefind").mkdir(parents=True)
    (fake / "pagefind" / "__init__.py").write_text("")
    (fake / "pagefind" / "__main__.py").write_text(SLOW_PAGEFIND)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    dev = DevServer(minimal, env={**os.environ, "TMPDIR": str(scratch),
                                  "PYTHONPATH": str(fake)})
    pids: list[int] = []
    try:
        assert dev.status()["ok"] is True
        (fake / "slow").touch()
        edit(minimal / INSPECTION, "summary: ", "summary: Edited. ")
        deadline = time.monotonic() + 20
        while not (fake / "started").exists():
            assert time.monotonic() < deadline, "the search index was not remade"
            time.sleep(0.05)
        pids = [int(p) for p in (fake / "started").read_text().split()]
        dev.process.send_signal(signal.SIGTERM)
        out, err = dev.process.communicate(timeout=20)
        assert out == "Stopped.\n", err
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in pids if running(pid)] == []
        assert list(scratch.iterdir()) == []
    finally:
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if dev.process.poll() is None:
            dev.stop()


def test_stopping_the_server_mid_rebuild_leaves_no_working_folder(tmp_path: Path) -> None:
    """A rebuild runs in a thread of its own: stopping the server waits for it to end before
    the working folder is removed, rather than removing it while the build writes there."""
    content = tmp_path / "content"
    generate(content, orgs=8, per_org=12, seed=7)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    dev = DevServer(content, env={**os.environ, "TMPDIR": str(scratch)})
    try:
        assert dev.status()["ok"] is True
        assert dev.process.stderr is not None
        path = sorted((content / "inspections").rglob("*.yaml"))[0]
        edit(path, "summary: ", "summary: Edited. ")
        while "changed:" not in (line := dev.process.stderr.readline()):
            assert line, "the server stopped before it saw the edit"
        dev.process.send_signal(signal.SIGTERM)  # the rebuild has just begun
        out, err = dev.process.communicate(timeout=30)
        assert out == "Stopped.\n", err
        assert list(scratch.iterdir()) == []
    finally:
        if dev.process.poll() is None:
            dev.stop()
