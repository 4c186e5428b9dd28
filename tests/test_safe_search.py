"""Label checks search schema patterns without catastrophic backtracking (ReDoS)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from persona_gen.entities.model import Schema
from persona_gen.generators.check import violated_rule
from persona_gen.values.ecma_regex import python_pattern
from persona_gen.values.safe_search import pattern_search
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
_ATOMS = [
    "a",
    "b",
    r"\w",
    r"\s",
    r"\d",
    ".",
    "[ab]",
    "[^a]",
    r"\b",
    "^",
    "$",
    "(?=a)",
    "(?!b)",
    "x",
]


def _random_pattern(rng: np.random.Generator, depth: int = 0) -> str:
    r = rng.random()
    if depth > 2 or r < 0.35:
        return str(rng.choice(_ATOMS))
    if r < 0.55:
        return _random_pattern(rng, depth + 1) + _random_pattern(rng, depth + 1)
    if r < 0.7:
        return f"({_random_pattern(rng, depth + 1)}|{_random_pattern(rng, depth + 1)})"
    quantifier = str(rng.choice(["*", "+", "?", "{2}", "{1,3}", "*?", "{0,2}"]))
    return f"(?:{_random_pattern(rng, depth + 1)}){quantifier}"


def test_the_safe_search_agrees_with_re() -> None:
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(3000):
        pattern = "(" + _random_pattern(rng) + ")*" + _random_pattern(rng)  # nested repeats
        try:
            compiled = re.compile(python_pattern(pattern))  # (as ECMA reads it: see ecma_regex)
        except re.error:
            continue
        for _ in range(4):
            value = "".join(rng.choice(list("ab x.1\n_"), size=int(rng.integers(0, 8))))
            assert pattern_search(pattern, value) == (compiled.search(value) is not None), (
                pattern,
                value,
            )
            checked += 1
    assert checked > 5000


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        (r"^(\s*\w+)*$", "abcdefghij" * 4 + "!"),
        (r"(a+)+$", "a" * 60 + "b"),
        (r"^(a|aa)*$", "a" * 80 + "b"),
    ],
)
def test_backtracking_patterns_are_searched_fast(pattern: str, value: str) -> None:
    started = time.monotonic()
    assert violated_rule(Schema("string", pattern=pattern), value) == "pattern"
    assert violated_rule(Schema("string", pattern=pattern), value[:-1]) is None
    assert time.monotonic() - started < 2


def test_a_fault_dataset_on_a_backtracking_pattern_finishes(tmp_path: Path) -> None:
    profile = tmp_path / "r.yaml"
    profile.write_text(
        "name: r\npersonas: [normal_user]\ndatasets: [{name: d, type: fault, count: 40}]\n"
        "domain: {primary: A, entities: {A: {schema: {type: object, fields: {name: "
        "{type: string, pattern: '^(\\s*\\w+)*$', min_length: 20, max_length: 40}}}}}}\n"
    )
    out = tmp_path / "o"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "persona_gen",
            "generate",
            str(profile),
            "-s",
            "1",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("source", ["profile", "jsonschema", "jsonschema with its dialect"])
def test_check_of_a_value_that_almost_matches_a_backtracking_pattern_finishes(
    tmp_path: Path, source: str
) -> None:
    """A value edited by hand (not one persona-gen made) that almost matches: check's
    pattern keyword searches it as the label checks do, in time linear in its length."""
    pattern = "^(\\\\s*\\\\w+)*$"
    if source == "profile":
        profile = tmp_path / "r.yaml"
        profile.write_text(
            "name: r\npersonas: [normal_user]\ndatasets: [{name: d, type: file, count: 5}]\n"
            "domain: {primary: A, entities: {A: {schema: {type: object, fields: {name: "
            f'{{type: string, pattern: "{pattern}"}}}}}}}}}}}}\n'
        )
    else:
        schema = tmp_path / "r.schema.json"
        # (a document that names its dialect: jsonschema checks past its first $ref with
        # that dialect's class, which must search patterns safely too)
        dialect = (
            '"$schema": "http://json-schema.org/draft-07/schema#", ' if "dialect" in source else ""
        )
        schema.write_text(
            f'{{{dialect}"title": "A", "type": "object", "required": ["name"], "properties": '
            f'{{"name": {{"type": "string", "pattern": "{pattern}"}}}}}}'
        )
        profile = tmp_path / "r.yaml"
        argv = ["import-schema", str(schema), "-o", str(profile), "-t", "file", "-c", "5"]
        argv += ["--output-format", "json"]
        assert run_cli(argv).code == 0
    data = tmp_path / "d.jsonl"
    assert run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "o")]).code == 0
    made = next(p for p in (tmp_path / "o").glob("*.json") if ".manifest" not in p.name)
    rows = json.loads(made.read_text())
    rows[0]["name"] = "abcdefghij" * 4 + "!"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    started = time.perf_counter()
    result = run_cli(["check", str(data), "--profile", str(profile), "--format", "jsonl"])
    assert time.perf_counter() - started < 30
    assert result.code == 1
    assert "does not match" in result.stderr


@pytest.mark.parametrize(
    ("pattern", "value", "found"),
    [
        (r"^[^\s\p{Cc}]+$", "dev:abc", True),
        (r"^[^\s\p{Cc}]+$", "dev:a\x07c", False),
        (r"^a\p{Cc}b$", "a\x1fb", True),
        (r"^a\P{Cc}b$", "a\x1fb", False),
        (r"^[\]\p{Cc}]$", "]", True),
        (r"^\\p{Cc}$", "\\p{Cc}", True),  # (an escaped backslash, then literal text)
    ],
)
def test_ecma_control_character_classes_are_searched(pattern: str, value: str, found: bool) -> None:
    # Python's re has no \p{...}: such a pattern was "not a regular expression", so check
    # left it unenforced (and a oneOf of it with another option matched both).
    assert pattern_search(pattern, value) is found


@pytest.mark.parametrize(
    ("pattern", "value", "found"),
    [
        (r"^[\p{L} '-]{2,20}$", "José O'Neil-Ünal", True),
        (r"^[\p{L} '-]{2,20}$", "Jo3", False),
        (r"^\p{Lu}{3}$", "ÉΣЖ", True),
        (r"^\p{Lu}{3}$", "AbC", False),
        (r"^\p{Letter}+$", "Łódź", True),
        (r"^\p{Uppercase_Letter}$", "a", False),
        (r"^\p{General_Category=Decimal_Number}+$", "12٣४", True),
        (r"^\p{gc=Nd}+$", "12a", False),
        (r"^\p{N}$", "½", True),
        (r"^\P{L}+$", "1 2-3", True),
        (r"^\P{L}+$", "1a", False),
        (r"^[^\P{L}]+$", "abc", True),  # (not a non-letter: a letter)
        (r"^[^\P{L}]+$", "ab1", False),
        (r"^[\P{L}x]+$", "x1x", True),
        (r"^\p{Script=Greek}+$", "αβγ", True),
        (r"^\p{sc=Grek}+$", "αβc", False),
        (r"^\p{sc=Latn}+$", "abc", True),
        (r"^\p{Script_Extensions=Greek}$", "\u0342", True),  # (Inherited, used by Greek)
        (r"^\p{Script=Greek}$", "\u0342", False),
        (r"^\p{scx=Hira}+$", "ひらがな", True),
        (r"^\p{Alphabetic}+$", "Ⅻa", True),  # (a letter number is alphabetic, not a letter)
        (r"^\p{L}+$", "Ⅻa", False),
        (r"^a\p{White_Space}b$", "a\u2003b", True),
        (r"^\p{ASCII}+$", "abc~", True),
        (r"^\p{ASCII}+$", "abcé", False),
        (r"^\p{Any}{2}$", "\U0001f600\x00", True),
        (r"^[\p{Lu}\p{Nd}]+$", "AB12", True),
        (r"^[\p{Lu}\p{Nd}]+$", "AB12c", False),
        (r"^\\p{L}$", "\\p{L}", True),  # (an escaped backslash, then literal text)
        (r"^[\]\p{Nd}]+$", "]1", True),
        (r"^[]\p{Nd}]+$", "]1", False),  # (ECMA's "[]" is a class of nothing, not re's "]")
    ],
)
def test_ecma_unicode_properties_are_searched(pattern: str, value: str, found: bool) -> None:
    # Python's re has no \p{...}: such a pattern was "not a regular expression", so check
    # left it unenforced.
    assert pattern_search(pattern, value) is found


@pytest.mark.parametrize(
    ("pattern", "said"),
    [
        (r"^\p{Lettr}+$", r"unknown Unicode property \p{Lettr}; did you mean \p{Letter}?"),
        (r"^\p{Script=Klingon}$", r"unknown script 'Klingon' in \p{Script=Klingon}"),
        (r"^\p{Block=Basic_Latin}$", r"unknown Unicode property 'Block' in \p{Block=Basic_Latin}"),
    ],
)
def test_an_unknown_unicode_property_is_named(pattern: str, said: str) -> None:
    assert pattern_search(pattern, "x") is None  # (not enforced, as any unreadable pattern)
    with pytest.raises(re.error) as raised:
        python_pattern(pattern)
    assert str(raised.value).startswith(said)


def test_an_unknown_unicode_property_is_one_warning_of_import_and_of_check(
    tmp_path: Path,
) -> None:
    schema = tmp_path / "s.schema.json"
    schema.write_text(
        '{"title": "S", "type": "object", "required": ["a"], '
        '"properties": {"a": {"type": "string", "pattern": "^\\\\p{Foo}$"}}}'
    )
    profile, data = tmp_path / "p.yaml", tmp_path / "d.jsonl"
    imported = run_cli(["import-schema", str(schema), "-o", str(profile), "-t", "file"])
    assert imported.code == 0
    assert imported.stderr.count("unknown Unicode property \\p{Foo}") == 1, imported.stderr
    data.write_text('{"a": "x"}\n')
    report = tmp_path / "r.json"
    argv = ["check", str(data), "--profile", str(profile), "--schema", str(schema)]
    assert run_cli([*argv, "--report", str(report)]).code == 0
    warnings = json.loads(report.read_text())["warnings"]
    assert [w for w in warnings if "\\p{Foo}" in w] == [
        f"{schema}: pattern '^\\\\p{{Foo}}$' cannot be checked (not a Python regular expression: "
        "unknown Unicode property \\p{Foo} (supported: general categories such as L, Letter, Lu "
        "or gc=Lu, Script=... and Script_Extensions=..., and the binary properties ASCII, "
        "ASCII_Hex_Digit, Alphabetic, Any, Assigned, Emoji, Hex_Digit, ID_Continue, ID_Start, "
        "Lowercase, Uppercase, White_Space)): not enforced"
    ]


@pytest.mark.parametrize(
    ("pattern", "value", "found"),
    [
        (r"^\d+$", "١٢٣", False),  # (Arabic-Indic digits: re's \d, not ECMA's [0-9])
        (r"^\d+$", "123", True),
        (r"^[\d-]+$", "1-٢", False),
        (r"^[^\d]$", "٣", True),
        (r"^[^\d]$", "3", False),
        (r"^\D$", "٣", True),
        (r"^\\d$", "\\d", True),  # (an escaped backslash, then "d")
        (r"^\w+$", "é", False),
        (r"^\w+$", "a_Z9", True),
        (r"^[\w.]+$", "ß.x", False),
        (r"^\W$", "é", True),
        (r"^[\W]$", "é", True),
        (r"^abc$", "abc\n", False),  # (re's $ also matches before a final newline)
        (r"^abc$", "abc", True),
        (r"^[$]$", "$", True),
        (r"^[^]$", "x", True),  # (any character: an error for re)
        (r"^[^]$", "\n", True),
        (r"^a[]b$", "ab", False),  # (a class of nothing: an error for re)
        (r"^a[]?b$", "ab", True),
        (r"^\s$", "\ufeff", True),  # (ECMA's WhiteSpace: U+FEFF and every Zs)
        (r"^\s$", "\u3000", True),
        (r"^\s$", "\u2029", True),
        (r"^\s$", "\x1c", False),  # (re's \s: str.isspace, with \x1c-\x1f and \x85)
        (r"^\s$", "\x85", False),
        (r"^[^\s]$", "\ufeff", False),
        (r"^\S$", "\x1f", True),
        (r"^\S$", "\ufeff", False),
        (r"^[\S]+$", "a b", False),
        (r"\bé", "é", False),  # (é is no word character for ECMA: no boundary before it)
        (r"a\b", "aé", True),
        (r"\Bé", "aé", False),
        (r"^[\b]$", "\b", True),  # (in a class, a backspace)
        (r"^.$", "\r", False),  # (ECMA's . leaves out every line terminator)
        (r"^.$", "\u2028", False),
        (r"^.$", "é", True),
        (r"(?s)^.$", "\r", True),  # (re's own s flag: . is any character)
        (r"(?m)^a$", "a\nb", True),  # (re's own m flag: $ before any newline)
        (r"^\cJ$", "\n", True),  # (a control escape: an error for re)
        (r"^[\cI]$", "\t", True),
        (r"^\u{1F600}$", "\U0001f600", True),  # (a code point escape, u flag)
        (r"^\uD83D\uDE00$", "\U0001f600", True),  # (a surrogate pair: one character)
        (r"^\u0041$", "A", True),
        (r"^(?<x>a)\k<x>$", "aa", True),  # (a named group: re spells it (?P<x>...))
        (r"^(?<x>a)\k<x>$", "ab", False),
        (r"^(?<=a)b|(?<!a)c$", "c", True),
        (r"^(?P<x>a)(?P=x)$", "aa", True),  # (re's own spelling still reads)
        (r"^\/api\/v1$", "/api/v1", True),
        (r"^[[&~|]+$", "[&~|", True),  # (literal in an ECMA class; re warns of set syntax)
        (r"\A\d+\Z", "12", True),
    ],
)
def test_ecma_escapes_and_anchors_are_searched_as_ecma_reads_them(
    pattern: str, value: str, found: bool
) -> None:
    assert pattern_search(pattern, value) is found


def test_a_value_with_arabic_indic_digits_in_a_digits_field_is_reported_by_check(
    tmp_path: Path,
) -> None:
    """A JSON Schema's ``^\\d+$`` means ASCII digits (ECMA-262): ``١٢٣`` breaks it."""
    schema = tmp_path / "s.schema.json"
    schema.write_text(
        '{"title": "S", "type": "object", "required": ["code", "name"], "properties": {'
        '"code": {"type": "string", "pattern": "^\\\\d+$"}, '
        '"name": {"type": "string", "pattern": "^\\\\w+$"}}}'
    )
    profile, data = tmp_path / "p.yaml", tmp_path / "d.jsonl"
    imported = run_cli(["import-schema", str(schema), "-o", str(profile), "-t", "file"])
    assert imported.code == 0, imported.stderr
    rows = [
        {"code": "123", "name": "abc"},
        {"code": "١٢٣", "name": "abc"},
        {"code": "123\n", "name": "abc"},
        {"code": "7", "name": "José"},
    ]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    report = tmp_path / "r.json"
    argv = ["check", str(data), "--profile", str(profile), "--schema", str(schema)]
    result = run_cli([*argv, "--report", str(report)])
    assert result.code == 1, result.stderr
    said = json.dumps(json.loads(report.read_text()), ensure_ascii=False)
    assert "'١٢٣' does not match '^\\\\\\\\d+$'" in said, said
    assert "'123\\\\n' does not match" in said
    assert "'José' does not match '^\\\\\\\\w+$'" in said
    assert "'123' does not match" not in said


def test_pattern_property_keys_are_matched_as_ecma_reads_them(tmp_path: Path) -> None:
    schema = tmp_path / "s.schema.json"
    schema.write_text(
        '{"title": "S", "type": "object", "required": ["m"], "properties": {"m": {'
        '"type": "object", "additionalProperties": false, '
        '"patternProperties": {"^\\\\d+$": {"type": "integer"}}}}}'
    )
    profile, data = tmp_path / "p.yaml", tmp_path / "d.jsonl"
    assert run_cli(["import-schema", str(schema), "-o", str(profile), "-t", "file"]).code == 0
    data.write_text('{"m": {"12": 1}}\n{"m": {"١٢": 1}}\n')
    report = tmp_path / "r.json"
    argv = ["check", str(data), "--profile", str(profile), "--schema", str(schema)]
    assert run_cli([*argv, "--report", str(report)]).code == 1
    said = json.dumps(json.loads(report.read_text()), ensure_ascii=False)
    # (named as the schema wrote it, not as re reads it)
    assert "'١٢' does not match any of the regexes: '^\\\\\\\\d+$'" in said, said
    assert "'12'" not in said
