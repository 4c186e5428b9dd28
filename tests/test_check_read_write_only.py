"""check holds api bodies to OpenAPI's rule for required readOnly / writeOnly properties: a
required writeOnly one (a password) is required in requests only, a required readOnly one
(an id the server sets) in success replies only. For OpenAPI (3.0 and 3.1) and JSON Schema
sources, and for a source's entities embedded in the profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from tests.helpers import import_profile, run_cli

ACCOUNT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Account",
    "type": "object",
    "required": ["id", "email", "password", "created_at"],
    "properties": {
        "id": {"type": "string", "format": "uuid", "readOnly": True},
        "email": {"type": "string", "format": "email"},
        "password": {"type": "string", "minLength": 12, "maxLength": 64, "writeOnly": True},
        "nickname": {"type": "string", "maxLength": 20},
        "created_at": {"type": "string", "format": "date-time", "readOnly": True},
    },
}


def _generate(profile: Path, out: Path, persona: str = "normal_user") -> Path:
    args = ["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "2"]
    result = run_cli(args)
    assert result.code == 0, result.stderr
    return next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))


def _openapi_users(tmp: Path) -> tuple[Path, Path]:
    profile = import_profile(
        tmp / "schemas", tmp / "p.yaml", "openapi-users.yaml", "api", count=400, entity="User"
    )
    return profile, _generate(profile, tmp / "out")


def _account(tmp: Path, persona: str = "normal_user") -> tuple[Path, Path]:
    schema = tmp / "account.schema.json"
    schema.write_text(json.dumps(ACCOUNT))
    profile = tmp / "p.yaml"
    args = ["import-schema", str(schema), "-t", "api", "-c", "400", "-o", str(profile)]
    assert run_cli(args).code == 0
    return profile, _generate(profile, tmp / "out", persona)


def _edited(data: Path, edit: Any, wanted: int = 3) -> list[int]:
    """Apply ``edit`` (record -> whether it changed it) to the first ``wanted`` records it
    changes, rewriting ``data``; their indexes."""
    records = json.loads(data.read_text())
    changed: list[int] = []
    for i, r in enumerate(records):
        if len(changed) < wanted and edit(r):
            changed.append(i)
    assert len(changed) == wanted
    data.write_text(json.dumps(records))
    return changed


def _drop_password_from_a_valid_post(r: dict[str, Any]) -> bool:
    body = r["request"]["body"]
    if r["request"]["method"] != "POST" or not r["expected_valid"] or not isinstance(body, dict):
        return False
    return body.pop("password", None) is not None


def _drop_id_from_a_success_reply(r: dict[str, Any]) -> bool:
    response = r["response"]
    body = response.get("body")
    if response.get("status") not in (200, 201) or not isinstance(body, dict):
        return False
    return body.pop("id", None) is not None


def _check(profile: Path, data: Path) -> CheckReport:
    return check_dataset(data, load_profile(profile))


def _problems(report: CheckReport, kind: str) -> dict[int, str]:
    return {p.index: p.reason for p in report.problems if p.kind == kind}


@pytest.mark.parametrize("source", ["openapi", "jsonschema"])
def test_generated_api_data_checks_ok_both_ways(tmp_path: Path, source: str) -> None:
    # Requests leave out the readOnly id, replies the writeOnly password: both as they must.
    profile, data = (_openapi_users if source == "openapi" else _account)(tmp_path)
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.checked > 0 and report.replies_checked > 0
    records = json.loads(data.read_text())
    posts = [r for r in records if r["request"]["method"] == "POST" and r["expected_valid"]]
    assert posts and all("id" not in r["request"]["body"] for r in posts)
    replies = [r["response"]["body"] for r in posts if r["response"]["status"] == 201]
    assert replies and all("password" not in b and "id" in b for b in replies)


@pytest.mark.parametrize("source", ["openapi", "jsonschema"])
def test_a_request_without_its_required_write_only_field_is_reported(
    tmp_path: Path, source: str
) -> None:
    profile, data = (_openapi_users if source == "openapi" else _account)(tmp_path)
    changed = _edited(data, _drop_password_from_a_valid_post)
    report = _check(profile, data)
    assert report.exit_code == 1
    invalid = _problems(report, "invalid")
    assert sorted(invalid) == changed
    assert all("'password' is a required property" in why for why in invalid.values())


@pytest.mark.parametrize("source", ["openapi", "jsonschema"])
def test_a_success_reply_without_its_required_read_only_field_is_reported(
    tmp_path: Path, source: str
) -> None:
    profile, data = (_openapi_users if source == "openapi" else _account)(tmp_path)
    changed = _edited(data, _drop_id_from_a_success_reply)
    report = _check(profile, data)
    assert report.exit_code == 1
    replies = _problems(report, "invalid-reply")
    assert sorted(replies) == changed and report.replies_failed == len(changed)
    assert all("'id' is a required property" in why for why in replies.values())
    assert not _problems(report, "invalid")  # (the requests are as labelled)


def _leak_the_password_in_a_success_reply(r: dict[str, Any]) -> bool:
    response = r["response"]
    body = response.get("body")
    if not r["expected_valid"] or response.get("status") not in (200, 201):
        return False
    if not isinstance(body, dict) or r["request"]["method"] not in ("POST", "PUT"):
        return False  # (a reply of the one resource: not a list's page)
    body["password"] = "hunter2-hunter2"
    return True


def test_a_success_reply_that_holds_a_write_only_field_is_reported(tmp_path: Path) -> None:
    # A reply giving back the password a client sent passed `check` without a word (a
    # request sending a readOnly field gets a warning): OpenAPI says a reply SHOULD NOT hold
    # a writeOnly property, and persona-gen's replies never do.
    profile, data = _account(tmp_path)
    assert _check(profile, data).exit_code == 0
    changed = _edited(data, _leak_the_password_in_a_success_reply)
    report = _check(profile, data)
    replies = _problems(report, "invalid-reply")
    assert sorted(replies) == changed, report.to_json()
    assert all("holds writeOnly fields (password)" in why for why in replies.values())


@pytest.mark.parametrize("persona", ["edge_case_user", "legacy_client", "high_volume_system"])
def test_labels_of_every_persona_agree_with_the_check(tmp_path: Path, persona: str) -> None:
    profile, data = _account(tmp_path, persona)
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.replies_checked > 0


def test_entities_embedded_in_the_profile_keep_the_rule(tmp_path: Path) -> None:
    # The schema file gone, the profile's embedded entity (as JSON Schema) is checked: its
    # readOnly/writeOnly flags hold as the file's do.
    profile, data = _account(tmp_path)
    (tmp_path / "account.schema.json").unlink()
    report = _check(profile, data)
    assert report.schema_format == "embedded"
    assert report.exit_code == 0, report.to_json()
    _edited(data, _drop_password_from_a_valid_post, 1)
    _edited(data, _drop_id_from_a_success_reply, 1)
    report = _check(profile, data)
    assert {p.kind for p in report.problems} == {"invalid", "invalid-reply"}


SPEC = """
openapi: {version}
info: {{title: t, version: "1"}}
paths: {{}}
components:
  schemas:
    Account:
      type: object
      required: [id, email, password]
      properties:
        id: {{type: string, readOnly: true}}
        email: {{type: string}}
        password: {{type: string, writeOnly: true}}
"""


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_openapi_validators_require_one_way_fields_one_way(tmp_path: Path, version: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(version=version))
    sent = {"email": "a@b.c", "password": "secret"}
    replied = {"id": "1", "email": "a@b.c"}

    def messages(direction: Any, value: dict[str, str]) -> list[str]:
        return OpenApiImporter().validators(spec, direction=direction)["Account"](value)

    assert messages("request", sent) == []
    assert messages("request", {"email": "a@b.c"}) == ["$: 'password' is a required property"]
    assert messages("response", replied) == []
    assert messages("response", {"email": "a@b.c"}) == ["$: 'id' is a required property"]
    # (an email is required both ways)
    assert messages("request", {"password": "x"}) == ["$: 'email' is a required property"]
    assert messages("response", {"id": "1"}) == ["$: 'email' is a required property"]
