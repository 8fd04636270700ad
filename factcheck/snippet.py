"""The evidence snippet a stance model reads: a body's sentences most similar to a claim.

Training (scripts/train_stance.py) and inference (factcheck.stance) build snippets with these
same two functions, so the model sees in production what it saw in training.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

SNIPPET_SENTENCES = 3
SENTENCE_CHARS = 320
MAX_BODY_SENTENCES = 80


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_body(text: str) -> list[str]:
    """Sentences of a body, stripped, empties dropped, at most MAX_BODY_SENTENCES."""
    out: list[str] = []
    for para in text.split("\n"):
        if not para.strip():
            continue
        out.extend(s.strip() for s in _segmenter().segment(para) if s.strip())
        if len(out) >= MAX_BODY_SENTENCES:
            break
    return out[:MAX_BODY_SENTENCES] or [text.strip()[:SENTENCE_CHARS]]


def select_snippet(claim_vec: np.ndarray, sentences: list[str], sentence_vecs: np.ndarray,
                   k: int = SNIPPET_SENTENCES) -> str:
    """The k sentences closest to the claim (cosine: vectors are L2-normalised), in body order."""
    if not sentences:
        return ""
    sims = sentence_vecs @ claim_vec
    top = sorted(np.argsort(-sims, kind="stable")[:k].tolist())
    return " ".join(sentences[i][:SENTENCE_CHARS] for i in top)
