"""What a database's type input refuses and SQLite stores anyway: the ddl check's rules past
SQLite's.

The ddl check inserts rows into SQLite built from the script, which keeps any value in any
column (a text in an INTEGER column, 32768 in a SMALLINT). The script's own database does
not. Each value is judged here as the ``postgresql://`` sink sends it: as the text ``COPY``
gives the column's input function (a boolean ``t``/``f``, a number its decimal text, NUL
characters dropped).

The rules are PostgreSQL 15's, and for its date and time types only where it certainly
refuses: its date/time parser takes many forms (``Jan 8 1999``, ``19990108``, ``J2451187``,
time zone names), so a value is refused only when it is blank, holds a character the parser
never takes, a word it does not know, or an ISO-shaped date or time whose fields are out of
range. Integer ranges hold in every dialect but SQLite's. ``tests/test_pg_input.py`` holds
these rules to a real PostgreSQL.
"""

from __future__ import annotations

import calendar
import functools
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

import sqlglot
from sqlglot import exp

from persona_gen.importers.ddl import split_statements

__all__ = ["column_inputs", "refusal"]

T = exp.DataType.Type
# Integer types and the range each holds (MySQL's unsigned types from 0).
_INTEGER_RANGES: dict[Any, tuple[int, int, str]] = {
    T.TINYINT: (-(2**7), 2**7 - 1, "tinyint"),
    T.UTINYINT: (0, 2**8 - 1, "tinyint unsigned"),
    T.SMALLINT: (-(2**15), 2**15 - 1, "smallint"),
    T.USMALLINT: (0, 2**16 - 1, "smallint unsigned"),
    T.MEDIUMINT: (-(2**23), 2**23 - 1, "mediumint"),
    T.UMEDIUMINT: (0, 2**24 - 1, "mediumint unsigned"),
    T.INT: (-(2**31), 2**31 - 1, "integer"),
    T.UINT: (0, 2**32 - 1, "integer unsigned"),
    T.BIGINT: (-(2**63), 2**63 - 1, "bigint"),
    T.UBIGINT: (0, 2**64 - 1, "bigint unsigned"),
    T.SMALLSERIAL: (-(2**15), 2**15 - 1, "smallint"),
    T.SERIAL: (-(2**31), 2**31 - 1, "integer"),
    T.BIGSERIAL: (-(2**63), 2**63 - 1, "bigint"),
}
_POSTGRES_KINDS: dict[Any, str] = {
    T.BOOLEAN: "boolean",
    T.UUID: "uuid",
    T.INET: "inet",
    T.DATE: "date",
    T.TIMESTAMP: "timestamp",
    T.TIMESTAMPTZ: "timestamp with time zone",
    T.TIMESTAMPLTZ: "timestamp with time zone",
    T.TIME: "time",
    T.TIMETZ: "time with time zone",
    T.DECIMAL: "numeric",
    T.DOUBLE: "double precision",
    T.FLOAT: "real",
}

Refusal = tuple[str, str]  # (rule, what the database says)
Input = Callable[[str], Refusal | None]


def column_inputs(script: str, dialect: str, table: str) -> dict[str, Input]:
    """For each column of ``table`` whose database refuses values SQLite keeps, the check of
    a value's text (none for SQLite itself)."""
    if dialect == "sqlite":
        return {}
    out: dict[str, Input] = {}
    for stmt in split_statements(script, dialect):
        try:
            tree = sqlglot.parse_one(stmt.text, read=dialect)
        except sqlglot.errors.SqlglotError:
            continue  # (the importer read the script; what it could not read it left out)
        if not isinstance(tree, exp.Create) or tree.kind != "TABLE":
            continue
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        if not isinstance(target, exp.Table) or target.name != table:
            continue
        for column in tree.find_all(exp.ColumnDef):
            dtype = column.args.get("kind")
            if isinstance(dtype, exp.DataType):
                check = _input_for(dtype, dialect)
                if check is not None:
                    out[column.name] = check
    return out


def _input_for(dtype: exp.DataType, dialect: str) -> Input | None:
    if dtype.this in _INTEGER_RANGES:
        low, high, name = _INTEGER_RANGES[dtype.this]
        return lambda text: _integer(text, low, high, name, strict=dialect == "postgres")
    if dialect != "postgres":
        return None
    params = [p.name for p in dtype.expressions]
    kind = _POSTGRES_KINDS.get(dtype.this)
    if dtype.this == T.USERDEFINED:  # (types sqlglot has no name for)
        kind = {"cidr": "cidr", "macaddr": "macaddr"}.get(dtype.sql("postgres").lower())
    if kind == "numeric":
        digits = [int(p) for p in params if p.lstrip("-").isdigit()]
        precision = digits[0] if digits else None
        scale = digits[1] if len(digits) > 1 else 0
        return lambda text: _numeric(text, precision, scale)
    if kind in ("double precision", "real"):
        # FLOAT(p) is single precision up to 24 bits
        single = kind == "real" or (bool(params) and params[0].isdigit() and int(params[0]) <= 24)
        return lambda text: _float(text, single)
    if kind is not None:
        return _TEXT_INPUTS[kind]
    return None


def refusal(value: Any, check: Input) -> Refusal | None:
    """Whether the database refuses ``value`` (a JSON value) in the column ``check`` is of."""
    if value is None or isinstance(value, dict | list):
        return None  # (NULL is the table's NOT NULL; objects and arrays go in as JSON)
    return check(_copy_text(value))


def _copy_text(value: Any) -> str:
    """The text PostgreSQL's COPY gives a column's input function for a row value."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    return str(value).replace("\x00", "")  # (the sink drops NUL: PostgreSQL text holds none)


def _syntax(kind: str, text: str) -> Refusal:
    return "type", f'invalid input syntax for type {kind}: "{_shown(text)}"'


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


# -- numbers -----------------------------------------------------------------------------------

_INTEGER = re.compile(r"\s*([+-]?\d+)\s*", re.ASCII)
_DECIMAL = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*", re.ASCII)
_SPECIAL_NUMBER = re.compile(r"\s*([+-]?)(nan|inf|infinity)\s*", re.IGNORECASE)


def _integer(text: str, low: int, high: int, name: str, *, strict: bool) -> Refusal | None:
    found = _INTEGER.fullmatch(text)
    if found is None:
        # (other databases may round a decimal text or cut it: only the range is theirs)
        return _syntax(name, text) if strict else None
    number = int(found.group(1))
    if not low <= number <= high:
        return "range", f'value "{_shown(text.strip())}" is out of range for type {name}'
    return None


def _numeric(text: str, precision: int | None, scale: int) -> Refusal | None:
    """NUMERIC, or NUMERIC(precision, scale): a value rounded to the scale must have at
    most ``precision - scale`` digits before the point."""
    special = _SPECIAL_NUMBER.fullmatch(text)
    if special is not None:
        if special.group(2).lower() == "nan":
            return _syntax("numeric", text) if special.group(1) else None
        return ("range", "numeric field overflow") if precision is not None else None
    if _DECIMAL.fullmatch(text) is None:
        return _syntax("numeric", text)
    if precision is not None and _overflows(Decimal(text.strip()), precision, scale):
        shown = f"{_shown(text.strip())} in NUMERIC({precision},{scale})"
        return "range", f"numeric field overflow: {shown}"
    return None


def _overflows(value: Decimal, precision: int, scale: int) -> bool:
    """Whether ``value`` rounded (half away from zero) to ``scale`` digits has more than
    ``precision - scale`` digits before the point."""
    if value.is_zero() or value.adjusted() < -scale - 1:
        return False
    if value.adjusted() >= precision - scale:
        return True
    with localcontext(prec=precision + 2):
        rounded = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    return rounded.adjusted() >= precision - scale


def _float(text: str, single: bool) -> Refusal | None:
    name = "real" if single else "double precision"
    if _SPECIAL_NUMBER.fullmatch(text) or re.fullmatch(r"\s*-nan\s*", text, re.IGNORECASE):
        return None
    if _DECIMAL.fullmatch(text) is None:
        if re.fullmatch(r"\s*[+-]?0[xX][0-9a-fA-F.]+(?:[pP][+-]?\d+)?\s*", text):
            return None  # (C's strtod reads hexadecimal floats, and PostgreSQL with it)
        return _syntax(name, text)
    try:
        number = float(Decimal(text.strip()))
    except (InvalidOperation, OverflowError):  # pragma: no cover - the pattern is decimal
        return _syntax(name, text)
    limit, smallest = (3.4028235e38, 1.1754944e-38) if single else (math.inf, 0.0)
    digits = text.strip().lstrip("+-").split("e")[0].split("E")[0]
    zero = not any(c in "123456789" for c in digits)
    magnitude = abs(number)
    if magnitude >= limit or math.isinf(magnitude) or (not zero and magnitude <= smallest):
        return "range", f'"{_shown(text)}" is out of range for type {name}'
    if single and not zero and magnitude < 1.4e-45:
        return "range", f'"{_shown(text)}" is out of range for type {name}'
    return None


# -- other scalar types ------------------------------------------------------------------------

_BOOLEAN_WORDS = ("true", "false", "yes", "no")


def _boolean(text: str) -> Refusal | None:
    word = text.strip().lower()
    if word in ("1", "0", "on", "off", "of") or (
        word and any(w.startswith(word) for w in _BOOLEAN_WORDS)
    ):
        return None
    return _syntax("boolean", text)


_UUID = re.compile(r"(\{)?[0-9a-fA-F]{4}(?:-?[0-9a-fA-F]{4}){7}(?(1)\})")


def _uuid(text: str) -> Refusal | None:
    return None if _UUID.fullmatch(text) else _syntax("uuid", text)


def _inet(text: str) -> Refusal | None:
    address, _, bits = text.partition("/")
    octets = address.split(".")
    if bits and len(octets) < 4 and all(o.isdigit() for o in octets):
        # (with a mask, PostgreSQL reads 10/8 and 10.1/16 as networks)
        valid = all(int(o) <= 255 for o in octets) and bits.isdigit() and int(bits) <= 32
        return None if valid else _syntax("inet", text)
    if "%" in address:
        return _syntax("inet", text)  # (an IPv6 zone, which Python reads and PostgreSQL not)
    try:
        parsed = ipaddress.ip_address(_without_leading_zeros(address))
    except ValueError:
        return _syntax("inet", text)
    if bits and not (bits.isdigit() and int(bits) <= parsed.max_prefixlen):
        return _syntax("inet", text)
    return None


def _without_leading_zeros(address: str) -> str:
    """PostgreSQL reads ``01.2.3.04`` as 1.2.3.4 (Python's parser refuses leading zeros)."""
    parts = address.split(".")
    if len(parts) == 4 and all(p.isascii() and p.isdigit() for p in parts):
        return ".".join(str(int(p)) if len(p) <= 3 else p for p in parts)
    return address


def _cidr(text: str) -> Refusal | None:
    if not re.fullmatch(r"[0-9A-Fa-fxX:./]+", text):
        return _syntax("cidr", text)
    address, _, bits = text.partition("/")
    if re.fullmatch(r"[\d.]+", address):
        # (PostgreSQL reads 10.1 as 10.1.0.0/16: up to four octets, none past 255)
        octets = address.split(".")
        if len(octets) > 4 or not all(o.isdigit() and int(o) <= 255 for o in octets):
            return _syntax("cidr", text)
    elif not (":" in address or address.lower().startswith("0x")):
        return _syntax("cidr", text)  # (neither dotted, IPv6 nor hexadecimal)
    try:
        full = ipaddress.ip_address(_without_leading_zeros(address))
    except ValueError:
        return None  # (an abbreviated network or a hexadecimal one: not judged here)
    if bits and not (bits.isdigit() and int(bits) <= full.max_prefixlen):
        return _syntax("cidr", text)
    try:
        ipaddress.ip_network(f"{full}/{bits or full.max_prefixlen}", strict=True)
    except ValueError:
        return "type", f'invalid cidr value: "{_shown(text)}"'
    return None


_MACADDR_CHARS = re.compile(r"[0-9A-Fa-fxX:.+\-]+", re.ASCII)


def _macaddr(text: str) -> Refusal | None:
    """PostgreSQL reads MAC addresses with ``sscanf`` in six forms, which also takes signs
    and ``0x`` inside groups: refused here only with a character no form can hold."""
    body = text.strip(" \t\n\r\f\v")
    if not _MACADDR_CHARS.fullmatch(body):
        return _syntax("macaddr", text)
    if _HEX_OR_COLON.fullmatch(body):  # (plain hex digits, or colon-separated)
        sizes = [len(g) for g in body.split(":")]
        six = len(sizes) == 6 and min(sizes) >= 1 and max(sizes) <= 2
        if sizes not in ([12], [6, 6]) and not six:
            return _syntax("macaddr", text)
    return None


_HEX_OR_COLON = re.compile(r"[0-9A-Fa-f:]+", re.ASCII)


# -- dates and times ---------------------------------------------------------------------------

# The words PostgreSQL's date/time parser knows beside time zone abbreviations and names:
# months, days, eras, special values, unit and ISO markers.
_MONTHS = [m.lower() for m in calendar.month_name[1:]]
_DAYS = [d.lower() for d in calendar.day_name]
_OTHER_WORDS = [
    "tues",
    "wednes",
    "thur",
    "thurs",
    "am",
    "pm",
    "ad",
    "bc",
    "at",
    "on",
    "epoch",
    "infinity",
    "now",
    "today",
    "tomorrow",
    "yesterday",
    "allballs",
    "zulu",
    "utc",
    "gmt",
    "ut",
    "z",
    "t",
    "j",
    "y",
    "m",
    "d",
    "h",
    "s",
]
_KNOWN_WORDS = frozenset(
    [*_MONTHS, *(m[:3] for m in _MONTHS), "sept", *_DAYS, *(d[:3] for d in _DAYS), *_OTHER_WORDS]
)
_TEXT_CHARS = re.compile(r"[0-9A-Za-z\s+\-:./,()_]*", re.ASCII)
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)+", re.ASCII)
_WORD = re.compile(r"[A-Za-z]+")
_ISO_DATE = re.compile(r"(\d{4,})-(\d{1,2})-(\d{1,2})(?!\d)")
_ISO_TIME = re.compile(r"(\d{1,2}):(\d{1,2})?(?::(\d{1,2})?(?:\.\d*)?)?")


@functools.cache
def _zone_names() -> frozenset[str] | None:
    """The time zone database's names, lower-cased (None when the system has none)."""
    import zoneinfo

    names = frozenset(n.lower() for n in zoneinfo.available_timezones())
    return names or None


def _temporal(kind: str) -> Input:
    with_date = kind.startswith(("date", "timestamp"))

    def check(text: str) -> Refusal | None:
        body = text.strip()
        if not body or not _TEXT_CHARS.fullmatch(body):
            return _syntax(kind, text)  # (blank, or a character the parser has no token for)
        words = []
        for token in body.replace(",", " ").split():
            if "/" in token and _ZONE_NAME.fullmatch(token):
                zones = _zone_names()
                if zones is not None and token.lower() not in zones:
                    return "type", f'time zone "{_shown(token)}" not recognized'
            else:
                words += _WORD.findall(token)
        if not all(_known_word(word) for word in words):
            return _syntax(kind, text)
        if body.isdigit():
            return _digits(body, kind, with_date)
        return _out_of_range(body, kind, with_date)

    return check


def _known_word(word: str) -> bool:
    lower = word.lower()
    if lower in _KNOWN_WORDS or (lower[:1] == "t" and lower[1:] in _KNOWN_WORDS):
        return True  # (the ISO 'T' may run into a word)
    return 3 <= len(word) <= 5  # (it may be a zone abbreviation: CET, nzdt)


def _digits(body: str, kind: str, with_date: bool) -> Refusal | None:
    """A date as YYMMDD or YYYYMMDD; a time as HHMM or HHMMSS; no other run of digits."""
    if with_date and len(body) in (6, 8):
        year = int(body[:-4])
        year = year if len(body) == 8 else year + (2000 if year < 70 else 1900)
        return _date_fields(body, year, int(body[-4:-2]), int(body[-2:]))
    if not with_date and len(body) in (4, 6):
        seconds = int(body[4:]) if len(body) == 6 else 0
        return _time_fields(body, int(body[:2]), int(body[2:4]), seconds)
    return _syntax(kind, body)


def _date_fields(body: str, year: int, month: int, day: int) -> Refusal | None:
    if (
        year >= 1
        and 1 <= month <= 12
        and 1 <= day <= calendar.monthrange(min(year, 9999), month)[1]
    ):
        return None
    return "range", f'date/time field value out of range: "{_shown(body)}"'


def _time_fields(body: str, hour: int, minute: int, second: int) -> Refusal | None:
    if hour > 24 or minute > 59 or second > 60 or (hour == 24 and (minute or second)):
        return "range", f'date/time field value out of range: "{_shown(body)}"'
    return None


def _out_of_range(body: str, kind: str, with_date: bool) -> Refusal | None:
    """An ISO-shaped date or time whose month, day, hour, minute or second is past its
    range (``2024-13-45``, ``25:99``), or that stops where a field must follow."""
    date = _ISO_DATE.match(body) if with_date else None
    rest = body
    if date is not None:
        year, month, day = (int(g) for g in date.groups())
        refused = _date_fields(body, year, month, day)
        if refused is not None:
            return refused
        rest = body[date.end() :].lstrip()
        if rest[:1] in ("T", "t"):
            rest = rest[1:]
            if _ISO_TIME.match(rest) is None:
                return _syntax(kind, body)  # (a T must be followed by a time)
        elif rest[:1].isdigit() and _ISO_TIME.match(rest) is None:
            return _syntax(kind, body)  # (an hour with no minutes: 2024-12-22 22)
    elif with_date and re.fullmatch(r"\d{4,}-\d{0,2}-?", body):
        return _syntax(kind, body)  # (a date cut short: 2024-12-, 2023-07)
    elif with_date and (slashed := _SLASHED_DATE.fullmatch(body)) is not None:
        return _slashed(body, *slashed.groups())
    time = _ISO_TIME.match(rest) if rest[:1].isdigit() else None
    if time is not None:
        hour, minute, second = (int(g or 0) for g in time.groups())
        return _time_fields(body, hour, minute, second)
    return None


_SLASHED_DATE = re.compile(r"(\d{1,4})/(\d{1,2})/(\d{1,4})")


def _slashed(body: str, first: str, second: str, third: str) -> Refusal | None:
    """``Y/M/D``, or ``M/D/Y`` or ``D/M/Y`` by the server's DateStyle: refused only when
    no reading the server may be set to makes it a date."""
    if len(first) == 4:
        return _date_fields(body, int(first), int(second), int(third))
    year = int(third) if len(third) > 2 else int(third) + (2000 if int(third) < 70 else 1900)
    month_first = _date_fields(body, year, int(first), int(second))
    day_first = _date_fields(body, year, int(second), int(first))
    return month_first if month_first is not None and day_first is not None else None


_TEXT_INPUTS: Mapping[str, Input] = {
    "boolean": _boolean,
    "uuid": _uuid,
    "inet": _inet,
    "cidr": _cidr,
    "macaddr": _macaddr,
    **{
        kind: _temporal(kind)
        for kind in (
            "date",
            "timestamp",
            "timestamp with time zone",
            "time",
            "time with time zone",
        )
    },
}
