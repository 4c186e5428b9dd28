r"""ECMA-262 Unicode property escapes (``\p{L}``, ``\P{Script=Greek}``): the code points of each.

JSON Schema's ``pattern`` is an ECMA-262 regular expression read with the ``u`` flag, where
``\p{...}`` is a class of the code points having a Unicode property; Python's ``re`` has no
such escape. ``property_ranges`` gives the code points of one, which ``values.ecma_regex``
spells as explicit ranges for ``re``. The code points come from
``data/unicode_properties.json``, one Unicode version for every property (ADR 0012;
``scripts/unicode_properties.py`` writes it).

Supported: general categories (``L``, ``Letter``, ``Lu``, ``Uppercase_Letter``,
``General_Category=Lu``, ``gc=Lu``), scripts (``Script=Latin``, ``sc=Latn``,
``Script_Extensions=Greek``, ``scx=Grek``) and the binary properties ``ASCII``,
``ASCII_Hex_Digit``, ``Alphabetic``, ``Any``, ``Assigned``, ``Emoji``, ``Hex_Digit``,
``ID_Continue``, ``ID_Start``, ``Lowercase``, ``Uppercase``, ``White_Space`` (and their short
aliases). Names are matched loosely, as Unicode's UAX #44 does (case, ``_``, ``-`` and spaces
ignored): ECMA itself asks for the exact spelling, so every pattern it accepts reads the same.
"""

from __future__ import annotations

import json
import re
from difflib import get_close_matches
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["Ranges", "complement", "property_ranges", "union", "unknown_property"]

Ranges = tuple[tuple[int, int], ...]  # inclusive code point ranges, sorted and apart

_LAST = 0x10FFFF
_GROUPS = {
    "L": "Lu Ll Lt Lm Lo",
    "LC": "Lu Ll Lt",
    "M": "Mn Mc Me",
    "N": "Nd Nl No",
    "P": "Pc Pd Ps Pe Pi Pf Po",
    "S": "Sm Sc Sk So",
    "Z": "Zs Zl Zp",
    "C": "Cc Cf Cs Co Cn",
}
# ECMA-262's General_Category values (its table of value aliases): long name -> short name.
_CATEGORY_NAMES = {
    "Cased_Letter": "LC", "Close_Punctuation": "Pe", "Connector_Punctuation": "Pc",
    "Control": "Cc", "cntrl": "Cc", "Currency_Symbol": "Sc", "Dash_Punctuation": "Pd",
    "Decimal_Number": "Nd", "digit": "Nd", "Enclosing_Mark": "Me", "Final_Punctuation": "Pf",
    "Format": "Cf", "Initial_Punctuation": "Pi", "Letter": "L", "Letter_Number": "Nl",
    "Line_Separator": "Zl", "Lowercase_Letter": "Ll", "Mark": "M", "Combining_Mark": "M",
    "Math_Symbol": "Sm", "Modifier_Letter": "Lm", "Modifier_Symbol": "Sk",
    "Nonspacing_Mark": "Mn", "Number": "N", "Open_Punctuation": "Ps", "Other": "C",
    "Other_Letter": "Lo", "Other_Number": "No", "Other_Punctuation": "Po",
    "Other_Symbol": "So", "Paragraph_Separator": "Zp", "Private_Use": "Co",
    "Punctuation": "P", "punct": "P", "Separator": "Z", "Space_Separator": "Zs",
    "Spacing_Mark": "Mc", "Surrogate": "Cs", "Symbol": "S", "Titlecase_Letter": "Lt",
    "Unassigned": "Cn", "Uppercase_Letter": "Lu",
}  # fmt: skip
# Binary properties: name or alias -> the table's name (or one worked out here).
_BINARY_NAMES = {
    "Alphabetic": "Alphabetic", "Alpha": "Alphabetic", "Lowercase": "Lowercase",
    "Lower": "Lowercase", "Uppercase": "Uppercase", "Upper": "Uppercase",
    "White_Space": "White_Space", "space": "White_Space", "WSpace": "White_Space",
    "Hex_Digit": "Hex_Digit", "Hex": "Hex_Digit", "ID_Start": "ID_Start", "IDS": "ID_Start",
    "ID_Continue": "ID_Continue", "IDC": "ID_Continue", "Emoji": "Emoji", "ASCII": "ASCII",
    "ASCII_Hex_Digit": "ASCII_Hex_Digit", "AHex": "ASCII_Hex_Digit", "Any": "Any",
    "Assigned": "Assigned",
}  # fmt: skip
_COMPUTED: dict[str, Ranges] = {
    "ASCII": ((0, 0x7F),),
    "ASCII_Hex_Digit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
    "Any": ((0, _LAST),),
}
_KEYS = {
    "GENERALCATEGORY": "gc",
    "GC": "gc",
    "SCRIPT": "sc",
    "SC": "sc",
    "SCRIPTEXTENSIONS": "scx",
    "SCX": "scx",
}
_KEY_NAMES = ("General_Category", "gc", "Script", "sc", "Script_Extensions", "scx")
_SUPPORTED = (
    "general categories such as L, Letter, Lu or gc=Lu, Script=... and Script_Extensions=..., "
    "and the binary properties " + ", ".join(sorted(set(_BINARY_NAMES.values())))
)


def _loose(name: str) -> str:
    """A property name as UAX #44 compares them: no case, ``_``, ``-`` or spaces."""
    return re.sub(r"[\s_-]", "", name).upper()


_CATEGORIES = {_loose(k): v for k, v in _CATEGORY_NAMES.items()} | {
    _loose(v): v for v in [*_GROUPS, *" ".join(_GROUPS.values()).split()]
}
_BINARIES = {_loose(k): v for k, v in _BINARY_NAMES.items()}


@cache
def _table() -> dict[str, Any]:
    text = files("persona_gen").joinpath("data/unicode_properties.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _decoded(runs: list[int]) -> Ranges:
    """A table entry (gaps and lengths, see ``scripts/unicode_properties.py``) as ranges."""
    out, end = [], 0
    for gap, length in zip(runs[::2], runs[1::2], strict=True):
        start = end + gap
        end = start + length
        out.append((start, end - 1))
    return tuple(out)


def union(*parts: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    for low, high in sorted(r for part in parts for r in part):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return tuple(out)


def complement(ranges: Ranges) -> Ranges:
    """The code points ``ranges`` leaves out."""
    out, at = [], 0
    for low, high in ranges:
        if low > at:
            out.append((at, low - 1))
        at = high + 1
    if at <= _LAST:
        out.append((at, _LAST))
    return tuple(out)


def _category(short: str) -> Ranges:
    table = _table()["general_category"]
    return union(*(_decoded(table[gc]) for gc in _GROUPS.get(short, short).split()))


def _binary(name: str) -> Ranges:
    if name in _COMPUTED:
        return _COMPUTED[name]
    if name == "Assigned":
        return complement(_category("Cn"))
    return _decoded(_table()["binary"][name])


def _script(value: str, key: str) -> Ranges | None:
    table = _table()
    name = _loose(value)
    name = table["script_aliases"].get(name, name)
    runs = table["script" if key == "sc" else "script_extensions"].get(name)
    return None if runs is None else _decoded(runs)


@cache
def property_ranges(body: str) -> Ranges | None:
    r"""The code points of ``\p{body}`` (``L``, ``Script=Greek``...); None for a property
    not supported (or not a property)."""
    key, _, value = body.rpartition("=")
    if key:
        kind = _KEYS.get(_loose(key))
        if kind == "gc":
            short = _CATEGORIES.get(_loose(value))
            return None if short is None else _category(short)
        return None if kind is None else _script(value, kind)
    if _loose(value) in _CATEGORIES:
        return _category(_CATEGORIES[_loose(value)])
    binary = _BINARIES.get(_loose(value))
    return None if binary is None else _binary(binary)


def unknown_property(body: str) -> str:
    r"""What is wrong with ``\p{body}``, which ``property_ranges`` does not know."""
    key, _, value = body.rpartition("=")
    kind = _KEYS.get(_loose(key)) if key else None
    if key and kind is None:
        return f"unknown Unicode property {key!r} in \\p{{{body}}} (known: {', '.join(_KEY_NAMES)})"
    if kind in ("sc", "scx"):
        return f"unknown script {value!r} in \\p{{{body}}}"
    names = [*_CATEGORY_NAMES, *_BINARY_NAMES]
    close = get_close_matches(value, names, n=1, cutoff=0.75)
    hint = f"; did you mean \\p{{{close[0]}}}?" if close else f" (supported: {_SUPPORTED})"
    return f"unknown Unicode property \\p{{{body}}}{hint}"
