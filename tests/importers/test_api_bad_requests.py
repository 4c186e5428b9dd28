"""A request whose body breaks its schema is answered as the operation's spec declares: with
the client error it lists for bad input (422, else 400, else its lowest other 4xx that is
not about credentials, a missing resource or a rate, else 422), and a body of that
response's schema where it has one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.keys import EntityFormatError
from persona_gen.entities.model import Operation, bad_request_status
from persona_gen.entities.serial import domain_from_dict, domain_to_dict
from persona_gen.importers.openapi import OpenApiImporter

ITEM = {
    "type": "object",
    "required": ["name", "size"],
    "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 12},
        "size": {"type": "integer", "minimum": 1, "maximum": 9},
        "when": {"type": "string", "format": "date-time"},
    },
}
ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "integer", "minimum": 400, "maximum": 499},
        "message": {"type": "string", "maxLength": 80},
        "requestId": {"type": "string"},
    },
}
BODY = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}}


def _json(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {"description": "error", "content": {media: {"schema": schema}}}


def _post(responses: dict[str, Any]) -> dict[str, Any]:
    return {"post": {"requestBody": BODY, "responses": {"201": {"description": "ok"}, **responses}}}


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Errors", "version": "1"},
    "paths": {
        # only 400, with a schema: 400 and a body of it
        "/only400": _post({"400": _json({"$ref": "#/components/schemas/Error"})}),
        # an error default of application/problem+json: 422 with the default's body
        "/default": _post(
            {"default": _json({"$ref": "#/components/schemas/Problem"}, "application/problem+json")}
        ),
        # no 400 or 422: the lowest 4xx about the body (not 401/404)
        "/conflict": _post({"401": {"description": "no"}, "404": {}, "409": {"description": "c"}}),
        # 422 and 400: 422 (without a schema: the generic body)
        "/both": _post({"400": _json(ERROR), "422": {"description": "invalid"}}),
        # nothing declared for bad input: 422, generic
        "/none": _post({"401": {"description": "who?"}}),
    },
    "components": {
        "schemas": {
            "Item": ITEM,
            "Error": ERROR,
            "Problem": {
                "type": "object",
                "required": ["title", "status"],
                "properties": {"title": {"type": "string"}, "status": {"type": "integer"}},
            },
        }
    },
}


def _invalid_replies(tmp_path: Path, spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The replies to labelled-invalid requests that nothing else went wrong with (not an
    error the persona decided, whose body names the request as ``request_id``, nor an expired
    token's 401), by path."""
    path = tmp_path / "errors.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    domain = OpenApiImporter().load(path).domain
    domain = domain_from_dict(domain_to_dict(domain))  # (as a profile holds it)
    persona = PersonaCatalog([]).get("edge_case_user")
    dataset = Dataset([(persona, 1.0)], "api", 3000, 5, domain=domain, entity="Item")
    out: dict[str, list[dict[str, Any]]] = {}
    for record in (r for block in dataset.blocks() for r in block):
        response = record["response"]
        decided = (
            response["status"] is None
            or "request_id" in (response["body"] or {})
            # (an expired token's 401, a session anomaly the persona decided: before its body
            # is read; its body is the spec's, without request_id)
            or record.get("session_anomaly") == "expired_token"
        )
        if record["violations"] and not decided:
            out.setdefault(record["request"]["path"], []).append(record)
    return out


def test_a_bad_request_is_answered_as_the_spec_declares(tmp_path: Path) -> None:
    found = _invalid_replies(tmp_path, SPEC)
    assert set(found) == {"/only400", "/default", "/conflict", "/both", "/none"}
    error = Draft4Validator(ERROR)
    for record in found["/only400"]:
        response = record["response"]
        assert response["status"] == 400
        assert response["headers"]["Content-Type"] == "application/json"
        assert not list(error.iter_errors(response["body"])), response["body"]
        assert response["body"]["code"] == 400  # (its status field says the reply's)
        assert response["body"].get("requestId", record["request_id"]) == record["request_id"]
    for record in found["/default"]:
        response = record["response"]
        assert response["status"] == 422
        assert response["headers"]["Content-Type"] == "application/problem+json"
        assert set(response["body"]) >= {"title", "status"}
        assert response["body"]["status"] == 422
    for path, status in (("/conflict", 409), ("/both", 422), ("/none", 422)):
        for record in found[path]:
            assert record["response"]["status"] == status
            assert record["response"]["body"]["error"] == "validation_failed"
            assert record["response"]["body"]["details"]


def test_the_status_rule() -> None:
    assert bad_request_status(()) == 422
    assert bad_request_status((400, 422)) == 422
    assert bad_request_status((400, 404)) == 400
    assert bad_request_status((401, 403, 404, 409, 415, 429, 500)) == 409
    assert bad_request_status((401, 403, 404, 429)) == 422
    assert Operation("POST", "/x", error_statuses=(405,)).bad_request_status == 405


def test_the_built_in_domain_still_answers_422() -> None:
    persona = PersonaCatalog([]).get("edge_case_user")
    records = [r for b in Dataset([(persona, 1.0)], "api", 2000, 3).blocks() for r in b]
    statuses = {
        r["response"]["status"]
        for r in records
        if r["violations"] and r["response"]["status"]
        if "request_id" not in r["response"]["body"]
    }
    assert statuses == {422}


def test_other_records_are_unchanged_by_drawing_error_bodies(tmp_path: Path) -> None:
    """Error bodies come from a stream of their own: with or without a declared error
    schema, every record but those replies is the same."""
    plain = {**SPEC, "paths": {"/only400": _post({"400": {"description": "bad"}})}}
    drawn = {**SPEC, "paths": {"/only400": SPEC["paths"]["/only400"]}}
    a = [r for rs in _invalid_replies(tmp_path, plain).values() for r in rs]
    b = [r for rs in _invalid_replies(tmp_path, drawn).values() for r in rs]
    assert len(a) == len(b) > 10
    for x, y in zip(a, b, strict=True):
        assert x["request"] == y["request"] and x["response"]["status"] == y["response"]["status"]
        assert x["response"]["body"] != y["response"]["body"]


def test_a_profile_s_bad_request_is_checked() -> None:
    base = {"entities": {"Item": {"schema": {"type": "string"}}}}
    op = {"method": "POST", "path": "/items", "request_body": True}
    cases = [
        ({"entity": "Nope"}, "operations[0].bad_request.entity: no entity named 'Nope'"),
        ({"entity": "Item", "media": "xml"}, "bad_request.media: expected a media type"),
        ({"entity": "Item", "status": 400}, "bad_request.status: unknown bad_request key"),
        ("Item", "bad_request: expected a mapping with 'entity'"),
    ]
    for raw, message in cases:
        with pytest.raises(EntityFormatError, match=message.replace("[", r"\[")):
            domain_from_dict({**base, "operations": [{**op, "bad_request": raw}]})
    ok = domain_from_dict({**base, "operations": [{**op, "bad_request": {"entity": "Item"}}]})
    assert ok.operations[0].error_entity == "Item"


def test_an_error_the_persona_decides_has_the_body_its_spec_declares(tmp_path: Path) -> None:
    """A 404, 500 or 503 the persona answers with is of the schema the operation declares
    for that status, else of its error ``default``; a status with neither keeps the generic
    body. (They used to be the generic body whatever the spec said: a reply a contract test
    of the spec refuses.)"""
    missing = {"type": "object", "required": ["reason"], "properties": {"reason": ERROR}}
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Errors", "version": "1"},
        "paths": {
            "/items/{id}": {
                "get": {
                    "responses": {
                        "200": {"description": "ok", "content": BODY["content"]},
                        "404": _json(missing),
                        "default": _json({"$ref": "#/components/schemas/Problem"}),
                    }
                }
            },
            "/plain/{id}": {
                "get": {"responses": {"200": {"description": "ok", "content": BODY["content"]}}}
            },
        },
        "components": SPEC["components"],
    }
    path = tmp_path / "errors.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    domain = domain_from_dict(domain_to_dict(OpenApiImporter().load(path).domain))
    (tmp_path / "failing.yaml").write_text(
        "name: failing\nbehaviors:\n  errors: {rate: 0.2, statuses: {404: 1, 500: 1, 503: 1}}\n",
        encoding="utf-8",
    )
    persona = PersonaCatalog([tmp_path]).get("failing")
    records = [
        r
        for block in Dataset([(persona, 1.0)], "api", 1000, 2, domain=domain).blocks()
        for r in block
        if (r["response"]["status"] or 0) >= 400
    ]
    declared = [r for r in records if r["request"]["path"].startswith("/items/")]
    assert {r["response"]["status"] for r in declared} == {404, 500, 503}
    problem = SPEC["components"]["schemas"]["Problem"]  # type: ignore[index]
    for record in declared:
        response = record["response"]
        schema = missing if response["status"] == 404 else problem
        assert not list(Draft4Validator(schema).iter_errors(response["body"])), record
        if response["status"] != 404:
            assert response["body"]["status"] == response["status"]  # (it says which)
    plain = [r["response"]["body"] for r in records if r["request"]["path"].startswith("/plain/")]
    assert plain and all(body["error"] and body["status"] for body in plain)


def test_a_profile_s_error_replies_are_checked() -> None:
    base = {"entities": {"Item": {"schema": {"type": "string"}}}}
    op = {"method": "GET", "path": "/items"}
    cases = [
        ({404: {"entity": "Nope"}}, "operations[0].error_replies.404.entity: no entity named"),
        ({200: {"entity": "Item"}}, "error_replies.200: 200 is no error status"),
        ({"x": {"entity": "Item"}}, "error_replies.x: "),
        ({404: "Item"}, "error_replies.404: expected a mapping with 'entity'"),
    ]
    for raw, message in cases:
        with pytest.raises(EntityFormatError, match=message.replace("[", r"\[")):
            domain_from_dict({**base, "operations": [{**op, "error_replies": raw}]})
    replies = {404: {"entity": "Item"}, "default": {"entity": "Item", "media": "text/plain"}}
    ok = domain_from_dict({**base, "operations": [{**op, "error_replies": replies}]})
    assert ok.operations[0].error_replies == ((404, "Item", None), (0, "Item", "text/plain"))
    assert domain_to_dict(ok)["operations"][0]["error_replies"] == replies
