"""Labels name the rule a value breaks as the validator that proves them would (formats)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from persona_gen.entities.model import Schema
from persona_gen.generators.check import violated_rule
from persona_gen.generators.mutations import MUTATIONS
from persona_gen.generators.paths import Leaf, top_key
from persona_gen.runtime.check_verdicts import RULE_ALIASES
from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("fmt", "value", "rule"),
    [
        ("time", "11:20:15Z", None),
        ("time", "11:20:15", "format"),  # RFC 3339 full-time needs an offset (draft 3 did not)
        ("time", "00:32:3", "format"),
        ("byte", "aGVsbG8=", None),
        ("byte", "!!# ", "format"),
        ("byte", "\\x1", "format"),  # (the format violation: PostgreSQL refuses it too)
        ("byte", "; DROP TABLE users; --", "format"),
        ("byte", "héllo", "format"),  # outside ASCII: not base64, and no error
        ("date-time", "2024-13-45T25:61:00", "format"),
    ],
)
def test_format_labels(fmt: str, value: str, rule: str | None) -> None:
    assert violated_rule(Schema("string", format=fmt), value) == rule


@pytest.mark.parametrize(
    ("schema", "rule"),
    [
        # a field of any type held to listed values: null is not among them
        (Schema("any", enum=(1, "a", True, 2.5)), "enum"),
        (Schema("any", enum=(1, None)), None),
        (Schema("any", const=5, has_const=True), "const"),
        (Schema("any", const=None, has_const=True), None),
        (Schema("any"), None),
        (Schema("string", enum=("a",), nullable=True), None),
        (Schema("string"), "type"),
    ],
)
def test_null_labels(schema: Schema, rule: str | None) -> None:
    assert violated_rule(schema, None) == rule


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ([1, 1], None),
        ([0, 0], None),
        ([[1, 1]], "enum"),  # an array of the members is none of them
        ([1, 0], "enum"),
        ([], "enum"),
    ],
)
def test_an_enum_of_arrays_lists_whole_values(value: list[object], rule: str | None) -> None:
    # JSON Schema's enum holds the whole value, arrays too (``enum: [[0, 0], [1, 1]]``)
    schema = Schema("array", items=Schema("integer"), enum=([0, 0], [1, 1]))
    assert violated_rule(schema, value) == rule


@pytest.mark.parametrize(
    ("schema", "value", "rule"),
    [
        (Schema("string", enum=("a", "b")), 5, "type"),
        (Schema("string", enum=("a", "b")), ["a"], "type"),
        (Schema("string", enum=("a", "b")), "c", "enum"),
        (Schema("integer", const=3, has_const=True), "3", "type"),
        (Schema("integer", const=3, has_const=True), 4, "const"),
        (Schema("any", enum=(1, "a")), 2, "enum"),
    ],
)
def test_a_value_of_the_wrong_type_breaks_type_before_enum_or_const(
    schema: Schema, value: object, rule: str
) -> None:
    # A type_mismatch on an enum field was labelled "enum": the value breaks both, and the
    # mutation is about its type
    assert violated_rule(schema, value) == rule
    assert rule in {e.validator for e in Draft202012Validator(_as_json(schema)).iter_errors(value)}


def _as_json(schema: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {} if schema.type == "any" else {"type": schema.type}
    if schema.enum is not None:
        out["enum"] = list(schema.enum)
    if schema.has_const:
        out["const"] = schema.const
    return out


_NUMBER_OR_BOOLEAN = Schema("union", variants=(Schema("number"), Schema("boolean")))


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (1.5, None),
        (True, None),
        ("Y", "type"),  # an old client's boolean, or number as text, is of neither type
        ("12.5", "type"),
        ([1], "type"),
    ],
)
def test_a_value_of_none_of_a_unions_types_breaks_type(value: object, rule: str | None) -> None:
    # `type: [number, boolean]`: every value was labelled valid, whatever its type
    assert violated_rule(_NUMBER_OR_BOOLEAN, value) == rule


# -- unions: a value no option takes is invalid, named as `check` names the failure --------

_SCALARS = ("integer", "number", "string", "boolean", "null")


@st.composite
def _union(draw: st.DrawFn) -> tuple[Schema, list[dict[str, Any]], dict[str, Any]]:
    """A union of options of different types, as the model has it, its options as JSON
    Schema, and the same schema as one list of types (keywords beside ``type``)."""
    kinds = draw(st.lists(st.sampled_from(_SCALARS), min_size=2, max_size=3, unique=True))
    if "integer" in kinds and "number" in kinds:  # (one numeric type: the types stay apart)
        kinds.remove("number")
    model: list[Schema] = []
    options: list[dict[str, Any]] = []
    together: dict[str, Any] = {"type": kinds}
    for kind in kinds:
        own: dict[str, Any] = {}
        if kind in ("integer", "number"):
            low = draw(st.none() | st.integers(-5, 5))
            high = draw(
                st.none()
                | st.integers(-5, 5).map(lambda k, low=low: k if low is None else low + abs(k))
            )
            own = {k: v for k, v in (("minimum", low), ("maximum", high)) if v is not None}
            model.append(Schema(kind, minimum=low, maximum=high))
        elif kind == "string":
            shortest = draw(st.none() | st.integers(0, 3))
            longest = draw(
                st.none() | st.integers(0, 3).map(lambda k, least=shortest: (least or 0) + k)
            )
            own = {
                k: v for k, v in (("minLength", shortest), ("maxLength", longest)) if v is not None
            }
            model.append(Schema(kind, min_length=shortest, max_length=longest))
        elif kind == "boolean":
            model.append(Schema(kind))
        options.append({"type": kind, **own})
        together.update(own)
    # (a null option makes the union nullable, as the import has it)
    nullable = "null" in kinds
    if len(model) == 1:
        return replace(model[0], nullable=nullable), options, together
    return Schema("union", variants=tuple(model), nullable=nullable), options, together


_VALUES = (
    st.integers(-8, 8)
    | st.floats(-8, 8, allow_nan=False).map(lambda x: round(x, 1))
    | st.text(max_size=6)
    | st.booleans()
    | st.none()
    | st.lists(st.integers(), max_size=2)
)


def _named(error: Any) -> set[str]:
    """The keywords `check` takes a failure as breaking: the error's and its context's."""
    return {str(error.validator)} | {r for sub in error.context or () for r in _named(sub)}


@settings(max_examples=400, deadline=None)
@given(_union(), _VALUES, st.sampled_from(["anyOf", "oneOf", "type"]))
def test_a_union_value_is_labelled_as_the_validator_finds_it(
    union: tuple[Schema, list[dict[str, Any]], dict[str, Any]], value: Any, form: str
) -> None:
    # `type: [integer, string], maximum: 10` and 11 (an integer past its bound, not a
    # string) was labelled valid: only values of none of the options' types were invalid.
    schema, options, together = union
    doc = together if form == "type" else {form: options}
    errors = list(Draft202012Validator(doc).iter_errors(value))
    rule = violated_rule(schema, value)
    assert (rule is None) == (not errors), (rule, [e.message for e in errors])
    if errors:
        named = set().union(*(_named(e) for e in errors))
        assert RULE_ALIASES.get(rule, frozenset({rule})) & named, (rule, named)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (11, "maximum"),
        (0, "minimum"),
        ("abcdef", "maxLength"),
        (5, None),
        ("abc", None),
        (True, "type"),
    ],
)
def test_a_union_value_past_its_types_bound_breaks_the_bound(value: Any, rule: str | None) -> None:
    union = Schema(
        "union", variants=(Schema("integer", minimum=1, maximum=10), Schema("string", max_length=5))
    )
    assert violated_rule(union, value) == rule


@pytest.mark.parametrize(
    ("schema", "document"),
    [
        (
            Schema("number", minimum=0, exclusive_minimum=True, maximum=5, multiple_of=0.5),
            {"type": "number", "exclusiveMinimum": 0, "maximum": 5, "multipleOf": 0.5},
        ),
        (
            Schema("number", minimum=0, maximum=999999.99, multiple_of=0.01),
            {"type": "number", "minimum": 0, "maximum": 999999.99, "multipleOf": 0.01},
        ),
        (
            Schema("number", minimum=-3.3, maximum=2.2, multiple_of=0.1),
            {"type": "number", "minimum": -3.3, "maximum": 2.2, "multipleOf": 0.1},
        ),
        (
            Schema("integer", minimum=10, maximum=100, multiple_of=5),
            {"type": "integer", "minimum": 10, "maximum": 100, "multipleOf": 5},
        ),
    ],
)
@pytest.mark.parametrize("kind", ["overflow", "underflow"])
def test_a_value_past_a_bound_keeps_to_multiple_of(
    schema: Schema, document: dict[str, Any], kind: str
) -> None:
    # An underflow of `exclusiveMinimum: 0, multipleOf: 0.5` was -0.9999995 and an overflow
    # of an integer's maximum of 100 with `multipleOf: 5` was 101: each broke multipleOf as
    # well as the bound its label names, so the record was invalid for two reasons.
    leaf = Leaf(("v",), schema, True, True)
    payload: dict[str, Any] = {"v": None}
    outcome = MUTATIONS[kind].apply(payload, leaf, np.random.default_rng(1))
    assert outcome is not None and outcome.rule is not None
    errors = list(Draft202012Validator(document).iter_errors(payload["v"]))
    assert [e.validator for e in errors] == [outcome.rule], (payload, outcome)


def test_a_nul_in_a_ddl_column_whose_name_holds_a_dot_is_labelled(tmp_path: Path) -> None:
    # A text column cannot store NUL: such a value is labelled 'encoding'. The label's
    # field path was split at its dots to find the value, so a column "a.b" (quoted in
    # the DDL) was read as a.b nested, found nothing, and its NUL went out labelled valid.
    ddl = tmp_path / "t.sql"
    ddl.write_text('CREATE TABLE notes (id INTEGER PRIMARY KEY, "a.b" TEXT NOT NULL);\n')
    profile = tmp_path / "notes.yaml"
    imported = run_cli(["import-schema", str(ddl), "-o", str(profile), "-t", "file", "-c", "20000"])
    assert imported.code == 0, imported.stderr
    out = tmp_path / "out"
    made = run_cli(
        ["generate", str(profile), "--persona", "edge_case_user", "-s", "1", "-o", str(out)]
    )
    assert made.code == 0, made.stderr
    with next(out.glob("*.csv")).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with_nul = [r for r in rows if "\x00" in r["a.b"]]
    assert len(with_nul) > 10
    assert all(r["_expected_valid"] == "false" for r in with_nul)
    assert all("a.b:encoding" in r["_violations"] for r in with_nul)


@pytest.mark.parametrize(
    ("dotted", "record", "key"),
    [
        ("address.city", {"address": {"city": "x"}}, "address"),
        ("a.b", {"a.b": "x"}, "a.b"),  # a name with a dot (a DDL column, a property)
        ("a.b.c", {"a.b": {"c": 1}}, "a.b"),
        ("a.b.c", {"a": {"b.c": 1}, "a.b": 2}, "a.b"),  # (the longest prefix held)
        ("gone.city", {"address": {}}, "gone"),  # left out: not a key of the record
        ("name", {}, "name"),
    ],
)
def test_a_label_path_names_the_top_level_key_it_starts_with(
    dotted: str, record: dict[str, Any], key: str
) -> None:
    assert top_key(dotted, record) == key
