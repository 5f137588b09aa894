"""Dates as inspection records give them: sometimes to the day, sometimes only a month or year.

"Report published July 2018 (day not confirmed)" must not become 1 July 2018, so a date keeps
the precision its source gives.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from .errors import describe

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
HOW_TO_WRITE = "write YYYY-MM-DD, or YYYY-MM or YYYY when the source gives no day or month"


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        """Read ``2021``, ``"2021-11"``, ``"2021-11-23"`` or a date; explain what is wrong."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"expected a date, got {describe(value)}; {HOW_TO_WRITE}")
        text = str(value).strip()
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(f"'{text}' is not a date: {HOW_TO_WRITE}")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None  # the pattern always captures a year
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"'{text}' is not a real date (there is no month {month})")
        if day is not None:
            assert month is not None
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise ValueError(f"'{text}' is not a real date ({calendar.month_name[month]} "
                                 f"{year} has {last} days)")
        if not 1900 <= year <= 2100:
            raise ValueError(f"'{text}' is outside the years 1900 to 2100")
        return cls(year, month, day)

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def label(self) -> str:
        """For readers: ``23 November 2021``, ``July 2018`` or ``2014``."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    @property
    def precise(self) -> bool:
        """Whether the day is known."""
        return self.day is not None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Orders dates; a partial date sorts at the start of its month or year."""
        return (self.year, self.month or 0, self.day or 0)

    def start(self) -> dt.date:
        """The first day this date could be."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def end(self) -> dt.date:
        """The last day this date could be."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def __lt__(self, other: PartialDate) -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: PartialDate) -> bool:
        return self.sort_key <= other.sort_key

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
                {"type": "integer", "minimum": 1900, "maximum": 2100},
            ],
            "description": "A date: YYYY-MM-DD, or YYYY-MM or YYYY when the day or month "
                           "is not known.",
        }

