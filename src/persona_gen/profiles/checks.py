"""Field rules of a profile's embedded domain that contradict themselves or cannot be honoured.

``unsatisfiable`` (values.feasible) finds bounds that cross; this finds the rest an author
can write by hand: a pattern that is not a regex or cannot fit the length limits, an empty
enum, a ``multiple_of`` with no multiple in range, a ``const`` or enum member of the wrong
type, an unknown ``format``. Each is reported at its key in the YAML (file:line + field path),
before anything is generated (so no data is labelled valid that is not).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Hashable, Iterator
from typing import Any

from persona_gen.entities.model import Domain, Schema
from persona_gen.errors import UnknownNameError
from persona_gen.values.numbers import numeric_bounds
from persona_gen.values.strings import FORMATS

try:  # Python 3.11+
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse

__all__ = ["KNOWN_FORMATS", "domain_problems", "reference_problems"]

Path = tuple[Hashable, ...]

# Formats values are drawn for (strings), and the numeric ones that only annotate a width.
KNOWN_FORMATS = frozenset(FORMATS) | {"int8", "int16", "uint8", "uint16", "uint32", "uint64"}

_AT = sre_parse.AT
_BEGIN = {sre_parse.AT_BEGINNING, sre_parse.AT_BEGINNING_STRING}
_END = {sre_parse.AT_END, sre_parse.AT_END_STRING}
_MAXWIDTH = sre_parse.MAXREPEAT


def domain_problems(domain: Domain, *, hand_written: bool) -> list[tuple[Path, str]]:
    """(path inside the profile, message) for every rule of ``domain`` that cannot hold.

    ``hand_written``: also refuse an unknown ``format`` (an imported schema may carry formats
    of its own; they only annotate, as JSON Schema says, and are kept)."""
    found: list[tuple[Path, str]] = []
    for name, entity in domain.entities.items():
        at: Path = ("domain", "entities", name, "schema")
        found.extend(_walk(entity.schema, at, hand_written))
    return found


def _walk(s: Schema, at: Path, hand_written: bool) -> Iterator[tuple[Path, str]]:
    yield from _rules(s, at, hand_written)
    for f in s.fields:
        yield from _walk(f.schema, (*at, "fields", f.name), hand_written)
    if s.items is not None:
        yield from _walk(s.items, (*at, "items"), hand_written)
    if s.values is not None:
        yield from _walk(s.values, (*at, "values"), hand_written)
    for k, variant in enumerate(s.variants):
        yield from _walk(variant, (*at, "variants", k), hand_written)


def _rules(s: Schema, at: Path, hand_written: bool) -> Iterator[tuple[Path, str]]:
    if s.enum is not None and not s.enum:
        yield (*at, "enum"), "enum is empty, so no value fits (leave it out, or list values)"
    if s.has_const and not _fits_type(s.const, s):
        yield (*at, "const"), f"const {_show(s.const)} is not {_type_name(s)}"
    for i, member in enumerate(s.enum or ()):
        if not _fits_type(member, s):
            yield (*at, "enum", i), f"enum member {_show(member)} is not {_type_name(s)}"
    if hand_written and s.format is not None and s.format not in KNOWN_FORMATS:
        close = difflib.get_close_matches(str(s.format), sorted(KNOWN_FORMATS), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        listing = ", ".join(sorted(KNOWN_FORMATS))
        yield (*at, "format"), f"unknown format '{s.format}'.{hint} Known: {listing}"
    if s.pattern is not None and s.type == "string" and not (s.has_const or s.enum):
        yield from _pattern_rules(s, at)
    if s.multiple_of is not None and s.type in ("integer", "number"):
        reason = _no_multiple(s)
        if reason:
            yield (*at, "multiple_of"), reason


def _pattern_rules(s: Schema, at: Path) -> Iterator[tuple[Path, str]]:
    pattern = str(s.pattern)
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        yield (*at, "pattern"), f"pattern {pattern!r} is not a valid regular expression ({exc})"
        return
    low, high = parsed.getwidth()
    if s.max_length is not None and low > s.max_length:
        yield (
            (*at, "max_length"),
            f"pattern {pattern!r} matches only strings of at least {low} characters, "
            f"above max_length {s.max_length}",
        )
    items = list(parsed)
    anchored = (
        len(items) >= 2
        and items[0][0] is _AT
        and items[0][1] in _BEGIN
        and items[-1][0] is _AT
        and items[-1][1] in _END
    )
    if anchored and s.min_length is not None and high < _MAXWIDTH:
        # (``$`` also matches before a final newline: one character more)
        longest = high + (1 if items[-1][1] == sre_parse.AT_END else 0)
        if longest < s.min_length:
            yield (
                (*at, "min_length"),
                f"pattern {pattern!r} matches only strings of at most {longest} characters, "
                f"below min_length {s.min_length}",
            )


def _no_multiple(s: Schema) -> str | None:
    step = s.multiple_of
    if not isinstance(step, int | float) or isinstance(step, bool) or not step > 0:
        return f"multiple_of must be a positive number, got {_show(step)}"
    low, high = numeric_bounds(s, s.type == "integer")
    if math.isinf(low) or math.isinf(high) or low > high:
        return None  # (crossed bounds are reported on their own)
    first = math.ceil(low / step - 1e-9) * step
    if first - high > 1e-9 * max(1.0, abs(high)):
        return (
            f"no multiple of {step:g} lies between minimum {s.minimum:g} and "
            f"maximum {s.maximum:g}, so no value fits"
        )
    if s.type == "integer" and not _integer_multiple_exists(low, high, step):
        return (
            f"no integer multiple of {step:g} lies between minimum {s.minimum:g} and "
            f"maximum {s.maximum:g}, so no value fits"
        )
    return None


def _integer_multiple_exists(low: float, high: float, step: float) -> bool:
    if float(step).is_integer():
        return math.ceil(low / step) * step <= high
    # a fractional step: some k·step must be an integer in range (few enough to scan)
    if high - low > 10_000:
        return True
    return any(float(v / step).is_integer() for v in range(int(low), int(high) + 1))


def _fits_type(value: Any, s: Schema) -> bool:
    if value is None:
        return s.nullable or s.type in ("null", "any", "union")
    kind = s.type
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return False
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind in ("object", "map"):
        return isinstance(value, dict)
    return True  # any, union, ref: not judged here


def _type_name(s: Schema) -> str:
    article = "an" if s.type[:1] in "aeiou" else "a"
    return f"{article} {s.type}, the field's type"


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def reference_problems(domain: Domain) -> list[tuple[Path, str]]:
    """Names in ``domain`` that name nothing: a ``ref`` to no entity, key columns that are not
    fields of their entity, foreign keys to an unknown entity or column, operations and events
    of unknown entities."""
    found: list[tuple[Path, str]] = []
    names = list(domain.entities)

    def unknown_entity(at: Path, name: str) -> None:
        if name not in domain.entities:
            found.append((at, str(UnknownNameError("entity", name, names))))

    def unknown_fields(at: Path, entity: str, columns: tuple[str, ...]) -> None:
        fields = _field_names(domain.entities[entity].schema)
        if fields is None:
            return
        for i, column in enumerate(columns):
            if column not in fields:
                found.append(((*at, i), str(UnknownNameError("field", column, fields))))

    for name, entity in domain.entities.items():
        at: Path = ("domain", "entities", name)
        for where, ref in _refs(entity.schema, (*at, "schema")):
            unknown_entity((*where, "ref"), ref)
        unknown_fields((*at, "primary_key"), name, entity.primary_key)
        for i, columns in enumerate(entity.unique):
            unknown_fields((*at, "unique", i), name, columns)
        for i, fk in enumerate(entity.foreign_keys):
            here = (*at, "foreign_keys", i)
            unknown_fields((*here, "columns"), name, fk.columns)
            unknown_entity((*here, "entity"), fk.entity)
            if fk.entity in domain.entities:
                unknown_fields((*here, "references"), fk.entity, fk.references)
    for i, op in enumerate(domain.operations):
        if op.entity is not None:
            unknown_entity(("domain", "operations", i, "entity"), op.entity)
    for event, entity_name in domain.events.items():
        unknown_entity(("domain", "events", event), entity_name)
    return found


def _refs(s: Schema, at: Path) -> Iterator[tuple[Path, str]]:
    if s.type == "ref" and s.ref is not None:
        yield at, s.ref
    for f in s.fields:
        yield from _refs(f.schema, (*at, "fields", f.name))
    if s.items is not None:
        yield from _refs(s.items, (*at, "items"))
    if s.values is not None:
        yield from _refs(s.values, (*at, "values"))
    for k, variant in enumerate(s.variants):
        yield from _refs(variant, (*at, "variants", k))


def _field_names(s: Schema) -> list[str] | None:
    """The fields an entity's records can carry, or None when its shape is not an object's
    (a reference, an array: not judged here)."""
    if s.type == "object":
        return [f.name for f in s.fields]
    if s.type == "union" and s.variants:
        out: list[str] = []
        for variant in s.variants:
            inner = _field_names(variant)
            if inner is None:
                return None
            out += [n for n in inner if n not in out]
        return out
    return None
