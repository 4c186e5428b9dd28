"""The trace: a block of behaviour decisions, one NumPy column per decision.

This is the contract between the two layers: behaviours write decisions here (when each event
happens, who does it, in which session, whether it fails, arrives late, is retried, carries a
typo...) without knowing any record shape; generators read them and never invent behaviour.
See docs/behaviours/README.md for the meaning of every column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

__all__ = ["TRANSPORT_FAILURE", "Trace"]

TRANSPORT_FAILURE = -1  # status of a request that got no HTTP response at all


# Up to this many behaviours, ``Trace.tags`` ranks the sets of behaviours by table lookup.
_TABLE_BITS = 12


@dataclass
class Trace:
    """Behaviour decisions for ``n`` consecutive events of one block.

    Columns (all length ``n``):
      t_ms         event time, epoch milliseconds (when the actor acted)
      delivery_ms  delay between event time and arrival at the receiver
      actor        actor number within the population (0 .. users-1)
      session      session number, unique across the dataset (a session may span blocks)
      session_pos  position of the event in its session (0 = first)
      session_last the event closes its session (its drawn length is reached here)
      session_start_ms when its session's first event happened (as laid out, maybe in an
                   earlier block: then, unless a behaviour reads it, that block's start)
      session_steps what its session did in earlier blocks: events sent (not re-sent) and
                   lost; kept only where a generator numbers events (``numbers_sessions``)
      latency_ms   server time to answer
      think_ms     the actor's pause before this action (0 for a session's first event)
      status       0 = success; HTTP status of a failure; -1 = transport failure (no response)
      attempt      1 for a first try, 2.. for retries of the same request
      request      request number; retries share their first try's number
      duplicate    this event is a re-delivery of an earlier one
      buffered     held back while offline and flushed on reconnect
      lost_before  events of this session lost (never delivered) just before this one
      concurrency  requests in flight together with this one (1 = alone)
      batch        batch number this event belongs to (-1 = none)
      batch_size   items this event carries (1 = a single item)
      battery      device battery level in percent (NaN when the actor has none)
      noise        relative noise amplitude on measured values (0 = clean)
    ``marks`` holds boolean columns for content effects (``typo``, ``unicode``...),
    ``effects`` the parameters of the behaviour that set each and ``marked_by`` the names of
    the behaviour blocks that did; ``details`` holds object
    columns naming a variant (which failure, which anomaly...), and ``reply_latency_ms`` the
    latency a transport failure replaced (NaN elsewhere: see ``fail_transport``).
    ``touched`` records, per behaviour block name, which events it changed: the base of
    every record's tag list and of the manifest's counts. ``salt`` is the run's salt of
    behaviours' pure functions of the actor (who is a legacy client, when an actor is
    offline, a battery's phase): the same in every block, another with another seed.
    """

    block: int
    n: int
    first_index: int
    t_ms: np.ndarray
    actor: np.ndarray
    session: np.ndarray
    session_pos: np.ndarray
    session_last: np.ndarray
    session_start_ms: np.ndarray
    session_steps: np.ndarray
    latency_ms: np.ndarray
    think_ms: np.ndarray
    delivery_ms: np.ndarray
    status: np.ndarray
    attempt: np.ndarray
    request: np.ndarray
    duplicate: np.ndarray
    buffered: np.ndarray
    lost_before: np.ndarray
    concurrency: np.ndarray
    batch: np.ndarray
    batch_size: np.ndarray
    battery: np.ndarray
    noise: np.ndarray
    marks: dict[str, np.ndarray] = field(default_factory=dict)
    effects: dict[str, BaseModel] = field(default_factory=dict)
    details: dict[str, np.ndarray] = field(default_factory=dict)
    touched: dict[str, np.ndarray] = field(default_factory=dict)
    marked_by: dict[str, list[str]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    # What behaviours hand on from block to block, by behaviour name: the block before's when
    # the behaviour applies, its own after (``Behaviour.carries_state``).
    carried: dict[str, Any] = field(default_factory=dict)
    end_ms: int = 0  # when the block's time span ends (a moved event may lie past it)
    salt: int = 0  # the run's salt of per-actor picks (set by the engine: see above)
    # Events a retry storm, rapid run or concurrent group took (``claim_run``): another such
    # run does not take them again. None until one is taken.
    in_run: np.ndarray | None = None

    _COLUMNS = (
        "t_ms",
        "actor",
        "session",
        "session_pos",
        "session_last",
        "session_start_ms",
        "session_steps",
        "latency_ms",
        "think_ms",
        "delivery_ms",
        "status",
        "attempt",
        "request",
        "duplicate",
        "buffered",
        "lost_before",
        "concurrency",
        "batch",
        "batch_size",
        "battery",
        "noise",
    )

    @classmethod
    def blank(cls, block: int, n: int, first_index: int, salt: int = 0) -> Trace:
        return cls(
            block=block,
            n=n,
            first_index=first_index,
            salt=salt,
            t_ms=np.zeros(n, np.int64),
            actor=np.zeros(n, np.int64),
            session=np.zeros(n, np.int64),
            session_pos=np.zeros(n, np.int32),
            session_last=np.zeros(n, bool),
            session_start_ms=np.full(n, np.iinfo(np.int64).max),
            session_steps=np.zeros(n, np.int64),
            latency_ms=np.zeros(n, np.float64),
            think_ms=np.zeros(n, np.float64),
            delivery_ms=np.zeros(n, np.float64),
            status=np.zeros(n, np.int16),
            attempt=np.ones(n, np.int16),
            request=np.arange(first_index, first_index + n, dtype=np.int64),
            duplicate=np.zeros(n, bool),
            buffered=np.zeros(n, bool),
            lost_before=np.zeros(n, np.int32),
            concurrency=np.ones(n, np.int16),
            batch=np.full(n, -1, np.int64),
            batch_size=np.ones(n, np.int32),
            battery=np.full(n, np.nan, np.float32),
            noise=np.zeros(n, np.float32),
        )

    def touch(self, behaviour: str, mask: np.ndarray) -> None:
        """Record that ``behaviour`` changed the events in ``mask``."""
        if behaviour in self.touched:
            self.touched[behaviour] |= mask
        else:
            self.touched[behaviour] = mask.copy()

    def mark(self, effect: str, mask: np.ndarray, behaviour: str, params: BaseModel) -> None:
        """Ask generators to realise content ``effect`` on the events in ``mask``."""
        if effect in self.marks:
            self.marks[effect] |= mask
        else:
            self.marks[effect] = mask.copy()
        self.effects[effect] = params
        names = self.marked_by.setdefault(effect, [])
        if behaviour not in names:
            names.append(behaviour)
        self.touch(behaviour, mask)

    def detail(self, name: str) -> np.ndarray:
        """An object column naming a variant per event (None where not set)."""
        if name not in self.details:
            self.details[name] = np.full(self.n, None, dtype=object)
        column: np.ndarray = self.details[name]
        return column

    def fail_transport(self, mask: np.ndarray, latency_ms: np.ndarray) -> None:
        """The events in ``mask`` get no HTTP response, after ``latency_ms`` (one per event of
        the mask). The latency of the reply they would have had is kept for ``reply``."""
        kept = self.details.setdefault("reply_latency_ms", np.full(self.n, np.nan))
        kept[mask] = self.latency_ms[mask]
        self.status[mask] = TRANSPORT_FAILURE
        self.latency_ms[mask] = latency_ms

    def reply(self, mask: np.ndarray, status: int | np.ndarray) -> None:
        """The events in ``mask`` are answered with HTTP ``status`` (an outcome behaviour's
        error), whatever an earlier behaviour decided. A transport failure among them got a
        reply after all: it takes back a reply's latency (a read timeout's 30 000 ms is no
        reply's)."""
        self.status[mask] = status
        kept = self.details.get("reply_latency_ms")
        if kept is not None:
            back = mask & ~np.isnan(kept)
            self.latency_ms[back] = kept[back]
            kept[back] = np.nan

    def reorder(self, order: np.ndarray) -> None:
        """Permute every column by ``order`` (e.g. after times moved)."""
        for name in self._COLUMNS:
            setattr(self, name, getattr(self, name)[order])
        for table in (self.marks, self.details, self.touched):
            for key in table:
                table[key] = table[key][order]
        if self.in_run is not None:
            self.in_run = self.in_run[order]

    def sort_by_time(self) -> None:
        self.reorder(np.argsort(self.t_ms, kind="stable"))

    def tags(self) -> list[list[str]]:
        """Per event, the names of the behaviours that touched it (in ``touched`` order)."""
        kinds, kind_of = self._tag_kinds()
        return [kinds[k][:] for k in kind_of]

    def tag_texts(self, separator: str) -> list[str]:
        """Per event, the names of the behaviours that touched it, joined by ``separator``."""
        kinds, kind_of = self._tag_kinds()
        texts = [separator.join(names) for names in kinds]
        return [texts[k] for k in kind_of]

    def _tag_kinds(self) -> tuple[list[list[str]], list[int]]:
        """The distinct sets of behaviours that touched events (as name lists), and the index
        of each event's set: a block has a few such sets, so each is made once."""
        names = list(self.touched)
        if not names:
            return [[]], [0] * self.n
        if len(names) > 62:  # (past an int64's bits: one set per event)
            sets = [[n for n in names if self.touched[n][i]] for i in range(self.n)]
            return sets, list(range(self.n))
        code = np.zeros(self.n, np.int64)  # bit k: touched by the k-th behaviour
        for k, mask in enumerate(self.touched.values()):
            code |= mask.astype(np.int64) << k
        if len(names) <= _TABLE_BITS:  # (a table of every code: ~50 times np.unique's speed)
            codes = np.flatnonzero(np.bincount(code, minlength=1))
            rank = np.zeros(1 << len(names), np.int64)
            rank[codes] = np.arange(codes.size)
            kind_of = rank[code]
        else:
            codes, kind_of = np.unique(code, return_inverse=True)
        kinds = [[n for k, n in enumerate(names) if c >> k & 1] for c in codes.tolist()]
        return kinds, kind_of.tolist()

    def failed(self) -> np.ndarray:
        out: np.ndarray = self.status != 0
        return out
