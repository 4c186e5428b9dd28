"""retry_storms: a failed request is retried again and again, with little or no backoff.

A storm takes the events that follow its first try: they become retries of the same request
(same request id, same actor and session), spaced by the backoff, all failing until possibly
the last.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from persona_gen.distributions import CountSpec, DurationSpec, Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, claim_run, pick_rows
from persona_gen.personas.trace import Trace


class RetryStormsParams(Params):
    rate: Rate = Field(0.02, description="Share of requests that start a storm.")
    retries: CountSpec = Field(
        default_factory=lambda: CountSpec.model_validate({"dist": "geometric", "mean": 6}),
        description="Retries after the first try.",
    )
    backoff_ms: DurationSpec = Field(
        default_factory=lambda: DurationSpec.model_validate(
            {"dist": "uniform", "low": 20, "high": 250}
        ),
        description="Pause between attempts (storms barely back off).",
    )
    final_success_share: Rate = Field(0.3, description="Share of storms whose last try works.")
    statuses: list[int] = Field(
        default_factory=lambda: [503, 504, 502, 429],
        min_length=1,
        description="Statuses of the failing attempts (HTTP 400-599).",
        json_schema_extra={"items": {"type": "integer", "minimum": 400, "maximum": 599}},
    )

    @field_validator("statuses")
    @classmethod
    def _http_errors(cls, value: list[int]) -> list[int]:
        bad = [s for s in value if not 400 <= s <= 599]
        if bad:
            raise ValueError(f"{bad} are not HTTP error statuses (400-599)")
        return value


class RetryStorms(Behaviour[RetryStormsParams]):
    kind = "retry_storms"
    summary = "Runs of retries sharing one request id, failing until maybe the last."
    phase = Phase.STRUCTURE
    params_model = RetryStormsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        starts = np.flatnonzero(pick_rows(rng, trace.n, p.rate)).tolist()
        retries = np.maximum(1, p.retries.sample(rng, max(1, len(starts))).astype(int))
        statuses = np.asarray(p.statuses, np.int16)
        touched = np.zeros(trace.n, bool)
        free_from = 0
        for start, k in zip(starts, retries.tolist(), strict=False):
            if start < free_from:
                continue  # inside an earlier storm
            run = claim_run(trace, start, 1 + k)
            if run is None:
                continue
            last = int(run[-1])
            free_from = last + 1
            # (its session's start too, as rapid runs and concurrent groups take it: an
            # out_of_order anomaly of ``session_anomalies`` reads it)
            for col in ("actor", "session", "session_start_ms", "request"):
                arr = getattr(trace, col)
                arr[run] = arr[start]
            gaps = np.concatenate(([0.0], p.backoff_ms.sample(rng, run.size - 1)))
            trace.t_ms[run] = trace.t_ms[start] + np.cumsum(gaps).astype(np.int64)
            trace.attempt[run] = np.arange(1, run.size + 1)
            trace.status[run] = rng.choice(statuses, run.size)
            if rng.random() < p.final_success_share:
                trace.status[last] = 0
            failing = run[trace.status[run] != 0]
            trace.detail("failure")[failing] = "retry_storm"
            touched[run] = True
        trace.touch(self.name, touched)
