"""Producing a dataset's blocks, encoded, in order: in this process or in forked workers.

Each block depends only on (seed, dataset, block index), so workers compute and encode blocks
independently and the parent writes them in index order: the bytes are identical whatever
the number of workers.

Worker ``k`` of ``N`` takes runs of a few consecutive blocks, every ``N``-th run
(``_Share``), and writes each encoded block to its own pipe as a length-prefixed frame; the
parent reads the pipes run by run, which is block order. Bytes go through the pipe as they
are (no pickling) and are read into one buffer per block: on two cores the parent's share of
the work is what limits ``--workers 2``, so it does as little as it can. A worker blocks once
its pipe is full, so memory stays bounded whatever the record count.

Blocks bound for a file whose blocks are simply concatenated (JSON, JSON Lines, CSV, SQL)
do not pass through the parent at all (``placed_blocks``): a worker announces each block's
size, the parent answers with the offset where it starts (the sizes before it are known,
blocks being received in order), and the worker writes the block there itself.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from queue import Empty, Queue
from typing import Any, overload

from persona_gen.errors import PersonaGenError, RecordOutputError
from persona_gen.runtime.dataset import BlockSpans, Dataset, DatasetStats
from persona_gen.seeds import BLOCK_SIZE
from persona_gen.sinks.encoders import Encoder

__all__ = ["WorkerError", "encoded_blocks", "placed_blocks", "record_blocks"]

# A frame: kind, length of the pickled stats, length of the payload.
_HEADER = struct.Struct("<BQQ")
# _PLACED: a block the worker writes into the output itself (the frame carries its size, not
# its bytes); _DONE: a placing worker has written all its blocks.
_RAW, _PICKLED, _FAILED, _PLACED, _DONE = 0, 1, 2, 3, 4
_OFFSET = struct.Struct("<Q")
_Span = tuple[int, int, int]  # a block's index and the records lo:hi of it
# The blocks one payload is made of (``Encoder.blocks_per_payload``), and whether it is the
# first payload of the output.
_Task = tuple[tuple[_Span, ...], bool]
# Room for a few encoded blocks per worker; 1 MiB is Linux's cap for unprivileged users.
_PIPE_BYTES = (4 << 20, 1 << 20)
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, named in the fcntl module only from Python 3.10 on
# Blocks read ahead of the writer: while the parent writes (to a slow disk or pipe) its reader
# thread keeps the pipes drained, so the workers do not wait.
_AHEAD_PER_WORKER = 3
# Consecutive blocks a worker takes in turn (``_Share``): a block made after the one before
# it skips rebuilding its sessions' state; a worker can run that many blocks ahead (its pipe
# and ``_AHEAD_PER_WORKER``), so the other one does not wait for its turn.
_RUN_BLOCKS = 4


class WorkerError(PersonaGenError):
    """A worker process ended without sending its block."""


class _Share(Sequence[Any]):
    """Worker ``k``'s share of ``items``: every ``workers``-th run of ``run`` consecutive
    items. Runs rather than single items because a block made after another of its dataset
    is cheaper than one made alone (sessions go on from block to block, and a block made
    alone rebuilds their state from blocks before it: personas/sessions.py)."""

    def __init__(self, items: Sequence[Any], k: int, workers: int, run: int) -> None:
        self.items, self.k, self.workers, self.run = items, k, workers, run
        cycles, rest = divmod(len(items), run * workers)
        self.length = cycles * run + min(run, max(0, rest - k * run))

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, at: int) -> Any: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[Any]: ...
    def __getitem__(self, at: int | slice) -> Any:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(self.length))]
        if not 0 <= at < self.length:
            raise IndexError(at)
        cycle, step = divmod(at, self.run)
        return self.items[(cycle * self.workers + self.k) * self.run + step]


class _Tasks(Sequence[_Task]):
    """A dataset's payloads of ``size`` block spans each, made as they are read (a huge
    ``-n`` must not list its blocks first); sliced, every k-th payload (a worker's share)."""

    def __init__(self, spans: BlockSpans, size: int, numbers: range | None = None) -> None:
        self.spans, self.size = spans, size
        self.numbers = range(0, len(spans), size) if numbers is None else numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, at: int) -> _Task: ...
    @overload
    def __getitem__(self, at: slice) -> _Tasks: ...
    def __getitem__(self, at: int | slice) -> _Task | _Tasks:
        if isinstance(at, slice):
            return _Tasks(self.spans, self.size, self.numbers[at])
        n = self.numbers[at]
        return tuple(self.spans[n : n + self.size]), n == 0


def _tasks(dataset: Dataset, encoder: Encoder, start: int = 0, stop: int | None = None) -> _Tasks:
    return _Tasks(dataset.block_range(start, stop), encoder.blocks_per_payload)


def _encode(dataset: Dataset, encoder: Encoder, task: _Task) -> tuple[Any, DatasetStats]:
    spans, first = task
    stats = DatasetStats()

    # (an encoder that takes columns gets a block of flat rows as its columns)
    columns = encoder.takes_columns and dataset.columnar

    def blocks() -> Iterator[Any]:  # (rows, or ``RowColumns`` where ``columns``)
        for index, lo, hi in spans:
            records = (dataset.chunk_columns if columns else dataset.chunk)(index, lo, hi)
            stats.add(records)
            yield records

    try:
        if len(spans) == 1:
            (records,) = blocks()
            return encoder.encode(records, first), stats
        return encoder.encode_blocks(blocks(), first), stats
    except RecordOutputError as exc:  # (its index in the payload: made the dataset's)
        index, lo, _ = spans[0]
        raise exc.at(index * BLOCK_SIZE + lo) from None


def encoded_blocks(
    dataset: Dataset,
    encoder: Encoder,
    workers: int = 1,
    start: int = 0,
    stop: int | None = None,
) -> Iterator[tuple[Any, DatasetStats]]:
    """``(payload, stats)`` per block of records ``[start, stop)`` of the dataset, in order."""
    tasks = _tasks(dataset, encoder, start, stop)
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _encode(dataset, encoder, task)
        return
    yield from _pooled(
        dataset, tasks, workers, lambda share: functools.partial(_serve, dataset, encoder, share)
    )


def _pooled(
    dataset: Dataset,
    tasks: Sequence[_Task],
    workers: int,
    work_for: Callable[[Sequence[_Task]], Callable[..., None]],
    position: int | None = None,
) -> Iterator[Any]:
    """The frames of ``tasks`` from forked workers, in task order: worker ``k`` runs
    ``work_for(share)``, its share being every ``workers``-th run of consecutive tasks (see
    ``_Share``). With ``position`` the workers place their blocks in the output from there on
    (see ``placed_blocks``)."""
    workers = min(workers, len(tasks))
    run = max(1, _RUN_BLOCKS // len(tasks[0][0]))
    # Warm the lazily built tables (vocabularies, compiled patterns, row builders) here, once:
    # forked workers inherit them instead of each building its own. Freezing the heap keeps
    # the workers' garbage collector from writing to (and so copying) the inherited pages.
    index, lo, _ = tasks[0][0][0]
    dataset.chunk(index, lo, lo + 1)
    gc.collect()
    gc.freeze()
    pool = _Pool()
    pool.position = position or 0
    try:
        for k in range(workers):
            pool.start(work_for(_Share(tasks, k, workers, run)), offsets=position is not None)
        # (a payload of many blocks, a Parquet part, is read ahead one per worker)
        ahead = workers * max(1, _AHEAD_PER_WORKER // len(tasks[0][0]))
        yield from pool.results(len(tasks), ahead, run)
    finally:
        pool.stop()
        gc.unfreeze()


def placed_blocks(
    dataset: Dataset, encoder: Encoder, workers: int, fd: int, offset: int
) -> Iterator[tuple[int, DatasetStats]]:
    """Every block of the dataset, encoded to bytes and written into the file ``fd`` from
    ``offset`` on, in order: ``(size, stats)`` per block. When it ends, every block is in
    the file.

    For outputs whose blocks are simply concatenated. Workers write their blocks into the
    file themselves (``os.pwrite`` at the offset the parent hands each block once the sizes
    before it are known), so the bytes never pass through the parent: on two cores the
    parent's copying was what held ``--workers 2`` back."""
    tasks = _tasks(dataset, encoder)
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            payload, stats = _encode(dataset, encoder, task)
            _pwrite_all(fd, payload, offset)
            offset += len(payload)
            yield len(payload), stats
        return
    yield from _pooled(
        dataset,
        tasks,
        workers,
        lambda share: functools.partial(_serve_placed, dataset, encoder, share, fd),
        position=offset,
    )


def _serve_placed(
    dataset: Dataset,
    encoder: Encoder,
    tasks: Sequence[_Task],
    output: int,
    fd: int,
    offsets: int,
) -> None:
    """A placing worker's life: encode its blocks in order and announce each one's size; a
    thread writes each block into the output once its offset comes back."""
    pending: Queue[bytes | None] = Queue(_AHEAD_PER_WORKER)
    failures: list[BaseException] = []

    def place() -> None:
        try:
            while (payload := pending.get()) is not None:
                offset = _read_exactly(offsets, _OFFSET.size)
                if offset is None:
                    raise WorkerError("the parent process stopped")
                (at,) = _OFFSET.unpack(offset)
                _pwrite_all(output, payload, at)
        except BaseException as exc:
            failures.append(exc)
            while pending.get() is not None:  # let the encoding side finish
                pass

    writer = threading.Thread(target=place, daemon=True)
    writer.start()
    failure: BaseException | None = None
    for task in tasks:
        if failures:
            break
        try:
            payload, stats = _encode(dataset, encoder, task)
        except BaseException as exc:
            failure = exc
            break
        pending.put(payload)
        blob = pickle.dumps(stats)
        _write_all(fd, _HEADER.pack(_PLACED, len(blob), len(payload)) + blob)
    pending.put(None)
    writer.join()
    failure = failure or (failures[0] if failures else None)
    if failure is not None:
        _send(fd, _FAILED, _picklable(failure), b"")
    else:
        _send(fd, _DONE, b"", b"")


def _pwrite_all(fd: int, data: bytes | memoryview, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def _read_exactly(fd: int, size: int) -> bytearray | None:
    """``size`` bytes from ``fd`` into one buffer, or None if the writer closed it first."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            return None
        got += n
    return buffer


class _Records(Encoder):
    """Blocks as they are: for sinks, which take records (sent pickled by the workers)."""

    extension = ""

    def encode(self, records: list[dict[str, Any]], first: bool) -> list[dict[str, Any]]:
        return records


def record_blocks(
    dataset: Dataset, workers: int, start: int = 0, stop: int | None = None
) -> Iterator[tuple[list[dict[str, Any]], DatasetStats]]:
    """``(records, stats)`` per block of records ``[start, stop)``, made in ``workers``
    processes, in order."""
    yield from encoded_blocks(dataset, _Records(), workers, start, stop)


def _serve(dataset: Dataset, encoder: Encoder, tasks: Sequence[_Task], fd: int) -> None:
    """A worker's life: encode its blocks in order, one frame each; a failure is the last."""
    for task in tasks:
        try:
            payload, stats = _encode(dataset, encoder, task)
        except BaseException as exc:  # the parent raises it; nothing else can report it
            _send(fd, _FAILED, _picklable(exc), b"")
            return
        if isinstance(payload, bytes | bytearray | memoryview):
            _send(fd, _RAW, pickle.dumps(stats), payload)
        else:
            _send(fd, _PICKLED, pickle.dumps(stats), pickle.dumps(payload, protocol=5))


def _picklable(exc: BaseException) -> bytes:
    try:
        return pickle.dumps(exc)
    except Exception:
        return pickle.dumps(WorkerError(f"a worker failed: {type(exc).__name__}: {exc}"))


def _send(fd: int, kind: int, stats: bytes, payload: bytes | bytearray | memoryview) -> None:
    _write_all(fd, _HEADER.pack(kind, len(stats), len(payload)) + stats)
    _write_all(fd, payload)


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _widen(fd: int) -> None:
    """The pipe's buffer made as large as allowed (a smaller one only means shorter strides;
    other systems than Linux keep their own size)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return
    for size in _PIPE_BYTES:
        try:
            fcntl.fcntl(fd, _F_SETPIPE_SZ, size)
            return
        except OSError:
            continue


class _Pool:
    """Forked workers, each with the read end of its own pipe."""

    def __init__(self) -> None:
        self.pids: list[int] = []
        self.pipes: list[int] = []
        # Placing workers: the write ends of the pipes that hand them their blocks' offsets,
        # and the output position the next placed block starts at.
        self.offsets: list[int] = []
        self.position = 0
        self.reader: threading.Thread | None = None
        self.queue: Queue[Any] = Queue()
        self.stopping = False

    def start(self, work: Callable[..., None], offsets: bool = False) -> None:
        """Fork a worker that runs ``work(fd)``, fd being the write end of its pipe; with
        ``offsets``, ``work(fd, offsets_fd)``, the read end of a pipe from the parent."""
        read, write = os.pipe()
        _widen(write)
        back_read, back_write = os.pipe() if offsets else (-1, -1)
        pid = os.fork()
        if pid == 0:  # the worker
            status = 0
            try:
                # The parent owns Ctrl-C: it stops the workers and cleans up the output.
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                os.close(read)
                for fd in (*self.pipes, *self.offsets):
                    os.close(fd)
                if offsets:
                    os.close(back_write)
                    work(write, back_read)
                else:
                    work(write)
            except BaseException:
                status = 1
            finally:
                os._exit(status)  # never run the parent's cleanup (atexit, open files) here
        os.close(write)
        self.pids.append(pid)
        self.pipes.append(read)
        if offsets:
            os.close(back_read)
            self.offsets.append(back_write)

    def results(self, count: int, ahead: int, run: int) -> Iterator[tuple[Any, DatasetStats]]:
        """The ``count`` blocks in order (block ``n`` from worker ``n // run % workers``),
        read by a thread up to ``ahead`` blocks before they are taken."""
        queue: Queue[tuple[Any, DatasetStats] | BaseException] = Queue(ahead)
        self.queue = queue
        self.reader = threading.Thread(target=self._read_all, args=(count, queue, run), daemon=True)
        self.reader.start()
        for _ in range(count):
            item = queue.get()
            if isinstance(item, BaseException):
                raise item
            yield item
        if self.offsets:  # placing workers have confirmed that their blocks are written
            done = queue.get()
            if isinstance(done, BaseException):
                raise done

    def _read_all(self, count: int, queue: Queue[Any], run: int) -> None:
        try:
            for n in range(count):
                if self.stopping:
                    return
                queue.put(self.receive(n // run % len(self.pipes)))
            if self.offsets:
                for k in range(len(self.pipes)):
                    if self.receive(k) is not None:
                        raise WorkerError(f"worker {k + 1} sent a block too many")
                queue.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            if not self.stopping:
                queue.put(exc)

    def receive(self, k: int) -> tuple[Any, DatasetStats] | None:
        """Worker ``k``'s next frame: a block (its size, for a placed one) and its stats, or
        None when a placing worker reports that all its blocks are written."""
        fd = self.pipes[k]
        kind, stats_size, payload_size = _HEADER.unpack(self._read(fd, _HEADER.size, k))
        stats_blob = self._read(fd, stats_size, k)
        if kind == _FAILED:
            raise pickle.loads(stats_blob)
        if kind == _DONE:
            return None
        stats: DatasetStats = pickle.loads(stats_blob)
        if kind == _PLACED:
            # The block goes where the blocks before it end (their sizes are known: blocks
            # are received in order).
            try:
                _write_all(self.offsets[k], _OFFSET.pack(self.position))
            except BrokenPipeError:
                raise self._why_it_stopped(k) from None
            self.position += payload_size
            return payload_size, stats
        payload = self._read(fd, payload_size, k)
        if kind == _PICKLED:
            return pickle.loads(payload), stats
        return payload, stats

    def _why_it_stopped(self, k: int) -> BaseException:
        """Why placing worker ``k``, gone while blocks it announced still wait for their
        offsets, stopped: the failure it sent after them."""
        while True:
            kind, stats_size, _ = _HEADER.unpack(self._read(self.pipes[k], _HEADER.size, k))
            blob = self._read(self.pipes[k], stats_size, k)
            if kind == _FAILED:
                exc: BaseException = pickle.loads(blob)
                return exc

    def _read(self, fd: int, size: int, k: int) -> bytearray:
        data = _read_exactly(fd, size)
        if data is None:
            raise WorkerError(f"worker {k + 1} ended unexpectedly ({self._status(k)})")
        return data

    def _status(self, k: int) -> str:
        _, status = os.waitpid(self.pids[k], 0)
        self.pids[k] = 0
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"

    def stop(self) -> None:
        # Killed workers close their pipes, so a reader blocked on one sees the end of it;
        # the fds are closed only once the reader is done with them.
        self.stopping = True
        for pid in self.pids:
            if pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        while self.reader is not None and self.reader.is_alive():
            # A reader waiting for room in the queue gets it (the consumer has stopped).
            with contextlib.suppress(Empty):
                self.queue.get_nowait()
            self.reader.join(0.01)
        for pid in self.pids:
            if pid:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        for fd in (*self.pipes, *self.offsets):
            os.close(fd)
        self.pids, self.pipes, self.offsets = [], [], []
