"""Rounds: every organisation's grades in one cycle of inspections, side by side.

A round is a cycle of inspections (PEEL 2023-25, say): one framework, or the variants of one
cycle that frameworks declare with a shared ``round`` (PEEL 2021/22's original and revised
frameworks). Each organisation appears once, with its latest inspection in the round; only
rounds that at least two organisations were inspected in are made. The site's focus
organisation, if it has one, comes first; the others follow by name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .dates import PartialDate
from .grades import LEVEL_WORDS, GradeView, area_levels
from .model import Framework
from .urls import comparison_path, round_path
from .views import InspectionSummary, InspectionView, SiteView, grade_versions


@dataclass(frozen=True)
class RoundRow:
    """One organisation in a round."""

    organisation: str
    organisation_name: str
    inspection: InspectionSummary
    #: The framework (of the round's variants) the organisation was inspected under.
    framework_title: str
    #: A grade for each of the round's areas; None where the organisation's framework does
    #: not assess the area.
    grades: list[GradeView | None]
    #: How many of its areas got each grade, level by level (see RoundView.count_columns).
    counts: list[int]
    #: Whether this is the organisation the site is about.
    focus: bool = False
    #: The comparison of the site's focus organisation's report with this one (see
    #: compare.natural_pairs), for the other organisations' rows.
    comparison_url: str | None = None
    #: For each grade, how it was amended after publication, in words (None if it was not).
    notes: list[str | None] = field(default_factory=list)


@dataclass(frozen=True)
class RoundView:
    """Every organisation's grades in one round."""

    id: str
    title: str
    kind: str
    scale: str
    scale_title: str
    #: The frameworks used in the round, (id, title), oldest first.
    frameworks: list[tuple[str, str]]
    grade_labels: list[str]
    area_ids: list[str]
    area_labels: list[str]
    rows: list[RoundRow]
    #: The columns of the rows' counts: (level, grade), e.g. ("pillar", "Good"). Levels are
    #: counted apart (see views.Level).
    count_levels: list[tuple[str, str]] = field(default_factory=list)
    #: What a reader must know before reading across the round, or from the last one.
    notes: list[str] = field(default_factory=list)
    #: The earlier round of the same kind, if any: (title, site path).
    previous: tuple[str, str] | None = None
    #: Whether the grading scale changed since that round.
    scale_changed: bool = False

    @property
    def url(self) -> str:
        """The site path of the round's page."""
        return round_path(self.id)

    @property
    def organisation_count(self) -> int:
        """How many organisations the round sets side by side (a report with an amended
        grade has a row as published too)."""
        return len({row.organisation for row in self.rows})

    @property
    def count_columns(self) -> list[str]:
        """The count columns' headings: "Pillars graded Good"."""
        return [f"{LEVEL_WORDS[level][1].capitalize()} graded {grade}"
                for level, grade in self.count_levels]

    @property
    def framework_id(self) -> str:
        """The round's id, which is its first framework's (for chart ids)."""
        return self.id


def rounds(site: SiteView) -> list[RoundView]:
    """A round for each cycle two or more organisations were inspected in, oldest first."""
    content = site.content
    latest: dict[str, dict[str, InspectionView]] = {}
    for view in site.inspections:
        framework = view.inspection.framework
        if framework and view.rows:
            round_id = content.frameworks[framework].round_id
            latest.setdefault(round_id, {})[view.inspection.organisation] = view
    focus = site.focus.id if site.focus is not None and not site.single else None
    found = [_round(site, round_id, by_org, focus)
             for round_id, by_org in sorted(latest.items()) if len(by_org) >= 2]
    found.sort(key=lambda r: (_first_date(r), r.id))
    return _with_previous(found)


def _round(site: SiteView, round_id: str, by_org: dict[str, InspectionView],
           focus: str | None) -> RoundView:
    content = site.content
    def oldest_first(framework_id: str) -> tuple[tuple[int, int, int], str]:
        published = content.frameworks[framework_id].published or PartialDate(1900)
        return published.sort_key, framework_id

    frameworks = sorted({view.inspection.framework for view in by_org.values()
                         if view.inspection.framework}, key=oldest_first)
    variants: list[Framework] = [content.frameworks[f] for f in frameworks]
    first = variants[0]
    scale = content.scales[first.scale]
    labels = [g.label for g in scale.grades]
    columns: dict[str, str] = {}
    levels: dict[str, str] = {}
    for framework in variants:
        framework_levels = area_levels(content, framework)
        for fa in framework.areas:
            if fa.graded:
                columns.setdefault(fa.area, fa.label)
                levels.setdefault(fa.area, framework_levels[fa.area])
    count_levels = [(level, label) for level in LEVEL_WORDS if level in levels.values()
                    for label in labels]
    rows = []
    order = sorted(by_org, key=lambda o: (o != focus, content.organisations[o].name))
    mine = by_org[focus].summary.id if focus in by_org else None
    for org_id in order:
        view = by_org[org_id]
        framework = content.frameworks[view.inspection.framework or ""]
        graded = {fa.area for fa in framework.areas if fa.graded}
        org = content.organisations[org_id]
        name = org.short_name or org.name
        # A report with an amended grade: a row as published, then the grades as they stand.
        versions = grade_versions(view)
        for version in versions:
            grades = [version.grades.get(area) if area in graded else None
                      for area in columns]
            counted = Counter((levels[area], g.label) for area, g in zip(columns, grades,
                                                                         strict=True)
                              if g is not None and g.state == "graded")
            latest = version is versions[-1]
            amended = {row.area_id: row for row in view.rows if row.amended}
            label = name if latest else f"{name} (as published)" if not version.amended \
                else f"{name} (amended {version.date.label if version.date else ''})"
            rows.append(RoundRow(
                org_id, label, view.summary, framework.title, grades,
                [counted[key] for key in count_levels],
                focus=org_id == focus and latest,
                comparison_url=comparison_path(mine, view.summary.id)
                if mine and org_id != focus and latest else None,
                notes=[f"amended {amended[area].amendments[-1].date.label}; "
                       f"{amended[area].published.label} as published"
                       if latest and area in amended else None for area in columns]))
    notes = []
    if len(variants) > 1:
        used = Counter(row.framework_title for row in rows)
        notes.append(
            f"The organisations of this round were inspected under {len(variants)} versions "
            "of its framework: " + "; ".join(f"{fw.title}: {used[fw.title]} "
                                           f"organisation{'s' if used[fw.title] != 1 else ''}"
                                           for fw in variants)
            + ". An area that an organisation's version does not grade is marked 'not "
              "assessed' in its row.")
    scales = {fw.scale for fw in variants}
    scale_title = scale.title if len(scales) == 1 else "several scales"
    return RoundView(round_id, first.round_title or first.title, first.kind, first.scale,
                     scale_title, [(fw.id, fw.title) for fw in variants], labels,
                     list(columns), list(columns.values()), rows, count_levels, notes)


def _first_date(round_view: RoundView) -> tuple[int, int, int]:
    dates = [row.inspection.date for row in round_view.rows if row.inspection.date]
    return min(d.sort_key for d in dates) if dates else (9999, 0, 0)


def _with_previous(found: list[RoundView]) -> list[RoundView]:
    """Each round with the one before it of the same kind, and a warning where the scale
    changed between them."""
    last: dict[str, RoundView] = {}
    out = []
    for round_view in found:
        before = last.get(round_view.kind)
        notes = list(round_view.notes)
        changed = before is not None and before.scale != round_view.scale
        if before is not None and changed:
            notes.insert(0, f"The grading scale changed after {before.title}: its grades are "
                            f"on the {before.scale_title}, these on the "
                            f"{round_view.scale_title}. The inspectorate warns that grades "
                            "cannot be compared directly across the change.")
        round_view = replace(round_view, notes=notes, scale_changed=changed,
                             previous=(before.title, before.url) if before else None)
        last[round_view.kind] = round_view
        out.append(round_view)
    return out
