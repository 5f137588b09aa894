"""Grades as readers see them: words, a place on their scale, a tone for colour, the level
they were given at, and any amendment since.

A grade knows whether it was given, left ungraded or is not known (three different things);
grades are counted level by level (pillars, questions, areas), never mixed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from .dates import PartialDate
from .model import NOT_GRADED, NOT_KNOWN, Framework, Scale
from .resolve import Content

GradeState = Literal["graded", "not-graded", "not-known"]
#: Grades are coloured on this many steps, best (0) to worst; scales of other lengths are
#: spread over them so that "Good" looks alike on a four- and a five-tier scale.
TONES = 5

#: The level an area is graded at. A framework that sets areas under others (PEEL's
#: questions under its pillars) grades at two levels, which are counted apart: three
#: pillars and eight questions are not eleven comparable grades. A framework of areas side
#: by side grades at one level, "area".
Level = Literal["pillar", "question", "area"]
#: Each level in words: (one, several), in the order levels are shown.
LEVEL_WORDS: dict[str, tuple[str, str]] = {
    "pillar": ("pillar", "pillars"), "question": ("question", "questions"),
    "area": ("area", "areas")}


def area_levels(content: Content, framework: Framework) -> dict[str, Level]:
    """The level each of a framework's areas is graded at: an area under another is a
    question; an area with areas under it in any framework (PEEL 2016 graded its pillars
    alone), or beside such areas, a pillar; in a framework of areas side by side, an area."""
    pillars = {fa.parent for fw in content.frameworks.values() for fa in fw.areas}
    nested = any(fa.parent or fa.area in pillars for fa in framework.areas)
    return {fa.area: "question" if fa.parent else "pillar" if nested else "area"
            for fa in framework.areas}


@dataclass(frozen=True)
class GradeView:
    """A grade as readers see it: always words, optionally a tone for colour."""

    label: str
    state: GradeState
    rank: int | None = None
    tone: int | None = None
    scale: str | None = None

    @property
    def css(self) -> str:
        """The badge's class: ``tone-0`` (best) to ``tone-4``, or its state."""
        return f"tone-{self.tone}" if self.tone is not None else self.state


def grade_view(word: str, scale: Scale | None) -> GradeView:
    """Place a judgment's grade word on its scale."""
    if word == NOT_GRADED:
        return GradeView("Not graded", "not-graded")
    if word == NOT_KNOWN or scale is None:
        return GradeView("Not known", "not-known")
    labels = [g.label for g in scale.grades]
    rank = labels.index(word)
    tone = round(rank * (TONES - 1) / (len(labels) - 1))
    return GradeView(word, "graded", rank, tone, scale.id)


@dataclass(frozen=True)
class AmendmentView:
    """A grade changed after publication."""

    date: PartialDate
    before: GradeView
    after: GradeView
    reason: str
    refs: list[int]


@dataclass(frozen=True)
class JudgmentRow:
    """One row of an inspection's judgments table."""

    area_id: str
    area_label: str
    area_name: str
    published: GradeView
    current: GradeView
    amendments: list[AmendmentView]
    summary: str | None
    note: str | None
    refs: list[int]
    level: Level = "area"

    @property
    def amended(self) -> bool:
        """Whether the grade shown today differs from the grade as published."""
        return bool(self.amendments)

    def amendment_words(self, lower: bool = False) -> str:
        """The grade as published and as amended from each amendment's date, in words:
        "Adequate as published, Requires improvement from 8 August 2024" (the grades in
        lower case with ``lower``, for a list of counts)."""
        def word(grade: GradeView) -> str:
            return grade.label.lower() if lower else grade.label

        return ", ".join([f"{word(self.published)} as published",
                          *(f"{word(am.after)} from {am.date.label}" for am in self.amendments)])

    def grade_on(self, date: PartialDate) -> GradeView:
        """The grade as it stood on a date after publication: the latest amendment's by
        then, else as published."""
        grade = self.published
        for am in self.amendments:
            if am.date.sort_key <= date.sort_key:
                grade = am.after
        return grade


@dataclass(frozen=True)
class LevelCounts:
    """How many of a report's areas at one level got each grade (or have no known grade)."""

    level: Level
    counts: list[tuple[GradeView, int]]

    @property
    def name(self) -> str:
        """The level in words, as a count names it: "pillars"."""
        return LEVEL_WORDS[self.level][1]

    @property
    def text(self) -> str:
        """The counts in words: "pillars: 2 good, 1 requires improvement"."""
        return f"{self.name}: " + ", ".join(f"{n} {grade.label.lower()}"
                                            for grade, n in self.counts)


def grade_counts(rows: list[JudgmentRow], as_published: bool = False) -> list[LevelCounts]:
    """How many areas at each level got each grade, best grade first and 'not known' last;
    as the grades stand today, or ``as_published``. Areas the inspectorate did not grade
    are not counted."""
    by_level: dict[str, Counter[GradeView]] = {}
    for row in rows:
        grade = row.published if as_published else row.current
        if grade.state != "not-graded":
            by_level.setdefault(row.level, Counter())[grade] += 1
    return [LevelCounts(level, sorted(by_level[level].items(), key=lambda pair: (
                pair[0].rank if pair[0].rank is not None else TONES, pair[0].label)))
            for level in LEVEL_WORDS if level in by_level]


def counts_text(levels: list[LevelCounts]) -> str:
    """Counts of every level in words: "pillars: 2 good; questions: 3 good"."""
    return "; ".join(level.text for level in levels)
