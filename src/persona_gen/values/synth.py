"""Realistic values for any entity of the neutral model, a column at a time.

``Synthesizer.records`` builds ``n`` records of an entity from one RNG; every value honours
its schema (type, format, pattern, enum, ranges, lengths, required/nullable, uniqueness of
keys), and its look follows the field's meaning.
"""

from __future__ import annotations

import copy
import operator
import re
from typing import Any

import numpy as np

from persona_gen._formats import format_ok
from persona_gen._json import CONTAINERS
from persona_gen._moments import BOUNDED_FORMATS, schema_window
from persona_gen._text import ascii_rows
from persona_gen.entities.model import Domain, Field, Schema, deref, takes_null
from persona_gen.errors import GenerationError
from persona_gen.values.columns import ObjectColumns
from persona_gen.values.depth import INF, Shape
from persona_gen.values.ecma_regex import compile_ecma
from persona_gen.values.numbers import (
    integer_column,
    integer_room,
    number_column,
    unique_integers,
)
from persona_gen.values.regex import (
    RegexUnsupported,
    compile_pattern,
    generates_matches,
    matches_class_runs,
    numbered_matches,
)
from persona_gen.values.semantics import NO_SEMANTIC, meaning, snake_case
from persona_gen.values.strings import (
    FORMATS,
    SEMANTICS,
    bounded_moments,
    moment_grid,
    moment_texts,
    pick,
    unique_moments,
    zero_padded,
)

__all__ = ["OPTIONAL_PRESENT", "Synthesizer", "base36"]

Rows = int | range
"""Row numbers of drawn values: a range, or the first of consecutive numbers."""

OPTIONAL_PRESENT = 0.8  # share of records that carry an optional field
NULL_SHARE = 0.05  # share of nullable values that are null in positive data
SOFT_DEPTH = 3  # past this, optional/nullable/empty-able recursion stops (see values.depth)
# Values nested deeper than this are refused: deeper than JSON Schema and YAML imports
# reach, and about as deep as check's validators go (a required recursion is refused before,
# by ``Shape.required_loop``). It was 12: 13 required objects deep, which imports, was
# refused as "schema recursion".
HARD_DEPTH = 100
_STRING = Schema("string")  # items and map values without a schema (one object: heights are
# cached by schema object)


class Synthesizer:
    """Draws records for the entities of one domain."""

    def __init__(self, domain: Domain, reference_ms: int) -> None:
        self.domain = domain
        self.reference_ms = reference_ms
        self.shape = Shape(domain)
        # Where optional recursion stops: SOFT_DEPTH, lower for an entity so wide and
        # recursive that a record would hold too many values (see values.depth).
        self._soft = SOFT_DEPTH

    def records(
        self, entity: str | None, n: int, rng: np.random.Generator, rows: Rows = 0
    ) -> list[dict[str, Any]]:
        """``n`` records of ``entity``. ``rows`` numbers them in the dataset (a range of
        ``n`` numbers, or the first of ``n`` consecutive ones): unique fields are made
        unique by those numbers."""
        drawn = self.columns(entity, n, rng, rows)
        return drawn.rows() if isinstance(drawn, ObjectColumns) else drawn

    def columns(
        self, entity: str | None, n: int, rng: np.random.Generator, rows: Rows = 0
    ) -> ObjectColumns | list[Any]:
        """What ``records`` returns (the same draws), with objects kept as columns."""
        rows = _as_range(rows, n)
        ent = self.domain.entity(entity)
        loop = self.shape.required_loop(ent.name)
        if loop is not None:
            raise GenerationError(
                f"schema recursion is required at every level ({loop}); "
                "no finite value satisfies it"
            )
        unique = set(ent.unique_columns)
        outer, self._soft = self._soft, self.shape.soft_depth(ent.name, SOFT_DEPTH)
        try:
            if ent.schema.type != "object" or ent.schema.variants:
                # An entity that is a union, a reference or an array (JSON Schema / OpenAPI
                # components can be any schema): its records are values of that schema.
                return self.values(ent.schema, ent.name, n, rng, 0, False, rows)
            return self._object_columns(ent.schema, n, rng, 0, unique, rows)
        finally:
            self._soft = outer

    def unique_room(self, entity: str | None) -> list[tuple[tuple[str, ...], int, str]]:
        """The unique one-column keys of ``entity`` that can take only so many values
        (a const, an enum, a bounded integer): ``((field,), how many, which)``. A dataset of
        more records than one of them holds cannot be made (``records`` numbers rows past
        it round again)."""
        ent = self.domain.entity(entity)
        if ent.schema.type != "object" or ent.schema.variants:
            return []
        unique = ent.unique_columns
        out: list[tuple[tuple[str, ...], int, str]] = []
        for f in ent.schema.fields:
            room = self._room(f.schema) if f.name in unique else None
            if room is not None:
                out.append(((f.name,), *room))
        return out

    def _room(self, schema: Schema) -> tuple[int, str] | None:
        schema = deref(self.domain, schema)  # (through references, as ``values`` follows them)
        if schema.has_const:
            return 1, repr(schema.const)
        if schema.enum:
            choices = _choices(schema)
            return len(choices), ", ".join(map(repr, choices[:5])) + (
                ", ..." if len(choices) > 5 else ""
            )
        if schema.type == "integer":
            return integer_room(schema)
        if schema.type == "string" and schema.format in BOUNDED_FORMATS and not schema.pattern:
            fmt = str(schema.format)
            start, step, count = moment_grid(fmt, *schema_window(schema), self.reference_ms)
            ends = moment_texts(fmt, np.array([start, start + max(count - 1, 0) * step]))
            return count, f"{fmt}s {ends[0]} to {ends[1]}"
        return None

    def values(
        self,
        schema: Schema,
        name: str,
        n: int,
        rng: np.random.Generator,
        depth: int = 0,
        unique: bool = False,
        rows: Rows = 0,
    ) -> list[Any]:
        """``n`` values for a field called ``name`` of type ``schema`` (``rows`` as for
        ``records``)."""
        if n <= 0:
            return []
        rows = _as_range(rows, n)
        if schema.has_const:
            return _copies([schema.const] * n)
        if schema.enum:
            choices = _choices(schema)
            if unique:
                # Each member once: row i takes member i (no record can repeat a key). A
                # block is drawn whole, past the dataset's last row: rows past the members
                # come round again (``unique_room`` says up front when a dataset cannot fit).
                return _copies([choices[row % len(choices)] for row in rows])
            idx = rng.integers(0, len(choices), n).tolist()
            return _copies([choices[i] for i in idx])
        kind = schema.type
        if kind == "object" and schema.variants:
            # An object that is one of several shapes (e.g. a protobuf oneof): each record
            # takes one variant, so every choice appears.
            return self._union(schema, name, n, rng, depth)
        if kind == "string":
            return self._strings(schema, name, n, rng, unique, rows)
        if kind == "integer":
            if unique:
                return unique_integers(schema, rows)
            return integer_column(schema, meaning(schema.semantic, name, kind), n, rng)
        if kind == "number":
            return number_column(schema, meaning(schema.semantic, name, kind), n, rng)
        if kind == "boolean":
            out: list[Any] = (rng.random(n) < 0.5).tolist()
            return out
        if kind == "null":
            return [None] * n
        if kind == "object":
            return self._object_columns(schema, n, rng, depth, set(), rows).rows()
        if kind == "ref":
            return self._ref(schema, name, n, rng, depth, unique, rows)
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

    def _object_columns(
        self,
        schema: Schema,
        n: int,
        rng: np.random.Generator,
        depth: int,
        unique: set[str],
        rows: range,
    ) -> ObjectColumns:
        if depth > HARD_DEPTH:
            raise GenerationError(
                f"the schema nests required objects more than {HARD_DEPTH} levels deep; "
                "values that deep are not made"
            )
        # Past the soft depth optional fields are left out, so they are not drawn at all
        # (this is what lets optional recursion end); one that has no finite value never.
        soft = self._soft
        fields = [
            f
            for f in schema.fields
            if f.required or (depth < soft and self.shape.height(f.schema) != INF)
        ]
        columns = [self._field(f, n, rng, depth, f.name in unique, rows) for f in fields]
        absent = [
            [] if f.required else np.flatnonzero(rng.random(n) >= OPTIONAL_PRESENT).tolist()
            for f in fields
        ]
        return ObjectColumns(n, tuple(f.name for f in fields), columns, absent)

    def _field(
        self, f: Field, n: int, rng: np.random.Generator, depth: int, unique: bool, rows: range
    ) -> list[Any] | ObjectColumns:
        # (nullable itself, or a reference to an entity that is: `$ref: NullableThing`)
        nullable = takes_null(self.domain, f.schema) and not unique
        if nullable and (depth >= self._soft or self.shape.height(f.schema) == INF):
            return [None] * n
        nested = self._plain_object(f.schema) if n > 0 else None
        values: list[Any] | ObjectColumns
        if nested is not None:  # what values() would draw, kept as columns
            values = self._object_columns(nested, n, rng, depth + 1, set(), rows)
        else:
            values = self.values(f.schema, f.name, n, rng, depth + 1, unique, rows)
        if nullable:
            nulls = np.flatnonzero(rng.random(n) < NULL_SHARE).tolist()
            if isinstance(values, ObjectColumns):
                values.null = nulls
            else:
                for i in nulls:
                    values[i] = None
        return values

    def _plain_object(self, schema: Schema) -> Schema | None:
        """The object schema ``values`` would fill field by field for ``schema`` (through
        references), or None when it draws another way (const, enum, union, not an object)."""
        while True:
            if schema.has_const or schema.enum:
                return None
            if schema.type != "ref":
                return schema if schema.type == "object" and not schema.variants else None
            target = self.domain.entities.get(schema.ref or "")
            if target is None:
                return None  # values() raises the error
            schema = target.schema

    def _ref(
        self,
        schema: Schema,
        name: str,
        n: int,
        rng: np.random.Generator,
        depth: int,
        unique: bool,
        rows: range,
    ) -> list[Any]:
        target = self.domain.entities.get(schema.ref or "")
        if target is None:
            raise GenerationError(f"reference to unknown entity '{schema.ref}'")
        return self.values(target.schema, name, n, rng, depth, unique, rows)

    def _array(
        self, schema: Schema, name: str, n: int, rng: np.random.Generator, depth: int
    ) -> list[Any]:
        low = schema.min_items or 0
        high = schema.max_items if schema.max_items is not None else low + 3
        high = min(high, low + 4) if depth < self._soft else low
        item = schema.items or _STRING
        if not low and self.shape.height(item) == INF:
            return [[] for _ in range(n)]  # items that have no finite value: none
        counts = rng.integers(low, max(low, high) + 1, n)
        flat = self.values(item, _singular(name), int(counts.sum()), rng, depth + 1)
        out, start = [], 0
        for c in counts.tolist():
            chunk = flat[start : start + c]
            start += c
            if schema.unique_items:
                chunk = _dedupe(chunk)
            out.append(chunk)
        if schema.unique_items:
            self._refill_unique(out, low, item, name, rng, depth)
        return out

    def _refill_unique(
        self,
        arrays: list[list[Any]],
        low: int,
        item: Schema,
        name: str,
        rng: np.random.Generator,
        depth: int,
    ) -> None:
        """Top up arrays that de-duplication left below ``min_items`` (a few tries)."""
        for _ in range(8):
            short = [a for a in arrays if len(a) < low]
            if not short:
                return
            need = [low - len(a) for a in short]
            extra = self.values(item, _singular(name), sum(need) * 2, rng, depth + 1)
            start = 0
            for a, k in zip(short, need, strict=True):
                for v in extra[start : start + 2 * k]:
                    if len(a) < low and not _contains(a, v):
                        a.append(v)
                start += 2 * k

    def _map(
        self, schema: Schema, name: str, n: int, rng: np.random.Generator, depth: int
    ) -> list[Any]:
        # min_items / max_items bound the number of entries (minProperties/maxProperties).
        soft = self._soft
        low = schema.min_items if schema.min_items is not None else (0 if depth >= soft else 1)
        high = schema.max_items if schema.max_items is not None else max(low, 3)
        if depth >= soft:
            high = low
        item = schema.values or _STRING
        if not low and self.shape.height(item) == INF:
            return [{} for _ in range(n)]  # values that have no finite value: no entries
        counts = rng.integers(low, max(low, high) + 1, n)
        total = int(counts.sum())
        ruled = _key_schema(schema)
        keys = pick("word", total, rng) if ruled is None else self._keys(ruled, total, rng)
        vals = self.values(item, name, total, rng, depth + 1)
        # Keys the map never holds (a dependentRequired trigger its options leave out).
        absent = frozenset(schema.absent)
        out, start = [], 0
        for c in counts.tolist():
            entry: dict[str, Any] = {}
            for key, value in zip(keys[start : start + c], vals[start : start + c], strict=True):
                k, j = key, 2
                # (repeated words count as distinct entries, as do words it never holds)
                while (k in entry or k in absent) and ruled is None:
                    k, j = f"{key}_{j}", j + 1
                if k not in absent:
                    entry[k] = value  # (a repeated key that must fit a pattern is drawn again)
            out.append(entry)
            start += c
        if ruled is not None:
            self._refill_keys(out, counts.tolist(), ruled, item, name, rng, depth, absent)
        return out

    def _keys(self, ruled: Schema, n: int, rng: np.random.Generator) -> list[str]:
        return self._strings(ruled, "", n, rng, False, range(n))

    def _refill_keys(
        self,
        maps: list[dict[str, Any]],
        wanted: list[int],
        ruled: Schema,
        item: Schema,
        name: str,
        rng: np.random.Generator,
        depth: int,
        absent: frozenset[str] = frozenset(),
    ) -> None:
        """Maps whose keys must fit a pattern lose repeated keys (and those in ``absent``):
        draw more (a few tries; a pattern with too few strings leaves a map short)."""
        for _ in range(8):
            short = [(m, w - len(m)) for m, w in zip(maps, wanted, strict=True) if len(m) < w]
            if not short:
                return
            need = sum(2 * k for _, k in short)
            keys = self._keys(ruled, need, rng)
            vals = self.values(item, name, need, rng, depth + 1)
            start = 0
            for m, missing in short:
                chunk = slice(start, start + 2 * missing)
                start += 2 * missing
                target = len(m) + missing
                for key, value in zip(keys[chunk], vals[chunk], strict=True):
                    if len(m) < target and key not in m and key not in absent:
                        m[key] = value

    def _union(
        self, schema: Schema, name: str, n: int, rng: np.random.Generator, depth: int
    ) -> list[Any]:
        # Never an option that has no finite value; past the soft depth only the shallowest
        # ones, so that recursion through a union ends whatever the order of its options.
        variants = self.shape.options(schema, depth >= self._soft)
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
        rows: range,
    ) -> list[Any]:
        values: list[str]
        fitted = True
        if schema.format in FORMATS:
            if schema.format_minimum is not None or schema.format_maximum is not None:
                values = self._bounded_moments(schema, n, rng)
            else:
                values = FORMATS[schema.format](n, rng, self.reference_ms)
            fitted = False
            if schema.pattern:  # a format and a pattern: keep the values the pattern accepts
                values = self._format_matching(schema, n, rng, values)
        elif schema.pattern:
            values, fitted = self._patterned(schema, name, n, rng), False
        else:
            values = self._by_meaning(schema, name, n, rng)
        if unique and schema.format in BOUNDED_FORMATS and not schema.pattern:
            # (a suffix would make 2024-01-14_0, no date: each row takes its own instant)
            first, last = schema_window(schema)
            return unique_moments(str(schema.format), first, last, rows, self.reference_ms)
        if unique and schema.format not in ("uuid", "guid") and not schema.pattern:
            return _make_unique(values, rows, schema.min_length or 0, schema.max_length, name)
        if schema.format in ("email", "idn-email") and schema.max_length is not None:
            values = _short_emails(values, schema.max_length)
        if fitted or schema.max_length is not None:
            values = _fit(values, schema.min_length or 0, schema.max_length)
        if unique and schema.pattern:
            # Unique across the whole dataset (blocks are made apart): the row number as a
            # suffix when the pattern still accepts it, else the pattern's values numbered by
            # the row numbers (ASCII classes laid out: ``Dataset`` refuses more records than
            # it has), else redrawn repeats within the block.
            keyed = _unique_if_pattern_allows(values, schema, rows, name)
            if keyed is None and schema.format is None:
                low, high = schema.min_length or 0, schema.max_length
                keyed = numbered_matches(schema.pattern, rows, low, high)
            values = keyed or self._redraw_duplicates(schema, name, values, rng)
        return values

    def _bounded_moments(self, schema: Schema, n: int, rng: np.random.Generator) -> list[str]:
        fmt = str(schema.format)
        first, last = schema_window(schema)
        return bounded_moments(fmt, first, last, n, rng, self.reference_ms)

    def _redraw_duplicates(
        self, schema: Schema, name: str, values: list[str], rng: np.random.Generator
    ) -> list[str]:
        """Patterned keys: redraw values that repeat within the block (bounded tries)."""
        for _ in range(16):
            seen: set[str] = set()
            repeats = []
            for i, v in enumerate(values):
                if v in seen:
                    repeats.append(i)
                seen.add(v)
            if not repeats:
                break
            fresh = self._patterned(schema, name, len(repeats), rng)
            for i, v in zip(repeats, fresh, strict=True):
                values[i] = v
        return values

    def _format_matching(
        self, schema: Schema, n: int, rng: np.random.Generator, values: list[str]
    ) -> list[str]:
        """Format values redrawn until the pattern accepts them; then a match of the pattern
        put in place of a part of a format value, where both accept the result (``10.``
        of ``^10\\.`` in an ipv4 address, ``@example.com`` of ``@example\\.com$`` in an
        email); regex-built as a last resort."""
        try:
            check = compile_ecma(schema.pattern or "")
        except re.error:
            return values
        fmt = schema.format or ""
        make = FORMATS[fmt]
        if schema.format_minimum is not None or schema.format_maximum is not None:
            make = lambda k, rng, _: self._bounded_moments(schema, k, rng)  # noqa: E731
        for _ in range(16):
            bad = [i for i, v in enumerate(values) if not check.search(v)]
            if not bad:
                return values
            for i, v in zip(bad, make(len(bad), rng, self.reference_ms), strict=True):
                values[i] = v
        try:
            generate = compile_pattern(schema.pattern or "")
        except RegexUnsupported:
            return self._patterned(schema, "", n, rng, values)
        bad = [i for i, v in enumerate(values) if not check.search(v)]
        for _ in range(32):
            if not bad:
                break
            try:
                matches = generate(len(bad), rng)
            except RegexUnsupported:  # lookarounds or flags the builder cannot honour
                break
            left = []
            for i, match in zip(bad, matches, strict=True):
                spliced = _spliced(values[i], match, check, fmt)
                if spliced is None:
                    left.append(i)
                else:
                    values[i] = spliced
            if len(left) == len(bad) > 16:  # (none fits both: the pattern's own are made)
                break
            bad = left
        return self._patterned(schema, "", n, rng, values)

    def _patterned(
        self,
        schema: Schema,
        name: str,
        n: int,
        rng: np.random.Generator,
        start: list[str] | None = None,
    ) -> list[str]:
        """Values matching ``pattern`` (and the length bounds): meaningful ones where they
        match, else regex-built, with longer repeats when the minimum length asks for it."""
        try:
            generate = compile_pattern(schema.pattern or "")
        except RegexUnsupported:
            return start if start is not None else self._by_meaning(schema, name, n, rng)
        pattern = schema.pattern or ""
        check = compile_ecma(pattern)
        low, high = schema.min_length or 0, schema.max_length

        def misfits(values: list[str], built: bool = False) -> list[int]:
            # Chained map()s and NumPy keep the per-value work in C. Values the pattern's
            # builder made match it by construction when it is exact: only lengths remain.
            count = len(values)
            if (built and generates_matches(generate)) or matches_class_runs(pattern, values):
                bad = np.zeros(count, bool)
            else:
                bad = np.fromiter(map(operator.not_, map(check.search, values)), bool, count)
            if low or high is not None:
                lengths = np.fromiter(map(len, values), np.int64, count)
                bad |= lengths < low
                if high is not None:
                    bad |= lengths > high
            out: list[int] = np.flatnonzero(bad).tolist()
            return out

        inferred = meaning(schema.semantic, name, "string")
        declared = schema.semantic not in (None, NO_SEMANTIC)
        if start is not None:
            values = list(start)
        elif declared or (inferred and inferred != "identifier"):
            # A made-up identifier ("DEV-00012345") is no better than the pattern's own
            # values, and would almost never match it: only richer meanings are tried.
            values = self._by_meaning(schema, name, n, rng)
        else:
            values = [""] * n
        # Only values that change are checked again; one check stands for n empty ones.
        bad = misfits(values) if any(values) else list(range(n)) if misfits([""]) else []
        for attempt in range(12):
            if not bad:
                break
            if attempt >= 4 and low:
                try:
                    generate = compile_pattern(schema.pattern or "", max(6, 2 * low))
                except RegexUnsupported:  # pragma: no cover - the first compile succeeded
                    break
            try:
                made = generate(len(bad), rng)
            except RegexUnsupported:  # lookarounds or flags the builder cannot honour
                break
            if len(bad) == n:
                values = made
            else:
                for i, v in zip(bad, made, strict=True):
                    values[i] = v
            bad = [bad[j] for j in misfits(made, built=True)]
        return values

    def _by_meaning(self, schema: Schema, name: str, n: int, rng: np.random.Generator) -> list[str]:
        semantic = meaning(schema.semantic, name, "string")
        if semantic == "identifier":
            prefix = (snake_case(name).split("_")[0][:3] or "id").upper()
            head = prefix + "-"
            return [head + digits for digits in zero_padded(rng.integers(0, 10**8, n), 8)]
        column = SEMANTICS.get(semantic or "")
        if column is not None:
            return column(n, rng, self.reference_ms)
        return pick("word", n, rng)


def _spliced(value: str, match: str, check: re.Pattern[str], fmt: str) -> str | None:
    """``value`` (of format ``fmt``) with ``match`` (of the pattern) in place of the part
    between two of its boundaries (its ends, and where letters, digits and other characters
    meet), or None where no such value is of both the format and the pattern."""
    cuts = [k for k in range(1, len(value)) if _kind(value[k - 1]) != _kind(value[k])]
    if len(cuts) > 16:  # (a long value: its first and last parts)
        cuts = cuts[:8] + cuts[-8:]
    cuts = [0, *cuts, len(value)]
    # The match over as many characters of the value (a uuid's first four), then in place
    # of the smallest part between two boundaries (as much of the value kept as can be).
    size = len(match)
    pairs = [(i, i + size) for i in range(len(value) - size + 1)]
    pairs += sorted(((i, j) for i in cuts for j in cuts if i <= j), key=lambda p: p[1] - p[0])
    for i, j in pairs:
        candidate = value[:i] + match + value[j:]
        if check.search(candidate) and format_ok(fmt, candidate):
            if fmt in ("email", "idn-email") and not _EMAIL.match(candidate):
                continue  # (jsonschema asks an email for an "@" only: "a@b.com@example.com")
            return candidate
    return None


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\Z")


def _kind(char: str) -> int:
    return 0 if char.isdigit() else 1 if char.isalpha() else 2


def _key_schema(schema: Schema) -> Schema | None:
    """A map's keys as a string schema when they are constrained (a map's ``pattern`` and
    lengths are its keys': JSON Schema ``propertyNames``, or the ``patternProperties`` of an
    object closed to other keys); None for free keys."""
    if schema.pattern is None and schema.min_length is None and schema.max_length is None:
        return None
    return Schema(
        "string",
        pattern=schema.pattern,
        min_length=schema.min_length,
        max_length=schema.max_length,
    )


def _choices(schema: Schema) -> list[Any]:
    """The members an enum draws from (null only when it is the sole member)."""
    assert schema.enum is not None
    return [v for v in schema.enum if v is not None] or list(schema.enum)


def _as_range(rows: Rows, n: int) -> range:
    return rows if isinstance(rows, range) else range(rows, rows + n)


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _dedupe(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for v in values:
        if not _contains(seen, v):
            seen.append(v)
    return seen


def _contains(values: list[Any], v: Any) -> bool:
    """Membership as JSON sees it: ``1`` and ``True`` differ, ``1`` and ``1.0`` do not."""
    return any(_json_equal(v, w) for w in values)


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(k: int) -> str:
    """``k`` in base 36 (digits, then lower-case letters)."""
    out = ""
    while True:
        k, r = divmod(k, 36)
        out = _DIGITS[r] + out
        if not k:
            return out


_AT_SPLIT = operator.methodcaller("partition", "@")


def _base36_many(rows: range) -> list[str]:
    """``base36`` of each row number (ascending), digits laid out by NumPy."""
    n = len(rows)
    if n <= 0:
        return []
    numbers = np.arange(rows.start, rows.stop, rows.step, dtype=np.int64)
    width = len(base36(rows[-1]))
    digits = np.empty((n, width), np.uint8)
    alphabet = np.frombuffer(_DIGITS.encode(), np.uint8)
    for j in range(width - 1, -1, -1):
        digits[:, j] = alphabet[numbers % 36]
        numbers //= 36
    texts = ascii_rows(digits)
    if len(base36(rows[0])) == width:  # no leading zeros to strip (the usual block)
        return texts
    return [t.lstrip("0") or "0" for t in texts]


def suffixed_unique(synth: Synthesizer, schema: Schema, name: str, rows: range) -> bool:
    """Whether a unique patterned string field's values for ``rows`` are its drawn values
    with the row number after them (room without end, as for the built-in ``username``), so
    its pattern's own numbering, and that numbering's room, are not used. A probe: its draws
    come from a stream of their own and are thrown away."""
    probe = np.random.default_rng(0)
    values = synth.values(schema, name, len(rows), probe, rows=rows)
    return _unique_if_pattern_allows(values, schema, rows, name) is not None


def _make_unique(
    values: list[str], rows: range, min_length: int, max_length: int | None, name: str
) -> list[str]:
    """Values made distinct by their row number, within ``[min_length, max_length]``.

    The row number ends the value after a '_' (or is the whole value when there is no room),
    so two rows can never produce the same string.
    """
    n = len(values)
    if not n:
        return []
    joined = "".join(values)
    if joined.count("@") == n and all("@" in v for v in values):
        # E-mail addresses (one '@' each): the row number goes before the '@'.
        tags = [f".{row}@" for row in rows]
        if max_length is None or max(map(len, values)) + len(tags[-1]) - 1 <= max_length:
            return list(map(str.replace, values, ["@"] * n, tags))  # nothing to cut
        parts = zip(map(_AT_SPLIT, values), tags, strict=True)
        return [
            f"{local[: max(1, max_length - len(domain) - len(tag))]}{tag}{domain}"
            for (local, _, domain), tag in parts
        ]
    keys = [str(row) for row in rows] if max_length is None else _base36_many(rows)
    if "@" not in joined:
        # The common case, without per-value branching: nothing needs cutting or padding.
        lengths = list(map(len, values))
        key_lengths = list(map(len, keys))
        shortest = (min(lengths) + 1 if min(lengths) else 0) + min(key_lengths)
        longest = max(lengths) + 1 + max(key_lengths)
        if shortest >= min_length and (max_length is None or longest <= max_length):
            return [f"{v}_{k}" if v else k for v, k in zip(values, keys, strict=True)]
    out = []
    for i, v in enumerate(values):
        row = rows[i]
        if "@" in v:  # an email stays an email: the row number goes before the '@'
            local, _, domain = v.partition("@")
            tag = str(row)
            if max_length is not None:
                local = local[: max(1, max_length - len(domain) - len(tag) - 2)]
            out.append(f"{local}.{tag}@{domain}")
            continue
        key = keys[i]
        if max_length is not None and len(key) > max_length:
            raise GenerationError(
                f"'{name}' must be unique, but {max_length} characters "
                f"cannot tell {row + 1} records apart"
            )
        room = None if max_length is None else max_length - len(key)
        base = v if room is None else v[: max(0, room - 1)]
        value = f"{base}_{key}" if base else key
        if len(value) < min_length:
            value = (f"{base}_" if base else "") + key.rjust(
                min_length - (len(base) + 1 if base else 0), "0"
            )
        out.append(value)
    return out


def _unique_if_pattern_allows(
    values: list[str], schema: Schema, rows: range, name: str
) -> list[str] | None:
    """``_make_unique``'s values when every one still matches the pattern, else None."""
    try:
        keyed = _make_unique(values, rows, schema.min_length or 0, schema.max_length, name)
        check = compile_ecma(schema.pattern or "")
    except (GenerationError, re.error):
        return None
    every = matches_class_runs(schema.pattern or "", keyed)
    if every is None:
        every = all(map(check.search, keyed))
    return keyed if every else None


def _copies(values: list[Any]) -> list[Any]:
    """Values safe to hand out: mutable ones (objects, arrays) copied, scalars shared."""
    if CONTAINERS.isdisjoint(map(type, values)):  # values are plain JSON types
        return values
    return [copy.deepcopy(v) for v in values]


def _short_emails(values: list[str], max_length: int) -> list[str]:
    """E-mail addresses cut to ``max_length`` as addresses: the local part first, then the
    domain (cutting the text itself left ``man`` of ``man.ryan@example.com``, no address)."""
    if max_length < 3 or all(len(v) <= max_length for v in values):
        return values
    out = []
    for value in values:
        short = value
        if len(value) > max_length and "@" in value:
            local, domain = value.rsplit("@", 1)
            if len(domain) + 2 > max_length:
                domain = domain[: max_length - 2]
            short = f"{local[: max_length - len(domain) - 1]}@{domain}"
        out.append(short)
    return out


def _fit(values: list[str], min_length: int, max_length: int | None) -> list[str]:
    if max_length is None and min_length == 0:
        return values
    if values:  # the common case: everything already fits
        lengths = list(map(len, values))
        if min(lengths) >= min_length and (max_length is None or max(lengths) <= max_length):
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
