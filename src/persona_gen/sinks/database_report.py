"""What a database load did: rows per table, tables created, committed or not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LoadReport", "LoadShare", "TableCounts"]


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
    # Rows taken from the dataset when the load is of one (what its manifest counts when the
    # load stops part-way: rows made but never offered, by --workers ahead, say, are not).
    records: int | None = None
    # Of a load of several datasets: each one's tables (those it fills and the parents
    # generated for it) and, once the load stopped, the rows taken from it (``share``).
    owned: dict[str, list[str]] = field(default_factory=dict)
    taken: dict[str, int] = field(default_factory=dict)

    def share(self, dataset: str) -> LoadShare:
        """What ``dataset``'s manifest says of this load of several datasets."""
        return LoadShare(self, dataset)

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


@dataclass(frozen=True)
class LoadShare:
    """One dataset's share of a load of several: its ``records`` (the rows the load took
    from it) and ``to_manifest()`` (its own tables, and the whole transaction), as a
    ``LoadReport`` of a load of one dataset has them."""

    load: LoadReport
    dataset: str

    @property
    def records(self) -> int | None:
        return self.load.taken.get(self.dataset)

    def to_manifest(self) -> dict[str, Any]:
        return self.load.to_manifest(self.load.owned.get(self.dataset, []))
