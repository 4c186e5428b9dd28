"""if/then/else beyond one level: conditionals in ``allOf`` inside ``allOf``, chained in
``else``, inside ``then``/``else`` branches, inside ``oneOf`` options and behind a ``$ref``
part; ``if`` tests combined with ``not``/``anyOf``/``allOf`` or testing the type; the option
cap. Every schema's records are checked against the original with the `jsonschema`
validator, over several seeds, and random chains of conditionals are generated (hypothesis).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema_proof import records

from persona_gen.entities.model import Domain, Entity
from persona_gen.entities.to_jsonschema import entity_json_schema
from persona_gen.importers.base import ImportResult
from persona_gen.importers.jsonschema import JsonSchemaImporter


def load(tmp_path: Path, schema: Any) -> ImportResult:
    path = tmp_path / "thing.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    return JsonSchemaImporter().load(path)


def valid(tmp_path: Path, schema: Any, n: int = 150, seeds: tuple[int, ...] = (1, 2, 3)) -> None:
    """Every listed entity's records pass the original schema."""
    path = tmp_path / "thing.schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = JsonSchemaImporter().load(path)
    checks = JsonSchemaImporter().validators(path)
    for entity in result.listed:
        for seed in seeds:
            for row in records(result, entity, n, seed):
                assert checks[entity](row) == [], (entity, row)


def conditional_warnings(result: ImportResult) -> list[str]:
    return [w for w in result.warnings if "if/then/else" in w]


# -- allOf inside allOf -----------------------------------------------------------------------

# GitLab CI's job inputs: the type of `default` follows `type`, one conditional per value,
# in an allOf that is itself a part of an allOf.
_INPUT = {
    "title": "Input",
    "type": "object",
    "required": ["default"],
    "properties": {
        "type": {"type": "string", "enum": ["array", "boolean", "number", "string"]},
        "description": {"type": "string"},
        "default": {},
    },
    "allOf": [
        {"properties": {"regex": {"type": "string"}}},
        {
            "allOf": [
                {
                    "if": {"properties": {"type": {"enum": [kind]}}, "required": ["type"]},
                    "then": {"properties": {"default": {"type": kind}}},
                }
                for kind in ("string", "number", "boolean", "array")
            ]
            + [
                {
                    "if": {"not": {"required": ["type"]}},
                    "then": {"properties": {"default": {"type": "string"}}},
                }
            ]
        },
    ],
}


def test_conditionals_in_an_allof_inside_an_allof_split_the_object(tmp_path: Path) -> None:
    result = load(tmp_path, _INPUT)
    assert not conditional_warnings(result), result.warnings
    rows = records(result, "Input", 400, 1)
    kinds = {"string": str, "number": (int, float), "boolean": bool, "array": list}
    for row in rows:
        assert isinstance(row["default"], kinds[row.get("type", "string")]), row
    assert {r.get("type") for r in rows} == {None, "array", "boolean", "number", "string"}
    valid(tmp_path, _INPUT)


# -- chains in else, conditionals inside branches ---------------------------------------------

# CircleCI's job invocations: release, lock/unlock, approval/no-op, else a build job, whose
# `if` is an anyOf (no type, or type build); the branches are closed objects.
_JOB = {
    "title": "Job",
    "type": "object",
    "properties": {"type": {"enum": ["build", "release", "lock", "unlock", "approval", "no-op"]}},
    "if": {"required": ["type"], "properties": {"type": {"const": "release"}}},
    "then": {"required": ["plan_name"], "properties": {"plan_name": {"type": "string"}}},
    "else": {
        "if": {"required": ["type"], "properties": {"type": {"enum": ["lock", "unlock"]}}},
        "then": {
            "required": ["key"],
            "properties": {
                "type": {"enum": ["lock", "unlock"]},
                "key": {"type": "string", "minLength": 1},
            },
            "additionalProperties": False,
        },
        "else": {
            "if": {"required": ["type"], "properties": {"type": {"enum": ["approval", "no-op"]}}},
            "then": {"additionalProperties": True},
            "else": {
                "if": {
                    "anyOf": [
                        {"not": {"required": ["type"]}},
                        {"required": ["type"], "properties": {"type": {"const": "build"}}},
                    ]
                },
                "then": {
                    "required": ["steps"],
                    "properties": {
                        "type": {"const": "build"},
                        "steps": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        "docker": {"type": "string"},
                        "machine": {"type": "boolean"},
                        "executor": {"type": "string"},
                    },
                    "additionalProperties": False,
                    "anyOf": [
                        {"required": ["executor"]},
                        {"oneOf": [{"required": ["docker"]}, {"required": ["machine"]}]},
                    ],
                },
                "else": False,
            },
        },
    },
}


def test_a_chain_of_conditionals_in_else_gives_each_link_its_branch(tmp_path: Path) -> None:
    result = load(tmp_path, _JOB)
    assert not conditional_warnings(result), result.warnings
    rows = records(result, "Job", 600, 2)
    assert {r.get("type") for r in rows} == {
        None, "build", "release", "lock", "unlock", "approval", "no-op"
    }  # fmt: skip
    for row in rows:
        kind = row.get("type", "build")
        assert ("plan_name" in row) == (kind == "release"), row
        assert ("key" in row) == (kind in ("lock", "unlock")), row
        assert ("steps" in row) == (kind == "build"), row
    valid(tmp_path, _JOB)


def test_a_conditional_inside_then_applies_where_the_outer_test_holds(tmp_path: Path) -> None:
    schema = {
        "title": "Payment",
        "type": "object",
        "required": ["method"],
        "properties": {
            "method": {"enum": ["card", "bank"]},
            "network": {"enum": ["visa", "amex"]},
            "cvv": {"type": "string", "pattern": "^[0-9]{3}$"},
            "cid": {"type": "string", "pattern": "^[0-9]{4}$"},
            "iban": {"type": "string"},
        },
        "additionalProperties": False,
        "if": {"properties": {"method": {"const": "card"}}},
        "then": {
            "required": ["network"],
            "properties": {"iban": False},
            "if": {"properties": {"network": {"const": "amex"}}},
            "then": {"required": ["cid"], "properties": {"cvv": False}},
            "else": {"required": ["cvv"], "properties": {"cid": False}},
        },
        "else": {
            "required": ["iban"],
            "properties": {"network": False, "cvv": False, "cid": False},
        },
    }
    result = load(tmp_path, schema)
    assert not conditional_warnings(result), result.warnings
    rows = records(result, "Payment", 400, 3)
    shapes = {(r["method"], r.get("network"), "cvv" in r, "cid" in r) for r in rows}
    assert shapes == {
        ("card", "visa", True, False),
        ("card", "amex", False, True),
        ("bank", None, False, False),
    }
    valid(tmp_path, schema)


def test_a_property_a_branch_leaves_out_stays_out_when_a_later_branch_declares_it(
    tmp_path: Path,
) -> None:
    """The first conditional leaves `tag` out where `kind` is absent; the second one's
    branch declares `tag` again: it must not come back there."""
    schema = {
        "title": "T",
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b"]}, "tag": {"type": "string"}},
        "allOf": [
            {"if": {"required": ["kind"]}, "else": {"not": {"required": ["tag"]}}},
            {"if": {"required": ["kind"]}, "then": {"required": ["tag"]}},
            {
                "if": {"not": {"properties": {"kind": {"const": "b"}}}},
                "then": {"properties": {"tag": {"type": "string", "minLength": 2}}},
            },
        ],
    }
    result = load(tmp_path, schema)
    assert not conditional_warnings(result), result.warnings
    rows = records(result, "T", 400, 4)
    assert all("tag" in r for r in rows if "kind" in r)
    assert not any("tag" in r for r in rows if "kind" not in r)
    valid(tmp_path, schema)


def test_an_open_option_says_which_properties_its_test_left_out(tmp_path: Path) -> None:
    """Where `if: {required: [card]}` fails, `card` is absent: an open option without it
    must still refuse one (its JSON Schema, which labels measure records by, says so)."""
    schema = {
        "title": "T",
        "type": "object",
        "properties": {"card": {"type": "string"}, "billing": {"type": "string"}},
        "if": {"required": ["card"]},
        "then": {"required": ["billing"]},
    }
    result = load(tmp_path, schema)
    with_card, without = result.domain.entities["T"].schema.variants
    assert with_card.field("card") is not None and not with_card.absent
    assert without.field("card") is None and without.absent == ("card",)
    alone = Domain({"V": Entity("V", without)}, "V")
    check = jsonschema.Draft202012Validator(entity_json_schema(alone, "V"))
    assert check.is_valid({"billing": "x"}) and not check.is_valid({"card": "1"})
    valid(tmp_path, schema)


def test_a_conditional_inside_a_oneof_option_reads_the_base_properties(tmp_path: Path) -> None:
    schema = {
        "title": "Shape",
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": ["circle", "square"]},
            "r": {"type": "number", "minimum": 0},
            "side": {"type": "number", "minimum": 0},
            "filled": {"type": "boolean"},
            "colour": {"type": "string"},
        },
        "oneOf": [
            {
                "if": {"properties": {"kind": {"const": "circle"}}},
                "then": {"required": ["r"], "properties": {"side": False}},
                "else": {"required": ["side"], "properties": {"r": False}},
            },
            {"required": ["filled"], "properties": {"r": False, "side": False}},
        ],
        "allOf": [
            {
                "if": {"required": ["filled"], "properties": {"filled": {"const": True}}},
                "then": {"required": ["colour"]},
            }
        ],
    }
    result = load(tmp_path, schema)
    assert not conditional_warnings(result), result.warnings
    rows = records(result, "Shape", 400, 5)
    assert any("r" in r for r in rows) and any("side" in r for r in rows)
    valid(tmp_path, schema)


def test_a_ref_to_a_schema_of_conditionals_alone_splits_the_object(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": ["a", "b"]},
            "x": {"type": "string"},
            "y": {"type": "integer"},
        },
        "allOf": [{"$ref": "#/$defs/rules"}],
        "$defs": {
            "rules": {
                "allOf": [
                    {
                        "if": {"properties": {"kind": {"const": "a"}}},
                        "then": {"required": ["x"]},
                        "else": {"required": ["y"], "properties": {"x": False}},
                    }
                ]
            }
        },
    }
    rows = records(load(tmp_path, schema), "T", 300, 6)
    assert all(("x" in r) == (r["kind"] == "a") for r in rows)
    assert all("y" in r for r in rows if r["kind"] == "b")
    valid(tmp_path, schema)


# -- if: not/anyOf/allOf, and tests of the type ----------------------------------------------


def test_an_if_on_the_type_picks_the_branch_objects_take(tmp_path: Path) -> None:
    """AsyncAPI 3's multi-format schema: `if: {not: {type: object}}` never holds for an
    object, so its `else` (itself conditionals in an allOf) applies."""
    schema = {
        "title": "Multi",
        "type": "object",
        "properties": {"format": {"enum": ["json", "avro"]}},
        "if": {"not": {"type": "object"}},
        "then": {"type": "string"},
        "else": {
            "allOf": [
                {
                    "if": {"not": {"required": ["format"]}},
                    "then": {"properties": {"schema": {"type": "object"}}},
                },
                {
                    "if": {"required": ["format"], "properties": {"format": {"const": "avro"}}},
                    "then": {"properties": {"schema": {"type": "string"}}},
                },
            ]
        },
    }
    result = load(tmp_path, schema)
    assert not conditional_warnings(result), result.warnings
    valid(tmp_path, schema)


def test_a_value_of_no_type_takes_the_branch_that_only_objects_pass(tmp_path: Path) -> None:
    """AsyncAPI 3's anySchema: no type; values that are not objects pass the property test,
    so they get `then`, which only objects pass: every value is an object."""
    schema = {
        "title": "Any",
        "if": {"required": ["schema"]},
        "then": {"type": "object", "required": ["schema"], "properties": {"schema": {}}},
        "else": {"type": "object", "properties": {"title": {"type": "string"}}},
    }
    rows = records(load(tmp_path, schema), "Any", 200, 7)
    assert all(isinstance(r, dict) for r in rows)
    valid(tmp_path, schema)


def test_a_value_of_no_type_keeps_the_types_the_branch_it_takes_allows(tmp_path: Path) -> None:
    schema = {"title": "Any", "if": {"required": ["x"]}, "then": {"type": ["string", "object"]}}
    result = load(tmp_path, schema)
    assert not conditional_warnings(result), result.warnings
    assert all(isinstance(r, str) for r in records(result, "Any", 100, 7))
    valid(tmp_path, schema)


def test_null_is_made_only_where_the_branch_null_takes_allows_it(tmp_path: Path) -> None:
    """Null passes `required: [access]` (it is not an object), so it takes `then`: null
    passes `required: [public]` too, but not its `not` (GitLab CI's artifacts), nor a
    `type: object`."""
    base = {
        "type": ["object", "null"],
        "properties": {"access": {"enum": ["all", "none"]}, "public": {"type": "boolean"}},
        "if": {"required": ["access"]},
    }
    cases = [
        ({"required": ["public"]}, True),
        ({"not": {"required": ["public"]}}, False),
        ({"type": "object"}, False),
    ]
    for then, nulls in cases:
        schema = {
            "title": "Job",
            "type": "object",
            "required": ["artifacts"],
            "properties": {"artifacts": {**base, "then": then}},
        }
        result = load(tmp_path, schema)
        assert not conditional_warnings(result), result.warnings
        rows = records(result, "Job", 400, 8)
        assert any(r["artifacts"] is None for r in rows) == nulls, then
        valid(tmp_path, schema)


# -- if: a nested property, an array's items -------------------------------------------------

# GitHub's action metadata: the outputs an action declares follow `runs.using`.
_ACTION = {
    "title": "Action",
    "type": "object",
    "required": ["runs"],
    "properties": {
        "runs": {"oneOf": [{"$ref": "#/$defs/composite"}, {"$ref": "#/$defs/node"}]},
        "outputs": {"type": "object"},
    },
    "if": {
        "properties": {"runs": {"type": "object", "properties": {"using": {"const": "composite"}}}}
    },
    "then": {"properties": {"outputs": {"required": ["value"]}}},
    "else": {"properties": {"outputs": {"not": {"required": ["value"]}}}},
    "$defs": {
        "composite": {
            "type": "object",
            "required": ["using", "steps"],
            "properties": {"using": {"const": "composite"}, "steps": {"type": "array"}},
            "additionalProperties": False,
        },
        "node": {
            "type": "object",
            "required": ["using", "main"],
            "properties": {"using": {"enum": ["node20", "node24"]}, "main": {"type": "string"}},
            "additionalProperties": False,
        },
    },
}


def test_an_if_on_a_nested_property_splits_by_its_value(tmp_path: Path) -> None:
    result = load(tmp_path, _ACTION)
    assert not conditional_warnings(result), result.warnings
    options = result.domain.entities["Action"].schema.variants
    using = []
    for option in options:
        runs = option.field("runs").schema  # type: ignore[union-attr]
        outputs = option.field("outputs").schema  # type: ignore[union-attr]
        using.append((runs.field("using").schema.const, [f.name for f in outputs.fields]))  # type: ignore[union-attr]
    assert using == [("composite", ["value"]), (None, [])]
    valid(tmp_path, _ACTION)


# Read the Docs: `python.install` holds at most one uv entry (`contains` in the `if`).
_INSTALL = {
    "title": "Install",
    "type": "array",
    "items": {
        "anyOf": [
            {
                "type": "object",
                "properties": {"requirements": {"type": "string"}},
                "required": ["requirements"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"method": {"enum": ["uv"]}, "command": {"enum": ["sync", "pip"]}},
                "required": ["method", "command"],
                "additionalProperties": False,
            },
        ]
    },
    "allOf": [
        {
            "if": {
                "contains": {
                    "type": "object",
                    "properties": {"method": {"const": "uv"}},
                    "required": ["method"],
                }
            },
            "then": {"minItems": 1, "maxItems": 1},
        }
    ],
}


def test_an_if_on_an_arrays_items_splits_the_array(tmp_path: Path) -> None:
    result = load(tmp_path, _INSTALL)
    assert not conditional_warnings(result), result.warnings
    options = result.domain.entities["Install"].schema.variants
    shapes = [(o.min_items, o.max_items, o.items.type) for o in options]  # type: ignore[union-attr]
    # a uv entry alone, or entries none of which is uv
    assert shapes == [(1, 1, "object"), (None, None, "object")]
    assert options[0].items.field("method") is not None  # type: ignore[union-attr]
    assert options[1].items.field("requirements") is not None  # type: ignore[union-attr]
    valid(tmp_path, _INSTALL)
    rows = records(result, "Install", 400, 3)
    assert any(len(r) > 1 for r in rows) and any(r and "method" in r[0] for r in rows)


def test_an_if_on_items_it_cannot_tell_apart_is_warned(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "array",
        "items": {},
        "if": {"contains": {"const": 1}},
        "then": {"maxItems": 1},
    }
    assert conditional_warnings(load(tmp_path, schema)) == [
        "#/if: if/then/else: only tests of properties (present, const, enum, or a test of "
        "their value), of the type and of an array's items (contains), and their "
        "not/anyOf/allOf, are expressed; this one is not"
    ]
    items = {**schema, "items": {"type": "number"}, "if": {"contains": {"type": "integer"}}}
    assert conditional_warnings(load(tmp_path, items)) == [
        "#/if: if/then/else: `contains` is expressed for items told apart by their "
        "properties or their type; these are not"
    ]


# -- the option cap, and warnings ------------------------------------------------------------


def test_past_the_cap_options_are_cut_with_a_warning_and_stay_valid(tmp_path: Path) -> None:
    flags = [f"f{i}" for i in range(8)]
    schema = {
        "title": "Many",
        "type": "object",
        "properties": {name: {"type": "boolean"} for name in flags}
        | {f"{name}_on": {"type": "string"} for name in flags},
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"required": [name], "properties": {name: {"const": True}}},
                "then": {"required": [f"{name}_on"]},
                "else": {"properties": {f"{name}_on": False}},
            }
            for name in flags
        ],
    }
    result = load(tmp_path, schema)
    cut = [w for w in result.warnings if "combinations" in w]
    assert len(cut) == 1 and cut[0].startswith("#/allOf/3: if/then/else: over 64"), cut
    assert len(result.domain.entities["Many"].schema.variants) == 64
    valid(tmp_path, schema, n=300)


def test_a_conditional_still_not_expressible_is_warned_at_its_pointer(tmp_path: Path) -> None:
    schema = {
        "title": "T",
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}},
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {"required": ["n"]},
        "else": {
            "allOf": [
                {
                    "allOf": [
                        {
                            "if": {"properties": {"n": {"minimum": 3}}},
                            "then": {"required": ["kind"]},
                        }
                    ]
                }
            ]
        },
    }
    result = load(tmp_path, schema)
    assert any(w.startswith("#/else/allOf/0/allOf/0/if: if/then/else") for w in result.warnings), (
        result.warnings
    )


# -- random chains ---------------------------------------------------------------------------

_NAMES = ("kind", "flag", "x", "y", "z", "o")
_PROPS: dict[str, Any] = {
    "kind": {"enum": ["a", "b", "c"]},
    "flag": {"type": "boolean"},
    "x": {"type": "string"},
    "y": {"type": "integer", "minimum": 0, "maximum": 9},
    "z": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/O"}]}},
    "o": {"$ref": "#/$defs/O"},
}
_DEFS = {
    "O": {
        "type": "object",
        "properties": {"mode": {"enum": ["on", "off"]}, "n": {"type": "integer"}},
        "additionalProperties": False,
    }
}

_KINDS = ("a", "b", "c")


@st.composite
def _tests(draw: st.DrawFn, depth: int = 2) -> dict[str, Any]:
    """An ``if``: a test of properties or of the type (of a nested property, of an array's
    items too), or not/anyOf/allOf of such tests."""
    leaves = [0, 1, 2, 3, 4, 5, 9, 10, 11]
    form = draw(st.sampled_from([*leaves, 6, 7, 8] if depth else leaves))
    if form == 9:  # a nested property's value
        inner = {"properties": {"mode": {"const": draw(st.sampled_from(["on", "off"]))}}}
        if draw(st.booleans()):
            inner["required"] = ["mode"]
        return {"properties": {"o": inner}}
    if form == 10:  # a property's type
        return {"properties": {draw(st.sampled_from(["x", "o"])): {"type": "string"}}}
    if form == 11:  # an array's items
        item = {"type": "object", "properties": {"mode": {"const": "on"}}, "required": ["mode"]}
        return {"properties": {"z": {"contains": item if draw(st.booleans()) else {
            "type": "string"}}}}  # fmt: skip
    if form == 0:
        test: dict[str, Any] = {"properties": {"kind": {"const": draw(st.sampled_from(_KINDS))}}}
        return {**test, "required": ["kind"]} if draw(st.booleans()) else test
    if form == 1:
        values = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=2, unique=True))
        return {"properties": {"kind": {"enum": values}}, "required": ["kind"]}
    if form == 2:
        return {"required": [draw(st.sampled_from(_NAMES))]}
    if form == 3:
        return {"properties": {"flag": {"const": draw(st.booleans())}}}
    if form == 4:
        y = draw(st.integers(0, 8))
        return {"properties": {"y": {"enum": [y, y + 1]}}}
    if form == 5:
        return {"type": "object"}
    if form == 6:
        return {"not": draw(_tests(depth - 1))}
    key = "anyOf" if form == 7 else "allOf"
    return {key: [draw(_tests(depth - 1)), draw(_tests(depth - 1))]}


@st.composite
def _effects(draw: st.DrawFn) -> dict[str, Any]:
    """What a branch says: a property required or forbidden, a value, a bound, closed."""
    name = draw(st.sampled_from(_NAMES))
    form = draw(st.integers(0, 5))
    if form == 0:
        return {"required": [name]}
    if form == 1:
        return {"properties": {name: False}}
    if form == 2:
        return {"not": {"required": [name]}}
    if form == 3:
        return {"properties": {"kind": {"const": draw(st.sampled_from(_KINDS))}}}
    if form == 4:
        return {"properties": {"y": {"minimum": draw(st.integers(0, 9))}}}
    names = draw(st.lists(st.sampled_from(_NAMES), min_size=2, max_size=5, unique=True))
    return {"properties": {n: _PROPS[n] for n in names}, "additionalProperties": False}


@st.composite
def _conditionals(draw: st.DrawFn, depth: int = 2) -> dict[str, Any]:
    """A conditional whose branches may hold conditionals (or allOf of them) in turn."""

    def branch() -> dict[str, Any]:
        nested = depth > 0 and draw(st.integers(0, 2)) == 0
        parts = [
            draw(_conditionals(depth - 1)) if nested else draw(_effects())
            for _ in range(draw(st.integers(1, 2)))
        ]
        return parts[0] if len(parts) == 1 and draw(st.booleans()) else {"allOf": parts}

    out: dict[str, Any] = {"if": draw(_tests())}
    for key in ("then", "else"):
        if draw(st.booleans()):
            out[key] = branch()
    return out


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(_conditionals(), min_size=1, max_size=3),
    st.lists(st.sampled_from(_NAMES), max_size=2, unique=True),
    st.booleans(),
    st.booleans(),
)
def test_random_chains_of_conditionals_give_valid_records(
    tmp_path: Path, conds: list[dict[str, Any]], required: list[str], closed: bool, nest: bool
) -> None:
    schema: dict[str, Any] = {
        "title": "R",
        "type": "object",
        "properties": _PROPS,
        "required": required,
        "additionalProperties": not closed,
        "allOf": [{"allOf": conds}] if nest else conds,
        "$defs": _DEFS,
    }
    result = load(tmp_path, schema)
    unexpressed = [w for w in result.warnings if "combinations" not in w]
    if unexpressed:  # (no value fits, or the branches contradict each other)
        event("not expressed")
        return
    event("checked")
    valid(tmp_path, schema, n=60, seeds=(1, 2))


# -- dependentSchemas (draft 4-7: dependencies of schemas) ------------------------------------

_D2020 = "https://json-schema.org/draft/2020-12/schema"
_D7 = "http://json-schema.org/draft-07/schema#"
_PAY = {"card": {"type": "string"}, "billing": {"type": "string"}}
_NEEDS_BILLING = {"required": ["billing"], "properties": {"billing": {"minLength": 5}}}

# name -> (schema, a test of a record the dependent schema holds for, present in some records)
_DEPENDENT: dict[str, tuple[dict[str, Any], Any]] = {
    "trigger optional": (
        {"type": "object", "properties": _PAY, "dependentSchemas": {"card": _NEEDS_BILLING}},
        lambda r: "card" in r,
    ),
    "trigger required": (
        {
            "type": "object",
            "required": ["card"],
            "properties": _PAY,
            "dependentSchemas": {"card": {**_NEEDS_BILLING, "maxProperties": 2}},
        },
        lambda r: "card" in r,
    ),
    "nested in a property": (
        {
            "type": "object",
            "required": ["pay"],
            "properties": {
                "pay": {
                    "type": ["object", "null"],
                    "properties": {"card": {"type": "string"}, "cvv": {"type": "string"}},
                    "dependentSchemas": {
                        "card": {
                            "required": ["cvv"],
                            "properties": {"cvv": {"pattern": "^[0-9]{3}$"}},
                        }
                    },
                }
            },
        },
        lambda r: isinstance(r["pay"], dict) and "card" in r["pay"],
    ),
    "adds a property, a bound and a requirement": (
        {
            "type": "object",
            "properties": {"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}},
            "dependentSchemas": {
                "kind": {
                    "required": ["extra", "n"],
                    "properties": {
                        "extra": {"type": "integer", "minimum": 10, "maximum": 20},
                        "n": {"minimum": 100},
                    },
                }
            },
        },
        lambda r: "kind" in r,
    ),
    "two keys": (
        {
            "type": "object",
            "properties": {
                "a": {"type": "integer"},
                "b": {"type": "integer"},
                "c": {"type": "string"},
                "d": {"type": "boolean"},
            },
            "dependentSchemas": {
                "a": {"required": ["c"], "properties": {"c": {"const": "from-a"}}},
                "b": {"required": ["d"], "properties": {"d": {"const": True}}},
            },
        },
        lambda r: "a" in r and "b" in r,
    ),
    "a closed object that cannot hold the dependent": (
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
            "dependentSchemas": {
                "a": {"required": ["zzz"]},
                "b": {"properties": {"b": {"maxLength": 3}}},
            },
        },
        lambda r: "b" in r,
    ),
    "false": (
        {"type": "object", "properties": _PAY, "dependentSchemas": {"card": False}},
        lambda r: "billing" in r,
    ),
    "in a oneOf option": (
        {
            "type": "object",
            "required": ["k"],
            "properties": {"k": {"type": "string"}},
            "oneOf": [
                {
                    "properties": {
                        "k": {"const": "x"},
                        "p": {"type": "integer"},
                        "q": {"type": "integer"},
                    },
                    "dependentSchemas": {
                        "p": {"required": ["q"], "properties": {"q": {"minimum": 50}}}
                    },
                },
                {"properties": {"k": {"const": "y"}, "r": {"type": "string"}}, "required": ["r"]},
            ],
        },
        lambda r: "p" in r,
    ),
    "a $ref": (
        {
            "type": "object",
            "properties": _PAY,
            "dependentSchemas": {"card": {"$ref": "#/$defs/NeedsBilling"}},
            "$defs": {
                "NeedsBilling": {
                    "required": ["billing"],
                    "properties": {"billing": {"enum": ["x", "y"]}},
                }
            },
        },
        lambda r: "card" in r,
    ),
    "beside a $ref": (
        {
            "$ref": "#/$defs/Pay",
            "dependentSchemas": {"card": _NEEDS_BILLING},
            "$defs": {"Pay": {"type": "object", "properties": _PAY}},
        },
        lambda r: "card" in r,
    ),
    "in an allOf part": (
        {
            "type": "object",
            "properties": _PAY,
            "allOf": [{"dependentSchemas": {"card": _NEEDS_BILLING}}],
        },
        lambda r: "card" in r,
    ),
    "of an array's items": (
        {
            "type": "object",
            "required": ["xs"],
            "properties": {
                "xs": {
                    "type": "array",
                    "minItems": 3,
                    "items": {
                        "type": "object",
                        "properties": _PAY,
                        "dependentSchemas": {"card": _NEEDS_BILLING},
                    },
                }
            },
        },
        lambda r: any("card" in x for x in r["xs"]),
    ),
    "holding a conditional": (
        {
            "type": "object",
            "properties": {
                "card": {"type": "string"},
                "k": {"enum": ["x", "y"]},
                "b": {"type": "string"},
            },
            "dependentSchemas": {
                "card": {
                    "if": {"properties": {"k": {"const": "x"}}, "required": ["k"]},
                    "then": {"required": ["b"], "properties": {"b": {"const": "bee"}}},
                }
            },
        },
        lambda r: "card" in r and r.get("k") == "x",
    ),
    "draft-07 dependencies": (
        {
            "$schema": _D7,
            "type": "object",
            "properties": {**_PAY, "n": {"type": "integer"}},
            "dependencies": {"card": _NEEDS_BILLING, "n": ["card"]},
        },
        lambda r: "card" in r,
    ),
}


@pytest.mark.parametrize(("schema", "holds"), _DEPENDENT.values(), ids=_DEPENDENT.keys())
def test_dependent_schemas_hold_where_their_property_is(
    tmp_path: Path, schema: dict[str, Any], holds: Any
) -> None:
    """`dependentSchemas: {card: S}` is `if: {required: [card]}, then: S`: it was ignored
    with a warning, and records holding `card` broke S while labelled valid."""
    document = {"$schema": _D2020, "title": "T", **schema}
    result = load(tmp_path, document)
    assert all("always generated" in w for w in result.warnings), result.warnings
    valid(tmp_path, document)
    rows = records(result, "T", 300, 1)
    assert any(holds(r) for r in rows)  # (the dependent schema is met, not avoided)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.dictionaries(
        st.sampled_from(_NAMES), st.one_of(_effects(), _conditionals(1)), min_size=1, max_size=3
    ),
    st.lists(st.sampled_from(_NAMES), max_size=2, unique=True),
    st.booleans(),
    st.sampled_from(["dependentSchemas", "allOf", "dependencies"]),
)
def test_random_dependent_schemas_give_valid_records(
    tmp_path: Path, deps: dict[str, Any], required: list[str], closed: bool, where: str
) -> None:
    schema: dict[str, Any] = {
        "$schema": _D7 if where == "dependencies" else _D2020,
        "title": "R",
        "type": "object",
        "properties": _PROPS,
        "required": required,
        "additionalProperties": not closed,
        "$defs": _DEFS,
    }
    if where == "allOf":
        schema["allOf"] = [{"dependentSchemas": deps}]
    else:
        schema[where] = deps
    result = load(tmp_path, schema)
    if [w for w in result.warnings if "combinations" not in w]:
        event("not expressed")  # (no value fits, or the branches contradict each other)
        return
    event("checked")
    valid(tmp_path, schema, n=60, seeds=(1, 2))


def test_a_conditional_beside_a_ref_reads_the_properties_of_its_target(tmp_path: Path) -> None:
    # The siblings of the $ref were split alone (no properties: the test never held), then
    # merged with the target: records holding `card` lacked the billing `then` requires.
    schema = {
        "title": "T",
        "$ref": "#/$defs/Pay",
        "if": {"required": ["card"]},
        "then": {"required": ["billing"], "properties": {"billing": {"minLength": 6}}},
        "$defs": {"Pay": {"type": "object", "properties": _PAY}},
    }
    result = load(tmp_path, schema)
    assert not result.warnings, result.warnings
    valid(tmp_path, schema)
    assert any("card" in r for r in records(result, "T", 200, 1))
