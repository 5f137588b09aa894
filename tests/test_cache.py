"""The build cache cannot run code or lie: it holds data, keyed by what files hold, in a
folder no one else can write; and a page changed by hand is made again."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradeline import cache
from gradeline.build import Builder, build
from gradeline.cache import CACHE_FOLDER, cache_version

from conftest import MINIMAL, ROOT, tree_digest


def run_build(content: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "build.py", "build", "--content", str(content),
                           "--out", str(out), "--no-search"], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=120)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(MINIMAL, target)
    return target


def fresh(content: Path, tmp_path: Path) -> dict[str, str]:
    """A build from scratch of the same content, elsewhere: what the site should be."""
    out = tmp_path / "fresh" / "site"
    build(content, out, cache=False, search=False)
    return {k: v for k, v in tree_digest(out).items() if k != ".gradeline"}


def site(out: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(out).items() if k != ".gradeline"}


def test_an_edit_that_keeps_size_and_time_is_seen(content: Path, tmp_path: Path) -> None:
    """cp -p, rsync -a and tar keep a file's size and modification time: the cache must
    notice the edit by what the file holds."""
    out = tmp_path / "site"
    assert run_build(content, out).returncode == 0
    path = content / "inspections" / "2021-peel.yaml"
    info = path.stat()
    text = path.read_text()
    assert "Test Force" in text
    path.write_text(text.replace("Test Force", "Best Force"))  # the same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    result = run_build(content, out)
    assert result.returncode == 0, result.stderr
    assert "Best Force" in (out / "inspections" / "2021-peel" / "index.html").read_text()
    assert site(out) == fresh(content, tmp_path)


def test_the_dev_server_sees_an_edit_that_keeps_size_and_time(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev server knows an unchanged file by its inode, size and times, without reading
    it again; an edit that keeps the size and sets the modification time back still moves
    the change time, which no tool can set."""
    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust the times of files just written
    builder = Builder(content, search=False, search_later=True)
    out = tmp_path / "dev" / "site"
    builder.build(out)
    path = content / "inspections" / "2021-peel.yaml"
    assert path in builder.cache.identities
    time.sleep(0.05)  # past the coarse clock that file times are read from
    info = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Test Force", "Best Force"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    builder.build(out, previous=out, in_place=True)
    assert "Best Force" in (out / "inspections" / "2021-peel" / "index.html").read_text()
    assert site(out) == fresh(content, tmp_path)


def test_a_file_changed_just_before_it_was_read_is_read_again(content: Path,
                                                              tmp_path: Path) -> None:
    """File times are coarse: a file written in the moment before it was hashed could be
    written again without its times moving, so it is not known by its times."""
    builder = Builder(content, search=False, search_later=True)
    path = content / "inspections" / "2021-peel.yaml"
    path.write_text(path.read_text().replace("Test Force", "Best Force"))
    builder.build(tmp_path / "dev" / "site")
    assert path not in builder.cache.identities
    assert content / "site.yaml" not in builder.cache.identities  # copied just now too


def test_a_page_edited_by_hand_is_made_again(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_build(content, out).returncode == 0
    page = out / "inspections" / "2021-peel" / "index.html"
    page.write_text(page.read_text().replace("Test Force", "Hand-edited"))
    result = run_build(content, out)
    assert result.returncode == 0, result.stderr
    assert "Hand-edited" not in page.read_text()
    assert site(out) == fresh(content, tmp_path)


def test_a_damaged_cache_is_a_note_and_the_site_is_right(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_build(content, out).returncode == 0
    cache = tmp_path / CACHE_FOLDER / "content.cbor"
    cache.write_bytes(cache.read_bytes()[:-40])  # cut short
    (content / "inspections" / "2021-peel.yaml").write_text(
        (content / "inspections" / "2021-peel.yaml").read_text().replace("Test Force", "TF"))
    result = run_build(content, out)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"note: the cache file {cache} is damaged; it will be made again"]
    assert site(out) == fresh(content, tmp_path)
    assert run_build(content, out).stderr == ""  # made again, whole


def test_the_cache_never_runs_code(content: Path, tmp_path: Path) -> None:
    """Whoever can write beside the output could once write a pickle there that the next
    build ran. Cache files are now plain data: a pickle in their place runs nothing."""
    out = tmp_path / "site"
    assert run_build(content, out).returncode == 0
    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple:
            return (os.system, (f"touch {ran}",))

    payload = pickle.dumps({"x": Payload()})
    folder = tmp_path / CACHE_FOLDER
    for name in ("content.pickle", "data.pickle", "content.cbor", "data.cbor", "files.cbor"):
        (folder / name).write_bytes(cache_version().encode() + b"\n" + payload)
    edit = content / "inspections" / "2021-peel.yaml"
    edit.write_text(edit.read_text().replace("Test Force", "TF"))
    result = run_build(content, out)
    assert result.returncode == 0, result.stderr
    assert not ran.exists()
    assert site(out) == fresh(content, tmp_path)


def test_a_cache_others_may_write_is_not_used(content: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_build(content, out).returncode == 0
    folder = tmp_path / CACHE_FOLDER
    folder.chmod(0o777)
    result = run_build(content, out)
    assert result.returncode == 0, result.stderr
    assert f"note: the cache was not used: {folder} may be written by every user" in \
        result.stderr.splitlines()
    assert site(out) == fresh(content, tmp_path)
