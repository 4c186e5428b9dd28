"""The ddl check's column-type rules (runtime/pg_input.py) held to a real PostgreSQL.

SQLite keeps any value in any column, so the ddl check judges values by the column types
of the script itself. Those rules must never refuse what PostgreSQL takes (a record labelled
valid would be called invalid), and should refuse what it refuses: measured here on every
value the fault generator and edge-case file rows put in a table of many types, and on
hand-picked edge cases, each sent to PostgreSQL as the ``postgresql://`` sink sends it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from persona_gen import Dataset, PersonaCatalog
from persona_gen.importers.ddl import DdlImporter
from persona_gen.runtime.pg_input import _copy_text, column_inputs, refusal
from tests.helpers import run_cli

TABLE = """
CREATE TABLE things (
  id BIGSERIAL PRIMARY KEY,
  small SMALLINT NOT NULL,
  mid INTEGER,
  big BIGINT,
  born DATE NOT NULL,
  seen TIMESTAMP WITH TIME ZONE,
  naive TIMESTAMP,
  at_time TIME,
  ref UUID NOT NULL,
  addr INET,
  net CIDR,
  mac MACADDR,
  flag BOOLEAN,
  price NUMERIC(6,2),
  ratio DOUBLE PRECISION,
  weight REAL,
  code VARCHAR(8)
);
"""
SQL_TYPES = {
    "small": "smallint",
    "mid": "integer",
    "big": "bigint",
    "born": "date",
    "seen": "timestamptz",
    "naive": "timestamp",
    "at_time": "time",
    "ref": "uuid",
    "addr": "inet",
    "net": "cidr",
    "mac": "macaddr",
    "flag": "boolean",
    "price": "numeric(6,2)",
    "ratio": "float8",
    "weight": "float4",
}
# Types whose input rules are PostgreSQL's own, both ways; the date, time, cidr and macaddr
# types are only refused where PostgreSQL certainly refuses (its parsers take many more forms).
EXACT = {"small", "mid", "big", "ref", "addr", "flag", "ratio", "weight"}
EDGE_CASES: list[Any] = [
    *["", " ", "\t", "+12", " 12 ", "12.5", "1_000", "0x10", "1e5", True, False, 1.5, -0.0],
    *[32767, 32768, -32769, 2**31, 2**63, -(2**63) - 1, "NaN", "-nan", "Infinity", "inf"],
    *["1e309", "1e-400", "1e-320", "4e-324", "3.5e38", "1e-46", ".5", "5.", ".e1", "1,5"],
    *["t", "tr", "TRUE", "ye", "on", "o", "of", "off", "1", "0", "2", "yes!", "truee"],
    *["{12345678-1234-1234-1234-123456789012}", "{12345678-1234-1234-1234-123456789012"],
    *["1234-5678-1234-1234-1234-1234-5678-9012", "ABCDEF78-1234-1234-1234-123456789012"],
    *["12345678123412341234123456789012", "12345678--1234-1234-1234-123456789012"],
    *["10", "10.", "10.1", "10.1.2", "170.192.", "1.2.3.4/32", "1.2.3.4/8", "1.2.3.4/0"],
    *["01.2.3.4", "1.2.3.256", "::1", "::1/128", "::ffff:1.2.3.4", "fe80::1%eth0", "256"],
    *["0x0a", "10/8", "10.1/8", "AAAA", "08:00:2b:01:02:03", "08-00-2b-01-02-03"],
    *["08002b:010203", "0800.2b01.0203", "08002b010203", "8:0:2b:1:2:3", "08:00:2b:01:02"],
    *["2024-12-22T22:12:36.403Z", "2024-12-22T22:", "2024-12-22T22", "2024-12-22 22"],
    *["2024-12-22T", "2024-12-", "2024-12", "2024-1", "2024", "200", "12", "20241"],
    *["19990108", "990108", "1999008", "990199", "1230", "2460", "123060", "126060"],
    *["24:00:00", "24:00:01", "23:59:60", "23:59:60.5", "25:99", "22:", "21:0", "04:32:"],
    *["2024-12-31T23:59:60Z", "2024-13-45T25:61:00", "2023-02-29", "2024-02-29"],
    *["0000-01-01", "31/02/2024", "02/31/2024", "12/22/2024", "22/12/2024", "2024/12/22"],
    *["Jan 8 1999", "8 January 1999", "Monday 2024-01-08", "J2451187", "1999-008", "now"],
    *["epoch", "infinity", "-infinity", "allballs", "tomorrow", "today", "T22:12"],
    *["2024-01-08 12:00 Europe/Paris", "2024-01-08 12:00 etc/passwd", "2024-01-08 12:00 cet"],
    *["2024-01-08 12:00 users", "2024-01-08 OR", "2024-12-22T22:12:36.403-05:30"],
    *["2024-12-22T22:12:36+0200", "2024-12-22t22:12:36", "../../../../etc/passwd"],
    *["2024-01-08 café", "2024-01-08\x00", "<script>alert(1)</script>", "A" * 300],
]


@pytest.fixture(scope="module")
def pg(postgres_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("SET DateStyle = 'ISO, MDY'")
        yield conn


def _refused_by_postgres(conn: psycopg.Connection[Any], text: str, sql_type: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(f"SELECT %s::{sql_type}::text", (text,))
    except psycopg.errors.DataError:
        return True
    return False


def _generated_values(tmp_path: Path) -> dict[str, set[Any]]:
    """Every scalar value the fault generator and edge-case file rows put in each column."""
    path = tmp_path / "things.sql"
    path.write_text(TABLE, encoding="utf-8")
    domain = DdlImporter().load(path, dialect="postgres").domain
    catalog = PersonaCatalog()
    values: dict[str, set[Any]] = {column: set() for column in SQL_TYPES}
    runs = [("fault", "edge_case_user"), ("fault", "noisy_device"), ("file", "edge_case_user")]
    for generator, persona in runs:
        dataset = Dataset(
            [(catalog.get(persona), 1.0)], generator, 3000, 11, domain=domain, entity="things"
        )
        for block in dataset.blocks():
            for record in block:
                row = record.get("record", record) if generator == "fault" else record
                for column in SQL_TYPES:
                    value = row.get(column) if isinstance(row, dict) else None
                    if value is not None and not isinstance(value, dict | list):
                        values[column].add(value[:200] if isinstance(value, str) else value)
    return values


def test_column_type_rules_agree_with_postgresql(
    pg: psycopg.Connection[Any], tmp_path: Path
) -> None:
    inputs = column_inputs(TABLE, "postgres", "things")
    assert set(inputs) == {*SQL_TYPES, "id"}
    generated = _generated_values(tmp_path)
    false_refusals, misses = [], []
    refused_by_pg = caught = 0
    for column, sql_type in SQL_TYPES.items():
        for value in [*sorted(generated[column], key=repr), *EDGE_CASES]:
            ours = refusal(value, inputs[column])
            theirs = _refused_by_postgres(pg, _copy_text(value), sql_type)
            if ours is not None and not theirs:
                false_refusals.append(f"{column} {value!r}: {ours}")
            if theirs and ours is None and column in EXACT:
                misses.append(f"{column} {value!r}")
            if theirs and value in generated[column]:
                refused_by_pg += 1
                caught += ours is not None
    assert not false_refusals, "\n".join(false_refusals[:30])
    assert not misses, "\n".join(misses[:30])
    # (the date, time and cidr rules are partial: most of what the fault generator makes
    # that PostgreSQL refuses is still caught)
    assert refused_by_pg > 1000
    assert caught >= 0.97 * refused_by_pg, f"{caught} of {refused_by_pg}"


def test_other_dialects_check_integer_ranges_only() -> None:
    mysql = "CREATE TABLE t (a TINYINT UNSIGNED, b INT, c DATE, d VARCHAR(3));"
    inputs = column_inputs(mysql, "mysql", "t")
    assert set(inputs) == {"a", "b"}
    assert refusal(256, inputs["a"]) is not None
    assert refusal(-1, inputs["a"]) is not None
    assert refusal(255, inputs["a"]) is None
    assert refusal("12abc", inputs["b"]) is None  # (MySQL may cut it: not judged)
    assert column_inputs(mysql.replace("UNSIGNED", ""), "sqlite", "t") == {}


def test_ddl_check_reports_what_the_column_types_refuse(tmp_path: Path) -> None:
    """A fault dataset of a DDL table: values SQLite keeps but PostgreSQL's column types
    refuse (a text in a date column, 32768 in a SMALLINT) are failures of their label, not
    breaks the DDL "cannot show"."""
    schema = tmp_path / "things.sql"
    schema.write_text(TABLE, encoding="utf-8")
    profile = tmp_path / "things.yaml"
    imported = run_cli(["import-schema", str(schema), "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    doc = yaml.safe_load(profile.read_text(encoding="utf-8"))
    doc["datasets"] = [
        {"name": "faults", "type": "fault", "count": 2000, "format": "jsonl", "entity": "things"}
    ]
    profile.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    made = run_cli(
        ["generate", str(profile), "-o", str(tmp_path), "-s", "4", "--persona", "edge_case_user"]
    )
    assert made.code == 0, made.stderr
    report = tmp_path / "report.json"
    checked = run_cli(
        ["check", str(tmp_path / "faults.jsonl"), "--profile", str(profile),
         "--schema", str(schema), "--report", str(report)]
    )  # fmt: skip
    assert checked.code == 0, checked.stderr
    found = json.loads(report.read_text())
    assert found["problem_count"] == 0
    assert found["failures_by_rule"].get("type", 0) > 300
    assert found["failures_by_rule"].get("range", 0) > 50
    assert found["undetected_by_rule"].get("format", 0) < 0.2 * found["labelled_invalid"]


KEYED = [
    "CREATE TABLE k (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), x INT)",
    "CREATE TABLE k (id SERIAL PRIMARY KEY, x INT)",
    "CREATE TABLE k (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x INT)",
    "CREATE TABLE k (id TEXT, x INT, CONSTRAINT k_pk PRIMARY KEY (id))",
    "CREATE TABLE k (id INTEGER, x INT NOT NULL, PRIMARY KEY (x, id))",
    "CREATE TABLE k (id TEXT UNIQUE, x INT)",  # (a UNIQUE key takes NULL, as in SQLite)
]


@pytest.mark.parametrize("script", KEYED)
def test_null_key_refusals_agree_with_postgresql(
    pg: psycopg.Connection[Any], tmp_path: Path, script: str
) -> None:
    """A NULL key, written as the sinks write a row (every column, NULL for an absent one):
    PostgreSQL refuses it in a PRIMARY KEY column, whatever its DEFAULT or sequence, and
    the ddl check now does too (SQLite, which builds the check's table, takes it)."""
    from persona_gen.runtime.sqlload import SqliteTable

    path = tmp_path / "k.sql"
    path.write_text(script + ";", encoding="utf-8")
    entity = DdlImporter().load(path, dialect="postgres").domain.entity("k")
    table = SqliteTable(script, "postgres", entity, keep_rows=False)
    ours = table.insert({"id": None, "x": 1}) is not None
    table.close()
    try:
        with pg.transaction():
            pg.execute("CREATE TEMPORARY TABLE " + script.removeprefix("CREATE TABLE "))
            pg.execute("INSERT INTO k (id, x) VALUES (NULL, 1)")
            raise _Rollback
    except psycopg.errors.NotNullViolation:
        theirs = True
    except _Rollback:
        theirs = False
    assert ours == theirs == ("PRIMARY KEY" in script)


class _Rollback(Exception):
    """Leaves the transaction without keeping its table."""
