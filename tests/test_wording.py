"""The word model: features, sparse storage that keeps the fitted probabilities, real cases."""

from __future__ import annotations

import json

import pytest

from bot import wording
from bot.engine import Engine
from bot.intents import OUT_OF_SCOPE_TOPIC
from bot.learn import fit
from bot.tuned import MODEL_PATH


def test_features_are_unit_length_words_and_pairs(engine: Engine) -> None:
    f = wording.features(engine.analyzer.analyze("nac for sperm count"))
    assert sum(v * v for v in f.values()) == pytest.approx(1.0)
    assert any(k.startswith("w:") for k in f) and any(k.startswith("b:") for k in f)


def test_sparse_storage_keeps_the_fitted_probabilities(engine: Engine) -> None:
    # Moving a feature's weights by their median changes no probability; dropping what is
    # left near zero changes them a little. Measured on a small real fit.
    texts = [("glutathione", "what is glutathione"), ("glutathione", "glutathione explained"),
             ("pregnancy", "is nac safe in pregnancy"), ("pregnancy", "nac while pregnant"),
             (OUT_OF_SCOPE_TOPIC, "what time is it"), (OUT_OF_SCOPE_TOPIC, "weather today")]
    rows = [wording.features(engine.analyzer.analyze(t)) for _, t in texts]
    dense = fit(rows, [topic for topic, _ in texts], epochs=20, seed=0)
    small = wording.sparse(dense)
    for x in rows:
        want, got = dense.proba(x), small.proba(x)
        assert max(abs(want[c] - got[c]) for c in want) < 0.05


def test_stored_model_round_trips_and_rejects_a_bad_row(engine: Engine) -> None:
    model = engine.matcher.words
    assert model is not None
    data = model.to_json()
    assert wording.WordModel.from_json(json.loads(json.dumps(data))) == model
    name = next(iter(data["rows"]))
    data["rows"][name] = [len(model.classes), 0.5]  # a topic index out of range
    with pytest.raises(ValueError, match=name):
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
