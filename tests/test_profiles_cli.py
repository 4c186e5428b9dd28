"""import-schema and generate: the two-step workflow, profiles, and their bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import import_profile, run_cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"

# A profile with one entity and one operation (``{op}``: its other keys), as import writes it.
_WITH_OPERATION = """\
name: p
personas: [normal_user]
datasets: [{{type: api, count: 300}}]
domain:
  primary: User
  entities:
    User:
      schema:
        type: object
        fields:
          id: {{type: string, format: uuid}}
          name: {{type: string, max_length: 20}}
  operations:
    - {{method: GET, path: /users, entity: User, {op}}}
"""


def test_list_entities_of_the_openapi_example() -> None:
    result = run_cli(["import-schema", str(SCHEMAS / "openapi-users.yaml"), "--list-entities"])
    assert result.code == 0, result.stderr
    names = [
        line.split("│")[1].strip()
        for line in result.stdout.decode().splitlines()
        if line.startswith("│")
    ]
    assert names == ["User", "Address", "CreateUserRequest", "Order", "OrderItem"]


def test_list_entities_counts_a_union_roots_fields_not_zero() -> None:
    """The README's JSON Schema root is split into two variants by its `if`/`then`: its
    fields are those of the variants, not the 0 of a union's own `fields`."""
    result = run_cli(["import-schema", str(SCHEMAS / "user.schema.json"), "--list-entities"])
    assert result.code == 0, result.stderr
    rows = {
        cells[1].strip(): cells[2].strip()
        for line in result.stdout.decode().splitlines()
        if line.startswith("│") and len(cells := line.split("│")) > 2
    }
    assert rows == {
        "User": "25 in 2 variants",
        "Address": "4",
        "EmailContact": "2",
        "SmsContact": "2",
        "Timestamps": "2",
    }


@pytest.mark.parametrize(
    ("schema", "args", "entity"),
    [
        ("openapi-users.yaml", ["-e", "User"], "User"),
        ("users.sql", ["-f", "ddl", "-e", "users"], "users"),
        ("user-event.avsc", ["-t", "streaming"], None),
        ("user.schema.json", [], None),
        ("user.proto", ["-f", "protobuf", "-e", "User"], "User"),
    ],
)
def test_import_then_generate(
    tmp_path: Path, schema: str, args: list[str], entity: str | None
) -> None:
    profile = tmp_path / "p.yaml"
    result = run_cli(
        ["import-schema", str(SCHEMAS / schema), *args, "-o", str(profile), "-c", "40"]
    )
    assert result.code == 0, result.stderr
    doc = yaml.safe_load(profile.read_text())
    # (the schema's path from the profile's folder, which generate and check find it by)
    assert (profile.parent / doc["source"]["file"]).resolve() == (SCHEMAS / schema).resolve()
    assert len(doc["source"]["sha256"]) == 64
    assert doc["datasets"][0]["count"] == 40
    if entity:
        assert doc["source"]["entity"] == entity
    assert run_cli(["validate", str(profile), "-t", "profile"]).code == 0
    out = run_cli(["generate", str(profile), "--persona", "edge_case_user", "-s", "3"])
    assert out.code == 0, out.stderr
    assert out.stdout.lstrip().startswith((b"[", b"id", b"{")) or out.stdout
    # the same with -o writes a file and a manifest naming the profile
    target = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-o", str(target), "-s", "3"]).code == 0
    files = sorted(p.name for p in target.iterdir())
    assert any(name.endswith(".manifest.json") for name in files)
    manifest = json.loads(next(target.glob("*.manifest.json")).read_text())
    assert manifest["profile"] == doc["name"]
    assert manifest["profile_hash"].startswith("sha256:")


@pytest.mark.parametrize(
    ("schema", "args", "note"),
    [
        (
            "user.schema.json",
            [],
            "persona-gen: note: User has no operations in its schema; api uses generic CRUD "
            "paths /api/v2/users and /api/v2/users/{id}",
        ),
        ("users.sql", ["-e", "orders", "-t", "api"], "persona-gen: note: orders has no"),
        ("openapi-users.yaml", ["-e", "User"], None),  # (its own operations)
        ("users.sql", ["-e", "orders"], None),  # (a file dataset has no operations)
    ],
)
def test_an_api_made_up_for_an_entity_without_operations_is_said_once(
    tmp_path: Path, schema: str, args: list[str], note: str | None
) -> None:
    profile = tmp_path / "p.yaml"
    imported = run_cli(["import-schema", str(SCHEMAS / schema), *args, "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"].append({**doc["datasets"][0], "name": "again", "output": "again.json"})
    profile.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"])
    assert out.code == 0, out.stderr
    notes = [line for line in out.stderr.splitlines() if "note:" in line]
    assert len(notes) == (0 if note is None else 1), out.stderr
    assert note is None or notes[0].startswith(note)


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = run_cli(
        [
            "generate",
            str(ROOT / "profiles" / "api_testing.yaml"),
            "--dry-run",
            "-o",
            str(tmp_path / "never"),
        ]
    )
    assert result.code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert [d["dataset"] for d in plan["datasets"]] == [
        "api_mixed_traffic",
        "api_edge_cases",
        "api_negative",
    ]
    assert plan["datasets"][0]["seed"] == 42
    assert not (tmp_path / "never").exists()


def test_generate_profile_with_mixes(tmp_path: Path) -> None:
    result = run_cli(
        ["generate", str(ROOT / "profiles" / "streaming_testing.yaml"), "-o", str(tmp_path)]
    )
    assert result.code == 0, result.stderr
    mixed = [
        json.loads(line) for line in (tmp_path / "events_mixed.jsonl").read_bytes().splitlines()
    ]
    assert len(mixed) == 2000
    assert {r["persona"] for r in mixed} == {"noisy_device", "high_volume_system", "normal_user"}
    again = tmp_path / "again"
    run_cli(["generate", str(ROOT / "profiles" / "streaming_testing.yaml"), "-o", str(again)])
    assert (again / "events_mixed.jsonl").read_bytes() == (
        tmp_path / "events_mixed.jsonl"
    ).read_bytes()


def test_seed_precedence(tmp_path: Path) -> None:
    profile = ROOT / "profiles" / "load_testing.yaml"
    plan = json.loads(run_cli(["generate", str(profile), "--dry-run", "-s", "5"]).stdout)
    assert {d["seed"] for d in plan["datasets"]} == {5}
    plan = json.loads(run_cli(["generate", str(profile), "--dry-run"]).stdout)
    assert {d["seed"] for d in plan["datasets"]} == {1234}


def test_the_dry_run_shows_a_tiny_weight_that_gets_records_as_non_zero(tmp_path: Path) -> None:
    # A weight of 1e-6 was printed as 0.0 (rounded to 4 decimals), though that persona gets
    # records (one in each block at least): weights are shown to 6 significant digits.
    profile = tmp_path / "tiny.yaml"
    profile.write_text(
        "name: tiny\npersonas: {normal_user: 0.5, high_volume_system: 1, legacy_client: 1e-6}\n"
        "datasets: [{name: t, type: api, count: 1024, format: jsonl}]\n"
    )
    plan = json.loads(run_cli(["generate", str(profile), "--dry-run", "-s", "1"]).stdout)
    (dataset,) = plan["datasets"]
    shown = {"normal_user": 0.5, "high_volume_system": 1.0, "legacy_client": 1e-6}
    assert dataset["personas"] == shown
    result = run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "out")])
    assert result.code == 0, result.stderr
    lines = (tmp_path / "out" / "t.jsonl").read_bytes().splitlines()
    assert "legacy_client" in {json.loads(line)["persona"] for line in lines}


def test_several_datasets_need_an_output_directory() -> None:
    result = run_cli(["generate", str(ROOT / "profiles" / "api_testing.yaml")])
    assert result.code == 1
    assert "give -o DIR" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import-schema", "nope.yaml", "-o", "x.yaml"], "file not found"),
        (
            ["import-schema", "SCHEMAS/openapi-users.yaml", "-f", "swager", "-o", "x.yaml"],
            "unknown schema format 'swager'. Did you mean 'swagger'?",
        ),
        (
            ["import-schema", "SCHEMAS/openapi-users.yaml", "-e", "Usr", "-o", "x.yaml"],
            "unknown entity 'Usr'. Did you mean 'User'?",
        ),
        # (without -o: a usage error, exit 2: tests/test_cli.py)
        (
            ["import-schema", "SCHEMAS/openapi-users.yaml", "-t", "apii", "-o", "x.yaml"],
            "unknown generator 'apii'",
        ),
        (
            ["import-schema", "SCHEMAS/openapi-users.yaml", "-c", "0", "-o", "x.yaml"],
            "must be at least 1",
        ),
    ],
)
def test_import_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli([a.replace("SCHEMAS", str(SCHEMAS)) for a in args])
    assert result.code == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_import_refuses_to_overwrite_a_profile_without_force(tmp_path: Path) -> None:
    """A profile is edited by hand: importing again onto it is refused unless --force."""
    profile = tmp_path / "p.yaml"
    args = ["import-schema", str(SCHEMAS / "users.sql"), "-e", "users", "-o", str(profile)]
    assert run_cli(args).code == 0
    profile.write_text(profile.read_text() + "# my own notes\n")
    edited = profile.read_bytes()
    again = run_cli(args)
    assert again.code == 1
    assert (
        again.stderr == f"persona-gen: error: {profile} already exists (use --force to overwrite)\n"
    )
    assert profile.read_bytes() == edited
    listed = run_cli([*args, "--list-entities"])  # (writes nothing: nothing to refuse)
    assert listed.code == 0, listed.stderr
    forced = run_cli([*args, "--force"])
    assert forced.code == 0, forced.stderr
    assert b"# my own notes" not in profile.read_bytes()
    assert yaml.safe_load(profile.read_text())["source"]["entity"] == "users"


def test_a_dataset_too_large_for_a_bounded_unique_key_is_refused_before_writing(
    tmp_path: Path,
) -> None:
    source = tmp_path / "t.sql"
    source.write_text("CREATE TABLE t (id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 1000));\n")
    profile = tmp_path / "p.yaml"
    imported = run_cli(["import-schema", str(source), "-c", "1001", "-o", str(profile)])
    # (-c given: the profile is written as asked, and the warning says what generate will do)
    assert imported.code == 0
    assert imported.stderr.startswith(
        "persona-gen: warning: -c 1001: generate and validate will refuse this profile: "
        "'id' must be unique but has only 1000 allowed values (1 to 1000); 1001 records "
        "cannot all differ (pass -c 1000 or fewer)\n"
    )
    message = (
        "dataset 't_file': 'id' must be unique but has only 1000 allowed values (1 to 1000); "
        "1001 records cannot all differ"
    )
    out = tmp_path / "out"
    made = run_cli(["generate", str(profile), "-o", str(out), "-s", "1"])
    assert made.code == 1
    assert made.stderr == f"persona-gen: error: {message}\n"
    assert not out.exists() or not any(out.iterdir())
    checked = run_cli(["validate", str(profile), "-t", "profile"])
    assert checked.code == 1 and message in checked.stderr


@pytest.mark.parametrize("output_format", ["csv", "sql"])
def test_the_default_count_fits_a_key_of_few_values(tmp_path: Path, output_format: str) -> None:
    # Without -c, import wrote count: 100 for a key of 9 values: validate and generate
    # refused the profile it had just written (and --output-format sql refused the import).
    source = tmp_path / "t.sql"
    source.write_text("CREATE TABLE t (b INT PRIMARY KEY CHECK (b BETWEEN 1 AND 9));\n")
    profile = tmp_path / "p.yaml"
    args = ["import-schema", str(source), "--output-format", output_format, "-o", str(profile)]
    imported = run_cli(args)
    assert imported.code == 0, imported.stderr
    warning = (
        "persona-gen: warning: the dataset's count is 9, not the default 100: 'b' must be "
        "unique but has only 9 allowed values (1 to 9), so 100 records cannot all differ; "
        "to change it, pass -c N (at most 9) or edit the dataset's count in the profile\n"
    )
    assert imported.stderr.startswith(warning)
    assert yaml.safe_load(profile.read_text())["datasets"][0]["count"] == 9
    assert "# import warning: the dataset's count is 9" in profile.read_text()
    checked = run_cli(["validate", str(profile), "-t", "profile"])
    assert checked.code == 0, checked.stderr
    made = run_cli(["generate", str(profile), "-s", "1"])
    assert made.code == 0, made.stderr
    lines = made.stdout.decode().splitlines()
    rows = lines[1:] if output_format == "csv" else [x for x in lines if x.startswith("INSERT")]
    assert len(rows) == 9


def test_a_composite_primary_key_holds_more_rows_than_one_of_its_columns(tmp_path: Path) -> None:
    # PRIMARY KEY (a, b) was taken as 'b' unique on its own: validate and generate refused
    # 20 rows ("'b' must be unique but has only 9 allowed values"), --output-format sql at
    # import; UNIQUE (a, b), the same rule, was fine.
    source = tmp_path / "t.sql"
    source.write_text(
        "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL CHECK (b BETWEEN 1 AND 9), "
        "PRIMARY KEY (a, b));\n"
    )
    profile = tmp_path / "t.yaml"
    imported = run_cli(["import-schema", str(source), "-c", "20", "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    checked = run_cli(["validate", str(profile), "-t", "profile"])
    assert checked.code == 0, checked.stderr
    made = run_cli(["generate", str(profile), "-s", "1"])
    assert made.code == 0, made.stderr
    pairs = [line.split(",")[:2] for line in made.stdout.decode().splitlines()[1:]]
    assert len(pairs) == len({tuple(p) for p in pairs}) == 20
    as_sql = tmp_path / "t-sql.yaml"
    args = ["import-schema", str(source), "-c", "20", "--output-format", "sql"]
    imported = run_cli([*args, "-o", str(as_sql)])
    assert imported.code == 0, imported.stderr
    script = run_cli(["generate", str(as_sql), "-s", "1"])
    assert script.code == 0, script.stderr
    assert script.stdout.decode().count('INSERT INTO "t" ("a", "b") VALUES (') == 20


def test_a_format_against_its_output_s_extension_is_a_warning(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: a, type: api, count: 3, format: json, output: a.csv}\n"
        "  - {name: b, type: api, count: 3, format: jsonl, output: b.out}\n"
        "  - {name: c, type: api, count: 3, format: json, output: c.json}\n"
    )
    warning = (
        f"persona-gen: warning: {profile}:4:36: datasets[0].format: writing json to 'a.csv' "
        "(its extension says csv)"
    )
    for command in (
        ["validate", str(profile)],
        ["generate", str(profile), "-s", "1", "--dry-run"],
        ["generate", str(profile), "-s", "1", "-o", str(tmp_path / "out")],
    ):
        result = run_cli(command)
        assert result.code == 0, result.stderr
        assert [line for line in result.stderr.splitlines() if "warning" in line] == [warning]
    assert len(json.loads((tmp_path / "out" / "a.csv").read_text())) == 3  # (format wins)


def test_a_name_and_an_output_alike_do_not_clash(tmp_path: Path) -> None:
    # (a dataset named 'a.json' writes a.json.json, not the other's a.json)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n  - {name: a.json, type: api}\n"
        "  - {name: b, type: load, output: a.json}\n"
    )
    result = run_cli(["validate", str(profile), "-t", "profile"])
    assert result.code == 0, result.stderr
    made = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"])
    assert made.code == 0, made.stderr
    assert (tmp_path / "out" / "a.json.json").is_file()
    assert (tmp_path / "out" / "a.json").is_file()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: p\npersonas: [normal_user]\ndatasets: [{type: apii}]\n",
            "p.yaml:3:13: datasets[0].type: unknown generator 'apii'. Did you mean 'api'?",
        ),
        (
            "name: p\npersonas: [nobody]\ndatasets: [{type: api}]\n",
            "p.yaml:2:12: personas[0]: unknown persona 'nobody'",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets: [{type: api, count: 0}]\n",
            "datasets[0].count: Input should be greater than or equal to 1",
        ),
        ("name: p\npersonas: [normal_user]\n", "datasets: field required"),
        (
            "name: p\npersonas: [normal_user]\ndatasets: [{type: api, format: xml}]\n",
            "unknown output format 'xml'",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets: [{type: api}]\ndomain: {entities: 3}\n",
            "domain",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets:\n  - {type: api}\n"
            "  - {type: api, personas: [edge_case_user]}\n",
            "p.yaml:5:28: datasets[1].personas[0]: 'edge_case_user' is not in the profile's",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets:\n  - {name: a, type: api}\n"
            "  - {name: a, type: load}\n",
            "p.yaml:5:6: datasets[1].name: datasets[0] is named 'a' too\n",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets:\n  - {name: a, type: api}\n"
            "  - {name: b, type: load, output: ./a.json}\n",
            "p.yaml:5:27: datasets[1].output: datasets[0] writes 'a.json' too\n",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets:\n  - {type: api, output: p_api_2.json}\n"
            "  - {type: api}\n",
            "p.yaml:5:6: datasets[1].type: datasets[0] writes 'p_api_2.json' too (this "
            "dataset's file, named after the dataset: give it an output)\n",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets:\n  - {type: api}\n"
            "  - {name: p_api_1, type: api, output: x.json}\n",
            "p.yaml:5:6: datasets[1].name: datasets[0] is named 'p_api_1' too (the name it gets "
            "by default)\n",
        ),
        (  # (found from the profile, not after the first file is written)
            "name: p\npersonas: [normal_user]\ndatasets:\n  - {type: api, output: sub/x.json}\n"
            "  - {type: api, output: ./sub//x.json/y.json}\n",
            "p.yaml:5:17: datasets[1].output: datasets[0] writes the file 'sub/x.json', which "
            "this output needs as a folder",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets:\n  - {type: api, sink: 'ftp://x/y'}\n",
            "p.yaml:4:17: datasets[0].sink: unknown sink 'ftp'",
        ),
        (
            _WITH_OPERATION.format(op="response: {entity: User, shape: pages}"),
            "domain.operations[0].response.shape: unknown shape 'pages' (one of one, array",
        ),
        (
            _WITH_OPERATION.format(op="response: {entity: Usr}"),
            "domain.operations[0].response.entity: no entity named 'Usr'",
        ),
        (
            _WITH_OPERATION.format(op="path_params: 3"),
            "domain.operations[0].path_params: expected a list of names or a mapping",
        ),
        (
            "name: p\npersonas: [normal_user]\ndatasets: [{type: file, entity: Ordr}]\n",
            "p.yaml:3:25: datasets[0].entity: unknown built-in entity 'Ordr'. Did you mean",
        ),
        (  # names break their rule: said in words, not as the regular expression
            "name: my profile\npersonas: [Normal-User]\ndatasets: [{name: 'a b', type: api}]\n",
            "p.yaml:1:1: name: a profile name is letters, digits, underscores, dots and "
            "hyphens: 'my profile'\n"
            "p.yaml:2:12: personas[0].name: a persona name is lower-case letters, digits and "
            "underscores, starting with a letter: 'Normal-User'\n"
            "p.yaml:3:13: datasets[0].name: a dataset name is letters, digits, underscores, "
            "dots and hyphens: 'a b'",
        ),
    ],
)
def test_bad_profiles(tmp_path: Path, text: str, message: str) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(text)
    for command in (
        ["validate", str(profile), "-t", "profile"],
        ["generate", str(profile), "-o", str(tmp_path / "out")],
    ):
        result = run_cli(command)
        assert result.code == 1
        assert message in result.stderr.replace(str(tmp_path) + "/", "")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {
                "type": "object",
                "properties": {"a": {"type": "integer", "minimum": 10, "maximum": 5}},
            },
            "k.a: no integer lies between its minimum 10 and maximum 5",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "minLength": 9, "maxLength": 2}},
            },
            "k.a: minLength 9 is above maxLength 2",
        ),
        (
            {"type": "object", "properties": {"a": {"exclusiveMinimum": 5, "maximum": 5}}},
            "k.a: no number lies between its exclusiveMinimum 5 and maximum 5",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "array", "minItems": 3, "maxItems": 1}},
            },
            "k.a: minItems 3 is above maxItems 1",
        ),
        (
            {"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/A"}}},
            "k: its $ref chain loops (k -> A -> A), so no value fits",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "pattern": "^[a-z]{9}$", "maxLength": 3}},
            },
            "k.a: pattern '^[a-z]{9}$' matches only strings of at least 9 characters, above "
            "the maximum length 3",
        ),
        (
            {
                "type": "object",
                "properties": {
                    "a": {"type": "integer", "minimum": 1, "maximum": 3, "multipleOf": 5}
                },
            },
            "k.a: no multiple of 5 lies between minimum 1 and maximum 3, so no value fits",
        ),
        (  # (101 integers lie there, but integers are made as int64: the message says so)
            {
                "type": "object",
                "properties": {
                    "a": {"type": "integer", "minimum": 10**20, "maximum": 10**20 + 100}
                },
            },
            "k.a: its minimum 100000000000000000000 is above the 64-bit range integers are made in",
        ),
        (  # (records carry an enum member or const as given: JSON cannot hold this one)
            {"type": "object", "properties": {"a": {"enum": ["x", 10**23]}}},
            "k.a: enum member holds 100000000000000000000000, outside the integers records "
            "can be written with",
        ),
        (
            {"type": "object", "properties": {"a": {"const": {"b": [-(10**23)]}}}},
            "k.a: const holds -100000000000000000000000, outside the integers records can be "
            "written with",
        ),
        (  # (also with no maximum: every value drawn would be beyond int64)
            {"type": "object", "properties": {"a": {"type": "integer", "minimum": 10**20}}},
            "k.a: its minimum 100000000000000000000 is above the 64-bit range integers are made in",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "integer", "maximum": -(10**20)}}},
            "k.a: its maximum -100000000000000000000 is below the 64-bit range integers are "
            "made in",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "pattern": "^a{100000000}$"}},
            },
            "k.a: pattern '^a{100000000}$' matches only strings of at least 100,000,000 "
            "characters, above 65,536, the longest minimum records are made for",
        ),
    ],
)
def test_a_schema_no_record_satisfies_is_refused_on_import_and_in_a_profile(
    tmp_path: Path, schema: dict[str, object], message: str
) -> None:
    source = tmp_path / "k.schema.json"
    source.write_text(json.dumps(schema))
    imported = run_cli(["import-schema", str(source), "-o", str(tmp_path / "k.yaml")])
    assert imported.code == 1
    assert message in imported.stderr
    assert "Traceback" not in imported.stderr
    assert not (tmp_path / "k.yaml").exists()
    # A profile whose embedded entity was edited into such a schema is refused the same way.
    good = tmp_path / "ok.schema.json"
    good.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "integer"}}}))
    assert run_cli(["import-schema", str(good), "-o", str(tmp_path / "p.yaml")]).code == 0
    doc = yaml.safe_load((tmp_path / "p.yaml").read_text())
    doc["domain"]["entities"]["ok"]["schema"]["fields"]["a"].update({"minimum": 10, "maximum": 5})
    text = yaml.safe_dump(doc, sort_keys=False)
    (tmp_path / "p.yaml").write_text(text)
    generated = run_cli(["generate", str(tmp_path / "p.yaml"), "-o", str(tmp_path / "out")])
    assert generated.code == 1
    # located at the field (its line and path), not at the entity's schema
    line = text.splitlines().index("          a:") + 1
    assert (
        f"p.yaml:{line}:11: domain.entities.ok.schema.fields.a: no integer lies between its "
        "minimum 10 and maximum 5\n"
    ) in generated.stderr


def test_a_parameter_no_value_fits_is_refused_on_import_and_in_a_profile(tmp_path: Path) -> None:
    # A path parameter whose bounds cross used to import, validate, and then make generate
    # fail with a traceback (numpy: high - low < 0).
    param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    a = {"schema": {"$ref": "#/components/schemas/A"}}
    reply = {"description": "ok", "content": {"application/json": a}}
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a/{id}": {"get": {"parameters": [param], "responses": {"200": reply}}}},
        "components": {
            "schemas": {"A": {"type": "object", "properties": {"id": {"type": "integer"}}}}
        },
    }
    source = tmp_path / "api.yaml"
    source.write_text(yaml.safe_dump(spec))
    assert run_cli(["import-schema", str(source), "-o", str(tmp_path / "p.yaml")]).code == 0
    param["schema"] = {"type": "integer", "minimum": 10, "maximum": 1}
    source.write_text(yaml.safe_dump(spec))
    imported = run_cli(["import-schema", str(source), "-o", str(tmp_path / "q.yaml")])
    assert (imported.code, "Traceback" in imported.stderr) == (1, False)
    assert imported.stderr.endswith(
        "no value fits a parameter: GET /a/{id}: path parameter 'id': no integer lies between "
        "its minimum 10 and maximum 1\n"
    )
    assert not (tmp_path / "q.yaml").exists()
    # A profile edited into such a parameter is refused by validate and generate alike.
    doc = yaml.safe_load((tmp_path / "p.yaml").read_text())
    doc["domain"]["operations"][0]["path_params"]["id"].update({"minimum": 10, "maximum": 1})
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    for command in (["validate"], ["generate", "-o", str(tmp_path / "out")]):
        result = run_cli([command[0], str(tmp_path / "p.yaml"), *command[1:]])
        assert (result.code, "Traceback" in result.stderr) == (1, False), result.stderr
        assert (
            "domain.operations[0].path_params.id: no integer lies between its minimum 10 and "
            "maximum 1"
        ) in result.stderr


def test_a_template_of_personas_of_several_entities_generates(tmp_path: Path) -> None:
    # One file holds one entity's rows: the template splits its file dataset by entity, and
    # validate says what generate would (it once passed a template generate then refused).
    profile = tmp_path / "p.yaml"
    personas = ["-p", "normal_user", "-p", "noisy_device"]
    made = run_cli(["init-profile", "-n", "p", *personas, "-t", "file", "-o", str(profile)])
    assert made.code == 0, made.stderr
    assert run_cli(["validate", str(profile), "-t", "profile"]).code == 0
    ran = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"])
    assert ran.code == 0, ran.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.csv")) == [
        "file_telemetryreading.csv",
        "file_user.csv",
    ]
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"] = [{"name": "mixed", "type": "file", "count": 10}]
    profile.write_text(yaml.safe_dump(doc))
    refused = run_cli(["validate", str(profile), "-t", "profile"])
    assert refused.code == 1
    assert refused.stderr.startswith("persona-gen: error: dataset 'mixed': file rows of one")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"personas": ["normal_user", "normal_user"]}, "persona named more than once"),
        ({"seed": 2**63}, "seed: Input should be less than or equal to 9223372036854775807"),
    ],
)
def test_profiles_that_would_run_otherwise_than_written_are_refused(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    profile = tmp_path / "p.yaml"
    doc = {"name": "p", "personas": ["normal_user"], "datasets": [{"type": "api"}], **change}
    profile.write_text(yaml.safe_dump(doc))
    result = run_cli(["validate", str(profile), "-t", "profile"])
    assert result.code == 1
    assert message in result.stderr


def test_a_profile_written_before_replies_were_described_still_runs(tmp_path: Path) -> None:
    # Profiles imported before operations recorded their replies have `response_array`
    # (a list reply) and DELETE/204 (no body): they load and are answered as the spec said.
    profile = tmp_path / "old.yaml"
    profile.write_text(
        _WITH_OPERATION.format(op="response_array: true, success_status: 200")
        + "    - {method: GET, path: '/users/{id}', entity: User, path_params: [id]}\n"
        + "    - {method: DELETE, path: '/users/{id}', entity: User, success_status: 204,"
        " path_params: [id]}\n"
    )
    result = run_cli(["generate", str(profile), "-s", "5"])
    assert result.code == 0, result.stderr
    replies: dict[tuple[str, int], list[Any]] = {}
    for record in json.loads(result.stdout):
        request, response = record["request"], record["response"]
        key = (request["method"], request["path"].count("/"))
        if response["status"] in (200, 204):
            replies.setdefault(key, []).append((request["path"], response["body"]))
    assert all(isinstance(body, list) for _, body in replies[("GET", 1)])
    assert all(body["id"] == path.split("/")[2] for path, body in replies[("GET", 2)])
    assert all(body is None for _, body in replies[("DELETE", 2)])


_DOMAIN_HEAD = (
    "name: p\npersonas: [normal_user]\ndatasets:\n  - {name: a, type: file, count: 5}\n"
    "domain:\n  primary: T\n  entities:\n    T:\n      schema:\n        type: object\n"
    "        fields:\n"
)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            '          s: {type: string, pattern: "^[A-Z]{10}$", max_length: 5}\n',
            "p.yaml:12:53: domain.entities.T.schema.fields.s.max_length: pattern '^[A-Z]{10}$' "
            "matches only strings of at least 10 characters, above the maximum length 5",
        ),
        (
            '          s: {type: string, pattern: "^[A-Z]{1,3}$", min_length: 5}\n',
            # (ECMA's $ is the very end: no final newline makes it one character longer)
            "fields.s.min_length: pattern '^[A-Z]{1,3}$' matches only strings of at most 3 "
            "characters, below the minimum length 5",
        ),
        (
            "          e: {type: string, enum: []}\n",
            "p.yaml:12:29: domain.entities.T.schema.fields.e.enum: enum is empty",
        ),
        (
            "          s: {type: string, pattern: '^$', min_length: 1}\n",
            "fields.s.min_length: pattern '^$' matches only strings of at most 0 characters, "
            "below the minimum length 1",
        ),
        (
            "          s: {type: string, pattern: '(?m)^$', min_length: 1}\n",
            "fields.s.min_length: pattern '(?m)^$' matches only strings of at most 0 characters "
            "(one more when it ends in a newline), below the minimum length 1",
        ),
        (
            "          s: {type: string, min_length: 3, max_length: 3, enum: [ab]}\n",
            "fields.s.enum[0]: enum member 'ab' is shorter than min_length 3",
        ),
        (
            "          n: {type: integer, maximum: 3, enum: [1, 5]}\n",
            "fields.n.enum[1]: enum member 5 is above its maximum 3",
        ),
        (
            "          s: {type: string, pattern: '^[a-z]+$', const: 'A1'}\n",
            "fields.s.const: const 'A1' does not match pattern '^[a-z]+$'",
        ),
        (
            "          s: {type: string, format: uuid, pattern: '^x$'}\n",
            "fields.s.pattern: pattern '^x$' matches strings of 1 characters, and format uuid "
            "values have 36",
        ),
        (  # (a date drawn for it was labelled valid and failed its format)
            "          s: {type: string, format: date, pattern: '^[a-z]+$'}\n",
            "fields.s.pattern: no value of format date matches pattern '^[a-z]+$' (none of 256 "
            "date values drawn matches it, nor is any of 256 strings it matches a date)",
        ),
        (
            "          s: {type: string, format: date, max_length: 2}\n",
            "fields.s.max_length: format date values have at least 10 characters, above "
            "max_length 2",
        ),
        (
            "          s: {type: string, format: ipv4, min_length: 50}\n",
            "fields.s.min_length: format ipv4 values have at most 15 characters, below "
            "min_length 50",
        ),
        (
            "          s: {type: string, pattern: '(?=a)b'}\n",
            "fields.s.pattern: pattern '(?=a)b' matches no string at all",
        ),
        (
            "          r: {type: ref}\n",
            "p.yaml:12:11: domain.entities.T.schema.fields.r: type ref needs a ref: naming an "
            "entity. Available: T",
        ),
        (
            "          m: {type: number, multiple_of: 1.0e-320}\n",
            "fields.m.multiple_of: multiple_of 9.99989e-321 is too small to draw multiples of",
        ),
        (
            "          s: {type: string, min_length: 1000000000}\n",
            "fields.s.min_length: min_length 1000000000 is above 65,536 characters, the longest "
            "minimum records are made for",
        ),
        (
            "          s: {type: string, pattern: '^a{1000000}$'}\n",
            "fields.s.pattern: pattern '^a{1000000}$' matches only strings of at least 1,000,000",
        ),
        (
            "          a: {type: array, items: {type: string}, min_items: 100000000}\n",
            "fields.a.min_items: min_items 100000000 is above 10,000 items, the largest minimum",
        ),
        (
            "          m: {type: number, minimum: 1, maximum: 2, multiple_of: 5}\n",
            "fields.m.multiple_of: no multiple of 5 lies between minimum 1 and maximum 2",
        ),
        (
            "          m: {type: integer, minimum: 4, maximum: 5, multiple_of: 0.3}\n",
            "fields.m.multiple_of: no integer multiple of 0.3 lies between minimum 4 and maximum 5",
        ),
        (
            "          c: {type: string, const: 5}\n",
            "fields.c.const: const 5 is not a string, the field's type",
        ),
        (
            "          e: {type: integer, enum: [1, b]}\n",
            "p.yaml:12:40: domain.entities.T.schema.fields.e.enum[1]: enum member 'b' is not an "
            "integer",
        ),
        (
            "          s: {type: string, format: emial}\n",
            "fields.s.format: unknown format 'emial'. Did you mean 'email'? Known: binary,",
        ),
        (
            '          u: {type: string, pattern: "[unclosed"}\n',
            "fields.u.pattern: pattern '[unclosed' is not a valid regular expression",
        ),
        (  # (ECMA's Unicode properties are read; one of no such name is named)
            "          u: {type: string, pattern: '^\\p{Lettr}+$'}\n",
            "fields.u.pattern: pattern '^\\\\p{Lettr}+$' is not a valid regular expression "
            "(unknown Unicode property \\p{Lettr}; did you mean \\p{Letter}?)",
        ),
        (  # (a pattern of Unicode properties is checked like any other)
            "          u: {type: string, pattern: '^\\p{Lu}{3}$', max_length: 2}\n",
            "fields.u.max_length: pattern '^\\\\p{Lu}{3}$' matches only strings of at least 3",
        ),
        (  # crossed bounds: at the field's own line and path, not at the entity
            "          n: {type: integer, minimum: 10, maximum: 5}\n",
            "p.yaml:12:11: domain.entities.T.schema.fields.n: no integer lies between its "
            "minimum 10 and maximum 5",
        ),
        (
            "          s: {type: string, min_length: 9, max_length: 3}\n",
            # (the rules named as the profile spells them, not as JSON Schema does)
            "p.yaml:12:11: domain.entities.T.schema.fields.s: min_length 9 is above max_length 3\n",
        ),
        (
            "          o:\n            type: object\n            fields:\n              tags:"
            " {type: array, items: {type: string}, min_items: 4, max_items: 2}\n",
            "p.yaml:15:15: domain.entities.T.schema.fields.o.fields.tags: min_items 4 is above "
            "max_items 2\n",
        ),
        (  # a numeric exclusive bound is a bound (here: above 5), so none is left
            "          n: {type: integer, exclusive_minimum: 5, maximum: 5}\n",
            "fields.n: no integer lies between its exclusive_minimum 5 and maximum 5\n",
        ),
        (
            "          n: {type: number, maximum: 1, exclusive_maximum: true, minimum: 1}\n",
            "fields.n: no number lies between its minimum 1 and exclusive_maximum 1\n",
        ),
        (
            "          n: {type: number, multiple_of: -2}\n",
            "p.yaml:12:29: domain.entities.T.schema.fields.n.multiple_of: multiple_of must be a "
            "positive number, got -2\n",
        ),
        (  # (JSON Schema's list of types is not the entity format's: one type, `nullable`)
            "          s: {type: [string, 'null']}\n",
            "p.yaml:12:15: domain.entities.T.schema.fields.s.type: unknown type ['string', "
            "'null']\n",
        ),
        (
            "          n: {type: integer, exclusive_maximum: five}\n",
            "p.yaml:12:30: domain.entities.T.schema.fields.n.exclusive_maximum: expected true, "
            "false or a number, got 'five'",
        ),
    ],
)
def test_contradictory_field_rules_are_refused_at_load(
    tmp_path: Path, fields: str, message: str
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(_DOMAIN_HEAD + fields)
    for command in (
        ["validate", str(profile), "-t", "profile"],
        ["generate", str(profile), "-o", str(tmp_path / "out")],
    ):
        result = run_cli(command)
        assert result.code == 1, result.stderr
        assert message in result.stderr.replace(str(tmp_path) + "/", "")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_rules_that_hold_still_load(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        _DOMAIN_HEAD
        + '          s: {type: string, pattern: "^[A-Z]{2,10}$", min_length: 3, max_length: 5}\n'
        + "          m: {type: number, minimum: 1, maximum: 12, multiple_of: 5}\n"
        + "          i: {type: integer, minimum: 1, maximum: 3, multiple_of: 0.5}\n"
        + "          e: {type: number, enum: [1, 2.5], nullable: true, const: null}\n"
        + "          t: {type: string, format: date-time, pattern: 'T'}\n"
        # a format and a pattern that meet now and then: digits in a date's shape (about 1
        # in 30 is a date), a domain of emails, hex uuids, a block of addresses
        + "          d: {type: string, format: date, pattern: '^\\d{4}-\\d{2}-\\d{2}$'}\n"
        + "          em: {type: string, format: email, pattern: '@example\\.com$'}\n"
        + "          u: {type: string, format: uuid, pattern: '^[0-9a-f-]+$'}\n"
        + "          ip: {type: string, format: ipv4, pattern: '^10\\.'}\n"
    )
    result = run_cli(["validate", str(profile), "-t", "profile"])
    assert result.code == 0, result.stderr


def test_an_imported_profile_keeps_a_format_of_its_own(tmp_path: Path) -> None:
    # A schema's format is an annotation: an imported one the generator does not know stays.
    source = tmp_path / "k.schema.json"
    source.write_text(
        json.dumps({"type": "object", "properties": {"c": {"type": "string", "format": "x-cc"}}})
    )
    assert run_cli(["import-schema", str(source), "-o", str(tmp_path / "k.yaml")]).code == 0
    assert run_cli(["validate", str(tmp_path / "k.yaml"), "-t", "profile"]).code == 0


@pytest.mark.parametrize(
    ("entities", "message"),
    [
        (
            "    T: {schema: {type: object, fields: {o: {type: ref, ref: Missing}}}}\n",
            "p.yaml:8:56: domain.entities.T.schema.fields.o.ref: unknown entity 'Missing'. "
            "Available: T",
        ),
        (
            "    T:\n      primary_key: [nope]\n      unique: [[id], [also_nope]]\n"
            "      schema: {type: object, fields: {id: {type: string}}}\n",
            "p.yaml:9:21: domain.entities.T.primary_key[0]: unknown field 'nope'. Available: id\n"
            "p.yaml:10:23: domain.entities.T.unique[1][0]: unknown field 'also_nope'",
        ),
        (
            "    T:\n      primary_key: id\n"
            "      schema: {type: object, fields: {id: {type: string}}}\n",
            "p.yaml:9:7: domain.entities.T.primary_key: expected a list",
        ),
        (
            "    T:\n      foreign_keys: [{columns: [u], entity: V, references: [id]}]\n"
            "      schema: {type: object, fields: {u: {type: string}}}\n"
            "    U: {schema: {type: object, fields: {id: {type: string}}}}\n",
            "domain.entities.T.foreign_keys[0].entity: unknown entity 'V'. Available: T, U",
        ),
    ],
)
def test_names_in_a_domain_that_name_nothing_are_refused_at_load(
    tmp_path: Path, entities: str, message: str
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n  - {name: a, type: file, count: 5}\n"
        "domain:\n  primary: T\n  entities:\n" + entities
    )
    for command in (
        ["validate", str(profile), "-t", "profile"],
        ["generate", str(profile), "-o", str(tmp_path / "out")],
    ):
        result = run_cli(command)
        assert result.code == 1, result.stderr
        assert message in result.stderr.replace(str(tmp_path) + "/", "")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_later_dataset_with_a_dangling_ref_stops_the_run_before_anything_is_written(
    tmp_path: Path,
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: a, type: file, count: 30, entity: T}\n"
        "  - {name: b, type: file, count: 30, entity: U}\n"
        "domain:\n  primary: T\n  entities:\n"
        "    T: {schema: {type: object, fields: {id: {type: string}}}}\n"
        "    U: {schema: {type: object, fields: {o: {type: ref, ref: Missing}}}}\n"
    )
    result = run_cli(["generate", str(profile), "-o", str(tmp_path / "out")])
    assert result.code == 1
    assert "p.yaml:10:56: domain.entities.U.schema.fields.o.ref: unknown entity" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_profile_model_and_page_describe_every_dataset_key_and_format() -> None:
    from persona_gen.profiles.model import DatasetSpec
    from persona_gen.sinks import FORMATS

    described = DatasetSpec.model_fields["format"].description or ""
    assert all(name in described for name in FORMATS.names()), described
    page = (Path(__file__).resolve().parent.parent / "docs" / "profile-format.md").read_text()
    for key in DatasetSpec.model_fields:
        assert f" {key}: " in page or f"`{key}`" in page, key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _DOMAIN_HEAD + "          s: {type: string, max_lenght: 20}\n",
            "p.yaml:12:29: domain.entities.T.schema.fields.s.max_lenght: unknown schema key. "
            "Did you mean 'max_length'?",
        ),
        (
            _DOMAIN_HEAD + "          a: {type: array, items: {type: integer, minimun: 1}}\n",
            "domain.entities.T.schema.fields.a.items.minimun: unknown schema key. Did you mean "
            "'minimum'?",
        ),
        (
            _DOMAIN_HEAD + "          s: {type: string, colour: red}\n",
            "fields.s.colour: unknown schema key (known: type, format, semantic, nullable,",
        ),
        (
            _DOMAIN_HEAD.replace("    T:\n", "    T:\n      primary_kye: [id]\n")
            + "          id: {type: integer}\n",
            "p.yaml:9:7: domain.entities.T.primary_kye: unknown entity key. Did you mean "
            "'primary_key'?",
        ),
        (
            _WITH_OPERATION.format(op="path_parms: [id]"),
            "domain.operations[0].path_parms: unknown operation key. Did you mean 'path_params'?",
        ),
        (
            _WITH_OPERATION.format(op="response: {entity: User, shap: array}"),
            "domain.operations[0].response.shap: unknown response key. Did you mean 'shape'?",
        ),
        (
            _WITH_OPERATION.replace("  operations:", "  primery: User\n  operations:").format(
                op="success_status: 200"
            ),
            "p.yaml:13:3: domain.primery: unknown domain key. Did you mean 'primary'?",
        ),
    ],
)
def test_misspelt_keys_in_a_domain_name_the_closest_known_one(
    tmp_path: Path, text: str, message: str
) -> None:
    # (such a key was dropped without a word: its rule silently not applied)
    profile = tmp_path / "p.yaml"
    profile.write_text(text)
    for command in (
        ["validate", str(profile), "-t", "profile"],
        ["generate", str(profile), "-o", str(tmp_path / "out")],
    ):
        result = run_cli(command)
        assert result.code == 1, result.stderr
        assert message in result.stderr.replace(str(tmp_path) + "/", "")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("n: {type: integer, minimum: abc}", "fields.n.minimum: expected a number, got 'abc'"),
        ("n: {type: integer, minimum: true}", "fields.n.minimum: expected a number, got true"),
        (
            "s: {type: string, min_length: 2.5}",
            "p.yaml:12:29: domain.entities.T.schema.fields.s.min_length: expected a whole number "
            ">= 0, got 2.5",
        ),
        ("e: {type: string, enum: 5}", "fields.e.enum: expected a list of values, got 5"),
        (
            "c: {type: string, const: a, const_unchecked: 'yes'}",
            "fields.c.const_unchecked: expected true or false, got 'yes'",
        ),
        (
            "o: {type: object, absent: card}",
            "fields.o.absent: expected a list of property names, got 'card'",
        ),
        ("r: {type: ref, ref: 5}", "fields.r.ref: expected text, got 5"),
        (
            "s: {type: string, required: 'no'}",
            "fields.s.required: expected true or false, got 'no'",
        ),
    ],
)
def test_a_rule_of_the_wrong_kind_is_one_message(tmp_path: Path, field: str, message: str) -> None:
    # (`minimum: abc` and `enum: 5` were tracebacks; `required: 'no'` read as true)
    profile = tmp_path / "p.yaml"
    profile.write_text(_DOMAIN_HEAD + f"          {field}\n")
    result = run_cli(["validate", str(profile), "-t", "profile"])
    assert result.code == 1
    assert message in result.stderr.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in result.stderr


def test_a_numeric_exclusive_bound_is_honoured_and_checked(tmp_path: Path) -> None:
    # JSON Schema draft 6+ style: `exclusive_minimum: 5` is "above 5" (it was read as a true
    # flag on no minimum: values below 5, and `check` passed them)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        _DOMAIN_HEAD.replace("count: 5", "count: 400")
        + "          n: {type: integer, exclusive_minimum: 5, maximum: 8, semantic: none}\n"
        + "          x: {type: number, minimum: 0, exclusive_maximum: 1, semantic: none}\n"
        + "          m: {type: integer, minimum: 3, exclusive_minimum: 1, maximum: 4}\n"
    )
    out = tmp_path / "out"
    made = run_cli(["generate", str(profile), "-o", str(out), "-s", "1"])
    assert made.code == 0, made.stderr
    data = out / "a.json"
    rows = json.loads(data.read_text())
    assert {r["n"] for r in rows} == {6, 7, 8}
    assert all(0 <= r["x"] < 1 for r in rows)
    assert {r["m"] for r in rows} == {3, 4}  # (minimum 3 is the tighter bound)
    checked = run_cli(["check", str(data), "--profile", str(profile)])
    assert checked.code == 0, checked.stdout.decode() + checked.stderr
    rows[0]["n"] = 5  # labelled valid, but not above 5
    data.write_text(json.dumps(rows))
    broken = run_cli(["check", str(data), "--profile", str(profile)])
    assert broken.code == 1
    assert "exclusiveMinimum" in broken.stdout.decode() + broken.stderr


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            "method: FETCH, path: /users",
            "p.yaml:14:8: domain.operations[0].method: unknown HTTP method 'FETCH'. Did you mean "
            "'PATCH'? Available: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE",
        ),
        (
            "method: GET, path: '/users/{id'",
            "domain.operations[0].path: '/users/{id' has a brace that opens or closes no "
            "parameter (a path parameter is written {name})",
        ),
    ],
)
def test_an_operation_no_server_would_serve_is_refused(
    tmp_path: Path, operation: str, message: str
) -> None:
    profile = tmp_path / "p.yaml"
    text = _WITH_OPERATION.format(op="success_status: 200")
    profile.write_text(text.replace("method: GET, path: /users", operation))
    _refused_by_validate_and_generate(profile, message)


def _refused_by_validate_and_generate(profile: Path, message: str) -> None:
    """Both commands refuse ``profile`` with ``message``, one error and nothing written."""
    for command in (
        ["validate", str(profile), "-t", "profile"],
        ["generate", str(profile), "-s", "1"],
    ):
        result = run_cli(command)
        assert result.code == 1, result.stderr
        assert message in result.stderr.replace(f"{profile.parent}/", "")
        assert "Traceback" not in result.stderr
        assert result.stdout == b""


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ("success_status: abc", "domain.operations[0].success_status: expected an HTTP status"),
        ("success_status: 42", "domain.operations[0].success_status: expected an HTTP status"),
        ("error_statuses: [404, x]", "domain.operations[0].error_statuses[1]: expected an HTTP"),
        ("error_statuses: 404", "domain.operations[0].error_statuses: expected a list"),
        ("request_body: 'no'", "domain.operations[0].request_body: expected true or false"),
        ("response_array: 1", "domain.operations[0].response_array: expected true or false"),
        ("operation_id: [a]", "domain.operations[0].operation_id: expected a name"),
        ("query_params: [q]", "domain.operations[0].query_params: expected a mapping"),
    ],
)
def test_an_operation_value_of_the_wrong_kind_is_one_message(
    tmp_path: Path, op: str, message: str
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(_WITH_OPERATION.format(op=op))
    _refused_by_validate_and_generate(profile, message)


def test_a_path_parameter_path_params_leaves_out_is_filled(tmp_path: Path) -> None:
    # `{id}` is in the path but not in `path_params`: it is filled as an undeclared parameter
    # is (the sent entity's field of that name, else a UUID), never left as `{id}`
    profile = tmp_path / "p.yaml"
    text = _WITH_OPERATION.format(op="path_params: {userId: {type: integer, minimum: 1}}")
    profile.write_text(text.replace("path: /users,", "path: '/users/{userId}/things/{id}',"))
    result = run_cli(["generate", str(profile), "-s", "1"])
    assert result.code == 0, result.stderr
    records = json.loads(result.stdout)
    paths = [r["request"]["path"] for r in records]
    assert not [p for p in paths if "{" in p or "}" in p]
    for record in records:
        _, users, user, things, thing = record["request"]["path"].split("/")
        assert (users, things) == ("users", "things") and int(user) >= 1
        if record["response"]["status"] == 200:  # (the resource the path names)
            assert record["response"]["body"]["id"] == thing


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (  # a mapping: at the parameter's key
            "path: '/users/{userId}', path_params: {usrId: {type: integer}}",
            "p.yaml:14:74: domain.operations[0].path_params.usrId: unknown path parameter "
            "'usrId': the path '/users/{userId}' has no {usrId}. Did you mean 'userId'? "
            "Available: userId\n",
        ),
        (  # a list of names: at the name
            "path: '/orgs/{org}/users/{id}', path_params: [org, idd, id]",
            "p.yaml:14:86: domain.operations[0].path_params[1]: unknown path parameter 'idd': "
            "the path '/orgs/{org}/users/{id}' has no {idd}. Did you mean 'id'? Available: "
            "org, id\n",
        ),
        (
            "path: /users, path_params: [id]",
            "domain.operations[0].path_params[0]: unknown path parameter 'id': the path "
            "'/users' has no {id}. Available: (none)\n",
        ),
    ],
)
def test_a_path_parameter_the_path_does_not_hold_is_refused(
    tmp_path: Path, op: str, message: str
) -> None:
    # (it was accepted without a word: its schema applied to nothing, and the path's own
    # parameter drawn without it)
    profile = tmp_path / "p.yaml"
    profile.write_text(_WITH_OPERATION.replace("path: /users, ", "").format(op=op))
    _refused_by_validate_and_generate(profile, message)


def test_an_imported_path_parameter_the_path_does_not_hold_is_kept(tmp_path: Path) -> None:
    # An OpenAPI spec may declare a path parameter its path lacks: import-schema warns and
    # keeps it, and the profile it writes still generates.
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /users/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: org, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/User"}}}
components:
  schemas:
    User: {type: object, properties: {id: {type: string}}}
"""
    )
    profile = tmp_path / "p.yaml"
    imported = run_cli(["import-schema", str(spec), "-o", str(profile)])
    assert imported.code == 0, imported.stderr
    assert "org" in yaml.safe_load(profile.read_text())["domain"]["operations"][0]["path_params"]
    result = run_cli(["generate", str(profile), "-s", "1"])
    assert result.code == 0, result.stderr


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            "  - {name: b, type: file, count: 10, format: jsonl, entity: Tag}\n",
            "dataset 'b': 'code' must be unique but has only 3 allowed values",
        ),
        (
            "  - {name: b, type: api, count: 10, format: avro}\n",
            "dataset 'b': avro: api records have no schema-governed payload",
        ),
    ],
)
def test_a_refused_dataset_stops_the_run_before_any_dataset_is_written(
    tmp_path: Path, second: str, message: str
) -> None:
    # (the first dataset's file and manifest were written, looking like a complete run)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: a, type: file, count: 5, format: jsonl}\n"
        + second
        + "domain:\n  primary: T\n  entities:\n"
        "    T: {primary_key: [id], schema: {type: object, fields: {id: {type: integer}}}}\n"
        "    Tag:\n      primary_key: [code]\n"
        "      schema: {type: object, fields: {code: {type: string, enum: [x, y, z]}}}\n"
    )
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "1"])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {message}"), result.stderr
    assert not out.exists() or not any(out.iterdir())
    checked = run_cli(["validate", str(profile), "-t", "profile"])  # (says what generate would)
    assert checked.code == 1 and message in checked.stderr


_EVERY_PART = """\
x-top: 1
name: p
personas: [{name: normal_user, x-why: the usual mix}]
datasets:
  - {type: api, count: 40, x-owner: qa}
domain:
  x-note: hand-written
  primary: User
  entities:
    User:
      x-table: users
      primary_key: [id]
      foreign_keys: [{columns: [org], entity: Org, references: [id], x-on-delete: cascade}]
      schema:
        type: object
        x-doc: a user
        fields:
          id: {type: string, format: uuid, x-db-type: uuid}
          org: {type: integer}
          tags: {type: array, items: {type: string, max_length: 8, x-example: a}}
          x-trace-id: {type: string, format: uuid}
    Org:
      schema: {type: object, fields: {id: {type: integer}}}
  operations:
    - method: GET
      path: '/users/{id}'
      entity: User
      x-rate-limit: 10
      response: {entity: User, shape: one, x-cache: true}
      path_params: {id: {type: string, format: uuid, x-example: abc}}
"""


def test_x_keys_are_ignored_in_every_part_of_the_format(tmp_path: Path) -> None:
    # An `x-` key is ignored in every mapping whose keys the format defines (a dataset, a
    # persona, the domain, an entity, a schema, a field, an operation, its response, a
    # foreign key); in one keyed by name (`fields`) it is a name like any other.
    profile = tmp_path / "p.yaml"
    profile.write_text(_EVERY_PART)
    assert run_cli(["validate", str(profile), "-t", "profile"]).code == 0
    made = run_cli(["generate", str(profile), "-s", "1"])
    assert made.code == 0, made.stderr
    records = json.loads(made.stdout)
    bodies = [r["response"]["body"] for r in records if r["response"]["status"] == 200]
    assert bodies and all(set(b) == {"id", "org", "tags", "x-trace-id"} for b in bodies)
    # other unknown keys are still refused, each with the closest known one
    for wrong, message in (
        ("x-owner: qa", "p.yaml:5:28: datasets[0].owner: unknown field (known: name, type,"),
        ("x-why:", "p.yaml:3:32: personas[0].why: unknown field (known: name, weight)"),
        ("x-db-type:", "p.yaml:18:44: domain.entities.User.schema.fields.id.db-type: unknown"),
        (
            "x-cache:",
            "p.yaml:29:44: domain.operations[0].response.cache: unknown response key (known: "
            "entity, shape, media)",
        ),
        ("x-table: users", "p.yaml:11:7: domain.entities.User.table: unknown entity key"),
        ("x-note:", "p.yaml:7:3: domain.note: unknown domain key (known: primary,"),
    ):
        profile.write_text(_EVERY_PART.replace(wrong, wrong[2:]))
        _refused_by_validate_and_generate(profile, message)
    profile.write_text(_EVERY_PART.replace("x-owner: qa", "cout: 5"))
    _refused_by_validate_and_generate(profile, "datasets[0].cout: unknown field. Did you mean")


_MANY_WRONG = """\
name: p
personas: [normal_user]
datasets: [{type: api, count: 5, entity: User}]
domain:
  primary: User
  primery: User
  entities:
    User:
      primary_key: [id]
      plurl: users
      schema:
        type: object
        fields:
          id: {type: string, format: uuid, nullable: maybe}
          name: {type: string, max_lenght: 20}
          score: {type: integer, minimum: 10, maximum: 1}
          tags: {type: array, items: {type: strng}}
          org: {type: ref, ref: Orgg}
    Org:
      schema: {type: object, fields: {id: {type: integer}}}
      foreign_keys: [{columns: [boss], entity: User, references: [id]}]
  operations:
    - {method: FETCH, path: '/users/{id', entity: User}
    - {method: GET, path: '/users/{id}', entity: Usr}
"""


def test_every_problem_of_a_domain_is_said_at_once(tmp_path: Path) -> None:
    # (only the first malformed part was said: fix it, run again, meet the next)
    profile = tmp_path / "p.yaml"
    profile.write_text(_MANY_WRONG)
    for command in (
        ["validate", str(profile), "-t", "profile"],
        ["generate", str(profile), "-s", "1"],
    ):
        result = run_cli(command)
        assert result.code == 1
        assert "Traceback" not in result.stderr
        listed = result.stderr.replace(f"{tmp_path}/", "").removeprefix("persona-gen: error: ")
        assert listed.splitlines() == [  # (in file order; malformed or not, judged alike)
            "p.yaml:6:3: domain.primery: unknown domain key. Did you mean 'primary'?",
            "p.yaml:10:7: domain.entities.User.plurl: unknown entity key. Did you mean 'plural'?",
            "p.yaml:14:44: domain.entities.User.schema.fields.id.nullable: expected true or "
            "false, got 'maybe'",
            "p.yaml:15:32: domain.entities.User.schema.fields.name.max_lenght: unknown schema "
            "key. Did you mean 'max_length'?",
            "p.yaml:16:11: domain.entities.User.schema.fields.score: no integer lies between "
            "its minimum 10 and maximum 1",
            "p.yaml:17:39: domain.entities.User.schema.fields.tags.items.type: unknown type "
            "'strng'",
            "p.yaml:18:28: domain.entities.User.schema.fields.org.ref: unknown entity 'Orgg'. "
            "Did you mean 'Org'? Available: Org, User",
            "p.yaml:21:33: domain.entities.Org.foreign_keys[0].columns[0]: unknown field "
            "'boss'. Available: id",
            "p.yaml:23:8: domain.operations[0].method: unknown HTTP method 'FETCH'. Did you "
            "mean 'PATCH'? Available: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE",
            "p.yaml:23:23: domain.operations[0].path: '/users/{id' has a brace that opens or "
            "closes no parameter (a path parameter is written {name})",
            "... and 1 more",
        ]
        # (a malformed field is still a field: `primary_key: [id]` names no unknown one)
        assert "primary_key" not in listed


def test_a_domain_s_problems_beyond_ten_are_counted(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    fields = "".join(f"          f{i}: {{type: string, max_lenght: 5}}\n" for i in range(25))
    profile.write_text(_DOMAIN_HEAD + fields)
    result = run_cli(["validate", str(profile), "-t", "profile"])
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 11 and lines[-1] == "... and 15 more"
    assert [line.split("p.yaml:")[1].split(":")[0] for line in lines[:10]] == [
        str(12 + i) for i in range(10)
    ]


def test_top_level_x_keys_hold_anchors_and_are_ignored(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    anchored = (
        "x-defaults: &text {type: string, max_length: 12}\n"
        + _DOMAIN_HEAD
        + "          s: {<<: *text, min_length: 3}\n"
        + "          t: *text\n"
    )
    profile.write_text(anchored)
    assert run_cli(["validate", str(profile), "-t", "profile"]).code == 0
    made = run_cli(["generate", str(profile), "-s", "1"])
    assert made.code == 0, made.stderr
    rows = json.loads(made.stdout)
    assert all(3 <= len(r["s"]) <= 12 and len(r["t"]) <= 12 for r in rows)
    # another name is still refused, saying how to hold anchors
    profile.write_text(anchored.replace("x-defaults:", "_anchors:"))
    refused = run_cli(["validate", str(profile), "-t", "profile"])
    assert refused.code == 1
    assert (
        "p.yaml:1:1: _anchors: unknown field (known: name, version, description, seed, start, "
        "personas, datasets, source, domain); top-level keys starting with 'x-' are ignored, "
        "e.g. to hold YAML anchors"
    ) in refused.stderr.replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(
    ("personas", "dataset", "message"),
    [
        # (a mapping's weight is named by its persona, at its entry: it was
        # "p.yaml:2:1: personas[0].weight", the list the mapping is validated as)
        ("{normal_user: .inf}", "", "p.yaml:2:12: personas.normal_user: infinite (.inf)"),
        (
            "{noisy_device: 1, normal_user: -1}",
            "",
            "p.yaml:2:29: personas.normal_user: Input should be greater than 0",
        ),
        (
            "{normal_user: 1.0e+308, noisy_device: 1.0e+308}",
            "",
            "p.yaml:2:1: personas: weights must add up to a finite number",
        ),
        (
            "[normal_user]",
            ", personas: []",
            "p.yaml:4:37: datasets[0].personas: must name at least one persona",
        ),
        (
            "[normal_user]",
            ", count: true",
            "datasets[0].count: a count is a whole number, not true",
        ),
        (
            "[normal_user]",
            ", count: '5'",
            "datasets[0].count: a count is a whole number, not the string '5'",
        ),
        (  # (was pydantic's "Input should be a valid list")
            "normal_user",
            "",
            "p.yaml:2:1: personas: a list of persona names ([normal_user]) or a mapping of "
            "names to weights ({normal_user: 1.0}), not the text 'normal_user'",
        ),
        (  # (YAML 1.1 reads a plain 1e3 as text: it was "not the string '1e3'")
            "[normal_user]",
            ", count: 1e3",
            "datasets[0].count: a count is a whole number written out in digits, not 1e3 "
            "(exponent notation)",
        ),
        (  # (a seed of true was seed 1, '42' seed 42, as a count's were)
            "[normal_user]",
            ", seed: true",
            "datasets[0].seed: a seed is a whole number, not true",
        ),
        (
            "[normal_user]\nseed: '42'",
            "",
            "p.yaml:3:1: seed: a seed is a whole number, not the string '42'",
        ),
        (  # (were pydantic's "List should have at least 1 item after validation, not 0" and
            # "Input should be a valid list")
            "[]",
            "",
            "p.yaml:2:1: personas: needs at least 1 item, not none",
        ),
        (
            "[normal_user]",
            ", personas: {normal_user: 1}",
            "datasets[0].personas: expected a list (lines starting '- ', or [a, b]), not a mapping",
        ),
    ],
)
@pytest.mark.parametrize("command", [["validate", "-t", "profile"], ["generate", "--dry-run"]])
def test_persona_mixes_and_counts_that_cannot_be_are_refused(
    tmp_path: Path, command: list[str], personas: str, dataset: str, message: str
) -> None:
    """An infinite weight (numpy's "negative dimensions" traceback), weights adding up to
    infinity, a dataset mixing no persona (an IndexError), and counts that are not numbers
    (true read as 1, '5' as 5): one line each, with the field path."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        f"name: pr\npersonas: {personas}\ndatasets:\n"
        f"  - {{name: d, type: file, count: 5{dataset}}}\n".replace("count: 5, count", "count")
    )
    result = run_cli([*command, str(profile)])
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"persona-gen: error: {tmp_path}/")
    assert message in result.stderr


@pytest.mark.parametrize(
    ("dtype", "fmt", "message"),
    [
        ("load", "avro", "avro: load records have no schema-governed payload"),
        ("load", "sql", "'load' records are a schedule of requests, not rows of a table"),
        ("api", "avro", "avro: api records have no schema-governed payload"),
    ],
)
@pytest.mark.parametrize("command", [["validate", "-t", "profile"], ["generate", "--dry-run"]])
def test_a_dataset_in_a_format_that_cannot_hold_it_is_refused_by_a_dry_run_too(
    tmp_path: Path, command: list[str], dtype: str, fmt: str, message: str
) -> None:
    """validate and generate refused a load dataset written as Avro or SQL; the dry run
    printed its plan with exit code 0."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: pr\npersonas: [normal_user]\ndatasets:\n"
        f"  - {{name: d, type: {dtype}, count: 5, format: {fmt}}}\n"
    )
    result = run_cli([*command, str(profile)])
    assert result.code == 1, result.stdout
    assert not result.stdout  # (no plan)
    assert result.stderr.startswith("persona-gen: error: dataset 'd': "), result.stderr
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_count_in_hexadecimal_is_a_yaml_integer(tmp_path: Path) -> None:
    """YAML 1.1 reads 0x10 as the integer 16: it is a whole number, so it is a count."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: pr\npersonas: [normal_user]\ndatasets:\n  - {name: d, type: file, count: 0x10}\n"
    )
    result = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"])
    assert result.code == 0, result.stderr
    assert len(json.loads((tmp_path / "out" / "d.json").read_text())) == 16


@pytest.mark.parametrize(
    ("schema", "what"),
    [
        ("openapi-users.yaml", "an OpenAPI schema"),
        ("user.schema.json", "a JSON Schema"),
        ("user-event.avsc", "an Avro schema"),
        ("users.sql", "an SQL DDL schema"),
        ("user.proto", "a Protobuf schema"),
    ],
)
def test_a_schema_given_as_a_profile_or_persona_says_to_import_it(schema: str, what: str) -> None:
    path = SCHEMAS / schema
    for command, kind in ((["generate"], "a profile"), (["validate"], "a persona")):
        result = run_cli([*command, str(path)])
        assert result.code == 1 and "Traceback" not in result.stderr
        assert result.stderr == (
            f"persona-gen: error: {path}: this is {what}, not {kind}: import it into a profile "
            f"with 'persona-gen import-schema {path} -o profile.yaml'\n"
        )


@pytest.mark.parametrize("declared", [[], ["-f", "openapi"]])
def test_a_persona_or_profile_given_as_a_schema_says_what_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    made = run_cli(["init-profile", "-n", "p", "-p", "normal_user", "-t", "api", "-o", "p.yaml"])
    assert made.code == 0, made.stderr
    assert run_cli(["init-persona", "-n", "mine", "-o", "mine.yaml"]).code == 0
    for source, message in (
        (
            "p.yaml",
            "p.yaml: this is a profile, not a schema (it has 'personas' and 'datasets'): "
            "generate its datasets with 'persona-gen generate p.yaml'",
        ),
        (
            "mine.yaml",
            "mine.yaml: this is a persona, not a schema (it has 'population' and 'behaviors'): "
            "use it with 'persona-gen quick mine -p . -t TYPE'",
        ),
    ):
        result = run_cli(["import-schema", source, *declared, "-o", "x.yaml"])
        assert result.code == 1
        assert result.stderr == f"persona-gen: error: {message}\n"
    assert not (tmp_path / "x.yaml").exists()


_AVRO_RECORD = '{"type": "record", "name": "A", "fields": [{"name": "x", "type": "string"}]}'
_OPENAPI = '{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}, '
_OPENAPI += '"components": {"schemas": {"A": {"type": "string"}}}}'


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        # A root of no `type` or `$schema` (a bare oneOf, anyOf, $ref or allOf) was not
        # recognised ("cannot tell the schema format ... pass -f") though its name or its
        # keys say JSON Schema.
        ("code.schema.json", '{"oneOf": [{"type": "string"}, {"type": "integer"}]}', "jsonschema"),
        ("code.json", '{"title": "Code", "anyOf": [{"type": "string"}]}', "jsonschema"),
        ("ref.json", '{"$ref": "#/$defs/A", "$defs": {"A": {"type": "string"}}}', "jsonschema"),
        ("all.schema.json", '{"allOf": [{"required": ["a"]}], "x-team": "t"}', "jsonschema"),
        ("code.schema.yaml", "oneOf: [{type: string}, {type: integer}]\n", "jsonschema"),
        # A JSON Schema saved as plain .yaml was taken for OpenAPI ("not an OpenAPI document")
        ("user.yaml", "title: U\ntype: object\nproperties: {id: {type: string}}\n", "jsonschema"),
        ("code.yaml", "oneOf: [{type: string}, {type: integer}]\n", "jsonschema"),
        # ... while Avro and OpenAPI documents keep their formats
        ("a.json", _AVRO_RECORD, "avro"),
        ("a.schema.json", _AVRO_RECORD, "avro"),
        ("a.avsc", _AVRO_RECORD, "avro"),
        ("o.json", _OPENAPI, "openapi"),
        ("o.schema.json", _OPENAPI, "openapi"),
    ],
)
def test_the_schema_format_is_told_by_name_and_top_level_keys(
    tmp_path: Path, name: str, text: str, fmt: str
) -> None:
    (tmp_path / name).write_text(text)
    profile = tmp_path / "p.yaml"
    result = run_cli(["import-schema", str(tmp_path / name), "-c", "5", "-o", str(profile)])
    assert result.code == 0, result.stderr
    assert yaml.safe_load(profile.read_text())["source"]["format"] == fmt


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("data.json", '{"title": "t", "values": [1, 2]}'),  # (annotations alone say nothing)
        ("data.schema.json", '{"title": "t", "description": "d"}'),
    ],
)
def test_a_file_of_no_schema_format_asks_for_f(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    result = run_cli(["import-schema", str(tmp_path / name), "-o", str(tmp_path / "p.yaml")])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: {tmp_path / name}: cannot tell the schema format from the file "
        "name or content; pass -f with one of openapi, jsonschema, avro, ddl, protobuf\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        # A syntax error was said as 'cannot tell the schema format ... pass -f', which -f
        # does not cure: the error of the text, at its line, is what stops it.
        (
            "s.json",
            '{"type": "object",\n "properties": {"a": {"type": "string"},}\n}\n',
            "s.json:2:41: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        ("s.yaml", "type: object\nproperties: [\n", "s.yaml:3:1: invalid YAML: did not find"),
    ],
)
def test_a_schema_file_that_does_not_parse_says_where(
    tmp_path: Path, name: str, text: str, said: str
) -> None:
    (tmp_path / name).write_text(text)
    result = run_cli(["import-schema", str(tmp_path / name), "-o", str(tmp_path / "p.yaml")])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {tmp_path / said}"), result.stderr
    assert "cannot tell" not in result.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("e.yaml", "an OpenAPI document"),
        ("e.json", "an OpenAPI document, a JSON Schema or an Avro schema (JSON)"),
        ("e.schema.yaml", "an OpenAPI document or a JSON Schema"),
        ("e.avsc", "an Avro schema (JSON)"),
        ("e.sql", "SQL DDL (CREATE TABLE statements)"),
        ("e.proto", "Protobuf message definitions"),
        ("e.txt", "a schema (OpenAPI, JSON Schema, Avro, SQL DDL or Protobuf)"),
    ],
)
def test_an_empty_schema_file_says_it_is_empty(tmp_path: Path, name: str, expected: str) -> None:
    (tmp_path / name).write_text(" \n")
    result = run_cli(["import-schema", str(tmp_path / name), "-o", str(tmp_path / "x.yaml")])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: {tmp_path / name}:1: empty file: expected {expected}\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "code", "message"),
    [
        (
            "t.schema.json",
            '{"type": []}',
            1,
            "t.schema.json:1: type is an empty list, so no value fits",
        ),
        (
            "d.avsc",
            '{"type":"record","name":"A","fields":[{"name":"d","type":{"type":"bytes",'
            '"logicalType":"decimal","precision":1000,"scale":500}}]}',
            0,
            "imported A (avro)",
        ),
        (
            "c.sql",
            "CREATE TABLE t (a INT CHECK (a > 1e400));",
            1,
            "no record can satisfy the schema: t.a: no integer lies above its exclusiveMinimum inf",
        ),
        (
            "c.sql",
            "CREATE TABLE t (a INT CHECK (a IN ()));",
            1,
            "t.a: enum is empty, so no value fits",
        ),
        (
            "c.sql",
            "CREATE TABLE t (a INT CHECK (a IN (1, 2)) CHECK (a IN (3)));",
            1,
            "t.a: enum is empty, so no value fits",
        ),
        (
            "i.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"array",'
            '"items":false,"minItems":1}}}',
            1,
            "i.a: minItems 1 is above maxItems 0",
        ),
        (  # (items: false holds the empty array only, now expressed)
            "i.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"array","items":false}}}',
            0,
            "imported i (jsonschema)",
        ),
        (
            "c.sql",
            "CREATE TABLE t (a REAL CHECK (a < -1e400));",
            1,
            "t.a: no number lies below its exclusiveMaximum -inf",
        ),
        (
            "m.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"number",'
            '"minimum":1e400}}}',
            1,
            "m.a: no number lies above its minimum inf",
        ),
        (
            "m.schema.json",
            '{"type":"object","properties":{"a":{"type":"number","maximum":1e400}}}',
            0,
            "maximum inf is not finite; ignored",
        ),
        (
            "m.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"integer",'
            '"multipleOf":-3}}}',
            0,
            "multipleOf must be greater than 0; 3 is used",
        ),
        (
            "m.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"number",'
            '"multipleOf":1e-320}}}',
            0,
            # (not enforced, so check, which reads the schema itself, may fail the values)
            "multipleOf 9.99989e-321 is too small to honour; ignored",
        ),
        (  # (every integer is a multiple: its fraction's numerator was 0, a log10 error)
            "m.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"integer",'
            '"multipleOf":1e-300}}}',
            0,
            "imported m (jsonschema)",
        ),
        (  # (rounding to 4 decimals scales by 1e4 first: numpy warned of an overflow)
            "m.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"number",'
            '"minimum":1e308,"maximum":1.7e308}}}',
            0,
            "imported m (jsonschema)",
        ),
        (  # (1e300 multiples in range: more than numpy draws among)
            "m.schema.json",
            '{"type":"object","required":["a"],"properties":{"a":{"type":"number",'
            '"multipleOf":1e-300,"minimum":0,"maximum":1}}}',
            0,
            "imported m (jsonschema)",
        ),
    ],
)
def test_extreme_numbers_in_a_schema_import_or_are_refused_in_one_line(
    tmp_path: Path, name: str, text: str, code: int, message: str
) -> None:
    source = tmp_path / name
    source.write_text(text)
    out = tmp_path / "p.yaml"
    result = run_cli(["import-schema", str(source), "-o", str(out), "-c", "20", "-t", "file"])
    assert result.code == code, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    if code == 0:  # what was imported generates values its checks accept
        generated = run_cli(["generate", str(out), "-s", "1", "-o", str(tmp_path / "o")])
        assert generated.code == 0, generated.stderr
        data = next((tmp_path / "o").glob("*.csv"), None)
        if data is not None and "too small" not in message:
            checked = run_cli(["check", str(data), "--profile", str(out)])
            assert checked.code == 0, checked.stderr
            assert "nan" not in data.read_text()


def test_an_integer_multiple_of_a_step_beyond_int64_is_written_as_json(tmp_path: Path) -> None:
    # (0 is its one multiple in int64: larger multiples were drawn, and JSON encoders refused
    # them with a traceback)
    source = tmp_path / "m.schema.json"
    source.write_text(
        '{"type":"object","required":["a"],"properties":{"a":{"type":"integer","multipleOf":1e23}}}'
    )
    out = tmp_path / "p.yaml"
    args = ["-o", str(out), "-t", "file", "--output-format", "jsonl"]
    imported = run_cli(["import-schema", str(source), *args])
    assert imported.code == 0, imported.stderr
    generated = run_cli(["generate", str(out), "-s", "1", "-o", str(tmp_path / "o")])
    assert generated.code == 0, generated.stderr
    rows = (tmp_path / "o" / "m_file.jsonl").read_text().splitlines()
    assert {json.loads(row)["a"] for row in rows} == {0}


@pytest.mark.parametrize(
    ("schema", "args", "message"),
    [
        (
            "openapi-users.yaml",
            ["--output-format", "avro"],
            "dataset 'User_api': avro: api records have no schema-governed payload",
        ),
        (
            "openapi-users.yaml",
            ["--output-format", "sql"],
            "dataset 'User_api': a database or SQL output takes the 'file' generator's rows",
        ),
        (
            "openapi-users.yaml",
            ["--output-format", "protobuf"],
            "dataset 'User_api': protobuf output needs a profile imported from a .proto file",
        ),
        (
            "user-event.avsc",
            ["-t", "api", "--output-format", "avro"],
            "dataset 'UserEvent_api': avro: api records have no schema-governed payload",
        ),
    ],
)
def test_an_output_format_that_cannot_hold_the_dataset_is_refused_at_import(
    tmp_path: Path, schema: str, args: list[str], message: str
) -> None:
    out = tmp_path / "p.yaml"
    result = run_cli(["import-schema", str(SCHEMAS / schema), "-o", str(out), *args])
    assert result.code == 1
    assert message in result.stderr  # (what validate says of such a profile)
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written, no trial file left


def test_an_imported_profile_in_a_selective_format_is_written_and_validates(
    tmp_path: Path,
) -> None:
    out = tmp_path / "p.yaml"
    args = ["-t", "streaming", "--output-format", "avro"]
    result = run_cli(["import-schema", str(SCHEMAS / "user-event.avsc"), "-o", str(out), *args])
    assert result.code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["p.yaml"]
    assert run_cli(["validate", "-t", "profile", str(out)]).code == 0


def test_a_ddl_foreign_key_to_an_undefined_table_is_dropped_with_a_warning(
    tmp_path: Path,
) -> None:
    source = tmp_path / "fk.sql"
    source.write_text("CREATE TABLE t (a INT PRIMARY KEY REFERENCES nope(id));\n")
    out = tmp_path / "p.yaml"
    result = run_cli(["import-schema", str(source), "-o", str(out)])
    assert result.code == 0, result.stderr
    assert "foreign key to nope, which this file does not define; not expressed" in result.stderr
    validated = run_cli(["validate", "-t", "profile", str(out)])
    assert validated.code == 0, validated.stderr


def test_an_email_with_a_short_max_length_is_still_an_address(tmp_path: Path) -> None:
    """An address longer than max_length is cut as an address (local part, then domain),
    not as text (``man`` of ``man.ryan@example.com`` was labelled valid and failed check)."""
    profile = tmp_path / "e.yaml"
    profile.write_text(
        "name: e\npersonas: [normal_user]\ndatasets: [{name: d, type: file, count: 200}]\n"
        "domain: {primary: A, entities: {A: {schema: {type: object, fields: {"
        "a: {type: string, format: email, max_length: 5}, "
        "b: {type: string, format: email, max_length: 12}}}}}}\n"
    )
    made = run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "o")])
    assert made.code == 0, made.stderr
    rows = json.loads((tmp_path / "o" / "d.json").read_text())
    for field, most in (("a", 5), ("b", 12)):
        values = [r[field] for r in rows]
        assert all(len(v) <= most and 0 < v.index("@") < len(v) - 1 for v in values), values
    checked = run_cli(["check", str(tmp_path / "o" / "d.json"), "--profile", str(profile)])
    assert checked.code == 0, checked.stderr


def test_a_dataset_without_format_is_written_as_its_output_s_extension_says(
    tmp_path: Path,
) -> None:
    # (as `quick -o x.csv` is: `output: rows.csv` alone was JSON in a file named .csv)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: a, type: file, count: 3, output: rows.csv}\n"
        "  - {name: b, type: file, count: 3, output: rows.NDJSON}\n"
        "  - {name: c, type: file, count: 3, output: rows}\n"
        "  - {name: d, type: file, count: 3, output: rows.txt, format: jsonl}\n"
    )
    result = run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"])
    assert result.code == 0, result.stderr
    out = tmp_path / "out"
    assert (out / "rows.csv").read_text().startswith("id,")
    assert json.loads((out / "rows.NDJSON").read_text().splitlines()[0])["id"]
    assert json.loads((out / "rows").read_text())[0]["id"]
    assert json.loads((out / "rows.txt").read_text().splitlines()[0])["id"]
    formats = [
        json.loads((out / f"{n}.manifest.json").read_text())["format"]
        for n in ("rows.csv", "rows.NDJSON", "rows", "rows.txt")
    ]
    assert formats == ["csv", "jsonl", "json", "jsonl"]
    # an extension no format is written as is refused, where it is, with nothing written
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: a, type: file, count: 3, output: rows.xlsx}\n"
    )
    for args in (
        ["validate", str(profile), "-t", "profile"],
        ["generate", str(profile), "-o", str(tmp_path / "out2")],
    ):
        result = run_cli(args)
        assert result.code == 1
        assert result.stderr == (
            f"persona-gen: error: {profile}:4:37: datasets[0].output: no output format is "
            "written as '.xlsx'; give the dataset a format (json, jsonl, csv, parquet, avro, "
            "protobuf, sql)\n"
        )
    assert not (tmp_path / "out2").exists()


def test_a_schema_indented_with_a_tab_says_so(tmp_path: Path) -> None:
    schema = tmp_path / "api.yaml"
    schema.write_text(
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n\tA: {type: object}\n"
    )
    result = run_cli(["import-schema", str(schema), "-o", str(tmp_path / "p.yaml")])
    assert (result.code, result.stderr) == (
        1,
        f"persona-gen: error: {schema}:6:1: invalid YAML: found character that cannot start "
        "any token (a tab: YAML indents with spaces only)\n",
    )
    assert not (tmp_path / "p.yaml").exists()


def test_an_unknown_persona_is_said_before_a_missing_output_directory(tmp_path: Path) -> None:
    profile = tmp_path / "two.yaml"
    profile.write_text(
        "name: two\npersonas: [normal_user]\ndatasets:\n  - {name: a, type: api}\n"
        "  - {name: b, type: file}\n"
    )
    result = run_cli(["generate", str(profile), "--persona", "normal_usr"])
    assert result.code == 1
    assert result.stderr.startswith(
        "persona-gen: error: unknown persona 'normal_usr'. Did you mean 'normal_user'?"
    )
    assert "-o DIR" not in result.stderr


def test_an_unknown_dialect_is_named_with_its_option(tmp_path: Path) -> None:
    # The other options' errors start with the option (`-f/--format: unknown ...`); this one
    # said "unknown SQL dialect 'oracle9'" alone.
    schema = tmp_path / "t.sql"
    schema.write_text("CREATE TABLE t (a int);\n")
    args = ["import-schema", str(schema), "-o", str(tmp_path / "p.yaml"), "--dialect", "oracle9"]
    result = run_cli(args)
    assert result.code == 1
    assert result.stderr.startswith(
        "persona-gen: error: --dialect: unknown SQL dialect 'oracle9'. Did you mean 'oracle'?"
    )


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("banana", "unknown schema format 'banana'. Available: avro, ddl, jsonschema"),
        ("json-schema", "unknown schema format 'json-schema'. Did you mean 'jsonschema'?"),
        ("swagger", "unknown schema format 'swagger'. Did you mean 'openapi'?"),
    ],
)
def test_an_unknown_source_format_is_an_error_at_its_line(
    tmp_path: Path, written: str, said: str
) -> None:
    # (it passed validate, and check then held the data to the embedded entity instead)
    profile = import_profile(
        tmp_path / "s", tmp_path / "p.yaml", "user.schema.json", "file", count=5
    )
    lines = profile.read_text().splitlines()
    at = next(n for n, line in enumerate(lines) if line == "  format: jsonschema")
    lines[at] = f"  format: {written}"
    profile.write_text("\n".join(lines) + "\n")
    for args in (
        ["validate", str(profile), "-t", "profile"],
        ["check", "x.csv", "--profile", str(profile)],
    ):
        result = run_cli(args)
        assert result.code == 1
        assert result.stderr.startswith(
            f"persona-gen: error: {profile}:{at + 1}:3: source.format: {said}"
        ), result.stderr


def test_a_profile_keeps_text_that_looks_like_an_exponent(tmp_path: Path) -> None:
    # PyYAML writes the string "1e3" plain; personas read a plain 1e3 as a number, and a
    # profile's embedded enum read so held 1000.0 where the schema lists "1e3".
    schema = {"title": "Code", "type": "object", "required": ["c"]}
    schema["properties"] = {"c": {"type": "string", "enum": ["1e3", "2E5"]}}
    source = tmp_path / "code.schema.json"
    source.write_text(json.dumps(schema))
    profile = tmp_path / "code.yaml"
    args = ["import-schema", str(source), "-t", "file", "-o", str(profile), "--output-format"]
    assert run_cli([*args, "jsonl", "-c", "20"]).code == 0
    assert "- 1e3" in profile.read_text()  # (written plain)
    out = run_cli(["generate", str(profile), "-s", "1"])
    assert out.code == 0, out.stderr
    values = {json.loads(line)["c"] for line in out.stdout.splitlines()}
    assert values <= {"1e3", "2E5"} and values


@pytest.mark.parametrize("depth", [20, 60])
def test_a_schema_of_deeply_nested_required_objects_generates_and_checks(
    tmp_path: Path, depth: int
) -> None:
    """It imported, then generate said "schema recursion is required at every level; no
    finite value satisfies it": values stopped 12 objects deep (a file row's columns take the
    first levels), recursion or not."""
    schema: dict[str, object] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "required": ["a"], "properties": {"a": schema}}
    source = tmp_path / "deep.json"
    source.write_text(json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", **schema}))
    profile = tmp_path / "p.yaml"
    args = ["-t", "file", "--output-format", "jsonl", "-c", "5", "-o", str(profile)]
    assert run_cli(["import-schema", str(source), *args]).code == 0
    result = run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path / "out")])
    assert result.code == 0, result.stderr
    data = tmp_path / "out" / "deep_file.jsonl"
    assert len(data.read_text().splitlines()) == 5
    # (check validates each row against the schema, which requires every level)
    checked = run_cli(["check", str(data), "--profile", str(profile)])
    assert checked.code == 0, checked.stderr


@pytest.mark.parametrize("over", ["profile", "schema"])
def test_a_dataset_written_over_the_profile_or_its_schema_is_refused(
    tmp_path: Path, over: str
) -> None:
    """`generate p.yaml -o .` with a dataset whose output is 'p.yaml' replaced the profile by
    its records (and 'user-event.avsc', the schema the profile was imported from)."""
    import shutil

    shutil.copy(SCHEMAS / "user-event.avsc", tmp_path / "user-event.avsc")
    profile = tmp_path / "p.yaml"
    args = ["-t", "streaming", "--output-format", "jsonl", "-c", "5", "-o", str(profile)]
    assert run_cli(["import-schema", str(tmp_path / "user-event.avsc"), *args]).code == 0
    target = "p.yaml" if over == "profile" else "user-event.avsc"
    text = profile.read_text()
    text = re.sub(r"output: \S+", f"output: {target}", text)
    profile.write_text(text)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = run_cli(["generate", str(profile), "-s", "1", "-o", str(tmp_path)])
    what = "the profile" if over == "profile" else "the profile's schema"
    assert (result.code, result.stderr) == (
        1,
        f"persona-gen: error: dataset 'UserEvent_streaming' writes {tmp_path / target}, "
        f"which is {what}; give it another output\n",
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_import_schema_over_its_own_schema_is_refused(tmp_path: Path, force: list[str]) -> None:
    """`import-schema s.avsc -o s.avsc --force` replaced the schema by a profile whose
    source.file was itself."""
    import shutil

    schema = tmp_path / "s.avsc"
    shutil.copy(SCHEMAS / "user-event.avsc", schema)
    before = schema.read_bytes()
    result = run_cli(["import-schema", str(schema), "-o", str(schema), *force])
    assert (result.code, result.stderr) == (
        1,
        f"persona-gen: error: -o {schema}: that is the schema being imported; give another path\n",
    )
    assert schema.read_bytes() == before
