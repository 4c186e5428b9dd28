"""sustained_load: a high, steady arrival rate with little variation between gaps."""

from __future__ import annotations

from pydantic import Field

from persona_gen.distributions import MIN_CV
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.clock import Clock


class SustainedLoadParams(Params):
    rate_per_second: float = Field(500.0, gt=0, le=1e7, description="Steady events per second.")
    regularity_cv: float = Field(
        0.3, ge=MIN_CV, le=1, description="Gap variation (lower = steadier)."
    )


class SustainedLoad(Behaviour[SustainedLoadParams]):
    kind = "sustained_load"
    summary = "A high steady rate: gamma gaps with a low coefficient of variation."
    phase = Phase.STRUCTURE
    params_model = SustainedLoadParams

    def configure(self, clock: Clock) -> None:
        clock.rate_per_second = self.params.rate_per_second
        clock.gap_cv = self.params.regularity_cv
