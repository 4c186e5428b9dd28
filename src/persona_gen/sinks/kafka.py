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
  ``value.X`` are passed to the encoding, except ``value.registry``, ``value.subject`` and
  ``value.schema_id``, which frame a schema encoding's values for a schema registry
  (``sinks/schema_registry.py``).
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
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from persona_gen.errors import ServiceUnavailable, SinkError, UsageError, shorten
from persona_gen.sinks.kafka_client import _Run
from persona_gen.sinks.kafka_messages import (
    VALUE_ENCODERS,
    JsonValue,
    KafkaMessage,
    ValueEncoder,
    kafka_message,
)
from persona_gen.sinks.kafka_report import DeliveryReport, Progress
from persona_gen.sinks.kafka_target import (
    KafkaTarget,
    parse_kafka_url,
)
from persona_gen.sinks.kafka_values import value_encoder

if TYPE_CHECKING:
    from persona_gen.runtime.dataset import Dataset, DatasetStats

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
    encode, framing = value_encoder(
        name, options, f"Kafka destination '{target}'", min(target.timeout_s, 30.0)
    )
    run = _Run(target, name, config or {})
    run.framing = framing
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
        failed = ServiceUnavailable if report.outage else SinkError
        raise failed(report.error, report, interrupted=report.stopped == "interrupted")
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
        run.interrupted = lambda: interrupt.seen
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
    # A stream goes in arrival order across blocks (a dataset is so block by block only: a
    # block's late deliveries and lost-event stand-ins sit at its end, minutes of their own
    # time ahead of the next blocks' records, so a consumer's watermark ran far ahead).
    in_arrival_order = dataset.generator == "streaming"
    tally = _Tally() if pace is not None or in_arrival_order else None
    try:
        blocks: Iterable[list[dict[str, Any]]] = dataset.blocks()
        if in_arrival_order:
            from persona_gen.runtime.pacing import in_time_order

            blocks = in_time_order(blocks)
        if pace is not None:
            blocks = pace(blocks)
        if tally is not None:
            blocks = tally.wrap(blocks)
        report = send_records(
            blocks, target, progress=bar, config=config, topics=planned, value_of=value_of
        )
    except SinkError as exc:
        if tally is not None and isinstance(exc.report, DeliveryReport):
            exc.taken = tally.of(exc.report.records)
        raise
    finally:
        if bar is not None:
            bar.close()
    if pace is not None and report.records < dataset.count and report.stopped is None:
        report.stopped = "duration"  # (only --duration ends paced input early)
    doc = manifest(
        dataset,
        output=str(target),
        fmt=target.manifest_format,
        extra=extra,
        stats=tally.of(report.records) if tally is not None else None,
    )
    doc["delivery"] = report.to_manifest()
    doc["count"] = report.records  # what was taken for delivery (a paced run may stop early)
    return doc


class _Tally:
    """The counts of the records a run took for delivery: not the dataset's first ones when
    a stream (or ``--realtime``) sends a record delivered late after records of later
    blocks, and the run stops (``--duration``, Ctrl-C, a lost broker) before it is due."""

    def __init__(self) -> None:
        from persona_gen.runtime.dataset import DatasetStats

        self.stats = DatasetStats()
        self.pending: list[dict[str, Any]] = []

    def wrap(self, groups: Iterable[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
        for group in groups:
            self.pending = group
            yield group
            # (asked for the next group: every record of this one was taken)
            self.stats.add(group)
            self.pending = []

    def of(self, taken: int) -> DatasetStats:
        """The counts of the first ``taken`` records handed on (those taken: a sink takes a
        group's records in order, and stops in the last one)."""
        from persona_gen.runtime.dataset import DatasetStats

        stats = DatasetStats()
        stats.merge(self.stats)
        rest = taken - stats.records
        if rest > 0:
            stats.add(self.pending[:rest])
        return stats


class _InterruptFlag:
    """SIGINT sets ``seen`` instead of raising KeyboardInterrupt, while in the ``with``
    block (in the main thread; elsewhere signals cannot be handled and nothing changes),
    except inside ``raising()``: there, out of the Kafka client, it raises as usual."""

    def __init__(self) -> None:
        self.seen = False
        self._raise = False
        self._previous: Any = None

    def __enter__(self) -> _InterruptFlag:
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):  # (not where SIGINT is ignored, as in a shell's background job)
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
