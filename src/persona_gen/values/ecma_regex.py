r"""ECMA-262 regular expressions (a schema's ``pattern``) as Python's ``re`` reads them.

JSON Schema's and OpenAPI's ``pattern`` is an ECMA-262 regular expression, read with the
``u`` flag. Python's ``re`` reads most of one alike; where it would not, ``python_pattern``
spells the construct so that ``re`` gives ECMA's answer, and generation (``values.regex``),
the feasibility checks (``values.feasible``) and ``check`` (``values.safe_search``, the JSON
Schema validators) all read this one translation. Where ``re`` alone would differ:

- ``\d``, ``\w`` match any Unicode digit or letter (U+0661, ``é``): spelled ``[0-9]``,
  ``[0-9A-Z_a-z]``; ``\b``, ``\B`` follow ``\w``: lookarounds on that class;
- ``\s`` holds ``\x1c``-``\x1f`` and ``\x85`` but not U+FEFF: spelled as ECMA's WhiteSpace
  and LineTerminator (``Zs`` of the shipped table among them);
- ``$`` also matches before a final ``\n``: ``\Z``; ``.`` also matches ``\r``, U+2028 and
  U+2029: ``[^\n\r\u2028\u2029]``;
- ``[]`` (matches nothing) and ``[^]`` (any character), ``\cJ``, ``\u{1F600}``, a surrogate
  pair ``\uD83D\uDE00`` (one character with the ``u`` flag), ``(?<name>...)``,
  ``\k<name>`` and ``\p{...}`` are errors or other things: spelled as a class of no (every)
  code point, ``\x0a``, ``\U0001f600``, ``(?P<name>...)``, ``(?P=name)``, the property's
  ranges;
- ``[``, ``&``, ``~``, ``|`` in a class are ECMA's literals, which ``re`` warns may become
  set operators: escaped.

Python's own syntax (``(?P<name>…)``, ``\A``, ``\Z``, inline flags) reads as before: a
pattern that turns on ``re``'s ``m`` (``s``) flag keeps Python's ``$`` (``.``).
"""

from __future__ import annotations

import re
from functools import cache

from persona_gen.values.unicode_properties import (
    Ranges,
    complement,
    property_ranges,
    union,
    unknown_property,
)

__all__ = ["compile_ecma", "escape_classes", "python_pattern", "space_ranges"]

_LAST = 0x10FFFF
_DIGITS: Ranges = ((0x30, 0x39),)
_WORD: Ranges = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_LINE_TERMINATORS: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]+)(?:-[imsx]*)?[:)]")
_CODE_POINT = re.compile(r"\\u\{([0-9A-Fa-f]{1,8})\}")
_SURROGATE_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_GROUP_NAME = re.compile(r"<([^>]+)>")
_SET_OPERATORS = "[&~|"  # (literal in an ECMA class; doubled, re warns of a future set syntax)


@cache
def space_ranges() -> Ranges:
    r"""ECMA's ``\s``: WhiteSpace (tab, vertical tab, form feed, U+FEFF and every ``Zs``, of
    the shipped Unicode table) and LineTerminator (``\n``, ``\r``, U+2028, U+2029)."""
    spaces = property_ranges("Zs")
    assert spaces is not None  # (a general category: always in the table)
    return union(((0x09, 0x0D),), ((0xFEFF, 0xFEFF),), _LINE_TERMINATORS, spaces)


def _escape_ranges(letter: str) -> Ranges | None:
    known = {"d": _DIGITS, "w": _WORD}
    return space_ranges() if letter.lower() == "s" else known.get(letter.lower())


def escape_classes() -> dict[str, tuple[str, ...]]:
    r"""How ``\d``, ``\D``, ``\w``, ``\W``, ``\s``, ``\S`` and ``.`` are spelled: alone, and
    alone inside a class (``[\S]``). The generator draws its own familiar characters for
    each (a ``\s`` makes a space, not U+2028)."""
    out: dict[str, tuple[str, ...]] = {".": (_class(_LINE_TERMINATORS, True),)}
    for letter in "dDwWsS":
        ranges = _escape_ranges(letter)
        assert ranges is not None
        negated = letter.isupper()
        out[f"\\{letter}"] = (_class(ranges, negated), f"[{_class_items(ranges, negated)}]")
    return out


def _char(code: int) -> str:
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _spelled(ranges: Ranges) -> str:
    return "".join(
        _char(low) if low == high else f"{_char(low)}-{_char(high)}" for low, high in ranges
    )


def _class(ranges: Ranges, negated: bool) -> str:
    if not ranges:  # (a class of no code point: one that matches nothing, or all)
        ranges, negated = complement(ranges), not negated
    return f"[{'^' if negated else ''}{_spelled(ranges)}]"


def _class_items(ranges: Ranges, negated: bool) -> str:
    return _spelled(complement(ranges) if negated else ranges)


def _word_boundary(negated: bool) -> str:
    word = _class(_WORD, False)
    after, not_after = f"(?<={word})", f"(?<!{word})"
    before, not_before = f"(?={word})", f"(?!{word})"
    if negated:
        return f"(?:{after}{before}|{not_after}{not_before})"
    return f"(?:{after}{not_before}|{not_after}{before})"


@cache
def python_pattern(pattern: str) -> str:
    r"""``pattern``, an ECMA-262 regular expression, spelled so that Python's ``re`` gives
    ECMA's answer (see the module's table). An unknown Unicode property raises ``re.error``
    naming it; any other construct ``re`` cannot read is left for ``re`` to refuse."""
    flags = set("".join(_INLINE_FLAGS.findall(pattern)))
    out: list[str] = []
    at, end = 0, len(pattern)
    in_class = False
    while at < end:
        char = pattern[at]
        if char == "\\":
            spelled, at = _escape(pattern, at, in_class)
            out.append(spelled)
        elif in_class:
            in_class = char != "]"
            out.append("\\" + char if char in _SET_OPERATORS else char)
            at += 1
        elif char == "[":
            # (in ECMA a "]" right after "[" or "[^" closes the class: "[]" matches nothing)
            negated = pattern.startswith("^", at + 1)
            start = at + (2 if negated else 1)
            if pattern.startswith("]", start):
                out.append(_class((), negated))
                at = start + 1
            else:
                out.append(pattern[at:start])
                in_class, at = True, start
        elif char == "$" and "m" not in flags:
            out.append("\\Z")
            at += 1
        elif char == "." and "s" not in flags:
            out.append(_class(_LINE_TERMINATORS, True))
            at += 1
        elif pattern.startswith("(?<", at) and not pattern.startswith(("(?<=", "(?<!"), at):
            out.append("(?P<")
            at += 3
        else:
            out.append(char)
            at += 1
    return "".join(out)


def _escape(pattern: str, at: int, in_class: bool) -> tuple[str, int]:
    r"""The escape at ``pattern[at]`` (a backslash) as ``re`` reads it, and where the pattern
    goes on."""
    letter = pattern[at + 1 : at + 2]
    if letter in ("p", "P") and pattern.startswith("{", at + 2):
        return _property(pattern, at, in_class)
    ranges = _escape_ranges(letter) if letter else None
    if ranges is not None:
        negated = letter.isupper()
        return (_class_items if in_class else _class)(ranges, negated), at + 2
    if letter in ("b", "B") and not in_class:  # (in a class, \b is a backspace in both)
        return _word_boundary(letter == "B"), at + 2
    control = pattern[at + 2 : at + 3]
    if letter == "c" and control.isascii() and control.isalpha():
        return _char(ord(control) % 32), at + 3
    if letter == "u":
        if code_point := _CODE_POINT.match(pattern, at):
            code = int(code_point.group(1), 16)
            if code <= _LAST:
                return _char(code), code_point.end()
        if pair := _SURROGATE_PAIR.match(pattern, at):
            high, low = (int(half, 16) for half in pair.groups())
            return _char(0x10000 + (high - 0xD800) * 0x400 + (low - 0xDC00)), pair.end()
    if letter == "k" and (name := _GROUP_NAME.match(pattern, at + 2)):
        return f"(?P={name.group(1)})", name.end()
    return pattern[at : at + 2], at + 2  # (any other escape: re reads it as ECMA does)


def _property(pattern: str, at: int, in_class: bool) -> tuple[str, int]:
    close = pattern.find("}", at + 3)
    if close < 0:
        raise re.error("missing } after \\p{", pattern, at)
    body = pattern[at + 3 : close]
    ranges = property_ranges(body)
    if ranges is None:
        raise re.error(unknown_property(body), pattern)  # (it names the escape)
    negated = pattern[at + 1] == "P"
    return (_class_items if in_class else _class)(ranges, negated), close + 1


def compile_ecma(pattern: str) -> re.Pattern[str]:
    """``re.compile`` of ``pattern`` read as ECMA-262 reads it (``python_pattern``)."""
    return re.compile(python_pattern(pattern))
