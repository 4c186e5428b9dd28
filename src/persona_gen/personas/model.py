"""The persona file format (docs/persona-format.md) as pydantic models."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = ["PersonaFile", "Population", "Spelt"]

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class Spelt:
    """Metadata of a string type that must match ``pattern``: ``Annotated[str, Spelt(...)]``.
    A value that does not is refused with ``rule``, the pattern in words, and the value
    (``a persona name is lower-case letters, ...: 'Normal-User'``), where pydantic would
    quote the regular expression. The JSON Schema keeps the pattern, for editors."""

    def __init__(self, pattern: str, rule: str) -> None:
        self.pattern = re.compile(pattern)
        self.rule = rule

    def _check(self, value: str) -> str:
        if self.pattern.fullmatch(value) is None:  # (fullmatch: '$' lets a last newline by)
            raise ValueError(f"{self.rule}: {value!r}")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.pattern.pattern}


PersonaName = Annotated[
    str,
    Spelt(
        NAME_PATTERN,
        "a persona name is lower-case letters, digits and underscores, starting with a letter",
    ),
]
IdPrefix = Annotated[
    str,
    Spelt(
        r"^[a-z][a-z0-9_-]{0,15}$",
        "an id prefix is 1 to 16 lower-case letters, digits, underscores and hyphens, "
        "starting with a letter",
    ),
]
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def _semver(value: str) -> str:
    if not SEMVER.match(value):
        raise ValueError("must be a semantic version such as 1.2.0")
    return value


def _semver_text(value: Any) -> Any:
    """A version YAML read as a number (``version: 1.0``, ``version: 2``) is said to be one,
    not just "Input should be a valid string"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"must be a semantic version such as 1.2.0, not the number {value!r}")
    return value


SemVer = Annotated[str, BeforeValidator(_semver_text), AfterValidator(_semver)]


class Population(BaseModel):
    """Who the persona's actors are."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["user", "client", "device", "service"] = Field(
        "user", description="What kind of actor this is; picks the built-in domain's view."
    )
    id_prefix: IdPrefix | None = Field(None, description="Prefix of actor ids.")


class PersonaFile(BaseModel):
    """A persona as written in YAML, before inheritance is resolved."""

    model_config = ConfigDict(extra="forbid")
    name: PersonaName = Field(description="Unique persona name (snake_case).")
    version: SemVer = Field(
        "1.0.0", description="Semantic version of this persona (not inherited from parents)."
    )
    description: str = Field("", description="What population this persona describes.")
    extends: list[str] = Field(
        default_factory=list, description="Parent personas; this file's values override theirs."
    )
    population: Population | None = None
    tags: list[str] = Field(default_factory=list)
    behaviors: dict[str, dict[str, Any] | None] = Field(
        default_factory=dict,
        description="Named behaviour blocks. A block's kind is its name unless 'kind' is "
        "given; null removes a block inherited from a parent.",
    )

    @field_validator("extends", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("behaviors")
    @classmethod
    def _block_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not re.match(NAME_PATTERN, str(key)):
                raise ValueError(f"behaviour name '{key}' must be snake_case")
        return value
