"""Format checks shared by the labels (generators) and the proof (importers' validators)."""

from __future__ import annotations

import base64
import binascii
from functools import cache
from typing import Any

__all__ = ["format_ok", "is_base64"]


def is_base64(instance: object) -> bool:
    """OpenAPI's ``format: byte``: base64 text (a value of another type passes, as formats
    do). Text outside ASCII is not base64; openapi-schema-validator's own check encoded it
    before its ``try`` and raised ``UnicodeEncodeError`` out of the validator."""
    if not isinstance(instance, str | bytes):
        return True
    try:
        data = instance.encode("ascii") if isinstance(instance, str) else instance
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):  # (UnicodeEncodeError is a ValueError)
        return False
    return True


@cache
def _checker() -> Any:
    # The format checker of the validator that proves the labels (the latest JSON Schema
    # draft, with the format extras). A bare FormatChecker() holds draft 3's checks where
    # formats differ: its "time" took "11:20:15" (no offset) for a valid time.
    import jsonschema

    return jsonschema.Draft202012Validator.FORMAT_CHECKER


def format_ok(fmt: str, value: str) -> bool:
    """Whether ``value`` is of format ``fmt`` as the labels judge it (``FormatChecker.conforms``,
    minus the ``FormatError`` (and its message) that it builds and catches for every
    non-conforming value: mutated values mostly do not conform, and that exception was a
    quarter of the fault generator's time). A format jsonschema does not check conforms."""
    if fmt == "timestamp":
        fmt = "date-time"
    if fmt == "byte":  # OpenAPI's base64 text (Avro and Protobuf bytes are imported as it)
        return is_base64(value)
    entry = _checker().checkers.get(fmt)
    if entry is None:
        return True
    check, raises = entry
    try:
        return bool(check(value))
    except raises:
        return False
