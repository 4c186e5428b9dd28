"""Zipping columns into row dicts, fast; and a block kept as its columns.

``dict(zip(names, values))`` per row costs about twice a dict display: for a fixed tuple of
names we compile, once, a function whose body is that display, and map it over the columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np

__all__ = ["Column", "RowColumns", "rows_from_columns", "values_of"]

Column = Sequence[Any] | np.ndarray
"""A column of a ``RowColumns``: Python values, or a NumPy array of numbers or booleans."""


def rows_from_columns(
    names: tuple[str, ...], columns: Sequence[Sequence[Any]]
) -> list[dict[str, Any]]:
    """One dict per row, keys in ``names`` order; every column has the same length."""
    if not names:
        return []
    lengths = {len(c) for c in columns}
    if len(lengths) != 1 or len(columns) != len(names):
        raise ValueError("columns must match the names and have equal lengths")
    return list(map(_maker(names), *columns))


@lru_cache(maxsize=512)
def _maker(names: tuple[str, ...]) -> Callable[..., dict[str, Any]]:
    args = ", ".join(f"v{i}" for i in range(len(names)))
    # repr() of each name is a valid string literal whatever the name holds.
    body = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
    maker: Callable[..., dict[str, Any]] = eval(f"lambda {args}: {{{body}}}")
    return maker


@dataclass(frozen=True)
class RowColumns:
    """A block of flat rows kept as its columns, for an encoder that takes columns
    (Parquet): making a dict per row only for the encoder to take it apart again was a
    fifth of a ``load`` run to Parquet. ``rows()`` gives the records every other consumer
    takes, the very dicts ``rows_from_columns`` makes.

    A column is a list of Python values or a NumPy array of ints, floats or booleans (its
    ``tolist()`` being the values). ``absent``: per row, the keys its record lacks (a
    removed field, which a column holds as None)."""

    names: tuple[str, ...]
    columns: list[Column]
    absent: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.names) or len({len(c) for c in self.columns}) > 1:
            raise ValueError("columns must match the names and have equal lengths")

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def rows(self) -> list[dict[str, Any]]:
        lists = [c.tolist() if isinstance(c, np.ndarray) else c for c in self.columns]
        out = rows_from_columns(self.names, lists)
        for i, keys in self.absent.items():
            for key in keys:
                del out[i][key]
        return out

    def column(self, name: str) -> Column | None:
        """The values of column ``name`` (None for a name the rows lack)."""
        try:
            return self.columns[self.names.index(name)]
        except ValueError:
            return None

    def slice(self, lo: int, hi: int) -> RowColumns:
        """Rows ``lo:hi``."""
        if (lo, hi) == (0, len(self)):
            return self
        absent = {i - lo: keys for i, keys in self.absent.items() if lo <= i < hi}
        return RowColumns(self.names, [c[lo:hi] for c in self.columns], absent)


def values_of(records: list[dict[str, Any]] | RowColumns, name: str) -> list[Any] | np.ndarray:
    """Each record's value of ``name``, None where a record lacks it (a ``RowColumns``
    column as it is: a NumPy array stays one)."""
    if isinstance(records, RowColumns):
        values = records.column(name)
        if values is None:
            return [None] * len(records)
        return values if isinstance(values, np.ndarray) else list(values)
    try:  # (flat rows have every column: itemgetter is about twice as fast as get)
        return list(map(itemgetter(name), records))
    except KeyError:
        return [r.get(name) for r in records]
