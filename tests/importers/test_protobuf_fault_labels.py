"""Fault labels of imported .proto profiles agree with the protobuf runtime.

Every fault record labelled invalid must be refused by ``json_format.ParseDict`` (through
``to_message``: a proto2 ``required`` field left out too), or break the rule its label names
where that rule is the proto's own but not the runtime's (an API's ``field_behavior =
REQUIRED``); every record labelled valid must be accepted. Implicit-presence fields (plain
proto3 scalars, repeated fields, maps) are always made, but ParseDict takes them left out,
and reads any field given null as left out: such records were labelled ``required`` /
``type`` (8-21% of fault records for schemas/user.proto).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from protobuf_proof import problem

from persona_gen.importers.protobuf import descriptor_set, message_class
from tests.helpers import PERSONAS, generated_rows, run_cli

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "protobuf"
N = int(os.environ.get("PROTO_FAULT_N", "400"))  # records per persona (the proof: 5000)

# Every kind of field: implicit-presence scalars, proto3 `optional`, messages, repeated and
# map fields, a oneof, well-known types (an Any left empty is the default Any; a FieldMask,
# which ParseDict takes as any text without "_"), a field the API requires. (Floats and
# bytes: FLOATS and BYTES below.)
RICH = """
syntax = "proto3";
package t.faults;
import "google/api/field_behavior.proto";
import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
message Reading {
  message Where { string site = 1; sint32 lat = 2; optional int32 floor = 3; }
  enum Unit { UNIT_UNSPECIFIED = 0; CELSIUS = 1; KELVIN = 2; }
  string device = 1 [(google.api.field_behavior) = REQUIRED];
  int32 value = 2; fixed32 gain = 3; int64 seq = 4; uint32 count = 5; sint64 delta = 6;
  bool ok = 7; Unit unit = 9;
  optional string note = 10;
  Where where = 11 [(google.api.field_behavior) = REQUIRED];
  Where backup = 12;
  repeated string tags = 13;
  map<string, int32> counters = 14;
  map<bool, string> flags = 15;
  oneof source { string sensor = 16; int32 channel = 17; }
  google.protobuf.Timestamp at = 18;
  google.protobuf.Duration took = 19;
  google.protobuf.Int32Value calibrated = 20;
  google.protobuf.Struct extra = 21;
  google.protobuf.Any payload = 22;
  google.protobuf.FieldMask mask = 23;
}
"""

LEGACY = """
syntax = "proto2";
package t.legacy;
message Rec {
  message Part { required string sku = 1; optional int32 qty = 2 [default = 1]; }
  required int32 id = 1;
  optional string label = 2 [default = "none"];
  required Part part = 3;
  optional Part spare = 4;
  repeated int64 codes = 5;
}
"""


def _required_by_api(record: dict[str, Any], label: dict[str, Any]) -> bool:
    """The record breaks the REQUIRED field behaviour of RICH (device, where), which the
    runtime does not check: the label's rule is ``required`` on one of those fields."""
    path = label["field_path"]
    return label["rule"] == "required" and path in ("device", "where") and record.get(path) is None


def fault_records(
    tmp_path: Path, proto: Path, entity: str, persona: str, n: int = N
) -> list[dict[str, Any]]:
    profile = tmp_path / f"{proto.stem}.yaml"
    if not profile.exists():
        args = ["import-schema", str(proto), "-e", entity, "-t", "fault", "-c", str(n)]
        result = run_cli([*args, "-I", str(CORPUS), "-o", str(profile), "--force"])
        assert result.code == 0, result.stderr
    return generated_rows(profile, persona, tmp_path / persona)


def disagreements(
    proto: Path, entity: str, rows: list[dict[str, Any]], api_rule: bool = False
) -> list[tuple[str, str | None, str | None, str | None]]:
    """(mutation, field path, label's rule, the runtime's complaint) of each record whose
    label the runtime disagrees with."""
    cls = message_class(descriptor_set(proto, (CORPUS,)), entity)
    out = []
    for row in rows:
        why = problem(row["record"], cls)
        refused = why is not None or (api_rule and _required_by_api(row["record"], row))
        if refused == row["expected_valid"]:
            out.append((row["mutation"], row["field_path"], row["rule"], why))
    return out


@pytest.mark.parametrize("persona", PERSONAS)
def test_user_proto_fault_labels_agree_with_parse_dict(tmp_path: Path, persona: str) -> None:
    proto = ROOT / "schemas" / "user.proto"
    rows = fault_records(tmp_path, proto, "User", persona)
    assert len(rows) == N
    assert disagreements(proto, "User", rows) == []
    # (left out or null, an implicit-presence or optional field is still a User: those
    # mutations are not chosen, and the records go to mutations the runtime refuses)
    assert not {r["mutation"] for r in rows} & {"missing_required", "null_injection"}
    assert sum(not r["expected_valid"] for r in rows) > N // 3


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user", "noisy_device"])
def test_every_kind_of_proto3_field_is_labelled_as_parse_dict_reads_it(
    tmp_path: Path, persona: str
) -> None:
    proto = tmp_path / "rich.proto"
    proto.write_text(RICH, encoding="utf-8")
    rows = fault_records(tmp_path, proto, "Reading", persona)
    assert disagreements(proto, "Reading", rows, api_rule=True) == []
    # a field the API requires, left out or null, breaks `required`
    broken = {(r["mutation"], r["field_path"]) for r in rows if r["rule"] == "required"}
    assert {p for _, p in broken} <= {"device", "where"}
    assert {m for m, _ in broken} == {"missing_required", "null_injection"}


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_proto2_required_fields_left_out_or_null_are_refused(tmp_path: Path, persona: str) -> None:
    proto = tmp_path / "legacy.proto"
    proto.write_text(LEGACY, encoding="utf-8")
    rows = fault_records(tmp_path, proto, "Rec", persona)
    assert disagreements(proto, "Rec", rows) == []
    broken = {(r["mutation"], r["field_path"]) for r in rows if r["rule"] == "required"}
    assert {p for _, p in broken} <= {"id", "part", "part.sku", "spare.sku"}
    assert {m for m, _ in broken} == {"missing_required", "null_injection"}


FLOATS = """
syntax = "proto3";
package t.floats;
message Sample {
  string id = 1;
  double temperature = 2;
  float ratio = 3;
  optional double offset = 4;
  repeated float history = 5;
}
"""


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_a_float_given_a_word_is_one_parse_dict_refuses(tmp_path: Path, persona: str) -> None:
    """ParseDict reads "NaN", "Infinity" and "-Infinity" into a float or double field: a
    type_mismatch there writes a word it refuses ("12.5abc")."""
    proto = tmp_path / "floats.proto"
    proto.write_text(FLOATS, encoding="utf-8")
    rows = fault_records(tmp_path, proto, "Sample", persona)
    assert disagreements(proto, "Sample", rows) == []
    mismatched = [r for r in rows if r["mutation"] == "type_mismatch"]
    assert len(mismatched) > 10


BYTES = """
syntax = "proto3";
package t.blobs;
message Blob {
  string id = 1;
  bytes body = 2;
  optional bytes signature = 3;
}
"""


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_bytes_are_judged_as_parse_dict_decodes_base64(tmp_path: Path, persona: str) -> None:
    """ParseDict decodes a bytes field's base64 leniently: it pads it and drops characters
    outside the alphabet, so most broken text still reads as bytes; those records are valid."""
    proto = tmp_path / "blobs.proto"
    proto.write_text(BYTES, encoding="utf-8")
    rows = fault_records(tmp_path, proto, "Blob", persona)
    assert disagreements(proto, "Blob", rows) == []
    on_bytes = [r for r in rows if r["field_path"] in ("body", "signature")]
    assert any(r["expected_valid"] for r in on_bytes)
    assert any(not r["expected_valid"] for r in on_bytes)


def test_legacy_numbers_as_text_in_a_protobuf_stream_are_valid(tmp_path: Path) -> None:
    """legacy_client writes numbers as text ("21"), which protobuf's JSON mapping reads into
    an integer or float field: its stream's labels agree with ParseDict (`check` found 3,943
    records' `type` labels undetected in 3,000 records)."""
    profile = tmp_path / "stream.yaml"
    proto = ROOT / "schemas" / "user.proto"
    args = ["import-schema", str(proto), "-e", "User", "-t", "streaming", "-c", "2000"]
    assert run_cli([*args, "-o", str(profile)]).code == 0
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "--persona", "legacy_client", "-o", str(out)])
    assert result.code == 0, result.stderr
    report = tmp_path / "report.json"
    data = out / "User_streaming.json"
    result = run_cli(["check", str(data), "--profile", str(profile), "--report", str(report)])
    assert result.code == 0, result.stderr
    found = json.loads(report.read_text())
    assert found["undetected_by_rule"] == {}
    assert found["labelled_invalid"] == found["failed_as_labelled"] > 0
    rows = json.loads(data.read_text())
    assert any(isinstance(r["payload"].get("age"), str) for r in rows)  # (numbers as text)
