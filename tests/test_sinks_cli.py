"""`--sink` from the CLI: Kafka and databases; records arrive, manifests tell, errors are clear."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from confluent_kafka import Consumer

from tests.helpers import run_cli


def test_quick_to_kafka_with_manifest(kafka_bootstrap: str, tmp_path: Path) -> None:
    topic = f"cli-{secrets.token_hex(5)}"
    manifest = tmp_path / "run.manifest.json"
    result = run_cli(
        [
            "quick",
            "noisy_device",
            "-t",
            "streaming",
            "-n",
            "300",
            "-s",
            "4",
            "--sink",
            f"kafka://{kafka_bootstrap}/{topic}?create=12",
            "--manifest",
            str(manifest),
        ]
    )
    assert result.code == 0, result.stderr
    assert "acknowledged 300, failed 0" in result.stderr
    doc = json.loads(manifest.read_text())
    assert doc["delivery"]["acknowledged"] == 300
    assert doc["seed"] == 4
    consumer = Consumer(
        {"bootstrap.servers": kafka_bootstrap, "group.id": topic, "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    got = 0
    try:
        for _ in range(60):
            got += len([m for m in consumer.consume(500, timeout=1.0) if not m.error()])
            if got >= 300:
                break
    finally:
        consumer.close()
    assert got == 300


def test_bad_sink_urls_fail_before_generating() -> None:
    for url, message, code in (
        ("kafka:/x", "is not a URL", 1),
        ("kafkaa://h:1/t", "Did you mean 'kafka'", 1),
        ("kafka://127.0.0.1:1/t", "cannot reach Kafka", 69),  # (an outage: docs/errors.md)
    ):
        result = run_cli(
            ["quick", "normal_user", "-t", "streaming", "-n", "5", "-s", "1", "--sink", url]
        )
        assert result.code == code, url
        assert message in result.stderr
        assert "Traceback" not in result.stderr


_BY_RECORD = "kafka://127.0.0.1:1/t?partition=record"
_PLAN_NONE = (
    "Kafka destination 'kafka://127.0.0.1:1/t': partition=record sends each record to the "
    "partition planned for it, and {kind} records plan none (streaming records do): use "
    "partition=auto or partition=key\n"
)


@pytest.mark.parametrize("kind", ["api", "file", "load", "fault"])
def test_partition_by_record_is_refused_for_records_that_plan_none(
    kind: str, tmp_path: Path
) -> None:
    # Only streaming records plan a partition: others went by key without a word, while the
    # URL said otherwise. Refused before anything is generated or a broker is asked (none
    # listens on port 1: a streaming dataset fails on reaching it instead).
    args = ["quick", "normal_user", "-n", "5000000", "-s", "1", "--sink", _BY_RECORD]
    result = run_cli([*args, "-t", kind, "--manifest", str(tmp_path / "m.json")])
    assert result.code == 1
    assert result.stderr == "persona-gen: error: " + _PLAN_NONE.format(kind=kind)
    assert not (tmp_path / "m.json").exists()
    streaming = run_cli([*args, "-t", "streaming", "--manifest", str(tmp_path / "m.json")])
    assert streaming.code == 69 and "cannot reach Kafka" in streaming.stderr


def test_partition_by_record_in_a_profile_names_the_dataset(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    datasets = "  - {name: events, type: streaming, count: 5}\n  - {name: calls, type: api}\n"
    profile.write_text(f"name: p\npersonas: [normal_user]\ndatasets:\n{datasets}")
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-o", str(out), "--sink", _BY_RECORD])
    assert result.code == 1
    assert result.stderr == "persona-gen: error: dataset 'calls': " + _PLAN_NONE.format(kind="api")
    assert not out.exists()
    # a dataset's own sink: validate says so at its line, as generate would
    profile.write_text(
        f"name: p\npersonas: [normal_user]\ndatasets:\n{datasets}".replace(
            "type: api}", f"type: api, sink: '{_BY_RECORD}'}}"
        )
    )
    checked = run_cli(["validate", str(profile), "-t", "profile"])
    assert checked.code == 1
    assert checked.stderr.replace(f"{tmp_path}/", "") == (
        "persona-gen: error: p.yaml:5:30: datasets[1].sink: " + _PLAN_NONE.format(kind="api")
    )


def test_quick_to_sqlite_all_or_nothing(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "rows.db"
    ok = run_cli(
        [
            "quick",
            "normal_user",
            "-t",
            "file",
            "-n",
            "200",
            "-s",
            "2",
            "--sink",
            f"sqlite:///{db}",
            "--create-tables",
        ]
    )
    assert ok.code == 0, ok.stderr
    assert "users: 200 loaded" in ok.stderr
    bad = run_cli(
        [
            "quick",
            "edge_case_user",
            "-t",
            "file",
            "-n",
            "300",
            "-s",
            "2",
            "--sink",
            f"sqlite:///{db}",
            "--include-invalid",
        ]
    )
    assert bad.code == 1
    assert "rolled back" in bad.stderr
    assert sqlite3.connect(db).execute("select count(*) from users").fetchone() == (200,)


def test_interrupted_stream_reports_what_was_delivered(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys
    import time

    manifest = tmp_path / "m.json"
    exe = Path(sys.executable).parent / "persona-gen"
    topic = f"int-{secrets.token_hex(5)}"
    # A shell's background job ignores SIGINT and children inherit that; a handler (unlike
    # SIG_IGN) is reset on exec, so the child gets Ctrl-C whatever started the test run.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    proc = subprocess.Popen(
        [
            str(exe),
            "quick",
            "noisy_device",
            "-t",
            "streaming",
            "-n",
            "100000",
            "-s",
            "1",
            "--sink",
            f"kafka://{kafka_bootstrap}/{topic}?create=12",
            "--rate",
            "300/s",
            "--manifest",
            str(manifest),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    signal.signal(signal.SIGINT, previous)
    # Once it sends: a fixed 4 s wait, on a loaded machine, stopped it while it started up
    # ("interrupted; no partial output was kept"), before anything was sent.
    _wait_for_messages(kafka_bootstrap, topic)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err  # as for any interrupted run (docs/errors.md)
    assert "stopped: interrupted" in err
    assert "Traceback" not in err
    delivery = json.loads(manifest.read_text())["delivery"]
    assert delivery["stopped"] == "interrupted"
    assert 0 < delivery["acknowledged"] == delivery["sent"] < 100000


def _wait_for_messages(bootstrap: str, topic: str, timeout_s: float = 60) -> None:
    """Until the topic holds a message (the run is sending), whatever the machine's load."""
    import time

    from confluent_kafka import KafkaException, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{topic}-watch"})
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            topics = consumer.list_topics(timeout=5).topics
            if topic in topics:
                for part in topics[topic].partitions:
                    tp = TopicPartition(topic, part)
                    try:
                        if consumer.get_watermark_offsets(tp, timeout=5)[1] > 0:
                            return
                    except KafkaException:  # (a new topic's leaders are still being chosen)
                        continue
            time.sleep(0.05)
    finally:
        consumer.close()
    raise AssertionError(f"nothing reached topic {topic} in {timeout_s}s")


@pytest.mark.parametrize("after_s", [0.0, 0.5, 1.1])
def test_ctrl_c_at_full_speed_accounts_for_every_record(
    kafka_bootstrap: str, tmp_path: Path, after_s: float
) -> None:
    """Unpaced, Ctrl-C lands while the Kafka client runs: no traceback, and every record
    taken is acknowledged or failed (a KeyboardInterrupt raised inside the client's C code
    surfaced as SystemError, or lost a record)."""
    import signal
    import subprocess
    import sys
    import time

    manifest = tmp_path / "m.json"
    exe = Path(sys.executable).parent / "persona-gen"
    topic = f"intf-{secrets.token_hex(5)}"
    sink = f"kafka://{kafka_bootstrap}/{topic}?create=12"
    args = ["quick", "noisy_device", "-t", "streaming", "-n", "2000000", "-s", "7"]
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    proc = subprocess.Popen(
        [str(exe), *args, "--sink", sink, "--manifest", str(manifest), "-w", "2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    signal.signal(signal.SIGINT, previous)
    _wait_for_messages(kafka_bootstrap, topic)  # (start-up takes long on a busy machine)
    time.sleep(after_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    delivery = json.loads(manifest.read_text())["delivery"]
    assert delivery["stopped"] == "interrupted"
    assert delivery["records"] == delivery["acknowledged"] + delivery["failed"]


def test_ctrl_c_stops_a_slow_paced_run_at_once(kafka_bootstrap: str, tmp_path: Path) -> None:
    """At one record a minute the run sleeps between records: Ctrl-C still stops it then."""
    import signal
    import subprocess
    import sys
    import time

    exe = Path(sys.executable).parent / "persona-gen"
    topic = f"slow-{secrets.token_hex(5)}"
    sink = f"kafka://{kafka_bootstrap}/{topic}?create=3"
    args = ["quick", "normal_user", "-t", "streaming", "-n", "100", "-s", "1", "--rate", "1/min"]
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    proc = subprocess.Popen(
        [str(exe), *args, "--sink", sink, "--manifest", str(tmp_path / "m.json")],
        stderr=subprocess.PIPE,
        text=True,
    )
    signal.signal(signal.SIGINT, previous)
    time.sleep(4)
    sent_at = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent_at < 15, "Ctrl-C waited for the next record"
    assert proc.returncode == 130, err
    assert "Traceback" not in err


def _consume(bootstrap: str, topic: str, n: int) -> list[bytes]:
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": topic, "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    values: list[bytes] = []
    try:
        for _ in range(60):
            values += [m.value() for m in consumer.consume(500, timeout=1.0) if not m.error()]
            if len(values) >= n:
                break
    finally:
        consumer.close()
    return values


def test_avro_and_protobuf_values(kafka_bootstrap: str, tmp_path: Path) -> None:
    import io

    import fastavro

    from persona_gen.importers.avro import read_avro_schema
    from persona_gen.importers.protobuf import descriptor_set, message_class

    root = Path(__file__).resolve().parent.parent / "schemas"
    for schema, value, args in (
        ("user-event.avsc", "avro", ["-t", "streaming"]),
        ("user.proto", "protobuf", ["-f", "protobuf", "-e", "User", "-t", "streaming"]),
    ):
        profile = tmp_path / f"{value}.yaml"
        assert (
            run_cli(
                ["import-schema", str(root / schema), *args, "-o", str(profile), "-c", "200"]
            ).code
            == 0
        )
        topic = f"{value}-{secrets.token_hex(5)}"
        options = f"value={value}&value.schema={root / schema}"
        if value == "protobuf":
            options += "&value.message=User"
        result = run_cli(
            [
                "generate",
                str(profile),
                "--persona",
                "normal_user",
                "-s",
                "2",
                "--sink",
                f"kafka://{kafka_bootstrap}/{topic}?create=12&{options}",
            ]
        )
        assert result.code == 0, result.stderr
        values = _consume(kafka_bootstrap, topic, 200)
        assert len(values) == 200
        if value == "avro":
            avro = read_avro_schema(root / schema)
            parsed = avro.record_schema(
                avro.names()[0] if hasattr(avro, "names") else "com.example.events.UserEvent"
            )
            decoded = [fastavro.schemaless_reader(io.BytesIO(v), parsed) for v in values]
            assert all("event_id" in d for d in decoded)
        else:
            cls = message_class(descriptor_set(root / schema), "User")
            assert all(cls.FromString(v).email for v in values)


def test_sink_runs_always_leave_a_manifest(tmp_path: Path) -> None:
    database = tmp_path / "users.db"
    args = ["quick", "normal_user", "-t", "file", "-n", "50", "-s", "2"]
    result = run_cli([*args, "--sink", f"sqlite:///{database}", "--create-tables"])
    assert result.code == 0, result.stderr
    beside = tmp_path / "users.db.file.manifest.json"
    assert f"(manifest {beside})" in result.stderr
    doc = json.loads(beside.read_text())
    assert doc["count"] == 50 and doc["delivery"]["tables"]["users"]["loaded"] == 50


def test_manifest_option_also_for_file_outputs(tmp_path: Path) -> None:
    out, manifest = tmp_path / "rows.csv", tmp_path / "elsewhere.json"
    args = ["quick", "normal_user", "-t", "file", "-n", "20", "-s", "2", "-o", str(out)]
    assert run_cli([*args, "--manifest", str(manifest)]).code == 0
    assert json.loads(manifest.read_text())["count"] == 20
    assert not (tmp_path / "rows.csv.manifest.json").exists()


def test_records_own_missing_topic_fails_before_generating(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    # No topic in the URL: the events name theirs, checked before the first record is made.
    import time

    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    if "telemetry-events" in admin.list_topics(timeout=10).topics:  # left by a manual run
        admin.delete_topics(["telemetry-events"])["telemetry-events"].result(timeout=30)
        time.sleep(1)
    args = ["quick", "noisy_device", "-t", "streaming", "-n", "5000000", "-s", "1"]
    started = time.monotonic()
    result = run_cli([*args, "--sink", f"kafka://{kafka_bootstrap}"])
    assert result.code == 1
    assert "topic 'telemetry-events' does not exist" in result.stderr
    assert time.monotonic() - started < 30  # 5,000,000 records were not generated first


def test_loads_into_different_tables_keep_their_own_manifests(tmp_path: Path) -> None:
    from persona_gen.runtime.write import sink_manifest_path

    db = tmp_path / "t.db"
    for persona in ("normal_user", "noisy_device"):
        args = ["quick", persona, "-t", "file", "-n", "10", "-s", "4", "--create-tables"]
        result = run_cli([*args, "--sink", f"sqlite:///{db}?table=t_{persona}"])
        assert result.code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.manifest.json")) == [
        "t.db.file.t_noisy_device.manifest.json",
        "t.db.file.t_normal_user.manifest.json",
    ]
    pg = "postgresql://u@h/db?table=users"
    assert sink_manifest_path(pg, "file", tmp_path).name == "file.users.postgresql.manifest.json"
    short = "postgres://u@h/db"  # (the same destination, the same name, as messages say it)
    assert sink_manifest_path(short, "file", tmp_path).name == "file.postgresql.manifest.json"
    assert sink_manifest_path("kafka://h:1/t", "streaming").name == "streaming.kafka.manifest.json"


def test_profile_sink_value_schema_is_found_from_the_profiles_folder(
    kafka_bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative ``value.schema`` in a profile's ``sink:`` is a path from the profile's
    folder, as ``source.file`` is; on the command line, from the current directory."""
    import shutil

    import yaml

    root = Path(__file__).resolve().parent.parent / "schemas"
    folder = tmp_path / "profiles"
    (folder / "schemas").mkdir(parents=True)
    shutil.copy(root / "user-event.avsc", folder / "schemas" / "user-event.avsc")
    profile = folder / "avro.yaml"
    imported = run_cli(
        ["import-schema", str(root / "user-event.avsc"), "-t", "streaming", "-o", str(profile)]
    )
    assert imported.code == 0, imported.stderr
    topic = f"relative-{secrets.token_hex(5)}"
    options = "create=1&value=avro&value.schema=schemas/user-event.avsc"
    url = f"kafka://{kafka_bootstrap}/{topic}?{options}"
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"][0].update(count=30, sink=url)
    profile.write_text(yaml.safe_dump(doc))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    result = run_cli(["generate", str(profile), "--persona", "normal_user", "-s", "2"])
    assert result.code == 0, result.stderr
    assert len(_consume(kafka_bootstrap, topic, 30)) == 30

    # The same URL given with --sink is read from the current directory, where it is not.
    given = run_cli(["generate", str(profile), "-s", "2", "--sink", url])
    assert given.code == 1, given.stderr
    assert "value.schema: 'schemas/user-event.avsc' is not a file" in given.stderr


def test_schema_from_folder_leaves_absolute_paths_and_other_urls() -> None:
    from persona_gen.sinks.kafka_target import parse_kafka_url, schema_from_folder

    folder = Path("profiles dir")
    url = "kafka://h:1/t?value=avro&value.schema=s/my%20x.avsc&value.record=R"
    moved = schema_from_folder(url, folder)
    assert parse_kafka_url(moved).value_options == {
        "schema": "profiles dir/s/my x.avsc",
        "record": "R",
    }
    absolute = "kafka://h:1/t?value=avro&value.schema=/abs/x.avsc"
    assert schema_from_folder(absolute, folder) == absolute
    assert schema_from_folder("sqlite:///rel.db", folder) == "sqlite:///rel.db"


def test_profile_sqlite_sink_is_a_path_from_the_profiles_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative ``sqlite:///rows.db`` in a profile's ``sink:`` is a file of the profile's
    folder (as ``value.schema`` and ``source.file`` are), whatever the current directory: the
    manifest names it so, and ``check`` with the profile finds the table the sink names."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = folder / "p.yaml"
    profile.write_text(
        "name: u\npersonas: [normal_user]\ndatasets:\n"
        '  - {name: rows, type: file, count: 30, sink: "sqlite:///rows.db?table=people"}\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    result = run_cli(["generate", str(profile), "-s", "3", "--create-tables"])
    assert result.code == 0, result.stderr
    database = folder / "rows.db"
    assert database.is_file() and not (elsewhere / "rows.db").exists()
    manifest = folder / "rows.db.rows.people.manifest.json"
    assert json.loads(manifest.read_text())["output"] == f"sqlite:///{database}"

    manifest.unlink()  # (so the table is known from the profile's sink alone)
    for data in (f"sqlite:///{database}", str(database)):
        checked = run_cli(["check", data, "--profile", str(profile)])
        assert checked.code == 0, checked.stderr
        assert "people in" in checked.stderr


def test_a_database_sink_that_cannot_take_its_dataset_fails_validate_and_writes_nothing(
    tmp_path: Path,
) -> None:
    # validate said 'valid profile' for streaming envelopes bound for SQLite, and generate
    # wrote the profile's datasets before it (a refused run leaves none of them behind).
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "name: demo\nversion: 1.0.0\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: first, type: file, count: 20}\n"
        "  - {name: events, type: streaming, count: 20, sink: 'sqlite:///db.sqlite'}\n"
    )
    said = "dataset 'events': a database or SQL output takes the 'file' generator's rows"
    checked = run_cli(["validate", str(profile)])
    assert checked.code == 1
    assert said in checked.stderr
    out = tmp_path / "out"
    run = run_cli(["generate", str(profile), "-o", str(out), "-s", "1"])
    assert run.code == 1
    assert said in run.stderr
    assert not out.exists()
    assert not (tmp_path / "db.sqlite").exists()
