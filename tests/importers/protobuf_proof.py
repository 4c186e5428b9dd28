"""The protobuf runtime as the validator of generated records (shared by the protobuf tests).

A record is valid when ``json_format.ParseDict`` accepts it as the message (unknown fields are
errors) and the message survives a binary round trip unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from google.protobuf import json_format
from google.protobuf.message import Message

from persona_gen.importers.base import ImportResult
from persona_gen.importers.protobuf import to_message
from persona_gen.values.synth import Synthesizer

REFERENCE_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z


def records(result: ImportResult, entity: str, n: int = 50, seed: int = 7) -> list[Any]:
    synth = Synthesizer(result.domain, REFERENCE_MS)
    return synth.records(entity, n, np.random.default_rng(seed))


def variant_records(result: ImportResult, entity: str, n: int = 10) -> list[Any]:
    """Records drawn from each object variant of the entity (its oneof choices)."""
    synth = Synthesizer(result.domain, REFERENCE_MS)
    out: list[Any] = []
    for k, variant in enumerate(result.domain.entities[entity].schema.variants):
        out.extend(synth.values(variant, entity, n, np.random.default_rng(k)))
    return out


def problem(record: Any, cls: type[Message]) -> str | None:
    """Why the runtime rejects ``record`` as a ``cls`` message, or None when it is valid."""
    try:
        msg = to_message(record, cls)
    except (json_format.ParseError, TypeError, ValueError) as exc:
        return str(exc)
    again = cls.FromString(msg.SerializeToString())
    if again != msg:
        return "the binary round trip changed the message"
    return None
