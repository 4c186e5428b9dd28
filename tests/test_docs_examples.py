"""The docs' examples print what the docs say they print.

Two kinds are run as a user would (the ``persona-gen`` found on PATH, in a process of its
own) and compared with the lines under them: ``$ persona-gen … | jq …`` (the jq program
through the jq library, compared value by value), and seeded commands whose output is shown
as it is (the example record of each generator page, CSV rows, the ``| sha256sum`` lines of
the determinism page). So are console sessions: commands that write files which jq and head
then read, and commands that read the YAML files the page shows under their names
(``# bad.yaml``). A deliberate output change that alters one of them must update the page.
The ``persona-gen`` on PATH is this checkout's: a shim put first on PATH runs ``python -m
persona_gen`` from its ``src`` (the installed command may be another checkout's, such as the
main one seen from a git worktree).
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jq
import pytest

ROOT = Path(__file__).resolve().parent.parent
_PROMPT = "$ persona-gen "


@pytest.fixture(scope="module")
def _shim_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a ``persona-gen`` that runs this checkout's code with this Python."""
    folder = tmp_path_factory.mktemp("bin")
    shim = folder / "persona-gen"
    src = shlex.quote(str(ROOT / "src"))
    shim.write_text(
        "#!/bin/sh\n"
        f"PYTHONPATH={src}${{PYTHONPATH:+:$PYTHONPATH}} exec {shlex.quote(sys.executable)} "
        '-m persona_gen "$@"\n'
    )
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.fixture(autouse=True)
def _this_checkout_s_command(_shim_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the shim first on PATH, where a user's shell finds ``persona-gen``."""
    monkeypatch.setenv("PATH", f"{_shim_folder}{os.pathsep}{os.environ.get('PATH', '')}")


def _persona_gen() -> str:
    """The ``persona-gen`` a user's shell runs: the shim, first on PATH."""
    executable = shutil.which("persona-gen")
    first = os.environ["PATH"].split(os.pathsep)[0]
    assert executable is not None and Path(executable).parent == Path(first), executable
    return executable


def _examples(wanted: Any) -> list[Any]:
    """``(command, the text shown under it)`` for each example line ``wanted`` accepts."""
    found = []
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not (line.startswith(_PROMPT) and wanted(line)):
                continue
            shown = []
            for after in lines[number:]:
                if after.startswith(("```", "$ ")):
                    break
                shown.append(after)
            if shown:  # (a command shown without its output is not checked)
                where = f"{page.relative_to(ROOT)}:{number}"
                found.append(pytest.param(line[2:], "\n".join(shown), id=where))
    return found


def _shown_as_is(line: str) -> bool:
    """A seeded command whose whole output (or error message) the page shows: no file
    written, no other tool but ``head`` and ``sha256sum``."""
    words = shlex.split(line)
    if " -s " not in line or any(w in words for w in ("-o", ">", ">&-", "jq")):
        return False
    pipes = [w for i, w in enumerate(words) if words[i - 1] == "|"] if "|" in words else []
    return set(pipes) <= {"head", "sha256sum"}


def _run(command: str, cwd: Path, *, may_fail: bool = False) -> bytes:
    """What a ``persona-gen …`` command prints (through ``| head -N`` and ``| sha256sum``);
    with ``may_fail``, a failing command's message (stderr) instead."""
    stages = [shlex.split(stage) for stage in command.split(" | ")]
    ran = subprocess.run(
        [_persona_gen(), *stages[0][1:]], capture_output=True, cwd=cwd, check=False
    )
    if ran.returncode != 0:
        assert may_fail, ran.stderr.decode()
        return ran.stderr
    out = ran.stdout
    for stage in stages[1:]:
        if stage[0] == "head":
            keep = int(stage[1].lstrip("-n").lstrip("-"))
            out = b"".join(out.splitlines(keepends=True)[:keep])
        elif stage[0] == "sha256sum":
            out = f"{hashlib.sha256(out).hexdigest()}  -\n".encode()
        else:  # pragma: no cover - _shown_as_is admits no other
            raise AssertionError(stage)
    return out


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


EXAMPLES = _examples(lambda line: " | jq " in line)
AS_IS = _examples(_shown_as_is)


def test_the_command_run_is_this_checkout_s(tmp_path: Path) -> None:
    # (in a git worktree, the installed persona-gen runs the main checkout's code: the
    # manifest names the persona file the code that ran ships)
    out = tmp_path / "x.json"
    argv = [_persona_gen(), "quick", "normal_user", "-t", "api", "-n", "1", "-s", "1", "-o"]
    subprocess.run([*argv, str(out)], capture_output=True, check=True)
    (persona,) = json.loads(Path(f"{out}.manifest.json").read_text())["personas"]
    assert Path(persona["source"]).is_relative_to(ROOT / "src"), persona["source"]


def test_the_docs_have_examples_to_check() -> None:
    assert len(EXAMPLES) >= 15
    assert len(AS_IS) >= 10


@pytest.mark.parametrize(("command", "shown"), AS_IS)
def test_doc_example_output_is_what_the_doc_shows(command: str, shown: str, tmp_path: Path) -> None:
    printed = _run(command, tmp_path, may_fail=shown.startswith("persona-gen: error:"))
    assert printed.decode().rstrip("\n") == shown.rstrip("\n")


@pytest.mark.parametrize(("command", "shown"), EXAMPLES)
def test_doc_example_prints_what_the_doc_shows(command: str, shown: str, tmp_path: Path) -> None:
    tool, _, query = command.partition(" | jq ")
    options = shlex.split(query)
    program = [o for o in options if not o.startswith("-")]
    assert len(program) == 1 and set(options) - set(program) <= {"-c"}, f"unsupported: {query}"
    got = jq.compile(program[0]).input_text(_run(tool, tmp_path).decode()).all()
    assert got == _values(shown)


# -- sessions: a command writes a file, the next ones read it (jq, head) ----------------------

_READERS = ("jq", "head")


def _sessions() -> list[Any]:
    """Console blocks in which ``persona-gen`` writes files that ``jq``/``head`` then read:
    ``[(command, shown), ...]`` per block (blocks using services or other tools are left to
    the reader)."""
    found = []
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        lines = page.read_text(encoding="utf-8").splitlines()
        start: int | None = None
        steps: list[tuple[str, list[str]]] = []
        for number, line in enumerate(lines, 1):
            if line.startswith("```console"):
                start, steps = number, []
            elif line.startswith("```") and start is not None:
                tools = {shlex.split(command)[0] for command, _ in steps}
                # (no pipes, services or persona folders the page made outside the block)
                plain = not any({"|", "--sink", "-p"} & set(shlex.split(c)) for c, _ in steps)
                if tools & set(_READERS) and tools <= {"persona-gen", *_READERS} and plain:
                    where = f"{page.relative_to(ROOT)}:{start}"
                    session = [(c, "\n".join(shown)) for c, shown in steps]
                    found.append(pytest.param(session, id=where))
                start = None
            elif start is not None and line.startswith("$ "):
                steps.append((line[2:], []))
            elif start is not None and steps:
                steps[-1][1].append(line)
    return found


def _step(command: str, cwd: Path) -> tuple[str, list[Any] | None]:
    """What one step prints: its text, and for jq its JSON values."""
    words = shlex.split(command)
    if words[0] == "persona-gen":
        target = None
        if ">" in words:
            at = words.index(">")
            words, target = words[:at], words[at + 1]
        ran = subprocess.run(
            [_persona_gen(), *words[1:]], capture_output=True, cwd=cwd, check=False
        )
        if target is not None:
            (cwd / target).write_bytes(ran.stdout)
            return ran.stderr.decode(), None
        return (ran.stdout + ran.stderr).decode(), None
    if words[0] == "head":
        keep = int(words[1].lstrip("-n").lstrip("-"))
        text = (cwd / words[2]).read_text(encoding="latin-1")
        return "".join(text.splitlines(keepends=True)[:keep]), None
    options = [w for w in words[1:-1] if w.startswith("-")]
    (program,) = [w for w in words[1:-1] if not w.startswith("-")]
    assert set(options) <= {"-c", "-r"}, f"unsupported: {command}"
    values = jq.compile(program).input_text((cwd / words[-1]).read_text()).all()
    if "-r" in options:
        return "\n".join(v if isinstance(v, str) else json.dumps(v) for v in values), None
    return "", values


SESSIONS = _sessions()


def test_the_docs_have_sessions_to_check() -> None:
    assert len(SESSIONS) >= 10


@pytest.mark.parametrize("session", SESSIONS)
def test_doc_session_prints_what_the_doc_shows(
    session: list[tuple[str, str]], tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")  # (pages import schemas/…)
    for command, shown in session:
        printed, values = _step(command, tmp_path)
        if not shown.strip():
            continue
        if values is not None:
            assert values == _values(shown), command
        else:
            assert printed.rstrip("\n") == shown.rstrip("\n"), command


# -- sessions on the page's own files: `# name.yaml` blocks, then commands that read them ------


def _page_files(text: str) -> dict[str, str]:
    """The YAML blocks of a page that name their file on their first line (``# bad.yaml``)."""
    found = {}
    for block in text.split("```yaml\n")[1:]:
        body = block.split("```", 1)[0]
        first = body.split("\n", 1)[0].split()
        if len(first) >= 2 and first[0] == "#" and first[1].endswith((".yaml", ".yml")):
            found[first[1]] = body
    return found


def _sessions_on_page_files() -> list[Any]:
    """Console blocks whose commands read only files the page writes out as YAML blocks
    (``persona-gen validate bad.yaml``, ``-p team`` for ``team/normal_user.yaml``), with
    those files: ``(files, [(command, shown), ...])`` per block."""
    found = []
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        text = page.read_text(encoding="utf-8")
        files = _page_files(text)
        parts = text.split("```console\n")
        for number, block in enumerate(parts[1:], 1):
            steps: list[tuple[str, list[str]]] = []
            for line in block.split("```", 1)[0].splitlines():
                if line.startswith("$ "):
                    steps.append((line[2:], []))
                elif steps:
                    steps[-1][1].append(line)
            words = [w for command, _ in steps for w in shlex.split(command)]
            named = [w for w in words if w.endswith((".yaml", ".yml"))]
            folders = [w for w in words if any(f.startswith(f"{w.rstrip('/')}/") for f in files)]
            tools = {shlex.split(command)[0] for command, _ in steps}
            if (
                (named or folders)
                and set(named) <= set(files)
                and tools <= {"persona-gen", *_READERS}
                and not {"|", "--sink"} & set(words)
            ):
                line = sum(part.count("\n") + 1 for part in parts[:number])
                session = [(c, "\n".join(shown)) for c, shown in steps]
                found.append(pytest.param(files, session, id=f"{page.relative_to(ROOT)}:{line}"))
    return found


PAGE_FILE_SESSIONS = _sessions_on_page_files()


def test_the_docs_have_sessions_on_their_own_files() -> None:
    assert len(PAGE_FILE_SESSIONS) >= 8


@pytest.mark.parametrize(("files", "session"), PAGE_FILE_SESSIONS)
def test_doc_session_on_the_page_s_files_prints_what_the_doc_shows(
    files: dict[str, str], session: list[tuple[str, str]], tmp_path: Path
) -> None:
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    for command, shown in session:
        printed, values = _step(command, tmp_path)
        if values is not None:
            assert values == _values(shown), command
        else:
            assert printed.rstrip("\n") == shown.rstrip("\n"), command
