"""Request bodies an OpenAPI spec declares only as forms are sent as forms: the declared
Content-Type, the body encoded as that type, and ``persona-gen check`` reads them back."""

from __future__ import annotations

import base64
import json
import re
import shutil
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus
from xml.etree import ElementTree

import pytest
import yaml

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.keys import EntityFormatError
from persona_gen.entities.model import Domain, Entity, Field, PartEncoding, Schema
from persona_gen.entities.serial import domain_from_dict, domain_to_dict
from persona_gen.generators.forms import decode as decode_form
from persona_gen.generators.forms import encode as encode_form
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset
from tests.helpers import run_cli

SPEC = """\
openapi: 3.0.3
info: {title: Forms, version: "1"}
paths:
  /login:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: "#/components/schemas/Login"}
      responses:
        "200": {description: Logged in}
  /uploads:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {$ref: "#/components/schemas/Upload"}
      responses:
        "201": {description: Stored}
components:
  schemas:
    Login:
      type: object
      required: [username, remember, tags]
      properties:
        username: {type: string, minLength: 3, maxLength: 20}
        remember: {type: boolean}
        attempts: {type: integer, minimum: 0, maximum: 5}
        tags: {type: array, items: {type: string}}
    Upload:
      type: object
      required: [title, file]
      properties:
        title: {type: string, maxLength: 40}
        count: {type: integer, minimum: 1, maximum: 9, nullable: true}
        meta: {type: object, properties: {lang: {type: string, enum: [en, fr]}}}
        file: {type: string, format: binary}
"""


def _generate(tmp: Path, entity: str, persona: str) -> tuple[Path, list[dict[str, Any]]]:
    """Import ``entity`` of the spec and generate 300 api records; (profile, records)."""
    spec = tmp / "forms.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    profile = tmp / f"{entity}.yaml"
    args = ["import-schema", str(spec), "-e", entity, "-o", str(profile), "-c", "300"]
    assert run_cli([*args, "--force"]).code == 0
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "2"])
    assert result.code == 0, result.stderr
    data = out / f"{entity}_api.json"
    return profile, json.loads(data.read_text(encoding="utf-8"))


def _sent(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests with a whole body (not one a behaviour cut short)."""
    whole = [not any(v["path"] == "body" for v in r["violations"]) for r in records]
    return [r["request"] for r, w in zip(records, whole, strict=True) if r["request"]["body"] and w]


def _message(request: dict[str, Any]) -> EmailMessage:
    """A multipart request's body, parsed: bytes where it has ``body_encoding: base64`` (a
    form with file parts), else its text."""
    body = request["body"]
    data = base64.b64decode(body) if request.get("body_encoding") == "base64" else body.encode()
    raw = f"Content-Type: {request['headers']['Content-Type']}\r\n\r\n".encode() + data
    message = BytesParser(policy=HTTP).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def test_a_urlencoded_body_is_sent_as_a_form(tmp_path: Path) -> None:
    _, records = _generate(tmp_path, "Login", "normal_user")
    requests = _sent(records)
    assert requests
    for request in requests:
        assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        fields = parse_qs(request["body"], keep_blank_values=True)
        assert {"username", "remember"} <= set(fields), request["body"]
        assert fields["remember"] in (["true"], ["false"])  # (a form's text, not JSON's)
        assert 3 <= len(fields["username"][0]) <= 20


def test_a_multipart_body_is_sent_as_its_parts(tmp_path: Path) -> None:
    _, records = _generate(tmp_path, "Upload", "normal_user")
    requests = _sent(records)
    assert requests
    for request in requests:
        content_type = request["headers"]["Content-Type"]
        assert content_type.startswith("multipart/form-data; boundary=")
        assert request["body_encoding"] == "base64"  # (a form with a file part: bytes)
        message = _message(request)
        assert message.is_multipart() and not message.defects
        parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
        assert {"title", "file"} <= set(parts)
        assert parts["file"].get_content_type() == "application/octet-stream"
        assert parts["file"].get_filename() == "file"
        if "meta" in parts:
            assert parts["meta"].get_content_type() == "application/json"


@pytest.mark.parametrize(
    ("entity", "persona"),
    [("Login", "normal_user"), ("Login", "edge_case_user"), ("Upload", "edge_case_user")],
)
def test_check_reads_form_bodies(tmp_path: Path, entity: str, persona: str) -> None:
    """A form body is read back into the values it sends and validated; a labelled break
    a form cannot show (a number sent as a numeric string) is not a problem."""
    profile, _ = _generate(tmp_path, entity, persona)
    report = check_dataset(tmp_path / "out" / f"{entity}_api.json", load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert report.checked > 100 and not report.problems
    if persona == "normal_user":
        assert report.failed == 0


@pytest.mark.parametrize("generator", ["api", "load"])
def test_a_form_is_never_a_batch(tmp_path: Path, generator: str) -> None:
    """``high_volume_system`` batches POSTs (``/batch``, ``{"items": [...]}``); a form
    sends one resource, so its requests keep their path and their form body."""
    spec = tmp_path / "forms.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    persona = PersonaCatalog([]).get("high_volume_system")
    dataset = Dataset([(persona, 1.0)], generator, 600, 4, domain=domain, entity="Login")
    records = [r for block in dataset.blocks() for r in block]
    paths = [r["request"]["path"] if generator == "api" else r["path"] for r in records]
    assert paths and not any(p.endswith("/batch") for p in paths)
    if generator == "api":
        bodies = [r["request"]["body"] for r in records if r["request"]["body"] is not None]
        assert bodies and all(isinstance(b, str) and "items" not in b for b in bodies)


SWAGGER = """\
swagger: "2.0"
info: {title: Forms, version: "1"}
basePath: /v1
paths:
  /login:
    post:
      operationId: login
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: username, in: formData, required: true, type: string, minLength: 3}
        - {name: remember, in: formData, type: boolean}
      responses:
        "200": {description: Logged in}
  /uploads:
    post:
      operationId: upload
      consumes: [multipart/form-data]
      parameters:
        - {name: title, in: formData, required: true, type: string, maxLength: 40}
        - {name: file, in: formData, required: true, type: file}
      responses:
        "201": {description: Stored}
"""


@pytest.mark.parametrize(
    ("operation", "media", "fields"),
    [
        ("login", "application/x-www-form-urlencoded", {"username", "remember"}),
        ("upload", "multipart/form-data", {"title", "file"}),
    ],
)
def test_swagger_form_data_parameters_are_a_form_body(
    tmp_path: Path, operation: str, media: str, fields: set[str]
) -> None:
    """Swagger 2.0 declares a form as ``in: formData`` parameters: they are the body's
    fields (a ``type: file`` one a binary part), sent with the form's media type."""
    spec = tmp_path / "forms.yaml"
    spec.write_text(SWAGGER, encoding="utf-8")
    domain = OpenApiImporter().load(spec).domain
    op = next(o for o in domain.operations if o.operation_id == operation)
    assert (op.request_body, op.request_media) == (True, media)
    assert op.entity is not None
    body = domain.entities[op.entity].schema
    assert {f.name for f in body.fields} == fields
    assert all(f.required for f in body.fields if f.name in ("username", "title", "file"))
    if operation == "upload":
        file = body.field("file")
        assert file is not None and file.schema.format == "binary"


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_check_reads_swagger_form_data_bodies(tmp_path: Path, persona: str) -> None:
    # `check` of any Swagger 2.0 formData operation's records was a traceback ("'list' object
    # has no attribute 'items'"): the form body's schema was looked up at the operation's
    # parameters, a list. It is checked against the body made of them.
    spec = tmp_path / "forms.yaml"
    spec.write_text(SWAGGER, encoding="utf-8")
    profile = tmp_path / "p.yaml"
    args = ["import-schema", str(spec), "-e", "loginBody", "-o", str(profile), "-c", "300"]
    assert run_cli(args).code == 0
    out = tmp_path / "out"
    generate = ["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "3"]
    assert run_cli(generate).code == 0
    data = out / "loginBody_api.json"
    result = run_cli(["check", str(data), "--profile", str(profile)])
    assert "Traceback" not in result.stderr
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0 and report.checked > 100, report.to_json()


def test_check_reads_an_empty_multipart_body(tmp_path: Path) -> None:
    """A multipart body whose fields are all left out is only its closing delimiter: an
    empty form, which a schema without required fields accepts."""
    spec = tmp_path / "forms.yaml"
    files = (
        "{type: object, properties: {files: {type: array, items: {type: string, format: binary}}}}"
    )
    spec.write_text(
        SPEC.replace("    Upload:\n", f"    Upload: {files}\n    Old:\n"), encoding="utf-8"
    )
    profile = tmp_path / "Upload.yaml"
    args = ["import-schema", str(spec), "-e", "Upload", "-o", str(profile), "-c", "400"]
    assert run_cli(args).code == 0
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-o", str(out), "-s", "3"]).code == 0
    records = json.loads((out / "Upload_api.json").read_text(encoding="utf-8"))
    bodies = [
        base64.b64decode(r["request"]["body"])
        for r in records
        if r["request"]["body"] is not None and r["request"].get("body_encoding") == "base64"
    ]
    empty = [b for b in bodies if b.count(b"--persona-gen-") == 1 and b.endswith(b"--\r\n")]
    assert empty, "no body without parts was drawn"
    report = check_dataset(out / "Upload_api.json", load_profile(profile))
    assert report.exit_code == 0 and not report.problems, report.to_json()


# -- encoding: per-property content types, and styles of urlencoded forms -----------------

DOCUMENTS = Path(__file__).parent / "specs" / "documents.yaml"


def _documents(tmp: Path, entity: str, persona: str, count: int = 600) -> tuple[Path, Path]:
    """Import ``entity`` of the document store spec and generate its api records; (profile,
    data)."""
    shutil.copy(DOCUMENTS, tmp / DOCUMENTS.name)
    profile = tmp / f"{entity}.yaml"
    args = ["import-schema", str(tmp / DOCUMENTS.name), "-e", entity, "-o", str(profile)]
    assert run_cli([*args, "-c", str(count), "--force"]).code == 0
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "3"])
    assert result.code == 0, result.stderr
    return profile, out / f"{entity}_api.json"


def test_urlencoded_styles_follow_the_encoding(tmp_path: Path) -> None:
    """``keywords`` pipeDelimited, ``ratings`` form not exploded, ``owner`` deepObject,
    ``origin`` form exploded (its properties are pairs of their own), ``review`` JSON."""
    _, data = _documents(tmp_path, "Metadata", "normal_user")
    requests = _sent(json.loads(data.read_text(encoding="utf-8")))
    assert requests
    for request in requests:
        body = request["body"]
        pairs = [p.split("=", 1) for p in body.split("&")]
        keys = [unquote_plus(k) for k, _ in pairs]
        raw = dict(pairs)
        assert keys.count("keywords") <= 1  # (none for no keyword)
        if "keywords" in raw:
            assert "," not in raw["keywords"]
            assert all(len(unquote_plus(k)) <= 24 for k in raw["keywords"].split("|"))
        if "ratings" in raw:
            assert all(1 <= int(r) <= 5 for r in raw["ratings"].split(","))
        assert "owner[team]" in keys and "owner" not in keys
        assert "origin" not in keys  # (exploded: source=…&batch=…)
        if "source" in keys:
            assert unquote_plus(raw["source"]) in ("scan", "upload", "email")
        if "review" in raw:
            assert isinstance(json.loads(unquote_plus(raw["review"])), dict)


def test_multipart_parts_have_their_declared_content_types(tmp_path: Path) -> None:
    _, data = _documents(tmp_path, "Attachment", "normal_user")
    requests = _sent(json.loads(data.read_text(encoding="utf-8")))
    assert requests
    seen: set[str] = set()
    for request in requests:
        message = _message(request)
        parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
        seen.update(str(n) for n in parts)
        scan = parts["scan"]
        assert scan.get_content_type() == "image/png" and scan.get_filename() == "scan"
        assert b"Content-Type: text/plain; charset=utf-8\r\n" in base64.b64decode(request["body"])
        assert parts["caption"].get_content_type() == "text/plain"
        if "manifest" in parts:
            assert parts["manifest"].get_content_type() == "application/json"
            assert isinstance(json.loads(parts["manifest"].get_content()), dict)
        if "labels" in parts:  # (an array in one JSON part)
            assert list(parts).count("labels") == 1
            assert isinstance(json.loads(parts["labels"].get_content()), list)
        if "page" in parts:
            assert parts["page"].get_content_type() == "application/xml"
            page = ElementTree.fromstring(parts["page"].get_content())
            assert page.tag == "page" and int(page.attrib["number"]) >= 1
    assert {"manifest", "labels", "page"} <= seen


@pytest.mark.parametrize("entity", ["Metadata", "Attachment"])
@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user", "legacy_client"])
def test_check_reads_encoded_forms_back(tmp_path: Path, entity: str, persona: str) -> None:
    profile, data = _documents(tmp_path, entity, persona, 800)
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert report.checked == 800 and not report.problems
    if persona == "normal_user":
        assert report.failed == 0
    else:
        assert report.failed_as_labelled > 0  # (the breaks are seen through the encoding)


def test_styled_values_read_back_whole() -> None:
    """Items holding a delimiter, empty and null values, nested values: what is sent is
    what is read."""
    schema = Schema(
        "object",
        fields=(
            Field("tags", Schema("array", items=Schema("string")), required=False),
            Field("nums", Schema("array", items=Schema("integer")), required=False),
            Field("spaced", Schema("array", items=Schema("string")), required=False),
            Field(
                "point",
                Schema(
                    "object", fields=(Field("x", Schema("integer")), Field("y", Schema("string")))
                ),
                required=False,
            ),
            Field(
                "deep",
                Schema("object", nullable=True, fields=(Field("a", Schema("string")),)),
                required=False,
            ),
            Field("flat", Schema("object", fields=(Field("k", Schema("boolean")),)), required=True),
        ),
    )
    domain = Domain({"F": Entity("F", schema)}, "F")
    encoding = (
        PartEncoding("tags", style="pipeDelimited"),
        PartEncoding("nums", style="form", explode=False),
        PartEncoding("spaced", style="spaceDelimited"),
        PartEncoding("point", style="form", explode=False),
        PartEncoding("deep", style="deepObject", explode=True),
        PartEncoding("flat", style="form", explode=True),
    )
    values = [
        {
            "tags": ["a|b", "c d", "", "%20"],
            "nums": [1, 22],
            "spaced": ["x y", "z%20"],
            "point": {"x": 3, "y": "a,b"},
            "deep": {"a": "[x]=&"},
            "flat": {"k": True},
        },
        {"tags": [], "nums": [7], "point": {"x": 0, "y": ""}, "deep": None, "flat": {}},
    ]
    for value in values:
        _, text = encode_form(
            value, "application/x-www-form-urlencoded", "t", frozenset(), encoding
        )
        back = decode_form(text, "application/x-www-form-urlencoded", schema, domain, encoding)
        expected = {k: v for k, v in value.items() if v != []}
        assert back == expected, text


def test_a_malformed_encoding_is_warned_about_and_left_out(tmp_path: Path) -> None:
    body = {
        "type": "object",
        "properties": {
            "a": {"type": "array", "items": {"type": "string"}},
            "b": {"type": "string"},
            "c": {"type": "string"},
        },
    }
    encodings: dict[str, Any] = {
        "form": {
            "a": {"style": "matrix", "explode": "yes"},
            "b": {
                "contentType": "not a type",
                "headers": {"X-Rate": {"schema": {"type": "integer"}}},
            },
            "c": "json",
        },
        "list": ["a"],
    }
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            f"/{name}": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": body, "encoding": enc}
                        }
                    },
                    "responses": {"204": {"description": "ok"}},
                }
            }
            for name, enc in encodings.items()
        },
    }
    path = tmp_path / "enc.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = OpenApiImporter().load(path)
    assert all(op.request_encoding == () for op in result.domain.operations)
    warnings = "\n".join(result.warnings)
    for expected in (
        "unknown style 'matrix'",
        "explode must be true or false, not 'yes'",
        "'not a type' is not a media type; ignored",
        "headers of a part are sent in multipart forms only",
        "an Encoding Object must be an object, not a string",
        "encoding must be an object (property: Encoding Object), not a list",
    ):
        assert expected in warnings, warnings
    assert run_cli(["import-schema", str(path), "-o", str(tmp_path / "p.yaml")]).code == 0


def test_style_applies_to_urlencoded_forms_only(tmp_path: Path) -> None:
    """OpenAPI ignores style and explode outside application/x-www-form-urlencoded; a part's
    content type counts in both."""
    for media, kept in (
        ("multipart/form-data", (PartEncoding("a", "application/json"),)),
        (
            "application/x-www-form-urlencoded",
            (PartEncoding("a", "application/json", "pipeDelimited", False),),
        ),
    ):
        schema = {"type": "object", "properties": {"a": {"type": "array", "items": {}}}}
        enc = {"a": {"contentType": "application/json", "style": "pipeDelimited", "explode": False}}
        spec = {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/x": {
                    "post": {
                        "requestBody": {"content": {media: {"schema": schema, "encoding": enc}}},
                        "responses": {"204": {"description": "ok"}},
                    }
                }
            },
        }
        path = tmp_path / "style.yaml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        (op,) = OpenApiImporter().load(path).domain.operations
        assert op.request_encoding == kept


def test_a_profile_s_request_encoding_is_checked() -> None:
    base = {"entities": {"F": {"schema": {"type": "object"}}}}
    op = {
        "method": "POST",
        "path": "/f",
        "request_body": True,
        "request_media": "application/x-www-form-urlencoded",
    }
    cases = [
        ({"a": {"style": "matrix"}}, "request_encoding.a.style: unknown style 'matrix'"),
        ({"a": {"explode": "no"}}, "request_encoding.a.explode: expected true or false"),
        ({"a": {"content_type": "json"}}, "request_encoding.a.content_type: expected a media type"),
        (
            {"a": {"contentType": "application/json"}},
            "request_encoding.a.contentType: unknown encoding key",
        ),
        (["a"], "request_encoding: expected a mapping of property name to its encoding"),
    ]
    for raw, message in cases:
        with pytest.raises(EntityFormatError, match=re.escape(message)):
            domain_from_dict({**base, "operations": [{**op, "request_encoding": raw}]})
    multipart = {**op, "request_media": "multipart/form-data"}
    bad_required = {"a": {"headers": {"X-A": {"type": "string"}}, "required_headers": ["X-B"]}}
    with pytest.raises(EntityFormatError, match=re.escape("a.required_headers: expected a list")):
        domain_from_dict({**base, "operations": [{**multipart, "request_encoding": bad_required}]})
    headed = {"a": {"headers": {"X-A": {"type": "string"}}, "required_headers": ["X-A"]}}
    domain = domain_from_dict({**base, "operations": [{**multipart, "request_encoding": headed}]})
    assert domain.operations[0].request_encoding[0].required_headers == ("X-A",)
    assert domain_to_dict(domain)["operations"][0]["request_encoding"] == headed
    good = {"a": {"content_type": "image/png"}, "b": {"style": "deepObject", "explode": True}}
    domain = domain_from_dict({**base, "operations": [{**op, "request_encoding": good}]})
    assert domain_to_dict(domain)["operations"][0]["request_encoding"] == good


PART_HEADERS = """\
openapi: 3.0.3
info: {title: Parts, version: "1"}
paths:
  /scans:
    post:
      requestBody:
        content:
          multipart/form-data:
            schema: {$ref: "#/components/schemas/Scan"}
            encoding:
              image:
                contentType: image/jpeg
                headers:
                  X-Rate-Limit-Limit: {schema: {type: integer, minimum: 10, maximum: 99}}
                  X-Checksum: {$ref: "#/components/headers/Checksum"}
                  Content-Type: {schema: {type: string}}
              pages:
                headers:
                  X-Page-Kind: {schema: {type: string, enum: [front, back]}}
      responses:
        "201": {description: Stored}
components:
  headers:
    Checksum: {required: true, schema: {type: string, pattern: "^[0-9a-f]{8}$"}}
  schemas:
    Scan:
      type: object
      required: [title, image, pages]
      properties:
        title: {type: string, maxLength: 30}
        image: {type: string, format: binary}
        pages: {type: array, minItems: 1, maxItems: 3, items: {type: integer}}
"""


def test_multipart_parts_carry_their_declared_headers(tmp_path: Path) -> None:
    """Each part carries the headers its ``encoding`` declares, with values drawn to fit
    their schemas (from a stream of their own); its Content-Type stays its ``contentType``;
    the profile keeps them, and check still reads the form back."""
    spec = tmp_path / "parts.yaml"
    spec.write_text(PART_HEADERS, encoding="utf-8")
    result = OpenApiImporter().load(spec)
    assert any("a part's Content-Type is not declared" in w for w in result.warnings)
    (op,) = result.domain.operations
    image = {e.name: e for e in op.request_encoding}["image"]
    assert [h for h, _ in image.headers] == ["X-Rate-Limit-Limit", "X-Checksum"]
    assert image.required_headers == ("X-Checksum",)
    assert domain_from_dict(domain_to_dict(result.domain)) == result.domain
    profile = tmp_path / "scan.yaml"
    args = ["import-schema", str(spec), "-e", "Scan", "-o", str(profile), "-c", "300", "--force"]
    assert run_cli(args).code == 0
    out = tmp_path / "out"
    generated = run_cli(["generate", str(profile), "-o", str(out), "-s", "4"])
    assert generated.code == 0, generated.stderr
    data = out / "Scan_api.json"
    requests = _sent(json.loads(data.read_text(encoding="utf-8")))
    assert requests
    sent: dict[str, int] = {}  # an optional header: on how many parts
    for request in requests:
        message = _message(request)
        parts = [
            (p.get_param("name", header="content-disposition"), p) for p in message.iter_parts()
        ]
        for name, part in parts:
            if name == "image":
                assert part.get_content_type() == "image/jpeg"
                if "X-Rate-Limit-Limit" in part:
                    assert 10 <= int(part["X-Rate-Limit-Limit"]) <= 99
                    sent["X-Rate-Limit-Limit"] = sent.get("X-Rate-Limit-Limit", 0) + 1
                assert re.fullmatch("[0-9a-f]{8}", part["X-Checksum"])  # (required: always)
                assert part.get_all("Content-Type") == ["image/jpeg"]
            elif name == "pages":
                if "X-Page-Kind" in part:
                    assert part["X-Page-Kind"] in ("front", "back")
                    sent["X-Page-Kind"] = sent.get("X-Page-Kind", 0) + 1
            else:
                assert "X-Page-Kind" not in part and "X-Checksum" not in part
        assert {"image", "pages"} <= {n for n, _ in parts}
    # (not required: on about half the requests)
    assert 0.35 < sent["X-Rate-Limit-Limit"] / len(requests) < 0.65, sent
    assert sent["X-Page-Kind"] > 0.35 * len(requests), sent
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0 and not report.problems and report.failed == 0, report.to_json()


def test_an_optional_part_header_changes_no_other_value(tmp_path: Path) -> None:
    """Whether a part header that is not required is sent is decided after every header
    value is drawn: the records are those of the same headers all required, less the
    headers left out."""
    required = PART_HEADERS.replace(
        "{schema: {type: integer", "{required: true, schema: {type: integer"
    ).replace("X-Page-Kind: {schema:", "X-Page-Kind: {required: true, schema:")
    runs: dict[str, list[dict[str, Any]]] = {}
    for name, spec in (("required", required), ("optional", PART_HEADERS)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(spec, encoding="utf-8")
        profile = tmp_path / f"{name}-profile.yaml"
        args = ["import-schema", str(path), "-e", "Scan", "-o", str(profile), "-c", "200"]
        assert run_cli([*args, "--force"]).code == 0
        out = tmp_path / name
        assert run_cli(["generate", str(profile), "-o", str(out), "-s", "4"]).code == 0
        runs[name] = json.loads((out / "Scan_api.json").read_text(encoding="utf-8"))
    optional = (b"X-Rate-Limit-Limit: ", b"X-Page-Kind: ")
    dropped = 0
    for full, sent in zip(runs["required"], runs["optional"], strict=True):
        full_body = base64.b64decode(full["request"].pop("body") or "").split(b"\r\n")
        sent_body = base64.b64decode(sent["request"].pop("body") or "").split(b"\r\n")
        assert full == sent  # (all but the bodies)
        left_out = [line for line in full_body if line not in sent_body]
        assert all(line.startswith(optional) for line in left_out)
        assert [line for line in full_body if line not in left_out] == sent_body
        dropped += len(left_out)
    assert dropped > 100


def test_a_re_send_carries_no_part_headers_its_source_s_operation_lacks(tmp_path: Path) -> None:
    """Part headers are drawn for each event's own operation before a re-send takes its
    source's: a re-send of the operation without part headers kept the headers drawn for the
    one with them."""
    spec = tmp_path / "parts.yaml"
    redo = (
        "  /scans/{id}/redo:\n"
        "    put:\n"
        "      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n"
        "      requestBody:\n"
        "        content:\n"
        '          multipart/form-data: {schema: {$ref: "#/components/schemas/Scan"}}\n'
        '      responses: {"200": {description: Redone}}\n'
    )
    spec.write_text(PART_HEADERS.replace("components:\n", redo + "components:\n", 1))
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / "resender.yaml").write_text(
        "name: resender\nbehaviors:\n  delayed_transmission: {rate: 0.0, duplicate_rate: 0.5}\n"
    )
    profile = tmp_path / "scan.yaml"
    args = ["import-schema", str(spec), "-e", "Scan", "-o", str(profile), "-c", "2000"]
    assert run_cli([*args, "--force"]).code == 0
    out = tmp_path / "out"
    argv = ["generate", str(profile), "-p", str(personas), "--persona", "resender", "-s", "4"]
    assert run_cli([*argv, "-o", str(out)]).code == 0
    records = json.loads((out / "Scan_api.json").read_text(encoding="utf-8"))
    redone = [r["request"] for r in records if r["request"]["method"] == "PUT"]
    assert len(redone) > 100
    for request in redone:
        for part in _message(request).iter_parts():
            assert "X-Checksum" not in part and "X-Page-Kind" not in part
