"""JSON values: the type of one (``json_type``), and the text of many at once.

orjson's cost per call dominates for small and mid-sized values, so a block of values is
serialised in one call, interleaved with a separator string no generated value contains,
and split apart again. The separator's JSON form cannot occur inside another string (its
quotes would be escaped there); a count check catches the one remaining case (a list that
holds the separator itself) and falls back to one call per value.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = [
    "CONTAINERS",
    "SEPARATOR_JSON",
    "dumps",
    "dumps_each",
    "dumps_joined",
    "json_lines",
    "json_safe",
    "json_type",
]

# The types that make a value nested; ``CONTAINERS.isdisjoint(map(type, values))`` tells a
# column of plain scalars in C (generated values are plain dicts and lists, never subclasses).
CONTAINERS = frozenset({dict, list})
_OPTIONS = orjson.OPT_NON_STR_KEYS
_SEPARATOR = "\x00\x1epersona-gen record separator\x1e\x00"
SEPARATOR_JSON = b"," + orjson.dumps(_SEPARATOR) + b","


def json_type(value: Any, *, as_written: bool = False) -> str:
    """The JSON Schema type of a JSON value. A whole float is an integer, as a validator
    sees it (``enum: [1.0]`` has a member of type integer); ``as_written``, it is a number,
    as its text reads (``1.0``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number" if as_written or not value.is_integer() else "integer"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def dumps(value: Any, option: int = _OPTIONS) -> bytes:
    """``orjson.dumps``, with non-string keys (protobuf maps) allowed only when present.

    orjson's non-string-key mode makes every dict about 25% slower to serialise, and nearly
    all generated keys are strings: a value with another key fails fast and is redone in
    that mode. The text is the same either way."""
    try:
        return orjson.dumps(value, option=option & ~orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        if not option & orjson.OPT_NON_STR_KEYS:
            raise
        return orjson.dumps(value, option=option)


def _framed(values: list[Any], option: int, *, lines: bool = False) -> bytes | None:
    """``[`` + the values' JSON texts joined by ``SEPARATOR_JSON`` + ``]``, or None if it
    cannot be split. With ``lines`` a separator and a ``0`` follow the last value too, so
    replacing the separators by newlines leaves JSON Lines between ``[`` and ``0]``.

    The brackets stay: cutting them off is a copy of the whole block, and with 64 KiB fault
    values such copies took most of the encoding time (each large buffer alive at once is
    memory that glibc may hand back to the system and fault in again, page by page)."""
    count = len(values) if lines else len(values) - 1
    interleaved: list[Any] = [_SEPARATOR] * (len(values) + count)
    interleaved[::2] = values
    if lines:
        interleaved.append(0)
    framed = dumps(interleaved, option)
    if framed.count(SEPARATOR_JSON, 1, len(framed) - 1) != count:
        return None
    return framed


def dumps_joined(values: list[Any], option: int = _OPTIONS) -> memoryview | None:
    """The values' JSON texts joined by ``SEPARATOR_JSON``, or None if it cannot be split."""
    framed = _framed(values, option)
    return None if framed is None else memoryview(framed)[1:-1]


def json_lines(values: list[Any], option: int = _OPTIONS) -> bytes | memoryview:
    """One JSON document per line, each line ending in a newline."""
    if not values:
        return b""
    framed = _framed(values, option, lines=True)
    if framed is None:
        return b"".join(dumps(v, option) + b"\n" for v in values)
    return memoryview(framed.replace(SEPARATOR_JSON, b"\n"))[1:-2]


def dumps_each(values: list[Any], option: int = _OPTIONS) -> list[str | None]:
    """Each value as JSON text; None stays None (not the text "null")."""
    if not values:
        return []
    body = dumps_joined(values, option)
    if body is None:
        texts = [dumps(v, option).decode() for v in values]
    else:
        texts = str(body, "utf-8").split(SEPARATOR_JSON.decode())
    return [None if v is None else t for v, t in zip(values, texts, strict=True)]


def json_safe(value: Any) -> Any:
    """``value`` with every string one JSON can hold: the bytes of a path that are not
    UTF-8 (a file name in another encoding, ``$'x\\xff.json'``), which Python keeps as lone
    surrogates, are written as ``\\xff``."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            try:
                raw = value.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:  # (a surrogate that stands for no byte)
                return value.encode("utf-8", "backslashreplace").decode("utf-8")
            return raw.decode("utf-8", "backslashreplace")
        return value
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
