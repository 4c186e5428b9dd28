"""Conditionals (``if``/``then``/``else``) of a JSON Schema object, expressed as options.

The ``Converter`` hands each object's conditionals here: those of the node and of its
``allOf`` parts at any depth, chained in ``else``, nested in branches and in ``oneOf`` /
``anyOf`` options. Each test splits the object's options into those where it holds (merged
with ``then``) and those where it fails (merged with ``else``); contradictory options are
dropped, and past ``MAX_OPTIONS`` a subset that still satisfies every conditional is kept,
with a warning. What a test may say is read by ``conditions``.

``dependentSchemas: {name: S}`` (draft 4-7: ``dependencies: {name: S}``) is the conditional
``if: {type: object, required: [name]}, then: S`` (one per property), and
``dependentRequired: {name: [names]}`` (``dependencies: {name: [names]}``) the same with
``then: {required: [names]}``, where the source's validator checks that keyword
(``context.dependent_keywords``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from persona_gen.entities.model import Field, Schema
from persona_gen.errors import SchemaImportError
from persona_gen.importers._jsonschema.combinators import apart
from persona_gen.importers._jsonschema.conditions import (
    MAX_OPTIONS,
    Selector,
    Undecided,
    fails,
    holds,
    reads_items,
    reconcile,
    scalar_decision,
    selector,
    settle,
)
from persona_gen.importers._jsonschema.context import Ctx, dependent_keywords
from persona_gen.importers._jsonschema.keywords import (
    ARRAY_KEYS,
    NUMBER_KEYS,
    REF_KEYS,
    STRING_KEYS,
    all_of_tree,
    conditionals_only,
    dependents,
    forbidden,
    has_constraints,
    ref_of,
    without_conditionals,
)
from persona_gen.importers._jsonschema.merge import NEVER, Contradiction, fits_type, merge, never

if TYPE_CHECKING:
    from persona_gen.importers._jsonschema.convert import Converter

__all__ = ["Branches"]

_Cond = tuple[dict[str, Any], Ctx]  # a schema holding ``if``, and where it is
# The JSON types of the values drawn for a schema that is not an object ("any": strings and
# integers; a union or a reference left as such: unknown).
_DRAWN: dict[str, tuple[str, ...]] = {"any": ("string", "integer"), "union": (), "ref": ()}


class _Dependent(dict[str, Any]):
    """The conditional an entry of ``dependentSchemas`` (``dependentRequired``,
    ``dependencies``) is: its ``then`` is the entry itself, at the place of the conditional
    (not under a ``then``)."""


def _at(cond: dict[str, Any], ctx: Ctx, key: str) -> Ctx:
    """Where branch ``key`` of a conditional at ``ctx`` is."""
    return ctx if isinstance(cond, _Dependent) else ctx.at(key)


@dataclass(frozen=True)
class _State:
    """An option of an object being split by conditionals: the tests decided on the way
    (each must still go the same way once later branches are merged in), the properties
    branches left out (they stay out), and every property as last seen (one a test left
    out and a later branch requires comes back with what was said of it)."""

    option: Schema
    decisions: tuple[tuple[Selector, bool], ...] = ()
    gone: frozenset[str] = frozenset()
    memory: tuple[Field, ...] = ()  # each property as last seen on the way

    def pinned(self, option: Schema) -> Schema | None:
        """``option`` without the properties left out (None when one is required)."""
        out = [f for f in option.fields if f.name not in self.gone]
        if len(out) == len(option.fields):
            return option
        if any(f.required for f in option.fields if f not in out):
            return None
        return replace(option, fields=tuple(out))


def _first(groups: list[list[Any]], cap: int) -> tuple[list[Any], bool]:
    """Up to ``cap`` distinct items taken from each group in turn (the first of each, then
    the second...), so every group keeps some while it can; and whether some were cut."""
    out: list[Any] = []
    depth, cut = 0, False
    while any(depth < len(g) for g in groups):
        for group in groups:
            if depth < len(group) and group[depth] not in out:
                if len(out) < cap:
                    out.append(group[depth])
                else:
                    cut = True
        depth += 1
    return out, cut


def _fields(schema: Schema, deref: Any) -> tuple[Field, ...]:
    """The properties of an object (of the one a reference names)."""
    if schema.type == "ref":
        schema = deref(schema.ref or "") or schema
    return schema.fields


def _by_name(schema: Schema) -> dict[str, Field]:
    return {f.name: f for f in schema.fields}


def _combine(answers: list[bool | None]) -> bool | None:
    """All of several answers: False if one is, else None if one is unknown."""
    if False in answers:
        return False
    return None if None in answers else True


class Branches:
    """The conditionals of one import (``Converter.branches``)."""

    def __init__(self, conv: Converter) -> None:
        self.conv = conv

    def conditionals(self, schema: Schema, node: dict[str, Any], ctx: Ctx) -> Schema:
        """``if``/``then``/``else`` of the node and of its ``allOf`` parts, at any depth."""
        found = self.found(node, ctx)
        return self.conditioned(schema, found, ctx) if found else schema

    def found(
        self, node: Any, ctx: Ctx, seen: frozenset[int] = frozenset()
    ) -> list[tuple[dict[str, Any], Ctx]]:
        """The conditionals of ``node`` and of its ``allOf`` parts written in place (an
        ``allOf`` inside an ``allOf`` too): all of them apply to the same value. A part that
        is a ``$ref`` to a schema of conditionals alone counts as written in place (on its
        own it has no properties for the tests to read)."""
        if not isinstance(node, dict):
            return []
        ref = ref_of(node)
        if ref is not None:
            if has_constraints({k: v for k, v in node.items() if k not in REF_KEYS}):
                return []
            try:
                target, tctx = self.conv.resolve(ref, ctx) if isinstance(ref, str) else (None, ctx)
            except SchemaImportError:
                return []
            if not conditionals_only(target) or id(target) in seen:
                return []
            return self.found(target, tctx, seen | {id(target)})
        out = [(node, ctx)] if "if" in node else []
        for key in dependent_keywords(ctx, self.conv.flavour.openapi):
            out += [
                (
                    _Dependent({"if": {"type": "object", "required": [name]}, "then": sub}),
                    ctx.at(key, name),
                )
                for name, sub in dependents(node, key).items()
            ]
        all_of = node.get("allOf")
        if isinstance(all_of, list):
            for i, part in enumerate(all_of):
                out += self.found(part, ctx.at("allOf", i), seen)
        return out

    def conditioned(self, schema: Schema, found: list[_Cond], ctx: Ctx) -> Schema:
        """``schema`` split by conditionals: each splits the object (each option of a union)
        where its test holds and where it fails, and the branch taken, merged in, may hold
        conditionals of its own (an ``else`` that is another ``if``)."""
        options = _flat(schema)
        if schema.nullable or any(o.nullable for o in options):
            null = self._fate("null", found, frozenset())
            if null is False:  # (a branch that null takes rejects it)
                options = [replace(o, nullable=False) for o in options]
                schema = replace(schema, nullable=False)
            elif null is None:
                self.conv.warn(
                    ctx, "if/then/else: whether null passes is not expressed; nulls are made"
                )
        states = self._apply(
            [_State(o, memory=_fields(o, self.conv.refs.deref)) for o in options], found
        )
        if states is None:
            if options == _flat(schema):
                return schema
        else:
            options = [_marked(s) for s in states]
        if len(options) == 1:
            return replace(options[0], nullable=options[0].nullable or schema.nullable)
        return Schema(
            "union",
            variants=tuple(options),
            nullable=schema.nullable,
            description=schema.description,
        )

    def _apply(self, states: list[_State], found: list[_Cond]) -> list[_State] | None:
        """``states`` split by each conditional in turn (None when none changes them)."""
        changed = warned = False
        for cond, cctx in found:
            groups = self._split(states, cond, cctx)
            if groups is None:
                continue
            states, cut = _first(groups, MAX_OPTIONS)
            if cut and not warned:  # (once: the conditionals after it are cut too)
                self.conv.warn(
                    cctx,
                    f"if/then/else: over {MAX_OPTIONS} combinations of conditionals from here "
                    f"on; only {MAX_OPTIONS} options are generated (each valid, not every "
                    "combination)",
                )
                warned = True
            changed = True
        return states if changed else None

    def _split(
        self, states: list[_State], cond: dict[str, Any], ctx: Ctx
    ) -> list[list[_State]] | None:
        """The options each state splits into by one conditional (None when its ``if`` is
        not expressible, or no branch adds anything to any option)."""
        sel = selector(cond["if"])
        if sel is None:
            self.conv.warn(
                ctx.at("if"),
                "if/then/else: only tests of properties (present, const, enum, or a test of "
                "their value), of the type and of an array's items (contains), and their "
                "not/anyOf/allOf, are expressed; this one is not",
            )
            return None
        branches: dict[str, Schema] = {}
        groups: list[list[_State]] = []
        changed = False
        for state in states:
            option = state.option
            target = option
            if option.type == "ref":
                target = self.conv.refs.deref(option.ref or "") or option
            if target.type == "any":
                fates = {k: self._fate(k, [(cond, ctx)], frozenset()) for k in _DRAWN["any"]}
                passing = [k for k, fate in fates.items() if fate]
                if not any(fate is not False for fate in fates.values()):
                    # only objects pass the branch their values take: one it is
                    target, changed = Schema("object", description=option.description), True
                elif False in fates.values() and None not in fates.values():
                    # (the values of the types that pass it)
                    one = Schema(passing[0], description=option.description)
                    groups.append([replace(state, option=one)])
                    changed = True
                    continue
            # (a map: an object of free keys; an array whose items the test reads splits
            # as an object does)
            items = target.type == "array" and reads_items(sel)
            if target.type not in ("object", "map") and not items:
                kept, dropped = self._scalar_option(target, cond, ctx)
                changed = changed or dropped
                groups.append([state] if kept else [])
                continue
            if self._vacuous(target, state, cond, branches, ctx):
                groups.append([state])  # (every value of it passes either branch)
                continue
            changed = True
            group: list[_State] = []
            for want in (True, False):
                try:
                    narrowed = (holds if want else fails)(target, sel, self.conv.refs.deref)
                except Undecided:
                    self.conv.warn(
                        ctx.at("if"),
                        "if/then/else: `contains` is expressed for items told apart by their "
                        "properties or their type; these are not",
                    )
                    return None
                for one in narrowed:
                    decided = replace(state, decisions=(*state.decisions, (sel, want)))
                    made = self._branch(one, decided, cond, want, branches, ctx)
                    group += [m for m in made if m not in group]
            groups.append(group)
        if not any(groups):
            self.conv.warn(ctx, "if/then/else: no option fits either branch; not expressed")
            return None
        return groups if changed else None

    def _scalar_option(self, target: Schema, cond: dict[str, Any], ctx: Ctx) -> tuple[bool, bool]:
        """Whether an option that is not an object stays (property tests hold for its
        values), and whether it is left out (the branch they take rejects them)."""
        kinds = _DRAWN.get(target.type, (target.type,))
        fates = {self._fate(k, [(cond, ctx)], frozenset()) for k in kinds}
        fate = fates.pop() if len(fates) == 1 else None
        if fate is False:
            return False, True
        if fate is None:
            self.conv.warn(
                ctx,
                f"if/then/else: not expressed for the '{target.type}' option "
                "(its values are drawn without the branches)",
            )
        return True, False

    def _restored(self, narrowed: Schema, branch: Schema, state: _State) -> Schema:
        """``narrowed`` with the properties ``branch`` declares that a test or a branch left
        out, as last seen on the way (optional: ``settle`` decides them again)."""
        if branch.type != "object" or narrowed.type != "object":
            return narrowed
        have = {f.name for f in narrowed.fields}
        back = [
            replace(f, required=False, counted=False)
            for f in state.memory
            if f.name not in have and branch.field(f.name) is not None
        ]
        return replace(narrowed, fields=(*narrowed.fields, *back)) if back else narrowed

    def _vacuous(
        self,
        target: Schema,
        state: _State,
        cond: dict[str, Any],
        branches: dict[str, Schema],
        ctx: Ctx,
    ) -> bool:
        """Does every value of the object ``target`` pass both branches (they say nothing
        it does not say already), with the properties it may get back too?"""
        have = {f.name for f in target.fields}
        back = tuple(
            replace(f, required=False, counted=False) for f in state.memory if f.name not in have
        )
        target = replace(target, fields=(*target.fields, *back))
        for key in ("then", "else"):
            if key not in cond:
                continue
            node, bctx = cond[key], _at(cond, ctx, key)
            if node is False or self.found(node, bctx):
                return False
            names = {f.name for f in target.fields}
            if any(set(g) & names for part in all_of_tree(node) for g in forbidden(part)):
                return False
            branch = self._branch_schema(node, key, branches, bctx)
            if never(branch):
                return False
            pair = reconcile(target, branch, self.conv.refs.kinds)
            if pair is None or pair[0] != target:
                return False
            # (a trial: without ``self.conv.refs``, which would keep the merges of references
            # it makes; a reference merged with anything else is then a warning)
            said: list[str] = []
            try:
                made = merge(target, pair[1], said.append)
            except Contradiction:
                return False
            if said:
                return False
            made = replace(
                made,
                description=target.description,
                default=target.default,
                has_default=target.has_default,
            )
            if made != target:
                return False
        return True

    def _branch_schema(self, node: Any, key: str, branches: dict[str, Schema], ctx: Ctx) -> Schema:
        """A branch without its conditionals (made once per conditional); ``NEVER`` when no
        value passes it (as ``false``: the options that take it are left out)."""
        if key not in branches:
            try:
                branches[key] = self.conv.inline(without_conditionals(node), ctx)
            except Contradiction:
                branches[key] = NEVER
        return branches[key]

    def _branch(
        self,
        narrowed: Schema,
        state: _State,
        cond: dict[str, Any],
        want: bool,
        branches: dict[str, Schema],
        ctx: Ctx,
    ) -> list[_State]:
        """A narrowed option with the branch its test takes merged in, and the branch's own
        conditionals applied."""
        key = "then" if want else "else"
        if key not in cond:
            kept = state.pinned(narrowed)
            return [] if kept is None else [replace(state, option=kept)]
        node, bctx = cond[key], _at(cond, ctx, key)
        if node is False:
            return []
        branch = self._branch_schema(node, key, branches, bctx)
        if never(branch):
            return []
        messages: list[str] = []
        made: list[Schema] = []
        for option in _flat(branch):  # (each option of the branch, where it fits)
            pair = reconcile(self._restored(narrowed, option, state), option, self.conv.refs.kinds)
            if pair is None or apart(self.conv.refs.kinds(narrowed), self.conv.refs.kinds(option)):
                continue  # (they disagree on a required property, or on the type)
            try:
                made += _flat(merge(*pair, messages.append, self.conv.refs))
            except Contradiction:
                continue  # (no value of the option passes the branch)
        parts = all_of_tree(node)
        groups = [g for part in parts for g in forbidden(part)]
        # What the branch leaves out of an option stays out (a later branch may declare it
        # again); a closed option stays closed (``reconcile``).
        named = {f.name for s in (narrowed, *_flat(branch)) for f in s.fields}
        banned = frozenset(g[0] for g in groups if len(g) == 1)
        settled: list[tuple[Schema, frozenset[str], Schema]] = []
        for merged in made:
            one = state.pinned(merged) if merged.type in ("object", "map") else merged
            if one is None:
                continue
            if one.type in ("object", "map"):
                required = {f.name for f in one.fields if f.required}
                if any(set(g) <= required for g in groups):
                    continue  # the branch forbids what this option requires
                one = self.conv.combinators.drop_forbidden(one, parts, bctx)
                left = named | {f.name for f in state.memory} if one.closed else named
                gone = state.gone | (left - {f.name for f in one.fields}) | banned
                again = settle(one, state.decisions, self.conv.refs.deref)
            else:
                gone, again = state.gone, [one]
            settled += [(s, gone, one) for s in again if all(s != t for t, _, _ in settled)]
        seen = {f.name: f for f in (*state.memory, *narrowed.fields)}
        states = [
            replace(
                state,
                option=s,
                gone=gone,
                memory=tuple({**seen, **_by_name(merged), **_by_name(s)}.values()),
            )
            for s, gone, merged in settled
        ]
        nested = self.found(node, bctx)
        if nested and states:
            states = self._apply(states, nested) or states
        if states:
            for message in messages:
                self.conv.warn(bctx, message)
        return states

    def _fate(self, kind: str, found: list[_Cond], seen: frozenset[int]) -> bool | None:
        """Do values of JSON type ``kind`` (not objects) pass these conditionals? None when
        some of them do and others not, or it cannot be said."""
        answers: list[bool | None] = []
        for cond, cctx in found:
            sel = selector(cond["if"])
            taken = None if sel is None else scalar_decision(kind, sel)
            if taken is None:
                return None
            key = "then" if taken else "else"
            if key in cond:
                answers.append(self._accepts(cond[key], kind, _at(cond, cctx, key), seen))
        return _combine(answers)

    def _accepts(self, node: Any, kind: str, ctx: Ctx, seen: frozenset[int]) -> bool | None:
        """Does every value of JSON type ``kind`` (not an object) pass ``node``? None when
        it depends on the value, or cannot be said."""
        if node is True or node is False:
            return node
        if not isinstance(node, dict) or id(node) in seen:
            return None
        seen = seen | {id(node)}
        answers: list[bool | None] = []
        ref = ref_of(node)
        if ref is not None:
            try:
                target, tctx = self.conv.resolve(ref, ctx) if isinstance(ref, str) else (None, ctx)
            except SchemaImportError:
                target = None
            answers.append(None if target is None else self._accepts(target, kind, tctx, seen))
        declared = node.get("type")
        if declared is not None:
            types = [declared] if isinstance(declared, str) else declared
            if not isinstance(types, list):
                return None
            if kind not in types and not (kind == "integer" and "number" in types):
                return False
            if kind == "number" and "number" not in types:
                answers.append(None)
        if "const" in node and not fits_type(node["const"], kind):
            return False
        enum = node.get("enum")
        if isinstance(enum, list) and not any(fits_type(v, kind) for v in enum):
            return False
        if "const" in node or "enum" in node:
            answers.append(None)
        family = {"array": ARRAY_KEYS, "string": (*STRING_KEYS, "format"),
                  "integer": NUMBER_KEYS, "number": NUMBER_KEYS}.get(kind, ())  # fmt: skip
        if any(k in node for k in family) or (kind == "null" and "nullable" in node):
            answers.append(None)
        for key in ("anyOf", "oneOf"):
            members = node.get(key)
            if isinstance(members, list):
                each = [self._accepts(m, kind, ctx.at(key, i), seen) for i, m in enumerate(members)]
                if all(a is False for a in each):
                    return False
                answers.append(True if key == "anyOf" and True in each else None)
        if "not" in node:
            inner = self._accepts(node["not"], kind, ctx.at("not"), seen)
            answers.append(None if inner is None else not inner)
        all_of = node.get("allOf")
        if isinstance(all_of, list):
            answers += [
                self._accepts(p, kind, ctx.at("allOf", i), seen) for i, p in enumerate(all_of)
            ]
        if "if" in node:
            answers.append(self._fate(kind, [(node, ctx)], seen))
        return _combine(answers)


def _marked(state: _State) -> Schema:
    """A state's option, an open object saying which properties it never holds: those seen
    on the way that a test or a branch left out (without it, a value holding one would be
    taken for this option, where the source's conditional refuses it)."""
    option = state.option
    if option.type != "object" or option.closed:
        return option
    have = {f.name for f in option.fields}
    left = [f.name for f in state.memory if f.name not in have]
    left += sorted(state.gone - have - set(left))
    absent = tuple(dict.fromkeys((*option.absent, *left)))
    return replace(option, absent=absent) if absent != option.absent else option


def _flat(schema: Schema) -> list[Schema]:
    """The options of a union, those of a union inside it too (a nullable union makes its
    options nullable); any other schema alone."""
    if schema.type != "union":
        return [schema]
    out: list[Schema] = []
    for v in schema.variants:
        for one in _flat(replace(v, nullable=True) if schema.nullable else v):
            if one not in out:
                out.append(one)
    return out
