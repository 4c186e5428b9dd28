"""SIGTERM (``docker stop``, Kubernetes, ``kill``) stops a file run as Ctrl-C does: the
partial file is deleted and the exit code is 143. Started with SIGINT ignored (a background
job of a script), SIGTERM ends the process at once, as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from persona_gen._console import INTERRUPTED

SRC = str(Path(__file__).resolve().parent.parent / "src")


def _start(
    folder: Path,
    *extra: str,
    sigint: Any = signal.default_int_handler,
    sighup: Any = signal.SIG_DFL,
) -> Any:
    """A long ``quick`` run writing big.json, once it is writing. SIGHUP's disposition is set
    for the child (``sighup``): a suite started under ``nohup``, as a CI job may be, would
    hand on its SIG_IGN, which the run rightly keeps."""
    args = ["quick", "normal_user", "-t", "api", "-n", "5000000", "-s", "1"]
    env = {**os.environ, "PYTHONPATH": SRC}
    previous = signal.signal(signal.SIGINT, sigint)
    previous_hup = signal.signal(signal.SIGHUP, sighup)  # (a disposition the child keeps)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "persona_gen", *args, "-o", "big.json", *extra],
            cwd=folder,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGHUP, previous_hup)
    deadline = time.monotonic() + 120
    while not list(folder.glob(".big.json.*.partial")):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()[1]
        time.sleep(0.05)
    time.sleep(0.5)  # (records are being written)
    return proc


def _ended(proc: Any) -> str:
    """The run's stderr once it has ended; killed (and the test failed) if it does not."""
    try:
        return str(proc.communicate(timeout=120)[1])
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(
    ("signum", "code"),
    [
        (signal.SIGTERM, 143),
        # (the terminal or SSH session of a run went away, a CI agent's connection dropped:
        # the process ended at once, leaving its .partial file)
        (signal.SIGHUP, 129),
    ],
)
def test_a_stop_signal_deletes_the_partial_file_and_exits_128_plus_it(
    tmp_path: Path, workers: str, signum: int, code: int
) -> None:
    proc = _start(tmp_path, "--workers", workers)
    proc.send_signal(signum)
    err = _ended(proc)
    assert proc.returncode == code, err
    assert err.strip().splitlines()[-1] == INTERRUPTED
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_run_under_nohup_goes_on_after_sighup(tmp_path: Path) -> None:
    # (nohup sets SIGHUP to SIG_IGN so that the run outlives its terminal: it is kept)
    proc = _start(tmp_path, sighup=signal.SIG_IGN)
    proc.send_signal(signal.SIGHUP)
    time.sleep(1.0)
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    err = _ended(proc)
    assert proc.returncode == 143, err


def test_with_sigint_ignored_sigterm_keeps_its_default(tmp_path: Path) -> None:
    proc = _start(tmp_path, sigint=signal.SIG_IGN)
    proc.send_signal(signal.SIGTERM)
    _ended(proc)
    assert proc.returncode == -signal.SIGTERM
    assert not (tmp_path / "big.json").exists()  # (a .partial may be left: said in errors.md)
