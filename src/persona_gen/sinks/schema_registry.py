"""Confluent Schema Registry framing for the Kafka sink's schema encodings.

Consumers that read Avro or Protobuf with a schema registry (Confluent's deserializers, Kafka
Connect, Flink's ``avro-confluent`` and ``protobuf-confluent`` formats, ksqlDB) expect each
value in the registry's *wire format*: a zero byte, the writer schema's id as a 4-byte
big-endian integer, for Protobuf the message's indexes in its file, then the encoded value.

``kafka://…?value=avro&value.schema=FILE.avsc&value.registry=http://HOST:8081`` registers the
record's schema (standing alone, as the Avro file format writes it) under the subject
``<topic>-value`` of each topic written (``value.subject=NAME``: one subject for all; the
registry's TopicNameStrategy otherwise) and frames every value with its id.
``value.schema_id=N`` frames with a schema the user registered, without contacting one.
A Protobuf schema is registered as its ``.proto`` text, with each file it imports registered
first under its import path and named as a reference (the ``google/protobuf/`` well-known
types are built into the registry and skipped, as Confluent's serializer does).

``PERSONA_GEN_REGISTRY_USER_INFO=USER:SECRET`` sends HTTP basic credentials (the registry's
``basic.auth.user.info``); they never appear in the URL, a message or the manifest.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib import error, request
from urllib.parse import quote, unquote, urlsplit

from persona_gen.errors import ServiceUnavailable, SinkError, UsageError

__all__ = [
    "OPTIONS",
    "WELL_KNOWN",
    "Framing",
    "RegistrySchema",
    "framing_for",
    "message_indexes",
    "split_registry_options",
]

#: The ``value.*`` options this module reads (the encodings do not see them).
OPTIONS = ("registry", "subject", "schema_id")
USER_INFO_ENV = "PERSONA_GEN_REGISTRY_USER_INFO"
_MAGIC = b"\x00"
_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
WELL_KNOWN = ("google/protobuf/",)  # imports the registry knows without a reference


@dataclass(frozen=True)
class RegistrySchema:
    """A schema as a registry stores it: its type, its text and the schemas it imports
    (``references``: the import name and that file's schema), and for Protobuf the bytes of
    the message's indexes that follow the schema id."""

    schema_type: str  # "AVRO" or "PROTOBUF"
    text: str
    references: tuple[tuple[str, RegistrySchema], ...] = ()
    message_indexes: bytes = b""


def split_registry_options(
    options: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str]]:
    """``options`` as (the encoding's own, the registry's)."""
    own = {k: v for k, v in options.items() if k not in OPTIONS}
    registry = {k: v for k, v in options.items() if k in OPTIONS}
    return own, registry


def message_indexes(path: list[int]) -> bytes:
    """The wire format's message indexes: the path of the message in its file (top-level
    index, then nested ones) as zigzag varints after their count; the first top-level
    message, the common case, is the single byte 0."""
    if path == [0]:
        return b"\x00"
    return b"".join(_zigzag_varint(n) for n in (len(path), *path))


def _zigzag_varint(n: int) -> bytes:
    value = (n << 1) ^ (n >> 63)
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


@dataclass
class Framing:
    """The wire-format prefix of each topic's values, registered (``register``) before the
    first record is sent."""

    schema: RegistrySchema
    registry: str | None = None
    subject: str | None = None
    schema_id: int | None = None
    timeout_s: float = 10.0
    ids: dict[str, int] = field(default_factory=dict)  # topic -> schema id (the manifest's)
    _prefixes: dict[str, bytes] = field(default_factory=dict)
    _registry: _Client | None = None  # (one per run: its references are registered once)

    def register(self, topics: Iterable[str]) -> None:
        """Register the schema for each of ``topics`` (a no-op with a given id). A
        ``SinkError`` when the registry cannot be reached or refuses the schema."""
        for topic in topics:
            self.prefix(topic)

    def prefix(self, topic: str) -> bytes:
        """The bytes before each value sent to ``topic`` (registered on first use)."""
        done = self._prefixes.get(topic)
        if done is None:
            found = self.schema_id
            if found is None:
                found = self._client().register(self.subject or f"{topic}-value", self.schema)
            self.ids[topic] = found
            done = self._prefixes[topic] = (
                _MAGIC + found.to_bytes(4, "big") + self.schema.message_indexes
            )
        return done

    def _client(self) -> _Client:
        assert self.registry is not None
        if self._registry is None:
            self._registry = _Client(self.registry, self.timeout_s)
        return self._registry


def framing_for(
    options: Mapping[str, str], encoder: Any, where: str, timeout_s: float = 10.0
) -> Framing | None:
    """The framing the registry ``options`` ask for (None when they ask for none), for the
    values ``encoder`` makes; a ``UsageError`` when they are malformed or the encoding has no
    schema to register."""
    if not options:
        return None
    registry, subject, given = (options.get(k) for k in OPTIONS)
    if registry is not None and given is not None:
        raise UsageError(
            f"{where}: give value.registry (register the schema) or value.schema_id (a "
            "registered one), not both"
        )
    if registry is None and given is None:
        raise UsageError(f"{where}: value.subject needs value.registry=URL")
    if subject is not None and registry is not None and not subject:
        raise UsageError(f"{where}: value.subject is empty")
    schema_of = getattr(encoder, "registry_schema", None)
    if schema_of is None:
        raise UsageError(
            f"{where}: value.registry and value.schema_id frame a schema encoding's values "
            "(value=avro or value=protobuf)"
        )
    schema: RegistrySchema = schema_of()
    if given is not None:
        if subject is not None:
            raise UsageError(f"{where}: value.subject needs value.registry=URL")
        if not given.isdigit() or int(given) >= 2**31:
            raise UsageError(
                f"{where}: value.schema_id must be a schema id, a whole number from 0 to "
                f"{2**31 - 1} (got '{given}')"
            )
        return Framing(schema, schema_id=int(given))
    assert registry is not None
    return Framing(
        schema, registry=_registry_url(registry, where), subject=subject, timeout_s=timeout_s
    )


def _registry_url(text: str, where: str) -> str:
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 (raises on a port that is no number)
    except ValueError:
        raise UsageError(f"{where}: value.registry: bad port in '{text}'") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{where}: value.registry must be the registry's http:// or https:// URL (got '{text}')"
        )
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"{where}: value.registry: credentials do not belong in the URL; set "
            f"{USER_INFO_ENV}=USER:SECRET"
        )
    return text.rstrip("/")


class _Client:
    """The few calls of the registry's REST API the framing needs."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self._versions: dict[str, int] = {}  # referenced subject -> the version named

    def register(self, subject: str, schema: RegistrySchema) -> int:
        """The id of ``schema`` under ``subject``, registered (with its references) if new."""
        body = self._body(schema)
        return int(self._post(f"/subjects/{quote(subject, safe='')}/versions", body)["id"])

    def _body(self, schema: RegistrySchema) -> dict[str, Any]:
        body: dict[str, Any] = {"schema": schema.text}
        if schema.schema_type != "AVRO":  # (the registry's default type)
            body["schemaType"] = schema.schema_type
        references = []
        for name, referenced in schema.references:
            if name not in self._versions:
                self.register(name, referenced)
                # (the version to name: what the subject holds for that text; registering
                # answers only its id)
                found = self._post(f"/subjects/{quote(name, safe='')}", self._body(referenced))
                self._versions[name] = int(found.get("version", 0))
            references.append({"name": name, "subject": name, "version": self._versions[name]})
        if references:
            body["references"] = references
        return body

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        call = request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": _CONTENT_TYPE, "Accept": _CONTENT_TYPE},
        )
        user_info = os.environ.get(USER_INFO_ENV)
        if user_info:
            token = base64.b64encode(user_info.encode()).decode()
            call.add_header("Authorization", f"Basic {token}")
        what = f"schema registry {self.url}"
        try:
            with request.urlopen(call, timeout=self.timeout_s) as answer:
                reply = json.loads(answer.read() or b"{}")
        except error.HTTPError as exc:
            raise SinkError(f"{what} refused {_subject_of(path)}: {_reason(exc)}") from None
        except (error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, OSError) and reason.strerror:
                reason = reason.strerror  # ("Connection refused", not "[Errno 111] ...")
            raise ServiceUnavailable(f"cannot reach the {what}: {reason}") from None
        except ValueError:
            raise SinkError(f"{what} answered {path} with something that is not JSON") from None
        if not isinstance(reply, dict) or "id" not in reply:
            raise SinkError(f"{what} answered {path} without a schema id")
        return reply


def _subject_of(path: str) -> str:
    subject = unquote(path.split("/")[2])
    return f"the schema of subject '{subject}'"


def _reason(exc: error.HTTPError) -> str:
    try:
        detail = json.loads(exc.read() or b"{}")
    except ValueError:
        detail = {}
    message = detail.get("message") if isinstance(detail, dict) else None
    return f"{message or exc.reason} (HTTP {exc.code})"
