"""delayed_transmission: some events arrive long after they happened (late, out of order)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import DurationSpec, Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, pick_rows
from persona_gen.personas.trace import Trace


class DelayedTransmissionParams(Params):
    rate: Rate = Field(0.2, description="Share of events delivered late.")
    delay_ms: DurationSpec = Field(
        default_factory=lambda: DurationSpec.model_validate(
            {"dist": "lognormal", "median": 30000, "sigma": 1.0}
        ),
        description="Extra delay of a late event.",
    )
    duplicate_rate: Rate = Field(0.0, description="Share of events re-sent (delivered twice).")


class DelayedTransmission(Behaviour[DelayedTransmissionParams]):
    kind = "delayed_transmission"
    summary = "Late delivery (event time far before arrival) and optional re-sends."
    phase = Phase.TRANSPORT
    params_model = DelayedTransmissionParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        late = pick_rows(rng, trace.n, p.rate)
        trace.delivery_ms = trace.delivery_ms + np.where(late, p.delay_ms.sample(rng, trace.n), 0)
        trace.touch(self.name, late)
        if p.duplicate_rate > 0:
            # A duplicate repeats the event just before it: same request id, attempt and event
            # time, a later arrival. Two in a row are two re-sends of the same event (a duplicate's
            # source is the last original before it), so the share of re-sends is the rate.
            dup = pick_rows(rng, trace.n, p.duplicate_rate)
            dup[0] = False
            rows = np.flatnonzero(dup)
            last_original = np.maximum.accumulate(np.where(dup, 0, np.arange(trace.n)))
            src = last_original[rows]
            for col in ("t_ms", "actor", "session", "request", "attempt"):
                arr = getattr(trace, col)
                arr[rows] = arr[src]
            trace.delivery_ms[rows] = trace.delivery_ms[src] + rng.exponential(5000, rows.size)
            trace.lost_before[rows] = 0  # a re-send loses nothing of its own
            trace.duplicate |= dup
            trace.touch(self.name, dup)
