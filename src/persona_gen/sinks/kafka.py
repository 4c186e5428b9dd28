"""Kafka destination: produce records to a real broker and account for every one of them.

A destination is a URL::

    kafka://HOST[:PORT][,HOST[:PORT]...][/TOPIC][?OPTION=VALUE&...]

    kafka://127.0.0.1:9092/orders?acks=all&value=json

Without ``/TOPIC`` each record goes to its own ``topic`` field (streaming records carry one,
e.g. ``order-events``). Options (all optional):

- ``acks``: ``all`` (default; with an idempotent producer, so retries never reorder or
  duplicate), ``1`` or ``0`` (nothing is acknowledged: records are counted ``unconfirmed``).
- ``value``: the value encoding, ``json`` (default). Encodings are pluggable
  (``VALUE_ENCODERS``, entry-point group ``persona_gen.kafka_values``); options named
  ``value.X`` are passed to the encoding.
- ``partition``: ``auto`` (default) sends a record to its own ``partition`` when the topic has
  the 12 partitions the streaming generator planned for, else partitions by key; ``record``
  always uses the record's partition (an error if the topic has fewer, or if the records plan
  none: only streaming ones do); ``key`` always hashes.
- ``timestamp``: ``event`` (default: the record's ``event_time``, else its ``timestamp``),
  ``ingest`` (its ``ingest_time``) or ``none`` (the producer's clock). Event times lie in the
  past: on a topic with time-based retention, old ones are soon eligible for deletion.
- ``compression``: ``none`` (default), ``gzip``, ``snappy``, ``lz4`` or ``zstd``.
- ``timeout``: seconds a record may wait for its acknowledgement (default 30).
- ``connect``: seconds to wait for the broker's metadata before giving up (default 5).
- ``create``: when the topic does not exist, create it with this many partitions (else a
  missing topic is an error; the sink never relies on the broker's auto-creation), and wait
  (within ``connect``) until every partition's leader takes records.

How records become messages:

* A streaming record (one with ``key``, ``headers`` and ``payload``) is an envelope: key =
  ``key``, value = the encoded ``payload``, headers = its ``headers`` (``content-type`` set to
  the encoding's) plus ``event-id``, ``event-type`` and ``persona``, timestamp = ``event_time``.
* Any other record (api, load, file, fault...) is sent whole as the value, keyed by its
  ``request_id``, ``id`` or ``index`` (else its position in the run), with a ``persona`` header
  when it has one and its ``timestamp`` field as the message time. Such records name no
  topic: the URL must. A schema encoding (``value=avro``/``protobuf``) takes the part the
  schema governs, as the Avro and Protobuf files do (fault: ``record``; file: the row
  re-nested without its labels); api and load records have none and are refused.
* Partitioning by key uses the Java client's murmur2 partitioner (``murmur2_random``), the one
  the streaming generator plans with, so both policies put a key on the same partition of a
  12-partition topic and each key's records stay in order.

Accounting: every record taken ends as acknowledged (with ``acks=0``: unconfirmed) or failed;
``send_records`` waits for every delivery report and raises ``SinkError`` (carrying the
``DeliveryReport``, whose ``error`` is the message) when any record failed. With ``acks=0``
the broker drops a request it refuses and the client still calls its records delivered: the
partitions' end offsets, read before and after, show how many arrived, and the rest count as
failed. A record the broker would refuse is counted failed and the run goes on: one
larger than the topic's ``max.message.bytes`` is refused before sending (and, for the URL's
topic, batches are capped at that size, so it never takes batch-mates down with it); other
refusals come back in the delivery reports. Losing the broker (timeouts, a fatal producer
error, every connection lost and none re-opened within ``connect``) stops the run: nothing more
is read, what is in flight is accounted for, and the error says so. Something other than a
Kafka broker on the port (an HTTP server, PostgreSQL) is named as such.
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import parse_qsl, urlsplit

import orjson

from persona_gen.errors import SinkError, UsageError, shorten
from persona_gen.registry import Registry

if TYPE_CHECKING:
    from confluent_kafka import KafkaError, Message, Producer

    from persona_gen.runtime.dataset import Dataset

__all__ = [
    "VALUE_ENCODERS",
    "DeliveryReport",
    "JsonValue",
    "KafkaMessage",
    "KafkaTarget",
    "Progress",
    "ValueEncoder",
    "check_kafka_destination",
    "governed_value",
    "kafka_message",
    "parse_kafka_url",
    "send_dataset",
    "send_records",
    "shorten",
]

#: Partitions the streaming generator plans its ``partition`` field for.
PLANNED_PARTITIONS = 12
DEFAULT_PORT = 9092

_LOG = logging.getLogger("persona_gen.kafka")
_LOG.addHandler(logging.NullHandler())  # the client's own log lines stay quiet unless asked

_TOPIC = re.compile(r"[A-Za-z0-9._-]{1,249}")
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?")
_ACKS = {"all": "all", "-1": "all", "1": "1", "0": "0"}
_COMPRESSION = ("none", "gzip", "snappy", "lz4", "zstd")
_PARTITIONING = ("auto", "record", "key")
_TIMESTAMPS = ("event", "ingest", "none")
_OPTIONS = (
    "acks",
    "value",
    "partition",
    "timestamp",
    "compression",
    "timeout",
    "connect",
    "create",
)


# -- value encodings --------------------------------------------------------------------------


class ValueEncoder(Protocol):
    """Turns a record's value (a streaming payload, or a whole record) into message bytes."""

    content_type: str

    def __call__(self, value: Any) -> bytes: ...


class JsonValue:
    """JSON via orjson, exactly as the jsonl file output encodes the same value."""

    content_type = "application/json"

    def __init__(self, options: Mapping[str, str]) -> None:
        if options:
            raise UsageError(f"the json value encoding takes no options (got {', '.join(options)})")

    def __call__(self, value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


#: name -> factory(options) -> ValueEncoder. Avro / Protobuf encodings plug in here.
VALUE_ENCODERS: Registry[Callable[[Mapping[str, str]], ValueEncoder]] = Registry(
    "Kafka value encoding",
    {
        "json": "persona_gen.sinks.kafka:JsonValue",
        "avro": "persona_gen.sinks.kafka_values:AvroValue",
        "protobuf": "persona_gen.sinks.kafka_values:ProtobufValue",
    },
    "persona_gen.kafka_values",
)


# -- the destination URL ----------------------------------------------------------------------


@dataclass(frozen=True)
class KafkaTarget:
    """A parsed ``kafka://`` destination."""

    brokers: tuple[str, ...]
    topic: str | None = None
    acks: str = "all"
    value: str = "json"
    value_options: Mapping[str, str] = field(default_factory=dict)
    partition: str = "auto"
    timestamp: str = "event"
    compression: str = "none"
    timeout_s: float = 30.0
    connect_s: float = 5.0
    create: int | None = None

    @property
    def bootstrap(self) -> str:
        return ",".join(self.brokers)

    @property
    def manifest_format(self) -> str:
        """The run manifest's ``format``: ``kafka/`` and the value encoding."""
        return f"kafka/{self.value}"

    def __str__(self) -> str:
        return f"kafka://{self.bootstrap}/{self.topic or ''}"


def parse_kafka_url(url: str) -> KafkaTarget:
    """``kafka://HOST:PORT/TOPIC?OPTIONS`` -> ``KafkaTarget``; a ``UsageError`` when malformed."""
    parts = urlsplit(url)
    if "@" in parts.netloc:  # never echo a secret back
        raise UsageError(
            "Kafka destination: credentials do not belong in the URL; pass SASL settings as "
            "client configuration"
        )
    where = f"Kafka destination '{url}'"
    if parts.scheme != "kafka":
        raise UsageError(f"{where}: expected kafka://HOST:PORT/TOPIC")
    if parts.fragment:
        raise UsageError(f"{where}: a '#' fragment has no meaning here")
    brokers = [_broker(b, where) for b in parts.netloc.split(",")] if parts.netloc else []
    if not brokers:
        raise UsageError(f"{where}: no broker given (kafka://HOST:PORT/TOPIC)")
    topic = parts.path.strip("/") or None
    if topic is not None and (not _TOPIC.fullmatch(topic) or topic in {".", ".."}):
        raise UsageError(
            f"{where}: '{topic}' is not a Kafka topic name "
            "(1 to 249 letters, digits, '.', '_' or '-')"
        )
    options: dict[str, str] = {}
    value_options: dict[str, str] = {}
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise UsageError(f"{where}: cannot read the options '{parts.query}'") from None
    for name, text in pairs:
        bucket, key = (value_options, name[6:]) if name.startswith("value.") else (options, name)
        if name not in _OPTIONS and bucket is options:
            raise UsageError(f"{where}: unknown option '{name}' (options: {', '.join(_OPTIONS)})")
        if key in bucket:
            raise UsageError(f"{where}: option '{name}' is given twice")
        bucket[key] = text
    acks = _ACKS.get(options.get("acks", "all"))
    if acks is None:
        raise UsageError(f"{where}: acks must be all, 1 or 0 (got '{options['acks']}')")
    value = options.get("value", "json")
    VALUE_ENCODERS.get(value, where)  # UnknownNameError (a UsageError) with the choices
    return KafkaTarget(
        brokers=tuple(brokers),
        topic=topic,
        acks=acks,
        value=value,
        value_options=value_options,
        partition=_choice(options, "partition", _PARTITIONING, where),
        timestamp=_choice(options, "timestamp", _TIMESTAMPS, where),
        compression=_choice(options, "compression", _COMPRESSION, where),
        timeout_s=_seconds(options, "timeout", 30.0, where),
        connect_s=_seconds(options, "connect", 5.0, where),
        create=_partitions(options.get("create"), where),
    )


def _broker(text: str, where: str) -> str:
    match = _HOST.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"{where}: '{text}' is not HOST or HOST:PORT")
    port = int(match.group(2) or DEFAULT_PORT)
    if not 0 < port < 65536:
        raise UsageError(f"{where}: port {port} is out of range")
    return f"{match.group(1)}:{port}"


def _choice(options: Mapping[str, str], name: str, choices: tuple[str, ...], where: str) -> str:
    value = options.get(name, choices[0])
    if value not in choices:
        raise UsageError(f"{where}: {name} must be one of {', '.join(choices)} (got '{value}')")
    return value


def _seconds(options: Mapping[str, str], name: str, default: float, where: str) -> float:
    text = options.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise UsageError(f"{where}: {name} must be seconds in (0, 3600] (got '{text}')")
    return value


def _partitions(text: str | None, where: str) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise UsageError(f"{where}: create must be a partition count from 1 (got '{text}')")
    return int(text)


# -- records -> messages ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KafkaMessage:
    """One record as the producer sends it."""

    topic: str | None
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    partition: int | None  # the record's planned partition (streaming records), else None
    timestamp_ms: int | None


_KEY_FIELDS = ("request_id", "id", "index")


def kafka_message(
    record: Mapping[str, Any],
    index: int,
    encode: ValueEncoder,
    timestamp: str = "event",
    value_of: Callable[[Mapping[str, Any]], Any] | None = None,
) -> KafkaMessage:
    """The message for ``record`` (number ``index`` of the run): see the module docstring.
    ``value_of`` picks the value of a record that is not a streaming envelope (default: the
    whole record; a schema encoding takes the part its schema governs, ``governed_value``)."""
    if "payload" in record and "key" in record and "headers" in record:
        headers = [
            (str(k), _bytes(v))
            for k, v in (record["headers"] or {}).items()
            if str(k) != "content-type"
        ]
        headers.insert(0, ("content-type", encode.content_type.encode()))
        present = {k for k, _ in headers}
        for name, source in (("event-id", "event_id"), ("event-type", "event_type")):
            if name not in present and record.get(source) is not None:
                headers.append((name, _bytes(record[source])))
        if "persona" not in present and record.get("persona") is not None:
            headers.append(("persona", _bytes(record["persona"])))
        key = record["key"]
        partition = record.get("partition")
        when = {"event": "event_time", "ingest": "ingest_time"}.get(timestamp)
        return KafkaMessage(
            topic=record.get("topic"),
            key=None if key is None else _bytes(key),
            value=encode(record["payload"]),
            headers=headers,
            partition=partition if isinstance(partition, int) else None,
            timestamp_ms=_epoch_ms(record.get(when)) if when else None,
        )
    key = next((record[k] for k in _KEY_FIELDS if record.get(k) is not None), index)
    headers = [("content-type", encode.content_type.encode())]
    if record.get("persona") is not None:
        headers.append(("persona", _bytes(record["persona"])))
    return KafkaMessage(
        topic=record.get("topic") if isinstance(record.get("topic"), str) else None,
        key=_bytes(key),
        value=encode(record if value_of is None else value_of(record)),
        headers=headers,
        partition=None,
        timestamp_ms=_epoch_ms(record.get("timestamp")) if timestamp != "none" else None,
    )


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_EPOCH_MAX = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


def _epoch_ms(value: Any) -> int | None:
    """Epoch milliseconds from an ISO-8601 string (``...Z``) or an epoch-ms int; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= _EPOCH_MAX else None
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # a naive local time says nothing about the instant
    ms = (moment - _EPOCH) // _MS
    return ms if 0 <= ms <= _EPOCH_MAX else None


# -- the delivery report ----------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """Where every record went. ``records == acknowledged + unconfirmed + failed`` once the
    run is over; ``stopped`` says why sending ended early (then the rest of the input was not
    read); ``error`` is the message the run failed with (None when it did not).

    With ``acks=0`` the broker acknowledges nothing: a record the client wrote is counted
    ``unconfirmed``, never ``acknowledged``; one the topic's offsets show never arrived is
    counted failed."""

    destination: str
    encoding: str
    acks: str = "all"
    records: int = 0  # taken from the input
    sent: int = 0  # handed to the producer
    acknowledged: int = 0  # confirmed by the broker (acks=1 or all)
    unconfirmed: int = 0  # acks=0: written to the broker, which confirms nothing
    failed: int = 0  # rejected by the producer or the broker, never confirmed, or lost
    # topic -> partition -> records acknowledged there (acks=0: written, unconfirmed)
    partitions: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)  # error text -> records
    first_error: str | None = None
    stopped: str | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.stopped is None

    def fail(self, message: str, n: int = 1) -> None:
        message = shorten(message)
        self.failed += n
        self.errors[message] += n
        if self.first_error is None:
            self.first_error = message

    def stop(self, reason: str) -> None:
        """Stop taking records (the first reason given is kept)."""
        if self.stopped is None:
            self.stopped = shorten(reason)

    def summary(self) -> str:
        if self.acks == "0":
            done = f"{self.unconfirmed} of {self.records} records sent unconfirmed (acks=0)"
        else:
            done = f"{self.acknowledged} of {self.records} records acknowledged"
        head = f"{self.destination}: {done}, {self.failed} failed"
        if self.stopped:
            head += f"; stopped: {self.stopped}"
        if self.errors:
            worst = ", ".join(f"{text} ({n})" for text, n in self.errors.most_common(3))
            head += f"; errors: {worst}"
        return head

    def to_manifest(self) -> dict[str, Any]:
        """JSON-ready (string keys) for the run manifest's ``delivery`` section."""
        return {
            "destination": self.destination,
            "encoding": self.encoding,
            "acks": self.acks,
            "records": self.records,
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "unconfirmed": self.unconfirmed,
            "failed": self.failed,
            "partitions": {
                topic: {str(p): n for p, n in sorted(counts.items())}
                for topic, counts in sorted(self.partitions.items())
            },
            "errors": dict(self.errors.most_common()),
            "first_error": self.first_error,
            "stopped": self.stopped,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


class Progress(Protocol):
    def advance(self, n: int) -> None: ...


# -- producing --------------------------------------------------------------------------------


def send_records(
    blocks: Iterable[list[dict[str, Any]]],
    url: str | KafkaTarget,
    *,
    encoding: str | None = None,
    progress: Progress | None = None,
    config: Mapping[str, Any] | None = None,
    topics: Iterable[str] = (),
    value_of: Callable[[Mapping[str, Any]], Any] | None = None,
) -> DeliveryReport:
    """Produce every record of ``blocks`` to ``url`` and wait for every delivery report.

    ``topics`` are the records' own topics, checked (or created) before the first record
    when the URL names none, so a missing one fails before anything is generated.

    ``encoding`` overrides the URL's ``value=``; ``config`` adds librdkafka settings (security,
    SASL...); ``value_of`` picks the value of records that are not streaming envelopes (see
    ``kafka_message``). Returns the ``DeliveryReport`` when every record was acknowledged (or,
    with ``acks=0``, sent); raises ``SinkError`` (carrying the report, whose ``error`` is the
    message) when the broker cannot be reached, a topic is missing, or any record failed.
    ``progress.advance(n)`` is called as blocks are handed over.
    """
    target = url if isinstance(url, KafkaTarget) else parse_kafka_url(url)
    name = encoding or target.value
    options = target.value_options if name == target.value else {}
    encode = VALUE_ENCODERS.get(name, f"Kafka destination '{target}'")(options)
    run = _Run(target, name, config or {})
    try:
        try:
            run.connect(topics)
        except KeyboardInterrupt:  # (before the flag is set: nothing was sent yet)
            run.report.stop("interrupted")
            raise SinkError(run.report.summary(), run.report, interrupted=True) from None
        _produce(run, blocks, encode, progress, value_of)
    except SinkError as exc:
        run.report.error = run.report.error or shorten(str(exc), 2000)
        raise
    finally:
        run.close()
    report = run.report
    if not report.ok:
        report.error = report.summary()
        raise SinkError(report.error, report, interrupted=report.stopped == "interrupted")
    return report


def _produce(
    run: _Run,
    blocks: Iterable[list[dict[str, Any]]],
    encode: ValueEncoder,
    progress: Progress | None,
    value_of: Callable[[Mapping[str, Any]], Any] | None,
) -> None:
    """Hand every record to the producer, then wait for what is in flight."""
    index = 0
    # Ctrl-C: stop taking records, but still wait for what is in flight, so the report
    # (and the manifest) says exactly what was delivered. The signal only sets a flag
    # while records are produced: raised inside the Kafka client's C code (a delivery
    # callback, a produce) it surfaced as SystemError or TypeError, or lost a record.
    with _InterruptFlag() as interrupt:
        try:
            taking = iter(blocks)
            while True:
                with interrupt.raising():  # (a paced run may sleep here for long)
                    block = next(taking, None)
                if block is None:
                    break
                for record in block:
                    if run.report.stopped or interrupt.seen:
                        break
                    run.send(record, index, encode, value_of)
                    index += 1
                if run.report.stopped or interrupt.seen:
                    break
                run.poll()
                if progress is not None:
                    progress.advance(len(block))
                    show = getattr(progress, "delivery", None)
                    if show is not None:  # a live sent / acknowledged / failed line
                        show(run.report.sent, run.report.acknowledged, run.report.failed)
        except KeyboardInterrupt:  # (while taking a block, or off the main thread)
            interrupt.seen = True
        if interrupt.seen:
            run.report.stop("interrupted")
        run.finish()


def check_kafka_destination(url: str | KafkaTarget, generator: str | type | None) -> None:
    """Fail before generating when ``generator``'s records (a generator name or class) cannot
    go to ``url``: no topic in the URL for records that name none of their own, a schema
    value encoding for records with no schema-governed part, or ``partition=record`` for
    records that plan no partition. A ``UsageError`` when so."""
    if generator is None:
        return
    target = url if isinstance(url, KafkaTarget) else parse_kafka_url(url)
    cls = generator
    if isinstance(generator, str):
        from persona_gen.generators import GENERATORS

        cls = GENERATORS.get(generator)
    name = generator if isinstance(generator, str) else str(getattr(cls, "name", cls))
    _refuse(target, name, _names_topics(cls))


def _refuse(target: KafkaTarget, name: str, names_topics: bool) -> None:
    if target.topic is None and not names_topics:
        raise UsageError(
            f"Kafka destination '{target}': {name} records name no topic: give one in the "
            "destination (kafka://HOST:PORT/TOPIC)"
        )
    if _schema_bound(target.value) and name not in _GOVERNED:
        raise UsageError(
            f"Kafka destination '{target}': value={target.value} encodes the part of a record "
            f"its schema governs, and {name} records have no schema-governed part (streaming, "
            "fault and file records do): use value=json"
        )
    if target.partition == "record" and not names_topics:
        # (records that name their topics plan their partitions: streaming ones; the
        # others would go by key, as with partition=key, while the URL says otherwise)
        raise UsageError(
            f"Kafka destination '{target}': partition=record sends each record to the "
            f"partition planned for it, and {name} records plan none (streaming records "
            "do): use partition=auto or partition=key"
        )


#: Generators whose records a schema governs a part of (streaming: ``payload``, fault:
#: ``record``, file: the row without its labels), as the Avro and Protobuf file formats write.
_GOVERNED = ("streaming", "fault", "file")


def _names_topics(cls: Any) -> bool:
    from persona_gen.generators.base import Generator

    own = getattr(cls, "topics", None)
    return own is not None and own is not Generator.topics


def _schema_bound(encoding: str) -> bool:
    """Whether the value encoding holds a schema's record (then only the governed part of a
    record fits it), rather than any JSON value."""
    try:
        factory = VALUE_ENCODERS.get(encoding)
    except UsageError:
        return False
    return bool(getattr(factory, "schema_bound", False))


def governed_value(dataset: Dataset) -> Callable[[Mapping[str, Any]], Any]:
    """The value a schema encoding takes from each record of ``dataset`` that is not a
    streaming envelope: what the Avro and Protobuf file formats write (fault → ``record``,
    file → the row without its labels, re-nested: ``runtime.records.schema_part``)."""
    from persona_gen.runtime.records import FileRowShape, schema_part

    generator = dataset.generator
    shape = None
    if generator == "file":
        lane = dataset.lanes[0].generator
        shape = FileRowShape(lane.ctx.domain, lane.entity.name)

    def value_of(record: Mapping[str, Any]) -> Any:
        return schema_part(dict(record), generator, shape)[1]

    return value_of


def send_dataset(
    dataset: Dataset,
    url: str | KafkaTarget,
    *,
    encoding: str | None = None,
    progress: Callable[[int], Any] | None = None,
    extra: dict[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    pace: Callable[[Iterable[list[dict[str, Any]]]], Iterable[list[dict[str, Any]]]] | None = None,
) -> dict[str, Any]:
    """Generate ``dataset`` straight into Kafka; returns the run manifest, whose ``delivery``
    section is the ``DeliveryReport``. ``progress`` is a factory like ``write_dataset``'s;
    ``pace`` releases records in wall-clock time (runtime/pacing.py). With a schema value
    encoding (avro, protobuf), file and fault records are sent as their governed part."""
    from persona_gen.runtime.manifest import manifest

    target = url if isinstance(url, KafkaTarget) else parse_kafka_url(url)
    if encoding is not None and encoding != target.value:
        VALUE_ENCODERS.get(encoding, f"Kafka destination '{target}'")
        target = replace(target, value=encoding, value_options={})
    planned = [t for lane in dataset.lanes for t in getattr(lane.generator, "topics", list)()]
    _refuse(target, dataset.generator, bool(planned))  # before anything is generated
    value_of = governed_value(dataset) if _schema_bound(target.value) else None
    bar = progress(dataset.count) if progress is not None else None
    try:
        blocks: Iterable[list[dict[str, Any]]] = dataset.blocks()
        if pace is not None:
            blocks = pace(blocks)
        report = send_records(
            blocks, target, progress=bar, config=config, topics=planned, value_of=value_of
        )
    finally:
        if bar is not None:
            bar.close()
    if pace is not None and report.records < dataset.count and report.stopped is None:
        report.stopped = "duration"  # (only --duration ends paced input early)
    doc = manifest(dataset, output=str(target), fmt=target.manifest_format, extra=extra)
    doc["delivery"] = report.to_manifest()
    doc["count"] = report.records  # what was taken for delivery (a paced run may stop early)
    return doc


class _InterruptFlag:
    """SIGINT sets ``seen`` instead of raising KeyboardInterrupt, while in the ``with``
    block (in the main thread; elsewhere signals cannot be handled and nothing changes),
    except inside ``raising()``: there, out of the Kafka client, it raises as usual."""

    def __init__(self) -> None:
        self.seen = False
        self._raise = False
        self._previous: Any = None

    def __enter__(self) -> _InterruptFlag:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    @contextlib.contextmanager
    def raising(self) -> Iterator[None]:
        if self.seen:
            raise KeyboardInterrupt
        self._raise = True
        try:
            yield
        finally:
            self._raise = False

    def _handle(self, signum: int, frame: Any) -> None:
        self.seen = True
        if self._raise:
            raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


# Errors that mean the broker is gone rather than that one record was refused.
_STOPPING = ("_MSG_TIMED_OUT", "_TIMED_OUT", "_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE")
_MAX_BATCH = 1_000_000  # librdkafka's default batch.size


@dataclass(frozen=True, slots=True)
class _Topic:
    partitions: int
    max_bytes: int | None  # the topic's max.message.bytes (the largest record batch it takes)


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
        self.answered = False  # a broker answered as Kafka (connect() succeeded)
        # The client lost its connection to every broker while producing: whether they are
        # really gone is checked (``check_brokers``) before the run is stopped for it.
        self.lost_brokers = False
        self.topics: dict[str, _Topic] = {}  # checked on first use
        # acks=0: each topic's partition end offsets before the first record, to see after
        # the run how many records really arrived (the broker acknowledges none).
        self.ends: dict[str, dict[int, int]] = {}
        self.producer: Producer | None = None
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
            raise SinkError(
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
        self.producer = self._producer(batch)

    def _unreachable(self, seconds: float) -> str | None:
        """None when a broker answers a metadata request within ``seconds``; else why not."""
        deadline = time.monotonic() + seconds
        self.all_down = False
        while True:
            # Short attempts, so that "every broker refused" fails at once rather than after
            # the whole wait; a slow network still gets the full ``connect`` seconds.
            wait = max(min(0.5, deadline - time.monotonic()), 0.05)
            try:
                self.admin.list_topics(timeout=wait)
                return None
            except self._KafkaException as exc:
                self.admin.poll(0)  # collect the client's own reason (connection refused...)
                if self.all_down or time.monotonic() >= deadline:
                    return self._why_not(exc, deadline)

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
        found = self.topics[name] = _Topic(count, self._max_bytes(name))
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

    def _max_bytes(self, topic: str) -> int | None:
        """The topic's ``max.message.bytes``; None when the broker will not say (ACLs...)."""
        from confluent_kafka.admin._config import ConfigResource  # (re-exported untyped)

        resource = ConfigResource("topic", topic)
        try:
            futures = self.admin.describe_configs([resource], request_timeout=self.target.connect_s)
            entries = next(iter(futures.values())).result(timeout=self.target.connect_s * 2)
            value = entries["max.message.bytes"].value
            return int(value) if value is not None else None
        except (self._KafkaException, KeyError, ValueError, TimeoutError):
            return None

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
        problem = self._unreachable(self.target.connect_s)
        if problem is not None:
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


def _strip_client_noise(line: str) -> str:
    """A client log line without its ``FAIL [client#producer-1] [thrd:...]: `` prefix."""
    return re.sub(r"^FAIL \[[^\]]*\] \[[^\]]*\]: ", "", line)


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
