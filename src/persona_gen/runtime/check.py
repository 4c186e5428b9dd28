"""check: validate a generated dataset against its profile's SOURCE schema, with that format's
own validator, and hold the records to their labels.

The schema file named by the profile's ``source`` is looked up beside the profile, then in
``../schemas/`` and ``./schemas/`` (or given explicitly); a file whose sha256 differs from the
profile's is used with a warning, a missing one falls back to the embedded entity (as JSON
Schema), also with a warning. Profiles without a source are checked against the built-in domain.

Validators: JSON Schema and OpenAPI → the importers' validators (``jsonschema`` /
openapi-schema-validator, the error's keyword is the rule); Avro → ``to_avro_datum`` +
``fastavro.validation``; Protobuf → ``to_message`` (the protobuf runtime) and a binary round
trip; SQL DDL → an INSERT into an in-memory SQLite created from the script, and (a script of
another dialect) the column limits SQLite does not enforce: VARCHAR lengths, enum types,
NUMERIC precision.

Data: json, jsonl, csv and parquet files hold whole records; Avro and Protobuf files hold only
the governed parts, wrapped back into records labelled valid (their writers keep only records
that fit the schema); SQL INSERT scripts, SQLite tables (``sqlite:///PATH``) and PostgreSQL tables
(``postgresql://USER@HOST:PORT/DB``, see ``readers_db``) hold file rows, labelled by the SQL
writer's ``-- expected invalid`` comments (see ``records``); a database holds no labels.

Entities of the built-in domain: a record naming its persona is of that persona's entity; file
and table rows and Avro parts are of the entity of the personas their manifest names (else
their dataset's, else the profile's), and are not checked when those make several.

Labels: a record labelled valid must pass; a record labelled invalid must fail — for fault
records checked with a JSON Schema validator, on the rule its label names. Formats that cannot
express a rule (Protobuf has no ``maxLength``) count such records as *undetected*, not as
problems.
"""

from __future__ import annotations

import base64
import binascii
import glob
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from persona_gen.entities.builtin import builtin_domain
from persona_gen.entities.media import base_type, is_media_type, media_kind
from persona_gen.entities.model import Domain, Operation, Schema, deref
from persona_gen.errors import PersonaGenError, UsageError
from persona_gen.generators.bodies import base64_text, from_text, from_xml, xml_unreadable
from persona_gen.generators.file import LABEL_COLUMNS, VIOLATIONS_COLUMN
from persona_gen.generators.forms import decode
from persona_gen.personas.loader import PersonaCatalog
from persona_gen.profiles.loader import Profile
from persona_gen.runtime.check_validators import Checker, Issue
from persona_gen.runtime.records import (
    GENERATOR_FIELDS,
    READ_FORMATS,
    FileRowShape,
    as_record,
    detect_generator,
    drop_absent,
    read_avro,
    read_dataset,
    read_protobuf,
    read_sql,
    read_sqlite,
    schema_part,
    text_cell,
)
from persona_gen.sinks import FORMATS

if TYPE_CHECKING:
    from persona_gen.sinks.database import DatabaseTarget

__all__ = ["CheckReport", "Issue", "RecordProblem", "check_dataset", "find_schema_file"]

MAX_LISTED = 20
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
JSON_FAMILY = ("jsonschema", "openapi", "embedded", "builtin", "profile")

# What each non-JSON-Schema validator can notice: labelled-invalid records breaking other
# rules may pass it (counted as undetected, not as problems).
ENFORCED: dict[str, frozenset[str]] = {
    # A missing field with a default is filled in by the writer: "required" is not seen.
    "avro": frozenset({"type", "enum", "additionalProperties"}),
    # Protobuf's JSON mapping accepts numbers as strings and has no required fields.
    "protobuf": frozenset({"enum", "additionalProperties"}),
    "ddl": frozenset(),
}
# Text cells (CSV) cannot tell a number from a numeric string, nor "" from null.
TEXT_UNDETECTABLE = frozenset({"type", "required"})
# Error keywords that also count as breaking a label's rule.
RULE_ALIASES: dict[str, frozenset[str]] = {
    "minimum": frozenset({"minimum", "exclusiveMinimum"}),
    "maximum": frozenset({"maximum", "exclusiveMaximum"}),
    "format": frozenset({"format", "pattern"}),
    "pattern": frozenset({"pattern", "format"}),
    # A wrong-typed value of a field declared only by enum/const breaks that keyword.
    "type": frozenset({"type", "nullable", "enum", "const"}),
    "required": frozenset({"required", "dependentRequired", "dependencies"}),
    "additionalProperties": frozenset({"additionalProperties", "unevaluatedProperties"}),
}


@dataclass(frozen=True)
class RecordProblem:
    """A record whose validation disagrees with its label (or, in ``failures``, fails)."""

    index: int
    # invalid | undetected-break | wrong-rule | malformed | incomplete | failed (expected)
    kind: str
    reason: str
    label_rule: str | None = None
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "reason": self.reason,
            "label_rule": self.label_rule,
            "rules": list(self.rules),
        }


@dataclass
class CheckReport:
    """What ``check`` found. ``exit_code``: 0 all good, 1 problems or nothing checked (no
    records, records not recognised, a load schedule, every record skipped as not governed by
    the schema: ``validatable`` is then False); as every user error, exit code 2 is the
    argument parser's."""

    data: str
    fmt: str
    generator: str
    schema_format: str
    schema: str | None
    entity: str | None
    profile: str | None = None
    records: int = 0
    checked: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    unresolved: int = 0
    labelled_invalid: int = 0
    failed_as_labelled: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    undetected: Counter[str] = field(default_factory=Counter)
    problems: list[RecordProblem] = field(default_factory=list)
    problem_count: int = 0
    failures: list[RecordProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    validatable: bool = True
    # api request bodies skipped as not held to the schema (bytes…), by why
    not_validated: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.validatable and self.problem_count == 0

    @property
    def exit_code(self) -> int:
        return 0 if self.validatable and self.problem_count == 0 else 1

    def add_problem(self, problem: RecordProblem, limit: int) -> None:
        self.problem_count += 1
        if len(self.problems) < limit:
            self.problems.append(problem)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "data": self.data,
            "format": self.fmt,
            "generator": self.generator,
            "profile": self.profile,
            "schema": self.schema,
            "schema_format": self.schema_format,
            "entity": self.entity,
            "validatable": self.validatable,
            "records": self.records,
            "checked": self.checked,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "unresolved": self.unresolved,
            "labelled_invalid": self.labelled_invalid,
            "failed_as_labelled": self.failed_as_labelled,
            "failures_by_rule": dict(sorted(self.by_rule.items())),
            "undetected_by_rule": dict(sorted(self.undetected.items())),
            "problem_count": self.problem_count,
            "problems": [p.to_dict() for p in self.problems],
            "first_failures": [p.to_dict() for p in self.failures],
            "warnings": self.warnings,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def summary_rows(self) -> list[tuple[str, str]]:
        """``(item, value)`` rows for a two-column table (Rich or plain)."""
        rows = [
            ("data", f"{self.data} ({self.fmt}, {self.generator})"),
            ("schema", f"{self.schema or '-'} ({self.schema_format})"),
            ("entity", self.entity or "-"),
            ("records", str(self.records)),
            ("checked", str(self.checked)),
            ("passed", str(self.passed)),
            ("failed", str(self.failed)),
        ]
        if self.skipped:
            rows.append(("skipped (not governed by the schema)", str(self.skipped)))
        if self.unresolved:
            rows.append(("not checked (entity unknown)", str(self.unresolved)))
        if self.labelled_invalid:
            rows.append(
                (
                    "labelled invalid / failed as labelled",
                    f"{self.labelled_invalid} / {self.failed_as_labelled}",
                )
            )
        for rule, n in sorted(self.by_rule.items()):
            rows.append((f"failures: {rule}", str(n)))
        for rule, n in sorted(self.undetected.items()):
            rows.append((f"undetected by {self.schema_format}: {rule}", str(n)))
        rows.append(("problems", str(self.problem_count)))
        for p in self.problems:
            rows.append((f"  #{p.index} {p.kind}", p.reason[:200]))
        for w in self.warnings:
            rows.append(("warning", w))
        result = "OK" if self.ok else "FAILED" if self.validatable else "FAILED: nothing checked"
        rows.append(("result", result))
        return rows


# -- locating the schema ---------------------------------------------------------------------


def find_schema_file(profile: Profile, schema_path: Path | None = None) -> Path | None:
    """The profile's source schema: ``schema_path``, beside the profile, or ``../schemas/``."""
    if schema_path is not None:
        if not schema_path.is_file():
            raise UsageError(f"--schema: {schema_path}: no such file")
        return schema_path
    source = profile.spec.source
    if source is None:
        return None
    name = Path(source.file)
    here = profile.path.parent
    candidates = [name] if name.is_absolute() else []
    candidates += [here / name, here / name.name, here.parent / "schemas" / name.name]
    candidates.append(here / "schemas" / name.name)
    for c in candidates:
        if c.is_file():
            return c
    return None


# -- entities of records ---------------------------------------------------------------------


def _op_pattern(op: Operation) -> re.Pattern[str]:
    parts = []
    for seg in op.path.strip("/").split("/"):
        if re.fullmatch(r"v\d+", seg):
            parts.append(r"v\d+")
        else:
            parts.append(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(seg)))
    return re.compile(r"^(?:/v\d+)?/" + "/".join(parts) + r"(?:/batch)?/?$")


class _Entities:
    """Which entity a record's governed part is, for one domain."""

    def __init__(self, domain: Domain, default: str) -> None:
        self.domain = domain
        self.default = default
        self.ops = [
            (op, _op_pattern(op))
            for op in domain.operations
            if op.method in ("POST", "PUT") and op.request_body
        ]

    def of(self, record: dict[str, Any], generator: str, text: bool) -> str:
        if generator == "streaming":
            event = record.get("event_type")
            found = self.domain.events.get(event) if isinstance(event, str) else None
            return found if found in self.domain.entities else self.default
        op = self.operation(record, generator, text)
        return (op.entity or self.default) if op is not None else self.default

    def operation(self, record: dict[str, Any], generator: str, text: bool) -> Operation | None:
        """The operation an api record's request is of (None: not known)."""
        if generator == "api":
            request = text_cell(record.get("request")) if text else record.get("request")
            if isinstance(request, dict):
                method, path = request.get("method"), str(request.get("path", ""))
                for op, pattern in self.ops:
                    if op.method == method and pattern.match(path):
                        return op
        return None


# -- the check -------------------------------------------------------------------------------

# A record's domain, the entities of its domain, and (file rows) how its columns nest.
Resolved = tuple[Domain, "_Entities", FileRowShape | None]


def _provenance(manifest: dict[str, Any], profile: Profile, data_path: Path) -> list[str]:
    """Refuse data whose manifest names another profile (every record would "fail" for the
    wrong reason); warn when the same profile has changed since the data was made."""
    made_by = manifest.get("profile")
    if made_by is None:
        return []
    made_from = manifest.get("source") or {}
    source = profile.spec.source
    if made_by != profile.spec.name or (
        made_from.get("sha256") and (source is None or source.sha256 != made_from["sha256"])
    ):
        origin = f" (imported from {made_from['file']})" if made_from.get("file") else ""
        raise UsageError(
            f"{data_path}: its manifest says it was generated from profile '{made_by}'"
            f"{origin}, not from {profile.path}; check it with --profile of that profile"
        )
    made_hash = manifest.get("profile_hash")
    if made_hash and made_hash != profile.content_hash:
        return [f"{profile.path} has changed since {data_path.name} was generated from it"]
    return []


def _count_against_manifest(
    report: CheckReport, manifest: dict[str, Any], read: int, limit: int
) -> None:
    """A file holding another number of records than its manifest says were written to it
    is cut short (a copy or a run that stopped part-way) or is not the file the manifest
    describes: its records may all be fine, the dataset is not."""
    written = manifest.get("count")
    if manifest.get("delivery") or not isinstance(written, int) or written == read:
        return  # (a sink's manifest counts what went to the sink, not into a file)
    report.add_problem(
        RecordProblem(
            read,
            "incomplete",
            f"the file holds {read} records, but its manifest says {written} were written",
        ),
        limit,
    )


def _manifest(data_path: Path, database: bool = False, table: str | None = None) -> dict[str, Any]:
    """The manifest beside the data, ``FILE.manifest.json``; for a SQLite database the one a
    load into it left (``DB.DATASET.manifest.json``): the one that filled ``table``, or the
    only one. A load that was rolled back (``committed: false``) left no rows, so its
    manifest (which replaced the one of the load that did) tells nothing about the table."""
    doc = _json_object(data_path.with_name(data_path.name + ".manifest.json"))
    if doc or not database or not data_path.name:
        return doc
    pattern = glob.escape(data_path.name) + ".*.manifest.json"
    loads = [
        d
        for p in sorted(data_path.parent.glob(pattern))
        if (d := _json_object(p)) and _committed(d)
    ]
    if table:
        loads = [d for d in loads if table.lower() in map(str.lower, _loaded_tables(d))]
    return loads[0] if len(loads) == 1 else {}


def _committed(manifest: dict[str, Any]) -> bool:
    delivery = manifest.get("delivery")
    return not isinstance(delivery, dict) or delivery.get("committed") is not False


def _loaded_tables(manifest: dict[str, Any]) -> list[str]:
    delivery = manifest.get("delivery")
    tables = delivery.get("tables") if isinstance(delivery, dict) else None
    return [str(t) for t in tables] if isinstance(tables, dict) else []


def _loaded_table(manifest: dict[str, Any]) -> str | None:
    """The table a committed load put its dataset's own rows in (not the tables of parent
    rows generated for them): it was named by the load's ``?table=`` or is the entity's.
    None when the manifest is not a load's, or names several such tables."""
    delivery = manifest.get("delivery")
    tables = delivery.get("tables") if isinstance(delivery, dict) else None
    if not isinstance(tables, dict) or not _committed(manifest):
        return None
    own = [
        str(name)
        for name, counts in tables.items()
        if not (isinstance(counts, dict) and counts.get("generated_for"))
    ]
    return own[0] if len(own) == 1 else None


def _table_to_read(
    url_table: str | None,
    manifest: dict[str, Any],
    spec: Any,
    where: str,
) -> tuple[str | None, str]:
    """The table of the database ``where`` (its URL, without ``?table=``) to read, and what
    to say when it is not there. A URL's ``?table=`` first; else the table the load beside
    the data filled (a load's ``?table=`` names it in the manifest, not in the file), else
    the one the profile's dataset loads into that database; else None, the entity's own."""
    if url_table:
        return url_table, ""
    from persona_gen.sinks.database import same_database

    sink = spec.sink if spec is not None else None
    table = _loaded_table(manifest)
    if table is None and sink and same_database(sink) == same_database(where):
        table = _url_table(sink)
    options = "&" if "?" in where else "?"
    return table, f"; name the table to check: {where}{options}table=NAME"


def _json_object(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


class _PersonaKinds:
    """The built-in population kind (user, device…) of records, which picks their domain when
    the profile has none: a record naming its persona is of that persona's kind; the others
    (file rows, table rows, Avro parts) of the kind shared by every persona that may have
    made the data — those its manifest names, else its dataset's in the profile, else the
    profile's. ``default`` is None (``why`` says why) when that cannot be told."""

    def __init__(
        self, catalog: PersonaCatalog, manifest: dict[str, Any], spec: Any, profile: Profile
    ) -> None:
        self.catalog = catalog
        made_by = manifest.get("personas")
        listed = [p for p in made_by if isinstance(p, dict)] if isinstance(made_by, list) else []
        # (a persona from a -p directory is found through the file the manifest names)
        self.sources = {str(p["name"]): p.get("source") for p in listed if p.get("name")}
        self._kinds: dict[str, str | None] = {}
        if self.sources:
            names, origin = list(self.sources), "its manifest"
        elif spec is not None and spec.personas:
            names, origin = list(spec.personas), f"its dataset '{spec.name}' in {profile.path}"
        else:
            names, origin = [p.name for p in profile.spec.personas], str(profile.path)
        kinds = {name: self.of(name) for name in names}
        self.candidates = sorted({k for k in kinds.values() if k is not None})
        # (kinds differ in their api operations and events; file rows are the primary entity)
        made = {n: builtin_domain(k).primary for n, k in kinds.items() if k is not None}
        self.default: str | None = None
        self.why = ""
        unknown = [name for name, kind in kinds.items() if kind is None]
        if unknown:
            self.why = (
                f"cannot tell which entity its records are: {origin} names persona "
                f"{', '.join(repr(n) for n in unknown)}, which is not found"
            )
        elif len(set(made.values())) > 1:
            pairs = ", ".join(f"{n} → {e}" for n, e in made.items())
            self.why = (
                "cannot tell which entity its records are: they do not name their persona, "
                f"and the personas {origin} names make different ones ({pairs}); check data "
                "with the manifest it was written with beside it, or with a profile whose "
                "personas make one entity"
            )
        else:
            self.default = self.candidates[0]

    def of(self, name: str) -> str | None:
        """The population kind of persona ``name`` (None: not found)."""
        if name not in self._kinds:
            self._kinds[name] = self._find(name)
        return self._kinds[name]

    def _find(self, name: str) -> str | None:
        source = self.sources.get(name)
        if isinstance(source, str) and Path(source).stem == name and Path(source).is_file():
            try:
                return PersonaCatalog([Path(source).parent]).get(name).population.kind
            except PersonaGenError:
                pass
        try:
            return self.catalog.get(name).population.kind
        except PersonaGenError:
            return None

    def for_record(self, record: dict[str, Any]) -> str | None:
        persona = record.get("persona")
        kind = self.of(persona) if isinstance(persona, str) and persona else None
        return kind or self.default


def _dataset_spec(
    profile: Profile, data_path: Path | None, manifest: dict[str, Any], url: str | None = None
) -> Any:
    """The profile's dataset the data came from: named by the manifest, written to a file of
    that name, or (a database URL) loaded into that database."""
    from persona_gen.sinks.database import same_database

    specs = profile.spec.datasets
    name = manifest.get("dataset")
    database = same_database(url) if url is not None else None
    table = _url_table(url) if url is not None else None
    loaded_there = [
        ds
        for ds in specs
        if database is not None and ds.sink and same_database(ds.sink) == database
    ]
    for i, ds in enumerate(specs):
        ds_name = ds.name or f"{profile.spec.name}_{ds.type}_{i + 1}"
        if name is not None and ds_name == name:
            return ds
        # (of several datasets loaded into one database, the one whose table is asked for)
        if ds in loaded_there and (
            not table or len(loaded_there) == 1 or _dataset_table(profile, ds) == table
        ):
            return ds
        output = ds.output or f"{ds_name}.{FORMATS.get(ds.format).extension}"
        if data_path is not None and Path(output).name == data_path.name:
            return ds
    return specs[0] if len(specs) == 1 else None


def _url_table(url: str) -> str | None:
    from persona_gen.sinks.database import parse_database_url

    try:
        return parse_database_url(url).table or None
    except UsageError:
        return None


def _dataset_table(profile: Profile, ds: Any) -> str:
    """The table a profile's dataset loads into: its sink's ``table`` option, else its
    entity's table."""
    from persona_gen.sinks.tables import table_name

    own = _url_table(ds.sink) if ds.sink else None
    if own:
        return own
    domain = profile.domain or builtin_domain("user")
    return table_name(profile.domain, domain.entity(ds.entity))


def _locate(data: Path | str) -> tuple[Path, str | None, DatabaseTarget | None]:
    """The file to read; for a ``sqlite:///PATH[?table=NAME]`` or
    ``postgresql://USER@HOST:PORT/DB[?table=NAME]`` URL, the table ("" for the entity's own);
    and for a PostgreSQL URL the server (its path is then a placeholder, never read)."""
    if isinstance(data, Path) or "://" not in data:
        return Path(data), None, None
    from persona_gen.sinks.database import parse_database_url

    target = parse_database_url(data)
    if target.path is None:
        return Path(), target.table or "", target
    return target.path, target.table or "", None


# The domains records may be of, by key ("profile", or a built-in population kind), each with
# the entity of records that do not say theirs.
Domains = dict[str, tuple[Domain, str]]


def _read_bound(
    path: Path | DatabaseTarget,
    fmt: str,
    generator: str,
    domains: Domains,
    table: str | None,
    kind: str,
    schema_file: Path | None,
    hint: str = "",
) -> tuple[list[dict[str, Any]], list[str | None] | None]:
    """The records of an Avro, Protobuf, SQL, SQLite or PostgreSQL dataset, as the other
    formats hold them: governed parts wrapped back into their records, table rows as file
    rows; and for an Avro file of several ``domains``, each record's (None: none of them).
    Tables and Protobuf messages are of the first domain; ``hint`` ends the error when the
    table is not in the database."""
    domain, entity = next(iter(domains.values()))
    if fmt in ("sql", "sqlite", SERVER_FORMAT):
        from persona_gen.sinks.tables import table_for

        spec = table_for(domain.entity(entity), domain, table or None)
        kinds = {c.name: c.kind for c in spec.columns}
        if not isinstance(path, Path):
            from persona_gen.runtime.readers_db import read_postgres

            return read_postgres(path, spec.name, kinds, hint), None
        if fmt == "sql":
            return read_sql(path, spec.name, kinds), None
        return read_sqlite(path, spec.name, kinds, hint), None
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

        cls = message_class(descriptor_set(schema_file), entity)
        return [as_record(m, generator, i) for i, m in enumerate(read_protobuf(path, cls))], None
    # Avro: several entities (a streaming union) are told apart by their record names.
    entities: dict[str, tuple[str | None, str]] = {}
    events: dict[str, dict[str, str]] = {}  # per domain: entity → its event type
    records, keys = [], []
    for i, (name, part) in enumerate(read_avro(path)):
        if name not in entities:
            entities[name] = _avro_entity(name, domains)
        key, ent = entities[name]
        keys.append(key)
        if key is None:
            records.append(as_record(part, generator, i))
            continue
        domain, entity = domains[key]
        record = as_record(drop_absent(part, domain.entity(ent).schema, domain), generator, i)
        if generator == "streaming" and ent != entity:
            if key not in events:
                events[key] = {e: ev for ev, e in reversed(domain.events.items())}
            if ent in events[key]:
                record["event_type"] = events[key][ent]
        records.append(record)
    return records, keys if len(domains) > 1 else None


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


def _labels(record: dict[str, Any], generator: str) -> tuple[bool, tuple[str, ...]]:
    """(expected valid, the rules the label says are broken)."""
    if generator == "file":
        valid = text_cell(record.get("_expected_valid"))
        raw = record.get("_violations") or ""
        rules = tuple(v.rsplit(":", 1)[-1] for v in str(raw).split(";") if v)
        return valid is not False, rules
    valid = text_cell(record.get("expected_valid"))
    if generator == "fault":
        rule = record.get("rule")
        return valid is not False, (str(rule),) if rule else ()
    violations = text_cell(record.get("violations")) or []
    rules = tuple(str(v.get("rule")) for v in violations if isinstance(v, dict) and v.get("rule"))
    return valid is not False, rules


def _unshowable(
    record: dict[str, Any],
    generator: str,
    rules: tuple[str, ...],
    text: bool,
    shape: FileRowShape | None,
    wire: bool = False,
) -> bool:
    """Whether the format cannot show the breaks a record's label names (``wire``: of an
    api body read from a form's or XML's text). Text cells (CSV)
    cannot tell a number from a numeric string, nor null from "" (``TEXT_UNDETECTABLE``);
    in a file row, a "" that breaks a const, minLength or pattern from an absent optional
    field (every column the label names is an empty cell). Nor can a table tell a removed
    field that may be null from a null (JSON rows leave such a field out), nor a form or
    XML body a value whose type a behaviour changed (``["a"]`` is written as ``"a"``)."""
    if text and rules and set(rules) <= TEXT_UNDETECTABLE:
        return True
    if wire and _type_changes_only(record):
        return True  # (a form or XML writes ["a"] as it writes "a", 42 as "42")
    if generator != "file" or shape is None:
        return False
    violations = str(record.get(VIOLATIONS_COLUMN) or "").split(";")
    columns = [v.rsplit(":", 1)[0] for v in violations if v]
    if not columns:
        return False
    if text and all(record.get(c) == "" for c in columns):
        return True
    # A table (Parquet, SQL) holds a removed field that may be null as null.
    return set(rules) == {"required"} and all(
        c in record and record[c] is None and (leaf := shape.leaves.get(c)) and leaf.schema.nullable
        for c in columns
    )


def _type_changes_only(record: dict[str, Any]) -> bool:
    """Whether every break an api record is labelled with changed a value's type."""
    violations = record.get("violations")
    changes = [v.get("change") for v in violations if isinstance(v, dict)] if violations else []
    return bool(changes) and all(c == "type_mismatch" for c in changes)


def _values_of(
    part: Any, record: dict[str, Any], generator: str, text: bool, domain: Domain, entity: str
) -> list[Any]:
    """The values of the entity a governed part holds: itself, or an api body's items."""
    if generator != "api":
        return [part]
    if (
        _batch_path(record, text)
        and isinstance(part, dict)
        and set(part) == {"items"}
        and isinstance(part["items"], list)
    ):
        items: list[Any] = part["items"]  # a batch POST (told by its path)
        return items
    if isinstance(part, list):  # a body the spec declares as an array of the entity
        found = domain.entities.get(entity)
        if found is None or deref(domain, found.schema).type != "array":
            return part
    return [part]


class _Unreadable(NamedTuple):
    """A body whose text is not what its media type says (a body cut short): it fails
    validation with this message, as a broken ``type``."""

    message: str


def _wire_values(
    part: Any, record: dict[str, Any], text: bool, domain: Domain, entity: str, op: Any
) -> tuple[Any, bool, str | None]:
    """An api request body read back from the media type it is sent as into the values it
    sends: ``(values, as text, why it is not validated)``. A form, as its fields typed by
    the schema (as text: like a CSV cell, a form cannot tell a number from a numeric string,
    nor null from ""); text, as the string it is (or the JSON value it holds); XML, read as
    ``bodies.to_xml`` writes it (as text, too); bytes (``body_encoding``) are not held to
    the schema, but a multipart form's (Base64 text of a form with file parts), read as a
    form, its file parts as bytes (see ``_files_read``); nor XML of a schema with unions.
    JSON as it is. A body of a string schema is text too: cut short, it is still a string
    (``truncated_json`` cannot show)."""
    request = text_cell(record.get("request")) if text else record.get("request")
    headers = request.get("headers") if isinstance(request, dict) else None
    content_type = headers.get("Content-Type") if isinstance(headers, dict) else None
    base = base_type(content_type) if isinstance(content_type, str) else ""
    kind = media_kind(content_type) if is_media_type(base) else "json"
    encoded = isinstance(request, dict) and request.get("body_encoding") is not None
    if (encoded and kind != "form") or kind == "binary":
        return part, False, f"a binary body ({base or 'bytes'}) is not held to a JSON schema"
    if not isinstance(part, str) or entity not in domain.entities:
        return part, False, None
    schema = domain.entities[entity].schema
    sent: str | bytes = part
    if encoded:  # (a multipart form with file parts: bytes, as Base64 text)
        try:
            sent = base64.b64decode(part, validate=True)
        except (binascii.Error, ValueError):
            unread = "$: the body is not the Base64 text its body_encoding says"
            return _Unreadable(unread), True, None
    if kind in ("json", "text"):
        found = deref(domain, schema)
        values = from_text(part, schema, domain) if kind == "text" else part
        return values, found.type == "string", None
    if kind == "form":
        if deref(domain, schema).type != "object":
            return (
                part,
                False,
                f"a form of {entity}, which is no one object (a union), is not read back",
            )
        encoding = op.request_encoding if op is not None else ()
        values = decode(sent, str(content_type), schema, domain, encoding)
        return (part if isinstance(values, bytes) else values), True, None
    why = xml_unreadable(schema, domain)
    if why is not None:
        return part, False, f"an XML body of {entity} is not read back: {why}"
    if op is not None and op.request_shape == "array":
        schema = Schema("array", items=Schema("ref", ref=entity))
    try:
        return from_xml(part, schema, domain), True, None
    except ValueError as exc:
        return _Unreadable(f"$: {exc}"), True, None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_dataset(  # noqa: PLR0915 - one linear pass: locate, read, resolve, check
    data_path: Path | str,
    profile: Profile,
    *,
    fmt: str | None = None,
    schema_path: Path | None = None,
    generator: str | None = None,
    catalog: PersonaCatalog | None = None,
    max_listed: int = MAX_LISTED,
) -> CheckReport:
    """Validate the dataset ``data_path`` (a file, a ``sqlite:///PATH`` database or a
    ``postgresql://USER@HOST:PORT/DB`` one) against ``profile``'s source schema."""
    url = data_path if isinstance(data_path, str) and "://" in data_path else None
    data_path, url_table, server = _locate(data_path)
    if fmt is not None:
        fmt = ALIASES.get(fmt.lower(), fmt.lower())
    suffix = data_path.suffix[1:].lower()
    database = url_table is not None or (fmt or ALIASES.get(suffix, suffix)) == "sqlite"
    manifest = _manifest(data_path, database, url_table) if server is None else {}
    if server is not None:
        if fmt not in (None, SERVER_FORMAT):
            raise UsageError(f"{server}: a PostgreSQL table is read as such; drop --format {fmt}")
        fmt = SERVER_FORMAT
    elif fmt == SERVER_FORMAT:
        raise UsageError(
            f"{data_path}: --format {fmt} reads a table on a server: give its URL "
            "(postgresql://USER@HOST:PORT/DB[?table=NAME]) instead of a file"
        )
    if fmt is None and url_table is not None:
        fmt = "sqlite"
    fmt = fmt or manifest.get("format") or data_path.suffix.lstrip(".").lower() or "json"
    fmt = ALIASES.get(fmt, fmt)
    if fmt not in (*CHECK_FORMATS, SERVER_FORMAT):
        raise UsageError(
            f"{data_path}: cannot check '{fmt}' files ({', '.join(CHECK_FORMATS[:-1])} or "
            f"{CHECK_FORMATS[-1]}; give --format)"
        )
    spec = _dataset_spec(profile, None if server else data_path, manifest, url)
    source = profile.spec.source
    warnings = _provenance(manifest, profile, data_path)
    schema_file = find_schema_file(profile, schema_path)
    if source is not None:
        kind = source.format
        if schema_file is None:
            warnings.append(
                f"schema file '{source.file}' not found beside {profile.path} or in ../schemas/: "
                "checked against the profile's embedded entity (as JSON Schema) instead"
            )
            kind = "embedded"
        elif _sha256(schema_file) != source.sha256:
            warnings.append(
                f"{schema_file} has changed since the profile was imported (sha256 "
                f"{_sha256(schema_file)[:12]}… ≠ {source.sha256[:12]}…): checking against the "
                "file as it is now"
            )
    else:  # (the entities a profile writes itself, else the built-in ones)
        kind = "profile" if profile.domain is not None else "builtin"
        if schema_file is not None:  # (--schema: it would be ignored, and "OK" mislead)
            held = "its own entities" if kind == "profile" else "the built-in domain"
            raise UsageError(
                f"--schema {schema_file}: {profile.path} was not imported from a schema, so "
                f"its data is checked against {held}; drop --schema, or import the schema "
                f"(persona-gen import-schema {schema_file} -o PROFILE) and check data "
                "generated from that profile"
            )
    domain = profile.domain
    default_entity = (spec.entity if spec is not None else None) or (
        source.entity if source is not None else None
    )
    if domain is not None:
        default_entity = default_entity or domain.primary
    personas = _PersonaKinds(catalog or PersonaCatalog(), manifest, spec, profile)
    text = False
    if fmt in ("sql", "sqlite", SERVER_FORMAT):
        generator = "file"  # table rows
    else:
        generator = generator or manifest.get("generator") or (spec.type if spec else None)
    records: list[dict[str, Any]] = []
    unread = fmt not in READ_FORMATS  # (table rows of a built-in entity whose table is unknown)
    record_kinds: list[str | None] | None = None  # (of an Avro file of several built-in kinds)
    untold = None  # why the entity of records without a persona cannot be told
    if domain is None and personas.default is None:
        untold = personas.why
    if fmt in READ_FORMATS:
        records, text = read_dataset(data_path, fmt)
        generator = generator or (detect_generator(records[0]) if records else None)
    elif untold is None or (fmt == "avro" and personas.candidates):
        generator = generator or "streaming"
        unread = False
        if domain is not None:
            domains = {"profile": (domain, default_entity or domain.primary)}
        else:  # (an Avro file tells its records' entities by their record names)
            kinds = personas.candidates if fmt == "avro" else [personas.default or ""]
            domains = {k: (builtin_domain(k), builtin_domain(k).primary) for k in kinds}
        where = server if server is not None else data_path
        table, hint = url_table, ""
        if fmt in ("sqlite", SERVER_FORMAT):
            database_url = str(server) if server is not None else f"sqlite:///{data_path}"
            table, hint = _table_to_read(url_table, manifest, spec, database_url)
        records, record_kinds = _read_bound(
            where, fmt, generator, domains, table, kind, schema_file, hint
        )
        if manifest.get("expected_invalid") and fmt in ("avro", "protobuf"):
            warnings.append(
                f"{manifest['expected_invalid']} records were labelled invalid when generated, "
                f"but {fmt} keeps no labels: every record here is held to the schema"
            )
    report = CheckReport(
        data=str(server if server is not None else data_path),
        fmt=fmt,
        generator=generator or "unknown",
        schema_format=kind,
        schema=str(schema_file or profile.path) if schema_file or kind == "profile" else None,
        entity=default_entity,
        profile=str(profile.path),
        records=len(records),
        warnings=warnings,
    )
    unusable = untold if unread else _nothing_to_check(records, generator, fmt, manifest)
    if unusable is not None:
        report.validatable = False
        report.warnings.append(unusable)
        return report
    assert generator is not None  # (else unusable)
    checker = Checker(kind, schema_file, domain, source.dialect if source else None, generator)
    resolvers: dict[str, Resolved] = {}

    def resolver(record: dict[str, Any], position: int) -> Resolved | None:
        if domain is not None:
            key: str | None = "profile"
        elif record_kinds is not None:
            key = record_kinds[position]
        else:
            key = personas.for_record(record)
        if key is None:
            return None
        if key not in resolvers:
            dom = domain if domain is not None else builtin_domain(key)
            ent = default_entity if domain is not None and default_entity else dom.primary
            shape = FileRowShape(dom, ent) if generator == "file" else None
            resolvers[key] = (dom, _Entities(dom, ent), shape)
        return resolvers[key]

    seen: dict[tuple[str, tuple[str, ...]], dict[str, int]] = {}
    cut = fmt == "csv" and bool(records) and not _ends_a_line(data_path)
    try:
        for position, record in enumerate(records):
            malformed = _malformed(record, generator, text)
            if cut and position == len(records) - 1:
                malformed = malformed or "the file ends in this row, without a line break"
            if malformed:  # (its cells are not what was written: not validated)
                report.add_problem(RecordProblem(position, "malformed", malformed), max_listed)
                continue
            _check_one(report, record, position, generator, text, resolver, checker, max_listed)
            if generator in ("file", "streaming"):
                _repeated_keys(
                    report, record, position, generator, text, resolver, seen, max_listed
                )
    finally:
        checker.close()
    report.warnings.extend(checker.warnings())
    if not database and server is None:
        _count_against_manifest(report, manifest, len(records), max_listed)
    for why, n in sorted(report.not_validated.items()):
        report.warnings.append(f"{n} request bodies were not validated: {why}")
    if report.unresolved:
        report.validatable = False
        report.warnings.append(
            f"{report.unresolved} of the {len(records)} records were not checked: "
            + (untold or "their Avro record names are not entities of the built-in domain")
        )
    elif report.checked == 0:
        report.validatable = False
        why = " (only POST and PUT requests with a body are)" if generator == "api" else ""
        report.warnings.append(
            f"nothing was checked: the schema governs no part of any of the {len(records)} "
            f"records{why}"
        )
    if domain is None:
        kinds = sorted(resolvers)
        report.entity = (
            ", ".join(f"{k}: {builtin_domain(k).primary}" for k in kinds) or report.entity
        )
    return report


def _repeated_keys(
    report: CheckReport,
    record: dict[str, Any],
    position: int,
    generator: str,
    text: bool,
    resolver: Callable[[dict[str, Any], int], Resolved | None],
    seen: dict[tuple[str, tuple[str, ...]], dict[str, int]],
    limit: int,
) -> None:
    """A problem for a file row or streaming payload whose primary key or UNIQUE key repeats
    an earlier one's (``seen``: each key's values so far; a key with a NULL or missing
    column never clashes). A re-sent event (``duplicate: true``) repeats its payload on
    purpose and is left out; so are payloads read without their envelope (Avro, Protobuf),
    which cannot tell a re-send."""
    if generator == "streaming":
        resent = text_cell(record.get("duplicate")) if text else record.get("duplicate")
        if "duplicate" not in record or resent is not False:
            return
    resolved = resolver(record, position)
    if resolved is None:
        return
    dom, entities, shape = resolved
    governed, part = schema_part(record, generator, shape, text)
    if not governed or not isinstance(part, dict):
        return
    entity = dom.entity(entities.of(record, generator, text))
    keys = [tuple(entity.primary_key)] if entity.primary_key else []
    for cols in [*keys, *map(tuple, entity.unique)]:
        values = [part.get(c) for c in cols]
        if any(v is None or v == "" for v in values):
            continue
        value = json.dumps(values, sort_keys=True, default=str)
        first = seen.setdefault((entity.name, cols), {}).setdefault(value, position)
        if first != position:
            shown = ", ".join(f"{c}={v!r}" for c, v in zip(cols, values, strict=True))
            report.add_problem(
                RecordProblem(
                    position, "duplicate", f"unique key ({shown}) repeats record {first}'s"
                ),
                limit,
            )


def _ends_a_line(path: Path) -> bool:
    """Whether a file ends with a line break, as every file the CSV writer finishes does."""
    with path.open("rb") as f:
        f.seek(-1, 2)
        return f.read(1) in (b"\n", b"\r")


def _malformed(record: dict[str, Any], generator: str, text: bool) -> str | None:
    """Why a record is not one persona-gen wrote: a CSV row with more or fewer cells than
    the header (csv.DictReader keeps extra cells under None and fills missing ones with
    None), or a label that is not a boolean (``yes`` would count as valid)."""
    extra: Any = record.get(None)  # type: ignore[call-overload]
    if text and extra is not None:
        return f"{len(extra)} more cells than the header"
    missing = [str(k) for k, v in record.items() if v is None] if text else []
    if missing:
        return f"fewer cells than the header (none for {', '.join(missing[:3])})"
    label = "_expected_valid" if generator == "file" else "expected_valid"
    value = record.get(label)
    if label in record and not isinstance(text_cell(value) if text else value, bool):
        return f"{label} is {str(value)[:40]!r}, not true or false"
    return None


def _nothing_to_check(
    records: list[dict[str, Any]],
    generator: str | None,
    fmt: str,
    manifest: dict[str, Any],
) -> str | None:
    """Why none of ``records`` can be checked (None: they can): there are none, they are not
    persona-gen records, or they are a load schedule."""
    if not records:
        made_as = manifest.get("format")
        if made_as and made_as != fmt:
            return (
                f"no records were read as {fmt}, and its manifest says the data is {made_as} "
                f"(give --format {made_as}, or no --format): nothing was checked"
            )
        return f"no records were read (as {fmt}): nothing was checked"
    if generator is None:
        known = "; ".join(
            f"{name}: {' and '.join(fields)}" for name, fields in GENERATOR_FIELDS.items()
        )
        return (
            "the records are not recognised as persona-gen output: the first has none of the "
            f"fields that tell them apart ({known}; file rows: {' or '.join(LABEL_COLUMNS)}): "
            "nothing was checked"
        )
    if generator not in ("api", "streaming", "file", "fault"):
        return (
            f"{generator} records carry no schema-governed payload (load schedules say when "
            "and how much, not what): nothing to validate"
        )
    return None


def _batch_path(record: dict[str, Any], text: bool) -> bool:
    """Whether ``record`` is a batch POST (CSV: its request is a cell of JSON text)."""
    request = text_cell(record.get("request")) if text else record.get("request")
    path = request.get("path") if isinstance(request, dict) else None
    return isinstance(path, str) and path.split("?", 1)[0].endswith("/batch")


def _issues(
    record: dict[str, Any],
    part: Any,
    generator: str,
    text: bool,
    dom: Domain,
    entities: _Entities,
    checker: Checker,
) -> tuple[list[Issue], bool] | str:
    """What the validator says of a record's governed part, and whether it was read from
    text that cannot tell a number from a numeric string (a form, XML); or why the part is
    not validated (an api body of bytes)."""
    entity = entities.of(record, generator, text)
    form = False
    if generator == "api":
        op = entities.operation(record, generator, text)
        part, form, why = _wire_values(part, record, text, dom, entity, op)
        if why is not None:
            return why
    if isinstance(part, _Unreadable):
        return [Issue("type", part.message)], form
    validate = checker.for_entity(entity, dom)
    part, files = _files_read(part)
    values = _values_of(part, record, generator, text, dom, entity)
    found = [i for p in values for i in validate(p)]
    return [i for i in found if not any(i.at[: len(f)] == f for f in files)], form


def _files_read(body: Any) -> tuple[Any, list[tuple[str | int, ...]]]:
    """A form's values with each file part (bytes) as the Base64 text of its bytes, and
    where those parts are. A file part stands for a value of its field, which the bytes of
    a file of its type do not show (a PNG of the bytes drawn is larger than they are): it
    is held to no rule of its field but being there, so nothing is checked at its place."""
    if not isinstance(body, dict):
        return body, []
    out: dict[str, Any] = {}
    places: list[tuple[str | int, ...]] = []
    for key, value in body.items():
        if isinstance(value, bytes):
            out[key] = base64_text(value)
            places.append((key,))
        elif isinstance(value, list):  # (an array field: a part per item)
            out[key] = [base64_text(x) if isinstance(x, bytes) else x for x in value]
            places += [(key, k) for k, x in enumerate(value) if isinstance(x, bytes)]
        else:
            out[key] = value
    return (out, places) if places else (body, [])


def _check_one(
    report: CheckReport,
    record: dict[str, Any],
    position: int,
    generator: str,
    text: bool,
    resolver: Callable[[dict[str, Any], int], Resolved | None],
    checker: Checker,
    limit: int,
) -> None:
    index = position
    if generator == "fault":
        raw_index = text_cell(record.get("index"))
        index = raw_index if isinstance(raw_index, int) else position
    resolved = resolver(record, position)
    if resolved is None:  # the entity cannot be told
        report.unresolved += 1
        return
    dom, entities, shape = resolved
    governed, part = schema_part(record, generator, shape, text)
    if not governed:
        report.skipped += 1
        return
    found = _issues(record, part, generator, text, dom, entities, checker)
    if isinstance(found, str):  # (why the part is not validated)
        report.skipped += 1
        report.not_validated[found] += 1
        return
    issues, form = found
    expected_valid, label_rules = _labels(record, generator)
    if generator == "fault" and index == 0 and not expected_valid:
        report.add_problem(
            RecordProblem(index, "baseline", "record 0 is not labelled valid"), limit
        )
    report.checked += 1
    rules = tuple(dict.fromkeys(i.rule for i in issues))
    reason = "; ".join(dict.fromkeys(i.message for i in issues))[:500]
    if issues:
        report.failed += 1
        report.by_rule.update(rules)
        if len(report.failures) < limit:
            report.failures.append(
                RecordProblem(
                    index,
                    "failed" if not expected_valid else "invalid",
                    reason,
                    label_rules[0] if label_rules else None,
                    rules,
                )
            )
    else:
        report.passed += 1
    if expected_valid:
        if issues:
            kind = "baseline-invalid" if generator == "fault" and index == 0 else "invalid"
            report.add_problem(
                RecordProblem(index, kind, f"labelled valid but fails: {reason}", None, rules),
                limit,
            )
        return
    report.labelled_invalid += 1
    label = label_rules[0] if label_rules else None
    json_family = checker.kind in JSON_FAMILY
    if not issues:
        if _unshowable(record, generator, label_rules, text or form, shape, form):
            report.undetected.update(label_rules)  # the format cannot show such breaks
            return
        enforced = ENFORCED.get(checker.kind)
        if not json_family and enforced is not None and not (set(label_rules) & enforced):
            report.undetected.update(label_rules or ("unknown",))
            return
        report.add_problem(
            RecordProblem(
                index,
                "undetected-break",
                f"labelled invalid ({', '.join(label_rules) or 'no rule'}) but passes",
                label,
            ),
            limit,
        )
        return
    if generator == "fault" and json_family and label is not None:
        accepted = RULE_ALIASES.get(label, frozenset({label}))
        if not accepted & set(rules):
            report.add_problem(
                RecordProblem(
                    index,
                    "wrong-rule",
                    f"labelled '{label}' but fails on {', '.join(rules)}: {reason}",
                    label,
                    rules,
                ),
                limit,
            )
            return
    report.failed_as_labelled += 1
