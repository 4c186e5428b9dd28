"""Schema importers: external schema files → the neutral entity model. One module each."""

from __future__ import annotations

from typing import Any

from persona_gen.registry import Registry

__all__ = ["FORMAT_ALIASES", "IMPORTERS"]

IMPORTERS: Registry[Any] = Registry(
    "schema format",
    {
        "openapi": "persona_gen.importers.openapi:OpenApiImporter",
        "jsonschema": "persona_gen.importers.jsonschema:JsonSchemaImporter",
        "avro": "persona_gen.importers.avro:AvroImporter",
        "ddl": "persona_gen.importers.ddl:DdlImporter",
        "protobuf": "persona_gen.importers.protobuf:ProtobufImporter",
    },
    "persona_gen.importers",
)

# Other names users type for the same formats (the spec's `-f swagger`, `-f sql`...).
FORMAT_ALIASES = {
    "swagger": "openapi",
    "oas": "openapi",
    "json-schema": "jsonschema",
    "json_schema": "jsonschema",
    "avsc": "avro",
    "sql": "ddl",
    "proto": "protobuf",
}
