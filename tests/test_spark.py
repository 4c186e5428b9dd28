"""Scale-out: a dataset as Arrow batches and as a Spark DataFrame holds the rows of the Parquet
file of the same run, in order, however it is split (docs/scaling-out.md).

Spark runs here in local mode (a JVM on this machine): pyspark is a test dependency, so a
missing pyspark or Java fails these tests instead of skipping them."""

from __future__ import annotations

import pickle
import re
import shutil
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.errors import PersonaGenError
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    assert shutil.which("java"), "Spark needs Java on PATH (the machine's JDK 17)"
    session = (
        SparkSession.builder.master("local[2]")
        .appName("persona-gen-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    # The JVM pyspark started is a child process of this one, and outlives stop(): end it, so
    # the tests after these find no child left (tests/test_parallel.py checks for strays).
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is not None:
        process = getattr(gateway, "proc", None)
        gateway.shutdown()
        if process is not None:
            if process.stdin is not None:  # (the JVM ends when its stdin closes)
                process.stdin.close()
            process.terminate()
            process.wait(timeout=60)
        SparkContext._gateway = SparkContext._jvm = None


def _parquet_rows(tmp_path: Path, *args: str) -> list[dict[str, Any]]:
    out = tmp_path / "out.parquet"
    result = run_cli([*args, "-o", str(out), "--format", "parquet"])
    assert result.code == 0, result.stderr
    rows: list[dict[str, Any]] = pq.read_table(out).to_pylist()
    return rows


def _persona(name: str) -> Any:
    return PersonaCatalog().get(name)


@pytest.mark.parametrize(
    ("persona", "generator"), [("noisy_device", "streaming"), ("edge_case_user", "fault")]
)
def test_a_spark_dataframe_holds_the_rows_of_the_parquet_file(
    spark: Any, tmp_path: Path, persona: str, generator: str
) -> None:
    n, seed = 2600, 7  # (three blocks, the last one cut)
    dataset = Dataset([(_persona(persona), 1.0)], generator, n, seed)
    frame = dataset.to_spark(spark, partitions=2)
    want = _parquet_rows(tmp_path, "quick", persona, "-t", generator, "-n", str(n), "-s", "7")
    assert frame.columns == list(want[0])
    assert [row.asDict() for row in frame.collect()] == want


def test_the_number_of_partitions_does_not_change_the_rows(spark: Any) -> None:
    mix = [(_persona("normal_user"), 0.7), (_persona("noisy_device"), 0.3)]
    dataset = Dataset(mix, "api", 3100, 11)
    one = dataset.to_spark(spark, partitions=1).collect()
    four = dataset.to_spark(spark, partitions=4).collect()
    assert len(one) == 3100
    assert one == four


@pytest.mark.parametrize("partitions", [0, -1, True, 2.5, 2.0, "4"])
def test_partitions_must_be_a_positive_whole_number(spark: Any, partitions: Any) -> None:
    dataset = Dataset([(_persona("normal_user"), 1.0)], "load", 10, 1)
    with pytest.raises(PersonaGenError, match="whole number of at least 1"):
        dataset.to_spark(spark, partitions=partitions)


def test_what_is_not_a_spark_session_is_refused(spark: Any) -> None:
    dataset = Dataset([(_persona("normal_user"), 1.0)], "load", 10, 1)
    for wrong in (None, "local[2]", spark.sparkContext):
        with pytest.raises(PersonaGenError, match=r"takes a pyspark\.sql\.SparkSession"):
            dataset.to_spark(wrong)


def test_batches_of_any_ranges_join_into_the_whole() -> None:
    dataset = Dataset([(_persona("high_volume_system"), 1.0)], "load", 5000, 3)
    whole = pa.Table.from_batches(list(dataset.record_batches()))
    cuts = [0, 1, 1023, 1024, 3000, 4999, 5000]
    parts = [batch for lo, hi in pairwise(cuts) for batch in dataset.record_batches(lo, hi)]
    assert whole.num_rows == 5000
    assert pa.Table.from_batches(parts, whole.schema).equals(whole)


def test_a_range_before_the_first_record_is_refused() -> None:
    dataset = Dataset([(_persona("normal_user"), 1.0)], "load", 2000, 3)
    assert sum(batch.num_rows for batch in dataset.record_batches(1500, 9999)) == 500
    for start, stop in [(-1, None), (-5, 10), (0, -1), (1.5, 10), ("0", None), (None, None)]:
        with pytest.raises(PersonaGenError, match=r"record number is 0 or more|whole number"):
            dataset.record_batches(start, stop)  # (refused at the call, not the first batch)


def test_a_profile_dataset_is_what_generate_writes(tmp_path: Path) -> None:
    profile = tmp_path / "events.yaml"
    made = run_cli(
        [
            "import-schema",
            str(ROOT / "schemas" / "user-event.avsc"),
            "-o",
            str(profile),
            "-t",
            "streaming",
            "-c",
            "1500",
            "--output-format",
            "parquet",
        ]
    )
    assert made.code == 0, made.stderr
    dataset = Dataset.from_profile(profile, seed=5)
    out = tmp_path / "out"
    written = run_cli(["generate", str(profile), "-s", "5", "-o", str(out)])
    assert written.code == 0, written.stderr
    (file,) = out.glob("*.parquet")
    table = pa.Table.from_batches(list(dataset.record_batches()))
    assert table.to_pylist() == pq.read_table(file).to_pylist()
    assert dataset.seed == 5


def test_a_profile_of_several_datasets_needs_a_name() -> None:
    profile = ROOT / "profiles" / "api_testing.yaml"
    planned = run_cli(["generate", str(profile), "--dry-run", "-s", "1"])
    assert planned.code == 0, planned.stderr
    with pytest.raises(PersonaGenError, match="give one of"):
        Dataset.from_profile(profile, seed=1)
    with pytest.raises(PersonaGenError, match="no dataset 'nope'"):
        Dataset.from_profile(profile, "nope", seed=1)


@pytest.mark.parametrize("seed", [-1, 2**63, "7", 1.5, True])
def test_a_profile_seed_out_of_range_is_refused(seed: Any) -> None:
    profile = ROOT / "profiles" / "streaming_testing.yaml"
    with pytest.raises(PersonaGenError, match=r"seed must be a whole number between 0 and 2\^63-1"):
        Dataset.from_profile(profile, "device_telemetry", seed=seed)


def test_from_profile_takes_a_path_and_one_persona_directory(tmp_path: Path) -> None:
    with pytest.raises(PersonaGenError, match="takes a profile file's path"):
        Dataset.from_profile(None)  # type: ignore[arg-type]
    profile = ROOT / "profiles" / "streaming_testing.yaml"
    one = Dataset.from_profile(profile, "device_telemetry", seed=1, persona_dirs=str(tmp_path))
    listed = Dataset.from_profile(profile, "device_telemetry", seed=1, persona_dirs=[tmp_path])
    assert list(one.record_batches(0, 5)) == list(listed.record_batches(0, 5))


def test_a_dataset_bound_for_a_sink_gives_its_records(tmp_path: Path) -> None:
    profile = tmp_path / "sinks.yaml"
    profile.write_text(
        "name: sinks\nseed: 3\npersonas: [{name: normal_user, weight: 1}]\ndatasets:\n"
        "  - {name: users, type: file, count: 40, sink: 'sqlite:///users.db'}\n"
        "  - {name: more_users, type: file, count: 40, sink: 'sqlite:///users.db'}\n"
        "  - {name: events, type: streaming, count: 40, sink: 'kafka://127.0.0.1:9/events'}\n"
        "  - {name: avro, type: streaming, count: 40, format: avro}\n"
    )
    for name, generator in [("users", "file"), ("events", "streaming"), ("avro", "streaming")]:
        dataset = Dataset.from_profile(profile, name)
        alone = Dataset([(_persona("normal_user"), 1.0)], generator, 40, 3, key=name)
        assert list(dataset.record_batches()) == list(alone.record_batches())
        # (nothing of the run's load into the database travels with it to the executors)
        assert vars(pickle.loads(pickle.dumps(dataset))).keys() == vars(alone).keys()


def test_the_spark_example_of_the_docs_prints_what_they_show(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (ROOT / "docs" / "scaling-out.md").read_text()
    blocks = re.findall(r"```(\w+)\n(.*?)```", page, re.S)
    first = next(i for i, (kind, body) in enumerate(blocks) if "to_spark" in body)
    # The example, then each later example that prints into the text shown after it, all in
    # one namespace (they go on with its `frame`)
    examples = [
        (code, shown)
        for (kind, code), (then, shown) in pairwise(blocks[first:])
        if kind == "python" and then == "text"
    ]
    assert len(examples) == 2
    namespace: dict[str, Any] = {}
    for code, shown in examples:
        exec(compile(code, "docs/scaling-out.md", "exec"), namespace)  # (builder: this session)
        assert capsys.readouterr().out.strip() == shown.strip()
