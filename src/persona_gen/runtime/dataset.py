"""A dataset: one generator driven by one persona (or a weighted mix), produced by blocks.

Records ``[start, stop)`` are produced from the blocks that cover them, each block computed
from (seed, dataset key, block index) alone: the partition-invariance contract.

A mix gives each persona a fixed number of records per block (its weight in 1/1024ths), in
positions drawn per block. A persona's records are the continuation of its own stream,
block after block, so its timeline, sessions and rates are what it would produce alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain, repeat
from math import inf, isfinite
from numbers import Integral, Real
from operator import is_, is_not
from os import PathLike
from pathlib import Path
from typing import Any, overload

import numpy as np

from persona_gen.entities.builtin import builtin_domain
from persona_gen.entities.model import Domain, Entity
from persona_gen.errors import GenerationError, UnknownNameError, UsageError
from persona_gen.generators import GENERATORS
from persona_gen.generators.base import GenerationContext, Generator, Record
from persona_gen.personas.engine import LAST_TIMESTAMP_MS, PersonaEngine
from persona_gen.personas.loader import Persona
from persona_gen.seeds import BLOCK_SIZE, MAX_SEED, block_stream, reference_epoch_ms
from persona_gen.values.regex import pattern_room
from persona_gen.values.rows import RowColumns, values_of
from persona_gen.values.synth import Synthesizer, suffixed_unique

__all__ = [
    "MAX_WORKERS",
    "Dataset",
    "DatasetStats",
    "is_whole_number",
    "key_limits",
    "pattern_limits",
]

MAX_WORKERS = 256
"""The most processes a dataset is made in (``--workers``)."""


@dataclass
class DatasetStats:
    """What a run produced: counts per behaviour, mutation and validity."""

    records: int = 0
    behaviours: Counter[str] = field(default_factory=Counter)
    mutations: Counter[str] = field(default_factory=Counter)
    expected_invalid: int = 0

    def merge(self, other: DatasetStats) -> None:
        self.records += other.records
        self.behaviours.update(other.behaviours)
        self.mutations.update(other.mutations)
        self.expected_invalid += other.expected_invalid

    def without(self, other: DatasetStats) -> DatasetStats:
        """These counts less ``other``'s (records made but not taken, say)."""
        return DatasetStats(
            self.records - other.records,
            self.behaviours - other.behaviours,
            self.mutations - other.mutations,
            self.expected_invalid - other.expected_invalid,
        )

    def add(self, records: list[Record] | RowColumns) -> None:
        """Count a block's records (as rows, or as columns)."""
        # Column by column with C-level maps: a loop over the records' keys was ~7% of a
        # cheap generator's time.
        self.records += len(records)
        tags = _values(records, "behaviors")
        if tags.count(None) == len(tags):  # file rows label in a flat column, ";"-joined
            labels = ";".join(filter(None, _values(records, "_behaviors")))
            self.behaviours.update(labels.split(";") if labels else ())
        else:
            if None in tags:
                joined = _values(records, "_behaviors")
                tags = [
                    t if t is not None or not j else j.split(";")
                    for t, j in zip(tags, joined, strict=True)
                ]
            self.behaviours.update(chain.from_iterable(filter(None, tags)))
        mutations = _values(records, "mutation")
        if mutations.count(None) < len(mutations):
            self.mutations.update(filter(partial(is_not, None), mutations))
        for flag in ("_expected_valid", "expected_valid"):
            self.expected_invalid += sum(map(is_, _values(records, flag), repeat(False)))


def _values(records: list[Record] | RowColumns, key: str) -> list[Any]:
    """Each record's value of ``key`` (None where it has none), as Python values."""
    values = values_of(records, key)
    return values.tolist() if isinstance(values, np.ndarray) else values


class _Lane:
    """One persona's engine and generator within a dataset."""

    def __init__(
        self,
        persona: Persona,
        generator: str,
        seed: int,
        key: str,
        domain: Domain | None,
        entity: str | None,
        epoch_ms: int,
        lane: int = 0,
        lanes: int = 1,
    ) -> None:
        self.persona = persona
        self.engine = PersonaEngine(persona, seed, key, epoch_ms)
        ctx = GenerationContext(
            persona=persona,
            domain=domain or builtin_domain(persona.population.kind),
            seed=seed,
            dataset=key,
            epoch_ms=epoch_ms,
            entity=entity,
            lane=lane,
            lanes=lanes,
        )
        self.generator: Generator = GENERATORS.get(generator)(ctx)
        self.engine.numbers_sessions = self.generator.numbers_sessions
        self.seed, self.key = seed, key
        self._kept: tuple[int, list[Record]] | None = None  # the last block records() made

    def block(self, index: int) -> list[Record]:
        trace = self.engine.trace(index)
        return self.generator.block(trace, self._stream(index))

    def columns_block(self, index: int) -> RowColumns:
        """Block ``index`` as columns (a ``flat_rows`` generator's)."""
        trace = self.engine.trace(index)
        return self.generator.columns_block(trace, self._stream(index))

    def _stream(self, index: int) -> np.random.Generator:
        return block_stream(self.seed, self.key, self.persona.name, index, "generator")

    def records(self, lo: int, hi: int) -> list[Record]:
        """This persona's records ``lo .. hi - 1`` of its own stream (in a mix, where a
        dataset block takes a stretch of them that may start in one block and end in the
        next: the block is kept for the stretch after it)."""
        out: list[Record] = []
        for index in range(lo // BLOCK_SIZE, (hi - 1) // BLOCK_SIZE + 1 if hi > lo else 0):
            if self._kept is None or self._kept[0] != index:
                self._kept = (index, self.block(index))
            start = index * BLOCK_SIZE
            out += self._kept[1][max(lo - start, 0) : hi - start]
        return out


class Dataset:
    """``count`` records of one generator, for a persona or a weighted mix of personas.

    ``personas``: ``(Persona, weight)`` pairs (``PersonaCatalog().get(name)``), weights
    positive and relative; ``generator``: a generator's name (``api``, ``streaming``, ...,
    or a plugin's); ``seed``: 0 ... 2**63-1. ``key`` names the dataset's random streams
    (default: the generator's name, as ``quick`` does; a profile's dataset name in
    ``generate``); ``domain`` and ``entity`` the entities records are made of (default: the
    persona kind's built-in domain and its primary entity); ``epoch_ms`` the reference time
    (default: derived from the seed, docs/determinism.md). A wrong argument is a
    ``UsageError``. ``Dataset.from_profile`` makes a profile's dataset.
    """

    # The profile a dataset comes from (``from_profile``): the schema its avro or protobuf
    # file is written with. None for a dataset built here, as for ``quick``.
    profile: Any = None

    def __init__(
        self,
        personas: list[tuple[Persona, float]],
        generator: str,
        count: int,
        seed: int,
        *,
        key: str | None = None,
        domain: Domain | None = None,
        entity: str | None = None,
        epoch_ms: int | None = None,
    ) -> None:
        if not isinstance(generator, str):
            raise UsageError(f"generator must be a generator's name, got {generator!r:.80}")
        GENERATORS.get(generator)  # fail early with "did you mean" on an unknown generator
        if not is_whole_number(count) or count < 0:
            raise UsageError(f"count must be a whole number of at least 0, got {count!r:.80}")
        _check_seed(seed)
        _check_personas(personas)
        if key is not None and not isinstance(key, str):
            raise UsageError(f"key must be a dataset name (text), got {key!r:.80}")
        if epoch_ms is not None and not (
            is_whole_number(epoch_ms) and 0 <= epoch_ms <= LAST_TIMESTAMP_MS
        ):
            raise UsageError(
                "epoch_ms must be a whole number of milliseconds from 0 (1970-01-01) to "
                f"{LAST_TIMESTAMP_MS} (9999-12-31T23:59:59.999Z), got {epoch_ms!r:.80}"
            )
        _check_entity(personas, domain, entity)
        self.generator = generator
        self.count = count
        self.seed = seed
        self.key = key or generator
        self.epoch_ms = reference_epoch_ms(seed) if epoch_ms is None else epoch_ms
        weights = np.asarray([w for _, w in personas], np.float64)
        self.weights = weights / weights.sum()
        self.lanes = [
            _Lane(p, generator, seed, self.key, domain, entity, self.epoch_ms, k, len(personas))
            for k, (p, _) in enumerate(personas)
        ]
        self.shares = _shares(self.weights)
        if len(self.lanes) > 1:
            first = int(self._positions(0)[0])  # the persona whose record opens the dataset
            for k, lane in enumerate(self.lanes):
                lane.generator.leads(k == first)
        spans = self._row_spans()
        if generator in ("file", "fault", "streaming"):  # (one record of the entity each)
            self._check_pattern_room(spans)
        if generator == "file":
            _require_one_entity(self.lanes, self.key)
        self._check_unique_room(spans)
        self.stats = DatasetStats()
        self._workers = 1

    @property
    def workers(self) -> int:
        """Processes ``blocks()`` (and a file output) computes blocks in (``--workers``);
        the records are the same for any number."""
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        # (a text "2" raised TypeError deep in blocks(), 0 ran in this process unsaid)
        if not is_whole_number(value) or not 1 <= value <= MAX_WORKERS:
            raise UsageError(
                f"workers must be a whole number from 1 to {MAX_WORKERS}, got {value!r:.80}"
            )
        self._workers = int(value)

    @property
    def personas(self) -> list[Persona]:
        return [lane.persona for lane in self.lanes]

    @property
    def block_count(self) -> int:
        """How many blocks the dataset's records fill (the last one may be part full)."""
        return -(-self.count // BLOCK_SIZE)

    def block(self, index: int) -> list[Record]:
        """The records of block ``index``: ``BLOCK_SIZE`` of them, fewer in the last block
        when ``count`` ends inside it."""
        if not is_whole_number(index) or index < 0:  # (-1 never ended: ids of negative rows)
            raise UsageError(f"a block index is a whole number of at least 0, got {index!r:.80}")
        if index >= self.block_count:  # (such a block held records past the dataset's end)
            raise UsageError(
                f"block {index} is past the dataset's end: its {self.count} records fill "
                f"blocks 0 to {self.block_count - 1}"
                if self.count
                else f"block {index} is past the dataset's end: it holds no records"
            )
        records = self._whole_block(index)
        past = (index + 1) * BLOCK_SIZE - self.count
        return records[:-past] if past > 0 else records

    def _whole_block(self, index: int) -> list[Record]:
        """Block ``index`` drawn whole (past the dataset's last record, when it ends inside)."""
        if len(self.lanes) == 1:
            return self.lanes[0].block(index)
        # A mix: each persona's next ``share`` records, in positions drawn for the block.
        which = self._positions(index)
        per_lane = [
            lane.records(index * share, (index + 1) * share)
            for lane, share in zip(self.lanes, self.shares, strict=True)
        ]
        cursor = [0] * len(self.lanes)
        out = []
        for k in which.tolist():
            out.append(per_lane[k][cursor[k]])
            cursor[k] += 1
        self.lanes[0].generator.number(out, index * BLOCK_SIZE)
        return out

    def _row_spans(self) -> list[tuple[Generator, int]]:
        """Each persona's generator and how many row numbers its records take (a mix
        numbers each persona's records apart: k + n*i), for personas with records."""
        q, r = divmod(self.count, BLOCK_SIZE)
        # Each persona's records in the dataset: its share of every whole block, and of the
        # last block's first r positions.
        tail = np.bincount(self._positions(q)[:r], minlength=len(self.lanes)).tolist()
        out = []
        for lane, share, extra in zip(self.lanes, self.shares, tail, strict=True):
            mine = q * share + extra
            if mine:
                out.append((lane.generator, lane.generator.rows(mine - 1, 1)[0] + 1))
        return out

    def _check_pattern_room(self, spans: list[tuple[Generator, int]]) -> None:
        """Refuse, before anything is made, more records than a unique patterned column
        has values (``^[0-9]{3}$``: 1000): row numbers past them would repeat values. A
        column whose values take the row number as a suffix (``word_123``) has no such
        limit, and is let through."""
        for gen, span in spans:
            for _, what in pattern_limits(gen.synth, gen.entity, span):
                raise GenerationError(
                    f"{what}; the {self.count} records (numbered up to {span - 1}) "
                    "cannot all differ"
                )

    def _check_unique_room(self, spans: list[tuple[Generator, int]]) -> None:
        """Refuse, before anything is made, a dataset with more records than a unique key
        of its entity can tell apart (an enum of 3 members, an integer up to 1000)."""
        for gen, span in spans:
            if not gen.keyed:
                continue
            for _, what in key_limits(gen.synth, gen.entity.name, span):
                if span == self.count:
                    why = f"{self.count} records cannot all differ"
                else:  # (a mix numbers each persona's records apart: k + n*i)
                    why = (
                        f"the {self.count} records of this mix of {len(self.lanes)} personas "
                        f"are numbered up to {span - 1} (each persona's apart), so they "
                        "cannot all differ"
                    )
                raise GenerationError(f"{what}; {why}")

    def _positions(self, index: int) -> np.ndarray:
        """The persona of each position of block ``index`` (a mix)."""
        rng = block_stream(self.seed, self.key, "mix", index)
        return rng.permutation(np.repeat(np.arange(len(self.lanes)), self.shares))

    def block_range(self, start: int = 0, stop: int | None = None) -> BlockSpans:
        """``(block index, lo, hi)`` for each block covering records ``[start, stop)``, made
        as they are read (a run of 10**12 records must not list 10**9 blocks first). A
        ``stop`` past the end is the end; a negative ``start`` is refused (it named blocks
        before the first, records no run holds)."""
        for name, value in (("start", start), ("stop", stop)):
            if (value is not None or name == "start") and not is_whole_number(value):
                raise UsageError(f"{name} must be a whole number, got {value!r}")
        if start < 0 or (stop is not None and stop < 0):
            raise UsageError(f"records [{start}, {stop}): a record number is 0 or more")
        start = int(start)
        stop = self.count if stop is None else min(int(stop), self.count)
        return BlockSpans(start, max(start, stop))

    def chunk(self, index: int, lo: int, hi: int) -> list[Record]:
        """Records ``lo:hi`` of block ``index``."""
        records = self.block(index)
        return records if (lo, hi) == (0, len(records)) else records[lo:hi]

    @property
    def columnar(self) -> bool:
        """Whether ``chunk_columns`` gives blocks as columns: one persona's flat rows (a
        mix places its personas' records one by one)."""
        return len(self.lanes) == 1 and self.lanes[0].generator.flat_rows

    def chunk_columns(self, index: int, lo: int, hi: int) -> RowColumns:
        """Records ``lo:hi`` of block ``index`` as columns (a ``columnar`` dataset): the
        rows ``chunk`` gives."""
        return self.lanes[0].columns_block(index).slice(lo, hi)

    def blocks(self, start: int = 0, stop: int | None = None) -> Iterator[list[Record]]:
        """Records ``[start, stop)`` in order, one list per block touched (made in
        ``self.workers`` processes)."""
        if self.workers > 1:
            # Imported here: the process pool is built on this module.
            from persona_gen.runtime.parallel import record_blocks

            for chunk, stats in record_blocks(self, self.workers, start, stop):
                self.stats.merge(stats)
                yield chunk
            return
        for index, lo, hi in self.block_range(start, stop):
            chunk = self.chunk(index, lo, hi)
            self.stats.add(chunk)
            yield chunk

    def record_batches(self, start: int = 0, stop: int | None = None) -> Iterator[Any]:
        """Records ``[start, stop)`` as ``pyarrow.RecordBatch``es, one per block touched: the
        columns and types of ``--format parquet`` (docs/scaling-out.md)."""
        from persona_gen.runtime.arrow import record_batches

        return record_batches(self, start, stop)

    def __getstate__(self) -> dict[str, Any]:
        # Pickled for Spark's executors, which make records: the profile stays here (only a
        # file written here takes its schema), and travels with no dataset.
        state = dict(self.__dict__)
        state.pop("profile", None)
        return state

    def write(
        self, output: str | PathLike[str], format: str | None = None, *, pretty: bool = False
    ) -> dict[str, Any]:
        """Write the records to the file ``output`` as ``persona-gen quick -o OUTPUT`` does
        (``generate``, for a dataset of a profile): in ``format`` (``jsonl``, ``parquet``…),
        else the one the file's extension says; the manifest goes beside it
        (``OUTPUT.manifest.json``) and is returned."""
        from persona_gen.runtime.write import write_file

        return write_file(self, output, format, pretty=pretty)

    def to_spark(self, spark: Any, partitions: int | None = None) -> Any:
        """The records as a ``pyspark.sql.DataFrame`` of the SparkSession ``spark``, each
        block made on an executor (``mapInArrow``); the rows are those of ``--format
        parquet``, in order, for any number of ``partitions`` (docs/scaling-out.md)."""
        from persona_gen.runtime.spark import to_spark

        return to_spark(self, spark, partitions)

    @classmethod
    def from_profile(
        cls,
        profile: str | PathLike[str],
        name: str | None = None,
        *,
        seed: int | None = None,
        persona_dirs: str | PathLike[str] | Sequence[str | PathLike[str]] = (),
        epoch_ms: int | None = None,
    ) -> Dataset:
        """The dataset ``name`` of a profile file, as ``persona-gen generate`` makes it
        (``seed`` overrides the profile's, as ``-s`` does; ``persona_dirs``: ``-p``;
        ``epoch_ms``, the reference time, overrides the profile's ``start``, as ``--start``
        does). A profile of one dataset needs no name. Without a seed here or in the
        profile, a fresh one is drawn: ``dataset.seed`` replays it."""
        from persona_gen.personas.loader import PersonaCatalog
        from persona_gen.profiles.loader import load_profile
        from persona_gen.runtime.generate import plan
        from persona_gen.seeds import fresh_seed

        if not isinstance(profile, (str, PathLike)):
            raise UsageError(f"from_profile takes a profile file's path, got {profile!r:.80}")
        if seed is not None:
            _check_seed(seed)
        catalog = PersonaCatalog(persona_dirs)
        loaded = load_profile(Path(profile), catalog)
        planned = plan(
            loaded, catalog, persona=None, seed=seed, out_dir=Path(), fresh_seed=fresh_seed
        )
        names = [item.name for item in planned]
        if name is None and len(planned) == 1:
            name = names[0]
        chosen = [item for item in planned if item.name == name]
        if not chosen:
            which = "give one of" if name is None else f"no dataset '{name}'; it has"
            raise UsageError(f"{profile}: {which}: {', '.join(names)}")
        item = chosen[0] if epoch_ms is None else replace(chosen[0], epoch_ms=epoch_ms)
        # (built alone: a dataset bound for a database is not tied to the run's load group)
        built = item.build(loaded)
        built.profile = loaded  # (the schema an avro or protobuf file is written with)
        return built

    def settings(self) -> dict[str, Any]:
        """Dataset-level decisions (e.g. a legacy file dialect) of the first persona."""
        return self.lanes[0].engine.trace(0).settings


class BlockSpans(Sequence[tuple[int, int, int]]):
    """The ``(block index, lo, hi)`` spans of records ``[start, stop)``: block by block,
    computed on demand; sliced, a view of every k-th span (as a worker takes its share)."""

    def __init__(self, start: int, stop: int, blocks: range | None = None) -> None:
        self.start, self.stop = start, stop
        if blocks is None:
            first, last = start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE
            blocks = range(first, last + 1) if stop > start else range(0)
        self.blocks = blocks

    def __len__(self) -> int:
        return len(self.blocks)

    @overload
    def __getitem__(self, at: int) -> tuple[int, int, int]: ...
    @overload
    def __getitem__(self, at: slice) -> BlockSpans: ...
    def __getitem__(self, at: int | slice) -> tuple[int, int, int] | BlockSpans:
        if isinstance(at, slice):
            return BlockSpans(self.start, self.stop, self.blocks[at])
        index = self.blocks[at]
        base = index * BLOCK_SIZE
        return index, max(self.start - base, 0), min(self.stop - base, BLOCK_SIZE)


def _check_seed(seed: object) -> None:
    if not is_whole_number(seed) or not 0 <= seed <= MAX_SEED:  # type: ignore[operator]
        raise UsageError(f"seed must be a whole number between 0 and 2^63-1, got {seed!r:.80}")


def _check_personas(personas: object) -> None:
    """Refuse what is not a non-empty list of ``(Persona, weight)`` pairs with positive
    finite weights (NumPy made a zero weight "negative dimensions are not allowed", and a
    persona's name an AttributeError)."""
    form = "a list of (Persona, weight) pairs, e.g. [(PersonaCatalog().get('normal_user'), 1.0)]"
    if not isinstance(personas, (list, tuple)) or not personas:
        raise UsageError(f"personas must be {form}, got {personas!r:.80}")
    for at, pair in enumerate(personas):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise UsageError(f"personas[{at}] must be a (Persona, weight) pair, got {pair!r:.80}")
        persona, weight = pair
        if isinstance(persona, str):
            raise UsageError(
                f"personas[{at}] is the name {persona!r:.80}, not a persona: "
                f"load it with PersonaCatalog().get({persona!r:.80})"
            )
        if not isinstance(persona, Persona):
            raise UsageError(f"personas[{at}] must hold a Persona, got {persona!r:.80}")
        if not isinstance(weight, Real) or isinstance(weight, bool) or not 0 < float(weight) < inf:
            raise UsageError(
                f"personas[{at}]: the weight must be a positive finite number, got {weight!r:.80}"
            )
    if not isfinite(sum(float(w) for _, w in personas)):
        raise UsageError("the weights must add up to a finite number (they are relative)")


def _check_entity(
    personas: Sequence[tuple[Persona, float]], domain: Domain | None, entity: str | None
) -> None:
    """Refuse an entity the domain (given, or each persona's built-in one) does not hold."""
    if entity is None:
        return
    if not isinstance(entity, str):
        raise UsageError(f"entity must be an entity's name, got {entity!r:.80}")
    for persona, _ in personas:
        known = (domain or builtin_domain(persona.population.kind)).entities
        if entity not in known:
            raise UnknownNameError("entity", entity, known)


def is_whole_number(value: object) -> bool:
    """Whether an argument is a whole number: an int or a NumPy integer, not a bool, a float
    (``2.0``), a text or None."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def _shares(weights: np.ndarray) -> list[int]:
    """Each persona's records per block: its weight in 1/1024ths of a block (largest
    remainders), at least one for every persona."""
    if len(weights) > BLOCK_SIZE:
        raise GenerationError(f"a mix holds at most {BLOCK_SIZE} personas, got {len(weights)}")
    raw = weights * BLOCK_SIZE
    counts = np.floor(raw).astype(np.int64)
    by_remainder = np.argsort(-(raw - counts), kind="stable")
    counts[by_remainder[: BLOCK_SIZE - int(counts.sum())]] += 1
    for k in np.flatnonzero(counts == 0).tolist():  # a tiny weight still shows
        counts[k] = 1
        counts[int(np.argmax(counts))] -= 1
    shares: list[int] = counts.tolist()
    return shares


def _require_one_entity(lanes: list[_Lane], key: str) -> None:
    """File rows share one set of columns (and one table): a mix of personas whose built-in
    entities differ (a device's readings, a user's profile) cannot share a file."""
    entities = {lane.persona.name: lane.generator.entity.name for lane in lanes}
    if len(set(entities.values())) > 1:
        made = ", ".join(f"{p} → {e}" for p, e in entities.items())
        raise GenerationError(
            f"dataset '{key}': file rows of one dataset must be one entity, but its personas "
            f"make different ones ({made}); give each its own dataset, or import a schema so "
            "they share its entity"
        )


Limit = tuple[int, str]
"""A unique key too small for a dataset: how many records it can tell apart, and what it is
(``'b' must be unique but has only 9 allowed values (1 to 9)``)."""


def key_limits(synth: Synthesizer, entity: str, span: int) -> list[Limit]:
    """The unique keys of ``entity`` (a column's bounded values, a key's combinations: the
    synthesizer's ``unique_room``) that records numbered up to ``span - 1`` outgrow, in the
    order ``Dataset`` checks them."""
    out = []
    for key, room, which in synth.unique_room(entity):
        if room >= span:
            continue
        if len(key) == 1:
            what, unit = f"'{key[0]}' must be unique", "allowed value"
        else:  # (a key of several columns: its combinations, ``generators.keys``)
            what, unit = f"({', '.join(key)}) must be unique together", "combination"
        out.append((room, f"{what} but has only {room} {unit}{'s' if room != 1 else ''} ({which})"))
    return out


def pattern_limits(synth: Synthesizer, entity: Entity, span: int) -> list[Limit]:
    """The unique patterned columns of ``entity`` that records numbered up to ``span - 1``
    outgrow (``^[0-9]{3}$``: 1000 values), but those whose values take the row number as a
    suffix."""
    return [
        (room, f"'{name}' must be unique but its pattern {pattern!r} has only {room} values")
        for name, room, pattern in _pattern_rooms(entity)
        if room < span and not _suffixed(synth, entity, name, span)
    ]


def _suffixed(synth: Synthesizer, entity: Entity, name: str, span: int) -> bool:
    """Whether the unique field ``name`` takes the row number as a suffix up to row
    ``span - 1`` (probed on the last rows, whose suffixes are the longest)."""
    field = entity.schema.field(name)
    last = range(max(0, span - 64), span)
    return field is not None and suffixed_unique(synth, field.schema, name, last)


def _pattern_rooms(entity: Entity) -> list[tuple[str, int, str]]:
    """The unique one-column keys of ``entity`` whose values are its pattern's, numbered
    (see ``numbered_matches``): ``(field, how many values, pattern)``."""
    if entity.schema.type != "object" or entity.schema.variants:
        return []
    unique = entity.unique_columns
    out = []
    for f in entity.schema.fields:
        s = f.schema
        if f.name not in unique or s.type != "string" or not s.pattern or s.enum is not None:
            continue
        if s.has_const or s.format is not None:
            continue
        room = pattern_room(s.pattern, s.min_length or 0, s.max_length)
        if room is not None:
            out.append((f.name, room, s.pattern))
    return out
