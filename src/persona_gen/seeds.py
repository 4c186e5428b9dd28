"""Seeds, random streams and the run's reference time: the only home of entropy.

Determinism contract (docs/determinism.md): a record depends only on the run seed, the
dataset key and the index of the block it falls in. Every stream is derived here with a
stable hash (blake2b; never ``hash()``, which is salted per process) and handed to the code
that draws from it, which never creates its own.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np

from persona_gen._text import ascii_rows

__all__ = [
    "BLOCK_SIZE",
    "MAX_SEED",
    "block_stream",
    "fresh_seed",
    "reference_epoch_ms",
    "stable_hash",
    "uuid_text",
    "uuids",
]

# Records per block. Part of the determinism contract: changing it changes every output, so it
# only changes with the tool's minor version.
BLOCK_SIZE = 1024

_EPOCH_BASE = datetime(2025, 1, 1, tzinfo=UTC)
# The largest seed a run takes, however it is given: -s and Dataset.from_profile check it
# here; a profile's seed fields write it out (profiles/model.py does not import NumPy).
MAX_SEED = 2**63 - 1


def stable_hash(*parts: object) -> int:
    """A 64-bit integer from the parts' text, identical on every machine and process."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def block_stream(seed: int, *labels: object) -> np.random.Generator:
    """The random stream for one purpose (dataset, block, behaviour...) of one run.

    Its entropy is ``[seed & 0xFFFFFFFF, seed >> 32, *map(stable_hash, labels)]`` as
    ``SeedSequence`` reads a list of integers: each one as 32-bit words, least significant
    first. The words are made here (a label's once), since ``SeedSequence`` converting
    Python integers was a third of the cost of a stream, and a block takes 10-16 streams."""
    words = [*_words(seed & 0xFFFFFFFF), *_words(seed >> 32)]
    for label in labels:
        words += _label_words(label)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(np.array(words, np.uint32))))


def _words(n: int) -> list[int]:
    """A non-negative integer as 32-bit words, least significant first (at least one)."""
    if n < 0:
        raise ValueError("seed words must not be negative")
    out = [n & 0xFFFFFFFF]
    while n := n >> 32:
        out.append(n & 0xFFFFFFFF)
    return out


@lru_cache(maxsize=4096, typed=True)  # (typed: 1 and True are different labels)
def _label_words(label: object) -> tuple[int, ...]:
    return tuple(_words(stable_hash(label)))


def fresh_seed() -> int:
    """A new seed for a run started without ``--seed`` (printed so the run can be replayed)."""
    return secrets.randbelow(2**32)


def reference_epoch_ms(seed: int) -> int:
    """The run's reference time: a fixed instant per seed, at a whole second in 2025."""
    offset_s = stable_hash("epoch", seed) % (365 * 24 * 3600)
    return int((_EPOCH_BASE + timedelta(seconds=offset_s)).timestamp() * 1000)


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` version-4 UUID strings drawn from ``rng`` (never from the OS)."""
    return uuid_text(rng.integers(0, 256, size=(n, 16), dtype=np.uint8))


def uuid_text(raw: np.ndarray) -> list[str]:
    """Rows of 16 bytes → version-4 UUID strings (version and variant bits set in place).

    Formatted a whole block at a time: hex digits and dashes are
    laid out in one byte array.
    """
    n = raw.shape[0]
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexed = np.frombuffer(raw.tobytes().hex().encode("ascii"), np.uint8).reshape(n, 32)
    laid = np.full((n, 36), ord("-"), np.uint8)
    for src, dst, width in ((0, 0, 8), (8, 9, 4), (12, 14, 4), (16, 19, 4), (20, 24, 12)):
        laid[:, dst : dst + width] = hexed[:, src : src + width]
    return ascii_rows(laid)
