"""The producer side of a Kafka run: connecting, topics, sending, delivery reports and
what stops a run (librdkafka through confluent-kafka)."""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import orjson

from persona_gen.errors import ServiceUnavailable, SinkError, UsageError
from persona_gen.sinks.kafka_messages import KafkaMessage, ValueEncoder, kafka_message
from persona_gen.sinks.kafka_report import DeliveryReport
from persona_gen.sinks.kafka_target import _ACKS, PLANNED_PARTITIONS, KafkaTarget

if TYPE_CHECKING:
    from confluent_kafka import KafkaError, Message, Producer

    from persona_gen.sinks.schema_registry import Framing


_LOG = logging.getLogger("persona_gen.kafka")
_LOG.addHandler(logging.NullHandler())  # the client's own log lines stay quiet unless asked


_STOPPING = ("_MSG_TIMED_OUT", "_TIMED_OUT", "_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE")
_MAX_BATCH = 1_000_000  # librdkafka's default batch.size


@dataclass(frozen=True, slots=True)
class _Topic:
    partitions: int
    max_bytes: int | None  # the topic's max.message.bytes (the largest record batch it takes)
    # How far a record's own timestamp may lie ahead of and behind the broker's clock
    # (message.timestamp.after.max.ms / .before.max.ms of a CreateTime topic; None: no limit
    # or unknown). Kafka 4 takes records at most an hour ahead by default, and refuses a
    # batch holding one further ahead whole.
    ahead_ms: int | None = None
    behind_ms: int | None = None


class _ClientLog:
    """The Kafka clients' log lines: passed on to the ``persona_gen.kafka`` logger, and the
    recent connection failures kept, to tell the user *why* a broker did not answer."""

    def __init__(self) -> None:
        self.failures: deque[str] = deque(maxlen=64)

    def log(self, level: int, fmt: str, *args: Any) -> None:
        _LOG.log(level, fmt, *args)
        text = fmt % args if args else fmt
        if " FAIL " in text or "FAIL [" in text:
            self.failures.append(text)


# A connection that fails in this state got through TCP but not through Kafka's first
# request (ApiVersions): whatever listens there does not speak Kafka (or expects TLS).
_HANDSHAKE = "in state APIVERSION_QUERY"
_FAIL_BROKER = re.compile(r"\]: (\S+?)/(?:bootstrap|\d+): ")


def _not_kafka(failures: Iterable[str], connect_s: float) -> str | None:
    """Why the server at a bootstrap address is not a Kafka broker, from the client's log
    lines (the latest that tells); None when none tells."""
    for line in reversed(list(failures)):
        if _HANDSHAKE not in line:
            continue
        found = _FAIL_BROKER.search(line)
        where = f"the server at {found.group(1)}" if found else "the server"
        if "Invalid response size" in line:
            return (
                f"{where} is not a Kafka broker: it answered Kafka's first request with "
                "something else (is it another service's port, e.g. PostgreSQL or HTTP?)"
            )
        if "timed out" in line:
            return (
                f"{where} is not a Kafka broker: it accepted the connection but did not answer "
                f"Kafka's first request within {connect_s:g} s (is it another service's port, "
                "or a listener that expects TLS?)"
            )
        return (
            f"{where} is not a Kafka broker: it closed the connection at Kafka's first request "
            "(is it another service's port, or a listener that expects TLS?)"
        )
    return None


class _Run:
    """One producer session: the checks before, the accounting during, the flush after.

    An admin client checks the broker and the topics first (fast, with short timeouts); the
    producer is made afterwards, its batches capped at the destination topic's
    ``max.message.bytes`` so that one oversized record never takes its batch-mates down.
    """

    def __init__(self, target: KafkaTarget, encoding: str, config: Mapping[str, Any]) -> None:
        try:
            from confluent_kafka import KafkaError, KafkaException
            from confluent_kafka.admin import AdminClient
        except ImportError:  # pragma: no cover - confluent-kafka is a dependency
            raise SinkError(
                "the Kafka destination needs confluent-kafka: pip install confluent-kafka"
            ) from None
        self._KafkaError, self._KafkaException = KafkaError, KafkaException
        self.target = target
        self.config = dict(config)
        acks = str(self.config.get("acks", self.config.get("request.required.acks", target.acks)))
        self.acks = _ACKS.get(acks, acks)
        self.report = DeliveryReport(destination=str(target), encoding=encoding, acks=self.acks)
        self.started = time.monotonic()
        self.client_errors: list[str] = []
        self.client_log = _ClientLog()
        self.all_down = False  # every bootstrap broker failed (set by the clients' error_cb)
        self.not_kafka = False  # what answered on the bootstrap address is not Kafka
        self.answered = False  # a broker answered as Kafka (connect() succeeded)
        # The client lost its connection to every broker while producing: whether they are
        # really gone is checked (``check_brokers``) before the run is stopped for it.
        self.lost_brokers = False
        # Whether Ctrl-C was pressed (set by the sending loop): a wait for lost brokers ends.
        self.interrupted: Callable[[], bool] = lambda: False
        self.topics: dict[str, _Topic] = {}  # checked on first use
        # acks=0: each topic's partition end offsets before the first record, to see after
        # the run how many records really arrived (the broker acknowledges none).
        self.ends: dict[str, dict[int, int]] = {}
        self.producer: Producer | None = None
        # The Schema Registry's wire format, when the destination asks for it.
        self.framing: Framing | None = None
        connect_ms = max(int(min(self.target.connect_s, 30) * 1000), 1000)
        common: dict[str, Any] = {
            "bootstrap.servers": target.bootstrap,
            "client.id": "persona-gen",
            "socket.connection.setup.timeout.ms": connect_ms,
            "reconnect.backoff.max.ms": 1000,
            "logger": self.client_log,
            "error_cb": self._on_error,
        }
        self.common = common
        try:
            self.admin = AdminClient({**common, **self.config})
        except (KafkaException, ValueError, TypeError) as exc:
            raise UsageError(f"Kafka destination '{target}': bad client setting: {exc}") from None

    # -- before ----------------------------------------------------------------------------

    def connect(self, topics: Iterable[str] = ()) -> None:
        """Fail fast when no broker answers, check the URL's topic (or, when it names none,
        the records' own ``topics``), then make the producer."""
        problem = self._unreachable(self.target.connect_s)
        if problem is not None:
            # (a service on the port that is not Kafka is a wrong address, not an outage)
            failed = SinkError if self.not_kafka else ServiceUnavailable
            raise failed(
                f"cannot reach Kafka at {self.target.bootstrap}: {problem}", self.report
            ) from None
        self.answered = True
        batch = _MAX_BATCH
        names = [self.target.topic] if self.target.topic is not None else list(topics)
        # Batches fit the smallest limit of the topics written: a batch over a topic's
        # max.message.bytes fails whole, its small records with it.
        limits = [m for m in (self.topic(name).max_bytes for name in names) if m is not None]
        if self.target.partition == "record" and topics:
            # Records that plan their partition (``topics``: streaming ones) may name any of
            # the planned ones: refuse a topic with fewer before the first record is sent.
            for name in names:
                count = self.topic(name).partitions
                if count < PLANNED_PARTITIONS:
                    raise SinkError(
                        f"partition=record sends each record to the partition it is planned "
                        f"for (0-{PLANNED_PARTITIONS - 1}), but topic '{name}' has {count} "
                        "partitions: use partition=auto or partition=key",
                        self.report,
                    )
        if limits:
            batch = max(min(batch, *limits), 1)
        if self.framing is not None:  # (the schema registered before the first record)
            self.report.schema_ids = self.framing.ids  # (topics met later join it)
            try:
                self.framing.register(names)
            except SinkError as exc:  # (an unreachable registry stays one)
                raise type(exc)(str(exc), self.report) from None
        self.producer = self._producer(batch)

    def _unreachable(self, seconds: float, wait_out: bool = False) -> str | None:
        """None when a broker answers a metadata request within ``seconds``; else why not.
        Before the run, every broker refusing fails at once; ``wait_out`` (brokers lost
        mid-run) waits the whole ``seconds`` for one to come back (or for Ctrl-C)."""
        deadline = time.monotonic() + seconds
        self.all_down = False
        while True:
            if wait_out and self.interrupted():
                return None  # (Ctrl-C stops the run anyway; say nothing about the brokers)
            # Short attempts, so that "every broker refused" fails at once rather than after
            # the whole wait; a slow network still gets the full ``connect`` seconds.
            began = time.monotonic()
            wait = max(min(0.5, deadline - began), 0.05)
            try:
                self.admin.list_topics(timeout=wait)
                return None
            except self._KafkaException as exc:
                self.admin.poll(0)  # collect the client's own reason (connection refused...)
                if (self.all_down and not wait_out) or time.monotonic() >= deadline:
                    return self._why_not(exc, deadline)
                time.sleep(max(0.0, min(0.2 - (time.monotonic() - began), 0.2)))

    def _why_not(self, exc: BaseException, deadline: float) -> str:
        """The best reason the client gave for not reaching a broker."""
        # A handshake that timed out is logged as the wait ends: give its line a moment.
        late = max(deadline, time.monotonic()) + 1.5
        while True:
            # (Once a broker has answered, it is one: a failed handshake is then a broker
            # shutting down, not a different service on its port.)
            not_kafka = (
                None
                if self.answered
                else _not_kafka(self.client_log.failures, self.target.connect_s)
            )
            if not_kafka is not None:
                self.not_kafka = True
                return not_kafka
            told = [
                e
                for e in (*self.client_errors, *self.client_log.failures)
                if not _BROKERS_DOWN.fullmatch(e)
            ]
            if told:
                return _strip_client_noise(told[-1])
            if time.monotonic() >= late:
                break
            self.admin.poll(0.1)
        if self.client_errors:
            return f"no broker answered ({self.client_errors[-1]})"
        return _reason(exc)

    def _producer(self, batch_bytes: int) -> Producer:
        from confluent_kafka import Producer

        target = self.target
        idempotent = target.acks == "all"
        settings: dict[str, Any] = {
            **self.common,
            "acks": target.acks,
            "enable.idempotence": idempotent,
            # per-key order under retries: idempotence keeps it for acks=all; otherwise one
            # request in flight at a time does
            "max.in.flight.requests.per.connection": 5 if idempotent else 1,
            "compression.type": target.compression,
            "partitioner": "murmur2_random",  # the Java client's, which the generator plans by
            "linger.ms": 20,
            "batch.size": batch_bytes,
            "message.timeout.ms": int(target.timeout_s * 1000),
            "allow.auto.create.topics": False,
            **self.config,
        }
        try:
            return Producer(settings)
        except (self._KafkaException, ValueError, TypeError) as exc:
            raise UsageError(f"Kafka destination '{target}': bad client setting: {exc}") from None

    def topic(self, name: str) -> _Topic:
        """The topic's partition count and size limit; creates it when the URL says so, and
        then waits until every partition of it takes records."""
        known = self.topics.get(name)
        if known is not None:
            return known
        count = self._lookup(name)
        created = False
        if count is None and self.target.create is not None:
            self._create(name, self.target.create)
            created = True
            count = self._lookup(name, wait=True)
        if count is None:
            raise SinkError(
                f"topic '{name}' does not exist on broker {self.target.bootstrap}; create it "
                f"(e.g. kafka-topics.sh --create --topic {name} --partitions "
                f"{PLANNED_PARTITIONS}) or add ?create={PLANNED_PARTITIONS} to the destination",
                self.report,
            )
        if created or self.acks == "0":
            # A partition whose leader is not serving it yet refuses records: with acks=1 or
            # all the client retries them, but with acks=0 the broker just drops the
            # connection and the records, and the client counts them delivered.
            self.ends[name] = self._ends(name, count, created)
        configs = self._configs(name)
        found = self.topics[name] = _Topic(
            count,
            _config_int(configs, "max.message.bytes"),
            *_timestamp_window(configs),
        )
        return found

    def _lookup(self, topic: str, wait: bool = False) -> int | None:
        """The topic's partition count; None when it does not exist. ``wait`` (a topic just
        created): until it exists with a leader for every partition, within ``connect``."""
        deadline = time.monotonic() + self.target.connect_s
        while True:
            try:
                meta = self.admin.list_topics(topic=topic, timeout=self.target.connect_s)
            except self._KafkaException as exc:
                raise SinkError(
                    f"cannot read the metadata of topic '{topic}' from {self.target.bootstrap}: "
                    f"{_reason(exc)}",
                    self.report,
                ) from None
            found = meta.topics.get(topic)
            error = getattr(found, "error", None) if found is not None else None
            code = error.code() if error is not None else None
            missing = found is None or code in {
                self._KafkaError.UNKNOWN_TOPIC_OR_PART,
                self._KafkaError._UNKNOWN_TOPIC,
            }
            leaderless = (
                sorted(p for p, m in found.partitions.items() if m.leader < 0)
                if found is not None
                else []
            )
            if (
                found is not None
                and error is None
                and found.partitions
                and not (wait and leaderless)
            ):
                return len(found.partitions)
            if code == self._KafkaError.TOPIC_AUTHORIZATION_FAILED:
                raise SinkError(
                    f"not allowed to write to topic '{topic}' on {self.target.bootstrap}",
                    self.report,
                )
            if missing and not wait:
                return None
            if time.monotonic() >= deadline:
                if missing:
                    return None
                why = error.str() if error is not None else "no partitions"
                if error is None and leaderless:
                    why = f"no leader for partitions {_listed(leaderless)}"
                raise SinkError(
                    f"topic '{topic}' on {self.target.bootstrap} is not ready after "
                    f"{self.target.connect_s:g} s: {why} (try again, or give the cluster more "
                    "time with connect=SECONDS)",
                    self.report,
                )
            time.sleep(0.1)  # a topic just created, or a leader being elected

    def _ends(self, topic: str, count: int, created: bool) -> dict[int, int]:
        """The end offset of every partition, asked of each partition's leader: when they all
        answer, every partition takes records. Waits (within ``connect``) for a topic just
        created; a partition still not served then is an error."""
        from confluent_kafka import TopicPartition
        from confluent_kafka.admin._listoffsets import OffsetSpec  # (re-exported untyped)

        deadline = time.monotonic() + self.target.connect_s
        ends: dict[int, int] = {}
        why: dict[int, str] = {}
        while True:
            latest = OffsetSpec.latest()  # type: ignore[no-untyped-call]
            asked = {TopicPartition(topic, p): latest for p in range(count) if p not in ends}
            try:
                futures = self.admin.list_offsets(asked, request_timeout=self.target.connect_s)
                for tp, future in futures.items():
                    try:
                        ends[tp.partition] = int(
                            future.result(timeout=self.target.connect_s).offset
                        )
                        why.pop(tp.partition, None)
                    except self._KafkaException as exc:
                        why[tp.partition] = _reason(exc)
            except (self._KafkaException, TimeoutError) as exc:
                why[-1] = _reason(exc)
            if len(ends) == count:
                return ends
            if time.monotonic() >= deadline:
                reason = next(iter(why.values()), "no answer")
                missing = sorted(set(range(count)) - set(ends))
                raise SinkError(
                    f"topic '{topic}' on {self.target.bootstrap} is not ready after "
                    f"{self.target.connect_s:g} s: partitions {_listed(missing)} take no "
                    f"records ({reason}); "
                    + (
                        "try again, or give the cluster more time with connect=SECONDS"
                        if created
                        else "with acks=0 records sent there would be lost unseen"
                    ),
                    self.report,
                )
            time.sleep(0.1)

    def _configs(self, topic: str) -> dict[str, str | None]:
        """The topic's configuration; empty when the broker will not say (ACLs...)."""
        from confluent_kafka.admin._config import ConfigResource  # (re-exported untyped)

        resource = ConfigResource("topic", topic)
        try:
            futures = self.admin.describe_configs([resource], request_timeout=self.target.connect_s)
            entries = next(iter(futures.values())).result(timeout=self.target.connect_s * 2)
            return {str(k): (None if v.value is None else str(v.value)) for k, v in entries.items()}
        except (self._KafkaException, TimeoutError):
            return {}

    def _create(self, topic: str, partitions: int) -> None:
        from confluent_kafka.cimpl import NewTopic

        future = self.admin.create_topics(
            [NewTopic(topic, num_partitions=partitions)],
            request_timeout=self.target.connect_s,
            operation_timeout=self.target.connect_s,
        )[topic]
        try:
            future.result(timeout=self.target.connect_s * 2)
        except self._KafkaException as exc:
            error = exc.args[0] if exc.args else None
            if getattr(error, "code", lambda: None)() != self._KafkaError.TOPIC_ALREADY_EXISTS:
                raise SinkError(
                    f"cannot create topic '{topic}' on {self.target.bootstrap}: {_reason(exc)}",
                    self.report,
                ) from None
        except TimeoutError:
            raise SinkError(
                f"creating topic '{topic}' on {self.target.bootstrap} timed out", self.report
            ) from None

    # -- during ----------------------------------------------------------------------------

    def send(
        self,
        record: Mapping[str, Any],
        index: int,
        encode: ValueEncoder,
        value_of: Callable[[Mapping[str, Any]], Any] | None = None,
    ) -> None:
        """Hand one record to the producer, or count it as failed, or stop the run."""
        report = self.report
        assert self.producer is not None, "connect() first"
        try:
            message = kafka_message(record, index, encode, self.target.timestamp, value_of)
        except (orjson.JSONEncodeError, TypeError, ValueError) as exc:
            report.records += 1
            report.fail(f"cannot encode the record as {report.encoding}: {exc}")
            return
        name = self.target.topic or message.topic
        if not name:
            report.stop("records have no 'topic' field: name the topic in the destination")
            return
        try:
            topic = self.topic(name)
        except SinkError as exc:  # a missing per-record topic: stop, keep what is in flight
            report.stop(str(exc))
            return
        if self.framing is not None:
            try:
                message = replace(message, value=self.framing.prefix(name) + message.value)
            except SinkError as exc:  # a per-record topic's subject the registry refused
                report.stop(str(exc))
                return
        partition = self._partition_for(message, topic.partitions, name)
        if report.stopped:
            return
        report.records += 1
        if (
            topic.max_bytes is not None
            and self.target.compression == "none"
            and _batch_bytes(message) > topic.max_bytes
        ):
            # The broker would refuse it (and, batched, its neighbours): refuse it here.
            report.fail(f"Message size too large: over max.message.bytes of '{name}'")
            return
        outside = _outside_window(message.timestamp_ms, topic, name)
        if outside is not None:  # (likewise)
            report.fail(outside)
            return
        while True:
            try:
                self.producer.produce(
                    name,
                    value=message.value,
                    key=message.key,
                    partition=-1 if partition is None else partition,
                    on_delivery=self._delivered,
                    timestamp=message.timestamp_ms or 0,
                    headers=cast("list[tuple[str, str | bytes | None]]", message.headers),
                )
            except BufferError:  # the local queue is full: let deliveries drain it
                self.producer.poll(0.1)
                self.check_brokers()
                if report.stopped:
                    report.fail("not sent: " + report.stopped)
                    return
                continue
            except self._KafkaException as exc:  # refused before sending (e.g. too large)
                report.fail(_reason(exc))
                return
            report.sent += 1
            return

    def poll(self) -> None:
        if self.producer is not None:
            self.producer.poll(0)
        self.check_brokers()

    def check_brokers(self) -> None:
        """After the client lost every broker connection: stop the run when no broker answers
        (within ``connect`` seconds); go on when one does (the client reconnects and resends;
        with acks=0 what the broker dropped shows in ``finish``)."""
        if not self.lost_brokers or self.report.stopped:
            return
        self.lost_brokers = False
        problem = self._unreachable(self.target.connect_s, wait_out=True)
        if problem is not None:
            self.report.outage = self.report.stopped is None
            self.report.stop(
                f"lost the connection to every broker ({self.target.bootstrap}) and could not "
                f"reconnect within {self.target.connect_s:g} s: {problem}"
            )
        self.lost_brokers = False  # (the probe's own failures were seen above)

    def _partition_for(self, message: KafkaMessage, count: int, topic: str) -> int | None:
        mode, planned = self.target.partition, message.partition
        if mode == "key" or planned is None:
            return None
        if mode == "auto":
            return planned if count == PLANNED_PARTITIONS else None
        if planned >= count:
            self.report.stop(
                f"a record is planned for partition {planned} but topic '{topic}' has {count} "
                "partitions: use partition=auto or partition=key"
            )
            return None
        return planned

    def _delivered(self, error: KafkaError | None, message: Message) -> None:
        report = self.report
        if error is None:
            # acks=0: the client wrote it and calls that delivered; the broker said nothing.
            if self.acks == "0":
                report.unconfirmed += 1
            else:
                report.acknowledged += 1
            counts = report.partitions.setdefault(message.topic() or "", {})
            partition = message.partition()
            if partition is not None:
                counts[partition] = counts.get(partition, 0) + 1
            return
        report.fail(error.str())
        if error.fatal() or error.name() in _STOPPING:
            report.stop(f"the broker stopped answering ({error.str()})")

    def _on_error(self, error: KafkaError) -> None:
        self.client_errors.append(error.str())
        del self.client_errors[:-64]
        if error.code() == self._KafkaError._ALL_BROKERS_DOWN:
            self.all_down = True
            # Said whenever the last open connection closes, also when the client reconnects
            # at once (and with acks=0 when the broker refuses a request): checked before
            # the run stops for it.
            if self.report.sent:
                self.lost_brokers = True
        if error.fatal():
            self.report.stop(f"fatal producer error: {error.str()}")

    # -- after -----------------------------------------------------------------------------

    def finish(self) -> None:
        """Wait for every delivery report (each record times out after ``timeout`` at most);
        with acks=0, count what the partitions did not receive as failed."""
        producer = self.producer
        if producer is None:
            return
        deadline = time.monotonic() + self.target.timeout_s + 10
        while len(producer) and time.monotonic() < deadline:
            producer.flush(1.0)
            self.check_brokers()
        if len(producer):  # no report in time: purge so each still gets its (failed) callback
            producer.purge()
            producer.flush(1.0)
            still = len(producer)
            if still:
                self.report.fail("no delivery report", still)
        self.check_brokers()
        if self.acks == "0":
            self._count_unarrived()

    def _count_unarrived(self) -> None:
        """acks=0: a partition that grew by fewer records than were written to it lost the
        rest (the broker drops a request it refuses, and the client still calls it
        delivered); they move from ``unconfirmed`` to ``failed``. Another producer writing to
        the same partitions can only hide such a loss, never invent one."""
        report = self.report
        written = {t: dict(c) for t, c in report.partitions.items() if t in self.ends and c}
        if not written:
            return
        # The broker appends what the client wrote a moment later: ask until it adds up.
        deadline = time.monotonic() + min(self.target.timeout_s, 5.0)
        while True:
            short: dict[tuple[str, int], tuple[int, int]] = {}
            try:
                for topic, counts in written.items():
                    now = self._ends(topic, max(counts) + 1, created=False)
                    for p, n in counts.items():
                        grew = now[p] - self.ends[topic].get(p, 0)
                        if grew < n:
                            short[(topic, p)] = (max(grew, 0), n)
            except SinkError:
                return  # the offsets cannot be read (the broker is gone): nothing to tell
            if not short or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        for (topic, p), (grew, n) in sorted(short.items()):
            lost = n - grew
            report.unconfirmed -= lost
            report.partitions[topic][p] = grew
            report.fail(
                f"not stored: partition {p} of '{topic}' grew by {grew} of the {n} records "
                "written to it (acks=0: the broker dropped the rest without an answer)",
                lost,
            )

    def close(self) -> None:
        producer = self.producer
        if producer is not None:
            if len(producer):  # an exception mid-run: account for what was in flight
                producer.purge()
                producer.flush(1.0)
            producer.close()
        self.report.seconds = time.monotonic() - self.started


_BROKERS_DOWN = re.compile(r"\d+/\d+ brokers are down")


def _listed(numbers: list[int], most: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:most])
    return shown + (f" and {len(numbers) - most} more" if len(numbers) > most else "")


# The prefix of a client's log line: ``FAIL [client#producer-1] [thrd:HOST:PORT/bootstrap]: ``
# as the logger gets it, ``%3|1700000000.123|FAIL|client#producer-1| [thrd:…]: `` as
# librdkafka prints it; an IPv6 host keeps its brackets in the thread's name
# (``[thrd:[::1]:9092/bootstrap]``).
_CLIENT_PREFIX = re.compile(
    r"^(?:%\d+\|[^|]*\|FAIL\|[^|]*\||FAIL \[[^\]]*\]) \[thrd:(?:\[[^\]]*\]|[^\[\]])*\]: "
)


def _strip_client_noise(line: str) -> str:
    """A client log line without its ``FAIL [client#producer-1] [thrd:...]: `` prefix."""
    return _CLIENT_PREFIX.sub("", line)


def _reason(exc: BaseException) -> str:
    """The client error's own text (``KafkaException(KafkaError)``), else the exception's."""
    error = exc.args[0] if exc.args else None
    describe = getattr(error, "str", None)
    return str(describe()) if callable(describe) else str(exc)


def _varint(n: int) -> int:
    """Bytes of ``n`` as a zig-zag varint (Kafka's record encoding)."""
    z = (n << 1) ^ (n >> 63)
    size = 1
    while z >= 0x80:
        z >>= 7
        size += 1
    return size


_BATCH_HEADER = 61  # a v2 record batch's fixed header


def _batch_bytes(message: KafkaMessage) -> int:
    """The smallest record batch holding just ``message``: what the broker compares with the
    topic's ``max.message.bytes``. Nothing smaller can carry it, so a record over the limit by
    this count can never be accepted."""
    key = -1 if message.key is None else len(message.key)
    body = 3 + _varint(key) + max(key, 0) + _varint(len(message.value)) + len(message.value)
    body += _varint(len(message.headers))
    for name, value in message.headers:
        size = len(name.encode())
        body += _varint(size) + size + _varint(len(value)) + len(value)
    return _BATCH_HEADER + _varint(body) + body


def _config_int(configs: Mapping[str, str | None], key: str) -> int | None:
    try:
        value = configs.get(key)
        return int(value) if value is not None else None
    except ValueError:
        return None


_NO_LIMIT = 2**63 - 1  # Kafka's Long.MAX_VALUE: the setting's "no limit"


def _timestamp_window(configs: Mapping[str, str | None]) -> tuple[int | None, int | None]:
    """(ahead, behind): how far a record's timestamp may be from the broker's clock, from a
    topic's configuration; None for no limit (or a LogAppendTime topic, which keeps none of
    the records' own times)."""
    if configs.get("message.timestamp.type") == "LogAppendTime":
        return None, None
    limits = (
        _config_int(configs, "message.timestamp.after.max.ms"),
        _config_int(configs, "message.timestamp.before.max.ms"),
    )
    ahead, behind = (None if m is None or m >= _NO_LIMIT else m for m in limits)
    return ahead, behind


def _outside_window(timestamp_ms: int | None, topic: _Topic, name: str) -> str | None:
    """Why the broker would refuse a record with this timestamp, else None."""
    if not timestamp_ms or (topic.ahead_ms is None and topic.behind_ms is None):
        return None
    now = time.time_ns() // 1_000_000
    hint = "send it in its own time (--realtime), start earlier (--start) or use timestamp=none"
    if topic.ahead_ms is not None and timestamp_ms > now + topic.ahead_ms:
        return (
            f"Invalid timestamp: more than message.timestamp.after.max.ms ({topic.ahead_ms} ms) "
            f"ahead of now on '{name}': {hint}"
        )
    if topic.behind_ms is not None and timestamp_ms < now - topic.behind_ms:
        return (
            f"Invalid timestamp: more than message.timestamp.before.max.ms ({topic.behind_ms} "
            f"ms) behind now on '{name}': start later (--start now) or use timestamp=none"
        )
    return None
