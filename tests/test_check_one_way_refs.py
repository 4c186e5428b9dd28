"""readOnly / writeOnly flags that are not written on the property itself: behind its
``$ref`` (3.0: ``id: {$ref: Id}`` where ``Id`` is readOnly; 3.1: ``{$ref: ..., readOnly:
true}``), or in one ``allOf`` part while another requires the property. The import (what
generated requests leave out) and check (what it excuses) read them alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from persona_gen.importers.jsonschema import JsonSchemaImporter
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset
from tests.helpers import run_cli

# A User whose id and createdAt the server sets (readOnly behind a $ref) and whose password
# is only ever sent (writeOnly in the Credentials part of an allOf, required in the other).
USERS_30 = """
openapi: 3.0.3
info: {title: Users, version: "1.0.0"}
paths:
  /users:
    post:
      operationId: createUser
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/User'}
      responses:
        '201':
          description: created
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
        '400': {description: bad request}
  /users/{userId}:
    get:
      operationId: getUser
      parameters:
        - {name: userId, in: path, required: true, schema: {type: string, format: uuid}}
      responses:
        '200':
          description: the user
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
        '404': {description: not found}
components:
  schemas:
    Id: {type: string, format: uuid, readOnly: true}
    Timestamp: {type: string, format: date-time, readOnly: true}
    Credentials:
      type: object
      properties:
        password: {type: string, minLength: 12, maxLength: 64, writeOnly: true}
    User:
      allOf:
        - $ref: '#/components/schemas/Credentials'
        - type: object
          required: [id, email, password, createdAt]
          properties:
            id: {$ref: '#/components/schemas/Id'}
            email: {type: string, format: email}
            name: {type: string, maxLength: 40}
            createdAt: {$ref: '#/components/schemas/Timestamp'}
"""

# The same in OpenAPI 3.1's way: the flag beside the $ref of a schema that has none.
_REF = "{$ref: '#/components/schemas/"
USERS_31 = (
    USERS_30.replace("openapi: 3.0.3", "openapi: 3.1.0")
    .replace("    Id: {", "    Uuid: {")
    .replace("uuid, readOnly: true}", "uuid}")
    .replace("date-time, readOnly: true}", "date-time}")
    .replace(f"{_REF}Id'}}", f"{_REF}Uuid', readOnly: true}}")
    .replace(f"{_REF}Timestamp'}}", f"{_REF}Timestamp', readOnly: true}}")
)

SPECS = {"3.0": USERS_30, "3.1": USERS_31}


def _spec(tmp: Path, version: str) -> Path:
    spec = tmp / f"users-{version}.yaml"
    spec.write_text(SPECS[version])
    return spec


def _generated(tmp: Path, version: str, persona: str = "normal_user") -> tuple[Path, Path]:
    spec, profile = _spec(tmp, version), tmp / "p.yaml"
    args = ["import-schema", str(spec), "-t", "api", "-c", "300", "-e", "User", "-o", str(profile)]
    assert run_cli(args).code == 0
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "3"])
    assert result.code == 0, result.stderr
    return profile, out / "User_api.json"


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_the_import_follows_flags_behind_refs_and_in_all_of_parts(
    tmp_path: Path, version: str
) -> None:
    user = OpenApiImporter().load(_spec(tmp_path, version)).domain.entities["User"].schema
    flags = {f.name: (f.required, f.read_only, f.write_only) for f in user.fields}
    assert flags["id"] == (True, True, False)
    assert flags["createdAt"] == (True, True, False)
    assert flags["password"] == (True, False, True)
    assert flags["email"] == (True, False, False)


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_validators_excuse_flags_behind_refs_and_in_all_of_parts(
    tmp_path: Path, version: str
) -> None:
    spec = _spec(tmp_path, version)

    def messages(direction: Any, value: dict[str, str]) -> list[str]:
        return OpenApiImporter().validators(spec, direction=direction)["User"](value)

    sent = {"email": "a@example.com", "password": "correct horse battery"}
    replied = {
        "id": "5b0f3b9e-6d0c-4f5e-9a51-7e1f1c2d3e4f",
        "email": "a@example.com",
        "createdAt": "2024-05-01T10:00:00Z",
    }
    assert messages("request", sent) == []
    assert messages("response", replied) == []
    assert messages("request", {"email": "a@example.com"}) == [
        "$: 'password' is a required property"
    ]
    without_id = {k: v for k, v in replied.items() if k != "id"}
    assert messages("response", without_id) == ["$: 'id' is a required property"]
    # Stored records (no direction) need every required property.
    assert len(messages(None, sent)) == 2


def test_a_read_only_part_excuses_what_another_part_requires(tmp_path: Path) -> None:
    schema = tmp_path / "user.schema.json"
    schema.write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": "User",
                "$defs": {"Stamped": {"properties": {"createdAt": {"readOnly": True}}}},
                "allOf": [
                    {"$ref": "#/$defs/Stamped"},
                    {
                        "type": "object",
                        "required": ["createdAt", "email"],
                        "properties": {"email": {"type": "string"}},
                    },
                ],
            }
        )
    )
    check = JsonSchemaImporter().validators(schema, direction="request")["User"]
    assert check({"email": "a@example.com"}) == []
    assert check({}) == ["$: 'email' is a required property"]
    reply = JsonSchemaImporter().validators(schema, direction="response")["User"]
    assert reply({"email": "a@example.com"}) == ["$: 'createdAt' is a required property"]
    user = JsonSchemaImporter().load(schema).domain.entities["User"].schema
    assert user.field("createdAt").read_only  # type: ignore[union-attr]


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_generated_data_leaves_server_fields_out_and_checks_ok(
    tmp_path: Path, version: str
) -> None:
    profile, data = _generated(tmp_path, version)
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert report.replies_checked > 0 and report.checked > 0
    records = json.loads(data.read_text())
    posts = [r for r in records if r["request"]["method"] == "POST" and r["expected_valid"]]
    assert posts
    for r in posts:
        assert not {"id", "createdAt"} & set(r["request"]["body"])
        assert "password" in r["request"]["body"]
    replies = [r["response"]["body"] for r in posts if r["response"]["status"] == 201]
    assert replies and all("password" not in b and {"id", "createdAt"} <= set(b) for b in replies)


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_a_reply_without_its_ref_flagged_id_is_still_reported(tmp_path: Path, version: str) -> None:
    profile, data = _generated(tmp_path, version)
    records = json.loads(data.read_text())
    changed = next(
        i
        for i, r in enumerate(records)
        if r["response"].get("status") in (200, 201) and isinstance(r["response"].get("body"), dict)
    )
    del records[changed]["response"]["body"]["id"]
    data.write_text(json.dumps(records))
    report = check_dataset(data, load_profile(profile))
    assert [(p.index, p.kind) for p in report.problems] == [(changed, "invalid-reply")]
    assert "'id' is a required property" in report.problems[0].reason


def test_a_request_that_sends_a_read_only_field_is_a_warning_not_a_problem(
    tmp_path: Path,
) -> None:
    profile, data = _generated(tmp_path, "3.0")
    records = json.loads(data.read_text())
    posts = [
        i for i, r in enumerate(records) if r["request"]["method"] == "POST" and r["expected_valid"]
    ][:3]
    for i in posts:
        records[i]["request"]["body"]["id"] = "5b0f3b9e-6d0c-4f5e-9a51-7e1f1c2d3e4f"
    records[posts[0]]["request"]["body"]["createdAt"] = "2024-05-01T10:00:00Z"
    data.write_text(json.dumps(records))
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0 and not report.problems, report.to_json()
    sent = report.to_dict()["read_only_sent"]
    assert sent == {"bodies": 3, "fields": {"id": 3, "createdAt": 1}, "records": posts}
    shown = ", ".join(f"#{i}" for i in posts)
    assert (
        f"3 request bodies send readOnly fields the server sets (id in 3, createdAt in 1; "
        f"records {shown}): a request SHOULD NOT send them (OpenAPI)"
    ) in "\n".join(report.warnings)


@pytest.mark.parametrize(
    "persona",
    ["normal_user", "edge_case_user", "legacy_client", "high_volume_system", "noisy_device"],
)
def test_generated_requests_of_every_persona_send_no_read_only_field(
    tmp_path: Path, persona: str
) -> None:
    profile, data = _generated(tmp_path, "3.0", persona)
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert report.checked > 0 and report.read_only_bodies == 0, report.warnings
