"""The docs' Python examples run as written, and type-check as a user's code would.

The README's plugin examples are written into a package of their own, registered by the
entry points its ``pyproject.toml`` example declares, and used from a persona and the CLI.
"""

from __future__ import annotations

import ast
import re
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from persona_gen import Dataset, PersonaCatalog
from persona_gen.generators import GENERATORS
from persona_gen.personas.behaviours import BEHAVIOURS
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
_REGISTRIES = {"persona_gen.behaviours": BEHAVIOURS, "persona_gen.generators": GENERATORS}


def _blocks(page: Path, language: str, section: str) -> list[str]:
    """The ``language`` code blocks of ``page``'s ``## section``."""
    text = page.read_text(encoding="utf-8")
    part = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"^```{language}\n(.*?)^```$", part, re.M | re.S)


def _unannotated(source: str) -> list[str]:
    """The functions of ``source`` that ``mypy --strict`` calls untyped (``no-untyped-def``)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            untyped = [a.arg for a in arguments if a.annotation is None and a.arg != "self"]
            if node.returns is None or untyped:
                out.append(node.name)
    return out


@pytest.fixture
def plugin_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The README's plugin modules as ``my_package``, registered as its entry points say."""
    modules = _blocks(ROOT / "README.md", "python", "Writing a plugin")
    assert len(modules) == 2
    for source in modules:
        first = source.splitlines()[0]  # "# my_package/behaviours.py"
        path = tmp_path / first.removeprefix("# ")
        path.parent.mkdir(exist_ok=True)
        path.write_text(source, encoding="utf-8")
    (tmp_path / "my_package" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    (pyproject,) = _blocks(ROOT / "README.md", "toml", "Writing a plugin")
    groups = tomllib.loads(pyproject)["project"]["entry-points"]
    assert set(groups) == set(_REGISTRIES)
    for group, points in groups.items():
        registry = _REGISTRIES[group]
        registry.names()  # (the installed plugins scanned first, so these are not replaced)
        monkeypatch.setattr(registry, "_targets", {**registry._targets, **points})
        monkeypatch.setattr(registry, "_loaded", dict(registry._loaded))
    return tmp_path


def test_the_readme_plugin_examples_are_typed_for_mypy_strict() -> None:
    # (the behaviour example's ``def apply(self, trace, rng)`` failed a user's mypy --strict)
    for source in _blocks(ROOT / "README.md", "python", "Writing a plugin"):
        assert _unannotated(source) == [], source.splitlines()[0]


def test_the_readme_plugin_examples_work_as_plugins(plugin_package: Path) -> None:
    (plugin_package / "dns_user.yaml").write_text(
        "name: dns_user\nextends: normal_user\nbehaviors:\n  flaky_dns: {rate: 0.5}\n"
    )
    persona = PersonaCatalog(plugin_package).get("dns_user")
    dataset = Dataset([(persona, 1.0)], "ping", 2000, seed=1)
    records: list[dict[str, Any]] = [r for block in dataset.blocks() for r in block]
    assert len(records) == 2000
    failed = sum("flaky_dns" in r["behaviors"] for r in records)
    assert 900 < failed < 1100
    assert all(not r["ok"] for r in records if "flaky_dns" in r["behaviors"])
    assert dataset.stats.behaviours["flaky_dns"] == failed
    result = run_cli(["quick", "dns_user", "-p", str(plugin_package), "-t", "ping", "-n", "3",
                      "-s", "1", "-f", "jsonl"])  # fmt: skip
    assert result.code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_the_package_docstring_example_runs() -> None:
    import persona_gen

    example = textwrap.dedent(persona_gen.__doc__.split("::\n", 1)[1])  # type: ignore[union-attr]
    scope: dict[str, Any] = {}
    exec(compile(example, "persona_gen.__doc__", "exec"), scope)
    assert len(scope["records"]) == 100


def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (example,) = _blocks(ROOT / "README.md", "python", "In Python")
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {}
    exec(compile(example, "README.md", "exec"), scope)
    assert len(scope["records"]) == 5_000 == scope["manifest"]["count"]
    args = ["quick", "noisy_device", "-t", "streaming", "-n", "5000", "-s", "42"]
    assert run_cli([*args, "-o", str(tmp_path / "cli.parquet")]).code == 0
    written = (tmp_path / "telemetry.parquet").read_bytes()
    assert written == (tmp_path / "cli.parquet").read_bytes()
    assert (tmp_path / "telemetry.parquet.manifest.json").exists()
