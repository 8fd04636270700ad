"""The embedded vector backend: FAISS, persisted in the store folder beside factcheck.sqlite3.

Every FAISS id is a passage id, so adding and removing follow the store, and every vector comes with its
passage's source and article (factcheck.vectors.faiss_fields). What is saved, and how opening tells a good
index from a damaged, an older or another model's one, is factcheck.vectors.faiss_files: a damaged index,
or one saved before the fields existed, comes back empty with a message, and `factcheck.index.sync`
refills it from the stored passages — cheap, because the store caches every embedding.

Filters run inside FAISS: a search's `Where` becomes an IDSelector over passage ids (a bitmap of a source's
ids, the complement of another source's, less an article's ids), built from the fields and cached until the
vectors change. Retrieval per source is then one exact search per source (for a flat index, every row
scored once and each source's own rows ranked: `search_each`), never a wide search filtered afterwards. A
filter on an article that no admitted source holds is dropped before the cache is asked, so a `compare` run
(one claim after another, each excluding its own article) reuses each source's selector.

Exact search (flat inner product) while small; past IVF_THRESHOLD vectors, an inverted-file index (IVF)
whose lists hold each vector as float16 (FAISS's scalar quantiser, QT_fp16). Measured in bench/search.py
on 1M vectors made from real MiniLM passage vectors (one query thread, nprobe 32 of 2048 lists):
recall@10 0.981 against exact search, p50 2.6 ms, peak RSS 1.46 GB while building and searching; exact
search at 1M takes 98 ms and 2.6 GB. float16 keeps float32's recall at half its memory and decodes back
exactly to what it stored, so a rebuild never drifts; 8-bit codes (a quarter) cost recall on close
neighbours unless re-ranked from float32 vectors kept elsewhere. IVF rather than HNSW: it drops ids
natively and builds in minutes where HNSW took most of an hour at 1M on this 2-core machine. A filtered
IVF search probes the same lists and skips the vectors the filter refuses; the lists a query probes are
found once for the searches of all its sources.
faiss is imported here and in factcheck.vectors.faiss_build only, inside functions.
"""
from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from factcheck.vectors.base import BackendName, Description, Location, VectorBackend, Where, as_ids, upsert_rows
from factcheck.vectors.faiss_build import (
    IVF_TRAIN_PER_LIST,
    Selector,
    inner_products,
    ivf_lists,
    new_faiss,
    range_selector,
    sample_rows,
    search,
    search_params,
    search_preassigned,
    threads,
)
from factcheck.vectors.faiss_fields import Fields, Filters
from factcheck.vectors.faiss_files import FIELDS_FILE, INDEX_FILE, LOCK_FILE, META_FILE, load, save

__all__ = ["FIELDS_FILE", "INDEX_FILE", "LOCK_FILE", "META_FILE", "FaissBackend"]  # the file names, for schema

log = logging.getLogger(__name__)

# Measured in bench/search.py (dim 384, one thread, CPU time per query): exact search p50 is 1.5 ms at
# 10k, 3.9 ms at 30k, 6.6 ms at 50k, so it passes ~5 ms near 40k; beyond it IVF answers faster.
IVF_THRESHOLD = 40_000
# How IVF lists store vectors: "fp16" (2 bytes a dimension, decodes back exactly to what it stored),
# "sq8" (1 byte, per-dimension ranges) or "flat" (float32). bench/search.py compares them.
IVF_CODEC = "fp16"
ADD_CHUNK = 50_000  # vectors moved at once when an index is rebuilt: bounds the extra memory
FILTERED_PROBES = 4  # a filtered IVF search probes this many times the lists an unfiltered one does
SINGLE_THREAD_BELOW = 16  # queries per search call
# Vectors below which building (k-means, adding) runs on one thread: on a busy 2-core machine OpenMP's
# second thread mostly waits at barriers, and the index tests ran 40x slower with it (1 s vs 40 s).
SINGLE_THREAD_BUILD_BELOW = 200_000


class FaissBackend(VectorBackend):
    """Passage vectors of one store in FAISS, with each passage's source and article for filters."""

    name: ClassVar[BackendName] = "faiss"

    def __init__(self, directory: Path, model_name: str, dim: int, *, kind: str = "flat",
                 faiss_index: Any = None, fields: Fields | None = None, message: str | None = None) -> None:
        self.directory = Path(directory)
        self.model_name = model_name
        self.dim = int(dim)
        self.kind = kind
        self._index = faiss_index if faiss_index is not None else new_faiss("flat", self.dim)
        self._fields = fields if fields is not None else Fields()
        self._filters = Filters(self._fields)  # emptied whenever the vectors change (_changed)
        # a flat index's rows grouped by source (_grouped): (passage id at each position, each source code's
        # first position and the next code's, the range parameters made so far per code); None after a change
        self._layout: tuple[np.ndarray, np.ndarray, dict[int, tuple[Any, Any, int, Selector]]] | None = None
        # an IVF search's lists for the last query (its bytes, nprobe): retrieval searches one query once
        # per source, and the lists to probe do not depend on the filter
        self._assigned: tuple[bytes, int, np.ndarray, np.ndarray] | None = None
        # the source code and article of each row of a flat index grouped by source (_placed); None after a change
        self._rows: tuple[np.ndarray, np.ndarray] | None = None
        self._messages = [message] if message else []  # set when open() had to start again; sync refills
        self._dirty = message is not None

    # --- opening -------------------------------------------------------------------------------
    @classmethod
    def create(cls, where: Location, model_name: str, dim: int) -> Self:
        """A new empty index for this model, to be filled by sync and flushed over any old one."""
        backend = cls(Path(where.store_dir), model_name, dim)
        backend._dirty = True
        return backend

    @classmethod
    def open(cls, where: Location, model_name: str, dim: int, *, rebuild_on_mismatch: bool = False) -> Self:
        """The index persisted in the store folder, or an empty one (with a message saying why) to refill."""
        d = Path(where.store_dir)
        found = load(d, model_name, dim, rebuild_on_mismatch=rebuild_on_mismatch)
        if found is None:
            return cls(d, model_name, dim)
        if isinstance(found, str):  # why it starts again
            log.warning(found)
            return cls(d, model_name, dim, message=found)
        kind, fx, fields = found
        return cls(d, model_name, dim, kind=kind, faiss_index=fx, fields=fields)

    # --- contents ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        return self._fields.ids.copy()

    def _lists(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of each non-empty inverted list of an IVF index, decoded list by list.

        FAISS's standalone codes are the list number then the vector's code, so sa_decode undoes any
        codec (float32, float16, 8-bit, with or without residuals) without keeping a second copy.
        """
        import faiss

        ivf = self._index
        inv, size, pre = ivf.invlists, int(ivf.code_size), int(ivf.coarse_code_size())
        for no in range(ivf.nlist):
            n = inv.list_size(no)
            if n:
                ids = faiss.rev_swig_ptr(inv.get_ids(no), n).astype(np.int64)
                codes = faiss.rev_swig_ptr(inv.get_codes(no), n * size).reshape(n, size)
                prefix = np.frombuffer(int(no).to_bytes(8, "little")[:pre], dtype=np.uint8)
                full = np.hstack([np.broadcast_to(prefix, (n, pre)), codes])
                yield ids, np.ascontiguousarray(ivf.sa_decode(full), dtype=np.float32)

    def _chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of every entry in pieces, read back from FAISS's own storage."""
        import faiss

        if self.kind != "flat":
            yield from self._lists()
            return
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        for lo in range(0, len(ids), ADD_CHUNK):
            hi = min(len(ids), lo + ADD_CHUNK)
            yield ids[lo:hi], np.ascontiguousarray(self._index.index.reconstruct_n(lo, hi - lo), dtype=np.float32)

    def _rebuild_as(self, kind: str, extra: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Move every vector (and `extra`) into a fresh index of this kind, a chunk at a time.

        An IVF is trained on a sample, so the extra memory is the new index plus one chunk, never
        a float32 copy of everything (at 1M vectors that copy alone would be 1.5 GB).
        """
        n = len(self) + (len(extra[0]) if extra is not None else 0)
        log.info("rebuilding the search index as %s over %d vectors", kind, n)
        sample = None
        if kind == "ivf":
            nlist = ivf_lists(n)
            want = nlist * IVF_TRAIN_PER_LIST
            parts = [sample_rows(v, max(1, want * len(v) // n)) for _, v in self._chunks()]
            if extra is not None:
                parts.append(sample_rows(extra[1], max(1, want * len(extra[1]) // n)))
            sample = np.concatenate(parts)
        with threads(n < SINGLE_THREAD_BUILD_BELOW):
            fresh = new_faiss(kind, self.dim, sample, nlist=ivf_lists(n) if kind == "ivf" else None, codec=IVF_CODEC)
            del sample
            pieces = self._chunks()
            for ids, vecs in pieces if extra is None else itertools.chain(pieces, [extra]):
                if len(ids):
                    fresh.add_with_ids(np.ascontiguousarray(vecs), np.ascontiguousarray(ids))
        self._index, self.kind = fresh, kind
        self._changed()

    def _changed(self) -> None:
        self._dirty = True
        self._filters.clear()
        self._layout = None
        self._assigned = None
        self._rows = None

    def upsert(self, ids: Sequence[int] | np.ndarray, vecs: np.ndarray, sources: Sequence[str],
               articles: Sequence[int]) -> None:
        """Add (or replace) vectors under passage ids, with each passage's source and article."""
        id_arr, vecs = upsert_rows(ids, vecs, sources, articles, self.dim)
        if not len(id_arr):
            return
        self.remove(id_arr)  # replace, never duplicate
        self._changed()
        n = len(self) + len(id_arr)
        if self.kind == "flat" and n > IVF_THRESHOLD:
            self._rebuild_as("ivf", (id_arr, vecs))
        elif self.kind == "ivf" and ivf_lists(n) > 2 * self._index.nlist:
            self._rebuild_as("ivf", (id_arr, vecs))  # grown ~16x since training: retrain the lists
        else:
            with threads(len(id_arr) < SINGLE_THREAD_BUILD_BELOW):
                self._index.add_with_ids(vecs, id_arr)
        self._fields.add(id_arr, sources, as_ids(articles))

    def remove(self, ids: Iterable[int]) -> int:
        """Drop passage ids; ids not held are ignored. Returns how many were dropped."""
        import faiss

        id_arr = as_ids(ids)
        if not len(id_arr) or not len(self):
            return 0
        dropped = int(self._index.remove_ids(faiss.IDSelectorBatch(id_arr)))
        if dropped:
            self._fields.drop(id_arr)
            self._changed()
        if self.kind == "ivf" and len(self) < IVF_THRESHOLD // 2:
            self._rebuild_as("flat")  # hysteresis: no flapping around the threshold
        return dropped

    # --- searching -----------------------------------------------------------------------------
    def search(self, vecs: np.ndarray, k: int, *, where: Where | None = None,
               nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by inner product for each row among what `where` admits: (scores, ids), shapes (n, k), best
        first, ties by the smaller id; missing slots hold id -1 and score -inf. `nprobe` (IVF only) overrides
        how many lists are probed (bench/search.py sweeps it)."""
        q = vecs if _is_query(vecs) else np.ascontiguousarray(np.atleast_2d(vecs), dtype=np.float32)
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise ValueError(f"query has dim {q.shape[-1]}, the index holds dim {self.dim}")
        k = max(1, int(k))
        n = len(self._fields)
        found = self._filters.get(where, self._probes() if self.kind == "ivf" else None) if n else None
        if found is None or found.nothing:
            return np.full((len(q), k), -np.inf, dtype=np.float32), np.full((len(q), k), -1, dtype=np.int64)
        index, params, at = self._index, found.params, None
        if found.source is not None and self.kind == "flat":
            # one source's rows, contiguous: the inner flat index scans them alone, positions map to ids
            at, bounds, ranges = self._grouped()
            if found.source not in ranges:
                lo, hi = int(bounds[found.source]), int(bounds[found.source + 1])
                sel = range_selector(lo, hi)
                ranges[found.source] = (self._index.index, search_params(sel), hi - lo, sel)
            index, params, n, _ = ranges[found.source]
        elif nprobe is not None and self.kind == "ivf":
            params = search_params(found.sel, nprobe)
        lists = None
        if self.kind == "ivf" and found.sel is not None:  # found.params probe the filtered number of lists
            lists = self._lists_of(q, nprobe if nprobe is not None else self._probes()[1])
        fetch = min(n, k + 1)  # one more than asked: says whether a tie runs on past the k-th
        # One query is memory-bound: a second OpenMP thread only adds a barrier, and on a busy machine
        # waiting for it multiplied flat-search latency 3-7x (bench/search.py).
        with threads(len(q) < SINGLE_THREAD_BELOW):
            while True:
                if lists is not None:  # the filtered IVF search of a query already assigned to its lists
                    scores, ids = search_preassigned(index, q, fetch, lists[1], lists[0], params)
                else:
                    scores, ids = search(index, q, fetch, params)
                if fetch <= k or fetch >= n:
                    break
                tied = (ids[:, -1] >= 0) & (scores[:, -1] == scores[:, k - 1])
                if not tied.any():
                    break
                fetch = min(n, 2 * fetch)  # FAISS breaks ties by position: fetch the whole tie, then by id
        if at is not None:
            ids = at[ids]  # positions to passage ids (`at` ends with -1: an empty slot stays empty)
        return _ranked(scores, ids, k)

    def search_each(self, vecs: np.ndarray, k: int,
                    wheres: Sequence[Where | None]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each filter's top k, as `search` gives it. For one query on a flat index, every row's score is computed
        once (FAISS's inner-product kernel) and each one-source filter ranks its own rows (grouped by source):
        at 5,000 passages of 137 sources that is 0.9 ms where a search per source took 1.8. Other filters, and
        IVF indexes, search once each."""
        q = vecs if _is_query(vecs) else np.ascontiguousarray(np.atleast_2d(vecs), dtype=np.float32)
        k = max(1, int(k))
        found = [self._filters.get(w, None) for w in wheres] if self.kind == "flat" and len(self._fields) else []
        if len(q) != 1 or q.shape[1] != self.dim or sum(f.source is not None for f in found) < 2:
            return [self.search(q, k, where=w) for w in wheres]
        at, bounds, _ = self._grouped()
        scores = inner_products(self._index.index, q[0])
        out_scores = np.full((len(wheres), k), -np.inf, dtype=np.float32)
        out_ids = np.full((len(wheres), k), -1, dtype=np.int64)
        answers = []
        for row, (where, f) in enumerate(zip(wheres, found, strict=True)):
            if f.source is None:
                answers.append(self.search(q, k, where=where))
                continue
            lo, hi = int(bounds[f.source]), int(bounds[f.source + 1])
            seg = scores[lo:hi]
            if hi - lo > k:  # the k best and whatever ties the k-th: ranked below by score, then id
                pick = np.flatnonzero(seg >= np.partition(seg, hi - lo - k)[hi - lo - k])
            else:
                pick = np.arange(hi - lo)
            best = sorted(zip((-seg[pick]).tolist(), at[lo + pick].tolist(), strict=True))[:k]
            out_scores[row, :len(best)] = [-s for s, _ in best]
            out_ids[row, :len(best)] = [i for _, i in best]
            answers.append((out_scores[row:row + 1], out_ids[row:row + 1]))
        return answers

    def search_sources(self, vec: np.ndarray, k: int, sources: Iterable[str], *, exclude_article: int | None = None,
                       articles: frozenset[int] | None = None,
                       min_score: float = -np.inf) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Each named source's k best (VectorBackend.search_sources). A flat index scores every row once (FAISS's
        inner-product kernel, as `search_each`), keeps the rows of the sources asked at or above `min_score`
        (most of them fall below it), and ranks what is left by (source, score, id) in numpy: at 5,000 passages of
        137 sources, one array sort instead of a ranking per source. An IVF index asks a filter per source."""
        q = vec if _is_query(vec) and vec.ndim == 2 and len(vec) == 1 else np.ascontiguousarray(
            np.asarray(vec, dtype=np.float32).reshape(1, -1))
        if self.kind != "flat" or q.shape[1] != self.dim or not len(self._fields):
            return super().search_sources(q, k, sources, exclude_article=exclude_article, articles=articles,
                                          min_score=min_score)
        k = max(1, int(k))
        f = self._fields
        codes = [c for name in set(sources) if (c := f.code_of.get(name)) is not None]
        if not codes:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64), []
        at, _, _ = self._grouped()  # first: regrouping replaces the flat index
        code_at, article_at = self._placed()
        scores = inner_products(self._index.index, q[0])
        asked = np.zeros(len(f.names), dtype=bool)
        asked[codes] = True
        keep = asked[code_at]
        if min_score > -np.inf:  # compared in float64, as a filtered search's scores are (float32(0.7) < 0.7)
            keep &= scores.astype(np.float64) >= float(min_score)
        if exclude_article is not None:
            keep &= article_at != exclude_article
        if articles is not None:
            keep &= np.isin(article_at, np.fromiter(articles, dtype=np.int64, count=len(articles)))
        rows = np.flatnonzero(keep)
        got, ids, by = scores[rows], at[rows], code_at[rows]
        order = np.lexsort((ids, -got, by))  # each source's rows together, best first, ties by the smaller id
        ranked = by[order]
        order = order[np.arange(len(ranked)) - np.searchsorted(ranked, ranked) < k]  # its place in its source < k
        got, ids, by = got[order], ids[order], by[order]
        best = np.lexsort((ids, -got))
        return got[best], ids[best], [f.names[c] for c in by[best].tolist()]

    def _placed(self) -> tuple[np.ndarray, np.ndarray]:
        """The source code and the article id of each row of a flat index grouped by source (_grouped), in row
        order; remade after a change."""
        if self._rows is None:
            at, _, _ = self._grouped()
            f = self._fields
            by_id = np.argsort(f.ids, kind="stable")
            held = by_id[np.searchsorted(f.ids, at[:-1], sorter=by_id)]
            self._rows = (f.codes[held], f.articles[held])
        return self._rows

    def _lists_of(self, q: np.ndarray, nprobe: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, numbers) of the IVF lists a query probes, kept for the next search of the same query:
        per-source retrieval searches one claim once per source, and at 2,048 lists finding them costs more
        than scanning one source's share of them."""
        probes = int(nprobe or self._index.nprobe)
        key = q.tobytes()
        if self._assigned is None or self._assigned[:2] != (key, probes):
            with threads(len(q) < SINGLE_THREAD_BELOW):
                dist, lists = self._index.quantizer.search(q, probes)
            self._assigned = (key, probes, dist, lists)
        return self._assigned[2], self._assigned[3]

    def _grouped(self) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[Any, Any, int, Selector]]]:
        """A flat index's rows grouped by source, regrouped on the first search of one source after a change:
        (the passage id at each position and a last -1, where each source code's rows start with the end as
        the last entry, the range parameters made so far). FAISS scans a range of a flat index's rows alone,
        where a bitmap is asked row by row: at 5,000 passages of 137 sources, 4 µs a source instead of 30."""
        if self._layout is None:
            import faiss

            f = self._fields
            at = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            by_id = np.argsort(f.ids, kind="stable")
            codes = f.codes[by_id[np.searchsorted(f.ids, at, sorter=by_id)]]
            if len(codes) > 1 and bool((np.diff(codes) < 0).any()):
                order = np.argsort(codes, kind="stable")
                vecs = self._index.index.reconstruct_n(0, len(at))
                fresh = new_faiss("flat", self.dim)
                with threads(len(at) < SINGLE_THREAD_BUILD_BELOW):
                    fresh.add_with_ids(np.ascontiguousarray(vecs[order]), np.ascontiguousarray(at[order]))
                del vecs
                # the same vectors and ids in another order: nothing to save, and the filters stay right
                self._index, at, codes = fresh, at[order], codes[order]
            self._layout = (np.append(at, -1), np.searchsorted(codes, np.arange(len(f.names) + 1)), {})
        return self._layout

    def _probes(self) -> tuple[int, int]:
        """Lists an IVF search probes: unfiltered, and filtered. A filter keeps only a share of each list, so a
        filtered search probes FILTERED_PROBES times as many (one outlet of 20 at 10^5 vectors: recall@10 0.910
        with the unfiltered 32 lists, 0.988 with 128; bench/scale.py search)."""
        n = int(self._index.nprobe)
        return n, min(int(self._index.nlist), FILTERED_PROBES * n)

    # --- persistence ---------------------------------------------------------------------------
    def flush(self) -> None:
        """Write the three files atomically (factcheck.vectors.faiss_files.save); nothing when nothing changed."""
        if not self._dirty:
            return
        save(self.directory, self._index, self._fields, model_name=self.model_name, dim=self.dim, kind=self.kind)
        self._dirty = False

    def close(self) -> None:
        """FAISS holds no file or lock between calls: only the filter caches are let go."""
        self._filters.clear()

    def describe(self) -> Description:
        detail = (f"ivf ({self._index.nlist} lists, nprobe {self._index.nprobe})" if self.kind == "ivf"
                  else self.kind)
        return Description(backend=self.name, model_name=self.model_name, dim=self.dim, count=len(self),
                           location=str(self.directory), detail=detail)


def _ranked(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """FAISS's answer (best first, ties in the order it met them, empty slots id -1) as the contract has it:
    ties by the smaller id, empty slots score -inf, k columns."""
    out_scores = np.full((len(ids), k), -np.inf, dtype=np.float32)
    out_ids = np.full((len(ids), k), -1, dtype=np.int64)
    if len(ids) == 1:  # one query, the usual case: a handful of numbers, cheaper in Python than in numpy
        row = [(-s, i) for s, i in zip(scores[0].tolist(), ids[0].tolist(), strict=True) if i >= 0]
        if any(a[0] == b[0] for a, b in itertools.pairwise(row)):
            row.sort()
        row = row[:k]
        if row:
            out_scores[0, :len(row)] = [-s for s, _ in row]
            out_ids[0, :len(row)] = [i for _, i in row]
        return out_scores, out_ids
    missing = ids < 0
    scores = np.where(missing, -np.inf, scores)
    order = np.lexsort((ids, -scores), axis=-1)[:, :k]  # best first already: only ties move, by the smaller id
    got = order.shape[1]
    out_scores[:, :got] = np.take_along_axis(scores, order, axis=1)
    out_ids[:, :got] = np.take_along_axis(ids, order, axis=1)
    return out_scores, out_ids


def _is_query(vecs: object) -> bool:
    """Already what FAISS reads (rows of float32, contiguous): retrieval's queries are, and skip the copy."""
    return (isinstance(vecs, np.ndarray) and vecs.ndim == 2 and vecs.dtype == np.float32
            and vecs.flags.c_contiguous)
