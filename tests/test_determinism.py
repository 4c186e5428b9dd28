"""Determinism contract: same inputs, same bytes; partition invariance for every generator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona_gen import Dataset, PersonaCatalog
from persona_gen.seeds import BLOCK_SIZE, block_stream, stable_hash
from tests.helpers import GENERATORS, PERSONAS, run_cli

CATALOG = PersonaCatalog()
SRC = Path(__file__).resolve().parent.parent / "src"


def run_in_env(args: list[str], cwd: Path | None = None, **env: str) -> bytes:
    """``persona-gen args``'s stdout, run in a fresh interpreter with ``env`` set (the time
    zone, the locale and the hash seed are read once, at start-up)."""
    ran = subprocess.run(
        [sys.executable, "-m", "persona_gen", *args],
        capture_output=True,
        check=False,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(SRC), **env},
    )
    assert ran.returncode == 0, ran.stderr.decode(errors="replace")
    return ran.stdout


@pytest.mark.parametrize("generator", GENERATORS)
def test_same_seed_same_bytes_other_seed_other_bytes(generator: str) -> None:
    args = ["quick", "edge_case_user", "-t", generator, "-n", "40", "--pretty"]
    first = run_cli([*args, "-s", "42"])
    second = run_cli([*args, "-s", "42"])
    other = run_cli([*args, "-s", "43"])
    assert first.code == second.code == other.code == 0
    assert first.stdout == second.stdout
    assert first.stdout != other.stdout


def test_without_seed_a_fresh_seed_is_reported_and_replays() -> None:
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "5"])
    assert result.code == 0
    seed = result.stderr.split("using seed ")[1].split()[0]
    replay = run_cli(["quick", "normal_user", "-t", "api", "-n", "5", "-s", seed])
    assert replay.stdout == result.stdout


def _collect(dataset: Dataset, start: int, stop: int) -> list[bytes]:
    return [orjson.dumps(r) for block in dataset.blocks(start, stop) for r in block]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    generator=st.sampled_from(GENERATORS),
    persona=st.sampled_from(PERSONAS),
    n=st.integers(1, 3 * BLOCK_SIZE),
    cut=st.floats(0, 1),
    seed=st.integers(0, 2**32),
)
def test_partition_invariance(generator: str, persona: str, n: int, cut: float, seed: int) -> None:
    """Records [0, n) at once equal [0, k) followed by [k, n), generated separately."""
    k = int(n * cut)
    whole = Dataset([(CATALOG.get(persona), 1.0)], generator, n, seed)
    parts = Dataset([(CATALOG.get(persona), 1.0)], generator, n, seed)
    assert _collect(whole, 0, n) == _collect(parts, 0, k) + _collect(parts, k, n)


def test_a_block_can_be_produced_alone() -> None:
    persona = CATALOG.get("noisy_device")
    full = Dataset([(persona, 1.0)], "streaming", 3 * BLOCK_SIZE, 5)
    alone = Dataset([(persona, 1.0)], "streaming", 3 * BLOCK_SIZE, 5)
    blocks = list(full.blocks())
    assert orjson.dumps(alone.block(2)) == orjson.dumps(blocks[2])


def test_mixed_population_is_partition_invariant() -> None:
    mix = [(CATALOG.get("normal_user"), 0.7), (CATALOG.get("noisy_device"), 0.3)]
    n = 2 * BLOCK_SIZE + 17
    whole = [r for b in Dataset(mix, "api", n, 9).blocks() for r in b]
    parts = Dataset(mix, "api", n, 9)
    split = [r for b in parts.blocks(0, 1000) for r in b] + [
        r for b in parts.blocks(1000, n) for r in b
    ]
    assert orjson.dumps(whole) == orjson.dumps(split)
    share = sum(r["persona"] == "noisy_device" for r in whole) / n
    assert 0.25 < share < 0.35


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "parquet"])
def test_workers_do_not_change_the_bytes(tmp_path: Path, generator: str, fmt: str) -> None:
    outputs = []
    for workers in ("1", "2"):
        target = tmp_path / f"w{workers}.{fmt}"
        result = run_cli(
            [
                "quick",
                "high_volume_system",
                "-t",
                generator,
                "-n",
                "3000",
                "-s",
                "8",
                "--workers",
                workers,
                "-o",
                str(target),
            ]
        )
        assert result.code == 0, result.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_parquet_round_trip(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    target = tmp_path / "rows.parquet"
    assert (
        run_cli(
            ["quick", "normal_user", "-t", "file", "-n", "2500", "-s", "4", "-o", str(target)]
        ).code
        == 0
    )
    table = pq.read_table(target)
    assert table.num_rows == 2500
    assert str(table.schema.field("age").type) == "int64"
    assert table.column("email")[0].as_py() == records_of("normal_user", "file", 1, 4)[0]["email"]


def records_of(persona: str, generator: str, n: int, seed: int) -> list[dict[str, object]]:
    return [
        r for b in Dataset([(CATALOG.get(persona), 1.0)], generator, n, seed).blocks() for r in b
    ]


@pytest.mark.parametrize("generator", ["load", "file"])
def test_workers_do_not_change_a_parquet_file_of_many_parts(tmp_path: Path, generator: str) -> None:
    # Parquet's unit of work is a part of 32 blocks: 3,000 records above are one part, made
    # by one process whatever --workers says. 70,000 records are three parts.
    outputs = []
    for workers in ("1", "2", "3"):
        target = tmp_path / f"w{workers}.parquet"
        argv = ["quick", "noisy_device", "-t", generator, "-n", "70000", "-s", "4"]
        result = run_cli([*argv, "--workers", workers, "-o", str(target)])
        assert result.code == 0, result.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


_LABELS = st.one_of(st.text(max_size=8), st.integers(0, 2**70), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63 - 1), st.lists(_LABELS, max_size=5))
def test_a_stream_is_the_seed_sequence_of_the_seed_and_label_hashes(
    seed: int, labels: list[object]
) -> None:
    # The contract's definition of a stream; block_stream builds the entropy words itself.
    words = [seed & 0xFFFFFFFF, seed >> 32, *(stable_hash(label) for label in labels)]
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))
    assert (
        block_stream(seed, *labels).integers(0, 2**63, 4) == expected.integers(0, 2**63, 4)
    ).all()


@pytest.mark.parametrize("taken", [1, 301, 1024, 1500, 2048])
def test_manifest_counts_of_a_run_stopped_part_way_are_of_the_records_taken(taken: int) -> None:
    # A sink stopped by --duration or Ctrl-C has made whole blocks but taken fewer records:
    # its manifest counts behaviours, mutations and invalid records of those taken only.
    from persona_gen.runtime.manifest import manifest

    persona = PersonaCatalog([]).get("edge_case_user")
    made = Dataset([(persona, 1.0)], "fault", 2048, 5)
    for _ in made.blocks():
        pass
    alone = Dataset([(persona, 1.0)], "fault", taken, 5)
    for _ in alone.blocks():
        pass
    stopped = manifest(made, output=None, fmt="jsonl", taken=taken)
    whole = manifest(alone, output=None, fmt="jsonl")
    for key in ("count", "behaviours_touched", "expected_invalid", "mutations"):
        assert stopped[key] == whole[key]


@pytest.mark.parametrize("generator", GENERATORS)
def test_manifest_counts_are_those_of_the_records_written(generator: str) -> None:
    # The counts are kept column by column (not record by record): they must still be the
    # records' own labels, file rows' ";"-joined ones included.
    from collections import Counter

    from persona_gen.runtime.manifest import manifest

    persona = PersonaCatalog([]).get("edge_case_user")
    dataset = Dataset([(persona, 1.0)], generator, 1500, 11)
    records = [r for block in dataset.blocks() for r in block]
    tags: Counter[str] = Counter()
    mutations: Counter[str] = Counter()
    invalid = 0
    for r in records:
        labels = r["behaviors"] if "behaviors" in r else (r["_behaviors"] or "").split(";")
        tags.update(t for t in labels if t)
        if r.get("mutation") is not None:
            mutations[r["mutation"]] += 1
        invalid += r.get("expected_valid", r.get("_expected_valid")) is False
    written = manifest(dataset, output=None, fmt="jsonl")
    assert written["behaviours_touched"] == dict(sorted(tags.items()))
    assert written.get("mutations", {}) == dict(sorted(mutations.items()))
    assert written["expected_invalid"] == invalid
    assert tags  # (edge_case_user labels records of every generator)
    assert invalid or generator == "load"  # (a load schedule has no validity flag)


def test_epoch_dates_do_not_depend_on_the_time_zone(tmp_path: Path) -> None:
    # A zone-less date (birth_date: "1994-06-08") sent as epoch seconds was read in the
    # machine's time zone: another TZ, other seconds.
    (tmp_path / "epochy.yaml").write_text(
        "name: epochy\nversion: 1.0.0\ndescription: epoch dates\nextends: legacy_client\n"
        "behaviors:\n  deprecated_formats:\n    epoch_dates: 1.0\n"
    )
    args = ["quick", "epochy", "-p", str(tmp_path), "-t", "api", "-n", "600", "-s", "5"]
    args += ["-f", "jsonl"]
    outputs = [run_in_env(args, TZ=tz) for tz in ("UTC", "Asia/Kolkata", "Pacific/Chatham")]
    assert b'"birth_date":' in outputs[0]
    assert any(isinstance(v, int) for v in _values_of(outputs[0], "birth_date"))
    assert outputs[0] == outputs[1] == outputs[2]


def _values_of(jsonl: bytes, key: str) -> list[object]:
    """Every value of ``key`` at any depth of the records of a JSON Lines text."""
    found: list[object] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == key:
                    found.append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for line in jsonl.splitlines():
        walk(orjson.loads(line))
    return found


# A stand-in for another machine's zlib: a valid deflate stream, other bytes (zlib-ng,
# Chromium's zlib or another version compress differently at the same level).
_OTHER_ZLIB = """
import sys, zlib
compress = zlib.compress
zlib.compress = lambda data, level=-1, wbits=15: compress(data, 1, wbits)
from persona_gen.runtime.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("generator", ["streaming", "file"])
def test_avro_files_do_not_depend_on_the_machines_zlib(tmp_path: Path, generator: str) -> None:
    outputs = []
    for script in ("from persona_gen.runtime.cli import main; main()", _OTHER_ZLIB):
        target = tmp_path / f"{len(outputs)}.avro"
        args = ["quick", "normal_user", "-t", generator, "-n", "1500", "-s", "3"]
        subprocess.run(
            [sys.executable, "-c", script, *args, "-o", str(target)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    ("block", "field", "pairs"),
    [
        ("errors", "statuses", ["500: 0.3", "404: 0.2", "503: 0.5"]),
        (
            "connection_issues",
            "kinds",
            ["read_timeout: 0.5", "dns_failure: 0.2", "connection_reset: 0.3"],
        ),
    ],
)
def test_the_order_of_a_weight_maps_keys_does_not_change_the_records(
    tmp_path: Path, block: str, field: str, pairs: list[str]
) -> None:
    """A mapping's key order is formatting (docs/determinism.md): the same weights written in
    another order make the same records, as the persona's content hash already said."""
    made = []
    for folder, order in (("as_written", pairs), ("reversed", pairs[::-1])):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "p.yaml").write_text(
            "name: p\npopulation: {kind: user}\nbehaviors:\n"
            f"  {block}: {{rate: 0.5, {field}: {{{', '.join(order)}}}}}\n"
        )
        persona = PersonaCatalog([tmp_path / folder]).get("p")
        made.append(
            (persona.content_hash, _collect(Dataset([(persona, 1.0)], "api", 300, 1), 0, 300))
        )
    assert made[0][0] == made[1][0]
    assert made[0][1] == made[1][1]


# The wall clock and ambient randomness are banned from generation by ruff's banned-api rule
# (docs/determinism.md#no-ambient-entropy). time.time_ns, datetime.utcnow / today and
# date.today read the same clock, and got past it: reference_time.py read time.time_ns
# unflagged, while the page said only seeds.py and the progress bar may.
@pytest.mark.parametrize(
    "call",
    [
        "import time\ntime.time()",
        "import time\ntime.time_ns()",
        "import datetime\ndatetime.datetime.now()",
        "import datetime\ndatetime.datetime.utcnow()",
        "import datetime\ndatetime.datetime.today()",
        "import datetime\ndatetime.date.today()",
        "import random\nrandom.random()",
        "import uuid\nuuid.uuid4()",
    ],
)
def test_generation_code_cannot_read_the_clock(tmp_path: Path, call: str) -> None:
    root = Path(__file__).resolve().parents[1]
    module = tmp_path / "module.py"
    module.write_text(call + "\n")
    config = str(root / "pyproject.toml")
    options = ["--select", "TID251", "--no-cache", "--output-format", "concise"]
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", config, *options, str(module)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 1, found.stdout + found.stderr
    assert "TID251" in found.stdout
