"""Stage 2, model: the shape of every content file, as typed and validated classes.

Each class is one kind of thing an editor writes. Every field has a description: the JSON
Schema and the editor guide are generated from them, and a test fails when one is missing.
Checks that need more than one file (does this grade belong to that framework's scale?) live
in ``resolve.py``; here each file is checked on its own.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .dates import PartialDate
from .markdown import SCHEME, link_destinations

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

#: Words an editor writes in ``grade`` for an area that has no grade on the scale.
NOT_GRADED = "not graded"
NOT_KNOWN = "not known"


def check_slug(value: str) -> str:
    """Ids name output files, so they are limited to lowercase letters, digits and hyphens."""
    if not _SLUG.match(value):
        raise ValueError(
            f"'{value}' is not a safe id: use lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit (e.g. 2021-peel)"
        )
    return value


def check_url(value: str) -> str:
    """Links in content must be absolute web addresses."""
    if not _URL.match(value):
        raise ValueError(f"'{value}' is not a web address (it must start with https:// or "
                         "http://)")
    return value


def check_text(value: str) -> str:
    """Required text must say something."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def check_markdown(value: str) -> str:
    """Markdown must say something, and its links must lead to the same place on every page
    that shows it: a text appears on several pages (an inspection's, comparisons, the
    tracker), at different depths, so a relative link would lead somewhere else on each."""
    check_text(value)
    destinations = link_destinations(value)
    if "" in destinations:
        raise ValueError("a link has no address; write one in the parentheses after the "
                         "link's words, e.g. [the report](https://example.org/report)")
    relative = [d for d in destinations if not d.startswith("/") and not SCHEME.match(d)]
    if relative:
        links = ", ".join(f"'{d}'" for d in relative)
        raise ValueError(
            f"the link{'s' if len(relative) > 1 else ''} {links} "
            f"{'are' if len(relative) > 1 else 'is'} relative, but this text is shown on "
            "several pages, where it would lead to different places; link to a page of this "
            "site from the site's root, e.g. '/inspections/2021-peel/', or write a full web "
            "address starting with https://")
    return value


Slug = Annotated[str, AfterValidator(check_slug)]
Url = Annotated[str, AfterValidator(check_url)]
Text = Annotated[str, AfterValidator(check_text)]
#: Markdown text, rendered to sanitised HTML (raw HTML and scripts are removed). Links to
#: pages of the site are written from its root ("/areas/") and made relative on each page.
Markdown = Annotated[str, AfterValidator(check_markdown)]
Cite = Annotated[
    list[Slug],
    Field(description="Keys of the sources this comes from: this file's `sources`, or the "
                      "shared `sources.yaml`."),
]


class Strict(BaseModel):
    """Base for content: unknown keys are errors (with a did-you-mean), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class Source(Strict):
    """A document a fact was read from."""

    title: Text = Field(description="The document's title, as published.")
    publisher: Text = Field(description="Who published it, e.g. HMICFRS, BBC News.")
    date: PartialDate | None = Field(None, description="When it was published.")
    url: Url | None = Field(None, description="Where the public can read it, if online.")
    access: Text | None = Field(
        None, description="For a source with no public web address: why not, and where it "
                          "can be seen, e.g. 'Not published online; a copy is held by the "
                          "commissioner's office'. Shown to readers.")
    seed: str | None = Field(
        None, description="The file name of the source document this was transcribed from, "
                          "when the project holds a copy.")
    note: str | None = Field(None, description="Anything a reader should know about this "
                                               "source, e.g. that the HTML was reissued later.")


class SourceRegistry(Strict):
    """``sources.yaml``: sources cited by several files."""

    sources: dict[Slug, Source] = Field(description="Sources by key.")


class Kind(Strict):
    """A kind of inspection, such as PEEL or child protection."""

    label: Text = Field(description="Name shown to readers, e.g. 'PEEL'.")
    description: Markdown | None = Field(None, description="What this kind of inspection "
                                                           "looks at.")


class Inspectorate(Strict):
    """A body that inspects."""

    name: Text = Field(description="Short name, e.g. HMICFRS.")
    full_name: Text = Field(description="Full name, e.g. His Majesty's Inspectorate of "
                                        "Constabulary and Fire & Rescue Services.")
    url: Url | None = Field(None, description="Its website.")


class SiteConfig(Strict):
    """``site.yaml``: the site as a whole and the words shared by all content."""

    title: Text = Field(description="The site's name, shown in every page header.")
    description: Text = Field(description="One or two sentences on what the site is, used "
                                          "on the home page and in search results.")
    language: str = Field("en-GB", description="The language of the content (BCP 47 tag).")
    base_url: Url | None = Field(
        None, description="Where the site will be published, e.g. https://example.org/reports/."
                          " Leave out for a site that works from any folder.")
    licence: Markdown = Field(description="Licence and attribution for the content and data.")
    kinds: dict[Slug, Kind] = Field(description="Kinds of inspection, by id.")
    inspectorates: dict[Slug, Inspectorate] = Field(description="Inspectorates, by id.")
    focus: Slug | None = Field(
        None, description="The id of the organisation the site is about, on a site of several: "
                          "its pages sit at the site's root (home, timeline, areas, tracker) "
                          "and the others' under organisations/<id>/, for comparison. Leave "
                          "out to give every organisation the same place.")


class Organisation(Strict):
    """An inspected organisation, e.g. a police force."""

    id: Slug = Field(description="Stable id used in URLs and references.")
    name: Text = Field(description="Full name, e.g. Northamptonshire Police.")
    short_name: Text | None = Field(None, description="Shorter name for tables and charts.")
    description: Markdown | None = Field(None, description="A short introduction.")
    url: Url | None = Field(None, description="Its website.")
    cite: Cite = Field(default_factory=list)
    sources: dict[Slug, Source] = Field(default_factory=dict,
                                        description="Sources used only in this file, by key.")


class Grade(Strict):
    """One step of a grading scale."""

    label: Text = Field(description="The grade as the inspectorate words it, e.g. "
                                    "'Requires improvement'.")
    description: str | None = Field(None, description="The inspectorate's definition of the "
                                                      "grade, verbatim, where a source gives it.")
    cite: Cite = Field(default_factory=list)


class Scale(Strict):
    """An ordered grading scale, best grade first."""

    id: Slug = Field(description="Stable id, e.g. four-tier.")
    title: Text = Field(description="Name shown to readers.")
    grades: list[Grade] = Field(min_length=2, description="The grades, best first.")
    description: Markdown | None = Field(None, description="How and when the scale was used.")
    cite: Cite = Field(default_factory=list)
    sources: dict[Slug, Source] = Field(default_factory=dict,
                                        description="Sources used only in this file, by key.")


class Area(Strict):
    """A canonical area of assessment, followed across frameworks."""

    id: Slug = Field(description="Stable id that frameworks map their areas to.")
    name: Text = Field(description="A neutral name for the area across frameworks.")
    description: Markdown | None = Field(None, description="What the area covers, and how "
                                                           "its scope changed over time.")


class AreaRegistry(Strict):
    """``areas.yaml``: the canonical areas."""

    areas: list[Area] = Field(description="Every canonical area.")


Correspondence = Literal["same", "renamed", "similar", "inferred"]


class FrameworkArea(Strict):
    """One area as a framework names and grades it."""

    area: Slug = Field(description="The canonical area id (from areas.yaml).")
    label: Text = Field(description="This framework's own name for the area.")
    graded: bool = Field(True, description="Whether the framework gives this area a grade.")
    parent: Slug | None = Field(None, description="The canonical id of the area this one sits "
                                                  "under (e.g. a question under a pillar).")
    correspondence: Correspondence = Field(
        "same", description="How this area relates to the canonical area: 'same' scope, "
                            "'renamed' only, 'similar' scope, or 'inferred' from names alone.")
    note: str | None = Field(None, description="Why the correspondence is as stated.")


class Framework(Strict):
    """A grading framework: a scale and the areas it grades."""

    id: Slug = Field(description="Stable id, e.g. peel-2021.")
    title: Text = Field(description="Name shown to readers.")
    kind: Slug = Field(description="The kind of inspection it is used for (site.yaml kinds).")
    scale: Slug = Field(description="The id of its grading scale.")
    published: PartialDate | None = Field(None, description="When the framework was published.")
    description: Markdown | None = Field(None, description="What changed in this framework.")
    comparability: str | None = Field(
        None, description="What the inspectorate says about comparing its grades with "
                          "earlier frameworks.")
    areas: list[FrameworkArea] = Field(min_length=1, description="Its areas, in report order.")
    round: Slug | None = Field(
        None, description="The id of the round (one cycle of inspections) the framework "
                          "belongs to, for variants of one cycle such as PEEL 2021/22's "
                          "original and revised frameworks: a round sets every "
                          "organisation's grades side by side. Default: the framework's own id.")
    round_title: Text | None = Field(
        None, description="The round's name, e.g. 'PEEL 2021/22'; the same in every framework "
                          "of the round (default: the framework's title).")
    cite: Cite = Field(default_factory=list)
    sources: dict[Slug, Source] = Field(default_factory=dict,
                                        description="Sources used only in this file, by key.")

    @property
    def round_id(self) -> str:
        """The round the framework belongs to."""
        return self.round or self.id


class Visit(Strict):
    """A period of fieldwork, or one phase of a multi-phase inspection."""

    label: str | None = Field(None, description="Name of the phase, e.g. 'Review visit'.")
    start: PartialDate = Field(description="First day (or month) of the fieldwork.")
    end: PartialDate | None = Field(None, description="Last day (or month), if different.")
    verdict: str | None = Field(None, description="The phase's headline finding, in a few "
                                                  "words or a short verbatim quote.")
    summary: Markdown | None = Field(None, description="What the phase found.")
    cite: Cite = Field(default_factory=list)


class Judgment(Strict):
    """The grade an inspection gave one area."""

    area: Slug = Field(description="The canonical area id; it must be an area of the "
                                   "inspection's framework.")
    grade: Text = Field(description="A grade of the framework's scale as worded there, or "
                                    "'not graded', or 'not known' when no source confirms it.")
    summary: Markdown | None = Field(None, description="The finding in brief.")
    note: str | None = Field(None, description="Why a grade is not known, or other caveats.")
    cite: Cite = Field(default_factory=list)


class Amendment(Strict):
    """A grade changed after the report was published."""

    date: PartialDate = Field(description="When the change took effect.")
    area: Slug = Field(description="The canonical area id of the amended judgment.")
    from_grade: Text = Field(alias="from", description="The grade as published.")
    to_grade: Text = Field(alias="to", description="The grade after the amendment.")
    reason: Text = Field(description="Why the grade changed, as the inspectorate explains it.")
    cite: Cite = Field(min_length=1)


class Item(Strict):
    """An area for improvement, cause of concern or recommendation."""

    id: Slug = Field(description="Id unique within the inspection, e.g. afi-1.")
    text: Markdown = Field(description="What the report says, verbatim where possible.")
    area: Slug | None = Field(None, description="The canonical area it concerns.")
    timescale: str | None = Field(None, description="When it should be done, e.g. "
                                                    "'immediately', 'within six months'.")
    continues: str | None = Field(
        None, description="The earlier item this one carries forward, as "
                          "'inspection-id#item-id'.")
    note: str | None = Field(None, description="Caveats, e.g. that the text is cut short in "
                                               "the source or its area is uncertain.")
    cite: Cite = Field(default_factory=list)


class CaseRating(Strict):
    """How many audited case files got one rating."""

    rating: Text = Field(description="The rating as the report words it, e.g. 'Inadequate'.")
    count: int = Field(ge=0, description="How many files got it.")


class CaseFiles(Strict):
    """Case-file ratings from an audit of files, where a report gives them."""

    total: int = Field(gt=0, description="How many case files were examined.")
    ratings: list[CaseRating] = Field(min_length=1, description="Counts per rating, best first."
                                                                " Leave out what is not stated.")
    note: str | None = Field(None, description="What the counts do and do not say.")
    cite: Cite = Field(min_length=1)


class Quote(Strict):
    """Words someone said about the inspection, verbatim."""

    text: Text = Field(description="The words, exactly as published.")
    speaker: Text = Field(description="Who said them.")
    role: Text = Field(description="Their role when they said them.")
    cite: Cite = Field(min_length=1)


RelatedKind = Literal["response", "coverage", "press-release", "letter", "report", "data"]


class Related(Strict):
    """A document that belongs with the inspection: a response, a news report."""

    kind: RelatedKind = Field(description="What sort of document it is.")
    source: Slug = Field(description="The key of the source that describes it.")
    summary: Markdown | None = Field(None, description="What it says, in brief.")


ProgressStatus = Literal["met", "largely-met", "partly-met", "not-met"]


class Progress(Strict):
    """What this report says of items (recommendations, areas for improvement, causes of
    concern) from earlier reports."""

    items: list[str] = Field(min_length=1, description="The earlier items, each as "
                                                       "'inspection-id#item-id'.")
    status: ProgressStatus = Field(description="What this report found: met, largely-met, "
                                               "partly-met or not-met.")
    note: str | None = Field(None, description="What the report says, briefly; needed when "
                                               "one statement covers several items.")
    cite: Cite = Field(min_length=1)


class Inspection(Strict):
    """One inspection report and what it found."""

    id: Slug = Field(description="Stable id used in URLs and references, e.g. 2021-peel.")
    title: Text = Field(description="The report's title.")
    short_title: Text | None = Field(
        None, description="A short name for tables and charts, e.g. 'PEEL 2021/22' (default: "
                          "the kind and year).")
    organisation: Slug = Field(description="Id of the inspected organisation.")
    inspectorates: list[Slug] = Field(min_length=1, description="Ids of the inspectorates "
                                                                "that carried it out.")
    kind: Slug = Field(description="Kind of inspection (site.yaml kinds).")
    framework: Slug | None = Field(None, description="Id of the grading framework; leave out "
                                                     "for an inspection without grades.")
    follows_up: Slug | None = Field(None, description="Id of the inspection this one follows "
                                                      "up.")
    fieldwork: list[Visit] = Field(default_factory=list,
                                   description="When inspectors did the work, phase by phase.")
    published: PartialDate | None = Field(None, description="When the report was published; "
                                                            "leave out if not known.")
    published_note: str | None = Field(None, description="Caveats about the publication date.")
    verdict: str | None = Field(None, description="The headline finding, for inspections "
                                                  "without grades, e.g. 'limited progress'.")
    summary: Markdown | None = Field(None, description="What the inspection found, in the "
                                                       "editor's own words.")
    judgments: list[Judgment] = Field(default_factory=list, description="Grades by area.")
    amendments: list[Amendment] = Field(default_factory=list,
                                        description="Grades changed after publication.")
    case_files: CaseFiles | None = Field(None, description="Case-file audit ratings.")
    causes_of_concern: list[Item] = Field(default_factory=list, description="Causes of concern.")
    areas_for_improvement: list[Item] = Field(default_factory=list,
                                              description="Areas for improvement.")
    recommendations: list[Item] = Field(default_factory=list, description="Recommendations.")
    progress: list[Progress] = Field(
        default_factory=list, description="What this report says of earlier reports' items.")
    quotes: list[Quote] = Field(default_factory=list, description="Verbatim quotes.")
    related: list[Related] = Field(default_factory=list, description="Responses, coverage.")
    cite: Cite = Field(min_length=1, description="Sources for the inspection's facts, used for "
                                                 "any fact that names none of its own.")
    sources: dict[Slug, Source] = Field(default_factory=dict,
                                        description="Sources used only in this file, by key.")


def inspection_date(inspection: Inspection) -> PartialDate | None:
    """The date that places an inspection in time: publication, else the end of fieldwork."""
    if inspection.published:
        return inspection.published
    if inspection.fieldwork:
        last = inspection.fieldwork[-1]
        return last.end or last.start
    return None
