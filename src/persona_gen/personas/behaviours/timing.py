"""timing: how often the population acts, how long actors pause, how fast servers answer."""

from __future__ import annotations

from pydantic import Field

from persona_gen.distributions import MIN_CV, DurationSpec
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.clock import Clock

# A timing block's defaults are the engine's own defaults (a Clock nobody configured), so
# `timing: {}` gives the same timeline as no timing block at all.
_UNSET = Clock()


class TimingParams(Params):
    rate_per_second: float = Field(
        _UNSET.rate_per_second, gt=0, le=1e7, description="Events per second, all actors."
    )
    think_time_ms: DurationSpec = Field(
        default_factory=lambda: _UNSET.think_ms,
        description="An actor's pause between two actions.",
    )
    latency_ms: DurationSpec = Field(
        default_factory=lambda: _UNSET.latency_ms,
        description="Server response time.",
    )
    arrival_cv: float = Field(
        _UNSET.gap_cv, ge=MIN_CV, le=10, description="Gap variation: 1 = Poisson."
    )


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
