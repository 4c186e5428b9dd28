"""Connecting to PostgreSQL (for a load, and for ``check``): a psycopg connection, or one
line saying why not — nothing listening, a server that is not PostgreSQL, no answer, or the
server's refusal — that never shows the password."""

from __future__ import annotations

import logging
import re
import socket
from typing import Any

from persona_gen.errors import PersonaGenError, ServiceUnavailable
from persona_gen.sinks.database_url import DatabaseTarget

__all__ = ["connect_failure", "connect_postgres", "scrub_password"]


def connect_postgres(
    target: DatabaseTarget, error: type[PersonaGenError], application: str, **options: Any
) -> Any:
    """A psycopg connection to ``target``, or ``error`` with one line (no password)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        raise error("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from None
    # psycopg logs what it ignores while unwinding a failed COPY ("error ignored terminating
    # <psycopg.Copy [BAD]>: the connection is lost"); the error itself is reported once, so
    # that warning must not reach stderr through logging's last-resort handler.
    _quiet_driver_log()
    try:
        return psycopg.connect(
            target.conninfo,
            connect_timeout=max(1, round(target.connect_s)),
            application_name=application,
            **options,
        )
    except psycopg.Error as exc:
        message, unavailable = _failure(target, exc)
        raise (ServiceUnavailable if unavailable else error)(message) from None


# What libpq says when the peer is no PostgreSQL server: it closed the connection, or sent
# something other than the startup protocol's replies (libpq quotes the bytes it got: they
# stay out of the message).
_CLOSED = "server closed the connection unexpectedly"
_RESET = "Connection reset by peer"
_NOT_POSTGRES = re.compile(
    rf"{_CLOSED}|{_RESET}|invalid response to (SSL|GSSAPI) negotiation"
    r"|expected authentication request from server|invalid message format"
    r"|unexpected message from server during startup|message type .* arrived from server"
    r"|server sent an error response during (SSL|GSS) exchange"
    r"|authentication method \d+ not supported"
)
# A host name the resolver does not know: psycopg resolves it first ("failed to resolve
# host 'H': [Errno -2] Name or service not known"), else libpq ('could not translate host
# name "H" to address: ...').
_UNRESOLVED = re.compile(
    r"failed to resolve host '[^']*'|could not translate host name \"[^\"]*\" to address"
)
# libpq's hint after a failed TCP connection: about the server, which may not be the cause.
_LIBPQ_HINT = re.compile(r"\s*Is the server running (on that host|locally)[^?]*\?")


def connect_failure(target: DatabaseTarget, exc: Exception) -> str:
    """One line for a failed connection: nothing listening, a server that does not speak
    PostgreSQL or never answers, or the server's own refusal (login, database)."""
    return _failure(target, exc)[0]


def _failure(target: DatabaseTarget, exc: Exception) -> tuple[str, bool]:
    """``connect_failure``'s line, and whether no server was reached at all (an outage: no
    answer, nothing listening, an unknown host, no route), rather than a server that
    answered as something else or refused."""
    import psycopg

    where = f"cannot reach PostgreSQL at {target}"
    # libpq's message runs over lines ("server closed the connection unexpectedly / This
    # probably means..."): scrub_password joins them into one.
    reason = scrub_password(str(exc).strip() or type(exc).__name__, target)
    reason = reason.removeprefix("connection failed: ")
    seconds = f"{max(1, round(target.connect_s))} s"
    if isinstance(exc, psycopg.errors.ConnectionTimeout):
        if _accepts_tcp(target):
            return (
                f"{where}: the server at {target.address()} accepted the connection but did "
                f"not answer as PostgreSQL within {seconds}; is that PostgreSQL's port? (a "
                "busy server: wait longer with ?connect=SECONDS)"
            ), False
        return (
            f"{where}: no answer from {target.address()} within {seconds} (a wrong host or "
            "port, or a firewall; a slow network: wait longer with ?connect=SECONDS)"
        ), True
    # (after 'connection to server at "HOST", port PORT failed: ')
    said = re.sub(r'^connection to server at "[^"]*", port \d+ failed: ', "", reason)
    if _UNRESOLVED.search(said):
        return (
            f"{where}: the host '{target.host}' was not found (a misspelt host name, or no "
            "network name service)"
        ), True
    if "Connection refused" in said:
        return f"{where}: nothing listens on {target.address()} (connection refused)", True
    if _NOT_POSTGRES.search(said):
        return (
            f"{where}: the server at {target.address()} did not answer as PostgreSQL (it "
            f"{_not_postgres_did(said)}); is that PostgreSQL's port?"
        ), False
    if said.startswith("FATAL:"):  # the server answered, and refused: login or database
        said = said.removeprefix("FATAL:").strip()
        hint = (
            " (check the password: in PGPASSWORD, ~/.pgpass or the URL)"
            if "password" in said
            else ""
        )
        return f"PostgreSQL at {target} refused the connection: {said}{hint}", False
    if "no password supplied" in said:
        return (
            f"PostgreSQL at {target} asks for a password and none was given (give it in "
            "PGPASSWORD or ~/.pgpass)"
        ), False
    return f"{where}: {_LIBPQ_HINT.sub('', said)}", True  # (no route, network down...)


def _not_postgres_did(said: str) -> str:
    """What the peer that is not PostgreSQL did, from libpq's message."""
    if _CLOSED in said:
        return "closed the connection"
    if _RESET in said:
        return "reset the connection"
    if method := re.search(r"authentication method (\d+) not supported", said):
        return f"asked for authentication method {method[1]}, which PostgreSQL does not have"
    return "replied with something else"


def _accepts_tcp(target: DatabaseTarget) -> bool:
    """Whether something takes a TCP connection at the target's address (after a timeout:
    a silent server, or nothing reachable at all)."""
    address = (target.host, target.server_port())
    try:
        with socket.create_connection(address, timeout=min(target.connect_s, 3)):
            return True
    except OSError:
        return False


def _quiet_driver_log() -> None:
    log = logging.getLogger("psycopg")
    if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        log.addHandler(logging.NullHandler())


def scrub_password(text: str, target: DatabaseTarget) -> str:
    """Remove a password from a driver message (libpq does not echo it, but be sure)."""
    match = re.search(r"password='((?:[^'\\]|\\.)*)'", target.conninfo)
    if match:
        secret = match.group(1).replace("\\'", "'").replace("\\\\", "\\")
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())
