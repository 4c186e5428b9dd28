"""Reading, for ``check``, the formats that do not hold whole records: Avro and Protobuf
files hold governed parts, wrapped back into records; SQL scripts, SQLite and PostgreSQL
tables hold file rows (``read_bound``). The formats ``check`` reads, and their other names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from persona_gen.entities.model import Domain, Schema
from persona_gen.errors import UsageError
from persona_gen.runtime.records import (
    as_record,
    drop_absent,
    read_avro,
    read_protobuf,
    read_sql,
    read_sqlite,
)

if TYPE_CHECKING:
    from persona_gen.sinks.database import DatabaseTarget

CHECK_FORMATS = ("json", "jsonl", "csv", "parquet", "avro", "protobuf", "sql", "sqlite")
# Other names of the formats (file extensions): .pb/.binpb Protobuf, .db/.sqlite3 SQLite.
ALIASES = {
    "pb": "protobuf",
    "binpb": "protobuf",
    "db": "sqlite",
    "sqlite3": "sqlite",
    "postgres": "postgresql",
}
# A table on a server, read from a postgresql:// (or postgres://) URL, never from a file.
SERVER_FORMAT = "postgresql"


class Bound(NamedTuple):
    """What ``read_bound`` read: the records; the table they are the rows of (None: a file
    of messages); for an Avro file of several domains, each record's (see ``read_bound``)."""

    records: list[dict[str, Any]]
    table: str | None = None
    kinds: list[str | None] | None = None
    # Of an Avro file: record i read with its optional fields' nulls as no field (Avro
    # writes an absent optional field as null: either may be what was generated); None
    # where that reads the same. Made when asked: only records that fail need it.
    reread: Callable[[int], dict[str, Any] | None] | None = None


# The domains records may be of, by key ("profile", or a built-in population kind), each with
# the entity of records that do not say theirs.
Domains = dict[str, tuple[Domain, str]]


def read_bound(
    path: Path | DatabaseTarget,
    fmt: str,
    generator: str,
    domains: Domains,
    table: str | None,
    kind: str,
    schema_file: Path | None,
    hint: str = "",
    proto_paths: Sequence[Path] = (),
) -> Bound:
    """The records of an Avro, Protobuf, SQL, SQLite or PostgreSQL dataset, as the other
    formats hold them: governed parts wrapped back into their records, table rows as file
    rows; for an Avro file of several ``domains``, each record's (None: none of them); and
    the table read. Tables and Protobuf messages are of the first domain; ``hint`` ends the
    error when the table is not in the database; ``proto_paths`` are the folders a
    ``.proto``'s imports are searched in too (``source.proto_path``)."""
    domain, entity = next(iter(domains.values()))
    if fmt in ("sql", "sqlite", SERVER_FORMAT):
        from persona_gen.sinks.tables import table_for

        dialect = "sqlite" if fmt == "sqlite" else "postgres"
        spec = table_for(domain.entity(entity), domain, table or None, dialect=dialect)
        kinds = {c.name: c.kind for c in spec.columns}
        if not isinstance(path, Path):
            from persona_gen.runtime.readers_db import read_postgres

            return Bound(*read_postgres(path, spec.name, kinds, hint))
        if fmt == "sql":  # (the INSERTs into that table)
            return Bound(read_sql(path, spec.name, kinds), spec.name)
        return Bound(*read_sqlite(path, spec.name, kinds, hint))
    assert isinstance(path, Path)  # only tables are read from a server
    if generator not in ("streaming", "fault", "file"):
        raise UsageError(
            f"{path}: {fmt} files hold streaming, fault or file records, not {generator} ones"
        )
    if fmt == "protobuf":
        if kind not in ("protobuf", "embedded") or schema_file is None:
            why = (
                f"this profile was not imported from a .proto (its schema: {kind})"
                if kind != "embedded"
                else "the profile's .proto was not found (give --schema FILE.proto)"
            )
            raise UsageError(
                f"{path}: Protobuf messages are read with the .proto they were written from; {why}"
            )
        from persona_gen.importers.protobuf import descriptor_set, message_class

        cls = message_class(descriptor_set(schema_file, proto_paths), entity)
        return Bound([as_record(m, generator, i) for i, m in enumerate(read_protobuf(path, cls))])
    # Avro: several entities (a streaming union) are told apart by their record names.
    entities: dict[str, tuple[str | None, str]] = {}
    events: dict[str, dict[str, str]] = {}  # per domain: entity → its event type
    records, keys = [], []
    # (per record: what its other reading is made from)
    parts: list[tuple[Any, Schema, Domain, str | None] | None] = []
    for i, (name, part) in enumerate(read_avro(path)):
        if name not in entities:
            entities[name] = _avro_entity(name, domains)
        key, ent = entities[name]
        keys.append(key)
        if key is None:
            records.append(as_record(part, generator, i))
            parts.append(None)
            continue
        domain, entity = domains[key]
        schema = domain.entity(ent).schema
        record = as_record(drop_absent(part, schema, domain), generator, i)
        event = None
        if generator == "streaming" and ent != entity:
            if key not in events:
                events[key] = {e: ev for ev, e in reversed(domain.events.items())}
            event = events[key].get(ent)
            if event is not None:
                record["event_type"] = event
        records.append(record)
        parts.append((part, schema, domain, event))

    def reread(i: int) -> dict[str, Any] | None:
        made_of = parts[i]
        if made_of is None:
            return None
        part, schema, domain, event = made_of
        other = as_record(drop_absent(part, schema, domain, optional=True), generator, i)
        if event is not None:
            other["event_type"] = event
        return other if other != records[i] else None

    return Bound(records, kinds=keys if len(domains) > 1 else None, reread=reread)


def _avro_entity(name: str, domains: Domains) -> tuple[str | None, str]:
    """The domain (key) and entity an Avro record name stands for (the writer's derived
    schemas rename some): of several domains, the one whose records the entity is (its
    default, or one of its events); of one, its default entity when the name is none."""
    entity = next((name for domain, _ in domains.values() if name in domain.entities), None)
    if entity is None:
        from persona_gen.sinks.avro import avro_schema_from_entity

        entity = next(
            (
                e
                for domain, _ in domains.values()
                for e in domain.entities
                if avro_schema_from_entity(domain, e)["name"] == name
            ),
            None,
        )
    if len(domains) == 1:
        key, (_, default) = next(iter(domains.items()))
        return key, entity or default
    if entity is None:
        return None, ""
    for key, (_, default) in domains.items():
        if entity == default:
            return key, entity
    for key, (domain, _) in domains.items():
        if entity in domain.events.values():
            return key, entity
    for key, (domain, _) in domains.items():
        if entity in domain.entities:
            return key, entity
    return None, ""
