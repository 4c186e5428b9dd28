"""The payload fields that hold an event's own time.

A stream processor reads event time from the value as often as from the record's timestamp
(Flink's ``WATERMARK FOR occurred_at``, a Kafka Streams ``TimestampExtractor``), and with
``value=avro``/``protobuf`` only the payload is sent. So the payload's time of the event must
be the envelope's ``event_time``, not a date drawn like any other: the streaming generator
writes it into the fields this module finds.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator
from dataclasses import dataclass

from persona_gen._moments import schema_window
from persona_gen.entities.model import Entity, Field, Schema
from persona_gen.values.numbers import numeric_bounds
from persona_gen.values.semantics import meaning, snake_case

__all__ = ["EVENT_TIME", "EventTimeField", "event_time_fields", "event_time_problems"]

EVENT_TIME = "event_time"  # the semantic that names a field outright

# Names that say "when this event happened", most telling first (snake_case).
_NAMES = (
    "event_time",
    "event_timestamp",
    "event_ts",
    "occurred_at",
    "happened_at",
    "measured_at",
    "recorded_at",
    "observed_at",
    "captured_at",
    "emitted_at",
    "timestamp",
    "ts",
    "time",
)
# Verbs of events that bring their entity into being: its ``created_at`` is the event's time.
# (``recorded``: the event type of an imported entity's stream, whose every event carries a
# new entity, with keys of its own.)
_CREATION_VERBS = frozenset(
    ("created", "signed_up", "registered", "added", "inserted", "opened", "recorded")
)
_ISO_LENGTH = len("2025-11-22T14:41:19.112Z")


@dataclass(frozen=True, slots=True)
class EventTimeField:
    """A top-level payload field and how it holds the time: ISO 8601 text, or (``as_ms``)
    an integer of milliseconds since the epoch; between ``low`` and ``high`` (its bounds,
    in epoch milliseconds either way)."""

    name: str
    as_ms: bool = False
    low: float = -math.inf
    high: float = math.inf


def event_time_fields(entity: Entity, event_type: str) -> tuple[EventTimeField, ...]:
    """The fields of ``entity`` that hold the time of an ``event_type`` event.

    Every top-level field declared ``semantic: event_time`` (a date-time string, or an
    integer of epoch milliseconds); else the first date-time field with one of the names in
    ``_NAMES``; else the one named for the event's verb (``order.placed``: ``placed_at``;
    an event that creates its entity, ``user.signed_up``: ``created_at``). A field of a
    primary or unique key is never guessed (one time written into it could repeat a key).
    """
    schema = entity.schema
    if schema.type != "object":
        return ()
    declared = [f for f in schema.fields if f.schema.semantic == EVENT_TIME]
    if declared:
        return tuple(held for f in declared if (held := _held(f)) is not None)
    keys = {name for key in (entity.primary_key, *entity.unique) for name in key}
    by_name = {snake_case(f.name): f for f in schema.fields if f.name not in keys and _holds_iso(f)}
    verb = snake_case(event_type.rsplit(".", maxsplit=1)[-1])
    named_for_verb = "created_at" if verb in _CREATION_VERBS else f"{verb}_at"
    for name in (*_NAMES, named_for_verb):
        found = by_name.get(name)
        if found is not None:
            return (_as_text(found),)
    return ()


def event_time_problems(entity: Entity) -> Iterator[tuple[tuple[Hashable, ...], str]]:
    """(place in the entity's ``schema``, message) for each ``semantic: event_time`` that no
    event time can be written into: on a field of the wrong kind, or below the top level."""
    for at, s in entity.schema.located():
        if s.semantic != EVENT_TIME or len(at) < 2 or at[-2] != "fields":
            continue
        field = next(f for f in _parent(entity.schema, at).fields if f.name == at[-1])
        if len(at) > 2:
            yield (
                (*at, "semantic"),
                (
                    f"{EVENT_TIME} is the time of the event a record is: only a top-level field"
                    " holds it"
                ),
            )
        elif _held(field) is None:
            yield (
                (*at, "semantic"),
                (
                    f"{EVENT_TIME} needs a date-time string (no pattern, enum or const,"
                    f" {_ISO_LENGTH} characters allowed) or an integer (milliseconds since the"
                    " epoch; no enum, const or multiple_of)"
                ),
            )


def _parent(schema: Schema, at: tuple[Hashable, ...]) -> Schema:
    """The object schema whose field ``at`` (a place ``located`` gave) names."""
    for where, s in schema.located():
        if where == at[:-2]:
            return s
    raise LookupError(at)  # pragma: no cover - ``at`` came from ``located``


def _held(field: Field) -> EventTimeField | None:
    """How a declared field holds the time, or None where it cannot."""
    s = field.schema
    if s.type == "integer" and s.enum is None and not s.has_const and not s.multiple_of:
        low, high = numeric_bounds(s, integer=True)
        return EventTimeField(field.name, as_ms=True, low=low, high=high)
    return _as_text(field) if _holds_iso(field, declared=True) else None


def _as_text(field: Field) -> EventTimeField:
    """A date-time field, with its bounds (a time outside them is not written there)."""
    s = field.schema
    first, last = schema_window(s)
    low = -math.inf if first is None else first
    return EventTimeField(field.name, low=low, high=math.inf if last is None else last)


def _holds_iso(field: Field, declared: bool = False) -> bool:
    """Whether the field takes the envelope's time text as it is (2025-11-22T14:41:19.112Z)."""
    s: Schema = field.schema
    if s.type != "string" or s.pattern is not None or s.enum is not None or s.has_const:
        return False
    if (s.min_length or 0) > _ISO_LENGTH or (s.max_length or _ISO_LENGTH) < _ISO_LENGTH:
        return False
    if s.format is not None:
        return s.format == "date-time"
    return declared or meaning(s.semantic, field.name, "string") == "date-time"
