"""signal_noise: measured values carry sensor noise and occasional spikes."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase, pick_rows
from persona_gen.personas.trace import Trace


class SignalNoiseParams(Params):
    sigma: float = Field(0.05, ge=0, le=1, description="Relative noise (share of the range).")
    spike_rate: Rate = Field(0.01, description="Share of events with a spike.")
    spike_scale: float = Field(6.0, ge=1, le=100, description="Spike size in sigmas.")
    signal_loss_rate: Rate = Field(0.02, description="Share of events with a missing reading.")


class SignalNoise(Behaviour[SignalNoiseParams]):
    kind = "signal_noise"
    summary = "Gaussian noise on measurements, spikes, and readings missing to signal loss."
    phase = Phase.CONTENT
    params_model = SignalNoiseParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        p = self.params
        spikes = pick_rows(rng, trace.n, p.spike_rate)
        trace.noise = np.where(spikes, p.sigma * p.spike_scale, p.sigma).astype(np.float32)
        trace.detail("noise")[spikes] = "spike"
        trace.mark("noise", np.ones(trace.n, bool), self.name, p)
        trace.mark("signal_loss", pick_rows(rng, trace.n, p.signal_loss_rate), self.name, p)
