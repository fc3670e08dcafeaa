"""The start-up cache: results kept between starts, never a different result than computed."""

from __future__ import annotations

import logging
import pickle
import shutil
from pathlib import Path
from types import MappingProxyType

import pytest

from bot import startcache
from bot.analyzer import Analyzer
from bot.engine import Engine
from bot.errors import KnowledgeError

ROOT = Path(__file__).resolve().parent.parent


class Builds:
    """A build function that counts its calls and returns a fresh value each time."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, object]:
        self.calls += 1
        return {"call": self.calls, "words": MappingProxyType({"nac": 0.5})}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own."""
    where = tmp_path / "cache"
    monkeypatch.setenv(startcache.ENV, str(where))
    return where


def test_a_result_is_computed_once_then_read(cache: Path) -> None:
    build = Builds()
    first = startcache.remember("thing", "k1", build)
    second = startcache.remember("thing", "k1", build)
    assert build.calls == 1
    assert second == first
    # A read-only mapping comes back read-only.
    assert isinstance(second["words"], MappingProxyType)


def test_another_key_computes_again(cache: Path) -> None:
    build = Builds()
    startcache.remember("thing", "k1", build)
    assert startcache.remember("thing", "k2", build)["call"] == 2


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps({"call": 1})[:5]],
                         ids=["empty", "garbage", "cut-short"])
def test_a_damaged_file_is_computed_again_and_replaced(
    cache: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    build = Builds()
    startcache.remember("thing", "k1", build)
    (cache / "thing-k1.pickle").write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="bot.startcache"):
        assert startcache.remember("thing", "k1", build)["call"] == 2
    assert "unreadable" in caplog.text
    assert startcache.remember("thing", "k1", build)["call"] == 2  # the good file was written


def test_an_unwritable_folder_still_gives_the_result(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(startcache.ENV, str(blocker / "cache"))
    build = Builds()
    assert startcache.remember("thing", "k1", build)["call"] == 1
    assert startcache.remember("thing", "k1", build)["call"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(startcache.ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    build = Builds()
    startcache.remember("thing", "k1", build)
    startcache.remember("thing", "k1", build)
    assert build.calls == 2
    assert list(tmp_path.iterdir()) == []


def test_no_home_folder_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv(startcache.ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    build = Builds()
    assert startcache.folder() is None
    assert startcache.remember("thing", "k1", build)["call"] == 1


def test_only_the_newest_few_of_a_name_are_kept(cache: Path) -> None:
    for n in range(startcache.KEEP + 3):
        startcache.remember("thing", f"k{n}", Builds())
    startcache.remember("other", "k0", Builds())
    kept = sorted(p.name for p in cache.glob("thing-*.pickle"))
    assert len(kept) == startcache.KEEP
    assert f"thing-k{startcache.KEEP + 2}.pickle" in kept
    assert (cache / "other-k0.pickle").exists()
    assert not list(cache.glob(".*"))  # no temporary file left behind


def test_a_file_s_result_follows_its_bytes(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "model.json"
    code = tmp_path / "reader.py"
    source.write_text("1")
    code.write_text("# reader")
    build = Builds()
    startcache.remember_file("model", source, [code], build)
    startcache.remember_file("model", source, [code], build)
    assert build.calls == 1
    source.write_text("2")
    startcache.remember_file("model", source, [code], build)
    code.write_text("# reader, changed")
    startcache.remember_file("model", source, [code], build)
    assert build.calls == 3


def test_a_missing_file_is_left_to_its_reader(cache: Path, tmp_path: Path) -> None:
    def read() -> str:
        raise FileNotFoundError("the reader's own message")

    with pytest.raises(FileNotFoundError, match="reader's own"):
        startcache.remember_file("model", tmp_path / "missing.json", [], read)


@pytest.mark.parametrize("parts", [(("ab", "c"), ("a", "bc")), (("a",), ("a", ""))],
                         ids=["split-differently", "one-more-empty-part"])
def test_keys_tell_parts_apart(parts: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    assert startcache.key(*parts[0]) != startcache.key(*parts[1])


def test_a_stored_analyzer_analyses_as_the_original() -> None:
    analyzer = Analyzer(["pregnancy and cysteine", "acetaminophen overdose"],
                        {"nac": ["n acetyl cysteine"]}, ["and"])
    copy = pickle.loads(pickle.dumps(analyzer))
    for text in ["pregnacny", "N acetyl cysteine and acetaminophin", "chestpain"]:
        assert copy.analyze(text) == analyzer.analyze(text)


QUESTIONS = [
    "is nac safe", "can i take nac while pregnant", "wat is cysteine", "nac and tylenol",
    "refs pls", "does it help with ocd", "what's the weather in london", "thanks bye",
    "i took 30 pills and feel dizzy", "how much did they use in studies",
]


def test_an_engine_from_the_cache_answers_as_one_built_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(startcache.ENV, "off")
    fresh = Engine.from_paths(ROOT / "knowledge.yaml", ROOT / "intents")
    monkeypatch.setenv(startcache.ENV, str(tmp_path))
    Engine.from_paths(ROOT / "knowledge.yaml", ROOT / "intents")  # fills the cache
    assert {p.name.split("-")[0] for p in tmp_path.glob("*.pickle")} == {
        "english", "analyzer", "analyses", "matching", "safety", "engine"}
    cached = Engine.from_paths(ROOT / "knowledge.yaml", ROOT / "intents")
    for text in QUESTIONS:
        assert cached.respond(text).reply == fresh.respond(text).reply, text


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the curated content that a test may edit."""
    where = tmp_path / "content"
    where.mkdir()
    shutil.copy(ROOT / "knowledge.yaml", where / "knowledge.yaml")
    shutil.copytree(ROOT / "intents", where / "intents")
    return where


def test_an_edited_knowledge_file_builds_a_new_engine(cache: Path, content: Path) -> None:
    knowledge, intents = content / "knowledge.yaml", content / "intents"
    assert Engine.from_paths(knowledge, intents).respond(
        "is nac safe in pregnancy").reply.text.startswith("Pregnancy\n")
    text = knowledge.read_text(encoding="utf-8")
    knowledge.write_text(text.replace("title: Pregnancy\n", "title: Pregnancy and NAC\n"),
                         encoding="utf-8")
    assert Engine.from_paths(knowledge, intents).respond(
        "is nac safe in pregnancy").reply.text.startswith("Pregnancy and NAC\n")
    assert len(list(cache.glob("engine-*.pickle"))) == 2


def test_a_broken_knowledge_file_fails_though_a_good_one_was_kept(
    cache: Path, content: Path
) -> None:
    knowledge, intents = content / "knowledge.yaml", content / "intents"
    Engine.from_paths(knowledge, intents)  # fills the cache
    text = knowledge.read_text(encoding="utf-8")
    knowledge.write_text(text.replace("    title: Pregnancy\n", ""), encoding="utf-8")
    with pytest.raises(KnowledgeError) as failed:
        Engine.from_paths(knowledge, intents)
    assert "knowledge.yaml" in str(failed.value) and "pregnancy" in str(failed.value)


def test_a_copy_of_the_content_elsewhere_is_another_engine(cache: Path, content: Path) -> None:
    # The engine names its files in what a check reports: a copy must not borrow them.
    Engine.from_paths(ROOT / "knowledge.yaml", ROOT / "intents")
    Engine.from_paths(content / "knowledge.yaml", content / "intents")
    assert len(list(cache.glob("engine-*.pickle"))) == 2
