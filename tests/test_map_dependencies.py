"""A map (an object of free keys only) whose keys a dependentRequired / dependentSchemas
names: the import reads the dependency's test as never holding (the map declares no such
property), so the map must never hold the key: drawn words and pattern matches hit it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset
from tests.helpers import run_cli

WORDS = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "dependentRequired": {"name": ["email"], "type": ["status"]},
}
SHORT_KEYS = {
    "type": "object",
    "patternProperties": {"^[a-z]{1,2}$": {"type": "integer"}},
    "additionalProperties": False,
    "dependentSchemas": {"x": {"required": ["y"]}},
}


@pytest.mark.parametrize(("schema", "triggers"), [(WORDS, {"name", "type"}), (SHORT_KEYS, {"x"})])
def test_a_map_never_holds_a_dependency_trigger_it_cannot_satisfy(
    tmp_path: Path, schema: dict[str, Any], triggers: set[str]
) -> None:
    # Before, a map drew `name` as one of its words now and then (`x` among two-letter
    # keys often), without `email`: labelled valid, and failing dependentRequired.
    source = tmp_path / "m.schema.json"
    source.write_text(json.dumps(schema))
    profile = tmp_path / "m.yaml"
    args = ["import-schema", str(source), "-t", "file", "-o", str(profile), "-c", "4000"]
    assert run_cli([*args, "--output-format", "jsonl"]).code == 0
    assert list(load_profile(profile).domain.entity().schema.absent) == sorted(triggers)  # type: ignore[union-attr]
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-o", str(out), "-s", "1"]).code == 0
    data = out / "m_file.jsonl"
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    rows = [json.loads(line) for line in data.read_bytes().splitlines()]
    maps = [json.loads(r["value"]) if isinstance(r.get("value"), str) else r for r in rows]
    assert all(not triggers & set(m) for m in maps)
