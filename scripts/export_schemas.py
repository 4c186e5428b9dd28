"""Write the published JSON Schemas for persona and profile files (docs/schema/).

Both are built from the pydantic models the loaders validate with, so they cannot drift from
the code unnoticed: tests/test_published_schemas.py regenerates them in memory and compares
them with the committed files. Run this script after changing a model or a behaviour kind:

    python scripts/export_schemas.py

Editors use the files to complete and check YAML (VS Code: the "yaml.schemas" setting).
Only the built-in behaviour kinds are described; a block of a plugin kind is reported as an
unknown kind by the schema (the CLI accepts it when the plugin is installed).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from persona_gen.distributions import MAX_COUNT, MAX_DURATION_MS, DistributionSpec
from persona_gen.personas.behaviours import BEHAVIOURS
from persona_gen.personas.behaviours.slow_processing import MAX_FACTOR
from persona_gen.personas.model import NAME_PATTERN, SEMVER, PersonaFile
from persona_gen.profiles.model import DATASET_TYPES, ProfileFile

__all__ = ["SCHEMA_DIR", "main", "persona_schema", "profile_schema", "render"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "docs" / "schema"
DRAFT = "http://json-schema.org/draft-07/schema#"

JsonSchema = dict[str, Any]


def builtin_kinds() -> list[str]:
    """The behaviour kinds shipped with persona-gen, in registry order (no plugins)."""
    return [
        name
        for name in BEHAVIOURS.names()
        if BEHAVIOURS.get(name).__module__.startswith("persona_gen.")
    ]


def _strip(node: Any) -> Any:
    """Drop OpenAPI's ``discriminator`` keyword, which JSON Schema validators ignore."""
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "discriminator"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _lift_defs(schema: JsonSchema, defs: dict[str, JsonSchema]) -> JsonSchema:
    """Move a model schema's ``$defs`` into the shared ``defs`` (same name, same content)."""
    schema = copy.deepcopy(schema)
    for name, definition in schema.pop("$defs", {}).items():
        if name in defs and defs[name] != definition:
            raise ValueError(f"two different definitions are both called {name!r}")
        defs[name] = definition
    return schema


def _distribution(defs: dict[str, JsonSchema]) -> JsonSchema:
    """A parameter that takes a number (a constant) or a ``{dist: ...}`` mapping."""
    union = _lift_defs(DistributionSpec.model_json_schema(), defs)["properties"]["root"]
    return {
        "description": "A number (a constant) or a distribution: {dist: NAME, ...parameters}. "
        "See docs/distributions.md.",
        "anyOf": [{"type": "number"}, {"oneOf": union["oneOf"]}],
    }


def _mean_at_most(
    defs: dict[str, JsonSchema], most: float, low: float | None = None
) -> list[JsonSchema]:
    """The distribution's variants, each with the parameter bounds that a mean of at most
    ``most`` (and, given ``low``, at least ``low``) implies for its ``dist`` (the mean itself
    of a uniform or a choice is beyond JSON Schema)."""
    value = {"maximum": most} if low is None else {"minimum": low, "maximum": most}
    implied: dict[str, dict[str, JsonSchema]] = {
        "constant": {"value": value},
        "uniform": {
            "low": {"maximum": most},
            **({} if low is None else {"high": {"minimum": low}}),
        },
        "normal": {"mean": value},
        "lognormal": {"median": {"maximum": most}},
        "exponential": {"mean": {"maximum": most}},
        "gamma": {"mean": {"maximum": most}},
        "poisson": {"mean": {"maximum": most}},
        "geometric": {"mean": {"maximum": most}},
        "choice": {},
    }
    union = _distribution(defs)["anyOf"][1]["oneOf"]
    variants = []
    for option in union:
        dist = defs[option["$ref"].rsplit("/", 1)[-1]]["properties"]["dist"]["const"]
        clips = {} if low is None else {"clip_min": {"minimum": low}, "clip_max": {"minimum": low}}
        variants.append({"allOf": [option, {"properties": {**clips, **implied[dist]}}]})
    return variants


def _duration(defs: dict[str, JsonSchema]) -> JsonSchema:
    """A time-span parameter (DurationSpec): a distribution of milliseconds whose draws are
    clipped to 0 … MAX_DURATION_MS. The loader refuses a negative clip bound and a mean
    outside that range."""
    return {
        "description": "A time span in ms: a number (a constant) or a distribution, every draw "
        f"clipped to 0 … {MAX_DURATION_MS} (365 days). See docs/distributions.md#durations.",
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": MAX_DURATION_MS},
            {"oneOf": _mean_at_most(defs, MAX_DURATION_MS, 0)},
        ],
    }


def _count(defs: dict[str, JsonSchema]) -> JsonSchema:
    """A count parameter (CountSpec): its draws are clipped to 0 … MAX_COUNT; the loader
    refuses a mean above MAX_COUNT."""
    return {
        "description": "A count: a number (a constant) or a distribution, every draw clipped "
        f"to 0 … {MAX_COUNT}. See docs/distributions.md#counts.",
        "anyOf": [
            {"type": "number", "maximum": MAX_COUNT},
            {"oneOf": _mean_at_most(defs, MAX_COUNT)},
        ],
    }


def _slow_down(defs: dict[str, JsonSchema], prop: JsonSchema) -> JsonSchema:
    """slow_processing's ``factor``: its draws count between 1 and MAX_FACTOR; the loader
    refuses a mean above MAX_FACTOR."""
    bounded = {
        "anyOf": [
            {"type": "number", "maximum": MAX_FACTOR},
            {"oneOf": _mean_at_most(defs, MAX_FACTOR)},
        ]
    }
    return {**{k: v for k, v in prop.items() if k != "$ref"}, **bounded}


def _unwrap(value: Any) -> Any:
    """Defaults as a user writes them: a distribution without pydantic's ``root`` wrapper."""
    if isinstance(value, dict):
        if set(value) == {"root"}:
            return _unwrap(value["root"])
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


# The words YAML 1.1 (PyYAML, which the loaders read with) takes for booleans and YAML 1.2
# (editors) reads as strings; true/True/TRUE and false/False/FALSE are booleans to both.
YAML11_TRUE = ["yes", "Yes", "YES", "on", "On", "ON"]
YAML11_FALSE = ["no", "No", "NO", "off", "Off", "OFF"]


def _yaml_boolean(prop: JsonSchema) -> JsonSchema:
    """A switch as the loader reads it: a boolean, or a YAML 1.1 word for one (``off``),
    which an editor's YAML 1.2 hands the schema as a string."""
    rest = {k: v for k, v in prop.items() if k != "type"}
    words = {"type": "string", "enum": YAML11_TRUE + YAML11_FALSE}
    return {**rest, "anyOf": [{"type": "boolean"}, words]}


def _params(kind: str, defs: dict[str, JsonSchema]) -> str:
    """Define one kind's parameters (plus ``kind`` and ``enabled``); return the def's name."""
    cls = BEHAVIOURS.get(kind)
    model = cls.params_model
    schema = _lift_defs(model.model_json_schema(), defs)
    defaults = _unwrap(model().model_dump(mode="json", by_alias=True, exclude_none=True))
    properties: dict[str, JsonSchema] = {
        "kind": {"const": kind, "description": "The behaviour kind (default: the block name)."},
        "enabled": _yaml_boolean(
            {
                "type": "boolean",
                "description": "false (or YAML 1.1's no, off) switches the block off (it is "
                "then not checked at all).",
            }
        ),
    }
    for name, given in schema.get("properties", {}).items():
        prop = _yaml_boolean(given) if given.get("type") == "boolean" else given
        properties[name] = {**prop, "default": defaults[name]} if name in defaults else prop
    if kind == "slow_processing":
        properties["factor"] = _slow_down(defs, properties["factor"])
    if kind == "errors":  # YAML keys such as 500 arrive as text in JSON-based editors
        properties["statuses"]["propertyNames"] = {"pattern": "^[45][0-9][0-9]$"}
    name = f"behaviour.{kind}"
    defs[name] = {
        "title": kind,
        "description": f"{cls.summary} (docs/behaviours/{kind}.md)",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    return name


def _block(body: JsonSchema) -> JsonSchema:
    """A behaviour block: null (remove an inherited block), or a mapping checked by ``body``
    unless it says ``enabled: false`` (the loader skips disabled blocks entirely)."""
    disabled = {
        "properties": {"enabled": {"enum": [False, *YAML11_FALSE]}},
        "required": ["enabled"],
    }
    return {
        "type": ["object", "null"],
        "if": {"type": "object"},
        "then": {"if": disabled, "then": {}, "else": body},
    }


def persona_schema() -> JsonSchema:
    """The JSON Schema of a persona file (docs/persona-format.md)."""
    defs: dict[str, JsonSchema] = {}
    root = _lift_defs(PersonaFile.model_json_schema(), defs)
    kinds = builtin_kinds()
    for kind in kinds:
        _params(kind, defs)
    defs["DistributionSpec"] = _distribution(defs)
    defs["DurationSpec"] = _duration(defs)
    defs["CountSpec"] = _count(defs)

    # A block whose kind is given explicitly: the kind picks the parameters.
    by_kind: JsonSchema = {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {
                "enum": kinds,
                "description": "The behaviour kind; see docs/behaviours/README.md.",
            }
        },
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/behaviour.{kind}"},
            }
            for kind in kinds
        ],
    }
    defs["block.with_kind"] = by_kind

    named: dict[str, JsonSchema] = {}
    for kind in kinds:
        # A block named after a kind is of that kind unless it says otherwise.
        named[kind] = _block(
            {
                "if": {"required": ["kind"]},
                "then": {"$ref": "#/$defs/block.with_kind"},
                "else": {"$ref": f"#/$defs/behaviour.{kind}"},
            }
        )
    properties = root["properties"]
    properties["version"]["pattern"] = SEMVER.pattern
    properties["extends"] = {
        "description": properties["extends"]["description"] + " One name or a list.",
        "anyOf": [
            {"type": "string", "pattern": NAME_PATTERN},
            {
                "type": "array",
                "items": {"type": "string", "pattern": NAME_PATTERN},
                "uniqueItems": True,  # (the loader refuses a parent named twice)
            },
        ],
    }
    properties["behaviors"] = {
        "description": properties["behaviors"]["description"],
        "type": "object",
        "propertyNames": {"pattern": NAME_PATTERN},
        "properties": named,
        # A block of another name says its kind, unless it tunes a block a parent declared
        # (whose kind is the parent's, which this file does not show: taken unchecked).
        "additionalProperties": _block(
            {"if": {"required": ["kind"]}, "then": {"$ref": "#/$defs/block.with_kind"}}
        ),
    }
    # Without parents, every block of another name says its kind.
    orphan = {
        "properties": {
            "behaviors": {
                "properties": dict.fromkeys(kinds, True),
                "additionalProperties": _block({"$ref": "#/$defs/block.with_kind"}),
            }
        }
    }
    return _strip(
        {
            "$schema": DRAFT,
            "title": "persona-gen persona",
            **{k: v for k, v in root.items() if k != "title"},
            "if": {"not": {"required": ["extends"]}},
            "then": orphan,
            "$defs": dict(sorted(defs.items())),
        }
    )


def profile_schema() -> JsonSchema:
    """The JSON Schema of a profile file (docs/profile-format.md)."""
    defs: dict[str, JsonSchema] = {}
    root = _lift_defs(ProfileFile.model_json_schema(), defs)
    properties = root["properties"]
    properties["version"]["pattern"] = SEMVER.pattern
    listed = properties["personas"]
    # The loader also accepts {name: weight} and a list of bare names.
    properties["personas"] = {
        "description": listed["description"]
        + " A list of {name, weight} or of names, or a mapping name: weight.",
        "anyOf": [
            {
                "type": "array",
                "minItems": 1,
                "items": {
                    "anyOf": [
                        {"$ref": "#/$defs/PersonaWeight"},
                        {"type": "string", "pattern": NAME_PATTERN},
                    ]
                },
            },
            {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": NAME_PATTERN},
                "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
            },
        ],
    }
    dataset = defs["DatasetSpec"]["properties"]
    # A dataset's own list names at least one persona (the loader's `_some`): [] is refused.
    for branch in dataset["personas"]["anyOf"]:
        if branch.get("type") == "array":
            branch["minItems"] = 1
    dataset["type"]["examples"] = list(DATASET_TYPES)
    dataset["format"]["examples"] = ["json", "jsonl", "csv"]
    return _strip(
        {
            "$schema": DRAFT,
            "title": "persona-gen profile",
            **{k: v for k, v in root.items() if k != "title"},
            "$defs": dict(sorted(defs.items())),
        }
    )


def render(schema: JsonSchema) -> str:
    """The committed text of a schema: two-space indented JSON and a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name, schema in (("persona", persona_schema()), ("profile", profile_schema())):
        path = SCHEMA_DIR / f"{name}.schema.json"
        path.write_text(render(schema), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
