"""How well articles are grouped into stories (factcheck.stories), on the AllSides clusters.

Each AllSides story is one gold cluster (its left / center / right outlets' articles). Stories are split by id:
even ids are dev, odd ids test. The rule (threshold, linkage, date window, entity weight) is picked on dev by
the batch grouping's adjusted Rand index, then reported on test, batch (AgglomerativeClustering over the half)
and incremental (articles one at a time in date order, each assigned as an ingest assigns it), with purity
(sklearn.metrics). An article's date is the one in its URL (/YYYY/MM/DD/) when the URL has one, else its
story's date (AllSides dates the story, not each article): the "story dates" row gives every article its
story's date, which makes dates an easier signal than real ones; "no dates" leaves the window out.
Vectors come from the facade's encoder (title + lede, through a store's embedding cache).

    .venv/bin/python bench/stories.py [--json]
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
OUT = ROOT / "bench" / "out"
THRESHOLDS = np.round(np.arange(0.30, 0.80, 0.025), 3)
LINKAGES = ("complete", "average")
WINDOWS = (1, 2, 3, None)
ENTITY_WEIGHTS = (0.0, 0.2, 0.3)
_URL_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")


def articles() -> list[dict]:
    """One row per AllSides article: story id, title, lede, source, the URL's date or the story's."""
    from datetime import date

    from factcheck.ingest.sentences import split

    out = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        story_date = (story.get("date") or "")[:10] or None
        for item in story.get("news", {}).values():
            body = "\n\n".join(p.strip() for p in item.get("newBody", []) if p and p.strip())
            if not body:
                continue
            spans = split(body)
            lede = body[spans[0][0]:spans[0][1]] if spans else body
            when = story_date
            if m := _URL_DATE.search(item.get("newsLink") or ""):
                try:
                    when = date(*map(int, m.groups())).isoformat()
                except ValueError:
                    pass
            out.append({"story": story["id"], "title": item.get("newsTitle"), "lede": lede,
                        "source": item.get("newsSource") or "unknown", "date": when, "story_date": story_date})
    return out


def purity(gold: np.ndarray, found: np.ndarray) -> float:
    from sklearn.metrics.cluster import contingency_matrix

    m = contingency_matrix(gold, found)
    return float(m.max(axis=0).sum() / m.sum())


def scores(gold: np.ndarray, found: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    return {"ari": round(float(adjusted_rand_score(gold, found)), 4), "purity": round(purity(gold, found), 4),
            "stories": int(len(set(found.tolist()))), "gold_stories": int(len(set(gold.tolist())))}


def incremental(profiles: list, order: list[int], rule) -> np.ndarray:
    """Labels when the articles arrive one at a time in `order`, as ingest assigns them."""
    from factcheck import stories

    labels: list[int | None] = []
    seen = []
    for i in order:
        seen.append(profiles[i])
        labels = [*stories.assign(seen, [*labels, None], rule)]
    out = np.zeros(len(profiles), dtype=np.int64)
    out[order] = labels
    return out


def tune(profiles: list, gold: np.ndarray, base) -> tuple[object, float]:
    """The rule with the best batch ARI on these articles (ties: the first in grid order)."""
    from sklearn.metrics import adjusted_rand_score

    from factcheck import stories

    best, best_ari = base, -1.0
    for linkage, window, weight in itertools.product(LINKAGES, WINDOWS, ENTITY_WEIGHTS):
        d = stories.distances(profiles, profiles, replace(base, linkage=linkage, window_days=window,
                                                          entity_weight=weight, threshold=1.0))
        np.fill_diagonal(d, 0.0)
        for t in THRESHOLDS:
            from sklearn.cluster import AgglomerativeClustering

            found = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage=linkage,
                                            distance_threshold=float(t)).fit(d).labels_
            ari = adjusted_rand_score(gold, found)
            if ari > best_ari:
                best_ari = ari
                best = replace(base, linkage=linkage, window_days=window, entity_weight=weight, threshold=float(t))
    return best, float(best_ari)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from factcheck import stories
    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    rows = articles()
    with tempfile.TemporaryDirectory() as tmp:
        fc = Factcheck(Settings.from_env(Path(tmp)))
        texts = [stories.lede_text(r["title"], r["lede"]) for r in rows]
        fc.encoder.encode(["warm up the model"])
        t = time.perf_counter()
        vecs = fc.encoder.encode(texts)
        encode_s = (time.perf_counter() - t) / len(texts)

    def profiles_of(date_key: str | None) -> list:
        return [stories.Signature(v, stories.entities(text), stories.day_of(r[date_key]) if date_key else None)
                for v, text, r in zip(vecs, texts, rows, strict=True)]

    results: dict[str, object] = {"articles": len(rows), "split": "story id even = dev (tuning), odd = test",
                                  "encode_s_per_article": round(encode_s, 4)}
    for name, key in (("url dates", "date"), ("story dates", "story_date"), ("no dates", None)):
        profs = profiles_of(key)
        halves = {h: [i for i, r in enumerate(rows) if r["story"] % 2 == (0 if h == "dev" else 1)]
                  for h in ("dev", "test")}
        dev = [profs[i] for i in halves["dev"]]
        rule, dev_ari = tune(dev, np.array([rows[i]["story"] for i in halves["dev"]]), stories.RULE)
        if key is None:
            rule = replace(rule, window_days=None)
        test_idx = halves["test"]
        test = [profs[i] for i in test_idx]
        gold = np.array([rows[i]["story"] for i in test_idx])
        t = time.perf_counter()
        batch = stories.group(test, rule)
        batch_s = time.perf_counter() - t
        order = sorted(range(len(test)), key=lambda i: (test[i].day or 0, i))
        t = time.perf_counter()
        inc = incremental(test, order, rule)
        inc_s = (time.perf_counter() - t) / len(test)
        results[name] = {"rule": asdict(rule), "dev_ari": round(dev_ari, 4),
                         "test_batch": scores(gold, batch), "test_incremental": scores(gold, inc),
                         "batch_s": round(batch_s, 3), "incremental_s_per_article": round(inc_s, 5),
                         "test_articles": len(test)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "stories.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{results['articles']} articles; {results['split']}; encode {encode_s * 1000:.1f} ms/article")
    for name in ("url dates", "story dates", "no dates"):
        r = results[name]
        assert isinstance(r, dict)
        print(f"{name}: rule {r['rule']} (dev ARI {r['dev_ari']})")
        for kind in ("test_batch", "test_incremental"):
            print(f"  {kind}: ARI {r[kind]['ari']}, purity {r[kind]['purity']}, "
                  f"{r[kind]['stories']} stories for {r[kind]['gold_stories']}")
        print(f"  batch {r['batch_s']} s for {r['test_articles']} articles; incremental "
              f"{r['incremental_s_per_article'] * 1000:.2f} ms/article")


if __name__ == "__main__":
    main()
