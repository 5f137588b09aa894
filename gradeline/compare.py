"""Comparisons of two reports, and what became of every finding: derived from the views.

Areas are matched through their canonical ids. Grades are compared only when both are on
the same scale; across a change of scale the comparison says "not directly comparable"
rather than drawing a conclusion HMICFRS warns against. Links between findings (an item that
continues an earlier one, a report saying an earlier item was met) come only from the
content: nothing here guesses them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .grades import GradeView, JudgmentRow, LevelCounts, grade_view
from .model import NOT_GRADED, NOT_KNOWN, Item
from .resolve import Content
from .urls import compare_query, comparison_path
from .views import ITEM_GROUPS, STATUS_LABELS, InspectionSummary, InspectionView, SiteView

#: Change between two grades: (symbol, words). Symbols are decoration; words carry meaning.
CHANGES = {
    "better": ("▲", "Better"),
    "worse": ("▼", "Worse"),
    "same": ("=", "Same"),
    "not-comparable": ("≠", "Not directly comparable"),
    "no-grade": ("–", "No grade to compare"),
    "only-earlier": ("◀", "Only in the earlier report"),
    "only-later": ("▶", "Only in the later report"),
}
#: The same, for two reports of different organisations (neither is earlier or later).
CHANGES_ACROSS = {**CHANGES, "better": ("▲", "Better in the second"),
                  "worse": ("▼", "Worse in the second"),
                  "only-earlier": ("◀", "Only in the first report"),
                  "only-later": ("▶", "Only in the second report")}


def compare_grades(earlier: GradeView | None, later: GradeView | None) -> str:
    """How a grade changed between two reports (a key of CHANGES)."""
    if earlier is None:
        return "only-later"
    if later is None:
        return "only-earlier"
    if earlier.state != "graded" or later.state != "graded":
        return "no-grade"
    if earlier.scale != later.scale:
        return "not-comparable"
    assert earlier.rank is not None and later.rank is not None
    if later.rank < earlier.rank:
        return "better"
    if later.rank > earlier.rank:
        return "worse"
    return "same"


@dataclass(frozen=True)
class AreaComparison:
    """One canonical area in both reports."""

    area_id: str
    area_name: str
    earlier: JudgmentRow | None
    later: JudgmentRow | None
    change: str
    #: The change had the later grade not been amended (None when it was not amended).
    change_as_published: str | None = None
    #: The page of the area's history (the later report's organisation's), if it has one.
    url: str | None = None

    @property
    def symbol(self) -> str:
        """The change as a symbol."""
        return CHANGES[self.change][0]

    @property
    def words(self) -> str:
        """The change in words."""
        return CHANGES[self.change][1]


@dataclass(frozen=True)
class FollowUp:
    """What a later report said of an item."""

    status: str
    by: InspectionSummary
    note: str | None
    url: str

    @property
    def status_label(self) -> str:
        """The status in words."""
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class TrackedItem:
    """An area for improvement, cause of concern or recommendation, and what became of it."""

    ref: str
    id: str
    group: str
    inspection: InspectionSummary
    text: str
    area_id: str | None
    area_label: str | None
    timescale: str | None
    follow_ups: list[FollowUp]
    continued_by: list[tuple[str, str, str]]
    #: Grade of the item's area in its own report, as published and as it stands.
    grade: JudgmentRow | None
    #: A later report that may say what became of it, but whose findings the record does
    #: not hold in full (see later_reports): the item's fate is then not known here.
    unrecorded_by: InspectionSummary | None = None

    @property
    def status(self) -> str:
        """The latest status a later report gives, else carried forward; else 'not recorded'
        where a later report's findings are not all recorded here, or not followed up."""
        if self.follow_ups:
            return self.follow_ups[-1].status
        if self.continued_by:
            return "carried-forward"
        if self.unrecorded_by is not None:
            return "not-recorded"
        return "not-followed-up"

    @property
    def status_label(self) -> str:
        """The status in words."""
        return STATUS_LABELS[self.status]

    @property
    def group_label(self) -> str:
        """The kind of item in words."""
        return ITEM_GROUPS[self.group]

    @property
    def url(self) -> str:
        """Where the item is on its report's page."""
        return f"{self.inspection.url}#{self.id}"


@dataclass
class Pair:
    """Two reports to compare, before the comparison is worked out (enough to link to it)."""

    earlier: InspectionView
    later: InspectionView

    @property
    def url(self) -> str:
        """The site path of the pre-rendered comparison."""
        return comparison_path(self.earlier.summary.id, self.later.summary.id)

    @property
    def picker_url(self) -> str:
        """The compare picker with these two reports chosen."""
        return compare_query(self.earlier.summary.id, self.later.summary.id)

    @property
    def changes(self) -> dict[str, tuple[str, str]]:
        """How each change between two grades is shown: (symbol, words), by key."""
        return CHANGES_ACROSS if self.across else CHANGES

    @property
    def across(self) -> bool:
        """Whether the two reports are of different organisations."""
        return self.earlier.inspection.organisation != self.later.inspection.organisation

    @property
    def earlier_label(self) -> str:
        """The first report's name, with its organisation's when they differ."""
        s = self.earlier.summary
        return s.long_title if self.across else s.short_title

    @property
    def later_label(self) -> str:
        """The second report's name, with its organisation's when they differ."""
        s = self.later.summary
        return s.long_title if self.across else s.short_title

    @property
    def title(self) -> str:
        """Names both reports."""
        return f"{self.earlier_label} and {self.later_label}"


@dataclass
class Comparison(Pair):
    """Two reports side by side."""

    rows: list[AreaComparison]
    notes: list[str]
    earlier_items: list[TrackedItem]
    later_items: list[tuple[TrackedItem, TrackedItem | None]]
    counts: list[tuple[InspectionSummary, list[LevelCounts]]] = field(default_factory=list)

    @property
    def change_counts(self) -> list[tuple[str, str, int]]:
        """How many areas changed each way: (symbol, words, count), in CHANGES order."""
        counter = Counter(r.change for r in self.rows)
        return [(sym, words, counter[key]) for key, (sym, words) in self.changes.items()
                if counter[key]]


def natural_pairs(site: SiteView) -> list[tuple[InspectionView, InspectionView]]:
    """Each inspection with the previous one of its organisation and kind, plus follow-ups;
    and in each round (see rounds.py), the site's focus organisation's report with each other
    organisation's."""
    pairs: dict[tuple[str, str], tuple[InspectionView, InspectionView]] = {}
    series: dict[tuple[str, str], list[InspectionView]] = {}
    for view in site.inspections:
        series.setdefault((view.inspection.organisation, view.inspection.kind), []).append(view)
    for views in series.values():
        for a, b in itertools.pairwise(views):
            pairs[(a.summary.id, b.summary.id)] = (a, b)
    by_id = {v.summary.id: v for v in site.inspections}
    for view in site.inspections:
        if view.inspection.follows_up:
            earlier = by_id[view.inspection.follows_up]
            pairs[(earlier.summary.id, view.summary.id)] = (earlier, view)
    for round_view in site.rounds:
        for mine in (row for row in round_view.rows if row.focus):
            # (each other organisation's report once: its row as it stands)
            for theirs in (row for row in round_view.rows
                           if row.organisation != mine.organisation
                           and row.inspection.id != mine.inspection.id):
                a, b = by_id[mine.inspection.id], by_id[theirs.inspection.id]
                pairs[(a.summary.id, b.summary.id)] = (a, b)
    order = {v.summary.id: i for i, v in enumerate(site.inspections)}
    return sorted(pairs.values(), key=lambda p: (order[p[1].summary.id], order[p[0].summary.id]))


def later_reports(site: SiteView) -> dict[str, list[InspectionView]]:
    """The reports that could say what became of each report's findings, by its id: the
    later reports of its organisation and kind, and those that follow it up."""
    later: dict[str, list[InspectionView]] = {}
    series: dict[tuple[str, str], list[InspectionView]] = {}
    for view in site.inspections:  # (oldest first)
        own = series.setdefault((view.inspection.organisation, view.inspection.kind), [])
        for earlier in own:
            later.setdefault(earlier.summary.id, []).append(view)
        own.append(view)
    by_id = {v.summary.id: v for v in site.inspections}
    for view in site.inspections:
        target = view.inspection.follows_up
        if target in by_id and view not in later.get(target, []):
            later.setdefault(target, []).append(view)
    return later


def track_items(site: SiteView, memo: dict[int, tuple[Any, ...]] | None = None
                ) -> dict[str, TrackedItem]:
    """Every item of every report with what later reports said of it, keyed by reference.

    ``memo`` (kept by a long-lived builder) keeps each view's items while neither the view
    (which is reused while its file is unchanged) nor what later reports say of its items
    has changed; it is left holding only the entries this call used.
    """
    content = site.content
    follow_ups: dict[str, list[FollowUp]] = {}
    continued: dict[str, list[tuple[str, str, str]]] = {}
    for view in site.inspections:
        for progress in view.progress:
            for ref, _, _ in progress.items:
                follow_ups.setdefault(ref, []).append(FollowUp(
                    progress.status, view.summary, progress.note,
                    f"{view.summary.url}#{progress.anchor}"))
        for group in ITEM_GROUPS:
            for item in getattr(view.inspection, group):
                if item.continues:
                    continued.setdefault(item.continues, []).append(
                        (f"{view.summary.id}#{item.id}", f"{view.summary.url}#{item.id}",
                         f"{view.summary.short_title}, {item.id}"))
    later = later_reports(site)
    tracked: dict[str, TrackedItem] = {}
    used: dict[int, tuple[Any, ...]] = {}
    for view in site.inspections:
        # The first later report whose findings the record does not hold in full.
        unrecorded = next((v.summary for v in later.get(view.summary.id, [])
                           if v.summary.findings != "all"), None)
        kept = memo.get(id(view)) if memo is not None else None
        if kept is not None and kept[0] is not view:
            kept = None
        refs = kept[1] if kept is not None else [
            f"{view.summary.id}#{item.id}" for group in ITEM_GROUPS
            for item in getattr(view.inspection, group)]
        said = (unrecorded,
                *((ref, tuple(follow_ups[ref]) if ref in follow_ups else (),
                   tuple(continued[ref]) if ref in continued else ())
                  for ref in refs if ref in follow_ups or ref in continued))
        if kept is not None and kept[2] == said:
            items = kept[3]
        else:
            items = _tracked_items(content, view, follow_ups, continued, unrecorded)
        # The view, kept alive by the entry, keeps its id from being reused.
        used[id(view)] = (view, refs, said, items)
        tracked.update((item.ref, item) for item in items)
    if memo is not None:
        memo.clear()
        memo.update(used)
    return tracked


def _tracked_items(content: Content, view: InspectionView,
                   follow_ups: dict[str, list[FollowUp]],
                   continued: dict[str, list[tuple[str, str, str]]],
                   unrecorded: InspectionSummary | None) -> list[TrackedItem]:
    """One report's items, each with what later reports said of it."""
    items = []
    labels = {}
    if view.inspection.framework:
        labels = {fa.area: fa.label
                  for fa in content.frameworks[view.inspection.framework].areas}
    rows = {r.area_id: r for r in view.rows}
    for group in ITEM_GROUPS:
        item: Item
        for item in getattr(view.inspection, group):
            ref = f"{view.summary.id}#{item.id}"
            area_label = (labels.get(item.area) or content.areas[item.area].name
                          if item.area else None)
            items.append(TrackedItem(
                ref=ref, id=item.id, group=group, inspection=view.summary,
                text=item.text, area_id=item.area, area_label=area_label,
                timescale=item.timescale, follow_ups=follow_ups.get(ref, []),
                continued_by=continued.get(ref, []),
                grade=rows.get(item.area) if item.area else None,
                unrecorded_by=unrecorded,
            ))
    return items


def compare(site: SiteView, earlier: InspectionView, later: InspectionView,
            tracked: dict[str, TrackedItem]) -> Comparison:
    """Put two reports side by side: grades by area, notes on comparability, findings."""
    content = site.content
    before = {r.area_id: r for r in earlier.rows}
    after = {r.area_id: r for r in later.rows}
    # Each area links to its history: the later report's organisation's, else the earlier's.
    histories: dict[str, str] = {}
    scopes = {scope.id: scope for scope in site.scopes}
    for organisation in (earlier.inspection.organisation, later.inspection.organisation):
        if organisation in scopes:
            histories.update((h.id, h.url) for h in scopes[organisation].areas)
    # The later report's order first (it is the one readers ask about), then areas only the
    # earlier report had, in its order.
    order = [*after, *(a for a in before if a not in after)]
    rows = []
    for area_id in order:
        a, b = before.get(area_id), after.get(area_id)
        change = compare_grades(a.current if a else None, b.current if b else None)
        as_published = None
        if b is not None and b.amended:
            as_published = compare_grades(a.current if a else None, b.published)
        rows.append(AreaComparison(area_id, content.areas[area_id].name, a, b, change,
                                   as_published, histories.get(area_id)))
    notes = comparability_notes(content, earlier.inspection.framework,
                                later.inspection.framework)
    earlier_id, later_id = earlier.summary.id, later.summary.id
    earlier_items = list(site.tracked_by_inspection.get(earlier_id, []))
    later_items = []
    for t in site.tracked_by_inspection.get(later_id, []):
        continues = None
        for group in ITEM_GROUPS:
            for item in getattr(later.inspection, group):
                if item.id == t.id and item.continues:
                    continues = tracked.get(item.continues)
        later_items.append((t, continues))
    counts = [(earlier.summary, earlier.summary.counts), (later.summary, later.summary.counts)]
    return Comparison(earlier, later, rows, notes, earlier_items, later_items, counts)


def comparability_notes(content: Content, fa: str | None, fb: str | None) -> list[str]:
    """What a reader must know before comparing grades from these two frameworks."""
    if fa and fb:
        sa, sb = content.frameworks[fa].scale, content.frameworks[fb].scale
        if sa != sb:
            return [f"The two reports grade on different scales, the {content.scales[sa].title} "
                    f"and the {content.scales[sb].title}. Their grades are not directly "
                    "comparable, so no change is shown: HMICFRS says a lower grade on the "
                    "newer scale does not necessarily mean worse performance."]
        if fa != fb and content.frameworks[fa].round_id == content.frameworks[fb].round_id:
            return [f"The two reports were graded under two versions of one cycle's framework, "
                    f"{content.frameworks[fa].title} and {content.frameworks[fb].title}, on the "
                    "same scale. Areas are matched by their canonical ids; an area that one "
                    "version grades and the other does not has no grade to compare, and the "
                    "inspectorate gives no guidance on comparing grades across the two "
                    "versions."]
        if fa != fb:
            return [f"The two reports use different frameworks, {content.frameworks[fa].title} "
                    f"and {content.frameworks[fb].title}, on the same scale. Areas are matched "
                    "by their canonical ids; where a framework renamed or reshaped an area, "
                    "the grades describe similar but not identical ground, and HMICFRS warns "
                    "against comparing grades across PEEL cycles directly."]
        return []
    if not fa and not fb:
        return ["Neither report gives grades; compare their findings below."]
    return ["Only one of the two reports gives grades."]


#: What a comparison says of an earlier finding the later report neither rules on nor
#: carries forward: by how much of the later report's findings the record holds.
UNSAID = {"all": ("not-carried-forward", "Not carried forward"),
          "some": ("not-recorded", STATUS_LABELS["not-recorded"]),
          "none": ("not-recorded", STATUS_LABELS["not-recorded"])}


def fate_in(item: TrackedItem, later: InspectionSummary) -> tuple[str, str]:
    """What the later report of a comparison did with an earlier item: (key, words). Where
    the record holds nothing of it, 'not recorded here' unless the record holds every
    finding of the later report (then it did not carry the item forward)."""
    for follow_up in item.follow_ups:
        if follow_up.by.id == later.id:
            return follow_up.status, follow_up.status_label
    for ref, _, _ in item.continued_by:
        if ref.startswith(f"{later.id}#"):
            return "carried-forward", STATUS_LABELS["carried-forward"]
    return UNSAID[later.findings]


def grade_key(grade: GradeView | None) -> str:
    """A grade as the compare picker looks it up in the table of changes: its scale and
    rank, or its state ("" for an area not in the report)."""
    if grade is None:
        return ""
    return f"{grade.scale}:{grade.rank}" if grade.state == "graded" else grade.state


def changes_table(site: SiteView) -> dict[str, str]:
    """How any grade of the site's scales compares with any other, as compare_grades says:
    the picker looks changes up here rather than repeat the rule ("earlier|later" keys)."""
    grades: list[GradeView | None] = [None, grade_view(NOT_GRADED, None),
                                      grade_view(NOT_KNOWN, None)]
    for scale in site.content.scales.values():
        grades += [grade_view(g.label, scale) for g in scale.grades]
    return {f"{grade_key(a)}|{grade_key(b)}": compare_grades(a, b)
            for a in grades for b in grades}


def compare_data(site: SiteView, views: list[InspectionView]) -> dict[str, Any]:
    """What the compare picker needs about one organisation's inspections: one data file
    that the picker reads, whichever two reports are chosen (with another organisation's
    file when the other report is theirs)."""
    def grade(g: GradeView) -> dict[str, Any]:
        return {"label": g.label, "css": g.css, "key": grade_key(g)}

    inspections = []
    ids = {v.summary.id for v in views}
    pairs = [Pair(a, b) for a, b in site.pairs if a.summary.id in ids or b.summary.id in ids]
    scope = next((s for s in site.scopes if views and s.id == views[0].inspection.organisation),
                 None)
    histories = {h.id: h.url for h in scope.areas} if scope else {}
    for view in views:
        s = view.summary
        framework = site.content.frameworks.get(view.inspection.framework or "")
        inspections.append({
            "id": s.id, "title": s.title, "short_title": s.short_title, "url": s.url,
            "long_title": s.long_title,
            "organisation": view.inspection.organisation, "organisation_name": s.organisation,
            "date": str(s.date) if s.date else None,
            "date_label": s.date_label,
            "kind": s.kind_label,
            "framework": framework.id if framework else None,
            "framework_title": framework.title if framework else None,
            "scale": framework.scale if framework else None,
            "scale_title": view.scale_title,
            # What the picker says of an earlier finding this report leaves unsaid, and of
            # this report's findings (see fate_in, views.InspectionSummary).
            "unsaid": list(UNSAID[s.findings]),
            "findings": s.findings, "findings_statement": s.findings_statement,
            "findings_note": s.findings_note,
            "areas": [{"id": r.area_id, "name": r.area_name, "label": r.area_label,
                       "url": histories.get(r.area_id),
                       "grade": grade(r.current),
                       "published": grade(r.published) if r.amended else None,
                       "amended": str(r.amendments[-1].date) if r.amended else None,
                       "amended_label": r.amendments[-1].date.label if r.amended else None,
                       "reason": " ".join(am.reason for am in r.amendments)
                       if r.amended else None}
                      for r in view.rows],
            "items": [{"ref": t.ref, "id": t.id, "group": t.group_label, "text": t.text,
                       "area": t.area_label, "url": t.url,
                       "fates": {f.by.id: [f.status, f.status_label] for f in t.follow_ups}
                       | {ref.split("#")[0]: ["carried-forward",
                                              STATUS_LABELS["carried-forward"]]
                          for ref, _, _ in t.continued_by
                          if ref.split("#")[0] not in {f.by.id for f in t.follow_ups}},
                       "continues": next((c for c in _continues(view, t.id)), None)}
                      for t in site.tracked_by_inspection.get(s.id, [])],
        })
    return {
        "inspections": inspections,
        "pairs": [[p.earlier.summary.id, p.later.summary.id, p.url] for p in pairs],
        "changes": {k: list(v) for k, v in CHANGES.items()},
        "changes_across": {k: list(v) for k, v in CHANGES_ACROSS.items()},
        "table": changes_table(site),
        "not_mentioned": list(UNSAID["none"]),
        # Every pair of frameworks (and none), so the picker words its notes as pages do.
        "notes": {f"{a or ''}|{b or ''}": comparability_notes(site.content, a, b)
                  for a in [None, *site.content.frameworks]
                  for b in [None, *site.content.frameworks]},
    }


def _continues(view: InspectionView, item_id: str) -> list[str]:
    return [item.continues for group in ITEM_GROUPS for item in getattr(view.inspection, group)
            if item.id == item_id and item.continues]
