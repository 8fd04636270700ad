"""The vector index: FAISS, persisted in the store folder beside factcheck.sqlite3.

Two files: `index.faiss` (FAISS's own format — never pickle) and `index.json` (model, dim, count, kind,
size and sha256 of the FAISS file). Every FAISS id is a passage id, so adding and
removing follow the store. Opening checks the json against the file and the model in use: another
model or dimension is refused (IndexMismatchError) unless a rebuild is asked for; a damaged,
truncated or miscounted file comes back empty with a message, and `sync` refills it from the stored
passages — cheap, because the store caches every embedding.

Exact search (flat inner product) while small; past IVF_THRESHOLD vectors, an inverted-file index (IVF)
whose lists hold each vector as float16 (FAISS's scalar quantiser, QT_fp16). Measured in bench/search.py
on 1M vectors made from real MiniLM passage vectors (one query thread, nprobe 32 of 2048 lists):
recall@10 0.981 against exact search, p50 2.6 ms, peak RSS 1.46 GB while building and searching; exact
search at 1M takes 98 ms and 2.6 GB. float16 keeps float32's recall at half its memory and decodes back
exactly to what it stored, so a rebuild never drifts; 8-bit codes (a quarter) cost recall on close
neighbours unless re-ranked from float32 vectors kept elsewhere. IVF rather than HNSW: it drops ids
natively and builds in minutes where HNSW took most of an hour at 1M on this 2-core machine.
faiss is imported here and in factcheck.faiss_build only, inside functions; checksums, fsync and the file
lock come from factcheck.durable.

Several processes may share a store (dashboard, CLI): a save swaps both files under an exclusive
flock on `index.lock` and an open reads them under a shared one, so an open never pairs one save's
index with another's metadata. Within a process, `sync` holds the caller's lock only while FAISS
changes, never while embedding, so searches go on during an ingest.

A save that fails (a full disk: FAISS says so in a RuntimeError) is a StoreError saying so, removes its
temp files and leaves the saved pair as it was; opening sweeps the temp files of saves that were killed.
A read-only store's index is synced in memory and never saved.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from factcheck.durable import (
    files_locked,
    fsync_dir,
    out_of_space,
    read_small,
    sha256,
    sweep_temp_files,
    temp_path,
    writing,
)
from factcheck.errors import IndexMismatchError, StoreError
from factcheck.faiss_build import IVF_NPROBE, IVF_TRAIN_PER_LIST, ivf_lists, new_faiss, sample_rows, threads

if TYPE_CHECKING:
    from factcheck.embed import Encoder, Progress
    from factcheck.store import Store

log = logging.getLogger(__name__)

INDEX_FILE = "index.faiss"
META_FILE = "index.json"
LOCK_FILE = "index.lock"
FORMAT = 1
KINDS = ("flat", "ivf")
# Measured in bench/search.py (dim 384, one thread, CPU time per query): exact search p50 is 1.5 ms at
# 10k, 3.9 ms at 30k, 6.6 ms at 50k, so it passes ~5 ms near 40k; beyond it IVF answers faster.
IVF_THRESHOLD = 40_000
# How IVF lists store vectors: "fp16" (2 bytes a dimension, decodes back exactly to what it stored),
# "sq8" (1 byte, per-dimension ranges) or "flat" (float32). bench/search.py compares them.
IVF_CODEC = "fp16"
SYNC_CHUNK = 8192
META_MAX_BYTES = 1 << 16  # index.json holds a few fields: a bigger one is not ours
ADD_CHUNK = 50_000  # vectors moved at once when an index is rebuilt: bounds the extra memory
SINGLE_THREAD_BELOW = 16  # queries per search call
# Vectors below which building (k-means, adding) runs on one thread: on a busy 2-core machine OpenMP's
# second thread mostly waits at barriers, and the index tests ran 40x slower with it (1 s vs 40 s).
SINGLE_THREAD_BUILD_BELOW = 200_000


@dataclass(frozen=True)
class SyncResult:
    added: int
    removed: int
    message: str | None = None  # why the index was rebuilt, when it was


def _as_ids(ids: Iterable[int]) -> np.ndarray:
    return np.ascontiguousarray(np.fromiter((int(i) for i in ids), dtype=np.int64))


class VectorIndex:
    """Passage vectors searchable by inner product; ids are passage ids."""

    def __init__(self, directory: Path, model_name: str, dim: int, *, kind: str = "flat",
                 faiss_index: Any = None, message: str | None = None) -> None:
        self.directory = Path(directory)
        self.model_name = model_name
        self.dim = int(dim)
        self.kind = kind
        self._index = faiss_index if faiss_index is not None else new_faiss("flat", self.dim)
        self.message = message  # set when open() had to start again; sync() refills
        self.dirty = message is not None

    # --- opening -------------------------------------------------------------------------------
    @classmethod
    def create(cls, store_dir: Path | str, model_name: str, dim: int) -> VectorIndex:
        """A new empty index for this model, to be filled by sync() and saved over any old one."""
        vi = cls(Path(store_dir), model_name, dim)
        vi.dirty = True
        return vi

    @property
    def messages(self) -> list[str]:
        """What open() had to repair, for the facade to show (empty when all was well)."""
        return [self.message] if self.message else []

    @classmethod
    def open(cls, store_dir: Path | str, model_name: str, dim: int, *,
             rebuild_on_mismatch: bool = False) -> VectorIndex:
        """The index persisted in store_dir, or an empty one (with `.message` saying why) to refill."""
        d = Path(store_dir)
        if os.access(d, os.W_OK):  # what saves that were killed or failed left: each as big as the index
            for gone in sweep_temp_files(d, (INDEX_FILE, META_FILE)):
                log.info("removed %s, left by a save that did not finish", gone.name)
        with files_locked(d / LOCK_FILE, exclusive=False):  # no save swaps the files while they are read
            return cls._read(d, model_name, dim, rebuild_on_mismatch)

    @classmethod
    def _read(cls, d: Path, model_name: str, dim: int, rebuild_on_mismatch: bool) -> VectorIndex:
        meta_path, index_path = d / META_FILE, d / INDEX_FILE
        if not meta_path.exists() and not index_path.exists():
            return cls(d, model_name, dim)

        def damaged(reason: str) -> VectorIndex:
            msg = f"The search index in {d} was damaged ({reason}); rebuilding it from the stored passages."
            log.warning(msg)
            return cls(d, model_name, dim, message=msg)

        try:
            meta = json.loads(read_small(meta_path, META_MAX_BYTES))
            m_model, m_dim, m_count = str(meta["model"]), int(meta["dim"]), int(meta["count"])
            m_kind, m_size, m_sum = str(meta["kind"]), int(meta["size"]), str(meta["sha256"])
        except FileNotFoundError:
            return damaged(f"{META_FILE} is missing")
        except (OSError, ValueError, KeyError, TypeError) as e:
            return damaged(f"{META_FILE} is unreadable: {e}")
        if (m_model, m_dim) != (model_name, int(dim)):
            msg = (f"The search index in {d} was built with {m_model} (dim {m_dim}), this is {model_name} "
                   f"(dim {dim}): run `factcheck reindex`.")
            if not rebuild_on_mismatch:
                raise IndexMismatchError(msg)
            log.warning(msg)
            return cls(d, model_name, dim, message=msg.replace("run `factcheck reindex`", "rebuilding it"))
        if not index_path.exists():
            return damaged(f"{INDEX_FILE} is missing")
        if not index_path.is_file():  # a FIFO would block the read for ever, /dev/zero never end it
            return damaged(f"{INDEX_FILE} is not a regular file")
        size = index_path.stat().st_size
        if size != m_size:
            return damaged(f"{INDEX_FILE} has {size} bytes, {m_size} were written")
        if sha256(index_path) != m_sum:
            return damaged(f"{INDEX_FILE} does not match its checksum")
        import faiss

        try:
            fx: Any = faiss.read_index(str(index_path))
        except RuntimeError as e:
            return damaged(f"FAISS cannot read it: {str(e).splitlines()[0][:200]}")
        if fx.d != m_dim or fx.ntotal != m_count or m_kind not in KINDS:
            return damaged(f"it holds {fx.ntotal} vectors of dim {fx.d}, {m_count} of dim {m_dim} were recorded")
        if m_kind == "ivf":  # read_index returns the concrete class (a downcast copy would free it)
            fx.nprobe = min(IVF_NPROBE, fx.nlist)
        return cls(d, model_name, dim, kind=m_kind, faiss_index=fx)

    # --- contents ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._index.ntotal)

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

    def ids(self) -> np.ndarray:
        """The passage ids held."""
        import faiss

        if self.kind == "flat":
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        inv = self._index.invlists
        parts = [faiss.rev_swig_ptr(inv.get_ids(no), inv.list_size(no)).astype(np.int64)
                 for no in range(self._index.nlist) if inv.list_size(no)]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

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
        self._index, self.kind, self.dirty = fresh, kind, True

    def add(self, ids: Sequence[int] | np.ndarray, vecs: np.ndarray) -> None:
        """Add (or replace) vectors under passage ids."""
        id_arr = _as_ids(ids)
        vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape != (len(id_arr), self.dim):
            raise ValueError(f"expected {len(id_arr)} vectors of dim {self.dim}, got shape {vecs.shape}")
        if len(np.unique(id_arr)) != len(id_arr):
            raise ValueError("duplicate ids in one add")
        if not len(id_arr):
            return
        self.remove(id_arr)  # replace, never duplicate
        self.dirty = True
        n = len(self) + len(id_arr)
        if self.kind == "flat" and n > IVF_THRESHOLD:
            self._rebuild_as("ivf", (id_arr, vecs))
        elif self.kind == "ivf" and ivf_lists(n) > 2 * self._index.nlist:
            self._rebuild_as("ivf", (id_arr, vecs))  # grown ~16x since training: retrain the lists
        else:
            with threads(len(id_arr) < SINGLE_THREAD_BUILD_BELOW):
                self._index.add_with_ids(vecs, id_arr)

    def remove(self, ids: Iterable[int]) -> int:
        """Drop passage ids; ids not held are ignored. Returns how many were dropped."""
        import faiss

        id_arr = _as_ids(ids)
        if not len(id_arr) or not len(self):
            return 0
        dropped = int(self._index.remove_ids(faiss.IDSelectorBatch(id_arr)))
        if dropped:
            self.dirty = True
        if self.kind == "ivf" and len(self) < IVF_THRESHOLD // 2:
            self._rebuild_as("flat")  # hysteresis: no flapping around the threshold
        return dropped

    def search(self, vecs: np.ndarray, k: int, *, allowed: Iterable[int] | None = None,
               nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by inner product for each row: (scores, ids), shapes (n, k); missing slots hold id -1.

        allowed restricts the search to those passage ids (a FAISS selector, not a post-filter).
        """
        import faiss as _faiss

        faiss: Any = _faiss  # SWIG keyword arguments (sel=, nprobe=) are beyond its type stubs
        q = np.ascontiguousarray(np.atleast_2d(vecs), dtype=np.float32)
        if q.shape[1] != self.dim:
            raise ValueError(f"query has dim {q.shape[1]}, the index holds dim {self.dim}")
        k = max(1, int(k))
        n = len(self)
        if n == 0:
            return np.full((len(q), k), -np.inf, dtype=np.float32), np.full((len(q), k), -1, dtype=np.int64)
        sel = faiss.IDSelectorBatch(_as_ids(allowed)) if allowed is not None else None
        kk = min(k, n)
        params: Any
        if self.kind == "ivf":
            params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe or self._index.nprobe)
        else:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
        # One query is memory-bound: a second OpenMP thread only adds a barrier, and on a busy machine
        # waiting for it multiplied flat-search latency 3-7x (bench/search.py).
        with threads(len(q) < SINGLE_THREAD_BELOW):
            scores, ids = self._index.search(q, kk, params=params)
        if kk < k:  # pad to the shape asked for
            scores = np.pad(scores, ((0, 0), (0, k - kk)), constant_values=-np.inf)
            ids = np.pad(ids, ((0, 0), (0, k - kk)), constant_values=-1)
        scores = np.where(ids < 0, -np.inf, scores).astype(np.float32)
        return scores, ids.astype(np.int64)

    # --- persistence ---------------------------------------------------------------------------
    def save(self) -> None:
        """Write both files atomically (temp file, fsync, os.replace): a crash leaves old or new, never half.
        A failed save (a full disk) removes its temp files and leaves the saved pair as it was."""
        import faiss

        d = self.directory
        try:
            d.mkdir(parents=True, exist_ok=True)
            tmp, mtmp = temp_path(d / INDEX_FILE), temp_path(d / META_FILE)
            with writing(tmp) as f, writing(mtmp) as mf:
                faiss.write_index(self._index, str(tmp))  # the same file: `writing` holds its lock
                os.fsync(f.fileno())
                meta = {"format": FORMAT, "model": self.model_name, "dim": self.dim, "count": len(self),
                        "kind": self.kind, "size": tmp.stat().st_size, "sha256": sha256(tmp)}
                mf.write(json.dumps(meta).encode("utf-8"))
                mf.flush()
                os.fsync(mf.fileno())
                # the slow part (writing, hashing) is done: swap the pair while no other process reads or swaps it
                with files_locked(d / LOCK_FILE, exclusive=True):
                    os.replace(tmp, d / INDEX_FILE)
                    os.replace(mtmp, d / META_FILE)
                    fsync_dir(d)
        except (OSError, RuntimeError) as e:  # FAISS raises RuntimeError for a failed write
            if out_of_space(e):
                raise StoreError(f"The disk holding {d} is full: the search index was not saved (what was "
                                 "stored is kept, and the index is rebuilt from it). Free some space, then "
                                 "run `factcheck doctor`.") from e
            raise StoreError(f"Cannot write the search index in {d}: {str(e).splitlines()[0][:300]}. Check the "
                             "folder is writable, then run `factcheck doctor`.") from e
        self.dirty = False


def sync(store: Store, index: VectorIndex, encoder: Encoder, progress: Progress | None = None, *,
         batch_size: int = 64, save: bool = True,
         lock: AbstractContextManager[Any] | None = None) -> SyncResult:
    """Make the index hold exactly the store's body passages: embed and add the missing, drop the deleted.

    Runs after every ingest and source removal, and refills an index open() found damaged. `lock`, when
    given, is held while FAISS changes (a search must not run then) and released while texts are embedded.
    """
    guard = lock if lock is not None else contextlib.nullcontext()
    from factcheck.embed import CachedEncoder

    if encoder.name != index.model_name or encoder.dim != index.dim:
        raise IndexMismatchError(
            f"The search index was built with {index.model_name} (dim {index.dim}), this is {encoder.name} "
            f"(dim {encoder.dim}): run `factcheck reindex`.")
    cached = encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(store, encoder)
    want = np.asarray(store.passage_ids(), dtype=np.int64)
    have = index.ids()
    with guard:
        removed = index.remove(have[~np.isin(have, want)])
    todo = want[~np.isin(want, have)]
    total, added = len(todo), 0
    for lo in range(0, total, SYNC_CHUNK):
        chunk = [int(i) for i in todo[lo:lo + SYNC_CHUNK]]
        passages = store.passages(ids=chunk)

        def step(done: int, _n: int, lo: int = lo) -> None:
            if progress is not None:
                progress(lo + done, total)

        vecs = cached.encode([p.text for p in passages], batch_size=batch_size, progress=step)
        with guard:
            index.add([p.id for p in passages], vecs)
        added += len(passages)
    if progress is not None:
        progress(total, total)
    message, index.message = index.message, None
    if save and index.dirty and not store.read_only:  # a read-only store's index lives in memory only
        index.save()
    return SyncResult(added=added, removed=removed, message=message)


def rebuild(store: Store, encoder: Encoder, progress: Progress | None = None, *,
            batch_size: int = 64) -> tuple[VectorIndex, SyncResult]:
    """A fresh index for this encoder from the stored passages (what `factcheck reindex` runs)."""
    store.require_writable()
    index = VectorIndex.create(store.path, encoder.name, encoder.dim)
    return index, sync(store, index, encoder, progress, batch_size=batch_size)
