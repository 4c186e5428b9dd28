"""A body of a common binary media type is a small valid file of that type, made of the bytes
drawn for it (``generators/files.py``): read here by the standard library's own parsers
(zipfile, gzip, tarfile, wave) or, where it has none, by walking the format's structure
with struct, down to the pixels or samples, which are the bytes."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import struct
import tarfile
import wave
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from persona_gen.generators import bodies
from persona_gen.generators.files import FILE_TYPES, as_file
from tests.helpers import run_cli

SAMPLES = [b"\x07", bytes(range(0, 256, 7)) + b"\xff\xff\x00hello", bytes(range(256)) * 300]


def _png(f: bytes) -> bytes:
    assert f.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, at = {}, 8
    while at < len(f):
        (size,) = struct.unpack_from(">I", f, at)
        kind, body = f[at + 4 : at + 8], f[at + 8 : at + 8 + size]
        (crc,) = struct.unpack_from(">I", f, at + 8 + size)
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = body
        at += 12 + size
    width, height, depth, colour = struct.unpack_from(">IIBB", chunks[b"IHDR"])
    assert (height, depth, colour) == (1, 8, 2) and chunks[b"IEND"] == b""
    row = zlib.decompress(chunks[b"IDAT"])
    assert row[0] == 0 and len(row) == 1 + 3 * width
    return row[1:]


def _jpeg(f: bytes) -> bytes:
    """The grey of each 8x8 block, decoding the baseline scan (DC only) by hand."""
    assert f.startswith(b"\xff\xd8\xff\xe0") and f[6:11] == b"JFIF\x00" and f.endswith(b"\xff\xd9")
    at, segments = 2, {}
    while f[at + 1] != 0xDA:
        marker, size = f[at + 1], struct.unpack_from(">H", f, at + 2)[0]
        segments[marker] = f[at + 4 : at + 2 + size]
        at += 2 + size
    scan_at = at + 2 + struct.unpack_from(">H", f, at + 2)[0]
    _, height, width, components = struct.unpack_from(">BHHB", segments[0xC0])
    assert components == 1 and segments[0xDB] == b"\x00" + b"\x01" * 64
    table = segments[0xC4]
    counts, symbols = table[1:17], table[17:29]
    codes, code, k = {}, 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            codes[(code, length)] = symbols[k]
            code, k = code + 1, k + 1
        code <<= 1
    scan = f[scan_at:-2].replace(b"\xff\x00", b"\xff")
    bits = "".join(f"{b:08b}" for b in scan)
    pos, dc, greys = 0, 0, bytearray()
    for _ in range((width // 8) * (height // 8)):
        code, length = 0, 0
        while (code, length) not in codes:
            code, length, pos = (code << 1) | int(bits[pos]), length + 1, pos + 1
        size = codes[(code, length)]
        raw = int(bits[pos : pos + size] or "0", 2)
        pos += size
        diff = raw if size == 0 or raw >= 1 << (size - 1) else raw - (1 << size) + 1
        dc += diff
        assert bits[pos] == "0"  # (end of block)
        pos += 1
        greys.append(dc // 8 + 128)
    assert set(bits[pos:]) <= {"1"} and len(bits) - pos < 8
    return bytes(greys)


def _gif(f: bytes) -> bytes:
    assert f.startswith(b"GIF89a") and f.endswith(b"\x00\x3b")
    width, height, packed = struct.unpack_from("<HHB", f, 6)
    assert packed == 0xF7 and f[13 + 768] == 0x2C and f[13 + 768 + 10] == 8
    at, data = 13 + 768 + 11, bytearray()
    while f[at]:
        data += f[at + 1 : at + 1 + f[at]]
        at += 1 + f[at]
    value = int.from_bytes(data, "little")
    codes = [(value >> (9 * i)) & 0x1FF for i in range(len(data) * 8 // 9)]
    pixels = bytearray()
    for code in codes:
        if code == 257:
            break
        if code != 256:
            pixels.append(code)
    assert len(pixels) == width * height
    return bytes(pixels)


def _bmp(f: bytes) -> bytes:
    assert f[:2] == b"BM" and struct.unpack_from("<I", f, 2)[0] == len(f)
    offset, _, width, height, _, bpp = struct.unpack_from("<IIiiHH", f, 10)
    assert (height, bpp) == (1, 24)
    return f[offset : offset + 3 * width]


def _tiff(f: bytes) -> bytes:
    assert f[:4] == b"II*\x00"
    (ifd,) = struct.unpack_from("<I", f, 4)
    (n,) = struct.unpack_from("<H", f, ifd)
    tags = {}
    for i in range(n):
        tag, kind, _ = struct.unpack_from("<HHI", f, ifd + 2 + 12 * i)
        fmt = "<H" if kind == 3 else "<I"
        tags[tag] = struct.unpack_from(fmt, f, ifd + 10 + 12 * i)[0]
    assert (tags[258], tags[259], tags[262]) == (8, 1, 1)
    return f[tags[273] : tags[273] + tags[279]]


def _pdf(f: bytes) -> bytes:
    """Every object where the cross-reference table says, and the page's hex string."""
    assert f.startswith(b"%PDF-1.4\n") and f.endswith(b"%%EOF\n")
    xref = int(f.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert f[xref:].startswith(b"xref\n0 6\n")
    rows = f[xref:].split(b"\n")[3:8]
    for number, row in enumerate(rows, start=1):
        assert f[int(row[:10]) :].startswith(b"%d 0 obj\n" % number)
    length = int(re.search(rb"/Length (\d+)", f).group(1))  # type: ignore[union-attr]
    stream = f.split(b"stream\n", 1)[1][:length]
    assert f.split(b"stream\n", 1)[1][length:].startswith(b"\nendstream")
    return bytes.fromhex(re.search(rb"<([0-9a-f]*)> Tj", stream).group(1).decode())  # type: ignore[union-attr]


def _zip(f: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(f)) as archive:
        assert archive.testzip() is None and archive.namelist() == ["data.bin"]
        return archive.read("data.bin")


def _tar(f: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(f)) as archive:
        (member,) = archive.getmembers()
        found = archive.extractfile(member)
        assert member.name == "data.bin" and found is not None
        return found.read()


def _wav(f: bytes) -> bytes:
    with wave.open(io.BytesIO(f)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 1, 8000)
        return audio.readframes(audio.getnframes())


def _mp3(f: bytes) -> bytes:
    """Frame after frame, each with its sync word, and silence: zero side information."""
    assert len(f) % 417 == 0
    out = b""
    for at in range(0, len(f), 417):
        assert f[at : at + 4] == b"\xff\xfb\x90\xc0" and f[at + 4 : at + 21] == bytes(17)
        out += f[at + 21 : at + 417]
    return out


def _mp4(f: bytes) -> bytes:
    boxes, at = {}, 0
    while at < len(f):
        size, kind = struct.unpack_from(">I4s", f, at)
        boxes[kind] = f[at + 8 : at + size]
        at += size
    assert list(boxes) == [b"ftyp", b"moov", b"mdat"] and boxes[b"ftyp"][:4] == b"isom"
    assert boxes[b"moov"][4:8] == b"mvhd" and len(boxes[b"moov"]) == 108
    return boxes[b"mdat"]


READERS: dict[str, Any] = {
    "image/png": (_png, True),  # (True: zeros may pad what is read)
    "image/jpeg": (_jpeg, True),
    "image/gif": (_gif, True),
    "image/bmp": (_bmp, True),
    "image/tiff": (_tiff, False),
    "application/pdf": (_pdf, False),
    "application/zip": (_zip, False),
    "application/gzip": (gzip.decompress, False),
    "application/x-tar": (_tar, False),
    "audio/wav": (_wav, False),
    "audio/mpeg": (_mp3, True),
    "video/mp4": (_mp4, False),
}


@pytest.mark.parametrize("media", sorted(READERS))
@pytest.mark.parametrize("data", SAMPLES, ids=["1", "45", "76800"])
def test_each_file_type_is_a_valid_file_of_the_bytes(media: str, data: bytes) -> None:
    made = as_file(data, media)
    read, padded = READERS[media]
    back = read(made)
    if padded:
        assert back[: len(data)] == data and back[len(data) :].strip(b"\x00") == b""
    else:
        assert back == data
    assert as_file(data, media) == made  # (a pure function of the bytes)


def test_aliases_parameters_and_unknown_types() -> None:
    data = b"\x01\x02\x03"
    assert as_file(data, "image/jpg") == as_file(data, "image/jpeg")
    assert as_file(data, "Application/X-Zip-Compressed") == as_file(data, "application/zip")
    assert as_file(data, "audio/wav; codecs=1") == as_file(data, "audio/x-wav")
    for raw in ("application/octet-stream", "image/webp", "font/woff2", "application/x-foo"):
        assert as_file(data, raw) == data
    assert as_file(b"", "application/pdf") == b""  # (no bytes: no file)
    assert {"image/png", "image/jpg", "application/gzip", "audio/mp3"} <= FILE_TYPES


_BINARY = [m for m in READERS if m != "image/png"]


def _spec() -> dict[str, Any]:
    """A JSON resource, and one upload of it (a ``format: binary`` body) per media type."""
    paths: dict[str, Any] = {
        "/notes": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Note"}}
                    }
                },
                "responses": {"201": {"description": "ok"}},
            }
        }
    }
    for k, media in enumerate(_BINARY):
        paths[f"/notes/{{noteId}}/f{k}"] = {
            "parameters": [
                {"name": "noteId", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "put": {
                "requestBody": {
                    "required": True,
                    "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": {"204": {"description": "ok"}},
            },
        }
    note = {"type": "object", "properties": {"text": {"type": "string", "maxLength": 30}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "files", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Note": note}},
    }


def _records(tmp: Path, name: str) -> list[dict[str, Any]]:
    spec = tmp / "files.yaml"
    spec.write_text(yaml.safe_dump(_spec()), encoding="utf-8")
    profile = tmp / "files-profile.yaml"
    args = ["import-schema", str(spec), "-e", "Note", "-o", str(profile), "-c", "400", "--force"]
    assert run_cli(args).code == 0
    out = tmp / name
    result = run_cli(
        ["generate", str(profile), "--persona", "normal_user", "-o", str(out), "-s", "9"]
    )
    assert result.code == 0, result.stderr
    return list(json.loads((out / "Note_api.json").read_text(encoding="utf-8")))


def test_binary_request_bodies_are_files_and_nothing_else_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each upload is a valid file of its declared type; made as the bytes themselves
    (before files were made), every record is the same but for those bodies."""
    records = _records(tmp_path, "files")
    seen = set()
    for r in records:
        media = r["request"]["headers"].get("Content-Type")
        if media in READERS and r["request"]["body"] is not None and not r["violations"]:
            READERS[media][0](base64.b64decode(r["request"]["body"], validate=True))
            seen.add(media)
    assert seen == set(_BINARY)
    monkeypatch.setattr(bodies, "as_file", lambda data, media: data)
    raw = _records(tmp_path, "raw")
    assert len(raw) == len(records)
    changed = 0
    for new, old in zip(records, raw, strict=True):
        if new["request"].get("body_encoding") == "base64" and new != old:
            changed += 1
            new["request"]["body"] = old["request"]["body"]
        assert new == old
    assert changed > 50


@pytest.mark.parametrize("media", ["image/png", "application/gzip"])
def test_compressed_containers_hold_stored_blocks_the_same_on_every_zlib(media: str) -> None:
    # zlib.compress output differs between zlib builds (zlib-ng, say): the data would differ
    # between machines. Stored deflate blocks (type 0) are one byte layout everywhere.
    data = bytes(range(256)) * 300  # (more than one 65,535-byte block)
    made = as_file(data, media)
    if media == "image/png":
        at = made.index(b"IDAT") + 4
        assert made[at : at + 2] == b"\x78\x01"  # zlib header, then the first deflate block
        first = made[at + 2]
    else:
        first = made[10]
    assert (first >> 1) & 0b11 == 0  # BTYPE 00: stored


# -- multipart forms with file parts ---------------------------------------------------------

UPLOAD = {
    "openapi": "3.0.3",
    "info": {"title": "uploads", "version": "1"},
    "paths": {
        "/pictures": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {"$ref": "#/components/schemas/Picture"},
                            "encoding": {"image": {"contentType": "image/png"}},
                        }
                    },
                },
                "responses": {"201": {"description": "stored"}},
            }
        }
    },
    "components": {
        "schemas": {
            "Picture": {
                "type": "object",
                "required": ["image", "caption", "raw"],
                "properties": {
                    # (a PNG of the bytes drawn is longer than 20: length is not checked)
                    "image": {"type": "string", "format": "binary", "maxLength": 20},
                    "raw": {"type": "string", "format": "binary", "minLength": 4},
                    "caption": {"type": "string", "minLength": 1, "maxLength": 40},
                    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                },
            }
        }
    },
}


def _upload(tmp: Path, persona: str) -> tuple[Path, Path]:
    spec = tmp / "uploads.yaml"
    spec.write_text(yaml.safe_dump(UPLOAD), encoding="utf-8")
    profile = tmp / "picture.yaml"
    args = ["import-schema", str(spec), "-e", "Picture", "-o", str(profile), "-c", "600"]
    assert run_cli([*args, "--force"]).code == 0
    out = tmp / "out"
    result = run_cli(["generate", str(profile), "--persona", persona, "-o", str(out), "-s", "5"])
    assert result.code == 0, result.stderr
    return profile, out / "Picture_api.json"


def _parts(request: dict[str, Any]) -> dict[str, Any]:
    from email.parser import BytesParser
    from email.policy import HTTP

    head = f"Content-Type: {request['headers']['Content-Type']}\r\n\r\n".encode()
    data = base64.b64decode(request["body"], validate=True)
    message = BytesParser(policy=HTTP).parsebytes(head + data)
    assert message.is_multipart() and not message.defects
    return {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}


def test_a_multipart_form_with_a_file_part_is_bytes_and_the_file_is_valid(
    tmp_path: Path,
) -> None:
    """A multipart body with a file part is carried as Base64 text (``body_encoding``);
    its PNG part is a PNG of the bytes drawn for it, a ``format: binary`` part without a
    ``contentType`` those bytes themselves, a text part its text."""
    from persona_gen.runtime.check import check_dataset

    profile, data = _upload(tmp_path, "normal_user")
    records = json.loads(data.read_text(encoding="utf-8"))
    sent = [r for r in records if r["request"]["body"] is not None]
    assert sent
    for record in sent:
        request = record["request"]
        assert request["body_encoding"] == "base64"
        parts = _parts(request)
        image, raw = parts["image"], parts["raw"]
        assert (image.get_content_type(), image.get_filename()) == ("image/png", "image")
        pixels = _png(image.get_payload(decode=True))
        assert len(pixels) >= 12 and pixels[12:].strip(b"\x00") == b""  # (12 bytes drawn)
        assert raw.get_content_type() == "application/octet-stream"
        assert len(raw.get_payload(decode=True)) == 12  # (Base64 text of 12 bytes, decoded)
        caption = parts["caption"]
        assert caption.get_filename() is None and 1 <= len(caption.get_content()) <= 40
    from persona_gen.profiles.loader import load_profile

    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0 and not report.problems, report.to_json()
    assert report.checked == len(records) and report.failed == 0 and not report.not_validated


def test_check_agrees_with_the_labels_of_forms_with_file_parts(tmp_path: Path) -> None:
    """Malformed inputs break a file part only by leaving it out (a file shows nothing else
    of the value drawn for it); every other break is of a text part, and check sees each
    as labelled, reading the Base64 body back into its parts."""
    from persona_gen.profiles.loader import load_profile
    from persona_gen.runtime.check import check_dataset

    profile, data = _upload(tmp_path, "edge_case_user")
    records = json.loads(data.read_text(encoding="utf-8"))
    labelled = [v for r in records for v in r["violations"]]
    assert {v["path"] for v in labelled} & {"caption", "rating"}
    for v in labelled:
        if v["path"] in ("image", "raw"):
            assert v["rule"] == "required", v
    report = check_dataset(data, load_profile(profile))
    assert report.exit_code == 0 and not report.problems, report.to_json()
    assert report.failed_as_labelled > 0 and not report.not_validated
    assert report.checked == len(records)
