"""Parquet's columns are fixed before the first row is written: they come from the first
block, and from what generators declare of the keys a block may lack or hold only nulls
in. Nothing a later record carries may be dropped or stored under the wrong type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.generators import GENERATORS
from persona_gen.sinks.parquet import JSON_COLUMNS_KEY, column_kinds
from tests.helpers import run_cli

_PYTHON_KIND = {bool: "bool", int: "int", float: "float", str: "string"}


@pytest.mark.parametrize("generator", sorted(GENERATORS.names()))
def test_every_key_of_later_blocks_has_a_column_of_its_type(generator: str) -> None:
    catalog = PersonaCatalog([])
    for name in catalog.names():
        dataset = Dataset([(catalog.get(name), 1.0)], generator, 12 * 1024, 7)
        first = dataset.block(0)
        kinds = column_kinds(first, dataset.lanes[0].generator.sparse_columns())
        retyped = set(getattr(dataset.lanes[0].generator, "retypable_columns", list)())
        for index in range(1, 12):
            for record in dataset.block(index):
                for key, value in record.items():
                    assert key in kinds, f"{generator}/{name}: '{key}' has no column"
                    kind = kinds[key]
                    if value is None or kind == "json" or key in retyped:
                        continue
                    seen = _PYTHON_KIND.get(type(value), "json")
                    assert seen == kind or (seen, kind) == ("int", "float"), (
                        f"{generator}/{name}: '{key}' is {kind} but holds {value!r}"
                    )


def test_a_key_no_record_of_the_first_block_carries_is_kept(tmp_path: Path) -> None:
    # 1% of the records are an edge-case user's: the first block may hold no session
    # anomaly, which later records carry (the column was dropped, and check said OK).
    records: list[dict[str, Any]] = []
    for fmt in ("jsonl", "parquet"):
        profile = tmp_path / f"{fmt}.yaml"
        profile.write_text(
            "name: mix\npersonas: {normal_user: 0.99, edge_case_user: 0.01}\ndatasets:\n"
            f"  - {{name: traffic, type: api, count: 3000, format: {fmt}, output: t.{fmt}}}\n"
        )
        ran = run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "o")])
        assert ran.code == 0, ran.stderr
    lines = (tmp_path / "o" / "t.jsonl").read_bytes().splitlines()
    records = [orjson.loads(line) for line in lines]
    first_anomaly = next(i for i, r in enumerate(records) if "session_anomaly" in r)
    assert first_anomaly >= 1024  # (else this test would not show the first block's limit)
    table = pq.read_table(tmp_path / "o" / "t.parquet")
    anomalies = table.column("session_anomaly").to_pylist()
    assert anomalies == [r.get("session_anomaly") for r in records]
    assert table.schema.field("session_anomaly").type == "string"


def test_a_column_of_nulls_in_the_first_block_keeps_later_objects_as_json(
    tmp_path: Path,
) -> None:
    # a rare error: every event of the first block has "error": null, later ones an object
    (tmp_path / "rare.yaml").write_text(
        "name: rare\nversion: 1.0.0\npopulation: {kind: user}\n"
        "behaviors:\n  errors: {rate: 0.0005}\n",
    )
    out = tmp_path / "s.parquet"
    args = ["quick", "rare", "-p", str(tmp_path), "-t", "streaming", "-n", "8000", "-s", "6"]
    assert run_cli([*args, "-f", "parquet", "-o", str(out)]).code == 0
    text = run_cli([*args, "-f", "jsonl"]).stdout.splitlines()
    errors = [orjson.loads(line)["error"] for line in text]
    assert errors[:1024] == [None] * 1024 and any(errors)
    table = pq.read_table(out)
    assert "error" in orjson.loads(table.schema.metadata[JSON_COLUMNS_KEY])
    stored = [None if t is None else orjson.loads(t) for t in table.column("error").to_pylist()]
    assert stored == errors
