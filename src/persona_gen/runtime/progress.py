"""A progress bar on stderr for long runs (only when stderr is a terminal)."""

from __future__ import annotations

from typing import Any


class RichProgress:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._progress: Any = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("generating", total=total)

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def delivery(self, sent: int, acknowledged: int, failed: int) -> None:
        """Show a sink's counts beside the bar."""
        self._progress.update(
            self._task, description=f"sent {sent} · acknowledged {acknowledged} · failed {failed}"
        )

    def close(self) -> None:
        self._progress.stop()
