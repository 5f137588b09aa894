"""Stage 5, write: put a complete site in place, or leave the old one exactly as it was.

Files are written into a fresh folder beside the output folder. Only when every file is there
is the old output moved aside and the new one renamed into its place; a crash or a kill at
any earlier moment leaves the previous site untouched. A kill in the instant between the two
renames leaves the old site under a hidden name, and the next build puts it back first.

One build at a time writes an output folder: a second one (a CI retry, another terminal)
stops at once with a message naming the first, instead of both swapping folders under each
other. Whatever a build removes or replaces carries Gradeline's marker; a folder the build
did not make is never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

#: Written into every output folder so that Gradeline only ever replaces its own output; it
#: also lists each page's fingerprint and each file's size, for the next build to reuse.
MARKER = ".gradeline"
MARKER_NOTE = "This folder is built by Gradeline and is replaced whole on every build."


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as JSON, an entry a line (with no indent, json uses its C encoder: a
    site's manifest has thousands of entries and is written on every build)."""
    return json.dumps(manifest, sort_keys=True, separators=(",\n", ":")) + "\n"


class OutputError(Exception):
    """The output folder is unsafe to write (it would destroy something else)."""


def made_by_gradeline(folder: Path) -> bool:
    """Whether ``folder`` carries the marker a Gradeline build writes into everything it
    makes: a file named MARKER holding a JSON object with Gradeline's note. A file of that
    name with anything else in it (a user's own) does not count."""
    marker = folder / MARKER
    try:
        if marker.is_symlink() or not marker.is_file():
            return False
        with marker.open("rb") as handle:
            # A manifest lists every file of the site: megabytes for a large one, never more.
            data = json.loads(handle.read(MARKER_MAX_BYTES))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("note") == MARKER_NOTE


#: The most of a marker file read to recognise it (a larger one is not Gradeline's).
MARKER_MAX_BYTES = 256 << 20


def check_output_folder(out: Path, content: Path, project: Path | None = None) -> None:
    """Refuse output folders whose replacement would delete content or other work."""
    out_r, content_r = out.resolve(), content.resolve()
    home = Path.home().resolve()
    if out_r == content_r:
        raise OutputError(f"the output folder {out} is the content folder; choose another "
                          "(e.g. site/)")
    if out_r in content_r.parents:
        raise OutputError(f"the output folder {out} contains the content folder {content}; "
                          "building would delete it")
    if content_r in out_r.parents:
        raise OutputError(f"the output folder {out} is inside the content folder {content}; "
                          "choose a folder outside it (e.g. site/)")
    if project is not None and out_r == project.resolve():
        raise OutputError(f"the output folder {out} is the project folder; choose a folder "
                          "inside it (e.g. site/)")
    if out_r == Path(out_r.anchor) or out_r == home:
        raise OutputError(f"refusing to replace {out}; choose a folder of its own (e.g. site/)")
    if out_r.exists() and not out_r.is_dir():
        raise OutputError(f"the output path {out} is a file, not a folder")
    if out_r.is_dir() and any(out_r.iterdir()) and not made_by_gradeline(out_r):
        raise OutputError(f"the output folder {out} already holds files that Gradeline did not "
                          "build; empty it or choose another folder")


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _sibling(out: Path, label: str) -> Path:
    return out.parent / f".{out.name}.{label}-{os.getpid()}"


def _leftovers(out: Path, label: str, marked: bool = True) -> list[Path]:
    """The folders beside ``out`` that an interrupted build named ``label`` left: named
    exactly as :func:`_sibling` names them, and carrying the marker (or, with ``marked``
    False, not). A user's ``.site.old-backup`` or an unmarked ``.site.new-1`` is not one."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.{label}-\d+")
    return [path for path in sorted(out.parent.iterdir()) if pattern.fullmatch(path.name)
            and path.is_dir() and not path.is_symlink() and made_by_gradeline(path) == marked]


def recover(out: Path) -> None:
    """Undo what an interrupted build left: put a moved-aside site back, drop half-builds.
    Called with the output's lock held, so no other build is using them."""
    for stale in _leftovers(out, "new"):
        shutil.rmtree(stale, ignore_errors=True)
    for empty in _leftovers(out, "new", marked=False):
        with contextlib.suppress(OSError):
            empty.rmdir()  # killed before its marker was written; only if still empty
    olds = sorted(_leftovers(out, "old"), key=lambda p: p.stat().st_mtime)
    if olds and not out.exists():
        olds[-1].rename(out)
        olds = olds[:-1]
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)


class OutputLock:
    """Held while a build writes an output folder: an advisory lock (flock) on a file beside
    it, which names the process holding it.

    The system drops the lock when the process ends, however it ends, so a killed build
    never leaves the folder locked. The file is removed on release; a build that opened it
    just before then sees that it is gone, and opens the new one.
    """

    def __init__(self, out: Path):
        self.path = out.parent / f".{out.name}.lock"
        self.out = out
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise OutputError naming the build that has it."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 1000).decode("utf-8", "replace").strip()
                os.close(fd)
                raise OutputError(
                    f"another build is writing {self.out} ({holder or 'a process'}); wait "
                    "for it to finish, or build into another folder with --out") from None
            try:
                here = os.stat(self.path)
                mine = os.fstat(fd)
                current = (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)  # released and removed since we opened it: open the new one
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        command = " ".join(" ".join(sys.argv).split()) if sys.argv and sys.argv[0] \
            else sys.executable  # on one line, for the other build's message
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}, started {started}: {command}\n".encode())
        self.fd = fd

    def release(self) -> None:
        """Remove the file and let go of the lock (removed first, while still held)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self.fd)
        self.fd = None


def _site_parts(rel: str) -> list[str]:
    """The folders and file name of a site path, refused if it could leave the site.

    Paths come from ids that the model restricts, but a path must never leave the output
    folder whatever a future caller passes. Checked on the text, not by resolving it on
    disk (a system call per folder of every file).
    """
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise OutputError(f"refusing to write outside the output folder: {rel}")
    return parts


#: A file's bytes: whole, in parts written one after another (a large data file is made of
#: one piece per inspection, and joining them would hold it in memory twice), or a file to
#: copy, a block at a time.
Data = bytes | list[bytes] | Path


def _size(data: Data) -> int:
    if isinstance(data, Path):
        return data.stat().st_size
    return len(data) if isinstance(data, bytes) else sum(map(len, data))


def _blocks(data: Data) -> Iterator[bytes]:
    """The bytes of ``data`` in order, a file's a megabyte at a time."""
    if isinstance(data, bytes):
        yield data
    elif isinstance(data, Path):
        with data.open("rb") as source:
            yield from iter(functools.partial(source.read, 1 << 20), b"")
    else:
        yield from data


def _holds(path: str | Path, data: Data, size: int) -> bool:
    """Whether the file at ``path`` holds exactly ``data`` (False if unreadable)."""
    try:
        with open(path, "rb") as handle:
            return os.fstat(handle.fileno()).st_size == size and all(
                handle.read(len(block)) == block for block in _blocks(data))
    except OSError:
        return False


def _put(path: str | Path, data: Data) -> None:
    """Write ``data`` to a new file at ``path``."""
    with open(path, "wb") as handle:
        try:
            handle.writelines(_blocks(data))
        except OSError as exc:  # a full disk: say which file could not be written
            if exc.filename is not None:
                raise
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc


class Writer:
    """What both writers do: write files into a site, and account for what they wrote."""

    #: Files written anew (the rest were unchanged, and linked or kept).
    changed: list[str]
    #: The size of every file written or kept, by site path (for the manifest).
    sizes: dict[str, int]
    #: Files and bytes in the site.
    count: int
    bytes: int

    #: The paths this writer has written (in this process).
    written: set[str]

    def write(self, rel: str, data: Data) -> None:
        """Write one file at ``rel`` (a site path with forward slashes)."""
        raise NotImplementedError

    def sharing(self) -> Writer:
        """A writer into the same site, for another process rendering some pages; what it
        did goes back to this one through ``done`` and ``absorb``."""
        raise NotImplementedError

    def done(self) -> tuple[int, int, list[str], dict[str, int]]:
        """What this writer did: (count, bytes, changed, sizes), for ``absorb``."""
        return self.count, self.bytes, self.changed, self.sizes

    def absorb(self, other: tuple[int, int, list[str], dict[str, int]]) -> None:
        """Add what a sharing writer in another process did (see ``done``)."""
        raise NotImplementedError

    def abort(self) -> None:
        """Give up the build under way."""
        raise NotImplementedError

    def _first_time(self, rel: str) -> None:
        """Refuse to write a path twice in one build: one file would silently replace
        another (the site's paths are checked for clashes before writing; this is the
        last guard)."""
        if rel in self.written:
            raise OutputError(f"two files of this build have the same path, {rel}; one "
                              "would replace the other")
        self.written.add(rel)

    def copy_file(self, source: Path, rel: str) -> None:
        """Copy one file into the site."""
        self.write(rel, source)

    def write_all(self, files: Iterable[tuple[str, Data]]) -> None:
        """Write every (path, bytes) pair."""
        for rel, data in files:
            self.write(rel, data)

    def copy_tree(self, source: Path, rel: str) -> None:
        """Copy a folder of static files to ``rel`` in the site."""
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            self.write(f"{rel}/{path.relative_to(source).as_posix()}", path)


def _sizes_on_disk(root: Path, rel: str) -> dict[str, int]:
    """The size of each file under ``root``/``rel``, by site path (for files made by other
    means: the search index)."""
    folder = root / rel
    return {p.relative_to(root).as_posix(): p.stat().st_size
            for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else {}


class _Folders:
    """The folders a writer has made: each is made once, however many files go in it
    (asking the system again for each of thousands of files adds up)."""

    def __init__(self) -> None:
        self.made: set[str | Path] = set()

    def make(self, folder: str | Path) -> None:
        """Make ``folder`` (and its parents) unless this writer already has."""
        if folder not in self.made:
            os.makedirs(folder, exist_ok=True)
            self.made.add(folder)


class SiteWriter(Writer):
    """Collects the files of one build in a hidden folder, then swaps it into place.

    Given the folder of a previous build, files whose bytes are unchanged are hard-linked
    from it instead of written, and ``changed`` lists the files that are new or different.
    """

    def __init__(self, out: Path, previous: Path | None = None):
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        self.lock: OutputLock | None = OutputLock(out)
        self.lock.acquire()
        try:
            recover(out)
            self.staging = _sibling(out, "new")
            self.staging.mkdir()
            # Marked at once, so that if this build is killed the next one knows the folder
            # for its own leftover (commit writes the manifest over it).
            (self.staging / MARKER).write_text(json.dumps({"note": MARKER_NOTE}) + "\n",
                                               encoding="utf-8")
        except BaseException:
            self.lock.release()
            raise
        self.previous = previous
        self.count = 0
        self.bytes = 0
        self.changed: list[str] = []
        #: The size of every file written or linked, by site path (for the manifest).
        self.sizes: dict[str, int] = {}
        self.written = set()
        self._folders = _Folders()

    def sharing(self) -> SiteWriter:
        """A writer into the same staging folder, for another process rendering some pages;
        it keeps its own counts, which the owner adds to its own."""
        other = object.__new__(SiteWriter)
        other.out, other.staging, other.previous = self.out, self.staging, self.previous
        other.lock = None  # the owner's
        other.count, other.bytes, other.changed, other._folders = 0, 0, [], _Folders()
        other.sizes, other.written = {}, set()
        return other

    def _target(self, rel: str) -> Path:
        target = self.staging.joinpath(*_site_parts(rel))
        self._folders.make(target.parent)
        return target

    def _link_unchanged(self, rel: str, target: Path, data: Data, size: int) -> bool:
        if self.previous is None:
            return False
        old = self.previous.joinpath(*rel.split("/"))
        if not _holds(old, data, size):
            return False
        try:
            os.link(old, target)
        except OSError:
            return False
        return True

    def write(self, rel: str, data: Data) -> None:
        """Write one file at ``rel`` (a site path with forward slashes)."""
        self._first_time(rel)
        size = _size(data)
        target = self._target(rel)
        # Never write through a hard link: that would change the previous build's file too.
        target.unlink(missing_ok=True)
        if not self._link_unchanged(rel, target, data, size):
            _put(target, data)
            self.changed.append(rel)
        self.count += 1
        self.bytes += size
        self.sizes[rel] = size

    def reuse(self, rel: str) -> bool:
        """Link ``rel`` unchanged from the previous build; False if it has no such file."""
        if self.previous is None:
            return False
        old = self.previous.joinpath(*rel.split("/"))
        target = self._target(rel)
        try:
            os.link(old, target)
            size = target.stat().st_size
        except OSError:
            return False
        self.count += 1
        self.bytes += size
        self.sizes[rel] = size
        return True

    def reuse_tree(self, rel: str) -> bool:
        """Link a whole folder unchanged from the previous build; False if there is none."""
        if self.previous is None or not self.previous.joinpath(*rel.split("/")).is_dir():
            return False
        old_root = self.previous.joinpath(*rel.split("/"))
        for old in sorted(p for p in old_root.rglob("*") if p.is_file()):
            if not self.reuse(f"{rel}/{old.relative_to(old_root).as_posix()}"):
                return False
        return True

    def commit(self, manifest: dict[str, Any]) -> None:
        """Put the finished site in place of the old one, with its manifest."""
        sizes = {**self.sizes, **_sizes_on_disk(self.staging, "pagefind")}
        manifest = {**manifest, "files": dict(sorted(sizes.items()))}
        (self.staging / MARKER).write_text(manifest_text(manifest),
                                           encoding="utf-8")
        try:
            if not self.out.exists():
                self.staging.rename(self.out)
            elif exchange(self.staging, self.out):
                # One atomic step: there is no moment without a complete site.
                shutil.rmtree(self.staging, ignore_errors=True)
            else:
                old = _sibling(self.out, "old")
                self.out.rename(old)
                self.staging.rename(self.out)  # a kill between these is undone by recover()
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if self.lock is not None:
                self.lock.release()

    def absorb(self, other: tuple[int, int, list[str], dict[str, int]]) -> None:
        """Add what a sharing writer in another process did: (count, bytes, changed,
        sizes) (see ``sharing``)."""
        self.count += other[0]
        self.bytes += other[1]
        self.changed.extend(other[2])
        self.sizes.update(other[3])

    def abort(self) -> None:
        """Throw the unfinished build away; the old site was never touched."""
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.lock is not None:
            self.lock.release()


class InPlaceWriter(Writer):
    """Updates a finished site where it stands, for the dev server: only the files that
    change are written, each by an atomic rename, and files the site no longer has are
    removed at the end.

    A reader may see some pages of the new build beside pages of the old one while it
    runs (a request never sees half a file); the dev server reloads pages only once the
    build is done. A build that fails while writing forgets every page's fingerprint (see
    ``abort``), so the next one renders every page again. Publishing builds use
    :class:`SiteWriter`, which never touches the site it replaces.
    """

    def __init__(self, out: Path, manifest: dict[str, Any]):
        self.out = self.staging = out
        self.previous: Path | None = out
        self.manifest = manifest
        self.old_files: dict[str, int] = dict(manifest.get("files", {}))
        self.changed: list[str] = []
        self.sizes: dict[str, int] = {}
        self.written = set()
        self._folders = _Folders()

    @property
    def count(self) -> int:
        """Files in the site."""
        return len(self.sizes)

    @property
    def bytes(self) -> int:
        """Bytes in the site."""
        return sum(self.sizes.values())

    def _path(self, rel: str) -> str:
        return os.path.join(self.out, *_site_parts(rel))

    def write(self, rel: str, data: Data) -> None:
        """Write one file at ``rel`` unless it already holds exactly these bytes."""
        self._first_time(rel)
        size = _size(data)
        path = self._path(rel)
        self.sizes[rel] = size
        if self.old_files.get(rel) == size and _holds(path, data, size):
            return
        self._folders.make(os.path.dirname(path))
        temporary = f"{path}.{os.getpid()}.tmp"
        _put(temporary, data)
        os.replace(temporary, path)  # a reader gets the old file or the new one, whole
        self.changed.append(rel)

    def reuse(self, rel: str) -> bool:
        """Keep ``rel`` as it is; False if the last build did not write it. (The folder is
        the dev server's own: its manifest is trusted rather than every file looked at.)"""
        size = self.old_files.get(rel)
        if size is None:
            return False
        self.sizes[rel] = size
        return True

    def reuse_tree(self, rel: str) -> bool:
        """Keep a whole folder as it is; False if there is none."""
        found = _sizes_on_disk(self.out, rel)
        self.sizes.update(found)
        return bool(found)

    def prune(self) -> None:
        """Remove the files of the last build that this one has not written or kept
        (but the search index, made by other means)."""
        for rel in sorted(set(self.old_files) - set(self.sizes)):
            if rel.startswith("pagefind/"):
                continue
            path = Path(self._path(rel))
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == self.out or not folder.is_relative_to(self.out):
                    break
                try:
                    folder.rmdir()  # only if empty
                except OSError:
                    break

    def replace_tree(self, source: Path, rel: str) -> None:
        """Put the folder ``source`` in place of the site's folder ``rel`` in one step."""
        target = self.out.joinpath(*rel.split("/"))
        if not target.exists():
            source.rename(target)
        elif exchange(source, target):
            shutil.rmtree(source, ignore_errors=True)
        else:
            shutil.rmtree(target)
            source.rename(target)

    def commit(self, manifest: dict[str, Any]) -> None:
        """Remove what the site no longer has, then record the new manifest."""
        # The search index is made by other means (and remade by the dev server after the
        # build): it is whatever is on disk.
        self.sizes.update(_sizes_on_disk(self.out, "pagefind"))
        self.prune()
        self._record({**manifest, "files": dict(sorted(self.sizes.items()))})

    def sharing(self) -> InPlaceWriter:
        """A writer into the same site, for another process rendering some pages."""
        return InPlaceWriter(self.out, self.manifest)

    def absorb(self, other: tuple[int, int, list[str], dict[str, int]]) -> None:
        """Add what a sharing writer in another process did (see ``sharing``)."""
        self.changed.extend(other[2])
        self.sizes.update(other[3])

    def abort(self) -> None:
        """Leave the files written so far, but forget every page's fingerprint, so that the
        next build renders every page again instead of trusting what is on disk."""
        self._record({**self.manifest, "pages": {}, "site": None})

    def _record(self, manifest: dict[str, Any]) -> None:
        temporary = self.out / f"{MARKER}.tmp"
        temporary.write_text(manifest_text(manifest), encoding="utf-8")
        temporary.replace(self.out / MARKER)  # readers see the old manifest or the new
