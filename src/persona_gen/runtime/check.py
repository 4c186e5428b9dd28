"""check: validate a generated dataset against its profile's SOURCE schema, with that format's
own validator, and hold the records to their labels.

The schema file named by the profile's ``source`` is looked up from the profile's folder (the
path import-schema writes), then by its name beside the profile, in ``../schemas/`` and
``./schemas/`` (or given explicitly); a file whose sha256 differs from the
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

This module runs the check; its parts: ``check_source`` (where the data, its manifest, its
dataset and its schema are), ``check_read`` (formats holding parts or rows),
``check_entities`` (which entity a record is), ``check_bodies`` (api request bodies as sent),
``check_replies`` (api success replies, held to their reply entity),
``check_verdicts`` (one record against its label), ``check_validators`` (a validator per
schema format) and ``check_report`` (what was found).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from persona_gen.entities.builtin import builtin_domain
from persona_gen.errors import UsageError
from persona_gen.generators.file import LABEL_COLUMNS
from persona_gen.personas.loader import PersonaCatalog
from persona_gen.profiles.loader import Profile
from persona_gen.runtime.check_entities import Entities, PersonaKinds, Resolved
from persona_gen.runtime.check_read import ALIASES, CHECK_FORMATS, SERVER_FORMAT, read_bound
from persona_gen.runtime.check_replies import REPLY_KINDS, check_reply
from persona_gen.runtime.check_report import MAX_LISTED, CheckReport, RecordProblem
from persona_gen.runtime.check_source import (
    count_against_manifest,
    dataset_spec,
    find_schema_file,
    locate,
    proto_paths,
    provenance,
    read_manifest,
    schema_not_found,
    sha256_of,
    table_to_read,
)
from persona_gen.runtime.check_validators import Checker, Issue
from persona_gen.runtime.check_verdicts import check_one, malformed_reason, repeated_keys
from persona_gen.runtime.records import (
    GENERATOR_FIELDS,
    READ_FORMATS,
    FileRowShape,
    detect_generator,
    read_dataset,
)

__all__ = [
    "CheckReport",
    "Issue",
    "RecordProblem",
    "check_dataset",
    "find_schema_file",
    "schema_not_found",
]


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
    data_path, url_table, server = locate(data_path)
    if fmt is not None:
        fmt = ALIASES.get(fmt.lower(), fmt.lower())
    suffix = data_path.suffix[1:].lower()
    database = url_table is not None or (fmt or ALIASES.get(suffix, suffix)) == "sqlite"
    manifest = read_manifest(data_path, database, url_table) if server is None else {}
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
    spec = dataset_spec(profile, None if server else data_path, manifest, url)
    source = profile.spec.source
    warnings = provenance(manifest, profile, data_path)
    schema_file = find_schema_file(profile, schema_path)
    if source is not None:
        kind = source.format
        if schema_file is None:
            warnings.append(
                f"schema file '{source.file}' not found "
                f"{schema_not_found(profile.path, source.file)}: checked against the "
                "profile's embedded entity (as JSON Schema) instead"
            )
            kind = "embedded"
        elif sha256_of(schema_file) != source.sha256:
            warnings.append(
                f"{schema_file} has changed since the profile was imported (sha256 "
                f"{sha256_of(schema_file)[:12]}… ≠ {source.sha256[:12]}…): checking against the "
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
    personas = PersonaKinds(catalog or PersonaCatalog(), manifest, spec, profile)
    text = False
    if fmt in ("sql", "sqlite", SERVER_FORMAT):
        generator = "file"  # table rows
    else:
        generator = generator or manifest.get("generator") or (spec.type if spec else None)
    records: list[dict[str, Any]] = []
    unread = fmt not in READ_FORMATS  # (table rows of a built-in entity whose table is unknown)
    record_kinds: list[str | None] | None = None  # (of an Avro file of several built-in kinds)
    reread: Callable[[int], dict[str, Any] | None] | None = None  # (see Bound.reread)
    untold = None  # why the entity of records without a persona cannot be told
    table_read: str | None = None  # the table whose rows were read (SQL, SQLite, PostgreSQL)
    database_url: str | None = None  # its database, as a URL without a password
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
            own_sink = profile.sink_of(spec) if spec is not None else None
            table, hint = table_to_read(url_table, manifest, own_sink, database_url)
        bound = read_bound(
            where, fmt, generator, domains, table, kind, schema_file, hint, proto_paths(profile)
        )
        records, record_kinds, table_read = bound.records, bound.kinds, bound.table
        reread = bound.reread
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
        database=database_url,
        table=table_read,
    )
    unusable = untold if unread else _nothing_to_check(records, generator, fmt, manifest)
    if unusable is not None:
        report.validatable = False
        report.warnings.append(unusable)
        if generator == "load" and records and not database and server is None:
            # A schedule holds nothing to validate, but one cut short is still not the one
            # that was written (a truncated copy, a run that stopped part-way).
            if fmt == "csv" and not _ends_a_line(data_path):
                cut_row = "the file ends in this row, without a line break"
                report.add_problem(
                    RecordProblem(len(records) - 1, "malformed", cut_row), max_listed
                )
            count_against_manifest(report, manifest, len(records), max_listed)
        return report
    assert generator is not None  # (else unusable)
    dialect = source.dialect if source else None
    checker = Checker(kind, schema_file, domain, dialect, generator, proto_paths(profile))
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
            resolvers[key] = (dom, Entities(dom, ent), shape)
        return resolvers[key]

    seen: dict[tuple[str, tuple[str, ...]], dict[str, int]] = {}
    cut = fmt == "csv" and bool(records) and not _ends_a_line(data_path)
    not_read = 0  # (records found malformed or too deep, so not validated)
    try:
        for position, record in enumerate(records):
            malformed = malformed_reason(record, generator, text)
            if cut and position == len(records) - 1:
                malformed = malformed or "the file ends in this row, without a line break"
            if malformed:  # (its cells are not what was written: not validated)
                not_read += 1
                report.add_problem(RecordProblem(position, "malformed", malformed), max_listed)
                continue
            other = partial(reread, position) if reread is not None else None
            try:
                check_one(
                    report, record, position, generator, text, resolver, checker, max_listed, other
                )
                if generator == "api":
                    check_reply(report, record, position, text, resolver, checker, max_listed)
                if generator in ("file", "streaming"):
                    repeated_keys(
                        report, record, position, generator, text, resolver, seen, max_listed
                    )
            except RecursionError:  # (a hand-written record: the validators recurse per level)
                why = f"nested {_depth(record)} levels deep, too deep to validate"
                not_read += 1
                report.add_problem(RecordProblem(position, "malformed", why), max_listed)
    finally:
        checker.close()
    report.warnings.extend(checker.warnings())
    if not database and server is None:
        count_against_manifest(report, manifest, len(records), max_listed)
    sent = report.read_only_warning()
    if sent is not None:
        report.warnings.append(sent)
    for why, n in sorted(report.not_validated.items()):
        report.warnings.append(f"{n} request bodies were not validated: {why}")
    if report.unresolved:
        report.validatable = False
        report.warnings.append(
            f"{report.unresolved} of the {len(records)} records were not checked: "
            + (untold or "their Avro record names are not entities of the built-in domain")
        )
    elif (
        report.checked == 0 and report.replies_checked == 0 and records and not_read == len(records)
    ):
        report.validatable = False
        report.warnings.append(
            f"nothing was checked: none of the {len(records)} records could be (see problems)"
        )
    elif report.checked == 0 and report.replies_checked == 0:
        report.validatable = False
        why = ""
        if generator == "api":
            replies = ", and JSON success replies" if kind in REPLY_KINDS else ""
            why = f" (only POST and PUT requests with a body are{replies})"
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


def _ends_a_line(path: Path) -> bool:
    """Whether a file ends with a line break, as every file the CSV writer finishes does
    (in the file's encoding: UTF-16's is two bytes)."""
    from persona_gen.runtime.records import csv_encoding

    with path.open("rb") as f:
        head = f.read(4)
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 8))
        tail = f.read()
    name = codecs.lookup(csv_encoding(path, head) or "utf-8").name
    width = {"utf-16": 16, "utf-32": 32}.get(name[:6])
    if width is None:  # (one byte, in every encoding a CSV file is written in)
        return tail.endswith((b"\n", b"\r"))
    return tail.endswith(tuple(c.encode(f"utf-{width}-{o}") for c in "\n\r" for o in ("le", "be")))


def _depth(value: Any) -> int:
    """How many objects and arrays deep ``value`` nests (without recursing itself)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest
