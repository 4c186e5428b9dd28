"""Block-wide forms of per-value steps give exactly the per-value results (the bytes of every
dataset depend on it): ``snap_many`` against ``snap``, sensor noise against the per-record loop
it replaced."""

from __future__ import annotations

import math
from datetime import UTC
from types import SimpleNamespace
from typing import Any

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from persona_gen.entities.model import Domain, Entity, Field, Schema
from persona_gen.generators.base import repeats_of
from persona_gen.generators.check import violated_rule
from persona_gen.generators.effects import PayloadEffects, _legacy
from persona_gen.generators.paths import MISSING, get_path, set_path
from persona_gen.values.columns import LazyRecords, ObjectColumns
from persona_gen.values.numbers import round_many, snap, snap_many

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
bounds = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))


@st.composite
def number_schemas(draw: Any) -> Schema:
    low, high = draw(bounds), draw(bounds)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Schema(
        "number",
        minimum=low,
        maximum=high,
        exclusive_minimum=draw(st.booleans()),
        exclusive_maximum=draw(st.booleans()),
        scale=draw(st.one_of(st.none(), st.integers(0, 6))),
        precision=draw(st.one_of(st.none(), st.integers(6, 12))),
        multiple_of=draw(st.one_of(st.none(), st.sampled_from([0.5, 0.01, 3.0]))),
    )


@settings(max_examples=300, deadline=None)
@given(number_schemas(), st.lists(finite, max_size=20))
@example(Schema("number", minimum=0.0, maximum=0.0), [-0.0, 0.0])  # signed zeros at a bound
def test_snap_many_is_snap_of_each(schema: Schema, values: list[float]) -> None:
    one_by_one = [snap(schema, v) for v in values]
    together = snap_many(schema, np.array(values, np.float64))
    assert repr(together) == repr(one_by_one)  # repr: int vs float and -0.0 count too


# Values whose product with the power of ten sits on or next to a half (2.675, 0.125...),
# at the limits of the fast path (2**52) and beyond it.
_TIES = [2.675, 0.125, 0.375, -2.5, 1.0000000000000002, 0.045, 1.005, 2.0**52 / 100, 1e300]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(width=64),
            st.floats(-1e6, 1e6),
            st.sampled_from(_TIES),
            st.integers(-(10**6), 10**6).map(lambda k: (k + 0.5) / 1000),
        ),
        max_size=30,
    ),
    st.integers(0, 15),
)
def test_round_many_is_pythons_round_bit_for_bit(values: list[float], ndigits: int) -> None:
    together = round_many(np.array(values, np.float64), ndigits).tolist()
    assert repr(together) == repr([round(v, ndigits) for v in values])


def _reference_noise(
    effects: PayloadEffects, payloads: list[Any], rows: list[int], noise: np.ndarray, seed: int
) -> None:
    """The per-record loop the block form replaced (record by record, field by field)."""
    rng = np.random.default_rng(seed)
    found = []
    for i in rows:
        p = payloads[i]
        if not isinstance(p, dict):
            continue
        amplitude = float(noise[i])
        for leaf in effects.measured:
            value = get_path(p, leaf.path)
            if value is MISSING or not isinstance(value, int | float) or isinstance(value, bool):
                continue
            (low, high), _ = effects.ranges[leaf.path]
            span = (high - low) if math.isfinite(high - low) else max(abs(value), 1.0)
            found.append((p, leaf, value, amplitude * span))
    for (p, leaf, value, scale), z in zip(
        found, rng.standard_normal(len(found)).tolist(), strict=True
    ):
        set_path(
            p, leaf.path, snap(leaf.schema, value + (0.0 + scale * z), effects.ranges[leaf.path][1])
        )


_READING = Schema(
    "object",
    fields=(
        Field("celsius", Schema("number", minimum=-40, maximum=85, scale=2)),
        Field("volts", Schema("number", minimum=0, scale=3), required=False),
        Field("drift", Schema("number")),
        Field("step", Schema("number", minimum=0, maximum=10, multiple_of=0.5)),
        Field("battery_pct", Schema("integer", minimum=0, maximum=100), required=False),
        Field("battery_v", Schema("number", minimum=0, maximum=4.2, scale=2)),
        Field(
            "where",
            Schema("object", fields=(Field("lat", Schema("number", minimum=-90, maximum=90)),)),
        ),
    ),
)
_DOMAIN = Domain({"Reading": Entity("Reading", _READING)}, "Reading")
values = st.one_of(
    finite.filter(lambda v: abs(v) < 1e12),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.just("n/a"),
)


@st.composite
def readings(draw: Any, leaf_values: st.SearchStrategy[Any] = values) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return None  # not an object: skipped
    out: dict[str, Any] = {}
    for name in ("celsius", "volts", "drift", "step", "battery_pct", "battery_v"):
        if draw(st.booleans()) or name not in ("volts", "battery_pct"):
            out[name] = draw(leaf_values)
    out["where"] = {"lat": draw(leaf_values)} if draw(st.booleans()) else draw(leaf_values)
    return out


# Numbers of a subclass of float (NumPy's float64) are numbers too.
_SOME_NUMPY = values | st.integers(-100, 100).map(np.float64)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(readings(_SOME_NUMPY), min_size=1, max_size=12),
    st.integers(0, 2**32 - 1),
    st.data(),
)
def test_noise_on_a_block_equals_the_per_record_loop(
    payloads: list[Any], seed: int, data: st.DataObject
) -> None:
    effects = PayloadEffects(_DOMAIN, _DOMAIN.entity())
    n = len(payloads)
    rows, expected = _marked(payloads, data)
    noise = np.array(data.draw(st.lists(st.floats(0, 5), min_size=n, max_size=n)), np.float32)
    _reference_noise(effects, expected, rows, noise, seed)
    _apply(effects, "noise", payloads, rows, seed, noise=noise)
    assert repr(_copy(payloads)) == repr(_copy(expected))


def _copy(value: Any) -> Any:
    """A deep copy, NumPy scalars as the Python numbers they hold (as JSON writes them)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _marked(payloads: list[Any], data: st.DataObject) -> tuple[list[int], list[Any]]:
    """Rows an effect marks (drawn), and a copy of the payloads for the reference loop."""
    rows = sorted(data.draw(st.sets(st.integers(0, len(payloads) - 1))))
    return rows, [_copy(p) for p in payloads]


def _apply(
    effects: PayloadEffects,
    effect: str,
    payloads: list[Any],
    rows: list[int],
    seed: int,
    params: Any = None,
    **columns: np.ndarray,
) -> dict[int, list[tuple[str, str | None]]]:
    """``effect`` on the marked ``rows`` through ``PayloadEffects.apply``, as a generator runs
    it; the (field, rule) outcomes per record."""
    mask = np.zeros(len(payloads), bool)
    mask[rows] = True
    trace = SimpleNamespace(marks={effect: mask}, effects={effect: params}, **columns)
    outcomes = effects.apply(payloads, trace, np.random.default_rng(seed))  # type: ignore[arg-type]
    return {i: [(o.field_path, o.rule) for o in f] for i, f in enumerate(outcomes) if f}


@settings(max_examples=200, deadline=None)
@given(st.lists(readings(), min_size=1, max_size=12), st.data())
def test_battery_on_a_block_equals_the_per_record_loop(
    payloads: list[Any], data: st.DataObject
) -> None:
    effects = PayloadEffects(_DOMAIN, _DOMAIN.entity())
    n = len(payloads)
    rows, expected = _marked(payloads, data)
    levels = st.one_of(st.floats(-10, 120, width=32), st.just(math.nan))
    battery = np.array(data.draw(st.lists(levels, min_size=n, max_size=n)), np.float32)
    for i in rows:  # the per-record handler it replaced
        level = float(battery[i])
        for leaf in effects.battery:
            p = expected[i]
            if (
                isinstance(p, dict)
                and get_path(p, leaf.path) is not MISSING
                and not math.isnan(level)
            ):
                set_path(p, leaf.path, snap(leaf.schema, level, effects.ranges[leaf.path][1]))
    _apply(effects, "battery", payloads, rows, 0, battery=battery)
    assert repr(payloads) == repr(expected)


_LEGACY_RECORD = Schema(
    "object",
    fields=(
        Field("active", Schema("boolean")),
        Field("score", Schema("number", minimum=0, maximum=100), required=False),
        Field("count", Schema("integer")),
        Field("seen_at", Schema("string", format="date-time")),
        Field("born", Schema("string", format="date"), required=False),
        Field(
            "meta", Schema("object", fields=(Field("at", Schema("string", format="date-time")),))
        ),
    ),
)
_LEGACY_DOMAIN = Domain({"Record": Entity("Record", _LEGACY_RECORD)}, "Record")
_DATE_TIMES = st.datetimes(timezones=st.just(UTC)).map(
    lambda d: d.isoformat().replace("+00:00", "Z")
)
_LEGACY_VALUES = st.one_of(
    st.booleans(), st.integers(-5, 5), finite, st.none(), _DATE_TIMES, st.just("not a date")
)


@st.composite
def legacy_records(draw: Any) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return "not an object"
    dated = st.one_of(_DATE_TIMES, _DATE_TIMES, _LEGACY_VALUES)  # often: draws are ordered
    out = {name: draw(_LEGACY_VALUES) for name in ("active", "score", "count")}
    out |= {name: draw(dated) for name in ("seen_at", "born")}
    if draw(st.booleans()):
        del out["born"]
    out["meta"] = {"at": draw(dated)} if draw(st.booleans()) else draw(_LEGACY_VALUES)
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(legacy_records(), min_size=1, max_size=10), st.integers(0, 2**32 - 1), st.data())
def test_deprecated_formats_on_a_block_equal_the_per_record_loop(
    payloads: list[Any], seed: int, data: st.DataObject
) -> None:
    effects = PayloadEffects(_LEGACY_DOMAIN, _LEGACY_DOMAIN.entity())
    params = SimpleNamespace(
        booleans_as=data.draw(st.sampled_from(["bool", "int", "yn"])),
        numbers_as_strings=data.draw(st.booleans()),
        # Mostly 0.5: then the order of the draws decides which dates become epochs.
        epoch_dates=data.draw(st.sampled_from([0.5, 0.5, 0.5, 0.0, 1.0])),
        date_format="%m/%d/%Y %H:%M:%S",
        date_only_format="%d.%m.%Y",
    )
    rows, expected = _marked(payloads, data)
    expected_found = _reference_deprecated(effects, expected, rows, params, seed)
    found = _apply(effects, "deprecated", payloads, rows, seed, params)
    assert repr(payloads) == repr(expected)
    assert found == expected_found


def test_deprecated_dates_take_their_draws_record_by_record() -> None:
    """Several dated fields in several records: which become epochs depends on draw order."""
    effects = PayloadEffects(_LEGACY_DOMAIN, _LEGACY_DOMAIN.entity())
    params = SimpleNamespace(
        booleans_as="bool",
        numbers_as_strings=False,
        epoch_dates=0.5,
        date_format="%m/%d/%Y %H:%M:%S",
        date_only_format="%d.%m.%Y",
    )
    at = "2024-05-06T07:08:09.010Z"
    payloads = [{"seen_at": at, "born": at[:10], "meta": {"at": at}} for _ in range(6)]
    for seed in range(20):
        got = [_copy(p) for p in payloads]
        expected = [_copy(p) for p in payloads]
        _reference_deprecated(effects, expected, list(range(6)), params, seed)
        _apply(effects, "deprecated", got, list(range(6)), seed, params)
        assert got == expected


def _reference_deprecated(
    effects: PayloadEffects, payloads: list[Any], rows: list[int], params: Any, seed: int
) -> dict[int, list[Any]]:
    """The per-record handler the block form replaced; the (field, rule) outcomes."""
    found: dict[int, list[Any]] = {}
    rng = np.random.default_rng(seed)
    for i in rows:
        p = payloads[i]
        if not isinstance(p, dict):
            continue
        for leaf in effects.leaves:
            value = get_path(p, leaf.path)
            if value is MISSING or value is None:
                continue
            new = _legacy(value, leaf.schema, params, rng)
            if new is not value:
                set_path(p, leaf.path, new)
                rule = violated_rule(leaf.schema, new)
                if rule:
                    found.setdefault(i, []).append((leaf.dotted, rule))
    return found


_LIMITED_RECORD = Schema(
    "object",
    fields=(
        Field("name", Schema("string")),
        Field("nick", Schema("string"), required=False),
        Field("tags", Schema("array", items=Schema("string"), min_items=1), required=False),
        Field("notes", Schema("array", items=Schema("string"))),
        Field("age", Schema("integer"), required=False),
    ),
)
_LIMITED_DOMAIN = Domain({"Person": Entity("Person", _LIMITED_RECORD)}, "Person")


@st.composite
def limited_records(draw: Any) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return None
    words = st.lists(st.sampled_from("abcde"), max_size=6)
    out: dict[str, Any] = {"name": "n"}
    for name, value in (
        ("nick", st.just("x")),
        ("tags", words),
        ("notes", words),
        ("age", st.integers()),
    ):
        if name == "notes" or draw(st.booleans()):
            out[name] = draw(value)
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(limited_records(), min_size=1, max_size=10), st.integers(0, 2**32 - 1), st.data())
def test_limited_clients_on_a_block_equal_the_per_record_loop(
    payloads: list[Any], seed: int, data: st.DataObject
) -> None:
    effects = PayloadEffects(_LIMITED_DOMAIN, _LIMITED_DOMAIN.entity())
    params = SimpleNamespace(
        optional_field_drop=data.draw(st.sampled_from([0.0, 0.3, 0.7, 1.0])),
        max_items=data.draw(st.integers(0, 3)),
    )
    rows, expected = _marked(payloads, data)
    rng = np.random.default_rng(seed)
    for i in rows:  # the per-record handler it replaced
        p = expected[i]
        if not isinstance(p, dict):
            continue
        for leaf in effects.optional:
            if rng.random() < params.optional_field_drop:
                p.pop(leaf.path[0], None)
        for leaf in effects.arrays:
            value = get_path(p, leaf.path)
            if isinstance(value, list):
                del value[max(params.max_items, leaf.schema.min_items or 0) :]
    _apply(effects, "limited", payloads, rows, seed, params)
    assert repr(payloads) == repr(expected)


def _repeats_loop(keys: list[Any], repeat: np.ndarray) -> list[tuple[int, int]]:
    """The per-row loop ``repeats_of`` replaced (a key per row: the request number, or
    the request number and attempt): a repeat's source is the first original of its key,
    else the first repeat of it."""
    first: dict[Any, int] = {}
    for i in np.flatnonzero(~repeat).tolist():
        first.setdefault(keys[i], i)
    for i in np.flatnonzero(repeat).tolist():
        first.setdefault(keys[i], i)
    pairs = []
    for i in np.flatnonzero(repeat).tolist():
        src = first[keys[i]]
        if src != i:
            pairs.append((i, src))
    return pairs


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.booleans(), st.integers(1, 3)), max_size=60))
def test_repeats_of_equals_the_per_row_loop(rows: list[tuple[int, bool, int]]) -> None:
    request = np.array([r for r, _, _ in rows], np.int64)
    repeat = np.array([flag for _, flag, _ in rows], bool)
    attempt = np.array([a for _, _, a in rows], np.int16)
    trace: Any = SimpleNamespace(request=request, attempt=attempt)
    assert repeats_of(trace, repeat) == _repeats_loop(request.tolist(), repeat)
    pairs = list(zip(request.tolist(), attempt.tolist(), strict=True))
    assert repeats_of(trace, repeat, by_attempt=True) == _repeats_loop(pairs, repeat)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40),
    behaviours=st.integers(0, 66),
    seed=st.integers(0, 2**32 - 1),
)
def test_tags_are_each_events_touching_behaviours_in_order(
    n: int, behaviours: int, seed: int
) -> None:
    """``Trace.tags``/``tag_texts`` (one list per distinct set of behaviours) give each
    event the behaviours whose mask holds it, in ``touched`` order; past 62 behaviours too."""
    from persona_gen.personas.trace import Trace

    rng = np.random.default_rng(seed)
    trace = Trace.blank(0, n, 0)
    for k in range(behaviours):
        trace.touch(f"b{k}", rng.random(n) < rng.random())
    expected = [[name for name, mask in trace.touched.items() if mask[i]] for i in range(n)]
    assert trace.tags() == expected
    assert trace.tag_texts(";") == [";".join(names) for names in expected]
    tags = trace.tags()
    if n >= 2:  # each event's list is its own (records hold them)
        assert tags[0] is not tags[1]


_FLAT_READING = Schema(
    "object",
    fields=tuple(f for f in _READING.fields if f.name != "where"),
)
_FLAT_DOMAIN = Domain({"Reading": Entity("Reading", _FLAT_READING)}, "Reading")
_FLAT_NAMES = tuple(f.name for f in _FLAT_READING.fields)


@st.composite
def flat_blocks(draw: Any) -> tuple[ObjectColumns, list[Any]]:
    """Readings as the synthesizer keeps them (``ObjectColumns``: optional fields absent in
    some rows, some rows null) and as the records made from them."""
    n = draw(st.integers(1, 12))
    columns = [draw(st.lists(_SOME_NUMPY, min_size=n, max_size=n)) for _ in _FLAT_NAMES]
    absent = [
        sorted(draw(st.sets(st.integers(0, n - 1)))) if name in ("volts", "battery_pct") else []
        for name in _FLAT_NAMES
    ]
    null = sorted(draw(st.sets(st.integers(0, n - 1), max_size=2)))
    drawn = ObjectColumns(n, _FLAT_NAMES, columns, absent, null)
    return drawn, drawn.rows()


@settings(max_examples=200, deadline=None)
@given(flat_blocks(), st.integers(0, 2**32 - 1), st.data())
def test_noise_and_battery_on_columns_equal_them_on_records(
    block: tuple[ObjectColumns, list[Any]], seed: int, data: st.DataObject
) -> None:
    """A file row's readings are changed in the columns its record would be made from
    (``LazyRecords``), with the values, draws and order of the record-by-record form."""
    drawn, payloads = block
    n = drawn.n
    effects = PayloadEffects(_FLAT_DOMAIN, _FLAT_DOMAIN.entity())
    lazy = LazyRecords(drawn)
    assert effects.on_columns(lazy, ["noise", "battery", "typo"]) == {"noise", "battery"}
    noise = np.array(data.draw(st.lists(st.floats(0, 5), min_size=n, max_size=n)), np.float32)
    levels = st.one_of(st.floats(-10, 120, width=32), st.just(math.nan))
    battery = np.array(data.draw(st.lists(levels, min_size=n, max_size=n)), np.float32)
    marks = {
        effect: np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        for effect in ("noise", "battery")
    }
    trace: Any = SimpleNamespace(
        marks=marks, effects=dict.fromkeys(marks), noise=noise, battery=battery
    )
    effects.apply(payloads, trace, np.random.default_rng(seed))
    effects.apply(lazy, trace, np.random.default_rng(seed))
    assert not lazy.made  # (no record was made to change it)
    assert repr(_copy(drawn.rows())) == repr(_copy(payloads))
