"""The jsonschema importer where schemas meet: merges of references with other schemas (each
distinct merge an entity of its own), constants and enums that leave no value (refused, or
the option or property that holds them left out), enums beside bounds, duplicate options of
a union, and null where a nullable object is referred to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from jsonschema_proof import records

from persona_gen.entities.model import Schema
from persona_gen.importers.base import ImportResult
from persona_gen.importers.jsonschema import JsonSchemaImporter

ROOT = Path(__file__).resolve().parents[2]


def load(tmp_path: Path, schema: Any, name: str = "thing.schema.json") -> ImportResult:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return JsonSchemaImporter().load(path)


def valid(tmp_path: Path, schema: Any, n: int = 200, name: str = "thing.schema.json") -> None:
    """Every listed entity's records pass the original schema."""
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = JsonSchemaImporter().load(path)
    checks = JsonSchemaImporter().validators(path)
    for entity in result.listed:
        for seed in (1, 2):
            for row in records(result, entity, n, seed):
                assert checks[entity](row) == [], (entity, row)


def field_refs(result: ImportResult) -> list[tuple[str, str]]:
    """(field name, entity) for every field, in every entity, that is a reference."""
    out = []
    for entity in result.domain.entities.values():
        for _, schema in entity.schema.located():
            out += [(f.name, f.schema.ref) for f in schema.fields if f.schema.ref is not None]
    return out


# -- merges of a reference with other schemas ------------------------------------------------


def _extended(extra: str, kind: str) -> dict[str, Any]:
    """allOf [the recursive Node, an object requiring ``extra``]."""
    return {
        "allOf": [
            {"$ref": "#/$defs/Node"},
            {"properties": {extra: {"type": kind}}, "required": [extra]},
        ]
    }


_NODES = {
    "$defs": {
        "Node": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "a": _extended("x", "string"),
                "b": _extended("y", "integer"),
                "c": _extended("x", "string"),  # the same merge as `a`
            },
        }
    }
}


def test_each_distinct_merge_of_a_reference_is_an_entity_of_its_own(tmp_path: Path) -> None:
    # `a` and `b` extend the same recursive Node differently: they were one entity
    # `Node+more`, the last merge made, so the records under `a` were `b`'s shape.
    result = load(tmp_path, _NODES)
    entities = result.domain.entities
    assert {n for n in entities if "+" in n} == {"Node+more", "Node+more2"}
    extension = {"a": "x", "b": "y", "c": "x"}
    found = [(name, ref) for name, ref in field_refs(result) if "+" in ref]
    assert {name for name, _ in found} == {"a", "b", "c"}
    for name, ref in found:
        # a field refers to the merge of Node with its own extension (c's is a's), and a
        # merged entity holds one extension, never another's
        required = {f.name for f in entities[ref].schema.fields if f.required}
        assert required == {extension[name]}, (name, ref, required)
    valid(tmp_path, _NODES, n=100)


def test_merged_entity_names_are_stable(tmp_path: Path) -> None:
    first = load(tmp_path, _NODES)
    again = load(tmp_path, _NODES)
    assert list(first.domain.entities) == list(again.domain.entities)
    assert first.domain.entities == again.domain.entities


def test_a_documents_copy_of_a_metaschema_is_the_one_referred_to(tmp_path: Path) -> None:
    # AsyncAPI's definitions hold draft-07's meta-schema under its own $id: which of the two
    # a reference reached (and so the names of entities merged with it) followed the
    # process's hash seed. The document's copy is the one, in every process.
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Spec",
        "type": "object",
        "properties": {"payload": {"$ref": "http://json-schema.org/draft-07/schema#"}},
        "definitions": {
            "http://json-schema.org/draft-07/schema": {
                "$id": "http://json-schema.org/draft-07/schema#",
                "title": "A copy",
                "type": "object",
                "properties": {"copied": {"type": "string"}},
                "required": ["copied"],
            }
        },
    }
    path = tmp_path / "spec.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    script = (
        "import sys; from pathlib import Path\n"
        "from persona_gen.importers.jsonschema import JsonSchemaImporter\n"
        "r = JsonSchemaImporter().load(Path(sys.argv[1]))\n"
        "print(r.domain.entities['Spec'].schema.field('payload').schema.ref)\n"
    )
    seen = set()
    for seed in range(4):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        ran = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        seen.add(ran.stdout.strip())
    assert seen == {"http://json-schema.org/draft-07/schema"}


# -- duplicate options -------------------------------------------------------------------


def _shares(rows: list[Any]) -> dict[str, float]:
    kinds = [type(r).__name__ for r in rows]
    return {k: kinds.count(k) / len(kinds) for k in set(kinds)}


def test_options_the_same_after_resolution_are_drawn_as_one(tmp_path: Path) -> None:
    # Two string options (titles and descriptions aside, a reference to one entity twice):
    # each shape is one option, so strings and integers come as often as each other.
    schema = {
        "title": "T",
        "anyOf": [
            {"type": "string", "title": "First", "description": "one"},
            {"type": "string", "title": "Second"},
            {"$ref": "#/$defs/N"},
            {"$ref": "#/$defs/N"},
        ],
        "$defs": {"N": {"type": "integer", "minimum": 0}},
    }
    result = load(tmp_path, schema)
    union = result.domain.entities["T"].schema
    assert [v.type for v in union.variants] == ["string", "ref"]
    assert union.variants[0].description == "one"  # (the first of the same ones is kept)
    assert not result.warnings  # (anyOf: a value of both is fine)
    shares = _shares(records(result, "T", 4000, 5))
    assert 0.46 < shares["str"] < 0.54, shares
    valid(tmp_path, schema)


def test_oneof_options_the_same_here_are_one_option_with_a_warning(tmp_path: Path) -> None:
    # Every string is of both string options: such a value breaks oneOf, so say so.
    schema = {
        "title": "T",
        "type": "object",
        "required": ["n"],
        "properties": {
            "event": {"oneOf": [{"type": "string", "title": "a"}, {"type": "string"}]},
            "n": {
                "oneOf": [
                    {"type": "integer", "maximum": 0},
                    {"type": "integer", "minimum": 10},
                    {"type": "integer", "maximum": 0, "description": "again"},
                ]
            },
        },
    }
    result = load(tmp_path, schema)
    t = result.domain.entities["T"].schema
    assert t.field("event").schema == Schema("string")  # type: ignore[union-attr]
    n = t.field("n").schema  # type: ignore[union-attr]
    assert [(v.minimum, v.maximum) for v in n.variants] == [(None, 0), (10, None)]
    assert result.warnings == (
        "#/properties/event: oneOf: 1 option(s) are the same as another here; each shape is "
        "generated as one option (a value that two options accept breaks oneOf)",
        "#/properties/n: oneOf: 1 option(s) are the same as another here; each shape is "
        "generated as one option (a value that two options accept breaks oneOf)",
    )
    shares = [v >= 10 for v in (r["n"] for r in records(result, "T", 4000, 5))]
    assert 0.46 < sum(shares) / len(shares) < 0.54


def test_options_made_the_same_by_an_allof_are_drawn_as_one(tmp_path: Path) -> None:
    # allOf of two unions: the pairs that merge into one shape are one option
    schema = {
        "title": "T",
        "allOf": [
            {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "string", "maxLength": 5}]},
            {"anyOf": [{"type": "string", "maxLength": 2}, {"type": "integer"}]},
        ],
    }
    result = load(tmp_path, schema)
    assert result.domain.entities["T"].schema == Schema("string", max_length=2)
