"""Check-worthiness: how much a sentence is worth fact-checking, as a score in [0, 1].

Factual, verifiable assertions (figures, events, attributed statements) score high; opinion,
questions, greetings and page boilerplate score low. The model is a small classifier over a
MiniLM sentence embedding plus cheap lexical cues, trained by scripts/train_checkworthy.py on
the CLEF-2019 CheckThat! debates and news sentences (attributed statements and events vs reader
comments and page chrome): the debates alone teach that talk of statements and phone calls is
turn-taking, which in a news article it is not. Its weights ship as plain arrays (.npz read with
allow_pickle=False) and a JSON spec, and the forward pass is numpy: a swapped model file can
give wrong scores, never run code.

Beside it ships a MiniLM cross-encoder fine-tuned by scripts/train_checkworthy_finetune.py (safetensors, no
pickle) that reads each sentence after its context (the sentence before it, where the caller gives it); the
score is the average of the two probabilities,
the cross-encoder's share in its spec (models/checkworthy/cross/factcheck_checkworthy.json). The average beat
either model alone on debates held out of tuning (figures in models/checkworthy/MODEL_CARD.md).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from factcheck import lexicon as lx
from factcheck.errors import FactcheckError, ModelMissingError
from factcheck.lexicon import alternation

if TYPE_CHECKING:
    from factcheck.embed import Encoder

MODEL_DIR = Path(__file__).resolve().parent / "models" / "checkworthy"
CROSS_DIR = MODEL_DIR / "cross"
CROSS_SPEC = "factcheck_checkworthy.json"
FORMAT = "factcheck-checkworthy/1"
# A sentence cut off mid-way ("... with language to raise...", "December 3,...", "[…]"): excerpts, RSS and JSON
# feed summaries end so. It cannot be checked as it stands, so it scores at most this, below any claim threshold
# a reader would set. Not cut: a whole sentence with a cut mark after its full stop ("shutdown...."), and a quote
# that trails off inside its quotation marks ("we will win...”: what was said, checkable as said).
CUT_SCORE_MAX = 0.1
_CUT = re.compile(r"(?<![.!?])(?:\.{3}|…)$|\[(?:\.{3}|…)\]$")


# What ingest scores passages with: `score` itself, or a fake in tests (texts -> one float in [0, 1] each).
CheckworthyScorer = Callable[[Sequence[str]], np.ndarray]


class ContextModel(Protocol):
    """Check-worthiness of each sentence read after its context (the sentence before it)."""

    weight: float  # its share in the average with the embedding model's probability

    def probabilities(self, contexts: Sequence[str], texts: Sequence[str]) -> np.ndarray: ...


# --- lexical cues -------------------------------------------------------------------------------
# What a sentence embedding blurs and the debates reward: whether a sentence carries a checkable figure or reports
# a past event, how long it is, and whether it asks rather than states. Each cue kept earns its place: left out of
# the six, each lowers MAP on debates the fit did not see (bench/checkworthy.py --cues, the model card's table);
# the 25 others of earlier releases (chatter, page talk, the writer's voice, dates, names) did not, the
# cross-encoder covering the news they were written for. Their words are factcheck.lexicon's CUE_* lists, frozen:
# the shipped model's weights were learnt on them.

_I = re.IGNORECASE


def _words(words: Iterable[str]) -> str:
    return r"\b(" + alternation(words) + r")\b"


_CUES: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"\d"),
    "money": re.compile(r"[$€£¥]|" + _words(lx.CUE_MONEY), _I),
    "magnitude": re.compile(_words(lx.CUE_MAGNITUDES), _I),
    # news reports an event in the past tense; regular verbs say so by their ending ("issued", "released";
    # not "need", "agreed": a double e is rarely a past tense)
    "past_tense": re.compile(r"\b[a-z]+[^e\W]ed\b"),
}
# a question is read outside quotation marks: a reported question ("he asked “why now?”") is still a report
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")

LEXICAL_FEATURES: tuple[str, ...] = (
    *_CUES,
    "log_words",
    "question",
)


def lexical_features(texts: Sequence[str]) -> np.ndarray:
    """(n, len(LEXICAL_FEATURES)) float32: log1p of cue counts, of the word count, and a question flag."""
    out = np.zeros((len(texts), len(LEXICAL_FEATURES)), dtype=np.float32)
    for i, text in enumerate(texts):
        row = [float(np.log1p(len(p.findall(text)))) for p in _CUES.values()]
        row += [float(np.log1p(len(_WORD.findall(text)))), float("?" in _QUOTED.sub(" ", text))]
        out[i] = row
    return out


# --- the model ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckworthyModel:
    """Standardise [embedding | lexical], then dense layers (ReLU between), sigmoid on the last."""

    encoder: str
    embed_dim: int
    lexical: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]

    def predict(self, features: np.ndarray) -> np.ndarray:
        x = (np.asarray(features, dtype=np.float64) - self.mean) / self.scale
        for k, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if k < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        z = np.clip(x[:, 0], -40.0, 40.0)  # sigmoid without overflow warnings
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, directory: Path, *, card: dict[str, object]) -> None:
        """Write model.npz (arrays only) and spec.json (what the arrays mean, plus a model card)."""
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {"mean": self.mean, "scale": self.scale}
        for k, (w, b) in enumerate(self.layers):
            arrays[f"w{k}"], arrays[f"b{k}"] = w, b
        np.savez(directory / "model.npz", **arrays)  # type: ignore[arg-type]
        spec = {"format": FORMAT, "encoder": self.encoder, "embed_dim": self.embed_dim,
                "lexical": list(self.lexical), "n_layers": len(self.layers), "card": card}
        (directory / "spec.json").write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_model(directory: Path = MODEL_DIR) -> CheckworthyModel:
    """Read a model written by CheckworthyModel.save; refuse one that does not fit this code."""
    spec_path, npz_path = directory / "spec.json", directory / "model.npz"
    if not spec_path.is_file() or not npz_path.is_file():
        raise ModelMissingError(f"the check-worthiness model is missing from {directory}; reinstall factcheck or "
                                "retrain it with scripts/train_checkworthy.py")
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        with np.load(npz_path, allow_pickle=False) as z:
            arrays = {k: np.asarray(z[k], dtype=np.float64) for k in z.files}
        layers = tuple((arrays[f"w{k}"], arrays[f"b{k}"]) for k in range(int(spec["n_layers"])))
        model = CheckworthyModel(encoder=str(spec["encoder"]), embed_dim=int(spec["embed_dim"]),
                                 lexical=tuple(spec["lexical"]), mean=arrays["mean"], scale=arrays["scale"],
                                 layers=layers)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelMissingError(f"the check-worthiness model in {directory} is damaged ({e}); reinstall factcheck "
                                "or retrain it with scripts/train_checkworthy.py") from e
    if spec.get("format") != FORMAT or model.lexical != LEXICAL_FEATURES:
        raise ModelMissingError(f"the check-worthiness model in {directory} was built for another version of "
                                "factcheck; retrain it with scripts/train_checkworthy.py")
    width = model.embed_dim + len(model.lexical)
    if model.mean.shape != (width,) or model.scale.shape != (width,) or model.layers[0][0].shape[0] != width \
            or model.layers[-1][0].shape[1] != 1:
        raise ModelMissingError(f"the check-worthiness model in {directory} has inconsistent shapes; retrain it "
                                "with scripts/train_checkworthy.py")
    return model


@lru_cache(maxsize=1)
def _shipped_model() -> CheckworthyModel:
    return load_model(MODEL_DIR)


def features(texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
    """The model's input: sentence vectors beside their lexical cues."""
    return np.hstack([np.asarray(vectors, dtype=np.float32), lexical_features(texts)])


def score(texts: Sequence[str], *, encoder: Encoder | None = None,
          model: CheckworthyModel | None = None, cross: ContextModel | None = None,
          contexts: Sequence[str] | None = None) -> np.ndarray:
    """Check-worthiness of each text, float64 in [0, 1]; blank texts score 0.

    The cross-encoder reads each text after its context, `contexts[i]` (the sentence before it in its article),
    or after nothing when no contexts are given: the texts of one call are not always one passage (ingest scores
    several articles at once, the CLI slices its input), and a score must not depend on what else was scored
    with it. Without context it reads news as it was trained on news, and on the labelled news scored as well
    (AP 0.950 vs 0.946 with each sentence's own previous one). With the shipped model (no `model` given) the
    shipped cross-encoder joins in; with a `model` given, only `cross`."""
    if isinstance(texts, str):
        raise FactcheckError("claims.score takes a list of sentences, not one string")
    texts = list(texts)
    if contexts is not None and len(contexts) != len(texts):
        raise FactcheckError(f"claims.score got {len(contexts)} contexts for {len(texts)} sentences")
    out = np.zeros(len(texts), dtype=np.float64)
    keep = [i for i, t in enumerate(texts) if t.strip()]
    if not keep:
        return out
    if model is None:
        model, cross = _shipped_model(), cross or _shipped_cross()
    if encoder is None:
        from factcheck.embed import load_encoder

        encoder = load_encoder()
    kept = [texts[i] for i in keep]
    vectors = np.asarray(encoder.encode(kept), dtype=np.float32)
    if vectors.shape != (len(kept), model.embed_dim):
        raise ModelMissingError(f"the encoder gives vectors of shape {vectors.shape[1:]}, the check-worthiness "
                                f"model expects {model.embed_dim} dimensions from {model.encoder}")
    p = model.predict(features(kept, vectors))
    if cross is not None:
        ctx = [contexts[i].strip() if contexts is not None else "" for i in keep]
        p = cross.weight * np.asarray(cross.probabilities(ctx, kept), dtype=np.float64) + (1 - cross.weight) * p
    out[keep] = p
    cut = [i for i in keep if is_cut(texts[i])]
    out[cut] = np.minimum(out[cut], CUT_SCORE_MAX)
    return out


class CrossEncoder:
    """The fine-tuned MiniLM over (context, sentence) pairs, one logit; torch is imported when it loads."""

    def __init__(self, model: Any, tokenizer: Any, *, weight: float, max_length: int, bf16: bool,
                 batch_size: int = 64) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.weight, self.max_length, self.bf16, self.batch_size = float(weight), max_length, bf16, batch_size

    def probabilities(self, contexts: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        import torch

        from factcheck.verify import pair_logits

        logits = pair_logits(self.model, self.tokenizer, contexts, texts, width=1, max_length=self.max_length,
                             batch_size=self.batch_size, bf16=self.bf16)
        return torch.sigmoid(torch.from_numpy(logits[:, 0])).numpy().astype(np.float64)


def load_cross(directory: Path = CROSS_DIR) -> CrossEncoder | None:
    """The cross-encoder at `directory`, or None where none ships (the embedding model then scores alone)."""
    spec_path = directory / CROSS_SPEC
    if not spec_path.is_file():
        return None

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from factcheck.precision import wants_bf16

    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        weight, max_length = float(spec["weight"]), int(spec["max_length"])
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            # trained in bfloat16 autocast; float32 where the CPU has no bf16 units (slower, same ranking)
            model = AutoModelForSequenceClassification.from_pretrained(str(directory), dtype=torch.float32)
        finally:
            hf_logging.set_verbosity(verbosity)
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
    except Exception as e:  # noqa: BLE001 - truncated weights raise safetensors' own error, not an OSError
        raise ModelMissingError(f"the check-worthiness cross-encoder in {directory} is damaged ({e}); reinstall "
                                "factcheck or retrain it with scripts/train_checkworthy_finetune.py") from e
    model.eval()
    bf16 = wants_bf16("FACTCHECK_CHECKWORTHY_BF16")
    if bf16:
        # the weights cast to bf16 once, here, rather than by autocast on each call (which also casts every
        # activation back and forth): faster, and scores move by thousandths (bench/checkworthy.py --speed)
        model = model.to(torch.bfloat16)
    return CrossEncoder(model, tokenizer, weight=weight, max_length=max_length, bf16=bf16)


@lru_cache(maxsize=1)
def _shipped_cross() -> CrossEncoder | None:
    return load_cross(CROSS_DIR)


def is_cut(text: str) -> bool:
    """Does this sentence stop mid-way, at an ellipsis that ends no sentence (an excerpt's cut)?"""
    return bool(_CUT.search(text.rstrip()))
