"""Record encoders. Each turns one block of records into a payload with a pure function
(``encode``, which may run in a worker process) and writes payloads in order to a stream.

Byte encoders (json, jsonl, csv) produce bytes that are simply concatenated between a head and
a tail; container formats (parquet) override ``open``/``write``/``close``.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from typing import IO, Any, ClassVar

import numpy as np
import orjson

from persona_gen._json import dumps, json_lines
from persona_gen.generators.file import CsvDialect
from persona_gen.values.rows import RowColumns, values_of

__all__ = [
    "FAULT_IN_SCHEMA_FILES",
    "CsvEncoder",
    "Encoder",
    "JsonArrayEncoder",
    "JsonLinesEncoder",
]

_OPTIONS = orjson.OPT_NON_STR_KEYS


class Encoder:
    """Encodes blocks of records; ``encode`` is pure so blocks can be encoded in parallel."""

    extension: ClassVar[str]
    # Blocks encoded together into one payload (``encode_blocks``); a payload is still written
    # as one, in order, whoever encoded it.
    blocks_per_payload: ClassVar[int] = 1
    # Whether ``encode``/``encode_blocks`` also take a block of flat rows as its columns
    # (``RowColumns``), which a dataset of such rows then gives it.
    takes_columns: ClassVar[bool] = False

    def __init__(
        self,
        *,
        pretty: bool = False,
        dialect: CsvDialect | None = None,
        columns: list[str] | None = None,
    ) -> None:
        self.pretty = pretty
        self.dialect = dialect or CsvDialect()
        self.columns = columns

    def encode(self, records: list[dict[str, Any]], first: bool) -> Any:
        raise NotImplementedError

    def encode_blocks(self, blocks: Iterable[list[dict[str, Any]]], first: bool) -> Any:
        """One payload for consecutive blocks (up to ``blocks_per_payload`` of them)."""
        return self.encode([record for block in blocks for record in block], first)

    def head(self) -> bytes:
        return b""

    def tail(self, wrote_any: bool) -> bytes:
        return b""

    # -- writing payloads in order ---------------------------------------------------------

    def open(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._wrote_any = False
        stream.write(self.head())

    def write(self, payload: Any) -> None:
        if payload:
            self.stream.write(payload)
            self._wrote_any = True

    @property
    def concatenates(self) -> bool:
        """Whether a payload is bytes written as they are, after the ones before it (so
        blocks can be written into a file by whoever made them; see ``placed``)."""
        return type(self).write is Encoder.write

    def placed(self, size: int) -> None:
        """A payload of ``size`` bytes was written into the stream's file by someone else."""
        self._wrote_any = self._wrote_any or size > 0

    def close(self) -> None:
        self.stream.write(self.tail(self._wrote_any))


class JsonArrayEncoder(Encoder):
    """One JSON array; ``--pretty`` indents it by two spaces."""

    extension = "json"

    def encode(self, records: list[dict[str, Any]], first: bool) -> bytes | memoryview:
        if not records:
            return b""
        if self.pretty:
            body = b",".join(
                b"\n  " + dumps(r, _OPTIONS | orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
                for r in records
            )
            return body if first else b"," + body
        # One call for the whole block: far faster than one per record. A later block starts
        # with a comma: the text of ``[0, *records]`` has it after the 0, and slicing a view
        # of it copies nothing (blocks of large values made such copies costly).
        text = dumps(records if first else [0, *records], _OPTIONS)
        return memoryview(text)[1 if first else 2 : -1]

    def head(self) -> bytes:
        return b"["

    def tail(self, wrote_any: bool) -> bytes:
        return b"\n]\n" if self.pretty and wrote_any else b"]\n"


class JsonLinesEncoder(Encoder):
    """One JSON document per line."""

    extension = "jsonl"

    def encode(self, records: list[dict[str, Any]], first: bool) -> bytes | memoryview:
        if not records:
            return b""
        # One orjson call for the whole block: several times faster than one per record.
        return json_lines(records)


class CsvEncoder(Encoder):
    """Delimited text; nested values become JSON text, null an empty cell.

    The dialect (delimiter, encoding, line ending, decimal comma) comes from the persona:
    characters the encoding cannot hold become '?', as legacy exports do. Columns are fixed
    before the first block (the generator's, or the first block's keys).
    """

    extension = "csv"
    takes_columns = True

    def encode(self, records: list[dict[str, Any]] | RowColumns, first: bool) -> bytes:
        if isinstance(records, RowColumns):
            names = list(self.columns or records.names)
        else:
            names = self.columns or list(records[0]) if records else self.columns or []
        # Column by column: a column of one plain type converts with one ``map``.
        cells = [self._cells(values_of(records, c)) for c in names]
        rows: list[Any] = list(zip(*cells, strict=True)) if records else []
        if first:
            rows.insert(0, list(names))
        return self._emit(rows, first)

    def _cells(self, values: list[Any] | np.ndarray) -> list[str]:
        """A column's cells (``_cell`` of each value)."""
        cells: list[Any] = values.tolist() if isinstance(values, np.ndarray) else values
        types = set(map(type, cells))
        if types <= {str}:
            return cells
        if types <= {int}:  # (exactly int: a bool is its own type)
            return list(map(str, cells))
        if types <= {float} and not self.dialect.decimal_comma:
            return list(map(str, cells))
        return list(map(self._cell, cells))

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

    def _emit(self, rows: list[Any], first: bool = True) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(
            buffer,
            delimiter=self.dialect.delimiter,
            lineterminator=self.dialect.line_terminator,
            quoting=csv.QUOTE_MINIMAL,
        )
        writer.writerows(rows)
        # An encoding that starts its text with a byte order mark (utf-16, utf-32, utf-8-sig)
        # writes it once, at the start of the file: a later block's text continues it (one
        # empty text given first takes the mark, else each block began with one more).
        encoding = self.dialect.encoding
        if (little := _LITTLE_ENDIAN.get(codecs.lookup(encoding).name)) is not None:
            # utf-16 and utf-32 write the machine's byte order; the same seed gives the same
            # bytes everywhere, so they are written little-endian after a little-endian mark.
            name, mark = little
            text = buffer.getvalue().encode(name, "replace")
            return mark + text if first else text
        encoder = codecs.getincrementalencoder(encoding)("replace")
        if not first:
            encoder.encode("")
        return encoder.encode(buffer.getvalue(), final=True)


# The byte-order-marked encodings that Python writes in the machine's own order.
_LITTLE_ENDIAN = {
    "utf-16": ("utf-16-le", codecs.BOM_UTF16_LE),
    "utf-32": ("utf-32-le", codecs.BOM_UTF32_LE),
}


# (the Kafka sink's schema encodings leave such records out, counted: see sinks/kafka.py)
FAULT_IN_SCHEMA_FILES = (
    "{fmt}: fault records are broken on purpose (wrong types, values past their bounds) and "
    "{what} holds only records that fit its schema: write fault data as json, jsonl, csv or parquet"
)
