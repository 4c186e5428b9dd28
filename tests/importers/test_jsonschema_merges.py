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


def valid(
    tmp_path: Path, schema: Any, n: int = 200, entities: tuple[str, ...] | None = None
) -> None:
    """Every listed entity's (each of ``entities``') records pass the original schema."""
    path = tmp_path / "thing.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = JsonSchemaImporter().load(path)
    checks = JsonSchemaImporter().validators(path)
    for entity in entities or result.listed:
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


# -- constants and enums that leave no value ----------------------------------------------


def refused(tmp_path: Path, schema: Any, *extra: str, name: str = "k.schema.json") -> str:
    """import-schema's error for ``schema`` (it must refuse it and write nothing)."""
    from tests.helpers import run_cli

    source = tmp_path / name
    source.write_text(json.dumps(schema), encoding="utf-8")
    profile = tmp_path / "k.yaml"
    ran = run_cli(["import-schema", str(source), "-o", str(profile), *extra])
    assert ran.code == 1, ran.stderr
    assert "Traceback" not in ran.stderr
    assert not profile.exists()
    return ran.stderr


def imported(tmp_path: Path, schema: Any, *extra: str) -> str:
    from tests.helpers import run_cli

    source = tmp_path / "k.schema.json"
    source.write_text(json.dumps(schema), encoding="utf-8")
    ran = run_cli(["import-schema", str(source), "-o", str(tmp_path / "ok.yaml"), *extra])
    assert ran.code == 0, ran.stderr
    return ran.stderr


def test_two_constants_in_an_allof_are_refused_with_file_and_pointer(tmp_path: Path) -> None:
    # The first constant was kept with a warning: every record then broke the second.
    schema = {
        "title": "k",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"allOf": [{"const": "a"}, {"const": "b"}]}},
    }
    assert (
        "persona-gen: error: k.schema.json: no record can satisfy the schema: k: allOf: "
        "constants 'a' and 'b' differ, so no value fits (at #/properties/kind)\n"
    ) in refused(tmp_path, schema).replace(str(tmp_path) + "/", "")


def test_enums_with_nothing_in_common_are_refused(tmp_path: Path) -> None:
    schema = {
        "title": "k",
        "allOf": [{"$ref": "#/$defs/Colour"}, {"enum": ["cyan", "magenta"]}],
        "$defs": {"Colour": {"enum": ["red", "green"]}},
    }
    assert (
        "k: allOf: enums ['red', 'green'] and ['cyan', 'magenta'] have no member in common, "
        "so no value fits (at #)"
    ) in refused(tmp_path, schema)


def test_a_contradiction_in_a_referenced_schema_names_where_it_is(tmp_path: Path) -> None:
    schema = {
        "title": "k",
        "type": "object",
        "required": ["p"],
        "properties": {"p": {"$ref": "#/$defs/P"}},
        "$defs": {
            "P": {
                "type": "object",
                "required": ["q"],
                "properties": {"q": {"allOf": [{"const": 1}, {"const": 2}]}},
            },
            "Other": {"type": "string"},
        },
    }
    stderr = refused(tmp_path, schema)
    assert (
        "no record can satisfy the schema: k: 'p' is required: no value of 'P' fits: allOf: "
        "constants 1 and 2 differ, so no value fits (at #/$defs/P/properties/q)"
    ) in stderr
    refused(tmp_path, schema, "-e", "P")
    imported(tmp_path, schema, "-e", "Other")  # (only what needs it is refused)


def test_a_contradictory_option_is_left_out_with_a_warning(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "object",
        "required": ["v"],
        "properties": {
            "v": {
                "oneOf": [
                    {"type": "string", "maxLength": 3},
                    {"allOf": [{"const": 1}, {"const": 2}]},
                    {"type": "integer", "allOf": [{"enum": [1, 2]}, {"enum": [3]}]},
                ]
            }
        },
    }
    result = load(tmp_path, schema)
    assert result.domain.entities["T"].schema.field("v").schema == Schema(  # type: ignore[union-attr]
        "string", max_length=3
    )
    assert result.warnings == (
        "#/properties/v/oneOf/1: oneOf: no value fits this option, so it is left out: allOf: "
        "constants 1 and 2 differ, so no value fits",
        "#/properties/v/oneOf/2: oneOf: no value fits this option, so it is left out: allOf: "
        "enums [1, 2] and [3] have no member in common, so no value fits",
    )
    assert not result.unsatisfiable
    valid(tmp_path, schema)
    imported(tmp_path, schema)


def test_a_contradictory_optional_property_is_never_generated(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"allOf": [{"const": "a"}, {"enum": ["b", "c"]}]},
            "ref": {"$ref": "#/$defs/Never"},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Never"}},
        },
        # a third part declaring `k` again does not bring it back: a value of `k` must
        # still be 1 and 2
        "allOf": [
            {"properties": {"k": {"const": 1}}},
            {"properties": {"k": {"const": 2}}},
            {"properties": {"k": {"type": "integer"}}},
        ],
        "$defs": {"Never": {"type": "string", "enum": ["abc"], "pattern": "^x"}},
    }
    result = load(tmp_path, schema)
    t = result.domain.entities["T"].schema
    assert [f.name for f in t.fields] == ["id", "tags"]
    assert t.field("tags").schema == Schema("array", max_items=0)  # type: ignore[union-attr]
    assert result.unsatisfiable == (
        (
            "Never",
            "every member of the enum ['abc'] breaks pattern '^x', so no value fits "
            "(at #/$defs/Never)",
        ),
    )
    assert result.warnings == (
        "#/properties/kind: no value fits this property, so it is never generated: allOf: "
        "constant 'a' is not in the enum ['b', 'c'], so no value fits",
        "#: allOf: no value of 'k' fits both parts (allOf: constants 1 and 2 differ, so no "
        "value fits); it is left out",
        "#: 'ref' is left out: no value of 'Never' fits: every member of the enum ['abc'] "
        "breaks pattern '^x', so no value fits (at #/$defs/Never)",
        "#: 'tags[]' is always empty: no value of 'Never' fits: every member of the enum "
        "['abc'] breaks pattern '^x', so no value fits (at #/$defs/Never)",
    )
    valid(tmp_path, schema, entities=("T",))
    imported(tmp_path, schema, "-e", "T")


# -- enums beside bounds ------------------------------------------------------------------


def test_enum_members_outside_the_bounds_are_never_generated(tmp_path: Path) -> None:
    # An enum merged with bounds (allOf, a $ref's siblings, the node's own keywords): the
    # members the bounds exclude were drawn as often as the others, and broke them.
    schema = {
        "title": "T",
        "type": "object",
        "required": ["n", "s", "r", "p", "both"],
        "properties": {
            "n": {"allOf": [{"enum": [1, 5, 10, 15]}, {"minimum": 4, "exclusiveMaximum": 15}]},
            "s": {"enum": ["a", "bbbb", "cc"], "maxLength": 2},
            "r": {"$ref": "#/$defs/Size", "minLength": 2},
            "p": {"type": "string", "enum": ["x-1", "y-2", "x-3"], "pattern": "^x-"},
            "m": {"type": "number", "enum": [0.5, 1, 1.5, 3], "multipleOf": 1.5},
            "both": {"allOf": [{"enum": ["ab", "cd"], "pattern": "a"}, {"pattern": "b$"}]},
            "mixed": {"type": ["string", "integer"], "enum": ["long", 7], "maxLength": 2},
        },
        "$defs": {"Size": {"enum": ["S", "M", "XL", "XXL"]}},
    }
    result = load(tmp_path, schema)
    t = result.domain.entities["T"].schema
    enums = {f.name: f.schema.enum for f in t.fields}
    assert enums == {
        "n": (5, 10),
        "s": ("a", "cc"),
        "r": ("XL", "XXL"),
        "p": ("x-1", "x-3"),
        "m": (1.5, 3),
        "both": ("ab",),
        "mixed": (7,),
    }
    assert t.field("mixed").schema.type == "integer"  # type: ignore[union-attr]
    assert not result.warnings  # (both patterns hold the enum: nothing is left unenforced)
    valid(tmp_path, schema)


def test_a_constant_or_an_enum_the_bounds_exclude_is_refused(tmp_path: Path) -> None:
    by_const = {
        "title": "k",
        "type": "object",
        "required": ["n"],
        "properties": {"n": {"allOf": [{"const": 20}, {"maximum": 10}]}},
    }
    assert "k: allOf: constant 20 breaks maximum 10, so no value fits (at #/properties/n)" in (
        refused(tmp_path, by_const)
    )
    by_enum = {
        "title": "k",
        "type": "object",
        "required": ["s"],
        "properties": {"s": {"type": "string", "enum": ["long", "longer"], "maxLength": 3}},
    }
    assert (
        "k: every member of the enum ['long', 'longer'] breaks maxLength 3, so no value fits "
        "(at #/properties/s)"
    ) in refused(tmp_path, by_enum)


# -- null where a nullable object is referred to --------------------------------------------

_NULLABLE = {
    "title": "Top",
    "type": ["object", "null"],
    "required": ["id", "ref", "either", "own"],
    "properties": {
        "id": {"type": "integer"},
        "ref": {"$ref": "#/$defs/MaybeP"},  # an entity that may be null
        "either": {"$ref": "#/$defs/OrNull"},  # oneOf [null, P]
        "own": {"type": ["object", "null"], "properties": {"x": {"type": "string"}}},
    },
    "$defs": {
        "P": {"type": "object", "required": ["y"], "properties": {"y": {"type": "string"}}},
        "MaybeP": {
            "type": ["object", "null"],
            "required": ["y"],
            "properties": {"y": {"type": "string"}},
        },
        "OrNull": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/P"}]},
    },
}


def test_a_property_referring_to_a_nullable_object_is_null_at_the_usual_rate(
    tmp_path: Path,
) -> None:
    # Only a property nullable itself (`own`) was ever null: one that refers to an entity
    # that may be null never was.
    result = load(tmp_path, _NULLABLE)
    rows = records(result, "Top", 4000, 9)
    for name in ("ref", "either", "own"):
        share = sum(r[name] is None for r in rows) / len(rows)
        assert 0.035 < share < 0.065, (name, share)  # (NULL_SHARE: 5 %)
    assert not any(r["id"] is None for r in rows)
    valid(tmp_path, _NULLABLE)


def test_a_record_of_a_nullable_entity_is_an_object(tmp_path: Path) -> None:
    # A record is the entity's value as a whole: generators make objects (rows, messages,
    # request bodies), so null shows where the entity is referred to, not as a record.
    result = load(tmp_path, _NULLABLE)
    for entity in ("Top", "MaybeP", "OrNull"):
        assert result.domain.entities[entity].schema.nullable
        assert all(isinstance(r, dict) for r in records(result, entity, 500, 4)), entity


def test_recursion_through_a_nullable_entity_ends_with_null(tmp_path: Path) -> None:
    # `next` is required, but the list it refers to may be null: that ends it (it was
    # refused as recursion required at every level).
    schema = {
        "title": "Node",
        "type": ["object", "null"],
        "required": ["value", "next"],
        "properties": {"value": {"type": "integer"}, "next": {"$ref": "#"}},
    }
    result = load(tmp_path, schema)
    rows = records(result, "Node", 300, 2)
    assert any(r["next"] is None for r in rows) and any(r["next"] is not None for r in rows)
    valid(tmp_path, schema)
    imported(tmp_path, schema)  # (nor is it refused on import)


def test_an_avro_file_holds_the_nulls_of_a_reference_to_a_nullable_object(
    tmp_path: Path,
) -> None:
    # The Avro schema derived from the entity must let such a field be null (a file of
    # them was refused: "Top.ref: required field is missing").
    import fastavro

    from tests.helpers import run_cli

    source = tmp_path / "top.schema.json"
    source.write_text(json.dumps(_NULLABLE), encoding="utf-8")
    profile = tmp_path / "top.yaml"
    args = ["-t", "file", "--output-format", "avro", "-c", "400"]
    assert run_cli(["import-schema", str(source), "-o", str(profile), *args]).code == 0
    ran = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"])
    assert ran.code == 0, ran.stderr
    with (tmp_path / "out" / "Top_file.avro").open("rb") as f:
        rows = list(fastavro.reader(f))
    assert len(rows) == 400
    assert any(r["ref"] is None for r in rows) and any(r["ref"] is not None for r in rows)


def test_file_rows_with_a_null_object_read_back_as_null(tmp_path: Path) -> None:
    # A required object that may be null is spread as columns in a file row: all of them
    # empty read back as the object missing ("'ref' is a required property"), not as null.
    from tests.helpers import run_cli

    source = tmp_path / "top.schema.json"
    source.write_text(json.dumps(_NULLABLE), encoding="utf-8")
    profile = tmp_path / "top.yaml"
    args = ["-t", "file", "--output-format", "csv", "-c", "600"]
    assert run_cli(["import-schema", str(source), "-o", str(profile), *args]).code == 0
    assert run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "3"]).code == 0
    data = tmp_path / "out" / "Top_file.csv"
    checked = run_cli(["check", str(data), "--profile", str(profile), "--schema", str(source)])
    assert checked.code == 0, checked.stdout.decode()[-2000:] + checked.stderr


# -- a schema whose type is a list ----------------------------------------------------------


def test_a_schema_whose_type_is_a_list_is_detected(tmp_path: Path) -> None:
    # import-schema without -f: telling it from an Avro schema read `type` as one name,
    # and a list there was a traceback ("unhashable type: 'list'")
    imported(tmp_path, {"type": ["object", "null"], "properties": {"a": {"type": "string"}}})


def test_a_closed_part_of_an_allof_leaves_out_what_only_the_other_part_declares(
    tmp_path: Path,
) -> None:
    # allOf [Audit {created_at...}, {additionalProperties: false, properties: {id...}}]: the
    # import warned, but the records still held created_at, which the closed part forbids
    # (every reply of such an Order failed additionalProperties). A required one leaves
    # the entity no value.
    schema = {
        "title": "Order",
        "allOf": [
            {"$ref": "#/$defs/Audit"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["id"],
                "properties": {"id": {"type": "integer"}, "note": {"type": "string"}},
            },
        ],
        "$defs": {
            "Audit": {
                "type": "object",
                "properties": {"created_at": {"type": "string", "format": "date-time"}},
            }
        },
    }
    result = load(tmp_path, schema)
    order = result.domain.entities["Order"].schema
    assert [f.name for f in order.fields] == ["id", "note"]
    assert any("(created_at); they are left out" in w for w in result.warnings)
    valid(tmp_path, schema, entities=("Order",))
    schema["$defs"]["Audit"]["required"] = ["created_at"]
    assert "'created_at' is required, and a part leaves it out" in refused(tmp_path, schema)
