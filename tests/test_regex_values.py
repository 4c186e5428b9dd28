"""Strings built from a regex (persona_gen.values.regex) match it; the ones flagged exact do
so by construction, which lets the synthesizer skip checking them again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from persona_gen.values.regex import RegexUnsupported, compile_pattern, generates_matches

CORPUS = Path(__file__).parent / "corpus"
_JSON_PATTERN = re.compile(r'"pattern"\s*:\s*("(?:[^"\\]|\\.)*")')


def _corpus_patterns() -> list[str]:
    found = {
        json.loads(text)
        for path in CORPUS.rglob("*")
        if path.is_file() and path.suffix in (".json", ".yaml", ".yml")
        for text in _JSON_PATTERN.findall(path.read_text(errors="replace"))
    }
    return sorted(found)


_WRITTEN = [
    r"^SKU-[0-9]{6}$",
    r"acc-\d{10}",
    r"^[A-Z0-9]{8}$",
    r"(?i)^[a-f0-9]{4}(-[a-f0-9]{4})*$",
    r"^(foo|bar)+\.[^\s@]{2,}$",
    r"\A\w+\Z",
    r"^\+?[0-9 ()-]{7,20}$",
    r"^.{3,5}$",
]


@pytest.mark.parametrize("pattern", _WRITTEN + _corpus_patterns())
def test_an_exact_patterns_values_all_match_it(pattern: str) -> None:
    try:
        generate = compile_pattern(pattern)
        values = generate(300, np.random.default_rng(7))
    except RegexUnsupported:
        return  # (the synthesizer falls back to values by meaning)
    if generates_matches(generate):  # (others are checked value by value by the synthesizer)
        assert [v for v in values if not re.search(pattern, v)] == []


@pytest.mark.parametrize(
    "pattern",
    [r"\bword\b", r"^a(?=b)", r"(?<!x)y", r"a^b", r"(^a|b$)", r"a*+a", r"x$y"],
)
def test_patterns_the_builder_cannot_honour_are_not_exact(pattern: str) -> None:
    try:
        generate = compile_pattern(pattern)
    except RegexUnsupported:
        return
    assert not generates_matches(generate)
