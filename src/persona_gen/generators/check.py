"""A small validator for single values against the entity model.

It lets effects and mutations label records honestly: a mutation is "expected invalid" only
when the value it produced really breaks a rule of the schema, named as JSON Schema names it.
The full proof against each source format's own validator lives in the test suite.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import cache
from typing import Any

from persona_gen.entities.model import Schema

__all__ = ["violated_rule"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOST = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
_IPV4 = re.compile(r"^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@cache
def _pattern(p: str) -> re.Pattern[str] | None:
    try:
        return re.compile(p)
    except re.error:
        return None


def _format_ok(fmt: str, value: str) -> bool:
    if fmt in ("email", "idn-email"):
        return bool(_EMAIL.match(value))
    if fmt in ("uuid", "guid"):
        return bool(_UUID.match(value))
    if fmt in ("date-time", "timestamp"):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return "T" in value or " " in value
    if fmt == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return len(value) == 10
    if fmt == "time":
        return bool(_TIME.match(value))
    if fmt in ("hostname", "idn-hostname"):
        return bool(_HOST.match(value))
    if fmt == "ipv4":
        return bool(_IPV4.match(value))
    if fmt == "ipv6":
        return value.count(":") >= 2 and all(c in "0123456789abcdefABCDEF:." for c in value)
    if fmt in ("uri", "url", "iri"):
        return bool(_URI.match(value))
    return True


def violated_rule(schema: Schema, value: Any) -> str | None:
    """The JSON Schema keyword ``value`` breaks, or None when it fits ``schema``."""
    if value is None:
        return None if schema.nullable or schema.type in ("null", "any") else "type"
    if schema.has_const and value != schema.const:
        return "const"
    if schema.enum is not None and schema.type != "array" and value not in schema.enum:
        return "enum"
    kind = schema.type
    if kind == "string":
        if not isinstance(value, str):
            return "type"
        if schema.min_length is not None and len(value) < schema.min_length:
            return "minLength"
        if schema.max_length is not None and len(value) > schema.max_length:
            return "maxLength"
        if schema.pattern:
            compiled = _pattern(schema.pattern)
            if compiled is not None and not compiled.search(value):
                return "pattern"
        if schema.format and not _format_ok(schema.format, value):
            return "format"
        return None
    if kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "type"
        if kind == "integer" and not (isinstance(value, int) or float(value).is_integer()):
            return "type"
        if isinstance(value, float) and not math.isfinite(value):
            return "type"
        if schema.minimum is not None and (
            value < schema.minimum or (schema.exclusive_minimum and value == schema.minimum)
        ):
            return "exclusiveMinimum" if schema.exclusive_minimum else "minimum"
        if schema.maximum is not None and (
            value > schema.maximum or (schema.exclusive_maximum and value == schema.maximum)
        ):
            return "exclusiveMaximum" if schema.exclusive_maximum else "maximum"
        if schema.multiple_of:
            q = value / schema.multiple_of
            if abs(q - round(q)) > 1e-9:
                return "multipleOf"
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else "type"
    if kind == "array":
        if not isinstance(value, list):
            return "type"
        if schema.min_items is not None and len(value) < schema.min_items:
            return "minItems"
        if schema.max_items is not None and len(value) > schema.max_items:
            return "maxItems"
        return None
    if kind in ("object", "map"):
        return None if isinstance(value, dict) else "type"
    return None
