"""jsonschema: JSON Schema files (drafts 04, 06, 07, 2019-09, 2020-12) → entities.

Entities are the root schema (named by its ``title``, else the file stem: ``user`` for
``user.schema.json``) and each ``$defs`` / ``definitions`` entry, in file order.
References (local JSON pointers, ``$id`` based, relative files) resolve through
`referencing`; the draft comes from ``$schema`` (or ``dialect``, else 2020-12).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from referencing import Specification
from referencing.jsonschema import DRAFT4, DRAFT6, DRAFT7, DRAFT201909, DRAFT202012

from persona_gen.entities.model import Domain
from persona_gen.errors import SchemaImportError
from persona_gen.importers._jsonschema import (
    Converter,
    Ctx,
    Direction,
    DocumentSet,
    Flavour,
    RecordValidator,
    jsonschema_validators,
    parse_text,
)
from persona_gen.importers.base import ImportResult

__all__ = ["JsonSchemaImporter"]

DIALECTS: dict[str, Specification[Any]] = {
    "draft-04": DRAFT4,
    "draft4": DRAFT4,
    "draft-06": DRAFT6,
    "draft6": DRAFT6,
    "draft-07": DRAFT7,
    "draft7": DRAFT7,
    "2019-09": DRAFT201909,
    "draft2019-09": DRAFT201909,
    "2020-12": DRAFT202012,
    "draft2020-12": DRAFT202012,
}
_SCHEMA_KEYS = ("properties", "type", "$defs", "definitions")
# A root that says only these is a container of definitions, not a record type.
_CONTAINER_KEYS = frozenset(
    {"$schema", "$id", "id", "$comment", "title", "description", "$defs", "definitions",
     "$anchor", "examples", "$vocabulary"}
)  # fmt: skip

_AVRO_NAMED_TYPES = frozenset({"record", "error", "enum", "fixed"})

# The keywords of drafts 04 to 2020-12 that say what a value is (applicators, assertions,
# references, definitions): a document whose top-level keys are all JSON Schema keywords,
# one of these at least, is a JSON Schema whatever its name (a root that is a bare oneOf or
# $ref); one named ``*.schema.json`` needs one of these only.
_SCHEMA_KEYWORDS = frozenset(
    {"$ref", "$dynamicRef", "$recursiveRef", "$defs", "definitions", "allOf", "anyOf",
     "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies", "prefixItems",
     "items", "additionalItems", "contains", "properties", "patternProperties",
     "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties",
     "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
     "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
     "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties",
     "required", "dependentRequired", "format", "contentEncoding", "contentMediaType",
     "contentSchema"}
)  # fmt: skip
# The keywords that only name, describe or annotate (a data file may have such keys too).
_ANNOTATION_KEYWORDS = frozenset(
    {"$schema", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "$comment",
     "$vocabulary", "title", "description", "default", "deprecated", "readOnly", "writeOnly",
     "examples"}
)  # fmt: skip
# File names that say "JSON Schema" (``user.schema.json``).
_SCHEMA_NAMES = (".schema.json", ".schema.yaml", ".schema.yml")

FLAVOUR = Flavour("jsonschema")


class JsonSchemaImporter:
    name: ClassVar[str] = "jsonschema"
    extensions: ClassVar[tuple[str, ...]] = (*_SCHEMA_NAMES, ".json")

    @classmethod
    def sniff(cls, path: Path, text: str) -> bool:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            if path.suffix.lower() not in (".yaml", ".yml"):
                return False
            try:
                data = parse_text(text, str(path), as_json=False)
            except SchemaImportError:
                return False
        if not isinstance(data, dict) or "openapi" in data or "swagger" in data:
            return False
        kind = data.get("type")
        if isinstance(kind, str) and kind in _AVRO_NAMED_TYPES and "$schema" not in data:
            return False  # an Avro schema saved as .json
        if "$schema" in data or any(k in data for k in _SCHEMA_KEYS):
            return True
        keywords = _SCHEMA_KEYWORDS.intersection(data)
        if keywords and path.name.lower().endswith(_SCHEMA_NAMES):
            return True
        return bool(keywords) and all(
            k in _SCHEMA_KEYWORDS or k in _ANNOTATION_KEYWORDS for k in data
        )

    def load(self, path: Path, *, dialect: str | None = None, strict: bool = False) -> ImportResult:
        _, conv = self._convert(Path(path), dialect)
        listed = [n for n in conv.sources if n in conv.listed]
        entities = conv.entities
        domain = Domain(entities=entities, primary=listed[0], source="jsonschema")
        return ImportResult(
            domain, tuple(listed), self.name, tuple(conv.warnings), conv.unsatisfiable()
        )

    def validators(
        self, path: Path, *, dialect: str | None = None, direction: Direction | None = None
    ) -> dict[str, RecordValidator]:
        """For every entity, a check of records against the ORIGINAL schema (the
        `jsonschema` package, the schema's own draft, format checking on); of a request's or
        a reply's body with ``direction`` (readOnly/writeOnly properties required one way
        only)."""
        docs, conv = self._convert(Path(path), dialect)
        return jsonschema_validators(docs, conv.sources, direction)

    def _convert(self, path: Path, dialect: str | None) -> tuple[DocumentSet, _Listing]:
        spec = DRAFT202012
        if dialect is not None:
            if dialect.lower() not in DIALECTS:
                raise SchemaImportError(
                    f"unknown JSON Schema dialect '{dialect}' (use one of "
                    f"{', '.join(sorted(set(DIALECTS)))})",
                    path,
                )
            spec = DIALECTS[dialect.lower()]
        docs = DocumentSet(path, spec)
        root = docs.main.data
        if not isinstance(root, dict | bool):
            raise SchemaImportError(
                "not a JSON Schema: the top level must be an object or a boolean", path, 1
            )
        if isinstance(root, dict) and ("openapi" in root or "swagger" in root):
            raise SchemaImportError(
                "this is an OpenAPI document, not a JSON Schema (use -f openapi)", path, 1
            )
        conv = _Listing(docs, FLAVOUR)
        registry = docs.registry()
        resource = docs.resource(docs.main)
        resolver = registry.resolver(docs.main.uri)
        rspec = docs.spec_for(root)
        ctx = Ctx(resolver, rspec, docs.main.uri, docs.main.uri, ())
        try:
            ctx = replace(ctx, resolver=resolver.in_subresource(resource))
        except (TypeError, AttributeError):  # (referencing reads the root's id as a string)
            key = "$id" if isinstance(root, dict) and "$id" in root else "id"
            got = json.dumps(root.get(key) if isinstance(root, dict) else None)
            raise conv.error(ctx, f"{key} must be a string (a URI), got {got}", key) from None
        if isinstance(root, bool) or _is_record(root):
            title = root.get("title") if isinstance(root, dict) else None
            name = title.strip() if isinstance(title, str) and title.strip() else _stem(path)
            conv.listed.add(conv.add(name, root, ctx))
        if isinstance(root, dict):
            for key in ("$defs", "definitions"):
                defs = root.get(key)
                if defs is None:
                    continue
                if not isinstance(defs, dict):
                    raise conv.error(ctx, f"{key} must be an object", key)
                for name, sub in defs.items():
                    conv.listed.add(conv.add(str(name), sub, ctx.at(key, name)))
        if not conv.listed:
            raise SchemaImportError(
                "no schemas found: the root declares nothing and has no $defs or definitions",
                path,
                1,
            )
        try:
            conv.run()
        except RecursionError:
            raise SchemaImportError("schema is nested too deeply", path) from None
        return docs, conv


class _Listing(Converter):
    def __init__(self, docs: DocumentSet, flavour: Flavour) -> None:
        super().__init__(docs, flavour)
        self.listed: set[str] = set()


def _is_record(root: dict[str, Any]) -> bool:
    return any(k not in _CONTAINER_KEYS and not k.startswith("x-") for k in root)


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (*_SCHEMA_NAMES, ".json", ".yaml", ".yml"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or "schema"
    return path.stem or "schema"
