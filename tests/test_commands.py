"""Commands made from typed signatures (runtime/commands.py, ADR 0019), and what the CLI's
start imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import pytest

from persona_gen.runtime.commands import Argument, Option, command
from tests.helpers import run_cli

seen: dict[str, Any] = {}


def _group() -> click.Group:
    group = click.Group("demo")

    @command(group, "run")
    def run(
        name: Annotated[str, Argument(help="Who to greet.", metavar="NAME")],
        kind: Annotated[str, Option("-k", "--kind", help="Required, no default.")],
        count: Annotated[str, Option("-n", "--count", metavar="N", help="A count.")] = "10",
        ratio: Annotated[float | None, Option("--ratio", help="A float.")] = None,
        loud: Annotated[bool, Option("--loud", help="A flag.")] = False,
        where: Annotated[Path | None, Option("-o", help="A path.")] = None,
        dirs: Annotated[list[Path] | None, Option("-I", help="Repeatable.")] = None,
        tags: Annotated[list[str] | None, Option("-t", help="Repeatable.")] = None,
    ) -> None:
        """Greet someone."""
        seen.update(locals())

    return group


def _invoke(*args: str) -> tuple[int, str]:
    group = _group()
    try:
        with group.make_context("demo", list(args)) as ctx:
            group.invoke(ctx)
    except click.exceptions.Exit as exc:
        return exc.exit_code, ""
    except click.ClickException as exc:
        return exc.exit_code, exc.format_message()
    return 0, ""


def test_a_signature_gives_the_values_its_types_say() -> None:
    seen.clear()
    assert _invoke("run", "ada", "-k", "x", "-o", "out", "-I", "a", "-I", "b") == (0, "")
    assert seen["name"] == "ada" and seen["kind"] == "x" and seen["count"] == "10"
    assert seen["ratio"] is None and seen["loud"] is False
    assert seen["where"] == Path("out") and seen["dirs"] == [Path("a"), Path("b")]
    assert seen["tags"] is None  # (a repeatable option not given is None, not [])
    assert _invoke("run", "ada", "-k", "x", "--ratio", "0.5", "--loud", "-t", "a")[0] == 0
    assert seen["ratio"] == 0.5 and seen["loud"] is True and seen["tags"] == ["a"]


def test_a_parameter_without_a_default_is_required() -> None:
    # (Click tells "not given" from a default of None: passing default=None made -k optional)
    code, message = _invoke("run", "ada")
    assert code == 2 and "Missing option '-k' / '--kind'" in message
    assert _invoke("run", "-k", "x")[0] == 2  # (the argument too)


def test_a_path_is_not_checked_by_click() -> None:
    # (whether it exists is the command's to say, in its words and at exit 1)
    seen.clear()
    assert _invoke("run", "ada", "-k", "x", "-o", "/no/such/dir/f")[0] == 0
    assert seen["where"] == Path("/no/such/dir/f")


def test_help_lists_arguments_with_their_help() -> None:
    group = _group()
    cmd = group.commands["run"]
    text = cmd.get_help(click.Context(cmd, info_name="run"))
    assert "NAME  Who to greet." in text
    assert "-n, --count N" in text and "[default: 10]" in text
    assert "[default: False]" not in text


def test_an_unannotated_parameter_is_a_programming_error() -> None:
    group = click.Group("demo")

    @command(group, "bad")
    def bad(x: Annotated[str, "not an option"]) -> None: ...

    # (parameters are read when Click first asks for them, not on import)
    with pytest.raises(TypeError, match="annotate it"):
        group.commands["bad"].get_params(click.Context(group.commands["bad"]))


def test_every_command_of_the_cli_reads_its_parameters_from_its_signature() -> None:
    from persona_gen.runtime.cli import app

    for name, cmd in app.commands.items():
        params = cmd.get_params(click.Context(cmd, info_name=name))
        assert [p for p in params if p.name != "help"], name


def test_the_cli_says_version_and_refuses_a_missing_option() -> None:
    assert run_cli(["--version"]).stdout.decode().startswith("persona-gen ")
    result = run_cli(["quick", "normal_user", "-n", "2"])
    assert result.code == 2 and "Missing option '-t' / '--type'" in result.stderr


def test_listing_generators_imports_neither_pydantic_nor_generator_code() -> None:
    # Start-up (issue 4: under 0.5 s) is what a listing imports: Typer 0.29 imported
    # pydantic for every run, and took list-generators from 0.40 s to 0.60 s (ADR 0019).
    probe = (
        "import sys\n"
        "from persona_gen.runtime.cli import main\n"
        "code = main(['list-generators'])\n"
        "heavy = sorted(m for m in ('pydantic', 'typer', 'numpy', 'pyarrow', 'orjson') "
        "if m in sys.modules)\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr
