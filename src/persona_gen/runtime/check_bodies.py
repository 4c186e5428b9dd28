"""An api record's request body as ``check`` validates it: read back from the media type it
was sent as (``wire_values``: a form, XML, text, a multipart form's Base64), a form's file
parts held to being there only (``files_read``), the items a batch POST sends
(``values_of``), and the readOnly fields a body sends though the server sets them
(``read_only_sent``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple

from persona_gen.entities.media import base_type, is_media_type, media_kind
from persona_gen.entities.model import Domain, Schema, deref
from persona_gen.entities.one_way import OneWay, sent_paths
from persona_gen.generators.bodies import base64_text, from_text, from_xml, xml_unreadable
from persona_gen.generators.forms import decode
from persona_gen.runtime.records import text_cell


def values_of(
    part: Any, record: dict[str, Any], generator: str, text: bool, domain: Domain, entity: str
) -> list[Any]:
    """The values of the entity a governed part holds: itself, or an api body's items."""
    if generator != "api":
        return [part]
    if (
        _batch_path(record, text)
        and isinstance(part, dict)
        and set(part) == {"items"}
        and isinstance(part["items"], list)
    ):
        items: list[Any] = part["items"]  # a batch POST (told by its path)
        return items
    if isinstance(part, list):  # a body the spec declares as an array of the entity
        found = domain.entities.get(entity)
        if found is None or deref(domain, found.schema).type != "array":
            return part
    return [part]


def read_only_sent(values: list[Any], where: OneWay | None) -> list[str]:
    """The readOnly fields (an ``id``, a ``created_at`` the server sets) that request body
    ``values`` send, at any depth, as paths (``id``, ``customer.id``, ``lines[].id``:
    ``one_way.sent_paths``): OpenAPI says a request SHOULD NOT send them. ``where``: the
    entity's (``one_way.one_way_fields``), whose fields the api generator leaves out of
    every body it sends."""
    found: dict[str, None] = {}
    for value in values:
        found.update(dict.fromkeys(sent_paths(value, where)))
    return list(found)


def _batch_path(record: dict[str, Any], text: bool) -> bool:
    """Whether ``record`` is a batch POST (CSV: its request is a cell of JSON text)."""
    request = text_cell(record.get("request")) if text else record.get("request")
    path = request.get("path") if isinstance(request, dict) else None
    return isinstance(path, str) and path.split("?", 1)[0].endswith("/batch")


class Unreadable(NamedTuple):
    """A body whose text is not what its media type says (a body cut short): it fails
    validation with this message, as a broken ``type``."""

    message: str


def wire_values(
    part: Any, record: dict[str, Any], text: bool, domain: Domain, entity: str, op: Any
) -> tuple[Any, bool, str | None]:
    """An api request body read back from the media type it is sent as into the values it
    sends: ``(values, as text, why it is not validated)``. A form, as its fields typed by
    the schema (as text: like a CSV cell, a form cannot tell a number from a numeric string,
    nor null from ""); text, as the string it is (or the JSON value it holds); XML, read as
    ``bodies.to_xml`` writes it (as text, too); bytes (``body_encoding``) are not held to
    the schema, but a multipart form's (Base64 text of a form with file parts), read as a
    form, its file parts as bytes (see ``files_read``); nor XML of a schema with unions.
    JSON as it is. A body of a string schema is text too: cut short, it is still a string
    (``truncated_json`` cannot show)."""
    request = text_cell(record.get("request")) if text else record.get("request")
    headers = request.get("headers") if isinstance(request, dict) else None
    content_type = headers.get("Content-Type") if isinstance(headers, dict) else None
    base = base_type(content_type) if isinstance(content_type, str) else ""
    kind = media_kind(content_type) if is_media_type(base) else "json"
    encoded = isinstance(request, dict) and request.get("body_encoding") is not None
    if (encoded and kind != "form") or kind == "binary":
        return part, False, f"a binary body ({base or 'bytes'}) is not held to a JSON schema"
    if not isinstance(part, str) or entity not in domain.entities:
        return part, False, None
    schema = domain.entities[entity].schema
    sent: str | bytes = part
    if encoded:  # (a multipart form with file parts: bytes, as Base64 text)
        try:
            sent = base64.b64decode(part, validate=True)
        except (binascii.Error, ValueError):
            unread = "$: the body is not the Base64 text its body_encoding says"
            return Unreadable(unread), True, None
    if kind in ("json", "text"):
        found = deref(domain, schema)
        values = from_text(part, schema, domain) if kind == "text" else part
        return values, found.type == "string", None
    if kind == "form":
        if deref(domain, schema).type != "object":
            return (
                part,
                False,
                f"a form of {entity}, which is no one object (a union), is not read back",
            )
        encoding = op.request_encoding if op is not None else ()
        values = decode(sent, str(content_type), schema, domain, encoding)
        return (part if isinstance(values, bytes) else values), True, None
    why = xml_unreadable(schema, domain)
    if why is not None:
        return part, False, f"an XML body of {entity} is not read back: {why}"
    if op is not None and op.request_shape == "array":
        schema = Schema("array", items=Schema("ref", ref=entity))
    try:
        return from_xml(part, schema, domain), True, None
    except ValueError as exc:
        return Unreadable(f"$: {exc}"), True, None


def files_read(body: Any) -> tuple[Any, list[tuple[str | int, ...]]]:
    """A form's values with each file part (bytes) as the Base64 text of its bytes, and
    where those parts are. A file part stands for a value of its field, which the bytes of
    a file of its type do not show (a PNG of the bytes drawn is larger than they are): it
    is held to no rule of its field but being there, so nothing is checked at its place."""
    if not isinstance(body, dict):
        return body, []
    out: dict[str, Any] = {}
    places: list[tuple[str | int, ...]] = []
    for key, value in body.items():
        if isinstance(value, bytes):
            out[key] = base64_text(value)
            places.append((key,))
        elif isinstance(value, list):  # (an array field: a part per item)
            out[key] = [base64_text(x) if isinstance(x, bytes) else x for x in value]
            places += [(key, k) for k, x in enumerate(value) if isinstance(x, bytes)]
        else:
            out[key] = value
    return (out, places) if places else (body, [])


def type_changes_only(record: dict[str, Any]) -> bool:
    """Whether every break an api record is labelled with changed a value's type."""
    violations = record.get("violations")
    changes = [v.get("change") for v in violations if isinstance(v, dict)] if violations else []
    return bool(changes) and all(c == "type_mismatch" for c in changes)
