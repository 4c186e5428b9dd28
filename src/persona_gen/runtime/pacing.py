"""Pacing a stream in wall-clock time: a fixed rate, or the persona's own timing.

Generation never reads the clock (determinism); only delivery does, here. ``paced`` takes the
blocks of a dataset and hands records on when they are due:

* ``rate``: one record every ``1/rate`` seconds;
* ``realtime``: when the record's own time says, relative to the first record (its
  ``ingest_time`` for streaming envelopes, which are in arrival order; else ``timestamp``, or
  a load row's ``offset_ms``), divided by ``speed``: bursts, offline gaps and late
  deliveries happen in wall-clock time. Records are in time order within a block only (a
  block's late deliveries, lost-event stand-ins and out-of-order events fall outside its
  span), so they are released in the order their times say, one block ahead: a record due
  after the next block's first ones waits for its time without holding them back;
* ``duration``: stop after that many seconds, whatever is left.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from persona_gen.errors import UsageError

__all__ = ["Pacer", "paced", "parse_rate"]

_GRANULARITY_S = 0.005  # records due within 5 ms of each other leave together
# Records ``realtime`` holds back, at most: in a mix of a fast and a slow persona, every block
# brings the slow one's records, due much later than the fast one's next block; past this
# many, the earliest is waited for (and blocks are not read on meanwhile).
_MAX_PENDING = 64 * 1024


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


class Pacer:
    """``paced`` with the run's options, counting the records it released: with
    ``realtime`` and a ``duration`` they are the records due before it, not always the
    first ones, so the manifest's counts are theirs (``taken``)."""

    def __init__(
        self, *, rate: float | None, realtime: bool, speed: float, duration: float | None
    ) -> None:
        from persona_gen.runtime.dataset import DatasetStats

        self.rate, self.realtime, self.speed, self.duration = rate, realtime, speed, duration
        self.taken = DatasetStats()

    def __call__(self, blocks: Iterable[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
        return paced(
            blocks,
            rate=self.rate,
            realtime=self.realtime,
            speed=self.speed,
            duration=self.duration,
            taken=self.taken.add,
        )


def paced(
    blocks: Iterable[list[dict[str, Any]]],
    *,
    rate: float | None = None,
    realtime: bool = False,
    speed: float = 1.0,
    duration: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    taken: Callable[[list[dict[str, Any]]], None] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """The records of ``blocks`` in small groups released when due: in order, or with
    ``realtime`` in the order of their times. ``taken`` is called with each group released
    (with ``realtime`` and ``duration`` they are not always the first records)."""
    if realtime:
        groups = _in_time_order(blocks, speed, duration, clock, sleep)
    else:
        groups = _in_order(blocks, rate, duration, clock, sleep)
    for group in groups:
        if taken is not None:
            taken(group)
        yield group


def _in_time_order(
    blocks: Iterable[list[dict[str, Any]]],
    speed: float,
    duration: float | None,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> Iterator[list[dict[str, Any]]]:
    """``realtime``: each record when its time says. A block's records are in time order,
    but some fall outside its span (a lost event's stand-in moved past the block's end, a
    late delivery, an ``out_of_order`` event): sent in block order, one due minutes after
    its block held back every record of the next blocks, which then left late in a burst.
    So the records wait in a queue ordered by their due times, and those due before the
    next block's first record leave when due (at most ``_MAX_PENDING`` wait)."""
    start = 0.0
    first_moment: float | None = None
    pending: list[tuple[float, int, dict[str, Any]]] = []
    number = 0
    ended = False  # (--duration reached)

    def release(limit: float) -> Iterator[list[dict[str, Any]]]:
        nonlocal ended
        group: list[dict[str, Any]] = []
        group_due = 0.0
        while pending and pending[0][0] < limit:
            due = pending[0][0]
            # (S seconds are [0, S): the records due before S go)
            if duration is not None and due >= duration:
                ended = True
                break
            if group and due - group_due > _GRANULARITY_S:
                yield group
                group = []
            if not group:
                wait = start + due - clock()
                if wait > 0:
                    sleep(wait)
                group_due = due
            group.append(heapq.heappop(pending)[2])
        if group:
            yield group

    due = 0.0  # (a record without a time is due with the one before it)
    for block in blocks:
        if number == 0:
            start = clock()  # (as in ``_in_order``)
        earliest = math.inf
        for record in block:
            moment = _moment_s(record)
            if first_moment is None and moment is not None:
                first_moment = moment
            if moment is not None and first_moment is not None:
                due = max(0.0, moment - first_moment) / speed
            earliest = min(earliest, due)
            heapq.heappush(pending, (due, number, record))
            number += 1
        # (the records due before this block's first one: no later block holds one due
        # earlier, but for the rare event moved before its session's start)
        yield from release(earliest)
        while len(pending) > _MAX_PENDING and not ended:
            yield from release(math.nextafter(pending[0][0], math.inf))  # (the earliest)
        if ended or (duration is not None and clock() - start >= duration):
            return
    yield from release(math.inf)


def _in_order(
    blocks: Iterable[list[dict[str, Any]]],
    rate: float | None,
    duration: float | None,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> Iterator[list[dict[str, Any]]]:
    """``rate``: one record every ``1/rate`` seconds; else (``duration`` alone) at once."""
    start = 0.0
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
            due = sent / rate if rate is not None else 0.0
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
