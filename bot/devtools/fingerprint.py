"""Fingerprint the source article so tests can catch copied wording without its text; does I/O.

The fingerprint is the sorted set of hashes of every run of RUN_WORDS normalised words in the
article. It holds no article text, so it can live in the repository, and a test can tell
whether a curated text repeats RUN_WORDS words of the article in a row.

    python -m bot.devtools.fingerprint ../shared/sources/cysteine-article.txt

writes tests/data/article-fingerprint.txt (or the file given with --out).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

RUN_WORDS = 6
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "article-fingerprint.txt"
HEADER = "# Hashes of the normalised {n}-word runs of {name}; python -m bot.devtools.fingerprint\n"
_WORD = re.compile(r"[^\W\d_]+|\d+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_APOSTROPHE_IN_WORD = re.compile(r"(?<=\w)'(?=\w)")


def normalised_words(text: str) -> list[str]:
    """Return the words of text: lower case, no accents, no punctuation, "don't" as "dont"."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _APOSTROPHE_IN_WORD.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    return _WORD.findall("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def runs(words: Sequence[str], n: int = RUN_WORDS) -> Iterator[str]:
    """Yield every run of n consecutive words, joined by single spaces."""
    for i in range(len(words) - n + 1):
        yield " ".join(words[i : i + n])


def digest(run: str) -> str:
    """Return the hash that stands for one run of words."""
    return hashlib.sha256(run.encode()).hexdigest()[:16]


def fingerprint(text: str, n: int = RUN_WORDS) -> list[str]:
    """Return the sorted, de-duplicated hashes of text's n-word runs."""
    return sorted({digest(r) for r in runs(normalised_words(text), n)})


def read(path: Path) -> frozenset[str]:
    """Return the hashes in a fingerprint file (comment lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def copied_runs(text: str, hashes: frozenset[str], n: int = RUN_WORDS) -> list[str]:
    """Return the n-word runs of text whose hash is in the fingerprint."""
    return [r for r in runs(normalised_words(text), n) if digest(r) in hashes]


def write(article: Path, out: Path, n: int = RUN_WORDS) -> int:
    """Write the fingerprint of an article; return how many hashes it holds."""
    hashes = fingerprint(article.read_text(encoding="utf-8"), n)
    out.parent.mkdir(parents=True, exist_ok=True)
    head = HEADER.format(n=n, name=article.name)
    out.write_text(head + "".join(f"{h}\n" for h in hashes), encoding="utf-8")
    return len(hashes)


def main(argv: Iterable[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    p = argparse.ArgumentParser(prog="python -m bot.devtools.fingerprint",
                                description="Write the fingerprint of the source article.")
    p.add_argument("article", type=Path, help="the article as a text file")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the hashes")
    args = p.parse_args(None if argv is None else list(argv))
    if not args.article.is_file():
        sys.stderr.write(f"error: {args.article} is not a file\n")
        return 2
    count = write(args.article, args.out)
    sys.stdout.write(f"wrote {count} hashes of {RUN_WORDS}-word runs to {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
