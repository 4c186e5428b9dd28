"""The protobuf importer over real-world .proto files (tests/corpus/protobuf, see SOURCES.md).

Every message of every file is imported; 50 records per entity (and 10 per oneof variant) are
generated with a fixed seed and each must be accepted by the protobuf runtime
(``json_format.ParseDict`` without ignoring unknown fields, then a binary round trip).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2
from protobuf_proof import problem, records, variant_records

from conftest import corpus_count
from persona_gen.errors import PersonaGenError, SchemaImportError
from persona_gen.importers.protobuf import ProtobufImporter, descriptor_set, message_class

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "protobuf"
FILES = sorted(CORPUS.rglob("*.proto"))

# (file relative to the corpus, entity) -> why it cannot work. Empty: every entity works.
SKIP: dict[tuple[str, str], str] = {}


def _has_messages(data: bytes) -> bool:
    """Does the compiled file itself (the set's last one) define any message?"""
    return bool(descriptor_pb2.FileDescriptorSet.FromString(data).file[-1].message_type)


def test_corpus_is_real_and_small() -> None:
    assert len(FILES) >= 15
    assert sum(p.stat().st_size for p in CORPUS.rglob("*")) < 2_000_000
    listed = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in FILES:
        assert path.relative_to(CORPUS).as_posix() in listed, f"{path} missing from SOURCES.md"


def test_corpus_records_are_valid_messages() -> None:
    importer = ProtobufImporter(includes=[CORPUS])
    entities_ok = entities_total = records_ok = records_total = 0
    failures: list[str] = []
    for path in FILES:
        rel = path.relative_to(CORPUS).as_posix()
        data = descriptor_set(path, [CORPUS])
        if not _has_messages(data):
            # enum- or option-only files (google/type/month.proto, google/api/annotations.proto)
            with pytest.raises(SchemaImportError, match="no message types"):
                importer.load(path)
            continue
        result = importer.load(path)
        for entity in result.listed:
            if (rel, entity) in SKIP:
                continue
            entities_total += 1
            try:
                cls = message_class(data, entity)
                rows = records(result, entity, 50, seed=20250101)
                rows += variant_records(result, entity)
            except PersonaGenError as exc:
                failures.append(f"{rel}: {entity}: {exc}")
                continue
            entities_ok += 1
            for row in rows:
                records_total += 1
                why = problem(row, cls)
                if why is None:
                    records_ok += 1
                elif len(failures) < 20:
                    failures.append(f"{rel}: {entity}: {why.splitlines()[0]}")
    corpus_count("protobuf", "entities", entities_ok, entities_total)
    corpus_count("protobuf", "records", records_ok, records_total)
    assert entities_total >= 200
    assert entities_ok >= 0.95 * entities_total, failures
    assert records_ok >= 0.99 * records_total, failures
