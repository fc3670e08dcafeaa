"""The stems of the curated vocabulary, worked out by `tune` and read at start; reads one file.

Snowball stemming in pure Python took a third of a second at every start for some 5,000
words that never change between tunes. `python -m bot tune matching` writes their stems to
bot/models/stems.json with the stemmer's version and the rules that pick a stemmer for a word;
a start with another version or other rules, or a word not in the file, stems as before. The
file only saves time: it never changes a stem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

PATH = Path(__file__).resolve().parent / "models" / "stems.json"
# Which stemmer stems which word (bot/analyzer.py); change it with those rules, so that stems
# stored under the old ones are not read.
RULES = "english; russian for Cyrillic words"


def stemmer_version() -> str:
    """Return the installed snowballstemmer's version."""
    return metadata.version("snowballstemmer")


def load(path: Path = PATH) -> Mapping[str, str]:
    """Return the stored stems, or none when the file is missing or from another stemmer."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (not isinstance(data, dict) or data.get("snowballstemmer") != stemmer_version()
            or data.get("rules") != RULES):
        return {}
    stems = data.get("stems")
    return stems if isinstance(stems, dict) else {}
