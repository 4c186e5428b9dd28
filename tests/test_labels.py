"""Labels name the rule a value breaks as the validator that proves them would (formats)."""

from __future__ import annotations

import pytest

from persona_gen.entities.model import Schema
from persona_gen.generators.check import violated_rule


@pytest.mark.parametrize(
    ("fmt", "value", "rule"),
    [
        ("time", "11:20:15Z", None),
        ("time", "11:20:15", "format"),  # RFC 3339 full-time needs an offset (draft 3 did not)
        ("time", "00:32:3", "format"),
        ("byte", "aGVsbG8=", None),
        ("byte", "!!# ", "format"),
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
