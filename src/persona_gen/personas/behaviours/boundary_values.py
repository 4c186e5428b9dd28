"""boundary_values: values at the edges the entity allows: min, max, empty, longest."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, pick_rows
from persona_gen.personas.trace import Trace


class BoundaryValuesParams(Params):
    rate: Rate = Field(0.3, description="Share of events carrying a boundary value.")
    fields_per_record: int = Field(2, ge=1, le=50, description="Fields pushed to an edge.")


class BoundaryValues(Behaviour[BoundaryValuesParams]):
    kind = "boundary_values"
    summary = "Values at the schema's own limits: min/max numbers, empty and longest strings."
    params_model = BoundaryValuesParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        trace.mark("boundary", pick_rows(rng, trace.n, self.params.rate), self.name, self.params)
