"""Stage 3, derive: what the pages show, worked out from the content once.

Views are plain, framework-agnostic data: a grade knows its words, its place on its scale and
whether it was amended; a page's sources are numbered in the order the page cites them.
Templates only lay these out, and the data exports read the same objects, so a grade can
never say one thing on a page and another in a CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .dates import PartialDate
from .grades import (
    AmendmentView,
    GradeView,
    JudgmentRow,
    LevelCounts,
    area_levels,
    counts_text,
    grade_counts,
    grade_view,
)
from .model import (
    NOT_GRADED,
    NOT_KNOWN,
    DateBasis,
    FindingsRecorded,
    Inspection,
    Item,
    Scale,
    Source,
    Visit,
    date_basis,
    findings_recorded,
    inspection_date,
)
from .resolve import Content
from .urls import (
    area_path,
    areas_path,
    inspection_area_path,
    inspection_path,
    timeline_path,
    tracker_path,
)


@dataclass
class Citations:
    """A page's sources, numbered in the order the page first cites them."""

    inspection: Inspection | None
    content: Content
    numbers: dict[str, int] = field(default_factory=dict)
    sources: list[tuple[int, str, Source]] = field(default_factory=list)

    def cite(self, keys: list[str]) -> list[int]:
        """Numbers for these source keys, allocating new ones as needed."""
        out = []
        for key in keys:
            if key not in self.numbers:
                number = len(self.numbers) + 1
                self.numbers[key] = number
                self.sources.append((number, key, self.content.source(self.inspection, key)))
            out.append(self.numbers[key])
        return out

    def key(self, number: int) -> str:
        """The source key behind a reference number."""
        return self.sources[number - 1][1]

    def source(self, number: int) -> Source:
        """The source behind a reference number."""
        return self.sources[number - 1][2]


@dataclass(frozen=True)
class ItemView:
    """An area for improvement, cause of concern or recommendation, ready to show."""

    id: str
    text: str
    area_label: str | None
    timescale: str | None
    #: (site path, label) of the earlier item this one carries forward.
    continues: tuple[str, str] | None
    note: str | None
    refs: list[int]


@dataclass(frozen=True)
class InspectionSummary:
    """What lists and timelines show of an inspection."""

    id: str
    title: str
    short_title: str
    url: str
    date: PartialDate | None
    kind: str
    kind_label: str
    organisation: str
    verdict: str | None
    grades: list[JudgmentRow]
    #: Grade counts by level, as the grades stand today (after any amendment).
    counts: list[LevelCounts]
    organisation_id: str = ""
    #: The organisation's short name, for naming reports of several organisations.
    organisation_short: str = ""
    #: What ``date`` rests on: the publication, or the fieldwork when the publication date
    #: is not known (see model.inspection_date, the one rule for placing a report).
    date_basis: DateBasis | None = None

    #: Grade counts by level as published (the same as ``counts`` unless a grade was
    #: amended since).
    published_counts: list[LevelCounts] = field(default_factory=list)
    #: How much of the report's findings the record holds (model.findings_recorded), and
    #: the editor's note on what is not.
    findings: FindingsRecorded = "none"
    findings_note: str | None = None
    #: How many findings the record lists.
    findings_listed: int = 0

    @property
    def findings_statement(self) -> str:
        """What the record holds of the report's findings, in a sentence: never "it has
        none" unless the record says it holds them all."""
        if self.findings == "all":
            if not self.findings_listed:
                return (f"{self.short_title} raises no causes of concern or areas for "
                        "improvement and makes no recommendations.")
            return f"Every finding of {self.short_title} is recorded here."
        if self.findings == "some":
            return f"This record may not hold every finding of {self.short_title}."
        return (f"The findings of {self.short_title} (its causes of concern, areas for "
                "improvement and recommendations) are not recorded in this site; the report "
                "may make some.")

    @property
    def amended(self) -> list[JudgmentRow]:
        """The grades amended after publication."""
        return [row for row in self.grades if row.amended]

    @property
    def long_title(self) -> str:
        """The short title with the organisation's short name: 'Derbyshire PEEL 2021/22'."""
        return f"{self.organisation_short} {self.short_title}".strip()

    @property
    def year(self) -> int | None:
        """The year the inspection is placed in."""
        return self.date.year if self.date else None

    @property
    def date_label(self) -> str:
        """The date the report is placed at, saying what it rests on where that is not its
        publication: "16 February 2024", or "fieldwork October 2013; publication date not
        known"."""
        if self.date is None:
            return "date not known"
        if self.date_basis == "fieldwork":
            return f"fieldwork {self.date.label}; {UNDATED}"
        return self.date.label


@dataclass(frozen=True)
class GradeVersion:
    """A report's grades at one time: as published, or as they stood from an amendment's
    date. Wherever grades are set side by side (a grid of grades, a trend), a report with
    an amended grade shows both, each at its date."""

    summary: InspectionSummary
    #: When these grades were given: the report's date, or the amendment's.
    date: PartialDate | None
    #: Whether these are grades after an amendment.
    amended: bool
    #: The grade of each area of the report, by canonical area id.
    grades: dict[str, GradeView]
    counts: list[LevelCounts]
    #: Whether the report has later versions (then its first says "as published").
    superseded: bool = False

    @property
    def title(self) -> str:
        """Names the version: "PEEL 2021/22", "PEEL 2023–25 as published", "PEEL 2023–25
        amended 8 August 2024"."""
        if self.amended and self.date is not None:
            return f"{self.summary.short_title} amended {self.date.label}"
        return f"{self.summary.short_title} as published" if self.superseded \
            else self.summary.short_title


def grade_versions(view: InspectionView) -> list[GradeVersion]:
    """A report's grades as published, then as they stood from each amendment's date."""
    rows = view.rows
    dates = sorted({am.date for row in rows for am in row.amendments}, key=lambda d: d.sort_key)
    versions = [GradeVersion(view.summary, view.summary.date, False,
                             {row.area_id: row.published for row in rows},
                             view.summary.published_counts, superseded=bool(dates))]
    for date in dates:
        grades = {row.area_id: row.grade_on(date) for row in rows}
        counts = grade_counts([replace(row, current=grades[row.area_id]) for row in rows])
        versions.append(GradeVersion(view.summary, date, True, grades, counts))
    return versions


#: Said of a report placed at its fieldwork (see InspectionSummary.date_label).
UNDATED = "publication date not known"

STATUS_LABELS = {"met": "Met", "largely-met": "Largely met", "partly-met": "Partly met",
                 "not-met": "Not met", "carried-forward": "Carried forward",
                 "not-recorded": "Not recorded here",
                 "not-followed-up": "Not yet followed up"}
ITEM_GROUPS = {"causes_of_concern": "Cause of concern",
               "areas_for_improvement": "Area for improvement",
               "recommendations": "Recommendation"}


@dataclass(frozen=True)
class ProgressView:
    """A later report's statement on earlier items."""

    anchor: str
    status: str
    items: list[tuple[str, str, str]]
    note: str | None
    refs: list[int]

    @property
    def status_label(self) -> str:
        """The status in words."""
        return STATUS_LABELS[self.status]


@dataclass
class InspectionView:
    """Everything an inspection page shows."""

    summary: InspectionSummary
    inspection: Inspection
    organisation_name: str
    inspectorates: list[str]
    framework_title: str | None
    scale_title: str | None
    rows: list[JudgmentRow]
    causes_of_concern: list[ItemView]
    areas_for_improvement: list[ItemView]
    recommendations: list[ItemView]
    fieldwork: list[tuple[Visit, list[int]]]
    progress: list[ProgressView]
    quotes: list[tuple[str, str, str, list[int]]]
    related: list[tuple[str, Source, str | None, list[int]]]
    case_files_refs: list[int]
    refs: list[int]
    citations: Citations
    follows_up: InspectionSummary | None = None
    followed_up_by: list[InspectionSummary] = field(default_factory=list)
    previous: InspectionSummary | None = None
    next: InspectionSummary | None = None


EventType = Literal["fieldwork", "published", "placed", "amended", "response", "coverage",
                    "press-release", "letter", "report", "data"]
#: "placed": a report whose publication date is not known, at the date that places it (the
#: end of its fieldwork), so that the timeline holds every report and says which are so.
EVENT_LABELS = {
    "fieldwork": "Fieldwork", "published": "Report published",
    "placed": "Report (publication date not known)", "amended": "Grade amended",
    "response": "Response", "coverage": "News coverage", "press-release": "Press release",
    "letter": "Letter", "report": "Related report", "data": "Data",
}


@dataclass(frozen=True)
class TimelineEvent:
    """One dated thing that happened: fieldwork, a publication, an amendment, a response."""

    date: PartialDate
    end: PartialDate | None
    type: EventType
    inspection: InspectionSummary
    title: str
    detail: str | None
    url: str

    @property
    def type_label(self) -> str:
        """The event type in words."""
        return EVENT_LABELS[self.type]

    @property
    def sort_key(self) -> tuple[tuple[int, int, int], int, str]:
        """Chronological, then in the order things happen to one report."""
        return (self.date.sort_key, list(EVENT_LABELS).index(self.type), self.inspection.id)


@dataclass(frozen=True)
class HistoryPoint:
    """An area's grade in one inspection, with the framework's own name for the area."""

    inspection: InspectionSummary
    framework_title: str
    scale: str
    scale_title: str
    area_label: str
    correspondence: str
    correspondence_note: str | None
    row: JudgmentRow

    @property
    def url(self) -> str:
        """The site path of the area's row on the inspection's page."""
        return inspection_area_path(self.inspection.id, self.row.area_id)


@dataclass(frozen=True)
class AreaHistory:
    """Every inspection that looked at one canonical area, oldest first."""

    id: str
    name: str
    description: str | None
    points: list[HistoryPoint]
    #: Where the organisation's pages are ("" on a single-organisation site).
    prefix: str = ""

    @property
    def url(self) -> str:
        """The site path of the area's page."""
        return area_path(self.prefix, self.id)

    @property
    def graded(self) -> list[HistoryPoint]:
        """The points with a grade."""
        return [p for p in self.points if p.row.current.state == "graded"]

    @property
    def latest(self) -> HistoryPoint | None:
        """The most recent graded point."""
        graded = self.graded
        return graded[-1] if graded else None

    @property
    def scales(self) -> list[str]:
        """The scales its grades were given on, in order of first use."""
        return list(dict.fromkeys(p.scale for p in self.graded))


@dataclass
class Scope:
    """One organisation's part of the site: its inspections, timeline and area histories.

    A site with one organisation is one scope at the site root, so it looks as it always
    has; with several, each has its pages under organisations/<id>/.
    """

    organisation: Any
    prefix: str
    inspections: list[InspectionView]
    timeline: list[TimelineEvent] = field(default_factory=list)
    areas: list[AreaHistory] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The organisation's id."""
        return str(self.organisation.id)

    @property
    def key(self) -> str:
        """A prefix for ids that must be unique across the site ("" for a single scope)."""
        return f"{self.id}-" if self.prefix else ""

    @property
    def home_url(self) -> str:
        """The organisation's home page."""
        return self.prefix

    @property
    def timeline_url(self) -> str:
        """The organisation's timeline."""
        return timeline_path(self.prefix)

    @property
    def areas_url(self) -> str:
        """The organisation's grades by area."""
        return areas_path(self.prefix)

    @property
    def tracker_url(self) -> str:
        """The organisation's follow-up tracker."""
        return tracker_path(self.prefix)

    @property
    def newest_first(self) -> list[InspectionSummary]:
        """Inspection summaries, most recent first."""
        return [v.summary for v in reversed(self.inspections)]

    @property
    def graded_inspections(self) -> list[InspectionView]:
        """Inspections with a framework, oldest first."""
        return [v for v in self.inspections if v.rows]

    @property
    def years(self) -> list[tuple[int, list[InspectionSummary]]]:
        """Inspections grouped by year, oldest year first."""
        by_year: dict[int, list[InspectionSummary]] = {}
        for view in self.inspections:
            if view.summary.year is not None:
                by_year.setdefault(view.summary.year, []).append(view.summary)
        return sorted(by_year.items())

    @property
    def latest_graded(self) -> InspectionView | None:
        """The most recent inspection with grades."""
        graded = self.graded_inspections
        return graded[-1] if graded else None


@dataclass
class SiteView:
    """The derived site: every page's data, built once from the content."""

    content: Content
    inspections: list[InspectionView]
    scopes: list[Scope] = field(default_factory=list)
    #: Every finding with what later reports said of it (see compare.track_items).
    tracked: dict[str, Any] = field(default_factory=dict)
    #: The same findings grouped by the inspection they belong to, in report order.
    tracked_by_inspection: dict[str, list[Any]] = field(default_factory=dict)
    #: The natural pairs of reports to compare (see compare.natural_pairs).
    pairs: list[tuple[InspectionView, InspectionView]] = field(default_factory=list)
    #: Every organisation's grades, round by round (see rounds.rounds).
    rounds: list[Any] = field(default_factory=list)

    @property
    def single(self) -> bool:
        """Whether the site covers one organisation (its pages then sit at the root)."""
        return len(self.scopes) <= 1

    @property
    def focus(self) -> Scope | None:
        """The organisation whose pages sit at the site's root: the only one, or the one
        the site is about (site.yaml's ``focus``); None when all have the same place."""
        return self.scopes[0] if self.scopes and self.scopes[0].prefix == "" else None

    @property
    def others(self) -> list[Scope]:
        """The organisations set beside the one the site is about (all, without one)."""
        focus = self.focus
        return [scope for scope in self.scopes if scope is not focus]


def timeline_events(content: Content, views: list[InspectionView]) -> list[TimelineEvent]:
    """Everything dated in the record, on one time axis."""
    events: list[TimelineEvent] = []
    for view in views:
        s, insp = view.summary, view.inspection
        for visit, _ in view.fieldwork:
            events.append(TimelineEvent(
                visit.start, visit.end, "fieldwork", s,
                f"{visit.label or 'Fieldwork'}: {s.short_title}", visit.verdict, s.url))
        if s.date is not None and s.date_basis is not None:
            # The grades as published: an amendment is an event of its own, at its date.
            detail = insp.verdict or counts_text(s.published_counts) or None
            if insp.follows_up:
                detail = f"Follow-up of {view.follows_up.short_title if view.follows_up else ''}"\
                         + (f"; {detail}" if detail else "")
            if s.date_basis == "fieldwork":
                detail = (f"Placed at the end of its fieldwork, {s.date.label}; {UNDATED}"
                          + (f". {detail}" if detail else ""))
            events.append(TimelineEvent(s.date, None, "published" if s.date_basis ==
                                        "published" else "placed", s, s.title, detail, s.url))
        for row in view.rows:
            for am in row.amendments:
                events.append(TimelineEvent(
                    am.date, None, "amended", s, f"{row.area_label}: {s.short_title}",
                    f"{am.before.label} to {am.after.label}. {am.reason}",
                    inspection_area_path(s.id, row.area_id)))
        for kind, source, _, _ in view.related:
            if source.date is not None:
                events.append(TimelineEvent(source.date, None, kind, s, source.title,
                                            f"{source.publisher}, on {s.short_title}",
                                            f"{s.url}#related"))
    return sorted(events, key=lambda e: e.sort_key)


def area_histories(content: Content, views: list[InspectionView],
                   prefix: str = "") -> list[AreaHistory]:
    """Each canonical area's judgments across inspections and frameworks, in areas.yaml order."""
    points: dict[str, list[HistoryPoint]] = {area_id: [] for area_id in content.areas}
    for view in views:
        if not view.rows:
            continue
        framework = content.frameworks[view.inspection.framework or ""]
        scale = content.scales[framework.scale]
        by_area = {fa.area: fa for fa in framework.areas}
        for row in view.rows:
            fa = by_area[row.area_id]
            points[row.area_id].append(HistoryPoint(
                view.summary, framework.title, scale.id, scale.title, fa.label,
                fa.correspondence, fa.note, row))
    return [AreaHistory(area.id, area.name, area.description, points[area.id], prefix)
            for area in content.areas.values() if points[area.id]]


def _judgment_rows(content: Content, insp: Inspection, cite: Citations) -> list[JudgmentRow]:
    if insp.framework is None:
        return []
    framework = content.frameworks[insp.framework]
    scale = content.scales[framework.scale]
    levels = area_levels(content, framework)
    by_area = {j.area: j for j in insp.judgments}
    rows = []
    for fa in framework.areas:
        judgment = by_area.get(fa.area)
        if judgment is None:
            # An area the framework has but the content does not record: honestly unknown.
            word, summary, note, refs = (NOT_KNOWN if fa.graded else NOT_GRADED), None, None, []
        else:
            word, summary, note = judgment.grade, judgment.summary, judgment.note
            refs = cite.cite(judgment.cite or insp.cite)
        published = grade_view(word, scale)
        amendments = []
        current = published
        for am in sorted((a for a in insp.amendments if a.area == fa.area),
                         key=lambda a: a.date.sort_key):
            after = grade_view(_scale_word(scale, am.to_grade), scale)
            amendments.append(AmendmentView(am.date, current, after, am.reason,
                                            cite.cite(am.cite)))
            current = after
        rows.append(JudgmentRow(fa.area, fa.label, content.areas[fa.area].name, published,
                                current, amendments, summary, note, refs, levels[fa.area]))
    return rows


def _default_short_title(kind_label: str, date: PartialDate | None) -> str:
    return f"{kind_label} {date.year}" if date else kind_label


def _scale_word(scale: Scale, word: str) -> str:
    for grade in scale.grades:
        if grade.label.casefold() == word.casefold():
            return grade.label
    return word


def _items(content: Content, insp: Inspection, items: list[Item],
           cite: Citations) -> list[ItemView]:
    labels = {}
    if insp.framework:
        labels = {fa.area: fa.label for fa in content.frameworks[insp.framework].areas}
    return [ItemView(it.id, it.text,
                     labels.get(it.area, content.areas[it.area].name) if it.area else None,
                     it.timescale, _item_link(content, it.continues), it.note,
                     cite.cite(it.cite or insp.cite))
            for it in items]


def _item_link(content: Content, ref: str | None) -> tuple[str, str] | None:
    """Where an ``inspection-id#item-id`` reference points, and how to name it."""
    if ref is None:
        return None
    inspection_id, _, item_id = ref.partition("#")
    insp = content.inspection(inspection_id)
    title = insp.short_title or insp.title
    return f"{inspection_path(inspection_id)}#{item_id}", f"{title}, {item_id}"


def inspection_view(content: Content, insp: Inspection) -> InspectionView:
    """Everything an inspection's page shows, from its file and the shared files."""
    cite = Citations(insp, content)
    refs = cite.cite(insp.cite)
    rows = _judgment_rows(content, insp, cite)
    site = content.site
    framework = content.frameworks.get(insp.framework or "")
    summary = InspectionSummary(
        id=insp.id, title=insp.title, url=inspection_path(insp.id), date=inspection_date(insp),
        date_basis=date_basis(insp),
        short_title=insp.short_title or _default_short_title(site.kinds[insp.kind].label,
                                                             inspection_date(insp)),
        kind=insp.kind, kind_label=site.kinds[insp.kind].label,
        organisation=content.organisations[insp.organisation].name, verdict=insp.verdict,
        organisation_id=insp.organisation,
        organisation_short=content.organisations[insp.organisation].short_name
        or content.organisations[insp.organisation].name,
        grades=[r for r in rows if r.current.state != "not-graded"], counts=grade_counts(rows),
        published_counts=grade_counts(rows, as_published=True),
        findings=findings_recorded(insp), findings_note=insp.findings_note,
        findings_listed=sum(len(getattr(insp, group)) for group in ITEM_GROUPS),
    )
    return InspectionView(
        summary=summary,
        inspection=insp,
        organisation_name=content.organisations[insp.organisation].name,
        inspectorates=[site.inspectorates[i].name for i in insp.inspectorates],
        framework_title=framework.title if framework else None,
        scale_title=content.scales[framework.scale].title if framework else None,
        rows=rows,
        causes_of_concern=_items(content, insp, insp.causes_of_concern, cite),
        areas_for_improvement=_items(content, insp, insp.areas_for_improvement, cite),
        recommendations=_items(content, insp, insp.recommendations, cite),
        fieldwork=[(v, cite.cite(v.cite)) for v in insp.fieldwork],
        progress=[ProgressView(f"progress-{i + 1}", p.status,
                               [(ref, *_item_link(content, ref)) for ref in p.items],
                               p.note, cite.cite(p.cite))
                  for i, p in enumerate(insp.progress)],
        quotes=[(q.text, q.speaker, q.role, cite.cite(q.cite)) for q in insp.quotes],
        related=[(r.kind, content.source(insp, r.source), r.summary, cite.cite([r.source]))
                 for r in insp.related],
        case_files_refs=cite.cite(insp.case_files.cite) if insp.case_files else [],
        refs=refs,
        citations=cite,
    )
