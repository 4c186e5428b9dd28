"""The neutral entity model: what every importer produces and every generator consumes.

It is a small typed subset of what OpenAPI, JSON Schema, Avro, SQL DDL and Protobuf can say
about a record: types, formats, constraints, required/nullable, nested objects and arrays,
maps, unions and references to other named entities.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "RESPONSE_SHAPES",
    "SCALAR_TYPES",
    "STYLES",
    "Domain",
    "Entity",
    "Field",
    "ForeignKey",
    "Operation",
    "PartEncoding",
    "Schema",
    "XmlName",
    "bad_request_status",
    "deref",
    "deref_nullable",
    "flat_variants",
    "takes_null",
]

SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean", "null", "any"})
TYPES = SCALAR_TYPES | {"object", "array", "map", "union", "ref"}


@dataclass(frozen=True, slots=True)
class XmlName:
    """How a value is written in XML (OpenAPI's ``xml`` object): its element's (or
    attribute's) ``name``, a ``namespace`` and ``prefix``, as an ``attribute`` of its
    parent, and an array ``wrapped`` in an element of its own."""

    name: str | None = None
    namespace: str | None = None
    prefix: str | None = None
    attribute: bool = False
    wrapped: bool = False


STYLES = ("form", "spaceDelimited", "pipeDelimited", "deepObject")


@dataclass(frozen=True, slots=True)
class PartEncoding:
    """How one property of a form body is sent (OpenAPI's Encoding Object): its part's
    ``content_type`` (multipart) or the JSON or XML text of its value (urlencoded); in an
    urlencoded form, its ``style`` (one of STYLES) and whether it is ``explode``-d; in a
    multipart form, the ``headers`` its part carries besides those two (name, the schema of
    its value), of which those in ``required_headers`` are on every request (the others,
    OpenAPI's default, on some)."""

    name: str
    content_type: str | None = None
    style: str | None = None
    explode: bool | None = None
    headers: tuple[tuple[str, Schema], ...] = ()
    required_headers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Schema:
    """The type and constraints of one value."""

    type: str
    format: str | None = None
    semantic: str | None = None  # a realism hint such as "first_name", set by name or importer
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    const: Any = None
    has_const: bool = False
    # The const is what values are made with, not a rule: the source does not check it (an
    # OpenAPI discriminator's value in each variant). Labels and checks measure a value by
    # the rest of the schema.
    const_unchecked: bool = False
    default: Any = None
    has_default: bool = False
    # strings (for a map: its keys, as JSON Schema propertyNames)
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    # numbers
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    multiple_of: float | None = None
    # dates and date-times (format date or date-time): bounds written in the format, as
    # JSON Schema's formatMinimum / formatMaximum (ajv-formats) and SQL CHECKs give them
    format_minimum: str | None = None
    format_maximum: str | None = None
    format_exclusive_minimum: bool = False
    format_exclusive_maximum: bool = False
    precision: int | None = None  # total significant digits (SQL DECIMAL, Avro decimal)
    scale: int | None = None  # digits after the point
    # arrays and maps
    items: Schema | None = None
    # (of an object: its minProperties / maxProperties, which its ``counted`` fields meet)
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    values: Schema | None = None  # map values
    # objects
    fields: tuple[Field, ...] = ()
    closed: bool = False  # no properties beyond ``fields``
    # Properties an open object never holds (an option of a conditional whose test or
    # branch left them out: ``card`` where ``if: {required: [card]}`` fails); a closed one
    # needs none. Not generated; a value holding one is not of this object.
    absent: tuple[str, ...] = ()
    # A property of this object set to null is read as left out (protobuf's JSON mapping:
    # ``json_format.ParseDict`` clears a field given null). Null there breaks only what
    # leaving the property out breaks; generation ignores it (it makes no nulls for it).
    null_as_absent: bool = False
    # unions and references
    variants: tuple[Schema, ...] = ()
    ref: str | None = None
    description: str | None = None
    xml: XmlName | None = None  # (kept only where an operation sends or replies XML)

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def located(
        self, at: tuple[Hashable, ...] = ()
    ) -> Iterator[tuple[tuple[Hashable, ...], Schema]]:
        """This schema and every one inside it, parents first, each with its place as keys
        of the entity format: ``("fields", "id")``, ``("items",)``, ``("values",)``,
        ``("variants", 0)`` after ``at``."""
        yield at, self
        for f in self.fields:
            yield from f.schema.located((*at, "fields", f.name))
        if self.items is not None:
            yield from self.items.located((*at, "items"))
        if self.values is not None:
            yield from self.values.located((*at, "values"))
        for k, variant in enumerate(self.variants):
            yield from variant.located((*at, "variants", k))

    def refs(self) -> list[str]:
        """The entity names this schema references, anywhere inside it, in order."""
        out = [self.ref] if self.ref else []
        for child in (self.items, self.values):
            if child is not None:
                out.extend(child.refs())
        for f in self.fields:
            out.extend(f.schema.refs())
        for v in self.variants:
            out.extend(v.refs())
        return out


@dataclass(frozen=True, slots=True)
class Field:
    """A named member of an object."""

    name: str
    schema: Schema
    required: bool = True
    read_only: bool = False
    write_only: bool = False
    # Required only so that every record meets its object's minProperties (``min_items``):
    # the source does not require it, so leaving it out breaks minProperties when fewer
    # properties are left, and no rule otherwise; it is still always generated.
    counted: bool = False
    # Required only so that every record holds it: the source does not require it, but reads
    # a record without it as holding its default (a proto3 scalar of implicit presence:
    # ``ParseDict`` takes it left out). Leaving it out breaks no rule; it is still always
    # generated.
    defaulted: bool = False


@dataclass(frozen=True, slots=True)
class ForeignKey:
    columns: tuple[str, ...]
    entity: str
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entity:
    """A named record type: a table, a message, a schema component."""

    name: str
    schema: Schema
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    plural: str | None = None  # the collection name used in REST paths
    # Columns the database numbers itself (GENERATED ALWAYS AS IDENTITY): PostgreSQL takes a
    # value for them from an INSERT only with OVERRIDING SYSTEM VALUE (COPY takes it as is).
    identity_always: tuple[str, ...] = ()
    # The database schema of its table, as an imported DDL names it (``CREATE TABLE
    # app."Tickets"``: ``app``); loads and SQL scripts for PostgreSQL go to that schema's table.
    table_schema: str | None = None

    @property
    def collection(self) -> str:
        return self.plural or _pluralise(_snake(self.name))

    @property
    def keys(self) -> tuple[tuple[str, ...], ...]:
        """Every key no two records share, the primary key first. A key of several columns
        (``PRIMARY KEY (order_id, line_no)``, ``UNIQUE (row_no, seat_no)``) is unique as a
        combination: each of its columns may repeat."""
        return tuple(dict.fromkeys(k for k in (self.primary_key, *self.unique) if k))

    @property
    def unique_columns(self) -> frozenset[str]:
        """The columns unique on their own: those that are a key by themselves."""
        return frozenset(k[0] for k in self.keys if len(k) == 1)


RESPONSE_SHAPES = ("one", "array", "page", "none")
"""How a success reply holds its entity: one value of it; a JSON array of them; the built-in
API's page, ``{"items": [...], "page": 1}`` (no spec declares it); no body at all."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation, as an OpenAPI spec declares it or the built-in CRUD derives it."""

    method: str
    path: str  # template with {params}
    # The entity the request body carries; without a body, the resource the path names.
    entity: str | None = None
    request_body: bool = False
    request_shape: str = "one"  # the body: one value of ``entity``, or an "array" of them
    # The status a request answers when nothing goes wrong: an imported spec's declared one,
    # an error where the spec declares only errors.
    success_status: int = 200
    error_statuses: tuple[int, ...] = ()
    path_params: tuple[str, ...] = ()
    query_params: tuple[tuple[str, Schema], ...] = ()
    required_query: tuple[str, ...] = ()  # the query parameters every request carries
    # Declared header parameters (``in: header``) with their schemas, and those every
    # request carries (the others about half of them).
    header_params: tuple[tuple[str, Schema], ...] = ()
    required_header_params: tuple[str, ...] = ()
    # Declared cookie parameters (``in: cookie``), sent in a ``Cookie`` header, likewise.
    cookie_params: tuple[tuple[str, Schema], ...] = ()
    required_cookie_params: tuple[str, ...] = ()
    operation_id: str | None = None
    # The success reply: its entity (None: ``entity``, as the built-in CRUD replies with the
    # resource it was sent) and its shape, one of RESPONSE_SHAPES.
    response_entity: str | None = None
    response_shape: str = "one"
    # The declared schemas of path parameters (by name; undeclared ones are absent).
    path_schemas: tuple[tuple[str, Schema], ...] = ()
    # The resources (named entities) the operation acts on: its request body's and its
    # reply's, where they are, extend or wrap one (``allOf: [Booking, {links}]``,
    # ``{data: [Booking]}``); else its path's. What ``import-schema -e`` keeps it by.
    resources: tuple[str, ...] = ()
    # The media type the request body is sent as where it is not JSON (None): a form
    # (application/x-www-form-urlencoded, multipart/form-data), text, XML or bytes.
    request_media: str | None = None
    # The media type of the success reply where it is not JSON (None): text, XML or bytes.
    response_media: str | None = None
    # How the properties of a form body are sent, where the spec says (OpenAPI's encoding).
    request_encoding: tuple[PartEncoding, ...] = ()
    # The body of the reply to a request whose body breaks its schema, where the spec
    # declares one for that status (``bad_request_status``): its entity, and its media type
    # where that is not plain JSON (None: ``application/json``).
    error_entity: str | None = None
    error_media: str | None = None
    # The bodies of the other error replies the spec declares, for the error statuses a
    # persona answers with (401, 404, 503…): ``(status, entity, media type where not plain
    # JSON)``; status 0 is an error ``default``, for the error statuses not listed.
    error_replies: tuple[tuple[int, str, str | None], ...] = ()

    @property
    def bad_request_status(self) -> int:
        """The status a request whose body breaks its schema is answered with: 422 where
        the operation declares it, else 400, else its lowest other client error that is
        not about credentials, a missing resource or a rate (401, 403, 404, 429), else 422."""
        return bad_request_status(self.error_statuses)

    @property
    def response_array(self) -> bool:
        """Whether a success reply is a list of the entity (a collection request)."""
        return self.response_shape in ("array", "page")

    @property
    def replied(self) -> str | None:
        """The entity of a success reply's body (None: the domain's primary one)."""
        return self.response_entity or self.entity


@dataclass(frozen=True)
class Domain:
    """Everything generators need to shape records: entities and, for APIs, operations."""

    entities: dict[str, Entity]
    primary: str
    operations: tuple[Operation, ...] = ()
    events: dict[str, str] = field(default_factory=dict)  # event type -> entity name
    source: str = "builtin"

    def entity(self, name: str | None = None) -> Entity:
        return self.entities[name or self.primary]


def takes_null(domain: Domain, s: Schema) -> bool:
    """Whether a value of ``s`` may be null: ``s`` is nullable, or refers (through up to 16
    references) to an entity that is (a property ``$ref: NullableThing``)."""
    seen = 0
    while not s.nullable:
        if s.type != "ref" or s.ref not in domain.entities or seen >= 16:
            return False
        s = domain.entities[s.ref].schema
        seen += 1
    return True


_NOT_ABOUT_THE_BODY = (401, 403, 404, 429)


def bad_request_status(declared: tuple[int, ...]) -> int:
    """See ``Operation.bad_request_status``."""
    if 422 in declared or 400 in declared:
        return 422 if 422 in declared else 400
    others = sorted(c for c in declared if 400 <= c < 500 and c not in _NOT_ABOUT_THE_BODY)
    return others[0] if others else 422


def deref(domain: Domain, s: Schema) -> Schema:
    """``s``, or the schema of the entity it references (through up to 16 references)."""
    seen = 0
    while s.type == "ref" and s.ref in domain.entities and seen < 16:
        s = domain.entities[s.ref].schema
        seen += 1
    return s


def deref_nullable(domain: Domain, s: Schema) -> Schema:
    """``deref(domain, s)``, nullable where ``s`` is: a nullable reference (Avro's ``["null",
    Address]``, a JSON Schema ``$ref`` beside ``nullable``) takes null, whatever its entity."""
    target = deref(domain, s)
    if s.nullable and not target.nullable:
        return replace(target, nullable=True)
    return target


def flat_variants(domain: Domain, root: Schema) -> list[Schema]:
    """The shapes a union's records take: its variants, those that are unions themselves
    (a oneOf of a oneOf, as Azure Pipelines' root is) replaced by their own variants; null
    left out, as the synthesizer leaves it out."""
    out: list[Schema] = []

    def add(schema: Schema, depth: int) -> None:
        for v in [v for v in schema.variants if v.type != "null"] or list(schema.variants):
            inner = deref(domain, v)
            if inner.type == "union" and inner.variants and depth < 8:
                add(inner, depth + 1)
            else:
                out.append(v)

    add(root, 0)
    return out


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper()):
            out.append("_")
        out.append(ch.lower())
    return "".join(out).replace("-", "_")


def _pluralise(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
