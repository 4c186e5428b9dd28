"""Schemas no value can satisfy: bounds that cross, entities that only name themselves, and
an entity that needs itself at every level (recursion that is required everywhere).

Checked when a schema is imported and when a profile's embedded domain is loaded, so such a
schema is one clear message naming the field instead of an error deep in a draw.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import NamedTuple

from persona_gen.entities.model import Domain, Schema
from persona_gen.values.depth import Shape
from persona_gen.values.numbers import numeric_bounds

__all__ = ["Unsatisfiable", "unsatisfiable"]


class Unsatisfiable(NamedTuple):
    entity: str
    where: str  # Entity.field.inner ([] for array items, {} for map values, |k for a variant)
    reason: str
    # The same place as keys of the entity format, inside the entity's schema (a profile
    # points at the field: ``("fields", "id")``; empty for the entity as a whole).
    at: tuple[Hashable, ...] = ()


def unsatisfiable(domain: Domain) -> list[Unsatisfiable]:
    """Every schema in ``domain`` that no value fits."""
    found: list[Unsatisfiable] = []
    for name, entity in domain.entities.items():
        loop = _ref_loop(domain, name)
        if loop:
            reason = f"its $ref chain loops ({' -> '.join(loop)}), so no value fits"
            found.append(Unsatisfiable(name, name, reason))
            continue
        found.extend(
            Unsatisfiable(name, where, why, at) for where, at, why in _walk(entity.schema, name)
        )
    if domain.primary in domain.entities and not any(u.entity == domain.primary for u in found):
        # (only the primary: another entity that loops may only be reached optionally, and
        # the synthesizer then leaves it out)
        endless = Shape(domain).required_loop(domain.primary)
        if endless is not None:
            reason = (
                f"schema recursion is required at every level ({endless}), so no finite value fits"
            )
            found.append(Unsatisfiable(domain.primary, domain.primary, reason))
    return found


def _ref_loop(domain: Domain, name: str) -> list[str]:
    """The chain of names when ``name`` is a reference whose chain comes back on itself
    without reaching a schema of its own (else empty)."""
    chain = [name]
    schema = domain.entities[name].schema
    while schema.type == "ref" and schema.ref in domain.entities:
        chain.append(schema.ref)
        if schema.ref in chain[:-1]:
            return chain
        schema = domain.entities[schema.ref].schema
    return []


def _walk(
    schema: Schema, path: str, at: tuple[Hashable, ...] = ()
) -> list[tuple[str, tuple[Hashable, ...], str]]:
    reason = _crossed(schema)
    found = [(path, at, reason)] if reason is not None else []
    for field in schema.fields:
        found += _walk(field.schema, f"{path}.{field.name}", (*at, "fields", field.name))
    if schema.items is not None:
        found += _walk(schema.items, f"{path}[]", (*at, "items"))
    if schema.values is not None:
        found += _walk(schema.values, f"{path}{{}}", (*at, "values"))
    for k, variant in enumerate(schema.variants):
        found += _walk(variant, f"{path}|{k}", (*at, "variants", k))
    return found


def _crossed(s: Schema) -> str | None:
    if s.has_const or s.enum:  # (the value is given; bounds are checked against it by labels)
        return None
    if s.type in ("integer", "number"):
        low, high = numeric_bounds(s, s.type == "integer")
        if low > high:
            kind = "integer" if s.type == "integer" else "number"
            return f"no {kind} lies between its {_bound(s, 'minimum')} and {_bound(s, 'maximum')}"
    if s.type == "string" and _above(s.min_length, s.max_length):
        return f"minLength {s.min_length} is above maxLength {s.max_length}"
    if s.type == "array" and _above(s.min_items, s.max_items):
        return f"minItems {s.min_items} is above maxItems {s.max_items}"
    return None


def _above(low: int | None, high: int | None) -> bool:
    return low is not None and high is not None and low > high


def _bound(s: Schema, which: str) -> str:
    value = s.minimum if which == "minimum" else s.maximum
    exclusive = s.exclusive_minimum if which == "minimum" else s.exclusive_maximum
    keyword = f"exclusive{which.capitalize()}" if exclusive else which
    return f"{keyword} {value:g}" if isinstance(value, float) else f"{keyword} {value}"
