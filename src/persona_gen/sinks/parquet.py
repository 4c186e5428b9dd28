"""Parquet output: row groups of up to 32,768 rows (16 MiB of data), written with pyarrow.

Column types are fixed by the first block: booleans, integers, floats and strings keep their
type; nested or mixed values are stored as JSON text, and so are the columns a behaviour may
retype in later rows (``bind``). Every 32 blocks are encoded, compressed
and written as a Parquet file of their own, a part, wherever they are made (in workers too);
the output is the parts joined under one footer (``parquet_parts``), so the file is the same
for any number of workers and only a part's bytes pass through the writing process.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import numpy as np
import orjson

from persona_gen._json import SEPARATOR_JSON, dumps_each, dumps_joined
from persona_gen.errors import OutputError
from persona_gen.seeds import BLOCK_SIZE
from persona_gen.sinks.encoders import Encoder
from persona_gen.sinks.parquet_parts import PartsWriter
from persona_gen.values.rows import RowColumns, values_of

__all__ = ["JSON_COLUMNS_KEY", "ParquetEncoder", "column_kinds", "dictionary_columns"]

# The schema metadata key listing the columns stored as JSON text (a JSON array of names), so
# a reader (``persona-gen check``) decodes exactly those.
JSON_COLUMNS_KEY = b"persona_gen.json_columns"


def _kind(values: list[Any]) -> str | None:
    seen = {type(v) for v in values if v is not None}
    if not seen:
        return None
    if seen == {bool}:
        return "bool"
    if seen == {int}:
        return "int"
    if seen <= {int, float}:
        return "float"
    if seen == {str}:
        return "string"
    return "json"


# A JSON type's storage kind (objects, arrays and anything else: JSON text).
_KIND_OF_TYPE = {"string": "string", "integer": "int", "number": "float", "boolean": "bool"}


def column_kinds(
    records: list[dict[str, Any]], sparse: dict[str, str] | None = None
) -> dict[str, str]:
    """The storage kind of each column, decided from the first block; ``sparse``: the JSON
    type of the columns that block may lack or hold only nulls in (``sparse_columns``). A
    column of nulls alone that nothing declares is JSON text, which holds any value."""
    columns: dict[str, None] = {}
    for r in records:
        columns.update(dict.fromkeys(r))
    declared = sparse or {}
    columns.update(dict.fromkeys(declared))  # (after the first block's, in its order)
    out = {}
    for c in columns:
        seen = _kind([r.get(c) for r in records])
        out[c] = seen or _KIND_OF_TYPE.get(declared.get(c, ""), "json")
    return out


def dictionary_columns(records: list[dict[str, Any]], kinds: dict[str, str]) -> list[str]:
    """The columns worth dictionary-encoding, decided from the first block: all but those
    whose values hardly repeat (ids, timestamps, free text: over 95% of the values present
    distinct). Arrow tries a dictionary for every column by default and falls back page by
    page; for such columns that costs ~20% of the writing and makes the file larger."""
    chosen = []
    for column in kinds:
        present = [v for r in records if (v := r.get(column)) is not None]
        try:
            distinct = len(set(present))
        except TypeError:  # objects and arrays (JSON text): told apart by their text
            distinct = len(set(map(repr, present)))
        if 20 * distinct <= 19 * len(present):
            chosen.append(column)
    return chosen


# Blocks are gathered into row groups of this many rows: a row group per 1,024-row block made
# writing (and reading) several times slower for its per-group pages, statistics and metadata,
# while halving 65,536 costs ~4% of the writing and balances two workers' share of parts.
# Memory stays bounded: at most one row group (and 16 MiB) of Arrow data waits to be written.
ROW_GROUP_ROWS = 32_768
ROW_GROUP_BYTES = 16 << 20


def _json_texts(values: list[Any]) -> Any:
    """The values as a column of JSON text (null stays null), split apart by Arrow.

    One orjson call makes the whole column's text; Arrow cuts it at the separators, so no
    Python string is made per value. Besides being faster, that keeps megabytes of short-lived
    strings (fault records carry 64 KiB overflow values) away from the allocator, whose
    fragmentation otherwise made peak memory creep up with the record count."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    body = dumps_joined(values) if values else None
    if body is None or len(body) >= 2**31:  # (past a string array's offsets: pyarrow chunks)
        return pa.array(dumps_each(values), pa.string())
    offsets = np.array([0, len(body)], np.int32)
    whole = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(offsets), pa.py_buffer(body)])
    texts = pc.split_pattern(whole, SEPARATOR_JSON.decode()).flatten()
    nulls = np.fromiter((v is None for v in values), bool, len(values))
    if nulls.any():
        texts = pc.if_else(pa.array(nulls), pa.scalar(None, pa.string()), texts)
    return texts


# A column kind's Arrow type, by the name of its pyarrow factory (pyarrow is imported lazily).
_TYPES = {"bool": "bool_", "int": "int64", "float": "float64", "string": "string", "json": "string"}


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return getattr(pa, _TYPES[kind])()


Rows = list[dict[str, Any]] | RowColumns
"""A block's records: rows, or flat rows as their columns."""

# The NumPy dtype an Arrow array of a column kind is taken from as it is.
_NATIVE_DTYPES = {"int": np.dtype(np.int64), "float": np.dtype(np.float64), "bool": np.dtype(bool)}


class ParquetEncoder(Encoder):
    extension = "parquet"
    # A payload is a part of the file (``parquet_parts``) holding whole row groups, so
    # workers encode and compress the row groups themselves and the writer only copies bytes.
    blocks_per_payload = ROW_GROUP_ROWS // BLOCK_SIZE
    takes_columns = True
    kinds: dict[str, str] | None = None
    # Columns dictionary-encoded (``dictionary_columns``); None: every column (Arrow's default).
    dictionary: list[str] | None = None

    def bind(self, dataset: Any) -> None:
        """Store as JSON text, from the start, every column a behaviour of the dataset's
        personas may give a value of another type in later rows (``retypable_columns``),
        whatever its type in the first block. A text column included: cast to text, a
        wrong-typed value (52857 for a street, labelled ``address.street:type``) would be
        the valid string "52857" in the file, and its label would no longer hold."""
        if self.kinds is None:
            return
        for lane in dataset.lanes:
            for column in getattr(lane.generator, "retypable_columns", list)():
                if self.kinds.get(column) in ("bool", "int", "float", "string"):
                    self.kinds[column] = "json"

    def encode(self, records: Rows, first: bool) -> bytes | memoryview:
        return self.encode_blocks((records,), first)

    def encode_blocks(self, blocks: Iterable[Rows], first: bool) -> bytes | memoryview:
        """The blocks' rows as a Parquet file of their own (a part): row groups of
        ``ROW_GROUP_ROWS`` rows, fewer where a group's data reaches ``ROW_GROUP_BYTES``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        writer: Any = None
        pending: list[Any] = []  # the next row group's tables
        pending_bytes = 0  # (a table's nbytes walks its buffers: ~40 µs, so counted once)

        def write_group() -> None:
            nonlocal writer, pending_bytes
            group = pa.concat_tables(pending)
            writer = writer or pq.ParquetWriter(
                sink,
                group.schema,
                compression="zstd",
                use_dictionary=True if self.dictionary is None else self.dictionary,
            )
            writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
            pending.clear()
            pending_bytes = 0

        for records in blocks:
            if records:
                table = self.table(records)
                pending.append(table)
                pending_bytes += table.nbytes
                if pending_bytes >= ROW_GROUP_BYTES:
                    write_group()
        if pending:
            write_group()
        if writer is None:
            return b""
        writer.close()
        return memoryview(sink.getvalue())

    def table(self, records: Rows) -> Any:
        """The records (rows, or ``RowColumns``) as a ``pyarrow.Table`` of the encoder's
        columns (all of them, in their order; a record's missing key is null)."""
        import pyarrow as pa

        if isinstance(records, RowColumns) and not self.kinds:
            records = records.rows()
        kinds = self.kinds or column_kinds(records)  # type: ignore[arg-type]
        arrays = {}
        for column, kind in kinds.items():
            arrays[column] = self._array(column, kind, values_of(records, column))
        json_columns = [c for c, kind in kinds.items() if kind == "json"]
        schema = pa.schema(
            [(c, _arrow_type(kind)) for c, kind in kinds.items()],
            metadata={JSON_COLUMNS_KEY: orjson.dumps(json_columns)},
        )
        return pa.table(arrays, schema=schema)

    @classmethod
    def _array(cls, column: str, kind: str, values: list[Any] | np.ndarray) -> Any:
        import pyarrow as pa

        if isinstance(values, np.ndarray):
            if values.dtype == _NATIVE_DTYPES.get(kind):  # (as from its list: no copy)
                return pa.array(values, _arrow_type(kind))
            return cls._array(column, kind, values.tolist())
        if kind == "json":
            return _json_texts(values)
        try:
            return pa.array(values, _arrow_type(kind))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            if kind == "string":
                return pa.array(
                    [
                        None
                        if v is None
                        else orjson.dumps(v).decode()
                        if not isinstance(v, str)
                        else v
                        for v in values
                    ],
                    pa.string(),
                )
            raise OutputError(
                f"parquet: column '{column}' holds values of another type than "
                f"its first block ({kind}); write jsonl for such data"
            ) from None

    def open(self, stream: IO[bytes]) -> None:
        if stream.isatty():
            raise OutputError("parquet is binary: give -o FILE instead of writing to a terminal")
        self.stream = stream
        self._parts = PartsWriter(stream)

    def write(self, payload: Any) -> None:
        if payload:
            self._parts.write(payload)

    def close(self) -> None:
        self._parts.close()
