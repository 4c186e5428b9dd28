"""Where an entity's one-way fields are, at any depth: readOnly ones (an ``id`` the server
sets) that a request never sends, writeOnly ones (a ``password``) that a reply never holds.

``one_way_fields`` finds them in an entity's schema (``OneWay``: the fields of an object,
those inside its fields' values, its array items and map values, through references to
other entities); ``leave_out`` takes them out of values drawn whole (after drawing: the
values of every other field stay as they were drawn), ``put_back`` returns what a request
left out to the reply that echoes it, and ``sent_paths`` names those a value holds.

A union (``oneOf`` / ``anyOf``) holds one of its options, which values do not say: a
property of a union's value is one-way where every object option that declares it flags
it (whichever option the value matches, that option flags it or does not require it);
deeper inside, where every option that declares it gives it the same schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from persona_gen.entities.model import Domain, Schema

__all__ = [
    "Direction",
    "LeftOut",
    "OneWay",
    "leave_out",
    "one_way_fields",
    "put_back",
    "sent_paths",
]

Direction = Literal["read_only", "write_only"]
"""Which flag: ``read_only`` (never sent) or ``write_only`` (never replied)."""


@dataclass(eq=False)
class OneWay:
    """The one-way fields inside values of one schema: its object's own (``here``), and
    those inside the values of its fields (``inside``), of its array's items, of its map's
    values. Nodes of a recursive schema refer to each other."""

    # (in schema order: what is taken out is put back in this order, the same in every run)
    here: tuple[str, ...] = ()
    inside: dict[str, OneWay] = field(default_factory=dict)
    items: OneWay | None = None
    values: OneWay | None = None
    union: bool = False  # (of a union's values: see ``leave_out``)


@dataclass
class LeftOut:
    """What ``leave_out`` took out of one value: fields of its object by name (``here``),
    and what it took out of deeper values (``inside``: by field name, item index or map
    key); of an array, how many items it had (``size``)."""

    here: dict[str, Any] = field(default_factory=dict)
    inside: dict[Any, LeftOut] = field(default_factory=dict)
    size: int = 0


def one_way_fields(domain: Domain, schema: Schema, flag: Direction) -> OneWay | None:
    """Where values of ``schema`` hold fields flagged ``flag`` (None: nowhere)."""
    built: dict[int, OneWay] = {}
    root = _node(domain, schema, flag, built)
    return root if root is not None and _prune(root) else None


def leave_out(records: list[Any], where: OneWay | None) -> list[LeftOut | None]:
    """Take the one-way fields ``where`` says out of each record, at any depth: the record's
    own fields in place, a nested object or array replaced by a copy without them (a value
    drawn once may be shared by several records, or by a request and its reply). Per
    record, what was taken out (None: nothing), for ``put_back``: below its top level; and
    at its top level where the records are of a union (whose reply, drawn apart, may be of
    another option: a dog's integer ``id`` is no cat's)."""
    out: list[LeftOut | None] = [None] * len(records)
    if where is None:
        return out
    for k, record in enumerate(records):
        if not isinstance(record, dict):  # (a value of an array or a map entity)
            records[k] = _without(record, where, LeftOut(), k)
            continue
        taken = LeftOut()
        for name in where.here:
            if name in record:
                value = record.pop(name)
                if where.union:
                    taken.here[name] = value
        for name, inner in where.inside.items():
            if name in record:
                record[name] = _without(record[name], inner, taken, name)
        if where.values is not None:  # (a map entity's values)
            for key, value in record.items():
                record[key] = _without(value, where.values, taken, key)
        if taken.inside or taken.here:
            out[k] = taken
    return out


def put_back(reply: dict[str, Any], taken: LeftOut | None, echoed: list[str], whole: bool) -> None:
    """Into a reply whose fields ``echoed`` hold a request's values (``whole``: the reply
    is of the entity sent, and holds all of them), the nested one-way values ``leave_out``
    took out of those (``taken``), where the reply has their place but not them: what the
    server sets (the ``id`` of each line of an order it created). Each changed value is a
    copy (the request's stays as it was sent). The reply's own top level holds its own,
    but a union's (``leave_out``) of a whole reply, which are the request's."""
    if taken is not None:
        if whole:
            reply.update(taken.here)
        for key in echoed:
            inner = taken.inside.get(key)
            if inner is not None and key in reply:
                reply[key] = _with(reply[key], inner)


def sent_paths(value: Any, where: OneWay | None, at: str = "") -> list[str]:
    """The one-way fields ``value`` holds, as paths (``customer.id``, ``lines[].id``,
    ``prices.*.id`` in a map's values), in schema order, each once."""
    found: dict[str, None] = {}
    if where is not None:
        _sent(value, where, at, found)
    return list(found)


def _sent(value: Any, where: OneWay, at: str, found: dict[str, None]) -> None:
    if isinstance(value, dict):
        for name in sorted(where.here):
            if name in value:
                found[f"{at}.{name}" if at else name] = None
        for name, inner in where.inside.items():
            if name in value:
                _sent(value[name], inner, f"{at}.{name}" if at else name, found)
        if where.values is not None:
            for item in value.values():
                _sent(item, where.values, f"{at}.*" if at else "*", found)
    elif isinstance(value, list) and where.items is not None:
        for item in value:
            _sent(item, where.items, f"{at}[]", found)


def _without(value: Any, where: OneWay, taken: LeftOut, key: Any) -> Any:
    """``value`` without ``where``'s fields (itself where it holds none; else a copy of each
    container on the way); what it took goes into ``taken.inside[key]``."""
    mine = LeftOut()
    out = value
    if isinstance(value, dict):
        dropped = [name for name in where.here if name in value]
        if dropped:
            out = dict(value)
            mine.here = {name: out.pop(name) for name in dropped}
        for name, inner in where.inside.items():
            if name in value:
                new = _without(value[name], inner, mine, name)
                if new is not value[name]:
                    out = dict(out) if out is value else out
                    out[name] = new
        if where.values is not None:
            for name, item in value.items():
                new = _without(item, where.values, mine, name)
                if new is not item:
                    out = dict(out) if out is value else out
                    out[name] = new
    elif isinstance(value, list) and where.items is not None:
        items = [_without(item, where.items, mine, i) for i, item in enumerate(value)]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            out = items
        mine.size = len(value)
    if mine.here or mine.inside:
        taken.inside[key] = mine
    return out


def _with(value: Any, taken: LeftOut) -> Any:
    """A copy of ``value`` with what ``taken`` holds put back where it is missing."""
    if isinstance(value, dict):
        out = dict(value)
        for name, kept in taken.here.items():
            out.setdefault(name, kept)
        for key, inner in taken.inside.items():
            if key in out:
                out[key] = _with(out[key], inner)
        return out
    if isinstance(value, list) and taken.size:
        # (an array a behaviour made longer repeats its items, as boundary's max_items does:
        # each copy gets its source's values back)
        items = list(value)
        for i, item in enumerate(items):
            kept = taken.inside.get(i % taken.size)
            if kept is not None:
                items[i] = _with(item, kept)
        return items
    return value


def _node(domain: Domain, s: Schema, flag: Direction, built: dict[int, OneWay]) -> OneWay | None:
    """The (unpruned) node of ``s``. Each schema's is made once (``built``, by identity: an
    entity's schema and those inside it are the same objects wherever they are met), so a
    recursive schema makes a finite graph: a node met again while it is being made is
    returned as it is, and filled in by the time it is used."""
    if s.type == "ref":
        found = domain.entities.get(s.ref or "")
        return _node(domain, found.schema, flag, built) if found is not None else None
    if id(s) in built:
        return built[id(s)]
    node = built[id(s)] = OneWay(union=bool(s.variants))
    if s.variants:
        _union(node, domain, s, flag, built)
        return node
    node.here = tuple(f.name for f in s.fields if getattr(f, flag))
    for f in s.fields:
        if f.name not in node.here:
            inner = _node(domain, f.schema, flag, built)
            if inner is not None:
                node.inside[f.name] = inner
    node.items = _node(domain, s.items, flag, built) if s.items is not None else None
    # (a map's values; an object's other properties, beside its fields, are left as drawn)
    if s.values is not None and not s.fields:
        node.values = _node(domain, s.values, flag, built)
    return node


def _union(
    node: OneWay, domain: Domain, s: Schema, flag: Direction, built: dict[int, OneWay]
) -> None:
    """Fill in a union's ``node``: see the module's docstring."""
    options = [_entity_schema(domain, v) for v in s.variants]
    objects = [o for o in options if o.fields and not o.variants]
    declared: dict[str, list[Any]] = {}
    for option in objects:
        for f in option.fields:
            declared.setdefault(f.name, []).append(f)
    node.here = tuple(
        name for name, fields in declared.items() if all(getattr(f, flag) for f in fields)
    )
    for name, fields in declared.items():
        if name not in node.here and all(f.schema == fields[0].schema for f in fields):
            inner = _node(domain, fields[0].schema, flag, built)
            if inner is not None:
                node.inside[name] = inner


def _entity_schema(domain: Domain, s: Schema) -> Schema:
    """``s``, or the schema of the entity it references (through up to 16 references)."""
    for _ in range(16):
        if s.type != "ref" or s.ref not in domain.entities:
            break
        s = domain.entities[s.ref or ""].schema
    return s


def _prune(root: OneWay) -> bool:
    """Drop the parts of ``root``'s graph that hold no one-way field; whether any is left."""
    nodes: list[OneWay] = []
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        todo.extend(n for n in (*node.inside.values(), node.items, node.values) if n is not None)
    live = {id(n) for n in nodes if n.here}
    changed = True
    while changed:  # (a node is live when one it leads to is: a fixed point, as they loop)
        changed = False
        for n in nodes:
            if id(n) not in live and any(
                id(c) in live for c in (*n.inside.values(), n.items, n.values) if c is not None
            ):
                live.add(id(n))
                changed = True
    for n in nodes:
        n.inside = {name: c for name, c in n.inside.items() if id(c) in live}
        n.items = n.items if n.items is not None and id(n.items) in live else None
        n.values = n.values if n.values is not None and id(n.values) in live else None
    return id(root) in live
