"""Pacing in wall-clock time, checked with a fake clock (no real sleeping)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.errors import UsageError
from persona_gen.runtime.pacing import _moment_s, paced, parse_rate


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def released_at(blocks: list[list[dict[str, object]]], **kwargs: object) -> list[float]:
    clock = FakeClock()
    times = []
    for group in paced(blocks, clock=clock, sleep=clock.sleep, **kwargs):  # type: ignore[arg-type]
        times.extend([clock.now] * len(group))
    return times


def test_rate() -> None:
    blocks = [[{"i": i} for i in range(10)], [{"i": i} for i in range(10, 20)]]
    times = released_at(blocks, rate=10.0)
    assert len(times) == 20
    assert times[-1] == pytest.approx(1.9)
    assert times == sorted(times)


def test_realtime_follows_the_records_own_times_with_speed() -> None:
    stamps = [
        "2025-01-01T00:00:00.000Z",
        "2025-01-01T00:00:00.500Z",
        "2025-01-01T00:00:10.000Z",
    ]  # a 9.5 s gap: an offline window, say
    blocks = [[{"ingest_time": s} for s in stamps]]
    assert released_at(blocks, realtime=True, speed=2.0) == pytest.approx([0.0, 0.25, 5.0])


def test_duration_stops_early() -> None:
    # (S seconds are [0, S): the records due at 0-4 s go, the one due at 5 s does not)
    blocks = [[{"offset_ms": k * 1000} for k in range(100)]]
    assert len(released_at(blocks, realtime=True, duration=5.0)) == 5


def test_a_rate_for_a_duration_sends_rate_times_duration_records() -> None:
    # 500/s for 2 s sent 1,001 records: the one due at exactly 2 s went too.
    blocks = [[{"i": k} for k in range(5000)]]
    assert len(released_at(blocks, rate=500.0, duration=2.0)) == 1000


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("100", 100.0), ("500/s", 500.0), ("6000/min", 100.0), ("36000/h", 10.0)],
)
def test_parse_rate(text: str, per_second: float) -> None:
    assert parse_rate(text) == per_second


@pytest.mark.parametrize("text", ["fast", "0/s", "-3", "10/week"])
def test_bad_rates(text: str) -> None:
    with pytest.raises(UsageError, match="--rate"):
        parse_rate(text)


def test_the_schedule_starts_when_the_first_block_arrives() -> None:
    # Making the first block takes 0.5 s (the --workers processes start, say): the records
    # still leave one every 1/rate seconds from then on, not the first half second's in a burst.
    clock = FakeClock()

    def slow_blocks() -> Iterator[list[dict[str, object]]]:
        clock.now += 0.5
        yield [{"i": i} for i in range(10)]

    times = []
    for group in paced(slow_blocks(), rate=10.0, clock=clock, sleep=clock.sleep):
        times.extend([clock.now] * len(group))
    assert times == pytest.approx([0.5 + i / 10 for i in range(10)])


def test_duration_counts_from_the_first_block() -> None:
    clock = FakeClock()

    def slow_blocks() -> Iterator[list[dict[str, object]]]:
        clock.now += 0.5
        yield [{"i": i} for i in range(100)]

    groups = paced(slow_blocks(), rate=10.0, duration=2.0, clock=clock, sleep=clock.sleep)
    assert sum(len(group) for group in groups) == 20  # due at 0.0, 0.1, … 1.9 s
    assert clock.now == pytest.approx(2.4)


def _at(seconds: float) -> dict[str, object]:
    return {"ingest_time": f"2025-01-01T00:{int(seconds) // 60:02d}:{seconds % 60:06.3f}Z"}


def test_realtime_sends_a_late_record_of_a_block_after_the_next_blocks_earlier_ones() -> None:
    # A block is in arrival order only within itself: its late event (delivered 100 s after the
    # first record) sits at its end, ahead of the next block's records of 2-3 s. They held
    # back behind it (released at 100 s, in a burst), and --duration 50 ended the run there,
    # before the second block, although its records were due at 2-3 s.
    first = [_at(0.0), _at(1.0), _at(100.0)]
    second = [_at(2.0), _at(3.0)]
    clock = FakeClock()
    sent: list[tuple[float, object]] = []
    for group in paced([first, second], realtime=True, clock=clock, sleep=clock.sleep):
        sent.extend((clock.now, record["ingest_time"]) for record in group)
    assert sent == [
        (0.0, _at(0.0)["ingest_time"]),
        (1.0, _at(1.0)["ingest_time"]),
        (2.0, _at(2.0)["ingest_time"]),
        (3.0, _at(3.0)["ingest_time"]),
        (100.0, _at(100.0)["ingest_time"]),
    ]
    within = released_at([first, second], realtime=True, speed=2.0, duration=50.0)
    assert within == pytest.approx([0.0, 0.5, 1.0, 1.5])


def test_realtime_reads_blocks_only_as_far_as_it_must() -> None:
    # Records wait in memory until due: the next block is read once those waiting are due
    # after the last block's first record, not all at once (a stream of millions of records).
    read: list[int] = []

    def blocks() -> Iterator[list[dict[str, object]]]:
        for b in range(100):
            read.append(b)
            yield [_at(b * 10.0 + k) for k in range(10)]

    clock = FakeClock()
    for _group in paced(blocks(), realtime=True, clock=clock, sleep=clock.sleep):
        assert len(read) <= clock.now // 10 + 2  # (the one being sent, and the next)
        if clock.now >= 500:
            break
    assert read == list(range(51))  # (the blocks of the records sent by 500 s)


def test_realtime_sends_a_record_due_before_one_sent_at_once() -> None:
    # (an event whose time moved before its session's start, blocks back: it is overdue)
    blocks = [[_at(0.0), _at(1.0)], [_at(5.0), _at(6.0)], [_at(2.0), _at(7.0)]]
    assert released_at(blocks, realtime=True) == pytest.approx([0.0, 1.0, 5.0, 5.0, 6.0, 7.0])


@pytest.mark.parametrize("realtime", [False, True])
def test_a_blocks_last_records_leave_before_the_next_block_is_made(realtime: bool) -> None:
    # (making a block takes a while, 0.5 s here: the records due before then are not held)
    clock = FakeClock()

    def slow_blocks() -> Iterator[list[dict[str, object]]]:
        for b in range(2):
            clock.now += 0.5
            yield [_at(b * 10.0 + k) for k in range(10)]

    times = []
    pace = {"realtime": True} if realtime else {"rate": 1.0}
    for group in paced(slow_blocks(), clock=clock, sleep=clock.sleep, **pace):  # type: ignore[arg-type]
        times.extend([clock.now] * len(group))
    assert times == pytest.approx([0.5 + k for k in range(20)])


@pytest.mark.parametrize(
    ("persona", "generator"),
    [("noisy_device", "load"), ("noisy_device", "streaming"), ("edge_case_user", "load")],
)
def test_realtime_sends_every_record_of_a_persona_on_time(persona: str, generator: str) -> None:
    # noisy_device's stand-ins and late deliveries fall after their block: 94 % of its
    # load rows (streaming records: their median by 14 minutes) left more than 1 s late.
    dataset = Dataset([(PersonaCatalog().get(persona), 1.0)], generator, 6000, seed=3)
    clock = FakeClock()
    first = None
    late = []
    count = 0
    for group in paced(dataset.blocks(), realtime=True, clock=clock, sleep=clock.sleep):
        for record in group:
            moment = _moment_s(record)
            assert moment is not None
            first = moment if first is None else first
            late.append(clock.now - max(0.0, moment - first))
            count += 1
    assert count == 6000
    assert max(late) < 0.01


def test_realtime_holds_back_a_bounded_number_of_records(monkeypatch: pytest.MonkeyPatch) -> None:
    # A mix of a fast and a slow persona: each block brings a slow record due long after the
    # fast ones of many later blocks. Held back without bound, a long run's memory grew with
    # every block; past the bound the earliest is waited for.
    from persona_gen.runtime import pacing

    monkeypatch.setattr(pacing, "_MAX_WAITING", 4)
    pulled = [0]

    def blocks() -> Iterator[list[dict[str, object]]]:
        for k in range(20):
            pulled[0] += 2
            yield [{"offset_ms": k * 10}, {"offset_ms": 1_000_000 + k}]

    clock = FakeClock()
    released, held = 0, []
    for group in paced(blocks(), realtime=True, clock=clock, sleep=clock.sleep):
        held.append(pulled[0] - released)
        released += len(group)
    assert released == 40
    assert max(held) <= 4 + 2  # (the bound, and the block just read)
