"""Mutation kinds for negative data: each damages one field of a payload and says how.

Every mutation returns the rule it breaks (a JSON Schema keyword) or None when the value it
produced still fits the schema, measured with ``check.violated_rule`` rather than assumed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from persona_gen._moments import DAY_MS, schema_window
from persona_gen.entities.model import Domain, Schema
from persona_gen.entities.protobuf_json import FIELD_MASK_PATTERN
from persona_gen.generators.check import decimal_rule, is_multiple, protobuf_takes, violated_rule
from persona_gen.generators.paths import MISSING, Leaf, delete_path, get_path, leaves, set_path
from persona_gen.values.numbers import numeric_bounds
from persona_gen.values.strings import moment_texts

__all__ = [
    "INT_FORMATS",
    "MUTATIONS",
    "Mutation",
    "Outcome",
    "applicable",
    "as_source_reads",
    "below",
    "integer_past",
    "leaf_rule",
    "mutable_leaves",
    "null_rule",
]


def below(rng: np.random.Generator, k: int) -> int:
    """A uniform integer in ``[0, k)``. Mutations draw one per record: ``rng.integers`` costs
    about 1.5 µs a call for its argument checks, ``rng.random`` a third of that (and
    ``random() * k`` stays below ``k``: the largest draw is 1 - 2**-53)."""
    return int(rng.random() * k)


INJECTIONS = (
    "' OR '1'='1' --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "../../../../etc/passwd",
    "${jndi:ldap://127.0.0.1/a}",
    "; DROP TABLE users; --",
    '"><img src=x onerror=alert(1)>',
    "%00%0d%0aSet-Cookie:x=1",
)
BAD_FORMATS = {
    "email": "not-an-email",
    "uuid": "1234-not-a-uuid",
    "date-time": "2024-13-45T25:61:00",
    "date": "31/02/2024",
    "time": "25:99",
    "uri": "ht!tp//bad uri",
    "hostname": "-bad_host-.",
    "ipv4": "999.300.1",
    "ipv6": "gggg::zz",
    # Not base64 ("\\" is outside its alphabet), and refused by PostgreSQL's bytea input
    # too, which reads text that begins with "\\x" as hex digits (an odd number of them
    # here) and any other text as escaped bytes: "!!# " was stored as those four bytes.
    "byte": "\\x1",
}


class Outcome(NamedTuple):
    """What a mutation did: the path it changed and the rule broken (None = still valid).

    (A named tuple: made once per mutated record, it builds in half the time of a frozen
    dataclass.)"""

    mutation: str
    field_path: str
    rule: str | None
    note: str = ""

    @property
    def expected_valid(self) -> bool:
        return self.rule is None


Apply = Callable[[dict[str, Any], Leaf, np.random.Generator], Outcome | None]


@dataclass(frozen=True, slots=True)
class Mutation:
    name: str
    summary: str
    applies: Callable[[Leaf], bool]
    apply: Apply


_JSON_INT_RANGE = (-(2**63), 2**64 - 1)  # what JSON encoders (orjson) can write as integers
# The range an integer ``format`` names: OpenAPI's validators check it ("format"); plain JSON
# Schema validators do not know these formats at all.
INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _checked(name: str, payload: dict[str, Any], leaf: Leaf, value: Any, note: str = "") -> Outcome:
    set_path(payload, leaf.path, value)
    return Outcome(name, leaf.dotted, leaf_rule(leaf, value), note)


def leaf_rule(leaf: Leaf, value: Any) -> str | None:
    """The rule ``value`` breaks in ``leaf``'s field, as the source reads it."""
    return as_source_reads(leaf, violated_rule(leaf.schema, value), value)


def as_source_reads(leaf: Leaf, rule: str | None, value: Any) -> str | None:
    """``rule``, the one ``value`` breaks by ``leaf``'s schema, as the source reads it: a
    field of a protobuf message (whose null reads as absent) takes numbers written as text
    and lenient base64 (``check.protobuf_takes``)."""
    # (only the rules the JSON mapping reads past: a number's text, base64's alphabet)
    if rule in _LENIENT and leaf.null_as_absent and protobuf_takes(leaf.schema, value):
        return None
    return rule


_LENIENT = frozenset({"type", "format", "pattern"})


def _protobuf_bytes(leaf: Leaf) -> bool:
    """A bytes field of a protobuf message (whose null reads as absent), read as base64."""
    return leaf.null_as_absent and leaf.schema.format == "byte"


def _is_scalar(leaf: Leaf) -> bool:
    return leaf.schema.type in ("string", "integer", "number", "boolean")


def _is_free_string(leaf: Leaf) -> bool:
    s = leaf.schema
    return s.type == "string" and s.enum is None and not s.has_const


def _type_mismatch(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome:
    current = get_path(p, leaf.path)
    kind = leaf.schema.type
    if kind == "string":
        value: Any = below(rng, 100_000)
        if leaf.schema.enum:  # (Protobuf's JSON takes an enum's number for its name)
            value = [current if current is not MISSING else str(value)]
    elif kind in ("integer", "number"):
        value = f"{current}" if current is not MISSING else "forty-two"
        # (a protobuf message, whose null reads as absent, takes "NaN" into a float field:
        # its JSON mapping spells the special values so)
        word = rng.random() < 0.5 or (leaf.null_as_absent and kind == "number")
        value = value + "abc" if word else "NaN"
    elif kind == "boolean":
        value = "yes"
    elif kind == "array":
        value = {"item": current}
    else:
        value = "[object Object]"
    return _checked("type_mismatch", p, leaf, value)


def _missing_required(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome | None:
    if not delete_path(p, leaf.path):
        return None
    if leaf.defaulted:  # (read as its default: never chosen, see _removable)
        return Outcome("missing_required", leaf.dotted, None)
    if leaf.counted:  # (required only towards minProperties: broken when fewer are left)
        left = _properties_at(p, leaf.path[:-1])
        rule = "minProperties" if left < (leaf.parent_min or 0) else None
        return Outcome("missing_required", leaf.dotted, rule)
    return Outcome("missing_required", leaf.dotted, "required")


def _properties_at(p: dict[str, Any], path: tuple[str | int, ...]) -> int:
    """How many properties the object at ``path`` holds."""
    parent = get_path(p, path) if path else p
    return len(parent) if isinstance(parent, dict) else 0


def _removable(leaf: Leaf) -> bool:
    """A field whose absence breaks a rule: one the source requires, or one required only
    towards its object's minProperties (where that count is known). Not a ``defaulted``
    one, which the source reads as its default when left out."""
    return leaf.required or (leaf.counted and leaf.parent_min is not None)


def null_rule(leaf: Leaf) -> str | None:
    """The rule null at ``leaf`` breaks. Where its object reads null as the field left out
    (a protobuf message: ``ParseDict`` clears the field), what leaving it out breaks:
    ``required`` for a field the source requires, nothing for an optional or ``defaulted``
    one; elsewhere what the schema says of null."""
    if leaf.null_as_absent and not leaf.schema.nullable:
        return "required" if leaf.required else None
    return violated_rule(leaf.schema, None)


def _null_breaks(leaf: Leaf) -> bool:
    """A field where null breaks a rule: not one whose schema takes null, nor one whose
    object reads null as the field left out where its absence breaks nothing."""
    return not leaf.schema.nullable and (not leaf.null_as_absent or leaf.required)


def _null(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome:
    set_path(p, leaf.path, None)
    return Outcome("null_injection", leaf.dotted, null_rule(leaf))


@lru_cache(maxsize=64)
def _filler(char: str, size: int) -> str:
    """One shared string per length: an overflow of 65,536 characters in 7% of a block's
    records would otherwise be ~5 MB of fresh copies per block, and the allocator's churn on
    them made peak memory grow with the record count."""
    return char * size


def _constant_rule(schema: Schema, value: str) -> str | None:
    """The rule a value that depends only on the field breaks (an overflow filler, a bad
    format): the same for every record, so checked once per field. Matching 64 KiB against
    a pattern or a format (uuid, date-time) for every overflowed record was a sixth of the
    fault generator's time."""
    try:
        return _constant_rules(schema, value)
    except TypeError:  # an unhashable const or enum value: check this one directly
        return violated_rule(schema, value)


@lru_cache(maxsize=256)
def _constant_rules(schema: Schema, value: str) -> str | None:
    return violated_rule(schema, value)


def integer_past(s: Schema, above: bool) -> int | None:
    """The integer just past an integer schema's upper (or lower) bound, or None when it has
    no bound on that side or the integer beyond it cannot be written as a JSON integer
    (a float such as -1.38e19 in an integer field is another mistake: a wrong type)."""
    bound = s.maximum if above else s.minimum
    if s.precision is not None:  # digits: a bound of its own
        digits = 10 ** (s.precision - (s.scale or 0)) - 1
        bound = digits if bound is None else (min(bound, digits) if above else max(bound, -digits))
    if bound is None or (isinstance(bound, float) and not math.isfinite(bound)):
        return None
    exclusive = s.exclusive_maximum if above else s.exclusive_minimum
    if above:
        last = math.ceil(bound) - 1 if exclusive else math.floor(bound)
    else:
        last = math.floor(bound) + 1 if exclusive else math.ceil(bound)
    value = last + 1 if above else last - 1
    return value if _JSON_INT_RANGE[0] <= value <= _JSON_INT_RANGE[1] else None


def _integer_rule(s: Schema, value: int) -> str | None:
    """The rule an out-of-range integer breaks: its ``format`` when it leaves the format's
    range (what OpenAPI's validator says: ``2**63 is not a 'int64'``), else the bound."""
    limits = INT_FORMATS.get(s.format or "")
    if limits is not None and not limits[0] <= value <= limits[1]:
        return "format"
    return violated_rule(s, value)


def _overflow(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome | None:
    s = leaf.schema
    later = moment_past(s, above=True)
    if later is not None:
        return _checked("overflow", p, leaf, later, "after maximum")
    if s.type == "string":
        size = (s.max_length + 1) if s.max_length is not None else 65_536
        filler = _filler("A", size)
        set_path(p, leaf.path, filler)
        rule = as_source_reads(leaf, _constant_rule(s, filler), filler)
        return Outcome("overflow", leaf.dotted, rule, f"length {size}")
    if s.type == "integer":
        return _integer_beyond("overflow", p, leaf, above=True)
    _, high = numeric_bounds(s, False)
    if not math.isfinite(high):
        return None
    return _checked("overflow", p, leaf, _number_past(s, high, above=True), "above maximum")


def _underflow(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome | None:
    s = leaf.schema
    earlier = moment_past(s, above=False)
    if earlier is not None:
        return _checked("underflow", p, leaf, earlier, "before minimum")
    if s.type == "string":
        size = max(0, (s.min_length or 1) - 1)
        return _checked("underflow", p, leaf, "a" * size, f"length {size}")
    if s.type == "integer":
        return _integer_beyond("underflow", p, leaf, above=False)
    low, _ = numeric_bounds(s, False)
    if not math.isfinite(low):
        return None
    return _checked("underflow", p, leaf, _number_past(s, low, above=False), "below minimum")


def moment_past(s: Schema, *, above: bool) -> str | None:
    """The date (or date-time, a millisecond) just after a bounded date's last value (or
    before its first); None when it has no bound on that side."""
    if s.type != "string" or s.enum is not None or s.has_const:
        return None
    fmt = str(s.format)
    first, last = schema_window(s)
    edge = last if above else first
    if edge is None:
        return None
    step = DAY_MS if fmt == "date" else 1
    return moment_texts(fmt, np.array([edge + step if above else edge - step]))[0]


def _number_past(s: Schema, edge: float, *, above: bool) -> float:
    """A number past ``edge``, the last value the bound allows: with a ``multipleOf``, the
    nearest multiples past it come first, so the record breaks its bound alone (an
    underflow of ``exclusiveMinimum: 0, multipleOf: 0.5`` was -0.9999995, which breaks
    ``multipleOf`` too; it is now 0)."""
    far = edge + abs(edge) * 0.5 + 1 if above else edge - abs(edge) * 0.5 - 1
    step = s.multiple_of
    if not step:
        return far
    m = float(step)
    start = math.floor(edge / m) if above else math.ceil(edge / m)
    ks = [start + j + 1 if above else start - j - 1 for j in range(3)]
    exact = Fraction(str(step))  # (-3.4 before the double -33 * 0.1 = -3.3000000000000003)
    for value in [float(k * exact) for k in ks] + [k * m for k in ks]:
        if not math.isfinite(value) or not is_multiple(value, step):
            continue
        if (value > edge if above else value < edge) and decimal_rule(s, value) is None:
            return value
    return far


def _integer_beyond(mutation: str, p: dict[str, Any], leaf: Leaf, *, above: bool) -> Outcome | None:
    """The integer just past the leaf's bound (above its maximum or below its minimum)."""
    s = leaf.schema
    past = integer_past(s, above=above)
    if past is None:
        return None
    past = _integer_multiple(s, past, above=above)
    set_path(p, leaf.path, past)
    rule = _integer_rule(s, past)
    bound = "above maximum" if above else "below minimum"
    return Outcome(mutation, leaf.dotted, rule, _beyond(s, rule, bound))


def _integer_multiple(s: Schema, past: int, *, above: bool) -> int:
    """``past``, or the first multiple of a whole ``multipleOf`` beyond it, so the record
    breaks its bound alone (101 above a maximum of 100 broke ``multipleOf: 5`` too)."""
    step = s.multiple_of
    if not step or step != int(step) or is_multiple(past, step):
        return past
    m = int(step)
    value = -(-past // m) * m if above else (past // m) * m
    inside = _JSON_INT_RANGE[0] <= value <= _JSON_INT_RANGE[1]
    return value if inside and is_multiple(value, step) else past


def _beyond(s: Schema, rule: str | None, bound: str) -> str:
    return f"beyond {s.format}" if rule == "format" else bound


def _overflows(leaf: Leaf) -> bool:
    s = leaf.schema
    if s.type == "string":
        return s.enum is None and not s.has_const
    if s.enum is not None or s.type not in ("integer", "number"):
        return False
    if s.type == "integer":
        return integer_past(s, above=True) is not None
    return math.isfinite(numeric_bounds(s, False)[1])  # (no maximum: nothing to go above)


def _underflows(leaf: Leaf) -> bool:
    s = leaf.schema
    if s.type == "string":
        free = s.enum is None and not s.has_const
        return free and ((s.min_length or 0) > 0 or s.format_minimum is not None)
    if s.enum is not None or s.type not in ("integer", "number"):
        return False
    if s.type == "integer":
        return integer_past(s, above=False) is not None
    return math.isfinite(numeric_bounds(s, False)[0])


def _invalid_enum(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome:
    options = [str(v) for v in leaf.schema.enum or ()]
    value = (options[0].upper() + "_LEGACY") if options else "UNKNOWN_VALUE"
    while value in options:
        value += "_X"
    return _checked("invalid_enum", p, leaf, value)


def _format_violation(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome:
    s = leaf.schema
    value = BAD_FORMATS.get(s.format or "", "!!" + "#" * max(1, s.min_length or 1) + " ")
    if _protobuf_bytes(leaf):
        value = "A"  # (the one kind of base64 it refuses: one character too many for whole bytes)
    elif leaf.null_as_absent and s.pattern == FIELD_MASK_PATTERN:
        value = "not_a_path"  # (a field mask's paths are camelCase: it refuses a "_")
    if s.max_length is not None:
        value = value[: s.max_length]
    set_path(p, leaf.path, value)
    rule = as_source_reads(leaf, _constant_rule(s, value), value)
    return Outcome("format_violation", leaf.dotted, rule)


def _truncation(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome | None:
    current = get_path(p, leaf.path)
    if not isinstance(current, str) or len(current) < 2:
        return None
    cut = 1 + below(rng, len(current) - 1)
    return _checked("truncation", p, leaf, current[:cut], f"cut at {cut} of {len(current)}")


def _encoding_corruption(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome | None:
    current = get_path(p, leaf.path)
    if not isinstance(current, str):
        return None
    style = below(rng, 3)
    if style == 0:  # UTF-8 read as Latin-1 (mojibake)
        value = (current + " café").encode("utf-8").decode("latin-1")
    elif style == 1:
        value = current[: len(current) // 2] + "\ufffd\ufffd" + current[len(current) // 2 :]
    else:
        value = current + "\x00"
    if leaf.schema.max_length is not None and len(value) > leaf.schema.max_length:
        value = value[-leaf.schema.max_length :]
    return _checked(
        "encoding_corruption", p, leaf, value, ("mojibake", "replacement", "null_byte")[style]
    )


def _extra_field(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome | None:
    parent_path = leaf.path[:-1]
    parent = get_path(p, parent_path) if parent_path else p
    if not isinstance(parent, dict):
        return None
    parent["_unexpected_field"] = "surprise"
    dotted = ".".join(str(x) for x in (*parent_path, "_unexpected_field"))
    if leaf.parent_closed:
        return Outcome("extra_field", dotted, "additionalProperties")
    too_many = leaf.parent_max is not None and len(parent) > leaf.parent_max
    return Outcome("extra_field", dotted, "maxProperties" if too_many else None)


def _injection(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome:
    value = INJECTIONS[below(rng, len(INJECTIONS))]
    if leaf.schema.max_length is not None:
        value = value[: leaf.schema.max_length]
    return _checked("injection", p, leaf, value)


def _empty(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome:
    return _checked("empty_value", p, leaf, [] if leaf.schema.type == "array" else "")


def _whitespace(p: dict[str, Any], leaf: Leaf, rng: np.random.Generator) -> Outcome | None:
    current = get_path(p, leaf.path)
    if not isinstance(current, str):
        return None
    return _checked("whitespace_padding", p, leaf, f"  {current}\t ")


MUTATIONS: dict[str, Mutation] = {
    m.name: m
    for m in (
        Mutation(
            "type_mismatch",
            "A value of the wrong JSON type.",
            lambda leaf: leaf.schema.type not in ("any", "null", "union"),
            _type_mismatch,
        ),
        Mutation(
            "missing_required",
            "A required field left out.",
            _removable,
            _missing_required,
        ),
        Mutation(
            "null_injection",
            "null where a value is expected.",
            _null_breaks,
            _null,
        ),
        Mutation("overflow", "Above the maximum, or longer than maxLength.", _overflows, _overflow),
        Mutation(
            "underflow", "Below the minimum, or shorter than minLength.", _underflows, _underflow
        ),
        Mutation(
            "invalid_enum",
            "A value outside the enumeration.",
            lambda leaf: leaf.schema.enum is not None,
            _invalid_enum,
        ),
        Mutation(
            "format_violation",
            "A string that breaks its format or pattern.",
            lambda leaf: (
                leaf.schema.type == "string" and bool(leaf.schema.format or leaf.schema.pattern)
            ),
            _format_violation,
        ),
        Mutation("truncation", "A string cut short.", _is_free_string, _truncation),
        Mutation(
            "encoding_corruption",
            "Mojibake, replacement characters or a NUL byte.",
            _is_free_string,
            _encoding_corruption,
        ),
        Mutation(
            "extra_field",
            "A property the schema does not declare.",
            lambda leaf: True,
            _extra_field,
        ),
        Mutation(
            "injection",
            "SQL, script, template or path injection text.",
            _is_free_string,
            _injection,
        ),
        Mutation(
            "empty_value",
            "An empty string or array.",
            lambda leaf: leaf.schema.type in ("string", "array") and leaf.schema.enum is None,
            _empty,
        ),
        Mutation(
            "whitespace_padding", "Leading and trailing whitespace.", _is_free_string, _whitespace
        ),
    )
}


def mutable_leaves(domain: Domain, schema: Schema) -> tuple[Leaf, ...]:
    """``leaves(domain, schema)``, each with the schema its mutated values are measured
    against, as the source's own validator measures them:

    * a field holding a reference keeps its own nullability: ``leaves`` gives the referenced
      entity's schema, so Avro's ``["null", Meta]`` field looked non-nullable and a null
      there was labelled invalid although the schema accepts it;
    * an integer's ``int32``/``int64`` bounds, which a JSON Schema import adds to keep
      generated values storable, are dropped for JSON Schema sources: JSON Schema validators
      do not check those formats, so a value past them breaks nothing (OpenAPI's do).
    """
    found = leaves(domain, schema)
    out = []
    for leaf in found:
        s = leaf.schema
        declared = _declared(domain, schema, leaf.path)
        if declared is not None and declared.nullable and not s.nullable:
            s = replace(s, nullable=True)
        if domain.source == "jsonschema" and s.type == "integer" and s.format in INT_FORMATS:
            low, high = INT_FORMATS[s.format]
            s = replace(
                s,
                minimum=None if s.minimum == low else s.minimum,
                maximum=None if s.maximum == high else s.maximum,
            )
        out.append(leaf if s is leaf.schema else replace(leaf, schema=s))
    return tuple(out)


def _declared(domain: Domain, schema: Schema, path: tuple[str | int, ...]) -> Schema | None:
    """The schema a field at ``path`` is declared with (a reference not followed)."""
    declared: Schema | None = None
    current = schema
    for name in path:
        seen = 0
        while current.type == "ref" and current.ref in domain.entities and seen < 16:
            current = domain.entities[current.ref].schema
            seen += 1
        f = current.field(str(name))
        if f is None:
            return None
        declared = current = f.schema
    return declared


def applicable(name: str, leaves: tuple[Leaf, ...]) -> list[Leaf]:
    mutation = MUTATIONS[name]
    return [leaf for leaf in leaves if mutation.applies(leaf)]
