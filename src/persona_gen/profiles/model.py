"""The profile file format (docs/profile-format.md) as pydantic models."""

from __future__ import annotations

import math
import re
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from persona_gen.entities.keys import is_extension
from persona_gen.personas.model import PersonaName, SemVer, Spelt
from persona_gen.reference_time import iso_ms, parse_reference_time

__all__ = ["DatasetSpec", "EntitySource", "PersonaWeight", "ProfileFile"]

DATASET_TYPES = ("api", "streaming", "file", "load", "fault")
# The built-in output encodings (persona_gen.sinks.FORMATS; a test keeps the two alike).
OUTPUT_FORMATS = ("json", "jsonl", "csv", "parquet", "avro", "protobuf", "sql")
# The built-in schema importers (persona_gen.importers.IMPORTERS; a test keeps the two alike).
SCHEMA_FORMATS = ("openapi", "jsonschema", "avro", "ddl", "protobuf")
NAME = r"^[A-Za-z0-9_.-]+$"  # a profile's or a dataset's name (it names files too)
_NAME_RULE = "is letters, digits, underscores, dots and hyphens"
ProfileName = Annotated[str, Spelt(NAME, f"a profile name {_NAME_RULE}")]
DatasetName = Annotated[str, Spelt(NAME, f"a dataset name {_NAME_RULE}")]


class _Part(BaseModel):
    """A mapping of the profile format: a key it does not know is refused (a misspelt one
    would otherwise be dropped without a word), except one starting with ``x-``, ignored as
    in OpenAPI and Compose files: it holds notes, or YAML anchors that others merge."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "patternProperties": {
                "^x-": {"description": "Ignored: notes, or YAML anchors to merge."}
            }
        },
    )

    @model_validator(mode="before")
    @classmethod
    def _without_extensions(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not is_extension(k)}
        return data


class PersonaWeight(_Part):
    model_config = ConfigDict(allow_inf_nan=False)  # (.inf would leave every other share 0)

    name: PersonaName = Field(description="A persona name.")
    weight: float = Field(1.0, gt=0, description="Relative share of records in a mix.")


def whole_number(what: str, value: Any) -> Any:
    """A count or a seed as written: pydantic would read ``true`` as 1 and ``'5'`` as 5, a
    typo, not a number. A plain ``1e3``, which a profile reads as text as YAML 1.1 does, is
    said to be one."""
    if isinstance(value, bool):
        raise ValueError(f"a {what} is a whole number, not {str(value).lower()}")
    if isinstance(value, str):
        if re.fullmatch(
            r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+", value
        ):
            raise ValueError(
                f"a {what} is a whole number written out in digits, not {value} (exponent notation)"
            )
        raise ValueError(f"a {what} is a whole number, not the string {value!r}")
    return value


def reference_time(value: Any) -> Any:
    """A start as written: ``now`` stays (resolved once per run), anything else becomes the
    ISO 8601 UTC time it names, so a YAML timestamp and its quoted text read alike."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "now"):
        return value if value is None else "now"
    return iso_ms(parse_reference_time(value))


class DatasetSpec(_Part):
    """One dataset the profile produces."""

    name: DatasetName | None = Field(None, description="Dataset name.")
    type: str = Field(description=f"Generator: one of {', '.join(DATASET_TYPES)} or a plugin.")
    count: int = Field(100, ge=1, le=10**12, description="Records to generate.")
    format: str = Field(
        "json",
        description=f"Output encoding: one of {', '.join(OUTPUT_FORMATS)} or a plugin "
        "(default: from the output's extension, json without one).",
    )
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Overrides the profile's seed.")
    start: str | None = Field(
        None, description="Overrides the profile's start (the reference time of records)."
    )
    output: str | None = Field(None, description="File name, relative to the output directory.")
    personas: list[str] | None = Field(
        None, description="Only these of the profile's personas (default: all, mixed)."
    )

    @model_validator(mode="before")
    @classmethod
    def _format_from_output(cls, data: Any) -> Any:
        # As `quick -o` does: `output: users.csv` without `format` is CSV, not JSON in a
        # file named .csv. (An extension no format is written as is refused by the loader,
        # at `output`, where it can say so; without an extension the default is json.)
        if isinstance(data, dict) and "format" not in data:
            output = data.get("output")
            if isinstance(output, str) and (suffix := PurePosixPath(output).suffix):
                from persona_gen.sinks import format_of_suffix

                if (fmt := format_of_suffix(suffix)) is not None:
                    return {**data, "format": fmt}
        return data

    @field_validator("count", mode="before")
    @classmethod
    def _a_number(cls, value: Any) -> Any:
        return whole_number("count", value)

    @field_validator("seed", mode="before")
    @classmethod
    def _a_seed(cls, value: Any) -> Any:
        return whole_number("seed", value)

    @field_validator("start", mode="before")
    @classmethod
    def _a_start(cls, value: Any) -> Any:
        return reference_time(value)

    @field_validator("personas")
    @classmethod
    def _some(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError(
                "must name at least one persona (leave it out to mix all the profile's)"
            )
        return value

    entity: str | None = Field(
        None,
        description="Entity of the embedded domain whose records this dataset holds "
        "(default: source.entity, else the domain's primary); import-schema writes it.",
    )
    sink: str | None = Field(
        None,
        description="Send to this destination instead of a file: kafka://HOST:PORT/TOPIC, "
        "sqlite:///file.db or postgresql://USER@HOST/DB (docs/sinks.md); a relative path "
        "in it (a SQLite file, a Kafka value.schema) is one from the profile's folder.",
    )


class EntitySource(_Part):
    """Where an embedded entity came from."""

    file: str
    format: str = Field(
        description=f"The schema's format, as import-schema writes it: one of "
        f"{', '.join(SCHEMA_FORMATS)} or a plugin importer's (check validates with its "
        "validator)."
    )
    sha256: str
    entity: str | None = None
    dialect: str | None = None
    proto_path: list[str] | None = Field(
        None,
        description="Protobuf only: folders searched for the .proto's imports (import-schema "
        "-I), each a path from the profile's folder, as file is.",
    )


class ProfileFile(_Part):
    """A profile as written in YAML."""

    name: ProfileName = Field(description="Profile name.")
    version: SemVer = Field("1.0.0", description="Semantic version of this profile.")
    description: str = ""
    seed: int | None = Field(
        None, ge=0, le=2**63 - 1, description="Seed for every dataset (replayable)."
    )
    start: str | None = Field(
        None,
        description="Reference time of every dataset's records: 'now', a date or an ISO 8601 "
        "time, UTC unless it gives an offset (default: a moment of 2025 derived from the seed).",
    )
    personas: list[PersonaWeight] = Field(min_length=1, description="Personas and mix weights.")
    datasets: list[DatasetSpec] = Field(min_length=1, description="Datasets to produce.")
    source: EntitySource | None = Field(None, description="The imported schema's origin.")
    domain: dict[str, Any] | None = Field(
        None, description="The imported entities, embedded so the profile is portable."
    )

    @field_validator("seed", mode="before")
    @classmethod
    def _a_seed(cls, value: Any) -> Any:
        return whole_number("seed", value)

    @field_validator("start", mode="before")
    @classmethod
    def _a_start(cls, value: Any) -> Any:
        return reference_time(value)

    @field_validator("personas", mode="before")
    @classmethod
    def _mapping_or_list(cls, value: Any) -> Any:
        # Accept {normal_user: 0.7, noisy_device: 0.3} and ["normal_user", ...] too.
        if isinstance(value, dict):
            return [{"name": k, "weight": v} for k, v in value.items()]
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        if isinstance(value, str):  # (`personas: normal_user`: one name, not yet a list)
            raise ValueError(
                f"a list of persona names ([{value}]) or a mapping of names to weights "
                f"({{{value}: 1.0}}), not the text '{value}'"
            )
        return value

    @field_validator("personas")
    @classmethod
    def _each_once(cls, value: list[PersonaWeight]) -> list[PersonaWeight]:
        # Named twice, a persona's weights would silently merge (or one would be lost).
        names = [p.name for p in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"persona named more than once: {', '.join(twice)}")
        if not math.isfinite(sum(p.weight for p in value)):
            raise ValueError(
                "weights must add up to a finite number (they are relative: scale them down)"
            )
        return value
