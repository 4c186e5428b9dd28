"""The resources OpenAPI operations act on: the named entity a request body or reply is,
extends or wraps, else the one its path names (what ``import-schema -e`` keeps them by)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from persona_gen.entities.media import media_kind
from persona_gen.entities.model import Operation
from persona_gen.importers._jsonschema import Converter, Ctx
from persona_gen.importers._jsonschema.keywords import has_constraints, ref_of

__all__ = ["by_path", "named", "resource_of"]


def named(conv: Converter, node: Any, ctx: Ctx) -> str | None:
    """The entity a schema names: a bare $ref to an object schema (with nothing beside it)."""
    if not isinstance(node, dict) or ref_of(node) is None:
        return None
    if has_constraints({k: v for k, v in node.items() if k != "$ref"}):
        return None
    schema = conv.convert(node, ctx)
    return schema.ref if schema.type == "ref" else None


def resource_of(conv: Converter, node: Any, ctx: Ctx) -> str | None:
    """The named entity a body or reply schema stands for: the one it names (or an array
    of); else, of an inline object, the one its only array property holds (an envelope,
    ``{data: [Booking], links}``), else the one its only ``allOf`` reference is (an
    extension, ``allOf: [Booking, {links}]``), else the one its only object property is
    (``{data: Booking}``). None when that is not one entity."""
    found = named(conv, node, ctx)
    if found is not None or not isinstance(node, dict):
        return found
    if node.get("type") == "array":
        return named(conv, node.get("items"), ctx.at("items"))
    parts: list[tuple[Any, Ctx]] = [(node, ctx)]
    bases: list[str] = []
    members = node.get("allOf")
    for i, part in enumerate(members if isinstance(members, list) else []):
        base = named(conv, part, ctx.at("allOf", i))
        if base is not None:
            bases.append(base)
        elif isinstance(part, dict):
            parts.append((part, ctx.at("allOf", i)))
    lists: list[str] = []
    ones: list[str] = []
    for part, pctx in parts:
        props = part.get("properties")
        for name, prop in props.items() if isinstance(props, dict) else []:
            at = pctx.at("properties", name)
            one = named(conv, prop, at)
            if one is not None:
                ones.append(one)
            elif isinstance(prop, dict) and prop.get("type") == "array":
                item = named(conv, prop.get("items"), at.at("items"))
                lists.extend([item] if item else [])
    for candidates in (lists, bases, ones):
        distinct = list(dict.fromkeys(candidates))
        if distinct:
            return distinct[0] if len(distinct) == 1 else None
    return None


def by_path(ops: list[Operation], base: str = "") -> list[Operation]:
    """Each operation with what its path names where its body and reply do not say: an
    operation without a body (``DELETE /users/{id}``) acts on the entity and resources of
    another on its path (what a GET returns names them best), else on its collection's
    (``/users`` for ``/users/{id}``); one without a body under such a path
    (``POST /pullrequests/{id}/merge``), or whose body is text or bytes (``PUT
    /documents/{id}/content``: content of a resource, not one), acts on the resources of
    the longest one, but the API's root (``base``, the spec's ``/``), under which
    everything is."""
    entities: dict[str, str] = {}
    resources: dict[str, tuple[str, ...]] = {}
    for op in sorted(ops, key=lambda o: o.method != "GET"):
        if op.entity is not None:
            entities.setdefault(op.path, op.entity)
        if op.resources:
            resources.setdefault(op.path, op.resources)
    out = []
    for op in ops:
        paths = [op.path, _collection(op.path)]
        entity = op.entity or next((entities[p] for p in paths if p in entities), None)
        found = op.resources or next((resources[p] for p in paths if p in resources), ())
        if not found and (not op.request_body or media_kind(op.request_media) in _CONTENT):
            found = _under(op.path, resources, base)
        out.append(replace(op, entity=entity, resources=found))
    return out


_CONTENT = ("text", "binary")  # (a body of these is a resource's content)


def _under(path: str, resources: dict[str, tuple[str, ...]], base: str) -> tuple[str, ...]:
    """The resources of the longest path with some that ``path`` lies under, but the root."""
    root = base.rstrip("/")
    owners = [
        p for p in resources if p.rstrip("/") != root and path.startswith(p.rstrip("/") + "/")
    ]
    return resources[max(owners, key=len)] if owners else ()


def _collection(path: str) -> str:
    """The collection an item path is in (``/users`` of ``/users/{id}``), else the path."""
    head, _, last = path.rstrip("/").rpartition("/")
    return head if last.startswith("{") and last.endswith("}") and head else path
