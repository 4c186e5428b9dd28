"""A real Kafka broker for the tests (a session fixture; tests/conftest.py imports it).

``$PERSONA_GEN_KAFKA_BOOTSTRAP`` (``HOST:PORT``, set by CI) is used when set; otherwise
scripts/kafka.sh starts a throwaway single-node KRaft broker from Apache Kafka's own JARs
(fetched from Maven Central once, then cached) on a free port, and stops it at the end.
Fails loudly, never skips, when no broker can be had: the Kafka proof needs one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "kafka.sh"
START_TIMEOUT_S = 900  # the first run fetches ~45 MB of JARs with Maven


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_broker(state: str) -> str:
    """Start a broker keeping its files in ``state``; its bootstrap address. Fails the test
    (after stopping whatever started) when it cannot start."""
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"a Kafka broker is needed: '{tool}' not found; or set "
                "PERSONA_GEN_KAFKA_BOOTSTRAP=HOST:PORT"
            )
    try:
        started = subprocess.run(
            ["bash", str(SCRIPT), "start", state, str(free_port())],
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        stop_broker(state)
        pytest.fail(f"Kafka did not start within {START_TIMEOUT_S}s")
    if started.returncode != 0:
        stop_broker(state)
        pytest.fail(f"could not start Kafka:\n{started.stderr or started.stdout}")
    return started.stdout.strip().splitlines()[-1]


def stop_broker(state: str) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", state], check=False, capture_output=True)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """``HOST:PORT`` of a running Kafka broker with auto-created topics off."""
    given = os.environ.get("PERSONA_GEN_KAFKA_BOOTSTRAP")
    if given:
        yield given
        return
    state = tempfile.mkdtemp(prefix="persona-gen-kafka-")
    try:
        yield start_broker(state)
    finally:
        stop_broker(state)
        shutil.rmtree(state, ignore_errors=True)
