"""An api record's success reply held to its operation's reply entity (``check_reply``), as
a reply: a required ``readOnly`` field (an ``id`` the server sets) must be there, a required
``writeOnly`` one (a ``password``) need not, as OpenAPI says.

Only the reply a request labelled valid gets when nothing goes wrong is held to the schema:
the operation's success status, a 2xx, with a JSON body. Error replies (the persona's, or the
one a request breaking its schema gets) are not the resource, and a reply of another media
type (text, XML, bytes) is not read back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from persona_gen.entities.model import Operation
from persona_gen.entities.one_way import sent_paths
from persona_gen.runtime.check_entities import Resolved
from persona_gen.runtime.check_report import CheckReport, RecordProblem
from persona_gen.runtime.check_validators import Checker, Issue
from persona_gen.runtime.records import text_cell

# The schema formats whose replies are held to it: an imported JSON Schema or OpenAPI file
# (or its entities embedded in the profile, when the file is not found) and a profile's own
# entities. Not the built-in domain's: its replies are not a source schema's.
REPLY_KINDS = frozenset({"jsonschema", "openapi", "embedded", "profile"})


def check_reply(
    report: CheckReport,
    record: dict[str, Any],
    position: int,
    text: bool,
    resolver: Callable[[dict[str, Any], int], Resolved | None],
    checker: Checker,
    limit: int,
) -> None:
    """Hold the success reply of an api record labelled valid to its operation's reply
    entity; a reply that breaks it is an ``invalid-reply`` problem, whatever the label."""
    if checker.kind not in REPLY_KINDS:
        return
    valid = text_cell(record.get("expected_valid")) if text else record.get("expected_valid")
    if valid is False:  # (answered as bad input: the error, not the resource)
        return
    resolved = resolver(record, position)
    if resolved is None:
        return
    dom, entities, _ = resolved
    op = entities.replying(record, text)
    response = text_cell(record.get("response")) if text else record.get("response")
    if op is None or not isinstance(response, dict) or not _a_json_success(op, response):
        return
    entity = op.replied or entities.default
    if entity not in dom.entities:
        return
    body = response.get("body")
    values = _replied_values(op, body)
    if values is None:
        issues = [Issue("type", f"$: not the {op.response_shape} of {entity} replies hold")]
    else:
        validate = checker.for_entity(entity, dom, "response")
        issues = [i for v in values for i in validate(v)]
        held = [
            p for v in values for p in sent_paths(v, checker.one_way(entity, dom, "write_only"))
        ]
        if held:  # (a password or card number the client sent, never given back)
            names = ", ".join(dict.fromkeys(held))
            issues.append(
                Issue(
                    "writeOnly",
                    f"$: holds writeOnly fields ({names}): a reply SHOULD NOT hold them (OpenAPI)",
                )
            )
    report.replies_checked += 1
    if not issues:
        return
    report.replies_failed += 1
    rules = tuple(dict.fromkeys(i.rule for i in issues))
    reason = "; ".join(dict.fromkeys(i.message for i in issues))[:500]
    report.add_problem(
        RecordProblem(position, "invalid-reply", f"the success reply fails: {reason}", None, rules),
        limit,
    )


def _a_json_success(op: Operation, response: dict[str, Any]) -> bool:
    """Whether ``response`` is the operation's success (a 2xx) with a JSON body."""
    status = response.get("status")
    return (
        isinstance(status, int)
        and status == op.success_status
        and 200 <= status < 300  # (an operation that declares only errors never succeeds)
        and op.response_media is None
        and op.response_shape != "none"
        and response.get("body_encoding") is None
        and response.get("body") is not None
    )


def _replied_values(op: Operation, body: Any) -> list[Any] | None:
    """The values of the reply entity ``body`` holds, by the operation's reply shape (None:
    it is not of that shape)."""
    if op.response_shape == "array":
        return body if isinstance(body, list) else None
    if op.response_shape == "page":
        items = body.get("items") if isinstance(body, dict) else None
        return items if isinstance(items, list) else None
    return [body]
