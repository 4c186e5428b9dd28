"""Column generators for integers and numbers that honour ranges, steps and decimal scale."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from persona_gen.entities.model import Schema

__all__ = [
    "integer_column",
    "integer_room",
    "number_column",
    "numeric_bounds",
    "round_many",
    "snap",
    "snap_many",
    "unique_integers",
]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Typical values by meaning: (generator kind, a, b). Constraints always win.
_TYPICAL: dict[str, tuple[str, float, float]] = {
    "age": ("uniform", 18, 80),
    "price": ("lognormal", 40, 1.0),
    "quantity": ("geometric", 2.5, 0),
    "rating": ("uniform", 1, 5),
    "year": ("uniform", 1960, 2025),
    "latitude": ("uniform", -60, 70),
    "longitude": ("uniform", -180, 180),
    "temperature": ("normal", 21, 6),
    "percentage": ("uniform", 15, 85),
    "battery": ("uniform", 20, 100),
    "rssi": ("uniform", -95, -40),
    "pressure": ("normal", 1013, 8),
    "port": ("uniform", 1024, 65535),
    "duration": ("lognormal", 250, 1.0),
    "size": ("lognormal", 4096, 1.5),
    "serial": ("uniform", 1, 1_000_000),
}


# The most decimals a scale rounds to in bulk: numpy's and float64's powers of ten end near
# 10**308 (np.round(v, 309) is nan), and no draw is smaller than 10**-300.
_ROUNDED_SCALE = 300


def numeric_bounds(schema: Schema, integer: bool) -> tuple[float, float]:
    """The inclusive range a value may take (exclusive bounds moved inward): for integers,
    the exact integers (``maximum: 9007199254749999`` is not a double: its nearest one,
    9007199254750000.0, is past it); for numbers, the doubles inside the bounds."""
    if integer:
        low = _integer_bound(schema.minimum, schema.exclusive_minimum, lower=True)
        high = _integer_bound(schema.maximum, schema.exclusive_maximum, lower=False)
    else:
        step = 10.0 ** -(schema.scale if schema.scale is not None else 6)
        low = _number_bound(schema.minimum, schema.exclusive_minimum, step, lower=True)
        high = _number_bound(schema.maximum, schema.exclusive_maximum, step, lower=False)
    if schema.precision is not None:
        digits = schema.precision - (schema.scale or 0)
        scale = min(schema.scale or 0, 308)
        # (beyond a float's range, the precision bounds nothing a float can hold)
        limit: float
        if integer:
            limit = 10**digits - 1 if digits <= 308 else math.inf
        else:
            limit = 10.0**digits - 10.0**-scale if digits <= 308 else math.inf
        low, high = max(low, -limit), min(high, limit)
    return low, high


def _integer_bound(bound: float | None, exclusive: bool, lower: bool) -> float:
    """The last integer a bound allows on its side (an int, exact), within int64."""
    if bound is None or (isinstance(bound, float) and not math.isfinite(bound)):
        return (-math.inf if lower else math.inf) if bound is None else bound
    if lower:
        return max(math.floor(bound) + 1 if exclusive else math.ceil(bound), INT64_MIN)
    return min(math.ceil(bound) - 1 if exclusive else math.floor(bound), INT64_MAX)


def _number_bound(bound: float | None, exclusive: bool, step: float, lower: bool) -> float:
    """The last double a bound allows on its side: the bound's nearest double, moved inside
    where that is past an integer bound no double holds; an exclusive one a step inside."""
    if bound is None:
        return -math.inf if lower else math.inf
    value = float(bound)
    if math.isfinite(value) and value != bound:  # (Python compares int and float exactly)
        if lower and value < bound:
            value = math.nextafter(value, math.inf)
        elif not lower and value > bound:
            value = math.nextafter(value, -math.inf)
    if exclusive and math.isfinite(value) and value == bound:
        moved = value + step if lower else value - step
        # (a step too small to move a large double: the next double inside)
        value = moved if moved != value else math.nextafter(value, math.inf if lower else -math.inf)
    return value


def _integer_grid(schema: Schema) -> tuple[int, int | None, int | None]:
    """``(step, k_low, k_high)``: the integers a schema allows are ``k * step`` for ``k`` in
    ``[k_low, k_high]`` (None: unbounded on that side)."""
    low, high = numeric_bounds(schema, integer=True)
    step = 1
    if schema.multiple_of:
        m = float(schema.multiple_of)
        # (integer multiples of p/q are the multiples of p)
        step = int(m) if m.is_integer() else Fraction(m).limit_denominator(10**6).numerator
        step = max(step, 1)
    k_low = None if low == -math.inf else -(-int(low) // step)
    k_high = None if high == math.inf else int(high) // step
    return step, k_low, k_high


def integer_room(schema: Schema) -> tuple[int, str] | None:
    """How many distinct integers the schema allows, and which (``1 to 1000``); None when
    unbounded."""
    step, k_low, k_high = _integer_grid(schema)
    if k_low is None or k_high is None:
        return None
    room = max(0, k_high - k_low + 1)
    which = f"{k_low * step} to {k_high * step}" if room else "none"
    return room, which + (f", multiples of {step}" if step > 1 and room else "")


def unique_integers(schema: Schema, rows: range) -> list[int]:
    """Distinct allowed integers for distinct row numbers: from the minimum up when it is 0
    or more; otherwise from 1 (or the maximum, when that is below 1) up to the maximum, then
    down from below the start to the minimum. A negative minimum is most often a type's range
    (a DDL ``int`` column: -2147483648), not where anyone's keys begin. Each row has its own
    value while the row numbers stay below ``integer_room``; past that they come round again
    (a block is drawn whole, past the dataset's last row: callers check the dataset fits, see
    ``Synthesizer.unique_room``)."""
    step, k_low, k_high = _integer_grid(schema)
    if k_low is not None and k_high is not None and k_high < k_low:
        return [(k_low + row) * step for row in rows]  # (none fits: the caller has said so)
    if k_low is not None and k_low >= 0:
        if k_high is None:
            return [(k_low + row) * step for row in rows]
        return [(k_low + row % (k_high - k_low + 1)) * step for row in rows]
    start = 1 if k_high is None or k_high >= 1 else k_high
    up = None if k_high is None else k_high - start + 1  # values from start up to the maximum
    down = None if k_low is None else start - k_low  # values below start down to the minimum
    room = None if up is None or down is None else up + down

    def nth(row: int) -> int:
        if room is not None:
            row %= room
        return start + row if up is None or row < up else start - 1 - (row - up)

    return [nth(row) * step for row in rows]


def _typical(semantic: str | None, n: int, rng: np.random.Generator) -> np.ndarray | None:
    if semantic not in _TYPICAL:
        return None
    kind, a, b = _TYPICAL[semantic]
    if kind == "uniform":
        return rng.uniform(a, b, n)
    if kind == "normal":
        return rng.normal(a, b, n)
    if kind == "lognormal":
        return rng.lognormal(math.log(a), b, n)
    return rng.geometric(1 / a, n).astype(np.float64)


def _raw(
    schema: Schema, semantic: str | None, n: int, rng: np.random.Generator, low: float, high: float
) -> np.ndarray:
    values = _typical(semantic, n, rng)
    finite_low = low if low != -math.inf else None
    finite_high = high if high != math.inf else None
    if values is None:
        if finite_low is not None and finite_high is not None and high - low <= 1e6:
            values = rng.uniform(low, high, n)
        else:
            # Wide or open ranges: small magnitudes are what real data mostly holds.
            start = (
                max(finite_low or 0.0, 0.0)
                if (finite_high is None or finite_high > 0)
                else finite_high - 1000
            )
            values = start + rng.lognormal(math.log(100), 1.5, n)
    if finite_low is not None or finite_high is not None:
        outside = (values < low) | (values > high)
        if outside.any():
            lo = finite_low if finite_low is not None else (finite_high or 0) - 1000
            hi = finite_high if finite_high is not None else lo + 1000
            values[outside] = rng.uniform(lo, hi, int(outside.sum()))
    return values


def _on_grid(values: np.ndarray, m: float) -> np.ndarray:
    """Which values a JSON Schema validator accepts as multiples of ``m`` (float division)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        q = values / m
        ok: np.ndarray = np.isfinite(q) & (q == np.floor(q))
        return ok


def _multiples(
    low: float, high: float, m: float, n: int, rng: np.random.Generator, integer: bool
) -> np.ndarray:
    """``n`` multiples of ``m`` in [low, high] that pass the validator's float check."""
    step = m
    if integer and not float(m).is_integer():
        # Integer multiples of p/q are the multiples of p.
        # (a step below 1e-6 has numerator 0 there: every integer is then a multiple)
        step = float(Fraction(m).limit_denominator(10**6).numerator) or 1.0
    k_low = math.ceil(low / step) if low != -math.inf else 0
    k_high = math.floor(high / step) if high != math.inf else k_low + 1000
    if integer:  # (a step above int64's range leaves 0 as its one multiple in it)
        k_low = max(k_low, math.ceil(INT64_MIN / step))
        k_high = min(k_high, math.floor(INT64_MAX / step))
    # (the count of multiples must fit rng.integers' int64: 1e-300 steps in [0, 1] do not)
    k_high = min(k_high, k_low + 2**62)
    k_high = max(k_high, k_low)  # nothing fits: the nearest multiple is the best there is
    decimals = max(0, -math.floor(math.log10(step))) + 2 if step < 1 else 0
    ks = rng.integers(k_low, k_high + 1, n)
    values = np.round(ks * step, decimals)
    for _ in range(16):
        bad = ~_on_grid(values, m)
        if not bad.any():
            break
        redraw = rng.integers(k_low, k_high + 1, int(bad.sum()))
        values[bad] = np.round(redraw * step, decimals)
    bad = ~_on_grid(values, m)
    if bad.any():  # a few values no float division accepts: use one that is accepted
        for k in range(k_low, min(k_high, k_low + 10_000) + 1):
            candidate = np.round(np.array([k * step]), decimals)
            if _on_grid(candidate, m)[0]:
                values[bad] = candidate[0]
                break
    return values


def integer_column(
    schema: Schema, semantic: str | None, n: int, rng: np.random.Generator
) -> list[int]:
    low, high = numeric_bounds(schema, integer=True)
    if schema.multiple_of:
        m = float(schema.multiple_of)
        return [int(v) for v in _multiples(low, high, m, n, rng, integer=True).tolist()]
    values = np.floor(_raw(schema, semantic, n, rng, low, high) + 0.5)
    if low != -math.inf or high != math.inf:
        np.clip(
            values,
            None if low == -math.inf else low,
            None if high == math.inf else high,
            out=values,
        )
    if values.size and float(np.abs(values).max()) < 2.0**53:
        # Exactly representable: the floats are already whole and inside the bounds.
        fast: list[int] = values.astype(np.int64).tolist()
        return fast
    # float64 cannot hold int64's ends exactly: keep ints inside the declared range.
    out: list[int] = [
        min(
            max(int(v), int(low) if low != -math.inf else int(v)),
            int(high) if high != math.inf else int(v),
        )
        for v in values.tolist()
    ]
    return out


def number_column(
    schema: Schema, semantic: str | None, n: int, rng: np.random.Generator
) -> list[float]:
    low, high = numeric_bounds(schema, integer=False)
    if schema.multiple_of:
        m = float(schema.multiple_of)
        values = _multiples(low, high, m, n, rng, integer=False)
        if m >= 1 and m.is_integer():
            return [float(v) for v in values.tolist()]
        multiples: list[float] = values.tolist()
        return multiples
    values = _raw(schema, semantic, n, rng, low, high)
    scale = schema.scale if schema.scale is not None else (2 if semantic else 4)
    if scale <= _ROUNDED_SCALE:  # (past it, rounding changes no double a draw makes)
        # (rounding scales by 10**scale first: near a float's end that overflows, and such a
        # value keeps its digits, having none at that scale to round anyway)
        with np.errstate(over="ignore", invalid="ignore"):
            rounded = np.round(values, scale)
        values = np.where(np.isfinite(rounded), rounded, values)
    np.clip(
        values, None if low == -math.inf else low, None if high == math.inf else high, out=values
    )
    # An exclusive bound too large for the step to move it (1e17 + 1e-6 == 1e17).
    if schema.exclusive_minimum and schema.minimum is not None:
        edge = _number_bound(schema.minimum, False, 0.0, lower=True)
        values[values <= edge] = np.nextafter(edge, math.inf)
    if schema.exclusive_maximum and schema.maximum is not None:
        edge = _number_bound(schema.maximum, False, 0.0, lower=False)
        values[values >= edge] = np.nextafter(edge, -math.inf)
    out: list[float] = values.tolist()
    return out


def snap(schema: Schema, value: float, bounds: tuple[float, float] | None = None) -> float | int:
    """``value`` moved to the nearest value the schema allows: inside the bounds, on the
    ``multipleOf`` grid and at the decimal scale (used when behaviours nudge numbers).
    ``bounds`` is ``numeric_bounds(schema, integer)`` when the caller has it already."""
    integer = schema.type == "integer"
    low, high = bounds if bounds is not None else numeric_bounds(schema, integer)
    value = min(max(value, low), high)
    # A value too large for its count of steps to be finite (1e308 / 0.5) has no grid
    # neighbour to move to: it stays as it is.
    if schema.multiple_of and math.isfinite(value / float(schema.multiple_of)):
        step = float(schema.multiple_of)
        decimals = max(0, -math.floor(math.log10(step))) + 2 if step < 1 else 0
        k = round(value / step)
        # The nearest multiple inside the bounds that the validator's float check accepts.
        for delta in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5):
            candidate = round((k + delta) * step, decimals)
            if low <= candidate <= high and bool(_on_grid(np.asarray([candidate]), step)[0]):
                value = candidate
                break
    elif schema.scale is not None:
        value = _at_scale(value, schema.scale, low, high)
    if integer:
        return round(value)
    return value


def snap_many(
    schema: Schema, values: np.ndarray, bounds: tuple[float, float] | None = None
) -> list[float | int]:
    """``snap`` of each of ``values`` (float64), the same numbers it gives one at a time."""
    integer = schema.type == "integer"
    low, high = bounds if bounds is not None else numeric_bounds(schema, integer)
    if schema.multiple_of or integer or not (isinstance(low, float) and isinstance(high, float)):
        return [snap(schema, v, (low, high)) for v in values.tolist()]
    # min(max(v, low), high) as Python does it: a bound replaces v only when strictly beyond
    # it (np.maximum/np.minimum may return either zero when -0.0 meets 0.0).
    raised = np.where(low > values, low, values)
    clipped: list[float] = np.where(high < raised, high, raised).tolist()
    if schema.scale is None:
        return list(clipped)
    scaled = round_many(np.asarray(clipped, np.float64), schema.scale)
    outside = np.flatnonzero((scaled < low) | (scaled > high))
    rounded: list[float] = scaled.tolist()
    for i in outside.tolist():  # rounding crossed a bound: _at_scale steps back inside
        rounded[i] = _at_scale(clipped[i], schema.scale, low, high)
    return rounded


def round_many(values: np.ndarray, ndigits: int) -> np.ndarray:
    """``round(v, ndigits)`` of each value, bit for bit, for ``0 <= ndigits <= 15``.

    Python's ``round`` is correctly rounded: the double nearest to the decimal that the
    exact value rounds to (half to even). That decimal is ``k / 10**ndigits``, and IEEE
    division of the exact ``k`` by the exact power of ten gives its nearest double, so only
    ``k`` can go wrong: ``rint(v * 10**ndigits)`` differs from it only when the rounded
    product lies within its rounding error of a half. Those values (and huge or non-finite
    ones) are rounded by Python instead."""
    if ndigits > _ROUNDED_SCALE:  # (10.0**ndigits overflows)
        return np.asarray([round(v, ndigits) for v in values.tolist()], np.float64)
    scale = 10.0**ndigits
    with np.errstate(over="ignore", invalid="ignore"):  # (those are redone by Python)
        product = values * scale
        out: np.ndarray = np.rint(product) / scale
        magnitude = np.abs(product)
        near_half = np.abs(product - np.floor(product) - 0.5) <= magnitude * 1e-12
        unsure = near_half | ~(magnitude < 2.0**52)
    if unsure.any():
        at = np.flatnonzero(unsure)
        out[at] = [round(v, ndigits) for v in values[at].tolist()]
    return out


def _at_scale(value: float, scale: int, low: float, high: float) -> float:
    """``snap``'s decimal-scale step: Python's correctly rounded ``round``, kept inside."""
    value = round(value, scale)
    if value < low or value > high:  # rounding crossed a bound: step back inside it
        unit = 10.0**-scale
        value = round(value + unit if value < low else value - unit, scale)
    return value
