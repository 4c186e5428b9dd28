"""burst_traffic: stretches where the event rate jumps by a factor, then falls back."""

from __future__ import annotations

import math

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
        # Alternate calm and burst stretches. The calm stretch after a burst is exponential
        # with mean (burst length) x (1 - share) / share, so bursts cover burst_share of the
        # events whatever the lengths drawn (truncated counts, a few events long); a float
        # cursor keeps the calm lengths' fractions, so they are not rounded away. The
        # alternation starts a few mean cycles before the block, so the block opens at a
        # random moment of it (inside a burst as often as anywhere else, and then part-way).
        calm_per_event = (1 - p.burst_share) / max(p.burst_share, 1e-9)
        cycle = max(1.0, p.burst_events.mean()) * (1 + calm_per_event)
        x = -4.0 * cycle
        while (i := math.floor(x)) < n:
            length = max(1, int(p.burst_events.sample(rng, 1)[0]))
            mask[max(0, i) : max(0, i + length)] = True
            x += length
            if p.burst_share < 1:
                x += float(rng.exponential(length * calm_per_event))
        gaps[mask] /= p.intensity
        return mask
