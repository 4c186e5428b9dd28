"""Behaviour kinds: one module each, registered here by name (entry points add more)."""

from __future__ import annotations

from typing import Any

from persona_gen.registry import Registry, class_problem

__all__ = ["BEHAVIOURS"]

_BUILTINS = {
    name: f"persona_gen.personas.behaviours.{name}:{''.join(p.title() for p in name.split('_'))}"
    for name in (
        # normal_user
        "timing",
        "typos",
        "session",
        "errors",
        # noisy_device
        "intermittent_connectivity",
        "signal_noise",
        "delayed_transmission",
        "battery_drain",
        # legacy_client
        "slow_processing",
        "deprecated_formats",
        "connection_issues",
        "retry_storms",
        "limited_features",
        # high_volume_system
        "burst_traffic",
        "sustained_load",
        "minimal_latency",
        "batch_operations",
        "rate_limits",
        # edge_case_user
        "boundary_values",
        "unicode",
        "rapid_actions",
        "concurrent_requests",
        "malformed_inputs",
        "session_anomalies",
    )
}


def _behaviour_problem(value: Any) -> str | None:
    from persona_gen.personas.behaviours.base import Behaviour, Params  # (only for a plugin)

    problem = class_problem(value, Behaviour, {"summary": str, "params_model": type})
    if problem is None and not issubclass(value.params_model, Params):
        problem = f"its params_model is not a subclass of {Params.__module__}.Params"
    return problem


BEHAVIOURS: Registry[Any] = Registry(
    "behaviour kind", _BUILTINS, "persona_gen.behaviours", _behaviour_problem
)
