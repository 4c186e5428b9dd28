"""A run's reference time named by the user: ``--start``, a profile's ``start:``."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from persona_gen import Dataset
from persona_gen.errors import UsageError
from persona_gen.reference_time import LAST_MS, iso_ms, parse_reference_time
from tests.helpers import run_cli

MS_2026 = 1_795_910_400_000  # 2026-11-29T00:00:00Z


@pytest.mark.parametrize(
    ("value", "ms"),
    [
        ("2026-11-29", MS_2026),
        ("2026-11-29T00:00:00Z", MS_2026),
        ("2026-11-29t00:00:00z", MS_2026),
        ("2026-11-29T00:00:00", MS_2026),  # (no offset: UTC)
        ("2026-11-29T01:00:00+01:00", MS_2026),
        ("2026-11-29T00:00:00.123456Z", MS_2026 + 123),  # (finer than a ms: cut)
        (" 2026-11-29 ", MS_2026),
        (datetime(2026, 11, 29, tzinfo=UTC), MS_2026),
        (datetime(2026, 11, 28, 19, tzinfo=timezone(timedelta(hours=-5))), MS_2026),
        (datetime(2026, 11, 29), MS_2026),  # (YAML's naive timestamps are UTC)
        (date(2026, 11, 29), MS_2026),
        ("1970-01-01", 0),
        ("9999-12-31T23:59:59.999Z", LAST_MS),
    ],
)
def test_forms_of_a_start(value: Any, ms: int) -> None:
    assert parse_reference_time(value) == ms


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tomorrow", "expected 'now', a date"),
        ("", "expected 'now', a date"),
        ("29/11/2026", "expected 'now', a date"),
        (1795910400, "got int 1795910400"),
        ("1969-12-31T23:59:59Z", "must be from 1970-01-01 to 9999-12-31"),
        ("9999-12-31T23:59:59-01:00", "must be from 1970-01-01 to 9999-12-31"),
    ],
)
def test_what_is_not_a_start(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_reference_time(value)


def test_now_is_the_current_time() -> None:
    before = time.time_ns() // 1_000_000
    got = parse_reference_time("NOW")
    assert before <= got <= time.time_ns() // 1_000_000


@given(st.integers(0, LAST_MS))
def test_iso_text_reads_back_as_the_same_millisecond(ms: int) -> None:
    text = iso_ms(ms)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", text)
    assert parse_reference_time(text) == ms


# -- quick --------------------------------------------------------------------------------------


def _quick(tmp_path: Path, kind: str, *extra: str) -> tuple[list[dict[str, Any]], Any, str]:
    out = tmp_path / f"{kind}-{len(list(tmp_path.iterdir()))}.jsonl"
    result = run_cli(["quick", "normal_user", "-t", kind, "-n", "50", "-s", "9", "-o", str(out)])
    if extra:
        result = run_cli(
            ["quick", "normal_user", "-t", kind, "-n", "50", "-s", "9", "-o", str(out), *extra]
        )
    assert result.code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    return rows, manifest, result.stderr


_ISO = re.compile(r"^\d{4}-\d\d-\d\d")


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return "<time>" if isinstance(value, str) and _ISO.match(value) else value


@pytest.mark.parametrize(("kind", "field"), [("api", "timestamp"), ("streaming", "event_time")])
def test_start_moves_the_times_and_nothing_else(tmp_path: Path, kind: str, field: str) -> None:
    plain, plain_manifest, _ = _quick(tmp_path, kind)
    moved, manifest, _ = _quick(tmp_path, kind, "--start", "2026-11-29T00:00:00Z")
    assert manifest["reference_time_ms"] == MS_2026 != plain_manifest["reference_time_ms"]
    times = [parse_reference_time(row[field]) for row in moved]
    assert min(times) >= MS_2026 and max(times) < MS_2026 + 3_600_000
    assert [_without_times(r) for r in moved] == [_without_times(r) for r in plain]


# Personas whose behaviours read an event's time: intermittent_connectivity's offline slots,
# battery_drain's levels, rate_limits' quota windows. Another start used to give them other
# offline windows, batteries and quotas: another stream (0 of 3,000 noisy_device records kept
# their keys, event ids and payloads), not the seed's moved.
@pytest.mark.parametrize(
    ("persona", "kind"),
    [
        ("noisy_device", "streaming"),
        ("noisy_device", "api"),
        ("high_volume_system", "streaming"),
        ("high_volume_system", "load"),
    ],
)
@pytest.mark.parametrize("shift_ms", [1_234_567, -86_400_000 * 400 + 17])
def test_a_start_moves_every_time_by_the_same_amount(
    persona: str, kind: str, shift_ms: int
) -> None:
    from persona_gen.personas.loader import PersonaCatalog
    from persona_gen.seeds import reference_epoch_ms

    def records(epoch_ms: int | None) -> list[dict[str, Any]]:
        dataset = Dataset([(PersonaCatalog().get(persona), 1.0)], kind, 2500, 7, epoch_ms=epoch_ms)
        return [r for block in dataset.blocks() for r in block]

    plain, moved = records(None), records(reference_epoch_ms(7) + shift_ms)
    assert [_without_times(r) for r in moved] == [_without_times(r) for r in plain]
    field = {"streaming": "event_time", "api": "timestamp", "load": None}[kind]
    if field is not None:
        assert {
            parse_reference_time(m[field]) - parse_reference_time(p[field])
            for p, m in zip(plain, moved, strict=True)
        } == {shift_ms}


def test_start_now_says_the_moment_and_it_replays(tmp_path: Path) -> None:
    rows, manifest, err = _quick(tmp_path, "api", "--start", "now")
    said = re.search(r"start now is (\S+) \(pass --start (\S+) to replay\)", err)
    assert said is not None and said.group(1) == said.group(2)
    assert parse_reference_time(said.group(1)) == manifest["reference_time_ms"]
    now = time.time_ns() // 1_000_000
    assert now - 60_000 < manifest["reference_time_ms"] <= now
    again, _, _ = _quick(tmp_path, "api", "--start", said.group(1))
    assert again == rows


def test_load_offsets_count_from_the_start(tmp_path: Path) -> None:
    plain, _, _ = _quick(tmp_path, "load")
    moved, manifest, _ = _quick(tmp_path, "load", "--start", "2026-11-29")
    assert manifest["reference_time_ms"] == MS_2026
    assert moved == plain


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("tomorrow", "--start: expected 'now', a date (2026-11-29) or an ISO 8601 time"),
        ("1900-01-01", "--start: must be from 1970-01-01 to 9999-12-31, got '1900-01-01'"),
    ],
)
def test_a_bad_start_is_one_line(tmp_path: Path, start: str, message: str) -> None:
    out = tmp_path / "o.jsonl"
    result = run_cli(["quick", "normal_user", "-t", "api", "-o", str(out), "--start", start])
    assert result.code == 1
    assert result.stderr.strip() == f"persona-gen: error: {message}" or message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_a_start_too_late_for_the_records_says_so(tmp_path: Path) -> None:
    result = run_cli(
        ["quick", "normal_user", "-t", "api", "-n", "2000", "--start", "9999-12-31T23:59:00Z"]
    )
    assert result.code == 1
    assert "start earlier (--start)" in result.stderr


# -- profiles -----------------------------------------------------------------------------------

PROFILE = """\
name: starts
seed: 5
start: 2026-06-01T12:00:00+02:00
personas:
  - name: normal_user
datasets:
  - name: a
    type: api
    count: 3
    format: jsonl
  - name: b
    type: streaming
    count: 3
    format: jsonl
    start: now
  - name: c
    type: load
    count: 3
    format: jsonl
    start: "2026-11-29"
  - name: d
    type: file
    count: 3
    format: jsonl
    start: now
"""


def _references(folder: Path) -> dict[str, int]:
    return {
        name: json.loads((folder / f"{name}.jsonl.manifest.json").read_text())["reference_time_ms"]
        for name in "abcd"
    }


def test_a_profile_s_starts_and_their_order(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    result = run_cli(["generate", str(profile), "-o", str(tmp_path / "out")])
    assert result.code == 0, result.stderr
    starts = _references(tmp_path / "out")
    june = int(datetime(2026, 6, 1, 10, tzinfo=UTC).timestamp() * 1000)
    assert starts["a"] == june
    assert starts["c"] == MS_2026
    assert starts["b"] == starts["d"]  # (one 'now' for the run)
    said = re.search(r"start now is (\S+) ", result.stderr)
    assert said is not None and parse_reference_time(said.group(1)) == starts["b"]
    # --start overrides every dataset's
    result = run_cli(
        ["generate", str(profile), "-o", str(tmp_path / "o2"), "--start", "2030-01-01"]
    )
    assert result.code == 0, result.stderr
    assert set(_references(tmp_path / "o2").values()) == {parse_reference_time("2030-01-01")}
    assert "start now" not in result.stderr
    # the Python API plans as generate does, and epoch_ms= overrides as --start does
    assert Dataset.from_profile(profile, "a").epoch_ms == june
    assert Dataset.from_profile(profile, "b", epoch_ms=MS_2026).epoch_ms == MS_2026
    with pytest.raises(UsageError, match="epoch_ms must be a whole number"):
        Dataset.from_profile(profile, "a", epoch_ms=-1)


def test_dry_run_shows_a_named_start(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    result = run_cli(
        ["generate", str(profile), "--dry-run", "--start", "2026-11-29T01:00:00+01:00"]
    )
    assert result.code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert {d["start"] for d in plan["datasets"]} == {"2026-11-29T00:00:00.000Z"}


def test_a_bad_start_in_a_profile_names_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE.replace("start: now", "start: yesterday", 1))
    result = run_cli(["generate", str(profile), "-o", str(tmp_path / "out")])
    assert result.code == 1
    assert f"{profile}:15:5: datasets[1].start: expected 'now', a date" in result.stderr
    assert not (tmp_path / "out").exists()
