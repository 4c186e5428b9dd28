"""The core the `openapi` and `jsonschema` importers share: documents, $ref resolution,
conversion to the entity model, and validators built from the original schema."""

from __future__ import annotations

from persona_gen.importers._jsonschema.context import Ctx, Flavour
from persona_gen.importers._jsonschema.convert import Converter
from persona_gen.importers._jsonschema.documents import Document, DocumentSet, parse_text
from persona_gen.importers._jsonschema.validate import (
    Direction,
    RecordValidator,
    jsonschema_validators,
    openapi_validators,
)

__all__ = [
    "Converter",
    "Ctx",
    "Direction",
    "Document",
    "DocumentSet",
    "Flavour",
    "RecordValidator",
    "jsonschema_validators",
    "openapi_validators",
    "parse_text",
]
