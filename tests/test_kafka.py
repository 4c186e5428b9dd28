"""The Kafka destination, proven against a real broker (see tests/kafka_fixture.py).

What is sent is compared with the file twin of the same seed: the same dataset written as
JSONL. Every record must arrive once, with the same key, value bytes, headers and event time,
in the same order per key; failures must be counted and raised, never dropped silently.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import (
    OFFSET_BEGINNING,
    TIMESTAMP_CREATE_TIME,
    Consumer,
    Message,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from persona_gen import Dataset, PersonaCatalog
from persona_gen.errors import OutputError, ServiceUnavailable, SinkError, UsageError
from persona_gen.generators.streaming import murmur2_partition
from persona_gen.runtime.write import write_dataset
from persona_gen.sinks.kafka import (
    DeliveryReport,
    KafkaTarget,
    parse_kafka_url,
    send_dataset,
    send_records,
)
from tests.kafka_fixture import free_port, start_broker, stop_broker

CONSUME_TIMEOUT_S = 60


# -- helpers ----------------------------------------------------------------------------------


def new_topic(bootstrap: str, partitions: int = 12, **config: str) -> str:
    """A fresh topic, created explicitly (the broker never creates one by itself)."""
    name = f"pg-test-{secrets.token_hex(6)}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    future = admin.create_topics([NewTopic(name, partitions, 1, config=config)])[name]
    future.result(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until every partition has a leader
        topic = admin.list_topics(topic=name, timeout=10).topics.get(name)
        if (
            topic is not None
            and topic.error is None
            and len(topic.partitions) == partitions
            and all(p.leader >= 0 for p in topic.partitions.values())
            and serving(admin, name, partitions)
        ):
            return name
        time.sleep(0.1)
    raise AssertionError(f"topic {name} did not become ready")


def serving(admin: AdminClient, topic: str, partitions: int) -> bool:
    """Whether every partition's leader answers for it (a leader named in the metadata may
    not serve the partition yet, and then refuses requests for it for a moment)."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import OffsetSpec

    asked = {TopicPartition(topic, p): OffsetSpec.latest() for p in range(partitions)}
    try:
        for future in admin.list_offsets(asked, request_timeout=10).values():
            future.result(timeout=10)
    except KafkaException:
        return False
    return True


def consume_all(bootstrap: str, topic: str, expected: int) -> list[Message]:
    """Every message of ``topic``, in offset order per partition; asserts the count is exact."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    partitions = sorted(admin.list_topics(topic=topic, timeout=10).topics[topic].partitions)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"pg-test-{secrets.token_hex(6)}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    try:
        # The log end offsets first (asked after fetching starts, they wait behind long polls).
        ends = sum(
            consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in partitions
        )
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        got: list[Message] = []
        deadline = time.monotonic() + CONSUME_TIMEOUT_S
        while len(got) < ends and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=1000, timeout=0.5):
                assert message.error() is None, message.error()
                got.append(message)
    finally:
        consumer.close()
    assert len(got) == expected, f"consumed {len(got)} of {expected} messages"
    assert ends == expected, f"the topic holds {ends} messages, {expected} were expected"
    return got


def file_twin(dataset: Dataset, path: Path) -> list[dict[str, Any]]:
    """The same dataset written as JSONL, read back."""
    write_dataset(dataset, path, "jsonl")
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def epoch_ms(text: str) -> int:
    return round(datetime.fromisoformat(text).timestamp() * 1000)


def expected_headers(record: dict[str, Any]) -> list[tuple[str, bytes]]:
    own = [(k, v.encode()) for k, v in record["headers"].items() if k != "content-type"]
    return [
        ("content-type", b"application/json"),
        *own,
        ("event-id", record["event_id"].encode()),
        ("event-type", record["event_type"].encode()),
        ("persona", record["persona"].encode()),
    ]


def streaming(persona: str, count: int, seed: int) -> Dataset:
    return Dataset([(PersonaCatalog().get(persona), 1.0)], "streaming", count, seed=seed)


def by_key(messages: list[Message]) -> dict[bytes, list[Message]]:
    out: dict[bytes, list[Message]] = defaultdict(list)
    for message in sorted(messages, key=lambda m: (m.partition() or 0, m.offset() or 0)):
        out[message.key() or b""].append(message)
    return out


# -- the destination URL ----------------------------------------------------------------------


def test_url_reads_brokers_topic_and_options() -> None:
    target = parse_kafka_url(
        "kafka://k1:9093,k2,[::1]:9094/orders.v1?acks=1&value=json&partition=key"
        "&timestamp=ingest&compression=zstd&timeout=12.5&connect=2&create=6"
    )
    assert target == KafkaTarget(
        brokers=("k1:9093", "k2:9092", "[::1]:9094"),
        topic="orders.v1",
        acks="1",
        partition="key",
        timestamp="ingest",
        compression="zstd",
        timeout_s=12.5,
        connect_s=2.0,
        create=6,
    )
    assert target.bootstrap == "k1:9093,k2:9092,[::1]:9094"
    default = parse_kafka_url("kafka://localhost")
    assert (default.brokers, default.topic, default.acks, default.value) == (
        ("localhost:9092",),
        None,
        "all",
        "json",
    )
    assert parse_kafka_url("kafka://h:1/t?acks=-1").acks == "all"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://h:9092/t", "expected kafka://HOST:PORT/TOPIC"),
        ("kafka:///t", "no broker given"),
        ("kafka://h:99999/t", "port 99999 is out of range"),
        ("kafka://h:x/t", "'h:x' is not HOST or HOST:PORT"),
        ("kafka://h:9092/bad topic", "is not a Kafka topic name"),
        ("kafka://h:9092/a/b", "is not a Kafka topic name"),
        ("kafka://h:9092/t?acks=2", "acks must be all, 1 or 0"),
        ("kafka://h:9092/t?value=xml", "unknown Kafka value encoding 'xml'"),
        ("kafka://h:9092/t?vlaue=json", "unknown option 'vlaue'"),
        ("kafka://h:9092/t?acks=1&acks=0", "option 'acks' is given twice"),
        ("kafka://h:9092/t?partition=random", "partition must be one of auto, record, key"),
        ("kafka://h:9092/t?timeout=0", "timeout must be seconds"),
        ("kafka://h:9092/t?connect=soon", "connect must be seconds"),
        ("kafka://h:9092/t?create=0", "create must be a partition count"),
        ("kafka://h:9092/t?create=100000", "partition count from 1 to 10000 (got '100000')"),
        ("kafka://h:9092/t?value.schema=x", "the json value encoding takes no options"),
        ("kafka://me:secret@h:9092/t", "credentials do not belong in the URL"),
    ],
)
def test_bad_urls_are_usage_errors(url: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        if "value." in url:  # encoding options are checked by the encoding, when sending
            send_records([], url)
        else:
            parse_kafka_url(url)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message
    assert "secret" not in message


def test_the_error_line_says_how_many_reasons_it_leaves_out() -> None:
    """The line names the three commonest reasons; the rest are counted, not dropped
    silently (40 failed records must not read as the 10 the named reasons add up to)."""
    report = DeliveryReport(destination="kafka://h:9092/t", encoding="avro")
    report.records = 50
    report.acknowledged = 10
    for i, n in enumerate([4, 3, 3, 2, 2, 1]):
        report.fail(f"reason {i}", n)
    line = report.summary()
    assert "reason 0 (4), reason 1 (3), reason 2 (3) and 3 other reasons (5 records)" in line
    report = DeliveryReport(destination="kafka://h:9092/t", encoding="avro")
    report.fail("only", 2)
    assert report.summary().endswith("errors: only (2)")


# -- the round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_streaming_dataset_arrives_as_its_file_twin(
    kafka_bootstrap: str, tmp_path: Path, workers: int
) -> None:
    topic = new_topic(kafka_bootstrap, 12)
    sent = streaming("noisy_device", 3000, 5)
    sent.workers = workers  # --workers: blocks made in other processes, the same records
    report = send_records(sent.blocks(), f"kafka://{kafka_bootstrap}/{topic}")
    twin = file_twin(streaming("noisy_device", 3000, 5), tmp_path / "twin.jsonl")
    assert len(twin) == 3000
    assert (report.records, report.sent, report.acknowledged, report.failed) == (3000,) * 3 + (0,)
    assert sum(report.partitions[topic].values()) == 3000

    got = consume_all(kafka_bootstrap, topic, 3000)
    # Same multiset of messages, and per key the same order as the file.
    expected: dict[bytes, list[dict[str, Any]]] = defaultdict(list)
    for record in twin:
        expected[record["key"].encode()].append(record)
    received = by_key(got)
    assert received.keys() == expected.keys()
    for key, records in expected.items():
        messages = received[key]
        assert [m.value() for m in messages] == [
            orjson.dumps(r["payload"], option=orjson.OPT_NON_STR_KEYS) for r in records
        ], f"payloads or their order differ for key {key!r}"
        assert [m.headers() for m in messages] == [expected_headers(r) for r in records]
        assert [m.timestamp() for m in messages] == [
            (TIMESTAMP_CREATE_TIME, epoch_ms(r["event_time"])) for r in records
        ]
        # 12 partitions: each record lands on the partition the generator planned for it.
        assert {m.partition() for m in messages} == {records[0]["partition"]}
    assert report.partitions[topic] == Counter(m.partition() for m in got)
    # noisy_device really is noisy: late and duplicated events travel as they are.
    assert any(r["duplicate"] for r in twin) and any(r["delay_ms"] > 1000 for r in twin)


def test_a_stream_goes_to_the_topic_in_arrival_order(kafka_bootstrap: str, tmp_path: Path) -> None:
    """A dataset is in arrival order block by block: a block's late deliveries and the
    events after an offline window sit at its end, minutes ahead of the next blocks' first
    records. Sent in record order, a consumer's watermark (the latest event time seen) ran
    far ahead: most events were over 60 s behind it. The topic holds the stream in
    arrival order, the same messages as the file."""
    topic = new_topic(kafka_bootstrap, 1)
    doc = send_dataset(
        streaming("noisy_device", 5000, 5), f"kafka://{kafka_bootstrap}/{topic}?timestamp=ingest"
    )
    twin = file_twin(streaming("noisy_device", 5000, 5), tmp_path / "twin.jsonl")
    ingest = [epoch_ms(r["ingest_time"]) for r in twin]
    assert ingest != sorted(ingest)  # (the case at hand: the file is not in arrival order)
    got = consume_all(kafka_bootstrap, topic, 5000)
    assert doc["count"] == len(got) == 5000
    stamps = [m.timestamp()[1] for m in got]
    assert stamps == sorted(ingest)
    made = Counter(r["event_id"] for r in twin)
    assert Counter(dict(m.headers() or [])["event-id"].decode() for m in got) == made
    by_event = {r["event_id"]: epoch_ms(r["event_time"]) for r in twin}
    watermark, behind = 0, 0
    for message in got:
        at = by_event[dict(message.headers() or [])["event-id"].decode()]
        watermark = max(watermark, at)
        behind += watermark - at > 60_000
    assert behind < 0.15 * len(got)


def test_partitioning_by_key_is_the_generators_plan(kafka_bootstrap: str) -> None:
    """librdkafka's murmur2 partitioner and the generator's planned partition agree."""
    topic = new_topic(kafka_bootstrap, 12)
    records = [r for b in streaming("normal_user", 600, 11).blocks() for r in b]
    send_records([records], f"kafka://{kafka_bootstrap}/{topic}?partition=key")
    for message in consume_all(kafka_bootstrap, topic, 600):
        assert message.partition() == murmur2_partition((message.key() or b"").decode())


def test_fewer_partitions_keep_each_keys_order(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap, 5)
    records = [r for b in streaming("high_volume_system", 2000, 3).blocks() for r in b]
    report = send_records([records[:700], records[700:]], f"kafka://{kafka_bootstrap}/{topic}")
    assert report.acknowledged == 2000
    got = by_key(consume_all(kafka_bootstrap, topic, 2000))
    for key, messages in got.items():
        assert len({m.partition() for m in messages}) == 1
        assert messages[0].partition() == murmur2_partition(key.decode(), 5)
        sent = [r["event_id"] for r in records if r["key"].encode() == key]
        headers = [dict(m.headers() or [])["event-id"].decode() for m in messages]
        assert headers == sent


def test_partition_record_needs_the_partitions(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap, 2)
    records = [r for b in streaming("normal_user", 200, 1).blocks() for r in b]
    with pytest.raises(SinkError, match="has 2 partitions: use partition=auto"):
        send_records([records], f"kafka://{kafka_bootstrap}/{topic}?partition=record")


def test_partition_record_is_checked_before_the_first_record(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap, 3)
    with pytest.raises(SinkError, match="has 3 partitions: use partition=auto") as failed:
        send_dataset(
            streaming("noisy_device", 200, 7), f"kafka://{kafka_bootstrap}/{topic}?partition=record"
        )
    assert failed.value.report.sent == 0  # type: ignore[attr-defined]
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    assert serving(admin, topic, 3)  # (its end offsets below are still 0)
    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": "pg-ends"})
    try:
        ends = [consumer.get_watermark_offsets(TopicPartition(topic, p))[1] for p in range(3)]
    finally:
        consumer.close()
    assert ends == [0, 0, 0]


def test_a_run_stopped_by_duration_says_so(kafka_bootstrap: str) -> None:
    from functools import partial

    from persona_gen.runtime.pacing import paced

    topic = new_topic(kafka_bootstrap, 12)
    pace = partial(paced, rate=200.0, realtime=False, speed=1.0, duration=1.0)
    doc = send_dataset(
        streaming("normal_user", 10_000, 1), f"kafka://{kafka_bootstrap}/{topic}", pace=pace
    )
    assert 0 < doc["count"] < 10_000
    assert doc["delivery"]["stopped"] == "duration"
    done = send_dataset(streaming("normal_user", 5, 1), f"kafka://{kafka_bootstrap}/{topic}")
    assert done["delivery"]["stopped"] is None


def test_a_realtime_run_goes_on_past_late_records_and_counts_what_it_sent(
    kafka_bootstrap: str,
) -> None:
    # noisy_device's late and buffered events sit at the end of the block of 1,024 they
    # happened in, minutes of their own time ahead of the next blocks' records. --realtime
    # waited for each in record order: the next blocks' records then left in a burst, and
    # with --duration the run ended at the first one, after one block (1,022 records of the
    # docs' `--realtime --speed 10 --duration 60`). They now wait until due while the next
    # blocks go, so what went is not the dataset's first records: the manifest counts those.
    from functools import partial

    from persona_gen.runtime.pacing import paced

    topic = new_topic(kafka_bootstrap, 12)
    pace = partial(paced, rate=None, realtime=True, speed=50.0, duration=4.0)
    doc = send_dataset(
        streaming("noisy_device", 20_000, 3), f"kafka://{kafka_bootstrap}/{topic}", pace=pace
    )
    made: dict[tuple[str, str, bytes], list[dict[str, Any]]] = defaultdict(list)
    records = [r for block in streaming("noisy_device", 20_000, 3).blocks() for r in block]
    start = epoch_ms(records[0]["ingest_time"])
    # 4 s at 50 times the stream's pace: the records that arrive in its first 200 s
    due = [r for r in records if epoch_ms(r["ingest_time"]) - start < 200_000]
    assert doc["delivery"]["stopped"] == "duration"
    assert doc["count"] == len(due) > 3 * 1024
    messages = consume_all(kafka_bootstrap, topic, doc["count"])

    def identity(key: str, event_id: str, payload: Any) -> tuple[str, str, bytes]:
        return key, event_id, orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)

    for record in records:
        made[identity(record["key"], record["event_id"], record["payload"])].append(record)
    went: Counter[tuple[str, str, bytes]] = Counter(
        identity(
            (m.key() or b"").decode(),
            dict(m.headers() or [])["event-id"].decode(),
            orjson.loads(m.value() or b"null"),
        )
        for m in messages
    )
    tags: Counter[str] = Counter()
    invalid = 0
    arrived = []
    for key, n in went.items():
        # (a re-send is its source's message again: the earlier arrives first)
        for record in sorted(made[key], key=lambda r: r["ingest_time"])[:n]:
            tags.update(record["behaviors"])
            invalid += not record["expected_valid"]
            arrived.append(epoch_ms(record["ingest_time"]))
    assert sorted(arrived) == sorted(epoch_ms(r["ingest_time"]) for r in due)
    assert doc["behaviours_touched"] == dict(sorted(tags.items()))
    assert doc["expected_invalid"] == invalid


def test_an_interrupted_realtime_run_counts_the_records_it_took(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    # Ctrl-C (or a lost broker) ends a --realtime run that took records out of record order:
    # the manifest of the failed run counts those, not the dataset's first ones.
    from persona_gen.runtime.dataset import DatasetStats
    from persona_gen.runtime.pacing import paced
    from persona_gen.runtime.write import deliver

    taken = DatasetStats()

    def pace(blocks: Any) -> Iterator[list[dict[str, Any]]]:
        for group in paced(blocks, realtime=True, speed=1e12):  # (due at once, in time order)
            if taken.records >= 1500:
                raise KeyboardInterrupt
            taken.add(group)
            yield group

    topic = new_topic(kafka_bootstrap, 12)
    manifest_file = tmp_path / "m.json"
    with pytest.raises(SinkError, match="interrupted"):
        deliver(
            streaming("noisy_device", 5000, 3),
            f"kafka://{kafka_bootstrap}/{topic}",
            manifest_file=manifest_file,
            pace=pace,
        )
    doc = orjson.loads(manifest_file.read_bytes())
    assert doc["delivery"]["records"] == taken.records
    assert doc["count"] == taken.records
    assert doc["behaviours_touched"] == dict(sorted(taken.behaviours.items()))
    assert doc["expected_invalid"] == taken.expected_invalid


def test_a_realtime_run_stopped_by_duration_counts_the_records_it_sent(
    kafka_bootstrap: str,
) -> None:
    """With --realtime the records due before --duration are not the first ones
    (noisy_device's lost-event stand-ins fall after their block): the manifest's counts
    were those of the first records, not of the ones sent."""
    from functools import partial

    from persona_gen.runtime.pacing import paced
    from persona_gen.runtime.write import deliver

    def dataset() -> Dataset:
        return Dataset([(PersonaCatalog().get("noisy_device"), 1.0)], "load", 6000, seed=3)

    rows = [r for block in dataset().blocks() for r in block]
    due = [r for r in rows if (r["offset_ms"] - rows[0]["offset_ms"]) / 1000 / 100 < 1.0]
    assert due != rows[: len(due)]  # (not a prefix: the case at hand)
    topic = new_topic(kafka_bootstrap, 3)
    pace = partial(paced, rate=None, realtime=True, speed=100.0, duration=1.0)
    doc = deliver(dataset(), f"kafka://{kafka_bootstrap}/{topic}", pace=pace)
    assert doc["count"] == len(due) and doc["delivery"]["stopped"] == "duration"
    touched = Counter(tag for r in due for tag in r["behaviors"])
    assert doc["behaviours_touched"] == dict(sorted(touched.items()))


def test_other_datasets_are_sent_whole(kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = f"pg-test-api-{secrets.token_hex(6)}"
    api = Dataset([(PersonaCatalog().get("legacy_client"), 1.0)], "api", 700, seed=9)
    doc = send_dataset(api, f"kafka://{kafka_bootstrap}/{topic}?create=3")
    delivery = doc["delivery"]
    assert (delivery["records"], delivery["acknowledged"], delivery["failed"]) == (700, 700, 0)
    assert doc["count"] == 700 and doc["format"] == "kafka/json"
    assert sum(delivery["partitions"][topic].values()) == 700
    assert orjson.loads(orjson.dumps(doc)) == doc  # the manifest section is JSON as it is

    twin = file_twin(
        Dataset([(PersonaCatalog().get("legacy_client"), 1.0)], "api", 700, seed=9),
        tmp_path / "api.jsonl",
    )
    # Retries carry the same request id: per key, the same records in the same order.
    received = by_key(consume_all(kafka_bootstrap, topic, 700))
    expected: dict[bytes, list[dict[str, Any]]] = defaultdict(list)
    for record in twin:
        expected[record["request_id"].encode()].append(record)
    assert received.keys() == expected.keys()
    assert any(len(v) > 1 for v in expected.values())
    for key, records in expected.items():
        messages = received[key]
        assert [m.value() for m in messages] == [
            orjson.dumps(r, option=orjson.OPT_NON_STR_KEYS) for r in records
        ]
        assert [orjson.loads(m.value() or b"") for m in messages] == records
        for message, record in zip(messages, records, strict=True):
            assert dict(message.headers() or []) == {
                "content-type": b"application/json",
                "persona": b"legacy_client",
            }
            assert message.timestamp() == (TIMESTAMP_CREATE_TIME, epoch_ms(record["timestamp"]))


def test_records_go_to_their_own_topics(kafka_bootstrap: str) -> None:
    """Without a topic in the URL each record goes to its ``topic`` (created here on demand)."""
    records = [r for b in streaming("normal_user", 400, 21).blocks() for r in b]
    suffix = secrets.token_hex(4)
    for r in records:
        r["topic"] = f"{r['topic']}-{suffix}"
    report = send_records([records], f"kafka://{kafka_bootstrap}?create=12")
    wanted = Counter(r["topic"] for r in records)
    assert len(wanted) > 1
    assert {t: sum(c.values()) for t, c in report.partitions.items()} == wanted
    for topic, count in wanted.items():
        got = consume_all(kafka_bootstrap, topic, count)
        assert {m.key() for m in got} == {r["key"].encode() for r in records if r["topic"] == topic}


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "family"), [("127.0.0.1", "ipv4"), ("[::1]", "ipv6")])
def test_unreachable_broker_fails_fast_and_clearly(host: str, family: str) -> None:
    port = free_port()  # nothing listens there
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        send_dataset(streaming("normal_user", 50, 1), f"kafka://{host}:{port}/events")
    assert time.monotonic() - started < 15
    message = str(caught.value)
    # (an IPv6 address's brackets inside the client's "[thrd:[::1]:…]" prefix kept it)
    assert message.startswith(
        f"cannot reach Kafka at {host}:{port}: {host}:{port}/bootstrap: "
        f"Connect to {family}#{host}:{port} failed: Connection refused"
    ), message
    assert "\n" not in message
    # The CLI prints any PersonaGenError as one line; no client exception leaks through.
    assert isinstance(caught.value, ServiceUnavailable)  # (exit 69: an outage)
    assert isinstance(caught.value, OutputError)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_unresolvable_host_fails_fast() -> None:
    started = time.monotonic()
    with pytest.raises(SinkError, match=r"cannot reach Kafka at no-such-host\.invalid:9092"):
        send_records([[{"id": 1}]], "kafka://no-such-host.invalid/events?connect=3")
    assert time.monotonic() - started < 15


def test_missing_topic_is_reported(kafka_bootstrap: str) -> None:
    started = time.monotonic()
    with pytest.raises(SinkError) as caught:
        send_records([[{"id": 1}]], f"kafka://{kafka_bootstrap}/no-such-topic")
    assert time.monotonic() - started < 15
    assert str(caught.value).startswith(
        f"topic 'no-such-topic' does not exist on broker {kafka_bootstrap}; create it"
    )
    assert "?create=12" in str(caught.value)


def test_missing_record_topic_stops_the_run(kafka_bootstrap: str) -> None:
    records = [{"topic": "no-such-topic-either", "request_id": "a"}]
    with pytest.raises(SinkError, match="topic 'no-such-topic-either' does not exist") as caught:
        send_records([records], f"kafka://{kafka_bootstrap}")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert (report.records, report.sent, report.failed) == (0, 0, 0)


def oversized(count: int, every: int, big: str) -> list[dict[str, Any]]:
    return [
        {"request_id": f"r{i:04d}", "blob": big if i % every == 3 else "small"}
        for i in range(count)
    ]


def test_records_over_the_topic_limit_are_counted(kafka_bootstrap: str) -> None:
    """Refused before sending (their size is known), so no neighbour fails with them."""
    topic = new_topic(kafka_bootstrap, 3, **{"max.message.bytes": "2000"})
    records = oversized(200, 10, "x" * 5000)
    with pytest.raises(SinkError) as caught:
        send_records([records[:120], records[120:]], f"kafka://{kafka_bootstrap}/{topic}")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert (report.records, report.sent, report.acknowledged, report.failed) == (200, 180, 180, 20)
    assert report.first_error is not None and "Message size too large" in report.first_error
    assert "180 of 200 records acknowledged, 20 failed" in str(caught.value)
    got = consume_all(kafka_bootstrap, topic, 180)
    assert {m.key() for m in got} == {
        r["request_id"].encode() for r in records if r["blob"] == "small"
    }


def _stamped(count: int, every: int, ahead_ms: int) -> list[dict[str, Any]]:
    """api-like records stamped a minute ago, every ``every``-th ``ahead_ms`` from now."""
    from persona_gen.reference_time import iso_ms

    now = time.time_ns() // 1_000_000
    return [
        {
            "request_id": f"r{i:04d}",
            "timestamp": iso_ms(now + ahead_ms if i % every == 3 else now - 60_000),
        }
        for i in range(count)
    ]


def test_records_stamped_past_the_topic_s_timestamp_window_are_counted(
    kafka_bootstrap: str,
) -> None:
    """--start now, sent unpaced: the records' times run ahead of the clock, and Kafka 4 takes
    a record at most message.timestamp.after.max.ms (an hour) ahead. The broker refused the
    batch holding one whole: of 100,000 noisy_device records 28,617 failed, 671 of them
    'an invalid record in the same batch caused the failure of this message too', and none
    said why. Refused before sending now, with the reason; their batch-mates go."""
    topic = new_topic(kafka_bootstrap, 3, **{"message.timestamp.after.max.ms": "600000"})
    records = _stamped(200, 10, 3_600_000)
    with pytest.raises(SinkError) as caught:
        send_records([records[:120], records[120:]], f"kafka://{kafka_bootstrap}/{topic}")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert (report.records, report.sent, report.acknowledged, report.failed) == (200, 180, 180, 20)
    assert list(report.errors) == [
        "Invalid timestamp: more than message.timestamp.after.max.ms (600000 ms) ahead of now "
        f"on '{topic}': send it in its own time (--realtime), start earlier (--start) or use "
        "timestamp=none"
    ]
    assert len(consume_all(kafka_bootstrap, topic, 180)) == 180
    # (timestamp=none: the records carry the time they are sent, which the topic takes)
    send_records([records], f"kafka://{kafka_bootstrap}/{topic}?timestamp=none")


def test_records_stamped_too_long_ago_are_counted(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap, 3, **{"message.timestamp.before.max.ms": "600000"})
    records = _stamped(100, 10, -86_400_000)
    with pytest.raises(SinkError) as caught:
        send_records([records], f"kafka://{kafka_bootstrap}/{topic}")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert (report.acknowledged, report.failed) == (90, 10)
    assert report.first_error is not None
    assert "more than message.timestamp.before.max.ms (600000 ms) behind now" in report.first_error


def test_a_log_append_time_topic_takes_any_timestamp(kafka_bootstrap: str) -> None:
    topic = new_topic(
        kafka_bootstrap,
        3,
        **{"message.timestamp.type": "LogAppendTime", "message.timestamp.after.max.ms": "600000"},
    )
    send_records([_stamped(50, 10, 3_600_000)], f"kafka://{kafka_bootstrap}/{topic}")


def test_records_naming_their_topic_fit_its_limit_in_batches(kafka_bootstrap: str) -> None:
    """Without a topic in the URL, batches are capped by the records' own topics' limits: a
    batch over max.message.bytes fails whole, and small records failed with it."""
    topic = new_topic(kafka_bootstrap, 3, **{"max.message.bytes": "2000"})
    records = [{"topic": topic, **r} for r in oversized(400, 20, "x" * 5000)]
    with pytest.raises(SinkError) as caught:
        send_records([records], f"kafka://{kafka_bootstrap}", topics=[topic])
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert (report.acknowledged, report.failed) == (380, 20)


def test_records_the_broker_refuses_are_counted(kafka_bootstrap: str) -> None:
    """Compressed, their size is only known to the broker: its refusals come back in the
    delivery reports, are counted, and fail the run."""
    topic = new_topic(kafka_bootstrap, 3, **{"max.message.bytes": "2000"})
    noise = base64.b64encode(os.urandom(12_000)).decode()  # does not compress below 2000
    records = oversized(100, 25, noise)
    with pytest.raises(SinkError) as caught:
        send_records([records], f"kafka://{kafka_bootstrap}/{topic}?compression=gzip")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert (report.records, report.sent, report.acknowledged, report.failed) == (100, 100, 96, 4)
    assert report.errors == {"Broker: Message size too large": 4}
    assert report.to_manifest()["failed"] == 4
    assert len(consume_all(kafka_bootstrap, topic, 96)) == 96


def test_losing_the_broker_mid_run_stops_and_accounts(tmp_path: Path) -> None:
    """A broker of its own, stopped after the first block: the run ends within the delivery
    timeout, every record taken is either acknowledged or counted failed, and it says why."""
    state = str(tmp_path / "broker")
    bootstrap = start_broker(state)
    stopped_at: list[float] = []
    try:
        topic = new_topic(bootstrap, 12)
        records = [r for b in streaming("normal_user", 3000, 4).blocks() for r in b]

        def blocks() -> Iterator[list[dict[str, Any]]]:
            yield records[:1000]
            wait_for_log_end(bootstrap, topic, 1000)  # the first block is in the log
            stop_broker(state)
            stopped_at.append(time.monotonic())
            for start in range(1000, 3000, 500):
                yield records[start : start + 500]

        with pytest.raises(SinkError) as caught:
            send_records(blocks(), f"kafka://{bootstrap}/{topic}?timeout=3")
        assert stopped_at and time.monotonic() - stopped_at[0] < 20
    finally:
        stop_broker(state)
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert report.stopped is not None
    assert report.records < 3000  # the rest was not read
    assert report.acknowledged == 1000
    assert report.failed == report.records - 1000 > 0
    assert "stopped: " in str(caught.value)
    assert "lost the connection to every broker" in str(caught.value)
    assert isinstance(caught.value, ServiceUnavailable)  # (an outage: exit 69)


def test_a_broker_back_within_connect_seconds_does_not_stop_the_run(tmp_path: Path) -> None:
    """The one broker stops mid-run and is back (same port) within ?connect= seconds: the
    run waits for it instead of stopping at the first refused connection (and then saying
    it "could not reconnect within 60 s"), and every record arrives."""
    import subprocess
    import threading

    from tests.kafka_fixture import SCRIPT

    state = str(tmp_path / "broker")
    bootstrap = start_broker(state)
    port = bootstrap.rsplit(":", 1)[1]
    restarted: list[subprocess.CompletedProcess[str]] = []

    def restart() -> None:
        time.sleep(1)  # (the producer sees every connection refused first)
        restarted.append(
            subprocess.run(
                ["bash", str(SCRIPT), "start", state, port],
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
        )

    restarter = threading.Thread(target=restart)
    try:
        topic = new_topic(bootstrap, 3)
        records = [r for b in streaming("normal_user", 1500, 4).blocks() for r in b]

        def blocks() -> Iterator[list[dict[str, Any]]]:
            yield records[:500]
            wait_for_log_end(bootstrap, topic, 500, partitions=3)
            stop_broker(state)
            restarter.start()
            for start in range(500, 1500, 100):
                yield records[start : start + 100]
                time.sleep(0.2)  # (the run polls, and so sees the brokers lost, in between)

        report = send_records(blocks(), f"kafka://{bootstrap}/{topic}?connect=240&timeout=300")
        restarter.join()
        assert restarted and restarted[0].returncode == 0, restarted
        assert report.stopped is None, report.stopped
        assert (report.records, report.acknowledged, report.failed) == (1500, 1500, 0)
        assert len(consume_all(bootstrap, topic, 1500)) == 1500
    finally:
        if restarter.is_alive():
            restarter.join()
        stop_broker(state)


def wait_for_log_end(bootstrap: str, topic: str, count: int, partitions: int = 12) -> None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "pg-test-watch"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ends = sum(
                consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                for p in range(partitions)
            )
            if ends >= count:
                time.sleep(0.2)  # and the producer has had the acknowledgements
                return
            time.sleep(0.1)
    finally:
        consumer.close()
    raise AssertionError(f"{topic} never held {count} messages")


# -- acks=0 on a topic it creates (review C, finding 1) ---------------------------------------


def test_acks0_on_a_created_topic_delivers_every_record_unconfirmed(
    kafka_bootstrap: str,
) -> None:
    """A topic the sink creates is ready (every partition led) before the first record, so
    acks=0 loses nothing; and acks=0 records are counted sent-unconfirmed, never
    "acknowledged" (the broker sends no acknowledgement)."""
    for seed in (2, 3):  # (the loss was a race: more than one try)
        topic = f"pg-test-acks0-{secrets.token_hex(6)}"
        doc = send_dataset(
            streaming("noisy_device", 1500, seed),
            f"kafka://{kafka_bootstrap}/{topic}?create=12&acks=0",
        )
        delivery = doc["delivery"]
        assert delivery["acks"] == "0"
        assert (delivery["records"], delivery["sent"]) == (1500, 1500)
        assert (delivery["acknowledged"], delivery["unconfirmed"], delivery["failed"]) == (
            0,
            1500,
            0,
        )
        assert delivery["stopped"] is None and delivery["error"] is None
        assert sum(delivery["partitions"][topic].values()) == 1500
        assert len(consume_all(kafka_bootstrap, topic, 1500)) == 1500


def test_acks0_records_the_broker_drops_are_counted_lost(kafka_bootstrap: str) -> None:
    """With acks=0 the broker refuses a batch by closing the connection, and the client still
    reports the records delivered: the sink compares what the partitions grew by with what
    it wrote, and counts the shortfall as failed, not as delivered. The broker was up all
    along: the run does not say "all brokers are down"."""
    topic = new_topic(kafka_bootstrap, 3, **{"max.message.bytes": "2000"})
    noise = base64.b64encode(os.urandom(12_000)).decode()  # does not compress below 2000
    records = oversized(100, 25, noise)
    with pytest.raises(SinkError) as caught:
        send_records([records], f"kafka://{kafka_bootstrap}/{topic}?compression=gzip&acks=0")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    stored = len(consume_all(kafka_bootstrap, topic, 100 - report.failed))
    assert report.acknowledged == 0
    assert report.failed >= 4
    assert report.unconfirmed == stored == 100 - report.failed
    assert sum(report.partitions[topic].values()) == stored
    assert report.stopped is None or "brokers are down" not in report.stopped
    assert "brokers are down" not in str(caught.value)
    assert "not stored" in str(caught.value)


def test_a_dropped_connection_to_a_live_broker_does_not_stop_the_run(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """librdkafka says "1/1 brokers are down" whenever its one connection closes, also when
    it reconnects at once: that alone is no reason to stop, nor a true stop reason."""
    from confluent_kafka import KafkaError

    from persona_gen.sinks import kafka

    topic = new_topic(kafka_bootstrap, 12)
    poll = kafka._Run.poll
    calls = [0]

    def poll_and_drop(self: Any) -> None:
        poll(self)
        calls[0] += 1
        if calls[0] == 1:  # as the client reports a closed connection
            self._on_error(KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down"))

    monkeypatch.setattr(kafka._Run, "poll", poll_and_drop)
    records = [r for b in streaming("normal_user", 600, 3).blocks() for r in b]
    report = send_records(
        [records[:200], records[200:400], records[400:]], f"kafka://{kafka_bootstrap}/{topic}"
    )
    assert calls[0] >= 1
    assert (report.records, report.acknowledged, report.failed) == (600, 600, 0)
    assert report.stopped is None
    consume_all(kafka_bootstrap, topic, 600)


# -- manifests of runs that fail before sending (finding 9) -----------------------------------


def test_manifest_of_a_run_that_could_not_start_says_why(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    from tests.helpers import run_cli

    args = ["quick", "normal_user", "-t", "streaming", "-n", "30", "-s", "8"]
    for url, says, code in (
        (f"kafka://127.0.0.1:{free_port()}/x", "cannot reach Kafka at 127.0.0.1:", 69),
        (f"kafka://{kafka_bootstrap}/no-such-topic-here", "topic 'no-such-topic-here' does not", 1),
    ):
        manifest = tmp_path / "m.json"
        result = run_cli([*args, "--sink", url, "--manifest", str(manifest)])
        assert result.code == code
        doc = orjson.loads(manifest.read_bytes())
        assert doc["format"] == "kafka/json"  # as a delivered run's manifest says
        delivery = doc["delivery"]
        assert delivery["records"] == 0
        assert delivery["error"] is not None and delivery["error"].startswith(says)
        assert delivery["error"] in result.stderr


def test_failed_run_manifest_has_the_error(kafka_bootstrap: str) -> None:
    topic = new_topic(kafka_bootstrap, 3, **{"max.message.bytes": "2000"})
    with pytest.raises(SinkError) as caught:
        send_records([oversized(40, 10, "x" * 5000)], f"kafka://{kafka_bootstrap}/{topic}")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert report.to_manifest()["error"] == str(caught.value)


# -- schema encodings of file and fault records (finding 10) ----------------------------------


def _profile_dataset(tmp_path: Path, schema: str, dtype: str, entity: str | None) -> Any:
    from persona_gen.profiles.loader import load_profile
    from persona_gen.runtime.generate import plan
    from tests.helpers import import_profile

    path = import_profile(
        tmp_path / "schemas", tmp_path / f"{dtype}.yaml", schema, dtype, count=120, entity=entity
    )
    profile = load_profile(path)

    def dataset() -> Any:
        (item,) = plan(
            profile,
            PersonaCatalog(),
            persona="normal_user",
            seed=4,
            out_dir=None,
            fresh_seed=lambda: 4,
        )
        return item.dataset(profile)

    return profile, dataset


@pytest.mark.parametrize(
    ("schema", "value", "entity"),
    [("user-event.avsc", "avro", None), ("user.proto", "protobuf", "User")],
)
@pytest.mark.parametrize("dtype", ["fault", "file"])
def test_schema_values_of_fault_and_file_records_are_the_governed_part(
    kafka_bootstrap: str, tmp_path: Path, schema: str, value: str, entity: str | None, dtype: str
) -> None:
    """value=avro/protobuf encodes what the Avro/Protobuf file formats write: a fault
    record's ``record``, a file row re-nested without its labels; not the whole envelope.
    Records that do not fit (broken on purpose) are counted failed, the rest arrive."""
    import io

    import fastavro

    from persona_gen.sinks.avro import avro_encoder_for
    from persona_gen.sinks.protobuf import protobuf_encoder_for

    profile, dataset = _profile_dataset(tmp_path, schema, dtype, entity)
    path = tmp_path / "schemas" / schema
    options = f"value={value}&value.schema={path}"
    if value == "protobuf":
        options += "&value.message=User"
    topic = f"pg-test-{dtype}-{value}-{secrets.token_hex(4)}"
    url = f"kafka://{kafka_bootstrap}/{topic}?create=3&{options}"
    try:
        report = send_dataset(dataset(), url)["delivery"]
    except SinkError as exc:
        assert isinstance(exc.report, DeliveryReport)
        report = exc.report.to_manifest()
        assert "not fields of" not in str(exc)
    # What the file format writes for the same dataset (records that fit only).
    if value == "avro":
        encoder = avro_encoder_for(dataset(), profile, skip_invalid=True)
        parsed = fastavro.parse_schema(encoder.schema)
        expected = []
        for block in dataset().blocks():
            for datum in encoder.encode(block, True):
                out = io.BytesIO()
                fastavro.schemaless_writer(out, parsed, datum)
                expected.append(out.getvalue())
    else:
        from persona_gen.sinks.protobuf import read_delimited

        pb = protobuf_encoder_for(dataset(), profile, skip_invalid=True)
        expected = [m for b in dataset().blocks() for m in read_delimited(pb.encode(b, True))]
    assert len(expected) > 0
    assert report["acknowledged"] == len(expected)
    assert report["failed"] == 120 - len(expected)
    got = consume_all(kafka_bootstrap, topic, len(expected))
    assert Counter(m.value() for m in got) == Counter(expected)


@pytest.mark.parametrize("dtype", ["api", "load"])
def test_schema_values_refuse_records_without_a_governed_part(
    kafka_bootstrap: str, dtype: str
) -> None:
    path = Path(__file__).resolve().parent.parent / "schemas" / "user-event.avsc"
    dataset = Dataset([(PersonaCatalog().get("normal_user"), 1.0)], dtype, 10_000_000, seed=1)
    started = time.monotonic()
    with pytest.raises(UsageError, match=f"{dtype} records have no schema-governed part"):
        send_dataset(dataset, f"kafka://{kafka_bootstrap}/t?value=avro&value.schema={path}")
    assert time.monotonic() - started < 10  # refused before generating


def test_error_texts_hold_no_huge_values(kafka_bootstrap: str) -> None:
    """A record that does not fit is counted with its reason; a 64 KiB value in that reason
    is shortened, in the summary as in the manifest."""
    path = Path(__file__).resolve().parent.parent / "schemas" / "user-event.avsc"
    topic = new_topic(kafka_bootstrap, 3)
    huge = "A" * 65_536
    payload = {
        "event_id": huge,
        "event_type": "LOGGED_IN",
        "occurred_at": "2025-01-01T00:00:00Z",
        "user": {"id": 1, "email": "a@example.com", "name": "A"},
    }
    records = [{"key": f"k{i}", "headers": {}, "payload": payload} for i in range(3)]
    with pytest.raises(SinkError) as caught:
        send_records([records], f"kafka://{kafka_bootstrap}/{topic}?value=avro&value.schema={path}")
    report = caught.value.report
    assert isinstance(report, DeliveryReport)
    assert report.failed == 3
    assert len(str(caught.value)) < 2000
    assert all(len(text) < 1000 for text in report.errors)
    assert len(orjson.dumps(report.to_manifest())) < 5000


# -- something else on the port (finding 12) ----------------------------------------------------


def _serve(handle: Any) -> tuple[int, Any]:
    """A TCP server on a free port that runs ``handle(connection)`` for each client."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def loop() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return int(server.getsockname()[1]), server


def _closes(conn: Any) -> None:
    conn.close()


def _postgres_like(conn: Any) -> None:
    """What PostgreSQL answers a Kafka request with: an ErrorResponse ('E', then its length)."""
    try:
        conn.recv(1024)
        body = b"SFATAL\x00C0A000\x00Munsupported frontend protocol\x00\x00"
        conn.sendall(b"E" + (len(body) + 4).to_bytes(4, "big") + body)
        time.sleep(0.5)
    finally:
        conn.close()


def _http_like(conn: Any) -> None:
    """An HTTP server: it waits for a request line that never comes."""
    try:
        conn.settimeout(10)
        conn.recv(1024)
        time.sleep(10)
    except OSError:
        pass
    finally:
        conn.close()


@pytest.mark.parametrize("handle", [_closes, _postgres_like, _http_like])
def test_a_server_that_is_not_kafka_is_named_so(handle: Any) -> None:
    port, server = _serve(handle)
    try:
        started = time.monotonic()
        with pytest.raises(SinkError) as caught:
            send_records([[{"id": 1}]], f"kafka://127.0.0.1:{port}/events?connect=2")
        assert time.monotonic() - started < 10
    finally:
        server.close()
    message = str(caught.value)
    assert message.startswith(f"cannot reach Kafka at 127.0.0.1:{port}: ")
    assert "is not a Kafka broker" in message
    # (a wrong address, not an outage: exit 1, where an unreachable broker is 69)
    assert not isinstance(caught.value, ServiceUnavailable)
    assert "brokers are down" not in message
    assert "receive.message.max.bytes" not in message
    assert "\n" not in message


def test_kafka_without_a_topic_for_records_naming_none_is_a_usage_error(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    from tests.helpers import run_cli

    manifest = tmp_path / "m.json"
    started = time.monotonic()
    for dtype in ("file", "api", "load", "fault"):
        result = run_cli(
            [
                "quick",
                "normal_user",
                "-t",
                dtype,
                "-n",
                "5000000",
                "-s",
                "1",
                "--sink",
                f"kafka://{kafka_bootstrap}",
                "--manifest",
                str(manifest),
            ]
        )
        assert result.code == 1, result.stderr
        assert f"{dtype} records name no topic" in result.stderr
        assert "kafka://HOST:PORT/TOPIC" in result.stderr
    assert time.monotonic() - started < 30  # nothing was generated
    assert not manifest.exists()
    dataset = Dataset([(PersonaCatalog().get("normal_user"), 1.0)], "file", 10, seed=1)
    with pytest.raises(UsageError, match="file records name no topic"):
        send_dataset(dataset, f"kafka://{kafka_bootstrap}")


def test_generate_paces_a_profiles_datasets_sent_to_kafka(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    # `generate` had no pacing: a profile's stream (the only way to send an imported
    # schema's events) always went out as fast as it was made.
    from tests.helpers import run_cli

    topic = new_topic(kafka_bootstrap, 3)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: paced\nversion: 1.0.0\npersonas: [noisy_device]\ndatasets:\n"
        f"  - {{name: tele, type: streaming, count: 5000, sink: 'kafka://{kafka_bootstrap}/{topic}'}}\n"
        "  - {name: rows, type: file, count: 10, format: jsonl}\n"
    )
    began = time.monotonic()
    out = str(tmp_path / "out")
    pacing = ["--rate", "400/s", "--duration", "1.5"]
    result = run_cli(["generate", str(profile), "-o", out, "-s", "1", *pacing])
    took = time.monotonic() - began
    assert result.code == 0, result.stderr
    manifest = orjson.loads((tmp_path / "out" / "tele.kafka.manifest.json").read_bytes())
    sent = manifest["count"]
    assert 300 <= sent <= 700, sent  # (400/s for 1.5 s: 600, less what start-up took)
    assert manifest["delivery"]["stopped"] == "duration"
    assert f"tele: --duration 1.5s reached after {sent} of 5000 records" in result.stderr
    assert took >= 1.4
    # (a dataset written to a file is not paced: all of it is there)
    assert len((tmp_path / "out" / "rows.jsonl").read_bytes().splitlines()) == 10
    assert len(consume_all(kafka_bootstrap, topic, sent)) == sent


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--realtime"], "dataset 'rows': --realtime follows the records' own times"),
        (["--speed", "2"], "--speed applies with --realtime"),
    ],
)
def test_generate_refuses_pacing_a_dataset_cannot_take(
    tmp_path: Path, args: list[str], message: str
) -> None:
    from tests.helpers import run_cli

    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: paced\nversion: 1.0.0\npersonas: [noisy_device]\ndatasets:\n"
        "  - {name: rows, type: file, count: 10, sink: 'kafka://127.0.0.1:1/t'}\n"
    )
    result = run_cli(["generate", str(profile), *args])
    assert result.code == 1, result.stderr
    assert message in result.stderr
    profile.write_text(profile.read_text().replace(", sink: 'kafka://127.0.0.1:1/t'", ""))
    result = run_cli(["generate", str(profile), "--rate", "5/s"])
    assert result.code == 1
    assert "pace datasets sent to a sink (--sink, or a dataset's sink:)" in result.stderr
