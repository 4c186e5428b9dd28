"""Timeline parameters that behaviours configure before a block's events are laid out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from persona_gen.distributions import CountSpec, DurationSpec

__all__ = ["Clock"]


def _duration(value: object) -> DurationSpec:
    return DurationSpec.model_validate(value)


@dataclass
class Clock:
    """How events are spaced and grouped, before behaviours reshape them."""

    rate_per_second: float = 1.0  # mean events per second across the whole population
    gap_cv: float = 1.0  # variation of inter-arrival gaps: 1 Poisson, <1 regular, >1 clumpy
    think_ms: DurationSpec = field(
        default_factory=lambda: _duration({"dist": "lognormal", "median": 3000, "sigma": 0.8})
    )
    latency_ms: DurationSpec = field(
        default_factory=lambda: _duration({"dist": "lognormal", "median": 120, "sigma": 0.5})
    )
    delivery_ms: DurationSpec = field(
        default_factory=lambda: _duration({"dist": "lognormal", "median": 25, "sigma": 0.4})
    )
    session_length: CountSpec = field(
        default_factory=lambda: CountSpec.model_validate({"dist": "geometric", "mean": 12})
    )
    users: int = 1000
    latency_factor: float = 1.0

    def concurrent_sessions(self) -> int:
        """Little's law: sessions active at once = arrival rate x time between an actor's acts."""
        per_session_gap_s = self.think_ms.mean() / 1000.0
        return max(1, min(4096, math.ceil(self.rate_per_second * per_session_gap_s)))

    def block_span_ms(self, block_size: int) -> float:
        return block_size * 1000.0 / self.rate_per_second
