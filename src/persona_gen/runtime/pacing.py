"""Pacing a stream in wall-clock time: a fixed rate, or the persona's own timing.

Generation never reads the clock (determinism); only delivery does, here. ``paced`` takes the
blocks of a dataset and hands records on when they are due:

* ``rate``: one record every ``1/rate`` seconds;
* ``realtime``: when the record's own time says, relative to the first record (its
  ``ingest_time`` for streaming envelopes, which are in arrival order; else ``timestamp``, or
  a load row's ``offset_ms``), divided by ``speed``: bursts, offline gaps and late
  deliveries happen in wall-clock time;
* ``duration``: stop after that many seconds, whatever is left.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from persona_gen.errors import UsageError

__all__ = ["paced", "parse_rate"]

_GRANULARITY_S = 0.005  # records due within 5 ms of each other leave together


def parse_rate(text: str) -> float:
    """``100``, ``100/s``, ``6000/min`` → records per second."""
    number, _, unit = text.strip().partition("/")
    seconds = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}.get(
        unit.strip().lower()
    )
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if seconds is None or not 0 < value < math.inf:  # (NaN fails too)
        raise UsageError(f"--rate: '{text}' is not a rate such as 500/s or 6000/min")
    return value / seconds


def _moment_s(record: dict[str, Any]) -> float | None:
    if "offset_ms" in record:
        return float(record["offset_ms"]) / 1000.0
    for key in ("ingest_time", "timestamp", "event_time"):
        value = record.get(key)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
    return None


def paced(
    blocks: Iterable[list[dict[str, Any]]],
    *,
    rate: float | None = None,
    realtime: bool = False,
    speed: float = 1.0,
    duration: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[list[dict[str, Any]]]:
    """The records of ``blocks``, in order, in small groups released when due."""
    start = 0.0
    first_moment: float | None = None
    sent = 0
    for block in blocks:
        if sent == 0:
            # The schedule starts when the first records are in hand, not when they were asked
            # for: making the first block (starting --workers processes) takes a while, and
            # records due meanwhile would otherwise leave at once, in a burst.
            start = clock()
        group: list[dict[str, Any]] = []
        group_due = 0.0
        for record in block:
            if rate is not None:
                due = sent / rate
            elif realtime:
                moment = _moment_s(record)
                if first_moment is None and moment is not None:
                    first_moment = moment
                due = (
                    max(0.0, moment - first_moment) / speed
                    if moment is not None and first_moment is not None
                    else group_due
                )
            else:
                due = 0.0
            # (S seconds are [0, S): at 500/s, --duration 2 sends 1,000 records, not 1,001)
            if duration is not None and due >= duration:
                if group:
                    yield group
                return
            if group and due - group_due > _GRANULARITY_S:
                yield group
                group = []
            if not group:
                wait = start + due - clock()
                if wait > 0:
                    sleep(wait)
                group_due = due
            group.append(record)
            sent += 1
        if group:
            yield group
        if duration is not None and clock() - start >= duration:
            return
