"""Where encoded records go: stdout, or a file written atomically (temp file + rename).

A path that names something other than a regular file (``/dev/null``, a FIFO, a terminal)
is written straight through: replacing it by a renamed file would destroy it. A symbolic
link stays a link: the file it points to is the one replaced."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from persona_gen.errors import OutputError

__all__ = ["atomic_file", "ensure_writable", "is_special", "open_output", "write_atomic"]


def is_special(path: Path) -> bool:
    """Whether ``path`` exists as something other than a regular file or a directory (a
    device, a FIFO, a socket), following symbolic links, or names one of this process's
    open descriptors (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``) whatever it is
    open on."""
    if _own_descriptor(path) is not None:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def atomic_file(path: Path, before_rename: Callable[[], None] | None = None) -> Iterator[IO[bytes]]:
    """A binary stream that becomes ``path`` only if the block completes (and then
    ``before_rename``, called once the file is complete on disk, returns: what must stand
    beside it, its manifest, is written first, or neither is).

    On any error or interrupt the temporary file is removed, so a half-written output never
    stands where a complete one is expected.
    """
    if is_special(path):
        with _straight_through(path) as stream:
            yield stream
        return
    path = _target(path)
    fd, tmp = _temp_beside(path)
    stream = os.fdopen(fd, "wb", buffering=1 << 20)
    try:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())
        stream.close()
        os.chmod(tmp, 0o666 & ~_umask())  # (as open() would make it: mkstemp's is 0600)
        if before_rename is None:
            os.replace(tmp, path)
        else:
            with _pair_lock(path.parent):
                before_rename()
                os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # (closing flushes: a full disk fails again)
            stream.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            # A full disk, a quota, an I/O error: the output cannot be written.
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


@contextlib.contextmanager
def _pair_lock(directory: Path) -> Iterator[None]:
    """Held while a file and what stands beside it (its manifest) take their names, so two
    runs writing one path at once leave one run's pair, not one's data beside the other's
    manifest. (An advisory lock on the folder: where it cannot be taken, it is not.)"""
    try:
        import fcntl

        fd = os.open(directory if str(directory) else ".", os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # (which releases the lock)


def _umask() -> int:
    """The process's umask (read by setting it: there is no other portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Standard descriptors the caller closed (``>&-``), held by /dev/null for the run (see
# cli._closed_standard_streams): ``-o /dev/stdout`` there is an error, not records discarded.
CLOSED_DESCRIPTORS: set[int] = set()

_FD_PATH = re.compile(r"/(?:proc/(self|thread-self|\d+)|dev)/fd/(\d+)")


def _own_descriptor(path: Path) -> int | None:
    """The descriptor of this process that ``path`` names, or None. ``/dev/stdout`` is a
    link to ``/proc/self/fd/1``, which the kernel resolves to whatever standard output is
    open on: under ``> out.jsonl`` or ``>> build.log``, a regular file, which was replaced
    by the records (what a log held before them lost) and given a manifest in /dev."""
    current = os.path.abspath(path)
    for _ in range(40):  # (the kernel's own limit on links followed)
        if (match := _FD_PATH.fullmatch(current)) is not None:
            pid = match.group(1)
            if pid is not None and pid.isdigit() and int(pid) != os.getpid():
                return None  # (another process's: a file like any other)
            return int(match.group(2))
        try:
            link = os.readlink(current)
        except OSError:
            return None
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return None


@contextlib.contextmanager
def _straight_through(path: Path) -> Iterator[IO[bytes]]:
    descriptor = _own_descriptor(path)
    if descriptor in CLOSED_DESCRIPTORS:
        raise OutputError(f"{path}: cannot write: {os.strerror(errno.EBADF)}")
    try:
        # (a descriptor as the shell opened it, at its offset, appending or not)
        stream = (
            os.fdopen(os.dup(descriptor), "wb") if descriptor is not None else open(path, "wb")  # noqa: SIM115 - closed below, errors reported as ours
        )
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        yield stream
        stream.close()
    except BaseException as exc:
        with contextlib.suppress(OSError):
            stream.close()
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


def write_atomic(path: Path, data: bytes) -> None:
    with atomic_file(path) as stream:
        stream.write(data)


@contextlib.contextmanager
def open_output(
    path: Path | None, before_rename: Callable[[], None] | None = None
) -> Iterator[IO[bytes]]:
    """``path`` atomically, or standard output when ``path`` is None (``before_rename``: as
    ``atomic_file``'s, never called for standard output or a path written straight through)."""
    if path is None:
        stdout = sys.stdout.buffer
        try:
            yield stdout
            stdout.flush()
        except BrokenPipeError:
            raise  # (the reader went away: not an error, see cli.main)
        except OSError as exc:
            # A full disk or a file-size limit behind a shell redirection: as for -o, one
            # message. What stays buffered is dropped, or the interpreter's last flush of
            # standard output would fail again at exit, with a traceback.
            _discard_stdout()
            raise OutputError(f"standard output: cannot write: {exc.strerror or exc}") from None
        return
    with atomic_file(path, before_rename) as stream:
        yield stream


def _discard_stdout() -> None:
    """Point file descriptor 1 at /dev/null (when standard output is one)."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.buffer.fileno()  # (raises when stdout is not a file, as in tests)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)


def ensure_writable(path: Path) -> None:
    """Fail now, with ``atomic_file``'s message, if ``path`` could not be written later (so a
    long run does not end in "cannot write")."""
    if is_special(path):
        if not os.access(path, os.W_OK):
            raise OutputError(f"{path}: cannot write: Permission denied")
        return
    path = _target(path)
    fd, tmp = _temp_beside(path)
    os.close(fd)
    os.unlink(tmp)


class Writeback:
    """Has the kernel start writing a growing output file's pages to disk every
    ``WRITEBACK_BYTES`` it grows, so that the ``fsync`` that completes the file (before it
    is renamed into place) waits for its tail only: left to the end, it wrote the whole
    file while the run stood still (~0.3 s a GB here, as long as ~5% of a ``--workers 2``
    run). Starting writeback does not wait for it; pages are dropped from the cache only
    once on disk."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.started = 0  # (the bytes before this were handed to writeback)

    def reached(self, end: int) -> None:
        """The file is written up to ``end`` (or will be soon: a page not yet written is
        left for the ``fsync``)."""
        if end - self.started >= WRITEBACK_BYTES and _FADVISE is not None:
            with contextlib.suppress(OSError):  # (a file system that cannot: fsync does it)
                _FADVISE(self.fd, self.started, end - self.started, os.POSIX_FADV_DONTNEED)
            self.started = end


WRITEBACK_BYTES = 64 << 20
_FADVISE = getattr(os, "posix_fadvise", None)  # (not on macOS or Windows)


def _target(path: Path) -> Path:
    """The file that becomes the output: ``path``, or the file its symbolic link points at
    (also one yet to be made). A link that never arrives at a file (a loop) is an error: it
    would otherwise be replaced."""
    try:
        if not path.is_symlink():
            return path
        try:
            return Path(os.path.realpath(path, strict=True))
        except FileNotFoundError:
            return Path(os.path.realpath(path))
    except OSError as exc:  # (a name too long, a loop of links)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _stem(name: str) -> str:
    """``name``, cut to leave its temporary file's name (``.NAME.XXXXXXXX.partial``) within
    the 255 bytes file systems take: a name of up to 255 bytes may be written."""
    raw = os.fsencode(name)
    return name if len(raw) <= 200 else os.fsdecode(raw[:200])


def _temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s directory (created if needed), as (fd, name)."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        missing = not directory.exists()
        is_dir = not missing and path.is_dir()
    except OSError as exc:  # (a name longer than the file system takes)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if missing:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if (in_the_way := _not_a_directory(directory)) is not None:
                raise OutputError(f"{path}: cannot write: {in_the_way}") from None
            raise OutputError(
                f"{path}: cannot create directory '{directory}': {exc.strerror}"
            ) from None
    if is_dir:
        raise OutputError(f"{path}: is a directory, expected a file path")
    try:
        return tempfile.mkstemp(prefix=f".{_stem(path.name)}.", suffix=".partial", dir=directory)
    except OSError as exc:
        why = _not_a_directory(directory) or exc.strerror
        raise OutputError(f"{path}: cannot write: {why}") from None


def _not_a_directory(directory: Path) -> str | None:
    """What stands where ``directory`` or a folder above it should be, said in words (the
    system's "Not a directory" names neither): ``'out.csv' is a file, not a directory``."""
    for part in [directory, *directory.parents]:
        try:
            mode = os.stat(part).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue  # (not there, or below what is in the way: look further up)
        except OSError:
            return None
        if stat.S_ISDIR(mode):
            return None
        what = "a file" if stat.S_ISREG(mode) else "a special file"  # (/dev/null/x)
        return f"'{part}' is {what}, not a directory"
    return None
