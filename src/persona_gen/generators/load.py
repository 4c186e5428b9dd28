"""load: a replayable request schedule for load and soak tests.

One row per request a load tool (k6, Locust, Gatling, JMeter) should send: which virtual
user, when (offset from the run start), with what think time, concurrency and payload size,
and what outcome the persona expects.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import quote

import numpy as np
import orjson

from persona_gen.entities.one_way import leave_out
from persona_gen.generators.api import MAX_BATCH_ITEMS, ApiGenerator
from persona_gen.generators.base import Record, repeats_of, sources_of
from persona_gen.generators.effects import repeat_tags
from persona_gen.generators.exchange import patch_of
from persona_gen.generators.forms import query_string
from persona_gen.personas.trace import TRANSPORT_FAILURE, Trace
from persona_gen.seeds import block_stream
from persona_gen.values.numbers import round_many
from persona_gen.values.rows import Column, RowColumns

__all__ = ["LoadGenerator"]

_SAMPLE = 64  # request bodies drawn to size an operation's payload
_TIMEOUT_MS = 30_000
_NAMES = (
    "vu",
    "session_id",
    "request_id",
    "offset_ms",
    "think_time_ms",
    "concurrency",
    "method",
    "endpoint",
    "path",
    "query",
    "payload_bytes",
    "batch_size",
    "attempt",
    "expected_status",
    "expected_error",
    "expected_latency_ms",
    "timeout_ms",
    "persona",
    "behaviors",
)


class LoadGenerator(ApiGenerator):
    name = "load"
    description = "High-volume load test data"
    use_case = "Performance and soak testing"
    flat_rows = True

    def sparse_columns(self) -> dict[str, str]:
        return {"expected_status": "integer", "expected_error": "string"}

    @cached_property
    def _typical_sizes(self) -> np.ndarray:
        """Per operation, the mean JSON size of its request body (0 without one), from a
        sample drawn once per dataset: the size is the schema's, not the block's, and drawing
        a sample per operation and block was a third of the generator's time."""
        rng = block_stream(self.ctx.seed, self.ctx.dataset, self.ctx.persona.name, "payload size")
        typical = np.zeros(len(self.operations))
        for k, op in enumerate(self.operations):
            if op.request_body:
                entity = op.entity or self.entity.name
                sample = self.synth.records(entity, _SAMPLE, rng)
                # (what the api generator sends: no readOnly field, at any depth)
                leave_out(sample, self.read_only.get(entity))
                if op.method == "PATCH":  # (what the api generator sends for one)
                    sample = [patch_of(s) for s in sample]
                typical[k] = np.mean([len(orjson.dumps(s)) for s in sample])
        return typical

    @cached_property
    def _batchable(self) -> np.ndarray:
        """Per operation, whether a batch sends it as one POST of items to ``<path>/batch``
        (as the api generator does: a POST with a JSON body, never a form's); any other
        request of a batch is sent as it is, with one body."""
        return np.array(
            [
                op.method == "POST" and bool(op.request_body) and op.request_media is None
                for op in self.operations
            ],
            dtype=bool,
        )

    @cached_property
    def _headed(self) -> bool:
        """Whether some operation declares header or cookie parameters: its rows then carry
        a ``headers`` column (after ``query``) of what the api generator sends for them."""
        return any(op.header_params or op.cookie_params for op in self.operations)

    @cached_property
    def _names(self) -> tuple[str, ...]:
        if not self._headed:
            return _NAMES
        at = _NAMES.index("query") + 1
        return (*_NAMES[:at], "headers", *_NAMES[at:])

    @cached_property
    def _queried(self) -> bool:
        """Whether some operation sends a query (as ``ApiGenerator._queries`` draws them: a
        built-in list request pages, an imported operation its declared parameters)."""
        return any(
            op.query_params or (not self.from_spec and op.method == "GET" and op.response_array)
            for op in self.operations
        )

    def _query_texts(
        self, trace: Trace, op_index: np.ndarray, same: np.ndarray | None
    ) -> list[str]:
        """Per row, the query string its request sends ("" without one): drawn as the api
        generator draws a request's query (``_queries``), from a stream of its own, so every
        other value of the block is the one drawn without it; a retry or a re-send sends its
        source's (``same``; None: no row repeats another)."""
        if not self._queried:
            return [""] * trace.n
        texts = [""] * trace.n
        for rows, params in self.query_columns(op_index, self.side_stream(trace, "query")):
            columns = [_pair_texts(name, values) for name, _, values in params]
            # (the usual case, a built-in list's page and limit: every pair on every row)
            if all(len(c) == len(rows) and "" not in c for c in columns):
                for row, text in zip(rows, map("&".join, zip(*columns, strict=True)), strict=True):
                    texts[row] = text
                continue
            pieces: list[list[str]] = [[] for _ in rows]
            for (_, chosen, _), column in zip(params, columns, strict=True):
                for j, text in zip(chosen, column, strict=True):
                    if text:  # (an empty array sends no pair)
                        pieces[j].append(text)
            for row, each in zip(rows, pieces, strict=True):
                texts[row] = "&".join(each)
        return texts if same is None else [texts[s] for s in same.tolist()]

    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        return self.columns_block(trace, rng).rows()

    def columns_block(self, trace: Trace, rng: np.random.Generator) -> RowColumns:
        n = trace.n
        op_index = rng.choice(len(self.operations), n, p=self.weights)
        limited = trace.marks.get("limited")
        if limited is not None:
            op_index = self._without_unsupported(op_index, limited, trace)
        jitter = rng.uniform(0.8, 1.25, n)
        failure = trace.details.get("failure")
        request_ids, sessions = self.request_ids(trace), self.session_ids(trace)
        # A retry or a re-send repeats its request (as in ``ApiGenerator.block``), and is
        # tagged with the behaviours that shaped that request.
        repeats = repeats_of(trace, (trace.attempt > 1) | trace.duplicate)
        same = sources_of(n, repeats)
        tags = repeat_tags(trace, same)
        for row, src in self._retries(trace, repeats):
            op_index[row] = op_index[src]
        paths, _, _ = self._paths_and_replies(op_index, rng, replies=False)
        op_index = op_index[same]
        # Items per request: a batch POST's (at most MAX_BATCH_ITEMS, as the api generator
        # sends), 1 for every other request, a batch's GET or PUT included.
        batch_size = np.where(
            self._batchable[op_index], np.clip(trace.batch_size[same], 1, MAX_BATCH_ITEMS), 1
        ).astype(np.int32)
        sizes = (self._typical_sizes[op_index] * jitter).astype(np.int64) * batch_size
        for row, src in repeats:
            paths[row], sizes[row] = paths[src], sizes[src]
        queries = self._query_texts(trace, op_index, same if repeats else None)
        # Column by column (numbers as arrays); rows, where wanted, from the columns.
        op_list = op_index.tolist()
        ops = [self.operations[k] for k in op_list]
        legacy, version = self._legacy(trace, same)
        endpoint_of = {
            (k, flag): self._decorate(op.path, op, version if flag else None, False)
            for k, op in enumerate(self.operations)
            for flag in (False, True)
        }
        batched = (batch_size > 1).tolist()
        decorated = [
            self._decorate(path, op, version if flag else None, batch) if flag or batch else path
            for path, op, flag, batch in zip(paths, ops, legacy, batched, strict=True)
        ]
        expected = [
            op.success_status if s == 0 else (None if s == TRANSPORT_FAILURE else s)
            for op, s in zip(ops, trace.status.tolist(), strict=True)
        ]
        columns: list[Column] = [
            trace.actor,
            sessions,
            request_ids,
            np.maximum(trace.t_ms - self.ctx.epoch_ms, 0),
            round_many(trace.think_ms, 1),
            trace.concurrency,
            [op.method for op in ops],
            [endpoint_of[key] for key in zip(op_list, legacy, strict=True)],
            decorated,
            queries,
            sizes,
            batch_size,
            trace.attempt,
            expected,
            failure.tolist() if failure is not None else [None] * n,
            round_many(trace.latency_ms, 2),
            [_TIMEOUT_MS] * n,
            [self.ctx.persona.name] * n,
            tags,
        ]
        if self._headed:
            declared = self.declared_headers(trace, op_index, same)
            headers = [declared.get(i, {}) for i in range(n)]
            columns.insert(_NAMES.index("query") + 1, headers)
        return RowColumns(self._names, columns)


def _pair_texts(name: str, values: list[Any]) -> list[str]:
    """Per value of query parameter ``name``, its ``name=value`` text (``query_string``), each
    distinct value written once (an integer as it is: its digits need no escape)."""
    key = quote(name, safe="")
    known: dict[tuple[type, Any], str] = {}  # (typed: True is no 1)
    out = []
    for value in values:
        if type(value) is int:
            out.append(f"{key}={value}")
        elif isinstance(value, dict | list):
            out.append(query_string({name: value}))
        elif (text := known.get((type(value), value))) is None:
            out.append(known.setdefault((type(value), value), query_string({name: value})))
        else:
            out.append(text)
    return out
