"""Persona mixes: each persona's share of every block, its own stream continued from block to
block, keys unique across personas, one fault baseline, and blocks made in any order."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from persona_gen import Dataset, PersonaCatalog
from persona_gen.runtime.schema_import import import_schema
from persona_gen.seeds import BLOCK_SIZE

CATALOG = PersonaCatalog()
MIX = [(CATALOG.get("normal_user"), 0.6), (CATALOG.get("legacy_client"), 0.4)]


def _records(dataset: Dataset) -> list[dict[str, object]]:
    return [r for block in dataset.blocks() for r in block]


def test_every_block_holds_each_personas_share() -> None:
    records = _records(Dataset(MIX, "api", 3 * BLOCK_SIZE, 5, key="mix"))
    for b in range(3):
        block = records[b * BLOCK_SIZE : (b + 1) * BLOCK_SIZE]
        assert Counter(r["persona"] for r in block) == {"normal_user": 614, "legacy_client": 410}


def test_the_profile_format_page_gives_the_shares_a_mix_takes() -> None:
    # The page said 0.6 / 0.3 / 0.1 give 614, 307 and 103 records; a block holds 615, 307
    # and 102 (614.4 and 102.4 tie, and the weights' float sum breaks the tie).
    page = (Path(__file__).parent.parent / "docs" / "profile-format.md").read_text("utf-8")
    said = re.search(r"so 0\.6 / 0\.3 / 0\.1 give (\d+), (\d+) and (\d+) records", page)
    assert said, "the example left docs/profile-format.md: update this test"
    names = ("normal_user", "legacy_client", "noisy_device")
    mix = [(CATALOG.get(n), w) for n, w in zip(names, (0.6, 0.3, 0.1), strict=True)]
    block = _records(Dataset(mix, "load", BLOCK_SIZE, 5, key="shares"))
    taken = Counter(r["persona"] for r in block)
    assert [taken[n] for n in names] == [int(g) for g in said.groups()]


def test_a_persona_in_a_mix_continues_its_own_stream() -> None:
    # Its records are what it makes alone, in order: no part of its timeline is skipped.
    mixed = _records(Dataset(MIX, "load", 5 * BLOCK_SIZE, 5, key="k"))
    for persona, _ in MIX:
        own = [r for r in mixed if r["persona"] == persona.name]
        alone = _records(Dataset([(persona, 1.0)], "load", len(own), 5, key="k"))
        assert own == alone


def test_fault_mix_has_one_baseline_and_positions_as_index() -> None:
    records = _records(Dataset(MIX, "fault", 2 * BLOCK_SIZE + 10, 3, key="f"))
    assert [i for i, r in enumerate(records) if r["baseline"]] == [0]
    assert [r["index"] for r in records] == list(range(len(records)))


def test_serial_keys_are_unique_across_the_personas_of_a_mix(tmp_path: Path) -> None:
    ddl = tmp_path / "t.sql"
    ddl.write_text("CREATE TABLE t (id SERIAL PRIMARY KEY, code VARCHAR(8) UNIQUE);\n")
    domain = import_schema(ddl, "ddl").domain
    mix = [*MIX, (CATALOG.get("edge_case_user"), 0.2)]
    records = _records(Dataset(mix, "file", 3000, 1, key="t", domain=domain, entity="t"))
    for column in ("id", "code"):
        values = [r[column] for r in records if r[column] is not None]
        assert len(values) == len(set(values)), column


def test_mixed_blocks_are_the_same_made_in_any_order() -> None:
    ordered = Dataset(MIX, "streaming", 4 * BLOCK_SIZE, 9, key="s")
    by_order = [ordered.block(b) for b in range(4)]
    for b in (3, 1):
        assert Dataset(MIX, "streaming", 4 * BLOCK_SIZE, 9, key="s").block(b) == by_order[b]
