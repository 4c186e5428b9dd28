"""Schemas no value can satisfy, each said at its field: bounds that cross, an empty enum, a
``const`` or enum member of the wrong type, a pattern that is not a regular expression or
cannot fit the length limits, a ``multiple_of`` with no multiple in range; entities that only
name themselves, and an entity that needs itself at every level (recursion that is required
everywhere).

Checked when a schema is imported and when a profile's embedded domain is loaded, so such a
schema is one clear message naming the field instead of an error deep in a draw (or data
labelled valid that is not). A message names each rule as the user wrote it: a profile's
keys (``min_length``) by default, an imported schema's with ``spelling=JSON_SCHEMA_KEYS``
(``minLength``).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Hashable, Iterator, Mapping
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np

from persona_gen._formats import format_ok
from persona_gen._moments import schema_broken_bound, schema_window
from persona_gen.entities.model import Domain, Schema
from persona_gen.values.depth import Shape
from persona_gen.values.ecma_regex import compile_ecma, python_pattern
from persona_gen.values.numbers import INT64_MAX, INT64_MIN, numeric_bounds
from persona_gen.values.regex import RegexUnsupported, compile_pattern
from persona_gen.values.safe_search import pattern_search
from persona_gen.values.strings import FORMATS

try:  # Python 3.11+
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse

__all__ = [
    "JSON_SCHEMA_KEYS",
    "MAX_ITEMS_MINIMUM",
    "MAX_LENGTH_MINIMUM",
    "Unsatisfiable",
    "unsatisfiable",
]

#: The largest minimum length of a string (``min_length``, or the shortest match of a
#: ``pattern``) and the largest ``min_items`` of an array that records are made for: values
#: are built 1,024 records at a time, so a longer minimum would take gigabytes per block.
MAX_LENGTH_MINIMUM = 65_536
MAX_ITEMS_MINIMUM = 10_000

_AT = sre_parse.AT
_BEGIN = {sre_parse.AT_BEGINNING, sre_parse.AT_BEGINNING_STRING}
_END = {sre_parse.AT_END, sre_parse.AT_END_STRING}
_MAXWIDTH = sre_parse.MAXREPEAT
# The integers JSON encoders (orjson) can write: int64 and uint64 together.
WRITABLE_INT_MIN, WRITABLE_INT_MAX = -(2**63), 2**64 - 1

Path = tuple[Hashable, ...]
# A rule's name in messages, by its key in the entity format (min_length -> minLength).
Keys = Mapping[str, str]

#: The rules the entity format (a profile's ``domain``) spells otherwise than JSON Schema and
#: OpenAPI, as those spell them: what an imported schema's problems name them by.
JSON_SCHEMA_KEYS: Keys = {
    "min_length": "minLength",
    "max_length": "maxLength",
    "min_items": "minItems",
    "max_items": "maxItems",
    "exclusive_minimum": "exclusiveMinimum",
    "exclusive_maximum": "exclusiveMaximum",
    "multiple_of": "multipleOf",
    "format_minimum": "formatMinimum",
    "format_maximum": "formatMaximum",
    "format_exclusive_minimum": "formatExclusiveMinimum",
    "format_exclusive_maximum": "formatExclusiveMaximum",
}


class Unsatisfiable(NamedTuple):
    entity: str
    where: str  # Entity.field.inner ([] for array items, {} for map values, |k for a variant)
    reason: str
    # The same place as keys of the entity format, inside the entity's schema: the field
    # (``("fields", "id")``), or the rule of it at fault (``("fields", "id", "enum", 2)``);
    # empty for the entity as a whole.
    at: Path = ()


def unsatisfiable(
    domain: Domain, *, recursion: bool = True, spelling: Keys | None = None
) -> list[Unsatisfiable]:
    """Every schema in ``domain`` that no value fits. ``recursion``: also judge whether the
    primary entity's recursion ends (only once every reference names an entity).
    ``spelling``: the names messages give rules, by their key in the entity format (the
    entity format's own keys for those left out, and by default)."""
    keys = {**{k: k for k in JSON_SCHEMA_KEYS}, **(spelling or {})}
    found: list[Unsatisfiable] = []
    for name, entity in domain.entities.items():
        loop = _ref_loop(domain, name)
        if loop:
            reason = f"its $ref chain loops ({' -> '.join(loop)}), so no value fits"
            found.append(Unsatisfiable(name, name, reason))
            continue
        found.extend(
            Unsatisfiable(name, where, why, at)
            for where, at, why in _walk(entity.schema, name, keys)
        )
    primary_fits = not any(u.entity == domain.primary for u in found)
    if recursion and domain.primary in domain.entities and primary_fits:
        # (only the primary: another entity that loops may only be reached optionally, and
        # the synthesizer then leaves it out)
        endless = Shape(domain).required_loop(domain.primary)
        if endless is not None:
            reason = (
                f"schema recursion is required at every level ({endless}), so no finite value fits"
            )
            found.append(Unsatisfiable(domain.primary, domain.primary, reason))
    return found


def parameter_problems(domain: Domain, spelling: Keys | None = None) -> list[tuple[Path, str]]:
    """Every parameter schema of ``domain``'s operations that no value fits (a path
    parameter of ``minimum: 10, maximum: 1``), each ``(("operations", i, kind, name, *rule),
    reason)``, ``kind`` being ``path_params``, ``query_params``, ``header_params`` or
    ``cookie_params``."""
    keys = {**{k: k for k in JSON_SCHEMA_KEYS}, **(spelling or {})}
    found: list[tuple[Path, str]] = []
    for i, op in enumerate(domain.operations):
        for kind, params in (
            ("path_params", op.path_schemas),
            ("query_params", op.query_params),
            ("header_params", op.header_params),
            ("cookie_params", op.cookie_params),
        ):
            for name, schema in params:
                found.extend(
                    (("operations", i, kind, name, *at), reason)
                    for _, at, reason in _walk(schema, name, keys)
                )
    return found


def _ref_loop(domain: Domain, name: str) -> list[str]:
    """The chain of names when ``name`` is a reference whose chain comes back on itself
    without reaching a schema of its own (else empty)."""
    chain = [name]
    schema = domain.entities[name].schema
    while schema.type == "ref" and schema.ref in domain.entities:
        chain.append(schema.ref)
        if schema.ref in chain[:-1]:
            return chain
        schema = domain.entities[schema.ref].schema
    return []


def _walk(schema: Schema, entity: str, keys: Keys) -> list[tuple[str, Path, str]]:
    return [
        (_where(entity, at), (*at, *rule), reason)
        for at, s in schema.located()
        for rule, reason in _rules(s, keys)
    ]


def _where(entity: str, at: Path) -> str:
    """A place as ``Entity.field.inner`` ([] for array items, {} for map values, |k for a
    variant)."""
    out, keys = entity, iter(at)
    for key in keys:
        if key == "fields":
            out += f".{next(keys)}"
        elif key == "variants":
            out += f"|{next(keys)}"
        else:
            out += "[]" if key == "items" else "{}"
    return out


def _rules(s: Schema, keys: Keys) -> Iterator[tuple[Path, str]]:
    """What of ``s`` itself no value meets, each with the rule at fault (none: the field)."""
    crossed = _crossed(s, keys)
    if crossed is not None:
        yield (), crossed
    if s.enum is not None and not s.enum:
        yield ("enum",), "enum is empty, so no value fits (leave it out, or list values)"
    if s.has_const and not _fits_type(s.const, s):
        yield ("const",), f"const {_show(s.const)} is not {_type_name(s)}"
    for i, member in enumerate(s.enum or ()):
        if not _fits_type(member, s):
            yield ("enum", i), f"enum member {_show(member)} is not {_type_name(s)}"
    yield from _wide_int_rules(s)
    if s.pattern is not None and s.type == "string" and not (s.has_const or s.enum):
        yield from _pattern_rules(s)
    yield from _too_large(s, keys)
    yield from _enum_rules(s, keys)
    yield from _format_rules(s, keys)
    yield from _format_pattern_rules(s)
    if s.multiple_of is not None and s.type in ("integer", "number"):
        reason = _no_multiple(s, keys)
        if reason:
            yield ("multiple_of",), reason


def _wide_int_rules(s: Schema) -> Iterator[tuple[Path, str]]:
    """A const or enum member holding an integer no encoder writes (orjson's range): records
    carry such values as given, and writing them failed deep in an encoder."""
    members: list[tuple[Path, Any]] = [(("const",), s.const)] if s.has_const else []
    members += [(("enum", i), m) for i, m in enumerate(s.enum or ())]
    for at, member in members:
        wide = _wide_int(member)
        if wide is not None:
            name = "const" if at == ("const",) else "enum member"
            yield (
                at,
                (
                    f"{name} holds {wide}, outside the integers records can be written with "
                    f"({WRITABLE_INT_MIN} to {WRITABLE_INT_MAX})"
                ),
            )


def _wide_int(value: Any) -> int | None:
    """The first integer in ``value`` (nested too) outside the writable range, if any."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return next((w for w in map(_wide_int, value) if w is not None), None)
    if isinstance(value, int) and not isinstance(value, bool):
        return None if WRITABLE_INT_MIN <= value <= WRITABLE_INT_MAX else value
    return None


def _crossed(s: Schema, keys: Keys) -> str | None:
    if s.has_const or s.enum:  # (the value is given; bounds are checked against it by labels)
        return None
    if s.type in ("integer", "number"):
        low, high = numeric_bounds(s, s.type == "integer")
        kind = "integer" if s.type == "integer" else "number"
        if low == math.inf or high == -math.inf:
            which, side = ("minimum", "above") if low == math.inf else ("maximum", "below")
            return f"no {kind} lies {side} its {_bound(s, which, keys)}"
        # (checked whether or not the other side is bounded: a minimum above int64 with no
        # maximum leaves low <= high, yet every value drawn would be one no encoder writes)
        if s.type == "integer":
            beyond = _beyond_int64(s, keys)
            if beyond is not None:
                return beyond
        if low > high:
            low_bound, high_bound = _bound(s, "minimum", keys), _bound(s, "maximum", keys)
            return f"no {kind} lies between its {low_bound} and {high_bound}"
    if s.type == "string" and s.format_minimum is not None and s.format_maximum is not None:
        first, last = schema_window(s)
        if first is not None and last is not None and first > last:
            earliest, latest = _moment_bound(s, "minimum", keys), _moment_bound(s, "maximum", keys)
            unit = "day" if s.format == "date" else "millisecond"  # (what values are made of)
            return f"no {s.format} lies between its {earliest} and {latest} (to the {unit})"
    if s.type == "string" and _above(s.min_length, s.max_length):
        return f"{keys['min_length']} {s.min_length} is above {keys['max_length']} {s.max_length}"
    if s.type == "array" and _above(s.min_items, s.max_items):
        return f"{keys['min_items']} {s.min_items} is above {keys['max_items']} {s.max_items}"
    return None


def _beyond_int64(s: Schema, keys: Keys) -> str | None:
    """Integer bounds wholly outside int64, the range integers are made in."""
    side = None
    if s.minimum is not None and s.minimum > INT64_MAX:
        side = _bound(s, "minimum", keys) + " is above"
    elif s.maximum is not None and s.maximum < INT64_MIN:
        side = _bound(s, "maximum", keys) + " is below"
    if side is None:
        return None
    return f"its {side} the 64-bit range integers are made in ({INT64_MIN} to {INT64_MAX})"


def _above(low: int | None, high: int | None) -> bool:
    return low is not None and high is not None and low > high


def _bound(s: Schema, which: str, keys: Keys) -> str:
    value = s.minimum if which == "minimum" else s.maximum
    exclusive = s.exclusive_minimum if which == "minimum" else s.exclusive_maximum
    keyword = keys[f"exclusive_{which}"] if exclusive else which
    return f"{keyword} {value:g}" if isinstance(value, float) else f"{keyword} {value}"


def _moment_bound(s: Schema, which: str, keys: Keys) -> str:
    if which == "minimum":
        value, exclusive = s.format_minimum, s.format_exclusive_minimum
    else:
        value, exclusive = s.format_maximum, s.format_exclusive_maximum
    key = f"format_exclusive_{which}" if exclusive else f"format_{which}"
    return f"{keys[key]} {value}"


def _pattern_rules(s: Schema) -> Iterator[tuple[Path, str]]:
    pattern = str(s.pattern)
    try:
        parsed = sre_parse.parse(compile_ecma(pattern).pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        yield ("pattern",), f"pattern {pattern!r} is not a valid regular expression ({exc})"
        return
    if _no_match(parsed):
        yield ("pattern",), f"pattern {pattern!r} matches no string at all"
        return
    low, high = parsed.getwidth()
    if s.max_length is not None and low > s.max_length:
        yield (
            ("max_length",),
            f"pattern {pattern!r} matches only strings of at least {low} characters, "
            f"above the maximum length {s.max_length}",
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
                ("min_length",),
                f"pattern {pattern!r} matches only strings of at most {longest} characters, "
                f"below the minimum length {s.min_length}",
            )
        elif high < s.min_length:
            yield (
                ("min_length",),
                f"pattern {pattern!r} matches only strings of at most {high} characters (one "
                f"more when it ends in a newline), below the minimum length {s.min_length}",
            )


# The lengths of the values of a format, where they are bounded: ``(shortest, longest)``.
_FORMAT_LENGTHS: dict[str, tuple[int, int | None]] = {
    "uuid": (36, 36),
    "date": (10, 10),
    "date-time": (20, None),
    "ipv4": (7, 15),
    "ipv6": (2, 45),
    "email": (3, None),
}


def _format_rules(s: Schema, keys: Keys) -> Iterator[tuple[Path, str]]:
    """A format whose values cannot have a length the bounds allow."""
    if s.type != "string" or s.has_const or s.enum or s.format not in _FORMAT_LENGTHS:
        return
    shortest, longest = _FORMAT_LENGTHS[str(s.format)]
    if s.max_length is not None and s.max_length < shortest:
        yield (
            ("max_length",),
            f"format {s.format} values have at least {shortest} characters, above "
            f"{keys['max_length']} {s.max_length}",
        )
    if s.min_length is not None and longest is not None and s.min_length > longest:
        yield (
            ("min_length",),
            f"format {s.format} values have at most {longest} characters, below "
            f"{keys['min_length']} {s.min_length}",
        )
    width = _anchored_width(s.pattern) if s.pattern is not None else None
    if width is not None and (width[1] < shortest or (longest is not None and width[0] > longest)):
        yield (
            ("pattern",),
            f"pattern {str(s.pattern)!r} matches strings of "
            + (f"{width[0]}" if width[0] == width[1] else f"{width[0]} to {width[1]}")
            + f" characters, and format {s.format} values have "
            + (f"{shortest}" if shortest == longest else f"{shortest} to {longest or 'more'}"),
        )


# Values drawn each way to look for one a format and a pattern both take: enough that a
# pair both take now and then (digits in a date's shape: 1 in 30) is found.
_MEETING_DRAWS = 256


def _format_pattern_rules(s: Schema) -> Iterator[tuple[Path, str]]:
    """A format and a pattern no value meets together (``format: date`` with
    ``^[a-z]+$``): none of the format's values drawn matches the pattern, nor is any of the
    pattern's matches drawn a value of the format. Such a field's values broke one rule
    while labelled valid."""
    if s.type != "string" or not s.pattern or s.has_const or s.enum or s.format not in FORMATS:
        return
    fmt, pattern = str(s.format), str(s.pattern)
    rng = np.random.default_rng(0)  # (the same answer every time)
    drawn = FORMATS[fmt](_MEETING_DRAWS, rng, _REFERENCE_MS)
    if any(pattern_search(pattern, v) is not False for v in drawn):  # (None: cannot tell)
        return
    try:
        matches = compile_pattern(pattern)(_MEETING_DRAWS, rng)
    except RegexUnsupported:
        return  # (nothing to tell either way: generation says what it cannot make)
    if any(format_ok(fmt, v) for v in matches):
        return
    yield (
        ("pattern",),
        f"no value of format {fmt} matches pattern {pattern!r} (none of {_MEETING_DRAWS} "
        f"{fmt} values drawn matches it, nor is any of {_MEETING_DRAWS} strings it matches "
        f"a {fmt})",
    )


# (a fixed moment for drawn date-times: 2025-01-01T00:00:00Z)
_REFERENCE_MS = 1_735_689_600_000


def _anchored_width(pattern: str) -> tuple[int, int] | None:
    """The shortest and longest match of a pattern anchored at both ends (None if not)."""
    try:
        items = list(sre_parse.parse(python_pattern(pattern)))
    except (re.error, RecursionError, OverflowError):
        return None
    if not (
        len(items) >= 2
        and items[0][0] is _AT
        and items[0][1] in _BEGIN
        and items[-1][0] is _AT
        and items[-1][1] in _END
    ):
        return None
    low, high = sre_parse.SubPattern(sre_parse.State(), items).getwidth()
    return low, high


def _no_match(parsed: Any) -> bool:
    """A lookahead for one literal right before another literal (``(?=a)b``): no string
    matches. (Only this cheap, certain case is judged.)"""
    items = list(parsed)
    for (op, av), (next_op, next_av) in pairwise(items):
        if op is sre_parse.ASSERT and av[0] == 1 and next_op is sre_parse.LITERAL:
            inner = list(av[1])
            if inner and inner[0][0] is sre_parse.LITERAL and inner[0][1] != next_av:
                return True
    return False


def _enum_rules(s: Schema, keys: Keys) -> Iterator[tuple[Path, str]]:
    """Enum members (or a const) that break the field's other rules: records labelled valid
    would hold them."""
    members: list[tuple[Path, Any]] = [(("const",), s.const)] if s.has_const else []
    members += [(("enum", i), m) for i, m in enumerate(s.enum or ())]
    for at, member in members:
        broken = _breaks(s, member, keys)
        if broken is not None:
            name = "const" if at == ("const",) else "enum member"
            yield at, f"{name} {_show(member)} {broken}"


def _breaks(s: Schema, value: Any, keys: Keys) -> str | None:
    """How ``value`` (of the field's type) breaks its length, pattern or bounds; None if not."""
    if s.type == "string" and isinstance(value, str):
        if s.min_length is not None and len(value) < s.min_length:
            return f"is shorter than {keys['min_length']} {s.min_length}"
        if s.max_length is not None and len(value) > s.max_length:
            return f"is longer than {keys['max_length']} {s.max_length}"
        if s.pattern is not None and pattern_search(str(s.pattern), value) is False:
            return f"does not match pattern {str(s.pattern)!r}"
        broken = schema_broken_bound(s, value)
        if broken is not None:
            which = "minimum" if broken.endswith("Minimum") else "maximum"
            side = "before" if which == "minimum" else "after"
            return f"is {side} its {_moment_bound(s, which, keys)}"
    if (
        s.type in ("integer", "number")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        if s.minimum is not None and (
            value < s.minimum or (s.exclusive_minimum and value == s.minimum)
        ):
            return f"is below its {_bound(s, 'minimum', keys)}"
        if s.maximum is not None and (
            value > s.maximum or (s.exclusive_maximum and value == s.maximum)
        ):
            return f"is above its {_bound(s, 'maximum', keys)}"
    return None


def _too_large(s: Schema, keys: Keys) -> Iterator[tuple[Path, str]]:
    """Minimum sizes too large to make records of (see ``MAX_LENGTH_MINIMUM``)."""
    if s.has_const or s.enum:
        return
    if s.type == "string" and s.min_length is not None and s.min_length > MAX_LENGTH_MINIMUM:
        yield (
            ("min_length",),
            f"{keys['min_length']} {s.min_length} is above {MAX_LENGTH_MINIMUM:,} characters, "
            "the longest minimum records are made for",
        )
    if s.type == "string" and s.pattern is not None:
        try:
            low = sre_parse.parse(python_pattern(str(s.pattern))).getwidth()[0]
        except (re.error, RecursionError, OverflowError):
            low = 0  # (reported on its own)
        if low > MAX_LENGTH_MINIMUM:
            yield (
                ("pattern",),
                f"pattern {str(s.pattern)[:40]!r} matches only strings of at least {low:,} "
                f"characters, above {MAX_LENGTH_MINIMUM:,}, the longest minimum records are "
                "made for",
            )
    if s.type == "array" and s.min_items is not None and s.min_items > MAX_ITEMS_MINIMUM:
        yield (
            ("min_items",),
            f"{keys['min_items']} {s.min_items} is above {MAX_ITEMS_MINIMUM:,} items, "
            "the largest minimum records are made for",
        )


def _no_multiple(s: Schema, keys: Keys) -> str | None:
    step = s.multiple_of
    if not isinstance(step, int | float) or isinstance(step, bool) or not step > 0:
        return f"{keys['multiple_of']} must be a positive number, got {_show(step)}"
    if step < sys.float_info.min:
        return f"{keys['multiple_of']} {step:g} is too small to draw multiples of"
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
