"""Small valid files of the common binary media types, made of some bytes.

A body (or a form's file part) of a binary media type is the bytes drawn for it; for the
types below those bytes are wrapped as a file of the type, so a parser of it reads it: the
bytes are its pixels, samples or content. Each file is a pure function of the bytes (no
draw, no clock, no platform detail), written by hand where a library's output could differ
between machines (compression: stored, never deflated; archives with their times at the
epoch of their format). A type not listed is sent as the bytes themselves
(``application/octet-stream`` is any bytes).

=====================================  ======================================================
media type                             file
=====================================  ======================================================
``image/png``                          one row of 8-bit RGB pixels (zeros pad the last)
``image/jpeg``                         baseline greyscale JFIF: an 8x8 block of one grey per byte
``image/gif``                          GIF89a, a grey palette, one pixel per byte
``image/bmp``                          24-bit BMP, one row of pixels (zeros pad the last)
``image/tiff``                         baseline greyscale TIFF, one pixel per byte
``application/pdf``                    a one-page PDF 1.4 showing the bytes as a string
``application/zip``                    a ZIP archive (stored) of one member, ``data.bin``
``application/gzip``                   gzip (stored deflate blocks, mtime 0) of the bytes
``application/x-tar``                  a ustar archive of one member, ``data.bin``
``audio/wav``                          RIFF WAVE, 8-bit mono PCM at 8 kHz, one sample per byte
``audio/mpeg``                         MPEG-1 Layer III frames of silence carrying the bytes as
                                       ancillary data
``video/mp4``                          ISO base media: ``ftyp``, an empty ``moov`` (``mvhd``),
                                       the bytes in ``mdat``
=====================================  ======================================================

Aliases (``image/jpg``, ``application/x-zip-compressed``, ``audio/x-wav``, ``audio/mp3``…)
are listed in ``_ALIASES``.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable

from persona_gen.entities.media import base_type

__all__ = ["FILE_TYPES", "as_file"]


def as_file(data: bytes, media: str) -> bytes:
    """``data`` as a file of ``media`` (see the module's docstring); itself for a type not
    listed, and for no bytes."""
    base = base_type(media)
    maker = _MAKERS.get(_ALIASES.get(base, base))
    return maker(data) if maker is not None and data else data


# -- images ----------------------------------------------------------------------------------


def _png(data: bytes) -> bytes:
    """A PNG of one row of 8-bit RGB pixels made of ``data`` (zeros pad the last one)."""
    width = (len(data) + 2) // 3
    row = b"\x00" + data.ljust(3 * width, b"\x00")  # (filter type 0: none)
    header = struct.pack(">IIBBBBB", width, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", _zlib_stored(row))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


_BLOCKS_PER_ROW = 64  # (a JPEG's and a GIF's rows: 64 blocks, 512 pixels)
# The DC luminance Huffman table of JPEG's Annex K: code lengths 1…16, then the symbols.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)


def _canonical(bits: tuple[int, ...]) -> list[tuple[int, int]]:
    """The ``(code, length)`` of each symbol of a Huffman table given by its count of codes
    of each length (JPEG's canonical codes)."""
    out, code = [], 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            out.append((code, length))
            code += 1
        code <<= 1
    return out


_DC_CODES = _canonical(_DC_BITS)  # category -> (code, length)


def _jpeg(data: bytes) -> bytes:
    """A baseline greyscale JPEG (JFIF) whose 8x8 blocks are each one grey, a byte of
    ``data`` (rows of 64 blocks; black blocks pad the last row). Quantisation 1, only DC
    coefficients: each block is its DC difference and an end-of-block."""
    across = min(len(data), _BLOCKS_PER_ROW)
    down = -(-len(data) // across)
    greys = data.ljust(across * down, b"\x00")
    bits = _Bits()
    previous = 0
    for grey in greys:
        dc = 8 * (grey - 128)  # (a flat block's DC coefficient)
        diff, previous = dc - previous, dc
        size = abs(diff).bit_length()
        bits.put(*_DC_CODES[size])
        bits.put(diff if diff >= 0 else diff + (1 << size) - 1, size)
        bits.put(0, 1)  # end of block: the AC table's one code, "0"
    scan = bits.flush().replace(b"\xff", b"\xff\x00")
    dc_table = bytes([0x00, *_DC_BITS, *range(12)])
    ac_table = bytes([0x10, 1, *([0] * 15), 0x00])
    return (
        b"\xff\xd8"
        + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _segment(0xDB, b"\x00" + b"\x01" * 64)
        + _segment(0xC0, struct.pack(">BHHB3B", 8, 8 * down, 8 * across, 1, 1, 0x11, 0))
        + _segment(0xC4, dc_table + ac_table)
        + _segment(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
        + scan
        + b"\xff\xd9"
    )


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


class _Bits:
    """Bits written most significant first (JPEG's order), padded with ones."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def put(self, code: int, length: int) -> None:
        self.value = (self.value << length) | code
        self.count += length

    def flush(self) -> bytes:
        pad = -self.count % 8
        value = (self.value << pad) | ((1 << pad) - 1)
        return value.to_bytes((self.count + pad) // 8, "big")


def _gif(data: bytes) -> bytes:
    """A GIF89a of one pixel per byte of ``data`` over a palette of 256 greys (rows of 512
    pixels; black pads the last). LZW with 9-bit codes only: every pixel is a literal, and
    a clear code comes before the table would grow past 9 bits."""
    across = min(len(data), 8 * _BLOCKS_PER_ROW)
    down = -(-len(data) // across)
    pixels = data.ljust(across * down, b"\x00")
    clear, end = 256, 257
    value = count = 0
    codes = []
    for i, pixel in enumerate(pixels):
        if i % 250 == 0:
            codes.append(clear)
        codes.append(pixel)
    codes.append(end)
    out = bytearray()
    for code in codes:  # (least significant bit first, GIF's order)
        value |= code << count
        count += 9
        while count >= 8:
            out.append(value & 0xFF)
            value >>= 8
            count -= 8
    if count:
        out.append(value & 0xFF)
    blocks = b"".join(
        bytes([len(out[i : i + 255])]) + out[i : i + 255] for i in range(0, len(out), 255)
    )
    palette = bytes(g for g in range(256) for _ in range(3))
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", across, down, 0xF7, 0, 0)
        + palette
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, across, down, 0)
        + b"\x08"
        + blocks
        + b"\x00\x3b"
    )


def _bmp(data: bytes) -> bytes:
    """A 24-bit BMP of one row of pixels made of ``data`` (zeros pad the last one; rows
    are padded to 4 bytes, as BMP has them)."""
    width = (len(data) + 2) // 3
    row = data.ljust(3 * width, b"\x00")
    row += b"\x00" * (-len(row) % 4)
    info = struct.pack("<IiiHHIIiiII", 40, width, 1, 1, 24, 0, len(row), 2835, 2835, 0, 0)
    head = struct.pack("<IHHI", 14 + len(info) + len(row), 0, 0, 14 + len(info))
    return b"BM" + head + info + row


def _tiff(data: bytes) -> bytes:
    """A baseline greyscale TIFF (little-endian, uncompressed) of one row, a pixel per
    byte of ``data``."""
    entries = [  # (tag, type: 3 SHORT / 4 LONG, value), in tag order
        (256, 4, len(data)),  # ImageWidth
        (257, 4, 1),  # ImageLength
        (258, 3, 8),  # BitsPerSample
        (259, 3, 1),  # Compression: none
        (262, 3, 1),  # PhotometricInterpretation: black is zero
        (273, 4, 0),  # StripOffsets (set below)
        (277, 3, 1),  # SamplesPerPixel
        (278, 4, 1),  # RowsPerStrip
        (279, 4, len(data)),  # StripByteCounts
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    pixels_at = 8 + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, kind, given in entries:
        value = pixels_at if tag == 273 else given
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, 1) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00" + data


# -- documents and archives ------------------------------------------------------------------


def _pdf(data: bytes) -> bytes:
    """A one-page PDF 1.4 (A4) showing ``data`` as a hex string in Helvetica, with its
    cross-reference table."""
    content = b"BT /F1 12 Tf 72 770 Td <" + data.hex().encode("ascii") + b"> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # (a binary comment, as the spec advises)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    return bytes(out + b"startxref\n%d\n%%%%EOF\n" % xref)


_MEMBER = "data.bin"


def _zip(data: bytes) -> bytes:
    """A ZIP archive holding ``data`` as ``data.bin``, stored, dated 1980-01-01 (ZIP's
    first day), made on Unix (whatever the platform)."""
    member = zipfile.ZipInfo(_MEMBER, date_time=(1980, 1, 1, 0, 0, 0))
    member.create_system = 3
    member.external_attr = 0o644 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def _gzip(data: bytes) -> bytes:
    """``data`` gzipped (RFC 1952) in stored deflate blocks: no modification time, no name,
    OS unknown, so the same bytes on every machine whatever its zlib."""
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + _stored_deflate(data) + trailer


def _zlib_stored(data: bytes) -> bytes:
    """``data`` as a zlib stream (RFC 1950) of stored deflate blocks: a PNG's pixel data the
    same on every machine (``zlib.compress`` output differs between zlib builds)."""
    return b"\x78\x01" + _stored_deflate(data) + struct.pack(">I", zlib.adler32(data))


def _stored_deflate(data: bytes) -> bytes:
    """``data`` as deflate (RFC 1951) blocks of type 0, stored as they are."""
    blocks = bytearray()
    for start in range(0, max(len(data), 1), 0xFFFF):
        piece = data[start : start + 0xFFFF]
        final = start + 0xFFFF >= len(data)
        blocks += struct.pack("<BHH", int(final), len(piece), 0xFFFF ^ len(piece)) + piece
    return bytes(blocks)


def _tar(data: bytes) -> bytes:
    """A ustar archive holding ``data`` as ``data.bin`` (mode 644, owner 0, time 0)."""
    member = tarfile.TarInfo(_MEMBER)
    member.size, member.mode, member.mtime = len(data), 0o644, 0
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


# -- audio and video -------------------------------------------------------------------------


def _wav(data: bytes) -> bytes:
    """RIFF WAVE, 8-bit mono PCM at 8000 Hz, a sample per byte of ``data``."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    pad = b"\x00" * (len(data) % 2)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"data" + struct.pack("<I", len(data)) + data + pad
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono, no CRC: 417-byte frames (no padding).
_MP3_HEADER = b"\xff\xfb\x90\xc0"
_MP3_SIDE = bytes(17)  # (mono side information of zeros: no main data, silence)
_MP3_ROOM = 417 - len(_MP3_HEADER) - len(_MP3_SIDE)


def _mp3(data: bytes) -> bytes:
    """MPEG audio frames of silence whose ancillary data (the bytes after a frame's main
    data, which is none) is ``data``, zeros padding the last frame."""
    frames = []
    for start in range(0, len(data), _MP3_ROOM):
        piece = data[start : start + _MP3_ROOM].ljust(_MP3_ROOM, b"\x00")
        frames.append(_MP3_HEADER + _MP3_SIDE + piece)
    return b"".join(frames)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _mp4(data: bytes) -> bytes:
    """ISO base media (MP4): ``ftyp`` (isom), a ``moov`` of one ``mvhd`` (a movie of no
    track, time 0) and ``data`` in ``mdat``."""
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = (
        struct.pack(">IIIII", 0, 0, 0, 1000, 0)  # version+flags, times, timescale, duration
        + struct.pack(">IH", 0x10000, 0x100)  # rate 1.0, volume 1.0
        + bytes(10)
        + matrix
        + bytes(24)
        + struct.pack(">I", 1)  # next track ID
    )
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41")
    return ftyp + _box(b"moov", _box(b"mvhd", mvhd)) + _box(b"mdat", data)


_MAKERS: dict[str, Callable[[bytes], bytes]] = {
    "image/png": _png,
    "image/jpeg": _jpeg,
    "image/gif": _gif,
    "image/bmp": _bmp,
    "image/tiff": _tiff,
    "application/pdf": _pdf,
    "application/zip": _zip,
    "application/gzip": _gzip,
    "application/x-tar": _tar,
    "audio/wav": _wav,
    "audio/mpeg": _mp3,
    "video/mp4": _mp4,
}
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-ms-bmp": "image/bmp",
    "image/x-bmp": "image/bmp",
    "application/x-pdf": "application/pdf",
    "application/x-zip-compressed": "application/zip",
    "application/x-gzip": "application/gzip",
    "application/tar": "application/x-tar",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/mpeg3": "audio/mpeg",
    "audio/x-mpeg-3": "audio/mpeg",
}
#: Every media type made a file of its own (aliases included).
FILE_TYPES = frozenset(_MAKERS) | frozenset(_ALIASES)
