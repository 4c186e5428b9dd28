"""slow_processing: everything takes longer; the slowest requests time out."""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from persona_gen.distributions import MAX_DURATION_MS, DistributionSpec
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.trace import TRANSPORT_FAILURE, Trace

MAX_FACTOR = 1000.0
"""The largest slow-down: a factor's mean may not exceed it, and larger draws count as it."""


class SlowProcessingParams(Params):
    factor: DistributionSpec = Field(
        default_factory=lambda: DistributionSpec.model_validate(
            {"dist": "lognormal", "median": 4, "sigma": 0.6}
        ),
        description=(
            f"Multiplier on latency and think time; draws count between 1 and {MAX_FACTOR:g}, "
            f"and the mean may not exceed {MAX_FACTOR:g}."
        ),
    )
    timeout_ms: float = Field(
        10000, gt=0, le=MAX_DURATION_MS, description="Requests slower than this time out."
    )

    @field_validator("factor")
    @classmethod
    def _a_slow_down(cls, factor: DistributionSpec) -> DistributionSpec:
        # (what clipping would make meaningless is refused, as for a time span's mean)
        what = "the value" if factor.root.dist == "constant" else "the mean"
        mean = factor.mean()
        if not mean <= MAX_FACTOR:
            raise ValueError(
                f"{what} ({mean:g}) is above {MAX_FACTOR:g}, the largest slow-down factor"
            )
        return factor


class SlowProcessing(Behaviour[SlowProcessingParams]):
    kind = "slow_processing"
    summary = "Latency and think time multiplied; requests past the timeout fail with 504."
    phase = Phase.OUTCOME
    params_model = SlowProcessingParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        factor = np.clip(self.params.factor.sample(rng, trace.n), 1.0, MAX_FACTOR)
        # A transport failure got no reply to be slow: its latency is how long the client
        # waited (a read timeout: the client's 30 000 ms; a reset or refusal: a few ms), as
        # connection_issues set it. Only replies are slowed and run into the server's timeout.
        slowed = trace.latency_ms * factor
        timed_out = (slowed > self.params.timeout_ms) & (trace.status == 0)
        replied = trace.status != TRANSPORT_FAILURE
        trace.latency_ms = np.where(
            replied, np.minimum(slowed, self.params.timeout_ms), trace.latency_ms
        )
        # (a think time is a time span: never longer than 365 days)
        trace.think_ms = np.minimum(trace.think_ms * factor, MAX_DURATION_MS)
        kept = trace.details.get("reply_latency_ms")
        if kept is not None:  # (the reply a transport failure replaced is as slow, and as
            # capped: an outcome that answers it after all gives a reply within the timeout)
            kept[:] = np.minimum(kept * factor, self.params.timeout_ms)  # (NaN stays NaN)
        trace.status[timed_out] = 504
        trace.detail("failure")[timed_out] = "timeout"
        trace.touch(self.name, factor > 1.0)
