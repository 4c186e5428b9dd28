"""Database destinations: load a ``file`` dataset's rows into SQLite or PostgreSQL.

A destination is a URL::

    sqlite:///relative/path.db        sqlite:////absolute/path.db
    postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?OPTION=VALUE&...]

(``postgres://`` works too; the password is better left to ``PGPASSWORD`` or ``~/.pgpass``
and is never printed.) Options: ``table`` (the table name; default: the entity's table) and
``connect`` (seconds to wait for the server, default 5; PostgreSQL only).

What is loaded: the ``file`` generator's rows, one row per record, into the entity's table
(an imported DDL table keeps its name, and on PostgreSQL the schema the DDL names,
``app."Tickets"``, which ``create_tables`` creates when missing; a built-in entity uses its
collection, e.g. ``users``). Only the entity's columns go in: the label columns
(``_expected_valid``, ``_violations``, ``_behaviors``) and read-only (generated) columns are
left out. Records of the other generators (api, streaming, load, fault) are envelopes, not
table rows: they are refused with a message saying so (send them to a file or Kafka instead).

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

The parts: ``database_url`` (the URL), ``database_plan`` (the tables, parents first),
``database_rows`` (their rows), ``database_sqlite`` and ``database_postgres`` (the loads),
``database_connect`` (reaching PostgreSQL), ``database_messages`` (what was refused) and
``database_report`` (what was done). This module runs a load and re-exports their public
names.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from persona_gen.errors import SinkError
from persona_gen.sinks.database_connect import connect_postgres, scrub_password
from persona_gen.sinks.database_plan import Part, dataset_table, plan_tables
from persona_gen.sinks.database_postgres import postgres_load
from persona_gen.sinks.database_report import LoadReport, LoadShare, TableCounts
from persona_gen.sinks.database_rows import prepare_rows
from persona_gen.sinks.database_sqlite import sqlite_load
from persona_gen.sinks.database_url import (
    DATABASE_SCHEMES,
    DatabaseTarget,
    parse_database_url,
    same_database,
)

if TYPE_CHECKING:
    from persona_gen.runtime.dataset import Dataset

__all__ = [
    "DATABASE_SCHEMES",
    "DatabaseTarget",
    "LoadGroup",
    "LoadReport",
    "LoadShare",
    "TableCounts",
    "connect_postgres",
    "dataset_table",
    "load_dataset",
    "load_datasets",
    "parse_database_url",
    "same_database",
    "scrub_password",
]


_GROUP_ATTRIBUTE = "_persona_gen_load_group"


class LoadGroup:
    """Datasets of one run that go to one database: loaded together, in one transaction.

    ``generate`` makes one per database its profile's datasets share. Each member's
    ``Dataset`` comes from ``dataset(name, context)`` (``build(context)`` the first time);
    the first ``load_dataset`` call for any member loads every member, and each call returns
    that member's manifest (its ``delivery`` shows its own tables and the whole
    transaction). A failed load fails every member: nothing of any of them is kept, and
    ``failed_share(name)`` is what each member's manifest says of it (its ``SinkError``
    carries the same as its ``report``).
    """

    def __init__(self) -> None:
        self._members: dict[str, tuple[str, Callable[[Any], Dataset]]] = {}
        self._built: dict[str, Dataset] = {}
        self._context: Any = None
        self._docs: dict[str, dict[str, Any]] | None = None
        self._error: SinkError | None = None
        self._failed: LoadReport | None = None  # the whole transaction's, once it failed

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

    def failed_share(self, name: str) -> LoadShare | None:
        """Member ``name``'s share of the load, once it failed or was interrupted (None: it
        did not, or it stopped before the load began, with nothing to report)."""
        return self._failed.share(name) if self._failed is not None else None

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
                report=self.failed_share(name),
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
                if isinstance(exc.report, LoadReport):
                    self._failed = exc.report
                    exc.report = self._failed.share(name)  # (this member's manifest)
                raise
            self._docs = dict(zip(names, docs, strict=True))
        return self._docs[name]


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
    parts = plan_tables(members, "sqlite" if target.kind == "sqlite" else "postgres")
    report = LoadReport(destination=str(target), datasets=names if len(names) > 1 else [])
    if len(members) > 1:
        report.owned = {
            name: [
                p.spec.name
                for p in parts
                if p.member == name or any(s.dataset is ds for s in p.sources)
            ]
            for name, ds, _ in members
        }
    for part in parts:
        report.tables[part.spec.name] = TableCounts(generated_for=part.generated_for)
    total = sum(s.dataset.count for part in parts for s in part.sources)
    started = time.monotonic()
    bar = progress(total) if progress is not None and total >= 50_000 else None
    loader = sqlite_load if target.kind == "sqlite" else postgres_load
    began: list[bool] = []  # (whether the rows were being made: the load had begun)

    def prepare() -> None:
        began.append(True)
        prepare_rows(parts, report, include_invalid, target.kind != "sqlite", bar)

    try:
        with _one_interrupt():
            loader(target, parts, create_tables, report, prepare)
    except SinkError as exc:
        if not began:
            # Refused before a row was made (no database file, a missing table or column,
            # a server that cannot be reached): the database is as it was, and so is any
            # manifest an earlier load left; a new one (count 0) would look like a load.
            exc.report = None
            raise
        report.error = str(exc)
        _note_taken(report, parts, members)
        exc.report = report
        raise
    except KeyboardInterrupt:
        # (after the loader rolled back) a SinkError, so the manifest still says what happened
        report.error = "interrupted; the load was rolled back, nothing was kept"
        _note_taken(report, parts, members)
        raise SinkError(f"{target}: {report.error}", report, interrupted=True) from None
    finally:
        report.seconds = time.monotonic() - started
        if bar is not None:
            bar.close()
    for counts in report.tables.values():
        counts.settle()
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
        doc["delivery"] = (
            report.share(name).to_manifest() if len(members) > 1 else report.to_manifest()
        )
        docs.append(doc)
    return docs


def _note_taken(
    report: LoadReport, parts: list[Part], members: list[tuple[str, Dataset, str | None]]
) -> None:
    """The rows a stopped load took from each dataset (``records`` of a load of one,
    ``taken`` of each of several): the rows offered to the tables it fills, not to their
    generated parents, nor made ahead and never offered."""

    def offered(part: Part, name: str) -> int:
        counts = report.tables[part.spec.name]
        if len(part.sources) > 1:  # (a table several datasets fill: this one's rows)
            return counts.datasets.get(name, TableCounts()).offered
        return counts.offered

    taken = {
        name: sum(offered(p, name) for p in parts if any(s.dataset is ds for s in p.sources))
        for name, ds, _ in members
    }
    if len(members) == 1:
        report.records = next(iter(taken.values()))
    else:
        report.taken = taken


@contextlib.contextmanager
def _one_interrupt() -> Iterator[None]:
    """Ctrl-C stops a load once. The first SIGINT raises KeyboardInterrupt (the load rolls
    back) and from then on SIGINT is ignored: a second Ctrl-C would otherwise cut short the
    rollback, the manifest or the message, or (after them, in the interpreter's exit, where
    a Python handler is reset to the default) end the process "killed by SIGINT" instead of
    exiting 130. The run is ending: nothing is left to interrupt. Only where SIGINT has its
    default handler, in the main thread: one ignored on purpose (a background job) stays so."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def first(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGINT) is first:  # (not interrupted: as it was)
            signal.signal(signal.SIGINT, signal.default_int_handler)
