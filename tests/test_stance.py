import json
import os
from pathlib import Path

import numpy as np
import pytest

from factcheck.calibration import CALIBRATION_FILE, softmax
from factcheck.errors import ModelMissingError
from factcheck.stance import (
    DEFAULT_MODEL_DIR,
    LABELS,
    TRIAGE_SCORES,
    StanceModel,
    article_stance,
    load_stance_model,
    on_topic,
    scores_dict,
    stance_many,
)

ARTICLE = ("Mexico's homicide rate dropped sharply last year, the president said on Friday.\n"
           "Fentanyl seizures at the border also fell.\n"
           "The weather in the capital was mild.\n"
           "Officials praised joint cooperation with the United States.")


class CountingModel:
    """Supports every pair it is asked about, and remembers what it read."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    def scores(self, claims, texts):
        self.seen += list(zip(claims, texts, strict=True))
        return np.tile(np.array([0.7, 0.1, 0.1, 0.1], dtype=np.float32), (len(claims), 1))


def test_whole_article_reads_the_closest_sentences_in_order(fake_encoder):
    m = CountingModel()
    r = article_stance("Mexico's homicide rate dropped sharply", ARTICLE, fake_encoder, m, triage_similarity=0.1)
    assert r.label == "supports" and not r.triaged
    assert r.snippet.startswith("Mexico's homicide rate dropped sharply")
    assert "weather" not in r.snippet.lower() or r.snippet.count(".") == 3
    assert m.seen == [("Mexico's homicide rate dropped sharply", r.snippet)]


def test_triage_skips_the_cross_encoder(fake_encoder):
    m = CountingModel()
    r = article_stance("Canada launched a lunar rover", ARTICLE, fake_encoder, m, triage_similarity=0.5)
    assert r.triaged and r.label == "unrelated" and r.snippet == ""
    assert r.scores == pytest.approx(TRIAGE_SCORES) and m.seen == []


def test_many_pairs_encode_each_body_once_and_keep_order(fake_encoder):
    m = CountingModel()
    pairs = [("homicide rate dropped", ARTICLE), ("lunar rover launched", ARTICLE),
             ("fentanyl seizures fell", ARTICLE), ("homicide rate dropped", "A single sentence about homicide rate.")]
    res = stance_many(pairs, fake_encoder, m, triage_similarity=0.3)
    assert [r.triaged for r in res] == [False, True, False, False]
    # 4 sentences of the article + 1 single-sentence text, then 3 distinct claims
    assert fake_encoder.calls == 4 + 1 + 3
    assert res[3].snippet == "A single sentence about homicide rate."


def test_adjust_hook_reshapes_scored_pairs_only(fake_encoder):
    def flip(claim, snippet, p):
        return p[[1, 0, 2, 3]]

    res = stance_many([("homicide rate dropped", ARTICLE), ("lunar rover", ARTICLE)], fake_encoder, CountingModel(),
                      triage_similarity=0.3, adjust=flip)
    assert res[0].label == "conflicts" and res[1].label == "unrelated"


class UnrelatedModel:
    """Calls every pair unrelated, with a little neutral and support behind it."""

    def scores(self, claims, texts):
        return np.tile(np.array([0.15, 0.05, 0.2, 0.6], dtype=np.float32), (len(claims), 1))


def test_on_topic_floor_moves_unrelated_mass_in_proportion():
    p = np.array([0.15, 0.05, 0.2, 0.6], dtype=np.float32)
    assert on_topic(p, 0.4, 0.5) is p  # below the floor: untouched
    assert on_topic(p, 0.9, None) is p  # no floor set: untouched
    q = on_topic(p, 0.6, 0.5)
    assert LABELS[int(np.argmax(q))] == "neutral"
    assert q.sum() == pytest.approx(1.0, abs=1e-6)
    assert q[3] == pytest.approx(0.01)
    assert q[2] / q[0] == pytest.approx(0.2 / 0.15, rel=1e-5)  # the related labels keep their ratios


def test_on_topic_floor_applies_to_whole_articles(fake_encoder):
    pairs = [("homicide rate dropped", ARTICLE)]
    plain = stance_many(pairs, fake_encoder, UnrelatedModel(), triage_similarity=0.1)[0]
    floored = stance_many(pairs, fake_encoder, UnrelatedModel(), triage_similarity=0.1,
                          on_topic_similarity=plain.similarity - 0.01)[0]
    too_high = stance_many(pairs, fake_encoder, UnrelatedModel(), triage_similarity=0.1,
                           on_topic_similarity=plain.similarity + 0.01)[0]
    assert plain.label == "unrelated" and too_high.label == "unrelated"
    assert floored.label == "neutral"
    one = article_stance("homicide rate dropped", ARTICLE, fake_encoder, UnrelatedModel(), triage_similarity=0.1,
                         on_topic_similarity=plain.similarity - 0.01)
    assert one.label == "neutral"


def test_scores_dict_names_every_label():
    assert list(scores_dict([0.1, 0.2, 0.3, 0.4])) == list(LABELS)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelMissingError, match="train_stance.py"):
        load_stance_model(tmp_path)


class _Tok:
    """Tokenizer stand-in: one id per character so a longer pair is a longer sequence."""

    def __call__(self, claims, texts, **kw):
        import torch

        n = max(len(c) + len(t) for c, t in zip(claims, texts, strict=True))
        ids = torch.zeros((len(claims), n))
        for i, (c, t) in enumerate(zip(claims, texts, strict=True)):
            ids[i, : len(c) + len(t)] = 1
        return {"ids": ids}


class _Net:
    def __call__(self, ids):
        import torch

        length = ids.sum(dim=1, keepdim=True)
        out = torch.cat([length, -length, torch.zeros_like(length), torch.zeros_like(length)], dim=1)
        return type("Out", (), {"logits": out})()


def test_batched_by_length_but_returned_in_input_order():
    m = StanceModel(_Net(), _Tok(), temperature=2.0, batch_size=2)
    claims, texts = ["a", "bbbbbbbb", "cc", "d"], ["x", "y" * 10, "zz", "w" * 5]
    logits = m.logits(claims, texts)
    assert logits[:, 0].tolist() == [2, 18, 4, 6]
    p = m.scores(claims, texts)
    assert np.allclose(p, softmax(logits / 2.0)) and np.allclose(p.sum(axis=1), 1)
    assert m.scores([], []).shape == (0, 4)


def _model_dir() -> Path | None:
    env = os.environ.get("FACTCHECK_STANCE_MODEL")
    path = Path(env) if env else DEFAULT_MODEL_DIR
    return path if (path / "config.json").exists() else None


@pytest.mark.model
def test_real_model_loads_calibrated_and_separates_stances():
    path = _model_dir()
    if path is None:
        pytest.fail(f"no trained stance model in {DEFAULT_MODEL_DIR}: run scripts/train_stance.py")
    m = load_stance_model(path)
    cal = path / CALIBRATION_FILE
    if cal.exists():
        assert m.temperature == pytest.approx(json.loads(cal.read_text())["temperature"])
    claim = "The homicide rate in Mexico dropped significantly"
    # plain statements: with "officials said" the model reads reporting as neutral (FNC-1's "discuss")
    p = m.scores([claim] * 3, ["Mexico's homicide rate fell sharply this year.",
                               "Mexico's homicide rate did not fall; it rose this year, officials said.",
                               "The football team won the cup final on Sunday."])
    assert np.allclose(p.sum(axis=1), 1, atol=1e-4)
    # the raw cross-encoder reads "did not fall; it rose" as close to agreement (a known weakness of a
    # 6-layer model); the product applies the mismatch rule (direction words), which must flip it
    from factcheck.mismatch import adjust_pair

    rose = "Mexico's homicide rate rose sharply this year."
    q1 = adjust_pair(claim, rose, m.scores([claim], [rose])[0])
    assert p[0, 0] > p[0, 1] and q1[1] > p[0, 1]
    # off-topic text is the triage's job (the cross-encoder alone is unreliable there): cosine below the threshold
    from factcheck.embed import load_encoder
    from factcheck.settings import Settings

    v = load_encoder().encode([claim, "The football team won the cup final on Sunday."])
    assert float(v[0] @ v[1]) < Settings().triage_similarity
    long = m.scores(["Mexico " * 2000], ["Mexico's homicide rate fell."])  # real tokenizer, overlong claim
    assert long.shape == (1, 4) and np.isfinite(long).all()


def test_article_as_sentences_with_vectors_skips_encoding(fake_encoder):
    sents = ARTICLE.split("\n")
    vecs = fake_encoder.encode(sents)
    cv = fake_encoder.encode(["homicide rate dropped"])[0]
    calls = fake_encoder.calls
    r = article_stance("homicide rate dropped", sents, fake_encoder, CountingModel(), triage_similarity=0.1,
                       sentence_vecs=vecs, claim_vec=cv)
    assert fake_encoder.calls == calls and r.label == "supports" and r.snippet.startswith("Mexico's")
    far = article_stance("lunar rover", sents, fake_encoder, CountingModel(), triage_similarity=0.5,
                         sentence_vecs=vecs)
    assert far.triaged and far.label == "unrelated"


class _StrictTok(_Tok):
    """Refuses only_second truncation when the claim alone is too long, as the real fast tokenizer does."""

    def __call__(self, claims, texts, truncation=None, **kw):
        if truncation == "only_second" and max(len(c) for c in claims) > 100:
            raise Exception("Truncation error: Sequence to truncate too short to respect the provided max_length")
        return super().__call__(claims, texts)


def test_overlong_claim_is_cut_not_an_error():
    m = StanceModel(_Net(), _StrictTok(), batch_size=4)
    logits = m.logits(["x" * 10_000, "short"], ["evidence", "evidence"])
    assert logits[0, 0] == 400 + len("evidence") and logits[1, 0] == len("short") + len("evidence")
