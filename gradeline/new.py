"""``python build.py new inspection``: a valid skeleton to fill in, never over a file."""

from __future__ import annotations

from pathlib import Path

from .dates import PartialDate
from .errors import ContentError
from .resolve import Content, read_content
from .validate import suggest


class NewError(Exception):
    """The skeleton cannot be written; the message says why and what is allowed."""


def inspection_skeleton(content: Content, organisation: str, framework: str,
                        date: PartialDate) -> tuple[str, str]:
    """The id and YAML text of a new inspection with every area of the framework listed."""
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
    inspection_id = f"{date}-{fw.kind}"
    grades = ", ".join(g.label for g in scale.grades)
    lines = [
        "# yaml-language-server: $schema=../schemas/inspection.schema.json",
        f"id: {inspection_id}",
        f"title: TODO the report's title ({fw.title}, {org.name})",
        f"organisation: {organisation}",
        f"inspectorates: [{inspectorate}]",
        f"kind: {fw.kind}",
        f"framework: {framework}",
        f"published: {date}",
        "summary: >-",
        "  TODO what the inspection found, in your own words.",
        f"# Grades: {grades}; or 'not graded', or 'not known' until a source confirms it.",
        "judgments:",
    ]
    for fa in fw.areas:
        lines += [f"  - area: {fa.area}  # {fa.label}",
                  f"    grade: {'not known' if fa.graded else 'not graded'}"]
    lines += [
        "areas_for_improvement: []",
        "recommendations: []",
        "cite: [report]",
        "sources:",
        "  report:",
        "    title: TODO the report's title as published",
        f"    publisher: {content.site.inspectorates[inspectorate].name}",
        f"    date: {date}",
        "    # url: https://... where the public can read it",
        "",
    ]
    return inspection_id, "\n".join(lines)


def new_inspection(content_dir: Path, organisation: str, framework: str, date: str) -> Path:
    """Write the skeleton to content/inspections/<id>.yaml; refuses to overwrite."""
    try:
        when = PartialDate.parse(date)
    except ValueError as exc:
        raise NewError(f"--date: {exc}") from None
    if when.day is None:
        raise NewError(f"--date: '{date}' needs a day: write YYYY-MM-DD")
    try:
        content = read_content(content_dir)
    except ContentError as exc:
        raise NewError(f"the content has problems; fix them first:\n{exc}") from None
    inspection_id, text = inspection_skeleton(content, organisation, framework, when)
    path = content_dir / "inspections" / f"{inspection_id}.yaml"
    if path.exists():
        raise NewError(f"{path} already exists; not overwriting it")
    if any(i.id == inspection_id for i in content.inspections):
        raise NewError(f"an inspection with id '{inspection_id}' already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file
        handle.write(text)
    return path
