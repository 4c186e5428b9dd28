"""Encoders and destinations for records: registered by format name."""

from __future__ import annotations

from typing import Any

from persona_gen.registry import Registry

__all__ = ["FORMATS"]

FORMATS: Registry[Any] = Registry(
    "output format",
    {
        "json": "persona_gen.sinks.encoders:JsonArrayEncoder",
        "jsonl": "persona_gen.sinks.encoders:JsonLinesEncoder",
        "csv": "persona_gen.sinks.encoders:CsvEncoder",
        "parquet": "persona_gen.sinks.parquet:ParquetEncoder",
        "avro": "persona_gen.sinks.avro:AvroEncoder",
        "protobuf": "persona_gen.sinks.protobuf:ProtobufEncoder",
        "sql": "persona_gen.sinks.sql:SqlEncoder",
    },
    "persona_gen.formats",
)
