"""session_anomalies: sessions that misbehave: expired, reused, missing, out of order."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, one_of, pick_rows
from persona_gen.personas.trace import Trace

KINDS = ("expired_token", "reused_session", "missing_session", "out_of_order", "concurrent_login")


class SessionAnomaliesParams(Params):
    rate: Rate = Field(0.05, description="Share of events with a session anomaly.")
    kinds: Annotated[list[str], one_of(KINDS)] = Field(
        default_factory=lambda: list(KINDS),
        description=f"Anomalies to produce: {', '.join(KINDS)}.",
    )


class SessionAnomalies(Behaviour[SessionAnomaliesParams]):
    kind = "session_anomalies"
    summary = "Expired tokens (401), sessions reused by another actor, missing or stale ids."
    phase = Phase.STRUCTURE
    # (runs, storms and groups set a taken event's time, actor and session anew)
    last_in_phase = True
    params_model = SessionAnomaliesParams

    def reads_session_starts(self) -> bool:
        return "out_of_order" in self.params.kinds

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        mask = pick_rows(rng, trace.n, self.params.rate)
        rows = np.flatnonzero(mask)
        kinds = rng.choice(np.asarray(self.params.kinds, dtype=object), rows.size)
        trace.detail("session_anomaly")[rows] = kinds
        # Each session's first event time, before any event is moved (maybe in an earlier
        # block): an out-of-order event claims a time before it (a moved event must not
        # become the next one's reference).
        ids, at = np.unique(trace.session, return_inverse=True)
        first = np.full(ids.size, np.iinfo(np.int64).max)
        np.minimum.at(first, at, np.minimum(trace.t_ms, trace.session_start_ms))
        session_start = first[at]
        actors = max(1, int(trace.actor.max()) + 1)
        for row, kind in zip(rows.tolist(), kinds.tolist(), strict=True):
            if kind == "reused_session":
                # Another actor presents this session's id (fixation / hijack): an offset of
                # 1 .. actors-1, never a whole turn back to the same actor.
                trace.actor[row] = (trace.actor[row] + rng.integers(1, max(2, actors))) % actors
            elif kind == "expired_token":
                trace.status[row] = 401
            elif kind == "out_of_order":
                # The event claims a time before its session could have started.
                trace.t_ms[row] = int(session_start[row]) - int(rng.uniform(1_000, 60_000))
            elif kind == "concurrent_login":
                # A second session, numbered apart from the laid-out ones. A session carried
                # from an earlier block gets a second one apart from the one it had there:
                # each block numbers its events from 0 (streaming's sequence), so one id
                # in two blocks would repeat its numbers.
                carried = trace.block - int(trace.session[row]) // trace.n
                trace.session[row] += trace.n * 10**6 * (1 + carried)
        trace.mark("session_anomaly", mask, self.name, self.params)
