"""The jsonschema importer: entity listing, every construct mapped, errors, fuzzing, and the
proof that generated records pass the `jsonschema` validator (format checking on)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema_proof import records

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.model import Schema
from persona_gen.errors import SchemaImportError
from persona_gen.generators.check import violated_rule
from persona_gen.importers.base import ImportResult
from persona_gen.importers.jsonschema import JsonSchemaImporter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "schemas" / "user.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def load(tmp_path: Path, schema: Any, name: str = "thing.schema.json") -> ImportResult:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return JsonSchemaImporter().load(path)


def field_schema(result: ImportResult, entity: str, name: str) -> Schema:
    found = result.domain.entities[entity].schema.field(name)
    assert found is not None, name
    return found.schema


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


# -- listing ------------------------------------------------------------------------------


def test_example_lists_root_then_defs() -> None:
    result = JsonSchemaImporter().load(EXAMPLE)
    assert result.listed == ("User", "Address", "EmailContact", "SmsContact", "Timestamps")
    assert result.domain.primary == "User"
    assert result.format == "jsonschema"


def test_root_named_by_file_stem_without_title(tmp_path: Path) -> None:
    result = load(
        tmp_path, {"type": "object", "properties": {"a": {"type": "string"}}}, "user.schema.json"
    )
    assert result.listed == ("user",)


def test_definitions_only_root_is_not_listed(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {"A": {"type": "string"}, "B": {"type": "integer"}},
        },
    )
    assert result.listed == ("A", "B")


def test_sniff() -> None:
    imp = JsonSchemaImporter
    assert imp.sniff(Path("a.json"), json.dumps({"$schema": DRAFT}))
    assert imp.sniff(Path("a.json"), json.dumps({"type": "object"}))
    assert not imp.sniff(Path("a.json"), json.dumps({"openapi": "3.0.0", "type": "object"}))
    assert not imp.sniff(Path("a.json"), json.dumps({"name": "x"}))
    assert not imp.sniff(Path("a.json"), "{not json")
    # a root of keywords alone (no type, no $schema): by its keys, or its name
    assert imp.sniff(Path("a.json"), json.dumps({"oneOf": [{"type": "string"}]}))
    assert not imp.sniff(Path("a.json"), json.dumps({"oneOf": [], "name": "x"}))
    assert imp.sniff(Path("a.schema.json"), json.dumps({"oneOf": [], "name": "x"}))
    assert not imp.sniff(Path("a.schema.json"), json.dumps({"title": "x"}))


# -- constructs ---------------------------------------------------------------------------


def test_scalars_and_constraints(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "$schema": DRAFT,
            "title": "T",
            "type": "object",
            "required": ["s"],
            "properties": {
                "s": {
                    "type": "string",
                    "format": "email",
                    "minLength": 3,
                    "maxLength": 9,
                    "pattern": "^[a-z@.]+$",
                },
                "e": {"enum": ["a", "b"]},
                "c": {"const": 5},
                "n": {"type": "number", "exclusiveMinimum": 0, "maximum": 10, "multipleOf": 0.25},
                "i": {"type": "integer", "minimum": 1, "exclusiveMaximum": 7},
                "null_or_s": {"type": ["string", "null"]},
                "mixed": {"type": ["string", "integer"]},
                "d": {"type": "string", "default": "x", "description": "doc"},
            },
        },
    )
    s = field_schema(result, "T", "s")
    assert (s.type, s.format, s.min_length, s.max_length, s.pattern) == (
        "string",
        "email",
        3,
        9,
        "^[a-z@.]+$",
    )
    assert result.domain.entities["T"].schema.field("s").required  # type: ignore[union-attr]
    assert not result.domain.entities["T"].schema.field("e").required  # type: ignore[union-attr]
    assert field_schema(result, "T", "e").enum == ("a", "b")
    c = field_schema(result, "T", "c")
    assert c.has_const and c.const == 5 and c.type == "integer"
    n = field_schema(result, "T", "n")
    assert (n.minimum, n.exclusive_minimum, n.maximum, n.multiple_of) == (0, True, 10, 0.25)
    i = field_schema(result, "T", "i")
    assert (i.minimum, i.maximum, i.exclusive_maximum) == (1, 7, True)
    assert field_schema(result, "T", "null_or_s").nullable
    mixed = field_schema(result, "T", "mixed")
    assert mixed.type == "union" and [v.type for v in mixed.variants] == ["string", "integer"]
    d = field_schema(result, "T", "d")
    assert d.has_default and d.default == "x" and d.description == "doc"


def test_draft04_boolean_exclusive_bounds_and_id(tmp_path: Path) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "id": "http://x.test/t.json",
        "title": "T",
        "type": "object",
        "properties": {
            "n": {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": True,
                "maximum": 1,
                "exclusiveMaximum": True,
            },
            "r": {"$ref": "#/definitions/R"},
        },
        "definitions": {"R": {"type": "integer", "minimum": 5}},
    }
    result = load(tmp_path, schema)
    n = field_schema(result, "T", "n")
    assert (n.exclusive_minimum, n.exclusive_maximum) == (True, True)
    assert field_schema(result, "T", "r") == Schema("ref", ref="R")
    valid(tmp_path, schema)


def test_objects_maps_and_arrays(tmp_path: Path) -> None:
    schema = {
        "$schema": DRAFT,
        "title": "T",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "m": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "minProperties": 2,
                "maxProperties": 3,
            },
            "p": {"type": "object", "patternProperties": {"^x-": {"type": "boolean"}}},
            "a": {
                "type": "array",
                "items": {"type": "integer", "maximum": 4},
                "minItems": 3,
                "maxItems": 5,
                "uniqueItems": True,
            },
            "t": {
                "type": "array",
                "prefixItems": [{"type": "number", "minimum": 0}, {"type": "number", "maximum": 9}],
                "items": False,
            },
        },
    }
    result = load(tmp_path, schema)
    assert result.domain.entities["T"].schema.closed
    m = field_schema(result, "T", "m")
    assert (m.type, m.values, m.min_items, m.max_items) == ("map", Schema("integer"), 2, 3)
    assert field_schema(result, "T", "p").values == Schema("boolean")
    a = field_schema(result, "T", "a")
    assert (a.min_items, a.max_items, a.unique_items) == (3, 5, True)
    t = field_schema(result, "T", "t")
    assert t.max_items == 2 and t.items is not None and (t.items.minimum, t.items.maximum) == (0, 9)
    assert any("prefixItems" in w for w in result.warnings)
    valid(tmp_path, schema)


def test_closed_pattern_properties_with_fields_warn(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "title": "T",
            "type": "object",
            "properties": {"b": {"type": "string"}},
            "additionalProperties": False,
            "patternProperties": {"^a": {"type": "string"}},
        },
    )
    assert any("patternProperties" in w for w in result.warnings)


def test_closed_pattern_properties_are_a_map_with_pattern_keys(tmp_path: Path) -> None:
    """GitHub workflows' `jobs`: additionalProperties false + patternProperties is a map whose
    keys match the pattern (records were `{}`, which minProperties 1 rejects)."""
    schema = {
        "title": "Workflow",
        "type": "object",
        "properties": {
            "jobs": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": False,
                "patternProperties": {"^[_a-zA-Z][a-zA-Z0-9_-]*$": {"type": "string"}},
            },
            "env": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 2,
                "patternProperties": {
                    "^x-[a-z]+$": {"type": "integer"},
                    "^[A-Z]{3}$": {"type": "number"},
                },
            },
            "labels": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": "^[a-z]+$", "maxLength": 6},
            },
            "few": {  # three possible keys, all needed: repeats are drawn again
                "type": "object",
                "additionalProperties": False,
                "minProperties": 3,
                "patternProperties": {"^(a|b|c)$": {"type": "boolean"}},
            },
        },
        "required": ["jobs", "env", "few"],
    }
    result = load(tmp_path, schema)
    jobs = field_schema(result, "Workflow", "jobs")
    assert jobs.type == "map" and jobs.min_items == 1
    assert jobs.pattern == "^[_a-zA-Z][a-zA-Z0-9_-]*$"
    labels = field_schema(result, "Workflow", "labels")
    assert (labels.type, labels.pattern, labels.max_length) == ("map", "^[a-z]+$", 6)
    assert not any("patternProperties" in w or "propertyNames" in w for w in result.warnings)
    valid(tmp_path, schema)
    rows = records(result, "Workflow", 200, 3)
    assert all(row["jobs"] for row in rows)
    assert {k[:2] for row in rows for k in row["env"]} & {"x-"}


def test_open_object_with_min_properties_and_no_properties_is_a_map(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "object",
        "required": ["matrix"],
        "properties": {"matrix": {"type": "object", "minProperties": 2}},
    }
    result = load(tmp_path, schema)
    assert field_schema(result, "T", "matrix").type == "map"
    valid(tmp_path, schema)


def test_refs_recursion_allof_oneof(tmp_path: Path) -> None:
    schema = {
        "$schema": DRAFT,
        "title": "Node",
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#"}},
            "parent": {"$ref": "#"},
            "stamp": {
                "allOf": [
                    {"$ref": "#/$defs/Stamp"},
                    {"properties": {"by": {"type": "string"}}, "required": ["by"]},
                ]
            },
            "either": {"oneOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]},
            "any": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "$defs": {
            "Stamp": {
                "type": "object",
                "required": ["at"],
                "properties": {"at": {"type": "string", "format": "date-time"}},
            },
            "A": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"const": "a"}, "x": {"type": "integer"}},
            },
            "B": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"const": "b"}, "y": {"type": "integer"}},
            },
        },
    }
    result = load(tmp_path, schema)
    assert field_schema(result, "Node", "parent") == Schema("ref", ref="Node")
    stamp = field_schema(result, "Node", "stamp")
    assert stamp.type == "object" and {f.name for f in stamp.fields if f.required} == {"at", "by"}
    either = field_schema(result, "Node", "either")
    assert either.type == "union" and len(either.variants) == 2
    anyof = field_schema(result, "Node", "any")
    assert anyof.type == "string" and anyof.nullable
    valid(tmp_path, schema)


def test_oneof_required_alternatives_stay_exclusive(tmp_path: Path) -> None:
    valid(
        tmp_path,
        {
            "title": "T",
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
        },
    )


def test_id_based_and_relative_file_refs(tmp_path: Path) -> None:
    (tmp_path / "address.json").write_text(
        json.dumps(
            {
                "$id": "https://example.com/address.json",
                "title": "Address",
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string"}},
            }
        )
    )
    schema = {
        "$schema": DRAFT,
        "$id": "https://example.com/person.json",
        "title": "Person",
        "type": "object",
        "required": ["home", "work"],
        "properties": {
            "home": {"$ref": "address.json"},
            "work": {"$ref": "https://example.com/address.json"},
            "tag": {"$ref": "#/$defs/Tag"},
        },
        "$defs": {"Tag": {"$anchor": "tag", "type": "string", "maxLength": 5}},
    }
    result = load(tmp_path, schema, "person.json")
    home, work = field_schema(result, "Person", "home"), field_schema(result, "Person", "work")
    assert home == work == Schema("ref", ref="Address")
    assert "Address" not in result.listed and "Address" in result.domain.entities
    valid(tmp_path, schema, name="person.json")


def test_dependent_required_brings_dependents_where_the_trigger_is(tmp_path: Path) -> None:
    # The dependents were always generated ("they are always generated"): faults that left
    # one out of a record without the trigger were labelled `required` but passed.
    schema = {
        "title": "T",
        "type": "object",
        "properties": {"card": {"type": "string"}, "cvv": {"type": "string"}},
        "dependentRequired": {"card": ["cvv"]},
    }
    result = load(tmp_path, schema)
    assert not result.warnings, result.warnings
    rows = records(result, "T", 200, 1)
    assert all("cvv" in r for r in rows if "card" in r)
    assert any("card" in r for r in rows) and any("cvv" not in r for r in rows)
    valid(tmp_path, schema)


def test_a_dependent_boolean_stays_a_boolean_and_its_faults_name_type(tmp_path: Path) -> None:
    # The option holding the trigger listed the dependent boolean's two values as an enum the
    # source never declared: its faults were labelled 'enum' ('TRUE_LEGACY', 'yes') where
    # the validator says 'type' (check: "labelled 'enum' but fails on type").
    schema = {
        "title": "T",
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string", "minLength": 3},
            "card": {"type": "string"},
            "verified": {"type": "boolean"},
        },
        "dependentRequired": {"card": ["verified"]},
    }
    result = load(tmp_path, schema)
    options = result.domain.entities["T"].schema.variants
    assert options, "the dependency splits the object"
    for option in options:
        field = option.field("verified")
        assert field is not None and field.schema.enum is None, field
    path = tmp_path / "thing.schema.json"
    check = JsonSchemaImporter().validators(path)["T"]
    persona = PersonaCatalog().get("legacy_client")  # (type_mismatch weighs more)
    faults = [
        r
        for block in Dataset([(persona, 1.0)], "fault", 600, seed=3, domain=result.domain).blocks()
        for r in block
        if r["field_path"] == "verified"
    ]
    assert {r["mutation"] for r in faults} >= {"type_mismatch", "null_injection"}
    assert "invalid_enum" not in {r["mutation"] for r in faults}
    for r in faults:
        if r["mutation"] in ("type_mismatch", "null_injection"):
            assert r["rule"] == "type", r
            assert check(r["record"]), r


@pytest.mark.parametrize(
    ("extra", "word"),
    [
        ({"not": {"required": ["x"], "properties": {"x": {"const": 1}}}}, "not"),
        ({"if": {"minProperties": 2}, "then": {"required": ["b"]}}, "if/then/else"),
        # (2020-12's validator checks dependentSchemas, not draft 4-7's `dependencies`)
        ({"dependencies": {"a": {"required": ["b"]}}}, "dependencies"),
        (
            {"properties": {"k": {"type": "object"}}, "propertyNames": {"maxLength": 3}},
            "propertyNames",
        ),
    ],
)
def test_unexpressed_constructs_are_warnings(
    tmp_path: Path, extra: dict[str, Any], word: str
) -> None:
    result = load(tmp_path, {"title": "T", "type": "object", **extra})
    assert any(word in w and w.startswith("#") for w in result.warnings), result.warnings


def test_false_property_is_left_out(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "title": "T",
            "type": "object",
            "properties": {"gone": False, "nope": {"not": {}}, "a": {}},
        },
    )
    assert [f.name for f in result.domain.entities["T"].schema.fields] == ["a"]


def test_not_required_leaves_the_properties_out(tmp_path: Path) -> None:
    """AsyncAPI's OAuth flows: allOf [flow, {required: [tokenUrl]}, {not: {required:
    [authorizationUrl]}}] (the password flow has no authorizationUrl)."""
    schema = {
        "title": "Flows",
        "type": "object",
        "required": ["password", "pair"],
        "properties": {
            "password": {
                "allOf": [
                    {"$ref": "#/$defs/flow"},
                    {"required": ["tokenUrl"]},
                    {"not": {"required": ["authorizationUrl"]}},
                    {"not": {"type": "object", "required": ["refreshUrl", "tokenUrl"]}},
                ]
            },
            "pair": {
                "$ref": "#/$defs/flow",
                "required": ["tokenUrl"],
                "not": {"required": ["tokenUrl", "refreshUrl"]},
            },
        },
        "$defs": {
            "flow": {
                "type": "object",
                "properties": {
                    "authorizationUrl": {"type": "string", "format": "uri"},
                    "tokenUrl": {"type": "string", "format": "uri"},
                    "refreshUrl": {"type": "string", "format": "uri"},
                },
            }
        },
    }
    result = load(tmp_path, schema)
    password = field_schema(result, "Flows", "password")
    assert [f.name for f in password.fields] == ["tokenUrl"]
    pair = field_schema(result, "Flows", "pair")
    assert [f.name for f in pair.fields] == ["authorizationUrl", "tokenUrl"]
    assert not any("not:" in w for w in result.warnings), result.warnings
    valid(tmp_path, schema)


def test_required_undeclared_property_follows_its_pattern(tmp_path: Path) -> None:
    """The OpenAPI 3.0 meta-schema's Reference (in AsyncAPI): required [$ref] with only
    patternProperties {^\\$ref$: uri-reference}; the required key held any value (39)."""
    schema = {
        "title": "T",
        "type": "object",
        "required": ["ref", "other"],
        "properties": {
            "ref": {
                "type": "object",
                "required": ["$ref"],
                "patternProperties": {"^\\$ref$": {"type": "string", "format": "uri-reference"}},
            },
            "other": {
                "type": "object",
                "required": ["n"],
                "additionalProperties": {"type": "integer", "minimum": 5},
            },
        },
    }
    result = load(tmp_path, schema)
    ref = field_schema(result, "T", "ref").field("$ref")
    assert ref is not None and (ref.schema.type, ref.schema.format) == ("string", "uri-reference")
    n = field_schema(result, "T", "other").field("n")
    assert n is not None and (n.schema.type, n.schema.minimum) == ("integer", 5)
    valid(tmp_path, schema)


# -- the validator proof ------------------------------------------------------------------


def test_example_records_pass_the_original_schema() -> None:
    result = JsonSchemaImporter().load(EXAMPLE)
    checks = JsonSchemaImporter().validators(EXAMPLE)
    for entity in result.listed:
        for seed in range(3):
            for row in records(result, entity, 300, seed):
                assert checks[entity](row) == [], (entity, row)


def test_validator_rejects_a_bad_record() -> None:
    checks = JsonSchemaImporter().validators(EXAMPLE)
    assert checks["Address"]({"street": "x", "city": "y", "country": "usa"})
    assert checks["User"]({"id": "not-a-uuid"})  # format checking is on


@pytest.mark.parametrize(
    "draft",
    [
        "http://json-schema.org/draft-04/schema#",
        "http://json-schema.org/draft-07/schema#",
        "https://json-schema.org/draft/2019-09/schema",
        DRAFT,
    ],
)
@pytest.mark.parametrize(
    ("fmt", "bad"), [("uuid", "1234-not-a-uuid"), ("date", "2024-13-45"), ("duration", "P1Q")]
)
def test_every_draft_checks_the_formats_labels_break(
    tmp_path: Path, draft: str, fmt: str, bad: str
) -> None:
    # A label breaks a format whatever the draft; draft-04's and draft-07's checkers knew no
    # uuid (nor date in draft-04): check called such faults "labelled invalid but passes".
    path = tmp_path / "f.schema.json"
    field = {"type": "string", "format": fmt}
    path.write_text(json.dumps({"$schema": draft, "title": "F", "properties": {"v": field}}))
    assert violated_rule(Schema("string", format=fmt), bad) == "format"
    assert JsonSchemaImporter().validators(path)["F"]({"v": bad})


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "number", "multipleOf": 0.1, "minimum": 0, "maximum": 3},
        {"type": "number", "multipleOf": 0.01, "exclusiveMinimum": 0, "exclusiveMaximum": 0.05},
        {"type": "integer", "multipleOf": 2.5, "minimum": -50, "maximum": 50},
        {"type": "number", "exclusiveMinimum": 1e17},
        {"type": "string", "format": "time"},
        {"type": "string", "format": "date"},
        {"type": "string", "format": "json-pointer"},
        {"type": "string", "format": "ipv6"},
        {"type": "string", "pattern": "^[a-z]+$", "minLength": 15},
        {"type": "string", "format": "date", "pattern": "^20"},
        # a pattern that format values rarely match: its matches put in format values
        {"type": "string", "format": "ipv4", "pattern": "^10\\."},
        {
            "type": "string",
            "format": "ipv4",
            "pattern": "^10\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$",
        },
        {"type": "string", "format": "uuid", "pattern": "^0000"},
        {"type": "string", "format": "date-time", "pattern": "T00:00:00Z$"},
        {"type": "array", "items": {"enum": [1, 2, 3, 4]}, "minItems": 3, "uniqueItems": True},
        {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 5},
        {"oneOf": [{"const": "x"}, {"enum": [1, 2]}]},
        # an enum or const of arrays lists whole values, not items
        {"enum": [[0, 0], [1, 1]]},
        {"type": "array", "items": {"type": "integer"}, "enum": [[1, 2], [3]]},
        {"enum": [[0, 0], {"x": 1}, "plain"]},
        {"const": [1, 2]},
        {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 100},
            "contains": {"minimum": 50},
            "minContains": 2,
            "maxContains": 3,
        },
    ],
)
def test_value_constraints_are_honoured(tmp_path: Path, schema: dict[str, Any]) -> None:
    valid(
        tmp_path,
        {
            "$schema": DRAFT,
            "title": "T",
            "type": "object",
            "required": ["v"],
            "properties": {"v": schema},
        },
    )


def test_an_email_held_to_a_domain_pattern_keeps_its_local_part(tmp_path: Path) -> None:
    # (jsonschema's email check asks for an "@" only: "@example.com" passed it)
    schema = {"type": "string", "format": "email", "pattern": "@example\\.com$"}
    result = load(
        tmp_path, {"title": "T", "type": "object", "required": ["v"], "properties": {"v": schema}}
    )
    emails = [row["v"] for row in records(result, "T", 300, 3)]
    assert all(re.fullmatch(r"[^@\s]+@example\.com", e) for e in emails), emails[:5]


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"type": "object",\n "properties": {', "invalid JSON", 2),
        (
            '{"type": "object",\n"properties": {"a": {"$ref": "#/$defs/Nope"}}}',
            "unresolvable $ref '#/$defs/Nope'",
            2,
        ),
        ('{"type": "object", "properties": {"a": {"type": "strin"}}}', "unknown type 'strin'", 1),
        (
            '{"type": "object", "properties": {"a": {"$ref": "missing.json"}}}',
            "file not found",
            None,
        ),
        ('{"openapi": "3.0.0", "paths": {}}', "OpenAPI document", 1),
        ("[1, 2]", "top level must be an object", 1),
        ('{"$schema": "http://json-schema.org/draft-07/schema#"}', "no schemas found", 1),
        ('{"type": "object", "properties": []}', "properties must be an object", 1),
        ('{"type": "string", "minLength": -1}', "minLength must be a non-negative integer", 1),
        ('{"type": "object", "required": "a"}', "required must be a list", 1),
        ('{"type": "array", "items": 3}', "items must be a schema", 1),
        ('{"type": "object", "properties": {"a": {"allOf": []}}}', "allOf must be a non-empty", 1),
        ('{"type": "object",\n"$id": 1.5}', "$id must be a string (a URI), got 1.5", 2),
        (
            '{"$schema": "http://json-schema.org/draft-04/schema#", "id": [1], "type": "object"}',
            "id must be a string (a URI), got [1]",
            1,
        ),
    ],
)
def test_bad_input_is_a_schema_import_error(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaImportError) as info:
        JsonSchemaImporter().load(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_missing_file_and_unknown_dialect(tmp_path: Path) -> None:
    with pytest.raises(SchemaImportError, match="file not found"):
        JsonSchemaImporter().load(tmp_path / "nope.json")
    path = tmp_path / "a.json"
    path.write_text('{"type": "string"}')
    with pytest.raises(SchemaImportError, match="unknown JSON Schema dialect"):
        JsonSchemaImporter().load(path, dialect="draft-99")
    assert JsonSchemaImporter().load(path, dialect="draft-07").listed == ("a",)


def test_remote_ref_is_a_warning(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "title": "T",
            "type": "object",
            "properties": {"x": {"$ref": "https://nowhere.test/x.json"}},
        },
    )
    assert field_schema(result, "T", "x").type == "any"
    assert any("cannot be fetched" in w for w in result.warnings)


_EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        st.text(max_size=200),
        st.integers(0, len(_EXAMPLE_TEXT)).map(lambda k: _EXAMPLE_TEXT[:k]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "type",
                            "properties",
                            "items",
                            "$ref",
                            "enum",
                            "allOf",
                            "oneOf",
                            "required",
                            "minimum",
                            "pattern",
                            "$defs",
                            "$id",
                            "a",
                        ]
                    ),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ).map(json.dumps),
    )
)
def test_fuzz_only_schema_import_error_escapes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(text, encoding="utf-8")
    try:
        JsonSchemaImporter().load(path)
    except SchemaImportError as exc:
        assert str(exc)


def test_recursive_schema_extending_the_meta_schema_imports(tmp_path: Path) -> None:
    """AsyncAPI's `schema` is allOf [draft-07 meta-schema, its own recursive properties]:
    merging two recursive references ran without end ("nested too deeply")."""
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Spec",
        "type": "object",
        "properties": {"payload": {"$ref": "#/definitions/schema"}},
        "definitions": {
            "schema": {
                "allOf": [
                    {"$ref": "http://json-schema.org/draft-07/schema#"},
                    {
                        "properties": {
                            "items": {
                                "anyOf": [
                                    {"$ref": "#/definitions/schema"},
                                    {"type": "array", "items": {"$ref": "#/definitions/schema"}},
                                ]
                            },
                            "additionalProperties": {
                                "anyOf": [{"$ref": "#/definitions/schema"}, {"type": "boolean"}]
                            },
                            "discriminator": {"type": "string"},
                        }
                    },
                ]
            }
        },
    }
    result = load(tmp_path, schema)
    assert result.listed == ("Spec", "schema")
    valid(tmp_path, schema, n=50)


def test_recursive_union_extended_by_allof_imports(tmp_path: Path) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Spec",
        "type": "object",
        "properties": {"payload": {"$ref": "#/definitions/extended"}},
        "definitions": {
            "core": {
                "type": ["object", "boolean"],
                "properties": {
                    "title": {"type": "string"},
                    "items": {
                        "anyOf": [
                            {"$ref": "#/definitions/core"},
                            {"type": "array", "items": {"$ref": "#/definitions/core"}},
                        ]
                    },
                },
            },
            "extended": {
                "allOf": [
                    {"$ref": "#/definitions/core"},
                    {
                        "properties": {
                            "items": {
                                "anyOf": [
                                    {"$ref": "#/definitions/extended"},
                                    {"type": "array", "items": {"$ref": "#/definitions/extended"}},
                                ]
                            },
                            "format": {"type": "string", "maxLength": 8},
                        }
                    },
                ]
            },
        },
    }
    result = load(tmp_path, schema)
    assert result.listed == ("Spec", "core", "extended")
    # object-or-boolean meets array-or-reference: no "no common value" for the pairs that
    # cannot meet (they are simply not options)
    assert not any("boolean' and 'array'" in w for w in result.warnings), result.warnings
    valid(tmp_path, schema, n=100)


def test_too_deep_schema_names_where(tmp_path: Path) -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(400):
        deep = {"type": "object", "properties": {"x": deep}}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"title": "T", **deep}), encoding="utf-8")
    with pytest.raises(SchemaImportError, match=r"nested too deeply.*\(at #"):
        JsonSchemaImporter().load(path)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Config file (https://example.com/)", "Config_file_https_example.com"),
        (
            "JSON schema for Renovate 44.181.5 config files",
            "JSON_schema_for_Renovate_44.181.5_config_files",
        ),
        ("http://asyncapi.com/definitions/2.6.0/schema.json", "schema"),
        ("Überblick: Aufträge", "Uberblick_Auftrage"),
        ("配置", "cfg"),
    ],
)
def test_free_text_title_gives_a_loadable_profile(
    tmp_path: Path, title: str, expected: str
) -> None:
    """A title is free text: the default profile and dataset names are made to fit the
    profile's name pattern (a title with dots kept its text after the last dot: 'com/)')."""
    from tests.helpers import run_cli

    schema = {"title": title, "type": "object", "properties": {"a": {"type": "string"}}}
    path = tmp_path / "cfg.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    profile = tmp_path / "p.yaml"
    made = run_cli(["import-schema", str(path), "-t", "streaming", "-c", "2", "-o", str(profile)])
    assert made.code == 0, made.stderr
    doc = yaml.safe_load(profile.read_text(encoding="utf-8"))
    assert doc["name"] == expected
    assert doc["datasets"][0]["name"] == f"{expected}_streaming"
    assert doc["datasets"][0]["output"] == f"{expected}_streaming.json"
    generated = run_cli(["generate", str(profile), "-s", "1"])
    assert generated.code == 0, generated.stderr
    assert len(json.loads(generated.stdout)) == 2


def test_type_keywords_beside_anyof_apply_to_options_of_that_type(tmp_path: Path) -> None:
    """vega-lite's FieldRangePredicate.range: minItems/maxItems beside an array option and a
    $ref to an object constrain only the array (the $ref option was made an array of words);
    azure-pipelines' matrix: minProperties beside an object and a string option."""
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Predicate",
        "type": "object",
        "required": ["range", "matrix", "size"],
        "additionalProperties": False,
        "properties": {
            "range": {
                "anyOf": [
                    {"type": "array", "items": {"type": "number"}},
                    {"$ref": "#/definitions/ExprRef"},
                ],
                "minItems": 2,
                "maxItems": 2,
            },
            "matrix": {
                "anyOf": [{"type": "object", "additionalProperties": True}, {"type": "string"}],
                "minProperties": 1,
                "patternProperties": {"^[A-Za-z0-9_]+$": {"type": "object"}},
            },
            "size": {
                "oneOf": [{"type": "integer"}, {"type": "string", "format": "date"}],
                "minimum": 3,
                "maxLength": 10,
            },
        },
        "definitions": {
            "ExprRef": {
                "type": "object",
                "additionalProperties": False,
                "required": ["expr"],
                "properties": {"expr": {"type": "string"}},
            }
        },
    }
    result = load(tmp_path, schema)
    assert result.warnings == ()
    kinds = [v.type for v in field_schema(result, "Predicate", "range").variants]
    assert kinds == ["array", "object"]
    matrix = field_schema(result, "Predicate", "matrix").variants[0]
    assert matrix.type == "map" and matrix.min_items == 1
    valid(tmp_path, schema)


def test_option_whose_type_the_declared_type_excludes_is_left_out(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "object",
        "required": ["v"],
        "properties": {
            "v": {
                "type": "string",
                "minLength": 2,
                "anyOf": [{"type": "integer"}, {"maxLength": 4}, {"format": "email"}],
            }
        },
    }
    result = load(tmp_path, schema)
    assert any("can never match" in w for w in result.warnings)
    assert not any("no common value" in w for w in result.warnings)
    valid(tmp_path, schema)


def test_dependencies_keep_oneof_options_apart(tmp_path: Path) -> None:
    """GitHub workflow `step`: `shell` needs `run`, and oneOf [required uses, required run].
    Making `run` always present put it beside `uses` (valid under both options): 56 % of
    records labelled valid failed. A dependent an option cannot hold leaves the trigger out
    of that option instead."""
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Step",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "uses": {"type": "string"},
            "run": {"type": "string"},
            "shell": {"type": "string"},
            "with": {"type": "string"},
        },
        "dependencies": {"shell": ["run"], "with": ["uses"]},
        "oneOf": [{"required": ["uses"]}, {"required": ["run"]}],
    }
    result = load(tmp_path, schema)
    valid(tmp_path, schema)
    rows = records(result, "Step", 200, 5)
    assert any("shell" in row for row in rows) and any("with" in row for row in rows)
    assert all("run" in r and "uses" not in r for r in rows if "shell" in r)
    assert all("uses" in r and "run" not in r for r in rows if "with" in r)


def test_dependency_a_closed_object_cannot_meet_leaves_the_trigger_out(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "object",
        "additionalProperties": False,
        "properties": {"card": {"type": "string"}, "name": {"type": "string"}},
        "dependentRequired": {"card": ["cvv"]},
    }
    result = load(tmp_path, schema)
    assert not any("card" in r for r in records(result, "T", 200, 1))
    valid(tmp_path, schema)


# -- if/then/else ---------------------------------------------------------------------------

_FORM_ITEM = {
    "title": "Item",
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["markdown", "input", "dropdown"]},
        "label": {"type": "string"},
        "options": {"type": "array", "items": {"type": "string"}},
        "value": {"type": "string"},
        "interval": {"enum": ["daily", "weekly", "cron"]},
        "cronjob": {"type": "string"},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "markdown"}}},
            "then": {"required": ["value"], "not": {"required": ["label"]}},
        },
        {
            "if": {"properties": {"type": {"const": "dropdown"}}},
            "then": {"required": ["options", "label"]},
            "else": {"properties": {"options": False}},
        },
        {
            "if": {"properties": {"interval": {"const": "cron"}}, "required": ["interval"]},
            "then": {"required": ["cronjob"]},
            "else": {"properties": {"cronjob": False}},
        },
    ],
}


def test_conditionals_split_an_object_by_its_discriminator(tmp_path: Path) -> None:
    """Each ``if`` on a property's value splits the object; every branch is generated and
    every record passes the original schema."""
    result = load(tmp_path, _FORM_ITEM)
    assert not any("if/then/else" in w for w in result.warnings), result.warnings
    rows = records(result, "Item", 600, 3)
    kinds = {(r["type"], r.get("interval") == "cron") for r in rows}
    assert kinds == {(t, cron) for t in ("markdown", "input", "dropdown") for cron in (True, False)}
    assert all("options" in r and "label" in r for r in rows if r["type"] == "dropdown")
    assert not any("options" in r for r in rows if r["type"] != "dropdown")
    assert all(("cronjob" in r) == (r.get("interval") == "cron") for r in rows)
    valid(tmp_path, _FORM_ITEM)


def test_a_negated_presence_test_requires_the_other_branch(tmp_path: Path) -> None:
    """Dependabot's form: ``schedule`` is required unless ``group`` is present."""
    schema = {
        "title": "Update",
        "type": "object",
        "additionalProperties": False,
        "properties": {"group": {"type": "string"}, "schedule": {"type": "string"}},
        "if": {"not": {"properties": {"group": {}}, "required": ["group"]}},
        "then": {"required": ["schedule"]},
    }
    rows = records(load(tmp_path, schema), "Update", 300, 5)
    assert all("schedule" in r for r in rows if "group" not in r)
    assert any("group" not in r for r in rows) and any("group" in r for r in rows)
    valid(tmp_path, schema)


def test_a_conditional_on_a_referenced_enum_narrows_it(tmp_path: Path) -> None:
    schema = {
        "title": "Job",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"$ref": "#/$defs/kind"}, "image": {"type": "string"}},
        "if": {"properties": {"kind": {"enum": ["docker", "oci"]}}},
        "then": {"required": ["image"]},
        "else": {"properties": {"image": False}},
        "$defs": {"kind": {"enum": ["docker", "oci", "shell", "ssh"]}},
    }
    rows = records(load(tmp_path, schema), "Job", 400, 2)
    assert {r["kind"] for r in rows} == {"docker", "oci", "shell", "ssh"}
    assert all(("image" in r) == (r["kind"] in ("docker", "oci")) for r in rows)
    valid(tmp_path, schema)


def test_a_oneof_inside_allof_keeps_its_options_apart(tmp_path: Path) -> None:
    """The base declares both properties; each option requires one, so the other must be
    left out of it, or a record would match both options."""
    schema = {
        "title": "Update",
        "type": "object",
        "properties": {"directory": {"type": "string"}, "directories": {"type": "array"}},
        "allOf": [{"oneOf": [{"required": ["directory"]}, {"required": ["directories"]}]}],
    }
    rows = records(load(tmp_path, schema), "Update", 300, 4)
    assert all(("directory" in r) != ("directories" in r) for r in rows)
    valid(tmp_path, schema)


def test_an_entity_split_by_conditionals_has_every_options_fields(tmp_path: Path) -> None:
    """Generators address fields by path: an entity that is a union of objects offers each
    option's fields, required only where every option requires them, and any value where
    the options disagree (``type`` is a different constant in each)."""
    from persona_gen.generators.paths import leaves

    result = load(tmp_path, _FORM_ITEM)
    found = {
        leaf.dotted: leaf for leaf in leaves(result.domain, result.domain.entity("Item").schema)
    }
    assert set(found) == {"type", "label", "options", "value", "interval", "cronjob"}
    assert found["type"].required and found["type"].schema.type == "any"
    assert not found["options"].required and found["options"].schema.type == "array"
    assert all(leaf.parent_closed for leaf in found.values())


def test_unicode_property_patterns_are_kept_generated_and_checked(tmp_path: Path) -> None:
    """ECMA's \\p{...} (read with the `u` flag): Python's re has none, so such a pattern was
    dropped with a warning, its values made without it (`code` got 'COD-12345678'), and the
    check left it unenforced: a oneOf of two such options then matched every string twice."""
    schema = {
        "title": "Person",
        "type": "object",
        "required": ["name", "code", "tag", "label"],
        "properties": {
            "name": {"type": "string", "pattern": "^[\\p{L} '-]{2,20}$"},
            "code": {"type": "string", "pattern": "^\\p{Lu}{3}$"},
            "tag": {
                "oneOf": [
                    {"type": "string", "pattern": "^\\p{Script=Greek}+$"},
                    {"type": "string", "pattern": "^\\P{sc=Greek}+$"},
                ]
            },
            "label": {
                "type": "object",
                "additionalProperties": False,
                "patternProperties": {"^\\p{Ll}+$": {"type": "integer"}},
                "minProperties": 1,
            },
        },
    }
    result = load(tmp_path, schema)
    assert result.warnings == ()
    assert field_schema(result, "Person", "code").pattern == "^\\p{Lu}{3}$"
    assert field_schema(result, "Person", "label").pattern == "^\\p{Ll}+$"
    valid(tmp_path, schema)
    checks = JsonSchemaImporter().validators(tmp_path / "thing.schema.json")
    row = {"name": "Zoë Ünal", "code": "ÉΣЖ", "tag": "αβγ", "label": {"é": 1}}
    assert checks["Person"](row) == []
    for key, bad in (("name", "R2-D2"), ("code", "AbC"), ("tag", "αβc"), ("label", {"A": 1})):
        assert checks["Person"]({**row, key: bad}) != [], key


# -- null among an enum's members ------------------------------------------------------------


def test_an_enum_with_null_and_no_type_is_a_nullable_enum(tmp_path: Path) -> None:
    # `c: {enum: ["black", "white", null]}` was refused: "no record can satisfy the schema:
    # E.c: enum member null is not a string, the field's type" (the type was inferred from
    # the other members, and null left out of it).
    schema = {
        "$schema": DRAFT,
        "title": "E",
        "type": "object",
        "required": ["c"],
        "properties": {"c": {"enum": ["black", "white", None]}, "d": {"enum": [1, "a", None]}},
    }
    result = load(tmp_path, schema)
    c = field_schema(result, "E", "c")
    assert (c.type, c.nullable, c.enum) == ("string", True, ("black", "white", None))
    assert not result.warnings
    valid(tmp_path, schema, n=300)
    assert {row["c"] for row in records(result, "E", 300, 1)} == {"black", "white", None}


def test_null_in_the_enum_of_a_type_without_null_is_no_value(tmp_path: Path) -> None:
    # `type: string, enum: ["black", null]`: null fails the type, "black" is the one value;
    # the schema was refused as if none were left.
    schema = {
        "$schema": DRAFT,
        "title": "F",
        "type": "object",
        "required": ["c"],
        "properties": {"c": {"type": "string", "enum": ["black", None]}},
    }
    result = load(tmp_path, schema)
    c = field_schema(result, "F", "c")
    assert (c.type, c.nullable, c.enum) == ("string", False, ("black",))
    assert result.warnings == (
        "#/properties/c: enum lists null, which the type does not allow: no nulls are made",
    )
    valid(tmp_path, schema)
