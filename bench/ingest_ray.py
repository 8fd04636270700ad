"""Plain vs Ray ingest of the AllSides articles, as a user runs them; passages/s, the ratio, and the scaling
arithmetic behind `factcheck ingest --ray`.

1. Each run is `factcheck ingest DIR --store S --json` (plain) or the same with `--ray` (a local Ray on this
   machine's CPUs, started and stopped by the run), in a fresh process with a fresh store; the corpus is one
   .json file per article. Wall time is everything a user waits for: imports, model loading, Ray's start, the
   index. Plain and Ray alternate which goes first from one repeat to the next, so a busy machine slows both;
   CPU seconds of the process tree (Ray's own processes and workers included) are given beside wall time.
2. The per-passage costs the scaling arithmetic rests on, measured in this process on --cost-articles
   articles: a worker's (scoring + embedding on one core: torch with one thread, as Ray gives a 1-CPU actor),
   a reader's (read, clean, split) and the driver's (the store's writes of passages and vectors, then the
   index filled from the cache). Ray ingest's rate with n single-core workers is at most
   min(n / worker_s, readers(n) / reader_s, 1 / driver_s) passages/s, readers(n) = ceil(n / 8).

    .venv/bin/python bench/ingest_ray.py [--articles N] [--repeats 1] [--cost-articles 300]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
OUT = ROOT / "bench" / "out"


def articles(limit: int | None) -> list[dict[str, str | None]]:
    """One JSON object per outlet per story, as `factcheck ingest` reads them: bench/ingest.py's articles."""
    spec = importlib.util.spec_from_file_location("ingest_bench", ROOT / "bench" / "ingest.py")
    assert spec and spec.loader
    plain = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plain)
    return [{"source": d.source, "title": d.title, "url": d.url, "date": d.date, "text": d.text}
            for d in plain.drafts(limit)]


def cli_run(corpus: Path, store: Path, *, ray: bool) -> tuple[float, float, dict[str, int]]:
    """Wall seconds and CPU seconds (the process and all its descendants: Ray's own processes and workers
    too) of one `factcheck ingest`, and the store's counts after it."""
    cmd = [sys.executable, "-m", "factcheck", "ingest", str(corpus), "--store", str(store), "--json"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd + (["--ray"] if ray else []), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    cpu: dict[int, float] = {}
    seen = threading.Event()

    def poll() -> None:
        while not seen.wait(0.5):
            cpu.update(tree_cpu(proc.pid))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    seen.set()
    poller.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, sum(cpu.values()), json.loads(out)["stats"]


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds used so far by `root` and its descendants, per process (from /proc; a process that ends
    between two polls loses at most a poll's worth)."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    tree, todo = {root}, [root]
    while todo:
        p = todo.pop()
        for child in (c for c, pp in parent.items() if pp == p and c not in tree):
            tree.add(child)
            todo.append(child)
    return {p: used[p] for p in tree if p in used}


def costs(corpus: Path, n: int, tmp: Path) -> dict[str, float]:
    """Seconds per body passage: reader, worker (one core), driver (store writes + index from the cache)."""
    import numpy as np
    import torch

    from factcheck.api import Factcheck
    from factcheck.ingest import distributed
    from factcheck.records import ArticleDraft
    from factcheck.settings import Settings

    settings = Settings(store_dir=tmp / "costs")
    files = sorted(corpus.glob("*.json"))[:n]
    t = time.perf_counter()
    rows = [r for i, f in enumerate(files)
            for r in distributed._read(distributed._input_row(i, str(f), f), settings=settings, source=None,
                                       known=np.zeros(0, dtype=np.uint64))]
    reader_s = time.perf_counter() - t
    passages = sum(1 for r in rows if isinstance(r["row"], ArticleDraft) for p in r["row"].passages
                   if p.kind == "body")
    torch.set_num_threads(1)  # a 1-CPU Ray actor's torch
    worker = distributed._Worker(distributed.WorkerModels(), "cpu")
    worker({k: np.array([v], dtype=object) for k, v in rows[0].items()})  # warm up
    batches, t = [], time.perf_counter()
    for lo in range(0, len(rows), distributed.BATCH_ARTICLES):
        chunk = rows[lo:lo + distributed.BATCH_ARTICLES]
        batch = {k: np.empty(len(chunk), dtype=object) for k in chunk[0]}
        for j, r in enumerate(chunk):
            for k, v in r.items():
                batch[k][j] = v
        batches.append(worker(batch))
    worker_s = time.perf_counter() - t
    torch.set_num_threads(os.cpu_count() or 1)
    fc = Factcheck(settings)
    fc.encoder.encode(["load the model before timing"])  # the driver loads it for the index either way
    t = time.perf_counter()
    for b in batches:
        distributed._write(fc.store, b, settings, distributed.WorkerModels().name, fc._score, lambda i: None)
    fc.reindex()  # what the facade's sync does after an ingest: every vector comes from the cache
    driver_s = time.perf_counter() - t
    return {"passages": passages, "reader_s": reader_s / passages, "worker_s": worker_s / passages,
            "driver_s": driver_s / passages}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=None, help="first N articles only (default: all)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--cost-articles", type=int, default=300, help="articles the per-passage costs are timed on")
    args = ap.parse_args()
    arts = articles(args.articles)
    res: dict[str, list[float]] = {"plain_s": [], "ray_s": [], "ratio": [], "plain_cpu_s": [], "ray_cpu_s": [],
                                   "cpu_ratio": []}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "allsides"
        corpus.mkdir()
        for i, a in enumerate(arts):
            (corpus / f"{i:05}.json").write_text(json.dumps(a, ensure_ascii=False), encoding="utf-8")
        stats: dict[str, int] = {}
        for rep in range(args.repeats):
            for ray in ((False, True) if rep % 2 == 0 else (True, False)):
                wall, cpu, got = cli_run(corpus, tmp / f"{'ray' if ray else 'plain'}{rep}", ray=ray)
                if stats and got != stats:
                    raise SystemExit(f"the stores differ: {stats} vs {got}")
                stats = got
                res["ray_s" if ray else "plain_s"].append(wall)
                res["ray_cpu_s" if ray else "plain_cpu_s"].append(cpu)
            res["ratio"].append(res["plain_s"][-1] / res["ray_s"][-1])  # Ray's passages/s over plain's
            res["cpu_ratio"].append(res["plain_cpu_s"][-1] / res["ray_cpu_s"][-1])  # the same per CPU second
        cost = costs(corpus, args.cost_articles, tmp)
    n = stats["passages"]
    med = {k: statistics.median(v) for k, v in res.items()}
    scale = {}
    for workers in (1, 2, 4, 16, 64, 256, 1024):
        readers = math.ceil(workers / 8)
        scale[workers] = min(workers / cost["worker_s"], readers / cost["reader_s"], 1 / cost["driver_s"])
    out = {"articles": len(arts), "passages": n, "stats": stats, "repeats": args.repeats, "cpus": os.cpu_count(),
           "load_avg_at_end": os.getloadavg(), "median_s": med, "plain_passages_per_s": n / med["plain_s"],
           "ray_passages_per_s": n / med["ray_s"], "ratio_ray_over_plain": med["plain_s"] / med["ray_s"],
           "costs_per_passage_s": cost, "ray_passages_per_s_with_n_workers": scale, "runs": res}
    OUT.mkdir(exist_ok=True)
    (OUT / "ingest_ray.json").write_text(json.dumps(out, indent=1))
    print(f"{len(arts)} articles, {n} passages, {os.cpu_count()} CPUs (load average at the end "
          f"{os.getloadavg()[0]:.1f}), median of {args.repeats}:")
    print(f"  plain `factcheck ingest`        {med['plain_s']:7.1f} s  ({out['plain_passages_per_s']:6.1f} passages/s)")
    print(f"  `factcheck ingest --ray`        {med['ray_s']:7.1f} s  ({out['ray_passages_per_s']:6.1f} passages/s)")
    print(f"  ratio Ray / plain (passages/s)  {out['ratio_ray_over_plain']:7.3f}  (goal >= 0.9; per repeat: "
          f"{', '.join(f'{r:.3f}' for r in res['ratio'])})")
    print(f"  CPU seconds, all processes      plain {med['plain_cpu_s']:.0f} s, Ray {med['ray_cpu_s']:.0f} s: ratio "
          f"{med['plain_cpu_s'] / med['ray_cpu_s']:.3f} (passages per CPU second, Ray / plain: what a busy machine's "
          "waits do not blur)")
    print(f"per body passage, on {cost['passages']:.0f} passages: worker {cost['worker_s'] * 1e3:.2f} ms (one core), "
          f"reader {cost['reader_s'] * 1e3:.2f} ms, driver {cost['driver_s'] * 1e3:.3f} ms")
    print("Ray rate with n single-core workers <= min(n / worker, ceil(n/8) / reader, 1 / driver):")
    for workers, rate in scale.items():
        print(f"  n = {workers:5d}: {rate:9.0f} passages/s")


if __name__ == "__main__":
    main()
