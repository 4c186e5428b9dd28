"""A dataset as Arrow record batches: the columns ``--format parquet`` writes, block by block.

For engines that take Arrow (Spark's ``mapInArrow``, DuckDB, Polars): the batches of records
``[start, stop)`` are the rows of the Parquet file of the same run, with the same column types,
which the dataset's first block fixes (``sinks/parquet.column_kinds``). So batches made apart
(in other processes, on other machines) share one schema and join into the file's table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from persona_gen.runtime.dataset import BlockSpans, Dataset
    from persona_gen.sinks.parquet import ParquetEncoder

__all__ = ["arrow_encoder", "arrow_schema", "record_batches"]


def arrow_encoder(dataset: Dataset) -> ParquetEncoder:
    """The encoder that makes ``dataset``'s Arrow tables (its column kinds bound)."""
    from persona_gen.runtime.write import make_encoder

    encoder: ParquetEncoder = make_encoder(dataset, "parquet")  # type: ignore[assignment]
    return encoder


def arrow_schema(dataset: Dataset, encoder: ParquetEncoder | None = None) -> Any:
    """The ``pyarrow.Schema`` of every batch of ``dataset`` (a dataset of no records: none)."""
    import pyarrow as pa

    encoder = encoder or arrow_encoder(dataset)
    if not encoder.kinds:
        return pa.schema([])
    return encoder.table([]).schema


def record_batches(
    dataset: Dataset,
    start: int = 0,
    stop: int | None = None,
    encoder: ParquetEncoder | None = None,
) -> Iterator[Any]:
    """Records ``[start, stop)`` as ``pyarrow.RecordBatch``es, one per block touched (a
    wrong range is refused here, not at the first batch)."""
    spans = dataset.block_range(start, stop)
    return _batches(dataset, spans, encoder or arrow_encoder(dataset))


def _batches(dataset: Dataset, spans: BlockSpans, encoder: ParquetEncoder) -> Iterator[Any]:
    chunk = dataset.chunk_columns if dataset.columnar else dataset.chunk
    for index, lo, hi in spans:
        table = encoder.table(chunk(index, lo, hi))
        yield from table.to_batches(max_chunksize=None)
