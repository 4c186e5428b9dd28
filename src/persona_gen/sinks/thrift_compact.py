"""Thrift's compact protocol, read into plain values and written back: enough to edit a
Parquet footer (``parquet_parts``), whose structs pyarrow writes but does not let us change.

A struct reads as a list of ``Field``s in the order they were written; writing it back gives
the same bytes, so only the fields that are changed differ. Values: ints for the integer
types, ``bytes`` for binary, ``bool`` for a struct's boolean field, ``Container`` for lists,
sets and maps, a field list for a nested struct, and the 8 raw bytes of a double. A struct to
write may also be given as the bytes ``write_struct`` made of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persona_gen.errors import OutputError

__all__ = ["Container", "Field", "list_of_structs", "read_struct", "write_struct"]

_STOP, _TRUE, _FALSE, _I8, _I16, _I32, _I64, _DOUBLE, _BINARY = 0, 1, 2, 3, 4, 5, 6, 7, 8
_LIST, _SET, _MAP, _STRUCT = 9, 10, 11, 12
_MAX_DEPTH = 64  # a Parquet footer nests a few structs deep; garbage could nest thousands


@dataclass
class Field:
    id: int
    type: int  # the compact type code; a boolean field is _TRUE or _FALSE, its value too
    value: Any


@dataclass
class Container:
    """A list or set (``key_type`` is its element type) or a map (items are key, value
    pairs)."""

    kind: int
    key_type: int
    value_type: int
    items: list[Any]


class _Reader:
    def __init__(self, data: bytes | memoryview) -> None:
        self.data = bytes(data)
        self.pos = 0
        self.depth = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise OutputError("parquet: a footer ends early (not a Parquet file part)")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def varint(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise OutputError("parquet: a footer ends early (not a Parquet file part)")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def value(self, kind: int) -> Any:
        if kind in (_TRUE, _FALSE):  # only inside containers: one byte each
            return self.byte()
        if kind == _I8:
            return self.byte()
        if kind in (_I16, _I32, _I64):
            return self.zigzag()
        if kind == _DOUBLE:
            return self.take(8)
        if kind == _BINARY:
            return self.take(self.varint())
        if kind in (_LIST, _SET):
            header = self.byte()
            size, element = header >> 4, header & 0x0F
            if size == 15:
                size = self.varint()
            return Container(kind, element, 0, [self.value(element) for _ in range(size)])
        if kind == _MAP:
            size = self.varint()
            types = self.byte() if size else 0
            key, value = types >> 4, types & 0x0F
            pairs = [(self.value(key), self.value(value)) for _ in range(size)]
            return Container(kind, key, value, pairs)
        if kind == _STRUCT:
            return self.struct()
        raise OutputError(f"parquet: unknown Thrift type {kind} in a footer")

    def struct(self) -> list[Field]:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise OutputError("parquet: a footer nests too deep (not a Parquet file part)")
        fields: list[Field] = []
        last = 0
        while True:
            header = self.byte()
            if header == _STOP:
                self.depth -= 1
                return fields
            delta, kind = header >> 4, header & 0x0F
            last = last + delta if delta else self.zigzag()
            if kind in (_TRUE, _FALSE):
                fields.append(Field(last, kind, kind == _TRUE))
            else:
                fields.append(Field(last, kind, self.value(kind)))


def list_of_structs(items: list[Any]) -> Container:
    """A list whose elements are structs (field lists or ``write_struct`` bytes)."""
    return Container(_LIST, _STRUCT, 0, items)


def read_struct(data: bytes | memoryview) -> list[Field]:
    """The struct that ``data`` holds (compact protocol)."""
    return _Reader(data).struct()


def _varint(n: int, out: bytearray) -> None:
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _zigzag(n: int, out: bytearray) -> None:
    _varint((n << 1) ^ (n >> 63), out)


def _write_value(kind: int, value: Any, out: bytearray) -> None:
    if kind in (_TRUE, _FALSE, _I8):
        out.append(value)
    elif kind in (_I16, _I32, _I64):
        _zigzag(value, out)
    elif kind == _DOUBLE:
        out += value
    elif kind == _BINARY:
        _varint(len(value), out)
        out += value
    elif kind in (_LIST, _SET):
        size = len(value.items)
        if size < 15:
            out.append(size << 4 | value.key_type)
        else:
            out.append(0xF0 | value.key_type)
            _varint(size, out)
        for item in value.items:
            _write_value(value.key_type, item, out)
    elif kind == _MAP:
        _varint(len(value.items), out)
        if value.items:
            out.append(value.key_type << 4 | value.value_type)
        for key, item in value.items:
            _write_value(value.key_type, key, out)
            _write_value(value.value_type, item, out)
    elif kind == _STRUCT:
        if isinstance(value, bytes):  # a struct written before (``write_struct``)
            out += value
        else:
            _write_fields(value, out)
    else:
        raise OutputError(f"parquet: unknown Thrift type {kind} in a footer")


def _write_fields(fields: list[Field], out: bytearray) -> None:
    last = 0
    for field in fields:
        kind = (_TRUE if field.value else _FALSE) if field.type in (_TRUE, _FALSE) else field.type
        delta = field.id - last
        if 0 < delta <= 15:
            out.append(delta << 4 | kind)
        else:
            out.append(kind)
            _zigzag(field.id, out)
        if kind not in (_TRUE, _FALSE):
            _write_value(kind, field.value, out)
        last = field.id
    out.append(_STOP)


def write_struct(fields: list[Field]) -> bytes:
    """``fields`` as a compact-protocol struct."""
    out = bytearray()
    _write_fields(fields, out)
    return bytes(out)
