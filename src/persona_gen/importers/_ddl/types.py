"""SQL column types → the neutral model's ``Schema`` (type, format, lengths, ranges, scale)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from persona_gen.entities.model import Schema
from persona_gen.importers._ddl.support import auto_numbered

__all__ = [
    "DATETIMES",
    "INT_RANGES",
    "NAIVE_DATETIMES",
    "SERIALS",
    "TypeContext",
    "UserType",
    "map_type",
]

T = exp.DataType.Type

INT_RANGES: dict[Any, tuple[int, int]] = {
    T.TINYINT: (-(2**7), 2**7 - 1),
    T.UTINYINT: (0, 2**8 - 1),
    T.SMALLINT: (-(2**15), 2**15 - 1),
    T.USMALLINT: (0, 2**16 - 1),
    T.MEDIUMINT: (-(2**23), 2**23 - 1),
    T.UMEDIUMINT: (0, 2**24 - 1),
    T.INT: (-(2**31), 2**31 - 1),
    T.UINT: (0, 2**32 - 1),
    T.BIGINT: (-(2**63), 2**63 - 1),
    T.UBIGINT: (0, 2**64 - 1),
    T.INT128: (-(2**127), 2**127 - 1),
    T.UINT128: (0, 2**128 - 1),
    T.INT256: (-(2**255), 2**255 - 1),
    T.UINT256: (0, 2**256 - 1),
    # (the range of the integer type under the sequence: PostgreSQL takes 0 or -5 given
    # explicitly; ``support.auto_numbered`` drops the lower bound, see there)
    T.SMALLSERIAL: (-(2**15), 2**15 - 1),
    T.SERIAL: (-(2**31), 2**31 - 1),
    T.BIGSERIAL: (-(2**63), 2**63 - 1),
}
SERIALS = frozenset({T.SMALLSERIAL, T.SERIAL, T.BIGSERIAL})

_DECIMALS = frozenset(
    {T.DECIMAL, T.UDECIMAL, T.DECIMAL32, T.DECIMAL64, T.DECIMAL128, T.DECIMAL256, T.BIGDECIMAL}
)
_FLOATS = frozenset({T.FLOAT, T.DOUBLE, T.UDOUBLE, T.DECFLOAT})
_CHARS = frozenset({T.CHAR, T.NCHAR, T.BPCHAR, T.FIXEDSTRING})
_VARCHARS = frozenset({T.VARCHAR, T.NVARCHAR})
_TEXTS = {T.TEXT: None, T.MEDIUMTEXT: None, T.LONGTEXT: None, T.TINYTEXT: 255, T.NAME: 63}
_BINARIES = frozenset(
    {T.BINARY, T.VARBINARY, T.BLOB, T.TINYBLOB, T.MEDIUMBLOB, T.LONGBLOB, T.IMAGE, T.ROWVERSION}
)
_BINARY_SIZES = {T.TINYBLOB: 255}  # bytes (larger BLOBs hold more than is ever generated)
_DATETIMES = frozenset(
    {
        T.DATETIME,
        T.DATETIME2,
        T.DATETIME64,
        T.SMALLDATETIME,
        T.TIMESTAMP,
        T.TIMESTAMPTZ,
        T.TIMESTAMPLTZ,
        T.TIMESTAMPNTZ,
        T.TIMESTAMP_S,
        T.TIMESTAMP_MS,
        T.TIMESTAMP_NS,
    }
)
_DATES = frozenset({T.DATE, T.DATE32})
# The date-times that keep no offset: a literal's offset is dropped, its wall time kept.
NAIVE_DATETIMES = _DATETIMES - {T.TIMESTAMPTZ, T.TIMESTAMPLTZ}
DATETIMES = _DATETIMES
_TIMES = frozenset({T.TIME, T.TIMETZ, T.TIME_NS})
_IPS = {T.INET: "ipv4", T.IPV4: "ipv4", T.IPV6: "ipv6", T.IPADDRESS: "ipv4"}
_JSONS = frozenset({T.JSON, T.JSONB})

_MAC = r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$"
_MAC8 = r"^[0-9a-f]{2}(:[0-9a-f]{2}){7}$"

# Well-known names sqlglot leaves as user-defined types (PostgreSQL extensions and aliases).
_NAMED: dict[str, Schema] = {
    "cidr": Schema("string", format="ipv4"),
    "macaddr": Schema("string", pattern=_MAC),
    "macaddr8": Schema("string", pattern=_MAC8),
    "citext": Schema("string"),
    "tsvector": Schema("string", pattern=r"^[a-z]+$"),
    "char": Schema("string", min_length=1, max_length=1),  # PostgreSQL's one-byte "char"
    "oid": Schema("integer", minimum=0, maximum=2**32 - 1),
    "xid": Schema("integer", minimum=0, maximum=2**32 - 1),
    "string": Schema("string"),
    "clob": Schema("string"),
    "nclob": Schema("string"),
    "ntext": Schema("string"),
    "long": Schema("string"),
    "number": Schema("number"),
    "int2": Schema("integer", minimum=-(2**15), maximum=2**15 - 1),
    "int4": Schema("integer", minimum=-(2**31), maximum=2**31 - 1),
    "int8": Schema("integer", minimum=-(2**63), maximum=2**63 - 1),
}


@dataclass(frozen=True, slots=True)
class UserType:
    """A type the script declares itself: an enum, a domain or a composite type."""

    schema: Schema
    not_null: bool = False
    kind: str = "enum"  # enum | domain | composite


@dataclass
class TypeContext:
    dialect: str
    user_types: dict[str, UserType] = field(default_factory=dict)
    warn: Callable[[str], None] = print


def _params(dt: exp.DataType) -> list[int | str]:
    out: list[int | str] = []
    for p in dt.expressions:
        node = p.this if isinstance(p, exp.DataTypeParam) else p
        text = node.name if isinstance(node, exp.Expression) else str(node)
        try:
            out.append(int(text))
        except ValueError:
            out.append(text.upper())
    return out


def type_name(node: exp.Expression) -> str:
    """A user-defined type's bare name, lower-cased (schema qualification dropped)."""
    if isinstance(node, exp.DataType):
        kind = node.args.get("kind")
        text = kind.sql() if isinstance(kind, exp.Expression) else str(kind or node.sql())
    else:
        text = node.sql() if isinstance(node, exp.Expression) else str(node)
    return text.split(".")[-1].strip('"`[]').lower()


def map_type(node: exp.Expression | None, ctx: TypeContext, where: str) -> tuple[Schema, bool]:
    """The schema of a column declared ``node``, and whether the type makes it NOT NULL (a
    domain declared NOT NULL, a SERIAL)."""
    if node is None:  # SQLite allows columns without a type
        return Schema("any"), False
    if not isinstance(node, exp.DataType):
        return _named(type_name(node), ctx, where, node.sql(ctx.dialect))
    kind = node.this
    params = _params(node)
    if kind == T.ARRAY:
        inner = node.expressions[0] if node.expressions else None
        if isinstance(inner, exp.DataType) and inner.this == T.ARRAY:
            ctx.warn(f"{where}: multi-dimensional array generated as one-dimensional")
            while isinstance(inner, exp.DataType) and inner.this == T.ARRAY and inner.expressions:
                inner = inner.expressions[0]
        item, _ = map_type(inner, ctx, where + "[]")
        return Schema("array", items=item), False
    if kind == T.USERDEFINED:
        return _named(type_name(node), ctx, where, node.sql(ctx.dialect), params)
    # SERIAL is an integer NOT NULL with a sequence's DEFAULT: the sinks write every column,
    # so a NULL would reach the table and be refused, whatever the DEFAULT.
    schema = _builtin(kind, params, node, ctx, where)
    return (auto_numbered(schema) if kind in SERIALS else schema), kind in SERIALS


def _builtin(
    kind: Any, params: list[int | str], node: exp.DataType, ctx: TypeContext, where: str
) -> Schema:
    first = params[0] if params and isinstance(params[0], int) else None
    if kind == T.TINYINT and first == 1 and ctx.dialect == "mysql":
        return Schema("integer", minimum=0, maximum=1)  # MySQL's boolean idiom
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        if ctx.dialect == "sqlite":
            # SQLite stores every integer as a signed 64-bit one, whatever the declared type
            # (INT, BIGINT UNSIGNED...): its INTEGER is 64-bit, and larger values cannot be
            # stored as integers at all.
            smallest, largest = INT_RANGES[T.BIGINT]
            if kind == T.INT:
                low, high = smallest, largest
            low, high = max(low, smallest), min(high, largest)
        return Schema("integer", minimum=low, maximum=high)
    if kind in _DECIMALS:
        return _decimal(kind, params, ctx)
    if kind in (T.MONEY, T.SMALLMONEY):
        if kind == T.SMALLMONEY:
            return Schema("number", minimum=-214748.3648, maximum=214748.3647, scale=4)
        return Schema("number", precision=18, scale=2 if ctx.dialect == "postgres" else 4)
    if kind in _FLOATS:
        if len(params) == 2 and all(isinstance(p, int) for p in params):  # MySQL FLOAT(M,D)
            return Schema("number", precision=int(params[0]), scale=int(params[1]))
        return Schema("number", minimum=0) if kind == T.UDOUBLE else Schema("number")
    if kind == T.BOOLEAN:
        return Schema("boolean")
    if kind == T.BIT:
        if ctx.dialect == "tsql":
            return Schema("boolean")
        width = first or 1
        if ctx.dialect == "mysql":
            return Schema("integer", minimum=0, maximum=2**width - 1)
        return Schema("string", pattern=f"^[01]{{{width}}}$", min_length=width, max_length=width)
    if kind in _CHARS:
        # CHAR(n) pads shorter values with spaces, so any value up to n characters is valid;
        # no minimum length is imposed (a padded value reads back with trailing spaces).
        size = first if first is not None else (None if ctx.dialect == "sqlite" else 1)
        return Schema("string", max_length=size)
    if kind in _VARCHARS:
        return Schema("string", max_length=first)
    if kind in _TEXTS:
        return Schema("string", max_length=_TEXTS[kind])
    if kind in _BINARIES:
        first = first if first is not None else _BINARY_SIZES.get(kind)
        if first is None:
            return Schema("string", format="byte")
        # The value is base64 text: n bytes hold whole 3-byte groups of it, 4 characters
        # each (a shorter BINARY(n) value is padded by the database, so it fits too).
        if first < 3:
            ctx.warn(
                f"{where}: {node.sql(ctx.dialect)} holds less than one 3-byte group of base64 "
                "text; its values are empty"
            )
        return Schema("string", format="byte", max_length=4 * (first // 3))
    if kind in _DATETIMES:
        return Schema("string", format="date-time")
    if kind in _DATES:
        return Schema("string", format="date")
    if kind in _TIMES:
        return Schema("string", format="time")
    if kind == T.YEAR:
        return Schema("integer", minimum=1901, maximum=2155)
    if kind == T.INTERVAL:
        return Schema("string", format="duration")
    if kind == T.UUID:
        return Schema("string", format="uuid")
    if kind in _JSONS:
        return Schema("map", values=Schema("any"))
    if kind in _IPS:
        return Schema("string", format=_IPS[kind])
    if kind == T.XML:
        return Schema("string", pattern=r"^[a-z]+$")
    if kind in (T.ENUM, T.ENUM8, T.ENUM16, T.SET):
        members = tuple(_literal_text(e) for e in node.expressions)
        return Schema("string", enum=members)
    ctx.warn(f"{where}: type {node.sql(ctx.dialect)} not expressed; values are plain strings")
    return Schema("string")


def _decimal(kind: Any, params: list[int | str], ctx: TypeContext) -> Schema:
    low = 0.0 if kind == T.UDECIMAL else None
    ints = [p for p in params if isinstance(p, int)]
    if ints:
        return Schema(
            "number", minimum=low, precision=ints[0], scale=ints[1] if len(ints) > 1 else 0
        )
    if ctx.dialect == "mysql":
        return Schema("number", minimum=low, precision=10, scale=0)
    return Schema("number", minimum=low)


def _named(
    name: str, ctx: TypeContext, where: str, text: str, params: list[int | str] | None = None
) -> tuple[Schema, bool]:
    user = ctx.user_types.get(name)
    if user is not None:
        if user.kind == "composite":
            ctx.warn(f"{where}: composite type {text} generated as an object")
        return user.schema, user.not_null
    if name in ("varbit", "bit varying"):
        width = params[0] if params and isinstance(params[0], int) else None
        limit = "" if width is None else str(width)
        return Schema("string", pattern=f"^[01]{{0,{limit}}}$" if limit else "^[01]*$"), False
    known = _NAMED.get(name)
    if known is not None:
        return known, False
    ctx.warn(f"{where}: type {text} not expressed; values are plain strings")
    return Schema("string"), False


def _literal_text(node: exp.Expression) -> str:
    return node.name if isinstance(node, exp.Literal) else node.sql()
