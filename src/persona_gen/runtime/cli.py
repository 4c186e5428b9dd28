"""The ``persona-gen`` command line: with ``runtime/commands.py``, the only module that imports
Click.

Data goes to stdout, everything else (logs, seeds, summaries, progress) to stderr. A
``PersonaGenError`` is printed as one clear message with exit code 1; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click

from persona_gen._console import INTERRUPTED
from persona_gen.errors import PersonaGenError, PluginError, SinkError, UsageError
from persona_gen.runtime.commands import Argument, Option, PathType, SignatureCommand, command
from persona_gen.runtime.options import (
    check_data_file,
    check_database_options,
    check_destinations,
    check_pacing,
    check_shape,
    dir_option,
    ensure_shared_manifests_writable,
    file_option,
    format_for,
    pacer,
    parse_count,
    parse_seed,
    parse_start,
    parse_workers,
    refuse_manifest_over_data,
    refuse_manifests_over_data,
    refuse_outputs_over_inputs,
    refuse_report_over_inputs,
    sink_file,
)

if TYPE_CHECKING:
    from persona_gen.entities.model import Domain, Schema
    from persona_gen.profiles.loader import Profile
    from persona_gen.runtime.generate import PlannedDataset, Prepared


class _OnceCommand(SignatureCommand):
    """A command whose single-value options may be given once: ``-n 5 -n 10`` took the last
    value silently (a script's default and a typed value, a typo), and is now a usage error
    (exit 2), as an unknown option is. Options meant to repeat (``-p DIR``…) and flags are
    not counted."""

    def make_parser(self, ctx: Any) -> Any:
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_once(args: list[str]) -> Any:
            opts, rest, order = parse(args=args)
            if not any(getattr(param, "is_eager", False) for param in order):  # (-h wins)
                _refuse_repeated(ctx, order)
                _refuse_empty_paths(opts, order)
            return opts, rest, order

        parser.parse_args = parse_once  # type: ignore[method-assign]
        return parser


def _refuse_empty_paths(opts: dict[str, Any], order: list[Any]) -> None:
    """An empty file or folder argument (``generate "$PROFILE"`` with it unset) was taken as
    the current directory, as ``Path("")`` is, and said to be one ('.: is a directory')."""
    for param in order:
        if not _names_a_path(param) or param.name not in opts:
            continue
        given = opts[param.name]
        if "" in (given if isinstance(given, list | tuple) else [given]):
            where = "/".join(param.opts) + ": " if param.param_type_name == "option" else ""
            raise UsageError(f"{where}'': an empty path, expected a file or folder name")


def _names_a_path(param: Any) -> bool:
    """Whether a parameter's values are paths (``Path``, ``Path | None``, ``list[Path]``)."""
    return isinstance(param.type, PathType)


def _refuse_repeated(ctx: Any, order: list[Any]) -> None:
    """A usage error for the first single-value option ``order`` (the options as given, one
    entry each time) holds more than once."""
    seen: set[int] = set()
    for param in order:
        if param.param_type_name != "option" or param.multiple or param.count or param.is_flag:
            continue
        if id(param) in seen:
            names = " / ".join(f"'{name}'" for name in param.opts)
            ctx.fail(f"Option {names} was given more than once; it takes one value.")
        seen.add(id(param))


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        from persona_gen import __version__

        print(f"persona-gen {__version__}")
        ctx.exit()


class _Commands(click.Group):
    """The commands, listed in the order they are defined (the order a reader meets them)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


app = _Commands(
    name="persona-gen",
    help="Generate behaviour-driven, reproducible test data from declarative personas.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    params=[
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_print_version,
            help="Print the version and exit (data are the same within a minor version).",
        )
    ],
)


CreateTables = Annotated[
    bool, Option("--create-tables", help="With a database sink: create the tables.")
]
IncludeInvalid = Annotated[
    bool,
    Option(
        "--include-invalid",
        help="With a database sink: also load rows "
        "labelled invalid (the database rejects them; nothing is kept).",
    ),
]
Rate = Annotated[
    str | None,
    Option("--rate", help="With --sink: send at this rate (500/s, 6000/min)."),
]
Realtime = Annotated[
    bool,
    Option(
        "--realtime",
        help="With --sink: send when the records' own times say "
        "(bursts, gaps and late deliveries in wall-clock time).",
    ),
]
Speed = Annotated[
    float, Option("--speed", help="With --realtime: play time this many times faster.")
]
Duration = Annotated[
    float | None,
    Option("--duration", help="With --sink: stop after this many seconds."),
]
Start = Annotated[
    str | None,
    Option(
        "--start",
        help="Reference time of the records: 'now', a date or an ISO 8601 time, UTC unless "
        "it gives an offset (default: a moment of 2025 derived from the seed).",
    ),
]
PersonaDirs = Annotated[
    list[Path] | None,
    Option(
        "-p",
        "--personas",
        help="Directory of persona YAML files (adds to and overrides the built-ins); repeatable.",
    ),
]


def _stderr_console() -> Any:
    from rich.console import Console

    # (markup off: check messages quote patterns such as ^[a-z]+$, which Rich took for tags)
    return Console(
        stderr=True, markup=False, highlight=False, width=None if sys.stderr.isatty() else 160
    )


def _field_count(domain: Domain, schema: Schema) -> str:
    """An entity's fields as `--list-entities` counts them: those of a union's variants
    together (an imported oneOf or conditional), said as such, rather than 0."""
    if schema.type != "union":
        return str(len(schema.fields))
    from persona_gen.entities.model import deref, flat_variants

    variants = [deref(domain, v) for v in flat_variants(domain, schema)]
    names = {f.name for v in variants for f in v.fields}
    return f"{len(names)} in {len(variants)} variants"


AsJson = Annotated[
    bool,
    Option("--json", help="Print a JSON array of objects (one per row) instead of a table."),
]


def _print_listing(
    title: str, columns: dict[str, str], rows: list[dict[str, Any]], as_json: bool
) -> None:
    """``rows`` (keyed by ``columns``' keys) as a table titled ``title``, whose headers are
    ``columns``' values; or, for scripts, as JSON: a table's text is for reading (its widths
    and folds depend on the terminal), not for parsing."""
    if as_json:
        import json

        from persona_gen._json import json_safe

        # (a path's bytes that are not UTF-8 are written as \xff, as manifests do)
        sys.stdout.write(json.dumps(json_safe(rows), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    from rich.table import Table

    table = Table(title=title)
    for key, header in columns.items():
        # (a path folds onto the next line rather than end in '…': a log keeps all of it)
        table.add_column(header, overflow="fold" if key == "source" else "ellipsis")
    for row in rows:
        table.add_row(*(_cell(row[key]) for key in columns))
    _stdout_console().print(table)


def _cell(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def _stdout_console() -> Any:
    from rich.console import Console

    # Piped output has no terminal width; keep names on one line rather than wrap at 80.
    return Console(markup=False, highlight=False, width=None if sys.stdout.isatty() else 200)


def _catalog(dirs: list[Path] | None) -> Any:
    from persona_gen.personas.loader import PersonaCatalog

    return PersonaCatalog(dirs or [])


def _profile_to_run(file: Path, catalog: Any, sinks: bool = True) -> Any:
    """The profile ``file``, refused before anything runs where a file or folder it names
    is missing (each said at its line; ``sinks``: those its sinks read too)."""
    from persona_gen.profiles.loader import load_profile
    from persona_gen.runtime.profile_paths import refuse_missing_paths

    profile = load_profile(file, catalog)
    refuse_missing_paths(profile, sinks)
    return profile


def _refuse_not_yaml(output: Path, why: str) -> None:
    """``init-*`` writes commented YAML: into ``x.json`` it made a file no JSON reader
    takes (and a persona no ``-p`` folder finds)."""
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError(
            f"-o/--output: {why}; name the file '{output.stem}.yaml' (got '{output.name}')"
        )


def _check_profile_name(name: str) -> None:
    """A profile's name as its format allows."""
    from persona_gen.profiles.model import NAME

    if not re.match(NAME, name):
        raise UsageError(f"-n/--name: '{name}' may use letters, digits, '_', '.', '-'")


def _say_notes(notes: Iterable[str]) -> None:
    for note in notes:
        print(f"persona-gen: note: {note}", file=sys.stderr)


def _say_about_run(planned: list[PlannedDataset], profile: Profile, sink: str | None) -> None:
    """What ``generate`` says before it writes: its notes, and the profile's warnings, which
    are about the files its datasets write (none when ``--sink`` sends every one elsewhere)."""
    from persona_gen.runtime.generate import crud_notes

    _say_notes(crud_notes(planned, profile))
    for problem in profile.warnings if sink is None else ():
        print(f"persona-gen: warning: {problem}", file=sys.stderr)


@contextlib.contextmanager
def _naming(option: str) -> Iterator[None]:
    """An output error about the path ``option`` was given, said as that option's
    (``--report x.csv/r.json: cannot write: 'x.csv' is a file, not a directory``)."""
    from persona_gen.errors import OutputError

    try:
        yield
    except OutputError as exc:
        raise OutputError(f"{option} {exc}") from None


def _fresh_seed() -> int:
    from persona_gen.seeds import fresh_seed

    return fresh_seed()


def _is_now(start: str | None) -> bool:
    return start is not None and start.strip().lower() == "now"


def _say_now(used: int | None) -> None:
    """The moment a ``--start now`` (or ``start: now``) stood for, said once the run goes
    ahead, so it can be replayed."""
    if used is not None:
        from persona_gen.reference_time import iso_ms

        at = iso_ms(used)
        print(f"persona-gen: start now is {at} (pass --start {at} to replay)", file=sys.stderr)


def _say_seed(given: int | None, used: int) -> None:
    """The seed drawn for a run without one, said once the run goes ahead (a refused run
    gets its one error line alone)."""
    if given is None:
        print(
            f"persona-gen: no --seed given; using seed {used} (pass -s {used} to replay)",
            file=sys.stderr,
        )


@command(app, "list-personas", _OnceCommand)
def list_personas(personas: PersonaDirs = None, as_json: AsJson = False) -> None:
    """List the personas available (built-in and from -p directories); the ones that cannot
    be loaded are said on stderr, after the others are listed, and the exit code is 1."""
    from persona_gen.errors import FileError

    catalog = _catalog(personas)
    rows, broken = [], []
    for name in catalog.names():
        try:
            persona = catalog.get(name)
        except PersonaGenError as exc:
            broken.append(f"{name}: {_first_problem(exc, catalog.path(name))}")
            continue
        rows.append(
            {
                "name": persona.name,
                "version": persona.version,
                "description": persona.description,
                "behaviors": list(persona.behaviour_names()),
                "source": persona.source,
            }
        )
    columns = {
        "name": "Name",
        "version": "Version",
        "description": "Description",
        "behaviors": "Behaviors",
        "source": "Source",
    }
    _print_listing("Available Personas", columns, rows, as_json)
    if broken:
        said = (
            "1 persona cannot be loaded and is"
            if len(broken) == 1
            else (f"{len(broken)} personas cannot be loaded and are")
        )
        raise FileError("\n".join([f"{said} not listed:", *broken]))


def _first_problem(exc: PersonaGenError, path: Path) -> str:
    """An error's first line, and how to see the rest of it."""
    first, *rest = str(exc).splitlines()
    more = len(getattr(exc, "problems", rest))  # (a ValidationError lists 10 at most)
    if more > 1:
        first += f" (and {more - 1} more: persona-gen validate {path})"
    return first


@command(app, "list-generators", _OnceCommand)
def list_generators(as_json: AsJson = False) -> None:
    """List the dataset generators."""
    from persona_gen.generators import GENERATORS, SUMMARIES

    rows, broken = [], []
    for name in GENERATORS.names():
        if name in SUMMARIES:
            description, use_case = SUMMARIES[name]
        else:  # a plugin: its class says
            try:
                cls = GENERATORS.get(name)
            except PluginError as exc:
                broken.append(str(exc))
                continue
            description, use_case = cls.description, cls.use_case
        rows.append({"name": name, "description": description, "use_case": use_case})
    columns = {"name": "Generator", "description": "Description", "use_case": "Use Case"}
    _print_listing("Available Generators", columns, rows, as_json)
    _say_broken_plugins(broken, "generator")


@command(app, "list-behaviours", _OnceCommand)
def list_behaviours(as_json: AsJson = False) -> None:
    """List the behaviour kinds a persona can use."""
    from persona_gen.personas.behaviours import BEHAVIOURS

    rows, broken = [], []
    for name in BEHAVIOURS.names():
        try:
            cls = BEHAVIOURS.get(name)
        except PluginError as exc:
            broken.append(str(exc))
            continue
        rows.append(
            {"kind": name, "effect": cls.summary, "parameters": list(cls.params_model.model_fields)}
        )
    columns = {"kind": "Kind", "effect": "Effect", "parameters": "Parameters"}
    _print_listing("Behaviour Kinds", columns, rows, as_json)
    _say_broken_plugins(broken, "behaviour kind")


def _say_broken_plugins(broken: list[str], kind: str) -> None:
    """After the table: the plugins that did not load, as one error (exit code 1), as
    ``list-personas`` says its broken files."""
    if broken:
        said = (
            f"1 {kind} plugin cannot be loaded and is"
            if len(broken) == 1
            else f"{len(broken)} {kind} plugins cannot be loaded and are"
        )
        raise PluginError("\n".join([f"{said} not listed:", *broken]))


@command(app, "quick", _OnceCommand)
def quick(
    persona: Annotated[str, Argument(help="Persona name.")],
    dataset_type: Annotated[
        str, Option("-t", "--type", help="Generator: api, streaming, file, load or fault.")
    ],
    count: Annotated[str, Option("-n", "--count", metavar="N", help="Number of records.")] = "10",
    personas: PersonaDirs = None,
    seed: Annotated[
        str | None, Option("-s", "--seed", metavar="SEED", help="Seed (replayable).")
    ] = None,
    pretty: Annotated[bool, Option("--pretty", help="Indent JSON output.")] = False,
    output_name: Annotated[
        str | None,
        Option(
            "-o",
            "--output",
            metavar="PATH",
            help="Write to this file (atomically) instead of stdout.",
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="json, jsonl, csv, parquet, avro or sql (avro: streaming and file "
            "records; sql: file rows). Default: from -o's extension (.ndjson is jsonl), json "
            "without -o or an extension.",
        ),
    ] = None,
    workers: Annotated[
        str,
        Option("--workers", "-w", metavar="N", help="Processes generating blocks (same output)."),
    ] = "1",
    sink: Annotated[
        str | None,
        Option(
            "--sink",
            help="Send records to a destination instead: "
            "kafka://HOST:PORT/TOPIC, sqlite:///file.db or postgresql://USER@HOST/DB "
            "(see docs/sinks.md).",
        ),
    ] = None,
    manifest_name: Annotated[
        str | None,
        Option(
            "--manifest",
            metavar="PATH",
            help="Write the run manifest here (default: beside -o FILE or a SQLite file, "
            "else DATASET.SCHEME.manifest.json in $PERSONA_GEN_MANIFEST_DIR or the working "
            "directory for a --sink).",
        ),
    ] = None,
    create_tables: CreateTables = False,
    include_invalid: IncludeInvalid = False,
    rate: Rate = None,
    realtime: Realtime = False,
    speed: Speed = 1.0,
    duration: Duration = None,
    start: Start = None,
) -> None:
    """Generate one dataset from one persona."""
    from persona_gen.generators import GENERATORS
    from persona_gen.runtime.dataset import Dataset
    from persona_gen.runtime.write import write_dataset

    n = parse_count(count)
    seed_value = parse_seed(seed)
    epoch_ms = parse_start(start)
    processes = parse_workers(workers)
    fmt_given = fmt is not None
    if output_name == "-":
        output_name = None  # (the usual spelling of standard output)
    output = file_option(output_name)
    with _naming("--manifest"):
        manifest_file = file_option(manifest_name)
    fmt = format_for(fmt, output)
    GENERATORS.get(dataset_type, "-t/--type")
    chosen = _catalog(personas).get(persona)
    check_database_options([sink], create_tables, include_invalid)
    check_shape(sink, fmt, fmt_given=fmt_given, pretty=pretty)
    check_pacing(sink, dataset_type, rate=rate, realtime=realtime, speed=speed, duration=duration)
    run_seed = seed_value if seed_value is not None else _fresh_seed()
    dataset = Dataset([(chosen, 1.0)], dataset_type, n, run_seed, epoch_ms=epoch_ms)
    dataset.workers = processes
    if sink is not None:
        from persona_gen.runtime.write import deliver, sink_manifest_path
        from persona_gen.sinks import check_sink_url

        if output is not None:
            raise UsageError("give either -o/--output or --sink, not both")
        check_sink_url(sink, generator=dataset_type)
        refuse_manifest_over_data(manifest_file, sink_file(sink))
        manifest_file = manifest_file or sink_manifest_path(sink, dataset.key)
        pace = pacer(rate, realtime, speed, duration)
        _say_seed(seed_value, run_seed)
        _say_now(epoch_ms if _is_now(start) else None)
        doc = deliver(
            dataset,
            sink,
            progress=_progress_factory(),
            manifest_file=manifest_file,
            create_tables=create_tables,
            include_invalid=include_invalid,
            pace=pace,
        )
        _report_delivery(doc, manifest_file)
        _report_duration(doc, n, duration)
        return
    from persona_gen.runtime.write import make_encoder
    from persona_gen.sinks import extension_mismatch

    refuse_manifest_over_data(manifest_file, output)
    _refuse_over_persona(chosen, output, manifest_file)
    encoder = make_encoder(dataset, fmt, pretty)  # (a format that cannot hold them fails here)
    _say_seed(seed_value, run_seed)
    _say_now(epoch_ms if _is_now(start) else None)
    if output is not None and (mismatch := extension_mismatch(fmt, output)) is not None:
        print(f"persona-gen: warning: {mismatch}", file=sys.stderr)  # (-f wins: it was asked)
    write_dataset(
        dataset,
        output,
        fmt,
        progress=_progress_factory(),
        manifest_file=manifest_file,
        encoder=encoder,
    )
    if output is not None:
        print(
            f"persona-gen: wrote {n} {dataset_type} records ({chosen.name}, seed {run_seed}) "
            f"to {output}",
            file=sys.stderr,
        )


# Options that would do nothing where they are given are refused (silently ignored, they let
# a user believe the run did what it did not). quick and generate share these checks.


def _report_delivery(doc: dict[str, Any], manifest_file: Path) -> None:
    d = doc.get("delivery", {})
    if "tables" in d:  # a database load
        done = ", ".join(
            f"{name}: {t['loaded']} loaded, {t['skipped_invalid']} skipped as invalid"
            for name, t in d["tables"].items()
        )
    else:
        confirmed = (
            f"unconfirmed {d.get('unconfirmed')} (acks=0)"
            if d.get("acks") == "0"
            else f"acknowledged {d.get('acknowledged')}"
        )
        done = f"sent {d.get('sent')}, {confirmed}, failed {d.get('failed')}"
    print(
        f"persona-gen: {doc['count']} records to {doc['output']}: {done} "
        f"(manifest {manifest_file})",
        file=sys.stderr,
    )


def _progress_factory() -> Any:
    if not sys.stderr.isatty():
        return None
    from persona_gen.runtime.progress import RichProgress

    return RichProgress


# import-schema's record count when -c is not given (fewer where a unique key has fewer
# values: ``fit_count``).
_IMPORT_COUNT = 100


@command(app, "import-schema", _OnceCommand)
def import_schema(
    schema_file: Annotated[
        Path,
        Argument(
            metavar="SCHEMA", help="OpenAPI/Swagger, JSON Schema, Avro, SQL DDL or Protobuf file."
        ),
    ],
    fmt: Annotated[
        str | None,
        Option(
            "-f",
            "--format",
            metavar="FORMAT",
            help="swagger|openapi|jsonschema|avro|ddl|protobuf (auto-detected if not given).",
        ),
    ] = None,
    entity: Annotated[
        str | None,
        Option("-e", "--entity", help="Entity to extract (schema/table/message name)."),
    ] = None,
    name: Annotated[
        str | None, Option("-n", "--name", help="Profile name (defaults to the entity name).")
    ] = None,
    output_name: Annotated[
        str | None,
        Option(
            "-o",
            "--output",
            metavar="PATH",
            help="Profile YAML to write (required unless --list-entities).",
        ),
    ] = None,
    dataset_type: Annotated[
        str | None,
        Option("-t", "--dataset-type", help="Default dataset type: api|streaming|file|load|fault."),
    ] = None,
    count: Annotated[
        str | None,
        Option(
            "-c",
            "--count",
            metavar="N",
            help="Default record count [default: 100, or fewer where a unique key has "
            "fewer values].",
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        Option("--output-format", help="json|jsonl|csv|parquet|avro|protobuf|sql."),
    ] = None,
    list_entities: Annotated[
        bool, Option("--list-entities", help="List the entities in the schema file.")
    ] = False,
    dialect: Annotated[
        str | None,
        Option("--dialect", help="SQL dialect for DDL (postgres, mysql, sqlite...)."),
    ] = None,
    strict: Annotated[
        bool,
        Option("--strict", help="Fail on constructs that cannot be expressed, instead of warning."),
    ] = False,
    force: Annotated[bool, Option("--force", help="Overwrite an existing profile file.")] = False,
    proto_path: Annotated[
        list[Path] | None,
        Option(
            "-I",
            "--proto-path",
            help="Protobuf: a folder to search for imports, as protoc's -I (repeatable); "
            "recorded in the profile.",
        ),
    ] = None,
) -> None:
    """Import a schema file into a reusable profile (or list its entities)."""
    from persona_gen.runtime.schema_import import (
        choose_entity,
        detect_format,
        fit_count,
        profile_document,
        write_checked_profile,
    )
    from persona_gen.runtime.schema_import import import_schema as run_import

    output = file_option(output_name)
    if output is None and not list_entities:
        # A missing required option, as Click says one (usage line, exit 2): required
        # unless --list-entities, which Click's own ``required`` cannot say.
        raise click.UsageError(
            "Missing option '-o' / '--output' (the profile YAML to write), or give "
            "--list-entities.",
            click.get_current_context(silent=True),
        )
    records = parse_count(count or str(_IMPORT_COUNT), "-c/--count")
    if name is not None:
        _check_profile_name(name)
    if output is not None and not list_entities:
        # (--force or not: the profile would replace its own source, and name itself as it)
        refuse_report_over_inputs(output, {"the schema being imported": schema_file}, "-o")
        _refuse_overwrite(output, force)  # (a profile is often edited by hand)
    fmt_name = detect_format(schema_file, fmt)
    if dialect is not None and fmt_name != "ddl":
        raise UsageError(
            f"--dialect applies to SQL DDL schemas; {schema_file} is read as {fmt_name}"
        )
    proto_paths = proto_path or []
    if proto_paths and fmt_name != "protobuf":
        raise UsageError(
            f"-I/--proto-path applies to Protobuf schemas; {schema_file} is read as {fmt_name}"
        )
    for folder in proto_paths:
        if not folder.is_dir():
            raise UsageError(f"-I/--proto-path: '{folder}' is not a folder")
    if dialect is not None:
        from persona_gen.importers.ddl import resolve_dialect

        resolve_dialect(dialect, "--dialect")  # (named as the other options are, before reading)
    result = run_import(
        schema_file, fmt_name, dialect=dialect, strict=strict, proto_paths=proto_paths
    )
    for warning in result.warnings:
        print(f"persona-gen: warning: {schema_file}: {warning}", file=sys.stderr)
    if list_entities:
        from rich.table import Table

        table = Table(title="Available Entities")
        table.add_column("Name")
        table.add_column("Fields", justify="right")
        for listed in result.listed:
            table.add_row(
                listed, _field_count(result.domain, result.domain.entities[listed].schema)
            )
        _stdout_console().print(table)
        return
    assert output is not None
    chosen = choose_entity(result, entity, schema_file)
    doc = profile_document(
        result,
        schema_file,
        chosen,
        name=name,
        dataset_type=dataset_type,
        count=records,
        output_format=output_format,
        dialect=dialect,
        profile_path=output,
        proto_paths=proto_paths,
    )
    fitted = fit_count(doc, given=count is not None)
    write_checked_profile(output, doc, (*result.warnings, *([fitted] if fitted else [])))
    if fitted:  # (once written: a profile refused for its output format says why itself)
        print(f"persona-gen: warning: {fitted}", file=sys.stderr)
    print(f"persona-gen: imported {chosen} ({fmt_name}) into profile {output}", file=sys.stderr)


class _Drawn:
    """What a profile run drew because neither the profile nor the command line named it:
    a seed, the moment ``now`` stands for. Said once the run goes ahead, to replay it."""

    def __init__(self) -> None:
        self.seeds: list[int] = []
        self.now: int | None = None

    def seed(self) -> int:
        from persona_gen.seeds import fresh_seed

        self.seeds.append(fresh_seed())
        return self.seeds[-1]

    def now_ms(self) -> int:
        from persona_gen.reference_time import parse_reference_time

        self.now = parse_reference_time("now")
        return self.now

    def say(self) -> None:
        if self.seeds:
            first = self.seeds[0]
            print(
                f"persona-gen: no seed in profile or -s; using seed {first} "
                f"(pass -s {first} to replay)",
                file=sys.stderr,
            )
        _say_now(self.now)


@command(app, "generate", _OnceCommand)
def generate(
    profile_file: Annotated[Path, Argument(help="Profile YAML.", metavar="PROFILE")],
    personas: PersonaDirs = None,
    persona: Annotated[
        str | None,
        Option("--persona", help="Use only this persona (instead of the profile's mix)."),
    ] = None,
    output_name: Annotated[
        str | None,
        Option(
            "-o",
            "--output",
            help="Directory for the dataset files (default: stdout for a one-dataset profile).",
        ),
    ] = None,
    dry_run: Annotated[bool, Option("--dry-run", help="Print the plan; write nothing.")] = False,
    seed: Annotated[
        str | None,
        Option(
            "-s", "--seed", metavar="SEED", help="Seed for every dataset (overrides the profile)."
        ),
    ] = None,
    pretty: Annotated[bool, Option("--pretty", help="Indent JSON output.")] = False,
    workers: Annotated[
        str,
        Option(
            "--workers",
            "-w",
            help="Processes generating blocks (output is identical for any number).",
        ),
    ] = "1",
    sink: Annotated[
        str | None,
        Option(
            "--sink",
            help="Send every dataset to this destination (kafka://, "
            "sqlite:///, postgresql://) instead of files.",
        ),
    ] = None,
    create_tables: CreateTables = False,
    include_invalid: IncludeInvalid = False,
    start: Start = None,
    rate: Rate = None,
    realtime: Realtime = False,
    speed: Speed = 1.0,
    duration: Duration = None,
) -> None:
    """Generate the datasets a profile declares."""
    from persona_gen.runtime.generate import plan
    from persona_gen.runtime.write import write_dataset

    catalog = _catalog(personas)
    profile = _profile_to_run(profile_file, catalog)
    parse_start(start)  # (a bad --start is said before the profile's datasets are planned)
    drawn = _Drawn()
    planned = plan(
        profile,
        catalog,
        persona=persona,
        seed=parse_seed(seed),
        out_dir=(output := dir_option(output_name)),
        fresh_seed=drawn.seed,
        dry_run=dry_run,
        sink=sink,
        start=start,
        now_ms=drawn.now_ms,
    )
    check_database_options((item.sink for item in planned), create_tables, include_invalid)
    pace = _profile_pacer(planned, rate=rate, realtime=realtime, speed=speed, duration=duration)
    if dry_run and pretty:
        raise UsageError("--pretty indents the datasets written, and --dry-run writes none")
    # --pretty indents the datasets written as JSON files, and is refused when there is none
    # (a profile may mix json with other formats and sinks)
    if pretty and not any(item.sink is None and item.fmt == "json" for item in planned):
        first = next((item for item in planned if item.sink), planned[0])
        check_shape(first.sink, first.fmt, fmt_given=False, pretty=True, dataset=first.name)
    if dry_run:
        _print_plan(planned, profile, sink)
        return
    from rich.table import Table

    summary = Table(title=f"Generated: {profile.spec.name}")
    for column in ("Dataset", "Type", "Personas", "Records", "Seed", "Output"):
        # (a path folds onto the next line rather than end in '…': a log keeps all of it)
        summary.add_column(column, overflow="fold" if column == "Output" else "ellipsis")
    from persona_gen.runtime.write import deliver, sink_manifest_path
    from persona_gen.sinks import masked_url

    check_destinations(planned)
    refuse_manifests_over_data(planned, output)
    refuse_outputs_over_inputs(planned, output, _inputs_of(profile))
    processes = parse_workers(workers)
    prepared = _prepared(planned, profile, pretty, output)
    drawn.say()  # (once the run is known to go ahead: a refused run gets its one error alone)
    _say_about_run(planned, profile, sink)
    extra = _run_extra(profile)
    for item, dataset, encoder in prepared:
        try:
            dataset.workers = processes
            if item.sink:
                written = sink_manifest_path(item.sink, dataset.key, output)
                try:
                    doc = deliver(
                        dataset,
                        item.sink,
                        progress=_progress_factory(),
                        manifest_file=written,
                        extra=extra,
                        create_tables=create_tables,
                        include_invalid=include_invalid,
                        pace=pace,
                    )
                except SinkError as exc:
                    _record_shared_failure(exc, item, prepared, output, extra)
                    raise
                _report_delivery(doc, written)
                _report_duration(doc, dataset.count, duration, item.name)
            else:
                write_dataset(
                    dataset,
                    item.output,
                    item.fmt,
                    pretty=pretty,
                    progress=_progress_factory(),
                    extra=extra,
                    profile=profile,
                    encoder=encoder,
                )
            summary.add_row(
                item.name,
                item.generator,
                ", ".join(p.name for p, _ in item.personas),
                str(dataset.stats.records),
                str(item.seed),
                masked_url(item.sink) if item.sink else str(item.output or "<stdout>"),
            )
        except PersonaGenError as exc:
            exc.dataset = exc.dataset or item.name  # (which one failed, of several)
            raise
    _stderr_console().print(summary)


def _profile_pacer(
    planned: list[PlannedDataset],
    *,
    rate: str | None,
    realtime: bool,
    speed: float,
    duration: float | None,
) -> Any:
    """The pacing of ``generate``'s datasets sent to a sink (each in turn; datasets written
    to files are not paced), refused where no dataset goes to a sink or one's records have
    no times to follow."""
    sent = [item for item in planned if item.sink]
    if not sent and (rate is not None or realtime or duration is not None):
        raise UsageError(
            "--rate, --realtime and --duration pace datasets sent to a sink (--sink, or a "
            "dataset's sink:), and this run sends none"
        )
    check_pacing(
        sent[0].sink if sent else None,
        "streaming",
        rate=rate,
        realtime=realtime,
        speed=speed,
        duration=duration,
    )
    for item in sent:
        try:
            check_pacing(
                item.sink,
                item.generator,
                rate=rate,
                realtime=realtime,
                speed=speed,
                duration=duration,
            )
        except UsageError as exc:  # (what only this dataset's records lack)
            raise UsageError(f"dataset '{item.name}': {exc}") from None
    return pacer(rate, realtime, speed, duration)


def _report_duration(
    doc: dict[str, Any], count: int, duration: float | None, dataset: str | None = None
) -> None:
    """Say that ``--duration`` ended a dataset's sending before its last record."""
    if duration is not None and doc["count"] < count:
        which = f"{dataset}: " if dataset else ""
        print(
            f"persona-gen: {which}--duration {duration:g}s reached after {doc['count']} of "
            f"{count} records",
            file=sys.stderr,
        )


def _run_extra(profile: Profile) -> dict[str, Any]:
    """What every manifest of a ``generate`` run says of its profile."""
    extra: dict[str, Any] = {"profile": profile.spec.name, "profile_hash": profile.content_hash}
    if profile.spec.source is not None:  # lets `check` tell data of another schema apart
        extra["source"] = {"file": profile.spec.source.file, "sha256": profile.spec.source.sha256}
    return extra


def _record_shared_failure(
    exc: SinkError,
    failed: PlannedDataset,
    prepared: list[Prepared],
    out_dir: Path | None,
    extra: dict[str, Any],
) -> None:
    """A database load of several datasets failed (or was interrupted) at its first member,
    whose manifest ``deliver`` wrote: every other member gets its manifest of it too, where
    a run leaves it, with its own tables and rows (none kept). The run stops at this error,
    and a manifest an earlier run left would say the member was loaded."""
    from persona_gen.errors import OutputError
    from persona_gen.runtime.write import sink_manifest_path, write_failed_manifest

    group = failed.load_group
    if group is None:
        return
    for item, dataset, _ in prepared:
        share = group.failed_share(item.name) if item.load_group is group else None
        if item.name == failed.name or share is None or item.sink is None:
            continue
        written = sink_manifest_path(item.sink, dataset.key, out_dir)
        try:
            write_failed_manifest(dataset, item.sink, share, written, extra=extra)
        except OutputError as lost:  # (the load's own error comes first)
            exc.args = (f"{exc}; and the manifest of '{item.name}' was not written: {lost}",)


def _print_plan(planned: list[Any], profile: Profile, sink: str | None) -> None:
    """``generate --dry-run``: the plan, as JSON on stdout, of datasets that can be made."""
    import orjson

    from persona_gen._json import json_safe
    from persona_gen.runtime.generate import prepare

    # (what generate would build, as validate builds it: a plan that cannot run, a load
    # dataset written as Avro say, was printed with exit code 0)
    prepare(planned, profile)
    _say_about_run(planned, profile, sink)
    sys.stdout.buffer.write(
        orjson.dumps(
            json_safe({"profile": profile.spec.name, "datasets": [p.describe() for p in planned]}),
            option=orjson.OPT_INDENT_2,
        )
        + b"\n"
    )


def _refuse_over_persona(chosen: Any, output: Path | None, manifest_file: Path | None) -> None:
    """``quick -o`` (or its manifest, or ``--manifest``) naming the persona's own file, read
    with ``-p DIR``, replaced the persona by the records."""
    from persona_gen.runtime.manifest import manifest_path
    from persona_gen.sinks.output import is_special

    read = {"the persona's file": Path(chosen.source) if chosen.source else None}
    refuse_report_over_inputs(output, read, "-o")
    refuse_report_over_inputs(manifest_file, read, "--manifest")
    if output is not None and not is_special(output):
        refuse_report_over_inputs(manifest_path(output), read, "-o")


def _inputs_of(profile: Profile) -> dict[str, Path | None]:
    """The files ``generate`` reads, which no dataset may be written over."""
    from persona_gen.runtime.check import find_schema_file

    schema = None
    if profile.spec.source is not None:
        with contextlib.suppress(PersonaGenError):
            schema = find_schema_file(profile, None)
    return {"the profile": profile.path, "the profile's schema": schema}


def _prepared(planned: list[Any], profile: Profile, pretty: bool, output: Path | None) -> Any:
    """The run's datasets built (``prepare``), and every manifest a shared database load
    writes known to be writable, before anything is generated or loaded."""
    from persona_gen.runtime.generate import prepare

    prepared = prepare(planned, profile, pretty)
    ensure_shared_manifests_writable(planned, output)
    return prepared


@command(app, "check", _OnceCommand)
def check(
    data: Annotated[
        str,
        Argument(
            help="A dataset file persona-gen wrote, '-' for standard input, or a database it "
            "loaded (sqlite:///PATH, postgresql://USER@HOST:PORT/DB; ?table=NAME).",
        ),
    ],
    profile_file: Annotated[Path, Option("--profile", help="The profile it came from.")],
    fmt: Annotated[
        str | None,
        Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="json, jsonl, csv, parquet, avro, protobuf, sql or sqlite (default: from the "
            "manifest or the extension; .pb/.binpb are protobuf, .db/.sqlite3 sqlite).",
        ),
    ] = None,
    schema: Annotated[
        Path | None,
        Option(
            "--schema",
            help="The source schema file (default: the profile's source.file, found from its "
            "folder, else beside it or in schemas/ or ../schemas/).",
        ),
    ] = None,
    report_name: Annotated[
        str | None,
        Option("--report", metavar="PATH", help="Write the full report as JSON here."),
    ] = None,
    personas: PersonaDirs = None,
) -> None:
    """Validate a dataset (a file, or a table in SQLite or PostgreSQL) against its profile's
    source schema, with that format's own validator, and check every fault label."""
    from rich.table import Table

    from persona_gen.runtime.check import check_dataset
    from persona_gen.runtime.manifest import manifest_path
    from persona_gen.sinks.output import ensure_writable, write_atomic

    with _naming("--report"):
        report_file = file_option(report_name)
    if not data:  # (not the current directory, as Path("") would be)
        raise UsageError("'': an empty path, expected a dataset file")
    stdin = data == "-"  # (standard input, as for any Unix tool: see check_stdin)
    data_file = None if stdin else sink_file(data) if "://" in data else Path(data)
    if data_file is not None:
        check_data_file(data_file)
    refuse_report_over_inputs(
        report_file,
        {
            "the data's own file": data_file,
            "the data's manifest": manifest_path(data_file) if data_file else None,
            "the profile": profile_file,
            "the schema": schema,
        },
    )

    catalog = _catalog(personas)
    profile = _profile_to_run(profile_file, catalog, sinks=False)
    if report_file is not None:
        with _naming("--report"):  # (before the check, which may take long)
            ensure_writable(report_file)
    if stdin:
        from persona_gen.runtime.check_stdin import STDIN, standard_input

        with standard_input(sys.stdin.buffer, fmt) as (spooled, kind):
            report = check_dataset(spooled, profile, fmt=kind, schema_path=schema, catalog=catalog)
        report.data = STDIN
    else:
        report = check_dataset(data, profile, fmt=fmt, schema_path=schema, catalog=catalog)
    table = Table(title=f"check: {report.data}")
    table.add_column("")
    table.add_column("")
    for key, value in report.summary_rows():
        table.add_row(key, value)
    _stderr_console().print(table)
    if report_file is not None:
        with _naming("--report"):
            write_atomic(report_file, report.to_json().encode())
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


@command(app, "validate", _OnceCommand)
def validate(
    file: Annotated[Path, Argument(help="Persona or profile YAML file.")],
    kind: Annotated[
        str | None,
        Option("-t", "--type", help="persona or profile (default: told by the file's content)."),
    ] = None,
    personas: PersonaDirs = None,
) -> None:
    """Check a persona or profile file; report every problem with file:line and field."""
    if kind is None:
        kind = _file_kind(file)
    if kind == "persona":
        from persona_gen.personas.loader import timeline_overrides, validate_persona_file

        result = validate_persona_file(file, personas or [])
        for problem in timeline_overrides(file, personas or []):
            print(f"persona-gen: warning: {problem}", file=sys.stderr)
        print(
            f"{file}: valid persona '{result.name}' {result.version} "
            f"({_counted(len(result.behaviours), 'behaviour')}"
            f"{': ' + ', '.join(result.behaviour_names()) if result.behaviours else ''})"
        )
    elif kind == "profile":
        from persona_gen.profiles.loader import load_profile

        # (the personas generate and check see: -p only, so a profile valid here runs there)
        catalog = _catalog(personas)
        profile = load_profile(file, catalog)
        spec = profile.spec
        from persona_gen.errors import ValidationError
        from persona_gen.runtime.generate import plan, prepare
        from persona_gen.runtime.profile_paths import path_problems

        # (files and folders it names, each said at its line, as generate and check say them)
        paths = path_problems(profile)
        if paths.errors:
            raise ValidationError(paths.errors)

        # What generate would build (not run): a dataset that cannot be made fails here too.
        planned = plan(
            profile, catalog, persona=None, seed=0, out_dir=None, fresh_seed=int, dry_run=True
        )
        prepare(planned, profile)
        for problem in (*profile.warnings, *paths.warnings):
            print(f"persona-gen: warning: {problem}", file=sys.stderr)
        print(
            f"{file}: valid profile '{spec.name}' {spec.version} "
            f"({_counted(len(spec.personas), 'persona')}, "
            f"{_counted(len(spec.datasets), 'dataset')})"
        )
    else:
        from persona_gen.errors import UnknownNameError

        raise UnknownNameError("file type", kind, ["persona", "profile"], "-t/--type")


def _counted(n: int, noun: str) -> str:
    """``1 persona``, ``2 personas``, ``0 behaviours``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _file_kind(file: Path) -> str:
    """Whether ``file`` holds a profile or a persona, by its content (a file that cannot be
    read or parsed is checked as a persona, which says why)."""
    from persona_gen._yaml import document_kind, load_yaml

    try:
        return document_kind(load_yaml(file).data)
    except PersonaGenError:
        return "persona"


@command(app, "init-persona", _OnceCommand)
def init_persona(
    name: Annotated[str, Option("-n", "--name", help="Persona name (snake_case).")],
    output_name: Annotated[str, Option("-o", "--output", metavar="PATH", help="File to create.")],
    force: Annotated[bool, Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented persona template that validates as is."""
    import re

    from persona_gen.personas.model import NAME_PATTERN
    from persona_gen.runtime.templates import persona_template
    from persona_gen.sinks.output import write_atomic

    if not re.match(NAME_PATTERN, name):
        raise UsageError(f"-n/--name: '{name}' must be snake_case (letters, digits, _)")
    output = file_option(output_name)
    _refuse_not_yaml(output, "personas are found as NAME.yaml or NAME.yml files")
    if output.stem != name:
        raise UsageError(
            f"-o/--output: a persona is found by its file name; name the file "
            f"'{name}.yaml' (got '{output.name}')"
        )
    _refuse_overwrite(output, force)
    write_atomic(output, persona_template(name).encode())
    print(f"persona-gen: created persona template {output}", file=sys.stderr)


@command(app, "init-profile", _OnceCommand)
def init_profile(
    name: Annotated[str, Option("-n", "--name", help="Profile name.")],
    output_name: Annotated[str, Option("-o", "--output", metavar="PATH", help="File to create.")],
    persona: Annotated[
        list[str] | None, Option("-p", "--persona", help="Persona to include; repeatable.")
    ] = None,
    types: Annotated[
        list[str] | None, Option("-t", "--type", help="Dataset type; repeatable.")
    ] = None,
    force: Annotated[bool, Option("--force", help="Overwrite an existing file.")] = False,
    persona_dirs: Annotated[
        list[Path] | None,
        Option("--personas-dir", help="Where to find personas besides the built-ins."),
    ] = None,
) -> None:
    """Write a profile template binding personas to dataset types."""
    from persona_gen.errors import UnknownNameError
    from persona_gen.generators import GENERATORS
    from persona_gen.runtime.templates import profile_template
    from persona_gen.sinks.output import write_atomic

    output = file_option(output_name)
    _refuse_not_yaml(output, "the template is YAML with comments")
    _check_profile_name(name)
    # (a persona or type given twice is meant once: twice would not validate)
    chosen = list(dict.fromkeys(persona or ["normal_user"]))
    catalog = _catalog(persona_dirs)
    for p in chosen:
        if p not in catalog.names():
            raise UnknownNameError("persona", p, catalog.loadable(), "-p/--persona")
    kinds = list(dict.fromkeys(types or ["api"]))
    for t in kinds:
        if t not in GENERATORS:
            raise UnknownNameError("generator", t, GENERATORS.names(), "-t/--type")
    entities = {}
    if "file" in kinds:
        from persona_gen.runtime.dataset import Dataset

        for p in chosen:  # (the entity each persona's file rows hold)
            lane = Dataset([(catalog.get(p), 1.0)], "file", 1, 0).lanes[0]
            entities[p] = lane.generator.entity.name
    from persona_gen.personas.loader import builtin_persona_dir

    builtin = builtin_persona_dir()
    outside = [p for p in chosen if not catalog.path(p).is_relative_to(builtin)]
    # (every folder, in order: a persona's parents and overrides are found through them all)
    folders = [str(d) for d in persona_dirs or []] if outside else []
    _refuse_overwrite(output, force)
    template = profile_template(name, chosen, kinds, entities, (outside, folders))
    write_atomic(output, template.encode())
    print(f"persona-gen: created profile template {output}", file=sys.stderr)


def _refuse_overwrite(path: Path, force: bool) -> None:
    """Refuse to replace an existing file without ``--force``. (A directory, /dev/null or a
    pipe is left to the writer, which says what it is.)"""
    try:
        exists = path.is_file()
    except OSError as exc:  # (a name too long)
        from persona_gen.errors import OutputError

        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if exists and not force:
        raise UsageError(f"{path} already exists (use --force to overwrite)")


def _reader_gone() -> int:
    """The reader of standard output went away (e.g. `| head`): not an error of ours, exit
    0. Standard output is pointed at /dev/null, or the interpreter's last flush of it would
    fail again at exit and turn the status into 1."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    return 0


class _ClosedOutput(io.RawIOBase):
    """Standard output closed before the program started (``>&-``): every write fails as on
    a closed descriptor, so it is reported like any output that cannot be written."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def _closed_standard_streams() -> None:
    """Standard output or error closed by the caller (``>&-``, ``2>&-``): Python leaves
    ``sys.stdout``/``sys.stderr`` None (or on a descriptor that cannot be written). Their
    descriptors are held by /dev/null (a file opened later would otherwise get descriptor 1
    or 2, and stray writes would land in it); messages for a closed standard error are
    dropped, and writes to a closed standard output fail, as one error line."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if not _closed(getattr(sys, name), fd):
            continue
        from persona_gen.sinks.output import CLOSED_DESCRIPTORS

        CLOSED_DESCRIPTORS.add(fd)  # (-o /dev/stdout: refused, not written to /dev/null)
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
        if name == "stderr":
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the whole run
        else:
            sys.stdout = io.TextIOWrapper(_ClosedOutput(), write_through=True)


def _closed(stream: Any, fd: int) -> bool:
    """Whether standard stream ``stream`` (descriptor ``fd``) was closed by the caller: Python
    makes it None, or, when the interpreter had the descriptor open for a moment as it
    started, a stream on a descriptor closed since."""
    if stream is None:
        return True
    try:
        if stream.fileno() != fd:
            return False
    except (OSError, ValueError, AttributeError):  # (not a file: tests capture output)
        return False
    try:
        import fcntl

        mode = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
    except ImportError:  # (not POSIX)
        return False
    except OSError:
        return True
    # (a descriptor opened for reading only: what took the closed one's number, such as a
    # shell script that ran this program with `exec`)
    return mode == os.O_RDONLY


def _said_to_closed_stdout(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.EBADF and _stdout_closed()


def _stdout_closed() -> bool:
    buffer = getattr(sys.stdout, "buffer", None)
    return isinstance(buffer, _ClosedOutput)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn user errors into one-line messages."""
    _closed_standard_streams()
    # Generation allocates millions of small, acyclic containers (records): with the default
    # threshold (700) the cycle collector runs every few records for nothing. Rarer young
    # collections cost ~10% less time and no memory worth mentioning.
    gc.set_threshold(20_000, 20, 20)
    try:
        return _run(argv)
    except PersonaGenError as exc:
        where = f"dataset '{exc.dataset}': " if exc.dataset else ""
        if where and str(exc).startswith(where):
            where = ""
        print(f"persona-gen: error: {where}{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except OSError as exc:
        if not _said_to_closed_stdout(exc):
            raise
        print(f"persona-gen: error: standard output: cannot write: {exc.strerror}", file=sys.stderr)
        return 1


def _run(argv: list[str] | None) -> int:
    """Run the command ``argv`` names. Click's usage errors (exit 2) and help are said as
    Click says them; everything else propagates to ``main``. (Click's standalone mode would
    turn Ctrl-C into "Aborted!" and exit 1, and a closed pipe into exit 1.)"""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        with app.make_context("persona-gen", args) as ctx:
            app.invoke(ctx)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
