"""Bounded dates and date-times: ``format_minimum`` / ``format_maximum`` in the entity
model, read from SQL CHECKs and JSON Schema's ``formatMinimum`` (ajv-formats), kept by
generation, labels, fault mutations, edge cases, event times and created tables."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import psycopg
import pytest
from hypothesis import given, settings

from persona_gen import Dataset, PersonaCatalog
from persona_gen._moments import broken_bound, instant_us, window_ms
from persona_gen.entities.model import Domain, Entity, Field, Schema
from persona_gen.entities.serial import domain_from_dict
from persona_gen.generators.check import violated_rule
from persona_gen.importers.ddl import parse_ddl
from persona_gen.importers.jsonschema import JsonSchemaImporter
from persona_gen.sinks.tables import create_table_sql
from persona_gen.values.synth import Synthesizer
from tests.helpers import run_cli

CATALOG = PersonaCatalog([])

BOOKINGS = """
CREATE TABLE bookings (
  id integer PRIMARY KEY,
  day date NOT NULL CHECK (day >= '2024-01-01' AND day < DATE '2025-01-01'),
  stay date CHECK (stay BETWEEN '2024-02-01' AND '2024-02-29'),
  paid_at timestamp CHECK (paid_at > '2024-06-01 00:00:00'),
  closes timestamptz NOT NULL CHECK (closes <= '2024-12-31T12:00:00+02:00'),
  opens time CHECK (opens > '09:00')
);
"""


def _column(domain: Domain, name: str) -> Schema:
    found = domain.entity("bookings").schema.field(name)
    assert found is not None
    return found.schema


# -- reading and comparing instants ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2024-01-01", "date", "2024-01-01T00:00:00+00:00"),
        ("2024-01-01T02:00:00+02:00", "date-time", "2024-01-01T00:00:00+00:00"),
        ("2024-06-01 00:00:00", "date-time", "2024-06-01T00:00:00+00:00"),
        ("2024-06-01", "date-time", "2024-06-01T00:00:00+00:00"),
        ("2024-06-01t10:00:00.5z", "date-time", "2024-06-01T10:00:00.500000+00:00"),
        ("2024-12-31T12:00:00+0200", "date-time", "2024-12-31T10:00:00+00:00"),
    ],
)
def test_instants_read_as_their_databases_read_them(text: str, fmt: str, expected: str) -> None:
    from datetime import datetime, timedelta

    at = instant_us(text, fmt)
    assert at is not None
    moment = datetime.fromisoformat("1970-01-01T00:00:00+00:00") + timedelta(microseconds=at)
    assert moment.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "fmt"),
    [("2024-02-30", "date"), ("2024-01-01T10:00:00Z", "date"), ("noon", "date-time"),
     ("2024-01-01T25:00:00Z", "date-time"), ("10:00:00", "time")],
)  # fmt: skip
def test_what_is_no_instant(text: str, fmt: str) -> None:
    assert instant_us(text, fmt) is None


def test_an_exclusive_bound_moves_a_day_or_a_millisecond() -> None:
    day = 86_400_000
    first, last = window_ms("date", "2024-01-01", True, "2025-01-01", True)
    assert (first, last) == (instant_us("2024-01-02", "date") // 1000, 1735603200000)  # type: ignore[operator]
    assert last == instant_us("2024-12-31", "date") // 1000  # type: ignore[operator]
    first, last = window_ms("date-time", "2024-06-01 00:00:00", True, "2024-06-02", False)
    assert first == 1717200000001 and last == 1717200000000 + day
    # a bound between milliseconds: the first whole millisecond inside it
    assert window_ms("date-time", "2024-06-01T00:00:00.0005Z", False, None, False)[0] == (
        1717200000001
    )


def test_a_value_at_an_exclusive_bound_breaks_it() -> None:
    assert broken_bound("2024-01-01", "date", "2024-01-01", True, None, False) == (
        "formatExclusiveMinimum"
    )
    assert broken_bound("2024-01-01", "date", "2024-01-01", False, None, False) is None
    late = "2024-12-31T10:00:00.001Z"
    assert broken_bound(late, "date-time", None, False, "2024-12-31T12:00:00+02:00", False) == (
        "formatMaximum"
    )


# -- SQL CHECKs ------------------------------------------------------------------------------


def test_ddl_date_checks_become_bounds() -> None:
    result = parse_ddl(BOOKINGS, dialect="postgres")
    domain = result.domain
    day = _column(domain, "day")
    assert (day.format_minimum, day.format_exclusive_minimum) == ("2024-01-01", False)
    assert (day.format_maximum, day.format_exclusive_maximum) == ("2025-01-01", True)
    stay = _column(domain, "stay")
    assert (stay.format_minimum, stay.format_maximum) == ("2024-02-01", "2024-02-29")
    paid = _column(domain, "paid_at")
    assert (paid.format_minimum, paid.format_exclusive_minimum) == ("2024-06-01 00:00:00", True)
    assert _column(domain, "closes").format_maximum == "2024-12-31T12:00:00+02:00"
    # a time of day takes no bound: the CHECK is said to be left out, and why
    assert _column(domain, "opens").format_minimum is None
    [warning] = [w for w in result.warnings if "opens" in w]
    assert "times of day take no bounds" in warning


def _bookings_rows(persona: str, generator: str, n: int, seed: int = 3) -> list[dict[str, Any]]:
    domain = parse_ddl(BOOKINGS, dialect="postgres").domain
    ds = Dataset(
        [(CATALOG.get(persona), 1.0)], generator, n, seed, domain=domain, entity="bookings"
    )
    return [r for block in ds.blocks() for r in block]


def test_rows_keep_within_the_checks_and_edge_cases_reach_them() -> None:
    rows = _bookings_rows("edge_case_user", "file", 1500)
    valid = [r for r in rows if r["_expected_valid"]]
    assert len(valid) > 500
    days = {r["day"] for r in valid}
    assert min(days) == "2024-01-01" and max(days) == "2024-12-31"  # (the edges themselves)
    stays = {r["stay"] for r in valid if r["stay"] is not None}
    assert min(stays) == "2024-02-01" and max(stays) == "2024-02-29"
    paid = [r["paid_at"] for r in valid if r["paid_at"] is not None]
    assert min(paid) == "2024-06-01T00:00:00.001Z"
    assert max(r["closes"] for r in valid) == "2024-12-31T10:00:00.000Z"
    # rows with a date outside: labelled so, by the rule they break
    outside = [r for r in rows if "formatExclusiveMaximum" in str(r["_violations"])]
    assert all(not r["_expected_valid"] for r in outside)


def test_checks_hold_in_postgresql(pg_db: str) -> None:
    """PostgreSQL compares dates and timestamps as such (SQLite, which ``check`` uses for a
    DDL, compares their text): every row labelled valid loads, every fault record labelled
    as breaking a bound is refused by the script's own CHECK."""
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute(BOOKINGS)
        for k, row in enumerate(_bookings_rows("edge_case_user", "file", 800)):
            if row["_expected_valid"]:
                values = {c: row[c] for c in ("day", "stay", "paid_at", "closes")}
                conn.execute(
                    "INSERT INTO bookings (id, day, stay, paid_at, closes)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (k, *values.values()),
                )
        refused = 0
        for k, record in enumerate(_bookings_rows("normal_user", "fault", 3000)):
            if not str(record["rule"]).startswith("format") or record["rule"] == "format":
                continue
            payload = record["record"]
            values = {c: payload.get(c) for c in ("day", "stay", "paid_at", "closes")}
            values["day"] = values["day"] or "2024-03-03"
            values["closes"] = values["closes"] or "2024-03-03T00:00:00Z"
            with pytest.raises(psycopg.errors.CheckViolation):
                conn.execute(
                    "INSERT INTO bookings (id, day, stay, paid_at, closes)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (100_000 + k, *values.values()),
                )
            refused += 1
    assert refused > 20


def test_check_passes_a_ddl_file_of_bounded_dates(tmp_path: Path) -> None:
    script = tmp_path / "bookings.sql"
    # (without the time of day, whose CHECK is warned about and left out)
    script.write_text(
        BOOKINGS.replace(",\n  opens time CHECK (opens > '09:00')", ""), encoding="utf-8"
    )
    profile = tmp_path / "bookings.yaml"
    result = run_cli(["import-schema", str(script), "-o", str(profile), "--count", "400"])
    assert result.code == 0, result.stderr
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-s", "5", "-o", str(out)]).code == 0
    [data] = [p for p in out.iterdir() if not p.name.endswith(".manifest.json")]
    checked = run_cli(["check", str(data), "--profile", str(profile)])
    assert checked.code == 0, checked.stderr
    assert "labelled valid but fails" not in checked.stdout.decode()


# -- JSON Schema (ajv-formats) ---------------------------------------------------------------

TRIP = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Trip",
    "type": "object",
    "required": ["starts", "booked_at"],
    "properties": {
        "starts": {
            "type": "string",
            "format": "date",
            "formatMinimum": "2026-01-01",
            "formatExclusiveMaximum": "2026-03-01",
        },
        "booked_at": {
            "type": "string",
            "format": "date-time",
            "formatMinimum": "2025-12-01T00:00:00Z",
            "formatExclusiveMinimum": True,
            "formatMaximum": "2025-12-31T23:59:59Z",
        },
        "opens": {"type": "string", "format": "time", "formatMinimum": "09:00:00Z"},
    },
}


def _trip(tmp_path: Path) -> Path:
    path = tmp_path / "trip.json"
    path.write_text(json.dumps(TRIP), encoding="utf-8")
    return path


def test_json_schema_format_bounds_are_read_in_both_ajv_forms(tmp_path: Path) -> None:
    result = JsonSchemaImporter().load(_trip(tmp_path))
    fields = {f.name: f.schema for f in result.domain.entity("Trip").schema.fields}
    starts, booked = fields["starts"], fields["booked_at"]
    assert (starts.format_minimum, starts.format_maximum) == ("2026-01-01", "2026-03-01")
    assert not starts.format_exclusive_minimum and starts.format_exclusive_maximum
    assert booked.format_exclusive_minimum and not booked.format_exclusive_maximum
    assert fields["opens"].format_minimum is None
    assert any("formatMinimum" in w and "not enforced" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("record", "valid"),
    [
        ({"starts": "2026-01-01", "booked_at": "2025-12-31T23:59:59Z"}, True),
        ({"starts": "2025-12-31", "booked_at": "2025-12-02T00:00:00Z"}, False),
        ({"starts": "2026-03-01", "booked_at": "2025-12-02T00:00:00Z"}, False),
        ({"starts": "2026-02-28", "booked_at": "2025-12-01T00:00:00Z"}, False),
        ({"starts": "2026-02-28", "booked_at": "2026-01-01T00:59:59+01:00"}, True),
    ],
)
def test_the_validator_holds_records_to_the_bounds(
    tmp_path: Path, record: dict[str, Any], valid: bool
) -> None:
    check = JsonSchemaImporter().validators(_trip(tmp_path))["Trip"]
    assert (check(record) == []) is valid


def test_generated_trips_and_their_labels_agree_with_the_validator(tmp_path: Path) -> None:
    path = _trip(tmp_path)
    domain = JsonSchemaImporter().load(path).domain
    check = JsonSchemaImporter().validators(path)["Trip"]
    for persona in ("normal_user", "edge_case_user"):
        for generator in ("file", "fault"):
            ds = Dataset([(CATALOG.get(persona), 1.0)], generator, 600, 9, domain=domain)
            for r in (r for block in ds.blocks() for r in block):
                if generator == "fault":
                    record, valid = r["record"], r["expected_valid"]
                else:
                    # (a file row holds an optional field left out as null)
                    record = {k: v for k, v in r.items() if not k.startswith("_") and v is not None}
                    valid = r["_expected_valid"]
                if valid:
                    assert check(record) == [], (persona, generator, record)
                elif generator == "fault" and str(r["rule"]).startswith("formatE"):
                    assert check(record) != [], (persona, record)


# -- the entity format -----------------------------------------------------------------------


def test_entity_format_refuses_bounds_it_cannot_keep(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(
        """name: b
personas: [{name: normal_user}]
datasets: [{name: d, type: file, count: 5, output: d.jsonl}]
domain:
  primary: e
  entities:
    e:
      schema:
        type: object
        fields:
          a:
            {type: string, format: date, format_minimum: '2024-05-01', format_maximum: '2024-04-01'}
          b: {type: string, format: date-time, format_minimum: yesterday}
          c: {type: string, format_maximum: '2024-01-01'}
          d: {type: string, format: date, format_exclusive_minimum: 5}
          e: {type: string, format: date, format_minimum: '2024-01-01', enum: ['2023-01-01']}
""",
        encoding="utf-8",
    )
    result = run_cli(["validate", str(profile)])
    assert result.code == 1 and "Traceback" not in result.stderr
    for expected in (
        "bad.yaml:11:11: domain.entities.e.schema.fields.a: no date lies between its "
        "format_minimum 2024-05-01 and format_maximum 2024-04-01 (to the day)",
        "fields.b.format_minimum: 'yesterday' is not a date-time (write it as "
        "2024-01-01T00:00:00Z)",
        "fields.c.format_maximum: bounds values of format date or date-time only",
        "fields.d.format_exclusive_minimum: expected true, false or a date or date-time, got 5",
        "fields.e.enum[0]: enum member '2023-01-01' is before its format_minimum 2024-01-01",
    ):
        assert expected in result.stderr


def test_an_exclusive_bound_written_as_a_date_reads_as_the_flag() -> None:
    domain = domain_from_dict(
        {
            "primary": "e",
            "entities": {
                "e": {
                    "schema": {
                        "type": "object",
                        "fields": {
                            "a": {
                                "type": "string",
                                "format": "date",
                                "format_minimum": "2024-01-01",
                                "format_exclusive_minimum": "2024-03-01",
                            }
                        },
                    }
                }
            },
        }
    )
    a = domain.entity("e").schema.fields[0].schema
    assert (a.format_minimum, a.format_exclusive_minimum) == ("2024-03-01", True)


# -- properties ------------------------------------------------------------------------------

_DAYS = st.integers(min_value=-20_000, max_value=40_000)  # days from 1970-01-01


def _text(day: int, fmt: str, ms: int = 0) -> str:
    from datetime import UTC, datetime, timedelta

    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day, milliseconds=ms)
    return moment.date().isoformat() if fmt == "date" else moment.isoformat()


@settings(max_examples=60, deadline=None)
@given(
    fmt=st.sampled_from(["date", "date-time"]),
    low=st.none() | _DAYS,
    width=st.integers(min_value=0, max_value=800),
    ms=st.integers(min_value=0, max_value=86_399_999),
    exclusive=st.tuples(st.booleans(), st.booleans()),
    open_high=st.booleans(),
    reference=_DAYS,
)
def test_drawn_dates_keep_within_any_bounds(
    fmt: str,
    low: int | None,
    width: int,
    ms: int,
    exclusive: tuple[bool, bool],
    open_high: bool,
    reference: int,
) -> None:
    start = low if low is not None else reference - width
    schema = Schema(
        "string",
        format=fmt,
        format_minimum=None if low is None else _text(low, fmt, ms),
        format_exclusive_minimum=exclusive[0] and low is not None,
        format_maximum=None if open_high else _text(start + width, fmt),
        format_exclusive_maximum=exclusive[1] and not open_high,
    )
    first, last = window_ms(
        fmt,
        schema.format_minimum,
        schema.format_exclusive_minimum,
        schema.format_maximum,
        schema.format_exclusive_maximum,
    )
    if first is not None and last is not None and first > last:
        return  # (no value fits: refused when the profile is read)
    entity = Entity("e", Schema("object", fields=(Field("at", schema),)))
    synth = Synthesizer(Domain(entities={"e": entity}, primary="e"), reference * 86_400_000)
    rows = synth.records("e", 200, __import__("numpy").random.default_rng(1))
    for row in rows:
        assert violated_rule(schema, row["at"]) is None, (schema, row)


def test_event_times_outside_a_fields_bounds_are_not_written() -> None:
    bounded = Schema(
        "string", format="date-time", format_minimum="2025-01-01T00:00:00Z",
        format_maximum="2025-01-01T00:05:30Z",
    )  # fmt: skip
    entity = Entity(
        "reading",
        Schema(
            "object",
            fields=(Field("id", Schema("string", format="uuid")), Field("occurred_at", bounded)),
        ),
    )
    domain = Domain(entities={"reading": entity}, primary="reading")
    ds = Dataset(
        [(CATALOG.get("normal_user"), 1.0)],
        "streaming",
        600,
        4,
        domain=domain,
        epoch_ms=1_735_689_900_000,  # 2025-01-01T00:05:00Z
    )
    events = [r for block in ds.blocks() for r in block]
    times = [e["payload"]["occurred_at"] for e in events if isinstance(e.get("payload"), dict)]
    written = [t for e, t in zip(events, times, strict=False) if t == e["event_time"]]
    assert written and len(written) < len(times)  # (the later events keep a drawn time)
    assert all(violated_rule(bounded, t) is None for t in times)


def test_created_tables_check_the_bounds(tmp_path: Path) -> None:
    domain = parse_ddl(BOOKINGS, dialect="postgres").domain
    text = create_table_sql(domain.entity("bookings"), "sqlite", domain=domain)
    assert "julianday(\"day\") < julianday('2025-01-01')" in text
    with closing(sqlite3.connect(tmp_path / "b.db")) as conn:
        conn.execute(text)
        insert = "INSERT INTO bookings (id, day, closes) VALUES (?, ?, ?)"
        conn.execute(insert, (1, "2024-12-31", "2024-12-31T10:00:00.000Z"))
        for day, closes in (("2025-01-01", "2024-01-01"), ("2024-05-05", "2024-12-31T10:00:01Z")):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(insert, (2, day, closes))
    # Bounds are written as their instants in UTC, with the zone: PostgreSQL reads a
    # timestamptz literal without one in the session's time zone, and SQLite's julianday()
    # reads no offset without a colon (``+0200``).
    pg = create_table_sql(domain.entity("bookings"), "postgres", domain=domain)
    assert "\"paid_at\" > '2024-06-01T00:00:00+00:00'" in pg
    assert "\"closes\" <= '2024-12-31T10:00:00+00:00'" in pg


def test_created_tables_hold_in_a_session_of_another_time_zone(pg_db: str) -> None:
    domain = parse_ddl(BOOKINGS, dialect="postgres").domain
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute("SET TIME ZONE 'Asia/Kolkata'")
        conn.execute(create_table_sql(domain.entity("bookings"), "postgres", domain=domain))
        insert = "INSERT INTO bookings (id, day, closes) VALUES (%s, %s, %s)"
        conn.execute(insert, (1, "2024-03-03", "2024-12-31T10:00:00.000Z"))  # (its maximum)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(insert, (2, "2024-03-03", "2024-12-31T10:00:00.001Z"))


def test_replaced_bounds_keep_schemas_hashable() -> None:
    s = Schema("string", format="date", format_minimum="2024-01-01")
    assert hash(dataclasses.replace(s, format_maximum="2024-02-01")) != hash(s)


# -- the corners a review found --------------------------------------------------------------


def test_a_timestamp_column_drops_a_literals_offset_as_its_database_does() -> None:
    """``'2024-01-01 00:00:00+05'::timestamp`` is midnight: the offset of a literal is
    dropped on a column without a time zone, and kept on a timestamptz."""
    domain = parse_ddl(
        "CREATE TABLE ev (a timestamp CHECK (a >= '2024-01-01 00:00:00+05'),"
        " b timestamptz CHECK (b >= '2024-01-01 00:00:00+05'));",
        dialect="postgres",
    ).domain
    fields = {f.name: f.schema for f in domain.entity("ev").schema.fields}
    assert fields["a"].format_minimum == "2024-01-01 00:00:00"
    assert fields["b"].format_minimum == "2024-01-01 00:00:00+05"


SAME_DAY = """CREATE TABLE shifts (
  id int PRIMARY KEY,
  t timestamp NOT NULL CHECK (t >= '2024-06-01 08:00:00' AND t < '2024-06-01 18:00:00'),
  z timestamptz NOT NULL CHECK (z < TIMESTAMPTZ '2024-01-01 00:00:00+00'
                                AND '2023-12-31 08:00:00+02' <= z)
);
"""


def test_check_proves_same_day_and_cast_bounds_in_sqlite(tmp_path: Path) -> None:
    """SQLite compares text: a value ``2024-06-01T12:00:00.000Z`` was above the bound
    ``'2024-06-01 18:00:00'`` (``T`` sorts after the space), and a ``TIMESTAMPTZ '…'`` cast
    became the number 2024, below every text; both failed every row labelled valid."""
    script = tmp_path / "shifts.sql"
    script.write_text(SAME_DAY, encoding="utf-8")
    profile = tmp_path / "shifts.yaml"
    assert run_cli(["import-schema", str(script), "-o", str(profile)]).code == 0
    doc = profile.read_text(encoding="utf-8")
    doc = doc.replace("type: file\n", "type: fault\n").replace("count: 100", "count: 1500")
    doc = doc.replace(".csv", ".jsonl").replace("format: csv", "format: jsonl")
    profile.write_text(doc.replace("- name: normal_user", "- name: edge_case_user"))
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-s", "2", "-o", str(out)]).code == 0
    [data] = [p for p in out.iterdir() if not p.name.endswith(".manifest.json")]
    report = tmp_path / "report.json"
    checked = run_cli(["check", str(data), "--profile", str(profile), "--report", str(report)])
    assert checked.code == 0, checked.stdout.decode()[-3000:]
    rules = {json.loads(line)["rule"] for line in data.read_text(encoding="utf-8").splitlines()}
    assert {"formatMinimum", "formatExclusiveMaximum"} <= rules
    # every record labelled as past a bound fails the script's own CHECK
    undetected = json.loads(report.read_text(encoding="utf-8"))["undetected_by_rule"]
    assert not [rule for rule in undetected if rule.startswith("formatM")], undetected
    assert not [rule for rule in undetected if rule.startswith("formatE")], undetected


def test_a_bounded_date_keeps_its_pattern() -> None:
    schema = Schema(
        "string", format="date", format_minimum="2024-01-01", format_maximum="2024-12-31",
        pattern="^2024-0[1-6]-",
    )  # fmt: skip
    entity = Entity("e", Schema("object", fields=(Field("p", schema),)))
    synth = Synthesizer(Domain(entities={"e": entity}, primary="e"), 1_735_689_900_000)
    rows = synth.records("e", 300, __import__("numpy").random.default_rng(3))
    assert all(violated_rule(schema, r["p"]) is None for r in rows)


@pytest.mark.parametrize(
    ("fmt", "low"), [("date", "9999-12-30"), ("date-time", "9999-12-31T23:59:59.990Z")]
)
def test_a_minimum_near_the_last_year_draws_no_fifth_digit(fmt: str, low: str) -> None:
    schema = Schema("string", format=fmt, format_minimum=low)
    entity = Entity("e", Schema("object", fields=(Field("far", schema),)))
    synth = Synthesizer(Domain(entities={"e": entity}, primary="e"), 1_735_689_900_000)
    rows = synth.records("e", 200, __import__("numpy").random.default_rng(3))
    assert {len(r["far"]) for r in rows} == {len(low) if fmt == "date" else 24}
    assert all(violated_rule(schema, r["far"]) is None for r in rows)


def test_the_validator_names_the_exclusive_rule_of_the_flag_form(tmp_path: Path) -> None:
    """ajv 6's ``formatExclusiveMaximum: true`` beside ``formatMaximum``: a value at the
    bound breaks formatExclusiveMaximum, as the fault labels say (``check`` reported
    "wrong-rule: labelled 'formatExclusiveMaximum' but fails on formatMaximum")."""
    path = tmp_path / "day.json"
    day = {"type": "string", "format": "date", "formatMaximum": "2024-12-31"}
    path.write_text(
        json.dumps({"title": "D", "type": "object", "properties": {
            "day": {**day, "formatExclusiveMaximum": True}}}),
        encoding="utf-8",
    )  # fmt: skip
    validator = JsonSchemaImporter().validators(path)["D"].validator
    [error] = validator.iter_errors({"day": "2024-12-31"})
    assert error.validator == "formatExclusiveMaximum"
    assert "is not before the exclusive maximum '2024-12-31'" in error.message
    assert list(validator.iter_errors({"day": "2024-12-30"})) == []


def test_edges_of_a_column_that_rounds_to_the_second_load(pg_db: str) -> None:
    """A ``TIMESTAMP(0)`` rounds 11:59:59.999 up to 12:00:00, onto an exclusive bound: the
    import moves such a bound inward by half a second (and a millisecond), so edge values
    stay inside once rounded."""
    script = (
        "CREATE TABLE t7 (id int PRIMARY KEY,"
        " n timestamp(0) NOT NULL CHECK (n >= '2024-06-01 00:00:00' AND n < '2024-06-01 12:00:00'),"
        " z timestamptz(0) NOT NULL CHECK (z > '2024-06-01 00:00:00+00'));"
    )
    domain = parse_ddl(script, dialect="postgres").domain
    ds = Dataset([(CATALOG.get("edge_case_user"), 1.0)], "file", 600, 5, domain=domain, entity="t7")
    valid = [r for block in ds.blocks() for r in block if r["_expected_valid"]]
    assert {"2024-06-01T11:59:59.499Z", "2024-06-01T00:00:00.501Z"} <= {
        v for r in valid for v in (r["n"], r["z"])
    }
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute(script)
        for k, row in enumerate(valid):
            conn.execute("INSERT INTO t7 VALUES (%s, %s, %s)", (k, row["n"], row["z"]))


def test_unique_dates_are_dates_each_row_its_own(tmp_path: Path) -> None:
    """A UNIQUE date column was made unique by a suffix, ``2024-01-14_0``: no date, yet
    labelled valid. Each row now takes its own day of the window (a timestamp its own
    millisecond), and a dataset of more rows than days is refused before it is made."""
    script = (
        "CREATE TABLE u (id int PRIMARY KEY,"
        " e date NOT NULL UNIQUE CHECK (e BETWEEN '2024-01-01' AND '2024-03-31'),"
        " t timestamptz UNIQUE, d date UNIQUE);"
    )
    domain = parse_ddl(script, dialect="postgres").domain
    for n in (91, 40):  # (every day of the window; and a dataset made in two partitions)
        ds = Dataset([(CATALOG.get("normal_user"), 1.0)], "file", n, 5, domain=domain, entity="u")
        rows = [r for block in ds.blocks() for r in block]
        for column in ("e", "t", "d"):
            values = [r[column] for r in rows]
            assert len(set(values)) == n, column
            field = domain.entity("u").schema.field(column)
            assert field is not None
            assert all(violated_rule(field.schema, v) is None for v in values), column
        assert {r["e"] for r in rows} <= {
            f"2024-{m:02d}-{d:02d}" for m in (1, 2, 3) for d in range(1, 32)
        }
    tail = Dataset([(CATALOG.get("normal_user"), 1.0)], "file", 91, 5, domain=domain, entity="u")
    whole = [r["e"] for block in tail.blocks() for r in block]
    assert [r["e"] for block in tail.blocks(60) for r in block] == whole[60:]
    path = tmp_path / "u.sql"
    path.write_text(script, encoding="utf-8")
    profile = tmp_path / "u.yaml"
    assert run_cli(["import-schema", str(path), "-o", str(profile), "--count", "92"]).code == 0
    result = run_cli(["generate", str(profile), "-o", str(tmp_path / "out")])
    assert result.code == 1 and "'e' must be unique but has only 91 allowed values" in result.stderr
    assert "(dates 2024-01-01 to 2024-03-31)" in result.stderr


def test_between_symmetric_takes_its_bounds_in_either_order() -> None:
    domain = parse_ddl(
        "CREATE TABLE s (n int CHECK (n BETWEEN SYMMETRIC 9 AND 1),"
        " d date CHECK (d BETWEEN SYMMETRIC '2024-12-31' AND '2024-01-01'),"
        " m int CHECK (m BETWEEN 1 AND 9));",
        dialect="postgres",
    ).domain
    fields = {f.name: f.schema for f in domain.entity("s").schema.fields}
    assert (
        (fields["n"].minimum, fields["n"].maximum)
        == (1, 9)
        == (
            fields["m"].minimum,
            fields["m"].maximum,
        )
    )
    assert (fields["d"].format_minimum, fields["d"].format_maximum) == ("2024-01-01", "2024-12-31")
