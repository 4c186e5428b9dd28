"""What a database refused, in one line: the table, the row (its index in its dataset) and
the reason; a missing table, or one of another shape."""

from __future__ import annotations

import re

from persona_gen.errors import SinkError
from persona_gen.sinks.database_plan import Part, Where
from persona_gen.sinks.database_url import DatabaseTarget

__all__ = ["check_columns", "find_key", "missing_table", "rejected"]


def rejected(target: DatabaseTarget, part: Part, at: Where | None, reason: str) -> SinkError:
    tables = f" in {', '.join(part.together)}" if len(part.together) > 1 else ""
    error = SinkError(
        f"{target}: table '{part.spec.name}' rejected {part.where(at)}: {reason}; the load "
        f"was rolled back, nothing was kept{tables}"
    )
    error.dataset = part.member  # (of a load of several datasets, the one that failed)
    return error


def check_columns(target: DatabaseTarget, part: Part, has: list[str]) -> None:
    """An existing table must have a column for each of the rows' columns: a table of
    another shape is one message, not a row "rejected" by it."""
    lacking = [c for c in part.spec.column_names if c not in has]
    if lacking:
        shown = ", ".join(lacking[:8]) + (
            f" (and {len(lacking) - 8} more)" if len(lacking) > 8 else ""
        )
        raise SinkError(
            f"{target}: table '{part.spec.name}' exists without the columns {shown} that "
            f"the rows have (its columns: {', '.join(has[:12]) or 'none'}); load into another "
            "table with ?table=NAME, or drop it and use --create-tables"
        )


def missing_table(target: DatabaseTarget, table: str) -> SinkError:
    return SinkError(f"{target}: table '{table}' does not exist; create it or use --create-tables")


_KEY_DETAIL = re.compile(r"Key \((?P<cols>.+?)\)=\((?P<vals>.*)\) (is not present|already exists)")


def find_key(part: Part, detail: str | None) -> Where | None:
    """The row whose key a database message names (``Key (user_id)=(…) is not present``)."""
    match = _KEY_DETAIL.search(detail or "")
    if match is None or part.linked is None:
        return None
    cols = [c.strip().strip('"') for c in match.group("cols").split(",")]
    for at, row in part.linked:
        if ", ".join(str(row.get(c)) for c in cols) == match.group("vals"):
            return at
    return None
