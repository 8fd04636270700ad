"""FAISS builds: a new index of each kind the FAISS backend uses, the id selectors its filtered searches
pass to FAISS, and the OpenMP thread switch.

faiss is imported here and in factcheck.vectors.faiss only, inside functions. The settings (lists, sample,
rounds) are measured in bench/search.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Lists probed per query (bench/search.py sweeps it), k-means sample per list and k-means rounds: a
# sample of 64 per list and 10 rounds place the lists as well as FAISS's defaults for search, at a
# fraction of the training time on 2 cores.
IVF_NPROBE = 32
IVF_TRAIN_PER_LIST = 64
IVF_TRAIN_ITER = 10


def ivf_lists(n: int) -> int:
    """About 2 sqrt(n) lists, a power of two, and at least 39 points each for k-means.

    Fewer lists than FAISS's 4 sqrt(n) guideline: k-means over 4096 lists at 1M took most of the
    build time on 2 cores, and a few more probed vectors per query cost well under a millisecond.
    """
    return max(1, min(int(2 ** round(np.log2(max(1.0, 2 * np.sqrt(n))))), n // 39))


def new_faiss(kind: str, dim: int, vecs: np.ndarray | None = None, *, nlist: int | None = None,
               codec: str = "fp16") -> Any:
    """An empty index of this kind; IVF is trained on `vecs` (a sample of what it will hold)."""
    import faiss

    if kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))  # inner product == cosine: vectors are L2-normalised
    if kind != "ivf":
        raise ValueError(f"unknown index kind {kind!r}")
    assert vecs is not None and len(vecs), "an IVF index is trained on a sample of the vectors it will hold"
    nlist = nlist or ivf_lists(len(vecs))
    quantizer = faiss.IndexFlatIP(dim)
    ivf: Any
    if codec == "flat":
        ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    elif codec in ("fp16", "sq8"):
        qtype = faiss.ScalarQuantizer.QT_fp16 if codec == "fp16" else faiss.ScalarQuantizer.QT_8bit
        # float16 of the vector itself (not of its residual) round-trips exactly through a rebuild;
        # 8-bit codes are finer on residuals, whose range is smaller
        ivf = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, qtype, faiss.METRIC_INNER_PRODUCT,
                                            codec == "sq8")
    else:
        raise ValueError(f"unknown IVF codec {codec!r}")
    ivf.cp.max_points_per_centroid = IVF_TRAIN_PER_LIST
    ivf.cp.niter = IVF_TRAIN_ITER
    ivf.train(np.ascontiguousarray(vecs, dtype=np.float32))  # FAISS samples max_points_per_centroid per list
    ivf.nprobe = min(IVF_NPROBE, nlist)
    return ivf


def read_index(path: Path) -> Any:
    """FAISS's own file format (never pickle); a RuntimeError from FAISS when it cannot read it."""
    import faiss

    return faiss.read_index(str(path))  # the concrete class (a downcast copy would free it)


def write_index(index: Any, path: Path) -> None:
    """FAISS's own file format; FAISS says a write failed (a full disk) in a RuntimeError."""
    import faiss

    faiss.write_index(index, str(path))


def sample_rows(vecs: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """At most n rows, drawn without replacement (k-means needs a spread, not the first rows)."""
    if len(vecs) <= n:
        return vecs
    return vecs[np.sort(np.random.default_rng(seed).choice(len(vecs), n, replace=False))]


def search(index: Any, q: np.ndarray, k: int, params: Any) -> tuple[np.ndarray, np.ndarray]:
    """index.search(q, k, params=params) without the checks and copies of FAISS's Python wrapper, for rows
    already float32 and contiguous (a per-source retrieval calls it once per source: the wrapper was a third
    of each call)."""
    import faiss

    scores = np.empty((len(q), k), dtype=np.float32)
    ids = np.empty((len(q), k), dtype=np.int64)
    index.search_c(len(q), faiss.swig_ptr(q), k, faiss.swig_ptr(scores), faiss.swig_ptr(ids), params)
    return scores, ids


def inner_products(flat: Any, q: np.ndarray) -> np.ndarray:
    """The query row's inner product with every row of a flat index, in row order (FAISS's own kernel)."""
    import faiss as _faiss

    faiss: Any = _faiss  # fvec_inner_products_ny and the flat class's get_xb are beyond its type stubs
    xb = faiss.downcast_index(flat)
    out = np.empty(xb.ntotal, dtype=np.float32)
    faiss.fvec_inner_products_ny(faiss.swig_ptr(out), faiss.swig_ptr(q), xb.get_xb(), xb.d, xb.ntotal)
    return out


def search_preassigned(ivf: Any, q: np.ndarray, k: int, lists: np.ndarray, dist: np.ndarray,
                       params: Any) -> tuple[np.ndarray, np.ndarray]:
    """An IVF search of queries already assigned to the lists they probe (`lists`, `dist`: what the quantizer
    answered), with search parameters (a selector): FAISS's Python wrapper takes no parameters here."""
    import faiss

    scores = np.empty((len(q), k), dtype=np.float32)
    ids = np.empty((len(q), k), dtype=np.int64)
    lists = np.ascontiguousarray(lists, dtype=np.int64)
    dist = np.ascontiguousarray(dist, dtype=np.float32)
    ivf.search_preassigned_c(len(q), faiss.swig_ptr(q), k, faiss.swig_ptr(lists), faiss.swig_ptr(dist),
                             faiss.swig_ptr(scores), faiss.swig_ptr(ids), False, params)
    return scores, ids


class threads:  # noqa: N801 - used as a function: `with threads(single):`
    """One OpenMP thread for FAISS inside the block when `single`, the previous count after it. A class, not a
    generator: a per-source retrieval enters it once per source, and a generator's context costs twice as much."""

    __slots__ = ("single", "before")

    def __init__(self, single: bool) -> None:
        self.single = single
        self.before = 0

    def __enter__(self) -> None:
        import faiss

        if self.single:
            self.before = faiss.omp_get_max_threads()
            if self.before != 1:
                faiss.omp_set_num_threads(1)

    def __exit__(self, *exc: object) -> None:
        import faiss

        if self.single and self.before != 1:
            faiss.omp_set_num_threads(self.before)


# A bitmap over passage ids costs max_id / 8 bytes and answers in one memory read; past this many bytes per id
# it holds (ids far apart, as a hand-made index may have) a hash set of the ids (IDSelectorBatch) is smaller.
BITMAP_BYTES_PER_ID = 64
BITMAP_MIN_BYTES = 1 << 20


@dataclass(frozen=True)
class Selector:
    """A FAISS IDSelector and the Python objects it points into (FAISS keeps raw pointers: the bitmap's
    memory and the selectors a composite one combines must live as long as it does)."""

    sel: Any
    keep: tuple[Any, ...] = ()


def ids_selector(ids: np.ndarray) -> Selector:
    """Admits exactly these ids (int64 >= 0): a bitmap over the id range when it is dense enough, else a hash set."""
    import faiss

    ids = np.ascontiguousarray(ids, dtype=np.int64)
    top = int(ids.max()) + 1 if len(ids) else 1
    if top // 8 <= max(BITMAP_MIN_BYTES, BITMAP_BYTES_PER_ID * len(ids)):
        mask = np.zeros(top, dtype=bool)
        mask[ids] = True
        bits = np.packbits(mask, bitorder="little")  # FAISS reads bit (id & 7) of byte (id >> 3)
        return Selector(faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits)), (bits,))
    return Selector(faiss.IDSelectorBatch(ids), (ids,))


def range_selector(lo: int, hi: int) -> Selector:
    """Admits positions lo <= i < hi. FAISS's flat search scans only those rows (a bitmap is asked row by row)."""
    import faiss

    return Selector(faiss.IDSelectorRange(int(lo), int(hi)))


def not_selector(inner: Selector) -> Selector:
    """Admits every id `inner` refuses."""
    import faiss

    return Selector(faiss.IDSelectorNot(inner.sel), (inner,))


def and_selector(a: Selector, b: Selector) -> Selector:
    """Admits the ids both admit."""
    import faiss

    return Selector(faiss.IDSelectorAnd(a.sel, b.sel), (a, b))


def search_params(sel: Selector | None, nprobe: int | None = None) -> Any:
    """FAISS's per-search parameters: the selector, and for an IVF index (nprobe given) the lists to probe."""
    import faiss as _faiss

    faiss: Any = _faiss  # SWIG keyword arguments (sel=, nprobe=) are beyond its type stubs
    if nprobe is not None:
        return faiss.SearchParametersIVF(sel=sel.sel if sel is not None else None, nprobe=nprobe)
    return faiss.SearchParameters(sel=sel.sel) if sel is not None else None
