"""Ingest the AllSides stories (~1,500 articles) into a temporary store and index; print medians.

Reports, each on the same passages in the same run:
- split + store (factcheck.ingest with a no-op scorer) and check-worthiness scoring, as their own costs;
- embed + index (index.sync: CachedEncoder → store cache → the vector backend's upsert → flush), in passages/s;
- bare SentenceTransformer.encode of the same texts, and the ratio bare / pipeline (goal >= 0.9);
- a second sync after re-ingesting: everything comes from the cache, nothing is re-embedded.
Bare and pipeline run back to back on the same texts, in alternating order from one repeat to the next,
so a busy machine or a warming cache slows both alike; the ratio is also given per repeat (paired).

    .venv/bin/python bench/ingest.py [--articles N] [--repeats 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
OUT = ROOT / "bench" / "out"
BATCH = 64  # the same for bare encode and the pipeline (index.sync's default)


def drafts(limit: int | None) -> list:
    from factcheck.records import ArticleDraft

    out = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        for item in story.get("news", {}).values():
            body = "\n\n".join(p.strip() for p in item.get("newBody", []) if p and p.strip())
            if body:
                out.append(ArticleDraft(source=item.get("newsSource") or "unknown", text=body,
                                        title=item.get("newsTitle"), url=item.get("newsLink"),
                                        date=(story.get("date") or "")[:10] or None, origin="allsides"))
    return out[:limit] if limit else out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=None, help="first N articles only (default: all)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from factcheck import claims, index
    from factcheck.embed import load_encoder, normalise
    from factcheck.errors import FactcheckError
    from factcheck.hashes import text_hash
    from factcheck.ingest.pipeline import ingest
    from factcheck.settings import Settings
    from factcheck.store import Store

    arts = drafts(args.articles)
    enc = load_encoder()
    enc.encode(["warm up the model"])
    res: dict[str, list[float]] = {"split_store_s": [], "score_s": [], "bare_s": [], "pipeline_s": [], "resync_s": [],
                               "ratio": [], "bare_cpu_s": [], "pipeline_cpu_s": [], "cpu_ratio": []}
    n = 0
    for rep in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            s1, s2 = Store.open(Path(tmp) / "a"), Store.open(Path(tmp) / "b")
            t = time.perf_counter()
            ingest(s1, arts, Settings.from_env(Path(tmp) / "a"), scorer=lambda texts: np.zeros(len(texts)))
            res["split_store_s"].append(time.perf_counter() - t)
            texts = [p.text for p in s1.passages()]
            n = len(texts)
            t = time.perf_counter()
            try:
                claims.score(texts)
                res["score_s"].append(time.perf_counter() - t)
            except FactcheckError as e:  # the check-worthiness model may not be trained yet
                print(f"check-worthiness not measured: {e}", file=sys.stderr)

            def bare(texts: list[str] = texts) -> None:
                t, c = time.perf_counter(), time.process_time()
                normalise(enc._model.encode(texts, batch_size=BATCH, normalize_embeddings=False,
                                            convert_to_numpy=True, show_progress_bar=False))  # as factcheck's encoder
                res["bare_s"].append(time.perf_counter() - t)
                res["bare_cpu_s"].append(time.process_time() - c)

            def pipeline(s1: Store = s1) -> None:
                vi = index.open_index(Settings(store_dir=s1.path), s1, enc.name, enc.dim)
                t, c = time.perf_counter(), time.process_time()
                index.sync(s1, vi, enc, batch_size=BATCH)  # embed (fresh cache) + cache writes + index add + save
                res["pipeline_s"].append(time.perf_counter() - t)
                res["pipeline_cpu_s"].append(time.process_time() - c)

            for step in (bare, pipeline) if rep % 2 == 0 else (pipeline, bare):
                step()
            res["ratio"].append(res["bare_s"][-1] / res["pipeline_s"][-1])
            res["cpu_ratio"].append(res["bare_cpu_s"][-1] / res["pipeline_cpu_s"][-1])
            # re-ingest elsewhere with the same cache content: copy the embeddings, then sync again
            s2.put_embeddings(enc.name, s1.cached_embeddings(enc.name, [text_hash(x) for x in texts]))
            ingest(s2, arts, Settings.from_env(Path(tmp) / "b"), scorer=lambda texts: np.zeros(len(texts)))
            t = time.perf_counter()
            index.sync(s2, index.open_index(Settings(store_dir=s2.path), s2, enc.name, enc.dim), enc, batch_size=BATCH)
            res["resync_s"].append(time.perf_counter() - t)
            s1.close()
            s2.close()
    med = {k: statistics.median(v) if v else float("nan") for k, v in res.items()}
    out = {"articles": len(arts), "passages": n, "repeats": args.repeats, "median_s": med,
           "pipeline_passages_per_s": n / med["pipeline_s"], "bare_passages_per_s": n / med["bare_s"],
           "ratio_bare_over_pipeline": med["bare_s"] / med["pipeline_s"], "ratio_paired_median": med["ratio"],
           "runs": res}
    OUT.mkdir(exist_ok=True)
    (OUT / "ingest.json").write_text(json.dumps(out, indent=1))
    print(f"{len(arts)} articles, {n} passages, median of {args.repeats}:")
    print(f"  split + store        {med['split_store_s']:7.2f} s  ({n / med['split_store_s']:8.0f} passages/s)")
    print(f"  check-worthiness     {med['score_s']:7.2f} s  ({n / med['score_s']:8.0f} passages/s)")
    print(f"  bare encode          {med['bare_s']:7.2f} s  ({out['bare_passages_per_s']:8.0f} passages/s)")
    print(f"  embed + index        {med['pipeline_s']:7.2f} s  ({out['pipeline_passages_per_s']:8.0f} passages/s)")
    print(f"  ratio bare/pipeline  {out['ratio_bare_over_pipeline']:7.3f}  (goal >= 0.9; median of per-run ratios "
          f"{med['ratio']:.3f}: {', '.join(f'{r:.3f}' for r in res['ratio'])})")
    print(f"  same in CPU seconds  {med['bare_cpu_s'] / med['pipeline_cpu_s']:7.3f}  (bare {med['bare_cpu_s']:.1f} s, "
          f"pipeline {med['pipeline_cpu_s']:.1f} s: what a busy machine's waits do not blur)")
    print(f"  re-sync, all cached  {med['resync_s']:7.2f} s  ({n / med['resync_s']:8.0f} passages/s)")


if __name__ == "__main__":
    main()
