"""The built-in domain (users, orders, devices, transactions) used when no schema is imported."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml

try:  # the C loader parses the built-in domain in a tenth of the time (every run reads it)
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from persona_gen.entities.model import Domain, Entity, Operation
from persona_gen.entities.serial import entity_from_dict

__all__ = ["ACTOR_KINDS", "builtin_domain", "crud_operations"]

ACTOR_KINDS = ("user", "client", "device", "service")


@cache
def _data() -> dict[str, Any]:
    text = files("persona_gen").joinpath("data/domain.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=_Loader)
    return data


@cache
def builtin_domain(actor_kind: str = "user") -> Domain:
    """The built-in domain as seen by one kind of actor."""
    data = _data()
    view = data["views"][actor_kind]
    entities = {
        name: entity_from_dict(name, spec, f"entities.{name}")
        for name, spec in data["entities"].items()
    }
    operations: list[Operation] = []
    for resource in view["resources"]:
        operations.extend(crud_operations(entities[resource]))
    return Domain(
        entities=entities,
        primary=view["primary"],
        operations=tuple(operations),
        events=dict(view["events"]),
        source="builtin",
    )


def crud_operations(entity: Entity, prefix: str = "/api/v2") -> list[Operation]:
    """The REST operations a resource conventionally has."""
    base = f"{prefix}/{entity.collection}"
    key = entity.primary_key[0] if entity.primary_key else "id"
    item = f"{base}/{{{key}}}"
    client_errors = (400, 401, 403, 404, 409, 422)
    return [
        Operation(
            "GET",
            base,
            entity.name,
            success_status=200,
            response_shape="page",  # (the built-in API pages its collections)
            error_statuses=(400, 401),
        ),
        Operation(
            "GET",
            item,
            entity.name,
            success_status=200,
            path_params=(key,),
            error_statuses=(401, 404),
        ),
        Operation(
            "POST",
            base,
            entity.name,
            request_body=True,
            success_status=201,
            error_statuses=client_errors,
        ),
        Operation(
            "PUT",
            item,
            entity.name,
            request_body=True,
            success_status=200,
            path_params=(key,),
            error_statuses=client_errors,
        ),
        Operation(
            "PATCH",
            item,
            entity.name,
            request_body=True,
            success_status=200,
            path_params=(key,),
            error_statuses=client_errors,
        ),
        Operation(
            "DELETE",
            item,
            entity.name,
            success_status=204,
            path_params=(key,),
            response_shape="none",
            error_statuses=(401, 403, 404),
        ),
    ]
