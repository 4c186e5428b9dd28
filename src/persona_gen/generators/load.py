"""load: a replayable request schedule for load and soak tests.

One row per request a load tool (k6, Locust, Gatling, JMeter) should send: which virtual
user, when (offset from the run start), with what think time, concurrency and payload size,
and what outcome the persona expects.
"""

from __future__ import annotations

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
        paths, _ = self._paths_and_replies(op_index, rng, replies=False)
        for row, src in retries:
            paths[row], sizes[row] = paths[src], sizes[src]
        # Columns first (one conversion per column), then one dict literal per record.
        ops = [self.operations[k] for k in op_index.tolist()]
        legacy, version = self._legacy(trace)
        batch_size = trace.batch_size.tolist()
        endpoints = {
            (k, flag): self._decorate(op.path, op, version if flag else None, False)
            for k, op in enumerate(self.operations)
            for flag in (False, True)
        }
        status = trace.status.tolist()
        offsets = np.maximum(trace.t_ms - self.ctx.epoch_ms, 0).tolist()
        think = [round(v, 1) for v in trace.think_ms.tolist()]
        latency = [round(v, 2) for v in trace.latency_ms.tolist()]
        actor, concurrency = trace.actor.tolist(), trace.concurrency.tolist()
        attempt, payload_bytes = trace.attempt.tolist(), sizes.tolist()
        failures = failure.tolist() if failure is not None else [None] * n
        persona = self.ctx.persona.name
        out: list[Record] = []
        for i, (op, k) in enumerate(zip(ops, op_index.tolist(), strict=True)):
            flag = legacy[i]
            out.append(
                {
                    "vu": actor[i],
                    "session_id": sessions[i],
                    "request_id": request_ids[i],
                    "offset_ms": offsets[i],
                    "think_time_ms": think[i],
                    "concurrency": concurrency[i],
                    "method": op.method,
                    "endpoint": endpoints[k, flag],
                    "path": self._decorate(
                        paths[i], op, version if flag else None, batch_size[i] > 1
                    ),
                    "payload_bytes": payload_bytes[i],
                    "batch_size": batch_size[i],
                    "attempt": attempt[i],
                    "expected_status": op.success_status
                    if status[i] == 0
                    else (None if status[i] == TRANSPORT_FAILURE else status[i]),
                    "expected_error": failures[i],
                    "expected_latency_ms": latency[i],
                    "timeout_ms": 30000,
                    "persona": persona,
                    "behaviors": tags[i],
                }
            )
        return out
