"""The run manifest: what was generated, from what, and what each behaviour touched."""

from __future__ import annotations

from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from persona_gen import __version__
from persona_gen._json import json_safe
from persona_gen.runtime.dataset import Dataset, DatasetStats
from persona_gen.sinks import masked_url
from persona_gen.sinks.output import write_atomic

__all__ = ["libraries", "manifest", "manifest_path", "stats_of_first", "write_manifest"]


def manifest(
    dataset: Dataset,
    *,
    output: str | None,
    fmt: str,
    extra: dict[str, Any] | None = None,
    taken: int | None = None,
    stats: DatasetStats | None = None,
) -> dict[str, Any]:
    """The manifest of ``dataset``'s run; with ``taken``, of its first ``taken`` records
    only (a run stopped part-way: by --duration, Ctrl-C or a failing destination); with
    ``stats``, of the records those counts are of (a paced run's, which --realtime may take
    out of order)."""
    if stats is None:
        stats = dataset.stats if taken is None else stats_of_first(dataset, taken)
    doc: dict[str, Any] = {
        "tool": "persona-gen",
        "version": __version__,
        "libraries": libraries(fmt),
        "seed": dataset.seed,
        "dataset": dataset.key,
        "generator": dataset.generator,
        "count": stats.records,
        "format": fmt,
        "output": masked_url(output) if output is not None else None,
        "reference_time_ms": dataset.epoch_ms,
        "personas": [
            {
                "name": p.name,
                "version": p.version,
                "hash": p.content_hash,
                "source": p.source,
                "weight": float(w),
            }
            for p, w in zip(dataset.personas, dataset.weights.tolist(), strict=True)
        ],
        "behaviours_touched": dict(sorted(stats.behaviours.items())),
        "expected_invalid": stats.expected_invalid,
    }
    if stats.mutations:
        doc["mutations"] = dict(sorted(stats.mutations.items()))
    if extra:
        doc.update(extra)
    return doc


def libraries(fmt: str) -> dict[str, str]:
    """The installed versions of the libraries the data's bytes depend on besides
    persona-gen (``docs/determinism.md``): NumPy, whose distributions may change between
    releases, Mimesis' word lists, and for a Parquet file pyarrow's writer. A dataset is
    replayed elsewhere with these versions installed."""
    names = ("numpy", "mimesis", "pyarrow") if fmt == "parquet" else ("numpy", "mimesis")
    return {name: _version(name) for name in names}


@cache
def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # (a source tree on sys.path, no metadata)
        return "unknown"


def stats_of_first(dataset: Dataset, taken: int) -> DatasetStats:
    """The counts of the dataset's first ``taken`` records, from the counts of every record
    made so far: the records made but not taken (the rest of the last blocks) are made
    again, a block is the same every time, and their counts taken off."""
    made = dataset.stats.records
    if taken >= made:
        return dataset.stats
    extra = DatasetStats()
    for index, lo, hi in dataset.block_range(taken, made):
        extra.add(dataset.chunk(index, lo, hi))
    return dataset.stats.without(extra)


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


def write_manifest(path: Path, doc: dict[str, Any]) -> None:
    write_atomic(path, orjson.dumps(json_safe(doc), option=orjson.OPT_INDENT_2) + b"\n")
