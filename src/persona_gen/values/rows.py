"""Zipping columns into row dicts, fast.

``dict(zip(names, values))`` per row costs about twice a dict display: for a fixed tuple of
names we compile, once, a function whose body is that display, and map it over the columns.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

__all__ = ["rows_from_columns"]


def rows_from_columns(names: tuple[str, ...], columns: list[list[Any]]) -> list[dict[str, Any]]:
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
