"""Site search: a Pagefind index of the pages marked for search, made reproducible.

Pagefind (the pagefind[bin] package carries its binary) writes its page fragments and word
index identically from run to run, but writes the values of each filter in hash-map order,
so the filter files, the metadata file that names them and the entry file that names that
change on every run. After indexing, the filter data is put in a stable order and the three
are renamed by a hash of their content, as Pagefind names them itself; the pages, the word
index and the JavaScript are untouched.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cbor2

from .urls import SEARCHED_PAGES

BUNDLE = "pagefind"
_SIGNATURE = b"pagefind_dcd"


class SearchIndexError(Exception):
    """Pagefind could not index the site."""


def index_search(folder: Path, keep_index_url: bool, bundle: Path | None = None,
                 background: bool = False,
                 started: Callable[[subprocess.Popen[str]], None] | None = None) -> None:
    """Index the pages under ``folder`` that carry ``data-pagefind-body``, into
    ``folder``/pagefind or else into ``bundle`` (the same files either way).

    ``background`` runs Pagefind at a low priority, so that it takes what the machine
    has spare (the dev server indexes while the editor goes on saving and rebuilding).
    ``started`` is given the Pagefind process, in a process group of its own, so that
    its caller can stop it (see stop_process_group).
    """
    bundle = bundle or folder / BUNDLE
    # Only the pages search finds are read: parsing every other page (comparisons repeat two
    # reports) cost Pagefind most of its time and memory.
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path",
               str(bundle.resolve()), "--silent", "--glob", SEARCHED_PAGES]
    if keep_index_url:
        command.append("--keep-index-url")  # links to files, as the rest of the site has
    nice = shutil.which("nice")
    if background and nice:
        command = [nice, "-n", "15", *command]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=started is not None) as process:
        if started is not None:
            started(process)
        stdout, stderr = process.communicate()
    if process.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise SearchIndexError("the search index could not be built: "
                               + (stderr.strip() or stdout.strip() or
                                  "pagefind produced no index (pip install 'pagefind[bin]')"))
    make_reproducible(bundle)


def stop_process_group(process: subprocess.Popen[str]) -> None:
    """Stop a process started in a group of its own, and whatever it started (``python -m
    pagefind`` runs Pagefind's binary as its child)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise SearchIndexError(f"unexpected Pagefind file format: {path.name}")
    return cbor2.loads(raw[len(_SIGNATURE):])


def _write(folder: Path, prefix: str, old_stem: str, suffix: str, value: Any) -> str:
    """Write ``value`` as a Pagefind file named by its content; returns the new stem."""
    data = _SIGNATURE + cbor2.dumps(value)
    language, _, old_hash = old_stem.rpartition("_")
    digest = hashlib.sha256(data).hexdigest()[: len(old_hash)]
    stem = f"{language}_{digest}"
    (folder / f"{prefix}{stem}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return stem


def make_reproducible(bundle: Path) -> None:
    """Sort Pagefind's filter data and rename the files that depend on it by content."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(meta_path)
        # meta[3] lists the filters as [name, file stem] (Pagefind 1.3 to 1.5).
        filters = meta[3]
        if not all(len(f) == 2 and (bundle / "filter" / f"{f[1]}.pf_filter").is_file()
                   for f in filters):
            raise SearchIndexError("unexpected Pagefind metadata layout; cannot make the "
                                   "search index reproducible")
        renamed = []
        for name, stem in sorted(filters):
            path = bundle / "filter" / f"{stem}.pf_filter"
            filter_name, values = _read(path)
            ordered = sorted([value, sorted(pages)] for value, pages in values)
            path.unlink()
            renamed.append([name, _write(bundle / "filter", "", stem, ".pf_filter",
                                         [filter_name, ordered])])
        meta[3] = renamed
        meta_path.unlink()
        language["hash"] = _write(bundle, "pagefind.", language["hash"], ".pf_meta", meta)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                          encoding="utf-8")
