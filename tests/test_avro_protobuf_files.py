"""Avro object container files and length-delimited Protobuf: read back equal to the JSON twin."""

from __future__ import annotations

import csv
import datetime
import decimal
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import fastavro
import pytest
import yaml
from fastavro.schema import parse_schema

from persona_gen import PersonaCatalog
from persona_gen.entities.builtin import builtin_domain
from persona_gen.errors import OutputError
from persona_gen.importers.protobuf import descriptor_set, message_class
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.generate import plan
from persona_gen.runtime.write import write_dataset
from persona_gen.sinks.avro import avro_schema_from_entity
from persona_gen.sinks.protobuf import read_delimited, varint
from persona_gen.sinks.tables import table_for
from tests.helpers import SCHEMAS, import_object, import_profile, run_cli


def _profile(tmp: Path, schema: str, dtype: str, entity: str | None = None) -> Path:
    return import_profile(tmp / "schemas", tmp / "p.yaml", schema, dtype, count=150, entity=entity)


def _write(profile_path: Path, fmt: str, out: Path, persona: str, workers: int = 1) -> Path:
    """What ``generate`` does, with the profile handed to the encoder (the CLI wiring)."""
    profile = load_profile(profile_path)
    (item,) = plan(
        profile, PersonaCatalog(), persona=persona, seed=5, out_dir=None, fresh_seed=lambda: 5
    )
    write_dataset(item.dataset(profile), out, fmt, profile=profile, workers=workers)
    return out


def _plain(value: Any) -> Any:
    """An Avro datum read back as the JSON twin spells it."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()  # this schema's only bytes value is a fixed (hex text in JSON)
    return value


def _without_absent(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_absent(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_absent(v) for v in value]
    return value


@pytest.mark.parametrize("workers", [1, 2])
def test_avro_from_imported_schema_equals_json_twin(tmp_path: Path, workers: int) -> None:
    profile = _profile(tmp_path, "user-event.avsc", "streaming")
    twin = _write(profile, "json", tmp_path / "twin.json", "normal_user")
    avro = _write(profile, "avro", tmp_path / "data.avro", "normal_user", workers)
    with avro.open("rb") as f:
        reader = fastavro.reader(f)
        assert reader.writer_schema["name"] == "com.example.events.UserEvent"
        back = [_plain(r) for r in reader]
    payloads = [r["payload"] for r in json.loads(twin.read_bytes())]
    assert len(back) == len(payloads) == 150
    assert [_without_absent(b) for b in back] == [_without_absent(p) for p in payloads]


def test_avro_derived_from_builtin_domain_via_quick(tmp_path: Path) -> None:
    out = tmp_path / "events.avro"
    args = ["quick", "normal_user", "-t", "streaming", "-n", "300", "-s", "2"]
    assert run_cli([*args, "-o", str(out), "--format", "avro"]).code == 0
    twin = tmp_path / "events.json"
    assert run_cli([*args, "-o", str(twin)]).code == 0
    with out.open("rb") as f:
        reader = fastavro.reader(f)
        assert isinstance(reader.writer_schema, list)  # User and Order events: a union
        back = [_plain(r) for r in reader]
    payloads = [r["payload"] for r in json.loads(twin.read_bytes())]
    assert len(back) == len(payloads)
    assert [_without_absent(b) for b in back] == [_without_absent(p) for p in payloads]


def test_avro_schema_from_entity_maps_the_model() -> None:
    schema = avro_schema_from_entity(builtin_domain("user"), "User")
    parse_schema(schema)  # fastavro accepts it
    fields = {f["name"]: f for f in schema["fields"]}
    assert schema["type"] == "record" and schema["name"] == "User"
    assert fields["id"]["type"] == {"type": "string", "logicalType": "uuid"}
    assert fields["created_at"]["type"] == {"type": "long", "logicalType": "timestamp-millis"}
    assert fields["status"]["type"]["type"] == "enum"
    assert fields["address"]["type"]["type"] == "record"
    optional = [f for f in schema["fields"] if isinstance(f["type"], list)]
    assert optional and all(f["type"][0] == "null" and f["default"] is None for f in optional)


def test_avro_file_rows_and_invalid_records(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "users.sql", "file", "users")
    out = _write(profile, "avro", tmp_path / "rows.avro", "normal_user")
    with out.open("rb") as f:
        assert len(list(fastavro.reader(f))) == 150
    legacy = _profile(tmp_path, "user-event.avsc", "streaming")
    with pytest.raises(OutputError, match="expected_valid: false"):
        _write(legacy, "avro", tmp_path / "legacy.avro", "legacy_client")
    assert not (tmp_path / "legacy.avro").exists()


def test_protobuf_delimited_parses_back(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "user.proto", "streaming", "User")
    twin = _write(profile, "json", tmp_path / "twin.json", "normal_user")
    out = _write(profile, "protobuf", tmp_path / "users.pb", "normal_user", workers=2)
    cls = message_class(descriptor_set(tmp_path / "schemas" / "user.proto"), "User")
    messages = [cls.FromString(m) for m in read_delimited(out.read_bytes())]
    payloads = [r["payload"] for r in json.loads(twin.read_bytes())]
    assert len(messages) == len(payloads) == 150
    from persona_gen.importers.protobuf import to_message

    assert messages == [to_message(p, cls) for p in payloads]


def test_protobuf_needs_a_proto_profile(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "user-event.avsc", "streaming")
    with pytest.raises(OutputError, match=r"imported from a \.proto"):
        _write(profile, "protobuf", tmp_path / "x.pb", "normal_user")
    result = run_cli(["quick", "normal_user", "-t", "streaming", "-n", "3", "--format", "protobuf",
                      "-o", str(tmp_path / "q.pb")])  # fmt: skip
    assert result.code != 0 and "imported from a .proto" in result.stderr


def test_varint_round_trip() -> None:
    data = b"".join(varint(len(m)) + m for m in (b"", b"x" * 300, b"y" * 20000))
    assert [len(m) for m in read_delimited(data)] == [0, 300, 20000]


@pytest.mark.parametrize(
    ("schema", "entity", "fmt"),
    [("user-event.avsc", None, "avro"), ("user.proto", "User", "protobuf")],
)
def test_binary_files_are_byte_identical_for_one_seed(
    tmp_path: Path, schema: str, entity: str | None, fmt: str
) -> None:
    # Avro's sync marker and protobuf map order are not fixed by default: both are here.
    profile = _profile(tmp_path, schema, "streaming", entity)
    one = _write(profile, fmt, tmp_path / f"one.{fmt}", "noisy_device").read_bytes()
    two = _write(profile, fmt, tmp_path / f"two.{fmt}", "noisy_device", workers=2).read_bytes()
    assert one == two


def test_avro_header_schema_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # fastavro copies a field's doc/default/aliases in set order: the header must not.
    profile = _profile(tmp_path, "user-event.avsc", "streaming")
    script = (
        "import sys; from pathlib import Path; from tests.test_avro_protobuf_files import _write;"
        "_write(Path(sys.argv[1]), 'avro', Path(sys.argv[2]), 'normal_user')"
    )
    outputs = []
    for hash_seed in ("0", "1", "2"):
        out = tmp_path / f"h{hash_seed}.avro"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", script, str(profile), str(out)],
            check=True,
            env=env,
            cwd=Path(__file__).parent.parent,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_avro_without_its_avsc_warns_and_derives_a_schema(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    avsc = tmp_path / "schemas" / "user-event.avsc"
    avsc.parent.mkdir()
    shutil.copy(SCHEMAS / "user-event.avsc", avsc)
    args = ["import-schema", str(avsc), "-o", str(profile)]
    assert run_cli([*args, "-c", "20", "--output-format", "avro"]).code == 0
    doc = yaml.safe_load(profile.read_text())
    (dataset,) = doc["datasets"]
    doc["datasets"].append({**dataset, "name": "again", "output": "again.avro"})
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    avsc.unlink()  # (the profile, which names it, is kept without it)
    result = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "3"])
    assert result.code == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.avro"))) == 2
    # Said once, not once per dataset that shares the missing file (validate too).
    missing = "user-event.avsc (the profile's Avro schema) was not found"
    assert result.stderr.count(missing) == 1, result.stderr
    assert run_cli(["validate", str(profile)]).stderr.count(missing) == 1


def test_avro_file_of_a_null_namespace_type_inside_a_namespaced_record_reads_back(
    tmp_path: Path,
) -> None:
    # fastavro's parse drops `"namespace": ""`: the header it wrote from its parsed schema
    # put the inner record in `n`, and reading the file failed on a redefined `n.A`.
    schema = {
        "type": "record",
        "name": "A",
        "namespace": "n",
        "fields": [
            {"name": "id", "type": "long"},
            {
                "name": "inner",
                "type": {
                    "type": "record",
                    "name": "A",
                    "namespace": "",
                    "fields": [{"name": "x", "type": "int"}],
                },
            },
        ],
    }
    source = tmp_path / "a.avsc"
    source.write_text(json.dumps(schema))
    profile = tmp_path / "p.yaml"
    result = run_cli(["import-schema", str(source), "-e", "n.A", "-o", str(profile), "-c", "20"])
    assert result.code == 0, result.stderr
    out = _write(profile, "avro", tmp_path / "a.avro", "normal_user")
    with out.open("rb") as f:
        rows = list(fastavro.reader(f))
    assert len(rows) == 20
    assert all(isinstance(r["inner"]["x"], int) for r in rows)


def test_avro_from_a_proto_with_a_oneof_and_nested_messages(tmp_path: Path) -> None:
    # Each record carries one member of the oneof: the derived record has all of them, and a
    # nested message's reference to a top-level one resolves (no namespaces in the names).
    proto = tmp_path / "schemas" / "shop.proto"
    proto.parent.mkdir()
    proto.write_text(
        'syntax = "proto3";\n'
        "message Money { int64 units = 1; }\n"
        "message Order {\n"
        "  string id = 1;\n"
        "  repeated LineItem items = 2;\n"
        "  oneof payment { string voucher = 3; Card card = 4; }\n"
        "  message LineItem { string sku = 1; Money price = 2; }\n"
        "  message Card { string last4 = 1; }\n"
        "}\n"
    )
    profile = tmp_path / "p.yaml"
    args = ["import-schema", str(proto), "-e", "Order", "-t", "streaming", "-o", str(profile)]
    assert run_cli([*args, "--output-format", "avro", "-c", "200"]).code == 0
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-s", "2", "-o", str(out)])
    assert result.code == 0, result.stderr
    (data,) = out.glob("*.avro")
    with data.open("rb") as f:
        assert len(list(fastavro.reader(f))) == 200
    checked = run_cli(["check", str(data), "--profile", str(profile)])
    assert checked.code == 0, checked.stderr


def test_the_largest_float_reads_back_from_a_protobuf_file(tmp_path: Path) -> None:
    # MessageToDict writes it as 3.4028235e+38, above the float range as a double.
    from persona_gen.importers.protobuf import to_message
    from persona_gen.runtime.records import read_protobuf

    proto = tmp_path / "w.proto"
    proto.write_text('syntax = "proto3";\nmessage W { float w = 1; repeated float ws = 2; }\n')
    cls = message_class(descriptor_set(proto), "W")
    largest = 3.4028234663852886e38
    msg = to_message({"w": largest, "ws": [-largest, 1.5]}, cls)
    blob = msg.SerializeToString()
    (tmp_path / "w.protobuf").write_bytes(varint(len(blob)) + blob)
    (doc,) = read_protobuf(tmp_path / "w.protobuf", cls)
    assert doc == {"w": largest, "ws": [-largest, 1.5]}
    assert to_message(doc, cls) == msg


def test_a_failing_dataset_of_a_profile_is_named(tmp_path: Path) -> None:
    profile = import_profile(
        tmp_path / "schemas", tmp_path / "p.yaml", "user-event.avsc", "streaming",
        count=100, fmt="avro",
    )  # fmt: skip
    args = ["generate", str(profile), "--persona", "legacy_client", "-s", "1"]
    result = run_cli([*args, "-o", str(tmp_path / "o")])
    assert result.code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("persona-gen: error: dataset 'UserEvent_streaming': avro:")


def test_fault_data_is_refused_for_schema_files_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """Fault records break their schema on purpose: an Avro or Protobuf file, which holds
    only records that fit it, is refused up front, not after a header and a few records."""
    out = tmp_path / "f.avro"
    result = run_cli(["quick", "normal_user", "-t", "fault", "-s", "5", "-f", "avro", "-n", "50",
                      "-o", str(out)])  # fmt: skip
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "avro: fault records are broken on purpose" in result.stderr
    assert not out.exists()
    to_stdout = run_cli(["quick", "normal_user", "-t", "fault", "-n", "5", "-f", "avro"])
    assert to_stdout.code == 1 and to_stdout.stdout == b""
    # quick has no profile: protobuf names the fault records as the reason, not the missing
    # .proto profile (whose `generate` would refuse fault data as well)
    as_pb = run_cli(["quick", "normal_user", "-t", "fault", "-n", "5", "-f", "protobuf",
                     "-o", str(tmp_path / "f.pb")])  # fmt: skip
    assert as_pb.code == 1 and "Traceback" not in as_pb.stderr
    lines = as_pb.stderr.strip().splitlines()
    assert len(lines) == 1 and "protobuf: fault records are broken on purpose" in lines[0], lines
    assert "csv or parquet" in lines[0]


def test_a_record_that_does_not_fit_is_named_by_its_index_in_one_short_line() -> None:
    """A fault record's 64 KiB value is cut in the message, which names the record by its
    index in the dataset (a payload after the first is encoded apart, in a worker)."""
    from persona_gen.errors import RecordOutputError
    from persona_gen.runtime.dataset import Dataset
    from persona_gen.runtime.parallel import _encode
    from persona_gen.seeds import BLOCK_SIZE
    from persona_gen.sinks.avro import avro_encoder_for

    dataset = Dataset([(PersonaCatalog().get("normal_user"), 1.0)], "fault", 5000, 5)
    encoder = avro_encoder_for(dataset, skip_invalid=True)
    encoder.skip_invalid = False  # (as a file would need: fault data is refused before that)
    with pytest.raises(RecordOutputError) as cut:
        _encode(dataset, encoder, (((0, 0, BLOCK_SIZE),), True))
    assert str(cut.value).startswith("avro: record 2 labelled expected_valid: false does not fit")
    assert "[65538 characters]" in str(cut.value) and len(str(cut.value)) < 1000
    with pytest.raises(RecordOutputError) as caught:
        _encode(dataset, encoder, (((1, 0, BLOCK_SIZE),), False))
    first = next(
        r["index"] for r in dataset.block(1) if r["expected_valid"] is False
    )  # (the first broken record of block 1 that Avro cannot hold)
    assert caught.value.index >= first >= BLOCK_SIZE
    assert str(caught.value).startswith(f"avro: record {caught.value.index} ")
    import pickle

    assert str(pickle.loads(pickle.dumps(caught.value))) == str(caught.value)


def _event_project(root: Path) -> Path:
    """A project whose .proto lies below the profile's folder, importing a file beside it
    and one from a sibling folder (the tree's root is ``schemas/``)."""
    files = {
        "schemas/common/money.proto": 'syntax = "proto3";\npackage demo.common;\n'
        "message Money { string currency = 1; int64 units = 2; }\n",
        "schemas/sub/kind.proto": 'syntax = "proto3";\npackage demo.events;\n'
        "enum Kind { KIND_UNSPECIFIED = 0; KIND_BUY = 1; }\n",
        "schemas/sub/event.proto": 'syntax = "proto3";\npackage demo.events;\n\n'
        'import "kind.proto";\nimport "common/money.proto";\n\n'
        "message Event {\n  string id = 1;\n  Kind kind = 2;\n  demo.common.Money amount = 3;\n}\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "schemas" / "sub" / "event.proto"


def test_a_proto_below_the_profiles_folder_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``source.file`` is the schema's path from the profile's folder, so the profile finds
    ``schemas/sub/event.proto`` (import-schema refused it, naming its trial file) from any
    current directory, and the records check against it."""
    project = tmp_path / "x"
    _event_project(project)
    monkeypatch.chdir(project)
    args = ["import-schema", "schemas/sub/event.proto", "-t", "streaming", "-c", "30"]
    result = run_cli([*args, "--output-format", "protobuf", "-o", "profile.yaml"])
    assert result.code == 0, result.stderr
    profile = project / "profile.yaml"
    assert yaml.safe_load(profile.read_text())["source"]["file"] == "schemas/sub/event.proto"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_cli(["generate", "../x/profile.yaml", "-o", "out", "-s", "1"])
    assert result.code == 0, result.stderr
    data = elsewhere / "out" / "Event_streaming.protobuf"
    checked = run_cli(["check", str(data), "--profile", "../x/profile.yaml"])
    assert checked.code == 0, checked.stderr
    assert "../x/schemas/sub/event.proto (protobuf)" in checked.stderr
    assert "checked  │ 30" in checked.stderr


def test_a_broken_proto_below_the_profile_is_named_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = _event_project(tmp_path / "x")
    args = ["import-schema", str(event), "-t", "streaming", "--output-format", "protobuf"]
    assert run_cli([*args, "-o", str(tmp_path / "x" / "profile.yaml")]).code == 0
    monkeypatch.chdir(tmp_path)
    text = event.read_text()
    event.write_text(text.replace("string id = 1;", "string id = 1"), encoding="utf-8")
    result = run_cli(["generate", "x/profile.yaml", "-o", "out", "-s", "1"])
    assert result.code == 1
    assert result.stderr.strip() == (
        "persona-gen: error: dataset 'Event_streaming': x/schemas/sub/event.proto:9:3: "
        'Expected ";"'
    )
    event.write_text(text.replace("common/money.proto", "common/gone.proto"), encoding="utf-8")
    result = run_cli(["generate", "x/profile.yaml", "-o", "out", "-s", "1"])
    assert result.code == 1
    assert result.stderr.startswith(
        "persona-gen: error: dataset 'Event_streaming': x/schemas/sub/event.proto:5:1: "
        'import "common/gone.proto" was not found in x/schemas/sub, in a folder above '
        "x/schemas/sub or among"
    )


def test_a_profile_away_from_its_proto_is_named_not_the_import_check(tmp_path: Path) -> None:
    """import-schema checks the profile it will write through a trial file beside it: what
    it refuses names the profile, never the trial."""
    from persona_gen.runtime.schema_import import write_checked_profile

    imported = _profile(tmp_path, "user.proto", "streaming", "User")
    doc = yaml.safe_load(imported.read_text())
    doc["datasets"][0]["format"] = "protobuf"
    doc["source"]["file"] = "gone/user.proto"
    (tmp_path / "schemas" / "user.proto").unlink()
    profile = tmp_path / "q.yaml"
    with pytest.raises(OutputError) as info:
        write_checked_profile(profile, doc, ())
    message = str(info.value)
    assert "'gone/user.proto' (the profile's .proto) was not found from the folder of " in message
    assert str(profile) in message and "import-check" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml", "schemas"]  # (no trial)


NULLABLE_RECORD = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "string"},
        {
            "name": "ship_to",
            "type": {
                "type": "record",
                "name": "Address",
                "fields": [
                    {"name": "street", "type": "string"},
                    {"name": "zip", "type": ["null", "string"], "default": None},
                ],
            },
        },
        {"name": "bill_to", "type": ["null", "shop.Address"], "default": None},
    ],
}


@pytest.mark.parametrize("persona", ["normal_user", "edge_case_user"])
def test_file_rows_of_a_nullable_record_field(tmp_path: Path, persona: str) -> None:
    """A ``["null", Address]`` field spread as columns: a row whose columns of it are all
    empty held null there. The reference's nullability was lost on the way to the columns,
    so the empty columns read back as ``{"zip": None}``, no Address: every such row of an
    Avro file stopped the run, and check failed it ("fits no branch of the union")."""
    avsc = tmp_path / "order.avsc"
    avsc.write_text(json.dumps(NULLABLE_RECORD))
    profile = tmp_path / "order.yaml"
    made = run_cli(["import-schema", str(avsc), "-t", "file", "-c", "300", "-o", str(profile)])
    assert made.code == 0, made.stderr
    rows = _write(profile, "jsonl", tmp_path / "rows.jsonl", persona)
    checked = run_cli(["check", str(rows), "--profile", str(profile)])
    assert checked.code == 0, checked.stderr
    valid = [json.loads(line) for line in rows.read_text().splitlines()]
    valid = [r for r in valid if r["_expected_valid"]]
    assert any(r["bill_to.street"] is None for r in valid)
    # the columns of a nullable record may be NULL in a created table
    domain = load_profile(profile).domain
    columns = {c.name: c for c in table_for(domain.entity("shop.Order"), domain).columns}
    assert columns["ship_to.street"].not_null and not columns["bill_to.street"].not_null
    if persona == "normal_user":  # (edge_case_user's invalid rows cannot be Avro)
        out = _write(profile, "avro", tmp_path / "rows.avro", persona)
        with out.open("rb") as f:
            back = list(fastavro.reader(f))
        assert len(back) == 300
        assert any(r["bill_to"] is None for r in back) and any(r["bill_to"] for r in back)


@pytest.mark.parametrize("dtype", ["file", "streaming"])
def test_properties_that_are_no_avro_names_are_written_under_avro_names(
    tmp_path: Path, dtype: str
) -> None:
    # "first-name" was written as the Avro field first_name while records kept the key
    # "first-name": every record was refused ("['first-name'] not fields of Thing"). Beside a
    # property first_name it takes first_name_2; the model's name rides in the field.
    properties = {
        "first-name": {"type": "string", "maxLength": 8},
        "first_name": {"type": "integer", "minimum": 0, "maximum": 9},
        "2fa": {"type": "boolean"},
    }
    profile = import_object(tmp_path, properties, dtype, count=50, fmt="avro")
    fields, datums = _written_and_checked_avro(profile, tmp_path / "out")
    named = {f["name"]: f.get("persona_gen_name") for f in fields}
    assert named == {"first_name_2": "first-name", "first_name": None, "_2fa": "2fa"}
    assert len(datums) >= 45 and all(isinstance(d["first_name_2"], str) for d in datums)
    assert all(0 <= d["first_name"] <= 9 for d in datums)


def test_objects_whose_avro_record_names_would_meet_get_names_of_their_own(
    tmp_path: Path,
) -> None:
    # "a-b" and "a_b" objects were both the record Thing_a_b: "redefined named type".
    def holding(name: str, kind: str) -> dict[str, Any]:
        return {"type": "object", "required": [name], "properties": {name: {"type": kind}}}

    properties = {"a-b": holding("x", "integer"), "a_b": holding("y", "string")}
    profile = import_object(tmp_path, properties, "file", count=20, fmt="avro")
    fields, datums = _written_and_checked_avro(profile, tmp_path / "out")
    assert len(datums) == 20
    assert [f["type"]["name"] for f in fields] == ["Thing_a_b_2", "Thing_a_b"]


def _written_and_checked_avro(profile: Path, out: Path) -> tuple[list[Any], list[Any]]:
    """The writer schema's fields and the datums of the Avro file ``generate`` writes from
    ``profile`` (seed 3), which ``check`` passes."""
    result = run_cli(["generate", str(profile), "-s", "3", "-o", str(out)])
    assert result.code == 0, result.stderr
    [avro] = out.glob("*.avro")
    with avro.open("rb") as f:
        reader = fastavro.reader(f)
        fields, datums = reader.writer_schema["fields"], list(reader)
    checked = run_cli(["check", "--profile", str(profile), str(avro)])
    assert checked.code == 0, checked.stdout.decode() + checked.stderr
    return fields, datums


@pytest.mark.parametrize("dtype", ["streaming", "file"])
def test_a_proto3_scalar_left_null_is_written_to_avro(tmp_path: Path, dtype: str) -> None:
    # A noisy device's lost reading is null, which a protobuf message reads as the field left
    # out (valid: a proto3 scalar takes its default). The Avro schema derived for it gave
    # the field no null, so every such record stopped the run ("expected a number, got
    # null ... write json/jsonl for negative data"), though it is labelled valid.
    source, profile = tmp_path / "reading.proto", tmp_path / "p.yaml"
    source.write_text(
        'syntax = "proto3";\n'
        "message Reading {\n"
        "  string device_id = 1; double temperature_c = 2; int32 humidity_pct = 3;\n"
        "}\n"
    )
    args = ["import-schema", str(source), "-t", dtype, "--output-format", "avro", "-o"]
    assert run_cli([*args, str(profile)]).code == 0
    out = tmp_path / "out"
    result = run_cli(
        ["generate", str(profile), "--persona", "noisy_device", "-s", "1", "-o", str(out)]
    )
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if p.suffix == ".avro")
    with data.open("rb") as f:
        rows = list(fastavro.reader(f))
    assert any(r["temperature_c"] is None for r in rows)  # (streaming: the payloads)
    check = run_cli(["check", str(data), "--profile", str(profile)])
    assert check.code == 0, check.stdout


def test_an_empty_nested_required_string_in_csv_reads_back_as_empty(tmp_path: Path) -> None:
    # CSV writes "" and null alike. A top-level required string's empty cell was read as
    # "", but a nested one's (a proto2 `required string name` of an optional supplier) as
    # left out: `check` failed correct rows ("missing required fields:
    # primary_supplier.name"). An object whose cells are all empty is still absent.
    source, profile = tmp_path / "inv.proto", tmp_path / "p.yaml"
    source.write_text(
        'syntax = "proto2";\npackage warehouse;\n'
        "message StockItem {\n  required string sku = 1;\n"
        "  message Supplier { required string name = 1; optional string country = 2; }\n"
        "  optional Supplier primary_supplier = 2;\n}\n"
    )
    args = ["import-schema", str(source), "-t", "file", "--output-format", "csv", "-c", "300"]
    assert run_cli([*args, "-o", str(profile)]).code == 0
    out = tmp_path / "out"
    generate = ["generate", str(profile), "--persona", "edge_case_user", "-s", "1", "-o", str(out)]
    assert run_cli(generate).code == 0
    data = out / "StockItem_file.csv"
    with data.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert any(
        r["primary_supplier.name"] == "" and r["primary_supplier.country"] for r in rows
    )  # (the case itself: an empty name of a supplier that is there)
    report = tmp_path / "r.json"
    check = run_cli(["check", str(data), "--profile", str(profile), "--report", str(report)])
    assert check.code == 0, check.stdout
    assert json.loads(report.read_text())["passed"] > 250


@pytest.mark.parametrize(
    ("name", "text", "edit", "fmt"),
    [
        (
            "o.proto",
            'syntax = "proto3";\nmessage Order { string id = 1; double weight_kg = 2; }\n',
            ("weight_kg", "weight_g"),
            "protobuf",
        ),
        (
            "o.avsc",
            '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}, '
            '{"name": "qty", "type": "int"}]}',
            ('"int"', '"boolean"'),
            "avro",
        ),
    ],
)
def test_a_schema_file_changed_since_the_import_is_named_when_a_record_does_not_fit(
    tmp_path: Path, name: str, text: str, edit: tuple[str, str], fmt: str
) -> None:
    # The message said "write json/jsonl for negative data" of a valid record: the schema
    # file had been edited after the import, as the profile's sha256 shows.
    source, profile = tmp_path / name, tmp_path / "p.yaml"
    source.write_text(text)
    args = ["import-schema", str(source), "-t", "streaming", "--output-format", fmt]
    assert run_cli([*args, "-o", str(profile)]).code == 0
    source.write_text(text.replace(*edit))
    result = run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "out")])
    assert result.code == 1
    assert result.stderr.endswith(
        f"({source} has changed since the profile was imported: import it again, with "
        "import-schema --force)\n"
    )
    assert result.stderr.count("\n") == 1
