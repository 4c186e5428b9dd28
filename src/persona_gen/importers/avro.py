"""avro: Avro schema files (.avsc) → entities, and generated records → fastavro datums.

The file is parsed by fastavro itself (named types it uses but does not define are loaded
from ``<full name>.avsc`` beside it, as ``fastavro.schema.load_schema`` does). Every named
record is an entity, called by its full name (``com.example.events.UserEvent``); the
top-level record comes first and is the primary entity, and ``Domain.events`` maps
``<record_name>.recorded`` to it for the streaming generator. A file whose top level is a
list of types lists every record; those no other type uses are the primary (the first) and
the event types. How each Avro construct maps is tabled in ``_avro/mapping.py``.

``to_avro_datum`` turns a generated record (plain JSON values) back into what fastavro
writes: ``Decimal`` for decimals, ``date``/``time``/``datetime`` for the date and time types,
``bytes`` for bytes (from base64) and fixed (from hex), with union branches resolved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from persona_gen.errors import GenerationError, SchemaImportError
from persona_gen.importers._avro import (
    SOURCE_NAME,
    AvroSchema,
    Converter,
    Mismatch,
    build_domain,
    read_avro_schema,
    source_name,
)
from persona_gen.importers.base import ImportResult

__all__ = [
    "SOURCE_NAME",
    "AvroImporter",
    "AvroSchema",
    "read_avro_schema",
    "source_name",
    "to_avro_datum",
]

_NAMED_KINDS = ("record", "error", "enum", "fixed")


class AvroImporter:
    name: ClassVar[str] = "avro"
    # (a .json file is tried as Avro when it is no OpenAPI document or JSON Schema: a
    # record schema saved as user.json)
    extensions: ClassVar[tuple[str, ...]] = (".avsc", ".json")

    @classmethod
    def sniff(cls, path: Path, text: str) -> bool:
        """A JSON record schema, or a JSON list (union) of named Avro types."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return False
        if isinstance(data, dict):
            return data.get("type") in ("record", "error") and isinstance(data.get("fields"), list)
        if isinstance(data, list) and data:
            return all(isinstance(t, dict | str) for t in data) and any(
                isinstance(t, dict) and t.get("type") in _NAMED_KINDS and "name" in t for t in data
            )
        return False

    def load(self, path: Path, *, dialect: str | None = None, strict: bool = False) -> ImportResult:
        if dialect is not None:
            raise SchemaImportError(f"Avro schemas have no dialects (got '{dialect}')", path)
        domain, listed, warnings = build_domain(read_avro_schema(Path(path)))
        return ImportResult(domain, listed, self.name, warnings)


def to_avro_datum(record: Mapping[str, Any], entity: str, schema: AvroSchema | Any) -> Any:
    """The fastavro datum of a generated ``record`` of the Avro record ``entity``.

    ``schema`` is the file's ``read_avro_schema(path)`` (or any Avro schema, raw or parsed by
    fastavro, that defines the record); ``entity`` is the record's full name, or its short
    name when that is unique. The result validates against ``schema.record_schema(entity)``
    and can be given to ``fastavro.writer`` / ``schemaless_writer``. A value that does not
    fit its Avro type raises ``GenerationError`` naming the field.
    """
    parsed = schema if isinstance(schema, AvroSchema) else AvroSchema.from_schema(schema)
    full = parsed.full_name(entity)
    try:
        return Converter(parsed.named).datum(record, parsed.named[full], "")
    except Mismatch as exc:
        raise GenerationError(f"{full}{exc.path}: {exc.message}") from None
