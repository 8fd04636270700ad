"""Search latency, peak memory and recall@10 of the vector index at 10k to 1M vectors (dim 384).

Each (data, size, configuration) runs in its own subprocess, so its peak RSS (getrusage ru_maxrss;
tracemalloc cannot see FAISS) is that configuration's alone, data generation included. The exact run
writes the ground truth (one batched exact search) the approximate runs are scored on. Queries are single
vectors searched one at a time on one thread, as the dashboard does; each gets its wall time and its CPU
time. On an idle machine the two agree; on a busy one (this machine shares 2 cores with model training)
CPU time is what the query would take with a core to itself, wall time adds the wait for one.

Data
- "text" (the one that counts): the AllSides body passages, embedded once with MiniLM (cached in
  bench/out/allsides_minilm.npz). HELD_OUT of them, drawn at random, never enter the index: queries come
  from them. Every indexed vector is a real passage vector plus Gaussian noise shaped like the corpus
  itself (covariance of the real vectors, scaled to norm NOISE), renormalised; each query is a held-out
  passage vector with noise drawn the same way. So points sit where sentence vectors sit, many of them
  close together as paraphrases and syndicated copies do, and a query's neighbours are not the points
  it was made from.
- "uniform": random unit vectors, kept for honesty. In 384 dimensions every point is nearly as far from a
  query as every other (top-10 cosines ~0.2 vs ~0.0 for a random point), so no partitioning index can find
  "the" 10 nearest without scanning nearly everything: recall on it says nothing about text.

Configurations: "flat" (exact, what the index uses below IVF_THRESHOLD) and IVF with float32 ("ivf-flat"),
float16 ("ivf-fp16", the index's choice) and 8-bit lists ("ivf-sq8"), the last also re-ranked: 4k
candidates rescored exactly from the float32 vectors in a memory-mapped file ("ivf-sq8-rerank").
IVF indexes are trained on a sample and filled a chunk at a time through the FAISS backend's upsert (every
vector with a source and an article, as sync gives them), as the backend rebuilds them; searches go through
the backend's search, as retrieval's do.

    .venv/bin/python bench/search.py [--sizes 10000,30000,100000,1000000] [--data text,uniform]
        [--configs flat,ivf-flat,ivf-fp16,ivf-sq8,ivf-sq8-rerank] [--queries 200]

The facade (`--facade`): what a user waits for. `Factcheck.search(q, k=10)` (per source, the default) on a
store of the first AllSides articles that hold --sentences body sentences, beside bare MiniLM encode + an
exact FAISS search of the same passage vectors, in the same run: each query is a sentence of a later article
(never in the store, so never in its embedding cache), timed on both paths in alternating order. Also shown:
the facade with one overall top-k (per_source=False), and both again for a query whose vector is cached
(retrieval alone). Wall and process CPU time (every thread's) per query; medians.

    .venv/bin/python bench/search.py --facade [--sentences 5000] [--queries 200]

Measured on this 2-core machine while it was quiet (load ~1), 5,002 sentences of 137 sources, p50 wall:
before the vector backends (one wide search, filtered with the store and widened until every source had k)
factcheck 17.39 ms beside bare 10.60 (1.64x), retrieval alone 7.69 ms; with FaissBackend (one filter per
source through search_each) 13.37 ms beside bare 10.46 (1.28x), per_source=False 11.06 ms (1.06x), retrieval
alone 3.16 ms. bench/scale.py peer, the same day: txtai 9.95 ms, bare 10.56, factcheck 13.65 (1.37x txtai),
per_source=False 11.08 (1.11x txtai).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DIM = 384
K = 10
CHUNK = 50_000
NOISE = 0.5  # norm of the noise added to a real vector before renormalising: cosine to it ~0.9
HELD_OUT = 500
RERANK = 4  # candidates per result re-ranked exactly in "ivf-sq8-rerank"
NPROBES = (8, 16, 32, 64, 128)
OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]
VECTORS = OUT / "allsides_minilm.npz"
CONFIGS = ("flat", "ivf-flat", "ivf-fp16", "ivf-sq8", "ivf-sq8-rerank")


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def real_vectors() -> tuple[np.ndarray, np.ndarray]:
    """(indexed, held-out) MiniLM vectors of the AllSides body passages; embedded once, then cached."""
    if not VECTORS.exists():
        sys.path.insert(0, str(ROOT))
        from bench.ingest import drafts
        from factcheck.embed import load_encoder
        from factcheck.ingest.pipeline import passages_of

        texts = list(dict.fromkeys(p.text for d in drafts(None) for p in passages_of(d.text) if p.kind == "body"))
        t = time.perf_counter()
        vecs = load_encoder().encode(texts, batch_size=128)
        print(f"embedded {len(texts)} AllSides passages in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        OUT.mkdir(exist_ok=True)
        np.savez(VECTORS, vectors=vecs)
    with np.load(VECTORS) as z:
        vecs = z["vectors"].astype(np.float32)
    order = np.random.default_rng(7).permutation(len(vecs))
    return vecs[order[HELD_OUT:]], vecs[order[:HELD_OUT]]


class Data:
    """The n vectors of one data set, generated a chunk at a time, the same in every process."""

    def __init__(self, kind: str, n: int) -> None:
        self.kind, self.n = kind, n
        if kind == "text":
            self.base, self.held = real_vectors()
            # noise with the corpus's own covariance, scaled so its expected norm is NOISE
            cov = np.cov(self.base, rowvar=False)
            w, v = np.linalg.eigh(cov)
            self.shape = ((v * np.sqrt(np.clip(w, 0, None))) @ v.T * (NOISE / np.sqrt(np.trace(cov)))).astype(
                np.float32)

    def _noisy(self, origins: np.ndarray, g: np.random.Generator) -> np.ndarray:
        return _unit(origins + g.standard_normal((len(origins), DIM), dtype=np.float32) @ self.shape)

    def chunk(self, lo: int) -> np.ndarray:
        rows = min(CHUNK, self.n - lo)
        g = np.random.default_rng(lo + 1)  # seeded by position: any process regenerates the same rows
        if self.kind == "uniform":
            return _unit(g.standard_normal((rows, DIM)))
        return self._noisy(self.base[g.integers(0, len(self.base), rows)], g)

    def chunks(self):  # type: ignore[no-untyped-def]
        for lo in range(0, self.n, CHUNK):
            yield lo, self.chunk(lo)

    def queries(self, nq: int) -> np.ndarray:
        g = np.random.default_rng(10**9)
        if self.kind == "uniform":
            return _unit(g.standard_normal((nq, DIM)))
        return self._noisy(self.held[g.integers(0, len(self.held), nq)], g)


def _timed(q: np.ndarray, search) -> tuple[list[tuple[float, float]], list[np.ndarray]]:  # type: ignore[no-untyped-def]
    """Each query's (wall, CPU) seconds and ids. Searches run on one thread, so CPU time is the latency
    the query would have on an idle core; wall time also counts waiting for a core on a busy machine."""
    times, found = [], []
    for row in q:
        t, c = time.perf_counter(), time.thread_time()
        found.append(search(row))
        times.append((time.perf_counter() - t, time.thread_time() - c))
    return times, found


def _row(times: list[tuple[float, float]], found: list[np.ndarray], want: np.ndarray) -> dict:
    rec = [len(set(f.tolist()) & set(w.tolist())) / K for f, w in zip(found, want, strict=True)]
    wall, cpu = (1000 * np.array([t[i] for t in times]) for i in (0, 1))
    return {"p50_ms": float(np.median(wall)), "p95_ms": float(np.percentile(wall, 95)),
            "cpu_p50_ms": float(np.median(cpu)), "cpu_p95_ms": float(np.percentile(cpu, 95)),
            "timed_queries": len(times), "recall10": float(np.mean(rec))}


def worker(config: str, kind: str, n: int, nq: int, truth: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from factcheck.vectors import faiss as fx
    from factcheck.vectors import faiss_build as fb

    data = Data(kind, n)
    q = data.queries(nq)
    t0 = time.perf_counter()
    raw = None
    if config == "flat":
        fx.IVF_THRESHOLD = n + 1  # exact at every size: the ground truth, and what exact search costs there
        vi = fx.FaissBackend(Path(tempfile.mkdtemp()), "bench", DIM)
    else:
        nlist = fb.ivf_lists(n)
        sample, lo = [], 0
        while sum(map(len, sample)) < min(n, nlist * fb.IVF_TRAIN_PER_LIST):  # rows are i.i.d.: the first are a sample
            sample.append(data.chunk(lo))
            lo += CHUNK
        codec = config.split("-")[1]
        # lists for the final size, so upserts never retrain them (ivf_lists(n) is never twice nlist)
        vi = fx.FaissBackend(Path(tempfile.mkdtemp()), "bench", DIM, kind="ivf",
                             faiss_index=fb.new_faiss("ivf", DIM, np.concatenate(sample), nlist=nlist, codec=codec))
        del sample
        if config.endswith("rerank"):  # the float32 vectors on disk, read back through a memory map
            raw = Path(tempfile.mkdtemp()) / "vectors.f32"
    with raw.open("wb") if raw else open("/dev/null", "wb") as sink:
        for lo, x in data.chunks():
            ids = np.arange(lo, lo + len(x), dtype=np.int64)
            vi.upsert(ids, x, ["bench"] * len(x), ids // 20)
            if raw:
                sink.write(x.tobytes())
    build_s = time.perf_counter() - t0
    out: dict = {"config": config, "data": kind, "n": n, "queries": nq, "build_s": round(build_s, 1)}
    if config == "flat":
        truth_ids = vi.search(q, K)[1]  # all queries at once (BLAS, every core): the ground truth
        np.save(truth, truth_ids)
        timed = q[: max(20, min(len(q), 2 * 10**7 // n))]  # exact search at 1M takes long: time fewer queries
        times, found = _timed(timed, lambda row: vi.search(row, K)[1][0])
        out |= _row(times, found, truth_ids[: len(timed)])
    else:
        want = np.load(truth)
        mm = np.memmap(raw, dtype=np.float32, mode="r", shape=(n, DIM)) if raw else None
        out["index"] = vi.describe().detail
        out["sweep"] = []
        for nprobe in NPROBES:
            if mm is None:
                times, found = _timed(q, lambda row, p=nprobe: vi.search(row, K, nprobe=p)[1][0])
            else:
                def rerank(row: np.ndarray, p: int = nprobe) -> np.ndarray:
                    cand = vi.search(row, RERANK * K, nprobe=p)[1][0]
                    cand = cand[cand >= 0]
                    exact = mm[np.sort(cand)] @ row  # sorted: the map is read front to back
                    return np.sort(cand)[np.argsort(-exact)[:K]]
                times, found = _timed(q, rerank)
            out["sweep"].append({"nprobe": nprobe, **_row(times, found, want)})
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def facade(sentences: int, nq: int) -> dict:
    """Factcheck.search against bare encode + FAISS on the same passages (see the module docstring)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.path.insert(0, str(ROOT))
    import faiss

    from bench.ingest import drafts
    from factcheck.api import Factcheck
    from factcheck.embed import load_encoder, normalise
    from factcheck.hashes import text_hash
    from factcheck.ingest.pipeline import ingest, passages_of
    from factcheck.settings import Settings

    arts, n_arts, total = drafts(None), 0, 0
    while n_arts < len(arts) and total < sentences:  # the first articles holding `sentences` body sentences go in
        total += sum(p.kind == "body" for p in passages_of(arts[n_arts].text))
        n_arts += 1
    chosen = arts[:n_arts]
    stored = {p.text for d in chosen for p in passages_of(d.text)}
    held = list(dict.fromkeys(p.text for d in arts[n_arts:] for p in passages_of(d.text)
                              if p.kind == "body" and p.text not in stored))
    # bare and the per-source facade search the same queries; the overall facade others, since a query
    # the facade has searched is in the store's embedding cache from then on
    order = np.random.default_rng(3).permutation(len(held))
    if len(order) < 2 * nq + 1:
        raise SystemExit(f"only {len(held)} sentences are left out of the store: ask for fewer --queries")
    warm = held[order[0]]
    queries, others = [held[i] for i in order[1:nq + 1]], [held[i] for i in order[nq + 1:2 * nq + 1]]
    enc = load_encoder()
    with tempfile.TemporaryDirectory() as tmp:
        fc = Factcheck(Settings(store_dir=Path(tmp)), encoder=None, scorer=lambda texts: np.zeros(len(texts)))
        ingest(fc.store, chosen, fc.settings, scorer=lambda texts: np.zeros(len(texts)))
        ps = fc.store.passages()
        fc.search(warm, k=K)  # opens the index, embeds and indexes every passage, warms the caches
        cached = fc.store.cached_embeddings(enc.name, [text_hash(p.text) for p in ps])
        flat = faiss.IndexFlatIP(DIM)
        flat.add(np.stack([cached[text_hash(p.text)] for p in ps]))
        faiss.omp_set_num_threads(1)  # one query at a time, as the facade searches

        def bare(q: str) -> int:
            v = normalise(enc._model.encode([q], convert_to_numpy=True, normalize_embeddings=False,
                                            show_progress_bar=False))  # in float32, as factcheck's encoder does
            return len(flat.search(v, K)[1][0])

        paths = {"bare": lambda i: bare(queries[i]),
                 "factcheck": lambda i: len(fc.search(queries[i], k=K)),
                 "factcheck-overall": lambda i: len(fc.search(others[i], k=K, per_source=False)),
                 "factcheck-cached": lambda i: len(fc.search(warm, k=K)),
                 "factcheck-overall-cached": lambda i: len(fc.search(warm, k=K, per_source=False))}
        bare(warm)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
        hits: dict[str, list[int]] = {name: [] for name in paths}
        names = list(paths)
        for i in range(len(queries)):
            for name in names if i % 2 == 0 else names[::-1]:  # alternate: a busy spell slows both alike
                t, c = time.perf_counter(), time.process_time()
                hits[name].append(paths[name](i))
                times[name].append((time.perf_counter() - t, time.process_time() - c))
        out = {"mode": "facade", "sentences": len(ps), "articles": len(chosen),
               "sources": len({d.source for d in chosen}), "queries": len(queries), "k": K}
        for name in names:
            wall, cpu = (1000 * np.array([t[j] for t in times[name]]) for j in (0, 1))
            out[name] = {"p50_ms": round(float(np.median(wall)), 2), "p95_ms": round(float(np.percentile(wall, 95)), 2),
                         "cpu_p50_ms": round(float(np.median(cpu)), 2), "hits_median": float(np.median(hits[name]))}
        fc.store.close()
    return out


def show_facade(r: dict) -> None:
    print(f"{r['sentences']} AllSides sentences ({r['articles']} articles, {r['sources']} sources), "
          f"{r['queries']} queries never stored, k={r['k']}:")
    for name in ("bare", "factcheck", "factcheck-overall", "factcheck-cached", "factcheck-overall-cached"):
        s = r[name]
        print(f"  {name:25} p50 {s['p50_ms']:6.2f} ms  p95 {s['p95_ms']:6.2f} ms  CPU p50 {s['cpu_p50_ms']:6.2f} ms  "
              f"hits {s['hits_median']:5.0f}")


def show(r: dict) -> None:
    for s in r.get("sweep", [r]):
        print(f"{r['data']:7} n={r['n']:>8} {r['config']:15} nprobe={s.get('nprobe', '-')!s:>3}  "
              f"p50 {s['p50_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms  CPU p50 {s['cpu_p50_ms']:7.2f} ms  "
              f"recall@10 {s['recall10']:.3f}  "
              f"build {r['build_s']:6.1f} s  peak RSS {r['peak_rss_mb']:5} MB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,30000,100000,1000000")
    ap.add_argument("--data", default="text,uniform")
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--json", type=Path, default=None,
                    help="results file (default bench/out/search.json, kept across runs; with --facade "
                         "bench/out/search_facade.json)")
    ap.add_argument("--worker", nargs=5, metavar=("CONFIG", "DATA", "N", "NQ", "TRUTH"), help=argparse.SUPPRESS)
    ap.add_argument("--facade", action="store_true", help="Factcheck.search beside bare encode + FAISS")
    ap.add_argument("--sentences", type=int, default=5000, help="--facade: body sentences in the store")
    args = ap.parse_args()
    if args.facade:
        r = facade(args.sentences, args.queries)
        show_facade(r)
        OUT.mkdir(exist_ok=True)
        (args.json or OUT / "search_facade.json").write_text(json.dumps(r, indent=1))
        return
    if args.worker:
        config, kind, n, nq, truth = args.worker
        print(json.dumps(worker(config, kind, int(n), int(nq), Path(truth))))
        return
    OUT.mkdir(exist_ok=True)
    if "text" in args.data:
        real_vectors()  # embed once, before any timed worker
    saved = args.json or OUT / "search.json"
    old = json.loads(saved.read_text()) if saved.exists() else []
    results = [o for o in old if "config" in o]  # runs of other sizes are kept; older formats dropped
    configs = [c for c in CONFIGS if c in args.configs.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.data.split(","):
            for n in (int(s) for s in args.sizes.split(",")):
                truth = Path(tmp) / f"truth-{kind}-{n}.npy"
                for config in ["flat"] + [c for c in configs if c != "flat"]:  # flat writes the truth
                    cmd = [sys.executable, __file__, "--worker", config, kind, str(n), str(args.queries), str(truth)]
                    r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
                    results = [o for o in results if (o["config"], o["data"], o["n"]) != (config, kind, n)] + [r]
                    show(r)
                    saved.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
