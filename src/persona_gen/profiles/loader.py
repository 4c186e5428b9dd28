"""Loading and checking profiles: format, generators, formats, personas, embedded entities."""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import pydantic

from persona_gen._yaml import (
    PERSONA_KEYS,
    Located,
    kind_hint,
    load_yaml,
    not_a_mapping,
    schema_hint,
)
from persona_gen.entities.builtin import builtin_domain
from persona_gen.entities.model import Domain
from persona_gen.entities.serial import read_domain
from persona_gen.errors import PersonaGenError, Problem, UnknownNameError, ValidationError
from persona_gen.generators import GENERATORS
from persona_gen.importers import FORMAT_ALIASES, IMPORTERS
from persona_gen.personas.loader import PersonaCatalog, pydantic_problems
from persona_gen.profiles.checks import (
    event_time_problems_of,
    format_problems,
    path_param_problems,
    reference_problems,
)
from persona_gen.profiles.model import DatasetSpec, ProfileFile
from persona_gen.sinks import FORMATS, check_sink_url, extension_mismatch, sink_from_folder
from persona_gen.values.feasible import parameter_problems, unsatisfiable

__all__ = ["Profile", "dataset_name", "load_profile"]


@dataclass(frozen=True)
class Profile:
    spec: ProfileFile
    domain: Domain | None
    path: Path
    content_hash: str
    # What is valid but likely unmeant, said by validate and generate (the run goes on).
    warnings: tuple[Problem, ...] = ()

    def sink_of(self, ds: DatasetSpec) -> str | None:
        """The dataset's ``sink:`` with its relative paths (a SQLite file, a Kafka
        ``value.schema``) made paths from the profile's folder, as ``source.file`` is, so
        ``generate`` and ``check`` find them from any current directory."""
        return sink_from_folder(ds.sink, self.path.parent) if ds.sink else None


def load_profile(path: Path, catalog: PersonaCatalog | None = None) -> Profile:
    """Read a profile and check everything it refers to; every problem is reported."""
    if (hint := schema_hint(path, None, "a profile")) is not None:  # (.sql, .proto: no YAML)
        raise ValidationError([hint])
    located = load_yaml(path)
    if not isinstance(located.data, dict):
        raise ValidationError([located.problem((), not_a_mapping(located.data, "profile"))])
    try:
        spec = ProfileFile.model_validate(located.data)
    except pydantic.ValidationError as exc:
        if (hint := schema_hint(path, located.data, "a profile")) is not None:
            raise ValidationError([hint]) from None
        wrong = _weights_by_name(located, pydantic_problems(exc, located, (), ProfileFile))
        problems = _persona_hint(located) + [_extension_hint(p) for p in wrong]
        raise ValidationError(problems) from None
    problems = _references(spec, located, catalog)
    # (every problem of the domain, not the first alone: its malformed parts are read as
    # stand-ins no check below judges, so the others are judged too)
    domain, malformed = (
        read_domain(spec.domain, "domain") if spec.domain is not None else (None, [])
    )
    for error in malformed:
        problems.append(located.problem(_parts(error.path), error.message))
    if domain is not None:
        dangling = reference_problems(domain)
        for rule, message in dangling:
            problems.append(located.problem(rule, message))
        # (recursion is judged only once every reference names an entity, and the primary
        # is the one named)
        for found in unsatisfiable(domain, recursion=not dangling and not malformed):
            at = ("domain", "entities", found.entity, "schema", *found.at)
            # (at the field whose bounds cross, its path says which; else name the place)
            message = found.reason if found.at else f"{found.where}: {found.reason}"
            problems.append(located.problem(at, message))
        for rule, message in parameter_problems(domain):
            problems.append(located.problem(("domain", *rule), message))
        for rule, message in event_time_problems_of(domain):
            problems.append(located.problem(rule, message))
        if spec.source is None:  # (an imported schema may do both: it is kept as it was)
            for rule, message in [
                *format_problems(domain),
                *path_param_problems(domain, spec.domain),
            ]:
                problems.append(located.problem(rule, message))
        for i, ds in enumerate(spec.datasets):
            if ds.entity is not None and ds.entity not in domain.entities:
                problems.append(
                    located.problem(
                        ("datasets", i, "entity"),
                        str(UnknownNameError("entity", ds.entity, domain.entities)),
                    )
                )
    if spec.domain is None:  # (the built-in domain: its entities are the same for every actor)
        builtin = builtin_domain().entities
        for i, ds in enumerate(spec.datasets):
            if ds.entity is not None and ds.entity not in builtin:
                problems.append(
                    located.problem(
                        ("datasets", i, "entity"),
                        str(UnknownNameError("built-in entity", ds.entity, builtin)),
                    )
                )
    if problems:  # (in file order, as an editor shows them; stable: same line keeps order)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ValidationError(problems)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Profile(spec, domain, path, f"sha256:{digest}", _extension_mismatches(spec, located))


def _weights_by_name(located: Located, problems: list[Problem]) -> list[Problem]:
    """A mix written as a mapping (``{normal_user: -1}``) is validated as a list of persona
    weights: its errors name the persona's entry, at its line, not ``personas[0].weight``
    at the ``personas:`` line."""
    mix = located.data.get("personas")
    if not isinstance(mix, dict):
        return problems
    names = list(mix)
    out = []
    for problem in problems:
        item = re.fullmatch(r"personas\[(\d+)\](?:\.(?:name|weight))?", problem.path)
        if item is not None and int(item[1]) < len(names):
            out.append(located.problem(("personas", names[int(item[1])]), problem.message))
        else:
            out.append(problem)
    return out


def _extension_mismatches(spec: ProfileFile, located: Located) -> tuple[Problem, ...]:
    """Datasets whose ``format`` is another than their ``output``'s extension says (json into
    ``users.csv``): written as ``format`` says, as ``quick -f`` is, with a warning."""
    out = []
    for i, ds in enumerate(spec.datasets):
        if ds.output and ds.sink is None and (said := extension_mismatch(ds.format, ds.output)):
            out.append(located.problem(("datasets", i, "format"), said))
    return tuple(out)


def _parts(path: str) -> tuple[str | int, ...]:
    """A dotted path as keys (``operations[0]``: a list item by number, so it is located)."""
    return tuple(
        int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", path)
    )


def _references(
    spec: ProfileFile, located: Located, catalog: PersonaCatalog | None
) -> list[Problem]:
    problems = []
    if spec.source is not None and spec.source.format not in IMPORTERS:
        # (check would hold the data to another validator: the embedded entity's)
        fmt = spec.source.format
        problems.append(
            located.problem(
                ("source", "format"),
                str(
                    UnknownNameError(
                        "schema format", fmt, IMPORTERS.names(), also=[FORMAT_ALIASES.get(fmt, "")]
                    )
                ),
            )
        )
    for i, ds in enumerate(spec.datasets):
        if ds.type not in GENERATORS:
            problems.append(
                located.problem(
                    ("datasets", i, "type"),
                    str(UnknownNameError("generator", ds.type, GENERATORS.names())),
                )
            )
        if ds.format not in FORMATS:
            problems.append(
                located.problem(
                    ("datasets", i, "format"),
                    str(UnknownNameError("output format", ds.format, FORMATS.names())),
                )
            )
        listed = {weighted.name for weighted in spec.personas}
        for j, name in enumerate(ds.personas or []):
            if name not in listed:
                problems.append(
                    located.problem(
                        ("datasets", i, "personas", j),
                        f"'{name}' is not in the profile's personas",
                    )
                )
        if ds.sink is not None:
            try:  # (and whether the dataset's records can go there, as generate checks)
                check_sink_url(ds.sink, "", ds.type if ds.type in GENERATORS else None)
            except PersonaGenError as exc:
                problems.append(located.problem(("datasets", i, "sink"), str(exc)))
    for i, ds in enumerate(spec.datasets):
        if ds.output == "":  # (an unset variable: not "no output", the default name)
            problems.append(
                located.problem(
                    ("datasets", i, "output"),
                    "'': an empty path; give the file's name, or leave output out for the"
                    " default (<dataset>.<extension>)",
                )
            )
        elif ds.output and (why := _not_a_file(ds.output) or _outside(ds.output)):
            problems.append(located.problem(("datasets", i, "output"), why))
        elif (
            ds.output
            and "format" not in ds.model_fields_set
            and ds.sink is None
            and (suffix := PurePosixPath(ds.output).suffix)
        ):  # (a known extension gave the format: DatasetSpec; this one names none)
            problems.append(
                located.problem(
                    ("datasets", i, "output"),
                    f"no output format is written as '{suffix}'; give the dataset a "
                    f"format ({', '.join(FORMATS.names())})",
                )
            )
    problems += _clashes(spec, located)
    problems += _nested_outputs(spec, located)
    if catalog is not None:
        for i, p in enumerate(spec.personas):
            if p.name not in catalog.names():
                problems.append(
                    located.problem(
                        ("personas", i),
                        str(UnknownNameError("persona", p.name, catalog.loadable())),
                    )
                )
    return problems


def _clashes(spec: ProfileFile, located: Located) -> list[Problem]:
    """Two datasets of one name (the key of their seeds and manifests), and two datasets
    that would write one file (``generate -o DIR``: ``output``, else ``<name>.<extension>``)."""
    problems = []
    named: dict[str, int] = {}
    files: dict[str, int] = {}
    for i, ds in enumerate(spec.datasets):
        name = dataset_name(spec, i)
        if (j := named.setdefault(name, i)) != i:
            if ds.name is not None:
                at, message = "name", f"datasets[{j}] is named '{name}' too"
                if spec.datasets[j].name is None:
                    message += " (the name it gets by default)"
            else:
                at = "type"
                message = f"datasets[{j}] is named '{name}', the name this dataset gets by default"
            problems.append(located.problem(("datasets", i, at), message))
        if ds.sink is not None or ds.format not in FORMATS:
            continue  # (no file; an unknown format is said at its own field)
        file = posixpath.normpath(ds.output or f"{name}.{FORMATS.get(ds.format).extension}")
        if (j := files.setdefault(file, i)) != i and (ds.output or spec.datasets[j].output):
            # (two names alike write one file: the name is the problem, said above)
            message = f"datasets[{j}] writes '{file}' too"
            if ds.output:
                at = "output"
            else:
                at = "name" if ds.name is not None else "type"
                message += " (this dataset's file, named after the dataset: give it an output)"
            problems.append(located.problem(("datasets", i, at), message))
    return problems


def dataset_name(spec: ProfileFile, index: int) -> str:
    """The name of the profile's dataset ``index``: its own, else ``<profile>_<type>_<n>``."""
    ds = spec.datasets[index]
    return ds.name or f"{spec.name}_{ds.type}_{index + 1}"


def _nested_outputs(spec: ProfileFile, located: Located) -> list[Problem]:
    """A dataset whose file would be a folder of another dataset's file (``sub/x.json`` and
    ``sub/x.json/y.json``): one of the two cannot be written, and the other would already
    be when that is found."""
    outputs = [
        (i, posixpath.normpath(ds.output)) for i, ds in enumerate(spec.datasets) if ds.output
    ]
    problems = []
    for i, mine in outputs:
        for j, theirs in outputs:
            if mine.startswith(theirs + "/"):
                problems.append(
                    located.problem(
                        ("datasets", i, "output"),
                        f"datasets[{j}] writes the file '{theirs}', which this output needs "
                        "as a folder",
                    )
                )
    return problems


def _not_a_file(output: str) -> str | None:
    """Why a dataset's ``output`` names no file: a NUL character (a traceback of the path
    functions), a trailing '/' (``sub/`` wrote a file ``sub``) or the folder itself (``.``)."""
    if "\x00" in output:
        return f"{output!r}: a file path cannot hold a NUL character"
    if output.endswith(("/", "\\")) or posixpath.normpath(output.replace("\\", "/")) == ".":
        return f"'{output}' names a folder, not a file: give the file's name (sub/data.json)"
    return None


def _outside(output: str) -> str | None:
    """Why a dataset's ``output`` would be written outside the output directory (``-o``):
    an absolute path, or one whose '..' parts climb out of it (None: it stays inside)."""
    if PurePosixPath(output).is_absolute() or PureWindowsPath(output).anchor:
        return f"'{output}' is an absolute path: give a path inside the output directory (-o)"
    depth = 0
    for part in output.replace("\\", "/").split("/"):
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return f"'{output}' leaves the output directory (-o): give a path inside it"
    return None


def _extension_hint(problem: Problem) -> Problem:
    """An unknown top-level key close to no known one (``_anchors:``) may be meant to hold
    anchors: say how to."""
    if not problem.message.startswith("unknown field (") or any(c in problem.path for c in ".["):
        return problem
    hint = "; top-level keys starting with 'x-' are ignored, e.g. to hold YAML anchors"
    return dataclasses.replace(problem, message=problem.message + hint)


def _persona_hint(located: Located) -> list[Problem]:
    """A persona given where a profile is expected (``validate FILE -t profile``)."""
    if "datasets" in located.data:
        return []
    command = f"persona-gen validate {located.file}"
    return kind_hint(located, PERSONA_KEYS, "a persona, not a profile", command)
