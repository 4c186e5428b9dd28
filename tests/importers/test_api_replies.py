"""The api generator keeps an imported OpenAPI operation's response contract: every success
reply validates against the success response the spec declares for that operation (looked up
in the spec itself, $refs resolved there, by openapi-schema-validator), replies of responses
without content have no body, and path parameters follow their declared schemas.

Error replies (statuses the persona decided, 422 for a labelled-invalid request, transport
failures) are not the success contract and are left out; they are labelled by status.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml
from jsonschema.validators import Draft4Validator
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.model import Domain, Operation
from persona_gen.entities.serial import domain_from_dict, domain_to_dict
from persona_gen.importers._jsonschema.validate import with_safe_patterns
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.runtime.schema_import import _impossible

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "openapi"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
EXAMPLE = ROOT / "schemas" / "openapi-users.yaml"
CATALOG = PersonaCatalog([])
URI = "urn:spec"

# (file, operation) -> why no valid reply can be made (as in test_corpus_openapi's SKIP).
# Each entry must still fail (checked).
SKIP: dict[tuple[str, str], str] = {
    ("oas30-complex-nesting.yaml", "POST /multischema/of-everything"): (
        "MultischemaOfEverything: a oneOf of FlatObject (all properties optional) and "
        "objects, so every object matches several options"
    ),
    ("oas30-complex-nesting.yaml", "POST /top-level-object/of-everything"): (
        "ObjectOfEverything: its oneOf options include {type: object} and objects without "
        "required properties, so every object matches several"
    ),
    ("oas30-complex-nesting.yaml", "PUT /anything/top-level-array"): (
        "an array of ObjectOfEverything (see above)"
    ),
    ("oas30-response-schemas.yaml", "GET /anything/polymorphism"): (
        "oneOf lists two plain string schemas: every string matches both, so only a Pet "
        "fits, and the generator draws strings too"
    ),
    ("oas30-schema-deprecated.yaml", "POST /anything"): (
        "Pet: polymorphism.oneOf lists StatusWrapper twice, so no value matches exactly one"
    ),
}


@dataclass
class Contract:
    """What one operation's spec says of its success reply."""

    status: int
    schema: dict[str, Any] | None  # {"$ref": …} into the spec; None: no JSON body declared
    has_content: bool


def _spec(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def _pointer(*parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _deref(doc: dict[str, Any], node: Any, where: str) -> tuple[Any, str]:
    """A response object and its pointer, following a local $ref (responses/…)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        where = node["$ref"].lstrip("#")
        node = doc
        for part in where.strip("/").split("/"):
            node = node[unquote(part).replace("~1", "/").replace("~0", "~")]
    return node, where


def _contract(doc: dict[str, Any], template: str, method: str) -> Contract | None:
    """The response of ``method template`` when nothing goes wrong, as the spec declares it:
    the lowest 2xx (else 3xx; else a default that is no error, as 200; else the first status
    declared; else an error default, as 500) and its JSON media type's schema."""
    responses = doc["paths"][template][method].get("responses") or {}
    codes = {int(str(k)): k for k in responses if re.fullmatch(r"[1-5]\d\d", str(k))}
    ok = sorted(c for c in codes if 200 <= c < 300) or sorted(c for c in codes if c < 400)
    status, key = (ok[0], codes[ok[0]]) if ok else (200, None)
    if key is None and "default" in responses:
        status, key = (500, "default") if _is_error(doc, responses["default"]) else (200, "default")
        if status == 500 and codes:
            status = next(iter(codes))
            key = codes[status]
    elif key is None and codes:
        status = next(iter(codes))
        key = codes[status]
    if key is None:
        return None
    response, where = _deref(
        doc, responses[key], _pointer("paths", template, method, "responses", key)
    )
    if "swagger" in doc:
        has = "schema" in response
        return Contract(status, {"$ref": f"{URI}#{where}/schema"} if has else None, has)
    content = response.get("content") or {}
    media = next((m for m in content if m.split(";")[0].strip() == "application/json"), None)
    media = media or next((m for m in content if "json" in m), None) or next(iter(content), None)
    if media is None or "schema" not in content[media]:
        return Contract(status, None, bool(content))
    return Contract(status, {"$ref": f"{URI}#{where}{_pointer('content', media, 'schema')}"}, True)


def _is_error(doc: dict[str, Any], response: Any) -> bool:
    """Whether a ``default`` response says it is an error (its description or schema)."""
    response, _ = _deref(doc, response, "")
    text = str(response.get("description", "")) + str(response.get("content", response))
    return bool(re.search(r"error|problem|unexpected", text, re.IGNORECASE))


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator of replies: as OpenAPI says, a required writeOnly property (a card's
    ``cvc``, at any depth) is required in requests only (``with_safe_patterns``' direction:
    the plain validators require it both ways, or, OAS 3.0's, neither)."""
    version = str(doc.get("openapi", "2.0"))
    spec = DRAFT202012 if version.startswith("3.1") else DRAFT4
    registry: Registry[Any] = Registry().with_resource(URI, spec.create_resource(doc))
    if version.startswith("3.1"):
        cls = with_safe_patterns(OAS31Validator, "response")
        return cls(schema, registry=registry, format_checker=oas31_format_checker)
    if "swagger" in doc:  # (no nullable, discriminators by name: plain draft 4)
        return Draft4Validator(schema, registry=registry, format_checker=oas30_format_checker)
    cls = with_safe_patterns(OAS30Validator, "response")
    return cls(schema, registry=registry, format_checker=oas30_format_checker)


def _matcher(base: str, template: str) -> re.Pattern[str]:
    literal = re.escape(base + template)
    return re.compile("^" + re.sub(r"\\\{[^/]*?\\\}", "[^/]+", literal) + "$")


def _makeable(domain: Domain) -> Domain:
    """The domain without operations no body or reply can be made for (import-schema
    leaves them out of a profile: a required recursion, say)."""
    ops = tuple(
        op
        for op in domain.operations
        if not any(_impossible(domain, n) for n in {op.entity, op.response_entity} if n)
    )
    return replace(domain, operations=ops)


def _exchanges(domain: Domain, n: int, seed: int = 11) -> list[dict[str, Any]]:
    dataset = Dataset(
        [(CATALOG.get("normal_user"), 1.0)], "api", n, seed, domain=domain, entity=domain.primary
    )
    return [r for block in dataset.blocks() for r in block]


def _operation_of(
    record: dict[str, Any], routes: list[tuple[re.Pattern[str], Operation, str]]
) -> tuple[Operation, str] | None:
    """The operation a request is of: its method and path (a literal path before one with
    parameters, as a router would)."""
    request = record["request"]
    for pattern, op, template in routes:
        if op.method == request["method"] and pattern.match(request["path"]):
            return op, template
    return None


def _routes(domain: Domain, base: str) -> list[tuple[re.Pattern[str], Operation, str]]:
    routes = [(_matcher("", op.path), op, op.path[len(base) :]) for op in domain.operations]
    return sorted(routes, key=lambda r: r[1].path.count("{"))


def _base(domain: Domain, doc: dict[str, Any]) -> str:
    """The prefix the importer put before the spec's path templates (server or basePath)."""
    for op in domain.operations:
        for template in doc.get("paths") or {}:
            if op.path.endswith(str(template)):
                return op.path[: len(op.path) - len(str(template))]
    return ""


def check_replies(path: Path, n: int = 400) -> tuple[set[str], dict[str, str]]:
    """For one spec: the operations whose success replies were checked, and the first
    problem of each that has one (``"GET /pets"`` -> message)."""
    doc = _spec(path)
    domain = _makeable(OpenApiImporter().load(path).domain)
    if not domain.operations:
        return set(), {}
    base = _base(domain, doc)
    routes = _routes(domain, base)
    validators: dict[str, Any] = {}
    checked: set[str] = set()
    problems: dict[str, str] = {}
    for record in _exchanges(domain, n):
        found = _operation_of(record, routes)
        assert found is not None, record["request"]
        op, template = found
        contract = _contract(doc, template, op.method.lower())
        response = record["response"]
        if contract is None or response["status"] != contract.status:
            continue  # (no declared success, or not a success: an error the persona decided)
        key, reply = f"{op.method} {template}", response["body"]
        checked.add(key)
        if contract.schema is None:
            if not contract.has_content and reply is not None:
                problems.setdefault(key, "a body where the response declares none")
            continue
        if key not in validators:
            validators[key] = _validator(doc, contract.schema)
        error = next(validators[key].iter_errors(reply), None)
        if error is not None:
            problems.setdefault(key, error.message[:300])
    return checked, problems


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_success_replies_follow_the_declared_response(path: Path) -> None:
    checked, problems = check_replies(path)
    skipped = {op for (name, op) in SKIP if name == path.name}
    assert not {k: v for k, v in problems.items() if k not in skipped}
    assert skipped <= checked, f"not checked, so not proven to fail: {skipped - checked}"
    assert skipped <= set(problems), f"now valid, remove from SKIP: {skipped - set(problems)}"


def test_the_corpus_has_replies_of_every_shape() -> None:
    shapes = {
        op.response_shape for path in FILES for op in OpenApiImporter().load(path).domain.operations
    }
    assert shapes == {"one", "array", "none"}


# -- the README's example spec --------------------------------------------------------------


def test_example_replies_are_the_declared_entities() -> None:
    domain = OpenApiImporter().load(EXAMPLE).domain
    checked, problems = check_replies(EXAMPLE, 600)
    assert len(checked) == 11 and not problems, problems
    seen: set[tuple[str, str]] = set()
    uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    for record in _exchanges(domain, 600):
        request, response = record["request"], record["response"]
        if response["status"] not in (200, 201, 204):
            continue
        method, path, reply = request["method"], request["path"], response["body"]
        if (method, path) == ("GET", "/v1/users"):
            assert isinstance(reply, list) and all("email" in u for u in reply)  # no envelope
        elif (method, path) == ("POST", "/v1/users"):
            # a User (id, status, created_at…), with what CreateUserRequest sent, never the
            # password it may not hold
            assert {"id", "status", "created_at"} <= set(reply) and "password" not in reply
            sent = {k: v for k, v in request["body"].items() if k != "password"}
            assert {k: reply.get(k) for k in sent} == sent
        elif method == "DELETE":
            assert reply is None
        else:
            continue
        seen.add((method, path.count("/")))
    assert seen == {("GET", 2), ("POST", 2), ("DELETE", 3)}
    for record in _exchanges(domain, 200):
        parts = record["request"]["path"].split("/")
        if len(parts) >= 4 and parts[2] in ("users", "orders"):
            assert uuid.match(parts[3]), parts  # userId and orderId: format uuid


_PATH_PARAMS = """\
openapi: 3.0.3
info: {title: Path parameters, version: "1"}
paths:
  /users/{userId}:
    parameters:
      - {name: userId, in: path, required: true, schema: {type: integer, minimum: 7, maximum: 70}}
    get:
      responses:
        "200":
          description: The user
          content:
            application/json:
              schema: {$ref: "#/components/schemas/User"}
  /codes/{code}/{kind}:
    get:
      parameters:
        - name: code
          in: path
          required: true
          schema: {type: string, pattern: "^[A-Z]{3}-[0-9]{2}$"}
        - {name: kind, in: path, required: true, schema: {type: string, enum: [a b, c/d]}}
      responses:
        "204": {description: Nothing}
components:
  schemas:
    User:
      type: object
      required: [userId, name]
      properties:
        userId: {type: integer, minimum: 7, maximum: 70}
        name: {type: string}
"""


def test_path_parameters_follow_their_declared_schema(tmp_path: Path) -> None:
    spec = tmp_path / "params.yaml"
    spec.write_text(_PATH_PARAMS, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    records = _exchanges(domain, 300)
    users = [r for r in records if r["request"]["path"].startswith("/users/")]
    codes = [r for r in records if r["request"]["path"].startswith("/codes/")]
    assert users and codes
    for record in users:
        user_id = record["request"]["path"].split("/")[2]
        assert user_id.isdigit() and 7 <= int(user_id) <= 70
        reply = record["response"]["body"]
        if record["response"]["status"] == 200:
            assert reply["userId"] == int(user_id)  # the user the path names
    for record in codes:
        _, _, code, kind = record["request"]["path"].split("/")
        assert re.fullmatch(r"[A-Z]{3}-[0-9]{2}", code)
        assert unquote(kind) in ("a b", "c/d") and "/" not in kind and " " not in kind
        if record["response"]["status"] == 204:
            assert record["response"]["body"] is None
    assert check_replies(spec, 300)[1] == {}


def test_a_resource_fetched_by_its_id_parameter_is_that_resource() -> None:
    """``GET /users/{userId}`` replies with the user whose ``id`` the path names, and
    ``PUT /users/{userId}`` sends and gets back that id: the last path parameter, named
    like an identifier, is the resource's own ``id`` (the example's User has no userId)."""
    domain = OpenApiImporter().load(EXAMPLE).domain
    fetched = 0
    for record in _exchanges(domain, 600):
        request, response = record["request"], record["response"]
        parts = request["path"].split("/")
        if parts[1:3] != ["v1", "users"] or len(parts) != 4 or response["status"] != 200:
            continue
        assert response["body"]["id"] == parts[3], record
        fetched += 1
    assert fetched > 20


def test_a_success_without_content_has_no_content_type() -> None:
    domain = OpenApiImporter().load(EXAMPLE).domain
    deleted = [
        r["response"]
        for r in _exchanges(domain, 400)
        if r["request"]["method"] == "DELETE" and r["response"]["status"] == 204
    ]
    assert deleted and all(
        r["body"] is None and "Content-Type" not in r["headers"] for r in deleted
    )


_QUERIES = """\
openapi: 3.0.3
info: {title: Queries, version: "1"}
paths:
  /items:
    get:
      parameters:
        - {name: q, in: query, required: true, schema: {type: string, minLength: 1}}
        - {name: sort, in: query, schema: {type: string, enum: [asc, desc]}}
      responses:
        "200":
          description: Items
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Item"}}
  /items/search:
    post:
      parameters:
        - {name: dry_run, in: query, required: true, schema: {type: boolean}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Item"}
      responses:
        "200": {description: Found}
components:
  schemas:
    Item:
      type: object
      required: [name]
      properties: {name: {type: string}}
"""


def test_queries_are_the_declared_parameters(tmp_path: Path) -> None:
    """An imported operation's query holds its declared parameters (required ones always,
    on any method), and no page or limit the spec does not declare."""
    spec = tmp_path / "queries.yaml"
    spec.write_text(_QUERIES, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    seen: dict[str, set[str]] = {"GET": set(), "POST": set()}
    for record in _exchanges(domain, 300):
        request = record["request"]
        query = request["query"]
        if request["method"] == "GET":
            assert "q" in query and set(query) <= {"q", "sort"}, request
        else:
            assert set(query) == {"dry_run"} and isinstance(query["dry_run"], bool), request
        seen[request["method"]].update(query)
    assert seen == {"GET": {"q", "sort"}, "POST": {"dry_run"}}


def test_a_body_declared_as_an_array_is_an_array_of_the_entity() -> None:
    """Petstore's ``POST /user/createWithList`` takes an array of User: the body is a list
    of Users, and a rule a behaviour breaks is labelled at its item (``[0].…``)."""
    spec = CORPUS / "swagger20-petstore.yaml"
    domain = OpenApiImporter().load(spec).domain
    ops = {op.path: op for op in domain.operations}
    assert ops["/v2/user/createWithList"].request_shape == "array"
    assert ops["/v2/user"].request_shape == "one"
    dataset = Dataset(
        [(CATALOG.get("edge_case_user"), 1.0)], "api", 600, 4, domain=domain, entity="User"
    )
    bodies = [
        r
        for block in dataset.blocks()
        for r in block
        if r["request"]["path"].endswith(("/createWithList", "/createWithArray"))
        and not any(v["path"] == "body" for v in r["violations"])  # (not a truncated text)
    ]
    assert bodies and all(isinstance(r["request"]["body"], list) for r in bodies)
    assert all(isinstance(item, dict) for r in bodies for item in r["request"]["body"])
    paths = [v["path"] for r in bodies for v in r["violations"]]
    assert paths and all(p.startswith("[0]") for p in paths)


_SUB_RESOURCE = """\
openapi: 3.0.3
info: {title: Sub-resources, version: "1"}
paths:
  /orders/{orderId}/payment:
    post:
      parameters:
        - {name: orderId, in: path, required: true, schema: {type: string, format: uuid}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Payment"}
      responses:
        "201":
          description: Paid
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Payment"}
components:
  schemas:
    Payment:
      type: object
      required: [id, amount]
      properties:
        id: {type: string, format: uuid}
        amount: {type: number, minimum: 1}
"""


def test_a_sub_resource_is_not_the_resource_its_path_names(tmp_path: Path) -> None:
    """``POST /orders/{orderId}/payment``: the payment's id is its own, not the order's
    (the path does not end in the parameter)."""
    spec = tmp_path / "sub.yaml"
    spec.write_text(_SUB_RESOURCE, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    replies = [
        (r["request"]["path"].split("/")[2], r["response"]["body"])
        for r in _exchanges(domain, 200)
        if r["response"]["status"] == 201
    ]
    assert replies and not any(body["id"] == order for order, body in replies)


_VISIBILITY = """\
openapi: 3.0.3
info: {title: Visibility, version: "1"}
paths:
  /accounts:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Account"}
      responses:
        "201":
          description: Made
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Account"}
  /accounts/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
      responses:
        "200":
          description: The account
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Account"}
components:
  schemas:
    Account:
      type: object
      required: [id, name, secret]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        name: {type: string}
        secret: {type: string, writeOnly: true}
"""


def test_read_only_fields_are_never_sent_and_write_only_fields_never_returned(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "visibility.yaml"
    spec.write_text(_VISIBILITY, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    records = _exchanges(domain, 300)
    bodies = [r["request"]["body"] for r in records if r["request"]["body"] is not None]
    replies = [r["response"]["body"] for r in records if r["response"]["status"] in (200, 201)]
    assert bodies and all("id" not in b and "secret" in b for b in bodies)
    assert replies and all("secret" not in b and "id" in b for b in replies)


_NO_SUCCESS = """\
openapi: 3.0.3
info: {title: No 2xx, version: "1"}
paths:
  /widgets:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Widget"}
      responses:
        "400": {$ref: "#/components/responses/Problem"}
        default: {$ref: "#/components/responses/Widget"}
  /widgets/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      responses:
        "404": {$ref: "#/components/responses/Problem"}
        default: {$ref: "#/components/responses/Unexpected"}
    put:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Widget"}
      responses:
        "409": {$ref: "#/components/responses/Problem"}
        "405": {description: Invalid input}
    patch:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Widget"}
      responses:
        "405": {description: Invalid input}
    delete:
      responses:
        default: {$ref: "#/components/responses/Error"}
components:
  responses:
    Widget:
      description: The widget
      content: {application/json: {schema: {$ref: "#/components/schemas/Widget"}}}
    Problem:
      description: Not there
      content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}
    Unexpected:
      description: Unexpected trouble
      content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}
    Error:
      description: Whatever
      content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}
  schemas:
    Widget:
      type: object
      required: [id, name]
      properties: {id: {type: integer}, name: {type: string}}
    Problem:
      type: object
      required: [code]
      properties: {code: {type: string, enum: [not_found]}, name: {type: string}}
    Error:
      type: object
      required: [message]
      properties: {message: {type: string}}
"""


def test_an_operation_without_a_2xx_answers_as_its_spec_allows(tmp_path: Path) -> None:
    """No 200 the spec does not allow: a ``default`` that reads as a success answers 200
    with its body; else the first declared response (an operation whose spec lists only
    errors never succeeds), its body the error's; an error ``default`` alone is a 500."""
    spec = tmp_path / "no-success.yaml"
    spec.write_text(_NO_SUCCESS, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    normal = {(op.method, op.path): op.success_status for op in domain.operations}
    assert normal == {
        ("POST", "/widgets"): 200,
        ("GET", "/widgets/{id}"): 404,
        ("PUT", "/widgets/{id}"): 409,
        ("PATCH", "/widgets/{id}"): 405,
        ("DELETE", "/widgets/{id}"): 500,
    }
    seen: dict[str, Any] = {}
    for record in _exchanges(domain, 600):
        request, response = record["request"], record["response"]
        key = f"{request['method']} {request['path'].count('/')}"
        if response["status"] == normal[(request["method"], _template(request["path"]))]:
            seen.setdefault(key, (response["status"], response["body"], response["headers"]))
            if key == "PUT 2":  # an error reply is not the widget sent: nothing echoed
                assert response["body"].get("name") != request["body"]["name"], record
        assert response["status"] != 200 or key == "POST 1", record
    assert set(seen) == {"POST 1", "GET 2", "PUT 2", "PATCH 2", "DELETE 2"}
    assert set(seen["POST 1"][1]) == {"id", "name"}  # a Widget
    assert seen["GET 2"][0] == 404 and seen["GET 2"][1]["code"] == "not_found"  # a Problem
    assert seen["PUT 2"][0] == 409 and seen["PUT 2"][1]["code"] == "not_found"
    assert seen["PATCH 2"][1] is None and "Content-Type" not in seen["PATCH 2"][2]
    assert seen["DELETE 2"][0] == 500 and set(seen["DELETE 2"][1]) == {"message"}
    assert check_replies(spec, 400)[1] == {}


def _template(path: str) -> str:
    return "/widgets" if path == "/widgets" else "/widgets/{id}"


_OWN_KEYS = """\
openapi: 3.0.3
info: {title: Own keys, version: "1"}
paths:
  /pets/{petId}:
    get:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer, minimum: 1}}
      responses:
        "200":
          description: The pet
          content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
  /repos/{owner}/{repo}/issues/{issue_number}:
    get:
      parameters:
        - {name: owner, in: path, required: true, schema: {type: string}}
        - {name: repo, in: path, required: true, schema: {type: string}}
        - {name: issue_number, in: path, required: true, schema: {type: integer, minimum: 1}}
      responses:
        "200":
          description: The issue
          content: {application/json: {schema: {$ref: "#/components/schemas/Issue"}}}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties: {id: {type: integer, minimum: 1}, name: {type: string}}
    Issue:
      type: object
      required: [id, number, title]
      properties: {id: {type: integer}, number: {type: integer}, title: {type: string}}
"""


def test_a_path_names_its_resource_by_its_own_key(tmp_path: Path) -> None:
    """``GET /repos/{owner}/{repo}/issues/{issue_number}`` replies with the issue whose
    ``number`` (not ``id``) is the path's, and ``GET /pets/{petId}`` with the pet of that
    ``id`` even where ``id`` is optional: the reply always says which resource it is."""
    spec = tmp_path / "keys.yaml"
    spec.write_text(_OWN_KEYS, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    seen = {"pets": 0, "repos": 0}
    for record in _exchanges(domain, 300):
        request, response = record["request"], record["response"]
        if response["status"] != 200:
            continue
        parts = request["path"].split("/")
        seen[parts[1]] += 1
        if parts[1] == "pets":
            assert response["body"]["id"] == int(parts[2]), record
        else:
            assert response["body"]["number"] == int(parts[5]), record
            assert response["body"]["id"] != int(parts[5]), record
    assert min(seen.values()) > 20
    assert check_replies(spec, 300)[1] == {}


def test_a_legacy_client_keeps_a_path_already_of_its_version() -> None:
    # The example's paths are /v1/...: a legacy client of api_version v1 sends them as they
    # are (it used to get /v1 put in front again: /v1/v1/users, a path of no operation).
    domain = OpenApiImporter().load(EXAMPLE).domain
    dataset = Dataset([(CATALOG.get("legacy_client"), 1.0)], "api", 200, 3, domain=domain)
    paths = [r["request"]["path"] for block in dataset.blocks() for r in block]
    assert all(p.startswith("/v1/") and not p.startswith("/v1/v1/") for p in paths), paths[:3]
    routes = _routes(domain, "/v1")
    assert all(any(m.match(p.split("?")[0]) for m, _, _ in routes) for p in paths)


def test_a_legacy_client_leaves_a_path_parameter_of_version_form_as_drawn(
    tmp_path: Path,
) -> None:
    # /catalog/{version}/skus/{sku} with version in [v2, v3]: a legacy client sent every
    # request to /catalog/v1/skus/..., a value the enum does not allow, labelled valid. Only
    # the template's own segments are versions to replace.
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/catalog/{version}/skus/{sku}": {
                "get": {
                    "parameters": [
                        {
                            "name": "version",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": ["v2", "v3"]},
                        },
                        {
                            "name": "sku",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"schemas": {"Sku": {"type": "object"}}},
    }
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    domain = OpenApiImporter().load(path).domain
    dataset = Dataset([(CATALOG.get("legacy_client"), 1.0)], "api", 200, 3, domain=domain)
    paths = [r["request"]["path"] for block in dataset.blocks() for r in block]
    versions = {p.split("/")[3] for p in paths if p.startswith("/v1/")}
    assert versions == {"v2", "v3"}, set(paths)


def test_declared_header_parameters_are_sent(tmp_path: Path) -> None:
    # `in: header` parameters used to be dropped: a required X-Tenant-ID was never sent.
    # Now a required one is on every request, an optional one on about half, each fitting
    # its schema; Accept, Content-Type and Authorization are the request's own (OpenAPI
    # ignores such parameters), and so is X-Request-ID.
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "X-Tenant-ID",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    },
                ],
                "get": {
                    "parameters": [
                        {
                            "name": "X-Page-Size",
                            "in": "header",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 50},
                        },
                        {
                            "name": "Accept",
                            "in": "header",
                            "schema": {"type": "string", "enum": ["text/csv"]},
                        },
                        {
                            "name": "X-Request-ID",
                            "in": "header",
                            "schema": {"type": "string", "enum": ["fixed"]},
                        },
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
            }
        },
        "components": {
            "schemas": {"Item": {"type": "object", "properties": {"id": {"type": "string"}}}}
        },
    }
    path = tmp_path / "h.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    domain = domain_from_dict(domain_to_dict(OpenApiImporter().load(path).domain))
    records = _exchanges(domain, 400)
    headers = [r["request"]["headers"] for r in records]
    assert all(uuid.UUID(h["X-Tenant-ID"]) for h in headers)
    sizes = [int(h["X-Page-Size"]) for h in headers if "X-Page-Size" in h]
    assert 100 < len(sizes) < 300 and all(1 <= s <= 50 for s in sizes)
    assert all(h["Accept"] == "application/json" for h in headers)
    assert all(h["X-Request-ID"] == r["request_id"] for h, r in zip(headers, records, strict=True))


_COOKIES = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/items": {
            "get": {
                "parameters": [
                    {
                        "name": "sid",
                        "in": "cookie",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[a-f0-9]{16}$"},
                    },
                    {
                        "name": "theme",
                        "in": "cookie",
                        "schema": {"type": "string", "enum": ["dark", "light mode"]},
                    },
                    {
                        "name": "ids",
                        "in": "cookie",
                        "schema": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 1, "maximum": 9},
                        },
                    },
                    {"name": "X-Tenant", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
    "components": {
        "schemas": {"Item": {"type": "object", "properties": {"id": {"type": "string"}}}}
    },
}


def _cookie_domain(tmp_path: Path) -> Domain:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_COOKIES, sort_keys=False), encoding="utf-8")
    return domain_from_dict(domain_to_dict(OpenApiImporter().load(path).domain))


def test_declared_cookie_parameters_are_sent_in_a_cookie_header(tmp_path: Path) -> None:
    # `in: cookie` parameters were dropped: a required session cookie was never sent. Now
    # they go in one Cookie header (name=value; ...), a required one on every request, an
    # optional one on about half; OpenAPI's form style joins an array's items by commas (an
    # empty array sends no pair), and what a cookie cannot hold as it is (a space) is
    # percent-encoded.
    domain = _cookie_domain(tmp_path)
    assert [name for name, _ in domain.operations[0].cookie_params] == ["sid", "theme", "ids"]
    cookies = [r["request"]["headers"]["Cookie"] for r in _exchanges(domain, 400)]
    pairs = [dict(part.split("=", 1) for part in c.split("; ")) for c in cookies]
    assert all(re.fullmatch("[a-f0-9]{16}", p["sid"]) for p in pairs)
    themes = [p["theme"] for p in pairs if "theme" in p]
    assert 100 < len(themes) < 300 and set(themes) == {"dark", "light%20mode"}
    assert {unquote(t) for t in themes} == {"dark", "light mode"}
    ids = [p["ids"] for p in pairs if "ids" in p]
    assert 50 < len(ids) < 300
    assert all(1 <= int(v) <= 9 for i in ids for v in i.split(","))
    assert any("," in i for i in ids)


def test_load_rows_carry_the_declared_headers_and_cookies(tmp_path: Path) -> None:
    # A load schedule of a spec whose operations declare header or cookie parameters has a
    # `headers` column (after `query`): what the api generator sends for them, so a replay
    # authenticates as the api's requests do. Without such parameters there is no column.
    domain = _cookie_domain(tmp_path)
    persona = CATALOG.get("normal_user")
    rows = [r for b in Dataset([(persona, 1.0)], "load", 400, 5, domain=domain).blocks() for r in b]
    assert list(rows[0])[list(rows[0]).index("query") + 1] == "headers"
    assert all(re.fullmatch("sid=[a-f0-9]{16}(; .*)?", r["headers"]["Cookie"]) for r in rows)
    tenants = [r["headers"]["X-Tenant"] for r in rows if "X-Tenant" in r["headers"]]
    assert 100 < len(tenants) < 300
    plain = next(iter(Dataset([(persona, 1.0)], "load", 5, 5).blocks()))
    assert "headers" not in plain[0]


def test_array_and_object_headers_are_sent_in_the_simple_style(tmp_path: Path) -> None:
    # A header parameter of an array was sent as JSON text (`["y", "x"]`); OpenAPI writes a
    # header in the `simple` style only: `y,x`, and an object as `fast,false`.
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "get": {
                    "parameters": [
                        {
                            "name": "X-Features",
                            "in": "header",
                            "required": True,
                            "schema": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"type": "string", "enum": ["x", "y"]},
                            },
                        },
                        {
                            "name": "X-Mode",
                            "in": "header",
                            "required": True,
                            "schema": {
                                "type": "object",
                                "required": ["fast"],
                                "properties": {"fast": {"type": "boolean"}},
                                "additionalProperties": False,
                            },
                        },
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"schemas": {"Item": {"type": "object"}}},
    }
    path = tmp_path / "h.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    domain = OpenApiImporter().load(path).domain
    headers = [r["request"]["headers"] for r in _exchanges(domain, 200)]
    assert all(re.fullmatch(r"[xy](,[xy])*", h["X-Features"]) for h in headers), headers[:3]
    assert {h["X-Mode"] for h in headers} == {"fast,true", "fast,false"}
