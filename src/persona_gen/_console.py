"""The ``persona-gen`` console script (and ``python -m persona_gen``): the CLI's ``main``.

The CLI catches Ctrl-C once it runs, but importing it takes a few hundred milliseconds
(Click, Rich, pydantic): a Ctrl-C pressed then would print a Python traceback. This module
imports nothing heavy, so it can catch that one too.

SIGTERM (``docker stop``, Kubernetes, ``kill``) stops a run as Ctrl-C does — partial files
deleted, a database load rolled back, a Kafka run's manifest saying what was delivered —
with exit code 143: the handler sends the process a SIGINT, which whatever handles Ctrl-C
at that moment takes. SIGHUP (the terminal or SSH session of the run went away) does the
same, with exit code 129. Where SIGINT is ignored (a background job of a script), they keep
their default, and end the process at once.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from types import FrameType

__all__ = ["INTERRUPTED", "main"]

INTERRUPTED = "persona-gen: interrupted; no partial output was kept"
_terminated: list[int] = []  # (the SIGTERM or SIGHUP seen, if any)
# (SIGHUP: not on Windows)
_STOPPING = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]


def _terminate(signum: int, frame: FrameType | None) -> None:
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _terminated.append(signum)
    os.kill(os.getpid(), signal.SIGINT)


def main() -> int:
    for signum in _STOPPING:
        if signal.getsignal(signum) is signal.SIG_DFL:  # (not one nohup made SIG_IGN)
            signal.signal(signum, _terminate)
    try:
        from persona_gen.runtime.cli import main as cli
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)  # (true: the run had not started)
        return 128 + _terminated[0] if _terminated else 130
    code = cli()
    # At exit Python collects the cycles among every object it tracks before freeing the
    # modules: after a generating run (vocabularies, models, compiled schemas) that walk took
    # ~0.2 s, a fifth of `quick -n 1`. Frozen objects are freed without it; whatever is
    # still open is closed as before (refcounts, atexit), and the run's files are complete.
    gc.freeze()
    return 128 + _terminated[0] if _terminated and code == 130 else code
