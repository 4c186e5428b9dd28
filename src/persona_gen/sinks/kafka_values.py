"""Avro and Protobuf value encodings for the Kafka sink, with the imported schema.

``kafka://HOST:PORT/TOPIC?value=avro&value.schema=schemas/user-event.avsc[&value.record=NAME]``
writes each value as Avro binary (schemaless, the record's own schema; ``value.registry``
or ``value.schema_id`` add the Schema Registry's framing: ``sinks/schema_registry.py``);
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
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona_gen.errors import GenerationError, PersonaGenError, UsageError
from persona_gen.sinks.schema_registry import (
    WELL_KNOWN,
    Framing,
    RegistrySchema,
    framing_for,
    message_indexes,
    split_registry_options,
)

if TYPE_CHECKING:
    from persona_gen.sinks.kafka_messages import ValueEncoder

__all__ = [
    "AvroValue",
    "ProtobufValue",
    "proto_path_folders",
    "value_encoder",
    "value_problems",
]


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

    def registry_schema(self) -> RegistrySchema:
        """The record's schema as a registry stores it: standing alone, as the Avro file
        format writes it into its header."""
        text = json.dumps(self.schema.writer_schema(self.record), separators=(",", ":"))
        return RegistrySchema("AVRO", text)

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
        self.path, self.includes = path, includes
        self.cls = message_class(descriptor_set(path, includes), options["message"])

    def registry_schema(self) -> RegistrySchema:
        """The message's file as a registry stores it: its .proto text, the files it imports
        as references, and the message's place in it."""
        from persona_gen.importers.protobuf._protoc import include_paths, read_text

        text = read_text(self.path)
        roots = include_paths(self.path, text, self.includes)
        desc = self.cls.DESCRIPTOR
        return _proto_schema(desc.file, roots, text, message_indexes(_index_path(desc)))

    def __call__(self, value: Any) -> bytes:
        from google.protobuf import json_format

        from persona_gen.importers.protobuf import to_message

        try:
            return bytes(to_message(value, self.cls).SerializeToString(deterministic=True))
        except (json_format.ParseError, TypeError, ValueError) as exc:
            raise ValueError(f"not a valid {self.cls.DESCRIPTOR.full_name}: {exc}") from None


def _proto_schema(
    file: Any, roots: list[Path], text: str | None = None, indexes: bytes = b""
) -> RegistrySchema:
    """A compiled .proto file (``FileDescriptor``) as a registry schema; its own text is read
    where protoc found it (the first of ``roots`` holding its name)."""
    if text is None:
        from persona_gen.importers.protobuf._protoc import read_text

        text = next(read_text(r / file.name) for r in roots if (r / file.name).is_file())
    references = tuple(
        (dep.name, _proto_schema(dep, roots))
        for dep in file.dependencies
        if not dep.name.startswith(WELL_KNOWN)  # (built into the registry)
    )
    return RegistrySchema("PROTOBUF", text, references, indexes)


def _index_path(desc: Any) -> list[int]:
    """Where the message ``desc`` sits in its file: its top-level message's index, then the
    index of each nested message on the way down."""
    from google.protobuf import descriptor_pb2

    path: list[int] = []
    while desc.containing_type is not None:
        parent = desc.containing_type
        path.append([m.full_name for m in parent.nested_types].index(desc.full_name))
        desc = parent
    top = descriptor_pb2.FileDescriptorProto.FromString(desc.file.serialized_pb).message_type
    path.append([m.name for m in top].index(desc.name))
    return path[::-1]


def value_encoder(
    encoding: str, options: Mapping[str, str], where: str, timeout_s: float = 10.0
) -> tuple[ValueEncoder, Framing | None]:
    """The encoder of a Kafka destination's values, and the Schema Registry framing its
    ``value.registry`` / ``value.schema_id`` options ask for (None without them)."""
    from persona_gen.sinks.kafka_messages import VALUE_ENCODERS

    own, registry = split_registry_options(options)
    encode = VALUE_ENCODERS.get(encoding, where)(own)
    return encode, framing_for(registry, encode, where, timeout_s)


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
        try:
            value_encoder(encoding, options, "the Kafka destination")
        except PersonaGenError as exc:
            problems.append(str(exc))
    return problems
