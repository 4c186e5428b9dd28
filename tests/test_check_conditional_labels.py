"""Labels agree with the source schema's own validator where the import had to reshape it:
values of any type held to an enum, conditionally required fields, enums split by
conditionals, OpenAPI discriminators (ADR 0004)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from tests.helpers import run_cli


def _run(
    tmp: Path, name: str, schema: dict[str, Any] | str, dtype: str, persona: str, *,
    count: int, fmt: str = "jsonl", entity: str | None = None, seed: int = 5,
) -> tuple[CheckReport, list[dict[str, Any]]]:  # fmt: skip
    """Import ``schema`` (written as tmp/name), generate, check: (report, records)."""
    source = tmp / name
    source.write_text(schema if isinstance(schema, str) else json.dumps(schema))
    profile = tmp / "p.yaml"
    args = ["import-schema", str(source), "-t", dtype, "-o", str(profile), "--force"]
    args += ["-c", str(count), "--output-format", fmt, *(["-e", entity] if entity else [])]
    result = run_cli(args)
    assert result.code == 0, result.stderr
    out = tmp / "out"
    result = run_cli(
        ["generate", str(profile), "--persona", persona, "-o", str(out), "-s", str(seed)]
    )
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    text = data.read_text()
    rows = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else []
    return check_dataset(data, load_profile(profile)), rows


def test_null_in_a_field_of_any_type_held_to_an_enum_is_labelled_enum(tmp_path: Path) -> None:
    # `d: {enum: [1, "a", true, 2.5]}` has no type: a null there was labelled valid,
    # although null is not one of the listed values.
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "E2",
        "type": "object",
        "required": ["d"],
        "properties": {"d": {"enum": [1, "a", True, 2.5]}},
    }
    report, rows = _run(tmp_path, "e2.schema.json", schema, "fault", "edge_case_user", count=300)
    assert report.exit_code == 0, report.to_json()
    nulls = [r for r in rows if r["mutation"] == "null_injection"]
    assert nulls and all(not r["expected_valid"] and r["rule"] == "enum" for r in nulls)


# kind = gift requires giftMessage (inside allOf), else forbids it; wholesale requires a
# vatNumber: the import makes a union of three shapes, and giftMessage is optional in the
# union's merged object although a gift order must hold it.
ORDER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Order",
    "type": "object",
    "required": ["orderId", "kind", "lines"],
    "additionalProperties": False,
    "properties": {
        "orderId": {"type": "integer", "minimum": 1},
        "kind": {"enum": ["retail", "wholesale", "gift"]},
        "vatNumber": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{8,12}$"},
        "lines": {"type": "integer", "minimum": 1},
        "discount": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "giftMessage": {"type": "string", "maxLength": 40},
    },
    "if": {"properties": {"kind": {"const": "wholesale"}}, "required": ["kind"]},
    "then": {"required": ["vatNumber"]},
    "else": {"properties": {"vatNumber": False}},
    "allOf": [
        {
            "if": {"properties": {"kind": {"const": "gift"}}},
            "then": {"required": ["giftMessage"]},
            "else": {"not": {"required": ["giftMessage"]}},
        }
    ],
}


def test_a_row_cut_short_labels_a_conditionally_required_cell(tmp_path: Path) -> None:
    # A noisy device's row cut short (intermittent_connectivity, "lost") empties its last
    # cells; giftMessage, required only when kind is gift, was not labelled, so gift rows
    # without it were labelled valid and failed "'giftMessage' is a required property".
    report, rows = _run(
        tmp_path, "order.schema.json", ORDER, "file", "noisy_device", count=3000, seed=7
    )
    assert report.exit_code == 0, report.to_json()
    cut = [r for r in rows if r["kind"] == "gift" and r["giftMessage"] is None]
    assert cut and all("giftMessage:required" in r["_violations"] for r in cut)


def test_a_limited_client_keeps_a_conditionally_required_field(tmp_path: Path) -> None:
    # limited_features drops optional fields: giftMessage is optional in the union, but a
    # gift order that drops it breaks the schema while labelled valid.
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / "limited.yaml").write_text(
        "name: limited\nversion: 1.0.0\ndescription: drops optional fields\n"
        "behaviors:\n  limited_features:\n    optional_field_drop: 0.9\n"
    )
    source = tmp_path / "order.schema.json"
    source.write_text(json.dumps(ORDER))
    profile = tmp_path / "p.yaml"
    result = run_cli(
        ["import-schema", str(source), "-t", "streaming", "-o", str(profile), "--force",
         "-c", "400", "--output-format", "jsonl"]
    )  # fmt: skip
    assert result.code == 0, result.stderr
    out = tmp_path / "out"
    args = ["generate", str(profile), "--persona", "limited", "-p", str(personas), "-o"]
    result = run_cli([*args, str(out), "-s", "3"])
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    events = [json.loads(line) for line in data.read_text().splitlines()]
    gifts = [e["payload"] for e in events if e["payload"].get("kind") == "gift"]
    assert gifts and all("giftMessage" in g for g in gifts)
    assert any("discount" not in g for g in gifts)  # (optional fields are still dropped)
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0, report.to_json()


def test_faults_of_an_enum_split_by_conditionals_name_enum(tmp_path: Path) -> None:
    # The import split `kind: {enum: [...]}` into one shape per value; each held kind as a
    # const, so a wrong kind was labelled `const` while the source's validator says `enum`.
    report, rows = _run(tmp_path, "order.schema.json", ORDER, "fault", "edge_case_user", count=1500)
    assert report.exit_code == 0, report.to_json()
    broken = [r for r in rows if r["field_path"] == "kind" and not r["expected_valid"]]
    rules = {r["rule"] for r in broken}
    assert "enum" in rules and "const" not in rules


# An open object (no additionalProperties): where the test fails, `card` must be absent;
# the option made without it took any `card` for one of its own properties.
ACCOUNT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Account",
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "card": {"type": "string", "pattern": "^[0-9]{4}$"},
        "billing": {"type": "string", "minLength": 2},
    },
    "if": {"required": ["card"]},
    "then": {"required": ["billing"]},
}


def test_an_open_object_option_refuses_what_its_test_left_out(tmp_path: Path) -> None:
    # A card broken in a record of the option holding it (`'12' does not match`) was
    # labelled valid: the option without `card` takes any property, so it "fitted".
    report, rows = _run(tmp_path, "acct.schema.json", ACCOUNT, "fault", "edge_case_user", count=600)
    assert report.exit_code == 0, report.to_json()
    broken = [r for r in rows if r["field_path"] == "card" and r["mutation"] != "none"]
    assert broken and any(not r["expected_valid"] for r in broken)


def _card_order(closed: bool) -> dict[str, Any]:
    """An order whose billingAddress is required only where it carries a creditCard."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Order",
        "type": "object",
        "required": ["orderId"],
        **({"additionalProperties": False} if closed else {}),
        "properties": {
            "orderId": {"type": "integer", "minimum": 1},
            "creditCard": {"type": "string", "pattern": "^[0-9]{16}$"},
            "billingAddress": {
                "type": "object",
                "required": ["street"],
                "properties": {"street": {"type": "string", "minLength": 3}},
            },
            "note": {"type": "string", "maxLength": 10},
        },
        "if": {"required": ["creditCard"]},
        "then": {"required": ["billingAddress"]},
    }


def test_a_row_cut_short_is_held_to_the_shape_it_still_fits(tmp_path: Path) -> None:
    # A row cut after its creditCard lost the billingAddress its shape requires: the
    # address, an optional object of the union, was taken as absent by choice (labelled
    # valid, "'billingAddress' is a required property"); one cut before its creditCard was
    # labelled as missing the address although, without the card, none is needed.
    schema = _card_order(True)
    report, rows = _run(tmp_path, "order.schema.json", schema, "file", "noisy_device", count=2000)
    assert report.exit_code == 0, report.to_json()
    held = [r for r in rows if r["creditCard"] and r["billingAddress.street"] is None]
    assert held and all("billingAddress.street:required" in r["_violations"] for r in held)
    cut = [r for r in rows if r["creditCard"] is None and r["billingAddress.street"] is None]
    assert cut and all("billingAddress" not in r["_violations"] for r in cut)


# OpenAPI's discriminator is a hint its validators do not check: a Cat whose petType is ""
# is still a Cat, and one whose petType is a number fails as a wrong type.
SHOP = """
openapi: 3.1.0
info: {title: Shop, version: "1.0"}
paths: {}
components:
  schemas:
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator:
        propertyName: petType
        mapping: {cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog'}
    Base:
      type: object
      required: [id, petType]
      properties:
        id: {type: string, pattern: '^P[0-9]{6}$'}
        petType: {type: string, maxLength: 8}
    Cat:
      allOf:
        - $ref: '#/components/schemas/Base'
        - {type: object, required: [indoor], properties: {indoor: {type: boolean}}}
    Dog:
      allOf:
        - $ref: '#/components/schemas/Base'
        - {type: object, required: [packSize], properties: {packSize: {type: integer}}}
"""


def test_a_discriminator_fault_is_labelled_as_the_spec_checks_it(tmp_path: Path) -> None:
    # petType was a const in each variant: `petType: ""` was labelled const-invalid but
    # passes, `petType: 85381` labelled const but fails as type (within oneOf).
    report, rows = _run(
        tmp_path, "shop.yaml", SHOP, "fault", "edge_case_user", count=1500, entity="Pet"
    )
    assert report.exit_code == 0, report.to_json()
    hit = [r for r in rows if r["field_path"] == "petType"]
    assert hit and "const" not in {r["rule"] for r in hit}
    assert {r["rule"] for r in hit if r["mutation"] == "type_mismatch"} == {"type"}
    assert all(r["expected_valid"] for r in hit if r["mutation"] == "empty_value")
    made = [r["record"] for r in rows if r["mutation"] == "none"]
    assert made and all(p["petType"] in ("cat", "dog") for p in made)


# A card brings a billing address of 5 characters or more (dependentSchemas) and a cvv
# (dependentRequired): both were approximated, billing's length ignored (records with a card
# and a short billing labelled valid) and cvv always made (a cvv left out of a record
# without a card labelled `required`, which passes).
PAYMENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Payment",
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "card": {"type": "string", "pattern": "^[0-9]{4}$"},
        "billing": {"type": "string"},
        "cvv": {"type": "string", "pattern": "^[0-9]{3}$"},
    },
    "dependentSchemas": {
        "card": {"required": ["billing"], "properties": {"billing": {"minLength": 5}}}
    },
    "dependentRequired": {"card": ["cvv"]},
}


@pytest.mark.parametrize(
    ("dtype", "persona"),
    [
        ("file", "noisy_device"),
        ("api", "edge_case_user"),
        ("streaming", "normal_user"),
        ("fault", "edge_case_user"),
    ],
)
def test_dependencies_hold_where_their_property_is(
    tmp_path: Path, dtype: str, persona: str
) -> None:
    report, rows = _run(tmp_path, "pay.schema.json", PAYMENT, dtype, persona, count=800)
    assert report.exit_code == 0, report.to_json()
    if dtype == "file":  # (a row cut short after its card lacks what the card needs)
        cut = [r for r in rows if r["card"] and r["cvv"] is None]
        assert cut and all("cvv:required" in r["_violations"] for r in cut)
    if dtype == "fault":
        made = [r["record"] for r in rows if r["mutation"] == "none"]
        assert any("card" in r for r in made) and any("cvv" not in r for r in made)


def test_an_old_boolean_is_labelled_where_options_differ_on_the_field(tmp_path: Path) -> None:
    # `d` is `true` where `b` is present and any boolean elsewhere: the options' field was
    # "any value" to the effects, so a legacy client's "Y" was labelled valid (it breaks
    # `type` in every option).
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Flags",
        "type": "object",
        "properties": {"b": {"type": "integer"}, "d": {"type": "boolean"}},
        "dependentSchemas": {"b": {"required": ["d"], "properties": {"d": {"const": True}}}},
    }
    report, rows = _run(tmp_path, "flags.schema.json", schema, "file", "legacy_client", count=600)
    assert report.exit_code == 0, report.to_json()
    old = [r for r in rows if r["d"] in ("Y", "N")]
    assert old and all("d:type" in r["_violations"] for r in old)


def test_a_draft04_exclusive_bound_fault_is_the_rule_its_validator_names(tmp_path: Path) -> None:
    # `minimum: 0, exclusiveMinimum: true`: faults labelled 'exclusiveMinimum' were
    # "wrong-rule" problems, as draft-04's validator names the break 'minimum'
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "D4",
        "type": "object",
        "required": ["n"],
        "properties": {
            "n": {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": True,
                "maximum": 10,
                "exclusiveMaximum": True,
            }
        },
    }
    report, rows = _run(tmp_path, "d4.schema.json", schema, "fault", "edge_case_user", count=300)
    assert any(r["rule"] in ("exclusiveMinimum", "exclusiveMaximum") for r in rows)
    assert report.exit_code == 0, report.to_json()


def test_a_patch_reply_that_takes_over_a_trigger_has_what_it_brings(tmp_path: Path) -> None:
    # A PATCH sent `card` (the first third of the fields) and its 200 reply, drawn without
    # a card or a cvv, took the card over: a success reply without the cvv the card needs.
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Wallet",
        "type": "object",
        "required": ["id"],
        "properties": {
            "card": {"type": "string", "pattern": "^[0-9]{4}$"},
            "id": {"type": "integer", "minimum": 1},
            "label": {"type": "string"},
            "owner": {"type": "string"},
            "note": {"type": "string"},
            "cvv": {"type": "string", "pattern": "^[0-9]{3}$"},
        },
        "dependentRequired": {"card": ["cvv"]},
    }
    report, rows = _run(tmp_path, "wallet.schema.json", schema, "api", "normal_user", count=3000)
    patched = [
        r["response"]["body"]
        for r in rows
        if r["request"]["method"] == "PATCH"
        and "card" in (r["request"]["body"] or {})
        and r["response"]["status"] < 300
    ]
    assert patched and all("cvv" in body for body in patched)
    assert report.exit_code == 0, report.to_json()
