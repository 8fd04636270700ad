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
from factcheck.contrast import SUPPORT_MAKERS, make_pairs  # noqa: E402
from factcheck.snippet import split_body  # noqa: E402

SUPPORT_NAMES = frozenset(how for how, _ in SUPPORT_MAKERS)
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


def allsides_paraphrases(data: Path, exclude: set[int], threshold: float, *, roundup: bool = False,
                         cross_edits: bool = False, cross_kinds: list[str] | None = None, cross_unsettled: float = 1.0,
                         seed: int = 0) -> list[dict]:
    """Silver 'supports' pairs: a sentence of one outlet and another outlet's sentence on the same story that
    restates it — MiniLM cosine ≥ `threshold` and no differing number, date, negation, direction or outcome
    (factcheck.mismatch). Real paraphrase across outlets, the case the edit-made pairs never show.

    `roundup`: AllSides' own neutral summary of the story counts as one more voice (its sentences restate the
    outlets' in other words). `cross_edits`: each paraphrase also gives a claim the other outlet contradicts
    (one shared detail of it changed) and one it does not settle (a detail added): factcheck.contrast.cross_pairs
    — the altered facts a fact-checker meets are worded unlike the sentence that refutes them."""
    from factcheck.contrast import cross_pairs
    from factcheck.embed import load_encoder
    from factcheck.mismatch import find_mismatches

    enc = load_encoder()
    rng = random.Random(seed)
    out = []
    for line in (data / "neus/allsides_stories.jsonl").open():
        story = json.loads(line)
        if story["id"] in exclude or not story.get("news"):
            continue
        voices = {name: a.get("newBody") or [] for name, a in story["news"].items()}
        if roundup and story.get("roundup"):
            voices["roundup"] = story["roundup"]
        sides = [(name, [t for t in split_body("\n".join(paras)) if 6 <= len(t.split()) <= 50])
                 for name, paras in sorted(voices.items())]
        names = sorted({m.group(0) for _, ts in sides for t in ts for m in _NAMES.finditer(t)})
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
                how = "roundup" if "roundup" in (ni, nj) else "cross-outlet"
                out.append({"id": f"allsides:{story['id']}:para:{i}:{j}", "claim": ti, "evidence": tj,
                            "label": "supports", "group": f"allsides:{story['id']}", "how": how,
                            "set": "news_paraphrase"})
                if cross_edits:
                    for k, p in enumerate(cross_pairs(ti, tj, rng, names_pool=names, kinds=cross_kinds,
                                                      unsettled=cross_unsettled)):
                        out.append({"id": f"allsides:{story['id']}:cross:{i}:{j}:{k}", "claim": p.claim,
                                    "evidence": p.evidence, "label": str(p.label), "group": f"allsides:{story['id']}",
                                    "how": p.how, "set": "news_crossedit"})
    return out


# "observing" (a headline that reports the rumour without taking a side: "BMO forecasts 19M Apple Watch sales",
# "Report: …") is left out: read as nei it taught pass 3 that "X said Y" does not state Y, where an outlet
# carrying an official's statement is what corroborates a reported fact on the project's suite
EMERGENT_LABELS = {"for": "supports", "against": "conflicts"}


def emergent_pairs(data: Path) -> list[dict]:
    """Emergent: a rumour as a claim against news headlines about it, for / against → supports / conflicts —
    real, low-overlap wording ("World's oldest burger" for "Two Australian men kept a
    Quarter Pounder for 20 years"). Grouped by claim, so a claim's headlines sit on one side of the split."""
    import pandas as pd

    df = pd.read_csv(data / "emergent/train.csv")
    return [{"id": f"emergent:{r.articleId}", "claim": str(r.claimHeadline), "evidence": str(r.articleHeadline),
             "label": EMERGENT_LABELS[r.articleHeadlineStance], "group": f"emergent:{r.claimId}",
             "how": str(r.articleHeadlineStance), "set": "emergent"}
            for r in df.itertuples() if r.articleHeadlineStance in EMERGENT_LABELS]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--out", type=Path, default=ROOT / ".train_verify/news_pairs.jsonl.gz")
    ap.add_argument("--sources", default="fnc1,allsides")
    ap.add_argument("--max-sentences", type=int, default=14, help="per FNC-1 body: its first N sentences")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--paraphrases", type=float, default=None, metavar="COSINE",
                    help="also write cross-outlet AllSides paraphrases at this MiniLM cosine or above (e.g. 0.75)")
    ap.add_argument("--roundup", action="store_true", help="paraphrases: AllSides' roundup is one more voice")
    ap.add_argument("--cross-edits", action="store_true",
                    help="paraphrases: also a contradicted and an unsettled claim per pair (contrast.cross_pairs)")
    ap.add_argument("--emergent", action="store_true", help="also Emergent claim/headline pairs (set 'emergent')")
    ap.add_argument("--cross-kinds", default=None,
                    help="cross edits: only these conflict kinds, comma-separated (number,date,opposite,polarity,name)")
    ap.add_argument("--minimal", action="store_true",
                    help="a sentence's contradicted and unsettled claims are edits of its supported claim "
                         "(contrast.make_pairs(minimal=True)); those triples are written as set 'news_minimal'")
    ap.add_argument("--cross-unsettled", type=float, default=1.0,
                    help="cross edits: the share of paraphrases that also give an unsettled claim")
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
            for i, p in enumerate(make_pairs(sents, rng, names_pool=rng.sample(pool, min(40, len(pool))),
                                                 minimal=args.minimal)):
                # --minimal: a sentence's supported claim and the edits of it form their own set, so a pass can
                # draw these minimal triples apart from the whole-sentence edits of the other sentences
                minimal = args.minimal and ("+" in p.how or p.how in SUPPORT_NAMES)
                f.write(json.dumps({"id": f"{group}:{k}:{i}", "claim": p.claim, "evidence": p.evidence,
                                    "label": str(p.label), "group": group, "how": p.how,
                                    "set": "news_minimal" if minimal else "news_" + group.split(":")[0]}) + "\n")
                counts[f"{p.label}/{p.how}"] += 1
        if args.paraphrases is not None:
            for r in allsides_paraphrases(args.data, excluded, args.paraphrases, roundup=args.roundup,
                                          cross_edits=args.cross_edits, seed=args.seed,
                                          cross_kinds=args.cross_kinds.split(",") if args.cross_kinds else None,
                                          cross_unsettled=args.cross_unsettled):
                f.write(json.dumps(r) + "\n")
                counts[f"{r['label']}/{r['how']}"] += 1
        if args.emergent:
            for r in emergent_pairs(args.data):
                f.write(json.dumps(r) + "\n")
                counts[f"{r['label']}/emergent-{r['how']}"] += 1
    print(f"{sum(counts.values())} pairs from {len(stories)} articles "
          f"({len(excluded)} suite stories left out) -> {args.out}")
    for k, n in sorted(counts.items()):
        print(f"  {k}: {n}")


if __name__ == "__main__":
    main()
