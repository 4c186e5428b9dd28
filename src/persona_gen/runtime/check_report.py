"""What ``check`` found: a ``CheckReport`` of counts and of the records whose validation
disagrees with their label (``RecordProblem``), as JSON (``--report``) or table rows."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 20


@dataclass(frozen=True)
class RecordProblem:
    """A record whose validation disagrees with its label (or, in ``failures``, fails)."""

    index: int
    # invalid | undetected-break | wrong-rule | malformed | incomplete | invalid-reply |
    # failed (expected)
    kind: str
    reason: str
    label_rule: str | None = None
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "reason": self.reason,
            "label_rule": self.label_rule,
            "rules": list(self.rules),
        }


@dataclass
class CheckReport:
    """What ``check`` found. ``exit_code``: 0 all good, 1 problems or nothing checked (no
    records, records not recognised, a load schedule, every record skipped as not governed by
    the schema: ``validatable`` is then False); as every user error, exit code 2 is the
    argument parser's."""

    data: str
    fmt: str
    generator: str
    schema_format: str
    schema: str | None
    entity: str | None
    profile: str | None = None
    # the database (a URL without its password) and the table whose rows were read; a
    # table alone for an SQL script's INSERTs
    database: str | None = None
    table: str | None = None
    records: int = 0
    checked: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    unresolved: int = 0
    labelled_invalid: int = 0
    failed_as_labelled: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    undetected: Counter[str] = field(default_factory=Counter)
    problems: list[RecordProblem] = field(default_factory=list)
    problem_count: int = 0
    failures: list[RecordProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    validatable: bool = True
    # api request bodies skipped as not held to the schema (bytes…), by why
    not_validated: Counter[str] = field(default_factory=Counter)
    # api success replies held to their reply entity (see ``check_replies``), and those failing
    replies_checked: int = 0
    replies_failed: int = 0
    # api request bodies that send readOnly fields (OpenAPI: SHOULD NOT): a warning, not a
    # problem; by field, and the first such records
    read_only_sent: Counter[str] = field(default_factory=Counter)
    read_only_bodies: int = 0
    read_only_records: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.validatable and self.problem_count == 0

    @property
    def exit_code(self) -> int:
        return 0 if self.validatable and self.problem_count == 0 else 1

    def add_problem(self, problem: RecordProblem, limit: int) -> None:
        self.problem_count += 1
        if len(self.problems) < limit:
            self.problems.append(problem)

    def note_read_only_sent(self, index: int, names: list[str]) -> None:
        """Record ``index``'s request body sends the readOnly fields ``names``."""
        self.read_only_sent.update(names)
        self.read_only_bodies += 1
        if len(self.read_only_records) < MAX_LISTED:
            self.read_only_records.append(index)

    def read_only_warning(self) -> str | None:
        """The warning for request bodies that send readOnly fields (None: none does)."""
        if not self.read_only_bodies:
            return None
        fields = ", ".join(f"{name} in {n}" for name, n in self.read_only_sent.most_common())
        shown = ", ".join(f"#{i}" for i in self.read_only_records[:5])
        more = ", …" if self.read_only_bodies > 5 else ""
        return (
            f"{self.read_only_bodies} request bodies send readOnly fields the server sets "
            f"({fields}; records {shown}{more}): a request SHOULD NOT send them (OpenAPI), "
            "a server ignores or refuses them"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "exit_code": self.exit_code,
            "data": self.data,
            "format": self.fmt,
            "generator": self.generator,
            "profile": self.profile,
            "schema": self.schema,
            "schema_format": self.schema_format,
            "entity": self.entity,
            "database": self.database,
            "table": self.table,
            "validatable": self.validatable,
            "records": self.records,
            "checked": self.checked,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "unresolved": self.unresolved,
            "labelled_invalid": self.labelled_invalid,
            "failed_as_labelled": self.failed_as_labelled,
            "replies_checked": self.replies_checked,
            "replies_failed": self.replies_failed,
            "read_only_sent": {
                "bodies": self.read_only_bodies,
                "fields": dict(self.read_only_sent.most_common()),
                "records": self.read_only_records,
            },
            "failures_by_rule": dict(sorted(self.by_rule.items())),
            "undetected_by_rule": dict(sorted(self.undetected.items())),
            "problem_count": self.problem_count,
            "problems": [p.to_dict() for p in self.problems],
            "first_failures": [p.to_dict() for p in self.failures],
            "warnings": self.warnings,
        }

    def to_json(self) -> str:
        from persona_gen._json import json_safe

        return json.dumps(json_safe(self.to_dict()), indent=2, ensure_ascii=False) + "\n"

    def summary_rows(self) -> list[tuple[str, str]]:
        """``(item, value)`` rows for a two-column table (Rich or plain)."""
        rows = [
            ("data", f"{self.data} ({self.fmt}, {self.generator})"),
            ("schema", f"{self.schema or '-'} ({self.schema_format})"),
            ("entity", self.entity or "-"),
        ]
        if self.table is not None:
            where = f" in {self.database}" if self.database else " (the INSERTs into it)"
            rows.append(("table", f"{self.table}{where}"))
        rows += [
            ("records", str(self.records)),
            ("checked", str(self.checked)),
            ("passed", str(self.passed)),
            ("failed", str(self.failed)),
        ]
        if self.skipped:
            rows.append(("skipped (not governed by the schema)", str(self.skipped)))
        if self.unresolved:
            rows.append(("not checked (entity unknown)", str(self.unresolved)))
        if self.labelled_invalid:
            rows.append(
                (
                    "labelled invalid / failed as labelled",
                    f"{self.labelled_invalid} / {self.failed_as_labelled}",
                )
            )
        if self.replies_checked:
            counts = f"{self.replies_checked} / {self.replies_failed}"
            rows.append(("success replies checked / failed", counts))
        for rule, n in sorted(self.by_rule.items()):
            rows.append((f"failures: {rule}", str(n)))
        for rule, n in sorted(self.undetected.items()):
            rows.append((f"undetected by {self.schema_format}: {rule}", str(n)))
        rows.append(("problems", str(self.problem_count)))
        for p in self.problems:
            rows.append((f"  #{p.index} {p.kind}", p.reason[:200]))
        for w in self.warnings:
            rows.append(("warning", w))
        result = "OK" if self.ok else "FAILED" if self.validatable else "FAILED: nothing checked"
        rows.append(("result", result))
        return rows
