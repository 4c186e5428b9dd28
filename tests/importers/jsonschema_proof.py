"""The `jsonschema` package as the validator of generated records (shared by the OpenAPI and
JSON Schema tests): every listed entity of a file, ``n`` records with a fixed seed, each checked
against the ORIGINAL schema with format checking on (see ``validators()`` of the importers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from persona_gen.errors import PersonaGenError
from persona_gen.importers._jsonschema import RecordValidator
from persona_gen.importers.base import ImportResult
from persona_gen.values.synth import Synthesizer

REFERENCE_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z


class _Importer(Protocol):
    def load(
        self, path: Path, *, dialect: str | None = None, strict: bool = False
    ) -> ImportResult: ...

    def validators(
        self, path: Path, *, dialect: str | None = None
    ) -> dict[str, RecordValidator]: ...


def records(result: ImportResult, entity: str, n: int = 50, seed: int = 7) -> list[Any]:
    synth = Synthesizer(result.domain, REFERENCE_MS)
    return synth.records(entity, n, np.random.default_rng(seed))


@dataclass
class Tally:
    """Pass counts over a set of files, and the first failures (for the assertion message)."""

    entities_ok: int = 0
    entities_total: int = 0
    records_ok: int = 0
    records_total: int = 0
    failures: list[str] = field(default_factory=list)
    skipped_but_valid: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        if len(self.failures) < 25:
            self.failures.append(text[:400])


def prove(
    importer: _Importer,
    path: Path,
    label: str,
    tally: Tally,
    skip: Mapping[tuple[str, str], str],
    n: int = 50,
    seed: int = 20250101,
) -> None:
    """Import every entity of ``path``, generate ``n`` records each, validate them."""
    try:
        result = importer.load(path)
        checks = importer.validators(path)
    except PersonaGenError as exc:
        tally.entities_total += 1
        tally.fail(f"{label}: does not import: {exc}")
        return
    for entity in result.listed:
        tally.entities_total += 1
        tally.entities_ok += 1
        reason = skip.get((label, entity))
        try:
            rows = records(result, entity, n, seed)
        except PersonaGenError as exc:
            if reason is None:
                tally.records_total += n
                tally.fail(f"{label}: {entity}: generation failed: {exc}")
            continue
        problems = [checks[entity](row) for row in rows]
        if reason is not None:
            if not any(problems):
                tally.skipped_but_valid.append(f"{label}: {entity}")
            continue
        for row, found in zip(rows, problems, strict=True):
            tally.records_total += 1
            if not found:
                tally.records_ok += 1
            else:
                tally.fail(f"{label}: {entity}: {found[0]} in {str(row)[:200]}")
