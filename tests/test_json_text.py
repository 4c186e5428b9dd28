"""Block-at-a-time JSON text (persona_gen._json) equals one orjson call per value.

The encoders serialise a whole block in one orjson call, interleaved with a separator, and cut
it apart again; a value that contains the separator itself must fall back to per-value calls
rather than be cut in the wrong place.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_gen._json import _SEPARATOR, SEPARATOR_JSON, dumps_each, dumps_joined, json_lines
from persona_gen.sinks.encoders import JsonArrayEncoder

_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20)
_VALUES = st.recursive(
    _SCALARS | st.floats(allow_nan=False, allow_infinity=False) | st.just(_SEPARATOR),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _one_by_one(values: list[Any]) -> list[bytes]:
    return [orjson.dumps(v, option=orjson.OPT_NON_STR_KEYS) for v in values]


@settings(max_examples=300, deadline=None)
@given(st.lists(_VALUES, max_size=12))
def test_block_text_is_each_value_text(values: list[Any]) -> None:
    each = _one_by_one(values)
    assert json_lines(values) == b"".join(t + b"\n" for t in each)
    texts = [None if v is None else t.decode() for v, t in zip(values, each, strict=True)]
    assert dumps_each(values) == texts
    joined = dumps_joined(values) if values else None
    if joined is not None:  # (None: a value holds the separator; callers fall back)
        assert bytes(joined).split(SEPARATOR_JSON) == each


def test_a_value_holding_the_separator_is_not_cut() -> None:
    values: list[Any] = [{"a": 1}, [1, _SEPARATOR, 2], _SEPARATOR, {1: "non-string key"}, None]
    assert dumps_joined(values) is None
    assert json_lines(values) == b"".join(t + b"\n" for t in _one_by_one(values))
    assert json_lines([]) == b""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_VALUES, min_size=1, max_size=5), max_size=4))
def test_json_array_blocks_make_one_array(blocks: list[list[Any]]) -> None:
    encoder = JsonArrayEncoder()
    body = b"".join(bytes(encoder.encode(block, n == 0)) for n, block in enumerate(blocks))
    whole = encoder.head() + body + encoder.tail(bool(blocks))
    assert (
        whole
        == orjson.dumps([v for b in blocks for v in b], option=orjson.OPT_NON_STR_KEYS) + b"\n"
    )
