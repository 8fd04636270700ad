"""How often compound claims are split into parts (factcheck.parts), how fast, and the splits to read by hand.

The body sentences of the first AllSides stories (sentences.split, as ingest splits them) are shuffled with a fixed
seed; the first --sentences are split. Printed: how many split and into how many parts, the parse time per
sentence (median over the sentences, spaCy loaded first), how many of the verification suite's hand-written
claims split (bench/data/verify_suite_*.jsonl), and the first --show splits with their parts, for a person to judge
(the README reports such a reading: a split is faithful when every part is a sentence the original states).

    .venv/bin/python bench/parts.py [--sentences 400] [--show 30] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
SUITE = (ROOT / "bench" / "data" / "verify_suite_dev.jsonl", ROOT / "bench" / "data" / "verify_suite_test.jsonl")
STORIES = 60


def sentences(stories: int) -> list[str]:
    """Every sentence of the long texts (bodies, roundups) of the first `stories` AllSides stories."""
    from factcheck.ingest.sentences import split

    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str) and len(value) > 200:
            out.extend(value[a:b] for a, b in split(value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    with DATA.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= stories:
                break
            walk(json.loads(line))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=400)
    ap.add_argument("--show", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    from factcheck import parts

    pool = sentences(STORIES)
    random.Random(args.seed).shuffle(pool)
    sample = pool[: args.sentences]
    parts.split("Police arrested 13 people on Friday and the mayor said the curfew would be lifted on Monday.")
    parts.split.cache_clear()
    times: list[float] = []
    found: list[tuple[str, tuple[parts.Part, ...]]] = []
    for s in sample:
        t0 = time.perf_counter()
        got = parts.split(s)
        times.append(time.perf_counter() - t0)
        if got:
            found.append((s, got))
    n_parts = [len(p) for _, p in found]
    print(f"AllSides body sentences: {len(found)} of {len(sample)} split ({len(found) / len(sample):.1%}), "
          f"into {statistics.mean(n_parts) if n_parts else 0:.1f} parts on average (max {max(n_parts, default=0)}); "
          f"parse median {statistics.median(times) * 1000:.1f} ms a sentence (seed {args.seed})")
    for path in SUITE:
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        split_ids = [r["id"] for r in rows if parts.split(r["claim"])]
        print(f"{path.name}: {len(split_ids)} of {len(rows)} claims split {split_ids}")
    for s, got in found[: args.show]:
        print(f"\n>> {s}")
        for p in got:
            print(f"   - {p.text}")


if __name__ == "__main__":
    main()
