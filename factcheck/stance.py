"""Stance: what a passage or an article says about a claim — supports, conflicts, neutral or unrelated.

The model is a MiniLM-L6 cross-encoder fine-tuned by scripts/train_stance.py on (claim, snippet)
pairs. For a whole article the snippet is built exactly as in training (factcheck.snippet): the
body's sentences closest to the claim, as many as it was trained on, in body order. Probabilities
are calibrated with one temperature fitted on held-apart pairs (bench/stance.py calibrate) and stored as JSON beside the
weights — never pickle.

Cheap triage comes first: when no body sentence reaches `triage_similarity` cosine with the claim,
the pair is "unrelated" without running the cross-encoder (tuned on FNC-1 train to keep ≥ 99% of
related pairs; see MODEL_CARD.md).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from factcheck.calibration import read_json, softmax, temperature
from factcheck.errors import ModelMissingError
from factcheck.hashes import text_hash
from factcheck.labels import STANCES, Stance, StanceProbabilities
from factcheck.progress import Progress
from factcheck.snippet import SNIPPET_SENTENCES, select_snippet, split_body

if TYPE_CHECKING:
    from factcheck.embed import Encoder

LABELS = STANCES  # the model's output columns
UNRELATED = LABELS.index(Stance.UNRELATED)
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "stance"
MAX_LENGTH = 128  # tokens: train_stance.py's default; factcheck_stance.json overrides it
MAX_CLAIM_CHARS = 400  # training claims are headlines; a longer claim is cut so evidence still fits
# scores given to a pair triage dropped: on FNC-1 train about 1% of pairs below the threshold are related
TRIAGE_SCORES = StanceProbabilities(supports=0.004, conflicts=0.003, neutral=0.003, unrelated=0.99)
ON_TOPIC_UNRELATED = 0.01  # what "unrelated" keeps on a pair above the on-topic floor


class StanceScorer(Protocol):
    """What article stance needs from a stance model (StanceModel): calibrated (n, 4) probabilities in LABELS
    order, one row per (claim, text) pair; tests pass a fake with fixed probabilities."""

    def scores(self, claims: Sequence[str], texts: Sequence[str]) -> np.ndarray: ...


def label_of(row: np.ndarray | Sequence[float]) -> Stance:
    return LABELS[int(np.argmax(row))]


def scores_dict(row: np.ndarray | Sequence[float]) -> dict[str, float]:
    return {lab: round(float(p), 4) for lab, p in zip(LABELS, row, strict=True)}


class StanceModel:
    """The cross-encoder plus its temperature. `scores` returns calibrated (n, 4) probabilities."""

    def __init__(self, model: Any, tokenizer: Any, *, temperature: float = 1.0, max_length: int = MAX_LENGTH,
                 snippet_sentences: int = SNIPPET_SENTENCES, refutation_cue: bool = False, batch_size: int = 32,
                 path: Path | None = None) -> None:
        self.model = model
        self.snippet_sentences = snippet_sentences
        self.refutation_cue = refutation_cue
        self.tokenizer = tokenizer
        self.temperature = float(temperature)
        self.max_length = max_length
        self.batch_size = batch_size
        self.path = path

    def logits(self, claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Raw logits, (n, 4). Pairs are batched by length so little is spent on padding."""
        import torch

        if len(claims) != len(texts):
            raise ValueError(f"{len(claims)} claims but {len(texts)} texts")
        out = np.zeros((len(claims), len(LABELS)), dtype=np.float32)
        order = sorted(range(len(claims)), key=lambda i: len(claims[i]) + len(texts[i]))
        with torch.inference_mode():
            for s in range(0, len(order), self.batch_size):
                idx = order[s : s + self.batch_size]
                out[idx] = self.model(**self._encode([claims[i][:MAX_CLAIM_CHARS] for i in idx],
                                                     [texts[i] for i in idx])).logits.float().numpy()
        return out

    def _encode(self, claims: list[str], texts: list[str]) -> Any:
        kw = {"max_length": self.max_length, "padding": True, "return_tensors": "pt"}
        try:
            # as in training: the claim whole, the evidence cut to fit
            return self.tokenizer(claims, texts, truncation="only_second", **kw)
        except Exception:  # noqa: BLE001 - a claim too long to leave room for evidence: cut both
            return self.tokenizer(claims, texts, truncation="longest_first", **kw)

    def scores(self, claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        if not len(claims):
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return softmax(self.logits(claims, texts) / self.temperature)


def load_stance_model(path: str | os.PathLike[str] | None = None, *, tokenizer_path: str | None = None,
                      threads: int | None = None, batch_size: int = 32) -> StanceModel:
    """The packaged model (factcheck/models/stance) or the one at `path`, in fp32 on the CPU.

    A training checkpoint has no tokenizer: the packaged MiniLM tokenizer is the same one.
    """
    model_dir = Path(path) if path is not None else DEFAULT_MODEL_DIR
    if not (model_dir / "config.json").is_file():
        raise ModelMissingError(
            f"No stance model in {model_dir}. Train it with `python scripts/train_stance.py` "
            "(about an hour on 2 cores) or reinstall factcheck, which ships the trained weights.")
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from factcheck.embed import model_path, quiet_loading

    # two cores here; more threads than cores only adds contention
    torch.set_num_threads(threads or max(1, min(os.cpu_count() or 1, 4)))
    if tokenizer_path is None:
        tokenizer_path = str(model_dir) if (model_dir / "tokenizer_config.json").is_file() else model_path()
    tok = AutoTokenizer.from_pretrained(tokenizer_path)
    # weights ship in fp16 to stay small; fp16 matmuls on a CPU are slow and lossy, so compute in fp32
    with quiet_loading():
        model = AutoModelForSequenceClassification.from_pretrained(str(model_dir), dtype=torch.float32,
                                                                   num_labels=len(LABELS))
    model.eval()
    meta = read_json(model_dir / "factcheck_stance.json")
    return StanceModel(model, tok, temperature=temperature(model_dir),
                       max_length=int(meta.get("max_length", MAX_LENGTH)),
                       snippet_sentences=int(meta.get("snippet_sentences", SNIPPET_SENTENCES)),
                       refutation_cue=bool(meta.get("refutation_cue", False)),
                       batch_size=batch_size, path=model_dir)


def snippet_size(model: object) -> int:
    """Body sentences per snippet: what the model was trained on (factcheck_stance.json), else the default."""
    return int(getattr(model, "snippet_sentences", SNIPPET_SENTENCES))


def model_snippet(model: object, claim: str, claim_vec: np.ndarray, sentences: list[str],
                  sentence_vecs: np.ndarray) -> str:
    """The snippet this model was trained to read (factcheck.snippet): its size and, if it was trained
    with one, the refutation-cue sentence (``refutation_cue`` in factcheck_stance.json)."""
    cue = bool(getattr(model, "refutation_cue", False))
    return select_snippet(claim_vec, sentences, sentence_vecs, k=snippet_size(model), claim=claim if cue else None)


# --- whole articles ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ArticleStance:
    """The stance of one article (or one sentence) towards a claim, and what it was read from."""

    label: Stance
    scores: StanceProbabilities
    snippet: str  # the sentences the cross-encoder read ("" when triaged)
    similarity: float  # best cosine between the claim and a body sentence
    triaged: bool  # True: labelled unrelated by similarity alone


def on_topic(probs: np.ndarray, similarity: float, floor: float | None) -> np.ndarray:
    """An article with a sentence at least `floor` cosine from the claim is on topic, whatever the
    cross-encoder says: its "unrelated" mass goes to the other three labels in proportion (floor tuned
    so that 99.5% of unrelated FNC-1 train pairs fall below it; bench/stance.py tune-triage)."""
    if floor is None or similarity < floor or probs[UNRELATED] <= ON_TOPIC_UNRELATED:
        return probs
    rest = np.delete(probs, UNRELATED)
    rest = rest / max(float(rest.sum()), 1e-9) * (1.0 - ON_TOPIC_UNRELATED)
    return np.insert(rest, UNRELATED, ON_TOPIC_UNRELATED).astype(np.float32)


def stance_many(pairs: Iterable[tuple[str, str]], encoder: Encoder, model: StanceScorer, *,
                triage_similarity: float, on_topic_similarity: float | None = None,
                adjust: Callable[[str, str, np.ndarray], np.ndarray] | None = None,
                progress: Progress | None = None) -> list[ArticleStance]:
    """(claim, article text or sentence) pairs → ArticleStance each, in order.

    Each distinct body is split and encoded once (keyed by content hash), each distinct claim once;
    triage drops pairs with no similar sentence before the cross-encoder runs; a pair with a sentence
    at `on_topic_similarity` or above cannot be unrelated (`on_topic`). `adjust(claim, snippet, probs)`
    may reshape probabilities (mismatch evidence, see factcheck.mismatch.adjust_scores).
    """
    pairs = list(pairs)
    body_ix: dict[str, int] = {}
    bodies: list[list[str]] = []
    for _, text in pairs:
        k = text_hash(text)
        if k not in body_ix:
            body_ix[k] = len(bodies)
            bodies.append(split_body(text))
    claim_ix: dict[str, int] = {}
    for c, _ in pairs:
        claim_ix.setdefault(c, len(claim_ix))
    flat = [s for sents in bodies for s in sents]
    if progress:
        progress(0, len(flat), "encoding sentences")
    svecs = np.asarray(encoder.encode(flat), dtype=np.float32) if flat else np.zeros((0, 1), np.float32)
    cvecs = np.asarray(encoder.encode(list(claim_ix)), dtype=np.float32)
    offsets = np.cumsum([0] + [len(b) for b in bodies])
    snippets: list[str] = []
    sims: list[float] = []
    for c, text in pairs:
        b = body_ix[text_hash(text)]
        vecs = svecs[offsets[b] : offsets[b + 1]]
        cv = cvecs[claim_ix[c]]
        sims.append(float((vecs @ cv).max()) if len(vecs) else 0.0)
        snippets.append(model_snippet(model, c, cv, bodies[b], vecs) if sims[-1] >= triage_similarity else "")
    todo = [i for i, s in enumerate(sims) if s >= triage_similarity]
    probs = np.tile(np.asarray(TRIAGE_SCORES, dtype=np.float32), (len(pairs), 1))
    step = 512  # progress granularity; the model batches internally
    for s in range(0, len(todo), step):
        if progress:
            progress(s, len(todo), "scoring stance")
        chunk = todo[s : s + step]
        probs[chunk] = model.scores([pairs[i][0] for i in chunk], [snippets[i] for i in chunk])
    if progress:
        progress(len(todo), len(todo), "scoring stance")
    out = []
    for i, (c, _) in enumerate(pairs):
        p = on_topic(probs[i], sims[i], on_topic_similarity)
        if adjust is not None and snippets[i]:
            p = adjust(c, snippets[i], p)
        out.append(ArticleStance(label_of(p), StanceProbabilities.of_row(p),
                                 snippets[i], sims[i], not snippets[i]))
    return out


def article_stance(claim: str, article: str | Sequence[str], encoder: Encoder, model: StanceScorer, *,
                   triage_similarity: float, on_topic_similarity: float | None = None,
                   sentence_vecs: np.ndarray | None = None, claim_vec: np.ndarray | None = None) -> ArticleStance:
    """One claim against one article: its text (split and encoded here), or its sentences with their
    vectors when the caller has them already (stored passages), so nothing is encoded twice."""
    if isinstance(article, str) and sentence_vecs is None:
        return stance_many([(claim, article)], encoder, model, triage_similarity=triage_similarity,
                           on_topic_similarity=on_topic_similarity)[0]
    sents = split_body(article) if isinstance(article, str) else [s for s in article if s.strip()]
    vecs = sentence_vecs if sentence_vecs is not None else np.asarray(encoder.encode(sents), dtype=np.float32)
    if len(vecs) != len(sents):
        raise ValueError(f"{len(sents)} sentences but {len(vecs)} vectors")
    cv = claim_vec if claim_vec is not None else np.asarray(encoder.encode([claim]), dtype=np.float32)[0]
    sim = float((vecs @ cv).max()) if len(sents) else 0.0
    if sim < triage_similarity:
        return ArticleStance(Stance.UNRELATED, TRIAGE_SCORES, "", sim, True)
    snippet = model_snippet(model, claim, cv, sents, vecs)
    p = on_topic(model.scores([claim], [snippet])[0], sim, on_topic_similarity)
    return ArticleStance(label_of(p), StanceProbabilities.of_row(p), snippet, sim, False)
