"""Reading an .avsc file with fastavro: JSON, then fastavro's own parse, errors with lines.

Named types a file uses but does not define are looked up beside it, as fastavro's
``load_schema`` does: ``com.example.Address`` in ``com.example.Address.avsc`` (or
``Address.avsc``) in the same directory. Every problem becomes one ``SchemaImportError``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastavro.repository import AbstractSchemaRepository, SchemaRepositoryError
from fastavro.schema import UnknownType, load_schema, parse_schema

from persona_gen.errors import SchemaImportError, UnknownNameError
from persona_gen.importers._avro.types import NAMED, PRIMITIVES, RECORDS

__all__ = ["AvroSchema", "line_of", "read_avro_schema"]

_MAIN = "\x00main"  # the repository name of the file being imported
_MAX_MESSAGE = 160


@dataclass(frozen=True, eq=False)
class AvroSchema:
    """A parsed .avsc file: fastavro's parse of it and every named type it defines."""

    parsed: Any  # fastavro's parsed schema of the whole file
    named: Mapping[str, Any]  # full name -> parsed definition, in definition order
    file: str = ""
    text: str = ""
    _standalone: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_schema(cls, schema: Any) -> AvroSchema:
        """Wrap an Avro schema (raw JSON data or already parsed by fastavro)."""
        return _parse(copy.deepcopy(_strip_hints(schema)), None, "")

    @property
    def records(self) -> tuple[str, ...]:
        return tuple(n for n, s in self.named.items() if s.get("type") in RECORDS)

    def full_name(self, name: str) -> str:
        """The record's full name; a short name is accepted when only one record has it."""
        if name in self.named and self.named[name].get("type") in RECORDS:
            return name
        shorts: dict[str, list[str]] = {}
        for full in self.records:
            shorts.setdefault(full.rsplit(".", 1)[-1], []).append(full)
        if len(shorts.get(name, ())) == 1:
            return shorts[name][0]
        unique = [s for s, fulls in shorts.items() if len(fulls) == 1 and s not in self.records]
        raise UnknownNameError("Avro record", name, [*self.records, *unique], self.file)

    def record_schema(self, name: str) -> dict[str, Any]:
        """A self-contained fastavro-parsed schema for one record, for writer() and validate().

        Named types it uses that the file defines elsewhere are defined inside it, at their
        first use, so the schema stands alone in a container file header or a registry.
        """
        full = self.full_name(name)
        if full not in self._standalone:
            self._standalone[full] = parse_schema(self.writer_schema(full))
        out: dict[str, Any] = self._standalone[full]
        return out

    def writer_schema(self, name: str | None = None) -> Any:
        """The schema to give fastavro's ``writer`` (which writes it into the file's header):
        one record's, standing alone as in ``record_schema``, or with no name the whole
        file's. Raw JSON data, not fastavro's parse, which loses null namespaces."""
        if name is None:
            return _standalone(self.parsed, self.named)
        return _standalone(self.named[self.full_name(name)], self.named)


def read_avro_schema(path: Path) -> AvroSchema:
    """Read and parse one .avsc file; SchemaImportError for anything unreadable."""
    text = _read(path)
    raw = _json(text, path)
    if isinstance(raw, dict) and "protocol" in raw:
        raise SchemaImportError(
            "this is an Avro protocol, not a schema: put its types in an .avsc file", path, 1
        )
    return _parse(raw, path, text)


def _parse(raw: Any, path: Path | None, text: str) -> AvroSchema:
    problem = _shape(raw, "")
    if problem:
        where, message = problem
        raise SchemaImportError(
            f"invalid Avro schema: {where or 'top level'}: {message}",
            path or "",
            _where_line(text, where),
        )
    twice = _defined_twice(raw)
    if twice is not None:
        # (fastavro checks this inside one schema, not across a top-level union's members:
        # the later definition silently replaced the earlier one)
        raise SchemaImportError(
            f"invalid Avro schema: redefined named type: {twice}",
            path or "",
            line_of(text, twice.rsplit(".", 1)[-1], 2),
        )
    primitive = _primitive_named(raw)
    if primitive is not None:
        raise SchemaImportError(
            f"invalid Avro schema: a named type may not be called '{primitive}': "
            "primitive type names cannot be defined",
            path or "",
            line_of(text, primitive.rsplit(".", 1)[-1]),
        )
    named: dict[str, Any] = {}
    try:
        parsed = parse_schema(raw, named)
    except UnknownType as exc:
        if path is None:
            raise _error(exc, "", text) from None
        parsed, named = _with_siblings(raw, path, text)
    except Exception as exc:  # fastavro raises bare KeyError/TypeError for malformed input
        raise _error(exc, path or "", text) from None
    return AvroSchema(parsed, named, str(path or ""), text)


_NAMED = ("record", "error", "enum", "fixed")


_PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})


def _defined_twice(schema: Any) -> str | None:
    """The full name of a named type the raw schema defines twice, if any."""
    seen: set[str] = set()
    for full in _named_types(schema):
        if full in seen:
            return full
        seen.add(full)
    return None


def _primitive_named(schema: Any) -> str | None:
    """The full name of a named type called like a primitive type (``int``), which the
    specification forbids in any namespace: a reference to ``int`` would mean either."""
    return next((f for f in _named_types(schema) if f.rpartition(".")[2] in _PRIMITIVES), None)


def _named_types(schema: Any) -> Iterator[str]:
    """The full name of each named type the raw schema defines, in a walk of it."""
    pending: list[tuple[Any, str]] = [(schema, "")]
    while pending:
        node, space = pending.pop()
        if isinstance(node, list):
            pending.extend((member, space) for member in node)
            continue
        if not isinstance(node, dict):
            continue
        name = node.get("name")
        if node.get("type") in _NAMED and isinstance(name, str):
            namespace = node.get("namespace", space)
            full = name if "." in name or not namespace else f"{namespace}.{name}"
            yield full
            space = full.rpartition(".")[0]
        fields = node.get("fields") if node.get("type") in ("record", "error") else None
        for member in fields if isinstance(fields, list) else []:
            if isinstance(member, dict):
                pending.append((member.get("type"), space))
        for key in ("items", "values"):
            if key in node:
                pending.append((node[key], space))
        if isinstance(node.get("type"), dict | list):
            pending.append((node["type"], space))


def line_of(text: str, name: str, occurrence: int = 1, *, use: bool = False) -> int | None:
    """The line where the type or field ``name`` is defined (its ``occurrence``-th
    ``"name": "..."``) or, with ``use``, first referred to; None when it cannot be found."""
    short = name.rsplit(".", 1)[-1]
    if use:
        for hit in re.finditer(f'"(?:{re.escape(name)}|{re.escape(short)})"', text):
            if not re.search(r'"name"\s*:\s*$', text[max(0, hit.start() - 40) : hit.start()]):
                return text.count("\n", 0, hit.start()) + 1
    pattern = re.compile(r'"name"\s*:\s*"(?:' + re.escape(name) + "|" + re.escape(short) + ')"')
    hits = list(pattern.finditer(text))
    if not hits:
        return None
    return text.count("\n", 0, hits[min(occurrence, len(hits)) - 1].start()) + 1


def _where_line(text: str, where: str) -> int | None:
    names = [n for n in re.split(r"[.\[\]]+", where) if n and not n.isdigit() and n != "fields"]
    return line_of(text, names[-1]) if names else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SchemaImportError("file not found", path) from None
    except UnicodeDecodeError as exc:
        raise SchemaImportError(f"not UTF-8 text (byte {exc.start})", path) from None
    except OSError as exc:
        raise SchemaImportError(f"cannot read the file: {exc.strerror or exc}", path) from None


def _json(text: str, path: Path) -> Any:
    if not text.strip():
        raise SchemaImportError("empty file: expected an Avro schema (JSON)", path, 1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaImportError(f"invalid JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
    except RecursionError:
        raise SchemaImportError("invalid JSON: nested too deeply", path) from None


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


# Types inside types deeper than this are refused: values are made at most 100 objects deep
# (values/synth.py), and at 200 (the bound before) copying the schema to encode Avro ran out
# of Python's stack, a RecursionError traceback from import-schema --output-format avro.
MAX_NESTING = 100


def _shape(schema: Any, where: str, depth: int = 0) -> tuple[str, str] | None:
    """The first place where ``schema`` is not shaped like an Avro schema, and why."""
    if depth > MAX_NESTING:
        return where, "nested too deeply"
    if isinstance(schema, str):
        return None
    if isinstance(schema, list):
        if not schema:
            return where, "an empty union admits no value"
        for i, branch in enumerate(schema):
            if isinstance(branch, list):
                return f"{where}[{i}]", "a union cannot directly contain a union"
            problem = _shape(branch, f"{where}[{i}]", depth + 1)
            if problem:
                return problem
        return None
    if not isinstance(schema, dict):
        return where, f"a type is a name, a list (union) or an object, not {json.dumps(schema)}"
    kind = schema.get("type")
    if kind is None:
        return where, 'an object type needs a "type"'
    if not isinstance(kind, str):
        return where, f'the "type" of a type object must be a name, not {json.dumps(kind)[:60]}'
    if kind in NAMED and not isinstance(schema.get("name"), str):
        return where, f'a {kind} needs a "name" string'
    if kind in NAMED and not _NAME.match(schema["name"]):
        return where, f'"{schema["name"]}" is not an Avro name ([A-Za-z_][A-Za-z0-9_]*, dotted)'
    here = f"{where}.{schema['name']}".lstrip(".") if kind in NAMED else where
    if schema.get("logicalType") == "decimal" and kind in ("bytes", "fixed"):
        bad = _decimal_problem(schema)
        if bad:
            return here, bad
    if kind in RECORDS:
        fields = schema.get("fields")
        if not isinstance(fields, list):
            return here, 'a record needs a "fields" list'
        for i, f in enumerate(fields):
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or "type" not in f:
                return f"{here}.fields[{i}]", 'a field is an object with a "name" and a "type"'
            problem = _shape(f["type"], f"{here}.{f['name']}", depth + 1)
            if problem:
                return problem
    elif kind == "enum":
        symbols = schema.get("symbols")
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            return here, 'an enum needs a "symbols" list of names'
        if not symbols:
            return here, "an enum without symbols admits no value"
    elif kind == "fixed":
        size = schema.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return here, 'a fixed needs a "size" (a whole number of bytes)'
    elif kind in ("array", "map"):
        key = "items" if kind == "array" else "values"
        if key not in schema:
            return where, f'an {kind} needs "{key}"' if kind == "array" else f'a map needs "{key}"'
        return _shape(schema[key], f"{where}[]", depth + 1)
    return None


def _decimal_problem(schema: Mapping[str, Any]) -> str | None:
    """What fastavro accepts in a decimal but then cannot read back (its reader needs both).

    Other bad precisions and scales fastavro's parse reports itself, in its own words.
    """
    if not schema.get("precision"):
        return 'a decimal needs a positive integer "precision"'
    scale = schema.get("scale", 0)
    if scale is None or isinstance(scale, bool) or scale == "":
        return 'a decimal "scale" must be a whole number'
    return None


class _Siblings(AbstractSchemaRepository):
    """fastavro's FlatDictRepository for the named types of one file's directory."""

    def __init__(self, main: Any, folder: Path) -> None:
        self.main = main
        self.folder = folder
        self.problems: dict[str, str] = {}

    def load(self, name: Any) -> Any:
        if name == _MAIN:
            return copy.deepcopy(self.main)
        if not isinstance(name, str) or not name or "/" in name or "\\" in name:
            raise SchemaRepositoryError(f"no file for {name!r}")
        for candidate in dict.fromkeys((name, name.rsplit(".", 1)[-1])):
            path = self.folder / f"{candidate}.avsc"
            if not path.is_file():
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError, RecursionError):
                self.problems[name] = f"{path.name} is not readable JSON"
                continue
            if _defines(data, name):
                return data
            self.problems[name] = f"{path.name} does not define {name}"
        raise SchemaRepositoryError(f"no file for {name}")


def _defines(data: Any, name: str) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return False
    full = data["name"]
    namespace = data.get("namespace")
    if "." not in full and isinstance(namespace, str) and namespace:
        full = f"{namespace}.{full}"
    return bool(full == name)


def _with_siblings(raw: Any, path: Path, text: str) -> tuple[Any, dict[str, Any]]:
    repo = _Siblings(raw, path.parent)
    try:
        loaded = load_schema(_MAIN, repo=repo)
        named: dict[str, Any] = {}
        return parse_schema(_strip_hints(loaded), named), named
    except UnknownType as exc:
        name = exc.name if isinstance(exc.name, str) else None
        if name is not None and name in repo.problems:
            raise SchemaImportError(
                f"unknown type '{name}': {repo.problems[name]}", path, line_of(text, name, use=True)
            ) from None
        raise _error(exc, path, text) from None
    except Exception as exc:  # fastavro raises bare KeyError/TypeError for malformed input
        raise _error(exc, path, text) from None


def _error(exc: Exception, path: Path | str, text: str) -> SchemaImportError:
    if isinstance(exc, UnknownType):
        name = exc.name
        if isinstance(name, dict):
            kind = name.get("type")
            return SchemaImportError(
                f'unknown type \'{kind}\' in {{"type": "{kind}"}}: fastavro accepts a named '
                f'type reference only as a plain string ("{kind}")',
                path,
                line_of(text, str(kind), use=True),
            )
        return SchemaImportError(
            f"unknown type '{name}': not defined before its use in this file, and no "
            f"'{name}.avsc' beside it",
            path,
            line_of(text, str(name), use=True),
        )
    message = _message(exc)
    redefined = re.search(r"redefined named type: (\S+)", message)
    line = line_of(text, redefined.group(1), 2) if redefined else None
    return SchemaImportError(message, path, line)


def _message(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        text = f"missing {exc.args[0]!r}" if exc.args else "missing key"
    elif isinstance(exc, RecursionError):
        text = "nested too deeply"
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 3] + "..."
    return f"invalid Avro schema: {text}"


def _strip_hints(schema: Any) -> Any:
    """fastavro's parse markers removed (they make parse_schema skip its checks)."""
    if isinstance(schema, list):
        return [_strip_hints(s) for s in schema]
    if isinstance(schema, dict) and "__fastavro_parsed" in schema:
        return {k: v for k, v in schema.items() if not k.startswith("__fastavro")}
    return schema


def _standalone(schema: Any, named: Mapping[str, Any]) -> Any:
    """``schema`` (fastavro-parsed) as raw JSON data that stands alone: named types it only
    refers to are defined at their first use, and a type in the null namespace defined inside
    a namespaced one says so (``"namespace": ""``). fastavro's parse drops that, so its own
    parsed form, parsed again (or dumped into a file header and read back), would put the
    type in the enclosing namespace."""
    defined: set[str] = set()

    def walk(schema: Any, space: str) -> Any:
        if isinstance(schema, list):
            return [walk(s, space) for s in schema]
        if isinstance(schema, str):
            if schema in PRIMITIVES or schema in defined or schema not in named:
                return schema
            return walk(named[schema], space)
        out = {k: v for k, v in schema.items() if not k.startswith("__")}
        kind = schema["type"]
        if kind in NAMED:
            name = schema["name"]
            if name in defined:
                return name
            defined.add(name)
            if "." not in name and space:
                out["namespace"] = ""
            space = name.rpartition(".")[0]
        if kind in RECORDS:
            out["fields"] = [
                _in_fixed_order({**f, "type": walk(f["type"], space)}) for f in schema["fields"]
            ]
        elif kind == "array":
            out["items"] = walk(schema["items"], space)
        elif kind == "map":
            out["values"] = walk(schema["values"], space)
        return _in_fixed_order(out)

    return walk(schema, "")


_FIRST_KEYS = ("type", "name", "namespace", "fields", "symbols", "items", "values", "size")


def _in_fixed_order(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with its keys in one fixed order. fastavro's parse copies a field's optional
    properties (doc, default, aliases) by iterating a set, whose order changes with
    PYTHONHASHSEED; the schema JSON written into file headers must not."""
    first = [k for k in _FIRST_KEYS if k in node]
    return {k: node[k] for k in first + sorted(k for k in node if k not in _FIRST_KEYS)}
