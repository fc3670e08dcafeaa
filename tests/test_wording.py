"""The word model: features, compact storage that keeps the fitted probabilities, real cases."""

from __future__ import annotations

import json

import pytest

from bot import packed, wording
from bot.engine import Engine
from bot.intents import OUT_OF_SCOPE_TOPIC
from bot.learn import fit
from bot.tuned import MODEL_PATH


def test_features_are_unit_length_words_pairs_and_letter_runs(engine: Engine) -> None:
    f = wording.features(engine.analyzer.analyze("nac for sperm count"))
    assert sum(v * v for v in f.values()) == pytest.approx(1.0)
    assert any(k.startswith("w:") for k in f) and any(k.startswith("b:") for k in f)
    # Runs of 3 to 5 letters, marked at the word's ends, from words of 4 letters or more.
    assert {"c:<sp", "c:<spe", "c:perm>", "c:unt>"} <= set(f)
    assert not any(k.startswith("c:") and "nac" in k for k in f)


@pytest.mark.parametrize(("a", "b"), [
    ("glutathione", "glutatión"),
    ("cysteine", "cisteína"),
    ("cysteine", "sistine"),
], ids=["spanish", "spanish-cysteine", "misspelt"])
def test_forms_of_one_word_share_letter_runs(engine: Engine, a: str, b: str) -> None:
    # What lets a word the phrasings never used lean on one they did.
    def runs(text: str) -> set[str]:
        return {k for k in wording.features(engine.analyzer.analyze(text)) if k.startswith("c:")}
    assert len(runs(a) & runs(b)) >= 3


@pytest.mark.parametrize("text", [
    "nac for sperm count",
    "my dad has copd and his pulmonologist mentioned nac, does it actually do anything",
    "glutathione glutathion glutatión",  # runs shared by three words: counted per word
    "aaaaaaa",  # one run several times in one word
    "antioxidants and bananas",  # known words (sums stored) with a run twice: "ant", "ana"
    "nac",  # no word long enough for runs
    "",
], ids=["short", "long", "shared-runs", "repeated-run", "repeated-in-stored", "no-runs",
        "empty"])
def test_summed_runs_give_the_probabilities_of_the_features(engine: Engine, text: str) -> None:
    # The runtime adds up each word's runs once and keeps the sum; it must score exactly
    # what the model was fitted on, the first time and from the kept sums.
    model = engine.matcher.words
    assert model is not None
    analysis = engine.analyzer.analyze(text)
    want = model.proba(wording.features(analysis))
    for _ in range(2):
        got = model.proba_of(analysis)
        assert max(abs(want[c] - got[c]) for c in want) < 1e-12


def test_known_words_come_with_their_run_sums(engine: Engine) -> None:
    # `tune` stores each known word's summed runs, so that no message waits for them; they
    # are the sums the model would work out itself, to the unit.
    model = engine.matcher.words
    assert model is not None
    assert "glutathione" in model.stored_sums and "sistine" not in model.stored_sums
    assert list(model.stored_sums["glutathione"]) == model.run_sum("glutathione")
    again = wording.WordModel.from_json(json.loads(json.dumps(model.to_json(["pregnancy"]))))
    assert list(again.stored_sums) == ["pregnancy"]
    assert list(again.stored_sums["pregnancy"]) == model.run_sum("pregnancy")


def test_compact_storage_keeps_the_fitted_probabilities(engine: Engine) -> None:
    # Moving a feature's weights by their median changes no probability; dropping what is
    # left near zero changes them a little. Measured on a small real fit.
    texts = [("glutathione", "what is glutathione"), ("glutathione", "glutathione explained"),
             ("pregnancy", "is nac safe in pregnancy"), ("pregnancy", "nac while pregnant"),
             (OUT_OF_SCOPE_TOPIC, "what time is it"), (OUT_OF_SCOPE_TOPIC, "weather today")]
    rows = [wording.features(engine.analyzer.analyze(t)) for _, t in texts]
    dense = fit(rows, [topic for topic, _ in texts], epochs=20, seed=0)
    small = wording.compact(dense)
    for x in rows:
        want, got = dense.proba(x), small.proba(x)
        assert max(abs(want[c] - got[c]) for c in want) < 0.05


def test_stored_model_round_trips(engine: Engine) -> None:
    model = engine.matcher.words
    assert model is not None
    again = wording.WordModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again == model
    question = engine.analyzer.analyze("does nac help my lungs")
    assert again.proba(wording.features(question)) == model.proba(wording.features(question))


def test_weights_are_stored_as_whole_hundredths() -> None:
    # Two decimals are all compact() keeps: stored as 16-bit hundredths they come back exact.
    model = wording.WordModel(("a", "b"), (0.0, 0.0), {"w:x": (0.37, -1.25)})
    data = model.to_json()
    again = wording.WordModel.from_json(json.loads(json.dumps(data)))
    assert list(again.rows["w:x"]) == [37, -125] and again.scale == wording.SCALE
    assert again.proba({"w:x": 1.0}) == pytest.approx(model.proba({"w:x": 1.0}))


@pytest.mark.parametrize(("field", "value", "error"), [
    ("hundredths", packed.pack([50, -50, 7], packed.HUNDREDTHS), "need 4 numbers, not 3"),
    ("hundredths", packed.pack([50, -50, 7, 0, 1], packed.HUNDREDTHS), "not 5"),
    ("hundredths", "not base64!", "malformed"),
    ("features", ["w:x", "w:x"], "appears twice"),
    ("features", ["w:x", 7], "must be a string"),
    ("bias", [0.0], "one bias per topic"),
], ids=["weight-missing", "weight-too-many", "not-packed", "feature-twice", "feature-not-text",
        "bias-missing"])
def test_a_malformed_model_fails_at_load(field: str, value: object, error: str) -> None:
    data = wording.WordModel(("a", "b"), (0.0, 0.0), {"w:x": (0.5, 0.0),
                                                      "w:y": (0.0, -0.5)}).to_json()
    data[field] = value
    with pytest.raises(ValueError, match=error):
        wording.WordModel.from_json(data)


def test_the_committed_file_holds_the_word_model() -> None:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert OUT_OF_SCOPE_TOPIC in data["words"]["classes"]


# Real requests, none of them a phrasing in intents/: where the words point on their own.
CASES = [
    ("what time is it in tokyo right now", OUT_OF_SCOPE_TOPIC),
    ("can you book me a table for two on friday", OUT_OF_SCOPE_TOPIC),
    ("my wife and i are trying for a baby, would nac help her eggs", "female-infertility"),
    ("does n-acetyl cysteine thin the gunk in my chest", "mucus-lungs"),
]


@pytest.mark.parametrize(("text", "topic"), CASES, ids=[t for t, _ in CASES])
def test_words_point_to_the_topic(engine: Engine, text: str, topic: str) -> None:
    # The word model is one feature of the ranker: its two likeliest topics hold the asked
    # one; the reply itself is the whole engine's (female infertility here: the words alone
    # split 0.34 male, 0.29 female).
    p = engine.matcher.word_proba(engine.analyzer.analyze(text))
    assert topic in sorted(p, key=lambda c: -p[c])[:2]
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == (("fallback", None) if topic == OUT_OF_SCOPE_TOPIC
                                         else ("answer", topic))
