"""The search index as a pipeline step: the store's body passages, embedded, in a vector backend.

Where the vectors live and how they are searched is the backend's business (`factcheck.vectors`: FAISS files
in the store folder by default, Milvus when Settings.vector_backend says so); this module picks the backend,
and keeps it in line with the store. `open_index` opens what is stored for this model (another model or
dimension is refused with IndexMismatchError unless a rebuild is asked for; a damaged index comes back empty
with a message), `create_index` starts an empty one that replaces it when flushed, `sync` makes a backend hold
exactly the store's body passages, each with its source and article for filters, and `rebuild` is what
`factcheck reindex` runs.

This is the step above the models and the backends: neither `embed` nor `vectors` knows the other, or the store's
passages. Syncing reads the passages the backend lacks, encodes them through CachedEncoder over the store's
embedding cache (only what the cache lacks is embedded: once per model), and adds them to the backend; a rebuilt
index is refilled from that cache. Within a process, `sync` holds the caller's lock only while the backend
changes, never while embedding, so searches go on during an ingest. A read-only store's index is synced in
memory and never flushed.
"""
from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from factcheck.errors import IndexMismatchError
from factcheck.vectors import Location, VectorBackend, backend_class
from factcheck.vectors.base import mismatch

if TYPE_CHECKING:
    from factcheck.embed import Encoder
    from factcheck.progress import Progress
    from factcheck.settings import Settings
    from factcheck.store import Store

SYNC_CHUNK = 8192
INDEXING = "indexing"  # the label sync's progress reports under


@dataclass(frozen=True)
class SyncResult:
    added: int
    removed: int
    message: str | None = None  # why the index was rebuilt, when it was


def _backend(settings: Settings, store: Store) -> tuple[type[VectorBackend], Location]:
    location = Location(store.path, store.identity(), settings.milvus_uri, settings.milvus_token)
    return backend_class(settings.vector_backend), location


def open_index(settings: Settings, store: Store, model_name: str, dim: int, *,
               rebuild_on_mismatch: bool = False) -> VectorBackend:
    """The store's vectors for this model in the backend Settings name, or an empty backend (with a message
    in `messages`) for sync to refill."""
    cls, location = _backend(settings, store)
    return cls.open(location, model_name, dim, rebuild_on_mismatch=rebuild_on_mismatch)


def create_index(settings: Settings, store: Store, model_name: str, dim: int) -> VectorBackend:
    """A new empty backend for this model that replaces the stored vectors when first flushed."""
    cls, location = _backend(settings, store)
    return cls.create(location, model_name, dim)


def sync(store: Store, backend: VectorBackend, encoder: Encoder, progress: Progress | None = None, *,
         batch_size: int = 64, save: bool = True,
         lock: AbstractContextManager[object] | None = None) -> SyncResult:
    """Make the backend hold exactly the store's body passages: embed and add the missing (with their source
    and article), drop the deleted.

    Runs after every ingest and source removal, and refills an index open_index found damaged. `lock`, when
    given, is held while the backend changes (a search must not run then) and released while texts are embedded.
    """
    guard = lock if lock is not None else contextlib.nullcontext()
    from factcheck.embed import CachedEncoder

    if encoder.name != backend.model_name or encoder.dim != backend.dim:
        raise IndexMismatchError(mismatch("", (backend.model_name, backend.dim), encoder.name, encoder.dim,
                                          rebuild=False))
    cached = encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(store, encoder)
    want = np.asarray(store.passage_ids(), dtype=np.int64)
    have = backend.ids()
    with guard:
        removed = backend.remove(have[~np.isin(have, want)])
    todo = want[~np.isin(want, have)]
    total, added = len(todo), 0
    for lo in range(0, total, SYNC_CHUNK):
        chunk = [int(i) for i in todo[lo:lo + SYNC_CHUNK]]
        passages = store.passages(ids=chunk)

        def step(done: int, _n: int, _label: str, lo: int = lo) -> None:
            if progress is not None:
                progress(lo + done, total, INDEXING)

        vecs = cached.encode([p.text for p in passages], batch_size=batch_size, progress=step)
        with guard:
            backend.upsert([p.id for p in passages], vecs, [p.source for p in passages],
                           [p.article_id for p in passages])
        added += len(passages)
    if progress is not None:
        progress(total, total, INDEXING)
    if save and backend.dirty and not store.read_only:  # a read-only store's index lives in memory only
        backend.flush()
    return SyncResult(added=added, removed=removed, message=" ".join(backend.take_messages()) or None)


def rebuild(settings: Settings, store: Store, encoder: Encoder, progress: Progress | None = None, *,
            batch_size: int = 64) -> tuple[VectorBackend, SyncResult]:
    """A fresh index for this encoder from the stored passages (what `factcheck reindex` runs)."""
    store.require_writable()
    backend = create_index(settings, store, encoder.name, encoder.dim)
    return backend, sync(store, backend, encoder, progress, batch_size=batch_size)
