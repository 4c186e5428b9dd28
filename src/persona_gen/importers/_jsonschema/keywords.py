"""What a schema node says as written (a dict, before it is converted): its keyword
families, its ``$ref``, whether it constrains anything beside it, the type its keywords
imply, the properties it forbids, and its conditionals (``if``/``then``/``else``, and
``dependentSchemas`` / ``dependentRequired`` / draft 4-7 ``dependencies``, which are
conditionals too) set apart from the rest.

Nothing here reports: these read nodes for the ``Converter`` and its parts, which warn.
"""

from __future__ import annotations

from typing import Any

from persona_gen._json import json_type

__all__ = [
    "ARRAY_KEYS",
    "DEPENDENT_KEYS",
    "NUMBER_KEYS",
    "REF_KEYS",
    "STRING_KEYS",
    "all_of_tree",
    "conditionals_only",
    "dependents",
    "excludes_null",
    "forbidden",
    "has_constraints",
    "infer_type",
    "not_required",
    "ref_of",
    "rejects_every_value",
    "type_phrase",
    "typed_keywords",
    "without_conditionals",
]

# Keywords that only annotate: beside a $ref they add no constraint.
_ANNOTATIONS = frozenset(
    {
        "$ref", "$dynamicRef", "$recursiveRef", "$id", "id", "$schema", "$anchor",
        "$dynamicAnchor", "$recursiveAnchor", "$comment", "$defs", "definitions", "title",
        "description", "example", "examples", "default", "deprecated", "readOnly",
        "writeOnly", "xml", "externalDocs", "discriminator", "nullable", "format",
        "contentMediaType", "contentEncoding",
    }
)  # fmt: skip
_CONDITIONAL_KEYS = frozenset({"if", "then", "else"})
# Keywords whose entries are conditionals on a property's presence (``Branches.found``).
DEPENDENT_KEYS = ("dependentSchemas", "dependentRequired", "dependencies")
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties",
                "minProperties", "maxProperties", "propertyNames", "dependentRequired",
                "dependentSchemas", "unevaluatedProperties")  # fmt: skip
ARRAY_KEYS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains",
              "additionalItems")  # fmt: skip
STRING_KEYS = ("minLength", "maxLength", "pattern")
NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_STRING_FORMATS = frozenset(
    {"date-time", "date", "time", "email", "uri", "uuid", "hostname", "ipv4", "ipv6", "byte",
     "binary", "password", "duration", "uri-reference", "iri", "idn-email", "regex",
     "json-pointer"}
)  # fmt: skip
REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")


def ref_of(node: dict[str, Any]) -> Any:
    for key in REF_KEYS:
        if key in node:
            return node[key]
    return None


def has_constraints(node: dict[str, Any]) -> bool:
    return any(k not in _ANNOTATIONS and not k.startswith("x-") for k in node)


def typed_keywords(node: dict[str, Any]) -> bool:
    """Does ``node`` use keywords that only constrain values of one type?"""
    families = (_OBJECT_KEYS, ARRAY_KEYS, STRING_KEYS, NUMBER_KEYS)
    return any(k in node for keys in families for k in keys)


def excludes_null(node: dict[str, Any]) -> bool:
    """An enum without null, or a const that is not null: null is never valid."""
    enum = node.get("enum")
    if isinstance(enum, list) and None not in enum:
        return True
    return "const" in node and node["const"] is not None


def infer_type(node: dict[str, Any]) -> str:
    if "const" in node:
        kind = _value_type(node["const"])
        return kind or "any"
    if isinstance(node.get("enum"), list) and node["enum"]:
        kinds = {_value_type(v) for v in node["enum"] if v is not None}
        only = kinds.pop() if len(kinds) == 1 else None
        return only or "any"
    if any(k in node for k in _OBJECT_KEYS):
        return "object"
    if any(k in node for k in ARRAY_KEYS):
        return "array"
    if any(k in node for k in STRING_KEYS) or node.get("format") in _STRING_FORMATS:
        return "string"
    if any(k in node for k in NUMBER_KEYS):
        return "number"
    return "any"


_JSON_VALUES = (bool, int, float, str, list, dict)


def _value_type(value: Any) -> str | None:
    """The type a ``const`` or ``enum`` member implies: as written (``1.0`` is a number),
    and none for null (it implies no other type) nor for a value that is no JSON (a YAML
    date)."""
    if value is None or not isinstance(value, _JSON_VALUES):
        return None
    return json_type(value, as_written=True)


def forbidden(node: Any) -> list[list[str]]:
    """Groups of properties ``node`` forbids together: ``name: false``, or ``not: {required:
    [names]}`` (a value must not hold all of them: the optional ones are not made), or
    ``not: {anyOf: [{required: [names]}, ...]}`` (a group per member)."""
    if not isinstance(node, dict):
        return []
    props = node.get("properties")
    out = (
        [[str(k)] for k, v in props.items() if rejects_every_value(v)]
        if isinstance(props, dict)
        else []
    )
    return out + not_required(node)


def not_required(node: dict[str, Any]) -> list[list[str]]:
    """The groups of names of ``not: {required: [names]}``, or of ``not: {anyOf: [{required:
    [names]}, ...]}`` (nothing else in the ``not`` but, for objects the same, ``type:
    object``)."""
    excluded = node.get("not")
    if not isinstance(excluded, dict):
        return []
    members = excluded.get("anyOf")
    if isinstance(members, list) and members and set(excluded) - {"type"} == {"anyOf"}:
        if excluded.get("type", "object") != "object":
            return []
        groups = [_required_only(m) for m in members]
        return [] if any(g is None for g in groups) else [g for g in groups if g]
    together = _required_only(excluded)
    return [together] if together else []


def _required_only(node: Any) -> list[str] | None:
    """The names of ``{required: [names]}`` (beside, at most, ``type: object``)."""
    if not isinstance(node, dict) or "required" not in node:
        return None
    if set(node) - {"required", "type"} or node.get("type", "object") != "object":
        return None
    names = node["required"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return None
    return list(names)


def rejects_every_value(sub: Any) -> bool:
    """A property schema no value satisfies: ``false`` or ``{"not": {}}``."""
    if sub is False:
        return True
    return (
        isinstance(sub, dict)
        and "not" in sub
        and sub["not"] in (True, {})
        and not any(k in sub for k in ("anyOf", "oneOf"))
    )


def type_phrase(value: Any) -> str:
    """The type of a value as messages name it: "a list", "a string", "null"…"""
    return {list: "a list", str: "a string", int: "a number", float: "a number",
            type(None): "null"}.get(type(value), type(value).__name__)  # fmt: skip


def dependents(node: dict[str, Any], key: str) -> dict[str, Any]:
    """What each property brings in by ``key``: the schemas of ``dependentSchemas`` (and of
    draft 4-7 ``dependencies``), and the names of ``dependentRequired`` (its lists) as
    ``{required: names}``."""
    value = node.get(key)
    if not isinstance(value, dict):
        return {}
    out: dict[str, Any] = {}
    for name, sub in value.items():
        if isinstance(sub, (dict, bool)):
            out[str(name)] = sub
        elif isinstance(sub, list) and key != "dependentSchemas":
            needed = [n for n in sub if isinstance(n, str)]
            if needed:
                out[str(name)] = {"required": needed}
    return out


def without_conditionals(node: Any) -> Any:
    """``node`` without its conditionals (``if``/``then``/``else``, ``dependentSchemas``,
    ``dependentRequired`` and ``dependencies``) nor those of its ``allOf`` parts, at any
    depth (``Branches.found`` lists them): the node as it is when it has none."""
    if not isinstance(node, dict):
        return node
    all_of = node.get("allOf")
    parts = all_of
    if isinstance(all_of, list):
        parts = [
            without_conditionals(p) if isinstance(p, dict) and ref_of(p) is None else p
            for p in all_of
        ]
        if all(a is b for a, b in zip(parts, all_of, strict=True)):
            parts = all_of
    if "if" not in node and parts is all_of and not any(k in node for k in DEPENDENT_KEYS):
        return node
    out = {
        k: v
        for k, v in node.items()
        if ("if" not in node or k not in _CONDITIONAL_KEYS) and k not in DEPENDENT_KEYS
    }
    if parts is not all_of:
        out["allOf"] = parts
    return out


def conditionals_only(node: Any) -> bool:
    """A schema of conditionals alone (in ``allOf`` parts written in place too)."""
    if not isinstance(node, dict) or ref_of(node) is not None:
        return False
    rest = {
        k: v
        for k, v in without_conditionals(node).items()
        if k not in _CONDITIONAL_KEYS and k != "allOf"
    }
    if has_constraints(rest):
        return False
    all_of = node.get("allOf", [])
    return isinstance(all_of, list) and all(conditionals_only(p) for p in all_of)


def all_of_tree(node: Any) -> list[Any]:
    """``node`` and its ``allOf`` parts written in place, at any depth."""
    out = [node]
    all_of = node.get("allOf") if isinstance(node, dict) else None
    if isinstance(all_of, list):
        for part in all_of:
            if isinstance(part, dict) and ref_of(part) is None:
                out += all_of_tree(part)
    return out
