"""Loading rows into an in-memory SQLite built from a DDL script: the DDL format's validator.

SQLite checks what the script declares on every INSERT: NOT NULL, CHECK, UNIQUE/PRIMARY KEY
(and enums written as CHECKs), and, for a script of another database, a NULL in a PRIMARY KEY
column or a SERIAL or identity one, which SQLite alone takes (see ``SqliteTable.null_keys``).
Types SQLite does not know are stored as text; a script in another dialect is translated
with sqlglot, without what only its own database knows (engines, collations, schema
qualifiers). Foreign keys are off: a checked file holds one
table's rows, not its parents'. PostgreSQL's regular-expression matches (``~``, ``~*``,
``!~``, ``!~*``) are Python regular-expression searches, as the import reads them.

A statement SQLite cannot run (or sqlglot cannot translate) is skipped with a warning; a
``CREATE TABLE`` that fails is built again without the constraints that fail on their own
(``SIMILAR TO``, a key naming no column), each named in a warning. A table that cannot be
built at all is a ``TableError``.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from persona_gen._moments import written_text
from persona_gen.entities.model import Entity
from persona_gen.importers.ddl import (
    DATETIMES,
    NAIVE_DATETIMES,
    Statement,
    literal_value,
    split_statements,
)

__all__ = ["SCHEMA_STATEMENT", "SqliteTable", "TableError", "sqlite_statements", "translate"]

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
_PART = r'(?:"[^"]*"|`[^`]*`|\[[^\]]*\]|[^\s.(`"\[]+)'
# The name a CREATE TABLE gives (the last part of schema.table, unquoted).
_CREATED = re.compile(
    rf"^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:{_PART}\s*\.\s*)*({_PART})", re.IGNORECASE
)


def translate(text: str, read: str, write: str) -> str:
    """A table statement in another dialect, without what only the source database knows
    (storage engines, character sets and collations, file groups, schema qualifiers)."""
    if read == "postgres":  # (sqlglot reads a table WITHOUT OIDS as an opaque command)
        text = re.sub(r"\)\s*WITHOUT\s+OIDS\s*$", ")", text, flags=re.IGNORECASE)
    return _translate_tree(sqlglot.parse_one(text, read=read), write)


def _translate_tree(tree: exp.Expr, write: str) -> str:
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
    for introduced in list(tree.find_all(exp.Introducer)):
        introduced.replace(introduced.expression)  # MySQL's _utf8mb4'a': the string 'a'
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
        for created in tree.find_all(exp.Index):
            if created.this is None:  # PostgreSQL's CREATE INDEX ON t (…) names it itself
                created.set("this", exp.to_identifier(f"index_{next(_NAMES)}"))
        for params in tree.find_all(exp.IndexParameters):
            params.set("using", None)  # USING btree
    if write == "sqlite" and isinstance(tree, exp.Create):
        _date_times_as_written(tree)
    for dtype in tree.find_all(exp.DataType):
        if dtype.this in INTEGER_TYPES:
            dtype.set("expressions", [])  # MySQL display widths, INT(11)
            dtype.set("this", UNSIGNED_WIDER.get(dtype.this, dtype.this))
    return tree.sql(write, unsupported_level=ErrorLevel.IGNORE)


def _date_times_as_written(tree: exp.Create) -> None:
    """Each literal a CHECK compares a date-time column with, as persona-gen writes
    date-times (``_moments.written_text``). SQLite holds them as text and compares text:
    ``'2024-06-01T12:00:00.000Z' < '2024-06-01 18:00:00'`` is false (``T`` sorts after the
    space), and a ``TIMESTAMPTZ '…'`` cast becomes the number 2024 there; as one text, both
    sides sort as their instants do, as the script's own database compares them."""
    naive: dict[str, bool] = {}
    for cdef in tree.find_all(exp.ColumnDef):
        kind = cdef.args.get("kind")
        if isinstance(kind, exp.DataType) and kind.this in DATETIMES:
            naive[cdef.name.lower()] = kind.this in NAIVE_DATETIMES
    if not naive:
        return
    comparisons = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.EQ, exp.NEQ, exp.Between, exp.In)
    for node in list(tree.find_all(*comparisons)):
        ahead = [node.args.get(k) for k in ("expression", "low", "high")]
        ahead += node.expressions if isinstance(node, exp.In) else []
        # (the column on the left, or on the right: '2024-01-01' <= t)
        for near, others in ((node.this, ahead), (node.args.get("expression"), [node.this])):
            side = near
            while isinstance(side, exp.Paren | exp.Cast):
                side = side.this
            if isinstance(side, exp.Column) and side.name.lower() in naive:
                for other in others:
                    text = literal_value(other)
                    if isinstance(other, exp.Expression) and isinstance(text, str):
                        written = written_text(text, naive=naive[side.name.lower()])
                        other.replace(exp.Literal.string(written))
                break


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


class TableError(ValueError):
    """The entity's table cannot be built in SQLite from the script."""


@functools.lru_cache(maxsize=256)
def _regex(pattern: str, flags: int) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return None


def _connect(unusable: Callable[[str], None]) -> sqlite3.Connection:
    """An in-memory database whose REGEXP (PostgreSQL's ``~``, ``!~``) and REGEXP_I_LIKE
    (``~*``) search with Python regular expressions; a pattern that is not one matches
    anything, and is passed to ``unusable``."""

    def search(value: Any, pattern: Any, flags: int) -> bool | None:
        if value is None or pattern is None or isinstance(value, bytes):
            return None
        compiled = _regex(str(pattern), flags)
        if compiled is None:
            unusable(str(pattern))
            return None
        return compiled.search(str(value)) is not None

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.create_function("REGEXP", 2, lambda p, v: search(v, p, 0), deterministic=True)
    conn.create_function(
        "REGEXP_I_LIKE", 2, lambda v, p: search(v, p, re.IGNORECASE), deterministic=True
    )
    return conn


def _column_defs(statements: list[Statement], dialect: str, table: str) -> list[exp.ColumnDef]:
    """The column definitions of ``table``'s last ``CREATE TABLE`` in the script."""
    found: list[exp.ColumnDef] = []
    for stmt in statements:
        if not re.match(r"^CREATE\s+TABLE\b", stmt.text, re.IGNORECASE):
            continue
        try:
            tree = sqlglot.parse_one(stmt.text, read=dialect)
        except Exception:  # (as in SqliteTable._run: it was skipped with a warning there)
            continue
        schema = tree.this if isinstance(tree, exp.Create) else None
        if not isinstance(schema, exp.Schema) or not isinstance(schema.this, exp.Table):
            continue
        if schema.this.name.lower() != table.lower():
            continue
        found = [col for col in schema.expressions if isinstance(col, exp.ColumnDef)]
    return found


def _auto_increment(statements: list[Statement], dialect: str, table: str) -> set[str]:
    """The (lower-case) columns of ``table`` a MySQL script declares ``AUTO_INCREMENT``, in
    its last declaration; none for another dialect."""
    if dialect != "mysql":
        return set()
    return {
        col.name.lower()
        for col in _column_defs(statements, dialect, table)
        if col.find(exp.AutoIncrementColumnConstraint)
    }


_SERIALS = frozenset(
    {exp.DataType.Type.SMALLSERIAL, exp.DataType.Type.SERIAL, exp.DataType.Type.BIGSERIAL}
)


def _serial_or_identity(statements: list[Statement], dialect: str, table: str) -> set[str]:
    """The (lower-case) columns of ``table`` that are SERIAL or identity columns: NOT NULL
    in PostgreSQL (and identity in SQL Server and the standard), which the table SQLite
    builds from the script does not say (``bigserial`` and ``GENERATED … AS IDENTITY``
    become plain integers there)."""
    found: set[str] = set()
    if dialect == "mysql":  # (SERIAL is AUTO_INCREMENT there: NULL takes the next number)
        return found
    for col in _column_defs(statements, dialect, table):
        kind = col.args.get("kind")
        identity = any(
            c.args.get("expression") is None
            for c in col.find_all(exp.GeneratedAsIdentityColumnConstraint)
        )
        if identity or (isinstance(kind, exp.DataType) and kind.this in _SERIALS):
            found.add(col.name.lower())
    return found


def _why(exc: Exception) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return text if isinstance(exc, sqlite3.Error) and text else f"{type(exc).__name__}: {text}"


def _head(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


class SqliteTable:
    """One table of a DDL script in a fresh in-memory database; ``insert`` is the check.

    ``warnings`` names the statements and constraints that were skipped."""

    def __init__(
        self, script: str, dialect: str, entity: Entity, *, keep_rows: bool = True
    ) -> None:
        self.keep_rows = keep_rows
        self.dialect = dialect
        self.warnings: list[str] = []
        self.conn = _connect(self._unusable_pattern)
        try:
            statements = split_statements(script, dialect)
        except ValueError as exc:  # (an unterminated string or comment)
            raise TableError(f"the script cannot be read: {exc}") from None
        created: list[str] = []
        for stmt in statements:
            if not SCHEMA_STATEMENT.match(stmt.text):
                continue
            if dialect != "sqlite" and re.match(r"^ALTER\s+TABLE", stmt.text, re.IGNORECASE):
                continue  # SQLite cannot add constraints later
            if (made := _CREATED.match(stmt.text)) is not None:
                created.append(made.group(1).strip('"`[]'))
            self._run(stmt.text, stmt.line)
        found = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
            (entity.name,),
        ).fetchone()
        if found is None:
            self.conn.close()
            if entity.name.lower() not in {name.lower() for name in created}:
                tables = ", ".join(dict.fromkeys(created)) or "none"
                raise TableError(f"the script has no table {entity.name} (its tables: {tables})")
            why = f" ({'; '.join(self.warnings)})" if self.warnings else ""
            raise TableError(f"table {entity.name} cannot be built in SQLite{why}")
        self.entity = entity
        self.fields = [f.name for f in entity.schema.fields if not f.read_only]
        self.null_keys = self._null_keys(statements)
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in self.fields)
        table = '"' + entity.name.replace('"', '""') + '"'
        holders = ", ".join("?" * len(self.fields))
        self.statement = f"INSERT INTO {table} ({quoted}) VALUES ({holders})"

    def insert(self, row: dict[str, Any]) -> str | None:
        """None when the database accepts ``row``, else its error message."""
        unknown = sorted(set(row) - {f.name for f in self.entity.schema.fields})
        if unknown:
            return f"no such column: {', '.join(unknown)}"
        for c in self.null_keys:
            if row.get(c) is None:  # (a column the row lacks is NULL too: see null_keys)
                return (
                    f"NOT NULL constraint failed: {self.entity.name}.{c} "
                    f"({self._null_kind(c)}: only SQLite takes NULL there)"
                )
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

    def _null_keys(self, statements: list[Statement]) -> tuple[str, ...]:
        """The PRIMARY KEY columns a row must not leave NULL, which SQLite cannot tell, and
        the SERIAL and identity columns (NOT NULL in PostgreSQL, whatever their sequence).

        SQLite takes NULL in a PRIMARY KEY column (in an INTEGER one it stands for the next
        rowid; in any other it is kept, a historical quirk its documentation owns to), and
        a script in SQLite's dialect is checked as SQLite is: none. PostgreSQL, MySQL, SQL
        Server and the SQL standard refuse it, whatever the column's DEFAULT, SERIAL or
        IDENTITY: a column a row lacks counts as NULL, as in the rest of the check, because
        the sinks write every column (``NULL`` for an absent one) and a default fills only
        a column an INSERT leaves out. MySQL alone takes NULL in an ``AUTO_INCREMENT``
        column and fills in the next number: those are left out. Keys are read from the
        table SQLite built (inline, table constraint, composite) and from the entity (a key
        SQLite could not build, such as one added by ``ALTER TABLE``); generated
        (read-only) columns are not inserted, so not checked.
        """
        self._serials: set[str] = set()
        if self.dialect == "sqlite":
            return ()
        table = '"' + self.entity.name.replace('"', '""') + '"'
        info = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
        built = [name for _, name, _, _, _, pk in sorted(info, key=lambda r: r[5]) if pk]
        keys = {k.lower(): k for k in (*built, *self.entity.primary_key)}
        self._serials = _serial_or_identity(statements, self.dialect, self.entity.name)
        keys.update((k, k) for k in self._serials - set(keys))
        filled = _auto_increment(statements, self.dialect, self.entity.name)
        return tuple(f for f in self.fields if f.lower() in keys and f.lower() not in filled)

    def _null_kind(self, column: str) -> str:
        if column.lower() in self._serials and column not in self.entity.primary_key:
            return "a SERIAL or identity column, NOT NULL"
        return "a PRIMARY KEY column"

    def _unusable_pattern(self, pattern: str) -> None:
        note = f"pattern {pattern!r} is not a Python regular expression: not enforced"
        if note not in self.warnings:
            self.warnings.append(note)

    def _run(self, text: str, line: int) -> None:
        """Run one statement of the script; skip it (with a warning) when SQLite cannot."""
        try:
            sql = text if self.dialect == "sqlite" else translate(text, self.dialect, "sqlite")
            self._execute(sql, line)
            return
        except Exception as exc:  # (sqlglot fails in many ways on what it cannot translate)
            error = exc
        if re.match(r"^CREATE\s+TABLE\b", text, re.IGNORECASE) and self._create_without(
            text, line, error
        ):
            return
        self.warnings.append(f"line {line}: skipped {_head(text)}: {_why(error)}")

    def _execute(self, sql: str, line: int) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.OperationalError as exc:
            again = re.match(r"^table (.+) already exists$", str(exc))
            if again is None:
                raise
            name = again.group(1).strip('"`[]')
            self.conn.execute('DROP TABLE "' + name.replace('"', '""') + '"')
            self.conn.execute(sql)
            self.warnings.append(
                f"line {line}: table {name} is declared again: the later declaration is used"
            )

    def _create_without(self, text: str, line: int, error: Exception) -> bool:
        """Create the table without the constraints that SQLite cannot create on their own;
        False when even its bare columns cannot be created."""
        try:
            tree = sqlglot.parse_one(text, read=self.dialect)
        except Exception:  # (as in _run)
            return False

        def parts(t: exp.Expr) -> list[exp.Expr]:
            schema = t.this if isinstance(t, exp.Create) else None
            if not isinstance(schema, exp.Schema):
                return []
            columns = [e for e in schema.expressions if isinstance(e, exp.ColumnDef)]
            return [e for e in schema.expressions if not isinstance(e, exp.ColumnDef)] + [
                c for col in columns for c in col.args.get("constraints") or []
            ]

        candidates = parts(tree)

        def attempt(keep: set[int]) -> str | Exception:
            """The table's SQLite statement with only the parts ``keep``, or why it fails."""
            copy = tree.copy()
            for k, part in enumerate(parts(copy)):
                if k not in keep:
                    part.pop()
            scratch = _connect(lambda _: None)
            try:
                sql = _translate_tree(copy, "sqlite")
                scratch.execute(sql)
            except Exception as exc:  # (as in _run)
                return exc
            finally:
                scratch.close()
            return sql

        if not candidates or not isinstance(attempt(set()), str):
            return False
        alone = [attempt({k}) for k in range(len(candidates))]
        kept = {k for k, result in enumerate(alone) if isinstance(result, str)}
        sql = attempt(kept)
        if not isinstance(sql, str):  # (parts that fail only together: keep none)
            kept, sql = set(), attempt(set())
        try:
            self._execute(str(sql), line)
        except Exception:  # (as in _run)
            return False
        for k, part in enumerate(candidates):
            if k not in kept:
                shown = _head(part.sql(self.dialect, unsupported_level=ErrorLevel.IGNORE))
                result = alone[k]
                why = _why(result) if isinstance(result, Exception) else _why(error)
                self.warnings.append(
                    f"line {line}: {shown} is not enforced (SQLite cannot run it: {why})"
                )
        return True

    def _value(self, value: Any, column: str) -> Any:
        f = self.entity.schema.field(column)
        if value is None or f is None:
            return value
        if isinstance(value, dict | list):
            return json.dumps(value)
        if f.schema.format == "byte" and isinstance(value, str):
            return base64.b64decode(value)
        if f.schema.format == "date-time" and isinstance(value, str):
            return written_text(value)  # (as the CHECKs' literals are: _date_times_as_written)
        return value

    def close(self) -> None:
        self.conn.close()
