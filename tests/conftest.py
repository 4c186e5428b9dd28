"""Shared fixtures: a real PostgreSQL server, corpus pass-rate reporting, golden updates."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kafka_fixture import kafka_bootstrap  # noqa: F401 - session fixture: a real broker

ROOT = Path(__file__).resolve().parent.parent

# format -> {"entities": [ok, total], "records": [ok, total]}, filled by corpus tests and
# printed at the end of the run (issue: "report the pass rate per format in the test output").
CORPUS_REPORT: dict[str, dict[str, list[int]]] = {}


def corpus_count(fmt: str, kind: str, ok: int, total: int) -> None:
    entry = CORPUS_REPORT.setdefault(fmt, {"entities": [0, 0], "records": [0, 0]})
    entry[kind][0] += ok
    entry[kind][1] += total


def pytest_configure(config: pytest.Config) -> None:
    # Tests of Ctrl-C send real SIGINTs and expect Python's own handling of them: a suite
    # started as a background job of a script (as a CI runner may start it) inherits SIGINT
    # ignored, and those tests would then pass or fail for the runner's reasons.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite golden files from the current output.",
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CORPUS_REPORT:
        return
    terminalreporter.section("schema corpus pass rates")
    for fmt, entry in sorted(CORPUS_REPORT.items()):
        (eo, et), (ro, rt) = entry["entities"], entry["records"]
        terminalreporter.write_line(
            f"{fmt:<11} entities imported {eo}/{et} ({100 * eo / max(et, 1):.1f}%)   "
            f"records valid {ro}/{rt} ({100 * ro / max(rt, 1):.2f}%)"
        )


@pytest.fixture(autouse=True)
def _manifests_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sink runs write a manifest in the working directory by default: not into the repo."""
    monkeypatch.setenv("PERSONA_GEN_MANIFEST_DIR", str(tmp_path))


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server: $PERSONA_GEN_PG_URL if set (CI), else a throwaway cluster.

    Fails loudly (never skips) when no server can be had: the DDL proof needs one.
    """
    url = os.environ.get("PERSONA_GEN_PG_URL")
    if url:
        yield url
        return
    if shutil.which("initdb") is None and not Path("/usr/lib/postgresql/15/bin/initdb").exists():
        pytest.fail("PostgreSQL is needed (initdb not found); set PERSONA_GEN_PG_URL")
    data = tempfile.mkdtemp(prefix="persona-gen-pg-")
    script = ROOT / "scripts" / "postgres.sh"
    port = str(_free_port())
    started = subprocess.run(
        ["bash", str(script), "start", data, port], capture_output=True, text=True, check=False
    )
    if started.returncode != 0:
        pytest.fail(f"could not start PostgreSQL: {started.stderr or started.stdout}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(script), "stop", data], check=False, capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[str]:
    """A fresh database on the test server (dropped afterwards); its URL."""
    import psycopg
    from psycopg import sql

    name = f"test_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", postgres_url, count=1)
    try:
        yield url
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
