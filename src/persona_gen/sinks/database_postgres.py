"""A load into PostgreSQL: one transaction of ``COPY`` per table; a rejected row is named
from the server's context (its line of the COPY) or the key its message quotes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from persona_gen.errors import ServiceUnavailable, SinkError
from persona_gen.sinks.database_connect import connect_postgres, scrub_password
from persona_gen.sinks.database_messages import check_columns, find_key, missing_table, rejected
from persona_gen.sinks.database_plan import Part, Where
from persona_gen.sinks.database_report import LoadReport
from persona_gen.sinks.database_url import DatabaseTarget
from persona_gen.sinks.tables import quote_table

__all__ = ["postgres_load"]


def postgres_load(
    target: DatabaseTarget,
    parts: list[Part],
    create_tables: bool,
    report: LoadReport,
    prepare: Callable[[], None],
) -> None:
    import psycopg

    # autocommit: the ``transaction()`` block below is the one real transaction.
    conn = connect_postgres(target, SinkError, "persona-gen", autocommit=True)
    try:
        created: list[str] = []
        loaded: dict[str, int] = {}
        try:
            # Tables and rows: one transaction (PostgreSQL's DDL is transactional).
            with conn.transaction():
                for part in parts:
                    found = conn.execute(
                        "SELECT to_regclass(%s)", (quote_table(part.spec.name),)
                    ).fetchone()
                    if found == (None,):
                        if not create_tables:
                            raise missing_table(target, part.spec.name)
                        _create_schema(conn, part.spec.name)
                        conn.execute(part.create_sql("postgres").encode())
                        created.append(part.spec.name)
                    else:
                        rows = conn.execute(
                            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
                            " AND attnum > 0 AND NOT attisdropped",
                            (quote_table(part.spec.name),),
                        ).fetchall()
                        check_columns(target, part, [name for (name,) in rows])
                prepare()
                for part in parts:
                    loaded[part.spec.name] = _pg_copy(conn, target, part)
        except psycopg.errors.IntegrityError as exc:  # at COMMIT: deferred constraints
            table = exc.diag.table_name  # (without its schema)
            part = next((p for p in parts if _bare(p.spec.name) == table), parts[-1])
            raise rejected(
                target, part, find_key(part, exc.diag.message_detail), _pg_reason(exc)
            ) from None
        for name, n in loaded.items():
            report.tables[name].loaded = n
        report.created = created
        report.committed = True
    except psycopg.OperationalError as exc:  # (rolled back by the server: nothing kept)
        raise ServiceUnavailable(
            f"{target}: lost the connection: {scrub_password(str(exc), target)}"
        ) from None
    except psycopg.Error as exc:  # (the server's own words, without the SQL and its caret)
        raise SinkError(f"{target}: {scrub_password(_pg_reason(exc), target)}") from None
    finally:
        conn.close()


def _bare(name: str) -> str:
    """A table's name without its schema (``app.Tickets``: ``Tickets``)."""
    return name.split(".", 1)[1] if "." in name else name


def _create_schema(conn: Any, table: str) -> None:
    """The schema of a ``schema.table`` about to be created, when it does not exist yet (in
    the load's transaction: rolled back with it)."""
    from psycopg import sql

    if "." not in table:
        return
    schema = table.split(".", 1)[0]
    found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if found is None:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def _pg_reason(exc: Any) -> str:
    diag = exc.diag
    reason = str(diag.message_primary or str(exc).strip())
    if diag.message_detail:
        reason += f" ({diag.message_detail})"
    return " ".join(reason.split())


def _pg_copy(conn: Any, target: DatabaseTarget, part: Part) -> int:
    import psycopg
    from psycopg import sql

    spec = part.spec
    copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*spec.name.split(".", 1)),  # (schema.table: a table of that schema)
        sql.SQL(", ").join(sql.Identifier(c) for c in spec.column_names),
    )
    positions: list[Where] = []
    client_side: Where | None = None  # a row the driver itself could not send
    try:
        with conn.cursor() as cur, cur.copy(copy) as stream:
            for at, row in part.rows:
                positions.append(at)
                client_side = at
                stream.write_row(spec.values(row, "postgres"))
                client_side = None
    except psycopg.OperationalError:
        raise
    except psycopg.Error as exc:
        line = re.search(r"\bline (\d+)", exc.diag.context or "")
        found = client_side
        if line is not None and 0 < int(line.group(1)) <= len(positions):
            found = positions[int(line.group(1)) - 1]
        elif found is None:  # a foreign key is checked after the row: find it by its key
            found = find_key(part, exc.diag.message_detail)
        raise rejected(target, part, found, _pg_reason(exc)) from None
    return len(positions)
