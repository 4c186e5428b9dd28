"""A JSON Schema node's own keywords, read once per type it declares (or implies).

``plain`` reads ``type`` (a list of types is a union of one option per type the node's
other keywords leave a value of), ``nullable``, ``description`` and ``default``; each type's
schema takes the members of ``enum`` and the ``const`` that are of its type, and the
keywords of strings (``format``, ``pattern``, lengths), numbers (bounds, exclusive bounds,
``multipleOf``, integer formats) or arrays (``items``, tuples, ``contains``, counts).
Objects are read by ``objects``. A keyword whose value is malformed is a
``SchemaImportError``; one the model cannot honour is a warning.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from persona_gen._moments import bound_problem, tightened
from persona_gen.entities.model import Schema
from persona_gen.importers._jsonschema.context import Ctx
from persona_gen.importers._jsonschema.keywords import excludes_null, infer_type
from persona_gen.importers._jsonschema.merge import (
    NEVER,
    Contradiction,
    fits_type,
    fitted,
    merge,
)
from persona_gen.values.ecma_regex import compile_ecma

if TYPE_CHECKING:
    from persona_gen.importers._jsonschema.convert import Converter

__all__ = ["TypedKeywords"]

_TYPES = frozenset({"string", "integer", "number", "boolean", "null", "object", "array"})
_INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class TypedKeywords:
    """The keywords of each type of one import (``Converter.typed``)."""

    def __init__(self, conv: Converter) -> None:
        self.conv = conv

    def plain(self, node: dict[str, Any], ctx: Ctx) -> Schema:
        """A node's own keywords (not its ``allOf`` / ``oneOf`` / ``anyOf``)."""
        declared = node.get("type")
        types: list[str]
        if declared is None:
            types = [infer_type(node)]
        elif isinstance(declared, str):
            types = [declared]
        elif isinstance(declared, list) and all(isinstance(t, str) for t in declared):
            types = list(dict.fromkeys(declared))
            if not types:
                raise self.conv.error(ctx, "type is an empty list, so no value fits", "type")
        else:
            raise self.conv.error(ctx, "type must be a string or a list of strings", "type")
        for t in types:
            if t not in _TYPES and t not in ("any", "file"):
                raise self.conv.error(ctx, f"unknown type '{t}'", "type")
        nullable = "null" in types and len(types) > 1
        real = [t for t in types if t != "null"] if nullable else types
        if declared is None and real != ["any"] and _lists_null(node):
            # No type, and an enum of strings and null: the type is inferred from the other
            # members, and null stays a value (as ``type: [string, "null"]`` says it).
            nullable = True
        if self.conv.flavour.nullable_keyword and node.get("nullable") is True:
            if declared is None:
                self.conv.warn(ctx, "nullable without type has no effect in OpenAPI 3.0")
            elif excludes_null(node):
                # OAS 3.0.3: nullable does not add null to an enum (nor to a const), and
                # openapi-schema-validator rejects null there.
                self.conv.warn(ctx, "nullable: null is not in the enum, so no nulls are made")
            else:
                nullable = True
        extension = next((k for k in ("x-nullable", "x-isnullable") if node.get(k) is True), None)
        if extension is not None and not nullable:
            # (go-swagger and NSwag read it; openapi-spec-validator, jsonschema and check do
            # not, so a null there fails the spec as its validators read it)
            self.conv.warn(
                ctx,
                f"{extension} is a vendor extension the spec's validators ignore: no nulls "
                "are made, and a null there is labelled invalid",
            )
        if nullable and excludes_null(node):  # type [X, "null"] with an enum without null
            nullable = False
        schema = self._types(real, node, ctx)
        if not (nullable or schema.nullable) and _lists_null(node) and real != ["any"]:
            # ``type: string, enum: [a, null]`` (or OpenAPI 3.0 without ``nullable``): null
            # fails the type, so it is no value; the other members are.
            self.conv.warn(ctx, "enum lists null, which the type does not allow: no nulls are made")
            schema = _without_null_members(schema)
        changes: dict[str, Any] = {"nullable": nullable or schema.nullable}
        description = node.get("description")
        if isinstance(description, str):
            changes["description"] = description
        if "default" in node:
            changes.update(default=node["default"], has_default=True)
        return replace(schema, **changes)

    def _types(self, kinds: list[str], node: dict[str, Any], ctx: Ctx) -> Schema:
        """A node of several types: a union of one option per type its other keywords
        leave a value of (``enum: ["a", 5], maxLength: 0`` leaves integers)."""
        options: list[Schema] = []
        failed: list[Contradiction] = []
        for kind in kinds:
            try:
                options.append(self._typed(kind, node, ctx))
            except Contradiction as exc:
                failed.append(exc)
        if not options:
            raise failed[0]
        return options[0] if len(options) == 1 else Schema("union", variants=tuple(options))

    def _typed(self, kind: str, node: dict[str, Any], ctx: Ctx) -> Schema:
        """One type's schema of a node: a const or enum member its bounds exclude is no
        value of it (``Contradiction`` when none is left)."""
        return fitted(self._kind(kind, node, ctx))

    def _kind(self, kind: str, node: dict[str, Any], ctx: Ctx) -> Schema:
        if kind == "file":
            return Schema("string", format="binary")
        schema = Schema(kind)
        if "enum" in node:
            enum = node["enum"]
            if not isinstance(enum, list):
                raise self.conv.error(ctx, "enum must be a list", "enum")
            members = tuple(v for v in enum if v is None or fits_type(v, kind))
            if not members and enum:
                self.conv.warn(ctx, f"enum has no member of type '{kind}'")
            schema = replace(schema, enum=members or None)
        if "const" in node:
            schema = replace(schema, const=node["const"], has_const=True)
        if kind == "string":
            return self._string(schema, node, ctx)
        if kind in ("integer", "number"):
            return self._number(schema, node, ctx)
        if kind == "object":
            return self.conv.objects.object_schema(schema, node, ctx)
        if kind == "array":
            return self._array(schema, node, ctx)
        return schema

    def _string(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        fmt = node.get("format")
        if isinstance(fmt, str):
            schema = replace(schema, format=fmt)
        elif node.get("contentEncoding") == "base64":
            schema = replace(schema, format="byte")
        pattern = node.get("pattern")
        if pattern is not None:
            if not isinstance(pattern, str):
                raise self.conv.error(ctx, "pattern must be a string", "pattern")
            try:
                # (kept as ECMA spells it: generation and check read its \p{...} alike)
                compile_ecma(pattern)
                schema = replace(schema, pattern=pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                self.conv.warn(
                    ctx,
                    f"pattern {pattern!r} is not a Python regular expression ({exc}); not enforced",
                )
        schema = replace(
            schema,
            min_length=self.count(node, "minLength", ctx),
            max_length=self.count(node, "maxLength", ctx),
        )
        return self._moment_bounds(schema, node, ctx)

    def _moment_bounds(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        """ajv-formats' ``formatMinimum`` and ``formatMaximum`` on a date or date-time, each
        made exclusive by ``formatExclusiveMinimum: true`` (ajv 6) or given as one
        (``formatExclusiveMinimum: "2024-01-01"``, ajv-formats 2)."""
        for above, bound, strict in (
            (True, "formatMinimum", "formatExclusiveMinimum"),
            (False, "formatMaximum", "formatExclusiveMaximum"),
        ):
            value, flag = node.get(bound), node.get(strict)
            given = [(value, flag is True)] if value is not None else []
            if flag is not None and not isinstance(flag, bool):
                given.append((flag, True))
            for text, exclusive in given:
                key = bound if text is value else strict
                problem = bound_problem(schema.format, text)
                if problem is not None:
                    self.conv.warn(ctx, f"{key}: {problem}; not enforced")
                    continue
                schema = tightened(schema, text, above=above, exclusive=exclusive)
        return schema

    def _number(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        low, high = self._num(node, "minimum", ctx), self._num(node, "maximum", ctx)
        ex_low, ex_high = False, False
        exmin, exmax = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
        if isinstance(exmin, bool):  # draft 4 / OpenAPI 3.0: a flag on minimum
            ex_low = exmin and low is not None
        elif exmin is not None:
            value = self._num(node, "exclusiveMinimum", ctx)
            if value is not None and (low is None or value >= low):
                low, ex_low = value, True
        if isinstance(exmax, bool):
            ex_high = exmax and high is not None
        elif exmax is not None:
            value = self._num(node, "exclusiveMaximum", ctx)
            if value is not None and (high is None or value <= high):
                high, ex_high = value, True
        fmt = node.get("format")
        if isinstance(fmt, str):
            schema = replace(schema, format=fmt)
            if schema.type == "integer" and fmt in _INT_FORMATS:
                lo, hi = _INT_FORMATS[fmt]
                low = lo if low is None else max(low, lo)
                high = hi if high is None else min(high, hi)
        step = self._num(node, "multipleOf", ctx)
        if step is not None and step < 0:
            # (validators test value / step or value % step: the multiples of |step| pass)
            self.conv.warn(ctx, f"multipleOf must be greater than 0; {-step:g} is used")
            step = -step
        if step is not None and step <= 0:
            self.conv.warn(ctx, "multipleOf must be greater than 0; ignored")
            step = None
        if step is not None and step < sys.float_info.min:
            # (a subnormal step: its count of steps overflows, so no grid can be drawn on)
            self.conv.warn(ctx, f"multipleOf {step:g} is too small to honour; ignored")
            step = None
        return replace(
            schema,
            minimum=low,
            maximum=high,
            exclusive_minimum=ex_low,
            exclusive_maximum=ex_high,
            multiple_of=step,
        )

    def _array(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        items = node.get("items")
        prefix = node.get("prefixItems")
        rest: Any = None
        if isinstance(items, list):  # draft 4-2019: the tuple form
            prefix, rest = items, node.get("additionalItems")
        elif prefix is not None:
            rest = items
        item: Schema | None = None
        max_items = self.count(node, "maxItems", ctx)
        min_items = self.count(node, "minItems", ctx)
        if isinstance(prefix, list) and prefix:
            key = "prefixItems" if "prefixItems" in node else "items"
            parts = [self.conv.convert(p, ctx.at(key, i)) for i, p in enumerate(prefix)]
            item = parts[0]
            for p in parts[1:]:
                item = merge(item, p, self.conv.warner(ctx), self.conv.refs)
            if rest is not None and rest is not False and rest is not True:
                item = merge(
                    item,
                    self.conv.convert(rest, ctx.at("items")),
                    self.conv.warner(ctx),
                    self.conv.refs,
                )
            if rest is False:
                max_items = len(prefix) if max_items is None else min(max_items, len(prefix))
            self.conv.warn(
                ctx, f"{key}: a tuple is generated with one item type for every position"
            )
        elif items is False:  # no item is valid: only the empty array
            max_items = 0
        elif isinstance(items, dict | bool):
            try:
                item = self.conv.convert(items, ctx.at("items"))
            except Contradiction as exc:
                if min_items:
                    raise
                self.conv.warn(
                    ctx.at("items"),
                    "no value fits the items, so arrays are generated empty: "
                    f"{exc.detail(self.conv.where(ctx.at('items')))}",
                )
                item = NEVER
        elif items is not None:
            raise self.conv.error(ctx, "items must be a schema or a list of schemas", "items")
        contains = node.get("contains")
        if contains is not None and contains is not True:
            wanted = self.conv.convert(contains, ctx.at("contains"))
            item = (
                wanted
                if item is None
                else merge(item, wanted, self.conv.warner(ctx), self.conv.refs)
            )
            least = self.count(node, "minContains", ctx)
            least = 1 if least is None else least
            min_items = least if min_items is None else max(min_items, least)
            most = self.count(node, "maxContains", ctx)
            if most is not None:
                # Every item is drawn to pass ``contains``, so each one counts towards it.
                if most < min_items:
                    self.conv.warn(ctx, "maxContains: not expressed")
                else:
                    max_items = most if max_items is None else min(max_items, most)
        unique = node.get("uniqueItems") is True
        return replace(
            schema, items=item, min_items=min_items, max_items=max_items, unique_items=unique
        )

    # -- keyword values --------------------------------------------------------------------

    def count(self, node: dict[str, Any], key: str, ctx: Ctx) -> int | None:
        """The value of a count keyword (``minLength``, ``maxItems``…), if given."""
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.conv.error(ctx, f"{key} must be a non-negative integer", key)
        if isinstance(value, float) and not value.is_integer():
            raise self.conv.error(ctx, f"{key} must be a non-negative integer", key)
        return int(value)

    def _num(self, node: dict[str, Any], key: str, ctx: Ctx) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.conv.error(ctx, f"{key} must be a number", key)
        if isinstance(value, float) and not math.isfinite(value):
            if (value > 0) == key.lower().endswith("minimum"):
                return value  # (a lower bound of +inf, an upper of -inf: no number fits)
            self.conv.warn(ctx, f"{key} {value} is not finite; ignored")
            return None
        return value


def _lists_null(node: dict[str, Any]) -> bool:
    """Whether ``node``'s enum has null among its members."""
    enum = node.get("enum")
    return isinstance(enum, list) and any(v is None for v in enum)


def _without_null_members(schema: Schema) -> Schema:
    """``schema`` (each option of a union) without null among its enum's members (an enum
    left empty stays so: no value fits, as the feasibility check then says)."""
    if schema.variants:
        return replace(schema, variants=tuple(map(_without_null_members, schema.variants)))
    if schema.enum is None or not any(v is None for v in schema.enum):
        return schema
    return replace(schema, enum=tuple(v for v in schema.enum if v is not None))
