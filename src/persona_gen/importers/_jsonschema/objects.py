"""The keywords of JSON Schema objects: ``properties``, ``required``,
``patternProperties``, ``additionalProperties`` (and ``unevaluatedProperties: false``),
``propertyNames`` and ``minProperties`` / ``maxProperties`` (``dependentRequired`` is a
conditional: ``branches``).

An object of declared properties becomes fields (a property's schema merged with those of
the patterns its name matches; one no value fits is ``NEVER`` when optional); an object of
free keys becomes a map whose values fit every pattern a key may match and whose keys fit
``propertyNames``. Property counts are met by requiring (``counted``: the source does not
require them) or leaving out optional fields, and kept as the object's ``min_items`` /
``max_items`` so that labels can tell when a record breaks them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from persona_gen.entities.model import Field, Schema
from persona_gen.importers._jsonschema.context import Ctx
from persona_gen.importers._jsonschema.keywords import rejects_every_value
from persona_gen.importers._jsonschema.merge import NEVER, Contradiction, merge, never
from persona_gen.importers._jsonschema.one_way import flags_of
from persona_gen.values.ecma_regex import compile_ecma

if TYPE_CHECKING:
    from persona_gen.importers._jsonschema.convert import Converter

__all__ = ["ObjectKeywords"]


class KeyPattern(NamedTuple):
    """One ``patternProperties`` entry: its pattern as written, compiled, and its schema."""

    source: str
    rx: re.Pattern[str]
    schema: Schema


class ObjectKeywords:
    """The object keywords of one import (``Converter.objects``)."""

    def __init__(self, conv: Converter) -> None:
        self.conv = conv

    def object_schema(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        """``schema`` (of type object) with the keywords of objects ``node`` has."""
        props = node.get("properties")
        props = {} if props is None else props
        if not isinstance(props, dict):
            raise self.conv.error(ctx, "properties must be an object", "properties")
        required_list = node.get("required") or []
        if not isinstance(required_list, list) or not all(
            isinstance(r, str) for r in required_list
        ):
            if isinstance(required_list, bool):  # draft 3 style on a property: ignore
                required_list = []
            else:
                raise self.conv.error(ctx, "required must be a list of strings", "required")
        required = list(dict.fromkeys(required_list))
        patterns = self._patterns(node, ctx)
        extra = node.get("additionalProperties")
        if extra is None and node.get("unevaluatedProperties") is False:
            extra = False
        fields: list[Field] = []
        for name, sub in props.items():
            sctx = ctx.at("properties", name)
            if rejects_every_value(sub):
                if name in required:
                    self.conv.warn(sctx, "property is required but its schema is false")
                continue
            fs = self._property(name, sub, patterns, name in required, sctx)
            # (its readOnly / writeOnly may sit behind its $ref or in an allOf part)
            fields.append(Field(name, fs, name in required, *flags_of(sub, ctx.resolver)))
        names = {f.name for f in fields}
        for name in required:
            if name not in names:
                fields.append(Field(name, self._undeclared(name, patterns, extra, ctx), True))
                names.add(name)
        min_props = self.conv.typed.count(node, "minProperties", ctx)
        max_props = self.conv.typed.count(node, "maxProperties", ctx)
        closed = extra is False
        values = None
        if isinstance(extra, dict) and extra:
            values = self._property("", extra, [], False, ctx.at("additionalProperties"))
        names_rule = node.get("propertyNames")
        keys = _key_rules(names_rule)
        if not fields and (
            (closed and patterns)
            or (not closed and (patterns or values is not None or min_props or keys))
        ):
            return self._map(schema, node, patterns, values, closed, keys, ctx)
        if names_rule is not None and names_rule not in (True, {}):
            self.conv.warn(ctx, "propertyNames: key constraints are not expressed")
        if patterns and closed:
            self.conv.warn(ctx, "patternProperties: keys matching the patterns are not generated")
        elif patterns and fields:
            self.conv.warn(
                ctx, "patternProperties: extra keys matching the patterns are not generated"
            )
        fields = self._property_counts(fields, min_props, max_props, closed, ctx)
        return replace(
            schema,
            fields=tuple(fields),
            closed=closed,
            values=values,
            min_items=min_props,
            max_items=max_props,
        )

    def _property(
        self,
        name: str,
        sub: Any,
        patterns: list[KeyPattern],
        required: bool,
        ctx: Ctx,
    ) -> Schema:
        """A property's schema (``additionalProperties`` without ``name``), with those of
        the patterns its name matches. One no value fits is ``NEVER`` when optional (kept
        until the entity is made, so that no other part brings it back)."""
        try:
            schema = self.conv.convert(sub, ctx)
            for key in patterns:
                if key.rx.search(name):
                    schema = merge(schema, key.schema, self.conv.warner(ctx), self.conv.refs)
        except Contradiction as exc:
            exc = self.conv.located(exc, ctx)
            if required:
                raise exc from None
            what = "this property, so it is" if name else "them, so no other property is"
            self.conv.warn(
                ctx, f"no value fits {what} never generated: {exc.detail(self.conv.where(ctx))}"
            )
            return NEVER
        return schema

    def _undeclared(self, name: str, patterns: list[KeyPattern], extra: Any, ctx: Ctx) -> Schema:
        """A property required but not declared: the patterns it matches say what it holds
        (an OpenAPI Reference: required [$ref], patternProperties {^\\$ref$: uri}), else
        additionalProperties."""
        matched = [key.schema for key in patterns if key.rx.search(name)]
        out = Schema("any")
        for pschema in matched:
            out = merge(out, pschema, self.conv.warner(ctx), self.conv.refs)
        if not matched and isinstance(extra, dict) and extra:
            out = self.conv.convert(extra, ctx.at("additionalProperties"))
        return out

    def _map(
        self,
        schema: Schema,
        node: dict[str, Any],
        patterns: list[KeyPattern],
        values: Schema | None,
        closed: bool,
        keys: dict[str, Any] | None,
        ctx: Ctx,
    ) -> Schema:
        """An object of free keys: values fit every pattern a key may match; keys fit
        ``propertyNames`` and, when no other key is allowed, one of the patterns."""
        merged = values or Schema("any")
        try:
            for key in patterns:
                merged = merge(merged, key.schema, self.conv.warner(ctx), self.conv.refs)
        except Contradiction as exc:  # (no entry fits: an empty map, if one may be)
            self.conv.warn(ctx, f"no property value fits: {exc.detail(self.conv.where(ctx))}")
            merged = NEVER
        rules: dict[str, Any] = {}
        if keys is None:
            self.conv.warn(ctx, "propertyNames: key constraints are not expressed")
        else:
            rules = dict(keys)
        if closed:
            sources = [key.source for key in patterns]
            either = sources[0] if len(sources) == 1 else "|".join(f"(?:{p})" for p in sources)
            if "pattern" in rules and rules["pattern"] != either:
                self.conv.warn(
                    ctx, "propertyNames: pattern beside patternProperties is not enforced"
                )
            rules["pattern"] = either
        return replace(
            schema,
            type="map",
            values=merged,
            min_items=self.conv.typed.count(node, "minProperties", ctx),
            max_items=self.conv.typed.count(node, "maxProperties", ctx),
            **rules,
        )

    def _patterns(self, node: dict[str, Any], ctx: Ctx) -> list[KeyPattern]:
        raw = node.get("patternProperties")
        raw = {} if raw is None else raw
        if not isinstance(raw, dict):
            raise self.conv.error(ctx, "patternProperties must be an object", "patternProperties")
        out = []
        for pattern, sub in raw.items():
            try:
                rx = compile_ecma(pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                self.conv.warn(
                    ctx,
                    f"patternProperties: {pattern!r} is not a Python regular "
                    f"expression ({exc}); not expressed",
                )
                continue
            try:
                pschema = self.conv.convert(sub, ctx.at("patternProperties", pattern))
            except Contradiction:  # (said where a property or a map meets it)
                pschema = NEVER
            out.append(KeyPattern(pattern, rx, pschema))
        return out

    def _property_counts(
        self, fields: list[Field], low: int | None, high: int | None, closed: bool, ctx: Ctx
    ) -> list[Field]:
        out = list(fields)
        if low is not None:
            have = sum(f.required for f in out)
            for i, f in enumerate(out):
                if have >= low:
                    break
                if not f.required and not never(f.schema):
                    out[i] = replace(f, required=True, counted=True)
                    have += 1
            if have < low:
                self.conv.warn(ctx, f"minProperties {low}: not enough declared properties to fill")
        if high is not None:
            have = sum(f.required for f in out)
            if have > high:
                self.conv.warn(
                    ctx, f"maxProperties {high}: more properties are required than allowed"
                )
            optional = [f for f in out if not f.required]
            dropped = optional[max(0, high - have) :]
            if dropped:
                self.conv.warn(
                    ctx,
                    f"maxProperties {high}: optional properties "
                    f"{[f.name for f in dropped]} are not generated",
                )
                gone = {f.name for f in dropped}
                out = [f for f in out if f.name not in gone]
        return out


_KEY_RULES = {"pattern": "pattern", "minLength": "min_length", "maxLength": "max_length"}
_KEY_IGNORED = frozenset({"type", "description", "title", "$comment", "examples"})


def _key_rules(rule: Any) -> dict[str, Any] | None:
    """``propertyNames`` as a map's key constraints (``{}`` when it says nothing); None
    when it says more than a pattern and lengths (or the pattern is not Python's)."""
    if rule is None or rule is True or rule == {}:
        return {}
    if not isinstance(rule, dict) or rule.get("type", "string") != "string":
        return None
    if any(k not in _KEY_RULES and k not in _KEY_IGNORED for k in rule):
        return None
    out: dict[str, Any] = {}
    for key, attr in _KEY_RULES.items():
        value = rule.get(key)
        if value is None:
            continue
        if key == "pattern":
            if not isinstance(value, str):
                return None
            try:
                compile_ecma(value)
            except (re.error, RecursionError, OverflowError):
                return None
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return None
        out[attr] = value
    return out
