"""What every behaviour kind is: typed parameters plus hooks that write trace decisions."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from persona_gen.personas.clock import Clock
from persona_gen.personas.trace import Trace
from persona_gen.seeds import stable_hash

__all__ = [
    "Behaviour",
    "Params",
    "Phase",
    "claim_run",
    "one_of",
    "pick_rows",
    "splitmix64",
    "take_runs",
]


class Params(BaseModel):
    """Base of every behaviour's parameter model: unknown keys are errors, and so are NaN and
    infinities (no parameter means anything by them). Types are strict, as the published JSON
    Schema states them: a quoted number (`rate: "0.5"`), a boolean where a number is expected
    (`rate_per_second: true`, which would be 1) or anything but a boolean for a switch
    (`no_compression: "yes"`, `decimal_comma: 0`; YAML 1.1's unquoted `no` and `off` are
    booleans) is an error, not converted. A whole float where an integer is expected is that
    integer (JSON Schema's ``integer`` takes ``12.0``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _whole_floats(cls, data: Any) -> Any:
        """A whole float where an integer is expected (``users: 12.0``) is that integer, as
        the published schema's ``type: integer`` takes it (JSON Schema cannot tell 12.0 from
        12); ``12.5`` stays an error."""
        if not isinstance(data, dict):
            return data
        fixed = dict(data)
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key in fixed and _takes_int(field.annotation):
                fixed[key] = _whole(fixed[key])
        return fixed


def _takes_int(annotation: Any) -> bool:
    """Whether a field is an integer, or a list of integers (not a number: a float is one)."""
    import typing

    args = typing.get_args(annotation)
    if annotation is int:
        return True
    if typing.get_origin(annotation) is list:
        return args == (int,)
    return int in args and float not in args and all(a in (int, type(None)) for a in args)


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


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
    # Acts after the other behaviours of its phase, whatever the declaration order (a
    # session anomaly is made in the sessions runs and storms leave, which would undo it).
    last_in_phase: ClassVar[bool] = False
    params_model: ClassVar[type[Params]]

    def __init__(self, name: str, params: P) -> None:
        self.name = name
        self.params = params

    def configure(self, clock: Clock) -> None:
        """Adjust the timeline parameters (rate, latency...) before events are laid out."""

    def carries_state(self) -> bool:
        """Whether ``apply`` hands state on to the next block through ``Trace.carried`` (a
        count over a window that goes on past the block's end): a block made alone then
        traces the blocks before it in its span."""
        return False

    def carried_blocks(self, block_span_ms: float) -> int:
        """How many blocks before a span's first block hold what it carries over the span's
        start (each block lasts ``block_span_ms``)."""
        return 0

    def join_carried(self, states: list[Any], start_ms: int) -> Any:
        """What is carried into a span starting at ``start_ms``, from ``states``: what each
        of the blocks just before it, traced alone, would hand on."""
        return None

    def reads_session_starts(self) -> bool:
        """Whether ``apply`` reads ``Trace.session_start_ms`` (exact only then: a session
        begun blocks before costs the times of that block)."""
        return False

    def shape_gaps(self, gaps: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
        """Reshape inter-arrival gaps in place; return the mask of events affected."""
        return None

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        """Write this behaviour's decisions into the trace."""

    def actor_salt(self, trace: Trace) -> np.uint64:
        """The salt of this block's pure functions of the actor (which actors are legacy
        clients, when each is offline): from the run's (``Trace.salt``) and the block's name,
        so an actor's pick is the same in every event and block of a run, another with
        another seed, and two blocks of one kind pick apart. Not from ``apply``'s stream,
        which is another in every block."""
        return np.uint64(stable_hash(trace.salt, self.name))


def unknown_choices(unknown: Sequence[str], choices: Sequence[str]) -> str:
    """``unknown 'klingon'`` or ``unknown 'dns_failur' (did you mean 'dns_failure'?)``, for
    each item of a list or mapping that is not among ``choices``."""
    said = []
    for item in unknown:
        close = difflib.get_close_matches(item, choices, n=1, cutoff=0.6)
        said.append(f"'{item}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return "unknown " + ", ".join(said)


@dataclass(frozen=True)
class _OneOf:
    """``Annotated`` metadata: a non-empty list whose items are all among ``choices``, checked
    with one message, and described as such (minItems, an enum) in the JSON Schema."""

    choices: tuple[str, ...]

    def check(self, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(f"name at least one; choose from {', '.join(self.choices)}")
        unknown = [v for v in value if v not in self.choices]
        if unknown:
            raise ValueError(
                f"{unknown_choices(unknown, self.choices)}; choose from {', '.join(self.choices)}"
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minItems=1, items={"type": "string", "enum": list(self.choices)})
        return json_schema


def one_of(choices: tuple[str, ...]) -> _OneOf:
    """A validator for a non-empty list whose items are all among ``choices``."""
    return _OneOf(choices)


def take_runs(
    trace: Trace, rng: np.random.Generator, rate: float, size: Callable[[], int]
) -> Iterator[np.ndarray]:
    """Runs of consecutive events, each started at an event picked with ``rate`` and
    ``size()`` long, taken over by the starting event's actor and session. Runs never
    overlap: a start inside an earlier run is skipped, and a run stops before the events
    another behaviour's run took (``claim_run``)."""
    free_from = 0
    for start in np.flatnonzero(pick_rows(rng, trace.n, rate)).tolist():
        if start < free_from:
            continue
        run = claim_run(trace, start, size())
        if run is None:
            continue
        free_from = int(run[-1]) + 1
        trace.actor[run] = trace.actor[start]
        trace.session[run] = trace.session[start]
        trace.session_start_ms[run] = trace.session_start_ms[start]
        yield run


def claim_run(trace: Trace, start: int, size: int) -> np.ndarray | None:
    """The events of a run of one actor's (a retry storm, a rapid run, a concurrent group)
    started at ``start``: the ``size`` events from there on (within the block) that no
    earlier run took, marked taken in ``trace.in_run``; None where ``start`` itself is
    taken. Two behaviours' runs over the same events made a storm whose attempts a
    concurrent group then sent out of order, or from another actor; a run that meets
    another's events goes on past them, so its size is the one drawn."""
    if trace.in_run is None:
        trace.in_run = np.zeros(trace.n, bool)
    taken = trace.in_run
    if taken[start]:
        return None
    end = min(trace.n, start + size)
    if taken[start:end].any():
        run = start + np.flatnonzero(~taken[start:])[:size]
    else:
        run = np.arange(start, end)
    taken[run] = True
    return run


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
