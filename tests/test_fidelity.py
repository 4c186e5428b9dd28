"""Persona fidelity: what a persona declares is what a large sample shows.

Each test derives the expected value from the persona's own parameters, measures it over
~100k events, and allows a tolerance of a few standard errors (4 sigma, so a correct
implementation fails about once in 15,000 runs; seeds are fixed, so runs are repeatable).
"""

from __future__ import annotations

import copy
import itertools
import math
import textwrap
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import numpy as np
import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.entities.builtin import builtin_domain
from persona_gen.entities.model import Domain, Entity, Field, Schema
from persona_gen.entities.to_jsonschema import entity_json_schema
from persona_gen.generators.effects import _KEYBOARD, PayloadEffects
from persona_gen.personas.behaviours.typos import TyposParams
from persona_gen.personas.engine import PersonaEngine
from persona_gen.personas.trace import TRANSPORT_FAILURE, Trace
from persona_gen.seeds import BLOCK_SIZE
from persona_gen.values.synth import Synthesizer
from tests.helpers import records

CATALOG = PersonaCatalog()
BLOCKS = 100  # 102,400 events


def traces(persona: str, blocks: int = BLOCKS, seed: int = 11) -> list[Trace]:
    engine = PersonaEngine(CATALOG.get(persona), seed, "fidelity", 1_735_689_600_000)
    return [engine.trace(b) for b in range(blocks)]


def own_catalog(tmp_path: Path, name: str, body: str) -> PersonaCatalog:
    """A catalogue with one persona of the test's own, written to ``tmp_path``."""
    (tmp_path / f"{name}.yaml").write_text(f"name: {name}\n" + textwrap.dedent(body))
    return PersonaCatalog([tmp_path])


def params(persona: str, block: str) -> Any:
    return next(b.params for b in CATALOG.get(persona).behaviours if b.name == block)


def touched_share(ts: list[Trace], block: str) -> float:
    hits = sum(int(t.touched.get(block, np.zeros(t.n, bool)).sum()) for t in ts)
    return hits / sum(t.n for t in ts)


def assert_rate(measured: float, expected: float, n: int) -> None:
    sigma = math.sqrt(expected * (1 - expected) / n)
    assert abs(measured - expected) <= 4 * sigma + 1e-9, (measured, expected, sigma)


@pytest.mark.parametrize(
    ("persona", "block"),
    [
        ("normal_user", "rare_errors"),
        ("normal_user", "typos"),
        ("noisy_device", "errors"),
        ("legacy_client", "connection_issues"),
        ("edge_case_user", "unicode"),
        ("edge_case_user", "boundary_values"),
        ("edge_case_user", "malformed_inputs"),
        ("edge_case_user", "session_anomalies"),
    ],
)
def test_declared_rates_are_measured(persona: str, block: str) -> None:
    ts = traces(persona)
    assert_rate(touched_share(ts, block), params(persona, block).rate, BLOCKS * BLOCK_SIZE)


def test_error_statuses_follow_declared_weights() -> None:
    declared = params("normal_user", "rare_errors").statuses
    ts = traces("normal_user")
    counts: Counter[int] = Counter()
    for t in ts:
        counts.update(t.status[t.touched["rare_errors"]].tolist())
    total = sum(counts.values())
    weight_sum = sum(declared.values())
    for status, weight in declared.items():
        assert_rate(counts[status] / total, weight / weight_sum, total)


def test_api_records_show_the_error_rate() -> None:
    recs = records("normal_user", "api", 20_000)
    tagged = [r for r in recs if "rare_errors" in r["behaviors"]]
    assert_rate(len(tagged) / len(recs), 0.02, len(recs))
    declared = set(params("normal_user", "rare_errors").statuses)
    assert all(r["response"]["status"] in declared for r in tagged)


def test_transport_failures_have_no_response() -> None:
    recs = records("legacy_client", "api", 5000)
    failed = [
        r for r in recs if "connection_issues" in r["behaviors"] and r["response"]["status"] is None
    ]
    assert failed, "connection issues must produce failed exchanges"
    assert all(r["response"]["error"] for r in failed)
    ts = traces("legacy_client", 20)
    share = sum(int((t.status == TRANSPORT_FAILURE).sum()) for t in ts) / (20 * BLOCK_SIZE)
    assert_rate(share, params("legacy_client", "connection_issues").rate, 20 * BLOCK_SIZE)


def test_bursts_are_rate_spikes_of_the_declared_intensity() -> None:
    p = params("high_volume_system", "burst_traffic")
    in_burst: list[float] = []
    calm: list[float] = []
    for t in traces("high_volume_system", 40):
        gaps = np.diff(t.t_ms.astype(np.float64))
        mask = t.touched["burst_traffic"][1:] & t.touched["burst_traffic"][:-1]
        in_burst.extend(gaps[mask])
        calm_mask = ~(t.touched["burst_traffic"][1:] | t.touched["burst_traffic"][:-1])
        calm.extend(gaps[calm_mask])
    ratio = np.mean(calm) / max(np.mean(in_burst), 1e-9)
    # Timestamps are whole milliseconds, so very short gaps round; allow 35 %.
    assert p.intensity * 0.65 <= ratio <= p.intensity * 1.35, ratio
    assert_rate(
        touched_share(traces("high_volume_system", 40), "burst_traffic"),
        p.burst_share,
        40 * BLOCK_SIZE // 150,
    )  # bursts are ~150-event runs: fewer independent draws


def test_sustained_load_keeps_the_declared_rate() -> None:
    p = params("high_volume_system", "sustained_load")
    ts = traces("high_volume_system", 20)
    span_s = (ts[-1].t_ms.max() - ts[0].t_ms.min()) / 1000
    rate = sum(t.n for t in ts) / span_s
    assert abs(rate - p.rate_per_second) / p.rate_per_second < 0.05


def test_retry_storms_are_runs_of_one_request_id() -> None:
    recs = records("legacy_client", "api", 20_000)
    runs: dict[str, list[int]] = defaultdict(list)
    for r in recs:
        if "retry_storms" in r["behaviors"]:
            runs[r["request_id"]].append(r["attempt"])
    assert runs
    for attempts in runs.values():
        assert sorted(attempts) == list(range(1, len(attempts) + 1))
    p = params("legacy_client", "retry_storms")
    mean_run = np.mean([len(a) for a in runs.values()])
    # 1 first try + geometric retries (mean 6), truncated where a block ends.
    assert 1 + p.retries.mean() * 0.8 <= mean_run <= 1 + p.retries.mean() * 1.15, mean_run
    starts = len(runs) / len(recs)
    assert 0.5 * p.rate <= starts <= 1.1 * p.rate  # overlapping starts are absorbed


def test_rate_limits_are_never_exceeded() -> None:
    # Counted over the whole run: a window that goes on into the next block keeps its count
    # (quotas restarted with every block of 1,024 events, so an actor went over them there).
    p = params("high_volume_system", "rate_limits")
    throttled = 0
    counts: Counter[tuple[int, int]] = Counter()
    blocks_of: dict[tuple[int, int], set[int]] = defaultdict(set)
    for b, t in enumerate(traces("high_volume_system", 20)):
        window = t.t_ms // int(p.window_s * 1000)
        ok = t.status != p.status
        for key in zip(t.actor.tolist(), window.tolist(), strict=True):
            blocks_of[key].add(b)
        counts.update(zip(t.actor[ok].tolist(), window[ok].tolist(), strict=True))
        throttled += bool((t.status == p.status).any())
    assert max(counts.values()) <= p.limit
    assert sum(len(seen) > 1 for seen in blocks_of.values()) > 20  # (windows across blocks)
    # 800/s over 20 actors is 40 per actor and second: only bursts go over the quota of 60,
    # and now and then a calm stretch spans a whole block.
    assert throttled >= 8


def test_a_quota_window_across_a_span_start_keeps_its_count(tmp_path: Path) -> None:
    # Counts restarted where sessions are cut (every 64 blocks): a 60 s window open there
    # let each of 5 actors through 400 times, twice its limit of 200. The blocks just before
    # a span's first block now carry their counts over (traced alone).
    catalog = own_catalog(
        tmp_path,
        "quota",
        """
        behaviors:
          timing: {rate_per_second: 100, think_time_ms: 2000}
          session: {length: 50, users: 5}
          rate_limits: {limit: 200, window_s: 60}
        """,
    )
    engine = PersonaEngine(catalog.get("quota"), 5, "fidelity", 1_735_689_600_000)
    counts: Counter[tuple[int, int]] = Counter()
    for b in range(70):
        t = engine.trace(b)
        ok = t.status != 429
        # (windows are of the seed's timeline: a named start only moves the times)
        window = (t.t_ms[ok] - engine.shift_ms) // 60_000
        counts.update(zip(t.actor[ok].tolist(), window.tolist(), strict=True))
    assert max(counts.values()) == 200
    # (the same when the span's first block is made alone, as a worker may)
    alone = PersonaEngine(catalog.get("quota"), 5, "fidelity", 1_735_689_600_000).trace(64)
    assert (alone.status == engine.trace(64).status).all()


def test_offline_windows_and_loss_match_declared_shares() -> None:
    p = params("noisy_device", "intermittent_connectivity")
    ts = traces("noisy_device", 60)
    offline = [t.details["offline"] for t in ts]
    n_off = sum(int((o != None).sum()) for o in offline)  # noqa: E711 - object arrays
    n_lost = sum(int((o == "lost").sum()) for o in offline)
    assert_rate(n_lost / n_off, p.drop_share, n_off)
    # Offline slots: P(slot offline) = offline_share; windows merge, so events fall offline
    # at least that often and not much more.
    share = n_off / (60 * BLOCK_SIZE)
    assert p.offline_share * 0.8 <= share <= p.offline_share * 1.3, share
    buffered = [r for r in records("noisy_device", "streaming", 8000) if r["buffered"]]
    assert buffered and all(r["delay_ms"] > 0 for r in buffered)


def test_lost_events_show_as_sequence_gaps() -> None:
    recs = records("noisy_device", "streaming", 10 * BLOCK_SIZE)
    by_session: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in recs:
        if not r["duplicate"]:
            by_session[r["session_id"]].append(r)
    gaps = 0
    for events in by_session.values():
        seqs = sorted(e["sequence"] for e in events)
        gaps += (seqs[-1] - seqs[0] + 1) - len(seqs)
    assert gaps == sum(r["lost_before"] for r in recs if not r["duplicate"]) - sum(
        min(e["lost_before"] for e in ev if e["sequence"] == min(x["sequence"] for x in ev))
        for ev in by_session.values()
    )


def test_late_events_arrive_out_of_order() -> None:
    recs = records("noisy_device", "streaming", 10 * BLOCK_SIZE)
    event_times = [r["event_time"] for r in recs]
    inversions = sum(a > b for a, b in itertools.pairwise(event_times))
    assert inversions > 100  # ordered by arrival, so late events break event-time order
    p = params("noisy_device", "delayed_transmission")
    late = sum("delayed_transmission" in r["behaviors"] and not r["duplicate"] for r in recs)
    assert_rate(late / len(recs), p.rate * (1 - p.duplicate_rate), len(recs))
    dups = [r for r in recs if r["duplicate"]]
    ids = Counter(r["event_id"] for r in recs)
    assert dups and all(ids[d["event_id"]] >= 2 for d in dups)


def test_latency_and_think_time_follow_declared_medians() -> None:
    p = params("normal_user", "timing")
    recs = records("normal_user", "load", 20_000)
    latency = np.median([r["expected_latency_ms"] for r in recs])
    think = np.median([r["think_time_ms"] for r in recs if r["think_time_ms"] > 0])
    assert abs(latency - p.latency_ms.root.median) / p.latency_ms.root.median < 0.05
    assert abs(think - p.think_time_ms.root.median) / p.think_time_ms.root.median < 0.05


def test_slow_processing_multiplies_latency_and_times_out() -> None:
    p = params("legacy_client", "slow_processing")
    recs = records("legacy_client", "load", 10_000)
    latency = [r["expected_latency_ms"] for r in recs]
    # (replies are capped at the server's timeout; a transport failure got no reply: a read
    # timeout waits the client's timeout, the others fail within 50 ms)
    replies = [r["expected_latency_ms"] for r in recs if r["expected_status"] is not None]
    assert max(replies) <= p.timeout_ms
    cut = [r for r in recs if r["expected_status"] is None]
    assert {r["expected_latency_ms"] for r in cut if r["expected_error"] == "read_timeout"} == {
        r["timeout_ms"] for r in cut
    }
    assert all(r["expected_latency_ms"] <= 50 for r in cut if r["expected_error"] != "read_timeout")
    assert sum(r["expected_status"] == 504 for r in recs) > 0
    base = params("legacy_client", "timing").latency_ms.root.median
    assert np.median(latency) > 2.5 * base


def test_session_length_mean_matches_declared() -> None:
    p = params("normal_user", "session")
    ts = traces("normal_user", 30)
    # Each event is a trial "does the session end here?"; a session still going when the
    # traces end is censored: its last event is no trial. The censored-geometric MLE.
    closed = sum(int(t.session_last.sum()) for t in ts)
    sessions = np.unique(np.concatenate([t.session for t in ts])).size
    trials = sum(t.n for t in ts) - (sessions - closed)
    assert_rate(closed / trials, 1 / p.length.mean(), trials)


@pytest.mark.parametrize("persona", ["noisy_device", "high_volume_system"])
def test_sessions_longer_than_a_block_s_share_of_a_slot_keep_their_declared_length(
    persona: str,
) -> None:
    # Sessions used to end with the block: with 200 slots a block gives each about five
    # events, so noisy_device's sessions (declared mean 40) averaged 4.7 events, and
    # high_volume_system's (mean 200) 23. They now go on into the next block.
    declared = params(persona, "session").length.mean()
    ts = traces(persona, 64)  # (one span: sessions are cut every 64 blocks)
    sizes = np.unique(np.concatenate([t.session for t in ts]), return_counts=True)[1]
    assert 0.8 * declared <= sizes.mean() <= 1.1 * declared


def test_battery_drains_between_recharges() -> None:
    recs = records("noisy_device", "streaming", 6000)
    ts = traces("noisy_device", 6)
    p = params("noisy_device", "battery_drain")
    for t in ts:
        order = np.lexsort((t.t_ms, t.actor))
        actor, battery, time = t.actor[order], t.battery[order], t.t_ms[order]
        same = actor[1:] == actor[:-1]
        drop = battery[:-1] - battery[1:]
        hours = (time[1:] - time[:-1]) / 3_600_000
        expected = hours * p.drain_per_hour
        ok = same & (drop >= -1e-3)  # exclude recharges (level jumps back up)
        assert np.allclose(drop[ok], expected[ok], atol=1e-2)
    assert any("battery_drain" in r["behaviors"] for r in recs)


def test_rapid_actions_and_concurrency_come_from_one_actor() -> None:
    recs = records("edge_case_user", "api", 6000)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in recs:
        if r["concurrency"] > 1:
            groups[(r["actor_id"], r["session_id"] or "")].append(r)
    assert groups
    assert any(len(g) >= 2 for g in groups.values())
    rapid = [r for r in recs if "rapid_actions" in r["behaviors"]]
    assert rapid


def _scheduled_to_sent(load: list[dict[str, Any]], api: list[dict[str, Any]], method: str) -> float:
    """The mean payload_bytes a load schedule gives ``method`` over the mean size of the JSON
    bodies the api generator sends with it."""
    import orjson

    scheduled = [r["payload_bytes"] for r in load if r["method"] == method]
    sent = [
        len(orjson.dumps(r["request"]["body"]))
        for r in api
        if r["request"]["method"] == method and isinstance(r["request"]["body"], dict)
    ]
    return (sum(scheduled) / len(scheduled)) / (sum(sent) / len(sent))


def test_load_payload_sizes_are_the_api_bodies_sizes() -> None:
    # A load schedule's payload_bytes stands for the body the api generator sends: a PATCH
    # sends a third of the fields, so its payload is a third of a PUT's, not the same.

    persona = PersonaCatalog([]).get("normal_user")
    load = [r for b in Dataset([(persona, 1.0)], "load", 6000, 1).blocks() for r in b]
    api = [r for b in Dataset([(persona, 1.0)], "api", 6000, 1).blocks() for r in b]
    for method in ("PATCH", "PUT"):
        ratio = _scheduled_to_sent(load, api, method)
        assert 0.75 < ratio < 1.33, (method, ratio)


def test_load_batch_sizes_and_payloads_are_the_api_requests() -> None:
    # A batch is sent as one POST to <path>/batch holding at most 50 items; the api generator
    # sends any other request of a batch (GET, PUT, PATCH, DELETE) as it is, with one body.
    # The load schedule said batch_size 10-100 and multiplied payload_bytes by it for those
    # too (a PUT of 55 users' bytes), and did not cap a batch POST's items at 50.
    import orjson

    persona = PersonaCatalog([]).get("high_volume_system")
    load = [r for b in Dataset([(persona, 1.0)], "load", 6000, 1).blocks() for r in b]
    api = [r for b in Dataset([(persona, 1.0)], "api", 6000, 1).blocks() for r in b]
    batched = [r for r in load if r["batch_size"] > 1]
    assert batched
    for r in batched:
        assert r["method"] == "POST" and r["path"].endswith("/batch"), r
        assert r["batch_size"] <= 50, r
    items = [
        len(r["request"]["body"]["items"]) for r in api if r["request"]["path"].endswith("/batch")
    ]
    assert max(items) == max(r["batch_size"] for r in batched) == 50
    for method in ("PATCH", "PUT"):
        ratio = _scheduled_to_sent(load, api, method)
        assert 0.75 < ratio < 1.33, (method, ratio)
    posted = [r["payload_bytes"] for r in batched]
    sent = [
        len(orjson.dumps(r["request"]["body"]))
        for r in api
        if r["request"]["path"].endswith("/batch")
    ]
    ratio = (sum(posted) / len(posted)) / (sum(sent) / len(sent))
    assert 0.75 < ratio < 1.33, ratio


def test_re_sends_are_the_declared_share_of_events(tmp_path: Path) -> None:
    # Re-sends used to be picked "never two in a row", so 30 % declared gave 21 % (r(1 - r)):
    # two in a row are now two re-sends of the same event.
    catalog = own_catalog(
        tmp_path,
        "resender",
        """
        behaviors:
          delayed_transmission: {rate: 0.25, duplicate_rate: 0.3}
        """,
    )
    recs = records("resender", "streaming", 20 * BLOCK_SIZE, catalog=catalog)
    dups = [r for r in recs if r["duplicate"]]
    # (never the first event of a block)
    assert_rate(len(dups) / len(recs), 0.3 * (BLOCK_SIZE - 1) / BLOCK_SIZE, len(recs))
    originals = {r["event_id"]: r for r in recs if not r["duplicate"]}
    for d in dups:
        source = originals[d["event_id"]]
        assert (d["event_time"], d["sequence"], d["key"]) == (
            source["event_time"],
            source["sequence"],
            source["key"],
        )
        assert d["ingest_time"] >= source["ingest_time"]


def _ms(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000)


def test_session_anomalies_reuse_by_another_actor_and_move_before_the_session(
    tmp_path: Path,
) -> None:
    # A reused session went to the same actor once in `actors` tries (1/3 with 3 users), and
    # an out-of-order event moved before an earlier out-of-order one of its session: leads of
    # up to 300 s where 1-60 s is declared.
    catalog = own_catalog(
        tmp_path,
        "anomalous",
        """
        behaviors:
          timing: {rate_per_second: 50, think_time_ms: 100}
          session: {users: 3}
          session_anomalies: {rate: 0.2, kinds: [reused_session, out_of_order]}
        """,
    )
    recs = records("anomalous", "api", 20 * BLOCK_SIZE, catalog=catalog)
    kind = [r.get("session_anomaly") for r in recs]
    owners: dict[str, set[str]] = defaultdict(set)
    first: dict[str, int] = {}
    for r, k in zip(recs, kind, strict=True):
        if k is None:
            owners[r["session_id"]].add(r["actor_id"])
            t = _ms(r["timestamp"])
            first[r["session_id"]] = min(first.get(r["session_id"], t), t)
    reused = [r for r, k in zip(recs, kind, strict=True) if k == "reused_session"]
    assert_rate(len(reused) / len(recs), 0.1, len(recs))
    assert all(r["actor_id"] not in owners[r["session_id"]] for r in reused)
    leads = [
        first[r["session_id"]] - _ms(r["timestamp"])
        for r, k in zip(recs, kind, strict=True)
        if k == "out_of_order" and r["session_id"] in first
    ]
    assert_rate(len(leads) / len(recs), 0.1, len(recs))
    # 1-60 s before the session's first event; the earliest event left in place is a few
    # 100 ms later than that when the first one itself was moved.
    assert min(leads) >= 1_000 and max(leads) <= 62_000, (min(leads), max(leads))
    assert abs(np.mean(leads) - 30_500) < 4 * 17_000 / math.sqrt(len(leads)) + 300


@pytest.mark.parametrize("anomalies_first", [False, True])
def test_retry_storms_take_their_sessions_start_so_out_of_order_stays_within_60_s(
    tmp_path: Path, anomalies_first: bool
) -> None:
    # A storm's attempts join its first try's session; they kept the start of the session
    # they were laid out in, so an out_of_order event of a storm's session moved up to that
    # other, earlier start (measured: 28 minutes before its session where 1-60 s is declared).
    # Declared first, the anomalies acted before the storms, which then set a fifth of the
    # moved events' times anew.
    storms = "          retry_storms: {rate: 0.05}\n"
    anomalies = "          session_anomalies: {rate: 0.1, kinds: [out_of_order]}\n"
    catalog = own_catalog(
        tmp_path,
        "stormy",
        """
        behaviors:
          timing: {rate_per_second: 5, think_time_ms: {dist: lognormal, median: 8000, sigma: 1}}
          session: {length: {dist: geometric, mean: 20}, users: 500}
"""
        + (anomalies + storms if anomalies_first else storms + anomalies),
    )
    engine = PersonaEngine(catalog.get("stormy"), 3, "fidelity", 1_735_689_600_000)
    storms = moved = 0
    for block in range(8):
        trace = engine.trace(block)
        # One start per session, whichever block it began in.
        ids, at = np.unique(trace.session, return_inverse=True)
        low = np.full(ids.size, np.iinfo(np.int64).max)
        high = np.full(ids.size, np.iinfo(np.int64).min)
        np.minimum.at(low, at, trace.session_start_ms)
        np.maximum.at(high, at, trace.session_start_ms)
        assert (low == high).all(), ids[low != high][:5]
        kinds = trace.detail("session_anomaly")
        late = np.flatnonzero(kinds == "out_of_order")
        lead = trace.session_start_ms[late] - trace.t_ms[late]
        assert ((lead >= 1_000) & (lead <= 60_000)).all(), (lead.min(), lead.max())
        storms += int((trace.attempt > 1).sum())
        moved += late.size
    assert storms > 1_000 and moved > 500, (storms, moved)


@pytest.mark.parametrize("order", ["storms first", "groups first", "rapid first"])
def test_runs_of_different_behaviours_never_share_an_event(tmp_path: Path, order: str) -> None:
    # A concurrent group (or a rapid run) over a storm's attempts gave them its own times
    # (attempt 4 sent before attempt 3) and its actor (attempts of one request from two
    # actors). Now a run goes past the events an earlier one took, so its size is as drawn.
    blocks = {
        "storms": "          retry_storms: {rate: 0.05}\n",
        "groups": "          concurrent_requests: {rate: 0.05}\n",
        "rapid": "          rapid_actions: {rate: 0.05}\n",
    }
    first = order.split(maxsplit=1)[0]
    catalog = own_catalog(
        tmp_path,
        "runs",
        "\n        behaviors:\n"
        + blocks[first]
        + "".join(text for name, text in blocks.items() if name != first),
    )
    engine = PersonaEngine(catalog.get("runs"), 3, "fidelity", 1_735_689_600_000)
    storms = groups = 0
    for block in range(6):
        trace = engine.trace(block)
        for number in np.unique(trace.request[trace.attempt > 1]).tolist():
            rows = np.flatnonzero(trace.request == number)
            rows = rows[np.argsort(trace.attempt[rows])]
            assert (np.diff(trace.t_ms[rows]) >= 0).all(), trace.t_ms[rows]
            assert np.unique(trace.actor[rows]).size == 1
            storms += 1
        # every member of a group has another within the jitter (3 ms), of its session
        grouped = np.flatnonzero(trace.concurrency > 1)
        for row in grouped.tolist():
            near = np.abs(trace.t_ms[grouped] - trace.t_ms[row]) <= 3
            assert (near & (trace.session[grouped] == trace.session[row])).sum() >= 2
        groups += int(grouped.size)
    assert storms > 100 and groups > 1_000, (storms, groups)


def test_a_lost_events_stand_in_is_a_request_of_its_own(tmp_path: Path) -> None:
    # The stand-in of a lost storm attempt kept its request number and attempt while its
    # time moved past the offline window: attempts 1, 2, 5 and then 3 and 4 a minute later.
    catalog = own_catalog(
        tmp_path,
        "lossy",
        """
        behaviors:
          retry_storms: {rate: 0.05}
          concurrent_requests: {rate: 0.05}
          intermittent_connectivity: {offline_share: 0.3, on_offline: drop}
        """,
    )
    engine = PersonaEngine(catalog.get("lossy"), 5, "fidelity", 1_735_689_600_000)
    lost = 0
    for block in range(6):
        trace = engine.trace(block)
        stand_ins = np.flatnonzero(trace.detail("offline") == "lost")
        lost += stand_ins.size
        assert (trace.attempt[stand_ins] == 1).all() and (trace.concurrency[stand_ins] == 1).all()
        numbers, counts = np.unique(trace.request, return_counts=True)
        assert (counts[np.isin(numbers, trace.request[stand_ins])] == 1).all()
        assert (trace.detail("failure")[stand_ins] != "retry_storm").all()
        for number in np.unique(trace.request[trace.attempt > 1]).tolist():
            rows = np.flatnonzero(trace.request == number)
            rows = rows[np.argsort(trace.attempt[rows])]
            assert (np.diff(trace.t_ms[rows]) >= 0).all(), trace.t_ms[rows]
    assert lost > 500, lost


@pytest.mark.parametrize(
    ("share", "events", "tolerance"),
    [
        # Short bursts: the calm stretches were sized from the distribution's mean (3) while
        # the drawn lengths are truncated (2 or 3), and calm lengths were truncated too:
        # 8.5 % measured for 10 % declared, and 66 % for 60 % with bursts of 3.
        (0.1, "{dist: uniform, low: 2, high: 4}", 0.006),
        (0.6, "3", 0.01),
    ],
)
def test_bursts_cover_the_declared_share_of_events(
    tmp_path: Path, share: float, events: str, tolerance: float
) -> None:
    catalog = own_catalog(
        tmp_path,
        "bursty",
        f"""
        behaviors:
          burst_traffic: {{burst_share: {share}, intensity: 5, burst_events: {events}}}
        """,
    )
    engine = PersonaEngine(catalog.get("bursty"), 11, "fidelity", 1_735_689_600_000)
    ts = [engine.trace(b) for b in range(BLOCKS)]
    assert abs(touched_share(ts, "burst_traffic") - share) < tolerance


_RESENDER_WITH_STORMS = """
    behaviors:
      delayed_transmission: {rate: 0.1, duplicate_rate: 0.3}
      retry_storms: {rate: 0.05}
      deprecated_formats: {rate: 0.5}
      batch_operations: {rate: 0.2}
    """


def test_a_re_send_is_the_attempt_it_re_sends(tmp_path: Path) -> None:
    # A re-send that replaced an attempt of a retry storm kept that attempt's number, so a
    # storm's attempt 2 was re-sent as "attempt 3" (and attempt 3 was gone).
    catalog = own_catalog(tmp_path, "resender", _RESENDER_WITH_STORMS)
    recs = records("resender", "streaming", 4 * BLOCK_SIZE, catalog=catalog)
    originals = {(r["event_id"], r["sequence"]): r for r in recs if not r["duplicate"]}
    dups = [r for r in recs if r["duplicate"]]
    assert any(originals[d["event_id"], d["sequence"]]["attempt"] > 1 for d in dups)
    for d in dups:
        assert d["attempt"] == originals[d["event_id"], d["sequence"]]["attempt"]


def test_a_streaming_re_send_carries_the_attempt_it_re_sends(tmp_path: Path) -> None:
    # The source of a re-send was the first event of its request id: inside a retry storm
    # (whose attempts each draw their content) a re-send of attempt 3 carried attempt 1's.
    catalog = own_catalog(tmp_path, "resender", _RESENDER_WITH_STORMS)
    recs = records("resender", "streaming", 4 * BLOCK_SIZE, catalog=catalog)
    originals = {(r["event_id"], r["sequence"]): r for r in recs if not r["duplicate"]}
    for d in (r for r in recs if r["duplicate"]):
        source = originals[d["event_id"], d["sequence"]]
        assert (d["event_type"], d["payload"]) == (source["event_type"], source["payload"])


def _request_of(record: dict[str, Any]) -> Any:
    if "request" in record:  # (api: all of it but the retry count)
        request = dict(record["request"])
        request["headers"] = {
            k: v for k, v in request["headers"].items() if k not in ("X-Retry-Attempt",)
        }
        return request
    return {k: record[k] for k in ("method", "endpoint", "path", "payload_bytes", "batch_size")}


@pytest.mark.parametrize("generator", ["api", "load"])
def test_retries_and_re_sends_send_the_same_request(tmp_path: Path, generator: str) -> None:
    # A re-send drew a new operation, path and body (3 of 4182 pairs were the same request),
    # and a retry a new query; a storm whose first attempt a re-send replaced drew each
    # attempt afresh.
    catalog = own_catalog(tmp_path, "resender", _RESENDER_WITH_STORMS)
    recs = records("resender", generator, 4 * BLOCK_SIZE, catalog=catalog)
    first: dict[str, dict[str, Any]] = {}
    resent = retried = 0
    for r in recs:
        source = first.setdefault(r["request_id"], r)
        if source is not r:
            resent += r["attempt"] == source["attempt"]
            retried += r["attempt"] != source["attempt"]
            assert _request_of(r) == _request_of(source), r["request_id"]
    assert resent > 500 and retried > 100


def test_retries_and_re_sends_send_their_source_s_headers_and_behaviours(
    tmp_path: Path,
) -> None:
    # A retry or re-send took its source's body and path but its own Accept-Encoding (a
    # limited client's mark) and its own missing_session (no Authorization, session_id
    # null); and a typo'd body repeated was not tagged typos.
    catalog = own_catalog(
        tmp_path,
        "repeater",
        """
        behaviors:
          delayed_transmission: {rate: 0.1, duplicate_rate: 0.3}
          retry_storms: {rate: 0.05}
          limited_features: {rate: 0.3, unsupported_methods: []}
          session_anomalies: {rate: 0.2, kinds: [missing_session]}
          typos: {rate: 0.3}
        """,
    )
    recs = records("repeater", "api", 4 * BLOCK_SIZE, catalog=catalog)
    first: dict[str, dict[str, Any]] = {}
    shaping = {"limited_features", "typos"}
    seen = Counter[str]()  # repeats with each
    for r in recs:
        source = first.setdefault(r["request_id"], r)
        if source is r:
            continue
        assert _request_of(r) == _request_of(source), r["request_id"]
        assert (r["session_id"] is None) == (source["session_id"] is None)
        assert r.get("session_anomaly") == source.get("session_anomaly")
        wanted = set(source["behaviors"]) & shaping
        if source.get("session_anomaly") == "missing_session":
            wanted.add("session_anomalies")
        assert wanted <= set(r["behaviors"]), (r["behaviors"], source["behaviors"])
        seen.update(wanted)
        seen["no compression"] += "Accept-Encoding" not in r["request"]["headers"]
        seen["no session"] += r["session_id"] is None
    assert len(seen) == 5 and min(seen.values()) > 20, seen


@pytest.mark.parametrize(
    "outcome", ["errors: {rate: 0.5}", "rate_limits: {limit: 1, window_s: 60}"]
)
def test_an_http_reply_that_replaces_a_transport_failure_has_a_reply_latency(
    tmp_path: Path, outcome: str
) -> None:
    # An HTTP status written over a read timeout kept the timeout's 30 000 ms: a 500 (or a
    # 429) that came back after exactly 30 s, where the persona's replies take ~100 ms.
    catalog = own_catalog(
        tmp_path,
        "flaky",
        f"""
        behaviors:
          timing: {{latency_ms: {{dist: uniform, low: 50, high: 150}}}}
          connection_issues: {{rate: 0.5, kinds: {{read_timeout: 1, connection_reset: 1}}}}
          {outcome}
        """,
    )
    recs = records("flaky", "api", BLOCK_SIZE, catalog=catalog)
    replaced = [
        r
        for r in recs
        if "connection_issues" in r["behaviors"] and r["response"]["status"] is not None
    ]
    assert len(replaced) > 50
    assert all(50 <= r["response"]["latency_ms"] <= 150 for r in replaced)
    failed = [r["response"] for r in recs if r["response"]["status"] is None]
    assert {f["latency_ms"] for f in failed if f["error"] == "read_timeout"} == {30000.0}
    rows = records("flaky", "load", BLOCK_SIZE, catalog=catalog)
    answered = [r for r in rows if r["expected_status"] is not None]
    assert all(50 <= r["expected_latency_ms"] <= 150 for r in answered)


# -- typos: what an edit does to a value --------------------------------------------------


def _typed(
    values: list[str], max_edits: int, seed: int = 5, schema: Schema | None = None
) -> list[str]:
    """``values`` after ``typos`` marked every one (a one-field entity of free text)."""
    text = schema or Schema("string", semantic="text")
    entity = Entity("Note", Schema("object", fields=(Field("text", text),)))
    effects = PayloadEffects(Domain({"Note": entity}, "Note"), entity)
    payloads = [{"text": v} for v in values]
    trace = SimpleNamespace(
        marks={"typo": np.ones(len(values), bool)},
        effects={"typo": TyposParams(rate=1.0, max_edits=max_edits)},
    )
    effects.apply(payloads, trace, np.random.default_rng(seed))  # type: ignore[arg-type]
    return [p["text"] for p in payloads]


def _edits_of(word: str) -> dict[str, float]:
    """Every value one typo can make of ``word`` (distinct letters), with its probability:
    the four edits are equally likely, each at any position (a swap at any pair)."""
    out: dict[str, float] = {}
    n = len(word)
    for i in range(n - 1):
        out[word[:i] + word[i + 1] + word[i] + word[i + 2 :]] = 1 / 4 / (n - 1)
    for i in range(n):
        near = _KEYBOARD[word[i]]
        for made in (
            word[:i] + word[i + 1 :],
            word[:i] + word[i] + word[i:],
            word[:i] + near + word[i + 1 :],
        ):
            out[made] = out.get(made, 0.0) + 1 / 4 / n
    return out


def test_a_typo_may_edit_every_position_of_a_value() -> None:
    """The last character was never dropped, doubled or replaced: positions were drawn
    below len - 1 for every edit, as for a swap (which takes two)."""
    word = "qazplm"  # (distinct letters, no two neighbours on the keyboard)
    n = 60_000
    made = Counter(_typed([word] * n, 1))
    expected = _edits_of(word)
    assert set(made) <= set(expected), set(made) - set(expected)
    for value, p in expected.items():
        assert_rate(made[value] / n, p, n)


def test_a_value_tagged_with_a_typo_always_changes() -> None:
    """A typo could change nothing: a swap of two identical letters, a neighbour key for a
    character off the letter rows (a digit, a space, a dot); 3.3 % of generated users
    marked for one came out unchanged. Now a typo that would change nothing is another
    edit, and edits that undo each other keep the first."""
    tricky = ["aa", "11", "Anna", "Mississippi", "4 Elm St.", "  ", "Bob Jr.", "x1", "ll-ll"]
    n = 20_000
    for max_edits in (1, 2, 5):
        values = [tricky[k % len(tricky)] for k in range(n)]
        typed = _typed(values, max_edits)
        unchanged = [v for v, t in zip(values, typed, strict=True) if v == t]
        assert unchanged == [], (max_edits, Counter(unchanged).most_common(5))
    # at its length bounds, a value still changes where a change is possible
    bounded = _typed(
        ["11", "ab"] * 500, 1, schema=Schema("string", min_length=2, max_length=2, semantic="text")
    )
    assert all(len(t) == 2 for t in bounded)
    assert bounded.count("11") == 500 and "ab" not in bounded  # ("11" has no other form)
    # and so do the free-text fields of generated users
    domain = builtin_domain()
    users = Synthesizer(domain, 1_735_689_600_000).records("User", 20_000, np.random.default_rng(3))
    effects = PayloadEffects(domain, domain.entity("User"))
    before = copy.deepcopy(users)
    trace = SimpleNamespace(
        marks={"typo": np.ones(len(users), bool)},
        effects={"typo": TyposParams(rate=1.0, max_edits=1)},
    )
    effects.apply(users, trace, np.random.default_rng(4))  # type: ignore[arg-type]
    assert sum(u == b for u, b in zip(users, before, strict=True)) == 0


def test_max_edits_is_a_maximum() -> None:
    """``max_edits: 3`` made exactly 3 edits in every value; it is drawn 1..3, uniformly."""
    word = "quick brown fox jumps"
    n = 12_000
    distances = Counter(_osa(word, t) for t in _typed([word] * n, 3))
    # Two edits near each other may count as one (a double, then a drop beside it), so
    # more values are at 1 and 2 than drawn there; as two, or three, when one edits the
    # other's swap (this distance takes each character in one edit only). Exactly 3
    # edits measured {1: 4 %, 2: 20 %, 3: 76 %}.
    assert set(distances) <= {1, 2, 3, 4} and distances[4] < 0.005 * n, distances
    share = {d: distances[d] / n for d in (1, 2, 3)}
    assert 0.32 < share[1] < 0.40 and 0.32 < share[2] < 0.40, share
    assert 0.24 < share[3] < 0.34, share
    assert Counter(_osa(word, t) for t in _typed([word] * 2000, 1)) == {1: 2000}


def _osa(a: str, b: str) -> int:
    """Edit distance with adjacent swaps (optimal string alignment)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_a_reply_that_replaces_a_transport_failure_keeps_slow_processing_s_timeout(
    tmp_path: Path,
) -> None:
    # slow_processing scaled the latency a transport failure put aside without capping it at
    # its timeout: an error answered after all came back in 2000 ms with a 1000 ms timeout.
    catalog = own_catalog(
        tmp_path,
        "slowfail",
        """
        behaviors:
          timing: {latency_ms: {dist: constant, value: 200}}
          connection_issues: {rate: 1.0, kinds: {connection_reset: 1.0}}
          slow_processing: {factor: {dist: constant, value: 10}, timeout_ms: 1000}
          errors: {rate: 1.0, statuses: {500: 1.0}}
        """,
    )
    replies = [r["response"] for r in records("slowfail", "api", 200, catalog=catalog)]
    assert {(r["status"], r["latency_ms"]) for r in replies} == {(500, 1000.0)}


@pytest.mark.parametrize("generator", ["api", "load"])
def test_a_repeat_is_tagged_with_what_shaped_the_request_it_sends(
    tmp_path: Path, generator: str
) -> None:
    # A re-send sends its source's request (a legacy one through the old API version), but
    # was tagged by its own row's marks: 'deprecated_formats' on a v2 request, none on a v1.
    catalog = own_catalog(
        tmp_path,
        "dupdep",
        """
        behaviors:
          delayed_transmission: {rate: 0.0, duplicate_rate: 0.3}
          deprecated_formats: {rate: 0.5}
        """,
    )
    rows = records("dupdep", generator, 3000, catalog=catalog)
    paths = [r["path"] if generator == "load" else r["request"]["path"] for r in rows]
    assert sum("/v1/" in p for p in paths) > 500
    assert [("/v1/" in p) for p in paths] == ["deprecated_formats" in r["behaviors"] for r in rows]


def test_a_legacy_client_is_a_share_of_the_actors_each_legacy_in_every_event(
    tmp_path: Path,
) -> None:
    # With rate < 1 each event was marked on its own draw: an actor alternated legacy and
    # modern User-Agents (and v1 / v2 paths) from request to request.
    catalog = own_catalog(
        tmp_path,
        "halflegacy",
        """
        behaviors:
          session: {users: 300}
          deprecated_formats: {rate: 0.5}
        """,
    )
    rows = records("halflegacy", "api", 3 * BLOCK_SIZE, catalog=catalog)
    agents: dict[str, set[str]] = {}
    legacy: dict[str, set[bool]] = {}
    for r in rows:
        agents.setdefault(r["actor_id"], set()).add(r["request"]["headers"]["User-Agent"])
        legacy.setdefault(r["actor_id"], set()).add("deprecated_formats" in r["behaviors"])
    assert all(len(a) == 1 for a in agents.values())
    assert all(len(kinds) == 1 for kinds in legacy.values())
    share = sum(True in kinds for kinds in legacy.values()) / len(legacy)
    assert 0.4 < share < 0.6, share


_ONE_WAY = Schema(
    "object",
    fields=(
        Field("id", Schema("string", format="uuid"), read_only=True),
        Field("secret", Schema("string", min_length=8, max_length=20), write_only=True),
        Field("nick", Schema("string", max_length=20), required=False),
    ),
)
_ONE_WAY_DOMAIN = Domain({"Account": Entity("Account", _ONE_WAY)}, "Account")


@pytest.mark.parametrize(
    ("generator", "field"), [("streaming", "id"), ("file", "id"), ("api", "secret")]
)
def test_a_field_required_one_way_is_never_left_out_as_optional(
    tmp_path: Path, generator: str, field: str
) -> None:
    # A limited client and a lost signal dropped fields that are required in one direction
    # only (readOnly `id` in an event or a row, writeOnly `secret` in a request), and called
    # the payload valid: an OpenAPI POST without its required password, an Avro file that
    # could not be written ("User.id: required field is missing").
    catalog = own_catalog(
        tmp_path,
        "old",
        """
        behaviors:
          limited_features: {optional_field_drop: 1.0}
          signal_noise: {signal_loss_rate: 1.0}
        """,
    )
    dataset = Dataset([(catalog.get("old"), 1.0)], generator, BLOCK_SIZE, 3, domain=_ONE_WAY_DOMAIN)
    recs = [r for block in dataset.blocks() for r in block]
    if generator == "api":
        payloads = [r["request"]["body"] for r in recs if r["request"]["method"] in ("POST", "PUT")]
    elif generator == "streaming":
        payloads = [r["payload"] for r in recs]
    else:
        payloads = [r for r in recs if r["_expected_valid"]]
    assert len(payloads) > 100
    assert all(p.get(field) not in (None, "") for p in payloads if isinstance(p, dict))
    assert not any(p.get("nick") for p in payloads if isinstance(p, dict))  # (the drops act)


def test_a_concurrent_login_in_each_of_two_blocks_numbers_its_events_apart(
    tmp_path: Path,
) -> None:
    # A session going on across blocks gave its concurrent logins the same second session in
    # every block, and each block numbered that session's events from 0: edge_case_user's
    # streaming data had two records with sequence 0 in one session.
    catalog = own_catalog(
        tmp_path,
        "logins",
        """
        behaviors:
          timing: {rate_per_second: 50, think_time_ms: 3000}
          session: {length: 400, users: 50}
          session_anomalies: {rate: 0.05, kinds: [concurrent_login]}
        """,
    )
    recs = records("logins", "streaming", 8 * BLOCK_SIZE, catalog=catalog)
    numbers: dict[str, list[int]] = defaultdict(list)
    for r in recs:
        numbers[r["session_id"]].append(r["sequence"])
    repeated = {s: sorted(n) for s, n in numbers.items() if len(set(n)) < len(n)}
    assert not repeated, list(repeated.items())[:3]


def test_a_patch_carries_the_content_effects_its_record_is_tagged_with(tmp_path: Path) -> None:
    # A PATCH sends the first third of a body's fields, and the body was cut after the
    # content effects had changed it: a unicode sample or a broken enum on a field left out
    # went with it, so 4 PATCHes in 5 tagged `unicode` showed no unicode, and half of those
    # tagged `malformed_inputs` (invalid_enum) were labelled valid.
    catalog = own_catalog(
        tmp_path,
        "patcher",
        """
        behaviors:
          unicode: {rate: 1.0, classes: [cjk]}
          malformed_inputs: {rate: 1.0, kinds: [invalid_enum]}
        """,
    )
    recs = records("patcher", "api", 16 * BLOCK_SIZE, catalog=catalog)
    patches = [r for r in recs if r["request"]["method"] == "PATCH"]
    users = [r["request"]["body"] for r in patches if "/users/" in r["request"]["path"]]
    with_text = [b for b in users if "first_name" in b]  # (User's free text a PATCH sends)
    assert len(with_text) > 50
    assert all("東京" in b["first_name"] for b in with_text), with_text[:3]
    orders = [r for r in patches if "/orders/" in r["request"]["path"]]
    with_enum = [r for r in orders if "status" in r["request"]["body"]]  # (Order's enum)
    assert len(with_enum) > 50
    broken = [([v["change"] for v in r["violations"]], r["response"]["status"]) for r in with_enum]
    assert all(broke == (["invalid_enum"], 422) for broke in broken), broken[:5]


@pytest.mark.parametrize("generator", ["streaming", "file"])
def test_a_field_two_effects_changed_is_labelled_by_its_last_value(
    tmp_path: Path, generator: str
) -> None:
    # A legacy client's epoch date (rule "type") that a malformed input then wrote as text
    # ("31/02/2024", rule "format") kept both labels: "type" named a string. Each field is now
    # labelled once, by the value it holds, as the validator finds it.
    catalog = own_catalog(
        tmp_path,
        "stale",
        """
        behaviors:
          deprecated_formats: {rate: 1.0, epoch_dates: 1.0}
          malformed_inputs: {rate: 1.0, kinds: [bad_format]}
        """,
    )
    dataset = Dataset([(catalog.get("stale"), 1.0)], generator, 1500, 1, entity="User")
    rows = [r for block in dataset.blocks() for r in block]
    domain = builtin_domain()
    validators = {
        name: jsonschema.Draft202012Validator(
            entity_json_schema(domain, name), format_checker=jsonschema.FormatChecker()
        )
        for name in ("User", "Order")
    }
    checked = 0
    for row in rows:
        if generator == "file":
            labels = [v.rsplit(":", 1) for v in row["_violations"].split(";") if v]
            record = {k: v for k, v in row.items() if not k.startswith("_")}
            validator = validators["User"]
        else:
            if row["event_type"].split(".")[0] not in ("user", "order"):
                continue
            labels = [(v["path"], v["rule"]) for v in row["violations"]]
            record = row["payload"]
            validator = validators[row["event_type"].split(".")[0].capitalize()]
        paths = [path for path, _ in labels]
        assert len(paths) == len(set(paths)), labels
        found = {
            (".".join(map(str, e.absolute_path)), e.validator)
            for e in validator.iter_errors(record)
        }
        for path, rule in labels:
            if "." not in path:  # (file rows flatten nested fields; top-level ones compare)
                assert (path, rule) in found, (path, rule, record.get(path), found)
                checked += 1
    assert checked > 1000, checked
