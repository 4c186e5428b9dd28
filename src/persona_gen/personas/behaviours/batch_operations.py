"""batch_operations: work arrives in batches: bulk requests, producer batches, load batches."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import CountSpec, Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, pick_rows
from persona_gen.personas.trace import Trace


class BatchOperationsParams(Params):
    rate: Rate = Field(0.3, description="Share of events that are (part of) a batch.")
    batch_size: CountSpec = Field(
        default_factory=lambda: CountSpec.model_validate(
            {"dist": "uniform", "low": 10, "high": 100}
        ),
        description="Items per batch.",
    )
    events_per_batch: int = Field(
        8, ge=1, le=10000, description="Consecutive events sent together in one batch."
    )


class BatchOperations(Behaviour[BatchOperationsParams]):
    kind = "batch_operations"
    summary = "Batches: bulk payloads of many items; consecutive events sent together."
    phase = Phase.STRUCTURE
    params_model = BatchOperationsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        group = np.arange(trace.n) // p.events_per_batch
        groups = int(group[-1]) + 1
        chosen = pick_rows(rng, groups, p.rate)
        mask = chosen[group]
        sizes = np.maximum(1, np.rint(p.batch_size.sample(rng, groups)).astype(np.int32))
        trace.batch = np.where(mask, trace.first_index + group * p.events_per_batch, -1)
        trace.batch_size = np.where(mask, sizes[group], 1).astype(np.int32)
        # Events of one batch leave together, when its latest event has happened (earlier
        # behaviours may have moved times, so that is not always the last one in the block).
        latest = np.maximum.reduceat(trace.t_ms, np.arange(0, trace.n, p.events_per_batch))
        wait = (latest[group] - trace.t_ms).astype(np.float64)
        trace.delivery_ms = np.where(mask, trace.delivery_ms + wait, trace.delivery_ms)
        trace.touch(self.name, mask)
