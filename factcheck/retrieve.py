"""Retrieval: a claim's vector → the closest passages in the other sources.

Takes a vector, not a model (as sentence-transformers' util.semantic_search does), so it is tested with
hand-made arrays. FAISS knows nothing of sources or articles: we over-fetch candidates, filter them with
the store, and widen the search while the filters eat too many of them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from factcheck.index import VectorIndex
    from factcheck.store import Store

# First fetch is this many candidates per wanted hit; each round then doubles it.
OVERFETCH = 4
MIN_FETCH = 64
# Widening stops here: a source with nothing among the best MAX_CANDIDATES passages has nothing close.
MAX_CANDIDATES = 10_000


@dataclass(frozen=True)
class Hit:
    passage_id: int
    text: str
    source: str
    article_id: int
    score: float  # cosine similarity to the query
    start: int  # offsets into the article's text
    end: int


def retrieve(store: Store, index: VectorIndex, query_vec: np.ndarray, *, k: int = 5, per_source: bool = True,
             exclude_article: int | None = None, exclude_source: str | None = None,
             sources: Iterable[str] | None = None, min_similarity: float = 0.0) -> list[Hit]:
    """The top-k passages per source (or overall when per_source=False), best first.

    exclude_article / exclude_source drop the claim's own article or outlet; sources restricts to those
    outlets; passages below min_similarity never come back.
    """
    q = np.asarray(query_vec, dtype=np.float32).reshape(1, -1)
    n = len(index)
    if k <= 0 or n == 0:
        return []
    wanted = set(sources) if sources is not None else None
    if wanted is not None and exclude_source is not None:
        wanted.discard(exclude_source)
    if wanted is not None and not wanted:
        return []
    # The sources that could still yield hits: completeness per source is judged against these.
    pool = {s.name for s in store.sources() if s.articles} if per_source else set()
    if wanted is not None:
        pool &= wanted
    pool.discard(exclude_source or "")

    limit = min(n, MAX_CANDIDATES)
    fetch = min(limit, max(MIN_FETCH, OVERFETCH * k * (max(1, len(pool)) if per_source else 1)))
    seen: set[int] = set()
    found: dict[str, list[Hit]] = {}
    flat: list[Hit] = []
    while True:
        scores, ids = index.search(q, fetch)
        fresh = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True)
                 if i >= 0 and int(i) not in seen]
        seen.update(i for i, _ in fresh)
        by_id = {p.id: p for p in store.passages(ids=[i for i, s in fresh if s >= min_similarity])}
        for pid, score in fresh:
            p = by_id.get(pid)
            if p is None:  # below min_similarity, or deleted from the store since the last sync
                continue
            if exclude_article is not None and p.article_id == exclude_article:
                continue
            if p.source == exclude_source or (wanted is not None and p.source not in wanted):
                continue
            hit = Hit(p.id, p.text, p.source, p.article_id, score, p.start, p.end)
            if per_source:
                found.setdefault(p.source, []).append(hit)
            else:
                flat.append(hit)
        done = (all(len(found.get(s, ())) >= k for s in pool) if per_source else len(flat) >= k)
        below = len(scores[0]) > 0 and float(scores[0][-1]) < min_similarity  # nothing further can pass
        if done or below or fetch >= limit:
            break
        fetch = min(limit, fetch * 2)
    if per_source:
        hits = [h for group in found.values() for h in sorted(group, key=_rank)[:k]]
    else:
        hits = sorted(flat, key=_rank)[:k]
    return sorted(hits, key=_rank)


def _rank(h: Hit) -> tuple[float, int]:
    return (-h.score, h.passage_id)
