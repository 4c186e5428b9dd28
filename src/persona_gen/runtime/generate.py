"""generate: plan a profile's datasets and produce them (or print the plan)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from persona_gen.errors import DatasetsError, PersonaGenError, UsageError
from persona_gen.personas.loader import Persona, PersonaCatalog
from persona_gen.profiles.loader import Profile, dataset_name
from persona_gen.reference_time import iso_ms, parse_reference_time
from persona_gen.runtime.dataset import Dataset
from persona_gen.sinks import FORMATS, masked_url

if TYPE_CHECKING:
    from persona_gen.sinks.database import LoadGroup
    from persona_gen.sinks.encoders import Encoder

__all__ = ["PlannedDataset", "Prepared", "crud_notes", "plan", "prepare"]


@dataclass(frozen=True)
class PlannedDataset:
    name: str
    generator: str
    count: int
    seed: int
    fmt: str
    personas: list[tuple[Persona, float]]
    entity: str | None
    output: Path | None
    sink: str | None = None
    epoch_ms: int | None = None  # the reference time named (--start, start:), else the seed's
    # Datasets of this run going to the same database: loaded in one transaction.
    load_group: LoadGroup | None = field(default=None, compare=False, repr=False)

    def describe(self) -> dict[str, Any]:
        return {
            "dataset": self.name,
            "type": self.generator,
            "count": self.count,
            "seed": self.seed,
            "format": self.fmt,
            # (significant digits, not decimals: a weight of 1e-6 still gets records, and
            # rounded to 4 decimals it showed as 0.0)
            "personas": {p.name: float(f"{w:.6g}") for p, w in self.personas},
            "entity": self.entity,
            "output": masked_url(self.sink)
            if self.sink
            else (str(self.output) if self.output else "<stdout>"),
            # (only when named: without, the reference time is the seed's)
            **({"start": iso_ms(self.epoch_ms)} if self.epoch_ms is not None else {}),
        }

    def dataset(self, profile: Profile) -> Dataset:
        """The dataset to produce (for a member of a ``load_group``, the group's one)."""
        if self.load_group is not None:
            return self.load_group.dataset(self.name, profile)
        return self.build(profile)

    def build(self, profile: Profile) -> Dataset:
        return Dataset(
            self.personas,
            self.generator,
            self.count,
            self.seed,
            key=self.name,
            domain=profile.domain,
            entity=self.entity,
            epoch_ms=self.epoch_ms,
        )


def plan(
    profile: Profile,
    catalog: PersonaCatalog,
    *,
    persona: str | None,
    seed: int | None,
    out_dir: Path | None,
    fresh_seed: Any,
    dry_run: bool = False,
    sink: str | None = None,
    start: str | None = None,
    now_ms: Callable[[], int] | None = None,
) -> list[PlannedDataset]:
    """What ``generate`` will produce: one entry per dataset, fully resolved. ``start`` (as
    ``--start`` gives it) overrides the profile's; ``now_ms`` is asked at most once, for
    every ``now`` of the run."""
    spec = profile.spec
    if dry_run and out_dir is None:
        out_dir = Path("<-o DIR>")  # show where files would go
    chosen: list[tuple[Persona, float]] | None = None
    if persona is not None:  # (a wrong name is said before a missing -o)
        chosen = [(catalog.get(persona), 1.0)]
    to_files = [ds for ds in spec.datasets if not (sink or ds.sink)]
    if out_dir is None and len(to_files) > 1:
        raise UsageError(
            f"{profile.path}: this profile has {len(spec.datasets)} datasets; "
            "give -o DIR to write them as files"
        )
    run_seed = seed if seed is not None else spec.seed
    if run_seed is None and any(ds.seed is None for ds in spec.datasets):
        run_seed = fresh_seed()
    default_entity = spec.source.entity if spec.source else None
    moments = _Moments(now_ms)
    out: list[PlannedDataset] = []
    for i, ds in enumerate(spec.datasets):
        name = dataset_name(spec, i)
        weights = chosen or [
            (catalog.get(p.name), p.weight)
            for p in spec.personas
            if ds.personas is None or p.name in ds.personas
        ]
        ds_seed = seed if seed is not None else (ds.seed if ds.seed is not None else run_seed)
        assert ds_seed is not None
        extension = FORMATS.get(ds.format).extension
        target = None
        if out_dir is not None:
            target = out_dir / (ds.output or f"{name}.{extension}")
        out.append(
            PlannedDataset(
                name,
                ds.type,
                ds.count,
                int(ds_seed),
                ds.format,
                weights,
                ds.entity or default_entity,
                None if (sink or ds.sink) else target,
                sink or profile.sink_of(ds),
                moments.ms(start or ds.start or spec.start),
            )
        )
    return _group_databases(out)


class _Moments:
    """Starts as written, in milliseconds; ``now`` the same moment for every dataset."""

    def __init__(self, now_ms: Callable[[], int] | None) -> None:
        self.now_ms = now_ms
        self.now: int | None = None

    def ms(self, text: str | None) -> int | None:
        if text is None:
            return None
        if text.strip().lower() != "now":
            return parse_reference_time(text)
        if self.now is None:
            self.now = self.now_ms() if self.now_ms is not None else parse_reference_time("now")
        return self.now


def crud_notes(planned: list[PlannedDataset], profile: Profile) -> list[str]:
    """What to say, once per entity, about api datasets whose imported schema declares no
    operations (JSON Schema, Avro, DDL, Protobuf): the api generator makes up the
    conventional CRUD operations for them."""
    domain = profile.domain
    if domain is None or domain.source == "builtin" or domain.operations:
        return []
    from persona_gen.entities.builtin import crud_operations

    out: dict[str, str] = {}
    for item in planned:
        entity = domain.entities.get(item.entity or domain.primary)
        if item.generator == "api" and entity is not None and entity.name not in out:
            collection, item_path = (op.path for op in crud_operations(entity)[:2])
            out[entity.name] = (
                f"{entity.name} has no operations in its schema; api uses generic CRUD "
                f"paths {collection} and {item_path}"
            )
    return list(out.values())


def _group_databases(planned: list[PlannedDataset]) -> list[PlannedDataset]:
    """Datasets going to one database share a ``LoadGroup``: they are loaded together, in one
    transaction, their foreign keys linked across them (docs/sinks.md)."""
    if sum(1 for item in planned if item.sink) < 2:
        return planned
    from persona_gen.sinks.database import LoadGroup, same_database

    shared: dict[tuple[str, str], list[int]] = {}
    for i, item in enumerate(planned):
        key = same_database(item.sink) if item.sink else None
        if key is not None:
            shared.setdefault(key, []).append(i)
    out = list(planned)
    for members in shared.values():
        if len(members) < 2:
            continue
        group = LoadGroup()
        for i in members:
            item = out[i] = replace(planned[i], load_group=group)
            assert item.sink is not None
            group.add(item.name, item.sink, item.build)
    return out


class Prepared(NamedTuple):
    """A planned dataset, built, with the encoder of its file (None: it goes to a sink)."""

    item: PlannedDataset
    dataset: Dataset
    encoder: Encoder | None


def prepare(
    planned: list[PlannedDataset], profile: Profile, pretty: bool = False
) -> list[Prepared]:
    """Every dataset of a run built, with its encoder, before any is written: one that cannot
    be made (a unique key with too few values, a format that cannot hold its records) is
    refused before the files of the datasets ahead of it exist, so a refused run leaves no
    dataset of it behind (an error while writing is another matter: docs/errors.md)."""
    from persona_gen.runtime.write import make_encoder
    from persona_gen.sinks.avro import warn_on_stderr

    said: set[str] = set()

    def warn_once(message: str) -> None:
        # (datasets sharing one missing schema file: one warning, not one per dataset)
        if message not in said:
            said.add(message)
            warn_on_stderr(message)

    out = []
    failed: list[PersonaGenError] = []  # (every dataset that cannot be made is said at once)
    for item in planned:
        try:
            dataset = item.dataset(profile)
            encoder = (
                None if item.sink else make_encoder(dataset, item.fmt, pretty, profile, warn_once)
            )
        except PersonaGenError as exc:
            exc.dataset = exc.dataset or item.name  # (which one failed, of several)
            failed.append(exc)
            continue
        out.append(Prepared(item, dataset, encoder))
    if len(failed) == 1:
        raise failed[0]
    if failed:
        raise DatasetsError(failed)
    _plan_database_loads(out)
    return out


def _plan_database_loads(prepared: list[Prepared]) -> None:
    """The tables of every database load planned, without connecting: a dataset whose
    records are not table rows, an entity with no columns or two entities for one table is
    refused here, before any dataset is written (and by ``validate``), not when its load
    starts."""
    from persona_gen.sinks.database_plan import plan_tables
    from persona_gen.sinks.database_url import parse_database_url, same_database

    loads: dict[tuple[str, str], list[tuple[str, Dataset, str | None]]] = {}
    for item, dataset, _ in prepared:
        key = same_database(item.sink) if item.sink else None
        if key is not None:
            assert item.sink is not None
            table = parse_database_url(item.sink).table
            loads.setdefault(key, []).append((item.name, dataset, table))
    for (kind, _), members in loads.items():
        try:
            plan_tables(members, "sqlite" if kind == "sqlite" else "postgres")
        except PersonaGenError as exc:
            if len(members) == 1:
                exc.dataset = exc.dataset or members[0][0]
            raise
