"""How well a claim finds its published fact-check (`Factcheck.published_checks`), with the shipped models.

    .venv/bin/python bench/factchecks.py [--json]

The store is a fresh temporary one holding the fixture fact-checks (tests/data/factchecks: 24 reviews from HTML
pages' JSON-LD, a JSON feed, a DataFeed and a CSV, all invented or about the seed story). Claims:
- bench/data/factchecks_paraphrases.jsonl: claims written by hand in other words than a review's (and two that
  state a review's claim reversed), each with the URL of the review it should find;
- bench/data/factchecks_unrelated.jsonl: claims no review rules on (some from the seed story itself).
Reported: the share of paraphrases whose review is shown first and among the top 3 (the goal: >= 90% in the top
3), the same by cosine alone (no verifier), how many unrelated claims are shown any review (false matches), and
the median time of a warm call.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "data" / "factchecks"
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true", help="also write bench/out/factchecks.json")
    args = ap.parse_args()
    import numpy as np

    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    paraphrases = _jsonl(DATA / "factchecks_paraphrases.jsonl")
    unrelated = _jsonl(DATA / "factchecks_unrelated.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        fc = Factcheck(Settings(store_dir=Path(tmp)))
        imported = fc.ingest_factchecks(FIXTURES)
        reviews = fc.factchecks()
        fc.published_checks(paraphrases[0]["claim"])  # warm: models, review vectors
        vecs = fc.encoder.encode([r.claim for r in reviews])
        top1 = top3 = cos3 = 0
        misses, times = [], []
        for row in paraphrases:
            t0 = time.perf_counter()
            found = fc.published_checks(row["claim"], k=3)
            times.append(time.perf_counter() - t0)
            urls = [m.review.url for m in found]
            top1 += bool(urls) and urls[0] == row["url"]
            top3 += row["url"] in urls
            if row["url"] not in urls:
                misses.append({"claim": row["claim"], "shown": [(m.review.claim, m.match, round(m.similarity, 3))
                                                                for m in found]})
            sims = vecs @ fc.encoder.encode([row["claim"]])[0]
            cos3 += row["url"] in [reviews[i].url for i in np.argsort(-sims)[:3]]
        false = [{"claim": row["claim"], "shown": [(m.review.claim, str(m.match), round(m.similarity, 3))
                                                   for m in found]}
                 for row in unrelated if (found := fc.published_checks(row["claim"], k=3))]
    n = len(paraphrases)
    result = {"reviews": len(reviews), "imported": imported.added, "paraphrases": n,
              "top1": round(top1 / n, 3), "top3": round(top3 / n, 3), "cosine_only_top3": round(cos3 / n, 3),
              "unrelated": len(unrelated), "unrelated_shown_a_review": len(false),
              "median_ms": round(1000 * statistics.median(times), 1), "misses": misses, "false_matches": false}
    print(f"{len(reviews)} fact-checks; {n} paraphrased claims: right review first {top1}/{n} "
          f"({result['top1']:.3f}), in the top 3 {top3}/{n} ({result['top3']:.3f}; cosine alone "
          f"{result['cosine_only_top3']:.3f}); {len(false)} of {len(unrelated)} unrelated claims shown a review; "
          f"median {result['median_ms']} ms a claim (warm)")
    for m in misses:
        print("  missed:", m)
    for f in false:
        print("  false match:", f)
    if args.json:
        OUT.mkdir(exist_ok=True)
        (OUT / "factchecks.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
