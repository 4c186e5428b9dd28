"""YAML loading that remembers where every value came from (file:line:column).

Persona and profile errors must point at the line to fix, so documents are composed into
nodes first and converted to plain Python while recording each node's position by field path.
"""

from __future__ import annotations

import re
import sys
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

__all__ = [
    "BOOLEAN_WORDS",
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "PERSONA_KEYS",
    "PROFILE_KEYS",
    "Located",
    "check_shape",
    "document_kind",
    "load_yaml",
    "not_a_mapping",
    "parse_yaml",
    "read_text",
    "tab_at",
]

# (an editor's YAML 1.2 reads these words as text: the loader's 1.1 does not)
BOOLEAN_WORDS = "unquoted yes, no, on and off are booleans here"

FieldPath = tuple[Hashable, ...]

MAX_ALIAS_VALUES = 1_000_000
"""How many values aliases (``*anchor``) may add to a document once expanded: a few lines of
nested aliases ("billion laughs") would otherwise expand to billions of values."""

MAX_DEPTH = 200
"""How deeply values may nest (a mapping in a list in a mapping... counts 3)."""


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


def not_a_mapping(data: Any, kind: str) -> str:
    """Why a document that is not a mapping is no ``kind`` (a persona, a profile): an empty
    file says so (it was "must be a YAML mapping", which an empty file did not explain)."""
    if data is None:
        return f"the file is empty: a {kind} is a YAML mapping ({_FIRST_KEYS[kind]}: ...)"
    what = "a list" if isinstance(data, list) else f"a single value ({data!r:.40})"
    return f"a {kind} must be a YAML mapping ({_FIRST_KEYS[kind]}: ...), not {what}"


_FIRST_KEYS = {"persona": "name, version, behaviors", "profile": "name, version, datasets"}


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


def load_yaml(path: Path, *, exponent_floats: bool = False) -> Located:
    """Read and parse one YAML file, with positions (``exponent_floats``: see
    ``parse_yaml``)."""
    return parse_yaml(read_text(path, "a YAML file"), str(path), exponent_floats=exponent_floats)


def tab_at(text: str, line: int, column: int) -> bool:
    """Whether the character YAML stopped at (0-based ``line``, ``column``) is a tab: a file
    indented with tabs fails with 'found character that cannot start any token' alone."""
    lines = text.splitlines()
    return 0 <= line < len(lines) and lines[line][column : column + 1] == "\t"


def parse_yaml(text: str, file: str = "<string>", *, exponent_floats: bool = False) -> Located:
    """Parse YAML text into plain Python (dicts, lists, scalars) with positions;
    ``exponent_floats``: a plain ``1e6`` is the float YAML 1.2 and JSON read (YAML 1.1, as
    PyYAML reads it, wants ``1.0e+6`` and reads ``1e6`` as text)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise YamlSyntaxError(f"invalid YAML: {reason}", file) from None
        if tab_at(text, mark.line, mark.column):
            reason += " (a tab: YAML indents with spaces only)"
        raise YamlSyntaxError(
            f"invalid YAML: {reason}", file, mark.line + 1, mark.column + 1
        ) from None
    except yaml.reader.ReaderError as exc:  # (a character YAML does not allow: NUL...)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        reason = f"unacceptable character #x{character:04x}: {exc.reason}"
        raise YamlSyntaxError(f"invalid YAML: {reason}", file, line, column) from None
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise YamlSyntaxError(f"invalid YAML: {reason}", file) from None
    positions: dict[FieldPath, tuple[int, int]] = {}
    problems: list[Problem] = []
    if node is None:
        return Located(None, file, positions)
    check_shape(node, file)
    if exponent_floats:
        _exponents_as_floats(node, text)
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
    if isinstance(node, yaml.CollectionNode) and not (
        node.tag in _COLLECTION_TAGS or node.tag == _MERGE_TAG
    ):  # (!!python/tuple [1, 2], !custom {a: 1}: not data a plain list or mapping stands for)
        line = node.start_mark.line + 1
        unknown = f"could not determine a constructor for the tag '{node.tag}'"
        problems.append(Problem(f"cannot read this value: {unknown}", _dot(path), file, line))
        return None
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
                said = f"duplicate key '{key}'"
                if isinstance(key, bool):  # (`on:` and `yes:` are both true in YAML 1.1)
                    said += f" ({BOOLEAN_WORDS}: quote the key)"
                problems.append(Problem(said, _dot(path), file, line))
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
    reason = _unreadable(node)
    if reason is None:
        try:
            return _scalar(node)
        except (yaml.YAMLError, ValueError, TypeError) as exc:  # an unknown tag, !!int abc
            reason = getattr(exc, "problem", None) or str(exc)
    line = node.start_mark.line + 1
    problems.append(Problem(f"cannot read this value: {reason}", _dot(path), file, line))
    return None


_STANDARD = "tag:yaml.org,2002:"
_COLLECTION_TAGS = {f"{_STANDARD}{name}" for name in ("map", "seq", "omap", "pairs", "set")}


def _unreadable(node: yaml.Node) -> str | None:
    """Why a scalar is not read as data (a tag that makes bytes or Python objects, an integer
    too long for Python to convert), or None."""
    if node.tag == f"{_STANDARD}binary":
        return "binary data (!!binary) is not text: write the value as a plain string"
    if node.tag == f"{_STANDARD}int":
        digits = sum(c.isdigit() for c in str(node.value))
        limit = sys.get_int_max_str_digits()
        if limit and digits > limit:
            return f"an integer of {digits} digits has too many digits (at most {limit})"
    return None


def check_shape(root: yaml.Node, file: str) -> None:
    """Refuse, before converting, a document whose aliases refer to themselves, expand to more
    than ``MAX_ALIAS_VALUES`` values, or whose values nest deeper than ``MAX_DEPTH``.

    Composing keeps an alias as a second reference to its anchor's node, so the document is
    a graph: its expanded size and height are counted once per node (iteratively: a deep
    document must not exhaust Python's stack here)."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            on_path.discard(id(node))
            size[id(node)] = 1 + sum(size[id(c)] for c in children)
            height[id(node)] = 1 + max((height[id(c)] for c in children), default=0)
            continue
        if id(node) in size:
            continue
        on_path.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                line = child.start_mark.line + 1
                raise YamlSyntaxError(
                    "invalid YAML: an alias refers to a value that contains it (a recursive "
                    "alias); values cannot contain themselves",
                    file,
                    line,
                )
            if id(child) not in size:
                stack.append((child, False))
    if height[id(root)] > MAX_DEPTH:
        deepest = root
        while _children(deepest):
            deepest = max(_children(deepest), key=lambda c: height[id(c)])
        raise YamlSyntaxError(
            f"invalid YAML: values nest more than {MAX_DEPTH} levels deep",
            file,
            deepest.start_mark.line + 1,
        )
    if size[id(root)] - len(size) > MAX_ALIAS_VALUES:
        raise YamlSyntaxError(
            f"invalid YAML: its aliases expand to more than {MAX_ALIAS_VALUES:,} values "
            f"(the document is {size[id(root)]:,} values once expanded); write the values "
            "out or use fewer aliases",
            file,
            _alias_line(root, size),
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _alias_line(root: yaml.Node, size: dict[int, int]) -> int:
    """The line (of the key, or of the list) where the aliases seen so far, in document order,
    first add more than ``MAX_ALIAS_VALUES`` values."""
    seen: set[int] = set()
    added = 0
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        seen.add(id(node))
        pending: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            pairs = [(key, value) for key, value in node.value]
        else:
            pairs = [(node, child) for child in _children(node)]
        for at, child in pairs:
            if id(child) in seen:
                added += size[id(child)]
                if added > MAX_ALIAS_VALUES:
                    return int(at.start_mark.line) + 1
            else:
                seen.add(id(child))
                pending.append(child)
        stack.extend(reversed(pending))
    return int(root.start_mark.line) + 1


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


_EXPONENT_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+")
"""A number in exponent notation without a dot (``1e6``, ``5E-3``): a float in YAML 1.2 and
JSON (and in editors), but a string to PyYAML's YAML 1.1 resolver, which wants ``1.0e+6``."""


def _exponents_as_floats(root: yaml.Node, text: str) -> None:
    """Tag every plain, untagged scalar written as a number in exponent notation (``1e6``)
    a float. Only for personas, whose parameters are typed strictly (the string '1e6' is no
    number) and hold no free text that looks so; a profile's embedded schemas keep ``1e3``
    the string PyYAML writes it as (an enum member, a default)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            plain = not node.style  # (None, or "" from the C loader)
            if (
                plain
                and node.tag == f"{_STANDARD}str"
                and _EXPONENT_FLOAT.fullmatch(node.value)
                and not _tagged(node, text)
            ):
                node.tag = f"{_STANDARD}float"
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _tagged(node: yaml.ScalarNode, text: str) -> bool:
    """Whether a plain scalar was written with a tag (``!!str 1e6``): the composed node
    holds the tag it resolved to either way, and its text starts at its properties (the
    anchor and tag before the value)."""
    written = text[node.start_mark.index : node.end_mark.index]
    properties = written[: len(written) - len(node.value)]
    return any(token.startswith("!") for token in properties.split())


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


# Top-level keys that only one kind of file has (``datasets`` no persona has).
PROFILE_KEYS = ("datasets", "personas")
PERSONA_KEYS = ("behaviors", "behaviours", "population", "extends")


def document_kind(data: Any) -> str:
    """Whether a parsed document reads as a ``"profile"`` or a ``"persona"``: a profile has
    a top-level ``datasets``, or ``personas`` and none of a persona's own keys."""
    if isinstance(data, dict) and (
        "datasets" in data or ("personas" in data and not any(k in data for k in PERSONA_KEYS))
    ):
        return "profile"
    return "persona"


# Suffixes of schema files that are not YAML at all (SQL DDL, Protobuf).
_SCHEMA_SUFFIXES = {
    ".sql": "an SQL DDL schema",
    ".ddl": "an SQL DDL schema",
    ".proto": "a Protobuf schema",
}


def schema_hint(path: Path, data: Any, kind: str) -> Problem | None:
    """A schema given where a persona or a profile (``kind``) is expected: one line that says
    how to use it, instead of every key it lacks and holds listed as wrong."""
    what = _SCHEMA_SUFFIXES.get(path.suffix.lower())
    if what is None and isinstance(data, dict):
        if "openapi" in data or "swagger" in data:
            what = "an OpenAPI schema" if "openapi" in data else "a Swagger (OpenAPI 2) schema"
        elif data.get("type") in ("record", "enum", "fixed") and "name" in data:
            what = "an Avro schema"
        elif "$schema" in data or ("properties" in data and data.get("type") == "object"):
            what = "a JSON Schema"
    if what is None:
        return None
    message = (
        f"this is {what}, not {kind}: import it into a profile with "
        f"'persona-gen import-schema {path} -o profile.yaml'"
    )
    return Problem(message, "", str(path), None, None)
