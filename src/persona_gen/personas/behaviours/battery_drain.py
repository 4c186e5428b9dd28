"""battery_drain: device batteries run down over time; low batteries cause failures.

A device's level is a saw-tooth function of (device, time): it drains at the declared rate
and is recharged to full when empty, each device at its own phase (a pure function of the
device, salted by the run: the same in every block, others with another seed).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, splitmix64
from persona_gen.personas.trace import Trace


class BatteryDrainParams(Params):
    drain_per_hour: float = Field(2.0, gt=0, le=100, description="Percent lost per hour.")
    low_threshold: float = Field(15.0, ge=0, le=100, description="Level counted as low.")
    low_failure_rate: Rate = Field(0.3, description="Failure share while the battery is low.")


class BatteryDrain(Behaviour[BatteryDrainParams]):
    kind = "battery_drain"
    summary = "Per-device battery level draining over time; low levels cause failures."
    phase = Phase.OUTCOME
    params_model = BatteryDrainParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        key = trace.actor.astype(np.uint64) * np.uint64(0x100000001B3) ^ self.actor_salt(trace)
        phase = (splitmix64(key) % np.uint64(10000)) / 100.0
        hours = trace.t_ms / 3_600_000.0
        drained = (hours * p.drain_per_hour + phase) % 100.0
        trace.battery = (100.0 - drained).astype(np.float32)
        low = trace.battery < p.low_threshold
        fails = low & (rng.random(trace.n) < p.low_failure_rate) & (trace.status == 0)
        trace.status[fails] = 503
        trace.detail("failure")[fails] = "low_battery"
        # Every payload with a battery field reports the level; only low batteries are tagged.
        trace.marks["battery"] = np.ones(trace.n, bool)
        trace.effects["battery"] = p
        trace.touch(self.name, low)
