"""Recursive imported schemas: wide self-references stay bounded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from persona_gen.generators.paths import LEAF_BUDGET, leaves
from persona_gen.importers.jsonschema import JsonSchemaImporter

DRAFT7 = "http://json-schema.org/draft-07/schema#"


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


def test_wide_self_reference_has_bounded_field_paths(tmp_path: Path) -> None:
    """All paths to depth 3 were listed: ~(2k)**4 of them (Renovate: OOM-killed at 24 GB)."""
    result = JsonSchemaImporter().load(_write(tmp_path, _wide(24)))
    found = leaves(result.domain, result.domain.entities["Config"].schema)
    assert 48 <= len(found) <= LEAF_BUDGET
    assert {leaf.path[0] for leaf in found} == {
        f"{p}{i}" for p in ("opt", "manager") for i in range(24)
    }
