"""The build, top to bottom: load, validate, derive, render, write.

Nothing is written until the content has been read and checked in full; the output then goes
to a hidden folder that replaces the old site only once it is complete.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .data import data_files
from .errors import ContentError
from .feeds import atom_feed, robots, sitemap
from .pages import broken_links, site_pages
from .parallel import can_fork
from .render import TEMPLATES, Page, Renderer, hash_assets, markdown_to_html
from .resolve import (
    Content,
    ContentCache,
    cache_saved,
    cache_version,
    load_cache_file,
    read_content,
    save_cache_file,
)
from .search import index_search
from .urls import Urls
from .vendor import PLOTLY_JS, plotly_bundle
from .views import SiteView, ViewCache, derive, inspection_url
from .write import MARKER, MARKER_NOTE, InPlaceWriter, SiteWriter, check_output_folder

#: The main navigation, (label, site path): for a site about one organisation, and for one
#: about several.
NAV = [("Inspections", ""), ("Timeline", "timeline/"), ("Areas", "areas/"),
       ("Compare", "compare/"), ("Tracker", "tracker/"), ("Data", "data/")]
NAV_MANY = [("Organisations", ""), ("Rounds", "rounds/"), ("Compare", "compare/"),
            ("Data", "data/")]


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the one-line summary."""

    pages: int
    files: int
    bytes: int
    seconds: float
    content: Content
    #: Files written anew (the rest were unchanged and linked from the previous build).
    changed: list[str] = field(default_factory=list)
    #: Pages rendered (the rest were unaffected by what changed, and reused).
    rendered: int = 0
    #: Seconds spent in each stage, in order.
    timings: dict[str, float] = field(default_factory=dict)
    #: Nothing had changed since the build already in place, so nothing was written.
    up_to_date: bool = False
    #: The search index is the previous build's, to be remade (see Builder.search_later).
    search_stale: bool = False
    search_pretty: bool = False
    #: Built in parts, one batch of organisations at a time (see shard.py).
    split: bool = False


class Builder:
    """Builds one content folder, again and again, reusing what has not changed.

    Parsed and validated files are reused while unchanged (kept in memory by the dev
    server, and in ``cache_dir`` between runs); markdown renders once per distinct text; a
    page whose inputs have not changed since the previous build is hard-linked from it
    instead of rendered again; and when nothing at all has changed, nothing is written.
    """

    def __init__(self, content_dir: Path = Path("content"), base_url: str | None = None,
                 templates: Path = TEMPLATES, search: bool = True,
                 workers: int | None = None, cache_dir: Path | None = None):
        self.content_dir = content_dir
        self.base_url = base_url
        self.templates = templates
        #: Whether to build the Pagefind search index (benchmarks and fuzzing may skip it).
        self.search = search
        #: Processes that render pages: every core, unless told otherwise.
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        #: Set by the dev server, which builds again and again: reuse the previous search
        #: index and let the caller remake it after publishing (indexing a large site takes
        #: seconds, a rebuild should not), and keep in this process what the next build
        #: reuses.
        self.search_later = False
        self.cache_file = cache_dir / "content.pickle" if cache_dir else None
        # A cache not saved to a file needs no parsed data once the file is validated.
        self.cache = ContentCache.load(self.cache_file) if self.cache_file \
            else ContentCache(keeps_data=False)
        #: Set when the builder builds only once (the build command): what a later build in
        #: the same process would reuse is then dropped as soon as it is not needed.
        self.once = False
        self.renderer: Renderer | None = None
        self.views = ViewCache()
        #: Pieces of the data files, kept from build to build (see data_files); read from
        #: the cache when first needed, by the process that makes the data files.
        self.data_file = cache_dir / "data.pickle" if cache_dir else None
        #: Compiled templates, kept for the next run (see Renderer).
        self.compiled = cache_dir / "templates" if cache_dir else None
        self._data_memo: dict[str, bytes] | None = None
        #: Each inspection file's hash at the last successful build.
        self.digests: dict[str, str] = {}

    def build(self, out_dir: Path, previous: Path | None = None,
              in_place: bool = False) -> BuildResult:
        """Build into ``out_dir``; raises ContentError before writing anything if the
        content has problems. Unchanged pages are linked from ``previous`` (an earlier build
        with its manifest), which may be ``out_dir`` itself.

        With ``in_place`` (the dev server), a complete earlier build in ``out_dir`` is
        updated where it stands, writing only what changed (see InPlaceWriter); a build
        for publishing always builds a whole new folder and swaps it in.
        """
        # A build allocates millions of small objects that live until it ends; the cyclic
        # garbage collector would scan them all again and again (a tenth of a one-file
        # rebuild in the dev server, whose heap holds the whole site). Reference counting
        # still frees everything else as it goes.
        with _collector_paused():
            return self._build(out_dir, previous, in_place)

    def _build(self, out_dir: Path, previous: Path | None, in_place: bool) -> BuildResult:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        clock = [started]

        def lap(stage: str) -> None:
            now = time.perf_counter()
            timings[stage] = now - clock[0]
            clock[0] = now

        if self.once and previous is None and not in_place and not (
                self.cache_file and cache_saved(self.cache_file)):
            # A cold build of the build command (no earlier output or cache to reuse) need
            # not hold the whole site in one process (see shard.py, which builds on this
            # module).
            from .shard import build_in_shards
            result = build_in_shards(self, out_dir, started, timings, lap)
            if result is not None:
                return result
        misses = self.cache.misses
        content = read_content(self.content_dir, self.cache)          # load + validate
        if self.cache_file and (self.cache.misses > misses or not cache_saved(self.cache_file)):
            # (Parts kept by a split build are read as they are: saving them as one file
            # would cost a build with nothing to do the memory of pickling everything.)
            self.cache.save(self.cache_file)
        if self.once:
            # The parsed files are not needed again: free them.
            self.cache = ContentCache(keeps_data=False)
        lap("load and validate")
        urls = Urls(self.base_url or content.site.base_url)
        fingerprint = Fingerprints(content, self.templates, urls, self.search)
        manifest = read_manifest(previous) if previous is not None else None
        if manifest is not None and previous is not None and previous.resolve() == \
                out_dir.resolve() and manifest.get("site") == fingerprint.site() and \
                manifest_intact(out_dir, manifest):
            # Nothing the site is made of has changed, and the site is all there.
            lap("up to date")
            return BuildResult(len(manifest["pages"]), len(manifest["files"]),
                               sum(manifest["files"].values()), time.perf_counter() - started,
                               content, [], 0, timings, up_to_date=True)
        known = manifest["pages"] if manifest else {}
        known_csvs = manifest.get("charts", {}) if manifest else {}

        site = derive(content, self.views)                           # derive views
        lap("derive")
        renderer = self.prepare_renderer(urls, content, site.single)
        pages = site_pages(site)
        if problems := broken_links(content, pages):
            raise ContentError(problems)
        lap("pages and charts")

        writer: SiteWriter | InPlaceWriter                           # render + write, swap
        if in_place and manifest is not None and previous is not None and \
                previous.resolve() == out_dir.resolve():
            writer = InPlaceWriter(out_dir, manifest)
        else:
            writer = SiteWriter(out_dir, previous=previous)
        fingerprints: dict[str, str] = {}
        #: Each page's chart CSV files, by page file (a page's charts are known only once
        #: it is rendered; the manifest keeps them for reusing the page).
        csvs: dict[str, list[str]] = {}
        todo = []
        try:
            for page in pages:
                fingerprints[page.file] = fingerprint.of(page)
                old_csvs = known_csvs.get(page.file, [])
                if known.get(page.file) == fingerprints[page.file] and all(
                        writer.reuse(rel) for rel in [page.file, *old_csvs]):
                    if old_csvs:
                        csvs[page.file] = old_csvs
                    continue  # nothing the page shows has changed
                todo.append(page)
            # The pages of the files just edited first: in place, they are on disk sooner.
            edited = {inspection_url(i) for i, digest in content.digests.items()
                      if self.digests.get(i) != digest}
            todo.sort(key=lambda page: page.target not in edited)
            # The data files are made while pages render, in another process if there is
            # one; but the dev server makes them itself, keeping their pieces for the next
            # build (see data_files).
            write_data = functools.partial(self._write_data, site)
            if self.search_later:
                write_data(writer)
            csvs.update(render_pages(renderer, todo, writer, self.workers,
                                     extra=None if self.search_later else write_data))
            rendered = len(todo)
            lap("render pages and data files")
            search_stale = self.finish(writer, site, [p.target for p in pages], urls,
                                       fingerprint, fingerprints, csvs, rendered, previous,
                                       lap)
        except BaseException:
            writer.abort()
            raise
        self.digests = content.digests
        return BuildResult(len(pages), writer.count, writer.bytes,
                           time.perf_counter() - started, content, writer.changed, rendered,
                           timings, search_stale=search_stale,
                           search_pretty=urls.pretty)

    def prepare_renderer(self, urls: Urls, content: Content, single: bool) -> Renderer:
        """The renderer, set up for this build (made once, then kept: see Renderer)."""
        context = {"site": content.site, "nav": NAV if single else NAV_MANY,
                   "plotly_js": plotly_bundle()[1]}
        if self.renderer is None:
            self.renderer = Renderer(urls, context, self.templates, self.compiled)
        renderer = self.renderer
        renderer.configure(urls, context)
        renderer.asset_hashes = hash_assets(self.templates / "static")
        return renderer

    def finish(self, writer: SiteWriter | InPlaceWriter, site: SiteView, targets: list[str],
               urls: Urls, fingerprint: Fingerprints, fingerprints: dict[str, str],
               csvs: dict[str, list[str]], rendered: int, previous: Path | None,
               lap: Callable[[str], None]) -> bool:
        """Once the pages and data files are written: the feeds, static files and search
        index, then the manifest, and the new site into place. Returns whether the search
        index is the previous build's, to be remade (see search_later)."""
        writer.write("feed.xml", atom_feed(site, urls))
        writer.write("robots.txt", robots(urls))
        site_map = sitemap([target for target in targets if target != "404.html"], urls)
        if site_map is not None:
            writer.write("sitemap.xml", site_map)
        writer.copy_tree(self.templates / "static", "static")
        writer.copy_file(PLOTLY_JS, f"static/{plotly_bundle()[1]}")
        lap("feeds and assets")
        search_stale = False
        if self.search and (rendered or not writer.reuse_tree("pagefind")):
            if self.search_later and previous is not None and writer.reuse_tree("pagefind"):
                search_stale = True  # the caller re-indexes once the site is served
            else:
                _index_search(writer, urls)
                lap("search index")
        writer.commit({"generator": f"Gradeline {__version__}",
                       "note": MARKER_NOTE, "site": fingerprint.site(),
                       "pages": dict(sorted(fingerprints.items())),
                       "charts": dict(sorted(csvs.items()))})
        lap("swap into place")
        return search_stale

    def _write_data(self, site: SiteView, writer: SiteWriter | InPlaceWriter) -> None:
        """Write the data files, from the pieces kept by earlier builds where unchanged,
        and keep the pieces (in the cache folder, by whichever process made them)."""
        if self._data_memo is None and (self.data_file or not self.once):
            self._data_memo = (load_cache_file(self.data_file) or {}) if self.data_file \
                else {}
        # A build with no cache and no later build keeps no pieces (tens of megabytes).
        memo = self._data_memo
        before = set(memo) if memo is not None else set()
        writer.write_all(data_files(site, memo))
        if memo is not None and self.data_file and set(memo) != before:
            save_cache_file(self.data_file, memo)


def _index_search(writer: SiteWriter | InPlaceWriter, urls: Urls) -> None:
    """Make the search index of the pages the writer holds."""
    if isinstance(writer, InPlaceWriter):
        # Made beside the site and swapped in whole: Pagefind does not remove the files
        # of an earlier index.
        out = writer.out
        fresh = out.parent / f".{out.name}.pagefind-{os.getpid()}"
        shutil.rmtree(fresh, ignore_errors=True)
        writer.prune()  # pages no longer in the site are not indexed
        index_search(out, keep_index_url=not urls.pretty, bundle=fresh)
        writer.replace_tree(fresh, "pagefind")
    else:
        index_search(writer.staging, keep_index_url=not urls.pretty)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Below this many pages a second process costs more than it saves.
PARALLEL_MIN_PAGES = 120
_JOB: tuple[Renderer, list[list[Page]], SiteWriter | InPlaceWriter,
           Callable[[SiteWriter | InPlaceWriter], None] | None, Any] | None = None


def chunks(pages: list[Page], workers: int) -> list[list[Page]]:
    """Pages in runs for the rendering processes to take one at a time: each
    organisation's pages in one run (so that one process converts its texts' Markdown,
    once), an organisation too large for a fair share cut into several; largest first, so
    that the last runs taken are small and the processes finish together."""
    size = max(PARALLEL_MIN_PAGES // 4, len(pages) // (workers * 8))
    by_shard: dict[str, list[Page]] = {}
    for page in pages:
        by_shard.setdefault(page.shard, []).append(page)
    runs = [own[i:i + size] for own in by_shard.values() for i in range(0, len(own), size)]
    return sorted(runs, key=len, reverse=True)  # stable: ties stay in page order


def render_pages(renderer: Renderer, pages: list[Page], writer: SiteWriter | InPlaceWriter,
                 workers: int,
                 extra: Callable[[SiteWriter | InPlaceWriter], None] | None = None
                 ) -> dict[str, list[str]]:
    """Render pages and their chart CSVs into the writer's staging folder; returns each
    rendered page's CSV files, by page file, for pages that have charts.

    With several cores and many pages, forked processes render beside this one: they
    inherit the derived site, so nothing is sent to them; each takes the next run of pages
    (see :func:`chunks`) until none is left, and writes its own files. The first helper
    makes the data files (``extra``) first; taking runs as they go keeps it from finishing
    last.
    """
    workers = min(workers, len(pages) // (PARALLEL_MIN_PAGES // 2) or 1)
    # The collector is paused during builds (see Builder.build), but rendering leaves
    # reference cycles behind (Jinja's contexts): _render_share collects them now and then.
    # Freezing what exists now makes that cheap (only objects made since are looked at),
    # and keeps the collector from touching, and so copying, what forked processes share.
    gc.freeze()
    try:
        if workers <= 1 or not can_fork():
            csvs = _render_share(renderer, pages, writer)
            if extra is not None:
                extra(writer)
            return csvs
        return _render_in_processes(renderer, pages, writer, workers, extra)
    finally:
        gc.unfreeze()


def _render_in_processes(renderer: Renderer, pages: list[Page],
                         writer: SiteWriter | InPlaceWriter, workers: int,
                         extra: Callable[[SiteWriter | InPlaceWriter], None] | None
                         ) -> dict[str, list[str]]:
    global _JOB
    renderer.compile_templates()
    context = multiprocessing.get_context("fork")
    _JOB = (renderer, chunks(pages, workers), writer, extra, context.Value("i", 0))
    try:
        with concurrent.futures.ProcessPoolExecutor(workers - 1, mp_context=context) as pool:
            futures = [pool.submit(_render_in_child, helper) for helper in range(1, workers)]
            csvs = _render_runs(writer)
            for future in futures:
                count, size, changed, sizes, theirs = future.result()
                writer.absorb((count, size, changed, sizes))
                csvs.update(theirs)
    finally:
        _JOB = None
    writer.changed.sort()
    return csvs


def _render_runs(writer: SiteWriter | InPlaceWriter) -> dict[str, list[str]]:
    """Take runs of pages one after another, until every run is taken, and render them."""
    assert _JOB is not None
    renderer, runs, _, _, taken = _JOB
    csvs: dict[str, list[str]] = {}
    shard = None
    while True:
        with taken.get_lock():
            number = taken.value
            taken.value = number + 1
        if number >= len(runs):
            return csvs
        if runs[number][0].shard != shard:
            # Another organisation's texts: the converted ones of the last are not needed
            # again here (each organisation's pages are rendered in one process).
            markdown_to_html.cache_clear()
            shard = runs[number][0].shard
        csvs.update(_render_share(renderer, runs[number], writer))
        gc.collect()


#: Pages rendered between two collections of the cycles rendering leaves behind.
COLLECT_EVERY = 64


def _render_share(renderer: Renderer, pages: list[Page], writer: SiteWriter | InPlaceWriter
                  ) -> dict[str, list[str]]:
    csvs = {}
    for number, page in enumerate(pages, 1):
        if number % COLLECT_EVERY == 0:
            gc.collect()
        writer.write(page.file, renderer.render(page).encode("utf-8"))
        for chart in page.charts:
            writer.write(chart.csv_path, chart.csv_bytes())
        if page.charts:
            csvs[page.file] = [chart.csv_path for chart in page.charts]
        page.release()
    return csvs


def _render_in_child(helper: int
                     ) -> tuple[int, int, list[str], dict[str, int], dict[str, list[str]]]:
    assert _JOB is not None
    _, _, parent, extra, _ = _JOB
    writer = parent.sharing()
    if helper == 1 and extra is not None:
        extra(writer)  # the first helper also makes the data files
    csvs = _render_runs(writer)
    return writer.count, writer.bytes, writer.changed, writer.sizes, csvs


class Fingerprints:
    """What a page's output depends on, as one hash: the templates and static files, the
    shared content files, and the files of the inspections the page shows."""

    def __init__(self, content: Content, templates: Path, urls: Urls, search: bool):
        base = hashlib.sha1(usedforsecurity=False)
        # Pages do not depend on whether the search index is built; the site does.
        base.update(f"{cache_version()}|{urls.base_url}|{plotly_bundle()[1]}".encode())
        self.search = search
        for path in sorted(p for p in templates.rglob("*") if p.is_file()):
            base.update(path.relative_to(templates).as_posix().encode())
            base.update(hashlib.sha1(path.read_bytes(), usedforsecurity=False).digest())
        base.update(content.shared_digest.encode())
        self.base = base
        self._use(content.digests)

    def _use(self, digests: dict[str, str]) -> None:
        #: What each inspection adds to a page's fingerprint (made once: tens of thousands
        #: of pages each depend on a few inspections).
        self.parts = {i: f"{i}:{digest}".encode() for i, digest in digests.items()}
        self.everything = hashlib.sha1(b"".join(self.parts[i] for i in sorted(self.parts)),
                                       usedforsecurity=False).hexdigest()

    def with_digests(self, digests: dict[str, str]) -> Fingerprints:
        """The same fingerprints over these inspections' files (by inspection id), for
        content read in parts (see shard.py)."""
        other = copy.copy(self)
        other._use(digests)
        return other

    def site(self) -> str:
        """The whole site's fingerprint: equal fingerprints mean an identical site."""
        h = self.base.copy()
        h.update(f"{self.everything}|search={self.search}".encode())
        return h.hexdigest()

    def of(self, page: Page) -> str:
        """The page's fingerprint: equal fingerprints mean equal output."""
        h = self.base.copy()
        h.update(page.target.encode())
        if page.deps is None:
            h.update(self.everything.encode())
        else:
            h.update(b"".join(self.parts[i] for i in sorted(page.deps)))
        return h.hexdigest()


def build(
    content_dir: Path = Path("content"),
    out_dir: Path = Path("site"),
    base_url: str | None = None,
    templates: Path = TEMPLATES,
    cache: bool = True,
    search: bool = True,
) -> BuildResult:
    """Build the site from ``content_dir`` into ``out_dir``.

    Raises ContentError (every content problem at once) or OutputError before anything is
    written; any failure leaves an existing ``out_dir`` exactly as it was. Unless ``cache``
    is off, parsed content is kept in a .gradeline-cache folder beside the output, and the
    existing output is reused for every page whose inputs have not changed.
    """
    check_output_folder(out_dir, content_dir, project=Path.cwd())
    cache_dir = out_dir.parent / CACHE_FOLDER if cache else None
    builder = Builder(content_dir, base_url, templates, search=search, cache_dir=cache_dir)
    builder.once = True
    return builder.build(out_dir, previous=out_dir if cache and out_dir.is_dir() else None)


#: Where a build keeps parsed content for the next one, beside the output folder.
CACHE_FOLDER = ".gradeline-cache"


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of an earlier build in ``folder`` (None if there is none, or it is
    from another version of Gradeline)."""
    try:
        manifest = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("generator") != f"Gradeline {__version__}":
        return None
    return manifest


def manifest_intact(folder: Path, manifest: dict[str, Any]) -> bool:
    """Whether every file the manifest lists is there, at its recorded size."""
    files = manifest.get("files", {})
    try:
        return bool(files) and all((folder / rel).stat().st_size == size
                                   for rel, size in files.items())
    except OSError:
        return False


def check(content_dir: Path = Path("content")) -> Content:
    """Validate the content without writing anything (raises ContentError), links to the
    site's own pages included."""
    content = read_content(content_dir)
    if content.links and (problems := broken_links(content, site_pages(derive(content)))):
        raise ContentError(problems)
    return content
