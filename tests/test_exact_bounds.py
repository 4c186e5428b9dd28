"""Bounds no double holds exactly (integers past 2**53): values stay inside them, exactly as
a JSON Schema validator compares (Python compares an int and a float exactly)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen.entities.model import Schema
from persona_gen.generators.check import violated_rule
from persona_gen.generators.effects import _edge_value
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset
from persona_gen.values.numbers import integer_column, number_column, numeric_bounds, snap_many
from tests.helpers import run_cli

TOP = 9007199254749999  # (its nearest double is 9007199254750000.0, past it)
BIG = st.integers(2**53, 2**62)


@settings(max_examples=200, deadline=None)
@given(
    BIG, st.integers(0, 20_000), st.sampled_from(["integer", "number"]), st.booleans(),
    st.integers(0, 2**32 - 1),
)  # fmt: skip
def test_values_near_2_to_53_stay_inside_bounds_no_double_holds(
    low: int, width: int, kind: str, exclusive: bool, seed: int
) -> None:
    # Before, the bounds were made floats: an integer of `maximum: 9007199254749999` could
    # be 9007199254750000, and so could a number (as 9007199254750000.0).
    if kind == "number":  # (where doubles are 2 apart: a range of width 4 holds some)
        low = 2**53 - 10**6 + low % (2 * 10**6)
    high = low + width + 4
    schema = Schema(
        kind, minimum=low, maximum=high, exclusive_minimum=exclusive, exclusive_maximum=exclusive
    )
    rng = np.random.default_rng(seed)
    column = integer_column if kind == "integer" else number_column
    values = column(schema, None, 64, rng)
    bounds = numeric_bounds(schema, kind == "integer")
    noisy = snap_many(schema, np.asarray(values, np.float64) + rng.normal(0, width + 1, 64))
    edges = [_edge_value(schema, None, rng)[0] for _ in range(8)]
    for v in [*values, *noisy, *edges, *bounds]:
        assert violated_rule(schema, v) is None, (v, schema.minimum, schema.maximum)
        if kind == "integer":
            assert type(v) is int


@pytest.mark.parametrize("seed", [1, 2])
def test_api_replies_keep_integers_inside_a_bound_past_2_to_53(tmp_path: Path, seed: int) -> None:
    # `check` found the reply value 9007199254750000 of `maximum: 9007199254749999`
    schema = {
        "type": "object",
        "required": ["n", "i"],
        "properties": {
            "n": {"type": "number", "minimum": TOP - 9999, "maximum": TOP},
            "i": {"type": "integer", "minimum": TOP - 9999, "maximum": TOP},
        },
    }
    source = tmp_path / "big.schema.json"
    source.write_text(json.dumps(schema))
    profile = tmp_path / "big.yaml"
    assert run_cli(["import-schema", str(source), "-o", str(profile), "-c", "3000"]).code == 0
    out = tmp_path / "out"
    args = ["generate", str(profile), "--persona", "normal_user", "-o", str(out), "-s", str(seed)]
    assert run_cli(args).code == 0
    report = check_dataset(out / "big_api.json", load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert report.replies_checked > 2000 and not report.replies_failed
