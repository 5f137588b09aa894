"""Turn pydantic's validation errors into messages an editor can act on.

Pydantic knows *that* a value is wrong; this module says it in the project's words, points at
the exact key or value in the YAML file, and suggests the field or value that was probably
meant. The wording here is API: tests pin it.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from .errors import Loc, ProblemList, describe
from .load import Document

M = TypeVar("M", bound=BaseModel)

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of fields",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}


def suggest(word: str, choices: typing.Iterable[str], ignore_case: bool = False) -> str:
    """`` (did you mean 'title'?)`` when a choice is close to ``word``, else ``""``; with
    ``ignore_case``, closeness is judged in lower case (the choice is shown as given)."""
    if ignore_case:
        by_key = {choice.casefold(): choice for choice in choices}
        close = difflib.get_close_matches(word.casefold(), list(by_key), n=1, cutoff=0.6)
        return f" (did you mean '{by_key[close[0]]}'?)" if close else ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def validate_document(doc: Document, model: type[M], problems: ProblemList) -> M | None:
    """Validate one document against ``model``; report every error it has, in our words."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            loc, message, at_key = explain(model, error)
            problems.add(loc, message, at_key=at_key)
        return None


def explain(model: type[BaseModel], error: Any) -> tuple[Loc, str, bool]:
    """One pydantic error as (location, message, whether to point at the key)."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if loc and loc[-1] == "[key]":  # a dict key failed its own validation (e.g. a bad id)
        loc = loc[:-1]
        return loc, _value_message(kind, value, ctx, error), True
    if kind == "missing":
        info = field_info(model, loc)
        hint = f" ({_sentence(info.description)})" if info and info.description else ""
        return loc, f"required field is missing{hint}", False
    if kind == "extra_forbidden":
        allowed = field_names(model, loc[:-1])
        key = str(loc[-1])
        hint = suggest(key, allowed) or f" (allowed: {', '.join(allowed)})"
        return loc, f"unknown field '{key}'{hint}", True
    return loc, _value_message(kind, value, ctx, error), False


def _value_message(kind: str, value: Any, ctx: dict[str, Any], error: Any) -> str:
    if kind in _EXPECTED:
        hint = ""
        if kind == "string_type" and isinstance(value, int | float | bool):
            hint = "; put it in quotes if it is meant as text"
        return f"expected {_EXPECTED[kind]}, got {describe(value)}{hint}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"must have at least {n} {'entry' if n == 1 else 'entries'}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {describe(value)}"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}, got {describe(value)}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        shown = value if isinstance(value, str) else describe(value)
        return (f"'{shown}' is not allowed{suggest(str(value), allowed)} "
                f"(allowed: {', '.join(allowed)})")
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg'][:1].lower()}{error['msg'][1:]}"


def _sentence(text: str) -> str:
    return text.rstrip(".").split(". ")[0].lower()


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation may hold, with Optional, Annotated and unions taken apart."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                out.extend(_unwrap(arg))
        return out
    return [annotation]


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation of ``part`` inside a value of type ``annotation`` (None if unknown)."""
    for candidate in _unwrap(annotation):
        origin = typing.get_origin(candidate)
        args = typing.get_args(candidate)
        if isinstance(candidate, type) and issubclass(candidate, BaseModel) and isinstance(
                part, str):
            info = _field_by_alias(candidate, part)
            if info is not None:
                return info
        elif origin is list and isinstance(part, int):
            return args[0]
        elif origin is dict and isinstance(part, str):
            return args[1]
    return None


def _field_by_alias(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def _walk(model: type[BaseModel], loc: Loc) -> tuple[FieldInfo | None, Any]:
    """Follow ``loc`` through the model's annotations: the field found there and its type."""
    current: Any = model
    info: FieldInfo | None = None
    for part in loc:
        step = _step(current, part)
        if step is None:
            return None, None
        info, current = (step, step.annotation) if isinstance(step, FieldInfo) else (None, step)
    return info, current


def field_info(model: type[BaseModel], loc: Loc) -> FieldInfo | None:
    """The pydantic FieldInfo for the field at ``loc`` (None when the path is not a field)."""
    return _walk(model, loc)[0]


def field_names(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys allowed in the mapping at ``loc`` (empty when it is not a model)."""
    for candidate in _unwrap(_walk(model, loc)[1]):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return [info.alias or name for name, info in candidate.model_fields.items()]
    return []
