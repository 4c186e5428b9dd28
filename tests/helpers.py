"""Small helpers shared by tests: run the CLI in-process, collect dataset records."""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_gen import Dataset, PersonaCatalog
from persona_gen.runtime.cli import main

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
GENERATORS = ("api", "streaming", "file", "load", "fault")
PERSONAS = ("normal_user", "noisy_device", "legacy_client", "high_volume_system", "edge_case_user")


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: str


def run_cli(args: Sequence[str]) -> Result:
    """Run ``persona-gen args`` in this process, capturing stdout bytes and stderr text."""
    out = io.BytesIO()
    err = io.StringIO()

    wrapper = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    old = sys.stdout
    sys.stdout = wrapper
    try:
        with redirect_stderr(err):
            code = main(list(args))
    finally:
        wrapper.flush()
        sys.stdout = old
    return Result(code, out.getvalue(), err.getvalue())


def records(
    persona: str, generator: str, count: int, seed: int = 7, catalog: PersonaCatalog | None = None
) -> list[dict[str, Any]]:
    cat = catalog or PersonaCatalog()
    dataset = Dataset([(cat.get(persona), 1.0)], generator, count, seed)
    return [r for block in dataset.blocks() for r in block]


def generated_rows(profile: Path, persona: str, out: Path) -> list[dict[str, Any]]:
    """The records ``generate PROFILE --persona PERSONA -o OUT`` writes, for a profile of one
    JSON dataset."""
    result = run_cli(["generate", str(profile), "--persona", persona, "-o", str(out)])
    assert result.code == 0, result.stderr
    [data] = [p for p in out.glob("*.json") if not p.name.endswith(".manifest.json")]
    rows: list[dict[str, Any]] = json.loads(data.read_text(encoding="utf-8"))
    return rows


def import_profile(
    schemas: Path,
    profile: Path,
    schema: str,
    dtype: str,
    *,
    count: int,
    entity: str | None = None,
    fmt: str | None = None,
) -> Path:
    """Copy the repo's schemas into ``schemas`` and import ``schema`` into ``profile``
    (replacing a profile an earlier call made there)."""
    schemas.mkdir(parents=True, exist_ok=True)
    profile.parent.mkdir(parents=True, exist_ok=True)
    for f in SCHEMAS.iterdir():
        shutil.copy(f, schemas / f.name)
    args = ["import-schema", str(schemas / schema), "-t", dtype, "-o", str(profile), "--force"]
    args += ["-c", str(count), *(["--output-format", fmt] if fmt else [])]
    result = run_cli([*args, *(["-e", entity] if entity else [])])
    assert result.code == 0, result.stderr
    return profile


def import_object(
    folder: Path,
    properties: dict[str, Any],
    dtype: str,
    *,
    count: int,
    fmt: str | None = None,
) -> Path:
    """A profile imported from a JSON Schema object ``Thing`` of ``properties``, every one
    required (``folder/s.json`` into ``folder/p.yaml``)."""
    schema = folder / "s.json"
    thing = {"title": "Thing", "type": "object", "required": list(properties)}
    schema.write_text(json.dumps({**thing, "properties": properties}))
    profile = folder / "p.yaml"
    args = ["import-schema", str(schema), "-o", str(profile), "-t", dtype, "-c", str(count)]
    result = run_cli([*args, *(["--output-format", fmt] if fmt else [])])
    assert result.code == 0, result.stderr
    return profile
