"""``check -``: a dataset on standard input, read whole (as ``check`` reads a file) into a
temporary file of its format, which messages and the report call ``-``.

Without ``--format`` the format is told by the data's first bytes where they say it: a JSON
array is ``json``, a JSON object ``jsonl``, ``PAR1`` Parquet, ``Obj\\x01`` Avro. CSV, SQL
and Protobuf cannot be told apart so (a CSV header is any text; Protobuf has no mark), and
need ``--format``; a SQLite database is checked from its file (``sqlite:///PATH``)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from persona_gen.errors import FileError, PersonaGenError, UsageError
from persona_gen.runtime.check_read import ALIASES

STDIN = "-"

_MARKS = ((b"PAR1", "parquet"), (b"Obj\x01", "avro"))
_SQLITE = b"SQLite format 3\x00"


def sniff(data: bytes) -> str | None:
    """The format ``data`` is in, where its first bytes say it (None where they do not)."""
    for mark, fmt in _MARKS:
        if data.startswith(mark):
            return fmt
    if data.startswith(_SQLITE):
        return "sqlite"
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    return None


@contextlib.contextmanager
def standard_input(stream: BinaryIO, fmt: str | None) -> Iterator[tuple[Path, str]]:
    """The data of ``stream`` as a file, and its format (``fmt``, else sniffed); errors that
    name the file name ``-`` instead."""
    if stream.isatty():  # (it would wait for a dataset typed by hand)
        raise UsageError("-: standard input is a terminal; pipe or redirect a dataset into it")
    data = stream.read()
    if not data:
        raise UsageError("-: standard input is empty; check reads a dataset from it")
    kind = ALIASES.get(fmt.lower(), fmt.lower()) if fmt is not None else sniff(data)
    if kind == "sqlite":
        raise UsageError(
            "-: a SQLite database is checked from its file (sqlite:///PATH), not standard input"
        )
    if kind is None:
        raise UsageError(
            "-: cannot tell the format of standard input (JSON, JSON Lines, Parquet and Avro "
            "are told by their first bytes): give it with --format (csv, sql, protobuf, ...)"
        )
    with tempfile.TemporaryDirectory(prefix="persona-gen-stdin-") as folder:
        path = Path(folder) / f"stdin.{kind}"
        path.write_bytes(data)
        try:
            yield path, kind
        except PersonaGenError as exc:
            said = str(path)
            exc.args = tuple(a.replace(said, STDIN) if isinstance(a, str) else a for a in exc.args)
            if isinstance(exc, FileError):
                exc.file = exc.file.replace(said, STDIN)
            raise
