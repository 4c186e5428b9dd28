"""What every behaviour kind is: typed parameters plus hooks that write trace decisions."""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar, Generic, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from persona_gen.personas.clock import Clock
from persona_gen.personas.trace import Trace

__all__ = ["Behaviour", "Params", "Phase", "pick_rows", "splitmix64"]


class Params(BaseModel):
    """Base of every behaviour's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


P = TypeVar("P", bound=Params)


class Phase(IntEnum):
    """Order in which behaviours act on a block; within a phase, declaration order."""

    STRUCTURE = 1  # who acts when: runs, storms, groups, batches, anomalies
    TRANSPORT = 2  # how events travel: offline windows, delays, connection failures
    OUTCOME = 3  # how requests end: errors, rate limits, timeouts
    CONTENT = 4  # what payloads carry: typos, unicode, boundaries, formats


class Behaviour(Generic[P]):
    """One named behaviour block of a persona, bound to its validated parameters.

    Subclasses set ``kind``, ``summary``, ``phase`` and ``params_model`` and override the
    hooks they need. Hooks receive their own RNG stream, derived from the block and the
    block name, so adding a behaviour never changes another's draws.
    """

    kind: ClassVar[str]
    summary: ClassVar[str]
    phase: ClassVar[Phase] = Phase.CONTENT
    params_model: ClassVar[type[Params]]

    def __init__(self, name: str, params: P) -> None:
        self.name = name
        self.params = params

    def configure(self, clock: Clock) -> None:
        """Adjust the timeline parameters (rate, latency...) before events are laid out."""

    def shape_gaps(self, gaps: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
        """Reshape inter-arrival gaps in place; return the mask of events affected."""
        return None

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        """Write this behaviour's decisions into the trace."""


def pick_rows(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """A boolean mask selecting each of ``n`` events with probability ``rate``."""
    return rng.random(n) < rate


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """A fast, well-mixed 64-bit hash of an integer array (for time-and-actor functions)."""
    z = x.astype(np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    out: np.ndarray = z ^ (z >> np.uint64(31))
    return out
