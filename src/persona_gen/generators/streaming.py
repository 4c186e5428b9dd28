"""streaming: Kafka/Flink event envelopes, in the order a consumer receives them.

Records are ordered by ingest (arrival) time, so events that were late, buffered while
offline or re-sent appear after later events: exactly what a stream processor must handle.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from persona_gen.generators.base import Generator, Record, repeats_of, uuid_ids
from persona_gen.generators.effects import PayloadEffects
from persona_gen.generators.mutations import Outcome
from persona_gen.personas.trace import TRANSPORT_FAILURE, Trace
from persona_gen.values.event_time import EventTimeField, event_time_fields
from persona_gen.values.rows import rows_from_columns

__all__ = ["PARTITIONS", "StreamingGenerator", "murmur2_partition"]

PARTITIONS = 12
_HEADER_NAMES = ("content-type", "schema-version", "producer")
_ENVELOPE_NAMES = (
    "topic",
    "partition",
    "key",
    "event_id",
    "event_type",
    "event_time",
    "ingest_time",
    "delay_ms",
    "sequence",
    "session_id",
    "headers",
    "payload",
    "duplicate",
    "buffered",
    "lost_before",
    "offline",
    "error",
    "attempt",
    "expected_valid",
    "violations",
    "persona",
    "behaviors",
)


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash (the Java client's default partitioner)."""
    seed, m, r = 0x9747B28C, 0x5BD1E995, 24
    length = len(data)
    h = (seed ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    rest = length % 4
    tail = data[length - rest :]
    if rest == 3:
        h ^= tail[2] << 16
    if rest >= 2:
        h ^= tail[1] << 8
    if rest >= 1:
        h ^= tail[0]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def murmur2_partition(key: str, partitions: int = PARTITIONS) -> int:
    """The partition Kafka's default partitioner picks for ``key``."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


class StreamingGenerator(Generator):
    name = "streaming"
    keyed = True
    numbers_sessions = True
    description = "Kafka/Flink event streams"
    use_case = "Stream processing validation"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = dict(self.ctx.domain.events) or {
            f"{self.entity.collection}.recorded": self.entity.name
        }
        self.event_types = list(events)
        self.event_entities = [events[t] for t in self.event_types]
        self.effects = {
            name: PayloadEffects(self.ctx.domain, self.ctx.domain.entities[name])
            for name in set(self.event_entities)
        }
        self._partitions: dict[str, int] = {}
        self.kinds_of: dict[str, list[int]] = {}
        for k, entity in enumerate(self.event_entities):
            self.kinds_of.setdefault(entity, []).append(k)
        # Per event type, the payload fields that hold the event's time.
        self.time_fields: list[tuple[EventTimeField, ...]] = [
            event_time_fields(self.ctx.domain.entities[e], t)
            for t, e in zip(self.event_types, self.event_entities, strict=True)
        ]

    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        n = trace.n
        kinds = rng.integers(0, len(self.event_types), n)
        payloads: list[Any] = [None] * n
        outcomes: list[list[Outcome]] = [[] for _ in range(n)]
        event_times = self.times(trace.t_ms)
        for entity, ks in self.kinds_of.items():
            # One synthesizer call per entity (a call's fixed cost is large), for the events
            # of all the types that carry it, in event order.
            rows = np.flatnonzero(np.isin(kinds, ks))
            if rows.size:
                got = self.synth.records(
                    entity, rows.size, rng, self.rows(trace.first_index, rows.size)
                )
                self._stamp(got, rows, kinds, trace.t_ms, event_times)
                found = self.effects[entity].apply(got, trace, rng, rows)
                for j, row in enumerate(rows.tolist()):
                    payloads[row], outcomes[row] = got[j], found[j]
        for row, src in repeats_of(trace, (trace.attempt > 1) | trace.duplicate):
            # A re-send, and a retry storm's later attempts, carry the very event of its
            # first attempt (consumers de-duplicate on event_id: the attempts share it).
            kinds[row] = kinds[src]
            payloads[row], outcomes[row] = copy.deepcopy(payloads[src]), list(outcomes[src])
        sequence = _sequences(trace).tolist()
        arrival = trace.t_ms + trace.delivery_ms.astype(np.int64)
        actors, sessions = self.actor_ids(trace), self.session_ids(trace)
        event_ids = uuid_ids(trace.request, self.salt ^ 0xE7E)
        ingest_times = self.times(arrival)
        failure = trace.details.get("failure")
        offline = trace.details.get("offline")
        deprecated = trace.marks.get("deprecated")
        tags = trace.tags()
        # Columns first (one conversion per column), records last: per-record work is then
        # only the dict literal.
        types = [self.event_types[k] for k in kinds.tolist()]
        topics = {t: _topic_of(t) for t in self.event_types}
        partitions = self._partitions_of(actors)
        persona = self.ctx.persona.name
        producers = [f"{persona}-{k}" for k in range(16)]
        actor = trace.actor.tolist()
        versions = (
            ["1" if d else "2" for d in deprecated.tolist()] if deprecated is not None else None
        )
        batch, batch_size = trace.batch.tolist(), trace.batch_size.tolist()
        status = trace.status.tolist()
        headers = rows_from_columns(
            _HEADER_NAMES,
            [
                ["application/json"] * n,
                versions if versions is not None else ["2"] * n,
                [producers[a % 16] for a in actor],
            ],
        )
        for i in np.flatnonzero(trace.batch >= 0).tolist():
            headers[i]["batch-id"] = str(batch[i])
            headers[i]["batch-size"] = str(batch_size[i])
        errors: list[Any] = [None] * n
        for i in np.flatnonzero(trace.status).tolist():
            errors[i] = {
                "status": None if status[i] == TRANSPORT_FAILURE else status[i],
                "reason": failure[i] if failure is not None else None,
            }
        valid = [True] * n
        violations: list[list[dict[str, Any]]] = [[] for _ in range(n)]
        for i, seen in enumerate(outcomes):
            broken = [o for o in seen if o.rule]
            if broken:
                valid[i] = False
                violations[i] = [
                    {"path": o.field_path, "rule": o.rule, "change": o.mutation} for o in broken
                ]
        records = rows_from_columns(
            _ENVELOPE_NAMES,
            [
                [topics[t] for t in types],
                partitions,
                actors,
                event_ids,
                types,
                event_times,
                ingest_times,
                (arrival - trace.t_ms).tolist(),
                sequence,
                sessions,
                headers,
                payloads,
                trace.duplicate.tolist(),
                trace.buffered.tolist(),
                trace.lost_before.tolist(),
                offline.tolist() if offline is not None else [None] * n,
                errors,
                trace.attempt.tolist(),
                valid,
                violations,
                [persona] * n,
                tags,
            ],
        )
        # In the order a consumer receives them: by arrival.
        return [records[i] for i in np.argsort(arrival, kind="stable").tolist()]

    def _stamp(
        self,
        payloads: list[Any],
        rows: np.ndarray,
        kinds: np.ndarray,
        t_ms: np.ndarray,
        texts: list[str],
    ) -> None:
        """Write each event's time into its payload's event-time fields, where the payload
        holds one (an optional field left out, or a null, stays so): before the content
        behaviours, which may then change it as they change any value."""
        fields = self.time_fields
        if not any(fields):
            return
        ms, kind = t_ms.tolist(), kinds.tolist()
        for j, row in enumerate(rows.tolist()):
            payload = payloads[j]
            if not isinstance(payload, dict):
                continue
            for field in fields[kind[row]]:
                name = field.name
                if payload.get(name) is None or not field.low <= ms[row] <= field.high:
                    continue  # (a time outside the field's bounds: the drawn value stays)
                payload[name] = ms[row] if field.as_ms else texts[row]

    def sparse_columns(self) -> dict[str, str]:
        return {"offline": "string", "error": "object"}

    def topics(self) -> list[str]:
        """The topics this dataset's events name (one per event family)."""
        return list(dict.fromkeys(_topic_of(t) for t in self.event_types))

    def _partitions_of(self, keys: list[str]) -> list[int]:
        """Kafka's partition for each key (murmur2 is costly in Python: cached per key)."""
        cache = self._partitions
        for key in set(keys).difference(cache):
            cache[key] = murmur2_partition(key)
        return [cache[k] for k in keys]


def _topic_of(event_type: str) -> str:
    return event_type.split(".", maxsplit=1)[0] + "-events"


def _sequences(trace: Trace) -> np.ndarray:
    """Per-session sequence numbers in event-time order, counting on from what the session
    did in earlier blocks; lost events consume numbers and a duplicate repeats the number of
    the event it re-sends."""
    order = np.lexsort((trace.duplicate, trace.t_ms, trace.session))
    session = trace.session[order]
    step = (~trace.duplicate[order]).astype(np.int64) + trace.lost_before[order]
    new = np.ones(trace.n, bool)
    new[1:] = session[1:] != session[:-1]
    running = np.cumsum(step)
    start = np.maximum.accumulate(np.where(new, np.arange(trace.n), 0))
    base = running[start] - step[start]
    seq_sorted = running - base - 1
    out = np.empty(trace.n, np.int64)
    out[order] = seq_sorted + trace.session_steps[order]
    return out
