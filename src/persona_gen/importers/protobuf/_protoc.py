"""Running the real ``protoc`` (shipped in grpcio-tools) and turning its complaints into errors.

protoc runs as ``python -m grpc_tools.protoc`` in a child process, so its messages on stderr
can be read ("file.proto:12:5: Expected ';'.") and a crash in the compiler cannot take the
caller down. Include paths, in the order protoc searches them:

1. the ones the caller gives (``-I``),
2. roots found from the imports of the file and of the files it imports: for
   ``import "google/api/http.proto"`` in ``.../protos/google/api/annotations.proto`` that is
   ``.../protos``, the nearest folder above the importing file's holding the imported name (so a
   file can be imported from inside a tree of protos without naming the tree's root),
3. the file's own directory,
4. the directories of imported files whose imports name a file beside them
   (``import "currency.proto";`` in ``common/money.proto``): protoc alone would look for those
   in the include paths only, where a user expects them found as the importing file's are,
5. the well-known types bundled with grpcio-tools (``google/protobuf/*.proto``).

The input file's own directory comes before the folders of 4, so that no file beside an
imported one can shadow the input (protoc refuses an input another ``-I`` path hides).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from persona_gen.errors import SchemaImportError

__all__ = ["compile_set", "include_paths", "well_known_dir"]

PROTOC_TIMEOUT_S = 120
MAX_SCANNED_IMPORTS = 2000  # files looked at while inferring include roots

_IMPORT = re.compile(r'^\s*import\s+(?:public\s+|weak\s+|option\s+)?"([^"\n]+)"\s*;', re.M)
_LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")
_NOT_FOUND = re.compile(r"^(?P<file>[^:]+): File not found\.$")
_IMPORT_FAILED = re.compile(r'^Import "(?P<name>[^"]+)" was not found or had errors')
_DEFINED_IN = re.compile(r'is already defined in file "(?P<file>[^"]+)"')
_SHADOWED = re.compile(r': Input is shadowed in the --proto_path by "(?P<file>[^"]+)"')


@cache
def well_known_dir() -> Path:
    """grpcio-tools' copy of ``google/protobuf/*.proto`` (Timestamp, Duration, wrappers...)."""
    return Path(str(resources.files("grpc_tools") / "_proto")).resolve()


def read_text(path: Path) -> str:
    """The file as text, or a SchemaImportError saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SchemaImportError("file not found", path) from None
    except IsADirectoryError:
        raise SchemaImportError("is a directory, not a .proto file", path) from None
    except OSError as exc:
        raise SchemaImportError(f"cannot read the file: {exc.strerror or exc}", path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SchemaImportError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line
        ) from None


def include_paths(path: Path, text: str, includes: Iterable[str | Path] = ()) -> list[Path]:
    """The ``-I`` directories for compiling ``path``, in search order (see the module doc)."""
    given = [Path(p).resolve() for p in includes]
    for p in given:
        if not p.is_dir():
            raise SchemaImportError(f"include path '{p}' is not a directory", path)
    roots, beside = _inferred_roots(path.resolve(), text, given)
    return _search_order(given, roots, path.resolve().parent, beside)


def _search_order(
    given: list[Path], roots: list[Path], here: Path, beside: list[Path]
) -> list[Path]:
    out: list[Path] = []
    for p in [*given, *roots, here, *beside, well_known_dir()]:
        if p not in out:
            out.append(p)
    return out


def _inferred_roots(path: Path, text: str, given: list[Path]) -> tuple[list[Path], list[Path]]:
    """The folders that make every import name resolve: ancestors of an importing file's folder
    holding the name (``roots``), and imported files' own folders holding it (``beside``)."""
    roots: list[Path] = []
    beside: list[Path] = []
    queue: deque[tuple[Path, str]] = deque([(path, text)])
    seen = {path}
    while queue and len(seen) < MAX_SCANNED_IMPORTS:
        current, body = queue.popleft()
        for name in _IMPORT.findall(body):
            # (looked up as protoc will, with the folders found so far)
            found = _resolve(name, _search_order(given, roots, path.parent, beside), current)
            if found is None and _is_file(current.parent / name, current):
                beside.append(current.parent)
                found = (current.parent / name).resolve()
            if found is None:
                for ancestor in current.parent.parents:
                    if _is_file(ancestor / name, current):
                        roots.append(ancestor)
                        found = (ancestor / name).resolve()
                        break
            if found is None or found in seen:
                continue
            seen.add(found)
            try:
                queue.append((found, found.read_text("utf-8")))
            except (OSError, UnicodeDecodeError):
                continue  # protoc will report it, with its line
    return roots, beside


def _resolve(name: str, dirs: Sequence[Path], importer: Path) -> Path | None:
    for d in dirs:
        candidate = d / name
        if _is_file(candidate, importer):
            return candidate.resolve()
    return None


def _is_file(candidate: Path, importer: Path) -> bool:
    """Whether ``candidate`` is a file. A folder that may not be searched (no permission) is
    said as such, naming the file whose import is looked for: not taken as "not there"."""
    try:
        return candidate.is_file()
    except OSError as exc:
        raise SchemaImportError(
            f"cannot look for an import in '{candidate.parent}': {exc.strerror or exc}", importer
        ) from None


def compile_set(path: Path, includes: Sequence[Path], *, source_info: bool) -> bytes:
    """Run protoc on ``path``; the serialized ``FileDescriptorSet`` with all its imports."""
    with tempfile.TemporaryDirectory(prefix="persona-gen-protoc-") as tmp:
        out = Path(tmp) / "set.binpb"
        argv = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            *(f"--proto_path={d}" for d in includes),
            f"--descriptor_set_out={out}",
            "--include_imports",
            *(["--include_source_info"] if source_info else []),
            str(path.resolve()),
        ]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=PROTOC_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise SchemaImportError(
                f"protoc did not finish within {PROTOC_TIMEOUT_S} s", path
            ) from None
        except OSError as exc:
            raise SchemaImportError(f"cannot run protoc: {exc}", path) from None
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode != 0 or not out.is_file():
            raise protoc_error(stderr, path, includes)
        return out.read_bytes()


def protoc_error(stderr: str, path: Path, includes: Sequence[Path]) -> SchemaImportError:
    """The first located problem protoc reports (the root cause comes first), as our error."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    located = [m for m in map(_LOCATED.match, lines) if m is not None and _is_error(m["msg"])]
    missing = {m["file"] for m in map(_NOT_FOUND.match, lines) if m is not None}
    if located:
        first = located[0]
        where = _display_file(first["file"], path, includes)
        message = first["msg"].rstrip(".")
        imported = _IMPORT_FAILED.match(first["msg"])
        if imported and imported["name"] in missing:
            importer = Path(_located_file(first["file"], includes)).resolve().parent
            searched = [d for d in [importer, *includes] if d != well_known_dir()]
            listed = ", ".join(_display_file(str(d), path, ()) for d in dict.fromkeys(searched))
            above = _display_file(str(importer), path, ())
            message = (
                f'import "{imported["name"]}" was not found in {listed}, in a folder above '
                f"{above} or among protobuf's well-known types"
            )
        twice = _DEFINED_IN.search(first["msg"])
        if twice and _same_file(twice["file"], first["file"], includes):
            message += (
                f': "{twice["file"]}" is this file, imported under another name too, which '
                "protoc reads as another file: import it by one name"
            )
        if len(located) > 1:
            more = len(located) - 1
            message += f"; {more} more error{'s' if more > 1 else ''}"
        return SchemaImportError(message, where, int(first["line"]), int(first["col"]))
    if missing:
        return SchemaImportError(f'imported file "{min(missing)}" was not found', path)
    for shadow in filter(None, map(_SHADOWED.search, lines)):
        return SchemaImportError(_shadowed(Path(shadow["file"]), path, includes), path)
    useful = [ln for ln in lines if not _is_log_noise(ln)]
    detail = useful[0] if useful else "no message"
    detail = detail.replace(str(path.resolve()), str(path))
    return SchemaImportError(f"protoc failed: {detail}", path)


def _shadowed(shadow: Path, path: Path, includes: Sequence[Path]) -> str:
    """Why protoc refuses ``path``: it knows a file by its path within the first include
    folder holding it, and an earlier folder (``-I``, or one found from the imports) holds
    ``shadow`` under that name, which protoc would read instead."""
    here = path.resolve()
    name = next((here.relative_to(d) for d in includes if here.is_relative_to(d)), Path(here.name))
    folder = next((d for d in includes if d / name == shadow), shadow.parent)
    shown = _display_file(str(shadow), path, ())
    return (
        f"{shown} shadows this file: protoc knows both as '{name.as_posix()}' and searches "
        f"the include folder {_display_file(str(folder), path, ())} first, so it would read "
        f"that one instead; rename one of the two, or use {shown} in this file's place if it "
        "is the same schema"
    )


def _is_error(message: str) -> bool:
    return not message.lower().startswith("warning")


def _is_log_noise(line: str) -> bool:
    return line.startswith(("WARNING: All log messages", "W0000", "I0000"))


def _same_file(one: str, other: str, includes: Sequence[Path]) -> bool:
    """Whether two names protoc reports are one file on disk (found in two include paths)."""
    a, b = _located_file(one, includes), _located_file(other, includes)
    return one != other and a.is_file() and b.is_file() and a.samefile(b)


def _located_file(reported: str, includes: Sequence[Path]) -> Path:
    """The file behind a name protoc reports (relative to the include path it was found in)."""
    candidate = Path(reported)
    if not candidate.is_absolute():
        for d in includes:
            if (d / reported).is_file():
                return d / reported
    return candidate


def _display_file(reported: str, path: Path, includes: Sequence[Path]) -> str:
    """The input file as the user named it; other files (and folders) named the same way:
    relative to the current directory when the input was, else absolute."""
    candidate = _located_file(reported, includes).resolve()
    if candidate == path.resolve():
        return str(path)
    if path.is_absolute():
        return str(candidate)
    try:
        return os.path.relpath(candidate)
    except ValueError:  # (another drive, on Windows)
        return str(candidate)
