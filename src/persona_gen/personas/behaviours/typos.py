"""typos: free-text values typed by hand carry small keyboard mistakes."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, pick_rows
from persona_gen.personas.trace import Trace


class TyposParams(Params):
    rate: Rate = Field(0.03, description="Share of events whose payload has a typo.")
    max_edits: int = Field(
        1, ge=1, le=5, description="Most edits per affected value (1 to max_edits, uniformly)."
    )


class Typos(Behaviour[TyposParams]):
    kind = "typos"
    summary = "Keyboard mistakes (swap, drop, double, neighbour key) in free-text values."
    params_model = TyposParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        trace.mark("typo", pick_rows(rng, trace.n, self.params.rate), self.name, self.params)
