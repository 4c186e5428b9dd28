"""Split an SQL script into statements, with the line each one starts on.

Comments are blanked out (newlines kept, so line numbers inside a statement stay right);
strings, quoted identifiers and PostgreSQL dollar-quoted bodies are kept whole, so a
semicolon inside a function body does not end the statement. Client commands that are not
SQL are understood too: MySQL's ``DELIMITER``, SQL Server's ``GO`` and psql's backslash lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Statement", "UnterminatedError", "split_statements"]

_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)
_GO = re.compile(r"[ \t]*GO[ \t]*(?:\r?\n|$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: its text without comments and the 1-based line where it starts."""

    text: str
    line: int


class UnterminatedError(ValueError):
    """A string, quoted name, comment or dollar-quoted body that never ends."""

    def __init__(self, what: str, line: int) -> None:
        self.what = what
        self.line = line
        super().__init__(f"unterminated {what} starting at line {line}")


def split_statements(text: str, dialect: str = "postgres") -> list[Statement]:
    """The statements of ``text`` (comments removed), each with its starting line."""
    backslash_escapes = dialect in ("mysql", "bigquery", "spark", "hive", "databricks")
    hash_comments = dialect == "mysql"
    brackets = dialect == "tsql"
    out: list[Statement] = []
    buf: list[str] = []
    start_line = 0  # line of the statement's first non-blank character; 0 = none yet
    line = 1
    delimiter = ";"
    i, n = 0, len(text)

    def flush() -> None:
        nonlocal buf, start_line
        body = "".join(buf).strip()
        if body:
            out.append(Statement(body, start_line))
        buf = []
        start_line = 0

    while i < n:
        ch = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start and not start_line:
            m = _DELIMITER.match(text, i)
            if m:
                delimiter = m.group(1)
                line += m.group(0).count("\n")
                i = m.end()
                continue
            if ch == "\\":  # psql meta-command: the rest of the line
                end = text.find("\n", i)
                i = n if end < 0 else end
                continue
        if at_line_start and brackets:
            m = _GO.match(text, i)
            if m:
                flush()
                line += m.group(0).count("\n")
                i = m.end()
                continue
        if text.startswith(delimiter, i):
            flush()
            i += len(delimiter)
            continue
        if ch == "\n":
            buf.append(ch)
            line += 1
            i += 1
            continue
        if ch.isspace():
            buf.append(ch)
            i += 1
            continue
        if not start_line and not text.startswith(("--", "/*"), i) and not (
            hash_comments and ch == "#"
        ):
            start_line = line
        if text.startswith("--", i) or (hash_comments and ch == "#"):
            end = text.find("\n", i)
            i = n if end < 0 else end
            buf.append(" ")
            continue
        if text.startswith("/*", i):
            i, lines = _skip_block_comment(text, i, line)
            buf.append(" " + "\n" * lines)
            line += lines
            continue
        if ch in "'\"`" or (brackets and ch == "["):
            close = "]" if ch == "[" else ch
            escapes = backslash_escapes and ch != "`" and ch != "["
            if ch == "'" and not backslash_escapes and i > 0 and text[i - 1] in "eE":
                escapes = True  # PostgreSQL E'...' strings
            end = _end_of_quoted(text, i + 1, close, escapes)
            if end < 0:
                what = "string" if ch == "'" else "quoted identifier"
                raise UnterminatedError(what, line)
            chunk = text[i:end]
            buf.append(chunk)
            line += chunk.count("\n")
            i = end
            continue
        if ch == "$" and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = _DOLLAR.match(text, i)
            if m:
                tag = m.group(0)
                end = text.find(tag, m.end())
                if end < 0:
                    raise UnterminatedError("dollar-quoted string", line)
                chunk = text[i : end + len(tag)]
                buf.append(chunk)
                line += chunk.count("\n")
                i = end + len(tag)
                continue
        buf.append(ch)
        i += 1
    flush()
    return out


def _skip_block_comment(text: str, i: int, line: int) -> tuple[int, int]:
    """Index after the (possibly nested) comment starting at ``i``, and its newline count."""
    depth, j, n = 0, i, len(text)
    while j < n:
        if text.startswith("/*", j):
            depth += 1
            j += 2
        elif text.startswith("*/", j):
            depth -= 1
            j += 2
            if depth == 0:
                return j, text.count("\n", i, j)
        else:
            j += 1
    raise UnterminatedError("comment", line)


def _end_of_quoted(text: str, j: int, close: str, escapes: bool) -> int:
    """Index just past the closing quote (a doubled quote is an escaped one); -1 if none."""
    n = len(text)
    while j < n:
        c = text[j]
        if escapes and c == "\\":
            j += 2
            continue
        if c == close:
            if j + 1 < n and text[j + 1] == close:
                j += 2
                continue
            return j + 1
        j += 1
    return -1
