"""errors: a declared share of requests fail with server or client error statuses."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import Field, Strict, field_validator

from persona_gen.distributions import Rate, check_weights
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, pick_rows
from persona_gen.personas.trace import Trace


class ErrorsParams(Params):
    rate: Rate = Field(0.02, description="Share of events that fail.")
    # A status is a mapping key, which YAML and JSON may give as text ("500"): read as a number.
    statuses: dict[Annotated[int, Strict(False)], float] = Field(
        default_factory=lambda: {500: 0.4, 502: 0.1, 503: 0.3, 504: 0.2},
        description="Failure HTTP statuses and their relative weights.",
        json_schema_extra={
            "minProperties": 1,
            "additionalProperties": {"type": "number", "minimum": 0},
            "not": {"additionalProperties": {"maximum": 0}},  # (not all zero)
        },
    )

    @field_validator("statuses", mode="before")
    @classmethod
    def _once_each(cls, value: Any) -> Any:
        """A status given twice, as a number and as text (``500`` and ``"500"``), would be
        read as one whose weight is the last: refused, as a repeated YAML key is."""
        if isinstance(value, dict):
            seen: dict[str, Any] = {}
            for key in value:
                text = str(key).strip()
                number = str(int(text)) if text.lstrip("+-").isdigit() else text
                if number in seen:
                    raise ValueError(
                        f"status {number} is given twice ({seen[number]!r} and {key!r})"
                    )
                seen[number] = key
        return value

    @field_validator("statuses")
    @classmethod
    def _valid(cls, value: dict[int, float]) -> dict[int, float]:
        if not value:
            raise ValueError("at least one status is needed")
        for status, weight in value.items():
            if not 400 <= status <= 599:
                raise ValueError(f"status {status} is not an HTTP error status (400-599)")
            if weight < 0:
                raise ValueError(f"weight of {status} must not be negative")
        if sum(value.values()) <= 0:
            raise ValueError("weights must not all be zero")
        check_weights(list(value.values()))
        # Statuses by number: the draws map to statuses in this order, and the order of a
        # YAML mapping's keys must not change the records (docs/determinism.md).
        return dict(sorted(value.items()))


class Errors(Behaviour[ErrorsParams]):
    kind = "errors"
    summary = "A declared share of events fail with weighted HTTP error statuses."
    phase = Phase.OUTCOME
    params_model = ErrorsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        mask = pick_rows(rng, trace.n, self.params.rate)
        codes = np.fromiter(self.params.statuses, np.int16)
        weights = np.fromiter(self.params.statuses.values(), np.float64)
        trace.reply(mask, rng.choice(codes, int(mask.sum()), p=weights / weights.sum()))
        if "failure" in trace.details:  # the reason of an earlier failure no longer applies
            trace.details["failure"][mask] = None
        trace.touch(self.name, mask)
