"""Design spike (not the product): how fast is a user row made column-at-a-time in Arrow?

docs/performance.md proposes columnar records end to end: values drawn as NumPy arrays, strings
assembled by Arrow compute kernels, JSON Lines built by element-wise joins of quoted columns,
Parquet written from the same arrays, with no Python object per value. This script measures
that design on the built-in user row (the `file` generator's shape for `normal_user`, without
behaviours, nulls or JSON escaping), so the claim in the docs can be re-checked:

    python benchmarks/arrow_row_spike.py

It prints records/s to JSON Lines and to Parquet (in memory, one process). Compare with
`persona-gen quick normal_user -t file` rows in the benchmark table.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from persona_gen.values.vocab import words

BLOCK = 1024
BLOCKS = 200
ROW_GROUP_BLOCKS = 64
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_UUID_GROUPS = ((0, 8, 0), (9, 13, 8), (14, 18, 12), (19, 23, 16), (24, 36, 20))
_NUMERIC = {"age"}


def _pool(kind: str) -> pa.Array:
    return pa.array(words(kind).tolist(), pa.string())


POOLS = {
    kind: _pool(kind)
    for kind in ("first_name", "last_name", "city", "word", "email_domain", "username_word")
}
STATUS = pa.array(["active", "pending", "suspended", "deleted"])


def _take(kind: str, rng: np.random.Generator, n: int) -> pa.Array:
    pool = POOLS[kind]
    return pool.take(pa.array(rng.integers(0, len(pool), n)))


def _text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _uuids(rng: np.random.Generator, n: int) -> pa.Array:
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    nibbles = np.stack([_HEX[raw >> 4], _HEX[raw & 15]], axis=2).reshape(n, 32)
    text = np.full((n, 36), ord("-"), np.uint8)
    for start, end, source in _UUID_GROUPS:
        text[:, start:end] = nibbles[:, source : source + end - start]
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(text)])


def user_block(rng: np.random.Generator, first_row: int, n: int = BLOCK) -> dict[str, pa.Array]:
    rows = _text(np.arange(first_row, first_row + n))
    first, last = _take("first_name", rng, n), _take("last_name", rng, n)
    lengths = rng.integers(4, 14, n)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    sentences = pa.ListArray.from_arrays(pa.array(offsets), _take("word", rng, int(lengths.sum())))
    created = pa.array(
        (1_700_000_000_000 - rng.integers(0, 3 * 365 * 86_400_000, n)).astype("datetime64[ms]")
    )
    return {
        "id": _uuids(rng, n),
        "username": pc.binary_join_element_wise(
            pc.utf8_lower(_take("username_word", rng, n)),
            _text(rng.integers(0, 1000, n)),
            "_",
            rows,
            "",
        ),
        "email": pc.binary_join_element_wise(
            pc.utf8_lower(first),
            ".",
            pc.utf8_lower(last),
            ".",
            rows,
            "@",
            _take("email_domain", rng, n),
            "",
        ),
        "first_name": first,
        "last_name": last,
        "age": _text(rng.integers(13, 121, n)),
        "phone": pc.binary_join_element_wise(
            "+1-",
            _text(rng.integers(201, 990, n)),
            "-",
            _text(rng.integers(200, 999, n)),
            "-",
            pc.utf8_lpad(_text(rng.integers(0, 10_000, n)), 4, "0"),
            "",
        ),
        "status": STATUS.take(pa.array(rng.integers(0, 4, n))),
        "address.street": pc.binary_join_element_wise(
            _text(rng.integers(1, 9999, n)), _take("word", rng, n), "Street", " "
        ),
        "address.city": _take("city", rng, n),
        "address.postal_code": pc.utf8_lpad(_text(rng.integers(0, 100_000, n)), 5, "0"),
        "bio": pc.binary_join(sentences, " "),
        "created_at": pc.strftime(created, "%Y-%m-%dT%H:%M:%SZ"),
    }


def json_lines(columns: dict[str, pa.Array]) -> bytes:
    """One element-wise join of literal key text and (quoted) values per row."""
    parts: list[object] = []
    for k, (name, values) in enumerate(columns.items()):
        parts.append(("{" if k == 0 else ",") + f'"{name}":')
        parts.append(
            values if name in _NUMERIC else pc.binary_join_element_wise('"', values, '"', "")
        )
    parts.append("}\n")
    lines = pc.binary_join_element_wise(*parts, "")
    return bytes(lines.buffers()[2].to_pybytes())


def main() -> None:
    rng = np.random.default_rng(1)
    user_block(rng, 0)  # warm the vocabularies
    for fmt in ("jsonl", "parquet"):
        sink, writer, pending = io.BytesIO(), None, []
        start = time.perf_counter()
        for b in range(BLOCKS):
            columns = user_block(rng, b * BLOCK)
            if fmt == "jsonl":
                sink.write(json_lines(columns))
                continue
            pending.append(pa.table(columns))
            if len(pending) == ROW_GROUP_BLOCKS or b == BLOCKS - 1:
                table = pa.concat_tables(pending)
                writer = writer or pq.ParquetWriter(sink, table.schema, compression="zstd")
                writer.write_table(table)
                pending = []
        if writer is not None:
            writer.close()
        seconds = time.perf_counter() - start
        size = len(sink.getvalue()) // (BLOCKS * BLOCK)
        print(f"{fmt:8s} {BLOCKS * BLOCK / seconds:>10,.0f} records/s  {size} bytes/record")


if __name__ == "__main__":
    main()
