"""Open data: the files under ``data/``, from the same views as the pages.

The judgments and findings as CSV (written as every CSV file of the site is: csvfile.py),
the whole record as JSON, the Compare page's data, and the two that describe them all, the
charts' CSV files too: datapackage.json and the Data page (their words: datapackage.py).
judgments.csv's first columns are fixed (their order is a promise to people who script
against it); more may follow.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import BaseModel

from .compare import compare_data
from .csvfile import BOM, Cell, csv_rows
from .datapackage import (
    CHART_KINDS,
    FINDING_FIELDS,
    FINDING_TYPES,
    JUDGMENT_FIELDS,
    JUDGMENT_FIXED,
    RULES,
    chart_csv_columns,
    chart_fields,
    csv_resource,
    date_cells,
    json_resource,
    package_json,
    table_schema,
)
from .dates import PartialDate
from .grades import JudgmentRow
from .markdown import markdown_text
from .model import Inspection, Item
from .pages import DATA_PAGE, data_page, page_charts, site_pages
from .render import Page, Renderer, script_safe_json
from .resolve import Content
from .urls import compare_data_path, page_file
from .views import EVENT_LABELS, ITEM_GROUPS, InspectionView, SiteView
from .write import Data

#: The promised first columns of judgments.csv, in order (see datapackage.JUDGMENT_FIXED).
JUDGMENT_COLUMNS = [f.name for f in JUDGMENT_FIXED]
#: Version of the inspections.json shape; bumped when a field changes meaning or goes away.
#: 2: every record has every key (null where there is nothing to say); each date is whole,
#: with its precision beside it (see datapackage.RULES); an inspection's date, date_basis and
#: date_precision; sources a list, each with its key.
JSON_SCHEMA_VERSION = 2


#: Pieces of the data files (UTF-8) by the hashes of what they are made from, kept between
#: builds (in the dev server, and in the build cache) so that a rebuild after one edit
#: remakes one inspection's part.
Memo = dict[str, bytes]


@dataclass
class _Pieces:
    """The pieces one build uses: taken from the earlier builds' memo when it has them."""

    earlier: Memo
    used: Memo = field(default_factory=dict)

    def holds(self, key: str) -> bool:
        """Whether the piece is at hand, made already."""
        return key in self.used or key in self.earlier

    def get(self, key: str, make: Callable[[], bytes]) -> bytes:
        piece = self.used.get(key)
        if piece is None:
            piece = self.earlier.get(key)
        if piece is None:
            piece = make()
        self.used[key] = piece
        return piece


def _memo(memo: _Pieces | None, key: str, make: Callable[[], bytes]) -> bytes:
    return make() if memo is None else memo.get(key, make)


def _key(site: SiteView, view: InspectionView) -> str:
    content = site.content
    return f"{view.summary.id}|{content.digests.get(view.summary.id)}|{content.shared_digest}"


def judgments_csv(site: SiteView, memo: _Pieces | None = None) -> list[bytes]:
    """Every area of every graded inspection: one row each, as the pages show it (the file's
    bytes in parts, one per inspection: see write.Data)."""
    def rows(view: InspectionView) -> bytes:
        return csv_rows(_judgment_record(site.content, view, row) for row in view.rows)

    return [BOM + csv_rows([[f.name for f in JUDGMENT_FIELDS]]),
            *(_memo(memo, "csv|" + _key(site, v), lambda v=v: rows(v))
              for v in site.inspections)]


def _judgment_record(content: Content, view: InspectionView, row: JudgmentRow) -> list[Cell]:
    insp = view.inspection
    framework = content.frameworks[insp.framework or ""]
    cited = [view.citations.source(n) for n in row.refs]
    last = row.amendments[-1] if row.amendments else None
    published, published_precision = date_cells(insp.published)
    amended_on, amended_on_precision = date_cells(last.date if last else None)
    return [
        view.organisation_name,
        insp.id,
        insp.title,
        published,
        framework.id,
        row.area_id,
        row.area_label,
        row.current.label if row.current.state == "graded" else None,
        row.current.state.replace("-", " "),
        row.published.label if row.published.state == "graded" else None,
        amended_on,
        last.reason if last else None,
        framework.scale,
        row.area_name,
        insp.organisation,
        "; ".join(s.title for s in cited),
        "; ".join(s.url for s in cited if s.url),
        published_precision,
        *_placing(view),
        amended_on_precision,
        view.summary.short_title,
        row.level,
    ]


def _placing(view: InspectionView) -> list[str | None]:
    """date, date_precision and date_basis: where the site places a report in time (see
    model.inspection_date, which every page uses)."""
    date, precision = date_cells(view.summary.date)
    return [date, precision, view.summary.date_basis]


def findings_csv(site: SiteView, memo: _Pieces | None = None) -> list[bytes]:
    """Every cause of concern, area for improvement and recommendation: one row each (the
    file's bytes in parts, one per inspection)."""
    content = site.content

    def rows(view: InspectionView) -> bytes:
        return csv_rows(_finding_record(content, view, group, item)
                        for group in ITEM_GROUPS for item in getattr(view.inspection, group))

    return [BOM + csv_rows([[f.name for f in FINDING_FIELDS]]),
            *(_memo(memo, "findings|" + _key(site, v), lambda v=v: rows(v))
              for v in site.inspections)]


#: Each group of findings as findings.csv names it.
_FINDING_TYPES = dict(zip(ITEM_GROUPS, FINDING_TYPES, strict=True))


def _finding_record(content: Content, view: InspectionView, group: str, item: Item
                    ) -> list[Cell]:
    insp = view.inspection
    return [insp.organisation, view.organisation_name, insp.id, insp.title,
            *date_cells(insp.published), *_placing(view), _FINDING_TYPES[group], item.id,
            item.area, content.areas[item.area].name if item.area else None,
            markdown_text(item.text), item.timescale, item.continues, item.note,
            f"{view.summary.url}#{item.id}"]


def inspections_json(site: SiteView, memo: _Pieces | None = None) -> list[bytes]:
    """The whole record: every inspection with everything it says and every source it cites.

    Written as json.dumps(payload, indent=1) would write it, in parts: one per inspection.
    """
    content = site.content
    head = json.dumps({"schema_version": JSON_SCHEMA_VERSION, "site": content.site.title,
                       "licence": content.site.licence, "inspections": []},
                      ensure_ascii=False, indent=1)
    if not site.inspections:
        return [(head + "\n").encode("utf-8")]

    def record(view: InspectionView) -> bytes:
        text = json.dumps(_inspection_record(content, view), ensure_ascii=False, indent=1)
        # Indented a level, as the whole dump would be. Only "\n" ends a line here: inside
        # strings json escapes it but not U+2028 or U+0085, which str.splitlines also splits
        # at. (One replace, too, rather than a string per line to make and free.)
        return ("  " + text.replace("\n", "\n  ")).encode("utf-8")

    records = [
        _memo(memo, "json|" + _key(site, v) + "|" + ",".join(s.id for s in v.followed_up_by),
              lambda v=v: record(v)) for v in site.inspections]
    assert head.endswith('"inspections": []\n}')
    return [(head[: -len("[]\n}")] + "[\n").encode("utf-8"),
            *itertools.chain.from_iterable((piece, b",\n") for piece in records[:-1]),
            records[-1], b"\n ]\n}\n"]


def _inspection_record(content: Content, view: InspectionView) -> dict[str, Any]:
    insp: Inspection = view.inspection
    record = _json_record(insp, exclude={"sources", "judgments"})
    record["url"] = view.summary.url
    record["organisation_name"] = view.organisation_name
    # As the pages read it: the file's word, or the default (model.findings_recorded).
    record["findings_recorded"] = view.summary.findings
    record.update(zip(["date", "date_precision", "date_basis"], _placing(view), strict=True))
    record["judgments"] = [
        {
            "area_id": row.area_id,
            "area_label": row.area_label,
            "level": row.level,
            "status": row.current.state,
            "grade": row.current.label if row.current.state == "graded" else None,
            "grade_as_published": row.published.label if row.published.state == "graded"
            else None,
            **dict(zip(("amended_on", "amended_on_precision"),
                       date_cells(row.amendments[-1].date if row.amended else None),
                       strict=True)),
            "summary": row.summary,
            "note": row.note,
            "sources": [view.citations.key(n) for n in row.refs],
        }
        for row in view.rows
    ]
    record["followed_up_by"] = [s.id for s in view.followed_up_by]
    record["sources"] = [{"key": key, **_json_record(source)}
                         for _, key, source in view.citations.sources]
    return record


def _json_record(model: BaseModel, exclude: Collection[str] = ()) -> dict[str, Any]:
    """A content model as JSON: every field, null where it has no value, and each date whole
    with its precision beside it (see datapackage.RULES)."""
    record: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        if name in exclude:
            continue
        key = info.alias or name
        value = getattr(model, name)
        if PartialDate in (info.annotation, *get_args(info.annotation)):
            record[key], record[f"{key}_precision"] = date_cells(value)
        else:
            record[key] = _json_value(value)
    return record


def _json_value(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _json_record(value)
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


def compare_script(site: SiteView, views: list[InspectionView],
                   memo: _Pieces | None = None) -> bytes:
    """The compare picker's data for one organisation, as a script so that it loads from
    disk as well as from a host (browsers refuse to fetch files from files)."""
    # Its pairs name other organisations' reports too (comparisons across a round).
    ids = {v.summary.id for v in views}
    key = "|".join(["compare", *(_key(site, v) for v in views),
                    *(f"{a.summary.id}>{b.summary.id}" for a, b in site.pairs
                      if a.summary.id in ids or b.summary.id in ids)])
    return _memo(memo, key, lambda: f"window.gradelineCompare = "
                                    f"{script_safe_json(_as_text(compare_data(site, views)))};\n"
                                    .encode())


def _as_text(data: dict[str, Any]) -> dict[str, Any]:
    """The picker shows text only (it builds the page with textContent): each finding's
    Markdown as the words a reader sees, not its marks."""
    for inspection in data["inspections"]:
        for item in inspection["items"]:
            item["text"] = markdown_text(item["text"])
    return data


@dataclass(frozen=True)
class DataFile:
    """A file under ``data/``, as the Data page lists it and datapackage.json declares it."""

    path: str
    title: str
    description: str
    #: What the file is: a chart kind (datapackage.CHART_KINDS), or "judgments",
    #: "findings", "inspections", "package", "schema" or "compare".
    kind: str
    #: The page that shows the file's data, for a chart's.
    page: str | None = None
    #: The organisation it is about, if one.
    organisation: str | None = None
    #: A CSV file's header.
    columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The file's path under data/."""
        return self.path.removeprefix("data/")


def chart_files(site: SiteView, memo: _Pieces | None = None) -> list[DataFile]:
    """The CSV file of every chart of the site's pages (each organisation's, then the
    site-wide ones).

    The charts are made as their pages make them (pages.page_charts): each organisation's
    list is kept as a piece (see Memo), so that a rebuild makes again only the charts of
    the organisation whose files changed."""
    # Each organisation's charts, then the site-wide ones ("").
    keys = {scope.id: f"charts|{scope.id}|" + "|".join(_key(site, v) for v in scope.inspections)
            for scope in site.scopes}
    wanted = [*keys, ""]
    missing = {org for org in wanted if memo is None or not memo.holds(keys.get(org, ""))}
    made: dict[str, list[DataFile]] = {org: [] for org in missing}
    names = {scope.id: scope.organisation.name for scope in site.scopes}
    for page in site_pages(site) if missing else []:
        if page.organisation not in missing:
            continue
        for kind, chart in page_charts(page):
            made[page.organisation].append(DataFile(
                chart.csv_path, chart.title, CHART_KINDS[kind].description, kind,
                page.target, names.get(page.organisation),
                tuple(chart_csv_columns(chart.columns))))
    found = []
    for org in wanted:
        if org not in keys:  # the site-wide charts depend on every organisation's
            found += made[org]
            continue
        piece = _memo(memo, keys[org], lambda org=org: json.dumps(
            [dataclasses.astuple(f) for f in made[org]], ensure_ascii=False).encode())
        found += [DataFile(*fields[:-1], tuple(fields[-1])) for fields in json.loads(piece)]
    return found


def data_files(site: SiteView, memo: Memo | None = None,
               renderer: Renderer | None = None) -> Iterator[tuple[str, Data]]:
    """The files under ``data/`` as (site path, bytes or parts), one at a time: on a large
    site they are tens of megabytes each, and need not all be in memory at once. They
    include datapackage.json and, with a ``renderer``, the Data page: both list every file
    under data/, the charts' CSV files too (which their pages write).

    Pieces are taken from ``memo`` where it has them; once every file has been taken,
    ``memo`` holds exactly the pieces these files are made of."""
    pieces = None if memo is None else _Pieces(memo)
    content = site.content
    files = _site_files(site)
    charts = chart_files(site, pieces)
    grades = list(dict.fromkeys(g.label for scale in content.scales.values()
                                for g in scale.grades))
    made = {"judgments": judgments_csv(site, pieces), "findings": findings_csv(site, pieces),
            "inspections": inspections_json(site, pieces)}
    for file in files:
        if file.kind in made:
            yield file.path, made[file.kind]
        elif file.kind == "schema":
            kind = file.path.removeprefix("data/schemas/").removesuffix(".json")
            spec = CHART_KINDS[kind]
            yield file.path, _json_bytes(table_schema(spec.fields, grades, EVENTS, spec))
    # The package changes only with what it lists (remade, it is a large part of a rebuild).
    listed = hashlib.sha1(repr((content.site.title, content.site.description, site.single,
                                files, charts, grades)).encode(),
                          usedforsecurity=False).hexdigest()
    yield PACKAGE, _memo(pieces, f"package|{listed}",
                         lambda: _package(site, files, charts, grades))
    if renderer is not None:
        yield page_file(DATA_PAGE), renderer.render(
            _data_page(site, files, charts)).encode("utf-8")
    for scope in site.scopes:
        yield compare_data_path(scope.id), compare_script(site, scope.inspections, pieces)
    if memo is not None and pieces is not None:
        memo.clear()  # pieces of old versions would pile up in a long-running server
        memo.update(pieces.used)


#: The Data Package that describes the files.
PACKAGE = "data/datapackage.json"
#: Words for the timeline's events, as its CSV files give them.
EVENTS = list(EVENT_LABELS.values())


def _site_files(site: SiteView) -> list[DataFile]:
    """The site-wide data files, then each organisation's compare data (the charts' CSV
    files aside), in the order the Data page lists them."""
    files = [
        DataFile("data/judgments.csv", "Judgments",
                 "Every area of every graded report, one row each (long): the grade as it "
                 "stands and as published, any amendment, and the sources.", "judgments"),
        DataFile("data/findings.csv", "Findings",
                 "Every cause of concern, area for improvement and recommendation, one row "
                 "each, with its area, timescale and the earlier finding it carries forward.",
                 "findings"),
        DataFile("data/inspections.json", "The whole record",
                 "Every report with everything it says: judgments, amendments, findings, "
                 "fieldwork, responses, coverage, quotes and every source it cites.",
                 "inspections"),
        DataFile(PACKAGE, "Data Package",
                 "A Frictionless Data Package: every file here with its Table Schema (each "
                 "column's type, meaning and allowed words), for tools that load data.",
                 "package"),
    ]
    files += [DataFile(f"data/schemas/{kind}.json", f"Table Schema: {spec.title}",
                       "The columns of every chart CSV file of this kind, as a Table Schema "
                       "(datapackage.json refers to it).", "schema")
              for kind, spec in CHART_KINDS.items() if spec.wide is None]
    files += [DataFile(compare_data_path(scope.id), f"Compare data: {scope.organisation.name}",
                       f"What the Compare page offers for {scope.organisation.name}, as a "
                       "script the page loads (the same facts are in inspections.json).",
                       "compare",
                       "compare/", scope.organisation.name)
               for scope in site.scopes]
    return files


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _package(site: SiteView, files: list[DataFile], charts: list[DataFile],
             grades: list[str]) -> bytes:
    """datapackage.json: every CSV and JSON file, each CSV file with its Table Schema."""
    content = site.content
    by_kind = {file.kind: file for file in files}
    resources = [csv_resource(by_kind[kind].name, by_kind[kind].title,
                              by_kind[kind].description, table_schema(fields, grades))
                 for kind, fields in (("judgments", JUDGMENT_FIELDS),
                                      ("findings", FINDING_FIELDS))]
    resources.append(json_resource(by_kind["inspections"].name, by_kind["inspections"].title,
                                   by_kind["inspections"].description))
    for chart in charts:
        spec = CHART_KINDS[chart.kind]
        fields = chart_fields(chart.kind, chart.columns)  # raises if the header is not its kind's
        schema: dict[str, Any] | str = f"schemas/{chart.kind}.json" if spec.wide is None \
            else table_schema(fields, grades, kind=spec)
        title = f"{chart.title} ({chart.organisation})" if chart.organisation and \
            not site.single else chart.title
        resources.append(csv_resource(chart.name, title, f"The data of the chart on the page "
                                                         f"{chart.page} ({spec.title}).", schema))
    return package_json(content.site.title, content.site.description, resources)


def _data_page(site: SiteView, files: list[DataFile], charts: list[DataFile]) -> Page:
    # Each kind's files, by organisation (None: about none, or the site has one).
    by_kind: dict[str, dict[str | None, list[DataFile]]] = {kind: {} for kind in CHART_KINDS}
    for chart in charts:
        organisation = None if site.single else chart.organisation
        by_kind[chart.kind].setdefault(organisation, []).append(chart)
    return data_page({
        "rules": RULES, "files": files,
        "judgment_fields": JUDGMENT_FIELDS, "fixed_columns": len(JUDGMENT_FIXED),
        "finding_fields": FINDING_FIELDS,
        "chart_kinds": [(kind, spec, list(by_kind[kind].items()))
                        for kind, spec in CHART_KINDS.items() if by_kind[kind]],
        "chart_count": len(charts), "json_version": JSON_SCHEMA_VERSION,
        "inspection_count": len(site.inspections),
        "judgment_count": sum(len(v.rows) for v in site.inspections),
    })
