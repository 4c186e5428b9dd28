"""Labels of objects whose property counts (minProperties / maxProperties) the import meets
by requiring or leaving out optional properties: a property required only to reach
minProperties is not one the source requires, so leaving it out breaks minProperties (when
too few are left) or nothing, never ``required``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from persona_gen.entities.model import Domain
from persona_gen.entities.serial import domain_from_dict, domain_to_dict
from persona_gen.entities.to_jsonschema import entity_json_schema
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset
from tests.helpers import run_cli

# Four optional strings, at least two of them: the import makes `a` and `b` required
# (``counted``); the source requires neither.
FOUR_OPTIONAL = {
    "type": "object",
    "properties": {k: {"type": "string"} for k in "abcd"},
    "minProperties": 2,
}
# Both counts, a property the source requires, and a nested count.
COUNTED = {
    "type": "object",
    "required": ["id"],
    "minProperties": 3,
    "maxProperties": 4,
    "properties": {
        "id": {"type": "integer"},
        **{k: {"type": "string"} for k in "abcd"},
        "inner": {
            "type": "object",
            "minProperties": 1,
            "properties": {"x": {"type": "string"}, "y": {"type": "integer"}},
        },
    },
}


def _dataset(
    tmp: Path, schema: dict[str, Any], dtype: str, persona: str, fmt: str, count: int, seed: int
) -> tuple[Path, Path]:
    source = tmp / "t.schema.json"
    source.write_text(json.dumps(schema))
    profile = tmp / "t.yaml"
    args = ["import-schema", str(source), "-t", dtype, "-o", str(profile), "--force"]
    result = run_cli([*args, "-c", str(count), "--output-format", fmt])
    assert result.code == 0, result.stderr
    out = tmp / "out"
    result = run_cli(
        ["generate", str(profile), "--persona", persona, "-o", str(out), "-s", str(seed)]
    )
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    return profile, data


def _labels(data: Path, dtype: str) -> list[tuple[str, str]]:
    """(path, rule) of every violation the records name."""
    if dtype == "file":
        rows = [json.loads(line) for line in data.read_bytes().splitlines()]
        return [
            tuple(v.rsplit(":", 1))  # type: ignore[misc]
            for row in rows
            for v in (row["_violations"] or "").split(";")
            if v
        ]
    records = json.loads(data.read_bytes())
    if dtype == "fault":
        return [(r["field_path"], r["rule"]) for r in records if r.get("rule")]
    return [(v["path"], v["rule"]) for r in records for v in r.get("violations") or []]


@pytest.mark.parametrize(
    ("schema", "dtype", "persona", "fmt", "count"),
    [
        # edge_case_user's malformed inputs leave a "required" field out of ~1% of bodies
        (FOUR_OPTIONAL, "api", "edge_case_user", "json", 3000),
        (COUNTED, "api", "edge_case_user", "json", 3000),
        (COUNTED, "fault", "edge_case_user", "json", 1500),
        (COUNTED, "fault", "legacy_client", "json", 1500),
        # a device's row cut short loses its last columns
        (COUNTED, "file", "noisy_device", "jsonl", 3000),
        (COUNTED, "file", "edge_case_user", "jsonl", 3000),
    ],
)
def test_a_property_required_only_by_min_properties_is_labelled_as_the_validator_says(
    tmp_path: Path, schema: dict[str, Any], dtype: str, persona: str, fmt: str, count: int
) -> None:
    # Before, leaving out `a` was labelled `required`: "labelled invalid (required) but
    # passes" where the record kept enough properties, and the wrong rule where it did not.
    for seed in (1, 2):
        profile, data = _dataset(tmp_path, schema, dtype, persona, fmt, count, seed)
        report = check_dataset(data, load_profile(profile))
        assert report.exit_code == 0, report.to_json()
        assert not report.problems
        labels = _labels(data, dtype)
        assert not [p for p, rule in labels if rule == "required" and p != "id"]


def test_labels_name_min_and_max_properties() -> None:
    # (run above through the generators: here, that those rules are named at all)
    from persona_gen.entities.model import Schema
    from persona_gen.generators.mutations import MUTATIONS
    from persona_gen.generators.paths import Leaf

    counted = Leaf(("a",), Schema("string"), False, parent_min=2, parent_max=3, counted=True)
    missing = MUTATIONS["missing_required"]
    assert missing.applies(counted)
    assert missing.apply({"a": "x", "b": "y"}, counted, None).rule == "minProperties"  # type: ignore[arg-type, union-attr]
    assert missing.apply({"a": "x", "b": "y", "c": "z"}, counted, None).rule is None  # type: ignore[arg-type, union-attr]
    extra = MUTATIONS["extra_field"]
    assert extra.apply({"a": "x", "b": "y"}, counted, None).rule is None  # type: ignore[arg-type, union-attr]
    assert extra.apply({"a": "x", "b": "y", "c": "z"}, counted, None).rule == "maxProperties"  # type: ignore[arg-type, union-attr]


def test_counted_properties_survive_the_profile_and_are_not_required_by_its_schema(
    tmp_path: Path,
) -> None:
    source = tmp_path / "t.schema.json"
    source.write_text(json.dumps(FOUR_OPTIONAL))
    profile = tmp_path / "t.yaml"
    assert run_cli(["import-schema", str(source), "-o", str(profile)]).code == 0
    domain = load_profile(profile).domain
    assert isinstance(domain, Domain)
    again = domain_from_dict(domain_to_dict(domain))
    schema = again.entity().schema
    assert schema.min_items == 2
    assert [(f.name, f.required, f.counted) for f in schema.fields] == [
        ("a", True, True),
        ("b", True, True),
        ("c", False, False),
        ("d", False, False),
    ]
    # the profile's own JSON Schema (`check` without the source file) says what the source says
    doc = entity_json_schema(again, again.primary)
    assert "required" not in doc and doc["minProperties"] == 2
    jsonschema.validate({"c": "x", "d": "y"}, doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"a": "x"}, doc)
