"""FAISS builds: a new index of each kind the vector index uses, and the OpenMP thread switch.

faiss is imported here and in factcheck.index only, inside functions. The settings (lists, sample,
rounds) are measured in bench/search.py.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
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


def sample_rows(vecs: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """At most n rows, drawn without replacement (k-means needs a spread, not the first rows)."""
    if len(vecs) <= n:
        return vecs
    return vecs[np.sort(np.random.default_rng(seed).choice(len(vecs), n, replace=False))]


@contextlib.contextmanager
def threads(single: bool) -> Iterator[None]:
    """One OpenMP thread for FAISS inside the block when `single`, the previous count after it."""
    import faiss

    before = faiss.omp_get_max_threads()
    if single:
        faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
