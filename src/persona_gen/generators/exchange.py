"""One HTTP exchange's parts made to agree: what a request sends and a reply returns of a
resource (path values, echoed fields, readOnly/writeOnly), and path parameter text."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, NamedTuple
from urllib.parse import quote

from persona_gen.entities.model import SCALAR_TYPES, Domain, Entity, Schema, deref
from persona_gen.entities.one_way import LeftOut, OneWay, leave_out, put_back
from persona_gen.generators.check import violated_rule
from persona_gen.generators.mutations import Outcome
from persona_gen.generators.paths import top_key
from persona_gen.values.semantics import snake_case

__all__ = [
    "Carried",
    "PathValues",
    "agree",
    "agree_error",
    "carried_fields",
    "field_for",
    "fitting",
    "holds",
    "in_item",
    "in_path",
    "not_null",
    "params_of",
    "patch_of",
    "path_texts",
    "variant_to_reply",
]

_SENDING = ("POST", "PUT", "PATCH")


def patch_of(body: dict[str, Any]) -> dict[str, Any]:
    """What a PATCH sends of a whole body: its first third of fields (at least one)."""
    keys = list(body)[: max(1, len(body) // 3)]
    return {key: body[key] for key in keys}


Carried = dict[str, Schema | None] | None
"""The fields of a request body that the success reply takes over: None for all (the reply
is of the entity sent); else by name: None where both entities declare the same schema, or
the reply's schema, which the value must fit."""


class PathValues(NamedTuple):
    """The values of a request path's parameters that its bodies carry, by field name: into
    the request body, and into the success reply (each only where the value fits the field)."""

    body: dict[str, Any]
    reply: dict[str, Any]


def agree(
    method: str,
    body: Any,
    reply: Any,
    named: PathValues | None,
    outcomes: list[Outcome],
    batch: bool,
    carried: Carried,
    hidden: OneWay | None,
    left_out: LeftOut | None,
) -> None:
    """Make an exchange name one resource. An update's body carries the field values its
    path names (unless a behaviour changed them), and a success reply is the resource asked
    for: what a create or an update sent, as far as the reply's entity has those fields
    (``carried``), with the readOnly values the body left out below its top level put back
    (``left_out``: the ids the server gives the lines of an order), with the path's own
    values (the id of ``GET /users/{id}``), never a write-only field, at any depth
    (``hidden``); its other fields stand for what the server holds or adds."""
    sending = method in _SENDING and isinstance(body, dict) and not (batch and method == "POST")
    if named and named.body and sending:
        touched = {top_key(o.field_path, body) for o in outcomes} if outcomes else ()
        for key, value in named.body.items():
            if key in body and key not in touched:
                body[key] = value
    if not isinstance(reply, dict) or (outcomes and any(o.rule for o in outcomes)):
        return  # (an invalid request gets an error, not this reply)
    if sending:
        put_back(reply, left_out, carry(body, reply, carried), carried is None)
    if named:
        reply.update(named.reply)  # (an optional key too: the resource the path names has it)
    if hidden is not None:
        leave_out([reply], hidden)  # (a write-only field the body sent is not echoed)


_STATUS_FIELDS = frozenset({"status", "status_code", "code", "http_status", "http_code"})
_REQUEST_ID_FIELDS = frozenset({"request_id", "trace_id", "correlation_id"})


def agree_error(body: Any, entity: Entity, status: int, request_id: str) -> None:
    """Make a declared error body drawn for a reply say what the reply says: a field named
    as a status (``status``, ``code``, ``statusCode``…) the reply's status, one named as a
    request id (``request_id``, ``traceId``…) the request's id, where the field can hold it."""
    if not isinstance(body, dict):
        return
    for field in entity.schema.fields:
        snake = snake_case(field.name)
        value: Any = status if snake in _STATUS_FIELDS else None
        if snake in _REQUEST_ID_FIELDS:
            value = request_id
        if field.name in body and value is not None and violated_rule(field.schema, value) is None:
            body[field.name] = value


def params_of(path: str) -> tuple[str, ...]:
    out, rest = [], path
    while "{" in rest:
        start = rest.index("{")
        end = rest.index("}", start)
        out.append(rest[start + 1 : end])
        rest = rest[end + 1 :]
    return tuple(out)


def carry(body: dict[str, Any], reply: dict[str, Any], carried: Carried) -> list[str]:
    """Put into a reply what the request body sent, as far as ``carried`` lets it; the
    fields it put there of the same schema (whose values hold what the body left out)."""
    if carried is None:
        reply.update(body)
        return list(body)
    out = []
    for key, value in body.items():
        if key not in carried:
            continue
        schema = carried[key]
        if schema is None or violated_rule(schema, value) is None:
            reply[key] = value
            if schema is None:
                out.append(key)
    return out


def variant_to_reply(
    domain: Domain, shapes: list[Schema], body: dict[str, Any], reply: dict[str, Any]
) -> int | None:
    """Of the ``shapes`` of a union entity (``flat_variants``: the options of a oneOf, an
    anyOf, an if/then/else), the one a success reply that takes over ``body`` (``carry``)
    must be drawn of again: the first that holds the body, where none holds both the body and
    the reply as drawn (else the reply would hold fields of two options, as a cat with a
    dog's ``packSize``: a oneOf of open objects then matches both; or as a reply without the
    ``cvv`` a ``card`` the body sent brings, where the card was optional in the shape the
    reply was drawn of). None where a shape holds both, with every field it requires, or
    none holds the body by its keys either (nothing tells its option). A body whose values
    broke their rules (a number sent as text by a legacy client) is held by the options
    that declare all of its keys: a oneof's keys still tell which member it sent."""
    mine = [k for k, shape in enumerate(shapes) if holds(domain, shape, body)] or [
        k for k, shape in enumerate(shapes) if _declares(domain, shape, body)
    ]
    if not mine or any(
        holds(domain, shapes[k], reply) and _complete(domain, shapes[k], body, reply) for k in mine
    ):
        return None
    return mine[0]


def _declares(domain: Domain, shape: Schema, body: dict[str, Any]) -> bool:
    """Whether an object option declares every key of ``body`` (whatever their values)."""
    shape = deref(domain, shape)
    names = {f.name for f in shape.fields}
    return shape.type == "object" and bool(names) and all(key in names for key in body)


def _complete(domain: Domain, shape: Schema, body: dict[str, Any], reply: dict[str, Any]) -> bool:
    """Whether a reply that takes over ``body`` has every field ``shape`` requires (but a
    write-only one: a reply never holds it)."""
    fields = deref(domain, shape).fields
    return all(f.name in reply or f.name in body for f in fields if f.required and not f.write_only)


def holds(domain: Domain, schema: Schema, value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is one ``schema`` holds as the synthesizer draws its values: an
    object with fields holds no key it does not declare (a key of another option would let
    that option match too), a union's value is one option's. Required fields are not asked
    for (a PATCH sends a few fields, a request no readOnly ones)."""
    if depth > 32:  # (a value this deep is taken as it is)
        return True
    schema = deref(domain, schema)
    if schema.variants:
        options = schema.variants
        return (value is None and schema.nullable) or any(
            holds(domain, option, value, depth + 1) for option in options
        )
    if violated_rule(schema, value) is not None:
        return False
    if schema.const_unchecked and value != schema.const:
        return False  # (a discriminator's value: drawn, so it tells the option, though unchecked)
    if isinstance(value, dict) and schema.type == "object" and (schema.fields or schema.closed):
        fields = {f.name: f.schema for f in schema.fields}
        return all(
            key in fields and holds(domain, fields[key], item, depth + 1)
            for key, item in value.items()
        )
    if isinstance(value, dict) and schema.type == "map" and schema.values is not None:
        values = schema.values
        return all(holds(domain, values, item, depth + 1) for item in value.values())
    if isinstance(value, list) and schema.items is not None:
        items = schema.items
        return all(holds(domain, items, item, depth + 1) for item in value)
    return True


def carried_fields(sent: Entity, replied: Entity) -> Carried:
    """What a success reply of ``replied`` takes over from a body of ``sent`` (``Carried``).
    A field whose schemas differ is carried when the reply's is a plain value's, whose
    rules a value can be checked against here (a reference or object is not)."""
    if sent.name == replied.name:
        return None
    out: dict[str, Schema | None] = {}
    for field in sent.schema.fields:
        theirs = replied.schema.field(field.name)
        if theirs is None or theirs.write_only:
            continue
        if theirs.schema == field.schema:
            out[field.name] = None
        elif theirs.schema.type in SCALAR_TYPES and not theirs.schema.variants:
            out[field.name] = theirs.schema
    return out


def in_item(outcome: Outcome) -> Outcome:
    """An outcome of a body that became the first item of an array body (effects act on
    the first item only, a batch's too)."""
    path = outcome.field_path
    return outcome._replace(field_path=f"[0].{path}" if path else "[0]")


def field_for(entity: Entity, param: str, last: bool, collection: str = "") -> str | None:
    """The field of ``entity`` a path parameter names, names compared in snake_case: the
    field of its name (``{id}``, ``{user_id}``, ``{userId}`` as ``user_id``); else, for the
    parameter the path ends in, the resource's own key: its name without the resource's name
    in front (``{issue_number}`` of an issue, or of ``/issues/{issue_number}``, is its
    ``number``; ``{petId}`` of a pet its ``id``), else an identifier by its suffix
    (``{bookingId}`` the ``id``, ``{issue_number}`` the ``number``). ``collection`` is the
    path segment before the parameter."""
    fields = {snake_case(f.name): f.name for f in entity.schema.fields}
    snake = snake_case(param)
    if entity.schema.field(param) is not None:
        return param
    if snake in fields:
        return fields[snake]
    if not last:
        return None
    for name in (entity.name, collection, collection.removesuffix("s")):
        prefix = snake_case(name) + "_"
        if prefix != "_" and snake.startswith(prefix) and snake[len(prefix) :] in fields:
            return fields[snake[len(prefix) :]]
    if snake.endswith("number") and "number" in fields:
        return fields["number"]
    if snake.endswith("id") and "id" in fields:
        return fields["id"]
    return None


def fitting(entity: Entity, name: str, source: Schema, values: list[Any]) -> list[bool] | None:
    """Per value, whether the field ``name`` of ``entity`` can hold it (None: no such field,
    or one whose rules are not checked here). Values drawn from that field's own schema fit."""
    field = entity.schema.field(name)
    if field is None:
        return None
    if field.schema == source:
        return [True] * len(values)
    if field.schema.type not in SCALAR_TYPES or field.schema.variants:
        return None
    return [violated_rule(field.schema, v) is None for v in values]


def in_path(schema: Schema) -> Schema:
    """A declared path parameter's schema as values for a path are drawn from it: never
    null, and never empty where the schema allows more (``/users//orders`` names no user)."""
    schema = not_null(schema)
    if schema.enum is not None or schema.has_const:
        return schema
    if schema.type == "string" and not schema.min_length and schema.max_length != 0:
        return replace(schema, min_length=1)
    if schema.type == "array" and not schema.min_items and schema.max_items != 0:
        return replace(schema, min_items=1)
    if schema.type == "object" and schema.fields and not any(f.required for f in schema.fields):
        first, *rest = schema.fields
        return replace(schema, fields=(replace(first, required=True), *rest))
    return schema


def not_null(schema: Schema) -> Schema:
    """A path parameter is never null (the same object when it cannot be, as the built-in
    ``{id}``: its values are cached by schema object, shared with the entity's field)."""
    return replace(schema, nullable=False) if schema.nullable else schema


_PCHAR = "!$&'()*+,;=:@"  # RFC 3986 characters a path segment may hold as they are
_NOT_PCHAR = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@]")


def path_texts(values: list[Any]) -> list[str]:
    """Path parameter values as text; strings that need no encoding (UUIDs, slugs: the
    common case) as they are, without encoding each."""
    if all(type(v) is str for v in values) and not _NOT_PCHAR.search("".join(values)):
        return values
    return [_path_text(v) for v in values]


def _path_text(value: Any) -> str:
    """A path parameter's value as OpenAPI's default ``simple`` style writes it, with what a
    path segment cannot hold percent-encoded."""
    if isinstance(value, dict):
        value = [part for pair in value.items() for part in pair]
    if isinstance(value, list):
        return ",".join(_path_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return quote("" if value is None else str(value), safe=_PCHAR)
