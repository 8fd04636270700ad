"""What a vector backend is: passage vectors, with the two fields retrieval filters on, searchable by inner product.

The embedded default (FAISS files in the store folder, `factcheck.vectors.faiss`) and Milvus (a cluster, a
standalone server or a milvus-lite file, `factcheck.vectors.milvus`) both implement `VectorBackend`, the way
txtai keeps `ann/dense/{faiss,milvus}.py` behind one base class. Retrieval, `factcheck.index.sync`, reindex,
doctor, the CLI and bench/ talk to this interface only.

The contract, which tests/vectors/test_contract.py runs against every backend:
- ids are passage ids (int64 >= 0); `upsert` replaces a vector held under the same id, never duplicates it;
- every vector comes with its passage's source name and article id, so a search filters inside the backend
  (`Where`) instead of over-fetching and filtering afterwards;
- `search` returns (scores, ids) of shape (n_queries, k), best first; slots with nothing in them hold id -1 and
  score -inf; ties are broken by the smaller id; `search_each` answers several filters at once, each exactly as
  `search` would, and `search_sources` each source's top k of one query (with the source of each hit), as its one-source
  filter would;
- `open` refuses another model or dimension with IndexMismatchError and the same message whatever the backend
  ("... built with M (dim D), this is M2 (dim D2): run `factcheck reindex`"), or comes back empty with a
  message in `messages` when asked to rebuild (or when what it found was damaged), for `sync` to refill;
- changes are visible to `search` at once; `flush` makes them durable (FAISS writes its files, Milvus flushes);
  a backend that cannot write says so with a StoreError a person can act on.
"""
from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, Self

import numpy as np

BackendName = Literal["faiss", "milvus"]
BACKENDS: tuple[BackendName, ...] = ("faiss", "milvus")


@dataclass(frozen=True)
class Where:
    """Which passages a search may return. None means no restriction by that field."""

    sources: frozenset[str] | None = None  # only passages of these sources (an empty set: none)
    exclude_source: str | None = None
    exclude_article: int | None = None
    articles: frozenset[int] | None = None  # only passages of these articles (a story's; an empty set: none)

    def admits(self, source: str, article: int) -> bool:
        """The same test in Python (for backends that filter with a selector, and for tests)."""
        if self.sources is not None and source not in self.sources:
            return False
        if self.articles is not None and article not in self.articles:
            return False
        return source != self.exclude_source and article != self.exclude_article


@dataclass(frozen=True)
class Location:
    """Where one store's vectors live. FAISS reads `store_dir` only; Milvus connects to `uri` (a server or a
    milvus-lite file; None: a milvus-lite file in store_dir) and names its collection after `store_id`, so the
    stores sharing one cluster never mix."""

    store_dir: Path
    store_id: str
    uri: str | None = None
    token: str | None = None  # a server's credentials: never shown, never logged

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"Location(store_dir={str(self.store_dir)!r}, store_id={self.store_id!r}, uri={self.uri!r})"


@dataclass(frozen=True)
class Description:
    """What `factcheck doctor` and `stats` show about the index."""

    backend: BackendName
    model_name: str
    dim: int
    count: int
    location: str  # a folder, a milvus-lite file, or a server URI (without credentials)
    detail: str = ""  # e.g. "flat" / "ivf (2048 lists, fp16)" / the collection name


class VectorBackend(ABC):
    """Passage vectors of one store for one embedding model."""

    name: ClassVar[BackendName]
    model_name: str
    dim: int

    @classmethod
    @abstractmethod
    def open(cls, where: Location, model_name: str, dim: int, *, rebuild_on_mismatch: bool = False) -> Self:
        """The vectors stored at `where` for this model, or an empty backend (with a message saying why) for
        `sync` to refill; another model or dimension raises IndexMismatchError unless rebuild_on_mismatch."""

    @classmethod
    @abstractmethod
    def create(cls, where: Location, model_name: str, dim: int) -> Self:
        """A new empty backend for this model that replaces what is stored at `where` when first flushed, so
        searches go on against the old vectors while `factcheck reindex` fills it."""

    _messages: list[str]  # set by open/create: what the facade shows
    _dirty: bool  # set by every change, cleared by flush

    @property
    def messages(self) -> list[str]:
        """What opening had to repair or rebuild, for the facade to show (empty when all was well)."""
        return list(self._messages)

    def take_messages(self) -> list[str]:
        """The messages, once: what a sync reports is not reported again by the next one."""
        taken, self._messages = list(self._messages), []
        return taken

    @property
    def dirty(self) -> bool:
        """Changes not yet made durable by `flush`."""
        return self._dirty

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def ids(self) -> np.ndarray:
        """Every passage id held (int64, any order)."""

    @abstractmethod
    def upsert(self, ids: Sequence[int] | np.ndarray, vecs: np.ndarray, sources: Sequence[str],
               articles: Sequence[int]) -> None:
        """Add, or replace, the vectors of these passages with the fields filters read."""

    @abstractmethod
    def remove(self, ids: Iterable[int]) -> int:
        """Drop these passage ids (ids not held are ignored); returns how many were dropped."""

    @abstractmethod
    def search(self, vecs: np.ndarray, k: int, *, where: Where | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by inner product for each query row among the passages `where` admits: (scores, ids)."""

    def search_each(self, vecs: np.ndarray, k: int,
                    wheres: Sequence[Where | None]) -> list[tuple[np.ndarray, np.ndarray]]:
        """`search(vecs, k, where=w)` for each filter in `wheres`, in order: retrieval per source asks one filter
        per source (a hundred and more), so a backend can do once what does not depend on the filter. This
        default searches once per filter."""
        return [self.search(vecs, k, where=w) for w in wheres]

    def search_sources(self, vec: np.ndarray, k: int, sources: Iterable[str], *, exclude_article: int | None = None,
                       articles: frozenset[int] | None = None,
                       min_score: float = -np.inf) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Retrieval per source: for one query vector, the k best of each named source among the passages not of
        `exclude_article` (and of `articles`, when given), scores at or above `min_score`, all of them at once as
        (scores, ids, each hit's source): 1-D, best first, ties by the smaller id. Each source's share is what
        `search(vec, k, where=one_source(...))` gives, kept from `min_score` up. This default asks those filters
        in one `search_each` (a backend filters inside its own search: Milvus keeps doing so); the FAISS backend
        ranks a flat index's rows itself."""
        names = sorted(set(sources))
        q = np.ascontiguousarray(np.asarray(vec, dtype=np.float32).reshape(1, -1))
        answers = self.search_each(q, k, [one_source(name, exclude_article, articles) for name in names])
        found = [(s, i, name) for name, (scores, ids) in zip(names, answers, strict=True)
                 for s, i in zip(scores[0].tolist(), ids[0].tolist(), strict=True) if i >= 0 and s >= min_score]
        found.sort(key=lambda hit: (-hit[0], hit[1]))
        return (np.array([s for s, _, _ in found], dtype=np.float32).reshape(-1),
                np.array([i for _, i, _ in found], dtype=np.int64).reshape(-1), [name for _, _, name in found])

    @abstractmethod
    def flush(self) -> None:
        """Make every change durable."""

    @abstractmethod
    def close(self) -> None:
        """Release files, locks and connections; the object is not used after."""

    @abstractmethod
    def describe(self) -> Description: ...


@functools.lru_cache(maxsize=4096)
def one_source(source: str, exclude_article: int | None = None, articles: frozenset[int] | None = None) -> Where:
    """The filter of one source's share of a per-source search (the same object each time: backends remember
    filters by it)."""
    return Where(sources=frozenset({source}), exclude_article=exclude_article, articles=articles)


def mismatch(place: str, built: tuple[str, object], model_name: str, dim: int, *, rebuild: bool) -> str:
    """The one message for vectors built with another model or dimension, whatever the backend: raised as
    IndexMismatchError (`rebuild` False), or said while an empty index is refilled (`rebuild` True).
    `place` is " in FOLDER", " in URI (collection C)" or "" (no place to name)."""
    then = "rebuilding it" if rebuild else "run `factcheck reindex`"
    return (f"The search index{place} was built with {built[0]} (dim {built[1]}), this is {model_name} "
            f"(dim {dim}): {then}.")


def as_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    """Passage ids as a contiguous int64 array (what every backend takes)."""
    return np.ascontiguousarray(np.fromiter((int(i) for i in ids), dtype=np.int64))


def upsert_rows(ids: Sequence[int] | np.ndarray, vecs: np.ndarray, sources: Sequence[str], articles: Sequence[int],
                dim: int) -> tuple[np.ndarray, np.ndarray]:
    """What every backend's `upsert` checks first: (ids as int64, vectors as contiguous float32), one row each,
    of this dimension, ids unique and never negative; ValueError names what is wrong."""
    id_arr = as_ids(ids)
    vecs = np.ascontiguousarray(vecs, dtype=np.float32)
    if vecs.ndim != 2 or vecs.shape != (len(id_arr), dim):
        raise ValueError(f"expected {len(id_arr)} vectors of dim {dim}, got shape {vecs.shape}")
    if len(sources) != len(id_arr) or len(articles) != len(id_arr):
        raise ValueError(f"{len(id_arr)} ids, but {len(sources)} sources and {len(articles)} articles")
    if len(np.unique(id_arr)) != len(id_arr):
        raise ValueError("duplicate ids in one upsert")
    if len(id_arr) and int(id_arr.min()) < 0:
        raise ValueError("passage ids are never negative")
    return id_arr, vecs
