"""The shapes of a union entity's records, and which of them a record takes.

Conditionals (``if``/``then``/``else``), ``oneOf`` and discriminators import as a union of
objects; a field the union's merged object calls optional (``paths.object_of``) may be
required in the shape a record was drawn from (``giftMessage`` when ``kind`` is ``gift``).
Effects that leave fields out ask ``Requirements`` what the record itself must hold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from persona_gen.entities.model import Domain, Entity, Schema, flat_variants
from persona_gen.entities.to_jsonschema import entity_json_schema
from persona_gen.generators.paths import deref, leaves

__all__ = ["Requirements", "flat_variants", "variant_check"]


def variant_check(domain: Domain, entity: str, k: int, variant: Schema) -> Callable[[Any], bool]:
    """Whether a value fits variant ``k`` of a union entity: a JSON Schema validator of the
    variant, behind a quick look at the object's keys that rules most values out."""
    import jsonschema

    name = f"{entity}#{k}"
    alone = Domain({**domain.entities, name: Entity(name, variant)}, name, source=domain.source)
    validator = jsonschema.Draft202012Validator(
        entity_json_schema(alone, name),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    shape = deref(domain, variant)
    required = {f.name for f in shape.fields if f.required}
    declared = {f.name for f in shape.fields}
    plain_object = shape.type == "object" and not shape.variants

    def fits(value: Any) -> bool:
        if plain_object:
            if not isinstance(value, dict) or not required <= value.keys():
                return False
            if shape.closed and not value.keys() <= declared:
                return False
        return bool(validator.is_valid(value))

    return fits


class Requirements:
    """The fields (dotted paths, as ``Leaf.dotted``) a record of a union entity must hold
    by the shapes it fits: those every fitting shape requires. Empty for an entity that is
    not a union of objects: its leaves' ``required`` says it."""

    def __init__(self, domain: Domain, entity: Entity) -> None:
        self.domain = domain
        self.entity = entity.name
        root = deref(domain, entity.schema)
        shapes = flat_variants(domain, root) if root.type == "union" else []
        self.shapes = [s for s in shapes if deref(domain, s).type == "object"]
        self.required = [
            frozenset(leaf.dotted for leaf in leaves(domain, s) if not leaf.optional)
            for s in self.shapes
        ]
        self._fits: dict[int, Callable[[Any], bool]] = {}

    def __bool__(self) -> bool:
        return len(self.shapes) > 1

    def of(self, record: Any) -> frozenset[str] | None:
        """What ``record`` must hold, or None when it fits no shape (something already broke
        it) or the entity has one shape."""
        if not self:
            return None
        found: frozenset[str] | None = None
        for k, shape in enumerate(self.shapes):
            fits = self._fits.get(k)
            if fits is None:
                fits = self._fits[k] = variant_check(self.domain, self.entity, k, shape)
            if fits(record):
                found = self.required[k] if found is None else found & self.required[k]
        return found
