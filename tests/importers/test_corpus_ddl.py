"""The DDL importer over real-world schema scripts, proven by real databases.

Every table of every file in tests/corpus/ddl/ is imported; 50 rows per table are generated
with a fixed seed, foreign keys linked, and inserted: into PostgreSQL for PostgreSQL files,
into SQLite for SQLite and SQL Server files, and into both for MySQL files (translated with
sqlglot). A record is valid when every database it goes into accepts it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ddl_loading import (
    generate,
    pg_create,
    pg_database,
    pg_load,
    pg_statements,
    sqlite_connect,
    sqlite_load,
    sqlite_statements,
)

from conftest import corpus_count
from persona_gen.errors import SchemaImportError
from persona_gen.importers.ddl import DdlImporter, split_statements

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "ddl"
RECORDS = 50
SEED = 20250101

# What a file needs in the database before it runs (its documented prerequisites).
SETUP = {"graphile_worker_000001.sql": ["CREATE SCHEMA graphile_worker"]}

# Tables that legitimately cannot be imported or generated, with the reason.
SKIP = {
    ("mopidy_local_sqlite_schema.sql", "fts"): "SQLite virtual (FTS) table: a module's index",
    ("synapse_main_72.sqlite.sql", "event_search"): "SQLite virtual (FTS) table",
    ("synapse_main_72.sqlite.sql", "user_directory_search"): "SQLite virtual (FTS) table",
}

_CREATE = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED|"
    r"VIRTUAL)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:[\w$]+|\"[^\"]+\"|`[^`]+`|\[[^\]]+\])"
    r"(?:\s*\.\s*(?:[\w$]+|\"[^\"]+\"|`[^`]+`|\[[^\]]+\]))*)",
    re.IGNORECASE,
)


def corpus_files() -> dict[str, str]:
    """file name -> dialect, as SOURCES.md lists them."""
    out = {}
    for line in (CORPUS / "SOURCES.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].endswith(".sql"):
            out[cells[0]] = cells[1]
    return out


def declared_tables(text: str, dialect: str) -> list[str]:
    """The tables a script creates, by its CREATE TABLE statements (not via the importer)."""
    names = []
    for stmt in split_statements(text, dialect):
        m = _CREATE.match(stmt.text)
        if m:
            written = re.split(r"\s*\.\s*", m.group(1))[-1]
            bare = written.strip('"`[]')
            if dialect == "postgres" and bare == written:
                bare = bare.lower()  # PostgreSQL folds unquoted names to lower case
            if bare not in names:
                names.append(bare)
    return names


def test_sources_list_every_corpus_file() -> None:
    files = corpus_files()
    on_disk = sorted(p.name for p in CORPUS.glob("*.sql"))
    assert sorted(files) == on_disk
    assert len(on_disk) >= 15
    assert set(files.values()) <= {"postgres", "mysql", "sqlite", "tsql"}
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 2_000_000


def test_corpus_ddl(postgres_url: str) -> None:
    entities_ok = entities_total = records_ok = records_total = 0
    problems: list[str] = []
    for name, dialect in corpus_files().items():
        path = CORPUS / name
        text = path.read_text()
        declared = [t for t in declared_tables(text, dialect) if (name, t) not in SKIP]
        entities_total += len(declared)
        try:
            result = DdlImporter().load(path, dialect=dialect)
        except SchemaImportError as exc:
            problems.append(f"{name}: import failed: {exc}")
            continue
        listed = [e for e in result.listed if (name, e) not in SKIP]
        missing = set(declared) - set(listed)
        entities_ok += len(declared) - len(missing)
        if missing:
            problems.append(f"{name}: tables not imported: {sorted(missing)}")

        rows, made = generate(result.domain, listed, RECORDS, SEED)
        accepted: dict[str, int] = {}
        if dialect in ("postgres", "mysql"):
            with pg_database(postgres_url, path.stem) as conn:
                pg_create(conn, SETUP.get(name, []) + pg_statements(text, dialect))
                report = pg_load(conn, result.domain, rows, exact=dialect == "postgres")
            accepted = dict(report.accepted)
            problems += [f"{name} (PostgreSQL): {e}" for e in report.errors[:5]]
        if dialect != "postgres":
            conn_lite = sqlite_connect(sqlite_statements(text, dialect))
            report = sqlite_load(conn_lite, result.domain, rows)
            conn_lite.close()
            for entity, ok in report.accepted.items():
                accepted[entity] = min(ok, accepted.get(entity, ok))
            problems += [f"{name} (SQLite): {e}" for e in report.errors[:5]]
        records_total += sum(made.values())
        records_ok += sum(accepted.get(e, 0) for e in listed)

    corpus_count("ddl", "entities", entities_ok, entities_total)
    corpus_count("ddl", "records", records_ok, records_total)
    detail = "\n".join(problems[:40])
    assert entities_total > 300
    assert entities_ok >= 0.95 * entities_total, detail
    assert records_ok >= 0.99 * records_total, detail


@pytest.mark.parametrize("name", sorted(corpus_files()))
def test_every_corpus_file_imports(name: str) -> None:
    dialect = corpus_files()[name]
    result = DdlImporter().load(CORPUS / name, dialect=dialect)
    declared = declared_tables((CORPUS / name).read_text(), dialect)
    assert list(result.listed) == [t for t in declared if (name, t) not in SKIP]
    assert result.domain.primary == result.listed[0]
