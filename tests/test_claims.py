"""Check-worthiness scorer: numpy forward pass, safe loading, lexical cues, and the real model's ranking."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from factcheck import claims
from factcheck.claims import LEXICAL_FEATURES, CheckworthyModel, lexical_features, load_model
from factcheck.errors import FactcheckError, ModelMissingError

DIM = 8


class FakeEncoder:
    """Deterministic unit vectors from the text's bytes: no model download in unit tests."""

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for j, b in enumerate(t.encode()):
                out[i, j % self.dim] += b
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def _toy_data(n: int = 120, width: int = DIM + len(LEXICAL_FEATURES)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(n, width))
    y = (x[:, 0] + 0.5 * x[:, 3] + rng.normal(0, 1, n) > 2.5).astype(int)
    return x, y


def _wrap(mean: np.ndarray, scale: np.ndarray, layers: tuple[tuple[np.ndarray, np.ndarray], ...]) -> CheckworthyModel:
    return CheckworthyModel(encoder="fake", embed_dim=DIM, lexical=LEXICAL_FEATURES, mean=mean, scale=scale,
                            layers=layers)


def test_forward_pass_matches_sklearn_logistic_regression() -> None:
    from sklearn.linear_model import LogisticRegression

    x, y = _toy_data()
    mean, scale = x.mean(0), x.std(0)
    lr = LogisticRegression(C=0.5, class_weight="balanced").fit((x - mean) / scale, y)
    model = _wrap(mean, scale, ((lr.coef_.T, lr.intercept_),))
    np.testing.assert_allclose(model.predict(x), lr.predict_proba((x - mean) / scale)[:, 1], rtol=1e-9, atol=1e-12)


def test_forward_pass_matches_sklearn_mlp() -> None:
    from sklearn.neural_network import MLPClassifier

    x, y = _toy_data()
    mean, scale = x.mean(0), x.std(0)
    mlp = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=500, random_state=0)
    mlp.fit((x - mean) / scale, y)
    model = _wrap(mean, scale, tuple(zip(mlp.coefs_, mlp.intercepts_, strict=True)))
    np.testing.assert_allclose(model.predict(x), mlp.predict_proba((x - mean) / scale)[:, 1], rtol=1e-7, atol=1e-10)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    x, _ = _toy_data()
    rng = np.random.default_rng(1)
    model = _wrap(x.mean(0), x.std(0), ((rng.normal(size=(x.shape[1], 4)), rng.normal(size=4)),
                                         (rng.normal(size=(4, 1)), rng.normal(size=1))))
    model.save(tmp_path, card={"note": "toy"})
    loaded = load_model(tmp_path)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x))
    assert json.loads((tmp_path / "spec.json").read_text())["card"] == {"note": "toy"}


def test_missing_model_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="missing"):
        load_model(tmp_path)


def test_model_with_other_features_is_refused(tmp_path: Path) -> None:
    x, _ = _toy_data()
    _wrap(x.mean(0), x.std(0), ((np.ones((x.shape[1], 1)), np.zeros(1)),)).save(tmp_path, card={})
    spec = json.loads((tmp_path / "spec.json").read_text())
    spec["lexical"] = spec["lexical"][:-1]
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    with pytest.raises(ModelMissingError, match="another version"):
        load_model(tmp_path)


def test_pickled_arrays_are_never_loaded(tmp_path: Path) -> None:
    x, _ = _toy_data()
    _wrap(x.mean(0), x.std(0), ((np.ones((x.shape[1], 1)), np.zeros(1)),)).save(tmp_path, card={})
    # an object array can only be read by unpickling: the loader must refuse it, not run it
    np.savez(tmp_path / "model.npz", mean=np.array([object()], dtype=object), scale=x.std(0),
             w0=np.ones((x.shape[1], 1)), b0=np.zeros(1))
    with pytest.raises(ModelMissingError, match="damaged"):
        load_model(tmp_path)


def test_lexical_features_see_figures_money_magnitudes_and_questions() -> None:
    f = lexical_features(["Unemployment fell to 4.1% in 2019, the Labor Department said.",
                          "What do you think?", "Thank you.", "It cost $40 million, twice the budget."])
    col = {name: f[:, i] for i, name in enumerate(LEXICAL_FEATURES)}
    assert f.shape == (4, len(LEXICAL_FEATURES)) and f.dtype == np.float32
    assert col["number"].tolist() == pytest.approx([np.log1p(6), 0, 0, np.log1p(2)])  # each digit counts
    assert (col["money"] > 0).tolist() == [False, False, False, True]
    assert col["money"][3] == pytest.approx(np.log1p(2))  # "$" and "budget"
    assert col["magnitude"][3] == pytest.approx(np.log1p(2))  # "million", "twice"
    assert col["question"].tolist() == [0, 1, 0, 0]
    assert col["log_words"].tolist() == pytest.approx(np.log1p([10, 4, 2, 7]).tolist())


def test_the_past_tense_is_a_regular_ending_not_a_double_e() -> None:
    f = lexical_features(["The two ministers issued a joint statement after they talked by phone.",
                          "This is a very worrying situation, and I agreed to need it."])
    col = {name: f[:, i] for i, name in enumerate(LEXICAL_FEATURES)}
    assert col["past_tense"][0] == pytest.approx(np.log1p(2))  # "issued", "talked"
    assert col["past_tense"][1] == 0  # "agreed", "need": a double e is not the past-tense ending


def test_a_quoted_question_is_a_report_not_the_writers_question() -> None:
    f = lexical_features(["Officials asked “will we?” on Friday.", "Will we?"])
    assert f[:, LEXICAL_FEATURES.index("question")].tolist() == [0, 1]


def _toy_model() -> CheckworthyModel:
    width = DIM + len(LEXICAL_FEATURES)
    w = np.zeros((width, 1))
    w[DIM + LEXICAL_FEATURES.index("number"), 0] = 3.0  # "figures make a claim"
    return _wrap(np.zeros(width), np.ones(width), ((w, np.array([-1.0])),))


def test_score_uses_the_encoder_and_model_given() -> None:
    s = claims.score(["It cost 40 million dollars.", "Nice.", "   "], encoder=FakeEncoder(), model=_toy_model())
    assert s.shape == (3,) and s.dtype == np.float64
    assert s[0] > 0.5 > s[1] and s[2] == 0.0  # blank text is never a claim
    assert claims.score([], encoder=FakeEncoder(), model=_toy_model()).shape == (0,)


class FakeCross:
    """A context scorer that records what it read: 0.9 for a sentence after a figure, else 0.1."""

    weight = 0.25

    def __init__(self) -> None:
        self.read: list[tuple[str, str]] = []

    def probabilities(self, contexts: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        self.read += list(zip(contexts, texts, strict=True))
        return np.array([0.9 if any(ch.isdigit() for ch in c) else 0.1 for c in contexts])


def test_a_context_scorer_reads_each_sentence_after_the_one_before_and_is_averaged_in() -> None:
    texts = ["It cost 40 million dollars.", "Nice.", "  ", "We agree.", "Prices rose…"]
    alone = claims.score(texts, encoder=FakeEncoder(), model=_toy_model())
    cross = FakeCross()
    both = claims.score(texts, encoder=FakeEncoder(), model=_toy_model(), cross=cross)
    # no contexts given: each is read alone, so its score does not depend on what else was scored with it
    assert cross.read == [("", texts[0]), ("", "Nice."), ("", "We agree."), ("", "Prices rose…")]
    np.testing.assert_allclose(both[[0, 1, 3]], 0.25 * 0.1 + 0.75 * alone[[0, 1, 3]])
    assert both[2] == 0.0 and both[4] <= claims.CUT_SCORE_MAX  # blank stays 0, a cut sentence stays capped
    given = FakeCross()
    with_ctx = claims.score(texts, encoder=FakeEncoder(), model=_toy_model(), cross=given,
                            contexts=["", texts[0], "", " ", "We agree."])
    assert given.read == [("", texts[0]), (texts[0], "Nice."), ("", "We agree."), ("We agree.", "Prices rose…")]
    np.testing.assert_allclose(with_ctx[1], 0.25 * 0.9 + 0.75 * alone[1])
    with pytest.raises(FactcheckError, match="1 contexts for 2 sentences"):
        claims.score(texts[:2], encoder=FakeEncoder(), model=_toy_model(), cross=given, contexts=[""])


def test_no_cross_encoder_where_none_ships_and_a_damaged_one_is_refused(tmp_path: Path) -> None:
    assert claims.load_cross(tmp_path) is None  # the embedding model then scores alone
    (tmp_path / claims.CROSS_SPEC).write_text(json.dumps({"max_length": 96}), encoding="utf-8")
    with pytest.raises(ModelMissingError, match="cross-encoder .* is damaged"):
        claims.load_cross(tmp_path)


@pytest.mark.model
def test_shipped_score_is_the_average_of_both_parts() -> None:
    cross = claims.load_cross()
    assert cross is not None and 0 < cross.weight < 1
    texts = ["Unemployment fell to 3.7 percent in 2018.", "I think that is great."]
    from factcheck.embed import load_encoder

    enc = load_encoder()
    alone = claims.score(texts, encoder=enc, model=claims._shipped_model())
    p = cross.probabilities(["", ""], texts)
    np.testing.assert_allclose(claims.score(texts, encoder=enc), cross.weight * p + (1 - cross.weight) * alone,
                               atol=1e-6)


@pytest.mark.model
@pytest.mark.parametrize("flag", ["1", "0"])
def test_the_cross_encoder_computes_in_bf16_with_its_weights_cast_once_and_scores_barely_move(
        flag: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    texts = ["Unemployment fell to 3.7 percent in 2018.", "I think that is great.", "Thanks for having me.",
             "The senator said on Friday that the bill passed 52 to 48."]
    monkeypatch.setenv("FACTCHECK_CHECKWORTHY_BF16", "0")
    fp32 = claims.load_cross()
    monkeypatch.setenv("FACTCHECK_CHECKWORTHY_BF16", flag)
    cross = claims.load_cross()
    assert fp32 is not None and cross is not None and cross.bf16 == (flag == "1")
    # bf16: cast at load, not by autocast over float32 weights on every call; float32 stays float32
    assert {p.dtype for p in cross.model.parameters()} == {torch.bfloat16 if flag == "1" else torch.float32}
    got, want = cross.probabilities([""] * 4, texts), fp32.probabilities([""] * 4, texts)
    assert got.dtype == np.float64 and np.abs(got - want).max() < 0.02  # bench --speed: at most 0.013 on news
    # the order holds wherever float32 tells two sentences apart by more than bf16's wobble (two chit-chat
    # lines may tie at 0.046)
    assert all(got[i] > got[j] for i in range(4) for j in range(4) if want[i] - want[j] > 0.02)


def test_ingest_through_the_facade_embeds_each_sentence_once(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The scorer reads its vectors through the facade's encoder, the store's cache, where the index then finds
    them: one embedding per passage, not one for scoring and another for the index."""
    from conftest import FakeEncoder as BagOfWords

    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    class Recording(BagOfWords):
        def __init__(self) -> None:
            super().__init__(dim=384, name="recording")
            self.seen: list[str] = []

        def encode(self, texts: Sequence[str], **kw: Any) -> np.ndarray:
            self.seen += list(texts)
            return super().encode(texts, **kw)

    inner = Recording()
    monkeypatch.setattr("factcheck.embed.load_encoder", lambda device="cpu": inner)
    cross = FakeCross()
    monkeypatch.setattr(claims, "_shipped_cross", lambda: cross)
    fc = Factcheck(Settings(store_dir=tmp_path / "store"))
    body = ["Mexico raised tariffs on steel by 25 percent on Monday.", "Officials said exports fell in 2024.",
            "Critics called the move reckless."]
    assert fc.ingest_text(" ".join(body), source="wire", title="Tariffs").status == "added"
    assert [t for _, t in cross.read] == body  # scored with the shipped scorer, through the facade's encoder
    assert set(body) <= set(inner.seen) and len(inner.seen) == len(set(inner.seen))  # each embedded once
    assert fc.search(body[1], k=3, min_similarity=0.5)[0].text == body[1]  # and the index holds them


def test_score_refuses_a_wrong_encoder_and_a_bare_string() -> None:
    with pytest.raises(ModelMissingError, match="expects 8 dimensions"):
        claims.score(["A sentence."], encoder=FakeEncoder(dim=5), model=_toy_model())
    with pytest.raises(FactcheckError, match="list of sentences"):
        claims.score("A sentence.", encoder=FakeEncoder(), model=_toy_model())


def test_shipped_model_loads_and_fits_minilm() -> None:
    model = load_model()
    assert model.embed_dim == 384 and model.lexical == LEXICAL_FEATURES
    s = claims.score(["Taxes rose by 3% in 2018.", "Hello!"], encoder=FakeEncoder(dim=384), model=model)
    assert ((s >= 0) & (s <= 1)).all()


# --- the real scorer --------------------------------------------------------------------------------

# The seed articles' real claims, one sentence per fact and outlet. They are the acceptance check only:
# never training data (the scorer is trained on CLEF debates + FNC-1/Emergent/ARC, scripts/train_checkworthy.py).
SEED_FACTS = {
    "compelling results (000)": "Mexico City, January 17, 2026 – The Europe Today: Mexican President Claudia Sheinbaum "
    "said on Friday that her government’s initiatives to curb the power of drug cartels and reduce migration toward "
    "the United States are producing “compelling results,” as diplomatic tensions rise after threats of U.S. "
    "intervention.",
    "compelling results (001)": "Mexican President Claudia Sheinbaum announced Friday that joint efforts to combat "
    "drug cartels and reduce northward migration are yielding “compelling results,” in what appears to be a "
    "diplomatic effort to counter recent intervention threats from the Trump administration.",
    "Rubio–de la Fuente (000)": "In an apparent diplomatic effort to manage these tensions, U.S. Secretary of State "
    "Marco Rubio and Mexican Foreign Secretary Juan Ramón de la Fuente issued a joint statement Thursday night after "
    "a bilateral phone call underscoring the need for continued cooperative efforts to confront shared security "
    "challenges.",
    "Rubio–de la Fuente (001)": "The officials released a joint statement acknowledging that “more must be done to "
    "confront shared threats,” suggesting ongoing diplomatic efforts to address security concerns collaboratively.",
    "Rubio–de la Fuente call (001)": "The Mexican president’s comments followed Thursday night’s conversation between "
    "U.S. Secretary of State Marco Rubio and Mexican Foreign Secretary Juan Ramón de la Fuente.",
    "fentanyl seizures (000)": "Addressing the media in her morning press briefing, President Sheinbaum highlighted a "
    "significant drop in homicide rates, a sharp decrease in fentanyl seizures by U.S. authorities along the border, "
    "and lower migration figures as indicators of progress under Mexico’s security strategy—largely coordinated with "
    "U.S. counterparts.",
    "fentanyl seizures (001)": "She cited significant progress in anti-cartel operations, pointing to a substantial "
    "decrease in Mexico’s homicide rate, reduced fentanyl seizures by U.S. authorities at the border, and diminished "
    "migration flows.",
    "phone call (000)": "Sheinbaum also spoke with President Trump by phone earlier this week, describing the "
    "conversation as “very good” and affirming Mexico’s stance that foreign military intervention is unnecessary, "
    "given the ongoing bilateral cooperation on security issues.",
    "phone call (001)": "Sheinbaum revealed she had spoken directly with Trump by phone on Monday, during which she "
    "reiterated Mexico’s position that U.S. military intervention in the country is unnecessary.",
}
SEED_PAGE_CHROME = [
    "Discover, Engage & Empower",
    "Listen to the article",
    "Fact Checker",
    "Verify the accuracy of this article using The Disinformation Commission analysis and real-time sources.",
]
SEED_COMMENTS = [
    "The threat of U.S. military action against drug cartels in Mexico is extremely worrying.",
    "Unilateral intervention would be a huge violation of Mexican sovereignty and could spark major regional "
    "instability.",
    "I hope cooler heads prevail and the two countries can work together constructively.",
    "Agreed, military action by the U.S. in Mexico would be a massive escalation with unpredictable consequences.",
    "Focusing on shared security goals and strengthening cross-border cooperation seems like the best path forward.",
    "I hope the two governments can find a way to work together effectively without resorting to force.",
    "Diplomatic solutions should be the priority here.",
    "It’s good to see the Mexican president highlighting the progress made in combating the cartels.",
    "Maintaining open communication and focusing on shared security goals will be crucial.",
]



@pytest.mark.model
def test_real_scorer_puts_seed_facts_above_threshold_and_chatter_below() -> None:
    from factcheck.settings import Settings

    threshold = Settings().claim_threshold
    facts = dict(zip(SEED_FACTS, claims.score(list(SEED_FACTS.values())), strict=True))
    chrome = dict(zip(SEED_PAGE_CHROME, claims.score(SEED_PAGE_CHROME), strict=True))
    comments = dict(zip(SEED_COMMENTS, claims.score(SEED_COMMENTS), strict=True))
    # every fact, the Rubio–de la Fuente joint statement of both outlets included, is a claim
    assert all(s >= threshold for s in facts.values()), facts
    assert all(s < threshold for s in chrome.values()), chrome
    assert all(s < threshold for s in comments.values()), comments


@pytest.mark.model
def test_real_scorer_ranks_a_factual_sentence_above_opinion_and_question() -> None:
    s = claims.score(["The unemployment rate fell to 3.7 percent last year, the lowest since 1969.",
                      "I think we need to do better for our children.",
                      "What would you do about health care, Senator?"])
    assert s[0] > s[1] and s[0] > s[2]


@pytest.mark.parametrize(("text", "cut"), [
    ("The stopgap sustains federal agencies’ existing spending until December 3,...", True),  # an excerpt's cut
    ("“This deal signals to...", True),
    ("The bill included language to raise…", True),
    ("Lawmakers approved the measure on Thursday [...]", True),  # a feed summary's mark
    ("Biden must sign the bill before midnight to avoid a partial government shutdown....", False),  # whole
    ("He said “we will win the vote...”", False),  # a quote trailing off is what was said
    ("Wait... the index rose 3% on Monday.", False),
    ("Prices rose 3% in 2018.", False),
])
def test_a_sentence_cut_mid_way_is_told_from_a_whole_one(text: str, cut: bool) -> None:
    assert claims.is_cut(text) is cut


def test_a_cut_sentence_scores_below_any_claim_threshold_and_the_rest_are_untouched() -> None:
    whole = "It cost 40 million dollars to build the bridge over the river"
    texts = [whole + ".", whole + "...", whole + ",…"]
    s = claims.score(texts, encoder=FakeEncoder(), model=_toy_model())
    raw = claims.score([whole + "."], encoder=FakeEncoder(), model=_toy_model())
    assert s[0] == raw[0] and s[0] > claims.CUT_SCORE_MAX  # the toy model scores the figure high
    assert s[1] <= claims.CUT_SCORE_MAX and s[2] <= claims.CUT_SCORE_MAX


@pytest.mark.model
def test_truncated_cross_encoder_weights_are_refused_saying_so(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(claims.CROSS_DIR, tmp_path / "cross")
    weights = tmp_path / "cross" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:4096])  # a download or a copy cut short
    with pytest.raises(ModelMissingError, match="cross-encoder .* is damaged"):  # was safetensors' own error
        claims.load_cross(tmp_path / "cross")
