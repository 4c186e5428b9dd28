"""deprecated_formats: old encodings of dates and numbers, v1 endpoints, legacy files."""

from __future__ import annotations

import codecs
import re
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, pick_rows
from persona_gen.personas.trace import Trace

# The strftime directives Python documents (the same on every platform; the C library's
# extras, such as %e or %s, are not portable and are refused).
STRFTIME_DIRECTIVES = "aAwdbBmyYHIpMSfzZjUWcxXGuV"
# A format with at least one directive, every '%' starting a directive or '%%'.
_D = STRFTIME_DIRECTIVES
DATE_FORMAT_PATTERN = rf"^(?:[^%]|%%)*%[{_D}](?:[^%]|%[{_D}%])*$"
_DATE_FORMAT = Field(json_schema_extra={"pattern": DATE_FORMAT_PATTERN})


class DeprecatedFormatsParams(Params):
    rate: Rate = Field(1.0, description="Share of events sent in the legacy format.")
    date_format: Annotated[str, _DATE_FORMAT] = Field(
        "%m/%d/%Y %H:%M:%S", description="strftime format for date-times."
    )
    date_only_format: Annotated[str, _DATE_FORMAT] = Field(
        "%m/%d/%Y", description="strftime format for dates."
    )
    epoch_dates: Rate = Field(0.0, description="Share of dates sent as epoch seconds instead.")
    numbers_as_strings: bool = Field(True, description="Send numbers as strings.")
    booleans_as: Literal["bool", "int", "yn"] = Field("yn", description="Boolean encoding.")
    api_version: str = Field("v1", pattern=r"^v\d+$", description="Old API version in paths.")
    file_encoding: str = Field("latin-1", description="Text encoding of written files.")
    file_delimiter: str = Field(";", min_length=1, max_length=1, description="CSV delimiter.")
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
        try:
            text = codecs.lookup(value)._is_text_encoding  # (not base64, rot13, zlib...)
        except LookupError:
            text = False
        if not text:
            raise ValueError(f"unknown text encoding {value!r} (e.g. latin-1, cp1252, utf-8)")
        return value

    @field_validator("file_delimiter")
    @classmethod
    def _readable_delimiter(cls, value: str) -> str:
        # A quote or a line break as the delimiter makes a file no CSV reader can split.
        if value in ('"', "\r", "\n"):
            raise ValueError(
                f"{value!r} cannot be a CSV delimiter (quotes and line breaks are taken)"
            )
        return value


class DeprecatedFormats(Behaviour[DeprecatedFormatsParams]):
    kind = "deprecated_formats"
    summary = "Legacy date/number/boolean encodings, v1 paths and legacy file dialects."
    params_model = DeprecatedFormatsParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        trace.mark("deprecated", pick_rows(rng, trace.n, self.params.rate), self.name, self.params)
        trace.settings["legacy_file"] = self.params
