"""The Avro importer's parts: reading (schema), mapping to entities, datum conversion."""

from persona_gen.importers._avro.datum import Converter, Mismatch
from persona_gen.importers._avro.mapping import build_domain
from persona_gen.importers._avro.schema import AvroSchema, read_avro_schema

__all__ = ["AvroSchema", "Converter", "Mismatch", "build_domain", "read_avro_schema"]
