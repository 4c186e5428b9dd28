"""Column generators for string values, by format and by meaning (semantic)."""

from __future__ import annotations

import base64
import math
import operator
from collections.abc import Callable
from functools import cache

import numpy as np

from persona_gen._text import ascii_rows
from persona_gen.seeds import uuids
from persona_gen.values.vocab import words

__all__ = [
    "FORMATS",
    "SEMANTICS",
    "bounded_moments",
    "iso_dates",
    "iso_datetimes",
    "pick",
    "zero_padded",
]

StringColumn = Callable[[int, np.random.Generator, int], list[str]]
"""(n, rng, reference_ms) -> n strings"""

_DAY_MS = 86_400_000
_YEAR_MS = 365 * _DAY_MS


def pick(kind: str, n: int, rng: np.random.Generator) -> list[str]:
    pool = words(kind)
    out: list[str] = pool[rng.integers(0, len(pool), n)].tolist()
    return out


def _digits(n: int, rng: np.random.Generator, width: int) -> list[str]:
    return zero_padded(rng.integers(0, 10**width, n), width)


def zero_padded(values: np.ndarray, width: int) -> list[str]:
    """Non-negative integers below ``10**width`` as ``width`` digits (``f"{v:0{width}d}"``),
    laid out as bytes by NumPy rather than formatted one by one."""
    return _laid_out("0" * width, [(0, width, values)])


def _laid_out(template: str, fields: list[tuple[int, int, np.ndarray]]) -> list[str]:
    """``template`` once per value, with each ``(start, width, numbers)`` field's numbers
    written there as zero-padded decimal digits (every number must fit its width)."""
    n = len(fields[0][2])
    size = len(template)
    text = np.empty((n, size), np.uint8)
    text[:] = np.frombuffer(template.encode("ascii"), np.uint8)
    for start, width, numbers in fields:
        rest = numbers.astype(np.int64)
        for j in range(start + width - 1, start - 1, -1):
            text[:, j] = 48 + rest % 10
            rest //= 10
    return ascii_rows(text)


@cache
def _variant(kind: str, form: str) -> np.ndarray:
    """A vocabulary with each word in another form, index for index (drawn indices can
    then pick the form directly instead of transforming every drawn word)."""
    pool: list[str] = words(kind).tolist()
    # Forms that change letters one by one are made on the whole list joined (words hold no
    # line breaks: vocab keeps printable ones), which is read at every start.
    whole: dict[str, Callable[[str], str]] = {"lower": str.lower, "email": _email_text}
    each: dict[str, Callable[[str], str]] = {
        "plain": str,
        "capitalized": lambda w: w[:1].upper() + w[1:],
        "title": str.capitalize,
        "email_initial": lambda w: _email_text(w[0]),
        "sentence_end": lambda w: w + ".\x00",
        "title_end": lambda w: w.capitalize() + "\x00",
    }
    if form in whole:
        made = whole[form]("\n".join(pool)).split("\n") if pool else []
    else:
        made = list(map(each[form], pool))
    return np.asarray(made, dtype=object)


def _email_text(text: str) -> str:
    return text.lower().replace(" ", "").replace("'", "")


# Epoch milliseconds of 0000-01-01 and 10000-01-01: between them NumPy writes every instant
# in the fixed width of ISO 8601 (outside, years take a sign or a fifth digit).
_FOUR_DIGIT_YEARS = (-62_167_219_200_000, 253_402_300_800_000)
# The first and last instants of years 1 to 9999, which every date format and reader takes.
_FIRST_MS, _LAST_MS = -62_135_596_800_000, _FOUR_DIGIT_YEARS[1] - 1
_Z = ord("Z")


def _fixed_width(ms: np.ndarray) -> bool:
    low, high = _FOUR_DIGIT_YEARS
    return bool(ms.size) and low <= int(ms.min()) and int(ms.max()) < high


def iso_datetimes(ms: np.ndarray) -> list[str]:
    """Epoch milliseconds → ``2025-03-01T12:00:00.123Z`` strings, vectorised.

    NumPy's byte-string cast writes the same text as ``datetime_as_string`` in about half
    the time; it is used where every value has the fixed width (four-digit years)."""
    stamps = ms.astype("datetime64[ms]")
    if not _fixed_width(ms):
        text = np.datetime_as_string(stamps, unit="ms", timezone="UTC")
        out: list[str] = text.tolist()
        return out
    codes = np.empty((ms.size, 24), np.uint8)
    codes[:, :23] = stamps.astype("S23").view(np.uint8).reshape(ms.size, 23)
    codes[:, 23] = _Z
    return ascii_rows(codes)


def iso_dates(ms: np.ndarray) -> list[str]:
    days = ms.astype("datetime64[ms]").astype("datetime64[D]")
    if not _fixed_width(ms):
        out: list[str] = np.datetime_as_string(days, unit="D").tolist()
        return out
    return ascii_rows(days.astype("S10").view(np.uint8).reshape(ms.size, 10))


def _past_ms(n: int, rng: np.random.Generator, ref: int, span_ms: int) -> np.ndarray:
    return ref - rng.integers(0, span_ms, n)


def _datetime(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return iso_datetimes(_past_ms(n, rng, ref, 3 * _YEAR_MS))


def _date(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return iso_dates(_past_ms(n, rng, ref, 60 * _YEAR_MS))


def moment_texts(fmt: str, ms: np.ndarray) -> list[str]:
    """Epoch milliseconds as dates (``fmt`` date) or date-times (any other)."""
    return iso_dates(ms) if fmt == "date" else iso_datetimes(ms)


def moment_grid(fmt: str, first: int | None, last: int | None, ref: int) -> tuple[int, int, int]:
    """``(start, step, count)``: the instants (epoch milliseconds) values of format ``fmt``
    (dates, or date-times) are made from, ``start + k * step`` for ``k < count``, between
    ``first`` and ``last`` (inclusive; a date's at midnight). A side left open takes the
    span an unbounded value is drawn from (60 years of dates, 3 of date-times, before the
    reference time ``ref``), from the reference time where that lies within the bound,
    else from the bound; and every side stays within four-digit years, which every date
    format writes."""
    span = 60 * _YEAR_MS if fmt == "date" else 3 * _YEAR_MS
    if first is None and last is None:
        first, last = ref - span, ref
    elif first is None:
        last = min(ref, last) if last is not None else ref
        first = last - span
    elif last is None:
        last = max(ref, first) if first <= ref else first + span
        first = max(first, last - span)
    first, last = max(first, _FIRST_MS), min(last, _LAST_MS)
    step = _DAY_MS if fmt == "date" else 1
    if fmt == "date":  # (midnights: the first at or after ``first``)
        first = -(-first // step) * step
    return first, step, max(0, (last - first) // step + 1)


def bounded_moments(
    fmt: str,
    first: int | None,
    last: int | None,
    n: int,
    rng: np.random.Generator,
    ref: int,
) -> list[str]:
    """``n`` dates or date-times (``fmt``) of ``moment_grid``, drawn evenly."""
    start, step, count = moment_grid(fmt, first, last, ref)
    return moment_texts(fmt, start + rng.integers(0, max(count, 1), n) * step)


def unique_moments(
    fmt: str, first: int | None, last: int | None, rows: range, ref: int
) -> list[str]:
    """A date or date-time of ``moment_grid`` for each row number, none twice while the
    rows stay below its count (past it they come round again: callers check the dataset
    fits), spread over the grid by a stride prime to its count rather than in order."""
    start, step, count = moment_grid(fmt, first, last, ref)
    count = max(count, 1)
    stride = int(count * 0.6180339887) | 1
    while math.gcd(stride, count) != 1:
        stride += 1
    # (Python's integers: k * stride overflows 64 bits for the 10**11 milliseconds of 3 years)
    k = np.array([row % count * stride % count for row in rows], dtype=np.int64)
    return moment_texts(fmt, start + k * step)


def _time(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    # RFC 3339 full-time (JSON Schema "time") carries an offset; "Z" is UTC.
    secs = rng.integers(0, 86_400, n)
    return _laid_out(
        "00:00:00Z", [(0, 2, secs // 3600), (3, 2, secs // 60 % 60), (6, 2, secs % 60)]
    )


def _email(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    # Vocabulary words are ASCII, so cleaning each part equals cleaning the joined local part.
    first_at = rng.integers(0, len(words("first_name")), n)
    last = _variant("last_name", "email")[rng.integers(0, len(words("last_name")), n)].tolist()
    domains = pick("email_domain", n, rng)
    style = rng.integers(0, 3, n).tolist()
    num = rng.integers(1, 100, n).tolist()
    first = _variant("first_name", "email")[first_at].tolist()
    initial = _variant("first_name", "email_initial")[first_at].tolist()
    return [
        f"{f}.{la}@{d}" if s == 0 else f"{i}{la}{k}@{d}" if s == 1 else f"{f}_{la}{k}@{d}"
        for f, i, la, d, s, k in zip(first, initial, last, domains, style, num, strict=True)
    ]


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
    # 12 bytes are 16 Base64 characters, without padding: the rows encode as one text.
    return ascii_rows(np.frombuffer(base64.b64encode(raw.tobytes()), np.uint8).reshape(n, 16))


_PASSWORD_CHARACTERS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%"


def _password(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    alphabet = np.frombuffer(_PASSWORD_CHARACTERS.encode("ascii"), np.uint8)
    return ascii_rows(alphabet[rng.integers(0, len(alphabet), (n, 14))])


def _token(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    if n <= 0:
        return []
    return rng.integers(0, 256, (n, 16), dtype=np.uint8).tobytes().hex("\n", 16).split("\n")


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


@cache
def _numbers(count: int) -> np.ndarray:
    """``str(k)`` for k below ``count``, to pick by index (formatting each drawn number
    costs several times more)."""
    return np.asarray([str(k) for k in range(count)], dtype=object)


def _username(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    base = _variant("username_word", "lower")[rng.integers(0, len(words("username_word")), n)]
    num = _numbers(1000)[rng.integers(0, 1000, n)]
    return list(map(operator.add, base.tolist(), num.tolist()))


def _phone(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    area = rng.integers(201, 990, n)
    mid = rng.integers(200, 999, n)
    end = rng.integers(0, 10000, n)
    return _laid_out("+1-000-000-0000", [(3, 3, area), (7, 3, mid), (11, 4, end)])


def _street(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    nums = _numbers(9999)[rng.integers(1, 9999, n)].tolist()
    names, sfx = pick("street_name", n, rng), pick("street_suffix", n, rng)
    return list(map(" ".join, zip(nums, names, sfx, strict=True)))


def _text(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    """Sentences of 4 to 13 words, capitalised, ending in a full stop."""
    return _phrases(rng.integers(4, 14, n), rng, "plain", "capitalized", "sentence_end")


def _title(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    """Two to four capitalised words."""
    return _phrases(rng.integers(2, 5, n), rng, "title", "title", "title_end")


def _phrases(
    lengths: np.ndarray, rng: np.random.Generator, form: str, first: str, last: str
) -> list[str]:
    """Phrases of ``lengths`` words each (at least two) in form ``form``, the first word in
    form ``first`` and the last in form ``last`` (which ends in NUL, never in a word): one
    join and one split for the whole column instead of a join per phrase."""
    if not lengths.size:
        return []
    at = rng.integers(0, len(words("word")), int(lengths.sum()))
    ends = np.cumsum(lengths) - 1
    starts = ends - lengths + 1
    drawn = _variant("word", form)[at]
    drawn[starts] = _variant("word", first)[at[starts]]
    drawn[ends] = _variant("word", last)[at[ends]]
    out = " ".join(drawn.tolist()).split("\x00 ")
    out[-1] = out[-1][:-1]
    return out


def _slug(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    a, b, c = pick("word", n, rng), pick("word", n, rng), pick("word", n, rng)
    return [f"{x}-{y}-{z}" for x, y, z in zip(a, b, c, strict=True)]


_VERSION_PARTS = (5, 20, 50)  # major, minor and patch are drawn below these


def _version(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    v = rng.integers(0, _VERSION_PARTS, (n, 3))
    index = (v[:, 0] * _VERSION_PARTS[1] + v[:, 1]) * _VERSION_PARTS[2] + v[:, 2]
    out: list[str] = _versions()[index].tolist()
    return out


@cache
def _versions() -> np.ndarray:
    """Every version ``_version`` can draw, in index order (5,000 strings)."""
    major, minor, patch = _VERSION_PARTS
    texts = [f"{a}.{b}.{c}" for a in range(major) for b in range(minor) for c in range(patch)]
    return np.asarray(texts, dtype=object)


def _sku(n: int, rng: np.random.Generator, ref: int) -> list[str]:
    return _laid_out("SKU-000000", [(4, 6, rng.integers(0, 10**6, n))])


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
    # (an event's own time: the streaming generator writes the event's time into it)
    "event_time": _datetime,
    "date": _date,
    "category": _category,
}
