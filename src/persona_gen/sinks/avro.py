"""Avro object container files, written with fastavro.

The schema is the imported one when the profile's source is Avro (re-read from the .avsc),
else one derived from the entity model by ``avro_schema_from_entity``. What is written is
the part of each record the schema governs (streaming → ``payload``, fault → ``record``,
file → the row without its labels, re-nested); a streaming dataset whose events carry several
entities is written with a union of their records. Records that do not fit the schema (those
labelled ``expected_valid: false``, usually) are an error, or are left out with
``skip_invalid``.

Workers convert each block to fastavro datums (``to_avro_datum``: dates, decimals, uuids,
bytes, union branches); the parent appends them to one container file.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import IO, Any

from persona_gen.entities.model import Domain, Field, Schema, takes_null
from persona_gen.errors import GenerationError, OutputError, RecordOutputError
from persona_gen.importers.avro import SOURCE_NAME
from persona_gen.sinks.encoders import FAULT_IN_SCHEMA_FILES, Encoder

__all__ = ["AvroEncoder", "avro_encoder_for", "avro_schema_from_entity", "warn_on_stderr"]

_NAME = re.compile(r"[^A-Za-z0-9_]")
_SYMBOL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _avro_name(name: str) -> str:
    """A valid Avro name without a namespace ([A-Za-z_][A-Za-z0-9_]*; ``Order.LineItem`` is
    ``Order_LineItem``). A dotted name would be a namespace, and a plain reference inside
    it is resolved in that namespace: ``Money`` used by ``Order.LineItem`` meant
    ``Order.Money``, which does not exist."""
    flat = "_".join(_NAME.sub("_", p) or "_" for p in name.split("."))
    return flat if not flat[0].isdigit() else f"_{flat}"


def _field_names(names: list[str]) -> list[str]:
    """Avro names for a record's fields, in order: each its own where it is one, else its
    characters outside [A-Za-z0-9_] as ``_`` (a leading digit after a ``_``), then ``_2``,
    ``_3``… where that name is taken (``first-name`` beside ``first_name``)."""
    taken = {n for n in names if _SYMBOL.match(n)}
    out = []
    for name in names:
        if _SYMBOL.match(name):
            out.append(name)
            continue
        base = _NAME.sub("_", name) or "_"
        base = f"_{base}" if base[0].isdigit() else base
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def avro_schema_from_entity(domain: Domain, entity: str | None = None) -> dict[str, Any]:
    """An Avro record schema for ``entity`` (default: the primary) of the entity model.

    objects → records (named after the entity, or ``<Parent>_<field>``), referenced entities
    → named records defined at first use, enums of valid symbols → enums (else strings),
    arrays, maps (string keys), nullable or optional fields → ``["null", T]`` with a null
    default, unions → Avro unions; logical types for ``date`` (int date), ``date-time`` (long
    timestamp-millis), ``uuid`` and decimals with precision (bytes decimal). ``any`` is a
    union of the scalar types (a nested object or array there does not fit: a clear error).
    """
    return _Deriver(domain).entity(domain.entity(entity).name)


def _all_fields(schema: Schema) -> list[Field]:
    """An object's fields; for an object that is one of several shapes (a protobuf
    ``oneof``), every field of every shape, required only where every shape requires it
    (a record of one shape leaves the other shapes' fields null)."""
    if not schema.variants:
        return list(schema.fields)
    shapes = [schema, *schema.variants]
    merged: dict[str, Field] = {}
    for shape in shapes:
        for f in shape.fields:
            merged.setdefault(f.name, f)
    return [
        f
        if all(
            (found := shape.field(f.name)) is not None and found.required
            for shape in schema.variants
        )
        else replace(f, required=False)
        for f in merged.values()
    ]


class _Deriver:
    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.defined: set[str] = set()

    def entity(self, name: str) -> dict[str, Any]:
        full = _avro_name(name)
        self.defined.add(full)
        schema = self.domain.entities[name].schema
        return self.record(full, schema)

    def record(self, full: str, schema: Schema) -> dict[str, Any]:
        fields = []
        model_fields = _all_fields(schema)
        names = _field_names([f.name for f in model_fields])
        for f, name in zip(model_fields, names, strict=True):
            t = self.type(f.schema, f"{full}_{name}")
            field: dict[str, Any] = {"name": name, "type": t}
            if name != f.name:  # (the records' key: see ``SOURCE_NAME``)
                field[SOURCE_NAME] = f.name
            if f.schema.description:
                field["doc"] = f.schema.description
            # (of a protobuf message, whose null reads as the field left out, a field that
            # may be left out, as a proto3 scalar may, takes null too)
            absent_ok = not f.required or (schema.null_as_absent and f.defaulted)
            if absent_ok and not _nullable(t):
                field["type"] = ["null", *(t if isinstance(t, list) else [t])]
            if isinstance(field["type"], list) and field["type"][0] == "null":
                field["default"] = None
            fields.append(field)
        out: dict[str, Any] = {"type": "record", "name": full, "fields": fields}
        if schema.description:
            out["doc"] = schema.description
        return out

    def type(self, s: Schema, name: str) -> Any:
        t = self._plain(s, name)
        # (a reference to an entity that may be null takes null too: see ``values.synth``)
        if takes_null(self.domain, s) and not _nullable(t):
            return ["null", *(t if isinstance(t, list) else [t])]
        return t

    def _plain(self, s: Schema, name: str) -> Any:
        kind = s.type
        if kind == "ref" and s.ref in self.domain.entities:
            full = _avro_name(s.ref)
            if full in self.defined:
                return full
            return self.entity(s.ref)
        if kind == "object":
            full = base = _avro_name(name)
            k = 2
            while full in self.defined:  # (``a.b`` > ``c`` beside ``a`` > ``b_c``)
                full, k = f"{base}_{k}", k + 1
            self.defined.add(full)
            return self.record(full, s)
        if kind == "array":
            items = self.type(s.items, f"{name}_item") if s.items is not None else "string"
            return {"type": "array", "items": items}
        if kind == "map":
            values = self.type(s.values, f"{name}_value") if s.values is not None else "string"
            return {"type": "map", "values": values}
        if kind == "union":
            branches: list[Any] = []
            for k, v in enumerate(s.variants):
                t = self.type(v, f"{name}_{k}")
                for b in t if isinstance(t, list) else [t]:
                    if _key(b) not in {_key(x) for x in branches}:
                        branches.append(b)
            if "null" in branches:
                branches.remove("null")
                branches.insert(0, "null")
            return branches or "null"
        if kind == "integer":
            return "long"
        if kind == "number":
            if s.precision is not None:
                scale = s.scale or 0
                return {
                    "type": "bytes",
                    "logicalType": "decimal",
                    "precision": s.precision,
                    "scale": scale,
                }
            return "double"
        if kind == "boolean":
            return "boolean"
        if kind == "null":
            return "null"
        if kind == "any":
            return ["null", "boolean", "long", "double", "string"]
        if kind == "string":
            if (
                s.enum is not None
                and s.enum
                and all(isinstance(e, str) and _SYMBOL.match(e) for e in s.enum)
            ):
                full = _avro_name(name + "_enum")
                self.defined.add(full)
                return {"type": "enum", "name": full, "symbols": list(dict.fromkeys(s.enum))}
            if s.format == "uuid":
                return {"type": "string", "logicalType": "uuid"}
            if s.format == "date":
                return {"type": "int", "logicalType": "date"}
            if s.format == "date-time":
                return {"type": "long", "logicalType": "timestamp-millis"}
        return "string"


def _nullable(t: Any) -> bool:
    return t == "null" or (isinstance(t, list) and "null" in t)


def _key(t: Any) -> str:
    """What Avro considers the same union branch: the type name."""
    if isinstance(t, str):
        return t
    if t.get("type") in ("record", "enum", "fixed"):
        return str(t["name"])
    return str(t.get("type"))


class AvroEncoder(Encoder):
    """An Avro object container file; set ``schema`` (and the rest) with ``avro_encoder_for``."""

    extension = "avro"
    schema: Any = None  # the writer schema: a record (or a union of records), raw JSON
    entity: str = ""  # the record name of each datum (with a single record schema)
    generator: str = "streaming"
    events: dict[str, str] | None = None  # event type -> record name (union schemas)
    file_domain: Domain | None = None  # to re-nest file rows
    file_entity: str | None = None
    skip_invalid: bool = False
    changed: str = ""  # said with a record that does not fit: the .avsc changed since import
    # Uncompressed: fastavro's deflate is the machine's zlib, whose output differs between
    # builds (zlib, zlib-ng, Chromium's...): the same records, other bytes on another machine.
    codec: str = "null"
    sync_marker: bytes | None = None  # 16 bytes; set from the seed by avro_encoder_for
    _avro: Any = None

    def _parsed(self) -> Any:
        if self._avro is None:
            from persona_gen.importers.avro import AvroSchema

            if self.schema is None:
                raise OutputError("avro: no schema (construct the encoder with avro_encoder_for)")
            self._avro = AvroSchema.from_schema(self.schema)
        return self._avro

    def encode(self, records: list[dict[str, Any]], first: bool) -> list[Any]:
        from persona_gen.importers.avro import to_avro_datum
        from persona_gen.runtime.records import FileRowShape, schema_part

        avro = self._parsed()
        shape = None
        if self.generator == "file" and self.file_domain is not None and self.file_entity:
            shape = FileRowShape(self.file_domain, self.file_entity)
        datums: list[Any] = []
        for index, record in enumerate(records):
            governed, part = schema_part(record, self.generator, shape)
            if not governed:
                continue
            name = self.entity
            if self.events is not None:
                name = self.events.get(str(record.get("event_type")), self.entity)
            try:
                datum = to_avro_datum(part, name, avro)
            except GenerationError as exc:
                if self.skip_invalid:
                    continue
                raise RecordOutputError(
                    "avro",
                    index,
                    f"{_label(record)} does not fit the Avro schema: {exc} "
                    + (
                        self.changed
                        or "(Avro files hold only records that fit their schema: write "
                        "json/jsonl for negative data)"
                    ),
                ) from None
            datums.append((avro.full_name(name), datum) if self.events is not None else datum)
        return datums

    def open(self, stream: IO[bytes]) -> None:
        from fastavro.write import Writer

        if stream.isatty():
            raise OutputError("avro is binary: give -o FILE instead of writing to a terminal")
        self.stream = stream
        self._wrote_any = False
        # The sync marker is random in fastavro unless given: derive it from the dataset so
        # the same seed writes the same bytes.
        marker = self.sync_marker or os.urandom(16)  # fastavro's own default is random
        self._writer = Writer(stream, self._writer_schema(), codec=self.codec, sync_marker=marker)

    def _writer_schema(self) -> Any:
        avro = self._parsed()
        if self.events is not None:
            return avro.writer_schema()  # the union of the event records
        return avro.writer_schema(self.entity)

    def write(self, payload: Any) -> None:
        for datum in payload or ():
            self._writer.write(datum)
            self._wrote_any = True

    def close(self) -> None:
        self._writer.flush()


def _label(record: dict[str, Any]) -> str:
    if record.get("expected_valid") is False or record.get("_expected_valid") is False:
        return " labelled expected_valid: false"
    return ""


def warn_on_stderr(message: str) -> None:
    """Say ``message`` as a warning: the run goes on."""
    sys.stderr.write(f"persona-gen: warning: {message}\n")


def avro_encoder_for(
    dataset: Any,
    profile: Any = None,
    *,
    schema_path: Any = None,
    skip_invalid: bool = False,
    warn: Callable[[str], None] = warn_on_stderr,
) -> AvroEncoder:
    """The Avro encoder of a ``Dataset`` (from ``quick`` or a ``generate`` plan), given the
    ``Profile`` it comes from (None for ``quick``). ``warn`` says that the profile's .avsc
    is missing (``generate`` says it once for the datasets that share it)."""
    from pathlib import Path

    from persona_gen.importers.avro import AvroSchema, read_avro_schema

    generator = dataset.generator
    if generator not in ("streaming", "fault", "file"):
        raise OutputError(
            f"avro: {generator} records have no schema-governed payload to write as Avro "
            "(use streaming or file datasets; fault data, whose mutations break types, is "
            "for json, jsonl, csv or parquet)"
        )
    if generator == "fault" and not skip_invalid:
        raise OutputError(FAULT_IN_SCHEMA_FILES.format(fmt="avro", what="an Avro file"))
    lane_generators = [lane.generator for lane in dataset.lanes]
    domain: Domain = lane_generators[0].ctx.domain
    entity: str = lane_generators[0].entity.name
    _refuse_values_not_records(domain, entity)
    encoder = AvroEncoder()
    encoder.generator = generator
    encoder.skip_invalid = skip_invalid
    encoder.sync_marker = hashlib.blake2b(
        f"avro-sync:{dataset.seed}:{dataset.key}".encode(), digest_size=16
    ).digest()
    source = profile.spec.source if profile is not None else None
    avsc = None
    if source is not None and source.format == "avro":
        from persona_gen.runtime.check import find_schema_file, schema_not_found
        from persona_gen.runtime.check_source import sha256_of

        avsc = find_schema_file(profile, Path(schema_path) if schema_path else None)
        if avsc is None:
            # Written all the same, but a reader holding the original .avsc may not resolve
            # the derived names (enums, fixed types): say so rather than differ silently.
            warn(
                f"{source.file} (the profile's Avro schema) was not "
                f"found {schema_not_found(profile.path, source.file)}; "
                "the Avro file uses a schema derived from the profile's entity, whose type "
                "names may differ from the original"
            )
    if avsc is not None:
        if source is not None and source.sha256 and sha256_of(avsc) != source.sha256:
            encoder.changed = (
                f"({avsc} has changed since the profile was imported: import it again, "
                "with import-schema --force)"
            )
        parsed = read_avro_schema(avsc)
        full = parsed.full_name(entity)
        encoder.schema = parsed.writer_schema(full)  # (raw data: kept whole when parsed again)
        encoder.entity = full
        encoder._avro = AvroSchema.from_schema(encoder.schema)
    else:
        names = [entity]
        if generator == "streaming":
            names = list(
                dict.fromkeys(
                    e
                    for g in lane_generators
                    for e in g.ctx.domain.events.values()
                    if e in domain.entities
                )
            ) or [entity]
        deriver = _Deriver(domain)
        schemas = [deriver.entity(n) for n in names]
        encoder.entity = _avro_name(entity if len(names) == 1 else names[0])
        if len(names) > 1:
            encoder.schema = schemas
            encoder.events = {
                ev: _avro_name(ent)
                for g in lane_generators
                for ev, ent in g.ctx.domain.events.items()
                if ent in names
            }
        else:
            encoder.schema = schemas[0]
    if generator == "file":
        encoder.file_domain, encoder.file_entity = domain, entity
    return encoder


def _refuse_values_not_records(domain: Domain, entity: str) -> None:
    """Refuse, before anything is written, an entity whose records are not objects (a JSON
    Schema root ``oneOf: [string, integer]``): the Avro files written here hold records of
    the entity, so every such record would fail to fit at the first block."""
    from persona_gen.generators.file import value_leaf, value_shapes

    leaf = value_leaf(domain, domain.entities[entity].schema)
    if leaf is None:
        return
    shapes = value_shapes(leaf.schema)
    raise OutputError(
        f"avro: entity '{entity}' is not a record (its values are {shapes}); the Avro output "
        "writes records of the entity: write its dataset as json, jsonl, csv or parquet"
    )
