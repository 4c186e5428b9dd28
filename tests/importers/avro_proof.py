"""fastavro as the validator of generated records (shared by the Avro tests).

A record is valid when ``to_avro_datum`` converts it, ``fastavro.validation.validate`` accepts
the datum against the record's own schema, and every datum survives a round trip through an
Avro object container file (``fastavro.writer`` then ``fastavro.reader``, same count).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import fastavro
import numpy as np
from fastavro.validation import ValidationError, validate

from persona_gen.errors import GenerationError
from persona_gen.importers.avro import AvroImporter, AvroSchema, read_avro_schema, to_avro_datum
from persona_gen.importers.base import ImportResult
from persona_gen.values.synth import Synthesizer

REFERENCE_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z


def records(result: ImportResult, entity: str, n: int = 50, seed: int = 7) -> list[Any]:
    synth = Synthesizer(result.domain, REFERENCE_MS)
    return synth.records(entity, n, np.random.default_rng(seed))


def check(rows: list[Any], entity: str, schema: AvroSchema) -> tuple[int, list[str]]:
    """(how many of ``rows`` are valid Avro, why the others are not)."""
    parsed = schema.record_schema(entity)
    datums, problems = [], []
    for row in rows:
        try:
            datum = to_avro_datum(row, entity, schema)
            validate(datum, parsed, raise_errors=True)
        except (GenerationError, ValidationError) as exc:
            problems.append(f"{entity}: {str(exc).splitlines()[0][:300]} in {row!r:.300}")
            continue
        datums.append(datum)
    buffer = io.BytesIO()
    fastavro.writer(buffer, schema.writer_schema(entity), datums)
    buffer.seek(0)
    back = list(fastavro.reader(buffer))
    if len(back) != len(datums):
        problems.append(f"{entity}: wrote {len(datums)} records, read back {len(back)}")
        return 0, problems
    return len(datums), problems


def prove(path: Path, n: int = 50, seed: int = 7) -> ImportResult:
    """Every listed entity's generated records are valid Avro (fastavro's own checks)."""
    result = AvroImporter().load(path)
    schema = read_avro_schema(path)
    for entity in result.listed:
        rows = records(result, entity, n, seed)
        ok, problems = check(rows, entity, schema)
        assert not problems, problems[:5]
        assert ok == n
    return result
