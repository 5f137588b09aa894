"""Markdown in content: converting it to safe HTML, and finding where its links lead.

One module for both stages that read Markdown: the loader notes each text's links to pages of
the site (checked once the site's pages are known), the model refuses links that would lead
somewhere different on each page that shows the text, and the renderer converts the text
with python-markdown, then cleans it with nh3, which keeps formatting and links and removes
everything that could run.
"""

from __future__ import annotations

import functools
import html as html_text
import re
from collections.abc import Callable

import markdown as md
import nh3
from markupsafe import escape

_ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "li", "ol",
    "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"},
                       "th": {"align"}}


@functools.cache
def converter(skipped: frozenset[str] = frozenset()) -> md.Markdown:
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
INLINE_NEEDS = {
    "backtick": "`", "escape": "\\", "autolink": "<", "automail": "<", "html": "<",
    "entity": "&", "reference": "[", "link": "[", "image_link": "[", "image_reference": "[",
    "short_reference": "[", "short_image_ref": "[",
}
#: Two spaces before a line end make a <br>: the spaces may be a tab before python-markdown
#: expands it, and the line end a carriage return before it normalises it (it also deletes
#: STX and ETX, which it keeps for itself).
_LINE_BREAK = re.compile(r"[ \t][\x02\x03]*[\r\n]")


def skippable(text: str) -> frozenset[str]:
    """The inline patterns that cannot match anywhere in ``text``."""
    skipped = {name for name, needs in INLINE_NEEDS.items() if needs not in text}
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
    html = converter(skippable(text)).reset().convert(text)
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


#: Where a link in Markdown leads: an inline link or image (``[x](dest)``, ``<dest>`` too),
#: a reference definition (``[x]: dest``), or a raw HTML ``href``. Each is looked for only
#: in text that has its mark: most texts have none.
_INLINE_LINK = re.compile(r"\]\(\s*(?:<([^>]*)>|([^\s)]*))")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(?:<([^>]*)>|(\S+))", re.MULTILINE)
_HREF = re.compile(r"\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
#: Code, where brackets and parentheses are only text: fenced blocks and inline spans.
_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1|(`+).+?\2", re.MULTILINE | re.DOTALL)
#: A link that names its scheme (https:, mailto:) leads to the same place from any page.
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def link_destinations(text: str) -> tuple[str, ...]:
    """Where each link in a Markdown text leads, as written (links in code are not links)."""
    patterns = [pattern for pattern, present in (
        (_INLINE_LINK, "](" in text), (_REFERENCE, "]:" in text),
        (_HREF, "=" in text and "href" in text.lower())) if present]
    if not patterns:
        return ()
    text = without_code(text)
    found = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            found.append((match.start(), next(g for g in match.groups() if g is not None)))
    return tuple(destination.strip() for _, destination in sorted(found))


def without_code(text: str) -> str:
    """The text with its code (fenced blocks and inline spans) blanked out: what is in code
    is shown as written, never read as a link or as HTML."""
    return _CODE.sub(" ", text) if "`" in text or "~~~" in text else text


def with_site_links(html: str, link: Callable[[str], str]) -> str:
    """Rendered HTML with each marked link to a page of the site (see markdown_to_html)
    replaced by ``link`` of its site path, e.g. a link relative to the page that shows it."""
    if SITE_LINK not in html:
        return html
    return _SITE_LINK_HREF.sub(
        lambda found: f'href="{escape(link(html_text.unescape(found[1])))}"', html)
