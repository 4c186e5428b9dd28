"""Word lists for realistic values, read once from Mimesis' locale data and kept as arrays.

Mimesis is used as a data source only: drawing happens here, in bulk, from the caller's RNG,
so values stay reproducible and fast.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["words"]

_ASCII_PRODUCTS = [
    "Wireless Mouse",
    "Mechanical Keyboard",
    "USB-C Cable",
    "Noise Cancelling Headphones",
    "Standing Desk",
    "Espresso Machine",
    "Running Shoes",
    "Water Bottle",
    "Backpack",
    "Desk Lamp",
    "Smart Watch",
    "Bluetooth Speaker",
    "Yoga Mat",
    "Coffee Beans 1kg",
    "Phone Case",
    "Laptop Sleeve",
    "Monitor Arm",
    "Webcam HD",
    "Air Purifier",
    "Notebook A5",
]


@cache
def _mimesis_dir() -> Path:
    import mimesis.datasets  # deferred: only needed once values are drawn

    return Path(mimesis.datasets.__file__).parent


@cache
def _locale(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_mimesis_dir() / "en" / f"{name}.json").read_text("utf-8"))
    return data


def _clean(values: list[Any]) -> list[str]:
    # Keep plain, printable, distinct words; unicode is a persona behaviour, not a default.
    seen: dict[str, None] = {}
    for v in values:
        s = str(v).strip()
        if s and s.isprintable() and s.isascii():
            seen.setdefault(s, None)
    return list(seen)


@cache
def words(kind: str) -> np.ndarray:
    """An array of realistic strings of one kind (``first_name``, ``city``, ``word``...)."""
    return np.asarray(_raw(kind), dtype=object)


def _raw(kind: str) -> list[str]:
    import mimesis.datasets as md  # deferred: heavy module of constants

    person = _locale("person")
    address = _locale("address")
    text = _locale("text")
    finance = _locale("finance")
    sources: dict[str, Any] = {
        "first_name": lambda: person["names"]["female"] + person["names"]["male"],
        "last_name": lambda: person["surnames"],
        "occupation": lambda: person["occupation"],
        "language": lambda: person["language"],
        "nationality": lambda: person["nationality"],
        "university": lambda: person["university"],
        "city": lambda: address["city"],
        "state": lambda: address["state"]["name"],
        "state_code": lambda: address["state"]["abbr"],
        "street_name": lambda: address["street"]["name"],
        "street_suffix": lambda: address["street"]["suffix"],
        "country": _country_names,
        "country_code": lambda: md.COUNTRY_CODES["a2"],
        "word": lambda: [w for w in text["words"] if len(w) > 2],
        "sentence": lambda: text["text"],
        "color": lambda: text["color"],
        "company": lambda: finance["company"]["name"],
        "bank": lambda: finance["banks"],
        "currency_code": lambda: md.CURRENCY_ISO_CODES,
        "email_domain": lambda: [d.lstrip("@") for d in md.EMAIL_DOMAINS],
        "tld": lambda: md.TLD["gtld"],
        "user_agent": lambda: md.USER_AGENTS,
        "mime_type": lambda: [m for group in md.MIME_TYPES.values() for m in group],
        "timezone": lambda: md.TIMEZONES,
        "username_word": lambda: md.USERNAMES,
        "product": lambda: _ASCII_PRODUCTS,
        "http_server": lambda: md.HTTP_SERVERS,
    }
    if kind not in sources:
        raise KeyError(kind)
    return _clean(sources[kind]())


def _country_names() -> list[str]:
    data = _locale("address")["country"]
    names = data.get("name", [])
    extra = [
        "United States",
        "United Kingdom",
        "Germany",
        "France",
        "Spain",
        "Italy",
        "Japan",
        "Brazil",
        "Canada",
        "Australia",
        "India",
        "Netherlands",
        "Sweden",
        "Poland",
    ]
    return list(names) + extra if isinstance(names, list) else extra
