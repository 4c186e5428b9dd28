"""Reading a table back from PostgreSQL, as ``check`` reads SQLite tables (``records``).

``read_postgres(target, table, kinds)`` connects with psycopg 3 (the URL parsed by
``sinks.database.parse_database_url``; its password is never shown), finds the table — its
exact name on the search path, then ``schema.table``, then either without regard to case —
and returns every row in the table's scan order, each value in the JSON form the row had
when it was generated (the form ``records.read_sqlite`` gives), with the table's
``schema.name``:

=================================  ==============================================
PostgreSQL                         read back as
=================================  ==============================================
``uuid``, ``inet``, enums, other   text (``str``)
``date``                           ``2025-03-01``
``timestamptz`` / ``timestamp``    ``2025-03-01T12:00:00.123Z`` (UTC — a ``timestamp``
                                   without zone is taken as UTC, as written; milliseconds,
                                   or microseconds when there are any)
``time`` / ``timetz``              ``12:00:00Z`` (UTC; fractions when there are any)
``interval``                       ``P3DT7200S``
``numeric``                        ``int`` when whole (as SQLite's NUMERIC keeps it), else
                                   ``float``
``bytea``                          base64 text
``json`` / ``jsonb``               the JSON value
arrays                             lists, items converted as above
=================================  ==============================================

Text columns holding what SQLite would hold as text (JSON text, an array literal, ``0``/``1``
for a boolean) are typed back by ``records.table_cell``, as for SQLite. A date or time
Python cannot hold (``infinity``, years before 1 or after 9999) is kept as the server's text,
so the validator sees (and rejects) it rather than the read failing.

The session is read-only, in UTC with ISO dates, and scans in table order
(``synchronize_seqscans`` off): a freshly loaded table is read in load order, so a record's
index is its row's position in the dataset's valid rows, as for SQLite.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from persona_gen.errors import UsageError
from persona_gen.runtime.records import TableRows, table_cell

if TYPE_CHECKING:
    from persona_gen.sinks.database import DatabaseTarget

__all__ = ["read_postgres", "server_value"]

_LENIENT_TYPES = ("date", "time", "timetz", "timestamp", "timestamptz", "interval")
_JSON_TYPES = ("json", "jsonb")
_LISTED = 20


def read_postgres(
    target: DatabaseTarget, table: str, kinds: Mapping[str, str], hint: str = ""
) -> TableRows:
    """The rows of ``table`` in the PostgreSQL database ``target`` (read-only), each value
    in its generated JSON form, and the table's ``schema.name``; ``kinds`` are the table's
    column kinds (``tables.Column``); ``hint`` ends the error when the table is not there
    (how to name another).

    A ``UsageError`` (one line, no password) when the server cannot be reached, the table is
    not there or cannot be read."""
    import psycopg

    from persona_gen.sinks.database import connect_postgres, scrub_password

    conn = connect_postgres(target, UsageError, "persona-gen check")
    try:
        conn.read_only = True
        _lenient_loaders(conn)
        for setting in ("TimeZone TO 'UTC'", "DateStyle TO 'ISO'", "synchronize_seqscans TO off"):
            conn.execute(f"SET {setting}")
        schema, name = _find_table(conn, target, table, hint)
        from psycopg import sql

        query = sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
        with conn.cursor() as cur:
            cur.execute(query)
            description = cur.description or []
            header = [d.name for d in description]
            json_oids = _oids(conn, _JSON_TYPES)
            raw = [d.type_code in json_oids for d in description]
            rows = [
                {
                    c: server_value(v) if as_is else table_cell(server_value(v), kinds.get(c))
                    for c, v, as_is in zip(header, row, raw, strict=True)
                }
                for row in cur
            ]
            return TableRows(rows, f"{schema}.{name}")
    except psycopg.Error as exc:
        reason = scrub_password(str(exc).strip() or type(exc).__name__, target)
        raise UsageError(f"{target}: cannot read table '{table}': {reason}") from None
    finally:
        conn.close()


def _find_table(conn: Any, target: DatabaseTarget, table: str, hint: str) -> tuple[str, str]:
    """``(schema, name)`` of ``table``: on the search path, or ``schema.table``; exact
    names first, then without regard to case."""
    rows = conn.execute(
        "SELECT n.nspname, c.relname, pg_catalog.pg_table_is_visible(c.oid)"
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"  # tables, views, foreign tables
        " AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
        " ORDER BY n.nspname, c.relname"
    ).fetchall()
    lowered = table.lower()
    tests: list[Callable[[str, str, bool], bool]] = [
        lambda s, n, v: v and n == table,
        lambda s, n, v: f"{s}.{n}" == table,
        lambda s, n, v: v and n.lower() == lowered,
        lambda s, n, v: f"{s}.{n}".lower() == lowered,
    ]
    for matches in tests:
        found = [(str(s), str(n)) for s, n, v in rows if matches(s, n, v)]
        if found:
            return found[0]
    shown = sorted(n if v else f"{s}.{n}" for s, n, v in rows)
    listed = ", ".join(shown[:_LISTED])
    if len(shown) > _LISTED:
        listed += f", … ({len(shown)} in all)"
    raise UsageError(
        f"{target}: no table '{table}' in the database (tables: {listed or 'none'}){hint}"
    )


def _oids(conn: Any, names: tuple[str, ...]) -> set[int]:
    """The OIDs of the types ``names`` and of their arrays."""
    out: set[int] = set()
    for name in names:
        info = conn.adapters.types.get(name)
        if info is not None:
            out.update(o for o in (info.oid, info.array_oid) if o)
    return out


def _lenient_loaders(conn: Any) -> None:
    """Dates and times Python cannot hold (``infinity``, year 10000) load as their text."""
    import psycopg
    from psycopg import pq
    from psycopg.adapt import Loader

    class Lenient(Loader):
        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            inner = psycopg.adapters.get_loader(oid, pq.Format.TEXT)
            self._inner = inner(oid, context) if inner is not None else None

        def load(self, data: Any) -> Any:
            if self._inner is not None:
                try:
                    return self._inner.load(data)
                except psycopg.DataError:
                    pass
            return bytes(data).decode("utf-8", "replace")

    for name in _LENIENT_TYPES:
        info = conn.adapters.types.get(name)
        if info is not None:
            conn.adapters.register_loader(info.oid, Lenient)


def server_value(value: Any) -> Any:
    """A value psycopg loaded, in the JSON form the generator wrote (see the module table)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec=_spec(value)) + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            offset = value.utcoffset()
            if offset:
                moment = dt.datetime.combine(dt.date(2000, 1, 1), value.replace(tzinfo=None))
                value = (moment - offset).time()
            value = value.replace(tzinfo=None)
        # The generator writes whole seconds (12:00:00Z).
        return value.isoformat(timespec="seconds" if not value.microsecond else _spec(value)) + "Z"
    if isinstance(value, decimal.Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, list | tuple):
        return [server_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): server_value(v) for k, v in value.items()}
    if isinstance(value, dt.timedelta):
        seconds = value.seconds + value.microseconds / 1_000_000
        return f"P{value.days}DT{seconds:g}S"
    return str(value)  # inet, cidr, ranges, …


def _spec(value: dt.datetime | dt.time) -> str:
    return "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
