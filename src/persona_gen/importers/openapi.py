"""openapi: OpenAPI 3.0 / 3.1 and Swagger 2.0 documents (JSON or YAML) → entities + operations.

Entities are ``components/schemas`` (3.x) or ``definitions`` (2.0), in file order; every
path + method becomes an ``Operation`` with the spec's own path template and status codes.
The document is checked with openapi-spec-validator; its complaints become warnings.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any, ClassVar

from referencing.jsonschema import DRAFT4, DRAFT202012

from persona_gen.entities.media import media_kind
from persona_gen.entities.model import Domain
from persona_gen.errors import SchemaImportError
from persona_gen.importers._jsonschema import (
    Converter,
    Ctx,
    Direction,
    DocumentSet,
    Flavour,
    RecordValidator,
    openapi_validators,
)
from persona_gen.importers._openapi_operations import operations
from persona_gen.importers.base import ImportResult

__all__ = ["OpenApiImporter"]

_TOP_KEY = re.compile(r"""^["']?(openapi|swagger)["']?\s*:""", re.MULTILINE)
MAX_SPEC_WARNINGS = 10


class OpenApiImporter:
    name: ClassVar[str] = "openapi"
    extensions: ClassVar[tuple[str, ...]] = (".yaml", ".yml", ".json")

    @classmethod
    def sniff(cls, path: Path, text: str) -> bool:
        if path.suffix.lower() == ".json" or text.lstrip()[:1] == "{":
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                return False
            return isinstance(data, dict) and ("openapi" in data or "swagger" in data)
        return bool(_TOP_KEY.search(text))

    def load(self, path: Path, *, dialect: str | None = None, strict: bool = False) -> ImportResult:
        spec = _Spec(Path(path))
        domain = Domain(
            entities=spec.conv.entities,
            primary=spec.listed[0],
            operations=spec.operations,
            source="openapi",
        )
        return ImportResult(
            domain,
            tuple(spec.listed),
            self.name,
            (*spec.check(), *spec.conv.warnings),
            spec.conv.unsatisfiable(),
        )

    def validators(
        self, path: Path, *, dialect: str | None = None, direction: Direction | None = None
    ) -> dict[str, RecordValidator]:
        """For every entity, a check of records against its ORIGINAL component schema
        (openapi-schema-validator's OAS 3.0 / 3.1 validators: ``nullable``, discriminators,
        formats; Swagger 2.0 is checked as OAS 3.0); of a request's or a reply's body with
        ``direction`` (readOnly/writeOnly properties required one way only)."""
        spec = _Spec(Path(path))
        return openapi_validators(
            spec.docs, spec.conv.sources, spec.version, direction, spec.conv.made_schemas
        )


class _Spec:
    """One OpenAPI document read into entities and operations."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.docs = DocumentSet(path)
        root = self.docs.main.data
        if not isinstance(root, dict) or not ("openapi" in root or "swagger" in root):
            raise SchemaImportError(
                "not an OpenAPI document: no top-level 'openapi' or 'swagger' key", path, 1
            )
        self.root = root
        self.version = _version(root, path, self.docs)
        v3 = not self.version.startswith("2")
        self.docs.default_spec = DRAFT202012 if self.version >= "3.1" else DRAFT4
        flavour = Flavour(
            f"openapi-{self.version}" if v3 else "swagger-2.0",
            nullable_keyword=self.version.startswith("3.0"),
            openapi=True,
        )
        self.conv = Converter(self.docs, flavour)
        registry = self.docs.registry()
        resolver = registry.resolver(self.docs.main.uri)
        self.ctx = Ctx(resolver, self.docs.default_spec, self.docs.main.uri, self.docs.main.uri, ())
        where = ("components", "schemas") if v3 else ("definitions",)
        container: Any = root
        for key in where:
            container = container.get(key) if isinstance(container, dict) else None
        if container is not None and not isinstance(container, dict):
            raise self.conv.error(self.ctx.at(*where), f"{'/'.join(where)} must be an object")
        components: dict[str, Any] = container or {}
        self.listed = [
            self.conv.add(str(name), schema, self.ctx.at(*where, name))
            for name, schema in components.items()
        ]
        try:
            _discriminators(self.conv, root, components, self.ctx, where)
            bodies: list[str] = []
            self.operations = operations(self.conv, root, self.ctx, v3, bodies)
            # (xml hints only where a body is XML: other profiles stay as they were)
            self.conv.keep_xml = any(
                media_kind(m) == "xml"
                for op in self.operations
                for m in (
                    op.request_media,
                    op.response_media,
                    op.error_media,
                    *(e.content_type for e in op.request_encoding),
                )
                if m is not None
            )
            if not self.listed:
                self.listed = bodies
            self.conv.run()
        except RecursionError:
            raise SchemaImportError("document is nested too deeply", path) from None
        if not self.listed:
            raise SchemaImportError(
                "no schemas found: the document has no "
                f"{'components/schemas' if v3 else 'definitions'} and no request bodies",
                path,
                1,
            )

    def check(self) -> list[str]:
        """openapi-spec-validator's complaints, as warnings."""
        if _has_remote_ref(self.root):
            return [
                "spec: not checked with openapi-spec-validator (it refers to remote "
                "documents, and there is no network)"
            ]
        from openapi_spec_validator import (
            OpenAPIV2SpecValidator,
            OpenAPIV30SpecValidator,
            OpenAPIV31SpecValidator,
        )

        cls: Any = (
            OpenAPIV2SpecValidator
            if self.version.startswith("2")
            else OpenAPIV30SpecValidator
            if self.version.startswith("3.0")
            else OpenAPIV31SpecValidator
        )
        found: list[str] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for error in cls(self.root, base_uri=self.docs.main.uri).iter_errors():
                    found.append(_spec_message(error))
                    if len(found) > MAX_SPEC_WARNINGS:
                        break
        except Exception as exc:
            return [f"spec: openapi-spec-validator could not check it ({type(exc).__name__})"]
        if len(found) > MAX_SPEC_WARNINGS:
            found[-1] = "spec: ... and more"
        return found


def _version(root: dict[str, Any], path: Path, docs: DocumentSet) -> str:
    if "openapi" in root:
        version = str(root["openapi"])
        if not re.match(r"^3\.[0-2](\.|$)", version):
            raise SchemaImportError(
                f"unsupported OpenAPI version '{version}' (3.0, 3.1 and Swagger 2.0 are read)",
                path,
                docs.main.line_of(("openapi",)),
            )
        return version
    version = str(root["swagger"])
    if version not in ("2.0", "2"):
        raise SchemaImportError(
            f"unsupported Swagger version '{version}' (2.0 is read)",
            path,
            docs.main.line_of(("swagger",)),
        )
    return "2.0"


def _discriminators(
    conv: Converter, root: Any, components: dict[str, Any], ctx: Ctx, where: tuple[str, ...]
) -> None:
    """The value each variant's discriminator property must carry (mapping or its name),
    for every schema with a discriminator: components, and schemas inside them (a property,
    array items) or inside operations."""
    by_id = {id(s): name for name, s in components.items() if isinstance(s, dict)}
    for name, schema in components.items():
        if isinstance(schema, dict):
            _discriminator(conv, schema, name, components, by_id, ctx.at(*where, name))
    for at, schema in _inline_schemas(components, root, where):
        _discriminator(conv, schema, None, components, by_id, ctx.at(*at))


def _inline_schemas(
    components: dict[str, Any], root: Any, where: tuple[str, ...]
) -> list[tuple[tuple[Any, ...], Any]]:
    """Schemas with a discriminator nested in components or in the paths (not components
    themselves), with their path in the document."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    tops = {id(s) for s in components.values()}
    stack: list[tuple[tuple[Any, ...], Any]] = [
        ((*where, name), s) for name, s in components.items()
    ]
    paths = root.get("paths") if isinstance(root, dict) else None
    if isinstance(paths, dict):
        stack.append((("paths",), paths))
    seen: set[int] = set()
    while stack:
        where, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if "discriminator" in node and id(node) not in tops:
                found.append((where, node))
            stack.extend(((*where, k), v) for k, v in node.items() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(((*where, i), v) for i, v in enumerate(node) if isinstance(v, dict | list))
    return found


def _discriminator(
    conv: Converter,
    schema: dict[str, Any],
    name: str | None,
    components: dict[str, Any],
    by_id: dict[int, str],
    ctx: Ctx,
) -> None:
    """The patches of one schema's discriminator (``name``: the component it is, if one)."""
    if "discriminator" not in schema:
        return
    disc = schema["discriminator"]
    mapping: Any
    if isinstance(disc, str):  # Swagger 2.0: the property name
        prop, mapping = disc, {}
    elif isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
        prop, mapping = disc["propertyName"], disc.get("mapping") or {}
    else:
        conv.warn(ctx, "discriminator without propertyName is ignored")
        return
    values: dict[int, list[Any]] = {}
    for key, ref in mapping.items() if isinstance(mapping, dict) else []:
        if not isinstance(ref, str):
            continue
        target = ref if "#" in ref or "/" in ref or "." in ref else f"#/components/schemas/{ref}"
        found, _ = conv.resolve(target, ctx.at("discriminator", "mapping", key))
        if isinstance(found, dict):
            values.setdefault(id(found), []).append(key)
    members = schema.get("oneOf") or schema.get("anyOf") or []
    children: list[tuple[int, str]] = []
    if isinstance(members, list) and members:
        for member in members:
            ref = member.get("$ref") if isinstance(member, dict) else None
            if isinstance(ref, str) and ref.startswith(("#/components/schemas/", "#/definitions/")):
                found, _ = conv.resolve(ref, ctx)
                if isinstance(found, dict) and id(found) in by_id:
                    children.append((id(found), by_id[id(found)]))
    elif name is not None:  # inheritance: schemas whose allOf includes this one
        for other, sub in components.items():
            parts = sub.get("allOf") if isinstance(sub, dict) else None
            if isinstance(parts, list) and any(
                isinstance(p, dict)
                and p.get("$ref") in (f"#/components/schemas/{name}", f"#/definitions/{name}")
                for p in parts
            ):
                children.append((id(sub), other))
    for child, child_name in children:
        if child not in values:
            values[child] = [child_name]
    for tid, vals in values.items():
        if tid != id(schema):
            conv.patches[tid] = (prop, tuple(vals))
    if not members and name is not None:
        every = tuple(dict.fromkeys(v for vals in values.values() for v in vals))
        if every and (name,) != every:
            conv.patches.setdefault(id(schema), (prop, tuple(dict.fromkeys((*every, name)))))


def _has_remote_ref(node: Any) -> bool:
    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            ref = item.get("$ref")
            if (
                isinstance(ref, str)
                and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", ref)
                and not (ref.startswith("file:"))
            ):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _spec_message(error: Any) -> str:
    message = str(getattr(error, "message", error)).splitlines()[0]
    if len(message) > 160:
        message = message[:157] + "..."
    path = "/".join(str(p) for p in getattr(error, "path", ()) or ())
    return f"spec: {'#/' + path + ': ' if path else ''}{message}"
