"""The run manifest: what was generated, from what, and what each behaviour touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from persona_gen import __version__
from persona_gen.runtime.dataset import Dataset
from persona_gen.sinks.output import write_atomic

__all__ = ["manifest", "manifest_path", "write_manifest"]


def manifest(
    dataset: Dataset, *, output: str | None, fmt: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    stats = dataset.stats
    doc: dict[str, Any] = {
        "tool": "persona-gen",
        "version": __version__,
        "seed": dataset.seed,
        "dataset": dataset.key,
        "generator": dataset.generator,
        "count": stats.records,
        "format": fmt,
        "output": output,
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


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".manifest.json")


def write_manifest(path: Path, doc: dict[str, Any]) -> None:
    write_atomic(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
