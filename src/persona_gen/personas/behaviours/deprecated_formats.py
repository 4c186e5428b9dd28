"""deprecated_formats: old encodings of dates and numbers, v1 endpoints, legacy files."""

from __future__ import annotations

import codecs
import functools
import re
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, splitmix64
from persona_gen.personas.model import Spelt
from persona_gen.personas.trace import Trace

# The strftime directives Python documents (the same on every platform; the C library's
# extras, such as %e or %s, are not portable and are refused).
STRFTIME_DIRECTIVES = "aAwdbBmyYHIpMSfzZjUWcxXGuV"
# A format with at least one directive, every '%' starting a directive or '%%'.
_D = STRFTIME_DIRECTIVES
DATE_FORMAT_PATTERN = rf"^(?:[^%]|%%)*%[{_D}](?:[^%]|%[{_D}%])*$"
_DATE_FORMAT = Field(json_schema_extra={"pattern": DATE_FORMAT_PATTERN})
ApiVersion = Annotated[str, Spelt(r"^v\d+$", "an API version is 'v' and a number, such as v2")]


_TAKEN = ('"', "\r", "\n")  # characters a CSV delimiter cannot be

# Encodings only one platform has (Windows' code pages): a persona must work everywhere.
_PLATFORM_ONLY = frozenset({"mbcs", "oem", "ansi", "dbcs"})
_SAMPLE = 'id;name\r\n7;"Zoë, €5 😀"\n'  # what a CSV file holds, beyond one encoding


def _encoding_problem(name: str) -> str | None:
    """Why ``name`` is no text encoding the CSV writer can use, or None when it is one: it
    must encode any text, replacing what it cannot represent."""
    unknown = f"unknown text encoding {name!r} (e.g. latin-1, cp1252, utf-8)"
    if not name.isascii() or "\0" in name:
        return unknown
    try:
        info = codecs.lookup(name)
    except LookupError:
        return unknown
    if not info._is_text_encoding:  # (base64, rot13, zlib...)
        return unknown
    if info.name in _PLATFORM_ONLY:
        return f"{name!r} exists on Windows only; a persona works everywhere (e.g. cp1252)"
    try:
        info.encode(_SAMPLE, "replace")
    except (UnicodeError, ValueError, TypeError):  # (idna, undefined)
        return f"{name!r} cannot write a CSV file (it fails on text it has no code for)"
    return None


@functools.cache
def text_encoding_pattern() -> str:
    """A JSON Schema pattern that matches exactly the names ``file_encoding`` accepts.

    Python resolves a codec name case-insensitively, with any run of other characters than
    ASCII letters, digits and '.' standing for one '_' (``encodings.normalize_encoding``),
    and an alias also with '.' for '_' (``ANSI_X3.4-1968``, ``iso 8859 1``). JSON Schema
    patterns have no case-insensitive flag, so every letter is a class. Built from the
    encodings package of the running Python (docs/schema/ is regenerated with it)."""
    import encodings
    import encodings.aliases
    import pkgutil

    aliases = set(encodings.aliases.aliases)
    modules = {m.name for m in pkgutil.iter_modules(encodings.__path__)}
    names = sorted(n for n in aliases | modules if n == n.lower() and _encoding_problem(n) is None)
    other = r"[\x01-\x2d\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"  # ASCII but [A-Za-z0-9.]

    def spelled(name: str) -> list[str]:
        between = f"(?:{other}+|\\.)" if name in aliases and "." not in name else f"{other}+"
        return [
            between if c == "_" else f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c)
            for c in name
        ]

    return f"^{other}*{_alternatives([spelled(n) for n in names])}{other}*$"


def _alternatives(spellings: list[list[str]]) -> str:
    """One regex for several sequences of regex pieces, common prefixes factored out (a
    trie): ``[cC][pP]1252|[cC][pP]437`` is ``[cC][pP](?:1252|437)``."""
    heads: dict[str, list[list[str]]] = {}
    ends = False
    for spelling in spellings:
        if spelling:
            heads.setdefault(spelling[0], []).append(spelling[1:])
        else:
            ends = True
    branches = [head + _alternatives(rest) for head, rest in heads.items()]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not ends else f"(?:{'|'.join(branches)})"
    return f"{body}?" if ends else body


class DeprecatedFormatsParams(Params):
    rate: Rate = Field(
        1.0, description="Share of actors that are legacy clients (all their events legacy)."
    )
    date_format: Annotated[str, _DATE_FORMAT] = Field(
        "%m/%d/%Y %H:%M:%S", description="strftime format for date-times."
    )
    date_only_format: Annotated[str, _DATE_FORMAT] = Field(
        "%m/%d/%Y", description="strftime format for dates."
    )
    epoch_dates: Rate = Field(0.0, description="Share of dates sent as epoch seconds instead.")
    numbers_as_strings: bool = Field(True, description="Send numbers as strings.")
    booleans_as: Literal["bool", "int", "yn"] = Field("yn", description="Boolean encoding.")
    api_version: ApiVersion = Field("v1", description="Old API version in paths.")
    file_encoding: str = Field(
        "latin-1",
        description="Text encoding of written files.",
        json_schema_extra=lambda schema: schema.update(pattern=text_encoding_pattern()),
    )
    file_delimiter: str = Field(
        ";",
        min_length=1,
        max_length=1,
        description="CSV delimiter.",
        json_schema_extra={"not": {"enum": list(_TAKEN)}},
    )
    decimal_comma: bool = Field(True, description="Write decimals with a comma in files.")
    line_terminator: Literal["\n", "\r\n"] = Field("\r\n", description="File line endings.")

    @field_validator("date_format", "date_only_format")
    @classmethod
    def _strftime(cls, value: str) -> str:
        # Else every date would be written as the same text ("" or "%Q%" as such).
        if not value:
            raise ValueError("must not be empty: give a strftime format such as %m/%d/%Y")
        at = 0
        while (at := value.find("%", at)) >= 0:
            code = value[at + 1 : at + 2]
            if not code:
                raise ValueError("ends with a lone '%' (write %% for a percent sign)")
            if code not in STRFTIME_DIRECTIVES + "%":
                raise ValueError(
                    f"'%{code}' is not a strftime directive (use those of Python's strftime: "
                    "%Y, %m, %d, %H, %M, %S…; %% for a percent sign)"
                )
            at += 2
        if not re.match(DATE_FORMAT_PATTERN, value):
            raise ValueError(
                "has no date directive (such as %Y or %d): every date would read the same"
            )
        return value

    @field_validator("file_encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        problem = _encoding_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("file_delimiter")
    @classmethod
    def _readable_delimiter(cls, value: str, info: ValidationInfo) -> str:
        # A quote or a line break as the delimiter makes a file no CSV reader can split.
        if value in _TAKEN:
            raise ValueError(
                f"{value!r} cannot be a CSV delimiter (quotes and line breaks are taken)"
            )
        # Nor does one the encoding cannot hold: it would be written as '?' (file_encoding is
        # validated first, and is absent here when it was refused).
        encoding = info.data.get("file_encoding")
        if encoding is not None:
            try:
                value.encode(encoding)
            except UnicodeError:
                raise ValueError(
                    f"{value!r} cannot be written in file_encoding {encoding!r} (it would be "
                    "'?'): choose a delimiter that encoding holds"
                ) from None
        return value


class DeprecatedFormats(Behaviour[DeprecatedFormatsParams]):
    kind = "deprecated_formats"
    summary = "Legacy date/number/boolean encodings, v1 paths and legacy file dialects."
    params_model = DeprecatedFormatsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        legacy = self.legacy(trace.actor, self.actor_salt(trace))
        trace.mark("deprecated", legacy, self.name, self.params)
        trace.settings["legacy_file"] = self.params

    def legacy(self, actor: np.ndarray, salt: np.uint64) -> np.ndarray:
        """Per event, whether its actor is a legacy client: a share ``rate`` of the actors,
        a pure function of (actor, ``salt``: the run's and the block's, ``actor_salt``), so
        an actor's client (its User-Agent, API version, encodings) is the same in every
        event and every block, and another seed makes other actors legacy."""
        key = actor.astype(np.uint64) * np.uint64(0x100000001B3) ^ salt
        share = (splitmix64(key) >> np.uint64(11)) * (1.0 / 2**53)
        legacy: np.ndarray = share < self.params.rate
        return legacy
