"""The docs' ``$ persona-gen … | jq …`` examples print what the docs say they print.

Each such example is run as a user would (the installed command, then the jq program through
the jq library) and its output compared, value by value, with the lines under it. A deliberate
output change that alters one of them must update the page.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jq
import pytest

ROOT = Path(__file__).resolve().parent.parent
_PROMPT = "$ persona-gen "


def _examples() -> list[Any]:
    found = []
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not (line.startswith(_PROMPT) and " | jq " in line):
                continue
            shown = []
            for after in lines[number:]:
                if after.startswith(("```", "$ ")):
                    break
                shown.append(after)
            where = f"{page.relative_to(ROOT)}:{number}"
            found.append(pytest.param(line[2:], "\n".join(shown), id=where))
    return found


def _values(text: str) -> list[Any]:
    """The JSON values of a text that holds several, one after another (as jq prints)."""
    decoder, out, at = json.JSONDecoder(), [], 0
    text = text.strip()
    while at < len(text):
        value, at = decoder.raw_decode(text, at)
        out.append(value)
        while at < len(text) and text[at].isspace():
            at += 1
    return out


EXAMPLES = _examples()


def test_the_docs_have_examples_to_check() -> None:
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize(("command", "shown"), EXAMPLES)
def test_doc_example_prints_what_the_doc_shows(command: str, shown: str, tmp_path: Path) -> None:
    tool, _, query = command.partition(" | jq ")
    options = shlex.split(query)
    program = [o for o in options if not o.startswith("-")]
    assert len(program) == 1 and set(options) - set(program) <= {"-c"}, f"unsupported: {query}"
    executable = shutil.which("persona-gen")
    assert executable, "persona-gen is not installed"
    ran = subprocess.run(
        [executable, *shlex.split(tool)[1:]], capture_output=True, cwd=tmp_path, check=False
    )
    assert ran.returncode == 0, ran.stderr.decode()
    got = jq.compile(program[0]).input_text(ran.stdout.decode()).all()
    assert got == _values(shown)
