"""Load generated rows into real databases: the validator of the DDL importer's output.

PostgreSQL and SQLite check what the schema declares on every INSERT: types, lengths,
numeric precision, NOT NULL, CHECK, enums, UNIQUE/PRIMARY KEY and foreign keys. A row that
violates any of them is rejected; each row goes in its own savepoint so one rejection does
not hide the next.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlglot import exp

from persona_gen.entities.model import Domain, Entity
from persona_gen.generators.keys import KeyedSynthesizer
from persona_gen.importers.ddl import insert_order, link_foreign_keys, split_statements
from persona_gen.runtime.sqlload import SCHEMA_STATEMENT, translate

REFERENCE_MS = 1_735_689_600_000  # 2025-01-01, the run's reference time in these tests
DATA_STATEMENT = re.compile(r"^(INSERT|COPY|UPDATE|DELETE|SELECT)\b", re.IGNORECASE)
T = exp.DataType.Type


@dataclass
class LoadReport:
    """Rows offered and rows the database accepted, per entity, with the first errors."""

    offered: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def ok(self, entity: str) -> int:
        return self.accepted.get(entity, 0)


def key_space(ent: Entity) -> int | None:
    """How many rows the table can hold at most, when a one-column key has few values."""
    sizes = []
    for key in (ent.primary_key, *ent.unique):
        f = ent.schema.field(key[0]) if len(key) == 1 else None
        if f is None:
            continue
        if f.schema.has_const:
            sizes.append(1)
        elif f.schema.enum is not None:
            sizes.append(len(f.schema.enum))
        elif f.schema.type == "boolean":
            sizes.append(2)
        elif (
            f.schema.type == "string"
            and f.schema.max_length is not None
            and f.schema.max_length <= 3
            and not f.schema.pattern
        ):
            sizes.append(36**f.schema.max_length)  # unique keys are spelled in base 36
    return min(sizes) if sizes else None


def generate(
    domain: Domain, entities: list[str], n: int, seed: int
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Records per entity (n, or fewer when the table's key allows fewer), foreign keys
    linked; also how many rows each entity generated."""
    synth = KeyedSynthesizer(domain, REFERENCE_MS)  # as generators draw (composite keys too)
    rows = {}
    for k, name in enumerate(entities):
        space = key_space(domain.entities[name])
        count = n if space is None else min(n, space)
        rows[name] = synth.records(name, count, np.random.default_rng([seed, k]))
    linked = link_foreign_keys(domain, rows, np.random.default_rng([seed, 999]))
    return linked, {name: len(r) for name, r in rows.items()}


# -- PostgreSQL ----------------------------------------------------------------------------


@contextmanager
def pg_database(url: str, name: str) -> Iterator[psycopg.Connection[Any]]:
    """A fresh database (dropped afterwards) and a connection to it."""
    dbname = f"t_{re.sub(r'[^a-z0-9_]', '_', name.lower())[:40]}_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    target = re.sub(r"/[^/?]*(\?|$)", f"/{dbname}\\1", url, count=1)
    try:
        with psycopg.connect(target) as conn:
            yield conn
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


def pg_statements(text: str, dialect: str) -> list[str]:
    """The script's statements as PostgreSQL runs them (translated if written for another)."""
    out = []
    for stmt in split_statements(text, dialect):
        if dialect == "postgres":
            if not DATA_STATEMENT.match(stmt.text):  # the script's own rows are not ours
                out.append(stmt.text)
        elif SCHEMA_STATEMENT.match(stmt.text):
            out.append(translate(stmt.text, dialect, "postgres"))
    return out


def pg_create(conn: psycopg.Connection[Any], statements: list[str]) -> None:
    """Run the script, then disable its triggers: they are application logic the importer
    reports as not expressed (foreign keys, which PostgreSQL also checks with triggers, stay
    on: ``DISABLE TRIGGER USER`` leaves constraint triggers alone)."""
    for text in statements:
        conn.execute(text.encode())  # bytes: no placeholder parsing of the script's % signs
    for schema, table in conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    ).fetchall():
        conn.execute(
            sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(sql.Identifier(schema, table))
        )
    conn.commit()


def _pg_table(conn: psycopg.Connection[Any], name: str, exact: bool) -> tuple[int, str, str]:
    match = "c.relname = %s" if exact else "lower(c.relname) = lower(%s)"
    rows = conn.execute(
        "SELECT c.oid, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        f"AND {match} ORDER BY c.relname = %s DESC",
        (name, name),
    ).fetchall()
    if not rows:
        raise AssertionError(f"table {name} was not created in PostgreSQL")
    return int(rows[0][0]), str(rows[0][1]), str(rows[0][2])


def _pg_columns(
    conn: psycopg.Connection[Any], oid: int, exact: bool
) -> dict[str, tuple[str, str, str]]:
    """column name (lower-cased unless ``exact``) -> (catalog name, type without modifiers,
    type category)."""
    out = {}
    for attname, typname, category in conn.execute(
        "SELECT a.attname, format_type(a.atttypid, NULL), t.typcategory FROM pg_attribute a "
        "JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''",
        (oid,),
    ).fetchall():
        out[attname if exact else attname.lower()] = (attname, typname, category)
    return out


def _pg_value(value: Any, typname: str, category: str) -> Any:
    if value is None:
        return None
    if typname in ("json", "jsonb"):
        return Jsonb(value)
    if typname == "bytea" and isinstance(value, str):
        return base64.b64decode(value)
    return value


def pg_load(
    conn: psycopg.Connection[Any],
    domain: Domain,
    rows: dict[str, list[dict[str, Any]]],
    exact: bool = False,
) -> LoadReport:
    """Insert ``rows`` into the tables of their entities. With ``exact`` (a PostgreSQL
    script run as it is) tables and columns must have the entities' names exactly; else
    (a script translated from another dialect) names are matched without case."""
    report = LoadReport()
    for name in insert_order(domain):
        if name not in rows:
            continue
        ent = domain.entities[name]
        oid, schema, table = _pg_table(conn, name, exact)
        catalog = _pg_columns(conn, oid, exact)
        fields = [f for f in ent.schema.fields if not f.read_only]
        missing = [f.name for f in fields if (f.name if exact else f.name.lower()) not in catalog]
        if missing:
            raise AssertionError(f"table {name} has no columns {missing} in PostgreSQL")
        cols = [catalog[f.name if exact else f.name.lower()] for f in fields]
        holders = [
            sql.SQL("%s::{}").format(sql.SQL(typ)) if cat == "A" else sql.SQL("%s")
            for _, typ, cat in cols
        ]
        stmt = sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES ({})").format(
            sql.Identifier(schema, table),
            sql.SQL(", ").join(sql.Identifier(c[0]) for c in cols),
            sql.SQL(", ").join(holders),
        )
        report.offered[name] = len(rows[name])
        accepted = 0
        for row in rows[name]:
            params = [
                _pg_value(row.get(f.name), typ, cat)
                for f, (_, typ, cat) in zip(fields, cols, strict=True)
            ]
            try:
                with conn.transaction():
                    conn.execute(stmt, params)
                accepted += 1
            except psycopg.Error as exc:
                if len(report.errors) < 20:
                    report.errors.append(f"{name}: {exc.diag.message_primary} {row}")
        report.accepted[name] = accepted
    conn.commit()
    return report


# -- SQLite --------------------------------------------------------------------------------


def sqlite_statements(text: str, dialect: str) -> list[str]:
    """The script's table statements as SQLite runs them (translated if need be)."""
    out = []
    for stmt in split_statements(text, dialect):
        if not SCHEMA_STATEMENT.match(stmt.text):
            continue
        if dialect == "sqlite":
            out.append(stmt.text)
        elif re.match(r"^ALTER\s+TABLE", stmt.text, re.IGNORECASE):
            continue  # SQLite cannot add constraints later; PostgreSQL checks those keys
        else:
            out.append(translate(stmt.text, dialect, "sqlite"))
    return out


def sqlite_connect(statements: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for text in statements:
        conn.execute(text)
    return conn


def _sqlite_value(value: Any, ent: Entity, column: str) -> Any:
    f = ent.schema.field(column)
    if value is None or f is None:
        return value
    if isinstance(value, dict | list):
        return json.dumps(value)
    if f.schema.format == "byte" and isinstance(value, str):
        return base64.b64decode(value)
    return value


def sqlite_load(
    conn: sqlite3.Connection, domain: Domain, rows: dict[str, list[dict[str, Any]]]
) -> LoadReport:
    report = LoadReport()
    for name in insert_order(domain):
        if name not in rows:
            continue
        ent = domain.entities[name]
        fields = [f.name for f in ent.schema.fields if not f.read_only]
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in fields)
        table = '"' + name.replace('"', '""') + '"'
        stmt = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(fields))})"
        report.offered[name] = len(rows[name])
        accepted = 0
        for row in rows[name]:
            try:
                conn.execute(stmt, [_sqlite_value(row.get(c), ent, c) for c in fields])
                accepted += 1
            except sqlite3.Error as exc:
                if len(report.errors) < 20:
                    report.errors.append(f"{name}: {exc} {row}")
        report.accepted[name] = accepted
    return report


# Values a CHECK excludes (<>, !=, NOT IN) on an IN list, an enum type, a bound, a boolean.
EXCLUSIONS = """
CREATE TYPE mood AS ENUM ('happy', 'meh', 'sad');
CREATE TABLE tickets (
    id integer PRIMARY KEY,
    status varchar(10) NOT NULL CHECK (status IN ('open', 'closed', 'deleted')),
    m mood NOT NULL CHECK (m <> 'meh'),
    prio smallint NOT NULL CHECK (prio >= 0) CHECK (prio <> 0),
    stars integer CHECK (stars BETWEEN 1 AND 5 AND stars NOT IN (4, 5)),
    urgent boolean NOT NULL CHECK (urgent != false),
    ratio real CHECK (ratio >= 0 AND ratio <> 0),
    CHECK (status <> 'deleted')
);
"""
