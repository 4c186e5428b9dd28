"""Running a dataset into an encoder and a destination, with its manifest."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from persona_gen.errors import OutputError
from persona_gen.generators.file import CsvDialect
from persona_gen.runtime.dataset import Dataset, DatasetStats
from persona_gen.runtime.manifest import (
    manifest,
    manifest_path,
    write_manifest,
)
from persona_gen.runtime.parallel import encoded_blocks, placed_blocks
from persona_gen.sinks import FORMATS, masked_url, sink_format
from persona_gen.sinks.encoders import Encoder
from persona_gen.sinks.output import Writeback, is_special, open_output

__all__ = [
    "deliver",
    "make_encoder",
    "sink_manifest_path",
    "write_dataset",
    "write_failed_manifest",
]


def make_encoder(
    dataset: Dataset,
    fmt: str,
    pretty: bool = False,
    profile: Any = None,
    warn: Callable[[str], None] | None = None,
) -> Encoder:
    """The encoder for ``fmt``, with the dataset's CSV dialect and fixed columns; the
    schema-bound formats (avro, protobuf) take their schema from ``profile`` (a ``Profile``,
    None for ``quick``: Avro then derives one from the entity model, and ``warn`` says so
    when the profile's schema file is missing; default: on standard error)."""
    if fmt == "avro":
        from persona_gen.sinks.avro import avro_encoder_for, warn_on_stderr

        return avro_encoder_for(dataset, profile, warn=warn or warn_on_stderr)
    if fmt == "protobuf":
        from persona_gen.sinks.protobuf import protobuf_encoder_for

        return protobuf_encoder_for(dataset, profile)
    generator = dataset.lanes[0].generator
    dialect = generator.dialect(dataset.settings()) if hasattr(generator, "dialect") else None
    columns = getattr(generator, "columns", None)
    if columns is None and fmt == "csv" and dataset.count:
        # Every key the first block uses, in order of appearance (records may differ).
        index, lo, hi = dataset.block_range()[0]
        seen: dict[str, None] = {}
        for record in dataset.chunk(index, lo, hi):
            seen.update(dict.fromkeys(record))
        columns = list(seen)
    encoder: Encoder = FORMATS.get(fmt)(pretty=pretty, dialect=dialect, columns=columns)
    if fmt == "parquet" and dataset.count:
        from persona_gen.sinks.parquet import column_kinds, dictionary_columns

        # Column types come from the first block, so every row group has the same schema
        # (``bind`` below makes the columns a behaviour may retype JSON text from the start).
        index, lo, hi = dataset.block_range()[0]
        first = dataset.chunk(index, lo, hi)
        sparse: dict[str, str] = {}
        for lane in dataset.lanes:
            sparse.update(lane.generator.sparse_columns())
        kinds = column_kinds(first, sparse)
        encoder.kinds = kinds  # type: ignore[attr-defined]
        encoder.dictionary = dictionary_columns(first, kinds)  # type: ignore[attr-defined]
    bind = getattr(encoder, "bind", None)
    if bind is not None:  # encoders that need the dataset's entity (sql: its table)
        bind(dataset)
    return encoder


def write_dataset(
    dataset: Dataset,
    output: Path | None,
    fmt: str,
    *,
    pretty: bool = False,
    progress: Any = None,
    extra: dict[str, Any] | None = None,
    workers: int | None = None,
    profile: Any = None,
    manifest_file: Path | None = None,
    encoder: Encoder | None = None,
) -> dict[str, Any]:
    """Encode every record of ``dataset`` to ``output`` (stdout when None); ``profile`` is
    the ``Profile`` the dataset comes from (the schema of avro/protobuf output); ``workers``
    defaults to the dataset's own. The manifest goes to ``manifest_file``, else beside the
    output (none for stdout). ``encoder``: one ``make_encoder`` made beforehand."""
    if encoder is None:
        encoder = make_encoder(dataset, fmt, pretty, profile)
    if fmt == "csv":  # (a reader needs the dialect: a legacy file is no comma-separated UTF-8)
        extra = {**(extra or {}), "csv": csv_dialect(encoder.dialect)}
    if manifest_file is None and output is not None and not is_special(output):
        manifest_file = manifest_path(output)  # (no /dev/null.manifest.json)
    if manifest_file is not None:
        from persona_gen.sinks.output import ensure_writable

        if output is not None:  # (a folder that cannot hold it is named as given: not as
            ensure_writable(output)  # the manifest beside it, which the user did not name)
        # Before the data: a manifest that fails afterwards leaves a complete-looking file
        # of a failed run.
        ensure_writable(manifest_file)
    bar = progress(dataset.count) if progress is not None and dataset.count >= 50_000 else None
    sealed: list[dict[str, Any]] = []

    def seal() -> None:
        """The manifest, made once every record is out; for a file written atomically,
        before the file takes its name: a manifest that cannot be written (a disk filled
        meanwhile) leaves the previous file and its manifest as they were, not new data
        beside the previous run's manifest."""
        doc = manifest(dataset, output=str(output) if output else None, fmt=fmt, extra=extra)
        sealed.append(doc)
        if manifest_file is None:
            return
        try:
            write_manifest(manifest_file, doc)
        except OutputError as lost:
            if output is not None and not is_special(output):
                raise OutputError(
                    f"{output}: not written, as its manifest could not be: {lost}"
                ) from None
            raise OutputError(  # (a device that takes no bytes passed the check before)
                f"{doc['count']} records were written to {output or 'standard output'}, but "
                f"the manifest could not be written: {lost}"
            ) from None

    try:
        with open_output(output, before_rename=seal) as stream:
            encoder.open(stream)
            to_file = output is not None and stream.seekable()  # (not a FIFO or a terminal)
            workers = workers or dataset.workers
            for stats in _written_blocks(dataset, encoder, stream, workers, to_file):
                dataset.stats.merge(stats)
                if bar is not None:
                    bar.advance(stats.records)
            encoder.close()
    except KeyboardInterrupt:
        if output is not None:
            raise  # the file is not kept: nothing to tell of it
        _interrupted_on_stdout(dataset, fmt, extra, manifest_file)
    if bar is not None:
        bar.close()
    if not sealed:  # (standard output, a device: the data is out already)
        seal()
    return sealed[0]


def csv_dialect(dialect: CsvDialect) -> dict[str, Any]:
    """How a CSV file was written, as its manifest says: what a reader is given (Python's
    ``csv`` module, pandas, DuckDB) to split and decode it."""
    return {
        "delimiter": dialect.delimiter,
        "quotechar": '"',
        "encoding": dialect.encoding,
        "line_terminator": dialect.line_terminator,
        "decimal_comma": dialect.decimal_comma,
    }


def _interrupted_on_stdout(
    dataset: Dataset, fmt: str, extra: dict[str, Any] | None, manifest_file: Path | None
) -> None:
    """Ctrl-C while writing to standard output: what was written stays there, so say how
    much (and write the asked-for manifest of it, marked interrupted)."""
    from persona_gen.errors import OutputInterrupted

    doc = manifest(dataset, output=None, fmt=fmt, extra=extra)
    doc["interrupted"] = True
    if manifest_file is not None:
        write_manifest(manifest_file, doc)
    raise OutputInterrupted(
        f"interrupted after {doc['count']} records; standard output holds them and may end "
        f"in the middle of the next one (incomplete {fmt})"
    ) from None


def _written_blocks(
    dataset: Dataset, encoder: Encoder, stream: IO[bytes], workers: int, to_file: bool
) -> Iterator[DatasetStats]:
    """Each block's stats once the block is written. Several workers write their blocks into
    a file themselves when the blocks are simply concatenated; otherwise this process writes
    every block, in order."""
    writeback = Writeback(stream.fileno()) if to_file else None
    if writeback is not None and workers > 1 and encoder.concatenates:
        stream.flush()
        end = stream.tell()
        for size, stats in placed_blocks(dataset, encoder, workers, stream.fileno(), end):
            encoder.placed(size)
            end += size
            writeback.reached(end)
            yield stats
        stream.seek(end)
        return
    for payload, stats in encoded_blocks(dataset, encoder, workers):
        if writeback is not None:  # (an interrupted file is not kept: no count to keep right)
            encoder.write(payload)
            writeback.reached(stream.tell())
            yield stats
            continue
        # Ctrl-C raised inside a write comes once the payload is out (the buffered writer
        # checks for signals after writing): the block would be there but not counted. It is
        # held until the write ends and the block is counted; a second one raises at once
        # (a reader that takes nothing would hold the write forever).
        with _HeldInterrupt() as held:
            encoder.write(payload)
        yield stats
        if held.seen:
            raise KeyboardInterrupt


class _HeldInterrupt:
    """Within the block, a first SIGINT is only noted in ``seen`` (in the main thread; in
    others signals cannot be handled, and nothing changes)."""

    def __init__(self) -> None:
        self.seen = False
        self._previous: Any = None

    def __enter__(self) -> _HeldInterrupt:
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):  # (not where SIGINT is ignored, as in a shell's background job)
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.seen:
            raise KeyboardInterrupt
        self.seen = True

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def sink_manifest_path(url: str, dataset_key: str, directory: Path | None = None) -> Path:
    """Where a sink run's manifest goes unless ``--manifest`` says: beside a SQLite file,
    else in ``directory`` (generate's -o folder), ``$PERSONA_GEN_MANIFEST_DIR`` or the
    working directory, named after the dataset, its ``?table=`` when given (loads of one
    dataset into several tables keep a manifest each) and the kind of destination
    (``postgresql`` for a ``postgres://`` URL too)."""
    from urllib.parse import parse_qs

    scheme, _, rest = url.partition("://")
    if scheme == "postgres":  # (one destination, one name: as messages and `format` say it)
        scheme = "postgresql"
    path, _, query = rest.partition("?")
    table = parse_qs(query).get("table", [""])[-1] if scheme != "kafka" else ""
    name = f"{dataset_key}.{table}" if table and table != dataset_key else dataset_key
    if scheme == "sqlite":
        database = Path(path.removeprefix("/"))
        if database.name:
            return database.with_name(f"{database.name}.{name}.manifest.json")
    if directory is None:
        directory = Path(os.environ.get("PERSONA_GEN_MANIFEST_DIR") or ".")
    return directory / f"{name}.{scheme}.manifest.json"


def deliver(
    dataset: Dataset,
    url: str,
    *,
    progress: Any = None,
    extra: dict[str, Any] | None = None,
    manifest_file: Path | None = None,
    create_tables: bool = False,
    include_invalid: bool = False,
    pace: Any = None,
) -> dict[str, Any]:
    """Send ``dataset`` to the sink ``url``; the manifest is returned (and written to
    ``manifest_file`` when given, also when the delivery fails, before the error is raised)."""
    from persona_gen.errors import SinkError
    from persona_gen.sinks.output import ensure_writable

    if manifest_file is not None:
        # Before anything is sent: a manifest that fails afterwards would hide what was.
        ensure_writable(manifest_file)
    scheme = url.partition("://")[0]
    try:
        if scheme == "kafka":
            from persona_gen.sinks.kafka import send_dataset

            doc = send_dataset(dataset, url, progress=progress, extra=extra, pace=pace)
        else:
            from persona_gen.errors import UsageError
            from persona_gen.sinks.database import load_dataset

            if pace is not None:
                raise UsageError(
                    "--rate/--realtime/--duration pace streams (kafka://); a "
                    "database load is one transaction"
                )

            doc = load_dataset(
                dataset,
                url,
                create_tables=create_tables,
                include_invalid=include_invalid,
                progress=progress,
                extra=extra,
            )
    except KeyboardInterrupt:
        # Sinks turn Ctrl-C into an interrupted SinkError once records go out: this one came
        # before (connecting, checking topics or tables), so nothing was sent.
        if manifest_file is not None:
            stopped = manifest(dataset, output=url, fmt=sink_format(url), extra=extra, taken=0)
            stopped["delivery"] = {"records": 0, "stopped": "interrupted before sending"}
            with contextlib.suppress(OutputError):
                write_manifest(manifest_file, stopped)
        raise
    except SinkError as exc:
        report = getattr(exc, "report", None)
        if manifest_file is not None and report is not None:
            try:
                write_failed_manifest(
                    dataset,
                    url,
                    report,
                    manifest_file,
                    extra=extra,
                    stats=exc.taken if isinstance(exc.taken, DatasetStats) else None,
                )
            except OutputError as lost:  # the delivery's own error comes first
                exc.args = (f"{exc}; and the manifest could not be written: {lost}",)
        raise
    if manifest_file is not None:
        try:
            write_manifest(manifest_file, doc)
        except OutputError as lost:
            raise OutputError(
                f"{doc['count']} records were delivered to {masked_url(url)}, but the manifest "
                f"could not be written: {lost}"
            ) from None
    return doc


def write_failed_manifest(
    dataset: Dataset,
    url: str,
    report: Any,
    manifest_file: Path,
    *,
    extra: dict[str, Any] | None = None,
    stats: DatasetStats | None = None,
) -> None:
    """Write the manifest of a delivery of ``dataset`` to ``url`` that failed: its
    ``delivery`` is the ``report`` the ``SinkError`` carried (for a member of a database
    load of several, its ``LoadShare``), its counts of the records taken for delivery
    (``stats`` when given: a paced run's, see ``send_dataset``), not of those generated.
    An ``OutputError`` when it cannot be written."""
    taken = getattr(report, "records", None)
    failed = manifest(
        dataset,
        output=url,
        fmt=sink_format(url),
        extra=extra,
        taken=taken if isinstance(taken, int) else None,
        stats=stats,
    )
    failed["delivery"] = report.to_manifest()
    write_manifest(manifest_file, failed)


def write_file(
    dataset: Dataset, output: Any, fmt: str | None = None, *, pretty: bool = False
) -> dict[str, Any]:
    """``Dataset.write``: the file ``quick -o OUTPUT`` (``generate``, for a dataset of a
    profile) writes, in ``fmt`` or the format ``output``'s extension says, with its manifest
    beside it; returns the manifest."""
    from os import PathLike

    from persona_gen.errors import UnknownNameError, UsageError
    from persona_gen.sinks import FORMATS, format_of_suffix

    if not isinstance(output, (str, PathLike)):
        raise UsageError(f"write takes a file's path, got {output!r:.80}")
    path = Path(output)
    names = FORMATS.names()
    if fmt is None:
        suffix = path.suffix.lstrip(".").lower()
        found = format_of_suffix(suffix) if suffix else None
        if found is None:
            said = f"no output format is written as '.{suffix}'" if suffix else "no extension"
            raise UsageError(f"{path}: {said}; give format= ({', '.join(names)})")
        fmt = found
    elif fmt not in FORMATS:
        raise UnknownNameError("output format", str(fmt), names, "format=")
    if not isinstance(pretty, bool):
        raise UsageError(f"pretty must be True or False, got {pretty!r:.80}")
    if pretty and fmt != "json":  # (as quick's --pretty is refused: it would be ignored)
        raise UsageError(f"pretty=True indents json output only; not {fmt}")
    encoder = make_encoder(dataset, fmt, pretty, dataset.profile)
    # The manifest counts this run alone (``stats`` also took whatever ``blocks()`` gave before).
    dataset.stats = DatasetStats()
    return write_dataset(dataset, path, fmt, encoder=encoder, profile=dataset.profile)
