"""The one exception tree of persona-gen.

Everything a user can cause is a ``PersonaGenError``; the CLI prints it as one line (or a
short list) and exits non-zero. Any other exception escaping is a bug and keeps its traceback.

::

    PersonaGenError
     ├── UsageError            bad CLI arguments or option values
     │    └── UnknownNameError  a persona / generator / entity / format that is not there
     ├── FileError             a file that cannot be read, or whose content is wrong
     │    ├── YamlSyntaxError   YAML that does not parse
     │    ├── ValidationError   a persona or profile that breaks its format (one or more Problems)
     │    └── SchemaImportError a schema file an importer cannot use
     ├── OutputError           an output that cannot be written
     │    └── SinkError         a destination (e.g. Kafka) that is unreachable, lacks a topic, or
     │                          did not acknowledge every record (carries the delivery counts)
     ├── GenerationError       a dataset that cannot be produced from valid inputs
     └── PluginError           an installed plugin (entry point) that cannot be loaded
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DatasetsError",
    "FileError",
    "GenerationError",
    "OutputError",
    "PersonaGenError",
    "PluginError",
    "Problem",
    "RecordOutputError",
    "SchemaImportError",
    "ServiceUnavailable",
    "SinkError",
    "UnknownNameError",
    "UsageError",
    "ValidationError",
    "YamlSyntaxError",
    "shorten",
]

MAX_LISTED_PROBLEMS = 10


class PersonaGenError(Exception):
    """Base class of every error a user can cause."""

    exit_code = 1  # what the CLI exits with (130 for a run the user interrupted)
    dataset: str | None = None  # the dataset of a profile it happened in, when one did


class DatasetsError(PersonaGenError):
    """Several datasets of a profile cannot be made: each one's error, one per line."""

    def __init__(self, found: list[PersonaGenError]) -> None:
        lines = [
            f"  dataset '{e.dataset}': {str(e).removeprefix(f'dataset {e.dataset!r}: ')}"
            for e in found
        ]
        super().__init__(f"{len(found)} datasets cannot be made:\n" + "\n".join(lines))
        self.exit_code = max(e.exit_code for e in found)
        self.errors = found


class PluginError(PersonaGenError):
    """An entry point of another package (a generator, behaviour kind, format or importer)
    whose target cannot be imported: the message names the package's entry point."""


class UsageError(PersonaGenError):
    """A command-line argument or option value is wrong."""


class UnknownNameError(UsageError):
    """A name that is not registered; the message offers the closest match and the choices."""

    def __init__(
        self,
        kind: str,
        name: str,
        choices: Iterable[str],
        where: str = "",
        *,
        also: Iterable[str] = (),
    ) -> None:
        """``also``: other spellings of ``name`` to find the closest match for, when
        ``name`` itself is close to nothing (an entity's name without its package)."""
        self.kind = kind
        self.name = name
        self.choices = sorted(choices)
        close = difflib.get_close_matches(name, self.choices, n=1, cutoff=0.6)
        for other in also:
            close = close or difflib.get_close_matches(other, self.choices, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        listing = ", ".join(self.choices) if self.choices else "(none)"
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}unknown {kind} '{name}'.{hint} Available: {listing}")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file: where it is, which field, and what is wrong."""

    message: str
    path: str = ""  # dotted field path, e.g. "behaviors.rare_errors.rate"
    file: str = ""
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [p for p in (where, self.path) if p]
        return ": ".join([*parts, self.message])


class FileError(PersonaGenError):
    """A file cannot be read or its content is wrong."""

    def __init__(
        self,
        message: str,
        file: str | Path = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.column = column  # (1-based, with the line only)
        self.message = message  # (without the file and position)
        super().__init__(str(Problem(message, file=self.file, line=line, column=column)))


class YamlSyntaxError(FileError):
    """The YAML does not parse."""


class SchemaImportError(FileError):
    """A schema file that an importer cannot turn into entities."""


class ValidationError(FileError):
    """A persona or profile breaks its format. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems[:MAX_LISTED_PROBLEMS]]
        more = len(self.problems) - MAX_LISTED_PROBLEMS
        if more > 0:
            lines.append(f"... and {more} more")
        first = self.problems[0]
        Exception.__init__(self, "\n".join(lines))
        self.file = first.file
        self.line = first.line
        self.column = first.column


class OutputError(PersonaGenError):
    """An output cannot be written."""


class RecordOutputError(OutputError):
    """One record of a payload cannot be written: ``f"{what}: record {index}{detail}"``. An
    encoder knows the record's ``index`` in its payload only (payloads are encoded apart, in
    parallel); ``at`` makes it the index in the dataset."""

    def __init__(self, what: str, index: int, detail: str) -> None:
        self.what, self.index, self.detail = what, index, shorten(detail, 1000)
        super().__init__(f"{what}: record {index}{self.detail}")

    def __reduce__(self) -> tuple[type[RecordOutputError], tuple[str, int, str]]:
        return RecordOutputError, (self.what, self.index, self.detail)  # (from a worker)

    def at(self, first: int) -> RecordOutputError:
        """The error of the record ``first`` records further on (the payload's first)."""
        return RecordOutputError(self.what, first + self.index, self.detail)


_LONG_WORD = re.compile(r"\S{100,}")


def shorten(text: str, limit: int = 500) -> str:
    """An error text fit for one line and a manifest: a value quoted in it (a 64 KiB string a
    behaviour made) is cut to its start, and the whole text to ``limit`` characters."""
    text = _LONG_WORD.sub(lambda m: f"{m.group()[:40]}…[{len(m.group())} characters]", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OutputInterrupted(OutputError):
    """The user stopped a run whose records were going to standard output, which cannot be
    taken back: what was written stays, incomplete."""

    exit_code = 130


class SinkError(OutputError):
    """A destination cannot take the records: unreachable, missing its topic, or some records
    were not acknowledged. ``report`` (when set) holds the delivery counts, e.g. a Kafka
    ``DeliveryReport``, so a caller can still write them into the manifest; ``taken`` (when
    set) the counts of the records taken for delivery, when they are not the dataset's first
    ones (a ``DatasetStats``: a --realtime run sends records across blocks in time order)."""

    def __init__(self, message: str, report: object = None, *, interrupted: bool = False) -> None:
        super().__init__(message)
        self.report = report
        self.taken: object = None
        if interrupted:
            self.exit_code = 130


class ServiceUnavailable(SinkError):
    """A service the run needs could not be reached at all: a Kafka broker, a PostgreSQL
    server (a destination, or the database ``check`` reads), a Schema Registry. Nothing
    listened, nothing answered in time, the host is not known, or the connection was lost.
    Exit code 69 (``EX_UNAVAILABLE`` of sysexits.h), so that a pipeline can tell an outage,
    which may pass, from an input that fails the same way every time (exit 1). A server that
    answered and refused (a login, a missing topic) is a plain ``SinkError``."""

    exit_code = 69


class GenerationError(PersonaGenError):
    """Valid inputs that still cannot produce the dataset asked for."""
