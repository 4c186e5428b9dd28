"""Avro and Protobuf value encodings for the Kafka sink, with the imported schema.

``kafka://HOST:PORT/TOPIC?value=avro&value.schema=schemas/user-event.avsc[&value.record=NAME]``
writes each value as Avro binary (schemaless, the record's own schema; no registry framing);
``kafka://…?value=protobuf&value.schema=schemas/user.proto&value.message=User`` as the
serialised protobuf message (``value.proto_path=DIR[,DIR…]`` adds folders the .proto's
imports are searched in, as ``import-schema -I`` does). Both are ``schema_bound``: the value
of a fault record is its ``record`` and that of a file row the row re-nested without its
labels (as the Avro and Protobuf file formats write them; api and load records are
refused). Values that do not fit the schema (records a behaviour broke on purpose) raise
ValueError with the reason; the sink counts them as failed, never silently.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from persona_gen.errors import GenerationError, PersonaGenError, UsageError

__all__ = ["AvroValue", "ProtobufValue", "proto_path_folders", "value_problems"]


def _schema_path(options: Mapping[str, str], encoding: str, extra: tuple[str, ...]) -> Path:
    unknown = sorted(set(options) - {"schema", *extra})
    if unknown:
        raise UsageError(
            f"the {encoding} value encoding takes value.schema"
            f"{''.join(', value.' + e for e in extra)} (got {', '.join(unknown)})"
        )
    if "schema" not in options:
        raise UsageError(
            f"the {encoding} value encoding needs value.schema=PATH "
            f"(the .{'avsc' if encoding == 'avro' else 'proto'} file)"
        )
    path = Path(options["schema"])
    if not path.is_file():
        raise UsageError(f"value.schema: '{path}' is not a file")
    return path


def proto_path_folders(text: str) -> list[Path]:
    """The folders of a ``value.proto_path`` option: comma-separated (given twice, its
    values are joined so: ``kafka_target.parse_kafka_url``)."""
    return [Path(part) for part in text.split(",") if part]


class AvroValue:
    """Avro binary of the value, against a record of an .avsc file."""

    content_type = "application/avro"
    schema_bound = True  # holds a schema's record: file and fault records send their governed part

    def __init__(self, options: Mapping[str, str]) -> None:
        from persona_gen.importers.avro import AvroImporter, read_avro_schema

        path = _schema_path(options, "avro", ("record",))
        self.schema = read_avro_schema(path)
        listed = AvroImporter().load(path).listed
        self.record = options.get("record") or listed[0]
        self.parsed = self.schema.record_schema(self.record)

    def __call__(self, value: Any) -> bytes:
        import fastavro

        from persona_gen.importers.avro import to_avro_datum

        try:
            datum = to_avro_datum(value, self.record, self.schema)
            out = io.BytesIO()
            fastavro.schemaless_writer(out, self.parsed, datum)
        except (GenerationError, ValueError, TypeError) as exc:
            raise ValueError(f"not valid {self.record}: {exc}") from None
        return out.getvalue()


class ProtobufValue:
    """The serialised protobuf message of the value."""

    content_type = "application/x-protobuf"
    schema_bound = True

    def __init__(self, options: Mapping[str, str]) -> None:
        from persona_gen.importers.protobuf import descriptor_set, message_class

        path = _schema_path(options, "protobuf", ("message", "proto_path"))
        if "message" not in options:
            raise UsageError("the protobuf value encoding needs value.message=NAME")
        includes = proto_path_folders(options.get("proto_path", ""))
        for folder in includes:
            if not folder.is_dir():
                raise UsageError(f"value.proto_path: '{folder}' is not a folder")
        self.cls = message_class(descriptor_set(path, includes), options["message"])

    def __call__(self, value: Any) -> bytes:
        from google.protobuf import json_format

        from persona_gen.importers.protobuf import to_message

        try:
            return bytes(to_message(value, self.cls).SerializeToString(deterministic=True))
        except (json_format.ParseError, TypeError, ValueError) as exc:
            raise ValueError(f"not a valid {self.cls.DESCRIPTOR.full_name}: {exc}") from None


def value_problems(encoding: str, options: Mapping[str, str]) -> list[str]:
    """What keeps the value encoder of a Kafka destination from being made, as sending
    would make it first (``validate`` says it before any run): each missing
    ``value.schema`` file and ``value.proto_path`` folder of the built-in schema encodings
    apart; when none is missing, the encoder's own complaint (an unknown option or message,
    a schema that does not compile), if any."""
    problems = []
    if encoding in ("avro", "protobuf"):
        schema = options.get("schema")
        if schema and not Path(schema).is_file():
            problems.append(f"value.schema: '{schema}' is not a file")
        for folder in proto_path_folders(options.get("proto_path", "")):
            if not folder.is_dir():
                problems.append(f"value.proto_path: '{folder}' is not a folder")
    if not problems:
        from persona_gen.sinks.kafka_messages import VALUE_ENCODERS

        try:
            VALUE_ENCODERS.get(encoding)(options)
        except PersonaGenError as exc:
            problems.append(str(exc))
    return problems
