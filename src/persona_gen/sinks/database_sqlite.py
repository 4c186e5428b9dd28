"""A load into SQLite: one transaction of ``executemany`` batches; a rejected batch is
replayed row by row to name the row."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from persona_gen.errors import SinkError
from persona_gen.sinks.database_messages import check_columns, missing_table, rejected
from persona_gen.sinks.database_plan import Part, Where
from persona_gen.sinks.database_report import LoadReport
from persona_gen.sinks.database_url import DatabaseTarget
from persona_gen.sinks.tables import Table, quote_identifier

__all__ = ["sqlite_load"]

_BATCH = 1024


def sqlite_load(
    target: DatabaseTarget,
    parts: list[Part],
    create_tables: bool,
    report: LoadReport,
    prepare: Callable[[], None],
) -> None:
    assert target.path is not None
    new_file = not target.path.exists()
    if new_file and not create_tables:
        # sqlite3 would create an empty file: say what is missing instead.
        raise SinkError(f"{target}: no database at '{target.path}'; use --create-tables")
    if not target.path.parent.is_dir():
        # As for -o: a new database's missing folders are made (and its manifest goes there).
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            folder = target.path.parent
            raise SinkError(f"{target}: cannot create folder '{folder}': {reason}") from None
    try:
        conn = sqlite3.connect(target.path, timeout=target.connect_s, isolation_level=None)
    except sqlite3.Error as exc:
        raise SinkError(f"{target}: cannot open the database: {exc}") from None
    try:
        _sqlite_transaction(conn, target, parts, create_tables, report, prepare)
    except BaseException:
        conn.close()
        if new_file:  # a failed first load leaves no empty database behind, nor its journal
            for suffix in ("", "-journal", "-wal", "-shm"):
                target.path.with_name(target.path.name + suffix).unlink(missing_ok=True)
        raise
    conn.close()


def _sqlite_transaction(
    conn: sqlite3.Connection,
    target: DatabaseTarget,
    parts: list[Part],
    create_tables: bool,
    report: LoadReport,
    prepare: Callable[[], None],
) -> None:
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")  # tables and rows: one transaction (SQLite's DDL is transactional)
        created: list[str] = []
        loaded: dict[str, int] = {}
        try:
            for part in parts:
                found = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                    (part.spec.name,),
                ).fetchone()
                if found is None:
                    if not create_tables:
                        raise missing_table(target, part.spec.name)
                    conn.execute(part.create_sql("sqlite"))
                    created.append(part.spec.name)
                else:
                    quoted = quote_identifier(part.spec.name)
                    has = [row[1] for row in conn.execute(f"PRAGMA table_info({quoted})")]
                    check_columns(target, part, has)
            prepare()
            for part in parts:
                loaded[part.spec.name] = _sqlite_insert(conn, target, part)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        for name, n in loaded.items():
            report.tables[name].loaded = n
        report.created = created
        report.committed = True
    except sqlite3.Error as exc:
        raise SinkError(f"{target}: {exc}") from None


def _sqlite_insert(conn: sqlite3.Connection, target: DatabaseTarget, part: Part) -> int:
    spec = part.spec
    columns = ", ".join(quote_identifier(c) for c in spec.column_names)
    insert = (
        f"INSERT INTO {quote_identifier(spec.name)} ({columns}) "
        f"VALUES ({', '.join('?' * len(spec.columns))})"
    )
    loaded = 0
    batch: list[tuple[Where, list[Any]]] = []
    for at, row in part.rows:
        batch.append((at, spec.values(row, "sqlite")))
        if len(batch) >= _BATCH:
            loaded += _sqlite_batch(conn, insert, batch, target, part)
            batch = []
    if batch:
        loaded += _sqlite_batch(conn, insert, batch, target, part)
    return loaded


def _sqlite_batch(
    conn: sqlite3.Connection,
    insert: str,
    batch: list[tuple[Where, list[Any]]],
    target: DatabaseTarget,
    part: Part,
) -> int:
    conn.execute("SAVEPOINT batch")
    try:
        conn.executemany(insert, [values for _, values in batch])
    except (sqlite3.Error, OverflowError) as exc:
        if not conn.in_transaction:
            # SQLite ended the transaction itself (a full disk, an I/O error): no row is to
            # blame, and the savepoint went with it. Say SQLite's own reason.
            raise
        # Find the row: replay the batch one row at a time.
        conn.execute("ROLLBACK TO batch")
        for at, values in batch:
            try:
                conn.execute(insert, values)
            except OverflowError:
                # (the driver's own message names neither the column nor the value)
                raise rejected(target, part, at, _too_large(part.spec, values)) from None
            except sqlite3.Error as row_exc:
                reason = str(row_exc)
                if "FOREIGN KEY" in reason:
                    named = dict(zip(part.spec.column_names, values, strict=True))
                    reason += _sqlite_missing_parent(conn, part.spec.name, named)
                raise rejected(target, part, at, reason) from None
        raise rejected(target, part, None, str(exc)) from None
    conn.execute("RELEASE batch")
    return len(batch)


_SQLITE_INT = (-(2**63), 2**63 - 1)


def _too_large(spec: Table, values: list[Any]) -> str:
    """Why the driver refused a row with ``OverflowError``: an integer SQLite cannot store."""
    for name, value in zip(spec.column_names, values, strict=True):
        if isinstance(value, int) and not _SQLITE_INT[0] <= value <= _SQLITE_INT[1]:
            return (
                f"column {name}: {value} does not fit an SQLite integer "
                "(signed 64-bit, -9223372036854775808 to 9223372036854775807)"
            )
    return "a value is too large for SQLite"


def _sqlite_missing_parent(conn: sqlite3.Connection, table: str, values: dict[str, Any]) -> str:
    """SQLite says only "FOREIGN KEY constraint failed": name the key and the parent table
    (from the table's own foreign keys, as the database has them)."""
    keys: dict[int, list[tuple[str, str, str | None]]] = {}
    for fk_id, _seq, parent, column, ref, *_ in conn.execute(
        f"PRAGMA foreign_key_list({quote_identifier(table)})"
    ):
        keys.setdefault(fk_id, []).append((parent, column, ref))
    for pairs in keys.values():
        parent = pairs[0][0]
        refs = [r for _, _, r in pairs]
        if None in refs:  # REFERENCES parent: its primary key
            info = conn.execute(f"PRAGMA table_info({quote_identifier(parent)})").fetchall()
            refs = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        key = [values.get(c) for _, c, _ in pairs]
        if None in key or len(refs) != len(key):
            continue  # a NULL in the key is not checked
        where = " AND ".join(f"{quote_identifier(str(r))} = ?" for r in refs)
        try:
            found = conn.execute(
                f"SELECT 1 FROM {quote_identifier(parent)} WHERE {where} LIMIT 1", key
            ).fetchone()
        except sqlite3.Error:
            continue
        if found is None:
            columns = ", ".join(c for _, c, _ in pairs)
            shown = ", ".join(map(str, key))
            return f" (key ({columns})=({shown}) is not present in table '{parent}')"
    return ""
