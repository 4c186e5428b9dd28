"""The Avro importer: every construct, errors, and records that fastavro accepts.

The validator is fastavro itself: each generated record, converted by ``to_avro_datum``, must
pass ``fastavro.validation.validate`` and round-trip through an Avro object container file.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import io
import json
import struct
import uuid
from pathlib import Path
from typing import Any

import fastavro
import pytest
from avro_proof import REFERENCE_MS, check, prove, records
from fastavro.validation import validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona_gen.entities.model import Domain, Schema
from persona_gen.entities.serial import domain_from_dict, domain_to_dict
from persona_gen.errors import GenerationError, SchemaImportError, UnknownNameError
from persona_gen.importers import FORMAT_ALIASES, IMPORTERS
from persona_gen.importers import avro as avro_module
from persona_gen.importers.avro import AvroImporter, read_avro_schema, to_avro_datum
from persona_gen.importers.base import ImportResult
from persona_gen.values.synth import Synthesizer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "schemas" / "user-event.avsc"
EV = "com.example.events"


def write(tmp: Path, name: str, schema: Any) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = schema if isinstance(schema, str) else json.dumps(schema, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def record(name: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field_schema(result: ImportResult, entity: str, name: str) -> Schema:
    f = result.domain.entities[entity].schema.field(name)
    assert f is not None, name
    return f.schema


def one_field(tmp: Path, ftype: Any, **extra: Any) -> tuple[ImportResult, Schema]:
    """Import a record ``R`` with one field ``v`` of ``ftype``; prove its records valid."""
    path = write(tmp, "one.avsc", record("R", {"name": "v", "type": ftype, **extra}))
    result = prove(path)
    return result, field_schema(result, "R", "v")


# -- the contract ----------------------------------------------------------------------------


def test_registered_under_its_name_and_alias() -> None:
    assert IMPORTERS.get("avro") is AvroImporter
    assert FORMAT_ALIASES["avsc"] == "avro"
    assert AvroImporter.name == "avro"
    assert AvroImporter.extensions == (".avsc", ".json")  # (a record schema saved as .json)


def test_public_names() -> None:
    assert sorted(avro_module.__all__) == [
        "AvroImporter",
        "AvroSchema",
        "SOURCE_NAME",
        "read_avro_schema",
        "source_name",
        "to_avro_datum",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json.dumps(record("R", {"name": "a", "type": "int"})), True),
        (
            '[{"type": "enum", "name": "E", "symbols": ["A"]}, {"type": "record", '
            '"name": "R", "fields": []}]',
            True,
        ),
        ('{"type": "object", "properties": {"a": {"type": "string"}}}', False),
        ('{"openapi": "3.0.0", "info": {}}', False),
        ('{"type": "record"}', False),
        ("[1, 2, 3]", False),
        ('["int", "string"]', False),
        ("[]", False),
        ('{"type": "record", "name": "R", "fields": [', False),
        ("syntax = 'proto3';", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert AvroImporter.sniff(Path("x.avsc"), text) is expected


def test_dialect_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "r.avsc", record("R", {"name": "a", "type": "int"}))
    with pytest.raises(SchemaImportError, match="no dialects"):
        AvroImporter().load(path, dialect="1.11")


# -- the repository's example ----------------------------------------------------------------


def test_example_lists_every_record_top_level_first() -> None:
    result = prove(EXAMPLE)
    assert result.format == "avro"
    assert result.listed == (f"{EV}.UserEvent", f"{EV}.User", f"{EV}.Device")
    assert result.domain.primary == f"{EV}.UserEvent"
    assert result.domain.events == {"user_event.recorded": f"{EV}.UserEvent"}
    assert result.domain.source == "avro"
    assert result.warnings == ()
    event = result.domain.entities[f"{EV}.UserEvent"]
    assert event.collection == "user_events"
    assert event.schema.closed
    assert event.schema.description is not None
    assert event.schema.description.startswith("Something a user did")


def test_example_fields() -> None:
    result = AvroImporter().load(EXAMPLE)
    ue = f"{EV}.UserEvent"
    assert field_schema(result, ue, "event_id") == Schema(
        "string",
        format="uuid",
        description="Unique id of this event; consumers de-duplicate on it.",
    )
    kind = field_schema(result, ue, "event_type")
    assert kind.type == "string"
    assert kind.enum is not None
    assert kind.enum[:2] == ("SIGNED_UP", "LOGGED_IN")
    assert field_schema(result, ue, "occurred_at").format == "date-time"
    user = field_schema(result, ue, "user")
    assert (user.type, user.ref, user.description) == ("ref", f"{EV}.User", "Who did it.")
    props = field_schema(result, ue, "properties")
    assert props.type == "map"
    assert props.values == Schema("string")
    assert (props.has_default, props.default) == (True, {})
    tags = field_schema(result, ue, "tags")
    assert (tags.type, tags.items, tags.default) == ("array", Schema("string"), [])
    amount = field_schema(result, ue, "amount")
    assert (amount.type, amount.precision, amount.scale) == ("number", 10, 2)
    assert (amount.minimum, amount.maximum) == (-99999999.99, 99999999.99)
    assert amount.nullable
    assert (amount.has_default, amount.default) == (True, None)
    session = field_schema(result, ue, "session")
    assert (session.type, session.pattern) == ("string", "^[0-9a-f]{32}$")
    assert session.min_length == session.max_length == 32
    assert field_schema(result, ue, "device").ref == f"{EV}.Device"
    age = field_schema(result, f"{EV}.User", "age")
    assert (age.type, age.nullable, age.minimum, age.maximum) == (
        "integer",
        True,
        -(2**31),
        2**31 - 1,
    )
    assert (age.has_default, age.default) == (True, None)
    user_id = field_schema(result, f"{EV}.User", "id")
    assert (user_id.minimum, user_id.maximum) == (-(2**63), 2**63 - 1)
    platform = field_schema(result, f"{EV}.Device", "platform")
    assert platform.enum == ("IOS", "ANDROID", "WEB", "DESKTOP")


def test_example_datums_are_what_fastavro_writes() -> None:
    result = AvroImporter().load(EXAMPLE)
    schema = read_avro_schema(EXAMPLE)
    rows = records(result, f"{EV}.UserEvent", 200)
    datums = [to_avro_datum(r, f"{EV}.UserEvent", schema) for r in rows]
    first = datums[0]
    assert isinstance(first["event_id"], uuid.UUID)
    assert isinstance(first["occurred_at"], dt.datetime)
    assert first["occurred_at"].tzinfo is not None
    assert isinstance(first["session"], bytes)
    assert len(first["session"]) == 16
    amounts = [d["amount"] for d in datums if d["amount"] is not None]
    assert amounts
    assert all(isinstance(a, decimal.Decimal) and a.as_tuple().exponent == -2 for a in amounts)
    assert any(d["amount"] is None for d in datums)  # the null branch is generated too
    buffer = io.BytesIO()
    fastavro.writer(buffer, schema.record_schema(f"{EV}.UserEvent"), datums)
    buffer.seek(0)
    back = list(fastavro.reader(buffer))
    assert [b["event_id"] for b in back] == [d["event_id"] for d in datums]
    assert [b["amount"] for b in back] == [d["amount"] for d in datums]
    assert [b["user"] for b in back] == [d["user"] for d in datums]
    # The JSON record and the datum agree: the ISO text is the instant written.
    assert dt.datetime.fromisoformat(rows[0]["occurred_at"]) == back[0]["occurred_at"]


def test_example_survives_the_profile_round_trip() -> None:
    """Profiles embed the domain as plain data; records from it are still valid Avro."""
    result = AvroImporter().load(EXAMPLE)
    again = domain_from_dict(json.loads(json.dumps(domain_to_dict(result.domain))))
    assert again == result.domain
    reloaded = ImportResult(again, result.listed, "avro")
    for entity in result.listed:
        ok, problems = check(records(reloaded, entity), entity, read_avro_schema(EXAMPLE))
        assert (ok, problems) == (50, [])


def test_streaming_events_name_the_primary_entity() -> None:
    result = AvroImporter().load(EXAMPLE)
    for event_type, entity in result.domain.events.items():
        assert event_type.endswith(".recorded")
        assert entity in result.domain.entities


# -- every construct -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("avro", "expected"),
    [
        ("boolean", Schema("boolean")),
        ("string", Schema("string")),
        ("int", Schema("integer", minimum=-(2**31), maximum=2**31 - 1)),
        ("long", Schema("integer", minimum=-(2**63), maximum=2**63 - 1)),
        ("float", Schema("number", minimum=-3.4028234663852886e38, maximum=3.4028234663852886e38)),
        ("double", Schema("number")),
        ("bytes", Schema("string", format="byte")),
        ({"type": "string"}, Schema("string")),
    ],
)
def test_primitives(tmp_path: Path, avro: Any, expected: Schema) -> None:
    assert one_field(tmp_path, avro)[1] == expected


def test_null_field(tmp_path: Path) -> None:
    result, schema = one_field(tmp_path, "null")
    assert schema == Schema("null")
    assert all(r["v"] is None for r in records(result, "R"))


def test_bytes_are_base64_in_records(tmp_path: Path) -> None:
    result, _ = one_field(tmp_path, "bytes")
    for row in records(result, "R", 20):
        assert base64.b64decode(row["v"], validate=True)


def test_enum(tmp_path: Path) -> None:
    _, schema = one_field(
        tmp_path, {"type": "enum", "name": "Suit", "doc": "Card suit.", "symbols": ["S", "H"]}
    )
    assert schema == Schema("string", enum=("S", "H"), description="Card suit.")


def test_fixed_is_lowercase_hex_of_twice_its_size(tmp_path: Path) -> None:
    _, schema = one_field(tmp_path, {"type": "fixed", "name": "F4", "size": 4})
    assert schema == Schema("string", pattern="^[0-9a-f]{8}$", min_length=8, max_length=8)
    datum = to_avro_datum({"v": "00ff10aa"}, "R", read_avro_schema(tmp_path / "one.avsc"))
    assert datum == {"v": b"\x00\xff\x10\xaa"}


def test_array_and_map(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.avsc",
        record(
            "C",
            {"name": "nums", "type": {"type": "array", "items": "long"}},
            {"name": "scores", "type": {"type": "map", "values": "double"}},
            {
                "name": "nested",
                "type": {"type": "array", "items": {"type": "map", "values": "int"}},
            },
        ),
    )
    result = prove(path)
    nums = field_schema(result, "C", "nums")
    assert (nums.type, nums.items) == (
        "array",
        Schema("integer", minimum=-(2**63), maximum=2**63 - 1),
    )
    assert field_schema(result, "C", "scores") == Schema("map", values=Schema("number"))
    nested = field_schema(result, "C", "nested")
    assert nested.items is not None
    assert nested.items.type == "map"


def test_named_records_namespaces_and_refs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "n.avsc",
        record(
            "Order",
            {"name": "buyer", "type": record("Party", {"name": "name", "type": "string"})},
            {"name": "seller", "type": "Party"},
            {
                "name": "ship_to",
                "type": record("Address", {"name": "city", "type": "string"}, namespace="com.geo"),
            },
            {"name": "bill_to", "type": "com.geo.Address"},
            {"name": "note", "type": record("org.x.Note", {"name": "text", "type": "string"})},
            namespace="com.shop",
        ),
    )
    result = prove(path)
    assert result.listed == ("com.shop.Order", "com.shop.Party", "com.geo.Address", "org.x.Note")
    assert field_schema(result, "com.shop.Order", "buyer").ref == "com.shop.Party"
    assert field_schema(result, "com.shop.Order", "seller").ref == "com.shop.Party"
    assert field_schema(result, "com.shop.Order", "bill_to").ref == "com.geo.Address"
    assert result.domain.entities["com.shop.Party"].collection == "parties"
    assert result.domain.events == {"order.recorded": "com.shop.Order"}


def test_named_enum_and_fixed_are_reused_inline(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.avsc",
        record(
            "R",
            {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}},
            {"name": "b", "type": "E"},
            {"name": "c", "type": {"type": "fixed", "name": "F", "size": 2}},
            {"name": "d", "type": ["null", "F"]},
        ),
    )
    result = prove(path)
    assert result.listed == ("R",)
    assert field_schema(result, "R", "b").enum == ("X", "Y")
    d = field_schema(result, "R", "d")
    assert (d.pattern, d.nullable) == ("^[0-9a-f]{4}$", True)


@pytest.mark.parametrize("branches", [["null", "string"], ["string", "null"]])
def test_optional_is_nullable(tmp_path: Path, branches: list[str]) -> None:
    assert one_field(tmp_path, branches)[1] == Schema("string", nullable=True)


def test_union_of_many_types(tmp_path: Path) -> None:
    result, schema = one_field(
        tmp_path,
        [
            "null",
            "int",
            "string",
            record("Point", {"name": "x", "type": "double"}),
            {"type": "array", "items": "bytes"},
        ],
    )
    assert schema.type == "union"
    assert schema.nullable
    assert [v.type for v in schema.variants] == ["integer", "string", "ref", "array"]
    assert schema.variants[2].ref == "Point"
    seen = {type(r["v"]).__name__ for r in records(result, "R", 200)}
    assert {"int", "str", "dict", "list"} <= seen


def test_union_of_two_records_picks_the_right_branch(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "u.avsc",
        record(
            "Payment",
            {
                "name": "method",
                "type": [
                    record("Card", {"name": "number", "type": "string"}),
                    record(
                        "Iban",
                        {"name": "iban", "type": "string"},
                        {"name": "bic", "type": "string"},
                    ),
                ],
            },
        ),
    )
    prove(path)
    schema = read_avro_schema(path)
    datum = to_avro_datum({"method": {"iban": "DE00", "bic": "X"}}, "Payment", schema)
    assert datum == {"method": ("Iban", {"iban": "DE00", "bic": "X"})}
    buffer = io.BytesIO()
    fastavro.writer(buffer, schema.record_schema("Payment"), [datum])
    buffer.seek(0)
    assert next(fastavro.reader(buffer)) == {"method": {"iban": "DE00", "bic": "X"}}


def test_only_null_union(tmp_path: Path) -> None:
    assert one_field(tmp_path, ["null"])[1] == Schema("null")


def test_recursive_record(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "list.avsc",
        record(
            "Node",
            {"name": "value", "type": "int"},
            {"name": "next", "type": ["null", "Node"], "default": None},
            {"name": "children", "type": {"type": "array", "items": "Node"}},
        ),
    )
    result = prove(path)
    assert field_schema(result, "Node", "next") == Schema(
        "ref", ref="Node", nullable=True, default=None, has_default=True
    )
    assert result.listed == ("Node",)


def test_doc_strings_become_descriptions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "d.avsc",
        record("R", {"name": "a", "type": "int", "doc": "An int."}, doc="A record."),
    )
    result = prove(path)
    assert result.domain.entities["R"].schema.description == "A record."
    assert field_schema(result, "R", "a").description == "An int."


@pytest.mark.parametrize(
    ("ftype", "default", "expected"),
    [
        ("int", 7, 7),
        ("double", 1, 1.0),
        ("string", "x", "x"),
        ("boolean", False, False),
        ("bytes", "\u00ff\u0000", "/wA="),
        ({"type": "fixed", "name": "F", "size": 2}, "\u00ab\u00cd", "abcd"),
        ({"type": "enum", "name": "E", "symbols": ["A", "B"]}, "B", "B"),
        (["null", "int"], None, None),
        (["int", "null"], 3, 3),
        ({"type": "array", "items": "int"}, [1, 2], [1, 2]),
        ({"type": "map", "values": "bytes"}, {"k": "a"}, {"k": "YQ=="}),
        (record("Inner", {"name": "n", "type": "int"}), {"n": 1}, {"n": 1}),
        ({"type": "int", "logicalType": "date"}, 19000, "2022-01-08"),
        ({"type": "int", "logicalType": "time-millis"}, 3_723_004, "01:02:03.004000Z"),
        ({"type": "long", "logicalType": "time-micros"}, 1_000_001, "00:00:01.000001Z"),
        ({"type": "long", "logicalType": "timestamp-millis"}, 0, "1970-01-01T00:00:00.000Z"),
        (
            {"type": "long", "logicalType": "timestamp-micros"},
            1_500_000,
            "1970-01-01T00:00:01.500Z",
        ),
        (
            {"type": "string", "logicalType": "uuid"},
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        ),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2},
            "\u0004\u00d2",
            12.34,
        ),
    ],
)
def test_defaults_in_model_json(tmp_path: Path, ftype: Any, default: Any, expected: Any) -> None:
    result, schema = one_field(tmp_path, ftype, default=default)
    assert result.warnings == ()
    assert schema.has_default
    assert schema.default == expected
    # A record without the field gets the default back through to_avro_datum.
    datum = to_avro_datum({}, "R", read_avro_schema(tmp_path / "one.avsc"))
    validate(datum, read_avro_schema(tmp_path / "one.avsc").record_schema("R"))


def test_unrepresentable_default_is_a_warning(tmp_path: Path) -> None:
    # A bytes default outside code points 0-255 passes fastavro's parse but is not Avro.
    _, schema = one_field(tmp_path, "bytes", default="\u20ac")
    result = AvroImporter().load(tmp_path / "one.avsc")
    assert not schema.has_default
    assert result.warnings == ("R.v: default '€' does not fit the type; left out",)


# -- logical types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ftype", "expected"),
    [
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2},
            Schema("number", precision=10, scale=2, minimum=-99999999.99, maximum=99999999.99),
        ),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 4},
            Schema("number", precision=4, scale=0, minimum=-9999.0, maximum=9999.0),
        ),
        (
            {
                "type": "fixed",
                "name": "D",
                "size": 8,
                "logicalType": "decimal",
                "precision": 18,
                "scale": 4,
            },
            Schema(
                "number",
                precision=18,
                scale=4,
                minimum=-99999999999999.98,
                maximum=99999999999999.98,
            ),
        ),
        ({"type": "string", "logicalType": "uuid"}, Schema("string", format="uuid")),
        (
            {"type": "fixed", "name": "U", "size": 16, "logicalType": "uuid"},
            Schema("string", format="uuid"),
        ),
        ({"type": "int", "logicalType": "date"}, Schema("string", format="date")),
        ({"type": "int", "logicalType": "time-millis"}, Schema("string", format="time")),
        ({"type": "long", "logicalType": "time-micros"}, Schema("string", format="time")),
        ({"type": "long", "logicalType": "timestamp-millis"}, Schema("string", format="date-time")),
        ({"type": "long", "logicalType": "timestamp-micros"}, Schema("string", format="date-time")),
        ({"type": "long", "logicalType": "timestamp-nanos"}, Schema("string", format="date-time")),
        (
            {"type": "long", "logicalType": "local-timestamp-millis"},
            Schema("string", format="date-time"),
        ),
        (
            {"type": "long", "logicalType": "local-timestamp-micros"},
            Schema("string", format="date-time"),
        ),
        (
            {"type": "long", "logicalType": "local-timestamp-nanos"},
            Schema("string", format="date-time"),
        ),
        (
            {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"},
            Schema("string", format="duration"),
        ),
    ],
)
def test_logical_types(tmp_path: Path, ftype: Any, expected: Schema) -> None:
    result, schema = one_field(tmp_path, ftype)
    assert schema == expected
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("precision", "scale"), [(1, 0), (4, 2), (5, 5), (18, 4), (38, 0), (38, 10)]
)
def test_decimal_range_edges_fit_the_decimal(tmp_path: Path, precision: int, scale: int) -> None:
    """The range set from precision/scale holds only values the decimal can take."""
    ftype = {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}
    _, schema = one_field(tmp_path, ftype)
    assert schema.maximum is not None
    assert schema.minimum == -schema.maximum
    avro = read_avro_schema(tmp_path / "one.avsc")
    for edge in (schema.minimum, schema.maximum):
        datum = to_avro_datum({"v": edge}, "R", avro)
        validate(datum, avro.record_schema("R"))
    beyond = float(decimal.Decimal(10) ** (precision - scale))
    with pytest.raises(GenerationError, match="does not fit"):
        to_avro_datum({"v": beyond}, "R", avro)


@pytest.mark.parametrize(
    ("ftype", "value", "datum"),
    [
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2},
            12.3,
            decimal.Decimal("12.30"),
        ),
        (
            {"type": "string", "logicalType": "uuid"},
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        ),
        (
            {"type": "fixed", "name": "U", "size": 16, "logicalType": "uuid"},
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8").bytes,
        ),
        ({"type": "int", "logicalType": "date"}, "2024-02-29", dt.date(2024, 2, 29)),
        ({"type": "int", "logicalType": "time-millis"}, "13:14:15Z", dt.time(13, 14, 15)),
        (
            {"type": "long", "logicalType": "time-micros"},
            "01:00:00.000001+02:00",
            dt.time(23, 0, 0, 1),
        ),
        (
            {"type": "long", "logicalType": "timestamp-millis"},
            "2024-02-29T10:00:00.250Z",
            dt.datetime(2024, 2, 29, 10, 0, 0, 250_000, tzinfo=dt.UTC),
        ),
        (
            {"type": "long", "logicalType": "local-timestamp-micros"},
            "2024-02-29T10:00:00+02:00",
            dt.datetime(2024, 2, 29, 8, 0),
        ),
        (
            {"type": "long", "logicalType": "timestamp-nanos"},
            "1970-01-01T00:00:01.5Z",
            1_500_000_000,
        ),
        (
            {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"},
            "P1Y2M3DT1H2M3.5S",
            struct.pack("<III", 14, 3, 3_723_500),
        ),
    ],
)
def test_logical_datums(tmp_path: Path, ftype: Any, value: Any, datum: Any) -> None:
    path = write(tmp_path, "l.avsc", record("R", {"name": "v", "type": ftype}))
    schema = read_avro_schema(path)
    out = to_avro_datum({"v": value}, "R", schema)
    assert out == {"v": datum}
    validate(out, schema.record_schema("R"))


@pytest.mark.parametrize(
    ("ftype", "warning", "expected"),
    [
        (
            {"type": "string", "logicalType": "iso-datetime"},
            "unknown logicalType 'iso-datetime'",
            Schema("string"),
        ),
        (
            {"type": "long", "logicalType": "date"},
            "logicalType 'date' does not apply to long",
            Schema("integer", minimum=-(2**63), maximum=2**63 - 1),
        ),
        (
            {"type": "fixed", "name": "U8", "size": 8, "logicalType": "uuid"},
            "logicalType 'uuid' needs a fixed of size 16",
            Schema("string", pattern="^[0-9a-f]{16}$", min_length=16, max_length=16),
        ),
        (
            {"type": "bytes", "logicalType": "big-decimal"},
            "unknown logicalType 'big-decimal'",
            Schema("string", format="byte"),
        ),
    ],
)
def test_logical_types_fastavro_ignores_are_warnings(
    tmp_path: Path, ftype: Any, warning: str, expected: Schema
) -> None:
    result, schema = one_field(tmp_path, ftype)
    assert schema == expected
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"R.v: {warning}")


@pytest.mark.parametrize(
    ("ftype", "match"),
    [
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 3},
            "scale must be less than or equal to the precision",
        ),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": -1},
            "precision must be a positive",
        ),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": -1},
            "scale must be a positive",
        ),
        (
            {"type": "fixed", "name": "D", "size": 2, "logicalType": "decimal", "precision": 9},
            "doesn't fit into array of length 2",
        ),
        (
            {"type": "bytes", "logicalType": "decimal"},
            'a decimal needs a positive integer "precision"',
        ),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 0},
            'a decimal needs a positive integer "precision"',
        ),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": None},
            'a decimal "scale" must be a whole number',
        ),
    ],
)
def test_bad_decimal_parameters_are_errors(tmp_path: Path, ftype: Any, match: str) -> None:
    """fastavro's parse rejects most; the rest it writes but its reader cannot read back."""
    path = write(tmp_path, "bad.avsc", record("R", {"name": "v", "type": ftype}))
    with pytest.raises(SchemaImportError, match=match):
        AvroImporter().load(path)


# -- file layouts ----------------------------------------------------------------------------


def test_top_level_list_of_types(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "events.avsc",
        [
            {"type": "enum", "name": "Currency", "namespace": "shop", "symbols": ["EUR", "USD"]},
            record(
                "Money",
                {"name": "amount", "type": "double"},
                {"name": "cur", "type": "Currency"},
                namespace="shop",
            ),
            record("OrderPlaced", {"name": "total", "type": "Money"}, namespace="shop"),
            record("OrderShipped", {"name": "carrier", "type": "string"}, namespace="shop"),
        ],
    )
    result = prove(path)
    assert result.listed == ("shop.OrderPlaced", "shop.Money", "shop.OrderShipped")
    assert result.domain.primary == "shop.OrderPlaced"
    assert result.domain.events == {
        "order_placed.recorded": "shop.OrderPlaced",
        "order_shipped.recorded": "shop.OrderShipped",
    }


def test_a_listed_recursive_record_is_still_the_files_event(tmp_path: Path) -> None:
    # Customer refers to itself (its referrer): it counted as used by another record, so no
    # record of the list was a root, and every one became an event type (58% of a Customer
    # stream were address.recorded events).
    path = write(
        tmp_path,
        "customers.avsc",
        [
            record("Address", {"name": "city", "type": "string"}, namespace="geo"),
            record(
                "Customer",
                {"name": "home", "type": "geo.Address"},
                {"name": "referrer", "type": ["null", "shop.Customer"], "default": None},
                namespace="shop",
            ),
        ],
    )
    result = prove(path)
    assert result.domain.primary == "shop.Customer"
    assert result.domain.events == {"customer.recorded": "shop.Customer"}


def test_event_types_of_records_sharing_a_short_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "two.avsc",
        [
            record("Event", {"name": "a", "type": "int"}, namespace="billing"),
            record("Event", {"name": "b", "type": "string"}, namespace="shipping"),
        ],
    )
    result = prove(path)
    assert result.domain.events == {
        "event.recorded": "billing.Event",
        "shipping_event.recorded": "shipping.Event",
    }
    with pytest.raises(UnknownNameError, match="unknown Avro record 'Event'"):
        to_avro_datum({"a": 1}, "Event", read_avro_schema(path))


def test_top_level_array_imports_its_records_with_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.avsc", {"type": "array", "items": record("Row", {"name": "a", "type": "int"})}
    )
    result = prove(path)
    assert result.listed == ("Row",)
    assert result.warnings == (
        "top level: the top-level type is array, not a record: its records are the entities",
    )


def test_named_types_from_sibling_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        "com.acme.Address.avsc",
        record("Address", {"name": "city", "type": "string"}, namespace="com.acme"),
    )
    write(
        tmp_path,
        "Status.avsc",
        {"type": "enum", "name": "Status", "namespace": "com.acme", "symbols": ["ACTIVE", "GONE"]},
    )
    path = write(
        tmp_path,
        "customer.avsc",
        record(
            "Customer",
            {"name": "home", "type": "Address"},
            {"name": "work", "type": ["null", "Address"]},
            {"name": "status", "type": "Status"},
            namespace="com.acme",
        ),
    )
    result = prove(path)
    assert result.listed == ("com.acme.Customer", "com.acme.Address")
    assert field_schema(result, "com.acme.Customer", "status").enum == ("ACTIVE", "GONE")


def test_sibling_file_defining_another_name_is_not_used(tmp_path: Path) -> None:
    write(
        tmp_path,
        "Address.avsc",
        record("Address", {"name": "c", "type": "string"}, namespace="other"),
    )
    path = write(
        tmp_path, "c.avsc", record("C", {"name": "a", "type": "Address"}, namespace="mine")
    )
    with pytest.raises(
        SchemaImportError,
        match=r"unknown type 'mine.Address': Address.avsc does not define mine.Address",
    ):
        AvroImporter().load(path)


def test_broken_sibling_file_is_named(tmp_path: Path) -> None:
    write(tmp_path, "Address.avsc", '{"type": "record", ')
    path = write(tmp_path, "c.avsc", record("C", {"name": "a", "type": "Address"}))
    with pytest.raises(SchemaImportError, match=r"Address\.avsc is not readable JSON"):
        AvroImporter().load(path)


# -- to_avro_datum ---------------------------------------------------------------------------


def test_to_avro_datum_accepts_short_names_and_raw_schemas() -> None:
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    row = {"id": 1, "email": "a@b.c", "name": "A", "age": None}
    assert to_avro_datum(row, "User", raw) == row
    assert to_avro_datum(row, f"{EV}.User", read_avro_schema(EXAMPLE)) == row


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]}, "'Nope'"),
        ({"type": "record", "name": "R"}, 'needs a "fields" list'),
    ],
)
def test_to_avro_datum_with_a_bad_raw_schema(raw: Any, match: str) -> None:
    with pytest.raises(SchemaImportError, match=match):
        to_avro_datum({}, "R", raw)


def test_to_avro_datum_with_a_fastavro_parsed_schema() -> None:
    parsed = fastavro.parse_schema(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    row = {"platform": "WEB", "app_version": "1.0", "user_agent": None}
    assert to_avro_datum(row, "Device", parsed) == row


def test_missing_field_with_a_default_that_does_not_fit(tmp_path: Path) -> None:
    path = write(tmp_path, "r.avsc", record("R", {"name": "b", "type": "bytes", "default": "€"}))
    with pytest.raises(GenerationError, match=r"R\.b: required field is missing"):
        to_avro_datum({}, "R", read_avro_schema(path))


def test_to_avro_datum_unknown_entity() -> None:
    with pytest.raises(
        UnknownNameError, match=r"unknown Avro record 'Usr'\. Did you mean 'User'\?"
    ):
        to_avro_datum({}, "Usr", read_avro_schema(EXAMPLE))


@pytest.mark.parametrize(
    ("ftype", "value", "match"),
    [
        ("int", 2**31, "is not an Avro int"),
        ("long", 2**63, "is not an Avro long"),
        ("int", True, "is not an Avro int"),
        ("float", 1e39, "out of range for an Avro float"),
        ("string", 5, "expected a string"),
        ("bytes", "not base64!", "is not base64"),
        ({"type": "fixed", "name": "F", "size": 2}, "abc", "expected 4 hex digits"),
        ({"type": "fixed", "name": "F", "size": 2}, "zzzz", "is not hex"),
        ({"type": "enum", "name": "E", "symbols": ["A"]}, "B", "is not a symbol of enum E"),
        (
            {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2},
            123.45,
            r"does not fit decimal\(4,2\)",
        ),
        ({"type": "int", "logicalType": "date"}, "yesterday", "is not an RFC 3339 date"),
        (
            {"type": "long", "logicalType": "timestamp-millis"},
            "2025-10-23T19:55:52.896Z\x00",
            "is not an RFC 3339 date-time",
        ),
        # (RFC 3339, as the labels' date-time format: a zone, seconds and a "T" are required;
        # a zone-less time was read as UTC though labelled invalid)
        (
            {"type": "long", "logicalType": "timestamp-millis"},
            "2025-10-23T19:55:52.896",
            r"not an RFC 3339 date-time \(such as 2025-01-31T10:00:00Z\)",
        ),
        ({"type": "long", "logicalType": "timestamp-millis"}, "2025-10-23T19:55Z", "RFC 3339"),
        ({"type": "long", "logicalType": "timestamp-micros"}, "2025-10-23 19:55:52Z", "RFC 3339"),
        ({"type": "int", "logicalType": "time-millis"}, "25:00:00Z", "is not an RFC 3339 time"),
        ({"type": "int", "logicalType": "time-millis"}, "10:00:00", "is not an RFC 3339 time"),
        ({"type": "string", "logicalType": "uuid"}, "nope", "is not a UUID"),
        (
            {"type": "fixed", "name": "Dur", "size": 12, "logicalType": "duration"},
            "PT",
            "not an ISO 8601 duration",
        ),
        (["null", "int"], "x", "fits no branch of the union"),
        ("int", None, "is not an Avro int"),
        ({"type": "array", "items": "int"}, {"a": 1}, "expected an array"),
        ({"type": "map", "values": "int"}, [1], "expected a map"),
    ],
)
def test_to_avro_datum_rejects_values_that_do_not_fit(
    tmp_path: Path, ftype: Any, value: Any, match: str
) -> None:
    path = write(tmp_path, "r.avsc", record("R", {"name": "v", "type": ftype}))
    with pytest.raises(GenerationError, match=r"^R\.v: (.* )?" + match):
        to_avro_datum({"v": value}, "R", read_avro_schema(path))


def test_to_avro_datum_record_shape_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "r.avsc", record("R", {"name": "a", "type": "int"}))
    schema = read_avro_schema(path)
    with pytest.raises(GenerationError, match=r"R\.a: required field is missing"):
        to_avro_datum({}, "R", schema)
    with pytest.raises(GenerationError, match=r"\['b'\] not fields of R"):
        to_avro_datum({"a": 1, "b": 2}, "R", schema)
    with pytest.raises(GenerationError, match="expected a record R"):
        to_avro_datum([], "R", schema)  # type: ignore[arg-type]


def test_record_schema_stands_alone(tmp_path: Path) -> None:
    """A nested record's schema defines the named types it borrows from its parent."""
    path = write(
        tmp_path,
        "p.avsc",
        record(
            "Parent",
            {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A"]}},
            {
                "name": "child",
                "type": record(
                    "Child",
                    {"name": "kind", "type": "Kind"},
                    {"name": "sibling", "type": ["null", "Child"]},
                ),
            },
        ),
    )
    standalone = read_avro_schema(path).record_schema("Child")
    assert standalone["fields"][0]["type"]["type"] == "enum"
    assert standalone["fields"][1]["type"] == ["null", "Child"]
    prove(path)


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match", "line"),
    [
        ("", "empty file", 1),
        ('{\n  "type": "record",\n  "name": "R",\n  "fields": [\n', "invalid JSON", 5),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"},]}',
            "invalid JSON",
            1,
        ),
        ('{"protocol": "P", "types": []}', "Avro protocol, not a schema", 1),
        ('"string"', "no record type", 1),
        ('{"type": "enum", "name": "E", "symbols": ["A"]}', "no record type", 1),
        ("5", "a type is a name, a list", None),
        ('{"name": "R", "fields": []}', 'needs a "type"', None),
        ('{"type": "record", "name": "R"}', 'needs a "fields" list', 1),
        ('{"type": "record", "fields": []}', 'a record needs a "name" string', None),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a"}]}',
            'a field is an object with a "name" and a "type"',
            1,
        ),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "array"}}]}',
            'an array needs "items"',
            1,
        ),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "map"}}]}',
            'a map needs "values"',
            1,
        ),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": [["int"]]}]}',
            "a union cannot directly contain a union",
            1,
        ),
        (
            '{"type": "record", "name": "R", "fields": [\n{"name": "a", "type": {"type": "fixed", '
            '"name": "F", "size": "big"}}]}',
            'a fixed needs a "size"',
            2,
        ),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "enum", '
            '"name": "E", "symbols": "A"}}]}',
            'an enum needs a "symbols" list',
            1,
        ),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": "enum", '
            '"name": "E", "symbols": ["A", "A"]}}]}',
            "invalid Avro schema: .*(duplicate|unique)",
            None,
        ),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": {"type": {"type": '
            '"int"}}}]}',
            'the "type" of a type object must be a name',
            1,
        ),
        (
            '{"type": "record", "name": "R", "fields": [\n  {"name": "a", "type": "int"},\n'
            '  {"name": "a", "type": "string"}]}',
            "record R has two fields named 'a'",
            3,
        ),
        (
            '{"type": "record", "name": "R", "fields": [\n  {"name": "a", "type": "Nope"}]}',
            "unknown type 'Nope'",
            2,
        ),
        (
            '{"type": "record", "name": "R", "namespace": "x", "fields": [\n'
            '  {"name": "a", "type": {"type": "record", "name": "S", "fields": []}},\n'
            '  {"name": "b", "type": {"type": "record", "name": "S", "fields": []}}]}',
            "redefined named type: x.S",
            3,
        ),
        (  # across a top-level union's members (fastavro kept the last one silently)
            '[{"type": "record", "name": "A", "fields": []},\n'
            ' {"type": "record", "name": "A", "fields": [{"name": "a", "type": "boolean"}]}]',
            "redefined named type: A",
            2,
        ),
        (  # (a reference to "int" would name the record or the primitive type)
            '{"type": "record", "name": "R", "fields": [\n  {"name": "a", "type": {"type": '
            '"record", "name": "int", "fields": []}},\n  {"name": "b", "type": "int"}]}',
            "a named type may not be called 'int'",
            2,
        ),
        (
            '{"type": "record", "name": "R", "fields": '
            '[{"name": "a", "type": "int", "default": "x"}]}',
            "Default value <x> must match",
            None,
        ),
        (
            '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "hyperint"}]}',
            "unknown type 'hyperint'",
            1,
        ),
    ],
)
def test_bad_input_is_a_schema_import_error(
    tmp_path: Path, text: str, match: str, line: int | None
) -> None:
    path = write(tmp_path, "bad.avsc", text)
    with pytest.raises(SchemaImportError, match=match) as info:
        AvroImporter().load(path)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaImportError, match="file not found"):
        AvroImporter().load(tmp_path / "none.avsc")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.avsc"
    path.write_bytes(b'{"type": "record", "name": "R\xe9", "fields": []}')
    with pytest.raises(SchemaImportError, match="not UTF-8"):
        AvroImporter().load(path)


def test_named_reference_in_an_object_explains_the_fix(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "w.avsc",
        record(
            "R",
            {"name": "a", "type": record("T", {"name": "x", "type": "int"})},
            {"name": "b", "type": {"type": "array", "items": {"type": "T"}}},
        ),
    )
    with pytest.raises(SchemaImportError, match=r"only as a plain string \(\"T\"\)") as info:
        AvroImporter().load(path)
    assert info.value.line is not None


def test_truncated_example_at_every_tenth_byte(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "cut.avsc"
    for end in range(0, len(text) - 2, 10):
        path.write_text(text[:end], encoding="utf-8")
        with pytest.raises(SchemaImportError):
            AvroImporter().load(path)


# -- fuzzing: only SchemaImportError escapes -------------------------------------------------

_NAMES = st.sampled_from(["A", "B", "C", "x.D", "int", "Node", "", "1bad"])
_PRIMS = st.sampled_from(["null", "boolean", "int", "long", "float", "double", "bytes", "string"])
_LOGICAL = st.sampled_from(
    [
        None,
        "decimal",
        "uuid",
        "date",
        "time-millis",
        "time-micros",
        "timestamp-millis",
        "timestamp-nanos",
        "local-timestamp-micros",
        "duration",
        "bogus",
        5,
    ]
)
_JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 300)
    | st.text(max_size=4)
    | st.floats(allow_nan=False)
)


def _avro_types(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    field = st.fixed_dictionaries(
        {"name": st.sampled_from(["a", "b", "c"]) | _JSON_SCALARS, "type": children},
        optional={
            "default": _JSON_SCALARS | st.lists(_JSON_SCALARS, max_size=2),
            "doc": _JSON_SCALARS,
        },
    )
    return st.one_of(
        st.lists(children, max_size=4),
        st.fixed_dictionaries(
            {"type": st.just("record"), "name": _NAMES, "fields": st.lists(field, max_size=4)},
            optional={"namespace": st.sampled_from(["n", "n.m", ""]), "doc": _JSON_SCALARS},
        ),
        st.fixed_dictionaries({"type": st.just("array"), "items": children}),
        st.fixed_dictionaries({"type": st.just("map"), "values": children}),
        st.fixed_dictionaries(
            {
                "type": st.just("enum"),
                "name": _NAMES,
                "symbols": st.lists(st.sampled_from(["A", "B", "c", "1", ""]), max_size=3)
                | _JSON_SCALARS,
            },
            optional={"default": _JSON_SCALARS},
        ),
        st.fixed_dictionaries(
            {"type": st.sampled_from(["fixed", "bytes", "int", "long", "string"]), "name": _NAMES},
            optional={
                "size": st.integers(-1, 20) | _JSON_SCALARS,
                "logicalType": _LOGICAL,
                "precision": st.integers(-1, 40) | _JSON_SCALARS,
                "scale": st.integers(-1, 10) | _JSON_SCALARS,
            },
        ),
        st.fixed_dictionaries({"type": _JSON_SCALARS | _NAMES}),
    )


AVRO_LIKE = st.recursive(_PRIMS | _NAMES | _JSON_SCALARS, _avro_types, max_leaves=12)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(schema=AVRO_LIKE)
def test_fuzz_avro_like_json(tmp_path: Path, schema: Any) -> None:
    """Any JSON shaped like Avro: a SchemaImportError, or entities whose records are valid."""
    path = write(tmp_path, "fuzz.avsc", json.dumps(schema))
    try:
        result = AvroImporter().load(path)
    except SchemaImportError:
        return
    avro = read_avro_schema(path)
    for entity in result.listed:
        try:
            rows = Synthesizer(result.domain, REFERENCE_MS).records(entity, 5, _rng())
        except GenerationError:
            continue  # required recursion no finite record satisfies
        _, problems = check(rows, entity, avro)
        assert not problems, (schema, problems)


_LOGICAL_TYPES = [
    {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 3},
    {"type": "bytes", "logicalType": "decimal", "precision": 30, "scale": 0},
    {"type": "string", "logicalType": "uuid"},
    {"type": "int", "logicalType": "date"},
    {"type": "int", "logicalType": "time-millis"},
    {"type": "long", "logicalType": "time-micros"},
    {"type": "long", "logicalType": "timestamp-millis"},
    {"type": "long", "logicalType": "timestamp-micros"},
    {"type": "long", "logicalType": "timestamp-nanos"},
    {"type": "long", "logicalType": "local-timestamp-millis"},
    {"type": "long", "logicalType": "local-timestamp-nanos"},
    {"type": "string", "logicalType": "custom-thing"},
]
_PRIMITIVE_DEFAULTS = {
    "int": 3,
    "long": -4,
    "float": 1.5,
    "double": 2.5,
    "string": "s",
    "boolean": True,
    "bytes": "\u00e9",
    "null": None,
}


@st.composite
def valid_types(draw: st.DrawFn, names: list[str], depth: int = 0) -> Any:
    """A well-formed Avro type; named types get fresh names, references reuse earlier ones."""
    choices = ["primitive", "logical", "enum", "fixed"]
    if names:
        choices.append("reference")
    if depth < 3:
        choices += ["array", "map", "union", "record"]
    kind = draw(st.sampled_from(choices))
    if kind == "primitive":
        return draw(_PRIMS.filter(lambda p: p != "null"))
    if kind == "logical":
        return dict(draw(st.sampled_from(_LOGICAL_TYPES)))
    if kind == "reference":
        return draw(st.sampled_from(names))
    if kind in ("enum", "fixed", "record"):
        name = f"T{len(names)}"
        names.append(name)
        if kind == "enum":
            return {
                "type": "enum",
                "name": name,
                "symbols": draw(
                    st.lists(
                        st.sampled_from(["A", "B", "C_1", "d"]), min_size=1, max_size=3, unique=True
                    )
                ),
            }
        if kind == "fixed":
            size = draw(st.sampled_from([0, 1, 12, 16, 20]))
            out: dict[str, Any] = {"type": "fixed", "name": name, "size": size}
            extra = {
                12: {"logicalType": "duration"},
                16: {"logicalType": "uuid"},
                20: {"logicalType": "decimal", "precision": 40, "scale": 5},
            }.get(size)
            if extra and draw(st.booleans()):
                out.update(extra)
            return out
        return draw(valid_records(names, depth + 1, name))
    if kind in ("array", "map"):
        key = "items" if kind == "array" else "values"
        return {"type": kind, key: draw(valid_types(names, depth + 1))}
    branches: list[Any] = ["null"] if draw(st.booleans()) else []
    for option in draw(
        st.lists(
            st.sampled_from(
                ["int", "string", "double", "boolean", "bytes", "record", "enum", "array", "map"]
            ),
            min_size=1,
            max_size=3,
            unique=True,
        )
    ):
        if option == "record":
            name = f"T{len(names)}"
            names.append(name)
            branches.append(draw(valid_records(names, depth + 1, name)))
        elif option == "enum":
            names.append(f"T{len(names)}")
            branches.append({"type": "enum", "name": names[-1], "symbols": ["X", "Y"]})
        elif option in ("array", "map"):
            key = "items" if option == "array" else "values"
            branches.append({"type": option, key: draw(valid_types(names, depth + 1))})
        else:
            branches.append(option)
    return branches


@st.composite
def valid_records(draw: st.DrawFn, names: list[str], depth: int = 0, name: str = "Top") -> Any:
    if name not in names:
        names.append(name)
    fields = []
    for i in range(draw(st.integers(0, 4))):
        ftype = draw(valid_types(names, depth))
        field: dict[str, Any] = {"name": f"f{i}", "type": ftype}
        first = ftype[0] if isinstance(ftype, list) else ftype
        if isinstance(first, str) and first in _PRIMITIVE_DEFAULTS and draw(st.booleans()):
            field["default"] = _PRIMITIVE_DEFAULTS[first]
        fields.append(field)
    return {"type": "record", "name": name, "namespace": "fuzz", "fields": fields}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schema=st.builds(list).flatmap(valid_records))
def test_fuzz_valid_schemas_generate_valid_records(tmp_path: Path, schema: Any) -> None:
    """Well-formed schemas with every construct: they import, and every record is valid Avro."""
    path = write(tmp_path, "valid.avsc", json.dumps(schema))
    result = AvroImporter().load(path)
    avro = read_avro_schema(path)
    for entity in result.listed:
        try:
            rows = Synthesizer(result.domain, REFERENCE_MS).records(entity, 10, _rng())
        except GenerationError:
            continue  # required recursion no finite record satisfies
        _, problems = check(rows, entity, avro)
        assert not problems, (schema, problems)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_fuzz_random_text(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "junk.avsc", text)
    with contextlib.suppress(SchemaImportError):
        AvroImporter().load(path)
    AvroImporter.sniff(path, text)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzz_truncated_and_mangled_example(tmp_path: Path, data: st.DataObject) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    junk = data.draw(st.text(max_size=5))
    path = write(tmp_path, "m.avsc", text[:start] + junk + text[end:])
    try:
        result = AvroImporter().load(path)
    except SchemaImportError:
        return
    assert isinstance(result.domain, Domain)


def _rng() -> Any:
    import numpy as np

    return np.random.default_rng(3)


def _chain(n: int) -> str:
    """A record nesting a record ``n`` levels deep, a string at the bottom."""
    opening = "".join(
        f'{{"type":"record","name":"R{i}","fields":[{{"name":"a","type":' for i in range(n)
    )
    return opening + '"string"' + "}]}" * n


@pytest.mark.parametrize(("depth", "code"), [(100, 0), (180, 1)])
def test_records_nested_past_100_levels_are_refused_not_a_traceback(
    tmp_path: Path, depth: int, code: int
) -> None:
    """Up to 200 levels were let through, and copying the schema to check it could be
    encoded ran out of Python's stack: a RecursionError traceback from import-schema."""
    from tests.helpers import run_cli

    (tmp_path / "deep.avsc").write_text(_chain(depth))
    out = tmp_path / "p.yaml"
    args = ["-t", "streaming", "--output-format", "avro", "-c", "3", "-o", str(out)]
    result = run_cli(["import-schema", str(tmp_path / "deep.avsc"), *args])
    assert result.code == code, result.stderr
    if code:
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("persona-gen: error: ")
        assert result.stderr.endswith(": nested too deeply\n")
        assert not out.exists()
    else:
        generated = run_cli(["generate", str(out), "-s", "1", "-o", str(tmp_path / "o")])
        assert generated.code == 0, generated.stderr
