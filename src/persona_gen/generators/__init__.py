"""Generators: one module per dataset shape, registered here by name."""

from __future__ import annotations

from typing import Any

from persona_gen.registry import Registry

__all__ = ["GENERATORS"]

GENERATORS: Registry[Any] = Registry(
    "generator",
    {
        "api": "persona_gen.generators.api:ApiGenerator",
        "streaming": "persona_gen.generators.streaming:StreamingGenerator",
        "file": "persona_gen.generators.file:FileGenerator",
        "load": "persona_gen.generators.load:LoadGenerator",
        "fault": "persona_gen.generators.fault:FaultGenerator",
    },
    "persona_gen.generators",
)
