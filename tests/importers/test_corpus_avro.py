"""The Avro importer over real-world .avsc files (tests/corpus/avro, see SOURCES.md).

Every record of every file is imported; 50 records per entity are generated with a fixed
seed, converted with ``to_avro_datum``, checked with ``fastavro.validation.validate`` and
written to (and read back from) an Avro object container file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from avro_proof import check, records

from conftest import corpus_count
from persona_gen.errors import PersonaGenError, SchemaImportError
from persona_gen.importers.avro import AvroImporter, read_avro_schema

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "avro"
FILES = sorted(CORPUS.rglob("*.avsc"))

# file (relative to the corpus) -> (what the import error says, why it cannot work). These
# files are kept because they are real: each must fail with exactly this error.
SKIP: dict[str, tuple[str, str]] = {
    "avro-to-python/namespace_duplicate_test/common/enums/CommonEnum.avsc": (
        "no record type",
        "an enum on its own: no record to generate",
    ),
    "avro-to-python/records/nested/Flavor.avsc": ("no record type", "an enum on its own"),
    "avro-to-typescript/SimpleEnum.avsc": ("no record type", "an enum on its own"),
    "avro-to-typescript/records/Flavor.avsc": ("no record type", "an enum on its own"),
    "fastavro/load_schema_test_9/namespace.B.avsc": ("no record type", "a fixed on its own"),
    "fastavro/load_schema_test_9/namespace.C.avsc": ("no record type", "a fixed on its own"),
    "avro-to-python/namespace_duplicate_test/unique/Unique.avsc": (
        "redefined named type: namespace_duplicate_test.common.Common",
        "defines the record Common twice, which the Avro spec and fastavro reject",
    ),
    "avro-to-python/records/RecordWithArray.avsc": (
        r"unknown type 'Thing' in \{\"type\": \"Thing\"\}",
        'refers to a named type as {"type": "Thing"}, which fastavro does not parse',
    ),
    "avro-to-python/records/RecordWithNestedMap.avsc": (
        r"unknown type 'Thing' in \{\"type\": \"Thing\"\}",
        'refers to a named type as {"type": "Thing"}, which fastavro does not parse',
    ),
    "avro-to-python/records/RecordWithMap.avsc": (
        "unknown type 'record.Thing'",
        "refers to 'record.Thing', a typo for records.Thing (the file's own test of an error)",
    ),
    "avrotize/prototypes/api.avsc": (
        "unknown type 'google.protobuf.repeated'",
        'uses "type": "repeated", which is not an Avro type',
    ),
    "avrotize/prototypes/type.avsc": (
        "unknown type 'google.protobuf.Option'",
        "uses Option before the list defines it; Avro needs definition before use",
    ),
    "fastavro/avro-files/ParentMissingChild.avsc": (
        "unknown type 'Missing'",
        "fastavro's own test of a reference to a type no file defines",
    ),
}


def test_corpus_is_real_and_small() -> None:
    assert len(FILES) >= 15
    assert sum(p.stat().st_size for p in CORPUS.rglob("*")) < 2_000_000
    listed = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in FILES:
        assert path.relative_to(CORPUS).as_posix() in listed, f"{path} missing from SOURCES.md"
    assert set(SKIP) <= {p.relative_to(CORPUS).as_posix() for p in FILES}


@pytest.mark.parametrize("rel", sorted(SKIP))
def test_skipped_files_fail_as_recorded(rel: str) -> None:
    match, _why = SKIP[rel]
    with pytest.raises(SchemaImportError, match=match):
        AvroImporter().load(CORPUS / rel)


def test_corpus_records_are_valid_avro() -> None:
    importer = AvroImporter()
    entities_ok = entities_total = records_ok = records_total = 0
    failures: list[str] = []
    for path in FILES:
        rel = path.relative_to(CORPUS).as_posix()
        if rel in SKIP:
            continue
        result = importer.load(path)
        schema = read_avro_schema(path)
        for entity in result.listed:
            entities_total += 1
            try:
                rows = records(result, entity, 50, seed=20250101)
            except PersonaGenError as exc:
                failures.append(f"{rel}: {entity}: {exc}")
                continue
            entities_ok += 1
            ok, problems = check(rows, entity, schema)
            records_ok += ok
            records_total += len(rows)
            failures.extend(f"{rel}: {p}" for p in problems[:3])
    corpus_count("avro", "entities", entities_ok, entities_total)
    corpus_count("avro", "records", records_ok, records_total)
    assert entities_total >= 60
    assert entities_ok >= 0.95 * entities_total, failures
    assert records_ok >= 0.99 * records_total, failures
