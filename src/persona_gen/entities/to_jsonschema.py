"""Export an entity as JSON Schema (2020-12): the contract records are validated against.

Used to check built-in-domain records with ``jsonschema`` and to publish what generated data
promises. Entity references become ``$defs``.
"""

from __future__ import annotations

from typing import Any

from persona_gen.entities.model import Domain, Field, Schema

__all__ = ["entity_json_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def entity_json_schema(domain: Domain, entity: str | None = None) -> dict[str, Any]:
    """A self-contained JSON Schema for ``entity`` (default: the domain's primary)."""
    root = domain.entity(entity)
    refs: set[str] = set()
    out = _schema(root.schema, refs)
    defs: dict[str, Any] = {}
    pending = sorted(refs)
    while pending:
        name = pending.pop()
        if name in defs or name not in domain.entities:
            continue
        found: set[str] = set()
        defs[name] = _schema(domain.entities[name].schema, found)
        pending.extend(sorted(found - set(defs)))
    doc = {"$schema": DIALECT, "title": root.name, **out}
    if defs:
        doc["$defs"] = defs
    return doc


def _property(f: Field, refs: set[str], null_as_absent: bool = False) -> dict[str, Any]:
    """A field's schema, with its readOnly/writeOnly flags (annotations: they change which
    way a required field is required, for a validator told the way, ``check``'s api bodies).
    Of an object that reads null as a property left out, a field the source does not
    require takes null too."""
    out = _schema(f.schema, refs)
    if null_as_absent and not _required(f) and not f.schema.nullable:
        out = {"anyOf": [out, {"type": "null"}]}
    if f.read_only:
        out["readOnly"] = True
    if f.write_only:
        out["writeOnly"] = True
    return out


def _required(f: Field) -> bool:
    """Whether the source requires ``f``: not where it is made in every record only to meet
    minProperties (``counted``) or because the source reads it as its default when left out
    (``defaulted``)."""
    return f.required and not f.counted and not f.defaulted


def _schema(s: Schema, refs: set[str]) -> dict[str, Any]:
    out: dict[str, Any]
    if s.type == "ref":
        refs.add(s.ref or "")
        out = {"$ref": f"#/$defs/{s.ref}"}
    elif s.type == "union":
        out = {"anyOf": [_schema(v, refs) for v in s.variants]}
    elif s.type == "map":
        out = {"type": "object"}
        if s.values is not None:
            out["additionalProperties"] = _schema(s.values, refs)
    elif s.type == "any":
        out = {}
    elif s.type == "object" and s.variants:
        # An object of several shapes (a protobuf oneof): each shape lists all its fields.
        out = {"anyOf": [_schema(v, refs) for v in s.variants]}
    else:
        out = {"type": s.type}
    if s.type == "object" and not s.variants:
        out["properties"] = {f.name: _property(f, refs, s.null_as_absent) for f in s.fields}
        for name in s.absent:  # (an open object would take them)
            out["properties"].setdefault(name, False)
        required = [f.name for f in s.fields if _required(f)]
        if required:
            out["required"] = required
        if s.closed:
            out["additionalProperties"] = False
    if s.type == "array" and s.items is not None:
        out["items"] = _schema(s.items, refs)
    counts = s.type in ("object", "map")  # (their min_items / max_items count properties)
    for key, attr in (
        ("format", "format"),
        ("pattern", "pattern"),
        ("minLength", "min_length"),
        ("maxLength", "max_length"),
        ("minProperties" if counts else "minItems", "min_items"),
        ("maxProperties" if counts else "maxItems", "max_items"),
        ("multipleOf", "multiple_of"),
        ("description", "description"),
    ):
        value = getattr(s, attr)
        if value is not None:
            out[key] = value
    if s.unique_items:
        out["uniqueItems"] = True
    if s.minimum is not None:
        out["exclusiveMinimum" if s.exclusive_minimum else "minimum"] = s.minimum
    if s.maximum is not None:
        out["exclusiveMaximum" if s.exclusive_maximum else "maximum"] = s.maximum
    out.update(_moment_bounds(s))
    if s.enum is not None:
        out["enum"] = list(s.enum)
    if s.has_const and not s.const_unchecked:
        out["const"] = s.const
    if s.nullable and "$ref" not in out and "anyOf" not in out and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    elif s.nullable:
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _moment_bounds(s: Schema) -> dict[str, str]:
    """A date's bounds as ajv-formats spells them (``formatExclusiveMinimum`` holding the
    bound, as ajv-formats 2 does; the validators read both of its forms)."""
    out = {}
    if s.format_minimum is not None:
        key = "formatExclusiveMinimum" if s.format_exclusive_minimum else "formatMinimum"
        out[key] = s.format_minimum
    if s.format_maximum is not None:
        key = "formatExclusiveMaximum" if s.format_exclusive_maximum else "formatMaximum"
        out[key] = s.format_maximum
    return out
