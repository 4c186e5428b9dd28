"""Protobuf descriptors → the neutral entity model, following protobuf's JSON mapping.

A record is a message in its canonical JSON form (what ``json_format.ParseDict`` reads), with
fields under their ``.proto`` names (``created_at``; ParseDict also takes ``createdAt``).

* One entity per message, named by its full name minus its file's package (``User``,
  ``User.Address``); a message of another package whose short name is taken keeps its full name.
  The listed entities are the input file's messages: top-level ones in file order, then nested
  ones level by level. Messages of imported files that fields use are entities too, not listed.
* Scalars: 32-bit integers carry their exact ranges; 64-bit integers are JSON numbers (ParseDict
  takes numbers as well as the strings protobuf prints) with the type's range; ``float`` is
  bounded by the float32 range; ``bytes`` is base64 (``format: byte``); enums are strings
  (value names).
* Presence: implicit-presence fields (plain proto3 scalars, repeated fields, maps) always
  appear, marked ``defaulted``: ParseDict takes one left out (as its default), so leaving it
  out breaks nothing; fields with presence (proto3 ``optional``, proto2 ``optional``,
  message fields) are optional; proto2 ``required`` is required; repeated fields are arrays
  and maps are maps. A message's object is ``null_as_absent``: ParseDict reads a field set to
  null as left out (null breaks only a required field). ``google.api.field_behavior``
  REQUIRED / OUTPUT_ONLY / INPUT_ONLY make a field required / read-only / write-only.
* ``map<string, V>`` is a map; ``map<bool, V>`` an object with optional ``true``/``false``
  keys; maps with integer keys cannot be said (the model's maps have string keys): they are
  empty objects, with a warning.
* ``oneof``: at most one member may be set, which an object's fields cannot say. The object's
  ``fields`` carry the first member of each oneof (optional), and its ``variants`` list one
  complete object per choice, so every choice is kept for a synthesizer that picks variants.
  A warning names the choices records do not carry.
* Well-known types: Timestamp → string ``date-time``; Duration → string ``"1.5s"`` (pattern);
  wrappers → nullable scalars; Struct → map of any; Value → any; ListValue → array of any;
  FieldMask → string of comma-separated camelCase paths (pattern); Any → an object packing
  ``google.protobuf.Empty`` (warning: the real payload type is unknown). Messages with such a
  special JSON form are not listed as entities of their own.
* Extensions and services carry no record data: extension fields of the imported messages
  are warned about (records do not carry them); services are not imported.
"""

from __future__ import annotations

import base64
import itertools
import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from google.protobuf import descriptor as d
from google.protobuf import descriptor_pb2

from persona_gen.entities.model import Domain, Entity, Field, Schema
from persona_gen.entities.protobuf_json import DURATION_PATTERN, FIELD_MASK_PATTERN
from persona_gen.importers.protobuf._annotations import Docs, FieldBehaviour, proto3_optionals

__all__ = ["Mapped", "map_file"]

MAX_VARIANTS = 16  # oneof combinations kept as full products; beyond, each choice once

_FLOAT32_MAX = 3.4028234663852886e38
_RANGES: dict[int, tuple[int, int, str]] = {
    d.FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1, "int32"),
    d.FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1, "sint32"),
    d.FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1, "sfixed32"),
    d.FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1, "uint32"),
    d.FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1, "fixed32"),
    d.FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1, "int64"),
    d.FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1, "sint64"),
    d.FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1, "sfixed64"),
    d.FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1, "uint64"),
    d.FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1, "fixed64"),
}

ANY_PAYLOAD = "type.googleapis.com/google.protobuf.Empty"


WRAPPERS = {
    "google.protobuf.DoubleValue": d.FieldDescriptor.TYPE_DOUBLE,
    "google.protobuf.FloatValue": d.FieldDescriptor.TYPE_FLOAT,
    "google.protobuf.Int64Value": d.FieldDescriptor.TYPE_INT64,
    "google.protobuf.UInt64Value": d.FieldDescriptor.TYPE_UINT64,
    "google.protobuf.Int32Value": d.FieldDescriptor.TYPE_INT32,
    "google.protobuf.UInt32Value": d.FieldDescriptor.TYPE_UINT32,
    "google.protobuf.BoolValue": d.FieldDescriptor.TYPE_BOOL,
    "google.protobuf.StringValue": d.FieldDescriptor.TYPE_STRING,
    "google.protobuf.BytesValue": d.FieldDescriptor.TYPE_BYTES,
}

_ANY_VALUE = Schema("any", nullable=True)
SPECIAL_JSON: dict[str, Schema] = {
    "google.protobuf.Timestamp": Schema("string", format="date-time"),
    "google.protobuf.Duration": Schema("string", pattern=DURATION_PATTERN),
    "google.protobuf.FieldMask": Schema("string", pattern=FIELD_MASK_PATTERN),
    "google.protobuf.Struct": Schema("map", values=_ANY_VALUE),
    "google.protobuf.Value": _ANY_VALUE,
    "google.protobuf.ListValue": Schema("array", items=_ANY_VALUE),
    "google.protobuf.Any": Schema(
        "object",
        # (an Any without "@type" is the empty, default Any: ParseDict takes `{}`)
        fields=(
            Field("@type", Schema("string", const=ANY_PAYLOAD, has_const=True), defaulted=True),
        ),
        closed=True,
    ),
}


def _scalar_schema(type_: int) -> Schema:
    if type_ in _RANGES:
        low, high, name = _RANGES[type_]
        return Schema("integer", format=name, minimum=low, maximum=high)
    if type_ == d.FieldDescriptor.TYPE_FLOAT:
        return Schema("number", format="float", minimum=-_FLOAT32_MAX, maximum=_FLOAT32_MAX)
    if type_ == d.FieldDescriptor.TYPE_DOUBLE:
        return Schema("number", format="double")
    if type_ == d.FieldDescriptor.TYPE_BOOL:
        return Schema("boolean")
    if type_ == d.FieldDescriptor.TYPE_BYTES:
        return Schema("string", format="byte")
    return Schema("string")


for _name, _type in WRAPPERS.items():
    SPECIAL_JSON[_name] = replace(_scalar_schema(_type), nullable=True)


@dataclass
class Mapped:
    """What one compiled file becomes."""

    domain: Domain
    listed: tuple[str, ...]
    warnings: tuple[str, ...]


def map_file(pool: Any, fds: descriptor_pb2.FileDescriptorSet) -> Mapped:
    """Map the last file of ``fds`` (the one protoc was asked about) and what it uses."""
    main_proto = fds.file[-1]
    docs = Docs()
    presence: set[str] = set()  # full names of proto3 `optional` fields (synthetic oneofs)
    for proto in fds.file:
        docs.add_file(proto)
        presence.update(proto3_optionals(proto))
    main = pool.FindFileByName(main_proto.name)
    return _Mapper(docs, presence, FieldBehaviour(pool)).run(main, fds)


class _Mapper:
    def __init__(self, docs: Docs, proto3_optional: set[str], behaviour: FieldBehaviour) -> None:
        self.docs = docs
        self.proto3_optional = proto3_optional
        self.behaviour = behaviour
        self.names: dict[str, str] = {}  # message full name -> entity name
        self.taken: set[str] = set()
        self.pending: deque[Any] = deque()
        self.entities: dict[str, Entity] = {}
        self.warnings: list[str] = []

    def run(self, main: Any, fds: descriptor_pb2.FileDescriptorSet) -> Mapped:
        listed: list[str] = []
        for desc in _levels(list(main.message_types_by_name.values())):
            if desc.full_name in SPECIAL_JSON:
                self.warnings.append(
                    f"{desc.full_name}: a well-known type with its own JSON form (not an "
                    "object); it is mapped inline where fields use it, not listed as an entity"
                )
                continue
            listed.append(self.entity_name(desc))
        while self.pending:
            desc = self.pending.popleft()
            name = self.names[desc.full_name]
            self.entities[name] = Entity(name, self.message_schema(desc, name))
        self._warn_extensions(main, fds)
        ordered = {n: self.entities[n] for n in [*listed, *self.entities] if n in self.entities}
        primary = listed[0] if listed else ""
        domain = Domain(ordered, primary, source="protobuf")
        return Mapped(domain, tuple(listed), tuple(self.warnings))

    # -- names -----------------------------------------------------------------------------

    def entity_name(self, desc: Any) -> str:
        known = self.names.get(desc.full_name)
        if known is not None:
            return known
        full: str = desc.full_name
        package: str = desc.file.package
        name = full[len(package) + 1 :] if package else full
        for k in itertools.count(2):
            if name not in self.taken:
                break
            name = full if k == 2 else f"{full}_{k}"
        self.taken.add(name)
        self.names[full] = name
        self.pending.append(desc)
        return name

    # -- messages --------------------------------------------------------------------------

    def message_schema(self, desc: Any, entity: str) -> Schema:
        description = self.docs.text.get(desc.full_name)
        oneofs = [
            o
            for o in desc.oneofs
            if not (len(o.fields) == 1 and o.fields[0].full_name in self.proto3_optional)
        ]
        in_oneof = {f.full_name: o.name for o in oneofs for f in o.fields}
        built = {f.full_name: self.field(f, entity) for f in desc.fields}
        choices = [list(o.fields) for o in oneofs if o.fields]
        first = {c[0].full_name for c in choices}
        default = tuple(
            built[f.full_name]
            for f in desc.fields
            if f.full_name not in in_oneof or f.full_name in first
        )
        if not any(len(c) > 1 for c in choices):
            return Schema(
                "object",
                fields=default,
                closed=True,
                null_as_absent=True,
                description=description,
            )
        variants = tuple(
            Schema(
                "object",
                fields=tuple(
                    built[f.full_name]
                    for f in desc.fields
                    if f.full_name not in in_oneof or f.full_name in picked
                ),
                closed=True,
                null_as_absent=True,
            )
            for picked in _combinations(choices)
        )
        return Schema(
            "object",
            fields=default,
            closed=True,
            null_as_absent=True,
            variants=variants,
            description=description,
        )

    def field(self, f: Any, entity: str) -> Field:
        where = f"{entity}.{f.name}"
        schema = self.value_schema(f, where)
        doc = self.docs.text.get(f.full_name)
        if doc:
            schema = replace(schema, description=doc)
        behaviour = self.behaviour.of(f)
        # (required by the source: proto2 `required`, or an API's REQUIRED field behaviour)
        really = bool(f.is_required or ("REQUIRED" in behaviour and f.containing_oneof is None))
        # (of implicit presence: always generated, but ParseDict takes it left out)
        implicit = bool(f.is_repeated or not f.has_presence)
        return Field(
            f.name,
            schema,
            required=really or implicit,
            read_only="OUTPUT_ONLY" in behaviour,
            write_only="INPUT_ONLY" in behaviour,
            defaulted=implicit and not really,
        )

    def value_schema(self, f: Any, where: str) -> Schema:
        if f.is_repeated and _is_map(f):
            return self.map_schema(f, where)
        element = self.element_schema(f, where)
        if f.is_repeated:
            if element.nullable:  # null is not allowed inside a repeated field
                element = replace(element, nullable=False)
            return Schema("array", items=element)
        default = _default(f)
        if default is not None:
            element = replace(element, default=default, has_default=True)
        return element

    def element_schema(self, f: Any, where: str) -> Schema:
        if f.type == d.FieldDescriptor.TYPE_ENUM:
            return Schema("string", enum=tuple(v.name for v in f.enum_type.values))
        if f.type in (d.FieldDescriptor.TYPE_MESSAGE, d.FieldDescriptor.TYPE_GROUP):
            return self.message_ref(f.message_type, where)
        return _scalar_schema(f.type)

    def message_ref(self, msg: Any, where: str) -> Schema:
        special = SPECIAL_JSON.get(msg.full_name)
        if special is not None:
            if msg.full_name == "google.protobuf.Any":
                self.warnings.append(
                    f"{where}: google.protobuf.Any: the packed message type is not known; "
                    "values pack google.protobuf.Empty"
                )
            return special
        return Schema("ref", ref=self.entity_name(msg))

    def map_schema(self, f: Any, where: str) -> Schema:
        key, value = f.message_type.fields_by_name["key"], f.message_type.fields_by_name["value"]
        values = self.element_schema(value, where)
        if values.nullable:  # null is not a map value either (except google.protobuf.Value)
            values = replace(values, nullable=values.type == "any")
        if key.type == d.FieldDescriptor.TYPE_STRING:
            return Schema("map", values=values)
        if key.type == d.FieldDescriptor.TYPE_BOOL:
            return Schema(
                "object",
                fields=(
                    Field("true", values, required=False),
                    Field("false", values, required=False),
                ),
                closed=True,
            )
        self.warnings.append(
            f"{where}: map keys of type {_RANGES[key.type][2]} cannot be expressed (entity-model "
            "maps have string keys); generated maps are empty"
        )
        return Schema("object", closed=True)

    def _warn_extensions(self, main: Any, fds: descriptor_pb2.FileDescriptorSet) -> None:
        pool = main.pool
        for proto in fds.file:
            for ext in _extensions(pool.FindFileByName(proto.name)):
                target = ext.containing_type.full_name
                if target in self.names:
                    self.warnings.append(
                        f"{self.names[target]}: extension field [{ext.full_name}] is not generated"
                    )


def _extensions(file: Any) -> Iterator[Any]:
    yield from file.extensions_by_name.values()
    stack = list(file.message_types_by_name.values())
    while stack:
        msg = stack.pop()
        yield from msg.extensions
        stack.extend(msg.nested_types)


def _levels(top: list[Any]) -> Iterator[Any]:
    """Messages level by level (top-level first, then their nested ones), map entries left out."""
    level = top
    while level:
        nxt: list[Any] = []
        for msg in level:
            if msg.GetOptions().map_entry:
                continue
            yield msg
            nxt.extend(msg.nested_types)
        level = nxt


def _is_map(f: Any) -> bool:
    msg = f.message_type
    return msg is not None and bool(msg.GetOptions().map_entry)


def _combinations(choices: list[list[Any]]) -> list[set[str]]:
    """One set of picked oneof members per variant: all combinations, or each choice once."""
    total = math.prod(len(c) for c in choices)
    if total <= MAX_VARIANTS:
        return [{f.full_name for f in combo} for combo in itertools.product(*choices)]
    width = max(len(c) for c in choices)
    return [{c[i % len(c)].full_name for c in choices} for i in range(width)]


def _default(f: Any) -> Any:
    """A proto2 ``[default = ...]`` as its JSON value, or None."""
    if not f.has_default_value or f.is_repeated or f.type == d.FieldDescriptor.TYPE_MESSAGE:
        return None
    value = f.default_value
    if f.type == d.FieldDescriptor.TYPE_ENUM:
        member = f.enum_type.values_by_number.get(value)
        return member.name if member is not None else None
    if f.type == d.FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
