"""Running a dataset into an encoder and a destination, with its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from persona_gen.runtime.dataset import Dataset
from persona_gen.runtime.manifest import manifest, manifest_path, write_manifest
from persona_gen.sinks import FORMATS
from persona_gen.sinks.output import open_output

__all__ = ["write_dataset"]


def write_dataset(
    dataset: Dataset,
    output: Path | None,
    fmt: str,
    *,
    pretty: bool = False,
    progress: Any = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Encode every record of ``dataset`` to ``output`` (stdout when None)."""
    encoder_cls = FORMATS.get(fmt)
    dialect = None
    generator = dataset.lanes[0].generator
    if fmt == "csv" and hasattr(generator, "dialect"):
        dialect = generator.dialect(dataset.settings())
    bar = progress(dataset.count) if progress is not None and dataset.count >= 50_000 else None
    with open_output(output) as stream:
        encoder = encoder_cls(stream, pretty=pretty, dialect=dialect)
        encoder.begin()
        for chunk in dataset.blocks():
            encoder.write(chunk)
            if bar is not None:
                bar.advance(len(chunk))
        encoder.end()
    if bar is not None:
        bar.close()
    doc = manifest(dataset, output=str(output) if output else None, fmt=fmt, extra=extra)
    if output is not None:
        write_manifest(manifest_path(output), doc)
    return doc
