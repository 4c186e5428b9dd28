"""What the entity format (a profile's ``domain``) takes beyond its shape: the keys each part
knows, the kind of value each schema rule holds, HTTP methods and path templates.

Anything else is refused at its place, with the closest known key: a misspelt ``max_lenght``
would otherwise be dropped and its rule silently not applied, and ``minimum: abc`` would
fail deep inside a draw. Each check returns every problem it finds (``unknown_keys``,
``wrong_kinds``) or raises one ``EntityFormatError``; the reader collects them all.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import fields as dc_fields
from typing import Any

from persona_gen._moments import bound_problem, instant_us
from persona_gen.entities.model import Schema
from persona_gen.errors import UnknownNameError

__all__ = [
    "DOMAIN_KEYS",
    "ENTITY_KEYS",
    "FIELD_FLAGS",
    "FOREIGN_KEY_KEYS",
    "FORMAT_BOUND_KEYS",
    "HTTP_METHODS",
    "OPERATION_KEYS",
    "PLAIN",
    "SCHEMA_KEYS",
    "EntityFormatError",
    "exclusive_bounds",
    "format_bound_problems",
    "http_method",
    "is_extension",
    "only",
    "path_parameters",
    "path_template",
    "unknown_key",
    "unknown_keys",
    "wrong_kinds",
]

_NESTED = {
    "type", "items", "values", "fields", "variants", "enum", "const", "const_unchecked",
    "default", "xml", "absent",
}  # fmt: skip
# The schema keys whose values are stored as written (not schemas, nor tuples, nor flags
# telling a null value from a missing one).
PLAIN = [f.name for f in dc_fields(Schema) if f.name not in _NESTED | {"has_const", "has_default"}]
# The keys of a field beside its schema's.
FIELD_FLAGS = ("required", "read_only", "write_only", "counted", "defaulted")
SCHEMA_KEYS = ("type", *PLAIN, *sorted(_NESTED - {"type"}), *FIELD_FLAGS)
ENTITY_KEYS = (
    "schema",
    "primary_key",
    "unique",
    "foreign_keys",
    "plural",
    "identity_always",
    "table_schema",
)
FOREIGN_KEY_KEYS = ("columns", "entity", "references")
OPERATION_KEYS = (
    "method",
    "path",
    "entity",
    "operation_id",
    "request_body",
    "request_shape",
    "success_status",
    "response",
    "response_array",
    "error_statuses",
    "path_params",
    "query_params",
    "required_query",
    "header_params",
    "required_header_params",
    "cookie_params",
    "required_cookie_params",
    "resources",
    "request_media",
    "request_encoding",
    "bad_request",
    "error_replies",
)
DOMAIN_KEYS = ("primary", "source", "entities", "operations", "events")
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")

# A path template: text with ``{name}`` parameters, no brace left open or unmatched.
_TEMPLATE = re.compile(r"[^{}]*(?:\{[^{}/]+\}[^{}]*)*")
_PARAMETER = re.compile(r"\{([^{}/]+)\}")
_COUNTS = ("min_length", "max_length", "min_items", "max_items")
_INTEGERS = ("precision", "scale")
_NUMBERS = ("minimum", "maximum")
_FLAGS = (
    "nullable", "unique_items", "closed", "required", "read_only", "write_only", "const_unchecked",
    "counted", "defaulted", "null_as_absent",
)  # fmt: skip
_TEXTS = ("format", "semantic", "pattern", "ref", "description", "format_minimum", "format_maximum")
FORMAT_BOUND_KEYS = (
    "format_minimum", "format_maximum", "format_exclusive_minimum", "format_exclusive_maximum",
)  # fmt: skip
_FORMAT_BOUNDS = (
    ("format_exclusive_minimum", "format_minimum", 1),
    ("format_exclusive_maximum", "format_maximum", -1),
)


class EntityFormatError(ValueError):
    """Raised with a dotted path when entity data is malformed. ``problems``: every one
    found, this one first (``EntityFormatError.of``: one error for several)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        self.problems: tuple[EntityFormatError, ...] = (self,)
        super().__init__(f"{path}: {message}" if path else message)

    @classmethod
    def of(cls, problems: Sequence[EntityFormatError]) -> EntityFormatError:
        """One error carrying ``problems`` (at least one), said as the first."""
        error = cls(problems[0].path, problems[0].message)
        error.problems = (error, *problems[1:])
        return error


def unknown_key(what: str, key: Any, known: Sequence[str]) -> str:
    """What is wrong with ``key``, naming the closest of the ``known`` keys (or all)."""
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    hint = f". Did you mean '{close[0]}'?" if close else f" (known: {', '.join(known)})"
    return f"unknown {what} key{hint}"


def is_extension(key: Any) -> bool:
    """Whether ``key`` starts with ``x-``: ignored in every part of the format whose keys it
    defines (not in those keyed by name, as ``fields``), as in OpenAPI and Compose files."""
    return isinstance(key, str) and key.startswith("x-")


def unknown_keys(
    data: dict[Any, Any], what: str, known: Sequence[str], path: str
) -> list[EntityFormatError]:
    """Each key of ``data`` (a ``what``: entity, operation...) not ``known`` (``x-`` keys are
    ignored)."""
    return [
        EntityFormatError(_at(path, key), unknown_key(what, key, known))
        for key in data
        if key not in known and not is_extension(key)
    ]


def only(data: dict[Any, Any], what: str, known: Sequence[str], path: str) -> None:
    """Refuse every key of ``data`` not ``known`` at once (``unknown_keys`` as an error), for
    a part read whole or not at all."""
    unknown = unknown_keys(data, what, known, path)
    if unknown:
        raise EntityFormatError.of(unknown)


def http_method(raw: Any, path: str) -> str:
    """An operation's method, upper-cased; another than HTTP's is refused with the list."""
    method = str(raw).upper()
    if method not in HTTP_METHODS:
        raise EntityFormatError(
            _at(path, "method"), str(UnknownNameError("HTTP method", method, HTTP_METHODS))
        )
    return method


def path_template(raw: Any, path: str) -> str:
    """An operation's path; one whose braces open or close no ``{name}`` is refused (it
    would be sent as written, or break the filling of its parameters)."""
    text = str(raw)
    if not _TEMPLATE.fullmatch(text):
        raise EntityFormatError(
            _at(path, "path"),
            f"{text!r} has a brace that opens or closes no parameter "
            "(a path parameter is written {name})",
        )
    return text


def path_parameters(path: str) -> tuple[str, ...]:
    """The names of a path template's parameters, in order, each once (``/a/{x}/b/{y}``:
    x, y)."""
    return tuple(dict.fromkeys(_PARAMETER.findall(path)))


def wrong_kinds(data: dict[Any, Any], path: str) -> Iterator[EntityFormatError]:
    """Each rule of the schema ``data`` whose value is of the wrong kind."""
    for key, value in data.items():
        wrong = _wrong_kind(key, value)
        if wrong:
            yield EntityFormatError(_at(path, key), f"expected {wrong}, got {_show(value)}")


def _wrong_kind(key: Any, value: Any) -> str | None:
    """What ``value`` should be for ``key`` when it is not (None: it is, or not judged here;
    null leaves out a rule whose default is none)."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    number = whole or (isinstance(value, float) and math.isfinite(value))
    if key in _FLAGS:
        return None if isinstance(value, bool) else "true or false"
    if key == "enum":
        return None if isinstance(value, list) else "a list of values"
    if key == "absent":
        names = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if names else "a list of property names"
    if value is None:
        return None
    if key in _COUNTS:
        return None if whole and value >= 0 else "a whole number >= 0"
    if key in _INTEGERS:
        return None if whole else "a whole number"
    if key in _NUMBERS:
        return None if number else "a number"
    if key in _TEXTS:
        return None if isinstance(value, str) else "text"
    if key in ("exclusive_minimum", "exclusive_maximum"):
        return None if isinstance(value, bool) or number else "true, false or a number"
    if key in ("format_exclusive_minimum", "format_exclusive_maximum"):
        return None if isinstance(value, bool | str) else "true, false or a date or date-time"
    return None


def format_bound_problems(data: dict[Any, Any], path: str) -> Iterator[EntityFormatError]:
    """Each date bound of the schema ``data`` that is not a value of its format, or is on
    a schema whose format takes none."""
    for key in FORMAT_BOUND_KEYS:
        value = data.get(key)
        if value is None or isinstance(value, bool) or _wrong_kind(key, value):
            continue
        fmt = data.get("format")
        problem = bound_problem(fmt if isinstance(fmt, str) else None, value)
        if problem is not None:
            yield EntityFormatError(_at(path, key), problem)


def exclusive_bounds(kwargs: dict[str, Any]) -> None:
    """A numeric ``exclusive_minimum: 5`` (JSON Schema draft 6 and later: above 5) as the
    model holds it, ``minimum: 5`` with the flag set, unless ``minimum`` is the tighter
    bound; likewise ``exclusive_maximum``, and a date's ``format_exclusive_minimum:
    '2024-01-01'`` (ajv-formats' ``formatExclusiveMinimum``) and its maximum. (Kept as
    given, 5 would be a true flag on a missing bound: no bound at all.)"""
    for flag, bound, inward in (
        ("exclusive_minimum", "minimum", 1),
        ("exclusive_maximum", "maximum", -1),
    ):
        value = kwargs.get(flag)
        if value is None or isinstance(value, bool):
            continue
        other = kwargs.get(bound)
        if other is not None and (other - value) * inward > 0:
            kwargs[flag] = False  # (the inclusive bound is the tighter one)
        else:
            kwargs[bound], kwargs[flag] = value, True
    fmt = str(kwargs.get("format"))
    for flag, bound, inward in _FORMAT_BOUNDS:  # (a date given as the exclusive bound)
        value = kwargs.get(flag)
        if not isinstance(value, str):
            continue
        other, at = kwargs.get(bound), instant_us(value, fmt)
        other_at = instant_us(other, fmt) if isinstance(other, str) else None
        if other_at is not None and at is not None and (other_at - at) * inward > 0:
            kwargs[flag] = False
        else:
            kwargs[bound], kwargs[flag] = value, True


def _show(value: Any) -> str:
    """A value as YAML writes it (``true``, ``null``: not Python's True and None)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return repr(value)


def _at(path: str, key: Any) -> str:
    return f"{path}.{key}".lstrip(".")
