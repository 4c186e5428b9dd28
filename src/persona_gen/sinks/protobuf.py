"""Length-delimited Protobuf binary: each message as a varint length, then its bytes.

The stream Java's ``writeDelimitedTo`` / ``parseDelimitedFrom`` and most protobuf tooling
read. Only for profiles imported from a ``.proto`` file: the messages are built from the
imported descriptor (``descriptor_set`` / ``message_class`` / ``to_message``), so the protobuf
runtime itself checks every record. What is written is the part of each record the schema
governs (streaming → ``payload``, fault → ``record``, file → the row without its labels,
re-nested). A record the runtime rejects is an error, or is left out with ``skip_invalid``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from persona_gen.entities.model import Domain
from persona_gen.errors import OutputError, RecordOutputError
from persona_gen.sinks.encoders import FAULT_IN_SCHEMA_FILES, Encoder

__all__ = ["ProtobufEncoder", "protobuf_encoder_for", "read_delimited", "varint"]


def varint(n: int) -> bytes:
    """``n`` (>= 0) as a base-128 varint."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_delimited(data: bytes) -> Iterator[bytes]:
    """The messages of a length-delimited stream, as bytes."""
    pos = 0
    while pos < len(data):
        size = shift = 0
        while True:
            if pos >= len(data):
                raise ValueError("truncated length prefix")
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > len(data):
            raise ValueError("truncated message")
        yield data[pos : pos + size]
        pos += size


class ProtobufEncoder(Encoder):
    """Set ``descriptor`` (a serialized FileDescriptorSet) and ``message`` with
    ``protobuf_encoder_for``."""

    extension = "protobuf"  # the registry contract: extension == format name
    descriptor: bytes | None = None
    message: str = ""
    generator: str = "streaming"
    file_domain: Domain | None = None
    file_entity: str | None = None
    skip_invalid: bool = False
    # Said with a record the message refuses: the .proto has changed since the import (its
    # messages may no longer be the profile's entities).
    changed: str = ""
    _cls: Any = None

    def _message_class(self) -> Any:
        if self._cls is None:
            from persona_gen.importers.protobuf import message_class

            if self.descriptor is None:
                raise OutputError(
                    "protobuf: no message descriptor (construct the encoder with "
                    "protobuf_encoder_for)"
                )
            self._cls = message_class(self.descriptor, self.message)
        return self._cls

    def encode(self, records: list[dict[str, Any]], first: bool) -> bytes:
        from google.protobuf import json_format

        from persona_gen.importers.protobuf import to_message
        from persona_gen.runtime.records import FileRowShape, schema_part

        cls = self._message_class()
        shape = None
        if self.generator == "file" and self.file_domain is not None and self.file_entity:
            shape = FileRowShape(self.file_domain, self.file_entity)
        out = bytearray()
        for index, record in enumerate(records):
            governed, part = schema_part(record, self.generator, shape)
            if not governed:
                continue
            try:
                if not isinstance(part, dict):
                    raise TypeError(f"expected an object, got {type(part).__name__}")
                data = to_message(part, cls).SerializeToString(deterministic=True)
            except (json_format.ParseError, TypeError, ValueError) as exc:
                if self.skip_invalid:
                    continue
                labelled = (
                    " labelled expected_valid: false"
                    if record.get("expected_valid") is False
                    or record.get("_expected_valid") is False
                    else ""
                )
                raise RecordOutputError(
                    "protobuf",
                    index,
                    f"{labelled} is not a valid {self.message}: {' '.join(str(exc).split())} "
                    + (self.changed or "(write json/jsonl for negative data)"),
                ) from None
            out += varint(len(data))
            out += data
        return bytes(out)

    def open(self, stream: IO[bytes]) -> None:
        if stream.isatty():
            raise OutputError("protobuf is binary: give -o FILE instead of writing to a terminal")
        super().open(stream)


def protobuf_encoder_for(
    dataset: Any, profile: Any, *, schema_path: Any = None, skip_invalid: bool = False
) -> ProtobufEncoder:
    """The Protobuf encoder of a ``Dataset`` of a ``Profile`` imported from a ``.proto``."""
    from pathlib import Path

    from persona_gen.importers.protobuf import descriptor_set, message_class
    from persona_gen.runtime.check import find_schema_file, schema_not_found
    from persona_gen.runtime.check_source import proto_paths, sha256_of

    if dataset.generator == "fault" and not skip_invalid:
        # (first: a fault dataset is refused whatever its profile, so the message does not
        # send `quick -t fault -f protobuf` to a .proto profile that would be refused too)
        raise OutputError(FAULT_IN_SCHEMA_FILES.format(fmt="protobuf", what="a Protobuf file"))
    source = profile.spec.source if profile is not None else None
    if source is None or source.format != "protobuf":
        if source is None:
            what = "no imported schema"
        else:  # (an openapi, an avro, a jsonschema schema)
            what = f"{'an' if source.format[:1] in 'aeiou' else 'a'} {source.format} schema"
        # (avro, too, writes only streaming and file records)
        others = f"use {'avro, ' if dataset.generator in ('streaming', 'file') else ''}"
        others += "parquet, json, jsonl or csv"
        if profile is None:  # (quick, or a Dataset made from personas: no profile at all)
            raise OutputError(
                "protobuf output needs a profile imported from a .proto file, and this "
                "dataset has none (quick and a Dataset of personas take none): import one "
                "with 'persona-gen import-schema FILE.proto -o profile.yaml' and run "
                "'persona-gen generate profile.yaml' (in Python: Dataset.from_profile), "
                f"or {others}"
            )
        raise OutputError(
            f"protobuf output needs a profile imported from a .proto file (this one has {what}): "
            f"{others}"
        )
    generator = dataset.generator
    if generator not in ("streaming", "fault", "file"):
        raise OutputError(
            f"protobuf: {generator} records have no schema-governed payload to write "
            "(use streaming or file datasets; fault data, whose mutations break types, is "
            "for json, jsonl, csv or parquet)"
        )
    proto = find_schema_file(profile, Path(schema_path) if schema_path else None)
    if proto is None:
        raise OutputError(
            f"protobuf: '{source.file}' (the profile's .proto) was not found "
            f"{schema_not_found(profile.path, source.file)} (the messages are "
            "built from the .proto itself: put it back, or import the schema again)"
        )
    lane = dataset.lanes[0].generator
    encoder = ProtobufEncoder()
    if source.sha256 and sha256_of(proto) != source.sha256:
        encoder.changed = (
            f"({proto} has changed since the profile was imported: import it again, "
            "with import-schema --force)"
        )
    encoder.descriptor = descriptor_set(proto, proto_paths(profile))
    encoder.message = lane.entity.name
    encoder.generator = generator
    encoder.skip_invalid = skip_invalid
    if generator == "file":
        encoder.file_domain, encoder.file_entity = lane.ctx.domain, lane.entity.name
    message_class(encoder.descriptor, encoder.message)  # fail now on an unknown message
    return encoder
