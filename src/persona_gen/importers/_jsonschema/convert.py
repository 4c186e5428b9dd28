"""JSON Schema (and the OpenAPI dialects of it) → the neutral entity model.

One ``Converter`` per import. Named entities are registered first (in file order); every
``$ref`` becomes a ``ref`` to an entity (an unlisted one is made for targets that are not
listed), so recursive schemas terminate. ``allOf`` parts are inlined and merged; ``oneOf`` /
``anyOf`` become unions. What the model cannot say is reported as a warning
``"<location>: <what was not expressed>"``.
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import referencing.exceptions
from referencing import Specification
from referencing._core import Resolver
from referencing.jsonschema import specification_with

from persona_gen._json import json_type
from persona_gen.entities.model import Entity, Field, Schema, XmlName
from persona_gen.errors import SchemaImportError
from persona_gen.importers._jsonschema.documents import DocumentSet, pointer_parts
from persona_gen.importers._jsonschema.merge import (
    NEVER,
    Contradiction,
    Refs,
    distinct,
    fits_type,
    fitted,
    is_trivial,
    merge,
    never,
)
from persona_gen.importers._jsonschema.never import settle_impossible, without_never

__all__ = ["Converter", "Ctx", "Flavour"]

# Keywords that only annotate: beside a $ref they add no constraint.
_ANNOTATIONS = frozenset(
    {
        "$ref", "$dynamicRef", "$recursiveRef", "$id", "id", "$schema", "$anchor",
        "$dynamicAnchor", "$recursiveAnchor", "$comment", "$defs", "definitions", "title",
        "description", "example", "examples", "default", "deprecated", "readOnly",
        "writeOnly", "xml", "externalDocs", "discriminator", "nullable", "format",
        "contentMediaType", "contentEncoding",
    }
)  # fmt: skip
_CONDITIONAL_KEYS = frozenset({"if", "then", "else"})
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties",
                "minProperties", "maxProperties", "propertyNames", "dependentRequired",
                "unevaluatedProperties")  # fmt: skip
_ARRAY_KEYS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains",
               "additionalItems")  # fmt: skip
_STRING_KEYS = ("minLength", "maxLength", "pattern")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_TYPES = frozenset({"string", "integer", "number", "boolean", "null", "object", "array"})
_INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_STRING_FORMATS = frozenset(
    {"date-time", "date", "time", "email", "uri", "uuid", "hostname", "ipv4", "ipv6", "byte",
     "binary", "password", "duration", "uri-reference", "iri", "idn-email", "regex",
     "json-pointer"}
)  # fmt: skip


@dataclass(frozen=True)
class Flavour:
    """How one dialect differs: which keywords it has and which the validator honours."""

    name: str  # "jsonschema", "openapi-3.0", "openapi-3.1", "swagger-2.0"
    nullable_keyword: bool = False  # OpenAPI 3.0 `nullable: true`
    openapi: bool = False


@dataclass(frozen=True)
class Ctx:
    """Where conversion is: the resolver for $refs, the dialect, and the location for messages."""

    resolver: Resolver[Any]
    spec: Specification[Any]
    base: str  # the base URI $refs are relative to
    doc: str  # URI of the document holding this schema
    parts: tuple[Hashable, ...]  # JSON pointer parts of this schema inside ``doc``
    inlining: frozenset[int] = frozenset()  # ids of $ref targets being inlined (allOf)

    def at(self, *keys: Hashable) -> Ctx:
        return replace(self, parts=(*self.parts, *keys))


class Converter:
    """Turns schema dictionaries into entities, collecting warnings."""

    def __init__(self, docs: DocumentSet, flavour: Flavour) -> None:
        self.docs = docs
        self.flavour = flavour
        self.entities: dict[str, Entity] = {}
        self.names: dict[int, str] = {}  # id(schema dict) -> entity name
        self.sources: dict[str, str] = {}  # entity name -> absolute URI of its schema
        self.warnings: list[str] = []
        # id(schema dict) -> (property, values): a discriminator value the entity carries
        self.patches: dict[int, tuple[str, tuple[Any, ...]]] = {}
        self._queue: list[tuple[str, Any, Ctx]] = []
        self._contents: dict[str, tuple[Any, Ctx]] = {}
        self._dereferencing: set[str] = set()
        self._taken: set[str] = set()
        self._merged: dict[str, Schema] = {}  # entities made by merging recursive references
        # entity -> why no value fits it (its schema is then ``NEVER``): import-schema refuses
        # it, and what needs it, when chosen
        self.impossible: dict[str, Contradiction] = {}
        # Whether to keep OpenAPI's ``xml`` hints (an operation sends or replies XML).
        self.keep_xml = False
        self.refs = Refs(self._deref, self._keep_merged, self._dereferencing.__contains__)
        # Imported here: ``branches`` is built on this module's helpers.
        from persona_gen.importers._jsonschema.branches import Branches

        self.branches = Branches(self)

    # -- entities --------------------------------------------------------------------------

    def add(self, name: str, contents: Any, ctx: Ctx) -> str:
        """Register a named entity (listed ones first, in file order); returns its name."""
        name = self._unique(name)
        if isinstance(contents, dict) and id(contents) not in self.names:
            self.names[id(contents)] = name
        self.sources[name] = _uri(ctx.doc, ctx.parts)
        self._contents[name] = (contents, ctx)
        self._queue.append((name, contents, ctx))
        return name

    def run(self) -> dict[str, Entity]:
        """Convert every registered entity, and those their references reach."""
        while True:
            while self._queue:
                name, contents, ctx = self._queue.pop(0)
                try:
                    schema = self.convert(contents, ctx)
                except RecursionError:
                    raise self.error(ctx, "schema is nested too deeply to import") from None
                except Contradiction as exc:
                    self.impossible[name] = exc
                    schema = NEVER
                patch = self.patches.get(id(contents)) if isinstance(contents, dict) else None
                if patch is not None and not never(schema):
                    schema = _discriminate(schema, *patch)
                self.entities[name] = Entity(name, schema)
            if not self.refs.settle():  # merges put off may reach new entities
                break
        self._settle_impossible()
        return self.entities

    def _settle_impossible(self) -> None:
        """Leave out what no value fits where it may be left out, until every entity either
        has none or is itself one no value fits (``impossible``; see ``never``)."""
        self.impossible.update(self.refs.failed)
        settle_impossible(self.entities, self.impossible, self._warn_at)

    def standalone(self, node: Any, ctx: Ctx) -> Schema:
        """The schema of a node that is no entity's (an OpenAPI parameter's), without the
        optional parts no value fits (a ``SchemaImportError`` where one is needed)."""
        schema = self.convert(node, ctx)
        try:
            return without_never(schema)
        except Contradiction as exc:
            raise self.located(exc, ctx) from None

    def unsatisfiable(self) -> tuple[tuple[str, str], ...]:
        """Every entity no value fits, and why (``ImportResult.unsatisfiable``)."""
        return tuple((name, exc.detail()) for name, exc in self.impossible.items())

    def _warn_at(self, entity: str, message: str) -> None:
        """A warning at an entity's own place (one found once its schema is made)."""
        source = self.sources.get(entity, "")
        uri, _, fragment = source.partition("#")
        prefix = "" if uri == self.docs.main.uri else _short(uri)
        text = f"{prefix}#{fragment}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def _unique(self, name: str) -> str:
        base, k = name or "Schema", 2
        while name in self._taken or not name:
            name, k = f"{base}{k}", k + 1
        self._taken.add(name)
        return name

    def _keep_merged(self, name: str, schema: Schema, new: bool) -> str:
        """Keep the merge of two recursive references as an entity: a ``new`` one, named
        after ``name`` (``Node+more``, then ``Node+more2`` for another merge of the same
        base: two different merges never share an entity), else the one ``name`` is."""
        if new:
            name = self._unique(name)
        self._merged[name] = schema
        self.entities[name] = Entity(name, schema)
        return name

    def _deref(self, name: str) -> Schema | None:
        """An entity's schema inlined, for merging a reference with other constraints
        (None for a name being inlined already: ``Refs`` merges it later)."""
        if name in self._merged:
            return self._merged[name]
        found = self._contents.get(name)
        if found is None or name in self._dereferencing:
            return None
        contents, ctx = found
        self._dereferencing.add(name)
        try:
            inner = self.inline(contents, ctx)
        except Contradiction:
            return NEVER  # (a merge with it raises again; its own conversion says why)
        finally:
            self._dereferencing.discard(name)
        if isinstance(contents, dict) and id(contents) in self.patches:
            inner = _discriminate(inner, *self.patches[id(contents)])
        return inner

    # -- messages --------------------------------------------------------------------------

    def where(self, ctx: Ctx) -> str:
        prefix = "" if ctx.doc == self.docs.main.uri else _short(ctx.doc)
        return prefix + _uri("", ctx.parts) if ctx.parts else f"{prefix}#"

    def warn(self, ctx: Ctx, message: str) -> None:
        text = f"{self.where(ctx)}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def error(self, ctx: Ctx, message: str, *extra: Hashable) -> SchemaImportError:
        doc = self.docs.document(ctx.doc)
        line = doc.line_of((*ctx.parts, *extra)) if doc is not None else None
        path = doc.path if doc is not None else ctx.doc
        return SchemaImportError(f"{message} (at {self.where(ctx)})", path, line)

    # -- schemas ---------------------------------------------------------------------------

    def located(self, exc: Contradiction, ctx: Ctx) -> Contradiction:
        """``exc`` with where it is (the innermost node it was found in)."""
        if exc.where is not None:
            return exc
        doc = self.docs.document(ctx.doc)
        line = doc.line_of(ctx.parts) if doc is not None else None
        path = str(doc.path) if doc is not None else ctx.doc
        return Contradiction(exc.reason, self.where(ctx), path, line)

    def convert(self, node: Any, ctx: Ctx) -> Schema:
        """The neutral schema of one JSON Schema node (``Contradiction`` when no value fits
        it)."""
        try:
            return self._convert(node, ctx)
        except Contradiction as exc:
            raise self.located(exc, ctx) from None

    def _convert(self, node: Any, ctx: Ctx) -> Schema:
        if node is True:
            return Schema("any")
        if node is False:
            self.warn(ctx, "false schema (no value is valid) is not expressed")
            return Schema("any")
        if not isinstance(node, dict):
            raise self.error(ctx, f"a schema must be an object or boolean, not {_kind(node)}")
        ctx = self._enter(node, ctx)
        ref = _ref_of(node)
        schema = (
            self._ref_with_siblings(node, ref, ctx)
            if ref is not None
            else self._combined(node, ctx)
        )
        if self.keep_xml and "xml" in node:
            schema = self._xml(schema, node["xml"], ctx)
        return schema

    def _xml(self, schema: Schema, raw: Any, ctx: Ctx) -> Schema:
        """OpenAPI's ``xml`` object: how the value is written in XML (name, namespace,
        prefix, attribute, wrapped); one that is not an object is warned about."""
        if not isinstance(raw, dict):
            self.warn(ctx.at("xml"), f"xml must be an object, not {_kind(raw)}; ignored")
            return schema
        texts = {k: raw[k] for k in ("name", "namespace", "prefix") if isinstance(raw.get(k), str)}
        flags = {k: raw[k] for k in ("attribute", "wrapped") if isinstance(raw.get(k), bool)}
        return replace(schema, xml=XmlName(**texts, **flags))

    def inline(self, node: Any, ctx: Ctx) -> Schema:
        """Like ``convert`` but a top-level $ref is expanded in place (for merging)."""
        if not isinstance(node, dict):
            return self.convert(node, ctx)
        try:
            return self._inline(node, self._enter(node, ctx))
        except Contradiction as exc:
            raise self.located(exc, ctx) from None

    def _inline(self, node: dict[str, Any], ctx: Ctx) -> Schema:
        ref = _ref_of(node)
        if ref is None:
            return self._combined(node, ctx)
        if not isinstance(ref, str):
            raise self.error(ctx, "$ref must be a string", "$ref")
        target, tctx = self.resolve(ref, ctx)
        if target is None:
            return Schema("any")
        if id(target) in ctx.inlining:  # recursion: refer to it instead of expanding again
            if not isinstance(target, dict):
                return Schema("any")
            name = self.names.get(id(target)) or self.add(
                self._name_for(ref, target, tctx), target, tctx
            )
            return Schema("ref", ref=name)
        inner = self.inline(target, replace(tctx, inlining=ctx.inlining | {id(target)}))
        if isinstance(target, dict) and id(target) in self.patches:
            inner = _discriminate(inner, *self.patches[id(target)])
        rest = {k: v for k, v in node.items() if k not in _REF_KEYS}
        if _has_constraints(rest):
            inner = merge(inner, self._combined(rest, ctx), self._warner(ctx), self.refs)
            inner = self._drop_forbidden(inner, [rest], ctx)
        return inner

    def resolve(self, ref: str, ctx: Ctx) -> tuple[Any, Ctx]:
        """The target of ``ref`` and the context to convert it in; (None, ctx) if remote."""
        try:
            resolved = ctx.resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            absolute = urldefrag(urljoin(ctx.base, ref))[0]
            failed = self.docs.retrieve_errors.get(absolute)
            if failed is not None:
                raise failed from None
            scheme = urlsplit(absolute).scheme
            local = ref.startswith("#") or scheme in ("", "file") or absolute == ctx.base
            if local or self.docs.document(absolute) is not None:
                raise self.error(ctx, f"unresolvable $ref '{ref}'", "$ref") from None
            self.warn(ctx, f"$ref '{ref}' cannot be fetched (no network); any value is used")
            return None, ctx
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise self.error(ctx, f"invalid $ref '{ref}': {exc}", "$ref") from None
        absolute = urljoin(ctx.base, ref)
        uri, fragment = urldefrag(absolute)
        doc = self.docs.document(uri)
        parts = pointer_parts(fragment)
        target = resolved.contents
        spec = ctx.spec
        if doc is not None:
            spec = self.docs.spec_for(doc.data)
        if isinstance(target, dict) and isinstance(target.get("$schema"), str):
            with contextlib.suppress(referencing.exceptions.CannotDetermineSpecification):
                spec = specification_with(target["$schema"], default=spec)
        tctx = Ctx(
            resolved.resolver,
            spec,
            urldefrag(absolute)[0] if parts is not None else ctx.base,
            doc.uri if doc is not None else uri,
            parts if parts is not None else (f"#{fragment}",),
            ctx.inlining,
        )
        return target, tctx

    def _enter(self, node: dict[str, Any], ctx: Ctx) -> Ctx:
        """A node with its own $id (id in draft 4) moves the base URI."""
        if "$id" not in node and "id" not in node:
            return ctx
        try:
            resource = ctx.spec.create_resource(node)
            ident = resource.id()
        except (TypeError, ValueError, AttributeError):
            return ctx
        if not isinstance(ident, str) or not ident or ident.startswith("#"):
            return ctx
        return replace(
            ctx,
            resolver=ctx.resolver.in_subresource(resource),
            base=urldefrag(urljoin(ctx.base, ident))[0],
        )

    def _ref_with_siblings(self, node: dict[str, Any], ref: str, ctx: Ctx) -> Schema:
        if not isinstance(ref, str):
            raise self.error(ctx, "$ref must be a string", "$ref")
        target, tctx = self.resolve(ref, ctx)
        if target is None:
            return Schema("any")
        if self.flavour.nullable_keyword and node.get("nullable") is True:
            self.warn(ctx, "nullable beside $ref has no effect in OpenAPI 3.0; no nulls are made")
        rest = {k: v for k, v in node.items() if k not in _REF_KEYS}
        if _has_constraints(rest):
            return self._inline(node, ctx)
        if not isinstance(target, dict):
            return self.convert(target, tctx)
        name = self.names.get(id(target))
        if name is None:
            name = self.add(self._name_for(ref, target, tctx), target, tctx)
        out = Schema("ref", ref=name)
        description = node.get("description")
        if isinstance(description, str):
            out = replace(out, description=description)
        return out

    def _name_for(self, ref: str, target: dict[str, Any], ctx: Ctx) -> str:
        if ctx.parts and isinstance(ctx.parts[-1], str) and not ctx.parts[-1].startswith("#"):
            last = str(ctx.parts[-1])
            if last not in self._taken or ctx.doc == self.docs.main.uri:
                return last
            return f"{_stem(ctx.doc)}.{last}"
        title = target.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
        if ctx.parts and str(ctx.parts[-1]).startswith("#"):
            return str(ctx.parts[-1])[1:] or _stem(ctx.doc)
        return _stem(ctx.doc)

    def _combined(self, node: dict[str, Any], ctx: Ctx) -> Schema:
        """A node without a top-level $ref: its own keywords, then allOf, then oneOf/anyOf."""
        schema = self._own(node, ctx)
        one_of, any_of = node.get("oneOf"), node.get("anyOf")
        if one_of is not None and any_of is not None:
            self.warn(ctx, "anyOf beside oneOf is not expressed; oneOf is used")
        choice, key = (one_of, "oneOf") if one_of is not None else (any_of, "anyOf")
        if choice is not None:
            schema = self._union(schema, node, _list(choice, key, self, ctx), key, ctx)
        schema = self._dependencies(node, schema, ctx)
        schema = self._conditionals(schema, node, ctx)
        self._unsupported(node, ctx)
        return schema

    def _own(self, node: dict[str, Any], ctx: Ctx, kind: str | None = None) -> Schema:
        """A node's own keywords and its allOf parts; with ``kind``, as if it declared that
        type (the keywords of other types do not apply to such values)."""
        warn = self._warner(ctx)
        schema = self._plain(node if kind is None else {**node, "type": kind}, ctx)
        all_of = node.get("allOf")
        parts: list[Any] = []
        if all_of is not None:
            parts = _list(all_of, "allOf", self, ctx)
            parts = [_without_conditionals(p) for p in parts]  # (split by ``_conditionals``)
            for i, plain in enumerate(parts):
                merged = merge(schema, self.inline(plain, ctx.at("allOf", i)), warn, self.refs)
                if merged.type == "union" and schema.type != "union" and _has(plain, "oneOf"):
                    # (each option now holds the base's fields: one option's own field is
                    # then also in the others, so set them apart again)
                    options = _exclusive(list(merged.variants), plain["oneOf"])
                    merged = replace(merged, variants=tuple(options))
                schema = merged
        return self._drop_forbidden(schema, [node, *parts], ctx)

    def _drop_forbidden(self, schema: Schema, nodes: list[Any], ctx: Ctx) -> Schema:
        """A part that forbids a property (`name: false`, `not: {required: [name]}`) removes
        what another declares."""
        groups = [g for p in nodes for g in _forbidden(p)]
        if not groups or schema.type != "object":
            return schema
        required = {f.name for f in schema.fields if f.required}
        gone: set[str] = set()
        for names in groups:
            if set(names) <= required:
                self.warn(ctx, f"{names} are required but may not all be present")
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
                exc = self.located(exc, mctx)
                failed.append(exc)
                self.warn(
                    mctx,
                    f"{key}: no value fits this option, so it is left out: "
                    f"{exc.detail(self.where(mctx))}",
                )
                continue
            if variant is not None:
                variants.append(variant)
        if key == "oneOf":
            variants = _exclusive(variants, members)
        variants, repeats = distinct(variants)
        if repeats and key == "oneOf":
            self.warn(
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
                self.inline(member, mctx) if key == "oneOf" and count > 1
                else self.convert(member, mctx)
            )  # fmt: skip
            if variant.type == "any" and base.type != "any":
                return replace(variant, type=base.type)
            if base.type not in ("any", "union") and not _compatible(base.type, variant.type):
                self.warn(
                    mctx,
                    f"{key}: a '{variant.type}' option of a '{base.type}' "
                    "can never match; it is left out",
                )
                return None
            return variant
        found = self.branches.found(member, mctx)
        option = self.inline(_without_conditionals(member), mctx)
        # Keywords of one type beside anyOf/oneOf without a `type` (minItems beside an array
        # option and an object option) constrain only the options of that type.
        if "type" not in node and _typed_keywords(node):
            variant = self._within(base, node, option, ctx)
        elif _apart(self.refs.kinds(base), self.refs.kinds(option)):
            self.warn(
                mctx,
                f"{key}: a '{option.type}' option of a '{base.type}' "
                "can never match; it is left out",
            )
            return None
        else:
            variant = merge(base, option, self._warner(ctx), self.refs)
            # (a property the option forbids is one the base declares)
            variant = self._drop_forbidden(variant, _tree(member), mctx)
        if variant.type == "union" and option.type == "union" and _has(member, "oneOf"):
            # (each option now holds the base's fields: set them apart again)
            parts = _exclusive(list(variant.variants), member["oneOf"])
            variant = replace(variant, variants=tuple(parts))
        if found:  # (its tests read the properties the base declares)
            variant = self.branches.conditioned(variant, found, mctx)
        return variant

    def _within(self, base: Schema, node: dict[str, Any], option: Schema, ctx: Ctx) -> Schema:
        """``option`` with the keywords of ``node`` that apply to its type."""
        if option.type == "union":
            parts = tuple(self._within(base, node, v, ctx) for v in option.variants)
            return replace(option, variants=parts)
        kinds = self.refs.kinds(option)
        if kinds is not None:
            kinds = kinds - {"null"}
        if kinds is None or len(kinds) != 1:
            target = self.refs.deref(option.ref or "") if option.type == "ref" else None
            if target is not None and target.type == "union":
                return self._within(base, node, target, ctx)
            return merge(base, option, self._warner(ctx), self.refs)
        kind = next(iter(kinds))
        if option.type == "integer":
            kind = "integer"
        return merge(self._own(node, ctx, kind), option, self._warner(ctx), self.refs)

    def _conditionals(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        """``if``/``then``/``else`` of the node and of its ``allOf`` parts (``branches``)."""
        return self.branches.conditionals(schema, node, ctx)

    def _warner(self, ctx: Ctx) -> Any:
        return lambda message: self.warn(ctx, message)

    def _unsupported(self, node: dict[str, Any], ctx: Ctx) -> None:
        if "not" in node and not _not_required(node):
            self.warn(ctx, "not: the excluded values are not avoided")
        for key in ("dependentSchemas",):
            if key in node:
                self.warn(ctx, f"{key}: conditional constraints are not expressed")

    # -- one type --------------------------------------------------------------------------

    def _plain(self, node: dict[str, Any], ctx: Ctx) -> Schema:
        declared = node.get("type")
        types: list[str]
        if declared is None:
            types = [_infer_type(node)]
        elif isinstance(declared, str):
            types = [declared]
        elif isinstance(declared, list) and all(isinstance(t, str) for t in declared):
            types = list(dict.fromkeys(declared))
            if not types:
                raise self.error(ctx, "type is an empty list, so no value fits", "type")
        else:
            raise self.error(ctx, "type must be a string or a list of strings", "type")
        for t in types:
            if t not in _TYPES and t not in ("any", "file"):
                raise self.error(ctx, f"unknown type '{t}'", "type")
        nullable = "null" in types and len(types) > 1
        real = [t for t in types if t != "null"] if nullable else types
        if self.flavour.nullable_keyword and node.get("nullable") is True:
            if declared is None:
                self.warn(ctx, "nullable without type has no effect in OpenAPI 3.0")
            elif _excludes_null(node):
                # OAS 3.0.3: nullable does not add null to an enum (nor to a const), and
                # openapi-schema-validator rejects null there.
                self.warn(ctx, "nullable: null is not in the enum, so no nulls are made")
            else:
                nullable = True
        if nullable and _excludes_null(node):  # type [X, "null"] with an enum without null
            nullable = False
        schema = self._types(real, node, ctx)
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
                raise self.error(ctx, "enum must be a list", "enum")
            members = tuple(v for v in enum if v is None or fits_type(v, kind))
            if not members and enum:
                self.warn(ctx, f"enum has no member of type '{kind}'")
            schema = replace(schema, enum=members or None)
        if "const" in node:
            schema = replace(schema, const=node["const"], has_const=True)
        if kind == "string":
            return self._string(schema, node, ctx)
        if kind in ("integer", "number"):
            return self._number(schema, node, ctx)
        if kind == "object":
            return self._object(schema, node, ctx)
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
                raise self.error(ctx, "pattern must be a string", "pattern")
            try:
                re.compile(pattern)
                schema = replace(schema, pattern=pattern)
            except (re.error, RecursionError, OverflowError):
                self.warn(
                    ctx, f"pattern {pattern!r} is not a Python regular expression; not enforced"
                )
        return replace(
            schema,
            min_length=self._count(node, "minLength", ctx),
            max_length=self._count(node, "maxLength", ctx),
        )

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
            self.warn(ctx, f"multipleOf must be greater than 0; {-step:g} is used")
            step = -step
        if step is not None and step <= 0:
            self.warn(ctx, "multipleOf must be greater than 0; ignored")
            step = None
        if step is not None and step < sys.float_info.min:
            # (a subnormal step: its count of steps overflows, so no grid can be drawn on)
            self.warn(ctx, f"multipleOf {step:g} is too small to honour; ignored")
            step = None
        return replace(
            schema,
            minimum=low,
            maximum=high,
            exclusive_minimum=ex_low,
            exclusive_maximum=ex_high,
            multiple_of=step,
        )

    def _object(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        props = node.get("properties")
        props = {} if props is None else props
        if not isinstance(props, dict):
            raise self.error(ctx, "properties must be an object", "properties")
        required_list = node.get("required") or []
        if not isinstance(required_list, list) or not all(
            isinstance(r, str) for r in required_list
        ):
            if isinstance(required_list, bool):  # draft 3 style on a property: ignore
                required_list = []
            else:
                raise self.error(ctx, "required must be a list of strings", "required")
        required = list(dict.fromkeys(required_list))
        patterns = self._patterns(node, ctx)
        extra = node.get("additionalProperties")
        if extra is None and node.get("unevaluatedProperties") is False:
            extra = False
        fields: list[Field] = []
        for name, sub in props.items():
            sctx = ctx.at("properties", name)
            if _never(sub):
                if name in required:
                    self.warn(sctx, "property is required but its schema is false")
                continue
            fs = self._property(name, sub, patterns, name in required, sctx)
            fields.append(Field(name, fs, name in required, *_flags(sub)))
        names = {f.name for f in fields}
        for name in required:
            if name not in names:
                fields.append(Field(name, self._undeclared(name, patterns, extra, ctx), True))
                names.add(name)
        min_props = self._count(node, "minProperties", ctx)
        max_props = self._count(node, "maxProperties", ctx)
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
            self.warn(ctx, "propertyNames: key constraints are not expressed")
        if patterns and closed:
            self.warn(ctx, "patternProperties: keys matching the patterns are not generated")
        elif patterns and fields:
            self.warn(ctx, "patternProperties: extra keys matching the patterns are not generated")
        fields = self._property_counts(fields, min_props, max_props, closed, ctx)
        return replace(schema, fields=tuple(fields), closed=closed, values=values)

    def _property(
        self,
        name: str,
        sub: Any,
        patterns: list[tuple[re.Pattern[str], Schema]],
        required: bool,
        ctx: Ctx,
    ) -> Schema:
        """A property's schema (``additionalProperties`` without ``name``), with those of
        the patterns its name matches. One no value fits is ``NEVER`` when optional (kept
        until the entity is made, so that no other part brings it back)."""
        try:
            schema = self.convert(sub, ctx)
            for rx, pschema in patterns:
                if rx.search(name):
                    schema = merge(schema, pschema, self._warner(ctx), self.refs)
        except Contradiction as exc:
            exc = self.located(exc, ctx)
            if required:
                raise exc from None
            what = "this property, so it is" if name else "them, so no other property is"
            self.warn(ctx, f"no value fits {what} never generated: {exc.detail(self.where(ctx))}")
            return NEVER
        return schema

    def _undeclared(
        self, name: str, patterns: list[tuple[re.Pattern[str], Schema]], extra: Any, ctx: Ctx
    ) -> Schema:
        """A property required but not declared: the patterns it matches say what it holds
        (an OpenAPI Reference: required [$ref], patternProperties {^\\$ref$: uri}), else
        additionalProperties."""
        matched = [pschema for rx, pschema in patterns if rx.search(name)]
        out = Schema("any")
        for pschema in matched:
            out = merge(out, pschema, self._warner(ctx), self.refs)
        if not matched and isinstance(extra, dict) and extra:
            out = self.convert(extra, ctx.at("additionalProperties"))
        return out

    def _map(
        self,
        schema: Schema,
        node: dict[str, Any],
        patterns: list[tuple[re.Pattern[str], Schema]],
        values: Schema | None,
        closed: bool,
        keys: dict[str, Any] | None,
        ctx: Ctx,
    ) -> Schema:
        """An object of free keys: values fit every pattern a key may match; keys fit
        ``propertyNames`` and, when no other key is allowed, one of the patterns."""
        merged = values or Schema("any")
        try:
            for _, pschema in patterns:
                merged = merge(merged, pschema, self._warner(ctx), self.refs)
        except Contradiction as exc:  # (no entry fits: an empty map, if one may be)
            self.warn(ctx, f"no property value fits: {exc.detail(self.where(ctx))}")
            merged = NEVER
        rules: dict[str, Any] = {}
        if keys is None:
            self.warn(ctx, "propertyNames: key constraints are not expressed")
        else:
            rules = dict(keys)
        if closed:
            sources = [rx.pattern for rx, _ in patterns]
            either = sources[0] if len(sources) == 1 else "|".join(f"(?:{p})" for p in sources)
            if "pattern" in rules and rules["pattern"] != either:
                self.warn(ctx, "propertyNames: pattern beside patternProperties is not enforced")
            rules["pattern"] = either
        return replace(
            schema,
            type="map",
            values=merged,
            min_items=self._count(node, "minProperties", ctx),
            max_items=self._count(node, "maxProperties", ctx),
            **rules,
        )

    def _patterns(self, node: dict[str, Any], ctx: Ctx) -> list[tuple[re.Pattern[str], Schema]]:
        raw = node.get("patternProperties")
        raw = {} if raw is None else raw
        if not isinstance(raw, dict):
            raise self.error(ctx, "patternProperties must be an object", "patternProperties")
        out = []
        for pattern, sub in raw.items():
            try:
                rx = re.compile(pattern)
            except (re.error, RecursionError, OverflowError):
                self.warn(
                    ctx,
                    f"patternProperties: {pattern!r} is not a Python regular "
                    "expression; not expressed",
                )
                continue
            try:
                pschema = self.convert(sub, ctx.at("patternProperties", pattern))
            except Contradiction:  # (said where a property or a map meets it)
                pschema = NEVER
            out.append((rx, pschema))
        return out

    def _dependencies(self, node: dict[str, Any], schema: Schema, ctx: Ctx) -> Schema:
        """dependentRequired (draft 4-7 `dependencies` lists), once oneOf/anyOf options are
        known: in each object (option), a trigger it may carry brings its dependents."""
        deps: dict[str, list[str]] = {}
        for key in ("dependentRequired", "dependencies"):
            value = node.get(key)
            if not isinstance(value, dict):
                continue
            for trigger, needed in value.items():
                if isinstance(needed, list):
                    deps[str(trigger)] = [n for n in needed if isinstance(n, str)]
                else:
                    self.warn(
                        ctx, f"dependencies: schema dependency of '{trigger}' is not expressed"
                    )
        if not deps:
            return schema
        return self._depend(schema, deps, False, ctx)

    def _depend(self, schema: Schema, deps: dict[str, list[str]], option: bool, ctx: Ctx) -> Schema:
        if schema.type == "union":
            parts = tuple(self._depend(v, deps, True, ctx) for v in schema.variants)
            return replace(schema, variants=parts)
        if schema.type != "object":
            return schema
        by_name = {f.name: f for f in schema.fields}
        for trigger, needed in deps.items():
            have = by_name.get(trigger)
            if have is None or all(n in by_name and by_name[n].required for n in needed):
                continue
            # A dependent this object cannot hold: one an option left out (another option
            # requires it, so having it would match both), or one a closed object lacks.
            missing = [
                n
                for n in needed
                if (n not in by_name and (option or schema.closed))
                or (n in by_name and never(by_name[n].schema))
            ]
            if missing and not have.required:
                del by_name[trigger]
                self.warn(
                    ctx,
                    f"dependentRequired: '{trigger}' needs {missing}, which "
                    f"{'an option' if option else 'the object'} cannot hold; "
                    f"'{trigger}' is left out there",
                )
                continue
            if missing:
                self.warn(ctx, f"dependentRequired: '{trigger}' is required but needs {missing}")
            for name in needed:
                if name in missing:
                    continue
                dep = by_name.get(name)
                by_name[name] = (
                    replace(dep, required=True) if dep else Field(name, Schema("any"), True)
                )
            self.warn(
                ctx, f"dependentRequired: '{trigger}' needs {needed}; they are always generated"
            )
        return replace(schema, fields=tuple(by_name.values()))

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
                    out[i] = replace(f, required=True)
                    have += 1
            if have < low:
                self.warn(ctx, f"minProperties {low}: not enough declared properties to fill")
        if high is not None:
            have = sum(f.required for f in out)
            if have > high:
                self.warn(ctx, f"maxProperties {high}: more properties are required than allowed")
            optional = [f for f in out if not f.required]
            dropped = optional[max(0, high - have) :]
            if dropped:
                self.warn(
                    ctx,
                    f"maxProperties {high}: optional properties "
                    f"{[f.name for f in dropped]} are not generated",
                )
                gone = {f.name for f in dropped}
                out = [f for f in out if f.name not in gone]
        return out

    def _array(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        items = node.get("items")
        prefix = node.get("prefixItems")
        rest: Any = None
        if isinstance(items, list):  # draft 4-2019: the tuple form
            prefix, rest = items, node.get("additionalItems")
        elif prefix is not None:
            rest = items
        item: Schema | None = None
        max_items = self._count(node, "maxItems", ctx)
        min_items = self._count(node, "minItems", ctx)
        if isinstance(prefix, list) and prefix:
            key = "prefixItems" if "prefixItems" in node else "items"
            parts = [self.convert(p, ctx.at(key, i)) for i, p in enumerate(prefix)]
            item = parts[0]
            for p in parts[1:]:
                item = merge(item, p, self._warner(ctx), self.refs)
            if rest is not None and rest is not False and rest is not True:
                item = merge(
                    item, self.convert(rest, ctx.at("items")), self._warner(ctx), self.refs
                )
            if rest is False:
                max_items = len(prefix) if max_items is None else min(max_items, len(prefix))
            self.warn(ctx, f"{key}: a tuple is generated with one item type for every position")
        elif items is False:  # no item is valid: only the empty array
            max_items = 0
        elif isinstance(items, dict | bool):
            try:
                item = self.convert(items, ctx.at("items"))
            except Contradiction as exc:
                if min_items:
                    raise
                self.warn(
                    ctx.at("items"),
                    "no value fits the items, so arrays are generated empty: "
                    f"{exc.detail(self.where(ctx.at('items')))}",
                )
                item = NEVER
        elif items is not None:
            raise self.error(ctx, "items must be a schema or a list of schemas", "items")
        contains = node.get("contains")
        if contains is not None and contains is not True:
            wanted = self.convert(contains, ctx.at("contains"))
            item = wanted if item is None else merge(item, wanted, self._warner(ctx), self.refs)
            least = self._count(node, "minContains", ctx)
            least = 1 if least is None else least
            min_items = least if min_items is None else max(min_items, least)
            if "maxContains" in node:
                self.warn(ctx, "maxContains: not expressed")
        unique = node.get("uniqueItems") is True
        return replace(
            schema, items=item, min_items=min_items, max_items=max_items, unique_items=unique
        )

    # -- keyword values --------------------------------------------------------------------

    def _count(self, node: dict[str, Any], key: str, ctx: Ctx) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.error(ctx, f"{key} must be a non-negative integer", key)
        if isinstance(value, float) and not value.is_integer():
            raise self.error(ctx, f"{key} must be a non-negative integer", key)
        return int(value)

    def _num(self, node: dict[str, Any], key: str, ctx: Ctx) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(ctx, f"{key} must be a number", key)
        if isinstance(value, float) and not math.isfinite(value):
            if (value > 0) == key.lower().endswith("minimum"):
                return value  # (a lower bound of +inf, an upper of -inf: no number fits)
            self.warn(ctx, f"{key} {value} is not finite; ignored")
            return None
        return value


_REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
# The JSON types of the values drawn for a schema that is not an object ("any": strings and
# integers; a union or a reference left as such: unknown).
_DRAWN: dict[str, tuple[str, ...]] = {"any": ("string", "integer"), "union": (), "ref": ()}


def _ref_of(node: dict[str, Any]) -> Any:
    for key in _REF_KEYS:
        if key in node:
            return node[key]
    return None


def _has_constraints(node: dict[str, Any]) -> bool:
    return any(k not in _ANNOTATIONS and not k.startswith("x-") for k in node)


def _typed_keywords(node: dict[str, Any]) -> bool:
    """Does ``node`` use keywords that only constrain values of one type?"""
    families = (_OBJECT_KEYS, _ARRAY_KEYS, _STRING_KEYS, _NUMBER_KEYS)
    return any(k in node for keys in families for k in keys)


def _apart(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    """Two sets of value types with none in common (None: any type)."""
    return a is not None and b is not None and not a & b


def _excludes_null(node: dict[str, Any]) -> bool:
    """An enum without null, or a const that is not null: null is never valid."""
    enum = node.get("enum")
    if isinstance(enum, list) and None not in enum:
        return True
    return "const" in node and node["const"] is not None


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
                re.compile(value)
            except (re.error, RecursionError, OverflowError):
                return None
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return None
        out[attr] = value
    return out


def _flags(sub: Any) -> tuple[bool, bool]:
    if not isinstance(sub, dict):
        return False, False
    return sub.get("readOnly") is True, sub.get("writeOnly") is True


def _infer_type(node: dict[str, Any]) -> str:
    if "const" in node:
        kind = _value_type(node["const"])
        return kind or "any"
    if isinstance(node.get("enum"), list) and node["enum"]:
        kinds = {_value_type(v) for v in node["enum"] if v is not None}
        only = kinds.pop() if len(kinds) == 1 else None
        return only or "any"
    if any(k in node for k in _OBJECT_KEYS):
        return "object"
    if any(k in node for k in _ARRAY_KEYS):
        return "array"
    if any(k in node for k in _STRING_KEYS) or node.get("format") in _STRING_FORMATS:
        return "string"
    if any(k in node for k in _NUMBER_KEYS):
        return "number"
    return "any"


_JSON_VALUES = (bool, int, float, str, list, dict)


def _value_type(value: Any) -> str | None:
    """The type a ``const`` or ``enum`` member implies: as written (``1.0`` is a number),
    and none for null (it implies no other type) nor for a value that is no JSON (a YAML
    date)."""
    if value is None or not isinstance(value, _JSON_VALUES):
        return None
    return json_type(value, as_written=True)


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
                    fields=tuple(replace(f, required=True) if f is own[0] else f for f in v.fields),
                )
        out[i] = v
    return out


def _compatible(declared: str, option: str) -> bool:
    if option in ("any", "ref", "union") or declared == option:
        return True
    return {declared, option} in ({"integer", "number"}, {"object", "map"})


def _forbidden(node: Any) -> list[list[str]]:
    """Groups of properties ``node`` forbids together: ``name: false``, or ``not: {required:
    [names]}`` (a value must not hold all of them: the optional ones are not made), or
    ``not: {anyOf: [{required: [names]}, ...]}`` (a group per member)."""
    if not isinstance(node, dict):
        return []
    props = node.get("properties")
    out = [[str(k)] for k, v in props.items() if _never(v)] if isinstance(props, dict) else []
    return out + _not_required(node)


def _not_required(node: dict[str, Any]) -> list[list[str]]:
    """The groups of names of ``not: {required: [names]}``, or of ``not: {anyOf: [{required:
    [names]}, ...]}`` (nothing else in the ``not`` but, for objects the same, ``type:
    object``)."""
    excluded = node.get("not")
    if not isinstance(excluded, dict):
        return []
    members = excluded.get("anyOf")
    if isinstance(members, list) and members and set(excluded) - {"type"} == {"anyOf"}:
        if excluded.get("type", "object") != "object":
            return []
        groups = [_required_only(m) for m in members]
        return [] if any(g is None for g in groups) else [g for g in groups if g]
    together = _required_only(excluded)
    return [together] if together else []


def _required_only(node: Any) -> list[str] | None:
    """The names of ``{required: [names]}`` (beside, at most, ``type: object``)."""
    if not isinstance(node, dict) or "required" not in node:
        return None
    if set(node) - {"required", "type"} or node.get("type", "object") != "object":
        return None
    names = node["required"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return None
    return list(names)


def _never(sub: Any) -> bool:
    """A property schema no value satisfies: ``false`` or ``{"not": {}}``."""
    if sub is False:
        return True
    return (
        isinstance(sub, dict)
        and "not" in sub
        and sub["not"] in (True, {})
        and not any(k in sub for k in ("anyOf", "oneOf"))
    )


def _discriminate(schema: Schema, prop: str, values: tuple[Any, ...]) -> Schema:
    """Give an object's discriminator property the value(s) that select this schema."""
    if schema.type == "union":
        return replace(
            schema, variants=tuple(_discriminate(v, prop, values) for v in schema.variants)
        )
    if schema.type != "object":
        return schema
    value = (
        Schema("string", const=values[0], has_const=True)
        if len(values) == 1
        else Schema("string", enum=values)
    )
    fields = list(schema.fields)
    for i, f in enumerate(fields):
        if f.name == prop:
            fields[i] = replace(
                f, schema=replace(value, description=f.schema.description), required=True
            )
            break
    else:
        fields.insert(0, Field(prop, value, True))
    return replace(schema, fields=tuple(fields))


def _list(value: Any, key: str, conv: Converter, ctx: Ctx) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise conv.error(ctx, f"{key} must be a non-empty list of schemas", key)
    return value


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number",
            type(None): "null"}.get(type(value), type(value).__name__)  # fmt: skip


def _uri(doc: str, parts: tuple[Hashable, ...]) -> str:
    if not parts:
        return doc
    escaped = "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return f"{doc}#/{escaped}"


def _short(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _stem(uri: str) -> str:
    name = urldefrag(uri)[0].rsplit("/", 1)[-1]
    for suffix in (".json", ".yaml", ".yml"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name.removesuffix(".schema") or "Schema"


def _without_conditionals(node: Any) -> Any:
    """``node`` without its ``if``/``then``/``else`` nor those of its ``allOf`` parts, at
    any depth (``Converter._found`` lists them): the node as it is when it has none."""
    if not isinstance(node, dict):
        return node
    all_of = node.get("allOf")
    parts = all_of
    if isinstance(all_of, list):
        parts = [
            _without_conditionals(p) if isinstance(p, dict) and _ref_of(p) is None else p
            for p in all_of
        ]
        if all(a is b for a, b in zip(parts, all_of, strict=True)):
            parts = all_of
    if "if" not in node and parts is all_of:
        return node
    out = {k: v for k, v in node.items() if "if" not in node or k not in _CONDITIONAL_KEYS}
    if parts is not all_of:
        out["allOf"] = parts
    return out


def _bare(node: Any) -> bool:
    """A schema of conditionals alone (in ``allOf`` parts written in place too)."""
    if not isinstance(node, dict) or _ref_of(node) is not None:
        return False
    rest = {k: v for k, v in node.items() if k not in _CONDITIONAL_KEYS and k != "allOf"}
    if _has_constraints(rest):
        return False
    all_of = node.get("allOf", [])
    return isinstance(all_of, list) and all(_bare(p) for p in all_of)


def _tree(node: Any) -> list[Any]:
    """``node`` and its ``allOf`` parts written in place, at any depth."""
    out = [node]
    all_of = node.get("allOf") if isinstance(node, dict) else None
    if isinstance(all_of, list):
        for part in all_of:
            if isinstance(part, dict) and _ref_of(part) is None:
                out += _tree(part)
    return out


def _flat(schema: Schema) -> list[Schema]:
    """The options of a union, those of a union inside it too (a nullable union makes its
    options nullable); any other schema alone."""
    if schema.type != "union":
        return [schema]
    out: list[Schema] = []
    for v in schema.variants:
        for one in _flat(replace(v, nullable=True) if schema.nullable else v):
            if one not in out:
                out.append(one)
    return out


def _has(node: Any, key: str) -> bool:
    return isinstance(node, dict) and key in node
