"""check on data generated from schemas whose import warned about parts it could not use:
the validator skips those parts too, says so in a warning, and never crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from tests.helpers import run_cli


def _round_trip(
    tmp: Path, name: str, text: str, *, entity: str | None = None, count: int = 10
) -> CheckReport:
    """Import the schema ``text`` (file ``name``), generate file rows, check them."""
    schema = tmp / name
    schema.write_text(text, encoding="utf-8")
    profile = tmp / "p.yaml"
    args = ["import-schema", str(schema), "-t", "file", "-o", str(profile), "-c", str(count)]
    result = run_cli([*args, *(["-e", entity] if entity else [])])
    assert result.code == 0, result.stderr
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "1"])
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    return check_dataset(data, load_profile(profile))


def _object(prop: dict[str, object]) -> str:
    return json.dumps(
        {"title": "M", "type": "object", "required": ["a"], "properties": {"a": prop}}
    )


SWAGGER_FILE = json.dumps(
    {
        "swagger": "2.0",
        "info": {"title": "x", "version": "1"},
        "paths": {},
        "definitions": {
            "A": {"type": "object", "required": ["f"], "properties": {"f": {"type": "file"}}}
        },
    }
)
OPENAPI_REMOTE = """
openapi: 3.0.3
info: {title: x, version: "1"}
paths: {}
components:
  schemas:
    A: {$ref: 'http://127.0.0.1:1/a.json'}
"""


@pytest.mark.parametrize(
    ("name", "text", "unenforced"),
    [
        ("rx.schema.json", _object({"type": "string", "pattern": "(["}), "pattern '(['"),
        ("m0.schema.json", _object({"type": "number", "multipleOf": 0}), "multipleOf 0"),
        (
            "ref.schema.json",
            _object({"$ref": "http://127.0.0.1:1/x.json"}),
            "$ref 'http://127.0.0.1:1/x.json'",
        ),
        (
            "id.schema.json",
            json.dumps(
                {
                    "$id": "http://example.com/s.json",
                    "title": "S",
                    "type": "object",
                    "required": ["a"],
                    "properties": {"a": {"$ref": "other.json"}},
                }
            ),
            "$ref 'other.json'",
        ),
        ("sw.json", SWAGGER_FILE, "type 'file'"),
        ("api.yaml", OPENAPI_REMOTE, "$ref 'http://127.0.0.1:1/a.json'"),
    ],
)
def test_what_the_import_ignored_the_check_ignores_with_a_warning(
    tmp_path: Path, name: str, text: str, unenforced: str
) -> None:
    report = _round_trip(tmp_path, name, text)
    assert report.exit_code == 0, report.to_json()
    assert report.checked == 10 and not report.problems
    assert any(unenforced in w and "not enforced" in w for w in report.warnings), report.warnings
