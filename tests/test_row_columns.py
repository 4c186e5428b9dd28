"""Blocks of flat rows kept as columns (``RowColumns``) give what their rows give: the same
records, the same Parquet table, the same run statistics (an encoder that takes columns
never has the rows made, so each is held to the rows here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen.personas.loader import PersonaCatalog
from persona_gen.runtime.dataset import Dataset, DatasetStats
from persona_gen.runtime.write import make_encoder
from persona_gen.values.rows import RowColumns, rows_from_columns
from tests.helpers import run_cli

PERSONAS = ["normal_user", "high_volume_system", "noisy_device", "legacy_client", "edge_case_user"]


def _dataset(persona: str, generator: str, seed: int) -> Dataset:
    return Dataset([(PersonaCatalog([]).get(persona), 1.0)], generator, 3 * 1024, seed)


@settings(max_examples=12, deadline=None)
@given(
    persona=st.sampled_from(PERSONAS),
    generator=st.sampled_from(["load", "file"]),
    seed=st.integers(0, 2**32 - 1),
    index=st.integers(0, 2),
    span=st.tuples(st.integers(0, 1024), st.integers(0, 1024)),
)
def test_a_block_as_columns_is_its_rows(
    persona: str, generator: str, seed: int, index: int, span: tuple[int, int]
) -> None:
    dataset = _dataset(persona, generator, seed)
    assert dataset.columnar
    lo, hi = min(span), max(span)
    columns = dataset.chunk_columns(index, lo, hi)
    rows = dataset.chunk(index, lo, hi)
    assert columns.rows() == rows
    # (key order too: the bytes of JSON, CSV and SQL follow it)
    assert [list(r) for r in columns.rows()] == [list(r) for r in rows]
    encoder = make_encoder(dataset, "parquet")
    assert encoder.table(columns).equals(encoder.table(rows))
    csv = make_encoder(dataset, "csv")
    for first in (True, False):
        assert csv.encode(columns, first) == csv.encode(rows, first)
    by_columns, by_rows = DatasetStats(), DatasetStats()
    by_columns.add(columns)
    by_rows.add(rows)
    assert by_columns == by_rows


def test_file_rows_a_behaviour_emptied_lack_their_keys_as_columns_hold_none(
    tmp_path: Path,
) -> None:
    """A required nullable field a malformed input removes is left out of its row (null
    would be a valid value): the record lacks the key, its column holds None, and the
    Parquet table reads null there, as from the rows."""
    schema = tmp_path / "reading.schema.json"
    schema.write_text(
        json.dumps(
            {
                "title": "Reading",
                "type": "object",
                "required": ["id", "note", "level"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "note": {"type": ["string", "null"], "maxLength": 40},
                    "level": {"type": ["integer", "null"], "minimum": 0, "maximum": 9},
                },
            }
        )
    )
    profile = tmp_path / "p.yaml"
    result = run_cli(["import-schema", str(schema), "-t", "file", "-c", "4096", "-o", str(profile)])
    assert result.code == 0, result.stderr
    text = profile.read_text()
    profile.write_text(text.replace("- name: normal_user", "- name: edge_case_user"))
    dataset = Dataset.from_profile(profile, seed=3)
    assert dataset.columnar and dataset.personas[0].name == "edge_case_user"
    encoder = make_encoder(dataset, "parquet")
    lacking = 0
    for index in range(4):
        columns = dataset.chunk_columns(index, 0, 1024)
        rows = columns.rows()
        assert rows == dataset.chunk(index, 0, 1024)
        assert encoder.table(columns).equals(encoder.table(rows))
        for i, keys in columns.absent.items():
            for key in keys:
                lacking += 1
                assert key not in rows[i]
                values = columns.column(key)
                assert values is not None and values[i] is None
    assert lacking


def test_row_columns_refuse_ragged_columns_and_slice_with_their_absent_keys() -> None:
    with pytest.raises(ValueError):
        RowColumns(("a", "b"), [[1, 2], [3]])
    block = RowColumns(("a", "b"), [np.arange(4), ["w", "x", None, "z"]], {2: ("b",)})
    assert block.rows() == [{"a": 0, "b": "w"}, {"a": 1, "b": "x"}, {"a": 2}, {"a": 3, "b": "z"}]
    part = block.slice(1, 3)
    assert part.rows() == [{"a": 1, "b": "x"}, {"a": 2}]
    assert block.slice(0, 4) is block
    assert type(block.rows()[0]["a"]) is int  # (arrays give Python values)
    assert rows_from_columns(("a",), [[1]]) == [{"a": 1}]


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-(2**63), 2**63 - 1),
            st.floats(allow_nan=False),
            st.text(max_size=6),
            st.lists(st.integers(0, 9), max_size=2),
            st.dictionaries(st.text(max_size=2), st.integers(0, 9), max_size=2),
        ),
        min_size=1,
        max_size=8,
    ),
    decimal_comma=st.booleans(),
)
def test_csv_cells_of_a_column_are_each_values_cell(values: list[Any], decimal_comma: bool) -> None:
    """A column converted at once (one ``map`` for a column of one plain type) gives each
    value's own cell: a bool is not an int, a decimal comma is kept."""
    from persona_gen.generators.file import CsvDialect
    from persona_gen.sinks.encoders import CsvEncoder

    encoder = CsvEncoder(dialect=CsvDialect(decimal_comma=decimal_comma))
    assert encoder._cells(values) == [encoder._cell(v) for v in values]
    for plain in ([v for v in values if type(v) is int], [float(len(values)) / 3]):
        if plain:
            assert encoder._cells(np.asarray(plain)) == [encoder._cell(v) for v in plain]
