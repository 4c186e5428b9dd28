"""Per-actor picks (legacy clients, offline windows, battery phases) are pure functions of the
actor, salted by the run: the same for an actor in every block of a run, different from seed
to seed (a new seed is a new population)."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from pathlib import Path

import numpy as np

from persona_gen.personas.engine import PersonaEngine
from persona_gen.personas.loader import PersonaCatalog

EPOCH_MS = 1_735_689_600_000
BLOCKS = range(4)


def _engine(tmp_path: Path, body: str, seed: int, dataset: str = "picks") -> PersonaEngine:
    # A small population of short sessions: every actor acts in each of a few blocks.
    sessions = "  session: {length: {dist: geometric, mean: 4}, users: 300}\n"
    (tmp_path / "picks.yaml").write_text("name: picks\n" + textwrap.dedent(body) + sessions)
    return PersonaEngine(PersonaCatalog([tmp_path]).get("picks"), seed, dataset, EPOCH_MS)


def _per_key(values: list[tuple[object, object]]) -> dict[object, object]:
    """One value per key, asserting that every event of a key had that same value."""
    seen: dict[object, set[object]] = defaultdict(set)
    for key, value in values:
        seen[key].add(value)
    assert all(len(v) == 1 for v in seen.values()), "a key's pick differs between events"
    return {key: next(iter(v)) for key, v in seen.items()}


def _differing_share(a: dict[object, object], b: dict[object, object]) -> float:
    common = a.keys() & b.keys()
    assert len(common) > 100
    return sum(a[k] != b[k] for k in common) / len(common)


_LEGACY = """\
behaviors:
  deprecated_formats: {rate: 0.5}
"""


def _legacy_actors(engine: PersonaEngine) -> dict[object, object]:
    pairs = []
    for block in BLOCKS:
        trace = engine.trace(block)
        pairs += zip(trace.actor.tolist(), trace.marks["deprecated"].tolist(), strict=True)
    return _per_key(pairs)


def test_legacy_clients_are_the_same_actors_in_every_block_and_others_with_another_seed(
    tmp_path: Path,
) -> None:
    one, two = (_legacy_actors(_engine(tmp_path, _LEGACY, seed)) for seed in (1, 2))
    # Half the actors are legacy with each seed; which half changes with it.
    assert 0.4 < np.mean(list(one.values())) < 0.6
    assert 0.35 < _differing_share(one, two) < 0.65


def test_an_actor_is_the_same_client_in_every_dataset_of_a_run(tmp_path: Path) -> None:
    # The id 'usr-000042' names the same client whichever dataset of the run it is in.
    api, stream = (_legacy_actors(_engine(tmp_path, _LEGACY, 1, key)) for key in ("a", "b"))
    assert _differing_share(api, stream) == 0.0


def _offline_slots(engine: PersonaEngine, window_s: float) -> dict[object, object]:
    pairs = []
    for block in BLOCKS:
        trace = engine.trace(block)
        # Slots are of the seed's timeline (a named start only moves the times), numbered
        # from the seed's reference time's: so two seeds' slots of one hour of events meet.
        window_ms = int(window_s * 1000)
        slot = (trace.t_ms - engine.shift_ms) // window_ms - engine.epoch_ms // window_ms
        slots = slot.tolist()
        offline = [d is not None for d in trace.detail("offline").tolist()]
        pairs += zip(zip(trace.actor.tolist(), slots, strict=True), offline, strict=True)
    return _per_key(pairs)


def test_offline_windows_are_the_same_in_every_block_and_others_with_another_seed(
    tmp_path: Path,
) -> None:
    # Buffered events keep their times, so each event says whether its (actor, slot) is off.
    body = """\
    behaviors:
      intermittent_connectivity: {offline_share: 0.5, window_s: 3600, on_offline: buffer}
    """
    one, two = (_offline_slots(_engine(tmp_path, body, seed), 3600) for seed in (1, 2))
    assert 0.35 < _differing_share(one, two) < 0.65


def _battery_levels(engine: PersonaEngine) -> dict[int, float]:
    levels: dict[int, list[float]] = defaultdict(list)
    for block in BLOCKS:
        trace = engine.trace(block)
        for actor, level in zip(trace.actor.tolist(), trace.battery.tolist(), strict=True):
            levels[actor].append(level)
    # Draining 0.001 % an hour, a device's level holds still over these few minutes.
    assert all(max(v) - min(v) < 0.01 for v in levels.values()), "a device's phase moved"
    return {actor: v[0] for actor, v in levels.items()}


def test_battery_phases_are_the_same_in_every_block_and_others_with_another_seed(
    tmp_path: Path,
) -> None:
    body = """\
    behaviors:
      battery_drain: {drain_per_hour: 0.001}
    """
    one, two = (_battery_levels(_engine(tmp_path, body, seed)) for seed in (1, 2))
    common = one.keys() & two.keys()
    assert len(common) > 100
    moved = [abs(one[a] - two[a]) > 0.01 for a in common]
    assert np.mean(moved) > 0.9
