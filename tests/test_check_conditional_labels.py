"""Labels agree with the source schema's own validator where the import had to reshape it:
values of any type held to an enum, conditionally required fields, enums split by
conditionals, OpenAPI discriminators (ADR 0004)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from tests.helpers import run_cli


def _run(
    tmp: Path, name: str, schema: dict[str, Any] | str, dtype: str, persona: str, *,
    count: int, fmt: str = "jsonl", entity: str | None = None, seed: int = 5,
) -> tuple[CheckReport, list[dict[str, Any]]]:  # fmt: skip
    """Import ``schema`` (written as tmp/name), generate, check: (report, records)."""
    source = tmp / name
    source.write_text(schema if isinstance(schema, str) else json.dumps(schema))
    profile = tmp / "p.yaml"
    args = ["import-schema", str(source), "-t", dtype, "-o", str(profile), "--force"]
    args += ["-c", str(count), "--output-format", fmt, *(["-e", entity] if entity else [])]
    result = run_cli(args)
    assert result.code == 0, result.stderr
    out = tmp / "out"
    result = run_cli(
        ["generate", str(profile), "--persona", persona, "-o", str(out), "-s", str(seed)]
    )
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    text = data.read_text()
    rows = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else []
    return check_dataset(data, load_profile(profile)), rows


def test_null_in_a_field_of_any_type_held_to_an_enum_is_labelled_enum(tmp_path: Path) -> None:
    # `d: {enum: [1, "a", true, 2.5]}` has no type: a null there was labelled valid,
    # although null is not one of the listed values.
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "E2",
        "type": "object",
        "required": ["d"],
        "properties": {"d": {"enum": [1, "a", True, 2.5]}},
    }
    report, rows = _run(tmp_path, "e2.schema.json", schema, "fault", "edge_case_user", count=300)
    assert report.exit_code == 0, report.to_json()
    nulls = [r for r in rows if r["mutation"] == "null_injection"]
    assert nulls and all(not r["expected_valid"] and r["rule"] == "enum" for r in nulls)
