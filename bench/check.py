"""How long a warm check takes (`Factcheck.check`: retrieval, the verifier on each passage, mismatches, verdict)
on the sample corpus, against the raw verifier cross-encoder on the same passages; medians over repeats.

    .venv/bin/python bench/check.py [--repeats 7]

The store is a fresh temporary one with the seed articles (../shared/seeds); models are loaded and one
check is run before timing, as in a dashboard session after its first check.
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
SEEDS = ROOT.parent / "shared" / "seeds"
OUT = ROOT / "bench" / "out"
CLAIMS = ("Mexico's homicide rate has dropped significantly, Sheinbaum said",
          "Fentanyl seizures at the border dropped last year",
          "Canada closed its border with Mexico",
          "Sheinbaum spoke with President Trump by phone",
          "Sheinbaum said U.S. military intervention in Mexico is necessary.")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        fc = Factcheck(Settings(store_dir=Path(tmp)))
        for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
            fc.ingest_paths([path], source=f"seed outlet {i + 1}")
        fc.check(CLAIMS[0])  # warm: models, index, caches
        check_s: list[float] = []
        model_s: list[float] = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for c in CLAIMS:
                fc.check(c)
            check_s.append((time.perf_counter() - t0) / len(CLAIMS))
            # the raw verifier on exactly the passages those checks judge (one call per claim)
            pairs = [(c, list(dict.fromkeys(h.text for h in fc.search(c)))) for c in CLAIMS]
            t0 = time.perf_counter()
            for c, texts in pairs:
                fc.verifier.scores([c] * len(texts), texts)
            model_s.append((time.perf_counter() - t0) / len(CLAIMS))
    res = {"claims": len(CLAIMS), "repeats": args.repeats,
           "check_ms_median": round(1000 * statistics.median(check_s), 1),
           "cross_encoder_ms_median": round(1000 * statistics.median(model_s), 1),
           "ratio_check_over_cross_encoder": round(statistics.median(check_s) / statistics.median(model_s), 2)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "check.json").write_text(json.dumps(res, indent=2))
    print(f"warm check: median {res['check_ms_median']} ms per claim; the cross-encoder alone on the same "
          f"passages {res['cross_encoder_ms_median']} ms (ratio {res['ratio_check_over_cross_encoder']})")


if __name__ == "__main__":
    main()
