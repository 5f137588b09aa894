"""Stage 2, read and resolve: every content file read, validated and checked against the others.

The reader walks the content folder, parses each file (stage 1, ``load.py``), validates it
against its model (``model.py``, ``validate.py``) and then runs the checks that cross files
(``checks.py``). Every problem of every file is collected with its position; if there are
any, one :class:`ContentError` carries them all. Files unchanged since the last build come
from the cache (``cache.py``), and a cold build of many files has a helper process parse
every other file meanwhile (``parallel.py``).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from .cache import ContentCache, file_signature
from .checks import (
    InspectionChecks,
    check_cites,
    check_focus,
    check_framework,
    check_rounds,
    check_scale,
    references,
    warn_sources_without_url,
)
from .dates import PartialDate
from .errors import ContentError, Loc, Problem, ProblemList
from .load import Document, display_path, parse_file, read_file
from .model import (
    AreaRegistry,
    Framework,
    Inspection,
    Organisation,
    Scale,
    SiteConfig,
    Source,
    SourceRegistry,
    inspection_date,
)
from .parallel import ForkPool, can_fork
from .validate import validate_document

M = TypeVar("M", bound=BaseModel)
YAML_SUFFIXES = (".yaml", ".yml")
#: Below this many inspection files to parse, a second process costs more than it saves.
PARALLEL_MIN_FILES = 200
#: A valid file as the reader hands it on: the parsed file, its object, its problems.
Valid = tuple[Document, M, ProblemList]


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


def read_content(root: Path, cache: ContentCache | None = None) -> Content:
    """Load, validate and cross-check every content file under ``root``.

    Raises ContentError listing every problem found in every file.
    """
    reader = _Reader(root, cache)
    content = reader.read()
    if reader.errors:
        raise ContentError(reader.errors)
    assert content is not None
    content.warnings = sorted(reader.warnings)
    return content


def _walk(root: Path) -> dict[Path, bool]:
    """Every YAML file under ``root``, with whether a link leads to it (a linked file, or
    a file in a linked folder); like ``rglob``, it does not descend into linked folders
    below ``root``, but lists what is in a linked folder it is given."""
    found: dict[Path, bool] = {}
    pending = [(str(root), root.is_symlink())]
    while pending:
        folder, linked = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, linked))
                elif entry.name.endswith(YAML_SUFFIXES) and entry.is_file():
                    found[Path(entry.path)] = linked or entry.is_symlink()
            except OSError:
                continue
    return found


def _errors(found: list[Problem]) -> bool:
    """Whether any of a file's problems is an error (not only warnings)."""
    return any(p.severity != "warning" for p in found)


def _parse_run(runs: list[list[Path]], number: int) -> list[tuple[Path, str, Document]]:
    """Parse one run of files that have no problems into cache entries (documents without
    positions, which are small to send between processes; a problem found later reads
    them again)."""
    parsed = []
    for path in runs[number]:
        raw, _ = read_file(path)
        if raw is None:
            continue
        doc, problems = parse_file(raw, path)
        if doc is not None and not problems.items:
            parsed.append((path, file_signature(raw), doc.for_cache()))
    return parsed


class _Ahead:
    """Files being parsed in a helper process, handed back run by run as the reader reaches
    them: the reader validates (and frees the parsed data of) what it has before the rest
    arrives, rather than holding every parsed file at once."""

    #: Files in a run: small enough that few wait parsed at a time, large enough that
    #: handing them over costs little.
    RUN = 32

    def __init__(self, paths: list[Path], cache: ContentCache):
        self.cache = cache
        runs = [paths[i:i + self.RUN] for i in range(0, len(paths), self.RUN)]
        self.pool = ForkPool(runs, 1).open()
        self.pending = [self.pool.submit(_parse_run, number) for number in range(len(runs))]
        self.run_of = {path: number for number, run in enumerate(runs) for path in run}
        self.received = 0

    def receive(self, path: Path) -> None:
        """Wait for the run holding ``path`` (and those before it), into the cache."""
        number = self.run_of.get(path, -1)
        while self.received <= number:
            for parsed, signature, doc in self.pending[self.received].result():
                self.cache.put(parsed, Inspection.__name__, signature, (doc, None, []))
            self.received += 1

    def close(self) -> None:
        """Stop the helper (at once, if reading ended early)."""
        self.pool.close()


class _Reader:
    """Reads one content folder; gathers problems instead of stopping at the first."""

    def __init__(self, root: Path, cache: ContentCache | None = None):
        self.root = root
        self.cache = cache
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.files: dict[str, Path] = {}
        #: Every YAML file in the folder, and whether a link leads to it (one walk; only
        #: those are resolved to see where they lead).
        self.walked = _walk(root) if root.is_dir() else {}
        self._ahead: _Ahead | None = None

    def read(self) -> Content | None:
        """Every file read and checked (None if the content cannot make a site: see
        ``errors``)."""
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
        site = self._optional_file("site.yaml", SiteConfig)
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
        area_ids = self._area_ids(areas_file)
        kinds = site[1].kinds if site else {}
        orgs = self._unique("organisation", organisations)
        scale_map = self._unique("scale", scales)
        frame_map = self._unique("framework", frameworks)
        for doc, scale, problems in scales:
            check_scale(scale, problems)
            self._check_sources(doc, scale.sources, shared_sources, problems)
        check_rounds([(fw, problems) for _, fw, problems in frameworks])
        for doc, fw, problems in frameworks:
            check_framework(fw, area_ids, scale_map, kinds, problems)
            self._check_sources(doc, fw.sources, shared_sources, problems)
        for doc, org, problems in organisations:
            self._check_sources(doc, org.sources, shared_sources, problems)
        if site:
            check_focus(site[1], orgs, site[2])
            self._report(site[2].items)

        shared_files = [*([site] if site else []), *organisations, *scales, *frameworks,
                        *([registry] if registry else []), *([areas_file] if areas_file else [])]
        shared = sorted(doc.digest for doc, _, _ in shared_files)
        shared_digest = hashlib.sha1("".join(shared).encode(), usedforsecurity=False).hexdigest()
        insp_map = self._unique("inspection", inspections)
        checker = InspectionChecks(site[1] if site else None, orgs, area_ids, scale_map,
                                   frame_map, insp_map, shared_sources)
        resolved = self._check_inspections(inspections, insp_map, checker, shared_digest,
                                           shared_sources)
        if site is None or self.errors:
            return None
        resolved.sort(key=lambda i: ((inspection_date(i) or PartialDate(1900)).sort_key, i.id))
        return Content(
            root=self.root, site=site[1], sources=dict(shared_sources), areas=area_ids,
            organisations=orgs, scales=scale_map, frameworks=frame_map, inspections=resolved,
            files=self.files, digests={insp.id: doc.digest for doc, insp, _ in inspections},
            shared_digest=shared_digest,
            links=[(doc, loc, target) for doc, _, _ in [*shared_files, *inspections]
                   for loc, target in doc.links],
        )

    # -- reading files -----------------------------------------------------------------------

    def _validated(self, path: Path, model: type[M]) -> Valid[M] | None:
        """One file read and validated, from the cache if its bytes are unchanged."""
        if self._ahead is not None:
            self._ahead.receive(path)
        signature = self.cache.known_signature(path) if self.cache else None
        cached = self.cache.get(path, model.__name__, signature) \
            if self.cache and signature else None
        raw = None
        if cached is None:
            info, hashed_at = _stat(path), time.time_ns()
            raw, unreadable = read_file(path)
            if raw is None:
                self._report(unreadable.items)
                return None
            signature = file_signature(raw)
            cached = self.cache.get(path, model.__name__, signature) if self.cache else None
            if self.cache is not None and info is not None:
                self.cache.remember_signature(path, info, signature, hashed_at)
        if cached is not None:
            doc, obj, found = cached
            if obj is None and doc is not None and not _errors(found):
                # Parsed ahead, or from the cache file: to be validated into objects.
                obj, invalid = self._validate(doc, model)
                found = [*found, *invalid]
        else:
            doc, parsed = parse_file(raw, path)
            found = list(parsed.items)
            obj = None
            if doc is not None:
                obj, invalid = self._validate(doc, model)
                found += invalid
        if self.cache is not None:
            self.cache.put(path, model.__name__, signature, (doc, obj, found))
        self._report(found)
        if doc is None:
            return None
        self.files[doc.display] = path
        return (doc, obj, doc.problems()) if obj is not None else None

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
        """With many inspection files to parse (a cold build), have a helper process parse
        every other one meanwhile, in runs handed back as they are done (see _Ahead);
        validating them stays here, file by file, as before."""
        if self.cache is None or not can_fork():
            return
        folder = str(self.root / "inspections") + os.sep
        todo = [path for path, linked in self.walked.items()
                # A linked file is looked at on its own first.
                if not linked and str(path).startswith(folder)
                and (path, Inspection.__name__) not in self.cache.entries]
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

    def _folder(self, name: str, model: type[M]) -> list[Valid[M]]:
        folder = self.root / name
        if folder.is_symlink():
            # Its files are not walked (as with rglob); list them, each to be checked.
            self.walked.update(_walk(folder))
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

    def _optional_file(self, name: str, model: type[M]) -> Valid[M] | None:
        path = self.root / name
        return self._validated(path, model) if path.is_file() and self._inside(path) else None

    def _report(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            (self.warnings if p.severity == "warning" else self.errors).append(p)

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

    # -- checks across files -----------------------------------------------------------------

    def _area_ids(self, areas_file: Valid[AreaRegistry] | None) -> dict[str, Any]:
        """The canonical areas by id, each id once."""
        area_ids: dict[str, Any] = {}
        if areas_file:
            _, registry, problems = areas_file
            for i, area in enumerate(registry.areas):
                if area.id in area_ids:
                    problems.add(("areas", i, "id"), f"duplicate area id '{area.id}'")
                area_ids.setdefault(area.id, area)
            self._report(problems.items)
        return area_ids

    def _check_sources(self, doc: Document, local: dict[str, Source],
                       shared: dict[str, Source], problems: ProblemList) -> None:
        """Check a file's cited sources, then report everything found in the file."""
        check_cites(doc, local, shared, problems)
        self._report(problems.items)

    def _check_inspections(self, inspections: list[Valid[Inspection]],
                           by_id: dict[str, Inspection], checker: InspectionChecks,
                           shared_digest: str, shared_sources: dict[str, Source]
                           ) -> list[Inspection]:
        """Each inspection checked against the rest of the content; the inspections with
        their grades in their scale's words."""
        resolved: list[Inspection] = []
        checked: dict[int, tuple[Any, ...]] = {}
        known = self.cache.checked if self.cache is not None else {}
        for doc, insp, problems in inspections:
            # An unchanged file (the same object, from the cache) checked against the same
            # shared files and the same inspections it refers to passes again: skip it.
            entry = known.get(id(insp))
            if entry is None or entry[0] is not insp or entry[1] != shared_digest or any(
                    by_id.get(ref) is not target for ref, target in entry[2]):
                before = len(problems.items)
                entry = (insp, shared_digest, tuple((ref, by_id.get(ref))
                                                    for ref in references(insp)),
                         checker.check(insp, problems))
                check_cites(doc, insp.sources, shared_sources, problems)
                if len(problems.items) == before:  # else reported again every time
                    checked[id(insp)] = entry
            else:
                checked[id(insp)] = entry
            resolved.append(entry[3])
            self._report(problems.items)
            # Positions read again to place a problem are not kept (most of a file's size).
            doc.drop_positions()
        if self.cache is not None:
            self.cache.checked = checked
        return resolved

    def _unique(self, what: str, items: list[Valid[M]]) -> dict[str, M]:
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


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None
