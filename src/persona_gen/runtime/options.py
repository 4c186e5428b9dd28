"""The command line's options, parsed and checked before anything runs: counts, seeds and
worker numbers; output formats; options that would do nothing where they are given (a
database option without a database sink, --pretty for a format it cannot indent, pacing
without a sink); a manifest that would replace its own data.

Each refusal is a ``UsageError``: one clear message, exit code 1 (ADR 0003); a file option
naming a directory (``-o out/``) is an ``OutputError``, as an existing directory is.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, overload

from persona_gen.errors import OutputError, PersonaGenError, UsageError

__all__ = [
    "MAX_COUNT",
    "check_data_file",
    "check_database_options",
    "check_destinations",
    "check_pacing",
    "check_shape",
    "file_option",
    "format_for",
    "pacer",
    "parse_count",
    "parse_seed",
    "parse_workers",
    "quick_formats",
    "refuse_manifest_over_data",
    "refuse_manifests_over_data",
    "refuse_outputs_over_inputs",
    "refuse_report_over_inputs",
    "sink_file",
]


MAX_COUNT = 10**12  # as a profile dataset's count: about four months at 100,000 records/s


def _whole_number(text: str, option: str) -> int:
    """ASCII digits, underscores only between them (as in 1_000_000): int() alone would also
    take "_10", " 5" and other scripts' digits ("٣")."""
    if not re.fullmatch(r"-?[0-9]+(_[0-9]+)*", text):
        raise UsageError(f"{option}: '{text}' is not a whole number")
    return int(text.replace("_", ""))


def parse_count(text: str, option: str = "-n/--count") -> int:
    value = _whole_number(text, option)
    if value <= 0:
        raise UsageError(f"{option}: must be at least 1, got {value}")
    if value > MAX_COUNT:
        raise UsageError(f"{option}: at most 1_000_000_000_000 records, got {text}")
    return value


def parse_workers(text: str) -> int:
    from persona_gen.runtime.dataset import MAX_WORKERS

    value = _whole_number(text, "--workers")
    if not 1 <= value <= MAX_WORKERS:
        raise UsageError(f"--workers: must be between 1 and {MAX_WORKERS}, got {value}")
    return value


def parse_seed(text: str | None) -> int | None:
    if text is None:
        return None
    from persona_gen.seeds import MAX_SEED  # (NumPy: not when the CLI starts)

    value = _whole_number(text, "-s/--seed")
    if not 0 <= value <= MAX_SEED:
        raise UsageError(f"-s/--seed: must be between 0 and 2^63-1, got {value}")
    return value


def parse_start(text: str | None) -> int | None:
    """``--start``'s reference time in milliseconds (``now`` is the current time)."""
    if text is None:
        return None
    from persona_gen.reference_time import parse_reference_time

    try:
        return parse_reference_time(text)
    except ValueError as exc:
        raise UsageError(f"--start: {exc}") from None


def check_database_options(
    sinks: Iterable[str | None], create_tables: bool, include_invalid: bool
) -> None:
    """--create-tables / --include-invalid need a database sink among ``sinks``."""
    if not (create_tables or include_invalid):
        return
    if not any(sink is not None and not sink.startswith("kafka://") for sink in sinks):
        raise UsageError(
            "--create-tables and --include-invalid apply to a database --sink "
            "(sqlite:///FILE, postgresql://USER@HOST/DB); Kafka topics are made with ?create=N"
        )


def check_destinations(planned: list[Any]) -> None:
    """Each dataset's ``sink`` takes its records (a topic, a value encoding, a partitioning
    its records can use), before anything is generated; an error names the dataset, as
    ``generate --sink`` sends every one there."""
    from persona_gen.sinks import check_sink_url

    for item in planned:
        if item.sink:
            try:
                check_sink_url(item.sink, generator=item.generator)
            except PersonaGenError as exc:
                exc.dataset = exc.dataset or item.name
                raise


def check_shape(
    sink: str | None, fmt: str, *, fmt_given: bool, pretty: bool, dataset: str | None = None
) -> None:
    """--format and --pretty shape files and standard output, --pretty only JSON arrays."""
    if sink is not None and (fmt_given or pretty):
        from persona_gen.sinks import masked_url

        where = f" (dataset '{dataset}' goes to {masked_url(sink)})" if dataset else ""
        raise UsageError(
            "--format and --pretty shape -o files and standard output; a --sink takes the "
            f"records (Kafka values: ?value=json|avro|protobuf in its URL){where}"
        )
    if pretty and fmt != "json":
        what = f"dataset '{dataset}' is written as {fmt}" if dataset else f"not {fmt}"
        raise UsageError(f"--pretty indents json output only; {what}")


def check_pacing(
    sink: str | None,
    dataset_type: str,
    *,
    rate: str | None,
    realtime: bool,
    speed: float,
    duration: float | None,
) -> None:
    if sink is None and (rate is not None or realtime or duration is not None):
        raise UsageError("--rate, --realtime and --duration pace a --sink")
    if speed != 1.0 and not realtime:
        raise UsageError("--speed applies with --realtime")
    if realtime and dataset_type in ("file", "fault"):
        raise UsageError(
            f"--realtime follows the records' own times, and {dataset_type} records have none: "
            "use --rate"
        )


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through symbolic links, '..' and hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


@overload
def file_option(value: str) -> Path: ...
@overload
def file_option(value: None) -> None: ...
@overload
def file_option(value: str | None) -> Path | None: ...
def file_option(value: str | None) -> Path | None:
    """The file an option names (``-o``, ``--manifest``, ``--report``). A name ending in a
    slash (``-o out/``) names a directory, and so does an existing directory's name: both
    refused before anything is written (as a path, ``out/`` would be the file ``out``)."""
    if value is None:
        return None
    if value == "":  # (an unset variable, `-o "$OUT"`: not the current directory, '.')
        raise OutputError("'': an empty path, expected a file path")
    if value == "-":  # (``quick -o -`` is standard output; here it would be a file named -)
        raise OutputError(
            "'-': standard output cannot be written here, expected a file path "
            "(./- names a file called '-')"
        )
    last = value.replace(os.sep, "/").rsplit("/", 1)[-1]
    if ("/" in value.replace(os.sep, "/") and last in ("", ".", "..")) or _is_dir(value):
        raise OutputError(f"{value}: is a directory, expected a file path")
    return Path(value)


def dir_option(value: str | None) -> Path | None:
    """The directory ``generate -o`` names. An empty one (an unset variable, ``-o "$OUT"``)
    is refused, not read as the current directory, as ``Path('')`` is."""
    if value == "":
        raise UsageError("-o/--output: an empty path, expected a directory")
    if value == "-":  # (not a folder called '-': standard output is -o left out)
        raise UsageError(
            "-o/--output: '-' is not a directory; a profile of one dataset goes to standard "
            "output without -o (./- names a folder called '-')"
        )
    return None if value is None else Path(value)


def _is_dir(value: str) -> bool:
    try:
        return Path(value).is_dir()
    except OSError:  # (a name too long to look up: writing it says so)
        return False


def sink_file(url: str) -> Path | None:
    """The database file a ``sqlite:///`` sink writes (None for other sinks)."""
    if not url.startswith("sqlite://"):
        return None
    from persona_gen.sinks.database import parse_database_url

    return parse_database_url(url).path


def refuse_manifest_over_data(manifest_file: Path | None, data: Path | None) -> None:
    """``--manifest`` naming the data's own file would replace the data by the manifest."""
    from persona_gen.sinks.output import is_special

    if manifest_file is None or data is None or is_special(data):  # (/dev/null twice is fine)
        return
    if _same_file(manifest_file, data):
        raise UsageError(
            f"--manifest {manifest_file}: that is the data's own file; give another path"
        )


def refuse_report_over_inputs(
    report: Path | None, inputs: dict[str, Path | None], option: str = "--report"
) -> None:
    """``check --report`` naming one of the files it reads (the data, its manifest, the
    profile, the schema) would replace it by the report; so would ``quick -o`` or
    ``--manifest`` naming the persona's file (``option``: the one said)."""
    if report is None:
        return
    for what, path in inputs.items():
        if path is not None and not _is_special_file(path) and _same_file(report, path):
            raise UsageError(f"{option} {report}: that is {what}; give another path")


def _is_special_file(path: Path) -> bool:
    from persona_gen.sinks.output import is_special

    return is_special(path)


def check_data_file(path: Path) -> None:
    """``check`` reads its data whole: a device (/dev/zero, /dev/urandom) or a socket would be
    read forever. (A named pipe ends: ``check <(…)`` works.)"""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # (the reader says why it cannot be read)
    if stat.S_ISDIR(mode):  # (".", "/": a traceback of pathlib's, an empty file name)
        raise UsageError(f"{path}: is a directory, expected a dataset file")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise UsageError(f"{path}: not a regular file; check reads a dataset file")


def refuse_manifests_over_data(planned: list[Any], out_dir: Path | None) -> None:
    """A dataset's file that is another's manifest (a dataset named 'a.json.manifest' beside
    'a') would be replaced by that manifest, or replace it."""
    from persona_gen.runtime.manifest import manifest_path
    from persona_gen.runtime.write import sink_manifest_path

    manifests = {
        item.name: sink_manifest_path(item.sink, item.name, out_dir)
        if item.sink
        else manifest_path(item.output)
        for item in planned
        if item.sink or item.output is not None
    }
    for item in planned:
        data = sink_file(item.sink) if item.sink else item.output
        for name, written in manifests.items():
            if data is not None and _same_file(data, written):
                raise UsageError(
                    f"dataset '{item.name}' writes {data}, the manifest of dataset '{name}'; "
                    "rename one of them"
                )
    _refuse_shared_manifests(manifests, planned)


def _refuse_shared_manifests(manifests: dict[str, Path], planned: list[Any]) -> None:
    """Two datasets whose manifests are one file (dataset 'users' loaded into x.db and a
    file 'x.db.users' of another, each's manifest 'x.db.users.manifest.json'; 'users' into
    ?table=t and 'users.t'): the second replaced the first's, which then said the other
    dataset was there."""
    from persona_gen.sinks.output import is_special

    special = {
        item.name
        for item in planned
        if not item.sink and item.output is not None and is_special(item.output)
    }
    seen: list[tuple[str, Path]] = []
    for name, written in manifests.items():
        if name in special:  # (a device or a pipe gets no manifest)
            continue
        for first, other in seen:
            if _same_file(written, other):
                raise UsageError(
                    f"datasets '{first}' and '{name}' would both write their manifest to "
                    f"{written}, each replacing the other's; rename one of them (or its output)"
                )
        seen.append((name, written))


def refuse_outputs_over_inputs(
    planned: list[Any], out_dir: Path | None, inputs: dict[str, Path | None]
) -> None:
    """A dataset's file or manifest that is a file ``generate`` reads (the profile, its
    schema) would replace it: a dataset whose ``output`` was the profile's own name, with
    ``-o`` its folder, overwrote the profile with records."""
    from persona_gen.runtime.manifest import manifest_path
    from persona_gen.runtime.write import sink_manifest_path

    for item in planned:
        data = sink_file(item.sink) if item.sink else item.output
        manifest = (
            sink_manifest_path(item.sink, item.name, out_dir)
            if item.sink
            else (manifest_path(item.output) if item.output is not None else None)
        )
        for written in (data, manifest):
            if written is None or _is_special_file(written):
                continue
            for what, read in inputs.items():
                if read is not None and _same_file(written, read):
                    raise UsageError(
                        f"dataset '{item.name}' writes {written}, which is {what}; give it "
                        "another output"
                    )


def ensure_shared_manifests_writable(planned: list[Any], out_dir: Path | None) -> None:
    """Fail now if the manifest of a dataset loaded with others (one transaction) could not
    be written: each member's delivery checks only its own, and the first one's commits the
    whole load, so a later member's unwritable manifest failed the run after its rows were
    in the database."""
    from persona_gen.runtime.write import sink_manifest_path
    from persona_gen.sinks.output import ensure_writable

    for item in planned:
        if item.sink and item.load_group is not None:
            ensure_writable(sink_manifest_path(item.sink, item.name, out_dir))


def pacer(rate: str | None, realtime: bool, speed: float, duration: float | None) -> Any:
    if rate is None and not realtime and duration is None:
        return None
    from functools import partial

    from persona_gen.runtime.pacing import paced, parse_rate

    if rate is not None and realtime:
        raise UsageError("give either --rate or --realtime, not both")
    if not 0 < speed < math.inf:  # (NaN fails too)
        raise UsageError(f"--speed: must be a number above 0, got {speed}")
    if duration is not None and not 0 < duration < math.inf:
        raise UsageError(f"--duration: must be a number of seconds above 0, got {duration}")
    return partial(
        paced,
        rate=parse_rate(rate) if rate else None,
        realtime=realtime,
        speed=speed,
        duration=duration,
    )


# Formats quick cannot write: protobuf builds its messages from a profile imported from a
# .proto, and quick takes no profile. Still recognised, so that asking for one says so.
_PROFILE_ONLY_FORMATS = ("protobuf",)


def quick_formats() -> list[str]:
    """The output formats ``quick`` writes (each for some generator), as its errors offer."""
    from persona_gen.sinks import FORMATS

    return [name for name in FORMATS.names() if name not in _PROFILE_ONLY_FORMATS]


def format_for(fmt: str | None, output: Path | None) -> str:
    """quick's output format: ``fmt``, or the one ``output``'s extension says."""
    from persona_gen.sinks import FORMATS, format_of_suffix

    if fmt is None:
        suffix = output.suffix.lstrip(".").lower() if output is not None else ""
        if suffix in ("db", "sqlite", "sqlite3"):
            raise UsageError(
                f"-o {output}: a database is a destination, not a file format; "
                f"use --sink sqlite:///{output}"
            )
        fmt = format_of_suffix(suffix) if suffix else "json"
        if fmt is None:  # (out.xml, out.jsonl.gz: not silently JSON)
            raise UsageError(
                f"-o {output}: no output format is written as '.{suffix}'; "
                f"give -f/--format ({', '.join(quick_formats())})"
            )
    fmt = fmt.lower()  # (as -o's extension, import-schema's -f and check's -f are read)
    if fmt not in FORMATS:
        from persona_gen.errors import UnknownNameError

        raise UnknownNameError("output format", fmt, quick_formats(), "--format")
    return fmt
