"""``if``/``then``/``else`` over an object's properties → the options of a union.

Real schemas use conditionals as discriminators: ``if: {properties: {type: {const:
"input"}}}, then: {required: [attributes]}``, often one per value inside ``allOf``. An
``if`` that tests properties (their presence, a ``const`` or an ``enum``) or the value's
type, or combines such tests with ``not``, ``anyOf`` and ``allOf``, splits an object into the
objects where it holds and those where it fails; each gets ``then`` or ``else`` merged in.
Several conditionals split one after another, and contradictory options (a property
restricted to two different constants) are dropped, so a discriminator with n values gives
about n + 1 options, not 2ⁿ.

A property's test may itself be such a test of its value (GitHub's action metadata:
``runs: {properties: {using: {const: composite}}}``): the property's options are narrowed by
it. An ``if`` may test an array's items (``contains``): the array splits into one whose items
all pass (at least one) and one whose items all fail (Read the Docs' ``python.install``);
items are told apart by their options, objects by the test and other values by their type
(``Undecided`` when they cannot be).

Only declared properties are narrowed: a property the object cannot hold is absent, which
settles the tests on it. A test whose failure cannot be said in the model (a free-form string
that must differ from a constant) keeps the property's schema: a drawn value equals one
given constant only by chance. Values that are not objects pass every property test; only
a type test tells them apart (``scalar_decision``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from persona_gen._json import json_type
from persona_gen.entities.model import Field, Schema
from persona_gen.importers._jsonschema.merge import among, fits

__all__ = [
    "MAX_OPTIONS",
    "Selector",
    "Undecided",
    "fails",
    "holds",
    "reads_items",
    "reconcile",
    "scalar_decision",
    "selector",
    "settle",
]

# Options a chain of conditionals may make of one object before the rest are not expressed.
MAX_OPTIONS = 64
# An integer range this small is listed as an enum when some of its values are excluded.
_SMALL_RANGE = 64
_ANNOTATIONS = frozenset(
    {"$comment", "title", "description", "markdownDescription", "examples", "default",
     "deprecated", "$id"}
)  # fmt: skip
_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})

Deref = Callable[[str], "Schema | None"]  # entity name -> its schema, inlined
Kinds = Callable[[Schema], "frozenset[str] | None"]  # JSON types of a schema's values


@dataclass(frozen=True)
class Test:
    """One property of an ``if``: whether it must be present, and the values it may take
    (None: any), or the test its value must pass (``inner``: a nested property's value, a
    type: ``runs: {properties: {using: {const: composite}}}``)."""

    name: str
    values: tuple[Any, ...] | None
    required: bool
    inner: Selector | None = None


@dataclass(frozen=True)
class Selector:
    """An ``if`` the model can decide. ``tests``: every property test holds and, with
    ``kinds``, the value is of one of those JSON types; ``not``, ``any`` and ``all``
    combine ``parts``."""

    op: Literal["tests", "not", "any", "all", "contains"]
    tests: tuple[Test, ...] = ()
    kinds: frozenset[str] | None = None
    parts: tuple[Selector, ...] = ()

    def names(self) -> set[str]:
        """Every property some test reads (not those of an array's items)."""
        out = {t.name for t in self.tests}
        for part in self.parts if self.op != "contains" else ():
            out |= part.names()
        return out


_ALWAYS = Selector("tests")


def selector(node: Any) -> Selector | None:
    """The tests of an ``if`` schema, or None when it tests something the model cannot
    decide (a nested property, a pattern, a count...)."""
    if node is True:
        return _ALWAYS
    if node is False:
        return Selector("not", parts=(_ALWAYS,))
    if not isinstance(node, dict):
        return None
    keys = set(node) - _ANNOTATIONS
    if keys - {"properties", "required", "type", "not", "anyOf", "allOf", "contains"}:
        return None
    found: list[Selector] = []
    if keys & {"properties", "required", "type"}:
        own = _tests(node)
        if own is None:
            return None
        found.append(own)
    if "contains" in node:  # (an array holding an item that passes the test)
        item = selector(node["contains"])
        if item is None:
            return None
        found.append(Selector("contains", parts=(item,)))
    if "not" in node:
        inner = selector(node["not"])
        if inner is None:
            return None
        found.append(Selector("not", parts=(inner,)))
    combined: tuple[tuple[str, Literal["any", "all"]], ...] = (("anyOf", "any"), ("allOf", "all"))
    for key, op in combined:
        if key not in node:
            continue
        members = node[key]
        if not isinstance(members, list) or not members:
            return None
        parts = [selector(m) for m in members]
        if any(p is None for p in parts):
            return None
        found.append(Selector(op, parts=tuple(p for p in parts if p is not None)))
    if not found:
        return _ALWAYS
    return found[0] if len(found) == 1 else Selector("all", parts=tuple(found))


def _tests(node: dict[str, Any]) -> Selector | None:
    """``properties``, ``required`` and ``type`` of an ``if``."""
    kinds: frozenset[str] | None = None
    declared = node.get("type")
    if declared is not None:
        listed = [declared] if isinstance(declared, str) else declared
        if not isinstance(listed, list) or not all(t in _TYPES for t in listed) or not listed:
            return None
        kinds = frozenset(listed)
    props = node.get("properties", {})
    required = node.get("required", [])
    if not isinstance(props, dict) or not isinstance(required, list):
        return None
    if not all(isinstance(r, str) for r in required):
        return None
    tests: dict[str, Test] = {}
    for name, sub in props.items():
        values = _accepted(sub)
        if values is False:  # (a test of the value itself: its properties, its type)
            inner = selector(sub)
            if inner is None:
                return None
            tests[name] = Test(name, None, name in required, inner)
            continue
        tests[name] = Test(name, values or None, name in required)
    for name in required:
        tests.setdefault(name, Test(name, None, True))
    return Selector("tests", tuple(tests.values()), kinds)


def _accepted(sub: Any) -> tuple[Any, ...] | Literal[False] | None:
    """The values a property test accepts: a tuple, None for any value, False when the
    test is something the model cannot split on."""
    if sub is True or sub == {}:
        return None
    if not isinstance(sub, dict):
        return False
    if set(sub) - {"const", "enum", "type"} - _ANNOTATIONS:
        return False
    if "const" in sub:
        return (sub["const"],)
    enum = sub.get("enum")
    if isinstance(enum, list) and enum:
        return tuple(enum)
    if set(sub) <= _ANNOTATIONS:
        return None
    return False


def scalar_decision(kind: str, sel: Selector) -> bool | None:
    """Whether the ``if`` holds for a value of JSON type ``kind`` that is not an object
    (property tests hold for it, and item tests for one that is not an array); None when
    values of that type differ."""
    if sel.op == "contains":
        return None if kind == "array" else True
    if sel.op == "tests":
        if sel.kinds is None or kind in sel.kinds:
            return True
        if kind == "integer" and "number" in sel.kinds:
            return True
        if kind == "number" and "integer" in sel.kinds:
            return None  # (whole numbers are integers)
        return False
    decided = [scalar_decision(kind, p) for p in sel.parts]
    if sel.op == "not":
        return None if decided[0] is None else not decided[0]
    want = sel.op == "any"  # any: one True settles it; all: one False does
    if want in decided:
        return want
    return None if None in decided else not want


class Undecided(Exception):
    """An ``if`` that tests the items of an array whose items' values it cannot tell apart
    (any value, or a type it reads only partly): the conditional is not expressed."""


def holds(obj: Schema, sel: Selector, deref: Deref) -> list[Schema]:
    """The options of object (or array) ``obj`` where the ``if`` holds (``Undecided``)."""
    return _narrow(_inlined(obj, sel, deref), sel, True, deref)


def fails(obj: Schema, sel: Selector, deref: Deref) -> list[Schema]:
    """The options of object (or array) ``obj`` where the ``if`` fails (``Undecided``)."""
    return _narrow(_inlined(obj, sel, deref), sel, False, deref)


def reads_items(sel: Selector) -> bool:
    """Does the ``if`` test an array's items (``contains``)?"""
    return sel.op == "contains" or any(reads_items(p) for p in sel.parts)


def settle(obj: Schema, decisions: Iterable[tuple[Selector, bool]], deref: Deref) -> list[Schema]:
    """``obj`` narrowed again so that every decided ``if`` still goes the way it went (a
    branch merged in later may have brought back a property a test left out)."""
    out = [obj]
    for sel, want in decisions:
        out = _unique(o for option in out for o in _narrow(option, sel, want, deref))
    return out


def _inlined(obj: Schema, sel: Selector, deref: Deref) -> Schema:
    """A tested property that refers to a scalar (an enum of its own) is narrowed inline."""
    names = sel.names()
    fields = tuple(
        replace(f, schema=_scalar(f.schema, deref)) if f.name in names else f for f in obj.fields
    )
    return replace(obj, fields=fields)


def _narrow(obj: Schema, sel: Selector, want: bool, deref: Deref) -> list[Schema]:
    if sel.op == "not":
        return _narrow(obj, sel.parts[0], not want, deref)
    if obj.type == "array" and sel.op in ("tests", "contains"):
        if sel.op == "contains":
            return _contains(obj, sel.parts[0], want, deref)
        # (an array passes property tests; a type test, by its type)
        passes = sel.kinds is None or "array" in sel.kinds
        return [obj] if passes == want else []
    if sel.op == "contains":
        return [obj] if want else []  # (an object passes a test of items)
    if sel.op == "tests":
        if sel.kinds is not None and "object" not in sel.kinds:
            return [] if want else [obj]  # (an object is never of the other types)
        return _all_hold(obj, sel.tests, deref) if want else _one_fails(obj, sel.tests, deref)
    # any that holds / all that fails: one part is enough, each gives its options;
    # any that fails / all that holds: every part, one after another.
    if (sel.op == "any") == want:
        return _unique(o for part in sel.parts for o in _narrow(obj, part, want, deref))
    out = [obj]
    for part in sel.parts:
        out = _unique(o for option in out for o in _narrow(option, part, want, deref))
    return out


def _contains(arr: Schema, item: Selector, want: bool, deref: Deref) -> list[Schema]:
    """The options of an array where it holds an item that passes ``item`` (``want``):
    every item passes (at least one is made), or where it holds none: every item fails
    (or, when none can, the array is empty). Items are told apart by their options:
    objects narrowed by the test where it can go either way, values of other types by
    their type (``Undecided`` when that cannot tell)."""
    if arr.items is None:
        raise Undecided
    items = _passing(arr.items, item, want, deref)
    if want:
        if items is None or arr.max_items == 0:
            return []
        return [replace(arr, items=items, min_items=max(arr.min_items or 0, 1))]
    if items is not None:
        return [replace(arr, items=items)]
    return [] if arr.min_items else [replace(arr, max_items=0)]


def _passing(schema: Schema, sel: Selector, want: bool, deref: Deref) -> Schema | None:
    """The values of ``schema`` that pass ``sel`` (``want``), or those that fail it: the
    options that always do, and an object that can go either way narrowed by the test
    (None when no value goes that way; ``Undecided`` when its values cannot be told)."""
    kept: list[Schema] = []
    for option in _options(schema):
        target = deref(option.ref or "") if option.type == "ref" else option
        if target is None:
            raise Undecided
        if target.type in ("object", "map", "array"):
            yes, no = holds(target, sel, deref), fails(target, sel, deref)
            if yes and no:  # (either way: its narrowed options)
                kept += yes if want else no
            elif yes if want else no:
                kept.append(option)
            continue
        if _decided(_kind(target), sel) is want:
            kept.append(option)
    null = schema.nullable or any(o.nullable for o in _options(schema, keep_null=True))
    nullable = null and _decided("null", sel) is want
    if not kept:
        return Schema("null") if nullable else None
    unique = _unique(kept)
    if len(unique) == 1:
        return replace(unique[0], nullable=nullable)
    return Schema("union", variants=tuple(unique), nullable=nullable)


def _decided(kind: str, sel: Selector) -> bool:
    """``scalar_decision``, where it is sure (``Undecided`` when values of ``kind`` differ)."""
    decided = scalar_decision(kind, sel)
    if decided is None:
        raise Undecided
    return decided


def _kind(schema: Schema) -> str:
    """The JSON type of a schema's values that are not objects or arrays (``Undecided``
    when they are of several or any)."""
    if schema.type in ("any", "union", "ref") or schema.type not in _TYPES:
        raise Undecided
    return schema.type


def _options(schema: Schema, keep_null: bool = False) -> list[Schema]:
    """The options of a union (of a union inside it too); any other schema alone (without
    its null, unless ``keep_null``)."""
    if schema.type != "union":
        return [schema if keep_null else replace(schema, nullable=False)]
    return [o for v in schema.variants for o in _options(v, keep_null)]


def _unique(options: Iterable[Schema]) -> list[Schema]:
    out: list[Schema] = []
    for o in options:
        if o not in out:
            out.append(o)
    return out


def _scalar(schema: Schema, deref: Deref) -> Schema:
    """A reference to a scalar schema, expanded; any other schema as it is."""
    seen: set[str] = set()
    while schema.type == "ref" and schema.ref and schema.ref not in seen:
        seen.add(schema.ref)
        target = deref(schema.ref)
        if target is None or target.type in ("object", "array", "map", "union", "any"):
            break
        schema = replace(target, nullable=target.nullable or schema.nullable)
    return schema


def reconcile(option: Schema, branch: Schema, kinds: Kinds) -> tuple[Schema, Schema] | None:
    """``option`` and a ``branch`` about to be merged into it, without what they disagree
    on: a property one side forbids (closed, or a type or value the other cannot take) is
    left out of both where optional; None when a required one is, as nothing fits both."""
    if option.type != "object" or branch.type != "object":
        return option, branch
    mine = {f.name: f for f in option.fields}
    theirs = {f.name: f for f in branch.fields}
    gone: set[str] = set()
    if branch.closed:
        gone |= set(mine) - set(theirs)
    if option.closed:
        gone |= set(theirs) - set(mine)
    narrowed: dict[str, Schema] = {}
    for name in set(mine) & set(theirs):
        a, b = mine[name].schema, theirs[name].schema
        ka, kb = kinds(a), kinds(b)
        if ka is not None and kb is not None and not ka & kb:
            gone.add(name)
            continue
        common = _common(a, b)
        if common is None:
            continue
        if not common:
            gone.add(name)
        else:
            narrowed[name] = _set_values(a, common)
    if any(n in gone and f.required for fs in (mine, theirs) for n, f in fs.items()):
        return None
    option = replace(
        option,
        fields=tuple(
            replace(f, schema=narrowed[f.name]) if f.name in narrowed else f
            for f in option.fields
            if f.name not in gone
        ),
    )
    branch = replace(branch, fields=tuple(f for f in branch.fields if f.name not in gone))
    return option, branch


def _common(a: Schema, b: Schema) -> tuple[Any, ...] | None:
    """The values two schemas both allow, when one of them lists its values (None when
    neither does)."""
    ma, mb = _members(a), _members(b)
    if ma is None and mb is None:
        return None
    if ma is not None:
        return tuple(v for v in ma if fits(b, v) and (mb is None or among(v, mb)))
    assert mb is not None
    return tuple(v for v in mb if fits(a, v))


def _set_values(schema: Schema, values: tuple[Any, ...]) -> Schema:
    if schema.type in ("ref", "union", "any"):
        return schema  # (the merge takes the other side's values)
    own = _members(schema)
    if own is not None and all(among(v, values) for v in own):
        # Nothing narrowed: a plain boolean both sides allow stays a boolean. Listing its
        # two values made it an enum the source never declared, so faults on it were
        # labelled 'enum' ('TRUE_LEGACY', 'yes') where the validator says 'type'.
        return schema
    if len(values) == 1 and schema.enum is None:
        return replace(schema, const=values[0], has_const=True, enum=None)
    if schema.has_const or schema.enum is not None or schema.type == "boolean":
        return replace(schema, enum=values, const=None, has_const=False)
    return schema  # (an integer range: the merge keeps its bounds)


def _all_hold(obj: Schema, tests: tuple[Test, ...], deref: Deref) -> list[Schema]:
    """One option where every test holds: each tested property present with an accepted
    value where it can be (the branch's discriminator then shows), else absent."""
    out: Schema | None = obj
    for test in tests:
        if out is None:
            return []
        declared = out.field(test.name)
        present = None
        if declared is not None:
            present = (
                _present(out, test.name, test.values)
                if test.inner is None
                else _tested(out, test.name, test.inner, True, deref)
            )
        if present is not None:
            out = present
        elif test.required:
            return []  # it cannot be present, so the test fails
        elif declared is not None:
            out = _absent(out, test.name)
    return [] if out is None else [out]


def _one_fails(obj: Schema, tests: tuple[Test, ...], deref: Deref) -> list[Schema]:
    """An option per way a test can fail: a required property absent, or present with a
    value the test does not accept."""
    out: list[Schema] = []
    for test in tests:
        declared = obj.field(test.name)
        if declared is None:
            if test.required:  # never present: the ``if`` never holds
                # (a map's drawn keys could hit the name: it is kept from them)
                never_held = obj.type == "map" and test.name not in obj.absent
                return [replace(obj, absent=(*obj.absent, test.name)) if never_held else obj]
            continue
        options = []
        if test.required:
            options.append(_absent(obj, test.name))
        if test.values is not None:
            options.append(_excluded(obj, test.name, test.values))
        if test.inner is not None:
            options.append(_tested(obj, test.name, test.inner, False, deref))
        out.extend(o for o in options if o is not None and o not in out)
    return out


def _tested(obj: Schema, name: str, sel: Selector, want: bool, deref: Deref) -> Schema | None:
    """``obj`` with property ``name`` present and its value passing ``sel`` (``want``) or
    failing it (None when no value of it does)."""
    field = obj.field(name)
    if field is None:
        return None
    schema = _passing(field.schema, sel, want, deref)
    return (
        None
        if schema is None
        else _with(obj, replace(field, schema=schema, required=True, counted=False))
    )


def _present(obj: Schema, name: str, values: tuple[Any, ...] | None) -> Schema | None:
    field = obj.field(name)
    if field is None:
        return None
    schema = field.schema if values is None else _only(field.schema, values)
    return (
        None
        if schema is None
        else _with(obj, replace(field, schema=schema, required=True, counted=False))
    )


def _absent(obj: Schema, name: str) -> Schema | None:
    field = obj.field(name)
    if field is not None and field.required:
        return None
    return replace(obj, fields=tuple(f for f in obj.fields if f.name != name))


def _excluded(obj: Schema, name: str, values: tuple[Any, ...]) -> Schema | None:
    field = obj.field(name)
    if field is None:
        return None
    schema = _without(field.schema, values)
    return (
        None
        if schema is None
        else _with(obj, replace(field, schema=schema, required=True, counted=False))
    )


def _with(obj: Schema, field: Field) -> Schema:
    return replace(obj, fields=tuple(field if f.name == field.name else f for f in obj.fields))


def _only(schema: Schema, values: tuple[Any, ...]) -> Schema | None:
    """``schema`` narrowed to ``values`` (None when it holds none of them). A property the
    source lists values of keeps its ``enum``, of one value too: a value outside them breaks
    ``enum`` for the source's validator, and labels name that rule (not ``const``)."""
    allowed = _members(schema)
    kept = [v for v in values if fits(schema, v) and (allowed is None or among(v, allowed))]
    if not kept:
        return None
    if schema.type in ("ref", "union", "any"):  # (values of its own kind, unconstrained)
        kinds = {json_type(v) for v in kept}
        schema = Schema(kinds.pop() if len(kinds) == 1 else "any", description=schema.description)
    if len(kept) == 1 and schema.enum is None:
        return replace(schema, const=kept[0], has_const=True, enum=None, nullable=False)
    return replace(schema, enum=tuple(kept), const=None, has_const=False, nullable=False)


def _without(schema: Schema, values: tuple[Any, ...]) -> Schema | None:
    """``schema`` without ``values`` (None when nothing is left); unchanged where the model
    cannot exclude them."""
    allowed = _members(schema)
    if allowed is None:
        return schema
    kept = tuple(v for v in allowed if not among(v, values))
    if not kept:
        return None
    if len(kept) == 1 and schema.enum is None:
        return replace(schema, const=kept[0], has_const=True, enum=None)
    return replace(schema, enum=kept, const=None, has_const=False)


def _members(schema: Schema) -> tuple[Any, ...] | None:
    """Every value ``schema`` allows, when they are few enough to list."""
    if schema.has_const:
        return (schema.const,)
    if schema.enum is not None:
        return schema.enum
    if schema.type == "boolean":
        return (True, False)
    if schema.type == "integer" and schema.minimum is not None and schema.maximum is not None:
        low = int(schema.minimum) + (1 if schema.exclusive_minimum else 0)
        high = int(schema.maximum) - (1 if schema.exclusive_maximum else 0)
        if high - low < _SMALL_RANGE and not schema.multiple_of:
            return tuple(range(low, high + 1))
    return None
