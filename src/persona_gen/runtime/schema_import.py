"""import-schema: detect the format, run the importer, and write a portable profile."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from persona_gen._yaml import read_text
from persona_gen.entities.model import Domain, Entity, Operation
from persona_gen.entities.serial import domain_to_dict
from persona_gen.errors import (
    FileError,
    PersonaGenError,
    SchemaImportError,
    UnknownNameError,
    UsageError,
)
from persona_gen.importers import FORMAT_ALIASES, IMPORTERS
from persona_gen.importers.base import ImportResult
from persona_gen.sinks.output import write_atomic
from persona_gen.values.feasible import JSON_SCHEMA_KEYS, parameter_problems, unsatisfiable

__all__ = ["detect_format", "fit_count", "import_schema", "profile_document", "write_profile"]

_DEFAULT_TYPE = {
    "openapi": "api",
    "jsonschema": "api",
    "avro": "streaming",
    "ddl": "file",
    "protobuf": "streaming",
}


def detect_format(path: Path, declared: str | None) -> str:
    """The importer to use: the one named (or aliased), else by extension and content."""
    if declared:
        name = FORMAT_ALIASES.get(declared.lower(), declared.lower())
        if name not in IMPORTERS:
            choices = [*IMPORTERS.names(), *FORMAT_ALIASES]
            raise UnknownNameError("schema format", declared, choices, "-f/--format")
        return str(name)
    candidates = [
        n
        for n in IMPORTERS.names()
        if path.name.lower().endswith(tuple(IMPORTERS.get(n).extensions))
    ]
    text = _schema_text(path, *candidates)
    for name in candidates or IMPORTERS.names():
        if IMPORTERS.get(name).sniff(path, text):
            return name
    # The content over the name: a JSON Schema saved as plain .yaml is no OpenAPI document.
    for name in IMPORTERS.names():
        if name not in candidates and IMPORTERS.get(name).sniff(path, text):
            return name
    if (hint := _not_a_schema(path, text)) is not None:
        raise hint
    if (broken := _not_parsed(path, text)) is not None:
        raise broken
    if len(candidates) == 1:
        return candidates[0]
    raise SchemaImportError(
        "cannot tell the schema format from the file name or content; "
        f"pass -f with one of {', '.join(IMPORTERS.names())}",
        path,
    )


def _read(path: Path) -> str:
    return read_text(path, "a schema file", SchemaImportError)


# What an empty file was expected to hold, by importer (a plugin's: "a schema").
_EXPECTED = {
    "openapi": "an OpenAPI document",
    "jsonschema": "a JSON Schema",
    "avro": "an Avro schema (JSON)",
    "ddl": "SQL DDL (CREATE TABLE statements)",
    "protobuf": "Protobuf message definitions",
}


def _schema_text(path: Path, *formats: str) -> str:
    """The schema file's text: one clear message for a missing, unreadable or empty file,
    whatever the format (``formats``: the ones it may be in; none: any)."""
    text = _read(path)
    if not text.strip():
        if formats:
            kinds = list(dict.fromkeys(_EXPECTED.get(f, "a schema") for f in formats))
            expected = " or ".join([", ".join(kinds[:-1]), kinds[-1]] if kinds[1:] else kinds)
        else:
            expected = "a schema (OpenAPI, JSON Schema, Avro, SQL DDL or Protobuf)"
        raise SchemaImportError(f"empty file: expected {expected}", path, 1)
    return text


def _not_a_schema(path: Path, text: str) -> SchemaImportError | None:
    """A persona or a profile given as the schema: say what it is and how it is used,
    instead of which schema keys it lacks."""
    from persona_gen._yaml import PERSONA_KEYS, PROFILE_KEYS, document_kind, parse_yaml

    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return None
    try:
        data = parse_yaml(text, str(path)).data
    except PersonaGenError:
        return None
    if not isinstance(data, dict) or any(k in data for k in _SCHEMA_KEYS):
        return None
    keys: tuple[str, ...]
    if document_kind(data) == "profile":
        keys, what = PROFILE_KEYS, "a profile"
        use = f"generate its datasets with 'persona-gen generate {path}'"
    elif any(k in data for k in PERSONA_KEYS):
        keys, what = PERSONA_KEYS, "a persona"
        use = f"use it with 'persona-gen quick {path.stem} -p {path.parent} -t TYPE'"
    else:
        return None
    named = " and ".join(f"'{key}'" for key in data if key in keys)
    return SchemaImportError(f"this is {what}, not a schema (it has {named}): {use}", path)


def _not_parsed(path: Path, text: str) -> FileError | None:
    """Why a ``.json``, ``.yaml`` or ``.yml`` file no importer recognised does not parse, at
    its line: a syntax error, not the format, is what stops it (it was said as 'cannot tell
    the schema format', which ``-f`` does not cure)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            return SchemaImportError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno)
        except RecursionError:
            return SchemaImportError("invalid JSON: nested too deeply", path)
        return None
    if suffix in (".yaml", ".yml"):
        from persona_gen._yaml import parse_yaml

        try:
            parse_yaml(text, str(path))
        except FileError as exc:  # (its line, as the YAML parser found it)
            return exc
    return None


# Top-level keys of the schemas read from YAML or JSON (a file with one is judged as one).
_SCHEMA_KEYS = ("openapi", "swagger", "$schema", "type", "properties", "fields")


def import_schema(
    path: Path,
    fmt: str,
    *,
    dialect: str | None = None,
    strict: bool = False,
    proto_paths: Sequence[Path] = (),
) -> ImportResult:
    """Import ``path`` as ``fmt``; ``proto_paths`` are protoc's ``-I`` folders (Protobuf)."""
    text = _schema_text(path, fmt)
    importer = IMPORTERS.get(fmt)()
    # (only the Protobuf importer takes include folders: another importer's load has none)
    extra: dict[str, Any] = {"includes": list(proto_paths)} if proto_paths else {}
    try:
        result: ImportResult = importer.load(path, dialect=dialect, strict=strict, **extra)
    except SchemaImportError as exc:
        if (hint := _not_a_schema(path, text)) is not None:
            raise hint from None
        raise exc from None
    if strict and result.warnings:
        shown = "; ".join(result.warnings[:5])
        more = f" (and {len(result.warnings) - 5} more)" if len(result.warnings) > 5 else ""
        raise SchemaImportError(
            f"--strict: constructs that cannot be expressed: {shown}{more}", path
        )
    if not result.listed:
        raise SchemaImportError("no entities found", path)
    return result


def choose_entity(result: ImportResult, entity: str | None, path: Path) -> str:
    if entity is None:
        return result.listed[0]
    if entity in result.domain.entities:
        return entity
    # Forgive case and qualification differences (``users`` vs ``Users``, ``pkg.User``):
    # a short name finds a qualified entity (Avro's ``com.example.User``), and a qualified
    # name an entity named without its qualification (Protobuf's ``google.firestore.v1.
    # Document`` is the entity ``Document``, ``pkg.Outer.Inner`` is ``Outer.Inner``).
    folded = {name.lower(): name for name in result.domain.entities}
    short = {name.rsplit(".", 1)[-1].lower(): name for name in result.listed}
    parts = entity.split(".")
    tails = [".".join(parts[k:]) for k in range(len(parts)) if all(parts[k:])]
    for tail in tails:
        match = folded.get(tail.lower()) or short.get(tail.lower())
        if match:
            return match
    raise UnknownNameError("entity", entity, result.listed, str(path), also=tails[1:])


def closure(domain: Domain, root: str) -> Domain:
    """The entity, everything it references (and its foreign-key parents), the operations
    that act on it (its own: a request body or reply of it, or one that extends or wraps it,
    or its path's, or that of one it lies under, as ``POST /pullrequests/{id}/merge``: see
    ``_openapi_resources.by_path``; not those of entities it merely references), and the
    entities those operations need. An operation that needs an entity no value can satisfy
    is left out (an error body that none can: the generic one is sent instead)."""
    keep = _reach(domain, [root], [])
    operations = []
    for declared in domain.operations:
        op = declared
        if not _acts_on(op, root):
            continue
        names = [n for n in (op.entity, op.response_entity) if n in domain.entities]
        extra = [n for n in _reach(domain, names, []) if n not in keep]
        if any(_impossible(domain, n) for n in extra):
            continue
        if op.error_entity is not None:  # (else the error body is the generic one)
            errors = [n for n in _reach(domain, [op.error_entity], []) if n not in keep]
            if any(_impossible(domain, n) for n in errors):
                op = replace(op, error_entity=None, error_media=None)
            else:
                extra = [*extra, *(n for n in errors if n not in extra)]
        replies = []
        for status, entity, media in op.error_replies:  # (one none can fit: the generic body)
            errors = [n for n in _reach(domain, [entity], []) if n not in keep]
            if not any(_impossible(domain, n) for n in errors):
                replies.append((status, entity, media))
                extra = [*extra, *(n for n in errors if n not in extra)]
        op = replace(op, error_replies=tuple(replies))
        keep.extend(extra)
        operations.append(op)
    entities: dict[str, Entity] = {name: domain.entities[name] for name in keep}
    events = {k: v for k, v in domain.events.items() if v in entities}
    return Domain(entities, root, tuple(operations), events, domain.source)


def _reach(domain: Domain, start: list[str], keep: list[str]) -> list[str]:
    """``keep`` extended by the entities ``start`` reaches (references, foreign keys)."""
    pending = list(start)
    while pending:
        name = pending.pop(0)
        if name in keep or name not in domain.entities:
            continue
        keep.append(name)
        entity = domain.entities[name]
        pending.extend(entity.schema.refs())
        pending.extend(fk.entity for fk in entity.foreign_keys)
    return keep


def _acts_on(op: Operation, root: str) -> bool:
    """Whether ``op`` acts on ``root``: one of its resources, or its body's or reply's
    entity (an inline body stands for no named entity, but a spec without components lists
    them)."""
    return root in op.resources or root in (op.entity, op.response_entity)


def _impossible(domain: Domain, name: str) -> bool:
    """Whether no value of ``name`` can be made."""
    needed = {n: domain.entities[n] for n in _reach(domain, [name], [])}
    return any(u.entity == name for u in unsatisfiable(Domain(needed, name)))


def profile_document(
    result: ImportResult,
    path: Path,
    entity: str,
    *,
    name: str | None,
    dataset_type: str | None,
    count: int,
    output_format: str | None,
    dialect: str | None,
    profile_path: Path | None = None,
    proto_paths: Sequence[Path] = (),
) -> dict[str, Any]:
    """The profile ``import-schema`` writes; ``profile_path`` (where it will be written)
    makes ``source.file`` the schema's path from the profile's folder (see ``schema_reference``),
    and each of ``proto_paths`` (``-I``) a folder's path from there, ``source.proto_path``."""
    from persona_gen.generators import GENERATORS
    from persona_gen.sinks import FORMATS

    kind = dataset_type or _DEFAULT_TYPE.get(result.format, "api")
    GENERATORS.get(kind, "-t/--dataset-type")
    fmt = output_format or ("csv" if kind == "file" else "json")
    FORMATS.get(fmt, "--output-format")
    if count <= 0:
        raise UsageError(f"-c/--count: must be at least 1, got {count}")
    short = name or profile_name_for(entity, path)
    domain = closure(result.domain, entity)
    # (said with JSON Schema's names of the rules, as OpenAPI and JSON Schema spell them;
    # Avro, Protobuf and SQL have no keys of their own for them)
    impossible = unsatisfiable(domain, spelling=JSON_SCHEMA_KEYS)
    if impossible:
        why = dict(result.unsatisfiable)  # (the importer's reason for an entity as a whole)
        listed = "; ".join(
            f"{u.where}: {why[u.entity] if u.entity in why and u.where == u.entity else u.reason}"
            for u in impossible[:5]
        )
        more = f" (and {len(impossible) - 5} more)" if len(impossible) > 5 else ""
        raise SchemaImportError(f"no record can satisfy the schema: {listed}{more}", path)
    bad_params = parameter_problems(domain, spelling=JSON_SCHEMA_KEYS)
    if bad_params:  # (no request of the operation can be made: validate would refuse it)
        ops = [domain.operations[int(str(at[1]))] for at, _ in bad_params[:5]]
        listed = "; ".join(
            f"{op.method} {op.path}: {str(at[2]).split('_')[0]} parameter {at[3]!r}: {why}"
            for op, (at, why) in zip(ops, bad_params, strict=False)
        )
        more = f" (and {len(bad_params) - 5} more)" if len(bad_params) > 5 else ""
        raise SchemaImportError(f"no value fits a parameter: {listed}{more}", path)
    source: dict[str, Any] = {
        "file": schema_reference(path, profile_path),
        "format": result.format,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "entity": entity,
    }
    if dialect:
        source["dialect"] = dialect
    if proto_paths:
        source["proto_path"] = [folder_reference(p, profile_path) for p in proto_paths]
    return {
        "name": short,
        "version": "1.0.0",
        "description": f"{entity} from {path.name} ({result.format})",
        "personas": [{"name": "normal_user", "weight": 1.0}],
        "datasets": [
            {
                "name": f"{short}_{kind}",
                "type": kind,
                "count": count,
                "format": fmt,
                "output": f"{short}_{kind}.{fmt}",
                "entity": entity,
            }
        ],
        "source": source,
        "domain": domain_to_dict(domain),
    }


def fit_count(doc: dict[str, Any], given: bool) -> str | None:
    """Keep the imported profile's dataset within what its unique keys can tell apart, as
    ``generate`` and ``validate`` hold it (``runtime.dataset``'s ``key_limits`` and
    ``pattern_limits``): a count that was not ``given`` (-c) becomes the largest that fits;
    a given one is kept (the profile is the user's to edit). Returns the warning to print,
    None when the count fits."""
    from persona_gen.entities.serial import domain_from_dict
    from persona_gen.generators import GENERATORS
    from persona_gen.generators.keys import KeyedSynthesizer
    from persona_gen.runtime.dataset import key_limits, pattern_limits

    dataset = doc["datasets"][0]
    count: int = dataset["count"]
    if not GENERATORS.get(dataset["type"]).keyed:
        return None  # (api and load bodies are not one entity per record: keys come round)
    domain = domain_from_dict(doc["domain"])  # (as the written profile will be read)
    entity = domain.entity(dataset["entity"])
    synth = KeyedSynthesizer(domain, 0)  # (the rooms depend on no reference time)
    # (generate checks the patterns first: its refusal names the first limit listed here)
    limits = [*pattern_limits(synth, entity, count), *key_limits(synth, entity.name, count)]
    if not limits:
        return None
    fits = min(room for room, _ in limits)
    if given:
        return (
            f"-c {count}: generate and validate will refuse this profile: {limits[0][1]}; "
            f"{count} records cannot all differ (pass -c {fits} or fewer)"
        )
    dataset["count"] = fits
    return (
        f"the dataset's count is {fits}, not the default {count}: {min(limits)[1]}, so "
        f"{count} records cannot all differ; to change it, pass -c N (at most {fits}) or "
        "edit the dataset's count in the profile"
    )


def schema_reference(schema: Path, profile_path: Path | None) -> str:
    """``source.file``: the schema's path relative to the profile's folder
    (``schemas/sub/event.proto``, ``../schemas/user.proto``), so ``generate`` and ``check``
    find it from any current directory; POSIX separators, so the profile reads the same on
    any system. Its name alone without a profile path or when no relative path leads there
    (another drive): ``find_schema_file`` then looks for it beside the profile, in
    ``schemas/`` and ``../schemas/``, as it does for a path that no longer leads to it."""
    if profile_path is None:
        return schema.name
    try:
        relative = os.path.relpath(schema.resolve(), profile_path.resolve().parent)
    except ValueError:  # (another drive, on Windows)
        return schema.name
    return Path(relative).as_posix()


def folder_reference(folder: Path, profile_path: Path | None) -> str:
    """A folder's path from the profile's folder, as ``schema_reference`` gives a file's
    (``source.proto_path``); absolute when no relative path leads there."""
    absolute = folder.resolve()
    if profile_path is not None:
        with contextlib.suppress(ValueError):  # (another drive, on Windows)
            return Path(os.path.relpath(absolute, profile_path.resolve().parent)).as_posix()
    return absolute.as_posix()


_QUALIFIED = re.compile(r"[A-Za-z_][A-Za-z0-9_$-]*(\.[A-Za-z_][A-Za-z0-9_$-]*)+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_NAME = 64


def profile_name_for(entity: str, path: Path) -> str:
    """The default profile name: a qualified name's or URI's last part
    (com.example.UserEvent -> UserEvent), else the entity's name (a JSON Schema title is
    free text) made to fit the profile name's pattern ``[A-Za-z0-9_.-]+``; the file's stem
    when nothing is left."""
    if _QUALIFIED.fullmatch(entity):
        entity = entity.rsplit(".", 1)[-1]
    elif _URI.fullmatch(entity):  # an $id: its last part (.../2.6.0/schema.json -> schema)
        entity = entity.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0] or entity
    for text in (entity, path.name.split(".", 1)[0], "profile"):
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        name = _NOT_ALLOWED.sub("_", ascii_text).strip("_.-")[:_MAX_NAME].rstrip("_.-")
        if name:
            return name
    return "profile"  # pragma: no cover - the last candidate always fits


# Output formats that accept only some datasets (by type, by source schema): an imported
# profile naming one is built as ``validate`` builds it before it is written.
_SELECTIVE_FORMATS = ("avro", "protobuf", "sql")


def write_checked_profile(path: Path, doc: dict[str, Any], warnings: tuple[str, ...]) -> None:
    """``write_profile``, refusing (with ``validate``'s message, and writing nothing) a
    profile whose dataset its output format cannot hold (``-t api --output-format avro``)."""
    if not any(d.get("format") in _SELECTIVE_FORMATS for d in doc["datasets"]):
        write_profile(path, doc, warnings)
        return
    from persona_gen.personas.loader import PersonaCatalog
    from persona_gen.profiles.loader import load_profile
    from persona_gen.runtime.generate import plan, prepare

    # (written beside the output, so the schema file is found as it will be from there)
    trial = path.with_name(f".{path.name}.{os.getpid()}.import-check.yaml")
    write_profile(trial, doc, warnings)
    try:
        # (its warnings, about a trial file, are said again by validate and generate)
        with contextlib.redirect_stderr(io.StringIO()):
            catalog = PersonaCatalog()
            # (checked as the profile it will be: its messages name that file, not the trial)
            profile = replace(load_profile(trial, catalog), path=path)
            planned = plan(
                profile, catalog, persona=None, seed=0, out_dir=None, fresh_seed=int, dry_run=True
            )
            prepare(planned, profile)
    except BaseException:
        trial.unlink(missing_ok=True)
        raise
    os.replace(trial, path)


def write_profile(path: Path, doc: dict[str, Any], warnings: tuple[str, ...]) -> None:
    from persona_gen._json import json_safe

    named = doc["source"]["file"]
    if json_safe(named) != named:
        # (a YAML file is text: bytes of another encoding in a file name cannot be said)
        raise FileError(
            "its path is not UTF-8 text, so a profile cannot name it; rename the file",
            file=named,
        )
    warnings = tuple(json_safe(list(warnings)))  # (a path in a warning: said as \xff)
    header = [
        f"# Profile generated by `persona-gen import-schema` from {doc['source']['file']}.",
        "# Edit personas, datasets and seed freely; `domain` is the imported entity, embedded",
        "# so this file works without the schema file (see docs/profile-format.md).",
    ]
    for warning in warnings:
        header.append(f"# import warning: {warning}")
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    write_atomic(path, ("\n".join(header) + "\n" + body).encode("utf-8"))
