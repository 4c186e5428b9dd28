"""intermittent_connectivity: actors go offline for windows; events then wait or are lost.

Whether an actor is offline is a pure function of (actor, time slot), salted by the run (seed
and persona), so the windows are the same whichever block an event falls in, and others with
another seed. Events inside a window are buffered and delivered in a burst when the window
ends, or lost: a lost event never arrives, and the actor's next delivered event shows the gap
in its sequence number.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, splitmix64
from persona_gen.personas.trace import Trace


class IntermittentConnectivityParams(Params):
    offline_share: Rate = Field(0.1, description="Share of time slots an actor is offline.")
    window_s: float = Field(
        60.0, ge=0.001, le=86400, description="Length of one offline slot (at least 1 ms)."
    )
    on_offline: Literal["buffer", "drop", "mixed"] = Field(
        "mixed", description="What happens to events while offline."
    )
    drop_share: Rate = Field(0.3, description="With 'mixed': share of offline events lost.")


class IntermittentConnectivity(Behaviour[IntermittentConnectivityParams]):
    kind = "intermittent_connectivity"
    summary = "Offline windows per actor: events are buffered and flushed late, or lost."
    phase = Phase.TRANSPORT
    params_model = IntermittentConnectivityParams

    def offline(
        self, actor: np.ndarray, t_ms: np.ndarray, salt: np.uint64
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per event: is its actor offline, and when does that window end (epoch ms).
        ``salt``: the run's and the block's (``actor_salt``)."""
        slot_ms = self.params.window_s * 1000.0
        slot = (t_ms // slot_ms).astype(np.int64)

        def down(s: np.ndarray) -> np.ndarray:
            key = actor.astype(np.uint64) * np.uint64(0x100000001B3) ^ s.astype(np.uint64) ^ salt
            return (splitmix64(key) >> np.uint64(11)) * (1.0 / 2**53) < self.params.offline_share

        is_off = down(slot)
        # A window lasts while consecutive slots are offline too (bounded look-ahead).
        end_slot = slot + 1
        still = is_off.copy()
        for _ in range(8):
            still &= down(end_slot)
            end_slot = np.where(still, end_slot + 1, end_slot)
        return is_off, (end_slot * slot_ms).astype(np.int64)

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        is_off, window_end = self.offline(trace.actor, trace.t_ms, self.actor_salt(trace))
        if not is_off.any():
            return
        p = self.params
        drop_share = {"buffer": 0.0, "drop": 1.0, "mixed": p.drop_share}[p.on_offline]
        lost = is_off & (rng.random(trace.n) < drop_share)
        buffered = is_off & ~lost
        # Buffered events keep their event time and arrive when the actor reconnects.
        flush = rng.exponential(400.0, trace.n)
        trace.delivery_ms = np.where(buffered, (window_end - trace.t_ms) + flush, trace.delivery_ms)
        trace.buffered |= buffered
        # A lost event is replaced by the actor's next event after reconnecting, which carries
        # the gap: the record count stays as asked, the loss shows in sequence numbers.
        catch_up = rng.uniform(0, p.window_s * 1000.0, trace.n).astype(np.int64)
        trace.t_ms = np.where(lost, window_end + catch_up, trace.t_ms)
        trace.lost_before += lost.astype(np.int32)
        _stand_alone(trace, np.flatnonzero(lost))
        trace.detail("offline")[is_off] = np.where(lost[is_off], "lost", "buffered")
        trace.touch(self.name, is_off)


def _stand_alone(trace: Trace, rows: np.ndarray) -> None:
    """Make the stand-ins at ``rows`` the actor's next actions: each a request of its own,
    sent once and alone. A lost event may have been a retry storm's attempt, a concurrent
    group's member or a re-send; its stand-in, moved after the window, kept that event's
    request number, attempt and group, and so came before attempts it was meant to follow.
    The storm or group goes on without it, as one cut short."""
    if not rows.size:
        return
    # (negative: no event of the dataset has such a number, ``Trace.blank`` numbers from 0)
    trace.request[rows] = -1 - (trace.first_index + rows)
    trace.attempt[rows] = 1
    trace.duplicate[rows] = False
    trace.concurrency[rows] = 1
    failure = trace.details.get("failure")
    if failure is not None:  # (a storm's failed attempt: its own request does not fail so)
        storm = rows[failure[rows] == "retry_storm"]
        trace.status[storm] = 0
        failure[storm] = None
