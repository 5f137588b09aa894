"""The development server: rebuild on save, reload open pages, show errors in the page.

The first build goes to a private working folder; each later one updates it in place,
writing only the files that changed, each by an atomic rename (so a request never gets half
a file), and open pages reload once the build is done. That keeps a rebuild after one save
proportional to what the save changed, not to the size of the site. A build that fails on
the content changes nothing that is served, since content problems are found before
anything is written: the pages reload and an overlay lists every problem with its file,
line and column, until a save fixes them.

Reloading uses livereload's browser protocol and client (livereload.js over a WebSocket);
watching uses watchfiles (inotify), so a save is noticed at once rather than at the next
poll. Everything is served under the same base path as production.

livereload's own ``Server`` runs its own watcher and IOLoop and cannot restrict who connects
(its WebSocket accepts any origin), so the server is a tornado application of ours that
mounts livereload's handlers: its WebSocket as a subclass keeping tornado's same-origin
rule, and every route behind a tornado host rule that answers only to loopback names and
addresses, so that a web page cannot reach the server through a name it controls (DNS
rebinding).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, ioloop, netutil, web, websocket

from .build import Builder
from .errors import ContentError, Problem
from .render import TEMPLATES
from .search import SearchIndexError, index_search, stop_process_group
from .write import MARKER, exchange

log = logging.getLogger("gradeline.serve")
DEV_ASSETS = TEMPLATES / "dev"
#: How long to wait for more changes after the first one before rebuilding (editors often
#: write a file in several steps).
DEBOUNCE_MS = 30


@dataclass
class BuildStatus:
    """The outcome of the latest build, as the overlay shows it."""

    ok: bool = False
    number: int = 0
    problems: list[Problem] = field(default_factory=list)
    message: str = "Building…"
    seconds: float = 0.0
    changed: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The status for /__gradeline__/status.json."""
        return {
            "ok": self.ok, "build": self.number, "message": self.message,
            "seconds": round(self.seconds, 3),
            "problems": [{"file": p.file, "line": p.line, "column": p.column,
                          "field": p.field, "message": p.message, "text": str(p)}
                         for p in self.problems],
        }


class DevSite:
    """Builds into one folder, in place after the first build, and serves it through the
    ``current`` link once it first builds."""

    def __init__(self, builder: Builder, workdir: Path):
        self.builder = builder
        self.workdir = workdir
        self.folder = workdir / "site"
        self.current = workdir / "current"
        self.status = BuildStatus()
        self.lock = threading.Lock()
        self.index_lock = threading.Lock()
        #: A search index is being made; another is wanted (a build came since it began).
        self.indexing = self.index_wanted = False
        #: The Pagefind process making it, and the thread that waits for it.
        self.index_process: subprocess.Popen[str] | None = None
        self.index_thread: threading.Thread | None = None
        self.stopped = False

    def rebuild(self) -> BuildStatus:
        """Build once; after the first success, ``current`` serves the build. Never raises
        for content problems: they become the status that the overlay shows."""
        with self.lock:
            if self.stopped:
                return self.status
            number = self.status.number + 1
            built = (self.folder / MARKER).is_file()
            started = time.perf_counter()
            try:
                result = self.builder.build(self.folder, previous=self.folder if built
                                            else None, in_place=built)
            except ContentError as exc:
                self.status = BuildStatus(False, number, exc.problems,
                                          f"The build failed with {len(exc.problems)} "
                                          f"problem{'s' if len(exc.problems) != 1 else ''}; "
                                          "showing the last good build.",
                                          time.perf_counter() - started)
                log.warning("build %d failed:\n%s", number, exc)
                return self.status
            except Exception as exc:  # a bug or an OS error: report it, keep serving
                log.exception("build %d crashed", number)
                self.status = BuildStatus(False, number, [], f"The build crashed: {exc!r}",
                                          time.perf_counter() - started)
                return self.status
            if not self.current.is_symlink():
                self.current.symlink_to(self.folder.name)
            self.status = BuildStatus(True, number, [], "Built", result.seconds, result.changed)
            log.info("build %d: %d pages (%d rendered) in %.3f s (%d files changed)", number,
                     result.pages, result.rendered, result.seconds, len(result.changed))
            if result.search_stale:
                self._request_index(result.search_pretty)
            return self.status

    def _request_index(self, pretty: bool) -> None:
        """Remake the search index in the background: at once if none is being made, else
        once more when the one being made is done (saves come faster than indexing)."""
        with self.index_lock:
            self.index_wanted = True
            if self.indexing or self.stopped:
                return
            self.indexing = True
            self.index_thread = threading.Thread(target=self._index_until_current,
                                                 args=(pretty,), daemon=True)
            self.index_thread.start()

    def stop(self) -> None:
        """Stop the search index being made, if one is, and wait for its thread to clear
        up, and for a rebuild under way in another thread to end: either would otherwise go
        on writing in the working folder once it is gone."""
        with self.index_lock:
            self.stopped = True
            process, thread = self.index_process, self.index_thread
        if process is not None:
            stop_process_group(process)
        if thread is not None:
            thread.join(timeout=10)
        with self.lock:  # no rebuild starts once stopped
            pass

    def _index_started(self, process: subprocess.Popen[str]) -> None:
        with self.index_lock:
            self.index_process = process
        if self.stopped:  # stopped as it started
            stop_process_group(process)

    def _index_until_current(self, pretty: bool) -> None:
        while True:
            with self.index_lock:
                if not self.index_wanted or self.stopped:
                    self.indexing = False
                    return
                self.index_wanted = False
            self._reindex(self.folder, pretty)

    @property
    def search_current(self) -> bool:
        """Whether the search index covers the latest build."""
        with self.index_lock:
            return not (self.indexing or self.index_wanted)

    def _reindex(self, folder: Path, pretty: bool) -> None:
        """Remake the served site's search index beside it, then exchange it into place.

        Pagefind reads the pages while later saves may be rewriting some (each file is
        replaced whole); every build that renders pages starts another index after it.
        """
        scratch = Path(tempfile.mkdtemp(prefix="index-", dir=self.workdir))
        try:
            bundle = scratch / "pagefind"
            index_search(folder, keep_index_url=not pretty, bundle=bundle, background=True,
                         started=self._index_started)
            with self.lock:
                if (folder / "pagefind").is_dir() and exchange(bundle, folder / "pagefind"):
                    log.info("search index updated")
        except (OSError, SearchIndexError) as exc:
            log.warning("search index not updated: %s", exc)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)



class SiteHandler(web.StaticFileHandler):
    """Serves the current build; HTML pages get the dev script for reloads and the overlay."""

    dev_script = b'<script src="/__gradeline__/dev.js" defer></script>'

    def initialize(self, path: str, default_filename: str | None = None) -> None:
        super().initialize(path=path, default_filename=default_filename)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> str | None:
        return None  # every response is fresh ("no-store"); nothing to revalidate

    def parse_url_path(self, url_path: str) -> str:
        # A path no file can have (the system refuses a NUL byte) is the client's mistake.
        if "\x00" in url_path:
            raise web.HTTPError(400, "a NUL byte in the path")
        return super().parse_url_path(url_path)

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        self.body: bytes | None = None
        return super().validate_absolute_path(root, absolute_path)

    def _read(self) -> bytes:
        """The file as it is now, read once per request: the site is updated in place while
        it is served, so the response's length and its bytes must come from one reading."""
        if self.body is None:
            assert self.absolute_path is not None
            data = Path(self.absolute_path).read_bytes()
            if self.absolute_path.endswith(".html"):
                data = data.replace(b"</head>", self.dev_script + b"</head>", 1)
            self.body = data
        return self.body

    def get_content_size(self) -> int:
        return len(self._read())

    def get_content(self, abspath: str, start: int | None = None,  # type: ignore[override]
                    end: int | None = None) -> bytes:
        # Called on the handler (tornado calls it as a class method only to hash files for
        # versioned URLs, which the dev server does not use).
        return self._read()[start:end]

    async def get(self, path: str, include_body: bool = True) -> None:
        # Resolve "current" once per request: tornado resolves links itself, and checks the
        # file is inside the root, which it must compare with the real path.
        self.root = os.path.realpath(self.root)
        if not Path(self.root).exists():
            # No successful build yet: a page that carries the overlay.
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.write(NO_BUILD_PAGE.replace(b"</head>", self.dev_script + b"</head>"))
            return
        await super().get(path, include_body)


NO_BUILD_PAGE = (b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                 b"<title>No build yet</title></head><body><main><h1>No build yet</h1>"
                 b"<p>The site has not built successfully yet. The problems are listed "
                 b"over this page; fix them and save.</p></main></body></html>")


class StatusHandler(web.RequestHandler):
    """The latest build's outcome, for the overlay."""

    def initialize(self, site: DevSite) -> None:
        self.site = site

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps({**self.site.status.as_json(),
                               "search_current": self.site.search_current}))


class _NoWatcher:
    """livereload's WebSocket logs the file its own watcher saw change; here watchfiles
    watches, and every reload is of the whole page."""

    filepath = "*"


class ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket (its protocol, for its livereload.js client), open only to
    pages of this server: livereload accepts any origin, so that any web page open in the
    browser could connect; tornado's own rule accepts only the server's own origin."""

    watcher = _NoWatcher()
    live_css = True

    def check_origin(self, origin: str) -> bool:
        return websocket.WebSocketHandler.check_origin(self, origin)


class ForeignHost(web.RequestHandler):
    """Every request that names another host: refused (see ``loopback_hosts``)."""

    def prepare(self) -> None:
        raise web.HTTPError(403, "the dev server answers only to localhost")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}: this server answers only to addresses on this computer "
                    "(localhost, 127.0.0.1, [::1]).\n")


def loopback_hosts(host: str) -> str:
    """A pattern of the host names the server answers to (tornado's HostMatches): loopback
    names and addresses, the address it was told to listen on, and, listening on every
    address, any address. Never a name it was not given: a page elsewhere can point a name
    of its own at this computer (DNS rebinding), but not change an address."""
    names = [r"localhost", r"127(?:\.\d{1,3}){3}", r"\[::1\]"]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and address.is_unspecified:
        names += [r"\d{1,3}(?:\.\d{1,3}){3}", r"\[[0-9a-f:.]+\]"]
    elif address is not None:
        names.append(re.escape(f"[{address}]" if address.version == 6 else str(address)))
    return "(?:" + "|".join(names) + r")\Z"


def base_path(base_url: str | None) -> str:
    """The path part of the base URL, as served: "/" or "/reports/"."""
    path = urlsplit(base_url).path if base_url else "/"
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def make_app(site: DevSite, prefix: str, host: str = "127.0.0.1") -> web.Application:
    """The tornado application: the site under ``prefix``, plus reload and status routes,
    for requests to this computer's names (``loopback_hosts``); any other is refused."""
    handlers: list[Any] = [
        (r"/livereload", ReloadSocket),
        (r"/livereload\.js", LiveReloadJSHandler),
        (r"/__gradeline__/status\.json", StatusHandler, {"site": site}),
        (r"/__gradeline__/(dev\.js|dev\.css)", web.StaticFileHandler,
         {"path": str(DEV_ASSETS)}),
    ]
    if prefix != "/":
        handlers.append((r"/", web.RedirectHandler, {"url": prefix}))
        handlers.append((prefix.rstrip("/"), web.RedirectHandler, {"url": prefix}))
    handlers.append((prefix + "(.*)", SiteHandler,
                     {"path": str(site.current), "default_filename": "index.html"}))
    # Other paths are not found here (rather than passed on to the rule for other hosts).
    handlers.append((r".*", web.ErrorHandler, {"status_code": 404}))
    app = web.Application([(r".*", ForeignHost)])  # for every host not added below
    app.add_handlers(loopback_hosts(host), handlers)
    return app


def newest_change(paths: list[Path]) -> float:
    """The latest modification time of any file under ``paths``."""
    return max((p.stat().st_mtime for root in paths for p in root.rglob("*") if p.is_file()),
               default=0.0)


async def catch_up(site: DevSite, paths: list[Path], since: float) -> None:
    """Rebuild if anything changed between the first build and the watcher starting.

    The watcher cannot say when it is ready; once it has surely started, a change it may have
    missed shows as a file newer than the first build.
    """
    await asyncio.sleep(0.3)
    if newest_change(paths) >= since:
        await asyncio.get_running_loop().run_in_executor(None, site.rebuild)
        ReloadSocket.reload_waiters("*")


async def watch_and_rebuild(site: DevSite, paths: list[Path], stop: asyncio.Event) -> None:
    """Rebuild whenever a watched file changes, then tell open pages to reload."""
    loop = asyncio.get_running_loop()
    async for changes in watchfiles.awatch(*paths, debounce=DEBOUNCE_MS, step=10,
                                           stop_event=stop, recursive=True):
        log.info("changed: %s", ", ".join(sorted(Path(p).name for _, p in changes)))
        # Build in a thread so that the server keeps answering requests meanwhile.
        await loop.run_in_executor(None, site.rebuild)
        ReloadSocket.reload_waiters("*")


def serve(content_dir: Path, port: int = 8000, host: str = "127.0.0.1",
          base_url: str | None = None, templates: Path = TEMPLATES,
          ready: threading.Event | None = None) -> None:
    """Build, serve and watch until interrupted."""
    if not log.handlers:  # say what each rebuild did, as other dev servers do
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    builder = Builder(content_dir, base_url, templates, search_later=True)
    with _stopped_by_sigterm():
        workdir = Path(tempfile.mkdtemp(prefix="gradeline-serve-"))
        try:
            _serve(builder, workdir, port, host, base_url, templates, ready)
        except KeyboardInterrupt:
            print("Stopped.")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            ioloop.IOLoop.clear_current()


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (a process manager stopping the server, an editor closing its terminal)
    stops the server as Ctrl+C does, so that it removes its working folder: by default the
    signal ends Python at once. (Only in the main thread, where signals are handled.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve(builder: Builder, workdir: Path, port: int, host: str, base_url: str | None,
           templates: Path, ready: threading.Event | None) -> None:
    site = DevSite(builder, workdir)
    try:
        _serve_site(site, port, host, base_url, templates, ready)
    finally:
        site.stop()


def _serve_site(site: DevSite, port: int, host: str, base_url: str | None,
                templates: Path, ready: threading.Event | None) -> None:
    builder = site.builder
    content_dir = builder.content_dir
    first_build = time.time()
    site.rebuild()
    # The base path comes from the option or, failing that, from site.yaml.
    prefix = base_path(base_url or _configured_base_url(builder))

    async def main() -> None:
        app = make_app(site, prefix, host)
        server = httpserver.HTTPServer(app)
        sockets = netutil.bind_sockets(port, address=host)  # port 0: any free port
        server.add_sockets(sockets)
        actual = sockets[0].getsockname()[1]
        stop = asyncio.Event()
        print(f"Serving {content_dir} at http://{host}:{actual}{prefix} "
              f"(rebuilds on save; Ctrl+C stops)", flush=True)
        if ready is not None:
            ready.set()
        watched = [content_dir, templates]
        catching_up = asyncio.create_task(catch_up(site, watched, first_build))
        try:
            await watch_and_rebuild(site, watched, stop)
        finally:
            catching_up.cancel()
            server.stop()

    asyncio.run(main())


def _configured_base_url(builder: Builder) -> str | None:
    try:
        from .resolve import read_content

        return read_content(builder.content_dir, builder.cache).site.base_url
    except ContentError:
        return None
