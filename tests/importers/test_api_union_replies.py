"""A success reply to a create or update takes over what the request sent; of an entity that
is one of several options (a oneOf with a discriminator, with and without a mapping, an
anyOf, an if/then/else), it is then of the body's option. A reply drawn of another option
and given the body's fields held fields of two (a cat with a dog's ``packSize``), which
the spec refuses: a oneOf of open objects matches both, an anyOf of closed ones neither, a
PATCH's discriminator names an option whose required fields the reply lacks. Every success
reply of POST, PUT and PATCH is checked with ``check``'s validator (OpenAPI 3.0 and 3.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from persona_gen import Dataset, PersonaCatalog
from persona_gen.generators.api import ApiGenerator
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset
from tests.helpers import run_cli

PET = {"$ref": "#/components/schemas/Pet"}
BASE = {
    "type": "object",
    "required": ["id", "petType", "name"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "petType": {"type": "string"},
        "name": {"type": "string", "minLength": 1, "maxLength": 20},
        "tag": {"type": "string", "maxLength": 5},
    },
}
CAT_OWN = {"indoor": {"type": "boolean"}, "lives": {"type": "integer", "minimum": 1, "maximum": 9}}
DOG_OWN = {
    "packSize": {"type": "integer", "minimum": 0, "maximum": 3},
    "nick": {"type": "string", "maxLength": 8},
}
CAT = {
    "allOf": [
        {"$ref": "#/components/schemas/Base"},
        {"type": "object", "required": ["indoor"], "properties": CAT_OWN},
    ]
}
DOG = {
    "allOf": [
        {"$ref": "#/components/schemas/Base"},
        {"type": "object", "required": ["packSize"], "properties": DOG_OWN},
    ]
}
ONE_OF = {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
MAPPED = {
    **ONE_OF,
    "discriminator": {
        "propertyName": "petType",
        "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
    },
}
UNMAPPED = {**ONE_OF, "discriminator": {"propertyName": "petType"}}  # (values: Cat, Dog)


def _closed(required: list[str], own: dict[str, Any]) -> dict[str, Any]:
    properties = {"id": {"type": "string", "readOnly": True}, "name": {"type": "string"}, **own}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


# Neither option takes the other's fields: a reply with fields of both matches neither.
ANY_OF = {"anyOf": [_closed(["name", "indoor"], CAT_OWN), _closed(["name", "packSize"], DOG_OWN)]}
# Each branch rules the optional ``size`` its own way: a dog's size is no cat's.
CONDITIONAL = {
    "type": "object",
    "required": ["id", "kind"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "kind": {"type": "string", "enum": ["cat", "dog"]},
        "size": {"type": "integer", "minimum": 0, "maximum": 100},
    },
    "if": {"properties": {"kind": {"const": "cat"}}, "required": ["kind"]},
    "then": {"properties": {"size": {"maximum": 9}}},
    "else": {"properties": {"size": {"minimum": 50}}},
}


def _spec(version: str, pet: dict[str, Any]) -> dict[str, Any]:
    """POST /pets, PUT and PATCH /pets/{petId}: each sends a Pet and replies with one."""
    body = {"required": True, "content": {"application/json": {"schema": PET}}}
    ok = {"description": "ok", "content": {"application/json": {"schema": PET}}}
    pet_id = {"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": version,
        "info": {"title": "Pets", "version": "1"},
        "paths": {
            "/pets": {"post": {"requestBody": body, "responses": {"201": ok}}},
            "/pets/{petId}": {
                "parameters": [pet_id],
                "put": {"requestBody": body, "responses": {"200": ok}},
                "patch": {"requestBody": body, "responses": {"200": ok}},
            },
        },
        "components": {"schemas": {"Pet": pet, "Base": BASE, "Cat": CAT, "Dog": DOG}},
    }


SPECS = {
    "oneOf-mapping-3.1": _spec("3.1.0", MAPPED),
    "oneOf-no-mapping-3.0": _spec("3.0.3", UNMAPPED),
    "anyOf-3.1": _spec("3.1.0", ANY_OF),
    "if-then-else-3.1": _spec("3.1.0", CONDITIONAL),
}


def _profile(tmp: Path, spec: dict[str, Any]) -> Path:
    source, profile = tmp / "pets.yaml", tmp / "p.yaml"
    source.write_text(yaml.safe_dump(spec, sort_keys=False))
    args = ["import-schema", str(source), "-e", "Pet", "-t", "api", "-c", "600", "-o"]
    result = run_cli([*args, str(profile)])
    assert result.code == 0, result.stderr
    return profile


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
@pytest.mark.parametrize("name", list(SPECS))
def test_every_success_reply_is_one_option_of_the_union(
    tmp_path: Path, name: str, persona: str
) -> None:
    profile = _profile(tmp_path, SPECS[name])
    out = tmp_path / "out"
    args = ["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "5"]
    result = run_cli(args)
    assert result.code == 0, result.stderr
    data = out / "Pet_api.json"
    report = check_dataset(data, load_profile(profile))
    assert report.replies_failed == 0, report.to_json()
    records = json.loads(data.read_text())
    successes = Counter(
        r["request"]["method"]
        for r in records
        if r["expected_valid"] and r["response"]["status"] in (200, 201)
    )
    assert {"POST", "PUT", "PATCH"} <= set(successes), successes
    assert report.replies_checked >= sum(successes.values())


def test_a_reply_of_another_option_is_drawn_again_and_nothing_else_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The replies drawn again come from a stream of their own: every other record, and
    # every other part of those records, is what it was without them.
    source = tmp_path / "pets.yaml"
    source.write_text(yaml.safe_dump(SPECS["oneOf-mapping-3.1"], sort_keys=False))
    domain = OpenApiImporter().load(source).domain
    persona = PersonaCatalog([]).get("edge_case_user")

    def generate() -> list[dict[str, Any]]:
        dataset = Dataset([(persona, 1.0)], "api", 600, 5, domain=domain, entity="Pet")
        return [r for block in dataset.blocks() for r in block]

    fixed = generate()
    monkeypatch.setattr(ApiGenerator, "_replies_of_sent_variant", lambda *args: None)
    mixed = generate()
    changed = [i for i, (a, b) in enumerate(zip(fixed, mixed, strict=True)) if a != b]
    assert changed
    for i in changed:
        before, after = mixed[i], fixed[i]
        assert {k for k in after if after[k] != before[k]} == {"response"}
        assert {k for k in after["response"] if after["response"][k] != before["response"][k]} == {
            "body"
        }
        sent, reply = after["request"]["body"], after["response"]["body"]
        assert after["request"]["method"] in ("POST", "PUT", "PATCH")
        assert all(reply[key] == value for key, value in sent.items())  # (still the echo)
        assert not (set(CAT_OWN) & set(reply) and set(DOG_OWN) & set(reply)), reply


_ONEOF_PROTO = """syntax = "proto3";
package iot.v1;
message DeviceEvent {
  string device_id = 1;
  oneof reading {
    double temperature_c = 10;
    int32 humidity_pct = 11;
    bool door_open = 12;
    string error_text = 13;
  }
  optional int32 retry_count = 21;
}
"""


def test_a_reply_keeps_the_oneof_member_a_body_sent_with_numbers_as_text(tmp_path: Path) -> None:
    # A legacy client sends numbers as text ({"temperature_c": "15.23"}, which protobuf's
    # JSON reads): no option held such a body, so its reply, drawn of another member, took
    # the body over and held two members of the oneof (ParseDict refuses it). The body's
    # keys tell its member.
    source, profile = tmp_path / "ev.proto", tmp_path / "p.yaml"
    source.write_text(_ONEOF_PROTO)
    args = ["import-schema", str(source), "-t", "api", "-c", "2000", "-o", str(profile)]
    assert run_cli(args).code == 0
    domain = load_profile(profile).domain
    persona = PersonaCatalog([]).get("legacy_client")
    dataset = Dataset([(persona, 1.0)], "api", 2000, 1, domain=domain, entity="DeviceEvent")
    members = {"temperature_c", "humidity_pct", "door_open", "error_text"}
    texts = 0
    for record in (r for block in dataset.blocks() for r in block):
        reply = (record["response"] or {}).get("body")
        if isinstance(reply, dict):
            assert len(members & set(reply)) <= 1, (record["request"].get("body"), reply)
            body = record["request"].get("body")
            if isinstance(body, dict) and isinstance(body.get("temperature_c"), str):
                texts += record["response"]["status"] in (200, 201)
    assert texts > 5, texts


_READ_ONLY_PETS = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    post:
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}
      responses:
        '201':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}
components:
  schemas:
    Cat:
      type: object
      required: [name, indoor]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        created: {type: string, format: date-time, readOnly: true}
        indoor: {type: boolean}
    Dog:
      type: object
      required: [name, packSize]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        created: {type: string, format: date-time, readOnly: true}
        packSize: {type: integer}
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
"""


def test_a_union_reply_is_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    # The readOnly fields a union's body leaves out, put back into its reply, came back in
    # the order of a set of their names: `"id", "created"` in one process, `"created", "id"`
    # in another (and so with --workers 2, whose processes differ).
    spec, profile = tmp_path / "s.yaml", tmp_path / "p.yaml"
    spec.write_text(_READ_ONLY_PETS)
    args = ["import-schema", str(spec), "-e", "Pet", "-c", "3000", "-o", str(profile)]
    assert run_cli(args).code == 0
    script = (
        "import sys\nfrom persona_gen.runtime.cli import main\n"
        "sys.exit(main(['generate', sys.argv[1], '--persona', 'edge_case_user', '-s', '1',"
        " '-o', sys.argv[2]]))\n"
    )
    outputs = set()
    for seed in (1, 5):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        subprocess.run(
            [sys.executable, "-c", script, str(profile), str(out)],
            capture_output=True,
            env=env,
            check=True,
        )
        outputs.add((out / "Pet_api.json").read_bytes())
    assert len(outputs) == 1
