"""Stage 4, render: turn views into HTML with Jinja, and markdown into safe HTML.

Autoescaping is on and undefined names are errors, so a typo in a template fails the build
instead of printing an empty string. Markdown from content goes through python-markdown and
then nh3, which keeps formatting and links and removes everything that could run.
"""

from __future__ import annotations

import functools
import hashlib
import html as html_text
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markdown as md
import nh3
from markupsafe import Markup, escape

from .urls import Urls, page_file

#: The templates and static assets that ship with Gradeline.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "li", "ol",
    "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"},
                       "th": {"align"}}


@functools.cache
def _converter(skipped: frozenset[str] = frozenset()) -> md.Markdown:
    """A Markdown converter, reused (building one costs more than converting a paragraph),
    without the inline patterns named in ``skipped``."""
    converter = md.Markdown(extensions=["sane_lists", "tables"], output_format="html")
    for name in skipped:
        converter.inlinePatterns.deregister(name, strict=False)
    return converter


#: A character that each of python-markdown's inline patterns needs in order to match, by
#: pattern name. python-markdown tries every pattern at every position of every text: most
#: of its time. A text without ``[`` cannot hold a link, so its converter need not look for
#: one; the output is the same, because a pattern that cannot match changes nothing. A
#: pattern not listed here (a later python-markdown's) is always tried.
_INLINE_NEEDS = {
    "backtick": "`", "escape": "\\", "autolink": "<", "automail": "<", "html": "<",
    "entity": "&", "reference": "[", "link": "[", "image_link": "[", "image_reference": "[",
    "short_reference": "[", "short_image_ref": "[",
}
#: Two spaces before a line end make a <br>: the spaces may be a tab before python-markdown
#: expands it, and the line end a carriage return before it normalises it (it also deletes
#: STX and ETX, which it keeps for itself).
_LINE_BREAK = re.compile(r"[ \t][\x02\x03]*[\r\n]")


def _skippable(text: str) -> frozenset[str]:
    """The inline patterns that cannot match anywhere in ``text``."""
    skipped = {name for name, needs in _INLINE_NEEDS.items() if needs not in text}
    if "*" not in text and "_" not in text:
        skipped.add("em_strong")
    if not _LINE_BREAK.search(text):
        skipped.add("linebreak")
    return frozenset(skipped)


#: Text with none of these characters, and no line that could start a list, quote, heading
#: or code block (see might_be_markdown), is plain paragraphs: python-markdown would only
#: wrap it in <p> tags.
_MARKDOWN_CHARACTERS = re.compile(r"[\\`*_{}\[\]<>()#+!|~=&\t]")
#: What may start Markdown at a line's start or end: an indent, a list mark, a line break.
_LINE_MARKS = re.compile(r"\n[ \t-]|\n\d+\.|[ \t]\n")
_NUMBERED = re.compile(r"\d+\.")


def might_be_markdown(text: str) -> bool:
    """Whether the text has anything Markdown could make something of (False: it is plain
    paragraphs). Looked for in simple steps: one pattern trying every place in the text
    for line starts and ends as well was most of the time of rendering a plain text."""
    return bool(_MARKDOWN_CHARACTERS.search(text) or text[:1] in (" ", "-")
                or text[-1:] == " " or _NUMBERED.match(text)
                or ("\n" in text and _LINE_MARKS.search(text)))


def plain_paragraphs(text: str) -> str | None:
    """The HTML of text that uses no Markdown at all, or None if it might use some.

    Most findings and recommendations are plain sentences; this skips the Markdown parser
    for them (it is most of a build's time) with the very same output, which a test checks
    against python-markdown on generated text.
    """
    if might_be_markdown(text):
        return None
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.strip("\n"))]
    return "\n".join(f"<p>{p}</p>" for p in paragraphs if p)


@functools.lru_cache(maxsize=1 << 17)
def markdown_to_html(text: str) -> str:
    """Render content markdown to sanitised HTML (cached: the same text renders once)."""
    plain = plain_paragraphs(text)
    if plain is not None:
        return plain
    html = _converter(_skippable(text)).reset().convert(text)
    # Raw HTML, scripts, event handlers and javascript: links are removed by the allow-list
    # (headings other than h3 to h6 lose their tags, keeping their text).
    clean = nh3.clean(
        html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
    )
    if "<a " not in clean:
        return clean
    # A link whose address was removed is left as its words: an <a> with no href may not
    # carry the rel that nh3 gives every link, and would look like a link that goes nowhere.
    clean = _LINK_WITHOUT_ADDRESS.sub(r"\1", clean)
    # A link to a page of the site, written from its root ("/areas/"), is marked here and
    # made relative to each page that shows the text (see Renderer.render), so that it
    # works wherever the site is published. Content cannot hold the marker (load.py
    # refuses control characters).
    return _ROOT_LINK.sub(f'href="{SITE_LINK}', clean)


#: Marks a link from the site's root in converted Markdown, until the page is known.
SITE_LINK = "\x00"
_ROOT_LINK = re.compile(r'href="/(?!/)')
_SITE_LINK_HREF = re.compile(f'href="{SITE_LINK}([^"]*)"')


#: An <a> element as nh3 writes one without an href (it cannot nest, so the first </a>
#: closes it).
_LINK_WITHOUT_ADDRESS = re.compile(r"<a (?![^>]*\bhref=)[^>]*>(.*?)</a>", re.DOTALL)


def script_safe_json(value: Any) -> str:
    """Compact, deterministic JSON that cannot end a <script> element or open a comment.

    Content may contain "</script>" or "<!--"; escaped as \\u003c etc. it stays the same
    string to a JSON parser but is inert to the HTML parser.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def markdown_text(text: str) -> str:
    """The words of a Markdown text as a reader sees them, for places that show text only
    (list items marked with bullets, blocks run together): ``**Tip:** see [the report](…)``
    becomes ``Tip: see the report``."""
    if not might_be_markdown(text):  # most findings
        return " ".join(text.split())
    html = _BLOCK_TAG.sub(" ", markdown_to_html(text).replace("<li>", " • "))
    return " ".join(html_text.unescape(_TAG.sub("", html)).split())


#: Tags that end a line of text (the others, such as <em>, may sit inside a word).
_BLOCK_TAG = re.compile(r"</?(?:p|ul|ol|li|br|h[3-6]|blockquote|pre|hr|table|thead|tbody|tr|"
                        r"td|th)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def markdown_inline(text: str) -> str:
    """Markdown for a single line: the paragraph wrapper is dropped."""
    html = markdown_to_html(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


# Small pieces of markup used thousands of times per build: Python, not Jinja macros, which
# cost ten times as much per call. Every value from content goes through escape().

def badge(grade: Any) -> Markup:
    """A grade badge: its words, and a class for its colour."""
    return Markup(f'<span class="grade {escape(grade.css)}">{escape(grade.label)}</span>')


def refs(numbers: list[int]) -> Markup:
    """Superscript links to the page's numbered sources."""
    if not numbers:
        return Markup("")
    links = "".join(f'<a href="#source-{n:d}" aria-label="source {n:d}">[{n:d}]</a>'
                    for n in numbers)
    return Markup(f'<sup class="refs" data-pagefind-ignore>{links}</sup>')


def date(value: Any, unknown: str = "not known") -> Markup:
    """A <time> element with the date as precisely as it is known."""
    if value is None:
        return Markup(escape(unknown))
    return Markup(f'<time datetime="{escape(str(value))}">{escape(value.label)}</time>')


def chart_rows(chart: Any) -> Markup:
    """The rows of a chart's table (thousands of cells per build: Python, not a macro).

    In a table stacked as cards on a phone, each cell carries its column's name to show
    beside it, and an empty cell is marked to be left out."""
    stack = chart.table_style == "stack"
    labels = [f' data-label="{escape(column)}"' if stack else "" for column in chart.columns]
    empty = ' class="empty"'
    out = []
    for values in chart.rows:
        cells = "".join(f'<th scope="row">{_chart_cell(value)}</th>'
                        if i < chart.header_columns else
                        f"<td{labels[i]}{empty if value == '' else ''}>{_chart_cell(value)}</td>"
                        for i, value in enumerate(values))
        out.append(f"      <tr>{cells}</tr>\n")
    return Markup("".join(out))


def _chart_cell(value: Any) -> Markup:
    if value is None:
        return Markup('<span class="not-assessed">not assessed</span>')
    if hasattr(value, "state"):  # a grade
        return badge(value)
    return escape(value)


def status(key: str, label: str) -> Markup:
    """A follow-up status in words."""
    return Markup(f'<span class="status status-{escape(key)}">{escape(label)}</span>')


def change(key: str, changes: dict[str, tuple[str, str]]) -> Markup:
    """A change between two grades: a symbol for the eye, words for everyone."""
    symbol, words = changes[key]
    return Markup(f'<span class="change change-{escape(key)}"><span class="change-symbol" '
                  f'aria-hidden="true">{escape(symbol)}</span> {escape(words)}</span>')


@dataclass
class Page:
    """One output page: where it goes, which template lays it out, and what it shows."""

    target: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    #: The charts on the page; their CSV files are written beside the data.
    charts: list[Any] = field(default_factory=list)
    #: Ids of the inspections whose files the page shows anything of; None: all of them.
    #: Every page also depends on the shared content files and the templates. An
    #: incremental build re-renders a page only when one of these has changed.
    deps: frozenset[str] | None = None
    #: Pagefind filters ({"year": "2021", "kind": "PEEL"}) for a page that search should
    #: index; None keeps the page out of search results.
    search: dict[str, str] | None = None
    #: Links rooted at the base path instead of relative: for the 404 page, which a host
    #: serves at whatever address was missing.
    rooted_links: bool = False
    #: The organisation the page belongs to ("" for site-wide pages): a parallel build
    #: renders an organisation's pages in one process, which then converts each of its
    #: texts' Markdown once (its reports, comparisons and tracker show the same texts).
    shard: str = ""
    #: Fills in the costly part of the page (its charts, comparisons, and a description
    #: taken from a chart) when it is rendered, not when the site's pages are listed: an
    #: incremental build lists every page but renders few, and a full build then makes
    #: them in the rendering processes, in parallel.
    make: Callable[[Page], None] | None = field(default=None, repr=False, compare=False)

    def ready(self) -> Page:
        """The page with everything it shows made (see ``make``)."""
        if self.make is not None:
            make, self.make = self.make, None
            make(self)
        return self

    def release(self) -> None:
        """Forget what the page shows, once it is written: a build keeps every page listed
        until it ends, and their charts and comparisons need not stay in memory."""
        self.context, self.charts = {}, []

    @property
    def file(self) -> str:
        """The output file path, relative to the site folder."""
        return page_file(self.target)


class Renderer:
    """A Jinja environment set up for one build."""

    def __init__(self, urls: Urls, globals_: dict[str, Any], templates: Path = TEMPLATES,
                 compiled: Path | None = None):
        self.urls = urls
        # Kept across builds by the dev server: templates compile once, and again only when
        # their file changes (Jinja checks). Compiled templates are also kept in the folder
        # ``compiled``, if given, for the next run of the build command (compiling them is a
        # sixth of a build after one edit); Jinja checks each against its template's text.
        if compiled is not None:
            compiled.mkdir(parents=True, exist_ok=True)
        self.env = jinja2.Environment(
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled))
            if compiled is not None else None,
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["markdown"] = lambda text: Markup(markdown_to_html(text))
        self.env.filters["markdown_inline"] = lambda text: Markup(markdown_inline(text))
        self.env.globals.update(badge=badge, refs=refs, date=date, status=status,
                                change=change, chart_rows=chart_rows)
        self.env.globals.update(globals_)
        self.asset_hashes: dict[str, str] = {}

    def compile_templates(self) -> None:
        """Compile every page template now (once, before rendering processes fork, rather
        than once in each of them)."""
        for name in self.env.list_templates(extensions=["html"]):
            if not name.startswith(("static/", "dev/")):
                self.env.get_template(name)

    def configure(self, urls: Urls, globals_: dict[str, Any]) -> None:
        """Set what may differ from one build to the next."""
        self.urls = urls
        self.env.globals.update(globals_)

    def render(self, page: Page) -> str:
        """The page's HTML."""
        page.ready()
        template = self.env.get_template(page.template)
        here = page.file

        def url(target: str) -> str:
            if page.rooted_links:
                return self.urls.rooted(target)
            return self.urls.relative(target, here)

        def asset(name: str) -> str:
            # A content hash in the query string lets hosts cache assets for ever.
            version = self.asset_hashes.get(name)
            return url(f"static/{name}" + (f"?v={version}" if version else ""))

        html = template.render(page=page, url=url, asset=asset,
                               canonical=self.urls.absolute(page.target), **page.context)
        if SITE_LINK in html:
            html = _SITE_LINK_HREF.sub(
                lambda link: f'href="{escape(url(html_text.unescape(link[1])))}"', html)
        return html


def hash_assets(folder: Path) -> dict[str, str]:
    """A short content hash of each static asset, keyed by its name under the folder."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        out[path.relative_to(folder).as_posix()] = hashlib.sha256(
            path.read_bytes()).hexdigest()[:10]
    return out
