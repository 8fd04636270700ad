"""The evidence snippet a stance model reads: a body's sentences most similar to a claim.

Training (scripts/train_stance.py) and inference (factcheck.stance) build snippets with these
same two functions, so the model sees in production what it saw in training.

`split_body` is not factcheck.ingest.sentences.split, on purpose: the shipped stance model was trained on its
sentences (each line segmented by pysbd's public `segment`, no hard-wrap merging, no windows), and the two differ
on 39 of the first 300 FNC-1 training bodies (a trailing link or hashtag kept apart, a closing quote). Both use
the one pysbd segmenter (`sentences.segmenter`).
"""
from __future__ import annotations

import re

import numpy as np

from factcheck.ingest.sentences import segmenter
from factcheck.lexicon import REFUTATIONS, alternation

# The size a checkpoint was trained with when its factcheck_stance.json names none (the passes before the fourth,
# and train_stance.py's default); the shipped model's file says 5, which StanceModel.snippet_sentences holds.
SNIPPET_SENTENCES = 3
SENTENCE_CHARS = 320
MAX_BODY_SENTENCES = 80

# Words with which an article disputes what it reports (lexicon.REFUTATIONS). A debunking sentence ("the photo
# turned out to be a hoax") seldom repeats the claim's words, so the closest-sentence rule alone leaves it out and
# the model reads an article that reports a claim in order to refute it as merely discussing it.
REFUTATION_CUE = re.compile(r"\b(" + alternation(REFUTATIONS) + r")\b", re.IGNORECASE)


def split_body(text: str) -> list[str]:
    """Sentences of a body as the stance model was trained on them: each line's pysbd sentences, stripped, empties
    dropped, at most MAX_BODY_SENTENCES (the whole text, cut, when there are none)."""
    out: list[str] = []
    for para in text.split("\n"):
        if not para.strip():
            continue
        out.extend(s.strip() for s in segmenter().segment(para) if s.strip())
        if len(out) >= MAX_BODY_SENTENCES:
            break
    return out[:MAX_BODY_SENTENCES] or [text.strip()[:SENTENCE_CHARS]]


def select_snippet(claim_vec: np.ndarray, sentences: list[str], sentence_vecs: np.ndarray,
                   k: int = SNIPPET_SENTENCES, *, claim: str | None = None) -> str:
    """The k sentences closest to the claim (cosine: vectors are L2-normalised), in body order.

    With `claim` given (models trained with ``refutation_cue``), the closest sentence carrying a
    REFUTATION_CUE takes the k-th place when it is not among the k already, unless the claim itself
    carries a cue (then every restatement of it would match).
    """
    if not sentences:
        return ""
    order = np.argsort(-(sentence_vecs @ claim_vec), kind="stable").tolist()
    top = order[:k]
    if claim is not None and k > 1 and not REFUTATION_CUE.search(claim):
        cue = next((i for i in order if REFUTATION_CUE.search(sentences[i])), None)
        if cue is not None and cue not in top:
            top = order[: k - 1] + [cue]
    return " ".join(sentences[i][:SENTENCE_CHARS] for i in sorted(top))
