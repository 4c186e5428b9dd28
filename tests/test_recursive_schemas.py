"""Recursive imported schemas: wide self-references stay bounded (field paths and values per
record), recursion through unions ends whatever the order of the options, and recursion
required at every level is refused at import with the path that loops."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from persona_gen.generators.paths import LEAF_BUDGET, leaves
from persona_gen.importers.jsonschema import JsonSchemaImporter
from persona_gen.values.depth import RECORD_BUDGET
from persona_gen.values.synth import Synthesizer
from tests.helpers import run_cli

DRAFT7 = "http://json-schema.org/draft-07/schema#"
REFERENCE_MS = 1_735_689_600_000


def _wide(k: int) -> dict[str, Any]:
    """Renovate's shape: ``k`` string options and ``k`` objects that are the whole config
    again (``"$ref": "#"``), all optional."""
    props: dict[str, Any] = {}
    for i in range(k):
        props[f"opt{i}"] = {"type": "string"}
        props[f"manager{i}"] = {"type": "object", "$ref": "#"}
    return {"$schema": DRAFT7, "title": "Config", "type": "object", "properties": props}


def _write(tmp_path: Path, schema: dict[str, Any], name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def _values(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_values(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_values(v) for v in value)
    return 1


def test_wide_self_reference_has_bounded_field_paths(tmp_path: Path) -> None:
    """All paths to depth 3 were listed: ~(2k)**4 of them (Renovate: OOM-killed at 24 GB)."""
    result = JsonSchemaImporter().load(_write(tmp_path, _wide(24)))
    found = leaves(result.domain, result.domain.entities["Config"].schema)
    assert 48 <= len(found) <= LEAF_BUDGET
    assert {leaf.path[0] for leaf in found} == {
        f"{p}{i}" for p in ("opt", "manager") for i in range(24)
    }


def test_wide_self_reference_has_bounded_records(tmp_path: Path) -> None:
    path = _write(tmp_path, _wide(24))
    result = JsonSchemaImporter().load(path)
    check = JsonSchemaImporter().validators(path)["Config"]
    rows = Synthesizer(result.domain, REFERENCE_MS).records("Config", 50, np.random.default_rng(1))
    assert max(_values(row) for row in rows) <= RECORD_BUDGET
    assert any(isinstance(row.get("manager0"), dict) and row["manager0"] for row in rows)
    assert all(check(row) == [] for row in rows)


@pytest.mark.parametrize("kind", ["streaming", "file", "fault"])
def test_wide_self_reference_generates(tmp_path: Path, kind: str) -> None:
    schema = _write(tmp_path, _wide(40))
    profile = tmp_path / "p.yaml"
    made = run_cli(["import-schema", str(schema), "-t", kind, "-c", "300", "-o", str(profile)])
    assert made.code == 0, made.stderr
    out = tmp_path / "out"
    generated = run_cli(["generate", str(profile), "-s", "3", "-o", str(out)])
    assert generated.code == 0, generated.stderr
    assert any(out.iterdir())


def _predicate(recursive_first: bool) -> dict[str, Any]:
    """CircleCI's `logic`: a string, or an object whose required `not` is the predicate."""
    options: list[Any] = [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["not"],
            "properties": {"not": {"$ref": "#/definitions/predicate"}},
        },
        {"type": "string"},
    ]
    return {
        "$schema": DRAFT7,
        "title": "Rule",
        "type": "object",
        "required": ["when"],
        "properties": {"when": {"$ref": "#/definitions/predicate"}},
        "definitions": {"predicate": {"anyOf": options if recursive_first else options[::-1]}},
    }


@pytest.mark.parametrize("recursive_first", [True, False])
def test_union_recursion_ends_whatever_the_order(tmp_path: Path, recursive_first: bool) -> None:
    """With the string option first, 'schema recursion is required at every level' even for
    one record: past the soft depth a union keeps choosing the recursive option."""
    path = _write(tmp_path, _predicate(recursive_first))
    result = JsonSchemaImporter().load(path)
    check = JsonSchemaImporter().validators(path)["Rule"]
    synth = Synthesizer(result.domain, REFERENCE_MS)
    for seed in range(5):
        for n in (1, 1024):  # (generators draw a block of 1024 records at a time)
            for row in synth.records("Rule", n, np.random.default_rng(seed)):
                assert check(row) == [], row


def test_recursion_through_arrays_of_unions_ends(tmp_path: Path) -> None:
    """`and: [logic, ...]` (minItems 1) with up to five items per level grew without end."""
    schema = {
        "$schema": DRAFT7,
        "title": "Logic",
        "$ref": "#/definitions/logic",
        "definitions": {
            "logic": {
                "oneOf": [
                    {"type": "boolean"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "maxProperties": 1,
                        "properties": {
                            "and": {
                                "type": "array",
                                "items": {"$ref": "#/definitions/logic"},
                                "minItems": 1,
                            },
                            "not": {"$ref": "#/definitions/logic"},
                        },
                    },
                ]
            }
        },
    }
    path = _write(tmp_path, schema)
    result = JsonSchemaImporter().load(path)
    check = JsonSchemaImporter().validators(path)["logic"]
    rows = Synthesizer(result.domain, REFERENCE_MS).records("logic", 300, np.random.default_rng(3))
    assert all(check(row) == [] for row in rows)
    assert any(isinstance(row, dict) for row in rows)


def test_options_and_optional_fields_that_never_end_are_left_out(tmp_path: Path) -> None:
    schema = {
        "$schema": DRAFT7,
        "title": "Doc",
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer"},
            "loop": {"$ref": "#/definitions/loop"},  # optional, but no finite value
            "either": {"anyOf": [{"$ref": "#/definitions/loop"}, {"type": "integer"}]},
            "many": {"type": "array", "items": {"$ref": "#/definitions/loop"}},
        },
        "definitions": {
            "loop": {
                "type": "object",
                "required": ["next"],
                "properties": {"next": {"$ref": "#/definitions/loop"}},
            }
        },
    }
    path = _write(tmp_path, schema)
    result = JsonSchemaImporter().load(path)
    check = JsonSchemaImporter().validators(path)["Doc"]
    rows = Synthesizer(result.domain, REFERENCE_MS).records("Doc", 200, np.random.default_rng(1))
    assert all(check(row) == [] for row in rows)
    assert not any("loop" in row for row in rows)
    assert all(row.get("many", []) == [] for row in rows)
    assert any(isinstance(row.get("either"), int) for row in rows)


def test_recursion_required_at_every_level_is_refused_at_import(tmp_path: Path) -> None:
    schema = {
        "$schema": DRAFT7,
        "title": "Tree",
        "type": "object",
        "required": ["name", "parent"],
        "properties": {
            "name": {"type": "string"},
            "parent": {"anyOf": [{"$ref": "#"}, {"$ref": "#/definitions/node"}]},
        },
        "definitions": {
            "node": {
                "type": "object",
                "required": ["up"],
                "properties": {"up": {"type": "array", "minItems": 1, "items": {"$ref": "#"}}},
            }
        },
    }
    path = _write(tmp_path, schema)
    result = run_cli(["import-schema", str(path), "-o", str(tmp_path / "p.yaml")])
    assert result.code != 0
    assert "Traceback" not in result.stderr
    assert "schema recursion is required at every level (Tree.parent -> Tree)" in result.stderr
    assert not (tmp_path / "p.yaml").exists()
