"""check on records whose values are not the types the schema says: every record is judged
(and agrees with its label or is a problem), and only persona-gen's errors escape."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona_gen.errors import PersonaGenError
from persona_gen.profiles.loader import Profile, load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from tests.helpers import run_cli

TEL_PROTO = """\
syntax = "proto3";
package acme.tel.v1;
import "google/protobuf/any.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";

message Reading {
  string device_id = 1;
  google.protobuf.Timestamp at = 2;
  google.protobuf.Any any = 3;
  google.protobuf.Struct extra = 4;
  map<string, int32> counters = 5;
}
"""
ANY_TYPE = "type.googleapis.com/"

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4) | st.sampled_from(["@type", "value"]), inner)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def tel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Profile, dict[str, Any], Path]:
    """A profile imported from a .proto with an Any field, one valid record it generated,
    and a folder to write records to."""
    tmp = tmp_path_factory.mktemp("tel")
    (tmp / "tel.proto").write_text(TEL_PROTO)
    profile = tmp / "tel.yaml"
    args = ["-e", "Reading", "-t", "streaming", "-c", "5", "--output-format", "jsonl"]
    imported = run_cli(["import-schema", str(tmp / "tel.proto"), *args, "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    generated = run_cli(["generate", str(profile), "-o", str(tmp / "out"), "-s", "1"])
    assert generated.code == 0, generated.stderr
    data = next((tmp / "out").glob("*.jsonl"))
    first = json.loads(data.read_text().splitlines()[0])
    assert first["expected_valid"] is True
    return load_profile(profile), first, tmp


def _check_one(tmp: Path, profile: Profile, record: Any) -> CheckReport:
    data = tmp / "one.jsonl"
    data.write_text(json.dumps(record) + "\n")
    return check_dataset(data, profile)


@pytest.mark.parametrize(
    "any_value",
    [
        {"@type": 32308},  # (a fault mutation's type_mismatch of "any.@type")
        {"@type": None},
        {"@type": ["x"]},
        {"@type": ANY_TYPE + "google.protobuf.Timestamp"},  # (a well-known type, no "value")
        {"@type": ANY_TYPE + "google.protobuf.Struct"},
    ],
)
def test_an_any_that_parse_dict_trusts_is_judged(
    tel: tuple[Profile, dict[str, Any], Path], any_value: dict[str, Any]
) -> None:
    profile, valid, tmp = tel
    record = copy.deepcopy(valid)
    record["payload"]["any"] = any_value
    report = _check_one(tmp, profile, record)  # labelled valid: a problem
    assert report.checked == 1 and report.failed == 1
    assert [p.kind for p in report.problems] == ["invalid"]
    assert "Any" in report.problems[0].reason
    record["expected_valid"] = False
    record["violations"] = [{"path": "any.@type", "rule": "const", "change": "type_mismatch"}]
    report = _check_one(tmp, profile, record)  # labelled invalid: it agrees
    assert report.ok and report.failed_as_labelled == 1


@pytest.mark.parametrize("violations", [True, 5, "any.@type", {"rule": "type"}])
def test_a_label_whose_violations_are_not_a_list_names_no_rule(
    tel: tuple[Profile, dict[str, Any], Path], violations: Any
) -> None:
    profile, valid, tmp = tel
    record = copy.deepcopy(valid)
    record["payload"]["any"] = {"@type": 7}
    record["expected_valid"] = False
    record["violations"] = violations
    report = _check_one(tmp, profile, record)
    assert report.ok and report.failed_as_labelled == 1


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            out += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            out += _paths(inner, (*prefix, i))
    return out


def _replaced(record: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    record = copy.deepcopy(record)
    holder = record
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = new
    return record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), new=JSON_VALUES)
def test_any_json_value_anywhere_in_a_record_only_raises_persona_gen_errors(
    tel: tuple[Profile, dict[str, Any], Path], data: st.DataObject, new: Any
) -> None:
    profile, valid, tmp = tel
    record = copy.deepcopy(valid)
    record["payload"]["any"] = {"@type": ANY_TYPE + "google.protobuf.Empty"}
    path = data.draw(st.sampled_from(_paths(record)))
    with contextlib.suppress(PersonaGenError):  # (anything else fails the test)
        _check_one(tmp, profile, _replaced(record, path, new))


# -- CSV cells of a union --------------------------------------------------------------------

UNION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "U",
    "type": "object",
    "required": ["v"],
    "properties": {
        "v": {
            "oneOf": [
                {"type": "string", "enum": ["gold", "silver"]},
                {"type": "integer", "minimum": 0},
            ]
        },
        "w": {
            "anyOf": [
                {"type": "string", "pattern": "^[0-9]+$"},
                {"type": "integer", "maximum": 10},
            ]
        },
        "n": {"oneOf": [{"type": "string", "enum": ["none"]}, {"type": "number"}]},
    },
}


@pytest.fixture(scope="module")
def union_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("union")
    (tmp / "u.schema.json").write_text(json.dumps(UNION_SCHEMA))
    profile = tmp / "u.yaml"
    args = ["-t", "file", "--output-format", "csv", "-c", "50", "-o", str(profile)]
    imported = run_cli(["import-schema", str(tmp / "u.schema.json"), *args])
    assert imported.code == 0, imported.stderr
    return profile


def test_csv_cells_of_a_union_of_string_and_integer_check_clean(
    union_profile: Path, tmp_path: Path
) -> None:
    generated = run_cli(["generate", str(union_profile), "-o", str(tmp_path), "-s", "1"])
    assert generated.code == 0, generated.stderr
    data = next(tmp_path.glob("*.csv"))
    rows = data.read_text().splitlines()[1:]
    assert any(r.split(",")[0].isdigit() for r in rows)  # (integers of the union are written)
    report = check_dataset(data, load_profile(union_profile))
    assert report.ok and report.checked == 50 and report.failed == 0, report.problems


def test_a_union_cell_reads_as_the_option_that_wrote_it(union_profile: Path) -> None:
    from persona_gen.runtime.records import FileRowShape

    domain = load_profile(union_profile).domain
    assert domain is not None
    shape = FileRowShape(domain, "U")
    row = {"v": "117", "w": "117", "n": "2,5", "_expected_valid": "true"}
    # 117 past w's integer maximum but a string of its pattern: the string option wrote it
    assert shape.record(row, text=True) == {"v": 117, "w": "117", "n": 2.5}
    row = {"v": "gold", "w": "7", "n": "none", "_expected_valid": "true"}
    assert shape.record(row, text=True) == {"v": "gold", "w": 7, "n": "none"}
    row = {"v": "-3", "w": "x", "n": "1.0", "_expected_valid": "false"}
    # -3 breaks the integer option's minimum: read as the integer, so the break shows
    assert shape.record(row, text=True) == {"v": -3, "w": "x", "n": 1.0}


# The shapes of a conditional hold postal_code to different patterns: its column is of any
# value, and a code of digits ("33795") was read back as the integer 33795.
POSTAL = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Addr",
    "type": "object",
    "required": ["country", "postal_code"],
    "properties": {"country": {"enum": ["US", "NL"]}, "postal_code": {"type": "string"}},
    "if": {"properties": {"country": {"const": "US"}}},
    "then": {"properties": {"postal_code": {"pattern": "^[0-9]{5}$"}}},
    "else": {"properties": {"postal_code": {"pattern": "^[0-9]{4} [A-Z]{2}$"}}},
}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_a_string_of_digits_in_a_field_the_shapes_differ_on_stays_a_string(
    tmp_path: Path, fmt: str
) -> None:
    (tmp_path / "a.schema.json").write_text(json.dumps(POSTAL))
    profile = tmp_path / "a.yaml"
    args = ["-t", "file", "--output-format", fmt, "-c", "200", "-o", str(profile)]
    imported = run_cli(["import-schema", str(tmp_path / "a.schema.json"), *args])
    assert imported.code == 0, imported.stderr
    generated = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"])
    assert generated.code == 0, generated.stderr
    data = next((tmp_path / "out").glob(f"*.{fmt}"))
    report = check_dataset(data, load_profile(profile))
    assert report.ok and report.checked == 200 and report.failed == 0, report.problems


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_required_field_whose_only_value_is_null_is_read_as_null(
    tmp_path: Path, fmt: str, persona: str
) -> None:
    # `deleted_at: {const: null}`, required: its null cell was read as an absent field, and
    # check reported every row as breaking `required`.
    schema = {
        "title": "C",
        "type": "object",
        "required": ["deleted_at", "v"],
        "properties": {"deleted_at": {"const": None}, "v": {"const": 3}},
    }
    (tmp_path / "c.schema.json").write_text(json.dumps(schema))
    profile = tmp_path / "c.yaml"
    args = ["-t", "file", "--output-format", fmt, "-c", "400", "-o", str(profile)]
    imported = run_cli(["import-schema", str(tmp_path / "c.schema.json"), *args])
    assert imported.code == 0, imported.stderr
    out = tmp_path / "out"
    generate = ["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "1"]
    generated = run_cli(generate)
    assert generated.code == 0, generated.stderr
    data = next(out.glob(f"*.{fmt}"))
    # (a row cannot tell a removed deleted_at from its null: such a break is undetected)
    report = check_dataset(data, load_profile(profile))
    assert report.ok and report.checked == 400, report.problems


# -- where a file stops being JSON -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("t.jsonl", '{"a":1}\n{"a":2}\n\n{"a":3}\n{"b":\n', "t.jsonl:5:6: not valid jsonl"),
        ("t.jsonl", '{"a":1}\n{"a":2} x\n', "t.jsonl:2:9: not valid jsonl"),
        ("t.json", '[{"a":1},\n  {"b":]\n', "t.json:2:8: not valid json"),
        # Bytes that are not UTF-8: where they are (orjson said "str is not valid UTF-8:
        # surrogates not allowed", at 1:1)
        ("t.json", b'[{"a":1},\n  {"b":"\xff"}]\n', "t.json:2:9: not UTF-8 text (byte 0xff"),
        ("t.jsonl", b'{"a":1}\n{"a":"ok \xc3("}\n', "t.jsonl:2:10: not UTF-8 text (byte 0xc3"),
    ],
)
def test_malformed_json_names_its_line(
    union_profile: Path, tmp_path: Path, name: str, text: str | bytes, where: str
) -> None:
    (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    result = run_cli(["check", str(tmp_path / name), "--profile", str(union_profile)])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {tmp_path / where}: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
