"""Real protobuf messages from generated records: the protobuf runtime as encoder and validator.

``message_class(descriptor_set(path), "User")`` gives the message class; ``to_message(record,
cls)`` parses a JSON-shaped record into it with ``json_format.ParseDict`` (unknown fields are
errors), after which ``SerializeToString()`` gives the wire bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, empty_pb2, json_format, message_factory
from google.protobuf.message import DecodeError, Message

from persona_gen.errors import UnknownNameError

__all__ = ["message_class", "message_names", "pool_of", "to_message"]


@lru_cache(maxsize=16)
def pool_of(data: bytes) -> Any:
    """A descriptor pool holding every file of a serialized ``FileDescriptorSet``.

    ``google/protobuf/empty.proto`` is added when missing: the importer's stand-in payload
    for ``google.protobuf.Any`` fields packs an Empty, which ParseDict must be able to resolve.
    Raises ``ValueError`` for bytes that are not a valid descriptor set.
    """
    fds = descriptor_pb2.FileDescriptorSet()
    try:
        fds.ParseFromString(data)
    except DecodeError as exc:
        raise ValueError(f"not a serialized FileDescriptorSet: {exc}") from None
    pool = descriptor_pool.DescriptorPool()
    names = set()
    for proto in fds.file:
        try:
            pool.AddSerializedFile(proto.SerializeToString())
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{proto.name}: {exc}") from None
        names.add(proto.name)
    empty = empty_pb2.DESCRIPTOR
    if empty.name not in names:
        pool.AddSerializedFile(empty.serialized_pb)
    return pool


def message_names(data: bytes) -> list[str]:
    """The full names of every message in a descriptor set, file by file."""
    fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    out: list[str] = []
    for proto in fds.file:
        prefix = f"{proto.package}." if proto.package else ""
        stack = [(prefix, m) for m in reversed(proto.message_type)]
        while stack:
            base, msg = stack.pop()
            out.append(base + msg.name)
            stack.extend((f"{base}{msg.name}.", n) for n in reversed(msg.nested_type))
    return out


def message_class(descriptor_set_bytes: bytes, name: str) -> type[Message]:
    """The message class for ``name`` in a serialized ``FileDescriptorSet``.

    ``name`` is a full name (``example.users.v1.User``) or, as the importer names entities, a
    name relative to the package of the set's last file (``User``, ``User.Address``) or of the
    only message with that suffix. Raises ``UnknownNameError`` when no message matches.
    """
    pool = pool_of(descriptor_set_bytes)
    names = message_names(descriptor_set_bytes)
    fds = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set_bytes)
    package = fds.file[-1].package if fds.file else ""
    candidates = [name, f"{package}.{name}" if package else name]
    suffixed = [n for n in names if n.endswith(f".{name}")]
    if len(suffixed) == 1:
        candidates.append(suffixed[0])
    for full in candidates:
        if full in names:
            cls: type[Message] = message_factory.GetMessageClass(pool.FindMessageTypeByName(full))
            return cls
    raise UnknownNameError("protobuf message", name, names)


def to_message(record: Mapping[str, Any], cls: type[Message]) -> Message:
    """Parse a JSON-shaped record into a new ``cls`` message (unknown fields are errors).

    Raises ``google.protobuf.json_format.ParseError`` when the record is not a valid JSON form
    of the message (a wrong type, a value out of range, two members of one oneof, a proto2
    ``required`` field left out, at any depth...).
    """
    msg = cls()
    try:
        json_format.ParseDict(
            dict(record),
            msg,
            ignore_unknown_fields=False,
            descriptor_pool=cls.DESCRIPTOR.file.pool,
        )
    # ParseDict trusts parts of an Any: its "@type" to be a string (else AttributeError), and
    # a packed well-known type to have its "value" (else KeyError). Records may break both.
    except KeyError as exc:
        raise json_format.ParseError(f"an Any's packed value has no {exc.args[0]!r}") from None
    except AttributeError as exc:
        raise json_format.ParseError(f"an Any's '@type' is not a type URL string ({exc})") from None
    # ParseDict leaves a proto2 ``required`` field unset without a word; serialising such a
    # message raises EncodeError, and a reader of the bytes refuses them (DecodeError).
    if not msg.IsInitialized():
        missing = ", ".join(msg.FindInitializationErrors())
        raise json_format.ParseError(f"missing required fields: {missing}")
    return msg
