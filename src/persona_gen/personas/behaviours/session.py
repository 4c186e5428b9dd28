"""session: how many actions a visit has and how many distinct actors there are."""

from __future__ import annotations

from pydantic import Field

from persona_gen.distributions import CountSpec
from persona_gen.personas.behaviours.base import Behaviour, Params, Phase
from persona_gen.personas.clock import Clock

_UNSET = Clock()  # `session: {}` gives the same sessions as no session block


class SessionParams(Params):
    length: CountSpec = Field(
        default_factory=lambda: _UNSET.session_length, description="Events per session."
    )
    users: int = Field(
        _UNSET.users, ge=1, le=10**9, description="Distinct actors in the population."
    )


class Session(Behaviour[SessionParams]):
    kind = "session"
    summary = "Session length and the size of the actor population."
    phase = Phase.STRUCTURE
    params_model = SessionParams

    def configure(self, clock: Clock) -> None:
        clock.session_length = self.params.length
        clock.users = self.params.users
