"""The data dictionary: what each open data file holds, column by column, as the Data page
shows it and as ``data/datapackage.json`` (a Frictionless Data Package) declares it.

Every CSV file has a Table Schema here: each column's name, type and meaning, and the words
a column may hold where they are a fixed set (grades, statuses, precisions). The Data page
and the package are both made from these, and a test validates every built CSV file against
its schema, so what the page says cannot drift from what the files hold.

The rules that hold across the files (how a partial date is written, what an empty cell or
a leading single quote means) are stated once, in RULES.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .csvfile import PREFIX, neutralise
from .dates import PartialDate

#: How precisely a date is known, as the ``*_precision`` columns say it.
PRECISIONS = ("day", "month", "year")
#: What placed a report in time, as ``date_basis`` says it.
DATE_BASES = ("published", "fieldwork")
#: Words for a grade that is not on the scale, in judgments.csv's grade_status and in the
#: cells of the charts' CSV files (where "not assessed" is an area the report's framework
#: does not have).
GRADE_STATUSES = ("graded", "not graded", "not known")
#: The level an area is graded at (views.Level), and what a count of grades counts (its
#: plural words, views.LEVEL_WORDS).
LEVELS = ("pillar", "question", "area")
LEVEL_COUNTS = ("pillars", "questions", "areas")
NOT_ASSESSED = "not assessed"

#: The rules that hold for every file, in the order the Data page states them.
RULES = [
    ("Dates",
     "Every date is a full ISO 8601 date (YYYY-MM-DD). Where a source gives only the month "
     "or the year, the date is the first day of that month or year, and the column (or "
     "key) of the same name ending in _precision says how much of it is known: day, month "
     "or year. So a report published in March 2018 has published 2018-03-01 and "
     "published_precision month: never read a date without its precision."),
    ("Placing a report in time",
     "published is the publication date, and is empty when it is not known. date is the "
     "date the site places the report at, on every page, the timeline and the data: its "
     "publication, or where that is not known the end of its fieldwork. date_basis says "
     "which (published or fieldwork), and date_precision how precisely it is known. A report "
     "with neither has all three empty."),
    ("Empty cells",
     "An empty cell, or null in JSON, means the value is not known or does not apply; "
     "every JSON record has the same keys, with null where there is nothing to say."),
    ("Text that looks like a formula",
     f"A text that begins with =, +, -, @, a tab or a carriage return is written with a "
     f"single quote ({PREFIX}) before it, so that a spreadsheet shows it as text rather than "
     f"running it as a formula. The quote is not part of the text: remove it from a text "
     f"cell that begins with {PREFIX}=, {PREFIX}+, {PREFIX}-, {PREFIX}@ or {PREFIX} followed "
     f"by a tab or carriage return. Numbers and dates never carry it."),
    ("Encoding",
     "CSV files are UTF-8 with a byte-order mark (so that spreadsheet programs read dashes "
     "and accents correctly), comma separated, quoted where needed (RFC 4180), with CRLF "
     "line ends. JSON files are UTF-8."),
]


def date_cells(date: PartialDate | None) -> tuple[str | None, str | None]:
    """A date as the data gives it: the first day it could be, and how precisely it is
    known (see RULES)."""
    if date is None:
        return None, None
    precision = "day" if date.day is not None else "month" if date.month is not None else "year"
    return date.start().isoformat(), precision


@dataclass(frozen=True)
class Field:
    """One column of a CSV file.

    ``values``: the words the column may hold, for a fixed set ("grades": the grades of
    every scale of the site; "grades or statuses": those or the words for an area without
    a grade); none for free text."""

    name: str
    type: str
    description: str
    values: tuple[str, ...] | str = ()
    required: bool = False

    def schema(self, grades: Sequence[str]) -> dict[str, Any]:
        """The field as a Table Schema field descriptor."""
        descriptor: dict[str, Any] = {"name": neutralise(self.name), "type": self.type,
                                      "description": self.description}
        if self.type == "date":
            descriptor["format"] = "%Y-%m-%d"
        values = (list(grades) if self.values == "grades" else
                  [*grades, *GRADE_STATUSES[1:], NOT_ASSESSED]
                  if self.values == "grades or statuses" else
                  [*grades, GRADE_STATUSES[2]] if self.values == "grades or not known"
                  else list(self.values))
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if values:
            # A grade that looked like a formula is written as text, and so allowed as such.
            constraints["enum"] = [neutralise(v) for v in values]
        if constraints:
            descriptor["constraints"] = constraints
        return descriptor


def _text(name: str, description: str, required: bool = False) -> Field:
    return Field(name, "string", description, required=required)


def _date(name: str, what: str, see: str = "Dates") -> list[Field]:
    return [Field(name, "date", f"{what} (see {see}).", ()),
            Field(f"{name}_precision", "string",
                  f"How precisely {name} is known: day, month or year.", PRECISIONS)]


def _chart_date(what: str, see: str = "Dates") -> list[Field]:
    return [Field("Date", "date", f"{what} (see {see})."),
            Field("Date precision", "string", "How precisely Date is known: day, month or "
                                              "year.", PRECISIONS)]


#: The columns that place a report in time.
_PLACING = [
    *_date("date", "The date the site places the report at: its publication, else the end "
                   "of its fieldwork", see="Placing a report in time, and Dates"),
    Field("date_basis", "string", "What date rests on: published or fieldwork.", DATE_BASES),
]

#: judgments.csv: its first columns, in a promised order (people script against it).
JUDGMENT_FIXED = [
    _text("organisation", "The inspected organisation's name.", required=True),
    _text("inspection_id", "The inspection's id, as in its page address and "
                           "inspections.json.", required=True),
    _text("inspection_title", "The report's title.", required=True),
    Field("published", "date", "Publication date (see Dates); empty when not known."),
    _text("framework", "Id of the grading framework.", required=True),
    _text("area_id", "Canonical area id: the same id across frameworks where the areas "
                     "correspond.", required=True),
    _text("area_label", "The area's name in this framework.", required=True),
    Field("grade", "string", "The grade in the framework's own words, as it stands after any "
                             "amendment; empty when the area was not graded or the grade is "
                             "not known (see grade_status).", "grades"),
]
#: judgments.csv: the columns after the fixed ones; more may be added at the end.
JUDGMENT_MORE = [
    Field("grade_status", "string", "graded, not graded (the inspectorate gave no grade) or "
                                    "not known (no source consulted confirms the grade).",
          GRADE_STATUSES, required=True),
    Field("grade_as_published", "string", "The grade when the report was published, where it "
                                          "was graded (the same as grade unless amended).",
          "grades"),
    Field("amended_on", "date", "Date of the latest amendment of the grade, if any (see "
                                "Dates)."),
    _text("amendment_reason", "Why the grade was amended."),
    _text("scale", "Id of the grading scale (four-tier, five-tier): grades on different "
                   "scales are not directly comparable.", required=True),
    _text("area_name", "The canonical area's neutral name.", required=True),
    _text("organisation_id", "The organisation's id.", required=True),
    _text("sources", "Titles of the sources for this judgment, separated by '; '."),
    _text("source_urls", "Web addresses of those sources, where public, separated by '; '."),
    Field("published_precision", "string", "How precisely published is known: day, month "
                                           "or year.", PRECISIONS),
    *_PLACING,
    Field("amended_on_precision", "string", "How precisely amended_on is known: day, month "
                                            "or year.", PRECISIONS),
    _text("inspection_short_title", "The report's short name, as the charts' columns name "
                                    "it (e.g. PEEL 2021/22).", required=True),
    Field("level", "string", "The level the area is graded at: pillar (a framework's main "
                             "area), question (an area under a pillar) or area (in a "
                             "framework without pillars). Count grades within one level: "
                             "pillars and questions are not comparable grades.", LEVELS,
          required=True),
]
JUDGMENT_FIELDS = JUDGMENT_FIXED + JUDGMENT_MORE

#: Kinds of finding, as findings.csv names them.
FINDING_TYPES = ("cause of concern", "area for improvement", "recommendation")
FINDING_FIELDS = [
    _text("organisation_id", "The organisation's id.", required=True),
    _text("organisation", "The inspected organisation's name.", required=True),
    _text("inspection_id", "The id of the report that made the finding.", required=True),
    _text("inspection_title", "That report's title.", required=True),
    *_date("published", "Publication date of the report; empty when not known"),
    *_PLACING,
    Field("finding_type", "string", "cause of concern, area for improvement or "
                                    "recommendation.", FINDING_TYPES, required=True),
    _text("finding_id", "The finding's id within its report (its page's anchor).",
          required=True),
    _text("area_id", "The canonical area it concerns, if any."),
    _text("area_name", "That area's neutral name."),
    _text("text", "What the report says, as plain text (inspections.json has it in "
                  "Markdown).", required=True),
    _text("timescale", "When it should be done, where the report says."),
    _text("continues", "The earlier finding this one carries forward, as "
                       "inspection-id#finding-id."),
    _text("note", "The editor's caveats."),
    _text("url", "The finding on its report's page, relative to the site's root.",
          required=True),
]


@dataclass(frozen=True)
class ChartKind:
    """The CSV files of one kind of chart: each holds exactly its chart's table, with each
    date also given whole with its precision."""

    title: str
    description: str
    #: The columns, or for a wide table its first columns only (the rest are alike).
    fields: list[Field]
    #: For a wide table: what each further column is.
    wide: str | None = None
    #: For a wide table: the type of each further column (a grade, or a count).
    wide_type: str = "string"


#: Kinds of chart, by the name pages give them (pages.CHART_KINDS).
CHART_KINDS: dict[str, ChartKind] = {
    "grades": ChartKind(
        "Grades given in one report",
        "How many of the report's areas at each level got each grade of its scale, after "
        "amendments and as published. Levels are counted apart: a framework that sets "
        "questions under pillars grades both, and the two are not added up.",
        [Field("Level", "string", "What is counted: pillars (the framework's main areas), "
                                  "questions (areas under a pillar) or areas (in a framework "
                                  "without pillars).", LEVEL_COUNTS, required=True),
         Field("Grade", "string", "A grade of the report's scale, or not known (the area "
                                  "was assessed but no source consulted gives its grade).",
               "grades or not known", required=True),
         Field("Count", "integer", "How many got it, as the grades stand after any "
                                   "amendment.", required=True),
         Field("Count as published", "integer", "How many got it when the report was "
                                                "published.", required=True)]),
    "case-files": ChartKind(
        "Case files rated in one report",
        "How many audited case files got each rating; 'Rating not stated' counts the files "
        "whose rating the sources do not give.",
        [_text("Rating", "The rating as the report words it.", required=True),
         Field("Files", "integer", "How many files got it.", required=True)]),
    "history": ChartKind(
        "One area's grades over time",
        "Every report of one organisation that assessed the area, oldest first: a row for "
        "its grade as published, at the report's date, and a row for each amendment of the "
        "grade, at the amendment's date. The area's name and scope may differ between "
        "frameworks (the last column), and grades on different scales are not directly "
        "comparable.",
        [_text("Inspection", "The report's short name.", required=True),
         *_chart_date("The date the grade was given: for a report's grade, the date the "
                      "site places the report at (its publication, else the end of its "
                      "fieldwork); for an amended grade, the amendment's date",
                      see="Placing a report in time, and Dates"),
         Field("Event", "string", "Report published, Report (publication date not known) "
                                  "or Grade amended.", "events", required=True),
         Field("Grade", "string", "The grade given at that date, or not graded / not known.",
               "grades or statuses", required=True),
         _text("Scale", "The grading scale's name.", required=True),
         _text("Area as named by the framework", "The area's name in the report's "
                                                 "framework.", required=True)]),
    "grades-by-area": ChartKind(
        "Grades by area and report (wide)",
        "One organisation's grades: a row for each area, a column for each graded report. "
        "The same grades, one row per judgment, are in judgments.csv (area_name, "
        "inspection_short_title, grade and grade_status).",
        [_text("Area", "The canonical area's neutral name.", required=True)],
        wide="The grade this report gave the area, or not graded, not known, or not "
             "assessed (the report's framework has no such area)."),
    "timeline": ChartKind(
        "Timeline of one organisation's inspections",
        "Every dated event: fieldwork, publications, amendments, responses and coverage, "
        "oldest first.",
        [*_chart_date("When it happened; for fieldwork, when it began"),
         Field("Event", "string", "What happened.", "events", required=True),
         _text("Kind", "The kind of inspection.", required=True),
         _text("Title", "The report or document.", required=True),
         _text("Detail", "The headline finding or what changed, where there is one.")]),
    "trend": ChartKind(
        "One organisation's headline grades, report by report (wide)",
        "A row for each report of one kind (a report with a grade amended after publication "
        "has a row as published and one from the amendment's date), oldest first: how many "
        "of its headline grades (its pillars where its framework has them, else its areas) "
        "got each grade. Grades on different scales, and counts of pillars and of areas, "
        "are not directly comparable.",
        [_text("Report", "The report's short name, with 'as published' or 'amended' and the "
                         "date where a grade was amended.", required=True),
         *_chart_date("When these grades were given: the date the site places the report "
                      "at, or the amendment's date", see="Placing a report in time, and "
                                                        "Dates"),
         Field("Event", "string", "Report published, Report (publication date not known) "
                                  "or Grade amended.", "events", required=True),
         _text("Scale", "The grading scale's name.", required=True),
         Field("Counted", "string", "What the row counts: pillars or areas.", LEVEL_COUNTS,
               required=True)],
        wide="How many of the report's headline grades got this grade (the column's name); "
             "0 where the grade is not on the report's scale (see Scale). 'Not known': how "
             "many are assessed but no source consulted gives their grade.",
        wide_type="integer"),
    "round": ChartKind(
        "Every organisation under one framework (wide)",
        "A row for each organisation (its latest report under the framework), a column for "
        "each area. The same grades, one row per judgment, are in judgments.csv.",
        [_text("Organisation", "The organisation's name.", required=True)],
        wide="The grade the organisation's latest report under this framework gave the "
             "area, or not graded, not known, or not assessed."),
}


def chart_fields(kind: str, columns: Sequence[str]) -> list[Field]:
    """The columns of a chart's CSV file, as the file's header has them; raises ValueError
    if they are not those its kind declares (a chart changed and this dictionary did not)."""
    spec = CHART_KINDS[kind]
    if spec.wide is None:
        names = [f.name for f in spec.fields]
        if list(columns) != names:
            raise ValueError(f"a {kind} chart's CSV has the columns {list(columns)}, "
                             f"not {names}: update datapackage.CHART_KINDS")
        return spec.fields
    names = [f.name for f in spec.fields]
    first, rest = list(columns[:len(names)]), columns[len(names):]
    if first != names:
        raise ValueError(f"a {kind} chart's CSV starts with {', '.join(map(repr, first))}, "
                         f"not {', '.join(map(repr, names))}: update datapackage.CHART_KINDS")
    return [*spec.fields, *(Field(name, spec.wide_type, spec.wide,
                                  "grades or statuses" if spec.wide_type == "string" else ())
                            for name in rest)]


def chart_csv_columns(columns: Sequence[str]) -> list[str]:
    """A chart's CSV header: its table's columns, with a precision column after "Date"."""
    out = []
    for name in columns:
        out.append(name)
        if name == "Date":
            out.append("Date precision")
    return out


def table_schema(fields: Iterable[Field], grades: Sequence[str], events: Sequence[str] = (),
                 kind: ChartKind | None = None) -> dict[str, Any]:
    """A Table Schema for a CSV file with these columns (of a chart of this kind)."""
    out = []
    for f in fields:
        if f.values == "events":
            f = Field(f.name, f.type, f.description, tuple(events), f.required)
        out.append(f.schema(grades))
    about = {"title": kind.title, "description": kind.description} if kind else {}
    return {**about, "fields": out, "missingValues": [""]}


def csv_resource(path: str, title: str, description: str,
                 schema: dict[str, Any] | str) -> dict[str, Any]:
    """A Data Package resource for a CSV file of the site (``path`` relative to data/)."""
    return {"name": path.rsplit(".", 1)[0].replace("/", "-"), "path": path,
            "title": title, "description": description, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "schema": schema}


def json_resource(path: str, title: str, description: str) -> dict[str, Any]:
    """A Data Package resource for a JSON file of the site."""
    return {"name": path.rsplit(".", 1)[0].replace("/", "-"), "path": path,
            "title": title, "description": description, "profile": "data-resource",
            "format": "json", "mediatype": "application/json", "encoding": "utf-8"}


def package_json(title: str, description: str, resources: list[dict[str, Any]]) -> bytes:
    """datapackage.json: the same for the same content (sorted keys, no dates of making)."""
    package = {"profile": "data-package", "name": "open-data", "title": title,
               "description": description, "resources": resources}
    return (json.dumps(package, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
