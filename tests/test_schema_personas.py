"""Personas on imported schemas: every persona's records for the repo's example schemas are
valid by that format's own validator unless they say they are not (expected_valid false)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.importers.avro import AvroImporter, read_avro_schema
from persona_gen.importers.ddl import DdlImporter
from persona_gen.importers.jsonschema import JsonSchemaImporter
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.importers.protobuf import (
    ProtobufImporter,
    descriptor_set,
    message_class,
)
from tests.helpers import PERSONAS
from tests.importers import avro_proof, ddl_loading, protobuf_proof

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
CATALOG = PersonaCatalog()
COUNT = 400


def payloads(domain: Any, entity: str, persona: str, generator: str) -> list[tuple[Any, bool]]:
    """(payload, expected_valid) of a dataset of ``persona`` on the imported entity."""
    dataset = Dataset(
        [(CATALOG.get(persona), 1.0)], generator, COUNT, 11, domain=domain, entity=entity
    )
    out = []
    for block in dataset.blocks():
        for r in block:
            if generator == "streaming":
                out.append((r["payload"], r["expected_valid"]))
            elif generator == "fault":
                out.append((r["record"], r["expected_valid"]))
            else:
                valid = r.pop("_expected_valid")
                r.pop("_violations")
                out.append((r, valid))
    return out


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("importer", "schema", "entity"),
    [
        (OpenApiImporter, "openapi-users.yaml", "User"),
        (OpenApiImporter, "openapi-users.yaml", "Order"),
        (JsonSchemaImporter, "user.schema.json", None),
    ],
)
@pytest.mark.parametrize("generator", ["streaming", "fault"])
def test_jsonschema_family(
    importer: Any, schema: str, entity: str | None, persona: str, generator: str
) -> None:
    path = SCHEMAS / schema
    result = importer().load(path)
    name = entity or result.listed[0]
    check = importer().validators(path)[name]
    rejected, mislabelled, labelled_invalid = [], 0, 0
    for record, expected_valid in payloads(result.domain, name, persona, generator):
        problems = check(record)
        if expected_valid and problems:
            rejected.append((problems[:1], record))
        if not expected_valid:
            labelled_invalid += 1
            mislabelled += not problems
    assert not rejected, rejected[:3]  # every record that claims validity is valid
    # A record labelled invalid breaks a rule of the imported model; the original schema
    # can be laxer where the model approximates it (e.g. dependentRequired): <= 1 %.
    assert mislabelled <= 0.01 * max(labelled_invalid, 1) + 1, (mislabelled, labelled_invalid)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("generator", ["streaming", "fault"])
def test_avro(persona: str, generator: str) -> None:
    path = SCHEMAS / "user-event.avsc"
    result = AvroImporter().load(path)
    entity = result.listed[0]
    schema = read_avro_schema(path)
    valid = [rec for rec, ok in payloads(result.domain, entity, persona, generator) if ok]
    passed, problems = avro_proof.check(valid, entity, schema)
    assert passed == len(valid), problems[:3]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("generator", ["streaming", "fault"])
def test_protobuf(persona: str, generator: str) -> None:
    path = SCHEMAS / "user.proto"
    result = ProtobufImporter().load(path)
    cls = message_class(descriptor_set(path), "User")
    valid = [rec for rec, ok in payloads(result.domain, "User", persona, generator) if ok]
    problems = [p for p in (protobuf_proof.problem(rec, cls) for rec in valid) if p]
    assert not problems, problems[:3]


@pytest.mark.parametrize("persona", PERSONAS)
def test_ddl_rows_load_into_sqlite(persona: str) -> None:
    path = SCHEMAS / "users.sql"
    result = DdlImporter().load(path)
    statements = ddl_loading.sqlite_statements(path.read_text(), "postgres")
    conn = ddl_loading.sqlite_connect(statements)
    valid = [rec for rec, ok in payloads(result.domain, "users", persona, "file") if ok]
    report = ddl_loading.sqlite_load(conn, result.domain, {"users": valid})
    assert report.accepted["users"] == len(valid), report.errors[:3]
