"""Strings made a block at a time (persona_gen._text) equal the rows cut one by one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen._text import ascii_rows


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 12), st.integers(0, 2**32 - 1), st.booleans())
def test_ascii_rows_are_the_rows_cut_one_by_one(
    n: int, width: int, seed: int, newlines: bool
) -> None:
    codes = np.random.default_rng(seed).integers(0 if newlines else 32, 127, (n, width))
    codes = codes.astype(np.uint8)
    text = codes.tobytes().decode("ascii")
    assert ascii_rows(codes) == [text[i * width : (i + 1) * width] for i in range(n)]
