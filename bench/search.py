"""Search latency, peak memory and recall@10 of the vector index at 10k, 100k and 1M vectors (dim 384).

Each (size, kind) runs in its own subprocess so peak RSS (getrusage; tracemalloc cannot see FAISS) is
that configuration's alone. The exact run also writes the ground truth the approximate run is scored on.

Data: "uniform" = random unit vectors, the worst case for any approximate index (every point is nearly
as far as every other); "clustered" = unit vectors scattered around topic centres, closer to how real
sentence embeddings sit. Queries are single vectors searched one at a time, as the dashboard does.

    .venv/bin/python bench/search.py [--sizes 10000,100000,1000000] [--data uniform,clustered]
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
OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def chunk(data: str, n: int, lo: int) -> np.ndarray:
    """Rows lo.. of the data set, the same in every process (seeded by position)."""
    rows = min(CHUNK, n - lo)
    g = np.random.default_rng(lo + 1)
    if data == "uniform":
        return _unit(g.standard_normal((rows, DIM)))
    centres = _unit(np.random.default_rng(0).standard_normal((max(1, n // 100), DIM)))
    # noise of norm ~0.8 around a centre: a point's cosine to its topic centre is ~0.8
    return _unit(centres[g.integers(0, len(centres), rows)] + 0.8 * g.standard_normal((rows, DIM)) / np.sqrt(DIM))


def queries(data: str, n: int, nq: int) -> np.ndarray:
    g = np.random.default_rng(10**9)
    if data == "uniform":
        return _unit(g.standard_normal((nq, DIM)))
    centres = _unit(np.random.default_rng(0).standard_normal((max(1, n // 100), DIM)))
    return _unit(centres[g.integers(0, len(centres), nq)] + 0.8 * g.standard_normal((nq, DIM)) / np.sqrt(DIM))


def worker(kind: str, data: str, n: int, nq: int, truth: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from factcheck import index as ix

    t0 = time.perf_counter()
    if kind == "flat":
        vi = ix.VectorIndex(Path(tempfile.mkdtemp()), "bench", DIM)
    else:
        nlist = ix._ivf_lists(n)
        sample = np.concatenate([chunk(data, n, lo) for lo in range(0, min(n, 64 * nlist), CHUNK)])
        vi = ix.VectorIndex(Path(tempfile.mkdtemp()), "bench", DIM, kind="ivf",
                            faiss_index=ix._new_faiss("ivf", DIM, sample, nlist=nlist))
        del sample
    for lo in range(0, n, CHUNK):
        x = chunk(data, n, lo)
        vi._index.add_with_ids(x, np.arange(lo, lo + len(x), dtype=np.int64))  # bypass the auto switch
    build_s = time.perf_counter() - t0
    q = queries(data, n, nq)
    out: dict = {"kind": kind, "data": data, "n": n, "queries": nq, "build_s": round(build_s, 1)}
    if kind == "flat":
        times, found = [], []
        for row in q:
            t = time.perf_counter()
            found.append(vi.search(row, K)[1][0])
            times.append(time.perf_counter() - t)
        np.save(truth, np.array(found))
        out |= {"p50_ms": 1000 * np.median(times), "p95_ms": 1000 * np.percentile(times, 95), "recall10": 1.0}
    else:
        want = np.load(truth)
        out["sweep"] = []
        for nprobe in (8, 16, 32, 64, 128):
            times, rec = [], []
            for row, w in zip(q, want, strict=True):
                t = time.perf_counter()
                got = vi.search(row, K, nprobe=nprobe)[1][0]
                times.append(time.perf_counter() - t)
                rec.append(len(set(got) & set(w)) / K)
            out["sweep"].append({"nprobe": nprobe, "p50_ms": 1000 * np.median(times),
                                 "p95_ms": 1000 * np.percentile(times, 95), "recall10": float(np.mean(rec))})
        out["nlist"] = int(vi._index.nlist)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--data", default="uniform,clustered")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--worker", nargs=5, metavar=("KIND", "DATA", "N", "NQ", "TRUTH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, data, n, nq, truth = args.worker
        print(json.dumps(worker(kind, data, int(n), int(nq), Path(truth))))
        return
    OUT.mkdir(exist_ok=True)
    saved = OUT / "search.json"
    results = json.loads(saved.read_text()) if saved.exists() else []  # runs of other sizes are kept
    with tempfile.TemporaryDirectory() as tmp:
        for data in args.data.split(","):
            for n in (int(s) for s in args.sizes.split(",")):
                truth = Path(tmp) / f"truth-{data}-{n}.npy"
                for kind in ("flat", "ivf"):
                    cmd = [sys.executable, __file__, "--worker", kind, data, str(n), str(args.queries), str(truth)]
                    r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
                    results = [o for o in results if (o["kind"], o["data"], o["n"]) != (kind, data, n)] + [r]
                    rows = r.get("sweep", [r])
                    for s in rows:
                        print(f"{data:9} n={n:>8} {kind:4} nprobe={s.get('nprobe', '-')!s:>4}  "
                              f"p50 {s['p50_ms']:7.2f} ms  p95 {s['p95_ms']:7.2f} ms  recall@10 {s['recall10']:.3f}  "
                              f"build {r['build_s']:6.1f} s  peak RSS {r['peak_rss_mb']:6.0f} MB", flush=True)
                    saved.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
