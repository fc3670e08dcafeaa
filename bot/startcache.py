"""Keep start-up work that depends only on the content and the code in a local cache; does I/O.

Every start analysed some 4,400 example phrasings and filtered pyspellchecker's 1.5 MB word
list, about a second on a slow machine, to reach the same result as the start before. This
module keeps such results in the user's cache folder under a key that hashes everything they
depend on (the content, the code that computes them, library versions), so a change to any
of those computes them afresh. The cache only saves time: a missing, unreadable, corrupt or
unwritable cache gives the same result, computed.

The folder is $CYSTEINE_BOT_CACHE, else $XDG_CACHE_HOME/cysteine-bot, else
~/.cache/cysteine-bot; CYSTEINE_BOT_CACHE=off turns the cache off.
"""

from __future__ import annotations

import copyreg
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

log = logging.getLogger(__name__)

ENV = "CYSTEINE_BOT_CACHE"
OFF = "off"
# Bump when the file layout changes, so old files are not read as new ones.
LAYOUT = b"startcache 1"
# How many results of one name are kept.
KEEP = 4

T = TypeVar("T")


def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """Rebuild a read-only mapping from a stored copy of its items."""
    return MappingProxyType(items)


def _reduce_read_only(mapping: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return _read_only, (dict(mapping),)


# The models keep their tables read-only (types.MappingProxyType), which pickle cannot store by
# itself: it stores the items and wraps them again.
copyreg.pickle(MappingProxyType, _reduce_read_only)


def folder() -> Path | None:
    """Return the cache folder, or None when the cache is turned off."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen.lower() == OFF:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base:
        return Path(base) / "cysteine-bot"
    try:
        return Path.home() / ".cache" / "cysteine-bot"
    except RuntimeError:
        # A user with no home (a container run with an unknown --user): no cache, no crash.
        return None


def key(*parts: bytes | str) -> str:
    """Return the hash of every part a cached result depends on, in order."""
    digest = hashlib.blake2b(LAYOUT, digest_size=20)
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        # The length first: ("ab", "c") and ("a", "bc") are different inputs.
        digest.update(len(raw).to_bytes(8, "little"))
        digest.update(raw)
    return digest.hexdigest()


def sources(*paths: Path) -> bytes:
    """Return the bytes of the code files a result is computed by, for its key."""
    return b"\0".join(path.read_bytes() for path in paths)


def texts(items: Iterable[str]) -> bytes:
    """Return a list of texts as bytes for a key, each text kept apart from the next."""
    return "\0".join(items).encode()


def remember_file(name: str, path: Path, code: Iterable[Path], read: Callable[[], T]) -> T:
    """Return what read() makes of one file, kept while the file and its reader are unchanged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return read()  # the reader reports a missing file in its own words
    return remember(name, key(raw, sources(*code)), read)


def remember(name: str, digest: str, build: Callable[[], T]) -> T:
    """Return the result stored under name and digest, or build it and store it."""
    where = folder()
    if where is None:
        return build()
    path = where / f"{name}-{digest}.pickle"
    try:
        with path.open("rb") as f:
            # Only this user's cache folder is read (created private below), never a shared one.
            return pickle.load(f)  # type: ignore[no-any-return]
    except FileNotFoundError:
        pass
    except Exception as exc:  # any damage to a cache file means "compute it"
        log.warning("start-up cache %s unreadable (%s): computing it again", path, exc)
    value = build()
    _store(where, path, name, value)
    return value


def _store(where: Path, path: Path, name: str, value: object) -> None:
    """Write one result atomically and keep only the newest few of the same name."""
    temp: Path | None = None
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, prefix=f".{name}-", delete=False) as f:
            temp = Path(f.name)
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        # A reader sees the old file or the whole new one, never half of it.
        os.replace(temp, path)
    except OSError as exc:
        log.info("start-up cache not written to %s (%s): each start computes it", where, exc)
        if temp is not None:
            temp.unlink(missing_ok=True)
        return
    # A few, not one: two checkouts (or a test's own content) then do not evict each other.
    stored = sorted(where.glob(f"{name}-*.pickle"), key=_age)
    for old in stored[KEEP:]:
        old.unlink(missing_ok=True)


def _age(path: Path) -> float:
    """Return how long ago a file was written, for newest-first order; gone files last."""
    try:
        return -path.stat().st_mtime
    except OSError:
        return float("inf")
