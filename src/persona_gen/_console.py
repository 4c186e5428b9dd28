"""The ``persona-gen`` console script (and ``python -m persona_gen``): the CLI's ``main``.

The CLI catches Ctrl-C once it runs, but importing it takes a few hundred milliseconds
(Typer, Rich, pydantic): a Ctrl-C pressed then would print a Python traceback. This module
imports nothing heavy, so it can catch that one too.
"""

from __future__ import annotations

import sys

__all__ = ["INTERRUPTED", "main"]

INTERRUPTED = "persona-gen: interrupted; no partial output was kept"


def main() -> int:
    try:
        from persona_gen.runtime.cli import main as cli
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)  # (true: the run had not started)
        return 130
    return cli()
