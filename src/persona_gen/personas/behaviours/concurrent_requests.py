"""concurrent_requests: one actor has several requests in flight at the same moment."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import CountSpec, Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, take_runs
from persona_gen.personas.trace import Trace


class ConcurrentRequestsParams(Params):
    rate: Rate = Field(0.05, description="Share of events that start a concurrent group.")
    concurrency: CountSpec = Field(
        default_factory=lambda: CountSpec.model_validate({"dist": "uniform", "low": 2, "high": 16}),
        description="Requests in flight together.",
    )
    jitter_ms: float = Field(3.0, ge=0, le=1000, description="Spread of their start times.")


class ConcurrentRequests(Behaviour[ConcurrentRequestsParams]):
    kind = "concurrent_requests"
    summary = "Groups of simultaneous requests from one actor and session."
    phase = Phase.STRUCTURE
    params_model = ConcurrentRequestsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        touched = np.zeros(trace.n, bool)

        def sizes() -> int:
            return max(2, int(np.rint(p.concurrency.sample(rng, 1)[0])))

        for group in take_runs(trace, rng, p.rate, sizes):
            start = int(group[0])
            jitter = rng.uniform(0, p.jitter_ms, group.size).astype(np.int64)
            trace.t_ms[group] = trace.t_ms[start] + jitter
            trace.concurrency[group] = group.size
            trace.think_ms[group[1:]] = 0.0
            touched[group] = True
        trace.touch(self.name, touched)
