"""What a .proto says about its fields beyond their types: comments and field behaviours.

* Leading (else trailing) comments of messages and fields, from protoc's source info, become
  descriptions.
* ``google.api.field_behavior`` (googleapis' convention, used by most gRPC APIs that follow
  AIP-203): ``REQUIRED`` makes a field required, ``OUTPUT_ONLY`` read-only and ``INPUT_ONLY``
  write-only.
* proto3 ``optional`` fields, whose synthetic oneofs are not real choices.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2, message_factory

__all__ = ["Docs", "FieldBehaviour", "proto3_optionals"]


@dataclass
class Docs:
    """Leading comments by full name (messages and fields), from protoc's source info."""

    text: dict[str, str] = field(default_factory=dict)

    def add_file(self, proto: descriptor_pb2.FileDescriptorProto) -> None:
        by_path = {
            tuple(loc.path): (loc.leading_comments or loc.trailing_comments)
            for loc in proto.source_code_info.location
        }
        prefix = f"{proto.package}." if proto.package else ""
        for i, msg in enumerate(proto.message_type):
            self._message(msg, prefix, (4, i), by_path)

    def _message(
        self,
        msg: descriptor_pb2.DescriptorProto,
        prefix: str,
        path: tuple[int, ...],
        by_path: dict[tuple[int, ...], str],
    ) -> None:
        full = prefix + msg.name
        self._put(full, by_path.get(path))
        for k, f in enumerate(msg.field):
            self._put(f"{full}.{f.name}", by_path.get((*path, 2, k)))
        for j, nested in enumerate(msg.nested_type):
            self._message(nested, f"{full}.", (*path, 3, j), by_path)

    def _put(self, key: str, comment: str | None) -> None:
        if comment and comment.strip():
            self.text[key] = "\n".join(ln.strip() for ln in comment.strip().splitlines())


def proto3_optionals(proto: descriptor_pb2.FileDescriptorProto) -> Iterator[str]:
    prefix = f"{proto.package}." if proto.package else ""

    def walk(msg: descriptor_pb2.DescriptorProto, base: str) -> Iterator[str]:
        full = base + msg.name
        for f in msg.field:
            if f.proto3_optional:
                yield f"{full}.{f.name}"
        for nested in msg.nested_type:
            yield from walk(nested, f"{full}.")

    for msg in proto.message_type:
        yield from walk(msg, prefix)


class FieldBehaviour:
    """Reads ``[(google.api.field_behavior) = ...]`` where the file set defines that option."""

    def __init__(self, pool: Any) -> None:
        try:
            self.ext = pool.FindExtensionByName("google.api.field_behavior")
            options = pool.FindMessageTypeByName("google.protobuf.FieldOptions")
        except KeyError:
            self.ext = None
            return
        self.options = message_factory.GetMessageClass(options)

    def of(self, f: Any) -> set[str]:
        """The behaviour names of field ``f`` (``{"REQUIRED", "OUTPUT_ONLY"}``...)."""
        if self.ext is None or not f.has_options:
            return set()
        raw = f.GetOptions().SerializeToString()
        if not raw:
            return set()
        parsed = self.options.FromString(raw)
        names = self.ext.enum_type.values_by_number
        return {names[v].name for v in parsed.Extensions[self.ext] if v in names}
