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
    # Of a table several datasets fill: each one's own rows, by dataset name (the counts
    # above are the table's, all of them together).
    datasets: dict[str, TableCounts] = field(default_factory=dict)

    def settle(self) -> None:
        """Once the load committed: each dataset's loaded rows (every row of the table
        kept for it went in)."""
        for own in self.datasets.values():
            own.loaded = own.offered - own.skipped_invalid - own.unlinked

    def to_manifest(self, dataset: str | None = None) -> dict[str, Any]:
        """The table's counts; those of ``dataset``'s own rows when several datasets fill
        the table, with the others it shares the table with."""
        own = self.datasets.get(dataset or "")
        counts = self if own is None else own
        out: dict[str, Any] = {
            "offered": counts.offered,
            "loaded": counts.loaded,
            "skipped_invalid": counts.skipped_invalid,
            "unlinked": counts.unlinked,
        }
        if self.generated_for:
            out["generated_for"] = list(self.generated_for)
        if own is not None:
            out["shared_with"] = [name for name in self.datasets if name != dataset]
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

    def to_manifest(
        self, tables: Iterable[str] | None = None, dataset: str | None = None
    ) -> dict[str, Any]:
        """The delivery section; ``tables`` limits it to those tables and ``dataset`` counts
        its own rows of a table it shares (one dataset's share of a load of several)."""
        shown = list(self.tables) if tables is None else [t for t in tables if t in self.tables]
        out: dict[str, Any] = {
            "destination": self.destination,
            "tables": {name: self.tables[name].to_manifest(dataset) for name in shown},
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
        return self.load.to_manifest(self.load.owned.get(self.dataset, []), self.dataset)
