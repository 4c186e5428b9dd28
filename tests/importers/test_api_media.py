"""Bodies an OpenAPI spec declares only as other media than JSON are sent as that media:
text as text, bytes as Base64 with ``"body_encoding": "base64"``, XML as the spec's ``xml``
objects describe it; replies likewise; and ``persona-gen check`` reads them back (or says
why it does not validate them), never calling them invalid JSON.

``specs/documents.yaml`` is a document store: XML documents, PDF content, PNG thumbnails,
plain-text notes, a CSV export."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest
import yaml

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.keys import EntityFormatError
from persona_gen.entities.media import concrete, media_kind
from persona_gen.entities.model import Schema, XmlName
from persona_gen.entities.serial import domain_from_dict, domain_to_dict
from persona_gen.generators.bodies import from_xml, to_xml
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset
from persona_gen.values.synth import Synthesizer
from tests.helpers import run_cli

SPEC = Path(__file__).parent / "specs" / "documents.yaml"
NS = "{https://docs.example.com/schema/v2}"


def _generate(tmp: Path, persona: str, count: int = 1500) -> tuple[Path, list[dict[str, Any]]]:
    """Import Document from the spec (copied beside the profile) and generate its api
    records; (profile, records)."""
    shutil.copy(SPEC, tmp / SPEC.name)
    profile = tmp / "documents-profile.yaml"
    args = ["import-schema", str(tmp / SPEC.name), "-e", "Document", "-o", str(profile)]
    assert run_cli([*args, "-c", str(count), "--force"]).code == 0
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "5"])
    assert result.code == 0, result.stderr
    return profile, json.loads((out / "Document_api.json").read_text(encoding="utf-8"))


def _by_operation(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Records whose request went through untouched (no violation) and was answered with a
    success, by ``"METHOD /path/{id}/…"``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        status = r["response"]["status"]
        if r["violations"] or status is None or status >= 400:
            continue
        path = re.sub(r"/documents/\d+", "/documents/{id}", r["request"]["path"])
        out.setdefault(f"{r['request']['method']} {path.removeprefix('/api/v2')}", []).append(r)
    return out


def test_the_importer_records_each_body_s_media_type() -> None:
    ops = {op.operation_id: op for op in OpenApiImporter().load(SPEC).domain.operations}
    assert ops["createDocument"].request_media == "application/xml"
    assert ops["createDocument"].response_media == "application/xml"
    assert (ops["createDocument"].error_entity, ops["createDocument"].error_media) == (
        "XmlError",
        "application/xml",
    )
    assert ops["getDocument"].response_media is None  # (JSON is preferred where declared)
    assert ops["uploadContent"].request_media == "application/pdf"
    assert ops["putThumbnail"].request_media == "image/png"
    assert ops["getThumbnail"].response_media == "image/png"  # (image/* made concrete)
    assert ops["addNote"].request_media == "text/plain"
    assert ops["exportDocuments"].response_media == "text/csv"
    assert ops["addNote"].error_media == "application/problem+json"


def test_non_json_bodies_are_sent_as_their_media(tmp_path: Path) -> None:
    _, records = _generate(tmp_path, "normal_user")
    found = _by_operation(records)
    for r in found["POST /documents"]:
        request, response = r["request"], r["response"]
        assert request["headers"]["Content-Type"] == "application/xml"
        assert request["headers"]["Accept"] == "application/xml"
        root = ElementTree.fromstring(request["body"])
        assert root.tag == f"{NS}document"
        assert int(root.attrib["id"]) >= 1  # (xml.attribute)
        assert root.find(f"{NS}id") is None
        title = root.find(f"{NS}title")
        assert title is not None and 1 <= len(title.text or "") <= 120
        tags = root.find(f"{NS}tags")  # (wrapped, its items named tag)
        assert tags is not None and all(t.tag == f"{NS}tag" for t in tags)
        assert all(a.tag == f"{NS}author" for a in root if "author" in a.tag)
        assert response["headers"]["Content-Type"] == "application/xml"
        reply = ElementTree.fromstring(response["body"])
        assert reply.attrib["id"] == root.attrib["id"]  # (the reply is what was sent)
    for r in found["PUT /documents/{id}/content"]:
        assert r["request"]["headers"]["Content-Type"] == "application/pdf"
        assert r["request"]["body_encoding"] == "base64"
        pdf = base64.b64decode(r["request"]["body"], validate=True)
        assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    for r in found["PUT /documents/{id}/thumbnail"]:
        data = base64.b64decode(r["request"]["body"], validate=True)
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    for r in found["GET /documents/{id}/thumbnail"]:
        response = r["response"]
        assert response["headers"]["Content-Type"] == "image/png"
        assert r["request"]["headers"]["Accept"] == "image/png"
        assert list(response) == ["status", "headers", "body", "body_encoding", "latency_ms"]
        assert base64.b64decode(response["body"]).startswith(b"\x89PNG")
    for r in found["GET /documents/{id}/content"]:
        assert r["response"]["headers"]["Content-Type"] == "application/pdf"
        assert r["response"]["body_encoding"] == "base64"
    for r in found["POST /documents/{id}/notes"]:
        assert r["request"]["headers"]["Content-Type"] == "text/plain"
        assert isinstance(r["request"]["body"], str) and 1 <= len(r["request"]["body"]) <= 280
        assert r["response"]["headers"]["Content-Type"] == "text/plain"
        assert isinstance(r["response"]["body"], str)
    for r in found["GET /documents/export"]:
        assert r["response"]["headers"]["Content-Type"] == "text/csv"
        assert isinstance(r["response"]["body"], str)
    for r in found["GET /documents/{id}"]:  # (JSON where the spec offers it)
        assert r["response"]["headers"]["Content-Type"] == "application/json"
        assert isinstance(r["response"]["body"], dict)
    assert "body_encoding" not in json.dumps([r["request"] for r in found["GET /documents/{id}"]])


def test_a_bad_xml_request_is_answered_with_the_declared_xml_error(tmp_path: Path) -> None:
    _, records = _generate(tmp_path, "edge_case_user")
    errors = [
        r
        for r in records
        if r["violations"]
        and r["request"]["headers"].get("Content-Type") == "application/xml"
        and r["response"]["status"] == 400
        and r["response"]["headers"]["Content-Type"] == "application/xml"
    ]
    assert errors
    for r in errors:
        root = ElementTree.fromstring(r["response"]["body"])
        assert root.tag == "error"
        code = root.find("code")
        assert code is not None and code.text == "400"


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user", "legacy_client"])
def test_check_reads_the_bodies_back(tmp_path: Path, persona: str) -> None:
    """XML and text bodies are read back and validated; labelled breaks are found or are
    breaks such text cannot show; binary bodies are not validated, and the report says why."""
    profile, records = _generate(tmp_path, persona)
    report = check_dataset(tmp_path / "out" / "Document_api.json", load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert not report.problems
    sent = [r["request"].get("headers", {}).get("Content-Type") for r in records]
    assert report.checked >= sum(1 for s in sent if s in ("application/xml", "text/plain")) // 2
    assert report.not_validated  # (the PDFs and PNGs)
    assert any("binary body (application/pdf)" in w for w in report.warnings)
    if persona == "normal_user":
        assert report.failed == 0


def test_check_finds_a_broken_xml_body(tmp_path: Path) -> None:
    """A labelled-valid XML body that breaks the schema, or is no XML, is a problem."""
    profile, records = _generate(tmp_path, "normal_user", 400)
    xml = [r for r in records if r["request"]["headers"].get("Content-Type") == "application/xml"]
    xml = [r for r in xml if not r["violations"]]
    assert len(xml) >= 2
    first, second = xml[0]["request"], xml[1]["request"]
    first["body"] = re.sub(r"<pages>\d+</pages>", "<pages>9999</pages>", first["body"])
    second["body"] = second["body"][:-9]  # (cut: no longer well-formed)
    data = tmp_path / "out" / "Document_api.json"
    data.write_text(json.dumps(records), encoding="utf-8")
    report = check_dataset(data, load_profile(profile))
    reasons = " ".join(p.reason for p in report.problems)
    assert report.exit_code == 1 and len(report.problems) == 2, report.to_json()
    assert "9999 is greater than the maximum of 2000" in reasons
    assert "not well-formed XML" in reasons


def test_xml_reads_back_what_it_writes() -> None:
    """Every value of the document's entities comes back from its XML as it was (an empty
    array that is not required aside: XML writes it as nothing)."""
    domain = OpenApiImporter().load(SPEC).domain
    synth = Synthesizer(domain, 1_700_000_000_000)
    for name in ("Document", "Author", "XmlError"):
        schema = domain.entities[name].schema
        for value in synth.records(name, 200, np.random.default_rng(3)):
            back = from_xml(to_xml(value, schema, domain, name), schema, domain)
            assert back == {k: v for k, v in value.items() if v != [] or k in back}
    odd = Schema(
        "object",
        fields=(),
        xml=XmlName(name="x", namespace="urn:a", prefix="a"),
    )
    text = to_xml({"k y": "<&>\x00\r", "n": None}, odd, domain, "ignored")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><a:x xmlns:a="urn:a">')
    assert from_xml(text, Schema("any"), domain) == {"k y": "<&>\ufffd\r", "n": None}


def test_media_kinds() -> None:
    cases = {
        None: "json",
        "application/json; charset=utf-8": "json",
        "application/vnd.api+json": "json",
        "*/*": "json",
        "application/x-www-form-urlencoded": "form",
        "application/xml": "xml",
        "text/xml": "xml",
        "application/atom+xml": "xml",
        "text/plain; charset=utf-8": "text",
        "text/csv": "text",
        "application/yaml": "text",
        "image/png": "binary",
        "image/*": "binary",
        "application/octet-stream": "binary",
        "application/pdf": "binary",
        "application/vnd.ms-excel": "binary",
    }
    assert {m: media_kind(m) for m in cases} == cases
    assert concrete("image/png, image/jpeg") == "image/png"
    assert concrete("TEXT/Plain; charset=utf-8") == "text/plain; charset=utf-8"


def test_a_key_that_is_no_media_type_is_warned_about_and_sent_as_json(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "post": {
                    "requestBody": {"content": {"pdf": {"schema": {"type": "string"}}}},
                    "responses": {"200": {"content": {"plain": {"schema": {"type": "string"}}}}},
                }
            }
        },
    }
    path = tmp_path / "odd.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = OpenApiImporter().load(path)
    (op,) = result.domain.operations
    assert (op.request_media, op.response_media) == (None, None)
    assert any(
        "'pdf' is not a media type (type/subtype); sent as JSON" in w for w in result.warnings
    )
    assert any("'plain' is not a media type" in w for w in result.warnings)


def test_a_text_body_of_an_object_is_its_json_text(tmp_path: Path) -> None:
    """``text/plain`` of an object schema: the JSON text of the value, with a warning."""
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/items": {
                "post": {
                    "requestBody": {
                        "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/I"}}}
                    },
                    "responses": {"204": {"description": "ok"}},
                }
            }
        },
        "components": {
            "schemas": {
                "I": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}
            }
        },
    }
    path = tmp_path / "text.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = OpenApiImporter().load(path)
    assert any("sent as its JSON text" in w for w in result.warnings)
    persona = PersonaCatalog([]).get("normal_user")
    dataset = Dataset([(persona, 1.0)], "api", 50, 1, domain=result.domain, entity="I")
    bodies = [r["request"]["body"] for b in dataset.blocks() for r in b if r["request"]["body"]]
    assert bodies and all(isinstance(json.loads(b)["n"], int) for b in bodies)


def test_swagger_consumes_and_produces(tmp_path: Path) -> None:
    spec = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "produces": ["application/json"],
        "paths": {
            "/files": {
                "post": {
                    "consumes": ["application/octet-stream"],
                    "parameters": [
                        {
                            "name": "f",
                            "in": "body",
                            "schema": {"type": "string", "format": "binary"},
                        }
                    ],
                    "responses": {"200": {"description": "ok", "schema": {"type": "string"}}},
                },
                "get": {
                    "produces": ["text/csv"],
                    "responses": {"200": {"description": "ok", "schema": {"type": "string"}}},
                },
            }
        },
    }
    path = tmp_path / "swagger.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    ops = {op.method: op for op in OpenApiImporter().load(path).domain.operations}
    assert (ops["POST"].request_media, ops["POST"].response_media) == (
        "application/octet-stream",
        None,
    )
    assert ops["GET"].response_media == "text/csv"


def test_a_profile_s_media_types_round_trip_and_are_checked() -> None:
    domain = OpenApiImporter().load(SPEC).domain
    data = domain_to_dict(domain)
    assert domain_from_dict(data) == domain
    document = data["entities"]["Document"]["schema"]
    assert document["xml"] == {
        "name": "document",
        "namespace": "https://docs.example.com/schema/v2",
    }
    assert document["fields"]["id"]["xml"] == {"attribute": True}
    op = {"method": "POST", "path": "/x", "entity": "Document", "request_body": True}
    base = {"entities": data["entities"]}
    bad = [
        ({**op, "request_media": "pdf"}, "request_media: expected a media type"),
        ({**op, "response": {"shape": "one", "media": 3}}, "response.media: expected a media type"),
    ]
    for raw, message in bad:
        with pytest.raises(EntityFormatError, match=re.escape(message)):
            domain_from_dict({**base, "operations": [raw]})
    broken = json.loads(json.dumps(data["entities"]))
    broken["Document"]["schema"]["xml"] = {"name": "d", "wrap": True}
    with pytest.raises(EntityFormatError, match=r"Document\.schema\.xml\.wrap: unknown xml key"):
        domain_from_dict({"entities": broken})
