"""A growing output file is handed to writeback as it grows (sinks/output.py ``Writeback``),
so the fsync that completes it waits for its tail only; the bytes are the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.runtime.write import write_dataset
from persona_gen.sinks import output


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_an_output_is_handed_to_writeback_as_it_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, fmt: str
) -> None:
    # (an output is written whole before its fsync: 0.3 s a GB with nothing else going on)
    ranges: list[tuple[int, int]] = []
    monkeypatch.setattr(output, "WRITEBACK_BYTES", 64 << 10)
    monkeypatch.setattr(output, "_FADVISE", lambda fd, at, size, advice: ranges.append((at, size)))
    # (Parquet is written a part of 32,768 rows at a time)
    count = 100_000 if fmt == "parquet" else 5000
    dataset = Dataset([(PersonaCatalog().get("normal_user"), 1.0)], "file", count, 3)
    target = tmp_path / f"out.{fmt}"
    write_dataset(dataset, target, fmt, workers=workers)
    size = target.stat().st_size
    assert len(ranges) >= 3, ranges
    ends = [at + length for at, length in ranges]
    assert [at for at, _ in ranges] == [0, *ends[:-1]]  # (one after the other, from the start)
    assert all(length >= 64 << 10 for _, length in ranges)
    assert ends[-1] <= size


def test_writeback_leaves_the_bytes_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = Dataset([(PersonaCatalog().get("noisy_device"), 1.0)], "streaming", 3000, 5)
    write_dataset(dataset, tmp_path / "plain.jsonl", "jsonl", workers=2)
    monkeypatch.setattr(output, "WRITEBACK_BYTES", 16 << 10)
    write_dataset(dataset, tmp_path / "handed.jsonl", "jsonl", workers=2)
    assert (tmp_path / "plain.jsonl").read_bytes() == (tmp_path / "handed.jsonl").read_bytes()
