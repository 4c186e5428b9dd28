"""Strings that match a regular expression, drawn column-wise from a NumPy generator.

The pattern is parsed once with Python's own regex parser (so the syntax is exactly what
``re`` accepts) into a small tree; each node produces ``n`` strings at a time.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from persona_gen.values.ecma_regex import (
    compile_ecma,
    escape_classes,
    python_pattern,
    space_ranges,
)

try:  # Python 3.11+ keeps the parser here
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as sre_c
    import sre_parse

__all__ = [
    "RegexUnsupported",
    "compile_pattern",
    "generates_matches",
    "matches_class_runs",
    "numbered_matches",
    "pattern_room",
]

Node = Callable[[int, np.random.Generator], list[str]]
# A node's values as ASCII bytes, all rows back to back, and each row's length: an int when
# every row has the same length. Nodes that produce only ASCII carry one as ``.layout``.
Laid = tuple[np.ndarray, "int | np.ndarray"]
Layout = Callable[[int, np.random.Generator], Laid]

_UNBOUNDED_EXTRA = 6  # how far past the minimum '*', '+' and '{n,}' repeat
_LARGE_CLASS = 1024  # members: a class this wide draws from its familiar ones (_class_chars)
_FAMILIAR_END = "\u0250"  # past ASCII, Latin-1 and Latin Extended-A and -B
_PRINTABLE = [c for c in string.printable if c not in "\t\n\r\x0b\x0c"]
_CATEGORIES = {
    sre_c.CATEGORY_DIGIT: list(string.digits),
    sre_c.CATEGORY_NOT_DIGIT: [c for c in _PRINTABLE if not c.isdigit()],
    sre_c.CATEGORY_WORD: list(string.ascii_letters + string.digits + "_"),
    sre_c.CATEGORY_NOT_WORD: [c for c in _PRINTABLE if not (c.isalnum() or c == "_")],
    sre_c.CATEGORY_SPACE: [" "],
    sre_c.CATEGORY_NOT_SPACE: [c for c in _PRINTABLE if not c.isspace()],
}
_ANY = list(string.ascii_letters + string.digits)  # what "." makes


@cache
def _escape_pools() -> dict[tuple[Any, ...], list[str]]:
    r"""The characters drawn for ECMA's ``\d``, ``\w``, ``\s``, ``.`` (and ``\D``...), which
    ``python_pattern`` spells as classes (keyed by the class's items): familiar ones (a
    ``\s`` makes a space, not U+2028), the same ``re``'s own escapes drew."""
    pools = {
        "\\d": sre_c.CATEGORY_DIGIT,
        "\\D": sre_c.CATEGORY_NOT_DIGIT,
        "\\w": sre_c.CATEGORY_WORD,
        "\\W": sre_c.CATEGORY_NOT_WORD,
        "\\s": sre_c.CATEGORY_SPACE,
        "\\S": sre_c.CATEGORY_NOT_SPACE,
    }
    out: dict[tuple[Any, ...], list[str]] = {}
    for escape, spellings in escape_classes().items():
        # (re parses "\\w" as a class of one category: its members were drawn sorted)
        pool = sorted(_CATEGORIES[pools[escape]]) if escape in pools else _ANY
        for spelled in spellings:
            ((op, items),) = list(sre_parse.parse(spelled))
            assert op is sre_c.IN
            out[tuple(items)] = pool
    return out


@cache
def _spaces() -> frozenset[str]:
    return frozenset(chr(c) for low, high in space_ranges() for c in range(low, high + 1))


class RegexUnsupported(ValueError):
    """The pattern uses a construct that cannot be generated (e.g. a back-reference)."""


class _NoMatch(RegexUnsupported):
    """Part of the pattern matches nothing (ECMA's ``[]``): an alternative to skip."""


@cache
def compile_pattern(pattern: str, unbounded_extra: int = _UNBOUNDED_EXTRA) -> Node:
    """A function ``(n, rng) -> n strings`` whose values all ``re.search`` the pattern.

    Unanchored patterns are generated as if anchored: the values then match in full,
    which also satisfies a search. ``*``, ``+`` and ``{n,}`` repeat up to
    ``unbounded_extra`` times past their minimum.
    """
    try:
        parsed = sre_parse.parse(python_pattern(pattern))
    except (re.error, RecursionError, OverflowError) as exc:
        raise RegexUnsupported(f"invalid pattern {pattern!r}: {exc}") from None
    try:
        node = _sequence(list(parsed), unbounded_extra)
    except RecursionError:
        raise RegexUnsupported(f"pattern {pattern!r} is nested too deeply") from None
    check = compile_ecma(pattern)
    exact = _exact(list(parsed))
    layout: Layout | None = getattr(node, "layout", None)

    def generate(n: int, rng: np.random.Generator) -> list[str]:
        values = _texts(*layout(n, rng), n) if layout is not None else node(n, rng)
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
        return _literal("")
    if len(parts) == 1:
        return parts[0]

    def seq(n: int, rng: np.random.Generator) -> list[str]:
        columns = [p(n, rng) for p in parts]
        return ["".join(row) for row in zip(*columns, strict=True)]

    layouts: list[Layout] = [getattr(p, "layout", None) for p in parts]  # type: ignore[misc]
    if all(layouts):
        seq.layout = lambda n, rng: _joined([lay(n, rng) for lay in layouts], n)  # type: ignore[attr-defined]
    return seq


def _literal(text: str) -> Node:
    def lit(n: int, rng: np.random.Generator) -> list[str]:
        return [text] * n

    if text.isascii():
        code = np.frombuffer(text.encode("ascii"), np.uint8)
        lit.layout = lambda n, rng: (np.tile(code, n), len(text))  # type: ignore[attr-defined]
    return lit


def _choice_of(chars: list[str]) -> Node:
    pool = np.asarray(chars, dtype=object)

    def pick(n: int, rng: np.random.Generator) -> list[str]:
        out: list[str] = pool[rng.integers(0, len(pool), n)].tolist()
        return out

    if all(len(c) == 1 and c.isascii() for c in chars):
        # Lets a repeat of this class lay its characters out as bytes (see ``_repeat``).
        codes = np.frombuffer("".join(chars).encode("ascii"), np.uint8)
        pick.ascii_pool = codes  # type: ignore[attr-defined]
        pick.layout = lambda n, rng: (codes[rng.integers(0, len(codes), n)], 1)  # type: ignore[attr-defined]
    return pick


def _node(op: Any, av: Any, extra: int = _UNBOUNDED_EXTRA) -> Node | None:
    if op is sre_c.LITERAL:
        return _literal(chr(av))
    if op is sre_c.NOT_LITERAL:
        excluded = chr(av)
        return _choice_of([c for c in string.ascii_letters + string.digits if c != excluded])
    if op is sre_c.ANY:
        return _choice_of(_ANY)
    if op is sre_c.IN:
        return _choice_of(_escape_pools().get(tuple(av)) or _class_chars(av))
    if op in (sre_c.AT,):
        return None  # anchors: generated values are whole matches anyway
    if op is sre_c.SUBPATTERN:
        return _sequence(list(av[-1]), extra)
    if op is sre_c.BRANCH:
        branches = [b for b in (_matching(list(b), extra) for b in av[1]) if b is not None]
        if not branches:
            raise _NoMatch("no alternative matches anything")
        return _branch(branches)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
        low, high, sub = av
        if high == sre_c.MAXREPEAT:
            high = low + extra
        body = _matching(list(sub), extra)
        if body is None:
            if low:
                raise _NoMatch("a repeat of what matches nothing")
            return _literal("")  # (ECMA's "[]?": repeated no times)
        return _repeat(int(low), int(high), body)
    if op is sre_c.CATEGORY:
        return _choice_of(_CATEGORIES[av])
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return None
    raise RegexUnsupported(f"unsupported regex construct {op}")


def _matching(items: list[tuple[Any, Any]], extra: int) -> Node | None:
    """``_sequence(items)``, or None when they match nothing (ECMA's ``[]``)."""
    try:
        return _sequence(items, extra)
    except _NoMatch:
        return None


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
    elif _spaces() <= chars:  # (a \s among other members: it makes a space, as alone)
        chars -= _spaces() - {" "}
    chars = {c for c in chars if not "\ud800" <= c <= "\udfff"}  # (no text holds one alone)
    if len(chars) > _LARGE_CLASS:
        # A class as wide as a Unicode property (``\p{L}`` is ~140,000 letters) draws from
        # its printable Latin members when it has any: names, not CJK, Tangut and Cuneiform.
        familiar = {c for c in chars if c < _FAMILIAR_END and c.isprintable()}
        chars = familiar or chars
    if not chars:
        raise _NoMatch("empty character class")
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

    layouts: list[Layout] = [getattr(b, "layout", None) for b in branches]  # type: ignore[misc]
    if all(layouts):

        def laid(n: int, rng: np.random.Generator) -> Laid:
            which = rng.integers(0, len(branches), n)
            picked = []
            for b, lay in enumerate(layouts):
                rows = np.flatnonzero(which == b)
                if rows.size:
                    picked.append((rows, *lay(int(rows.size), rng)))
            return _interleaved(picked, n)

        pick.layout = laid  # type: ignore[attr-defined]
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

    sub_layout: Layout | None = getattr(sub, "layout", None)
    if sub_layout is not None:

        def laid(n: int, rng: np.random.Generator) -> Laid:
            # The same draws as ``rep``: the counts, then the items, which are in row order.
            counts = rng.integers(low, high + 1, n) if high > low else None
            items = int(counts.sum()) if counts is not None else low * n
            if not items:
                return np.empty(0, np.uint8), 0 if counts is None else counts
            data, lengths = sub_layout(items, rng)
            if counts is None and isinstance(lengths, int):
                return data, low * lengths
            per_item = np.broadcast_to(lengths, items)
            ends = np.cumsum(counts if counts is not None else np.full(n, low))
            item_ends = np.concatenate(([0], np.cumsum(per_item)))
            return data, item_ends[ends] - item_ends[ends - (counts if counts is not None else low)]

        rep.layout = laid  # type: ignore[attr-defined]
    return rep


# -- ASCII values as bytes: parts laid side by side, rows cut once at the end --------------


def _joined(parts: list[Laid], n: int) -> Laid:
    """Each row's parts one after another (a sequence's values)."""
    widths = [w for _, w in parts if isinstance(w, int)]
    if len(widths) == len(parts):
        grid = np.empty((n, sum(widths)), np.uint8)
        at = 0
        for (data, _), w in zip(parts, widths, strict=True):
            grid[:, at : at + w] = data.reshape(n, w)
            at += w
        return grid.ravel(), sum(widths)
    lengths = sum((np.broadcast_to(w, n) for _, w in parts), np.zeros(n, np.int64))
    out = np.empty(int(lengths.sum()), np.uint8)
    starts = np.cumsum(lengths) - lengths  # where each row's next part goes
    for data, part_lengths in parts:
        _place(out, starts, np.broadcast_to(part_lengths, n), data)
        starts = starts + part_lengths
    return out, lengths


def _interleaved(picked: list[tuple[np.ndarray, np.ndarray, int | np.ndarray]], n: int) -> Laid:
    """Rows taken from several sources (a branch's alternatives) back in row order."""
    lengths = np.zeros(n, np.int64)
    for rows, _, w in picked:
        lengths[rows] = w
    out = np.empty(int(lengths.sum()), np.uint8)
    starts = np.cumsum(lengths) - lengths
    for rows, data, w in picked:
        _place(out, starts[rows], np.broadcast_to(w, rows.size), data)
    return out, lengths


def _place(out: np.ndarray, starts: np.ndarray, lengths: np.ndarray, data: np.ndarray) -> None:
    """Copy ``data`` (values of ``lengths`` back to back) into ``out`` at ``starts``."""
    if data.size:
        own_starts = np.cumsum(lengths) - lengths
        out[np.repeat(starts - own_starts, lengths) + np.arange(data.size)] = data


_CUT = 0xFF  # never an ASCII byte, so it can mark where each value ends


def _texts(data: np.ndarray, lengths: int | np.ndarray, n: int) -> list[str]:
    """The ``n`` strings laid out in ``data``: cut with one ``str.split``."""
    if isinstance(lengths, int):
        grid = np.full((n, lengths + 1), _CUT, np.uint8)
        grid[:, :lengths] = data.reshape(n, lengths)
        marked = grid.tobytes()
    else:
        flat = np.full(data.size + n, _CUT, np.uint8)
        flat[np.arange(data.size) + np.repeat(np.arange(n), lengths)] = data
        marked = flat.tobytes()
    values = marked.decode("latin-1").split(chr(_CUT))
    values.pop()  # after the last mark
    return values


# -- a fast check for the commonest key patterns: ASCII character classes, laid out -------

# The categories whose ASCII members are exactly the generator's (``\d``, ``\w``).
_ASCII_CATEGORIES = (sre_c.CATEGORY_DIGIT, sre_c.CATEGORY_WORD)

Run = tuple[bytes, int, "int | None"]  # a class's ASCII characters, repeated low..high times


@cache
def _class_runs(pattern: str) -> tuple[Run, ...] | None:
    """For ``^...$`` made only of ASCII literals and character classes, each possibly
    repeated (``^SKU-[0-9]{6}$``, ``^[a-z0-9_.]+$``): its runs in order; None for any other
    pattern, or flags beyond the default (a class must mean for ASCII text what it means
    for ``re``)."""
    try:
        parsed = sre_parse.parse(python_pattern(pattern))
    except (re.error, RecursionError, OverflowError):
        return None
    items = list(parsed)
    if parsed.state.flags & ~re.UNICODE or len(items) < 3:
        return None
    (start, at_start), (end, at_end) = items[0], items[-1]
    if (start, at_start, end) != (sre_c.AT, sre_c.AT_BEGINNING, sre_c.AT) or at_end not in (
        sre_c.AT_END,
        sre_c.AT_END_STRING,  # (ECMA's "$", as python_pattern spells it)
    ):
        return None
    runs = []
    for item, value in items[1:-1]:
        low, high, single = 1, 1, (item, value)
        if item in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            low, high, inner = value
            if len(inner) != 1:
                return None
            single = next(iter(inner))
        allowed = _ascii_class(*single)
        if allowed is None:
            return None
        runs.append((allowed, int(low), None if high == sre_c.MAXREPEAT else int(high)))
    return tuple(runs)


def _ascii_class(op: Any, av: Any) -> bytes | None:
    """The characters a literal or a class item matches, if all ASCII (and no line break)."""
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
    return "".join(sorted(allowed)).encode("ascii")


def matches_class_runs(pattern: str, values: list[str]) -> bool | None:
    """Whether every value ``re.search``es ``pattern``, told without a regex call per value
    when the pattern is ASCII classes laid out (see ``_class_runs``) and either one run or
    all of fixed length: True or False, or None when it cannot tell that way (another
    pattern, a value not ASCII or holding a line break)."""
    runs = _class_runs(pattern)
    if runs is None or not values:
        return None
    fixed = all(low == high for _, low, high in runs)
    if len(runs) != 1 and not fixed:
        return None
    try:
        text = "\n".join(values).encode("ascii")
    except UnicodeEncodeError:
        return None
    if text.count(b"\n") != len(values) - 1:
        return None  # a value holds a line break: the regex decides
    if len(runs) == 1:
        allowed, low, high = runs[0]
        if len(text.translate(None, allowed)) != len(values) - 1:
            return False  # some value holds a character outside the class
        lengths = list(map(len, values))
        return min(lengths) >= low and (high is None or max(lengths) <= high)
    return _fixed_width_matches(runs, text, len(values))


def _fixed_width_matches(runs: tuple[Run, ...], text: bytes, n: int) -> bool:
    # Every value must fill one row of the width, the line breaks falling just after each:
    # a shorter value puts a break inside a row (no class holds one), a longer one a
    # character where a break belongs.
    width = sum(low for _, low, _ in runs)
    if len(text) != n * (width + 1) - 1:
        return False
    rows = np.frombuffer(text + b"\n", np.uint8).reshape(n, width + 1)
    if not (rows[:, width] == ord("\n")).all():
        return False
    at = 0
    for allowed, low, _ in runs:
        table = np.zeros(256, bool)
        table[np.frombuffer(allowed, np.uint8)] = True
        if not table[rows[:, at : at + low]].all():
            return False
        at += low
    return True


# -- unique values: the k-th of a pattern's values, for row numbers -----------------------


@cache
def _numbered_runs(
    pattern: str, min_length: int, max_length: int | None
) -> tuple[tuple[bytes, ...], int] | None:
    """For a pattern of ASCII classes laid out (see ``_class_runs``), one length per run
    (the longest its repeat and ``max_length`` allow): the alphabet of each character and
    how many values that makes (None for another pattern, or no such lengths)."""
    runs = _class_runs(pattern)
    if runs is None:
        return None
    lengths = [low if high is None else high for _, low, high in runs]
    lengths = [
        n + (_UNBOUNDED_EXTRA if high is None else 0)
        for n, (_, _, high) in zip(lengths, runs, strict=True)
    ]
    if max_length is not None:
        # Shorten the runs of the fewest characters first (they tell the fewest rows apart).
        for k in sorted(range(len(runs)), key=lambda k: len(runs[k][0])):
            cut = min(sum(lengths) - max_length, lengths[k] - runs[k][1])
            if cut > 0:
                lengths[k] -= cut
        if sum(lengths) > max_length:
            return None
    if sum(lengths) < min_length:
        return None
    alphabets = tuple(a for (a, _, _), n in zip(runs, lengths, strict=True) for _ in range(n))
    return alphabets, math.prod(map(len, alphabets))


def pattern_room(pattern: str, min_length: int = 0, max_length: int | None = None) -> int | None:
    """How many distinct values ``numbered_matches`` can give (None: it cannot number the
    pattern)."""
    laid = _numbered_runs(pattern, min_length, max_length)
    return None if laid is None else laid[1]


def numbered_matches(
    pattern: str, rows: range, min_length: int = 0, max_length: int | None = None
) -> list[str] | None:
    """Values of ``pattern`` told apart by the row numbers: row ``r`` takes the value
    numbered by a fixed permutation of ``r`` (an affine map, the digits reversed, another
    affine map: no two rows below the pattern's room share one, and neighbours look
    unrelated; past the room they come round). None when the pattern cannot be numbered."""
    laid = _numbered_runs(pattern, min_length, max_length)
    if laid is None:
        return None
    alphabets, room = laid
    sizes = [len(a) for a in alphabets]
    steps = [_coprime(room, s) for s in (2_654_435_761, 40_503)]
    shift = room // 3
    out = []
    for row in rows:
        at = (row % room * steps[0] + shift) % room
        digits = []
        for size in reversed(sizes):
            at, d = divmod(at, size)
            digits.append(d)
        at = 0
        for d, size in zip(digits, reversed(sizes), strict=True):  # reversed order
            at = at * size + d
        # (digits, least significant first, read as a number in the reversed radices)
        at = (at * steps[1] + shift) % room
        chars = bytearray(len(sizes))
        for k in range(len(sizes) - 1, -1, -1):
            at, d = divmod(at, sizes[k])
            chars[k] = alphabets[k][d]
        out.append(chars.decode("ascii"))
    return out


def _coprime(room: int, step: int) -> int:
    while math.gcd(step, room) != 1:
        step += 1
    return step
