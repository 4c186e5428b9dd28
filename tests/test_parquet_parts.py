"""Parquet parts joined under one footer: the same file pyarrow writes for the same row groups."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen.errors import OutputError
from persona_gen.sinks.parquet_parts import PartsWriter
from persona_gen.sinks.thrift_compact import read_struct, write_struct


def _table(rows: int, seed: int = 0) -> pa.Table:
    return pa.table(
        {
            "id": list(range(seed, seed + rows)),
            "name": [None if i % 7 == 0 else f"name-{i * 31 % 97}" for i in range(rows)],
            "score": [i / 3 for i in range(rows)],
            "active": [i % 3 == 0 for i in range(rows)],
            "tags": [[f"t{i % 5}"] * (i % 3) for i in range(rows)],
            "point": [{"x": i, "y": -i} for i in range(rows)],
        }
    )


def _parquet(table: pa.Table, row_group: int, **options: object) -> bytes:
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, table.schema, compression="zstd", **options) as writer:
        writer.write_table(table, row_group_size=row_group)
    return sink.getvalue()


def _footer(data: bytes) -> bytes:
    size = int.from_bytes(data[-8:-4], "little")
    return data[-8 - size : -8]


def _joined(parts: list[bytes]) -> bytes:
    out = io.BytesIO()
    writer = PartsWriter(out)
    for part in parts:
        writer.write(part)
    writer.close()
    return out.getvalue()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"write_page_index": True},
        {"write_statistics": False},
        {"use_dictionary": False},
        {"use_dictionary": ["name", "active"]},
    ],
)
def test_a_footer_reads_and_writes_back_to_the_same_bytes(options: dict[str, object]) -> None:
    footer = _footer(_parquet(_table(300), 64, **options))
    assert write_struct(read_struct(footer)) == footer


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 400),
    group=st.integers(1, 120),
    groups_per_part=st.lists(st.integers(1, 4), min_size=1, max_size=8),
    page_index=st.booleans(),
    dictionary=st.sampled_from([True, False, ["name", "active"]]),
)
def test_joined_parts_are_the_file_pyarrow_writes_with_the_same_row_groups(
    rows: int,
    group: int,
    groups_per_part: list[int],
    page_index: bool,
    dictionary: bool | list[str],
) -> None:
    table = _table(rows)
    options = {"write_page_index": page_index, "use_dictionary": dictionary}
    parts, start, n = [], 0, 0
    while start < rows:
        size = group * groups_per_part[n % len(groups_per_part)]
        parts.append(_parquet(table.slice(start, size), group, **options))
        start, n = start + size, n + 1
    whole = _parquet(table, group, **options)
    if not page_index:  # (a page index lies after all row groups: parts interleave theirs)
        assert _joined(parts) == whole
    joined = pq.ParquetFile(io.BytesIO(_joined(parts)))
    assert joined.read().equals(table)
    assert joined.metadata.num_row_groups == pq.ParquetFile(io.BytesIO(whole)).num_row_groups
    for g in range(joined.metadata.num_row_groups):  # every chunk read on its own
        assert joined.read_row_group(g).equals(table.slice(g * group, group))


def test_no_parts_write_nothing() -> None:
    assert _joined([]) == b""


def test_a_part_with_another_schema_is_refused() -> None:
    other = _table(10).rename_columns(["id", "name", "score", "active", "tags", "where"])
    with pytest.raises(OutputError, match="schema differs"):
        _joined([_parquet(_table(10), 5), _parquet(other, 5)])


@pytest.mark.parametrize(
    "part",
    [b"", b"PAR1", b"not parquet at all", b"PAR1\xff\xff\xff\x7fPAR1", b"PAR1" + b"\x19" * 90],
)
def test_a_part_that_is_not_parquet_is_refused(part: bytes) -> None:
    with pytest.raises(OutputError):
        _joined([part])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_only_our_error_escapes_reading_a_garbage_footer(data: bytes) -> None:
    with contextlib.suppress(OutputError):
        read_struct(data)


def test_the_file_a_dataset_writes_in_parts_reads_back(tmp_path: Path) -> None:
    from persona_gen.runtime.cli import main

    out = tmp_path / "events.parquet"
    assert main(["quick", "normal_user", "-t", "streaming", "-n", "70000", "-o", str(out)]) == 0
    data = pq.ParquetFile(out)
    assert data.metadata.num_rows == 70_000
    assert data.metadata.num_row_groups >= 3  # parts of 32,768 rows at most
    assert data.read().num_rows == 70_000


def test_only_columns_whose_values_repeat_are_dictionary_encoded(tmp_path: Path) -> None:
    from persona_gen.runtime.cli import main

    out = tmp_path / "users.parquet"
    args = ["quick", "normal_user", "-t", "file", "-n", "3000", "-s", "5", "-o", str(out)]
    assert main(args) == 0
    group = pq.ParquetFile(out).metadata.row_group(0)
    encoded = {
        group.column(i).path_in_schema: group.column(i).has_dictionary_page
        for i in range(group.num_columns)
    }
    # Ids, e-mail addresses and timestamps never repeat; statuses, countries and names do.
    assert not any(encoded[c] for c in ("id", "email", "created_at"))
    assert all(encoded[c] for c in ("status", "address.country", "first_name"))
