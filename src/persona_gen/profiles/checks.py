"""What a hand-written profile's embedded domain gets wrong beyond rules no value can meet
(``values.feasible``): an unknown ``format``, a ``path_params`` entry its operation's path
does not hold, and names that name nothing (references, key columns, the entities of
operations and events). Each is reported at its key in the YAML (file:line + field path),
before anything is generated.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterator
from typing import Any

from persona_gen.entities.keys import path_parameters
from persona_gen.entities.model import Domain, Schema
from persona_gen.errors import UnknownNameError
from persona_gen.values.event_time import event_time_problems
from persona_gen.values.strings import FORMATS

__all__ = [
    "KNOWN_FORMATS",
    "event_time_problems_of",
    "format_problems",
    "path_param_problems",
    "reference_problems",
]

Path = tuple[Hashable, ...]

# Formats values are drawn for (strings), and the numeric ones that only annotate a width.
KNOWN_FORMATS = frozenset(FORMATS) | {"int8", "int16", "uint8", "uint16", "uint32", "uint64"}


def format_problems(domain: Domain) -> list[tuple[Path, str]]:
    """(path inside the profile, message) for every unknown ``format`` of ``domain``. Only
    for hand-written domains: an imported schema may carry formats of its own; they only
    annotate, as JSON Schema says, and are kept."""
    found: list[tuple[Path, str]] = []
    for name, entity in domain.entities.items():
        found.extend(_formats(entity.schema, ("domain", "entities", name, "schema")))
    return found


def _formats(schema: Schema, at: Path) -> Iterator[tuple[Path, str]]:
    for where, s in schema.located(at):
        if s.format is not None and s.format not in KNOWN_FORMATS:
            close = difflib.get_close_matches(str(s.format), sorted(KNOWN_FORMATS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            listing = ", ".join(sorted(KNOWN_FORMATS))
            yield (*where, "format"), f"unknown format '{s.format}'.{hint} Known: {listing}"


def event_time_problems_of(domain: Domain) -> list[tuple[Path, str]]:
    """(path inside the profile, message) for every ``semantic: event_time`` that no event's
    time can be written into (a field of the wrong kind, or not at the top level)."""
    return [
        (("domain", "entities", name, "schema", *at), message)
        for name, entity in domain.entities.items()
        for at, message in event_time_problems(entity)
    ]


def path_param_problems(domain: Domain, written: Any) -> list[tuple[Path, str]]:
    """A ``path_params`` entry of an operation that its ``path`` does not hold (a misspelt
    ``usrId`` for ``/users/{userId}``: its schema would apply to nothing, and the path's own
    parameter be drawn without it). Only for hand-written domains: an OpenAPI spec may
    declare a path parameter its path lacks, and import-schema keeps it (with a warning).
    ``written``: the domain as written, whose ``path_params`` (a list of names or a mapping)
    says where each name is."""
    found: list[tuple[Path, str]] = []
    for i, op in enumerate(domain.operations):
        params = path_parameters(op.path)
        for j, name in enumerate(op.path_params):
            if name in params:
                continue
            listed = isinstance(written["operations"][i]["path_params"], list)
            close = difflib.get_close_matches(name, params, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            has = ", ".join(params) if params else "(none)"
            message = (
                f"unknown path parameter '{name}': the path '{op.path}' has no {{{name}}}."
                f"{hint} Available: {has}"
            )
            found.append(
                (("domain", "operations", i, "path_params", j if listed else name), message)
            )
    return found


def reference_problems(domain: Domain) -> list[tuple[Path, str]]:
    """Names in ``domain`` that name nothing: a ``ref`` to no entity, key columns that are not
    fields of their entity, foreign keys to an unknown entity or column, operations and events
    of unknown entities."""
    found: list[tuple[Path, str]] = []
    names = list(domain.entities)

    def unknown_entity(at: Path, name: str) -> None:
        if name not in domain.entities:
            found.append((at, str(UnknownNameError("entity", name, names))))

    def unknown_fields(at: Path, entity: str, columns: tuple[str, ...]) -> None:
        fields = _field_names(domain.entities[entity].schema)
        if fields is None:
            return
        for i, column in enumerate(columns):
            if column not in fields:
                found.append(((*at, i), str(UnknownNameError("field", column, fields))))

    for name, entity in domain.entities.items():
        at: Path = ("domain", "entities", name)
        for where, ref in _refs(entity.schema, (*at, "schema")):
            if ref is None:
                message = f"type ref needs a ref: naming an entity. Available: {', '.join(names)}"
                found.append((where, message))
            else:
                unknown_entity((*where, "ref"), ref)
        unknown_fields((*at, "primary_key"), name, entity.primary_key)
        for i, columns in enumerate(entity.unique):
            unknown_fields((*at, "unique", i), name, columns)
        for i, fk in enumerate(entity.foreign_keys):
            here = (*at, "foreign_keys", i)
            unknown_fields((*here, "columns"), name, fk.columns)
            unknown_entity((*here, "entity"), fk.entity)
            if fk.entity in domain.entities:
                unknown_fields((*here, "references"), fk.entity, fk.references)
    for i, op in enumerate(domain.operations):
        if op.entity is not None:
            unknown_entity(("domain", "operations", i, "entity"), op.entity)
    for event, entity_name in domain.events.items():
        unknown_entity(("domain", "events", event), entity_name)
    return found


def _refs(schema: Schema, at: Path) -> Iterator[tuple[Path, str | None]]:
    for where, s in schema.located(at):
        if s.type == "ref":
            yield where, s.ref


def _field_names(s: Schema) -> list[str] | None:
    """The fields an entity's records can carry, or None when its shape is not an object's
    (a reference, an array: not judged here)."""
    if s.type == "object":
        return [f.name for f in s.fields]
    if s.type == "union" and s.variants:
        out: list[str] = []
        for variant in s.variants:
            inner = _field_names(variant)
            if inner is None:
                return None
            out += [n for n in inner if n not in out]
        return out
    return None
