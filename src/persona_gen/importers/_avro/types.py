"""What an Avro type is, read from fastavro's parsed form, and which logical types apply.

fastavro applies a logical type only to the underlying types the Avro specification pairs it
with (``long`` + ``timestamp-millis``...); any other ``logicalType`` is ignored and the value
follows the underlying type. This module decides the same way, so the entity model, the datum
converter and fastavro agree on every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "FIXED_LOGICAL_SIZES",
    "NAMED",
    "PRIMITIVES",
    "RECORDS",
    "decimal_params",
    "is_null",
    "logical",
]

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
RECORDS = frozenset({"record", "error"})
NAMED = RECORDS | {"enum", "fixed"}

# logicalType -> the underlying types it applies to. Those fastavro converts itself, plus
# timestamp-nanos / local-timestamp-nanos / duration / uuid-on-fixed (Avro 1.10-1.12), which
# fastavro writes as their underlying long or fixed and ``to_avro_datum`` encodes.
_BASES: dict[str, tuple[str, ...]] = {
    "decimal": ("bytes", "fixed"),
    "uuid": ("string", "fixed"),
    "date": ("int",),
    "time-millis": ("int",),
    "time-micros": ("long",),
    "timestamp-millis": ("long",),
    "timestamp-micros": ("long",),
    "timestamp-nanos": ("long",),
    "local-timestamp-millis": ("long",),
    "local-timestamp-micros": ("long",),
    "local-timestamp-nanos": ("long",),
    "duration": ("fixed",),
}
FIXED_LOGICAL_SIZES = {"uuid": 16, "duration": 12}


def is_null(schema: Any) -> bool:
    return schema == "null" or (isinstance(schema, Mapping) and schema.get("type") == "null")


def logical(schema: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(the logical type that applies to ``schema`` or None, why a declared one does not)."""
    name = schema.get("logicalType")
    if name is None:
        return None, None
    base = schema["type"]
    if not isinstance(name, str):
        return None, f"logicalType {name!r} is not a name; ignored, values are plain {base}"
    bases = _BASES.get(name)
    if bases is None:
        return None, f"unknown logicalType '{name}' ignored; values are plain {base}"
    if base not in bases:
        return (
            None,
            f"logicalType '{name}' does not apply to {base}; ignored, values are plain {base}",
        )
    size = FIXED_LOGICAL_SIZES.get(name)
    if base == "fixed" and size is not None and schema.get("size") != size:
        return None, (
            f"logicalType '{name}' needs a fixed of size {size}, not {schema.get('size')}; "
            "ignored, values are plain fixed"
        )
    if name == "decimal" and decimal_params(schema) is None:
        return (
            None,
            f"decimal without a positive integer precision is ignored; values are plain {base}",
        )
    return name, None


def decimal_params(schema: Mapping[str, Any]) -> tuple[int, int] | None:
    """(precision, scale) of a decimal, or None when the precision is missing or invalid."""
    precision = schema.get("precision")
    scale = schema.get("scale") or 0
    if not isinstance(precision, int) or isinstance(precision, bool) or precision <= 0:
        return None
    if not isinstance(scale, int) or isinstance(scale, bool) or not 0 <= scale <= precision:
        return None
    return precision, scale
