"""generate: plan a profile's datasets and produce them (or print the plan)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_gen.errors import UsageError
from persona_gen.personas.loader import Persona, PersonaCatalog
from persona_gen.profiles.loader import Profile
from persona_gen.runtime.dataset import Dataset
from persona_gen.sinks import FORMATS

__all__ = ["PlannedDataset", "plan"]


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

    def describe(self) -> dict[str, Any]:
        return {
            "dataset": self.name,
            "type": self.generator,
            "count": self.count,
            "seed": self.seed,
            "format": self.fmt,
            "personas": {p.name: round(w, 4) for p, w in self.personas},
            "entity": self.entity,
            "output": self.sink or (str(self.output) if self.output else "<stdout>"),
        }

    def dataset(self, profile: Profile) -> Dataset:
        return Dataset(
            self.personas,
            self.generator,
            self.count,
            self.seed,
            key=self.name,
            domain=profile.domain,
            entity=self.entity,
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
) -> list[PlannedDataset]:
    """What ``generate`` will produce: one entry per dataset, fully resolved."""
    spec = profile.spec
    if dry_run and out_dir is None:
        out_dir = Path("<-o DIR>")  # show where files would go
    to_files = [ds for ds in spec.datasets if not (sink or ds.sink)]
    if out_dir is None and len(to_files) > 1:
        raise UsageError(
            f"{profile.path}: this profile has {len(spec.datasets)} datasets; "
            "give -o DIR to write them as files"
        )
    chosen: list[tuple[Persona, float]] | None = None
    if persona is not None:
        chosen = [(catalog.get(persona), 1.0)]
    run_seed = seed if seed is not None else spec.seed
    if run_seed is None and any(ds.seed is None for ds in spec.datasets):
        run_seed = fresh_seed()
    default_entity = spec.source.entity if spec.source else None
    out: list[PlannedDataset] = []
    for i, ds in enumerate(spec.datasets):
        name = ds.name or f"{spec.name}_{ds.type}_{i + 1}"
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
                sink or ds.sink,
            )
        )
    return out
