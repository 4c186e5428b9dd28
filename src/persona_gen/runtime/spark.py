"""A dataset as a Spark DataFrame, its blocks made on the executors with ``mapInArrow``.

The driver fixes the columns (from the dataset's first block, as ``--format parquet`` does)
and hands Spark one row per block index; each task makes its blocks and returns them as Arrow
batches. A block depends only on (seed, dataset, block index), so the DataFrame's rows are the
rows of the Parquet file of the same run, in order, for any number of partitions: scale-out
without a home-made cluster (DESIGN §6, docs/scaling-out.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from persona_gen.errors import UsageError
from persona_gen.seeds import BLOCK_SIZE

if TYPE_CHECKING:
    from persona_gen.runtime.dataset import Dataset
    from persona_gen.sinks.parquet import ParquetEncoder

__all__ = ["to_spark"]


def to_spark(dataset: Dataset, spark: Any, partitions: int | None = None) -> Any:
    """``dataset``'s records as a ``pyspark.sql.DataFrame`` of ``spark`` (a SparkSession),
    made in ``partitions`` tasks (default: the session's default parallelism)."""
    from persona_gen.runtime.arrow import arrow_encoder, arrow_schema
    from persona_gen.runtime.dataset import is_whole_number

    try:
        from pyspark.sql.pandas.types import from_arrow_schema
    except ImportError as exc:
        raise UsageError("Spark output needs pyspark: pip install 'persona-gen[spark]'") from exc
    _check_session(spark)
    if partitions is not None and (not is_whole_number(partitions) or partitions < 1):
        raise UsageError(f"partitions must be a whole number of at least 1, got {partitions!r}")
    encoder = arrow_encoder(dataset)
    schema = from_arrow_schema(arrow_schema(dataset, encoder))
    blocks = -(-dataset.count // BLOCK_SIZE)
    tasks = int(partitions) if partitions is not None else _default_parallelism(spark)
    if tasks is None:  # (Spark Connect: the server's default)
        indices = spark.range(0, blocks)
    else:
        indices = spark.range(0, blocks, numPartitions=max(1, min(tasks, blocks)))
    return indices.mapInArrow(_BlockMaker(dataset, encoder), schema)


# Where pyspark defines its sessions: the classic one (a JVM in this process) and Spark
# Connect's (a client of a remote server), which is not a subclass of the classic one.
_SESSIONS = {
    ("pyspark.sql.session", "SparkSession"),
    ("pyspark.sql.connect.session", "SparkSession"),
}


def _check_session(spark: Any) -> None:
    """A ``UsageError`` for anything but a SparkSession (a SparkContext, a master URL...)."""
    if not any((c.__module__, c.__name__) in _SESSIONS for c in type(spark).__mro__):
        raise UsageError(
            "to_spark takes a pyspark.sql.SparkSession (SparkSession.builder.getOrCreate()), "
            f"got {spark!r:.80}"
        )


def _default_parallelism(spark: Any) -> int | None:
    """The session's default parallelism; None for a Spark Connect session, whose client
    has no SparkContext to ask (the server then picks the number of tasks)."""
    try:
        context = spark.sparkContext
    except Exception:  # (Spark Connect raises its own "not implemented" error)
        return None
    return int(context.defaultParallelism)


class _BlockMaker:
    """What each task runs: the blocks its batches of indices name, as Arrow batches. The
    dataset and its bound encoder travel to the executors pickled."""

    def __init__(self, dataset: Dataset, encoder: ParquetEncoder) -> None:
        self.dataset, self.encoder = dataset, encoder

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        from persona_gen.runtime.arrow import record_batches

        count = self.dataset.count
        for batch in batches:
            for index in batch.column(0).to_pylist():
                start = index * BLOCK_SIZE
                stop = min(start + BLOCK_SIZE, count)
                # (schema metadata, the JSON-text column list, is the Parquet file's: Spark
                # takes the schema it was given)
                for out in record_batches(self.dataset, start, stop, self.encoder):
                    yield out.replace_schema_metadata(None)
