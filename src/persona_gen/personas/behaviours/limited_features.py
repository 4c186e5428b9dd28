"""limited_features: an old client knows fewer fields and methods and small payloads only."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, pick_rows
from persona_gen.personas.trace import Trace


class LimitedFeaturesParams(Params):
    rate: Rate = Field(1.0, description="Share of events from a limited client.")
    unsupported_methods: list[str] = Field(
        default_factory=lambda: ["PATCH"], description="HTTP methods the client cannot use."
    )
    optional_field_drop: Rate = Field(
        0.6, description="Share of optional fields the client never sends (it predates them)."
    )
    max_items: int = Field(3, ge=0, le=10**9, description="Largest array the client sends.")
    no_compression: bool = Field(True, description="The client sends no Accept-Encoding.")


class LimitedFeatures(Behaviour[LimitedFeaturesParams]):
    kind = "limited_features"
    summary = "Fewer methods, no newer optional fields, short arrays, no compression."
    params_model = LimitedFeaturesParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        trace.mark("limited", pick_rows(rng, trace.n, self.params.rate), self.name, self.params)
