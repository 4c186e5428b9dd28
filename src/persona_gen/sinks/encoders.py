"""Record encoders: each turns blocks of records into bytes on a binary stream."""

from __future__ import annotations

import csv
import io
from typing import IO, Any, ClassVar

import orjson

from persona_gen.generators.file import CsvDialect

__all__ = ["CsvEncoder", "Encoder", "JsonArrayEncoder", "JsonLinesEncoder"]


def _dumps(record: Any, pretty: bool = False) -> bytes:
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if pretty else 0)
    return orjson.dumps(record, option=option)


class Encoder:
    """Writes records to ``stream``: ``begin``, ``write`` per block, then ``end``."""

    extension: ClassVar[str]

    def __init__(
        self, stream: IO[bytes], *, pretty: bool = False, dialect: CsvDialect | None = None
    ) -> None:
        self.stream = stream
        self.pretty = pretty
        self.dialect = dialect or CsvDialect()

    def begin(self) -> None:
        """Write what comes before the first record."""

    def write(self, records: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def end(self) -> None:
        """Write what comes after the last record."""


class JsonArrayEncoder(Encoder):
    """One JSON array; ``--pretty`` indents it by two spaces."""

    extension = "json"

    def begin(self) -> None:
        self._first = True
        self.stream.write(b"[")

    def write(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        if self.pretty:
            parts = [b"\n  " + _dumps(r, True).replace(b"\n", b"\n  ") for r in records]
        else:
            parts = [_dumps(r) for r in records]
        sep = b","
        body = sep.join(parts)
        if not self._first:
            body = sep + body
        self._first = False
        self.stream.write(body)

    def end(self) -> None:
        self.stream.write(b"\n]\n" if self.pretty and not self._first else b"]\n")


class JsonLinesEncoder(Encoder):
    """One JSON document per line."""

    extension = "jsonl"

    def write(self, records: list[dict[str, Any]]) -> None:
        if records:
            self.stream.write(b"\n".join(_dumps(r) for r in records) + b"\n")


class CsvEncoder(Encoder):
    """Delimited text; nested values become JSON text, null an empty cell.

    The dialect (delimiter, encoding, line ending, decimal comma) comes from the persona:
    characters the encoding cannot hold become '?', as legacy exports do.
    """

    extension = "csv"

    def begin(self) -> None:
        self._columns: list[str] | None = None

    def write(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        d = self.dialect
        if self._columns is None:
            self._columns = list(records[0])
            for r in records[1:]:
                for key in r:
                    if key not in self._columns:
                        self._columns.append(key)
            self._emit([self._columns])
        rows = [[self._cell(r.get(c)) for c in self._columns] for r in records]
        self._emit(rows)
        del d

    def _cell(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and self.dialect.decimal_comma:
            return repr(value).replace(".", ",")
        if isinstance(value, dict | list):
            return orjson.dumps(value).decode()
        return str(value)

    def _emit(self, rows: list[list[str]]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(
            buffer,
            delimiter=self.dialect.delimiter,
            lineterminator=self.dialect.line_terminator,
            quoting=csv.QUOTE_MINIMAL,
        )
        writer.writerows(rows)
        self.stream.write(buffer.getvalue().encode(self.dialect.encoding, errors="replace"))
