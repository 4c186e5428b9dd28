"""Record validators built from the ORIGINAL schema with the `jsonschema` package.

Each entity keeps the URI of the schema it came from; a validator is ``{"$ref": uri}``
checked by the right validator class (a JSON Schema draft, or OpenAPI 3.0/3.1 from
openapi-schema-validator), with references resolved through the import's registry and
format checking on.

A keyword whose value the validator cannot use (a ``pattern`` that is not a Python regular
expression, ``multipleOf: 0``, Swagger's ``type: file``, a ``$ref`` that cannot be fetched)
checks nothing, as the import ignored it with a warning; each such keyword met is noted in
the validator's ``unenforced``.

A validator may be for one direction of an API exchange (``Direction``): OpenAPI's rule
(and JSON Schema's readOnly/writeOnly annotations) make a required ``readOnly`` property
required in replies only, and a required ``writeOnly`` one in requests only; the flag is
found where the import finds it (``one_way``: behind a ``$ref``, in an ``allOf`` part).
"""

from __future__ import annotations

import binascii
import copy
import math
import re
from collections.abc import Callable
from typing import Any, Literal

import attrs
import jsonschema.exceptions
import referencing.exceptions
from jsonschema.validators import validator_for
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from referencing import Registry

from persona_gen._formats import is_base64
from persona_gen._moments import BOUNDED_FORMATS as BOUNDED
from persona_gen._moments import broken_bound
from persona_gen.importers._jsonschema.documents import DocumentSet
from persona_gen.importers._jsonschema.one_way import declared_flags
from persona_gen.values.ecma_regex import compile_ecma, python_pattern
from persona_gen.values.safe_search import pattern_search

__all__ = [
    "Direction",
    "RecordCheck",
    "RecordValidator",
    "jsonschema_validators",
    "openapi_validators",
]

RecordValidator = Callable[[Any], list[str]]
"""record -> the validator's messages (empty when the record is valid)"""

MAX_MESSAGES = 5

Direction = Literal["request", "response"]
"""Which way a checked value goes: sent in a request, or sent back in a reply. None (no
direction: a stored record) keeps the validator's own ``required``."""


# What a keyword raises when the schema's value for it cannot be used.
_UNUSABLE = (
    referencing.exceptions.Unresolvable,
    jsonschema.exceptions.UnknownType,
    jsonschema.exceptions.SchemaError,
    re.error,
    ArithmeticError,
    TypeError,
    ValueError,
)


class RecordCheck:
    """record -> the validator's messages; ``validator`` (a jsonschema validator) gives each
    error's keyword, ``unenforced`` the keywords met whose values cannot be checked."""

    def __init__(self, validator: Any, unenforced: dict[str, None]) -> None:
        self.validator = validator
        self._unenforced = unenforced

    @property
    def unenforced(self) -> list[str]:
        return list(self._unenforced)

    def __call__(self, record: Any) -> list[str]:
        errors = list(self.validator.iter_errors(record))
        return [f"{e.json_path}: {e.message}" for e in errors[:MAX_MESSAGES]]


def _tolerant(cls: Any, unenforced: dict[str, None], direction: Direction | None) -> Any:
    """``cls`` for records (``with_safe_patterns``) whose keywords also check nothing when
    the schema's value for them cannot be used, noting each (keyword, value) in
    ``unenforced``; for ``direction``, its ``required`` as ``_one_way_required`` says."""
    return _for_records(cls, unenforced, direction)


def with_safe_patterns(cls: Any, direction: Direction | None = None) -> Any:
    """``cls`` for records read back from data: its ``pattern`` keyword searches without
    catastrophic backtracking (``values.safe_search``): a value that almost matches
    ``^(\\s*\\w+)*$`` made ``re`` run for ever, and ``check`` with it; and a NaN or an
    infinity is no ``number`` (JSON has none: a database's float column can hold one), so
    it breaks ``type`` instead of making ``multipleOf`` raise on it. For ``direction``, its
    ``required`` as ``_one_way_required`` says."""
    return _for_records(cls, None, direction)


def _for_records(
    cls: Any, unenforced: dict[str, None] | None, direction: Direction | None = None
) -> Any:
    """``cls`` extended as ``with_safe_patterns`` (and ``_tolerant`` with ``unenforced``),
    in every dialect it meets. jsonschema picks a subschema's validator class by its
    ``$schema`` (``evolve`` calls ``validator_for``): past the first ``$ref`` into a
    document that names its dialect, the plain class would check the rest, with neither
    safe patterns nor tolerance. Each dialect met gets the same extension instead."""
    made: dict[Any, Any] = {}

    def extended(base: Any) -> Any:
        if base in made.values():
            return base
        if base not in made:
            keywords = dict(base.VALIDATORS)
            if "pattern" in keywords:
                keywords["pattern"] = _pattern
            for keyword in _KEY_PATTERNS:
                if keyword in keywords:
                    keywords[keyword] = _key_patterns(keywords[keyword])
            keywords.update(_MOMENT_KEYWORDS)
            if direction is not None and "required" in keywords:
                keywords["required"] = _one_way_required(direction)
            if direction is not None and "allOf" in keywords:
                keywords["allOf"] = _one_way_all_of(direction, keywords["allOf"])
            if unenforced is not None:
                keywords = {k: _noting(k, fn, unenforced) for k, fn in keywords.items()}
            numbers = base.TYPE_CHECKER.redefine("number", _finite_number)
            new = jsonschema.validators.extend(base, keywords, type_checker=numbers)  # type: ignore[no-untyped-call]
            new.evolve = _evolve(extended)
            made[base] = new
        return made[base]

    return extended(cls)


def _moment_keyword(keyword: str) -> Callable[..., Any]:
    """ajv-formats' bound ``keyword`` on a date or date-time, as the importer reads it
    (``_moments``): ``formatExclusiveMinimum`` is the bound itself (ajv-formats 2) or a flag
    that makes ``formatMinimum`` exclusive (ajv 6), and an error names the keyword that
    says the rule broken. jsonschema itself knows none of them."""
    above = keyword.endswith("Minimum")
    inclusive = "formatMinimum" if above else "formatMaximum"
    strict = "formatExclusiveMinimum" if above else "formatExclusiveMaximum"
    side = "minimum" if above else "maximum"

    def check(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        fmt = schema.get("format")
        exclusive = keyword == strict
        if exclusive:
            bound = schema.get(inclusive) if value is True else value
        else:
            bound = None if schema.get(strict) is True else value
        if not isinstance(instance, str) or not isinstance(bound, str) or fmt not in BOUNDED:
            return
        low, high = (bound, None) if above else (None, bound)
        if broken_bound(instance, fmt, low, exclusive, high, exclusive) is not None:
            rule = f"the exclusive {side}" if exclusive else f"the {side}"
            yield jsonschema.exceptions.ValidationError(
                f"{instance!r} is {'not after' if above else 'not before'} {rule} {bound!r}"
                if exclusive
                else f"{instance!r} is {'before' if above else 'after'} {rule} {bound!r}"
            )

    return check


_MOMENT_KEYWORDS = {
    k: _moment_keyword(k)
    for k in ("formatMinimum", "formatMaximum", "formatExclusiveMinimum", "formatExclusiveMaximum")
}


def _evolve(extended: Callable[[Any], Any]) -> Callable[..., Any]:
    """jsonschema's ``Validator.evolve`` (a validator for a subschema), whose class for a
    subschema of another dialect is that dialect's, ``extended``."""

    def evolve(self: Any, **changes: Any) -> Any:
        cls = type(self)
        schema = changes.setdefault("schema", self.schema)
        chosen = extended(validator_for(schema, default=cls))
        for field in attrs.fields(cls):
            if field.init and field.alias not in changes:
                changes[field.alias] = getattr(self, field.name)
        return chosen(**changes)

    return evolve


def _noting(keyword: str, fn: Callable[..., Any], unenforced: dict[str, None]) -> Any:
    """The check of ``keyword``, checking nothing when the schema's value for it cannot be
    used, and noting so in ``unenforced``."""

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        try:
            yield from fn(validator, value, instance, schema)
        except _UNUSABLE as exc:
            shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
            unenforced.setdefault(f"{keyword} {shown} cannot be checked ({_why(exc)})")

    return check


def _finite_number(checker: Any, instance: Any) -> bool:
    if isinstance(instance, float):
        return math.isfinite(instance)
    return isinstance(instance, int) and not isinstance(instance, bool)


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "string"):
        return
    found = pattern_search(pattern, instance)
    if found is None:
        compile_ecma(pattern)  # (its re.error says why: the keyword is then not enforced)
    if not found:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


class _Missing(jsonschema.ValidationError):
    """A required property missing from an object (``name``), as ``_one_way_required``
    says it: ``_one_way_all_of`` may excuse it for a flag another ``allOf`` part gives."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} is a required property")
        self.name = name


def _excused(validator: Any, schema: Any, direction: Direction) -> set[str]:
    """The properties ``schema`` (an object's) excuses from ``required`` going
    ``direction``: readOnly ones in a request, writeOnly ones in a reply, wherever the flag
    is written (``one_way``, as the import reads it)."""
    # (jsonschema keeps a validator's ``referencing`` resolver, at the schema being
    # checked, as ``_resolver``: its $refs are looked up from there.)
    flags = declared_flags(schema, getattr(validator, "_resolver", None))
    which = 0 if direction == "request" else 1
    return {name for name, flag in flags.items() if flag[which]}


def _one_way_required(direction: Direction) -> Callable[..., Any]:
    """``required`` for one direction: a property missing from a request is no break when
    it is readOnly, nor one missing from a reply when it is writeOnly (``_excused``: the flag
    may sit on the property's schema, behind its $ref, or in an allOf part of the object).
    Other properties are required both ways. (OAS 3.0's own validator excuses both flags in
    both directions; JSON Schema's, neither.)"""

    def required(validator: Any, names: Any, instance: Any, schema: Any) -> Any:
        if not validator.is_type(instance, "object") or not isinstance(names, list):
            return
        missing = [n for n in names if n not in instance]
        excused = _excused(validator, schema, direction) if missing else set()
        for name in missing:
            if name not in excused:
                yield _Missing(name)

    return required


def _one_way_all_of(direction: Direction, all_of: Callable[..., Any]) -> Callable[..., Any]:
    """``allOf`` for one direction: a property one part requires and another flags
    (``required: [password]`` here, ``password: {writeOnly: true}`` there) is excused as
    ``_one_way_required`` excuses it, for the whole object."""

    def check(validator: Any, parts: Any, instance: Any, schema: Any) -> Any:
        excused: set[str] | None = None
        for error in all_of(validator, parts, instance, schema):
            if isinstance(error, _Missing) and error.instance is instance:
                if excused is None:
                    excused = _excused(validator, schema, direction)
                if error.name in excused:
                    continue
            yield error

    return check


# The keywords that match property names against ``patternProperties`` with ``re.search``.
_KEY_PATTERNS = ("patternProperties", "additionalProperties", "unevaluatedProperties")


def _key_patterns(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The check of a keyword that reads ``patternProperties``, its patterns read as ECMA
    reads them (``python_pattern``); its messages name the patterns as the schema wrote
    them."""

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        patterns = schema.get("patternProperties")
        if not isinstance(patterns, dict):
            yield from fn(validator, value, instance, schema)
            return
        read = {python_pattern(p): sub for p, sub in patterns.items()}  # (re.error: noted)
        value = read if value is patterns else value
        written = {repr(python_pattern(p)): repr(p) for p in patterns if python_pattern(p) != p}
        for error in fn(validator, value, instance, {**schema, "patternProperties": read}):
            for spelled, pattern in written.items():
                error.message = error.message.replace(spelled, pattern)
            yield error

    return check


def _why(exc: Exception) -> str:
    if isinstance(exc, jsonschema.exceptions.UnknownType):
        return f"unknown type {exc.type!r}"
    if isinstance(exc, referencing.exceptions.Unresolvable):
        return "it cannot be resolved"
    if isinstance(exc, re.error):
        return f"not a Python regular expression: {exc}"
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _checks(
    cls: Any,
    sources: dict[str, str],
    direction: Direction | None,
    inline: dict[str, dict[str, Any]] | None = None,
    **kwargs: Any,
) -> dict[str, RecordValidator]:
    """A check per entity: of the schema at its URI, or of its ``inline`` schema (one no
    document holds)."""
    unenforced: dict[str, None] = {}
    tolerant = _tolerant(cls, unenforced, direction)
    made = inline or {}
    return {
        name: RecordCheck(tolerant(made.get(name) or {"$ref": uri}, **kwargs), unenforced)
        for name, uri in sources.items()
    }


def jsonschema_validators(
    docs: DocumentSet, sources: dict[str, str], direction: Direction | None = None
) -> dict[str, RecordValidator]:
    """A validator per entity (name -> URI of its schema), sharing one registry; for values
    going ``direction`` (see ``Direction``)."""
    registry = docs.registry()
    cls = validator_for(
        docs.main.data if isinstance(docs.main.data, dict) else {},
        default=jsonschema.Draft202012Validator,
    )
    # The formats the labels hold values to (``_formats.format_ok``), whatever the draft:
    # draft-04's checker knows no date, time or uuid, draft-07's no uuid or duration, so a
    # uuid a fault broke was "labelled invalid but passes" there (ajv-formats checks them).
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return _checks(cls, sources, direction, registry=registry, format_checker=checker)


def openapi_validators(
    docs: DocumentSet,
    sources: dict[str, str],
    version: str,
    direction: Direction | None = None,
    inline: dict[str, dict[str, Any]] | None = None,
) -> dict[str, RecordValidator]:
    """openapi-schema-validator's OAS 3.0 / 3.1 validators, one per entity; for values going
    ``direction`` (see ``Direction``); ``inline``: the entities whose schema no document
    holds (see ``Converter.made_schemas``)."""
    registry: Registry[Any] = docs.registry()
    if version.startswith("2"):
        # Swagger 2.0 writes the discriminator as a bare property name.
        data = _swagger_discriminators(copy.deepcopy(docs.main.data))
        registry = registry.with_resource(docs.main.uri, docs.default_spec.create_resource(data))
    if version.startswith(("3.1", "3.2")):
        cls: Any = OAS31Validator
        checker = _with_byte_check(oas31_format_checker)
    else:
        cls, checker = OAS30Validator, _with_byte_check(oas30_format_checker)
    return _checks(cls, sources, direction, inline, registry=registry, format_checker=checker)


def _with_byte_check(checker: jsonschema.FormatChecker) -> jsonschema.FormatChecker:
    """``checker`` with a ``byte`` check that cannot raise (see ``is_base64``)."""
    fixed = jsonschema.FormatChecker(formats=())
    fixed.checkers = dict(checker.checkers)
    fixed.checks("byte", raises=(binascii.Error, ValueError))(is_base64)
    return fixed


def _swagger_discriminators(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "discriminator" and isinstance(value, str):
                node[key] = {"propertyName": value}
            else:
                _swagger_discriminators(value)
    elif isinstance(node, list):
        for item in node:
            _swagger_discriminators(item)
    return node
