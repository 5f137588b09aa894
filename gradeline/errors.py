"""Content problems: where they are, what is wrong, and how they are reported.

Every problem found in content names its file, line and column, the field it concerns and
what would be allowed there. Problems are gathered across all files and raised together as
one :class:`ContentError`, so that an editor sees everything at once and never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: A path into a YAML document: mapping keys and list indexes, e.g. ("judgments", 2, "grade").
Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """Render a location as editors write it: ``judgments[2].grade``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in one place of one content file."""

    file: str
    line: int
    column: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        prefix = "warning: " if self.severity == "warning" else ""
        if self.field:
            return f"{where}: {prefix}{self.field}: {self.message}"
        return f"{where}: {prefix}{self.message}"


class ContentError(Exception):
    """Raised once with every problem found in the content; ``str()`` lists one per line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(problems, key=_file_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _file_order(p: Problem) -> tuple[str, int, int, str, str]:
    return (p.file, p.line, p.column, p.field, p.message)


@dataclass
class Positions:
    """Where each value and key of one YAML document starts (1-based line and column)."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of_value(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """Position of the value at ``loc``, or of its nearest ancestor that exists."""
        loc = tuple(loc)
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))

    def of_key(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """Position of the mapping key that names ``loc`` (falls back to its value)."""
        loc = tuple(loc)
        if loc in self.keys:
            return self.keys[loc]
        return self.of_value(loc)


class ProblemList:
    """Collects problems for one document so that every check can report and carry on."""

    def __init__(self, file: str, positions: Positions | None = None, source: Any = None):
        self.file = file
        self._positions = positions
        #: The document, whose positions are looked up only when a problem is reported.
        self._source = source
        self.items: list[Problem] = []

    @property
    def positions(self) -> Positions:
        """Where the document's values are."""
        if self._positions is None:
            self._positions = self._source.positions if self._source else Positions()
        return self._positions

    @positions.setter
    def positions(self, value: Positions) -> None:
        self._positions = value

    def add(
        self, loc: Sequence[str | int], message: str, *, at_key: bool = False,
        severity: str = "error",
    ) -> None:
        """Record a problem about the value (or the key) at ``loc``."""
        line, col = self.positions.of_key(loc) if at_key else self.positions.of_value(loc)
        self.items.append(Problem(self.file, line, col, format_loc(tuple(loc)), message, severity))

    def add_at(self, line: int, column: int, message: str, *, field: str = "",
               severity: str = "error") -> None:
        """Record a problem at a known position (e.g. a YAML syntax error)."""
        self.items.append(Problem(self.file, line, column, field, message, severity))


def describe(value: Any) -> str:
    """Name a YAML value's kind for a message: ``a number (42)``, ``a list``."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text ('{shown}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
