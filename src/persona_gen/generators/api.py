"""api: REST request/response pairs for contract and integration testing.

Each record is one HTTP exchange of an actor's session: the operation comes from the domain
(the built-in CRUD resources or an imported OpenAPI spec), the outcome from the persona's
trace (errors, timeouts, transport failures, rate limits, retries), and the request body
from the entity, changed by the persona's content effects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import quote

import numpy as np
import orjson

from persona_gen.entities.media import MULTIPART, media_kind
from persona_gen.entities.model import Entity, Operation, Schema, deref, flat_variants
from persona_gen.entities.one_way import LeftOut, leave_out, one_way_fields
from persona_gen.generators.base import Generator, Record, repeats_of, sources_of
from persona_gen.generators.bodies import BASE64, as_bytes, as_text, base64_text, to_xml
from persona_gen.generators.effects import PayloadEffects, repeat_tags
from persona_gen.generators.exchange import (
    Carried,
    PathValues,
    agree,
    agree_error,
    carried_fields,
    field_for,
    fitting,
    in_item,
    in_path,
    not_null,
    params_of,
    patch_of,
    path_texts,
    variant_to_reply,
)
from persona_gen.generators.forms import binary_fields
from persona_gen.generators.forms import encode as encode_form
from persona_gen.generators.mutations import Outcome
from persona_gen.generators.paths import top_key
from persona_gen.personas.trace import TRANSPORT_FAILURE, Trace
from persona_gen.values.numbers import round_many
from persona_gen.values.rows import rows_from_columns
from persona_gen.values.vocab import words

__all__ = ["ApiGenerator"]

# A batch POST carries at most this many items (the load schedule counts them the same way).
MAX_BATCH_ITEMS = 50

_METHOD_WEIGHT = {"GET": 6.0, "POST": 2.0, "PUT": 0.8, "PATCH": 0.7, "DELETE": 0.5}
_UUID_SCHEMA = Schema("string", format="uuid")
_LEGACY_AGENTS = [
    "Java/1.6.0_45",
    "okhttp/2.7.5",
    "Apache-HttpClient/4.2.1 (java 1.5)",
    "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1)",
    "python-requests/1.2.3",
]


class _Requests(NamedTuple):
    """The requests of a block's events, one item per event (``part_headers``: by event, for
    the events that send some)."""

    bodies: list[Any]
    outcomes: list[list[Outcome]]  # (what the persona's effects broke in each body)
    paths: list[str]
    replies: list[Any]  # (the body a success answers with)
    named: list[PathValues | None]  # (the values of the path's parameters)
    queries: list[Any]
    part_headers: dict[int, dict[str, dict[str, str]]]  # (see ``ApiGenerator._part_headers``)
    same: np.ndarray  # (the row whose request each event sends: see ``sources_of``)
    left_out: list[LeftOut | None]  # (the nested readOnly values each body does not send)


class ApiGenerator(Generator):
    name = "api"
    description = "REST API request/response data"
    use_case = "Contract testing, integration testing"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ops = list(self.ctx.domain.operations)
        if not ops:
            from persona_gen.entities.builtin import crud_operations

            ops = crud_operations(self.entity)
        self.operations = ops
        # Operations an imported spec declares (their queries are the spec's own).
        self.from_spec = bool(self.ctx.domain.operations) and self.ctx.domain.source != "builtin"
        weights = np.asarray([_METHOD_WEIGHT.get(op.method, 1.0) for op in ops], np.float64)
        self.weights = weights / weights.sum()
        files = self._file_fields(ops)
        self.effects = {
            name: PayloadEffects(self.ctx.domain, ent, files.get(name, frozenset()))
            for name, ent in self.ctx.domain.entities.items()
        }
        # Fields a request never sends (readOnly) and a reply never holds (writeOnly), at
        # any depth, per entity.
        domain = self.ctx.domain
        self.read_only = {
            name: one_way_fields(domain, ent.schema, "read_only")
            for name, ent in domain.entities.items()
        }
        self.write_only = {
            name: one_way_fields(domain, ent.schema, "write_only")
            for name, ent in domain.entities.items()
        }
        self.reply_hidden = [self.write_only[self._entity_of(op.replied).name] for op in ops]
        self.carried = [
            carried_fields(self._entity_of(op.entity), self._entity_of(op.replied)) for op in ops
        ]
        self.reply_shapes = [
            self._reply_shapes(op, carried) for op, carried in zip(ops, self.carried, strict=True)
        ]
        self.binary: dict[str, frozenset[str]] = {}  # an entity's file fields, for forms
        # Once per dataset: values are cached by schema object, so a schema made per block
        # would be a new cache entry per block.
        self.path_schemas = [self._path_schemas(op) for op in ops]

    def _reply_shapes(self, op: Operation, carried: Carried) -> list[Schema] | None:
        """The shapes (``flat_variants``) of the union entity whose single success reply
        takes over the body ``op`` sends whole (``carried`` None: the same entity), else
        None (see ``_replies_of_sent_variant``)."""
        if carried is not None or not op.request_body or op.method not in ("POST", "PUT", "PATCH"):
            return None
        if op.response_shape != "one" or op.success_status >= 400:
            return None
        root = deref(self.ctx.domain, self._entity_of(op.replied).schema)
        return flat_variants(self.ctx.domain, root) if root.variants else None

    def _file_fields(self, ops: list[Operation]) -> dict[str, frozenset[str]]:
        """Per entity, the fields some multipart operation sends it with as file parts: a
        ``format: binary`` one without a ``content_type``, or one whose ``content_type`` is
        a binary type (see ``forms.encode``)."""
        out: dict[str, frozenset[str]] = {}
        for op in ops:
            if op.request_media != MULTIPART or not op.request_body:
                continue
            sent = self._entity_of(op.entity)
            declared = {e.name: e.content_type for e in op.request_encoding if e.content_type}
            files = {name for name, media in declared.items() if media_kind(media) == "binary"}
            files |= binary_fields(sent.schema, self.ctx.domain) - set(declared)
            out[sent.name] = out.get(sent.name, frozenset()) | files
        return out

    def sparse_columns(self) -> dict[str, str]:
        return {"session_id": "string", "session_anomaly": "string"}

    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        n = trace.n
        op_index = rng.choice(len(self.operations), n, p=self.weights)
        limited = trace.marks.get("limited")
        if limited is not None:
            op_index = self._without_unsupported(op_index, limited, trace)
        actors, sessions = self.actor_ids(trace), self.session_ids(trace)
        request_ids, times = self.request_ids(trace), self.times(trace.t_ms)
        failure = trace.details.get("failure")
        retry_after = trace.details.get("retry_after_ms")
        malformed = trace.details.get("malformed")

        requests = self._requests(trace, op_index, rng)
        bodies, outcomes, paths, replies, named, queries, part_headers, same, _ = requests
        anomaly = _missing_as_sent(trace.details.get("session_anomaly"), same)
        tags = repeat_tags(trace, same, anomaly)
        # Per-event values as Python lists once, not numpy scalars per record.
        ops = [
            (self.operations[k], self.carried[k], self.reply_hidden[k]) for k in op_index.tolist()
        ]
        legacy, version = self._legacy(trace, same)
        batch_size, attempt = trace.batch_size[same].tolist(), trace.attempt.tolist()
        if malformed is not None:
            malformed = malformed[same]
        concurrency = trace.concurrency.tolist()
        status, latency = trace.status.tolist(), round_many(trace.latency_ms, 2).tolist()
        all_headers = self._headers(trace, legacy, request_ids, sessions, same, anomaly, op_index)
        persona = self.ctx.persona.name
        out: list[Record] = []
        # (the error replies whose bodies are drawn below, as the spec has them: those to
        # invalid requests, and those of error statuses the persona answers with)
        declared_errors: list[tuple[int, str, str | None]] = []
        error_replies: list[tuple[int, str, str | None]] = []
        for i, (op, carried, hidden) in enumerate(ops):
            batch = batch_size[i] > 1 and op.request_media is None  # (a form sends one)
            path = self._decorate(paths[i], op, version if legacy[i] else None, batch)
            kind = anomaly[i] if anomaly is not None else None
            session_id = None if kind == "missing_session" else sessions[i]
            cut = malformed is not None and malformed[i] == "truncated_json"
            if cut and bodies[i] is not None:
                outcomes[i] = [Outcome("malformed", "body", "type", "truncated JSON")]
            violations = [o for o in outcomes[i] if o.rule] if outcomes[i] else []
            # (a batch POST's body holds items, not the resource; an operation whose spec
            # declares only errors answers with one, which is not the resource either; a
            # body cut short is text, which names nothing)
            agree(
                op.method,
                None if cut else bodies[i],
                replies[i] if op.success_status < 400 else None,
                named[i],
                outcomes[i],
                batch,
                carried,
                hidden,
                requests.left_out[i],
            )
            headers = all_headers[i]
            body, encoding = self._wire(
                op, bodies[i], headers, request_ids[i], cut, part_headers.get(i)
            )
            response = self._response(
                op,
                status[i],
                latency[i],
                violations,
                request_ids[i],
                failure[i] if failure is not None else None,
                retry_after[i] if retry_after is not None else None,
                replies[i],
            )
            if (declared := _error_reply(op, status[i], bool(violations))) is not None:
                (error_replies if status[i] else declared_errors).append((i, *declared))
            record: Record = {
                "request_id": request_ids[i],
                "timestamp": times[i],
                "persona": persona,
                "actor_id": actors[i],
                "session_id": session_id,
                "attempt": attempt[i],
                "concurrency": concurrency[i],
                "request": {
                    "method": op.method,
                    "path": path,
                    "headers": headers,
                    "query": queries[i] if queries[i] is not None else {},
                    "body": body,
                },
                "response": response,
                "expected_valid": not violations,
                "violations": [
                    {"path": o.field_path, "rule": o.rule, "change": o.mutation} for o in violations
                ],
                "behaviors": tags[i],
            }
            if encoding is not None:
                record["request"]["body_encoding"] = encoding
            if kind is not None:
                record["session_anomaly"] = kind
            out.append(record)
        if declared_errors:
            self._declared_errors(out, declared_errors, trace, "errors")
        if error_replies:
            self._declared_errors(out, error_replies, trace, "error_replies")
        return out

    def _requests(self, trace: Trace, op_index: np.ndarray, rng: np.random.Generator) -> _Requests:
        """Per event the request it sends (see ``_Requests``). A retry or a re-send repeats
        its request (its source's ``op_index`` too): operation, path, query, body and the
        body's outcomes (and, through ``sources_of``, whether it is a legacy client's, a
        batch, cut short), and a success answers it with what its source's success would.
        Its response (status, latency, failure) is its own."""
        repeats = repeats_of(trace, (trace.attempt > 1) | trace.duplicate)
        for row, src in self._retries(trace, repeats):
            op_index[row] = op_index[src]
        bodies, outcomes, left_out = self._bodies(trace, op_index, rng)
        paths, replies, named = self._paths_and_replies(op_index, rng)
        queries = self._queries(op_index, rng)
        part_headers = self._part_headers(op_index, trace, repeats)  # (a stream of their own)
        self._replies_of_sent_variant(trace, op_index, bodies, outcomes, replies, repeats)
        for row, src in repeats:
            op_index[row] = op_index[src]
            queries[row] = copy.deepcopy(queries[src])
            bodies[row], outcomes[row] = copy.deepcopy(bodies[src]), list(outcomes[src])
            left_out[row] = left_out[src]
            paths[row], named[row] = paths[src], named[src]
            replies[row] = copy.deepcopy(replies[src])
        same = sources_of(trace.n, repeats)
        return _Requests(
            bodies, outcomes, paths, replies, named, queries, part_headers, same, left_out
        )

    def _replies_of_sent_variant(
        self,
        trace: Trace,
        op_index: np.ndarray,
        bodies: list[Any],
        outcomes: list[list[Outcome]],
        replies: list[Any],
        repeats: list[tuple[int, int]],
    ) -> None:
        """A success reply to a create or update of a union entity (a oneOf, an anyOf, an
        if/then/else) takes over what the body sent (``agree``), so it is of the body's
        option: a reply drawn of another option (whose fields the body's option lacks) is
        drawn again of the body's (``variant_to_reply``), from a stream of its own, so every
        other record stays as it was. A repeat takes its source's reply (``_requests``)."""
        wanted = [k for k, shapes in enumerate(self.reply_shapes) if shapes]
        if not wanted:
            return
        copies = {row for row, _ in repeats}
        # (entity, shape) -> the shape, and the rows whose reply is drawn again of it
        again: dict[tuple[str, int], tuple[Schema, list[int]]] = {}
        for row in np.flatnonzero(np.isin(op_index, wanted)).tolist():
            op, shapes = self.operations[op_index[row]], self.reply_shapes[op_index[row]]
            body, reply = bodies[row], replies[row]
            batch = op.method == "POST" and op.request_media is None and trace.batch_size[row] > 1
            if row in copies or batch or any(o.rule for o in outcomes[row]) or not shapes:
                continue  # (an invalid request is answered with an error, not this reply)
            if isinstance(body, dict) and isinstance(reply, dict):
                k = variant_to_reply(self.ctx.domain, shapes, body, reply)
                if k is not None:
                    name = self._entity_of(op.replied).name
                    again.setdefault((name, k), (shapes[k], []))[1].append(row)
        if not again:
            return
        rng = self.side_stream(trace, "union_replies")
        for (name, _), (shape, rows) in again.items():
            drawn = self.synth.values(shape, name, len(rows), rng)
            leave_out(drawn, self.write_only[name])  # (sent, never returned: a password)
            for row, reply in zip(rows, drawn, strict=True):
                replies[row] = reply

    @staticmethod
    def _retries(trace: Trace, repeats: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The pairs of ``repeats`` that are retries, not re-sends. A retry takes its
        source's operation before a block's values are drawn (as it always has); a re-send,
        which ``delayed_transmission`` makes later, takes its source's request after, so the
        values drawn for every other event are those of the same persona without re-sends."""
        return [(row, src) for row, src in repeats if not trace.duplicate[row]]

    def _declared_errors(
        self,
        out: list[Record],
        rows: list[tuple[int, str, str | None]],
        trace: Trace,
        stream: str,
    ) -> None:
        """The bodies of error replies whose operation declares one (``(row, entity, media
        type)``: the replies to invalid requests, or those of the error statuses the persona
        answered with): each drawn from its entity, from a stream of their own (the block's
        other draws, and so every other record, stay as they were)."""
        rng = self.side_stream(trace, stream)
        by_entity: dict[str, list[tuple[int, str | None]]] = {}
        for i, name, media in rows:
            by_entity.setdefault(self._entity_of(name).name, []).append((i, media))
        for name, wanted in by_entity.items():
            bodies = self.synth.records(name, len(wanted), rng)
            leave_out(bodies, self.write_only[name])
            entity = self.ctx.domain.entities[name]
            for (i, media), body in zip(wanted, bodies, strict=True):
                response = out[i]["response"]
                agree_error(body, entity, response["status"], out[i]["request_id"])
                response["headers"]["Content-Type"] = media or "application/json"
                sent, encoding = self._as_sent(body, media, name, False)
                out[i]["response"] = _reply(
                    response["status"], response["headers"], sent, encoding, response["latency_ms"]
                )

    def _bodies(
        self, trace: Trace, op_index: np.ndarray, rng: np.random.Generator
    ) -> tuple[list[Any], list[list[Outcome]], list[LeftOut | None]]:
        """Request bodies, shaped by content effects, and the nested readOnly values each
        leaves out (see ``one_way.leave_out``). A synthesizer call costs about half a
        millisecond whatever its size, so each entity's bodies are drawn in one call for the
        block (all its operations, in event order), and so are its batch items."""
        bodies: list[Any] = [None] * trace.n
        left_out: list[LeftOut | None] = [None] * trace.n
        outcomes: list[list[Outcome]] = [[] for _ in range(trace.n)]
        posting = np.zeros(trace.n, bool)  # events whose body is a POST (may be a batch)
        patching = np.zeros(trace.n, bool)
        for entity, ks in self._by_entity(lambda op: op.request_body).items():
            rows = np.flatnonzero(np.isin(op_index, ks))
            if not rows.size:
                continue
            payloads = self.synth.records(
                entity, rows.size, rng, self.rows(trace.first_index, rows.size, scale=2)
            )
            # (the server sets them: never sent, at any depth; dropped after drawing, so
            # every other value is as drawn)
            taken = leave_out(payloads, self.read_only[entity])
            for j, row in enumerate(rows.tolist()):
                op = self.operations[op_index[row]]
                # (a form is never a batch: it sends one resource)
                posting[row] = op.method == "POST" and op.request_media is None
                patching[row] = op.method == "PATCH"
                # A PATCH sends part of the resource, cut before the content effects act,
                # so that they change what is sent (a typo on a field left out is lost).
                if patching[row] and isinstance(payloads[j], dict):
                    payloads[j] = patch_of(payloads[j])
            found = self.effects[entity].apply(payloads, trace, rng, rows)
            for j, row in enumerate(rows.tolist()):
                bodies[row], outcomes[row], left_out[row] = payloads[j], found[j], taken[j]
            # A batch POST carries up to 49 more items. Their row numbers (which make unique
            # fields unique) are the odd ones, 49 per event of each block, and the bodies'
            # the even ones: no item shares a number with another item or body of the dataset.
            sizes = np.where(
                posting[rows], np.clip(trace.batch_size[rows], 1, MAX_BATCH_ITEMS) - 1, 0
            )
            if sizes.any():
                count = int(sizes.sum())
                extra = self.synth.records(
                    entity, count, rng, self.rows(49 * trace.first_index, count, 2, 1)
                )
                leave_out(extra, self.read_only[entity])
                start = 0
                for row, size in zip(rows.tolist(), sizes.tolist(), strict=True):
                    if size:
                        bodies[row] = {"items": [bodies[row], *extra[start : start + size]]}
                        start += size
        for row in np.flatnonzero(patching).tolist():
            body = bodies[row]
            if isinstance(body, dict):  # (a field a PATCH leaves out is no missing field)
                outcomes[row] = [o for o in outcomes[row] if top_key(o.field_path, body) in body]
        for k in (k for k, op in enumerate(self.operations) if op.request_shape == "array"):
            # A body the spec declares as an array of the entity: the items (a batch's
            # items, else the one body), each broken rule at its item's place.
            for row in np.flatnonzero(op_index == k).tolist():
                body = bodies[row]
                batch = isinstance(body, dict) and set(body) == {"items"}
                bodies[row] = body["items"] if batch else [body]
                outcomes[row] = [in_item(o) for o in outcomes[row]]
        return bodies, outcomes, left_out

    def _by_entity(self, wanted: Callable[[Operation], bool]) -> dict[str, list[int]]:
        """The indices of the operations ``wanted`` picks, by the entity they carry."""
        out: dict[str, list[int]] = {}
        for k, op in enumerate(self.operations):
            if wanted(op):
                entity = self.ctx.domain.entities.get(op.entity or "") or self.entity
                out.setdefault(entity.name, []).append(k)
        return out

    def _legacy(self, trace: Trace, same: np.ndarray) -> tuple[list[bool], str | None]:
        """Per event whether it uses the deprecated API (a repeat as its source does: see
        ``sources_of``), and that API's version."""
        deprecated = trace.marks.get("deprecated")
        if deprecated is None:
            return [False] * trace.n, None
        version: str = trace.effects["deprecated"].api_version  # type: ignore[attr-defined]
        return deprecated[same].tolist(), version

    def _headers(
        self,
        trace: Trace,
        legacy: list[bool],
        request_ids: list[str],
        sessions: list[str],
        same: np.ndarray,
        anomaly: np.ndarray | None,
        op_index: np.ndarray,
    ) -> list[dict[str, str]]:
        """Request headers per event: a legacy client's old User-Agent, no compression where
        the client cannot, no credentials without a session (``anomaly``: see
        ``_missing_as_sent``), the retry count on retries, an imported operation's declared
        header parameters (``_param_headers``). A retry or re-send compresses as its
        source does (``same``: see ``sources_of``)."""
        limited = trace.marks.get("limited")
        no_compression = (
            (limited & trace.effects["limited"].no_compression)[same].tolist()  # type: ignore[attr-defined]
            if limited is not None
            else [False] * trace.n
        )
        pool = words("user_agent")
        agents = pool[trace.actor % len(pool)].tolist()  # an actor keeps its client
        if any(legacy):
            actor = trace.actor.tolist()
            agents = [
                _LEGACY_AGENTS[a % len(_LEGACY_AGENTS)] if old else agent
                for a, agent, old in zip(actor, agents, legacy, strict=True)
            ]
        n = trace.n
        out = rows_from_columns(
            _HEADER_NAMES,
            [
                ["application/json"] * n,
                agents,
                request_ids,
                [f"Bearer tok_{s[4:]}" for s in sessions],
                ["gzip, br"] * n,
            ],
        )
        # The rarer headers, in the same key order: compression dropped, retries counted,
        # no credentials without a session.
        for i in np.flatnonzero(no_compression).tolist():
            del out[i]["Accept-Encoding"]
        if anomaly is not None:
            for i in np.flatnonzero(anomaly == "missing_session").tolist():
                del out[i]["Authorization"]
        for i, declared in self.declared_headers(trace, op_index, same).items():
            out[i].update(declared)
        attempt = trace.attempt
        for i in np.flatnonzero(attempt > 1).tolist():
            out[i]["X-Retry-Attempt"] = str(int(attempt[i]) - 1)
        return out

    def declared_headers(
        self, trace: Trace, op_index: np.ndarray, same: np.ndarray
    ) -> dict[int, dict[str, str]]:
        """Per event whose operation declares header or cookie parameters, the headers they
        add: header parameters by name, each as its text, but those named as a header the
        request sends of its own (``_OWN_HEADERS``); cookie parameters in one ``Cookie``
        header, ``name=value; ...``."""
        out: dict[int, dict[str, str]] = {}
        for i, declared in self._declared(trace, op_index, same, "header_params").items():
            out[i] = {
                k: _header_text(v) for k, v in declared.items() if k.lower() not in _OWN_HEADERS
            }
        for i, declared in self._declared(trace, op_index, same, "cookie_params").items():
            # (as in a query, an empty array or object sends no pair)
            pairs = [f"{k}={_cookie_text(v)}" for k, v in declared.items() if v not in ([], {})]
            if pairs:
                out.setdefault(i, {})["Cookie"] = "; ".join(pairs)
        return out

    def _declared(
        self, trace: Trace, op_index: np.ndarray, same: np.ndarray, kind: str
    ) -> dict[int, dict[str, Any]]:
        """Per event of an operation that declares header (``kind`` "header_params") or
        cookie ("cookie_params") parameters, ``{name: value}``: each value drawn from its
        schema from a stream of their own, so every other value of the block stays as it
        was; a required one on every request, another on about half of them, decided after
        every value is drawn. A retry or re-send sends its source's (``same``)."""
        out: dict[int, dict[str, Any]] = {}
        rng: np.random.Generator | None = None
        for k, op in enumerate(self.operations):
            declared: tuple[tuple[str, Schema], ...] = getattr(op, kind)
            if not declared:  # (most operations: no scan of the block for them)
                continue
            rows = np.flatnonzero(op_index == k).tolist()
            if not rows:
                continue
            required = getattr(op, f"required_{kind}")
            rng = rng or self.side_stream(trace, kind)
            drawn: list[dict[str, Any]] = [{} for _ in rows]
            for name, schema in declared:
                values = self.synth.values(schema, name, len(rows), rng)
                for params, value in zip(drawn, values, strict=True):
                    params[name] = value
            for name, _ in declared:
                if name not in required:
                    for j in np.flatnonzero(rng.random(len(rows)) >= 0.5).tolist():
                        del drawn[j][name]
            out.update(zip(rows, drawn, strict=True))
        if not out:
            return out
        for row, src in enumerate(same.tolist()):
            if src != row and src in out:
                out[row] = out[src]
            elif src != row:  # (its source's operation declares none)
                out.pop(row, None)
        return out

    def _without_unsupported(
        self, op_index: np.ndarray, limited: np.ndarray, trace: Trace
    ) -> np.ndarray:
        unsupported = {m.upper() for m in trace.effects["limited"].unsupported_methods}  # type: ignore[attr-defined]
        allowed = [k for k, op in enumerate(self.operations) if op.method not in unsupported]
        if not allowed:
            return op_index
        out = op_index.copy()
        for i in np.flatnonzero(limited).tolist():
            op = self.operations[int(out[i])]
            if op.method in unsupported:
                same_path = [k for k in allowed if self.operations[k].path == op.path]
                out[i] = (same_path or allowed)[0]
        return out

    def _paths_and_replies(
        self, op_index: np.ndarray, rng: np.random.Generator, replies: bool = True
    ) -> tuple[list[str], list[Any], list[PathValues | None]]:
        """Per event, the concrete path, the body a success would return, and the path's
        values that the bodies carry (the id of ``GET /users/{id}``): path values drawn per
        operation, replies per entity (one synthesizer call for all operations of the block
        that return that entity). Without ``replies`` only paths are drawn (a load schedule
        has no bodies)."""
        n = op_index.size
        placed = np.full(n, "", dtype=object)  # each operation's paths, put in its rows
        named: list[PathValues | None] = [None] * n
        bodies: list[Any] = [None] * n
        # (the values bodies carry are wanted only with bodies: a load schedule has none)
        into = named if replies else None
        # entity -> (row, items of a list reply or None for one value, the reply's shape)
        asked: dict[str, list[tuple[int, int | None, str]]] = {}
        for k, op in enumerate(self.operations):
            at = np.flatnonzero(op_index == k)
            rows = at.tolist()
            if not rows:
                continue
            placed[at] = self._paths(k, rows, into, rng)
            if not replies or op.response_shape == "none":
                continue
            # Each entity's replies are drawn in one call for the block (a call's fixed
            # cost is large).
            wanted = asked.setdefault(self._entity_of(op.replied).name, [])
            if op.response_array:
                sizes = rng.integers(0, 4, len(rows)).tolist()
                wanted.extend(
                    (row, size, op.response_shape) for row, size in zip(rows, sizes, strict=True)
                )
            else:
                wanted.extend((row, None, "one") for row in rows)
        for name, wanted in asked.items():
            wanted.sort(key=lambda ask: ask[0])  # dealt out in event order
            total = sum(1 if size is None else size for _, size, _ in wanted)
            pool = self.synth.records(name, total, rng) if total else []
            leave_out(pool, self.write_only[name])  # (sent, never returned: a password)
            start = 0
            for row, size, shape in wanted:
                if size is None:
                    bodies[row], start = pool[start], start + 1
                    continue
                items = pool[start : start + size]
                bodies[row] = {"items": items, "page": 1} if shape == "page" else items
                start += size
        paths: list[str] = placed.tolist()
        return paths, bodies, named

    def _path_schemas(self, op: Operation) -> list[tuple[str, Schema]]:
        """Each path parameter of ``op`` and the schema its values are drawn from: the
        declared one; without one, the field of the same name of the entity sent (the
        built-in ``{id}``), else a UUID. A parameter of the path that ``path_params`` leaves
        out is filled the same way (a literal ``{id}`` names no resource)."""
        declared = dict(op.path_schemas)
        sent = self._entity_of(op.entity)
        out = []
        # (a parameter the path holds but path_params leaves out is filled too)
        params = tuple(dict.fromkeys([*op.path_params, *params_of(op.path)]))
        for param in params:
            if param in declared:
                out.append((param, in_path(declared[param])))
                continue
            name = field_for(sent, param, *_place(op.path, param, params))
            field = sent.schema.field(name) if name else None
            out.append((param, not_null(field.schema if field else _UUID_SCHEMA)))
        return out

    def _paths(
        self,
        k: int,
        rows: list[int],
        named: list[PathValues | None] | None,
        rng: np.random.Generator,
    ) -> list[str]:
        """The concrete paths of operation ``k`` for ``rows``, and (into ``named``, unless
        None) the values its bodies carry."""
        op = self.operations[k]
        filled = [op.path] * len(rows)
        params = self.path_schemas[k]
        for param, schema in params:
            values = self.synth.values(schema, param, len(rows), rng)
            if named is not None:
                self._name_path_values(
                    op, param, schema, [p for p, _ in params], rows, values, named
                )
            token = "{" + param + "}"
            texts = path_texts(values)
            if len(params) == 1 and op.path.count(token) == 1:
                # (the replace below, without searching every path: the common case)
                head, tail = op.path.split(token)
                filled = [f"{head}{v}{tail}" for v in texts]
            else:
                filled = [p.replace(token, v) for p, v in zip(filled, texts, strict=True)]
        return filled

    def _name_path_values(
        self,
        op: Operation,
        param: str,
        schema: Schema,
        params: list[str],
        rows: list[int],
        values: list[Any],
        named: list[PathValues | None],
    ) -> None:
        """Into ``named``, per row, the path parameter's value where the bodies carry it: the
        field of the sent entity, or of a single reply, that the parameter names (the
        resource the path names: its bodies say so), where that field can hold the value."""
        sent, replied = self._entity_of(op.entity), self._entity_of(op.replied)
        place = _place(op.path, param, params)
        in_body, in_reply = field_for(sent, param, *place), field_for(replied, param, *place)
        into_body = fitting(sent, in_body, schema, values) if in_body else None
        into_reply = fitting(replied, in_reply, schema, values) if in_reply else None
        if not (into_body or into_reply):
            return
        for j, (row, value) in enumerate(zip(rows, values, strict=True)):
            found = named[row] = named[row] or PathValues({}, {})
            if in_body and into_body and into_body[j]:
                found.body[in_body] = value
            if in_reply and into_reply and into_reply[j] and op.response_shape == "one":
                found.reply[in_reply] = value

    def _wire(
        self,
        op: Operation,
        body: Any,
        headers: dict[str, str],
        tag: str,
        cut: bool,
        part_headers: dict[str, dict[str, str]] | None = None,
    ) -> tuple[Any, str | None]:
        """The request body as sent, and its ``body_encoding`` (see ``_as_sent``); its
        ``Content-Type`` goes into ``headers``. JSON, or the media type the spec declares
        it as: a form (of an object), text, XML or bytes. Cut short (``truncated_json``),
        the first half of that text, or of those bytes. ``tag`` (the request id) makes a
        multipart boundary; ``part_headers`` are the headers of its multipart parts (see
        ``_part_headers``). An operation replying other than JSON asks for that in
        ``Accept``."""
        if op.response_media is not None:
            headers["Accept"] = op.response_media
        if body is None:
            return None, None
        media = op.request_media
        kind = media_kind(media)
        headers["Content-Type"] = "application/json"
        if kind == "form" and isinstance(body, dict):
            headers["Content-Type"], form = self._form(body, str(media), op, tag, part_headers)
            if isinstance(form, bytes):  # (a multipart form with file parts: bytes)
                return base64_text(form[: max(1, len(form) // 2)] if cut else form), BASE64
            text = form
        elif kind in ("json", "form"):  # (a form is of an object)
            if not cut:
                return body, None
            text = orjson.dumps(body).decode()
        else:
            headers["Content-Type"] = str(media)
            many = op.request_shape == "array"
            sent, encoding = self._as_sent(body, media, op.entity, many, cut)
            return sent, encoding
        return (text[: max(1, len(text) // 2)] if cut else text), None

    def _as_sent(
        self, value: Any, media: str | None, entity: str | None, many: bool, cut: bool = False
    ) -> tuple[Any, str | None]:
        """A value of ``entity`` (``many``: a list of them) as a body of ``media`` holds
        it, and its ``body_encoding``: JSON as it is; text or XML (``bodies``) as its text;
        bytes as Base64 text, ``base64``. ``cut``: the first half of the text or bytes."""
        kind = media_kind(media)
        if kind in ("json", "form") or value is None:  # (a form is only a request's)
            return value, None
        found = self._entity_of(entity)
        if kind == "binary":
            data = as_bytes(value, found.schema, self.ctx.domain, str(media))
            return base64_text(data[: max(1, len(data) // 2)] if cut else data), BASE64
        if kind != "xml":
            text = as_text(value)
        elif many:
            schema = Schema("array", items=Schema("ref", ref=found.name))
            text = to_xml(value, schema, self.ctx.domain, found.collection, found.name)
        else:
            text = to_xml(value, found.schema, self.ctx.domain, found.name)
        return (text[: max(1, len(text) // 2)] if cut else text), None

    def _form(
        self,
        body: dict[str, Any],
        media: str,
        op: Operation,
        tag: str,
        part_headers: dict[str, dict[str, str]] | None = None,
    ) -> tuple[str, str | bytes]:
        """``(Content-Type, body)`` of a body the spec declares as a form: text, or bytes for
        a multipart form with file parts, each a file of its part's type made of the bytes
        its value stands for (``bodies.as_bytes``, as a binary body)."""
        sent = self._entity_of(op.entity)
        if sent.name not in self.binary:
            self.binary[sent.name] = binary_fields(sent.schema, self.ctx.domain)
        domain = self.ctx.domain
        fields = {f.name: f.schema for f in deref(domain, sent.schema).fields}

        def one(name: str, value: Any) -> Schema:  # (the schema of a part's value)
            schema = fields.get(name, Schema("any"))
            items = deref(domain, schema).items
            return items if items is not None and not isinstance(value, list) else schema

        def xml(name: str, value: Any) -> str:  # (a part declared as XML)
            return to_xml(value, one(name, value), domain, name)

        def file(name: str, value: Any, part_media: str) -> bytes:  # (a file part)
            return as_bytes(value, one(name, value), domain, part_media)

        return encode_form(
            body,
            media,
            tag,
            self.binary[sent.name],
            op.request_encoding,
            xml,
            part_headers,
            file,
        )

    def _part_headers(
        self, op_index: np.ndarray, trace: Trace, repeats: list[tuple[int, int]]
    ) -> dict[int, dict[str, dict[str, str]]]:
        """Per event of a multipart operation whose ``encoding`` declares part headers,
        ``{property: {header: value}}``: each value drawn from the header's schema, from a
        stream of their own (the block's other draws, and so every other record, stay as
        they were); a retry's or re-send's are its source's. A value is its text (JSON text where
        it is no string), on one line. A header its part does not declare required is sent
        on about half the requests, decided after every value is drawn (so the values are
        those of the same headers all required)."""
        out: dict[int, dict[str, dict[str, str]]] = {}
        optional: list[tuple[list[int], str, str]] = []  # (rows, property, header)
        rng: np.random.Generator | None = None
        for k, op in enumerate(self.operations):
            if op.request_media != MULTIPART or not any(e.headers for e in op.request_encoding):
                continue
            rows = np.flatnonzero(op_index == k).tolist()
            if not rows:
                continue
            if rng is None:
                rng = self.side_stream(trace, "part_headers")
            for row in rows:
                out[row] = {}
            for part in op.request_encoding:
                for name, schema in part.headers:
                    values = self.synth.values(schema, name, len(rows), rng)
                    for row, value in zip(rows, values, strict=True):
                        out[row].setdefault(part.name, {})[name] = _header_text(value)
                    if name not in part.required_headers:
                        optional.append((rows, part.name, name))
        for rows, prop, name in optional:
            assert rng is not None
            left_out = np.flatnonzero(rng.random(len(rows)) >= 0.5).tolist()
            for j in left_out:
                del out[rows[j]][prop][name]
        for row, src in repeats:
            if src in out:
                out[row] = out[src]
            else:  # (its own operation's headers, drawn before it took its source's)
                out.pop(row, None)
        return out

    def _entity_of(self, name: str | None) -> Entity:
        return self.ctx.domain.entities.get(name or "") or self.entity

    def _decorate(self, path: str, op: Operation, version: str | None, batch: bool) -> str:
        """The path a batch POST (never a form's: it sends one resource) or a legacy
        client's request goes to."""
        if batch and op.method == "POST" and op.request_body and op.request_media is None:
            path += "/batch"
        if version is not None:
            # (the template's own segments: a path parameter's value, /catalog/v2/skus of
            # /catalog/{version}/skus, is the value drawn, not a version to replace)
            template = op.path.split("/")
            versioned = {i for i, p in enumerate(template) if p.startswith("v") and p[1:].isdigit()}
            if versioned:  # (of the legacy version already: the path stays as it is)
                parts = path.split("/")
                path = "/".join(version if i in versioned else p for i, p in enumerate(parts))
            else:
                path = f"/{version}{path}"
        return path

    def _queries(self, op_index: np.ndarray, rng: np.random.Generator) -> list[Any]:
        """Per event, its query (None without one), drawn per operation: an imported
        operation's declared parameters, the required ones always and each other one about
        half the time; a list request of the built-in API pages with ``page`` and
        ``limit`` (see ``query_columns``)."""
        out: list[Any] = [None] * op_index.size
        for rows, params in self.query_columns(op_index, rng):
            queries: list[dict[str, Any]] = [{} for _ in rows]
            for name, chosen, values in params:
                for j, value in zip(chosen, values, strict=True):
                    queries[j][name] = value
            for row, query in zip(rows, queries, strict=True):
                out[row] = query
        return out

    def query_columns(self, op_index: np.ndarray, rng: np.random.Generator) -> list[_Query]:
        """The queries of a block's events (``op_index``), drawn from ``rng`` per operation
        that sends one: its events' rows, and per parameter (in the order a query holds
        them) its name, the positions among those rows of the events that send it, and its
        values there."""
        out: list[_Query] = []
        for k, op in enumerate(self.operations):
            pages = not self.from_spec and op.method == "GET" and op.response_array
            if not (pages or op.query_params):
                continue
            rows = np.flatnonzero(op_index == k).tolist()
            if not rows:
                continue
            params: list[tuple[str, list[int], list[Any]]] = []
            if pages:
                every = list(range(len(rows)))
                params.append(("page", every, rng.integers(1, 20, len(rows)).tolist()))
                params.append(("limit", every, rng.choice([10, 20, 50, 100], len(rows)).tolist()))
            for name, schema in op.query_params:
                chosen = np.flatnonzero(rng.random(len(rows)) < 0.5).tolist()
                if name in op.required_query:
                    chosen = list(range(len(rows)))
                params.append((name, chosen, self.synth.values(schema, name, len(chosen), rng)))
            out.append((rows, params))
        return out

    def _response(
        self,
        op: Operation,
        status: int,
        latency: float,
        violations: list[Outcome],
        request_id: str,
        failure: Any,
        retry_after: Any,
        reply: Any,
    ) -> dict[str, Any] | None:
        if status == 0 and not violations:  # the usual success
            headers = (
                {"X-Request-ID": request_id}  # (no content, so no content type: a 204)
                if op.response_shape == "none"
                else {
                    "Content-Type": op.response_media or "application/json",
                    "X-Request-ID": request_id,
                }
            )
            if op.response_media is None:
                return {
                    "status": op.success_status,
                    "headers": headers,
                    "body": reply,
                    "latency_ms": latency,
                }
            many = op.response_shape == "array"
            sent, encoding = self._as_sent(reply, op.response_media, op.replied, many)
            return _reply(op.success_status, headers, sent, encoding, latency)
        if status == TRANSPORT_FAILURE:
            return {
                "status": None,
                "error": failure or "connection_error",
                "headers": {},
                "body": None,
                "latency_ms": latency,
            }
        headers = {"Content-Type": "application/json", "X-Request-ID": request_id}
        if status == 0 and violations:
            status = op.bad_request_status
            body: Any = {
                "error": "validation_failed",
                "details": [{"path": v.field_path, "rule": v.rule} for v in violations],
            }
        elif status:
            body = {
                "error": HTTPStatus(status).phrase
                if status in HTTPStatus._value2member_map_
                else "error",
                "status": status,
                "request_id": request_id,
            }
            if failure:
                body["reason"] = failure
            if retry_after is not None:
                headers["Retry-After"] = str(max(1, int(retry_after) // 1000 + 1))
        else:
            status = op.success_status
            body = reply
        return {"status": status, "headers": headers, "body": body, "latency_ms": latency}


def _missing_as_sent(anomaly: np.ndarray | None, same: np.ndarray) -> np.ndarray | None:
    """The session anomalies of a block's events as their requests are sent: a retry or
    re-send (``same``: see ``sources_of``) sends its source's request, so it has no session
    (``missing_session``: no ``Authorization``, ``session_id`` null) where its source has
    none, and has one where its source has one."""
    if anomaly is None:
        return None
    missing = anomaly == "missing_session"
    sent = missing[same]
    if np.array_equal(sent, missing):
        return anomaly
    out = anomaly.copy()
    out[sent & ~missing] = "missing_session"
    out[missing & ~sent] = None
    return out


# The headers every request sends of its own (or may: Authorization with a session,
# Accept-Encoding but for a limited client, Content-Type with a body, X-Retry-Attempt on a
# retry): a declared header parameter of one of these names is not sent.
_OWN_HEADERS = frozenset(
    (
        "accept",
        "user-agent",
        "x-request-id",
        "authorization",
        "accept-encoding",
        "content-type",
        "x-retry-attempt",
    )
)

# The characters a cookie's value may hold as they are (RFC 6265's cookie-octet); others are
# percent-encoded, as clients do.
_COOKIE_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\%')


def _cookie_text(value: Any) -> str:
    """A cookie parameter's value as sent: OpenAPI's ``form`` style (a list's items and an
    object's keys and values joined by commas), each piece percent-encoded where a cookie
    cannot hold it as it is."""
    if isinstance(value, list):
        return ",".join(_cookie_text(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{_cookie_text(k)},{_cookie_text(v)}" for k, v in value.items())
    return quote(_scalar_text(value), safe=_COOKIE_SAFE)


def _header_text(value: Any) -> str:
    """A header's value as its text, on one line: OpenAPI's ``simple`` style, a header's
    only one (an array's items, an object's keys and values, joined by commas: ``a,b``)."""
    if isinstance(value, list):
        text = ",".join(_scalar_text(v) for v in value)
    elif isinstance(value, dict):
        text = ",".join(f"{k},{_scalar_text(v)}" for k, v in value.items())
    else:
        text = _scalar_text(value)
    return " ".join(text.splitlines())


def _scalar_text(value: Any) -> str:
    """A value as a parameter's text: a string as it is, anything else its JSON."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _reply(
    status: int, headers: dict[str, str], body: Any, encoding: str | None, latency: float
) -> dict[str, Any]:
    """A response object, with ``body_encoding`` after the body where it has one."""
    if encoding is None:
        return {"status": status, "headers": headers, "body": body, "latency_ms": latency}
    return {
        "status": status,
        "headers": headers,
        "body": body,
        "body_encoding": encoding,
        "latency_ms": latency,
    }


def _place(path: str, param: str, params: list[str] | tuple[str, ...]) -> tuple[bool, str]:
    """Whether ``param`` is the resource's own key (the payment of
    ``/orders/{orderId}/payment`` is not the order: only a parameter the path ends in is),
    and the path segment before it (``issues`` of ``/issues/{issue_number}``)."""
    token = "{" + param + "}"
    last = bool(params) and param == params[-1] and path.rstrip("/").endswith(token)
    before = path.split(token, 1)[0].rstrip("/").rsplit("/", 1)[-1] if token in path else ""
    return last, "" if "{" in before else before


# A query of an operation's events: their rows, and per parameter its name, the positions
# among those rows of the events that send it, and its values there (``query_columns``).
_Query = tuple[list[int], list[tuple[str, list[int], list[Any]]]]

_HEADER_NAMES = ("Accept", "User-Agent", "X-Request-ID", "Authorization", "Accept-Encoding")


def _error_reply(op: Operation, status: int, invalid: bool) -> tuple[str, str | None] | None:
    """The entity and media type of the body an operation declares for the reply of an
    event of ``status`` (0: successful, so a reply to a body that breaks its schema where
    ``invalid``; else an error status, under that status or its error ``default``); None
    where it declares none (the generic error body), or for a success or a failure."""
    if status == 0:
        return (op.error_entity, op.error_media) if invalid and op.error_entity else None
    if status == TRANSPORT_FAILURE or not op.error_replies:
        return None
    bodies = {code: (entity, media) for code, entity, media in op.error_replies}
    return bodies.get(status, bodies.get(0))
