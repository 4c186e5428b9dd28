"""A PostgreSQL destination or `check` source that cannot be used: one line each, exit 1.

Servers that are not PostgreSQL (silent, closing, HTTP) and one that asks for a password
are played by a socket in a thread; the role and database cases use the test server.
"""

from __future__ import annotations

import contextlib
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from persona_gen.sinks.database import parse_database_url
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
QUICK = ["quick", "normal_user", "-t", "file", "-n", "5", "-s", "1"]
_SSL_OR_GSS = (80877103, 80877104)  # SSLRequest, GSSENCRequest: answered "N" (not offered)


def _silent(conn: socket.socket) -> None:
    conn.recv(1024)
    time.sleep(30)  # (ends with the test process: a daemon thread)


def _closes(conn: socket.socket) -> None:
    conn.close()


def _http(conn: socket.socket) -> None:
    conn.recv(1024)
    conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    conn.close()


def _errs_at_ssl(conn: socket.socket) -> None:
    conn.recv(1024)
    conn.sendall(b"E\x00\x00\x00\x08abcd")  # an "error" where PostgreSQL says S or N


def _startup(conn: socket.socket) -> None:
    """Refuses the SSL and GSS requests (``N``), as a PostgreSQL without them does, until
    the startup message comes."""
    while True:
        (length,) = struct.unpack("!i", conn.recv(4, socket.MSG_WAITALL))
        (code,) = struct.unpack("!i", conn.recv(length - 4, socket.MSG_WAITALL)[:4])
        if code not in _SSL_OR_GSS:
            break
        conn.sendall(b"N")


def _odd_authentication(conn: socket.socket) -> None:
    """Answers the SSL and GSS requests as PostgreSQL would, then asks for an
    authentication method no PostgreSQL has."""
    _startup(conn)
    conn.sendall(b"R" + struct.pack("!ii", 8, 99))
    conn.recv(1024)


def _asks_password(conn: socket.socket) -> None:
    """The startup protocol up to a refused cleartext password, as PostgreSQL answers."""
    _startup(conn)
    conn.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
    if conn.recv(1, socket.MSG_WAITALL) == b"p":
        fields = b"".join(
            f"{key}{value}\0".encode()
            for key, value in (
                ("S", "FATAL"),
                ("V", "FATAL"),
                ("C", "28P01"),
                ("M", 'password authentication failed for user "app"'),
            )
        )
        conn.sendall(b"E" + struct.pack("!i", len(fields) + 5) + fields + b"\0")
    conn.close()


@pytest.fixture
def fake_server() -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    """Start a server whose connections ``behave``; its port. Every socket is closed when
    the test ends (one left to the collector warns in whichever test runs then)."""
    sockets: list[socket.socket] = []

    def start(behave: Callable[[socket.socket], None]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        sockets.append(listener)

        def handle(conn: socket.socket) -> None:
            with conn, contextlib.suppress(OSError):  # (closed under it: the test is over)
                behave(conn)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:  # closed: the test is over
                    return
                sockets.append(conn)
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        port: int = listener.getsockname()[1]
        return port

    yield start
    for sock in sockets:
        sock.close()


def _one_error_line(args: list[str], code: int = 1) -> str:
    result = run_cli(args)
    assert result.code == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def users_profile(tmp_path_factory: pytest.TempPathFactory) -> str:
    profile = tmp_path_factory.mktemp("profile") / "users-db.yaml"
    schema = str(ROOT / "schemas/users.sql")
    imported = run_cli(["import-schema", schema, "-e", "users", "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    return str(profile)


@pytest.mark.parametrize(
    ("behave", "said"),
    [
        (_closes, "did not answer as PostgreSQL (it closed the connection)"),
        (_http, "did not answer as PostgreSQL (it replied with something else)"),
        (_errs_at_ssl, "did not answer as PostgreSQL (it replied with something else)"),
        (
            _odd_authentication,
            "did not answer as PostgreSQL (it asked for authentication method 99, which "
            "PostgreSQL does not have)",
        ),
        (_silent, "accepted the connection but did not answer as PostgreSQL within 1 s"),
    ],
)
def test_a_server_that_is_not_postgresql_is_named_for_a_load_and_for_check(
    fake_server: Callable[[Callable[[socket.socket], None]], int],
    users_profile: str,
    behave: Callable[[socket.socket], None],
    said: str,
) -> None:
    port = fake_server(behave)
    url = f"postgresql://app@127.0.0.1:{port}/shop?connect=1"
    shown = f"postgresql://app@127.0.0.1:{port}/shop"
    want = f"cannot reach PostgreSQL at {shown}: the server at 127.0.0.1:{port} {said}"
    started = time.monotonic()
    assert want in _one_error_line([*QUICK, "--sink", url])
    assert want in _one_error_line(["generate", users_profile, "-s", "1", "--sink", url])
    assert want in _one_error_line(["check", url, "--profile", users_profile])
    assert time.monotonic() - started < 20  # (a silent server: 1 s, and the probe, each)


def test_nothing_listening_is_named(users_profile: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as held:  # a port free of any listener
        port = held.getsockname()[1]
    url = f"postgresql://app@127.0.0.1:{port}/shop"
    want = f"PostgreSQL at {url}: nothing listens on 127.0.0.1:{port} (connection refused)"
    # (an outage, exit 69, where a server that answers as something else is exit 1 above)
    assert _one_error_line([*QUICK, "--sink", url], 69).endswith(want)
    assert _one_error_line(["check", url, "--profile", users_profile], 69).endswith(want)


def test_a_host_name_that_does_not_resolve_is_named(users_profile: str) -> None:
    url = "postgresql://u@no-such-host.invalid/db?connect=2"
    want = (
        "cannot reach PostgreSQL at postgresql://u@no-such-host.invalid/db: the host "
        "'no-such-host.invalid' was not found (a misspelt host name, or no network "
        "name service)"
    )
    assert _one_error_line([*QUICK, "--sink", url], 69).endswith(want)
    assert _one_error_line(["check", url, "--profile", users_profile], 69).endswith(want)


def test_a_connection_reset_at_once_is_no_postgresql() -> None:
    """A peer that resets the connection before the client sent a byte (libpq's words;
    played by a socket, the reset races the client's first packet and reads as a close)."""
    from persona_gen.sinks.database_connect import connect_failure

    target = parse_database_url("postgresql://app@127.0.0.1:5999/shop")
    said = (
        'connection failed: connection to server at "127.0.0.1", port 5999 failed: '
        "Connection reset by peer\n\tIs the server running on that host and accepting "
        "TCP/IP connections?"
    )
    assert connect_failure(target, psycopg.OperationalError(said)) == (
        f"cannot reach PostgreSQL at {target}: the server at 127.0.0.1:5999 did not answer "
        "as PostgreSQL (it reset the connection); is that PostgreSQL's port?"
    )
    # (another failure of the network keeps the system's words, without libpq's hint)
    unreachable = said.replace("Connection reset by peer", "No route to host")
    assert connect_failure(target, psycopg.OperationalError(unreachable)) == (
        f"cannot reach PostgreSQL at {target}: No route to host"
    )


def test_no_answer_at_all_says_the_port_took_no_connection() -> None:
    """A timeout where the TCP connection itself is not taken (a firewall dropping it, a
    wrong host): played by a closed port, as the probe after the timeout sees it."""
    from persona_gen.sinks.database_connect import connect_failure

    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
    target = parse_database_url(f"postgresql://app@127.0.0.1:{port}/shop?connect=2")
    message = connect_failure(target, psycopg.errors.ConnectionTimeout("timeout expired"))
    assert message == (
        f"cannot reach PostgreSQL at {target}: no answer from 127.0.0.1:{port} within 2 s "
        "(a wrong host or port, or a firewall; a slow network: wait longer with "
        "?connect=SECONDS)"
    )


def test_a_wrong_password_is_the_servers_refusal(
    fake_server: Callable[[Callable[[socket.socket], None]], int], users_profile: str
) -> None:
    port = fake_server(_asks_password)
    url = f"postgresql://app:wrong@127.0.0.1:{port}/shop"
    line = _one_error_line([*QUICK, "--sink", url])
    assert line.endswith(
        f"PostgreSQL at postgresql://app@127.0.0.1:{port}/shop refused the connection: "
        'password authentication failed for user "app" (check the password: in PGPASSWORD, '
        "~/.pgpass or the URL)"
    )
    assert "wrong" not in line
    line = _one_error_line(["check", url.replace(":wrong", ""), "--profile", users_profile])
    assert line.endswith(
        "asks for a password and none was given (give it in PGPASSWORD or ~/.pgpass)"
    )


def test_a_role_or_database_that_does_not_exist_is_the_servers_refusal(
    pg_db: str, users_profile: str
) -> None:
    no_database = re.sub(r"/[^/?]*(\?|$)", r"/no_such_database\1", pg_db, count=1)
    line = _one_error_line([*QUICK, "--sink", no_database])
    assert line.endswith('refused the connection: database "no_such_database" does not exist')
    no_role = re.sub(r"^(postgres(ql)?://)([^@/]*@)?", r"\1no_such_role@", pg_db)
    line = _one_error_line(["check", no_role, "--profile", users_profile])
    assert line.endswith('refused the connection: role "no_such_role" does not exist')
