"""The build as a whole: atomic output, refusal of unsafe folders, determinism, the CLI."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradeline import render as render_module
from gradeline import resolve
from gradeline.build import Builder, build
from gradeline.cli import main
from gradeline.errors import ContentError
from gradeline.resolve import read_content
from gradeline.write import MARKER, OutputError

from conftest import ROOT, SHIPPED, tree_digest


def test_build_writes_pages_and_assets(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build(minimal, out)
    files = set(tree_digest(out))
    assert {"index.html", "inspections/2021-peel/index.html", "inspections/2023-peel/index.html",
            "static/style.css", MARKER} <= files
    assert result.pages == sum(1 for name in files if name.endswith(".html"))


def test_a_failed_build_leaves_the_previous_site_byte_for_byte(minimal: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(minimal, out)
    before = tree_digest(out)
    broken = minimal / "inspections" / "2021-peel.yaml"
    broken.write_text(broken.read_text().replace("grade: Adequate", "grade: Goodish"))
    with pytest.raises(ContentError):
        build(minimal, out)
    assert tree_digest(out) == before
    # Nothing half-built is left beside it either.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradeline-cache", "content", "site"]


def test_a_failure_while_writing_leaves_the_previous_site(minimal: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    build(minimal, out)
    before = tree_digest(out)

    def explode(self: object, source: Path, rel: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("gradeline.write.SiteWriter.copy_tree", explode)
    edited = minimal / "inspections" / "2021-peel.yaml"
    edited.write_text(edited.read_text().replace("summary: The force", "summary: Now the force"))
    with pytest.raises(OSError, match="disk full"):
        build(minimal, out)
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradeline-cache", "content", "site"]


def test_an_unchanged_site_is_left_alone_and_reported_up_to_date(minimal: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build(minimal, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = build(minimal, out)
    assert again.up_to_date and not first.up_to_date
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before
    (out / "index.html").unlink()  # a damaged site is rebuilt, not trusted
    repaired = build(minimal, out)
    assert not repaired.up_to_date and (out / "index.html").is_file()


def test_a_cached_build_equals_an_uncached_one(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(minimal, out)
    edited = minimal / "inspections" / "2023-peel.yaml"
    edited.write_text(edited.read_text().replace("grade: Good", "grade: Outstanding"))
    build(minimal, out)  # reuses the cache and the unchanged pages of the first build
    build(minimal, tmp_path / "fresh", cache=False)
    assert tree_digest(out) == tree_digest(tmp_path / "fresh")


def test_same_content_builds_byte_identical_sites(minimal: Path, tmp_path: Path) -> None:
    build(minimal, tmp_path / "a")
    build(minimal, tmp_path / "b")
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("content", "is the content folder"),
        (".", "contains the content folder"),
        ("content/site", "is inside the content folder"),
    ],
)
def test_unsafe_output_folders_are_refused(minimal: Path, monkeypatch: pytest.MonkeyPatch,
                                           out: str, message: str) -> None:
    monkeypatch.chdir(minimal.parent)
    with pytest.raises(OutputError, match=message):
        build(Path("content"), Path(out))


def test_the_project_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    with pytest.raises(OutputError, match="is the project folder"):
        build(ROOT / "tests" / "fixtures" / "minimal", Path("."))


def test_a_folder_not_built_by_gradeline_is_not_replaced(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    with pytest.raises(OutputError, match="already holds files that Gradeline did not build"):
        build(minimal, out)
    assert (out / "thesis.txt").read_text() == "years of work"


def test_an_interrupted_swap_is_recovered(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(minimal, out)
    before = tree_digest(out)
    # As if killed between moving the old site aside and moving the new one in.
    out.rename(tmp_path / ".site.old-12345")
    (tmp_path / ".site.new-12345").mkdir()
    build(minimal, out)
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gradeline-cache", "content", "site"]


def test_cli_build_prints_one_line_summary(minimal: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["build", "--content", str(minimal), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 0
    lines = captured.out.splitlines()
    assert len(lines) == 1
    pages = len(list((tmp_path / "out").rglob("*.html")))
    assert lines[0].startswith(f"Built {pages} pages (")
    assert lines[0].endswith(f"into {tmp_path / 'out'}")


def test_cli_content_errors_exit_1_without_traceback(minimal: Path, tmp_path: Path) -> None:
    bad = minimal / "inspections" / "2021-peel.yaml"
    bad.write_text(bad.read_text().replace("grade: Adequate", "grade: Goodish"))
    run = subprocess.run(
        [sys.executable, "build.py", "build", "--content", str(minimal), "--out",
         str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        f"{bad}:11:12: judgments[0].grade: 'Goodish' is not a grade of framework peel-2021 "
        "(did you mean 'Good'?) (allowed: Outstanding, Good, Adequate, Requires improvement, "
        "Inadequate)",
        f"Build failed: 1 error in {minimal}; {tmp_path / 'out'} was not changed.",
    ]
    assert not (tmp_path / "out").exists()


def test_cli_check_validates_without_writing(minimal: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(minimal)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Checked 7 files (2 inspections): no errors in ")
    bad = minimal / "inspections" / "2021-peel.yaml"
    bad.write_text(bad.read_text().replace("kind: peel", "kind: peal"))
    assert main(["check", "--content", str(minimal)]) == 1


def test_plain_build_py_builds_the_shipped_site(tmp_path: Path) -> None:
    """`python build.py` with no command builds, as the README says."""
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(tmp_path / "s")],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "s" / "index.html").is_file()


def test_files_parsed_ahead_in_another_process_build_the_same_site_with_the_same_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    Builder(content, search=False).build(tmp_path / "alone")
    parsed: list[str] = []
    real = resolve.parse_file

    def counting(raw: bytes, path: Path) -> tuple:
        parsed.append(path.parent.name)
        return real(raw, path)

    # Every inspection file is parsed ahead, half in a forked process.
    monkeypatch.setattr(resolve, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(resolve, "can_fork", lambda: True)
    monkeypatch.setattr(resolve, "parse_file", counting)
    Builder(content, search=False).build(tmp_path / "ahead")
    # This process parsed half of the 16 inspections (the forked one, the other half).
    assert parsed.count("inspections") == 8
    assert tree_digest(tmp_path / "ahead") == tree_digest(tmp_path / "alone")

    # A problem found after parsing is still placed at its line and column.
    path = content / "inspections" / "2021-peel.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[2018-peel#afi-1]",
                                                             "[2018-peel#afi-9]"))
    with pytest.raises(ContentError) as ahead:
        Builder(content, search=False).build(tmp_path / "ahead")
    monkeypatch.undo()
    with pytest.raises(ContentError) as alone:
        read_content(content)
    assert [str(p) for p in ahead.value.problems] == [str(p) for p in alone.value.problems]
    assert any("2021-peel.yaml:" in str(p) and "'afi-9' is not a known item" in str(p)
               for p in alone.value.problems)


def test_rendering_in_two_processes_builds_the_same_site(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    Builder(SHIPPED, search=False, workers=1).build(tmp_path / "one")
    monkeypatch.setattr(render_module, "PARALLEL_MIN_PAGES", 2)
    monkeypatch.setattr(render_module, "can_fork", lambda: True)
    rendered: list[int] = []
    real = render_module.render_run

    def counting(renderer: object, pages: list, writer: object) -> dict:
        rendered.append(len(pages))
        return real(renderer, pages, writer)

    monkeypatch.setattr(render_module, "render_run", counting)
    result = Builder(SHIPPED, search=False, workers=2).build(tmp_path / "two")
    # This process rendered some runs, the forked one the others (and the data files).
    assert 0 < sum(rendered) < result.pages
    assert tree_digest(tmp_path / "two") == tree_digest(tmp_path / "one")


#: Renders pages in two processes, each noting its process id and then waiting long before
#: it renders: for killing the build while its helper is busy.
SLOW_BUILD = """
import os, sys, time
from pathlib import Path
from gradeline import render
from gradeline.build import Builder
render.PARALLEL_MIN_PAGES = 2
render.can_fork = lambda: True
real = render.render_run
def slow(renderer, pages, writer):
    with open(sys.argv[3], "a") as noted:
        noted.write(f"{os.getpid()}\\n")
    time.sleep(60)
    return real(renderer, pages, writer)
render.render_run = slow
Builder(Path(sys.argv[1]), search=False, workers=2).build(Path(sys.argv[2]))
"""


def running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's /proc")
def test_helpers_end_when_the_build_is_killed(tmp_path: Path) -> None:
    noted = tmp_path / "pids"
    build = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(SHIPPED),
                              str(tmp_path / "site"), str(noted)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (helpers := [int(p) for p in (noted.read_text().split()
                                                  if noted.exists() else [])
                               if int(p) != build.pid]):
            assert time.monotonic() < deadline, "no helper started"
            assert build.poll() is None, "the build ended early"
            time.sleep(0.05)
        build.kill()
        build.wait()
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in helpers):
            assert time.monotonic() < deadline, f"helpers {helpers} outlived the build"
            time.sleep(0.05)
    finally:
        build.kill()
        for pid in helpers if "helpers" in locals() else []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
