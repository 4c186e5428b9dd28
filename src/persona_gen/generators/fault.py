"""fault: negative data: each record a valid payload with one labelled mutation.

The dataset's first record is the unmutated baseline. Every other record names its mutation,
the field path it hit, the rule it breaks (or that it is still valid) and the persona
behaviours that made that mutation likelier.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from persona_gen.entities.model import Schema
from persona_gen.generators.base import GenerationContext, Generator, Record
from persona_gen.generators.mutations import MUTATIONS, Outcome, below, mutable_leaves
from persona_gen.generators.paths import MISSING, Leaf, Path, deref, get_path
from persona_gen.generators.variants import flat_variants, variant_check
from persona_gen.personas.trace import Trace
from persona_gen.values.columns import ObjectColumns

__all__ = ["AFFINITY", "FaultGenerator"]

# How much each behaviour kind raises the weight of a mutation (base weight 1).
AFFINITY: dict[str, dict[str, float]] = {
    "deprecated_formats": {"format_violation": 4, "type_mismatch": 3},
    "limited_features": {"missing_required": 3, "extra_field": 2},
    "connection_issues": {"truncation": 3},
    "retry_storms": {"extra_field": 1},
    "slow_processing": {"truncation": 1},
    "intermittent_connectivity": {"truncation": 3, "null_injection": 2},
    "signal_noise": {"overflow": 2, "underflow": 2, "encoding_corruption": 2},
    "delayed_transmission": {"null_injection": 1},
    "battery_drain": {"truncation": 1, "null_injection": 1},
    "errors": {"null_injection": 1},
    "typos": {"format_violation": 2, "whitespace_padding": 2},
    "boundary_values": {"overflow": 4, "underflow": 4, "empty_value": 2},
    "unicode": {"encoding_corruption": 4},
    "malformed_inputs": {"injection": 4, "type_mismatch": 3},
    "session_anomalies": {"missing_required": 1},
    "burst_traffic": {"extra_field": 1},
    "batch_operations": {"empty_value": 1},
    "rate_limits": {"overflow": 1},
}


class FaultGenerator(Generator):
    name = "fault"
    keyed = True
    description = "Faulty/mutated data"
    use_case = "Resilience and negative testing"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whether this persona's first record is the dataset's baseline (in a mix, only the
        # persona whose record comes first makes one).
        self.makes_baseline = True
        domain = self.ctx.domain
        root = deref(domain, self.entity.schema)
        # An entity that is one of several shapes (a JSON Schema oneOf, a protobuf oneof)
        # has no fields of its own: each record is drawn from one variant and mutated
        # within it.
        self.variants: list[Schema] | None = None
        if root.variants:
            self.variants = flat_variants(domain, root)
            shapes = self.variants
        else:
            shapes = [self.entity.schema]
        self.plans = [_Plan(mutable_leaves(domain, shape), self.ctx) for shape in shapes]
        self._fits: dict[int, Callable[[Any], bool]] = {}  # per variant, made when needed
        if not any(plan.kinds for plan in self.plans) and self.ctx.lane == 0:
            sys.stderr.write(
                f"persona-gen: warning: dataset '{self.ctx.dataset}': entity "
                f"'{self.entity.name}' has no field a mutation can act on; its fault records "
                "are the unmutated, valid baseline\n"
            )

    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        n = trace.n
        if self.variants is None:
            drawn = self.synth.columns(
                self.entity.name, n, rng, self.rows(trace.first_index, trace.n)
            )
            payloads = drawn.rows() if isinstance(drawn, ObjectColumns) else drawn
            groups: list[tuple[int, list[int], ObjectColumns | list[Any]]] = [
                (0, list(range(n)), drawn)
            ]
        else:
            payloads, groups = self._draw_variants(n, rng)
        # Per record: its shape's plan, the mutation chosen and the fields it can act on.
        shape = [0] * n
        kind = [-1] * n
        candidates: list[list[Leaf]] = [[]] * n
        for k, rows, drawn in groups:
            plan = self.plans[k]
            if not plan.kinds or not rows:
                continue
            chosen = rng.choice(len(plan.kinds), len(rows), p=plan.weights)
            for row, c, found in zip(
                rows, chosen.tolist(), plan.candidates(drawn, chosen), strict=True
            ):
                shape[row], kind[row], candidates[row] = k, c, found
        out: list[Record] = []
        for i, payload in enumerate(payloads):
            index = trace.first_index + i
            if index == 0 and self.makes_baseline:
                out.append(self._record(index, payload, None, []))
                continue
            plan = self.plans[shape[i]]
            if kind[i] < 0:
                out.append(self._record(index, payload, None, []))
                continue
            outcome = self._mutate(payload, plan.kinds[kind[i]], rng, candidates[i])
            if outcome is not None and outcome.rule is not None and self.variants is not None:
                outcome = self._within_union(payload, shape[i], outcome)
            out.append(self._record(index, payload, outcome, plan.because[kind[i]]))
        return out

    def sparse_columns(self) -> dict[str, str]:
        return {"field_path": "string", "rule": "string"}

    def leads(self, first: bool) -> None:
        self.makes_baseline = bool(first)

    def number(self, records: list[Record], first: int) -> None:
        # (in a mix each persona counts its own records; ``index`` is the dataset position)
        for i, record in enumerate(records, first):
            record["index"] = i

    def _draw_variants(
        self, n: int, rng: np.random.Generator
    ) -> tuple[list[Any], list[tuple[int, list[int], ObjectColumns | list[Any]]]]:
        """Records of a union entity, each drawn from a variant chosen at random (as the
        synthesizer draws a union), and the rows of each variant."""
        assert self.variants is not None
        which = rng.integers(0, len(self.variants), n)
        payloads: list[Any] = [None] * n
        groups: list[tuple[int, list[int], ObjectColumns | list[Any]]] = []
        for k, variant in enumerate(self.variants):
            rows = np.flatnonzero(which == k).tolist()
            if not rows:
                continue
            values = self.synth.values(variant, self.entity.name, len(rows), rng)
            for row, value in zip(rows, values, strict=True):
                payloads[row] = value
            groups.append((k, rows, values))
        return payloads, groups

    def _within_union(self, payload: Any, shape: int, outcome: Outcome) -> Outcome:
        """A mutated record of a union entity breaks the union only if no other variant
        takes it either (a string field turned into a number may fit a variant with a
        number there): then it is still valid, and labelled so."""
        assert self.variants is not None
        mine = self.plans[shape].fields.get(outcome.field_path)
        for k, plan in enumerate(self.plans):
            if k == shape:
                continue
            theirs = plan.fields.get(outcome.field_path)
            if mine is not None and theirs is not None and _same_verdict(mine, theirs, outcome):
                continue  # the other variant declares the field alike: it refuses it too
            fits = self._fits.get(k)
            if fits is None:
                fits = self._fits[k] = variant_check(
                    self.ctx.domain, self.entity.name, k, self.variants[k]
                )
            if fits(payload):
                return outcome._replace(
                    rule=None, note=_joined(outcome.note, "fits another variant")
                )
        return outcome

    def _mutate(
        self, payload: dict[str, Any], kind: str, rng: np.random.Generator, candidates: list[Leaf]
    ) -> Outcome | None:
        mutation = MUTATIONS[kind]
        for _ in range(4):
            if not candidates:
                return None
            leaf = candidates[below(rng, len(candidates))]
            result = mutation.apply(payload, leaf, rng)
            if result is not None:
                return result
            candidates = candidates.copy()  # the list may be shared with other records
            candidates.remove(leaf)
        return None

    def _record(
        self, index: int, payload: dict[str, Any], outcome: Outcome | None, because: list[str]
    ) -> Record:
        return {
            "index": index,
            "baseline": outcome is None and index == 0 and self.makes_baseline,
            "mutation": outcome.mutation if outcome else "none",
            "field_path": outcome.field_path if outcome else None,
            "expected_valid": outcome.expected_valid if outcome else True,
            "rule": outcome.rule if outcome else None,
            "description": (
                MUTATIONS[outcome.mutation].summary + (f" ({outcome.note})" if outcome.note else "")
            )
            if outcome
            else (
                "Unmutated baseline record."
                if index == 0 and self.makes_baseline
                else "No mutation applies to this record; it is left valid."
            ),
            "persona": self.ctx.persona.name,
            "behaviors": because,
            "record": payload,
        }


class _Plan:
    """The mutations one shape of record can take: which kinds apply to its fields, the
    fields each acts on (decided once: they depend on the schema only) and how likely each
    kind is for the persona."""

    def __init__(self, found: tuple[Leaf, ...], ctx: GenerationContext) -> None:
        self.fields = {leaf.dotted: leaf for leaf in found}
        self.kinds = [k for k in MUTATIONS if any(MUTATIONS[k].applies(x) for x in found)]
        self.targets = {k: [x for x in found if MUTATIONS[k].applies(x)] for k in self.kinds}
        weights = np.ones(len(self.kinds))
        self.because: list[list[str]] = [[] for _ in self.kinds]
        for behaviour in ctx.persona.behaviours:
            for mutation, boost in AFFINITY.get(behaviour.kind, {}).items():
                if mutation in self.kinds:
                    k = self.kinds.index(mutation)
                    weights[k] += boost
                    self.because[k].append(behaviour.name)
        self.weights = weights / weights.sum() if len(weights) else weights

    def candidates(self, drawn: ObjectColumns | list[Any], chosen: np.ndarray) -> list[list[Leaf]]:
        """Per record, the fields its chosen mutation can act on (those the record has).
        Which records lack a field comes from the drawn columns, a field at a time; records
        with the same fields present share one list."""
        out: list[list[Leaf]] = [[]] * len(chosen)  # (never changed in place: see _mutate)
        missing: dict[Path, set[int]] = {}
        order = np.argsort(chosen, kind="stable")
        bounds = np.searchsorted(chosen[order], np.arange(len(self.kinds) + 1)).tolist()
        for k, kind in enumerate(self.kinds):
            rows = order[bounds[k] : bounds[k + 1]].tolist()
            targets = self.targets[kind]
            if not rows or not targets:
                continue
            if kind == "extra_field":  # acts on the record itself: every target applies
                gaps: list[set[int]] = []
            else:
                for x in targets:
                    if x.path not in missing:
                        missing[x.path] = _missing(drawn, x.path)
                gaps = [missing[x.path] for x in targets]
            lacking = set().union(*gaps)
            shared: dict[tuple[bool, ...], list[Leaf]] = {}
            for i in rows:
                if i not in lacking:
                    out[i] = targets
                    continue
                pattern = tuple(i not in gap for gap in gaps)
                found = shared.get(pattern)
                if found is None:
                    found = shared[pattern] = [
                        x for x, ok in zip(targets, pattern, strict=True) if ok
                    ]
                out[i] = found
        return out


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _same_verdict(mine: Leaf, theirs: Leaf, outcome: Outcome) -> bool:
    """Whether another variant must refuse the mutated value as this one does: it holds
    the field with the same schema (and, for a field left out, requires it too)."""
    if outcome.rule == "required":
        return theirs.required
    if outcome.rule == "minProperties":  # (the record holds as few properties for them)
        return theirs.required or (theirs.parent_min or 0) >= (mine.parent_min or 0)
    if outcome.rule == "additionalProperties":
        return theirs.parent_closed
    return theirs.schema == mine.schema


def _missing(drawn: ObjectColumns | list[Any], path: Path) -> set[int]:
    """The records with no value at ``path``."""
    if isinstance(drawn, ObjectColumns):
        return drawn.missing(path)
    return {i for i, p in enumerate(drawn) if get_path(p, path) is MISSING}
