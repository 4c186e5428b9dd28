"""YAML loading that remembers where every value came from (file:line:column).

Persona and profile errors must point at the line to fix, so documents are composed into
nodes first and converted to plain Python while recording each node's position by field path.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from persona_gen.errors import FileError, Problem, ValidationError, YamlSyntaxError

try:  # the C loader is much faster when PyYAML was built with libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["Located", "load_yaml", "parse_yaml", "read_text"]

FieldPath = tuple[Hashable, ...]


@dataclass(frozen=True)
class Located:
    """A parsed document and the position of each value in it."""

    data: Any
    file: str
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: FieldPath) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``path``, or of its nearest parent."""
        probe = tuple(path)
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            probe = probe[:-1]
        return self.positions.get((), (None, None))

    def problem(self, path: FieldPath, message: str) -> Problem:
        line, column = self.where(path)
        return Problem(message, dotted(path), self.file, line, column)


def dotted(path: FieldPath) -> str:
    """``("behaviors", "x", 0)`` → ``behaviors.x[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def read_text(path: Path, expected: str, error: type[FileError] = FileError) -> str:
    """A UTF-8 text file's content, or one clear ``error`` naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if path.is_symlink():  # (a link whose target is gone: not "not found", nor a folder)
            raise error(f"broken symbolic link to '{path.readlink()}'", path) from None
        raise error("file not found", path) from None
    except IsADirectoryError:
        raise error(f"is a directory, expected {expected}", path) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", path) from None


def load_yaml(path: Path) -> Located:
    """Read and parse one YAML file, with positions."""
    return parse_yaml(read_text(path, "a YAML file"), str(path))


def parse_yaml(text: str, file: str = "<string>") -> Located:
    """Parse YAML text into plain Python (dicts, lists, scalars) with positions."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(f"invalid YAML: {reason}", file, line) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", file) from None
    positions: dict[FieldPath, tuple[int, int]] = {}
    problems: list[Problem] = []
    if node is None:
        return Located(None, file, positions)
    data = _convert(node, (), positions, problems, file)
    if problems:
        raise ValidationError(problems)
    return Located(data, file, positions)


def _convert(
    node: yaml.Node,
    path: FieldPath,
    positions: dict[FieldPath, tuple[int, int]],
    problems: list[Problem],
    file: str,
) -> Any:
    # A mapping entry is located at its key (where a user looks for a field), anything else
    # at its value.
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = _merged(node, path, positions, problems, file)
        inherited = set(out)  # (keys a merge key brought: the mapping's own keys override them)
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            try:
                key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            except (yaml.YAMLError, ValueError, TypeError):
                key = None  # (reported below as not a plain scalar)
            if not isinstance(key, str | int | float | bool):
                line = key_node.start_mark.line + 1
                problems.append(Problem("keys must be plain scalars", _dot(path), file, line))
                continue
            if key in out and key not in inherited:
                line = key_node.start_mark.line + 1
                problems.append(Problem(f"duplicate key '{key}'", _dot(path), file, line))
                continue
            if key in inherited:  # (only a merged value has positions to replace)
                inherited.discard(key)
                _forget(positions, (*path, key))
            mark = key_node.start_mark
            positions[(*path, key)] = (mark.line + 1, mark.column + 1)
            out[key] = _convert(value_node, (*path, key), positions, problems, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, i), positions, problems, file)
            for i, item in enumerate(node.value)
        ]
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # an unknown tag, !!int abc
        reason = getattr(exc, "problem", None) or str(exc)
        line = node.start_mark.line + 1
        problems.append(Problem(f"cannot read this value: {reason}", _dot(path), file, line))
        return None


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _merged(
    node: yaml.MappingNode,
    path: FieldPath,
    positions: dict[FieldPath, tuple[int, int]],
    problems: list[Problem],
    file: str,
) -> dict[Any, Any]:
    """What the mapping's merge keys (``<<: *anchor``, ``<<: [*a, *b]``, YAML 1.1) bring in:
    the first source that sets a key wins. Each value keeps the position where it is written
    (under its anchor)."""
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE_TAG:
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                line = source.start_mark.line + 1
                message = "a merge key (<<) takes a mapping or a list of mappings"
                problems.append(Problem(message, _dot(path), file, line))
                continue
            found: dict[FieldPath, tuple[int, int]] = {}
            values = _convert(source, path, found, problems, file)
            taken = {key for key in values if key not in out}
            out.update((key, values[key]) for key in values if key in taken)
            depth = len(path)
            for at, where in found.items():
                if len(at) > depth and at[depth] in taken:
                    positions[at] = where
    return out


def _forget(positions: dict[FieldPath, tuple[int, int]], path: FieldPath) -> None:
    """Drop the positions under ``path`` (a merged value that the mapping's own replaces)."""
    for at in [at for at in positions if at[: len(path)] == path]:
        del positions[at]


def _dot(path: FieldPath) -> str:
    return dotted(path)


def _scalar(node: yaml.Node) -> Any:
    # Resolve the scalar with the safe constructor so ints, floats, bools, nulls and
    # timestamps read exactly as yaml.safe_load would read them.
    constructor = yaml.constructor.SafeConstructor()
    return constructor.construct_object(node, deep=True)


def kind_hint(located: Located, keys: tuple[str, ...], kind: str, command: str) -> list[Problem]:
    """A file of another kind than expected (a persona validated as a profile, or the
    reverse): say so before its fields are listed as unknown."""
    found = [key for key in located.data if key in keys]
    if not found:
        return []
    line, column = located.where((found[0],))
    named = " and ".join(f"'{key}'" for key in found)
    message = f"this looks like {kind} (it has {named}): check it with '{command}'"
    return [Problem(message, "", located.file, line, column)]
