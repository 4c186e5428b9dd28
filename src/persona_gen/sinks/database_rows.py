"""The rows each table of a load gets: streamed as generated, or generated whole and linked
by foreign keys; rows invalid as loaded are left out and counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from persona_gen.sinks.database_plan import Part, Where
from persona_gen.sinks.database_report import LoadReport, TableCounts
from persona_gen.sinks.written import WrittenLabels

if TYPE_CHECKING:
    from persona_gen.runtime.dataset import Dataset

__all__ = ["prepare_rows"]

_ORIGIN = "\x00origin"  # a row's (source, index) while foreign keys are linked; never a column


def _rows(
    dataset: Dataset,
    counts: TableCounts,
    own: TableCounts | None,
    labels: WrittenLabels | None,
    bar: Any,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index in the dataset, row) of every row to load: every row, or (``labels``) those
    valid as the table is given them. Counted as taken, in the table's ``counts`` and, of a
    table several datasets fill, in this dataset's ``own``."""
    index = 0
    for block in dataset.blocks():
        valid = [True] * len(block) if labels is None else [v for v, _, _ in labels.block(block)]
        for row, keep in zip(block, valid, strict=True):
            counts.offered += 1
            if own is not None:
                own.offered += 1
            if keep:
                yield index, row
            else:
                counts.skipped_invalid += 1
                if own is not None:
                    own.skipped_invalid += 1
            index += 1
        if bar is not None:
            bar.advance(len(block))


def _part_rows(
    part: Part, counts: TableCounts, include_invalid: bool, drops_nul: bool, bar: Any
) -> Iterator[tuple[Where, dict[str, Any]]]:
    for s, source in enumerate(part.sources):
        labels = None
        if not include_invalid:
            # (what a row breaks as loaded: read-only columns are not, PostgreSQL drops NUL)
            generator: Any = source.dataset.lanes[0].generator  # (a file generator)
            labels = WrittenLabels(
                part.spec, part.entity, part.domain, generator.data_columns, drops_nul=drops_nul
            )
        own = _own_counts(part, counts, s)
        for index, row in _rows(source.dataset, counts, own, labels, bar):
            yield (s, index), row


def _own_counts(part: Part, counts: TableCounts, s: int) -> TableCounts | None:
    """Source ``s``'s own counts, when several datasets fill the part's table."""
    if len(part.sources) < 2:
        return None
    return counts.datasets.setdefault(part.sources[s].name, TableCounts())


def prepare_rows(
    parts: list[Part], report: LoadReport, include_invalid: bool, drops_nul: bool, bar: Any
) -> None:
    """Give every table its rows: streamed as generated, or — for tables linked by foreign
    keys — generated whole and linked with ``link_foreign_keys`` (children reference loaded
    parent rows; deterministic from the seed). Rows invalid as loaded are left out unless
    ``include_invalid``."""
    from persona_gen.importers.ddl import link_foreign_keys
    from persona_gen.seeds import block_stream

    groups: list[list[Part]] = []
    for part in parts:
        for group in groups:
            if group[0].domain is part.domain or group[0].domain == part.domain:
                group.append(part)
                break
        else:
            groups.append([part])
    for group in groups:
        entities = {p.entity.name for p in group}
        if not any(fk.entity in entities for p in group for fk in p.entity.foreign_keys):
            for part in group:
                counts = report.tables[part.spec.name]
                part.rows = _part_rows(part, counts, include_invalid, drops_nul, bar)
            continue
        rows_by_entity: dict[str, list[dict[str, Any]]] = {}
        for part in group:
            counts = report.tables[part.spec.name]
            rows = []
            for where, row in _part_rows(part, counts, include_invalid, drops_nul, bar):
                row[_ORIGIN] = where
                rows.append(row)
            rows_by_entity[part.entity.name] = rows
        first = group[0].sources[0].dataset
        rng = block_stream(first.seed, "foreign-keys", *(p.spec.name for p in group))
        linked = link_foreign_keys(group[0].domain, rows_by_entity, rng)
        for part in group:
            kept = linked.get(part.entity.name, rows_by_entity[part.entity.name])
            counts = report.tables[part.spec.name]
            counts.unlinked = len(rows_by_entity[part.entity.name]) - len(kept)
            if counts.datasets:
                # (each dataset's rows left out: its rows given less its rows kept)
                given = Counter(row[_ORIGIN][0] for row in rows_by_entity[part.entity.name])
                given.subtract(row[_ORIGIN][0] for row in kept)
                for s, source in enumerate(part.sources):
                    counts.datasets.setdefault(source.name, TableCounts()).unlinked = given[s]
            part.linked = [(row.pop(_ORIGIN), row) for row in kept]
            part.rows = part.linked
