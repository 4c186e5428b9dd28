"""SQL DDL importer: every ``CREATE TABLE`` of a script becomes an entity named as the table.

Read with sqlglot in a dialect (``--dialect``: postgres, mysql, sqlite, tsql or any sqlglot
dialect; by default the script's own marks choose — backticks and ``ENGINE=`` mean MySQL,
``AUTOINCREMENT`` SQLite, ``[dbo]`` and ``IDENTITY(1,1)`` SQL Server, else PostgreSQL — and a
statement that does not parse is tried in the other dialects).

What a table says and how it is expressed:

* Names as the script's database stores them: PostgreSQL folds unquoted identifiers to lower
  case (``CREATE TABLE Job (JobId ...)`` is the entity ``job`` with the field ``jobid``),
  Oracle and Snowflake to upper case; quoted identifiers, and every identifier of MySQL,
  SQLite and SQL Server, keep their case. Rows then load into the tables the script creates:
  a schema name (``app."Tickets"``) is kept as ``Entity.table_schema``, the schema
  PostgreSQL loads and INSERT scripts use.

* Columns, in order, as the fields of a closed object. Every field is ``required``: a row
  always has every column. A column without ``NOT NULL`` (and outside the primary key) is
  ``nullable`` — its value may be NULL, never absent. Generated (computed) columns are
  ``read_only``: leave them out of INSERTs.
* Types with their size: ``VARCHAR(n)``/``CHAR(n)`` → ``max_length`` (no ``min_length`` for
  CHAR: the database pads shorter values with spaces), integers → their range (SERIAL and
  AUTO_INCREMENT/IDENTITY columns from 1; in SQLite, which stores every integer as a signed
  64-bit one, at most that range even for BIGINT UNSIGNED), ``NUMERIC(p,s)`` →
  ``precision``/``scale``, dates and times → ``format`` date / date-time / time, ``UUID`` →
  uuid, ``INET`` → ipv4, binary → ``format: byte`` (base64 text; ``BINARY(n)``/``VARBINARY(n)``
  → at most ``4 * (n // 3)`` characters, which never decode to more than n bytes), JSON → a
  map, arrays → ``array``, MySQL ``ENUM``/``SET`` and PostgreSQL ``CREATE TYPE ... AS ENUM``
  → ``enum``, ``CREATE DOMAIN`` → its base type with its NOT NULL and CHECK.
* ``DEFAULT`` literals → ``default``. Defaults the database computes (``nextval``, ``now()``,
  ``CURRENT_TIMESTAMP``, ``gen_random_uuid()``...) are left to it: rows carry a value anyway.
* ``PRIMARY KEY`` → ``Entity.primary_key``; ``UNIQUE`` (column, table constraint, ``ALTER
  TABLE ... ADD CONSTRAINT`` or ``CREATE UNIQUE INDEX``) → ``Entity.unique`` (a key of several
  columns, the primary key too, is unique as a combination: generators keep it so, see
  ``generators/keys.py``; a key whose columns allow few combinations is warned about);
  ``FOREIGN KEY`` / ``REFERENCES`` → ``Entity.foreign_keys``; ``COMMENT`` → ``description``.
* Simple ``CHECK`` constraints → ranges, enums, lengths, patterns (see ``_ddl/checks.py``);
  any other CHECK, trigger or construct that cannot be expressed is listed in ``warnings``.

``insert_order`` and ``link_foreign_keys`` turn generated rows of several tables into data
a database accepts with its foreign keys on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from sqlglot.dialects.dialect import Dialect

from persona_gen.errors import SchemaImportError, UnknownNameError
from persona_gen.importers._ddl.checks import literal_value
from persona_gen.importers._ddl.keys import insert_order, link_foreign_keys
from persona_gen.importers._ddl.split import Statement, UnterminatedError, split_statements
from persona_gen.importers._ddl.tables import DdlError, Reader
from persona_gen.importers._ddl.types import DATETIMES, NAIVE_DATETIMES
from persona_gen.importers.base import ImportResult

__all__ = [
    "DATETIMES",
    "NAIVE_DATETIMES",
    "DdlImporter",
    "Statement",
    "detect_dialect",
    "insert_order",
    "link_foreign_keys",
    "literal_value",
    "parse_ddl",
    "resolve_dialect",
    "split_statements",
]

_SNIFF = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?"
    r"(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\b",
    re.IGNORECASE,
)
# Comments and string literals, which say nothing about the dialect.
_NOISE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)
_ALIASES = {
    "postgresql": "postgres",
    "pg": "postgres",
    "psql": "postgres",
    "mariadb": "mysql",
    "sqlserver": "tsql",
    "mssql": "tsql",
    "sql-server": "tsql",
    "sqlite3": "sqlite",
}
_FALLBACKS = ("postgres", "mysql", "sqlite")


def resolve_dialect(name: str, where: str = "") -> str:
    """The sqlglot dialect for a name users type (``postgresql``, ``mariadb``, ``mssql``...);
    ``where``: the option that gave it, for the message."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    known = sorted(d for d in Dialect.classes if d)
    if key not in known:
        raise UnknownNameError("SQL dialect", name, [*known, *_ALIASES], where)
    return key


def detect_dialect(text: str) -> str:
    """The dialect a script's own marks suggest (PostgreSQL when nothing stands out)."""
    text = _NOISE.sub(" ", text)
    if re.search(r"\bAUTO_INCREMENT\b|\bENGINE\s*=|`", text, re.IGNORECASE):
        return "mysql"
    if re.search(r"\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|\bPRAGMA\b", text, re.IGNORECASE):
        return "sqlite"
    if re.search(r"\[dbo\]|\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)|^\s*GO\s*$", text, re.I | re.M):
        return "tsql"
    return "postgres"


def parse_ddl(
    text: str, *, dialect: str | None = None, file: str = "<string>", fallback: bool = True
) -> ImportResult:
    """Read an SQL script's tables (``DdlImporter.load`` for text already in memory).

    Without ``dialect`` the script's marks choose one (``detect_dialect``) and, with
    ``fallback``, a statement that does not parse in it is tried in the others.
    """
    if dialect is not None:
        chosen = resolve_dialect(dialect)
        dialects = [chosen]
    else:
        chosen = detect_dialect(text)
        others = [d for d in _FALLBACKS if d != chosen] if fallback else []
        dialects = [chosen, *others]
    try:
        statements = split_statements(text, chosen)
    except UnterminatedError as exc:
        raise SchemaImportError(str(exc).split(" starting")[0], file, exc.line) from None
    reader = Reader(dialects)
    try:
        for stmt in statements:
            reader.read(stmt)
    except DdlError as exc:
        raise SchemaImportError(str(exc), file, exc.line) from None
    except RecursionError:
        raise SchemaImportError(
            "statement nested too deeply to read", file, reader.line or None
        ) from None
    if not reader.tables:
        raise SchemaImportError("no CREATE TABLE statement found", file)
    domain = reader.domain("ddl")
    return ImportResult(
        domain=domain,
        listed=tuple(domain.entities),
        format=DdlImporter.name,
        warnings=tuple(sorted(reader.warnings, key=_line_of)),  # (stable: in script order)
    )


def _line_of(warning: str) -> int:
    """The script line a warning starts with (``line 12: ...``; 0 for none)."""
    m = re.match(r"line (\d+):", warning)
    return int(m.group(1)) if m else 0


class DdlImporter:
    """SQL DDL scripts (``.sql``): one entity per table."""

    name: ClassVar[str] = "ddl"
    extensions: ClassVar[tuple[str, ...]] = (".sql", ".ddl")

    @classmethod
    def sniff(cls, path: Path, text: str) -> bool:
        return _SNIFF.search(text) is not None

    def load(self, path: Path, *, dialect: str | None = None, strict: bool = False) -> ImportResult:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise SchemaImportError(f"cannot read file: {exc.strerror or exc}", path) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise SchemaImportError("file is not UTF-8 text", path, line) from None
        # With ``strict`` the caller turns warnings into an error; here it also means no
        # second guessing: statements are read in the detected dialect only.
        return parse_ddl(text, dialect=dialect, file=str(path), fallback=not strict)
