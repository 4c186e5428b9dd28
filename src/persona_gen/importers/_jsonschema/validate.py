"""Record validators built from the ORIGINAL schema with the `jsonschema` package.

Each entity keeps the URI of the schema it came from; a validator is ``{"$ref": uri}``
checked by the right validator class (a JSON Schema draft, or OpenAPI 3.0/3.1 from
openapi-schema-validator), with references resolved through the import's registry and
format checking on.
"""

from __future__ import annotations

import binascii
import copy
import re
from collections.abc import Callable
from typing import Any

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
from persona_gen.importers._jsonschema.documents import DocumentSet

__all__ = ["RecordValidator", "jsonschema_validators", "openapi_validators"]

RecordValidator = Callable[[Any], list[str]]
"""record -> the validator's messages (empty when the record is valid)"""

MAX_MESSAGES = 5


def _checker(validator: Any) -> RecordValidator:
    def check(record: Any) -> list[str]:
        try:
            errors = list(validator.iter_errors(record))
        except (
            referencing.exceptions.Unresolvable,
            jsonschema.exceptions.SchemaError,
            re.error,
        ) as exc:
            return [f"schema cannot be used: {type(exc).__name__}: {exc}"]
        return [f"{e.json_path}: {e.message}" for e in errors[:MAX_MESSAGES]]

    return check


def jsonschema_validators(docs: DocumentSet, sources: dict[str, str]) -> dict[str, RecordValidator]:
    """A validator per entity (name -> URI of its schema), sharing one registry."""
    registry = docs.registry()
    cls = validator_for(
        docs.main.data if isinstance(docs.main.data, dict) else {},
        default=jsonschema.Draft202012Validator,
    )
    return {
        name: _checker(cls({"$ref": uri}, registry=registry, format_checker=cls.FORMAT_CHECKER))
        for name, uri in sources.items()
    }


def openapi_validators(
    docs: DocumentSet, sources: dict[str, str], version: str
) -> dict[str, RecordValidator]:
    """openapi-schema-validator's OAS 3.0 / 3.1 validators, one per entity."""
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
    return {
        name: _checker(cls({"$ref": uri}, registry=registry, format_checker=checker))
        for name, uri in sources.items()
    }


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
