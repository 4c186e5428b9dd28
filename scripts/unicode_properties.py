"""Write the Unicode property table that schema patterns' ``\\p{...}`` are read with.

persona_gen/data/unicode_properties.json holds, for one Unicode version, the code points of
every general category, every script (``Script`` and ``Script_Extensions``) and the binary
properties persona-gen supports (ADR 0012). Python's ``unicodedata`` has no scripts, and the
table keeps generated values the same whatever Python or library is installed. The data is
read out of the ``regex`` package, which is not a dependency of persona-gen: install it to
refresh the table, then run

    pip install regex && python scripts/unicode_properties.py

Each set is written as a flat list of numbers: the gap from the end of the previous run (0
at first) to the start of the next, then that run's length, and so on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import regex
from regex import _regex_core

TABLE = Path(__file__).resolve().parent.parent / "src/persona_gen/data/unicode_properties.json"

GENERAL_CATEGORIES = ("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc",
                      "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl",
                      "Zp", "Cc", "Cf", "Cs", "Co", "Cn")  # fmt: skip
# Binary properties that take a table (ASCII, ASCII_Hex_Digit, Any and Assigned are worked out
# from their definitions): the ones a schema's pattern plausibly names.
BINARY = ("Alphabetic", "Lowercase", "Uppercase", "White_Space", "Hex_Digit", "ID_Start",
          "ID_Continue", "Emoji")  # fmt: skip
# The first code point of a script each Unicode version added, newest first.
_VERSION_PROBES = (("17.0", 0x10940), ("16.0", 0x10D40), ("15.1", 0x2FFC), ("15.0", 0x11F00))
_EVERY = "".join(map(chr, range(0x110000)))


def runs(prop: str) -> list[int]:
    """The code points of ``\\p{prop}``, encoded as the module docstring says."""
    out, end = [], 0
    for m in regex.finditer(rf"\p{{{prop}}}+", _EVERY):
        out += [m.start() - end, m.end() - m.start()]
        end = m.end()
    return out


def unicode_version() -> str:
    for version, code in _VERSION_PROBES:
        if not regex.match(r"\p{Cn}", chr(code)):
            return version
    sys.exit("the installed regex package knows no Unicode version from 15.0 on")


def table() -> dict[str, object]:
    script_id, script_names = _regex_core.PROPERTIES["SCRIPT"]
    long_names = _regex_core.PROPERTY_NAMES[script_id][1]  # id -> long name (loose form)
    aliases = {name: long_names[i] for name, i in script_names.items() if name != long_names[i]}
    return {
        "unicode": unicode_version(),
        "source": f"regex {regex.__version__}",
        "general_category": {gc: runs(f"gc={gc}") for gc in GENERAL_CATEGORIES},
        "script": {name: runs(f"sc={name}") for name in long_names.values()},
        "script_extensions": {name: runs(f"scx={name}") for name in long_names.values()},
        "script_aliases": dict(sorted(aliases.items())),
        "binary": {name: runs(name) for name in BINARY},
    }


def main() -> None:
    TABLE.write_text(json.dumps(table(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {TABLE}")


if __name__ == "__main__":
    main()
