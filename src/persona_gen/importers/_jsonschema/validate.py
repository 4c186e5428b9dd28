"""Record validators built from the ORIGINAL schema with the `jsonschema` package.

Each entity keeps the URI of the schema it came from; a validator is ``{"$ref": uri}``
checked by the right validator class (a JSON Schema draft, or OpenAPI 3.0/3.1 from
openapi-schema-validator), with references resolved through the import's registry and
format checking on.
"""

from __future__ import annotations

import copy
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

from persona_gen.importers._jsonschema.documents import DocumentSet

__all__ = ["RecordValidator", "jsonschema_validator", "openapi_validator"]

RecordValidator = Callable[[Any], list[str]]
"""record -> the validator's messages (empty when the record is valid)"""

MAX_MESSAGES = 5


def _checker(validator: Any) -> RecordValidator:
    def check(record: Any) -> list[str]:
        try:
            errors = list(validator.iter_errors(record))
        except (referencing.exceptions.Unresolvable, jsonschema.exceptions.SchemaError) as exc:
            return [f"schema cannot be used: {exc}"]
        return [f"{e.json_path}: {e.message}" for e in errors[:MAX_MESSAGES]]

    return check


def jsonschema_validator(docs: DocumentSet, uri: str) -> RecordValidator:
    registry = docs.registry()
    cls = validator_for(docs.main.data if isinstance(docs.main.data, dict) else {},
                        default=jsonschema.Draft202012Validator)
    validator = cls({"$ref": uri}, registry=registry, format_checker=cls.FORMAT_CHECKER)
    return _checker(validator)


def openapi_validator(docs: DocumentSet, uri: str, version: str) -> RecordValidator:
    registry: Registry[Any] = docs.registry()
    if version == "2.0":
        # Swagger 2.0 writes the discriminator as a bare property name.
        data = _swagger_discriminators(copy.deepcopy(docs.main.data))
        registry = registry.with_resource(docs.main.uri,
                                          docs.default_spec.create_resource(data))
    if version.startswith("3.1") or version.startswith("3.2"):
        validator: Any = OAS31Validator({"$ref": uri}, registry=registry,
                                        format_checker=oas31_format_checker)
    else:
        validator = OAS30Validator({"$ref": uri}, registry=registry,
                                   format_checker=oas30_format_checker)
    return _checker(validator)


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
