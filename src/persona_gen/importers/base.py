"""The importer contract: read one schema file into a Domain of named entities.

An importer is a class with ``name``, ``extensions`` and two methods:

* ``sniff(path, text) -> bool``: does this file look like my format? (auto-detection)
* ``load(path, *, dialect=None, strict=False) -> ImportResult``

It raises ``SchemaImportError`` (with the file and, where known, the line) for anything it
cannot read, and lists constructs it can read but not express as ``warnings``; with
``strict=True`` the caller turns warnings into an error. It never writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from persona_gen.entities.model import Domain

__all__ = ["ImportResult", "Importer"]


@dataclass(frozen=True)
class ImportResult:
    """What an importer found in a file."""

    domain: Domain  # every named entity (and, for OpenAPI, the operations)
    listed: tuple[str, ...]  # the entities a user may pick with -e, in file order
    format: str  # the importer's registry name
    warnings: tuple[str, ...] = field(default=())  # "path: what could not be expressed"
    # (entity, why no value of it fits, and where): import-schema refuses such an entity,
    # and one that needs it, when chosen. The entity's schema says no value fits (an empty
    # enum, as ``values.feasible`` reads it); this says why, in the source's own terms.
    unsatisfiable: tuple[tuple[str, str], ...] = field(default=())


class Importer(Protocol):
    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]

    @classmethod
    def sniff(cls, path: Path, text: str) -> bool: ...

    def load(
        self, path: Path, *, dialect: str | None = None, strict: bool = False
    ) -> ImportResult: ...
