"""connection_issues: requests fail below HTTP: resets, refusals, TLS and DNS failures."""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from persona_gen.distributions import Rate, check_weights
from persona_gen.personas.behaviours.base import (
    Behaviour,
    Params,
    Phase,
    pick_rows,
    unknown_choices,
)
from persona_gen.personas.trace import Trace

KINDS = (
    "connection_reset",
    "connection_refused",
    "tls_handshake_failed",
    "dns_failure",
    "read_timeout",
)


class ConnectionIssuesParams(Params):
    rate: Rate = Field(0.05, description="Share of requests that fail to connect.")
    kinds: dict[str, float] = Field(
        default_factory=lambda: {
            "connection_reset": 0.4,
            "connection_refused": 0.2,
            "tls_handshake_failed": 0.15,
            "dns_failure": 0.05,
            "read_timeout": 0.2,
        },
        description=f"Failure kinds and weights; any of {', '.join(KINDS)}.",
        json_schema_extra={
            "minProperties": 1,
            "propertyNames": {"enum": list(KINDS)},
            "additionalProperties": {"type": "number", "minimum": 0},
            "not": {"additionalProperties": {"maximum": 0}},  # (not all zero)
        },
    )

    @field_validator("kinds")
    @classmethod
    def _known(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in value if k not in KINDS]
        if unknown:
            raise ValueError(f"{unknown_choices(unknown, KINDS)}; use {', '.join(KINDS)}")
        if not value:
            raise ValueError("weights must be non-negative and not all zero")
        check_weights(list(value.values()))
        # Kinds in KINDS's order: the draws map to kinds in this order, and the order of a
        # YAML mapping's keys must not change the records (docs/determinism.md).
        return {kind: value[kind] for kind in KINDS if kind in value}


class ConnectionIssues(Behaviour[ConnectionIssuesParams]):
    kind = "connection_issues"
    summary = "Transport failures (reset, refused, TLS, DNS, read timeout): no HTTP response."
    phase = Phase.TRANSPORT
    params_model = ConnectionIssuesParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        mask = pick_rows(rng, trace.n, self.params.rate)
        names = np.asarray(list(self.params.kinds), dtype=object)
        weights = np.fromiter(self.params.kinds.values(), np.float64)
        trace.detail("failure")[mask] = rng.choice(
            names, int(mask.sum()), p=weights / weights.sum()
        )
        trace.fail_transport(
            mask,
            np.where(
                trace.detail("failure")[mask] == "read_timeout",
                30000.0,
                rng.uniform(1, 50, mask.sum()),
            ),
        )
        trace.touch(self.name, mask)
