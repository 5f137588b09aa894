"""A cold build split by organisation makes the whole build's site, byte for byte, or the
whole build is made instead (see gradeline/shard.py)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gradeline import shard
from gradeline.build import CACHE_FOLDER, Builder, BuildResult, build
from gradeline.errors import ContentError
from gradeline.resolve import ContentCache

from conftest import ROOT, tree_digest

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("shard") / "content"
    generate(content, orgs=4, per_org=5, seed=11)
    return content


@pytest.fixture
def content(synthetic: Path, tmp_path: Path) -> Path:
    """A copy of the synthetic content, to change."""
    return Path(shutil.copytree(synthetic, tmp_path / "content"))


def _build(content: Path, out: Path, split: bool, monkeypatch: pytest.MonkeyPatch,
           base_url: str | None = None) -> BuildResult:
    """The build command's build (no cache, nothing kept), split or whole."""
    monkeypatch.setattr(shard, "SHARD_MIN_FILES", 1 if split else 10 ** 9)
    # Earlier tests may leave threads running (browsers, servers), which stops the build
    # from forking at all; these builds fork nothing that touches them.
    monkeypatch.setattr(shard, "can_fork", lambda: True)
    builder = Builder(content, base_url, search=False, workers=2)
    builder.once = True
    return builder.build(out)


def _assert_same_site(a: Path, b: Path) -> None:
    ours, theirs = tree_digest(a), tree_digest(b)
    assert sorted(ours) == sorted(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_split_build_makes_the_whole_builds_site(content: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # A base URL, so that the sitemap and the feed's absolute links are made too.
    base = "https://example.org/inspections/"
    split = _build(content, tmp_path / "split", True, monkeypatch, base)
    whole = _build(content, tmp_path / "whole", False, monkeypatch, base)
    assert split.split and not whole.split
    _assert_same_site(tmp_path / "split", tmp_path / "whole")
    assert (tmp_path / "split" / "sitemap.xml").is_file()
    assert (split.pages, split.files, split.bytes) == (whole.pages, whole.files, whole.bytes)
    assert split.content.digests == whole.content.digests
    # Nothing is left beside the site: no staging folder, no pieces of the data files.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "split", "whole"]


def _edit(content: Path, file: str, old: str, new: str, to: str | None = None) -> None:
    """Replace ``old`` (which must be there) in the file; written to ``to``, if given."""
    text = (content / file).read_text(encoding="utf-8")
    assert old in text
    (content / (to or file)).write_text(text.replace(old, new, 1), encoding="utf-8")


def _follow_up_across(content: Path) -> None:
    _edit(content, "inspections/force-002/force-002-2015-peel-3.yaml", "kind: peel\n",
          "kind: peel\nfollows_up: force-001-2014-peel-2\n")


def _in_other_folder(content: Path) -> None:
    # An inspection of force-002 (that no other refers to) in force-001's folder.
    _edit(content, "inspections/force-002/force-002-2013-peel-1.yaml",
          "id: force-002-2013-peel-1", "id: force-002-2013-extra",
          to="inspections/force-001/extra.yaml")


def _organisation_without_inspections(content: Path) -> None:
    (content / "organisations" / "force-009.yaml").write_text(
        "id: force-009\nname: Force 009 Police (synthetic)\n", encoding="utf-8")


def _link_across(content: Path) -> None:
    _edit(content, "inspections/force-003/force-003-2016-peel-4.yaml", "summary: '",
          "summary: 'As [Force 001 found](/organisations/force-001/areas/), ")


def _warnings(content: Path) -> None:
    _edit(content, "inspections/force-004/force-004-2017-peel-5.yaml", "title: '",
          "title: '\u202e")
    # Not an inspection's: reported once, not by every part.
    (content / "notes.yaml").write_text("to do: nothing\n", encoding="utf-8")


@pytest.mark.parametrize(("change", "splits"), [
    # Pages of one organisation would show another's report: built whole.
    (_follow_up_across, False),
    # An organisation's reports in two folders (and so, maybe, two processes): built whole.
    (_in_other_folder, False),
    # Its empty pages are made with the site-wide ones.
    (_organisation_without_inspections, True),
    # Looked for among every organisation's pages.
    (_link_across, True),
    # Warnings, reported as the whole build reports them.
    (_warnings, True),
])
def test_split_build_or_whole_build_the_site_is_the_same(
        change: Callable[[Path], None], splits: bool, content: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    change(content)
    split = _build(content, tmp_path / "split", True, monkeypatch)
    whole = _build(content, tmp_path / "whole", False, monkeypatch)
    assert split.split is splits
    _assert_same_site(tmp_path / "split", tmp_path / "whole")
    assert split.content.warnings == whole.content.warnings
    if change is _warnings:
        files = [Path(w.file).name for w in split.content.warnings]
        assert files.count("notes.yaml") == files.count("force-004-2017-peel-5.yaml") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "split", "whole"]


def _unknown_field(content: Path) -> None:
    _edit(content, "inspections/force-002/force-002-2014-peel-2.yaml", "kind: peel\n",
          "kind: peel\ngrade_summary: good\n")


def _same_id_twice(content: Path) -> None:
    _edit(content, "inspections/force-001/force-001-2013-peel-1.yaml",
          "organisation: force-001", "organisation: force-003",
          to="inspections/force-003/copy.yaml")


def _broken_link(content: Path) -> None:
    _edit(content, "inspections/force-003/force-003-2016-peel-4.yaml", "summary: '",
          "summary: 'As [Force 001 found](/organisations/force-001/area/), ")


def _shared_and_inspection_errors(content: Path) -> None:
    _unknown_field(content)
    _edit(content, "organisations/force-004.yaml", "id: force-004\n",
          "id: force-004\ncolour: blue\n")


@pytest.mark.parametrize("change", [_unknown_field, _same_id_twice, _broken_link,
                                    _shared_and_inspection_errors])
def test_split_build_reports_every_problem_as_the_whole_build(
        change: Callable[[Path], None], content: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    change(content)
    with pytest.raises(ContentError) as split:
        _build(content, tmp_path / "split", True, monkeypatch)
    with pytest.raises(ContentError) as whole:
        _build(content, tmp_path / "whole", False, monkeypatch)
    assert [str(p) for p in split.value.problems] == [str(p) for p in whole.value.problems]
    assert split.value.problems
    # Nothing was written: no site, no staging folder, no pieces of the data files.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_small_or_single_organisation_sites_are_built_whole(content: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setattr(shard, "SHARD_MIN_FILES", 21)  # the content has 20 inspections
    monkeypatch.setattr(shard, "can_fork", lambda: True)
    builder = Builder(content, search=False, workers=2)
    builder.once = True
    assert not builder.build(tmp_path / "small").split
    assert shard.batches(ROOT / "content", 2) is None  # Northamptonshire: too few files


def test_split_build_leaves_the_cache_that_the_next_builds_use(
        content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shard, "SHARD_MIN_FILES", 1)
    monkeypatch.setattr(shard, "can_fork", lambda: True)
    site, cache = tmp_path / "site", tmp_path / CACHE_FOLDER
    first = build(content, site, search=False)
    assert first.split
    # Each process kept what it read and made, in a part of its own.
    names = sorted(p.name for p in cache.iterdir())
    assert "content.part-shared.pickle" in names and "content.pickle" not in names
    assert len([n for n in names if n.startswith("data.part-")]) == len(
        shard.batches(content, 2) or [])
    # Read together, the parts hold every content file.
    assert len(ContentCache.load(cache / "content.pickle").entries) == len(
        list(content.rglob("*.yaml")))

    again = build(content, site, search=False)
    assert again.up_to_date and not again.split
    # Nothing to save: the parts are read as they are.
    assert sorted(p.name for p in cache.iterdir()) == names

    _edit(content, "inspections/force-002/force-002-2015-peel-3.yaml", "summary: '",
          "summary: 'Edited. ")
    edited = build(content, site, search=False)
    assert not edited.split and 0 < edited.rendered < edited.pages
    whole = _build(content, tmp_path / "whole", False, monkeypatch)
    _assert_same_site(site, tmp_path / "whole")
    # The whole cache is saved in one file again, which holds the parts.
    names = sorted(p.name for p in cache.iterdir())
    assert "content.pickle" in names and "data.pickle" in names
    assert not [n for n in names if ".part-" in n]
    assert whole.pages == edited.pages
