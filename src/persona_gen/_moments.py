"""Dates and date-times as points on one line, for the bounds a schema puts on them.

A ``date`` or ``date-time`` field may be bounded (``format_minimum: '2024-01-01'``): SQL
``CHECK (placed >= '2024-01-01')`` and JSON Schema's ``formatMinimum`` (ajv-formats) say so.
Bounds and values are compared as instants, in microseconds since the epoch: a date is its
midnight in UTC, and a date-time without an offset (SQL's ``'2024-06-01 00:00:00'``, a
``TIMESTAMP`` column's text) is read as UTC, as persona-gen writes every date-time.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from persona_gen.entities.model import Schema

__all__ = [
    "BOUNDED_FORMATS",
    "DAY_MS",
    "bound_problem",
    "broken_bound",
    "instant_us",
    "schema_broken_bound",
    "schema_window",
    "text_of",
    "tightened",
    "utc_text",
    "window_ms",
    "without_offset",
    "written_text",
]

BOUNDED_FORMATS = ("date", "date-time")
DAY_MS = 86_400_000
_DAY_US = DAY_MS * 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII,
)


def instant_us(text: str, fmt: str) -> int | None:
    """Microseconds since the epoch of ``text`` read in format ``fmt`` (``date``: its
    midnight in UTC; ``date-time``: RFC 3339, or SQL's ``2024-06-01 00:00:00``, or a plain
    date, its midnight; without an offset, UTC); None when it is neither. Digits of a
    second beyond the sixth are dropped, and a leap second is read as the end of its
    minute's 59th second."""
    if not isinstance(text, str):
        return None
    if fmt == "date":
        m = _DATE.fullmatch(text)
        return None if m is None else _at(m.group(1), m.group(2), m.group(3))
    if fmt != "date-time":
        return None
    m = _DATE_TIME.fullmatch(text.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    midnight = _at(year, month, day)
    if midnight is None:
        return None
    if hour is None:
        return midnight
    h, mi, sec = int(hour), int(minute), int(second or 0)
    if h > 23 or mi > 59 or sec > 60:
        return None
    micros = int((fraction or "")[:6].ljust(6, "0"))
    if sec == 60:  # (a leap second: the instant just before the next minute)
        sec, micros = 59, 999_999
    shift = 0
    if offset and offset not in "Zz":
        digits = offset[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:] or 0)
        if oh > 23 or om > 59:
            return None
        shift = (oh * 60 + om) * 60 * (1 if offset[0] == "+" else -1)
    seconds = h * 3600 + mi * 60 + sec - shift
    return midnight + seconds * 1_000_000 + micros


def _at(year: str, month: str, day: str) -> int | None:
    try:
        moment = datetime(int(year), int(month), int(day), tzinfo=UTC)
    except ValueError:
        return None
    return (moment - _EPOCH) // timedelta(microseconds=1)


def without_offset(text: str) -> str:
    """A date-time's text without its offset, as a ``TIMESTAMP`` (without time zone) column
    reads it: PostgreSQL and MySQL drop the offset of such a literal, keeping its wall time."""
    m = _DATE_TIME.fullmatch(text.strip())
    if m is None or m.group(8) is None:
        return text
    return text.strip()[: m.start(8)].rstrip()


def utc_text(text: str, fmt: str, *, sep: str = "T", zone: str = "Z") -> str:
    """``text`` (a date or date-time ``instant_us`` reads) written as its instant in UTC:
    a date as it is, a date-time as ``2024-06-01T08:00:00.5Z`` (``sep`` between date and
    time, ``zone`` after it; trailing zeros of the second's fraction left out, so one
    instant has one text and texts sort as their instants do)."""
    us = instant_us(text, fmt)
    if us is None or fmt == "date":
        return text
    return text_of(us, sep=sep, zone=zone)


def text_of(us: int, *, sep: str = "T", zone: str = "Z") -> str:
    """The date-time text of an instant (microseconds since the epoch), as ``utc_text``."""
    moment = _EPOCH + timedelta(microseconds=us)
    out = moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S")
    if moment.microsecond:
        out += f".{moment.microsecond:06d}".rstrip("0")
    return out + zone


def written_text(text: str, *, naive: bool = False) -> str:
    """A date-time's text as persona-gen writes one (``2024-06-01T08:00:00.000Z``: its
    instant in UTC, to the millisecond), so that texts compare as their instants do;
    ``naive``: its offset dropped first (a ``TIMESTAMP`` column's wall time). Text that is
    no date-time is returned as it is."""
    us = instant_us(without_offset(text) if naive else text, "date-time")
    if us is None:
        return text
    moment = _EPOCH + timedelta(microseconds=us)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def bound_problem(fmt: str | None, text: object) -> str | None:
    """Why ``text`` cannot bound values of format ``fmt`` (None: it can)."""
    if fmt not in BOUNDED_FORMATS:
        return (
            f"bounds values of format {' or '.join(BOUNDED_FORMATS)} only (this schema's format "
            f"is {fmt or 'not given'})"
        )
    if not isinstance(text, str) or instant_us(text, fmt) is None:
        example = "2024-01-01" if fmt == "date" else "2024-01-01T00:00:00Z"
        return f"{text!r} is not a {fmt} (write it as {example})"
    return None


def broken_bound(
    value: str,
    fmt: str,
    low: str | None,
    low_exclusive: bool,
    high: str | None,
    high_exclusive: bool,
) -> str | None:
    """The keyword (formatMinimum, formatExclusiveMaximum...) a ``value`` of format ``fmt``
    breaks; None when it keeps within the bounds, or is not of the format (a rule of its
    own) or a bound is not."""
    at = instant_us(value, fmt)
    if at is None:
        return None
    if low is not None:
        floor = _bound_us(low, fmt)
        if floor is not None and (at < floor or (low_exclusive and at == floor)):
            return "formatExclusiveMinimum" if low_exclusive else "formatMinimum"
    if high is not None:
        ceiling = _bound_us(high, fmt)
        if ceiling is not None and (at > ceiling or (high_exclusive and at == ceiling)):
            return "formatExclusiveMaximum" if high_exclusive else "formatMaximum"
    return None


# A schema's few bounds are read once, not again for every value judged against them.
_bound_us = lru_cache(maxsize=256)(instant_us)


def window_ms(
    fmt: str,
    low: str | None,
    low_exclusive: bool,
    high: str | None,
    high_exclusive: bool,
) -> tuple[int | None, int | None]:
    """The first and last instants, in whole milliseconds (dates: whole days, at midnight)
    that values of format ``fmt`` may take within the bounds (None: that side is open).
    Generated date-times are written to the millisecond, so an exclusive bound moves by
    one millisecond, and a date's by one day."""
    step_us = _DAY_US if fmt == "date" else 1000
    first = last = None
    if low is not None and (us := instant_us(low, fmt)) is not None:
        steps = -(-us // step_us)  # (the first whole step at or after the bound)
        if low_exclusive and steps * step_us == us:
            steps += 1
        first = steps * step_us // 1000
    if high is not None and (us := instant_us(high, fmt)) is not None:
        steps = us // step_us
        if high_exclusive and steps * step_us == us:
            steps -= 1
        last = steps * step_us // 1000
    return first, last


def tightened(schema: Schema, bound: str, *, above: bool, exclusive: bool) -> Schema:
    """``schema`` with its values kept ``above`` (else below) the date ``bound`` as well as
    within its own bounds: the tighter of the two, an exclusive one on a tie."""
    fmt = schema.format or ""
    current = schema.format_minimum if above else schema.format_maximum
    held = schema.format_exclusive_minimum if above else schema.format_exclusive_maximum
    new, old = instant_us(bound, fmt), instant_us(current, fmt) if current is not None else None
    if new is None:
        return schema
    if old is not None and ((old - new) * (1 if above else -1) > 0 or (old == new and held)):
        return schema
    if above:
        return replace(schema, format_minimum=bound, format_exclusive_minimum=exclusive)
    return replace(schema, format_maximum=bound, format_exclusive_maximum=exclusive)


def schema_window(schema: Schema) -> tuple[int | None, int | None]:
    """``window_ms`` of a date or date-time schema's own bounds."""
    return window_ms(
        str(schema.format),
        schema.format_minimum,
        schema.format_exclusive_minimum,
        schema.format_maximum,
        schema.format_exclusive_maximum,
    )


def schema_broken_bound(schema: Schema, value: str) -> str | None:
    """``broken_bound`` of a value of a date or date-time schema, by its own bounds."""
    if schema.format_minimum is None and schema.format_maximum is None:
        return None
    return broken_bound(
        value,
        str(schema.format),
        schema.format_minimum,
        schema.format_exclusive_minimum,
        schema.format_maximum,
        schema.format_exclusive_maximum,
    )
