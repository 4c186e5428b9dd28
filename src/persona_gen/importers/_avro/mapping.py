"""fastavro's parsed schema → the entity model.

=====================  =====================================================================
Avro                   entity model
=====================  =====================================================================
record / error         an entity (full name), ``object`` with every field required, closed;
                       nested and later uses are ``ref`` to that full name; a field with a
                       default, or that takes null, is ``defaulted``: always generated, but
                       fastavro writes and validates a record without it (as the default,
                       else null)
enum                   ``string`` with ``enum`` = the symbols
fixed(n)               ``string`` of 2n lowercase hex digits (pattern, min/max length 2n)
bytes                  ``string`` format ``byte`` (base64)
int / long             ``integer`` within -2^31..2^31-1 / -2^63..2^63-1
float / double         ``number`` (float within ±3.4028235e38)
array / map            ``array`` with ``items`` / ``map`` with ``values``
union                  ``union`` of the non-null branches; a null branch makes it
                       ``nullable`` and ``["null", X]`` is X, nullable
decimal(p, s)          ``number`` with precision p, scale s and the range they allow
                       (bytes- or fixed-based)
uuid                   ``string`` format ``uuid`` (string- or fixed(16)-based)
date                   ``string`` format ``date``
time-millis/-micros    ``string`` format ``time`` (RFC 3339 ``HH:MM:SS[.ffffff]Z``; an offset is
                       converted to the UTC time of day, which Avro stores)
timestamp-*            ``string`` format ``date-time``; local-timestamp-* too, read as UTC
duration               ``string`` format ``duration`` (ISO 8601, e.g. ``PT15M``)
doc                    ``description``; field ``default`` → ``default`` (as model JSON)
=====================  =====================================================================

Aliases, field ``order``, an enum's reader-side ``default`` and custom properties concern
schema evolution and tooling, not the values: they are read and left out. A ``logicalType``
that fastavro would not apply (unknown, on the wrong type, bad parameters) is reported as a
warning and the field follows its underlying type, as fastavro writes it.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from persona_gen.entities.model import Domain, Entity, Field, Schema
from persona_gen.errors import SchemaImportError
from persona_gen.importers._avro.datum import (
    FLOAT32_MAX,
    INT32,
    INT64,
    model_value,
    source_name,
)
from persona_gen.importers._avro.schema import AvroSchema, line_of
from persona_gen.importers._avro.types import RECORDS, decimal_params, is_null, logical
from persona_gen.values.semantics import snake_case

__all__ = ["build_domain"]

_LOGICAL_FORMATS = {
    "uuid": "uuid",
    "date": "date",
    "time-millis": "time",
    "time-micros": "time",
    "duration": "duration",
}


def build_domain(schema: AvroSchema) -> tuple[Domain, tuple[str, ...], tuple[str, ...]]:
    """(domain, listed entities, warnings) for one parsed file."""
    mapper = _Mapper(schema)
    top = schema.parsed
    roots: list[str] = []
    if isinstance(top, list):
        for branch in top:
            mapper.type(branch, "")
            if isinstance(branch, Mapping) and branch.get("type") in RECORDS:
                roots.append(branch["name"])
        used = mapper.referenced
        roots = [r for r in roots if r not in used] or roots
    else:
        mapper.type(top, "")
        if isinstance(top, Mapping) and top.get("type") in RECORDS:
            roots.append(top["name"])
        elif mapper.entities:
            kind = top if isinstance(top, str) else top.get("type")
            mapper.warn(
                "", f"the top-level type is {kind}, not a record: its records are the entities"
            )
    if not mapper.entities:
        raise SchemaImportError(
            "no record type in this schema: an Avro import needs at least one named record",
            schema.file,
            1,
        )
    if not roots:
        roots = [next(iter(mapper.entities))]
    primary = roots[0]
    listed = (primary, *(n for n in mapper.entities if n != primary))
    events: dict[str, str] = {}
    for root in roots:
        key = f"{snake_case(_short(root))}.recorded"
        events[f"{snake_case(root)}.recorded" if key in events else key] = root
    domain = Domain(dict(mapper.entities), primary, events=events, source="avro")
    return domain, listed, tuple(dict.fromkeys(mapper.warnings))


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


class _Mapper:
    def __init__(self, schema: AvroSchema) -> None:
        self.schema = schema
        self.named = schema.named
        self.entities: dict[str, Entity] = {}
        self.referenced: set[str] = set()  # records used by another type
        self.warnings: list[str] = []

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{path or 'top level'}: {message}")

    def type(self, s: Any, path: str) -> Schema:
        if isinstance(s, list):
            return self._union(s, path)
        if isinstance(s, str):
            return self._name(s, path)
        kind = s["type"]
        if kind in RECORDS:
            self._record(s)
            self._used(s["name"], path)
            return Schema("ref", ref=s["name"])
        description = s.get("doc") if isinstance(s.get("doc"), str) else None
        out = self._plain(s, kind, path)
        return replace(out, description=description) if description else out

    def _used(self, record: str, path: str) -> None:
        """Note ``record`` as used by the type at ``path`` (``Record.field…``), unless that
        is ``record`` itself: a recursive record (``Customer.referrer``) is still a root of a
        file that lists it, not a part of another record."""
        if path and not path.startswith(record + "."):
            self.referenced.add(record)

    def _name(self, name: str, path: str) -> Schema:
        target = self.named.get(name)
        if target is None:
            return _primitive(name)
        if target["type"] in RECORDS:
            self._used(name, path)
            return Schema("ref", ref=name)
        return self.type(target, path)

    def _plain(self, s: Mapping[str, Any], kind: str, path: str) -> Schema:
        name, problem = logical(s)
        if problem:
            self.warn(path, problem)
        if name is not None:
            return _logical(name, s)
        if kind == "enum":
            return Schema("string", enum=tuple(s["symbols"]))
        if kind == "fixed":
            digits = 2 * s["size"]
            return Schema(
                "string", pattern=f"^[0-9a-f]{{{digits}}}$", min_length=digits, max_length=digits
            )
        if kind == "array":
            return Schema("array", items=self.type(s["items"], f"{path}[]"))
        if kind == "map":
            return Schema("map", values=self.type(s["values"], f"{path}{{}}"))
        return self._name(kind, path)

    def _union(self, branches: list[Any], path: str) -> Schema:
        nullable = any(is_null(b) for b in branches)
        variants = [self.type(b, f"{path}<{i}>") for i, b in enumerate(branches) if not is_null(b)]
        if not variants:
            return Schema("null")
        if len(variants) == 1:
            return replace(variants[0], nullable=nullable)
        return Schema("union", variants=tuple(variants), nullable=nullable)

    def _record(self, s: Mapping[str, Any]) -> None:
        name = s["name"]
        if name in self.entities:
            return
        placeholder = Schema("object")
        self.entities[name] = Entity(name, placeholder)  # keeps definition order on recursion
        fields: list[Field] = []
        for f in s["fields"]:
            field_name = source_name(f)  # (a schema persona-gen derived names its fields so)
            if any(done.name == field_name for done in fields):
                raise SchemaImportError(
                    f"record {name} has two fields named '{field_name}'",
                    self.schema.file,
                    line_of(self.schema.text, f["name"], 2),
                )
            own = self._field(f, f"{name}.{f['name']}")
            # (a field left out is written, and validated, as its default, else as null)
            defaulted = own.has_default or own.nullable or own.type == "null"
            fields.append(Field(field_name, own, defaulted=defaulted))
        doc = s.get("doc")
        schema = Schema(
            "object",
            fields=tuple(fields),
            closed=True,
            description=doc if isinstance(doc, str) else None,
        )
        short = _short(name)
        self.entities[name] = Entity(name, schema, plural=Entity(short, schema).collection)

    def _field(self, f: Mapping[str, Any], path: str) -> Schema:
        out = self.type(f["type"], path)
        doc = f.get("doc")
        if isinstance(doc, str):
            out = replace(out, description=doc)
        if "default" in f:
            first = f["type"][0] if isinstance(f["type"], list) and f["type"] else f["type"]
            try:
                default = model_value(f["default"], first, self.named)
            except (ValueError, TypeError, KeyError, OverflowError, AssertionError):
                self.warn(path, f"default {f['default']!r} does not fit the type; left out"[:200])
            else:
                out = replace(out, default=default, has_default=True)
        return out


def _primitive(kind: str) -> Schema:
    if kind == "int":
        return Schema("integer", minimum=INT32[0], maximum=INT32[1])
    if kind == "long":
        return Schema("integer", minimum=INT64[0], maximum=INT64[1])
    if kind == "float":
        return Schema("number", minimum=-FLOAT32_MAX, maximum=FLOAT32_MAX)
    if kind == "double":
        return Schema("number")
    if kind == "bytes":
        return Schema("string", format="byte")
    if kind in ("null", "boolean", "string"):
        return Schema(kind)
    raise AssertionError(f"fastavro let an unknown type through: {kind}")  # pragma: no cover


def _logical(name: str, s: Mapping[str, Any]) -> Schema:
    if name == "decimal":
        params = decimal_params(s)
        assert params is not None
        limit = _decimal_limit(*params)
        return Schema("number", precision=params[0], scale=params[1], minimum=-limit, maximum=limit)
    fmt = _LOGICAL_FORMATS.get(name, "date-time")  # the timestamp family
    return Schema("string", format=fmt)


def _decimal_limit(precision: int, scale: int) -> float:
    """The largest float whose text fits a decimal(precision, scale): 99.99 for (4, 2).

    Ranges make range checks (and the fault generator's overflow labels) see the precision.
    Past a float's 15 digits the exact bound has no float; the float below it is used.
    """
    exact = decimal.Decimal((0, (9,) * precision, -scale))  # 99.99 for (4, 2)
    limit = float(exact)
    while decimal.Decimal(repr(limit)) > exact:  # to_avro_datum reads a float by its text
        limit = math.nextafter(limit, 0.0)
    return limit
