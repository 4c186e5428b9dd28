"""Word lists for realistic values, read once from Mimesis' locale data and kept as arrays.

Mimesis is used as a data source only: drawing happens here, in bulk, from the caller's RNG,
so values stay reproducible and fast.
"""

from __future__ import annotations

import importlib
import importlib.util
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
    """Mimesis' data folder, found without importing the package: ``import mimesis`` loads
    all its providers (~45 ms of every run's start-up) and only its data files are used."""
    spec = importlib.util.find_spec("mimesis")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("persona-gen needs the mimesis package (its word lists)")
    return Path(spec.origin).parent / "datasets"


@cache
def _constants(module: str) -> dict[str, Any]:
    """The constants of ``mimesis.datasets.int.<module>``, a file of literals, read on its
    own (see ``_mimesis_dir``); through the package if its layout differs."""
    path = _mimesis_dir() / "int" / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"_persona_gen_mimesis_{module}", path)
    if not path.is_file() or spec is None or spec.loader is None:
        return vars(importlib.import_module(f"mimesis.datasets.int.{module}"))
    data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(data)  # (its compiled form is Mimesis' own, in its __pycache__)
    return vars(data)


def _constant(module: str, name: str) -> Any:
    found = _constants(module).get(name)
    if found is None:  # (moved in another Mimesis release)
        import mimesis.datasets

        found = getattr(mimesis.datasets, name)
    return found


@cache
def _locale(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_mimesis_dir() / "en" / f"{name}.json").read_text("utf-8"))
    return data


def _clean(values: list[Any]) -> list[str]:
    # Keep plain, printable, distinct words; unicode is a persona behaviour, not a default.
    texts = [text.strip() for text in map(str, values)]
    joined = "".join(texts)  # (checked whole first: lists are clean, and it is read at start)
    if joined.isascii() and joined.isprintable():
        return list(dict.fromkeys(filter(None, texts)))
    return list(dict.fromkeys(t for t in texts if t and t.isprintable() and t.isascii()))


@cache
def words(kind: str) -> np.ndarray:
    """An array of realistic strings of one kind (``first_name``, ``city``, ``word``...)."""
    return np.asarray(_raw(kind), dtype=object)


def _raw(kind: str) -> list[str]:
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
        "country_code": lambda: _constant("address", "COUNTRY_CODES")["a2"],
        "word": lambda: [w for w in text["words"] if len(w) > 2],
        "sentence": lambda: text["text"],
        "color": lambda: text["color"],
        "company": lambda: finance["company"]["name"],
        "bank": lambda: finance["banks"],
        "currency_code": lambda: _constant("finance", "CURRENCY_ISO_CODES"),
        "email_domain": lambda: [d.lstrip("@") for d in _constant("internet", "EMAIL_DOMAINS")],
        "tld": lambda: _constant("internet", "TLD")["gtld"],
        "user_agent": lambda: _constant("internet", "USER_AGENTS"),
        "mime_type": lambda: [m for ms in _constant("file", "MIME_TYPES").values() for m in ms],
        "timezone": lambda: _constant("datetime", "TIMEZONES"),
        "username_word": lambda: _constant("person", "USERNAMES"),
        "product": lambda: _ASCII_PRODUCTS,
        "http_server": lambda: _constant("internet", "HTTP_SERVERS"),
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
