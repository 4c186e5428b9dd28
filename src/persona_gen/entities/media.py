"""Media types of HTTP bodies: which kind of text or bytes a declared type stands for.

An API operation's bodies are JSON unless its spec declares only other media types. The
kinds: ``json`` (``application/json``, any subtype naming JSON, ``*/*``), ``form``
(``application/x-www-form-urlencoded``, ``multipart/form-data``), ``xml``
(``application/xml``, ``text/xml``, ``+xml`` types), ``text`` (``text/*`` and a few textual
``application/`` types: YAML, GraphQL, JavaScript, SQL) and ``binary`` (everything else:
images, audio, video, fonts, ``application/octet-stream``, ``application/pdf``, …).
"""

from __future__ import annotations

import re

__all__ = [
    "FORM_MEDIA",
    "JSON",
    "MULTIPART",
    "URLENCODED",
    "base_type",
    "concrete",
    "is_media_type",
    "media_kind",
]

JSON = "application/json"
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_MEDIA = (URLENCODED, MULTIPART)

# RFC 6838's type/subtype (restricted names), with the wildcards OpenAPI allows.
_MEDIA_TYPE = re.compile(r"(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)")
_TEXTUAL_APPLICATION = frozenset(
    {
        "application/yaml",
        "application/x-yaml",
        "application/graphql",
        "application/javascript",
        "application/ecmascript",
        "application/sql",
        "application/x-sh",
    }
)
# What a wildcard is sent as: one concrete type of its family.
_WILDCARDS = {
    "*/*": JSON,
    "application/*": JSON,
    "text/*": "text/plain",
    "image/*": "image/png",
    "audio/*": "audio/mpeg",
    "video/*": "video/mp4",
    "font/*": "font/woff2",
}


def base_type(media: str) -> str:
    """``type/subtype`` of a media type, lower-cased, without parameters (``; charset=…``)
    or the others of a comma-separated list (OpenAPI's ``contentType: image/png, image/jpeg``)."""
    return media.split(",", maxsplit=1)[0].split(";", maxsplit=1)[0].strip().lower()


def is_media_type(media: str) -> bool:
    """Whether ``media`` is written as a media type (``type/subtype``, parameters aside)."""
    return bool(_MEDIA_TYPE.fullmatch(base_type(media)))


def concrete(media: str) -> str:
    """The type a body declared as ``media`` is sent as: the first of a list, a wildcard's
    usual member (``image/*`` → ``image/png``), parameters kept (``text/plain; charset=utf-8``)."""
    first = media.split(",", maxsplit=1)[0].strip()
    base = base_type(first)
    if base in _WILDCARDS:
        return _WILDCARDS[base]
    if base.endswith("/*"):
        return "application/octet-stream"
    params = first.split(";", 1)[1].strip() if ";" in first else ""
    return f"{base}; {params}" if params else base


def media_kind(media: str | None) -> str:
    """``json``, ``form``, ``xml``, ``text`` or ``binary`` (see the module's docstring);
    None is JSON."""
    if media is None:
        return "json"
    base = base_type(concrete(media))
    if base in FORM_MEDIA:
        return "form"
    if "json" in base.split("/")[-1]:  # (+json types, x-ndjson, json-seq…)
        return "json"
    if base in ("application/xml", "text/xml") or base.endswith("+xml"):
        return "xml"
    if base.startswith("text/") or base in _TEXTUAL_APPLICATION:
        return "text"
    return "binary"
