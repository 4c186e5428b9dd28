"""Small command-line defects a hurried user meets: each once said the wrong thing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import import_object, run_cli

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "profiles" / "api_testing.yaml"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["quick", "normal_user", "-t", "api", "-n", "5", "-n", "10"], "'-n' / '--count'"),
        (["quick", "normal_user", "-t", "api", "-s", "1", "-s", "2"], "'-s' / '--seed'"),
        (
            ["quick", "normal_user", "-t", "api", "-o", "a.json", "--output", "b.json"],
            "'-o' / '--output'",
        ),
        (["quick", "normal_user", "-t", "api", "-t", "file"], "'-t' / '--type'"),
        (["generate", "p.yaml", "-s", "1", "--seed", "2"], "'-s' / '--seed'"),
        (["check", "x.jsonl", "--profile", "a.yaml", "--profile", "b.yaml"], "'--profile'"),
        (["validate", "x.yaml", "-t", "persona", "-t", "profile"], "'-t' / '--type'"),
    ],
)
def test_a_single_value_option_given_twice_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str
) -> None:
    """`-n 5 -n 10` silently took 10 (and `-o a -o b` wrote b alone)."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(args)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Option {option} was given more than once; it takes one value."
    ), result.stderr
    assert result.stdout == b""
    assert list(tmp_path.iterdir()) == []


def test_options_meant_to_repeat_still_repeat(tmp_path: Path) -> None:
    personas = str(ROOT / "personas")
    quick = run_cli(
        ["quick", "normal_user", "-t", "api", "-n", "1", "-s", "1", "-p", personas, "-p", personas]
    )
    assert quick.code == 0, quick.stderr
    made = run_cli(
        [
            "init-profile",
            "-n",
            "two",
            *("-p", "normal_user", "-p", "noisy_device", "-t", "api", "-t", "file"),
            *("-o", str(tmp_path / "two.yaml")),
        ]
    )
    assert made.code == 0, made.stderr
    assert (
        run_cli(["quick", "normal_user", "-t", "api", "-n", "1", "--pretty", "--pretty"]).code == 0
    )


def test_help_wins_over_a_repeated_option() -> None:
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "1", "-n", "2", "-h"])
    assert result.code == 0
    assert b"Generate one dataset from one persona." in result.stdout


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.mark.parametrize(("fmt", "given"), [("json", []), ("jsonl", []), ("csv", ["-f", "csv"])])
def test_check_reads_a_dataset_on_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, given: list[str]
) -> None:
    """`check -` said "-: cannot read: No such file or directory"."""
    data = tmp_path / f"d.{fmt}"
    made = run_cli(["quick", "normal_user", "-t", "fault", "-n", "30", "-s", "3", "-o", str(data)])
    assert made.code == 0, made.stderr
    report = tmp_path / "r.json"
    _stdin(monkeypatch, data.read_bytes())
    result = run_cli(["check", "-", "--profile", str(PROFILE), *given, "--report", str(report)])
    assert result.code == 0, result.stderr
    said = json.loads(report.read_text())
    assert (said["data"], said["format"], said["records"]) == ("-", fmt, 30)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"a": 1}', "-:1:10: not valid json: unexpected end of data"),
        (b"id,name\n1,x\n", "-: cannot tell the format of standard input"),
        (b"", "-: standard input is empty"),
        (b"SQLite format 3\x00", "-: a SQLite database is checked from its file"),
    ],
)
def test_check_of_standard_input_it_cannot_read_says_why(
    monkeypatch: pytest.MonkeyPatch, data: bytes, message: str
) -> None:
    _stdin(monkeypatch, data)
    result = run_cli(["check", "-", "--profile", str(PROFILE)])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {message}"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "persona-gen-stdin-" not in result.stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "sqlite://:memory:",
            "an in-memory database ends with the run; give a file (sqlite:///PATH/TO/FILE.db)",
        ),
        ("sqlite://db.example:99x/x.db", "write sqlite:///PATH (three slashes), not a host"),
    ],
)
def test_a_sqlite_url_with_no_file_says_why_not_bad_host_or_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    """`--sink sqlite://:memory:` said "bad host or port": a SQLite file has neither."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(["quick", "normal_user", "-t", "file", "-n", "2", "-s", "1", "--sink", url])
    assert result.code == 1
    assert result.stderr == f"persona-gen: error: database destination '{url}': {said}\n"
    assert list(tmp_path.iterdir()) == []


_TREE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Node",
    "type": "object",
    "properties": {"name": {"type": "string"}, "child": {"$ref": "#"}},
    "required": ["name"],
}


def test_check_of_a_record_nested_too_deep_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    """A hand-written record 200 levels deep ran the JSON Schema validator out of Python's
    recursion limit: a RecursionError and its traceback."""
    schema = tmp_path / "tree.json"
    schema.write_text(json.dumps(_TREE))
    profile = tmp_path / "p.yaml"
    made = run_cli(["import-schema", str(schema), "-t", "streaming", "-c", "3", "-o", str(profile)])
    assert made.code == 0, made.stderr
    out = tmp_path / "out"
    assert run_cli(["generate", str(profile), "-s", "1", "-o", str(out)]).code == 0
    data = out / "Node_streaming.json"
    records = json.loads(data.read_text())
    deep: dict[str, object] = {"name": "leaf"}
    for _ in range(300):
        deep = {"name": "n", "child": deep}
    records[1]["payload"] = deep
    data.write_text(json.dumps(records))
    report = tmp_path / "r.json"
    result = run_cli(["check", str(data), "--profile", str(profile), "--report", str(report)])
    assert result.code == 1
    assert "Traceback" not in result.stderr
    said = json.loads(report.read_text())
    assert (said["checked"], said["passed"]) == (2, 2)
    (problem,) = said["problems"]
    assert (problem["index"], problem["kind"], problem["reason"]) == (
        1,
        "malformed",
        "nested 302 levels deep, too deep to validate",
    )


def test_two_datasets_whose_manifests_are_one_file_are_refused(tmp_path: Path) -> None:
    """Dataset 'users' loaded into x.db and another's file 'x.db.users' each wrote the
    manifest x.db.users.manifest.json: the second replaced the first's, which then said the
    file's dataset was in the database."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        '  - {name: users, type: file, count: 3, sink: "sqlite:///out/x.db"}\n'
        "  - {name: other, type: streaming, count: 4, format: jsonl, output: x.db.users}\n"
    )
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-s", "1", "-o", str(out), "--create-tables"])
    assert (result.code, result.stderr) == (
        1,
        f"persona-gen: error: datasets 'users' and 'other' would both write their manifest "
        f"to {out}/x.db.users.manifest.json, each replacing the other's; rename one of them "
        "(or its output)\n",
    )
    assert not out.exists()


def test_a_refused_database_load_writes_no_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--sink sqlite:///x.db` with no x.db (or no table) was refused, and still wrote
    x.db.file.manifest.json (count 0, committed false), replacing the one of the load that
    filled the database, which still held that load's rows."""
    monkeypatch.chdir(tmp_path)
    argv = ["quick", "normal_user", "-t", "file", "-n", "3", "-s", "1"]
    refused = run_cli([*argv, "--sink", "sqlite:///x.db"])
    assert refused.stderr == (
        "persona-gen: error: sqlite:///x.db: no database at 'x.db'; use --create-tables\n"
    )
    assert list(tmp_path.iterdir()) == []
    assert run_cli([*argv, "--sink", "sqlite:///x.db", "--create-tables"]).code == 0
    manifest = tmp_path / "x.db.file.manifest.json"
    loaded = manifest.read_bytes()
    other = run_cli(["quick", "noisy_device", *argv[2:], "--sink", "sqlite:///x.db"])
    assert other.stderr == (
        "persona-gen: error: sqlite:///x.db: table 'telemetry_readings' does not exist; "
        "create it or use --create-tables\n"
    )
    assert manifest.read_bytes() == loaded  # (the database is as that load left it)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db", "x.db.file.manifest.json"]


def test_a_dataset_to_standard_output_beside_a_sink_is_generated(tmp_path: Path) -> None:
    """(The manifest check took a dataset written to standard output for a path.)"""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        '  - {name: users, type: file, count: 3, sink: "sqlite:///x.db"}\n'
        "  - {name: other, type: streaming, count: 4, format: jsonl}\n"
    )
    result = run_cli(["generate", str(profile), "-s", "1", "--create-tables"])
    assert result.code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 4


def test_an_unquoted_yaml_1_1_boolean_where_text_is_expected_says_to_quote_it(
    tmp_path: Path,
) -> None:
    """`description: no` said "expected text, not false", which an editor (YAML 1.2: the text
    'no') does not show."""
    persona = tmp_path / "t.yaml"
    persona.write_text("name: t\ndescription: no\n")
    result = run_cli(["validate", str(persona)])
    assert result.stderr == (
        f"persona-gen: error: {persona}:2:1: description: expected text, not false (unquoted "
        "yes, no, on and off are booleans here: quote the text)\n"
    )


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # a block named `off` is the key false; `on` and `yes` both the key true
        (
            "behaviors:\n  off: {kind: typos}\n",
            ":3:3: behaviors[0]: invalid key: Input should be a valid string (unquoted yes, no, "
            "on and off are booleans here: quote the key)",
        ),
        (
            "behaviors:\n  on: {kind: typos}\n  yes: {kind: unicode}\n",
            ":4: behaviors: duplicate key 'True' (unquoted yes, no, on and off are booleans "
            "here: quote the key)",
        ),
        # a status given as a number and as text was read as one, the last weight winning
        (
            "behaviors:\n  errors:\n    statuses: {500: 1, 503: 1, '500': 3}\n",
            ":4:5: behaviors.errors.statuses: status 500 is given twice (500 and '500')",
        ),
    ],
)
def test_keys_that_read_as_another_key_say_so(tmp_path: Path, body: str, said: str) -> None:
    persona = tmp_path / "t.yaml"
    persona.write_text("name: t\n" + body)
    result = run_cli(["validate", str(persona)])
    assert result.code == 1 and result.stderr == f"persona-gen: error: {persona}{said}\n"


def test_persona_files_are_found_by_any_case_of_their_extension_and_only_once(
    tmp_path: Path,
) -> None:
    # `validate Upper.YAML` passed but `-p` did not find it; of twin.yaml and twin.yml one
    # was taken without a word.
    (tmp_path / "upper.YAML").write_text("name: upper\n")
    listed = run_cli(["list-personas", "-p", str(tmp_path)])
    assert listed.code == 0 and b"upper" in listed.stdout
    (tmp_path / "twin.yaml").write_text("name: twin\n")
    (tmp_path / "twin.yml").write_text("name: twin\n")
    result = run_cli(["list-personas", "-p", str(tmp_path)])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: persona directory '{tmp_path}': twin.yaml and twin.yml are both "
        "persona 'twin'; remove or rename one\n"
    )


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("", "'': an empty path, expected a dataset file"),
        (".", ".: is a directory, expected a dataset file"),
        ("/", "/: is a directory, expected a dataset file"),
        ("d", "d: is a directory, expected a dataset file"),
    ],
)
def test_check_of_a_directory_or_an_empty_path_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: str, said: str
) -> None:
    """`check .` (and `check ""`, `check /`) ended in pathlib's ValueError and a traceback."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    result = run_cli(["check", data, "--profile", str(PROFILE)])
    assert (result.code, result.stderr) == (1, f"persona-gen: error: {said}\n")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["generate", ""], "''"),
        (["validate", ""], "''"),
        (["import-schema", "", "-o", "x.yaml"], "''"),
        (["check", "x.json", "--profile", ""], "--profile: ''"),
        (["quick", "normal_user", "-t", "api", "-p", "."], None),
        (["list-personas", "-p", ".", "-p", ""], "-p/--personas: ''"),
    ],
)
def test_an_empty_path_argument_is_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], said: str | None
) -> None:
    """`generate "$PROFILE"` with PROFILE unset said '.: is a directory, expected a YAML
    file': an empty path was taken as the current directory."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(args)
    if said is None:  # ('.' itself is still the current directory)
        assert result.code == 0, result.stderr
        return
    assert (result.code, result.stderr) == (
        1,
        f"persona-gen: error: {said}: an empty path, expected a file or folder name\n",
    )


@pytest.mark.parametrize(
    ("output", "said"),
    [
        ('"x\\x00y.json"', "'x\\x00y.json': a file path cannot hold a NUL character"),
        ("sub/", "'sub/' names a folder, not a file: give the file's name (sub/data.json)"),
        (".", "'.' names a folder, not a file: give the file's name (sub/data.json)"),
    ],
)
def test_a_dataset_output_that_names_no_file_is_refused(
    tmp_path: Path, output: str, said: str
) -> None:
    """A NUL in a dataset's `output` was a ValueError and its traceback; `output: sub/` wrote
    a file called 'sub' (and 'sub.manifest.json')."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        f"  - {{name: a, type: api, output: {output}}}\n"
    )
    for command in (["validate", str(profile)], ["generate", str(profile), "-o", str(tmp_path)]):
        result = run_cli(command)
        assert result.code == 1
        assert result.stderr.startswith(f"persona-gen: error: {profile}:4:"), result.stderr
        assert result.stderr.endswith(f": datasets[0].output: {said}\n"), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("init-persona", "personas are found as NAME.yaml or NAME.yml files"),
        ("init-profile", "the template is YAML with comments"),
    ],
)
def test_a_template_is_written_only_to_a_yaml_file(tmp_path: Path, command: str, why: str) -> None:
    # (-o mine.json wrote commented YAML into it: no JSON reader takes it, and a persona
    # there is found by no -p folder, which reads *.yaml and *.yml)
    target = tmp_path / "mine.json"
    result = run_cli([command, "-n", "mine", "-o", str(target)])
    assert result.code == 1
    assert f"-o/--output: {why}; name the file 'mine.yaml' (got 'mine.json')" in result.stderr
    assert not target.exists()
    assert run_cli([command, "-n", "mine", "-o", str(tmp_path / "mine.yml")]).code == 0


def test_an_empty_dataset_output_is_refused_at_its_line(tmp_path: Path) -> None:
    # (`output: ""`, an unset variable in a templated profile, was read as no output: the
    # dataset went to its default name)
    profile = tmp_path / "e.yaml"
    profile.write_text(
        "name: e\nversion: 1.0.0\npersonas: [normal_user]\ndatasets:\n"
        '  - {name: a, type: api, count: 2, output: ""}\n'
    )
    for args in (["validate", str(profile)], ["generate", str(profile), "-o", str(tmp_path)]):
        result = run_cli(args)
        assert result.code == 1
        assert "e.yaml:5:36: datasets[0].output: '': an empty path" in result.stderr
    assert not (tmp_path / "a.json").exists()


@pytest.mark.parametrize(
    ("properties", "said"),
    [
        (  # a property named with a dot beside the object whose field it would flatten to
            {
                "a": {
                    "type": "object",
                    "required": ["b"],
                    "properties": {"b": {"type": "integer"}},
                },
                "a.b": {"type": "string"},
            },
            "fields 'a' > 'b' and 'a.b' would both be the column 'a.b' of file rows",
        ),
        (  # a field named as a label column
            {"id": {"type": "integer"}, "_violations": {"type": "string"}},
            "field '_violations' has the name of a label column of file rows",
        ),
    ],
)
def test_file_rows_whose_columns_would_share_a_name_are_refused(
    tmp_path: Path, properties: dict[str, Any], said: str
) -> None:
    # The row held one value under the name: the string column "a.b" was written with the
    # nested integer's values, twice.
    profile = import_object(tmp_path, properties, "file", count=5)
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-s", "1", "-o", str(out)])
    assert result.code == 1 and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not list(out.glob("*.csv"))  # (said before writing)


def test_every_dataset_a_profile_cannot_make_is_said_at_once(tmp_path: Path) -> None:
    # validate (and generate) stopped at the first such dataset: a profile with two was
    # fixed one run at a time.
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: a, type: api, count: 5, format: avro}\n"
        "  - {name: b, type: streaming, count: 5, format: jsonl}\n"
        "  - {name: c, type: load, count: 5, format: protobuf}\n"
    )
    for command in (["validate", str(profile)], ["generate", str(profile), "-o", str(tmp_path)]):
        result = run_cli(command)
        assert result.code == 1, result.stderr
        lines = result.stderr.splitlines()
        assert lines[0] == "persona-gen: error: 2 datasets cannot be made:"
        assert [line.split(":")[0] for line in lines[1:]] == ["  dataset 'a'", "  dataset 'c'"]
    assert not list(tmp_path.glob("*.jsonl"))
