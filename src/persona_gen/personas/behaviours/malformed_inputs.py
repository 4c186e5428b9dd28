"""malformed_inputs: payloads that break the contract on purpose, each labelled with how."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, one_of, pick_rows
from persona_gen.personas.trace import Trace

KINDS = (
    "wrong_type",
    "missing_required",
    "injection",
    "overlong",
    "null_byte",
    "invalid_enum",
    "bad_format",
    "truncated_json",
)


class MalformedInputsParams(Params):
    rate: Rate = Field(0.1, description="Share of events with a malformed payload.")
    kinds: Annotated[list[str], one_of(KINDS)] = Field(
        default_factory=lambda: list(KINDS), description=f"Kinds of damage: {', '.join(KINDS)}."
    )


class MalformedInputs(Behaviour[MalformedInputsParams]):
    kind = "malformed_inputs"
    summary = "Payloads broken on purpose (wrong types, injections, overlong...), labelled."
    params_model = MalformedInputsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        mask = pick_rows(rng, trace.n, self.params.rate)
        kinds = np.asarray(self.params.kinds, dtype=object)
        trace.detail("malformed")[mask] = rng.choice(kinds, int(mask.sum()))
        trace.mark("malformed", mask, self.name, self.params)
