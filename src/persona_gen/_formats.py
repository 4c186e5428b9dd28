"""Format checks shared by the labels (generators) and the proof (importers' validators)."""

from __future__ import annotations

import base64
import binascii

__all__ = ["is_base64"]


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
