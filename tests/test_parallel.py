"""Forked workers: results in block order, a worker's failure reported once, no process left."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persona_gen import Dataset, PersonaCatalog
from persona_gen.errors import GenerationError
from persona_gen.runtime import parallel
from persona_gen.runtime.parallel import WorkerError, encoded_blocks, placed_blocks
from persona_gen.sinks.encoders import JsonLinesEncoder

CATALOG = PersonaCatalog()


def _dataset(count: int = 6_000) -> Dataset:
    return Dataset([(CATALOG.get("normal_user"), 1.0)], "streaming", count, seed=5)


@pytest.fixture(autouse=True)
def _no_workers_left() -> Iterator[None]:
    yield
    with pytest.raises(ChildProcessError):  # every worker was reaped
        os.waitpid(-1, os.WNOHANG)


def test_two_workers_give_the_blocks_of_one_in_order() -> None:
    one = list(encoded_blocks(_dataset(), JsonLinesEncoder(), 1))
    two = list(encoded_blocks(_dataset(), JsonLinesEncoder(), 3))
    assert [bytes(p) for p, _ in two] == [p for p, _ in one]
    assert [s.records for _, s in two] == [s.records for _, s in one]


def _before_block(monkeypatch: pytest.MonkeyPatch, at: int, act: Callable[[], None]) -> None:
    """``act()`` runs before block ``at`` of every dataset is made (in whichever process)."""
    chunk = Dataset.chunk

    def made(self: Dataset, index: int, lo: int, hi: int) -> list[dict[str, object]]:
        if index == at:
            act()
        return chunk(self, index, lo, hi)

    monkeypatch.setattr(Dataset, "chunk", made)


def _failing_block(monkeypatch: pytest.MonkeyPatch, failing: int) -> None:
    """Block ``failing`` of every dataset raises ``GenerationError``."""

    def fail() -> None:
        raise GenerationError(f"block {failing} cannot be made")

    _before_block(monkeypatch, failing, fail)


def test_a_workers_error_reaches_the_parent_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    _failing_block(monkeypatch, 3)
    got = []
    with pytest.raises(GenerationError, match="block 3 cannot be made"):
        for payload, _ in encoded_blocks(_dataset(), JsonLinesEncoder(), 2):
            got.append(payload)
    assert len(got) == 3  # the blocks before the failing one were delivered, in order


def test_a_worker_that_dies_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _before_block(monkeypatch, 2, lambda: os._exit(3))
    with pytest.raises(WorkerError, match=r"worker 1 ended unexpectedly \(exit code 3\)"):
        list(encoded_blocks(_dataset(), JsonLinesEncoder(), 2))


def test_stopping_early_stops_the_workers() -> None:
    blocks = encoded_blocks(_dataset(200_000), JsonLinesEncoder(), 2)
    first = next(blocks)
    assert first[1].records == 1024
    blocks.close()  # the fixture checks that no worker is left


@pytest.mark.parametrize(("start", "stop"), [(0, None), (1500, 4100)])
def test_a_datasets_blocks_from_workers_are_its_blocks(start: int, stop: int | None) -> None:
    one, two = _dataset(), _dataset()
    two.workers = 2
    assert list(two.blocks(start, stop)) == list(one.blocks(start, stop))
    assert two.stats == one.stats


def _placed(path: Path, workers: int, offset: int = 0) -> tuple[list[int], bytes]:
    with path.open("wb") as stream:
        stream.write(b"#" * offset)
        stream.flush()
        sizes = [
            size
            for size, _ in placed_blocks(
                _dataset(), JsonLinesEncoder(), workers, stream.fileno(), offset
            )
        ]
    return sizes, path.read_bytes()[offset:]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_placed_blocks_are_the_encoded_blocks_in_order(tmp_path: Path, workers: int) -> None:
    one = [p for p, _ in encoded_blocks(_dataset(), JsonLinesEncoder(), 1)]
    sizes, written = _placed(tmp_path / "out.jsonl", workers, offset=7)
    assert sizes == [len(p) for p in one]
    assert written == b"".join(one)


def test_a_placing_workers_error_reaches_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_block(monkeypatch, 4)
    with pytest.raises(GenerationError, match="block 4 cannot be made"):
        _placed(tmp_path / "out.jsonl", 2)


def test_a_write_that_fails_in_a_worker_reaches_the_parent(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"")
    with target.open("rb") as readonly, pytest.raises(OSError):  # (EBADF: not open to write)
        list(placed_blocks(_dataset(), JsonLinesEncoder(), 2, readonly.fileno(), 0))


def test_a_placing_workers_write_error_wins_over_its_closed_offset_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Worker 1 fails to write block 0 after it has announced blocks 2, 4 …, and has ended by
    # the time the parent (held up by block 1) hands it their offsets: the parent must report
    # the write's error, not the broken pipe to a worker that is gone.
    place = parallel._pwrite_all

    def failing(fd: int, data: bytes, offset: int) -> None:
        if offset == 0:
            time.sleep(0.2)
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
        place(fd, data, offset)

    monkeypatch.setattr(parallel, "_pwrite_all", failing)
    _before_block(monkeypatch, 1, lambda: time.sleep(0.6))
    with pytest.raises(OSError) as raised:
        _placed(tmp_path / "out.jsonl", 2)
    assert raised.value.errno == errno.EFBIG


@given(st.integers(0, 60), st.integers(1, 4), st.integers(1, 5))
def test_workers_shares_are_runs_that_cover_every_task_once(
    count: int, workers: int, run: int
) -> None:
    # Worker k takes every workers-th run of `run` consecutive tasks, and the parent reads
    # task n from worker n // run % workers: together, every task once, in order.
    from persona_gen.runtime.parallel import _Share

    items = list(range(count))
    shares = [list(_Share(items, k, workers, run)) for k in range(workers)]
    taken = [0] * workers
    order = []
    for n in range(count):
        k = n // run % workers
        order.append(shares[k][taken[k]])
        taken[k] += 1
    assert order == items
    assert taken == [len(share) for share in shares]
