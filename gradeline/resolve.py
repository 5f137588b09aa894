"""Stage 2b, resolve: read the whole content folder and check what crosses files.

One file may be valid on its own and still wrong in context: a grade that is not on its
framework's scale, a follow-up of an inspection that does not exist, two files claiming the
same id. Every such problem is collected with its position; if there are any, one
:class:`ContentError` carries them all.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import itertools
import multiprocessing
import os
import pickle
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from .dates import PartialDate
from .errors import ContentError, Loc, Problem, ProblemList
from .load import Document, display_path, load_file
from .model import (
    NOT_GRADED,
    NOT_KNOWN,
    AreaRegistry,
    Framework,
    Inspection,
    Organisation,
    Scale,
    SiteConfig,
    Source,
    SourceRegistry,
)
from .parallel import can_fork
from .validate import suggest, validate_document

M = TypeVar("M", bound=BaseModel)
#: The fields of an inspection that list findings (items with ids that others refer to).
_ITEM_FIELDS = ("causes_of_concern", "areas_for_improvement", "recommendations")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Content:
    """Everything in the content folder, validated and cross-checked."""

    root: Path
    site: SiteConfig
    sources: dict[str, Source]
    areas: dict[str, Any]
    organisations: dict[str, Organisation]
    scales: dict[str, Scale]
    frameworks: dict[str, Framework]
    #: Oldest first: by publication date (or fieldwork when that is not known), then id.
    inspections: list[Inspection]
    warnings: list[Problem] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    #: Hash of each inspection's file, by inspection id.
    digests: dict[str, str] = field(default_factory=dict)
    #: One hash over every other content file: site, sources, areas, scales, frameworks,
    #: organisations. Every page depends on these.
    shared_digest: str = ""
    #: Every link to a page of the site in the content's text: the file, where, and where
    #: to (checked once the site's pages are known: see pages.broken_links).
    links: list[tuple[Document, Loc, str]] = field(default_factory=list)

    def inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id."""
        return self._by_id[inspection_id]

    def __post_init__(self) -> None:
        self._by_id = {i.id: i for i in self.inspections}

    def scale_of(self, framework_id: str) -> Scale:
        """The grading scale a framework uses."""
        return self.scales[self.frameworks[framework_id].scale]

    def source(self, inspection: Inspection | None, key: str) -> Source:
        """A cited source: the file's own first, then the shared registry."""
        if inspection is not None and key in inspection.sources:
            return inspection.sources[key]
        return self.sources[key]


def inspection_date(inspection: Inspection) -> PartialDate | None:
    """The date that places an inspection in time: publication, else the end of fieldwork."""
    if inspection.published:
        return inspection.published
    if inspection.fieldwork:
        last = inspection.fieldwork[-1]
        return last.end or last.start
    return None


@dataclass
class ContentCache:
    """Parsed and validated files, reused while a file's size and modification time stand.

    A long-running process (the dev server) keeps one, so that a rebuild after saving one
    file parses and validates only that file.
    """

    entries: dict[tuple[Path, str], tuple[tuple[int, int], Any]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    #: Whether a file's parsed data is kept once validated: only a cache saved to a file
    #: needs it (see save); without it a build holds each file's text once, not twice.
    keeps_data: bool = True
    #: Inspections that passed the cross-file checks, with what the checks depended on
    #: (see _Reader.read); kept in memory only.
    checked: dict[int, tuple[Any, ...]] = field(default_factory=dict)

    def get(self, path: Path, kind: str, signature: tuple[int, int]) -> Any:
        """The cached result for this file, if the file is unchanged."""
        entry = self.entries.get((path, kind))
        if entry is not None and entry[0] == signature:
            self.hits += 1
            return entry[1]
        self.misses += 1
        return None

    def put(self, path: Path, kind: str, signature: tuple[int, int], value: Any) -> None:
        """Remember the result for this version of the file."""
        self.entries[(path, kind)] = (signature, value)

    def save(self, path: Path, part: str | None = None) -> None:
        """Keep the cache in a file for the next build, in a form that is quick to load:
        the parsed data (plain lists and dicts; parsing YAML is the slow part), not the
        validated objects, which are slower to unpickle than to validate again. (For
        ``part``, see save_cache_file.)"""
        save_cache_file(path, {key: (signature, (doc.for_cache() if doc else None, None, found))
                               for key, (signature, (doc, _, found)) in self.entries.items()},
                        part)

    @classmethod
    def load(cls, path: Path) -> ContentCache:
        """The cache a previous build saved, or an empty one (missing, old or unreadable)."""
        entries = load_cache_file(path)
        return cls(entries) if isinstance(entries, dict) else cls()


def save_cache_file(path: Path, value: Any, part: str | None = None) -> None:
    """Keep ``value`` in a file for the next build, marked with this version of the code.

    A ``part`` (a dict: what one process of a split build made, see shard.py) goes in a
    file of its own beside ``path``, and is read with it (see load_cache_file); saving the
    whole file removes the parts, which it then holds.
    """
    target = path.with_name(f"{path.stem}.part-{part}{path.suffix}") if part else path
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        handle.write(cache_version().encode() + b"\n")  # read first, to skip old caches
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(target)
    if part is None:
        for old in cache_parts(path):
            old.unlink(missing_ok=True)


def cache_parts(path: Path) -> list[Path]:
    """The parts saved beside a cache file (see save_cache_file)."""
    return sorted(path.parent.glob(f"{path.stem}.part-*{path.suffix}"))


def cache_saved(path: Path) -> bool:
    """Whether a cache file, or any part of one, is there to be read."""
    return path.exists() or bool(cache_parts(path))


def load_cache_file(path: Path) -> Any:
    """What ``save_cache_file`` kept, with its parts, or None (missing, from other code,
    or unreadable); a part that cannot be read is left out (a cache misses, and that is
    all)."""
    value = _load_cache_file(path)
    for part in cache_parts(path):
        more = _load_cache_file(part)
        if isinstance(more, dict):
            if isinstance(value, dict):
                value.update(more)
            else:
                value = more
    return value


def _load_cache_file(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            if handle.readline().strip() != cache_version().encode():
                return None
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError,
            ImportError, TypeError):
        return None


@functools.cache
def cache_version() -> str:
    """Changes whenever Gradeline's code changes, which could change what it makes of the
    content or the pages it renders: caches and earlier output are then not reused."""
    source = hashlib.sha1(usedforsecurity=False)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        source.update(path.read_bytes())
    return source.hexdigest()


def read_content(root: Path, cache: ContentCache | None = None,
                 only: Collection[str] | None = None) -> Content:
    """Load, validate and cross-check every content file under ``root``.

    With ``only``, the inspections read are those in these folders (or files) directly
    under ``inspections/``: a part of the site, for a build split by organisation (see
    shard.py); every other content file is read as usual.

    Raises ContentError listing every problem found in every file.
    """
    reader = _Reader(root, cache, only)
    content = reader.read()
    if reader.errors:
        raise ContentError(reader.errors)
    assert content is not None
    content.warnings = sorted(reader.warnings)
    return content


def _walk(root: Path, only: Collection[str] | None = None, inspections: str = ""
          ) -> dict[Path, bool]:
    """Every YAML file under ``root``, with whether a link leads to it (a linked file, or
    a file in a linked folder); like ``rglob``, it does not descend into linked folders
    below ``root``, but lists what is in a linked folder it is given. With ``only``, of what
    is directly in the folder ``inspections``, only the entries so named."""
    found: dict[Path, bool] = {}
    pending = [(str(root), root.is_symlink())]
    while pending:
        folder, linked = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if only is not None and folder == inspections:
            entries = [entry for entry in entries if entry.name in only]
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, linked))
                elif entry.name.endswith(YAML_SUFFIXES) and entry.is_file():
                    found[Path(entry.path)] = linked or entry.is_symlink()
            except OSError:
                continue
    return found


#: Below this many inspection files to parse, a second process costs more than it saves.
PARALLEL_MIN_FILES = 200


def _parse_for_cache(paths: list[Path]) -> list[tuple[Path, tuple[int, int], Document]]:
    """Parse files that have no problems into cache entries (documents without positions,
    which are small to send between processes; a problem found later reads them again)."""
    parsed = []
    for path in paths:
        stat = path.stat()
        doc, problems = load_file(path)
        if doc is not None and not problems.items:
            parsed.append((path, (stat.st_mtime_ns, stat.st_size), doc.for_cache()))
    return parsed


def _errors(found: list[Problem]) -> bool:
    """Whether any of a file's problems is an error (not only warnings)."""
    return any(p.severity != "warning" for p in found)


class _Ahead:
    """Files being parsed in a forked process, handed back run by run as the reader reaches
    them: the reader validates (and frees the parsed data of) what it has before the rest
    arrives, rather than holding every parsed file at once."""

    #: Files in a run: small enough that few wait parsed at a time, large enough that
    #: handing them over costs little.
    RUN = 32

    def __init__(self, paths: list[Path], cache: ContentCache):
        self.cache = cache
        context = multiprocessing.get_context("fork")
        self.pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=context)
        runs = [paths[i:i + self.RUN] for i in range(0, len(paths), self.RUN)]
        self.pending: list[concurrent.futures.Future[Any] | None] = [
            self.pool.submit(_parse_for_cache, run) for run in runs]
        self.run_of = {path: number for number, run in enumerate(runs) for path in run}
        self.received = 0

    def receive(self, path: Path) -> None:
        """Wait for the run holding ``path`` (and those before it), into the cache."""
        number = self.run_of.get(path, -1)
        while self.received <= number:
            future = self.pending[self.received]
            assert future is not None
            for parsed, signature, doc in future.result():
                self.cache.put(parsed, Inspection.__name__, signature, (doc, None, []))
            self.pending[self.received] = None  # its parsed files are the cache's now
            self.received += 1

    def close(self) -> None:
        """Stop the process (at once, if reading ended early)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Reader:
    """Reads one content folder; gathers problems instead of stopping at the first."""

    def __init__(self, root: Path, cache: ContentCache | None = None,
                 only: Collection[str] | None = None):
        self.root = root
        self.cache = cache
        #: Only the inspections in these folders (or files) directly in the inspections
        #: folder are read (see read_content).
        self.only = only
        self._inspections = str(root / "inspections")
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.files: dict[str, Path] = {}
        #: Every YAML file in the folder, and whether a link leads to it (one walk; only
        #: those are resolved to see where they lead).
        self.walked = _walk(root, only, self._inspections) if root.is_dir() else {}
        self._ahead: _Ahead | None = None

    # -- reading files -----------------------------------------------------------------------


    def _validated(self, path: Path, model: type[M]) -> tuple[Document, M, ProblemList] | None:
        signature = None
        if self._ahead is not None:
            self._ahead.receive(path)
        if self.cache is not None:
            stat = path.stat()
            signature = (stat.st_mtime_ns, stat.st_size)
            cached = self.cache.get(path, model.__name__, signature)
            if cached is not None:
                doc, obj, found = cached
                if obj is None and doc is not None and not _errors(found):
                    # Parsed ahead, or from the cache file: to be validated into objects.
                    obj, invalid = self._validate(doc, model)
                    found = [*found, *invalid]
                    self.cache.put(path, model.__name__, signature, (doc, obj, found))
                self._report(found)
                if doc is not None:
                    self.files[doc.display] = path
                return (doc, obj, doc.problems()) if obj is not None else None
        doc, parsed = load_file(path)
        found = list(parsed.items)
        obj = None
        if doc is not None:
            self.files[doc.display] = path
            obj, invalid = self._validate(doc, model)
            found += invalid
        self._report(found)
        if self.cache is not None and signature is not None:
            self.cache.put(path, model.__name__, signature, (doc, obj, found))
        if doc is None or obj is None:
            return None
        return doc, obj, doc.problems()

    def _validate(self, doc: Document, model: type[M]) -> tuple[M | None, list[Problem]]:
        """Validate a parsed file into objects; its problems if it is not valid."""
        problems = doc.problems()
        obj = validate_document(doc, model, problems)
        if obj is not None:
            # A valid file's positions are read again from it if another file's check needs
            # one; its parsed data is kept only for a cache saved to a file.
            doc.drop_positions()
            if self.cache is None or not self.cache.keeps_data:
                doc.data = None
        return obj, problems.items

    def _parse_ahead(self) -> None:
        """With many inspection files to parse (a cold build), have a forked process parse
        every other one meanwhile, in runs handed back as they are done (see _Ahead);
        validating them stays here, file by file, as before."""
        if self.cache is None or not can_fork():
            return
        folder = str(self.root / "inspections") + os.sep
        todo = []
        for path, linked in self.walked.items():
            if linked or not str(path).startswith(folder):
                continue  # a linked file is looked at on its own first
            entry = self.cache.entries.get((path, Inspection.__name__))
            stat = path.stat()
            if entry is None or entry[0] != (stat.st_mtime_ns, stat.st_size):
                todo.append(path)
        if len(todo) < PARALLEL_MIN_FILES:
            return
        todo.sort(key=lambda p: p.parts)  # the order _folder reads them in
        self.cache.misses += len(todo)  # they were not in the cache: it is to be saved
        self._ahead = _Ahead(todo[1::2], self.cache)

    def _inside(self, path: Path) -> bool:
        """Files reached through a link that leads out of the content folder are refused:
        content must not pull in other files of the machine."""
        if not self.walked.get(path, True) or path.resolve().is_relative_to(
                self.root.resolve()):
            return True
        self.errors.append(Problem(display_path(path), 1, 1, "",
                                   "this file is a link to a file outside the content folder; "
                                   "content files must be inside it"))
        return False

    def _folder(self, name: str, model: type[M]) -> list[tuple[Document, M, ProblemList]]:
        folder = self.root / name
        if folder.is_symlink():
            # Its files are not walked (as with rglob); list them, each to be checked.
            self.walked.update(_walk(folder, self.only, self._inspections))
        found = []
        inside = str(folder) + os.sep
        for path in sorted((p for p in self.walked if str(p).startswith(inside)),
                           key=lambda p: p.parts):  # the order of sorting Paths, faster
            if not self._inside(path):
                continue
            item = self._validated(path, model)
            if item is not None:
                found.append(item)
        return found

    def _report(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            (self.warnings if p.severity == "warning" else self.errors).append(p)

    def read(self) -> Content | None:
        try:
            return self._read()
        finally:
            if self._ahead is not None:
                self._ahead.close()
                self._ahead = None

    def _read(self) -> Content | None:
        if not self.root.is_dir():
            self.errors.append(Problem(str(self.root), 1, 1, "",
                                       "the content folder does not exist"))
            return None
        site_path = self.root / "site.yaml"
        if not site_path.is_file():
            self.errors.append(Problem(str(site_path), 1, 1, "",
                                       "the site config file is missing (it names the site "
                                       "and its kinds of inspection and inspectorates)"))
        self._parse_ahead()
        site = (self._validated(site_path, SiteConfig)
                if site_path.is_file() and self._inside(site_path) else None)
        registry = self._optional_file("sources.yaml", SourceRegistry)
        areas_file = self._optional_file("areas.yaml", AreaRegistry)
        organisations = self._folder("organisations", Organisation)
        scales = self._folder("scales", Scale)
        frameworks = self._folder("frameworks", Framework)
        inspections = self._folder("inspections", Inspection)
        self._warn_stray_files()

        shared_sources = registry[1].sources if registry else {}
        if registry:
            warn_sources_without_url(shared_sources, registry[2])
            self._report(registry[2].items)
        area_ids: dict[str, Any] = {}
        if areas_file:
            doc, reg, problems = areas_file
            for i, area in enumerate(reg.areas):
                if area.id in area_ids:
                    problems.add(("areas", i, "id"), f"duplicate area id '{area.id}'")
                area_ids.setdefault(area.id, area)
            self._report(problems.items)

        orgs = self._unique("organisation", organisations)
        scale_map = self._unique("scale", scales)
        for doc, scale, problems in scales:
            self._check_scale(scale, problems)
            self._check_cites(doc, scale.sources, shared_sources, problems)
            self._report(problems.items)
        frame_map = self._unique("framework", frameworks)
        kinds = site[1].kinds if site else {}
        for doc, fw, problems in frameworks:
            self._check_framework(fw, area_ids, scale_map, kinds, problems)
            self._check_cites(doc, fw.sources, shared_sources, problems)
            self._report(problems.items)
        for doc, org, problems in organisations:
            self._check_cites(doc, org.sources, shared_sources, problems)
            self._report(problems.items)

        shared_files = [*([site] if site else []), *organisations, *scales, *frameworks,
                        *([registry] if registry else []), *([areas_file] if areas_file else [])]
        shared = sorted(doc.digest for doc, _, _ in shared_files)
        shared_digest = hashlib.sha1("".join(shared).encode(), usedforsecurity=False).hexdigest()
        insp_map = self._unique("inspection", inspections)
        checker = _InspectionChecks(site[1] if site else None, orgs, area_ids, scale_map,
                                    frame_map, insp_map, shared_sources)
        resolved: list[Inspection] = []
        checked: dict[int, tuple[Any, ...]] = {}
        known = self.cache.checked if self.cache is not None else {}
        for doc, insp, problems in inspections:
            # An unchanged file (the same object, from the cache) checked against the same
            # shared files and the same inspections it refers to passes again: skip it.
            entry = known.get(id(insp))
            if entry is None or entry[0] is not insp or entry[1] != shared_digest or any(
                    insp_map.get(ref) is not target for ref, target in entry[2]):
                before = len(problems.items)
                entry = (insp, shared_digest, tuple((ref, insp_map.get(ref))
                                                    for ref in _references(insp)),
                         checker.check(insp, problems))
                self._check_cites(doc, insp.sources, shared_sources, problems)
                resolved.append(entry[3])
                if len(problems.items) == before:  # else reported again every time
                    checked[id(insp)] = entry
            else:
                resolved.append(entry[3])
                checked[id(insp)] = entry
            self._report(problems.items)
        if self.cache is not None:
            self.cache.checked = checked

        if site is None or self.errors:
            return None
        digests = {insp.id: doc.digest for doc, insp, _ in inspections}
        links = [(doc, loc, target) for doc, _, _ in [*shared_files, *inspections]
                 for loc, target in doc.links]
        resolved.sort(key=lambda i: ((inspection_date(i) or PartialDate(1900)).sort_key, i.id))
        return Content(
            root=self.root, site=site[1], sources=dict(shared_sources), areas=area_ids,
            organisations=orgs, scales=scale_map, frameworks=frame_map, inspections=resolved,
            files=self.files, digests=digests, shared_digest=shared_digest, links=links,
        )

    def _optional_file(self, name: str, model: type[M]) -> tuple[Document, M, ProblemList] | None:
        path = self.root / name
        return self._validated(path, model) if path.is_file() and self._inside(path) else None

    def _warn_stray_files(self) -> None:
        known = {"site.yaml", "sources.yaml", "areas.yaml"}
        folders = {"organisations", "scales", "frameworks", "inspections"}
        for path in sorted(self.walked, key=lambda p: p.parts):
            rel = path.relative_to(self.root)
            if rel.parts[0] not in folders and str(rel) not in known:
                self.warnings.append(Problem(
                    display_path(path), 1, 1, "",
                    "this file is not read: content files belong in site.yaml, sources.yaml, "
                    "areas.yaml, or the folders " + ", ".join(sorted(folders)),
                    "warning"))

    def _unique(self, what: str, items: list[tuple[Document, M, ProblemList]]) -> dict[str, M]:
        """Index items by id, reporting every id used by more than one file."""
        by_id: dict[str, tuple[Document, M]] = {}
        for doc, obj, _ in items:
            obj_id = obj.id  # type: ignore[attr-defined]
            if obj_id in by_id:
                first_doc = by_id[obj_id][0]
                line = first_doc.positions.of_value(("id",))[0]
                problems = doc.problems()
                problems.add(("id",), f"duplicate {what} id '{obj_id}' (also used in "
                                      f"{first_doc.display}:{line})")
                self.errors.extend(problems.items)
                continue
            by_id[obj_id] = (doc, obj)
        return {k: v[1] for k, v in by_id.items()}

    # -- checks on scales and frameworks -----------------------------------------------------

    @staticmethod
    def _check_scale(scale: Scale, problems: ProblemList) -> None:
        seen: set[str] = set()
        for i, grade in enumerate(scale.grades):
            word = grade.label.casefold()
            if word in (NOT_GRADED, NOT_KNOWN):
                problems.add(("grades", i, "label"), f"'{grade.label}' is reserved for areas "
                                                     "without a grade; choose another label")
            if word in seen:
                problems.add(("grades", i, "label"), f"grade '{grade.label}' is listed twice")
            seen.add(word)

    @staticmethod
    def _check_framework(fw: Framework, areas: dict[str, Any], scales: dict[str, Scale],
                         kinds: dict[str, Any], problems: ProblemList) -> None:
        if fw.scale not in scales:
            problems.add(("scale",), _unknown("scale", fw.scale, scales))
        if kinds and fw.kind not in kinds:
            problems.add(("kind",), _unknown("kind", fw.kind, kinds))
        ids = [a.area for a in fw.areas]
        for i, fa in enumerate(fw.areas):
            if fa.area not in areas:
                problems.add(("areas", i, "area"), _unknown("area", fa.area, areas,
                                                            where="areas.yaml"))
            if ids.index(fa.area) != i:
                problems.add(("areas", i, "area"), f"area '{fa.area}' is listed twice")
            if fa.parent is not None and fa.parent not in ids:
                problems.add(("areas", i, "parent"), _unknown(
                    "area", fa.parent, ids, where=f"framework {fw.id}"))

    # -- sources -----------------------------------------------------------------------------

    @staticmethod
    def _check_cites(doc: Document, local: dict[str, Source], shared: dict[str, Source],
                     problems: ProblemList) -> None:
        """Every cited key must name a source; local keys may not hide shared ones."""
        for key in local:
            if key in shared:
                problems.add(("sources", key), f"source key '{key}' is also in sources.yaml; "
                                               "use that one or choose another key",
                             at_key=True)
        known = [*local, *shared]
        for loc, key in doc.cited:
            if key not in local and key not in shared:
                problems.add(loc, _unknown("source", key, known,
                                           where="this file's sources or sources.yaml"))
        warn_sources_without_url(local, problems)


def warn_sources_without_url(sources: dict[str, Source], problems: ProblemList) -> None:
    """A source readers cannot follow is allowed (a letter, a seed copy) but worth a warning."""
    for key, source in sources.items():
        if not source.url:
            held = " (the project holds a copy)" if source.seed else ""
            problems.add(("sources", key), f"source has no url, so readers cannot look it "
                                           f"up{held}", at_key=True, severity="warning")


def _unknown(what: str, value: str, known: Iterable[str], where: str = "") -> str:
    known = sorted(known)
    listed = ", ".join(known) if len(known) <= 12 else ", ".join(known[:12]) + ", ..."
    place = f" in {where}" if where else ""
    return f"'{value}' is not a known {what}{place}{suggest(value, known)} (known: {listed})"


def _references(insp: Inspection) -> set[str]:
    """The ids of the other inspections an inspection refers to."""
    refs = {insp.follows_up} if insp.follows_up else set()
    for group in _ITEM_FIELDS:
        refs.update(item.continues.partition("#")[0] for item in getattr(insp, group)
                    if item.continues)
    refs.update(ref.partition("#")[0] for p in insp.progress for ref in p.items)
    return refs


class _InspectionChecks:
    """Cross-file checks for inspections, with everything they refer to at hand."""

    def __init__(self, site: SiteConfig | None, orgs: dict[str, Organisation],
                 areas: dict[str, Any], scales: dict[str, Scale],
                 frameworks: dict[str, Framework], inspections: dict[str, Inspection],
                 shared_sources: dict[str, Source]):
        self.site = site
        self.orgs = orgs
        self.areas = areas
        self.scales = scales
        self.frameworks = frameworks
        self.inspections = inspections
        self.shared_sources = shared_sources

    def check(self, insp: Inspection, problems: ProblemList) -> Inspection:
        """Report every cross-file problem; return the inspection with grades in scale casing."""
        if insp.organisation not in self.orgs:
            problems.add(("organisation",), _unknown("organisation", insp.organisation,
                                                     self.orgs))
        if self.site is not None:
            if insp.kind not in self.site.kinds:
                problems.add(("kind",), _unknown("kind", insp.kind, self.site.kinds,
                                                 where="site.yaml"))
            for i, body in enumerate(insp.inspectorates):
                if body not in self.site.inspectorates:
                    problems.add(("inspectorates", i), _unknown(
                        "inspectorate", body, self.site.inspectorates, where="site.yaml"))
        self._check_dates(insp, problems)
        self._check_follow_up(insp, problems)
        judgments = self._check_judgments(insp, problems)
        self._check_amendments(insp, judgments, problems)
        self._check_items(insp, problems)
        self._check_case_files(insp, problems)
        if not insp.summary:
            problems.add(("id",), "inspection has no summary; readers see only its grades",
                         severity="warning")
        if judgments != insp.judgments:
            return insp.model_copy(update={"judgments": judgments})
        return insp

    def _check_dates(self, insp: Inspection, problems: ProblemList) -> None:
        for i, visit in enumerate(insp.fieldwork):
            if visit.end is not None and visit.end.end() < visit.start.start():
                problems.add(("fieldwork", i, "end"), f"fieldwork ends ({visit.end}) before it "
                                                      f"starts ({visit.start})")
        if insp.published is not None and insp.fieldwork:
            first = insp.fieldwork[0].start
            if insp.published.end() < first.start():
                problems.add(("published",), f"published ({insp.published}) before its "
                                             f"fieldwork began ({first})")
        if insp.published is None and not insp.fieldwork:
            problems.add(("published",), "give 'published' or 'fieldwork' so that the "
                                         "inspection can be placed in time")

    def _check_follow_up(self, insp: Inspection, problems: ProblemList) -> None:
        target_id = insp.follows_up
        if target_id is None:
            return
        if target_id == insp.id:
            problems.add(("follows_up",), "an inspection cannot follow up itself")
            return
        target = self.inspections.get(target_id)
        if target is None:
            problems.add(("follows_up",), _unknown("inspection", target_id, self.inspections))
            return
        mine, theirs = inspection_date(insp), inspection_date(target)
        if mine and theirs and mine.end() < theirs.start():
            problems.add(("follows_up",), f"follows up '{target_id}' ({theirs}), which is "
                                          f"later than this inspection ({mine})")

    def _grade_words(self, framework: Framework) -> dict[str, str]:
        scale = self.scales.get(framework.scale)
        return {g.label.casefold(): g.label for g in scale.grades} if scale else {}

    def _check_judgments(self, insp: Inspection, problems: ProblemList) -> list[Any]:
        if not insp.judgments:
            return insp.judgments
        if insp.framework is None:
            problems.add(("judgments",), "judgments need a framework: add 'framework: <id>' "
                                         f"(known: {', '.join(sorted(self.frameworks))})")
            return insp.judgments
        framework = self.frameworks.get(insp.framework)
        if framework is None:
            problems.add(("framework",), _unknown("framework", insp.framework, self.frameworks))
            return insp.judgments
        words = self._grade_words(framework)
        allowed = ", ".join(words.values())
        areas = {fa.area: fa for fa in framework.areas}
        first_index: dict[str, int] = {}
        out = []
        for i, judgment in enumerate(insp.judgments):
            grade = judgment.grade.strip()
            fa = areas.get(judgment.area)
            if fa is None:
                problems.add(("judgments", i, "area"), _unknown(
                    "area", judgment.area, areas, where=f"framework {framework.id}"))
            if judgment.area in first_index:
                first = first_index[judgment.area]
                problems.add(("judgments", i, "area"),
                             f"area '{judgment.area}' is judged twice (also judgments[{first}])")
            first_index.setdefault(judgment.area, i)
            key = grade.casefold()
            if key in (NOT_GRADED, NOT_KNOWN):
                grade = key
            elif key in words:
                grade = words[key]
                if fa is not None and not fa.graded:
                    problems.add(("judgments", i, "grade"), f"area '{judgment.area}' is not "
                                 f"graded in framework {framework.id}; write '{NOT_GRADED}'")
            elif words:
                problems.add(("judgments", i, "grade"), f"'{judgment.grade}' is not a grade of "
                             f"framework {framework.id} (allowed: {allowed})")
            out.append(judgment if grade == judgment.grade else
                       judgment.model_copy(update={"grade": grade}))
        return out

    def _check_amendments(self, insp: Inspection, judgments: list[Any],
                          problems: ProblemList) -> None:
        graded = {j.area: j.grade for j in judgments}
        framework = self.frameworks.get(insp.framework or "")
        words = self._grade_words(framework) if framework else {}
        current = dict(graded)
        # Amendments apply in date order, each to the grade the previous one left.
        for index, am in sorted(enumerate(insp.amendments), key=lambda p: p[1].date.sort_key):
            if am.area not in graded:
                problems.add(("amendments", index, "area"), f"area '{am.area}' has no judgment "
                             "in this inspection to amend")
                continue
            from_word = words.get(am.from_grade.casefold(), am.from_grade)
            if from_word != current[am.area]:
                problems.add(("amendments", index, "from"), f"'{am.from_grade}' is not the "
                             f"grade of '{am.area}' before this amendment ({current[am.area]})")
            to_word = am.to_grade.casefold()
            if to_word not in words:
                problems.add(("amendments", index, "to"), f"'{am.to_grade}' is not a grade of "
                             f"framework {insp.framework} (allowed: {', '.join(words.values())})")
            else:
                current[am.area] = words[to_word]
            if insp.published is not None and am.date.end() < insp.published.start():
                problems.add(("amendments", index, "date"), f"amended ({am.date}) before the "
                             f"report was published ({insp.published})")

    def _check_items(self, insp: Inspection, problems: ProblemList) -> None:
        seen: dict[str, str] = {}
        framework = self.frameworks.get(insp.framework or "")
        areas = [fa.area for fa in framework.areas] if framework else list(self.areas)
        for group in _ITEM_FIELDS:
            for i, item in enumerate(getattr(insp, group)):
                if item.id in seen:
                    problems.add((group, i, "id"), f"item id '{item.id}' is used twice in this "
                                                   f"inspection (also in {seen[item.id]})")
                seen.setdefault(item.id, f"{group}[{i}]")
                if item.area is not None and item.area not in areas:
                    where = f"framework {framework.id}" if framework else "areas.yaml"
                    problems.add((group, i, "area"), _unknown("area", item.area, areas,
                                                              where=where))
                if item.continues is not None:
                    self._check_item_ref(insp, (group, i, "continues"), item.continues,
                                         problems)
        for i, progress in enumerate(insp.progress):
            for j, ref in enumerate(progress.items):
                self._check_item_ref(insp, ("progress", i, "items", j), ref, problems)

    def _check_item_ref(self, insp: Inspection, loc: Loc, ref: str,
                        problems: ProblemList) -> None:
        target_id, _, item_id = ref.partition("#")
        target = self.inspections.get(target_id)
        if not item_id or target is None:
            problems.add(loc, f"'{ref}' does not name an item of another inspection (write "
                              "'inspection-id#item-id')" if not item_id else
                         _unknown("inspection", target_id, self.inspections))
            return
        if target_id == insp.id:
            problems.add(loc, "an item must belong to another, earlier inspection")
            return
        mine, theirs = inspection_date(insp), inspection_date(target)
        if mine and theirs and mine.end() < theirs.start():
            problems.add(loc, f"'{target_id}' ({theirs}) is later than this inspection "
                              f"({mine}); only earlier items can be followed up")
            return
        ids = [it.id for it in itertools.chain(target.causes_of_concern,
                                               target.areas_for_improvement,
                                               target.recommendations)]
        if item_id not in ids:
            problems.add(loc, _unknown("item", item_id, ids, where=f"inspection {target_id}"))

    @staticmethod
    def _check_case_files(insp: Inspection, problems: ProblemList) -> None:
        cf = insp.case_files
        if cf is None:
            return
        counted = sum(r.count for r in cf.ratings)
        if counted > cf.total:
            problems.add(("case_files", "ratings"), f"the ratings add up to {counted}, more "
                                                    f"than the {cf.total} files examined")
