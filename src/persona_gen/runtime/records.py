"""Reading datasets back as persona-gen writes them, and the part of a record a schema governs.

Shared by ``check`` (validate a dataset file against its profile's source schema) and the
schema-bound encoders (Avro, Protobuf): streaming → ``payload``; fault → ``record``; api →
``request.body`` of POST/PUT; file → the row without its label columns, dotted columns
re-nested (arrays, written as JSON text, decoded); load → nothing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import orjson

from persona_gen.entities.model import Domain, Schema
from persona_gen.errors import UsageError
from persona_gen.generators.file import LABEL_COLUMNS
from persona_gen.generators.paths import Leaf, leaves

__all__ = [
    "FileRowShape",
    "detect_generator",
    "read_dataset",
    "schema_part",
]

READ_FORMATS = ("json", "jsonl", "csv", "parquet")


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
    try:
        if fmt == "json":
            doc = orjson.loads(data)
            if not isinstance(doc, list):
                raise UsageError(f"{path}: expected a JSON array of records")
            return doc, False
        if fmt == "jsonl":
            return [orjson.loads(line) for line in data.splitlines() if line.strip()], False
    except orjson.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid {fmt}: {exc}") from None
    if fmt == "csv":
        return _read_csv(data), True
    return _read_parquet(path), False


def _read_csv(data: bytes) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # legacy exports
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t", "|"), key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [dict(row) for row in reader]


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    # Columns of mixed types are stored as JSON text: decode those back.
    columns = list(rows[0]) if rows else []
    for column in columns:
        values = [r[column] for r in rows if isinstance(r.get(column), str)]
        if values and _json_column(values):
            for r in rows:
                if isinstance(r.get(column), str):
                    r[column] = json.loads(r[column])
    return rows


def _json_column(values: list[str]) -> bool:
    quoted = False
    for v in values:
        try:
            json.loads(v)
        except ValueError:
            return False
        quoted = quoted or v.startswith('"')
    return quoted


def detect_generator(record: dict[str, Any]) -> str:
    """The generator that wrote ``record``, from its shape."""
    if "mutation" in record and "record" in record:
        return "fault"
    if "payload" in record and "event_type" in record:
        return "streaming"
    if "request" in record and "response" in record:
        return "api"
    if any(c in record for c in LABEL_COLUMNS):
        return "file"
    return "load"


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


class FileRowShape:
    """Turns flat file rows of an entity back into nested records."""

    def __init__(self, domain: Domain, entity: str) -> None:
        self.domain = domain
        self.leaves: dict[str, Leaf] = {
            leaf.dotted: leaf for leaf in leaves(domain, domain.entity(entity).schema)
        }
        by_path = {leaf.path: leaf for leaf in self.leaves.values()}
        # Present in every valid record: required, and so is every parent object.
        self.always = {
            dotted
            for dotted, leaf in self.leaves.items()
            if all(
                by_path[leaf.path[:k]].required and not by_path[leaf.path[:k]].schema.nullable
                for k in range(1, len(leaf.path) + 1)
                if leaf.path[:k] in by_path
            )
        }

    def record(self, row: dict[str, Any], text: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column, raw in row.items():
            if column in LABEL_COLUMNS:
                continue
            leaf = self.leaves.get(column)
            value = self._typed(raw, leaf, text)
            if value is None and (leaf is None or not leaf.schema.nullable):
                continue  # an empty cell: the field was absent
            path = column.split(".") if leaf is None else [str(p) for p in leaf.path]
            target = out
            for part in path[:-1]:
                nxt = target.setdefault(part, {})
                if not isinstance(nxt, dict):
                    break
                target = nxt
            else:
                target[path[-1]] = value
        return out

    def _typed(self, value: Any, leaf: Leaf | None, text: bool) -> Any:
        if not isinstance(value, str):
            return value
        schema = self._concrete(leaf.schema) if leaf is not None else None
        kind = schema.type if schema is not None else "string"
        if kind in ("array", "map", "object", "any"):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                return None if text and value == "" else value
        if not text:
            return value
        if value == "":
            # CSV writes null and "" alike: a required, non-nullable string was "".
            always = leaf is not None and leaf.dotted in self.always
            return "" if kind == "string" and always else None
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

    def _concrete(self, schema: Schema) -> Schema:
        seen = 0
        while seen < 16:
            if schema.type == "ref" and schema.ref in self.domain.entities:
                schema = self.domain.entities[schema.ref].schema
            elif schema.type == "union":
                options = [v for v in schema.variants if v.type != "null"]
                if not options:
                    return schema
                schema = options[0]
            else:
                return schema
            seen += 1
        return schema


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
