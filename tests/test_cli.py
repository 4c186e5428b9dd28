"""The CLI: the spec's commands, output conventions and bad input."""

from __future__ import annotations

import codecs
import importlib.metadata
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from persona_gen.personas.loader import validate_persona_file
from persona_gen.runtime.cli import main
from tests.helpers import GENERATORS, PERSONAS, SCHEMAS, run_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("generator", GENERATORS)
def test_quick_prints_a_json_array_of_exactly_n_records(persona: str, generator: str) -> None:
    result = run_cli(
        ["quick", persona, "-t", generator, "-n", "23", "-p", str(ROOT / "personas"), "-s", "1"]
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    assert len(data) == 23


def test_pretty_output_is_indented_and_equal_in_content() -> None:
    plain = run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "-s", "5"])
    pretty = run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "-s", "5", "--pretty"])
    assert json.loads(plain.stdout) == json.loads(pretty.stdout)
    assert pretty.stdout.startswith(b"[\n  {\n    ")


def test_stdout_carries_only_data() -> None:
    result = run_cli(["quick", "noisy_device", "-t", "streaming", "-n", "5"])
    json.loads(result.stdout)  # the seed notice went to stderr, not stdout
    assert "using seed" in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "JSONL", "Csv"])
def test_other_encodings(fmt: str) -> None:
    """(A format's name in capitals is read as -o's extension, import-schema's and check's
    -f are.)"""
    result = run_cli(["quick", "normal_user", "-t", "file", "-n", "7", "-s", "3", "--format", fmt])
    lines = result.stdout.decode().strip().split("\n")
    if fmt.lower() == "jsonl":
        assert len(lines) == 7
        assert all(isinstance(json.loads(line), dict) for line in lines)
    else:
        assert lines[0].startswith("id,username,email")


def test_output_file_is_written_with_a_manifest(tmp_path: Path) -> None:
    target = tmp_path / "out" / "api.json"
    result = run_cli(
        ["quick", "legacy_client", "-t", "api", "-n", "50", "-s", "9", "-o", str(target)]
    )
    assert result.code == 0, result.stderr
    assert result.stdout == b""
    assert len(json.loads(target.read_text())) == 50
    manifest = json.loads((tmp_path / "out" / "api.json.manifest.json").read_text())
    assert manifest["seed"] == 9
    assert manifest["count"] == 50
    assert manifest["personas"][0]["name"] == "legacy_client"
    assert manifest["personas"][0]["hash"].startswith("sha256:")
    assert manifest["behaviours_touched"]["deprecated_formats"] == 50
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".partial")]
    # The versions to install to replay it elsewhere (pyarrow only for a Parquet file).
    assert manifest["libraries"] == {
        "numpy": importlib.metadata.version("numpy"),
        "mimesis": importlib.metadata.version("mimesis"),
    }


def test_a_parquet_manifest_names_the_pyarrow_that_wrote_the_file(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    target = tmp_path / "rows.parquet"
    argv = ["quick", "normal_user", "-t", "file", "-n", "5", "-s", "1", "-o", str(target)]
    result = run_cli(argv)
    assert result.code == 0, result.stderr
    manifest = json.loads((tmp_path / "rows.parquet.manifest.json").read_text())
    pyarrow = manifest["libraries"]["pyarrow"]
    assert pyarrow == importlib.metadata.version("pyarrow")
    assert pq.ParquetFile(target).metadata.created_by.startswith(
        f"parquet-cpp-arrow version {pyarrow}"
    )


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_output_to_dev_stdout_appends_to_what_the_shell_opened(tmp_path: Path, name: str) -> None:
    # `-o /dev/stdout >> build.log`: the link led to the log file, which was replaced by
    # the records (what it held lost), with a manifest written at /dev/stdout.manifest.json.
    log = tmp_path / "build.log"
    log.write_bytes(b"previous line\n")
    argv = ["quick", "normal_user", "-t", "api", "-n", "2", "-s", "1", "-f", "jsonl", "-o", name]
    with log.open("ab") as out:
        ran = subprocess.run(
            [sys.executable, "-m", "persona_gen", *argv],
            stdout=out,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert ran.returncode == 0, ran.stderr
    lines = log.read_bytes().splitlines()
    assert lines[0] == b"previous line" and len(lines) == 3
    assert not Path(name + ".manifest.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["build.log"]


def test_a_name_of_up_to_255_bytes_is_written(tmp_path: Path) -> None:
    # The temporary file, `.NAME.XXXXXXXX.partial`, made a name of 238 to 255 bytes (one
    # the file system takes) "File name too long", though the name itself was never at fault.
    target = tmp_path / ("é" * 122 + ".json")  # (249 bytes)
    manifest = tmp_path / "m.json"  # (NAME.manifest.json would be too long)
    argv = ["quick", "normal_user", "-t", "api", "-n", "3", "-s", "1"]
    result = run_cli([*argv, "-o", str(target), "--manifest", str(manifest)])
    assert result.code == 0, result.stderr
    assert len(json.loads(target.read_bytes())) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, "m.json"])
    result = run_cli([*argv, "-o", str(target)])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: {target}.manifest.json: cannot write: File name too long\n"
    )


def test_generate_summary_keeps_a_long_output_path_whole(tmp_path: Path) -> None:
    # A CI log is not a terminal: the summary is 160 columns wide, and the Output column
    # cut a long artifact path with '…', losing where the data went.
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets:\n  - {name: d, type: api, count: 2}\n"
    )
    out = tmp_path / "artifacts" / ("build-" + "0123456789" * 12) / "datasets"
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "1"])
    assert result.code == 0, result.stderr
    assert "…" not in result.stderr
    cells = [line.split("│")[-2].strip() for line in result.stderr.splitlines() if "│" in line]
    assert "".join(cells).endswith(f"{out}/d.json")


def test_version_is_printed(tmp_path: Path) -> None:
    # The data depend on the tool's minor version (docs/determinism.md): a pipeline logs it.
    import persona_gen

    result = run_cli(["--version"])
    assert result.code == 0, result.stderr
    assert result.stdout == f"persona-gen {persona_gen.__version__}\n".encode()


def test_two_runs_writing_one_path_leave_the_pair_of_one(tmp_path: Path) -> None:
    # Each run puts its manifest in place, then its data: two runs of one -o at once could
    # interleave, leaving one run's data beside the other's manifest (another seed's).
    import threading
    import time

    from persona_gen.sinks.output import atomic_file, write_atomic

    target = tmp_path / "same.json"
    manifest = tmp_path / "same.json.manifest.json"
    sealed = threading.Event()

    def run(name: bytes, seal: Any) -> None:
        with atomic_file(target, before_rename=seal) as stream:
            stream.write(name)

    def seal_first() -> None:
        write_atomic(manifest, b"first")
        sealed.set()
        time.sleep(0.5)  # (the second run ends meanwhile, unless it waits)

    first = threading.Thread(target=run, args=(b"first", seal_first))
    first.start()
    sealed.wait()
    run(b"second", lambda: write_atomic(manifest, b"second"))
    first.join()
    assert target.read_bytes() == manifest.read_bytes()


def test_paths_that_are_not_utf8_are_written_and_named_in_json(tmp_path: Path) -> None:
    # A file name in another encoding (bytes Python keeps as lone surrogates) is a valid
    # path: the manifest (and check's report, and generate --dry-run's plan) could not be
    # encoded, and the run ended in a traceback after the data was complete.
    target = tmp_path / os.fsdecode(b"caf\xe9.json")
    argv = ["quick", "normal_user", "-t", "api", "-n", "3", "-s", "1", "-o", str(target)]
    result = run_cli(argv)
    assert result.code == 0, result.stderr
    manifest = json.loads(target.with_name(target.name + ".manifest.json").read_bytes())
    assert manifest["output"] == f"{tmp_path}/caf\\xe9.json"
    profile = tmp_path / "p.yaml"
    schema = tmp_path / os.fsdecode(b"s\xff.avsc")
    schema.write_text('{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}')
    result = run_cli(["import-schema", str(schema), "-o", str(profile)])
    assert result.code == 1
    assert result.stderr.endswith(
        "s\udcff.avsc: its path is not UTF-8 text, so a profile cannot name it; rename the file\n"
    )
    assert not profile.exists()
    shutil.copy(schema, tmp_path / "s.avsc")
    assert run_cli(["import-schema", str(tmp_path / "s.avsc"), "-o", str(profile)]).code == 0
    out = tmp_path / os.fsdecode(b"out\xff")
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "1", "--dry-run"])
    assert result.code == 0, result.stderr
    assert "out\\\\xff" in result.stdout.decode()
    assert run_cli(["generate", str(profile), "-o", str(out), "-s", "1"]).code == 0
    (data,) = [p for p in out.iterdir() if not p.name.endswith(".manifest.json")]
    report = tmp_path / os.fsdecode(b"r\xff.json")
    result = run_cli(["check", str(data), "--profile", str(profile), "--report", str(report)])
    assert result.code == 0, result.stderr
    assert json.loads(report.read_bytes())["data"] == f"{out}/{data.name}".replace(
        "\udcff", "\\xff"
    )


@pytest.mark.parametrize("umask", [0o077, 0o002])
def test_written_files_take_the_umask(tmp_path: Path, umask: int) -> None:
    # Files were made 0644 whatever the umask: readable by all under `umask 077` (while the
    # folders made for them were 0700), and not group-writable under `umask 002`.
    target = tmp_path / "new" / "api.json"
    old = os.umask(umask)
    try:
        result = run_cli(
            ["quick", "normal_user", "-t", "api", "-n", "3", "-s", "1", "-o", str(target)]
        )
    finally:
        os.umask(old)
    assert result.code == 0, result.stderr
    manifest = target.with_name("api.json.manifest.json")
    for path in (target, manifest):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o777 & ~umask


def _file_size_limit(limit: int) -> None:
    """(In the child, before it runs.) Writes past ``limit`` bytes fail with EFBIG, as on a
    full disk, instead of killing the process."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize(("fmt", "workers"), [("jsonl", "1"), ("jsonl", "2"), ("parquet", "2")])
def test_an_output_that_cannot_be_written_is_one_message_and_no_file(
    tmp_path: Path, fmt: str, workers: str
) -> None:
    target = tmp_path / f"rows.{fmt}"
    count = "70000" if fmt == "parquet" else "30000"  # (Parquet: three parts of 32 blocks)
    argv = ["quick", "normal_user", "-t", "file", "-n", count, "-s", "1", "-w", workers]
    ran = subprocess.run(
        [sys.executable, "-m", "persona_gen", *argv, "-o", str(target)],
        capture_output=True,
        preexec_fn=lambda: _file_size_limit(1 << 20),
        check=False,
    )
    assert ran.returncode == 1
    assert ran.stderr.decode().splitlines()[-1] == (
        f"persona-gen: error: {target}: cannot write: File too large"
    )
    assert b"Traceback" not in ran.stderr
    assert list(tmp_path.iterdir()) == []  # no output, no partial file, no manifest


@pytest.mark.parametrize(
    ("fmt", "workers"), [("json", "1"), ("jsonl", "2"), ("csv", "1"), ("parquet", "2")]
)
def test_standard_output_that_cannot_be_written_is_one_message(
    tmp_path: Path, fmt: str, workers: str
) -> None:
    # `persona-gen … > out` on a full disk or over a file-size limit: as -o, no traceback.
    argv = ["quick", "normal_user", "-t", "file", "-n", "70000", "-s", "1", "-w", workers]
    with (tmp_path / "out").open("wb") as out:
        ran = subprocess.run(
            [sys.executable, "-m", "persona_gen", *argv, "-f", fmt],
            stdout=out,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: _file_size_limit(1 << 20),
            check=False,
        )
    assert ran.returncode == 1
    assert ran.stderr.decode() == (
        "persona-gen: error: standard output: cannot write: File too large\n"
    )


def test_a_full_device_as_standard_output_is_one_message() -> None:
    with open("/dev/full", "wb") as full:
        ran = subprocess.run(
            [sys.executable, "-m", "persona_gen", "quick", "normal_user", "-t", "api", "-s", "1"],
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert ran.returncode == 1
    assert ran.stderr.decode() == (
        "persona-gen: error: standard output: cannot write: No space left on device\n"
    )


def test_legacy_csv_file_uses_the_persona_dialect(tmp_path: Path) -> None:
    target = tmp_path / "legacy.csv"
    assert (
        run_cli(
            ["quick", "legacy_client", "-t", "file", "-n", "20", "-s", "2", "-o", str(target)]
        ).code
        == 0
    )
    raw = target.read_bytes()
    assert b"\r\n" in raw
    header = raw.split(b"\r\n")[0].decode("latin-1")
    assert header.startswith("id;username;email")
    body = raw.decode("latin-1")
    assert "/20" in body  # legacy MM/DD/YYYY dates


@pytest.mark.parametrize(
    ("encoding", "mark", "body"),
    [
        ("utf-16", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-32", codecs.BOM_UTF32_LE, "utf-32-le"),
        ("utf-8-sig", codecs.BOM_UTF8, "utf-8"),
    ],
)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_csv_encoding_with_a_byte_order_mark_writes_it_once(
    tmp_path: Path, encoding: str, mark: bytes, body: str, workers: str
) -> None:
    """A file of several blocks (1,024 rows each) starts with the mark, and no row after
    it: a reader decodes one text, not a U+FEFF at the start of each block's first row.
    The bytes are little-endian on every machine (Python's utf-16 and utf-32 write the
    machine's own order)."""
    (tmp_path / "bom_device.yaml").write_text(
        "name: bom_device\nversion: 1.0.0\npopulation: {kind: device}\nbehaviors:\n"
        f"  deprecated_formats: {{rate: 0.0, file_encoding: {encoding}}}\n"
    )
    target = tmp_path / "rows.csv"
    args = ["quick", "bom_device", "-p", str(tmp_path), "-t", "file", "-n", "2100", "-s", "3"]
    assert run_cli([*args, "-w", workers, "-o", str(target)]).code == 0
    raw = target.read_bytes()
    assert raw.startswith(mark)
    text = raw.decode(encoding)
    assert raw[len(mark) :] == text.encode(body)
    assert "\ufeff" not in text
    assert len(text.split("\r\n")) == 1 + 2100 + 1  # (header, rows, the empty text after)


@pytest.mark.parametrize(
    ("persona", "delimiter", "encoding"),
    [("legacy_client", ";", "latin-1"), ("normal_user", ",", "utf-8")],
)
def test_a_csv_manifest_gives_the_dialect_to_read_the_file_with(
    tmp_path: Path, persona: str, delimiter: str, encoding: str
) -> None:
    """A legacy client's CSV is no comma-separated UTF-8: its manifest says how it was
    written, so a reader given only the manifest splits and decodes it."""
    import csv

    target = tmp_path / "rows.csv"
    assert (
        run_cli(["quick", persona, "-t", "file", "-n", "30", "-s", "2", "-o", str(target)]).code
        == 0
    )
    manifest = json.loads((tmp_path / "rows.csv.manifest.json").read_text())
    dialect = manifest["csv"]
    assert (dialect["delimiter"], dialect["encoding"]) == (delimiter, encoding)
    with target.open(encoding=dialect["encoding"], newline="") as f:
        rows = list(csv.reader(f, delimiter=dialect["delimiter"], quotechar=dialect["quotechar"]))
    assert rows[0][:2] == ["id", "username"]
    assert len(rows) - 1 == manifest["count"] == 30
    assert {len(r) for r in rows} == {18}
    assert target.read_bytes().count(dialect["line_terminator"].encode()) == 31


def test_interrupted_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from persona_gen.sinks import encoders

    def explode(self: object, records: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(encoders.JsonArrayEncoder, "write", explode)
    target = tmp_path / "never.json"
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "5", "-o", str(target)])
    assert result.code == 130
    assert result.stderr.splitlines()[-1] == "persona-gen: interrupted; no partial output was kept"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["quick", "normal_usr", "-t", "api", "-n", "3"],
            "unknown persona 'normal_usr'. Did you mean 'normal_user'?",
        ),
        (
            ["quick", "normal_user", "-t", "apii", "-n", "3"],
            "unknown generator 'apii'. Did you mean 'api'?",
        ),
        (["quick", "normal_user", "-t", "api", "-n", "0"], "must be at least 1"),
        (["quick", "normal_user", "-t", "api", "-n", "-5"], "must be at least 1"),
        (["quick", "normal_user", "-t", "api", "-n", "ten"], "'ten' is not a whole number"),
        (["quick", "normal_user", "-t", "api", "-n", "3", "-s", "x"], "'x' is not a whole number"),
        (
            ["quick", "normal_user", "-t", "api", "-n", "3", "-p", "/no/such/dir"],
            "persona directory '/no/such/dir' does not exist",
        ),
        (
            ["quick", "normal_user", "-t", "api", "-n", "3", "--format", "xml"],
            "unknown output format 'xml'",
        ),
        (["validate", "/no/such.yaml", "-t", "persona"], "file not found"),
        (["validate", "x.yaml", "-t", "nonsense"], "unknown file type 'nonsense'"),
    ],
)
def test_bad_input_is_one_clear_line(args: list[str], message: str) -> None:
    result = run_cli(args)
    assert result.code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == b""


def test_a_persona_file_given_to_p_names_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-p team/mine.yaml` (the file, not its folder) was only "is not a directory"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "mine.yaml").write_text("name: mine\n")
    result = run_cli(["quick", "mine", "-p", "team/mine.yaml", "-t", "api", "-n", "1"])
    assert result.code == 1
    assert result.stderr == (
        "persona-gen: error: persona directory 'team/mine.yaml' is not a directory: -p names "
        "the folder of persona files (-p team), each found by its name\n"
    )


def test_unwritable_output(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions; use a path under a file
            target = tmp_path / "afile" / "x.json"
            (tmp_path / "afile").write_text("")
        else:
            target = locked / "x.json"
        result = run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "-o", str(target)])
    finally:
        locked.chmod(0o700)
    assert result.code == 1
    assert "cannot" in result.stderr
    assert "Traceback" not in result.stderr


def test_output_to_a_directory_is_refused(tmp_path: Path) -> None:
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "-o", str(tmp_path)])
    assert result.code == 1
    assert "is a directory" in result.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["quick", "normal_user", "-t", "api", "-n", "3", "-s", "1", "-o", "dir1/"], "dir1/"),
        (["quick", "normal_user", "-t", "api", "-n", "3", "-o", "a/b/."], "a/b/."),
        (
            ["quick", "normal_user", "-t", "api", "-n", "3", "-o", "x.json", "--manifest", "m/"],
            "--manifest m/",
        ),
        (["init-persona", "-n", "my_p", "-o", "dir1/"], "dir1/"),
        (["init-profile", "-n", "my_p", "-o", "dir1/"], "dir1/"),
        (["import-schema", "SCHEMA", "-o", "dir1/"], "dir1/"),
        (["check", "x.jsonl", "--profile", "p.yaml", "--report", "dir1/"], "--report dir1/"),
    ],
)
def test_a_file_option_ending_in_a_slash_names_a_directory_and_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], named: str
) -> None:
    # ("dir1/" was written as a FILE named dir1, with dir1.manifest.json beside it)
    monkeypatch.chdir(tmp_path)
    args = [str(SCHEMAS / "user.schema.json") if a == "SCHEMA" else a for a in args]
    result = run_cli(args)
    assert result.code == 1
    assert result.stderr == f"persona-gen: error: {named}: is a directory, expected a file path\n"
    assert list(tmp_path.iterdir()) == []  # (nothing written)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["quick", "normal_user", "-t", "api", "-n", "3", "-o", ""],
            "'': an empty path, expected a file path",
        ),
        (
            ["quick", "normal_user", "-t", "api", "-n", "3", "-o", "x.json", "--manifest", ""],
            "--manifest '': an empty path, expected a file path",
        ),
        (["init-persona", "-n", "my_p", "-o", ""], "'': an empty path, expected a file path"),
        (["import-schema", "SCHEMA", "-o", ""], "'': an empty path, expected a file path"),
        (
            ["generate", "PROFILE", "-s", "1", "-o", ""],
            "-o/--output: an empty path, expected a directory",
        ),
    ],
)
def test_an_empty_output_path_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """`-o "$OUT"` with OUT unset: quick said ": is a directory" (Path('') is '.'), and
    generate wrote the datasets into the current directory."""
    monkeypatch.chdir(tmp_path)
    profile = tmp_path.parent / f"{tmp_path.name}-p.yaml"
    profile.write_text(
        "name: p\npersonas: [normal_user]\ndatasets: [{name: a, type: api, count: 2}]\n"
    )
    swap = {"SCHEMA": str(SCHEMAS / "users.sql"), "PROFILE": str(profile)}
    result = run_cli([swap.get(a, a) for a in args])
    assert result.code == 1
    assert result.stderr == f"persona-gen: error: {message}\n"
    assert list(tmp_path.iterdir()) == []  # (nothing written)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["quick", "normal_user", "-t", "api", "-n", "3", "-o", "d"], "d"),
        (
            ["quick", "normal_user", "-t", "api", "-n", "3", "-o", "x.json", "--manifest", "d"],
            "--manifest d",
        ),
        (["check", "x.jsonl", "--profile", "p.yaml", "--report", "d"], "--report d"),
    ],
)
def test_a_file_option_naming_an_existing_directory_says_which_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], named: str
) -> None:
    # (--manifest d said 'd: is a directory …', without the option, once the data was made)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d").mkdir()
    result = run_cli(args)
    assert result.code == 1
    assert result.stderr == f"persona-gen: error: {named}: is a directory, expected a file path\n"
    assert [p.name for p in tmp_path.iterdir()] == ["d"] and not any((tmp_path / "d").iterdir())


@pytest.mark.parametrize("out", ["gen", "gen/"])
def test_generate_writes_into_its_output_directory_with_or_without_a_slash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("p.yaml").write_text(
        "name: p\npersonas: [normal_user]\ndatasets: [{name: x, type: api, count: 3}]\n"
    )
    result = run_cli(["generate", "p.yaml", "-s", "1", "-o", out])
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in Path("gen").iterdir()) == ["x.json", "x.json.manifest.json"]


@pytest.mark.parametrize("command", ["quick", "generate"])
def test_a_manifest_that_cannot_be_written_beside_the_output_stops_the_run_first(
    tmp_path: Path, command: str
) -> None:
    # The data file was written, then its manifest failed ("is a directory"): a run that
    # exited 1 left a complete-looking x.json behind.
    (tmp_path / "out" / "x.json.manifest.json").mkdir(parents=True)
    if command == "quick":
        args = ["quick", "normal_user", "-t", "api", "-n", "3", "-s", "1"]
        args += ["-o", str(tmp_path / "out" / "x.json")]
    else:
        profile = tmp_path / "p.yaml"
        profile.write_text(
            "name: p\npersonas: [normal_user]\ndatasets: [{name: x, type: api, count: 3}]\n"
        )
        args = ["generate", str(profile), "-s", "1", "-o", str(tmp_path / "out")]
    result = run_cli(args)
    assert result.code == 1
    assert "x.json.manifest.json: is a directory" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x.json.manifest.json"]


def test_a_fifo_as_output_is_written_through_not_replaced(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "20", "-s", "1", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.code == 0, result.stderr
    assert len(json.loads(received[0])) == 20
    assert fifo.is_fifo()  # still the pipe, not a file renamed over it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no manifest beside it


def test_dev_null_as_output_stays_a_device() -> None:
    result = run_cli(["quick", "normal_user", "-t", "file", "-n", "30", "-o", os.devnull])
    assert result.code == 0, result.stderr
    assert Path(os.devnull).is_char_device()
    assert not Path(os.devnull + ".manifest.json").exists()


def test_a_symlink_as_output_keeps_pointing_at_its_file(tmp_path: Path) -> None:
    target = tmp_path / "data" / "rows.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    result = run_cli(["quick", "normal_user", "-t", "file", "-n", "7", "-o", str(link)])
    assert result.code == 0, result.stderr
    assert link.is_symlink()
    assert len(target.read_text().splitlines()) == 7


def test_a_full_device_as_output_is_one_message() -> None:
    result = run_cli(["quick", "normal_user", "-t", "file", "-n", "30", "-o", "/dev/full"])
    assert result.code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "persona-gen: error: /dev/full: cannot write: No space left on device"
    )
    assert Path("/dev/full").is_char_device()


def test_a_manifest_a_full_device_refuses_leaves_no_data_without_it(tmp_path: Path) -> None:
    # (said '/dev/full: cannot write' alone, with the data file there and exit 1: which of
    # the two failed was left to guess; then "30 records were written to rows.jsonl, but the
    # manifest could not be written", a failed run that left its data without a manifest)
    out = tmp_path / "rows.jsonl"
    args = ["quick", "normal_user", "-t", "file", "-n", "30", "-s", "1", "-o", str(out)]
    result = run_cli([*args, "--manifest", "/dev/full"])
    assert result.code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"persona-gen: error: {out}: not written, as its manifest could not be: /dev/full: "
        "cannot write: No space left on device"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_manifest_that_fails_at_the_end_leaves_the_previous_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills between the data and its manifest: the new data took the file's
    name and the previous run's manifest stayed beside it, describing another seed and
    count. Now the data takes its name only once its manifest is written."""
    from persona_gen.errors import OutputError
    from persona_gen.runtime import write

    out = tmp_path / "a.json"
    args = ["quick", "normal_user", "-t", "api", "-o", str(out)]
    assert run_cli([*args, "-n", "2", "-s", "1"]).code == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def full(path: Path, doc: object) -> None:
        raise OutputError(f"{path}: cannot write: No space left on device")

    monkeypatch.setattr(write, "write_manifest", full)
    result = run_cli([*args, "-n", "3", "-s", "2"])
    assert (result.code, result.stderr.splitlines()[-1]) == (
        1,
        f"persona-gen: error: {out}: not written, as its manifest could not be: "
        f"{out}.manifest.json: cannot write: No space left on device",
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # (no .partial)


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        ("", "persona", "the file is empty: a persona is a YAML mapping (name, version, behaviors"),
        ("", "profile", "the file is empty: a profile is a YAML mapping (name, version, datasets"),
        ("- a\n", "persona", "1:1: a persona must be a YAML mapping (name, version, behaviors"),
        ("hi\n", "profile", "1:1: a profile must be a YAML mapping (name, version, datasets"),
    ],
)
def test_a_file_that_is_no_mapping_says_what_it_is(
    tmp_path: Path, text: str, kind: str, said: str
) -> None:
    # (an empty file said 'a persona must be a YAML mapping', which did not tell it was empty)
    (tmp_path / "x.yaml").write_text(text)
    result = run_cli(["validate", str(tmp_path / "x.yaml"), "-t", kind])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {tmp_path / 'x.yaml'}"), result.stderr
    assert said in result.stderr, result.stderr


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("name: broken\nbehaviors:\n  timing: [1, 2\n")
    result = run_cli(["quick", "broken", "-t", "api", "-n", "2", "-p", str(tmp_path)])
    assert result.code == 1
    # (line and column of where the parser stopped: the list is not closed by the file's end)
    assert f"{tmp_path / 'broken.yaml'}:4:1: invalid YAML" in result.stderr, result.stderr


def test_list_commands() -> None:
    personas = run_cli(["list-personas", "-p", str(ROOT / "personas")])
    generators = run_cli(["list-generators"])
    behaviours = run_cli(["list-behaviours"])
    assert personas.code == generators.code == behaviours.code == 0
    for name in PERSONAS:
        assert name.encode() in personas.stdout
    for name in GENERATORS:
        assert name.encode() in generators.stdout
    assert b"retry_storms" in behaviours.stdout


def test_list_commands_print_json_for_scripts(tmp_path: Path) -> None:
    """``--json``: the table's rows as objects, every value whole (a table folds and cuts
    long ones to the terminal's width); a persona that cannot be loaded is still said on
    stderr, with exit code 1, after the others are printed."""
    (tmp_path / "good.yaml").write_text("name: good\nbehaviors: {typos: {}}\n")
    (tmp_path / "bad.yaml").write_text("name: bad\nversion: x\nbehaviors: {}\n")
    personas = run_cli(["list-personas", "-p", str(tmp_path), "--json"])
    assert personas.code == 1
    assert personas.stderr.startswith("persona-gen: error: 1 persona cannot be loaded"), personas
    listed = {p["name"]: p for p in json.loads(personas.stdout)}
    assert sorted(listed) == sorted([*PERSONAS, "good"])
    assert listed["good"] == {
        "name": "good",
        "version": "1.0.0",
        "description": "",
        "behaviors": ["typos"],
        "source": str(tmp_path / "good.yaml"),
    }
    assert "retry_storms" in listed["legacy_client"]["behaviors"]
    generators = run_cli(["list-generators", "--json"])
    assert generators.code == 0 and generators.stderr == ""
    assert [g["name"] for g in json.loads(generators.stdout)] == list(GENERATORS)
    assert set(json.loads(generators.stdout)[0]) == {"name", "description", "use_case"}
    behaviours = run_cli(["list-behaviours", "--json"])
    kinds = {b["kind"]: b for b in json.loads(behaviours.stdout)}
    assert behaviours.code == 0 and kinds["typos"]["parameters"] == ["rate", "max_edits"]
    assert kinds["typos"]["effect"].startswith("Keyboard mistakes")


def test_list_personas_json_holds_a_path_that_is_not_utf8(tmp_path: Path) -> None:
    """A persona folder whose name is not UTF-8 is written as \\xff, as manifests write it:
    the raw byte made the JSON unreadable (jq: "invalid UTF-8")."""
    folder = tmp_path / os.fsdecode(b"pd\xff")
    folder.mkdir()
    (folder / "good.yaml").write_text("name: good\nbehaviors: {typos: {}}\n")
    result = run_cli(["list-personas", "-p", str(folder), "--json"])
    assert result.code == 0, result.stderr
    listed = {p["name"]: p for p in json.loads(result.stdout.decode("utf-8"))}
    assert listed["good"]["source"] == f"{tmp_path}/pd\\xff/good.yaml"


def test_init_persona_template_validates(tmp_path: Path) -> None:
    target = tmp_path / "my_custom_persona.yaml"
    assert run_cli(["init-persona", "-n", "my_custom_persona", "-o", str(target)]).code == 0
    persona = validate_persona_file(target)
    assert persona.name == "my_custom_persona"
    again = run_cli(["init-persona", "-n", "my_custom_persona", "-o", str(target)])
    assert again.code == 1
    assert "already exists" in again.stderr
    result = run_cli(["validate", str(target), "-t", "persona"])
    assert result.code == 0
    assert b"valid persona" in result.stdout


def test_init_profile_template_validates(tmp_path: Path) -> None:
    target = tmp_path / "my_profile.yaml"
    result = run_cli(
        [
            "init-profile",
            "-n",
            "my_project_profile",
            "-p",
            "normal_user",
            "-p",
            "noisy_device",
            "-t",
            "api",
            "-t",
            "streaming",
            "-o",
            str(target),
        ]
    )
    assert result.code == 0, result.stderr
    check = run_cli(["validate", str(target), "-t", "profile"])
    assert check.code == 0, check.stderr
    assert b"2 personas, 2 datasets" in check.stdout
    bad = run_cli(["init-profile", "-n", "x", "-p", "nobody", "-o", str(tmp_path / "y.yaml")])
    assert bad.code == 1
    assert "unknown persona 'nobody'" in bad.stderr


def test_init_profile_says_the_p_that_finds_a_persona_from_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (validated without it, the template is refused: 'unknown persona')
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "mine.yaml").write_text("name: mine\nextends: normal_user\n")
    argv = ["init-profile", "-n", "p", "-p", "mine", "--personas-dir", "team", "-o", "p.yaml"]
    assert run_cli(argv).code == 0
    text = Path("p.yaml").read_text()
    said = "# Not built in: mine; give -p team to validate, generate and check.\n"
    assert said in text
    check = run_cli(["validate", "p.yaml", "-p", "team"])
    assert check.code == 0, check.stderr
    assert run_cli(["init-profile", "-n", "q", "--personas-dir", "team", "-o", "q.yaml"]).code == 0
    assert "Not built in" not in Path("q.yaml").read_text()  # (normal_user is)


def test_init_profile_takes_a_persona_or_type_given_twice_once(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    twice = ["-p", "normal_user", "-p", "normal_user", "-t", "api", "-t", "api"]
    result = run_cli(["init-profile", "-n", "p", *twice, "-o", str(target)])
    assert result.code == 0, result.stderr
    check = run_cli(["validate", str(target), "-t", "profile"])
    assert check.code == 0, check.stderr
    assert b"1 persona, 1 dataset" in check.stdout


def test_validate_finds_a_profile_s_personas_where_generate_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (it also looked in ../personas beside the profile's folder, and called valid a profile
    # that generate then refused: unknown persona 'mine')
    monkeypatch.chdir(tmp_path)
    for folder in ("personas", "profiles"):
        (tmp_path / folder).mkdir()
    (tmp_path / "personas" / "mine.yaml").write_text("name: mine\nextends: normal_user\n")
    profile = "profiles/p.yaml"
    Path(profile).write_text("name: p\npersonas: [mine]\ndatasets: [{type: api, count: 2}]\n")
    for argv in (["validate", profile], ["generate", profile, "-s", "1"]):
        refused = run_cli(argv)
        assert refused.code == 1, argv
        assert "unknown persona 'mine'" in refused.stderr
    for argv in (["validate", profile], ["generate", profile, "-s", "1"]):
        assert run_cli([*argv, "-p", "personas"]).code == 0, argv


def test_validate_tells_a_profile_from_a_persona_by_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    made = run_cli(["init-profile", "-n", "p", "-p", "normal_user", "-t", "api", "-o", "p.yaml"])
    assert made.code == 0, made.stderr
    profile = run_cli(["validate", "p.yaml"])
    assert profile.code == 0, profile.stderr
    assert profile.stdout == b"p.yaml: valid profile 'p' 1.0.0 (1 persona, 1 dataset)\n"
    assert profile.stderr == ""
    assert run_cli(["init-persona", "-n", "mine", "-o", "mine.yaml"]).code == 0
    persona = run_cli(["validate", "mine.yaml"])
    assert persona.code == 0, persona.stderr
    assert persona.stdout.startswith(b"mine.yaml: valid persona 'mine'")
    # (-t still says what to check it as: a profile checked as a persona is named as one)
    forced = run_cli(["validate", "p.yaml", "-t", "persona"])
    assert forced.code == 1
    assert "this looks like a profile, not a persona" in forced.stderr.splitlines()[0]
    # (a profile with no datasets yet is still a profile: the missing field is said)
    Path("bare.yaml").write_text("name: bare\npersonas: [normal_user]\n")
    bare = run_cli(["validate", "bare.yaml"])
    assert bare.code == 1
    assert bare.stderr == "persona-gen: error: bare.yaml:1:1: datasets: field required\n"


def test_list_personas_lists_the_good_ones_and_says_which_are_broken(tmp_path: Path) -> None:
    (tmp_path / "aa.yaml").write_text("name: aa\nextends: [bb]\nbehaviors: {}\n")
    (tmp_path / "bb.yaml").write_text("name: bb\nextends: [aa]\nbehaviors: {}\n")
    (tmp_path / "good.yaml").write_text("name: good\nbehaviors: {typos: {}}\n")
    (tmp_path / "misnamed.yaml").write_text("name: other\nbehaviors: {}\n")
    (tmp_path / "bad.yaml").write_text("name: bad\nversion: x\nbehaviors: {typos: {rat: 2}}\n")
    result = run_cli(["list-personas", "-p", str(tmp_path)])
    assert result.code == 1
    listed = result.stdout.decode()
    for name in ("good", "normal_user", "edge_case_user"):
        assert f"│ {name} " in listed
    for name in ("aa", "bb", "bad", "misnamed", "other"):
        assert f"│ {name} " not in listed
    assert result.stderr.replace(f"{tmp_path}/", "") == (
        "persona-gen: error: 4 personas cannot be loaded and are not listed:\n"
        "aa: bb.yaml:2:1: extends: inheritance cycle: aa -> bb -> aa\n"
        "bad: bad.yaml:2:1: version: must be a semantic version such as 1.2.0 (and 1 more: "
        "persona-gen validate bad.yaml)\n"
        "bb: aa.yaml:2:1: extends: inheritance cycle: bb -> aa -> bb\n"
        "misnamed: misnamed.yaml:1:1: name: persona name 'other' must match the file name "
        "'misnamed'\n"
    )


def test_console_script_runs() -> None:
    exe = Path(sys.executable).parent / "persona-gen"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "persona_gen.runtime.cli"]
    result = subprocess.run(
        [*command, "quick", "normal_user", "-t", "api", "-n", "2", "-s", "1"],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0
    assert len(json.loads(result.stdout)) == 2


def test_a_database_file_as_output_points_to_the_sink(tmp_path: Path) -> None:
    result = run_cli(
        ["quick", "normal_user", "-t", "file", "-n", "5", "-o", str(tmp_path / "x.db")]
    )
    assert result.code == 1
    assert f"use --sink sqlite:///{tmp_path / 'x.db'}" in result.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("seed", [2, 3, 5])
def test_columns_a_persona_retypes_are_json_text_in_parquet(tmp_path: Path, seed: int) -> None:
    # Malformed inputs put a string or an oversized number in an integer column now and
    # then, maybe not in the first block, which fixes the column types: such columns are
    # JSON text from the start, so the file is written whatever the seed.
    import pyarrow.parquet as pq

    argv = ["quick", "edge_case_user", "-t", "file", "-n", "5000", "-s", str(seed)]
    assert run_cli([*argv, "-o", str(tmp_path / "rows.parquet")]).code == 0
    assert run_cli([*argv, "-o", str(tmp_path / "rows.jsonl")]).code == 0
    table = pq.read_table(tmp_path / "rows.parquet")
    rows = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_bytes().splitlines()]
    assert str(table.schema.field("age").type) == "string"
    assert str(table.schema.field("_expected_valid").type) == "bool"
    ages = [None if text is None else json.loads(text) for text in table.column("age").to_pylist()]
    assert ages == [row["age"] for row in rows]
    assert any(not isinstance(age, int) for age in ages if age is not None)


def test_edge_case_line_breaks_leave_key_columns_alone(tmp_path: Path) -> None:
    """An edge-case row gets a line break and quotes in a free-text cell, never in its
    primary key or a unique column: those keep their generated values, as every behaviour
    leaves them (a key of words, such as a product title, has spaces too)."""
    import csv

    ddl = tmp_path / "products.sql"
    ddl.write_text(
        "CREATE TABLE products (title TEXT PRIMARY KEY, "
        "full_name VARCHAR(120) NOT NULL UNIQUE, note TEXT);\n"
    )
    profile = tmp_path / "products.yaml"
    assert run_cli(["import-schema", str(ddl), "-o", str(profile), "-t", "file"]).code == 0
    profile.write_text(profile.read_text().replace("name: normal_user", "name: edge_case_user"))
    assert run_cli(["generate", str(profile), "-o", str(tmp_path / "out"), "-s", "1"]).code == 0
    (data,) = (tmp_path / "out").glob("*.csv")
    with data.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert any(" " in row["title"] and " " in row["full_name"] for row in rows)
    assert not [row for row in rows if "\n" in row["title"] + row["full_name"]]
    assert any("\n" in row["note"] for row in rows)  # (the quirk is still made)


def test_tables_print_brackets_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    # Check messages quote patterns; Rich markup took '[a-z]' for a style tag and dropped it.
    from persona_gen.runtime import cli

    cli._stderr_console().print("'x1' does not match '^[a-z]+$' [bold]")
    cli._stdout_console().print("title [red]")
    captured = capsys.readouterr()
    assert "'^[a-z]+$' [bold]" in captured.err
    assert "title [red]" in captured.out


@pytest.mark.parametrize("name", ["x.csv/out.json", "x.csv/sub/out.json"])
def test_an_output_under_a_file_is_named_with_the_file_in_the_way(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / "x.csv").write_text("a,b\n")
    out = tmp_path / name
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "-s", "1", "-o", str(out)])
    assert result.code == 1
    assert result.stderr == (  # (-o as given, not its manifest; not a bare "Not a directory")
        f"persona-gen: error: {out}: cannot write: '{tmp_path / 'x.csv'}' is a file, "
        "not a directory\n"
    )


@pytest.mark.parametrize("name", ["out.xml", "rows.jsonl.gz"])
def test_an_output_extension_of_no_format_is_refused(tmp_path: Path, name: str) -> None:
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "-o", str(tmp_path / name)])
    assert result.code == 1
    assert f"no output format is written as '.{name.rsplit('.', 1)[-1]}'" in result.stderr
    assert "give -f/--format" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_ndjson_extension_is_json_lines(tmp_path: Path) -> None:
    lines = tmp_path / "rows.ndjson"
    assert run_cli(["quick", "normal_user", "-t", "api", "-n", "3", "-o", str(lines)]).code == 0
    assert len(lines.read_text().splitlines()) == 3


@pytest.mark.parametrize(
    ("name", "fmt", "warning"),
    [
        ("x.csv", "json", "writing json to '{out}' (its extension says csv)"),
        ("x.NDJSON", "json", "writing json to '{out}' (its extension says jsonl)"),
        ("x.json", "json", None),
        ("x.out", "json", None),  # (an extension of no format says nothing)
        ("x.txt", "csv", None),
    ],
)
def test_a_format_against_the_output_s_extension_is_written_with_a_warning(
    tmp_path: Path, name: str, fmt: str, warning: str | None
) -> None:
    out = tmp_path / name
    args = ["quick", "normal_user", "-t", "api", "-n", "5", "-s", "1", "-o", str(out), "-f", fmt]
    result = run_cli(args)
    assert result.code == 0, result.stderr
    if fmt == "json":  # (-f wins: users rely on it)
        assert len(json.loads(out.read_text())) == 5
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    expected = [f"persona-gen: warning: {warning.format(out=out)}"] if warning else []
    assert warnings == expected


@pytest.mark.parametrize(
    "args",
    [
        ["-t", "api", "-n", "5000", "-f", "jsonl"],
        ["-t", "api", "-n", "100"],
        ["-t", "file", "-n", "200000", "-f", "csv", "-w", "2"],
        # A run far too long to finish: records must stream from the first block on
        # (the block list was once built whole first, and memory ran out).
        ["-t", "load", "-n", "1_000_000_000_000", "-f", "jsonl"],
    ],
)
def test_a_reader_that_goes_away_is_not_an_error(args: list[str]) -> None:
    # `persona-gen … | head -1` exits 0 (docs/errors.md), also under `set -o pipefail`.
    command = [sys.executable, "-m", "persona_gen", "quick", "normal_user", "-s", "1", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()
        proc.stdout.close()
        assert proc.wait(timeout=120) == 0
        assert proc.stderr.read() == b""


@pytest.mark.parametrize("count", ["_10", "1__0", "١٠", " 5", "5\n", "1_000_000_000_001"])
def test_counts_are_ascii_digits_within_the_bound(count: str) -> None:
    result = run_cli(["quick", "normal_user", "-t", "api", "-s", "1", "-n", count])
    assert result.code == 1
    assert result.stderr.startswith("persona-gen: error: -n/--count: ")


@pytest.mark.parametrize("option", ["-s", "-w"])
@pytest.mark.parametrize("value", ["٣", " 5", "5 ", "_1", "+5"])
def test_seeds_and_workers_are_ascii_digits_as_counts_are(option: str, value: str) -> None:
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "2", option, value])
    assert result.code == 1
    name = "-s/--seed" if option == "-s" else "--workers"
    assert result.stderr == f"persona-gen: error: {name}: '{value}' is not a whole number\n"
    assert result.stdout == b""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_on_stdout_says_how_much_was_written(tmp_path: Path, workers: str) -> None:
    # Standard output cannot be taken back: the message and the manifest say what is there.
    import signal
    import time

    manifest = tmp_path / "m.json"
    out = tmp_path / "out.jsonl"
    args = ["quick", "normal_user", "-t", "api", "-n", "2_000_000", "-s", "1", "-f", "jsonl"]
    # (a shell's background job ignores SIGINT and children inherit that: restore it)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    with out.open("wb") as sink:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "persona_gen",
                *args,
                "-w",
                workers,
                "--manifest",
                str(manifest),
            ],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
        )
    signal.signal(signal.SIGINT, previous)
    while out.stat().st_size < 2_000_000:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    doc = json.loads(manifest.read_text())
    assert doc["interrupted"] is True
    assert err.strip() == (
        f"persona-gen: error: interrupted after {doc['count']} records; standard output holds "
        "them and may end in the middle of the next one (incomplete jsonl)"
    )
    lines = out.read_bytes().splitlines()
    assert len(lines) >= doc["count"] > 0
    assert all(json.loads(line) for line in lines[: doc["count"]])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-t", "file", "--create-tables"], "--create-tables and --include-invalid apply"),
        (["-t", "file", "--include-invalid"], "--create-tables and --include-invalid apply"),
        (
            ["-t", "streaming", "--sink", "kafka://127.0.0.1:1/t", "--create-tables"],
            "--create-tables and --include-invalid apply",
        ),
        (["-t", "file", "--sink", "sqlite:///x.db", "-f", "parquet"], "--format and --pretty"),
        (["-t", "file", "--sink", "sqlite:///x.db", "--pretty"], "--format and --pretty"),
        (["-t", "load", "--pretty", "-f", "jsonl"], "--pretty indents json output only; not jsonl"),
        (["-t", "file", "--pretty", "-f", "csv"], "--pretty indents json output only; not csv"),
        (["-t", "file", "--pretty", "-f", "parquet"], "json output only; not parquet"),
        (["-t", "file", "--pretty", "-f", "avro"], "--pretty indents json output only; not avro"),
        (["-t", "streaming", "--speed", "5"], "--speed applies with --realtime"),
        (["-t", "fault", "--sink", "kafka://127.0.0.1:1/t", "--realtime"], "fault records have"),
        (["-t", "streaming", "--sink", "kafka://127.0.0.1:1/t", "--rate", "nan"], "--rate: 'nan'"),
        (["-t", "streaming", "--sink", "kafka://127.0.0.1:1/t", "--duration", "nan"], "above 0"),
        (["-t", "streaming", "--sink", "kafka://127.0.0.1:1/t", "--duration", "inf"], "above 0"),
    ],
)
def test_options_that_would_do_nothing_are_refused(args: list[str], message: str) -> None:
    result = run_cli(["quick", "normal_user", "-n", "5", "-s", "1", *args])
    assert result.code == 1
    assert message in result.stderr
    assert result.stdout == b""


def test_dash_output_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "2", "-s", "1", "-o", "-"])
    assert result.code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2
    assert list(tmp_path.iterdir()) == []  # no file named '-', no manifest


_NOT_STDOUT = (
    "'-': standard output cannot be written here, expected a file path (./- names a file "
    "called '-')"
)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import-schema", str(SCHEMAS / "user-event.avsc"), "-o", "-"], _NOT_STDOUT),
        (["init-persona", "-n", "mine", "-o", "-"], _NOT_STDOUT),
        (["init-profile", "-n", "mine", "-o", "-"], _NOT_STDOUT),
        (
            ["quick", "normal_user", "-t", "api", "-n", "2", "--manifest", "-"],
            f"--manifest {_NOT_STDOUT}",
        ),
        (
            [
                "check",
                "x.json",
                "--profile",
                str(ROOT / "profiles" / "api_testing.yaml"),
                "--report",
                "-",
            ],
            f"--report {_NOT_STDOUT}",
        ),
        (
            ["generate", str(ROOT / "profiles" / "api_testing.yaml"), "-o", "-", "-s", "1"],
            "-o/--output: '-' is not a directory; a profile of one dataset goes to standard "
            "output without -o (./- names a folder called '-')",
        ),
    ],
)
def test_dash_where_standard_output_is_not_written_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    """Only quick's -o takes '-' as standard output; the others wrote a file (or, generate,
    a folder of files) called '-', and import-schema said it "imported ... into profile -"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text("[]")
    result = run_cli(args)
    assert (result.code, result.stderr) == (1, f"persona-gen: error: {message}\n")
    assert result.stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


@pytest.mark.parametrize(
    "args",
    [
        ["-t", "api", "-o", "z.json", "--manifest", "z.json"],
        ["-t", "api", "-o", "z.json", "--manifest", "sub/../z.json"],
        ["-t", "file", "--sink", "sqlite:///z.db", "--create-tables", "--manifest", "z.db"],
    ],
)
def test_a_manifest_over_its_own_data_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(["quick", "normal_user", "-n", "3", "-s", "1", *args])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: --manifest {Path(args[-1])}: that is the data's own file; "
        "give another path\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_dataset_written_over_another_ones_manifest_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "clash.yaml"
    profile.write_text(
        "name: clash\npersonas: [normal_user]\nseed: 1\ndatasets:\n"
        "  - {name: a, type: api, count: 2}\n"
        "  - {name: a.json.manifest, type: api, count: 2}\n"
    )
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-o", str(out)])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: dataset 'a.json.manifest' writes {out}/a.json.manifest.json, "
        "the manifest of dataset 'a'; rename one of them\n"
    )
    assert not out.exists()


_TWO_FILES = (
    "name: two\npersonas: [normal_user]\ndatasets:\n"
    "  - {name: calls, type: api, count: 2, format: csv}\n"
    "  - {name: rows, type: file, count: 2, format: jsonl}\n"
)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--create-tables"], "--create-tables and --include-invalid apply to a database --sink"),
        (["--include-invalid"], "--create-tables and --include-invalid apply"),
        (
            ["--pretty", "--sink", "kafka://127.0.0.1:1/t"],
            "--format and --pretty shape -o files and standard output",
        ),
        (["--pretty"], "--pretty indents json output only; dataset 'calls' is written as csv"),
        (["--dry-run", "--pretty"], "--pretty indents the datasets written, and --dry-run writes"),
    ],
)
def test_generate_refuses_options_that_would_do_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    profile = tmp_path / "two.yaml"
    profile.write_text(_TWO_FILES)
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "1", *args])
    assert result.code == 1
    assert result.stderr.startswith(f"persona-gen: error: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_generate_pretty_indents_the_json_datasets_of_a_mixed_profile(tmp_path: Path) -> None:
    profile = tmp_path / "mixed.yaml"
    profile.write_text(
        "name: mixed\npersonas: [normal_user]\ndatasets:\n"
        "  - {name: calls, type: api, count: 2}\n"
        "  - {name: rows, type: file, count: 2, format: jsonl}\n"
    )
    out = tmp_path / "out"
    result = run_cli(["generate", str(profile), "-o", str(out), "-s", "1", "--pretty"])
    assert result.code == 0, result.stderr
    assert (out / "calls.json").read_text().startswith("[\n  {\n")
    assert len((out / "rows.jsonl").read_bytes().splitlines()) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["quick", "normal_user", "-t", "api", "-n", "2", "-w", "0"],
        ["quick", "normal_user", "-t", "load", "-n", "2", "-f", "sql"],
        ["quick", "normal_user", "-t", "api", "-n", "2", "--speed", "2"],
        ["generate", "{profile}", "-o", "{out}", "-w", "0"],
    ],
)
def test_a_refused_run_says_only_its_error_not_the_fresh_seed(
    tmp_path: Path, args: list[str]
) -> None:
    profile = tmp_path / "two.yaml"
    profile.write_text(_TWO_FILES)  # (no seed: one is drawn)
    argv = [a.format(profile=profile, out=tmp_path / "out") for a in args]
    result = run_cli(argv)
    assert result.code == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("persona-gen: error: ")


def test_a_fresh_seed_is_said_when_the_run_goes_ahead() -> None:
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "2"])
    assert result.code == 0
    assert result.stderr.startswith("persona-gen: no --seed given; using seed ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-t", "load", "-f", "sql"],
            "'load' records are a schedule of requests, not rows of a table",
        ),
        (["-t", "api", "-f", "sql"], "'api' records are nested envelopes"),
        (["-t", "api", "-f", "protobuf"], "from a .proto file, and this dataset has none (quick"),
        (["-t", "load", "-f", "protobuf"], "from_profile), or use parquet, json, jsonl or csv\n"),
        (["-t", "file", "-f", "protobuf"], "from_profile), or use avro, parquet, json, jsonl or"),
    ],
)
def test_a_format_refused_for_a_generator_says_why_and_what_works(
    args: list[str], message: str
) -> None:
    result = run_cli(["quick", "normal_user", "-n", "2", "-s", "1", *args])
    assert result.code == 1
    assert message in result.stderr
    # what it suggests instead works
    suggested = re.split(r"(?:use|write them as) ", result.stderr)[-1].split(",")[0]
    suggested = suggested.split("/")[0].strip()
    again = ["quick", "normal_user", "-n", "2", "-s", "1", *args[:2], "-f", suggested]
    assert run_cli(again).code == 0


def _generators_in(text: str) -> set[str]:
    return set(re.findall(r"\w+", text)) & set(GENERATORS)


def test_quick_help_and_the_readme_name_the_formats_quick_writes(tmp_path: Path) -> None:
    # README's command table and `quick --help` listed protobuf, which quick refuses (it
    # needs a profile imported from a .proto): each names the formats quick writes, and the
    # records a format takes when it does not take every generator's.
    from persona_gen.sinks import FORMATS

    writes: dict[str, set[str]] = {}
    for fmt in FORMATS.names():
        for generator in GENERATORS:
            out = tmp_path / f"{generator}.{fmt}"
            args = ["quick", "normal_user", "-t", generator, "-n", "2", "-s", "1", "-f", fmt]
            if run_cli([*args, "-o", str(out)]).code == 0:
                writes.setdefault(fmt, set()).add(generator)
    assert "protobuf" not in writes and {"json", "avro", "sql"} <= set(writes)
    help_text = " ".join(run_cli(["quick", "--help"]).stdout.decode().split())
    listed = re.search(r"--format FORMAT (.*?) \((.*?)\)\.", help_text)
    assert listed is not None, help_text
    assert set(re.findall(r"\w+", listed[1])) - {"or"} == set(writes)
    notes = dict(note.split(": ") for note in listed[2].split("; "))
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    row = next(line for line in readme if line.startswith("| `quick PERSONA"))
    named = re.findall(r"(\w+)(?: \(([^)]*)\))?(?:, |$)", row.split("formats ")[1].split(";")[0])
    assert {fmt for fmt, _ in named} == set(writes)
    for fmt, generators in writes.items():
        said = dict(named)[fmt]
        assert _generators_in(said or " ".join(GENERATORS)) == generators, (fmt, said)
        assert _generators_in(notes.get(fmt, " ".join(GENERATORS))) == generators, fmt
    # (and a format quick does not know offers those it writes)
    unknown = run_cli(["quick", "normal_user", "-t", "api", "-n", "2", "-f", "xml"]).stderr
    assert unknown.endswith(f"Available: {', '.join(sorted(writes))}\n"), unknown


class _InterruptedOnce(io.BytesIO):
    """Standard output that gets Ctrl-C once, as a write of it ends (as the buffered writer
    reports a signal that came while it wrote)."""

    fired = False

    def write(self, data: Any) -> int:
        written = super().write(data)
        if not self.fired and self.tell() > 300_000:
            self.fired = True
            signal.raise_signal(signal.SIGINT)
        return written


def test_ctrl_c_during_a_write_counts_the_block_written(capsys: pytest.CaptureFixture[str]) -> None:
    out = _InterruptedOnce()
    old = sys.stdout
    wrapper = sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    try:
        args = ["quick", "normal_user", "-t", "file", "-n", "100000", "-s", "1", "-f", "jsonl"]
        code = main(args)
        lines = out.getvalue().count(b"\n")
    finally:
        sys.stdout = old
        wrapper.detach()
    assert code == 130
    said = re.search(r"interrupted after (\d+) records", capsys.readouterr().err)
    assert said is not None
    assert lines == int(said.group(1))


_LONG = "a" * 300  # (a path component longer than file systems take: 255 bytes)


@pytest.mark.parametrize(
    "args",
    [
        ["quick", "normal_user", "-t", "api", "-n", "2", "-s", "1", "-o", "{d}/{L}.json"],
        ["quick", "normal_user", "-t", "api", "-n", "2", "-s", "1", "-o", "{d}/{L}/x.json"],
        ["quick", "normal_user", "-t", "api", "-n", "2", "-s", "1", "-p", "{d}/{L}"],
        ["quick", "normal_user", "-t", "file", "-n", "2", "-s", "1", "--sink", "sqlite:///{d}/{L}"],
        ["generate", "{root}/profiles/api_testing.yaml", "-s", "1", "-o", "{d}/{L}"],
        ["import-schema", "{root}/schemas/user.schema.json", "-o", "{d}/{L}.yaml"],
        ["init-profile", "-n", "abc", "-o", "{d}/{L}.yaml"],
        ["init-persona", "-n", "abc", "-o", "{d}/{L}/abc.yaml"],
        ["list-personas", "-p", "{d}/{L}"],
    ],
)
def test_a_path_name_too_long_is_one_message(tmp_path: Path, args: list[str]) -> None:
    argv = [a.format(d=tmp_path, L=_LONG, root=ROOT) for a in args]
    result = run_cli(argv)
    assert result.code == 1
    error = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(error) == 1 and "File name too long" in error[0], result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_loop_of_symbolic_links_as_output_is_refused_not_replaced(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    result = run_cli(["quick", "normal_user", "-t", "api", "-n", "2", "-s", "1", "-o", str(loop)])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: {loop}: cannot write: Too many levels of symbolic links\n"
    )
    assert loop.is_symlink() and os.readlink(loop) == "loop"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("loop", "cannot read: Too many levels of symbolic links"),
        (f"{_LONG}.yaml", "cannot read: File name too long"),
        ("gone.yaml", "file not found"),
    ],
)
def test_validate_says_why_a_persona_file_cannot_be_read(
    tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "loop").symlink_to("loop")
    result = run_cli(["validate", str(tmp_path / name)])
    assert result.code == 1
    assert result.stderr == f"persona-gen: error: {tmp_path / name}: {message}\n"


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """``persona-gen COMMAND`` through a shell (for its redirections, such as `>&-`)."""
    # (this checkout's src: a relative PYTHONPATH=src, from another cwd, ran the installed one)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        f"{sys.executable} -m persona_gen {command}",
        shell=True,
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        "quick normal_user -t api -n 2 -s 1",
        "list-personas",
        "generate {root}/profiles/load_testing.yaml --dry-run",
        "import-schema {root}/schemas/user.schema.json --list-entities",
    ],
)
def test_a_closed_standard_output_is_one_message(tmp_path: Path, command: str) -> None:
    result = _shell(command.format(root=ROOT) + " >&-", tmp_path)
    assert result.returncode == 1
    assert result.stderr.endswith(
        b"persona-gen: error: standard output: cannot write: Bad file descriptor\n"
    )
    assert b"Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["/dev/stdout", "/proc/self/fd/1"])
def test_output_to_a_closed_dev_stdout_is_one_message(tmp_path: Path, name: str) -> None:
    # (the records went to the /dev/null that holds the closed descriptor, with exit code 0)
    result = _shell(f"quick normal_user -t api -n 2 -s 1 -o {name} >&-", tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr == f"persona-gen: error: {name}: cannot write: Bad file descriptor\n".encode()
    )
    assert list(tmp_path.iterdir()) == []


def test_a_closed_standard_error_drops_the_messages_not_the_run(tmp_path: Path) -> None:
    written = _shell("quick normal_user -t api -n 2 -o x.json 2>&-", tmp_path)
    assert written.returncode == 0
    assert len(json.loads((tmp_path / "x.json").read_bytes())) == 2
    # the seed notice is not sent to standard output instead
    printed = _shell("quick normal_user -t api -n 2 2>&-", tmp_path)
    assert printed.returncode == 0
    assert len(json.loads(printed.stdout)) == 2
    assert _shell("quick normal_user -t apii -n 2 2>&- >&-", tmp_path).returncode == 1


@pytest.mark.parametrize("manifest", ["adir", "/proc/x"])
@pytest.mark.parametrize("output", ["x.json", "-"])
def test_an_unusable_manifest_is_refused_before_the_data_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manifest: str, output: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir").mkdir()
    argv = ["quick", "normal_user", "-t", "api", "-n", "5", "-s", "1", "-o", output]
    result = run_cli([*argv, "--manifest", manifest])
    assert result.code == 1
    named = f"--manifest {manifest}" if manifest == "adir" else manifest  # (said as the option's)
    assert result.stderr.startswith(f"persona-gen: error: {named}: ")
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == b""
    assert [p.name for p in tmp_path.iterdir()] == ["adir"]


def test_a_dialect_for_a_schema_that_is_not_ddl_is_refused(tmp_path: Path) -> None:
    schema = ROOT / "schemas" / "openapi-users.yaml"
    out = tmp_path / "p.yaml"
    result = run_cli(["import-schema", str(schema), "-o", str(out), "--dialect", "postgres"])
    assert result.code == 1
    assert result.stderr == (
        f"persona-gen: error: --dialect applies to SQL DDL schemas; {schema} is read as openapi\n"
    )
    assert not out.exists()
    listed = ["import-schema", str(ROOT / "schemas" / "users.sql"), "--list-entities"]
    assert run_cli([*listed, "--dialect", "postgres"]).code == 0


def test_an_in_memory_sqlite_sink_is_refused_and_leaves_no_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["quick", "normal_user", "-t", "file", "-n", "2", "-s", "1", "--create-tables"]
    result = run_cli([*argv, "--sink", "sqlite:///:memory:"])
    assert result.code == 1
    assert "an in-memory database ends with the run; give a file" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_format_of_another_schema_names_it_with_its_article(tmp_path: Path) -> None:
    profile = tmp_path / "oa.yaml"
    schema = str(ROOT / "schemas" / "openapi-users.yaml")
    argv = ["import-schema", schema, "-o", str(profile), "-t", "file"]
    result = run_cli([*argv, "--output-format", "protobuf"])  # (refused as validate would)
    assert result.code == 1 and not profile.exists()
    assert "(this one has an openapi schema)" in result.stderr


def test_a_profile_in_a_personas_folder_is_not_taken_for_a_persona(tmp_path: Path) -> None:
    made = run_cli(["init-profile", "-n", "p3", "-o", str(tmp_path / "p3.yaml")])
    assert made.code == 0, made.stderr
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nextends: normal_user\nbehaviors:\n  typos: {rate: 0.1}\n", encoding="utf-8"
    )
    listed = run_cli(["list-personas", "-p", str(tmp_path)])
    assert listed.code == 0, listed.stderr
    assert b"mine" in listed.stdout and b"p3" not in listed.stdout
    assert (
        run_cli(["quick", "mine", "-p", str(tmp_path), "-t", "api", "-n", "2", "-s", "1"]).code == 0
    )


def test_ctrl_c_while_the_cli_starts_is_no_traceback() -> None:
    """Ctrl-C while the CLI's modules are still importing (before it can catch one) ends as
    any other Ctrl-C: one line, exit 130. The KeyboardInterrupt is raised where the console
    script imports the CLI, as a Ctrl-C in those first few hundred milliseconds would be."""
    import subprocess
    import sys

    program = (
        "import sys, importlib.abc\n"
        "class Interrupt(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'persona_gen.runtime.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "import runpy\n"
        "runpy.run_module('persona_gen', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "persona-gen: interrupted; no partial output was kept\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-o", "team/mine.yaml", "-f", "jsonl"], "-o team/mine.yaml"),
        (["-o", "x.json", "--manifest", "./team/mine.yaml"], "--manifest team/mine.yaml"),
    ],
)
def test_quick_written_over_the_persona_it_reads_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], said: str
) -> None:
    """`quick mine -p team -o team/mine.yaml` replaced the persona by its records."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "team").mkdir()
    persona = (ROOT / "personas" / "normal_user.yaml").read_text()
    (tmp_path / "team" / "mine.yaml").write_text(persona.replace("name: normal_user", "name: mine"))
    before = (tmp_path / "team" / "mine.yaml").read_bytes()
    result = run_cli(["quick", "mine", "-p", "team", "-t", "file", "-n", "3", "-s", "1", *args])
    assert (result.code, result.stderr) == (
        1,
        f"persona-gen: error: {said}: that is the persona's file; give another path\n",
    )
    assert (tmp_path / "team" / "mine.yaml").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team"]


def test_import_schema_without_an_output_is_a_usage_error() -> None:
    # -o is required unless --list-entities: a missing required option, exit 2 with the
    # usage line, as the parser says any other (docs/errors.md).
    result = run_cli(["import-schema", str(SCHEMAS / "user-event.avsc")])
    assert result.code == 2, result.stderr
    assert "Usage: persona-gen import-schema" in result.stderr
    assert "Missing option '-o' / '--output'" in result.stderr
    listed = run_cli(["import-schema", str(SCHEMAS / "user-event.avsc"), "--list-entities"])
    assert listed.code == 0 and "UserEvent" in listed.stdout.decode()
