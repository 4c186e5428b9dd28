"""Blocks of flat rows kept as columns (``RowColumns``) give what their rows give: the same
records, the same Parquet table, the same run statistics (an encoder that takes columns
never has the rows made, so each is held to the rows here)."""

from __future__ import annotations

import json
from pathlib import Path

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
