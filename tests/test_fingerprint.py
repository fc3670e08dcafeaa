"""The article fingerprint: hashes of word runs, no article text, and how copying is found."""

from __future__ import annotations

import re
from pathlib import Path

from bot.devtools import fingerprint as fp

DATA = Path(__file__).resolve().parent / "data" / "article-fingerprint.txt"
TEXT = "Cysteine is an amino acid, a building block of proteins found in food."


def test_words_are_folded_like_the_matcher_folds_them() -> None:
    assert fp.normalised_words("N-Acetyl Cysteine\u2019s \u201cCaf\u00e9\u201d 500mg") == [
        "n", "acetyl", "cysteines", "cafe", "500", "mg"]


def test_a_six_word_run_of_the_text_is_found() -> None:
    hashes = frozenset(fp.fingerprint(TEXT))
    assert fp.copied_runs("Many say a building block of proteins found in meat.", hashes) == [
        "a building block of proteins found", "building block of proteins found in"]


def test_five_words_in_a_row_are_not_copying() -> None:
    hashes = frozenset(fp.fingerprint(TEXT))
    assert fp.copied_runs("It is a building block of proteins, they say.", hashes) == []


def test_the_file_written_holds_hashes_only(tmp_path: Path) -> None:
    article, out = tmp_path / "article.txt", tmp_path / "fp.txt"
    article.write_text(TEXT)
    count = fp.write(article, out)
    body = [line for line in out.read_text().splitlines() if not line.startswith("#")]
    assert (count, body, fp.read(out)) == (len(body), sorted(body), frozenset(body))


def test_the_committed_fingerprint_holds_no_article_text() -> None:
    lines = [line for line in DATA.read_text().splitlines() if not line.startswith("#")]
    assert len(lines) > 1000 and all(re.fullmatch(r"[0-9a-f]{16}", line) for line in lines)


def test_the_command_names_a_missing_article(tmp_path: Path) -> None:
    assert fp.main([str(tmp_path / "missing.txt"), "--out", str(tmp_path / "x.txt")]) == 2
