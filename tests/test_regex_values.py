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

from persona_gen.values import regex as regex_module
from persona_gen.values.regex import (
    RegexUnsupported,
    compile_pattern,
    generates_matches,
    matches_class_runs,
)
from persona_gen.values.safe_search import pattern_search

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
        assert [v for v in values if not pattern_search(pattern, v)] == []


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
    "^a[0-9]{2}x$",
    "^x-[a-z0-9]{3}_$",
    r"^\d\.\d$",
    "^a{0}[b9]{2}$",
    "^z[0-9]+$",  # two runs, one of varying length: the regex decides
    "^[^a]+$",  # negated: not a class run (the regex decides)
    "^[a-z]+",  # not anchored at the end
    "(?i)^[a-z]+$",  # a flag
]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_RUN_PATTERNS),
    st.lists(st.text(alphabet="abzAZ09_.x-\n é٣", max_size=6), min_size=1, max_size=8),
)
def test_class_run_check_agrees_with_re_search(pattern: str, values: list[str]) -> None:
    every = all(pattern_search(pattern, v) for v in values)
    told = matches_class_runs(pattern, values)
    assert told is None or told == every


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([p for p in _RUN_PATTERNS if "^" not in p[1:]]),
    st.integers(0, 2**32 - 1),
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 12), st.sampled_from("a9-_.x\nZé")),
        max_size=2,
    ),
)
def test_class_run_check_agrees_on_near_misses(
    pattern: str, seed: int, edits: list[tuple[int, int, str]]
) -> None:
    # Values the builder made (all matching), some edited: a character changed, added or cut.
    values = compile_pattern(pattern)(10, np.random.default_rng(seed))
    for row, at, char in edits:
        value = values[row]
        replaced, inserted, cut = (
            value[:at] + char + value[at + 1 :],
            value[:at] + char + value[at:],
            value[:at] + value[at + 1 :],
        )
        values[row] = (replaced, inserted, cut)[at % 3]
    every = all(pattern_search(pattern, v) for v in values)
    assert matches_class_runs(pattern, values) in (None, every)


def test_class_run_check_answers_for_class_runs_only() -> None:
    assert matches_class_runs("^[a-z0-9_.]+$", ["merit460_sg", "a.b"]) is True
    assert matches_class_runs("^[a-z0-9_.]+$", ["merit460_sg", "A"]) is False
    assert matches_class_runs("^[0-9]{5}$", ["12345", "1234"]) is False
    assert matches_class_runs("^[0-9]{5}$", ["12345", "54321"]) is True
    assert matches_class_runs("^[^a]+$", ["b"]) is None
    assert matches_class_runs("^[a-z]+$", ["é"]) is None  # not ASCII: the regex decides
    assert matches_class_runs("^SKU-[0-9]{6}$", ["SKU-000123", "SKU-999999"]) is True
    assert matches_class_runs("^SKU-[0-9]{6}$", ["SKU-000123", "SKU-99999"]) is False
    assert matches_class_runs("^SKU-[0-9]{6}$", ["SKU-0001234", "SKU-99999"]) is False
    assert matches_class_runs("^SKU-[0-9]{6}$", ["sku-000123"]) is False
    assert matches_class_runs("^v[0-9]+$", ["v1"]) is None


_LAID_OUT_PATTERNS = [
    r"^dev-[0-9a-f]{8}$",
    r"^[0-9]\.[0-9]{1,2}\.[0-9]{1,3}$",
    r"(ab|c|)+x?",
    r"^(foo|ba[rz]{0,3})-\d*$",
    r"a{0}",
    "",
    r"^(?:[a-z]{2,4}\.){1,3}com$",
    r"^((a|bc){2}|d)*$",
    r"[^abc]{3}.{0,5}",
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_LAID_OUT_PATTERNS), st.integers(0, 40), st.integers(0, 2**32 - 1))
def test_values_laid_out_as_bytes_are_the_values_built_one_by_one(
    pattern: str, n: int, seed: int
) -> None:
    # ASCII-only nodes build a column as one byte buffer; the draws and the values must be
    # those of the string-by-string construction, which the determinism contract fixes.
    node = regex_module._sequence(list(regex_module.sre_parse.parse(pattern)))
    assert node.layout is not None  # type: ignore[attr-defined]
    by_bytes = regex_module._texts(*node.layout(n, np.random.default_rng(seed)), n)  # type: ignore[attr-defined]
    assert by_bytes == node(n, np.random.default_rng(seed))


_PROPERTY_PATTERNS = [
    r"^[\p{L} '-]{2,20}$",
    r"^\p{Lu}{3}$",
    r"^\p{Lu}\p{Ll}+$",
    r"^\p{Letter}+\p{Nd}{2}$",
    r"^\p{General_Category=Other_Letter}{4}$",
    r"^\P{L}{5}$",
    r"^[^\P{L}]{5}$",
    r"^[\P{L}x]{5}$",
    r"^\p{Script=Greek}{3,8}$",
    r"^\p{sc=Cyrl}+ \p{sc=Latn}+$",
    r"^\p{scx=Hira}{4}$",
    r"^\p{Script=Han}{2}$",
    r"^\p{Alphabetic}{6}$",
    r"^[\p{ID_Start}_][\p{ID_Continue}]*$",
    r"^a\p{White_Space}b$",
    r"^\p{ASCII}{8}$",
    r"^\p{Any}{3}$",
    r"^\P{Cc}+$",
    r"^[^\s\p{Cc}]+$",
    r"^\p{Emoji}$",
    r"^\p{N}|\p{P}$",
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_PROPERTY_PATTERNS), st.integers(0, 2**32 - 1))
def test_values_of_unicode_property_patterns_pass_the_check(pattern: str, seed: int) -> None:
    # Python's re has no \p{...}: such a pattern could not be generated from at all.
    values = compile_pattern(pattern)(40, np.random.default_rng(seed))
    assert [v for v in values if not pattern_search(pattern, v)] == []
    # (text that UTF-8 can carry: no surrogate code point alone)
    assert all(v.encode("utf-8") for v in values)


def test_a_letter_class_draws_familiar_letters() -> None:
    values = compile_pattern(r"^\p{L}{20}$")(50, np.random.default_rng(1))
    assert all(c < "\u0250" for v in values for c in v)  # (not Tangut or Cuneiform)
    assert len({c for v in values for c in v}) > 100


_ECMA_PATTERNS = [
    r"^\d+$",
    r"^\w{3,8}$",
    r"^[\w.-]+@[\w-]+\.\w{2,}$",
    r"^[A-Za-z][A-Za-z\s\d_-]*$",
    r"^\s\S+\s$",
    r"^[\S]+@[\S]+\.[\S]{2,}$",
    r"^\D\W[^\d]{2}$",
    r"^.{3,5}$",
    r"^[^]{2}$",
    r"^a(?:[]|b)c$",
    r"^\cJ?x\u{41}\uD83D\uDE00$",
    r"^(?<year>\d{4})-(?<month>\d{2})$",
    r"^[[&~|]{4}$",
    r"^\/api\/v\d$",
    r"^\bword\b$",
    r"^[^\s\p{Cc}]+$",
]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(_ECMA_PATTERNS), st.integers(0, 2**32 - 1))
def test_values_of_ecma_patterns_match_them_as_ecma_reads_them(pattern: str, seed: int) -> None:
    # \d, \w, \s, ., $, [], [^], \cX, \u{...}, (?<name>...) read as ECMA-262 reads them: the
    # values must match that reading (not only re's wider one), and [^], \cX, \u{...}, named
    # groups could not be generated from at all.
    values = compile_pattern(pattern)(40, np.random.default_rng(seed))
    assert [v for v in values if not pattern_search(pattern, v)] == []


@pytest.mark.parametrize(
    ("ecma", "python"),
    [
        (r"^\w{12}$", r"^\w{12}$"),
        (r"^\d{12}$", r"^\d{12}$"),
        (r"^a\sb$", r"^a\sb$"),
        (r"^\S{12}$", r"^\S{12}$"),
        (r"^\W\D{5}$", r"^\W\D{5}$"),
        (r"^.{12}$", r"^.{12}$"),
        (r"^[\w.]{12}$", r"^[\w.]{12}$"),
        (r"^[a-z\s]{12}$", r"^[a-z\s]{12}$"),
    ],
)
def test_ecma_escapes_draw_what_res_own_escapes_drew(ecma: str, python: str) -> None:
    # The same values as before \d, \w, \s and . were spelled as ECMA's classes (the
    # determinism contract), all of them familiar: a \s makes a space, not U+2028.
    made = compile_pattern(ecma)(200, np.random.default_rng(5))
    node = regex_module._sequence(list(regex_module.sre_parse.parse(python)))
    assert made == node(200, np.random.default_rng(5))
