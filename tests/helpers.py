"""Small helpers shared by tests: run the CLI in-process, collect dataset records."""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr
from dataclasses import dataclass
from typing import Any

from persona_gen import Dataset, PersonaCatalog
from persona_gen.runtime.cli import main

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
