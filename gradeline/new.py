"""``python build.py new inspection``: a valid skeleton to fill in, never over a file.

An inspection's id names its page, so it must be unique across the whole site, whichever
organisations it holds. The id ``new`` gives is the organisation's prefix (see
:func:`inspection_id_prefix`), the year the report is known by (see :func:`round_year`) and
the kind: ``derbyshire-2021-peel``. Two reports of one organisation, kind and year need
another id, given with ``--id``; the message proposes one with the month of publication,
as in ``2013-07-child-protection``.
"""

from __future__ import annotations

import re
from pathlib import Path

from .dates import PartialDate
from .errors import ContentError
from .load import PLACEHOLDER
from .model import Framework, Organisation, check_slug
from .resolve import Content, read_content
from .validate import suggest


class NewError(Exception):
    """The skeleton cannot be written; the message says why and what is allowed."""


def _short_slug(organisation: Organisation) -> str | None:
    """The organisation's short name as an id ('Derbyshire' -> 'derbyshire'), if it makes
    a valid one."""
    if not organisation.short_name:
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", organisation.short_name.lower()).strip("-")
    try:
        return check_slug(slug)
    except ValueError:
        return None


def inspection_id_prefix(organisation_id: str, organisations: dict[str, Organisation]) -> str:
    """What the ids of an organisation's inspections start with: its short name in lower
    case with hyphens ('derbyshire' for Derbyshire Constabulary), or its id when it has no
    short name, or when another organisation's prefix or id would be the same."""
    own = _short_slug(organisations[organisation_id])
    if own is None or own == organisation_id:
        return organisation_id
    for other_id, other in organisations.items():
        if other_id != organisation_id and own in (other_id, _short_slug(other)):
            return organisation_id
    return own


def round_year(framework: Framework, published: PartialDate) -> int:
    """The year an inspection is known by: its framework's, where the framework's id names
    one (a PEEL 2015 report, published in 2016, is 'peel-2015'), else its publication's."""
    for part in framework.id.split("-"):
        if len(part) == 4 and part.isdigit():
            return int(part)
    return published.year


def default_inspection_id(prefix: str, framework: Framework, published: PartialDate) -> str:
    """The id ``new`` gives an inspection: prefix, year and kind (``derbyshire-2021-peel``;
    see :func:`round_year`)."""
    return f"{prefix}-{round_year(framework, published)}-{framework.kind}"


def _free_id(prefix: str, date: PartialDate, kind: str, taken: set[str]) -> str | None:
    """An id not yet used, with the publication's month and then its day, to propose after
    a clash."""
    for when in (f"{date.year}-{date.month:02d}", str(date)):
        candidate = f"{prefix}-{when}-{kind}"
        if candidate not in taken:
            return candidate
    return None


def inspection_skeleton(content: Content, organisation: str, framework: str,
                        date: PartialDate, inspection_id: str | None = None
                        ) -> tuple[str, str]:
    """The id and YAML text of a new inspection with every area of the framework listed
    (``inspection_id`` or the default id: see :func:`default_inspection_id`)."""
    if organisation not in content.organisations:
        raise NewError(f"'{organisation}' is not a known organisation"
                       f"{suggest(organisation, content.organisations)} "
                       f"(known: {', '.join(sorted(content.organisations))})")
    if framework not in content.frameworks:
        raise NewError(f"'{framework}' is not a known framework"
                       f"{suggest(framework, content.frameworks)} "
                       f"(known: {', '.join(sorted(content.frameworks))})")
    fw = content.frameworks[framework]
    org = content.organisations[organisation]
    scale = content.scales[fw.scale]
    # The inspectorate of the latest inspection of this kind, as the likeliest one.
    same_kind = [i for i in content.inspections if i.kind == fw.kind]
    inspectorate = (same_kind[-1].inspectorates[0] if same_kind
                    else next(iter(content.site.inspectorates)))
    if inspection_id is None:
        prefix = inspection_id_prefix(organisation, content.organisations)
        inspection_id = default_inspection_id(prefix, fw, date)
    grades = ", ".join(g.label for g in scale.grades)
    todo = PLACEHOLDER
    lines = [
        # The file goes in inspections/<organisation>/, two folders below the schemas.
        "# yaml-language-server: $schema=../../schemas/inspection.schema.json",
        f"id: {inspection_id}",
        f"title: {todo} the report's title ({fw.title}, {org.name})",
        f"organisation: {organisation}",
        f"inspectorates: [{inspectorate}]",
        f"kind: {fw.kind}",
        f"framework: {framework}",
        f"published: {date}",
        "summary: >-",
        f"  {todo} what the inspection found, in your own words.",
        f"# Grades: {grades};",
        "# or 'not graded', or 'not known' with a note saying why, until a source confirms it.",
        "judgments:",
    ]
    for fa in fw.areas:
        lines += [f"  - area: {fa.area}  # {fa.label}",
                  f"    grade: {'not known' if fa.graded else 'not graded'}"]
        if fa.graded:
            lines.append(f"    note: {todo} what you searched for the grade")
    lines += [
        "areas_for_improvement: []",
        "recommendations: []",
        "# How many of the report's findings the file holds: all, some or none.",
        "findings_recorded: none",
        "cite: [report]",
        "sources:",
        "  report:",
        f"    title: {todo} the report's title as published",
        f"    publisher: {content.site.inspectorates[inspectorate].name}",
        f"    date: {date}",
        "    # url: https://... where the public can read it",
        "",
    ]
    return inspection_id, "\n".join(lines)


def new_inspection(content_dir: Path, organisation: str, framework: str, date: str,
                   inspection_id: str | None = None) -> Path:
    """Write the skeleton to content/inspections/<organisation>/<id>.yaml; refuses to
    overwrite a file or to reuse an inspection's id."""
    try:
        when = PartialDate.parse(date)
    except ValueError as exc:
        raise NewError(f"--date: {exc}") from None
    if when.day is None:
        raise NewError(f"--date: '{date}' needs a day: write YYYY-MM-DD")
    if inspection_id is not None:
        try:
            check_slug(inspection_id)
        except ValueError as exc:
            raise NewError(f"--id: {exc}") from None
    try:
        content = read_content(content_dir)
    except ContentError as exc:
        raise NewError(f"the content has problems; fix them first:\n{exc}") from None
    chosen = inspection_id
    inspection_id, text = inspection_skeleton(content, organisation, framework, when, chosen)
    taken = {i.id for i in content.inspections}
    if inspection_id in taken:
        how = "choose another with --id"
        if chosen is None:
            prefix = inspection_id_prefix(organisation, content.organisations)
            free = _free_id(prefix, when, content.frameworks[framework].kind, taken)
            how += f", e.g. --id {free}" if free else ""
        raise NewError(f"an inspection with id '{inspection_id}' already exists; {how}")
    path = content_dir / "inspections" / organisation / f"{inspection_id}.yaml"
    if path.exists():
        raise NewError(f"{path} already exists; not overwriting it")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file
        handle.write(text)
    return path
