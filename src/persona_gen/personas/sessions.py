"""Sessions that carry across blocks.

Events go to concurrently active session slots (Little's law: ``Clock.concurrent_sessions``).
In each slot one session follows another, each as long as a draw from the persona's session
length. A slot's session still going at the end of a block goes on in the next block: the
same id and actor, its positions counting on, until its drawn length is used up. So sessions
are as long as declared, however many blocks they span.

Blocks stay independent (docs/determinism.md): a block's layout is a function of its own
stream and of the slots' state at its start, which is the state after the block before.
That state is reset every ``SPAN_BLOCKS`` blocks (sessions are cut there), so any block's
state can be rebuilt from at most ``SPAN_BLOCKS - 1`` earlier layouts, which are cheap (a
few draws and a loop over the block's sessions); a run that goes block after block rebuilds
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from persona_gen.personas.clock import Clock

__all__ = ["SPAN_BLOCKS", "Layout", "SlotState", "lay_out"]

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
    start_ms: np.ndarray  # its first event's time

    @classmethod
    def fresh(cls, slots: int) -> SlotState:
        zeros = np.zeros(slots, np.int64)
        return cls(zeros, zeros, zeros, zeros, zeros)


@dataclass(frozen=True)
class Layout:
    """A block's sessions, per event in the block's order, and the slots' state after it."""

    session: np.ndarray
    actor: np.ndarray
    position: np.ndarray
    last: np.ndarray  # the event ends its session (its drawn length is reached)
    start_ms: np.ndarray  # its session's first event's time
    after: SlotState


def lay_out(
    clock: Clock,
    rng: np.random.Generator,
    block: int,
    t_ms: np.ndarray,
    before: SlotState | None,
) -> Layout:
    """The sessions of block ``block`` (its events at the times ``t_ms``, in order), drawn
    from ``rng``, given the slots' state ``before`` it (None: every slot starts afresh).

    A session begun in this block is numbered ``block * n + k`` (its k-th new session), so
    ids are unique across the dataset and a carried session keeps the number it began with.
    """
    n = t_ms.size
    slots = clock.concurrent_sessions()
    slot = rng.integers(0, slots, n)
    order = np.argsort(slot, kind="stable")
    lengths = np.maximum(1, clock.session_length.sample(rng, n).astype(np.int64)).tolist()
    new_actors = rng.integers(0, clock.users, n).tolist()
    runs = _Runs(before or SlotState.fresh(slots), block * n, t_ms[order].tolist())
    for s, count in enumerate(np.bincount(slot, minlength=slots).tolist()):
        runs.fill(s, count, lengths, new_actors)

    # The runs are in slot order: lay them out over the events, then put those in block order.
    size = np.array(runs.sizes, np.int64)
    run_start = np.cumsum(size) - size
    session = np.empty(n, np.int64)
    actor = np.empty(n, np.int64)
    position = np.empty(n, np.int64)
    last = np.zeros(n, bool)
    session[order] = np.repeat(np.array(runs.ids, np.int64), size)
    actor[order] = np.repeat(np.array(runs.actors, np.int64), size)
    position[order] = np.repeat(np.array(runs.firsts, np.int64) - run_start, size) + np.arange(n)
    start_ms = np.empty(n, np.int64)
    start_ms[order] = np.repeat(np.array(runs.starts, np.int64), size)
    last[order[runs.closing]] = True
    return Layout(session, actor, position, last, start_ms, runs.after())


class _Runs:
    """A block's runs of one session's events, slot after slot (a few hundred per block: a
    Python loop over runs, whole-array operations over events)."""

    def __init__(self, state: SlotState, first_id: int, times: list[int]) -> None:
        self.session, self.actor = state.session.tolist(), state.actor.tolist()
        self.position, self.remaining = state.position.tolist(), state.remaining.tolist()
        self.start_ms = state.start_ms.tolist()
        self.first_id = first_id
        self.times = times  # (the events' times, in slot order)
        self.started = 0  # sessions begun in this block
        self.at = 0  # events laid out so far (in slot order)
        self.ids: list[int] = []
        self.actors: list[int] = []
        self.firsts: list[int] = []  # each run's first position in its session
        self.sizes: list[int] = []
        self.starts: list[int] = []  # each run's session's first event's time
        self.closing: list[int] = []  # (slot-order index of each event ending its session)

    def fill(self, s: int, count: int, lengths: list[int], new_actors: list[int]) -> None:
        """Slot ``s``'s ``count`` events: the session carried in goes on first, then new
        sessions of the drawn ``lengths`` (by the drawn actors), the last maybe unfinished."""
        end = self.at + count
        if count and self.remaining[s]:
            self._run(s, min(count, self.remaining[s]))
        while self.at < end:
            length = lengths[self.started]
            self.session[s] = self.first_id + self.started
            self.actor[s] = new_actors[self.started]
            self.position[s], self.remaining[s] = 0, length
            self.start_ms[s] = self.times[self.at]
            self.started += 1
            self._run(s, min(end - self.at, length))

    def _run(self, s: int, take: int) -> None:
        self.ids.append(self.session[s])
        self.actors.append(self.actor[s])
        self.firsts.append(self.position[s])
        self.sizes.append(take)
        self.starts.append(self.start_ms[s])
        self.position[s] += take
        self.remaining[s] -= take
        self.at += take
        if not self.remaining[s]:
            self.closing.append(self.at - 1)

    def after(self) -> SlotState:
        return SlotState(
            np.array(self.session, np.int64),
            np.array(self.actor, np.int64),
            np.array(self.position, np.int64),
            np.array(self.remaining, np.int64),
            np.array(self.start_ms, np.int64),
        )
