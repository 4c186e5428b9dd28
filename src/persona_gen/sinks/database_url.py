"""Database destinations as URLs: ``sqlite:///PATH`` and ``postgresql://USER@HOST:PORT/DB``
(``postgres://`` too), with the options ``table`` and ``connect``, parsed into a
``DatabaseTarget``. A password goes into ``conninfo`` only, never into what is shown."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from persona_gen.errors import UsageError
from persona_gen.sinks import masked_url

__all__ = [
    "DATABASE_SCHEMES",
    "DatabaseTarget",
    "parse_database_url",
    "same_database",
    "sqlite_from_folder",
]

DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
_OPTIONS = ("table", "connect")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$.-]{0,62}")


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database destination. ``conninfo`` may hold a password: never print it."""

    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None  # sqlite
    conninfo: str = field(default="", repr=False)  # postgresql, as libpq takes it
    display: str = ""  # the URL without its password
    table: str | None = None
    connect_s: float = 5.0
    host: str = ""  # postgresql: the server's host, and its port when the URL gives one
    port: int | None = None

    def __str__(self) -> str:
        return self.display

    def server_port(self) -> int:
        """A PostgreSQL server's port: the URL's, else as libpq picks it (``PGPORT``, 5432)."""
        given = os.environ.get("PGPORT", "").strip()
        return self.port or (int(given) if given.isdigit() else 5432)

    def address(self) -> str:
        """``HOST:PORT`` of a PostgreSQL server, as messages show it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.server_port()}"


def parse_database_url(url: str) -> DatabaseTarget:  # noqa: PLR0915 - one check a line
    """``sqlite:///PATH`` or ``postgresql://USER@HOST:PORT/DB`` -> ``DatabaseTarget``;
    a one-line ``UsageError`` (which never repeats a password) when malformed."""
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in DATABASE_SCHEMES:
        raise UsageError(
            "database destination: expected sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
        )
    try:
        parts = urlsplit(url)
        port = None if scheme == "sqlite" else parts.port  # (a SQLite file has no server)
    except ValueError:
        raise UsageError(f"database destination '{masked_url(url)}': bad host or port") from None
    where = f"database destination '{masked_url(url)}'"
    if parts.fragment:
        raise UsageError(f"{where}: a '#' fragment has no meaning here")
    options = _options(parts.query, where)
    table = options.get("table")
    if table is not None and not _NAME.fullmatch(table):
        raise UsageError(f"{where}: '{table}' is not a table name")
    connect_s = 5.0
    if "connect" in options:
        try:
            connect_s = float(options["connect"])
        except ValueError:
            connect_s = -1.0
        if not 0 < connect_s <= 600:
            raise UsageError(f"{where}: connect must be a number of seconds (0 < s <= 600)")
    if scheme == "sqlite":
        raw = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
        if parts.netloc == ":memory:" and not raw:
            raw = parts.netloc  # (sqlite://:memory:, as other tools spell it)
        elif parts.netloc:
            raise UsageError(f"{where}: write sqlite:///PATH (three slashes), not a host")
        if not raw or raw.endswith("/"):
            raise UsageError(f"{where}: no database file given (sqlite:///PATH/TO/FILE.db)")
        if "\x00" in raw:
            raise UsageError(f"{where}: a file path cannot hold a NUL character (%00)")
        if raw == ":memory:":  # (SQLite's name of a database gone when the run ends)
            raise UsageError(
                f"{where}: an in-memory database ends with the run; give a file "
                "(sqlite:///PATH/TO/FILE.db)"
            )
        if "connect" in options:
            raise UsageError(f"{where}: 'connect' applies to PostgreSQL only")
        return DatabaseTarget("sqlite", path=Path(raw), display=f"sqlite:///{raw}", table=table)
    host = parts.hostname
    if not host:
        raise UsageError(f"{where}: no host given (postgresql://USER@HOST:PORT/DB)")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or "/" in dbname:
        raise UsageError(f"{where}: name one database (postgresql://USER@HOST:PORT/DB)")
    if port is not None and not 0 < port < 65536:
        raise UsageError(f"{where}: port {port} is out of range")
    params: dict[str, str] = {"host": host, "dbname": dbname}
    if port is not None:
        params["port"] = str(port)
    if parts.username:
        params["user"] = unquote(parts.username)
    if parts.password:
        params["password"] = unquote(parts.password)
    conninfo = " ".join(f"{k}={_conn_value(v)}" for k, v in params.items())
    user = f"{unquote(parts.username)}@" if parts.username else ""
    shown_host = f"[{host}]" if ":" in host else host
    display = f"postgresql://{user}{shown_host}{f':{port}' if port else ''}/{dbname}"
    return DatabaseTarget(
        "postgresql",
        conninfo=conninfo,
        display=display,
        table=table,
        connect_s=connect_s,
        host=host,
        port=port,
    )


def _conn_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _options(query: str, where: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise UsageError(f"{where}: cannot read the options '{query}'") from None
    out: dict[str, str] = {}
    for name, value in pairs:
        if name not in _OPTIONS:
            raise UsageError(f"{where}: unknown option '{name}' (options: {', '.join(_OPTIONS)})")
        if name in out:
            raise UsageError(f"{where}: option '{name}' is given twice")
        out[name] = value
    return out


def same_database(url: str) -> tuple[str, str] | None:
    """A key equal for URLs of one database (whatever their ``table`` option); None for
    anything that is not a valid database URL."""
    if url.partition("://")[0] not in DATABASE_SCHEMES:
        return None
    try:
        target = parse_database_url(url)
    except UsageError:
        return None
    if target.path is not None:
        return ("sqlite", str(target.path.resolve()))
    return ("postgresql", target.conninfo)


def sqlite_from_folder(url: str, folder: Path) -> str:
    """``url`` with a relative ``sqlite:///PATH`` made a path from ``folder``: a profile's
    ``sink:`` names its database from the profile's folder, as ``source.file`` is (on the
    command line it stays a path from the current directory). Any other URL (an absolute
    ``sqlite:////PATH``, a server) is as given."""
    head = "sqlite:///"
    if not url.startswith(head) or url.startswith(head + "/"):
        return url
    rest = url[len(head) :]  # (still %-encoded, with its ?options)
    if not rest or rest.startswith(("?", ":memory:")) or folder == Path("."):
        return url  # (no file, or SQLite's in-memory name: parse_database_url says why)
    return f"{head}{quote(folder.as_posix(), safe='/:')}/{rest}"
