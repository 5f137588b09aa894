"""Stage 2b, cross-file checks: what one file says that another must agree with.

One file may be valid on its own and still wrong in context: a grade that is not on its
framework's scale, a follow-up of an inspection that does not exist, a source key that no
file defines. Each check reports every problem it finds with its position and carries on.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from typing import Any

from .errors import Loc, ProblemList
from .load import Document
from .model import (
    NOT_GRADED,
    NOT_KNOWN,
    Framework,
    Inspection,
    Organisation,
    Scale,
    SiteConfig,
    Source,
    inspection_date,
)
from .validate import suggest

#: The fields of an inspection that list findings (items with ids that others refer to).
ITEM_FIELDS = ("causes_of_concern", "areas_for_improvement", "recommendations")


def check_scale(scale: Scale, problems: ProblemList) -> None:
    """A scale's grade words must be distinct, and not the words for no grade."""
    seen: set[str] = set()
    for i, grade in enumerate(scale.grades):
        word = grade.label.casefold()
        if word in (NOT_GRADED, NOT_KNOWN):
            problems.add(("grades", i, "label"), f"'{grade.label}' is reserved for areas "
                                                 "without a grade; choose another label")
        if word in seen:
            problems.add(("grades", i, "label"), f"grade '{grade.label}' is listed twice")
        seen.add(word)

def check_framework(fw: Framework, areas: dict[str, Any], scales: dict[str, Scale],
                     kinds: dict[str, Any], problems: ProblemList) -> None:
    """A framework's scale, kind and areas must exist, each area listed once."""
    if fw.scale not in scales:
        problems.add(("scale",), unknown("scale", fw.scale, scales))
    if kinds and fw.kind not in kinds:
        problems.add(("kind",), unknown("kind", fw.kind, kinds))
    ids = [a.area for a in fw.areas]
    for i, fa in enumerate(fw.areas):
        if fa.area not in areas:
            problems.add(("areas", i, "area"), unknown("area", fa.area, areas,
                                                        where="areas.yaml"))
        if ids.index(fa.area) != i:
            problems.add(("areas", i, "area"), f"area '{fa.area}' is listed twice")
        if fa.parent is not None and fa.parent not in ids:
            problems.add(("areas", i, "parent"), unknown(
                "area", fa.parent, ids, where=f"framework {fw.id}"))


def check_rounds(frameworks: list[tuple[Framework, ProblemList]]) -> None:
    """Frameworks of one round are variants of one cycle: one kind, and one round title."""
    first: dict[str, Framework] = {}
    for fw, problems in frameworks:
        other = first.setdefault(fw.round_id, fw)
        if other is fw:
            continue
        if fw.kind != other.kind:
            problems.add(("round",), f"round '{fw.round_id}' is also that of framework "
                                     f"{other.id}, of kind '{other.kind}', not '{fw.kind}'; a "
                                     "round holds frameworks of one kind")
        if (fw.round_title or fw.title) != (other.round_title or other.title):
            problems.add(("round_title",), f"round '{fw.round_id}' is called "
                                           f"'{other.round_title or other.title}' in framework "
                                           f"{other.id}; give every framework of the round the "
                                           "same round_title")


def check_focus(site: SiteConfig, organisations: dict[str, Organisation],
                problems: ProblemList) -> None:
    """The organisation a site is about must be one of its organisations."""
    if site.focus is not None and site.focus not in organisations:
        problems.add(("focus",), unknown("organisation", site.focus, organisations,
                                         where="organisations/"))


def check_cites(doc: Document, local: dict[str, Source], shared: dict[str, Source],
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
            problems.add(loc, unknown("source", key, known,
                                       where="this file's sources or sources.yaml"))
    warn_sources_without_url(local, problems)


def warn_sources_without_url(sources: dict[str, Source], problems: ProblemList) -> None:
    """A source readers cannot follow is allowed (a letter, a seed copy), but only with its
    ``access`` saying why and where it can be seen; without, it is worth a warning."""
    for key, source in sources.items():
        if not source.url and not source.access:
            held = " (the project holds a copy)" if source.seed else ""
            problems.add(("sources", key), f"source has no url, so readers cannot look it "
                                           f"up{held}; add its url, or if it is not online, "
                                           "say so and where it can be seen in 'access'",
                         at_key=True, severity="warning")


def unknown(what: str, value: str, known: Iterable[str], where: str = "") -> str:
    """The message for a reference to nothing: what was meant, probably, and what is known."""
    known = sorted(known)
    listed = ", ".join(known) if len(known) <= 12 else ", ".join(known[:12]) + ", ..."
    place = f" in {where}" if where else ""
    return f"'{value}' is not a known {what}{place}{suggest(value, known)} (known: {listed})"


def references(insp: Inspection) -> set[str]:
    """The ids of the other inspections an inspection refers to."""
    refs = {insp.follows_up} if insp.follows_up else set()
    for group in ITEM_FIELDS:
        refs.update(item.continues.partition("#")[0] for item in getattr(insp, group)
                    if item.continues)
    refs.update(ref.partition("#")[0] for p in insp.progress for ref in p.items)
    return refs


class InspectionChecks:
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
            problems.add(("organisation",), unknown("organisation", insp.organisation,
                                                     self.orgs))
        if self.site is not None:
            if insp.kind not in self.site.kinds:
                problems.add(("kind",), unknown("kind", insp.kind, self.site.kinds,
                                                 where="site.yaml"))
            for i, body in enumerate(insp.inspectorates):
                if body not in self.site.inspectorates:
                    problems.add(("inspectorates", i), unknown(
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
            problems.add(("follows_up",), unknown("inspection", target_id, self.inspections))
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
            framework = self.frameworks.get(insp.framework or "")
            if framework is not None:
                self._warn_areas_left_out(framework, (), problems)
            return insp.judgments
        if insp.framework is None:
            problems.add(("judgments",), "judgments need a framework: add 'framework: <id>' "
                                         f"(known: {', '.join(sorted(self.frameworks))})")
            return insp.judgments
        framework = self.frameworks.get(insp.framework)
        if framework is None:
            problems.add(("framework",), unknown("framework", insp.framework, self.frameworks))
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
                problems.add(("judgments", i, "area"), unknown(
                    "area", judgment.area, areas, where=f"framework {framework.id}"))
            if judgment.area in first_index:
                first = first_index[judgment.area]
                problems.add(("judgments", i, "area"),
                             f"area '{judgment.area}' is judged twice (also judgments[{first}])")
            first_index.setdefault(judgment.area, i)
            key = grade.casefold()
            if key == NOT_KNOWN and not judgment.note:
                problems.add(("judgments", i, "grade"), f"'{NOT_KNOWN}' needs a note saying "
                             "what was searched for the grade, so that readers can tell a "
                             "gap in the record from a grade never given: add 'note:'",
                             severity="warning")
            if key in (NOT_GRADED, NOT_KNOWN):
                grade = key
            elif key in words:
                grade = words[key]
                if fa is not None and not fa.graded:
                    problems.add(("judgments", i, "grade"), f"area '{judgment.area}' is not "
                                 f"graded in framework {framework.id}; write '{NOT_GRADED}'")
            elif words:
                hint = suggest(grade, [*words.values(), NOT_GRADED, NOT_KNOWN],
                               ignore_case=True)
                problems.add(("judgments", i, "grade"), f"'{judgment.grade}' is not a grade of "
                             f"framework {framework.id}{hint} (allowed: {allowed})")
            out.append(judgment if grade == judgment.grade else
                       judgment.model_copy(update={"grade": grade}))
        self._warn_areas_left_out(framework, first_index, problems)
        return out

    @staticmethod
    def _warn_areas_left_out(framework: Framework, judged: Collection[str],
                             problems: ProblemList) -> None:
        """Every area of the framework should be in the judgments, so that an area without
        a known grade says so rather than looking forgotten."""
        missing = [fa.area for fa in framework.areas if fa.area not in judged]
        if not missing:
            return
        areas = f"{len(missing)} area{'s' if len(missing) > 1 else ''}"
        problems.add(("judgments",), f"leaves out {areas} of framework {framework.id}: "
                     f"{', '.join(missing)}; list each with 'grade: "
                     f"{NOT_KNOWN}' and a note saying why, or 'grade: {NOT_GRADED}' if the "
                     "inspectorate gave it no grade", at_key=True, severity="warning")

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
            if words and from_word.casefold() not in (*words, NOT_GRADED, NOT_KNOWN):
                hint = suggest(am.from_grade, words.values(), ignore_case=True)
                problems.add(("amendments", index, "from"), f"'{am.from_grade}' is not a "
                             f"grade of framework {insp.framework}{hint} "
                             f"(allowed: {', '.join(words.values())})")
            elif from_word != current[am.area]:
                problems.add(("amendments", index, "from"), f"'{am.from_grade}' is not the "
                             f"grade of '{am.area}' before this amendment ({current[am.area]})")
            to_word = am.to_grade.casefold()
            if to_word not in words:
                hint = suggest(am.to_grade, words.values(), ignore_case=True)
                problems.add(("amendments", index, "to"), f"'{am.to_grade}' is not a grade of "
                             f"framework {insp.framework}{hint} "
                             f"(allowed: {', '.join(words.values())})")
            else:
                current[am.area] = words[to_word]
            if insp.published is not None and am.date.end() < insp.published.start():
                problems.add(("amendments", index, "date"), f"amended ({am.date}) before the "
                             f"report was published ({insp.published})")

    @staticmethod
    def _check_findings_recorded(insp: Inspection, problems: ProblemList) -> None:
        """'none' and 'some' must agree with the findings the file lists."""
        listed = sum(len(getattr(insp, group)) for group in ITEM_FIELDS)
        if insp.findings_recorded == "none" and listed:
            problems.add(("findings_recorded",), f"is 'none', but the file lists {listed} "
                         f"finding{'s' if listed > 1 else ''}; write 'some' if the report "
                         "makes others that are not recorded, or 'all'")
        elif insp.findings_recorded == "some" and not listed:
            problems.add(("findings_recorded",), "is 'some', but the file lists no causes of "
                         "concern, areas for improvement or recommendations; write 'none' "
                         "if the report's findings are not recorded, or 'all' if it makes "
                         "none")

    def _check_items(self, insp: Inspection, problems: ProblemList) -> None:
        self._check_findings_recorded(insp, problems)
        seen: dict[str, str] = {}
        framework = self.frameworks.get(insp.framework or "")
        areas = [fa.area for fa in framework.areas] if framework else list(self.areas)
        for group in ITEM_FIELDS:
            for i, item in enumerate(getattr(insp, group)):
                if item.id in seen:
                    problems.add((group, i, "id"), f"item id '{item.id}' is used twice in this "
                                                   f"inspection (also in {seen[item.id]})")
                seen.setdefault(item.id, f"{group}[{i}]")
                if item.area is not None and item.area not in areas:
                    where = f"framework {framework.id}" if framework else "areas.yaml"
                    problems.add((group, i, "area"), unknown("area", item.area, areas,
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
                         unknown("inspection", target_id, self.inspections))
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
            problems.add(loc, unknown("item", item_id, ids, where=f"inspection {target_id}"))

    @staticmethod
    def _check_case_files(insp: Inspection, problems: ProblemList) -> None:
        cf = insp.case_files
        if cf is None:
            return
        counted = sum(r.count for r in cf.ratings)
        if counted > cf.total:
            problems.add(("case_files", "ratings"), f"the ratings add up to {counted}, more "
                                                    f"than the {cf.total} files examined")
