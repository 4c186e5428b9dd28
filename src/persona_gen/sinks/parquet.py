"""Parquet output: blocks gathered into row groups of up to 65,536 rows (16 MiB), written
with pyarrow.

Column types are fixed by the first block: booleans, integers, floats and strings keep their
type; nested or mixed values are stored as JSON text. Workers send each block as Arrow IPC
bytes, so encoding stays parallel and the file is identical for any number of workers.
"""

from __future__ import annotations

from operator import itemgetter
from typing import IO, Any

import orjson

from persona_gen._json import SEPARATOR_JSON, dumps_each, dumps_joined
from persona_gen.errors import OutputError
from persona_gen.sinks.encoders import Encoder

__all__ = ["ParquetEncoder", "column_kinds"]


def _kind(values: list[Any]) -> str:
    seen = {type(v) for v in values if v is not None}
    if not seen:
        return "string"
    if seen == {bool}:
        return "bool"
    if seen == {int}:
        return "int"
    if seen <= {int, float}:
        return "float"
    if seen == {str}:
        return "string"
    return "json"


def column_kinds(records: list[dict[str, Any]]) -> dict[str, str]:
    """The storage kind of each column, decided from the first block."""
    columns: dict[str, None] = {}
    for r in records:
        columns.update(dict.fromkeys(r))
    return {c: _kind([r.get(c) for r in records]) for c in columns}


# Blocks are gathered into row groups of this many rows: a row group per 1,024-row block made
# writing (and reading) several times slower for its per-group pages, statistics and metadata.
# Memory stays bounded: at most one row group (and 16 MiB) of Arrow data waits in the writer.
ROW_GROUP_ROWS = 65_536
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


class ParquetEncoder(Encoder):
    extension = "parquet"
    kinds: dict[str, str] | None = None

    def encode(self, records: list[dict[str, Any]], first: bool) -> bytes:
        import pyarrow as pa

        kinds = self.kinds or column_kinds(records)
        arrays = {}
        for column, kind in kinds.items():
            try:  # (flat rows have every column: itemgetter is about twice as fast as get)
                values = list(map(itemgetter(column), records))
            except KeyError:
                values = [r.get(column) for r in records]
            arrays[column] = self._array(column, kind, values)
        table = pa.table(arrays)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return bytes(sink.getvalue().to_pybytes())

    @staticmethod
    def _array(column: str, kind: str, values: list[Any]) -> Any:
        import pyarrow as pa

        types = {
            "bool": pa.bool_(),
            "int": pa.int64(),
            "float": pa.float64(),
            "string": pa.string(),
        }
        if kind == "json":
            return _json_texts(values)
        try:
            return pa.array(values, types[kind])
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
        self._writer: Any = None
        self._wrote_any = False
        self._pending: list[Any] = []
        self._pending_rows = self._pending_bytes = 0

    def write(self, payload: Any) -> None:
        import pyarrow as pa

        if not payload:
            return
        table = pa.ipc.open_stream(payload).read_all()
        self._pending.append(table)
        self._pending_rows += table.num_rows
        self._pending_bytes += table.nbytes
        self._wrote_any = True
        if self._pending_rows >= ROW_GROUP_ROWS or self._pending_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._pending:
            return
        table = pa.concat_tables(self._pending)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.stream, table.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=table.num_rows)
        self._pending, self._pending_rows, self._pending_bytes = [], 0, 0

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
