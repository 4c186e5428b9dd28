"""Where a property's ``readOnly`` / ``writeOnly`` flag is written, read the same way by the
import (a field's ``read_only`` / ``write_only``) and by the validators for one direction
(``validate``): so that what generated requests leave out is what ``check`` excuses.

A property's flag may sit on its own schema, beside its ``$ref`` (OpenAPI 3.1; many 3.0
files write it there too, and the import honours siblings of a ``$ref``), on the schema the
``$ref`` points to (``id: {$ref: '#/components/schemas/Id'}`` where ``Id`` says
``readOnly: true``), or in one of its ``allOf`` parts. An object's properties are those of
its ``properties``, of what its ``$ref`` points to and of its ``allOf`` parts: a property
one part flags is flagged for the whole object, even where another part requires it.

``$ref`` targets are looked up with a ``referencing`` resolver (the import's, or the
validator's); one that cannot be found flags nothing (the import says why elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import referencing.exceptions

if TYPE_CHECKING:  # (referencing exports no name for its resolver class)
    from referencing._core import Resolver

__all__ = ["Flags", "declared_flags", "flags_of"]

Flags = tuple[bool, bool]
"""(readOnly, writeOnly)"""

# How many $ref / allOf steps are followed from one node (a cycle stops sooner).
_MAX_DEPTH = 32


def flags_of(node: Any, resolver: Resolver[Any] | None) -> Flags:
    """A property's (readOnly, writeOnly): on its schema ``node``, on what its ``$ref``
    points to, or on any of its ``allOf`` parts."""
    read_only = write_only = False
    for part in _parts(node, resolver):
        read_only = read_only or part.get("readOnly") is True
        write_only = write_only or part.get("writeOnly") is True
    return read_only, write_only


def declared_flags(node: Any, resolver: Resolver[Any] | None) -> dict[str, Flags]:
    """The flags of every property the object schema ``node`` declares (in its own
    ``properties``, those of its ``$ref``'s target and of its ``allOf`` parts); a property
    flagged in any of them is flagged."""
    out: dict[str, Flags] = {}
    for part, at in _parts_with_resolvers(node, resolver):
        props = part.get("properties")
        if not isinstance(props, dict):
            continue
        for name, sub in props.items():
            ro, wo = flags_of(sub, at)
            have = out.get(name, (False, False))
            out[name] = (have[0] or ro, have[1] or wo)
    return out


def _parts(node: Any, resolver: Resolver[Any] | None) -> Iterator[dict[str, Any]]:
    for part, _ in _parts_with_resolvers(node, resolver):
        yield part


def _parts_with_resolvers(
    node: Any, resolver: Resolver[Any] | None
) -> Iterator[tuple[dict[str, Any], Resolver[Any] | None]]:
    """``node``, what its ``$ref`` points to and its ``allOf`` parts, through every step,
    each with the resolver its own ``$ref`` is looked up with."""
    seen: set[int] = set()
    todo: list[tuple[Any, Resolver[Any] | None, int]] = [(node, resolver, 0)]
    while todo:
        part, at, depth = todo.pop()
        if not isinstance(part, dict) or id(part) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(part))
        yield part, at
        ref = part.get("$ref")
        if isinstance(ref, str) and at is not None:
            try:
                found = at.lookup(ref)
            except (referencing.exceptions.Unresolvable, TypeError, ValueError, KeyError):
                pass  # (an unresolvable $ref: the import warns or fails on it)
            else:
                todo.append((found.contents, found.resolver, depth + 1))
        parts = part.get("allOf")
        if isinstance(parts, list):
            todo.extend((p, at, depth + 1) for p in parts)
