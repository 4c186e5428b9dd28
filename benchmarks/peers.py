"""Peer baselines: the same record shapes as persona-gen's generators, made by Faker and Mimesis.

For every persona-gen generator (api, streaming, file, load, fault) and every domain *view* of the
built-in domain (``src/persona_gen/data/domain.yaml``: user, client, service, device), plus the
imported Avro entity (``schemas/user-event.avsc``), this module builds records with the same field
names, the same nesting and comparable value kinds as persona-gen's records, but with every value
drawn from a peer library's providers (names, e-mails, addresses, UUIDs, timestamps, text...).

The shapes are written once, against :class:`Source`; :class:`FakerSource` and
:class:`MimesisSource` implement it by calling the library (the indirection costs well under 1% of
a provider call). Records are serialised exactly as persona-gen does: JSON Lines with orjson, or
Parquet with pyarrow (flat columns, nested values as JSON strings, zstd), in blocks.

Peers are measured in-process: the timer covers generating and writing records only, not the
library import nor the provider construction (the peers' "start-up"), which favours the peers.
"""

from __future__ import annotations

import abc
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import orjson

T = TypeVar("T")
Record = dict[str, Any]

LIBRARIES = ("mimesis", "faker")
GENERATORS = ("api", "streaming", "file", "load", "fault")
FORMATS = ("jsonl", "parquet")

#: built-in persona -> the domain view its ``population.kind`` selects
PERSONA_VIEWS: dict[str, str] = {
    "normal_user": "user",
    "edge_case_user": "user",
    "legacy_client": "client",
    "high_volume_system": "service",
    "noisy_device": "device",
}
#: the view name used for the imported Avro ``UserEvent`` entity
AVRO_VIEW = "avro-user-event"

PRODUCTS = (
    "Water Bottle",
    "Notebook A5",
    "Laptop Sleeve",
    "Phone Case",
    "Standing Desk",
    "Monitor Arm",
    "USB-C Cable",
    "Desk Lamp",
    "Wireless Mouse",
    "Coffee Mug",
)
COUNTRIES = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "JP", "BR", "CA", "AU", "IN")
_UTC = dt.UTC


class Rng(Protocol):
    """The subset of ``random.Random`` the shapes use (both libraries expose one)."""

    def random(self) -> float: ...
    def randint(self, a: int, b: int) -> int: ...
    def uniform(self, a: float, b: float) -> float: ...
    def choice(self, seq: Sequence[T]) -> T: ...
    def getrandbits(self, k: int) -> int: ...


class Source(abc.ABC):
    """Value kinds a record shape needs; one implementation per peer library."""

    name: str
    rng: Rng

    @abc.abstractmethod
    def uuid(self) -> str: ...
    @abc.abstractmethod
    def timestamp(self) -> str: ...
    @abc.abstractmethod
    def date(self) -> str: ...
    @abc.abstractmethod
    def username(self) -> str: ...
    @abc.abstractmethod
    def email(self) -> str: ...
    @abc.abstractmethod
    def first_name(self) -> str: ...
    @abc.abstractmethod
    def last_name(self) -> str: ...
    @abc.abstractmethod
    def full_name(self) -> str: ...
    @abc.abstractmethod
    def phone(self) -> str: ...
    @abc.abstractmethod
    def street(self) -> str: ...
    @abc.abstractmethod
    def city(self) -> str: ...
    @abc.abstractmethod
    def postal_code(self) -> str: ...
    @abc.abstractmethod
    def sentence(self) -> str: ...
    @abc.abstractmethod
    def words(self, n: int) -> list[str]: ...
    @abc.abstractmethod
    def company(self) -> str: ...
    @abc.abstractmethod
    def ipv4(self) -> str: ...
    @abc.abstractmethod
    def user_agent(self) -> str: ...
    @abc.abstractmethod
    def digits(self, mask: str) -> str:
        """``mask`` with every ``#`` replaced by a random digit."""

    @abc.abstractmethod
    def version(self) -> str: ...

    def hex(self, nbytes: int) -> str:
        return f"{self.rng.getrandbits(8 * nbytes):0{2 * nbytes}x}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


class FakerSource(Source):
    """Faker (``en_US``), seeded with ``seed_instance``."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.name = "faker"
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.rng = self.fake.random

    def uuid(self) -> str:
        return str(self.fake.uuid4())

    def timestamp(self) -> str:
        return self.fake.date_time(tzinfo=_UTC).isoformat(timespec="milliseconds")

    def date(self) -> str:
        return str(self.fake.date())

    def username(self) -> str:
        return str(self.fake.user_name())

    def email(self) -> str:
        return str(self.fake.email())

    def first_name(self) -> str:
        return str(self.fake.first_name())

    def last_name(self) -> str:
        return str(self.fake.last_name())

    def full_name(self) -> str:
        return str(self.fake.name())

    def phone(self) -> str:
        return str(self.fake.phone_number())

    def street(self) -> str:
        return str(self.fake.street_address())

    def city(self) -> str:
        return str(self.fake.city())

    def postal_code(self) -> str:
        return str(self.fake.postcode())

    def sentence(self) -> str:
        return str(self.fake.sentence())

    def words(self, n: int) -> list[str]:
        return list(self.fake.words(n))

    def company(self) -> str:
        return str(self.fake.company())

    def ipv4(self) -> str:
        return str(self.fake.ipv4())

    def user_agent(self) -> str:
        return str(self.fake.user_agent())

    def digits(self, mask: str) -> str:
        return str(self.fake.numerify(mask))

    def version(self) -> str:
        return self.fake.numerify("#.#.##")


class MimesisSource(Source):
    """Mimesis (``Locale.EN``), every provider seeded."""

    def __init__(self, seed: int) -> None:
        from mimesis import (
            Address,
            Cryptographic,
            Datetime,
            Development,
            Finance,
            Internet,
            Locale,
            Person,
            Text,
        )
        from mimesis.random import Random as MimesisRandom

        self.name = "mimesis"
        self.person = Person(Locale.EN, seed=seed)
        self.address = Address(Locale.EN, seed=seed + 1)
        self.datetime = Datetime(Locale.EN, seed=seed + 2)
        self.text = Text(Locale.EN, seed=seed + 3)
        self.finance = Finance(Locale.EN, seed=seed + 4)
        self.internet = Internet(seed=seed + 5)
        self.crypto = Cryptographic(seed=seed + 6)
        self.development = Development(seed=seed + 7)
        self.random = MimesisRandom(seed + 8)
        self.rng = self.random

    def uuid(self) -> str:
        return str(self.crypto.uuid())

    def timestamp(self) -> str:
        return self.datetime.datetime(start=2022, end=2025).isoformat(timespec="milliseconds") + "Z"

    def date(self) -> str:
        return self.datetime.date(start=1950, end=2010).isoformat()

    def username(self) -> str:
        return str(self.person.username())

    def email(self) -> str:
        return str(self.person.email())

    def first_name(self) -> str:
        return str(self.person.first_name())

    def last_name(self) -> str:
        return str(self.person.last_name())

    def full_name(self) -> str:
        return str(self.person.full_name())

    def phone(self) -> str:
        return str(self.person.phone_number())

    def street(self) -> str:
        return str(self.address.address())

    def city(self) -> str:
        return str(self.address.city())

    def postal_code(self) -> str:
        return str(self.address.postal_code())

    def sentence(self) -> str:
        return str(self.text.sentence())

    def words(self, n: int) -> list[str]:
        return list(self.text.words(n))

    def company(self) -> str:
        return str(self.finance.company())

    def ipv4(self) -> str:
        return str(self.internet.ip_v4())

    def user_agent(self) -> str:
        return str(self.internet.user_agent())

    def digits(self, mask: str) -> str:
        return str(self.random.generate_string_by_mask(mask=mask, char="@", digit="#"))

    def version(self) -> str:
        return str(self.development.version())


def make_source(library: str, seed: int) -> Source:
    if library == "faker":
        return FakerSource(seed)
    if library == "mimesis":
        return MimesisSource(seed)
    raise ValueError(f"unknown peer library {library!r}")


# --- entities of the built-in domain (src/persona_gen/data/domain.yaml) and the Avro UserEvent --

Entity = Callable[[Source], Record]


def _money(s: Source, lo: float, hi: float) -> float:
    return round(s.rng.uniform(lo, hi), 2)


def user(s: Source) -> Record:
    r: Record = {
        "id": s.uuid(),
        "username": s.username(),
        "email": s.email(),
        "first_name": s.first_name(),
        "last_name": s.last_name(),
    }
    if s.chance(0.8):
        r["age"] = s.rng.randint(13, 90)
    if s.chance(0.8):
        r["phone"] = s.phone() if s.chance(0.75) else None
    r["status"] = s.rng.choice(("active", "pending", "suspended", "deleted"))
    r["address"] = {
        "street": s.street(),
        "city": s.city(),
        "postal_code": s.postal_code(),
        "country": s.rng.choice(COUNTRIES),
    }
    if s.chance(0.8):
        r["bio"] = s.sentence() if s.chance(0.75) else None
    r["created_at"] = s.timestamp()
    if s.chance(0.8):
        r["birth_date"] = s.date()
    return r


def order(s: Source) -> Record:
    items = [
        {
            "sku": s.digits("SKU-######"),
            "name": s.rng.choice(PRODUCTS),
            "quantity": s.rng.randint(1, 5),
            "unit_price": _money(s, 1, 100),
        }
        for _ in range(s.rng.randint(1, 5))
    ]
    r: Record = {
        "id": s.uuid(),
        "user_id": s.uuid(),
        "status": s.rng.choice(
            ("created", "paid", "shipped", "delivered", "cancelled", "refunded")
        ),
        "currency": s.rng.choice(("USD", "EUR", "GBP", "JPY", "SEK", "PLN")),
        "total": _money(s, 1, 1000),
        "items": items,
    }
    if s.chance(0.78):
        r["coupon"] = s.digits("########") if s.chance(0.7) else None
    if s.chance(0.8):
        r["notes"] = s.sentence()
    r["placed_at"] = s.timestamp()
    return r


def transaction(s: Source) -> Record:
    return {
        "id": s.uuid(),
        "account_id": s.digits("acc-##########"),
        "type": s.rng.choice(("debit", "credit", "transfer", "fee")),
        "amount": _money(s, 0.01, 5000),
        "currency": s.rng.choice(("USD", "EUR", "GBP", "JPY")),
        "merchant": s.company(),
        "channel": s.rng.choice(("card", "ach", "wire", "api")),
        "created_at": s.timestamp(),
    }


def device(s: Source) -> Record:
    return {
        "device_id": "dev-" + s.hex(4),
        "model": s.rng.choice(("TH-100", "TH-200", "AQ-7", "PWR-3", "GPS-9")),
        "firmware": s.version(),
        "site": s.city(),
        "ip_address": s.ipv4(),
        "online": s.chance(0.5),
        "last_seen": s.timestamp(),
    }


def telemetry_reading(s: Source) -> Record:
    return {
        "reading_id": s.uuid(),
        "device_id": "dev-" + s.hex(4),
        "temperature_c": _money(s, -40, 85),
        "humidity_pct": round(s.rng.uniform(0, 100), 1),
        "pressure_hpa": round(s.rng.uniform(870, 1085), 1),
        "battery_pct": round(s.rng.uniform(0, 100), 1),
        "rssi_dbm": s.rng.randint(-120, 0),
        "status": s.rng.choice(("ok", "degraded", "fault")),
        "measured_at": s.timestamp(),
    }


def user_event(s: Source) -> Record:
    """The Avro ``com.example.events.UserEvent`` (schemas/user-event.avsc), as JSON values."""
    return {
        "event_id": s.uuid(),
        "event_type": s.rng.choice(
            (
                "SIGNED_UP",
                "LOGGED_IN",
                "LOGGED_OUT",
                "VIEWED_ITEM",
                "ADDED_TO_CART",
                "PURCHASED",
                "CANCELLED",
            )
        ),
        "occurred_at": s.timestamp(),
        "user": {
            "id": s.rng.randint(1, 999_999),
            "email": s.email(),
            "name": s.full_name(),
            "age": s.rng.randint(13, 90) if s.chance(0.8) else None,
        },
        "properties": dict(zip(s.words(2), s.words(2), strict=True)) if s.chance(0.7) else {},
        "tags": s.words(s.rng.randint(0, 3)),
        "amount": _money(s, 1, 1000) if s.chance(0.7) else None,
        "session": s.hex(16),
        "device": {
            "platform": s.rng.choice(("IOS", "ANDROID", "WEB", "DESKTOP")),
            "app_version": s.version(),
            "user_agent": s.user_agent() if s.chance(0.7) else None,
        },
    }


@dataclass(frozen=True)
class Resource:
    path: str  # e.g. "users"
    key: str  # primary-key field, e.g. "id"
    make: Entity


@dataclass(frozen=True)
class View:
    """Mirror of one ``views:`` entry of the built-in domain."""

    primary: Entity
    resources: tuple[Resource, ...]
    events: tuple[tuple[str, str, Entity], ...]  # (topic, event_type, entity)


_USERS = Resource("users", "id", user)
_ORDERS = Resource("orders", "id", order)
VIEWS: dict[str, View] = {
    "user": View(
        user,
        (_USERS, _ORDERS),
        (
            ("user-events", "user.signed_up", user),
            ("user-events", "user.updated", user),
            ("order-events", "order.placed", order),
            ("order-events", "order.updated", order),
        ),
    ),
    "client": View(
        user,
        (_USERS, _ORDERS),
        (("user-events", "user.updated", user), ("order-events", "order.placed", order)),
    ),
    "service": View(
        transaction,
        (Resource("transactions", "id", transaction), _ORDERS),
        (
            ("transaction-events", "transaction.created", transaction),
            ("order-events", "order.placed", order),
        ),
    ),
    "device": View(
        telemetry_reading,
        (
            Resource("telemetry_readings", "reading_id", telemetry_reading),
            Resource("devices", "device_id", device),
        ),
        (
            ("telemetry-events", "telemetry.reading", telemetry_reading),
            ("device-events", "device.status", device),
        ),
    ),
    AVRO_VIEW: View(
        user_event,
        (Resource("user_events", "event_id", user_event),),
        (("user_event-events", "user_event.recorded", user_event),),
    ),
}


# --- generator shapes -----------------------------------------------------------------------


#: map-typed fields (free keys): kept as JSON text, never flattened into columns
_MAP_FIELDS = frozenset({"properties"})
#: every column of an entity with optional fields, so ``file`` rows are complete (null-filled)
_USER_KEYS = (
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "age",
    "phone",
    "status",
    "address",
    "bio",
    "created_at",
    "birth_date",
)


def _flatten(record: Record, prefix: str = "") -> Record:
    """persona-gen's ``file`` shape: nested objects become dotted columns, lists JSON text."""
    out: Record = {}
    for key, value in record.items():
        if isinstance(value, dict) and value and key not in _MAP_FIELDS:
            out.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list | dict):
            out[prefix + key] = orjson.dumps(value).decode()
        else:
            out[prefix + key] = value
    return out


def file_record(s: Source, view: View, index: int, persona: str) -> Record:
    record = view.primary(s)
    if view.primary is user:
        record = {k: record.get(k) for k in _USER_KEYS}
    return _flatten(record)


def streaming_record(s: Source, view: View, index: int, persona: str) -> Record:
    topic, event_type, make = s.rng.choice(view.events)
    delay = s.rng.randint(5, 60)
    failed = s.chance(0.02)
    return {
        "topic": topic,
        "partition": s.rng.randint(0, 11),
        "key": s.digits("usr-######"),
        "event_id": s.uuid(),
        "event_type": event_type,
        "event_time": s.timestamp(),
        "ingest_time": s.timestamp(),
        "delay_ms": delay,
        "sequence": s.rng.randint(0, 20),
        "session_id": "ses_" + s.hex(8),
        "headers": {
            "content-type": "application/json",
            "schema-version": "2",
            "producer": f"{persona}-{s.rng.randint(0, 15)}",
        },
        "payload": make(s),
        "duplicate": s.chance(0.01),
        "buffered": False,
        "lost_before": 0,
        "offline": None,
        "error": {"status": 503, "reason": None} if failed else None,
        "attempt": 1,
        "expected_valid": True,
        "violations": [],
        "persona": persona,
        "behaviors": [],
    }


_METHODS = (("GET", 0.75), ("POST", 0.875), ("PUT", 0.925), ("PATCH", 0.967), ("DELETE", 1.0))


def _method(s: Source) -> str:
    x = s.rng.random()
    for method, bound in _METHODS:
        if x < bound:
            return method
    return "DELETE"


def api_record(s: Source, view: View, index: int, persona: str) -> Record:
    request_id = s.uuid()
    session = s.hex(8)
    resource = s.rng.choice(view.resources)
    method = _method(s)
    listing = method == "GET" and s.chance(0.5)
    path = f"/api/v2/{resource.path}" if listing or method == "POST" else ""
    query: Record = {}
    req_body: Record | None = None
    resp_body: Record | None
    status = 200
    if listing:
        query = {"page": s.rng.randint(1, 20), "limit": s.rng.choice((10, 20, 50, 100))}
        resp_body = {
            "items": [resource.make(s) for _ in range(s.rng.randint(0, 3))],
            "page": query["page"],
        }
    elif method == "GET":
        resp_body = resource.make(s)
    elif method == "POST":
        req_body = resource.make(s)
        resp_body = resource.make(s)
        status = 201
    elif method == "DELETE":
        resp_body = None
        status = 204
    else:  # PUT / PATCH
        entity = resource.make(s)
        req_body = entity if method == "PUT" else {k: entity[k] for k in list(entity)[:3]}
        resp_body = resource.make(s)
    if not path:
        path = f"/api/v2/{resource.path}/{s.uuid()}"
    if s.chance(0.02):
        status = s.rng.choice((500, 502, 503, 504))
        resp_body = {"error": "Service Unavailable", "status": status, "request_id": request_id}
    headers = {
        "Accept": "application/json",
        "User-Agent": s.user_agent(),
        "X-Request-ID": request_id,
        "Authorization": "Bearer tok_" + session,
        "Accept-Encoding": "gzip, br",
    }
    if req_body is not None:
        headers["Content-Type"] = "application/json"
    return {
        "request_id": request_id,
        "timestamp": s.timestamp(),
        "persona": persona,
        "actor_id": s.digits("usr-######"),
        "session_id": "ses_" + session,
        "attempt": 1,
        "concurrency": 1,
        "request": {
            "method": method,
            "path": path,
            "headers": headers,
            "query": query,
            "body": req_body,
        },
        "response": {
            "status": status,
            "headers": {"Content-Type": "application/json", "X-Request-ID": request_id},
            "body": resp_body,
            "latency_ms": round(s.rng.uniform(10, 700), 2),
        },
        "expected_valid": status < 400,
        "violations": [],
        "behaviors": [],
    }


def load_record(s: Source, view: View, index: int, persona: str) -> Record:
    resource = s.rng.choice(view.resources)
    method = _method(s)
    listing = method == "GET" and s.chance(0.5)
    if listing or method == "POST":
        endpoint = path = f"/api/v2/{resource.path}"
    else:
        endpoint = f"/api/v2/{resource.path}/{{{resource.key}}}"
        path = f"/api/v2/{resource.path}/{s.uuid()}"
    has_body = method in ("POST", "PUT", "PATCH")
    status = {"POST": 201, "DELETE": 204}.get(method, 200)
    if s.chance(0.01):
        status = s.rng.choice((500, 502, 503, 504))
    return {
        "vu": s.rng.randint(1, 5000),
        "session_id": "ses_" + s.hex(8),
        "request_id": s.uuid(),
        "offset_ms": index * 500 + s.rng.randint(0, 499),
        "think_time_ms": round(s.rng.uniform(0, 5000), 1) if s.chance(0.9) else 0.0,
        "concurrency": 1,
        "method": method,
        "endpoint": endpoint,
        "path": path,
        "payload_bytes": s.rng.randint(200, 700) if has_body else 0,
        "batch_size": 1,
        "attempt": 1,
        "expected_status": status,
        "expected_error": None,
        "expected_latency_ms": round(s.rng.uniform(15, 600), 2),
        "timeout_ms": 30000,
        "persona": persona,
        "behaviors": [],
    }


_MUTATIONS: tuple[tuple[str, str | None, str], ...] = (
    ("null_injection", "type", "null where a value is expected."),
    ("format_violation", "format", "A string that breaks its format or pattern."),
    ("whitespace_padding", None, "Leading and trailing whitespace."),
    ("missing_required", "required", "A required field left out."),
    ("invalid_enum", "enum", "A value outside the enumeration."),
    ("type_mismatch", "type", "A value of the wrong JSON type."),
    ("empty_value", "minLength", "An empty value."),
    ("extra_field", "additionalProperties", "A field the schema does not declare."),
    ("encoding_corruption", None, "Bytes that break the text encoding."),
    ("truncation", None, "A value cut short."),
    ("overflow", "maxLength", "Above the maximum, or longer than maxLength."),
    ("injection", None, "An injection payload in a string field."),
)
#: persona-gen overflows format/pattern fields with 64 KiB strings; mirrored so the serialised
#: volume matches (those records dominate the file's bytes). The share of fault records that
#: carry one depends on the persona (how many of its entity's fields have a format or pattern,
#: and its own behaviours), measured as the records of over 60,000 bytes in
#: ``persona-gen quick PERSONA -t fault -n 20000 -s 1 -o f.jsonl`` (git 628452a).
_HUGE_OVERFLOW = ("overflow_huge", "format", "Far longer than any format allows (64 KiB).")
HUGE_OVERFLOW_SHARE: dict[str, float] = {
    "normal_user": 0.019,
    "edge_case_user": 0.045,
    "legacy_client": 0.011,
    "high_volume_system": 0.073,
    "noisy_device": 0.040,
}


def _mutate(s: Source, record: Record, mutation: str) -> str:
    """Apply ``mutation`` to one (possibly nested) field of ``record``; return its path."""
    if mutation == "extra_field":
        record["unexpected_field"] = s.words(1)[0]
        return "unexpected_field"
    key = s.rng.choice(list(record))
    target, path = record, key
    if isinstance(record[key], dict) and record[key]:
        target = record[key]
        sub = s.rng.choice(list(target))
        key, path = sub, f"{key}.{sub}"
    value = target[key]
    text = str(value)
    if mutation == "missing_required":
        del target[key]
        return path
    target[key] = {
        "null_injection": None,
        "format_violation": "not-a-valid-" + key,
        "whitespace_padding": f"  {text}  ",
        "invalid_enum": "ACTIVE_LEGACY",
        "type_mismatch": s.rng.randint(0, 99_999),
        "empty_value": "",
        "encoding_corruption": text + "\u0000",
        "truncation": text[: len(text) // 2],
        "overflow": "A" * 81,
        "overflow_huge": "A" * 65_536,
        "injection": "'; DROP TABLE users; --",
    }[mutation]
    return path


def fault_record(s: Source, view: View, index: int, persona: str) -> Record:
    record = view.primary(s)
    baseline = index == 0
    mutation, rule, description = ("none", None, "Unmutated baseline record.")
    field_path = None
    if not baseline:
        mutation, rule, description = (
            _HUGE_OVERFLOW
            if s.chance(HUGE_OVERFLOW_SHARE.get(persona, 0.025))
            else s.rng.choice(_MUTATIONS)
        )
        field_path = _mutate(s, record, mutation)
        if mutation == "overflow_huge":
            mutation = "overflow"
    return {
        "index": index,
        "baseline": baseline,
        "mutation": mutation,
        "field_path": field_path,
        "expected_valid": baseline,
        "rule": rule,
        "description": description,
        "persona": persona,
        "behaviors": [],
        "record": record,
    }


Shape = Callable[[Source, View, int, str], Record]
SHAPES: dict[str, Shape] = {
    "api": api_record,
    "streaming": streaming_record,
    "file": file_record,
    "load": load_record,
    "fault": fault_record,
}


def records(library: str, generator: str, view: str, seed: int = 1) -> Iterator[Record]:
    """An endless, seeded stream of ``generator``-shaped records for ``view`` (for inspection)."""
    source = make_source(library, seed)
    shape, v = SHAPES[generator], VIEWS[view]
    persona = _persona_for(view)
    index = 0
    while True:
        yield shape(source, v, index, persona)
        index += 1


def _persona_for(view: str) -> str:
    for persona, v in PERSONA_VIEWS.items():
        if v == view:
            return persona
    return "normal_user"


# --- writers and the timed loop ---------------------------------------------------------------


def _flat_row(record: Record) -> Record:
    """A Parquet row the way persona-gen writes one: nested values as JSON text."""
    return {
        k: orjson.dumps(v).decode() if isinstance(v, dict | list) else v for k, v in record.items()
    }


class _ParquetSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: Any = None
        self.schema: Any = None

    def write(self, block: list[Record]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = [_flat_row(r) for r in block]
        if self.schema is None:
            columns: dict[str, None] = {}
            for row in rows:  # union of keys, in first-seen order (optional fields)
                columns.update(dict.fromkeys(row))
            inferred = pa.Table.from_pylist(rows).schema
            fields = []
            for name in columns:
                kind = inferred.field(name).type
                fields.append(pa.field(name, pa.string() if pa.types.is_null(kind) else kind))
            self.schema = pa.schema(fields)
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


_WARM_UP = 100  # records made (and discarded) before timing


@dataclass
class PeerResult:
    library: str
    generator: str
    view: str
    format: str
    records: int
    seconds: float
    bytes_per_record: float

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def measure(
    library: str,
    generator: str,
    view: str,
    fmt: str,
    path: Path,
    *,
    seed: int = 1,
    target_seconds: float = 2.0,
    max_records: int = 50_000,
    block: int = 2_000,
) -> PeerResult:
    """Generate and write blocks of records until ``target_seconds`` or ``max_records``.

    The timer covers record generation and serialisation to ``path`` (JSONL or Parquet), not the
    construction of the library's providers.
    """
    source = make_source(library, seed)
    shape, v = SHAPES[generator], VIEWS[view]
    persona = _persona_for(view)
    if fmt == "parquet":
        import pyarrow.parquet  # noqa: F401  (import before the timer starts)
    for i in range(_WARM_UP):  # first calls load providers' data: not the steady state
        shape(source, v, i, persona)
    n = 0
    start = time.perf_counter()
    if fmt == "jsonl":
        dumps = orjson.dumps
        with path.open("wb") as fh:
            while n < max_records and time.perf_counter() - start < target_seconds:
                lines = [dumps(shape(source, v, n + i, persona)) for i in range(block)]
                fh.write(b"\n".join(lines) + b"\n")
                n += block
    elif fmt == "parquet":
        sink = _ParquetSink(path)
        try:
            while n < max_records and time.perf_counter() - start < target_seconds:
                sink.write([shape(source, v, n + i, persona) for i in range(block)])
                n += block
        finally:
            sink.close()
    else:
        raise ValueError(f"unknown format {fmt!r}")
    seconds = time.perf_counter() - start
    size = os.path.getsize(path)
    return PeerResult(library, generator, view, fmt, n, seconds, size / n if n else 0.0)
