"""rapid_actions: one actor fires several actions within milliseconds (double submits)."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import CountSpec, DurationSpec, Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, take_runs
from persona_gen.personas.trace import Trace


class RapidActionsParams(Params):
    rate: Rate = Field(0.05, description="Share of events that start a rapid run.")
    actions: CountSpec = Field(
        default_factory=lambda: CountSpec.model_validate({"dist": "uniform", "low": 3, "high": 10}),
        description="Actions in a run.",
    )
    gap_ms: DurationSpec = Field(
        default_factory=lambda: DurationSpec.model_validate(
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

        def sizes() -> int:
            return max(2, int(np.rint(p.actions.sample(rng, 1)[0])))

        for run in take_runs(trace, rng, p.rate, sizes):
            start = int(run[0])
            gaps = np.concatenate(([0.0], p.gap_ms.sample(rng, run.size - 1)))
            trace.t_ms[run] = trace.t_ms[start] + np.cumsum(gaps).astype(np.int64)
            trace.think_ms[run[1:]] = gaps[1:]
            touched[run] = True
        trace.touch(self.name, touched)
