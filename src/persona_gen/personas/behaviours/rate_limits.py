"""rate_limits: actors that exceed a request quota per window are answered 429."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
from pydantic import Field

from persona_gen.distributions import MAX_DURATION_MS
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.trace import Trace


class RateLimitsParams(Params):
    limit: int = Field(100, ge=1, le=10**9, description="Requests allowed per actor per window.")
    window_s: float = Field(
        1.0,
        ge=0.001,
        le=MAX_DURATION_MS / 1000,
        description="Quota window length in seconds (whole milliseconds, 1 ms to 365 days).",
    )
    status: int = Field(429, ge=400, le=599, description="Status of a throttled request.")


class RateLimits(Behaviour[RateLimitsParams]):
    kind = "rate_limits"
    summary = "Per-actor quotas over fixed windows; requests over quota get 429 + Retry-After."
    phase = Phase.OUTCOME
    params_model = RateLimitsParams

    def carries_state(self) -> bool:
        return True

    def carried_blocks(self, block_span_ms: float) -> int:
        return math.ceil(self._window_ms() / block_span_ms) + 1  # (a window's worth, and one)

    def join_carried(self, states: list[Any], start_ms: int) -> dict[tuple[int, int], int]:
        """The counts of the windows open at ``start_ms``, over the blocks before it (each
        block's own count: traced alone, nothing was carried into it)."""
        joined: Counter[tuple[int, int]] = Counter()
        for counted in states:
            joined.update(self._open_at(counted or {}, start_ms))
        return dict(joined)

    def _window_ms(self) -> int:
        return max(1, round(self.params.window_s * 1000))

    def _open_at(self, counted: dict[tuple[int, int], int], ms: int) -> dict[tuple[int, int], int]:
        """The counts of the (actor, window) groups whose window is still open at ``ms``."""
        window_ms = self._window_ms()
        return {g: c for g, c in counted.items() if (g[1] + 1) * window_ms > ms}

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        window_ms = self._window_ms()
        window = (trace.t_ms // window_ms).astype(np.int64)
        order = np.lexsort((trace.t_ms, window, trace.actor))
        key_actor, key_window = trace.actor[order], window[order]
        new_group = np.ones(trace.n, bool)
        new_group[1:] = (key_actor[1:] != key_actor[:-1]) | (key_window[1:] != key_window[:-1])
        starts = np.flatnonzero(new_group)
        sizes = np.diff(np.append(starts, trace.n))
        # A window going on from the block before counts its requests there too: a quota is
        # an actor's, not a block's.
        counted: dict[tuple[int, int], int] = trace.carried.get(self.name, {})
        groups = list(zip(key_actor[starts].tolist(), key_window[starts].tolist(), strict=True))
        before = np.array([counted.get(g, 0) for g in groups], np.int64)
        rank = np.arange(trace.n) - np.repeat(starts, sizes) + np.repeat(before, sizes)
        over = np.zeros(trace.n, bool)
        over[order] = rank >= p.limit
        trace.reply(over, p.status)
        trace.detail("failure")[over] = "rate_limited"
        window_end = (window + 1) * window_ms
        trace.details.setdefault("retry_after_ms", np.full(trace.n, None, dtype=object))
        trace.details["retry_after_ms"][over] = (window_end - trace.t_ms)[over]
        trace.touch(self.name, over)
        # On to the next block: the counts of the windows still open at this block's end.
        counted = {**counted, **dict(zip(groups, (before + sizes).tolist(), strict=True))}
        trace.carried[self.name] = self._open_at(counted, trace.end_ms)
