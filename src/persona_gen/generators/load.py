"""load: a replayable request schedule for load and soak tests.

One row per request a load tool (k6, Locust, Gatling, JMeter) should send: which virtual
user, when (offset from the run start), with what think time, concurrency and payload size,
and what outcome the persona expects.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from persona_gen.generators.api import ApiGenerator
from persona_gen.generators.base import Record, repeats_of
from persona_gen.personas.trace import TRANSPORT_FAILURE, Trace

__all__ = ["LoadGenerator"]


class LoadGenerator(ApiGenerator):
    name = "load"
    description = "High-volume load test data"
    use_case = "Performance and soak testing"

    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        n = trace.n
        op_index = rng.choice(len(self.operations), n, p=self.weights)
        limited = trace.marks.get("limited")
        if limited is not None:
            op_index = self._without_unsupported(op_index, limited, trace)
        deprecated = trace.marks.get("deprecated")
        sizes = np.zeros(n, np.int64)
        for k, op in enumerate(self.operations):
            rows = np.flatnonzero(op_index == k)
            if rows.size and op.request_body:
                sample = self.synth.records(op.entity or self.entity.name, min(rows.size, 8), rng)
                typical = float(np.mean([len(orjson.dumps(s)) for s in sample]))
                sizes[rows] = (typical * rng.uniform(0.8, 1.25, rows.size)).astype(np.int64)
        sizes = sizes * trace.batch_size
        failure = trace.details.get("failure")
        request_ids, sessions = self.request_ids(trace), self.session_ids(trace)
        tags = trace.tags()
        retries = repeats_of(trace, trace.attempt > 1)
        for row, src in retries:
            op_index[row] = op_index[src]  # a retry repeats its request
        paths, _ = self._paths_and_replies(op_index, rng)
        for row, src in retries:
            paths[row], sizes[row] = paths[src], sizes[src]
        out: list[Record] = []
        for i in range(n):
            op = self.operations[int(op_index[i])]
            legacy = deprecated is not None and bool(deprecated[i])
            version = trace.effects["deprecated"].api_version if legacy else None  # type: ignore[attr-defined]
            status = int(trace.status[i])
            expected: Any = (
                op.success_status
                if status == 0
                else (None if status == TRANSPORT_FAILURE else status)
            )
            out.append(
                {
                    "vu": int(trace.actor[i]),
                    "session_id": sessions[i],
                    "request_id": request_ids[i],
                    "offset_ms": max(0, int(trace.t_ms[i] - self.ctx.epoch_ms)),
                    "think_time_ms": round(float(trace.think_ms[i]), 1),
                    "concurrency": int(trace.concurrency[i]),
                    "method": op.method,
                    "endpoint": self._decorate(op.path, op, version, False),
                    "path": self._decorate(paths[i], op, version, int(trace.batch_size[i]) > 1),
                    "payload_bytes": int(sizes[i]),
                    "batch_size": int(trace.batch_size[i]),
                    "attempt": int(trace.attempt[i]),
                    "expected_status": expected,
                    "expected_error": failure[i] if failure is not None else None,
                    "expected_latency_ms": round(float(trace.latency_ms[i]), 2),
                    "timeout_ms": 30000,
                    "persona": self.ctx.persona.name,
                    "behaviors": tags[i],
                }
            )
        return out
