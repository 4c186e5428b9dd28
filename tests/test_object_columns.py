"""Objects kept as columns (values/columns.py) give exactly the synthesizer's records.

``Synthesizer.columns`` must draw what ``records`` draws (same values, same RNG stream after)
and its rows, single rows, leaf columns and missing fields must match the records made the
usual way; the ``file`` generator reads its columns from there and must write the same rows
whether it makes the marked records one by one or all at once. Checked over the built-in
domain and every entity of the JSON Schema and OpenAPI corpora (nested objects, references,
nullable objects, optional fields, unions, maps and arrays).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import persona_gen.generators.file as file_generator
from helpers import PERSONAS, records
from persona_gen.entities.builtin import builtin_domain
from persona_gen.entities.model import Domain
from persona_gen.errors import PersonaGenError
from persona_gen.generators.paths import MISSING, get_path, leaves
from persona_gen.importers.jsonschema import JsonSchemaImporter
from persona_gen.importers.openapi import OpenApiImporter
from persona_gen.values.columns import LazyRecords, ObjectColumns, value_at
from persona_gen.values.synth import Synthesizer

CORPUS = Path(__file__).resolve().parent / "corpus"
REFERENCE_MS = 1_735_689_600_000


def _domains() -> Iterator[tuple[str, Domain, list[str]]]:
    domain = builtin_domain()
    yield "built-in", domain, list(domain.entities)
    for importer, folder, pattern in (
        (JsonSchemaImporter(), "jsonschema", "*.json"),
        (OpenApiImporter(), "openapi", "*.*"),
    ):
        for path in sorted((CORPUS / folder).glob(pattern)):
            if path.name == "SOURCES.md":
                continue
            try:
                result = importer.load(path)
            except PersonaGenError:
                continue
            yield path.name, result.domain, list(result.listed)


def _both(synth: Synthesizer, entity: str, n: int, seed: int) -> Any:
    """(records, the RNG after), (columns, the RNG after): or None if the entity fails."""
    first, second = np.random.default_rng(seed), np.random.default_rng(seed)
    try:
        made = synth.records(entity, n, first, 5)
    except PersonaGenError:
        with pytest.raises(PersonaGenError):
            synth.columns(entity, n, second, 5)
        return None
    drawn = synth.columns(entity, n, second, 5)
    assert first.bit_generator.state == second.bit_generator.state, "draws differ"
    return made, drawn


def test_columns_are_the_records_over_the_corpus() -> None:
    checked = nested = missed = 0
    for label, domain, entities in _domains():
        synth = Synthesizer(domain, REFERENCE_MS)
        for entity in entities:
            got = _both(synth, entity, 37, 11)
            if got is None:
                continue
            made, drawn = got
            where = f"{label}: {entity}"
            if not isinstance(drawn, ObjectColumns):
                assert drawn == made, where
                continue
            checked += 1
            nested += any(isinstance(c, ObjectColumns) for c in drawn.columns)
            assert drawn.rows() == made, where
            assert [drawn.row(i) for i in range(drawn.n)] == made, where
            for leaf in leaves(domain, domain.entity(entity).schema):
                expected = [value_at(record, leaf.path) for record in made]
                assert drawn.leaf(leaf.path) == expected, f"{where}: {leaf.dotted}"
                lacking = {i for i, r in enumerate(made) if get_path(r, leaf.path) is MISSING}
                assert drawn.missing(leaf.path) == lacking, f"{where}: {leaf.dotted}"
                missed += bool(lacking)
    assert checked >= 300
    assert nested >= 50  # objects inside objects were kept as columns
    assert missed >= 100  # fields left out (optional, or under a null parent) were seen


def test_lazy_records_make_each_record_once_and_on_demand() -> None:
    synth = Synthesizer(builtin_domain(), REFERENCE_MS)
    drawn = synth.columns("User", 20, np.random.default_rng(3))
    assert isinstance(drawn, ObjectColumns)
    lazy = LazyRecords(drawn)
    assert len(lazy) == 20 and not lazy.made
    lazy[3]["username"] = "edited"
    assert lazy[3]["username"] == "edited" and lazy[-17] is lazy[3]
    assert list(lazy.made) == [3]
    assert lazy[18:] == drawn.rows()[18:]
    with pytest.raises(IndexError):
        lazy[20]


@pytest.mark.parametrize("persona", PERSONAS)
def test_file_rows_are_the_same_made_lazily_or_all_at_once(
    persona: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_generator, "_LAZY_SHARE", 1.0)
    lazily = records(persona, "file", 3000, seed=4)
    monkeypatch.setattr(file_generator, "_LAZY_SHARE", -1.0)
    at_once = records(persona, "file", 3000, seed=4)
    assert lazily == at_once
