"""Holding one record to its label (``check_one``): what the validator says of the record's
governed part against what its label says, rules a format cannot show counted as undetected;
unique keys repeated across records (``repeated_keys``); and records that are not as
persona-gen wrote them (``malformed_reason``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from persona_gen.entities.model import Domain
from persona_gen.generators.file import VIOLATIONS_COLUMN
from persona_gen.runtime.check_bodies import (
    Unreadable,
    files_read,
    read_only_sent,
    type_changes_only,
    values_of,
    wire_values,
)
from persona_gen.runtime.check_entities import Entities, Resolved
from persona_gen.runtime.check_report import CheckReport, RecordProblem
from persona_gen.runtime.check_validators import Checker, Issue
from persona_gen.runtime.records import FileRowShape, holds_null, schema_part, text_cell

JSON_FAMILY = ("jsonschema", "openapi", "embedded", "builtin", "profile")
# What each non-JSON-Schema validator can notice: labelled-invalid records breaking other
# rules may pass it (counted as undetected, not as problems).
ENFORCED: dict[str, frozenset[str]] = {
    # A missing field with a default is filled in by the writer: "required" is not seen.
    "avro": frozenset({"type", "enum", "additionalProperties"}),
    # Protobuf's JSON mapping accepts numbers as strings and has no required fields.
    "protobuf": frozenset({"enum", "additionalProperties"}),
    "ddl": frozenset(),
}
# Text cells (CSV) cannot tell a number from a numeric string, nor "" from null.
TEXT_UNDETECTABLE = frozenset({"type", "required"})
# Error keywords that also count as breaking a label's rule.
RULE_ALIASES: dict[str, frozenset[str]] = {
    "minimum": frozenset({"minimum", "exclusiveMinimum"}),
    "maximum": frozenset({"maximum", "exclusiveMaximum"}),
    # (draft-04 and OpenAPI 3.0 make a bound exclusive with `exclusiveMinimum: true`: their
    # validators name the bound's own keyword)
    "exclusiveMinimum": frozenset({"exclusiveMinimum", "minimum"}),
    "exclusiveMaximum": frozenset({"exclusiveMaximum", "maximum"}),
    "format": frozenset({"format", "pattern"}),
    "pattern": frozenset({"pattern", "format"}),
    # A wrong-typed value of a field declared only by enum/const breaks that keyword.
    # (and a value of none of a union's types breaks its anyOf or oneOf)
    "type": frozenset({"type", "nullable", "enum", "const", "anyOf", "oneOf"}),
    "required": frozenset({"required", "dependentRequired", "dependencies"}),
    "additionalProperties": frozenset({"additionalProperties", "unevaluatedProperties"}),
}


def malformed_reason(record: dict[str, Any], generator: str, text: bool) -> str | None:
    """Why a record is not one persona-gen wrote: a CSV row with more or fewer cells than
    the header (csv.DictReader keeps extra cells under None and fills missing ones with
    None), or a label that is not a boolean (``yes`` would count as valid)."""
    extra: Any = record.get(None)  # type: ignore[call-overload]
    if text and extra is not None:
        return f"{len(extra)} more cells than the header"
    missing = [str(k) for k, v in record.items() if v is None] if text else []
    if missing:
        return f"fewer cells than the header (none for {', '.join(missing[:3])})"
    label = "_expected_valid" if generator == "file" else "expected_valid"
    value = record.get(label)
    if label in record and not isinstance(text_cell(value) if text else value, bool):
        return f"{label} is {str(value)[:40]!r}, not true or false"
    return None


def check_one(
    report: CheckReport,
    record: dict[str, Any],
    position: int,
    generator: str,
    text: bool,
    resolver: Callable[[dict[str, Any], int], Resolved | None],
    checker: Checker,
    limit: int,
    reread: Callable[[], dict[str, Any] | None] | None = None,  # (another reading: _judged)
) -> None:
    index = position
    if generator == "fault":
        raw_index = text_cell(record.get("index"))
        index = raw_index if isinstance(raw_index, int) else position
    resolved = resolver(record, position)
    if resolved is None:  # the entity cannot be told
        report.unresolved += 1
        return
    dom, entities, shape = resolved
    governed, part = schema_part(record, generator, shape, text)
    if not governed:
        report.skipped += 1
        return
    found = _judged(record, part, reread, shape, (generator, text, dom, entities, checker))
    if isinstance(found, str):  # (why the part is not validated)
        report.skipped += 1
        report.not_validated[found] += 1
        return
    issues, form, sent = found
    if sent:  # (a warning, not a problem: a server ignores or refuses such fields)
        report.note_read_only_sent(index, sent)
    expected_valid, label_rules = _labels(record, generator)
    if generator == "fault" and index == 0 and not expected_valid:
        report.add_problem(
            RecordProblem(index, "baseline", "record 0 is not labelled valid"), limit
        )
    report.checked += 1
    rules = tuple(dict.fromkeys(i.rule for i in issues))
    reason = "; ".join(dict.fromkeys(i.message for i in issues))[:500]
    if issues:
        report.failed += 1
        report.by_rule.update(rules)
        if len(report.failures) < limit:
            report.failures.append(
                RecordProblem(
                    index,
                    "failed" if not expected_valid else "invalid",
                    reason,
                    label_rules[0] if label_rules else None,
                    rules,
                )
            )
    else:
        report.passed += 1
    if expected_valid:
        if issues:
            kind = "baseline-invalid" if generator == "fault" and index == 0 else "invalid"
            report.add_problem(
                RecordProblem(index, kind, f"labelled valid but fails: {reason}", None, rules),
                limit,
            )
        return
    report.labelled_invalid += 1
    label = label_rules[0] if label_rules else None
    json_family = checker.kind in JSON_FAMILY
    if not issues:
        if _unshowable(record, generator, label_rules, text or form, shape, form):
            report.undetected.update(label_rules)  # the format cannot show such breaks
            return
        enforced = ENFORCED.get(checker.kind)
        if not json_family and enforced is not None and not (set(label_rules) & enforced):
            report.undetected.update(label_rules or ("unknown",))
            return
        report.add_problem(
            RecordProblem(
                index,
                "undetected-break",
                f"labelled invalid ({', '.join(label_rules) or 'no rule'}) but passes",
                label,
            ),
            limit,
        )
        return
    if generator == "fault" and json_family and label is not None:
        accepted = RULE_ALIASES.get(label, frozenset({label}))
        if not accepted & set(rules):
            report.add_problem(
                RecordProblem(
                    index,
                    "wrong-rule",
                    f"labelled '{label}' but fails on {', '.join(rules)}: {reason}",
                    label,
                    rules,
                ),
                limit,
            )
            return
    report.failed_as_labelled += 1


def _labels(record: dict[str, Any], generator: str) -> tuple[bool, tuple[str, ...]]:
    """(expected valid, the rules the label says are broken)."""
    if generator == "file":
        valid = text_cell(record.get("_expected_valid"))
        raw = record.get("_violations") or ""
        rules = tuple(v.rsplit(":", 1)[-1] for v in str(raw).split(";") if v)
        return valid is not False, rules
    valid = text_cell(record.get("expected_valid"))
    if generator == "fault":
        rule = record.get("rule")
        return valid is not False, (str(rule),) if rule else ()
    violations = text_cell(record.get("violations"))
    listed = violations if isinstance(violations, list) else []  # (any other value names none)
    rules = tuple(str(v.get("rule")) for v in listed if isinstance(v, dict) and v.get("rule"))
    return valid is not False, rules


def _judged(
    record: dict[str, Any],
    part: Any,
    reread: Callable[[], dict[str, Any] | None] | None,
    shape: FileRowShape | None,
    context: tuple[str, bool, Domain, Entities, Checker],
) -> tuple[list[Issue], bool, list[str]] | str:
    """``_issues`` of the record's governed ``part``; where that fails and the format cannot
    tell a null from an absent optional field (a file row; an Avro record, read so as
    ``reread``), the other reading's when it passes: its nulls as no field may be the
    record it was (a dependentRequired trigger, an if/else on a field's presence)."""
    found = _issues(record, part, *context)
    generator, text = context[0], context[1]
    if isinstance(found, str) or not found[0]:
        return found
    absent = reread() if reread is not None else None
    if absent is not None:
        other_part: Any = schema_part(absent, generator, shape, text)[1]
    elif generator == "file" and shape is not None:
        other_part = shape.record(record, text, absent=True)
    else:
        return found
    other = _issues(record, other_part, *context)
    return other if not isinstance(other, str) and not other[0] else found


def _issues(
    record: dict[str, Any],
    part: Any,
    generator: str,
    text: bool,
    dom: Domain,
    entities: Entities,
    checker: Checker,
) -> tuple[list[Issue], bool, list[str]] | str:
    """What the validator says of a record's governed part, whether it was read from
    text that cannot tell a number from a numeric string (a form, XML), and the readOnly
    fields an api request body sends (``read_only_sent``); or why the part is not validated
    (an api body of bytes)."""
    entity = entities.of(record, generator, text)
    form = False
    if generator == "api":
        op = entities.operation(record, generator, text)
        part, form, why = wire_values(part, record, text, dom, entity, op)
        if why is not None:
            return why
    if isinstance(part, Unreadable):
        return [Issue("type", part.message)], form, []
    # (an api body is a request's: its readOnly fields are the server's, never sent)
    validate = checker.for_entity(entity, dom, "request" if generator == "api" else None)
    part, files = files_read(part)
    values = values_of(part, record, generator, text, dom, entity)
    found = [i for p in values for i in validate(p)]
    read_only = checker.one_way(entity, dom, "read_only") if generator == "api" else None
    sent = read_only_sent(values, read_only) if generator == "api" else []
    return [i for i in found if not any(i.at[: len(f)] == f for f in files)], form, sent


def _unshowable(
    record: dict[str, Any],
    generator: str,
    rules: tuple[str, ...],
    text: bool,
    shape: FileRowShape | None,
    wire: bool = False,
) -> bool:
    """Whether the format cannot show the breaks a record's label names (``wire``: of an
    api body read from a form's or XML's text). Text cells (CSV)
    cannot tell a number from a numeric string, nor null from "" (``TEXT_UNDETECTABLE``);
    in a file row, a "" that breaks a const, minLength or pattern from an absent optional
    field (every column the label names is an empty cell). Nor can a table tell a removed
    field that may be null from a null (JSON rows leave such a field out), nor a form or
    XML body a value whose type a behaviour changed (``["a"]`` is written as ``"a"``)."""
    if text and rules and set(rules) <= TEXT_UNDETECTABLE:
        return True
    if wire and type_changes_only(record):
        return True  # (a form or XML writes ["a"] as it writes "a", 42 as "42")
    if generator != "file" or shape is None:
        return False
    violations = str(record.get(VIOLATIONS_COLUMN) or "").split(";")
    columns = [v.rsplit(":", 1)[0] for v in violations if v]
    if not columns:
        return False
    if text and all(record.get(c) == "" for c in columns):
        return True
    # A table (Parquet, SQL) holds a removed field that may be null as null.
    return set(rules) == {"required"} and all(
        c in record
        and record[c] is None
        and (leaf := shape.leaves.get(c))
        and holds_null(leaf.schema)
        for c in columns
    )


def _as_is(value: Any) -> Any:
    return value


def repeated_keys(
    report: CheckReport,
    record: dict[str, Any],
    position: int,
    generator: str,
    text: bool,
    resolver: Callable[[dict[str, Any], int], Resolved | None],
    seen: dict[tuple[str, tuple[str, ...]], dict[str, int]],
    limit: int,
) -> None:
    """A problem for a file row or streaming payload whose primary key or UNIQUE key repeats
    an earlier one's (``seen``: each key's values so far; a key with a NULL or missing
    column never clashes). A re-sent event (``duplicate: true``) and a retry's later attempt
    (``attempt`` above 1) repeat their payload on purpose and are left out; so are payloads
    read without their envelope (Avro, Protobuf), which cannot tell a re-send."""
    if generator == "streaming":
        cell = text_cell if text else _as_is
        resent, attempt = cell(record.get("duplicate")), cell(record.get("attempt"))
        if "duplicate" not in record or resent is not False:
            return
        if isinstance(attempt, int) and attempt > 1:
            return
    resolved = resolver(record, position)
    if resolved is None:
        return
    dom, entities, shape = resolved
    governed, part = schema_part(record, generator, shape, text)
    if not governed or not isinstance(part, dict):
        return
    entity = dom.entity(entities.of(record, generator, text))
    keys = [tuple(entity.primary_key)] if entity.primary_key else []
    for cols in [*keys, *map(tuple, entity.unique)]:
        values = [part.get(c) for c in cols]
        if any(v is None or v == "" for v in values):
            continue
        value = json.dumps(values, sort_keys=True, default=str)
        first = seen.setdefault((entity.name, cols), {}).setdefault(value, position)
        if first != position:
            shown = ", ".join(f"{c}={v!r}" for c, v in zip(cols, values, strict=True))
            report.add_problem(
                RecordProblem(
                    position, "duplicate", f"unique key ({shown}) repeats record {first}'s"
                ),
                limit,
            )
