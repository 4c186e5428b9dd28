"""Strings that match a regular expression, drawn column-wise from a NumPy generator.

The pattern is parsed once with Python's own regex parser (so the syntax is exactly what
``re`` accepts) into a small tree; each node produces ``n`` strings at a time.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

try:  # Python 3.11+ keeps the parser here
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as sre_c
    import sre_parse

__all__ = ["RegexUnsupported", "compile_pattern", "generates_matches", "matches_class_run"]

Node = Callable[[int, np.random.Generator], list[str]]

_UNBOUNDED_EXTRA = 6  # how far past the minimum '*', '+' and '{n,}' repeat
_PRINTABLE = [c for c in string.printable if c not in "\t\n\r\x0b\x0c"]
_CATEGORIES = {
    sre_c.CATEGORY_DIGIT: list(string.digits),
    sre_c.CATEGORY_NOT_DIGIT: [c for c in _PRINTABLE if not c.isdigit()],
    sre_c.CATEGORY_WORD: list(string.ascii_letters + string.digits + "_"),
    sre_c.CATEGORY_NOT_WORD: [c for c in _PRINTABLE if not (c.isalnum() or c == "_")],
    sre_c.CATEGORY_SPACE: [" "],
    sre_c.CATEGORY_NOT_SPACE: [c for c in _PRINTABLE if not c.isspace()],
}


class RegexUnsupported(ValueError):
    """The pattern uses a construct that cannot be generated (e.g. a back-reference)."""


@cache
def compile_pattern(pattern: str, unbounded_extra: int = _UNBOUNDED_EXTRA) -> Node:
    """A function ``(n, rng) -> n strings`` whose values all ``re.search`` the pattern.

    Unanchored patterns are generated as if anchored: the values then match in full,
    which also satisfies a search. ``*``, ``+`` and ``{n,}`` repeat up to
    ``unbounded_extra`` times past their minimum.
    """
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise RegexUnsupported(f"invalid pattern {pattern!r}: {exc}") from None
    try:
        node = _sequence(list(parsed), unbounded_extra)
    except RecursionError:
        raise RegexUnsupported(f"pattern {pattern!r} is nested too deeply") from None
    check = re.compile(pattern)
    exact = _exact(list(parsed))

    def generate(n: int, rng: np.random.Generator) -> list[str]:
        values = node(n, rng)
        # Lookarounds and flags can defeat the construction; catch that rather than lie.
        if values and not check.search(values[0]):
            raise RegexUnsupported(f"cannot generate values for pattern {pattern!r}")
        return values

    generate.exact = exact  # type: ignore[attr-defined]
    return generate


def generates_matches(generate: Node) -> bool:
    """Whether every value of a compiled pattern matches it by construction (see ``_exact``),
    so checking each one again would be wasted work."""
    return bool(getattr(generate, "exact", False))


def _exact(items: list[tuple[Any, Any]]) -> bool:
    """Whether the built values match the pattern whatever is drawn: no lookarounds, word
    boundaries or possessive repeats (which the builder skips or cannot honour), and anchors
    only at the very start and end. Flags can only widen what matches."""
    starts = (sre_c.AT_BEGINNING, sre_c.AT_BEGINNING_STRING)
    ends = (sre_c.AT_END, sre_c.AT_END_STRING)
    for k, (op, av) in enumerate(items):
        if op is sre_c.AT:
            edge = (k == 0 and av in starts) or (k == len(items) - 1 and av in ends)
            if not edge:
                return False
        elif not _exact_inside(op, av):
            return False
    return True


def _exact_inside(op: Any, av: Any) -> bool:
    # (anything else, anchors and lookarounds included, can defeat the construction)
    if op is sre_c.SUBPATTERN:
        return all(_exact_inside(o, a) for o, a in av[-1])
    if op is sre_c.BRANCH:
        return all(_exact_inside(o, a) for branch in av[1] for o, a in branch)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
        return all(_exact_inside(o, a) for o, a in av[2])
    return op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN, sre_c.CATEGORY)


def _sequence(items: list[tuple[Any, Any]], extra: int = _UNBOUNDED_EXTRA) -> Node:
    parts = [p for p in (_node(op, av, extra) for op, av in items) if p is not None]
    if not parts:
        return lambda n, rng: [""] * n
    if len(parts) == 1:
        return parts[0]

    def seq(n: int, rng: np.random.Generator) -> list[str]:
        columns = [p(n, rng) for p in parts]
        return ["".join(row) for row in zip(*columns, strict=True)]

    return seq


def _choice_of(chars: list[str]) -> Node:
    pool = np.asarray(chars, dtype=object)

    def pick(n: int, rng: np.random.Generator) -> list[str]:
        out: list[str] = pool[rng.integers(0, len(pool), n)].tolist()
        return out

    if all(len(c) == 1 and c.isascii() for c in chars):
        # Lets a repeat of this class lay its characters out as bytes (see ``_repeat``).
        pick.ascii_pool = np.frombuffer("".join(chars).encode("ascii"), np.uint8)  # type: ignore[attr-defined]
    return pick


def _node(op: Any, av: Any, extra: int = _UNBOUNDED_EXTRA) -> Node | None:
    if op is sre_c.LITERAL:
        ch = chr(av)
        return lambda n, rng: [ch] * n
    if op is sre_c.NOT_LITERAL:
        excluded = chr(av)
        return _choice_of([c for c in string.ascii_letters + string.digits if c != excluded])
    if op is sre_c.ANY:
        return _choice_of(list(string.ascii_letters + string.digits))
    if op is sre_c.IN:
        return _choice_of(_class_chars(av))
    if op in (sre_c.AT,):
        return None  # anchors: generated values are whole matches anyway
    if op is sre_c.SUBPATTERN:
        return _sequence(list(av[-1]), extra)
    if op is sre_c.BRANCH:
        branches = [_sequence(list(b), extra) for b in av[1]]
        return _branch(branches)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
        low, high, sub = av
        if high == sre_c.MAXREPEAT:
            high = low + extra
        return _repeat(int(low), int(high), _sequence(list(sub), extra))
    if op is sre_c.CATEGORY:
        return _choice_of(_CATEGORIES[av])
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return None
    raise RegexUnsupported(f"unsupported regex construct {op}")


def _class_chars(items: list[tuple[Any, Any]]) -> list[str]:
    negate = False
    chars: set[str] = set()
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            chars.add(chr(av))
        elif op is sre_c.RANGE:
            low, high = av
            chars.update(chr(c) for c in range(low, min(high, low + 0x3000) + 1))
        elif op is sre_c.CATEGORY:
            chars.update(_CATEGORIES[av])
        else:
            raise RegexUnsupported(f"unsupported character class item {op}")
    if negate:
        chars = {c for c in string.ascii_letters + string.digits + " -_.," if c not in chars}
    if not chars:
        raise RegexUnsupported("empty character class")
    return sorted(chars)


def _branch(branches: list[Node]) -> Node:
    def pick(n: int, rng: np.random.Generator) -> list[str]:
        which = rng.integers(0, len(branches), n)
        out = [""] * n
        for b, node in enumerate(branches):
            rows = np.flatnonzero(which == b)
            if rows.size:
                for row, value in zip(rows.tolist(), node(int(rows.size), rng), strict=True):
                    out[row] = value
        return out

    return pick


def _repeat(low: int, high: int, sub: Node) -> Node:
    ascii_pool: np.ndarray | None = getattr(sub, "ascii_pool", None)

    def rep(n: int, rng: np.random.Generator) -> list[str]:
        counts = rng.integers(low, high + 1, n) if high > low else np.full(n, low)
        total = int(counts.sum())
        if ascii_pool is not None and total:
            # One character class repeated (``\d{6}``, ``[a-z]{3,8}``): the same draws as
            # ``sub(total)``, laid out as one byte string and cut per value.
            text = ascii_pool[rng.integers(0, len(ascii_pool), total)].tobytes().decode("ascii")
            ends = np.cumsum(counts).tolist()
            return [text[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        pieces = sub(total, rng) if total else []
        out: list[str] = []
        start = 0
        for c in counts.tolist():
            out.append("".join(pieces[start : start + c]))
            start += c
        return out

    return rep


# -- a fast check for the commonest key patterns: one character class, repeated -----------

# The categories whose ASCII members are exactly the generator's (``\d``, ``\w``).
_ASCII_CATEGORIES = (sre_c.CATEGORY_DIGIT, sre_c.CATEGORY_WORD)


@cache
def _class_run(pattern: str) -> tuple[bytes, int, int | None] | None:
    """For ``^[class]{m,n}$`` (``+``, ``*``, a single literal too): the class's ASCII
    characters and the repeat bounds; None for any other pattern, or flags beyond the
    default (the class must mean for ASCII text what it means for ``re``)."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    items = list(parsed)
    if parsed.state.flags & ~re.UNICODE or len(items) != 3:
        return None
    (start, at_start), (repeat, body), (end, at_end) = items
    if (start, at_start, end, at_end) != (sre_c.AT, sre_c.AT_BEGINNING, sre_c.AT, sre_c.AT_END):
        return None
    if repeat not in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
        return None
    low, high, inner = body
    inner = list(inner)
    if len(inner) != 1:
        return None
    op, av = inner[0]
    members = [(op, av)] if op is sre_c.LITERAL else list(av) if op is sre_c.IN else None
    if members is None:
        return None
    allowed: set[str] = set()
    for kind, value in members:
        if kind is sre_c.LITERAL and value < 128:
            allowed.add(chr(value))
        elif kind is sre_c.RANGE and value[1] < 128:
            allowed.update(chr(c) for c in range(value[0], value[1] + 1))
        elif kind is sre_c.CATEGORY and value in _ASCII_CATEGORIES:
            allowed.update(_CATEGORIES[value])
        else:  # negation, non-ASCII, other categories: the regex decides
            return None
    if "\n" in allowed:
        return None
    bound = None if high == sre_c.MAXREPEAT else int(high)
    return "".join(sorted(allowed)).encode("ascii"), int(low), bound


def matches_class_run(pattern: str, values: list[str]) -> bool | None:
    """Whether every value ``re.search``es ``pattern``, told without a regex call per value
    when the pattern is one ASCII character class repeated: True or False, or None when the
    pattern is not of that form (or a value is not ASCII, or holds a line break)."""
    run = _class_run(pattern)
    if run is None:
        return None
    allowed, low, high = run
    try:
        text = "\n".join(values).encode("ascii")
    except UnicodeEncodeError:
        return None
    if text.count(b"\n") != len(values) - 1:
        return None  # a value holds a line break ('$' matches before a final one)
    if len(text.translate(None, allowed)) != max(len(values) - 1, 0):
        return False  # some value holds a character outside the class
    lengths = list(map(len, values))
    return bool(lengths) and min(lengths) >= low and (high is None or max(lengths) <= high)
