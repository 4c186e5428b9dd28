"""Pacing a stream in wall-clock time: a fixed rate, or the persona's own timing.

Generation never reads the clock (determinism); only delivery does, here. ``paced`` takes the
blocks of a dataset and hands records on when they are due:

* ``rate``: one record every ``1/rate`` seconds;
* ``realtime``: when the record's own time says, relative to the first record (its
  ``ingest_time`` for streaming envelopes; else ``timestamp``, or a load row's
  ``offset_ms``), divided by ``speed``, in that order across blocks: bursts, offline gaps
  and late deliveries happen in wall-clock time;
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

__all__ = ["in_time_order", "paced", "parse_rate"]

_GRANULARITY_S = 0.005  # records due within 5 ms of each other leave together
# Records ``realtime`` holds back, at most: in a mix of a fast and a slow persona, every block
# brings the slow one's records, due long after the fast one's next blocks; past this many,
# the earliest is waited for before more blocks are read.
_MAX_WAITING = 64 * 1024


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


Record = dict[str, Any]
#: What a schedule gives: a record with the second it is due at, or None before the next block
#: of the input is read (making it takes a while: what is due is sent first).
_Due = tuple[float, Record] | None


def _in_order(blocks: Iterable[list[Record]], rate: float | None) -> Iterator[_Due]:
    """The records in their own order: ``1/rate`` seconds apart, or all due at once."""
    sent = 0
    taking = iter(blocks)
    while True:
        yield None
        block = next(taking, None)
        if block is None:
            return
        for record in block:
            yield (sent / rate if rate is not None else 0.0), record
            sent += 1


def _by_moment(blocks: Iterable[list[Record]], speed: float) -> Iterator[_Due]:
    """The records in the order of their own times (see ``_moment_s``), each due when its
    time says, relative to the first record's, divided by ``speed``.

    Records are in time order block by block only (a block of 1,024 is sorted by arrival):
    a streaming event delivered late, or flushed after an offline window, sits in the block
    it happened in, minutes of its own time ahead of the next blocks' first records. Sent in
    record order, such a record held back every record after it (the next blocks' records
    then left in a burst, and ``--duration`` ended the run there). So records wait in a heap
    until due, and the next block is read once the earliest one waiting is due after the
    earliest record of the last block read: as long as blocks start in time order (a block's
    time span follows the last one's), no record read later is due before one sent. A record
    due before one already sent (an event whose time was moved before its session's start,
    blocks back) leaves at once. A record without a time keeps the place of the one before
    it. Equal times keep record order."""
    waiting: list[tuple[float, int, Record]] = []
    first: float | None = None
    last_due = 0.0
    horizon = -math.inf  # the earliest due time of the last block read
    number = 0
    taking = iter(blocks)
    more = True
    while True:
        while more and (not waiting or waiting[0][0] > horizon) and len(waiting) < _MAX_WAITING:
            yield None
            block = next(taking, None)
            if block is None:
                more = False
                break
            block_first = math.inf
            for record in block:
                moment = _moment_s(record)
                if first is None and moment is not None:
                    first = moment
                if moment is not None and first is not None:
                    last_due = max(0.0, moment - first) / speed
                heapq.heappush(waiting, (last_due, number, record))
                number += 1
                block_first = min(block_first, last_due)
            if block:
                horizon = block_first
        if not waiting:
            return
        due, _, record = heapq.heappop(waiting)
        yield due, record


def in_time_order(blocks: Iterable[list[Record]]) -> Iterator[list[Record]]:
    """The records of ``blocks`` in the order of their own times across blocks, as fast as
    they come (the order ``--realtime`` sends them in, ``_by_moment``): a streaming dataset
    is in arrival order block by block only, and a topic holds a stream in arrival order.
    Groups end where the next block is read."""
    group: list[Record] = []
    for item in _by_moment(blocks, 1.0):
        if item is not None:
            group.append(item[1])
        elif group:
            yield group
            group = []
    if group:
        yield group


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
    """The records of ``blocks`` in small groups released when due: in their own order at a
    ``rate`` (or at once), or, ``realtime``, in the order of their own times (``_by_moment``:
    across blocks, so a record may leave after records of later blocks)."""
    schedule = _by_moment(blocks, speed) if realtime else _in_order(blocks, rate)
    start = 0.0
    started = False
    group: list[dict[str, Any]] = []
    group_due = 0.0
    for item in schedule:
        if item is None:  # the next block is to be read
            if group:
                yield group
                group = []
            if started and duration is not None and clock() - start >= duration:
                return
            continue
        due, record = item
        if not started:
            # The schedule starts when the first records are in hand, not when they were
            # asked for: making the first block (starting --workers processes) takes a while,
            # and records due meanwhile would otherwise leave at once, in a burst.
            start = clock()
            started = True
        # (S seconds are [0, S): at 500/s, --duration 2 sends 1,000 records, not 1,001)
        if duration is not None and due >= duration:
            break
        if group and due - group_due > _GRANULARITY_S:
            yield group
            group = []
        if not group:
            wait = start + due - clock()
            if wait > 0:
                sleep(wait)
            group_due = due
        group.append(record)
    if group:
        yield group
