"""Database destinations (SQLite, PostgreSQL) and SQL INSERT scripts, against real databases."""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import psycopg
import pytest
import yaml
from psycopg import sql

from persona_gen import Dataset, PersonaCatalog
from persona_gen.errors import ServiceUnavailable, SinkError, UsageError
from persona_gen.generators.file import LABEL_COLUMNS
from persona_gen.generators.mutations import MUTATIONS
from persona_gen.generators.paths import leaves
from persona_gen.importers.ddl import insert_order, parse_ddl
from persona_gen.personas.loader import Persona
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.records import read_sql
from persona_gen.runtime.write import make_encoder
from persona_gen.sinks.database import (
    dataset_table,
    load_dataset,
    load_datasets,
    parse_database_url,
)
from persona_gen.sinks.sql import SqlEncoder, SqliteSqlEncoder
from persona_gen.sinks.tables import create_table_sql, db_value
from tests.helpers import run_cli
from tests.importers.ddl_loading import EXCLUSIONS

ROOT = Path(__file__).resolve().parent.parent
CATALOG = PersonaCatalog([])


def dataset(persona: str, n: int, seed: int = 7, **kw: Any) -> Dataset:
    return Dataset([(CATALOG.get(persona), 1.0)], "file", n, seed, **kw)


def rows_of(ds: Dataset) -> list[dict[str, Any]]:
    fresh = Dataset(
        [(p, 1.0) for p in ds.personas],
        ds.generator,
        ds.count,
        ds.seed,
        key=ds.key,
        domain=ds.lanes[0].generator.ctx.domain,
        entity=ds.lanes[0].generator.entity.name,
    )
    return [r for block in fresh.blocks() for r in block]


def unique(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def users_profile(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("profile") / "users.yaml"
    result = run_cli(
        [
            "import-schema",
            str(ROOT / "schemas/users.sql"),
            "-f",
            "ddl",
            "-e",
            "users",
            "-o",
            str(out),
        ]
    )
    assert result.code == 0, result.stderr
    return load_profile(out, CATALOG)


def pg_rows(url: str, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(table)
        )
        return conn.execute(query).fetchall()


def pg_tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }


def sqlite_tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }


def normal(value: Any, generated: Any) -> tuple[Any, Any]:
    """(database value, generated value) in comparable forms."""
    if value is None or generated is None:
        return value, generated
    if isinstance(value, uuid.UUID):
        return str(value), generated
    if isinstance(value, datetime):
        return value, datetime.fromisoformat(generated.replace("Z", "+00:00"))
    if isinstance(value, date):
        return value, date.fromisoformat(generated)
    if isinstance(value, Decimal):
        return float(value), float(generated)
    if isinstance(value, list | dict):  # arrays and JSON columns are JSON text in rows
        return value, orjson.loads(generated) if isinstance(generated, str) else generated
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value), generated
    return value, generated


def assert_same(got: list[tuple[Any, ...]], want: list[dict[str, Any]], columns: list[str]) -> None:
    """The database rows are the generated rows (matched by id; values normalised)."""
    assert len(got) == len(want)
    by_id = {r["id"]: r for r in want}
    assert columns[0] == "id"
    for row in got:
        expected = by_id[str(row[0])]
        for value, column in zip(row, columns, strict=True):
            # (a removed field of a nullable column is NULL in the table)
            a, b = normal(value, expected.get(column))
            assert a == b, (column, value, expected.get(column))


# -- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///",
        "sqlite://host/x.db",
        "mysql://u@h/db",
        "postgresql://u@/db",
        "postgresql://u@h:99999/db",
        "postgresql://u@h:5432",
        "postgresql://u@h/db?bogus=1",
        "postgresql://u@h/db?connect=never",
        "sqlite:///x.db?table=bad name",
        "sqlite:///x%00.db",
        "not a url",
    ],
)
def test_bad_urls_are_one_line_usage_errors(url: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_database_url(url)
    assert "\n" not in str(info.value)


def test_urls_parse_and_never_show_a_password() -> None:
    target = parse_database_url("postgresql://bob:s3cret@db.example:6543/shop?table=t1&connect=2")
    assert (target.kind, target.table, target.connect_s) == ("postgresql", "t1", 2.0)
    assert str(target) == "postgresql://bob@db.example:6543/shop"
    assert "s3cret" not in repr(target) and "s3cret" in target.conninfo
    with pytest.raises(UsageError) as info:
        parse_database_url("postgresql://bob:s3cret@db.example:6543/shop?nope=1")
    assert "s3cret" not in str(info.value)
    lite = parse_database_url("sqlite:////tmp/a b.db")
    assert lite.path == Path("/tmp/a b.db")
    assert parse_database_url("sqlite:///rel/x.db").path == Path("rel/x.db")


# -- SQLite -----------------------------------------------------------------------------------


def test_builtin_rows_load_into_sqlite(tmp_path: Path) -> None:
    ds = dataset("edge_case_user", 1500)
    doc = load_dataset(ds, f"sqlite:///{tmp_path / 'out.db'}", create_tables=True)
    expected = rows_of(ds)
    valid = [r for r in expected if r["_expected_valid"]]
    assert len(valid) < len(expected)  # the persona breaks some rows on purpose
    counts = doc["delivery"]["tables"]["users"]
    assert counts == {
        "offered": 1500,
        "loaded": len(valid),
        "skipped_invalid": len(expected) - len(valid),
        "unlinked": 0,
    }
    assert doc["delivery"]["committed"] and doc["count"] == 1500
    with sqlite3.connect(tmp_path / "out.db") as conn:
        got = conn.execute('SELECT "id", "address.city", "age" FROM users').fetchall()
        names = [d[1] for d in conn.execute("PRAGMA table_info(users)")]
    assert got == [(r["id"], r["address.city"], r["age"]) for r in valid]
    assert not set(LABEL_COLUMNS) & set(names)


def test_rows_broken_only_in_read_only_columns_load(tmp_path: Path) -> None:
    # A generated column is not loaded (the database makes it): a legacy client's old date
    # format there broke nothing the table is given, yet such rows were skipped as invalid.
    from persona_gen.runtime.schema_import import import_schema

    ddl = tmp_path / "things.sql"
    ddl.write_text(
        "CREATE TABLE things (id SERIAL PRIMARY KEY, name VARCHAR(40) NOT NULL, "
        "stamp TIMESTAMPTZ GENERATED ALWAYS AS (TIMESTAMPTZ '2024-01-01') STORED);\n"
    )
    domain = import_schema(ddl, "ddl").domain
    ds = dataset("legacy_client", 600, domain=domain, entity="things")
    rows = rows_of(ds)
    assert any(r["_violations"] == "stamp:format" for r in rows)
    assert all(r["_violations"] in ("", "stamp:format") for r in rows)
    doc = load_dataset(ds, f"sqlite:///{tmp_path / 'out.db'}", create_tables=True)
    assert doc["delivery"]["tables"]["things"] == {
        "offered": 600,
        "loaded": 600,
        "skipped_invalid": 0,
        "unlinked": 0,
    }
    assert "-- expected invalid" not in _script(ds, SqlEncoder)  # as the sql format says
    # --include-invalid loads what it loaded before: every row
    every = f"sqlite:///{tmp_path / 'all.db'}"
    again = load_dataset(ds, every, create_tables=True, include_invalid=True)
    assert again["delivery"]["tables"]["things"]["loaded"] == 600


def test_workers_load_the_rows_of_one_process(tmp_path: Path) -> None:
    ds = dataset("edge_case_user", 3000)
    ds.workers = 2
    doc = load_dataset(ds, f"sqlite:///{tmp_path / 'out.db'}", create_tables=True)
    valid = [r for r in rows_of(dataset("edge_case_user", 3000)) if r["_expected_valid"]]
    assert doc["delivery"]["tables"]["users"]["loaded"] == len(valid)
    one = load_dataset(
        dataset("edge_case_user", 3000), f"sqlite:///{tmp_path / 'one.db'}", create_tables=True
    )
    for key in ("count", "behaviours_touched", "expected_invalid"):
        assert doc[key] == one[key]
    with sqlite3.connect(tmp_path / "out.db") as conn:
        got = conn.execute('SELECT "id", "username", "bio" FROM users').fetchall()
    assert got == [(r["id"], r["username"], r["bio"]) for r in valid]


def test_sqlite_all_or_nothing(tmp_path: Path) -> None:
    ds = dataset("edge_case_user", 1500)
    url = f"sqlite:///{tmp_path / 'out.db'}"
    with pytest.raises(SinkError) as info:
        load_dataset(ds, url, create_tables=True, include_invalid=True)
    match = re.search(r"table 'users' rejected row (\d+) of the dataset: (.+)", str(info.value))
    assert match, info.value
    assert rows_of(ds)[int(match.group(1))]["_expected_valid"] is False
    assert sqlite_tables(tmp_path / "out.db") == set()  # created in the rolled-back transaction
    report = info.value.report
    assert report is not None and not report.to_manifest()["committed"]  # type: ignore[attr-defined]


def _file_size_limit() -> None:
    """(In the child.) Writes past 1 MiB fail, as on a full disk, instead of killing it."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


def test_a_full_disk_is_sqlites_reason_and_leaves_no_new_database(tmp_path: Path) -> None:
    # SQLite ends the transaction itself when a write fails: the batch's savepoint went with
    # it, and the run said "no such savepoint: batch", leaving the new file's journal behind.
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'x.db'}"
    argv = ["quick", "normal_user", "-t", "file", "-n", "30000", "-s", "1", "--sink", url]
    ran = subprocess.run(
        [sys.executable, "-m", "persona_gen", *argv, "--create-tables"],
        capture_output=True,
        preexec_fn=_file_size_limit,
        check=False,
    )
    assert ran.returncode == 1
    assert ran.stderr.decode() in (
        f"persona-gen: error: {url}: disk I/O error\n",  # (over the size limit)
        f"persona-gen: error: {url}: database or disk is full\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db.file.manifest.json"]


def test_missing_table_without_create_tables(tmp_path: Path) -> None:
    with pytest.raises(SinkError, match=r"no database at .*x\.db'; use --create-tables"):
        load_dataset(dataset("normal_user", 5), f"sqlite:///{tmp_path / 'x.db'}")
    assert not (tmp_path / "x.db").exists()  # sqlite3 would have left an empty file
    sqlite3.connect(tmp_path / "x.db").close()  # an existing database without the table
    with pytest.raises(SinkError, match=r"table 'users' does not exist.*--create-tables"):
        load_dataset(dataset("normal_user", 5), f"sqlite:///{tmp_path / 'x.db'}")


def test_other_generators_are_refused(tmp_path: Path) -> None:
    api = Dataset([(CATALOG.get("normal_user"), 1.0)], "api", 5, 1)
    with pytest.raises(UsageError, match="'file' generator's rows"):
        load_dataset(api, f"sqlite:///{tmp_path / 'x.db'}", create_tables=True)


# -- PostgreSQL -------------------------------------------------------------------------------


def test_builtin_rows_load_into_postgresql(pg_db: str) -> None:
    ds = dataset("normal_user", 2000)
    table = unique("people")
    doc = load_dataset(ds, pg_db, create_tables=True, table=table)
    valid = [r for r in rows_of(ds) if r["_expected_valid"]]
    assert doc["delivery"]["tables"][table]["loaded"] == len(valid)
    columns = dataset_table(ds)[0].column_names
    got = pg_rows(pg_db, table, columns)
    assert len(got) == len(valid)
    assert_same(got, valid, columns)


def test_text_with_nul_loads_into_postgresql_without_it(pg_db: str) -> None:
    # PostgreSQL text (and jsonb) cannot hold NUL: edge_case_user's unicode quirks put some
    # in valid rows, and every such load failed. The NULs are dropped, as the sql format does.
    ds = dataset("edge_case_user", 5000, seed=3)
    valid = [r for r in rows_of(ds) if r["_expected_valid"]]
    assert any("\x00" in str(v) for r in valid for v in r.values())
    table = unique("edge")
    doc = load_dataset(ds, pg_db, create_tables=True, table=table)
    # Rows whose only break was a NUL are valid as loaded: loaded too (and not "skipped as
    # invalid"), as the sql format writes them without an "expected invalid" comment.
    written = _valid_as_written(ds, drops_nul=True)
    assert len(written) > len(valid)
    assert doc["delivery"]["tables"][table] == {
        "offered": 5000,
        "loaded": len(written),
        "skipped_invalid": 5000 - len(written),
        "unlinked": 0,
    }
    script = _script(ds, SqlEncoder)
    assert script.count("-- expected invalid") == 5000 - len(written)


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_imported_ddl_rows_load_into_postgresql_and_read_back_equal(
    pg_db: str, users_profile: Any, persona: str
) -> None:
    ds = dataset(persona, 1200, domain=users_profile.domain, entity="users")
    doc = load_dataset(ds, pg_db, create_tables=True)
    valid = _valid_as_written(ds, drops_nul=True)
    assert doc["delivery"]["tables"]["users"]["loaded"] == len(valid) > 1000
    # every constraint of the model is on in the created table
    with psycopg.connect(pg_db) as conn:
        kinds = sorted(
            k
            for (k,) in conn.execute(
                "SELECT contype FROM pg_constraint WHERE conrelid = 'users'::regclass"
            )
        )
        assert kinds.count("p") == 1 and kinds.count("u") == 2 and kinds.count("c") >= 4
    columns = dataset_table(ds)[0].column_names
    got = pg_rows(pg_db, "users", columns)
    assert_same(got, valid, columns)


def _without_defaulted(domain: Any) -> Any:
    """``domain`` as a profile imported before nullable and DEFAULTed columns were marked
    ``defaulted`` reads (its nullable columns required, so behaviours may remove them)."""
    entities = {}
    for name, ent in domain.entities.items():
        fields = tuple(dataclasses.replace(f, defaulted=False) for f in ent.schema.fields)
        entities[name] = dataclasses.replace(
            ent, schema=dataclasses.replace(ent.schema, fields=fields)
        )
    return dataclasses.replace(domain, entities=entities)


def test_a_nullable_column_is_never_labelled_required(users_profile: Any) -> None:
    """A nullable column is ``defaulted`` (an INSERT may leave it out: it is NULL), so no
    behaviour's label says a JSON row lacking it breaks ``required``, as the table says."""
    ds = dataset("edge_case_user", 2000, domain=users_profile.domain, entity="users")
    nullable = {c.name for c in dataset_table(ds)[0].columns if not c.not_null}
    labels = ";".join(r["_violations"] for r in rows_of(ds)).split(";")
    assert nullable and not [v for v in labels if v in {f"{c}:required" for c in nullable}]


def test_a_removed_field_of_a_nullable_column_is_a_valid_null_in_sql(users_profile: Any) -> None:
    """JSON rows lack the field ("required"); a table row holds NULL there, which the
    database accepts: the SQL script labels such rows valid. (A profile imported before
    nullable columns were ``defaulted``: behaviours still remove them.)"""
    domain = _without_defaulted(users_profile.domain)
    ds = dataset("edge_case_user", 2000, domain=domain, entity="users")
    spec = dataset_table(ds)[0]
    nullable = {c.name for c in spec.columns if not c.not_null}
    removed = [
        r for r in rows_of(ds) if any(
            v.endswith(":required") and v.split(":")[0] in nullable
            for v in r["_violations"].split(";")
        )
    ]  # fmt: skip
    assert removed  # (birth_date, phone, updated_at...)
    script = _script(ds, SqlEncoder)
    labels = re.findall(r"^-- expected invalid: (.*)$", script, re.M)
    assert not [v for v in ";".join(labels).split(";") if v.split(":")[0] in nullable and
                v.endswith(":required")]  # fmt: skip
    assert script.count("-- NULL (nullable columns): labelled") >= len(removed)


IDENTITY_ALWAYS = """
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq int GENERATED ALWAYS AS IDENTITY,
    name varchar(40) NOT NULL
);
"""


def test_sql_script_of_an_identity_always_table_runs_in_postgresql(
    pg_db: str, tmp_path: Path
) -> None:
    """PostgreSQL refuses a value for a GENERATED ALWAYS AS IDENTITY column from a plain
    INSERT ("cannot insert a non-DEFAULT value into column"); the sql format writes the
    rows' values all the same (as a load's COPY does), so it says OVERRIDING SYSTEM VALUE."""
    ddl = tmp_path / "events.sql"
    ddl.write_text(IDENTITY_ALWAYS)
    out = tmp_path / "events.yaml"
    made = run_cli(["import-schema", str(ddl), "-f", "ddl", "-e", "events", "-o", str(out)])
    assert made.code == 0, made.stderr
    domain = load_profile(out, CATALOG).domain
    assert domain.entities["events"].identity_always == ("id", "seq")
    ds = dataset("normal_user", 40, domain=domain, entity="events")
    script = _script(ds, SqlEncoder)
    assert script.count("OVERRIDING SYSTEM VALUE VALUES (") == 40
    with psycopg.connect(pg_db) as conn:
        conn.execute(IDENTITY_ALWAYS)
        conn.execute(script.encode())
        (count,) = conn.execute("SELECT count(*) FROM events").fetchone() or (0,)
    assert count == 40
    # and check reads such a script back
    path = tmp_path / "events_rows.sql"
    path.write_text(script)
    kinds = {c.name: c.kind for c in dataset_table(ds)[0].columns}
    assert len(read_sql(path, "events", kinds)) == 40
    # SQLite has no such columns, nor the clause
    assert "OVERRIDING" not in _script(ds, SqliteSqlEncoder)


def test_a_schema_qualified_table_is_a_table_of_that_schema(pg_db: str) -> None:
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA app")
    ds = dataset("normal_user", 300)
    valid = [r for r in rows_of(ds) if r["_expected_valid"]]
    doc = load_dataset(ds, f"{pg_db}?table=app.people", create_tables=True)
    assert doc["delivery"]["tables"]["app.people"]["loaded"] == len(valid)
    with psycopg.connect(pg_db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM app.people").fetchone() or (0,)
    assert count == len(valid)
    assert pg_tables(pg_db) == set()  # not a table literally named "app.people" in public
    # and again into the table that now exists
    load_dataset(dataset("normal_user", 300, seed=8), f"{pg_db}?table=app.people")


QUALIFIED = """
CREATE SCHEMA app;
CREATE TABLE app."Tickets" (
    id integer PRIMARY KEY,
    title varchar(60) NOT NULL
);
CREATE TABLE app.notes (
    id integer PRIMARY KEY,
    ticket_id integer NOT NULL REFERENCES app."Tickets" (id),
    body text
);
"""


def _qualified_profile(tmp_path: Path) -> Any:
    ddl = tmp_path / "tickets.sql"
    ddl.write_text(QUALIFIED)
    out = tmp_path / "tickets.yaml"
    made = run_cli(["import-schema", str(ddl), "-f", "ddl", "-e", "notes", "-o", str(out)])
    assert made.code == 0, made.stderr
    return load_profile(out, CATALOG)


def _app_tables(url: str) -> set[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('app', 'public')"
        ).fetchall()
    return {(s, t) for s, t in found}


def test_a_schema_qualified_ddl_table_loads_into_its_schema(pg_db: str, tmp_path: Path) -> None:
    """``CREATE TABLE app."Tickets"`` loaded into public."Tickets" (or failed for want of
    it) unless the URL said ``?table=app.Tickets``: the DDL's schema is kept with the entity
    (``table_schema``) and loads, created tables and INSERT scripts use it."""
    profile = _qualified_profile(tmp_path)
    domain = profile.domain
    assert domain.entities["Tickets"].table_schema == "app"
    assert "table_schema: app" in (tmp_path / "tickets.yaml").read_text()
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute(QUALIFIED)
    ds = dataset("normal_user", 50, domain=domain, entity="notes")
    valid = [r for r in rows_of(ds) if r["_expected_valid"]]
    doc = load_dataset(ds, pg_db)  # the tables the DDL made, parents generated
    assert doc["delivery"]["tables"]["app.notes"]["loaded"] == len(valid)
    with psycopg.connect(pg_db) as conn:
        (notes,) = conn.execute("SELECT count(*) FROM app.notes").fetchone() or (0,)
        (tickets,) = conn.execute('SELECT count(*) FROM app."Tickets"').fetchone() or (0,)
    assert notes == len(valid) and tickets > 0
    assert pg_tables(pg_db) == set()  # nothing went to public
    # check reads that table back (not public.notes, which does not exist)
    report = tmp_path / "report.json"
    profile_file = str(tmp_path / "tickets.yaml")
    checked = run_cli(["check", pg_db, "--profile", profile_file, "--report", str(report)])
    assert checked.code == 0, checked.stderr
    doc = orjson.loads(report.read_bytes())
    assert (doc["table"], doc["records"], doc["passed"]) == ("app.notes", notes, notes)
    # the sql format's INSERTs name the schema too, and PostgreSQL runs them
    parents = dataset("normal_user", 30, seed=9, domain=domain, entity="Tickets")
    script = _script(parents, SqlEncoder)
    assert script.count('INSERT INTO "app"."Tickets" (') == 30
    with psycopg.connect(pg_db) as conn:
        conn.execute('DELETE FROM app.notes; DELETE FROM app."Tickets"')
        conn.execute(script.encode())
        (count,) = conn.execute('SELECT count(*) FROM app."Tickets"').fetchone() or (0,)
    assert count == 30
    # and check reads the script back for that table
    path = tmp_path / "tickets_rows.sql"
    path.write_text(script)
    kinds = {c.name: c.kind for c in dataset_table(parents)[0].columns}
    assert len(read_sql(path, "app.Tickets", kinds)) == 30


def test_create_tables_makes_the_schema_a_ddl_table_names(pg_db: str, tmp_path: Path) -> None:
    domain = _qualified_profile(tmp_path).domain
    ds = dataset("normal_user", 40, domain=domain, entity="notes")
    valid = [r for r in rows_of(ds) if r["_expected_valid"]]
    doc = load_dataset(ds, pg_db, create_tables=True)
    assert doc["delivery"]["created_tables"] == ["app.Tickets", "app.notes"]
    assert _app_tables(pg_db) == {("app", "Tickets"), ("app", "notes")}
    with psycopg.connect(pg_db) as conn:
        (count,) = conn.execute("SELECT count(*) FROM app.notes").fetchone() or (0,)
    assert count == len(valid)
    # SQLite has no schemas: the tables are the bare names there
    database = tmp_path / "tickets.db"
    load_dataset(ds, f"sqlite:///{database}", create_tables=True)
    assert sqlite_tables(database) == {"Tickets", "notes"}
    encoder = SqliteSqlEncoder()
    encoder.bind(dataset("normal_user", 3, domain=domain, entity="Tickets"))
    assert encoder.table is not None and encoder.table.name == "Tickets"


def test_edge_rows_of_excluded_values_load_into_postgresql(pg_db: str) -> None:
    """Edge cases take an enum's first and last members and a column's bounds: with
    ``CHECK (status <> 'deleted')`` or ``CHECK (prio <> 0)`` left out of the model, rows
    labelled valid held them and PostgreSQL refused the load."""
    domain = parse_ddl(EXCLUSIONS, dialect="postgres").domain
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute(EXCLUSIONS)
    ds = dataset("edge_case_user", 400, domain=domain, entity="tickets")
    valid = [r for r in rows_of(ds) if r["_expected_valid"]]
    doc = load_dataset(ds, pg_db)
    loaded = doc["delivery"]["tables"]["tickets"]["loaded"]
    assert loaded >= len(valid) > 100  # (and a row whose break a dropped NUL undid)
    with psycopg.connect(pg_db) as conn:
        found = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'deleted' OR m = 'meh' OR prio = 0"
            " OR stars > 3 OR NOT urgent OR ratio = 0), count(*) FROM tickets"
        ).fetchone()
    assert found == (0, loaded)


def test_postgresql_all_or_nothing(pg_db: str, users_profile: Any) -> None:
    ds = dataset("edge_case_user", 1500, domain=users_profile.domain, entity="users")
    table = unique("people")
    with pytest.raises(SinkError) as info:
        load_dataset(ds, pg_db, create_tables=True, table=table, include_invalid=True)
    match = re.search(rf"table '{table}' rejected row (\d+) of the dataset: .+", str(info.value))
    assert match, info.value
    assert rows_of(ds)[int(match.group(1))]["_expected_valid"] is False
    assert pg_tables(pg_db) == set()  # created in the rolled-back transaction: gone


def test_unreachable_postgresql_fails_fast() -> None:
    start = time.monotonic()
    with pytest.raises(
        ServiceUnavailable,
        match=re.escape("cannot reach PostgreSQL at postgresql://u@127.0.0.1:1/db"),
    ):
        load_dataset(dataset("normal_user", 5), "postgresql://u:pw@127.0.0.1:1/db")
    assert time.monotonic() - start < 10


def test_a_failed_load_manifest_names_the_format_a_loaded_one_does(
    tmp_path: Path, pg_db: str
) -> None:
    # A failed delivery's manifest said the URL's scheme ("postgres"), a loaded one's
    # "postgresql"; Kafka's: "kafka" and "kafka/json" (tests/test_kafka.py). (A load refused
    # before a row was made, a server that cannot be reached, writes none.)
    manifest = tmp_path / "m.json"
    args = ["quick", "edge_case_user", "-t", "file", "-n", "20", "-s", "1", "--manifest"]
    invalid = ["--create-tables", "--include-invalid"]  # (rows the database rejects)
    postgres = pg_db.replace("postgresql://", "postgres://", 1)
    for failing in (postgres, f"sqlite:///{tmp_path / 'x.db'}"):
        result = run_cli([*args, str(manifest), "--sink", failing, *invalid])
        assert result.code == 1, result.stderr
        assert "rejected row" in result.stderr
        assert orjson.loads(manifest.read_bytes())["format"] == failing.split(":")[0].replace(
            "postgres", "postgresql"
        )
        manifest.unlink()
    refused = run_cli([*args, str(manifest), "--sink", "postgres://u@127.0.0.1:1/db"])
    assert refused.code == 69 and not manifest.exists()  # (nothing listens: an outage)


def test_a_password_is_never_written_into_a_manifest(tmp_path: Path, pg_db: str) -> None:
    manifest = tmp_path / "m.json"
    assert re.match(r"postgresql://\w+@", pg_db)
    failing = re.sub(r"^(postgresql://\w+)@", r"\1:sekret@", pg_db)
    shown = re.sub(r"^(postgresql://\w+)@", r"\1:***@", pg_db)
    args = ["quick", "edge_case_user", "-t", "file", "-n", "20", "-s", "1", "--manifest"]
    invalid = ["--create-tables", "--include-invalid"]  # (rows the database rejects)
    result = run_cli([*args, str(manifest), "--sink", failing, *invalid])
    assert result.code == 1 and "rejected row" in result.stderr, result.stderr
    assert "sekret" not in result.stderr + manifest.read_text()
    assert orjson.loads(manifest.read_bytes())["output"] == shown
    refused = run_cli([*args, str(manifest), "--sink", "postgresql://u:sekret@127.0.0.1:1/db"])
    assert refused.code == 69 and "sekret" not in refused.stderr
    # On success too, and in generate's summary (the test server trusts local users).
    profile = tmp_path / "p.yaml"
    schema = str(ROOT / "schemas/users.sql")
    imported = run_cli(["import-schema", schema, "-e", "users", "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    sink = failing
    loaded = run_cli(["generate", str(profile), "-s", "1", "--create-tables", "--sink", sink])
    assert loaded.code == 0, loaded.stderr
    assert "sekret" not in loaded.stderr + loaded.stdout.decode()


class _Interrupted(Dataset):
    """A dataset whose run is interrupted (Ctrl-C) after its first block."""

    def blocks(self, start: int = 0, stop: int | None = None) -> Iterator[list[dict[str, Any]]]:
        for n, block in enumerate(super().blocks(start, stop)):
            if n == 1:
                raise KeyboardInterrupt
            yield block


def test_interrupted_load_keeps_nothing(pg_db: str, tmp_path: Path) -> None:
    persona = CATALOG.get("normal_user")
    table = unique("people")
    with pytest.raises(SinkError, match="interrupted; the load was rolled back") as info:
        load_dataset(
            _Interrupted([(persona, 1.0)], "file", 3000, 3), pg_db, create_tables=True, table=table
        )
    assert info.value.exit_code == 130 and info.value.report is not None
    assert pg_tables(pg_db) == set()
    with pytest.raises(SinkError, match="interrupted"):
        load_dataset(
            _Interrupted([(persona, 1.0)], "file", 3000, 3),
            f"sqlite:///{tmp_path / 'x.db'}",
            create_tables=True,
        )
    assert sqlite_tables(tmp_path / "x.db") == set()


def _interrupted_delivery(tmp_path: Path, persona: Persona) -> dict[str, Any]:
    """The manifest of a load of ``persona``'s rows interrupted after its first block."""
    from persona_gen.runtime.write import deliver

    manifest_file = tmp_path / "load.manifest.json"
    with pytest.raises(SinkError):
        deliver(
            _Interrupted([(persona, 1.0)], "file", 3000, 3),
            f"sqlite:///{tmp_path / 'x.db'}",
            create_tables=True,
            manifest_file=manifest_file,
        )
    doc: dict[str, Any] = orjson.loads(manifest_file.read_bytes())
    return doc


def test_interrupted_load_writes_its_manifest(tmp_path: Path) -> None:
    doc = _interrupted_delivery(tmp_path, CATALOG.get("normal_user"))
    assert doc["delivery"]["error"].startswith("interrupted")
    # The second block was made, not offered: the manifest counts the rows the load took, as
    # its tables section does (the rows --workers made ahead are not in either).
    assert doc["delivery"]["tables"]["users"]["offered"] == 1024
    assert doc["count"] == 1024


def test_an_interrupted_loads_manifest_counts_the_rows_it_took(tmp_path: Path) -> None:
    persona = CATALOG.get("edge_case_user")  # (rows broken on purpose, to count)
    doc = _interrupted_delivery(tmp_path, persona)
    first = Dataset([(persona, 1.0)], "file", 1024, 3)
    rows = [row for block in first.blocks() for row in block]
    assert doc["count"] == len(rows) == doc["delivery"]["tables"]["users"]["offered"]
    assert doc["expected_invalid"] == sum(not row["_expected_valid"] for row in rows)


def test_a_connection_lost_mid_load_is_one_line_and_keeps_nothing(
    pg_db: str, tmp_path: Path
) -> None:
    """The server ends the session while COPY runs: one error line (psycopg's own warning
    about the COPY it abandons stays out of stderr), exit 1, nothing committed."""
    import subprocess
    import sys

    manifest = tmp_path / "m.json"
    args = ["quick", "normal_user", "-t", "file", "-n", "2000000", "-s", "3", "--sink", pg_db]
    args += ["--create-tables", "--manifest", str(manifest)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "persona_gen", *args],
        stderr=subprocess.PIPE,
        text=True,
    )
    database = pg_db.rsplit("/", 1)[1].split("?", maxsplit=1)[0]
    terminated = False
    deadline = time.monotonic() + 120
    with psycopg.connect(pg_db, autocommit=True) as admin:
        while not terminated and time.monotonic() < deadline and proc.poll() is None:
            (terminated,) = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) > 0 FROM pg_stat_activity"
                " WHERE datname = %s AND application_name = 'persona-gen'"
                " AND query LIKE 'COPY%%'",
                (database,),
            ).fetchone()
            time.sleep(0.05)
    _, err = proc.communicate(timeout=120)
    assert terminated, err
    assert proc.returncode == 69, err  # (the server went away: an outage, docs/errors.md)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("persona-gen: error:"), err
    assert "lost the connection" in lines[0]
    assert pg_tables(pg_db) == set()
    delivery = orjson.loads(manifest.read_bytes())["delivery"]
    assert delivery["committed"] is False and "lost the connection" in delivery["error"]


# -- SQL scripts ------------------------------------------------------------------------------


def test_sql_format_on_the_command_line(tmp_path: Path) -> None:
    out = run_cli(["quick", "normal_user", "-t", "file", "-n", "10", "-s", "5", "--format", "sql"])
    assert out.code == 0, out.stderr
    lines = out.stdout.decode().splitlines()
    assert len([x for x in lines if x.startswith('INSERT INTO "users" (')]) == 10
    assert all(x.endswith(");") or x.startswith("--") for x in lines)
    assert b"_expected_valid" not in out.stdout
    target = tmp_path / "rows.sql"
    assert (
        run_cli(
            ["quick", "normal_user", "-t", "file", "-n", "10", "-s", "5", "-o", str(target)]
        ).code
        == 0
    )
    assert target.read_bytes() == out.stdout
    refused = run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "--format", "sql"])
    assert refused.code != 0 and "'file' generator's rows" in refused.stderr


def _valid_as_written(ds: Dataset, *, drops_nul: bool) -> list[dict[str, Any]]:
    """The rows valid as a table is given them (``sinks.written``): the rows labelled valid,
    and those whose breaks were all in read-only columns or (``drops_nul``) NUL characters."""
    from persona_gen.sinks.written import WrittenLabels

    spec, entity, domain = dataset_table(ds)
    columns = ds.lanes[0].generator.data_columns  # type: ignore[attr-defined]
    labels = WrittenLabels(spec, entity, domain, columns, drops_nul=drops_nul)
    rows = rows_of(ds)
    return [r for r, (valid, _, _) in zip(rows, labels.block(rows), strict=True) if valid]


def _script(ds: Dataset, encoder_cls: type[SqlEncoder]) -> str:
    encoder = make_encoder(ds, "sql")
    assert isinstance(encoder, SqlEncoder)
    if encoder_cls is not SqlEncoder:
        swapped = encoder_cls()
        swapped.table, swapped.labels = encoder.table, encoder.labels
        encoder = swapped
    parts = []
    first = True
    for block in ds.blocks():
        parts.append(encoder.encode(block, first))
        first = False
    return b"".join(parts).decode()


def test_sql_script_loads_into_sqlite(users_profile: Any) -> None:
    # quotes, line breaks and unicode in values (edge-case user), arrays and JSON (users.sql)
    for ds in (
        dataset("edge_case_user", 600),
        dataset("edge_case_user", 600, domain=users_profile.domain, entity="users"),
    ):
        spec, entity, domain = dataset_table(ds)
        script = _script(ds, SqliteSqlEncoder)
        conn = sqlite3.connect(":memory:")
        conn.execute(create_table_sql(entity, "sqlite", domain=domain))
        statements = [s for s in script.split(";\n") if s.strip()]
        loaded = 0
        for statement in statements:
            if "-- expected invalid" in statement.split("INSERT", 1)[0]:
                continue  # rejected or not: the schema's business
            conn.execute(statement)
            loaded += 1
        valid = _valid_as_written(ds, drops_nul=True)  # (SQL literals hold no NUL)
        assert loaded == len(valid)
        got = conn.execute(f'SELECT "id" FROM "{spec.name}"').fetchall()
        assert sorted(g[0] for g in got) == sorted(r["id"] for r in valid)


def test_sql_script_loads_into_postgresql(pg_db: str, users_profile: Any) -> None:
    ds = dataset("edge_case_user", 600, domain=users_profile.domain, entity="users")
    spec, entity, domain = dataset_table(ds)
    script = _script(ds, SqlEncoder)
    kept = [
        s
        for s in script.split(";\n")
        if s.strip() and "-- expected invalid" not in s.split("INSERT", 1)[0]
    ]
    with psycopg.connect(pg_db) as conn:
        conn.execute(create_table_sql(entity, "postgres", domain=domain).encode())
        conn.execute((";\n".join(kept) + ";").encode())  # one script, one transaction
    # (the rows valid as written: a removed field of a nullable column is a valid NULL)
    valid = _valid_as_written(ds, drops_nul=True)
    columns = spec.column_names
    got = pg_rows(pg_db, "users", columns)
    assert len(got) == len(valid)
    assert_same(got, valid, columns)


# -- related tables: foreign keys, one transaction --------------------------------------------

# (child, column, parent, referenced column): every foreign key of schemas/users.sql
USERS_SQL_FKS = [
    ("addresses", "user_id", "users", "id"),
    ("orders", "user_id", "users", "id"),
    ("orders", "shipping_address_id", "addresses", "id"),
]


@dataclass
class Db:
    """A test database of either kind: its URL, queries, its tables."""

    kind: str
    url: str
    path: Path | None = None

    def query(self, text: str) -> list[tuple[Any, ...]]:
        if self.path is not None:
            with closing(sqlite3.connect(self.path)) as conn:
                return conn.execute(text).fetchall()
        with psycopg.connect(self.url) as conn:
            return conn.execute(text.encode()).fetchall()

    def run(self, script: str) -> None:
        if self.path is not None:
            with closing(sqlite3.connect(self.path)) as conn:
                conn.executescript(script)
            return
        with psycopg.connect(self.url) as conn:
            conn.execute(script.encode())

    def tables(self) -> set[str]:
        if self.path is not None:
            return sqlite_tables(self.path) if self.path.exists() else set()
        return pg_tables(self.url)

    def count(self, table: str) -> int:
        return int(self.query(f'SELECT count(*) FROM "{table}"')[0][0])

    def orphans(self) -> dict[str, int]:
        """Foreign-key values without their parent row (a LEFT JOIN finds none: all 0)."""
        return {
            f"{child}.{col}": int(
                self.query(
                    f'SELECT count(*) FROM "{child}" c LEFT JOIN "{parent}" p '
                    f'ON p."{ref}" = c."{col}" WHERE c."{col}" IS NOT NULL AND p."{ref}" IS NULL'
                )[0][0]
            )
            for child, col, parent, ref in USERS_SQL_FKS
        }


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Db:
    if request.param == "sqlite":
        path = tmp_path / "fk.db"
        return Db("sqlite", f"sqlite:///{path}", path)
    return Db("postgresql", request.getfixturevalue("pg_db"))


@pytest.fixture(scope="module")
def orders_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`import-schema schemas/users.sql -e orders`: orders, with users and addresses embedded."""
    out = tmp_path_factory.mktemp("orders") / "orders.yaml"
    args = ["import-schema", str(ROOT / "schemas/users.sql"), "-e", "orders", "-c", "300"]
    result = run_cli([*args, "-o", str(out)])
    assert result.code == 0, result.stderr
    return out


def three_datasets(profile: Path, url: str, out: Path, counts: tuple[int, ...]) -> Path:
    """The orders profile with a dataset per table (users, addresses, orders), all to ``url``."""
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"] = [
        {"name": f"{entity}_rows", "type": "file", "count": n, "entity": entity, "sink": url}
        for entity, n in zip(("users", "addresses", "orders"), counts, strict=True)
    ]
    out.write_text(yaml.safe_dump(doc, sort_keys=False))
    return out


def loaded_lines(stderr: str) -> dict[str, tuple[int, int]]:
    """table -> (loaded, skipped as invalid), from the CLI's delivery lines."""
    return {
        t: (int(a), int(b))
        for t, a, b in re.findall(r"(\w+): (\d+) loaded, (\d+) skipped as invalid", stderr)
    }


def test_one_entity_loads_with_generated_parents(db: Db, orders_profile: Path) -> None:
    # The reviewer's case: orders reference users and addresses, which must exist first.
    args = ["generate", str(orders_profile), "--sink", db.url, "--create-tables", "-s", "11"]
    result = run_cli(args)
    assert result.code == 0, result.stderr
    lines = loaded_lines(result.stderr)
    assert set(lines) == {"users", "addresses", "orders"}
    assert sum(lines["orders"]) == 300  # every row asked for: loaded or skipped as invalid
    for table, (loaded, _) in lines.items():
        assert db.count(table) == loaded > 0
    assert db.orphans() == dict.fromkeys(db.orphans(), 0)
    (referenced,) = db.query("SELECT count(DISTINCT user_id) FROM orders")[0]
    assert referenced > 50  # drawn across the parents, not one user for every order
    assert db.query("SELECT count(*) FROM orders WHERE user_id IS NULL") == [(0,)]


def test_linked_rows_are_deterministic(tmp_path: Path, orders_profile: Path) -> None:
    dumps = []
    for name in ("a.db", "b.db"):
        url = f"sqlite:///{tmp_path / name}"
        args = ["generate", str(orders_profile), "--sink", url, "--create-tables", "-s", "4"]
        assert run_cli(args).code == 0
        with closing(sqlite3.connect(tmp_path / name)) as conn:
            dumps.append(
                [
                    conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
                    for t in ("users", "addresses", "orders")
                ]
            )
    assert dumps[0] == dumps[1]


def test_datasets_of_one_database_load_together(
    db: Db, orders_profile: Path, tmp_path: Path
) -> None:
    profile = three_datasets(orders_profile, db.url, tmp_path / "three.yaml", (40, 90, 300))
    result = run_cli(["generate", str(profile), "--create-tables", "-s", "12"])
    assert result.code == 0, result.stderr
    lines = loaded_lines(result.stderr)
    # each dataset's own line: no generated parents, the parents are the other datasets' rows
    assert lines.keys() == {"users", "addresses", "orders"}
    assert [sum(lines[t]) for t in ("users", "addresses", "orders")] == [40, 90, 300]
    for table, (loaded, _) in lines.items():
        assert db.count(table) == loaded > 0
    assert db.orphans() == dict.fromkeys(db.orphans(), 0)
    (users,) = db.query("SELECT count(DISTINCT user_id) FROM orders")[0]
    assert 1 < users <= lines["users"][0]
    # check reads each table as the entity of the dataset that loaded it
    sep = "&" if "?" in db.url else "?"
    for table in ("addresses", "orders", "users"):
        report = tmp_path / f"{table}.report.json"
        args = ["check", f"{db.url}{sep}table={table}", "--profile", str(profile)]
        checked = run_cli([*args, "--report", str(report)])
        assert checked.code == 0, checked.stderr
        assert orjson.loads(report.read_bytes())["entity"] == table


def test_failed_load_of_several_datasets_keeps_nothing(
    db: Db, orders_profile: Path, tmp_path: Path
) -> None:
    # users and addresses load fine; orders meets a table that does not fit its rows.
    db.run("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    profile = three_datasets(orders_profile, db.url, tmp_path / "three.yaml", (40, 90, 300))
    result = run_cli(["generate", str(profile), "--create-tables", "-s", "12"])
    assert result.code == 1
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    # (a table of another shape is said as such, not as a row it "rejected")
    assert re.search(
        r"table 'orders' exists without the columns order_number, user_id, .+ that the rows "
        r"have \(its columns: id\); load into another table with \?table=NAME",
        message,
    ), message
    assert db.tables() == {"orders"}  # users and addresses: created and rolled back
    assert db.count("orders") == 0


ROWS_OF = {"users_rows": "users", "addresses_rows": "addresses", "orders_rows": "orders"}


def member_manifests(database: Path) -> dict[str, dict[str, Any]]:
    """The manifest each dataset of a load into ``database`` has beside it, by dataset."""
    return {
        name: orjson.loads(database.with_name(f"{database.name}.{name}.manifest.json").read_bytes())
        for name in ROWS_OF
    }


def shop_profile(orders_profile: Path, database: Path) -> Path:
    """The three datasets (40 users, 90 addresses, 300 orders) bound for SQLite ``database``
    in one transaction, as a profile beside it."""
    return three_datasets(
        orders_profile, f"sqlite:///{database}", database.with_name("three.yaml"), (40, 90, 300)
    )


def assert_failed_shares(docs: dict[str, dict[str, Any]], error: str) -> None:
    """Every member's manifest tells the failed load: its own table, nothing kept."""
    for name, doc in docs.items():
        delivery = doc["delivery"]
        assert list(delivery["tables"]) == [ROWS_OF[name]], name  # its own, not all three
        assert delivery["committed"] is False
        assert error in delivery["error"]
        assert delivery["transaction"]["datasets"] == list(ROWS_OF)
        assert delivery["tables"][ROWS_OF[name]]["loaded"] == 0
        assert doc["count"] == delivery["tables"][ROWS_OF[name]]["offered"]


def test_a_refused_shared_load_leaves_no_manifest(orders_profile: Path, tmp_path: Path) -> None:
    # Refused before a row was made (no database without --create-tables), every dataset
    # got a manifest of it (count 0, committed: false), as if a load had been tried; the
    # database is as it was, and so is any manifest an earlier load left beside it.
    database = tmp_path / "new.db"
    profile = shop_profile(orders_profile, database)
    result = run_cli(["generate", str(profile), "-s", "12", "-o", str(tmp_path / "out")])
    assert result.code == 1
    assert "use --create-tables" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["three.yaml"]


def test_a_failed_shared_load_replaces_the_manifests_of_a_loaded_run(
    orders_profile: Path, tmp_path: Path
) -> None:
    # A manifest an earlier run left (committed: true) stayed beside the later failed run's
    # for all but its first dataset: it said the failed run was loaded.
    database = tmp_path / "shop.db"
    profile = shop_profile(orders_profile, database)
    args = ["generate", str(profile), "-s", "12", "--create-tables"]
    assert run_cli(args).code == 0
    assert all(doc["delivery"]["committed"] for doc in member_manifests(database).values())
    kept = {table: Db("sqlite", "", database).count(table) for table in ROWS_OF.values()}
    failed = run_cli([*args, "--persona", "edge_case_user", "--include-invalid"])
    assert failed.code == 1 and "rejected row" in failed.stderr
    docs = member_manifests(database)
    assert_failed_shares(docs, "the load was rolled back")
    assert all(doc["personas"][0]["name"] == "edge_case_user" for doc in docs.values())
    # (the tables linked by foreign keys are generated whole before any row is loaded)
    assert [doc["count"] for doc in docs.values()] == [40, 90, 300]
    assert {t: Db("sqlite", "", database).count(t) for t in ROWS_OF.values()} == kept


def test_each_member_of_an_interrupted_shared_load_has_its_share(
    orders_profile: Path, tmp_path: Path
) -> None:
    from persona_gen.sinks.database import LoadGroup

    profile = load_profile(orders_profile, CATALOG)
    persona = CATALOG.get("normal_user")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    group = LoadGroup()
    for name, entity in ROWS_OF.items():
        group.add(
            name,
            url,
            lambda _, name=name, entity=entity: _Interrupted(
                [(persona, 1.0)], "file", 3000, 3, key=name, domain=profile.domain, entity=entity
            ),
        )
    sets = [group.dataset(name, None) for name in ROWS_OF]
    with pytest.raises(SinkError, match="interrupted") as info:
        load_dataset(sets[0], url, create_tables=True)
    assert info.value.exit_code == 130
    for name, table in ROWS_OF.items():
        share = group.failed_share(name)
        assert share is not None
        delivery = share.to_manifest()
        assert list(delivery["tables"]) == [table]
        assert delivery["committed"] is False and delivery["error"].startswith("interrupted")
        assert share.records == delivery["tables"][table]["offered"]
    # the member the load ran for carries the same share (deliver writes its manifest of it)
    assert info.value.report == group.failed_share("users_rows")
    with pytest.raises(SinkError, match="the transaction it shares failed") as later:
        load_dataset(sets[1], url, create_tables=True)
    assert later.value.report == group.failed_share("addresses_rows")


def test_datasets_sharing_a_table_each_count_their_own_rows(tmp_path: Path) -> None:
    # Both manifests said the whole table's counts (offered 160): a dataset's own rows
    # could not be told apart, and the manifests added up to twice the table.
    database = tmp_path / "users.db"
    profile = tmp_path / "p.yaml"
    datasets = [
        {"name": "a", "type": "file", "count": 100, "personas": ["normal_user"]},
        {"name": "b", "type": "file", "count": 60, "personas": ["edge_case_user"]},
    ]
    doc = {"name": "shared", "version": "1.0.0", "datasets": datasets}
    doc["personas"] = [{"name": "normal_user"}, {"name": "edge_case_user"}]
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    args = ["generate", str(profile), "--sink", f"sqlite:///{database}", "--create-tables"]
    result = run_cli([*args, "-s", "5"])
    assert result.code == 0, result.stderr
    shares = {}
    for name, count, other in (("a", 100, "b"), ("b", 60, "a")):
        doc = orjson.loads(database.with_name(f"users.db.{name}.manifest.json").read_bytes())
        users = doc["delivery"]["tables"]["users"]
        assert users["offered"] == count == doc["count"]
        assert users["shared_with"] == [other]
        assert users["loaded"] + users["skipped_invalid"] + users["unlinked"] == count
        shares[name] = users
    assert shares["b"]["skipped_invalid"] > 0 == shares["a"]["skipped_invalid"]
    said = re.findall(r"users: (\d+) loaded, (\d+) skipped as invalid", result.stderr)
    assert said == [(str(shares[k]["loaded"]), str(shares[k]["skipped_invalid"])) for k in "ab"]
    loaded = sum(share["loaded"] for share in shares.values())
    assert Db("sqlite", "", database).count("users") == loaded


def test_two_datasets_numbering_one_tables_key_are_refused_before_loading(
    orders_profile: Path, tmp_path: Path
) -> None:
    # Each numbers the integer id from its own row 0: the load failed at the second
    # dataset's first row ("UNIQUE constraint failed: orders.id"), after generating both.
    database = tmp_path / "shop.db"
    doc = yaml.safe_load(orders_profile.read_text())
    doc["datasets"] = [
        {"name": name, "type": "file", "count": n, "entity": "orders"}
        | {"sink": f"sqlite:///{database}"}
        for name, n in (("orders_a", 100), ("orders_b", 60))
    ]
    profile = tmp_path / "two.yaml"
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    for command in ("validate", "generate"):
        result = run_cli([command, str(profile), "--create-tables"][: 2 + (command == "generate")])
        assert result.code == 1
        assert result.stderr.strip().endswith(
            "error: dataset 'orders_b': table 'orders' is filled by dataset 'orders_a' too, "
            "and each numbers its key (id) from its own first row, so their rows would repeat "
            "it; make them one dataset of several personas, or give each its own table with "
            "?table=NAME"
        ), result.stderr
    assert not database.exists()


def test_an_interrupted_load_of_a_shared_table_counts_each_datasets_rows(tmp_path: Path) -> None:
    from persona_gen.sinks.database import load_datasets

    persona = CATALOG.get("normal_user")
    first = _Interrupted([(persona, 1.0)], "file", 3000, 3, key="a")
    second = Dataset([(persona, 1.0)], "file", 500, 3, key="b")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(SinkError, match="interrupted") as info:
        load_datasets([first, second], url, names=["a", "b"], create_tables=True)
    report = info.value.report
    assert report is not None
    # (the first dataset was stopped after its first block; the second never began)
    assert report.taken == {"a": 1024, "b": 0}
    assert report.share("a").to_manifest()["tables"]["users"]["offered"] == 1024


def test_generate_can_include_invalid_rows_to_prove_the_schema(
    db: Db, orders_profile: Path, tmp_path: Path
) -> None:
    profile = three_datasets(orders_profile, db.url, tmp_path / "three.yaml", (40, 90, 300))
    args = ["generate", str(profile), "--create-tables", "-s", "12"]
    result = run_cli([*args, "--persona", "edge_case_user", "--include-invalid"])
    assert result.code == 1
    found = re.search(
        r"dataset '(\w+)': .* rejected row \d+ of dataset '(\w+_rows)'", result.stderr
    )
    assert found, result.stderr
    assert found.group(1) == found.group(2)  # the prefix names the dataset that failed
    assert "Traceback" not in result.stderr
    assert db.tables() == set()


def test_rejected_row_names_its_dataset_and_rolls_back_every_table(
    db: Db, orders_profile: Path
) -> None:
    profile = load_profile(orders_profile, CATALOG)
    names = ["users_rows", "addresses_rows", "orders_rows"]
    sets = [
        dataset("edge_case_user", n, 5, key=name, domain=profile.domain, entity=entity)
        for name, entity, n in zip(
            names, ("users", "addresses", "orders"), (40, 90, 300), strict=True
        )
    ]
    with pytest.raises(SinkError) as info:
        load_datasets(sets, db.url, names=names, create_tables=True, include_invalid=True)
    message = str(info.value)
    match = re.fullmatch(
        r".+: table '(\w+)' rejected row (\d+) of dataset '(\w+)': .+; the load was rolled "
        r"back, nothing was kept in users, addresses, orders",
        message,
    )
    assert match, message
    table, row, name = match.group(1), int(match.group(2)), match.group(3)
    assert name == f"{table}_rows"
    assert rows_of(sets[names.index(name)])[row]["_expected_valid"] is False
    assert db.tables() == set()


def test_foreign_key_rejection_names_the_key_and_the_parent(db: Db, orders_profile: Path) -> None:
    # A database whose orders.user_id references another table than the schema says.
    domain = load_profile(orders_profile, CATALOG).domain
    dialect = "sqlite" if db.kind == "sqlite" else "postgres"
    ddl = [
        create_table_sql(domain.entities[e], dialect, domain=domain) for e in insert_order(domain)
    ]
    ddl = [d.replace('REFERENCES "users"', 'REFERENCES "accounts"') for d in ddl]
    key_type = "TEXT" if db.kind == "sqlite" else "UUID"
    db.run(";\n".join([f'CREATE TABLE accounts ("id" {key_type} PRIMARY KEY)', *ddl]) + ";")
    ds = dataset("normal_user", 50, 3, domain=domain, entity="orders")
    with pytest.raises(SinkError) as info:
        load_dataset(ds, db.url)
    message = str(info.value)
    assert "\n" not in message
    assert re.search(
        r"table '(addresses|orders)' rejected row \d+ of (the dataset|the parent rows generated "
        r"for '[\w, ]+'): .*[Kk]ey \(user_id\)=\([0-9a-f-]{36}\) is not present in table "
        r"[\"']accounts[\"']",
        message,
    ), message
    assert db.count("users") == db.count("addresses") == db.count("orders") == 0


# -- column types that need care: arrays of bounded strings, unions of strings ---------------

_ODD_COLUMNS = {
    "tags.sql": "CREATE TABLE tagged (id INTEGER PRIMARY KEY, tags VARCHAR(10)[]);\n",
    "host.schema.json": orjson.dumps(
        {
            "title": "Host",
            "type": "object",
            "required": ["id", "addr"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "addr": {
                    "anyOf": [
                        {"type": "string", "format": "ipv4"},
                        {"type": "string", "format": "ipv6"},
                    ]
                },
                "mixed": {"type": ["string", "integer"]},
                "obj": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "object", "properties": {"a": {"type": "integer"}}},
                    ]
                },
            },
        }
    ).decode(),
}


@pytest.mark.parametrize("schema", sorted(_ODD_COLUMNS))
def test_array_and_union_columns_load_and_check(db: Db, tmp_path: Path, schema: str) -> None:
    # VARCHAR(n)[] once made SQLite DDL that did not parse; a union of strings went into a
    # JSONB column as raw text, which PostgreSQL refused.
    source = tmp_path / schema
    source.write_text(_ODD_COLUMNS[schema])
    profile = tmp_path / "p.yaml"
    imported = run_cli(["import-schema", str(source), "-t", "file", "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    url = f"{db.url}{'&' if '?' in db.url else '?'}table=odd"
    loaded = run_cli(["generate", str(profile), "-s", "3", "--sink", url, "--create-tables"])
    assert loaded.code == 0, loaded.stderr
    assert db.count("odd") == 100
    checked = run_cli(["check", url, "--profile", str(profile)])
    assert checked.code == 0, checked.stderr + checked.stdout.decode()


def test_a_new_sqlite_database_gets_its_missing_folders(tmp_path: Path) -> None:
    # As -o does for files (the sinks.md example writes into output/, which may not exist).
    target = tmp_path / "output" / "deep" / "users.db"
    args = ["quick", "normal_user", "-t", "file", "-n", "20", "-s", "3", "--create-tables"]
    result = run_cli([*args, "--sink", f"sqlite:///{target}"])
    assert result.code == 0, result.stderr
    with closing(sqlite3.connect(target)) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (20,)


def test_an_unwritable_manifest_stops_the_run_before_anything_is_loaded(tmp_path: Path) -> None:
    # Loaded rows with a failing manifest would look like a failed run: a re-run duplicates.
    target = tmp_path / "m.db"
    blocker = tmp_path / "file"
    blocker.write_text("")
    args = ["quick", "normal_user", "-t", "file", "-n", "3", "-s", "1", "--create-tables"]
    result = run_cli([*args, "--sink", f"sqlite:///{target}", "--manifest", f"{blocker}/m.json"])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {blocker}/m.json: ")
    assert not target.exists()


# -- integers SQLite cannot store ------------------------------------------------------------

_UNSIGNED_SQLITE = (
    "CREATE TABLE counters (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
    "  hits BIGINT UNSIGNED DEFAULT 0 NOT NULL\n"
    ");\n"
)


def test_unsigned_bigint_rows_of_a_sqlite_script_load_into_it(tmp_path: Path) -> None:
    # MediaWiki's SQLite script: BIGINT UNSIGNED took MySQL's range, edge_case_user's rows
    # labelled valid went past 2**63 - 1 and the load ended in an OverflowError traceback.
    source = tmp_path / "counters.sql"
    source.write_text(_UNSIGNED_SQLITE)
    profile = tmp_path / "p.yaml"
    imported = run_cli(["import-schema", str(source), "-c", "300", "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    target = tmp_path / "c.db"
    with closing(sqlite3.connect(target)) as conn:
        conn.executescript(_UNSIGNED_SQLITE)
    args = ["generate", str(profile), "-s", "1", "--persona", "edge_case_user"]
    loaded = run_cli([*args, "--sink", f"sqlite:///{target}"])
    assert loaded.code == 0, loaded.stderr
    with closing(sqlite3.connect(target)) as conn:
        (count, top) = conn.execute("SELECT count(*), max(hits) FROM counters").fetchone()
    assert count > 250 and top == 2**63 - 1  # the boundary value, stored as an integer


def test_an_integer_sqlite_cannot_store_is_a_one_line_error(tmp_path: Path) -> None:
    # A MySQL profile (BIGINT UNSIGNED up to 2**64 - 1) sent to SQLite: the driver's
    # OverflowError came out as a traceback.
    from persona_gen.entities.model import Domain, Entity, Field, Schema

    huge = Schema("integer", const=2**64 - 1, has_const=True, minimum=0, maximum=2**64 - 1)
    fields = (Field("id", Schema("integer", minimum=1)), Field("hits", huge))
    entity = Entity("counters", Schema("object", fields=fields, closed=True), ("id",))
    domain = Domain({"counters": entity}, "counters", source="ddl")
    ds = dataset("normal_user", 5, domain=domain, entity="counters")
    with pytest.raises(SinkError) as info:
        load_dataset(ds, f"sqlite:///{tmp_path / 'c.db'}", create_tables=True)
    assert str(info.value) == (
        f"sqlite:///{tmp_path / 'c.db'}: table 'counters' rejected row 0 of the dataset: "
        "column hits: 18446744073709551615 does not fit an SQLite integer (signed 64-bit, "
        "-9223372036854775808 to 9223372036854775807); the load was rolled back, nothing was kept"
    )
    assert not (tmp_path / "c.db").exists()


# -- names as the database folds them ----------------------------------------------------------

_MIXED_CASE_PG = (
    "CREATE TABLE Job (\n"
    "    JobId     serial PRIMARY KEY,\n"
    "    Name      text NOT NULL,\n"
    '    "StartTime" timestamp\n'
    ");\n"
)


def test_rows_of_a_mixed_case_postgresql_script_load_into_its_tables(
    pg_db: str, tmp_path: Path
) -> None:
    # Bacula / FreeRADIUS: `CREATE TABLE Job (JobId ...)` makes job(jobid) in PostgreSQL; the
    # rows said "Job"/"JobId", so neither the sink nor the sql format's INSERTs could load.
    source = tmp_path / "job.sql"
    source.write_text(_MIXED_CASE_PG)
    profile = tmp_path / "job.yaml"
    imported = run_cli(["import-schema", str(source), "-c", "10", "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    with psycopg.connect(pg_db) as conn:
        conn.execute(_MIXED_CASE_PG.encode())
    loaded = run_cli(["generate", str(profile), "-s", "1", "--sink", pg_db])
    assert loaded.code == 0, loaded.stderr
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"][0].update(format="sql", output="job.sql")
    as_sql = tmp_path / "job-sql.yaml"
    as_sql.write_text(yaml.safe_dump(doc, sort_keys=False))
    script = run_cli(["generate", str(as_sql), "-s", "2"])
    assert script.code == 0, script.stderr
    assert 'INSERT INTO "job" ("jobid", "name", "StartTime") VALUES (' in script.stdout.decode()
    with psycopg.connect(pg_db) as conn:
        conn.execute("DELETE FROM job")
        conn.execute(script.stdout)
    assert pg_rows(pg_db, "job", ["jobid"]) and len(pg_rows(pg_db, "job", ["StartTime"])) == 10


def test_rows_with_a_two_column_unique_key_load_into_postgresql(pg_db: str, tmp_path: Path) -> None:
    # `CREATE UNIQUE INDEX seat_row_seat ON seat (row_no, seat_no)`: row 32 repeated (13, 29).
    text = (
        "CREATE TABLE seat (\n"
        "  seat_id serial PRIMARY KEY,\n"
        "  row_no smallint NOT NULL CHECK (row_no BETWEEN 1 AND 20),\n"
        "  seat_no smallint NOT NULL CHECK (seat_no BETWEEN 1 AND 30)\n"
        ");\n"
        "CREATE UNIQUE INDEX seat_row_seat ON seat (row_no, seat_no);\n"
    )
    source = tmp_path / "seat.sql"
    source.write_text(text)
    profile = tmp_path / "seat.yaml"
    imported = run_cli(["import-schema", str(source), "-c", "500", "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    with psycopg.connect(pg_db) as conn:
        conn.execute(text.encode())
    loaded = run_cli(["generate", str(profile), "-s", "1", "--sink", pg_db])
    assert loaded.code == 0, loaded.stderr
    assert len(pg_rows(pg_db, "seat", ["row_no", "seat_no"])) == 500


# -- entities whose root is a union ----------------------------------------------------------

_PET_ONE_OF = {
    "title": "Pet",
    "oneOf": [
        {
            "type": "object",
            "required": ["id", "kind", "indoor"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "kind": {"const": "cat"},
                "indoor": {"type": "boolean"},
                "lives": {"type": "integer", "minimum": 1, "maximum": 9},
            },
        },
        {
            "type": "object",
            "required": ["id", "kind", "packSize"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "kind": {"const": "dog"},
                "packSize": {"type": "integer", "minimum": 0, "maximum": 3},
            },
        },
    ],
}


def _pet_profile(tmp_path: Path, schema: dict[str, Any], *args: str) -> Path:
    source = tmp_path / "pet.schema.json"
    source.write_bytes(orjson.dumps(schema))
    profile = tmp_path / "pet.yaml"
    args = ("-f", "jsonschema", "-t", "file", "-c", "60", "-o", str(profile), *args)
    imported = run_cli(["import-schema", str(source), *args])
    assert imported.code == 0, imported.stderr
    return profile


def test_a_union_root_is_a_table_of_every_options_columns(db: Db, tmp_path: Path) -> None:
    # A oneOf at the root (no fields of its own) made a table of no columns: the sql format
    # wrote `INSERT INTO "pets" () VALUES ();` for every row, SQLite refused its CREATE TABLE.
    profile = _pet_profile(tmp_path, _PET_ONE_OF)
    loaded = run_cli(["generate", str(profile), "-s", "3", "--sink", db.url, "--create-tables"])
    assert loaded.code == 0, loaded.stderr
    assert db.count("pets") == 60
    kinds = dict(db.query('SELECT "kind", count(*) FROM "pets" GROUP BY "kind"'))
    assert set(kinds) == {"cat", "dog"}
    # each option's own columns hold values in its rows only (NULL in the other option's)
    cats = db.query('SELECT count("lives"), count("packSize") FROM "pets" WHERE "kind" = \'cat\'')
    assert cats[0][0] > 0 and cats[0][1] == 0
    checked = run_cli(["check", db.url, "--profile", str(profile)])
    assert checked.code == 0, checked.stderr + checked.stdout.decode()
    # the table holds the options' values, no others: a "bird" is refused
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.CheckViolation)):
        db.run('INSERT INTO "pets" ("id", "kind") VALUES (1, \'bird\')')


def test_a_union_root_is_written_as_inserts_of_its_columns(tmp_path: Path) -> None:
    profile = _pet_profile(tmp_path, _PET_ONE_OF, "--output-format", "sql")
    script = run_cli(["generate", str(profile), "-s", "3"])
    assert script.code == 0, script.stderr
    lines = [x for x in script.stdout.decode().splitlines() if x.startswith("INSERT")]
    assert len(lines) == 60
    columns = '("id", "kind", "indoor", "lives", "packSize")'
    assert all(x.startswith(f'INSERT INTO "pets" {columns} VALUES (') for x in lines)
    loaded = load_profile(profile)
    assert loaded.domain is not None
    pet = loaded.domain.entity("Pet")
    with closing(sqlite3.connect(tmp_path / "pets.db")) as conn:
        conn.executescript(create_table_sql(pet, "sqlite", domain=loaded.domain) + ";\n")
        conn.executescript(script.stdout.decode())
        assert conn.execute("SELECT count(*) FROM pets").fetchone() == (60,)


def test_records_that_are_not_objects_are_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    codes = {"title": "Code", "oneOf": [{"type": "string"}, {"type": "integer"}]}
    profile = _pet_profile(tmp_path, codes)
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"][0].update(format="sql", output="codes.sql")
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = tmp_path / "out"
    refused = run_cli(["generate", str(profile), "-s", "1", "-o", str(out)])
    assert refused.code == 1
    assert refused.stderr.endswith(
        "entity 'Code' has no fields to make table columns of (its records are not objects: "
        "string or integer); write its dataset as json, jsonl, csv or parquet (rows of one "
        "'value' column)\n"
    )
    assert not out.exists() or not any(out.iterdir())
    target = tmp_path / "c.db"
    sunk = run_cli(["generate", str(profile), "--sink", f"sqlite:///{target}", "--create-tables"])
    assert sunk.code == 1 and "no fields to make table columns of" in sunk.stderr
    assert not target.exists()
    # (an import asked for SQL output refuses it too: it generates a sample)
    with pytest.raises(AssertionError, match="no fields to make table columns of"):
        _pet_profile(tmp_path, codes, "--output-format", "sql", "--force")


def test_a_shared_load_whose_later_manifest_cannot_be_written_loads_nothing(
    orders_profile: Path, tmp_path: Path
) -> None:
    # Each member checked only its own manifest before the load: the first member's delivery
    # committed all three datasets' rows, and the run then failed at the third's manifest.
    database = tmp_path / "shop.db"
    profile = shop_profile(orders_profile, database)
    in_the_way = database.with_name(f"{database.name}.orders_rows.manifest.json")
    in_the_way.mkdir()
    result = run_cli(["generate", str(profile), "-s", "12", "--create-tables"])
    assert result.code == 1
    assert f"{in_the_way}: is a directory" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists()


def test_a_binary_columns_format_violation_is_refused_by_postgresql(pg_db: str) -> None:
    """The value a format violation gives a binary (base64) column is refused by PostgreSQL,
    as the label says: "!!# " was stored as its four bytes (bytea reads any text that does
    not begin with \\x as escaped bytes), so a row labelled invalid loaded."""
    domain = parse_ddl("CREATE TABLE blobs (data BYTEA NOT NULL);", dialect="postgres").domain
    (leaf,) = leaves(domain, domain.entities["blobs"].schema)
    record = {"data": "aGk="}
    outcome = MUTATIONS["format_violation"].apply(record, leaf, np.random.default_rng(0))
    assert outcome is not None and outcome.rule == "format"
    table = unique("blobs")
    with psycopg.connect(pg_db, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE TABLE {} (data BYTEA NOT NULL)").format(sql.Identifier(table)))
        insert = sql.SQL("INSERT INTO {} VALUES (%s)").format(sql.Identifier(table))
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="hexadecimal"):
            conn.execute(insert, [db_value(record["data"], "bytes", "postgres")])
        conn.execute(insert, [db_value("aGk=", "bytes", "postgres")])  # (valid base64: bytes)
