"""Grade colours: one palette for badges and charts, with text that meets WCAG AA contrast."""

from __future__ import annotations

import re

from gradeline.charts import TONE_COLOURS

from conftest import ROOT

CSS = (ROOT / "templates" / "static" / "style.css").read_text(encoding="utf-8")


def css_var(name: str) -> str:
    match = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert match, name
    return match.group(1).lower()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_badge_text_meets_wcag_aa_on_every_tone() -> None:
    for tone in range(5):
        ratio = contrast(css_var(f"tone-{tone}"), css_var(f"tone-{tone}-ink"))
        assert ratio >= 4.5, f"tone-{tone}: {ratio:.2f}"


def test_muted_and_link_text_meet_wcag_aa() -> None:
    for name in ("muted", "link", "link-visited", "ink"):
        assert contrast(css_var(name), "#ffffff") >= 4.5, name
    assert contrast(css_var("muted"), css_var("soft")) >= 4.5


def test_charts_use_the_badge_palette() -> None:
    assert [c.lower() for c in TONE_COLOURS] == [css_var(f"tone-{i}") for i in range(5)]


def test_palette_is_ordered_light_to_dark_from_the_middle() -> None:
    # An ordinal scale: the extremes are darkest, so order survives greyscale and common
    # colour-vision deficiencies (blue and orange differ for all three kinds).
    lum = [luminance(c) for c in TONE_COLOURS]
    assert lum[0] < lum[1] < lum[2] and lum[2] > lum[3] > lum[4]
