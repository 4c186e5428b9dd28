"""burst_traffic: stretches where the event rate jumps by a factor, then falls back."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import CountSpec, Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase


class BurstTrafficParams(Params):
    burst_share: Rate = Field(0.3, description="Share of events that fall inside bursts.")
    intensity: float = Field(10.0, ge=1, le=1000, description="Rate multiplier in a burst.")
    burst_events: CountSpec = Field(
        default_factory=lambda: CountSpec.model_validate(
            {"dist": "uniform", "low": 50, "high": 200}
        ),
        description="Events per burst.",
    )


class BurstTraffic(Behaviour[BurstTrafficParams]):
    kind = "burst_traffic"
    summary = "Bursts in which the arrival rate is multiplied by the declared intensity."
    phase = Phase.STRUCTURE
    params_model = BurstTrafficParams

    def shape_gaps(self, gaps: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
        p = self.params
        n = gaps.size
        mask = np.zeros(n, bool)
        mean_len = max(1.0, p.burst_events.mean())
        # Alternate calm and burst stretches so bursts cover burst_share of events on average.
        calm_mean = mean_len * (1 - p.burst_share) / max(p.burst_share, 1e-9)
        # Start inside a burst as often as a random moment would be inside one.
        starts_calm = p.burst_share < 1 and rng.random() >= p.burst_share
        i = int(rng.exponential(calm_mean)) if starts_calm else 0
        while i < n:
            length = max(1, int(p.burst_events.sample(rng, 1)[0]))
            mask[i : i + length] = True
            i += length + (int(rng.exponential(calm_mean)) if p.burst_share < 1 else 0)
        gaps[mask] /= p.intensity
        return mask
