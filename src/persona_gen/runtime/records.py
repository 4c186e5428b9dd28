"""Reading datasets back as persona-gen writes them, and the part of a record a schema governs.

Shared by ``check`` (validate a dataset file against its profile's source schema) and the
schema-bound encoders (Avro, Protobuf): streaming → ``payload``; fault → ``record``; api →
``request.body`` of POST/PUT; file → the row without its label columns, dotted columns
re-nested (arrays, written as JSON text, decoded), or its ``value`` column for an entity
whose records are not objects; load → nothing.

json, jsonl, csv and parquet files hold whole records. Avro and Protobuf files hold only the
governed parts (``read_avro``, ``read_protobuf``; ``as_record`` wraps one back); SQL scripts
and SQLite tables hold file rows (``read_sql``, ``read_sqlite``), with a row's label only in
the ``-- expected invalid: …`` comment the SQL writer puts before it.
"""

from __future__ import annotations

import base64
import codecs
import csv
import datetime as dt
import decimal
import io
import json
import math
import re
import struct
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from persona_gen._json import json_type
from persona_gen.entities.model import Domain, Field, Schema, deref
from persona_gen.errors import FileError, UsageError
from persona_gen.generators.check import violated_rule
from persona_gen.generators.file import (
    LABEL_COLUMNS,
    VALID_COLUMN,
    VALUE_COLUMN,
    VIOLATIONS_COLUMN,
    value_leaf,
)
from persona_gen.generators.paths import Leaf, leaves

__all__ = [
    "GENERATOR_FIELDS",
    "READ_FORMATS",
    "FileRowShape",
    "TableRows",
    "as_record",
    "detect_generator",
    "drop_absent",
    "read_avro",
    "read_dataset",
    "read_protobuf",
    "read_sql",
    "read_sqlite",
    "schema_part",
    "table_cell",
]

READ_FORMATS = ("json", "jsonl", "csv", "parquet")


class TableRows(NamedTuple):
    """The rows read from a database table, and the table's name as the database has it
    (``check``'s report says which table it read)."""

    rows: list[dict[str, Any]]
    table: str


# -- reading files ---------------------------------------------------------------------------


def read_dataset(path: Path, fmt: str) -> tuple[list[dict[str, Any]], bool]:
    """The records of a dataset file and whether their cells are text (CSV) to be typed."""
    if fmt not in READ_FORMATS:
        raise UsageError(
            f"{path}: cannot read '{fmt}' datasets (use one of {', '.join(READ_FORMATS)})"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    if fmt == "json":
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise _not_valid(path, fmt, exc, data) from None
        if not isinstance(doc, list):
            raise UsageError(f"{path}: expected a JSON array of records (objects)")
        _objects(path, enumerate(doc), "item")
        return doc, False
    if fmt == "jsonl":
        numbered = []
        for n, line in enumerate(data.splitlines(), 1):
            if not line.strip():
                continue
            try:  # (one line at a time: orjson's position is within the line)
                numbered.append((n, orjson.loads(line)))
            except orjson.JSONDecodeError as exc:
                raise _not_valid(path, fmt, exc, line, line=n) from None
        _objects(path, numbered, "line")
        return [record for _, record in numbered], False
    if fmt == "csv":
        return _read_csv(data, _csv_dialect(path)), True
    return _read_parquet(path), False


_JSON_KINDS = {str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def _not_valid(
    path: Path, fmt: str, exc: orjson.JSONDecodeError, text: bytes, line: int | None = None
) -> UsageError:
    """``FILE:LINE:COLUMN: not valid json…``: where the text stops being JSON (``line``: the
    JSON Lines line, ``text``, whose text alone was parsed). Bytes that are not UTF-8 are
    said as such, where they are (orjson says "str is not valid UTF-8: surrogates not
    allowed", at the text's start)."""
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as bad:
        start = bad.start
        row = text.count(b"\n", 0, start) + (line or 1)
        column = start - (text.rfind(b"\n", 0, start) + 1) + 1
        return UsageError(
            f"{path}:{row}:{column}: not UTF-8 text (byte 0x{text[start]:02x}: {bad.reason})"
        )
    where = f"{path}:{line or exc.lineno}:{exc.colno}"
    return UsageError(f"{where}: not valid {fmt}: {exc.msg}")


def _objects(path: Path, records: Iterable[tuple[int, Any]], what: str) -> None:
    """Refuse records that are not JSON objects (``[1, 2, 3]``): a record is an object."""
    for i, record in records:
        if not isinstance(record, dict):
            kind = "an array" if isinstance(record, list) else _JSON_KINDS.get(type(record), "null")
            raise UsageError(f"{path}: expected JSON records (objects), but {what} {i} is {kind}")


def _csv_dialect(path: Path) -> dict[str, Any]:
    """The encoding and delimiter the manifest beside a CSV file says it was written with
    (``{}`` without one, or one that names none a reader could use)."""
    try:
        doc = orjson.loads(path.with_name(path.name + ".manifest.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    dialect = doc.get("csv") if isinstance(doc, dict) else None
    if not isinstance(dialect, dict):
        return {}
    out: dict[str, Any] = {}
    encoding, delimiter = dialect.get("encoding"), dialect.get("delimiter")
    if isinstance(encoding, str):
        try:
            codecs.lookup(encoding)
            out["encoding"] = encoding
        except LookupError:
            pass
    if isinstance(delimiter, str) and len(delimiter) == 1:
        out["delimiter"] = delimiter
    return out


# Byte order marks and the encodings that begin with them (UTF-32's before UTF-16's, whose
# mark begins UTF-32 LE's).
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def csv_encoding(path: Path, head: bytes) -> str | None:
    """The encoding a CSV file is read in: its manifest's, else that of the byte order mark
    it starts with (``head``: its first bytes); None: UTF-8, else Latin-1."""
    return _csv_dialect(path).get("encoding") or next(
        (name for mark, name in _MARKS if head.startswith(mark)), None
    )


def _read_csv(data: bytes, dialect: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a CSV file, in the encoding and with the delimiter its manifest gives
    (``dialect``); else a byte order mark's encoding, else UTF-8, else Latin-1 (legacy
    exports), split at the commonest delimiter of the header."""
    dialect = dialect or {}
    encoding = dialect.get("encoding") or next(
        (name for mark, name in _MARKS if data.startswith(mark)), None
    )
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # legacy exports
    text = text.removeprefix("\ufeff")  # (a mark the encoding's name did not take)
    header = text.split("\n", 1)[0]
    delimiter = dialect.get("delimiter") or max((",", ";", "\t", "|"), key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [dict(row) for row in reader]


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    from persona_gen.sinks.parquet import JSON_COLUMNS_KEY

    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's errors on a damaged file are both
        raise FileError(f"not a readable Parquet file: {exc}", path) from None
    rows: list[dict[str, Any]] = table.to_pylist()
    # Nested and mixed values are stored as JSON text: decode those columns back. The file
    # names them; files written before it did are told by their values.
    named = (table.schema.metadata or {}).get(JSON_COLUMNS_KEY)
    try:
        columns = json.loads(named) if named is not None else None
    except ValueError:
        columns = None
    if not isinstance(columns, list):
        columns = [c for c in (rows[0] if rows else ()) if _json_column(rows, c)]
    for column in columns:
        for r in rows:
            if isinstance(r.get(column), str):
                try:
                    r[column] = json.loads(r[column])
                except ValueError:
                    raise FileError(
                        f"column '{column}' should hold JSON text, not {r[column]!r:.60}", path
                    ) from None
    return rows


def _json_column(rows: list[dict[str, Any]], column: str) -> bool:
    """Whether every text value of ``column`` is JSON and one at least is a quoted string,
    an object or an array (a plain text column may hold numbers)."""
    values = [r[column] for r in rows if isinstance(r.get(column), str)]
    marked = False
    for v in values:
        try:
            json.loads(v)
        except ValueError:
            return False
        marked = marked or v[:1] in ('"', "{", "[")
    return marked


# The fields each generator's records are told by (file rows: any of ``LABEL_COLUMNS``).
GENERATOR_FIELDS = {
    "fault": ("mutation", "record"),
    "streaming": ("payload", "event_type"),
    "api": ("request", "response"),
    "load": ("offset_ms", "payload_bytes"),
}


def detect_generator(record: dict[str, Any]) -> str | None:
    """The generator that wrote ``record``, from its shape (None: not a persona-gen record)."""
    for generator in ("fault", "streaming", "api"):
        if all(f in record for f in GENERATOR_FIELDS[generator]):
            return generator
    if any(c in record for c in LABEL_COLUMNS):
        return "file"
    if all(f in record for f in GENERATOR_FIELDS["load"]):
        return "load"
    return None


# -- which part of a record a schema governs -------------------------------------------------


def text_cell(value: Any) -> Any:
    """A CSV cell of an envelope record as the JSON value it was written from."""
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    if value[:1] in "{[":
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    if value.lstrip("-").isdigit():
        return int(value)
    return value


_CONTAINERS = ("array", "map", "object", "any")  # (the types of values written as JSON text)


class FileRowShape:
    """Turns flat file rows of an entity back into nested records."""

    def __init__(self, domain: Domain, entity: str) -> None:
        self.domain = domain
        schema = domain.entity(entity).schema
        # A record that is not an object is a row's one data column (``value_leaf``).
        whole = value_leaf(domain, schema)
        self.whole = whole is not None
        self.leaves: dict[str, Leaf] = {
            leaf.dotted: leaf for leaf in ((whole,) if whole else leaves(domain, schema))
        }
        by_path = {leaf.path: leaf for leaf in self.leaves.values()}
        # Optional objects whose fields are columns, deepest first: a row whose columns of
        # one are all empty had no such object (a null leaf of it does not bring it back).
        parents = {leaf.path[:-1] for leaf in self.leaves.values() if len(leaf.path) > 1}
        self.optional_parents = sorted(
            (path for path in parents if path in by_path and not by_path[path].always_made),
            key=len,
            reverse=True,
        )
        # Required objects that may be null, shallowest first: a row whose columns of one
        # are all empty held null there (or an object of absent fields: null is valid too).
        self.nullable_parents = sorted(
            (
                path
                for path in parents
                if path in by_path and by_path[path].always_made and by_path[path].schema.nullable
            ),
            key=len,
        )
        # A root of several shapes (a oneOf, if/then/else) gives a column whose field the
        # shapes declare differently any value (``paths.object_of``): it is read as a value
        # of one of their schemas (a postal code of digits in one shape is still text).
        self.shape_options: dict[str, list[Schema]] = {}
        root = deref(domain, schema)
        if not whole and root.type == "union":
            for variant in root.variants:
                option = deref(domain, variant)
                for f in option.fields if option.type == "object" else ():
                    found = self.shape_options.setdefault(f.name, [])
                    found.extend(o for o in self._options(f.schema) if o not in found)

    def record(self, row: dict[str, Any], text: bool = False, absent: bool = False) -> Any:
        """The record a row was flattened from (a dict, but for ``whole`` rows). An empty
        cell of an optional field that may be null stood for null or for no field at all;
        it is read as null, or (``absent``) as no field."""
        out: dict[str, Any] = {}
        filled: set[tuple[str, ...]] = set()  # the objects holding a value
        for column, raw in row.items():
            if column in LABEL_COLUMNS:
                continue
            leaf = self.leaves.get(column)
            value = self._typed(raw, leaf, text)
            # (an empty cell read as "" holds no value of its object's: an optional object
            # whose columns are all empty was still absent)
            holds = value is not None and not (raw == "" and value == "")
            if value is None and (
                leaf is None or not holds_null(leaf.schema) or (absent and not leaf.always_made)
            ):
                continue  # an empty cell: the field was absent
            path = column.split(".") if leaf is None else [str(p) for p in leaf.path]
            if holds:
                filled.update(tuple(path[:k]) for k in range(1, len(path)))
            target = out
            for part in path[:-1]:
                nxt = target.setdefault(part, {})
                if not isinstance(nxt, dict):
                    break
                target = nxt
            else:
                target[path[-1]] = value
        for parent in self.optional_parents:
            if parent not in filled:
                _drop(out, parent)
        for parent in self.nullable_parents:
            if parent not in filled:
                _put_null(out, parent)
        return out.get(VALUE_COLUMN) if self.whole else out

    def _typed(self, value: Any, leaf: Leaf | None, text: bool) -> Any:
        if not isinstance(value, str):
            return value
        options = self._options(leaf.schema) if leaf is not None else []
        if leaf is not None and leaf.schema.type == "any" and len(leaf.path) == 1:
            options = self.shape_options.get(leaf.dotted) or options
        if not text:
            # A JSON row holds scalars as they are, and arrays and objects as JSON text: a
            # string that is no such text ("33795" in a field of any value) is a string.
            if value[:1] in "[{" and any(o.type in _CONTAINERS for o in options):
                try:
                    return orjson.loads(value)
                except orjson.JSONDecodeError:
                    return value
            return value
        if value != "" and len(options) > 1:
            return _union_cell(value, options)
        schema = options[0] if options else None
        kind = schema.type if schema is not None else "string"
        if kind in _CONTAINERS:
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                return None if value == "" else value
        if value == "":
            # CSV writes null and "" alike: a required, non-nullable string was "", unless
            # "" is no value of it (a timestamp, a uuid, an enum): then it was a null. (Of
            # an object that may be absent or null: "" where the object holds a value, see
            # ``record``.)
            made = leaf is not None and leaf.always_made and not holds_null(leaf.schema)
            if kind == "string" and made and schema is not None:
                return "" if violated_rule(schema, "") is None else None
            return None
        try:
            if kind == "integer":
                return int(value)
            if kind == "number":
                number = float(value.replace(",", ".")) if "," in value else float(value)
                return int(number) if number.is_integer() and "." not in value else number
            if kind == "boolean" and value in ("true", "false"):
                return value == "true"
            if kind == "null" and value == "":
                return None
        except ValueError:
            pass
        return value

    def _options(self, schema: Schema, depth: int = 0) -> list[Schema]:
        """The schemas a value of ``schema`` may be of: a reference's entity, a union's
        options other than null (of nested unions too), in order; else ``schema`` itself."""
        schema = deref(self.domain, schema)
        if schema.type != "union" or depth >= 16:
            return [schema]
        options = [
            o for v in schema.variants if v.type != "null" for o in self._options(v, depth + 1)
        ]
        return options or [schema]


def holds_null(schema: Schema) -> bool:
    """Whether null is a value of ``schema``: nullable, or of type null, or listed by its
    ``const`` or ``enum`` (``deleted_at: {const: null}``)."""
    return (
        schema.nullable
        or schema.type == "null"
        or (schema.has_const and schema.const is None)
        or (schema.enum is not None and None in schema.enum)
    )


def _union_cell(text: str, options: list[Schema]) -> Any:
    """A CSV cell of a union as the CSV writer wrote it: a number, a boolean, an object or
    an array as its JSON text, a string as it is (``117`` of ``oneOf: [{enum: [gold]},
    {type: integer}]`` is the integer). The text is a string option's where it reads as no
    option's type (``12.0`` where integers are), or where only a string option takes it
    (``117`` of a string pattern of digits, past the integer option's maximum)."""
    kinds = {o.type for o in options}
    if "any" in kinds:
        kinds |= {"object", "array", "integer", "number", "boolean"}
    if "map" in kinds:
        kinds.add("object")
    if "number" in kinds:
        kinds.add("integer")
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        if "number" not in kinds or "," not in text:
            return text
        try:  # (a persona's decimal comma: 1,5)
            value = float(text.replace(",", ".", 1))
        except ValueError:
            return text
    if value is None or isinstance(value, str) or json_type(value, as_written=True) not in kinds:
        return text  # (CSV writes null as an empty cell: "null" is a string's text)
    if "string" in kinds and not _fits(value, options) and _fits(text, options):
        return text
    return value


def _fits(value: Any, options: list[Schema]) -> bool:
    return any(violated_rule(o, value) is None for o in options)


def _put_null(record: dict[str, Any], path: tuple[str | int, ...]) -> None:
    """Null at ``path`` where the object holding it is in ``record`` and holds nothing
    there yet but nulls (``{"zip": None}`` from the empty cells of an absent address whose
    ``zip`` may be null)."""
    target: Any = record
    for part in path[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    if isinstance(target, dict) and not _holds_a_value(target.get(path[-1])):
        target[path[-1]] = None


def _holds_a_value(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_a_value(v) for v in value.values())
    return value is not None


def _drop(record: dict[str, Any], path: tuple[str | int, ...]) -> None:
    """Remove the value at ``path`` (a path of object keys) from ``record``, if it is there."""
    target: Any = record
    for part in path[:-1]:
        target = target.get(part) if isinstance(target, dict) else None
    if isinstance(target, dict):
        target.pop(path[-1], None)


def schema_part(
    record: dict[str, Any],
    generator: str,
    shape: FileRowShape | None = None,
    text: bool = False,
) -> tuple[bool, Any]:
    """``(governed, part)``: whether the schema governs part of ``record``, and that part."""
    if generator == "streaming":
        return True, text_cell(record.get("payload")) if text else record.get("payload")
    if generator == "fault":
        return True, text_cell(record.get("record")) if text else record.get("record")
    if generator == "api":
        request = text_cell(record.get("request")) if text else record.get("request")
        if not isinstance(request, dict) or request.get("method") not in ("POST", "PUT"):
            return False, None
        if "body" not in request or request.get("body") is None:
            return False, None
        return True, request["body"]
    if generator == "file":
        if shape is None:
            raise ValueError("file rows need the entity to be re-nested")
        return True, shape.record(record, text)
    return False, None


# -- Avro and Protobuf files: the governed parts only ----------------------------------------


def as_record(part: Any, generator: str, index: int) -> dict[str, Any]:
    """A governed part read back from an Avro or Protobuf file, as the record it came from.

    Labelled valid: those files carry no labels, and hold only records that fit their schema.
    """
    if generator == "streaming":
        return {"payload": part, "expected_valid": True}
    if generator == "fault":
        return {"index": index, "record": part, "expected_valid": True}
    return dict(part) if isinstance(part, dict) else {"value": part}


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


def read_avro(path: Path) -> list[tuple[str, Any]]:
    """``(record name, value)`` of each datum of an Avro container file, values in the model's
    JSON form (ISO dates and times, floats for decimals, base64 ``bytes``, hex ``fixed``)."""
    import zlib

    import fastavro
    from fastavro.schema import SchemaParseException, parse_schema

    data = _read_bytes(path)
    try:
        reader = fastavro.reader(
            io.BytesIO(data), return_record_name=True, return_record_name_override=True
        )
        named: dict[str, Any] = {}
        schema = parse_schema(json.loads(reader.metadata["avro.schema"]), named_schemas=named)
        datums = list(reader)
    except (  # what fastavro raises on a damaged file, header, schema or block
        ValueError,
        EOFError,
        LookupError,
        TypeError,
        AttributeError,
        OverflowError,
        struct.error,
        zlib.error,
        SchemaParseException,
    ) as exc:
        raise FileError(f"not a readable Avro file: {str(exc)[:200]}", path) from None
    top = schema.get("name", "") if isinstance(schema, dict) else ""
    out = []
    for datum in datums:
        name, value = datum if isinstance(datum, tuple) else (top, datum)
        out.append((str(name), _avro_value(value, named.get(name, schema), named)))
    return out


def _avro_value(value: Any, schema: Any, named: Mapping[str, Any]) -> Any:
    if isinstance(value, tuple):  # a union branch fastavro names (several record branches)
        return _avro_value(value[1], named.get(value[0]), named)
    if isinstance(schema, str):
        schema = named.get(schema, schema)
    if isinstance(schema, list):
        schema = _avro_branch(value, [named.get(b, b) if isinstance(b, str) else b for b in schema])
    spec = schema if isinstance(schema, dict) else {}
    if isinstance(value, dict):
        if spec.get("type") in ("record", "error"):
            from persona_gen.importers.avro import source_name

            fields = {f["name"]: f for f in spec["fields"]}
            return {
                (source_name(fields[k]) if k in fields else k): _avro_value(
                    v, fields[k]["type"] if k in fields else None, named
                )
                for k, v in value.items()
            }
        return {k: _avro_value(v, spec.get("values"), named) for k, v in value.items()}
    if isinstance(value, list):
        return [_avro_value(v, spec.get("items"), named) for v in value]
    return _avro_scalar(value, spec)


def _avro_branch(value: Any, branches: list[Any]) -> Any:
    """The branch of a union a read value came from, as far as the model's JSON needs it."""

    def kind(s: Any) -> Any:
        return s.get("type") if isinstance(s, dict) else s

    if isinstance(value, dict):
        for s in branches:
            if kind(s) in ("record", "error") and {f["name"] for f in s["fields"]} == set(value):
                return s
        wanted: tuple[str, ...] = ("map",)
    elif isinstance(value, list):
        wanted = ("array",)
    elif isinstance(value, bytes):
        for s in branches:
            if kind(s) == "fixed" and s.get("size") == len(value):
                return s
        wanted = ("bytes",)
    elif isinstance(value, int) and not isinstance(value, bool):
        wanted = ("long", "int")
    else:
        return None
    return next((s for s in branches if kind(s) in wanted), None)


def _avro_scalar(value: Any, spec: Mapping[str, Any]) -> Any:
    logical = spec.get("logicalType")
    if isinstance(value, int) and not isinstance(value, bool) and str(logical).endswith("-nanos"):
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        value = epoch + dt.timedelta(microseconds=value // 1000)
        if str(logical).startswith("local-"):
            value = value.replace(tzinfo=None)
    if isinstance(value, dt.datetime | dt.time):
        exact = value.microsecond % 1000 == 0
        text = value.isoformat(timespec="milliseconds" if exact else "microseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        if logical == "duration" and len(value) == 12:
            months, days, millis = struct.unpack("<III", value)
            return f"P{months}M{days}DT{millis / 1000:g}S"
        if spec.get("type") == "fixed":
            return value.hex()
        return base64.b64encode(value).decode()
    return value


def drop_absent(value: Any, schema: Schema, domain: Domain, optional: bool = False) -> Any:
    """``value`` without the nulls of fields that do not allow null: an Avro reader gives an
    absent optional field as null. ``optional``: without the nulls of optional fields too
    (such a null stood for null or for no field: the other reading of the same value)."""
    schema = _deref(schema, domain)
    if isinstance(value, dict) and schema.type in ("object", "union"):
        out = {}
        for key, item in value.items():
            f = _field_of(schema, key, domain)
            if f is None:
                out[key] = item
            elif item is not None:
                out[key] = drop_absent(item, f.schema, domain, optional)
            elif _allows_null(_deref(f.schema, domain)) and not (
                optional and _may_be_absent(schema, key, domain)
            ):
                out[key] = None
        return out
    if isinstance(value, list) and schema.type == "array" and schema.items is not None:
        return [drop_absent(v, schema.items, domain, optional) for v in value]
    if isinstance(value, dict) and schema.type == "map" and schema.values is not None:
        return {k: drop_absent(v, schema.values, domain, optional) for k, v in value.items()}
    return value


def _field_of(schema: Schema, key: str, domain: Domain, depth: int = 0) -> Field | None:
    """The field ``key`` of an object, or of one of a union's options (a oneof's members
    are fields of the object's shapes; an imported conditional's options are objects, a
    nullable reference a union of null and one): a record has one of them."""
    schema = _deref(schema, domain)
    found = schema.field(key)
    if found is not None or depth > 8:
        return found
    return next(
        (f for v in schema.variants if (f := _field_of(v, key, domain, depth + 1)) is not None),
        None,
    )


def _may_be_absent(schema: Schema, key: str, domain: Domain, depth: int = 0) -> bool:
    """Whether a record of ``schema`` may leave out ``key``: an optional field, or one of
    a union's options that does not require it (an imported conditional's)."""
    schema = _deref(schema, domain)
    if schema.type == "union" and schema.variants and depth <= 8:
        return any(
            _may_be_absent(v, key, domain, depth + 1) for v in schema.variants if v.type != "null"
        )
    found = schema.field(key)
    return found is None or not found.required


def _deref(schema: Schema, domain: Domain) -> Schema:
    for _ in range(16):
        if schema.type != "ref" or schema.ref not in domain.entities:
            break
        schema = domain.entities[schema.ref].schema
    return schema


def _allows_null(schema: Schema) -> bool:
    return (
        schema.nullable
        or schema.type in ("null", "any")
        or any(v.type == "null" or v.nullable for v in schema.variants)
    )


def read_protobuf(path: Path, cls: Any) -> list[dict[str, Any]]:
    """The messages of a length-delimited Protobuf file (as the ``protobuf`` format writes
    it), each as its JSON form with the .proto's field names. Fields the message does not
    declare are kept under their numbers (``"#7"``), so the validator rejects them."""
    from google.protobuf import json_format
    from google.protobuf.message import DecodeError

    from persona_gen.sinks.protobuf import read_delimited

    data = _read_bytes(path)
    out: list[dict[str, Any]] = []
    try:
        for blob in read_delimited(data):
            msg = cls.FromString(blob)
            doc = json_format.MessageToDict(msg, preserving_proto_field_name=True)
            _mark_undeclared(msg, doc)
            out.append(doc)
    except (ValueError, DecodeError) as exc:
        raise FileError(
            f"not a length-delimited stream of {cls.DESCRIPTOR.full_name} messages "
            f"(message {len(out)}: {str(exc)[:200]})",
            path,
        ) from None
    return out


def _mark_undeclared(msg: Any, doc: dict[str, Any]) -> None:
    """Fields the message does not declare kept under their numbers; ``float`` fields given
    their exact value (MessageToDict's shortest text of the largest float, 3.4028235e+38,
    reads back as a double above the float range, which ParseDict refuses)."""
    from google.protobuf import unknown_fields
    from google.protobuf.descriptor import FieldDescriptor

    for unknown in unknown_fields.UnknownFieldSet(msg):
        doc[f"#{unknown.field_number}"] = "<a field the message does not declare>"
    for fd, value in msg.ListFields():
        if fd.type == FieldDescriptor.TYPE_FLOAT and fd.name in doc:
            exact = list(value) if fd.is_repeated else [value]
            texts = _listed(doc[fd.name])
            fixed = [v if math.isfinite(v) else t for v, t in zip(exact, texts, strict=True)]
            doc[fd.name] = fixed if fd.is_repeated else fixed[0]
            continue
        if fd.message_type is None or fd.message_type.GetOptions().map_entry:
            continue
        inner = doc.get(fd.name)
        if fd.is_repeated and isinstance(inner, list):
            for m, d in zip(value, inner, strict=False):
                if isinstance(d, dict):
                    _mark_undeclared(m, d)
        elif isinstance(inner, dict):
            _mark_undeclared(value, inner)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# -- SQL INSERT scripts and SQLite tables: file rows -----------------------------------------

INVALID_MARK = "-- expected invalid:"
_NAME = r'(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)'
_GAP = re.compile(r"(?:\s+|--[^\n]*)*")
_HEADER = re.compile(
    rf"INSERT\s+INTO\s+((?:{_NAME}\s*\.\s*)*{_NAME})\s*(?:\(([^()]*)\)\s*)?"
    r"(?:OVERRIDING\s+(?:SYSTEM|USER)\s+VALUE\s+)?VALUES\s*\(",
    re.IGNORECASE,
)
_VALUE = re.compile(
    r"\s*(?:('(?:[^']|'')*')(?:\s*::\s*([A-Za-z_]\w*)(?:\s*\[\])?)?|[Xx]'([0-9A-Fa-f]*)'"
    r"|([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)|([A-Za-z_]\w*))\s*([,)])"
)
_AFTER = re.compile(r"\s*(?:(,)\s*\(|;|$)")
_STATEMENT = re.compile(r"(?:'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|[^;'\"])*;?")
_WORDS = {"NULL": None, "TRUE": True, "FALSE": False}
_PG_ITEM = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^,{}"\s]+))\s*(?:,|$)')


def read_sql(path: Path, table: str, kinds: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rows an INSERT script (as the ``sql`` format writes it) puts into ``table``.

    Literal values only (strings, numbers, ``TRUE``/``FALSE``, ``NULL``, ``X'…'`` and
    ``'\\x…'::bytea``); other statements are skipped. ``kinds`` are the table's column kinds
    (``tables.Column.kind``): booleans, arrays, JSON and bytes are read back as the row held
    them. A ``-- expected invalid: <violations>`` comment before an INSERT labels its row, as
    the file generator's label columns do.
    """
    try:
        text = _read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise FileError("not an SQL script (not UTF-8 text)", path) from None

    def error(message: str, at: int) -> FileError:
        return FileError(message, path, line=text.count("\n", 0, at) + 1)

    rows: list[dict[str, Any]] = []
    others: set[str] = set()
    for label, name, columns, values, at in _sql_inserts(text, error, list(kinds)):
        if name.lower() != table.lower() and name.lower() != table.rsplit(".", 1)[-1].lower():
            others.add(name)
            continue
        if len(values) != len(columns):
            raise error(f"{len(values)} values for {len(columns)} columns", at)
        row = {c: table_cell(v, kinds.get(c)) for c, v in zip(columns, values, strict=True)}
        if label is not None:
            row[VALID_COLUMN], row[VIOLATIONS_COLUMN] = False, label
        rows.append(row)
    if not rows and others:
        raise FileError(
            f"no INSERT into table '{table}' (the script fills {', '.join(sorted(others))})", path
        )
    return rows


def _sql_inserts(
    text: str, error: Any, default_columns: list[str]
) -> Iterator[tuple[str | None, str, list[str], list[Any], int]]:
    """``(label, table, columns, values, position)`` of every row an INSERT adds."""
    headers: dict[str, tuple[str, list[str]]] = {}
    label: str | None = None
    pos = 0
    while True:
        gap = _GAP.match(text, pos)
        assert gap is not None  # it matches the empty string
        for comment in re.findall(r"--[^\n]*", gap.group()):
            if comment.startswith(INVALID_MARK):
                label = comment[len(INVALID_MARK) :].strip()
        pos = gap.end()
        if pos >= len(text):
            return
        header = _HEADER.match(text, pos)
        if header is None:  # BEGIN, COMMIT, CREATE TABLE, SET ...
            end = _STATEMENT.match(text, pos)
            if end is None or end.end() == pos:
                raise error(f"cannot read the SQL at {text[pos : pos + 20]!r}", pos)
            pos, label = end.end(), None
            continue
        if header.group() not in headers:
            names = [_unquote(n) for n in re.findall(_NAME, header.group(1))]
            listed = [_unquote(n) for n in re.findall(_NAME, header.group(2) or "")]
            headers[header.group()] = (names[-1], listed or default_columns)
        name, columns = headers[header.group()]
        pos = header.end()
        while True:
            at = pos
            values, pos = _sql_tuple(text, pos, error)
            yield label, name, columns, values, at
            label = None
            after = _AFTER.match(text, pos)
            if after is None:
                raise error(f"expected ',' or ';' at {text[pos : pos + 20]!r}", pos)
            pos = after.end()
            if after.group(1) is None:
                break


def _sql_tuple(text: str, pos: int, error: Any) -> tuple[list[Any], int]:
    """The literals of one ``(…)`` of VALUES, its ``(`` already read; and where it ends."""
    values: list[Any] = []
    while True:
        m = _VALUE.match(text, pos)
        if m is None:
            raise error(f"cannot read the value at {text[pos : pos + 30].strip()!r}", pos)
        string, cast, hexed, number, word, sep = m.groups()
        if string is not None:
            value: Any = string[1:-1].replace("''", "'")
            if cast is not None and cast.lower() == "bytea" and value.startswith("\\x"):
                try:
                    value = bytes.fromhex(value[2:])
                except ValueError:
                    raise error(f"{value[:40]!r} is not hex bytea", pos) from None
        elif hexed is not None:
            if len(hexed) % 2:
                raise error(f"X'{hexed[:40]}' has an odd number of hex digits", pos)
            value = bytes.fromhex(hexed)
        elif number is not None:
            value = int(number) if number.lstrip("+-").isdigit() else float(number)
        elif word.upper() in _WORDS:
            value = _WORDS[word.upper()]
        else:
            raise error(f"cannot read the value {word!r} (literals only)", pos)
        values.append(value)
        pos = m.end()
        if sep == ")":
            return values, pos


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def read_sqlite(path: Path, table: str, kinds: Mapping[str, str], hint: str = "") -> TableRows:
    """The rows of ``table`` in the SQLite database ``path`` (opened read-only), and its
    name as the database has it (found without regard to case); ``hint`` ends the error
    when the table is not there (how to name another)."""
    import sqlite3

    from persona_gen.sinks.tables import quote_identifier

    if not path.is_file():
        raise UsageError(f"{path}: no such database file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise FileError(f"cannot open the database: {exc}", path) from None
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found = next((n for n in names if n.lower() == table.lower()), None)
        if found is None:
            listed = ", ".join(sorted(names)) or "none"
            raise FileError(f"no table '{table}' in the database (tables: {listed}){hint}", path)
        cursor = conn.execute(f"SELECT * FROM {quote_identifier(found)}")
        header = [d[0] for d in cursor.description]
        rows = [
            {c: table_cell(v, kinds.get(c)) for c, v in zip(header, row, strict=True)}
            for row in cursor
        ]
        return TableRows(rows, found)
    except sqlite3.Error as exc:
        raise FileError(f"cannot read the database: {exc}", path) from None
    finally:
        conn.close()


def table_cell(value: Any, kind: str | None) -> Any:
    """A value read from an SQL script or a database column of ``kind`` as the row held it:
    booleans from 0/1, arrays from ``'{a,b}'`` or JSON text, JSON decoded (scalars too: a
    text that is no JSON is kept as it is), bytes as base64."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if kind == "bool" and type(value) is int and value in (0, 1):
        return bool(value)
    if not isinstance(value, str):
        return value
    if kind == "number" and value.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return float(value)
    if kind == "array" and value.startswith("{") and value.endswith("}"):
        items = _pg_array(value[1:-1])
        return value if items is None else items
    # A JSON column holds JSON text for every value, scalars too (a union of a string and an
    # integer writes "gold" as '"gold"', ``tables.db_value``): decoded whatever it starts with.
    if kind == "json" or (kind == "array" and value[:1] in ("[", "{")):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _pg_array(body: str) -> list[Any] | None:
    """The items of a one-dimensional PostgreSQL array literal (None when it is not one)."""
    items: list[Any] = []
    pos = 0
    while body.strip() and pos < len(body):
        m = _PG_ITEM.match(body, pos)
        if m is None:
            return None
        quoted, bare = m.groups()
        if quoted is not None:
            items.append(re.sub(r"\\(.)", r"\1", quoted))
        else:
            items.append(_pg_bare(bare))
        pos = m.end()
    return items


def _pg_bare(text: str) -> Any:
    words = {"null": None, "t": True, "true": True, "f": False, "false": False}
    if text.lower() in words:
        return words[text.lower()]
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
