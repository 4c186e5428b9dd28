"""check: generated datasets validated against their profile's source schema, labels honoured."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from tests.helpers import import_profile, run_cli


def _generate(
    tmp: Path, schema: str, dtype: str, *, entity: str | None = None, fmt: str = "json",
    persona: str = "normal_user", count: int = 120,
) -> tuple[Path, Path]:  # fmt: skip
    """Import ``schema`` into tmp/profiles/p.yaml (the schema copied to tmp/schemas/) and
    generate; (profile, data file)."""
    profile = import_profile(
        tmp / "schemas", tmp / "profiles" / "p.yaml", schema, dtype,
        count=count, entity=entity, fmt=fmt,
    )  # fmt: skip
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "3"])
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    return profile, data


def _check(profile: Path, data: Path) -> CheckReport:
    return check_dataset(data, load_profile(profile))


@pytest.mark.parametrize(
    ("schema", "entity", "dtype", "fmt"),
    [
        ("user-event.avsc", None, "streaming", "json"),
        ("user.proto", "User", "streaming", "jsonl"),
        ("users.sql", "users", "file", "csv"),
        ("openapi-users.yaml", "User", "file", "parquet"),
        ("user.schema.json", None, "streaming", "jsonl"),
        # optional nested objects (audit, the recursive manager), absent in many rows
        ("user.schema.json", None, "file", "jsonl"),
        ("user.schema.json", None, "file", "csv"),
    ],
)
def test_clean_data_passes(
    tmp_path: Path, schema: str, entity: str | None, dtype: str, fmt: str
) -> None:
    profile, data = _generate(tmp_path, schema, dtype, entity=entity, fmt=fmt)
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.checked > 0 and report.failed == 0
    assert report.schema is not None and report.schema.endswith(schema)
    assert not report.warnings


@pytest.mark.parametrize("persona", ["edge_case_user", "legacy_client", "noisy_device"])
def test_fault_labels_are_honoured(tmp_path: Path, persona: str) -> None:
    profile, data = _generate(
        tmp_path, "openapi-users.yaml", "fault", entity="User", persona=persona, count=300
    )
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    records = json.loads(data.read_bytes())
    invalid = [r for r in records if r["expected_valid"] is False]
    assert records[0]["baseline"] and records[0]["expected_valid"]
    assert report.labelled_invalid == len(invalid) == report.failed_as_labelled > 100
    assert report.passed == len(records) - len(invalid)
    # each failure is on the labelled rule (rule names as jsonschema's error keywords)
    assert set(report.by_rule) >= {r["rule"] for r in invalid} - {"minimum", "maximum"}


def test_file_rows_cut_short_label_no_field_of_an_absent_optional_object(
    tmp_path: Path,
) -> None:
    # A noisy device's row cut short empties the rest of the row: its required fields of an
    # optional object left wholly empty (manager.status...) were labelled broken, although
    # the object is simply absent; `check` hid it as "undetected". Now the labels say what
    # the row holds: every row labelled invalid fails, and fails only as labelled.
    from persona_gen.runtime.records import FileRowShape

    profile, data = _generate(
        tmp_path, "user.schema.json", "file", fmt="jsonl", persona="noisy_device", count=3000
    )
    rows = [json.loads(line) for line in data.read_bytes().splitlines()]
    domain = load_profile(profile).domain
    assert domain is not None
    optional = [".".join(map(str, p)) for p in FileRowShape(domain, "User").optional_parents]
    labelled = 0
    for row in rows:
        absent = [
            o for o in optional if all(v is None for c, v in row.items() if c.startswith(f"{o}."))
        ]
        for label in filter(None, row["_violations"].split(";")):
            labelled += 1
            path = label.rsplit(":", 1)[0]
            assert not any(path == o or path.startswith(f"{o}.") for o in absent), label
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    invalid = sum(1 for row in rows if row["_expected_valid"] is False)
    assert labelled > 100 and report.labelled_invalid == invalid == report.failed_as_labelled
    assert not report.undetected


def test_corrupted_records_are_reported(tmp_path: Path) -> None:
    profile, data = _generate(tmp_path, "openapi-users.yaml", "fault", entity="User", count=50)
    records = json.loads(data.read_bytes())
    records[0]["record"]["email"] = "not an email"  # the baseline breaks
    flipped = next(r for r in records if r["expected_valid"] is False and r["rule"] == "enum")
    flipped["rule"] = "maxLength"  # fails, but not on the rule it names
    honest = next(r for r in records if r["expected_valid"] is True and r["index"] > 0)
    honest["expected_valid"] = False  # claims a break that is not there
    data.write_bytes(json.dumps(records).encode())
    report = _check(profile, data)
    assert report.exit_code == 1
    kinds = {(p.index, p.kind) for p in report.problems}
    assert (0, "baseline-invalid") in kinds
    assert (flipped["index"], "wrong-rule") in kinds
    assert (honest["index"], "undetected-break") in kinds
    assert report.problem_count == 3
    doc = json.loads(report.to_json())
    assert doc["ok"] is False and doc["problem_count"] == 3
    assert any(row[0] == "problems" and row[1] == "3" for row in report.summary_rows())


@pytest.mark.parametrize(
    ("schema", "entity", "dtype"),
    [("user-event.avsc", None, "streaming"), ("user.proto", "User", "streaming"),
     ("users.sql", "users", "file")],
)  # fmt: skip
def test_each_format_rejects_a_corrupted_record(
    tmp_path: Path, schema: str, entity: str | None, dtype: str
) -> None:
    profile, data = _generate(tmp_path, schema, dtype, entity=entity, count=20)
    records = json.loads(data.read_bytes())
    if dtype == "streaming":
        records[3]["payload"]["unexpected_field"] = 1  # closed records / unknown fields
    else:
        records[3]["username"] = None  # NOT NULL
    data.write_bytes(json.dumps(records).encode())
    report = _check(profile, data)
    assert report.exit_code == 1
    assert [p.index for p in report.problems] == [3]
    assert report.failed == 1 and report.passed == 19


@pytest.mark.parametrize(
    ("entity", "column", "value", "rule"),
    [("users", "status", "bogus", "enum"),  # CREATE TYPE ... AS ENUM
     ("users", "username", "x" * 40, "maxLength"),  # VARCHAR(32)
     ("orders", "subtotal", 123456789.5, "precision")],  # NUMERIC(10, 2)
)  # fmt: skip
def test_ddl_rows_are_held_to_what_sqlite_does_not_enforce(
    tmp_path: Path, entity: str, column: str, value: object, rule: str
) -> None:
    """PostgreSQL refuses these values; the SQLite table built from the script takes them."""
    profile, data = _generate(tmp_path, "users.sql", "file", entity=entity, count=20)
    records = json.loads(data.read_bytes())
    records[3][column] = value
    other = value * 2 if isinstance(value, str) else value  # (username is UNIQUE)
    records[5].update({column: other, "_expected_valid": False, "_violations": f"{column}:{rule}"})
    data.write_bytes(json.dumps(records).encode())
    report = _check(profile, data)
    assert [(p.index, p.kind) for p in report.problems] == [(3, "invalid")], report.to_json()
    assert report.by_rule[rule] == 2 and report.failed_as_labelled == 1
    assert not report.undetected


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_null_primary_key_of_a_postgres_script_is_a_ddl_problem(tmp_path: Path, fmt: str) -> None:
    """SQLite takes NULL in users.id (UUID PRIMARY KEY): check said OK to rows PostgreSQL
    refuses. A lacking id is NULL too, DEFAULT gen_random_uuid() notwithstanding (the sinks
    write every column); labelled so, it is detected."""
    profile, data = _generate(tmp_path, "users.sql", "file", entity="users", fmt=fmt, count=8)
    if fmt == "jsonl":
        rows = [json.loads(line) for line in data.read_bytes().splitlines()]
        rows[1]["id"] = None
        del rows[2]["id"]
        rows[3].update({"id": None, "_expected_valid": False, "_violations": "id:required"})
        data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        with data.open(newline="", encoding="utf-8") as f:
            cells = list(csv.reader(f))
        at = cells[0].index("id")
        for i in (1, 2, 3):
            cells[i + 1][at] = ""
        cells[4][cells[0].index("_expected_valid")] = "false"
        cells[4][cells[0].index("_violations")] = "id:required"
        with data.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(cells)
    report = _check(profile, data)
    assert report.exit_code == 1
    assert [(p.index, p.kind, p.rules) for p in report.problems] == [
        (1, "invalid", ("ddl",)),
        (2, "invalid", ("ddl",)),
    ], report.to_json()
    assert all("NOT NULL constraint failed: users.id" in p.reason for p in report.problems)
    assert report.failed_as_labelled == 1 and not report.undetected


def test_fault_labels_of_a_nulled_primary_key_are_detected(tmp_path: Path) -> None:
    """A fault mutation that nulls (or drops) a PRIMARY KEY column is labelled invalid;
    check counted it 'undetected by ddl' for a PostgreSQL script, as SQLite took it."""
    from persona_gen.importers.ddl import DdlImporter
    from persona_gen.runtime.check_validators import Checker

    profile, data = _generate(tmp_path, "users.sql", "fault", entity="users", count=1500)
    schema = tmp_path / "schemas" / "users.sql"
    domain = DdlImporter().load(schema).domain
    checker = Checker("ddl", schema, domain, None, "fault")
    validate = checker.for_entity("users", domain)
    nulled = [
        r
        for r in json.loads(data.read_bytes())
        if r["field_path"] == "id" and r["mutation"] in ("null_injection", "missing_required")
    ]
    assert len(nulled) > 10 and not any(r["expected_valid"] for r in nulled)
    passed = [r["index"] for r in nulled if not validate(r["record"])]
    checker.close()
    assert passed == []
    report = _check(profile, data)
    assert report.exit_code == 0 and not report.problems, report.to_json()


def test_changed_schema_is_a_warning_and_missing_schema_falls_back(tmp_path: Path) -> None:
    profile, data = _generate(tmp_path, "user.schema.json", "streaming", count=30)
    schema = tmp_path / "schemas" / "user.schema.json"
    schema.write_text(schema.read_text() + "\n")
    report = _check(profile, data)
    assert report.exit_code == 0 and any("changed" in w for w in report.warnings)
    schema.unlink()
    report = _check(profile, data)
    assert report.schema_format == "embedded" and report.exit_code == 0
    assert any("not found" in w for w in report.warnings)


def test_a_profile_with_its_own_entities_is_named_as_the_schema(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets: [{type: file, count: 20, format: json}]\n"
        "domain:\n  primary: Pet\n  entities:\n    Pet:\n      schema:\n"
        "        type: object\n        fields: {id: {type: integer, minimum: 1}}\n"
    )
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-s", "1", "-o", str(out)]).code == 0
    report = check_dataset(out / "p_file_1.json", load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert (report.schema_format, report.schema) == ("profile", str(profile))


def test_builtin_profile_and_load_data(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    assert run_cli(["generate", str(repo / "profiles/api_testing.yaml"), "-o", str(out)]).code == 0
    profile = load_profile(repo / "profiles/api_testing.yaml")
    for data in sorted(out.glob("*.json*")):
        if data.name.endswith(".manifest.json"):
            continue
        report = check_dataset(data, profile)
        assert report.exit_code == 0, report.to_json()
        assert report.schema_format == "builtin" and report.checked > 0
    out = tmp_path / "load"
    assert run_cli(["generate", str(repo / "profiles/load_testing.yaml"), "-o", str(out)]).code == 0
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    report = check_dataset(data, load_profile(repo / "profiles/load_testing.yaml"))
    assert report.exit_code == 1 and not report.validatable


def test_an_unwritable_report_fails_before_checking(tmp_path: Path) -> None:
    profile, data = _generate(tmp_path, "user.schema.json", "streaming", count=10)
    (tmp_path / "taken").mkdir()
    result = run_cli(
        ["check", str(data), "--profile", str(profile), "--report", str(tmp_path / "taken")]
    )
    assert result.code == 1
    assert "is a directory" in result.stderr
    assert "result" not in result.stderr  # no summary: nothing was checked


@pytest.mark.parametrize("report", ["x.csv/r.json", "x.csv/sub/r.json"])
def test_a_report_under_a_file_names_the_option_and_the_file_in_the_way(
    tmp_path: Path, report: str
) -> None:
    profile, data = _generate(tmp_path, "user.schema.json", "streaming", count=10)
    (tmp_path / "x.csv").write_text("a,b\n")
    args = ["check", str(data), "--profile", str(profile), "--report", str(tmp_path / report)]
    result = run_cli(args)
    assert result.code == 1
    assert result.stderr == (  # (not the system's bare "Not a directory")
        f"persona-gen: error: --report {tmp_path / report}: cannot write: "
        f"'{tmp_path / 'x.csv'}' is a file, not a directory\n"
    )


def test_data_of_another_profile_is_refused_by_its_manifest(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    profile, data = _generate(tmp_path / "a", "user.schema.json", "streaming", count=10)
    other, _ = _generate(tmp_path / "b", "openapi-users.yaml", "streaming", entity="User", count=10)
    result = run_cli(["check", str(data), "--profile", str(other)])
    assert result.code == 1
    assert "generated from profile" in result.stderr and "user.schema.json" in result.stderr
    assert run_cli(["check", str(data), "--profile", str(profile)]).code == 0


@pytest.mark.parametrize("dtype", ["streaming", "api"])
def test_clean_nested_data_passes_from_parquet(tmp_path: Path, dtype: str) -> None:
    # Nested values (a streaming payload, an api request) are JSON text in Parquet: the file
    # names those columns and check decodes them back.
    profile, data = _generate(tmp_path, "user-event.avsc", dtype, fmt="parquet")
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.checked > 0 and report.failed == 0


def test_parquet_json_columns_are_the_ones_the_file_names(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from persona_gen.runtime.records import read_dataset

    columns = {"payload": ['{"a": 1}', None], "code": ["123", "[7]"], "name": ["x", "y"]}
    named = tmp_path / "named.parquet"
    schema = pa.table(columns).schema.with_metadata({b"persona_gen.json_columns": b'["payload"]'})
    pq.write_table(pa.table(columns, schema=schema), named)
    rows, _ = read_dataset(named, "parquet")
    assert rows[0] == {"payload": {"a": 1}, "code": "123", "name": "x"}
    assert rows[1] == {"payload": None, "code": "[7]", "name": "y"}
    # A file without the list (written before it was kept) is told by its values.
    unnamed = tmp_path / "unnamed.parquet"
    pq.write_table(pa.table(columns), unnamed)
    rows, _ = read_dataset(unnamed, "parquet")
    assert rows[0] == {"payload": {"a": 1}, "code": 123, "name": "x"}


def test_batch_bodies_of_an_entity_with_an_items_field_pass(tmp_path: Path) -> None:
    # A batch POST is told by its /batch path, not by the body's shape: a Cart has items too.
    cart = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Cart",
        "type": "object",
        "required": ["id", "items"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "items": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        },
    }
    schema = tmp_path / "cart.schema.json"
    schema.write_text(json.dumps(cart))
    profile = tmp_path / "p.yaml"
    args = ["import-schema", str(schema), "-t", "api", "-c", "2000", "-o", str(profile)]
    assert run_cli(args).code == 0
    out = tmp_path / "out"
    args = ["generate", str(profile), "--persona", "high_volume_system", "-s", "1", "-o", str(out)]
    assert run_cli(args).code == 0
    data = out / "Cart_api.json"
    assert any(r["request"]["path"].endswith("/batch") for r in json.loads(data.read_text()))
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.failed == 0


def test_file_rows_leave_out_an_optional_object_whose_columns_are_empty(tmp_path: Path) -> None:
    from persona_gen.runtime.records import FileRowShape

    profile = load_profile(
        import_profile(
            tmp_path / "schemas", tmp_path / "p.yaml", "user.schema.json", "file", count=10
        )
    )
    assert profile.domain is not None
    shape = FileRowShape(profile.domain, "User")
    empty = dict.fromkeys(c for c in shape.leaves if c.startswith(("audit.", "address.")))
    row = {"id": "u1", **empty, "address.city": "Oslo"}
    # audit.updated_at is nullable, but a null leaf of an absent object does not bring it back
    assert shape.record(row) == {"id": "u1", "address": {"city": "Oslo"}}
    row = {**row, "audit.revision": 3, "manager.audit.updated_at": None}
    assert shape.record(row) == {
        "id": "u1",
        "address": {"city": "Oslo"},
        "audit": {"updated_at": None, "revision": 3},
    }
    # CSV cells: empty text is an empty cell
    text_row = {k: "" if v is None else str(v) for k, v in row.items()}
    text_row["audit.revision"] = ""
    assert "audit" not in shape.record(text_row, text=True)
    # a required object is not left out
    required = {"address.city": None, "address.street": None, "address.country": None}
    assert ("address",) not in shape.optional_parents
    assert shape.record(required) == {}


REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("nums.json", "[1, 2, 3]", "but item 0 is a number"),
        ("mixed.json", '[{"a": 1}, [2]]', "but item 1 is an array"),
        ("lines.jsonl", '{"a": 1}\n\n"x"\n', "but line 3 is a string"),
        ("object.json", '{"a": 1}', "expected a JSON array of records (objects)"),
    ],
)
def test_records_that_are_not_objects_are_one_clear_line(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    data = tmp_path / name
    data.write_text(text)
    result = run_cli(["check", str(data), "--profile", str(REPO / "profiles/api_testing.yaml")])
    assert result.code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"persona-gen: error: {data}: ")
    assert expected in line
    if "but" in expected:
        assert "expected JSON records (objects)" in line


def _api_profile() -> Path:
    return REPO / "profiles/api_testing.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", "no records were read (as json): nothing was checked"),
        ('[{"payload": 5, "expected_valid": true}]', "not recognised as persona-gen output"),
        ('[{"id": 1}]', "not recognised as persona-gen output"),
    ],
)
def test_no_records_or_unrecognised_ones_are_a_failure(
    tmp_path: Path, text: str, expected: str
) -> None:
    data = tmp_path / "data.json"
    data.write_text(text)
    report = check_dataset(data, load_profile(_api_profile()))
    assert report.exit_code == 1 and not report.ok and not report.validatable
    assert report.checked == 0
    assert any(expected in w for w in report.warnings), report.warnings
    assert not any("load schedules" in w for w in report.warnings)  # no guess at "load"
    result = run_cli(["check", str(data), "--profile", str(_api_profile())])
    assert result.code == 1 and "FAILED: nothing checked" in result.stderr


def test_nothing_checked_is_a_failure(tmp_path: Path) -> None:
    data = tmp_path / "s.json"
    args = ["quick", "normal_user", "-t", "streaming", "-n", "50", "-s", "2", "-o", str(data)]
    assert run_cli(args).code == 0
    profile = load_profile(_api_profile())
    assert check_dataset(data, profile).exit_code == 0
    # read as CSV, the JSON file holds no records
    report = check_dataset(data, profile, fmt="csv")
    assert (report.records, report.checked, report.exit_code) == (0, 0, 1)
    assert any("its manifest says the data is json" in w for w in report.warnings)
    # api requests without a body are all skipped: nothing checked is no pass
    api = tmp_path / "api.json"
    args = ["quick", "normal_user", "-t", "api", "-n", "300", "-s", "2", "-o", str(api)]
    assert run_cli(args).code == 0
    gets = [r for r in json.loads(api.read_text()) if r["request"]["method"] == "GET"]
    only_gets = tmp_path / "gets.json"
    only_gets.write_text(json.dumps(gets))
    report = check_dataset(only_gets, profile)
    assert report.records == report.skipped == len(gets) > 0
    assert report.exit_code == 1 and not report.ok
    assert any(w.startswith("nothing was checked") for w in report.warnings)


def test_batch_posts_in_csv_check_as_in_json(tmp_path: Path) -> None:
    # In CSV the request is a cell of JSON text: a batch is still told by its /batch path.
    reports = {}
    for fmt in ("json", "csv"):
        data = tmp_path / f"hv.{fmt}"
        args = ["quick", "high_volume_system", "-t", "api", "-n", "1500", "-s", "21"]
        assert run_cli([*args, "-o", str(data)]).code == 0
        reports[fmt] = check_dataset(data, load_profile(_api_profile()))
    records = json.loads((tmp_path / "hv.json").read_text())
    assert any(r["request"]["path"].endswith("/batch") for r in records)
    for report in reports.values():
        assert report.exit_code == 0, report.to_json()
    verdicts = [(r.checked, r.passed, r.failed, r.labelled_invalid) for r in reports.values()]
    assert verdicts[0] == verdicts[1]


def test_file_rows_are_of_the_personas_their_manifest_names(tmp_path: Path) -> None:
    # File rows name no persona: their entity is that of the personas that made them, which
    # the manifest beside them names (here not the profile's first persona, a device).
    profile = REPO / "profiles/streaming_testing.yaml"
    out = tmp_path / "g"
    args = ["generate", str(profile), "--persona", "normal_user", "-o", str(out), "-s", "3"]
    assert run_cli(args).code == 0
    report = check_dataset(out / "device_readings.csv", load_profile(profile))
    assert report.exit_code == 0, report.to_json()
    assert report.entity == "user: User" and report.checked == 500
    # a device's rows, checked with a profile of users
    rows = tmp_path / "nd.json"
    args = ["quick", "noisy_device", "-t", "file", "-n", "300", "-s", "11", "-o", str(rows)]
    assert run_cli(args).code == 0
    report = check_dataset(rows, load_profile(_api_profile()))
    assert report.exit_code == 0, report.to_json()
    assert report.entity == "device: TelemetryReading" and report.checked == 300


def test_file_rows_of_an_untold_entity_are_not_checked(tmp_path: Path) -> None:
    rows = tmp_path / "nd.json"
    args = ["quick", "noisy_device", "-t", "file", "-n", "300", "-s", "11", "-o", str(rows)]
    assert run_cli(args).code == 0
    (tmp_path / "nd.json.manifest.json").unlink()
    # without a manifest, the profile's personas make three entities: which is it?
    report = check_dataset(rows, load_profile(REPO / "profiles/streaming_testing.yaml"))
    assert report.exit_code == 1 and not report.validatable
    assert (report.checked, report.unresolved, report.problem_count) == (0, 300, 0)
    (warning,) = report.warnings
    assert "cannot tell which entity" in warning
    assert "noisy_device → TelemetryReading" in warning and "normal_user → User" in warning
    # a profile whose personas all make users (of several kinds) tells it
    report = check_dataset(rows, load_profile(_api_profile()))
    assert report.unresolved == 0 and report.entity in ("user: User", "client: User")


def test_personas_of_a_persona_directory_are_found_through_the_manifest(tmp_path: Path) -> None:
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / "my_device.yaml").write_text("name: my_device\npopulation: {kind: device}\n")
    for dtype in ("file", "streaming"):
        data = tmp_path / f"{dtype}.json"
        args = ["quick", "my_device", "-p", str(personas), "-t", dtype, "-n", "100", "-s", "1"]
        assert run_cli([*args, "-o", str(data)]).code == 0
        report = check_dataset(data, load_profile(_api_profile()))
        assert report.exit_code == 0, report.to_json()
        assert report.entity == "device: TelemetryReading"


def test_wrong_types_in_text_columns_keep_their_type_in_parquet(tmp_path: Path) -> None:
    # A row past the first block of this run sends a number as address.street (labelled
    # address.street:type); no such value is in the first block. Cast to text, the row
    # would be valid in the file.
    data = tmp_path / "e.parquet"
    args = ["quick", "edge_case_user", "-t", "file", "-n", "3000", "-s", "5", "-o", str(data)]
    assert run_cli(args).code == 0
    from persona_gen.runtime.records import read_dataset

    rows, _ = read_dataset(data, "parquet")
    numbers = [r for r in rows if isinstance(r["address.street"], int)]
    assert numbers, "the run no longer breaks a street's type: pick another seed"
    assert all(r["_violations"] == "address.street:type" for r in numbers)
    assert all(isinstance(r["address.street"], str | None) for r in rows[:1024])
    report = check_dataset(data, load_profile(_api_profile()))
    assert report.exit_code == 0, report.to_json()
    # the same records as JSON lines: the same verdicts
    twin = tmp_path / "e.jsonl"
    assert run_cli([*args[:-1], str(twin)]).code == 0
    other = check_dataset(twin, load_profile(_api_profile()))
    assert (other.passed, other.failed, other.labelled_invalid) == (
        report.passed,
        report.failed,
        report.labelled_invalid,
    )


def test_empty_strings_a_csv_cannot_tell_from_absent_fields_are_undetected(
    tmp_path: Path,
) -> None:
    # edge_case_user sends "" as the manager's manager's kind (const "user"), labelled const;
    # in CSV that is an empty cell, as an absent optional field is: undetected, not a problem
    profile, data = _generate(
        tmp_path, "user.schema.json", "file", fmt="csv", persona="edge_case_user", count=600
    )
    report = _check(profile, data)
    assert report.exit_code == 0, report.to_json()
    assert report.undetected["const"] > 0  # (a few in 600 rows: 6 with this seed)


def test_a_label_on_a_field_of_an_absent_optional_object_is_a_problem(tmp_path: Path) -> None:
    # Every manager.* column empty is a user without a manager (optional): a label that
    # says manager.id:required is wrong (the file generator no longer writes one), and
    # `check` says so instead of counting the break as one the format cannot show.
    profile, data = _generate(tmp_path, "user.schema.json", "file", fmt="jsonl", count=20)
    rows = [json.loads(line) for line in data.read_bytes().splitlines()]
    cut = {c: None for c in rows[1] if c.startswith("manager.")}
    rows[1] |= cut | {"_expected_valid": False, "_violations": "manager.id:required"}
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = _check(profile, data)
    assert not report.undetected
    assert [(p.index, p.kind) for p in report.problems] == [(1, "undetected-break")]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_repeated_keys_of_streaming_payloads_are_reported_but_not_re_sends(
    tmp_path: Path, fmt: str
) -> None:
    """A streaming payload whose primary key repeats an earlier one's is a problem, as a
    file row's is; a re-send (``duplicate: true``) repeats its event's payload on purpose."""
    profile, data = _generate(
        tmp_path, "users.sql", "streaming", entity="users", fmt=fmt, persona="noisy_device",
        count=1500,
    )  # fmt: skip
    assert _check(profile, data).ok  # (re-sends included)
    records = json.loads(data.read_text()) if fmt == "json" else None
    if records is None:
        with data.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        resent = [i for i, r in enumerate(rows) if r["duplicate"] == "true"]
        payloads = [json.loads(r["payload"]) for r in rows]
    else:
        resent = [i for i, r in enumerate(records) if r["duplicate"]]
        payloads = [r["payload"] for r in records]
    assert resent, "noisy_device re-sends events"
    later = next(i for i in range(resent[0] + 1, len(payloads)) if i not in resent)
    payloads[later]["id"] = payloads[resent[0]]["id"]  # (the key of a re-sent event)
    if records is None:
        rows[later]["payload"] = json.dumps(payloads[later])
        with data.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        data.write_text(json.dumps(records))
    report = _check(profile, data)
    assert [(p.kind, p.index) for p in report.problems] == [("duplicate", later)]
    assert "unique key (id=" in report.problems[0].reason


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_retry_storms_later_attempts_repeat_their_payload_without_a_problem(
    tmp_path: Path, fmt: str
) -> None:
    # (they carry the first attempt's event, keys included: its retries, not new events)
    profile, data = _generate(
        tmp_path, "users.sql", "streaming", entity="users", fmt=fmt, persona="legacy_client",
        count=3000,
    )  # fmt: skip
    if fmt == "json":
        attempts = [r["attempt"] for r in json.loads(data.read_text())]
    else:
        with data.open(newline="", encoding="utf-8") as handle:
            attempts = [int(r["attempt"]) for r in csv.DictReader(handle)]
    assert max(attempts) > 1, "legacy_client retries"
    report = _check(profile, data)
    assert report.ok, report.problems[:3]


def test_a_truncated_csv_row_and_a_label_not_true_or_false_are_problems(tmp_path: Path) -> None:
    profile, data = _generate(tmp_path, "users.sql", "file", entity="users", fmt="csv", count=30)
    with data.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[3][rows[0].index("_expected_valid")] = "yes"  # was counted as valid
    rows[5].append("extra")
    with data.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    text = data.read_bytes()
    data.write_bytes(text[: text.rindex(b",", 0, len(text) - 40)])  # the last row cut mid-cell
    report = _check(profile, data)
    assert report.exit_code == 1
    assert [(p.index, p.kind) for p in report.problems] == [
        (2, "malformed"), (4, "malformed"), (29, "malformed")
    ]  # fmt: skip
    assert "'yes', not true or false" in report.problems[0].reason
    # a cut in the last cell leaves every cell, but no line break at the end
    data.write_bytes(text[:-3])
    assert [(p.index, p.kind) for p in _check(profile, data).problems] == [
        (2, "malformed"), (4, "malformed"), (29, "malformed")
    ]  # fmt: skip


_ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("report", "what"),
    [
        ("b.jsonl", "the data's own file"),
        ("sub/../b.jsonl", "the data's own file"),
        ("b.jsonl.manifest.json", "the data's manifest"),
        ("prof.yaml", "the profile"),
        ("s.json", "the schema"),
    ],
)
def test_a_report_over_a_file_check_reads_is_refused(
    tmp_path: Path, report: str, what: str
) -> None:
    data = tmp_path / "b.jsonl"
    assert run_cli(["quick", "normal_user", "-t", "file", "-n", "5", "-s", "2", "-o", str(data)])
    profile = tmp_path / "prof.yaml"
    profile.write_bytes((_ROOT / "profiles" / "api_testing.yaml").read_bytes())
    schema = tmp_path / "s.json"
    schema.write_text("{}")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    args = ["check", str(data), "--profile", str(profile), "--report", str(tmp_path / report)]
    result = run_cli([*args, "--schema", str(schema)])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: --report {tmp_path / report}: that is {what}; give another path\n"
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_device_as_data_is_refused_not_read_forever() -> None:
    profile = str(_ROOT / "profiles" / "api_testing.yaml")
    result = run_cli(["check", "/dev/zero", "--profile", profile, "-f", "jsonl"])
    assert result.code == 1
    assert result.stderr == (
        "persona-gen: error: /dev/zero: not a regular file; check reads a dataset file\n"
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_file_cut_at_a_record_boundary_is_incomplete_by_its_manifest(
    tmp_path: Path, fmt: str
) -> None:
    """Every record of a half-copied file may be fine; the manifest beside it says how many
    were written, and fewer is a problem."""
    profile, data = _generate(tmp_path, "user.schema.json", "file", fmt=fmt, count=40)
    assert _check(profile, data).exit_code == 0
    lines = data.read_bytes().splitlines(keepends=True)
    data.write_bytes(b"".join(lines[:-10]))
    report = _check(profile, data)
    assert report.exit_code == 1
    assert any(
        p.kind == "incomplete" and "holds 30 records, but its manifest says 40" in p.reason
        for p in report.problems
    ), report.to_json()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_load_schedule_cut_short_is_incomplete_though_nothing_is_validated(
    tmp_path: Path, fmt: str
) -> None:
    """A load schedule has no payload to validate, but a copy cut short is not the
    schedule that was written: check said only "nothing checked", as for a whole one."""
    profile, data = _generate(
        tmp_path, "openapi-users.yaml", "load", entity="User", fmt=fmt, count=40
    )
    whole = _check(profile, data)
    assert not whole.validatable and whole.problems == [], whole.to_json()
    lines = data.read_bytes().splitlines(keepends=True)
    cut = lines[-10][:7] if fmt == "csv" else b""  # (a CSV's last row cut mid-way)
    data.write_bytes(b"".join(lines[:-10]) + cut)
    report = _check(profile, data)
    assert report.exit_code == 1 and not report.validatable
    kinds = {p.kind: p.reason for p in report.problems}
    held = 31 if fmt == "csv" else 30
    assert f"holds {held} records, but its manifest says 40" in kinds["incomplete"]
    if fmt == "csv":
        assert kinds["malformed"] == "the file ends in this row, without a line break"


@pytest.mark.parametrize("schema_found", [True, False])
def test_an_empty_csv_cell_of_a_not_null_column_is_a_null_as_in_json(
    tmp_path: Path, schema_found: bool
) -> None:
    """CSV writes null as an empty cell: in a NOT NULL column whose values "" cannot be (a
    timestamp, a username of 3 characters or more, an enum) it is that null, and check
    names the rule the JSON Lines path gives a null there (the DDL's NOT NULL, the
    profile's required), not a type, enum or format error; "" a column can hold (VARCHAR
    NOT NULL) is still ""."""
    nulls = ["created_at", "username", "status", "first_name"]
    rules, reasons, flagged = [], [], []
    for fmt in ("jsonl", "csv"):
        base = tmp_path / fmt
        profile, data = _generate(base, "users.sql", "file", entity="users", fmt=fmt, count=8)
        if not schema_found:
            (base / "schemas" / "users.sql").unlink()
        if fmt == "jsonl":
            rows = [json.loads(line) for line in data.read_bytes().splitlines()]
            for i, column in enumerate(nulls, start=1):
                rows[i][column] = None
            data.write_text("".join(json.dumps(r) + "\n" for r in rows))
        else:
            with data.open(newline="", encoding="utf-8") as f:
                cells = list(csv.reader(f))
            for i, column in enumerate(nulls, start=1):
                cells[i + 1][cells[0].index(column)] = ""
            with data.open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(cells)
        report = _check(profile, data)
        got = {p.index: p for p in report.problems}
        rules.append([got[i].rules if i in got else () for i in (1, 2, 3)])
        reasons.append([got[i].reason if i in got else "" for i in (1, 2, 3)])
        flagged.append(sorted(got))
    expected = [("ddl",)] * 3 if schema_found else [("required",)] * 3
    assert rules == [expected, expected]
    assert flagged == [[1, 2, 3, 4], [1, 2, 3]]  # (a CSV's empty first_name may be "")
    if schema_found:
        assert all("NOT NULL constraint failed" in r for r in [*reasons[0], *reasons[1]])


def test_a_schema_for_a_profile_not_imported_from_one_is_refused(tmp_path: Path) -> None:
    """--schema with a built-in profile was ignored: the data was held to the built-in
    domain and the result said OK, as if it fitted the schema given."""
    data = tmp_path / "rows.jsonl"
    made = run_cli(["quick", "normal_user", "-t", "file", "-n", "5", "-s", "2", "-o", str(data)])
    assert made.code == 0, made.stderr
    profile = _ROOT / "profiles" / "api_testing.yaml"
    schema = _ROOT / "schemas" / "users.sql"
    args = ["check", str(data), "--profile", str(profile), "--schema", str(schema)]
    result = run_cli(args)
    assert result.code == 1
    assert result.stderr.startswith(
        f"persona-gen: error: --schema {schema}: {profile} was not imported from a schema, "
        "so its data is checked against the built-in domain; drop --schema"
    ), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
