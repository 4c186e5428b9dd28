"""CHECK constraints → column constraints, where the condition is simple enough to say so.

Understood, alone or joined with AND (and ``col IS NULL OR ...``): comparisons of a column
with a number (``>``, ``>=``, ``<``, ``<=``, ``=``), ``BETWEEN``, ``IN (...)`` and
``= ANY (ARRAY[...])`` (what pg_dump writes for IN), ``<> ''``, ``IS NOT NULL``, the same
comparisons on ``length(col)`` (and ``char_length``, ``len``...), ``LIKE`` and PostgreSQL's
``~`` regular expressions. Anything else is returned so the caller can warn about it.

``col <> value`` (``!=``) and ``col NOT IN (...)`` are kept as the column's ``excluded``
values and settled once the whole script is read (``settle_exclusions``), when every other
CHECK of the column is known: the values leave its enum (an IN list, a PostgreSQL enum type,
or a boolean's two values), or move an integer's bound that equals one of them (``qty >= 0``
and ``qty <> 0``: 1 and up) or make a number's bound exclusive; otherwise — a free string
or number — the model cannot leave out one value, and the caller warns about the CHECK.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from persona_gen._moments import (
    BOUNDED_FORMATS,
    bound_problem,
    instant_us,
    text_of,
    tightened,
    without_offset,
)
from persona_gen.entities.model import Schema

__all__ = [
    "ColumnDraft",
    "Exclusion",
    "apply_check",
    "check_columns",
    "check_line",
    "literal_value",
    "not_expressed_reason",
    "settle_exclusions",
]

_LENGTH_FUNCS = {"length", "char_length", "character_length", "len", "octet_length", "lengthb"}
_NOT_LITERAL = object()


@dataclass
class ColumnDraft:
    """A column while the script is read (ALTER TABLE may still change it)."""

    name: str
    schema: Schema
    not_null: bool = False
    read_only: bool = False
    identity_always: bool = False  # GENERATED ALWAYS AS IDENTITY
    # The database fills the column when an INSERT leaves it out: a DEFAULT (a literal or one
    # it computes, expressed or not), a SERIAL's sequence, an identity.
    filled: bool = False
    # A date-time column that keeps no offset (TIMESTAMP without time zone, DATETIME): the
    # database drops a literal's offset, and so do its bounds.
    naive: bool = False
    # The digits of a second a date-time column keeps (TIMESTAMP(0), MySQL's DATETIME: 0),
    # when fewer than the milliseconds values are written with; None: all of them.
    second_digits: int | None = None
    # Values a CHECK (col <> v, col NOT IN (...)) rules out, settled when the script is read.
    excluded: list[Exclusion] = field(default_factory=list)


@dataclass(frozen=True)
class Exclusion:
    """Values ``CHECK (col <> v)`` or ``CHECK (col NOT IN (...))`` rules out; the CHECK
    (for a warning when they cannot be left out) and the line it is on."""

    values: tuple[Any, ...]
    check: exp.Expression
    line: int


Resolver = Callable[[str], ColumnDraft | None]


def literal_value(node: exp.Expression | None) -> Any:
    """The Python value of a literal (through parentheses, casts, signs and MySQL's
    character set introducers, ``_utf8mb4'a'`` as ``SHOW CREATE TABLE`` writes a string),
    else a sentinel."""
    while isinstance(node, exp.Paren | exp.Cast | exp.Introducer):
        node = node.expression if isinstance(node, exp.Introducer) else node.this
    if isinstance(node, exp.Neg):
        inner = literal_value(node.this)
        return -inner if isinstance(inner, int | float) else _NOT_LITERAL
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.name
        text = node.name
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return _NOT_LITERAL
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Null):
        return None
    return _NOT_LITERAL


def is_literal(value: Any) -> bool:
    return value is not _NOT_LITERAL


def apply_check(
    condition: exp.Expression, resolve: Resolver, line: int = 0
) -> list[exp.Expression]:
    """Apply what ``condition`` says to its columns; return the parts that could not be.
    ``line``: the line its statement starts on (exclusions keep the CHECK's own line)."""
    failed: list[exp.Expression] = []
    _apply(condition, resolve, failed, line)
    return failed


def _apply(
    node: exp.Expression, resolve: Resolver, failed: list[exp.Expression], line: int
) -> None:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        _apply(node.this, resolve, failed, line)
        _apply(node.expression, resolve, failed, line)
        return
    if isinstance(node, exp.Boolean) and node.this:
        return
    if not _simple(node, resolve, line):
        failed.append(node)


def check_line(node: exp.Expression, line: int) -> int:
    """The script line of ``node`` in a statement starting on ``line`` (its first name or
    value's, as sqlglot saw it; else ``line``)."""
    for part in node.walk():
        at = part.meta.get("line") if part.meta else None
        if isinstance(at, int) and at > 0:
            return line + at - 1
    return line


def check_columns(node: exp.Expression, resolve: Resolver) -> list[str]:
    """The table's columns a CHECK part names, as the table names them, in order of use."""
    names: dict[str, None] = {}
    for ref in node.find_all(exp.Column):
        col = resolve(ref.name) if not ref.table else None
        names[col.name if col is not None else ref.name] = None
    return list(names)


def not_expressed_reason(node: exp.Expression, resolve: Resolver) -> str:
    """Why a CHECK part was left out, in a few words ("" when nothing more can be said)."""
    columns = check_columns(node, resolve)
    if len(columns) > 1:
        return "it relates several columns"
    inner = node.this if isinstance(node, exp.Not) else node
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if columns and isinstance(inner, exp.GT | exp.GTE | exp.LT | exp.LTE | exp.Between):
        col = resolve(columns[0])
        if col is not None and col.schema.format == "time":
            return "times of day take no bounds in the entity model"
        if col is not None and col.schema.format in BOUNDED_FORMATS:
            return f"only a {col.schema.format} literal bounds this column"
    return ""


def settle_exclusions(col: ColumnDraft) -> list[Exclusion]:
    """Apply the values ``col``'s CHECKs rule out (see the module docstring), now that its
    other CHECKs are known; return those that could not be."""
    failed = []
    for ex in col.excluded:
        if not _exclude(col, ex.values):
            failed.append(ex)
    col.excluded = []
    return failed


def _exclude(col: ColumnDraft, values: tuple[Any, ...]) -> bool:
    s = col.schema
    kind = s.type
    if kind == "boolean" and s.enum is None:
        if not all(isinstance(v, bool) for v in values):
            return False
        col.schema = dataclasses.replace(s, enum=tuple(b for b in (False, True) if b not in values))
        return True
    if not _values_fit(kind, values):
        return False
    if s.enum is not None:
        col.schema = dataclasses.replace(s, enum=tuple(v for v in s.enum if v not in values))
        return True
    if kind == "string" and (s.min_length or 0) >= 1 and set(values) == {""}:
        return True  # (col <> '': a length of 1 and up)
    if kind == "integer" and s.minimum is not None and s.maximum is not None:
        low, high = s.minimum, s.maximum
        while low <= high and low in values:
            low += 1
        while high >= low and high in values:
            high -= 1
        if any(low < v < high for v in values):
            return False
        col.schema = dataclasses.replace(s, minimum=low, maximum=high)
        return True
    if kind == "number":
        bottom, top = s.minimum, s.maximum
        inside = [v for v in values if v not in (bottom, top)]
        if inside and not all(
            (bottom is not None and v < bottom) or (top is not None and v > top) for v in inside
        ):
            return False
        col.schema = dataclasses.replace(
            s,
            exclusive_minimum=s.exclusive_minimum or (bottom is not None and bottom in values),
            exclusive_maximum=s.exclusive_maximum or (top is not None and top in values),
        )
        return True
    return False


def _values_fit(kind: str, values: tuple[Any, ...]) -> bool:
    """Whether ``values`` are values of a column of type ``kind`` (as the CHECK compares)."""
    if kind == "string":
        return all(isinstance(v, str) for v in values)
    if kind == "integer":
        return all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    if kind == "number":
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return False


def _simple(node: exp.Expression, resolve: Resolver, line: int = 0) -> bool:
    if isinstance(node, exp.Or):
        return _or_null(node, resolve, line)
    if isinstance(node, exp.Not):
        inner = node.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.In) and inner.args.get("query") is None:  # col NOT IN (...)
            col = _column(inner.this, resolve)
            ruled_out = tuple(literal_value(v) for v in inner.expressions)
            if col is None or not ruled_out or not all(is_literal(v) for v in ruled_out):
                return False
            if None in ruled_out:  # (x NOT IN (1, NULL) is never true: no row fits)
                return False
            col.excluded.append(Exclusion(ruled_out, node, check_line(node, line)))
            return True
        if (
            isinstance(inner, exp.Is)
            and isinstance(inner.expression, exp.Null)
            and not inner.args.get("negate")
        ):
            col = _column(inner.this, resolve)
            if col is not None:
                col.not_null = True
                return True
        if type(inner) in _NEGATED:  # NOT (pct < 0): pct >= 0 (NULL passes both)
            negated = _NEGATED[type(inner)](this=inner.this, expression=inner.expression)
            return _comparison(negated, resolve, line)
        return False
    if isinstance(node, exp.Is) and node.args.get("negate"):  # PostgreSQL's col IS NOT NULL
        col = _column(node.this, resolve)
        if col is not None and isinstance(node.expression, exp.Null):
            col.not_null = True
            return True
        return False
    if isinstance(node, exp.Between):
        return _between(node, resolve)
    if isinstance(node, exp.In):
        col = _column(node.this, resolve)
        if col is None or node.args.get("query") is not None:
            return False
        values = [literal_value(v) for v in node.expressions]
        return _set_enum(col, values)
    if isinstance(node, exp.Like):
        col, pattern = _column(node.this, resolve), literal_value(node.expression)
        if col is None or not isinstance(pattern, str) or node.args.get("escape"):
            return False
        return _set_pattern(col, _like_to_regex(pattern))
    if isinstance(node, exp.RegexpLike):
        col, pattern = _column(node.this, resolve), literal_value(node.expression)
        if col is None or not isinstance(pattern, str) or node.args.get("flag"):
            return False
        return _set_pattern(col, pattern)
    if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        return _comparison(node, resolve, line)
    return False


def _or_null(node: exp.Or, resolve: Resolver, line: int) -> bool:
    """``col IS NULL OR <simple condition on col>``: the condition, for non-null values."""
    sides = [node.this, node.expression]
    for k, side in enumerate(sides):
        inner = side
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if (
            isinstance(inner, exp.Is)
            and isinstance(inner.expression, exp.Null)
            and not inner.args.get("negate")
        ):
            col = _column(inner.this, resolve)
            other = sides[1 - k]
            names = {c.name.lower() for c in other.find_all(exp.Column)}
            if col is not None and names == {col.name.lower()}:
                return _simple(other, resolve, line) if not isinstance(other, exp.And) else False
    return False


def _column(node: exp.Expression | None, resolve: Resolver) -> ColumnDraft | None:
    while isinstance(node, exp.Paren | exp.Cast):
        node = node.this
    if isinstance(node, exp.Column) and not node.table:
        return resolve(node.name)
    if isinstance(node, exp.Identifier):
        return resolve(node.name)
    return None


def _length_of(node: exp.Expression | None, resolve: Resolver) -> ColumnDraft | None:
    while isinstance(node, exp.Paren | exp.Cast):
        node = node.this
    if isinstance(node, exp.Length):
        return _column(node.this, resolve)
    if isinstance(node, exp.Anonymous) and node.name.lower() in _LENGTH_FUNCS:
        args = node.expressions
        return _column(args[0], resolve) if len(args) == 1 else None
    if isinstance(node, exp.Func) and node.sql_name().lower() in _LENGTH_FUNCS:
        return _column(node.this, resolve)
    return None


_FLIP: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
    exp.EQ: exp.EQ,
    exp.NEQ: exp.NEQ,
}


_NEGATED: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.GT: exp.LTE,
    exp.GTE: exp.LT,
    exp.LT: exp.GTE,
    exp.LTE: exp.GT,
}


def _multiple(node: exp.Expression, value: Any, resolve: Resolver) -> bool:
    """``qty % 5 = 0``: an integer column's values are multiples of 5."""
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Mod) or value != 0 or isinstance(value, bool):
        return False
    col, step = _column(node.this, resolve), literal_value(node.expression)
    if col is None or col.schema.type != "integer":
        return False
    if not isinstance(step, int) or isinstance(step, bool) or step == 0:
        return False
    step = abs(step)
    now = col.schema.multiple_of
    if now is not None:
        if now != int(now):
            return False
        step = math.lcm(int(now), step)
    col.schema = dataclasses.replace(col.schema, multiple_of=step)
    return True


def _comparison(node: exp.Expression, resolve: Resolver, line: int = 0) -> bool:
    op: type[exp.Expression] = type(node)
    left, right = node.this, node.expression
    if not is_literal(literal_value(right)) and is_literal(literal_value(left)):
        left, right, op = right, left, _FLIP[op]
    target = right
    while isinstance(target, exp.Paren):
        target = target.this
    if op is exp.EQ and isinstance(target, exp.Any):
        col = _column(left, resolve)
        array = target.this
        while isinstance(array, exp.Paren | exp.Cast):
            array = array.this
        if col is None or not isinstance(array, exp.Array):
            return False
        return _set_enum(col, [literal_value(v) for v in array.expressions])
    value = literal_value(right)
    if not is_literal(value) or value is None:
        return False
    if op is exp.EQ and _multiple(left, value, resolve):
        return True
    length_col = _length_of(left, resolve)
    if length_col is not None:
        return _length_bound(length_col, op, value)
    col = _column(left, resolve)
    if col is None:
        return False
    kind = col.schema.type
    if op is exp.EQ:
        return _set_enum(col, [value])
    if kind == "string" and op is exp.NEQ and value == "":
        col.schema = _raise_min_length(col.schema, 1)  # (and out of an enum, when settled)
    if op is exp.NEQ:  # (settled when the script is read: settle_exclusions)
        col.excluded.append(Exclusion((value,), node, check_line(node, line)))
        return True
    if col.schema.format in BOUNDED_FORMATS:
        return _moment_bound(col, value, above=op in (exp.GT, exp.GTE), exclusive=op in _STRICT)
    if kind not in ("integer", "number") or not isinstance(value, int | float):
        return False
    if isinstance(value, bool) or op is exp.NEQ:
        return False
    if op in (exp.GT, exp.GTE):
        col.schema = _raise_minimum(col.schema, float(value), exclusive=op is exp.GT)
    else:
        col.schema = _lower_maximum(col.schema, float(value), exclusive=op is exp.LT)
    return True


def _between(node: exp.Between, resolve: Resolver) -> bool:
    low, high = literal_value(node.args.get("low")), literal_value(node.args.get("high"))
    col = _column(node.this, resolve)
    if node.args.get("symmetric"):  # (BETWEEN SYMMETRIC 9 AND 1: between 1 and 9)
        low, high = _in_order(low, high, col.schema.format if col is not None else None)
    if col is not None and col.schema.format in BOUNDED_FORMATS:
        if bound_problem(col.schema.format, low) or bound_problem(col.schema.format, high):
            return False
        return _moment_bound(col, low, above=True, exclusive=False) and _moment_bound(
            col, high, above=False, exclusive=False
        )
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return False
    length_col = _length_of(node.this, resolve)
    if length_col is not None:
        return _length_bound(length_col, exp.GTE, low) and _length_bound(length_col, exp.LTE, high)
    col = _column(node.this, resolve)
    if col is None or col.schema.type not in ("integer", "number"):
        return False
    col.schema = _lower_maximum(_raise_minimum(col.schema, float(low), False), float(high), False)
    return True


def _in_order(low: Any, high: Any, fmt: str | None) -> tuple[Any, Any]:
    """Two bounds, the lower first: numbers as numbers, dates and times as instants."""
    if isinstance(low, str) and isinstance(high, str) and fmt in BOUNDED_FORMATS:
        a, b = instant_us(low, str(fmt)), instant_us(high, str(fmt))
        return (high, low) if a is not None and b is not None and b < a else (low, high)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
    return (high, low) if numbers and high < low else (low, high)


_STRICT = (exp.GT, exp.LT)


def _moment_bound(col: ColumnDraft, value: Any, *, above: bool, exclusive: bool) -> bool:
    """``placed >= '2024-01-01'`` on a date or timestamp column: a bound of its values
    (a literal not of the column's format, as a timestamp compared with a date-time that
    the database would cast, is left to the caller's warning)."""
    if not isinstance(value, str) or bound_problem(col.schema.format, value) is not None:
        return False
    if col.naive:
        value = without_offset(value)
    at = instant_us(value, "date-time")
    if col.second_digits is not None and exclusive and at is not None:
        # The column rounds a value to its digits, so a value within half a unit of an
        # exclusive bound is stored on it: the bound moves inward past that half, and holds.
        step = 10 ** (6 - col.second_digits) // 2 + 1000
        value, exclusive = text_of(at + step if above else at - step), False
    col.schema = tightened(col.schema, value, above=above, exclusive=exclusive)
    return True


def _length_bound(col: ColumnDraft, op: type[exp.Expression], value: Any) -> bool:
    if not isinstance(value, int) or isinstance(value, bool) or col.schema.type != "string":
        return False
    if op is exp.EQ:
        col.schema = _lower_max_length(_raise_min_length(col.schema, value), value)
    elif op is exp.GT:
        col.schema = _raise_min_length(col.schema, value + 1)
    elif op is exp.GTE:
        col.schema = _raise_min_length(col.schema, value)
    elif op is exp.LT:
        col.schema = _lower_max_length(col.schema, value - 1)
    elif op is exp.LTE:
        col.schema = _lower_max_length(col.schema, value)
    else:
        return False
    return True


def _set_enum(col: ColumnDraft, values: list[Any]) -> bool:
    if not values:  # (col IN (): false for every row, NULL too, so no row fits)
        col.schema = dataclasses.replace(col.schema, enum=())
        return True
    if not all(is_literal(v) for v in values):
        return False
    members = [v for v in values if v is not None]
    kind = col.schema.type
    if kind == "integer":
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in members):
            return False
    elif kind == "number":
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in members):
            return False
    elif kind == "string":
        members = [str(v) for v in members]
    elif kind == "boolean":
        if not all(isinstance(v, bool) for v in members):
            return False
    else:
        return False
    if col.schema.enum is not None and members:
        members = [v for v in members if v in col.schema.enum]
        if not members:  # two IN lists with no value in common
            col.schema = dataclasses.replace(col.schema, enum=())
            return True
    if not members:
        return False
    col.schema = dataclasses.replace(col.schema, enum=tuple(dict.fromkeys(members)))
    return True


def _set_pattern(col: ColumnDraft, pattern: str) -> bool:
    if col.schema.type != "string" or col.schema.pattern is not None:
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    col.schema = dataclasses.replace(col.schema, pattern=pattern)
    return True


def _like_to_regex(pattern: str) -> str:
    out, i = ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    out.append("$")
    return "".join(out)


def _raise_minimum(schema: Schema, value: float, exclusive: bool) -> Schema:
    current = schema.minimum
    if current is not None and (
        current > value or (current == value and (schema.exclusive_minimum or not exclusive))
    ):
        return schema
    if schema.type == "integer" and math.isfinite(value) and value == int(value):
        return dataclasses.replace(
            schema, minimum=int(value) + (1 if exclusive else 0), exclusive_minimum=False
        )
    return dataclasses.replace(schema, minimum=value, exclusive_minimum=exclusive)


def _lower_maximum(schema: Schema, value: float, exclusive: bool) -> Schema:
    current = schema.maximum
    if current is not None and (
        current < value or (current == value and (schema.exclusive_maximum or not exclusive))
    ):
        return schema
    if schema.type == "integer" and math.isfinite(value) and value == int(value):
        return dataclasses.replace(
            schema, maximum=int(value) - (1 if exclusive else 0), exclusive_maximum=False
        )
    return dataclasses.replace(schema, maximum=value, exclusive_maximum=exclusive)


def _raise_min_length(schema: Schema, value: int) -> Schema:
    if schema.min_length is not None and schema.min_length >= value:
        return schema
    return dataclasses.replace(schema, min_length=max(0, value))


def _lower_max_length(schema: Schema, value: int) -> Schema:
    if schema.max_length is not None and schema.max_length <= value:
        return schema
    return dataclasses.replace(schema, max_length=max(0, value))
