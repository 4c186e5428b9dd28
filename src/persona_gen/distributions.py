"""Declarative distributions for persona parameters, sampled in bulk with NumPy.

In YAML a distribution is a mapping with ``dist`` and its parameters, or a plain number for a
constant: ``latency_ms: {dist: lognormal, median: 120, sigma: 0.5}`` or ``latency_ms: 80``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

__all__ = [
    "MAX_COUNT",
    "MAX_DURATION_MS",
    "MIN_CV",
    "CountSpec",
    "Distribution",
    "DistributionSpec",
    "DurationSpec",
    "Rate",
    "check_weights",
]

Rate = Annotated[float, Field(ge=0.0, le=1.0, description="A probability in [0, 1].")]

MAX_DURATION_MS = 365 * 24 * 3600 * 1000
"""The longest time span a duration parameter draws: 365 days, in milliseconds."""

MAX_COUNT = 1_000_000
"""The largest count a count parameter draws (events in a burst, retries, items in a batch...)."""

MIN_CV = 0.001
"""The smallest coefficient of variation: below it gamma draws are a constant, and a CV that
small (1e-308) would overflow the gamma shape (1 / cv²)."""


def check_weights(weights: list[float]) -> None:
    """Relative weights: none negative, not all zero, and a finite sum (two weights of 1e308
    add up to infinity, and then every share is zero)."""
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    if not math.isfinite(sum(weights)):
        raise ValueError(
            "weights must add up to a finite number (they are relative: scale them down)"
        )


class _Base(BaseModel):
    # strict: a quoted number (`median: "3000"`) or a boolean is no number (as in the schema)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)
    clip_min: float | None = Field(None, description="Lower bound applied after sampling.")
    clip_max: float | None = Field(None, description="Upper bound applied after sampling.")

    @model_validator(mode="after")
    def _clips_ordered(self) -> _Base:
        low, high = self.clip_min, self.clip_max
        if low is not None and high is not None and low > high:
            raise ValueError(f"clip_min ({low:g}) must not be above clip_max ({high:g})")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        values = self._draw(rng, n).astype(np.float64, copy=False)
        if self.clip_min is not None or self.clip_max is not None:
            np.clip(values, self.clip_min, self.clip_max, out=values)
        return values

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError

    def mean(self) -> float:
        raise NotImplementedError


class Constant(_Base):
    dist: Literal["constant"] = "constant"
    value: float

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)

    def mean(self) -> float:
        return self.value


class Uniform(_Base):
    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must be >= low")
        if not math.isfinite(self.high - self.low):
            raise ValueError(f"high - low ({self.high:g} - {self.low:g}) must be a finite number")
        return self

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def mean(self) -> float:
        return (self.low + self.high) / 2


class Normal(_Base):
    dist: Literal["normal"]
    mean_: float = Field(alias="mean")
    std: float = Field(ge=0)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(self.mean_, self.std, n)

    def mean(self) -> float:
        return self.mean_


class LogNormal(_Base):
    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0, le=5)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(math.log(self.median), self.sigma, n)

    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)


class Exponential(_Base):
    dist: Literal["exponential"]
    mean_: float = Field(alias="mean", gt=0)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_, n)

    def mean(self) -> float:
        return self.mean_


class Gamma(_Base):
    """Gamma by mean and coefficient of variation: cv 1 is exponential, small cv is regular."""

    dist: Literal["gamma"]
    mean_: float = Field(alias="mean", gt=0)
    cv: float = Field(ge=MIN_CV, le=10)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_ / shape, n)

    def mean(self) -> float:
        return self.mean_


class Poisson(_Base):
    dist: Literal["poisson"]
    mean_: float = Field(alias="mean", ge=0)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.poisson(self.mean_, n)

    def mean(self) -> float:
        return self.mean_


class Geometric(_Base):
    """Counts 1, 2, 3... with the given mean (>= 1)."""

    dist: Literal["geometric"]
    mean_: float = Field(alias="mean", ge=1)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.geometric(1.0 / self.mean_, n)

    def mean(self) -> float:
        return self.mean_


class Choice(_Base):
    dist: Literal["choice"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = Field(
        None,
        json_schema_extra={
            "items": {"type": "number", "minimum": 0},
            "not": {"type": "array", "items": {"maximum": 0}},  # (not all zero)
        },
    )

    @model_validator(mode="after")
    def _weights_match(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            check_weights(self.weights)
        return self

    def _probabilities(self) -> np.ndarray | None:
        if self.weights is None:
            return None
        w = np.asarray(self.weights, dtype=np.float64)
        out: np.ndarray = w / w.sum()
        return out

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=np.float64), n, p=self._probabilities())

    def mean(self) -> float:
        p = self._probabilities()
        values = np.asarray(self.values, dtype=np.float64)
        return float(values.mean() if p is None else (values * p).sum())


Distribution = Annotated[
    Constant | Uniform | Normal | LogNormal | Exponential | Gamma | Poisson | Geometric | Choice,
    Field(discriminator="dist"),
]


def _coerce(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):  # (reported here, at the parameter the user wrote)
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        return {"dist": "constant", "value": value}
    if isinstance(value, dict) and "dist" not in value and "value" in value:
        return {"dist": "constant", **value}
    if not isinstance(value, dict | BaseModel):  # (text, true/false, a list: pydantic would
        raise PydanticCustomError(  # only say that it is no dictionary)
            "number_or_distribution",
            "Input should be a number or a distribution such as {dist: uniform, low: 1, high: 5}",
        )
    return value


class DistributionSpec(BaseModel):
    """Wrapper used where a parameter accepts a number or a distribution mapping."""

    model_config = ConfigDict(frozen=True)
    root: Distribution

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"root"}:
            return value
        return {"root": _coerce(value)}

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.root.sample(rng, n)

    def mean(self) -> float:
        return self.root.mean()


class DurationSpec(DistributionSpec):
    """A distribution of a time span in milliseconds: a latency, think time, delay, gap...

    A time span is never negative and never longer than ``MAX_DURATION_MS``: every draw is
    clipped to that range, so no event is answered in negative time or arrives before it
    happened, and timestamps stay in range. What clipping would make meaningless is refused
    instead: a negative ``clip_min`` or ``clip_max``, or a mean outside the range (a negative
    or a 30-year latency is a mistake, not a distribution to clip).
    """

    @model_validator(mode="after")
    def _a_time_span(self) -> DurationSpec:
        dist = self.root
        for name in ("clip_min", "clip_max"):
            bound = getattr(dist, name)
            if bound is not None and bound < 0:
                raise ValueError(f"{name} ({bound:g}) must be >= 0: a time span is never negative")
        what = "the value" if isinstance(dist, Constant) else "the mean"
        mean = dist.mean()
        if mean < 0:
            raise ValueError(f"{what} ({mean:g} ms) is negative: a time span is never negative")
        if mean > MAX_DURATION_MS:
            raise ValueError(
                f"{what} ({mean:g} ms) is above {MAX_DURATION_MS} ms (365 days), "
                "the longest time span"
            )
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        values = self.root.sample(rng, n)
        np.clip(values, 0.0, MAX_DURATION_MS, out=values)
        return values


class CountSpec(DistributionSpec):
    """A distribution of a count: events in a burst or a session, actions in a run, retries,
    items in a batch...

    Every draw is clipped to ``[0, MAX_COUNT]`` (the behaviour then rounds it and applies its
    own minimum), so a wide distribution never draws a count too large to make. A mean above
    ``MAX_COUNT`` is refused instead: clipping would make it meaningless.
    """

    @model_validator(mode="after")
    def _a_count(self) -> CountSpec:
        what = "the value" if isinstance(self.root, Constant) else "the mean"
        mean = self.root.mean()
        if not mean <= MAX_COUNT:
            raise ValueError(f"{what} ({mean:g}) is above {MAX_COUNT}, the largest count")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        values = self.root.sample(rng, n)
        np.clip(values, 0.0, MAX_COUNT, out=values)
        return values
