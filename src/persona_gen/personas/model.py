"""The persona file format (docs/persona-format.md) as pydantic models."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

__all__ = ["PersonaFile", "Population"]

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def _semver(value: str) -> str:
    if not SEMVER.match(value):
        raise ValueError("must be a semantic version such as 1.2.0")
    return value


SemVer = Annotated[str, AfterValidator(_semver)]


class Population(BaseModel):
    """Who the persona's actors are."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["user", "client", "device", "service"] = Field(
        "user", description="What kind of actor this is; picks the built-in domain's view."
    )
    id_prefix: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9_-]{0,15}$", description="Prefix of actor ids."
    )


class PersonaFile(BaseModel):
    """A persona as written in YAML, before inheritance is resolved."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME_PATTERN, description="Unique persona name (snake_case).")
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
