"""Kafka values in the Schema Registry's wire format (``value.registry``, ``value.schema_id``):
read back by Confluent's own deserializers, against a stand-in registry (tests/registry_stub)."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import fastavro
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from persona_gen.errors import ServiceUnavailable, SinkError, UsageError
from persona_gen.runtime.cli import main
from persona_gen.sinks.kafka import send_dataset
from persona_gen.sinks.kafka_values import value_encoder
from persona_gen.sinks.schema_registry import USER_INFO_ENV, message_indexes
from tests.kafka_fixture import free_port
from tests.registry_stub import registry
from tests.test_kafka import _profile_dataset, consume_all, new_topic

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
AVSC = str(SCHEMAS / "user-event.avsc")
PROTO = str(SCHEMAS / "user.proto")
EVENT = {
    "event_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "event_type": "LOGGED_IN",
    "occurred_at": "2025-01-01T00:00:00Z",
    "user": {"id": 1, "email": "a@example.com", "name": "A"},
    "properties": {"page": "/home"},
    "session": "00" * 16,
    "device": {"platform": "IOS", "app_version": "4.12.0"},
}


def _context(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def test_avro_values_are_framed_with_the_registered_id() -> None:
    """The record's schema is registered under ``<topic>-value``; Confluent's deserializer
    finds it by the id in the value and reads the same datum the plain encoding holds."""
    with registry() as reg:
        encode, framing = value_encoder("avro", {"schema": AVSC, "registry": reg.url}, "here")
        assert framing is not None
        value = framing.prefix("user-events") + encode(EVENT)
        assert value[:1] == b"\x00"
        read = AvroDeserializer(SchemaRegistryClient({"url": reg.url}))(
            value, _context("user-events")
        )
        plain = fastavro.schemaless_reader(io.BytesIO(encode(EVENT)), encode.parsed)
        assert read == plain
        assert reg.subjects == {"user-events-value": [1]}
        # A second topic: its own subject, the same schema and id; each registered once.
        assert framing.prefix("audit") == framing.prefix("user-events") == value[:5]
        assert reg.subjects == {"user-events-value": [1], "audit-value": [1]}
        assert sum(1 for call in reg.calls if call[1].endswith("/versions")) == 2


def test_references_are_registered_once_for_every_topic() -> None:
    with registry() as reg:
        _, framing = value_encoder(
            "protobuf", {"schema": PROTO, "message": "User", "registry": reg.url}, "here"
        )
        assert framing is not None
        framing.register(["a", "b", "c"])
        paths = [path for _, path, _ in reg.calls]
        assert paths.count("/subjects/common.proto/versions") == 1
        assert sorted(reg.subjects) == ["a-value", "b-value", "c-value", "common.proto"]


def test_a_subject_option_names_one_subject_for_every_topic() -> None:
    with registry() as reg:
        _, framing = value_encoder(
            "avro", {"schema": AVSC, "registry": reg.url, "subject": "events"}, "here"
        )
        assert framing is not None
        framing.register(["a", "b"])
        assert list(reg.subjects) == ["events"]


@pytest.mark.parametrize("message", ["User", "CreateUserRequest", "ListUsersRequest", "UserList"])
def test_protobuf_values_carry_the_message_indexes_confluent_writes(message: str) -> None:
    """The .proto is registered as text with its import as a reference (the well-known
    types skipped); the bytes after the id are the message's indexes as Confluent's own
    serializer writes them, and its deserializer reads the message back."""
    with registry() as reg:
        encode, framing = value_encoder(
            "protobuf", {"schema": PROTO, "message": message, "registry": reg.url}, "here"
        )
        assert framing is not None
        value = framing.prefix("users") + encode({})
        client = SchemaRegistryClient({"url": reg.url})
        cls = encode.cls  # type: ignore[attr-defined]
        read = ProtobufDeserializer(cls, {"use.deprecated.format": False}, client)(
            value, _context("users")
        )
        assert read == cls()
        assert list(reg.subjects) == ["common.proto", "users-value"]
        (registered,) = [b for m, p, b in reg.calls if p == "/subjects/users-value/versions"]
        assert registered is not None
        assert registered["schemaType"] == "PROTOBUF"
        assert registered["schema"] == Path(PROTO).read_text()
        assert registered["references"] == [
            {"name": "common.proto", "subject": "common.proto", "version": 1}
        ]
        theirs = ProtobufSerializer(cls, client, {"use.deprecated.format": False})(
            cls(), _context("theirs")
        )
        assert theirs is not None
        assert value[5:] == theirs[5:]


def test_message_indexes_of_nested_messages() -> None:
    """The wire format's zigzag varints (Confluent's MessageIndexes): the first message is
    one zero byte, any other path its length and indexes, each doubled."""
    assert message_indexes([0]) == b"\x00"
    assert message_indexes([3]) == b"\x02\x06"
    assert message_indexes([1, 0, 2]) == b"\x06\x02\x00\x04"
    assert message_indexes([70]) == b"\x02\x8c\x01"


def test_a_given_schema_id_frames_without_a_registry() -> None:
    _, framing = value_encoder("avro", {"schema": AVSC, "schema_id": "258"}, "here")
    assert framing is not None
    assert framing.prefix("any") == b"\x00\x00\x00\x01\x02"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"registry": "http://r", "schema_id": "1"}, "not both"),
        ({"subject": "s"}, "value.subject needs value.registry=URL"),
        ({"schema_id": "x1"}, "value.schema_id must be a schema id"),
        ({"schema_id": str(2**31)}, "value.schema_id must be a schema id"),
        ({"registry": "r:8081"}, "value.registry must be the registry's http:// or https://"),
        ({"registry": "http://u:p@r:8081"}, f"set {USER_INFO_ENV}=USER:SECRET"),
        ({"registry": "http://r:80x"}, "value.registry: bad port in 'http://r:80x'"),
    ],
)
def test_bad_registry_options_are_usage_errors(options: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        value_encoder("avro", {"schema": AVSC, **options}, "here")


def test_the_json_encoding_has_no_schema_to_register() -> None:
    with pytest.raises(UsageError, match="frame a schema encoding's values"):
        value_encoder("json", {"registry": "http://127.0.0.1:1"}, "here")


def test_an_unreachable_registry_fails_fast_with_one_line() -> None:
    _, framing = value_encoder(
        "avro", {"schema": AVSC, "registry": f"http://127.0.0.1:{free_port()}"}, "here"
    )
    assert framing is not None
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        framing.register(["t"])
    assert str(caught.value).startswith("cannot reach the schema registry http://127.0.0.1:")
    assert str(caught.value).endswith(": Connection refused")
    assert time.monotonic() - started < 5


def test_a_refused_schema_says_the_subject_and_the_registry_s_reason() -> None:
    with registry() as reg:
        reg.refuse["t-value"] = (409, "Schema being registered is incompatible")
        _, framing = value_encoder("avro", {"schema": AVSC, "registry": reg.url}, "here")
        assert framing is not None
        with pytest.raises(SinkError) as caught:
            framing.register(["t"])
        assert str(caught.value) == (
            f"schema registry {reg.url} refused the schema of subject 't-value': Schema being "
            "registered is incompatible (HTTP 409)"
        )


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_INFO_ENV, "svc:s3cret")
    with registry() as reg:
        _, framing = value_encoder("avro", {"schema": AVSC, "registry": reg.url}, "here")
        assert framing is not None
        framing.register(["t"])
        assert reg.headers[-1]["Authorization"] == "Basic c3ZjOnMzY3JldA=="


# -- through a broker ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "value", "entity"),
    [("user-event.avsc", "avro", None), ("user.proto", "protobuf", "User")],
)
def test_every_message_on_the_topic_reads_back_with_the_registry(
    kafka_bootstrap: str, tmp_path: Path, schema: str, value: str, entity: str | None
) -> None:
    _, dataset = _profile_dataset(tmp_path, schema, "file", entity)
    topic = new_topic(kafka_bootstrap, 3)
    with registry() as reg:
        options = f"value={value}&value.schema={tmp_path / 'schemas' / schema}"
        if value == "protobuf":
            options += "&value.message=User"
        url = f"kafka://{kafka_bootstrap}/{topic}?{options}&value.registry={reg.url}"
        report = send_dataset(dataset(), url)["delivery"]
        messages = consume_all(kafka_bootstrap, topic, report["acknowledged"])
        client = SchemaRegistryClient({"url": reg.url})
        read: Any
        if value == "avro":
            read = AvroDeserializer(client)
        else:
            encode, _ = value_encoder(
                "protobuf", {"schema": str(SCHEMAS / schema), "message": "User"}, "here"
            )
            read = ProtobufDeserializer(
                encode.cls,  # type: ignore[attr-defined]
                {"use.deprecated.format": False},
                client,
            )
        assert len(messages) == report["acknowledged"] > 100
        for message in messages:
            assert read(message.value(), _context(topic)) is not None
        assert list(reg.subjects)[-1] == f"{topic}-value"
        assert report["schema_ids"] == {topic: reg.subjects[f"{topic}-value"][0]}


def test_the_cli_reports_an_unreachable_registry_before_generating(
    kafka_bootstrap: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _profile_dataset(tmp_path, "user-event.avsc", "file", None)  # (writes file.yaml)
    topic = new_topic(kafka_bootstrap, 1)
    dead = f"http://127.0.0.1:{free_port()}"
    url = f"kafka://{kafka_bootstrap}/{topic}?value=avro&value.schema={AVSC}&value.registry={dead}"
    code = main(["generate", str(tmp_path / "file.yaml"), "--sink", url])
    err = capsys.readouterr().err
    assert code == 69, err  # (an outage: docs/errors.md)
    assert f"cannot reach the schema registry {dead}" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2
    assert consume_all(kafka_bootstrap, topic, 0) == []  # (nothing was sent)
