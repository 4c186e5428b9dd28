"""Strings built from a regex (persona_gen.values.regex) match it; the ones flagged exact do
so by construction, which lets the synthesizer skip checking them again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen.values.regex import (
    RegexUnsupported,
    compile_pattern,
    generates_matches,
    matches_class_run,
)

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


_RUN_PATTERNS = [
    "^[a-z0-9_.]+$",
    "^[0-9]{5}$",
    "^[A-Z]{2,3}$",
    "^x*$",
    r"^\d+$",
    r"^\w{1,4}$",
    "^[^a]+$",  # negated: not a class run (the regex decides)
    "^[a-z]+",  # not anchored at the end
    "(?i)^[a-z]+$",  # a flag
]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_RUN_PATTERNS),
    st.lists(st.text(alphabet="abzAZ09_.x\n é٣", max_size=6), min_size=1, max_size=8),
)
def test_class_run_check_agrees_with_re_search(pattern: str, values: list[str]) -> None:
    every = all(re.search(pattern, v) for v in values)
    told = matches_class_run(pattern, values)
    assert told is None or told == every


def test_class_run_check_answers_for_class_runs_only() -> None:
    assert matches_class_run("^[a-z0-9_.]+$", ["merit460_sg", "a.b"]) is True
    assert matches_class_run("^[a-z0-9_.]+$", ["merit460_sg", "A"]) is False
    assert matches_class_run("^[0-9]{5}$", ["12345", "1234"]) is False
    assert matches_class_run("^[0-9]{5}$", ["12345", "54321"]) is True
    assert matches_class_run("^[^a]+$", ["b"]) is None
    assert matches_class_run("^[a-z]+$", ["é"]) is None  # not ASCII: the regex decides
