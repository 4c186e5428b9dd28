"""The tables of a database load, parents first: each with its entity, its table and the
datasets whose rows go in, plus generated parent rows for the tables a load's foreign keys
reach that none of its datasets fills."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from persona_gen.entities.model import deref
from persona_gen.errors import UsageError
from persona_gen.sinks.tables import Table, create_table_sql, table_for

if TYPE_CHECKING:
    from persona_gen.entities.model import Domain, Entity, Schema
    from persona_gen.runtime.dataset import Dataset

__all__ = ["Part", "Source", "Where", "dataset_table", "plan_tables"]

Where = tuple[int, int]  # (source within the table, row index within that source's dataset)


def dataset_table(
    dataset: Dataset, table: str | None = None, dialect: str = "postgres"
) -> tuple[Table, Entity, Domain]:
    """The table a dataset's rows fit in ``dialect`` (postgres, sqlite), its entity and
    domain; a ``UsageError`` for generators whose records are not table rows."""
    if dataset.generator != "file":
        # (load rows are flat, but a schedule of requests, not rows of the entity's table)
        what = (
            "a schedule of requests, not rows of a table"
            if dataset.generator == "load"
            else "nested envelopes"
        )
        raise UsageError(
            f"a database or SQL output takes the 'file' generator's rows (flat table rows); "
            f"'{dataset.generator}' records are {what}: write them as json/jsonl "
            "or send them to Kafka"
        )
    generator: Any = dataset.lanes[0].generator
    entity: Entity = generator.entity
    domain: Domain = generator.ctx.domain
    spec = table_for(entity, domain, table, dialect=dialect)
    if not spec.columns:
        # (``INSERT INTO t () VALUES ()`` is not SQL, and rows of no values hold no data)
        raise UsageError(
            f"entity '{entity.name}' has no fields to make table columns of "
            f"({_why_no_columns(entity.schema)}); write its dataset as json, jsonl, csv or "
            "parquet (rows of one 'value' column)"
        )
    return spec, entity, domain


def _why_no_columns(schema: Schema) -> str:
    """Why a table of ``schema`` has no columns, in a few words."""
    if schema.type == "object":
        return "its object declares no properties, or only read-only ones"
    from persona_gen.generators.file import value_shapes

    return f"its records are not objects: {value_shapes(schema)}"


@dataclass(eq=False)
class Source:
    """One dataset's rows for a table."""

    dataset: Dataset
    label: str  # how an error names these rows: "the dataset", "dataset 'orders'"...
    name: str = ""  # the dataset's name in the load ("" for generated parent rows)


@dataclass(eq=False)
class Part:
    """One table of a load: its entity and table, and the datasets whose rows go in."""

    entity: Entity
    domain: Domain
    spec: Table
    sources: list[Source]
    member: str  # the dataset it belongs to (its own, or the one its generated parents serve)
    names: dict[str, str] = field(default_factory=dict)  # entity -> table, for REFERENCES
    generated_for: list[str] = field(default_factory=list)
    rows: Iterable[tuple[Where, dict[str, Any]]] = ()
    linked: list[tuple[Where, dict[str, Any]]] | None = None  # when rows were linked
    together: list[str] = field(default_factory=list)  # every table of the load

    def create_sql(self, dialect: str) -> str:
        return create_table_sql(
            self.entity,
            dialect,
            domain=self.domain,
            table=self.spec.name,
            if_not_exists=True,
            names=self.names,
        )

    def references(self, parent: Part) -> bool:
        return self is not parent and any(
            fk.entity == parent.entity.name for fk in self.entity.foreign_keys
        )

    def where(self, at: Where | None) -> str:
        if at is None:
            return "a row"
        return f"row {at[1]} of {self.sources[at[0]].label}"


def _check_keys_shareable(part: Part, name: str) -> None:
    """Refuse a second dataset for a table with a key that each dataset spells from its own
    row numbers alone (an integer id; integer, enum and boolean columns together): the rows
    of both would repeat it from the first row on, and the load would fail. A key with a
    text column (a word with the row number after it, a UUID) differs by its drawn part; one
    over a foreign key is kept unique when rows are linked, across datasets too."""
    fields = {f.name: f.schema for f in part.entity.schema.fields}
    linked = {c for fk in part.entity.foreign_keys for c in fk.columns}
    for key in part.entity.keys:
        schemas = [deref(part.domain, fields[c]) for c in key if c in fields]
        if not linked.intersection(key) and all(map(_numbered, schemas)):
            first = part.sources[0].name
            raise UsageError(
                f"dataset '{name}': table '{part.spec.name}' is filled by dataset '{first}' "
                f"too, and each numbers its key ({', '.join(key)}) from its own first row, so "
                "their rows would repeat it; make them one dataset of several personas, or "
                "give each its own table with ?table=NAME"
            )


def _numbered(schema: Schema) -> bool:
    """Whether a key column's values come from the row number alone."""
    return schema.type in ("integer", "boolean") or bool(schema.enum) or schema.has_const


def plan_tables(
    members: list[tuple[str, Dataset, str | None]], dialect: str = "postgres"
) -> list[Part]:
    """The tables of a load into ``dialect`` (postgres, sqlite), parents first: the members'
    tables, and a table of generated parent rows for every table their foreign keys reach
    that no member fills."""
    from persona_gen.importers.ddl import insert_order

    domains: list[Domain] = []

    def domain_index(domain: Domain) -> int:
        for i, known in enumerate(domains):
            if known is domain or known == domain:
                return i
        domains.append(domain)
        return len(domains) - 1

    parts: dict[str, Part] = {}
    by_entity: dict[tuple[int, str], Part] = {}
    single = len(members) == 1
    for name, ds, table in members:
        spec, entity, domain = dataset_table(ds, table, dialect)
        d = domain_index(domain)
        source = Source(ds, "the dataset" if single else f"dataset '{name}'", name)
        part = parts.get(spec.name)
        if part is not None and (part.entity.name, domain_index(part.domain)) == (entity.name, d):
            _check_keys_shareable(part, name)
            part.sources.append(source)  # two datasets of one table: rows of both go in
            continue
        if part is not None or (d, entity.name) in by_entity:
            raise UsageError(
                f"dataset '{name}': its entity '{entity.name}' and table '{spec.name}' clash "
                "with another dataset of the same load; give each entity one table"
            )
        part = Part(entity, domain, spec, [source], name)
        parts[spec.name] = part
        by_entity[(d, entity.name)] = part
    for part in list(parts.values()):  # the members' tables: add the parents they reach
        d = domain_index(part.domain)
        stack = [part.entity]
        while stack:
            for fk in stack.pop().foreign_keys:
                parent = part.domain.entities.get(fk.entity)
                if parent is None or (d, parent.name) in by_entity:
                    continue
                spec = table_for(parent, part.domain, dialect=dialect)
                if spec.name in parts:
                    raise UsageError(
                        f"table '{spec.name}' would hold both another dataset's rows and "
                        f"the parent rows of '{part.spec.name}'; give the dataset its own table"
                    )
                made = Part(parent, part.domain, spec, [], part.member)
                parts[spec.name] = made
                by_entity[(d, parent.name)] = made
                stack.append(parent)
    orders = [insert_order(domain) for domain in domains]
    ordered = sorted(
        parts.values(),
        key=lambda p: (domain_index(p.domain), orders[domain_index(p.domain)].index(p.entity.name)),
    )
    for part in ordered:  # REFERENCES name the tables of this load (a table may be renamed)
        d = domain_index(part.domain)
        part.names = {e: p.spec.name for (i, e), p in by_entity.items() if i == d}
        part.spec = table_for(
            part.entity, part.domain, part.spec.name, names=part.names, dialect=dialect
        )
    _generate_parents(ordered, {name: ds for name, ds, _ in members})
    for part in ordered:
        part.together = [p.spec.name for p in ordered]
    return ordered


def _generate_parents(ordered: list[Part], datasets: dict[str, Dataset]) -> None:
    """Datasets for the tables no member fills: as many rows as the largest table that
    references them (so one-to-one links find a distinct parent for every row), with the
    personas, seed and reference time of the dataset they serve."""
    from persona_gen.runtime.dataset import Dataset

    counts: dict[str, int] = {}
    for part in reversed(ordered):
        if part.sources:
            counts[part.spec.name] = sum(s.dataset.count for s in part.sources)
            continue
        children = [c for c in ordered if c.references(part) and c.domain is part.domain]
        part.generated_for = [c.spec.name for c in children]
        src = datasets[part.member]
        need = max((counts.get(c.spec.name, 0) for c in children), default=0) or src.count
        rows = Dataset(
            list(zip(src.personas, src.weights.tolist(), strict=True)),
            "file",
            need,
            src.seed,
            key=f"{src.key}/{part.entity.name}",
            domain=part.domain,
            entity=part.entity.name,
            epoch_ms=src.epoch_ms,
        )
        label = f"the parent rows generated for '{', '.join(part.generated_for)}'"
        part.sources = [Source(rows, label)]
        counts[part.spec.name] = need
