"""HTTP bodies of media types other than JSON and forms: written from the values drawn for
them, and read back into those values (for ``persona-gen check``).

- text (``text/*``…): a string as it is; any other value as its JSON text.
- binary (images, ``application/octet-stream``…): bytes, carried in a JSON record as Base64
  text beside ``"body_encoding": "base64"``. A string drawn as ``format: byte`` or
  ``binary`` (Base64 text) stands for the bytes it encodes, another string for its UTF-8;
  any other value is its JSON text. A body of a common file type (``image/png``,
  ``image/jpeg``, ``application/pdf``, ``application/zip``…) is a small file of that type
  made of those bytes (``files``), so it reads as what it says it is.
- XML (``application/xml``, ``text/xml``, ``+xml``): as OpenAPI's ``xml`` object says (see
  ``to_xml``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from functools import cache
from typing import Any
from xml.etree import ElementTree

from persona_gen.entities.model import Domain, Schema, XmlName, deref
from persona_gen.generators.files import as_file

__all__ = [
    "BASE64",
    "as_bytes",
    "as_text",
    "base64_text",
    "from_text",
    "from_xml",
    "to_xml",
    "xml_unreadable",
]

BASE64 = "base64"  # the ``body_encoding`` of a binary body
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NIL = f' xmlns:xsi="{_XSI}" xsi:nil="true"'
# Characters XML 1.0 cannot hold, even as references (NUL, most C0 controls, lone
# surrogates, U+FFFE/U+FFFF): written as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@cache
def _name_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What may start an XML name, and what may not be in one: compiled when a body is
    first written as XML (their wide ranges took 12 ms of every run's start-up)."""
    return re.compile(r"[A-Za-z_\u00c0-\ufffd]"), re.compile(r"[^A-Za-z0-9_.\-\u00b7\u00c0-\ufffd]")


# -- text ------------------------------------------------------------------------------------


def as_text(value: Any) -> str:
    """A text body's text: a string as it is, null empty, anything else its JSON text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def from_text(text: str, schema: Schema, domain: Domain) -> Any:
    """The value a text body holds: the text itself for a string schema (or one of no
    type), else the JSON value it is the text of (the text where it is none)."""
    found = deref(domain, schema)
    if found.type in ("string", "any") or found.type == "ref":
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


# -- binary ----------------------------------------------------------------------------------


def as_bytes(value: Any, schema: Schema, domain: Domain, media: str) -> bytes:
    """A binary body's bytes (see the module's docstring)."""
    found = deref(domain, schema)
    if isinstance(value, str):
        data = value.encode("utf-8")
        if found.format in ("byte", "binary"):
            with contextlib.suppress(binascii.Error, ValueError):  # (else changed: its UTF-8)
                data = base64.b64decode(value, validate=True)
    else:
        data = as_text(value).encode("utf-8")
    return as_file(data, media)


def base64_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- XML -------------------------------------------------------------------------------------


def to_xml(value: Any, schema: Schema, domain: Domain, root: str, item: str = "item") -> str:
    """``value`` as an XML document, as OpenAPI's ``xml`` object describes it.

    The root element is named by the schema's ``xml.name``, else ``root`` (the entity's
    name). An object's properties are child elements named by their own ``xml.name``, else
    their name; a property with ``xml.attribute`` is an attribute. An array is one element
    per item, named by the items' ``xml.name`` (or their entity's), else the property's
    name; with ``xml.wrapped`` they are inside an element of the property's name (an array
    at the root always is: in ``root``, its items named ``item`` without a name of their
    own). A map is an element per key (``<entry key="…">`` where the key is no XML name).
    ``xml.namespace`` is declared on the element, with ``xml.prefix`` where it has both.
    Null is an empty element with ``xsi:nil="true"``; characters XML cannot hold are
    U+FFFD."""
    hint = _hint(schema, domain)
    name = hint.name if hint is not None and hint.name else root
    found = deref(domain, schema)
    if isinstance(value, list) and found.type in ("array", "any", "union"):
        items = found.items or Schema("any")
        label = _item_name(items, domain, item)
        inner = "".join(_elements(v, items, domain, label) for v in value)
        body = _open(name, hint, "") + inner + f"</{_tag(name, hint)}>"
    else:
        body = _element(value, schema, domain, name, hint)
    return '<?xml version="1.0" encoding="UTF-8"?>' + body


def _hint(schema: Schema, domain: Domain) -> XmlName | None:
    """The ``xml`` of a schema, else of the entity it refers to."""
    return schema.xml if schema.xml is not None else deref(domain, schema).xml


def _item_name(items: Schema, domain: Domain, default: str) -> str:
    hint = _hint(items, domain)
    return hint.name if hint is not None and hint.name else default


def _name(text: str) -> str:
    """An XML name for a property or key (``first name`` → ``first_name``)."""
    name_start, not_name = _name_patterns()
    name = not_name.sub("_", text) or "_"
    return name if name_start.match(name) and not name.lower().startswith("xml") else f"_{name}"


def _tag(name: str, hint: XmlName | None) -> str:
    """An element's name, with its prefix where it declares the prefix's namespace (a
    prefix declared nowhere would make the document ill-formed)."""
    name = _name(name)
    if hint is not None and hint.prefix and hint.namespace is not None:
        return f"{_name(hint.prefix)}:{name}"
    return name


def _open(name: str, hint: XmlName | None, attributes: str, end: str = ">") -> str:
    space = ""
    if hint is not None and hint.namespace is not None:
        prefix = f":{_name(hint.prefix)}" if hint.prefix else ""
        space = f" xmlns{prefix}={_attr(hint.namespace)}"
    return f"<{_tag(name, hint)}{space}{attributes}{end}"


def _elements(value: Any, schema: Schema, domain: Domain, name: str) -> str:
    """The element (or elements, for an array that is not wrapped) of one property."""
    hint = schema.xml
    found = deref(domain, schema)
    if isinstance(value, list) and found.type in ("array", "any", "union"):
        items = found.items or Schema("any")
        item = _item_name(items, domain, name)
        inner = "".join(_elements(v, items, domain, item) for v in value)
        if hint is not None and hint.wrapped:
            return _open(name, hint, "") + inner + f"</{_tag(name, hint)}>"
        return inner
    return _element(value, schema, domain, name, hint)


def _element(value: Any, schema: Schema, domain: Domain, name: str, hint: XmlName | None) -> str:
    if value is None:
        return _open(name, hint, _NIL, "/>")
    found = deref(domain, schema)
    end = f"</{_tag(name, hint)}>"
    if isinstance(value, dict):
        fields = {f.name: f.schema for f in found.fields} if found.type == "object" else {}
        values = found.values if found.type == "map" else None
        attributes, children = [], []
        for key, item in value.items():
            sub = fields.get(key) or values or Schema("any")
            own = sub.xml
            label = own.name if own is not None and own.name else key
            if own is not None and own.attribute and not isinstance(item, dict | list):
                if item is not None:  # (null is no attribute)
                    attributes.append(f" {_name(label)}={_attr(_scalar(item))}")
            elif key in fields:
                children.append(_elements(item, sub, domain, label))
            elif _name(key) == key:  # (a map's value: one element, an array's too)
                children.append(_element(item, sub, domain, key, None))
            else:  # (a map's key that is no XML name)
                entry = _element(item, sub, domain, "entry", None)
                children.append(entry.replace("<entry", f"<entry key={_attr(key)}", 1))
        return _open(name, hint, "".join(attributes)) + "".join(children) + end
    if isinstance(value, list):  # (an array inside an array, or a value of no type)
        item = _item_name(found.items or Schema("any"), domain, name)
        inner = "".join(_elements(v, found.items or Schema("any"), domain, item) for v in value)
        return _open(name, hint, "") + inner + end
    return _open(name, hint, "") + _text(_scalar(value)) + end


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _text(text: str) -> str:
    text = _NOT_XML.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _attr(text: str) -> str:
    text = _text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return f'"{text}"'


# -- reading XML back ------------------------------------------------------------------------


def xml_unreadable(schema: Schema, domain: Domain) -> str | None:
    """Why values of ``schema`` cannot be read back from their XML (None: they can): a
    union, whose options XML text does not tell apart."""
    seen: set[str] = set()
    pending = [schema]
    while pending:
        s = pending.pop()
        if s.type == "ref":
            if s.ref in seen or s.ref not in domain.entities:
                continue
            seen.add(s.ref)
            pending.append(domain.entities[s.ref].schema)
            continue
        if s.type == "union" or s.variants:
            return (
                "its schema has a union (oneOf/anyOf), whose options XML text does not tell apart"
            )
        pending.extend(f.schema for f in s.fields)
        pending.extend(x for x in (s.items, s.values) if x is not None)
    return None


def from_xml(text: str, schema: Schema, domain: Domain) -> Any:
    """The value an XML body written by ``to_xml`` holds, typed as ``schema`` says.
    Raises ValueError when the text is not well-formed XML."""
    try:
        root = ElementTree.fromstring(text)  # (expat: no external entities)
    except ElementTree.ParseError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    found = deref(domain, schema)
    if found.type == "array":
        items = found.items or Schema("any")
        return [_read(child, items, domain) for child in root]
    return _read(root, schema, domain)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _key(element: ElementTree.Element) -> str:
    """The key an element stands for: its name, or an ``entry``'s ``key``."""
    name = _local(element.tag)
    return element.get("key", name) if name == "entry" else name


def _nil(element: ElementTree.Element) -> bool:
    return element.get(f"{{{_XSI}}}nil") == "true"


def _read(element: ElementTree.Element, schema: Schema, domain: Domain) -> Any:
    if _nil(element):
        return None
    found = deref(domain, schema)
    if found.type == "object" or (found.type == "any" and len(element)):
        return _object(element, found, domain)
    if found.type == "map":
        values = found.values or Schema("any")
        return {_key(child): _read(child, values, domain) for child in element}
    if found.type == "array":
        items = found.items or Schema("any")
        return [_read(child, items, domain) for child in element]
    if len(element):  # (elements where a value's text should be: what they hold shows)
        return _object(element, Schema("any"), domain)
    return _typed(element.text or "", found)


def _object(element: ElementTree.Element, schema: Schema, domain: Domain) -> dict[str, Any]:
    out: dict[str, Any] = {}
    attributes = {_local(k): v for k, v in element.attrib.items()}
    children: dict[str, list[ElementTree.Element]] = {}
    for child in element:
        children.setdefault(_key(child), []).append(child)
    used: set[str] = set()
    for field in schema.fields:
        own = field.schema.xml
        label = _name(own.name if own is not None and own.name else field.name)
        found = deref(domain, field.schema)
        if own is not None and own.attribute and found.type not in ("object", "array", "map"):
            if label in attributes:
                out[field.name] = _typed(attributes[label], found)
            elif field.required and found.nullable:
                out[field.name] = None  # (null is no attribute)
            continue
        if found.type == "array":
            items = found.items or Schema("any")
            item = _name(_item_name(items, domain, label))
            holder: list[ElementTree.Element] | None = children.get(item)
            if own is not None and own.wrapped:
                wrapper = children.get(label)
                used.add(label)
                if wrapper and _nil(wrapper[0]):
                    out[field.name] = None
                    continue
                holder = [c for c in wrapper[0] if _local(c.tag) == item] if wrapper else None
            else:
                used.add(item)
            if holder and len(holder) == 1 and _nil(holder[0]) and found.nullable:
                out[field.name] = None  # (a null array, not one null item)
            elif holder:
                out[field.name] = [_read(c, items, domain) for c in holder]
            elif field.required or (own is not None and own.wrapped and children.get(label)):
                out[field.name] = []  # (no item: an empty array)
            continue
        used.add(label)
        if label in children:
            out[field.name] = _read(children[label][0], field.schema, domain)
    for name, elements in children.items():  # (what the schema does not declare)
        if name not in used:
            out[name] = _read(elements[0], Schema("any"), domain)
    return out


def _typed(raw: str, schema: Schema) -> Any:
    """A text value as ``schema`` types it: a string as it is, another type as the JSON
    value it is the text of (the text where it is none, so a wrong type shows)."""
    if schema.type == "string":
        return raw
    if schema.enum is not None and raw in schema.enum:
        return raw
    if schema.has_const and raw == schema.const:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw
