"""Producing a dataset's blocks, encoded, in order: in this process or in a process pool.

Each block depends only on (seed, dataset, block index), so workers compute and encode blocks
independently and the parent writes them in index order: the bytes are identical whatever
the number of workers. At most a few blocks per worker are in flight, so memory stays bounded
whatever the record count.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from persona_gen.runtime.dataset import Dataset, DatasetStats
from persona_gen.sinks.encoders import Encoder

__all__ = ["encoded_blocks"]

_IN_FLIGHT_PER_WORKER = 3

# Set in the parent just before the pool forks: workers inherit the dataset and encoder
# instead of receiving them pickled.
_JOB: dict[str, tuple[Dataset, Encoder]] = {}


def _encode(task: tuple[int, int, int, bool]) -> tuple[Any, DatasetStats]:
    dataset, encoder = _JOB["current"]
    index, lo, hi, first = task
    records = dataset.chunk(index, lo, hi)
    stats = DatasetStats()
    stats.add(records)
    return encoder.encode(records, first), stats


def encoded_blocks(
    dataset: Dataset, encoder: Encoder, workers: int = 1
) -> Iterator[tuple[Any, DatasetStats]]:
    """``(payload, stats)`` per block of the dataset, in order."""
    tasks = [(index, lo, hi, n == 0) for n, (index, lo, hi) in enumerate(dataset.block_range())]
    _JOB["current"] = (dataset, encoder)
    if workers <= 1 or len(tasks) <= 1:
        try:
            for task in tasks:
                yield _encode(task)
        finally:
            _JOB.clear()
        return
    # Warm the lazily built tables (vocabularies, compiled patterns, row builders) here, once:
    # forked workers inherit them instead of each building its own.
    index, lo, _ = tasks[0][:3]
    dataset.chunk(index, lo, lo + 1)
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            pending: list[Future[tuple[Any, DatasetStats]]] = []
            queue = iter(tasks)
            for task in queue:
                pending.append(pool.submit(_encode, task))
                if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                    break
            while pending:
                result = pending.pop(0).result()
                nxt = next(queue, None)
                if nxt is not None:
                    pending.append(pool.submit(_encode, nxt))
                yield result
    finally:
        _JOB.clear()
