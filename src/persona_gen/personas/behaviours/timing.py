"""timing: how often the population acts, how long actors pause, how fast servers answer."""

from __future__ import annotations

from pydantic import Field

from persona_gen.distributions import DurationSpec
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.clock import Clock


class TimingParams(Params):
    rate_per_second: float = Field(2.0, gt=0, le=1e7, description="Events per second, all actors.")
    think_time_ms: DurationSpec = Field(
        default_factory=lambda: DurationSpec.model_validate(
            {"dist": "lognormal", "median": 3000, "sigma": 0.8}
        ),
        description="An actor's pause between two actions.",
    )
    latency_ms: DurationSpec = Field(
        default_factory=lambda: DurationSpec.model_validate(
            {"dist": "lognormal", "median": 120, "sigma": 0.5}
        ),
        description="Server response time.",
    )
    arrival_cv: float = Field(1.0, gt=0, le=10, description="Gap variation: 1 = Poisson.")


class Timing(Behaviour[TimingParams]):
    kind = "timing"
    summary = "Event rate, think time between actions and server latency."
    phase = Phase.STRUCTURE
    params_model = TimingParams

    def configure(self, clock: Clock) -> None:
        clock.rate_per_second = self.params.rate_per_second
        clock.think_ms = self.params.think_time_ms
        clock.latency_ms = self.params.latency_ms
        clock.gap_cv = self.params.arrival_cv
