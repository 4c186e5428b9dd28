"""``allOf``: the intersection of two neutral schemas, as far as the model can say it.

Values that satisfy the merged schema satisfy each part: lower bounds take the larger, upper
bounds the smaller, enums intersect, object fields unite (a field required anywhere is
required), unions distribute. What cannot be intersected (two different patterns, two types
with nothing in common) is reported through ``warn`` and the first part wins.

References are merged through ``Refs``: their targets are expanded, and a merge of two
references that comes back to itself (recursive schemas extending each other, as AsyncAPI's
``schema`` extends the JSON Schema meta-schema) becomes a reference to a new entity holding
the merge, so the expansion stops.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import replace
from fractions import Fraction
from typing import Any

from persona_gen.entities.model import Field, Schema

__all__ = ["Refs", "fits_type", "is_trivial", "json_type", "merge"]

Warn = Callable[[str], None]
Deref = Callable[[str], "Schema | None"]  # entity name -> its schema, inlined


class Refs:
    """How ``merge`` sees references.

    ``deref`` expands an entity name; ``busy`` says a name is being expanded already (its
    merge is then made later, by ``settle``); ``register`` keeps a merge as a new entity.
    A merge of a reference that comes back to itself (the same two schemas while expanding
    them) refers to such an entity instead of expanding again. Merges involving a
    reference are remembered with the warnings they gave (a repeat gives them again):
    recursive schemas ask for the same ones over and over.
    """

    def __init__(
        self,
        deref: Deref,
        register: Callable[[str, Schema], str],
        busy: Callable[[str], bool],
    ) -> None:
        self.deref = deref
        self._register = register
        self._busy = busy
        self._active: dict[Hashable, list[str]] = {}  # merge in progress -> [its entity]
        self._done: dict[Hashable, tuple[Schema, tuple[str, ...]]] = {}
        self._later: dict[Hashable, tuple[str, Schema, Schema, Warn]] = {}
        self._kinds: dict[str, frozenset[str] | None] = {}

    def kinds(self, schema: Schema) -> frozenset[str] | None:
        """The JSON types values of ``schema`` can have (integers count as numbers, maps as
        objects); None when any, or when a reference cannot be looked into now."""
        if schema.type == "any":
            return None
        if schema.type == "union":
            found: set[str] = set()
            for v in schema.variants:
                inner = self.kinds(v)
                if inner is None:
                    return None
                found |= inner
            return frozenset(found | ({"null"} if schema.nullable else set()))
        if schema.type != "ref":
            kind = {"integer": "number", "map": "object"}.get(schema.type, schema.type)
            return frozenset({kind, "null"} if schema.nullable else {kind})
        name = schema.ref or ""
        if name in self._kinds:
            return self._kinds[name]
        if self._busy(name):
            return None
        self._kinds[name] = None  # (a reference to itself says nothing)
        target = self.deref(name)
        self._kinds[name] = None if target is None else self.kinds(target)
        return self._kinds[name]

    def merged(self, a: Schema, b: Schema, warn: Warn) -> Schema | None:
        """The merge of ``a`` and ``b``, one of them a reference (None when a reference
        names no entity)."""
        key = (_identity(a), _identity(b))
        done = self._done.get(key)
        if done is not None:
            for message in done[1]:
                warn(message)
            return done[0]
        later = self._later.get(key)
        if later is not None:
            return Schema("ref", ref=later[0])
        active = self._active.get(key)
        if active is not None:  # the merge comes back to itself: refer to its result
            if not active:
                active.append(self._register(_pair_name(a, b), Schema("any")))
            return Schema("ref", ref=active[0])
        if any(s.type == "ref" and self._busy(s.ref or "") for s in (a, b)):
            name = self._register(_pair_name(a, b), Schema("any"))
            self._later[key] = (name, a, b, warn)
            return Schema("ref", ref=name)
        return self._make(key, a, b, warn, [])

    def settle(self) -> bool:
        """Make the merges put off while a reference was being expanded; False if none."""
        if not self._later:
            return False
        while self._later:
            key = next(iter(self._later))
            name, a, b, warn = self._later.pop(key)
            self._make(key, a, b, warn, [name])
        return True

    def _make(
        self, key: Hashable, a: Schema, b: Schema, warn: Warn, named: list[str]
    ) -> Schema | None:
        da = self.deref(a.ref or "") if a.type == "ref" else a
        db = self.deref(b.ref or "") if b.type == "ref" else b
        if da is None or db is None:
            if named:  # a reference to nothing: the entity is the reference alone
                self._register(named[0], a if a.type == "ref" else b)
            return None
        messages: list[str] = []

        def record(message: str) -> None:
            messages.append(message)
            warn(message)

        self._active[key] = named
        try:
            out = merge(da, db, record, self)
        finally:
            del self._active[key]
        if named:
            self._register(named[0], out)
            out = Schema("ref", ref=named[0])
        self._done[key] = (out, tuple(messages))
        return out


def _pair_name(a: Schema, b: Schema) -> str:
    names = [s.ref or "" for s in (a, b) if s.type == "ref"]
    return "+".join(names) if len(names) == 2 else f"{names[0]}+more"


def _identity(schema: Schema) -> Hashable:
    """A key equal for equal schemas (expansions of one reference are equal, not identical)."""
    try:
        hash(schema)
    except TypeError:  # a const, default or enum member that is a list or an object
        return repr(schema)
    return schema


_ANY = Schema("any")


def is_trivial(schema: Schema) -> bool:
    """True when ``schema`` says nothing beyond (maybe) its type and annotations."""
    bare = replace(schema, type="any", description=None, default=None, has_default=False, xml=None)
    return bare == _ANY


def json_type(value: Any) -> str:
    """The JSON Schema type of a JSON value (a whole float is an integer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def fits_type(value: Any, kind: str) -> bool:
    """Could ``value`` be an instance of the model type ``kind``?"""
    actual = json_type(value)
    if kind in ("any", "ref", "union"):
        return True
    if kind == "number":
        return actual in ("number", "integer")
    if kind == "map":
        return actual == "object"
    return actual == kind


def merge(a: Schema, b: Schema, warn: Warn, refs: Refs | None = None) -> Schema:
    """A schema whose values satisfy both ``a`` and ``b``."""
    if is_trivial(b) and b.type in ("any", a.type):
        return _annotate(a, b)
    if is_trivial(a) and a.type in ("any", b.type):
        return _annotate(b, a)
    if (a.type == "ref" or b.type == "ref") and a != b and refs is not None:
        both = refs.merged(a, b, warn)
        if both is not None:
            return both
    if a.type == "union" or b.type == "union":
        return _distribute(a, b, warn, refs)
    if a.type == "ref" or b.type == "ref":
        if a == b:
            return a
        keep = a if a.type == "ref" else b
        warn(f"allOf: '{keep.ref}' combined with other constraints; only the reference is used")
        return keep
    kind = _meet(a.type, b.type)
    if kind is None:
        warn(f"allOf: types '{a.type}' and '{b.type}' have no common value; '{a.type}' is used")
        return a
    if kind == "object" and "map" in (a.type, b.type):
        obj = a if a.type == "object" else b
        if not (obj.fields or obj.closed or obj.variants):  # any object: the map says more
            kind = "map"
    out = replace(a, type=kind)
    out = _scalars(out, b, warn)
    return _collections(out, a, b, warn, refs)


def _annotate(main: Schema, extra: Schema) -> Schema:
    if main.description is None and extra.description is not None:
        main = replace(main, description=extra.description)
    if not main.has_default and extra.has_default:
        main = replace(main, default=extra.default, has_default=True)
    if main.type == "any" and extra.type != "any":
        main = replace(main, type=extra.type)
    if main.xml is None and extra.xml is not None:
        main = replace(main, xml=extra.xml)
    return main


def _meet(x: str, y: str) -> str | None:
    if x == y:
        return x
    if "any" in (x, y):
        return y if x == "any" else x
    if {x, y} == {"integer", "number"}:
        return "integer"
    if {x, y} == {"object", "map"}:
        return "object"
    return None


def _distribute(a: Schema, b: Schema, warn: Warn, refs: Refs | None) -> Schema:
    union, other = (a, b) if a.type == "union" else (b, a)
    pairs = [
        (v, w)
        for v in union.variants
        for w in (other.variants if other.type == "union" else (other,))
    ]
    # An option whose type the other side excludes is no option of the intersection.
    fitting = [(v, w) for v, w in pairs if not _disjoint(v, w, refs)]
    variants = [merge(v, w, warn, refs) for v, w in fitting or pairs]
    nullable = union.nullable and other.nullable
    if len(variants) == 1:
        return replace(variants[0], nullable=variants[0].nullable or nullable)
    return replace(union, variants=tuple(variants), nullable=nullable)


def _disjoint(a: Schema, b: Schema, refs: Refs | None) -> bool:
    """Schemas whose types share no value."""
    if refs is None:
        opaque = ("any", "ref", "union")
        return a.type not in opaque and b.type not in opaque and _meet(a.type, b.type) is None
    ka, kb = refs.kinds(a), refs.kinds(b)
    return ka is not None and kb is not None and not ka & kb


def _scalars(out: Schema, b: Schema, warn: Warn) -> Schema:
    changes: dict[str, Any] = {"nullable": out.nullable and b.nullable}
    if b.has_const and not out.has_const:
        changes.update(const=b.const, has_const=True)
    elif b.has_const and not _same(out.const, b.const):
        warn(f"allOf: constants {out.const!r} and {b.const!r} differ; the first is used")
    const = changes.get("const", out.const)
    if (out.has_const or b.has_const) and any(
        e is not None and not any(_same(const, v) for v in e) for e in (out.enum, b.enum)
    ):
        warn(f"allOf: constant {const!r} is not in the enum; the constant is used")
    if b.enum is not None:
        if out.enum is None:
            changes["enum"] = b.enum
        else:
            both = tuple(v for v in out.enum if v in b.enum)
            if not both:
                warn("allOf: enums have no common member; the first is used")
            changes["enum"] = both or out.enum
    if b.format and not out.format:
        changes["format"] = b.format
    if b.pattern and out.pattern and b.pattern != out.pattern:
        warn(f"allOf: second pattern {b.pattern!r} is not enforced")
    elif b.pattern:
        changes["pattern"] = b.pattern
    changes["min_length"] = _larger(out.min_length, b.min_length)
    changes["max_length"] = _smaller(out.max_length, b.max_length)
    if b.minimum is not None and (
        out.minimum is None
        or b.minimum > out.minimum
        or (b.minimum == out.minimum and b.exclusive_minimum)
    ):
        changes.update(minimum=b.minimum, exclusive_minimum=b.exclusive_minimum)
    if b.maximum is not None and (
        out.maximum is None
        or b.maximum < out.maximum
        or (b.maximum == out.maximum and b.exclusive_maximum)
    ):
        changes.update(maximum=b.maximum, exclusive_maximum=b.exclusive_maximum)
    if b.multiple_of is not None:
        changes["multiple_of"] = (
            b.multiple_of
            if out.multiple_of is None
            else _common_multiple(out.multiple_of, b.multiple_of)
        )
    if out.description is None:
        changes["description"] = b.description
    if not out.has_default and b.has_default:
        changes.update(default=b.default, has_default=True)
    if out.semantic is None:
        changes["semantic"] = b.semantic
    return replace(out, **changes)


def _collections(out: Schema, a: Schema, b: Schema, warn: Warn, refs: Refs | None) -> Schema:
    changes: dict[str, Any] = {}
    if a.items is not None and b.items is not None:
        changes["items"] = merge(a.items, b.items, warn, refs)
    elif b.items is not None:
        changes["items"] = b.items
    if a.values is not None and b.values is not None:
        changes["values"] = merge(a.values, b.values, warn, refs)
    elif b.values is not None:
        changes["values"] = b.values
    changes["min_items"] = _larger(a.min_items, b.min_items)
    changes["max_items"] = _smaller(a.max_items, b.max_items)
    changes["unique_items"] = a.unique_items or b.unique_items
    a_names, b_names = {f.name for f in a.fields}, {f.name for f in b.fields}
    if (a.closed and b_names - a_names) or (b.closed and a_names - b_names):
        warn("allOf: a closed part forbids properties another part declares")
    if b.fields:
        fields = {f.name: f for f in a.fields}
        for f in b.fields:
            have = fields.get(f.name)
            fields[f.name] = (
                f
                if have is None
                else Field(
                    f.name,
                    merge(have.schema, f.schema, warn, refs),
                    required=have.required or f.required,
                    read_only=have.read_only or f.read_only,
                    write_only=have.write_only or f.write_only,
                )
            )
        changes["fields"] = tuple(fields.values())
    changes["closed"] = a.closed or b.closed
    return replace(out, **changes)


def _same(x: Any, y: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(x, bool) or isinstance(y, bool):
        return type(x) is type(y) and x == y
    return bool(x == y)


def _larger(x: int | None, y: int | None) -> int | None:
    return y if x is None else x if y is None else max(x, y)


def _smaller(x: int | None, y: int | None) -> int | None:
    return y if x is None else x if y is None else min(x, y)


def _common_multiple(x: float, y: float) -> float:
    fx, fy = Fraction(x).limit_denominator(10**9), Fraction(y).limit_denominator(10**9)
    num = math.lcm(fx.numerator * fy.denominator, fy.numerator * fx.denominator)
    value = Fraction(num, fx.denominator * fy.denominator)
    return int(value) if value.denominator == 1 else float(value)
