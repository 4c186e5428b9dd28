"""Records as Kafka messages: the value encodings, and key, headers and timestamp from a
record (see ``sinks/kafka.py``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from persona_gen.errors import UsageError
from persona_gen.registry import Registry

if TYPE_CHECKING:
    pass


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
        "json": "persona_gen.sinks.kafka_messages:JsonValue",
        "avro": "persona_gen.sinks.kafka_values:AvroValue",
        "protobuf": "persona_gen.sinks.kafka_values:ProtobufValue",
    },
    "persona_gen.kafka_values",
)


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
