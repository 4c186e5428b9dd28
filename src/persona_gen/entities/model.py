"""The neutral entity model: what every importer produces and every generator consumes.

It is a small typed subset of what OpenAPI, JSON Schema, Avro, SQL DDL and Protobuf can say
about a record: types, formats, constraints, required/nullable, nested objects and arrays,
maps, unions and references to other named entities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SCALAR_TYPES",
    "Domain",
    "Entity",
    "Field",
    "ForeignKey",
    "Operation",
    "Schema",
    "deref",
]

SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean", "null", "any"})
TYPES = SCALAR_TYPES | {"object", "array", "map", "union", "ref"}


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
    precision: int | None = None  # total significant digits (SQL DECIMAL, Avro decimal)
    scale: int | None = None  # digits after the point
    # arrays and maps
    items: Schema | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    values: Schema | None = None  # map values
    # objects
    fields: tuple[Field, ...] = ()
    closed: bool = False  # no properties beyond ``fields``
    # unions and references
    variants: tuple[Schema, ...] = ()
    ref: str | None = None
    description: str | None = None

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

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

    @property
    def collection(self) -> str:
        return self.plural or _pluralise(_snake(self.name))


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation, as an OpenAPI spec declares it or the built-in CRUD derives it."""

    method: str
    path: str  # template with {params}
    entity: str | None = None  # the entity a request or response body carries
    request_body: bool = False
    response_array: bool = False
    success_status: int = 200
    error_statuses: tuple[int, ...] = ()
    path_params: tuple[str, ...] = ()
    query_params: tuple[tuple[str, Schema], ...] = ()
    operation_id: str | None = None


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


def deref(domain: Domain, s: Schema) -> Schema:
    """``s``, or the schema of the entity it references (through up to 16 references)."""
    seen = 0
    while s.type == "ref" and s.ref in domain.entities and seen < 16:
        s = domain.entities[s.ref].schema
        seen += 1
    return s


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
