"""Database destinations: load a ``file`` dataset's rows into SQLite or PostgreSQL.

A destination is a URL::

    sqlite:///relative/path.db        sqlite:////absolute/path.db
    postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?OPTION=VALUE&...]

(``postgres://`` works too; the password is better left to ``PGPASSWORD`` or ``~/.pgpass``
and is never printed.) Options: ``table`` (the table name; default: the entity's table) and
``connect`` (seconds to wait for the server, default 5; PostgreSQL only).

What is loaded: the ``file`` generator's rows, one row per record, into the entity's table
(an imported DDL table keeps its name, a built-in entity uses its collection, e.g.
``users``). Only the entity's columns go in: the label columns (``_expected_valid``,
``_violations``, ``_behaviors``) and read-only (generated) columns are left out. Records of
the other generators (api, streaming, load, fault) are envelopes, not table rows: they are
refused with a message saying so (send them to a file or Kafka instead).

Rows labelled ``_expected_valid: false`` were broken on purpose; the schema would reject
them, so they are skipped and counted (``skipped_invalid``) unless ``include_invalid``.

``create_tables`` creates the entity's table, and the tables its foreign keys reference,
from the entity model (``tables.create_table_sql``), in foreign-key order, with ``IF NOT
EXISTS``, committed before the load. Without it the table must already exist.

The load is one transaction: PostgreSQL ``COPY``, SQLite ``executemany``. If the database
rejects any row (or the run is interrupted, or fails), everything is rolled back and a
``SinkError`` names the table, the row (its index in the dataset) and the database's reason.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from persona_gen.errors import SinkError, UsageError
from persona_gen.generators.file import VALID_COLUMN
from persona_gen.sinks.tables import Table, create_table_sql, quote_identifier, table_for

if TYPE_CHECKING:
    from persona_gen.entities.model import Domain, Entity
    from persona_gen.runtime.dataset import Dataset

__all__ = [
    "DATABASE_SCHEMES",
    "DatabaseTarget",
    "LoadReport",
    "dataset_table",
    "load_dataset",
    "parse_database_url",
]

DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
_OPTIONS = ("table", "connect")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$.-]{0,62}")
_BATCH = 1024


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database destination. ``conninfo`` may hold a password: never print it."""

    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None  # sqlite
    conninfo: str = field(default="", repr=False)  # postgresql, as libpq takes it
    display: str = ""  # the URL without its password
    table: str | None = None
    connect_s: float = 5.0

    def __str__(self) -> str:
        return self.display


def parse_database_url(url: str) -> DatabaseTarget:  # noqa: PLR0915 - one check a line
    """``sqlite:///PATH`` or ``postgresql://USER@HOST:PORT/DB`` -> ``DatabaseTarget``;
    a one-line ``UsageError`` (which never repeats a password) when malformed."""
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in DATABASE_SCHEMES:
        raise UsageError(
            "database destination: expected sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UsageError(f"database destination '{_safe(url)}': bad host or port") from None
    where = f"database destination '{_safe(url)}'"
    if parts.fragment:
        raise UsageError(f"{where}: a '#' fragment has no meaning here")
    options = _options(parts.query, where)
    table = options.get("table")
    if table is not None and not _NAME.fullmatch(table):
        raise UsageError(f"{where}: '{table}' is not a table name")
    connect_s = 5.0
    if "connect" in options:
        try:
            connect_s = float(options["connect"])
        except ValueError:
            connect_s = -1.0
        if not 0 < connect_s <= 600:
            raise UsageError(f"{where}: connect must be a number of seconds (0 < s <= 600)")
    if scheme == "sqlite":
        if parts.netloc:
            raise UsageError(f"{where}: write sqlite:///PATH (three slashes), not a host")
        raw = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
        if not raw or raw.endswith("/"):
            raise UsageError(f"{where}: no database file given (sqlite:///PATH/TO/FILE.db)")
        if "connect" in options:
            raise UsageError(f"{where}: 'connect' applies to PostgreSQL only")
        return DatabaseTarget("sqlite", path=Path(raw), display=f"sqlite:///{raw}", table=table)
    host = parts.hostname
    if not host:
        raise UsageError(f"{where}: no host given (postgresql://USER@HOST:PORT/DB)")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or "/" in dbname:
        raise UsageError(f"{where}: name one database (postgresql://USER@HOST:PORT/DB)")
    if port is not None and not 0 < port < 65536:
        raise UsageError(f"{where}: port {port} is out of range")
    params: dict[str, str] = {"host": host, "dbname": dbname}
    if port is not None:
        params["port"] = str(port)
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    conninfo = " ".join(f"{k}={_conn_value(v)}" for k, v in params.items())
    user = f"{unquote(parts.username)}@" if parts.username else ""
    shown_host = f"[{host}]" if ":" in host else host
    display = f"postgresql://{user}{shown_host}{f':{port}' if port else ''}/{dbname}"
    return DatabaseTarget(
        "postgresql", conninfo=conninfo, display=display, table=table, connect_s=connect_s
    )


def _safe(url: str) -> str:
    """The URL with any password masked."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", url)


def _conn_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _options(query: str, where: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise UsageError(f"{where}: cannot read the options '{query}'") from None
    out: dict[str, str] = {}
    for name, value in pairs:
        if name not in _OPTIONS:
            raise UsageError(f"{where}: unknown option '{name}' (options: {', '.join(_OPTIONS)})")
        if name in out:
            raise UsageError(f"{where}: option '{name}' is given twice")
        out[name] = value
    return out


# -- the report -------------------------------------------------------------------------------


@dataclass
class TableCounts:
    offered: int = 0  # rows the dataset produced for the table
    loaded: int = 0  # rows committed
    skipped_invalid: int = 0  # rows labelled _expected_valid: false, left out


@dataclass
class LoadReport:
    """What a database load did; ``to_manifest()`` is the manifest's ``delivery`` section."""

    destination: str
    tables: dict[str, TableCounts] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    committed: bool = False
    error: str | None = None
    seconds: float = 0.0

    def to_manifest(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "tables": {
                name: {
                    "offered": c.offered,
                    "loaded": c.loaded,
                    "skipped_invalid": c.skipped_invalid,
                }
                for name, c in self.tables.items()
            },
            "created_tables": list(self.created),
            "committed": self.committed,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


# -- loading ----------------------------------------------------------------------------------


def dataset_table(dataset: Dataset, table: str | None = None) -> tuple[Table, Entity, Domain]:
    """The table a dataset's rows fit, its entity and domain; a ``UsageError`` for
    generators whose records are not table rows."""
    if dataset.generator != "file":
        raise UsageError(
            f"a database or SQL output takes the 'file' generator's rows (flat table rows); "
            f"'{dataset.generator}' records are nested envelopes: write them as json/jsonl "
            "or send them to Kafka"
        )
    generator: Any = dataset.lanes[0].generator
    entity: Entity = generator.entity
    domain: Domain = generator.ctx.domain
    return table_for(entity, domain, table), entity, domain


def _tables_to_create(domain: Domain, entity: Entity) -> list[Entity]:
    """The entity and every table its foreign keys reach, parents first."""
    from persona_gen.importers.ddl import insert_order

    wanted = {entity.name}
    stack = [entity]
    while stack:
        for fk in stack.pop().foreign_keys:
            parent = domain.entities.get(fk.entity)
            if parent is not None and parent.name not in wanted:
                wanted.add(parent.name)
                stack.append(parent)
    return [domain.entities[n] for n in insert_order(domain) if n in wanted]


def _rows(
    dataset: Dataset,
    counts: TableCounts,
    include_invalid: bool,
    bar: Any,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index in the dataset, row) of every row to load."""
    index = 0
    for block in dataset.blocks():
        for row in block:
            counts.offered += 1
            if include_invalid or row.get(VALID_COLUMN) is not False:
                yield index, row
            else:
                counts.skipped_invalid += 1
            index += 1
        if bar is not None:
            bar.advance(len(block))


def load_dataset(
    dataset: Dataset,
    url: str | DatabaseTarget,
    *,
    create_tables: bool = False,
    table: str | None = None,
    include_invalid: bool = False,
    progress: Callable[[int], Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Load ``dataset`` (a ``file`` dataset) into the database at ``url`` in one transaction;
    returns the run manifest, whose ``delivery`` section is the ``LoadReport``. A
    ``SinkError`` (carrying the report) when the database is unreachable, the table is
    missing, or a row is rejected; then nothing was loaded."""
    from persona_gen.runtime.manifest import manifest

    target = url if isinstance(url, DatabaseTarget) else parse_database_url(url)
    spec, entity, domain = dataset_table(dataset, table or target.table)
    creates = _tables_to_create(domain, entity) if create_tables else []
    report = LoadReport(destination=str(target))
    counts = report.tables.setdefault(spec.name, TableCounts())
    started = time.monotonic()
    bar = progress(dataset.count) if progress is not None and dataset.count >= 50_000 else None
    loader = _sqlite_load if target.kind == "sqlite" else _pg_load
    try:
        loader(target, spec, domain, creates, _rows(dataset, counts, include_invalid, bar), report)
    except SinkError as exc:
        report.error = str(exc)
        exc.report = report
        raise
    finally:
        report.seconds = time.monotonic() - started
        if bar is not None:
            bar.close()
    fmt = "sqlite" if target.kind == "sqlite" else "postgresql"
    doc = manifest(dataset, output=str(target), fmt=fmt, extra=extra)
    doc["delivery"] = report.to_manifest()
    return doc


def _rejected(target: DatabaseTarget, table: str, index: int | None, reason: str) -> SinkError:
    row = f"row {index} of the dataset" if index is not None else "a row"
    return SinkError(
        f"{target}: table '{table}' rejected {row}: {reason}; the load was rolled back, "
        "nothing was kept"
    )


# -- SQLite -----------------------------------------------------------------------------------


def _sqlite_load(
    target: DatabaseTarget,
    spec: Table,
    domain: Domain,
    creates: list[Entity],
    rows: Iterable[tuple[int, dict[str, Any]]],
    report: LoadReport,
) -> None:
    assert target.path is not None
    if not target.path.parent.is_dir():
        raise SinkError(f"{target}: folder '{target.path.parent}' does not exist")
    try:
        conn = sqlite3.connect(target.path, timeout=target.connect_s, isolation_level=None)
    except sqlite3.Error as exc:
        raise SinkError(f"{target}: cannot open the database: {exc}") from None
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if creates:
            conn.execute("BEGIN")
            for ent in creates:
                name = spec.name if ent.name == creates[-1].name else None
                conn.execute(
                    create_table_sql(ent, "sqlite", domain=domain, table=name, if_not_exists=True)
                )
                report.created.append(name or table_for(ent, domain).name)
            conn.execute("COMMIT")
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (spec.name,)
        ).fetchone()
        if found is None:
            raise SinkError(
                f"{target}: table '{spec.name}' does not exist; create it or use --create-tables"
            )
        columns = ", ".join(quote_identifier(c) for c in spec.column_names)
        insert = (
            f"INSERT INTO {quote_identifier(spec.name)} ({columns}) "
            f"VALUES ({', '.join('?' * len(spec.columns))})"
        )
        conn.execute("BEGIN")
        loaded = 0
        try:
            batch: list[tuple[int, list[Any]]] = []
            for index, row in rows:
                batch.append((index, spec.values(row, "sqlite")))
                if len(batch) >= _BATCH:
                    loaded += _sqlite_batch(conn, insert, batch, target, spec.name)
                    batch = []
            if batch:
                loaded += _sqlite_batch(conn, insert, batch, target, spec.name)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        report.tables[spec.name].loaded = loaded
        report.committed = True
    except sqlite3.Error as exc:
        raise SinkError(f"{target}: {exc}") from None
    finally:
        conn.close()


def _sqlite_batch(
    conn: sqlite3.Connection,
    insert: str,
    batch: list[tuple[int, list[Any]]],
    target: DatabaseTarget,
    table: str,
) -> int:
    conn.execute("SAVEPOINT batch")
    try:
        conn.executemany(insert, [values for _, values in batch])
    except sqlite3.Error as exc:
        # Find the row: replay the batch one row at a time.
        conn.execute("ROLLBACK TO batch")
        for index, values in batch:
            try:
                conn.execute(insert, values)
            except sqlite3.Error as row_exc:
                raise _rejected(target, table, index, str(row_exc)) from None
        raise _rejected(target, table, None, str(exc)) from None
    conn.execute("RELEASE batch")
    return len(batch)


# -- PostgreSQL -------------------------------------------------------------------------------


def _pg_load(
    target: DatabaseTarget,
    spec: Table,
    domain: Domain,
    creates: list[Entity],
    rows: Iterable[tuple[int, dict[str, Any]]],
    report: LoadReport,
) -> None:
    try:
        import psycopg
        from psycopg import sql
    except ImportError:  # pragma: no cover - psycopg is installed with persona-gen[postgres]
        raise SinkError(
            "the PostgreSQL destination needs psycopg: pip install 'psycopg[binary]'"
        ) from None
    try:
        conn = psycopg.connect(
            target.conninfo,
            connect_timeout=max(1, round(target.connect_s)),
            application_name="persona-gen",
            autocommit=True,  # each ``transaction()`` block below is a real transaction
        )
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SinkError(f"cannot reach PostgreSQL at {target}: {_scrub(reason, target)}") from None
    try:
        if creates:
            with conn.transaction():
                for ent in creates:
                    name = spec.name if ent.name == creates[-1].name else None
                    conn.execute(
                        create_table_sql(
                            ent, "postgres", domain=domain, table=name, if_not_exists=True
                        ).encode()
                    )
                    report.created.append(name or table_for(ent, domain).name)
        if conn.execute("SELECT to_regclass(%s)", (quote_identifier(spec.name),)).fetchone() == (
            None,
        ):
            raise SinkError(
                f"{target}: table '{spec.name}' does not exist; create it or use --create-tables"
            )
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(spec.name),
            sql.SQL(", ").join(sql.Identifier(c) for c in spec.column_names),
        )
        positions: list[int] = []
        client_side: int | None = None  # a row the driver itself could not send
        try:
            with conn.transaction(), conn.cursor() as cur, cur.copy(copy) as stream:
                for index, row in rows:
                    positions.append(index)
                    client_side = index
                    stream.write_row(spec.values(row, "postgres"))
                    client_side = None
            # COPY ends before the commit; deferred checks (foreign keys) fire at commit.
        except psycopg.Error as exc:
            diag = exc.diag
            line = re.search(r"\bline (\d+)", diag.context or "")
            at = client_side
            if line is not None and 0 < int(line.group(1)) <= len(positions):
                at = positions[int(line.group(1)) - 1]
            reason = diag.message_primary or str(exc).strip()
            if diag.message_detail:
                reason += f" ({diag.message_detail})"
            raise _rejected(target, spec.name, at, reason) from None
        report.tables[spec.name].loaded = len(positions)
        report.committed = True
    except psycopg.OperationalError as exc:
        raise SinkError(f"{target}: lost the connection: {_scrub(str(exc), target)}") from None
    except psycopg.Error as exc:
        raise SinkError(f"{target}: {_scrub(str(exc).strip(), target)}") from None
    finally:
        conn.close()


def _scrub(text: str, target: DatabaseTarget) -> str:
    """Remove a password from a driver message (libpq does not echo it, but be sure)."""
    match = re.search(r"password='((?:[^'\\]|\\.)*)'", target.conninfo)
    if match:
        secret = match.group(1).replace("\\'", "'").replace("\\\\", "\\")
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())
