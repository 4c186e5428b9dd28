"""Rules that hold over a whole dataset and its rows: unique keys unique across blocks, labels
that say what a row holds, outputs kept inside the output directory, one violation per field."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from helpers import run_cli
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import check_dataset

UNIQUE_CODE = """\
name: unique_code
personas: {personas}
datasets:
  - {{name: rows, type: file, count: {count}, format: jsonl, output: rows.jsonl}}
domain:
  primary: Item
  entities:
    Item:
      primary_key: [id]
      unique: [[code]]
      schema:
        type: object
        fields:
          id: {{type: string, format: uuid}}
          code: {{type: string, pattern: "^[0-9]{{{digits}}}$"}}
"""


def _unique_code(
    tmp_path: Path, count: int, digits: int = 5, personas: str = "[normal_user]", name: str = "p"
) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(UNIQUE_CODE.format(count=count, digits=digits, personas=personas))
    return path


def _codes(out: Path) -> list[str]:
    lines = (out / "rows.jsonl").read_bytes().splitlines()
    return [json.loads(line)["code"] for line in lines]


@pytest.mark.parametrize("personas", ["[normal_user]", "{normal_user: 0.7, edge_case_user: 0.3}"])
def test_a_unique_pattern_column_is_unique_over_the_whole_dataset(
    tmp_path: Path, personas: str
) -> None:
    profile = _unique_code(tmp_path, 5000, personas=personas)
    assert run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "a")]).code == 0
    codes = _codes(tmp_path / "a")
    assert len(codes) == 5000 and len(set(codes)) == 5000
    assert all(len(c) == 5 and c.isdigit() for c in codes)
    # Partition invariance: a shorter dataset is a prefix, and workers change nothing.
    short = _unique_code(tmp_path, 3000, personas=personas, name="short")
    assert run_cli(["generate", str(short), "-s", "1", "-o", str(tmp_path / "b")]).code == 0
    assert _codes(tmp_path / "b") == codes[:3000]
    args = ["generate", str(profile), "-s", "1", "--workers", "2", "-o", str(tmp_path / "c")]
    assert run_cli(args).code == 0
    assert _codes(tmp_path / "c") == codes
    assert check_dataset(tmp_path / "a/rows.jsonl", load_profile(profile)).ok


def test_a_unique_pattern_with_too_few_values_is_refused_up_front(tmp_path: Path) -> None:
    profile = _unique_code(tmp_path, 1001, digits=3)
    result = run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "out")])
    assert result.code != 0
    assert "'code' must be unique" in result.stderr and "1000 values" in result.stderr
    assert not (tmp_path / "out" / "rows.jsonl").exists()
    fits = _unique_code(tmp_path, 1000, digits=3, name="fits")
    assert run_cli(["generate", str(fits), "-s", "1", "-o", str(tmp_path / "ok")]).code == 0
    assert len(set(_codes(tmp_path / "ok"))) == 1000


@pytest.mark.parametrize("generator", ["file", "fault"])
def test_a_unique_field_keyed_by_row_number_has_no_pattern_room_limit(generator: str) -> None:
    # The built-in username ('^[a-z0-9_.]+$', 3-32 characters) is a word with the row
    # number after it: 2e11 records were refused for the room of the pattern's own
    # numbering (38**7), which such values never use.
    from persona_gen import Dataset, PersonaCatalog

    persona = PersonaCatalog([]).get("normal_user")
    dataset = Dataset([(persona, 1.0)], generator, 200_000_000_000, 1)
    last = dataset.block(dataset.count // 1024 - 1)
    assert len(last) == 1024
    if generator == "file":
        names = [r["username"] for r in last if r["_expected_valid"]]
        assert names and all(3 <= len(n) <= 32 and n.rsplit("_", 1)[1] for n in names)


def test_check_reports_repeated_unique_keys(tmp_path: Path) -> None:
    profile = _unique_code(tmp_path, 50)
    assert run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "a")]).code == 0
    data = tmp_path / "a/rows.jsonl"
    rows = [json.loads(line) for line in data.read_bytes().splitlines()]
    rows[30]["code"] = rows[4]["code"]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = check_dataset(data, load_profile(profile))
    assert not report.ok
    assert Counter(p.kind for p in report.problems) == {"duplicate": 1}
    assert report.problems[0].index == 30 and "record 4" in report.problems[0].reason


NULLABLE_REQUIRED = """\
name: nullable_required
personas: [only_missing]
datasets:
  - {{name: rows, type: file, count: 600, format: {fmt}, output: rows.{fmt}}}
domain:
  primary: Thing
  entities:
    Thing:
      primary_key: [id]
      schema:
        type: object
        fields:
          id: {{type: string, format: uuid}}
          seen_at: {{type: string, format: date-time, nullable: true}}
"""


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_removed_required_field_that_may_be_null_is_labelled_as_the_row_holds_it(
    tmp_path: Path, fmt: str
) -> None:
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / "only_missing.yaml").write_text(
        "name: only_missing\n"
        "behaviors:\n  malformed_inputs: {rate: 0.5, kinds: [missing_required]}\n"
    )
    profile = tmp_path / "p.yaml"
    profile.write_text(NULLABLE_REQUIRED.format(fmt=fmt))
    out = tmp_path / "out"
    args = ["generate", str(profile), "-s", "1", "-p", str(personas), "-o", str(out)]
    assert run_cli(args).code == 0
    data = out / f"rows.{fmt}"
    result = run_cli(["check", str(data), "--profile", str(profile), "-p", str(personas)])
    assert result.code == 0, result.stdout.decode()
    if fmt == "jsonl":
        rows = [json.loads(line) for line in data.read_bytes().splitlines()]
        broken = [r for r in rows if r["_violations"] == "seen_at:required"]
        assert len(broken) > 200
        assert all("seen_at" not in r for r in broken)
        assert all("seen_at" in r for r in rows if r["_expected_valid"])


@pytest.mark.parametrize(
    ("output", "why"),
    [
        ("../../escape.jsonl", "leaves the output directory"),
        ("sub/../../escape.jsonl", "leaves the output directory"),
        ("/tmp/escape.jsonl", "is an absolute path"),
        ("C:\\\\escape.jsonl", "is an absolute path"),
    ],
)
def test_an_output_outside_the_output_directory_is_refused(
    tmp_path: Path, output: str, why: str
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        f'  - {{name: a, type: file, count: 5, output: "{output}"}}\n'
    )
    out = tmp_path / "x" / "y"
    result = run_cli(["generate", str(profile), "-o", str(out)])
    assert result.code != 0
    assert f"{profile}:4:" in result.stderr and "datasets[0].output" in result.stderr
    assert why in result.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "escape.jsonl").exists()


def test_an_output_in_a_subdirectory_of_the_output_directory_is_written(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: a, type: file, count: 5, format: jsonl, output: ./sub/../rows/a.jsonl}\n"
    )
    assert run_cli(["generate", str(profile), "-o", str(tmp_path / "out")]).code == 0
    assert len((tmp_path / "out/rows/a.jsonl").read_bytes().splitlines()) == 5


BURSTY = """\
name: bursty_sensor
population: {kind: device}
behaviors:
  timing: {rate_per_second: 50}
  intermittent_connectivity: {offline_share: 0.3, window_s: 10, on_offline: drop}
  signal_noise: {sigma: 0.02, spike_rate: 0.0, signal_loss_rate: 0.3}
"""


def test_a_field_emptied_by_a_cut_row_carries_only_the_cut_s_violation(tmp_path: Path) -> None:
    from persona_gen import Dataset, PersonaCatalog

    (tmp_path / "bursty_sensor.yaml").write_text(BURSTY)
    catalog = PersonaCatalog([tmp_path])
    dataset = Dataset([(catalog.get("bursty_sensor"), 1.0)], "file", 3000, 5)
    rows = [r for block in dataset.blocks() for r in block]
    cut = [r for r in rows if r["_violations"].endswith("measured_at:required")]
    assert len(cut) > 20
    for r in rows:
        fields = [v.rsplit(":", 1)[0] for v in fields_of(r)]
        assert len(fields) == len(set(fields)), r["_violations"]
        # A field the label says is missing holds nothing.
        assert all(
            r[v[: -len(":required")]] is None for v in fields_of(r) if v.endswith(":required")
        )


def fields_of(row: dict[str, object]) -> list[str]:
    return [v for v in str(row["_violations"]).split(";") if v]
