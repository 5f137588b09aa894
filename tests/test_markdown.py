"""The plain-paragraph shortcut renders exactly as python-markdown (then nh3) would."""

from __future__ import annotations

import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from gradeline.render import _converter as converter
from gradeline.render import markdown_to_html, plain_paragraphs

PIECES = [*"abcXYZ019 .,;:'\"?-/\n\té£—", "  ", "\n\n", "word ", "The force "]
TEXT = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


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
