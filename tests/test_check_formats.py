"""check on the formats that hold only schema-governed parts or table rows: Avro container
files, length-delimited Protobuf, SQL INSERT scripts, SQLite and PostgreSQL databases, written
by persona-gen and read back."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import fastavro
import psycopg
import pytest
from psycopg import sql

from persona_gen import PersonaCatalog
from persona_gen.entities.builtin import builtin_domain
from persona_gen.importers.protobuf import descriptor_set, message_class
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from persona_gen.runtime.generate import plan
from persona_gen.runtime.readers_db import read_postgres
from persona_gen.runtime.records import read_sqlite
from persona_gen.sinks.database import parse_database_url
from persona_gen.sinks.protobuf import read_delimited, varint
from persona_gen.sinks.tables import table_for
from tests.helpers import import_profile, run_cli


def _profile(
    tmp: Path, schema: str, dtype: str, fmt: str, entity: str | None = None, count: int = 60
) -> Path:
    """Import ``schema`` (copied to tmp/schemas/) into tmp/profiles/p.yaml."""
    return import_profile(
        tmp / "schemas", tmp / "profiles" / "p.yaml", schema, dtype,
        count=count, entity=entity, fmt=fmt,
    )  # fmt: skip


def _generate(profile: Path, out: Path, *extra: str) -> Path:
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "5", *extra])
    assert result.code == 0, result.stderr
    return next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))


def _cli_check(tmp: Path, data: str, profile: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    report = tmp / "report.json"
    report.unlink(missing_ok=True)
    result = run_cli(["check", data, "--profile", str(profile), "--report", str(report), *extra])
    assert "Traceback" not in result.stderr
    return result.code, json.loads(report.read_text()) if report.exists() else {}


def _check(profile: Path, data: Path | str) -> CheckReport:
    return check_dataset(data, load_profile(profile))


# -- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "entity", "dtype", "fmt", "suffix", "validator"),
    [
        ("user-event.avsc", None, "streaming", "avro", ".avro", "avro"),
        ("user-event.avsc", None, "file", "avro", ".avro", "avro"),
        ("openapi-users.yaml", "User", "file", "avro", ".avro", "openapi"),  # derived schema
        ("user.schema.json", None, "streaming", "avro", ".avro", "jsonschema"),
        # file rows with optional nested objects (audit, manager) absent: re-nested without them
        ("user.schema.json", None, "file", "avro", ".avro", "jsonschema"),
        ("user.proto", "User", "streaming", "protobuf", ".protobuf", "protobuf"),
        ("user.proto", "User", "file", "protobuf", ".protobuf", "protobuf"),
        ("users.sql", "users", "file", "sql", ".sql", "ddl"),
    ],
)
def test_written_files_check_clean(
    tmp_path: Path,
    schema: str,
    entity: str | None,
    dtype: str,
    fmt: str,
    suffix: str,
    validator: str,
) -> None:
    profile = _profile(tmp_path, schema, dtype, fmt, entity)
    data = _generate(profile, tmp_path / "out")
    assert data.suffix == suffix
    code, doc = _cli_check(tmp_path, str(data), profile)
    assert code == 0, doc
    assert doc["format"] == fmt and doc["schema_format"] == validator
    assert doc["records"] == doc["checked"] == doc["passed"] == 60
    assert doc["problem_count"] == 0 and not doc["warnings"]


def test_sql_labels_come_from_the_writers_comments(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "users.sql", "file", "sql", "users", count=300)
    data = _generate(profile, tmp_path / "out", "--persona", "edge_case_user")
    marked = data.read_text().count("-- expected invalid:")
    assert marked > 0
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.records == 300 and report.labelled_invalid == marked
    # the same rows as JSON: the same verdicts
    twin = tmp_path / "twin"
    text = profile.read_text().replace("format: sql", "format: json")
    (tmp_path / "profiles" / "twin.yaml").write_text(text.replace("users_file.sql", "t.json"))
    twin_data = _generate(tmp_path / "profiles" / "twin.yaml", twin, "--persona", "edge_case_user")
    other = _check(tmp_path / "profiles" / "twin.yaml", twin_data)
    assert (other.passed, other.failed) == (report.passed, report.failed)
    # (but SQL text holds no NUL: rows broken only by one are valid as written, and say so)
    lines = data.read_text().splitlines()
    relabelled = sum(
        1
        for i, line in enumerate(lines)
        if line.startswith("-- NUL dropped") and lines[i + 1].startswith("INSERT")
    )
    assert relabelled > 0
    assert other.labelled_invalid == report.labelled_invalid + relabelled


def test_sql_labels_hold_once_nul_is_dropped(tmp_path: Path) -> None:
    # Row 324 of this run has created_at ending in NUL, labelled created_at:format; SQL text
    # cannot hold NUL, and without it the value is valid: the script must not say otherwise.
    data = tmp_path / "rows.sql"
    args = ["quick", "edge_case_user", "-t", "file", "-n", "500", "-s", "2", "-o", str(data)]
    assert run_cli(args).code == 0
    text = data.read_text()
    assert "-- NUL dropped from created_at (SQL text cannot hold it): labelled " in text
    note = text.index("-- NUL dropped from created_at")
    assert not text[note:].split("\n")[1].startswith("-- expected invalid")
    profile = Path(__file__).resolve().parent.parent / "profiles/api_testing.yaml"
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    # a value NUL was all of breaks its rule once NUL is dropped: labelled invalid then
    from persona_gen import Dataset
    from persona_gen.sinks.sql import SqlEncoder

    ds = Dataset([(PersonaCatalog().get("normal_user"), 1.0)], "file", 2, 1)
    encoder = SqlEncoder()
    encoder.bind(ds)
    row = next(iter(ds.blocks()))[0]
    assert row["_expected_valid"] is True
    script = encoder.encode([{**row, "first_name": "\x00"}], True).decode()
    assert script.startswith(
        "-- NUL dropped from first_name (SQL text cannot hold it): labelled valid when "
        "generated\n-- expected invalid: first_name:minLength\nINSERT INTO"
    )
    script = encoder.encode([{**row, "first_name": "Ann\x00"}], True).decode()
    assert script.startswith("INSERT INTO")  # still valid: nothing to say


def test_sql_labels_leave_out_the_columns_not_written(tmp_path: Path) -> None:
    # The INSERTs leave out read-only columns (created_at, last_login_at: the database makes
    # them); a legacy client's dates in an old format there are not written, so not breaks.
    profile = _profile(tmp_path, "openapi-users.yaml", "file", "sql", "User", count=200)
    data = _generate(profile, tmp_path / "out", "--persona", "legacy_client")
    text = data.read_text()
    assert "-- not written (read-only columns): labelled " in text
    assert '"created_at"' not in text and '"last_login_at"' not in text
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.labelled_invalid == report.failed_as_labelled > 0


def test_sqlite_database(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "users.sql", "file", "sql", "users", count=80)
    db = tmp_path / "users.db"
    sink = f"sqlite:///{db}"
    result = run_cli(["generate", str(profile), "-s", "5", "--sink", sink, "--create-tables"])
    assert result.code == 0, result.stderr
    (loaded,) = sqlite3.connect(db).execute("SELECT count(*) FROM users").fetchone()
    assert loaded > 0
    for data in (sink, str(db), f"{sink}?table=users"):
        code, doc = _cli_check(tmp_path, data, profile)
        assert code == 0, doc
        assert doc["format"] == "sqlite" and doc["records"] == doc["passed"] == loaded
    # a row the DDL forbids, put in behind the DDL's back
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE users SET age = 7 WHERE rowid = (SELECT min(rowid) FROM users)")
    code, doc = _cli_check(tmp_path, sink, profile)
    assert code == 1 and doc["problem_count"] == 1
    assert doc["problems"][0]["index"] == 0 and "CHECK" in doc["problems"][0]["reason"]
    result = run_cli(["check", f"{sink}?table=nope", "--profile", str(profile)])
    assert result.code == 1 and "no table 'nope'" in result.stderr


USERS_PROFILE = (
    "name: u\nversion: 1.0.0\npersonas:\n  - {name: normal_user, weight: 1}\n"
    "datasets:\n  - {name: rows, type: file, count: 40%s}\n"
)


def test_a_table_loaded_under_another_name_is_found_by_its_manifest(tmp_path: Path) -> None:
    """Rows loaded with ?table=people are checked from the database's URL or file alone: the
    load's manifest beside it names the table. When no one load tells (two loads, or none),
    the error lists the tables and says how to name the one to check."""
    profile = tmp_path / "u.yaml"
    profile.write_text(USERS_PROFILE % "")
    db = tmp_path / "x.db"
    sink = f"sqlite:///{db}"
    args = ["-t", "file", "-n", "40", "-s", "1", "--create-tables"]
    assert run_cli(["quick", "normal_user", *args, "--sink", f"{sink}?table=people"]).code == 0
    for data in (sink, str(db), f"{sink}?table=people"):
        code, doc = _cli_check(tmp_path, data, profile)
        assert code == 0, doc
        assert doc["entity"] == "user: User" and doc["checked"] == 40
    assert run_cli(["quick", "noisy_device", *args, "--sink", f"{sink}?table=readings"]).code == 0
    for data, shown in ((sink, sink), (str(db), sink)):
        _one_line_error(
            ["check", data, "--profile", str(profile)],
            "no table 'users' in the database (tables: people, readings); "
            f"name the table to check: {shown}?table=NAME",
        )
    code, doc = _cli_check(tmp_path, f"{sink}?table=people", profile)
    assert code == 0 and doc["checked"] == 40, doc


def test_the_report_names_the_table_it_read_and_its_database(tmp_path: Path) -> None:
    """Text and JSON say which table of which database the rows came from (the manifest
    named it here: the URL alone does not)."""
    profile = tmp_path / "u.yaml"
    profile.write_text(USERS_PROFILE % "")
    db = tmp_path / "x.db"
    sink = f"sqlite:///{db}"
    args = ["-t", "file", "-n", "40", "-s", "1", "--create-tables"]
    assert run_cli(["quick", "normal_user", *args, "--sink", f"{sink}?table=people"]).code == 0
    for data in (sink, str(db), f"{sink}?table=PEOPLE"):
        code, doc = _cli_check(tmp_path, data, profile)
        assert code == 0, doc
        assert (doc["database"], doc["table"]) == (sink, "people")
    assert ("table", f"people in {sink}") in _check(profile, db).summary_rows()
    shown = run_cli(["check", str(db), "--profile", str(profile)])
    assert shown.code == 0 and "│ table " in shown.stderr and "people in" in shown.stderr
    script = _generate(_profile(tmp_path, "users.sql", "file", "sql", "users"), tmp_path / "o")
    code, doc = _cli_check(tmp_path, str(script), tmp_path / "profiles" / "p.yaml")
    assert code == 0 and (doc["database"], doc["table"]) == (None, "users"), doc
    code, doc = _cli_check(tmp_path, str(_generate(profile, tmp_path / "json")), profile)
    assert code == 0 and (doc["database"], doc["table"]) == (None, None), doc


def test_a_table_named_by_the_profiles_sink_is_read_without_a_manifest(tmp_path: Path) -> None:
    profile = tmp_path / "u.yaml"
    db = tmp_path / "x.db"
    profile.write_text(USERS_PROFILE % f', sink: "sqlite:///{db}?table=people"')
    assert run_cli(["generate", str(profile), "-s", "1", "--create-tables"]).code == 0
    for manifest in tmp_path.glob("x.db.*.manifest.json"):
        manifest.unlink()
    for data in (f"sqlite:///{db}", str(db)):
        code, doc = _cli_check(tmp_path, data, profile)
        assert code == 0, doc
        assert doc["checked"] == 40


def test_a_rolled_back_load_manifest_does_not_describe_the_table(tmp_path: Path) -> None:
    """A failed load into a database replaces the manifest of the load that filled it; its
    `committed: false` manifest names rows that are not there, so check reads the table as
    the profile says, not as the failed run's personas (another entity's table)."""
    profile = tmp_path / "u.yaml"
    profile.write_text(
        "name: u\nversion: 1.0.0\npersonas:\n  - {name: normal_user, weight: 1}\n"
        "datasets:\n  - {name: rows, type: file, count: 60}\n"
    )
    db = tmp_path / "u.db"
    sink = f"sqlite:///{db}"
    args = ["-t", "file", "-n", "60", "-s", "1", "--sink", sink]
    assert run_cli(["quick", "normal_user", *args, "--create-tables"]).code == 0
    assert run_cli(["quick", "noisy_device", *args, "--create-tables"]).code == 0
    # (the same rows again: refused by the table's key once they are being loaded; a run
    # refused before, such as one whose table is not there, leaves no manifest)
    failed = run_cli(["quick", "noisy_device", *args])
    assert failed.code == 1 and "telemetry_readings" in failed.stderr
    manifest = json.loads((tmp_path / "u.db.file.manifest.json").read_text())
    assert manifest["delivery"]["committed"] is False
    for data in (sink, str(db)):
        code, doc = _cli_check(tmp_path, data, profile)
        assert code == 0, doc
        assert doc["entity"] == "user: User" and doc["checked"] == 60


def test_builtin_profile_avro_union_and_sql(tmp_path: Path) -> None:
    """Built-in entities: a streaming Avro file is a union of records (User, Order)."""
    profile = tmp_path / "b.yaml"
    profile.write_text(
        "name: b\nversion: 1.0.0\npersonas:\n  - {name: normal_user, weight: 1}\n"
        "datasets:\n"
        "  - {name: ev, type: streaming, count: 400, format: avro, output: ev.avro}\n"
        "  - {name: rows, type: file, count: 200, format: sql, output: rows.sql}\n"
    )
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-o", str(out), "-s", "4"]).code == 0
    with (out / "ev.avro").open("rb") as f:
        schema = fastavro.reader(f).writer_schema
    assert isinstance(schema, list) and len(schema) > 1
    for name, count in (("ev.avro", 400), ("rows.sql", 200)):
        report = _check(profile, out / name)
        assert report.exit_code == 0, report.to_json()
        assert report.checked == report.passed == count


def test_builtin_data_of_personas_of_several_entities(tmp_path: Path) -> None:
    """A streaming Avro union of two personas' entities (User, Transaction), each record
    checked as its record name says; file rows and a SQLite load of the second persona, told
    by their manifests (the profile's first persona makes users)."""
    profile = tmp_path / "m.yaml"
    profile.write_text(
        "name: m\nversion: 1.0.0\npersonas:\n"
        "  - {name: normal_user, weight: 1}\n  - {name: high_volume_system, weight: 1}\n"
        "datasets:\n"
        "  - {name: ev, type: streaming, count: 600, format: avro, output: ev.avro}\n"
        "  - {name: rows, type: file, count: 100, format: sql, output: rows.sql,"
        " personas: [high_volume_system]}\n"
        "  - {name: parts, type: file, count: 100, format: avro, output: rows.avro,"
        " personas: [high_volume_system]}\n"
    )
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-o", str(out), "-s", "3"]).code == 0
    report = _check(profile, out / "ev.avro")
    assert report.exit_code == 0, report.to_json()
    assert report.entity == "service: Transaction, user: User" and report.checked == 600
    for name in ("rows.sql", "rows.avro"):
        report = _check(profile, out / name)
        assert report.exit_code == 0, report.to_json()
        assert report.entity == "service: Transaction" and report.checked == 100
    db = tmp_path / "t.db"
    args = ["quick", "high_volume_system", "-t", "file", "-n", "50", "-s", "1"]
    assert run_cli([*args, "--sink", f"sqlite:///{db}", "--create-tables"]).code == 0
    for data in (str(db), f"sqlite:///{db}", f"sqlite:///{db}?table=transactions"):
        code, doc = _cli_check(tmp_path, data, profile)
        assert code == 0, doc
        assert doc["entity"] == "service: Transaction" and doc["checked"] == 50
    # without its manifest, a table of which entity? (the profile's personas make two)
    (tmp_path / "t.db.file.manifest.json").unlink()
    code, doc = _cli_check(tmp_path, str(db), profile)
    assert code == 1 and doc["checked"] == 0
    assert any("cannot tell which entity" in w for w in doc["warnings"])


# -- corrupted records -----------------------------------------------------------------------


def _with_extra_symbol(schema: Any) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "enum" and "SIGNED_UP" in schema["symbols"]:
            schema["symbols"].append("HACKED")
        for v in schema.values():
            _with_extra_symbol(v)
    elif isinstance(schema, list):
        for v in schema:
            _with_extra_symbol(v)


def test_avro_record_breaking_the_avsc_enum(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "user-event.avsc", "streaming", "avro", count=20)
    data = _generate(profile, tmp_path / "out")
    with data.open("rb") as f:
        reader = fastavro.reader(f)
        schema = json.loads(reader.metadata["avro.schema"])
        records = list(reader)
    _with_extra_symbol(schema)  # a writer that allows a symbol the .avsc does not
    records[3]["event_type"] = "HACKED"
    with data.open("wb") as f:
        fastavro.writer(f, fastavro.parse_schema(schema), records)
    code, doc = _cli_check(tmp_path, str(data), profile)
    assert code == 1
    assert [p["index"] for p in doc["problems"]] == [3]
    assert "'HACKED' is not a symbol of enum" in doc["problems"][0]["reason"]
    assert doc["passed"] == 19


def test_protobuf_message_with_undeclared_fields(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "user.proto", "streaming", "protobuf", "User", count=20)
    data = _generate(profile, tmp_path / "out")
    messages = list(read_delimited(data.read_bytes()))
    messages[2] += b"\xb8\x06\x05"  # field 103 (varint 5): not in User
    cls = message_class(descriptor_set(tmp_path / "schemas" / "user.proto"), "User")
    address = cls.FromString(messages[6]).address.SerializeToString() + b"\x48\x01"
    messages[6] += b"\x42" + varint(len(address)) + address  # field 9 inside Address
    data.write_bytes(b"".join(varint(len(m)) + m for m in messages))
    report = _check(profile, data)
    assert report.exit_code == 1
    assert [p.index for p in report.problems] == [2, 6]
    assert '"#103"' in report.problems[0].reason and '"#9"' in report.problems[1].reason


def test_a_null_in_a_nullable_column_of_a_present_object_keeps_its_label(
    tmp_path: Path,
) -> None:
    """A field removed from an optional object is a NULL in a nullable column, but valid
    only when the object is absent (all its columns NULL): a NULL audit.revision beside an
    audit.created_at is an audit without its required revision. The SQL script labelled
    such rows valid, and check read them back as invalid."""
    profile = _profile(tmp_path, "user.schema.json", "file", "sql", count=1000)
    out = tmp_path / "out"
    args = ["generate", str(profile), "--persona", "edge_case_user", "-s", "2", "-o", str(out)]
    assert run_cli(args).code == 0
    script = (out / "User_file.sql").read_text()
    # (audit.created_at:required with this seed; manager, a User
    # whose options differ by its conditionals, is one column of JSON text)
    assert re.search(r"-- expected invalid: audit\.[a-z_.]+:required", script), "pick a seed"
    code, doc = _cli_check(tmp_path, str(out / "User_file.sql"), profile)
    assert (code, doc["problems"]) == (0, []), doc["problems"]


def test_sql_rows_breaking_not_null_and_check(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "users.sql", "file", "sql", "users", count=20)
    data = _generate(profile, tmp_path / "out")
    lines = data.read_text().splitlines()
    inserts = [i for i, line in enumerate(lines) if line.startswith("INSERT")]
    # username is the third value; age comes after birth_date and before status
    lines[inserts[3]], n = re.subn(
        r"(VALUES \('[^']*', '[^']*', )'[^']*'", r"\1NULL", lines[inserts[3]]
    )
    assert n == 1
    lines[inserts[5]], n = re.subn(
        r"('\d{4}-\d\d-\d\d'|NULL), (?:\d+|NULL), ('(?:active|pending|suspended|closed)')",
        r"\1, 7, \2",
        lines[inserts[5]],
    )
    assert n == 1
    data.write_text("\n".join(lines) + "\n")
    code, doc = _cli_check(tmp_path, str(data), profile)
    assert code == 1
    reasons = {p["index"]: p["reason"] for p in doc["problems"]}
    assert set(reasons) == {3, 5}
    assert "NOT NULL" in reasons[3] and "CHECK" in reasons[5]


# -- bad input -------------------------------------------------------------------------------


def _one_line_error(args: list[str], *expected: str) -> None:
    result = run_cli(args)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("persona-gen: error:"), result.stderr
    for text in expected:
        assert text in lines[0]


def test_damaged_files_are_one_clear_line(tmp_path: Path) -> None:
    avro = _profile(tmp_path, "user-event.avsc", "streaming", "avro", count=200)
    data = _generate(avro, tmp_path / "a")
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    _one_line_error(["check", str(data), "--profile", str(avro)], "not a readable Avro file")
    garbage = tmp_path / "garbage.avro"
    garbage.write_bytes(b"not avro at all")
    _one_line_error(["check", str(garbage), "--profile", str(avro)], "not a readable Avro file")

    proto = _profile(tmp_path, "user.proto", "streaming", "protobuf", "User", count=20)
    pb = tmp_path / "garbage.pb"
    pb.write_bytes(b"\x05\xff\xff\xff\xff\xff" + bytes(range(256)))
    _one_line_error(["check", str(pb), "--profile", str(proto)], "example.users.v1.User")
    pb.write_bytes(b"\x40abc")  # a length past the end
    _one_line_error(["check", str(pb), "--profile", str(proto)], "truncated message")

    ddl = _profile(tmp_path, "users.sql", "file", "sql", "users", count=20)
    sql = tmp_path / "x.sql"
    sql.write_text("INSERT INTO users (id) VALUES (gen_random_uuid());\n")
    _one_line_error(["check", str(sql), "--profile", str(ddl)], "x.sql:1:", "gen_random_uuid")
    db = tmp_path / "x.db"
    db.write_bytes(b"hello, not a database" * 10)
    _one_line_error(["check", str(db), "--profile", str(ddl)], "not a database")
    _one_line_error(["check", str(tmp_path / "none.db"), "--profile", str(ddl)], "no such")


def test_format_names(tmp_path: Path) -> None:
    proto = _profile(tmp_path, "user.proto", "streaming", "protobuf", "User", count=10)
    data = _generate(proto, tmp_path / "out")
    renamed = tmp_path / "messages.bin"
    shutil.copy(data, renamed)  # no manifest beside it, an unknown extension
    _one_line_error(
        ["check", str(renamed), "--profile", str(proto)],
        "cannot check 'bin' files (json, jsonl, csv, parquet, avro, protobuf, sql or sqlite",
    )
    for fmt in ("protobuf", "pb"):
        code, doc = _cli_check(tmp_path, str(renamed), proto, "--format", fmt)
        assert code == 0 and doc["format"] == "protobuf" and doc["passed"] == 10
    binpb = renamed.rename(tmp_path / "messages.binpb")
    assert _check(proto, binpb).passed == 10
    _one_line_error(
        ["check", str(binpb), "--profile", str(proto), "--format", "postgresql"],
        "reads a table on a server: give its URL",
    )


# -- PostgreSQL ------------------------------------------------------------------------------

BUILTIN_PROFILE = (
    "name: b\nversion: 1.0.0\npersonas:\n  - {name: normal_user, weight: 1}\n"
    "datasets:\n  - {name: rows, type: file, count: 150, format: json, output: rows.json}\n"
)
# What a check tells about its records (not where they were read from).
VERDICT = (
    "records",
    "checked",
    "passed",
    "failed",
    "skipped",
    "labelled_invalid",
    "failed_as_labelled",
    "failures_by_rule",
    "problem_count",
    "problems",
    "schema_format",
    "entity",
    "generator",
)


def _load(profile: Path, sink: str, *extra: str) -> None:
    args = ["generate", str(profile), "-s", "5", "--sink", sink, "--create-tables", *extra]
    result = run_cli(args)
    assert result.code == 0, result.stderr


def _pg_ids(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT id FROM users").fetchall()


def _pg_count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        (n,) = row.fetchone() or (0,)
    return int(n)


def _break(url: str, table: str, assignment: str) -> None:
    """Drop the table's CHECK constraints and break its first row with ``assignment``."""
    with psycopg.connect(url) as conn:
        names = conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
            (table,),
        ).fetchall()
        for (name,) in names:
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )
        conn.execute(
            sql.SQL(
                "UPDATE {} SET " + assignment + ' WHERE "id" = (SELECT "id" FROM {} LIMIT 1)'
            ).format(sql.Identifier(table), sql.Identifier(table))
        )


def _same_rows(profile: Path, pg_url: str, db: Path, nul_rows: frozenset[str] = frozenset()) -> int:
    """The PostgreSQL table read back equals the SQLite one, value for value, but for the
    rows of ``nul_rows`` (ids) PostgreSQL may hold besides: a NUL it drops (it stores none
    in text) can make a row labelled invalid one it takes, which SQLite, keeping the NUL,
    does not."""
    loaded = load_profile(profile)
    if loaded.domain is not None:
        domain, entity = loaded.domain, "users"
    else:
        kind = PersonaCatalog().get("normal_user").population.kind
        domain = builtin_domain(kind)
        entity = domain.primary
    spec = table_for(domain.entity(entity), domain)
    kinds = {c.name: c.kind for c in spec.columns}
    server = read_postgres(parse_database_url(pg_url), spec.name, kinds).rows
    lite = read_sqlite(db, spec.name, kinds).rows
    assert {str(r["id"]) for r in server} - {str(r["id"]) for r in lite} <= nul_rows
    server = [r for r in server if str(r["id"]) not in nul_rows]
    lite = [r for r in lite if str(r["id"]) not in nul_rows]
    assert len(server) == len(lite) > 0
    assert sorted(server, key=lambda r: str(r["id"])) == sorted(lite, key=lambda r: str(r["id"]))
    return len(server)


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_postgresql_table_checks_like_sqlite(tmp_path: Path, pg_db: str, persona: str) -> None:
    profile = _profile(tmp_path, "users.sql", "file", "sql", "users", count=120)
    db = tmp_path / "users.db"
    _load(profile, pg_db, "--persona", persona)
    _load(profile, f"sqlite:///{db}", "--persona", persona)
    loaded = _pg_count(pg_db, "users")
    # The rows invalid by a NUL alone PostgreSQL takes without it (the same labels, read as
    # loaded there: docs/sinks.md); the rest are the same in both tables.
    loaded_profile = load_profile(profile)
    planned = plan(
        loaded_profile, PersonaCatalog(), persona=persona, seed=5, out_dir=tmp_path,
        fresh_seed=lambda: 0,
    )[0]  # fmt: skip
    rows = [r for block in planned.build(loaded_profile).blocks() for r in block]
    nul_rows = frozenset(
        r["id"]
        for r in rows
        if not r["_expected_valid"] and any("\x00" in str(v) for v in r.values())
    )
    kept = len(nul_rows & {str(r[0]) for r in _pg_ids(pg_db)})
    assert _same_rows(profile, pg_db, db, nul_rows) == loaded - kept
    _, lite = _cli_check(tmp_path, f"sqlite:///{db}", profile)
    postgres = pg_db.replace("postgresql://", "postgres://", 1)
    for data in (pg_db, f"{pg_db}?table=users", f"{postgres}?table=USERS"):
        code, doc = _cli_check(tmp_path, data, profile)
        assert code == 0, doc
        assert doc["format"] == "postgresql" and doc["schema_format"] == "ddl"
        assert doc["records"] == doc["checked"] == doc["passed"] == loaded
        assert doc["data"] == str(parse_database_url(pg_db))
        assert (doc["database"], doc["table"]) == (doc["data"], "public.users")
        counts = ("records", "checked", "passed")
        counted = {k: doc[k] - kept if k in counts else doc[k] for k in VERDICT}
        assert counted == {k: lite[k] for k in VERDICT}
    # The database is named without its password (this server trusts the URL's user).
    secret_url = pg_db if urlsplit(pg_db).password else pg_db.replace("@", ":s3cret@", 1)
    secret = urlsplit(secret_url).password
    code, doc = _cli_check(tmp_path, secret_url, profile)
    assert code == 0 and secret and secret not in json.dumps(doc), doc
    assert doc["database"] == str(parse_database_url(pg_db)) and "@" in doc["database"]
    # a row the DDL forbids, put in behind the table's back
    _break(pg_db, "users", "age = 7")
    code, doc = _cli_check(tmp_path, pg_db, profile)
    assert code == 1 and doc["problem_count"] == 1
    assert doc["failures_by_rule"] == {"ddl": 1}
    assert "CHECK" in doc["problems"][0]["reason"] and "age" in doc["problems"][0]["reason"]


def test_postgresql_builtin_rows(tmp_path: Path, pg_db: str) -> None:
    profile = tmp_path / "b.yaml"
    profile.write_text(BUILTIN_PROFILE)
    db = tmp_path / "b.db"
    _load(profile, pg_db)
    _load(profile, f"sqlite:///{db}")
    loaded = _pg_count(pg_db, "users")
    assert _same_rows(profile, pg_db, db) == loaded
    _, lite = _cli_check(tmp_path, str(db), profile)
    code, doc = _cli_check(tmp_path, pg_db, profile)
    assert code == 0, doc
    assert doc["schema_format"] == "builtin" and doc["records"] == doc["passed"] == loaded
    assert {k: doc[k] for k in VERDICT} == {k: lite[k] for k in VERDICT}
    _break(pg_db, "users", "status = 'hacked'")  # not one of the enum's values
    code, doc = _cli_check(tmp_path, pg_db, profile)
    assert code == 1 and doc["problem_count"] == 1 and doc["failed"] == 1
    assert doc["failures_by_rule"] == {"enum": 1}
    assert "'hacked' is not one of" in doc["problems"][0]["reason"]


def test_postgresql_errors_are_one_line(tmp_path: Path, pg_db: str) -> None:
    profile = _profile(tmp_path, "users.sql", "file", "sql", "users", count=10)
    args = ["--profile", str(profile)]
    # nothing loaded yet: no table
    _one_line_error(
        ["check", pg_db, *args],
        "no table 'users' in the database (tables: none); name the table to check: "
        f"{parse_database_url(pg_db)}",
        "table=NAME",
    )
    _load(profile, pg_db)
    _one_line_error(["check", f"{pg_db}?table=nope", *args], "no table 'nope'", "users")
    missing = re.sub(r"/[^/?]*(\?|$)", "/no_such_db\\1", pg_db, count=1)
    _one_line_error(
        ["check", missing, *args], 'refused the connection: database "no_such_db" does not exist'
    )
    result = run_cli(["check", "postgresql://bob:s3cret@127.0.0.1:1/db?connect=2", *args])
    assert result.code == 69 and "s3cret" not in result.stderr  # (an outage: exit 69)
    assert result.stderr.strip() == (
        "persona-gen: error: cannot reach PostgreSQL at postgresql://bob@127.0.0.1:1/db: "
        "nothing listens on 127.0.0.1:1 (connection refused)"
    )
    for bad in ("postgresql://u@h:99999/db", "postgresql://u@h/db?bogus=1", "postgres://u@h"):
        _one_line_error(["check", bad, *args], "database destination")
    _one_line_error(["check", pg_db, *args, "--format", "sqlite"], "drop --format sqlite")


def test_a_nan_read_from_a_float_column_breaks_type_and_leaves_the_schema_enforced(
    tmp_path: Path,
) -> None:
    """'NaN' in a SQL float column reads back as a NaN, which no JSON number is. jsonschema's
    multipleOf raised on it, and past the first $ref into a document that names its dialect
    ($schema) that error disabled the entity's whole schema ("cannot be checked"), so every
    later row passed unchecked."""
    profile = _profile(tmp_path, "user.schema.json", "file", "sql", count=20)
    data = _generate(profile, tmp_path / "out")
    text = data.read_text()
    row = text.index("VALUES (")  # the first row: its balance (the 7th value) 4.75 -> 'NaN'
    values = text[row:].split(", ", 7)
    values[6] = "'NaN'"
    data.write_text(text[:row] + ", ".join(values))
    code, doc = _cli_check(tmp_path, str(data), profile)
    assert code == 1
    assert doc["warnings"] == []
    assert [(p["index"], p["kind"]) for p in doc["problems"]] == [(0, "invalid")]
    assert "type" in doc["failures_by_rule"]


_TIERED = {
    "title": "Member",
    "type": "object",
    "required": ["id", "tier"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "tier": {"anyOf": [{"enum": ["gold", "silver"]}, {"type": "integer", "minimum": 0}]},
    },
}


def test_scalars_of_a_json_column_read_back_as_written(tmp_path: Path) -> None:
    # A union of a string enum and an integer is a JSON column: "gold" is written '"gold"' and
    # 7 '7'. check kept them as that text, and '"gold"' (a string with quotes) failed the
    # enum: every valid row read back from SQL or SQLite was a problem.
    source = tmp_path / "member.schema.json"
    source.write_text(json.dumps(_TIERED))
    profile = tmp_path / "member.yaml"
    args = ["import-schema", str(source), "-t", "file", "-c", "60", "--output-format", "sql"]
    imported = run_cli([*args, "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    data = _generate(profile, tmp_path / "out")
    assert "'\"gold\"'" in data.read_text() or "'\"silver\"'" in data.read_text()
    sink = f"sqlite:///{tmp_path / 'm.db'}"
    loaded = run_cli(["generate", str(profile), "-s", "5", "--sink", sink, "--create-tables"])
    assert loaded.code == 0, loaded.stderr
    for where in (str(data), sink):
        code, doc = _cli_check(tmp_path, where, profile)
        assert code == 0, doc
        assert doc["records"] == doc["passed"] == 60


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-16", ";"), ("utf-8-sig", ";"), ("cp1252", ":")]
)
def test_check_reads_a_csv_in_the_dialect_its_manifest_gives(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    """A legacy CSV in UTF-16 (two-byte line breaks), with a UTF-8 byte order mark, or with
    a delimiter none of the usual ones: read as its manifest says it was written, every row
    is the row written; cut short, its last row is still found cut."""
    (tmp_path / "legacy_user.yaml").write_text(
        "name: legacy_user\nversion: 1.0.0\npopulation: {kind: user}\nbehaviors:\n"
        f"  deprecated_formats: {{rate: 0.5, file_encoding: {encoding}, "
        f"file_delimiter: '{delimiter}'}}\n"
    )
    data = tmp_path / "rows.csv"
    args = ["quick", "legacy_user", "-p", str(tmp_path), "-t", "file", "-n", "40", "-s", "2"]
    assert run_cli([*args, "-o", str(data)]).code == 0
    profile = load_profile(Path(__file__).resolve().parent.parent / "profiles/api_testing.yaml")
    catalog = PersonaCatalog([tmp_path])
    report = check_dataset(data, profile, catalog=catalog)
    assert report.exit_code == 0, report.to_json()
    assert report.records == 40
    data.write_bytes(data.read_bytes()[: -len("\n".encode(encoding)) - 8])
    cut = check_dataset(data, profile, catalog=catalog).to_json()
    assert "the file ends in this row, without a line break" in json.dumps(cut)
