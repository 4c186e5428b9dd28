"""Where a conversion is and which dialect it reads: the two values every part of the
``Converter`` passes along.

``Flavour`` says how a dialect (JSON Schema, OpenAPI 3.0 / 3.1, Swagger 2.0) differs; ``Ctx``
is the place of one schema node: the resolver and base URI its ``$ref``s are resolved
against, and the document and JSON pointer that messages name.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, replace
from typing import Any

from referencing import Specification
from referencing._core import Resolver
from referencing.jsonschema import DRAFT3, DRAFT4, DRAFT6, DRAFT7

__all__ = ["Ctx", "Flavour", "dependent_keywords"]

# Drafts whose validator checks ``dependencies`` (of lists and of schemas), not
# ``dependentRequired`` / ``dependentSchemas``.
_LEGACY = (DRAFT3, DRAFT4, DRAFT6, DRAFT7)


@dataclass(frozen=True)
class Flavour:
    """How one dialect differs: which keywords it has and which the validator honours."""

    name: str  # "jsonschema", "openapi-3.0", "openapi-3.1", "swagger-2.0"
    nullable_keyword: bool = False  # OpenAPI 3.0 `nullable: true`
    openapi: bool = False


@dataclass(frozen=True)
class Ctx:
    """Where conversion is: the resolver for $refs, the dialect, and the location for messages."""

    resolver: Resolver[Any]
    spec: Specification[Any]
    base: str  # the base URI $refs are relative to
    doc: str  # URI of the document holding this schema
    parts: tuple[Hashable, ...]  # JSON pointer parts of this schema inside ``doc``
    inlining: frozenset[int] = frozenset()  # ids of $ref targets being inlined (allOf)

    def at(self, *keys: Hashable) -> Ctx:
        return replace(self, parts=(*self.parts, *keys))


def dependent_keywords(ctx: Ctx, openapi: bool) -> tuple[str, ...]:
    """The keywords of dependencies the source's validator checks at ``ctx``:
    ``dependencies`` in drafts 3-7, ``dependentSchemas`` and ``dependentRequired`` from
    2019-09 on; none in OpenAPI 3.0 and Swagger 2.0 (read as draft 4, checked by a
    validator that has none)."""
    if ctx.spec in _LEGACY:
        return () if openapi and ctx.spec is DRAFT4 else ("dependencies",)
    return ("dependentSchemas", "dependentRequired")
