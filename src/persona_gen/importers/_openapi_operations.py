"""OpenAPI paths → ``Operation`` s: method, path template, body entity, status codes, params."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from persona_gen.entities.media import (
    JSON,
    URLENCODED,
    base_type,
    concrete,
    is_media_type,
    media_kind,
)
from persona_gen.entities.model import STYLES, Operation, PartEncoding, Schema, bad_request_status
from persona_gen.importers._jsonschema import Converter, Ctx
from persona_gen.importers._jsonschema.keywords import has_constraints, ref_of, type_phrase
from persona_gen.importers._openapi_resources import by_path, named, resource_of
from persona_gen.values.semantics import snake_case

__all__ = ["operations"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAM = re.compile(r"{([^{}]+)}")
# Swagger 2.0 parameters carry their schema inline, beside these.
_PARAM_ONLY = frozenset({"name", "in", "required", "description", "allowEmptyValue",
                         "collectionFormat", "deprecated", "style", "explode",
                         "allowReserved", "example", "examples"})  # fmt: skip


def operations(
    conv: Converter, root: dict[str, Any], ctx: Ctx, v3: bool, bodies: list[str]
) -> tuple[Operation, ...]:
    """Every path + method; names of entities made for inline request bodies go to ``bodies``."""
    paths = root.get("paths")
    paths = {} if paths is None else paths
    if not isinstance(paths, dict):
        raise conv.error(ctx.at("paths"), "paths must be an object")
    base = _base_path(root, v3)
    out: list[Operation] = []
    for template, raw_item in paths.items():
        ictx = ctx.at("paths", template)
        if not isinstance(raw_item, dict):
            raise conv.error(ictx, "a path item must be an object")
        item = raw_item
        if isinstance(raw_item.get("$ref"), str):
            found, ictx = conv.resolve(raw_item["$ref"], ictx)
            item = found if isinstance(found, dict) else {}
        common = _parameters(conv, item.get("parameters"), ictx.at("parameters"))
        for method in [str(k) for k in item if str(k) in METHODS]:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            octx = ictx.at(method)
            params = {**common, **_parameters(conv, op.get("parameters"), octx.at("parameters"))}
            out.append(
                _operation(conv, method, base + str(template), op, params, octx, v3, bodies, root)
            )
    return tuple(by_path(out, base))


def _operation(
    conv: Converter,
    method: str,
    path: str,
    op: dict[str, Any],
    params: dict[tuple[str, str], tuple[dict[str, Any], Ctx]],
    ctx: Ctx,
    v3: bool,
    bodies: list[str],
    root: dict[str, Any],
) -> Operation:
    op_id = op.get("operationId") if isinstance(op.get("operationId"), str) else None
    encoding: list[PartEncoding] = []
    body, bctx, media = _request_body(conv, op, params, ctx, v3, root.get("consumes"), encoding)
    has_body = body is not None or any(where == "formData" for _, where in params)
    entity: str | None = None
    sent_array = False
    resources: list[str | None] = []
    if body is not None:
        entity, sent_array = _body_entity(conv, body, bctx)
        resources.append(entity)
        if entity is None:  # an inline body (an array too): an unlisted entity of its own
            sent_array = False
            hint = op_id or f"{method}{_camel(path)}"
            entity = conv.add(f"{hint}Body", body, bctx)
            if not v3 and any(where == "formData" for _, where in params):
                conv.made_schemas[entity] = body  # (made of the parameters: no document holds it)
            bodies.append(entity)
            resources.append(resource_of(conv, body, bctx))
    success, errors, content, reply, reply_media = _responses(
        conv, op.get("responses"), ctx.at("responses"), v3
    )
    if not v3 and content:
        reply_media = _swagger_media(op.get("produces"), root.get("produces"))
    replied_as = _sent_as(conv, reply_media, ctx.at("responses"), "response")
    if media_kind(replied_as) == "form":
        replied_as = None  # (a form is not a reply: JSON)
    if reply is not None and success < 400:
        resources.append(resource_of(conv, *reply))
    elif reply is None and content and media_kind(replied_as) in ("text", "binary"):
        reply = (_schemaless(replied_as), ctx.at("responses"))  # (text, or bytes)
    # Without a declared success response, or a body without a schema, the reply is the
    # resource (as it was before replies were read).
    replied: str | None = None
    shape = "one"
    if method == "head" or not content:
        shape = "none"  # (HTTP gives a HEAD no body; a response without content has none)
    elif reply is not None:
        replied, shape = _reply(conv, *reply, op_id or f"{method}{_camel(path)}", bodies)
    if success < 400:  # (an error reply is not the resource the operation acts on)
        entity = entity or replied
    error_entity, error_media = None, None
    hint = op_id or f"{method}{_camel(path)}"
    seen: dict[str, tuple[str | None, str | None]] = {}
    if has_body:  # (only a body can break its schema)
        error_entity, error_media = _bad_request(
            conv, op.get("responses"), ctx.at("responses"), v3, errors, hint, seen
        )
    error_replies = _error_replies(
        conv, op.get("responses"), ctx.at("responses"), v3, errors, hint, seen
    )
    in_path = _PARAM.findall(path)
    declared = [name for name, where in params if where == "path"]
    path_params = tuple(dict.fromkeys([*in_path, *declared]))
    path_schemas = tuple(
        (name, _param_schema(conv, p, pctx, v3))
        for (name, where), (p, pctx) in params.items()
        if where == "path"
    )
    query, required_query = _params_in(conv, params, "query", v3)
    header_params, required_headers = _params_in(conv, params, "header", v3)
    cookie_params, required_cookies = _params_in(conv, params, "cookie", v3)
    return Operation(
        method=method.upper(),
        path=path,
        entity=entity,
        request_body=has_body,
        request_shape="array" if sent_array and entity is not None else "one",
        success_status=success,
        error_statuses=errors,
        path_params=path_params,
        query_params=query,
        required_query=required_query,
        header_params=header_params,
        required_header_params=required_headers,
        cookie_params=cookie_params,
        required_cookie_params=required_cookies,
        operation_id=op_id,
        response_entity=replied,
        response_shape=shape,
        path_schemas=path_schemas,
        resources=tuple(dict.fromkeys(r for r in resources if r is not None)),
        request_media=media,
        request_encoding=tuple(encoding),
        response_media=None if shape == "none" else replied_as,
        error_entity=error_entity,
        error_media=error_media,
        error_replies=error_replies,
    )


_OWN_HEADERS = ("accept", "content-type", "authorization")


def _params_in(
    conv: Converter,
    params: dict[tuple[str, str], tuple[dict[str, Any], Ctx]],
    where: str,
    v3: bool,
) -> tuple[tuple[tuple[str, Schema], ...], tuple[str, ...]]:
    """The parameters ``in`` ``where`` (query, header, cookie) with their schemas, and the
    names of the required ones. OpenAPI ignores header parameters named as the request's
    own headers (``_OWN_HEADERS``)."""
    found = [
        (name, p, pctx)
        for (name, at), (p, pctx) in params.items()
        if at == where and not (where == "header" and name.lower() in _OWN_HEADERS)
    ]
    schemas = tuple((name, _param_schema(conv, p, pctx, v3)) for name, p, pctx in found)
    return schemas, tuple(name for name, p, _ in found if p.get("required"))


def _parameters(
    conv: Converter, raw: Any, ctx: Ctx
) -> dict[tuple[str, str], tuple[dict[str, Any], Ctx]]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise conv.error(ctx, "parameters must be a list")
    out: dict[tuple[str, str], tuple[dict[str, Any], Ctx]] = {}
    for i, declared in enumerate(raw):
        pctx, param = ctx.at(i), declared
        if isinstance(declared, dict) and isinstance(declared.get("$ref"), str):
            param, pctx = conv.resolve(declared["$ref"], pctx)
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            conv.warn(pctx, "a parameter without a name is ignored")
            continue
        out[(param["name"], str(param.get("in", "query")))] = (param, pctx)
    return out


def _param_schema(conv: Converter, param: dict[str, Any], ctx: Ctx, v3: bool) -> Schema:
    if "schema" in param:
        return conv.standalone(param["schema"], ctx.at("schema"))
    content = param.get("content")
    if isinstance(content, dict):
        media = _media(content)
        if media is not None and "schema" in content[media]:
            return conv.standalone(content[media]["schema"], ctx.at("content", media, "schema"))
    if not v3:
        return conv.standalone({k: v for k, v in param.items() if k not in _PARAM_ONLY}, ctx)
    return Schema("string")


def _request_body(
    conv: Converter,
    op: dict[str, Any],
    params: dict[tuple[str, str], tuple[dict[str, Any], Ctx]],
    ctx: Ctx,
    v3: bool,
    consumes: Any = None,
    encoding: list[PartEncoding] | None = None,
) -> tuple[Any, Ctx, str | None]:
    """The request body's schema, where it is, and its media type where that is not JSON
    (JSON is chosen over any other the body may also be sent as; else the first declared;
    Swagger 2.0: the first the operation, else the document, ``consumes``); a form's
    ``encoding`` goes into ``encoding``."""
    encoding = [] if encoding is None else encoding
    if not v3:
        for (_, where), (param, pctx) in params.items():
            if where == "body" and "schema" in param:
                declared = _swagger_media(op.get("consumes"), consumes)
                sent = _sent_as(conv, declared, ctx.at("consumes"), "request body")
                return param["schema"], pctx.at("schema"), sent
        return _form_body(op, params, ctx)
    body = op.get("requestBody")
    bctx = ctx.at("requestBody")
    if isinstance(body, dict) and isinstance(body.get("$ref"), str):
        body, bctx = conv.resolve(body["$ref"], bctx)
    if not isinstance(body, dict):
        return None, ctx, None
    content = body.get("content")
    if not isinstance(content, dict) or not content:
        return None, ctx, None
    media = _media(content)
    sent = _sent_as(conv, media, bctx.at("content", media), "request body")
    if media is None or not isinstance(content[media], dict) or "schema" not in content[media]:
        return _schemaless(sent), bctx, sent
    sctx = bctx.at("content", media, "schema")
    _fits_media(conv, content[media]["schema"], sctx, sent)
    if media_kind(sent) == "form" and "encoding" in content[media]:
        ectx = bctx.at("content", media, "encoding")
        encoding[:] = _encoding(conv, content[media]["encoding"], ectx, sent == URLENCODED)
    return content[media]["schema"], sctx, sent


def _encoding(conv: Converter, raw: Any, ctx: Ctx, urlencoded: bool) -> list[PartEncoding]:
    """A form's ``encoding`` map: each property's ``contentType`` (a list: its first), and
    in an urlencoded form its ``style`` and ``explode`` (OpenAPI applies them to no other
    media type); in a multipart form its part's ``headers`` (each a Header Object: its
    schema, or its content's). What cannot be read is warned about and left out."""
    if not isinstance(raw, dict):
        conv.warn(
            ctx,
            "encoding must be an object (property: Encoding Object), "
            f"not {type_phrase(raw)}; ignored",
        )
        return []
    out = []
    for name, entry in raw.items():
        here = ctx.at(name)
        if not isinstance(entry, dict):
            conv.warn(
                here, f"an Encoding Object must be an object, not {type_phrase(entry)}; ignored"
            )
            continue
        content_type = entry.get("contentType")
        if content_type is not None and not (
            isinstance(content_type, str) and all(is_media_type(m) for m in content_type.split(","))
        ):
            conv.warn(here.at("contentType"), f"{content_type!r} is not a media type; ignored")
            content_type = None
        style, explode = entry.get("style"), entry.get("explode")
        if style is not None and style not in STYLES:
            conv.warn(
                here.at("style"), f"unknown style {style!r} (one of {', '.join(STYLES)}); ignored"
            )
            style = None
        if explode is not None and not isinstance(explode, bool):
            conv.warn(
                here.at("explode"), f"explode must be true or false, not {explode!r}; ignored"
            )
            explode = None
        headers: tuple[tuple[str, Schema], ...] = ()
        required: tuple[str, ...] = ()
        if "headers" in entry and urlencoded:
            conv.warn(here.at("headers"), "headers of a part are sent in multipart forms only")
        elif "headers" in entry:
            headers, required = _part_headers(conv, entry["headers"], here.at("headers"))
        if not urlencoded:
            style = explode = None
        if content_type is not None or style is not None or explode is not None or headers:
            sent = concrete(content_type) if content_type is not None else None
            out.append(PartEncoding(str(name), sent, style, explode, headers, required))
    return out


# Headers a multipart part's ``encoding`` cannot declare: its Content-Type is its
# ``contentType`` (OpenAPI ignores it there) and its Content-Disposition names it.
_OWN_PART_HEADERS = ("content-type", "content-disposition")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # (RFC 9110's token)


def _part_headers(
    conv: Converter, raw: Any, ctx: Ctx
) -> tuple[tuple[tuple[str, Schema], ...], tuple[str, ...]]:
    """The headers of a multipart part (name, the schema of its value), and the names of
    those it declares ``required`` (a Header Object's default: not)."""
    if not isinstance(raw, dict):
        conv.warn(ctx, f"headers must be an object (name: Header Object), not {type_phrase(raw)}")
        return (), ()
    out = []
    required = []
    for name, declared in raw.items():
        hctx, header = ctx.at(name), declared
        if isinstance(header, dict) and isinstance(header.get("$ref"), str):
            header, hctx = conv.resolve(header["$ref"], hctx)
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            conv.warn(hctx, f"{name!r} is not a header name; ignored")
        elif name.lower() in _OWN_PART_HEADERS:
            conv.warn(hctx, f"a part's {name} is not declared among its headers; ignored")
        elif not isinstance(header, dict):
            conv.warn(
                hctx, f"a Header Object must be an object, not {type_phrase(header)}; ignored"
            )
        else:
            out.append((name, _param_schema(conv, header, hctx, True)))
            flag = header.get("required", False)
            if not isinstance(flag, bool):
                conv.warn(
                    hctx.at("required"),
                    f"required must be true or false, not {flag!r}; taken as false",
                )
            elif flag:
                required.append(name)
    return tuple(out), tuple(required)


def _sent_as(conv: Converter, media: str | None, ctx: Ctx, what: str) -> str | None:
    """The media type a body declared as ``media`` is sent as (None: JSON): a form's type
    as it is, another's made concrete (``image/*`` → ``image/png``). A key that is no media
    type is warned about, and the body is JSON."""
    if media is None:
        return None
    if not is_media_type(media):
        conv.warn(ctx, f"{what}: '{media}' is not a media type (type/subtype); sent as JSON")
        return None
    kind = media_kind(media)
    if kind == "json":
        return None
    return base_type(media) if kind == "form" else concrete(media)


def _schemaless(media: str | None) -> dict[str, Any]:
    """The schema of a body whose media type declares none: text a string, bytes a
    binary string, anything else any value."""
    kind = media_kind(media)
    if kind == "text":
        return {"type": "string"}
    return {"type": "string", "format": "binary"} if kind == "binary" else {}


def _fits_media(conv: Converter, node: Any, ctx: Ctx, media: str | None) -> None:
    """Warn where a text or binary body's schema is an object or an array: it is sent as
    the JSON text of its value (the bytes of that text)."""
    if media_kind(media) not in ("text", "binary"):
        return
    found = node
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        found, _ = conv.resolve(node["$ref"], ctx)
    if isinstance(found, dict) and (
        found.get("type") in ("object", "array") or "properties" in found
    ):
        conv.warn(ctx, f"'{media}' of a schema that is no string: sent as its JSON text")


def _swagger_media(own: Any, document: Any) -> str | None:
    """Swagger 2.0's media type of a body: the first of ``consumes`` (``produces``) of the
    operation, else of the document, unless one is JSON (None)."""
    listed = own if isinstance(own, list) else document if isinstance(document, list) else []
    keys = [str(m) for m in listed]
    if not keys or any(media_kind(m) == "json" for m in keys if is_media_type(m)):
        return None
    return keys[0]


def _form_body(
    op: dict[str, Any], params: dict[tuple[str, str], tuple[dict[str, Any], Ctx]], ctx: Ctx
) -> tuple[Any, Ctx, str | None]:
    """Swagger 2.0 ``formData`` parameters as the form body they stand for: an object of
    them (a ``type: file`` one a binary string), sent as ``multipart/form-data`` where a
    parameter is a file or the operation consumes only that, else urlencoded."""
    fields = {name: param for (name, where), (param, _) in params.items() if where == "formData"}
    if not fields:
        return None, ctx, None
    properties: dict[str, Any] = {}
    for name, param in fields.items():
        schema = {k: v for k, v in param.items() if k not in _PARAM_ONLY}
        properties[name] = (
            {"type": "string", "format": "binary"} if schema.get("type") == "file" else schema
        )
    body: dict[str, Any] = {"type": "object", "properties": properties}
    required = [name for name, param in fields.items() if param.get("required") is True]
    if required:
        body["required"] = required
    consumes = op.get("consumes")
    consumes = consumes if isinstance(consumes, list) else []
    files = any(schema.get("format") == "binary" for schema in properties.values())
    only_multipart = "multipart/form-data" in consumes and _URLENCODED not in consumes
    media = "multipart/form-data" if files or only_multipart else _URLENCODED
    return body, ctx.at("parameters"), media


_URLENCODED = "application/x-www-form-urlencoded"


def _responses(
    conv: Converter, raw: Any, ctx: Ctx, v3: bool
) -> tuple[int, tuple[int, ...], bool, tuple[Any, Ctx] | None, str | None]:
    """The status the operation answers when nothing goes wrong, the error statuses,
    whether that answer has a body (True when no response is declared: nothing says it has
    none), its schema and its media type as declared. The answer is one the spec allows:
    the lowest 2xx, else 3xx; else ``default`` (200) where it reads as a success; else the
    first status declared (an operation whose spec lists only errors never succeeds); else
    an error ``default`` (500)."""
    if not isinstance(raw, dict):
        if raw is not None:
            conv.warn(ctx, f"responses must be an object, not {type_phrase(raw)}; it is ignored")
        return 200, (), True, None, None
    codes = _status_keys(raw)  # status -> its key as written
    errors = tuple(sorted(c for c in codes if c >= 400))
    ok = sorted(c for c in codes if 200 <= c < 300) or sorted(c for c in codes if 300 <= c < 400)
    if ok:
        success, key = ok[0], codes[ok[0]]
    elif "default" in raw and _reads_as_success(conv, raw["default"], ctx.at("default")):
        success, key = 200, "default"  # (default covers every status not listed, 200 too)
    elif codes:
        success = next(iter(codes))  # (in file order)
        key = codes[success]
    elif "default" in raw:
        success, key = 500, "default"
    else:
        return 200, errors, True, None, None  # (no response declared: none is ruled out)
    return success, errors, *_response_body(conv, raw[key], ctx.at(str(key)), v3)


def _status_keys(raw: dict[Any, Any]) -> dict[int, Any]:
    """Each status a ``responses`` object declares (``4XX`` as 400) and its key as written
    (YAML may make 200 an int), the first of each status."""
    codes: dict[int, Any] = {}
    for key in raw:
        text = str(key).upper()
        if re.fullmatch(r"[1-5]\d\d", text):
            codes.setdefault(int(text), key)
        elif re.fullmatch(r"[1-5]XX", text):
            codes.setdefault(int(text[0]) * 100, key)
    return codes


def _bad_request(
    conv: Converter,
    raw: Any,
    ctx: Ctx,
    v3: bool,
    errors: tuple[int, ...],
    hint: str,
    seen: dict[str, tuple[str | None, str | None]],
) -> tuple[str | None, str | None]:
    """The entity of the body the spec declares for a request whose body breaks its schema,
    under the status it is answered with (``bad_request_status``), else under an error
    ``default``; and its media type where that is not ``application/json`` (None without a
    schema, or as a form: the generic validation error is sent, as JSON)."""
    if not isinstance(raw, dict):
        return None, None
    key = _status_keys(raw).get(bad_request_status(errors))
    if key is None:
        if "default" not in raw or _reads_as_success(conv, raw["default"], ctx.at("default")):
            return None, None
        key = "default"
    seen[str(key)] = _error_body(conv, raw, key, ctx, v3, hint, "Error")
    return seen[str(key)]


def _error_replies(
    conv: Converter,
    raw: Any,
    ctx: Ctx,
    v3: bool,
    errors: tuple[int, ...],
    hint: str,
    seen: dict[str, tuple[str | None, str | None]],
) -> tuple[tuple[int, str, str | None], ...]:
    """The bodies the spec declares for the error statuses it lists (401, 404, 500…) and,
    as status 0, for an error ``default`` (every error status it does not list): each
    ``(status, entity, media type where not application/json)``, those with a schema
    (``seen``: the responses read already, by key, as the bad request's)."""
    if not isinstance(raw, dict):
        return ()
    keys: list[tuple[int, Any]] = [(s, k) for s, k in _status_keys(raw).items() if s in errors]
    if "default" in raw and not _reads_as_success(conv, raw["default"], ctx.at("default")):
        keys.append((0, "default"))
    out: list[tuple[int, str, str | None]] = []
    for status, key in keys:
        suffix = f"Error{status}" if status else "DefaultError"
        if str(key) not in seen:
            seen[str(key)] = _error_body(conv, raw, key, ctx, v3, hint, suffix)
        entity, media = seen[str(key)]
        if entity is not None:
            out.append((status, entity, media))
    return tuple(out)


def _error_body(
    conv: Converter, raw: dict[Any, Any], key: Any, ctx: Ctx, v3: bool, hint: str, suffix: str
) -> tuple[str | None, str | None]:
    """The entity of the body of the response ``raw[key]`` (an inline schema becomes an
    unlisted entity, ``<hint><suffix>``), and its media type where that is not
    ``application/json``; None without a schema, or as a form."""
    _, body, media = _response_body(conv, raw[key], ctx.at(str(key)), v3)
    if body is None:
        return None, None
    if media is not None and (not is_media_type(media) or media_kind(media) == "form"):
        return None, None
    node, bctx = body
    ref = raw[key].get("$ref") if isinstance(raw[key], dict) else None
    if isinstance(ref, str) and ref.rsplit("/", 1)[-1]:  # (a shared response: by its name)
        hint, suffix = ref.rsplit("/", 1)[-1], ""
    entity = named(conv, node, bctx) or _unlisted(conv, node, bctx, f"{hint}{suffix}", [])
    return entity, None if media is None or base_type(media) == JSON else concrete(media)


_ERROR_WORDS = re.compile(
    r"\b(errors?|fail(s|ed|ure)?|problem|exception|invalid|unexpected|not found|"
    r"unauthori[sz]ed|forbidden|denied|conflict)\b",
    re.IGNORECASE,
)


def _reads_as_success(conv: Converter, response: Any, ctx: Ctx) -> bool:
    """Whether a ``default`` response can stand for a success: not one whose description or
    schema name says it is an error (``unexpected error``, ``$ref: Error``, ``Problem``)."""
    if isinstance(response, dict) and isinstance(response.get("$ref"), str):
        response, ctx = conv.resolve(response["$ref"], ctx)
    if not isinstance(response, dict):
        return True
    names = [str(response.get("description") or "")]
    content = response.get("content") if "content" in response else {"": response}
    for media in content.values() if isinstance(content, dict) else []:
        schema = media.get("schema") if isinstance(media, dict) else None
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str):
            names.append(snake_case(ref.rsplit("/", 1)[-1]).replace("_", " "))
    return not any(_ERROR_WORDS.search(name) for name in names)


def _response_body(
    conv: Converter, response: Any, ctx: Ctx, v3: bool
) -> tuple[bool, tuple[Any, Ctx] | None, str | None]:
    """Whether a response has a body, its JSON schema and where it is (None: a body of no
    declared schema), and its media type as the spec writes it (None: Swagger 2.0's, or
    none). A malformed response is warned about, and has no body."""
    if isinstance(response, dict) and isinstance(response.get("$ref"), str):
        response, ctx = conv.resolve(response["$ref"], ctx)
    if not isinstance(response, dict):
        conv.warn(ctx, f"a response must be an object, not {type_phrase(response)}; it has no body")
        return False, None, None
    if not v3:
        schema = response.get("schema")
        return (
            (True, (schema, ctx.at("schema")), None) if schema is not None else (False, None, None)
        )
    content = response.get("content")
    if content is None or content == {}:
        return False, None, None
    if not isinstance(content, dict):
        conv.warn(
            ctx.at("content"), f"content must be an object, not {type_phrase(content)}; ignored"
        )
        return False, None, None
    media = _media(content)
    if media is None or not isinstance(content[media], dict):
        where = ctx.at("content", media)
        conv.warn(
            where, f"a media type must be an object, not {type_phrase(content[media])}; ignored"
        )
        return False, None, None
    if "schema" not in content[media]:
        return True, None, media
    return True, (content[media]["schema"], ctx.at("content", media, "schema")), media


def _reply(conv: Converter, node: Any, ctx: Ctx, hint: str, bodies: list[str]) -> tuple[str, str]:
    """The entity of a success reply and its shape: a schema by name is one of that entity;
    a plain array of a named or inline object is a list of them (the generator chooses how
    many); anything else (an inline object or envelope, an array with its own constraints,
    a scalar, a union) is one of an unlisted entity made of the schema as it is."""
    found = named(conv, node, ctx)
    if found is not None:
        return found, "one"
    if (
        isinstance(node, dict)
        and node.get("type") == "array"
        and isinstance(node.get("items"), dict)
    ):
        # (an array with minItems, uniqueItems…: an entity of its own, whose values keep them)
        plain = not has_constraints({k: v for k, v in node.items() if k not in ("type", "items")})
        items, ictx = node["items"], ctx.at("items")
        if plain:
            entity = named(conv, items, ictx)
            if entity is None and ref_of(items) is None and _is_object(items):
                entity = _unlisted(conv, items, ictx, f"{hint}Response", bodies)
            if entity is not None:
                return entity, "array"
    return _unlisted(conv, node, ctx, f"{hint}Response", bodies), "one"


def _unlisted(conv: Converter, node: Any, ctx: Ctx, name: str, bodies: list[str]) -> str:
    """An unlisted entity for an inline schema (the same one when several responses share it)."""
    known = conv.names.get(id(node)) if isinstance(node, dict) else None
    if known is not None:
        return known
    entity = conv.add(name, node, ctx)
    bodies.append(entity)
    return entity


def _is_object(node: dict[str, Any]) -> bool:
    return node.get("type") == "object" or "properties" in node


def _body_entity(conv: Converter, node: Any, ctx: Ctx) -> tuple[str | None, bool]:
    """The entity a body schema names (a $ref, or an array of $refs) and whether it is an array."""
    if not isinstance(node, dict):
        return None, False
    if ref_of(node) is not None and not has_constraints(
        {k: v for k, v in node.items() if k != "$ref"}
    ):
        schema = conv.convert(node, ctx)
        if schema.type != "ref" or schema.ref is None:
            return None, False
        target = conv.sources.get(schema.ref)
        found, tctx = conv.resolve(node["$ref"], ctx)
        if isinstance(found, dict) and found.get("type") == "array" and target is not None:
            inner, _ = _body_entity(conv, found.get("items"), tctx.at("items"))
            return inner or schema.ref, True
        return schema.ref, False
    if node.get("type") == "array":
        inner, _ = _body_entity(conv, node.get("items"), ctx.at("items"))
        return inner, True
    return None, False


def _media(content: dict[str, Any]) -> str | None:
    keys = [str(k) for k in content]
    for key in keys:
        if key.split(";")[0].strip().lower() == "application/json":
            return key
    for key in keys:
        if "json" in key.lower():
            return key
    return keys[0] if keys else None


def _base_path(root: dict[str, Any], v3: bool) -> str:
    if not v3:
        base = root.get("basePath")
        return base.rstrip("/") if isinstance(base, str) and base.startswith("/") else ""
    servers = root.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    url = servers[0].get("url")
    if not isinstance(url, str):
        return ""
    variables = servers[0].get("variables") or {}
    for name, var in variables.items() if isinstance(variables, dict) else []:
        if isinstance(var, dict) and "default" in var:
            url = url.replace("{" + str(name) + "}", str(var["default"]))
    path = urlsplit(url).path if "://" in url else url
    path = path.rstrip("/")
    return path if path.startswith("/") and "{" not in path else ""


def _camel(path: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", path)
    return "".join(w[:1].upper() + w[1:] for w in words)
