"""Stage 2, model: the shape of every content file, as typed and validated classes.

Each class is one kind of thing an editor writes. Every field has a description: the JSON
Schema and the editor guide are generated from them, and a test fails when one is missing.
Checks that need more than one file (does this grade belong to that framework's scale?) live
in ``resolve.py``; here each file is checked on its own.
"""

from __future__ import annotations

import html
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .dates import PartialDate
from .markdown import SCHEME, link_destinations, without_code

#: Ids name folders and files of the site, so one rule covers them all: lowercase letters,
#: digits and hyphens, at most 80 characters. Patterns are matched whole (``fullmatch``):
#: ``$`` would also match before a final line end, letting "2021-peel\n" through.
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
#: Names Windows keeps for devices, in any case and with any extension: a folder so named
#: cannot be made or copied there.
RESERVED_IDS = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                          *(f"lpt{n}" for n in range(10))})
#: A language tag's shape (BCP 47: a language, then subtags), and a bound on its length:
#: Pagefind names its index files by the tag and a hash cut to the tag's length and 8 more
#: characters, and panics when the hash (40 hexadecimal digits, fewer when it drops leading
#: zeros) is shorter. Real tags ("hy-Latn-IT-arevela") are shorter.
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
LANGUAGE_MAX = 20
#: A web address: http or https, a host, and no spaces or control characters anywhere.
_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f/$.?#][^\s\x00-\x1f\x7f]*")

#: Words an editor writes in ``grade`` for an area that has no grade on the scale.
NOT_GRADED = "not graded"
NOT_KNOWN = "not known"


def check_slug(value: str) -> str:
    """Ids name output files, so they are limited to lowercase letters, digits and hyphens,
    and may not be a name Windows reserves."""
    if not _ID.fullmatch(value):
        raise ValueError(
            f"{_quoted(value)} is not a safe id: use lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit, at most 80 characters (e.g. "
            "2021-peel)"
        )
    if value in RESERVED_IDS:
        raise ValueError(f"'{value}' is a name Windows reserves for a device, so no folder "
                         "can have it there; choose another id")
    return value


def check_language(value: str) -> str:
    """The language names files of the search index: a BCP 47 tag's shape only."""
    if len(value) > LANGUAGE_MAX or not _LANGUAGE.fullmatch(value):
        raise ValueError(f"{_quoted(value)} is not a language tag: write one such as en-GB, "
                         f"cy or fr-CA (letters and digits in parts joined by hyphens, at "
                         f"most {LANGUAGE_MAX} characters)")
    return value


def check_url(value: str) -> str:
    """Links in content must be absolute web addresses, with nothing that could end a line."""
    if not _URL.fullmatch(value):
        raise ValueError(f"{_quoted(value)} is not a web address (it must start with https:// "
                         "or http://, and hold no spaces or line breaks)")
    return value


def _quoted(value: str) -> str:
    """A value as a message quotes it, on one line (a line end shows as \\n) and cut short
    when long (it may be a megabyte)."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value[:100])
    return f"'{shown}'" if len(value) <= 100 else f"'{shown[:60]}…' ({len(value):,} characters)"


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
    for destination in destinations:
        if problem := _link_problem(destination):
            raise ValueError(problem)
    relative = [d for d in destinations if not d.startswith("/") and not SCHEME.match(d)]
    if relative:
        links = ", ".join(f"'{d}'" for d in relative)
        raise ValueError(
            f"the link{'s' if len(relative) > 1 else ''} {links} "
            f"{'are' if len(relative) > 1 else 'is'} relative, but this text is shown on "
            "several pages, where it would lead to different places; link to a page of this "
            "site from the site's root, e.g. '/inspections/2021-peel/', or write a full web "
            "address starting with https://")
    if "<" in value and (tag := _SWALLOWING_TAG.search(without_code(value))):
        name = tag.group(1).lower()
        raise ValueError(
            f"'<{name}>' is HTML whose content no page shows (and one left open hides all "
            f"the text after it); remove it, or write it in backticks (`<{name}>`) to show "
            "it as written")
    return value


#: Raw HTML elements whose content an HTML parser takes whole, up to their closing tag or
#: the end of the page: the sanitiser drops or garbles everything inside. Other raw HTML
#: loses its tags and keeps its words.
_SWALLOWING_TAG = re.compile(r"<(script|style|textarea|title|noscript|iframe|noembed|"
                             r"noframes|xmp|plaintext|template)(?=[\s/>]|\Z)", re.IGNORECASE)
#: A segment of a path that moves up or stays put: "." or "..", also written with %2e.
_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e){1,2}(?=/|$)", re.IGNORECASE)


def _link_problem(destination: str) -> str | None:
    """Why a link written in content cannot stay on the site it claims to lead to (None if
    it can): browsers read a leading "//" as another host, a backslash as "/", and "." and
    ".." segments as moves that can climb out of the site's folder. Character references
    ("&#46;") are read as a browser reads them in an attribute."""
    written, destination = destination, html.unescape(destination)
    if destination.startswith("//"):
        return (f"the link '{written}' leaves out its scheme, so it leads to the host "
                f"after the '//', not to this site; write the full address, e.g. "
                f"'https:{destination}'")
    if not destination.startswith("/") or SCHEME.match(destination):
        return None
    if "\\" in destination or any(c in destination for c in "\t\n\r"):
        return (f"the link {_quoted(written)} holds a backslash or a line break, which "
                "browsers drop or read as '/'; write the path with '/' only, e.g. "
                "'/inspections/2021-peel/'")
    path = destination.split("#", 1)[0].split("?", 1)[0]
    if _DOT_SEGMENT.search(path):
        return (f"the link '{written}' has a '.' or '..' part, which could lead out of "
                "the site; write the path from the site's root without them, e.g. "
                "'/inspections/2021-peel/'")
    return None


Slug = Annotated[str, AfterValidator(check_slug)]
Language = Annotated[str, AfterValidator(check_language)]
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
    language: Language = Field("en-GB", description="The language of the content (BCP 47 "
                                                    "tag).")
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
    parent: Slug | None = Field(
        None, description="The canonical id of the area this one sits under (e.g. a question "
                          "under a pillar). Grades are counted level by level: areas with a "
                          "parent as questions; areas with areas under them (in any "
                          "framework), and their siblings, as pillars; the areas of a "
                          "framework without either as areas.")
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
#: How much of a report's findings (its causes of concern, areas for improvement and
#: recommendations) the record holds (see :func:`findings_recorded`).
FindingsRecorded = Literal["all", "some", "none"]


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
    findings_recorded: FindingsRecorded | None = Field(
        None, description="How much of the report's findings (its causes of concern, areas "
                          "for improvement and recommendations) this file records: 'all' "
                          "(every one the report makes; with none listed, the report makes "
                          "none), 'some' (only some: others were not found or not read), or "
                          "'none' (the report's findings are not recorded here, though it "
                          "may make some). Pages say 'not recorded here' rather than 'none' "
                          "unless it is 'all'. Default: 'some' if the file lists any, "
                          "else 'none'.")
    findings_note: str | None = Field(
        None, description="What is and is not recorded of the report's findings, and what "
                          "was searched for the rest; shown to readers wherever the gap "
                          "matters (the report's page, comparisons, the tracker).")
    progress: list[Progress] = Field(
        default_factory=list, description="What this report says of earlier reports' items.")
    quotes: list[Quote] = Field(default_factory=list, description="Verbatim quotes.")
    related: list[Related] = Field(default_factory=list, description="Responses, coverage.")
    cite: Cite = Field(min_length=1, description="Sources for the inspection's facts, used for "
                                                 "any fact that names none of its own.")
    sources: dict[Slug, Source] = Field(default_factory=dict,
                                        description="Sources used only in this file, by key.")


#: What the date that places a report in time rests on (see :func:`inspection_date`).
DateBasis = Literal["published", "fieldwork"]


def inspection_date(inspection: Inspection) -> PartialDate | None:
    """The date that places an inspection in time: publication, else the end of fieldwork.

    The one rule for every page, the timeline and the data; :func:`date_basis` says which
    of the two it is."""
    if inspection.published:
        return inspection.published
    if inspection.fieldwork:
        last = inspection.fieldwork[-1]
        return last.end or last.start
    return None


def findings_recorded(inspection: Inspection) -> FindingsRecorded:
    """How much of the report's findings the record holds: as its file says, else 'some'
    if it lists any and 'none' if not (an empty list is never read as a report that found
    nothing)."""
    if inspection.findings_recorded is not None:
        return inspection.findings_recorded
    listed = (inspection.causes_of_concern or inspection.areas_for_improvement
              or inspection.recommendations)
    return "some" if listed else "none"


def date_basis(inspection: Inspection) -> DateBasis | None:
    """What :func:`inspection_date` rests on: the publication, the fieldwork (the
    publication date is not known), or nothing (None: the report cannot be placed)."""
    if inspection.published:
        return "published"
    return "fieldwork" if inspection.fieldwork else None
