"""Write contrastive claim–evidence pairs from real news sentences (factcheck.contrast) for the verifier.

Sources: FNC-1 train bodies (dev bodies left out: the stance benchmark keeps them unseen) and AllSides
stories, minus every story of the project's own evaluation suite (bench/data/verify_suite_*.jsonl), so the
suite measures stories no training pair came from. Seeded and deterministic.

    python scripts/make_verify_pairs.py --data ../shared/data --out .train_verify/news_pairs.jsonl.gz \
        --sources fnc1,allsides
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from factcheck.contrast import make_pairs  # noqa: E402
from factcheck.snippet import split_body  # noqa: E402

_NAMES = re.compile(r"\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})+\b")


def suite_stories(root: Path = ROOT) -> set[int]:
    out: set[int] = set()
    for f in sorted((root / "bench/data").glob("verify_suite_*.jsonl")):
        out.update(json.loads(line)["story"] for line in f.open() if line.strip())
    return out


def fnc_stories(data: Path, max_sentences: int) -> list[tuple[str, list[str]]]:
    import pandas as pd

    bodies = pd.read_csv(data / "fnc1/train_bodies.csv")
    dev = set(pd.read_csv(data / "fnc1/dev_stances.csv")["Body ID"])
    out = []
    for bid, text in zip(bodies["Body ID"], bodies.articleBody, strict=True):
        if bid in dev:
            continue
        out.append((f"fnc:{bid}", split_body(str(text))[:max_sentences]))
    return out


def allsides_stories(data: Path, exclude: set[int]) -> list[tuple[str, list[str]]]:
    out = []
    for line in (data / "neus/allsides_stories.jsonl").open():
        story = json.loads(line)
        if story["id"] in exclude or not story.get("news"):
            continue
        # one outlet's article at a time: another outlet's sentence may restate the same fact, which would
        # teach the model that corroboration across outlets is "not enough information"
        for side in story["news"].values():
            out.append((f"allsides:{story['id']}", split_body("\n".join(side.get("newBody") or []))))
    return out


def allsides_paraphrases(data: Path, exclude: set[int], threshold: float) -> list[dict]:
    """Silver 'supports' pairs: a sentence of one outlet and another outlet's sentence on the same story that
    restates it — MiniLM cosine ≥ `threshold` and no differing number, date, negation, direction or outcome
    (factcheck.mismatch). Real paraphrase across outlets, the case the edit-made pairs never show."""
    from factcheck.embed import load_encoder
    from factcheck.mismatch import find_mismatches

    enc = load_encoder()
    out = []
    for line in (data / "neus/allsides_stories.jsonl").open():
        story = json.loads(line)
        if story["id"] in exclude or not story.get("news"):
            continue
        sides = [(name, [t for t in split_body("\n".join(a.get("newBody") or [])) if 6 <= len(t.split()) <= 50])
                 for name, a in sorted(story["news"].items())]
        flat = [(name, t) for name, ts in sides for t in ts]
        if len(flat) < 2:
            continue
        vecs = enc.encode([t for _, t in flat])
        sims = vecs @ vecs.T
        for i, (ni, ti) in enumerate(flat):
            for j, (nj, tj) in enumerate(flat):
                if ni == nj or sims[i, j] < threshold or ti == tj:
                    continue
                bad = {"number", "date", "negation", "direction", "opposite"}
                if any(m.kind in bad for m in find_mismatches(ti, tj, entities=False)):
                    continue
                out.append({"id": f"allsides:{story['id']}:para:{i}:{j}", "claim": ti, "evidence": tj,
                            "label": "supports", "group": f"allsides:{story['id']}", "how": "cross-outlet",
                            "set": "news_paraphrase"})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--out", type=Path, default=ROOT / ".train_verify/news_pairs.jsonl.gz")
    ap.add_argument("--sources", default="fnc1,allsides")
    ap.add_argument("--max-sentences", type=int, default=14, help="per FNC-1 body: its first N sentences")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--paraphrases", type=float, default=None, metavar="COSINE",
                    help="also write cross-outlet AllSides paraphrases at this MiniLM cosine or above (e.g. 0.75)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    stories: list[tuple[str, list[str]]] = []
    kinds = args.sources.split(",")
    if "fnc1" in kinds:
        stories += fnc_stories(args.data, args.max_sentences)
    excluded = suite_stories()
    if "allsides" in kinds:
        stories += allsides_stories(args.data, excluded)
    pool = sorted({m.group(0) for _, sents in stories for s in sents for m in _NAMES.finditer(s)})
    counts: Counter[str] = Counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt") as f:
        for k, (group, sents) in enumerate(stories):
            for i, p in enumerate(make_pairs(sents, rng, names_pool=rng.sample(pool, min(40, len(pool))))):
                f.write(json.dumps({"id": f"{group}:{k}:{i}", "claim": p.claim, "evidence": p.evidence,
                                    "label": str(p.label), "group": group, "how": p.how,
                                    "set": "news_" + group.split(":")[0]}) + "\n")
                counts[f"{p.label}/{p.how}"] += 1
        if args.paraphrases is not None:
            for r in allsides_paraphrases(args.data, excluded, args.paraphrases):
                f.write(json.dumps(r) + "\n")
                counts["supports/cross-outlet"] += 1
    print(f"{sum(counts.values())} pairs from {len(stories)} articles "
          f"({len(excluded)} suite stories left out) -> {args.out}")
    for k, n in sorted(counts.items()):
        print(f"  {k}: {n}")


if __name__ == "__main__":
    main()
