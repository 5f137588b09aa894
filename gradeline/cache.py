"""The build cache: what one build keeps for the next, and how it knows what is unchanged.

- :class:`ContentCache`: each content file parsed and validated, kept while the file's bytes
  (their hash, not its size and time) are the same;
- cache files, in a folder beside the output: plain data (CBOR), never code, with a hash of
  their bytes; one that is missing, damaged, from other code or in a folder that others can
  write is left unused, with a one-line note, and made again;
- :class:`Fingerprints`: what each page's output depends on, as one hash;
- the manifest an earlier build left in its output folder (see write.py), which says which
  pages it made from what, and what each file holds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import cbor2

from . import __version__
from .errors import Problem
from .load import Document
from .write import MARKER

#: Where a build keeps what the next one reuses, beside the output folder.
CACHE_FOLDER = ".gradeline-cache"
#: The first line of every cache file, before the code's version and the payload's hash.
_HEADER = b"gradeline-cache 2\n"


@functools.cache
def cache_version() -> str:
    """Changes whenever Gradeline's code changes, which could change what it makes of the
    content or the pages it renders: caches and earlier output are then not reused."""
    source = hashlib.sha1(usedforsecurity=False)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        source.update(path.read_bytes())
    return source.hexdigest()


#: How long after its last change a file's times are trusted to show the next change.
RACY_NS = 2_000_000_000


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def file_signature(raw: bytes) -> str:
    """What a content file's cached entry is kept under: a hash of its bytes."""
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


def private_folder(folder: Path) -> str | None:
    """Why ``folder`` may not be trusted with what a build reads back (None: it may).

    A build reads its cache and reuses its earlier output: someone else who could write
    there could change the site. A folder that is a link, or is not this user's, or that
    others may write to, is not used."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{folder} cannot be read ({exc.strerror or exc})"
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return f"{folder} belongs to another user"
    if info.st_mode & stat.S_IWOTH:
        return f"{folder} may be written by every user"
    return None


def save_cache_file(path: Path, value: Any) -> None:
    """Keep ``value`` (plain data: dicts, lists, text, bytes, numbers) in a file for the
    next build, marked with this version of the code and the hash of its bytes."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("w+b") as handle:
        handle.write(_HEADER + cache_version().encode() + b"\n")
        # Encoded straight into the file, and hashed from it: the payload (tens of
        # megabytes on a large site) is never in memory beside the value it encodes.
        digest_at = handle.tell()
        handle.write(b"0" * hashlib.sha256().digest_size * 2 + b"\n")
        start = handle.tell()
        cbor2.dump(value, handle)
        handle.seek(start)
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
        handle.seek(digest_at)
        handle.write(digest.encode())
    temporary.replace(path)


def load_cache_file(path: Path) -> tuple[Any, str | None]:
    """What ``save_cache_file`` kept, or None, with a note saying why it was not read when
    it was there (damaged, unreadable, or in a folder others may write); a cache from an
    earlier version of the code is simply not used."""
    if not path.exists():
        return None, None
    if reason := private_folder(path.parent):
        return None, f"the cache was not used: {reason}"
    damaged = f"the cache file {path} is damaged; it will be made again"
    try:
        with path.open("rb") as handle:
            if handle.readline() != _HEADER or \
                    handle.readline().strip() != cache_version().encode():
                return None, None
            digest = handle.readline().strip()
            # Checked, then decoded, from the file: the payload (tens of megabytes on a
            # large site) is never in memory beside what it decodes to.
            start = handle.tell()
            if hashlib.file_digest(handle, "sha256").hexdigest().encode() != digest:
                return None, damaged
            handle.seek(start)
            try:
                return cbor2.load(handle), None
            except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
                return None, damaged
    except OSError as exc:
        return None, f"the cache file {path} could not be read ({exc.strerror or exc}); " \
                     "it will be made again"


def _entry_to_data(path: Path, kind: str, signature: str, doc: Document | None,
                   found: list[Problem]) -> list[Any]:
    """One cache entry as plain data (the parsed file, not the validated objects, which
    are slower to read back than to validate again)."""
    return [str(path), kind, signature,
            None if doc is None else [doc.display, doc.data, doc.digest,
                                      [[list(loc), key] for loc, key in doc.cited],
                                      [[list(loc), link] for loc, link in doc.links]],
            [[p.file, p.line, p.column, p.field, p.message, p.severity] for p in found]]


def _entry_from_data(item: Any) -> tuple[tuple[Path, str], tuple[str, Any]]:
    """A cache entry read back; raises ValueError (or TypeError) if it is not one."""
    path, kind, signature, doc, found = item
    if not (isinstance(path, str) and isinstance(kind, str) and isinstance(signature, str)):
        raise ValueError("not a cache entry")
    document = None
    if doc is not None:
        display, data, digest, cited, links = doc
        document = Document(Path(path), str(display), data, None, str(digest),
                            [(tuple(loc), str(key)) for loc, key in cited],
                            [(tuple(loc), str(link)) for loc, link in links])
    problems = [Problem(str(f), int(line), int(col), str(fld), str(msg), str(sev))
                for f, line, col, fld, msg, sev in found]
    return (Path(path), kind), (signature, (document, None, problems))


@dataclass
class ContentCache:
    """Parsed and validated files, reused while a file's bytes are the same.

    A long-running process (the dev server) keeps one, so that a rebuild after saving one
    file parses and validates only that file; the build command keeps one in a file.
    """

    #: (path, kind of file) -> (signature, (document, validated object, problems)).
    entries: dict[tuple[Path, str], tuple[str, Any]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    #: Whether a file's parsed data is kept once validated: only a cache saved to a file
    #: needs it (see save); without it a build holds each file's text once, not twice.
    keeps_data: bool = True
    #: Inspections that passed the cross-file checks, with what the checks depended on
    #: (see resolve.read_content); kept in memory only.
    checked: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    #: Each file's signature with what the file was when it was hashed (see
    #: known_signature); kept in memory only, for the dev server's rebuilds.
    identities: dict[Path, tuple[tuple[int, ...], str]] = field(default_factory=dict)

    def known_signature(self, path: Path) -> str | None:
        """The file's signature without reading it again, if the file is the one last
        hashed and unchanged since: the same inode, size, modification time and change
        time (tools may set a modification time back, never a change time)."""
        known = self.identities.get(path)
        if known is None:
            return None
        try:
            info = path.stat()
        except OSError:
            return None
        return known[1] if _identity(info) == known[0] else None

    def remember_signature(self, path: Path, info: os.stat_result, signature: str,
                           hashed_at: int) -> None:
        """Remember the signature of a file as ``info`` (taken before it was read) found
        it; ``hashed_at`` is when, in nanoseconds since the epoch. A file changed in the
        moment before it was hashed may change again without its times moving (they are
        coarse), so it is hashed again next time (git's rule for "racy" files)."""
        if hashed_at - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_NS:
            self.identities[path] = (_identity(info), signature)
        else:
            self.identities.pop(path, None)

    def get(self, path: Path, kind: str, signature: str) -> Any:
        """The cached result for this file, if its bytes are unchanged."""
        entry = self.entries.get((path, kind))
        if entry is not None and entry[0] == signature:
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None

    def put(self, path: Path, kind: str, signature: str, value: Any) -> None:
        """Remember the result for this version of the file."""
        self.entries[(path, kind)] = (signature, value)

    def save(self, path: Path) -> None:
        """Keep the cache in a file for the next build."""
        save_cache_file(path, [_entry_to_data(p, kind, signature, doc, found)
                               for (p, kind), (signature, (doc, _, found))
                               in self.entries.items()])

    @classmethod
    def load(cls, path: Path) -> tuple[ContentCache, str | None]:
        """The cache a previous build saved, or an empty one, with a note if it could not
        be used (see load_cache_file)."""
        value, note = load_cache_file(path)
        if value is None:
            return cls(), note
        try:
            return cls(dict(_entry_from_data(item) for item in value)), None
        except (ValueError, TypeError):
            return cls(), f"the cache file {path} is damaged; it will be made again"


class Fingerprinted(Protocol):
    """What a page's fingerprint is made of (see render.Page)."""

    target: str
    deps: frozenset[str] | None


class Fingerprints:
    """What a page's output depends on, as one hash: the code, the templates and static
    files, the shared content files, and the files of the inspections the page shows."""

    def __init__(self, digests: dict[str, str], shared_digest: str, templates: Path,
                 settings: Iterable[str], search: bool):
        base = hashlib.sha1(usedforsecurity=False)
        # Pages do not depend on whether the search index is built; the site does.
        base.update("|".join([cache_version(), *settings]).encode())
        self.search = search
        for path in sorted(p for p in templates.rglob("*") if p.is_file()):
            base.update(path.relative_to(templates).as_posix().encode())
            base.update(hashlib.sha1(path.read_bytes(), usedforsecurity=False).digest())
        base.update(shared_digest.encode())
        self.base = base
        #: What each inspection adds to a page's fingerprint (made once: tens of thousands
        #: of pages each depend on a few inspections).
        self.parts = {i: f"{i}:{digest}".encode() for i, digest in digests.items()}
        self.everything = hashlib.sha1(b"".join(self.parts[i] for i in sorted(self.parts)),
                                       usedforsecurity=False).hexdigest()

    def site(self) -> str:
        """The whole site's fingerprint: equal fingerprints mean an identical site."""
        h = self.base.copy()
        h.update(f"{self.everything}|search={self.search}".encode())
        return h.hexdigest()

    def of(self, page: Fingerprinted) -> str:
        """The page's fingerprint: equal fingerprints mean equal output."""
        h = self.base.copy()
        h.update(page.target.encode())
        if page.deps is None:
            h.update(self.everything.encode())
        else:
            h.update(b"".join(self.parts[i] for i in sorted(page.deps)))
        return h.hexdigest()


def file_stats(folder: Path, files: Iterable[str]) -> dict[str, Any]:
    """The size and modification time of each of ``files`` in ``folder`` as a build left
    them: a later build reuses a file only while they are the same (see unchanged_since),
    so that a page edited by hand is made again, not kept."""
    found = {}
    for rel in files:
        try:
            info = (folder / rel).stat()
        except OSError:
            continue
        found[rel] = [info.st_size, info.st_mtime_ns]
    return {"folder": str(folder.resolve()), "files": found}


def stats_for(folder: Path, stats: dict[str, Any] | None) -> dict[str, Any] | None:
    """``stats`` if they were recorded of ``folder`` (see file_stats), else None."""
    if not stats or stats.get("folder") != str(folder.resolve()):
        return None
    return stats


def unchanged_since(folder: Path, files: Iterable[str], stats: dict[str, Any] | None) -> bool:
    """Whether each of ``files`` is as the build that recorded ``stats`` of ``folder`` left
    it (see file_stats and stats_for)."""
    if not stats:
        return False
    recorded = stats["files"]
    for rel in files:
        try:
            info = (folder / rel).stat()
        except OSError:
            return False
        if recorded.get(rel) != [info.st_size, info.st_mtime_ns]:
            return False
    return True


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
