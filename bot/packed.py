"""Large model tables stored packed: base64 of little-endian arrays, read at C speed; pure.

Parsing some 150,000 rows of decimal numbers from JSON and turning each into a tuple took
about 0.4 s at every start; decoding the same numbers from one packed string takes a few
milliseconds, and the rows are sliced from the flat array only when a message asks for them.
"""

from __future__ import annotations

import base64
import math
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence

FLOATS = "d"  # float64: the weights load exactly as they were written
INTS = "I"  # unsigned 32-bit: row offsets
HUNDREDTHS = "h"  # signed 16-bit: weights kept to two decimals, as whole hundredths
WIDE = "i"  # signed 32-bit: sums of such weights


def pack(values: Iterable[float], code: str) -> str:
    """Return these numbers as base64 of a little-endian array of this type code."""
    data = array(code, values)
    if sys.byteorder == "big":
        data.byteswap()
    return base64.b64encode(data.tobytes()).decode("ascii")


def floats(text: str) -> array[float]:
    """Return the float64 numbers packed in text (ValueError if malformed or not finite)."""
    data: array[float] = array(FLOATS)
    _fill(data, text)
    if not math.isfinite(math.fsum(data)):
        raise ValueError("packed weights include a number that is not finite")
    return data


def ints(text: str, code: str = INTS) -> array[int]:
    """Return the whole numbers of this type code packed in text (ValueError if malformed)."""
    data: array[int] = array(code)
    _fill(data, text)
    return data


def _fill(data: array[float] | array[int], text: str) -> None:
    try:
        data.frombytes(base64.b64decode(text.encode("ascii"), validate=True))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError(f"packed numbers are malformed ({exc})") from None
    if sys.byteorder == "big":
        data.byteswap()


class Rows(Mapping[str, Sequence[float]]):
    """Named rows of equal width, kept in one flat array and sliced on demand."""

    __slots__ = ("_index", "_table", "_width")

    def __init__(self, names: Sequence[str], table: array[float] | array[int],
                 width: int) -> None:
        if width <= 0 or len(table) != len(names) * width:
            raise ValueError(f"{len(names)} rows of {width} need {len(names) * width} "
                             f"numbers, not {len(table)}")
        self._index = dict(zip(names, range(0, len(table), width), strict=True))
        if len(self._index) != len(names):
            raise ValueError("a row name appears twice")
        self._table = table
        self._width = width

    def get(self, name: str, default: Sequence[float] | None = None  # type: ignore[override]
            ) -> Sequence[float] | None:
        """Return the row of this name, or default (faster than the Mapping mixin's)."""
        i = self._index.get(name)
        return default if i is None else self._table[i:i + self._width]

    def __getitem__(self, name: str) -> Sequence[float]:
        i = self._index[name]
        return self._table[i:i + self._width]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)
