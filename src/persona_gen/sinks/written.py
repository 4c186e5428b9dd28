"""A ``file`` row's label for the values a table is given: what the row breaks as written.

The ``file`` generator labels a row for the values it generated. A table is not always given
all of them: read-only (generated) columns are left out (the database makes them), and text
cannot hold NUL in SQL literals or in PostgreSQL, so NUL characters are dropped; a field a
behaviour removed is NULL in its column. A break in a column left out is then no break, nor
is a removed field ("required") of a column that may be NULL (the field may be null, or an
object holding it is absent: every column under it is NULL), and a value NUL was all of
what broke is then valid (or breaks another rule: ``"\\x00"`` is empty). The ``sql`` format
labels its rows this way (with comments saying what changed), and a database load skips the
rows invalid as loaded, so both agree on which rows a table rejects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from persona_gen.entities.model import Domain, Entity
from persona_gen.generators.check import violated_rule
from persona_gen.generators.file import VALID_COLUMN, VIOLATIONS_COLUMN
from persona_gen.generators.paths import leaves
from persona_gen.sinks.tables import Table

__all__ = ["WrittenLabels"]


class WrittenLabels:
    """Labels rows of ``entity`` for ``table``: without the breaks of the rows' data columns
    the table leaves out, and (``drops_nul``) with NUL dropped from its text columns."""

    def __init__(
        self,
        table: Table,
        entity: Entity,
        domain: Domain,
        data_columns: Iterable[str],
        *,
        drops_nul: bool,
    ) -> None:
        written = set(table.column_names)
        # A row without a value for a column that may be NULL holds NULL there: valid.
        self.nullable = frozenset(c.name for c in table.columns if not c.not_null)
        self.omitted = frozenset(c for c in data_columns if c not in written)
        fields = {leaf.dotted: leaf for leaf in leaves(domain, entity.schema)}
        self.fields = fields
        # Objects a row may lack or hold null (optional or nullable), by path: the columns
        # under one are nullable, but a NULL there reads back as "no such object" only when
        # every column under it is NULL.
        absent = {
            leaf.path: [c for c, f in fields.items() if f.path[: len(leaf.path)] == leaf.path]
            for leaf in fields.values()
            if leaf.schema.type == "object" and (not leaf.always_made or leaf.schema.nullable)
        }
        self.may_be_absent = {path: cols for path, cols in absent.items() if cols}
        self.text_leaves = (
            {
                c.name: fields[c.name]
                for c in table.columns
                if c.kind == "text" and c.name in fields and fields[c.name].schema.type == "string"
            }
            if drops_nul
            else {}
        )

    def block(self, rows: list[dict[str, Any]]) -> list[tuple[bool, str, list[str]]]:
        """Per row: whether it is valid as written, its violations as written, and notes
        saying what was labelled otherwise when generated (as SQL comments)."""
        nul = bool(self.text_leaves) and _has_nul(rows)
        out = []
        for row in rows:
            notes: list[str] = []
            valid, why = row.get(VALID_COLUMN) is not False, str(row.get(VIOLATIONS_COLUMN) or "")
            if not valid and self.omitted:
                valid, why = self._written_only(valid, why, notes)
            if not valid and self.nullable:
                valid, why = self._null_not_missing(row, valid, why, notes)
            if nul:
                valid, why = self._without_nul(row, valid, why, notes)
            out.append((valid, why, notes))
        return out

    def _written_only(self, valid: bool, why: str, notes: list[str]) -> tuple[bool, str]:
        """The row's label without the breaks of columns the table leaves out (a read-only
        ``created_at`` in a bad format is not written: the database makes its own)."""
        violations = [v for v in why.split(";") if v]
        kept = [v for v in violations if v.rsplit(":", 1)[0] not in self.omitted]
        if len(kept) == len(violations):
            return valid, why
        left_out = ";".join(v for v in violations if v not in kept)
        notes.append(f"-- not written (read-only columns): labelled {left_out} when generated")
        return not kept, ";".join(kept)

    def _null_not_missing(
        self, row: dict[str, Any], valid: bool, why: str, notes: list[str]
    ) -> tuple[bool, str]:
        """The row's label without "required" breaks of nullable columns it has no value
        for: a JSON row lacks the field, but a table row holds NULL there, which is valid."""
        violations = [v for v in why.split(";") if v]
        nulls = [
            v
            for v in violations
            if (c := v.rsplit(":", 1))[1] == "required"
            and c[0] in self.nullable
            and row.get(c[0]) is None
            and self._reads_as_null(row, c[0])
        ]
        if not nulls:
            return valid, why
        kept = [v for v in violations if v not in nulls]
        notes.append(f"-- NULL (nullable columns): labelled {';'.join(nulls)} when generated")
        return not kept, ";".join(kept)

    def _reads_as_null(self, row: dict[str, Any], column: str) -> bool:
        """Whether a NULL in ``column`` reads back as a valid row's: the field may be null,
        or an object holding it may be absent (or null) and every column under that object
        is NULL. A NULL ``manager.id`` beside a ``manager.email`` is a manager without its
        required id, however nullable the column."""
        leaf = self.fields.get(column)
        if leaf is None or leaf.schema.nullable:
            return True
        return any(
            (under := self.may_be_absent.get(leaf.path[:k])) is not None
            and all(row.get(c) is None for c in under)
            for k in range(1, len(leaf.path))
        )

    def _without_nul(
        self, row: dict[str, Any], valid: bool, why: str, notes: list[str]
    ) -> tuple[bool, str]:
        """The row's label once NUL is dropped from its text: each such column's violation
        is what its value, as written, breaks."""
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
            notes.append(f"{note} labelled {was} when generated")
        return not violations, ";".join(violations)


def _has_nul(rows: list[dict[str, Any]]) -> bool:
    """Whether a value of ``rows`` may hold NUL (one JSON text of the block: rows hardly
    ever do, and looking at each value took a fifth of the SQL encoding)."""
    try:
        return b"\\u0000" in orjson.dumps(rows)
    except TypeError:  # (a value JSON cannot hold)
        return True
