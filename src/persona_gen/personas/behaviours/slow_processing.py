"""slow_processing: everything takes longer; the slowest requests time out."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import MAX_DURATION_MS, DistributionSpec
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.trace import Trace


class SlowProcessingParams(Params):
    factor: DistributionSpec = Field(
        default_factory=lambda: DistributionSpec.model_validate(
            {"dist": "lognormal", "median": 4, "sigma": 0.6}
        ),
        description="Multiplier on latency and think time.",
    )
    timeout_ms: float = Field(
        10000, gt=0, le=MAX_DURATION_MS, description="Requests slower than this time out."
    )


class SlowProcessing(Behaviour[SlowProcessingParams]):
    kind = "slow_processing"
    summary = "Latency and think time multiplied; requests past the timeout fail with 504."
    phase = Phase.OUTCOME
    params_model = SlowProcessingParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        factor = np.maximum(1.0, self.params.factor.sample(rng, trace.n))
        trace.latency_ms = trace.latency_ms * factor
        trace.think_ms = trace.think_ms * factor
        timed_out = (trace.latency_ms > self.params.timeout_ms) & (trace.status == 0)
        trace.latency_ms = np.minimum(trace.latency_ms, self.params.timeout_ms)
        trace.status[timed_out] = 504
        trace.detail("failure")[timed_out] = "timeout"
        trace.touch(self.name, factor > 1.0)
