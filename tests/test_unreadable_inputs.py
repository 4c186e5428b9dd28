"""Inputs the user may not read: one ``persona-gen: error:`` line and exit code 1 (a user
error, docs/errors.md), never Click's usage error (exit 2), a traceback or a silent "none"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import SCHEMAS, Result, run_cli

ROOT = Path(__file__).resolve().parent.parent

# Root reads any file whatever its mode; without these capabilities it is held to the mode
# bits as any user (files made by the test belong to it, so mode 000 locks them).
_UNPRIVILEGED = ["--bounding-set=-dac_override,-dac_read_search,-fowner"]


def run_locked(args: list[str], cwd: Path) -> Result:
    """``persona-gen args`` in ``cwd`` as a user held to file modes: in this process, or for
    root in a child without the capabilities that bypass them (util-linux's setpriv)."""
    if os.geteuid() != 0:
        old = Path.cwd()
        os.chdir(cwd)
        try:
            return run_cli(args)
        finally:
            os.chdir(old)
    setpriv = shutil.which("setpriv")
    assert setpriv is not None, "running as root, these tests need util-linux's setpriv"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [setpriv, *_UNPRIVILEGED, sys.executable, "-m", "persona_gen", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr.decode())


@pytest.fixture
def locked(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Lock a file or folder (mode 000) in ``tmp_path``; unlocked again afterwards."""
    made: list[Path] = []

    def lock(path: Path) -> Path:
        path.chmod(0)
        made.append(path)
        return path

    yield lock
    for path in made:
        path.chmod(0o700)


def _persona(folder: Path) -> Path:
    folder.mkdir()
    target = folder / "normal_user.yaml"
    shutil.copy(ROOT / "personas" / "normal_user.yaml", target)
    return target


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["validate", "x.yaml"], "x.yaml: cannot read: Permission denied"),
        (["validate", "x.yaml", "-t", "persona"], "x.yaml: cannot read: Permission denied"),
        (["generate", "x.yaml", "-o", "out"], "x.yaml: cannot read: Permission denied"),
        (["import-schema", "x.yaml", "-o", "p.yaml"], "x.yaml: cannot read: Permission denied"),
        (["check", "d.json", "--profile", "x.yaml"], "x.yaml: cannot read: Permission denied"),
    ],
)
def test_an_unreadable_file_is_a_user_error(
    tmp_path: Path, locked: object, command: list[str], shown: str
) -> None:
    """Click's own check said `Error: Invalid value for 'file': path 'x.yaml' is not
    readable.` with its usage lines and exit code 2."""
    shutil.copy(ROOT / "personas" / "normal_user.yaml", tmp_path / "x.yaml")
    (tmp_path / "d.json").write_text("[]")
    locked(tmp_path / "x.yaml")  # type: ignore[operator]
    result = run_locked(command, tmp_path)
    assert (result.code, result.stderr) == (1, f"persona-gen: error: {shown}\n")


@pytest.mark.parametrize(
    "command",
    [
        ["list-personas", "-p", "team"],
        ["quick", "normal_user", "-p", "team", "-t", "api", "-n", "1", "-s", "1"],
        ["validate", "v.yaml", "-p", "team"],
        ["init-profile", "-n", "p", "--personas-dir", "team", "-o", "p.yaml"],
    ],
)
def test_an_unreadable_persona_folder_is_a_user_error(
    tmp_path: Path, locked: object, command: list[str]
) -> None:
    """It was Click's exit 2; let past Click, it would read as a folder of no personas: the
    built-in normal_user ran instead of the folder's own."""
    shutil.copy(ROOT / "personas" / "normal_user.yaml", tmp_path / "v.yaml")
    _persona(tmp_path / "team")
    locked(tmp_path / "team")  # type: ignore[operator]
    result = run_locked(command, tmp_path)
    assert (result.code, result.stderr) == (
        1,
        "persona-gen: error: persona directory 'team': cannot read: Permission denied\n",
    )
    assert not (tmp_path / "p.yaml").exists()


def test_an_unsearchable_proto_include_folder_is_said(tmp_path: Path, locked: object) -> None:
    """`-I` of a folder that may not be searched was Click's exit 2; past Click, looking for
    an import in it raised PermissionError with a traceback."""
    shutil.copy(SCHEMAS / "user.proto", tmp_path / "user.proto")
    (tmp_path / "inc").mkdir()
    shutil.copy(SCHEMAS / "common.proto", tmp_path / "inc" / "common.proto")
    locked(tmp_path / "inc")  # type: ignore[operator]
    result = run_locked(["import-schema", "user.proto", "-I", "inc", "-o", "p.yaml"], tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("persona-gen: error: ")
    assert result.stderr.endswith(
        f"cannot look for an import in '{tmp_path / 'inc'}': Permission denied\n"
    )
    assert not (tmp_path / "p.yaml").exists()
