"""The Markdown shortcuts render exactly as python-markdown (then nh3) would: plain
paragraphs without the parser, and other texts without the inline patterns they cannot match."""

from __future__ import annotations

import re

import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from gradeline.markdown import (
    INLINE_NEEDS,
    converter,
    markdown_text,
    markdown_to_html,
    might_be_markdown,
    plain_paragraphs,
    skippable,
)

PIECES = [*"abcXYZ019 .,;:'\"?-/\n\té£—", "  ", "\n\n", "word ", "The force "]
TEXT = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
#: Every character an inline pattern or block starts with, and whole constructs, so that
#: generated texts hold links, code, emphasis, entities, HTML and line breaks.
MARKDOWN_PIECES = [*PIECES, *"`\\[]()<>&*_!#|-:\r\x02", "  \n", "\t\n", "**", "__", "&amp;",
                   "&#1;", "[a](https://x.org)", "[a]", "[a]: https://y.org\n", "![i](p.png)",
                   "<https://x.org>", "<a@b.org>", "<b>", "</b>", "<!-- c -->", "`code`",
                   "\\*", "- ", "1. ", "> ", "| a | b |\n|---|---|\n| 1 | 2 |\n"]
MARKDOWN_TEXT = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=40).map("".join)


def full_pipeline(text: str) -> str:
    html = converter().reset().convert(text)
    return nh3.clean(html, tags={"p", "br", "hr", "h1", "h2", "ol", "ul", "li", "pre", "code",
                                 "em", "strong", "a"})


@settings(max_examples=2000, deadline=None)
@given(TEXT)
def test_shortcut_matches_python_markdown(text: str) -> None:
    plain = plain_paragraphs(text)
    if plain is not None:
        assert plain == full_pipeline(text)


def test_shortcut_takes_plain_findings_and_leaves_the_rest() -> None:
    assert plain_paragraphs("The force should improve its supervision.\n") == (
        "<p>The force should improve its supervision.</p>")
    for text in ["**bold**", "- item", "1. first", "a & b", "[link](https://x.org)",
                 "Title\n---", "x  \ny", "    code", "<b>tag</b>"]:
        assert plain_paragraphs(text) is None, text
    assert markdown_to_html("A **bold** word.") == "<p>A <strong>bold</strong> word.</p>"


@settings(max_examples=3000, deadline=None)
@given(MARKDOWN_TEXT)
def test_skipping_patterns_that_cannot_match_changes_nothing(text: str) -> None:
    assert converter(skippable(text)).reset().convert(text) == \
        converter().reset().convert(text)


def test_skipped_patterns_are_python_markdowns_own() -> None:
    """A renamed pattern would silently stop being skipped: the names must all exist."""
    names = {item.name for item in converter().inlinePatterns._priority}
    assert set(INLINE_NEEDS) | {"em_strong", "linebreak"} <= names


def test_skippable_patterns_of_typical_texts() -> None:
    assert skippable("A **bold** word.") == frozenset(INLINE_NEEDS) | {"linebreak"}
    assert "link" not in skippable("See [the report](https://x.org).")
    assert "linebreak" not in skippable("one\t\r\ntwo")
    assert "em_strong" not in skippable("snake_case")


def test_markdown_as_text_keeps_the_words_and_drops_the_marks() -> None:
    assert markdown_text("**Tip:** see [the report](https://example.org/) & "
                         "<b>th</b>is.") == "Tip: see the report & this."
    assert markdown_text("Plan:\n\n- train *staff*\n- record\n\nThen `check`.") == (
        "Plan: • train staff • record Then check.")
    assert markdown_text("A plain\ntext  as written.") == "A plain text as written."


#: The test for Markdown as one pattern, as it was written first: correct, and slow (it
#: tried its line-start and line-end alternatives at every place in a text).
ONE_PATTERN = re.compile(r"[\\`*_{}\[\]<>()#+!|~=&\t]|^[ \t]|^-|^\d+\.|[ \t]$", re.MULTILINE)


@settings(max_examples=3000, deadline=None)
@given(MARKDOWN_TEXT)
def test_the_quick_markdown_test_finds_what_the_single_pattern_finds(text: str) -> None:
    assert might_be_markdown(text) == bool(ONE_PATTERN.search(text))
