"""check on data generated from schemas whose import warned about parts it could not use:
the validator skips those parts too, says so in a warning, and never crashes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from persona_gen.importers.ddl import DdlImporter
from persona_gen.profiles.loader import load_profile
from persona_gen.runtime.check import CheckReport, check_dataset
from persona_gen.runtime.sqlload import SqliteTable
from tests.helpers import run_cli


def _round_trip(
    tmp: Path, name: str, text: str, *, entity: str | None = None, count: int = 10
) -> CheckReport:
    """Import the schema ``text`` (file ``name``), generate file rows, check them."""
    schema = tmp / name
    schema.write_text(text, encoding="utf-8")
    profile = tmp / "p.yaml"
    args = ["import-schema", str(schema), "-t", "file", "-o", str(profile), "-c", str(count)]
    result = run_cli([*args, *(["-e", entity] if entity else [])])
    assert result.code == 0, result.stderr
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "1"])
    assert result.code == 0, result.stderr
    data = next(p for p in out.iterdir() if not p.name.endswith(".manifest.json"))
    return check_dataset(data, load_profile(profile))


def _object(prop: dict[str, object]) -> str:
    return json.dumps(
        {"title": "M", "type": "object", "required": ["a"], "properties": {"a": prop}}
    )


SWAGGER_FILE = json.dumps(
    {
        "swagger": "2.0",
        "info": {"title": "x", "version": "1"},
        "paths": {},
        "definitions": {
            "A": {"type": "object", "required": ["f"], "properties": {"f": {"type": "file"}}}
        },
    }
)
OPENAPI_REMOTE = """
openapi: 3.0.3
info: {title: x, version: "1"}
paths: {}
components:
  schemas:
    A: {$ref: 'http://127.0.0.1:1/a.json'}
"""


@pytest.mark.parametrize(
    ("name", "text", "unenforced"),
    [
        ("rx.schema.json", _object({"type": "string", "pattern": "(["}), "pattern '(['"),
        ("m0.schema.json", _object({"type": "number", "multipleOf": 0}), "multipleOf 0"),
        (
            "ref.schema.json",
            _object({"$ref": "http://127.0.0.1:1/x.json"}),
            "$ref 'http://127.0.0.1:1/x.json'",
        ),
        (
            "id.schema.json",
            json.dumps(
                {
                    "$id": "http://example.com/s.json",
                    "title": "S",
                    "type": "object",
                    "required": ["a"],
                    "properties": {"a": {"$ref": "other.json"}},
                }
            ),
            "$ref 'other.json'",
        ),
        ("sw.json", SWAGGER_FILE, "type 'file'"),
        ("api.yaml", OPENAPI_REMOTE, "$ref 'http://127.0.0.1:1/a.json'"),
    ],
)
def test_what_the_import_ignored_the_check_ignores_with_a_warning(
    tmp_path: Path, name: str, text: str, unenforced: str
) -> None:
    report = _round_trip(tmp_path, name, text)
    assert report.exit_code == 0, report.to_json()
    assert report.checked == 10 and not report.problems
    assert any(unenforced in w and "not enforced" in w for w in report.warnings), report.warnings


# -- DDL: the script rebuilt in SQLite -----------------------------------------------------


@pytest.mark.parametrize(
    ("script", "warned"),
    [
        ("CREATE TABLE t (a TEXT CHECK (a ~ '^[a-z]+$'));", None),
        ("CREATE TABLE t (a INT); CREATE INDEX ON t (a);", None),
        ("CREATE TABLE t (a TEXT CHECK (a SIMILAR TO '[a-z]+'));", "SIMILAR TO"),
        ("CREATE TABLE t (a INT); CREATE TABLE t (b INT);", "declared again"),
        ("CREATE TABLE t (a INT, PRIMARY KEY (nope));", "PRIMARY KEY (nope) is not enforced"),
        ("CREATE TABLE t (a INT, UNIQUE (a, nope));", "UNIQUE (a, nope) is not enforced"),
        ("CREATE TABLE t (a INT) WITHOUT OIDS;", None),
        # a script cut short (sqlglot cannot parse its last statement)
        ("CREATE TABLE t (a INT);\nCREATE UNIQUE INDEX i ON t (a", "line 2: skipped"),
    ],
)
def test_ddl_statements_sqlite_cannot_run_are_skipped_with_a_warning(
    tmp_path: Path, script: str, warned: str | None
) -> None:
    report = _round_trip(tmp_path, "s.sql", script)
    assert report.exit_code == 0 and report.checked == 10, report.to_json()
    if warned is None:
        assert not report.warnings, report.warnings
    else:
        assert any(warned in w for w in report.warnings), report.warnings


def test_a_ddl_table_sqlite_cannot_build_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "s.sql").write_text("CREATE TABLE t (a INT);")
    profile = tmp_path / "p.yaml"
    assert run_cli(["import-schema", str(tmp_path / "s.sql"), "-o", str(profile)]).code == 0
    data = tmp_path / "d.json"
    data.write_text('[{"a": 1}]')
    (tmp_path / "s.sql").write_text("CREATE TABLE t ();")  # (changed since the import)
    result = run_cli(["check", str(data), "--profile", str(profile)])
    assert result.code != 0 and "Traceback" not in result.stderr
    assert "table t cannot be built in SQLite" in result.stderr


def test_a_ddl_script_without_the_table_lists_the_tables_it_has(tmp_path: Path) -> None:
    (tmp_path / "s.sql").write_text("CREATE TABLE t (a INT);")
    profile = tmp_path / "p.yaml"
    assert run_cli(["import-schema", str(tmp_path / "s.sql"), "-o", str(profile)]).code == 0
    data = tmp_path / "d.json"
    data.write_text('[{"a": 1}]')
    other = tmp_path / "other.sql"
    other.write_text(
        'CREATE TABLE "public"."Orders" (a INT);\nCREATE TABLE IF NOT EXISTS s.u (b INT);'
    )
    result = run_cli(["check", str(data), "--profile", str(profile), "--schema", str(other)])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: {other}: the script has no table t (its tables: Orders, u)\n"
    )


def test_postgres_regex_checks_are_enforced(tmp_path: Path) -> None:
    """``~``, ``~*`` and ``!~`` are Python regular-expression searches; a pattern that is
    not one is not enforced, with a warning."""
    script = (
        "CREATE TABLE t (a TEXT CHECK (a ~ '^[a-z]+$'), b TEXT CHECK (b ~* '^x'),"
        " c TEXT CHECK (c !~ '^y'), d TEXT CHECK (d ~ '(['));"
    )
    path = tmp_path / "s.sql"
    path.write_text(script)
    entity = DdlImporter().load(path).domain.entity("t")
    table = SqliteTable(script, "postgres", entity, keep_rows=False)
    good = {"a": "abc", "b": "Xy", "c": "zy", "d": "anything"}
    assert table.insert(good) is None
    for column, bad in (("a", "ab1"), ("b", "yx"), ("c", "yz")):
        error = table.insert({**good, column: bad})
        assert error is not None and "CHECK constraint failed" in error
    assert table.warnings == ["pattern '([' is not a Python regular expression: not enforced"]
    table.close()


@pytest.mark.parametrize(
    ("dialect", "script", "keys", "refused"),
    [
        ("postgres", "CREATE TABLE t (id TEXT PRIMARY KEY, x INT);", ["id"], True),
        ("postgres", "CREATE TABLE t (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), x INT);",
         ["id"], True),
        ("postgres", "CREATE TABLE t (id SERIAL PRIMARY KEY, x INT);", ["id"], True),
        ("postgres", "CREATE TABLE t (id INT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x INT);",
         ["id"], True),
        ("postgres", "CREATE TABLE t (a TEXT, b INT, x INT, PRIMARY KEY (a, b));",
         ["a", "b"], True),
        ("postgres", "CREATE TABLE t (a TEXT, x INT, CONSTRAINT t_pk PRIMARY KEY (a));",
         ["a"], True),
        ("mysql", "CREATE TABLE t (id VARCHAR(9) PRIMARY KEY, x INT);", ["id"], True),
        ("tsql", "CREATE TABLE t (id INT IDENTITY(1,1) PRIMARY KEY, x INT);", ["id"], True),
        # MySQL fills NULL in an AUTO_INCREMENT column with the next number
        ("mysql", "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, x INT, PRIMARY KEY (id));",
         ["id"], False),
        # SQLite's own dialect: SQLite takes it, and the script is SQLite's
        ("sqlite", "CREATE TABLE t (id TEXT PRIMARY KEY, x INT);", ["id"], False),
        ("sqlite", "CREATE TABLE t (a TEXT, b INT, x INT, PRIMARY KEY (a, b));", ["a", "b"], False),
    ],
)  # fmt: skip
def test_a_null_in_a_primary_key_column_is_refused_but_by_sqlite(
    tmp_path: Path, dialect: str, script: str, keys: list[str], refused: bool
) -> None:
    """SQLite takes NULL in a PRIMARY KEY column (a quirk); the other databases refuse it,
    DEFAULT, SERIAL or IDENTITY notwithstanding (a column a row lacks is NULL, as the sinks
    write it), but for MySQL's AUTO_INCREMENT, which fills it in."""
    path = tmp_path / "s.sql"
    path.write_text(script)
    entity = DdlImporter().load(path, dialect=dialect).domain.entity("t")
    table = SqliteTable(script, dialect, entity, keep_rows=False)
    good = {"id": 1, "a": "k", "b": 2, "x": 3}
    good = {f.name: good[f.name] for f in entity.schema.fields}
    assert table.insert(good) is None
    for key in keys:
        for row in ({**good, key: None}, {c: v for c, v in good.items() if c != key}):
            error = table.insert(row)
            if refused:
                assert error == (
                    f"NOT NULL constraint failed: t.{key} "
                    "(a PRIMARY KEY column: only SQLite takes NULL there)"
                ), row
            else:
                assert error is None, (row, error)
    table.close()


@pytest.mark.parametrize(
    ("dialect", "script", "refused"),
    [
        ("postgres", "CREATE TABLE t (id UUID PRIMARY KEY, seq BIGSERIAL, x INT);", True),
        ("postgres", "CREATE TABLE t (id UUID PRIMARY KEY, seq SMALLSERIAL, x INT);", True),
        ("postgres",
         "CREATE TABLE t (id UUID PRIMARY KEY, seq INT GENERATED ALWAYS AS IDENTITY, x INT);",
         True),
        ("tsql", "CREATE TABLE t (id INT PRIMARY KEY, seq INT IDENTITY(1,1), x INT);", True),
        # MySQL's SERIAL is AUTO_INCREMENT: NULL takes the next number
        ("mysql", "CREATE TABLE t (id INT PRIMARY KEY, seq SERIAL, x INT);", False),
        ("sqlite", "CREATE TABLE t (id INT PRIMARY KEY, seq BIGSERIAL, x INT);", False),
    ],
)  # fmt: skip
def test_a_null_in_a_serial_or_identity_column_is_refused_but_by_sqlite(
    tmp_path: Path, dialect: str, script: str, refused: bool
) -> None:
    """A SERIAL or identity column is NOT NULL in PostgreSQL even outside a key, which the
    table SQLite builds from the script does not say (``BIGSERIAL`` is a plain type there)."""
    path = tmp_path / "s.sql"
    path.write_text(script)
    entity = DdlImporter().load(path, dialect=dialect).domain.entity("t")
    table = SqliteTable(script, dialect, entity, keep_rows=False)
    good = {"id": "0b8f2c1e-7a4d-4f3a-9c1b-2d3e4f5a6b7c", "seq": 1, "x": 3}
    if dialect != "postgres":
        good["id"] = 1
    assert table.insert(good) is None
    for row in ({**good, "seq": None}, {c: v for c, v in good.items() if c != "seq"}):
        error = table.insert(row)
        if refused:
            assert error == (
                "NOT NULL constraint failed: t.seq "
                "(a SERIAL or identity column, NOT NULL: only SQLite takes NULL there)"
            ), row
        else:
            assert error is None, (row, error)
    table.close()


CORPUS = Path(__file__).resolve().parent / "corpus" / "ddl"
# Tables the corpus test skips too (tests/importers/test_corpus_ddl.py SKIP): not importable.
VIRTUAL = {"fts", "event_search", "user_directory_search"}


def _corpus_dialects() -> dict[str, str]:
    out = {}
    for line in (CORPUS / "SOURCES.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].endswith(".sql"):
            out[cells[0]] = cells[1]
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.sql")))
def test_every_corpus_script_checks_its_own_rows(tmp_path: Path, name: str) -> None:
    """Import (the first table, through the CLI), generate file rows, check: no crash, no
    problem. Then (up to about 12 of) its tables through the DDL validator check builds."""
    report = _round_trip(tmp_path, name, (CORPUS / name).read_text(encoding="utf-8"), count=5)
    assert report.exit_code == 0 and not report.problems, report.to_json()

    from persona_gen.generators.keys import KeyedSynthesizer
    from persona_gen.runtime.check_validators import Checker

    path = tmp_path / name
    dialect = _corpus_dialects()[name]
    domain = DdlImporter().load(path, dialect=dialect).domain
    checker = Checker("ddl", path, domain, dialect, "streaming")  # (rows one by one)
    synth = KeyedSynthesizer(domain, 1_735_689_600_000)
    try:
        names = [e for e in domain.entities if e not in VIRTUAL]
        for k, entity in enumerate(names[:: max(1, len(names) // 12)]):  # (12 of synapse's)
            validate = checker.for_entity(entity, domain)
            for row in synth.records(entity, 3, np.random.default_rng([7, k])):
                assert validate(row) == [], (entity, row)
    finally:
        checker.close()
