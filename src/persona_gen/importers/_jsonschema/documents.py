"""Reading JSON/YAML schema documents, with line numbers and a `referencing` registry.

Every file a schema reaches (the one named on the command line and those its ``$ref`` s name)
is read once and kept, so a location has one Python object and ``id()`` names it. Parse
errors, missing files and bad encodings become ``SchemaImportError`` with file and line.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import referencing.exceptions
import yaml
from jsonschema_specifications import REGISTRY as METASCHEMAS  # type: ignore[import-untyped]
from referencing import Registry, Resource, Specification
from referencing.jsonschema import DRAFT202012, specification_with

from persona_gen._yaml import check_shape, tab_at
from persona_gen.errors import SchemaImportError, YamlSyntaxError

try:  # the C parser is much faster when PyYAML was built with libyaml
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = ["Document", "DocumentSet", "file_uri", "parse_text", "pointer_parts"]

JSON_SUFFIXES = (".json",)
MAX_BYTES = 50 * 1024 * 1024


class _Loader(_BaseLoader):
    """Safe YAML where mapping keys are always strings and dates stay strings.

    OpenAPI writes ``200:`` for a response code and ``2024-01-01`` for an example; JSON
    Schema validators need string keys and strings.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
            else:
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be plain scalars", key_node.start_mark
                )
            out[key] = self.construct_object(value_node, deep=deep)
        return out


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)


def file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def pointer_parts(fragment: str) -> tuple[str, ...] | None:
    """``/a/b~1c`` → ``("a", "b/c")``; ``None`` when the fragment is not a JSON pointer."""
    fragment = unquote(fragment)
    if fragment == "":
        return ()
    if not fragment.startswith("/"):
        return None
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in fragment[1:].split("/"))


def _load_checked(text: str, file: str) -> Any:
    """``yaml.load``, refusing before constructing a document whose aliases would expand
    past reason (a few hundred bytes can stand for billions of values) or nest too deep."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_shape(node, file)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def parse_text(text: str, file: str, as_json: bool) -> Any:
    """JSON or YAML text → plain data; errors name the file and line."""
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchemaImportError(
                f"invalid JSON: {exc.msg}", file, exc.lineno, exc.colno
            ) from None
        except RecursionError:
            raise SchemaImportError("invalid JSON: nested too deeply", file) from None
    try:
        return _load_checked(text, file)
    except YamlSyntaxError as exc:  # (aliases that expand past reason, nesting too deep)
        raise SchemaImportError(exc.message, file, exc.line, exc.column) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        if mark is not None and tab_at(text, mark.line, mark.column):
            reason += " (a tab: YAML indents with spaces only)"
        if mark is None:
            raise SchemaImportError(f"invalid YAML: {reason}", file) from None
        raise SchemaImportError(
            f"invalid YAML: {reason}", file, mark.line + 1, mark.column + 1
        ) from None
    except yaml.YAMLError as exc:
        raise SchemaImportError(f"invalid YAML: {exc}", file) from None
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        raise SchemaImportError(f"invalid YAML: {exc}", file) from None


def read_text(path: Path, referrer: str | None = None) -> str:
    where = f" (referenced from {referrer})" if referrer else ""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SchemaImportError(f"file is larger than {MAX_BYTES // 2**20} MB", path)
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SchemaImportError(f"file not found{where}", path) from None
    except IsADirectoryError:
        raise SchemaImportError(f"is a directory, expected a schema file{where}", path) from None
    except UnicodeDecodeError as exc:
        raise SchemaImportError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", path
        ) from None
    except OSError as exc:
        raise SchemaImportError(f"cannot read: {exc.strerror}", path) from None


@dataclass
class Document:
    """One parsed file."""

    path: Path
    uri: str
    text: str
    data: Any
    _lines: dict[tuple[Hashable, ...], int] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def line_of(self, parts: tuple[Hashable, ...]) -> int | None:
        """The 1-based line of the value at ``parts`` (or its nearest parent), if known."""
        if self._lines is None:
            self._lines = _line_index(self.text)
        probe = tuple(parts)
        while probe:
            if probe in self._lines:
                return self._lines[probe]
            probe = probe[:-1]
        return self._lines.get(())


def _line_index(text: str) -> dict[tuple[Hashable, ...], int]:
    """Lines of every node, by path; empty when the text does not compose as YAML."""
    try:
        root = yaml.compose(text, Loader=_BaseLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    lines: dict[tuple[Hashable, ...], int] = {}
    stack: list[tuple[yaml.Node, tuple[Hashable, ...]]] = [(root, ())] if root else []
    while stack:
        node, path = stack.pop()
        if path in lines:
            continue
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    stack.append((value, (*path, str(key.value))))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*path, i)))
    return lines


class DocumentSet:
    """The files one import reads, each parsed once, and a registry that resolves between them."""

    def __init__(self, main: Path, default_spec: Specification[Any] = DRAFT202012) -> None:
        self.main_path = main
        self.default_spec = default_spec
        self.by_uri: dict[str, Document] = {}
        self.retrieve_errors: dict[str, SchemaImportError] = {}
        self.main = self.load(main)

    def load(self, path: Path, referrer: str | None = None) -> Document:
        uri = file_uri(path)
        doc = self.by_uri.get(uri)
        if doc is None:
            text = read_text(path, referrer)
            as_json = path.suffix.lower() in JSON_SUFFIXES or text.lstrip()[:1] in ("{", "[")
            data = parse_text(text, str(path), as_json)
            doc = Document(path, uri, text, data)
            self.by_uri[uri] = doc
        return doc

    def document(self, uri: str) -> Document | None:
        return self.by_uri.get(urldefrag(uri)[0])

    def spec_for(self, data: Any) -> Specification[Any]:
        if isinstance(data, dict) and isinstance(data.get("$schema"), str):
            try:
                return specification_with(data["$schema"], default=self.default_spec)
            except referencing.exceptions.CannotDetermineSpecification:  # pragma: no cover
                return self.default_spec
        return self.default_spec

    def resource(self, doc: Document) -> Resource[Any]:
        return self.spec_for(doc.data).create_resource(doc.data)

    def _retrieve(self, uri: str) -> Resource[Any]:
        parts = urlsplit(uri)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
        else:
            # A published $id whose file sits beside the main document (a common layout).
            name = Path(unquote(parts.path)).name
            path = self.main_path.parent / name
            if not name or not path.is_file():
                raise referencing.exceptions.NoSuchResource(uri)
        try:
            doc = self.load(path, referrer=self.main.name)
        except SchemaImportError as exc:
            self.retrieve_errors[uri] = exc
            raise referencing.exceptions.NoSuchResource(uri) from None
        return self.resource(doc)

    def registry(self) -> Registry[Any]:
        """A registry holding the main document (and its $id'd parts), metaschemas and files.

        A part of the document with a metaschema's $id (AsyncAPI's definitions hold a copy
        of draft-07's) is the one its references reach: the document is crawled first, and
        only the metaschemas it does not hold are added (crawling both at once let hash
        order pick, so names and schemas changed from one run to the next)."""
        retrieve: Callable[[str], Resource[Any]] = self._retrieve
        registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
        registry = registry.with_resource(self.main.uri, self.resource(self.main))
        with contextlib.suppress(*_CRAWL_ERRORS):  # (a malformed part: conversion says where)
            registry = registry.crawl()
        missing = [(uri, r) for uri, r in METASCHEMAS.items() if uri not in registry]
        registry = registry.with_resources(missing)
        try:
            return registry.crawl()
        except _CRAWL_ERRORS:  # (the document's malformed part again)
            return registry


_CRAWL_ERRORS = (
    referencing.exceptions.Unresolvable,
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
)
