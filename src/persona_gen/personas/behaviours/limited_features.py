"""limited_features: an old client knows fewer fields and methods and small payloads only."""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from persona_gen.distributions import Rate
from persona_gen.entities.keys import HTTP_METHODS
from persona_gen.personas.behaviours.base import Behaviour, Params, pick_rows, unknown_choices
from persona_gen.personas.trace import Trace

# Any spelling of an HTTP method (`patch`, `Patch`), as the published JSON Schema says it.
_ANY_CASE = (
    "^(?:"
    + "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in method) for method in HTTP_METHODS)
    + ")$"
)


class LimitedFeaturesParams(Params):
    rate: Rate = Field(1.0, description="Share of events from a limited client.")
    unsupported_methods: list[str] = Field(
        default_factory=lambda: ["PATCH"],
        description="HTTP methods the client cannot use (any case).",
        json_schema_extra={"items": {"type": "string", "pattern": _ANY_CASE}},
    )
    optional_field_drop: Rate = Field(
        0.6, description="Share of optional fields the client never sends (it predates them)."
    )
    max_items: int = Field(3, ge=0, le=10**9, description="Largest array the client sends.")
    no_compression: bool = Field(True, description="The client sends no Accept-Encoding.")

    @field_validator("unsupported_methods")
    @classmethod
    def _methods(cls, value: list[str]) -> list[str]:
        # A misspelt method (`PACTH`) would match no request and limit nothing, silently.
        unknown = [m for m in value if m.upper() not in HTTP_METHODS]
        if unknown:
            raise ValueError(
                f"{unknown_choices(unknown, HTTP_METHODS)}; use {', '.join(HTTP_METHODS)} "
                "(any case)"
            )
        return value


class LimitedFeatures(Behaviour[LimitedFeaturesParams]):
    kind = "limited_features"
    summary = "Fewer methods, no newer optional fields, short arrays, no compression."
    params_model = LimitedFeaturesParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        trace.mark("limited", pick_rows(rng, trace.n, self.params.rate), self.name, self.params)
