"""One Parquet file made of parts: standalone Parquet files with the same schema, each holding
some row groups, written one after the other by ``PartsWriter``.

A Parquet file is ``PAR1``, the row groups' pages, then a footer (Thrift ``FileMetaData``)
that lists every row group and where its column chunks start, its length and ``PAR1``. A
part's pages are copied as they are; its row groups join the file's footer with their
offsets moved by where the part's pages now start. So the parts can be encoded anywhere (in
worker processes) and only their bytes pass through the writer, while the file is the same
whoever made them. pyarrow reads a footer but cannot edit or write one: ``thrift_compact``
does that.
"""

from __future__ import annotations

from typing import IO

from persona_gen.errors import OutputError
from persona_gen.sinks.thrift_compact import Field, list_of_structs, read_struct, write_struct

__all__ = ["PartsWriter"]

_MAGIC = b"PAR1"
# Field ids (parquet.thrift): FileMetaData, RowGroup, ColumnChunk, ColumnMetaData.
_FILE_SCHEMA, _FILE_NUM_ROWS, _FILE_ROW_GROUPS = 2, 3, 4
_GROUP_COLUMNS, _GROUP_FILE_OFFSET, _GROUP_ORDINAL = 1, 5, 7
_CHUNK_META = 3
_CHUNK_OFFSETS = (2, 4, 6)  # file_offset, offset_index_offset, column_index_offset
_META_OFFSETS = (9, 10, 11, 14)  # data, index, dictionary page; bloom filter


def _footer(part: memoryview) -> tuple[memoryview, list[Field]]:
    """A part's pages (everything between its leading magic and its footer) and footer."""
    size = len(part)
    if size < 12 or part[:4] != _MAGIC or part[size - 4 :] != _MAGIC:
        raise OutputError("parquet: a part is not a Parquet file")
    footer_size = int.from_bytes(part[size - 8 : size - 4], "little")
    footer_at = size - 8 - footer_size
    if footer_at < 4:
        raise OutputError("parquet: a part's footer length is wrong")
    return part[4:footer_at], read_struct(part[footer_at : size - 8])


def _field(fields: list[Field], field_id: int) -> Field | None:
    return next((f for f in fields if f.id == field_id), None)


def _shift(fields: list[Field], ids: tuple[int, ...], by: int) -> None:
    for field in fields:
        # 0 is no offset (the file's magic is there): pyarrow leaves a column chunk's
        # deprecated file_offset at 0.
        if field.id in ids and field.value:
            field.value += by


def _moved_row_group(group: list[Field], by: int, ordinal: int) -> list[Field]:
    """A row group's metadata with its offsets moved ``by`` bytes, numbered ``ordinal``."""
    _shift(group, (_GROUP_FILE_OFFSET,), by)
    columns = _field(group, _GROUP_COLUMNS)
    for chunk in columns.value.items if columns is not None else ():
        _shift(chunk, _CHUNK_OFFSETS, by)
        meta = _field(chunk, _CHUNK_META)
        if meta is not None:
            _shift(meta.value, _META_OFFSETS, by)
    number = _field(group, _GROUP_ORDINAL)
    if number is not None:
        number.value = ordinal
    return group


class PartsWriter:
    """Writes parts into ``stream`` in order; ``close`` writes the footer that lists them all
    (nothing at all when no part had rows)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.position = 0  # the file's size so far
        self.rows = 0
        # Each row group's metadata, moved and written (a few hundred bytes per column; as
        # fields, Python objects that made memory grow with the record count).
        self.row_groups: list[bytes] = []
        self.first_footer: list[Field] | None = None

    def write(self, part: bytes | memoryview) -> None:
        pages, footer = _footer(memoryview(part))
        if self.first_footer is None:
            self.first_footer = footer
            self.stream.write(_MAGIC)
            self.position = len(_MAGIC)
        elif _field(footer, _FILE_SCHEMA) != _field(self.first_footer, _FILE_SCHEMA):
            raise OutputError("parquet: a part's schema differs from the first part's")
        # The part's pages started right after its own magic; here they start at `position`.
        by = self.position - len(_MAGIC)
        groups = _field(footer, _FILE_ROW_GROUPS)
        for group in groups.value.items if groups is not None else ():
            moved = _moved_row_group(group, by, len(self.row_groups))
            self.row_groups.append(write_struct(moved))
        rows = _field(footer, _FILE_NUM_ROWS)
        self.rows += rows.value if rows is not None else 0
        self.stream.write(pages)
        self.position += len(pages)

    def close(self) -> None:
        if self.first_footer is None:
            return
        replaced = {
            _FILE_NUM_ROWS: self.rows,
            _FILE_ROW_GROUPS: list_of_structs(self.row_groups),
        }
        footer = [
            Field(f.id, f.type, replaced[f.id]) if f.id in replaced else f
            for f in self.first_footer
        ]
        body = write_struct(footer)
        self.stream.write(body + len(body).to_bytes(4, "little") + _MAGIC)
