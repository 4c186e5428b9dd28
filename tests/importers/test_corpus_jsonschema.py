"""The jsonschema importer over real-world JSON Schemas (tests/corpus/jsonschema, see
SOURCES.md): configuration-file schemas from SchemaStore and tool vendors, as vendored by
check-jsonschema (GitLab CI's and CircleCI's chain and nest if/then/else), and AsyncAPI 2.6's.

Every listed entity (root and definitions) is imported; 50 records per entity are generated
with a fixed seed and validated against the original schema with the `jsonschema` package
(the schema's own draft, format checking on).
"""

from __future__ import annotations

from pathlib import Path

from jsonschema_proof import Tally, prove

from conftest import corpus_count
from persona_gen.importers.jsonschema import JsonSchemaImporter

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "jsonschema"
FILES = sorted(CORPUS.glob("*.json"))

# (file, entity) -> why no valid record can be made. Each entry must still fail (checked).
SKIP: dict[tuple[str, str], str] = {
    ("bamboo-spec.json", "notification"): (
        "recipients is `type: array` with anyOf options that are all objects: unsatisfiable"
    ),
    ("bamboo-spec.json", "task"): "contains notification (unsatisfiable recipients)",
    ("github-actions.json", "github-actions"): (
        "composite steps are a oneOf of `not` schemas (not expressible)"
    ),
    ("github-actions.json", "runs-composite"): (
        "steps are a oneOf of `not` schemas (not expressible)"
    ),
    ("travis.json", "JSON schema for Travis CI configuration files"): (
        "notifications use oneOf options that overlap (an array of objects with no required "
        "properties matches both the array form and the secret-string form)"
    ),
}


def test_corpus_is_real_and_small() -> None:
    assert len(FILES) >= 15
    assert sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()) < 1_500_000
    listed = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in FILES:
        assert path.name in listed, f"{path.name} missing from SOURCES.md"


def test_corpus_records_validate() -> None:
    tally = Tally()
    for path in FILES:
        prove(JsonSchemaImporter(), path, path.name, tally, SKIP)
    corpus_count("jsonschema", "entities", tally.entities_ok, tally.entities_total)
    corpus_count("jsonschema", "records", tally.records_ok, tally.records_total)
    assert tally.entities_total >= 300
    assert tally.entities_ok >= 0.95 * tally.entities_total, tally.failures
    assert tally.records_ok >= 0.99 * tally.records_total, tally.failures
    assert not tally.skipped_but_valid, f"now valid, remove from SKIP: {tally.skipped_but_valid}"
