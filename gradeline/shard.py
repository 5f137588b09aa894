"""A cold build of a large site of many organisations, split so that no process holds it all.

Used by the build command when there is nothing to reuse (no earlier output, no cache: a
fresh clone, a publishing job, ``--no-cache``), on 200 or more inspection files of two or
more organisations, with two or more processes. The dev server and builds that reuse
earlier output hold the whole site, from build to build.

A process that holds the whole site holds every validated inspection and its derived views
(about 60 KB an inspection, on top of 40 MB of Python and libraries). Almost everything on
the site belongs to one organisation, though, and depends on nothing outside it but the
shared files: its inspections, comparisons, area histories, timeline and tracker. So here:

1. this process reads the shared files (site, sources, areas, scales, frameworks,
   organisations) and compiles the templates, then forks the rendering processes;
2. each takes batches of the folders under ``inspections/`` (one an organisation), and for
   each reads and checks them, derives the views and renders the organisations' pages as
   the whole build would, keeps its part of the cache (see resolve.save_cache_file), and
   sends back what the site-wide pages need of them: a light view of each inspection (see
   views.light_views), its pieces of the data files, its pages' fingerprints and the links
   it could not resolve;
3. this process then makes the site-wide pages (organisations, rounds, compare picker, data
   page, feed, sitemap) and data files from those, and swaps the site into place.

The site is byte for byte the whole build's (tests/test_shard.py). Whenever the split could
differ from it, the whole build is made instead: a problem in any file (the whole build then
reports every problem at once, as always), an inspection that refers to another
organisation's, an organisation whose inspections lie in more than one folder, an id used
twice, or a link that no page answers.
"""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .build import Builder, BuildResult, Fingerprints, _render_share
from .data import (
    Memo,
    _Pieces,
    chart_files,
    data_files,
    findings_csv,
    inspections_json,
    judgments_csv,
)
from .dates import PartialDate
from .errors import ContentError, Problem
from .pages import leads_to_page, site_pages
from .parallel import can_fork
from .render import Renderer, markdown_to_html
from .resolve import (
    YAML_SUFFIXES,
    Content,
    ContentCache,
    read_content,
    save_cache_file,
)
from .urls import Urls
from .views import (
    InspectionView,
    Scope,
    SiteView,
    area_histories,
    derive,
    light_views,
    organisation_prefix,
    timeline_events,
)
from .write import SiteWriter, Stored

#: Below this many inspection files one process holding the whole site is small (under
#: 100 MB), and the split would only add work.
SHARD_MIN_FILES = 200
#: Batches for each process to take, one after another: small enough that the processes
#: finish together and that a batch is a small part of memory, large enough that what each
#: batch repeats (deriving the shared parts) costs little.
BATCHES_PER_PROCESS = 8


@dataclass
class _Batch:
    """What a rendering process sends back of one batch of folders."""

    organisations: list[str]
    #: Each inspection with the key the site orders them by, and its light view.
    views: list[tuple[Any, InspectionView]]
    digests: dict[str, str]
    fingerprints: dict[str, str]
    csvs: dict[str, list[str]]
    #: The batch's pieces of the site-wide data files (see data.Memo).
    pieces: dict[str, bytes | Stored]
    #: The site paths of its pages.
    targets: list[str]
    #: Links in the batch's texts to pages not among its own, to be looked for site-wide.
    links: list[str]
    warnings: list[Problem]
    written: tuple[int, int, list[str], dict[str, int]]


@dataclass
class _Job:
    """What the forked processes inherit."""

    root: Path
    batches: list[list[str]]
    shared: dict[Any, Any]
    fingerprint: Fingerprints
    renderer: Renderer
    writer: SiteWriter
    #: A folder for the pieces of the data files each batch makes.
    spool: Path
    #: Where to keep the parsed files and the pieces of the data files for the next build
    #: (each batch its own part: see resolve.save_cache_file), if anywhere.
    cache_file: Path | None
    data_file: Path | None


_JOB: _Job | None = None


def batches(content_dir: Path, processes: int) -> list[list[str]] | None:
    """The folders (and files) directly under ``inspections/``, in batches of about equal
    numbers of inspection files, largest batch first; None when the site is too small to be
    worth splitting, or has nothing to split."""
    folder = content_dir / "inspections"
    if folder.is_symlink() or not folder.is_dir():
        return None
    sizes: dict[str, int] = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            sizes[entry.name] = sum(name.endswith(YAML_SUFFIXES)
                                    for _, _, files in os.walk(entry.path) for name in files)
        elif entry.name.endswith(YAML_SUFFIXES):
            sizes[entry.name] = 1
    total = sum(sizes.values())
    if total < SHARD_MIN_FILES or len(sizes) < 2:
        return None
    share = max(1, total // (processes * BATCHES_PER_PROCESS))
    found: list[list[str]] = [[]]
    size = 0
    for name, count in sizes.items():
        if size >= share:
            found.append([])
            size = 0
        found[-1].append(name)
        size += count
    return sorted(found, key=lambda batch: -sum(sizes[name] for name in batch))


def build_in_shards(builder: Builder, out_dir: Path, started: float,
                    timings: dict[str, float], lap: Callable[[str], None]
                    ) -> BuildResult | None:
    """Build the site split by organisation (see the module's note); None if it is not to
    be split, or could come out other than the whole build, which is then to be made."""
    global _JOB
    if builder.workers < 2 or not can_fork():
        return None
    split = batches(builder.content_dir, builder.workers)
    if split is None:
        return None
    try:
        shared = read_content(builder.content_dir, builder.cache, only=())
    except ContentError:
        return None  # the whole build reports every problem of every file
    if len(shared.organisations) < 2:
        return None
    if builder.cache_file:
        builder.cache.save(builder.cache_file, part="shared")
    lap("load shared files")
    urls = Urls(builder.base_url or shared.site.base_url)
    fingerprint = Fingerprints(shared, builder.templates, urls, builder.search)
    renderer = builder.prepare_renderer(urls, shared, single=False)
    renderer.compile_templates()
    writer = SiteWriter(out_dir)
    spool = tempfile.TemporaryDirectory(prefix=f".{out_dir.name}.pieces-", dir=out_dir.parent)
    _JOB = _Job(builder.content_dir, split, dict(builder.cache.entries), fingerprint,
                renderer, writer, Path(spool.name), builder.cache_file, builder.data_file)
    # What exists now is shared with the forked processes: frozen, the collector does not
    # look at it (or copy it) there. (The collector is paused during builds: Builder.build.)
    gc.freeze()
    try:
        done = _render_batches(len(split), builder.workers)
        lap("organisations, in batches")
        result = None if done is None else _finish(builder, shared, done, urls, fingerprint,
                                                   writer, started, timings, lap)
        if result is None:
            writer.abort()
        return result
    except BaseException:
        writer.abort()
        raise
    finally:
        _JOB = None
        gc.unfreeze()
        spool.cleanup()


def _render_batches(count: int, processes: int) -> list[_Batch] | None:
    """Every batch, rendered by forked processes; None as soon as one cannot be."""
    context = multiprocessing.get_context("fork")
    done = []
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=context) as pool:
        for batch in pool.map(_render_batch, range(count)):
            if batch is None:
                pool.shutdown(wait=True, cancel_futures=True)
                return None
            done.append(batch)
    return done


def _render_batch(number: int) -> _Batch | None:
    """Read, check, derive and render one batch of folders (in a forked process)."""
    assert _JOB is not None
    job = _JOB
    # The shared files as this process's parent read them; the batch's own files are
    # forgotten with the batch.
    cache = ContentCache(entries=dict(job.shared), keeps_data=job.cache_file is not None)
    try:
        content = read_content(job.root, cache, only=job.batches[number])
    except ContentError:
        return None
    if job.cache_file:
        ContentCache({key: entry for key, entry in cache.entries.items()
                      if key not in job.shared}).save(job.cache_file, part=str(number))
    site = derive(content)
    mine = {inspection.organisation for inspection in content.inspections}
    pages = site_pages(site, keep=mine.__contains__)
    fingerprint = job.fingerprint.with_digests(content.digests)
    fingerprints = {}
    for page in pages:
        if page.deps is None:
            return None  # it would depend on every inspection: not an organisation's page
        fingerprints[page.file] = fingerprint.of(page)
    writer = job.writer.sharing()
    targets = {page.target for page in pages}
    # Rendering collects the cycles it leaves behind now and then (see _render_share):
    # frozen, the batch's content and views are not looked at each time (at 5,160
    # inspections that was 1.2 s a batch).
    gc.freeze()
    csvs = _render_share(job.renderer, pages, writer)
    memo: Memo | None = {} if job.data_file else None
    writer.write_all(data_files(site, memo, keep=mine.__contains__))
    # The site-wide data files are made of a piece for each inspection: this batch's are
    # kept in a file until they are written (at 516 inspections they are 13 MB).
    pieces = _Pieces({})
    judgments_csv(site, pieces)
    findings_csv(site, pieces)
    inspections_json(site, pieces)
    chart_files(site, pieces, keep=mine.__contains__)
    if job.data_file and memo is not None:
        save_cache_file(job.data_file, {**memo, **pieces.used}, part=str(number))
    stored = _store(pieces.used, job.spool / str(number))
    inspections = job.root / "inspections"
    own_files = {display for display, path in content.files.items()
                 if path.is_relative_to(inspections)}
    batch = _Batch(
        organisations=sorted(mine),
        views=[(_order(view), view) for view in light_views(site.inspections)],
        digests=content.digests, fingerprints=fingerprints, csvs=csvs, pieces=stored,
        targets=sorted(targets),
        links=sorted({link for _, _, link in content.links
                      if not leads_to_page(link, targets)}),
        warnings=[w for w in content.warnings if w.file in own_files],
        written=(writer.count, writer.bytes, writer.changed, writer.sizes))
    # Nothing of this batch is needed for the next. Its objects, though frozen, are freed
    # as the last reference to each goes (they hold no cycles: the frozen count and the
    # resident size stay the same from batch to batch); the collection is of what
    # rendering left.
    del site, content, pages
    markdown_to_html.cache_clear()
    gc.collect()
    return batch


def _store(pieces: dict[str, bytes | Stored], path: Path) -> dict[str, bytes | Stored]:
    """The pieces written one after another to a new file, each then read from there."""
    stored: dict[str, bytes | Stored] = {}
    offset = 0
    with path.open("wb") as handle:
        for key, piece in pieces.items():
            data = piece if isinstance(piece, bytes) else piece.read()
            handle.write(data)
            stored[key] = Stored(path, offset, len(data))
            offset += len(data)
    return stored


def _order(view: InspectionView) -> tuple[Any, str]:
    """The place of an inspection in the site's order (see resolve.read_content)."""
    date = view.summary.date or PartialDate(1900)
    return date.sort_key, view.summary.id


def _finish(builder: Builder, shared: Content, done: list[_Batch], urls: Urls,
            fingerprint: Fingerprints, writer: SiteWriter, started: float,
            timings: dict[str, float], lap: Callable[[str], None]) -> BuildResult | None:
    """The site-wide pages and data files from what the batches sent back, then the rest
    of the build as the whole build finishes it; None if the split could have made the
    site other than the whole build would."""
    digests = _digests(done)
    if digests is None:
        return None
    site = _light_site(shared, done, digests)
    empty = {scope.id for scope in site.scopes if not scope.inspections}

    def keep(shard: str) -> bool:
        """This process's part: the site-wide pages and files, and the (empty) pages of
        organisations without inspections, which no batch holds."""
        return shard == "" or shard in empty

    pages = site_pages(site, keep=keep)
    targets = {page.target for page in pages}.union(*(batch.targets for batch in done))
    links = [*(link for _, _, link in site.content.links),
             *(link for batch in done for link in batch.links)]
    if any(not leads_to_page(link, targets) for link in links):
        return None  # the whole build says which link leads nowhere, and where it is
    fingerprint = fingerprint.with_digests(digests)
    fingerprints = {page.file: fingerprint.of(page) for page in pages}
    csvs: dict[str, list[str]] = {}
    pieces: dict[str, bytes | Stored] = {}
    for batch in done:
        fingerprints.update(batch.fingerprints)
        csvs.update(batch.csvs)
        pieces.update(batch.pieces)
        writer.absorb(batch.written)
    assert builder.renderer is not None
    csvs.update(_render_share(builder.renderer, pages, writer))
    writer.write_all(data_files(site, pieces, keep=keep, renderer=builder.renderer))
    writer.changed.sort()
    lap("site-wide pages, data files")
    search_stale = builder.finish(writer, site, sorted(targets), urls, fingerprint,
                                  fingerprints, csvs, len(fingerprints), None, lap)
    builder.digests = digests
    return BuildResult(len(fingerprints), writer.count, writer.bytes,
                       time.perf_counter() - started, site.content, writer.changed,
                       len(fingerprints), timings, search_stale=search_stale,
                       search_pretty=urls.pretty, split=True)


def _digests(done: list[_Batch]) -> dict[str, str] | None:
    """Each inspection's file hash, by id; None if an organisation's inspections were in
    two batches, or an id was used twice (the whole build says where)."""
    owner: dict[str, int] = {}
    digests: dict[str, str] = {}
    for number, batch in enumerate(done):
        if any(owner.setdefault(organisation, number) != number
               for organisation in batch.organisations):
            return None
        digests.update(batch.digests)
    return digests if sum(len(batch.digests) for batch in done) == len(digests) else None


def _light_site(shared: Content, done: list[_Batch], digests: dict[str, str]) -> SiteView:
    """The site as the site-wide pages see it: every inspection's light view, in the site's
    order, under its organisation."""
    views = [view for _, view in sorted((pair for batch in done for pair in batch.views),
                                        key=lambda pair: pair[0])]
    content = replace(shared, digests=digests,
                      warnings=sorted([*shared.warnings,
                                       *(w for batch in done for w in batch.warnings)]))
    by_organisation: dict[str, list[InspectionView]] = {}
    for view in views:
        by_organisation.setdefault(view.inspection.organisation, []).append(view)
    scopes = []
    for org_id in sorted(content.organisations):
        prefix = organisation_prefix(org_id)
        own = by_organisation.get(org_id, [])
        # An organisation without inspections has its (empty) pages made here, from its
        # timeline and histories; the others' are their own batch's business.
        scopes.append(Scope(content.organisations[org_id], prefix, own,
                            [] if own else timeline_events(content, own),
                            [] if own else area_histories(content, own, prefix)))
    return SiteView(content, views, scopes)
