"""An object-typed column kept as columns: one list per field, rows made only on demand.

The synthesizer draws every field of an object a column at a time; joining those columns into
one dict per record is then a large share of its work. A consumer that wants columns back
(the ``file`` generator's flat rows) reads them from here directly, and the records a
behaviour must edit are made one at a time (``LazyRecords``). Rows made from an
``ObjectColumns`` are exactly the records the synthesizer returns, key order included.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias, overload

from persona_gen.values.rows import rows_from_columns

__all__ = ["LazyRecords", "ObjectColumns", "value_at"]

Column: TypeAlias = "list[Any] | ObjectColumns"


@dataclass(slots=True, eq=False)
class ObjectColumns:
    """``n`` objects as columns. ``absent[j]`` lists the rows that leave field ``j`` out
    (optional fields); ``null`` the rows where the object itself is null."""

    n: int
    names: tuple[str, ...]
    columns: list[Column]
    absent: list[list[int]]
    null: list[int] = field(default_factory=list)
    _absent_sets: list[frozenset[int]] | None = None
    _null_set: frozenset[int] | None = None

    def rows(self) -> list[Any]:
        """Every object as a dict (None where null), as the synthesizer returns them."""
        values = [c.rows() if isinstance(c, ObjectColumns) else c for c in self.columns]
        rows: list[Any] = (
            rows_from_columns(self.names, values) if values else [{} for _ in range(self.n)]
        )
        for name, gone in zip(self.names, self.absent, strict=True):
            for i in gone:
                del rows[i][name]
        for i in self.null:
            rows[i] = None
        return rows

    def row(self, i: int) -> Any:
        """Object ``i`` alone: the same dict ``rows()[i]`` is."""
        if self._null_set is None:
            self._null_set = frozenset(self.null)
            self._absent_sets = [frozenset(gone) for gone in self.absent]
        if i in self._null_set:
            return None
        assert self._absent_sets is not None
        return {
            name: c.row(i) if isinstance(c, ObjectColumns) else c[i]
            for name, c, gone in zip(self.names, self.columns, self._absent_sets, strict=True)
            if i not in gone
        }

    def leaf(self, path: tuple[str | int, ...]) -> list[Any]:
        """The value at ``path`` in each object, None where it or a parent is missing or
        null (nested objects and arrays as they are). It may be a drawn column itself: copy
        it before changing it."""
        if not path or path[0] not in self.names:
            return [None] * self.n
        j = self.names.index(path[0])
        column, rest = self.columns[j], path[1:]
        values: list[Any]
        if isinstance(column, ObjectColumns):
            values = column.leaf(rest) if rest else column.rows()
        elif rest:
            values = [value_at(v, rest) for v in column]
        else:
            values = column
        if self.absent[j] or self.null:
            values = list(values)  # (it may be a column itself)
            for i in self.absent[j]:
                values[i] = None
            for i in self.null:
                values[i] = None
        return values

    def missing(self, path: tuple[str | int, ...]) -> set[int]:
        """The rows with no value at ``path``: the field or a parent object left out, null
        or not an object. A null value is a value (present)."""
        out = set(self.null)
        if not path:
            return out
        if path[0] not in self.names:
            return set(range(self.n))
        j = self.names.index(path[0])
        out.update(self.absent[j])
        column, rest = self.columns[j], path[1:]
        if rest:
            if isinstance(column, ObjectColumns):
                out.update(column.missing(rest))
            else:
                out.update(i for i, v in enumerate(column) if not _has(v, rest))
        return out


def _has(value: Any, path: tuple[str | int, ...]) -> bool:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True


def value_at(value: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` inside ``value``; None past a missing key or a non-object."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


class LazyRecords(Sequence[Any]):
    """The records of an ``ObjectColumns``, each made when first read and kept: behaviours
    edit the few records they mark, and ``made`` says which rows may differ from the
    columns."""

    def __init__(self, source: ObjectColumns) -> None:
        self.source = source
        self._made: dict[int, Any] = {}

    def __len__(self) -> int:
        return self.source.n

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        made = self._made
        if i not in made:
            made[i] = self.source.row(i)
        return made[i]

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    @property
    def made(self) -> dict[int, Any]:
        """The records read so far, by row."""
        return self._made
