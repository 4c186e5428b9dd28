"""Tables for an entity: columns, ``CREATE TABLE`` text and database-ready values.

A ``file`` dataset's rows are the entity flattened (nested objects as ``a.b`` columns; a union
of objects at the root as one object with every option's fields, ``_row_object``); the
table has one column per leaf field, in the same order, without the label columns
(``_expected_valid``, ``_violations``, ``_behaviors``) and without read-only (generated)
columns. How the model maps to SQL:

=====================================  ===========================  ======================
model                                  PostgreSQL                   SQLite
=====================================  ===========================  ======================
string (``max_length`` n)              ``VARCHAR(n)`` / ``TEXT``    ``TEXT``
string ``uuid`` / ``date`` / ``time``  ``UUID`` / ``DATE`` / ``TIME``  ``TEXT``
string ``date-time``                   ``TIMESTAMPTZ``              ``TEXT``
string ``ipv4`` / ``ipv6``             ``INET``                     ``TEXT``
string ``byte`` (base64 text)          ``BYTEA`` (decoded)          ``BLOB`` (decoded)
integer                                ``INTEGER`` / ``BIGINT`` / ``NUMERIC(20)`` by range
number with precision/scale            ``NUMERIC(p, s)``            ``NUMERIC``
number                                 ``DOUBLE PRECISION``         ``REAL``
boolean                                ``BOOLEAN``                  ``INTEGER`` (0/1)
array of scalars                       ``<type>[]``                 ``TEXT`` (JSON)
object, map, union, any, other arrays  ``JSONB``                    ``TEXT`` (JSON)
=====================================  ===========================  ======================

Constraints: ``NOT NULL`` for a required, non-nullable field (and all its parents), the
primary key, each ``UNIQUE`` key, foreign keys to tables of the same domain, and ``CHECK``
for enums, consts, numeric bounds and string lengths. Patterns and ``multipleOf`` are not
expressed (database regex dialects differ from the generator's). Other sqlglot dialects
get the PostgreSQL text transpiled by sqlglot (best effort).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from persona_gen._moments import utc_text
from persona_gen.entities.model import Domain, Entity, Schema
from persona_gen.generators.file import LABEL_COLUMNS
from persona_gen.generators.paths import object_of

__all__ = [
    "Column",
    "Table",
    "create_table_sql",
    "quote_identifier",
    "quote_table",
    "sql_literal",
    "table_for",
    "table_name",
]

_INT32 = 2**31
_INT64 = 2**63
_SCALARS = {"string", "integer", "number", "boolean"}


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its name (as in the rows), value kind, SQL type and constraints."""

    name: str
    kind: str  # text, int, number, bool, json, array, bytes
    pg_type: str
    sqlite_type: str
    not_null: bool
    checks: tuple[str, ...] = ()  # CHECK expressions, dialect-neutral
    # A date or timestamp column's bounds, ``(">=", "2024-01-01")``: PostgreSQL compares
    # them as its type, SQLite (which holds the text) through julianday().
    time_bounds: tuple[tuple[str, str], ...] = ()

    def sql_type(self, dialect: str) -> str:
        return self.sqlite_type if dialect == "sqlite" else self.pg_type


@dataclass(frozen=True, slots=True)
class Table:
    """The table a ``file`` dataset's rows go into."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def values(self, row: Mapping[str, Any], dialect: str) -> list[Any]:
        """The row's values for ``columns``, in the form the database driver takes."""
        return [db_value(row.get(c.name), c.kind, dialect) for c in self.columns]


def quote_table(name: str, dialect: str = "postgres") -> str:
    """A table name for ``dialect``: in PostgreSQL ``schema.table`` names a table of that
    schema (each part quoted); elsewhere, and without a dot, one quoted identifier."""
    if dialect != "sqlite" and "." in name:
        schema, _, table = name.partition(".")
        return f"{quote_identifier(schema)}.{quote_identifier(table)}"
    return quote_identifier(name)


def quote_identifier(name: str) -> str:
    """A double-quoted identifier (PostgreSQL and SQLite both read it)."""
    return '"' + name.replace('"', '""') + '"'


def table_name(domain: Domain | None, entity: Entity, dialect: str = "postgres") -> str:
    """An imported DDL table keeps its name; a built-in entity uses its collection (users).
    In PostgreSQL the entity's ``table_schema`` qualifies it (``app.Tickets``, a table of the
    schema ``app``, as ``quote_table`` reads it); SQLite has no schemas: the bare name."""
    name = entity.name if domain is not None and domain.source == "ddl" else entity.collection
    if entity.table_schema and dialect != "sqlite":
        return f"{entity.table_schema}.{name}"
    return name


def _deref(domain: Domain | None, s: Schema) -> Schema:
    seen = 0
    while s.type == "ref" and domain is not None and s.ref in domain.entities and seen < 16:
        s = domain.entities[s.ref].schema
        seen += 1
    return s


def table_for(
    entity: Entity,
    domain: Domain | None = None,
    table: str | None = None,
    *,
    names: Mapping[str, str] | None = None,
    dialect: str = "postgres",
) -> Table:
    """The table of ``entity``'s flattened rows (see the module docstring); ``names`` maps
    entity names to table names where a load renames a parent table; ``dialect`` (postgres,
    sqlite) names the tables as ``table_name`` does."""
    columns: list[Column] = []

    def walk(schema: Schema, prefix: str, depth: int, parents_required: bool) -> None:
        s = _row_object(domain, schema) if depth == 0 else _deref(domain, schema)
        for f in s.fields:
            fs = _deref(domain, f.schema)
            if f.schema.nullable and not fs.nullable:  # (a nullable reference: Avro's
                fs = replace(fs, nullable=True)  # ["null", Address]; its columns may be NULL)
            name = f"{prefix}{f.name}"
            required = parents_required and f.required and not f.write_only
            if fs.type == "object" and not fs.variants and depth < 3:
                walk(fs, f"{name}.", depth + 1, required and not fs.nullable)
                continue
            if f.read_only:
                continue  # generated columns: the database computes them
            columns.append(_column(name, fs, required and not fs.nullable))

    walk(entity.schema, "", 0, True)
    columns = [c for c in columns if c.name not in LABEL_COLUMNS]
    fks = []
    if domain is not None:
        for fk in entity.foreign_keys:
            parent = domain.entities.get(fk.entity)
            if parent is not None:
                parent_table = (names or {}).get(parent.name) or table_name(domain, parent, dialect)
                fks.append((fk.columns, parent_table, fk.references))
    return Table(
        name=table or table_name(domain, entity, dialect),
        columns=tuple(columns),
        primary_key=entity.primary_key,
        unique=entity.unique,
        foreign_keys=tuple(fks),
    )


def _row_object(domain: Domain | None, schema: Schema) -> Schema:
    """The object a row is, as the ``file`` generator flattens it (``paths.object_of``):
    the entity's schema or, for a union of objects at the root (a oneOf, if/then/else, a
    protobuf oneof's variants), an object with every option's fields, each NOT NULL only
    where every option requires it. Where options give a field different schemas, its
    column takes a value of any of them (``_either``), not the JSON that ``object_of``'s
    "any value" would make it."""
    s = _deref(domain, schema)
    if not (s.type == "union" or (s.type == "object" and s.variants)) or domain is None:
        return s
    options = [o for o in (_deref(domain, v) for v in s.variants) if o.type == "object"]
    merged = object_of(domain, s)
    fields = []
    for f in merged.fields:
        found = [_deref(domain, g.schema) for o in options if (g := o.field(f.name))]
        fields.append(replace(f, schema=_either(found)))
    return replace(merged, fields=tuple(fields))


_WIDER = {frozenset({"integer", "number"}): "number"}


def _either(schemas: list[Schema]) -> Schema:
    """A column schema taking a value of any of ``schemas``: the schema where they agree;
    else their scalar type (integer and number: number) with their format where they share
    it, their values where each pins them (consts of a discriminator: ``IN ('cat', 'dog')``)
    and no other check; JSON when their types differ otherwise."""
    first = schemas[0]
    if all(s == first for s in schemas):
        return first
    nullable = any(s.nullable for s in schemas)
    types = frozenset(s.type for s in schemas)
    kind = first.type if len(types) == 1 else _WIDER.get(types)
    if kind not in _SCALARS:
        return Schema("any", nullable=nullable)
    values: list[Any] | None = None
    if all(s.has_const or s.enum is not None for s in schemas):
        values = []
        for s in schemas:
            for v in (s.const,) if s.has_const else s.enum or ():
                if not any(v == w and type(v) is type(w) for w in values):
                    values.append(v)
    formats = {s.format for s in schemas}
    return Schema(
        kind,
        format=formats.pop() if len(formats) == 1 else None,
        nullable=nullable,
        enum=tuple(values) if values is not None else None,
    )


def _column(name: str, s: Schema, not_null: bool) -> Column:
    q = quote_identifier(name)
    checks: list[str] = []
    bounds: list[tuple[str, str]] = []
    if s.has_const and not s.const_unchecked and _literal_ok(s.const):
        checks.append(f"{q} = {sql_literal(s.const)}")
    if s.enum is not None and s.enum and all(_literal_ok(v) for v in s.enum):
        checks.append(f"{q} IN ({', '.join(sql_literal(v) for v in s.enum)})")
    t = s.type
    if t == "union" and s.variants and all(v.type == "string" for v in s.variants):
        # One of several string shapes (an IPv4 or an IPv6 address): text, not JSON.
        kind, pg, lite = "text", "TEXT", "TEXT"
    elif t == "string":
        kind, pg, lite = _string_type(s)
        if kind == "text" and s.format is None and s.min_length:
            checks.append(f"length({q}) >= {s.min_length}")
        fmt = str(s.format)
        if s.format_minimum is not None:
            op = ">" if s.format_exclusive_minimum else ">="
            bounds.append((op, utc_text(s.format_minimum, fmt, zone="+00:00")))
        if s.format_maximum is not None:
            op = "<" if s.format_exclusive_maximum else "<="
            bounds.append((op, utc_text(s.format_maximum, fmt, zone="+00:00")))
    elif t == "integer":
        kind, lite = "int", "INTEGER"
        lo, hi = s.minimum, s.maximum
        if lo is not None and hi is not None and lo >= -_INT32 and hi < _INT32:
            pg = "INTEGER"
        elif (lo is None or lo >= -_INT64) and (hi is None or hi < _INT64):
            pg = "BIGINT"
        else:
            pg = "NUMERIC(20)"
        checks += _bounds(q, s, skip=(-_INT32, _INT32 - 1, -_INT64, _INT64 - 1))
    elif t == "number":
        kind = "number"
        if s.precision is not None:
            pg = f"NUMERIC({s.precision}, {s.scale or 0})"
            lite = "NUMERIC"
        else:
            pg, lite = "DOUBLE PRECISION", "REAL"
        checks += _bounds(q, s)
    elif t == "boolean":
        kind, pg, lite = "bool", "BOOLEAN", "INTEGER"
    elif t == "array" and s.items is not None and s.items.type in _SCALARS:
        _, element, _ = _string_type(s.items) if s.items.type == "string" else ("", "", "")
        scalar = {
            "string": element or "TEXT",
            "integer": "BIGINT",
            "number": "DOUBLE PRECISION",
            "boolean": "BOOLEAN",
        }[s.items.type]
        if scalar == "BYTEA":
            kind, pg, lite = "json", "JSONB", "TEXT"
        else:
            kind, pg, lite = "array", f"{scalar}[]", "TEXT"
    else:
        kind, pg, lite = "json", "JSONB", "TEXT"
    return Column(name, kind, pg, lite, not_null, tuple(checks), tuple(bounds))


def _string_type(s: Schema) -> tuple[str, str, str]:
    fmt = s.format
    if fmt == "byte":
        return "bytes", "BYTEA", "BLOB"
    special = {
        "uuid": "UUID",
        "date": "DATE",
        "date-time": "TIMESTAMPTZ",
        "time": "TIME",
        "ipv4": "INET",
        "ipv6": "INET",
    }.get(fmt or "")
    if special is not None:
        return "text", special, "TEXT"
    if s.max_length is not None:
        return "text", f"VARCHAR({s.max_length})", "TEXT"
    return "text", "TEXT", "TEXT"


def _bounds(q: str, s: Schema, skip: tuple[int, ...] = ()) -> list[str]:
    out = []
    if s.minimum is not None and s.minimum not in skip:
        out.append(f"{q} {'>' if s.exclusive_minimum else '>='} {_number(s.minimum)}")
    if s.maximum is not None and s.maximum not in skip:
        out.append(f"{q} {'<' if s.exclusive_maximum else '<='} {_number(s.maximum)}")
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _literal_ok(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def sql_literal(value: Any, kind: str = "text", dialect: str = "postgres") -> str:
    """``value`` as an SQL literal for a column of ``kind`` (``'it''s'``, ``42``, ``NULL``)."""
    value = db_value(value, kind, dialect)
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if dialect != "sqlite" else str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f"'{value}'"  # PostgreSQL reads 'NaN', 'Infinity' into float columns
        return repr(value)
    if isinstance(value, bytes):
        return f"X'{value.hex()}'" if dialect == "sqlite" else f"'\\x{value.hex()}'::bytea"
    if isinstance(value, list):
        value = _pg_array(value)
    text = str(value)
    if "\x00" in text:
        text = text.replace("\x00", "")  # neither database stores NUL in text
    return "'" + text.replace("'", "''") + "'"


def _pg_array(items: list[Any]) -> str:
    parts = []
    for item in items:
        if item is None:
            parts.append("NULL")
        elif isinstance(item, bool):
            parts.append("t" if item else "f")
        elif isinstance(item, int | float):
            parts.append(repr(item))
        else:
            parts.append('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def db_value(value: Any, kind: str, dialect: str) -> Any:
    """A row value as the driver takes it: JSON as text, arrays as lists (PostgreSQL) or JSON
    text (SQLite), base64 text as bytes, booleans as 0/1 in SQLite. PostgreSQL text cannot
    hold NUL (nor can its JSON, as \u0000): NUL characters are dropped there, as the ``sql``
    format drops them."""
    value = _db_value(value, kind, dialect)
    if dialect == "sqlite":
        return value
    if isinstance(value, str):
        if kind == "json" and "\\u0000" in value:  # (a NUL inside the JSON text's strings)
            return orjson.dumps(_without_nul(orjson.loads(value))).decode()
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return _without_nul(value)
    return value


def _is_json_text(value: Any) -> bool:
    """Whether ``value`` is an object or array already written as JSON text (file rows hold
    nested values so); any other string is a string value, to be written as JSON."""
    if not isinstance(value, str) or value[:1] not in ("{", "["):
        return False
    try:
        return isinstance(orjson.loads(value), dict | list)
    except orjson.JSONDecodeError:
        return False


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def _db_value(value: Any, kind: str, dialect: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return value if _is_json_text(value) else orjson.dumps(value).decode()
    if kind == "array":
        if dialect == "sqlite":
            return value if isinstance(value, str) else orjson.dumps(value).decode()
        if isinstance(value, str):
            try:
                parsed = orjson.loads(value)
            except orjson.JSONDecodeError:
                return value  # not JSON: the database says why it will not take it
            return parsed if isinstance(parsed, list) else value
        return value
    if kind == "bytes" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            return value
    if dialect == "sqlite" and isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return value


_VARCHAR = re.compile(r"VARCHAR\((\d+)\)")


def create_table_sql(
    entity: Entity,
    dialect: str = "postgres",
    *,
    domain: Domain | None = None,
    table: str | None = None,
    if_not_exists: bool = False,
    names: Mapping[str, str] | None = None,
) -> str:
    """``CREATE TABLE`` for ``entity``'s rows in ``dialect`` (postgres, sqlite; other sqlglot
    dialects by transpiling the PostgreSQL text); ``names`` as for ``table_for``."""
    target = "sqlite" if dialect == "sqlite" else "postgres"
    spec = table_for(entity, domain, table, names=names, dialect=target)
    lines = []
    for c in spec.columns:
        line = f"    {quote_identifier(c.name)} {c.sql_type(target)}"
        if c.not_null:
            line += " NOT NULL"
        checks = list(c.checks)
        if target == "sqlite" and c.kind == "bool":
            checks.append(f"{quote_identifier(c.name)} IN (0, 1)")
        limit = _VARCHAR.fullmatch(c.pg_type)
        if target == "sqlite" and limit:  # (not VARCHAR(n)[]: that column holds JSON text)
            checks.append(f"length({quote_identifier(c.name)}) <= {limit[1]}")
        for op, bound in c.time_bounds:
            # (as its instant in UTC, with the zone written out: PostgreSQL reads a
            # timestamptz without one in the session's time zone, and SQLite's date
            # functions read no offset without a colon)
            q, instant = quote_identifier(c.name), sql_literal(bound)
            if target == "sqlite":
                checks.append(f"julianday({q}) {op} julianday({instant})")
            else:
                checks.append(f"{q} {op} {instant}")
        for check in checks:
            line += f" CHECK ({check})"
        lines.append(line)
    present = set(spec.column_names)

    def cols(keys: tuple[str, ...]) -> str:
        return ", ".join(quote_identifier(k) for k in keys)

    if spec.primary_key and set(spec.primary_key) <= present:
        lines.append(f"    PRIMARY KEY ({cols(spec.primary_key)})")
    for key in spec.unique:
        if set(key) <= present and key != spec.primary_key:
            lines.append(f"    UNIQUE ({cols(key)})")
    for columns, parent, references in spec.foreign_keys:
        if set(columns) <= present:
            lines.append(
                f"    FOREIGN KEY ({cols(columns)}) REFERENCES "
                f"{quote_table(parent, target)} ({cols(references)})"
            )
    exists = "IF NOT EXISTS " if if_not_exists else ""
    name = quote_table(spec.name, target)
    text = f"CREATE TABLE {exists}{name} (\n" + ",\n".join(lines) + "\n)"
    if dialect in ("postgres", "sqlite"):
        return text
    import sqlglot

    return str(sqlglot.transpile(text, read="postgres", write=dialect)[0])
