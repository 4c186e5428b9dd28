"""Format checks shared by the labels (generators) and the proof (importers' validators).

The common formats are checked here as jsonschema's format checker checks them (the same
library call, the same exceptions caught; ``tests/test_formats.py`` holds the two to each
other), so that labelling a mutated record does not import jsonschema: its import and its
checker's took 0.15 to 0.3 s of every ``fault`` run (issue 4). The other formats are asked of
jsonschema itself.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any
from uuid import UUID

__all__ = ["OWN_FORMATS", "format_ok", "is_base64"]


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


# -- jsonschema's checks (jsonschema/_format.py), each with the exceptions it catches --------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _email(value: str) -> bool:
    return "@" in value


def _ipv4(value: str) -> bool:
    return bool(ipaddress.IPv4Address(value))


def _ipv6(value: str) -> bool:
    return not getattr(ipaddress.IPv6Address(value), "scope_id", "")


@cache
def _rfc3339() -> Callable[[str], bool] | None:
    try:
        from rfc3339_validator import validate_rfc3339
    except ImportError:  # pragma: no cover - a dependency; jsonschema then skips the format
        return None
    return validate_rfc3339  # type: ignore[no-any-return]


def _date_time(value: str) -> bool:
    check = _rfc3339()
    return True if check is None else bool(check(value.upper()))


def _time(value: str) -> bool:
    return _date_time("1970-01-01T" + value)


def _date(value: str) -> bool:
    return bool(_DATE.fullmatch(value) and date.fromisoformat(value))


def _uuid(value: str) -> bool:
    UUID(value)
    return all(value[position] == "-" for position in (8, 13, 18, 23))


def _regex(value: str) -> bool:
    return bool(re.compile(value))


def _hostname(value: str) -> bool:
    try:
        from fqdn import FQDN
    except ImportError:  # pragma: no cover - a dependency; jsonschema then skips the format
        return True
    return bool(FQDN(value, min_labels=1).is_valid)


_Raises = type[BaseException] | tuple[type[BaseException], ...]
# format: (check, the exceptions that say "does not conform")
OWN_FORMATS: dict[str, tuple[Callable[[str], bool], _Raises]] = {
    "email": (_email, ()),
    "idn-email": (_email, ()),
    "ipv4": (_ipv4, ipaddress.AddressValueError),
    "ipv6": (_ipv6, ipaddress.AddressValueError),
    "date-time": (_date_time, ()),
    "time": (_time, ()),
    "date": (_date, ValueError),
    "uuid": (_uuid, ValueError),
    "regex": (_regex, re.error),
    "hostname": (_hostname, ValueError),
}


def format_ok(fmt: str, value: str) -> bool:
    """Whether ``value`` is of format ``fmt`` as the labels judge it (``FormatChecker.conforms``,
    minus the ``FormatError`` (and its message) that it builds and catches for every
    non-conforming value: mutated values mostly do not conform, and that exception was a
    quarter of the fault generator's time). A format jsonschema does not check conforms."""
    if fmt == "timestamp":
        fmt = "date-time"
    if fmt == "byte":  # OpenAPI's base64 text (Avro and Protobuf bytes are imported as it)
        return is_base64(value)
    entry = OWN_FORMATS.get(fmt) or _checker().checkers.get(fmt)
    if entry is None:
        return True
    check, raises = entry
    try:
        return bool(check(value))
    except raises:
        return False
