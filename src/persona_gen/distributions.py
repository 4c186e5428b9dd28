"""Declarative distributions for persona parameters, sampled in bulk with NumPy.

In YAML a distribution is a mapping with ``dist`` and its parameters, or a plain number for a
constant: ``latency_ms: {dist: lognormal, median: 120, sigma: 0.5}`` or ``latency_ms: 80``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Distribution", "DistributionSpec", "Rate"]

Rate = Annotated[float, Field(ge=0.0, le=1.0, description="A probability in [0, 1].")]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    clip_min: float | None = Field(None, description="Lower bound applied after sampling.")
    clip_max: float | None = Field(None, description="Upper bound applied after sampling.")

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
    cv: float = Field(gt=0, le=10)

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
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
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
        return {"dist": "constant", "value": value}
    if isinstance(value, dict) and "dist" not in value and "value" in value:
        return {"dist": "constant", **value}
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
