"""Hostile strings stay inert in a real browser; paths stay inside their folders; a killed
build loses nothing; the dev server listens only on this machine."""

from __future__ import annotations

import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from gradeline.build import Builder, build, check, manifest_intact, read_manifest
from gradeline.errors import ContentError
from gradeline.resolve import read_content

from conftest import MINIMAL, ROOT, SHIPPED, open_page, parse, serve_folder, tree_digest

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate

ATTACK = "</script><script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>"


@pytest.fixture
def hostile_site(minimal: Path, tmp_path: Path) -> Path:
    """Content whose every kind of text carries script, in titles, labels, markdown and
    quotes, so that it reaches HTML, attributes, chart JSON and the compare data file."""
    insp = minimal / "inspections" / "2021-peel.yaml"
    text = insp.read_text()
    text = text.replace("title: PEEL 2021/22 inspection of Test Force",
                        f"title: '{ATTACK} {{{{ 7 * 7 }}}}'\nverdict: '{ATTACK}'")
    # Markdown may not open a <script> element at all (see
    # test_links_that_would_leave_the_site_and_text_that_would_vanish_are_refused); the rest
    # of the attack goes in.
    text = text.replace(
        "summary: The force was adequate at serving victims and needed to improve its "
        "investigations.",
        "summary: |\n  [click](javascript:window.__pwned=3) <a href=\"https://example.org/x\" "
        "onclick=\"window.__pwned=4\">x</a> <svg onload=window.__pwned=5></svg>\n"
        f"  {ATTACK.replace('<script>', '')}")
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


# -- identifiers, addresses and links: one strict rule each, caught by `check` ----------------

def check_lines(content: Path) -> list[str]:
    """The problems `check` reports for a content folder, one line each (none if valid)."""
    try:
        check(content)
    except ContentError as exc:
        return str(exc).splitlines()
    return []


def replace_in(path: Path, old: str, new: str) -> str:
    """Replace text in a content file; returns the file's name as messages show it."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


SAFE_ID = ("is not a safe id: use lowercase letters, digits and hyphens, starting and ending "
           "with a letter or digit, at most 80 characters (e.g. 2021-peel)")


@pytest.mark.parametrize(("written", "shown"), [
    ('"2021-peel\\n"', "'2021-peel\\n'"),  # `$` matched before the line end
    ('"2021-peel\\r"', "'2021-peel\\r'"),
    ("x" * 81, "'" + "x" * 81 + "'"),
])
def test_an_id_with_a_trailing_line_end_or_too_long_is_refused(
        minimal: Path, tmp_path: Path, written: str, shown: str) -> None:
    f = replace_in(minimal / "inspections" / "2021-peel.yaml", "id: 2021-peel", f"id: {written}")
    lines = check_lines(minimal)  # (and 2023-peel.yaml's link to it leads nowhere now)
    assert lines[0] == f"{f}:1:5: id: {shown} {SAFE_ID}"
    assert len(lines) == 2 and "'2021-peel' is not a known inspection" in lines[1]
    with pytest.raises(ContentError):
        build(minimal, tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


@pytest.mark.parametrize("name", ["con", "nul", "aux", "prn", "com1", "lpt9"])
def test_ids_that_windows_reserves_are_refused(minimal: Path, name: str) -> None:
    f = replace_in(minimal / "inspections" / "2021-peel.yaml", "id: 2021-peel", f"id: {name}")
    assert check_lines(minimal)[0] == (
        f"{f}:1:5: id: '{name}' is a name Windows reserves for a device, so no folder can "
        "have it there; choose another id")
    organisation = minimal / "organisations" / "test-force.yaml"
    replace_in(minimal / "inspections" / "2021-peel.yaml", f"id: {name}", "id: 2021-peel")
    g = replace_in(organisation, "id: test-force", "id: aux")
    assert f"{g}:1:5: id: 'aux' is a name Windows reserves" in "\n".join(check_lines(minimal))


LANGUAGE = ("is not a language tag: write one such as en-GB, cy or fr-CA (letters and digits "
            "in parts joined by hyphens, at most 20 characters)")


@pytest.mark.parametrize(("language", "shown"), [
    ("e/../../../../x", "'e/../../../../x'"),  # Pagefind wrote its index outside the site
    ("en-abcdefgh-abcdefgh-ab", "'en-abcdefgh-abcdefgh-ab'"),  # Pagefind panicked at 31
    ("en-" + "-".join(["abcdefgh"] * 30),
     "'en-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abcdefgh-abc…' (272 characters)"),
    ('"en-GB\\n"', "'en-GB\\n'"),
    ("en_GB", "'en_GB'"),
])
def test_the_language_is_a_language_tag(minimal: Path, tmp_path: Path, language: str,
                                        shown: str) -> None:
    f = replace_in(minimal / "site.yaml", "title: Test Force inspections",
                   f"language: {language}\ntitle: Test Force inspections")
    assert check_lines(minimal) == [f"{f}:1:11: language: {shown} {LANGUAGE}"]
    result = run_cli("build", "--content", str(minimal), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_a_long_but_valid_language_tag_builds_with_search(minimal: Path, tmp_path: Path) -> None:
    language = "hy-Latn-IT-arevela-x"  # 20 characters
    assert len(language) == 20
    replace_in(minimal / "site.yaml", "title: Test Force inspections",
               f"language: {language}\ntitle: Test Force inspections")
    build(minimal, tmp_path / "site")
    assert parse(tmp_path / "site" / "index.html").html["lang"] == language
    assert (tmp_path / "site" / "pagefind" / "pagefind-entry.json").is_file()


@pytest.mark.parametrize("url", ['"https://example.org/reports/\\n"', "'https://example.org/ x'",
                                 "javascript:alert(1)", "//example.org/"])
def test_a_base_url_is_one_web_address(minimal: Path, url: str) -> None:
    f = replace_in(minimal / "site.yaml", "title: Test Force inspections",
                   f"base_url: {url}\ntitle: Test Force inspections")
    lines = check_lines(minimal)
    assert len(lines) == 1 and lines[0].startswith(f"{f}:1:11: base_url: '")
    assert lines[0].endswith("is not a web address (it must start with https:// or http://, "
                             "and hold no spaces or line breaks)")


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "https://example.org/\n",
                                 "https://example.org/\r\nSitemap: https://evil.example/",
                                 "ftp://example.org/", "https://exa mple.org/"])
def test_the_base_url_option_takes_web_addresses_only(tmp_path: Path, url: str) -> None:
    result = run_cli("build", "--out", str(tmp_path / "site"), "--base-url", url)
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith("python build.py build: error: argument --base-url: '")
    assert last.endswith("is not a web address (it must start with https:// or http://, and "
                         "hold no spaces or line breaks)")
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("link", "message"), [
    ("[x](//evil.example/a.html)",
     "the link '//evil.example/a.html' leaves out its scheme, so it leads to the host after "
     "the '//', not to this site; write the full address, e.g. 'https://evil.example/a.html'"),
    ("[x](/inspections/../../../../etc/passwd.txt)",
     "the link '/inspections/../../../../etc/passwd.txt' has a '.' or '..' part, which could "
     "lead out of the site; write the path from the site's root without them, e.g. "
     "'/inspections/2021-peel/'"),
    ("[x](/inspections/%2e%2e/%2E%2E/x.txt)",
     "the link '/inspections/%2e%2e/%2E%2E/x.txt' has a '.' or '..' part, which could lead "
     "out of the site; write the path from the site's root without them, e.g. "
     "'/inspections/2021-peel/'"),
    ('<a href="/inspections/&#46;&#46;/&#46;&#46;/x.txt">x</a>',
     "the link '/inspections/&#46;&#46;/&#46;&#46;/x.txt' has a '.' or '..' part, which could "
     "lead out of the site; write the path from the site's root without them, e.g. "
     "'/inspections/2021-peel/'"),
    ("[x](/\\evil.example/)",
     "the link '/\\evil.example/' holds a backslash or a line break, which browsers drop or "
     "read as '/'; write the path with '/' only, e.g. '/inspections/2021-peel/'"),
    ("Before <style> p { color: red }",
     "'<style>' is HTML whose content no page shows (and one left open hides all the text "
     "after it); remove it, or write it in backticks (`<style>`) to show it as written"),
    ("Before <SCRIPT src=x.js></SCRIPT> after",
     "'<script>' is HTML whose content no page shows (and one left open hides all the text "
     "after it); remove it, or write it in backticks (`<script>`) to show it as written"),
])
def test_links_that_would_leave_the_site_and_text_that_would_vanish_are_refused(
        minimal: Path, link: str, message: str) -> None:
    f = replace_in(minimal / "inspections" / "2021-peel.yaml",
                   "summary: The force was adequate", f"summary: '{link} The force was adequate")
    replace_in(minimal / "inspections" / "2021-peel.yaml", "its investigations.",
               "its investigations.'")
    lines = check_lines(minimal)  # (and 2023-peel.yaml's link to it leads nowhere now)
    assert lines[0] == f"{f}:8:10: summary: {message}"
    assert len(lines) == 2 and "'2021-peel' is not a known inspection" in lines[1]


def test_raw_html_written_as_code_is_shown_as_written(minimal: Path, tmp_path: Path) -> None:
    replace_in(minimal / "inspections" / "2021-peel.yaml", "summary: The force was adequate",
               "summary: 'Write `<style>` or `//host` as code. The force was adequate")
    replace_in(minimal / "inspections" / "2021-peel.yaml", "its investigations.",
               "its investigations.'")
    build(minimal, tmp_path / "site")
    summary = parse(tmp_path / "site" / "inspections" / "2021-peel" / "index.html").find(
        string=lambda s: "as code" in s).parent.parent
    assert summary.find("p").get_text() == (
        "Write <style> or //host as code. The force was adequate at serving victims and "
        "needed to improve its investigations.")


# -- files too large, and errors of the operating system ---------------------------------------

def test_a_file_over_the_limit_is_refused_before_it_is_read(minimal: Path) -> None:
    huge = minimal / "inspections" / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(200_000_000)  # sparse: no disk space, but 200 MB to read
    tracemalloc.start()
    started = time.monotonic()
    try:
        lines = check_lines(minimal)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == [f"{huge}:1:1: the file is 200,000,000 bytes; content files may be at "
                     "most 5,000,000 bytes"]
    assert peak < 20_000_000, f"{peak:,} bytes allocated to refuse it"
    assert time.monotonic() - started < 5


def run_cli(*args: str, limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    """``python build.py ARGS``; optionally unable to write a file beyond a size (EFBIG, as
    a full disk refuses a write)."""

    def limit() -> None:
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=120, preexec_fn=limit)


def test_a_write_that_fails_is_one_line_and_leaves_the_site(minimal: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(minimal, out)
    before = tree_digest(out)
    (minimal / "inspections" / "2021-peel.yaml").write_text(
        (minimal / "inspections" / "2021-peel.yaml").read_text().replace("Test Force", "TF"))
    # Files up to a megabyte can be written; the plotly.js bundle (1.05 MB) cannot.
    result = run_cli("build", "--no-cache", "--content", str(minimal), "--out", str(out),
                     limit_file_size=1_000_000)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert re.fullmatch(rf"Build failed: File too large: {re.escape(str(tmp_path))}/\.site\.new-"
                        r"\d+/static/plotly-[0-9.]+\.[0-9a-f]+\.min\.js; "
                        rf"{re.escape(str(out))} was not changed\.\n",
                        result.stderr), result.stderr
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradeline-cache", "content", "site"]


def test_an_output_folder_under_a_file_is_one_line(minimal: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("build", "--content", str(minimal), "--out",
                     str(tmp_path / "notes.txt" / "site"))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Build failed: ")
    assert "Traceback" not in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


# -- the output folder: one build at a time, and only what a build made is touched -------------

def test_a_second_build_into_the_same_folder_stops_and_names_the_first(tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = subprocess.Popen([sys.executable, "build.py", "--no-cache", "--out", str(out)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        # Paused once it is writing its new site beside the output (as a slow build is).
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".site.new-*")):
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.005)
        first.send_signal(signal.SIGSTOP)
        second = run_cli("build", "--no-cache", "--out", str(out))
    finally:
        first.send_signal(signal.SIGCONT)
    stdout, stderr = first.communicate(timeout=120)
    assert second.returncode == 1
    assert re.fullmatch(
        rf"Build failed: another build is writing {re.escape(str(out))} \(process {first.pid}, "
        rf"started [0-9-]+ [0-9:]+: \S*build\.py --no-cache --out {re.escape(str(out))}\); "
        r"wait for it to finish, or build into another folder with --out\n", second.stderr)
    assert first.returncode == 0, stderr
    assert stdout.startswith("Built ")
    manifest = read_manifest(out)
    assert manifest is not None and manifest_intact(out, manifest)
    assert len(manifest["files"]) == len([p for p in out.rglob("*") if p.is_file()]) - 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_builds_one_after_another_each_take_the_folder(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    for _ in range(2):
        result = run_cli("build", "--content", str(minimal), "--out", str(out))
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradeline-cache", "content", "site"]


USERS_OWN = {".site.old-backup": "a backup", ".site.new-drafts": "drafts",
             ".site.old-7": "not a build's", ".site.new-8": "not a build's either"}


@pytest.mark.parametrize("existing", [False, True])
def test_folders_beside_the_output_that_no_build_made_are_left_alone(
        minimal: Path, tmp_path: Path, existing: bool) -> None:
    out = tmp_path / "site"
    if existing:
        build(minimal, out)
        replace_in(minimal / "inspections" / "2021-peel.yaml", "Test Force", "TF")
    for name, text in USERS_OWN.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "notes.txt").write_text(text)
    build(minimal, out)
    assert (out / "inspections" / "2021-peel" / "index.html").is_file()
    assert not (out / "notes.txt").exists()
    for name, text in USERS_OWN.items():
        assert (tmp_path / name / "notes.txt").read_text() == text, name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".gradeline-cache", "content", "site", *USERS_OWN])


def test_a_folder_with_a_file_named_like_the_marker_is_not_replaced(
        minimal: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / ".gradeline").write_text("my own settings\n")
    (mine / "thesis.tex").write_text("years of work")
    result = run_cli("build", "--content", str(minimal), "--out", str(mine))
    assert result.returncode == 1
    assert result.stderr == (f"Build failed: the output folder {mine} already holds files that "
                             "Gradeline did not build; empty it or choose another folder\n")
    assert sorted(p.name for p in mine.iterdir()) == [".gradeline", "thesis.tex"]
    assert (mine / "thesis.tex").read_text() == "years of work"


# -- one path, one file ---------------------------------------------------------------------

def test_an_id_that_would_name_another_chart_file_is_refused_before_writing(
        minimal: Path, tmp_path: Path) -> None:
    f = replace_in(minimal / "inspections" / "2021-peel.yaml", "id: 2021-peel", "id: by-area")
    replace_in(minimal / "inspections" / "2023-peel.yaml", "continues: 2021-peel",
               "continues: by-area")
    expected = [f"{f}:1:5: id: the grades chart of inspection 'by-area' would be written to "
                "data/charts/grades-by-area.csv, as the chart of grades by area on /areas/ is; "
                "choose another id"]
    assert check_lines(minimal) == expected
    result = run_cli("build", "--content", str(minimal), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[:-1] == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradeline-cache", "content"]


def test_ids_of_two_organisations_files_that_meet_are_refused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    generate(content, orgs=2, per_org=3, seed=11)
    for path in content.rglob("*.yaml"):  # organisation 'grades', inspection 'timeline'
        path.write_text(path.read_text().replace("force-002", "grades").replace(
            "force-001-2013-peel-1", "timeline"))
    builder = Builder(content, search=False, workers=2, once=True)
    with pytest.raises(ContentError) as error:
        builder.build(tmp_path / "site")
    clash = ("would be written to data/charts/grades-timeline.csv, as {} is; choose another id")
    assert str(error.value).splitlines() == [
        f"{content}/inspections/force-001/force-001-2013-peel-1.yaml:2:5: id: the grades chart "
        "of inspection 'timeline' "
        + clash.format("the timeline chart on /organisations/grades/timeline/"),
        f"{content}/organisations/force-002.yaml:2:5: id: the timeline chart on "
        "/organisations/grades/timeline/ "
        + clash.format("the grades chart of inspection 'timeline'")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


LINK = '<a href="https://evil.example/">Evil link</a>'


@pytest.mark.browser
def test_plain_text_is_never_markup_in_a_chart(browser: Browser, minimal: Path,
                                              tmp_path: Path) -> None:
    """Plotly reads markup (links, bold, line breaks) in every text it draws: an area's name
    and a report's short title are plain text, and must be drawn as written."""
    areas = minimal / "areas.yaml"
    areas.write_text(areas.read_text().replace("name: Investigating crime", f"name: '{LINK}'"))
    insp = minimal / "inspections" / "2021-peel.yaml"
    insp.write_text(insp.read_text().replace(
        "title: PEEL 2021/22 inspection of Test Force",
        f"title: PEEL 2021/22 inspection of Test Force\nshort_title: '<b>Bold</b> {LINK}'"))
    out = tmp_path / "site"
    build(minimal, out, search=False)
    server, origin = serve_folder(out)
    try:
        for path in ["areas/", "areas/investigating-crime/", "timeline/",
                     "inspections/2021-peel/"]:
            context, page, errors = open_page(browser, origin + path)
            for canvas in page.locator(".chart-canvas").all():
                canvas.scroll_into_view_if_needed()
                canvas.locator(".main-svg").first.wait_for(timeout=15_000)
            links = page.eval_on_selector_all(
                ".main-svg a", "links => links.map(a => a.getAttribute('href') || "
                               "a.getAttribute('xlink:href'))")
            assert links == [], (path, links)
            bold = page.eval_on_selector_all(".main-svg text", "ts => ts.map(t => t.innerHTML)"
                                             ".filter(h => h.includes('font-weight:bold') && "
                                             "h.includes('Bold'))")
            assert bold == [], (path, bold)
            drawn = " ".join(page.eval_on_selector_all(".main-svg text",
                                                       "ts => ts.map(t => t.textContent)"))
            if path == "areas/":  # the heatmap's labels: area names and short titles
                assert drawn.count("<a href=") == 2, (path, drawn[:300])
            assert errors == [], (path, errors)
            context.close()
    finally:
        server.shutdown()
