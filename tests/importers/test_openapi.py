"""The openapi importer: components as entities, operations, OpenAPI constructs, errors,
fuzzing, and the proof that generated records pass openapi-schema-validator."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema_proof import records

from persona_gen.entities.model import Schema
from persona_gen.errors import SchemaImportError
from persona_gen.generators.check import violated_rule
from persona_gen.importers import FORMAT_ALIASES
from persona_gen.importers.base import ImportResult
from persona_gen.importers.openapi import OpenApiImporter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "schemas" / "openapi-users.yaml"
INFO = {"title": "t", "version": "1"}


def write(tmp_path: Path, doc: dict[str, Any], name: str = "api.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def oas30(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": INFO,
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


def all_valid(path: Path, n: int = 200) -> ImportResult:
    result = OpenApiImporter().load(path)
    checks = OpenApiImporter().validators(path)
    for entity in result.listed:
        for seed in (1, 2):
            for row in records(result, entity, n, seed):
                assert checks[entity](row) == [], (entity, row)
    return result


def field_schema(result: ImportResult, entity: str, name: str) -> Schema:
    found = result.domain.entities[entity].schema.field(name)
    assert found is not None, name
    return found.schema


# -- listing and operations ---------------------------------------------------------------


def test_example_lists_exactly_the_readme_entities() -> None:
    result = OpenApiImporter().load(EXAMPLE)
    assert result.listed == ("User", "Address", "CreateUserRequest", "Order", "OrderItem")
    assert result.domain.primary == "User"
    assert result.warnings == ()  # the spec validator has no complaint either
    assert FORMAT_ALIASES["swagger"] == "openapi"


CORPUS = ROOT / "tests" / "corpus" / "openapi"


def _kept(spec: Path, entity: str) -> set[str]:
    """The operations ``import-schema -e entity`` keeps, as ``"GET /path"``."""
    from persona_gen.runtime.schema_import import profile_document

    doc = profile_document(
        OpenApiImporter().load(spec),
        spec,
        entity,
        name=None,
        dataset_type="api",
        count=10,
        output_format=None,
        dialect=None,
    )
    return {f"{op['method']} {op['path']}" for op in doc["domain"]["operations"]}


def test_an_entity_keeps_every_operation_on_it_and_none_of_others() -> None:
    """Train Travel's ``-e Booking`` keeps the bookings' GETs (replies that extend Booking,
    ``allOf: [Booking, {links}]``, or wrap it, ``{data: [Booking], links}``) and the DELETE
    its path names, not the payment of a booking; the link example's ``-e pullrequest`` no
    longer brings the operations of the user and repository a pull request refers to."""
    assert _kept(CORPUS / "oas31-train-travel.yaml", "Booking") == {
        "GET /bookings",
        "POST /bookings",
        "GET /bookings/{bookingId}",
        "DELETE /bookings/{bookingId}",
    }
    assert _kept(CORPUS / "oas31-train-travel.yaml", "BookingPayment") == {
        "POST /bookings/{bookingId}/payment"
    }
    assert _kept(CORPUS / "oas30-link-example.yaml", "pullrequest") == {
        "GET /2.0/repositories/{username}/{slug}/pullrequests",
        "GET /2.0/repositories/{username}/{slug}/pullrequests/{pid}",
        "POST /2.0/repositories/{username}/{slug}/pullrequests/{pid}/merge",  # (no body)
    }
    assert "POST /2.0/repositories/{username}/{slug}/pullrequests/{pid}/merge" not in _kept(
        CORPUS / "oas30-link-example.yaml", "repository"
    )


def _ref(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def test_an_entity_keeps_the_bodiless_operations_under_its_paths(tmp_path: Path) -> None:
    """``-e Issue`` keeps ``PUT``/``DELETE /issues/{issue_number}/lock`` (no body, nothing
    else they act on), not the comments under the issue, nor a bodiless operation under a
    comment's own path (``/comments/{comment_id}/pin`` is the comment's); the API's root
    (``GET /``, under the server's ``/api/v3``) owns nothing under it."""
    none = {"204": {"description": "done"}}
    issue = "/repos/{owner}/{repo}/issues/{issue_number}"
    comment = f"{issue}/comments/{{comment_id}}"
    paths = {
        "/repos/{owner}/{repo}/issues": {"post": {"requestBody": _ref("Issue"), "responses": {}}},
        issue: {"get": {"responses": {"200": _ref("Issue")}}},
        f"{issue}/lock": {"put": {"responses": none}, "delete": {"responses": none}},
        f"{issue}/comments": {
            "get": {"responses": {"200": _ref("Comment")}},
            "post": {"requestBody": _ref("Comment"), "responses": none},
        },
        comment: {"get": {"responses": {"200": _ref("Comment")}}},
        f"{comment}/pin": {"put": {"responses": none}},
        "/repos/{owner}/{repo}/stats": {"post": {"responses": none}},
    }

    def obj() -> dict[str, Any]:
        return {"type": "object", "properties": {"id": {"type": "integer"}}}

    paths["/"] = {"get": {"responses": {"200": _ref("Meta")}}}  # (the API's root)
    paths["/rebuild"] = {"post": {"responses": none}}
    doc = {**oas30({"Issue": obj(), "Comment": obj(), "Meta": obj()}, paths)}
    spec = write(tmp_path, {**doc, "servers": [{"url": "https://example.com/api/v3"}]})
    v3 = "/api/v3"
    assert _kept(spec, "Issue") == {
        f"POST {v3}/repos/{{owner}}/{{repo}}/issues",
        f"GET {v3}{issue}",
        f"PUT {v3}{issue}/lock",
        f"DELETE {v3}{issue}/lock",
    }
    assert _kept(spec, "Comment") == {
        f"GET {v3}{issue}/comments",
        f"POST {v3}{issue}/comments",
        f"GET {v3}{comment}",
        f"PUT {v3}{comment}/pin",
    }
    assert _kept(spec, "Meta") == {f"GET {v3}/"}
    # (an API of one collection: every path is under /issues, which is no root)
    only = {p: item for p, item in paths.items() if "/issues" in p}
    only["/repos/{owner}/{repo}/issues/export"] = {"get": {"responses": none}}
    spec = write(tmp_path, {**oas30({"Issue": obj(), "Comment": obj()}, only)})
    assert "GET /repos/{owner}/{repo}/issues/export" in _kept(spec, "Issue")


def test_example_operations_use_the_spec_paths_and_codes() -> None:
    ops = {(op.method, op.path): op for op in OpenApiImporter().load(EXAMPLE).domain.operations}
    listing = ops[("GET", "/v1/users")]
    assert (listing.entity, listing.response_array, listing.success_status) == ("User", True, 200)
    assert listing.error_statuses == (400,)
    assert [name for name, _ in listing.query_params] == ["page", "limit", "status"]
    assert dict(listing.query_params)["limit"].maximum == 100
    create = ops[("POST", "/v1/users")]
    assert (create.entity, create.request_body, create.success_status) == (
        "CreateUserRequest",
        True,
        201,
    )
    assert create.error_statuses == (400, 422)
    assert create.operation_id == "createUser"
    delete = ops[("DELETE", "/v1/users/{userId}")]
    assert (delete.success_status, delete.path_params, delete.request_body) == (
        204,
        ("userId",),
        False,
    )
    assert delete.entity == "User"  # the resource its path names
    update = ops[("PATCH", "/v1/orders/{orderId}")]
    assert (update.entity, update.error_statuses) == ("Order", (400, 404, 422))
    assert len(ops) == 11
    # the success replies, apart from the request bodies
    assert (listing.response_entity, listing.response_shape) == ("User", "array")
    assert (create.response_entity, create.response_shape) == ("User", "one")
    assert delete.response_shape == "none"
    assert dict(delete.path_schemas)["userId"] == Schema("string", format="uuid")


def test_example_records_pass_the_original_schema() -> None:
    all_valid(EXAMPLE, n=300)


def test_example_constructs() -> None:
    result = OpenApiImporter().load(EXAMPLE)
    user = result.domain.entities["User"].schema
    assert user.field("id").read_only  # type: ignore[union-attr]
    assert field_schema(result, "User", "phone").nullable
    assert field_schema(result, "User", "address") == Schema("ref", ref="Address")
    assert result.domain.entities["CreateUserRequest"].schema.closed
    assert result.domain.entities["CreateUserRequest"].schema.field("password").write_only  # type: ignore[union-attr]
    total = field_schema(result, "Order", "total")
    assert (total.exclusive_minimum, total.multiple_of) == (True, 0.01)
    items = field_schema(result, "Order", "items")
    assert items.items == Schema("ref", ref="OrderItem") and items.min_items == 1


def test_sniff() -> None:
    assert OpenApiImporter.sniff(Path("a.yaml"), "openapi: 3.0.0\ninfo: {}\n")
    assert OpenApiImporter.sniff(Path("a.yml"), "swagger: '2.0'\n")
    assert OpenApiImporter.sniff(Path("a.json"), '{"openapi": "3.1.0"}')
    assert not OpenApiImporter.sniff(Path("a.json"), '{"$schema": "x", "type": "object"}')
    assert not OpenApiImporter.sniff(Path("a.yaml"), "info:\n  openapi: 3\n")


# -- constructs ---------------------------------------------------------------------------


def test_discriminator_oneof_with_mapping(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        oas30(
            {
                "Pet": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Cat"},
                        {"$ref": "#/components/schemas/Dog"},
                    ],
                    "discriminator": {
                        "propertyName": "kind",
                        "mapping": {"cat": "#/components/schemas/Cat"},
                    },
                },
                "Cat": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"type": "string"}, "lives": {"type": "integer"}},
                },
                "Dog": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"type": "string"}, "bark": {"type": "boolean"}},
                },
            }
        ),
    )
    result = all_valid(path)
    assert field_schema(result, "Cat", "kind").const == "cat"
    assert field_schema(result, "Dog", "kind").const == "Dog"  # implicit: the component name


def test_a_discriminator_value_is_made_but_measured_by_what_the_source_declares(
    tmp_path: Path,
) -> None:
    # The variant's `kind` was replaced by `const: cat` alone: labels then held a fault to
    # the const (the spec's validator does not check discriminators) and lost the
    # property's own rules (maxLength here).
    kind = {"type": "string", "maxLength": 5}
    schemas = {
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind"},
        },
        "Cat": {"type": "object", "required": ["kind"], "properties": {"kind": kind}},
        "Dog": {"type": "object", "required": ["bark"], "properties": {"bark": {}}},
    }
    result = all_valid(write(tmp_path, oas30(schemas)))
    cat = field_schema(result, "Cat", "kind")
    assert cat == Schema("string", max_length=5, const="Cat", has_const=True, const_unchecked=True)
    dog = field_schema(result, "Dog", "kind")  # (undeclared: any value)
    assert dog == Schema("any", const="Dog", has_const=True, const_unchecked=True)
    assert violated_rule(cat, "") is None and violated_rule(cat, "Lion!!") == "maxLength"
    assert violated_rule(cat, 5) == "type" and violated_rule(dog, 5) is None
    assert all(r["kind"] == "Cat" for r in records(result, "Cat", 20, 1))


def test_a_byte_value_outside_ascii_is_invalid_not_an_error(tmp_path: Path) -> None:
    blob = {"type": "object", "properties": {"data": {"type": "string", "format": "byte"}}}
    for doc in (oas30({"Blob": blob}), {**oas30({"Blob": blob}), "openapi": "3.1.0"}):
        check = OpenApiImporter().validators(write(tmp_path, doc))["Blob"]
        assert check({"data": "aGVsbG8="}) == []
        assert check({"data": "héllo"}) != []  # (raised UnicodeEncodeError)


@pytest.mark.parametrize(
    "mapping", [None, {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}]
)
def test_discriminator_inline_on_a_property(tmp_path: Path, mapping: Any) -> None:
    disc: dict[str, Any] = {"propertyName": "pet_type"}
    if mapping:
        disc["mapping"] = mapping
    variant = {"type": "object", "required": ["pet_type"]}
    schemas = {
        "Pet": {
            "type": "object",
            "required": ["details", "others"],
            "properties": {
                "details": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Cat"},
                        {"$ref": "#/components/schemas/Dog"},
                    ],
                    "discriminator": disc,
                },
                "others": {  # and on array items
                    "type": "array",
                    "items": {
                        "oneOf": [{"$ref": "#/components/schemas/Dog"}],
                        "discriminator": disc,
                    },
                },
            },
        },
        "Cat": {**variant, "properties": {"pet_type": {"type": "string"}, "lives": {}}},
        "Dog": {**variant, "properties": {"pet_type": {"type": "string"}, "bark": {}}},
    }
    result = all_valid(write(tmp_path, oas30(schemas)))
    assert field_schema(result, "Cat", "pet_type").const == ("cat" if mapping else "Cat")
    assert field_schema(result, "Dog", "pet_type").const == ("dog" if mapping else "Dog")


def test_discriminator_allof_inheritance(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        oas30(
            {
                "Pet": {
                    "type": "object",
                    "required": ["petType"],
                    "properties": {"petType": {"type": "string"}, "name": {"type": "string"}},
                    "discriminator": {"propertyName": "petType"},
                },
                "Cat": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Pet"},
                        {
                            "type": "object",
                            "properties": {"lives": {"type": "integer", "minimum": 1}},
                        },
                    ]
                },
            }
        ),
    )
    result = all_valid(path)
    cat = result.domain.entities["Cat"].schema
    assert {f.name for f in cat.fields} == {"petType", "name", "lives"}
    assert field_schema(result, "Cat", "petType").const == "Cat"
    assert set(field_schema(result, "Pet", "petType").enum or ()) == {"Cat", "Pet"}


def test_nullable_30_and_type_null_31(tmp_path: Path) -> None:
    p30 = write(
        tmp_path,
        oas30(
            {
                "T": {
                    "type": "object",
                    "properties": {
                        "a": {"type": "string", "nullable": True},
                        "b": {"nullable": True, "allOf": [{"$ref": "#/components/schemas/U"}]},
                        "c": {"$ref": "#/components/schemas/U", "nullable": True},
                    },
                },
                "U": {"type": "object"},
            }
        ),
        "a30.yaml",
    )
    r30 = all_valid(p30)
    assert field_schema(r30, "T", "a").nullable
    assert not field_schema(r30, "T", "b").nullable
    assert any("nullable" in w for w in r30.warnings)
    doc31 = {
        "openapi": "3.1.0",
        "info": INFO,
        "paths": {},
        "components": {
            "schemas": {
                "T": {
                    "type": "object",
                    "properties": {
                        "a": {"type": ["integer", "null"], "exclusiveMinimum": 0},
                        "c": {"const": "x"},
                    },
                }
            }
        },
    }
    r31 = all_valid(write(tmp_path, doc31, "a31.yaml"))
    a = field_schema(r31, "T", "a")
    assert a.nullable and a.exclusive_minimum and a.type == "integer"


def test_swagger_20(tmp_path: Path) -> None:
    doc = {
        "swagger": "2.0",
        "info": INFO,
        "basePath": "/api",
        "paths": {
            "/pets": {
                "post": {
                    "parameters": [
                        {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Pet"}},
                        {"name": "dry", "in": "query", "type": "boolean"},
                    ],
                    "responses": {
                        "201": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}},
                        "4XX": {"description": "bad"},
                    },
                }
            }
        },
        "definitions": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "tag": {"type": "string", "readOnly": True},
                },
            }
        },
    }
    result = all_valid(write(tmp_path, doc))
    (op,) = result.domain.operations
    assert (op.method, op.path, op.entity, op.request_body) == ("POST", "/api/pets", "Pet", True)
    assert (op.success_status, op.error_statuses) == (201, (400,))
    assert op.query_params == (("dry", Schema("boolean")),)
    assert result.domain.entities["Pet"].schema.field("tag").read_only  # type: ignore[union-attr]


def test_external_file_and_recursive_refs(tmp_path: Path) -> None:
    (tmp_path / "common.yaml").write_text(
        textwrap.dedent("""\
        Money:
          type: object
          required: [amount, currency]
          properties:
            amount: {type: number, minimum: 0, multipleOf: 0.01}
            currency: {type: string, pattern: "^[A-Z]{3}$"}
        """)
    )
    path = write(
        tmp_path,
        oas30(
            {
                "Node": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                        "price": {"$ref": "common.yaml#/Money"},
                    },
                },
            }
        ),
    )
    result = all_valid(path)
    assert result.listed == ("Node",)
    assert field_schema(result, "Node", "price") == Schema("ref", ref="Money")
    assert "Money" in result.domain.entities


def test_inline_request_body_gets_an_entity(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.0.0",
        "info": INFO,
        "paths": {
            "/login": {
                "post": {
                    "operationId": "login",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["user"],
                                    "properties": {"user": {"type": "string"}},
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    result = OpenApiImporter().load(write(tmp_path, doc))
    assert result.listed == ("loginBody",)
    assert result.domain.operations[0].entity == "loginBody"


def _one_operation(tmp_path: Path, responses: Any, **extra: Any) -> Any:
    """(result, its one operation) for GET /pets answered with ``responses``."""
    doc = oas30(
        {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}},
        {"/pets": {"get": {"responses": responses, **extra}}},
    )
    result = OpenApiImporter().load(write(tmp_path, doc))
    return result, result.domain.operations[0]


def _json(schema: Any) -> dict[str, Any]:
    return {"description": "ok", "content": {"application/json": {"schema": schema}}}


PET = {"$ref": "#/components/schemas/Pet"}


@pytest.mark.parametrize(
    ("schema", "shape", "inline"),
    [
        (PET, "one", False),
        ({"type": "array", "items": PET}, "array", False),
        ({"type": "array", "items": {"type": "object", "properties": {"n": {}}}}, "array", True),
        # an envelope, an array with its own rules, a scalar: an entity of the whole schema
        ({"type": "object", "properties": {"data": {"type": "array", "items": PET}}}, "one", True),
        ({"type": "array", "items": PET, "minItems": 2}, "one", True),
        ({"type": "string", "format": "uuid"}, "one", True),
    ],
)
def test_a_reply_keeps_its_shape(tmp_path: Path, schema: Any, shape: str, inline: bool) -> None:
    result, op = _one_operation(tmp_path, {"200": _json(schema)}, operationId="listPets")
    assert op.response_shape == shape
    assert op.response_entity == ("listPetsResponse" if inline else "Pet")
    assert result.listed == ("Pet",)  # (an inline reply's entity is not listed)
    if inline and shape == "one":  # (validated against the spec's own response schema)
        checks = OpenApiImporter().validators(tmp_path / "api.yaml")
        for row in records(result, "listPetsResponse", 100, 3):
            assert checks["listPetsResponse"](row) == [], row


def test_replies_without_content(tmp_path: Path) -> None:
    assert _one_operation(tmp_path, {"204": {"description": "gone"}})[1].response_shape == "none"
    _, op = _one_operation(tmp_path, {200: _json(PET)})  # (a YAML key written as a number)
    assert (op.success_status, op.response_entity, op.response_shape) == (200, "Pet", "one")
    # a body without a schema, or no response declared: the resource, as before
    no_schema = {"200": {"description": "ok", "content": {"application/json": {}}}}
    _, op = _one_operation(tmp_path, no_schema)
    assert (op.response_entity, op.response_shape) == (None, "one")
    _, op = _one_operation(tmp_path, {})
    assert (op.success_status, op.response_entity, op.response_shape) == (200, None, "one")
    # only an error declared: that error, never an invented 200
    _, op = _one_operation(tmp_path, {"404": {"description": "no"}})
    assert (op.success_status, op.response_entity, op.response_shape) == (404, None, "none")
    head = oas30({"Pet": {"type": "object"}}, {"/p": {"head": {"responses": {"200": _json(PET)}}}})
    assert OpenApiImporter().load(write(tmp_path, head)).domain.operations[0].response_shape == (
        "none"
    )


@pytest.mark.parametrize(
    ("responses", "warning"),
    [
        ([{"200": {}}], "#/paths/~1pets/get/responses: responses must be an object, not a list"),
        ({"200": "OK"}, "#/paths/~1pets/get/responses/200: a response must be an object"),
        ({"200": {"content": ["application/json"]}}, "/200/content: content must be an object"),
        ({"200": {"content": {"application/json": 3}}}, "a media type must be an object"),
    ],
)
def test_a_malformed_response_is_a_warning(tmp_path: Path, responses: Any, warning: str) -> None:
    result, op = _one_operation(tmp_path, responses)
    assert any(warning in w for w in result.warnings), result.warnings
    assert op.response_shape in ("one", "none")


def test_a_bad_response_schema_or_reference_is_one_error(tmp_path: Path) -> None:
    for responses, message in [
        ({"200": _json(7)}, "a schema must be an object or boolean, not a number"),
        ({"200": {"$ref": "#/components/responses/Nope"}}, "unresolvable $ref"),
    ]:
        with pytest.raises(SchemaImportError, match=re.escape(message)):
            _one_operation(tmp_path, responses)


def test_a_vendor_nullable_is_warned_about(tmp_path: Path) -> None:
    # (go-swagger's x-nullable made no nulls without a word, and a null there is labelled
    # invalid: the spec's validators ignore the extension)
    doc = oas30(
        {"T": {"type": "object", "properties": {"c": {"type": "string", "x-nullable": True}}}}
    )
    result = OpenApiImporter().load(write(tmp_path, doc))
    assert any("x-nullable is a vendor extension" in w for w in result.warnings), result.warnings
    assert not result.domain.entity("T").schema.fields[0].schema.nullable


def test_spec_validator_complaints_are_warnings(tmp_path: Path) -> None:
    doc = oas30({"T": {"type": "object"}})
    del doc["info"]
    result = OpenApiImporter().load(write(tmp_path, doc))
    assert result.listed == ("T",)
    assert any(w.startswith("spec:") and "info" in w for w in result.warnings)


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("openapi: 3.0.0\ninfo: [unclosed\n", "invalid YAML", 3),
        ("info: {}\npaths: {}\n", "not an OpenAPI document", 1),
        ("openapi: 4.0.0\ninfo: {}\n", "unsupported OpenAPI version '4.0.0'", 1),
        ("swagger: '1.2'\n", "unsupported Swagger version", 1),
        (
            "openapi: 3.0.0\ninfo: {}\npaths: {}\ncomponents:\n  schemas:\n    A:\n"
            "      $ref: '#/components/schemas/B'\n",
            "unresolvable $ref",
            7,
        ),
        (
            "openapi: 3.0.0\ninfo: {}\npaths: {}\ncomponents:\n  schemas: [1]\n",
            "components/schemas must be an object (at #/components/schemas)",
            5,
        ),
        ("openapi: 3.0.0\ninfo: {}\npaths: {}\n", "no schemas found", 1),
        (
            "openapi: 3.0.0\ninfo: {}\npaths: []\ncomponents: {schemas: {A: {}}}\n",
            "paths must be an object (at #/paths)",  # (it said "at #", the root)
            3,
        ),
    ],
)
def test_bad_input_is_a_schema_import_error(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaImportError) as info:
        OpenApiImporter().load(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.line == line


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaImportError, match="file not found"):
        OpenApiImporter().load(tmp_path / "nope.yaml")


_EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        st.text(max_size=200).map(lambda t: "openapi: 3.0.0\n" + t),
        st.integers(0, len(_EXAMPLE_TEXT)).map(lambda k: _EXAMPLE_TEXT[:k]),
        st.integers(0, len(_EXAMPLE_TEXT) - 1).map(
            lambda k: _EXAMPLE_TEXT[:k] + "\n  bad: [" + _EXAMPLE_TEXT[k:]
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "type",
                            "properties",
                            "$ref",
                            "allOf",
                            "oneOf",
                            "discriminator",
                            "nullable",
                            "items",
                            "paths",
                            "get",
                            "responses",
                            "200",
                            "schema",
                            "a",
                        ]
                    ),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=12,
        ).map(
            lambda d: yaml.safe_dump(
                {
                    "openapi": "3.0.0",
                    "info": INFO,
                    "components": {"schemas": {"A": d}},
                    "paths": {"/a": d},
                }
            )
        ),
    )
)
def test_fuzz_only_schema_import_error_escapes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        OpenApiImporter().load(path)
    except SchemaImportError as exc:
        assert str(exc)


def test_nullable_enum_without_null_makes_no_nulls(tmp_path: Path) -> None:
    """OAS 3.0.3: `nullable: true` does not add null to an `enum` (GitHub's
    issue.state_reason); openapi-schema-validator rejects null there."""
    path = write(
        tmp_path,
        oas30(
            {
                "Issue": {
                    "type": "object",
                    "required": ["state_reason", "color", "label"],
                    "properties": {
                        "state_reason": {
                            "type": "string",
                            "nullable": True,
                            "enum": ["completed", "reopened", "not_planned"],
                        },
                        "color": {"type": "string", "nullable": True, "const": "red"},
                        "label": {"type": "string", "nullable": True, "enum": ["a", "b", None]},
                    },
                }
            }
        ),
    )
    result = all_valid(path, n=300)
    assert not field_schema(result, "Issue", "state_reason").nullable
    assert not field_schema(result, "Issue", "color").nullable
    assert field_schema(result, "Issue", "label").nullable
    assert any("null is not in the enum" in w for w in result.warnings)
    rows = records(result, "Issue", 300, 3)
    assert any(row["label"] is None for row in rows)
    assert not any(row["state_reason"] is None for row in rows)


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_an_enum_with_null_and_no_type_is_a_nullable_enum(tmp_path: Path, version: str) -> None:
    # `color: {enum: [black, white, null]}` was refused ("enum member null is not a string");
    # without a type, null is one of the values (OpenAPI 3.0's validator agrees: no type).
    doc = oas30(
        {
            "Pet": {
                "type": "object",
                "required": ["color"],
                "properties": {"color": {"enum": ["black", "white", None]}},
            }
        }
    )
    doc["openapi"] = version
    result = all_valid(write(tmp_path, doc), n=300)
    color = field_schema(result, "Pet", "color")
    assert (color.type, color.nullable, color.enum) == ("string", True, ("black", "white", None))
    assert None in {row["color"] for row in records(result, "Pet", 300, 3)}


def test_type_list_with_null_and_enum_without_null(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.1.0",
        "info": INFO,
        "paths": {},
        "components": {
            "schemas": {
                "T": {
                    "type": "object",
                    "required": ["s"],
                    "properties": {"s": {"type": ["string", "null"], "enum": ["x", "y"]}},
                }
            }
        },
    }
    result = all_valid(write(tmp_path, doc), n=300)
    assert not field_schema(result, "T", "s").nullable


def test_yaml_aliases_that_expand_past_reason_are_refused_at_import(tmp_path: Path) -> None:
    """A few hundred bytes of aliases can stand for a billion values: refused before the
    schema is read (else the profile it wrote was refused by validate and generate)."""
    text = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\nx-a: &a [lol, lol, lol]\n'
    previous = "a"
    for name in "bcdefghijklmnopqrs":
        text += f"x-{name}: &{name} [{', '.join(['*' + previous] * 3)}]\n"
        previous = name
    text += (
        "components:\n  schemas:\n    A:\n      type: object\n"
        f"      properties:\n        y: {{default: *{previous}}}\n"
    )
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    with pytest.raises(SchemaImportError, match="aliases expand to more than 1,000,000 values"):
        OpenApiImporter().load(path)
