"""``allOf``, ``oneOf`` and ``anyOf`` of a JSON Schema node, and what sits beside them.

The ``Converter`` hands each node without a top-level ``$ref`` here (``combined``): its own
keywords (read by ``typed``) merged with its ``allOf`` parts, then its ``oneOf`` / ``anyOf``
options, each merged with those keywords (options whose type can never match them are left
out, as are options no value fits), then its conditionals (``branches``; the entries of
``dependentSchemas`` and ``dependentRequired`` are conditionals too). ``oneOf`` options
are set apart so that a value matches one only, where their fields allow. A part that forbids
a property (``name: false``, ``not: {required: [name]}``) removes what another part declares.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from persona_gen.entities.model import Schema
from persona_gen.importers._jsonschema.context import Ctx, dependent_keywords
from persona_gen.importers._jsonschema.keywords import (
    DEPENDENT_KEYS,
    all_of_tree,
    dependents,
    forbidden,
    not_required,
    typed_keywords,
    without_conditionals,
)
from persona_gen.importers._jsonschema.merge import (
    Contradiction,
    distinct,
    is_trivial,
    merge,
    never,
)

if TYPE_CHECKING:
    from persona_gen.importers._jsonschema.convert import Converter

__all__ = ["Combinators", "apart"]


class Combinators:
    """The combinators of one import (``Converter.combinators``)."""

    def __init__(self, conv: Converter) -> None:
        self.conv = conv

    def combined(self, node: dict[str, Any], ctx: Ctx) -> Schema:
        """A node without a top-level $ref: its own keywords, then allOf, then oneOf/anyOf."""
        schema = self.own(node, ctx)
        one_of, any_of = node.get("oneOf"), node.get("anyOf")
        if one_of is not None and any_of is not None:
            self.conv.warn(ctx, "anyOf beside oneOf is not expressed; oneOf is used")
        choice, key = (one_of, "oneOf") if one_of is not None else (any_of, "anyOf")
        if choice is not None:
            schema = self._union(schema, node, _schema_list(choice, key, self.conv, ctx), key, ctx)
        schema = self.conv.branches.conditionals(schema, node, ctx)
        self.unsupported(node, ctx)
        return schema

    def own(self, node: dict[str, Any], ctx: Ctx, kind: str | None = None) -> Schema:
        """A node's own keywords and its allOf parts; with ``kind``, as if it declared that
        type (the keywords of other types do not apply to such values)."""
        warn = self.conv.warner(ctx)
        schema = self.conv.typed.plain(node if kind is None else {**node, "type": kind}, ctx)
        all_of = node.get("allOf")
        parts: list[Any] = []
        if all_of is not None:
            parts = _schema_list(all_of, "allOf", self.conv, ctx)
            parts = [without_conditionals(p) for p in parts]  # (split by ``Branches.conditionals``)
            for i, plain in enumerate(parts):
                merged = merge(
                    schema, self.conv.inline(plain, ctx.at("allOf", i)), warn, self.conv.refs
                )
                if merged.type == "union" and schema.type != "union" and _has(plain, "oneOf"):
                    # (each option now holds the base's fields: one option's own field is
                    # then also in the others, so set them apart again)
                    options = _exclusive(list(merged.variants), plain["oneOf"])
                    merged = replace(merged, variants=tuple(options))
                schema = merged
        return self.drop_forbidden(schema, [node, *parts], ctx)

    def drop_forbidden(self, schema: Schema, nodes: list[Any], ctx: Ctx) -> Schema:
        """A part that forbids a property (`name: false`, `not: {required: [name]}`) removes
        what another declares."""
        groups = [g for p in nodes for g in forbidden(p)]
        if not groups or schema.type != "object":
            return schema
        required = {f.name for f in schema.fields if f.required}
        gone: set[str] = set()
        for names in groups:
            if set(names) <= required:
                self.conv.warn(ctx, f"{names} are required but may not all be present")
            gone.update(n for n in names if n not in required)
        return replace(schema, fields=tuple(f for f in schema.fields if f.name not in gone))

    def _union(
        self, base: Schema, node: dict[str, Any], members: list[Any], key: str, ctx: Ctx
    ) -> Schema:
        variants: list[Schema] = []
        failed: list[Contradiction] = []
        nullable = base.nullable
        for i, member in enumerate(members):
            mctx = ctx.at(key, i)
            if isinstance(member, dict) and member.get("type") == "null" and len(member) == 1:
                nullable = True
                continue
            try:
                variant = self._option(base, node, member, key, len(members), mctx, ctx)
            except Contradiction as exc:  # (an option no value fits is no option)
                exc = self.conv.located(exc, mctx)
                failed.append(exc)
                self.conv.warn(
                    mctx,
                    f"{key}: no value fits this option, so it is left out: "
                    f"{exc.detail(self.conv.where(mctx))}",
                )
                continue
            if variant is not None:
                variants.append(variant)
        if key == "oneOf":
            variants = _exclusive(variants, members)
        variants, repeats = distinct(variants)
        if repeats and key == "oneOf":
            self.conv.warn(
                ctx,
                f"oneOf: {len(repeats)} option(s) are the same as another here; each shape "
                "is generated as one option (a value that two options accept breaks oneOf)",
            )
        if not variants:
            if failed:  # (every option contradicts itself: null alone, else nothing)
                if not nullable:
                    raise failed[0]
                return Schema("null", description=base.description)
            return replace(base, nullable=True) if nullable else base
        if len(variants) == 1:
            only = variants[0]
            return replace(only, nullable=only.nullable or nullable)
        return Schema(
            "union", variants=tuple(variants), nullable=nullable, description=base.description
        )

    def _option(
        self,
        base: Schema,
        node: dict[str, Any],
        member: Any,
        key: str,
        count: int,
        mctx: Ctx,
        ctx: Ctx,
    ) -> Schema | None:
        """One option of ``oneOf``/``anyOf`` with the node's own keywords (``base``); None
        when its type can never match them."""
        if is_trivial(base):
            variant = (
                self.conv.inline(member, mctx) if key == "oneOf" and count > 1
                else self.conv.convert(member, mctx)
            )  # fmt: skip
            if variant.type == "any" and base.type != "any":
                return replace(variant, type=base.type)
            if base.type not in ("any", "union") and not _compatible(base.type, variant.type):
                self.conv.warn(
                    mctx,
                    f"{key}: a '{variant.type}' option of a '{base.type}' "
                    "can never match; it is left out",
                )
                return None
            return variant
        found = self.conv.branches.found(member, mctx)
        option = self.conv.inline(without_conditionals(member), mctx)
        # Keywords of one type beside anyOf/oneOf without a `type` (minItems beside an array
        # option and an object option) constrain only the options of that type.
        if "type" not in node and typed_keywords(node):
            variant = self._within(base, node, option, ctx)
        elif apart(self.conv.refs.kinds(base), self.conv.refs.kinds(option)):
            self.conv.warn(
                mctx,
                f"{key}: a '{option.type}' option of a '{base.type}' "
                "can never match; it is left out",
            )
            return None
        else:
            variant = merge(base, option, self.conv.warner(ctx), self.conv.refs)
            # (a property the option forbids is one the base declares)
            variant = self.drop_forbidden(variant, all_of_tree(member), mctx)
        if variant.type == "union" and option.type == "union" and _has(member, "oneOf"):
            # (each option now holds the base's fields: set them apart again)
            parts = _exclusive(list(variant.variants), member["oneOf"])
            variant = replace(variant, variants=tuple(parts))
        if found:  # (its tests read the properties the base declares)
            variant = self.conv.branches.conditioned(variant, found, mctx)
        return variant

    def _within(self, base: Schema, node: dict[str, Any], option: Schema, ctx: Ctx) -> Schema:
        """``option`` with the keywords of ``node`` that apply to its type."""
        if option.type == "union":
            parts = tuple(self._within(base, node, v, ctx) for v in option.variants)
            return replace(option, variants=parts)
        kinds = self.conv.refs.kinds(option)
        if kinds is not None:
            kinds = kinds - {"null"}
        if kinds is None or len(kinds) != 1:
            target = self.conv.refs.deref(option.ref or "") if option.type == "ref" else None
            if target is not None and target.type == "union":
                return self._within(base, node, target, ctx)
            return merge(base, option, self.conv.warner(ctx), self.conv.refs)
        kind = next(iter(kinds))
        if option.type == "integer":
            kind = "integer"
        return merge(self.own(node, ctx, kind), option, self.conv.warner(ctx), self.conv.refs)

    def unsupported(self, node: dict[str, Any], ctx: Ctx) -> None:
        """Warn of the keywords of ``node`` that are not expressed."""
        if "not" in node and not not_required(node):
            self.conv.warn(ctx, "not: the excluded values are not avoided")
        used = dependent_keywords(ctx, self.conv.flavour.openapi)
        for key in DEPENDENT_KEYS:
            value = node.get(key)
            if value is not None and not isinstance(value, dict):
                raise self.conv.error(ctx, f"{key} must be an object", key)
            if key not in used and dependents(node, key):
                # (the conditionals they are, ``Branches.found``, where the validator checks them)
                self.conv.warn(
                    ctx,
                    f"{key}: the validator of this dialect does not check it; "
                    "not expressed (no record is held to it)",
                )


def apart(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    """Two sets of value types with none in common (None: any type)."""
    return a is not None and b is not None and not a & b


def _exclusive(variants: list[Schema], members: list[Any]) -> list[Schema]:
    """oneOf: make each object option's values match that option only, where fields allow.

    * fields that only *other* options require are left out
      (``oneOf: [{required: [a]}, {required: [b]}]`` must not produce a value with both);
    * an option none of whose required fields sets it apart gets one of its own fields
      required, when the other options are closed to it (``additionalProperties: false``).
    """
    objects = [i for i, v in enumerate(variants) if v.type == "object"]
    if len(objects) < 2:
        return variants
    required = {i: {f.name for f in variants[i].fields if f.required} for i in objects}
    names = {i: {f.name for f in variants[i].fields if not never(f.schema)} for i in objects}
    out = list(variants)
    for i in objects:
        v = variants[i]
        others = [j for j in objects if j != i]
        needed = set().union(*(required[j] for j in others)) - required[i]
        if needed:  # leaving an optional field out is always allowed
            v = replace(v, fields=tuple(f for f in v.fields if f.name not in needed))
        if all(required[i] <= names[j] for j in others) and all(variants[j].closed for j in others):
            own = [
                f
                for f in v.fields
                if not never(f.schema) and all(f.name not in names[j] for j in others)
            ]
            if own:
                v = replace(
                    v,
                    fields=tuple(
                        replace(f, required=True, counted=False) if f is own[0] else f
                        for f in v.fields
                    ),
                )
        out[i] = v
    return out


def _compatible(declared: str, option: str) -> bool:
    if option in ("any", "ref", "union") or declared == option:
        return True
    return {declared, option} in ({"integer", "number"}, {"object", "map"})


def _schema_list(value: Any, key: str, conv: Converter, ctx: Ctx) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise conv.error(ctx, f"{key} must be a non-empty list of schemas", key)
    return value


def _has(node: Any, key: str) -> bool:
    return isinstance(node, dict) and key in node
