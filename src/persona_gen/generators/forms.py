"""Request bodies a spec declares as forms: written as their media type writes them, and
read back into the values the schema governs (for ``persona-gen check``).

``application/x-www-form-urlencoded``: ``key=value`` pairs; ``multipart/form-data``: one
part per value (RFC 7578). Either way, as OpenAPI's default encoding has it, an array is one
pair or part per item; an object is JSON text (a multipart part says ``application/json``);
a ``format: binary`` value is a file part (``application/octet-stream``) holding the bytes
it stands for; a number or boolean is its JSON text; null is empty.

A spec's ``encoding`` changes that per property (``PartEncoding``). A multipart part with a
``content_type`` is sent as that type: JSON as the JSON text of the value (an array's, as
one part), XML as its XML, text as its text, any other type as a file part holding a file
of that type (``api`` makes it: ``bodies.as_bytes``); its ``headers`` are sent in its part,
each with a value drawn from its schema (``api``). A multipart form that can hold a file
part is bytes (``has_files``), and is read back from them, its file parts as their bytes.
In an urlencoded form a ``style`` and ``explode`` write the value as
OpenAPI's query parameters are written: ``form`` (exploded: ``tags=a&tags=b``, an object's
properties as pairs of their own; not exploded: ``tags=a,b``, ``point=x,1,y,2``),
``spaceDelimited`` (``tags=a%20b``), ``pipeDelimited`` (``tags=a|b``) and ``deepObject``
(``point[x]=1&point[y]=2``); items are percent-encoded, the delimiters not, so an item
holding one is read back whole. Without a style, a JSON or XML ``content_type`` makes the
value that text, in one pair.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus, urlencode

from persona_gen._json import json_type
from persona_gen.entities.media import media_kind
from persona_gen.entities.model import Domain, PartEncoding, Schema, deref
from persona_gen.generators.bodies import as_text
from persona_gen.generators.files import as_file

__all__ = [
    "MULTIPART",
    "URLENCODED",
    "FileWriter",
    "binary_fields",
    "decode",
    "encode",
    "form_type",
    "has_files",
    "query_string",
]

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
_JSON = "application/json"
_OCTETS = "application/octet-stream"
# The delimiter of a style's items, as written (the items are percent-encoded).
_DELIMITERS = {"form": ",", "spaceDelimited": "%20", "pipeDelimited": "|", "deepObject": ","}
_DEEP = re.compile(r"(.+)\[([^\[\]]*)\]")

# Writes a property's value as XML: (property name, value) -> the document.
XmlWriter = Callable[[str, Any], str]
# Makes a file part's bytes: (property name, value, the part's media type) -> the file.
FileWriter = Callable[[str, Any, str], bytes]


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
    body: dict[str, Any],
    media: str,
    tag: str,
    binary: frozenset[str] = frozenset(),
    encoding: Iterable[PartEncoding] = (),
    xml: XmlWriter | None = None,
    part_headers: Mapping[str, Mapping[str, str]] | None = None,
    file: FileWriter | None = None,
) -> tuple[str, str | bytes]:
    """``(Content-Type, body)`` of ``body`` sent as ``media``; ``tag`` (the request id) makes
    a multipart boundary that is the same on every run; ``encoding`` and ``xml`` as the
    module's docstring says; ``part_headers``: the headers (name: value) a property's
    multipart parts carry, after Content-Disposition and Content-Type. A form is text, but
    a multipart form that can hold a file part (``has_files``) is bytes, whether or not
    this body holds one: each file part is what ``file`` makes of its value (by default its
    text's UTF-8 as a file of its type, ``files.as_file``)."""
    how = {e.name: e for e in encoding}
    if media != MULTIPART:
        if not how:
            pairs = [(key, item) for key, value in body.items() for item in _items(value)]
            return URLENCODED, urlencode([(key, as_text(value)) for key, value in pairs])
        pieces = [p for key, value in body.items() for p in _urlencoded(key, value, how, xml)]
        return URLENCODED, "&".join(pieces)
    boundary = "persona-gen-" + re.sub(r"[^0-9A-Za-z]", "", tag)
    make = file or _as_file
    parts: list[bytes] = []
    for key, value in body.items():
        declared = how[key].content_type if key in how else None
        kind = media_kind(declared) if declared is not None else None
        for item in [value] if kind == "json" else _items(value):
            name = key.replace('"', "%22")
            head = f'Content-Disposition: form-data; name="{name}"'
            text = as_text(item)
            data: bytes | None = None
            if declared is not None:
                if kind == "binary":
                    head += f'; filename="{name}"'
                    data = make(key, item, declared)
                elif kind == "json":
                    text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                elif kind == "xml" and xml is not None:
                    text = xml(key, item)
                head += f"\r\nContent-Type: {declared}"
            elif key in binary and not isinstance(item, dict | list):
                head += f'; filename="{name}"\r\nContent-Type: {_OCTETS}'
                data = make(key, item, _OCTETS)
            elif isinstance(item, dict | list):
                head += f"\r\nContent-Type: {_JSON}"
            for header, said in (part_headers or {}).get(key, {}).items():
                head += f"\r\n{header}: {said}"
            content = text.encode("utf-8") if data is None else data
            parts.append(f"--{boundary}\r\n{head}\r\n\r\n".encode() + content + b"\r\n")
    out = b"".join(parts) + f"--{boundary}--\r\n".encode()
    sent = out if has_files(binary, how.values()) else out.decode("utf-8")
    return f"{MULTIPART}; boundary={boundary}", sent


def query_string(query: Mapping[str, Any]) -> str:
    """A request's query parameters (name: value, as the api generator's ``request.query``
    holds them) as the query string sent after ``?``, as OpenAPI's default for query
    parameters writes them (``style: form``, exploded): an array one pair per item
    (``tag=a&tag=b``), an object its properties as pairs of their own, anything else its
    text (a number or a boolean its JSON text, null an empty value). Percent-encoded as RFC
    3986 has it: every character but the unreserved ones (a space is ``%20``)."""
    pieces = []
    for key, value in query.items():
        if isinstance(value, dict):
            pieces += [_query_pair(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            pieces += [_query_pair(key, item) for item in value]
        else:
            pieces.append(_query_pair(key, value))
    return "&".join(pieces)


def _query_pair(key: str, value: Any) -> str:
    """``key=value``, percent-encoded (a value that is no scalar as its JSON text)."""
    if isinstance(value, dict | list):
        return _query_text(key, as_text(value))
    return _query_scalar(key, value)


@functools.lru_cache(maxsize=1 << 14, typed=True)  # (typed: True is no 1; a list pages)
def _query_scalar(key: str, value: str | float | bool | None) -> str:
    return _query_text(key, as_text(value))


def _query_text(key: str, text: str) -> str:
    return f"{quote(key, safe='')}={quote(text, safe='')}"


def has_files(binary: frozenset[str], encoding: Iterable[PartEncoding]) -> bool:
    """Whether a multipart form of these file fields and ``encoding`` can hold a file part
    (a ``format: binary`` field, or a part whose ``content_type`` is a binary type): its
    body is then bytes."""
    declared = [e.content_type for e in encoding if e.content_type is not None]
    return bool(binary) or any(media_kind(c) == "binary" for c in declared)


def _as_file(name: str, value: Any, media: str) -> bytes:
    """A file part's bytes without a schema to read its value by: its text's UTF-8, as a
    file of ``media``."""
    return as_file(as_text(value).encode("utf-8"), media)


def _urlencoded(
    key: str, value: Any, how: dict[str, PartEncoding], xml: XmlWriter | None
) -> list[str]:
    """The ``key=value`` pieces of one property of an urlencoded form."""
    found = how.get(key)
    style = found.style if found is not None else None
    if found is not None and (style is not None or found.explode is not None):
        return _styled(key, value, style or "form", _explode(found))
    kind = media_kind(found.content_type) if found and found.content_type else None
    if kind == "json":
        return [_pair(key, json.dumps(value, ensure_ascii=False, separators=(",", ":")))]
    if kind == "xml" and xml is not None:
        return [_pair(key, xml(key, value))]
    return [_pair(key, as_text(item)) for item in _items(value)]


def _explode(encoding: PartEncoding) -> bool:
    """OpenAPI's default: ``form`` is exploded, the other styles are not."""
    if encoding.explode is not None:
        return encoding.explode
    return (encoding.style or "form") == "form"


def _styled(key: str, value: Any, style: str, explode: bool) -> list[str]:
    if isinstance(value, list):
        if explode or not value:  # (an empty array: no pair, as exploded)
            return [_pair(key, as_text(item)) for item in value]
        return [_q(key) + "=" + _DELIMITERS[style].join(_q(as_text(v)) for v in value)]
    if isinstance(value, dict):
        if style == "deepObject":
            return [_pair(f"{key}[{k}]", as_text(v)) for k, v in value.items()]
        if explode:
            return [_pair(str(k), as_text(v)) for k, v in value.items()]
        flat = [_q(x) for k, v in value.items() for x in (str(k), as_text(v))]
        return [_q(key) + "=" + _DELIMITERS[style].join(flat)]
    return [_pair(key, as_text(value))]


def _q(text: str) -> str:
    return quote_plus(text, safe="")


def _pair(key: str, value: str) -> str:
    return f"{_q(key)}={_q(value)}"


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def form_type(content_type: Any) -> str | None:
    """The form media type a ``Content-Type`` header names (None: not a form)."""
    if not isinstance(content_type, str):
        return None
    base = content_type.split(";")[0].strip().lower()
    return base if base in (URLENCODED, MULTIPART) else None


# A decoded form field: (name, raw text, the part's content type or None); a multipart
# file part's raw value is its bytes.
_Pair = tuple[str, str | bytes, str | None]


def decode(
    text: str | bytes,
    content_type: str,
    schema: Schema,
    domain: Domain,
    encoding: Iterable[PartEncoding] = (),
) -> Any:
    """The values a form body sends, typed as ``schema`` says (as a server reads a form): a
    field whose schema is no string is read as JSON text where it is that, an empty value
    of a nullable field is null, an array field collects its items (none sent: empty); a
    JSON or XML part (or pair, by ``encoding``) as that text, a styled urlencoded value as
    its style writes it. A multipart body is text or bytes (a form with file parts); a
    file part (one with a ``filename``, or of a binary type) is read as its bytes, which
    no schema types. A body that is not a well-formed form (a truncated multipart body) is
    itself."""
    how = {e.name: e for e in encoding}
    fields = {f.name: f for f in deref(domain, schema).fields}
    if form_type(content_type) == MULTIPART:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        pairs = _multipart(data, content_type)
        if pairs is None:
            return text
    elif isinstance(text, bytes):
        return decode(text.decode("utf-8", "replace"), content_type, schema, domain, encoding)
    elif how:
        pairs, styled = _styled_pairs(text, how, fields, domain)
    else:
        pairs = [(k, v, None) for k, v in parse_qsl(text, keep_blank_values=True)]
    out: dict[str, Any] = {}
    if form_type(content_type) != MULTIPART and how:
        out.update(styled)
    for name, raw, part_type in pairs:
        field = fields.get(name)
        found = deref(domain, field.schema) if field is not None else None
        many = found is not None and found.type == "array"
        item = deref(domain, found.items) if many and found and found.items else found
        declared = how[name].content_type if name in how else None
        kind = media_kind(part_type or declared) if (part_type or declared) else None
        if isinstance(raw, bytes):  # (a file: its bytes)
            value: Any = raw
        elif kind == "json" and declared is not None and many:
            out[name] = _json_or(raw)  # (the whole array, as one JSON text)
            continue
        elif kind == "xml" and field is not None:
            value = _xml_or(
                raw, field.schema.items if many and field.schema.items else field.schema, domain
            )
        elif kind == "json":
            value = _json_or(raw)
        else:
            value = _typed(raw, item)
        if many:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    for name, field in fields.items():
        found = deref(domain, field.schema)
        if name not in out and field.required and found.type == "array":
            out[name] = []  # (a form cannot send an empty array but by sending no item)
        elif name not in out and field.required and found.type == "object" and name in how:
            out[name] = {}  # (nor an exploded empty object but by sending no property)
    return out


def _styled_pairs(
    text: str, how: dict[str, PartEncoding], fields: dict[str, Any], domain: Domain
) -> tuple[list[_Pair], dict[str, Any]]:
    """An urlencoded body with encodings: the plain pairs, and the values of the styled
    fields read back."""
    styled: dict[str, Any] = {}
    exploded: dict[str, str] = {}  # a property of an exploded object -> the object's field
    for name, found in how.items():
        field = fields.get(name)
        if field is None or not (found.style or found.explode is not None):
            continue
        schema = deref(domain, field.schema)
        if schema.type == "object" and found.style in (None, "form") and _explode(found):
            for sub in schema.fields:
                if sub.name not in fields:
                    exploded.setdefault(sub.name, name)
    plain: list[_Pair] = []
    for piece in text.split("&") if text else []:
        raw_key, _, raw = piece.partition("=")
        key = unquote_plus(raw_key)
        deep = _DEEP.fullmatch(key)
        if deep and deep.group(1) in how and how[deep.group(1)].style == "deepObject":
            name, prop = deep.group(1), deep.group(2)
            styled.setdefault(name, {})[prop] = _typed(
                unquote_plus(raw), _prop(fields, name, prop, domain)
            )
            continue
        if key in exploded:
            name = exploded[key]
            styled.setdefault(name, {})[key] = _typed(
                unquote_plus(raw), _prop(fields, name, key, domain)
            )
            continue
        enc = how.get(key)
        field = fields.get(key)
        if (
            enc is None
            or field is None
            or _explode(enc)
            or not (enc.style or enc.explode is not None)
        ):
            plain.append((key, unquote_plus(raw), None))
            continue
        schema = deref(domain, field.schema)
        items = [unquote_plus(x) for x in raw.split(_DELIMITERS[enc.style or "form"])]
        if raw == "" and (schema.nullable or schema.type == "object"):
            styled[key] = None if schema.nullable else {}  # (null, or an empty object)
        elif schema.type == "object":
            styled[key] = {
                k: _typed(v, _prop(fields, key, k, domain))
                for k, v in zip(items[::2], items[1::2], strict=False)
            }
        elif schema.type == "array":
            item = deref(domain, schema.items) if schema.items is not None else None
            styled[key] = [_typed(x, item) for x in items]
        else:
            plain.append((key, unquote_plus(raw), None))
    return plain, styled


def _prop(fields: dict[str, Any], name: str, prop: str, domain: Domain) -> Schema | None:
    """The schema of property ``prop`` of the object field ``name`` (None: not declared)."""
    found = deref(domain, fields[name].schema).field(prop)
    return deref(domain, found.schema) if found is not None else None


def _typed(raw: str, schema: Schema | None) -> Any:
    if schema is None or schema.type == "string":
        return None if raw == "" and schema is not None and schema.nullable else raw
    if raw == "" and schema.nullable:
        return None
    value = _json_or(raw)
    # The type as written: an integer option writes 12 as "12", never "12.0", so "12.0" is
    # a string option's text even where integers are allowed.
    if (
        schema.type == "union"
        and _strings(schema)
        and json_type(value, as_written=True) not in _kinds(schema)
    ):
        return raw  # (a string option's text that reads as another value: "null", "12")
    return value


def _strings(schema: Schema) -> bool:
    return any(v.type == "string" for v in schema.variants)


def _kinds(schema: Schema) -> set[str]:
    """The JSON types a union's options take (a reference: an object)."""
    out = {"object" if v.type == "ref" else v.type for v in schema.variants}
    return (
        out | ({"integer"} if "number" in out else set()) | ({"null"} if schema.nullable else set())
    )


def _json_or(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _xml_or(raw: str, schema: Schema, domain: Domain) -> Any:
    from persona_gen.generators.bodies import from_xml

    try:
        return from_xml(raw, schema, domain)
    except ValueError:
        return raw


def _multipart(data: bytes, content_type: str) -> list[_Pair] | None:
    """``(name, value, content type)`` of each part of a multipart body; None when it is not
    one. A file part's value is its bytes, another part's its (UTF-8) text. A body of no
    part (every field left out) is only its closing delimiter."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + data
    )
    boundary = message.get_boundary()
    if boundary is not None and data == f"--{boundary}--\r\n".encode():
        return []
    if not message.is_multipart() or message.defects:
        return None
    out: list[_Pair] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes) or part.defects:
            return None
        declared = part.get("Content-Type")
        own = part.get_content_type() if declared else None
        raw: str | bytes = payload
        if part.get_filename() is None and media_kind(own) != "binary":
            try:
                raw = payload.decode("utf-8")
            except UnicodeDecodeError:
                return None
        out.append((name.replace("%22", '"'), raw, own))
    return out
