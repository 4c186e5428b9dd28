"""What a generator is: it shapes one block of behaviour decisions into records."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from persona_gen.entities.model import Domain, Entity
from persona_gen.generators.keys import KeyedSynthesizer
from persona_gen.personas.behaviours.base import splitmix64
from persona_gen.personas.loader import Persona
from persona_gen.personas.trace import Trace
from persona_gen.seeds import block_stream, stable_hash, uuid_text
from persona_gen.values.rows import RowColumns
from persona_gen.values.strings import iso_datetimes
from persona_gen.values.synth import Synthesizer

__all__ = [
    "GenerationContext",
    "Generator",
    "Record",
    "hex_ids",
    "repeats_of",
    "sources_of",
    "uuid_ids",
]

Record = dict[str, Any]

_PREFIXES = {"user": "usr", "client": "cli", "device": "dev", "service": "svc"}


@dataclass(frozen=True)
class GenerationContext:
    """Everything a generator may read: persona, domain, seed and reference time."""

    persona: Persona
    domain: Domain
    seed: int
    dataset: str
    epoch_ms: int
    entity: str | None = None
    # In a mix of personas: this persona's place and the number of personas. Row numbers
    # (which make unique fields unique) are then lane + lanes * i, so no two personas of
    # the dataset share one.
    lane: int = 0
    lanes: int = 1


class Generator(ABC):
    """Turns trace blocks into records of one dataset shape. Never decides behaviour."""

    name: ClassVar[str]
    description: ClassVar[str]
    use_case: ClassVar[str]
    # Whether each record carries one record of the entity numbered by ``rows`` (a file
    # row, a fault payload, an event), so its unique keys differ across the dataset (api
    # and load bodies are not one per record: their keys come round when the room is short).
    keyed: ClassVar[bool] = False
    # Whether records number each session's events (streaming's ``sequence``): the engine
    # then keeps what each session did in earlier blocks (``Trace.session_steps``).
    numbers_sessions: ClassVar[bool] = False
    # Whether records are flat rows that ``columns_block`` gives as columns too (an
    # encoder that takes columns, Parquet, then never has the rows made).
    flat_rows: ClassVar[bool] = False

    def __init__(self, ctx: GenerationContext) -> None:
        self.ctx = ctx
        # (multi-column UNIQUE keys kept unique too: see ``keys``)
        self.synth: Synthesizer = KeyedSynthesizer(ctx.domain, ctx.epoch_ms)
        self.entity: Entity = ctx.domain.entity(ctx.entity)
        self.salt = stable_hash(ctx.seed, ctx.dataset, ctx.persona.name) & 0xFFFFFFFF
        pop = ctx.persona.population
        self.actor_prefix = pop.id_prefix or _PREFIXES[pop.kind]

    @abstractmethod
    def block(self, trace: Trace, rng: np.random.Generator) -> list[Record]:
        """The records of one block, in output order."""

    def columns_block(self, trace: Trace, rng: np.random.Generator) -> RowColumns:
        """The records of one block as columns (``flat_rows`` generators): the same rows as
        ``block`` makes from the same trace and stream."""
        raise NotImplementedError(f"{self.name} records are not flat rows")

    def topics(self) -> list[str]:
        """The Kafka topics the records name themselves (none unless they carry ``topic``)."""
        return []

    def sparse_columns(self) -> dict[str, str]:
        """The JSON type of each top-level key that a whole block may leave out or hold only
        nulls in (a rare session anomaly, an error): a store with a fixed schema (Parquet)
        takes its columns from the first block, and would otherwise drop such a key or
        mistake its type."""
        return {}

    # -- helpers shared by generators ----------------------------------------------------

    def rows(self, first: int, n: int, scale: int = 1, offset: int = 0) -> range:
        """The dataset's row numbers of this persona's records ``first .. first + n - 1``
        (numbered ``scale * i + offset`` where a generator needs several series that never
        meet), interleaved with the other personas' of a mix."""
        lane, lanes = self.ctx.lane, self.ctx.lanes
        low = (scale * first + offset) * lanes + lane
        return range(low, low + n * scale * lanes, scale * lanes)

    def number(self, records: list[Record], first: int) -> None:  # noqa: B027 - optional
        """Renumber records placed at dataset positions ``first ..`` by a mix of personas
        (a generator whose records carry their position overrides it)."""

    def leads(self, first: bool) -> None:  # noqa: B027 - optional hook
        """In a mix: whether this persona's first record is the dataset's first record."""

    def actor_ids(self, trace: Trace) -> list[str]:
        # Each actor of the block named once (a block holds a few actors' sessions).
        actors, at = np.unique(trace.actor, return_inverse=True)
        names = np.array([f"{self.actor_prefix}-{a:06d}" for a in actors.tolist()], object)
        out: list[str] = names[at].tolist()
        return out

    def session_ids(self, trace: Trace) -> list[str]:
        return hex_ids(trace.session, self.salt ^ 0x5E55, "ses_")

    def side_stream(self, trace: Trace, label: str) -> np.random.Generator:
        """A random stream of the block's own for ``label``'s draws, apart from the
        generator's: what it draws leaves every other value of the block as it was."""
        ctx = self.ctx
        return block_stream(ctx.seed, ctx.dataset, ctx.persona.name, trace.first_index, label)

    def request_ids(self, trace: Trace) -> list[str]:
        return uuid_ids(trace.request, self.salt ^ 0x4E9)

    def times(self, ms: np.ndarray) -> list[str]:
        return iso_datetimes(ms)


def repeats_of(trace: Trace, repeat: np.ndarray, by_attempt: bool = False) -> list[tuple[int, int]]:
    """``(row, source row)`` for each repeated event (a retry or a re-send) whose first
    occurrence is in the same block: the repeat must carry the same request. The source is
    the first row not marked ``repeat`` with the same request number (``by_attempt``: and
    the same attempt, the very attempt of a retry storm that a re-send repeats), else, where
    repeats took the place of every such row (a re-send replacing a storm's first attempt),
    the first of those repeats. Found by sorting, not by a Python step per row."""
    if not repeat.any():
        return []
    number = trace.request
    if by_attempt:
        pairs = np.stack([trace.request, trace.attempt], axis=1)
        number = np.unique(pairs, axis=0, return_inverse=True)[1].reshape(-1)
    # By number, originals before repeats, in row order (lexsort is stable): each number's
    # first row in that order is its source.
    order = np.lexsort((repeat, number))
    ranked = number[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    source = np.empty_like(order)
    source[order] = order[np.repeat(starts, np.diff(np.r_[starts, order.size]))]
    rows = np.flatnonzero(repeat & (source != np.arange(order.size)))
    return list(zip(rows.tolist(), source[rows].tolist(), strict=True))


def sources_of(n: int, repeats: list[tuple[int, int]]) -> np.ndarray:
    """Per row of ``n``, the row whose request it sends: its own, or (a ``repeats_of`` pair)
    its source's. Indexing a per-event column with it gives a repeat its source's value."""
    same = np.arange(n)
    if repeats:
        rows, sources = np.asarray(repeats).T
        same[rows] = sources
    return same


def hex_ids(numbers: np.ndarray, salt: int, prefix: str) -> list[str]:
    """Opaque, stable ids from integers: the same number always gives the same id."""
    h = splitmix64(numbers.astype(np.uint64) ^ np.uint64(salt))
    if not h.size:
        return []
    # A newline after every 8 bytes' hex; the prefix goes in front of each line at once.
    text = h.astype(">u8").tobytes().hex("\n", 8)
    if "\n" in prefix:  # (it would split apart)
        return [prefix + line for line in text.split("\n")]
    return (prefix + text.replace("\n", "\n" + prefix)).split("\n")


def uuid_ids(numbers: np.ndarray, salt: int) -> list[str]:
    """Version-4-shaped UUIDs derived from integers (for request and event ids)."""
    x = numbers.astype(np.uint64) * np.uint64(2) ^ np.uint64(salt)
    halves = np.stack([splitmix64(x), splitmix64(x + np.uint64(1))], axis=1).astype(">u8")
    return uuid_text(halves.view(np.uint8).reshape(len(x), 16).copy())
