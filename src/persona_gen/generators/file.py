"""file: flat rows for ETL and ingestion tests; the persona's quirks reach the file itself.

Rows are the entity flattened (nested objects become ``parent.child`` columns, arrays JSON
text). Written as CSV, the trace's dataset-level settings choose the dialect: a legacy
client's delimiter, encoding, decimal comma and line endings. Edge-case users put quotes and
line breaks inside values; noisy devices leave cells empty and cut rows short.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import orjson

from persona_gen._json import CONTAINERS, dumps_each
from persona_gen.entities.model import Domain, Schema
from persona_gen.errors import GenerationError
from persona_gen.generators.base import Generator, Record
from persona_gen.generators.effects import PayloadEffects
from persona_gen.generators.paths import Leaf, get_path, leaves, object_of
from persona_gen.generators.variants import Requirements
from persona_gen.personas.trace import Trace
from persona_gen.values.columns import LazyRecords, ObjectColumns, value_at
from persona_gen.values.rows import RowColumns

__all__ = [
    "LABEL_COLUMNS",
    "VALUE_COLUMN",
    "CsvDialect",
    "FileGenerator",
    "flatten",
    "value_leaf",
    "value_shapes",
]

VALID_COLUMN = "_expected_valid"
VIOLATIONS_COLUMN = "_violations"
BEHAVIOURS_COLUMN = "_behaviors"
LABEL_COLUMNS = (VALID_COLUMN, VIOLATIONS_COLUMN, BEHAVIOURS_COLUMN)
_LAZY_SHARE = 0.25
# The one data column of rows of an entity whose records are not objects.
VALUE_COLUMN = "value"


def value_leaf(domain: Domain, schema: Schema) -> Leaf | None:
    """The column of the rows of an entity whose records are not objects with declared
    fields (a string, an array, a map, a union of scalars: a JSON Schema root ``oneOf:
    [{type: string}, {type: integer}]``): the whole record, in a column named ``value``.
    None for an object (a union of objects included), whose fields are the columns."""
    schema = object_of(domain, schema)
    if schema.type == "object":
        return None
    return Leaf((VALUE_COLUMN,), schema, required=True)


def value_shapes(schema: Schema) -> str:
    """What the records of a schema that is not an object are, in a few words (``string or
    integer``), for messages that refuse them."""
    options = schema.variants if schema.type == "union" else (schema,)
    return " or ".join(dict.fromkeys(o.ref or o.type for o in options)) or schema.type


@dataclass(frozen=True)
class CsvDialect:
    """How a file generator's rows are written as delimited text."""

    delimiter: str = ","
    encoding: str = "utf-8"
    line_terminator: str = "\n"
    decimal_comma: bool = False


def flatten(
    payload: dict[str, Any], prefix: str = "", nested: frozenset[str] | None = None
) -> dict[str, Any]:
    """Objects named in ``nested`` (all objects when None) become ``parent.child`` columns;
    any other object (maps, unions, recursion past the column depth) and every array become
    JSON text in one column."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and (nested is None or name in nested):
            out.update(flatten(value, f"{name}.", nested))
        elif isinstance(value, dict | list):
            out[name] = orjson.dumps(value).decode()
        else:
            out[name] = value
    return out


class FileGenerator(Generator):
    name = "file"
    keyed = True
    description = "File-based data records"
    use_case = "ETL and ingestion testing"
    flat_rows = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.effects = PayloadEffects(self.ctx.domain, self.entity)
        # Every column, optional ones included, in schema order; objects become prefixes.
        # Objects whose fields are columns of their own are spread as ``parent.child``; every
        # other value (maps, unions, deeper objects, arrays) is one JSON-text column.
        fields = leaves(self.ctx.domain, self.entity.schema)
        whole = value_leaf(self.ctx.domain, self.entity.schema)
        fields = fields if whole is None else (whole,)
        parents = {leaf.path[:-1] for leaf in fields if len(leaf.path) > 1}
        self.nested = frozenset(leaf.dotted for leaf in fields if leaf.path in parents)
        self.columns = [leaf.dotted for leaf in fields if leaf.path not in parents]
        self.data_columns = list(self.columns)
        self.column_set = frozenset(self.columns)
        # (a column of an object, array or union is JSON text, whatever its values)
        self.column_types = {
            leaf.dotted: leaf.schema.type for leaf in fields if leaf.path not in parents
        }
        # (the record itself, when it is not an object: see ``value_leaf``)
        self.column_paths = [
            () if leaf is whole else leaf.path for leaf in fields if leaf.path not in parents
        ]
        self.path_of = dict(zip(self.data_columns, self.column_paths, strict=True))
        # Required columns (an object kept as one JSON-text column too; a spread object is
        # its columns).
        self.required = {
            leaf.dotted
            for leaf in fields
            if leaf.required and not leaf.schema.nullable and leaf.path not in parents
        }
        # Columns required only towards their object's minProperties: a row cut before one
        # breaks minProperties where its object is left with fewer properties.
        self.counted = {
            leaf.dotted: leaf
            for leaf in fields
            if leaf.counted and leaf.parent_min is not None and leaf.path not in parents
        }
        # Columns that may hold null: a required one a behaviour removed is left out of the
        # row (null would be a valid value, not the missing field its label names).
        self.nullable = {leaf.dotted for leaf in fields if leaf.schema.nullable} & set(self.columns)
        # A union entity (conditionals, oneOf) requires more in some rows than in all: a
        # row cut short is held to what the shapes it fits require (``giftMessage`` when
        # ``kind`` is ``gift``).
        self.requirements = Requirements(self.ctx.domain, self.entity)
        # The optional objects spread as columns, each with its columns: one whose columns
        # are all empty is absent from the row, and so is every rule of a field inside it.
        # So is a nullable one (Avro's ["null", Address]): its empty columns are a null there,
        # which is valid, whatever a behaviour broke in it (a wrong type of the object).
        optional = {
            leaf.path: leaf.dotted
            for leaf in fields
            if leaf.path in parents and (not leaf.always_made or leaf.schema.nullable)
        }
        self.optional_objects: dict[str, list[str]] = {}
        for path, column in zip(self.column_paths, self.data_columns, strict=True):
            for k in range(1, len(path)):
                if path[:k] in optional:
                    self.optional_objects.setdefault(optional[path[:k]], []).append(column)
        # Free-text columns with room for a quote pair and a line break (edge-case quirks);
        # not a key column, which keeps its generated (unique) value, as behaviours leave it.
        keys = set(self.entity.primary_key) | {k for cols in self.entity.unique for k in cols}
        self.quotable = {
            leaf.dotted: leaf.schema.max_length
            for leaf in leaves(self.ctx.domain, self.entity.schema)
            if leaf.schema.type == "string"
            and not (leaf.schema.pattern or leaf.schema.format or leaf.schema.enum)
            and leaf.path[0] not in keys
        }
        _refuse_shared_columns(self.entity.name, fields, parents)
        self.columns += list(LABEL_COLUMNS)

    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        return self.columns_block(trace, rng).rows()

    def columns_block(self, trace: Trace, rng: np.random.Generator) -> RowColumns:
        drawn = self.synth.columns(
            self.entity.name, trace.n, rng, self.rows(trace.first_index, trace.n)
        )
        payloads: Sequence[Any]
        if not isinstance(drawn, ObjectColumns):
            payloads = drawn
        else:
            # Records made one by one cost more than all at once: worth it when behaviours
            # mark few of them (most personas), not when they mark most. Effects that change
            # the columns themselves (a noisy device's readings) make no record.
            lazy = LazyRecords(drawn)
            on_columns = self.effects.on_columns(lazy, list(trace.marks))
            marks = [m for name, m in trace.marks.items() if name not in on_columns]
            share = np.logical_or.reduce(marks).mean() if marks else 0.0
            payloads = lazy if share <= _LAZY_SHARE else drawn.rows()
        outcomes = self.effects.apply(payloads, trace, rng)
        offline = trace.details.get("offline")
        quirky = trace.marks.get("unicode")
        # Column by column (what ``flatten`` gives each row).
        columns = self._columns(drawn, payloads)
        columns.append([True] * trace.n)
        columns.append([""] * trace.n)
        columns.append(trace.tag_texts(";"))
        block = _Block(tuple(self.columns), columns)
        # The few rows a behaviour touched get their own treatment, in row order (the RNG
        # draws below are part of the determinism contract): each as a dict, put back.
        touched = {i for i, found in enumerate(outcomes) if found}
        if offline is not None:
            touched.update(np.flatnonzero(offline == "lost").tolist())
        if quirky is not None:
            touched.update(np.flatnonzero(quirky).tolist())
        for i in sorted(touched):
            row = block.row(i)
            broken = [(o.field_path, o.rule) for o in outcomes[i] if o.rule]
            if offline is not None and offline[i] == "lost":
                # The device died mid-write: the row stops part-way. What a behaviour broke
                # in the cells it lost is gone with them; a required cell lost is broken.
                cut = int(rng.integers(1, max(2, len(self.data_columns))))
                emptied = self.data_columns[cut:]
                for c in emptied:
                    row[c] = None
                broken = [(p, r) for p, r in broken if not _within(p, emptied, self.data_columns)]
                held = self._held_by_shape(payloads[i], emptied)
                required = self._required_in(held)
                broken.extend((c, "required") for c in emptied if c in required)
                broken.extend(self._too_few(payloads[i], emptied))
            else:
                held = None
            if broken and self.optional_objects:
                # A field of an optional object the row does not hold breaks no rule (a
                # required field of an emptied address, say: the address is absent), unless
                # the row's shape requires the object (billingAddress beside a creditCard).
                absent = [
                    name
                    for name, columns in self.optional_objects.items()
                    if all(row[c] is None for c in columns) and not (held and name in held)
                ]
                broken = [(p, r) for p, r in broken if not _within(p, absent)]
            for path, rule in broken:
                if rule == "required" and path in self.nullable and row.get(path, "") is None:
                    del row[path]  # (removed, not null: see ``nullable``)
            if quirky is not None and quirky[i]:
                _embed_quotes_and_newlines(row, rng, self.quotable)
            # Labels: whether a behaviour broke the row on purpose, how, and which touched it.
            row[VALID_COLUMN] = not broken
            row[VIOLATIONS_COLUMN] = ";".join(f"{path}:{rule}" for path, rule in broken)
            block.put(i, row)
        return block.done()

    def _held_by_shape(self, payload: Any, emptied: list[str]) -> frozenset[str] | None:
        """What the shape of a record cut short must hold (``Requirements``): that of the
        shapes the row still fits once ``emptied`` is gone (it lost nothing they require:
        a row cut before its creditCard needs no billingAddress), else that of the record
        before the cut. None for an entity of one shape, or a record that fits none."""
        if not self.requirements:
            return None
        own = self.requirements.of(self._cut(payload, emptied))
        return own if own is not None else self.requirements.of(payload)

    def _too_few(self, payload: Any, emptied: list[str]) -> list[tuple[str, str]]:
        """The minProperties a row cut short breaks: an object of ``counted`` columns
        left with fewer properties than it must hold (named by its first such column)."""
        lost = [self.counted[c] for c in emptied if c in self.counted]
        if not lost:
            return []
        cut, out, seen = self._cut(payload, emptied), [], set()
        for leaf in lost:
            at = leaf.path[:-1]
            parent = get_path(cut, at) if at else cut
            if at in seen or not isinstance(parent, dict):
                continue
            seen.add(at)
            if len(parent) < (leaf.parent_min or 0):
                out.append((leaf.dotted, "minProperties"))
        return out

    def _cut(self, payload: Any, emptied: list[str]) -> Any:
        """``payload`` without the values of ``emptied`` columns, as ``check`` reads the
        row: an object none of whose columns is left is absent too."""
        if not isinstance(payload, dict):
            return payload
        out = copy.deepcopy(payload)
        for column in emptied:
            path = self.path_of[column]
            for depth in range(len(path), 0, -1):
                parent: Any = out
                for key in path[: depth - 1]:
                    parent = parent.get(key) if isinstance(parent, dict) else None
                if not isinstance(parent, dict):
                    break
                inner = parent.get(path[depth - 1])
                if depth < len(path) and inner != {}:
                    break  # (an object with columns left stays)
                parent.pop(path[depth - 1], None)
        return out

    def _required_in(self, own: frozenset[str] | None) -> set[str] | frozenset[str]:
        """The columns a record must fill (a required column may not be empty), by what
        its shape must hold (``_held_by_shape``; None: what every record must)."""
        if own is None:
            return self.required
        return {c for c in own if c in self.column_set and c not in self.nullable}

    def _columns(
        self, drawn: ObjectColumns | list[Any], payloads: Sequence[Any]
    ) -> list[list[Any]]:
        """The data columns: read from the drawn columns, except in the records a behaviour
        read (and may have changed), which are read from the records."""
        if not isinstance(payloads, LazyRecords) or not isinstance(drawn, ObjectColumns):
            return [_as_text(_column(payloads, path)) for path in self.column_paths]
        made = payloads.made
        columns = []
        for path in self.column_paths:
            values = drawn.leaf(path)
            if made:
                values = list(values)
                for i, record in made.items():
                    values[i] = value_at(record, path)
            columns.append(_as_text(values))
        return columns

    def sparse_columns(self) -> dict[str, str]:
        return dict(self.column_types)  # (an optional or nullable field may be empty a block)

    def retypable_columns(self) -> list[str]:
        """The data columns a behaviour of the persona may give a value of another JSON type
        in some rows (a wrong type or an oversized number among malformed inputs, numbers or
        booleans in a legacy encoding on part of the events). A typed store cannot tell them
        from the first block: Parquet keeps them as JSON text."""
        for behaviour in self.ctx.persona.behaviours:
            params: Any = behaviour.params
            if behaviour.kind == "malformed_inputs" or (
                behaviour.kind == "deprecated_formats"
                and params.rate < 1
                and (params.numbers_as_strings or params.booleans_as != "bool")
            ):
                return list(self.data_columns)
        return []

    def dialect(self, settings: dict[str, Any]) -> CsvDialect:
        legacy = settings.get("legacy_file")
        if legacy is None:
            return CsvDialect()
        return CsvDialect(
            delimiter=legacy.file_delimiter,
            encoding=legacy.file_encoding,
            line_terminator=legacy.line_terminator,
            decimal_comma=legacy.decimal_comma,
        )


class _Block:
    """A block's rows as columns, where a row a behaviour touched is taken out as a dict
    (``row``), changed, and put back (``put``): a key it lost is None in its column and
    absent from its record."""

    def __init__(self, names: tuple[str, ...], columns: list[list[Any]]) -> None:
        self.names, self.columns = names, columns
        self.absent: dict[int, tuple[str, ...]] = {}
        self._own: set[int] = set()  # the columns copied before a change (see ``put``)

    def row(self, i: int) -> Record:
        return dict(zip(self.names, (c[i] for c in self.columns), strict=True))

    def put(self, i: int, row: Record) -> None:
        for j, name in enumerate(self.names):
            value = row.get(name)
            column = self.columns[j]
            if column[i] is value:
                continue
            if j not in self._own:  # (a column may be the synthesizer's list, or shared)
                self.columns[j] = column = list(column)
                self._own.add(j)
            column[i] = value
        lost = tuple(name for name in self.names if name not in row)
        if lost:
            self.absent[i] = lost

    def done(self) -> RowColumns:
        return RowColumns(self.names, list(self.columns), self.absent)


def _refuse_shared_columns(
    entity: str, fields: tuple[Leaf, ...], parents: set[tuple[str | int, ...]]
) -> None:
    """Two fields whose columns would have one name: a property named ``a.b`` beside an
    object ``a`` holding ``b`` (a row holds one of them, the other's values lost), or a field
    named as a label column. Said before anything is written."""
    seen: dict[str, Leaf] = {}
    for leaf in fields:
        if leaf.path in parents:
            continue
        if leaf.dotted in LABEL_COLUMNS:
            raise GenerationError(
                f"entity '{entity}': field '{leaf.dotted}' has the name of a label column of "
                "file rows; rename it in the schema to write file rows"
            )
        other = seen.setdefault(leaf.dotted, leaf)
        if other is not leaf:
            raise GenerationError(
                f"entity '{entity}': fields {_shown(other)} and {_shown(leaf)} would both be "
                f"the column '{leaf.dotted}' of file rows; rename one in the schema to write "
                "file rows"
            )


def _shown(leaf: Leaf) -> str:
    """A field's path with each name quoted (``'a' > 'b'`` against ``'a.b'``)."""
    return " > ".join(f"'{p}'" if isinstance(p, str) else f"[{p}]" for p in leaf.path)


def _within(path: str, names: list[str], columns: list[str] | None = None) -> bool:
    """Whether the field ``path`` (``address.city``, ``tags[0]``) is one of ``names``
    (columns or objects) or lies inside one; given the ``columns``, also an object spread
    as columns that are all among ``names``."""
    if any(path == n or path.startswith((f"{n}.", f"{n}[")) for n in names):
        return True
    inside = [c for c in columns or () if c.startswith(f"{path}.")]
    return bool(inside) and all(c in names for c in inside)


def _column(payloads: Sequence[Any], path: tuple[str | int, ...]) -> list[Any]:
    """The value at ``path`` of each payload (``()``: the payload): None where a parent is
    missing or not an object."""
    if not path:
        return list(payloads)
    if len(path) == 1:
        key = path[0]
        try:  # (when every payload has the key: about twice as fast as get)
            return list(map(itemgetter(key), payloads))
        except (KeyError, TypeError):
            return [p.get(key) for p in payloads]
    if len(path) == 2:
        outer, inner = path
        return [v.get(inner) if type(v := p.get(outer)) is dict else None for p in payloads]
    return [value_at(p, path) for p in payloads]


def _as_text(values: list[Any]) -> list[Any]:
    """A column as ``flatten`` gives it: arrays and objects as JSON text."""
    if CONTAINERS.isdisjoint(map(type, values)):  # payload values are plain types
        return values
    texts = dumps_each(values, 0)
    return [t if isinstance(v, dict | list) else v for v, t in zip(values, texts, strict=True)]


def _embed_quotes_and_newlines(
    row: Record, rng: np.random.Generator, quotable: dict[str, int | None]
) -> None:
    texts = [
        k
        for k, v in row.items()
        if k in quotable
        and isinstance(v, str)
        and " " in v
        and (quotable[k] is None or len(v) + 3 <= (quotable[k] or 0))
    ]
    if texts:
        key = texts[int(rng.integers(0, len(texts)))]
        value: str = row[key]
        cut = len(value) // 2
        row[key] = f'{value[:cut]}\n"{value[cut:]}"'
