"""The ``protobuf`` importer: ``.proto`` files, compiled by the real protoc (grpcio-tools).

protoc parses the file and everything it imports into a ``FileDescriptorSet``; the messages of
the input file become entities (see ``_mapping`` for how each construct maps). Records are
messages in protobuf's JSON form, so the protobuf runtime itself is their validator and encoder:
``to_message(record, message_class(descriptor_set(path), "User")).SerializeToString()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from persona_gen.errors import SchemaImportError
from persona_gen.importers.base import ImportResult
from persona_gen.importers.protobuf._mapping import map_file
from persona_gen.importers.protobuf._protoc import compile_set, include_paths, read_text
from persona_gen.importers.protobuf._runtime import message_class, pool_of, to_message

__all__ = ["ProtobufImporter", "descriptor_set", "message_class", "to_message"]

_SNIFF = re.compile(
    r"""^\s*(?:syntax\s*=\s*["']proto[23]["']|edition\s*=\s*["']\d+["']|message\s+\w+\s*\{)""",
    re.M,
)


def descriptor_set(path: str | Path, includes: Iterable[str | Path] = ()) -> bytes:
    """The serialized ``FileDescriptorSet`` of ``path`` and its imports, as protoc builds it.

    The same include paths as the importer's are searched (``includes`` first). Raises
    ``SchemaImportError`` when the file does not compile.
    """
    file = Path(path)
    text = read_text(file)
    return compile_set(file, include_paths(file, text, includes), source_info=False)


class ProtobufImporter:
    """Reads one ``.proto`` file (proto2, proto3 or editions) with its imports."""

    name: ClassVar[str] = "protobuf"
    extensions: ClassVar[tuple[str, ...]] = (".proto",)

    def __init__(self, includes: Iterable[str | Path] = ()) -> None:
        self.includes = tuple(includes)

    @classmethod
    def sniff(cls, path: Path, text: str) -> bool:
        return path.suffix.lower() in cls.extensions or bool(_SNIFF.search(text))

    def load(
        self,
        path: Path,
        *,
        dialect: str | None = None,
        strict: bool = False,
        includes: Iterable[str | Path] = (),
    ) -> ImportResult:
        """Compile ``path`` and map its messages; ``includes`` add ``-I`` paths for this call."""
        path = Path(path)
        text = read_text(path)
        dirs = include_paths(path, text, [*self.includes, *includes])
        data = compile_set(path, dirs, source_info=True)
        try:
            fds = descriptor_pb2.FileDescriptorSet.FromString(data)
            pool = pool_of(data)
        except (DecodeError, ValueError) as exc:
            raise SchemaImportError(
                f"protoc's descriptor set cannot be loaded: {exc}", path
            ) from None
        if not fds.file:
            raise SchemaImportError("protoc produced no file descriptors", path)
        mapped = map_file(pool, fds)
        if not mapped.listed:
            raise SchemaImportError(
                "no message types to import: the file defines only enums, services, options "
                "or well-known types",
                path,
            )
        return ImportResult(mapped.domain, mapped.listed, self.name, mapped.warnings)
