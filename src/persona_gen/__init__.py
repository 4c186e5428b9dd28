"""persona-gen: behaviour-driven, reproducible test data from declarative personas.

The public API is small; the CLI (``persona-gen``) is built on it::

    from persona_gen import Dataset, PersonaCatalog
    persona = PersonaCatalog().get("noisy_device")
    dataset = Dataset([(persona, 1.0)], "streaming", 100, seed=42)
    records = [r for block in dataset.blocks() for r in block]
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    __version__: str
    from persona_gen.errors import PersonaGenError
    from persona_gen.personas.loader import Persona, PersonaCatalog
    from persona_gen.runtime.dataset import Dataset

__all__ = ["Dataset", "Persona", "PersonaCatalog", "PersonaGenError", "__version__"]

# Imported on first use: the CLI's start-up must not pay for NumPy when it only lists things.
_LAZY = {
    "Dataset": "persona_gen.runtime.dataset",
    "Persona": "persona_gen.personas.loader",
    "PersonaCatalog": "persona_gen.personas.loader",
    "PersonaGenError": "persona_gen.errors",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    if name == "__version__":  # (importlib.metadata takes ~25 ms to import: most runs never ask)
        globals()["__version__"] = _installed_version()
        return globals()["__version__"]
    raise AttributeError(f"module 'persona_gen' has no attribute {name!r}")


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("persona-gen")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"
