"""``if``/``then``/``else`` over an object's properties → the options of a union.

Real schemas use conditionals as discriminators: ``if: {properties: {type: {const:
"input"}}}, then: {required: [attributes]}``, often one per value inside ``allOf``. An
``if`` that tests properties (their presence, a ``const`` or an ``enum``), or the ``not``
of such a test, splits an object into the objects where it holds and those where it fails;
each gets ``then`` or ``else`` merged in. Several conditionals split one after another, and
contradictory options (a property restricted to two different constants) are dropped, so a
discriminator with n values gives about n + 1 options, not 2ⁿ.

Only declared properties are narrowed: a property the object cannot hold is absent, which
settles the tests on it. A test whose failure cannot be said in the model (a free-form string
that must differ from a constant) keeps the property's schema: a drawn value equals one
given constant only by chance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from persona_gen.entities.model import Field, Schema
from persona_gen.importers._jsonschema.merge import fits_type, json_type

__all__ = ["MAX_OPTIONS", "Selector", "narrowings", "selector"]

# Options a chain of conditionals may make of one object before the rest are not expressed.
MAX_OPTIONS = 64
# An integer range this small is listed as an enum when some of its values are excluded.
_SMALL_RANGE = 64
_OBJECT_ONLY = frozenset({"properties", "required", "type", "$comment", "title", "description"})

Deref = Callable[[str], "Schema | None"]  # entity name -> its schema, inlined


@dataclass(frozen=True)
class Test:
    """One property of an ``if``: whether it must be present, and the values it may take
    (None: any)."""

    name: str
    values: tuple[Any, ...] | None
    required: bool


@dataclass(frozen=True)
class Selector:
    """An ``if`` the model can split on: tests that all hold (or, negated, not all)."""

    tests: tuple[Test, ...]
    negated: bool = False


def selector(node: Any) -> Selector | None:
    """The tests of an ``if`` schema, or None when it tests something else."""
    if not isinstance(node, dict):
        return None
    if set(node) == {"not"} or set(node) - {"$comment", "description"} == {"not"}:
        inner = selector(node["not"])
        return None if inner is None else Selector(inner.tests, not inner.negated)
    if set(node) - _OBJECT_ONLY or node.get("type", "object") != "object":
        return None
    props = node.get("properties", {})
    required = node.get("required", [])
    if not isinstance(props, dict) or not isinstance(required, list):
        return None
    if not all(isinstance(r, str) for r in required):
        return None
    tests: dict[str, Test] = {}
    for name, sub in props.items():
        values = _accepted(sub)
        if values is False:
            return None
        tests[name] = Test(name, values or None, name in required)
    for name in required:
        tests.setdefault(name, Test(name, None, True))
    return Selector(tuple(tests.values())) if tests else None


def _accepted(sub: Any) -> tuple[Any, ...] | Literal[False] | None:
    """The values a property test accepts: a tuple, None for any value, False when the
    test is something the model cannot split on."""
    if sub is True or sub == {}:
        return None
    if not isinstance(sub, dict) or set(sub) - {"const", "enum", "type", "$comment"}:
        return False
    if "const" in sub:
        return (sub["const"],)
    enum = sub.get("enum")
    if isinstance(enum, list) and enum:
        return tuple(enum)
    return False


def narrowings(obj: Schema, sel: Selector, deref: Deref) -> tuple[list[Schema], list[Schema]]:
    """The options of ``obj`` where the ``if`` holds and those where it fails."""
    # A tested property that refers to a scalar (an enum of its own) is narrowed inline.
    fields = tuple(
        replace(f, schema=_scalar(f.schema, deref)) if any(t.name == f.name for t in sel.tests)
        else f
        for f in obj.fields
    )  # fmt: skip
    obj = replace(obj, fields=fields)
    holds = _all_hold(obj, sel.tests)
    fails = _one_fails(obj, sel.tests)
    return (fails, holds) if sel.negated else (holds, fails)


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


def _all_hold(obj: Schema, tests: tuple[Test, ...]) -> list[Schema]:
    """One option where every test holds: each tested property present with an accepted
    value where it can be (the branch's discriminator then shows), else absent."""
    out: Schema | None = obj
    for test in tests:
        if out is None:
            return []
        declared = out.field(test.name)
        present = _present(out, test.name, test.values) if declared is not None else None
        if present is not None:
            out = present
        elif test.required:
            return []  # it cannot be present, so the test fails
        elif declared is not None:
            out = _absent(out, test.name)
    return [] if out is None else [out]


def _one_fails(obj: Schema, tests: tuple[Test, ...]) -> list[Schema]:
    """An option per way a test can fail: a required property absent, or present with a
    value the test does not accept."""
    out: list[Schema] = []
    for test in tests:
        declared = obj.field(test.name)
        if declared is None:
            if test.required:
                return [obj]  # never present: the ``if`` never holds
            continue
        options = []
        if test.required:
            options.append(_absent(obj, test.name))
        if test.values is not None:
            options.append(_excluded(obj, test.name, test.values))
        out.extend(o for o in options if o is not None and o not in out)
    return out


def _present(obj: Schema, name: str, values: tuple[Any, ...] | None) -> Schema | None:
    field = obj.field(name)
    if field is None:
        return None
    schema = field.schema if values is None else _only(field.schema, values)
    return None if schema is None else _with(obj, replace(field, schema=schema, required=True))


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
    return None if schema is None else _with(obj, replace(field, schema=schema, required=True))


def _with(obj: Schema, field: Field) -> Schema:
    return replace(obj, fields=tuple(field if f.name == field.name else f for f in obj.fields))


def _only(schema: Schema, values: tuple[Any, ...]) -> Schema | None:
    """``schema`` narrowed to ``values`` (None when it holds none of them)."""
    allowed = _members(schema)
    kept = [v for v in values if _fits(schema, v) and (allowed is None or _among(v, allowed))]
    if not kept:
        return None
    if schema.type in ("ref", "union", "any"):  # (values of its own kind, unconstrained)
        kinds = {json_type(v) for v in kept}
        schema = Schema(kinds.pop() if len(kinds) == 1 else "any", description=schema.description)
    if len(kept) == 1:
        return replace(schema, const=kept[0], has_const=True, enum=None, nullable=False)
    return replace(schema, enum=tuple(kept), const=None, has_const=False, nullable=False)


def _without(schema: Schema, values: tuple[Any, ...]) -> Schema | None:
    """``schema`` without ``values`` (None when nothing is left); unchanged where the model
    cannot exclude them."""
    allowed = _members(schema)
    if allowed is None:
        return schema
    kept = tuple(v for v in allowed if not _among(v, values))
    if not kept:
        return None
    if len(kept) == 1:
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


def _among(value: Any, values: tuple[Any, ...]) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    return any(type(value) is type(v) and value == v for v in values) or (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and any(
            isinstance(v, int | float) and not isinstance(v, bool) and value == v for v in values
        )
    )


def _fits(schema: Schema, value: Any) -> bool:
    if value is None:
        return schema.nullable or schema.type in ("null", "any", "ref", "union")
    return fits_type(value, schema.type)
