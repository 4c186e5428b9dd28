"""The persona engine: turns a persona into a trace of behaviour decisions, block by block.

A block's trace depends only on (seed, dataset key, block index): its start time is a fixed
function of the block index, and every draw comes from streams derived from those three, so
any block can be produced alone (docs/determinism.md).
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np

from persona_gen.errors import GenerationError
from persona_gen.personas.clock import Clock
from persona_gen.personas.loader import Persona
from persona_gen.personas.trace import Trace
from persona_gen.seeds import BLOCK_SIZE, block_stream

__all__ = ["LAST_TIMESTAMP_MS", "PersonaEngine"]

LAST_TIMESTAMP_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: the last instant an RFC 3339 timestamp (four-digit year) shows."""


class PersonaEngine:
    """Applies one persona's behaviours to blocks of events."""

    def __init__(self, persona: Persona, seed: int, dataset: str, epoch_ms: int) -> None:
        self.persona = persona
        self.seed = seed
        self.dataset = dataset
        self.epoch_ms = epoch_ms
        self.clock = Clock()
        for behaviour in persona.behaviours:
            behaviour.configure(self.clock)

    def stream(self, block: int, purpose: str) -> np.random.Generator:
        return block_stream(self.seed, self.dataset, self.persona.name, block, purpose)

    def trace(self, block: int) -> Trace:
        n = BLOCK_SIZE
        clock = self.clock
        trace = Trace.blank(block, n, block * n)
        base = self.stream(block, "timeline")

        # 1. Inter-arrival gaps, reshaped by timeline behaviours, then fitted to the block's
        #    fixed span so that blocks tile time without overlaps.
        shape = 1.0 / clock.gap_cv**2
        gaps = base.gamma(shape, 1.0 / shape, n + 1)
        for b in self.persona.behaviours:
            touched = b.shape_gaps(gaps, self.stream(block, f"gaps:{b.name}"))
            if touched is not None:
                trace.touch(b.name, touched[:n])
        span = clock.block_span_ms(n)
        start = self.epoch_ms + block * span
        if start + span > LAST_TIMESTAMP_MS:
            self._past_year_9999(block)
        offsets = np.cumsum(gaps)[:n] / gaps.sum() * span
        trace.t_ms = (start + offsets).astype(np.int64)

        # 2. Sessions: events go to concurrently active session slots; a slot's session ends
        #    after a (geometric by default) number of events and a new one begins.
        slots = clock.concurrent_sessions()
        slot = base.integers(0, slots, n)
        trace.session, position, trace.session_last = _sessions(slot, clock, base, block)
        trace.session_pos = position.astype(np.int32)
        actors = base.integers(0, clock.users, int(trace.session.max() - trace.session.min()) + 1)
        trace.actor = actors[trace.session - trace.session.min()]
        trace.think_ms = clock.think_ms.sample(base, n)
        trace.think_ms[position == 0] = 0.0
        trace.latency_ms = clock.latency_ms.sample(base, n) * clock.latency_factor
        trace.delivery_ms = clock.delivery_ms.sample(base, n)

        # 3. Behaviours, phase by phase (loader sorted them).
        for b in self.persona.behaviours:
            b.apply(trace, self.stream(block, f"apply:{b.name}"))
        # Durations are at most a year each, so only a timeline already near the limit gets
        # here; an event or an arrival past it could not be written as a timestamp.
        if int(trace.t_ms.max()) > LAST_TIMESTAMP_MS or float(
            (trace.t_ms + trace.delivery_ms).max()
        ) > float(LAST_TIMESTAMP_MS):
            self._past_year_9999(block)
        trace.sort_by_time()
        return trace

    def _past_year_9999(self, block: int) -> NoReturn:
        rate = self.clock.rate_per_second
        raise GenerationError(
            f"persona '{self.persona.name}': at {rate:g} events per second, its events from "
            f"number {block * BLOCK_SIZE} on would happen after 9999-12-31T23:59:59.999Z, the last "
            "time an RFC 3339 timestamp can show; generate fewer records or raise the event "
            "rate (timing.rate_per_second)"
        )


def _sessions(
    slot: np.ndarray, clock: Clock, rng: np.random.Generator, block: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Session ids, each event's position in its session, and which events close a session.

    A slot's last session is cut by the block's end; its events are not marked as closing.
    """
    n = slot.size
    order = np.argsort(slot, kind="stable")
    sorted_slot = slot[order]
    lengths = np.maximum(1, clock.session_length.sample(rng, n).astype(np.int64)).tolist()
    # Walk each slot's events, cutting sessions at the drawn lengths (in Python ints: a few
    # hundred sessions per block), then lay the sessions out with whole-array operations.
    boundaries = np.flatnonzero(np.diff(sorted_slot)) + 1
    starts = [0, *boundaries.tolist()]
    ends = [*starts[1:], n]
    session_sizes: list[int] = []
    closing: list[int] = []  # the last event of each session that ends before its slot does
    for s, e in zip(starts, ends, strict=True):
        i = s
        while i < e:
            j = min(e, i + lengths[len(session_sizes) % n])
            session_sizes.append(j - i)
            if j < e:  # the slot's final session is truncated
                closing.append(j - 1)
            i = j
    sizes = np.array(session_sizes, np.int64)
    session_sorted = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    position_sorted = np.arange(n, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    last_sorted = np.zeros(n, bool)
    last_sorted[closing] = True
    session = np.empty(n, np.int64)
    position = np.empty(n, np.int64)
    last = np.empty(n, bool)
    session[order] = session_sorted + block * n
    position[order] = position_sorted
    last[order] = last_sorted
    return session, position, last
