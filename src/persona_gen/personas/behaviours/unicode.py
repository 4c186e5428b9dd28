"""unicode: text that exercises Unicode handling: emoji, scripts, combining marks, RTL."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field

from persona_gen.distributions import Rate
from persona_gen.personas.behaviours.base import Behaviour, Params, one_of, pick_rows
from persona_gen.personas.trace import Trace

CLASSES = ("emoji", "cjk", "rtl", "combining", "zero_width", "homoglyph", "astral", "accents")


class UnicodeParams(Params):
    rate: Rate = Field(0.3, description="Share of events with unicode-heavy text.")
    classes: Annotated[list[str], one_of(CLASSES)] = Field(
        default_factory=lambda: list(CLASSES),
        description=f"Kinds of text to use: {', '.join(CLASSES)}.",
    )


class Unicode(Behaviour[UnicodeParams]):
    kind = "unicode"
    summary = "Emoji, CJK, right-to-left, combining marks, zero-width and look-alike text."
    params_model = UnicodeParams

    def apply(self, trace: Trace, rng: np.random.Generator) -> None:
        mask = pick_rows(rng, trace.n, self.params.rate)
        classes = np.asarray(self.params.classes, dtype=object)
        trace.detail("unicode")[mask] = rng.choice(classes, int(mask.sum()))
        trace.mark("unicode", mask, self.name, self.params)
