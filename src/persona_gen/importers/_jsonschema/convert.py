"""JSON Schema (and the OpenAPI dialects of it) → the neutral entity model.

One ``Converter`` per import. Named entities are registered first (in file order); every
``$ref`` becomes a ``ref`` to an entity (an unlisted one is made for targets that are not
listed), so recursive schemas terminate. ``allOf`` parts are inlined and merged; ``oneOf`` /
``anyOf`` become unions. What the model cannot say is reported as a warning
``"<location>: <what was not expressed>"``.

This module holds the converter itself: the entities and their queue, messages, the walk
over one node, and ``$ref`` resolution. A node's keywords are read by its parts, each handed
the converter: ``combinators`` (``allOf``, ``oneOf`` / ``anyOf``), ``typed`` (``type`` and the
keywords of strings, numbers and arrays), ``objects`` (properties) and ``branches``
(``if``/``then``/``else``); ``keywords`` reads nodes as written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from dataclasses import replace
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import referencing.exceptions
from referencing.jsonschema import specification_with

from persona_gen.entities.model import Entity, Field, Schema, XmlName
from persona_gen.errors import SchemaImportError
from persona_gen.importers._jsonschema.branches import Branches
from persona_gen.importers._jsonschema.combinators import Combinators
from persona_gen.importers._jsonschema.context import Ctx, Flavour
from persona_gen.importers._jsonschema.documents import DocumentSet, pointer_parts
from persona_gen.importers._jsonschema.keywords import (
    REF_KEYS,
    has_constraints,
    ref_of,
    type_phrase,
    without_conditionals,
)
from persona_gen.importers._jsonschema.merge import NEVER, Contradiction, Refs, merge, never
from persona_gen.importers._jsonschema.never import settle_impossible, without_never
from persona_gen.importers._jsonschema.objects import ObjectKeywords
from persona_gen.importers._jsonschema.typed import TypedKeywords

__all__ = ["Converter"]


class Converter:
    """Turns schema dictionaries into entities, collecting warnings."""

    def __init__(self, docs: DocumentSet, flavour: Flavour) -> None:
        self.docs = docs
        self.flavour = flavour
        self.entities: dict[str, Entity] = {}
        self.names: dict[int, str] = {}  # id(schema dict) -> entity name
        self.sources: dict[str, str] = {}  # entity name -> absolute URI of its schema
        # Entities of a schema no document holds (a Swagger 2.0 operation's formData
        # parameters, as the form body they stand for): checked against it as made.
        self.made_schemas: dict[str, dict[str, Any]] = {}
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
        # The parts that read a node's keywords, each handed this converter
        self.combinators = Combinators(self)
        self.typed = TypedKeywords(self)
        self.objects = ObjectKeywords(self)
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

    def warner(self, ctx: Ctx) -> Any:
        return lambda message: self.warn(ctx, message)

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
            raise self.error(ctx, f"a schema must be an object or boolean, not {type_phrase(node)}")
        ctx = self._enter(node, ctx)
        ref = ref_of(node)
        schema = (
            self._ref_with_siblings(node, ref, ctx)
            if ref is not None
            else self.combinators.combined(node, ctx)
        )
        if self.keep_xml and "xml" in node:
            schema = self._xml(schema, node["xml"], ctx)
        return schema

    def _xml(self, schema: Schema, raw: Any, ctx: Ctx) -> Schema:
        """OpenAPI's ``xml`` object: how the value is written in XML (name, namespace,
        prefix, attribute, wrapped); one that is not an object is warned about."""
        if not isinstance(raw, dict):
            self.warn(ctx.at("xml"), f"xml must be an object, not {type_phrase(raw)}; ignored")
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
        ref = ref_of(node)
        if ref is None:
            return self.combinators.combined(node, ctx)
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
        rest = {k: v for k, v in node.items() if k not in REF_KEYS}
        if has_constraints(rest):
            # (the conditionals beside the $ref read the properties its target declares:
            # they split the merge, not the siblings alone)
            plain = self.combinators.combined(without_conditionals(rest), ctx)
            inner = merge(inner, plain, self.warner(ctx), self.refs)
            inner = self.combinators.drop_forbidden(inner, [rest], ctx)
            inner = self.branches.conditionals(inner, rest, ctx)
            self.combinators.unsupported(rest, ctx)
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
        rest = {k: v for k, v in node.items() if k not in REF_KEYS}
        if has_constraints(rest):
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


def _discriminate(schema: Schema, prop: str, values: tuple[Any, ...]) -> Schema:
    """Give an object's discriminator property the value(s) that select this schema."""
    if schema.type == "union":
        return replace(
            schema, variants=tuple(_discriminate(v, prop, values) for v in schema.variants)
        )
    if schema.type != "object":
        return schema
    fields = list(schema.fields)
    for i, f in enumerate(fields):
        if f.name == prop:
            fields[i] = replace(
                f, schema=_selecting(f.schema, values), required=True, counted=False
            )
            break
    else:
        fields.insert(0, Field(prop, _selecting(None, values), True))
    return replace(schema, fields=tuple(fields))


def _selecting(declared: Schema | None, values: tuple[Any, ...]) -> Schema:
    """The discriminator property of a variant: made with the value that selects it, and
    measured by what the source declares of it (OpenAPI's validators do not check a
    discriminator: a Cat whose petType is "" is still a Cat), so its const is unchecked.
    Several values (a mapping naming the variant twice) are listed as an enum, as before."""
    if len(values) > 1:
        return Schema("string", enum=values, description=declared.description if declared else None)
    if declared is None:  # (an undeclared property takes any value)
        return Schema("any", const=values[0], has_const=True, const_unchecked=True)
    if declared.type in ("ref", "union"):  # (a const on them is not made: a string is)
        declared = Schema("string", description=declared.description)
    checked = declared.has_const and not declared.const_unchecked and declared.const == values[0]
    return replace(declared, const=values[0], has_const=True, const_unchecked=not checked)


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
