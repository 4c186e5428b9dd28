"""The persona engine: turns a persona into a trace of behaviour decisions, block by block.

A block's trace depends only on (seed, dataset key, block index): its start time is a fixed
function of the block index, every draw comes from streams derived from those three, and
what earlier blocks hand on to it (sessions going on, quota counts) is rebuilt from the
first block of its 64-block span (personas/sessions.py), so any block can be produced alone
(docs/determinism.md, ADR 0013).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from persona_gen.errors import GenerationError
from persona_gen.personas.clock import Clock
from persona_gen.personas.loader import Persona
from persona_gen.personas.sessions import SPAN_BLOCKS, SlotState, advance, lay_out
from persona_gen.personas.trace import Trace
from persona_gen.seeds import BLOCK_SIZE, block_stream, reference_epoch_ms, stable_hash

__all__ = ["LAST_TIMESTAMP_MS", "PersonaEngine"]

LAST_TIMESTAMP_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: the last instant an RFC 3339 timestamp (four-digit year) shows."""


class PersonaEngine:
    """Applies one persona's behaviours to blocks of events."""

    def __init__(self, persona: Persona, seed: int, dataset: str, epoch_ms: int) -> None:
        self.persona = persona
        self.seed = seed
        self.dataset = dataset
        # Behaviours work on the seed's own timeline (its reference time, seeds.py): what
        # they make of an event's time (an offline slot, a battery's level, a quota window)
        # is then the seed's wherever the records start. A start named otherwise (--start)
        # moves the finished trace's times by ``shift_ms``, and nothing else.
        self.epoch_ms = reference_epoch_ms(seed)
        self.shift_ms = epoch_ms - self.epoch_ms
        # The salt of behaviours' per-actor picks (``Trace.salt``): a new seed is a new
        # population, and so is another persona of a mix. Not the dataset: an actor's id
        # (usr-000042) names the same client in every dataset of a run of this persona (its
        # api calls and its events alike), so it is a legacy client in all or in none.
        self.salt = stable_hash("actors", seed, persona.name)
        self.clock = Clock()
        for behaviour in persona.behaviours:
            behaviour.configure(self.clock)
        # Whether a generator numbers each session's events (streaming's sequence numbers):
        # then a session's steps in earlier blocks are kept (``Trace.session_steps``).
        self.numbers_sessions = False
        # What the last block traced hands on to the next one.
        self._after: _HandedOn | None = None
        # The behaviours that hand state on from block to block (``carries_state``).
        self._carrying = [b for b in persona.behaviours if b.carries_state()]
        self._slots: dict[int, SlotState] = {}  # the session slots after recent blocks
        # Whether a behaviour reads when sessions begun blocks before began (then the event
        # times of the blocks of the span traced so far are kept for it).
        self._reads_starts = any(b.reads_session_starts() for b in persona.behaviours)
        self._times: dict[int, np.ndarray] = {}

    def stream(self, block: int, purpose: str) -> np.random.Generator:
        return block_stream(self.seed, self.dataset, self.persona.name, block, purpose)

    def trace(self, block: int, *, alone: bool = False) -> Trace:
        """Block ``block``'s trace. ``alone``: with its sessions' state, but nothing carried
        into it (``_carried_over``) and nothing handed on from it."""
        n = BLOCK_SIZE
        clock = self.clock
        trace = Trace.blank(block, n, block * n, self.salt)
        base = self.stream(block, "timeline")

        # 1. Inter-arrival gaps, reshaped by timeline behaviours, then fitted to the block's
        #    fixed span so that blocks tile time without overlaps.
        trace.t_ms = self._event_times(block, base, trace)

        # 2. Sessions: events go to concurrently active session slots; a slot's session ends
        #    after a (geometric by default) number of events and a new one begins. A session
        #    still going at the block's end goes on in the next block (personas/sessions.py).
        handed = self._handed_on(block, alone)
        before, steps = handed.slots, handed.steps
        trace.carried = dict(handed.carried)
        trace.end_ms = int(self.epoch_ms + (block + 1) * clock.block_span_ms(n))
        layout = lay_out(clock, self.stream(block, "sessions"), block, n, before)
        trace.session, trace.actor, trace.session_last = layout.session, layout.actor, layout.last
        trace.session_start_ms = self._start_times(block, layout.start, trace.t_ms)
        trace.session_pos = layout.position.astype(np.int32)
        trace.think_ms = clock.think_ms.sample(base, n)
        trace.latency_ms = clock.latency_ms.sample(base, n) * clock.latency_factor
        trace.delivery_ms = clock.delivery_ms.sample(base, n)

        # 3. Behaviours, phase by phase (loader sorted them).
        # Durations are at most a year each, so only a timeline already near the limit gets
        # past it; an event or an arrival past it could not be written as a timestamp. Near
        # it, each behaviour is asked whether it moved events past (to name it).
        last = LAST_TIMESTAMP_MS - self.shift_ms
        near = trace.end_ms > last - _NEAR_LIMIT_MS
        mover = None
        for b in self.persona.behaviours:
            b.apply(trace, self.stream(block, f"apply:{b.name}"))
            if near and mover is None and _past(trace, last):
                mover = b.name
        if _past(trace, last):
            self._past_year_9999(block, mover)
        self._shift(trace)
        trace.sort_by_time()
        _no_think_before_sessions(trace, before)
        steps = self._steps_after(trace, layout.after, steps)
        if not alone:
            self._after = _HandedOn(block, layout.after, steps, trace.carried)
        # (the slots after the last few blocks: what blocks traced alone start from)
        self._slots[block] = layout.after
        if len(self._slots) > _KEPT_SLOTS:
            del self._slots[min(self._slots)]
        return trace

    def _event_times(
        self, block: int, base: np.random.Generator, trace: Trace | None = None
    ) -> np.ndarray:
        """The block's event times, from its first draws of ``base`` (its timeline stream);
        into ``trace``, which events a timeline behaviour touched."""
        clock, n = self.clock, BLOCK_SIZE
        shape = 1.0 / clock.gap_cv**2
        gaps = base.gamma(shape, 1.0 / shape, n + 1)
        for b in self.persona.behaviours:
            touched = b.shape_gaps(gaps, self.stream(block, f"gaps:{b.name}"))
            if touched is not None and trace is not None:
                trace.touch(b.name, touched[:n])
        span = clock.block_span_ms(n)
        # (`not ... <=`: a rate so low, 1e-308 a second, that the span is infinite makes
        # block 0's start 0 × inf, NaN, which no comparison holds)
        if not self.epoch_ms + self.shift_ms + (block + 1) * span <= LAST_TIMESTAMP_MS:
            self._past_year_9999(block)
        start = self.epoch_ms + block * span
        offsets = np.cumsum(gaps)[:n] / gaps.sum() * span
        times: np.ndarray = (start + offsets).astype(np.int64)
        return times

    def _shift(self, trace: Trace) -> None:
        """Moves a traced block's times from the seed's timeline to the named start."""
        if not self.shift_ms:
            return
        trace.t_ms = trace.t_ms + self.shift_ms
        unset = trace.session_start_ms == np.iinfo(np.int64).max
        trace.session_start_ms = np.where(
            unset, trace.session_start_ms, trace.session_start_ms + self.shift_ms
        )
        trace.end_ms += self.shift_ms

    def _start_times(self, block: int, start: np.ndarray, t_ms: np.ndarray) -> np.ndarray:
        """Each event's session's first event's time, from its number ``start`` in the
        dataset: in this block, the event's time; in an earlier one, that block's event time
        where a behaviour reads it (the times are kept for the span), else that block's start
        (a bound that costs nothing)."""
        n = BLOCK_SIZE
        begun = start // n
        times = np.where(begun == block, t_ms[np.clip(start - block * n, 0, n - 1)], 0)
        earlier = np.flatnonzero(begun != block)
        if not self._reads_starts:
            span = self.clock.block_span_ms(n)
            times[earlier] = (self.epoch_ms + begun[earlier] * span).astype(np.int64)
            return times
        first = block - block % SPAN_BLOCKS
        self._times = {b: t for b, t in self._times.items() if first <= b < block}
        for b in np.unique(begun[earlier]).tolist():
            if b not in self._times:
                self._times[b] = self._event_times(b, self.stream(b, "timeline"))
            at = earlier[begun[earlier] == b]
            times[at] = self._times[b][start[at] - b * n]
        self._times[block] = t_ms.copy()
        return times

    def _handed_on(self, block: int, alone: bool = False) -> _HandedOn:
        """What the blocks before ``block`` hand on to it: the session slots' state, (where
        sessions are numbered) the steps of each session going on, and what behaviours carry
        (``Behaviour.carries_state``). From the block before when it was the last one traced,
        else rebuilt from the first block of its span: from the draws alone where only the
        slots are handed on (or the block is traced ``alone``), else by tracing the blocks
        before it. A span's first block starts every session afresh, and takes what the
        last blocks of the span before carry over its start (``_carried_over``)."""
        first = block - block % SPAN_BLOCKS
        if block == first:
            return _HandedOn(block - 1, None, {}, {} if alone else self._carried_over(block))
        handed = _HandedOn(first - 1, None, {}, {})
        whole = (self.numbers_sessions or self._carrying) and not alone
        if whole and self._after is not None and first <= self._after.block < block:
            handed = self._after
        elif not whole and (kept := [b for b in self._slots if first <= b < block]):
            # (from the latest block of the span traced: a worker taking every other run of
            # blocks advances over the other worker's run only, not from the span's start)
            latest = max(kept)
            handed = _HandedOn(latest, self._slots[latest], {}, {})
        for earlier in range(handed.block + 1, block):
            if whole:
                self.trace(earlier)
                assert self._after is not None
                handed = self._after
            else:
                drawn = self.stream(earlier, "sessions")
                slots = advance(self.clock, drawn, earlier, BLOCK_SIZE, handed.slots)
                handed = _HandedOn(earlier, slots, {}, {})
        return handed

    def _carried_over(self, block: int) -> dict[str, Any]:
        """What the carrying behaviours take into span-starting ``block`` from the blocks
        just before it (a quota window open across the span's start keeps its count): each
        of those blocks traced ``alone``, as far back as a behaviour looks
        (``Behaviour.carried_blocks``, at most a span)."""
        carrying = self._carrying
        if not carrying or block == 0:
            return {}
        span_ms = self.clock.block_span_ms(BLOCK_SIZE)
        back = min(SPAN_BLOCKS, max(b.carried_blocks(span_ms) for b in carrying), block)
        outs = [self.trace(earlier, alone=True).carried for earlier in range(block - back, block)]
        start_ms = int(self.epoch_ms + block * span_ms)
        return {b.name: b.join_carried([o.get(b.name) for o in outs], start_ms) for b in carrying}

    def _steps_after(self, trace: Trace, after: SlotState, steps: dict[int, int]) -> dict[int, int]:
        """Per session going on after the block, the steps it took so far (see
        ``Trace.session_steps``); each event's count before the block goes into the trace."""
        if not self.numbers_sessions:
            return {}
        if steps:
            known = np.array(sorted(steps), np.int64)
            counts = np.array([steps[k] for k in known.tolist()], np.int64)
            at = np.searchsorted(known, trace.session).clip(max=known.size - 1)
            trace.session_steps = np.where(known[at] == trace.session, counts[at], 0)
        step = (~trace.duplicate).astype(np.int64) + trace.lost_before
        ids, inverse = np.unique(trace.session, return_inverse=True)
        took = np.bincount(inverse, weights=step, minlength=ids.size).astype(np.int64)
        here = dict(zip(ids.tolist(), took.tolist(), strict=True))
        going = after.session[after.remaining > 0].tolist()
        return {s: steps.get(s, 0) + here.get(s, 0) for s in going}

    def _past_year_9999(self, block: int, mover: str | None = None) -> NoReturn:
        if mover is not None:  # (laid out in time, a behaviour's delays took events past)
            raise GenerationError(
                f"persona '{self.persona.name}': behaviors.{mover} moves events (of those from "
                f"number {block * BLOCK_SIZE} on) past 9999-12-31T23:59:59.999Z, the last time "
                f"an RFC 3339 timestamp can show; start earlier (--start), generate fewer "
                f"records or shorten its delays (behaviors.{mover})"
            )
        rate = self.clock.rate_per_second
        # The block that set the rate: the last of them configures the clock last.
        setters = [b.name for b in self.persona.behaviours if b.kind in _RATE_KINDS]
        where = f"behaviors.{setters[-1]}.rate_per_second" if setters else "timing.rate_per_second"
        raise GenerationError(
            f"persona '{self.persona.name}': at {rate:g} events per second, its events from "
            f"number {block * BLOCK_SIZE} on would happen after 9999-12-31T23:59:59.999Z, the last "
            f"time an RFC 3339 timestamp can show; generate fewer records, start earlier "
            f"(--start) or raise the event rate ({where})"
        )


# How near the last timestamp a block's timeline must end for each behaviour to be asked
# whether it moved events past it (two maxima a behaviour, spared every other block): ten
# years, more than any one delay (a year at most), so only a run of them (a rapid run of
# year-long gaps) from further away gets the event rate's message instead.
_NEAR_LIMIT_MS = 10 * 366 * 86_400_000


def _past(trace: Trace, last: int) -> bool:
    """Whether an event of ``trace`` happens, or arrives, after ``last`` (epoch ms)."""
    return int(trace.t_ms.max()) > last or float((trace.t_ms + trace.delivery_ms).max()) > float(
        last
    )


def _no_think_before_sessions(trace: Trace, before: SlotState | None) -> None:
    """A session's first event has no think time before it: the first event of each session
    not carried into the block (begun in it, or a ``concurrent_login``'s second session), in
    the block's final order. Set once behaviours are done: they move events between sessions
    (a run, a storm or a group takes over the events after its start, a session's first event
    among them) and in time (a lost event's stand-in comes after reconnecting, an
    ``out_of_order`` event before its session began), so the event laid out first is not
    always the session's first any more, and a session's first may have been laid out as a
    later one."""
    carried = np.empty(0, np.int64) if before is None else before.session[before.remaining > 0]
    _, first = np.unique(trace.session, return_index=True)
    first = first[~np.isin(trace.session[first], carried)]
    trace.think_ms[first] = 0.0


_RATE_KINDS = ("timing", "sustained_load")  # (the kinds whose configure sets the event rate)


# Session slot states kept, of the latest blocks traced: a span's first block traces the few
# blocks before it alone, from the state after the block before them.
_KEPT_SLOTS = 8


@dataclass(frozen=True)
class _HandedOn:
    """What block ``block`` hands on to the next one (``slots`` None: every session slot
    starts afresh)."""

    block: int
    slots: SlotState | None
    steps: dict[int, int]  # per session going on, its steps so far (see Trace.session_steps)
    carried: dict[str, Any]  # per behaviour name, what it carries (Behaviour.carries_state)
