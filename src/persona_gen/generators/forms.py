"""Request bodies a spec declares as forms: written as their media type writes them, and
read back into the values the schema governs (for ``persona-gen check``).

``application/x-www-form-urlencoded``: ``key=value`` pairs; ``multipart/form-data``: one
part per value (RFC 7578). Either way, as OpenAPI's default encoding has it, an array is one
pair or part per item; an object is JSON text (a multipart part says ``application/json``);
a ``format: binary`` value is a file part (``application/octet-stream``) holding the text
drawn for it; a number or boolean is its JSON text; null is empty.
"""

from __future__ import annotations

import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, urlencode

from persona_gen.entities.model import Domain, Schema, deref

__all__ = ["MULTIPART", "URLENCODED", "binary_fields", "decode", "encode", "form_type"]

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
_JSON = "application/json"


def binary_fields(schema: Schema, domain: Domain) -> frozenset[str]:
    """The top-level fields of ``schema`` that hold files (``format: binary``, or arrays
    of them)."""
    out = set()
    for field in deref(domain, schema).fields:
        found = deref(domain, field.schema)
        if found.type == "array" and found.items is not None:
            found = deref(domain, found.items)
        if found.format == "binary":
            out.add(field.name)
    return frozenset(out)


def encode(
    body: dict[str, Any], media: str, tag: str, binary: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """``(Content-Type, text)`` of ``body`` sent as ``media``; ``tag`` (the request id) makes
    a multipart boundary that is the same on every run."""
    pairs = [(key, item) for key, value in body.items() for item in _items(value)]
    if media != MULTIPART:
        return URLENCODED, urlencode([(key, _text(value)) for key, value in pairs])
    boundary = "persona-gen-" + re.sub(r"[^0-9A-Za-z]", "", tag)
    parts = []
    for key, value in pairs:
        name = key.replace('"', "%22")
        head = f'Content-Disposition: form-data; name="{name}"'
        if key in binary and not isinstance(value, dict | list):
            head += f'; filename="{name}"\r\nContent-Type: application/octet-stream'
        elif isinstance(value, dict | list):
            head += f"\r\nContent-Type: {_JSON}"
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n{_text(value)}\r\n")
    return f"{MULTIPART}; boundary={boundary}", "".join(parts) + f"--{boundary}--\r\n"


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def form_type(content_type: Any) -> str | None:
    """The form media type a ``Content-Type`` header names (None: not a form)."""
    if not isinstance(content_type, str):
        return None
    base = content_type.split(";")[0].strip().lower()
    return base if base in (URLENCODED, MULTIPART) else None


def decode(text: str, content_type: str, schema: Schema, domain: Domain) -> Any:
    """The values a form body sends, typed as ``schema`` says (as a server reads a form): a
    field whose schema is no string is read as JSON text where it is that, an empty value
    of a nullable field is null, an array field collects its items (none sent: empty).
    A body that is not a well-formed form (a truncated multipart body) is its text."""
    pairs = _multipart(text, content_type) if form_type(content_type) == MULTIPART else None
    if pairs is None and form_type(content_type) == MULTIPART:
        return text
    if pairs is None:
        pairs = [(k, v, False) for k, v in parse_qsl(text, keep_blank_values=True)]
    fields = {f.name: f for f in deref(domain, schema).fields}
    out: dict[str, Any] = {}
    for name, raw, is_json in pairs:
        field = fields.get(name)
        found = deref(domain, field.schema) if field is not None else None
        many = found is not None and found.type == "array"
        item = deref(domain, found.items) if many and found and found.items else found
        value = _json_or(raw) if is_json else _typed(raw, item)
        if many:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    for name, field in fields.items():
        if name not in out and field.required and deref(domain, field.schema).type == "array":
            out[name] = []  # (a form cannot send an empty array but by sending no item)
    return out


def _typed(raw: str, schema: Schema | None) -> Any:
    if schema is None or schema.type == "string":
        return None if raw == "" and schema is not None and schema.nullable else raw
    if raw == "" and schema.nullable:
        return None
    return _json_or(raw)


def _json_or(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _multipart(text: str, content_type: str) -> list[tuple[str, str, bool]] | None:
    """``(name, value, is JSON)`` of each part of a multipart body; None when it is not one.
    A body of no part (every field left out) is only its closing delimiter."""
    data = f"Content-Type: {content_type}\r\n\r\n{text}".encode()
    message = BytesParser(policy=HTTP).parsebytes(data)
    boundary = message.get_boundary()
    if boundary is not None and text == f"--{boundary}--\r\n":
        return []
    if not message.is_multipart() or message.defects:
        return None
    out = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes) or part.defects:
            return None
        is_json = part.get_content_type() == _JSON
        out.append((name.replace("%22", '"'), payload.decode(), is_json))
    return out
