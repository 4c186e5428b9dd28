"""Realistic values for any entity of the neutral model, a column at a time.

``Synthesizer.records`` builds ``n`` records of an entity from one RNG; every value honours
its schema (type, format, pattern, enum, ranges, lengths, required/nullable, uniqueness of
keys), and its look follows the field's meaning.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from persona_gen.entities.model import Domain, Field, Schema
from persona_gen.errors import GenerationError
from persona_gen.values.numbers import integer_column, number_column
from persona_gen.values.regex import RegexUnsupported, compile_pattern
from persona_gen.values.semantics import infer_semantic, snake_case
from persona_gen.values.strings import FORMATS, SEMANTICS, pick

__all__ = ["OPTIONAL_PRESENT", "Synthesizer"]

OPTIONAL_PRESENT = 0.8  # share of records that carry an optional field
NULL_SHARE = 0.05  # share of nullable values that are null in positive data
SOFT_DEPTH = 3  # past this, optional/nullable/empty-able recursion stops
HARD_DEPTH = 12  # a required recursion this deep cannot be satisfied


class Synthesizer:
    """Draws records for the entities of one domain."""

    def __init__(self, domain: Domain, reference_ms: int) -> None:
        self.domain = domain
        self.reference_ms = reference_ms

    def records(
        self, entity: str | None, n: int, rng: np.random.Generator, row_offset: int = 0
    ) -> list[dict[str, Any]]:
        ent = self.domain.entity(entity)
        unique = set(ent.primary_key) | {cols[0] for cols in ent.unique if len(cols) == 1}
        return self._object(ent.schema, n, rng, 0, unique, row_offset)

    def values(
        self,
        schema: Schema,
        name: str,
        n: int,
        rng: np.random.Generator,
        depth: int = 0,
        unique: bool = False,
        row_offset: int = 0,
    ) -> list[Any]:
        """``n`` values for a field called ``name`` of type ``schema``."""
        if schema.has_const:
            return [schema.const] * n
        if schema.enum is not None and schema.type != "array":
            choices = [v for v in schema.enum if v is not None] or list(schema.enum)
            idx = rng.integers(0, len(choices), n).tolist()
            return [choices[i] for i in idx]
        kind = schema.type
        if kind == "string":
            return self._strings(schema, name, n, rng, unique, row_offset)
        if kind == "integer":
            if unique:
                return self._serials(schema, n, row_offset)
            return integer_column(schema, schema.semantic or infer_semantic(name, kind), n, rng)
        if kind == "number":
            return number_column(schema, schema.semantic or infer_semantic(name, kind), n, rng)
        if kind == "boolean":
            out: list[Any] = (rng.random(n) < 0.5).tolist()
            return out
        if kind == "null":
            return [None] * n
        if kind == "object":
            return self._object(schema, n, rng, depth, set(), row_offset)
        if kind == "ref":
            return self._ref(schema, name, n, rng, depth, unique, row_offset)
        if kind == "array":
            return self._array(schema, name, n, rng, depth)
        if kind == "map":
            return self._map(schema, name, n, rng, depth)
        if kind == "union":
            return self._union(schema, name, n, rng, depth)
        # "any": small plain values of mixed type
        words = pick("word", n, rng)
        nums = rng.integers(0, 1000, n).tolist()
        which = rng.integers(0, 2, n).tolist()
        return [w if k == 0 else v for w, v, k in zip(words, nums, which, strict=True)]

    # -- composite types -------------------------------------------------------------------

    def _object(
        self,
        schema: Schema,
        n: int,
        rng: np.random.Generator,
        depth: int,
        unique: set[str],
        row_offset: int,
    ) -> list[Any]:
        if depth > HARD_DEPTH:
            raise GenerationError(
                "schema recursion is required at every level; no finite value satisfies it"
            )
        fields = list(schema.fields)
        names = [f.name for f in fields]
        columns = [self._field(f, n, rng, depth, f.name in unique, row_offset) for f in fields]
        rows = (
            [dict(zip(names, vals, strict=True)) for vals in zip(*columns, strict=True)]
            if columns
            else [{} for _ in range(n)]
        )
        for f in fields:
            if f.required:
                continue
            keep = OPTIONAL_PRESENT if depth < SOFT_DEPTH else 0.0
            absent = np.flatnonzero(rng.random(n) >= keep)
            for i in absent.tolist():
                del rows[i][f.name]
        return rows

    def _field(
        self, f: Field, n: int, rng: np.random.Generator, depth: int, unique: bool, row_offset: int
    ) -> list[Any]:
        values = self.values(f.schema, f.name, n, rng, depth + 1, unique, row_offset)
        if f.schema.nullable and not unique:
            share = NULL_SHARE if depth < SOFT_DEPTH else 1.0
            for i in np.flatnonzero(rng.random(n) < share).tolist():
                values[i] = None
        return values

    def _ref(
        self,
        schema: Schema,
        name: str,
        n: int,
        rng: np.random.Generator,
        depth: int,
        unique: bool,
        row_offset: int,
    ) -> list[Any]:
        target = self.domain.entities.get(schema.ref or "")
        if target is None:
            raise GenerationError(f"reference to unknown entity '{schema.ref}'")
        return self.values(target.schema, name, n, rng, depth, unique, row_offset)

    def _array(
        self, schema: Schema, name: str, n: int, rng: np.random.Generator, depth: int
    ) -> list[Any]:
        low = schema.min_items or 0
        high = schema.max_items if schema.max_items is not None else low + 3
        high = min(high, low + 4) if depth < SOFT_DEPTH else low
        counts = rng.integers(low, max(low, high) + 1, n)
        item = schema.items or Schema("string")
        if schema.enum is not None:  # an array of enum members (e.g. SQL ENUM[] or sets)
            item = Schema("string", enum=schema.enum)
        flat = self.values(item, _singular(name), int(counts.sum()), rng, depth + 1)
        out, start = [], 0
        for c in counts.tolist():
            chunk = flat[start : start + c]
            start += c
            if schema.unique_items:
                chunk = _dedupe(chunk)
            out.append(chunk)
        return out

    def _map(
        self, schema: Schema, name: str, n: int, rng: np.random.Generator, depth: int
    ) -> list[Any]:
        counts = rng.integers(0 if depth >= SOFT_DEPTH else 1, 4, n)
        total = int(counts.sum())
        keys = pick("word", total, rng)
        vals = self.values(schema.values or Schema("string"), name, total, rng, depth + 1)
        out, start = [], 0
        for c in counts.tolist():
            out.append(dict(zip(keys[start : start + c], vals[start : start + c], strict=True)))
            start += c
        return out

    def _union(
        self, schema: Schema, name: str, n: int, rng: np.random.Generator, depth: int
    ) -> list[Any]:
        variants = [v for v in schema.variants if v.type != "null"] or list(schema.variants)
        if not variants:
            return [None] * n
        which = rng.integers(0, len(variants), n)
        out: list[Any] = [None] * n
        for k, variant in enumerate(variants):
            rows = np.flatnonzero(which == k).tolist()
            if rows:
                for row, v in zip(
                    rows, self.values(variant, name, len(rows), rng, depth), strict=True
                ):
                    out[row] = v
        return out

    # -- scalars ---------------------------------------------------------------------------

    def _strings(
        self,
        schema: Schema,
        name: str,
        n: int,
        rng: np.random.Generator,
        unique: bool,
        row_offset: int,
    ) -> list[Any]:
        values: list[str]
        fitted = True
        if schema.format in FORMATS:
            values, fitted = FORMATS[schema.format](n, rng, self.reference_ms), False
        elif schema.pattern:
            values, fitted = self._patterned(schema, name, n, rng), False
        else:
            values = self._by_meaning(schema, name, n, rng)
        if unique and schema.format not in ("uuid", "guid") and not schema.pattern:
            values = _make_unique(values, row_offset, schema.max_length)
        if fitted or schema.max_length is not None:
            values = _fit(values, schema.min_length or 0, schema.max_length)
        return values

    def _patterned(self, schema: Schema, name: str, n: int, rng: np.random.Generator) -> list[str]:
        """Values matching ``pattern``: meaningful ones where they match, else regex-built."""
        try:
            generate = compile_pattern(schema.pattern or "")
        except RegexUnsupported:
            return self._by_meaning(schema, name, n, rng)
        check = re.compile(schema.pattern or "")
        low, high = schema.min_length or 0, schema.max_length

        def fits(v: str) -> bool:
            return bool(check.search(v)) and low <= len(v) <= (high if high is not None else len(v))

        values = (
            self._by_meaning(schema, name, n, rng)
            if (schema.semantic or infer_semantic(name, "string"))
            else [""] * n
        )
        for _ in range(8):
            bad = [i for i, v in enumerate(values) if not fits(v)]
            if not bad:
                break
            for i, v in zip(bad, generate(len(bad), rng), strict=True):
                values[i] = v
        return values

    def _by_meaning(self, schema: Schema, name: str, n: int, rng: np.random.Generator) -> list[str]:
        semantic = schema.semantic or infer_semantic(name, "string")
        if semantic == "identifier":
            prefix = (snake_case(name).split("_")[0][:3] or "id").upper()
            nums = rng.integers(0, 10**8, n).tolist()
            return [f"{prefix}-{k:08d}" for k in nums]
        column = SEMANTICS.get(semantic or "")
        if column is not None:
            return column(n, rng, self.reference_ms)
        return pick("word", n, rng)

    def _serials(self, schema: Schema, n: int, row_offset: int) -> list[Any]:
        low = int(schema.minimum) if schema.minimum is not None else 1
        return list(range(low + row_offset, low + row_offset + n))


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _dedupe(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def _make_unique(values: list[str], row_offset: int, max_length: int | None) -> list[str]:
    out = []
    for i, v in enumerate(values):
        suffix = str(row_offset + i)
        if "@" in v:
            local, _, domain = v.partition("@")
            out.append(f"{local}.{suffix}@{domain}")
            continue
        base = v if max_length is None else v[: max(0, max_length - len(suffix) - 1)]
        out.append(f"{base}_{suffix}" if base else suffix)
    return out


def _fit(values: list[str], min_length: int, max_length: int | None) -> list[str]:
    if max_length is None and min_length == 0:
        return values
    out = []
    for value in values:
        fitted = value
        if max_length is not None and len(fitted) > max_length:
            fitted = fitted[:max_length].rstrip() or fitted[:max_length]
        if len(fitted) < min_length:
            fitted += "x" * (min_length - len(fitted))
        out.append(fitted)
    return out
