"""Template contexts are a documented contract (gradeline/contexts.py): templates use only
documented names, pages pass only documented names, and docs/templates.md is current."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import jinja2.meta
import jinja2.nodes
import pytest

from gradeline.contexts import CONTEXTS, GLOBALS, PARTIALS, reference
from gradeline.derive import derive
from gradeline.pages import site_pages
from gradeline.render import TEMPLATES, Renderer
from gradeline.resolve import read_content
from gradeline.urls import Urls

from conftest import MINIMAL, ROOT, SHIPPED

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate


@functools.cache
def environment() -> jinja2.Environment:
    return Renderer(Urls(), {}).env


def parsed(template: str) -> jinja2.nodes.Template:
    env = environment()
    return env.parse(env.loader.get_source(env, template)[0])  # type: ignore[union-attr]


@functools.cache
def own_names() -> set[str]:
    """The macros the templates define, and the variables they set, for themselves."""
    templates = sorted(p.name for p in TEMPLATES.glob("*.html"))
    return {node.name for name in templates for node in parsed(name).find_all(jinja2.nodes.Macro)} \
        | {target.name for name in templates for node in parsed(name).find_all(jinja2.nodes.Assign)
           for target in node.find_all(jinja2.nodes.Name)}


def used_names(template: str) -> set[str]:
    """The names a template takes from its context (not those it sets or imports)."""
    return jinja2.meta.find_undeclared_variables(parsed(template)) - set(environment().globals)


def page_templates() -> list[str]:
    return sorted(p.name for p in TEMPLATES.glob("*.html"))


def test_every_template_is_either_a_page_or_a_partial() -> None:
    assert sorted([*CONTEXTS, *PARTIALS]) == page_templates()


@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_a_template_uses_only_documented_names(template: str) -> None:
    known = set(GLOBALS) | own_names() | set(CONTEXTS[template])
    assert sorted(used_names(template) - known) == []


@pytest.mark.parametrize("partial", sorted(PARTIALS))
def test_a_partial_uses_only_what_each_page_that_includes_it_has(partial: str) -> None:
    for page in PARTIALS[partial] or [None]:
        known = set(GLOBALS) | own_names() | (set(CONTEXTS[page]) if page else set())
        assert sorted(used_names(partial) - known) == [], page


def test_every_name_is_described() -> None:
    for names in [GLOBALS, *CONTEXTS.values()]:
        assert [name for name, text in names.items() if len(text.split()) < 3] == []


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    many = tmp_path_factory.mktemp("contexts") / "content"
    generate(many, orgs=3, per_org=4, seed=7)
    return [MINIMAL, SHIPPED, many]


def test_pages_pass_only_documented_names(sites: list[Path]) -> None:
    """Every page of three sites (one organisation, the shipped five, three without a
    focus), with everything it shows made."""
    for content in sites:
        for page in site_pages(derive(read_content(content))):
            page.ready()
            extra = sorted(set(page.context) - set(CONTEXTS[page.template]))
            assert extra == [], (content.name, page.target, page.template)


def test_the_reference_is_current() -> None:
    assert (ROOT / "docs" / "templates.md").read_text(encoding="utf-8") == reference(), \
        "run: python build.py schema"
