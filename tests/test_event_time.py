"""A streaming payload's own time of the event is the envelope's ``event_time``: a stream
processor reading event time from the value (all it gets with ``value=avro``) sees the
same time as one reading the record's timestamp."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import fastavro
import pytest

from persona_gen import Dataset
from persona_gen.entities.model import Entity, Field, Schema
from persona_gen.sinks.kafka_values import value_encoder
from persona_gen.values.event_time import EventTimeField, event_time_fields, event_time_problems
from tests.helpers import PERSONAS, SCHEMAS, records, run_cli

# The built-in events and the field that holds each one's time (None: the entity has none).
BUILTIN_TIME_FIELDS = {
    "telemetry.reading": "measured_at",
    "device.status": None,  # (Device.last_seen: when it was last seen, before the event)
    "user.signed_up": "created_at",
    "user.updated": None,
    "order.placed": "placed_at",
    "order.updated": None,  # (placed_at stays when the order was placed)
    "transaction.created": "created_at",
}
# Behaviours that may rewrite a payload's value (an old date format, a typo, a boundary).
CONTENT_TAGS = {"deprecated_formats", "typos", "unicode", "boundary_values", "malformed_inputs"}


def _entity(*fields: Field, key: tuple[str, ...] = ()) -> Entity:
    return Entity("E", Schema("object", fields=fields), primary_key=key)


def _iso(name: str, **rules: Any) -> Field:
    return Field(name, Schema("string", format="date-time", **rules))


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_builtin_payload_holds_its_events_time(persona: str) -> None:
    held = changed = 0
    for r in records(persona, "streaming", 3_000, seed=3):
        field = BUILTIN_TIME_FIELDS[r["event_type"]]
        if field is None or field not in r["payload"]:
            continue
        value = r["payload"][field]
        if CONTENT_TAGS & set(r["behaviors"]) and value != r["event_time"]:
            changed += 1  # (a behaviour's change: the record's tags say so)
            continue
        assert value == r["event_time"], (persona, r["event_type"], r["sequence"])
        held += 1
    assert held + changed > 500
    assert held > 0 or persona == "legacy_client"  # (its every date is in an old format)


def test_other_payload_times_are_before_the_event() -> None:
    # (a user's created_at in user.updated, an order's placed_at in order.updated)
    for r in records("normal_user", "streaming", 2_000, seed=5):
        for field in ("created_at", "placed_at"):
            if field in r["payload"]:
                assert r["payload"][field] <= r["event_time"]


def test_an_imported_avro_events_time_is_the_value_a_consumer_decodes(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    avsc = SCHEMAS / "user-event.avsc"
    result = run_cli(["import-schema", str(avsc), "-t", "streaming", "-o", str(profile)])
    assert result.code == 0, result.stderr
    encode, _ = value_encoder("avro", {"schema": str(avsc)}, "value")
    schema = fastavro.parse_schema(fastavro.schema.load_schema(str(avsc)))
    dataset = Dataset.from_profile(profile, seed=9, epoch_ms=1_767_225_600_000)
    events = [r for block in dataset.blocks() for r in block][:200]
    assert events
    for r in events:
        assert r["payload"]["occurred_at"] == r["event_time"]
        decoded = fastavro.schemaless_reader(io.BytesIO(encode(r["payload"])), schema)
        assert (
            decoded["occurred_at"].isoformat(timespec="milliseconds").replace("+00:00", "Z")
            == (r["event_time"])
        )


def test_a_declared_field_wins_and_an_integer_one_holds_epoch_milliseconds(
    tmp_path: Path,
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: et\nversion: 1.0.0\npersonas: [noisy_device]\n"
        "domain:\n  primary: Ping\n  entities:\n    Ping:\n      schema:\n"
        "        type: object\n        fields:\n"
        "          occurred_at: {type: string, format: date-time}\n"
        "          ts: {type: integer, semantic: event_time}\n"
        "          at: {type: string, semantic: event_time}\n"
        "datasets:\n  - {name: pings, type: streaming, count: 300}\n"
    )
    events = [r for block in Dataset.from_profile(profile, seed=1).blocks() for r in block]
    for r in events:
        payload = r["payload"]
        assert payload["at"] == r["event_time"]
        assert payload["ts"] == _epoch_ms(r["event_time"])
        # (a declared field is the event's time: the guessed name is left as drawn)
        assert payload["occurred_at"] < r["event_time"]


def _epoch_ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def test_names_are_tried_most_telling_first_then_the_events_verb() -> None:
    entity = _entity(_iso("created_at"), _iso("timestamp"), _iso("occurredAt"))
    assert event_time_fields(entity, "a.created") == (EventTimeField("occurredAt"),)
    entity = _entity(_iso("created_at"), _iso("shipped_at"))
    assert event_time_fields(entity, "order.shipped") == (EventTimeField("shipped_at"),)
    assert event_time_fields(entity, "user.registered") == (EventTimeField("created_at"),)
    assert event_time_fields(entity, "order.updated") == ()
    # (an imported entity's stream: every event carries a new one)
    assert event_time_fields(entity, "users.recorded") == (EventTimeField("created_at"),)


def test_a_field_that_cannot_hold_the_time_as_it_is_is_not_guessed() -> None:
    assert event_time_fields(_entity(_iso("ts", pattern="^[0-9]+$")), "a.b") == ()
    assert event_time_fields(_entity(_iso("ts", max_length=20)), "a.b") == ()
    assert event_time_fields(_entity(Field("ts", Schema("integer"))), "a.b") == ()
    assert event_time_fields(_entity(Field("time", Schema("string", format="time"))), "a.b") == ()
    # (one time written into a key could repeat it)
    assert event_time_fields(_entity(_iso("ts"), key=("ts",)), "a.b") == ()
    # (a string named for a time holds date-times without a format)
    assert event_time_fields(_entity(Field("ts", Schema("string"))), "a.b") == (
        EventTimeField("ts"),
    )


def test_a_declared_field_that_cannot_hold_it_is_refused_at_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: et\nversion: 1.0.0\npersonas: [noisy_device]\n"
        "domain:\n  primary: Ping\n  entities:\n    Ping:\n      schema:\n"
        "        type: object\n        fields:\n"
        "          seen: {type: boolean, semantic: event_time}\n"
        "          meta:\n            type: object\n            fields:\n"
        "              at: {type: string, semantic: event_time}\n"
        "datasets:\n  - {name: pings, type: streaming, count: 5}\n"
    )
    result = run_cli(["validate", str(profile)])
    assert result.code == 1
    assert "p.yaml:11:" in result.stderr
    assert "fields.seen.semantic: event_time needs a date-time string" in result.stderr
    assert "p.yaml:15:" in result.stderr
    assert "fields.meta.fields.at.semantic: event_time is the time of the event" in result.stderr
    assert "Traceback" not in result.stderr


def test_problems_name_the_place_in_the_schema() -> None:
    entity = _entity(Field("n", Schema("integer", semantic="event_time", multiple_of=1000)))
    [(at, message)] = event_time_problems(entity)
    assert at == ("fields", "n", "semantic")
    assert "multiple_of" in message


@pytest.mark.parametrize("persona", ["legacy_client", "noisy_device"])
def test_the_attempts_and_resends_of_an_event_carry_its_first_attempts_payload(
    persona: str,
) -> None:
    # (a retry storm's attempts share the event_id consumers de-duplicate on, but each
    # carried a payload of its own: 104 of 104 legacy_client storms in 5,000 events)
    by_id: dict[str, list[dict[str, Any]]] = {}
    for r in records(persona, "streaming", 5_000, seed=3):
        by_id.setdefault(r["event_id"], []).append(r)
    repeated = [group for group in by_id.values() if len(group) > 1]
    assert len(repeated) > 50
    for group in repeated:
        first = min(group, key=lambda r: (r["attempt"], r["duplicate"]))
        for r in group:
            assert (r["event_type"], r["payload"], r["violations"]) == (
                first["event_type"],
                first["payload"],
                first["violations"],
            )
