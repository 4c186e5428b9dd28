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
    return _Scanner(text, dialect).run()


class _Scanner:
    def __init__(self, text: str, dialect: str) -> None:
        self.text = text
        self.backslash_escapes = dialect in ("mysql", "bigquery", "spark", "hive", "databricks")
        self.hash_comments = dialect == "mysql"
        self.brackets = dialect == "tsql"
        self.out: list[Statement] = []
        self.buf: list[str] = []
        self.start_line = 0  # line of the statement's first non-blank character; 0 = none yet
        self.line = 1
        self.delimiter = ";"
        self.i = 0

    def run(self) -> list[Statement]:
        text, n = self.text, len(self.text)
        while self.i < n:
            if self._client_command():
                continue
            if text.startswith(self.delimiter, self.i):
                self._flush()
                self.i += len(self.delimiter)
                continue
            ch = text[self.i]
            if ch.isspace():
                self.buf.append(ch)
                self.line += ch == "\n"
                self.i += 1
            elif text.startswith("--", self.i) or (self.hash_comments and ch == "#"):
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
                self.buf.append(" ")
            elif text.startswith("/*", self.i):
                self.i, lines = _skip_block_comment(text, self.i, self.line)
                self.buf.append(" " + "\n" * lines)
                self.line += lines
            else:
                self.start_line = self.start_line or self.line
                self._token(ch)
        self._flush()
        return self.out

    def _client_command(self) -> bool:
        """MySQL ``DELIMITER``, psql ``\\...`` lines and SQL Server ``GO`` (not SQL)."""
        i, text = self.i, self.text
        if not (i == 0 or text[i - 1] == "\n"):
            return False
        if not self.start_line:
            m = _DELIMITER.match(text, i)
            if m:
                self.delimiter = m.group(1)
                self.line += m.group(0).count("\n")
                self.i = m.end()
                return True
            if text.startswith("\\", i):
                end = text.find("\n", i)
                self.i = len(text) if end < 0 else end
                return True
        if self.brackets:
            m = _GO.match(text, i)
            if m:
                self._flush()
                self.line += m.group(0).count("\n")
                self.i = m.end()
                return True
        return False

    def _token(self, ch: str) -> None:
        text, i = self.text, self.i
        if ch in "'\"`" or (self.brackets and ch == "["):
            close = "]" if ch == "[" else ch
            escapes = self.backslash_escapes and ch not in "`["
            if ch == "'" and not self.backslash_escapes and i > 0 and text[i - 1] in "eE":
                escapes = True  # PostgreSQL E'...' strings
            end = _end_of_quoted(text, i + 1, close, escapes)
            if end < 0:
                raise UnterminatedError("string" if ch == "'" else "quoted identifier", self.line)
            self._take(end)
            return
        if ch == "$" and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = _DOLLAR.match(text, i)
            if m:
                end = text.find(m.group(0), m.end())
                if end < 0:
                    raise UnterminatedError("dollar-quoted string", self.line)
                self._take(end + len(m.group(0)))
                return
        self.buf.append(ch)
        self.i += 1

    def _take(self, end: int) -> None:
        chunk = self.text[self.i : end]
        self.buf.append(chunk)
        self.line += chunk.count("\n")
        self.i = end

    def _flush(self) -> None:
        body = "".join(self.buf).strip()
        if body:
            self.out.append(Statement(body, self.start_line))
        self.buf = []
        self.start_line = 0


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
