"""Ctrl-C during a database load or a Kafka send, with a real SIGINT sent to a real run.

Started with SIGINT ignored (``cmd &`` in a shell script: a background job; ``nohup``
ignores SIGHUP, not SIGINT) the load neither stops nor takes SIGINT back: the parent
ignored it on purpose. Started interactively, Ctrl-C rolls
the load back and exits 130 (docs/sinks.md).
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROWS = 100_000


def _start_load(pg_db: str, manifest: Path, sigint: Any) -> subprocess.Popen[str]:
    """A load of ROWS rows into table ``people``, started with SIGINT set to ``sigint``
    (which a child inherits when it is SIG_IGN; a Python handler is reset to default)."""
    args = ["quick", "normal_user", "-t", "file", "-n", str(ROWS), "-s", "3"]
    args += ["--sink", f"{pg_db}?table=people", "--create-tables", "--manifest", str(manifest)]
    previous = signal.signal(signal.SIGINT, sigint)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "persona_gen", *args], stderr=subprocess.PIPE, text=True
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait_for_copy(pg_db: str, proc: subprocess.Popen[str]) -> None:
    """Until the run's COPY is under way (start-up takes long on a busy machine)."""
    deadline = time.monotonic() + 120
    with psycopg.connect(pg_db, autocommit=True) as admin:
        while time.monotonic() < deadline and proc.poll() is None:
            copying = admin.execute(
                "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name ="
                " 'persona-gen' AND query LIKE 'COPY%%'"
            ).fetchone()
            if copying == (True,):
                return
            time.sleep(0.02)
    raise AssertionError(f"the load never reached COPY: {proc.communicate()[1]}")


def _ignores_sigint(pid: int) -> bool:
    """Whether the process's SIGINT disposition is SIG_IGN (its /proc status mask)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    raise AssertionError("no SigIgn line")


def _rows(pg_db: str) -> int | None:
    with psycopg.connect(pg_db, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('people')").fetchone() == (None,):
            return None
        counted = conn.execute("SELECT count(*) FROM people").fetchone()
        return None if counted is None else int(counted[0])


def test_a_load_started_with_sigint_ignored_keeps_it_ignored_and_completes(
    pg_db: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.json"
    proc = _start_load(pg_db, manifest, signal.SIG_IGN)
    _wait_for_copy(pg_db, proc)
    still_ignored = []
    for _ in range(3):  # (SIGINT sent again and again, as to a whole process group)
        still_ignored.append(_ignores_sigint(proc.pid))
        proc.send_signal(signal.SIGINT)
        time.sleep(0.1)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert still_ignored == [True] * 3  # the load did not take SIGINT back
    assert _rows(pg_db) == ROWS
    assert json.loads(manifest.read_text())["delivery"]["committed"] is True


def test_ctrl_c_during_a_load_rolls_it_back(pg_db: str, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    proc = _start_load(pg_db, manifest, signal.default_int_handler)
    _wait_for_copy(pg_db, proc)
    assert not _ignores_sigint(proc.pid)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        f"persona-gen: error: {pg_db}: interrupted; the load was rolled back, nothing was kept"
    ]
    assert _rows(pg_db) is None  # the table was created in the rolled-back transaction
    delivery = json.loads(manifest.read_text())["delivery"]
    assert delivery["committed"] is False and delivery["error"].startswith("interrupted")


def test_sigterm_during_a_load_rolls_it_back_as_ctrl_c_does(pg_db: str, tmp_path: Path) -> None:
    """``docker stop`` sends SIGTERM: the load is rolled back and the exit code is 143."""
    manifest = tmp_path / "m.json"
    proc = _start_load(pg_db, manifest, signal.default_int_handler)
    _wait_for_copy(pg_db, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert err.strip().splitlines() == [
        f"persona-gen: error: {pg_db}: interrupted; the load was rolled back, nothing was kept"
    ]
    assert _rows(pg_db) is None
    assert json.loads(manifest.read_text())["delivery"]["committed"] is False


def test_a_kafka_send_leaves_an_ignored_sigint_ignored() -> None:
    # The Kafka sink turns Ctrl-C into a flag while the client flushes; where the parent
    # ignored SIGINT (a background job) it must not take the signal back.
    from persona_gen.sinks.kafka import _InterruptFlag

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _InterruptFlag():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
    with _InterruptFlag() as flag:  # (run interactively, Ctrl-C is held as a flag)
        assert signal.getsignal(signal.SIGINT) == flag._handle
    assert signal.getsignal(signal.SIGINT) is previous


def test_ctrl_c_again_during_the_rollback_still_exits_130_with_one_message(
    tmp_path: Path,
) -> None:
    """A second Ctrl-C (here: one every few milliseconds after the first, as from an
    impatient user) while the load rolls back, writes its manifest and exits: the rollback
    completes, the run ends with 130 and the one message, never "killed by SIGINT"."""
    import sqlite3

    db = tmp_path / "people.db"
    url = f"sqlite:///{db}?table=people"
    base = [sys.executable, "-m", "persona_gen", "quick", "normal_user", "-t", "file"]
    kept = subprocess.run(
        [*base, "-s", "3", "-n", "10", "--sink", url, "--create-tables"],
        capture_output=True,
        check=False,
        text=True,
    )
    assert kept.returncode == 0, kept.stderr
    manifest = tmp_path / "m.json"
    load = [*base, "-s", "4", "-n", "300000", "--sink", url, "--manifest", str(manifest)]
    proc = subprocess.Popen(load, stderr=subprocess.PIPE, text=True)
    journal = db.with_name(db.name + "-journal")
    deadline = time.monotonic() + 120
    while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # (until the load's transaction has begun)
    assert proc.poll() is None, proc.communicate()[1]
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    while proc.poll() is None:
        time.sleep(0.005)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)
    err = proc.communicate()[1]
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [
        f"persona-gen: error: sqlite:///{db}: interrupted; the load was rolled back, "
        "nothing was kept"
    ]
    with sqlite3.connect(db) as conn:  # (the rows of the load before it, and no other)
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (10,)
    delivery = json.loads(manifest.read_text())["delivery"]
    assert delivery["committed"] is False and delivery["error"].startswith("interrupted")
