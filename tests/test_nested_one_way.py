"""readOnly / writeOnly fields below the top level of an api body: inside a nested object
(``shipping.tracking_code``), a referenced entity (``customer.id``), array items
(``lines[].id``). Generated requests leave the readOnly ones out at any depth (batch items
too), replies the writeOnly ones (``payment.card_number``); a success reply that echoes a
body holds the ids the server set; ``check`` passes such data and warns, by path, about a
request that sends one. The load generator sizes the bodies the api generator sends."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.model import Domain
from persona_gen.entities.one_way import leave_out, one_way_fields, put_back, sent_paths
from persona_gen.entities.serial import domain_from_dict
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from tests.helpers import run_cli

_REF = "#/components/schemas/"

ORDERS_30 = f"""
openapi: 3.0.3
info: {{title: Orders, version: "1.0.0"}}
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: '{_REF}Order'}}}}}}
      responses:
        '201':
          description: created
          content: {{application/json: {{schema: {{$ref: '{_REF}Order'}}}}}}
        '400': {{description: bad request}}
    get:
      operationId: listOrders
      responses:
        '200':
          description: orders
          content:
            application/json:
              schema: {{type: array, items: {{$ref: '{_REF}Order'}}}}
  /orders/{{orderId}}:
    parameters:
      - {{name: orderId, in: path, required: true, schema: {{type: string, format: uuid}}}}
    get:
      operationId: getOrder
      responses:
        '200':
          description: the order
          content: {{application/json: {{schema: {{$ref: '{_REF}Order'}}}}}}
        '404': {{description: not found}}
    put:
      operationId: replaceOrder
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: '{_REF}Order'}}}}}}
      responses:
        '200':
          description: replaced
          content: {{application/json: {{schema: {{$ref: '{_REF}Order'}}}}}}
        '400': {{description: bad request}}
    patch:
      operationId: updateOrder
      requestBody:
        required: true
        content: {{application/json: {{schema: {{$ref: '{_REF}Order'}}}}}}
      responses:
        '200':
          description: updated
          content: {{application/json: {{schema: {{$ref: '{_REF}Order'}}}}}}
        '400': {{description: bad request}}
components:
  schemas:
    Customer:
      type: object
      required: [id, name]
      properties:
        id: {{type: string, format: uuid, readOnly: true}}
        name: {{type: string, minLength: 1, maxLength: 60}}
    Line:
      type: object
      required: [id, sku, qty]
      properties:
        id: {{type: integer, minimum: 1, readOnly: true}}
        sku: {{type: string, pattern: '^[A-Z]{{3}}-[0-9]{{4}}$'}}
        qty: {{type: integer, minimum: 1, maximum: 20}}
    Order:
      type: object
      required: [id, customer, lines, payment]
      properties:
        id: {{type: string, format: uuid, readOnly: true}}
        customer: {{$ref: '{_REF}Customer'}}
        lines:
          type: array
          minItems: 1
          maxItems: 5
          items: {{$ref: '{_REF}Line'}}
        payment:
          type: object
          required: [method, card_number]
          properties:
            method: {{type: string, enum: [card, invoice]}}
            card_number: {{type: string, pattern: '^[0-9]{{16}}$', writeOnly: true}}
        shipping:
          type: object
          properties:
            street: {{type: string, maxLength: 80}}
            tracking_code: {{type: string, maxLength: 20, readOnly: true}}
        created_at: {{type: string, format: date-time, readOnly: true}}
"""

# OpenAPI 3.1's way: the customer's id flagged beside its $ref, a nullable type list.
ORDERS_31 = (
    ORDERS_30.replace("openapi: 3.0.3", "openapi: 3.1.0")
    .replace(
        "id: {type: string, format: uuid, readOnly: true}\n        name:",
        f"id: {{$ref: '{_REF}Uuid', readOnly: true}}\n        name:",
    )
    .replace("  schemas:\n", "  schemas:\n    Uuid: {type: string, format: uuid}\n")
    .replace("street: {type: string,", "street: {type: [string, 'null'],")
)

SPECS = {"3.0": ORDERS_30, "3.1": ORDERS_31}
CATALOG = PersonaCatalog([])


def _domain(tmp: Path, version: str, spec: str | None = None) -> Domain:
    path = tmp / f"orders-{version}.yaml"
    path.write_text(spec or SPECS[version])
    return OpenApiImporter().load(path).domain


def _records(domain: Domain, persona: str, kind: str = "api", n: int = 400) -> list[Any]:
    dataset = Dataset([(CATALOG.get(persona), 1.0)], kind, n, 5, domain=domain, entity="Order")
    return [r for block in dataset.blocks() for r in block]


def _sent(record: dict[str, Any]) -> list[Any]:
    """The orders a request body sends (a batch's items, an array body's)."""
    body = record["request"]["body"]
    if isinstance(body, dict) and set(body) == {"items"}:
        return list(body["items"])
    return body if isinstance(body, list) else [body] if isinstance(body, dict) else []


def _replied(record: dict[str, Any]) -> list[Any]:
    """The orders a success reply holds."""
    response = record["response"]
    body = response.get("body")
    if not response.get("status") or response["status"] >= 300:
        return []
    return body if isinstance(body, list) else [body] if isinstance(body, dict) else []


def _places(order: dict[str, Any]) -> set[str]:
    """Where an order holds one of the spec's one-way fields."""
    out = {name for name in ("id", "created_at") if name in order}
    if "id" in (order.get("customer") or {}):
        out.add("customer.id")
    if any("id" in line for line in order.get("lines") or []):
        out.add("lines[].id")
    if "tracking_code" in (order.get("shipping") or {}):
        out.add("shipping.tracking_code")
    if "card_number" in (order.get("payment") or {}):
        out.add("payment.card_number")
    return out


_READ_ONLY = {"id", "created_at", "customer.id", "lines[].id", "shipping.tracking_code"}


@pytest.mark.parametrize("version", ["3.0", "3.1"])
@pytest.mark.parametrize("persona", ["normal_user", "high_volume_system", "edge_case_user"])
def test_requests_send_no_read_only_field_and_replies_no_write_only_one_at_any_depth(
    tmp_path: Path, version: str, persona: str
) -> None:
    records = _records(_domain(tmp_path, version), persona)
    sent = [o for r in records for o in _sent(r)]
    replied = [o for r in records for o in _replied(r)]
    assert len(sent) > 50 and len(replied) > 50
    assert all(not (_places(o) & _READ_ONLY) for o in sent)
    assert all("payment.card_number" not in _places(o) for o in replied)
    # (what they leave out is there the other way)
    assert any("payment.card_number" in _places(o) for o in sent)
    assert all({"customer.id", "lines[].id"} <= _places(o) for o in replied)
    # (every line, also those a boundary value added, copies of the lines sent)
    assert all(all("id" in line for line in o["lines"]) for o in replied)


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_a_reply_echoes_the_order_sent_with_the_ids_the_server_set(
    tmp_path: Path, version: str
) -> None:
    records = _records(_domain(tmp_path, version), "high_volume_system")
    created = [
        r
        for r in records
        if r["request"]["method"] in ("POST", "PUT")
        and isinstance(r["request"]["body"], dict)
        and "customer" in r["request"]["body"]
        and r["response"]["status"] in (200, 201)
    ]
    assert created
    for r in created:
        body, reply = r["request"]["body"], r["response"]["body"]
        assert reply["customer"]["name"] == body["customer"]["name"]
        assert [line["sku"] for line in reply["lines"]] == [line["sku"] for line in body["lines"]]
        assert all("id" in line for line in reply["lines"]) and "id" in reply["customer"]
        assert reply["payment"] == {"method": body["payment"]["method"]}


def _unflagged(version: str) -> str:
    return SPECS[version].replace(", readOnly: true", "").replace(", writeOnly: true", "")


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_leaving_fields_out_changes_no_value_drawn_for_another(
    tmp_path: Path, version: str
) -> None:
    # (a persona without content effects: the same draws, only the flagged fields left out)
    flagged = _records(_domain(tmp_path, version), "high_volume_system")
    plain = _records(_domain(tmp_path, "plain", _unflagged(version)), "high_volume_system")
    assert len(flagged) == len(plain)
    for ours, theirs in zip(flagged, plain, strict=True):
        if ours["request"]["method"] == "PATCH":
            continue  # (it sends a third of the fields it has: fewer without the id)
        assert _sent(ours) == [_without(o, _READ_ONLY) for o in _sent(theirs)]
        # (a reply's own top-level id is the server's: one the body did not send)
        top = {"id", "created_at"}
        assert [_without(o, top) for o in _replied(ours)] == [
            _without(o, {"payment.card_number", *top}) for o in _replied(theirs)
        ]


def _without(order: Any, places: set[str]) -> Any:
    order = copy.deepcopy(order)
    for place in places:
        head, _, name = place.rpartition(".")
        if not head:
            order.pop(name, None)
        elif head == "lines[]":
            for line in order.get("lines") or []:
                line.pop(name, None)
        elif isinstance(order.get(head), dict):
            order[head].pop(name, None)
    return order


def _generated(tmp: Path, version: str) -> tuple[Path, Path]:
    spec, profile = tmp / f"orders-{version}.yaml", tmp / "p.yaml"
    spec.write_text(SPECS[version])
    args = ["import-schema", str(spec), "-t", "api", "-c", "300", "-e", "Order", "-o", str(profile)]
    assert run_cli(args).code == 0
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "3"])
    assert result.code == 0, result.stderr
    return profile, out / "Order_api.json"


def _check(profile: Path, data: Path) -> CheckReport:
    return check_dataset(data, load_profile(profile))


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_check_passes_the_generated_data_without_a_read_only_warning(
    tmp_path: Path, version: str
) -> None:
    report = _check(*_generated(tmp_path, version))
    assert report.exit_code == 0, report.to_json()
    assert report.checked > 0 and report.replies_checked > 0
    assert report.read_only_bodies == 0 and report.read_only_warning() is None


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_check_warns_about_nested_read_only_fields_a_request_sends(
    tmp_path: Path, version: str
) -> None:
    profile, data = _generated(tmp_path, version)
    records = json.loads(data.read_text())
    edited = [
        i
        for i, r in enumerate(records)
        if r["expected_valid"] and isinstance(r["request"]["body"], dict)
        if {"customer", "lines"} <= set(r["request"]["body"])
    ][:2]
    for i in edited:
        records[i]["request"]["body"]["customer"]["id"] = "0b8f0a1e-1c4e-4a43-9a34-7c1f3f4c1d2e"
    records[edited[1]]["request"]["body"]["lines"][0]["id"] = 7
    data.write_text(json.dumps(records))
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()  # (a warning, not a problem)
    assert report.read_only_records == edited
    assert dict(report.read_only_sent) == {"customer.id": 2, "lines[].id": 1}
    warning = report.read_only_warning()
    assert warning is not None and "customer.id in 2, lines[].id in 1" in warning


def test_load_sizes_the_bodies_the_api_generator_sends(tmp_path: Path) -> None:
    def sizes(spec: str) -> list[int]:
        domain = _domain(tmp_path, "load", spec)
        records = _records(domain, "normal_user", "load", 200)
        return [r["payload_bytes"] for r in records if r["method"] in ("POST", "PUT")]

    flagged, plain = sizes(ORDERS_30), sizes(_unflagged("3.0"))
    assert flagged and len(flagged) == len(plain)
    assert sum(flagged) < 0.8 * sum(plain)


# -- the one_way module on its own: a recursive entity, shared values -------------------------

_TREE = {
    "primary": "Node",
    "entities": {
        "Node": {
            "schema": {
                "type": "object",
                "fields": {
                    "id": {"type": "integer", "read_only": True},
                    "label": {"type": "string"},
                    "children": {
                        "type": "array",
                        "required": False,
                        "items": {"type": "ref", "ref": "Node"},
                    },
                    "tags": {
                        "type": "map",
                        "required": False,
                        "values": {"type": "ref", "ref": "Tag"},
                    },
                },
            }
        },
        "Tag": {
            "schema": {
                "type": "object",
                "fields": {"id": {"type": "integer", "read_only": True}, "v": {"type": "string"}},
            }
        },
        "Plain": {"schema": {"type": "object", "fields": {"label": {"type": "string"}}}},
    },
}


def test_leave_out_reaches_every_depth_of_a_recursive_entity_and_copies_what_it_changes() -> None:
    domain = domain_from_dict(_TREE)
    where = one_way_fields(domain, domain.entities["Node"].schema, "read_only")
    assert one_way_fields(domain, domain.entities["Plain"].schema, "read_only") is None
    leaf = {"id": 3, "label": "c"}
    tree = {
        "id": 1,
        "label": "a",
        "children": [{"id": 2, "label": "b", "children": [leaf]}],
        "tags": {"x": {"id": 9, "v": "t"}},
    }
    assert sent_paths(tree, where) == [
        "id",
        "children[].id",
        "children[].children[].id",
        "tags.*.id",
    ]
    sent = copy.deepcopy(tree)
    sent["children"][0]["children"][0] = leaf  # (a value shared with another record)
    (taken,) = leave_out([sent], where)
    assert sent == {
        "label": "a",
        "children": [{"label": "b", "children": [{"label": "c"}]}],
        "tags": {"x": {"v": "t"}},
    }
    assert leaf == {"id": 3, "label": "c"} and sent_paths(sent, where) == []
    reply = dict(sent)
    put_back(reply, taken, ["children", "tags"], True)
    assert reply == {k: v for k, v in tree.items() if k != "id"}
    assert sent_paths(sent, where) == []  # (the request keeps what it sent)


# -- flags in oneOf / anyOf options ---------------------------------------------------------

PETS = f"""
openapi: {{version}}
info: {{{{title: Pets, version: "1"}}}}
paths:
  /things:
    post:
      requestBody:
        content: {{{{application/json: {{{{schema: {{{{$ref: '{_REF}Thing'}}}}}}}}}}}}
      responses:
        '201':
          description: made
          content: {{{{application/json: {{{{schema: {{{{$ref: '{_REF}Thing'}}}}}}}}}}}}
        '400': {{{{description: bad request}}}}
components:
  schemas:
    Cat:
      type: object
      required: [kind, id, name]
      properties:
        kind: {{{{type: string, enum: [cat]}}}}
        id: {{{{type: string, format: uuid, readOnly: true}}}}
        name: {{{{type: string, maxLength: 20}}}}
    Dog:
      type: object
      required: [kind, id, bark]
      properties:
        kind: {{{{type: string, enum: [dog]}}}}
        id: {{{{type: string, format: uuid, readOnly: true}}}}
        bark: {{{{type: boolean}}}}
        token: {{{{type: string, maxLength: 20, writeOnly: true}}}}
    Thing:
      type: object
      required: [owner_id, mixed, pet]
      properties:
        owner_id:
          anyOf:
            - {{{{type: string, format: uuid, readOnly: true}}}}
            - {{{{type: integer, minimum: 1, readOnly: true}}}}
        mixed:
          oneOf:
            - {{{{type: string, maxLength: 8, readOnly: true}}}}
            - {{{{type: integer, minimum: 1}}}}
        pet:
          oneOf:
            - $ref: '{_REF}Cat'
            - $ref: '{_REF}Dog'
{{extra}}"""

# OpenAPI 3.1: a nullable property whose one non-null option is readOnly.
_NULLABLE_31 = """        ref:
          oneOf:
            - {type: string, format: uuid, readOnly: true}
            - {type: 'null'}
"""


def _pets(tmp: Path, version: str) -> Path:
    spec = tmp / f"pets-{version}.yaml"
    extra = _NULLABLE_31 if version.startswith("3.1") else ""
    spec.write_text(PETS.format(version=version, extra=extra))
    return spec


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_property_is_one_way_where_every_option_of_its_union_says_so(
    tmp_path: Path, version: str
) -> None:
    spec = _pets(tmp_path, version)
    thing = OpenApiImporter().load(spec).domain.entities["Thing"].schema
    flags = {f.name: (f.read_only, f.write_only) for f in thing.fields}
    assert flags["owner_id"] == (True, False)  # (both options)
    assert flags["mixed"] == (False, False)  # (one option only: an integer is sent)
    assert flags["pet"] == (False, False)  # (its id is flagged inside each option)
    if version.startswith("3.1"):
        assert flags["ref"] == (True, False)  # (the null option aside)
    validators = OpenApiImporter().validators(spec, direction="request")
    sent = {"mixed": 3, "pet": {"kind": "cat", "name": "Tom"}}
    assert validators["Thing"](sent) == []  # (owner_id and the cat's id excused)
    assert validators["Thing"]({"pet": sent["pet"]}) == ["$: 'mixed' is a required property"]


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_union_options_one_way_fields_are_left_out_and_check_agrees(
    tmp_path: Path, version: str
) -> None:
    spec, profile = _pets(tmp_path, version), tmp_path / "p.yaml"
    args = ["import-schema", str(spec), "-t", "api", "-c", "300", "-e", "Thing", "-o", str(profile)]
    assert run_cli(args).code == 0
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-o", str(out), "-s", "3"]).code == 0
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    records = json.loads(data.read_text())
    sent = [r["request"]["body"] for r in records if isinstance(r["request"]["body"], dict)]
    replied = [o for r in records for o in _replied(r)]
    assert sent and replied
    assert not any({"owner_id", "ref"} & set(b) or "id" in b.get("pet", {}) for b in sent)
    assert any("token" in b.get("pet", {}) for b in sent)
    assert all("token" not in b["pet"] and "id" in b["pet"] for b in replied)
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.read_only_bodies == 0


# A union entity whose options flag its id, which the object around them requires.
PET_UNION = f"""
openapi: {{version}}
info: {{{{title: Pets, version: "1"}}}}
paths:
  /pets:
    post:
      requestBody:
        content: {{{{application/json: {{{{schema: {{{{$ref: '{_REF}Pet'}}}}}}}}}}}}
      responses:
        '201':
          description: made
          content: {{{{application/json: {{{{schema: {{{{$ref: '{_REF}Pet'}}}}}}}}}}}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        name: {{{{type: string, maxLength: 10}}}}
      oneOf:
        - type: object
          required: [kind]
          properties:
            kind: {{{{type: string, enum: [cat]}}}}
            id: {{{{type: string, format: uuid, readOnly: true}}}}
        - type: object
          required: [kind]
          properties:
            kind: {{{{type: string, enum: [dog]}}}}
            id: {{{{type: integer, minimum: 1, readOnly: true}}}}
"""


def _pet_union(tmp: Path, version: str) -> tuple[Path, Path]:
    spec, profile = tmp / "pet.yaml", tmp / "p.yaml"
    spec.write_text(PET_UNION.format(version=version))
    args = ["import-schema", str(spec), "-t", "api", "-c", "200", "-e", "Pet", "-o", str(profile)]
    assert run_cli(args).code == 0
    out = tmp / "out"
    assert run_cli(["generate", str(profile), "-o", str(out), "-s", "1"]).code == 0
    return profile, out / "Pet_api.json"


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_reply_to_a_union_value_keeps_the_id_of_the_option_sent(
    tmp_path: Path, version: str
) -> None:
    # (a reply drawn apart may be of the other option: a dog's integer id is no cat's)
    profile, data = _pet_union(tmp_path, version)
    records = json.loads(data.read_text())
    posts = [r for r in records if r["request"]["method"] == "POST" and r["expected_valid"]]
    assert posts and not any("id" in r["request"]["body"] for r in posts)
    replies = [r["response"]["body"] for r in posts if r["response"]["status"] == 201]
    assert {b["kind"] for b in replies} == {"cat", "dog"}
    assert all(isinstance(b["id"], str) == (b["kind"] == "cat") for b in replies)
    report = _check(profile, data)
    assert report.replies_checked > 0 and report.replies_failed == 0, report.to_json()


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_check_excuses_a_required_id_that_every_option_flags(tmp_path: Path, version: str) -> None:
    # (the object requires id, each option says it is readOnly: requests leave it out)
    report = _check(*_pet_union(tmp_path, version))
    assert report.exit_code == 0, report.to_json()
    assert report.checked > 0 and report.read_only_bodies == 0
