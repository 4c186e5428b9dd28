"""``sql``: SQL INSERT scripts, one ``INSERT INTO <table> (...) VALUES (...);`` per row.

Rows are the ``file`` generator's (other generators are refused: their records are not table
rows). The table and its columns come from the dataset's entity (``tables.table_for``): an
imported DDL table keeps its name, a built-in entity uses its collection (``users``); label
columns and read-only columns are left out. Nothing else is written: no ``BEGIN``/``COMMIT``
(wrap the script yourself when you want all or nothing) and no ``CREATE TABLE``
(``tables.create_table_sql`` writes one). A row labelled ``_expected_valid: false`` is
preceded by a ``-- expected invalid: <violations>`` comment: the schema will reject it.
Breaks of the columns left out are not written, and so not in that label: a
``-- not written …`` comment names them.

Neither database stores NUL in text, so NUL characters are dropped from strings. That can
change what a value breaks (``created_at`` ending in NUL is labelled ``created_at:format``;
without it, it is valid): the label of such a column is worked out again for the value as
written, and a ``-- NUL dropped from …`` comment says what it was labelled when generated.

The dialect is the encoder's ``sql_dialect`` attribute: ``postgres`` (default) or
``sqlite``. They differ only in arrays (``'{a,b}'`` literals vs JSON text), booleans
(``TRUE``/``1``) and bytes. Strings are single-quoted with ``''`` doubling (standard SQL,
both databases); JSON is written as JSON text. ``SqliteSqlEncoder`` is the same with
``sql_dialect = "sqlite"``, for registration under another format name.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson

from persona_gen.generators.check import violated_rule
from persona_gen.generators.file import VALID_COLUMN, VIOLATIONS_COLUMN
from persona_gen.generators.paths import Leaf, leaves
from persona_gen.sinks.encoders import Encoder
from persona_gen.sinks.tables import Table, quote_identifier, sql_literal

__all__ = ["SqlEncoder", "SqliteSqlEncoder"]


class SqlEncoder(Encoder):
    """INSERT statements; ``bind(dataset)`` (called by ``make_encoder``) picks the table."""

    extension = "sql"
    sql_dialect: ClassVar[str] = "postgres"

    table: Table | None = None
    # The table's text columns that are fields of the entity (labels are made for those).
    text_leaves: dict[str, Leaf] | None = None
    # The rows' data columns the table leaves out (read-only ones: the database makes them).
    omitted: frozenset[str] = frozenset()

    def bind(self, dataset: Any, table: str | None = None) -> None:
        """Take the table and columns from the dataset's entity (refuses non-file datasets)."""
        from persona_gen.sinks.database import dataset_table

        self.table, entity, domain = dataset_table(dataset, table)
        written = set(self.table.column_names)
        data_columns = getattr(dataset.lanes[0].generator, "data_columns", ())
        self.omitted = frozenset(c for c in data_columns if c not in written)
        fields = {leaf.dotted: leaf for leaf in leaves(domain, entity.schema)}
        self.text_leaves = {
            c.name: fields[c.name]
            for c in self.table.columns
            if c.kind == "text" and c.name in fields and fields[c.name].schema.type == "string"
        }

    def encode(self, records: list[dict[str, Any]], first: bool) -> bytes:
        if self.table is None:
            raise RuntimeError("SqlEncoder.bind(dataset) must be called before encoding")
        table = self.table
        dialect = self.sql_dialect
        prefix = (
            f"INSERT INTO {quote_identifier(table.name)} "
            f"({', '.join(quote_identifier(c) for c in table.column_names)}) VALUES ("
        )
        lines: list[str] = []
        nul = bool(self.text_leaves) and _has_nul(records)
        for row in records:
            valid, why = row.get(VALID_COLUMN) is not False, str(row.get(VIOLATIONS_COLUMN) or "")
            if not valid and self.omitted:
                valid, why = self._written_only(valid, why, lines)
            if nul:
                valid, why = self._without_nul(row, valid, why, lines)
            if not valid:
                why = why.replace("\n", " ")
                lines.append(f"-- expected invalid: {why}")
            values = ", ".join(sql_literal(row.get(c.name), c.kind, dialect) for c in table.columns)
            lines.append(f"{prefix}{values});")
        return ("\n".join(lines) + "\n").encode() if lines else b""

    def _written_only(self, valid: bool, why: str, lines: list[str]) -> tuple[bool, str]:
        """The row's label without the breaks of columns the INSERT leaves out (a read-only
        ``created_at`` in a bad format is not written: the database makes its own)."""
        violations = [v for v in why.split(";") if v]
        kept = [v for v in violations if v.rsplit(":", 1)[0] not in self.omitted]
        if len(kept) == len(violations):
            return valid, why
        left_out = ";".join(v for v in violations if v not in kept)
        lines.append(f"-- not written (read-only columns): labelled {left_out} when generated")
        return not kept, ";".join(kept)

    def _without_nul(
        self, row: dict[str, Any], valid: bool, why: str, lines: list[str]
    ) -> tuple[bool, str]:
        """The row's label once NUL is dropped from its text: each such column's violation
        is what its value, as written, breaks. A comment says what the label was."""
        assert self.text_leaves is not None
        changed = []
        violations = [v for v in why.split(";") if v]
        for name, leaf in self.text_leaves.items():
            value = row.get(name)
            if not isinstance(value, str) or "\x00" not in value:
                continue
            own = [v for v in violations if v.rsplit(":", 1)[0] == name]
            rule = violated_rule(leaf.schema, value.replace("\x00", ""))
            now = [f"{name}:{rule}"] if rule else []
            if own != now:
                violations = [v for v in violations if v not in own] + now
                changed.append((name, own))
        if not changed:
            return valid, why
        for name, own in changed:
            was = ";".join(own) or "valid"
            note = f"-- NUL dropped from {name} (SQL text cannot hold it):"
            lines.append(f"{note} labelled {was} when generated")
        return not violations, ";".join(violations)


def _has_nul(records: list[dict[str, Any]]) -> bool:
    """Whether a value of ``records`` may hold NUL (one JSON text of the block: rows hardly
    ever do, and looking at each value took a fifth of the encoding)."""
    try:
        return b"\\u0000" in orjson.dumps(records)
    except TypeError:  # (a value JSON cannot hold)
        return True


class SqliteSqlEncoder(SqlEncoder):
    """INSERT statements in SQLite's dialect."""

    sql_dialect: ClassVar[str] = "sqlite"
