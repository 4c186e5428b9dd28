"""File rows of an entity whose records are not objects (a JSON Schema root that is a string,
an array or a oneOf of scalars): one ``value`` data column, in every file format, that
``check`` reads back as the record."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from tests.helpers import run_cli

_PERSONAS = ("normal_user", "edge_case_user", "noisy_device", "legacy_client")
_CODE = {"title": "Code", "oneOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "integer"}]}
_TAGS = {"title": "Tags", "type": "array", "items": {"type": "string"}, "maxItems": 3}
_NAME = {"title": "Name", "type": "string", "maxLength": 12}


def _profile(tmp: Path, schema: dict[str, Any], fmt: str) -> Path:
    source = tmp / "root.schema.json"
    source.write_text(
        json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema})
    )
    profile = tmp / "p.yaml"
    args = [
        "-f",
        "jsonschema",
        "-t",
        "file",
        "--output-format",
        fmt,
        "-c",
        "80",
        "-o",
        str(profile),
    ]
    imported = run_cli(["import-schema", str(source), *args])
    assert imported.code == 0, imported.stderr
    doc = yaml.safe_load(profile.read_text())
    doc["personas"] = [{"name": name, "weight": 1.0} for name in _PERSONAS]
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    return profile


def _rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    return list(json.loads(path.read_text()))


@pytest.mark.parametrize(
    ("schema", "fmt"),
    [
        (_NAME, "csv"),
        (_TAGS, "csv"),
        (_NAME, "parquet"),
        (_TAGS, "parquet"),
        (_CODE, "parquet"),
        (_CODE, "csv"),  # (a cell read back as the option that wrote it: "17" an integer)
        (_NAME, "json"),
        (_TAGS, "json"),
        (_CODE, "json"),
    ],
)
def test_records_that_are_not_objects_are_one_value_column(
    tmp_path: Path, schema: dict[str, Any], fmt: str
) -> None:
    # Rows held the label columns alone (no data, no error): the columns came from the
    # entity's fields, and a string or an array has none.
    profile = _profile(tmp_path, schema, fmt)
    out = tmp_path / "out"
    generated = run_cli(["generate", str(profile), "-s", "4", "-o", str(out)])
    assert generated.code == 0, generated.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    rows = _rows(data, fmt)
    assert len(rows) == 80
    assert list(rows[0]) == ["value", "_expected_valid", "_violations", "_behaviors"]
    values = [r["value"] for r in rows]
    assert all(v not in (None, "") for v in values)
    # (an array is JSON text, as in rows of objects; in Parquet, a column a persona may
    # retype is JSON text of that text)
    if schema is _TAGS and fmt != "parquet":
        assert all(isinstance(json.loads(v), list) for v in values)
    report = tmp_path / "report.json"
    checked = run_cli(["check", str(data), "--profile", str(profile), "--report", str(report)])
    assert checked.code == 0, checked.stderr
    counts = json.loads(report.read_text())
    assert (counts["checked"], counts["passed"], counts["problem_count"]) == (80, 80, 0)


@pytest.mark.parametrize("generator", ["file", "streaming"])
def test_avro_output_of_values_that_are_not_records_is_refused_before_anything_is_written(
    tmp_path: Path, generator: str
) -> None:
    """Every record would fail to fit the Avro record at the first block ('record 0 does
    not fit …: write json/jsonl for negative data', which blamed the data): the import,
    validate and generate say why up front, and nothing is written."""
    source = tmp_path / "code.schema.json"
    source.write_text(json.dumps(_CODE))
    profile = tmp_path / "p.yaml"
    args = ["-t", generator, "--output-format", "avro", "-c", "20", "-o", str(profile)]
    said = (
        "avro: entity 'Code' is not a record (its values are string or integer); the Avro "
        "output writes records of the entity: write its dataset as json, jsonl, csv or parquet"
    )
    imported = run_cli(["import-schema", str(source), *args])
    assert imported.code == 1
    assert said in imported.stderr
    assert not profile.exists()

    made = run_cli(["import-schema", str(source), *args[:2], "-c", "20", "-o", str(profile)])
    assert made.code == 0, made.stderr
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"][0]["format"] = "avro"
    doc["datasets"][0]["output"] = "code.avro"
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    for command in (
        ["validate", str(profile)],
        ["generate", str(profile), "-o", str(tmp_path / "out")],
    ):
        result = run_cli(command)
        assert result.code == 1
        assert said in result.stderr
    assert not (tmp_path / "out").exists()
