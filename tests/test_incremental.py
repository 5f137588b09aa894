"""Incremental builds: after an edit, only the pages that show the edited file are
rendered again, and the result is byte-for-byte what a full build gives."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest

from gradeline import data
from gradeline.build import Builder, build
from gradeline.errors import ContentError
from gradeline.render import TEMPLATES
from gradeline.resolve import read_content

from conftest import SHIPPED, parse, tree_digest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def summary_edit(content: Path) -> None:
    edit(content / "inspections" / "2017-peel.yaml", "summary: ", "summary: Edited. ")


def grade_edit(content: Path) -> None:
    edit(content / "inspections" / "2023-peel.yaml", "grade: Good", "grade: Outstanding")


def date_edit(content: Path) -> None:
    # Moves the custody report later in time: its neighbours on every side change.
    edit(content / "inspections" / "2018-05-custody.yaml", "published: 2018-05-31",
         "published: 2018-10-31")


def progress_edit(content: Path) -> None:
    path = content / "inspections" / "2023-peel.yaml"
    path.write_text(path.read_text() + (
        "progress:\n  - items: [2021-peel#afi-3]\n    status: not-met\n"
        "    note: Test statement.\n    cite: [hmicfrs-peel-2023-25-northamptonshire]\n"))


def shared_edit(content: Path) -> None:
    edit(content / "areas.yaml", "name: Investigating crime", "name: Investigating crimes")


SCENARIOS: dict[str, tuple[Callable[[Path], None], int]] = {
    # name: (edit, the most pages it may re-render)
    "summary": (summary_edit, 45),
    "grade": (grade_edit, 50),
    "date": (date_edit, 50),
    "progress": (progress_edit, 50),
    "shared": (shared_edit, 10_000),
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    root = tmp_path_factory.mktemp("incremental")
    out = root / "full"
    result = Builder(SHIPPED).build(out)
    return root, out, result.pages


@pytest.mark.parametrize("in_place", [False, True], ids=["new folder", "in place"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_incremental_build_equals_full_build(baseline: tuple[Path, Path, int],
                                             tmp_path: Path, scenario: str,
                                             in_place: bool) -> None:
    _, _, pages = baseline
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    builder = Builder(content)
    builder.build(tmp_path / "first")
    change, most = SCENARIOS[scenario]
    change(content)
    second = tmp_path / ("first" if in_place else "second")  # in place: the dev server
    incremental = builder.build(second, previous=tmp_path / "first", in_place=in_place)
    full = Builder(content).build(tmp_path / "fresh")
    assert tree_digest(second) == tree_digest(tmp_path / "fresh")
    assert incremental.rendered <= most
    if scenario == "shared":
        assert incremental.rendered == pages
    else:
        assert incremental.rendered < pages
    assert full.rendered == pages


def test_unchanged_pages_are_linked_not_rewritten(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    builder = Builder(content)
    builder.build(tmp_path / "first")
    summary_edit(content)
    result = builder.build(tmp_path / "second", previous=tmp_path / "first")
    page = "inspections/2017-peel/index.html"
    untouched = "inspections/2023-peel/index.html"
    assert page in result.changed and untouched not in result.changed
    first, second = tmp_path / "first", tmp_path / "second"
    assert (first / untouched).stat().st_ino == (second / untouched).stat().st_ino
    assert (first / page).read_bytes() != (second / page).read_bytes()


def test_nothing_changed_renders_nothing(tmp_path: Path) -> None:
    builder = Builder(SHIPPED)
    builder.build(tmp_path / "first")
    result = builder.build(tmp_path / "second", previous=tmp_path / "first")
    assert result.rendered == 0
    assert result.changed == []
    assert tree_digest(tmp_path / "first") == tree_digest(tmp_path / "second")


def test_in_place_rewrites_only_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    site = tmp_path / "site"
    builder = Builder(content)
    builder.build(site)
    untouched = site / "inspections" / "2023-peel" / "index.html"
    inode = untouched.stat().st_ino
    (content / "inspections" / "2018-05-custody.yaml").unlink()
    summary_edit(content)
    result = builder.build(site, previous=site, in_place=True)
    assert "inspections/2017-peel/index.html" in result.changed
    assert untouched.stat().st_ino == inode  # not written again
    assert not (site / "inspections" / "2018-05-custody").exists()
    Builder(content).build(tmp_path / "fresh")
    assert tree_digest(site) == tree_digest(tmp_path / "fresh")
    assert not list(site.rglob("*.tmp"))


def test_in_place_build_that_fails_midway_renders_everything_next_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    site = tmp_path / "site"
    builder = Builder(content)
    builder.build(site)
    summary_edit(content)
    monkeypatch.setattr("gradeline.build.atom_feed", lambda *_: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        builder.build(site, previous=site, in_place=True)
    monkeypatch.undo()
    edit(content / "inspections" / "2017-peel.yaml", "summary: Edited. ", "summary: ")
    result = builder.build(site, previous=site, in_place=True)
    # Back to the first content, yet pages written by the failed build are not trusted.
    assert result.rendered == result.pages
    Builder(content).build(tmp_path / "fresh")
    assert tree_digest(site) == tree_digest(tmp_path / "fresh")


def test_an_unchanged_file_is_checked_again_when_what_it_refers_to_changes(
        tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    builder = Builder(content)
    builder.build(tmp_path / "first")
    # 2021-peel.yaml, unchanged, follows up an item that no longer exists.
    edit(content / "inspections" / "2018-peel.yaml", "id: afi-1", "id: afi-one")
    # What the builder keeps of each valid file is its objects, not its parsed data nor
    # where each value was (most of a file's size in memory)...
    kept = [doc for (_, kind), (_, (doc, _, _)) in builder.cache.entries.items()
            if kind == "Inspection"]
    assert kept and all(doc.data is None and doc._positions is None for doc in kept)
    with pytest.raises(ContentError) as caught:
        builder.build(tmp_path / "second", previous=tmp_path / "first")
    assert any(p.file.endswith("2021-peel.yaml") and "'afi-1' is not a known item" in p.message
               for p in caught.value.problems)
    # ...which are read again from the file to say where the problem is, as a fresh read
    # of the content says it.
    with pytest.raises(ContentError) as fresh:
        read_content(content)
    assert [str(p) for p in caught.value.problems] == [str(p) for p in fresh.value.problems]


def test_data_files_are_remade_from_kept_pieces_in_a_later_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    out = tmp_path / "site"
    build(content, out, search=False)
    summary_edit(content)
    made: list[str] = []
    real = data._inspection_record

    def counting(content: object, view: Any) -> dict:
        made.append(view.summary.id)
        return real(content, view)

    monkeypatch.setattr(data, "_inspection_record", counting)
    build(content, out, search=False)  # a new builder, as a new run of the command would be
    assert made == ["2017-peel"]  # the edited inspection's part only; the rest were kept
    Builder(content, search=False).build(tmp_path / "fresh")
    for name in ("inspections.json", "judgments.csv"):
        assert (out / "data" / name).read_bytes() == \
            (tmp_path / "fresh" / "data" / name).read_bytes()


def test_data_files_written_in_parts_are_reused_whole_when_unchanged(tmp_path: Path) -> None:
    """judgments.csv is written in parts (one per inspection); an edit to an inspection's
    summary leaves it as it was, and both writers must see that from the parts."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    builder = Builder(content, search=False)
    first, site = tmp_path / "first", tmp_path / "site"
    builder.build(first)
    builder.build(site)
    csv_inodes = {(first / "data/judgments.csv").stat().st_ino,
                  (site / "data/judgments.csv").stat().st_ino}
    summary_edit(content)
    second = builder.build(tmp_path / "second", previous=first)
    in_place = builder.build(site, previous=site, in_place=True)
    for result in (second, in_place):
        assert "data/inspections.json" in result.changed
        assert "data/judgments.csv" not in result.changed
    assert (tmp_path / "second/data/judgments.csv").stat().st_ino in csv_inodes
    assert (site / "data/judgments.csv").stat().st_ino in csv_inodes
    Builder(content, search=False).build(tmp_path / "fresh")
    for folder in (tmp_path / "second", site):
        assert tree_digest(folder) == tree_digest(tmp_path / "fresh")


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """Rendering freezes the heap so that collecting Jinja's cycles is cheap; a dev server
    builds again and again in one process, and must not keep freezing its heap for ever."""
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    Builder(SHIPPED, search=False, workers=1).build(tmp_path / "site")
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_compiled_templates_are_kept_for_the_next_build_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    out = tmp_path / "site"
    build(content, out, templates=templates, search=False)
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None,
                 *args: Any, **kwargs: Any) -> Any:
        compiled.append(name or "")
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    summary_edit(content)
    build(content, out, templates=templates, search=False)  # as a new run of the command
    assert compiled == []
    # An edited template is compiled again, and its edit shows.
    edit(templates / "inspection.html", "</h1>", "</h1><p id=edited>Edited.</p>")
    build(content, out, templates=templates, search=False)
    assert compiled == ["inspection.html"]
    assert parse(out / "inspections" / "2017-peel" / "index.html").find(id="edited")
