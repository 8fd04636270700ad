"""Milvus: passage vectors in a collection on a Milvus server or cluster, or in a milvus-lite file in the store folder.

One collection per store and model: `factcheck_<store id>_<model slug>_d<dim>_<generation>`, fields `id` (INT64
primary key: the passage id), `vector` (FLOAT_VECTOR), `source` (VARCHAR) and `article` (INT64), inner-product
metric. The store's alias `factcheck_<store id>` names the collection searches use, so the stores sharing one
server never mix, and a reindex fills a new collection while searches go on against the old one, until its first
flush points the alias at it (one atomic step on the server) and drops the old. The model and dimension are
collection properties as well as part of the name: another model is refused with the message FAISS gives.
Replacing a vector is Milvus's upsert, so a server must be 2.3 or newer (pymilvus 3.0.2 is tested against 2.3.5
and milvus-lite 3.2.2).

Filters run inside Milvus as a boolean expression; a source name is user text, so it goes in as a quoted string
literal with its backslashes, quotes and line breaks escaped (the escapes both Milvus's parser and milvus-lite's
read the same way), never spliced. Reads ask for Session consistency: a search waits until the server has applied
this process's own writes (pymilvus keeps their timestamps), so a change is visible to the next search; Strong
would wait for a fresh timestamp on every call (a time tick, ~200 ms on a 2.3 server) for writes this process
does not need to see at once (another process's, which `factcheck.index.sync` reconciles anyway). A 2.3 server
answers a delete without its timestamp, so the first read after one asks for Strong.

Index: FLAT (exact, as FAISS's flat index answers) for a collection made live with fewer than INDEX_FROM vectors;
from there a reindex gives it HNSW (M 16, efConstruction 200; searched with ef max(128, what is fetched)).
Measured on a 2.3.5 server with 10^5 realistic sentence vectors (bench/search.py's "text" data) of 50 sources, on
a busy 2-core machine, recall@10 against exact search / p50:
    FLAT                  1.000 / 21 ms   one source (2%) 1.000 / 9 ms   all but one 1.000 / 11 ms
    IVF_FLAT 1024, np 64  0.988 / 1.7 ms  one source      0.920 / 1.5 ms all but one 0.988 / 1.8 ms
    HNSW 16/200, ef 128   0.990 / 1.8 ms  one source      1.000 / 2.4 ms all but one 0.988 / 1.8 ms
built in 35 s (IVF) and 54 s (HNSW). A per-source search (retrieval's default) filters to one source, where IVF
misses the lists that source's passages fall in and HNSW does not (Milvus searches a small admitted set by brute
force). At 10^6 it stays HNSW with these parameters (Milvus builds it per sealed segment of ~330k vectors); not
measured here. A store that grows past INDEX_FROM without a reindex stays FLAT (describe() says so). Milvus
searches growing segments by brute force and sealed ones through their index; ties and filters work the same.

Connecting (a server URI or a milvus-lite file), the install hint and what a failure means for the user live in
`factcheck.vectors.milvus_client`; pymilvus is imported there and here only, inside functions.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, ClassVar, Self

import numpy as np

from factcheck.errors import IndexMismatchError, StoreError
from factcheck.vectors import milvus_client as mc
from factcheck.vectors.base import (
    BackendName,
    Description,
    Location,
    VectorBackend,
    Where,
    as_ids,
    mismatch,
    upsert_rows,
)
from factcheck.vectors.milvus_client import LITE_FILE, shown_uri

__all__ = ["LITE_FILE", "MilvusBackend", "filter_expr", "quote", "shown_uri", "slug"]

log = logging.getLogger(__name__)

PREFIX = "factcheck_"
FORMAT = "1"
MODEL_KEY, DIM_KEY, FORMAT_KEY = "factcheck.model", "factcheck.dim", "factcheck.format"
MAX_TOPK = 16_384  # Milvus's limit on one search's top-k (and on a query's limit)
MAX_SOURCE_BYTES = 65_535  # Milvus's largest VARCHAR
WRITE_CHUNK = 5_000  # rows a call: 5,000 x 384 floats is ~8 MB, well under gRPC's 64 MB message cap
ID_CHUNK = 10_000  # ids in one `id in [...]` expression
INDEX_FROM = 100_000  # vectors from which a collection made live by a reindex gets HNSW instead of FLAT
HNSW_BUILD = {"M": 16, "efConstruction": 200}
HNSW_EF = 128
CONSISTENCY = "Session"  # see the module's docstring


def quote(text: str) -> str:
    """`text` as a string literal of a Milvus filter expression: backslashes, double quotes and line breaks
    escaped (Milvus's parser and milvus-lite's both read \\\\ \\" \\n \\r \\t); every other character as it is."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def filter_expr(where: Where | None) -> str:
    """A Where as a Milvus boolean expression ("" admits everything); source names quoted, never spliced."""
    if where is None:
        return ""
    parts = []
    if where.sources is not None:
        parts.append(f"source in [{', '.join(quote(s) for s in sorted(where.sources))}]")
    if where.exclude_source is not None:
        parts.append(f"source != {quote(where.exclude_source)}")
    if where.exclude_article is not None:
        parts.append(f"article != {int(where.exclude_article)}")
    if where.articles is not None:
        parts.append(f"article in [{', '.join(str(int(a)) for a in sorted(where.articles))}]")
    return " and ".join(parts)


def slug(text: str) -> str:
    """Letters, digits and underscores only (what Milvus allows in a name), with a short hash of the exact
    text, so 'a-b' and 'a_b' get different names."""
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:80] or "model"
    return f"{base}_{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


class MilvusBackend(VectorBackend):
    """One store's passage vectors in a Milvus collection (see the module's docstring)."""

    name: ClassVar[BackendName] = "milvus"

    def __init__(self, client: Any, where: Location, model_name: str, dim: int, *, collection: str,
                 pending: bool = False, message: str | None = None) -> None:
        self._client = client
        self._where = where
        self.model_name = model_name
        self.dim = int(dim)
        self.alias = PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", where.store_id)[:100]
        self.collection = collection
        self._pending = pending  # made by create() or a rebuild: the alias points at it on first flush
        self._dirty = pending
        self._messages = [message] if message else []
        self._hnsw = False
        self._deleted = False  # a delete since the last read: the next read asks for Strong consistency
        self._lite = mc.is_lite(where)
        self._closed = False

    @property
    def place(self) -> str:
        return mc.place(self._where)

    @contextmanager
    def _calling(self, doing: str) -> Iterator[None]:
        if self._closed:
            raise StoreError(f"The Milvus connection to {self.place} is closed; open the store again.")
        with mc.translated(self._where, doing):
            yield

    # --- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, where: Location, model_name: str, dim: int, *, rebuild_on_mismatch: bool = False) -> Self:
        """The collection the store's alias names, or a new empty one (with a message when something was there
        that cannot be used) for `sync` to fill; another model or dimension raises IndexMismatchError unless
        rebuild_on_mismatch, which gives a new collection that replaces the old one when first flushed."""
        client = mc.connect(where)
        probe = cls(client, where, model_name, dim, collection="")
        try:
            with probe._calling("open the store's collection"):
                live = probe._live()
                if live is None:
                    probe.collection = probe._new_collection()
                    if not probe._point_alias_at(probe.collection, expected_old=None):
                        probe._drop(probe.collection)  # another process made one first: use that
                        live = probe._live()
                if live is not None:
                    problem = probe._check(live, rebuild_on_mismatch)
                    if problem is None:
                        probe.collection = live
                        probe._ensure_loaded(live)
                        probe._hnsw = probe._index_kind(live) == "HNSW"
                    else:
                        log.warning(problem)
                        probe._messages = [problem]
                        probe.collection, probe._pending, probe._dirty = probe._new_collection(), True, True
            return probe
        except BaseException:
            probe.close()
            raise

    @classmethod
    def create(cls, where: Location, model_name: str, dim: int) -> Self:
        """A new empty collection for this model; the alias moves to it (and the old one is dropped) on its first
        flush, so searches go on against the old vectors while `factcheck reindex` fills it."""
        client = mc.connect(where)
        fresh = cls(client, where, model_name, dim, collection="", pending=True)
        try:
            with fresh._calling("make a new collection"):
                live = fresh._live()
                for name in fresh._own_collections():
                    if name != live:  # what a reindex that never finished left behind
                        fresh._drop(name)
                fresh.collection = fresh._new_collection()
            return fresh
        except BaseException:
            fresh.close()
            raise

    def _own_collections(self) -> list[str]:
        return [n for n in self._client.list_collections() if str(n).startswith(self.alias + "_")]

    def _live(self) -> str | None:
        """The collection the store's alias names, or None."""
        try:
            return str(self._client.describe_alias(self.alias)["collection_name"])
        except mc.pymilvus().exceptions.MilvusException as e:
            if mc.connection_lost(e):
                raise
            return None  # no such alias

    def _check(self, name: str, rebuild_on_mismatch: bool) -> str | None:
        """None when the collection holds this model's vectors; else why it is replaced (IndexMismatchError for
        another model unless rebuild_on_mismatch)."""
        info = self._client.describe_collection(name)
        props = info.get("properties") or {}
        fields = {f.get("name") for f in info.get("fields", [])}
        if props.get(FORMAT_KEY) != FORMAT or not {"id", "vector", "source", "article"} <= fields:
            return (f"The search index in {self.place} (collection {name}) was damaged (it is not a factcheck "
                    "collection of this version); rebuilding it from the stored passages.")
        m_model, m_dim = str(props.get(MODEL_KEY)), str(props.get(DIM_KEY))
        if (m_model, m_dim) == (self.model_name, str(self.dim)):
            return None
        place = f" in {self.place} (collection {name})"
        if not rebuild_on_mismatch:
            raise IndexMismatchError(mismatch(place, (m_model, m_dim), self.model_name, self.dim, rebuild=False))
        return mismatch(place, (m_model, m_dim), self.model_name, self.dim, rebuild=True)

    def _new_collection(self) -> str:
        """Make an empty collection for this model (FLAT index, loaded) and return its name."""
        pymilvus = mc.pymilvus()
        name = f"{self.alias}_{slug(self.model_name)}_d{self.dim}_{_generation()}"
        schema = pymilvus.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", pymilvus.DataType.INT64, is_primary=True)
        schema.add_field("vector", pymilvus.DataType.FLOAT_VECTOR, dim=self.dim)
        schema.add_field("source", pymilvus.DataType.VARCHAR, max_length=MAX_SOURCE_BYTES)
        schema.add_field("article", pymilvus.DataType.INT64)
        self._client.create_collection(name, schema=schema, index_params=self._index_params(hnsw=False),
                                       consistency_level=CONSISTENCY,
                                       properties={MODEL_KEY: self.model_name, DIM_KEY: str(self.dim),
                                                   FORMAT_KEY: FORMAT})
        self._ensure_loaded(name)
        return name

    def _level(self) -> str:
        """The consistency a read asks for (see the module's docstring)."""
        if self._deleted:
            self._deleted = False
            return "Strong"
        return CONSISTENCY

    def _index_params(self, *, hnsw: bool) -> Any:
        params = self._client.prepare_index_params()
        if hnsw:
            params.add_index(field_name="vector", index_name="vector", index_type="HNSW", metric_type="IP",
                             params=dict(HNSW_BUILD))
        else:
            params.add_index(field_name="vector", index_name="vector", index_type="FLAT", metric_type="IP")
        return params

    def _index_kind(self, name: str) -> str:
        with suppress(Exception):
            return str(self._client.describe_index(name, "vector").get("index_type", "")).upper()
        return ""

    def _ensure_loaded(self, name: str) -> None:
        state = str(self._client.get_load_state(name).get("state", ""))
        if not state.endswith("Loaded"):
            self._client.load_collection(name)

    def _point_alias_at(self, name: str, *, expected_old: str | None) -> bool:
        """Make the store's alias name `name`; False when another process made the alias first."""
        if expected_old is None:
            try:
                self._client.create_alias(name, self.alias)
            except mc.pymilvus().exceptions.MilvusException:
                if self._live() is None:
                    raise
                return False
            return True
        self._client.alter_alias(name, self.alias)
        return True

    def _drop(self, name: str) -> None:
        with suppress(mc.pymilvus().exceptions.MilvusException):
            self._client.drop_collection(name)

    # --- the contract ----------------------------------------------------------------------------
    def __len__(self) -> int:
        with self._calling("count the vectors"):
            rows = self._client.query(self.collection, filter="", output_fields=["count(*)"],
                                      consistency_level=self._level())
        return int(rows[0]["count(*)"]) if rows else 0

    def ids(self) -> np.ndarray:
        with self._calling("list the passage ids"):
            it = self._client.query_iterator(self.collection, batch_size=ID_CHUNK, filter="",
                                             output_fields=["id"], consistency_level=self._level())
            got: list[int] = []
            try:
                while batch := it.next():
                    got.extend(int(row["id"]) for row in batch)
            finally:
                it.close()
        return np.array(got, dtype=np.int64)

    def upsert(self, ids: Sequence[int] | np.ndarray, vecs: np.ndarray, sources: Sequence[str],
               articles: Sequence[int]) -> None:
        """Add (or replace: Milvus's upsert, a delete and an insert in one call) vectors under passage ids."""
        id_arr, vecs = upsert_rows(ids, vecs, sources, articles, self.dim)
        if not len(id_arr):
            return
        for s in sources:
            if len(s.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
                raise StoreError(f"A source name of {len(s)} characters is longer than Milvus stores "
                                 f"({MAX_SOURCE_BYTES} bytes); give the source a shorter name.")
        art = as_ids(articles)
        with self._calling("store vectors"):
            for lo in range(0, len(id_arr), WRITE_CHUNK):
                hi = min(lo + WRITE_CHUNK, len(id_arr))
                rows = [{"id": int(id_arr[i]), "vector": vecs[i].tolist(), "source": str(sources[i]),
                         "article": int(art[i])} for i in range(lo, hi)]
                self._client.upsert(self.collection, rows)
                self._dirty = True

    def _held(self, id_arr: np.ndarray) -> list[int]:
        """Which of these ids the collection holds."""
        held: list[int] = []
        for lo in range(0, len(id_arr), ID_CHUNK):
            chunk = id_arr[lo:lo + ID_CHUNK]
            rows = self._client.query(self.collection, filter=f"id in [{', '.join(str(int(i)) for i in chunk)}]",
                                      output_fields=["id"], limit=len(chunk), consistency_level=self._level())
            held.extend(int(r["id"]) for r in rows)
        return held

    def remove(self, ids: Iterable[int]) -> int:
        """Drop passage ids (ids not held are ignored): how many were held, since Milvus counts what it was
        asked to delete."""
        id_arr = np.unique(as_ids(ids))
        if not len(id_arr):
            return 0
        with self._calling("remove vectors"):
            held = self._held(id_arr)
            for lo in range(0, len(held), ID_CHUNK):
                self._client.delete(self.collection, ids=held[lo:lo + ID_CHUNK])
                self._deleted = True
        if held:
            self._dirty = True
        return len(held)

    def search(self, vecs: np.ndarray, k: int, *, where: Where | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by inner product for each row among what `where` admits, filtered inside Milvus: (scores, ids),
        shapes (n, k), best first, ties by the smaller id; missing slots hold id -1 and score -inf. Milvus returns
        at most MAX_TOPK hits a query: a larger k is padded."""
        q = np.ascontiguousarray(np.atleast_2d(vecs), dtype=np.float32)
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise ValueError(f"query has dim {q.shape[-1]}, the index holds dim {self.dim}")
        k = max(1, int(k))
        scores = np.full((len(q), k), -np.inf, dtype=np.float32)
        ids = np.full((len(q), k), -1, dtype=np.int64)
        if not len(q) or (where is not None and where.sources is not None and not where.sources):
            return scores, ids
        expr = filter_expr(where)
        todo, fetch = list(range(len(q))), min(k + 1, MAX_TOPK)  # one more than asked: does a tie run on?
        with self._calling("search"):
            while todo:
                params: dict[str, Any] = {"metric_type": "IP"}
                if self._hnsw:
                    params["params"] = {"ef": max(HNSW_EF, fetch)}  # Milvus wants ef >= the hits asked for
                found = self._client.search(self.collection, data=q[todo].tolist(), limit=fetch, filter=expr,
                                            search_params=params, output_fields=[], consistency_level=self._level())
                again = []
                for row, hits in zip(todo, found, strict=True):
                    pairs = sorted(((float(h["distance"]), int(h["id"])) for h in hits), key=lambda p: (-p[0], p[1]))
                    if len(pairs) == fetch > k and fetch < MAX_TOPK and pairs[-1][0] == pairs[k - 1][0]:
                        again.append(row)  # Milvus breaks ties anyhow: fetch the whole tie, then order by id
                        continue
                    pairs = pairs[:k]
                    scores[row, :len(pairs)] = [p[0] for p in pairs]
                    ids[row, :len(pairs)] = [p[1] for p in pairs]
                todo, fetch = again, min(4 * fetch, MAX_TOPK)
        return scores, ids

    def flush(self) -> None:
        """Make the changes durable. A server has logged each write before acknowledging it, and seals segments
        by itself (a flush after every sync would make small segments, which Milvus warns against), so only milvus-lite
        is flushed, and a collection made by create() or a rebuild: sealed, given HNSW when it holds INDEX_FROM
        vectors or more, then made the one the store's alias names, and the old one dropped."""
        if not self._dirty:
            return
        with self._calling("save the vectors"):
            if self._lite or self._pending:
                self._client.flush(self.collection)
            if self._pending:
                if len(self) >= INDEX_FROM:
                    self._client.release_collection(self.collection)
                    self._client.drop_index(self.collection, "vector")
                    self._client.create_index(self.collection, self._index_params(hnsw=True))
                    self._client.load_collection(self.collection)
                    self._hnsw = True
                old = self._live()
                if old is None:
                    self._point_alias_at(self.collection, expected_old=None)
                elif old != self.collection:
                    self._point_alias_at(self.collection, expected_old=old)
                    self._drop(old)
                self._pending = False
        self._dirty = False

    def close(self) -> None:
        """Close the connection; the last backend on a milvus-lite file in this process stops its server."""
        if not self._closed:
            self._closed = True
            mc.disconnect(self._where, self._client)

    def describe(self) -> Description:
        count = len(self)
        kind = f"hnsw (M {HNSW_BUILD['M']}, ef {HNSW_EF})" if self._hnsw else "flat"
        if not self._hnsw and not self._pending and count >= INDEX_FROM:
            kind += ": `factcheck reindex` would build HNSW"
        if self._pending:
            kind += ", replaces the live one on flush"
        return Description(backend=self.name, model_name=self.model_name, dim=self.dim, count=count,
                           location=mc.shown(self._where), detail=f"collection {self.collection} ({kind})")


def _generation() -> str:
    return secrets.token_hex(4)
