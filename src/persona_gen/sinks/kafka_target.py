"""The ``kafka://`` destination: its URL parsed and checked (see ``sinks/kafka.py``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from persona_gen.errors import UsageError
from persona_gen.sinks.kafka_messages import VALUE_ENCODERS

if TYPE_CHECKING:
    pass


#: Partitions the streaming generator plans its ``partition`` field for.
PLANNED_PARTITIONS = 12
DEFAULT_PORT = 9092

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

# The one option that may be given more than once (its values are joined with commas).
_LIST_OPTION = "value.proto_path"
_PATH_OPTIONS = ("value.schema", _LIST_OPTION)  # files and folders: from the profile's folder


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
        if name == _LIST_OPTION and key in bucket:  # (repeatable: folders, comma-separated)
            bucket[key] = f"{bucket[key]},{text}"
            continue
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


def schema_from_folder(url: str, folder: Path) -> str:
    """``url`` with a relative ``value.schema`` and ``value.proto_path`` folders made paths
    from ``folder``: a profile's ``sink:`` names them from the profile's folder, as
    ``source.file`` is (on the command line they stay paths from the current directory).
    Any other URL is as given."""
    if not url.startswith("kafka://") or "?" not in url:
        return url
    head, _, query = url.partition("?")
    parts = []
    for part in query.split("&"):
        name, eq, text = part.partition("=")
        if eq and unquote(name) in _PATH_OPTIONS and text:
            paths = unquote(text.replace("+", " ")).split(",")
            moved = ",".join(_from_folder(path, folder) for path in paths)
            parts.append(f"{name}={quote(moved, safe='/:,')}")
        else:
            parts.append(part)
    return f"{head}?{'&'.join(parts)}"


def _from_folder(path: str, folder: Path) -> str:
    return path if not path or Path(path).is_absolute() else str(folder / path)


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
        raise UsageError(
            f"{where}: create must be a partition count from 1 to 10000 (got '{text}')"
        )
    return int(text)
