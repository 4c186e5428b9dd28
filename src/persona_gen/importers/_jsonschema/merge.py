"""``allOf``: the intersection of two neutral schemas, as far as the model can say it.

Values that satisfy the merged schema satisfy each part: lower bounds take the larger, upper
bounds the smaller, enums intersect (and keep only the members the bounds allow), object
fields unite (a field required anywhere is required), unions distribute. What cannot be
intersected (two different patterns, two types with nothing in common) is reported through
``warn`` and the first part wins.

Parts that leave no value at all (two different constants, enums with no member in common,
a constant or every member of an enum outside the bounds) raise ``Contradiction``; where
something can be left out instead, it is: an option of a union (the others stay), an
optional property (kept as ``NEVER``, so that no later part brings it back, and removed
once the entity is made), the items of an array that may be empty.

References are merged through ``Refs``: their targets are expanded, and a merge of two
references that comes back to itself (recursive schemas extending each other, as AsyncAPI's
``schema`` extends the JSON Schema meta-schema) becomes a reference to a new entity holding
the merge, so the expansion stops.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Hashable
from dataclasses import replace
from fractions import Fraction
from typing import Any

from persona_gen._json import json_type
from persona_gen._moments import tightened
from persona_gen.entities.model import Field, Schema
from persona_gen.errors import SchemaImportError
from persona_gen.values.safe_search import pattern_search

__all__ = [
    "NEVER",
    "Contradiction",
    "Refs",
    "among",
    "distinct",
    "fits",
    "fits_type",
    "fitted",
    "is_trivial",
    "merge",
    "never",
]

Warn = Callable[[str], None]
Deref = Callable[[str], "Schema | None"]  # entity name -> its schema, inlined

# A schema no value satisfies (an empty enum, as ``values.feasible`` reads it too).
NEVER = Schema("any", enum=())


def never(schema: Schema) -> bool:
    """Does no value satisfy ``schema`` (``NEVER``, or any schema with an empty enum)?"""
    return schema.enum is not None and not schema.enum


class Contradiction(SchemaImportError):
    """Parts of a schema that no value satisfies together: ``reason`` says why, ``where``
    (a JSON pointer, added by the converter) where."""

    def __init__(
        self,
        reason: str,
        where: str | None = None,
        file: str = "",
        line: int | None = None,
    ) -> None:
        self.reason = reason
        self.where = where
        super().__init__(self.detail(), file, line)

    def detail(self, here: str | None = None) -> str:
        """The reason and where it is (unless that is ``here``)."""
        if self.where is None or self.where == here:
            return self.reason
        return f"{self.reason} (at {self.where})"


class Refs:
    """How ``merge`` sees references.

    ``deref`` expands an entity name; ``busy`` says a name is being expanded already (its
    merge is then made later, by ``settle``); ``register(hint, schema, new)`` keeps a merge
    as an entity: a new one (named after ``hint``, made unique: each distinct merge is an
    entity of its own) or, with ``new`` False, the one named ``hint`` made before.
    A merge of a reference that comes back to itself (the same two schemas while expanding
    them) refers to such an entity instead of expanding again. Merges involving a
    reference are remembered with the warnings they gave (a repeat gives them again):
    recursive schemas ask for the same ones over and over.
    """

    def __init__(
        self,
        deref: Deref,
        register: Callable[[str, Schema, bool], str],
        busy: Callable[[str], bool],
    ) -> None:
        self.deref = deref
        self._register = register
        self._busy = busy
        self._active: dict[Hashable, list[str]] = {}  # merge in progress -> [its entity]
        self._done: dict[Hashable, tuple[Schema, tuple[str, ...]]] = {}
        self._later: dict[Hashable, tuple[str, Schema, Schema, Warn]] = {}
        self._kinds: dict[str, frozenset[str] | None] = {}
        # entity made for a merge -> why no value fits it (the entity is ``NEVER``)
        self.failed: dict[str, Contradiction] = {}

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
                active.append(self._register(_pair_name(a, b), Schema("any"), True))
            return Schema("ref", ref=active[0])
        if any(s.type == "ref" and self._busy(s.ref or "") for s in (a, b)):
            name = self._register(_pair_name(a, b), Schema("any"), True)
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
            with contextlib.suppress(Contradiction):  # (kept in ``failed``)
                self._make(key, a, b, warn, [name])
        return True

    def _make(
        self, key: Hashable, a: Schema, b: Schema, warn: Warn, named: list[str]
    ) -> Schema | None:
        messages: list[str] = []

        def record(message: str) -> None:
            messages.append(message)
            warn(message)

        # (active while the references are expanded too: the same merge met inside them
        # refers to this one instead of making another entity of the same shape)
        self._active[key] = named
        try:
            da = self.deref(a.ref or "") if a.type == "ref" else a
            db = self.deref(b.ref or "") if b.type == "ref" else b
            for ref, target in ((a, da), (b, db)):
                if ref.type == "ref" and target is not None and never(target):
                    raise Contradiction(f"allOf: no value of '{ref.ref}' fits")
            if da is None or db is None:
                if named:  # a reference to nothing: the entity is the reference alone
                    self._register(named[0], a if a.type == "ref" else b, False)
                return None
            out = merge(da, db, record, self)
        except Contradiction as exc:
            if named:  # (the entity made for it: no value fits it either)
                self._register(named[0], NEVER, False)
                self.failed[named[0]] = exc
            raise
        finally:
            del self._active[key]
        if named:
            self._register(named[0], out, False)
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
    """A schema whose values satisfy both ``a`` and ``b`` (``Contradiction`` when none
    does)."""
    if never(a) or never(b):
        raise Contradiction("allOf: a part has no value that fits")
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
    made: list[Schema] = []
    failed: list[Contradiction] = []
    for v, w in fitting or pairs:
        try:
            made.append(merge(v, w, warn, refs))
        except Contradiction as exc:  # (nor is an option no value fits)
            failed.append(exc)
    if not made:
        raise failed[0]
    variants, _ = distinct(made)
    nullable = union.nullable and other.nullable
    if len(variants) == 1:
        return replace(variants[0], nullable=variants[0].nullable or nullable)
    return replace(union, variants=tuple(variants), nullable=nullable)


def distinct(options: list[Schema]) -> tuple[list[Schema], list[tuple[int, int]]]:
    """The options of a union without repeats: those that allow the same values as an
    earlier one (descriptions aside) are left out, so each shape is drawn as often as the
    others. Also which were left out, as (index, index of the earlier one)."""
    out: list[Schema] = []
    seen: dict[Hashable, int] = {}
    repeats: list[tuple[int, int]] = []
    for i, option in enumerate(options):
        key = _identity(_undescribed(option))
        if key in seen:
            repeats.append((i, seen[key]))
            continue
        seen[key] = i
        out.append(option)
    return out, repeats


def _undescribed(schema: Schema) -> Schema:
    """``schema`` without descriptions, at any depth (they do not change its values)."""
    changes: dict[str, Any] = {}
    if schema.description is not None:
        changes["description"] = None
    if schema.fields:
        changes["fields"] = tuple(replace(f, schema=_undescribed(f.schema)) for f in schema.fields)
    if schema.variants:
        changes["variants"] = tuple(_undescribed(v) for v in schema.variants)
    for key in ("items", "values"):
        inner = getattr(schema, key)
        if inner is not None:
            changes[key] = _undescribed(inner)
    return replace(schema, **changes) if changes else schema


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
        changes.update(const=b.const, has_const=True, const_unchecked=b.const_unchecked)
    elif b.has_const and not _same(out.const, b.const):
        raise Contradiction(
            f"allOf: constants {_show(out.const)} and {_show(b.const)} differ, so no value fits"
        )
    elif b.has_const:  # (the same value: a rule if either part checks it)
        changes["const_unchecked"] = out.const_unchecked and b.const_unchecked
    if b.enum is not None:
        if out.enum is None:
            changes["enum"] = b.enum
        else:
            both = tuple(v for v in out.enum if among(v, b.enum))
            if not both:
                raise Contradiction(
                    f"allOf: enums {_show(list(out.enum))} and {_show(list(b.enum))} have no "
                    "member in common, so no value fits"
                )
            changes["enum"] = both
    if b.format and not out.format:
        changes["format"] = b.format
    also: tuple[str, ...] = ()
    if b.pattern and out.pattern and b.pattern != out.pattern:
        also = (b.pattern,)  # (an enum's members or a constant can be held to it still)
        if not (out.has_const or b.has_const or out.enum or b.enum):
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
    merged = replace(out, **changes)
    if b.format_minimum is not None:
        exclusive = b.format_exclusive_minimum
        merged = tightened(merged, b.format_minimum, above=True, exclusive=exclusive)
    if b.format_maximum is not None:
        exclusive = b.format_exclusive_maximum
        merged = tightened(merged, b.format_maximum, above=False, exclusive=exclusive)
    return fitted(merged, "allOf: ", also)


def fitted(schema: Schema, prefix: str = "", patterns: tuple[str, ...] = ()) -> Schema:
    """``schema`` with only the enum members its bounds (and ``patterns``) allow: ranges,
    ``multipleOf``, lengths and pattern. ``Contradiction`` when none is left, or when its
    constant is outside them or not in its enum. (A value of another type is left to
    ``values.feasible``, which names it.)"""
    if not (schema.has_const or schema.enum):
        return schema
    extra = [p for p in patterns if p != schema.pattern]

    def allowed(value: Any) -> bool:
        if value is None or not fits_type(value, schema.type):
            return True
        return fits(schema, value) and all(_matches(p, value) for p in extra)

    rules = _rules(schema, extra)
    if schema.has_const:
        const = schema.const
        if schema.enum is not None and not among(const, schema.enum):
            raise Contradiction(
                f"{prefix}constant {_show(const)} is not in the enum "
                f"{_show(list(schema.enum))}, so no value fits"
            )
        if not allowed(const):
            raise Contradiction(f"{prefix}constant {_show(const)} breaks {rules}, so no value fits")
        return schema
    assert schema.enum is not None
    kept = tuple(v for v in schema.enum if allowed(v))
    if not kept:
        raise Contradiction(
            f"{prefix}every member of the enum {_show(list(schema.enum))} breaks {rules}, "
            "so no value fits"
        )
    return schema if len(kept) == len(schema.enum) else replace(schema, enum=kept)


def _rules(schema: Schema, patterns: list[str]) -> str:
    """The bounds of ``schema`` as the keywords that say them (``maxLength 2``)."""
    out = []
    for keyword, value, exclusive in (
        ("minimum", schema.minimum, schema.exclusive_minimum),
        ("maximum", schema.maximum, schema.exclusive_maximum),
    ):
        if value is not None:
            name = f"exclusive{keyword.capitalize()}" if exclusive else keyword
            out.append(f"{name} {_show(value)}")
    for keyword, value in (
        ("multipleOf", schema.multiple_of),
        ("minLength", schema.min_length),
        ("maxLength", schema.max_length),
    ):
        if value is not None:
            out.append(f"{keyword} {_show(value)}")
    out += [f"pattern {p!r}" for p in ([schema.pattern] if schema.pattern else []) + patterns]
    return " and ".join(out) or "its type"


def _matches(pattern: str, value: Any) -> bool:
    # (a pattern that cannot be read is not enforced: it holds no value back)
    return not isinstance(value, str) or pattern_search(pattern, value) is not False


def _show(value: Any) -> str:
    """A value as JSON writes it (``'a'``, ``null``, ``true``, ``[1, 2]``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)


def among(value: Any, values: tuple[Any, ...]) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    return any(type(value) is type(v) and value == v for v in values) or (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and any(
            isinstance(v, int | float) and not isinstance(v, bool) and value == v for v in values
        )
    )


def fits(schema: Schema, value: Any) -> bool:
    """Could ``value`` be one of ``schema``'s values (its type, and the bounds, lengths
    and pattern of a number or a string)?"""
    if value is None:
        return schema.nullable or schema.type in ("null", "any", "ref", "union")
    if not fits_type(value, schema.type):
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.minimum, schema.maximum
        if low is not None and (value < low or (schema.exclusive_minimum and value == low)):
            return False
        if high is not None and (value > high or (schema.exclusive_maximum and value == high)):
            return False
        step = schema.multiple_of
        if step and not math.isclose(value / step, round(value / step), abs_tol=1e-9):
            return False
    if isinstance(value, str):
        if schema.min_length is not None and len(value) < schema.min_length:
            return False
        if schema.max_length is not None and len(value) > schema.max_length:
            return False
        if schema.pattern is not None:
            return _matches(schema.pattern, value)
    return True


def _collections(out: Schema, a: Schema, b: Schema, warn: Warn, refs: Refs | None) -> Schema:
    changes: dict[str, Any] = {}
    least = _larger(a.min_items, b.min_items)
    for key in ("items", "values"):
        mine, theirs = getattr(a, key), getattr(b, key)
        if mine is not None and theirs is not None:
            try:
                changes[key] = merge(mine, theirs, warn, refs)
            except Contradiction as exc:
                # (an object's values are those of properties it does not declare: it is
                # then closed to them; an array or a map that may be empty is)
                if least and out.type != "object":
                    raise
                what = "item" if key == "items" else "value"
                warn(f"allOf: no {what} fits both parts ({exc.reason}); none is generated")
                changes[key] = NEVER
        elif theirs is not None:
            changes[key] = theirs
    changes["min_items"] = least
    changes["max_items"] = _smaller(a.max_items, b.max_items)
    changes["unique_items"] = a.unique_items or b.unique_items
    a_names = {f.name for f in a.fields if not never(f.schema)}
    b_names = {f.name for f in b.fields if not never(f.schema)}
    # A closed part (additionalProperties: false, no other keys allowed) forbids what only
    # the other part declares: such a property is left out, as one a part marks absent.
    forbidden = (b_names - a_names if a.closed and a.values is None else set()) | (
        a_names - b_names if b.closed and b.values is None else set()
    )
    if forbidden:
        names = ", ".join(sorted(forbidden))
        warn(
            f"allOf: a closed part forbids properties another part declares ({names}); "
            "they are left out"
        )
    if b.fields:
        fields = {f.name: f for f in a.fields}
        for f in b.fields:
            have = fields.get(f.name)
            fields[f.name] = f if have is None else _both(have, f, warn, refs)
        changes["fields"] = tuple(fields.values())
    changes["closed"] = a.closed or b.closed
    absent = tuple(dict.fromkeys((*a.absent, *b.absent, *sorted(forbidden))))
    if absent:  # (what one part never holds, the other may not bring)
        kept = changes.get("fields", out.fields)
        for f in kept:
            if f.name in absent and f.required:
                raise Contradiction(f"allOf: '{f.name}' is required, and a part leaves it out")
        changes["fields"] = tuple(f for f in kept if f.name not in absent)
        changes["absent"] = () if changes["closed"] else absent
    return replace(out, **changes)


def _both(have: Field, f: Field, warn: Warn, refs: Refs | None) -> Field:
    """A property two parts declare: both its schemas; ``NEVER`` where none fits both and
    it is optional (it is left out: ``Converter`` removes it once the entity is made)."""
    required = have.required or f.required
    try:
        schema = merge(have.schema, f.schema, warn, refs)
    except Contradiction as exc:
        if required:
            raise
        if not never(have.schema):  # (said once, where it was first found)
            warn(f"allOf: no value of '{f.name}' fits both parts ({exc.reason}); it is left out")
        schema = NEVER
    # (required by a part's own `required`: not only counted towards its minProperties)
    really = (have.required and not have.counted) or (f.required and not f.counted)
    return Field(
        f.name,
        schema,
        required=required,
        read_only=have.read_only or f.read_only,
        write_only=have.write_only or f.write_only,
        counted=required and not really,
    )


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
