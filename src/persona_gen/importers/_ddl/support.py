"""Small helpers of the DDL reader: names, messages and literal defaults."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from sqlglot import exp

from persona_gen.entities.model import Schema

__all__ = [
    "auto_numbered",
    "bare_name",
    "coerce_default",
    "db_computed",
    "error_detail",
    "key_names",
    "short",
]

# Defaults the database computes (sequences, the current time, random ids): not values.
_DB_DEFAULT_FUNCS = {
    "nextval",
    "now",
    "gen_random_uuid",
    "uuid_generate_v4",
    "uuid_generate_v1",
    "newid",
    "newsequentialid",
    "uuid",
    "getdate",
    "getutcdate",
    "sysdatetime",
    "sysutcdatetime",
    "statement_timestamp",
    "transaction_timestamp",
    "clock_timestamp",
    "localtimestamp",
    "datetime",
    "date",
    "time",
    "unix_timestamp",
    "utc_timestamp",
    "strftime",
}


def key_names(nodes: Any) -> tuple[str, ...]:
    out = []
    for node in nodes or []:
        inner = node.this if isinstance(node, exp.Ordered | exp.ColumnPrefix) else node
        out.append(inner.name if isinstance(inner, exp.Expression) else str(inner))
    return tuple(out)


def bare_name(name: str) -> str:
    last = re.split(r"\s*\.\s*(?=(?:\"|`|\[|[\w$]))", name.strip())[-1]
    return last.strip('"`[]')


def short(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


# sqlglot puts a token's repr in some messages ("Expected table name but got <Token
# token_type: TokenType.L_PAREN, text: (, line: 1, ...>"): the user wrote only its text.
_TOKEN_REPR = re.compile(r"<Token token_type: [^,]*, text: (.*?), line: \d+[^>]*>")


def error_detail(error: Exception | None) -> str:
    if error is None:
        return "unknown error"
    errors = getattr(error, "errors", None)
    if errors and isinstance(errors[0], dict) and errors[0].get("description"):
        detail = _TOKEN_REPR.sub(lambda m: repr(m[1]), str(errors[0]["description"]))
        near = str(errors[0].get("highlight") or "").strip()
        return f"{detail} near '{near}'" if near else detail
    return short(str(error).splitlines()[0] if str(error) else type(error).__name__)


def auto_numbered(schema: Schema) -> Schema:
    """The schema of a column the database numbers (SERIAL, IDENTITY, AUTO_INCREMENT).

    The sequence is only the column's DEFAULT: PostgreSQL stores 0 or -5 given explicitly
    (SQLite and MySQL's signed columns too), so a bound at 1 would be no rule the database
    holds, and fault data pushed below it (``underflow`` to 0) would be labelled invalid and
    accepted. A signed type's negative lower bound is dropped instead: keys are still numbered
    from 1 (``values.numbers.unique_integers`` starts there without a minimum) and nothing is
    said below, where the type's own range is only checked by ``check``. An unsigned type
    (MySQL) keeps a lower bound of 1: its 0 makes MySQL take the next number instead."""
    if schema.type != "integer" or (schema.minimum is not None and schema.minimum >= 1):
        return schema
    if schema.minimum is None or schema.minimum < 0:
        return dataclasses.replace(schema, minimum=None, exclusive_minimum=False)
    return dataclasses.replace(schema, minimum=1)


def db_computed(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren | exp.Cast | exp.AtTimeZone):
        node = node.this
    if isinstance(
        node,
        exp.CurrentTimestamp
        | exp.CurrentDate
        | exp.CurrentTime
        | exp.CurrentUser
        | exp.CurrentDatetime
        | exp.Uuid,
    ):
        return True
    if isinstance(node, exp.Func):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        return name.lower() in _DB_DEFAULT_FUNCS
    return isinstance(node, exp.Column) and node.name.lower() in {
        "current_timestamp",
        "localtimestamp",
        "current_date",
        "current_user",
    }


def coerce_default(value: Any, schema: Schema) -> tuple[bool, Any]:
    """A literal default as a value of the column's type, if it is one."""
    if value is None:
        return True, None
    kind = schema.type
    try:
        if kind == "integer":
            if isinstance(value, bool):
                return True, int(value)
            number = float(value)
            return (number == int(number)), int(number)
        if kind == "number":
            return True, float(value) if not isinstance(value, bool) else float(int(value))
        if kind == "boolean":
            text = str(value).strip().lower()
            if text in ("1", "t", "true", "y", "yes", "on"):
                return True, True
            if text in ("0", "f", "false", "n", "no", "off"):
                return True, False
            return False, None
        if kind in ("map", "any", "array") and isinstance(value, str):
            if kind == "array" and value.strip() == "{}":
                return True, []
            return True, json.loads(value)
    except (ValueError, TypeError, OverflowError):
        return False, None
    if kind == "string":
        return True, str(value)
    return (kind == "any"), value
