"""A run's reference time as a user names it (``--start``, a profile's ``start:``).

Without one, a seed's reference time is derived from the seed (``seeds.reference_epoch_ms``:
a moment of 2025). Naming one moves every record's times there — timestamps of api records,
event and ingest times of streams, load offsets' origin, the synthesised dates — while every
other value stays that of the seed. ``now`` is the current time, said back so the run can
be replayed.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

__all__ = ["LAST_MS", "iso_ms", "parse_reference_time"]

LAST_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last time records can hold
_FORMS = "'now', a date (2026-11-29) or an ISO 8601 time (2026-11-29T09:30:00Z)"


def parse_reference_time(value: object) -> int:
    """Milliseconds since 1970-01-01 for ``value``: ``now``, an ISO 8601 date or time as text
    (UTC unless it carries an offset), or a ``datetime``/``date`` (YAML reads unquoted
    timestamps as those). Finer than a millisecond is cut to it. ``ValueError`` with what
    was expected otherwise."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "now":
            return time.time_ns() // 1_000_000
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueError(f"expected {_FORMS}, got '{value:.80}'") from None
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        raise ValueError(f"expected {_FORMS}, got {type(value).__name__} {value!r:.80}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if not 0 <= ms <= LAST_MS:
        raise ValueError(f"must be from 1970-01-01 to 9999-12-31, got '{value!s:.80}'")
    return ms


def iso_ms(ms: int) -> str:
    """``ms`` as the ISO 8601 UTC text ``parse_reference_time`` reads back exactly."""
    moment = datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=ms % 1000 * 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
