"""Where a property's ``readOnly`` / ``writeOnly`` flag is written, read the same way by the
import (a field's ``read_only`` / ``write_only``) and by the validators for one direction
(``validate``): so that what generated requests leave out is what ``check`` excuses.

A property's flag may sit on its own schema, beside its ``$ref`` (OpenAPI 3.1; many 3.0
files write it there too, and the import honours siblings of a ``$ref``), on the schema the
``$ref`` points to (``id: {$ref: '#/components/schemas/Id'}`` where ``Id`` says
``readOnly: true``), or in one of its ``allOf`` parts. An object's properties are those of
its ``properties``, of what its ``$ref`` points to and of its ``allOf`` parts: a property
one part flags is flagged for the whole object, even where another part requires it.

A property whose schema is a ``oneOf`` / ``anyOf`` is flagged where every option flags it
(an option that only allows null aside): its value matches one option, which one a
generated request cannot know, so a flag only some options give is not the property's.
An object's own ``oneOf`` / ``anyOf`` options keep their properties' flags, each option its
own (where its ``required`` is excused, as each option is validated with its own
properties); the object around them flags a property every option that declares it flags
(its ``required: [id]`` is excused where each option says ``id`` is readOnly), as the api
generator leaves such a property out of the union's values.

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


def flags_of(node: Any, resolver: Resolver[Any] | None, depth: int = 0) -> Flags:
    """A property's (readOnly, writeOnly): on its schema ``node``, on what its ``$ref``
    points to, or on any of its ``allOf`` parts; or on every option of a ``oneOf`` /
    ``anyOf`` there (see ``_every_option``)."""
    read_only = write_only = False
    for part, at in _parts_with_resolvers(node, resolver, depth):
        read_only = read_only or part.get("readOnly") is True
        write_only = write_only or part.get("writeOnly") is True
        for key in ("oneOf", "anyOf"):
            options = part.get(key)
            if isinstance(options, list) and not (read_only and write_only):
                ro, wo = _every_option(options, at, depth + 1)
                read_only, write_only = read_only or ro, write_only or wo
    return read_only, write_only


def _every_option(options: list[Any], at: Resolver[Any] | None, depth: int) -> Flags:
    """The flags every option of a ``oneOf`` / ``anyOf`` gives a property, an option that
    only allows null aside (``anyOf: [{$ref: Id, readOnly: true}, {type: 'null'}]``):
    whichever option its value matches says so. A flag only some options give holds for
    some values only, which a generated request cannot know: it is not the property's."""
    flags = [
        flags_of(option, at, depth)
        for option in options
        if depth <= _MAX_DEPTH and not _only_null(option)
    ]
    if not flags:
        return False, False
    return all(f[0] for f in flags), all(f[1] for f in flags)


def _only_null(option: Any) -> bool:
    return isinstance(option, dict) and option.get("type") in ("null", ["null"])


def declared_flags(node: Any, resolver: Resolver[Any] | None, depth: int = 0) -> dict[str, Flags]:
    """The flags of every property the object schema ``node`` declares (in its own
    ``properties``, those of its ``$ref``'s target and of its ``allOf`` parts); a property
    flagged in any of them is flagged. So is one every option of its ``oneOf`` / ``anyOf``
    that declares it flags (``_agreed``: the api generator leaves it out of such a value)."""
    out: dict[str, Flags] = {}

    def add(name: str, ro: bool, wo: bool) -> None:
        have = out.get(name, (False, False))
        out[name] = (have[0] or ro, have[1] or wo)

    for part, at in _parts_with_resolvers(node, resolver, depth):
        props = part.get("properties")
        for name, sub in props.items() if isinstance(props, dict) else ():
            add(name, *flags_of(sub, at))
        for key in ("oneOf", "anyOf"):
            options = part.get(key)
            if isinstance(options, list) and depth < _MAX_DEPTH:
                for name, flags in _agreed(options, at, depth + 1).items():
                    add(name, *flags)
    return out


def _agreed(options: list[Any], at: Resolver[Any] | None, depth: int) -> dict[str, Flags]:
    """The flags of the properties the options of an object's ``oneOf`` / ``anyOf``
    declare, each as every option that declares it gives it."""
    declared: dict[str, list[Flags]] = {}
    for option in options:
        for name, flags in declared_flags(option, at, depth).items():
            declared.setdefault(name, []).append(flags)
    return {
        name: (all(f[0] for f in found), all(f[1] for f in found))
        for name, found in declared.items()
    }


def _parts_with_resolvers(
    node: Any, resolver: Resolver[Any] | None, depth: int = 0
) -> Iterator[tuple[dict[str, Any], Resolver[Any] | None]]:
    """``node``, what its ``$ref`` points to and its ``allOf`` parts, through every step
    (``depth``: the steps already taken to ``node``), each with the resolver its own
    ``$ref`` is looked up with."""
    seen: set[int] = set()
    todo: list[tuple[Any, Resolver[Any] | None, int]] = [(node, resolver, depth)]
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
