"""Many short strings at once, from text laid out in NumPy arrays.

Values such as UUIDs, ids and codes are built a block at a time as rows of ASCII codes. The
last step, one Python string per row, is cheapest as a single ``str.split`` at a newline put
after each row: slicing the text row by row costs a Python-level step per value.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ascii_rows"]

_NEWLINE = ord("\n")


def ascii_rows(codes: np.ndarray) -> list[str]:
    """Each row of an ``(n, width)`` array of ASCII codes as a string."""
    n, width = codes.shape
    if not n:
        return []
    if (codes == _NEWLINE).any():  # (a row holding a newline would be split apart)
        text = codes.tobytes().decode("ascii")
        return [text[i : i + width] for i in range(0, n * width, width)]
    lines = np.empty((n, width + 1), np.uint8)
    lines[:, :width] = codes
    lines[:, width] = _NEWLINE
    return lines.tobytes().decode("ascii").split("\n")[:-1]
