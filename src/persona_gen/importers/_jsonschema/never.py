"""Parts of imported entities that no value fits, left out where they may be.

Conversion marks what no value satisfies (``merge.NEVER``: an optional property whose parts
contradict each other) and the entities that have no value at all (``impossible``: their
schema is ``NEVER``, and why). Once every entity is made, ``settle_impossible`` removes the
marked properties, and what refers to an impossible entity where it may be left out: an
optional property, an option of a union (the others stay; a nullable union with none left
is null), the items of an array or the values of a map that may be empty (none are then
made), the additional properties of an object (it is then closed). An entity that needs
such a part (a required property, the only option, at least one item) is impossible in its
turn, until nothing changes: ``import-schema`` refuses an impossible entity, and one that
needs it, with the reason found first and its JSON pointer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from persona_gen.entities.model import Entity, Field, Schema
from persona_gen.importers._jsonschema.merge import NEVER, Contradiction, never

__all__ = ["settle_impossible", "without_never"]

Warn = Callable[[str, str], None]  # (entity, message): a warning at the entity's place


def settle_impossible(
    entities: dict[str, Entity], impossible: dict[str, Contradiction], warn: Warn
) -> None:
    """Leave out of ``entities`` (in place) the parts no value fits; an entity that needs
    one joins ``impossible`` (and becomes ``NEVER``)."""
    changed = True
    while changed:
        changed = False
        for name, entity in entities.items():
            if name in impossible:
                continue
            try:
                schema = _Pruning(impossible, name, warn).schema(entity.schema, "")
            except Contradiction as exc:
                impossible[name] = exc
                entities[name] = Entity(name, NEVER)
                changed = True
                continue
            if schema is not entity.schema:
                entities[name] = replace(entity, schema=schema)


def without_never(schema: Schema) -> Schema:
    """A schema that is not an entity's (an OpenAPI parameter's) without the optional
    properties (options, items) marked ``NEVER``; ``Contradiction`` where one is needed."""
    return _Pruning({}, "", lambda entity, message: None).schema(schema, "")


class _Pruning:
    """One entity's schema without what no value fits (``Contradiction`` where needed)."""

    def __init__(self, impossible: dict[str, Contradiction], entity: str, warn: Warn) -> None:
        self.impossible = impossible
        self.entity = entity
        self.warn = warn

    def schema(self, schema: Schema, path: str) -> Schema:
        if never(schema):
            raise Contradiction("no value fits")
        if schema.type == "ref":
            failed = self.impossible.get(schema.ref or "")
            if failed is None:
                return schema
            raise Contradiction(f"no value of '{schema.ref}' fits: {failed.detail()}")
        changes: dict[str, Any] = {}
        if schema.fields:
            fields = self._fields(schema.fields, path)
            if fields is not None:
                changes["fields"] = fields
        if schema.variants:
            options = self._options(schema, path)
            if options is not None:
                if not options:  # (null alone)
                    return Schema("null", description=schema.description)
                changes["variants"] = options
        for key in ("items", "values"):
            inner = getattr(schema, key)
            if inner is not None:
                changes.update(self._collection(schema, key, inner, path))
        if not changes:
            return schema
        out = replace(schema, **changes)
        if out.type == "union" and len(out.variants) == 1:
            only = out.variants[0]
            return replace(only, nullable=only.nullable or out.nullable)
        return out

    def _fields(self, fields: tuple[Field, ...], path: str) -> tuple[Field, ...] | None:
        """The properties without those no value fits (None: unchanged); ``Contradiction``
        when one is required."""
        out = []
        for f in fields:
            inner = f"{path}.{f.name}" if path else f.name
            try:
                kept = self.schema(f.schema, inner)
            except Contradiction as exc:
                if f.required:
                    raise Contradiction(f"'{inner}' is required: {exc.reason}", exc.where) from None
                if not never(f.schema):  # (a NEVER property was said where it was found)
                    self.warn(self.entity, f"'{inner}' is left out: {exc.detail()}")
                continue
            out.append(f if kept is f.schema else replace(f, schema=kept))
        if len(out) == len(fields) and all(a is b for a, b in zip(out, fields, strict=True)):
            return None
        return tuple(out)

    def _options(self, schema: Schema, path: str) -> tuple[Schema, ...] | None:
        """The options of a union without those no value fits (None: unchanged; empty:
        null alone); ``Contradiction`` when none is left and null is not allowed."""
        out: list[Schema] = []
        failed: list[Contradiction] = []
        for k, v in enumerate(schema.variants):
            try:
                out.append(self.schema(v, f"{path}|{k}"))
            except Contradiction as exc:
                failed.append(exc)
        if not out and not schema.nullable:
            raise failed[0]
        if failed:
            self.warn(
                self.entity,
                f"{f'{path}: ' if path else ''}{len(failed)} option(s) no value fits are left "
                f"out: {failed[0].detail()}",
            )
        elif all(a is b for a, b in zip(out, schema.variants, strict=True)):
            return None
        return tuple(out)

    def _collection(self, schema: Schema, key: str, inner: Schema, path: str) -> dict[str, Any]:
        """The changes that leave out the items (values) no value fits: an array or map
        that may be empty is, an object's additional properties are closed."""
        label = f"{path}[]" if key == "items" else f"{path}{{}}"
        try:
            kept = self.schema(inner, label)
        except Contradiction as exc:
            if schema.type == "object":
                return {"values": None, "closed": True}
            if schema.min_items:
                raise Contradiction(
                    f"'{label}': at least {schema.min_items} needed: {exc.reason}", exc.where
                ) from None
            if not never(inner):  # (a NEVER one was said where it was found)
                self.warn(self.entity, f"'{label}' is always empty: {exc.detail()}")
            return {key: None, "max_items": 0}
        return {} if kept is inner else {key: kept}
