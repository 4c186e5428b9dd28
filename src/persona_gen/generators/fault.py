"""fault: negative data: each record a valid payload with one labelled mutation.

The dataset's first record is the unmutated baseline. Every other record names its mutation,
the field path it hit, the rule it breaks (or that it is still valid) and the persona
behaviours that made that mutation likelier.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from persona_gen.generators.base import Generator, Record
from persona_gen.generators.mutations import MUTATIONS, Outcome, below, mutable_leaves
from persona_gen.generators.paths import MISSING, Leaf, Path, get_path
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
    description = "Faulty/mutated data"
    use_case = "Resilience and negative testing"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whether this persona's first record is the dataset's baseline (in a mix, only the
        # persona whose record comes first makes one).
        self.makes_baseline = True
        self.leaves = mutable_leaves(self.ctx.domain, self.entity.schema)
        self.kinds = [k for k in MUTATIONS if any(MUTATIONS[k].applies(x) for x in self.leaves)]
        # Which fields each mutation can act on depends on the schema only: decided once.
        self.targets = {k: [x for x in self.leaves if MUTATIONS[k].applies(x)] for k in self.kinds}
        weights = np.ones(len(self.kinds))
        self.because: list[list[str]] = [[] for _ in self.kinds]
        for behaviour in self.ctx.persona.behaviours:
            for mutation, boost in AFFINITY.get(behaviour.kind, {}).items():
                if mutation in self.kinds:
                    k = self.kinds.index(mutation)
                    weights[k] += boost
                    self.because[k].append(behaviour.name)
        self.weights = weights / weights.sum()

    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        drawn = self.synth.columns(
            self.entity.name, trace.n, rng, self.rows(trace.first_index, trace.n)
        )
        payloads = drawn.rows() if isinstance(drawn, ObjectColumns) else drawn
        chosen = rng.choice(len(self.kinds), trace.n, p=self.weights)
        candidates = self._candidates(drawn, chosen)
        out: list[Record] = []
        for i, (payload, k) in enumerate(zip(payloads, chosen.tolist(), strict=True)):
            index = trace.first_index + i
            if index == 0 and self.makes_baseline:
                out.append(self._record(index, payload, None, []))
                continue
            outcome = self._mutate(payload, self.kinds[k], rng, candidates[i])
            out.append(self._record(index, payload, outcome, self.because[k]))
        return out

    def leads(self, first: bool) -> None:
        self.makes_baseline = bool(first)

    def number(self, records: list[Record], first: int) -> None:
        # (in a mix each persona counts its own records; ``index`` is the dataset position)
        for i, record in enumerate(records, first):
            record["index"] = i

    def _candidates(self, drawn: ObjectColumns | list[Any], chosen: np.ndarray) -> list[list[Leaf]]:
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


def _missing(drawn: ObjectColumns | list[Any], path: Path) -> set[int]:
    """The records with no value at ``path``."""
    if isinstance(drawn, ObjectColumns):
        return drawn.missing(path)
    return {i for i, p in enumerate(drawn) if get_path(p, path) is MISSING}
