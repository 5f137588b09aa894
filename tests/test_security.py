"""Hostile strings stay inert in a real browser; paths stay inside their folders; a killed
build loses nothing; the dev server listens only on this machine."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from gradeline.build import build
from gradeline.errors import ContentError
from gradeline.resolve import read_content

from conftest import MINIMAL, ROOT, SHIPPED, open_page, parse, serve_folder, tree_digest

ATTACK = "</script><script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>"


@pytest.fixture
def hostile_site(minimal: Path, tmp_path: Path) -> Path:
    """Content whose every kind of text carries script, in titles, labels, markdown and
    quotes, so that it reaches HTML, attributes, chart JSON and the compare data file."""
    insp = minimal / "inspections" / "2021-peel.yaml"
    text = insp.read_text()
    text = text.replace("title: PEEL 2021/22 inspection of Test Force",
                        f"title: '{ATTACK} {{{{ 7 * 7 }}}}'")
    text = text.replace(
        "summary: The force was adequate at serving victims and needed to improve its "
        "investigations.",
        "summary: |\n  [click](javascript:window.__pwned=3) <a href=\"https://example.org/x\" "
        "onclick=\"window.__pwned=4\">x</a> <svg onload=window.__pwned=5></svg>\n"
        f"  {ATTACK}")
    insp.write_text(text)
    areas = minimal / "areas.yaml"
    areas.write_text(areas.read_text().replace("name: Investigating crime",
                                               f"name: '{ATTACK}'"))
    framework = minimal / "frameworks" / "peel-2021.yaml"
    framework.write_text(framework.read_text().replace(
        "label: Investigating crime", f"label: '<!-- {ATTACK}'"))
    out = tmp_path / "site"
    build(minimal, out)
    return out


@pytest.mark.browser
def test_no_injected_script_runs_anywhere(browser: Browser, hostile_site: Path) -> None:
    server, origin = serve_folder(hostile_site)
    try:
        pages = ["", "inspections/2021-peel/", "areas/", "areas/investigating-crime/",
                 "compare/2021-peel/2023-peel/", "compare/?a=2021-peel&b=2023-peel", "tracker/",
                 "timeline/", "search/?q=script"]
        dialogs: list[str] = []
        for path in pages:
            context, page, errors = open_page(browser, origin + path)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for canvas in page.locator(".chart-canvas").all():
                canvas.scroll_into_view_if_needed()
                canvas.locator(".main-svg").first.wait_for(timeout=15_000)
            page.wait_for_timeout(300)
            if page.locator("a", has_text="click").count():
                page.locator("a", has_text="click").first.click()
            assert page.evaluate("window.__pwned") is None, path
            assert dialogs == []
            # CSP refusals of injected inline handlers would show here; there must be none,
            # because the markup never reaches the page as markup in the first place.
            assert errors == [], (path, errors)
            context.close()
    finally:
        server.shutdown()


def test_hostile_text_is_shown_as_text(hostile_site: Path) -> None:
    soup = parse(hostile_site / "inspections" / "2021-peel" / "index.html")
    assert soup.find("h1").get_text().startswith(ATTACK + " {{ 7 * 7 }}")
    for page in hostile_site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        soup = parse(page)
        embedded = [t for t in soup.find_all(["img", "svg", "iframe"])
                    if "chart-spacer" not in t.get("class", [])]  # the site's own spacer
        assert embedded == [], page
        for tag in soup.find_all(True):
            assert not any(name.startswith("on") for name in tag.attrs), (page, tag.name)
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/json", page


def test_every_page_carries_a_strict_content_security_policy(hostile_site: Path) -> None:
    for page in hostile_site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        meta = parse(page).find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        policy = dict(part.strip().split(" ", 1) for part in meta["content"].split(";"))
        assert "'unsafe-inline'" not in policy["script-src"], page
        assert "'unsafe-eval'" not in policy["script-src"], page
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"


def test_links_out_of_the_content_folder_are_refused(minimal: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((minimal / "inspections" / "2021-peel.yaml").read_text().replace(
        "id: 2021-peel", "id: 2022-secret"))
    (minimal / "inspections" / "secret.yaml").symlink_to(outside)
    (minimal / "inspections" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(ContentError) as error:
        read_content(minimal)
    assert str(error.value) == (
        f"{minimal / 'inspections' / 'secret.yaml'}:1:1: this file is a link to a file outside "
        "the content folder; content files must be inside it")


def test_a_killed_build_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(SHIPPED, out)
    before = tree_digest(out)
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3):
        process = subprocess.Popen(
            [sys.executable, "build.py", "--out", str(out)], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        # Whenever the kill landed, the site is the complete old or complete new one:
        # here both are the same content, so byte-identical to before.
        assert tree_digest(out) == before, f"killed after {delay} s"
    build(SHIPPED, out)  # and the next build cleans up whatever was left half-done
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradeline-cache", "site"]
    assert tree_digest(out) == before


def test_the_dev_server_listens_only_on_this_machine(minimal: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "build.py", "serve", "--port", "0", "--content", str(minimal)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" at ")[1]
        assert url.startswith("http://127.0.0.1:")
        port = int(url.split(":")[2].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        address = outward_address()
        if address is not None:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def outward_address() -> str | None:
    """This machine's address on its network (None when it has none but loopback)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_fixture_content_is_untouched_by_these_tests() -> None:
    assert not any(p.is_symlink() for p in MINIMAL.rglob("*"))
    assert os.access(MINIMAL / "site.yaml", os.R_OK)
