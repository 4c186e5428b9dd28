"""Encoders and destinations for records: registered by format name."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from persona_gen.registry import Registry

__all__ = [
    "FORMATS",
    "SINK_SCHEMES",
    "check_sink_url",
    "extension_mismatch",
    "format_of_suffix",
    "masked_url",
    "sink_format",
    "sink_from_folder",
]

SINK_SCHEMES = ("kafka", "sqlite", "postgresql", "postgres")

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

# Extensions of an output format other than its name (a format's own extension is its name).
_EXTENSIONS = {"ndjson": "jsonl", "pb": "protobuf", "binpb": "protobuf"}


def format_of_suffix(suffix: str) -> str | None:
    """The output format a file name ending in ``suffix`` (``csv``, ``.ndjson``) is written
    in, or None when no format is written so."""
    suffix = suffix.lstrip(".").lower()
    fmt = _EXTENSIONS.get(suffix, suffix)
    return fmt if fmt and fmt in FORMATS else None


def extension_mismatch(fmt: str, output: str | PurePath) -> str | None:
    """What to warn of when ``fmt`` is written to ``output`` whose extension says another
    format (``writing json to 'x.csv' (its extension says csv)``): the given format wins,
    users rely on it, but a reader going by the name would misread the file. None when the
    extension says ``fmt`` or no format at all (``x.out``, ``x.txt``)."""
    said = format_of_suffix(PurePath(output).suffix)
    if said is None or said == fmt:
        return None
    return f"writing {fmt} to '{output}' (its extension says {said})"


def masked_url(url: str) -> str:
    """``url`` with any password in it masked (``user:***@``, ``password=***``): what may be
    printed or written into a manifest."""
    import re

    url = re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", url)
    return re.sub(r"((?:^|[?&])[^=&]*(?:password|secret)[^=&]*=)[^&]*", r"\1***", url, flags=re.I)


def sink_format(url: str) -> str:
    """The ``format`` a run manifest gives a delivery to ``url``, whether it succeeded or
    not: ``kafka/`` and the value encoding (``kafka/json``), ``sqlite`` or ``postgresql``
    (also for a ``postgres://`` URL)."""
    if url.partition("://")[0] == "kafka":
        from persona_gen.sinks.kafka import parse_kafka_url

        return parse_kafka_url(url).manifest_format
    from persona_gen.sinks.database import parse_database_url

    return parse_database_url(url).kind


def sink_from_folder(url: str, folder: Path) -> str:
    """A profile's ``sink:`` URL with each relative path in it made a path from ``folder``,
    the profile's, as ``source.file`` is: a SQLite database, a Kafka ``value.schema`` (given
    with ``--sink`` on the command line, they stay paths from the current directory)."""
    scheme = url.partition("://")[0]
    if scheme == "kafka":
        from persona_gen.sinks.kafka_target import schema_from_folder

        return schema_from_folder(url, folder)
    if scheme == "sqlite":
        from persona_gen.sinks.database_url import sqlite_from_folder

        return sqlite_from_folder(url, folder)
    return url


def check_sink_url(url: str, option: str = "--sink", generator: str | None = None) -> None:
    """Fail early, before generating anything, on a sink URL that cannot work (``option``
    names where it was given; empty when the message is placed by the caller), or that
    cannot take ``generator``'s records (when given)."""
    from persona_gen.errors import UnknownNameError, UsageError

    scheme, sep, _ = url.partition("://")
    if not sep:
        prefix = f"{option}: " if option else ""
        raise UsageError(f"{prefix}'{url}' is not a URL (e.g. kafka://127.0.0.1:9092/topic)")
    if scheme not in SINK_SCHEMES:
        raise UnknownNameError("sink", scheme, SINK_SCHEMES, option)
    if scheme == "kafka":
        from persona_gen.sinks.kafka import check_kafka_destination, parse_kafka_url

        check_kafka_destination(parse_kafka_url(url), generator)
    else:
        from persona_gen.sinks.database import parse_database_url

        parse_database_url(url)
