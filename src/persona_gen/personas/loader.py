"""Finding, loading, inheriting and validating personas.

Built-in personas ship in the package; ``-p DIR`` adds to or overrides them by name.
Every problem is reported with file:line and the field path.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
import typing
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from os import PathLike
from pathlib import Path
from typing import Any

import orjson
import pydantic

from persona_gen._yaml import (
    BOOLEAN_WORDS,
    PROFILE_KEYS,
    Located,
    kind_hint,
    load_yaml,
    not_a_mapping,
    read_text,
    schema_hint,
)
from persona_gen.errors import (
    PersonaGenError,
    Problem,
    UnknownNameError,
    UsageError,
    ValidationError,
)
from persona_gen.personas.behaviours import BEHAVIOURS
from persona_gen.personas.behaviours.base import Behaviour
from persona_gen.personas.clock import Clock
from persona_gen.personas.model import PersonaFile, Population

__all__ = ["Persona", "PersonaCatalog", "builtin_persona_dir", "validate_persona_file"]

_CONTROL_KEYS = ("kind", "enabled")


@dataclass(frozen=True)
class Persona:
    """A resolved persona: inheritance applied, every behaviour validated and bound."""

    name: str
    version: str
    description: str
    population: Population
    behaviours: tuple[Behaviour[Any], ...]
    source: str
    content_hash: str
    definition: dict[str, Any]

    def behaviour_names(self) -> list[str]:
        return [b.name for b in self.behaviours]


def builtin_persona_dir() -> Path:
    return Path(str(files("persona_gen").joinpath("data/personas")))


def pydantic_problems(
    exc: pydantic.ValidationError,
    located: Located,
    prefix: tuple[Any, ...],
    model: type[pydantic.BaseModel] | None = None,
) -> list[Problem]:
    """Turn a pydantic error into Problems that point at lines of ``located``'s file.
    With the ``model`` validated, an unknown field names the closest known one."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("root",) and not _is_union_tag(p))
        path = (*prefix, *(p for p in loc if p != "[key]"))
        message = err["msg"]
        if "[key]" in loc:  # pydantic's marker for a mapping key (not a field)
            message = f"invalid key: {message}"
            if isinstance(err.get("input"), bool):
                message += f" ({BOOLEAN_WORDS}: quote the key)"
        elif err["type"] == "extra_forbidden":
            message = "unknown field" + _did_you_mean(model, err["loc"])
        elif err["type"] == "union_tag_not_found":  # (a distribution mapping without `dist`)
            message = _no_dist(err.get("input"))
        elif err["type"] == "missing":
            message = "field required"
        elif err["type"] == "finite_number":
            message = _not_finite(err.get("input"))
        elif err["type"] in _SHAPES:
            message = f"expected {_SHAPES[err['type']]}, not {_what(err.get('input'))}"
            if err["type"] == "string_type" and isinstance(err.get("input"), bool):
                # (an editor's YAML 1.2 reads `no` as text: the loader's 1.1 does not)
                message += f" ({BOOLEAN_WORDS}: quote the text)"
        elif err["type"] == "too_short" and err.get("ctx", {}).get("field_type") == "List":
            least = err["ctx"]["min_length"]
            message = f"needs at least {least} item{'s' if least > 1 else ''}, not none"
        elif err["type"] == "value_error":  # (our validators' words, without pydantic's tag)
            message = message.removeprefix("Value error, ")
        problems.append(located.problem(path, message))
    return problems


def _did_you_mean(model: type[pydantic.BaseModel] | None, loc: tuple[Any, ...]) -> str:
    """`` Did you mean 'rate'?`` for the unknown field at ``loc`` (pydantic's own, with its
    ``root`` and union tags) of ``model`` (or nothing)."""
    if model is None or not loc or not isinstance(loc[-1], str):
        return ""
    known = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    if not close:
        return f" (known: {', '.join(known)})" if known else ""
    return f". Did you mean '{close[0]}'?"


def _fields_at(model: type[pydantic.BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model`` (lists, mappings and
    optional values stepped through), or none when ``loc`` leads elsewhere."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if _is_union_tag(part):  # (the distribution a `dist:` picked)
            current = _tagged_model(current, part)
            continue
        inner = _model_in(current)
        if inner is None or part not in inner.model_fields:
            return []
        current = inner.model_fields[part].annotation
    inner = _model_in(current)
    if inner is None:
        return []
    # A distribution's own parameters first, then the clip bounds every one shares.
    own = [name for name in inner.model_fields if name not in _SHARED_DIST_FIELDS]
    return own + [name for name in inner.model_fields if name in _SHARED_DIST_FIELDS]


_SHARED_DIST_FIELDS = ("clip_min", "clip_max")


def _tagged_model(annotation: Any, tag: str) -> type[pydantic.BaseModel] | None:
    """The model of a union whose ``dist`` is ``tag``, or none."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        dist = annotation.model_fields.get("dist")
        return (
            annotation if dist is not None and typing.get_args(dist.annotation) == (tag,) else None
        )
    for arg in typing.get_args(annotation):
        found = _tagged_model(arg, tag)
        if found is not None:
            return found
    return None


def _no_dist(value: Any) -> str:
    """What is wrong with a distribution mapping that names no ``dist``."""
    kinds = ", ".join(_DIST_KINDS)
    message = f"a distribution needs 'dist:' ({kinds}), or write a plain number"
    if isinstance(value, dict):
        keys = [k for k in value if isinstance(k, str)]
        close = difflib.get_close_matches("dist", keys, n=1, cutoff=0.6)
        if close:
            message += f"; '{close[0]}' is no parameter: did you mean 'dist'?"
    return message


def _model_in(annotation: Any) -> type[pydantic.BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# What a value of the wrong shape should have been, in YAML's words (pydantic's read "Input
# should be a valid list", "... valid dictionary").
_SHAPES = {
    "list_type": "a list (lines starting '- ', or [a, b])",
    "dict_type": "a mapping (key: value lines, or {key: value})",
    "string_type": "text",
}


def _what(value: Any) -> str:
    """A value as a YAML reader would call it."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return f"the text {str(value)!r:.60}"


def _not_finite(value: Any) -> str:
    """What is wrong with a NaN or an infinity where a number is expected."""
    if isinstance(value, float) and math.isnan(value):
        return "not a number (.nan); give a finite number"
    sign = "-" if isinstance(value, int | float) and value < 0 else ""
    return f"infinite ({sign}.inf); give a finite number"


_DIST_KINDS = (
    "constant",
    "uniform",
    "normal",
    "lognormal",
    "exponential",
    "gamma",
    "poisson",
    "geometric",
    "choice",
)


def _folder_hint(path: Path) -> str:
    """For ``-p normal_user.yaml``, a persona file given where its folder is wanted."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return ""
    return f": -p names the folder of persona files (-p {path.parent}), each found by its name"


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in _DIST_KINDS


class PersonaCatalog:
    """The personas visible to a run: built-ins overlaid with user directories.

    ``directories`` (``-p``): one directory or a list of them, each ``*.yaml``/``*.yml``
    file a persona named after the file; a later one overrides a built-in or an earlier
    directory's persona of the same name. ``get(name)`` loads one (parents resolved).
    """

    def __init__(
        self,
        directories: str | PathLike[str] | Sequence[str | PathLike[str]] = (),
        *,
        include_builtin: bool = True,
    ):
        self._files: dict[str, Path] = {}
        if include_builtin:
            self._scan(builtin_persona_dir())
        for directory in _directory_paths(directories):
            try:
                exists, is_dir = directory.exists(), directory.is_dir()
            except OSError as exc:  # (a name too long)
                raise UsageError(f"persona directory '{directory}': {exc.strerror}") from None
            if not exists:
                raise UsageError(f"persona directory '{directory}' does not exist")
            if not is_dir:
                raise UsageError(
                    f"persona directory '{directory}' is not a directory{_folder_hint(directory)}"
                )
            try:  # (glob finds nothing in a folder it may not read: not "no personas")
                os.scandir(directory).close()
            except OSError as exc:
                raise UsageError(
                    f"persona directory '{directory}': cannot read: {exc.strerror or exc}"
                ) from None
            self._scan(directory)
        self._cache: dict[str, Persona] = {}
        self._raw: dict[str, tuple[PersonaFile, Located]] = {}

    def _scan(self, directory: Path) -> None:
        # (any case of the extension: Persona.YAML is a persona file as validate reads it)
        found = sorted(
            p
            for p in directory.iterdir()
            if p.suffix.lower() in (".yaml", ".yml") and not p.is_dir()
        )
        mine: dict[str, Path] = {}
        for path in found:
            if _is_profile(path):  # (profiles and personas may share a folder)
                continue
            if path.stem in mine:  # (twin.yaml and twin.yml: which one was meant?)
                raise UsageError(
                    f"persona directory '{directory}': {mine[path.stem].name} and {path.name} "
                    f"are both persona '{path.stem}'; remove or rename one"
                )
            mine[path.stem] = path
        self._files.update(mine)

    def names(self) -> list[str]:
        """Every persona's name, loadable or not (``loadable`` leaves out broken files)."""
        return sorted(self._files)

    def loadable(self) -> list[str]:
        """The names whose file reads as a persona of that name (parents not resolved): the
        choices an unknown name is offered, without the folder's broken or empty files."""
        out = []
        for name in self.names():
            try:
                self._file(name)
            except PersonaGenError:
                continue
            out.append(name)
        return out

    def _parents_for(self, name: str) -> list[str]:
        return [other for other in self.loadable() if other != name]

    def path(self, name: str) -> Path:
        """The file of the persona ``name``."""
        _check_name(name)
        if name not in self._files:
            raise UnknownNameError("persona", name, self.loadable())
        return self._files[name]

    def get(self, name: str) -> Persona:
        """The persona ``name``, inheritance resolved and validated (an unknown name, or a
        file that is not a valid persona, is a ``PersonaGenError``)."""
        _check_name(name)
        if name not in self._cache:
            self._cache[name] = self._resolve(name, ())
        return self._cache[name]

    def all(self) -> list[Persona]:
        """Every persona, loaded (the first that does not load raises its error)."""
        return [self.get(name) for name in self.names()]

    # -- resolution ------------------------------------------------------------------------

    def _file(self, name: str) -> tuple[PersonaFile, Located]:
        if name not in self._raw:
            path = self.path(name)
            spec, located = parse_persona(load_yaml(path, exponent_floats=True))
            declared = spec.name
            if declared != name:  # (refused each time asked: not kept as read)
                raise ValidationError(
                    [
                        located.problem(
                            ("name",),
                            f"persona name '{declared}' must match the file name '{name}'",
                        )
                    ]
                )
            self._raw[name] = spec, located
        return self._raw[name]

    def _resolve(self, name: str, chain: tuple[str, ...]) -> Persona:
        if name in chain:
            cycle = " -> ".join([*chain, name])
            _, located = self._file(chain[-1])
            raise ValidationError([located.problem(("extends",), f"inheritance cycle: {cycle}")])
        spec, located = self._file(name)
        merged: dict[str, Any] = {}
        lineage: list[Located] = [located]
        for i, parent in enumerate(spec.extends):
            if parent not in self._files:
                problem = located.problem(
                    ("extends", i),
                    str(UnknownNameError("parent persona", parent, self._parents_for(name))),
                )
                raise ValidationError([problem])
            parent_persona = self._resolve(parent, (*chain, name))
            merged = _merge(merged, parent_persona.definition)
            lineage.extend(self._lineage(parent))
        inherited = merged.get("behaviors", {})
        problems = [
            located.problem(("behaviors", block), _removes_nothing(block, spec.extends))
            for block, value in spec.behaviors.items()
            if value is None and block not in inherited
        ]
        if problems:
            raise ValidationError(problems)
        own = spec.model_dump(mode="json", exclude_unset=True, exclude={"extends", "name"})
        merged = _merge(merged, own)
        merged["name"] = spec.name
        # A child is a persona of its own: its version, never a parent's (persona-format.md).
        merged["version"] = spec.version
        merged.setdefault("description", spec.description)
        merged["behaviors"] = {
            k: v for k, v in merged.get("behaviors", {}).items() if v is not None
        }
        behaviours = bind_behaviours(
            merged["behaviors"], lineage, parents=spec.extends, inherited=tuple(inherited)
        )
        population = Population.model_validate(merged.get("population") or {})
        canonical = orjson.dumps(_wide_ints_as_floats(merged), option=orjson.OPT_SORT_KEYS)
        return Persona(
            name=spec.name,
            version=str(merged["version"]),
            description=str(merged["description"]),
            population=population,
            behaviours=behaviours,
            source=located.file,
            content_hash="sha256:" + hashlib.sha256(canonical).hexdigest(),
            definition=merged,
        )

    def _lineage(self, name: str) -> list[Located]:
        spec, located = self._file(name)
        out = [located]
        for parent in spec.extends:
            out.extend(self._lineage(parent))
        return out


def _removes_nothing(block: str, parents: Sequence[str]) -> str:
    """Why a null block that no parent has is refused: it would leave the persona without
    the block the writer most likely meant to use with its defaults (``typos:`` alone)."""
    if parents:
        why = f"no parent ({', '.join(parents)}) has a block named '{block}'"
    else:
        why = "this persona inherits none (it has no extends)"
    return f"null removes an inherited block, and {why}; write '{block}: {{}}' for its defaults"


def _wide_ints_as_floats(value: Any) -> Any:
    """The definition with integers wider than 64 bits as the floats the models read them
    as (a `clip_max: 10**30` is valid; JSON for the content hash cannot hold it as an int)."""
    if isinstance(value, dict):
        return {k: _wide_ints_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wide_ints_as_floats(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return float(value)
    return value


def parse_persona(located: Located) -> tuple[PersonaFile, Located]:
    if not isinstance(located.data, dict):
        raise ValidationError([located.problem((), not_a_mapping(located.data, "persona"))])
    try:
        spec = PersonaFile.model_validate(located.data)
    except pydantic.ValidationError as exc:
        hint = schema_hint(Path(located.file), located.data, "a persona")
        if hint is not None:
            raise ValidationError([hint]) from None
        problems = _profile_hint(located) + pydantic_problems(exc, located, (), PersonaFile)
        problems += _repeated_parents(located)
        # Every problem at once: the behaviour blocks too, though the file failed elsewhere.
        blocks = located.data.get("behaviors")
        if isinstance(blocks, dict):
            seen = [p.path for p in problems]
            problems += [
                p
                for p in _behaviour_problems(blocks, located)
                if not any(p.path == s or p.path.startswith(f"{s}.") for s in seen)
            ]
        raise ValidationError(problems) from None
    if repeated := _repeated_parents(located):
        raise ValidationError(repeated)
    # Validate this file's own behaviour blocks now, so errors point at this file.
    bind_behaviours(_kinds_known_here(spec.behaviors, located), [located], partial=True)
    return spec, located


def _kinds_known_here(blocks: dict[Any, Any], located: Located) -> dict[str, Any]:
    """The file's own blocks whose kind the file alone decides. In a persona that extends
    others, a block without ``kind:`` may be a parent's block of that name, whose kind it
    inherits with the parameters it does not set (persona-format.md#inheritance): it is
    checked once the parents are merged (``_resolve``), not against its name as a kind."""
    inherits = bool(located.data.get("extends"))
    return {
        name: block
        for name, block in blocks.items()
        if isinstance(name, str)
        and block is not None
        and not (inherits and isinstance(block, dict) and "kind" not in block)
    }


def _repeated_parents(located: Located) -> list[Problem]:
    """A parent named twice in ``extends``: merging it again changes nothing, so the second
    name is a slip (another parent meant) that would otherwise pass without a word."""
    parents = located.data.get("extends")
    if not isinstance(parents, list):
        return []
    seen: set[str] = set()
    problems = []
    for i, parent in enumerate(parents):
        if isinstance(parent, str) and parent in seen:  # (not a string: the model says so)
            message = f"parent persona '{parent}' is named twice; name each parent once"
            problems.append(located.problem(("extends", i), message))
        elif isinstance(parent, str):
            seen.add(parent)
    return problems


def _profile_hint(located: Located) -> list[Problem]:
    """A profile given where a persona is expected (``validate FILE -t persona``, a profile
    among ``-p DIR``'s personas)."""
    command = f"persona-gen validate {located.file} -t profile"
    return kind_hint(located, PROFILE_KEYS, "a profile, not a persona", command)


def _behaviour_problems(blocks: dict[Any, Any], located: Located) -> list[Problem]:
    try:
        bind_behaviours(_kinds_known_here(blocks, located), [located], partial=True)
    except ValidationError as exc:
        return list(exc.problems)
    return []


def bind_behaviours(
    blocks: dict[str, Any],
    lineage: Sequence[Located],
    partial: bool = False,
    *,
    parents: Sequence[str] = (),
    inherited: Collection[str] = (),
) -> tuple[Behaviour[Any], ...]:
    """Validate each block against its kind's parameters and bind it. ``parents`` and the
    block names ``inherited`` from them explain a block whose name is no kind."""
    problems: list[Problem] = []
    bound: list[Behaviour[Any]] = []
    for name, block in blocks.items():
        located = _owner(lineage, ("behaviors", name))
        if not isinstance(block, dict):
            problems.append(
                located.problem(
                    ("behaviors", name),
                    "expected a mapping of parameters (use {} for the defaults)",
                )
            )
            continue
        kind = block.get("kind", name)
        enabled = block.get("enabled", True)
        if not isinstance(enabled, bool):
            problems.append(
                located.problem(("behaviors", name, "enabled"), "must be true or false")
            )
            continue
        if not enabled:
            continue
        if not isinstance(kind, str):
            problems.append(
                located.problem(
                    ("behaviors", name, "kind"),
                    f"must name a behaviour kind, got {_yaml_text(kind)} (leave 'kind' out "
                    f"and the block name '{name}' is the kind)",
                )
            )
            continue
        if kind not in BEHAVIOURS and "kind" in block:
            unknown = UnknownNameError("behaviour kind", kind, BEHAVIOURS.names())
            problems.append(located.problem(("behaviors", name, "kind"), str(unknown)))
            continue
        if kind not in BEHAVIOURS:
            message = _unknown_block(name, parents, inherited)
            problems.append(located.problem(("behaviors", name), message))
            continue
        cls = BEHAVIOURS.get(kind)
        params = {k: v for k, v in block.items() if k not in _CONTROL_KEYS}
        try:
            bound.append(cls(name, cls.params_model.model_validate(params)))
        except pydantic.ValidationError as exc:
            for err in pydantic_problems(exc, located, ("behaviors", name), cls.params_model):
                located_err = _owner(lineage, _path_of(err.path))
                line, column = located_err.where(_path_of(err.path))
                message = err.message + _kind_set_elsewhere(lineage, name, located_err)
                problems.append(Problem(message, err.path, located_err.file, line, column))
    if problems:
        raise ValidationError(problems)
    if partial:
        return ()
    return tuple(sorted(bound, key=lambda b: (b.phase, b.last_in_phase)))


def _unknown_block(name: str, parents: Sequence[str], inherited: Collection[str]) -> str:
    """Why a block without ``kind:`` has none: its name is no kind, and (in a persona that
    extends others) no parent has a block of that name to inherit the kind from. The closest
    of the inherited block names and the kinds is offered: ``rare_erors`` is most likely
    the inherited ``rare_errors`` misspelt, ``erors`` the kind ``errors``."""
    kinds = BEHAVIOURS.names()
    if not parents:
        return str(UnknownNameError("behaviour kind", name, kinds))
    no_parent = f"no parent ({', '.join(parents)}) has a block named '{name}'"
    close = difflib.get_close_matches(name, [*inherited, *kinds], n=1, cutoff=0.6)
    if close and close[0] in inherited:
        return (
            f"'{name}' is no behaviour kind and {no_parent} to inherit one from. Did you mean "
            f"the inherited block '{close[0]}'? (or give the block a 'kind:')"
        )
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return (
        f"unknown behaviour kind '{name}' ({no_parent} to inherit a kind from; give the "
        f"block a 'kind:').{hint} Available: {', '.join(sorted(kinds))}"
    )


def _kind_set_elsewhere(lineage: Sequence[Located], name: str, owner: Located) -> str:
    """Where a block's ``kind`` was set, when another file than the parameter's: a child that
    gives an inherited block another kind keeps the parent's parameters, and a parameter that
    does not fit the new kind would otherwise be blamed on the parent's file alone."""
    where = ("behaviors", name, "kind")
    setter = _owner(lineage, where)
    if setter is owner or where not in setter.positions:
        return ""
    line, column = setter.where(where)
    at = ":".join(str(part) for part in (setter.file, line, column) if part is not None)
    if _depth(lineage, setter) > _depth(lineage, owner):  # (the parameter's file inherits it)
        return f" (the block's kind is inherited from {at})"
    return f" (the block's kind is set at {at}; it keeps the parameters it inherits)"


def _depth(lineage: Sequence[Located], located: Located) -> int:
    """How far up the inheritance chain ``located`` is (0: the persona's own file)."""
    return next(i for i, each in enumerate(lineage) if each is located)


def _yaml_text(value: Any) -> str:
    """A scalar as YAML writes it (null, true, 5), for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _path_of(dotted: str) -> tuple[str, ...]:
    return tuple(p for p in dotted.replace("[", ".").replace("]", "").split(".") if p)


def _owner(lineage: Sequence[Located], path: tuple[Any, ...]) -> Located:
    """The most specific file in the inheritance chain that sets ``path``."""
    for located in lineage:
        if path in located.positions:
            return located
    for located in lineage:
        if path[:2] in located.positions:
            return located
    return lineage[0]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Child values override the parent's: behaviour blocks merge by name, and within a
    block by parameter; a parameter's value (e.g. a distribution) is replaced whole."""
    out = dict(base)
    for key, value in override.items():
        if key == "behaviors" and isinstance(value, dict):
            blocks = dict(out.get("behaviors") or {})
            for name, block in value.items():
                parent = blocks.get(name)
                if isinstance(block, dict) and isinstance(parent, dict):
                    blocks[name] = {**parent, **block}
                else:
                    blocks[name] = block
            out[key] = blocks
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "tags" and isinstance(value, list):
            out[key] = list(dict.fromkeys([*out.get(key, []), *value]))
        else:
            out[key] = value
    return out


_PROFILE_KEY = re.compile(rb"^datasets\s*:", re.MULTILINE)


def _check_name(name: object) -> None:
    # (a list raised "unhashable type", None difflib's TypeError in the "did you mean")
    if not isinstance(name, str):
        raise UsageError(f"a persona's name is text, got {name!r:.80}")


def _directory_paths(directories: object) -> list[Path]:
    """``PersonaCatalog``'s directories as paths: one (not its characters) or a list."""
    if isinstance(directories, str | PathLike):
        directories = [directories]
    if not isinstance(directories, list | tuple) or not all(
        isinstance(d, str | PathLike) for d in directories
    ):
        raise UsageError(
            f"persona directories must be a path or a list of paths, got {directories!r:.80}"
        )
    return [Path(d) for d in directories]


def _is_profile(path: Path) -> bool:
    """Whether a YAML file holds a profile (a top-level ``datasets:``, which no persona has)."""
    try:
        with path.open("rb") as stream:
            return _PROFILE_KEY.search(stream.read(1 << 20)) is not None
    except OSError:
        return False  # (unreadable: loading it says why)


def validate_persona_file(path: Path, extra_dirs: Iterable[Path] = ()) -> Persona:
    """Check one persona file completely, resolving its parents from its own directory."""
    read_text(path, "a YAML file")  # (one clear error: not found, a loop of links, ...)
    if (hint := schema_hint(path, None, "a persona")) is not None:  # (.sql, .proto: no YAML)
        raise ValidationError([hint])
    catalog = PersonaCatalog([*extra_dirs, path.parent])
    catalog._files[path.stem] = path  # the file given wins over a same-named built-in
    return catalog.get(path.stem)


def timeline_overrides(path: Path, extra_dirs: Iterable[Path] = ()) -> list[Problem]:
    """Warnings for a persona file (see ``overridden_settings`` and ``cut_sessions``)."""
    catalog = PersonaCatalog([*extra_dirs, path.parent])
    catalog._files[path.stem] = path
    behaviours, lineage = catalog.get(path.stem).behaviours, catalog._lineage(path.stem)
    return [*overridden_settings(behaviours, lineage), *cut_sessions(behaviours, lineage)]


def cut_sessions(behaviours: Sequence[Behaviour[Any]], lineage: Sequence[Located]) -> list[Problem]:
    """A warning where sessions will measure well below their declared length: every
    session is cut each ``SPAN_BLOCKS`` blocks (personas/sessions.py), and with many
    active at once each gets only so many events of such a stretch. With ``m`` the declared
    mean and ``L`` a session slot's events per stretch, sessions average about
    ``m / (1 + m / L)`` (one more, cut, session per slot and stretch)."""
    from persona_gen.personas.sessions import SPAN_BLOCKS
    from persona_gen.seeds import BLOCK_SIZE

    session = next((b for b in behaviours if b.kind == "session"), None)
    if session is None:  # (no length declared: the default's is nobody's promise)
        return []
    clock = Clock()
    for behaviour in behaviours:
        behaviour.configure(clock)
    at_once = clock.concurrent_sessions()
    per_slot = SPAN_BLOCKS * BLOCK_SIZE / at_once
    declared = clock.session_length.mean()
    if declared / per_slot <= 0.25:  # (within ~20% of the declared mean)
        return []
    expected = declared / (1 + declared / per_slot)
    where = ("behaviors", session.name)
    message = (
        f"about {at_once:,} sessions are active at once (event rate x mean think time), so "
        f"each gets about {per_slot:,.0f} events in a stretch of {SPAN_BLOCKS * BLOCK_SIZE:,} "
        f"events, after which sessions are cut: they will average about {expected:,.0f} "
        f"events, not the declared {declared:g} (fewer at once: a shorter think time or a "
        "lower rate; see docs/behaviours/session.md)"
    )
    return [_owner(lineage, where).problem(where, message)]


_NOT_SET = object()
# What each timeline setting is called in a warning.
_SETTINGS = {
    "rate_per_second": "event rate",
    "gap_cv": "gap variation",
    "think_ms": "think time",
    "latency_ms": "latency",
    "delivery_ms": "delivery delay",
    "session_length": "session length",
    "users": "population size",
}


def overridden_settings(
    behaviours: Sequence[Behaviour[Any]], lineage: Sequence[Located]
) -> list[Problem]:
    """Timeline settings a block makes that a later block makes again (``timing`` and
    ``sustained_load`` both set the event rate): the later one wins, so the earlier one has
    no effect. A setting counts where a block writes it, with its default too: ``timing: {}``
    after ``sustained_load`` sets the rate back to 1/s, though it names no rate."""
    setters: dict[str, list[Behaviour[Any]]] = {}
    for behaviour in behaviours:
        clock = Clock()
        for name in _SETTINGS:  # (what the block leaves alone stays this marker)
            setattr(clock, name, _NOT_SET)
        behaviour.configure(clock)
        for name in _SETTINGS:
            if getattr(clock, name) is not _NOT_SET:
                setters.setdefault(name, []).append(behaviour)
    problems = []
    for name, blocks in setters.items():
        last = blocks[-1]
        for earlier in blocks[:-1]:
            where = ("behaviors", earlier.name)
            message = (
                f"its {_SETTINGS[name]} has no effect: '{last.name}', declared later, "
                f"sets the {_SETTINGS[name]} too, to its default where it does not name it "
                "(the later block wins)"
            )
            problems.append(_owner(lineage, where).problem(where, message))
    return problems
