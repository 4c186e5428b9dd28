"""How deep and how wide the synthesizer's values of a schema get.

``height``: how many nested levels a value needs at the least, drawing as the synthesizer
does past its soft depth (required fields only, nullable ones null, arrays and maps at their
minimum size, for a union its shallowest option). ``INF`` when a value needs itself at every
level: no finite value exists. The synthesizer draws past the soft depth only the shallowest
options of a union, and never an option, optional field or optional array item of infinite
height, so a recursive schema that has a finite value always gets one.

``cost``: about how many values one record draws before the soft depth (every field is drawn
for every record, present or not). A schema wide and recursive enough (Renovate: hundreds of
properties, a hundred of them ``$ref: "#"``) grows as fields ** depth; ``soft_depth`` lowers
the depth where optional recursion stops until a record stays within ``RECORD_BUDGET``.
"""

from __future__ import annotations

import math
from typing import Any

from persona_gen.entities.model import Domain, Schema, takes_null

__all__ = ["INF", "RECORD_BUDGET", "Shape"]

INF = math.inf
RECORD_BUDGET = 3_000  # values per record before the soft depth is lowered
_ARRAY_SPREAD = (3, 4)  # as the synthesizer: up to min+3 items (min+4 before the soft depth)
_MAP_DEFAULT = (1, 3)  # entries of a map without bounds, before the soft depth
_DEEPEST = 16  # past the synthesizer's hard depth: a value this deep is an error anyway
_STRING = Schema("string")  # what arrays and maps without an item schema hold
Memo = dict[tuple[int, int], float]  # (id of a schema, depth) -> values drawn


class Shape:
    """Heights and record costs of one domain's schemas (cached; the domain is not changed)."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self._entities: dict[str, float] = {}
        self._inline: dict[int, tuple[Schema, float]] = {}  # id -> (schema kept alive, height)
        self._soft: dict[tuple[str, int], int] = {}

    # -- heights ---------------------------------------------------------------------------

    def height(self, schema: Schema) -> float:
        """The least nesting a value of ``schema`` needs (INF: none is finite)."""
        found = self._inline.get(id(schema))
        if found is not None and found[0] is schema:
            return found[1]
        value = self._height(schema, self.entity_height)
        self._inline[id(schema)] = (schema, value)
        return value

    def entity_height(self, name: str) -> float:
        if name not in self._entities:
            self._settle(name)
        return self._entities.get(name, 0)

    def _settle(self, name: str) -> None:
        """Heights of every entity ``name`` reaches, by iterating from 'none is finite'
        until nothing gets shallower (recursion makes them depend on each other)."""
        reach = [n for n in self._reach(name) if n not in self._entities]
        guess: dict[str, float] = dict.fromkeys(reach, INF)

        def lookup(n: str) -> float:
            return guess[n] if n in guess else self._entities.get(n, 0)

        changed = True
        while changed:
            changed = False
            for n in reach:
                value = self._height(self.domain.entities[n].schema, lookup)
                if value < guess[n]:
                    guess[n], changed = value, True
        self._entities.update(guess)

    def _reach(self, name: str) -> list[str]:
        out: list[str] = []
        seen = {name}
        pending = [name]
        while pending:
            n = pending.pop()
            if n not in self.domain.entities:
                continue
            out.append(n)
            for ref in self.domain.entities[n].schema.refs():
                if ref not in seen:
                    seen.add(ref)
                    pending.append(ref)
        return out

    def _height(self, s: Schema, entity: Any) -> float:
        if s.has_const or s.enum:
            return 0
        kind = s.type
        if kind == "ref":
            return float(entity(s.ref or "")) if s.ref in self.domain.entities else 0
        if kind == "union" or (kind == "object" and s.variants):
            options = [v for v in s.variants if v.type != "null"]
            return min((self._height(v, entity) for v in options), default=0)
        if kind == "object":
            needed = [
                self._height(f.schema, entity)
                for f in s.fields
                if f.required and not takes_null(self.domain, f.schema)
            ]
            return 1 + max(needed, default=0)
        if kind == "array" and s.enum is None and s.min_items:
            return 1 + self._height(s.items or _STRING, entity)
        if kind == "map" and s.min_items:
            return 1 + self._height(s.values or _STRING, entity)
        return 0

    def required_loop(self, name: str) -> str | None:
        """For an entity of infinite height, the path that always comes back
        (``Tree.parent -> Tree``); None when its height is finite."""
        if self.entity_height(name) != INF:
            return None
        path = [name]
        seen = {name}
        s = self.domain.entities[name].schema
        for _ in range(256):
            step = self._endless_step(s)
            if step is None:
                break
            label, s = step
            path[-1] += label
            if s.type == "ref" and s.ref in self.domain.entities:
                if s.ref in seen:
                    path.append(s.ref)
                    break
                seen.add(s.ref)
                path.append(s.ref)
                s = self.domain.entities[s.ref].schema
        return " -> ".join(path)

    def _endless_step(self, s: Schema) -> tuple[str, Schema] | None:
        """One step into the part of ``s`` that makes it endless."""
        if s.type == "union" or (s.type == "object" and s.variants):
            options = [v for v in s.variants if v.type != "null"]
            return ("", options[0]) if options else None
        if s.type == "object":
            for f in s.fields:
                if (
                    f.required
                    and not takes_null(self.domain, f.schema)
                    and self.height(f.schema) == INF
                ):
                    return f".{f.name}", f.schema
            return None
        if s.type == "array" and s.items is not None:
            return "[]", s.items
        if s.type == "map" and s.values is not None:
            return "{}", s.values
        return None

    # -- record cost -----------------------------------------------------------------------

    def soft_depth(self, name: str, soft: int) -> int:
        """The soft depth to draw ``name`` with: ``soft``, lowered until a record of it
        draws at most ``RECORD_BUDGET`` values (0 at the least)."""
        key = (name, soft)
        if key not in self._soft:
            schema = self.domain.entities[name].schema
            depth = soft
            while depth > 0 and self._cost(schema, 0, depth, {}) > RECORD_BUDGET:
                depth -= 1
            self._soft[key] = depth
        return self._soft[key]

    def _cost(self, s: Schema, depth: int, soft: int, memo: Memo) -> float:
        """Values one record draws for ``s`` at ``depth`` (stops counting past the budget)."""
        if depth > _DEEPEST:
            return 1
        key = (id(s), depth)
        found = memo.get(key)
        if found is not None:
            return found
        memo[key] = RECORD_BUDGET + 1  # a cycle that is drawn again and again is too wide
        value = min(self._cost_of(s, depth, soft, memo), RECORD_BUDGET + 1)
        memo[key] = value
        return value

    def _cost_of(self, s: Schema, depth: int, soft: int, memo: Memo) -> float:
        if s.has_const or s.enum:
            return 1
        kind = s.type
        if kind == "ref":
            target = self.domain.entities.get(s.ref or "")
            return 1 if target is None else self._cost(target.schema, depth, soft, memo)
        if kind == "union" or (kind == "object" and s.variants):
            options = self.options(s, depth >= soft)
            if not options:
                return 1
            return sum(self._cost(v, depth, soft, memo) for v in options) / len(options)
        if kind == "object":
            total = 1.0
            for f in s.fields:
                if not (f.required or depth < soft) or (
                    not f.required and self.height(f.schema) == INF
                ):
                    continue
                if depth >= soft and takes_null(self.domain, f.schema):
                    total += 1
                    continue
                total += self._cost(f.schema, depth + 1, soft, memo)
                if total > RECORD_BUDGET:
                    break
            return total
        if kind == "array":
            low = s.min_items or 0
            high = s.max_items if s.max_items is not None else low + _ARRAY_SPREAD[0]
            high = min(high, low + _ARRAY_SPREAD[1]) if depth < soft else low
            items = s.items or _STRING
            if s.enum is not None:
                return 1 + (low + max(low, high)) / 2
            if low == 0 and self.height(items) == INF:
                return 1
            return 1 + (low + max(low, high)) / 2 * self._cost(items, depth + 1, soft, memo)
        if kind == "map":
            low = s.min_items if s.min_items is not None else (0 if depth >= soft else 1)
            high = s.max_items if s.max_items is not None else max(low, _MAP_DEFAULT[1])
            high = low if depth >= soft else high
            values = s.values or _STRING
            if low == 0 and self.height(values) == INF:
                return 1
            entry = 1 + self._cost(values, depth + 1, soft, memo)  # a key and its value
            return 1 + (low + max(low, high)) / 2 * entry
        return 1

    def options(self, s: Schema, shallowest: bool) -> list[Schema]:
        """A union's options the synthesizer draws from: never one of infinite height (when
        another exists); past the soft depth only the shallowest ones."""
        options = [v for v in s.variants if v.type != "null"] or list(s.variants)
        heights = [self.height(v) for v in options]
        least = min(heights, default=0)
        if shallowest:
            return [v for v, h in zip(options, heights, strict=True) if h == least]
        finite = [v for v, h in zip(options, heights, strict=True) if h != INF]
        return finite or options
