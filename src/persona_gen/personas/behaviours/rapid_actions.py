"""rapid_actions: one actor fires several actions within milliseconds (double submits)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import DistributionSpec, Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, pick_rows
from persona_gen.personas.trace import Trace


class RapidActionsParams(Params):
    rate: Rate = Field(0.05, description="Share of events that start a rapid run.")
    actions: DistributionSpec = Field(
        default_factory=lambda: DistributionSpec.model_validate(
            {"dist": "uniform", "low": 3, "high": 10}
        ),
        description="Actions in a run.",
    )
    gap_ms: DistributionSpec = Field(
        default_factory=lambda: DistributionSpec.model_validate(
            {"dist": "uniform", "low": 5, "high": 80}
        ),
        description="Time between actions in a run.",
    )


class RapidActions(Behaviour[RapidActionsParams]):
    kind = "rapid_actions"
    summary = "Runs of distinct actions by one actor milliseconds apart."
    phase = Phase.STRUCTURE
    params_model = RapidActionsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        touched = np.zeros(trace.n, bool)
        free_from = 0
        for start in np.flatnonzero(pick_rows(rng, trace.n, p.rate)).tolist():
            if start < free_from:
                continue
            size = max(2, round(p.actions.sample(rng, 1)[0]))
            run = np.arange(start, min(trace.n, start + size))
            free_from = int(run[-1]) + 1
            trace.actor[run] = trace.actor[start]
            trace.session[run] = trace.session[start]
            gaps = np.concatenate(([0.0], p.gap_ms.sample(rng, run.size - 1)))
            trace.t_ms[run] = trace.t_ms[start] + np.cumsum(gaps).astype(np.int64)
            trace.think_ms[run[1:]] = gaps[1:]
            touched[run] = True
        trace.touch(self.name, touched)
