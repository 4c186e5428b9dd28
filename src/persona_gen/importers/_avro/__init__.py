"""The Avro importer's parts: reading (schema), mapping to entities, datum conversion."""

from persona_gen.importers._avro.datum import SOURCE_NAME, Converter, Mismatch, source_name
from persona_gen.importers._avro.mapping import build_domain
from persona_gen.importers._avro.schema import AvroSchema, read_avro_schema

__all__ = [
    "SOURCE_NAME",
    "AvroSchema",
    "Converter",
    "Mismatch",
    "build_domain",
    "read_avro_schema",
    "source_name",
]
