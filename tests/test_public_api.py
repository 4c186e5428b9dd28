"""The public face: exact exported names, registries whose entries all conform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

import persona_gen
from helpers import run_cli
from persona_gen.errors import PersonaGenError, UnknownNameError
from persona_gen.importers import FORMAT_ALIASES, IMPORTERS
from persona_gen.registry import Registry
from persona_gen.sinks import FORMATS
from persona_gen.sinks.encoders import Encoder

ROOT = Path(__file__).resolve().parent.parent


def test_public_names_are_exactly_these() -> None:
    assert sorted(persona_gen.__all__) == [
        "Dataset",
        "Persona",
        "PersonaCatalog",
        "PersonaGenError",
        "__version__",
    ]
    for name in persona_gen.__all__:
        assert getattr(persona_gen, name) is not None
    with pytest.raises(AttributeError):
        _ = persona_gen.Nope  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", FORMATS.names())
def test_every_output_format_conforms(name: str) -> None:
    cls = FORMATS.get(name)
    assert issubclass(cls, Encoder)
    assert cls.extension == name or (name, cls.extension) == ("json", "json")


@pytest.mark.parametrize("name", IMPORTERS.names())
def test_every_importer_conforms(name: str) -> None:
    cls = IMPORTERS.get(name)
    assert cls.name == name
    assert cls.extensions and all(e.startswith(".") for e in cls.extensions)
    assert callable(cls.sniff)
    assert callable(cls().load)


def test_aliases_point_at_importers() -> None:
    assert set(FORMAT_ALIASES.values()) <= set(IMPORTERS.names())


def test_registry_suggests_the_closest_name() -> None:
    registry: Registry[object] = Registry("thing", {"alpha": "json:dumps"}, "persona_gen.none")
    with pytest.raises(UnknownNameError, match="Did you mean 'alpha'"):
        registry.get("alpah")
    assert registry.get("alpha") is __import__("json").dumps
    assert issubclass(UnknownNameError, PersonaGenError)


def test_plugins_add_names_but_never_replace_a_built_in(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    scans: list[str] = []

    def entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
        scans.append(group)
        return [
            importlib.metadata.EntryPoint("alpha", "json:loads", group),
            importlib.metadata.EntryPoint("beta", "json:JSONDecoder", group),
        ]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    registry: Registry[object] = Registry("thing", {"alpha": "json:dumps"}, "persona_gen.x")
    assert registry.get("alpha") is __import__("json").dumps
    assert "alpha" in registry
    assert scans == []  # a built-in name needs no look at the installed packages
    assert registry.get("beta") is __import__("json").JSONDecoder
    assert registry.names() == ["alpha", "beta"]
    assert scans == ["persona_gen.x"]  # once


@pytest.mark.parametrize(
    ("count", "seed", "wrong"),
    [(10, -1, "seed"), (10, 2**64, "seed"), (10, 1.5, "seed"), (10, "7", "seed"),
     (-5, 1, "count"), (True, 1, "count"), (2.0, 1, "count")],
)  # fmt: skip
def test_a_dataset_of_a_wrong_count_or_seed_is_a_usage_error(
    count: object, seed: object, wrong: str
) -> None:
    # (a negative seed raised numpy's ValueError, a float seed a TypeError; a negative count
    # made an empty dataset)
    from persona_gen import Dataset, PersonaCatalog

    persona = PersonaCatalog().get("normal_user")
    with pytest.raises(PersonaGenError, match=f"^{wrong} must be a whole number"):
        Dataset([(persona, 1.0)], "api", count, seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("as_given", [str, Path, lambda p: [str(p)], lambda p: (p,)])
def test_a_persona_catalog_takes_its_directories_as_text_or_paths(
    tmp_path: Path, as_given: Any
) -> None:
    # (a list of str raised AttributeError: 'str' object has no attribute 'exists', and one
    # str was read as a list of one-letter directories)
    from persona_gen import PersonaCatalog

    (tmp_path / "mine.yaml").write_text(
        "name: mine\nversion: 1.0.0\ndescription: d\nextends: normal_user\n"
    )
    assert PersonaCatalog(as_given(tmp_path)).get("mine").name == "mine"


def test_the_profile_model_names_the_built_in_formats() -> None:
    # (the published profile schema describes source.format and a dataset's format by them)
    from persona_gen.profiles.model import OUTPUT_FORMATS, SCHEMA_FORMATS

    assert IMPORTERS.names()[: len(SCHEMA_FORMATS)] == list(SCHEMA_FORMATS)
    assert sorted(FORMATS.names()[: len(OUTPUT_FORMATS)]) == sorted(OUTPUT_FORMATS)


def _persona(name: str = "normal_user") -> Any:
    from persona_gen import PersonaCatalog

    return PersonaCatalog().get(name)


@pytest.mark.parametrize(
    ("personas", "message"),
    [
        ([], r"^personas must be a list of \(Persona, weight\) pairs"),
        ("normal_user", r"^personas must be a list"),
        ([("normal_user", 1.0)], r"is the name 'normal_user', not a persona: load it with "),
        ([None], r"^personas\[0\] must be a \(Persona, weight\) pair"),
        ([(1, 1.0)], r"^personas\[0\] must hold a Persona"),
        ([("P", 0.0)], r"^personas\[0\]: the weight must be a positive finite number, got 0.0"),
        ([("P", 1.0), ("P", -0.5)], r"^personas\[1\]: the weight must be a positive"),
        ([("P", float("nan"))], r"the weight must be a positive finite number, got nan"),
        ([("P", float("inf"))], r"the weight must be a positive finite number, got inf"),
        ([("P", "1")], r"the weight must be a positive finite number, got '1'"),
        ([("P", True)], r"the weight must be a positive finite number, got True"),
        ([("P", 1e308), ("P", 1e308)], r"^the weights must add up to a finite number"),
    ],
)
def test_a_dataset_of_wrong_personas_is_a_usage_error(personas: Any, message: str) -> None:
    # (a zero, negative or NaN weight raised NumPy's ValueError "negative dimensions are not
    # allowed", a persona's name AttributeError, an empty list made a dataset of NaN weights)
    from persona_gen import Dataset
    from persona_gen.errors import UsageError

    if isinstance(personas, list):
        persona = _persona()
        personas = [
            tuple(persona if part == "P" else part for part in pair)
            if isinstance(pair, tuple)
            else pair
            for pair in personas
        ]
    with pytest.raises(UsageError, match=message):
        Dataset(personas, "api", 10, 1)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"generator": None}, r"^generator must be a generator's name, got None"),
        ({"generator": ["api"]}, r"^generator must be a generator's name"),
        ({"key": 5}, r"^key must be a dataset name \(text\), got 5"),
        ({"epoch_ms": "x"}, r"^epoch_ms must be a whole number of milliseconds from 0"),
        ({"epoch_ms": -(10**15)}, r"^epoch_ms must be a whole number"),
        ({"epoch_ms": 1.5}, r"^epoch_ms must be a whole number"),
        ({"entity": "Nope"}, r"^unknown entity 'Nope'. Available: Address, Device, "),
        ({"entity": "Usr", "generator": "file"}, r"^unknown entity 'Usr'. Did you mean 'User'"),
        ({"entity": 3}, r"^entity must be an entity's name, got 3"),
    ],
)
def test_a_dataset_of_a_wrong_argument_is_a_usage_error(
    arguments: dict[str, Any], message: str
) -> None:
    # (an unknown entity raised KeyError, a generator of None TypeError; a negative epoch made
    # timestamps of year -31686769, a text one a TypeError once blocks were made)
    from persona_gen import Dataset
    from persona_gen.errors import UsageError

    given = {"generator": "api", **arguments}
    generator = given.pop("generator")
    with pytest.raises(UsageError, match=message):
        Dataset([(_persona(), 1.0)], generator, 10, 1, **given)


def test_a_dataset_takes_numpy_weights_and_the_extreme_epochs() -> None:
    import numpy as np

    from persona_gen import Dataset
    from persona_gen.personas.engine import LAST_TIMESTAMP_MS

    mix = [(_persona(), np.float32(0.5)), (_persona("edge_case_user"), np.int64(2))]
    assert len(next(Dataset(mix, "api", 3, 1, epoch_ms=0).blocks())) == 3  # type: ignore[arg-type]
    Dataset([(_persona(), 1.0)], "api", 1, 1, epoch_ms=LAST_TIMESTAMP_MS)


@pytest.mark.parametrize("index", [-1, "0", 1.0, None])
def test_a_block_of_a_wrong_index_is_a_usage_error(index: object) -> None:
    # (block(-1) never returned: it made the unique ids of negative row numbers)
    from persona_gen import Dataset
    from persona_gen.errors import UsageError

    dataset = Dataset([(_persona(), 1.0)], "api", 10, 1)
    with pytest.raises(UsageError, match=r"^a block index is a whole number of at least 0"):
        dataset.block(index)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"^a block index is a whole number of at least 0"):
        dataset.chunk(index, 0, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("mixed", [False, True])
def test_a_block_holds_only_the_datasets_records(mixed: bool) -> None:
    # The last block was drawn whole (1024 records for a dataset of 1,030), and a block
    # past the end gave records no run holds.
    from persona_gen import Dataset, PersonaCatalog
    from persona_gen.errors import UsageError
    from persona_gen.seeds import BLOCK_SIZE

    catalog = PersonaCatalog([])
    mix = [(catalog.get("normal_user"), 1.0)]
    if mixed:
        mix.append((catalog.get("noisy_device"), 1.0))
    dataset = Dataset(mix, "load", BLOCK_SIZE + 6, 1)
    assert dataset.block_count == 2
    assert len(dataset.block(0)) == BLOCK_SIZE
    assert dataset.block(1) == [r for chunk in dataset.blocks(BLOCK_SIZE) for r in chunk]
    assert len(dataset.block(1)) == 6
    with pytest.raises(UsageError, match=r"^block 2 is past the dataset's end: .* blocks 0 to 1$"):
        dataset.block(2)
    with pytest.raises(UsageError, match="it holds no records"):
        Dataset(mix, "load", 0, 1).block(0)


@pytest.mark.parametrize("name", [None, 3, ["normal_user"]])
def test_a_persona_asked_by_a_wrong_name_is_a_usage_error(name: object) -> None:
    # (difflib's "did you mean" raised TypeError: 'NoneType' object is not iterable)
    from persona_gen import PersonaCatalog
    from persona_gen.errors import UsageError

    with pytest.raises(UsageError, match=r"^a persona's name is text, got "):
        PersonaCatalog().get(name)  # type: ignore[arg-type]


@pytest.mark.parametrize("directories", [None, 3, [3], [None]])
def test_persona_directories_of_a_wrong_type_are_a_usage_error(directories: object) -> None:
    # (TypeError: 'int' object is not iterable; from_profile's persona_dirs alike)
    from persona_gen import Dataset, PersonaCatalog
    from persona_gen.errors import UsageError

    message = r"^persona directories must be a path or a list of paths, got "
    with pytest.raises(UsageError, match=message):
        PersonaCatalog(directories)  # type: ignore[arg-type]
    profile = Path(__file__).parent.parent / "profiles" / "streaming_testing.yaml"
    with pytest.raises(UsageError, match=message):
        Dataset.from_profile(profile, "device_telemetry", persona_dirs=directories)  # type: ignore[arg-type]


@pytest.mark.parametrize("target", ["no_such_module_xyz:Thing", "json:NoSuchThing"])
def test_a_plugin_that_does_not_load_is_a_plugin_error(
    monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    # (a plugin whose module is gone raised ModuleNotFoundError, through every command that
    # listed or looked up a name that is not built in)
    import importlib.metadata

    from persona_gen.errors import PluginError

    def entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
        return [importlib.metadata.EntryPoint("broken", target, group)]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    registry: Registry[object] = Registry("thing", {"alpha": "json:dumps"}, "persona_gen.x")
    message = (
        rf"^thing 'broken' \(entry point '{target}' of group 'persona_gen.x'\) cannot be "
        r"loaded: (ModuleNotFound|Attribute)Error: "
    )
    with pytest.raises(PluginError, match=message):
        registry.get("broken")
    assert registry.get("alpha") is __import__("json").dumps


@pytest.mark.parametrize(
    ("command", "registry_module", "kind"),
    [
        ("list-generators", "persona_gen.generators:GENERATORS", "generator"),
        ("list-behaviours", "persona_gen.personas.behaviours:BEHAVIOURS", "behaviour kind"),
    ],
)
def test_a_listing_names_the_plugins_that_do_not_load(
    monkeypatch: pytest.MonkeyPatch, command: str, registry_module: str, kind: str
) -> None:
    # (one broken plugin made list-generators a traceback, listing nothing)
    from tests.helpers import run_cli

    module, _, name = registry_module.partition(":")
    registry = getattr(__import__(module, fromlist=[name]), name)
    registry.names()  # (the installed plugins scanned once, before the broken one is added)
    monkeypatch.setattr(registry, "_targets", {**registry._targets, "gone": "gone_pkg:Gone"})
    result = run_cli([command])
    assert result.code == 1
    assert "api" in result.stdout.decode() or "timing" in result.stdout.decode()
    assert result.stderr.splitlines() == [
        f"persona-gen: error: 1 {kind} plugin cannot be loaded and is not listed:",
        f"{kind} 'gone' (entry point 'gone_pkg:Gone' of group '{registry.group}') cannot be "
        "loaded: ModuleNotFoundError: No module named 'gone_pkg'",
    ]


class _NoParamsModel:  # (not a Behaviour at all)
    summary = "nothing"


def _behaviour_without_params() -> type:
    from persona_gen.personas.behaviours.base import Behaviour

    class Silent(Behaviour[Any]):
        summary = "says nothing"

    return Silent


def _generator_without_use_case() -> type:
    from persona_gen.generators.base import Generator

    class Quiet(Generator):
        description = "records of nothing"

    return Quiet


SilentBehaviour = _behaviour_without_params()
QuietGenerator = _generator_without_use_case()


@pytest.mark.parametrize(
    ("registry_module", "target", "problem"),
    [
        (
            "persona_gen.personas.behaviours:BEHAVIOURS",
            "tests.test_public_api:SilentBehaviour",
            "class 'Silent' does not set params_model as Behaviour needs",
        ),
        (
            "persona_gen.personas.behaviours:BEHAVIOURS",
            "tests.test_public_api:_NoParamsModel",
            "class '_NoParamsModel' is not a subclass of "
            "persona_gen.personas.behaviours.base.Behaviour",
        ),
        (
            "persona_gen.generators:GENERATORS",
            "tests.test_public_api:QuietGenerator",
            "class 'Quiet' does not set use_case as Generator needs",
        ),
        (
            "persona_gen.generators:GENERATORS",
            "json:dumps",
            "it names a function, not a class "
            "(a subclass of persona_gen.generators.base.Generator)",
        ),
    ],
)
def test_a_plugin_that_breaks_its_contract_is_a_plugin_error(
    monkeypatch: pytest.MonkeyPatch, registry_module: str, target: str, problem: str
) -> None:
    # (a behaviour class without params_model raised AttributeError in list-behaviours and
    # quick, wherever it was first used)
    from persona_gen.errors import PluginError

    module, _, name = registry_module.partition(":")
    registry = getattr(__import__(module, fromlist=[name]), name)
    registry.names()
    monkeypatch.setattr(registry, "_targets", {**registry._targets, "odd": target})
    with pytest.raises(PluginError) as caught:
        registry.get("odd")
    assert str(caught.value) == (
        f"{registry.kind} 'odd' (entry point '{target}' of group '{registry.group}') is not "
        f"usable: {problem}"
    )


@pytest.mark.parametrize("workers", ["2", 0, 257, 1.5, None, True])
def test_a_wrong_number_of_workers_is_a_usage_error(workers: object) -> None:
    # (dataset.workers = "2" raised TypeError inside blocks(); 0 ran in this process unsaid)
    from persona_gen import Dataset, PersonaCatalog
    from persona_gen.errors import UsageError

    dataset = Dataset([(PersonaCatalog().get("normal_user"), 1.0)], "load", 10, 1)
    with pytest.raises(UsageError, match=r"^workers must be a whole number from 1 to 256, got "):
        dataset.workers = workers  # type: ignore[assignment]
    dataset.workers = 2
    assert dataset.workers == 2
    assert sum(len(block) for block in dataset.blocks()) == 10


@pytest.mark.parametrize(("generator", "name"), [("api", "out.jsonl"), ("file", "out.parquet")])
def test_a_dataset_writes_the_file_quick_writes(generator: str, name: str, tmp_path: Path) -> None:
    # (there was no way to the CLI's encoded bytes from Python but the CLI)
    from persona_gen import Dataset, PersonaCatalog

    dataset = Dataset([(PersonaCatalog().get("noisy_device"), 1.0)], generator, 2100, 5)
    doc = dataset.write(tmp_path / name)
    args = ["quick", "noisy_device", "-t", generator, "-n", "2100", "-s", "5"]
    assert run_cli([*args, "-o", str(tmp_path / f"cli-{name}")]).code == 0
    assert (tmp_path / name).read_bytes() == (tmp_path / f"cli-{name}").read_bytes()
    assert doc["count"] == 2100 and doc["format"] == name.rsplit(".")[1]
    written = orjson.loads((tmp_path / f"{name}.manifest.json").read_bytes())
    assert written == doc


def test_a_profiles_dataset_writes_its_schemas_format(tmp_path: Path) -> None:
    from persona_gen import Dataset

    profile = tmp_path / "user.yaml"
    args = ["import-schema", str(ROOT / "schemas/user.proto"), "-o", str(profile)]
    assert run_cli([*args, "-t", "file", "-c", "40"]).code == 0
    doc = yaml.safe_load(profile.read_text())
    doc["datasets"][0] |= {"format": "protobuf", "output": "users.pb"}
    profile.write_text(yaml.safe_dump(doc))
    assert run_cli(["generate", str(profile), "-s", "4", "-o", str(tmp_path)]).code == 0
    Dataset.from_profile(profile, seed=4).write(tmp_path / "w.bin", "protobuf")
    assert (tmp_path / "w.bin").read_bytes() == (tmp_path / "users.pb").read_bytes()


def test_protobuf_from_a_dataset_of_personas_says_how_to_get_a_profile(tmp_path: Path) -> None:
    # (it said "which quick does not take" to a Python caller who never ran quick)
    from persona_gen import Dataset
    from persona_gen.errors import OutputError

    dataset = Dataset([(_persona(), 1.0)], "streaming", 3, 1)
    with pytest.raises(OutputError, match=r"this dataset has none .*Dataset\.from_profile"):
        dataset.write(tmp_path / "x.pb", "protobuf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("output", "fmt", "pretty", "message"),
    [
        ("x.parquet", None, True, r"^pretty=True indents json output only; not parquet$"),
        ("x.json", "jsonl", True, r"^pretty=True indents json output only; not jsonl$"),
        ("x.json", None, "yes", r"^pretty must be True or False, got 'yes'$"),
    ],
)
def test_pretty_is_refused_where_it_would_be_ignored(
    output: str, fmt: str | None, pretty: Any, message: str, tmp_path: Path
) -> None:
    """As `quick --pretty -o x.parquet` is refused: pretty=True was silently dropped."""
    from persona_gen import Dataset
    from persona_gen.errors import UsageError

    with pytest.raises(UsageError, match=message):
        Dataset([(_persona(), 1.0)], "api", 3, 1).write(tmp_path / output, fmt, pretty=pretty)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("output", "fmt", "message"),
    [
        ("x.xml", None, r"x\.xml: no output format is written as '\.xml'; give format= \(json, "),
        ("x", None, r"x: no extension; give format="),
        ("x.json", "jsn", r"format=: unknown output format 'jsn'\. Did you mean 'json'\?"),
        (3, None, r"^write takes a file's path, got 3$"),
    ],
)
def test_a_dataset_written_to_a_wrong_file_is_a_usage_error(
    output: Any, fmt: str | None, message: str, tmp_path: Path
) -> None:
    from persona_gen import Dataset
    from persona_gen.errors import UsageError

    target = tmp_path / output if isinstance(output, str) else output
    with pytest.raises(UsageError, match=message):
        Dataset([(_persona(), 1.0)], "api", 3, 1).write(target, fmt)
    assert list(tmp_path.iterdir()) == []
