"""Column generators for string values, by format and by meaning (semantic)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import numpy as np

from persona_gen.seeds import uuids
from persona_gen.values.vocab import words

__all__ = ["FORMATS", "SEMANTICS", "iso_dates", "iso_datetimes", "pick"]

StringColumn = Callable[[int, np.random.Generator, int], list[str]]
"""(n, rng, reference_ms) -> n strings"""

# NumPy 2's string ufuncs are about twice as fast as np.char (kept for NumPy 1.26).
_STRINGS = getattr(np, "strings", np.char)
_DAY_MS = 86_400_000
_YEAR_MS = 365 * _DAY_MS


def pick(kind: str, n: int, rng: np.random.Generator) -> list[str]:
    pool = words(kind)
    out: list[str] = pool[rng.integers(0, len(pool), n)].tolist()
    return out


def _digits(n: int, rng: np.random.Generator, width: int) -> list[str]:
    return [f"{v:0{width}d}" for v in rng.integers(0, 10**width, n).tolist()]


def iso_datetimes(ms: np.ndarray) -> list[str]:
    """Epoch milliseconds → ``2025-03-01T12:00:00.123Z`` strings, vectorised."""
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    out: list[str] = _STRINGS.add(text, "Z").tolist()
    return out


def iso_dates(ms: np.ndarray) -> list[str]:
    days = ms.astype("datetime64[ms]").astype("datetime64[D]")
    out: list[str] = np.datetime_as_string(days, unit="D").tolist()
    return out


def _past_ms(n: int, rng: np.random.Generator, ref: int, span_ms: int) -> np.ndarray:
    return ref - rng.integers(0, span_ms, n)


def _datetime(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return iso_datetimes(_past_ms(n, rng, ref, 3 * _YEAR_MS))


def _date(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return iso_dates(_past_ms(n, rng, ref, 60 * _YEAR_MS))


def _time(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    # RFC 3339 full-time (JSON Schema "time") carries an offset; "Z" is UTC.
    secs = rng.integers(0, 86_400, n).tolist()
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in secs]


def _email(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    first, last = pick("first_name", n, rng), pick("last_name", n, rng)
    domains = pick("email_domain", n, rng)
    style = rng.integers(0, 3, n).tolist()
    num = rng.integers(1, 100, n).tolist()
    out = []
    for f, la, d, s, k in zip(first, last, domains, style, num, strict=True):
        local = f"{f}.{la}" if s == 0 else f"{f[0]}{la}{k}" if s == 1 else f"{f}_{la}{k}"
        out.append(f"{local.lower().replace(' ', '').replace(chr(39), '')}@{d}")
    return out


def _uri(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    a, b = pick("word", n, rng), pick("word", n, rng)
    tld = pick("tld", n, rng)
    return [f"https://www.{x}{t}/{y}" for x, y, t in zip(a, b, tld, strict=True)]


def _hostname(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    a, b = pick("word", n, rng), pick("word", n, rng)
    return [f"{x}.{y}.com" for x, y in zip(a, b, strict=True)]


def _ipv4(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    o = rng.integers(1, 255, (n, 4)).tolist()
    return [f"{a}.{b}.{c}.{d}" for a, b, c, d in o]


def _ipv6(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    o = rng.integers(0, 65536, (n, 8)).tolist()
    return [":".join(f"{x:x}" for x in row) for row in o]


def _byte(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    raw = rng.integers(0, 256, (n, 12), dtype=np.uint8)
    return [base64.b64encode(row.tobytes()).decode() for row in raw]


def _password(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    alphabet = np.asarray(list("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%"))
    idx = rng.integers(0, len(alphabet), (n, 14))
    return ["".join(row) for row in alphabet[idx].tolist()]


def _token(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8).tobytes().hex()
    return [raw[i : i + 32] for i in range(0, len(raw), 32)]


def _duration(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return [f"PT{m}M" for m in rng.integers(1, 240, n).tolist()]


def _regex(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    pool = np.asarray(
        [r"^[a-z]+$", r"^\d{3}-\d{4}$", r"^[A-Z][a-z]*$", r"[0-9a-f]{8}", r"^(yes|no)$"],
        dtype=object,
    )
    out: list[str] = pool[rng.integers(0, len(pool), n)].tolist()
    return out


def _json_pointer(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    a, b = pick("word", n, rng), rng.integers(0, 5, n).tolist()
    return [f"/{x}/{k}" for x, k in zip(a, b, strict=True)]


def _relative_json_pointer(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    up, a = rng.integers(0, 3, n).tolist(), pick("word", n, rng)
    return [f"{k}/{x}" for k, x in zip(up, a, strict=True)]


def _uri_template(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    a, b = pick("word", n, rng), pick("word", n, rng)
    return [f"https://api.{x}.com/{y}/{{id}}" for x, y in zip(a, b, strict=True)]


def _numeric_string(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return [str(v) for v in rng.integers(0, 1_000_000, n).tolist()]


def _decimal_string(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return [f"{v / 100:.2f}" for v in rng.integers(0, 1_000_000, n).tolist()]


def _first(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return pick("first_name", n, rng)


def _full_name(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    first, last = pick("first_name", n, rng), pick("last_name", n, rng)
    return [f"{f} {la}" for f, la in zip(first, last, strict=True)]


def _username(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    base = pick("username_word", n, rng)
    num = rng.integers(0, 1000, n).tolist()
    return [f"{b}{k}".lower() for b, k in zip(base, num, strict=True)]


def _phone(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    area = rng.integers(201, 990, n).tolist()
    mid = rng.integers(200, 999, n).tolist()
    end = rng.integers(0, 10000, n).tolist()
    return [f"+1-{a}-{m}-{e:04d}" for a, m, e in zip(area, mid, end, strict=True)]


def _street(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    nums = rng.integers(1, 9999, n).tolist()
    names, sfx = pick("street_name", n, rng), pick("street_suffix", n, rng)
    return [f"{k} {a} {b}" for k, a, b in zip(nums, names, sfx, strict=True)]


def _text(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    lengths = rng.integers(4, 14, n)
    pool = pick("word", int(lengths.sum()), rng)
    out, start = [], 0
    for k in lengths.tolist():
        sentence = " ".join(pool[start : start + k])
        out.append(sentence[:1].upper() + sentence[1:] + ".")
        start += k
    return out


def _title(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    lengths = rng.integers(2, 5, n)
    pool = pick("word", int(lengths.sum()), rng)
    out, start = [], 0
    for k in lengths.tolist():
        out.append(" ".join(w.capitalize() for w in pool[start : start + k]))
        start += k
    return out


def _slug(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    a, b, c = pick("word", n, rng), pick("word", n, rng), pick("word", n, rng)
    return [f"{x}-{y}-{z}" for x, y, z in zip(a, b, c, strict=True)]


def _version(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    v = rng.integers(0, [5, 20, 50], (n, 3)).tolist()
    return [f"{a}.{b}.{c}" for a, b, c in v]


def _sku(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return [f"SKU-{d}" for d in _digits(n, rng, 6)]


def _postal(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return _digits(n, rng, 5)


def _gender(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    pool = np.asarray(["female", "male", "non-binary", "unspecified"], dtype=object)
    out: list[str] = pool[rng.choice(4, n, p=[0.48, 0.48, 0.02, 0.02])].tolist()
    return out


def _category(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return pick("word", n, rng)


def _words(kind: str) -> StringColumn:
    return lambda n, rng, ref: pick(kind, n, rng)


def _uuid(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return uuids(rng, n)


FORMATS: dict[str, StringColumn] = {
    "uuid": _uuid,
    "guid": _uuid,
    "email": _email,
    "idn-email": _email,
    "date-time": _datetime,
    "timestamp": _datetime,
    "date": _date,
    "time": _time,
    "uri": _uri,
    "url": _uri,
    "iri": _uri,
    "uri-reference": _uri,
    "iri-reference": _uri,
    "hostname": _hostname,
    "idn-hostname": _hostname,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "byte": _byte,
    "binary": _byte,
    "password": _password,
    "duration": _duration,
    "regex": _regex,
    "json-pointer": _json_pointer,
    "relative-json-pointer": _relative_json_pointer,
    "uri-template": _uri_template,
    "int32": _numeric_string,
    "int64": _numeric_string,
    "decimal": _decimal_string,
    "double": _decimal_string,
    "float": _decimal_string,
}

SEMANTICS: dict[str, StringColumn] = {
    "first_name": _first,
    "last_name": _words("last_name"),
    "full_name": _full_name,
    "username": _username,
    "email": _email,
    "phone": _phone,
    "city": _words("city"),
    "country": _words("country"),
    "country_code": _words("country_code"),
    "state": _words("state"),
    "postal_code": _postal,
    "street_address": _street,
    "company": _words("company"),
    "bank": _words("bank"),
    "url": _uri,
    "hostname": _hostname,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "currency_code": _words("currency_code"),
    "language": _words("language"),
    "timezone": _words("timezone"),
    "user_agent": _words("user_agent"),
    "mime_type": _words("mime_type"),
    "occupation": _words("occupation"),
    "color": _words("color"),
    "product": _words("product"),
    "sku": _sku,
    "password": _password,
    "token": _token,
    "version": _version,
    "text": _text,
    "title": _title,
    "gender": _gender,
    "slug": _slug,
    "uuid": _uuid,
    "date-time": _datetime,
    "date": _date,
    "category": _category,
}
