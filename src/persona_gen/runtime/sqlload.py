"""Loading rows into an in-memory SQLite built from a DDL script: the DDL format's validator.

SQLite checks what the script declares on every INSERT: NOT NULL, CHECK, UNIQUE/PRIMARY KEY
(and enums written as CHECKs). Types SQLite does not know are stored as text; a script in
another dialect is translated with sqlglot, without what only its own database knows
(engines, collations, schema qualifiers). Foreign keys are off: a checked file holds one
table's rows, not its parents'.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import sqlite3
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from persona_gen.entities.model import Entity
from persona_gen.importers.ddl import split_statements

__all__ = ["SCHEMA_STATEMENT", "SqliteTable", "sqlite_statements", "translate"]

_NAMES = itertools.count()
T = exp.DataType.Type
INTEGER_TYPES = {t for t in T if "INT" in t.name or t.name.endswith("SERIAL")}
UNSIGNED_WIDER = {
    T.UTINYINT: T.SMALLINT,
    T.USMALLINT: T.INT,
    T.UMEDIUMINT: T.INT,
    T.UINT: T.BIGINT,
    T.UBIGINT: T.DECIMAL,
}

SCHEMA_STATEMENT = re.compile(
    r"^(CREATE\s+(UNIQUE\s+)?(CLUSTERED\s+|NONCLUSTERED\s+)?INDEX|CREATE\s+TABLE|"
    r"ALTER\s+TABLE)\b",
    re.IGNORECASE,
)
_TEXT_TYPES = (T.ARRAY, T.USERDEFINED, T.JSON, T.JSONB, T.INET, T.UUID)


def translate(text: str, read: str, write: str) -> str:
    """A table statement in another dialect, without what only the source database knows
    (storage engines, character sets and collations, file groups, schema qualifiers)."""
    tree = sqlglot.parse_one(text, read=read)
    if isinstance(tree, exp.Create):
        tree.set("properties", None)
    for node in list(tree.find_all(exp.ColumnConstraint)):
        kind = node.args.get("kind")
        if isinstance(kind, exp.CollateColumnConstraint | exp.CharacterSetColumnConstraint):
            node.pop()
    for on in list(tree.find_all(exp.OnProperty)):
        on.pop()
    for table in tree.find_all(exp.Table):
        table.set("db", None)
        table.set("catalog", None)
    for named in tree.find_all(exp.Constraint):
        # MySQL names constraints per table; PostgreSQL per schema: make them distinct.
        named.set("this", exp.to_identifier(f"{named.name}_{next(_NAMES)}"))
    for index in list(tree.find_all(exp.IndexColumnConstraint)):
        index.pop()  # MySQL's inline KEY / INDEX
    if write == "sqlite":  # types SQLite does not know are stored as text
        for dtype in list(tree.find_all(exp.DataType)):
            if dtype.this in (T.ARRAY, T.USERDEFINED, T.JSON, T.JSONB, T.INET, T.UUID):
                dtype.replace(exp.DataType.build("TEXT"))
        for default in list(tree.find_all(exp.DefaultColumnConstraint)):
            literal = isinstance(default.this, exp.Literal | exp.Boolean | exp.Null | exp.Neg)
            if not literal and isinstance(default.parent, exp.ColumnConstraint):
                default.parent.pop()  # database-computed defaults: rows carry every value anyway
        for ordered in list(tree.find_all(exp.Ordered)):
            ordered.replace(ordered.this)  # index column order and NULLS placement
    for dtype in tree.find_all(exp.DataType):
        if dtype.this in INTEGER_TYPES:
            dtype.set("expressions", [])  # MySQL display widths, INT(11)
            dtype.set("this", UNSIGNED_WIDER.get(dtype.this, dtype.this))
    return tree.sql(write, unsupported_level=ErrorLevel.IGNORE)


def sqlite_statements(text: str, dialect: str) -> list[str]:
    """The script's table and index statements as SQLite runs them."""
    out = []
    for stmt in split_statements(text, dialect):
        if not SCHEMA_STATEMENT.match(stmt.text):
            continue
        if dialect == "sqlite":
            out.append(stmt.text)
        elif re.match(r"^ALTER\s+TABLE", stmt.text, re.IGNORECASE):
            continue  # SQLite cannot add constraints later
        else:
            out.append(translate(stmt.text, dialect, "sqlite"))
    return out


class SqliteTable:
    """One table of a DDL script in a fresh in-memory database; ``insert`` is the check."""

    def __init__(
        self, script: str, dialect: str, entity: Entity, *, keep_rows: bool = True
    ) -> None:
        self.keep_rows = keep_rows
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.execute("PRAGMA foreign_keys = OFF")
        for text in sqlite_statements(script, dialect):
            self.conn.execute(text)
        self.entity = entity
        self.fields = [f.name for f in entity.schema.fields if not f.read_only]
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in self.fields)
        table = '"' + entity.name.replace('"', '""') + '"'
        holders = ", ".join("?" * len(self.fields))
        self.statement = f"INSERT INTO {table} ({quoted}) VALUES ({holders})"

    def insert(self, row: dict[str, Any]) -> str | None:
        """None when the database accepts ``row``, else its error message."""
        unknown = sorted(set(row) - {f.name for f in self.entity.schema.fields})
        if unknown:
            return f"no such column: {', '.join(unknown)}"
        self.conn.execute("SAVEPOINT row")
        try:
            self.conn.execute(self.statement, [self._value(row.get(c), c) for c in self.fields])
        except (sqlite3.Error, ValueError, OverflowError) as exc:
            self.conn.execute("ROLLBACK TO row")
            return f"{type(exc).__name__}: {exc}"
        finally:
            if not self.keep_rows:
                self.conn.execute("ROLLBACK TO row")
            self.conn.execute("RELEASE row")
        return None

    def _value(self, value: Any, column: str) -> Any:
        f = self.entity.schema.field(column)
        if value is None or f is None:
            return value
        if isinstance(value, dict | list):
            return json.dumps(value)
        if f.schema.format == "byte" and isinstance(value, str):
            return base64.b64decode(value)
        return value

    def close(self) -> None:
        self.conn.close()
