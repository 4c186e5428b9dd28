"""Values between the three forms an Avro field takes here.

* model JSON — what the synthesizer produces for the entity model: ISO strings for dates and
  times, floats for decimals, base64 for ``bytes``, lowercase hex for ``fixed``;
* Python datums — what fastavro writes: ``Decimal``, ``date``/``time``/``datetime``, ``UUID``,
  ``bytes``, ints for the logical types fastavro does not convert itself;
* Avro JSON — the encoding of field defaults in a schema (``bytes`` as code points 0-255,
  timestamps as numbers).

``Converter.datum`` turns model JSON into a datum and resolves union branches; ``model_value``
turns an Avro JSON default into model JSON.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import math
import re
import struct
import uuid
from collections.abc import Mapping
from typing import Any

from persona_gen.importers._avro.types import PRIMITIVES, RECORDS, decimal_params, is_null, logical

__all__ = ["SOURCE_NAME", "Converter", "Mismatch", "model_value", "source_name"]

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
FLOAT32_MAX = 3.4028234663852886e38
_UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_DAY = dt.date(1970, 1, 1)
_UNITS = {"millis": 1_000, "micros": 1_000_000, "nanos": 1_000_000_000}
_DATE = r"\d{4}-\d{2}-\d{2}"
# RFC 3339, as JSON Schema's date-time and time formats (what an imported timestamp's or
# time's labels hold a value to): seconds and a zone are required, so a value the labels
# call invalid is not converted either (a zone-less one was read as UTC).
_TIME = r"\d{2}:\d{2}:\d{2}(?:\.\d+)?"
_OFFSET = r"(?:[Zz]|[+-]\d{2}:\d{2})"
_ISO = {
    "date": re.compile(_DATE),
    "time": re.compile(_TIME + _OFFSET),
    "date-time": re.compile(f"{_DATE}[Tt]{_TIME}{_OFFSET}"),
}
_EXAMPLES = {"date": "2025-01-31", "time": "10:00:00Z", "date-time": "2025-01-31T10:00:00Z"}
_DURATION = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)


# A field attribute of the Avro schemas persona-gen derives (``sinks/avro.py``): the name
# the field has in the entity model, where it is no Avro name (``first-name`` is written
# as the Avro field ``first_name``). Avro keeps attributes it does not define as metadata.
SOURCE_NAME = "persona_gen_name"


def source_name(field: Mapping[str, Any]) -> str:
    """The model's name of an Avro record field: its ``SOURCE_NAME``, else its name."""
    return str(field.get(SOURCE_NAME, field["name"]))


class Mismatch(ValueError):
    """A value that does not fit an Avro type; ``path`` says where in the record."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class Converter:
    """Model-JSON values → fastavro datums, for the named types of one parsed schema."""

    def __init__(self, named: Mapping[str, Any]) -> None:
        self.named = named

    def datum(self, value: Any, schema: Any, path: str = "") -> Any:
        if isinstance(schema, list):
            return self._union(value, schema, path)
        if isinstance(schema, str):
            if schema in PRIMITIVES:
                return _primitive(value, schema, path)
            return self.datum(value, self.named[schema], path)
        kind = schema["type"]
        name, _ = logical(schema)
        if name is not None:
            return _logical(value, name, schema, path)
        if kind in PRIMITIVES:
            return _primitive(value, kind, path)
        if kind in RECORDS:
            return self._record(value, schema, path)
        if kind == "enum":
            if not isinstance(value, str) or value not in schema["symbols"]:
                raise Mismatch(path, f"{value!r} is not a symbol of enum {schema['name']}")
            return value
        if kind == "fixed":
            return _fixed(value, schema["size"], path)
        if kind == "array":
            if not isinstance(value, list | tuple):
                raise Mismatch(path, f"expected an array, got {_kind(value)}")
            return [self.datum(v, schema["items"], f"{path}[{i}]") for i, v in enumerate(value)]
        if kind == "map":
            if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
                raise Mismatch(path, f"expected a map with string keys, got {_kind(value)}")
            return {k: self.datum(v, schema["values"], f"{path}.{k}") for k, v in value.items()}
        raise Mismatch(path, f"unsupported Avro type {kind!r}")  # fastavro's parse allows no other

    def _record(self, value: Any, schema: Mapping[str, Any], path: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise Mismatch(path, f"expected a record {schema['name']}, got {_kind(value)}")
        fields = schema["fields"]
        extra = set(value) - {source_name(f) for f in fields}
        if extra:
            raise Mismatch(path, f"{sorted(extra)} not fields of {schema['name']}")
        out: dict[str, Any] = {}
        for f in fields:
            here = f"{path}.{source_name(f)}"
            if (key := source_name(f)) in value:
                out[f["name"]] = self.datum(value[key], f["type"], here)
                continue
            try:  # what fastavro writes for a missing field: its default, else null
                out[f["name"]] = self.datum(self._default(f), f["type"], here)
            except Mismatch:
                raise Mismatch(here, "required field is missing") from None
        return out

    def _default(self, f: Mapping[str, Any]) -> Any:
        if "default" not in f:
            return None
        first = f["type"][0] if isinstance(f["type"], list) else f["type"]
        try:
            return model_value(f["default"], first, self.named)
        except (ValueError, TypeError, KeyError, OverflowError):
            return None  # a default that does not fit (the import warned): as if absent

    def _union(self, value: Any, branches: list[Any], path: str) -> Any:
        if value is None:
            if any(is_null(b) for b in branches):
                return None
            raise Mismatch(path, "null is not a branch of the union")
        records = [b for b in branches if self._is_record(b)]
        problems = []
        for branch in branches:
            if is_null(branch):
                continue
            try:
                out = self.datum(value, branch, path)
            except Mismatch as exc:
                problems.append(exc.message)
                continue
            if len(records) > 1 and branch in records:
                # Several record branches: name the one meant (fastavro's tuple notation).
                return (branch if isinstance(branch, str) else branch["name"], out)
            return out
        raise Mismatch(path, f"fits no branch of the union ({'; '.join(problems)})")

    def _is_record(self, schema: Any) -> bool:
        if isinstance(schema, str):
            schema = self.named.get(schema)
        return isinstance(schema, Mapping) and schema.get("type") in RECORDS


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _primitive(value: Any, kind: str, path: str) -> Any:
    if kind == "null":
        if value is not None:
            raise Mismatch(path, f"expected null, got {_kind(value)}")
        return None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise Mismatch(path, f"expected a boolean, got {_kind(value)}")
        return value
    if kind in ("int", "long"):
        low, high = INT32 if kind == "int" else INT64
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise Mismatch(path, f"{value!r} is not an Avro {kind}")
        return value
    if kind in ("float", "double"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise Mismatch(path, f"expected a number, got {_kind(value)}")
        number = float(value)
        if kind == "float" and math.isfinite(number) and abs(number) > FLOAT32_MAX:
            raise Mismatch(path, f"{value!r} is out of range for an Avro float")
        return number
    if kind == "bytes":
        return _bytes(value, path)
    if not isinstance(value, str):
        raise Mismatch(path, f"expected a string, got {_kind(value)}")
    return value


def _bytes(value: Any, path: str) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if not isinstance(value, str):
        raise Mismatch(path, f"expected base64 text, got {_kind(value)}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Mismatch(path, f"{value[:40]!r} is not base64") from None


def _fixed(value: Any, size: int, path: str) -> bytes:
    if isinstance(value, bytes | bytearray):
        raw = bytes(value)
    elif isinstance(value, str) and len(value) == 2 * size:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raise Mismatch(path, f"{value[:40]!r} is not hex") from None
    else:
        raise Mismatch(path, f"expected {2 * size} hex digits, got {value!r}"[:120])
    if len(raw) != size:
        raise Mismatch(path, f"expected {size} bytes, got {len(raw)}")
    return raw


def _logical(value: Any, name: str, schema: Mapping[str, Any], path: str) -> Any:
    if name == "decimal":
        return _decimal(value, schema, path)
    if name == "uuid":
        try:
            parsed = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
        except (TypeError, ValueError, AttributeError):
            raise Mismatch(path, f"{value!r} is not a UUID") from None
        return parsed.bytes if schema["type"] == "fixed" else parsed
    if name == "duration":
        return _duration(value, path)
    if name == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        return _iso(dt.date.fromisoformat, value, "date", path)
    if name.startswith("time-"):
        clock = (
            value
            if isinstance(value, dt.time)
            else _iso(dt.time.fromisoformat, value, "time", path)
        )
        if clock.tzinfo is None:
            return clock
        # Avro keeps a time of day without a zone: the UTC one (RFC 3339 "12:00:00Z" is UTC).
        return dt.datetime.combine(_EPOCH_DAY, clock).astimezone(_UTC).time()
    moment = (
        value
        if isinstance(value, dt.datetime)
        else _iso(dt.datetime.fromisoformat, value, "date-time", path)
    )
    local = name.startswith("local-")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_UTC)  # a zone-less date-time is read as UTC
    if name.endswith("-nanos"):  # fastavro writes these as plain longs
        delta = moment - _EPOCH
        nanos = (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1_000
        if not INT64[0] <= nanos <= INT64[1]:
            raise Mismatch(path, f"{value!r} is out of range for {name}")
        return nanos
    return moment.astimezone(_UTC).replace(tzinfo=None) if local else moment


def _iso(parse: Any, value: Any, what: str, path: str) -> Any:
    if not isinstance(value, str):
        raise Mismatch(path, f"expected an ISO {what} string, got {_kind(value)}")
    if _ISO[what].fullmatch(value):  # fromisoformat alone lets e.g. a trailing NUL through
        try:
            return parse(value.upper())  # (RFC 3339 takes "t" and "z"; fromisoformat does not)
        except ValueError:
            pass
    raise Mismatch(path, f"{value[:60]!r} is not an RFC 3339 {what} (such as {_EXAMPLES[what]})")


def _decimal(value: Any, schema: Mapping[str, Any], path: str) -> decimal.Decimal:
    params = decimal_params(schema)
    assert params is not None  # logical() only names a decimal with valid params
    precision, scale = params
    if isinstance(value, decimal.Decimal):
        number = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = (
            decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)
        )
    else:
        raise Mismatch(path, f"expected a number, got {_kind(value)}")
    if not number.is_finite():
        raise Mismatch(path, f"{value!r} is not a finite decimal")
    context = decimal.Context(prec=max(precision, 28) + 2, rounding=decimal.ROUND_HALF_EVEN)
    quantized = number.quantize(decimal.Decimal(1).scaleb(-scale), context=context)
    if len(quantized.as_tuple().digits) > precision:
        raise Mismatch(path, f"{value!r} does not fit decimal({precision},{scale})")
    return quantized


def _duration(value: Any, path: str) -> bytes:
    if isinstance(value, bytes) and len(value) == 12:
        return value
    match = _DURATION.fullmatch(value) if isinstance(value, str) and len(value) > 1 else None
    if match is None or value.endswith("T"):
        raise Mismatch(path, f"{value!r} is not an ISO 8601 duration")
    years, months, weeks, days, hours, minutes, seconds = match.groups()
    total_months = int(years or 0) * 12 + int(months or 0)
    total_days = int(weeks or 0) * 7 + int(days or 0)
    millis = round((int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)) * 1000)
    if max(total_months, total_days, millis) >= 2**32:
        raise Mismatch(path, f"{value!r} is too long for an Avro duration")
    return struct.pack("<III", total_months, total_days, millis)


# -- Avro JSON (schema defaults) → model JSON ----------------------------------------------


def model_value(value: Any, schema: Any, named: Mapping[str, Any]) -> Any:
    """An Avro-JSON default as the entity model's JSON; ValueError when it does not fit."""
    if isinstance(schema, list):  # a union's default belongs to its first branch
        if not schema:
            raise ValueError("empty union")
        return model_value(value, schema[0], named)
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return _model_primitive(value, schema)
        return model_value(value, named[schema], named)
    kind = schema["type"]
    name, _ = logical(schema)
    if name is not None:
        return _model_logical(value, name, schema)
    if kind in PRIMITIVES:
        return _model_primitive(value, kind)
    if kind in RECORDS:
        if not isinstance(value, Mapping):
            raise ValueError("a record default must be an object")
        fields = {f["name"]: f for f in schema["fields"]}
        return {
            source_name(fields[k]): model_value(v, fields[k]["type"], named)
            for k, v in value.items()
        }
    if kind == "enum":
        if value not in schema["symbols"]:
            raise ValueError(f"{value!r} is not a symbol")
        return value
    if kind == "fixed":
        raw = _code_points(value)
        if len(raw) != schema["size"]:
            raise ValueError(f"expected {schema['size']} bytes")
        return raw.hex()
    if kind == "array":
        if not isinstance(value, list):
            raise ValueError("an array default must be a list")
        return [model_value(v, schema["items"], named) for v in value]
    if kind == "map":
        if not isinstance(value, Mapping):
            raise ValueError("a map default must be an object")
        return {k: model_value(v, schema["values"], named) for k, v in value.items()}
    return model_value(value, kind, named)


def _model_primitive(value: Any, kind: str) -> Any:
    if kind == "bytes":
        return base64.b64encode(_code_points(value)).decode()
    if kind in ("float", "double") and isinstance(value, str):
        return float(value)  # "NaN", "Infinity"
    _primitive(value, kind, "")
    return float(value) if kind in ("float", "double") else value


def _code_points(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("bytes defaults are strings")
    return value.encode("latin-1")  # UnicodeEncodeError is a ValueError


def _model_logical(value: Any, name: str, schema: Mapping[str, Any]) -> Any:
    if name == "decimal":
        params = decimal_params(schema)
        assert params is not None
        unscaled = int.from_bytes(_code_points(value), "big", signed=True)
        return float(decimal.Decimal(unscaled).scaleb(-params[1]))
    if name == "uuid":
        if schema["type"] == "fixed":
            return str(uuid.UUID(bytes=_code_points(value)))
        return str(uuid.UUID(value))
    if name == "duration":
        months, days, millis = struct.unpack("<III", _code_points(value))
        return f"P{months}M{days}DT{millis / 1000:g}S"
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"a {name} default must be an integer")
    if name == "date":
        return (_EPOCH_DAY + dt.timedelta(days=value)).isoformat()
    unit = _UNITS[name.rsplit("-", 1)[1]]
    if name.startswith("time-"):
        moment = dt.datetime.combine(_EPOCH_DAY, dt.time()) + dt.timedelta(
            microseconds=value * 1_000_000 // unit
        )
        return moment.time().isoformat() + "Z"
    moment = _EPOCH + dt.timedelta(microseconds=value * 1_000_000 // unit)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
