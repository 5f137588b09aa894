"""Open data: the judgments as CSV and the whole record as JSON, from the same views as pages.

The CSV's first columns are fixed (their order is a promise to people who script against
it); more may follow. It is written as every CSV file of the site is (see csvfile.py).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .compare import compare_data
from .csvfile import BOM, csv_rows
from .model import Inspection, Source
from .render import markdown_text, script_safe_json
from .resolve import Content
from .views import InspectionView, JudgmentRow, SiteView
from .write import Data, Stored

#: The promised first columns of judgments.csv, in order.
JUDGMENT_COLUMNS = [
    "organisation", "inspection_id", "inspection_title", "published", "framework", "area_id",
    "area_label", "grade",
]
#: Further columns; documented on the Data page.
EXTRA_COLUMNS = [
    "grade_status", "grade_as_published", "amended_on", "amendment_reason", "scale",
    "area_name", "organisation_id", "sources", "source_urls",
]
#: What each column holds; shown on the Data page, so the documentation cannot drift.
COLUMN_DOCS = {
    "organisation": "The inspected organisation's name.",
    "inspection_id": "The inspection's id, as in its page address and inspections.json.",
    "inspection_title": "The report's title.",
    "published": "Publication date, ISO 8601: YYYY-MM-DD, or YYYY-MM / YYYY where the source "
                 "gives no day or month; empty when not known.",
    "framework": "Id of the grading framework.",
    "area_id": "Canonical area id: the same id across frameworks where the areas correspond.",
    "area_label": "The area's name in this framework.",
    "grade": "The grade in the framework's own words, as it stands after any amendment; "
             "empty when the area was not graded or the grade is not known.",
    "grade_status": "'graded', 'not graded' (the inspectorate gave no grade) or 'not known' "
                    "(no source consulted confirms the grade).",
    "grade_as_published": "The grade when the report was published, where it differs from "
                          "an amended grade or is the same.",
    "amended_on": "Date of the latest amendment of the grade, if any.",
    "amendment_reason": "Why the grade was amended.",
    "scale": "Id of the grading scale (four-tier, five-tier): grades on different scales are "
             "not directly comparable.",
    "area_name": "The canonical area's neutral name.",
    "organisation_id": "The organisation's id.",
    "sources": "Titles of the sources for this judgment, separated by '; '.",
    "source_urls": "Web addresses of those sources, where public, separated by '; '.",
}
#: Version of the inspections.json shape; bumped when a field changes meaning or goes away.
JSON_SCHEMA_VERSION = 1


#: Pieces of the data files (UTF-8) by the hashes of what they are made from, kept between
#: builds (in the dev server, and in the build cache) so that a rebuild after one edit
#: remakes one inspection's part.
Memo = dict[str, bytes | Stored]


@dataclass
class _Pieces:
    """The pieces one build uses: taken from the earlier builds' memo when it has them."""

    earlier: Memo
    used: Memo = field(default_factory=dict)

    def get(self, key: str, make: Callable[[], bytes]) -> bytes | Stored:
        piece = self.used.get(key)
        if piece is None:
            piece = self.earlier.get(key)
        if piece is None:
            piece = make()
        self.used[key] = piece
        return piece


def _memo(memo: _Pieces | None, key: str, make: Callable[[], bytes]) -> bytes | Stored:
    return make() if memo is None else memo.get(key, make)


def _key(site: SiteView, view: InspectionView) -> str:
    content = site.content
    return f"{view.summary.id}|{content.digests.get(view.summary.id)}|{content.shared_digest}"


def judgments_csv(site: SiteView, memo: _Pieces | None = None) -> list[bytes | Stored]:
    """Every area of every graded inspection: one row each, as the pages show it (the file's
    bytes in parts, one per inspection: see write.Data)."""
    def rows(view: InspectionView) -> bytes:
        return csv_rows(_judgment_record(site.content, view, row) for row in view.rows)

    return [BOM + csv_rows([JUDGMENT_COLUMNS + EXTRA_COLUMNS]),
            *(_memo(memo, "csv|" + _key(site, v), lambda v=v: rows(v))
              for v in site.inspections)]


def _judgment_record(content: Content, view: InspectionView, row: JudgmentRow) -> list[str]:
    insp = view.inspection
    framework = content.frameworks[insp.framework or ""]
    cited = [view.citations.source(n) for n in row.refs]
    last = row.amendments[-1] if row.amendments else None
    return [
        view.organisation_name,
        insp.id,
        insp.title,
        str(insp.published) if insp.published else "",
        framework.id,
        row.area_id,
        row.area_label,
        row.current.label if row.current.state == "graded" else "",
        row.current.state.replace("-", " "),
        row.published.label if row.published.state == "graded" else "",
        str(last.date) if last else "",
        last.reason if last else "",
        framework.scale,
        row.area_name,
        insp.organisation,
        "; ".join(s.title for s in cited),
        "; ".join(s.url for s in cited if s.url),
    ]


def inspections_json(site: SiteView, memo: _Pieces | None = None) -> list[bytes | Stored]:
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
    record = insp.model_dump(mode="json", by_alias=True, exclude_none=True,
                             exclude={"sources", "judgments"})
    record["url"] = view.summary.url
    record["organisation_name"] = view.organisation_name
    record["judgments"] = [
        {
            "area_id": row.area_id,
            "area_label": row.area_label,
            "status": row.current.state,
            "grade": row.current.label if row.current.state == "graded" else None,
            "grade_as_published": row.published.label if row.published.state == "graded"
            else None,
            "summary": row.summary,
            "note": row.note,
            "sources": [view.citations.key(n) for n in row.refs],
        }
        for row in view.rows
    ]
    record["followed_up_by"] = [s.id for s in view.followed_up_by]
    record["sources"] = {key: _source_record(source)
                         for _, key, source in view.citations.sources}
    return record


def _source_record(source: Source) -> dict[str, Any]:
    return source.model_dump(mode="json", exclude_none=True)


def compare_script(site: SiteView, views: list[InspectionView],
                   memo: _Pieces | None = None) -> bytes | Stored:
    """The compare picker's data for one organisation, as a script so that it loads from
    disk as well as from a host (browsers refuse to fetch files from files)."""
    key = "compare|" + "|".join(_key(site, v) for v in views)
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


def compare_data_path(organisation_id: str) -> str:
    """Where an organisation's compare data goes."""
    return f"data/compare/{organisation_id}.js"


def data_files(site: SiteView, memo: Memo | None = None,
               keep: Callable[[str], bool] | None = None) -> Iterator[tuple[str, Data]]:
    """The files under ``data/`` as (site path, bytes or parts), one at a time: on a large
    site they are tens of megabytes each, and need not all be in memory at once. With
    ``keep``, only the files of the shards it keeps: "" for the site-wide files, an
    organisation's id for its compare data (see pages.site_pages).

    Pieces are taken from ``memo`` where it has them; once every file has been taken,
    ``memo`` holds exactly the pieces these files are made of."""
    pieces = None if memo is None else _Pieces(memo)
    if keep is None or keep(""):
        yield "data/judgments.csv", judgments_csv(site, pieces)
        yield "data/inspections.json", inspections_json(site, pieces)
    for scope in site.scopes:
        if keep is None or keep(scope.id):
            yield compare_data_path(scope.id), compare_script(site, scope.inspections, pieces)
    if memo is not None and pieces is not None:
        memo.clear()  # pieces of old versions would pile up in a long-running server
        memo.update(pieces.used)
