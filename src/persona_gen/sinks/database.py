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

Rows a behaviour broke on purpose are skipped and counted (``skipped_invalid``) unless
``include_invalid``: those invalid as the table is given them (``sinks.written``), which
is their ``_expected_valid`` label less the breaks in columns not loaded (read-only ones)
and, in PostgreSQL, the breaks a dropped NUL undoes — the rows the ``sql`` format writes
without an ``expected invalid`` comment are the rows a load keeps.

``create_tables`` creates the tables the load needs from the entity model
(``tables.create_table_sql``), in foreign-key order, inside the load's transaction: a failed
load leaves no table behind. Without it every table must already exist.

Foreign keys: a table's parents are loaded first, in the same transaction. Tables no dataset
of the load fills get generated parent rows (as many as the largest table referencing them;
the personas, seed and reference time of the dataset they serve), and ``link_foreign_keys``
draws each child's foreign-key values from the keys of the parent rows actually loaded
(deterministic from the seed). Several datasets going to one database (``LoadGroup``, planned
by ``generate``) are loaded together: a child references the rows of the dataset that fills
its parent table. Rows already in the database are never read.

The load is one transaction: PostgreSQL ``COPY``, SQLite ``executemany``. If the database
rejects any row (or the run is interrupted, or fails), everything is rolled back and a
``SinkError`` names the table, the row (its index in its dataset) and the database's reason.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from persona_gen.errors import PersonaGenError, SinkError, UsageError
from persona_gen.sinks import masked_url
from persona_gen.sinks.tables import (
    Table,
    create_table_sql,
    quote_identifier,
    quote_table,
    table_for,
)
from persona_gen.sinks.written import WrittenLabels

if TYPE_CHECKING:
    from persona_gen.entities.model import Domain, Entity
    from persona_gen.runtime.dataset import Dataset

__all__ = [
    "DATABASE_SCHEMES",
    "DatabaseTarget",
    "LoadGroup",
    "LoadReport",
    "dataset_table",
    "load_dataset",
    "load_datasets",
    "parse_database_url",
    "same_database",
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
    host: str = ""  # postgresql: the server's host, and its port when the URL gives one
    port: int | None = None

    def __str__(self) -> str:
        return self.display

    def server_port(self) -> int:
        """A PostgreSQL server's port: the URL's, else as libpq picks it (``PGPORT``, 5432)."""
        given = os.environ.get("PGPORT", "").strip()
        return self.port or (int(given) if given.isdigit() else 5432)

    def address(self) -> str:
        """``HOST:PORT`` of a PostgreSQL server, as messages show it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.server_port()}"


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
        raise UsageError(f"database destination '{masked_url(url)}': bad host or port") from None
    where = f"database destination '{masked_url(url)}'"
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
        if "\x00" in raw:
            raise UsageError(f"{where}: a file path cannot hold a NUL character (%00)")
        if raw == ":memory:":  # (SQLite's name of a database gone when the run ends)
            raise UsageError(
                f"{where}: an in-memory database ends with the run; give a file "
                "(sqlite:///PATH/TO/FILE.db)"
            )
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
        "postgresql",
        conninfo=conninfo,
        display=display,
        table=table,
        connect_s=connect_s,
        host=host,
        port=port,
    )


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
    offered: int = 0  # rows the dataset(s) produced for the table
    loaded: int = 0  # rows committed
    skipped_invalid: int = 0  # rows labelled _expected_valid: false, left out
    unlinked: int = 0  # rows left out: no loaded parent row could take their foreign key
    generated_for: list[str] = field(default_factory=list)  # parent rows made for these tables

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "offered": self.offered,
            "loaded": self.loaded,
            "skipped_invalid": self.skipped_invalid,
            "unlinked": self.unlinked,
        }
        if self.generated_for:
            out["generated_for"] = list(self.generated_for)
        return out


@dataclass
class LoadReport:
    """What a database load did; ``to_manifest()`` is the manifest's ``delivery`` section."""

    destination: str
    tables: dict[str, TableCounts] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    committed: bool = False
    error: str | None = None
    seconds: float = 0.0
    datasets: list[str] = field(default_factory=list)  # datasets loaded in this transaction

    def to_manifest(self, tables: Iterable[str] | None = None) -> dict[str, Any]:
        """The delivery section; ``tables`` limits it to those tables (one dataset's share
        of a load of several)."""
        shown = list(self.tables) if tables is None else [t for t in tables if t in self.tables]
        out: dict[str, Any] = {
            "destination": self.destination,
            "tables": {name: self.tables[name].to_manifest() for name in shown},
            "created_tables": [t for t in self.created if t in shown],
            "committed": self.committed,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }
        if len(self.datasets) > 1:
            out["transaction"] = {"datasets": list(self.datasets), "tables": list(self.tables)}
        return out


# -- what a load holds ------------------------------------------------------------------------


_ORIGIN = "\x00origin"  # a row's (source, index) while foreign keys are linked; never a column

Where = tuple[int, int]  # (source within the table, row index within that source's dataset)


def dataset_table(dataset: Dataset, table: str | None = None) -> tuple[Table, Entity, Domain]:
    """The table a dataset's rows fit, its entity and domain; a ``UsageError`` for
    generators whose records are not table rows."""
    if dataset.generator != "file":
        # (load rows are flat, but a schedule of requests, not rows of the entity's table)
        what = (
            "a schedule of requests, not rows of a table"
            if dataset.generator == "load"
            else "nested envelopes"
        )
        raise UsageError(
            f"a database or SQL output takes the 'file' generator's rows (flat table rows); "
            f"'{dataset.generator}' records are {what}: write them as json/jsonl "
            "or send them to Kafka"
        )
    generator: Any = dataset.lanes[0].generator
    entity: Entity = generator.entity
    domain: Domain = generator.ctx.domain
    return table_for(entity, domain, table), entity, domain


@dataclass(eq=False)
class _Source:
    """One dataset's rows for a table."""

    dataset: Dataset
    label: str  # how an error names these rows: "the dataset", "dataset 'orders'"...


@dataclass(eq=False)
class _Part:
    """One table of a load: its entity and table, and the datasets whose rows go in."""

    entity: Entity
    domain: Domain
    spec: Table
    sources: list[_Source]
    member: str  # the dataset it belongs to (its own, or the one its generated parents serve)
    names: dict[str, str] = field(default_factory=dict)  # entity -> table, for REFERENCES
    generated_for: list[str] = field(default_factory=list)
    rows: Iterable[tuple[Where, dict[str, Any]]] = ()
    linked: list[tuple[Where, dict[str, Any]]] | None = None  # when rows were linked
    together: list[str] = field(default_factory=list)  # every table of the load

    def create_sql(self, dialect: str) -> str:
        return create_table_sql(
            self.entity,
            dialect,
            domain=self.domain,
            table=self.spec.name,
            if_not_exists=True,
            names=self.names,
        )

    def references(self, parent: _Part) -> bool:
        return self is not parent and any(
            fk.entity == parent.entity.name for fk in self.entity.foreign_keys
        )

    def where(self, at: Where | None) -> str:
        if at is None:
            return "a row"
        return f"row {at[1]} of {self.sources[at[0]].label}"


def _plan(members: list[tuple[str, Dataset, str | None]]) -> list[_Part]:
    """The tables of a load, parents first: the members' tables, and a table of generated
    parent rows for every table their foreign keys reach that no member fills."""
    from persona_gen.importers.ddl import insert_order

    domains: list[Domain] = []

    def domain_index(domain: Domain) -> int:
        for i, known in enumerate(domains):
            if known is domain or known == domain:
                return i
        domains.append(domain)
        return len(domains) - 1

    parts: dict[str, _Part] = {}
    by_entity: dict[tuple[int, str], _Part] = {}
    single = len(members) == 1
    for name, ds, table in members:
        spec, entity, domain = dataset_table(ds, table)
        d = domain_index(domain)
        source = _Source(ds, "the dataset" if single else f"dataset '{name}'")
        part = parts.get(spec.name)
        if part is not None and (part.entity.name, domain_index(part.domain)) == (entity.name, d):
            part.sources.append(source)  # two datasets of one table: rows of both go in
            continue
        if part is not None or (d, entity.name) in by_entity:
            raise UsageError(
                f"dataset '{name}': its entity '{entity.name}' and table '{spec.name}' clash "
                "with another dataset of the same load; give each entity one table"
            )
        part = _Part(entity, domain, spec, [source], name)
        parts[spec.name] = part
        by_entity[(d, entity.name)] = part
    for part in list(parts.values()):  # the members' tables: add the parents they reach
        d = domain_index(part.domain)
        stack = [part.entity]
        while stack:
            for fk in stack.pop().foreign_keys:
                parent = part.domain.entities.get(fk.entity)
                if parent is None or (d, parent.name) in by_entity:
                    continue
                spec = table_for(parent, part.domain)
                if spec.name in parts:
                    raise UsageError(
                        f"table '{spec.name}' would hold both another dataset's rows and "
                        f"the parent rows of '{part.spec.name}'; give the dataset its own table"
                    )
                made = _Part(parent, part.domain, spec, [], part.member)
                parts[spec.name] = made
                by_entity[(d, parent.name)] = made
                stack.append(parent)
    orders = [insert_order(domain) for domain in domains]
    ordered = sorted(
        parts.values(),
        key=lambda p: (domain_index(p.domain), orders[domain_index(p.domain)].index(p.entity.name)),
    )
    for part in ordered:  # REFERENCES name the tables of this load (a table may be renamed)
        d = domain_index(part.domain)
        part.names = {e: p.spec.name for (i, e), p in by_entity.items() if i == d}
        part.spec = table_for(part.entity, part.domain, part.spec.name, names=part.names)
    _generate_parents(ordered, {name: ds for name, ds, _ in members})
    for part in ordered:
        part.together = [p.spec.name for p in ordered]
    return ordered


def _generate_parents(ordered: list[_Part], datasets: dict[str, Dataset]) -> None:
    """Datasets for the tables no member fills: as many rows as the largest table that
    references them (so one-to-one links find a distinct parent for every row), with the
    personas, seed and reference time of the dataset they serve."""
    from persona_gen.runtime.dataset import Dataset

    counts: dict[str, int] = {}
    for part in reversed(ordered):
        if part.sources:
            counts[part.spec.name] = sum(s.dataset.count for s in part.sources)
            continue
        children = [c for c in ordered if c.references(part) and c.domain is part.domain]
        part.generated_for = [c.spec.name for c in children]
        src = datasets[part.member]
        need = max((counts.get(c.spec.name, 0) for c in children), default=0) or src.count
        rows = Dataset(
            list(zip(src.personas, src.weights.tolist(), strict=True)),
            "file",
            need,
            src.seed,
            key=f"{src.key}/{part.entity.name}",
            domain=part.domain,
            entity=part.entity.name,
            epoch_ms=src.epoch_ms,
        )
        label = f"the parent rows generated for '{', '.join(part.generated_for)}'"
        part.sources = [_Source(rows, label)]
        counts[part.spec.name] = need


def _rows(
    dataset: Dataset,
    counts: TableCounts,
    labels: WrittenLabels | None,
    bar: Any,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index in the dataset, row) of every row to load: every row, or (``labels``) those
    valid as the table is given them."""
    index = 0
    for block in dataset.blocks():
        valid = [True] * len(block) if labels is None else [v for v, _, _ in labels.block(block)]
        for row, keep in zip(block, valid, strict=True):
            counts.offered += 1
            if keep:
                yield index, row
            else:
                counts.skipped_invalid += 1
            index += 1
        if bar is not None:
            bar.advance(len(block))


def _part_rows(
    part: _Part, counts: TableCounts, include_invalid: bool, drops_nul: bool, bar: Any
) -> Iterator[tuple[Where, dict[str, Any]]]:
    for s, source in enumerate(part.sources):
        labels = None
        if not include_invalid:
            # (what a row breaks as loaded: read-only columns are not, PostgreSQL drops NUL)
            generator: Any = source.dataset.lanes[0].generator  # (a file generator)
            labels = WrittenLabels(
                part.spec, part.entity, part.domain, generator.data_columns, drops_nul=drops_nul
            )
        for index, row in _rows(source.dataset, counts, labels, bar):
            yield (s, index), row


def _prepare(
    parts: list[_Part], report: LoadReport, include_invalid: bool, drops_nul: bool, bar: Any
) -> None:
    """Give every table its rows: streamed as generated, or — for tables linked by foreign
    keys — generated whole and linked with ``link_foreign_keys`` (children reference loaded
    parent rows; deterministic from the seed). Rows invalid as loaded are left out unless
    ``include_invalid``."""
    from persona_gen.importers.ddl import link_foreign_keys
    from persona_gen.seeds import block_stream

    groups: list[list[_Part]] = []
    for part in parts:
        for group in groups:
            if group[0].domain is part.domain or group[0].domain == part.domain:
                group.append(part)
                break
        else:
            groups.append([part])
    for group in groups:
        entities = {p.entity.name for p in group}
        if not any(fk.entity in entities for p in group for fk in p.entity.foreign_keys):
            for part in group:
                counts = report.tables[part.spec.name]
                part.rows = _part_rows(part, counts, include_invalid, drops_nul, bar)
            continue
        rows_by_entity: dict[str, list[dict[str, Any]]] = {}
        for part in group:
            counts = report.tables[part.spec.name]
            rows = []
            for where, row in _part_rows(part, counts, include_invalid, drops_nul, bar):
                row[_ORIGIN] = where
                rows.append(row)
            rows_by_entity[part.entity.name] = rows
        first = group[0].sources[0].dataset
        rng = block_stream(first.seed, "foreign-keys", *(p.spec.name for p in group))
        linked = link_foreign_keys(group[0].domain, rows_by_entity, rng)
        for part in group:
            kept = linked.get(part.entity.name, rows_by_entity[part.entity.name])
            report.tables[part.spec.name].unlinked = len(rows_by_entity[part.entity.name]) - len(
                kept
            )
            part.linked = [(row.pop(_ORIGIN), row) for row in kept]
            part.rows = part.linked


# -- loading ----------------------------------------------------------------------------------


_GROUP_ATTRIBUTE = "_persona_gen_load_group"


class LoadGroup:
    """Datasets of one run that go to one database: loaded together, in one transaction.

    ``generate`` makes one per database its profile's datasets share. Each member's
    ``Dataset`` comes from ``dataset(name, context)`` (``build(context)`` the first time);
    the first ``load_dataset`` call for any member loads every member, and each call returns
    that member's manifest (its ``delivery`` shows its own tables and the whole
    transaction). A failed load fails every member: nothing of any of them is kept.
    """

    def __init__(self) -> None:
        self._members: dict[str, tuple[str, Callable[[Any], Dataset]]] = {}
        self._built: dict[str, Dataset] = {}
        self._context: Any = None
        self._docs: dict[str, dict[str, Any]] | None = None
        self._error: SinkError | None = None

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def add(self, name: str, url: str, build: Callable[[Any], Dataset]) -> None:
        self._members[name] = (url, build)

    def dataset(self, name: str, context: Any) -> Dataset:
        self._context = context
        ds = self._built.get(name)
        if ds is None:
            ds = self._members[name][1](context)
            setattr(ds, _GROUP_ATTRIBUTE, (self, name))
            self._built[name] = ds
        return ds

    def load(
        self,
        name: str,
        *,
        create_tables: bool,
        include_invalid: bool,
        progress: Callable[[int], Any] | None,
        extra: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if self._error is not None:
            raise SinkError(
                f"dataset '{name}' was not loaded: the transaction it shares failed "
                f"({self._error})",
                report=self._error.report,
            )
        if self._docs is None:
            names = self.names
            urls = [self._members[n][0] for n in names]
            try:
                docs = load_datasets(
                    [self.dataset(n, self._context) for n in names],
                    urls[0],
                    names=names,
                    tables=[parse_database_url(u).table for u in urls],
                    create_tables=create_tables,
                    include_invalid=include_invalid,
                    progress=progress,
                    extra=extra,
                )
            except SinkError as exc:
                self._error = exc
                raise
            self._docs = dict(zip(names, docs, strict=True))
        return self._docs[name]


def same_database(url: str) -> tuple[str, str] | None:
    """A key equal for URLs of one database (whatever their ``table`` option); None for
    anything that is not a valid database URL."""
    if url.partition("://")[0] not in DATABASE_SCHEMES:
        return None
    try:
        target = parse_database_url(url)
    except UsageError:
        return None
    if target.path is not None:
        return ("sqlite", str(target.path.resolve()))
    return ("postgresql", target.conninfo)


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
    """Load ``dataset`` (a ``file`` dataset) into the database at ``url`` in one transaction,
    with generated parent rows for the tables its foreign keys reference; returns the run
    manifest, whose ``delivery`` section is the ``LoadReport``. A member of a ``LoadGroup``
    is loaded with the whole group. A ``SinkError`` (carrying the report) when the database
    is unreachable, a table is missing, or a row is rejected; then nothing was loaded."""
    group: tuple[LoadGroup, str] | None = getattr(dataset, _GROUP_ATTRIBUTE, None)
    if group is not None:
        return group[0].load(
            group[1],
            create_tables=create_tables,
            include_invalid=include_invalid,
            progress=progress,
            extra=extra,
        )
    return load_datasets(
        [dataset],
        url,
        tables=[table],
        create_tables=create_tables,
        include_invalid=include_invalid,
        progress=progress,
        extra=extra,
    )[0]


def load_datasets(
    datasets: Sequence[Dataset],
    url: str | DatabaseTarget,
    *,
    names: Sequence[str] | None = None,
    tables: Sequence[str | None] | None = None,
    create_tables: bool = False,
    include_invalid: bool = False,
    progress: Callable[[int], Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Load several ``file`` datasets into one database in ONE transaction (see the module
    docstring): the tables (created with ``create_tables``, in the same transaction), the
    parent rows their foreign keys need, every row or none. ``names`` name the datasets in
    messages (default: their keys), ``tables`` override their tables (default: the URL's
    ``table`` option, else the entity's table). One manifest per dataset."""
    from persona_gen.runtime.manifest import manifest

    target = url if isinstance(url, DatabaseTarget) else parse_database_url(url)
    names = list(names) if names is not None else [ds.key for ds in datasets]
    chosen = list(tables) if tables is not None else [None] * len(datasets)
    members = [
        (name, ds, table or target.table)
        for name, ds, table in zip(names, datasets, chosen, strict=True)
    ]
    parts = _plan(members)
    report = LoadReport(destination=str(target), datasets=names if len(names) > 1 else [])
    for part in parts:
        report.tables[part.spec.name] = TableCounts(generated_for=part.generated_for)
    total = sum(s.dataset.count for part in parts for s in part.sources)
    started = time.monotonic()
    bar = progress(total) if progress is not None and total >= 50_000 else None
    loader = _sqlite_load if target.kind == "sqlite" else _pg_load
    try:
        loader(
            target,
            parts,
            create_tables,
            report,
            lambda: _prepare(parts, report, include_invalid, target.kind != "sqlite", bar),
        )
    except SinkError as exc:
        report.error = str(exc)
        exc.report = report
        raise
    except KeyboardInterrupt:
        # (after the loader rolled back) a SinkError, so the manifest still says what happened
        report.error = "interrupted; the load was rolled back, nothing was kept"
        raise SinkError(f"{target}: {report.error}", report, interrupted=True) from None
    finally:
        report.seconds = time.monotonic() - started
        if bar is not None:
            bar.close()
    for part in parts:
        if report.tables[part.spec.name].unlinked:
            print(
                f"persona-gen: warning: {target}: table '{part.spec.name}': "
                f"{report.tables[part.spec.name].unlinked} rows left out: no loaded parent row "
                "could take their foreign key (too few valid parent rows, or a one-to-one key "
                "ran out of distinct parents)",
                file=sys.stderr,
            )
    docs = []
    for name, ds, _ in members:
        doc = manifest(ds, output=str(target), fmt=target.kind, extra=extra)
        own = [p.spec.name for p in parts if p.member == name]
        doc["delivery"] = report.to_manifest(own if len(members) > 1 else None)
        docs.append(doc)
    return docs


def _rejected(target: DatabaseTarget, part: _Part, at: Where | None, reason: str) -> SinkError:
    tables = f" in {', '.join(part.together)}" if len(part.together) > 1 else ""
    error = SinkError(
        f"{target}: table '{part.spec.name}' rejected {part.where(at)}: {reason}; the load "
        f"was rolled back, nothing was kept{tables}"
    )
    error.dataset = part.member  # (of a load of several datasets, the one that failed)
    return error


def _check_columns(target: DatabaseTarget, part: _Part, has: list[str]) -> None:
    """An existing table must have a column for each of the rows' columns: a table of
    another shape is one message, not a row "rejected" by it."""
    lacking = [c for c in part.spec.column_names if c not in has]
    if lacking:
        shown = ", ".join(lacking[:8]) + (
            f" (and {len(lacking) - 8} more)" if len(lacking) > 8 else ""
        )
        raise SinkError(
            f"{target}: table '{part.spec.name}' exists without the columns {shown} that "
            f"the rows have (its columns: {', '.join(has[:12]) or 'none'}); load into another "
            "table with ?table=NAME, or drop it and use --create-tables"
        )


def _missing(target: DatabaseTarget, table: str) -> SinkError:
    return SinkError(f"{target}: table '{table}' does not exist; create it or use --create-tables")


_KEY_DETAIL = re.compile(r"Key \((?P<cols>.+?)\)=\((?P<vals>.*)\) (is not present|already exists)")


def _find_key(part: _Part, detail: str | None) -> Where | None:
    """The row whose key a database message names (``Key (user_id)=(…) is not present``)."""
    match = _KEY_DETAIL.search(detail or "")
    if match is None or part.linked is None:
        return None
    cols = [c.strip().strip('"') for c in match.group("cols").split(",")]
    for at, row in part.linked:
        if ", ".join(str(row.get(c)) for c in cols) == match.group("vals"):
            return at
    return None


# -- SQLite -----------------------------------------------------------------------------------


def _sqlite_load(
    target: DatabaseTarget,
    parts: list[_Part],
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
        if new_file:  # a failed first load leaves no empty database behind
            target.path.unlink(missing_ok=True)
        raise
    conn.close()


def _sqlite_transaction(
    conn: sqlite3.Connection,
    target: DatabaseTarget,
    parts: list[_Part],
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
                        raise _missing(target, part.spec.name)
                    conn.execute(part.create_sql("sqlite"))
                    created.append(part.spec.name)
                else:
                    quoted = quote_identifier(part.spec.name)
                    has = [row[1] for row in conn.execute(f"PRAGMA table_info({quoted})")]
                    _check_columns(target, part, has)
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


def _sqlite_insert(conn: sqlite3.Connection, target: DatabaseTarget, part: _Part) -> int:
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
    part: _Part,
) -> int:
    conn.execute("SAVEPOINT batch")
    try:
        conn.executemany(insert, [values for _, values in batch])
    except (sqlite3.Error, OverflowError) as exc:
        # Find the row: replay the batch one row at a time.
        conn.execute("ROLLBACK TO batch")
        for at, values in batch:
            try:
                conn.execute(insert, values)
            except OverflowError:
                # (the driver's own message names neither the column nor the value)
                raise _rejected(target, part, at, _too_large(part.spec, values)) from None
            except sqlite3.Error as row_exc:
                reason = str(row_exc)
                if "FOREIGN KEY" in reason:
                    named = dict(zip(part.spec.column_names, values, strict=True))
                    reason += _sqlite_missing_parent(conn, part.spec.name, named)
                raise _rejected(target, part, at, reason) from None
        raise _rejected(target, part, None, str(exc)) from None
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


# -- PostgreSQL -------------------------------------------------------------------------------


def _pg_load(
    target: DatabaseTarget,
    parts: list[_Part],
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
                            raise _missing(target, part.spec.name)
                        conn.execute(part.create_sql("postgres").encode())
                        created.append(part.spec.name)
                    else:
                        rows = conn.execute(
                            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
                            " AND attnum > 0 AND NOT attisdropped",
                            (quote_table(part.spec.name),),
                        ).fetchall()
                        _check_columns(target, part, [name for (name,) in rows])
                prepare()
                for part in parts:
                    loaded[part.spec.name] = _pg_copy(conn, target, part)
        except psycopg.errors.IntegrityError as exc:  # at COMMIT: deferred constraints
            table = exc.diag.table_name
            part = next((p for p in parts if p.spec.name == table), parts[-1])
            raise _rejected(
                target, part, _find_key(part, exc.diag.message_detail), _pg_reason(exc)
            ) from None
        for name, n in loaded.items():
            report.tables[name].loaded = n
        report.created = created
        report.committed = True
    except psycopg.OperationalError as exc:
        raise SinkError(
            f"{target}: lost the connection: {scrub_password(str(exc), target)}"
        ) from None
    except psycopg.Error as exc:  # (the server's own words, without the SQL and its caret)
        raise SinkError(f"{target}: {scrub_password(_pg_reason(exc), target)}") from None
    finally:
        conn.close()


def _pg_reason(exc: Any) -> str:
    diag = exc.diag
    reason = str(diag.message_primary or str(exc).strip())
    if diag.message_detail:
        reason += f" ({diag.message_detail})"
    return " ".join(reason.split())


def _pg_copy(conn: Any, target: DatabaseTarget, part: _Part) -> int:
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
            found = _find_key(part, exc.diag.message_detail)
        raise _rejected(target, part, found, _pg_reason(exc)) from None
    return len(positions)


def connect_postgres(
    target: DatabaseTarget, error: type[PersonaGenError], application: str, **options: Any
) -> Any:
    """A psycopg connection to ``target``, or ``error`` with one line (no password)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        raise error("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from None
    # psycopg logs what it ignores while unwinding a failed COPY ("error ignored terminating
    # <psycopg.Copy [BAD]>: the connection is lost"); the error itself is reported once, so
    # that warning must not reach stderr through logging's last-resort handler.
    _quiet_driver_log()
    try:
        return psycopg.connect(
            target.conninfo,
            connect_timeout=max(1, round(target.connect_s)),
            application_name=application,
            **options,
        )
    except psycopg.Error as exc:
        raise error(_connect_failure(target, exc)) from None


# What libpq says when the peer is no PostgreSQL server: it closed the connection, or sent
# something other than the startup protocol's replies (libpq quotes the bytes it got: they
# stay out of the message).
_CLOSED = "server closed the connection unexpectedly"
_NOT_POSTGRES = re.compile(
    rf"{_CLOSED}|invalid response to (SSL|GSSAPI) negotiation"
    r"|expected authentication request from server|invalid message format"
    r"|unexpected message from server during startup|message type .* arrived from server"
)


def _connect_failure(target: DatabaseTarget, exc: Exception) -> str:
    """One line for a failed connection: nothing listening, a server that does not speak
    PostgreSQL or never answers, or the server's own refusal (login, database)."""
    import psycopg

    where = f"cannot reach PostgreSQL at {target}"
    # libpq's message runs over lines ("server closed the connection unexpectedly / This
    # probably means..."): scrub_password joins them into one.
    reason = scrub_password(str(exc).strip() or type(exc).__name__, target)
    reason = reason.removeprefix("connection failed: ")
    seconds = f"{max(1, round(target.connect_s))} s"
    if isinstance(exc, psycopg.errors.ConnectionTimeout):
        if _accepts_tcp(target):
            return (
                f"{where}: the server at {target.address()} accepted the connection but did "
                f"not answer as PostgreSQL within {seconds}; is that PostgreSQL's port? (a "
                "busy server: wait longer with ?connect=SECONDS)"
            )
        return (
            f"{where}: no answer from {target.address()} within {seconds} (a wrong host or "
            "port, or a firewall; a slow network: wait longer with ?connect=SECONDS)"
        )
    # (after 'connection to server at "HOST", port PORT failed: ')
    said = re.sub(r'^connection to server at "[^"]*", port \d+ failed: ', "", reason)
    if "Connection refused" in said:
        return f"{where}: nothing listens on {target.address()} (connection refused)"
    if _NOT_POSTGRES.search(said):
        what = "closed the connection" if _CLOSED in said else "replied with something else"
        return (
            f"{where}: the server at {target.address()} did not answer as PostgreSQL (it "
            f"{what}); is that PostgreSQL's port?"
        )
    if said.startswith("FATAL:"):  # the server answered, and refused: login or database
        said = said.removeprefix("FATAL:").strip()
        hint = (
            " (check the password: in PGPASSWORD, ~/.pgpass or the URL)"
            if "password" in said
            else ""
        )
        return f"PostgreSQL at {target} refused the connection: {said}{hint}"
    if "no password supplied" in said:
        return (
            f"PostgreSQL at {target} asks for a password and none was given (give it in "
            "PGPASSWORD or ~/.pgpass)"
        )
    return f"{where}: {said}"


def _accepts_tcp(target: DatabaseTarget) -> bool:
    """Whether something takes a TCP connection at the target's address (after a timeout:
    a silent server, or nothing reachable at all)."""
    address = (target.host, target.server_port())
    try:
        with socket.create_connection(address, timeout=min(target.connect_s, 3)):
            return True
    except OSError:
        return False


def _quiet_driver_log() -> None:
    log = logging.getLogger("psycopg")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


def scrub_password(text: str, target: DatabaseTarget) -> str:
    """Remove a password from a driver message (libpq does not echo it, but be sure)."""
    match = re.search(r"password='((?:[^'\\]|\\.)*)'", target.conninfo)
    if match:
        secret = match.group(1).replace("\\'", "'").replace("\\\\", "\\")
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())
