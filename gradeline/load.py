"""Stage 1, load: read YAML content files into plain data, remembering where every value was.

YAML is parsed with a safe loader only (libyaml when available) into a node tree, and the
tree is turned into dicts, lists and scalars by hand so that each value's line and column
can be recorded, duplicate keys caught, and aliases (the "billion laughs" attack) refused
before they can expand.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Loc, Positions, ProblemList, format_loc
from .markdown import link_destinations

try:  # libyaml parses several times faster; the pure-Python loader behaves the same.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Nesting deeper than this is refused: no real content needs it, and it bounds recursion.
MAX_DEPTH = 40
#: Files larger than this are refused before parsing, so a mistake cannot stall a build.
MAX_BYTES = 5_000_000

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.constructor.SafeConstructor()
#: Characters that no page, feed or data file can carry: control characters (but tab and
#: line ends) and the noncharacters XML forbids. libyaml refuses them written as they are,
#: not written as escapes in a quoted string ("\b").
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
#: Invisible marks that change the direction of the text after them (embeddings, overrides
#: and isolates): needed in some right-to-left writing, and a way to make "2021" show as
#: "1202" in any other.
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
ALIASES_REFUSED = ("YAML aliases (*name) are not allowed in content files; write the value "
                   "out in full")
#: What ``python build.py new`` writes where something is to be filled in; a text that
#: still holds it, as a word of its own, gets a warning.
PLACEHOLDER = "TODO"
_PLACEHOLDER_WORD = re.compile(rf"\b{PLACEHOLDER}\b")


@dataclass
class Document:
    """One parsed content file: its data, where each value was, and its name for messages.

    A document kept in the build cache drops its positions (most of its size); they come
    back from the file, unchanged since, if a problem must be located.
    """

    path: Path
    display: str
    data: Any
    _positions: Positions | None
    #: A hash of the file's text: what incremental builds compare to see what changed.
    digest: str = ""
    #: Every source key the file cites, with where: checked against the sources each build.
    cited: list[tuple[Loc, str]] = field(default_factory=list)
    #: Every link to a page of the site ("/areas/") in the file's text, with where: checked
    #: against the site's pages each build.
    links: list[tuple[Loc, str]] = field(default_factory=list)

    @property
    def positions(self) -> Positions:
        """Where each value is; read again from the file when the cache dropped them."""
        if self._positions is None:
            again, _ = load_file(self.path)
            self._positions = again._positions if again and again.digest == self.digest \
                else Positions()
        return self._positions

    def problems(self) -> ProblemList:
        """A fresh problem list that reports against this file's positions."""
        return ProblemList(self.display, source=self)

    def drop_positions(self) -> None:
        """Forget where each value is (most of a document's size), for a file found valid:
        read again from the file if a check of another file's makes one needed."""
        self._positions = None

    def for_cache(self) -> Document:
        """A copy without the positions (most of its size), to keep between builds."""
        return Document(self.path, self.display, self.data, None, self.digest, self.cited,
                        self.links)


class _Refused(Exception):
    """A node that cannot become content (alias, odd tag, too deep); carries its position."""

    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.line = node.start_mark.line + 1
        self.column = node.start_mark.column + 1
        self.message = message


def display_path(path: Path) -> str:
    """The path as editors see it in messages: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path.absolute()) if rel.startswith("..") else rel


def parse_text(text: str, display: str, path: Path | None = None) -> tuple[Document | None,
                                                                          ProblemList]:
    """Parse one YAML text. Returns the document (None if unreadable) and its problems."""
    problems = ProblemList(display)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problems.add_at(line, col, f"YAML syntax error: {_yaml_reason(exc)}")
        return None, problems
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encodings
        line, col = _reader_position(text, exc)
        problems.add_at(line, col, f"YAML syntax error: {_yaml_reason(exc)}")
        return None, problems

    positions = Positions()
    problems.positions = positions
    if root is None:
        problems.add_at(1, 1, "the file is empty (expected a mapping of fields)")
        return None, problems
    flagged: list[tuple[Loc, tuple[int, int], str, str]] = []
    links: list[tuple[Loc, str]] = []
    try:
        data = _to_data(root, (), positions, set(), 0, flagged, links)
    except _Refused as exc:
        line, column = exc.line, exc.column
        if exc.message == ALIASES_REFUSED:
            # The composer shares the aliased node and forgets where the alias was written;
            # only now, with an alias known to be there, is the text scanned for it.
            alias = _first_alias(text)
            if alias is not None:
                line, column = alias.line + 1, alias.column + 1
        problems.add_at(line, column, exc.message)
        return None, problems
    for loc, (line, col), message, severity in flagged:
        problems.add_at(line, col, message, field=format_loc(loc), severity=severity)
    if any(severity == "error" for *_, severity in flagged):
        return None, problems
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    return Document(path or Path(display), display, data, positions, digest,
                    list(cited_keys(data)), links), problems


def _first_alias(text: str) -> yaml.Mark | None:
    """Where the first alias is written in the text."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark
    return None


def read_file(path: Path) -> tuple[bytes | None, ProblemList]:
    """One content file's bytes (None if it cannot be read, or is too large: refused before
    reading, so that a mistake cannot stall a build or fill its memory)."""
    problems = ProblemList(display_path(path))
    try:
        with path.open("rb") as handle:
            # Refused before reading, and never more read than the limit allows: a file
            # growing meanwhile is bounded too.
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(MAX_BYTES + 1) if size <= MAX_BYTES else b""
    except OSError as exc:
        problems.add_at(1, 1, f"cannot read the file: {exc.strerror or exc}")
        return None, problems
    if size > MAX_BYTES or len(raw) > MAX_BYTES:
        problems.add_at(1, 1, f"the file is {'more than ' if size <= MAX_BYTES else ''}"
                              f"{max(size, MAX_BYTES):,} bytes; content files may be at most "
                              f"{MAX_BYTES:,} bytes")
        return None, problems
    return raw, problems


def parse_file(raw: bytes, path: Path) -> tuple[Document | None, ProblemList]:
    """Parse one content file's bytes; problems name the file as the editor knows it."""
    display = display_path(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems = ProblemList(display)
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.add_at(line, col, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                                   "cannot be read); save it as UTF-8")
        return None, problems
    return parse_text(text, display, path)


def load_file(path: Path) -> tuple[Document | None, ProblemList]:
    """Read and parse one content file."""
    raw, problems = read_file(path)
    return (None, problems) if raw is None else parse_file(raw, path)


def _to_data(
    node: yaml.Node, loc: Loc, positions: Positions, seen: set[int], depth: int,
    flagged: list[tuple[Loc, tuple[int, int], str, str]], links: list[tuple[Loc, str]],
) -> Any:
    """Turn one node into plain data, recording the position of every value and key, and
    in ``links`` every link to a page of the site ("/areas/") that a text holds.

    Duplicate keys, text no page could show, text that would show reordered and
    placeholders left in are collected in ``flagged`` with their severity (the first value
    wins meanwhile), so that every one in the file is reported, not only the first.
    """
    if depth > MAX_DEPTH:
        raise _Refused(node, f"values are nested more than {MAX_DEPTH} levels deep")
    # The composer hands back the very same node object wherever an alias points at it.
    if id(node) in seen:
        raise _Refused(node, ALIASES_REFUSED)
    seen.add(id(node))
    positions.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)

    if isinstance(node, yaml.ScalarNode):
        value = _scalar(node)
        if not isinstance(value, str):
            return value
        # Text no page could show is an error, text that would show reordered a warning;
        # and links to pages of the site are noted. (Inline: this runs for every value.)
        if bad := _UNSHOWABLE.search(value):
            kind = "a control character" if bad.group() < "\ufdd0" else "a noncharacter"
            flagged.append((loc, positions.values[loc],
                            f"holds U+{ord(bad.group()):04X} ({kind}), which web pages and "
                            "feeds cannot show; remove it", "error"))
        if turn := _DIRECTION.search(value):
            flagged.append((loc, positions.values[loc],
                            f"holds U+{ord(turn.group()):04X}, an invisible character that "
                            "changes the direction of the text after it, so that readers may "
                            "see it reordered; remove it unless the text is written right to "
                            "left", "warning"))
        if PLACEHOLDER in value and _PLACEHOLDER_WORD.search(value):
            flagged.append((loc, positions.values[loc], f"still holds the placeholder "
                            f"'{PLACEHOLDER}'; replace it or remove the field", "warning"))
        if "/" in value:  # no link from the site's root without one
            links.extend((loc, link) for link in link_destinations(value)
                         if link.startswith("/") and not link.startswith("//"))
        return value
    if isinstance(node, yaml.SequenceNode):
        _check_tag(node, "tag:yaml.org,2002:seq")
        return [_to_data(item, (*loc, i), positions, seen, depth + 1, flagged, links)
                for i, item in enumerate(node.value)]
    _check_tag(node, "tag:yaml.org,2002:map")
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(key_node, "a mapping key must be a plain word, not a list or mapping")
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise _Refused(key_node, "YAML merge keys (<<) are not allowed in content files")
        key = str(key_node.value)
        key_loc = (*loc, key)
        key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        if key in result:
            first_line = positions.keys[key_loc][0]
            flagged.append((key_loc, key_pos, f"duplicate key '{key}' (first given on line "
                                              f"{first_line}); each key may appear once",
                            "error"))
            continue
        positions.keys[key_loc] = key_pos
        result[key] = _to_data(value_node, key_loc, positions, seen, depth + 1, flagged,
                               links)
    return result


def _scalar(node: yaml.ScalarNode) -> Any:
    _check_tag(node, None)
    # Dates stay text: the model parses them itself, so that partial dates ("2018-07") and
    # impossible ones ("2021-02-30") get a message instead of a crash or a silent coercion.
    if node.tag in (_STR, "tag:yaml.org,2002:timestamp"):
        return node.value
    try:
        # Call the tag's constructor directly: construct_object() would cache every node.
        return _constructor.yaml_constructors[node.tag](_constructor, node)
    except (ValueError, yaml.YAMLError):  # e.g. an int literal YAML cannot construct
        return node.value


def _check_tag(node: yaml.Node, expected: str | None) -> None:
    allowed = _SCALAR_TAGS if expected is None else {expected}
    if node.tag not in allowed:
        raise _Refused(node, f"YAML tag '{node.tag}' is not allowed in content files")


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem and context:
        return f"{problem} ({context})"
    if problem:
        return str(problem)
    reason = getattr(exc, "reason", None)
    if reason:
        return str(reason)
    return str(exc).splitlines()[0]


def _reader_position(text: str, exc: yaml.YAMLError) -> tuple[int, int]:
    offset = getattr(exc, "position", None)
    if not isinstance(offset, int):
        return 1, 1
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def cited_keys(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every source key a document cites: each ``cite`` entry and each ``related.source``."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "cite" and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        yield (*loc, key, i), item
            elif key == "source" and isinstance(value, str) and loc[:1] == ("related",):
                yield (*loc, key), value
            elif key != "sources":
                yield from cited_keys(value, (*loc, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from cited_keys(item, (*loc, i))
