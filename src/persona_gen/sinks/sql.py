"""``sql``: SQL INSERT scripts, one ``INSERT INTO <table> (...) VALUES (...);`` per row.

Rows are the ``file`` generator's (other generators are refused: their records are not table
rows). The table and its columns come from the dataset's entity (``tables.table_for``): an
imported DDL table keeps its name (and in PostgreSQL's dialect its schema,
``"app"."Tickets"``), a built-in entity uses its collection (``users``); label
columns and read-only columns are left out. Nothing else is written: no ``BEGIN``/``COMMIT``
(wrap the script yourself when you want all or nothing) and no ``CREATE TABLE``
(``tables.create_table_sql`` writes one). A table with a ``GENERATED ALWAYS AS IDENTITY``
column (``Entity.identity_always``) gets ``OVERRIDING SYSTEM VALUE`` in PostgreSQL's dialect:
without it PostgreSQL refuses the row's value for that column. A row labelled
``_expected_valid: false`` is preceded by a ``-- expected invalid: <violations>`` comment:
the schema will reject it.
Breaks of the columns left out are not written, and so not in that label: a
``-- not written …`` comment names them.

Neither database stores NUL in text, so NUL characters are dropped from strings. That can
change what a value breaks (``created_at`` ending in NUL is labelled ``created_at:format``;
without it, it is valid): the label of such a column is worked out again for the value as
written, and a ``-- NUL dropped from …`` comment says what it was labelled when generated
(``sinks.written``: a database load keeps the rows by the same labels).

The dialect is the encoder's ``sql_dialect`` attribute: ``postgres`` (default) or
``sqlite``. They differ only in arrays (``'{a,b}'`` literals vs JSON text), booleans
(``TRUE``/``1``) and bytes. Strings are single-quoted with ``''`` doubling (standard SQL,
both databases); JSON is written as JSON text. ``SqliteSqlEncoder`` is the same with
``sql_dialect = "sqlite"``, for registration under another format name.
"""

from __future__ import annotations

from typing import Any, ClassVar

from persona_gen.sinks.encoders import Encoder
from persona_gen.sinks.tables import Table, quote_identifier, quote_table, sql_literal
from persona_gen.sinks.written import WrittenLabels

__all__ = ["SqlEncoder", "SqliteSqlEncoder"]


class SqlEncoder(Encoder):
    """INSERT statements; ``bind(dataset)`` (called by ``make_encoder``) picks the table."""

    extension = "sql"
    sql_dialect: ClassVar[str] = "postgres"

    table: Table | None = None
    labels: WrittenLabels | None = None  # the rows' labels as written
    overriding: bool = False  # values for GENERATED ALWAYS identity columns (PostgreSQL)

    def bind(self, dataset: Any, table: str | None = None) -> None:
        """Take the table and columns from the dataset's entity (refuses non-file datasets)."""
        from persona_gen.sinks.database import dataset_table

        self.table, entity, domain = dataset_table(dataset, table, self.sql_dialect)
        written = {c.name for c in self.table.columns}
        self.overriding = self.sql_dialect == "postgres" and any(
            c in written for c in entity.identity_always
        )
        data_columns = getattr(dataset.lanes[0].generator, "data_columns", ())
        # (SQL literals cannot hold NUL in either dialect: ``sql_literal`` drops it)
        self.labels = WrittenLabels(self.table, entity, domain, data_columns, drops_nul=True)

    def encode(self, records: list[dict[str, Any]], first: bool) -> bytes:
        if self.table is None or self.labels is None:
            raise RuntimeError("SqlEncoder.bind(dataset) must be called before encoding")
        table = self.table
        dialect = self.sql_dialect
        overriding = "OVERRIDING SYSTEM VALUE " if self.overriding else ""
        prefix = (
            f"INSERT INTO {quote_table(table.name, dialect)} "
            f"({', '.join(quote_identifier(c) for c in table.column_names)}) {overriding}VALUES ("
        )
        lines: list[str] = []
        for row, (valid, why, notes) in zip(records, self.labels.block(records), strict=True):
            lines.extend(notes)
            if not valid:
                shown = why.replace("\n", " ")
                lines.append(f"-- expected invalid: {shown}")
            values = ", ".join(sql_literal(row.get(c.name), c.kind, dialect) for c in table.columns)
            lines.append(f"{prefix}{values});")
        return ("\n".join(lines) + "\n").encode() if lines else b""


class SqliteSqlEncoder(SqlEncoder):
    """INSERT statements in SQLite's dialect."""

    sql_dialect: ClassVar[str] = "sqlite"
