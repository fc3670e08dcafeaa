"""One-way pseudonyms for chat and user ids in logs; pure.

Telegram ids are small integers, so a plain hash of one could be reversed by trying them all.
A keyed hash (HMAC-SHA256) with a key that is never logged cannot be: the adapter makes a random
key at start, so pseudonyms tell the messages of one chat apart within a run and mean nothing
outside it.
"""

from __future__ import annotations

import hashlib
import hmac

PSEUDONYM_HEX = 12


class Pseudonyms:
    """Turn ids into short keyed hashes."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the key must be at least 16 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "Pseudonyms(<key hidden>)"

    def of(self, value: int | None) -> str:
        """Return the pseudonym of an id ('-' for none)."""
        if value is None:
            return "-"
        digest = hmac.new(self._key, str(value).encode(), hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_HEX]
