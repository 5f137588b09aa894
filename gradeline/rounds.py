"""Rounds: every organisation's grades under one framework, side by side.

A round is a framework cycle (PEEL 2023-25, say). Each organisation appears once, with its
latest inspection under that framework; only frameworks that at least two organisations
were inspected under make a round.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .views import GradeView, InspectionSummary, SiteView


@dataclass(frozen=True)
class RoundRow:
    """One organisation in a round."""

    organisation: str
    organisation_name: str
    inspection: InspectionSummary
    grades: list[GradeView | None]
    counts: list[int]


@dataclass(frozen=True)
class RoundView:
    """Every organisation's grades under one framework."""

    framework_id: str
    title: str
    scale_title: str
    grade_labels: list[str]
    area_ids: list[str]
    area_labels: list[str]
    rows: list[RoundRow]

    @property
    def url(self) -> str:
        """The site path of the round's page."""
        return f"rounds/{self.framework_id}/"


def rounds(site: SiteView) -> list[RoundView]:
    """A round for each framework used for two or more organisations."""
    content = site.content
    latest: dict[str, dict[str, object]] = {}
    for view in site.inspections:
        framework = view.inspection.framework
        if framework and view.rows:
            latest.setdefault(framework, {})[view.inspection.organisation] = view
    found = []
    for framework_id in sorted(latest):
        by_org = latest[framework_id]
        if len(by_org) < 2:
            continue
        framework = content.frameworks[framework_id]
        scale = content.scales[framework.scale]
        graded = [fa for fa in framework.areas if fa.graded]
        labels = [g.label for g in scale.grades]
        rows = []
        for org_id in sorted(by_org, key=lambda o: content.organisations[o].name):
            view = by_org[org_id]
            current = {r.area_id: r.current for r in view.rows}  # type: ignore[attr-defined]
            grades = [current.get(fa.area) for fa in graded]
            counted = Counter(g.label for g in grades if g is not None and g.state == "graded")
            org = content.organisations[org_id]
            rows.append(RoundRow(org_id, org.short_name or org.name,
                                 view.summary,  # type: ignore[attr-defined]
                                 grades, [counted[label] for label in labels]))
        found.append(RoundView(framework_id, framework.title, scale.title, labels,
                               [fa.area for fa in graded], [fa.label for fa in graded], rows))
    return found
