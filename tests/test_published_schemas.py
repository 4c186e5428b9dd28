"""The published JSON Schemas (docs/schema/) match the models and accept real files."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pydantic
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "docs" / "schema"
BUILTIN_PERSONAS = sorted((ROOT / "src" / "persona_gen" / "data" / "personas").glob("*.yaml"))
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))
REGENERATE = "run `python scripts/export_schemas.py` and commit docs/schema/"


def _exporter() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "export_schemas", ROOT / "scripts" / "export_schemas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("export_schemas", module)
    spec.loader.exec_module(module)
    return module


EXPORT = _exporter()


def _committed(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text("utf-8"))
    return data


def _as_editor_sees_it(path: Path) -> Any:
    """A YAML file as JSON data: mapping keys become text, as in an editor's validator."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8"))))


def _errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


@pytest.mark.parametrize("name", ["persona", "profile"])
def test_committed_schema_is_up_to_date(name: str) -> None:
    schema = getattr(EXPORT, f"{name}_schema")()
    committed = (SCHEMA_DIR / f"{name}.schema.json").read_text("utf-8")
    assert EXPORT.render(schema) == committed, f"docs/schema/{name}.schema.json is stale: " + (
        REGENERATE
    )


@pytest.mark.parametrize("name", ["persona", "profile"])
def test_schema_is_a_valid_draft7_schema(name: str) -> None:
    jsonschema.Draft7Validator.check_schema(_committed(name))


def test_persona_schema_knows_every_builtin_behaviour_kind() -> None:
    from persona_gen.personas.behaviours import BEHAVIOURS

    schema = _committed("persona")
    kinds = [k for k in BEHAVIOURS.names() if k in EXPORT.builtin_kinds()]
    assert len(kinds) == 24
    assert set(schema["properties"]["behaviors"]["properties"]) == set(kinds)
    assert schema["$defs"]["block.with_kind"]["properties"]["kind"]["enum"] == kinds


@pytest.mark.parametrize("path", BUILTIN_PERSONAS, ids=lambda p: p.stem)
def test_builtin_personas_validate(path: Path) -> None:
    assert _errors(_committed("persona"), _as_editor_sees_it(path)) == []


def test_init_persona_template_validates(tmp_path: Path) -> None:
    target = tmp_path / "my_custom_persona.yaml"
    result = run_cli(["init-persona", "-n", "my_custom_persona", "-o", str(target)])
    assert result.code == 0, result.stderr
    assert _errors(_committed("persona"), _as_editor_sees_it(target)) == []


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_repository_profiles_validate(path: Path) -> None:
    assert _errors(_committed("profile"), _as_editor_sees_it(path)) == []


def test_profile_schema_ignores_x_keys_where_the_loader_does() -> None:
    profile = {
        "name": "p",
        "x-anchors": {"a": 1},
        "personas": [{"name": "normal_user", "x-why": "usual"}],
        "datasets": [{"type": "api", "x-owner": "qa"}],
        "source": {"file": "a.json", "format": "jsonschema", "sha256": "0", "x-note": "n"},
    }
    assert _errors(_committed("profile"), profile) == []
    profile["datasets"] = [{"type": "api", "owner": "qa"}]  # (other keys are still refused)
    assert [e.split(":")[0] for e in _errors(_committed("profile"), profile)] == ["datasets/0"]


def test_profile_schema_refuses_a_dataset_naming_no_persona() -> None:
    # The loader refuses `personas: []` in a dataset (leave it out to mix all the profile's).
    profile = {"name": "p", "personas": ["normal_user"], "datasets": [{"type": "api"}]}
    assert _errors(_committed("profile"), profile) == []
    profile["datasets"] = [{"type": "api", "personas": []}]
    assert [e.split(":")[0] for e in _errors(_committed("profile"), profile)] == [
        "datasets/0/personas"
    ]


def test_init_profile_template_validates(tmp_path: Path) -> None:
    target = tmp_path / "my_profile.yaml"
    args = ["init-profile", "-n", "my_profile", "-p", "normal_user", "-p", "noisy_device"]
    result = run_cli([*args, "-t", "api", "-t", "file", "-o", str(target)])
    assert result.code == 0, result.stderr
    assert _errors(_committed("profile"), _as_editor_sees_it(target)) == []


@pytest.mark.parametrize(
    ("behaviors", "where"),
    [
        ({"typos": {"rate": 1.5}}, "behaviors/typos/rate"),
        ({"typos": {"colour": "red"}}, "behaviors/typos"),
        ({"rare_errors": {"rate": 0.1}}, "behaviors/rare_errors"),  # not a kind: needs `kind`
        ({"rare_errors": {"kind": "errorz"}}, "behaviors/rare_errors/kind"),
        ({"slow": {"kind": "timing", "latency_ms": {"dist": "lognormal"}}}, "behaviors/slow"),
        ({"timing": {"kind": "errors", "rate_per_second": 2}}, "behaviors/timing"),
        ({"Timing": {}}, "behaviors"),
        # time spans: never negative, at most 365 days (docs/distributions.md#durations)
        ({"timing": {"latency_ms": -5}}, "behaviors/timing/latency_ms"),
        (
            {"timing": {"think_time_ms": {"dist": "normal", "mean": -100, "std": 1}}},
            "behaviors/timing/think_time_ms",
        ),
        ({"delayed_transmission": {"delay_ms": 1e15}}, "behaviors/delayed_transmission/delay_ms"),
        (
            {
                "retry_storms": {
                    "backoff_ms": {"dist": "uniform", "low": 1, "high": 5, "clip_min": -1}
                }
            },
            "behaviors/retry_storms/backoff_ms",
        ),
        ({"slow_processing": {"timeout_ms": 1e12}}, "behaviors/slow_processing/timeout_ms"),
        ({"slow_processing": {"factor": 1e308}}, "behaviors/slow_processing/factor"),
        (
            {"slow_processing": {"factor": {"dist": "lognormal", "median": 5000, "sigma": 1}}},
            "behaviors/slow_processing/factor",
        ),
        # what the review found accepted (docs/schema vs validate): empty lists and mappings,
        # delimiters and encodings the CSV writer cannot use
        ({"unicode": {"classes": []}}, "behaviors/unicode/classes"),
        ({"unicode": {"classes": ["emoji", "klingon"]}}, "behaviors/unicode/classes/1"),
        ({"malformed_inputs": {"kinds": []}}, "behaviors/malformed_inputs/kinds"),
        ({"session_anomalies": {"kinds": ["nope"]}}, "behaviors/session_anomalies/kinds/0"),
        ({"errors": {"statuses": {}}}, "behaviors/errors/statuses"),
        ({"errors": {"statuses": {"500": 0, "503": 0}}}, "behaviors/errors/statuses"),
        ({"errors": {"statuses": {"500": -1, "503": 2}}}, "behaviors/errors/statuses/500"),
        ({"connection_issues": {"kinds": {}}}, "behaviors/connection_issues/kinds"),
        ({"connection_issues": {"kinds": {"gremlins": 1}}}, "behaviors/connection_issues/kinds"),
        ({"retry_storms": {"statuses": [200]}}, "behaviors/retry_storms/statuses/0"),
        (
            {"limited_features": {"unsupported_methods": ["get", "PACTH"]}},
            "behaviors/limited_features/unsupported_methods/1",
        ),
        (
            {"timing": {"latency_ms": {"dist": "choice", "values": [1, 2], "weights": [0, 0]}}},
            "behaviors/timing/latency_ms",
        ),
        (
            {"deprecated_formats": {"file_delimiter": "\n"}},
            "behaviors/deprecated_formats/file_delimiter",
        ),
        (
            {"deprecated_formats": {"file_delimiter": '"'}},
            "behaviors/deprecated_formats/file_delimiter",
        ),
        *(
            ({"deprecated_formats": {"file_encoding": name}}, "behaviors/deprecated_formats")
            for name in ("no-such-codec", "base64", "rot13", "idna", "undefined", "mbcs", "")
        ),
        ({"deprecated_formats": {"date_format": ""}}, "behaviors/deprecated_formats/date_format"),
        (
            {"deprecated_formats": {"date_only_format": "%Q%"}},
            "behaviors/deprecated_formats/date_only_format",
        ),
    ],
)
def test_persona_schema_rejects_what_the_loader_rejects(
    behaviors: dict[str, Any], where: str
) -> None:
    errors = _errors(_committed("persona"), {"name": "x", "behaviors": behaviors})
    assert any(e.startswith(where) for e in errors), errors


def test_persona_schema_accepts_what_the_loader_accepts() -> None:
    persona = {
        "name": "mobile_user",
        "version": "1.2.0-beta.1",
        "extends": "normal_user",
        "population": {"kind": "device", "id_prefix": "mob"},
        "behaviors": {
            "timing": {
                "latency_ms": {"dist": "normal", "mean": 100, "std": 20},
                "think_time_ms": {"value": 500},
            },
            "rapid_actions": {"gap_ms": 80, "actions": {"dist": "normal", "mean": -3, "std": 1}},
            "rare_errors": {"kind": "errors", "statuses": {"503": 1}},
            "typos": None,
            "battery_drain": {"enabled": False},
            "anything": {"enabled": False, "kind": "not_a_kind"},
            # a block a parent declared, tuned without its kind (the parent's): it was
            # refused ("'kind' is a required property") though the loader takes it
            "flaky_errors": {"rate": 0.3},
        },
    }
    assert _errors(_committed("persona"), persona) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="%YdmQe x", max_size=8))
def test_the_schema_and_the_loader_agree_on_date_formats(text: str) -> None:
    from persona_gen.personas.behaviours.deprecated_formats import DeprecatedFormatsParams

    try:
        DeprecatedFormatsParams(date_format=text)
        loader = True
    except pydantic.ValidationError:
        loader = False
    schema = not _errors(
        _committed("persona"),
        {"name": "x", "behaviors": {"deprecated_formats": {"date_format": text}}},
    )
    assert schema == loader, text


ENCODINGS = [
    "latin-1",
    "UTF-8",
    "utf8",
    "Windows-1252",
    "iso 8859 1",
    "ANSI_X3.4-1968",
    "ansi.x3.4.1968",
    "cp1252",
    "utf_8_sig",
    " koi8-r ",
    "MacRoman",
    "latin.1",
    "utf.8",
    "utf--8",
    "-utf-8-",
    ".utf8",
    "utf8.",
    "base64",
    "idna",
    "undefined",
    "zlib",
]


def _encoding_spellings() -> Any:
    """Names of every Python codec as a user may spell them: any case, any separators."""
    import encodings.aliases

    names = sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values()))
    separators = st.sampled_from(["_", "-", " ", ".", "--", "/", "_-", "~"])
    return st.builds(
        lambda name, upper, sep, lead, trail: (
            (
                lead + sep.join(name.split("_")).upper()
                if upper
                else lead + sep.join(name.split("_"))
            )
            + trail
        ),
        st.sampled_from(names),
        st.booleans(),
        separators,
        st.sampled_from(["", " ", "-", ".", "é"]),
        st.sampled_from(["", " ", "-", ".", "\t"]),
    )


def _encoding_agrees(name: str) -> None:
    from persona_gen.personas.behaviours.deprecated_formats import DeprecatedFormatsParams

    try:
        DeprecatedFormatsParams(file_encoding=name)
        loader = True
    except pydantic.ValidationError:
        loader = False
    block = {"deprecated_formats": {"file_encoding": name}}
    schema = not _errors(_committed("persona"), {"name": "x", "behaviors": block})
    assert schema == loader, (name, schema, loader)


@pytest.mark.parametrize("name", ENCODINGS)
def test_the_schema_and_the_loader_agree_on_encodings(name: str) -> None:
    _encoding_agrees(name)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_encoding_spellings(), st.text(alphabet="utf8-_. LATIN1cp", max_size=9)))
def test_the_schema_and_the_loader_agree_on_any_spelling_of_an_encoding(name: str) -> None:
    _encoding_agrees(name)


class _Yaml12(yaml.SafeLoader):
    """YAML as a YAML 1.2 editor reads it, for booleans: only true/false (any case of the
    three spellings) are booleans; yes, no, on and off are strings; and ``1.0e3`` is a
    number (YAML 1.1 wants ``1.0e+3``)."""


_Yaml12.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
_Yaml12.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"),
)


@pytest.mark.parametrize(
    "block",
    [
        "typos: {rate: 0.1, enabled: off}",
        "typos: {rate: 0.1, enabled: no}",
        "typos: {rate: 0.1, enabled: yes}",
        "typos: {rate: 0.1, enabled: On}",
        "typos: {rate: 5, enabled: OFF}",  # (off: not checked at all)
        "typos: {rate: 5, enabled: on}",
        "typos: {rate: 0.1, enabled: maybe}",
        "limited_features: {no_compression: yes}",
        "deprecated_formats: {decimal_comma: off, numbers_as_strings: on}",
        "session: {users: 12.0}",
        "session: {users: 12.5}",
        "retry_storms: {statuses: [503.0, 500]}",
        "rate_limits: {limit: 1.0e3}",
    ],
)
def test_the_schema_and_the_loader_agree_on_yaml_1_1_words_and_whole_floats(
    tmp_path: Path, block: str
) -> None:
    """The loader (PyYAML, YAML 1.1) took `enabled: off` as false while an editor's YAML 1.2
    hands the schema the string 'off', which `type: boolean` refused; and it refused
    `users: 12.0`, which the schema's `type: integer` takes (JSON Schema cannot tell 12.0
    from 12)."""
    from persona_gen.errors import PersonaGenError
    from persona_gen.personas.loader import validate_persona_file

    path = tmp_path / "x.yaml"
    path.write_text(f"name: x\nbehaviors:\n  {block}\n")
    try:
        validate_persona_file(path)
        loader = True
    except PersonaGenError:
        loader = False
    seen = json.loads(json.dumps(yaml.load(path.read_text(), Loader=_Yaml12)))
    schema = _errors(_committed("persona"), seen) == []
    assert schema == loader, (block, schema, loader)
