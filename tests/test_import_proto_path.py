"""import-schema -I/--proto-path: a .proto importing files of another root, as protoc's -I,
recorded in the profile so generate and check compile it again from any directory."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from persona_gen.errors import PersonaGenError
from tests.helpers import run_cli

EVENT = """syntax = "proto3";
package app;
import "shared/money.proto";
message Event {
  string id = 1;
  shared.Money amount = 2;
}
"""
MONEY = """syntax = "proto3";
package shared;
message Money {
  string currency = 1;
  int64 units = 2;
}
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``app/event.proto`` imports ``shared/money.proto``, which lies under ``vendor/``: no
    folder above ``app/`` holds it, so only ``-I vendor`` finds it. The current directory is
    the tree's root."""
    (tmp_path / "app").mkdir()
    (tmp_path / "vendor" / "shared").mkdir(parents=True)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "app" / "event.proto").write_text(EVENT)
    (tmp_path / "vendor" / "shared" / "money.proto").write_text(MONEY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _import(*extra: str) -> tuple[int, str]:
    args = ["import-schema", "app/event.proto", "-o", "profiles/event.yaml", "-c", "20"]
    result = run_cli([*args, *extra])
    return result.code, result.stderr


def test_without_the_include_folder_the_import_is_not_found(tree: Path) -> None:
    code, stderr = _import()
    assert code == 1
    assert stderr.startswith('persona-gen: error: app/event.proto:3:1: import "shared/money.proto"')


def test_proto_path_is_used_and_recorded_for_generate_and_check(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, stderr = _import("-I", "vendor", "--output-format", "protobuf")
    assert code == 0, stderr
    source = yaml.safe_load((tree / "profiles" / "event.yaml").read_text())["source"]
    assert source["file"] == "../app/event.proto"
    assert source["proto_path"] == ["../vendor"]  # (from the profile's folder, as file is)

    elsewhere = tree / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    profile = "../profiles/event.yaml"
    made = run_cli(["generate", profile, "-o", "out", "-s", "3"])
    assert made.code == 0, made.stderr
    data = "out/Event_streaming.protobuf"
    checked = run_cli(["check", data, "--profile", profile])
    assert checked.code == 0, checked.stderr
    assert "│ passed   │ 20 " in checked.stderr and "│ result   │ OK " in checked.stderr


def test_proto_path_is_repeatable_and_validated(tree: Path) -> None:
    (tree / "more").mkdir()
    code, stderr = _import("-I", "more", "--proto-path", "vendor")
    assert code == 0, stderr
    source = yaml.safe_load((tree / "profiles" / "event.yaml").read_text())["source"]
    assert source["proto_path"] == ["../more", "../vendor"]
    code, stderr = _import("-I", "nowhere", "--force")
    assert (code, stderr.strip()) == (
        1,
        "persona-gen: error: -I/--proto-path: 'nowhere' is not a folder",
    )


def test_proto_path_is_refused_for_other_formats(tree: Path) -> None:
    schemas = Path(__file__).resolve().parent.parent / "schemas"
    avsc = str(schemas / "user-event.avsc")
    result = run_cli(["import-schema", avsc, "-I", "vendor", "-o", "profiles/u.yaml"])
    assert result.code == 1
    assert result.stderr.strip() == (
        f"persona-gen: error: -I/--proto-path applies to Protobuf schemas; {avsc} is read as avro"
    )
    assert not (tree / "profiles" / "u.yaml").exists()


def test_an_error_in_a_file_found_through_proto_path_names_that_file(tree: Path) -> None:
    money = tree / "vendor" / "shared" / "money.proto"
    money.write_text(MONEY.replace("int64 units = 2;", "int64 units = 2"))
    code, stderr = _import("-I", "vendor", "--output-format", "protobuf")
    assert code == 1
    assert stderr.startswith('persona-gen: error: vendor/shared/money.proto:6:1: Expected ";"')
    # (never protoc's working files, nor the trial profile import-schema checks)
    assert "persona-gen-protoc" not in stderr and "import-check" not in stderr
    assert not list((tree / "profiles").iterdir())

    # A profile whose include folder's file broke later: generate names the user's file too.
    money.write_text(MONEY)
    assert _import("-I", "vendor", "--output-format", "protobuf")[0] == 0
    money.write_text(MONEY.replace("int64 units = 2;", "int64 units = 2"))
    made = run_cli(["generate", "profiles/event.yaml", "-o", "out", "-s", "3"])
    assert made.code == 1
    assert "vendor/shared/money.proto:6:1: Expected" in made.stderr
    assert "persona-gen-protoc" not in made.stderr


def test_kafka_protobuf_value_takes_proto_path_folders(tree: Path) -> None:
    """``value.proto_path=DIR`` (repeatable, or comma-separated) adds folders the value
    schema's imports are searched in, as ``import-schema -I`` does; a folder that is not one
    is said as such, in our words."""
    from persona_gen.errors import UsageError
    from persona_gen.sinks.kafka_target import parse_kafka_url
    from persona_gen.sinks.kafka_values import ProtobufValue

    options = {"schema": "app/event.proto", "message": "app.Event"}
    with pytest.raises(PersonaGenError, match=r'import "shared/money\.proto" was not found'):
        ProtobufValue(options)
    (tree / "more").mkdir()
    url = "kafka://h:1/t?value=protobuf&value.proto_path=more&value.proto_path=vendor"
    given = parse_kafka_url(url).value_options
    assert given == {"proto_path": "more,vendor"}
    encode = ProtobufValue({**options, **given})
    value = {"id": "e1", "amount": {"currency": "EUR", "units": "12"}}
    assert encode.cls.FromString(encode(value)).amount.units == 12
    with pytest.raises(UsageError, match=r"^value\.proto_path: 'nowhere' is not a folder$"):
        ProtobufValue({**options, "proto_path": "vendor,nowhere"})


def test_a_profiles_kafka_proto_path_is_a_path_from_the_profiles_folder(
    tree: Path, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import secrets

    from confluent_kafka import Consumer

    from persona_gen.importers.protobuf import descriptor_set, message_class

    code, stderr = _import("-I", "vendor", "-t", "streaming")
    assert code == 0, stderr
    profile = tree / "profiles" / "event.yaml"
    topic = f"proto-path-{secrets.token_hex(5)}"
    options = (
        "create=1&value=protobuf&value.schema=../app/event.proto&value.message=app.Event"
        "&value.proto_path=../vendor"
    )
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"][0]["sink"] = f"kafka://{kafka_bootstrap}/{topic}?{options}"
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    elsewhere = tree / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    made = run_cli(["generate", "../profiles/event.yaml", "-s", "3"])
    assert made.code == 0, made.stderr
    consumer = Consumer(
        {"bootstrap.servers": kafka_bootstrap, "group.id": topic, "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    values: list[bytes] = []
    try:
        for _ in range(60):
            values += [m.value() for m in consumer.consume(100, timeout=1.0) if not m.error()]
            if len(values) >= 20:
                break
    finally:
        consumer.close()
    event = message_class(
        descriptor_set(tree / "app" / "event.proto", [tree / "vendor"]), "app.Event"
    )
    assert len(values) == 20
    assert all(event.FromString(v).id for v in values)


def test_validate_says_each_path_of_the_profile_that_leads_nowhere(tree: Path) -> None:
    """``source.proto_path`` folders and a Kafka sink's ``value.schema`` / ``value.proto_path``
    that are not there: one located message each (generate would stop at the first, and
    say ``include path … is not a directory`` without the profile's line)."""
    code, stderr = _import("-I", "vendor", "-t", "streaming")
    assert code == 0, stderr
    profile = tree / "profiles" / "event.yaml"
    doc = yaml.safe_load(profile.read_text())
    doc["source"]["proto_path"] = ["../vendor", "../gone"]
    doc["datasets"][0]["sink"] = (
        "kafka://127.0.0.1:1/t?value=protobuf&value.schema=../app/nope.proto"
        "&value.message=app.Event&value.proto_path=../vendor,../missing"
    )
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    lines = profile.read_text().splitlines()
    sink_line = next(n for n, text in enumerate(lines, 1) if "sink:" in text)
    gone_line = next(n for n, text in enumerate(lines, 1) if "../gone" in text)

    result = run_cli(["validate", "profiles/event.yaml"])
    assert result.code == 1
    assert result.stderr.splitlines() == [
        f"persona-gen: error: profiles/event.yaml:{sink_line}:3: datasets[0].sink: "
        "value.schema: 'profiles/../app/nope.proto' is not a file",
        f"profiles/event.yaml:{sink_line}:3: datasets[0].sink: "
        "value.proto_path: 'profiles/../missing' is not a folder",
        f"profiles/event.yaml:{gone_line}:5: source.proto_path[1]: '../gone' is not a folder "
        "(profiles/../gone, from the profile's folder)",
    ]

    (tree / "gone").mkdir()
    (tree / "missing").mkdir()
    doc["datasets"][0]["sink"] = doc["datasets"][0]["sink"].replace("nope", "event")
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    valid = run_cli(["validate", "profiles/event.yaml"])
    assert valid.code == 0, valid.stderr


def test_validate_says_a_missing_source_file_where_a_dataset_needs_it(tree: Path) -> None:
    """The .proto gone: the profile still makes json (its entity is embedded), so validate
    warns, at ``source.file``; a dataset written as protobuf needs it: an error there."""
    code, stderr = _import("-I", "vendor", "-t", "streaming")
    assert code == 0, stderr
    (tree / "app" / "event.proto").rename(tree / "event.proto.bak")
    profile = tree / "profiles" / "event.yaml"

    def missing() -> str:
        lines = profile.read_text().splitlines()
        line = next(n for n, text in enumerate(lines, 1) if "file:" in text)
        return (
            f"profiles/event.yaml:{line}:3: source.file: '../app/event.proto' was not found "
            "from the folder of profiles/event.yaml, nor 'event.proto' beside it, in schemas/ "
            "or in ../schemas/"
        )

    warned = run_cli(["validate", "profiles/event.yaml"])
    assert warned.code == 0, warned.stderr
    assert warned.stderr.splitlines() == [
        f"persona-gen: warning: {missing()}: check holds data to the profile's embedded entity "
        "instead"
    ]

    doc = yaml.safe_load(profile.read_text())
    doc["datasets"][0].update(format="protobuf", output="events.pb")
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    refused = run_cli(["validate", "profiles/event.yaml"])
    assert refused.code == 1
    assert refused.stderr.splitlines() == [
        f"persona-gen: error: {missing()}: dataset 'Event_streaming' is written as protobuf, "
        "whose messages are built from the .proto itself (put it back, or import the schema "
        "again)"
    ]


def test_a_file_of_the_inputs_name_in_an_include_folder_is_said_in_our_words(
    tree: Path,
) -> None:
    """protoc refuses an input that a file of the same name in an earlier include folder
    shadows; its own text ('Input is shadowed in the --proto_path…') is not ours to show."""
    said = (
        "vendor/event.proto shadows this file: protoc knows both as 'event.proto' and searches "
        "the include folder vendor first, so it would read that one instead; rename one of "
        "the two, or use vendor/event.proto in this file's place if it is the same schema"
    )
    (tree / "vendor" / "event.proto").write_text(EVENT)
    code, stderr = _import("-I", "vendor")
    assert (code, stderr.strip()) == (1, f"persona-gen: error: app/event.proto: {said}")

    # A profile whose include folder gained such a file later: generate says it the same way.
    (tree / "vendor" / "event.proto").unlink()
    assert _import("-I", "vendor", "--output-format", "protobuf")[0] == 0
    (tree / "vendor" / "event.proto").write_text(EVENT)
    made = run_cli(["generate", "profiles/event.yaml", "-o", "out", "-s", "3"])
    assert made.code == 1
    assert made.stderr.strip() == (
        f"persona-gen: error: dataset 'Event_streaming': app/event.proto: {said}"
    )


def test_generate_and_check_say_a_missing_include_folder_at_its_line(tree: Path) -> None:
    """A ``source.proto_path`` folder gone: generate and check stop before anything runs,
    at the profile's line, as validate says it (not protoc's ``include path … is not a
    directory``); check leaves the sinks' paths alone (it sends nothing)."""
    code, stderr = _import("-I", "vendor", "--output-format", "protobuf")
    assert code == 0, stderr
    made = run_cli(["generate", "profiles/event.yaml", "-o", "out", "-s", "3"])
    assert made.code == 0, made.stderr
    profile = tree / "profiles" / "event.yaml"
    doc = yaml.safe_load(profile.read_text())
    doc["source"]["proto_path"] = ["../gone"]
    doc["datasets"][0]["sink"] = "kafka://127.0.0.1:1/t?value=avro&value.schema=nope.avsc"
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    lines = profile.read_text().splitlines()
    gone_line = next(n for n, text in enumerate(lines, 1) if "../gone" in text)
    sink_line = next(n for n, text in enumerate(lines, 1) if "sink:" in text)
    said = (
        f"persona-gen: error: profiles/event.yaml:{gone_line}:5: source.proto_path[0]: "
        "'../gone' is not a folder (profiles/../gone, from the profile's folder)"
    )

    checked = run_cli(["check", "out/Event_streaming.protobuf", "--profile", "profiles/event.yaml"])
    assert checked.code == 1
    assert checked.stderr.splitlines() == [said]
    generated = run_cli(["generate", "profiles/event.yaml", "-o", "again", "-s", "3"])
    assert generated.code == 1
    assert generated.stderr.splitlines() == [  # (in the file's order)
        f"persona-gen: error: profiles/event.yaml:{sink_line}:3: datasets[0].sink: "
        "value.schema: 'profiles/nope.avsc' is not a file",
        said.removeprefix("persona-gen: error: "),
    ]
    assert not (tree / "again").exists()
