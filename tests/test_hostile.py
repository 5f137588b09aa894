"""Hostile and broken content: every build ends well or with located errors, never worse.

Hypothesis mutates the fixture content: values of the wrong type, missing keys, wrong
nesting, odd Unicode, huge strings, YAML alias bombs, tabs, byte-order marks, empty files,
binary bytes, duplicate keys, truncation, deep nesting. Every run must end either in a
complete site or in a ContentError whose every problem names a content file, a line and a
column; never another exception, never more than a few seconds, and never a partial site.
A complete site must be readable by what reads it: its data files, feed and sitemap parse,
and so does every chart's embedded figure.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradeline.build import Builder
from gradeline.errors import ContentError

from conftest import MINIMAL, parse, tree_digest

FILES = sorted(p.relative_to(MINIMAL).as_posix() for p in MINIMAL.rglob("*.yaml"))
BILLION_LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
       f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]) + "\n"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),  # any Unicode, incl. RTL
    st.sampled_from(["not graded", "not known", "Good", "2021-02-30", "../../etc", "{{ 7*7 }}",
                     "<script>alert(1)</script>", "javascript:alert(1)", "\u202e", "\x00",
                     "x" * 100_000, "2021-11-23", "peel-2021", "test-force",
                     # Line ends other than \n: json leaves the last three unescaped.
                     "a\rb", "a\x0bb\x0cc", "a\u2028b", "a\u2029b", "a\x85b"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=8)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            found += paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            found += paths(v, (*prefix, i))
    return found


def set_at(data: Any, path: tuple, value: Any, delete: bool = False) -> Any:
    if not path:
        return value
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """(file, kind of mutation, new bytes of the file)."""
    name = draw(st.sampled_from(FILES))
    text = (MINIMAL / name).read_text(encoding="utf-8")
    kind = draw(st.sampled_from([
        "replace-value", "delete-key", "wrap-in-list", "add-key", "bom", "tabs", "empty",
        "binary", "truncate", "duplicate-key", "billion-laughs", "deep-nesting", "huge-string",
        "odd-unicode"]))
    data = yaml.safe_load(text)
    if kind in ("replace-value", "delete-key", "wrap-in-list", "add-key"):
        path = draw(st.sampled_from(paths(data)))
        if kind == "replace-value":
            data = set_at(data, path, draw(values))
        elif kind == "delete-key" and path:
            data = set_at(data, path, None, delete=True)
        elif kind == "wrap-in-list":
            target = data
            for key in path:
                target = target[key]
            data = set_at(data, path, [target])
        elif kind == "add-key" and isinstance(data, dict):
            data[draw(st.text(min_size=1, max_size=12))] = draw(values)
        raw = yaml.safe_dump(data, allow_unicode=draw(st.booleans())).encode("utf-8")
    elif kind == "bom":
        raw = b"\xef\xbb\xbf" + text.encode()
    elif kind == "tabs":
        raw = text.replace("  ", "\t", draw(st.integers(1, 5))).encode()
    elif kind == "empty":
        raw = draw(st.sampled_from([b"", b"\n", b"---\n", b"# only a comment\n", b"~\n"]))
    elif kind == "binary":
        junk = draw(st.binary(min_size=1, max_size=30))
        at = draw(st.integers(0, len(text)))
        raw = text.encode()[:at] + junk + text.encode()[at:]
    elif kind == "truncate":
        raw = text.encode()[: draw(st.integers(0, len(text)))]
    elif kind == "duplicate-key":
        lines = text.splitlines(keepends=True)
        i = draw(st.integers(0, len(lines) - 1))
        raw = "".join([*lines[: i + 1], lines[i], *lines[i + 1:]]).encode()
    elif kind == "billion-laughs":
        raw = (BILLION_LAUGHS + text).encode()
    elif kind == "deep-nesting":
        depth = draw(st.integers(30, 3000))
        raw = (text + "extra: " + "[" * depth + "]" * depth + "\n").encode()
    elif kind == "huge-string":
        raw = text.replace("title: ", "title: " + "é" * draw(st.integers(10_000, 2_000_000)),
                           1).encode()
    else:  # odd-unicode
        odd = draw(st.text(alphabet=st.characters(codec="utf-8",
                                                  exclude_categories=("Cs",)),
                           min_size=1, max_size=20))
        raw = text.replace("Test", odd, 1).encode("utf-8", "surrogatepass")
    return name, kind, raw


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The fixture content's site, built once (in pytest's own temporary folder), and its
    files' hashes: each case starts from a copy of it."""
    site = tmp_path_factory.mktemp("hostile") / "site"
    Builder(MINIMAL, search=False).build(site)
    return site, tree_digest(site)


def test_hostile_content_never_breaks_the_build(previous: tuple[Path, dict[str, str]]) -> None:
    """Every mutated file ends as a content error that leaves the site as it was, or as a
    site whose data files all parse; the cases reach both ends (a fuzzer whose mutations all
    fail the same way would test little)."""
    previous_site, previous_digest = previous
    outcomes: Counter[str] = Counter()

    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=mutation())
    def one_case(case: tuple[str, str, bytes]) -> None:
        name, kind, raw = case
        with tempfile.TemporaryDirectory() as tmp:
            content = Path(tmp) / "content"
            shutil.copytree(MINIMAL, content)
            (content / name).write_bytes(raw)
            out = Path(tmp) / "site"
            shutil.copytree(previous_site, out)
            started = time.monotonic()
            try:
                Builder(content, search=False).build(out)
            except ContentError as exc:
                outcomes["content error"] += 1
                assert exc.problems
                for problem in exc.problems:
                    assert Path(problem.file).resolve().is_relative_to(content.resolve()), \
                        problem
                    assert problem.line >= 1 and problem.column >= 1, problem
                    assert str(problem).startswith(f"{problem.file}:{problem.line}:"), problem
                assert tree_digest(out) == previous_digest, "a failed build changed the site"
            else:
                outcomes["built"] += 1
                assert (out / "index.html").is_file() and (out / ".gradeline").is_file()
                assert_readable(out)
            assert time.monotonic() - started < 20, f"{kind} on {name} took too long"
            assert sorted(p.name for p in Path(tmp).iterdir()) == ["content", "site"]
        outcomes[f"kind: {kind}"] += 1

    one_case()
    total = outcomes["content error"] + outcomes["built"]
    print(f"\nhostile cases: {total}; ended as content errors: {outcomes['content error']}; "
          f"built: {outcomes['built']}; by mutation: "
          + ", ".join(f"{k[6:]} {v}" for k, v in sorted(outcomes.items())
                      if k.startswith("kind")))
    assert outcomes["content error"] >= total // 10 and outcomes["built"] >= total // 10, \
        outcomes


def assert_readable(site: Path) -> None:
    """Every file that a program reads parses: the data files, the feed, the sitemap, the
    compare picker's data and every chart's figure."""
    json.loads((site / "data" / "inspections.json").read_bytes())
    csv.field_size_limit(10_000_000)  # a huge-string case writes a title of two million é
    list(csv.reader(io.StringIO((site / "data" / "judgments.csv").read_text("utf-8-sig"),
                                newline="")))
    for name in ("feed.xml", "sitemap.xml"):
        if (site / name).exists():
            ET.parse(site / name)
    for script in (site / "data" / "compare").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        prefix = "window.gradelineCompare = "
        assert text.startswith(prefix) and text.endswith(";\n"), script
        json.loads(text[len(prefix):-2])
    for page in site.rglob("*.html"):
        for figure in parse(page).select('script[type="application/json"]'):
            json.loads(figure.string)
