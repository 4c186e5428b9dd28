"""Strings made a block at a time (persona_gen._text, ISO timestamps) equal the ones made one
by one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen._text import ascii_rows
from persona_gen.values.strings import iso_dates, iso_datetimes

# Around year 0 and year 10000 the text changes width (a sign, a fifth digit).
_MS = st.one_of(
    st.integers(-(2**60), 2**60),
    st.integers(-62_167_219_200_000 - 10**9, -62_167_219_200_000 + 10**9),
    st.integers(253_402_300_800_000 - 10**9, 253_402_300_800_000 + 10**9),
    st.integers(1_500_000_000_000, 1_900_000_000_000),
)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 12), st.integers(0, 2**32 - 1), st.booleans())
def test_ascii_rows_are_the_rows_cut_one_by_one(
    n: int, width: int, seed: int, newlines: bool
) -> None:
    codes = np.random.default_rng(seed).integers(0 if newlines else 32, 127, (n, width))
    codes = codes.astype(np.uint8)
    text = codes.tobytes().decode("ascii")
    assert ascii_rows(codes) == [text[i * width : (i + 1) * width] for i in range(n)]


@settings(max_examples=300, deadline=None)
@given(st.lists(_MS, max_size=20))
def test_iso_timestamps_are_numpys_text_for_each_value(values: list[int]) -> None:
    ms = np.array(values, np.int64)
    stamps = ms.astype("datetime64[ms]")
    assert iso_datetimes(ms) == [
        str(np.datetime_as_string(s, unit="ms", timezone="UTC")) for s in stamps
    ]
    days = stamps.astype("datetime64[D]")
    assert iso_dates(ms) == [str(np.datetime_as_string(d, unit="D")) for d in days]
