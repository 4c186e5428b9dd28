"""Generators: one module per dataset shape, registered here by name."""

from __future__ import annotations

from typing import Any

from persona_gen.registry import Registry, class_problem

__all__ = ["GENERATORS", "SUMMARIES"]

# (description, use case) of the built-ins, so listing them imports no generator code (and no
# NumPy): start-up stays fast. A test checks these match the classes' own attributes.
SUMMARIES: dict[str, tuple[str, str]] = {
    "api": ("REST API request/response data", "Contract testing, integration testing"),
    "streaming": ("Kafka/Flink event streams", "Stream processing validation"),
    "file": ("File-based data records", "ETL and ingestion testing"),
    "load": ("High-volume load test data", "Performance and soak testing"),
    "fault": ("Faulty/mutated data", "Resilience and negative testing"),
}


def _generator_problem(value: Any) -> str | None:
    from persona_gen.generators.base import Generator  # (only when a plugin is loaded)

    return class_problem(value, Generator, {"description": str, "use_case": str})


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
    _generator_problem,
)
