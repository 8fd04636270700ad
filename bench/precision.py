"""The sentence model in bfloat16 against float32 on the same AllSides sentences: do the vectors agree, and how
much faster is it? (factcheck.embed computes in bf16 where the CPU has bf16 units; FACTCHECK_EMBED_BF16=0/1.)

Prints, for N body sentences and Q held-out queries (sentences of later articles):
- agreement: the cosine between each sentence's two vectors (min, median), the largest change of a
  query–sentence similarity, and the overlap of each query's top 10 (bf16 query and corpus against float32's);
- speed: batch encoding in sentences/s (factcheck's encode path, batches of 64) and one text at a time (a
  query, the search path) in ms, the two precisions interleaved run by run so a busy spell slows both alike;
  medians, and the ratio.

    .venv/bin/python bench/precision.py [--sentences 1000] [--queries 200] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def sentences(n: int, q: int) -> tuple[list[str], list[str]]:
    from bench.ingest import drafts
    from factcheck.ingest.pipeline import passages_of

    seen: dict[str, None] = {}
    for d in drafts(None):
        for p in passages_of(d.text):
            if p.kind == "body":
                seen.setdefault(p.text)
        if len(seen) >= n + q:
            break
    texts = list(seen)
    return texts[:n], texts[n:n + q]


def encoder(flag: str):  # noqa: ANN201 - factcheck.embed.SentenceTransformerEncoder
    from factcheck import embed

    os.environ["FACTCHECK_EMBED_BF16"] = flag
    embed.load_encoder.cache_clear()
    return embed.load_encoder()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=1000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from factcheck.precision import bf16_units

    corpus, queries = sentences(args.sentences, args.queries)
    enc = {"float32": encoder("0"), "bfloat16": encoder("1")}
    vec = {name: e.encode(corpus) for name, e in enc.items()}
    qv = {name: np.stack([e.encode([t])[0] for t in queries]) for name, e in enc.items()}
    cos = np.sum(vec["float32"] * vec["bfloat16"], axis=1)
    sim32, sim16 = qv["float32"] @ vec["float32"].T, qv["bfloat16"] @ vec["bfloat16"].T
    top32, top16 = np.argsort(-sim32, axis=1)[:, :10], np.argsort(-sim16, axis=1)[:, :10]
    overlap = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top32, top16, strict=True)]))
    batch: dict[str, list[float]] = {n: [] for n in enc}
    one: dict[str, list[float]] = {n: [] for n in enc}
    names = list(enc)
    for r in range(args.runs):
        for name in names if r % 2 == 0 else names[::-1]:
            t = time.perf_counter()
            enc[name].encode(corpus)
            batch[name].append(len(corpus) / (time.perf_counter() - t))
        for i, text in enumerate(queries):
            for name in names if i % 2 == 0 else names[::-1]:
                t = time.perf_counter()
                enc[name].encode([text])  # the bare encoder: no cache in front of it
                one[name].append((time.perf_counter() - t) * 1000)
    out: dict[str, Any] = {"sentences": len(corpus), "queries": len(queries), "bf16_units": sorted(bf16_units()),
                           "cosine_min": round(float(cos.min()), 5), "cosine_median": round(float(np.median(cos)), 5),
                           "similarity_change_max": round(float(np.abs(sim32 - sim16).max()), 4),
                           "similarity_change_median": round(float(np.median(np.abs(sim32 - sim16))), 5),
                           "top10_overlap": round(overlap, 4),
                           "batch_sentences_per_s": {n: round(statistics.median(v), 1) for n, v in batch.items()},
                           "one_text_ms_p50": {n: round(statistics.median(v), 2) for n, v in one.items()}}
    out["batch_speedup"] = round(out["batch_sentences_per_s"]["bfloat16"] / out["batch_sentences_per_s"]["float32"], 2)
    out["one_text_speedup"] = round(out["one_text_ms_p50"]["float32"] / out["one_text_ms_p50"]["bfloat16"], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
