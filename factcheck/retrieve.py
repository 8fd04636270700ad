"""Retrieval: a claim's vector → the closest passages in the other sources.

Takes a vector, not a model (as sentence-transformers' util.semantic_search does), so it is tested with
hand-made arrays. The vector backend filters inside its own search (factcheck.vectors.Where): per source,
one filter per source (that source, without the claim's own article), k hits each, asked in one
search_sources call (the FAISS backend ranks a flat index's rows by source itself; others ask a filter per
source); over all sources, one search with the combined filter. Only the passages shown are then read from the
store, in one query.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from factcheck.settings import DEFAULTS
from factcheck.vectors import Where

if TYPE_CHECKING:
    from factcheck.store import Store
    from factcheck.vectors import VectorBackend


@dataclass(frozen=True)
class Hit:
    passage_id: int
    text: str
    source: str
    article_id: int
    score: float  # cosine similarity to the query
    start: int  # offsets into the article's text
    end: int


def retrieve(store: Store, index: VectorBackend, query_vec: np.ndarray, *, k: int = DEFAULTS.top_k,
             per_source: bool = True,
             exclude_article: int | None = None, exclude_source: str | None = None,
             sources: Iterable[str] | None = None, min_similarity: float = DEFAULTS.min_similarity,
             pool: Iterable[str] | None = None, articles: frozenset[int] | None = None) -> list[Hit]:
    """The top-k passages per source (or overall when per_source=False), best first.

    exclude_article / exclude_source drop the claim's own article or outlet; sources restricts to those
    outlets; passages below min_similarity never come back. `pool` names the sources a per-source retrieval
    searches one by one (default: every source holding an article, from the store, whose count of claims
    per source costs a scan of the passages: the facade keeps the names between commits instead). `articles`
    keeps passages of those articles only (a story's), inside the backend's search like the rest.
    """
    q = np.asarray(query_vec, dtype=np.float32).reshape(1, -1)
    if k <= 0:  # an empty backend answers with empty slots: no count first (on Milvus, a call of its own)
        return []
    wanted = set(sources) if sources is not None else None
    if wanted is not None and exclude_source is not None:
        wanted.discard(exclude_source)
    if wanted is not None and not wanted:
        return []
    if per_source:
        names = set(pool) if pool is not None else {s.name for s in store.sources() if s.articles}
        if wanted is not None:
            names &= wanted
        names.discard(exclude_source or "")
        scores, ids, of = index.search_sources(q, k, names, exclude_article=exclude_article, articles=articles,
                                               min_score=min_similarity)  # best first, ties by id: ranked
        rows = store.shown(ids.tolist(), sources=False)  # each hit's source is the one the backend holds
        # a passage deleted since the last sync has no row and drops out
        return [Hit(pid, row[0], source, row[1], score, row[2], row[3])
                for pid, score, source in zip(ids.tolist(), scores.tolist(), of, strict=True)
                if (row := rows.get(pid)) is not None]
    where = Where(sources=frozenset(wanted) if wanted is not None else None, exclude_source=exclude_source,
                  exclude_article=exclude_article, articles=articles)
    found = sorted(_best(index, q, k, None if where == Where() else where, min_similarity),
                   key=lambda hit: (-hit[1], hit[0]))
    shown = store.shown([pid for pid, _ in found])
    return [Hit(pid, row[0], row[1], row[2], score, row[3], row[4]) for pid, score in found
            if (row := shown.get(pid)) is not None]


def _best(index: VectorBackend, q: np.ndarray, k: int, where: Where | None,
          min_similarity: float) -> list[tuple[int, float]]:
    """(passage id, score) of the top k that `where` admits, at or above min_similarity."""
    return _kept(*index.search(q, k, where=where), min_similarity)


def _kept(scores: np.ndarray, ids: np.ndarray, min_similarity: float) -> list[tuple[int, float]]:
    return [(i, s) for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True) if i >= 0 and s >= min_similarity]
