"""Sessions that carry across blocks.

Events go to concurrently active session slots (Little's law: ``Clock.concurrent_sessions``).
In each slot one session follows another, each as long as a draw from the persona's session
length. A slot's session still going at the end of a block goes on in the next block: the
same id and actor, its positions counting on, until its drawn length is used up. So sessions
are as long as declared, however many blocks they span.

Blocks stay independent (docs/determinism.md): a block's layout is a function of its own
stream and of the slots' state at its start, which is the state after the block before.
That state is reset every ``SPAN_BLOCKS`` blocks (sessions are cut there), so any block's
state can be rebuilt from at most ``SPAN_BLOCKS - 1`` earlier blocks' draws (``advance``: a
few draws and a loop over the block's sessions, no event laid out); a run that goes block
after block rebuilds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from persona_gen.personas.clock import Clock

__all__ = ["SPAN_BLOCKS", "Layout", "SlotState", "advance", "lay_out"]

SPAN_BLOCKS = 64
"""Sessions are cut every this many blocks (65,536 events): a block's slot state is rebuilt
from the span's first block on, so this bounds that work."""


@dataclass(frozen=True)
class SlotState:
    """Per slot, the session going on at a block boundary (``remaining`` 0: none)."""

    session: np.ndarray  # its id
    actor: np.ndarray
    position: np.ndarray  # its events so far
    remaining: np.ndarray  # its events still to come
    start: np.ndarray  # its first event's number in the dataset

    @classmethod
    def fresh(cls, slots: int) -> SlotState:
        zeros = np.zeros(slots, np.int64)
        return cls(zeros, zeros, zeros, zeros, zeros)

    def lists(self) -> list[list[int]]:
        return [
            a.tolist()
            for a in (self.session, self.actor, self.position, self.remaining, self.start)
        ]

    @classmethod
    def of(cls, lists: list[list[int]]) -> SlotState:
        return cls(*(np.array(values, np.int64) for values in lists))


@dataclass(frozen=True)
class Layout:
    """A block's sessions, per event in the block's order, and the slots' state after it."""

    session: np.ndarray
    actor: np.ndarray
    position: np.ndarray
    last: np.ndarray  # the event ends its session (its drawn length is reached)
    start: np.ndarray  # its session's first event's number in the dataset
    after: SlotState


class _Draws:
    """A block's session draws, in this order: each event's slot, the lengths and actors of
    the sessions it may begin (one per event at most)."""

    def __init__(self, clock: Clock, rng: np.random.Generator, n: int) -> None:
        slots = clock.concurrent_sessions()
        slot = rng.integers(0, slots, n)
        self.lengths = np.maximum(1, clock.session_length.sample(rng, n).astype(np.int64)).tolist()
        self.actors = rng.integers(0, clock.users, n).tolist()
        self.order = np.argsort(slot, kind="stable")  # (the events, slot after slot)
        self.counts = np.bincount(slot, minlength=slots).tolist()


def lay_out(
    clock: Clock, rng: np.random.Generator, block: int, n: int, before: SlotState | None
) -> Layout:
    """The sessions of block ``block`` (``n`` events), drawn from ``rng``, given the slots'
    state ``before`` it (None: every slot starts afresh).

    A session begun in this block is numbered ``block * n + k`` (its k-th new session), so
    ids are unique across the dataset and a carried session keeps the number it began with.
    """
    drawn = _Draws(clock, rng, n)
    order = drawn.order
    state = (before or SlotState.fresh(len(drawn.counts))).lists()
    session, actor, position, remaining, start = state
    lengths, new_actors = drawn.lengths, drawn.actors
    numbers = (order + block * n).tolist()  # (the events' numbers in the dataset, slot order)
    # Per run of one session's events, slot after slot: its session, actor, first position,
    # size and first event (a few hundred runs a block: one Python loop over runs, then
    # whole-array operations over events).
    ids: list[int] = []
    actors: list[int] = []
    firsts: list[int] = []
    sizes: list[int] = []
    starts: list[int] = []
    closing: list[int] = []  # (slot-order index of each event ending its session)
    started = at = 0
    for s, count in enumerate(drawn.counts):
        end = at + count
        take = min(count, remaining[s])  # the session carried in goes on first
        while at < end:
            if not take:
                length = lengths[started]
                session[s], actor[s] = block * n + started, new_actors[started]
                position[s], remaining[s], start[s] = 0, length, numbers[at]
                started += 1
                take = min(end - at, length)
            ids.append(session[s])
            actors.append(actor[s])
            firsts.append(position[s])
            sizes.append(take)
            starts.append(start[s])
            position[s] += take
            remaining[s] -= take
            at += take
            if not remaining[s]:
                closing.append(at - 1)
            take = 0

    # The runs are in slot order: lay them out over the events, then put those in block order.
    size = np.array(sizes, np.int64)
    run_start = np.cumsum(size) - size
    out = np.empty((4, n), np.int64)
    for row, values in enumerate((ids, actors, starts)):
        out[row, order] = np.repeat(np.array(values, np.int64), size)
    out[3, order] = np.repeat(np.array(firsts, np.int64) - run_start, size) + np.arange(n)
    last = np.zeros(n, bool)
    last[order[closing]] = True
    return Layout(out[0], out[1], out[3], last, out[2], SlotState.of(state))


def advance(
    clock: Clock, rng: np.random.Generator, block: int, n: int, before: SlotState | None
) -> SlotState:
    """``lay_out(…).after`` without laying out the events: only each slot's last session."""
    drawn = _Draws(clock, rng, n)
    state = (before or SlotState.fresh(len(drawn.counts))).lists()
    session, actor, position, remaining, start = state
    lengths, actors = drawn.lengths, drawn.actors
    started, at = 0, 0
    for s, count in enumerate(drawn.counts):
        left = count - min(count, remaining[s])  # (the events after the carried session's)
        position[s] += count - left
        remaining[s] -= count - left
        while left:
            length = lengths[started]
            take = min(left, length)
            session[s], actor[s] = block * n + started, actors[started]
            # (its first event: its place in slot order, made its number in the dataset)
            start[s] = int(drawn.order[at + count - left]) + block * n
            position[s], remaining[s] = take, length - take
            started += 1
            left -= take
        at += count
    return SlotState.of(state)
