"""The validators ``check`` holds records to, one per entity of a schema: the importers'
JSON Schema / OpenAPI validators (keyword by keyword), fastavro's and the Protobuf runtime's,
and for an SQL DDL an in-memory SQLite built from the script with the rules of the script's
own database that SQLite does not enforce (lengths, enums, precision, column types)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona_gen.entities.model import Domain, Field
from persona_gen.entities.one_way import Direction as Flag
from persona_gen.entities.one_way import OneWay, one_way_fields
from persona_gen.entities.to_jsonschema import entity_json_schema
from persona_gen.errors import UsageError

if TYPE_CHECKING:  # (the validators' modules load jsonschema: only when a check needs them)
    from persona_gen.importers._jsonschema.validate import Direction

__all__ = ["Checker", "Issue", "Validator"]


@dataclass(frozen=True)
class Issue:
    """One complaint of a validator: the rule (JSON Schema keyword, or the format), why,
    and where, where the validator says (the path of the value within the record)."""

    rule: str
    message: str
    at: tuple[str | int, ...] = ()


Validator = Callable[[Any], list[Issue]]


# -- validators ------------------------------------------------------------------------------


def _rules_of(error: Any) -> list[str]:
    out = [str(error.validator)]
    for sub in error.context or ():
        out.extend(_rules_of(sub))
    return out


def _keyword_checker(validator: Any) -> Validator:
    def check(record: Any) -> list[Issue]:
        issues: list[Issue] = []
        for e in validator.iter_errors(record):
            path, at = e.json_path, tuple(e.absolute_path)
            rules = _rules_of(e)
            issues.extend(Issue(r, f"{path}: {e.message}"[:300], at) for r in dict.fromkeys(rules))
        return issues

    return check


def _from_importer(check: Callable[[Any], list[str]]) -> Validator:
    """The importer's configured jsonschema validator, checking with error keywords.

    The importers' ``validators()`` return message-only checks; the validator object they
    hold gives the keyword of each error. Falls back to messages (rule "schema").
    """
    held = getattr(check, "validator", None)
    if hasattr(held, "iter_errors"):
        return _keyword_checker(held)
    for cell in getattr(check, "__closure__", None) or ():
        inner = cell.cell_contents
        if hasattr(inner, "iter_errors"):
            return _keyword_checker(inner)
    return lambda record: [Issue("schema", m) for m in check(record)]


class Checker:
    """Validators per entity for one schema (file, embedded model or built-in domain)."""

    def __init__(
        self,
        kind: str,
        path: Path | None,
        domain: Domain | None,
        dialect: str | None,
        generator: str,
        proto_paths: Sequence[Path] = (),
    ) -> None:
        self.kind = kind
        self.proto_paths = tuple(proto_paths)  # (a .proto's import folders, given to protoc)
        self.generator = generator
        self.path = path
        self.domain = domain
        self.dialect = dialect
        self._cache: dict[tuple[str, str, Direction | None], Validator] = {}
        self._one_way: dict[tuple[str, str, str], OneWay | None] = {}
        self._closers: list[Callable[[], None]] = []
        self._warned: list[Callable[[], list[str]]] = []

    def warnings(self) -> list[str]:
        """What the validators could not check (schema parts the import warned about)."""
        return list(dict.fromkeys(w for source in self._warned for w in source()))

    def for_entity(
        self, entity: str, domain: Domain, direction: Direction | None = None
    ) -> Validator:
        """The validator of ``entity``; for an api body, of the way it goes (``direction``:
        a readOnly property is required in replies only, a writeOnly one in requests only;
        the JSON Schema family's validators only, the other formats have no such flags)."""
        key = (domain.source + ":" + str(id(domain)), entity, direction)
        if key not in self._cache:
            self._cache[key] = self._build(entity, domain, direction)
        return self._cache[key]

    def one_way(self, entity: str, domain: Domain, flag: Flag) -> OneWay | None:
        """Where ``entity``'s readOnly (``flag`` "read_only": what an api request body should
        not send) or writeOnly ("write_only": what a reply should not hold) fields are, at
        any depth (None: nowhere, or no such entity)."""
        key = (domain.source + ":" + str(id(domain)), entity, flag)
        if key not in self._one_way:
            found = domain.entities.get(entity)
            self._one_way[key] = one_way_fields(domain, found.schema, flag) if found else None
        return self._one_way[key]

    def close(self) -> None:
        for c in self._closers:
            c()

    def _build(self, entity: str, domain: Domain, direction: Direction | None) -> Validator:
        kind, path = self.kind, self.path
        if kind in ("jsonschema", "openapi") and path is not None:
            from persona_gen.importers.jsonschema import JsonSchemaImporter
            from persona_gen.importers.openapi import OpenApiImporter

            importer: Any = JsonSchemaImporter() if kind == "jsonschema" else OpenApiImporter()
            checks = importer.validators(path, direction=direction)
            if entity not in checks:
                raise UsageError(f"{path}: no schema '{entity}' (has {', '.join(checks)})")
            check = checks[entity]
            if hasattr(check, "unenforced"):
                self._warned.append(
                    lambda: [f"{path}: {u}: not enforced" for u in check.unenforced]
                )
            return _from_importer(check)
        if kind == "avro" and path is not None:
            return _avro_validator(path, entity)
        if kind == "protobuf" and path is not None:
            return _protobuf_validator(path, entity, self.proto_paths)
        if kind == "ddl" and path is not None:
            from persona_gen.importers.ddl import detect_dialect, resolve_dialect
            from persona_gen.runtime.pg_input import column_inputs
            from persona_gen.runtime.sqlload import SqliteTable, TableError

            script = path.read_text(encoding="utf-8", errors="replace")
            dialect = resolve_dialect(self.dialect) if self.dialect else detect_dialect(script)
            # A file is a table (keys unique across rows); other records are messages.
            # The table also refuses a NULL PRIMARY KEY column, which SQLite alone takes,
            # unless the script is SQLite's own (see SqliteTable.null_keys).
            try:
                table = SqliteTable(
                    script, dialect, domain.entity(entity), keep_rows=self.generator == "file"
                )
            except TableError as exc:
                raise UsageError(f"{path}: {exc}") from None
            self._closers.append(table.close)
            self._warned.append(lambda: [f"{path}: {w}" for w in table.warnings])

            # SQLite ignores VARCHAR lengths, enum types and NUMERIC precision, and keeps
            # any value in any column; the script's own database (but SQLite) refuses rows
            # that break them, and values its column types do not take.
            beyond = dialect != "sqlite"
            columns = domain.entity(entity).schema.fields
            inputs = column_inputs(script, dialect, entity)

            def insert(record: Any) -> list[Issue]:
                if not isinstance(record, dict):
                    return [Issue("type", "a row must be an object")]
                error = table.insert(record)
                issues = [Issue("ddl", error)] if error else []
                if beyond:
                    issues += _column_limits(columns, record)
                    issues += _column_inputs(inputs, record, issues)
                return issues

            return insert
        # The embedded model or the built-in domain, as JSON Schema.
        import jsonschema

        from persona_gen.importers._jsonschema.validate import with_safe_patterns

        doc = entity_json_schema(_written_whole(domain), entity)
        cls = with_safe_patterns(jsonschema.Draft202012Validator, direction)
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        return _keyword_checker(cls(doc, format_checker=checker))


def _written_whole(domain: Domain) -> Domain:
    """``domain``, its imported DDL tables held to every NOT NULL column: rows are written
    whole (the sinks and the SQLite check insert every column, NULL where a row lacks one),
    so a row without a NOT NULL column is refused whatever its DEFAULT. Such a column is
    ``defaulted`` in the model because an INSERT of the columns a fault record holds may
    leave it out (docs/schema-import.md); as written, it may not."""
    if domain.source != "ddl":
        return domain
    entities = {}
    for name, ent in domain.entities.items():
        fields = tuple(
            dataclasses.replace(f, defaulted=False) if f.defaulted and not f.schema.nullable else f
            for f in ent.schema.fields
        )
        schema = dataclasses.replace(ent.schema, fields=fields)
        entities[name] = dataclasses.replace(ent, schema=schema)
    return dataclasses.replace(domain, entities=entities)


def _column_limits(columns: tuple[Field, ...], row: dict[str, Any]) -> list[Issue]:
    """The rules a database other than SQLite enforces on a row's values and SQLite does
    not: VARCHAR(n) lengths, enum types and NUMERIC(p,s) digits (the database rounds extra
    scale digits, so only digits before the point overflow)."""
    issues = []
    for f in columns:
        s, value = f.schema, row.get(f.name)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, str) and s.max_length is not None and len(value) > s.max_length:
            issues.append(Issue("maxLength", f"$.{f.name}: longer than {s.max_length}"))
        if s.enum is not None and s.type != "array" and value not in s.enum:
            issues.append(Issue("enum", f"$.{f.name}: {str(value)[:40]!r} is not of its enum"))
        if s.precision is not None and isinstance(value, int | float):
            scale = s.scale or 0
            if abs(round(value, scale)) >= 10 ** (s.precision - scale):
                shown = f"NUMERIC({s.precision},{scale})"
                issues.append(Issue("precision", f"$.{f.name}: {value} overflows {shown}"))
    return issues


def _column_inputs(
    inputs: dict[str, Callable[[str], tuple[str, str] | None]],
    row: dict[str, Any],
    found: list[Issue],
) -> list[Issue]:
    """What the column types refuse of a row's values (one issue a column: a value already
    past its column's limits is not judged again)."""
    from persona_gen.runtime.pg_input import refusal

    limited = {i.message.split(":", 1)[0] for i in found}
    issues = []
    for name, check in inputs.items():
        if f"$.{name}" in limited:
            continue
        refused = refusal(row.get(name), check)
        if refused is not None:
            issues.append(Issue(refused[0], f"$.{name}: {refused[1]}"))
    return issues


def _avro_validator(path: Path, entity: str) -> Validator:
    from fastavro.validation import ValidationError as AvroError
    from fastavro.validation import validate

    from persona_gen.errors import GenerationError
    from persona_gen.importers.avro import read_avro_schema, to_avro_datum

    schema = read_avro_schema(path)
    parsed = schema.record_schema(entity)

    def check(record: Any) -> list[Issue]:
        if not isinstance(record, dict):
            return [Issue("avro", f"expected a record, got {type(record).__name__}")]
        try:
            datum = to_avro_datum(record, entity, schema)
            # (raising, fastavro builds an error with a JSON message for every union
            # branch a value does not take, valid records included: ask first)
            if not validate(datum, parsed, raise_errors=False):
                validate(datum, parsed, raise_errors=True)  # (raises, saying why)
                return [Issue("avro", "the record does not fit the schema")]
        except (GenerationError, AvroError) as exc:
            return [Issue("avro", str(exc).splitlines()[0][:300])]
        return []

    return check


def _protobuf_validator(path: Path, entity: str, proto_paths: Sequence[Path]) -> Validator:
    from google.protobuf import json_format

    from persona_gen.importers.protobuf import descriptor_set, message_class, to_message

    cls = message_class(descriptor_set(path, proto_paths), entity)

    def check(record: Any) -> list[Issue]:
        if not isinstance(record, dict):
            return [Issue("protobuf", f"expected a message, got {type(record).__name__}")]
        try:
            msg = to_message(record, cls)
        except (json_format.ParseError, TypeError, ValueError) as exc:
            return [Issue("protobuf", str(exc)[:300])]
        if cls.FromString(msg.SerializeToString()) != msg:
            return [Issue("protobuf", "the binary round trip changed the message")]
        return []

    return check
