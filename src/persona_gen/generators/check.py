"""A small validator for single values against the entity model.

It lets effects and mutations label records honestly: a mutation is "expected invalid" only
when the value it produced really breaks a rule of the schema, named as JSON Schema names it.
The full proof against each source format's own validator lives in the test suite.
"""

from __future__ import annotations

import base64
import binascii
import math
from fractions import Fraction
from typing import Any

from persona_gen._formats import format_ok
from persona_gen._moments import schema_broken_bound
from persona_gen.entities.model import Schema
from persona_gen.entities.protobuf_json import FIELD_MASK_PATTERN
from persona_gen.values.safe_search import pattern_search

__all__ = ["decimal_rule", "is_multiple", "protobuf_takes", "violated_rule"]


def violated_rule(schema: Schema, value: Any) -> str | None:
    """The JSON Schema keyword ``value`` breaks, or None when it fits ``schema``."""
    if value is None:
        if schema.nullable:
            return None
        if schema.type not in ("null", "any"):
            return "type"
        # A value of any type (``enum: [1, "a"]`` without ``type``) is still held to its
        # listed values: null is not among them unless listed.
        if schema.has_const and not schema.const_unchecked and schema.const is not None:
            return "const"
        if schema.enum is not None and None not in schema.enum:
            return "enum"
        return None
    kind = schema.type
    # A value of the wrong type is named so before its listed values are looked at: a number
    # in a string enum breaks "type" first (a validator names both).
    if _wrong_type(kind, value):
        return "type"
    if schema.has_const and not schema.const_unchecked and value != schema.const:
        return "const"
    if schema.enum is not None and value not in schema.enum:
        return "enum"
    if kind == "string":
        if schema.min_length is not None and len(value) < schema.min_length:
            return "minLength"
        if schema.max_length is not None and len(value) > schema.max_length:
            return "maxLength"
        if schema.pattern and pattern_search(schema.pattern, value) is False:
            return "pattern"
        if schema.format and not format_ok(schema.format, value):
            return "format"
        return schema_broken_bound(schema, value)
    if kind in ("integer", "number"):
        if schema.minimum is not None and (
            value < schema.minimum or (schema.exclusive_minimum and value == schema.minimum)
        ):
            return "exclusiveMinimum" if schema.exclusive_minimum else "minimum"
        if schema.maximum is not None and (
            value > schema.maximum or (schema.exclusive_maximum and value == schema.maximum)
        ):
            return "exclusiveMaximum" if schema.exclusive_maximum else "maximum"
        if schema.multiple_of and not is_multiple(value, schema.multiple_of):
            return "multipleOf"
        return decimal_rule(schema, value)
    if kind == "array":
        if schema.min_items is not None and len(value) < schema.min_items:
            return "minItems"
        if schema.max_items is not None and len(value) > schema.max_items:
            return "maxItems"
        return None
    if kind == "union" and schema.variants:
        # A value no option takes breaks the union: of none of their types (``type:
        # [number, boolean]``, an old client's "Y"), "type"; else named by the first rule
        # an option of its type breaks (``type: [integer, string], maximum: 10`` and 11:
        # "maximum", the keyword a validator names for a list of types, and among those it
        # gives under a oneOf/anyOf's error). An option this cannot judge (a reference,
        # whose entity is not here) takes any value.
        rules = [violated_rule(option, value) for option in schema.variants]
        if any(rule is None for rule in rules):
            return None
        return next((rule for rule in rules if rule != "type"), "type")
    return None


def _wrong_type(kind: str, value: Any) -> bool:
    """Whether a value (not null) is not of ``kind``; "any", references and unions take
    every type here."""
    if kind == "string":
        return not isinstance(value, str)
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True
        if isinstance(value, float) and not math.isfinite(value):
            return True
        return kind == "integer" and not (isinstance(value, int) or float(value).is_integer())
    if kind == "boolean":
        return not isinstance(value, bool)
    if kind == "array":
        return not isinstance(value, list)
    if kind in ("object", "map"):
        return not isinstance(value, dict)
    return kind == "null"  # (null itself is taken before)


def is_multiple(value: float, step: float) -> bool:
    """The multipleOf test exactly as jsonschema performs it (float division for float
    steps, with an exact fallback when the quotient overflows)."""
    if isinstance(step, float):
        quotient = value / step
        try:
            return int(quotient) == quotient
        except OverflowError:
            return (Fraction(value) / Fraction(step)).denominator == 1
    return not value % step


def decimal_rule(schema: Schema, value: float) -> str | None:
    """SQL DECIMAL / Avro decimal limits: digits after the point, and in all."""
    if schema.scale is None and schema.precision is None:
        return None
    text = format(value, "f") if isinstance(value, float) else str(value)
    whole, _, fraction = text.lstrip("-").partition(".")
    fraction = fraction.rstrip("0")
    if schema.scale is not None and len(fraction) > schema.scale:
        return "scale"
    digits = len(whole.lstrip("0")) + (schema.scale or 0)
    if schema.precision is not None and digits > schema.precision:
        return "precision"
    return None


def protobuf_takes(schema: Schema, value: Any) -> bool:
    """Whether protobuf's JSON parser (``json_format.ParseDict``) takes ``value`` for a field
    of ``schema`` that ``violated_rule`` finds broken: a number written as text (its JSON
    mapping reads ``"21"`` into an integer field, ``"2.5"``, ``"NaN"`` or ``"Infinity"`` into
    a float one), and base64 read leniently (the text padded with ``=`` and every character
    outside the alphabet dropped: only text whose length left is one more than a multiple of
    4 fails)."""
    if not isinstance(value, str):
        return False
    if schema.type == "integer":
        if " " in value:  # (the parser refuses spaces before int() would strip them)
            return False
        try:
            number: float = int(value)
        except ValueError:
            return False
        return violated_rule(schema, number) is None
    if schema.type == "number":
        special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        try:
            number = special[value] if value in special else float(value)
        except ValueError:
            return False
        return not math.isfinite(number) or violated_rule(schema, number) is None
    if schema.pattern == FIELD_MASK_PATTERN:  # (each path read as camelCase: no "_")
        return "_" not in value
    if schema.format == "byte":
        encoded = value.encode("utf-8", "surrogatepass")
        try:
            base64.urlsafe_b64decode(encoded + b"=" * (4 - len(encoded) % 4))
        except (binascii.Error, ValueError):
            return False
        return True
    return False
