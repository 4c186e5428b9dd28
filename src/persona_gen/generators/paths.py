"""Addressing values inside nested payloads by field path."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from persona_gen.entities.model import Domain, Field, Schema, deref, deref_nullable

__all__ = [
    "LEAF_BUDGET",
    "Leaf",
    "deref",
    "get_path",
    "leaves",
    "object_of",
    "set_path",
    "top_key",
]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Leaf:
    """A field an effect can act on: its path from the payload root and its schema."""

    path: Path
    schema: Schema
    required: bool
    parent_closed: bool = False  # the object holding this field allows no other properties
    # Required in one direction only (readOnly: in replies, writeOnly: in requests). Its
    # absence breaks no rule ``check`` can hold a payload to, so ``required`` is false; but a
    # payload of that direction must hold it, so no effect leaves it out as a valid choice.
    required_one_way: bool = False
    # The property counts of the object holding this field (its minProperties and
    # maxProperties), and whether the field is required only to meet the first (``counted``:
    # leaving it out breaks minProperties where fewer properties are left, nothing else; no
    # effect leaves it out as a valid choice).
    parent_min: int | None = None
    parent_max: int | None = None
    counted: bool = False
    # Made in every record, but not required by the source, which reads the field left out
    # as holding its default (``Field.defaulted``: a proto3 scalar of implicit presence).
    # Leaving it out breaks no rule; no effect leaves it out as a valid choice either.
    defaulted: bool = False
    # The object holding this field reads it set to null as left out (``Schema.
    # null_as_absent``: a protobuf message): null breaks only what its absence breaks.
    null_as_absent: bool = False
    # The path as text (``address.city``, ``items[0]``): labels name it for every mutated
    # record, so it is made once.
    dotted: str = field(init=False, compare=False, repr=False)

    @property
    def always_made(self) -> bool:
        """Every record made holds this field (of its direction aside): the source requires
        it, or it is ``counted`` towards its object's minProperties, or ``defaulted``. How a
        reader takes an empty cell of it: an empty value, not a field left out."""
        return self.required or self.counted or self.defaulted

    @property
    def optional(self) -> bool:
        """The schema lets a valid payload leave this field out, in either direction."""
        return not (self.required or self.required_one_way or self.counted or self.defaulted)

    def __post_init__(self) -> None:
        out = ""
        for p in self.path:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
        object.__setattr__(self, "dotted", out)


_OPTIONAL = Field("", Schema("any"), required=False)

LEAF_BUDGET = 10_000
"""At most this many leaves: a wide schema whose objects refer back to it (Renovate: ~400
properties, ~100 of them ``$ref: "#"``) has ~fields**4 paths to depth 3."""


def leaves(domain: Domain, schema: Schema, max_depth: int = 3) -> tuple[Leaf, ...]:
    """Every field reachable through nested objects (not through arrays), parents first,
    to ``max_depth`` levels, fewer when that would make more than ``LEAF_BUDGET`` leaves
    (deeper objects are then leaves themselves, as past ``max_depth``)."""
    while max_depth > 0 and _count(domain, schema, max_depth, LEAF_BUDGET) > LEAF_BUDGET:
        max_depth -= 1
    out: list[Leaf] = []

    def walk(s: Schema, prefix: Path, depth: int) -> None:
        # (a union of objects is one object at the root only: a nested one stays one value)
        s = object_of(domain, s) if depth == 0 else deref(domain, s)
        for f in s.fields:
            fs = deref_nullable(domain, f.schema)
            path = (*prefix, f.name)
            # readOnly/writeOnly fields are required in one direction only, so no effect
            # treats their absence as a broken rule.
            one_way = f.required and (f.read_only or f.write_only)
            counted = f.required and f.counted and not one_way
            defaulted = f.required and f.defaulted and not one_way and not counted
            required = f.required and not one_way and not counted and not defaulted
            out.append(
                Leaf(
                    path,
                    fs,
                    required,
                    s.closed,
                    one_way,
                    s.min_items,
                    s.max_items,
                    counted,
                    defaulted,
                    s.null_as_absent,
                )
            )
            # (an object that is one of several shapes, a protobuf oneof's, is one value
            # below the root, as a union is)
            if fs.type == "object" and not fs.variants and depth < max_depth:
                walk(fs, path, depth + 1)

    walk(schema, (), 0)
    return tuple(out)


def _count(domain: Domain, schema: Schema, max_depth: int, cap: int) -> int:
    """How many leaves ``leaves`` finds to ``max_depth`` (counting stops past ``cap``)."""
    found = 0
    pending = [(schema, 0)]
    while pending:
        s, depth = pending.pop()
        for f in (object_of(domain, s) if depth == 0 else deref(domain, s)).fields:
            found += 1
            if found > cap:
                return found
            if depth < max_depth:
                fs = deref(domain, f.schema)
                if fs.type == "object" and not fs.variants:
                    pending.append((fs, depth + 1))
    return found


def object_of(domain: Domain, s: Schema) -> Schema:
    """``s`` as one object: itself, the entity it references, or, for a union of objects
    (a oneOf, conditionals, a protobuf oneof's variants), an object with every option's
    fields. A field is required
    where every option requires it; its schema is the options' own where they agree, else a
    boolean where each has one (``"Y"`` breaks every option), else any value (so no effect
    judges a value by the wrong option)."""
    s = deref(domain, s)
    if s.type != "union" and not (s.type == "object" and s.variants):
        return s
    # (an object with variants, a protobuf message with a oneof, is one of its variants: its
    # own fields hold only the first member of each oneof)
    options = [o for o in (deref(domain, v) for v in s.variants) if o.type == "object"]
    if not options:
        return s
    merged: dict[str, Field] = {}
    for option in options:
        for f in option.fields:
            seen = merged.get(f.name)
            if seen is None:
                merged[f.name] = f
            elif seen.schema != f.schema:
                merged[f.name] = replace(seen, schema=_common_type(seen.schema, f.schema))
    fields = []
    for name, f in merged.items():
        held = [o.field(name) or _OPTIONAL for o in options]
        required = all(h.required for h in held)
        # (counted where some option requires it only towards its minProperties; defaulted
        # where some option takes it left out as its default)
        fields.append(
            replace(
                f,
                required=required,
                counted=required and any(h.counted for h in held),
                defaulted=required and any(h.defaulted for h in held),
            )
        )
    lows = [o.min_items for o in options if o.min_items is not None]
    highs = [o.max_items for o in options if o.max_items is not None]
    return Schema(
        "object",
        fields=tuple(fields),
        closed=all(o.closed for o in options),
        null_as_absent=all(o.null_as_absent for o in options),
        # (a count every option holds the value to: the least minimum, the largest maximum)
        min_items=min(lows) if len(lows) == len(options) else None,
        max_items=max(highs) if len(highs) == len(options) else None,
    )


def _common_type(a: Schema, b: Schema) -> Schema:
    """What two options' schemas of one field both say of every value: a boolean where both
    are (null where either allows it), else nothing (any value). (Not the type of numbers
    or strings: an edge drawn for the type alone may break one option's bounds.)"""
    if a.type == b.type == "boolean":
        return Schema("boolean", nullable=a.nullable or b.nullable)
    return Schema("any")


def get_path(obj: Any, path: Path) -> Any:
    if len(path) == 1:  # the common case, kept cheap
        return obj.get(path[0], _MISSING) if isinstance(obj, dict) else _MISSING
    for p in path:
        if isinstance(obj, dict) and p in obj:
            obj = obj[p]
        else:
            return _MISSING
    return obj


def set_path(obj: Any, path: Path, value: Any) -> bool:
    """Set the value at ``path`` if its parent exists; True when set."""
    parent = obj if len(path) == 1 else get_path(obj, path[:-1])
    if isinstance(parent, dict):
        parent[path[-1]] = value
        return True
    return False


def delete_path(obj: Any, path: Path) -> bool:
    parent = get_path(obj, path[:-1])
    if isinstance(parent, dict) and path[-1] in parent:
        del parent[path[-1]]
        return True
    return False


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()
MISSING = _MISSING


def top_key(dotted: str, record: dict[str, Any]) -> str:
    """The top-level key of ``record`` that a label's dotted path (``Leaf.dotted``) starts
    with: the longest of its dotted prefixes that ``record`` holds, as a name may hold a dot
    (an OpenAPI property or a DDL column ``"a.b"``); else the text before the first dot."""
    head = dotted
    while True:
        if head in record:
            return head
        if "." not in head:
            return dotted.split(".", 1)[0]
        head = head.rsplit(".", 1)[0]
