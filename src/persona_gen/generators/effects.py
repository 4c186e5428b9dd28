"""Content effects: how marked behaviour decisions change a payload of any entity.

Behaviours mark events (``typo``, ``unicode``, ``boundary``...); this module realises each
mark on the payload using the entity's own schema, and reports every change that breaks the
schema as an ``Outcome`` so records can say they are meant to be invalid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np

from persona_gen._moments import schema_window
from persona_gen.entities.model import Domain, Entity, Schema
from persona_gen.generators.mutations import (
    MUTATIONS,
    Outcome,
    leaf_rule,
    mutable_leaves,
    null_rule,
)
from persona_gen.generators.paths import MISSING, Leaf, delete_path, get_path, leaves, set_path
from persona_gen.generators.variants import Requirements
from persona_gen.personas.trace import Trace
from persona_gen.values.columns import LazyRecords, ObjectColumns
from persona_gen.values.numbers import numeric_bounds, snap, snap_many
from persona_gen.values.strings import moment_texts

__all__ = ["CONTENT_EFFECTS", "UNICODE_SAMPLES", "PayloadEffects", "repeat_tags"]

UNICODE_SAMPLES: dict[str, str] = {
    "emoji": "😀🚀👍🏽🎉👨‍👩‍👧",
    "cjk": "東京都渋谷区神南一丁目",
    "rtl": "مرحبا بالعالم שלום",
    "combining": "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "zero_width": "a\u200bb\u200dc\ufeffd\u2060e",
    "homoglyph": "раураl аdmіn",  # Cyrillic look-alikes of "paypal admin"
    "astral": "𝕳𝖊𝖑𝖑𝖔 𓀀𓁐 𝄞",
    "accents": "Zoë Ångström-Núñez Çelik",
}
# The marks ``PayloadEffects`` realises on a payload, in the order it applies them (each
# draws from the block's stream in turn, so the order is part of the output).
CONTENT_EFFECTS = (
    "limited",
    "noise",
    "battery",
    "signal_loss",
    "typo",
    "unicode",
    "boundary",
    "deprecated",
    "malformed",
)
# The effects that change a field at a time, over all the records they mark (``_Fields``).
_FIELD_EFFECTS = frozenset({"noise", "battery"})


def repeat_tags(
    trace: Trace, same: np.ndarray, anomaly: np.ndarray | None = None
) -> list[list[str]]:
    """Per event, the behaviours that touched it (``Trace.tags``); a retry or re-send
    (``same``: see ``sources_of``) sends its source's request, so the behaviours that shape
    a request (the content effects; a missing session, ``anomaly`` as sent) are tagged as
    its source's were: a typo'd body repeated is still ``typos``, and a repeat whose own row
    a content effect marked, but which sends its source's unmarked request, is not. The
    behaviours that mark content touch nothing else, so their tags are their marks."""
    tags = trace.tags()
    rows = np.flatnonzero(same != np.arange(trace.n)).tolist()
    if not rows:
        return tags
    shaped: dict[str, np.ndarray] = {}  # behaviour -> the events whose request it shaped
    for effect in CONTENT_EFFECTS:
        for name in trace.marked_by.get(effect, []) if effect in trace.marks else []:
            shaped[name] = shaped.get(name, np.zeros(trace.n, bool)) | trace.marks[effect]
    # A missing session is sent as the source's; a repeat's own other anomalies stay its own.
    session = trace.marked_by.get("session_anomaly", [])
    own = trace.details.get("session_anomaly")
    sent_missing = dropped = np.zeros(trace.n, bool)
    if anomaly is not None and own is not None:
        sent_missing = anomaly == "missing_session"
        dropped = (own == "missing_session") & ~sent_missing  # (its source had a session)
    order = {name: k for k, name in enumerate(trace.touched)}
    for row in rows:
        src = int(same[row])
        names = set(tags[row])
        for name, mask in shaped.items():
            (names.add if mask[src] else names.discard)(name)
        if sent_missing[row]:
            names.update(session)
        elif dropped[row]:
            names.difference_update(session)
        if names != set(tags[row]):
            tags[row] = sorted(names, key=lambda n: order.get(n, len(order)))
    return tags


_KEYBOARD = {
    c: n
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for c, n in zip(row, row[1:] + row[-2], strict=True)
}
_MALFORMED_TO_MUTATION = {
    "wrong_type": "type_mismatch",
    "missing_required": "missing_required",
    "injection": "injection",
    "overlong": "overflow",
    "null_byte": "encoding_corruption",
    "invalid_enum": "invalid_enum",
    "bad_format": "format_violation",
}
_TEXT_SEMANTICS = {
    "text",
    "title",
    "first_name",
    "last_name",
    "full_name",
    "street_address",
    "city",
    "company",
    "product",
    "occupation",
    None,
}


def _free_text(leaf: Leaf) -> bool:
    s = leaf.schema
    return (
        s.type == "string"
        and s.enum is None
        and not s.has_const
        and not s.pattern
        and not s.format
        and s.semantic in _TEXT_SEMANTICS
    )


def _measured(leaf: Leaf) -> bool:
    s = leaf.schema
    return s.type == "number" and s.enum is None and not s.has_const


# What a malformed input may do to a field sent as a file (a multipart file part): leave it
# out, or add a field beside it. A file of its type made of the bytes a value stands for
# shows nothing else of that value (its type, length, format), so no other break of it
# could be seen on the wire.
_FILE_MUTATIONS = frozenset({"missing_required", "extra_field"})


class PayloadEffects:
    """Applies marked content effects to payloads of one entity schema. ``files``: the
    top-level fields sent as files (multipart file parts), whose values malformed inputs
    only leave out (``_FILE_MUTATIONS``)."""

    def __init__(self, domain: Domain, entity: Entity, files: frozenset[str] = frozenset()) -> None:
        self.files = files
        # Key columns keep their generated (unique) values: a boundary or typo there would
        # make two records collide, which no behaviour declares.
        keys = set(entity.primary_key) | {k for cols in entity.unique for k in cols}
        self.nul_is_invalid = domain.source == "ddl"
        self.leaves = tuple(
            leaf for leaf in leaves(domain, entity.schema) if leaf.path[0] not in keys
        )
        # Malformed payloads are fault mutations: measured as the fault generator measures
        # them (a nullable reference takes null; JSON Schema does not check int64 bounds).
        self.malformed = tuple(
            leaf for leaf in mutable_leaves(domain, entity.schema) if leaf.path[0] not in keys
        )
        # A label's dotted field path back to the path it names: a name may hold a dot
        # (a DDL column ``"a.b"``), which splitting the text would read as two levels.
        self.paths = {leaf.dotted: leaf.path for leaf in (*self.leaves, *self.malformed)}
        self.text = [leaf for leaf in self.leaves if _free_text(leaf)]
        self.measured = [leaf for leaf in self.leaves if _measured(leaf)]
        self.optional = [leaf for leaf in self.leaves if leaf.optional and len(leaf.path) == 1]
        # What a record of a union entity (conditionals, oneOf) must hold by its own shape:
        # a field optional in the union may be required in it, and is then not left out.
        self.requirements = Requirements(domain, entity)
        self.arrays = [leaf for leaf in self.leaves if leaf.schema.type == "array"]
        self.battery = [
            leaf
            for leaf in self.leaves
            if leaf.schema.type in ("number", "integer")
            and (leaf.schema.semantic == "battery" or "battery" in str(leaf.path[-1]))
        ]
        self.dates = [
            leaf for leaf in self.leaves if leaf.schema.format in ("date-time", "date", "timestamp")
        ]
        # Per numeric field: (the range noise is scaled to, the range values snap into).
        self.ranges = {
            leaf.path: (
                numeric_bounds(leaf.schema, integer=False),
                numeric_bounds(leaf.schema, leaf.schema.type == "integer"),
            )
            for leaf in (*self.measured, *self.battery)
        }

    def apply(
        self,
        payloads: Sequence[Any],
        trace: Trace,
        rng: np.random.Generator,
        rows: np.ndarray | None = None,
    ) -> list[list[Outcome]]:
        """Realise the trace's marks on ``payloads`` (one per event, or per ``rows``)."""
        index = np.arange(len(payloads)) if rows is None else rows
        outcomes: list[list[Outcome]] = [[] for _ in range(len(payloads))]
        nul_rule = self.nul_is_invalid
        for effect in CONTENT_EFFECTS:
            mask = trace.marks.get(effect)
            if mask is None:
                continue
            params = trace.effects[effect]
            marked = np.flatnonzero(mask[index]).tolist()
            field_form = getattr(self, f"_{effect}_fields", None)
            if field_form is not None:  # a field at a time, over all its records at once
                if isinstance(payloads, LazyRecords) and self._on_columns(payloads, effect):
                    view: _Fields = _ColumnFields(payloads.source, marked)
                else:
                    live = [i for i in marked if isinstance(payloads[i], dict)]
                    view = _RecordFields([payloads[i] for i in live], live)
                field_form(view, index[view.rows], trace, rng)
                continue
            block_form = getattr(self, f"_{effect}_rows", None)
            if block_form is not None:  # an effect that acts on all its records at once
                live = [i for i in marked if isinstance(payloads[i], dict)]
                records = [payloads[i] for i in live]
                for k, found in block_form(records, index[live], trace, rng).items():
                    outcomes[live[k]].extend(found)
                continue
            handler = getattr(self, f"_{effect}")
            for i in marked:
                if isinstance(payloads[i], dict):
                    found = handler(payloads[i], params, rng, trace, int(index[i]))
                    if found:
                        outcomes[i].extend(found)
        for found in outcomes:
            if len(found) > 1:
                found[:] = self._latest(found)
        if nul_rule:  # SQL text columns cannot store NUL: such a value breaks the table
            for i, found in enumerate(outcomes):
                for o in found:
                    path = self.paths.get(o.field_path) or _path_of(o.field_path)
                    value = get_path(payloads[i], path)
                    if o.rule is None and isinstance(value, str) and "\x00" in value:
                        found[found.index(o)] = Outcome(
                            o.mutation, o.field_path, "encoding", o.note
                        )
        return outcomes

    def _latest(self, found: list[Outcome]) -> list[Outcome]:
        """``found`` without the outcomes whose field a later effect changed again (or left
        out, with the object holding it): a date a legacy client wrote as epoch seconds
        (``type``) and a malformed input then wrote as ``31/02/2024`` breaks ``format``
        only. The later outcome's rule is that of the value the record holds."""
        paths = [self.paths.get(o.field_path) or _path_of(o.field_path) for o in found]
        return [
            o
            for k, o in enumerate(found)
            if not any(paths[k][: len(later)] == later for later in paths[k + 1 :])
        ]

    # -- effects: each returns the outcomes worth reporting -----------------------------------

    def _limited_rows(
        self,
        records: list[dict[str, Any]],
        events: np.ndarray,
        trace: Trace,
        rng: np.random.Generator,
    ) -> dict[int, list[Outcome]]:
        """A limited client drops optional fields and sends short arrays. Each marked payload
        takes one uniform per optional field, drawn in one call in per-record order."""
        params: Any = trace.effects["limited"]
        if self.optional and records:
            dropped = rng.random((len(records), len(self.optional))) < params.optional_field_drop
            needs = [self._needed(r) for r in records] if self.requirements else None
            for j, leaf in enumerate(self.optional):
                for k in np.flatnonzero(dropped[:, j]).tolist():
                    if needs is None or leaf.dotted not in needs[k]:
                        delete_path(records[k], leaf.path)
        for leaf in self.arrays:
            keep = max(params.max_items, leaf.schema.min_items or 0)
            for value in _values_at(records, leaf.path):
                if isinstance(value, list):
                    del value[keep:]
        return {}

    def _on_columns(self, payloads: LazyRecords, effect: str) -> bool:
        """Whether ``effect`` (a ``_fields`` one) can change the columns the records are
        made from rather than records: while no record is made yet (each would keep its
        own values), when every field it changes is a top-level column of values."""
        if payloads.made:
            return False
        source = payloads.source
        for leaf in self.measured if effect == "noise" else self.battery:
            key = leaf.path[0]
            if len(leaf.path) != 1 or key not in source.names:
                return False
            if isinstance(source.columns[source.names.index(key)], ObjectColumns):
                return False
        return True

    def on_columns(self, payloads: LazyRecords, effects: Sequence[str]) -> set[str]:
        """The ``effects`` that would change ``payloads``' columns, not its records."""
        return {e for e in effects if e in _FIELD_EFFECTS and self._on_columns(payloads, e)}

    def _noise_fields(
        self, fields: _Fields, events: np.ndarray, trace: Trace, rng: np.random.Generator
    ) -> None:
        """Sensor noise on every measured number of the marked payloads, a field at a time.

        The standard normals are drawn in one call, in the order a per-record loop would draw
        them (record by record, field by field), and the arithmetic is the same IEEE float64
        a per-value loop does, so the values are the same either way."""
        if not fields.rows or not self.measured:
            return
        columns = [fields.values(leaf.path) for leaf in self.measured]
        numeric = np.zeros((len(fields.rows), len(columns)), bool)
        for j, values in enumerate(columns):
            numeric[:, j] = _numbers(values)
        count = int(numeric.sum())
        if not count:
            return
        normals = np.zeros(numeric.shape)
        normals[numeric] = rng.standard_normal(count)  # row-major: record by record
        amplitude = trace.noise[events].astype(np.float64)
        for j, leaf in enumerate(self.measured):
            at = np.flatnonzero(numeric[:, j])
            if not at.size:
                continue
            rows = at.tolist()
            column = columns[j]
            value = np.array(
                column if len(rows) == len(column) else list(map(column.__getitem__, rows)),
                np.float64,
            )
            (low, high), bounds = self.ranges[leaf.path]
            span: Any = high - low
            if not math.isfinite(span):
                span = np.maximum(np.abs(value), 1.0)
            noisy = value + (0.0 + (amplitude[at] * span) * normals[at, j])
            fields.put(leaf.path, rows, snap_many(leaf.schema, noisy, bounds))

    def _battery_fields(
        self, fields: _Fields, events: np.ndarray, trace: Trace, rng: np.random.Generator
    ) -> None:
        """The device's own battery level (drained over time) replaces a random one, in every
        battery field a marked payload has (no draws: the order does not matter)."""
        if not fields.rows or not self.battery:
            return
        levels = trace.battery[events].astype(np.float64)
        known = ~np.isnan(levels)
        for leaf in self.battery:
            present = np.fromiter(
                (v is not MISSING for v in fields.values(leaf.path)), bool, len(fields.rows)
            )
            at = np.flatnonzero(present & known).tolist()
            fields.put(leaf.path, at, snap_many(leaf.schema, levels[at], self.ranges[leaf.path][1]))

    def _signal_loss(
        self, p: dict[str, Any], params: Any, rng: np.random.Generator, trace: Trace, row: int
    ) -> list[Outcome]:
        # A lost reading: a measured number if the entity has one, else any optional or
        # nullable field (devices drop what they can and send nulls). A field the record's
        # own shape requires is not optional here (set to null, not removed).
        needed = self._needed(p)
        candidates = self.measured or [
            leaf
            for leaf in self.leaves
            if ((leaf.optional and leaf.dotted not in needed) or leaf.schema.nullable)
            and get_path(p, leaf.path) is not MISSING
        ]
        if not candidates:
            return []
        leaf = candidates[int(rng.integers(0, len(candidates)))]
        if leaf.optional and leaf.dotted not in needed:
            delete_path(p, leaf.path)
            return []
        set_path(p, leaf.path, None)
        rule = null_rule(leaf)
        return [Outcome("signal_loss", leaf.dotted, rule)] if rule else []

    def _needed(self, record: Any) -> frozenset[str]:
        """The fields a record of a union entity must hold by the shapes it fits."""
        return (self.requirements.of(record) if self.requirements else None) or frozenset()

    def _typo_rows(
        self,
        records: list[dict[str, Any]],
        events: np.ndarray,
        trace: Trace,
        rng: np.random.Generator,
    ) -> dict[int, list[Outcome]]:
        """Keyboard mistakes in one free-text field of each marked payload. Each takes a row
        of uniforms, drawn in one call in per-record order: the field, the number of edits,
        then (edit, position) per edit (see ``_typos``)."""
        if not self.text or not records:
            return {}
        params: Any = trace.effects["typo"]
        max_edits = int(params.max_edits)
        draws = rng.random((len(records), 2 + 2 * max_edits))
        for k, p in enumerate(records):
            candidates = [leaf for leaf in self.text if isinstance(get_path(p, leaf.path), str)]
            if not candidates:
                continue
            leaf = candidates[min(int(draws[k, 0] * len(candidates)), len(candidates) - 1)]
            set_path(p, leaf.path, _typos(get_path(p, leaf.path), draws[k, 1:], leaf.schema))
        return {}

    def _unicode(
        self, p: dict[str, Any], params: Any, rng: np.random.Generator, trace: Trace, row: int
    ) -> list[Outcome]:
        candidates = [leaf for leaf in self.text if isinstance(get_path(p, leaf.path), str)]
        if not candidates:
            return []
        leaf = candidates[int(rng.integers(0, len(candidates)))]
        cls = trace.details["unicode"][row] or "emoji"
        sample = UNICODE_SAMPLES[cls]
        current: str = get_path(p, leaf.path)
        value = f"{current} {sample}" if rng.random() < 0.5 else sample
        low, high = leaf.schema.min_length or 0, leaf.schema.max_length
        if high is not None:
            value = value[:high]
        if len(value) < low:
            value = value + sample * (low // max(1, len(sample)) + 1)
            value = value[: high or len(value)]
        set_path(p, leaf.path, value)
        rule = leaf_rule(leaf, value)
        return [Outcome("unicode", leaf.dotted, rule)] if rule else []

    def _boundary(
        self, p: dict[str, Any], params: Any, rng: np.random.Generator, trace: Trace, row: int
    ) -> list[Outcome]:
        candidates = [
            leaf
            for leaf in self.leaves
            if get_path(p, leaf.path) is not MISSING and _has_edge(leaf.schema)
        ]
        if not candidates:
            return []
        picks = rng.permutation(len(candidates))[: params.fields_per_record].tolist()
        out = []
        for k in picks:
            leaf = candidates[k]
            value, edge = _edge_value(leaf.schema, get_path(p, leaf.path), rng)
            set_path(p, leaf.path, value)
            out.append(Outcome("boundary", leaf.dotted, leaf_rule(leaf, value), edge))
        return out

    def _deprecated_rows(
        self,
        records: list[dict[str, Any]],
        events: np.ndarray,
        trace: Trace,
        rng: np.random.Generator,
    ) -> dict[int, list[Outcome]]:
        """Old encodings of booleans, numbers and dates in every field of the marked payloads,
        a field at a time. A date drawn as epoch or text takes its uniform from one call, in
        the order a per-record loop would (record by record, field by field)."""
        params = trace.effects["deprecated"]
        fields = len(self.leaves)
        changes: list[list[tuple[int, Any]]] = []  # per field: (record, new value)
        moments: dict[tuple[int, int], datetime] = {}
        for j, leaf in enumerate(self.leaves):
            changed: list[tuple[int, Any]] = []
            dates = leaf.schema.format in ("date-time", "date", "timestamp")
            for k, value in enumerate(_values_at(records, leaf.path)):
                kind = type(value)
                if kind is str:  # only dates change; other text is left as it is
                    moment = _parsed_date(value) if dates else None
                    if moment is not None:
                        moments[k, j] = moment  # its form is drawn below
                    continue
                if value is MISSING or value is None or kind is dict or kind is list:
                    continue
                new = _legacy(value, leaf.schema, params, rng)
                if new is not value:
                    changed.append((k, new))
            changes.append(changed)
        if moments:
            # Row-major order of (record, field), as the per-record loop drew them.
            order = sorted(moments, key=lambda kj: kj[0] * fields + kj[1])
            draws = rng.random(len(order)).tolist()
            for (k, j), u in zip(order, draws, strict=True):
                changes[j].append(
                    (k, _legacy_date(moments[k, j], self.leaves[j].schema, params, u))
                )
        found: dict[int, list[Outcome]] = {}
        for j, leaf in enumerate(self.leaves):  # field by field: each record's list in order
            for k, new in changes[j]:
                set_path(records[k], leaf.path, new)
                rule = leaf_rule(leaf, new)
                if rule:
                    found.setdefault(k, []).append(Outcome("deprecated_format", leaf.dotted, rule))
        return found

    def _malformed(
        self, p: dict[str, Any], params: Any, rng: np.random.Generator, trace: Trace, row: int
    ) -> list[Outcome]:
        kind = trace.details["malformed"][row]
        mutation = MUTATIONS.get(_MALFORMED_TO_MUTATION.get(kind, ""))
        if mutation is None:
            return []  # truncated_json is applied by generators to the encoded body
        files = self.files if mutation.name not in _FILE_MUTATIONS else ()
        candidates = [
            leaf
            for leaf in self.malformed
            if mutation.applies(leaf)
            and leaf.path[0] not in files
            and get_path(p, leaf.path) is not MISSING
        ]
        if not candidates:
            return []
        leaf = candidates[int(rng.integers(0, len(candidates)))]
        result = mutation.apply(p, leaf, rng)
        return [result] if result else []


def _path_of(dotted: str) -> tuple[str, ...]:
    """A dotted path no leaf names (a field a mutation added), split at its dots."""
    return tuple(dotted.split("."))


def _typos(value: str, draws: np.ndarray, schema: Schema) -> str:
    """``value`` with 1 to ``max_edits`` keyboard mistakes (uniformly many), from one row of
    draws in [0, 1): the count, then (edit, position) per edit. A value shorter than 2
    characters is left alone, as is one no edit can change (``11`` between length bounds of
    2): any other comes out changed. Edits that undo each other keep the first."""
    if len(value) < 2:
        return value
    most = (len(draws) - 1) // 2
    count = 1 + min(int(draws[0] * most), most - 1)  # (a product may round up to ``most``)
    first = typed = _typo(value, float(draws[1]), float(draws[2]), schema)
    for k in range(1, count):
        typed = _typo(typed, float(draws[1 + 2 * k]), float(draws[2 + 2 * k]), schema)
    return first if typed == value else typed


def _typo(value: str, op_draw: float, at_draw: float, schema: Schema) -> str:
    """One edit that changes ``value``: the drawn one (swap two neighbours, drop, double, or
    the key to the right on a QWERTY letter row) at the drawn position, any of ``len``
    (``len - 1`` pairs for a swap). When that changes nothing (two equal neighbours, a key
    off the letter rows, a length bound), the next position, then the next edit: the value
    itself only when no edit can change it."""
    if len(value) < 2:
        return value
    op = min(int(op_draw * 4), 3)
    for step in range(4):
        kind = (op + step) % 4
        places = len(value) - 1 if kind == 0 else len(value)
        start = min(int(at_draw * places), places - 1)
        for shift in range(places):
            typed = _edit(value, kind, (start + shift) % places, schema)
            if typed is not None and typed != value:
                return typed
    return value


def _edit(value: str, kind: int, i: int, schema: Schema) -> str | None:
    """Edit ``kind`` at position ``i``, or None where the schema's lengths forbid it."""
    if kind == 0:  # swap neighbours
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    if kind == 1:  # drop a character
        return value[:i] + value[i + 1 :] if len(value) > (schema.min_length or 0) else None
    if kind == 2:  # double a character
        fits = schema.max_length is None or len(value) < schema.max_length
        return value[:i] + value[i] + value[i:] if fits else None
    near = _KEYBOARD.get(value[i].lower())  # a neighbouring key
    return value[:i] + near + value[i + 1 :] if near else None


def _has_edge(s: Schema) -> bool:
    if s.enum is not None:
        return len(s.enum) > 1
    if s.type in ("integer", "number"):
        return True
    if s.type == "string":
        return not s.pattern and s.format in (None, "date-time", "date")
    return s.type == "array"


def _edge_value(s: Schema, current: Any, rng: np.random.Generator) -> tuple[Any, str]:
    upper = bool(rng.random() < 0.5)
    if s.enum is not None:
        return (s.enum[-1], "last_enum") if upper else (s.enum[0], "first_enum")
    if s.type in ("integer", "number"):
        low, high = numeric_bounds(s, s.type == "integer")
        if upper:
            value = high if math.isfinite(high) else float(2**53 - 1)
            edge = "maximum"
        else:
            value = low if math.isfinite(low) else -float(2**53 - 1)
            edge = "minimum"
        return snap(s, value), edge
    if s.type == "string":
        if s.format_minimum is not None or s.format_maximum is not None:
            return _moment_edge(s, upper)
        if s.format == "date-time":
            return (
                ("9999-12-31T23:59:59.999Z", "latest")
                if upper
                else ("1970-01-01T00:00:00.000Z", "epoch")
            )
        if s.format == "date":
            return ("9999-12-31", "latest") if upper else ("1970-01-01", "epoch")
        if upper:
            size = s.max_length if s.max_length is not None else 1024
            base = current if isinstance(current, str) and current else "x"
            return (base * (size // len(base) + 1))[:size], "max_length"
        size = s.min_length or 0
        base = current if isinstance(current, str) and current else "x"
        return (base * (size // max(1, len(base)) + 1))[:size], "min_length" if size else "empty"
    # arrays
    items = current if isinstance(current, list) else []
    if upper and s.max_items is not None and items and not s.unique_items:
        return (items * (s.max_items // len(items) + 1))[: s.max_items], "max_items"
    return items[: s.min_items or 0], "min_items" if s.min_items else "empty"


def _moment_edge(s: Schema, upper: bool) -> tuple[str, str]:
    """The first or last date (date-time, to the millisecond) a bounded field takes; the
    latest or the epoch on a side left open."""
    fmt = str(s.format)
    first, last = schema_window(s)
    if upper:
        if last is None:
            return ("9999-12-31" if fmt == "date" else "9999-12-31T23:59:59.999Z"), "latest"
        return moment_texts(fmt, np.array([last]))[0], "maximum"
    if first is None:
        if last is not None and last < 0:  # (a maximum before 1970: the epoch is beyond it)
            return moment_texts(fmt, np.array([last]))[0], "maximum"
        return moment_texts(fmt, np.array([0]))[0], "epoch"
    return moment_texts(fmt, np.array([first]))[0], "minimum"


def _legacy(value: Any, s: Schema, params: Any, rng: np.random.Generator) -> Any:
    if isinstance(value, bool):
        return {"bool": value, "int": int(value), "yn": "Y" if value else "N"}[params.booleans_as]
    if isinstance(value, int | float) and params.numbers_as_strings:
        return str(value)
    if isinstance(value, str) and s.format in ("date-time", "date", "timestamp"):
        moment = _parsed_date(value)
        if moment is None:
            return value
        return _legacy_date(moment, s, params, rng.random())
    return value


def _parsed_date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _legacy_date(moment: datetime, s: Schema, params: Any, uniform: float) -> Any:
    """A date as an old client sends it: epoch seconds (with probability ``epoch_dates``,
    decided by ``uniform``) or text in the client's own format."""
    if uniform < params.epoch_dates:
        # A date, or a date-time without an offset, is read as UTC: ``timestamp()`` of a
        # naive datetime reads it in the machine's time zone (TZ), which no input may change.
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    fmt = params.date_only_format if s.format == "date" else params.date_format
    return moment.strftime(fmt)


def _values_at(records: list[dict[Any, Any]], path: tuple[str | int, ...]) -> list[Any]:
    """``get_path`` of each record (MISSING where absent)."""
    if len(path) == 1:
        key = path[0]
        return [r.get(key, MISSING) for r in records]
    return [get_path(r, path) for r in records]


_NUMBER_TYPES = frozenset({int, float})
# Types a generated value can have besides numbers (MISSING marks an absent one).
_PLAIN_TYPES = frozenset({int, float, bool, str, type(None), dict, list, type(MISSING)})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(values: list[Any]) -> np.ndarray:
    """``_is_number`` of each value: by exact type, in C, when every type is a plain one."""
    if set(map(type, values)) <= _PLAIN_TYPES:
        test = map(_NUMBER_TYPES.__contains__, map(type, values))
    else:  # (subclasses, such as NumPy's float64, are numbers too)
        test = map(_is_number, values)
    return np.fromiter(test, bool, len(values))


class _Fields(Protocol):
    """The marked payloads of a block, read and changed a field at a time: ``rows`` are
    their rows in the block, in order; ``values`` of a field holds one value per row
    (MISSING where a payload lacks it) and ``put`` sets it in some of them (by position
    in ``rows``)."""

    rows: list[int]

    def values(self, path: tuple[str | int, ...]) -> list[Any]: ...

    def put(self, path: tuple[str | int, ...], at: list[int], values: list[Any]) -> None: ...


class _RecordFields:
    """The payloads as records (dicts)."""

    def __init__(self, records: list[dict[str, Any]], rows: list[int]) -> None:
        self.records, self.rows = records, rows

    def values(self, path: tuple[str | int, ...]) -> list[Any]:
        return _values_at(self.records, path)

    def put(self, path: tuple[str | int, ...], at: list[int], values: list[Any]) -> None:
        records = self.records
        if len(path) == 1:  # (a record is a dict, keyed by property names)
            key = str(path[0])
            for k, v in zip(at, values, strict=True):
                records[k][key] = v
        else:
            for k, v in zip(at, values, strict=True):
                set_path(records[k], path, v)


class _ColumnFields:
    """The payloads as the columns their records are made from (``LazyRecords``), for
    top-level fields whose column holds the values: making a record per marked row, to
    change one number in it and read the columns back, cost a noisy device's ``file``
    rows a third of their time. A null payload is not one of the rows (no field)."""

    def __init__(self, source: ObjectColumns, marked: list[int]) -> None:
        self.source = source
        null = frozenset(source.null)
        self.rows = [i for i in marked if i not in null] if null else marked
        self._own: set[int] = set()  # (columns copied: a drawn column may be shared)

    def values(self, path: tuple[str | int, ...]) -> list[Any]:
        j = self.source.names.index(str(path[0]))
        column: Any = self.source.columns[j]
        values = list(map(column.__getitem__, self.rows))
        if absent := self.source.absent[j]:
            positions = {row: k for k, row in enumerate(self.rows)}
            for row in absent:
                if (k := positions.get(row)) is not None:
                    values[k] = MISSING
        return values

    def put(self, path: tuple[str | int, ...], at: list[int], values: list[Any]) -> None:
        j = self.source.names.index(str(path[0]))
        column: Any = self.source.columns[j]
        if j not in self._own:
            self.source.columns[j] = column = list(column)
            self._own.add(j)
        rows = self.rows
        if len(at) == len(column):  # (every row: noise on every reading)
            column[:] = values
            return
        for k, v in zip(at, values, strict=True):
            column[rows[k]] = v
