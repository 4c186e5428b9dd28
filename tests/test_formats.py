"""The formats checked in ``_formats`` read every string as jsonschema's format checker does
(the labels say "format" exactly where the proof's validator does), and a generating run
labels its records without importing jsonschema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen._formats import OWN_FORMATS, format_ok
from persona_gen.generators.mutations import BAD_FORMATS, INJECTIONS

CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER

# Values near each format's edges: valid ones, and the near misses mutations and typos make.
EXAMPLES = [
    "",
    "@",
    "a@b",
    "user@example.com",
    "user.example.com",
    "1.2.3.4",
    "255.255.255.255",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3",
    "::1",
    "fe80::1%eth0",
    "2001:db8::ff00:42:8329",
    "2001:db8:::1",
    "2024-02-29",
    "2023-02-29",
    "2024-1-01",
    "２０２４-01-01",
    "2024-02-29T12:30:00Z",
    "2024-02-29t12:30:00z",
    "2024-02-29T12:30:00.123+05:30",
    "2024-02-29T24:00:00Z",
    "2024-02-29 12:30:00Z",
    "2024-02-29T12:30:00",
    "12:30:00Z",
    "12:30:00+01:00",
    "12:30:00",
    "23:59:60Z",
    "550e8400-e29b-41d4-a716-446655440000",
    "550e8400e29b41d4a716446655440000",
    "{550e8400-e29b-41d4-a716-446655440000}",
    "urn:uuid:550e8400-e29b-41d4-a716-446655440000",
    "550e8400-e29b-41d4-a716-44665544000",
    "[a-z]+",
    "(",
    "a{2,1}",
    "example.com",
    "localhost",
    "-bad_host-.",
    "a" * 64 + ".com",
    "exa mple.com",
    *BAD_FORMATS.values(),
    *INJECTIONS,
]


@pytest.mark.parametrize("fmt", sorted(OWN_FORMATS))
@pytest.mark.parametrize("value", EXAMPLES)
def test_an_own_format_reads_an_edge_value_as_jsonschema_does(fmt: str, value: str) -> None:
    assert fmt in CHECKER.checkers  # (a format jsonschema no longer checks would pass here)
    for text in (value, f"  {value}\t ", value.upper(), value[:-1], value + "x"):
        assert format_ok(fmt, text) == CHECKER.conforms(text, fmt), (fmt, text)


@settings(max_examples=300, deadline=None)
@given(
    fmt=st.sampled_from(sorted(OWN_FORMATS)),
    value=st.one_of(
        st.text(),
        st.text(alphabet="0123456789abcdefABCDEF-:.@TZtz+ %[](){}"),
        st.sampled_from(EXAMPLES).flatmap(
            lambda v: st.integers(0, max(len(v), 1)).flatmap(
                lambda at: st.text(max_size=2).map(lambda t: v[:at] + t + v[at + 1 :])
            )
        ),
    ),
)
def test_an_own_format_reads_any_text_as_jsonschema_does(fmt: str, value: str) -> None:
    assert format_ok(fmt, value) == CHECKER.conforms(value, fmt)


def test_a_fault_run_labels_its_records_without_importing_jsonschema(tmp_path: Path) -> None:
    # Its import and its checker's took 0.15 to 0.3 s of every fault run (issue 4).
    out = tmp_path / "f.jsonl"
    probe = (
        "import sys\n"
        "from persona_gen.runtime.cli import main\n"
        f"args = ['quick', 'high_volume_system', '-t', 'fault', '-n', '3000', '-o', {str(out)!r}]\n"
        "code = main(args)\n"
        "print(code, 'jsonschema' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stderr.strip().splitlines()[-1] == "0 False", done.stderr
    assert b'"format"' in out.read_bytes()  # (labels that needed a format check were made)
