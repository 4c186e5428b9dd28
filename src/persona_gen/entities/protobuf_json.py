"""The strings protobuf's JSON mapping gives some well-known types, as the model draws them.

The importer writes a ``google.protobuf.Duration`` or ``FieldMask`` field as a string with one
of these patterns; labels (``generators.check.protobuf_takes``) know the field by its pattern,
since ``json_format.ParseDict`` takes more than the pattern says of a field mask: any text
without ``_`` (each path is read as camelCase and turned into snake_case).
"""

from __future__ import annotations

__all__ = ["DURATION_PATTERN", "FIELD_MASK_PATTERN"]

# Realistic subsets of what protobuf accepts: positive durations up to a day or so with
# millisecond precision, and field masks of one to four paths of one to three segments.
DURATION_PATTERN = r"^[1-9][0-9]{0,4}(\.[0-9]{1,3})?s$"
_SEGMENT = r"[a-z]{2,10}([A-Z][a-z]{2,8})?"
_PATH = rf"{_SEGMENT}(\.{_SEGMENT}){{0,2}}"
FIELD_MASK_PATTERN = rf"^{_PATH}(,{_PATH}){{0,3}}$"
