"""Multi-column keys (UNIQUE, or a composite primary key) kept unique in generated records.

The synthesizer makes each one-column key (a primary key or UNIQUE) unique by the row
number. A key of several columns (``UNIQUE (row_no, seat_no)``, MediaWiki's
``page (page_namespace, page_title)``, ``PRIMARY KEY (order_id, line_no)``) needs the
*combination* to differ, which independent draws do not give: ``KeyedSynthesizer`` rewrites,
in each drawn block, the columns of such a key from the row numbers — deterministic, so
blocks made apart (workers, mixes of personas) never repeat a combination:

* a free-text column of the key (no enum, pattern or format) carries the row number, as a
  unique one-column key does: ``Espresso Machine_238`` (base 36 where its length is bounded);
* else the key's integer, enum and boolean columns together spell one of their combinations,
  row ``r`` taking the ``(r * P) mod C``-th of the ``C`` combinations (``P`` prime to ``C``:
  no two rows below ``C`` share one, and neighbouring rows look unrelated). Past ``C`` rows
  the combinations come round again: a block is drawn whole, past the dataset's last row, so
  its row numbers cannot tell (the DDL importer warns about a key with few combinations, and
  ``unique_room`` makes a dataset of more records than them refused before it is made).

A key that already holds a unique column needs nothing; columns of foreign keys are left to
``link_foreign_keys`` (it keeps keys over them unique when rows are linked), and a key whose
columns are only other kinds (dates, uuids, floats) is left to chance (a repeat is unlikely).
NULLs never clash in a UNIQUE key: a NULL drawn in a key column stays NULL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from persona_gen.entities.model import Domain, Entity, Schema
from persona_gen.values.columns import ObjectColumns
from persona_gen.values.numbers import numeric_bounds
from persona_gen.values.synth import Synthesizer, base36

__all__ = ["KeyedSynthesizer"]

_SCRAMBLE = 2_654_435_761  # a prime: multiplying row numbers by it spreads neighbours apart


class KeyedSynthesizer(Synthesizer):
    """A ``Synthesizer`` whose records also keep multi-column UNIQUE keys unique."""

    def __init__(self, domain: Domain, reference_ms: int) -> None:
        super().__init__(domain, reference_ms)
        self._plans: dict[str, list[_Key]] = {}

    def columns(
        self, entity: str | None, n: int, rng: np.random.Generator, rows: int | range = 0
    ) -> ObjectColumns | list[Any]:
        drawn = super().columns(entity, n, rng, rows)
        keys = self._key_plans(entity)
        if keys and isinstance(drawn, ObjectColumns) and n > 0:
            numbers = rows if isinstance(rows, range) else range(rows, rows + n)
            for key in keys:
                key.apply(drawn, numbers)
        return drawn

    def unique_room(self, entity: str | None) -> list[tuple[tuple[str, ...], int, str]]:
        """Besides the one-column keys, each multi-column key spelled from its columns'
        values (every column an integer, enum or boolean one: ``(row_no, seat_no)``), whose
        combinations are all the rows it can tell apart. A key with a free-text column,
        a foreign key's or another kind (a date) is not bounded so."""
        out = super().unique_room(entity)
        for key in self._key_plans(entity):
            if key.text is None and len(key.digits) == len(key.columns):
                room = math.prod(d.size for d in key.digits)
                which = " × ".join(f"{d.name}: {d.describe()}" for d in key.digits)
                out.append((key.columns, room, which))
        return out

    def _key_plans(self, entity: str | None) -> list[_Key]:
        ent = self.domain.entity(entity)
        keys = self._plans.get(ent.name)
        if keys is None:
            keys = self._plans[ent.name] = _plan(ent)
        return keys


@dataclass(frozen=True)
class _Digit:
    """A key column that takes one of ``size`` values: ``value(d)`` for d in 0..size-1."""

    name: str
    schema: Schema
    size: int
    low: int = 0

    def value(self, d: int) -> Any:
        s = self.schema
        if s.enum is not None:
            return s.enum[d]
        if s.type == "boolean":
            return bool(d)
        return self.low + d

    def describe(self) -> str:
        """The values, as the room check names them: ``1 to 9``, ``'a', 'b'``."""
        if self.schema.enum is not None or self.schema.type == "boolean":
            values = [repr(self.value(d)) for d in range(min(self.size, 5))]
            return ", ".join(values) + (", ..." if self.size > 5 else "")
        return f"{self.low} to {self.low + self.size - 1}"


@dataclass(frozen=True)
class _Key:
    columns: tuple[str, ...]
    text: str | None = None  # the free-text column carrying the row number
    max_length: int | None = None
    min_length: int = 0
    digits: tuple[_Digit, ...] = ()

    def apply(self, drawn: ObjectColumns, rows: range) -> None:
        if self.text is not None:
            self._carry(drawn, rows)
        else:
            self._spell(drawn, rows)

    def _carry(self, drawn: ObjectColumns, rows: range) -> None:
        j = drawn.names.index(self.text) if self.text in drawn.names else -1
        if j < 0:
            return
        absent = set(drawn.absent[j])
        column = drawn.columns[j]
        assert isinstance(column, list)
        out = list(column)
        for i, row in enumerate(rows):
            value = out[i]
            if i in absent or not isinstance(value, str):
                continue  # (a NULL never clashes)
            # (past 36**max_length rows, keys come round again)
            key = str(row) if self.max_length is None else base36(row % 36**self.max_length)
            out[i] = _tagged(value, key, self.min_length, self.max_length)
        drawn.columns[j] = out

    def _spell(self, drawn: ObjectColumns, rows: range) -> None:
        total = math.prod(d.size for d in self.digits)
        step = _SCRAMBLE
        while math.gcd(step, total) != 1:
            step += 2
        places = []
        for d in self.digits:
            j = drawn.names.index(d.name) if d.name in drawn.names else -1
            if j >= 0:
                column = drawn.columns[j]
                assert isinstance(column, list)
                places.append((d, j, list(column), set(drawn.absent[j])))
        for i, row in enumerate(rows):
            at = (row % total * step) % total
            for d, _, out, absent in places:
                at, digit = divmod(at, d.size)
                if i not in absent and out[i] is not None:
                    out[i] = d.value(digit)
        for _, j, out, _ in places:
            drawn.columns[j] = out


def _plan(ent: Entity) -> list[_Key]:
    """The multi-column keys of ``ent`` that need rewriting, and how."""
    if ent.schema.type != "object" or ent.schema.variants:
        return []
    unique = set(ent.unique_columns)
    linked = {c for fk in ent.foreign_keys for c in fk.columns}
    out: list[_Key] = []
    for cols in ent.keys:  # (a primary key of several columns too)
        if len(cols) < 2 or unique & set(cols):
            continue
        fields = [f for c in cols if c not in linked and (f := ent.schema.field(c)) is not None]
        texts = [f for f in fields if _free_text(f.schema)]
        if texts:
            widest = max(texts, key=lambda f: f.schema.max_length or math.inf)
            out.append(
                _Key(
                    cols,
                    text=widest.name,
                    max_length=widest.schema.max_length,
                    min_length=widest.schema.min_length or 0,
                )
            )
            unique.add(widest.name)  # (a later key over this column is unique already)
            continue
        digits = tuple(d for f in fields if (d := _digit(f.name, f.schema)) is not None)
        if digits:
            out.append(_Key(cols, digits=digits))
    return out


def _free_text(s: Schema) -> bool:
    return (
        s.type == "string"
        and s.enum is None
        and not s.has_const
        and not s.pattern
        and s.format is None
        and (s.max_length is None or s.max_length >= 2)
    )


def _digit(name: str, s: Schema) -> _Digit | None:
    if s.has_const:
        return None
    if s.enum is not None:
        members = [v for v in s.enum if v is not None]
        return _Digit(name, s, len(members)) if members and len(members) == len(s.enum) else None
    if s.type == "boolean":
        return _Digit(name, s, 2)
    if s.type == "integer" and not s.multiple_of:
        low, high = numeric_bounds(s, integer=True)
        if math.isfinite(low) and math.isfinite(high) and high >= low:
            return _Digit(name, s, int(high) - int(low) + 1, int(low))
    return None


def _tagged(value: str, key: str, min_length: int, max_length: int | None) -> str:
    """``value`` ending in ``_<key>`` (only the key when there is no room for more), padded
    with '_' (never a digit of a key) up to ``min_length``: distinct keys, distinct values."""
    if max_length is None or len(value) + 1 + len(key) <= max_length:
        out = f"{value}_{key}" if value else key
    elif max_length - len(key) - 1 >= 1:
        out = f"{value[: max_length - len(key) - 1]}_{key}"
    else:
        out = key
    return out + "_" * (min_length - len(out)) if len(out) < min_length else out
