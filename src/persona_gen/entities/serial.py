"""The entity model as plain data: how profiles embed entities and the built-in domain is kept.

``{"type": "string", "format": "email", "max_length": 254}``; objects list ``fields`` by name
with ``required`` defaulting to true, as in SQL rather than JSON Schema.

Reading says every problem of the data at once (``EntityFormatError.problems``), not the
first alone: a malformed part is noted and read as a stand-in that no later check judges (a
schema of any value, an operation of nothing), and the rest is read on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields as dc_fields
from datetime import date
from typing import Any, TypeVar

from persona_gen.entities.keys import (
    DOMAIN_KEYS,
    ENTITY_KEYS,
    FIELD_FLAGS,
    FOREIGN_KEY_KEYS,
    FORMAT_BOUND_KEYS,
    OPERATION_KEYS,
    PLAIN,
    SCHEMA_KEYS,
    EntityFormatError,
    exclusive_bounds,
    format_bound_problems,
    http_method,
    is_extension,
    only,
    path_template,
    unknown_key,
    unknown_keys,
    wrong_kinds,
)
from persona_gen.entities.media import is_media_type
from persona_gen.entities.model import (
    RESPONSE_SHAPES,
    STYLES,
    TYPES,
    Domain,
    Entity,
    Field,
    ForeignKey,
    Operation,
    PartEncoding,
    Schema,
    XmlName,
)

__all__ = [
    "EntityFormatError",
    "domain_from_dict",
    "domain_to_dict",
    "read_domain",
    "schema_from_dict",
    "schema_to_dict",
]

_DEFAULTS = {f.name: f.default for f in dc_fields(Schema)}
T = TypeVar("T")

# What a malformed schema is read as: any value, which no check judges (nor finds a field
# in, so a key column naming one of its fields is not judged either).
_STAND_IN = Schema("any")
# What an operation with a malformed part is read as: one of no entity and no parameters.
_NO_OPERATION = Operation("GET", "/")


class _Found:
    """The problems found so far while reading entity data."""

    def __init__(self) -> None:
        self.problems: list[EntityFormatError] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(EntityFormatError(path, message))

    def read(self, stand_in: T, read: Callable[..., T], *args: Any) -> T:
        """``read(*args)``; ``stand_in`` when it raises (what it raised is noted)."""
        try:
            return read(*args)
        except EntityFormatError as exc:
            self.problems.extend(exc.problems)
            return stand_in

    def raise_any(self) -> None:
        if self.problems:
            raise EntityFormatError.of(self.problems)


def _strictly(read: Callable[..., T], *args: Any) -> T:
    """``read(*args, found)``, raising every problem it found."""
    found = _Found()
    value = read(*args, found)
    found.raise_any()
    return value


def schema_to_dict(schema: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {"type": schema.type}
    for name in PLAIN:
        value = getattr(schema, name)
        if value != _DEFAULTS[name]:
            out[name] = value
    if schema.enum is not None:
        out["enum"] = list(schema.enum)
    if schema.has_const:
        out["const"] = schema.const
        if schema.const_unchecked:
            out["const_unchecked"] = True
    if schema.has_default:
        out["default"] = schema.default
    if schema.items is not None:
        out["items"] = schema_to_dict(schema.items)
    if schema.values is not None:
        out["values"] = schema_to_dict(schema.values)
    if schema.fields:
        out["fields"] = {f.name: _field_to_dict(f) for f in schema.fields}
    if schema.absent:
        out["absent"] = list(schema.absent)
    if schema.variants:
        out["variants"] = [schema_to_dict(v) for v in schema.variants]
    if schema.xml is not None:
        out["xml"] = {
            k: getattr(schema.xml, k)
            for k in XML_KEYS
            if getattr(schema.xml, k) not in (None, False)
        }
    return out


XML_KEYS = ("name", "namespace", "prefix", "attribute", "wrapped")


def _xml_from_dict(raw: Any, path: str) -> XmlName:
    """``xml: {name, namespace, prefix, attribute, wrapped}``."""
    if not isinstance(raw, dict):
        raise EntityFormatError(
            path, "expected a mapping (name, namespace, prefix, attribute, wrapped)"
        )
    only(raw, "xml", XML_KEYS, path)
    for key in ("name", "namespace", "prefix"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise EntityFormatError(f"{path}.{key}", f"expected text, not {raw[key]!r}")
    for key in ("attribute", "wrapped"):
        if not isinstance(raw.get(key, False), bool):
            raise EntityFormatError(f"{path}.{key}", f"expected true or false, not {raw[key]!r}")
    return XmlName(**raw)


def _field_to_dict(f: Field) -> dict[str, Any]:
    out = schema_to_dict(f.schema)
    if not f.required:
        out["required"] = False
    if f.read_only:
        out["read_only"] = True
    if f.write_only:
        out["write_only"] = True
    if f.counted:
        out["counted"] = True
    if f.defaulted:
        out["defaulted"] = True
    return out


def schema_from_dict(data: Any, path: str = "") -> Schema:
    return _strictly(_schema, data, path)


def _schema(data: Any, path: str, found: _Found) -> Schema:
    """``data`` as a schema; the stand-in when its own keys are malformed (a schema inside
    it that is malformed is noted and stands in alone)."""
    if not isinstance(data, dict):
        found.add(path, "expected a mapping")
        return _STAND_IN
    kind = data.get("type")
    known = isinstance(kind, str) and kind in TYPES  # (not `type: [string, null]`)
    where = f"{path}.type".lstrip(".")
    own = [] if known else [EntityFormatError(where, f"unknown type {kind!r}")]
    for key in FORMAT_BOUND_KEYS:  # (YAML reads an unquoted 2024-01-01 as a date)
        if isinstance(data.get(key), date):
            data[key] = data[key].isoformat()
    own += wrong_kinds(data, path)
    own += format_bound_problems(data, path)
    kwargs: dict[str, Any] = {"type": kind}
    for key, value in data.items():
        here = f"{path}.{key}".lstrip(".")
        if key == "type" or key in FIELD_FLAGS or is_extension(key):
            continue
        if key in PLAIN:
            kwargs[key] = value
        elif key == "enum":  # (not a list: a wrong kind, noted above)
            kwargs["enum"] = tuple(value) if isinstance(value, list) else ()
        elif key == "absent":  # (not a list of names: a wrong kind, noted above)
            kwargs["absent"] = tuple(value) if isinstance(value, list) else ()
        elif key == "const":
            kwargs["const"], kwargs["has_const"] = value, True
        elif key == "const_unchecked":  # (not true or false: a wrong kind, noted above)
            kwargs[key] = value is True
        elif key == "default":
            kwargs["default"], kwargs["has_default"] = value, True
        elif key in ("items", "values"):
            kwargs[key] = _schema(value, here, found)
        elif key == "fields":
            if not isinstance(value, dict):
                own.append(EntityFormatError(here, "expected a mapping of field name to schema"))
                continue
            kwargs["fields"] = tuple(
                _field_from_dict(name, spec, f"{here}.{name}", found)
                for name, spec in value.items()
            )
        elif key == "xml":
            kwargs["xml"] = _xml_from_dict(value, here)
        elif key == "variants":
            if not isinstance(value, list):
                own.append(EntityFormatError(here, "expected a list of schemas"))
                continue
            kwargs["variants"] = tuple(
                _schema(v, f"{here}[{i}]", found) for i, v in enumerate(value)
            )
        else:
            own.append(EntityFormatError(here, unknown_key("schema", key, SCHEMA_KEYS)))
    if own:
        found.problems += own
        return _STAND_IN
    exclusive_bounds(kwargs)
    try:
        return Schema(**kwargs)
    except TypeError as exc:  # a value of the wrong kind for a dataclass slot
        found.add(path, str(exc))
        return _STAND_IN


def _field_from_dict(name: str, data: Any, path: str, found: _Found) -> Field:
    schema = _schema(data, path, found)
    flags = data if isinstance(data, dict) else {}
    return Field(
        name=str(name),
        schema=schema,
        required=bool(flags.get("required", True)),
        read_only=bool(flags.get("read_only", False)),
        write_only=bool(flags.get("write_only", False)),
        counted=bool(flags.get("counted", False)),
        defaulted=bool(flags.get("defaulted", False)),
    )


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": schema_to_dict(entity.schema)}
    if entity.primary_key:
        out["primary_key"] = list(entity.primary_key)
    if entity.unique:
        out["unique"] = [list(u) for u in entity.unique]
    if entity.foreign_keys:
        out["foreign_keys"] = [
            {"columns": list(fk.columns), "entity": fk.entity, "references": list(fk.references)}
            for fk in entity.foreign_keys
        ]
    if entity.plural:
        out["plural"] = entity.plural
    if entity.identity_always:
        out["identity_always"] = list(entity.identity_always)
    if entity.table_schema:
        out["table_schema"] = entity.table_schema
    return out


def entity_from_dict(name: str, data: Any, path: str) -> Entity:
    return _strictly(_entity, name, data, path)


def _entity(name: str, data: Any, path: str, found: _Found) -> Entity:
    if not isinstance(data, dict) or "schema" not in data:
        found.add(path, "expected a mapping with 'schema'")
        return Entity(name, _STAND_IN)
    found.problems += unknown_keys(data, "entity", ENTITY_KEYS, path)
    unique: list[Any] = found.read([], _list, data.get("unique", []), f"{path}.unique")
    foreign_keys: list[Any] = found.read(
        [], _list, data.get("foreign_keys", []), f"{path}.foreign_keys"
    )
    return Entity(
        name=name,
        schema=_schema(data["schema"], f"{path}.schema", found),
        primary_key=found.read((), _names, data.get("primary_key", []), f"{path}.primary_key"),
        unique=tuple(
            found.read((), _names, u, f"{path}.unique[{i}]") for i, u in enumerate(unique)
        ),
        foreign_keys=tuple(
            fk
            for i, spec in enumerate(foreign_keys)
            if (fk := _foreign_key(spec, f"{path}.foreign_keys[{i}]", found)) is not None
        ),
        plural=data.get("plural"),
        identity_always=found.read(
            (), _names, data.get("identity_always", []), f"{path}.identity_always"
        ),
        table_schema=found.read(
            None, _schema_name, data.get("table_schema"), f"{path}.table_schema"
        ),
    )


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise EntityFormatError(path, "expected a list")
    return list(value)


def _schema_name(value: Any, path: str) -> str | None:
    """A database schema's name (``app``), or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not value or "." in value:
        raise EntityFormatError(path, "expected a schema name (text without a dot)")
    return value


def _names(value: Any, path: str) -> tuple[str, ...]:
    """A list of column names (``[id]``; not a bare name, whose letters would be columns)."""
    items = _list(value, path)
    wrong = [i for i, item in enumerate(items) if not isinstance(item, str)]
    if wrong:
        raise EntityFormatError.of(
            [EntityFormatError(f"{path}[{i}]", "expected a field name") for i in wrong]
        )
    return tuple(items)


def _foreign_key(data: Any, path: str, found: _Found) -> ForeignKey | None:
    if not isinstance(data, dict) or not {"columns", "entity", "references"} <= set(data):
        found.add(path, "expected a mapping with 'columns', 'entity', 'references'")
        return None
    found.problems += unknown_keys(data, "foreign key", FOREIGN_KEY_KEYS, path)
    return ForeignKey(
        found.read((), _names, data["columns"], f"{path}.columns"),
        str(data["entity"]),
        found.read((), _names, data["references"], f"{path}.references"),
    )


def operation_to_dict(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {"method": op.method, "path": op.path}
    for name in ("entity", "operation_id"):
        if getattr(op, name) is not None:
            out[name] = getattr(op, name)
    if op.request_body:
        out["request_body"] = True
    if op.request_shape != "one":
        out["request_shape"] = op.request_shape
    out["success_status"] = op.success_status
    response: dict[str, Any] = {"shape": op.response_shape}
    if op.response_entity is not None:
        response = {"entity": op.response_entity, **response}
    if op.response_media is not None:
        response["media"] = op.response_media
    out["response"] = response
    if op.error_statuses:
        out["error_statuses"] = list(op.error_statuses)
    if op.path_schemas:  # name -> declared schema (null: only in the path template)
        declared = dict(op.path_schemas)
        out["path_params"] = {
            k: schema_to_dict(declared[k]) if k in declared else None for k in op.path_params
        }
    elif op.path_params:
        out["path_params"] = list(op.path_params)
    if op.query_params:
        out["query_params"] = {k: schema_to_dict(s) for k, s in op.query_params}
    if op.required_query:
        out["required_query"] = list(op.required_query)
    if op.header_params:
        out["header_params"] = {k: schema_to_dict(s) for k, s in op.header_params}
    if op.required_header_params:
        out["required_header_params"] = list(op.required_header_params)
    if op.cookie_params:
        out["cookie_params"] = {k: schema_to_dict(s) for k, s in op.cookie_params}
    if op.required_cookie_params:
        out["required_cookie_params"] = list(op.required_cookie_params)
    if op.resources:
        out["resources"] = list(op.resources)
    if op.request_media is not None:
        out["request_media"] = op.request_media
    if op.request_encoding:
        out["request_encoding"] = {
            e.name: {
                k: v
                for k, v in (
                    ("content_type", e.content_type),
                    ("style", e.style),
                    ("explode", e.explode),
                    ("headers", {h: schema_to_dict(s) for h, s in e.headers} or None),
                    ("required_headers", list(e.required_headers) or None),
                )
                if v is not None
            }
            for e in op.request_encoding
        }
    if op.error_entity is not None:
        error = {"entity": op.error_entity}
        out["bad_request"] = error if op.error_media is None else {**error, "media": op.error_media}
    if op.error_replies:
        out["error_replies"] = {
            ("default" if status == 0 else status): (
                {"entity": entity} if media is None else {"entity": entity, "media": media}
            )
            for status, entity, media in op.error_replies
        }
    return out


def operation_from_dict(data: Any, path: str) -> Operation:
    return _strictly(_operation, data, path)


def _operation(data: Any, path: str, found: _Found) -> Operation:
    """``data`` as an operation; one of nothing when any part of it is malformed (every
    problem noted)."""
    if not isinstance(data, dict) or "method" not in data or "path" not in data:
        found.add(path, "expected a mapping with 'method' and 'path'")
        return _NO_OPERATION
    mine = _Found()
    mine.problems += unknown_keys(data, "operation", OPERATION_KEYS, path)
    method = mine.read("GET", http_method, data["method"], path)
    success = mine.read(200, _status, data.get("success_status", 200), f"{path}.success_status")
    response_entity, shape, response_media = _response_from_dict(data, method, success, path, mine)
    names, declared = _path_params_from_dict(
        data.get("path_params", ()), f"{path}.path_params", mine
    )
    errors: list[Any] = mine.read(
        [], _list, data.get("error_statuses", []), f"{path}.error_statuses"
    )
    operation = Operation(
        method=method,
        path=mine.read("/", path_template, data["path"], path),
        entity=mine.read(None, _text, data.get("entity"), f"{path}.entity", "an entity name"),
        request_body=mine.read(
            False, _flag, data.get("request_body", False), f"{path}.request_body"
        ),
        request_shape=mine.read(
            "one", _request_shape, data.get("request_shape", "one"), f"{path}.request_shape"
        ),
        success_status=success,
        error_statuses=tuple(
            mine.read(500, _status, code, f"{path}.error_statuses[{i}]")
            for i, code in enumerate(errors)
        ),
        path_params=names,
        query_params=_params_from_dict(data, "query_params", path, mine),
        required_query=_names_from_dict(data, "required_query", path, mine),
        header_params=_params_from_dict(data, "header_params", path, mine),
        required_header_params=_names_from_dict(data, "required_header_params", path, mine),
        cookie_params=_params_from_dict(data, "cookie_params", path, mine),
        required_cookie_params=_names_from_dict(data, "required_cookie_params", path, mine),
        operation_id=mine.read(
            None, _text, data.get("operation_id"), f"{path}.operation_id", "a name"
        ),
        response_entity=response_entity,
        response_shape=shape,
        response_media=response_media,
        path_schemas=declared,
        resources=mine.read((), _names, data.get("resources", ()), f"{path}.resources"),
        request_media=mine.read(
            None, _request_media, data.get("request_media"), f"{path}.request_media"
        ),
        request_encoding=mine.read(
            (), _encoding, data.get("request_encoding", {}), f"{path}.request_encoding"
        ),
        **mine.read(_NO_BAD_REQUEST, _bad_request, data.get("bad_request"), f"{path}.bad_request"),
        error_replies=mine.read(
            (), _error_replies, data.get("error_replies", {}), f"{path}.error_replies"
        ),
    )
    found.problems += mine.problems
    return _NO_OPERATION if mine.problems else operation


def _status(raw: Any, path: str) -> int:
    """An HTTP status code (``success_status: abc`` would fail deep inside a draw)."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 100 <= raw <= 599:
        raise EntityFormatError(path, f"expected an HTTP status code (100-599), not {raw!r}")
    return raw


def _flag(raw: Any, path: str) -> bool:
    if not isinstance(raw, bool):  # ('no' is a true string)
        raise EntityFormatError(path, f"expected true or false, not {raw!r}")
    return raw


def _text(raw: Any, path: str, what: str) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise EntityFormatError(path, f"expected {what}, not {raw!r}")
    return raw


def _mapping(raw: Any, path: str, what: str = "name to schema") -> dict[Any, Any]:
    if not isinstance(raw, dict):
        raise EntityFormatError(path, f"expected a mapping of {what}")
    return raw


def _request_media(raw: Any, path: str) -> str | None:
    """A request body's media type (absent: JSON)."""
    return None if raw is None else _media_type(raw, path)


def _media_type(raw: Any, path: str) -> str:
    """A media type written ``type/subtype`` (parameters allowed)."""
    if not isinstance(raw, str) or not is_media_type(raw):
        raise EntityFormatError(
            path, f"expected a media type such as application/xml (type/subtype), not {raw!r}"
        )
    return raw


def _encoding(raw: Any, path: str) -> tuple[PartEncoding, ...]:
    """``request_encoding: {name: {content_type, style, explode, headers,
    required_headers}}``, ``headers`` a mapping of a part's header name to the schema of its
    value, ``required_headers`` the names of those sent on every request."""
    if not isinstance(raw, dict):
        raise EntityFormatError(path, "expected a mapping of property name to its encoding")
    out = []
    for name, spec in raw.items():
        here = f"{path}.{name}"
        if not isinstance(spec, dict):
            raise EntityFormatError(
                here,
                "expected a mapping (content_type, style, explode, headers, required_headers)",
            )
        keys = ("content_type", "style", "explode", "headers", "required_headers")
        only(spec, "encoding", keys, here)
        content_type = spec.get("content_type")
        if content_type is not None:
            _media_type(content_type, f"{here}.content_type")
        style = spec.get("style")
        if style is not None and style not in STYLES:
            raise EntityFormatError(
                f"{here}.style", f"unknown style {style!r} (one of {', '.join(STYLES)})"
            )
        explode = spec.get("explode")
        if explode is not None:
            _flag(explode, f"{here}.explode")
        headers = spec.get("headers", {})
        if not isinstance(headers, dict):
            raise EntityFormatError(
                f"{here}.headers", "expected a mapping of header name to its schema"
            )
        part_headers = tuple(
            (str(h), schema_from_dict(s, f"{here}.headers.{h}")) for h, s in headers.items()
        )
        required = spec.get("required_headers", [])
        if not isinstance(required, list) or any(h not in headers for h in required):
            raise EntityFormatError(
                f"{here}.required_headers", "expected a list of names of its headers"
            )
        out.append(
            PartEncoding(
                str(name),
                content_type,
                style,
                explode,
                part_headers,
                tuple(str(h) for h in required),
            )
        )
    return tuple(out)


_NO_BAD_REQUEST: dict[str, Any] = {}  # (a bad_request that cannot be read: none declared)


def _bad_request(raw: Any, path: str) -> dict[str, Any]:
    """``error_entity`` and ``error_media`` of ``bad_request: {entity, media}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not isinstance(raw.get("entity"), str):
        raise EntityFormatError(path, "expected a mapping with 'entity' (and 'media')")
    unknown = sorted(str(k) for k in raw if k not in ("entity", "media"))
    if unknown:
        raise EntityFormatError(f"{path}.{unknown[0]}", "unknown bad_request key (entity, media)")
    media = raw.get("media")
    return {
        "error_entity": raw["entity"],
        "error_media": None if media is None else _media_type(media, f"{path}.media"),
    }


def _error_replies(raw: Any, path: str) -> tuple[tuple[int, str, str | None], ...]:
    """``error_replies: {404: {entity, media}, default: {entity}}``: the body of each
    declared error reply (``default``: status 0, the error statuses not listed)."""
    if not isinstance(raw, dict):
        raise EntityFormatError(path, "expected a mapping of status to {entity, media}")
    out: list[tuple[int, str, str | None]] = []
    for key, value in raw.items():
        status = 0 if key == "default" else _status(key, f"{path}.{key}")
        if 0 < status < 400:
            raise EntityFormatError(f"{path}.{key}", f"{status} is no error status (400-599)")
        body = _bad_request(value, f"{path}.{key}")
        if not body:
            raise EntityFormatError(
                f"{path}.{key}", "expected a mapping with 'entity' (and 'media')"
            )
        out.append((status, body["error_entity"], body["error_media"]))
    return tuple(out)


def _request_shape(raw: Any, path: str) -> str:
    if raw not in ("one", "array"):
        raise EntityFormatError(path, f"unknown shape {raw!r} (one or array)")
    return str(raw)


def _response_from_dict(
    data: dict[str, Any], method: str, success: int, path: str, found: _Found
) -> tuple[str | None, str, str | None]:
    """The reply's entity, shape and media type (None: JSON). Profiles written before
    replies were described have only ``response_array``: their reply was the operation's
    entity, a list or none."""
    if "response" not in data:
        if found.read(False, _flag, data.get("response_array", False), f"{path}.response_array"):
            return None, "array", None
        return None, "none" if method == "DELETE" or success == 204 else "one", None
    raw = data["response"]
    here = f"{path}.response"
    if not isinstance(raw, dict):
        found.add(here, "expected a mapping with 'shape' (and 'entity', 'media')")
        return None, "one", None
    found.problems += unknown_keys(raw, "response", ("entity", "shape", "media"), here)
    media = raw.get("media")
    media = None if media is None else found.read(None, _media_type, media, f"{here}.media")
    shape = raw.get("shape", "one")
    if shape not in RESPONSE_SHAPES:
        found.add(f"{here}.shape", f"unknown shape {shape!r} (one of {', '.join(RESPONSE_SHAPES)})")
    entity = raw.get("entity")
    if entity is not None and not isinstance(entity, str):
        found.add(f"{here}.entity", "expected an entity name")
    return entity, str(shape), media


def _params_from_dict(
    data: dict[str, Any], key: str, path: str, found: _Found
) -> tuple[tuple[str, Schema], ...]:
    """An operation's parameters of one kind (``query_params``...): name to schema."""
    raw: dict[Any, Any] = found.read({}, _mapping, data.get(key, {}), f"{path}.{key}")
    return tuple((str(k), _schema(v, f"{path}.{key}.{k}", found)) for k, v in raw.items())


def _names_from_dict(data: dict[str, Any], key: str, path: str, found: _Found) -> tuple[str, ...]:
    """The names an operation's ``required_*`` list gives."""
    names: tuple[str, ...] = found.read((), _names, data.get(key, ()), f"{path}.{key}")
    return names


def _path_params_from_dict(
    raw: Any, path: str, found: _Found
) -> tuple[tuple[str, ...], tuple[tuple[str, Schema], ...]]:
    """Path parameter names, and the schemas of those declared: a list of names (profiles
    written before the schemas were kept) or a mapping of name to schema or null."""
    if isinstance(raw, dict):
        declared = tuple(
            (str(k), _schema(v, f"{path}.{k}", found)) for k, v in raw.items() if v is not None
        )
        return tuple(str(k) for k in raw), declared
    if isinstance(raw, list | tuple):
        return tuple(str(k) for k in raw), ()
    found.add(path, "expected a list of names or a mapping of name to schema")
    return (), ()


def domain_to_dict(domain: Domain) -> dict[str, Any]:
    out: dict[str, Any] = {
        "primary": domain.primary,
        "source": domain.source,
        "entities": {name: entity_to_dict(e) for name, e in domain.entities.items()},
    }
    if domain.operations:
        out["operations"] = [operation_to_dict(op) for op in domain.operations]
    if domain.events:
        out["events"] = dict(domain.events)
    return out


def domain_from_dict(data: Any, path: str = "") -> Domain:
    domain, problems = read_domain(data, path)
    if problems:
        raise EntityFormatError.of(problems)
    assert domain is not None  # (none is read only with a problem)
    return domain


def read_domain(data: Any, path: str = "") -> tuple[Domain | None, list[EntityFormatError]]:
    """``data`` as a domain, and every problem found in it. Each malformed part is read as a
    stand-in no later check judges, so what the rest gets wrong can be judged too (a
    domain's references, rules no value meets); None when there is no domain to judge."""
    found = _Found()
    return _domain(data, path, found), found.problems


def _domain(data: Any, path: str, found: _Found) -> Domain | None:
    if not isinstance(data, dict) or not isinstance(data.get("entities"), dict):
        found.add(path, "expected a mapping with 'entities'")
        return None
    found.problems += unknown_keys(data, "domain", DOMAIN_KEYS, path)
    here = f"{path}.entities".lstrip(".")
    entities = {  # (a part that raises, not noting its problems, stands in whole)
        str(name): found.read(
            Entity(str(name), _STAND_IN), _entity, str(name), spec, f"{here}.{name}", found
        )
        for name, spec in data["entities"].items()
    }
    if not entities:
        found.add(here, "at least one entity is needed")
        return None
    primary = str(data.get("primary", next(iter(entities))))
    if primary not in entities:
        found.add(f"{path}.primary".lstrip("."), f"no entity named {primary!r}")
        primary = next(iter(entities))
    at = f"{path}.operations".lstrip(".")
    listed: list[Any] = found.read([], _list, data.get("operations", []), at)
    operations = tuple(
        found.read(_NO_OPERATION, _operation, op, f"{at}[{i}]", found)
        for i, op in enumerate(listed)
    )
    for i, op in enumerate(operations):
        named = [(op.response_entity, "response"), (op.error_entity, "bad_request")]
        named += [
            (entity, f"error_replies.{status or 'default'}")
            for status, entity, _ in op.error_replies
        ]
        for name, where in named:
            if name is not None and name not in entities:
                found.add(f"{at}[{i}].{where}.entity", f"no entity named {name!r}")
    events: dict[Any, Any] = found.read(
        {}, _mapping, data.get("events", {}), f"{path}.events".lstrip("."), "event type to entity"
    )
    return Domain(
        entities,
        primary,
        operations,
        {str(k): str(v) for k, v in events.items()},
        str(data.get("source", "profile")),
    )
