"""Foreign keys across generated tables: a loading order, and rows that reference each other.

``insert_order`` puts every table after the tables it references. Self-references are no
obstacle (rows reference earlier rows of the same table). A cycle between tables is broken
at a foreign key whose columns are all nullable: ``link_foreign_keys`` leaves those columns
NULL so plain INSERTs in that order succeed. A cycle of NOT NULL foreign keys cannot be
loaded that way; its rows still reference existing rows, to be loaded with deferred
constraints.

``link_foreign_keys`` rewrites each foreign-key column of each generated row to the key of
a row generated for the parent table, keeping primary keys and unique keys unique (a key
made only of one foreign key's columns is a one-to-one link and gets distinct parents). A
row whose keys cannot be kept unique (more children than distinct parents) is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from persona_gen.entities.model import Domain, Entity, ForeignKey

__all__ = ["broken_links", "insert_order", "link_foreign_keys"]

_REDRAWS = 20


def _edges(domain: Domain) -> list[tuple[str, int, str]]:
    """(child, fk index, parent) for every foreign key between two different entities."""
    out = []
    for name, ent in domain.entities.items():
        for k, fk in enumerate(ent.foreign_keys):
            if fk.entity in domain.entities and fk.entity != name:
                out.append((name, k, fk.entity))
    return out


def _nullable(ent: Entity, fk: ForeignKey) -> bool:
    for col in fk.columns:
        f = ent.schema.field(col)
        if f is None or not f.schema.nullable:
            return False
    return True


def _order(domain: Domain) -> tuple[list[str], set[tuple[str, int]]]:
    names = list(domain.entities)
    edges = _edges(domain)
    broken: set[tuple[str, int]] = set()
    done: list[str] = []
    placed: set[str] = set()
    while len(done) < len(names):
        active = [(c, k, p) for c, k, p in edges if (c, k) not in broken]
        ready = [
            n for n in names if n not in placed and all(p in placed for c, _, p in active if c == n)
        ]
        if ready:
            for n in ready[:1]:  # one at a time keeps file order among the ready ones
                done.append(n)
                placed.add(n)
            continue
        # A cycle: break one foreign key among the unplaced tables, nullable ones first.
        waiting = [(c, k, p) for c, k, p in active if c not in placed and p not in placed]
        nullable = [
            (c, k, p)
            for c, k, p in waiting
            if _nullable(domain.entities[c], domain.entities[c].foreign_keys[k])
        ]
        pick = (nullable or waiting)[0]
        broken.add((pick[0], pick[1]))
    return done, broken


def insert_order(domain: Domain) -> list[str]:
    """Entity names, each after the entities its foreign keys reference (file order otherwise)."""
    return _order(domain)[0]


def broken_links(domain: Domain) -> set[tuple[str, int]]:
    """(entity, foreign-key index) pairs ``insert_order`` had to ignore to break cycles."""
    return _order(domain)[1]


def link_foreign_keys(
    domain: Domain,
    rows_by_entity: Mapping[str, list[dict[str, Any]]],
    rng: np.random.Generator,
) -> dict[str, list[dict[str, Any]]]:
    """Rows whose foreign keys reference generated parent rows (see the module docstring).

    Returns new lists of new dicts, in ``insert_order``; the input is not changed. Foreign
    keys to tables without generated rows (or outside the domain) are left as generated.
    """
    order, broken = _order(domain)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in order:
        if name not in rows_by_entity:
            continue
        ent = domain.entities[name]
        rows = [dict(r) for r in rows_by_entity[name]]
        out[name] = _link_table(ent, rows, out, broken, rng)
    return out


def _parent_keys(fk: ForeignKey, parents: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    seen: dict[tuple[Any, ...], None] = {}
    for row in parents:
        key = tuple(row.get(c) for c in fk.references)
        if None not in key:
            seen.setdefault(_hashable(key), None)
    return list(seen)


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _link_table(
    ent: Entity,
    rows: list[dict[str, Any]],
    done: dict[str, list[dict[str, Any]]],
    broken: set[tuple[str, int]],
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    keys = [k for k in (ent.primary_key, *ent.unique) if k]
    dropped: set[int] = set()
    for k, fk in enumerate(ent.foreign_keys):
        cols = fk.columns
        nullable = _nullable(ent, fk)
        if (ent.name, k) in broken and nullable:
            for row in rows:
                for c in cols:
                    row[c] = None
            continue
        if fk.entity == ent.name:
            _link_self(ent, fk, rows, nullable, rng)
            continue
        if fk.entity not in done:
            continue
        candidates = _parent_keys(fk, done[fk.entity])
        one_to_one = any(set(key) <= set(cols) for key in keys)
        earlier = {c for j, f in enumerate(ent.foreign_keys[:k]) for c in f.columns if j != k}
        shared = [i for i, c in enumerate(cols) if c in earlier]
        used: set[tuple[Any, ...]] = set()
        for i, row in enumerate(rows):
            if i in dropped:
                continue
            if nullable and all(row.get(c) is None for c in cols):
                continue
            pool = candidates
            if shared:
                pool = [t for t in pool if all(t[j] == row.get(cols[j]) for j in shared)]
            if one_to_one:
                pool = [t for t in pool if t not in used]
            if not pool:
                if nullable:
                    for c in cols:
                        row[c] = None
                else:
                    dropped.add(i)
                continue
            choice = pool[int(rng.integers(0, len(pool)))]
            used.add(choice)
            for c, v in zip(cols, choice, strict=True):
                row[c] = v
    kept = [r for i, r in enumerate(rows) if i not in dropped]
    return _unique_rows(ent, kept, keys, done, rng)


def _link_self(
    ent: Entity,
    fk: ForeignKey,
    rows: list[dict[str, Any]],
    nullable: bool,
    rng: np.random.Generator,
) -> None:
    """Each row references an earlier row of the same table (the first: NULL or itself)."""
    for i, row in enumerate(rows):
        if nullable and (i == 0 or all(row.get(c) is None for c in fk.columns)):
            for c in fk.columns:
                row[c] = None
            continue
        j = int(rng.integers(0, i)) if i else 0
        parent = rows[j]
        for c, r in zip(fk.columns, fk.references, strict=True):
            row[c] = parent.get(r)


def _unique_rows(
    ent: Entity,
    rows: list[dict[str, Any]],
    keys: list[tuple[str, ...]],
    done: dict[str, list[dict[str, Any]]],
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Drop (after a few re-draws of their foreign keys) rows that repeat a unique key."""
    fk_cols = {c for fk in ent.foreign_keys for c in fk.columns}
    checked = [key for key in keys if set(key) & fk_cols]
    if not checked:
        return rows
    seen: list[set[tuple[Any, ...]]] = [set() for _ in checked]
    out = []
    for row in rows:
        for _ in range(_REDRAWS):
            clash = [k for k, key in enumerate(checked) if _key_of(row, key) in seen[k]]
            if not clash:
                break
            if not _redraw(ent, row, checked[clash[0]], done, rng):
                break
        values = [_key_of(row, key) for key in checked]
        if any(v is not None and v in seen[k] for k, v in enumerate(values)):
            continue
        for k, v in enumerate(values):
            if v is not None:
                seen[k].add(v)
        out.append(row)
    return out


def _key_of(row: dict[str, Any], key: tuple[str, ...]) -> tuple[Any, ...] | None:
    values = tuple(_hashable(row.get(c)) for c in key)
    return None if None in values else values  # NULLs never clash in a UNIQUE key


def _redraw(
    ent: Entity,
    row: dict[str, Any],
    key: tuple[str, ...],
    done: dict[str, list[dict[str, Any]]],
    rng: np.random.Generator,
) -> bool:
    for fk in ent.foreign_keys:
        if not set(fk.columns) & set(key) or fk.entity not in done or fk.entity == ent.name:
            continue
        candidates = _parent_keys(fk, done[fk.entity])
        others = [c for f in ent.foreign_keys if f is not fk for c in f.columns if c in fk.columns]
        if others:
            idx = [fk.columns.index(c) for c in others]
            candidates = [t for t in candidates if all(t[j] == row.get(fk.columns[j]) for j in idx)]
        if not candidates:
            return False
        choice = candidates[int(rng.integers(0, len(candidates)))]
        for c, v in zip(fk.columns, choice, strict=True):
            row[c] = v
        return True
    return False
