"""A field's meaning: declared, guessed from its name, or switched off with ``semantic: none``."""

from __future__ import annotations

from typing import Any

import numpy as np

from persona_gen.entities.model import Domain, Entity, Field, Schema
from persona_gen.values.synth import Synthesizer


def _values(field: Schema, name: str, n: int = 2000) -> list[Any]:
    entity = Entity("Thing", Schema("object", fields=(Field(name, field),)))
    synth = Synthesizer(Domain({"Thing": entity}, "Thing"), 1_700_000_000_000)
    return [row[name] for row in synth.records("Thing", n, np.random.default_rng(1))]


def test_a_name_suggests_typical_values_inside_the_declared_bounds() -> None:
    scores = _values(Schema("integer", minimum=0, maximum=1000), "score")
    assert set(scores) <= set(range(1, 6))  # a score reads as a 1-5 rating


def test_semantic_none_draws_from_the_declared_constraints_alone() -> None:
    scores = _values(Schema("integer", minimum=0, maximum=1000, semantic="none"), "score")
    assert min(scores) >= 0 and max(scores) <= 1000
    assert max(scores) > 900 and len(set(scores)) > 500
    cities = _values(Schema("string", semantic="none", max_length=20), "city", 200)
    guessed = _values(Schema("string", max_length=20), "city", 200)
    assert cities != guessed


def test_semantic_none_skips_a_guessed_meaning_before_a_pattern() -> None:
    codes = _values(Schema("string", pattern="^[0-9]{4}$", semantic="none"), "postal_code", 300)
    assert all(isinstance(c, str) and len(c) == 4 and c.isdigit() for c in codes)
