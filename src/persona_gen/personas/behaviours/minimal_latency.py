"""minimal_latency: responses come back fast and tightly distributed."""

from __future__ import annotations

from pydantic import Field

from persona_gen.distributions import DurationSpec
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.clock import Clock


class MinimalLatencyParams(Params):
    latency_ms: DurationSpec = Field(
        default_factory=lambda: DurationSpec.model_validate(
            {"dist": "lognormal", "median": 4, "sigma": 0.3}
        ),
        description="Server latency.",
    )
    think_time_ms: DurationSpec = Field(
        default_factory=lambda: DurationSpec.model_validate({"dist": "exponential", "mean": 50}),
        description="Pause between a machine actor's calls.",
    )


class MinimalLatency(Behaviour[MinimalLatencyParams]):
    kind = "minimal_latency"
    summary = "Low, tight latency and near-zero think time of machine clients."
    phase = Phase.STRUCTURE
    params_model = MinimalLatencyParams

    def configure(self, clock: Clock) -> None:
        clock.latency_ms = self.params.latency_ms
        clock.think_ms = self.params.think_time_ms
        clock.delivery_ms = self.params.latency_ms
