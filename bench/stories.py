"""How well articles are grouped into stories (factcheck.stories), on the AllSides clusters.

Each AllSides story is one gold cluster (its left / center / right outlets' articles). Stories are split by id:
even ids are dev, odd ids test. The shipped pair model (factcheck/models/stories/pairs.json) was trained and
its threshold picked on dev by scripts/train_stories.py; this reports it on test, by adjusted Rand index
and purity (sklearn.metrics): batch (`group` over the half) and incremental (articles one at a time in date
order, each a call of `settle` over the articles stored so far, as an ingest does; how many days around a
newcomer it groups again, SETTLE_DAYS, is picked here on dev among 1 and 3, printed first), with the rule they replace
as a baseline computed in the same run (cosine of title-and-lede vectors, complete linkage, distance 0.575,
dates more than a day apart never together). An article's date is the one in its URL (/YYYY/MM/DD/) when the
URL has one, else its story's (AllSides dates the story, not each article): "url dates", the main row; "no
dates" gives no article a date. Vectors come from the facade's encoder (title + lede, through a store's
embedding cache). Timings: `settle` per article, one at a time on the test half and in one call over every
article (a bulk ingest into an empty store), and one new article into a store holding all the others.

    .venv/bin/python bench/stories.py [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
OUT = ROOT / "bench" / "out"
BASELINE = {"rule": "1 - cosine of title-and-lede vectors, complete linkage", "threshold": 0.575, "window_days": 1}
_URL_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")


def articles() -> list[dict]:
    """One row per AllSides article: story id, title, lede, body, source, the URL's date or the story's."""
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
            out.append({"story": story["id"], "title": item.get("newsTitle"), "lede": lede, "body": body,
                        "source": item.get("newsSource") or "unknown", "date": when, "story_date": story_date})
    return out


def signatures(rows: list[dict], vecs: np.ndarray, dated: bool = True) -> list:
    """What factcheck.stories groups these rows by (scripts/train_stories.py reads the same)."""
    from factcheck import stories

    return [stories.Signature(v, stories.day_of(r["date"]) if dated else None,
                              stories.tfidf_text(r["title"], r["body"])) for v, r in zip(vecs, rows, strict=True)]


def purity(gold: np.ndarray, found: np.ndarray) -> float:
    from sklearn.metrics.cluster import contingency_matrix

    m = contingency_matrix(gold, found)
    return float(m.max(axis=0).sum() / m.sum())


def scores(gold: np.ndarray, found: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score

    return {"ari": round(float(adjusted_rand_score(gold, found)), 4), "purity": round(purity(gold, found), 4),
            "stories": int(len(set(found.tolist()))), "gold_stories": int(len(set(gold.tolist())))}


def incremental(signatures: list, order: list[int], days_around: int | None = None) -> tuple[np.ndarray, float]:
    """Labels when the articles arrive one at a time in `order`, each by a call of `settle` over the articles
    stored so far (as an ingest places them), and the seconds per article."""
    from factcheck import stories

    days = stories.SETTLE_DAYS if days_around is None else days_around
    labels: list[int] = []
    seen = []
    t = time.perf_counter()
    for i in order:
        seen.append(signatures[i])
        labels = stories.settle(seen, [*labels, None], days_around=days)
    took = (time.perf_counter() - t) / len(order)
    out = np.zeros(len(signatures), dtype=np.int64)
    out[order] = labels
    return out, took


def baseline_distances(signatures: list) -> np.ndarray:
    """The replaced rule's distances: cosine distance, 2 (apart) for dates more than a day apart."""
    vecs = np.stack([s.vec for s in signatures]).astype(np.float64)
    d = 1.0 - vecs @ vecs.T
    days = np.array([np.nan if s.day is None else s.day for s in signatures], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        d = np.where(np.abs(days[:, None] - days[None, :]) > BASELINE["window_days"], 2.0, d)
    np.fill_diagonal(d, 0.0)
    return np.clip(d, 0.0, 2.0)


def baseline(signatures: list, order: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The replaced rule: batch (AgglomerativeClustering) and incremental (each article to the story whose
    farthest member is nearest, within the threshold, else a new one) labels."""
    from sklearn.cluster import AgglomerativeClustering

    d = baseline_distances(signatures)
    t = BASELINE["threshold"]
    batch = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="complete",
                                    distance_threshold=t).fit(d).labels_
    inc = np.full(len(d), -1)
    members: dict[int, list[int]] = {}
    for i in order:
        best, best_d = None, t
        for lab, idx in members.items():
            if (linked := d[i, idx].max()) <= best_d:
                best, best_d = lab, linked
        if best is None:
            best = len(members)
            members[best] = []
        members[best].append(i)
        inc[i] = best
    return np.asarray(batch), inc


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
        fc.store.close()

    def signatures_of(dated: bool) -> list:
        return signatures(rows, vecs, dated)

    model = stories.load_model()
    results: dict[str, object] = {
        "articles": len(rows), "split": "story id even = dev (training, thresholds), odd = test",
        "encode_s_per_article": round(encode_s, 4), "baseline": BASELINE,
        "model": {"threshold": model.threshold, "linkage": model.linkage}, "settle_days": stories.SETTLE_DAYS}
    dev_idx = [i for i, r in enumerate(rows) if r["story"] % 2 == 0]
    dev = [signatures_of(True)[i] for i in dev_idx]
    dev_gold = np.array([rows[i]["story"] for i in dev_idx])
    dev_order = sorted(range(len(dev)), key=lambda i: (dev[i].day or 0, i))
    results["dev_settle"] = {f"{d} days": scores(dev_gold, incremental(dev, dev_order, d)[0]) for d in (1, 3)}
    test_idx = [i for i, r in enumerate(rows) if r["story"] % 2 == 1]
    gold = np.array([rows[i]["story"] for i in test_idx])
    for name, dated in (("url dates", True), ("no dates", False)):
        sigs = signatures_of(dated)
        test = [sigs[i] for i in test_idx]
        order = sorted(range(len(test)), key=lambda i: (test[i].day or 0, i))
        t = time.perf_counter()
        batch = stories.group(test)
        batch_s = time.perf_counter() - t
        inc, inc_s = incremental(test, order)
        base_batch, base_inc = baseline(test, order)
        results[name] = {"test_batch": scores(gold, batch), "test_incremental": scores(gold, inc),
                         "baseline_batch": scores(gold, base_batch), "baseline_incremental": scores(gold, base_inc),
                         "batch_s": round(batch_s, 3), "settle_one_at_a_time_s_per_article": round(inc_s, 5),
                         "test_articles": len(test)}
    sigs = signatures_of(True)
    everything = sorted(range(len(sigs)), key=lambda i: (sigs[i].day or 0, i))
    in_order = [sigs[i] for i in everything]
    t = time.perf_counter()
    labels = stories.settle(in_order, [None] * len(in_order))
    bulk_s = time.perf_counter() - t
    t = time.perf_counter()
    stories.settle(in_order, [*labels[:-1], None])
    one_s = time.perf_counter() - t
    results["timing"] = {"settle_bulk_articles": len(sigs), "settle_bulk_s": round(bulk_s, 2),
                         "settle_bulk_s_per_article": round(bulk_s / len(sigs), 5),
                         "settle_one_into_store_of": len(sigs) - 1, "settle_one_s": round(one_s, 3)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "stories.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{results['articles']} articles; {results['split']}; encode {encode_s * 1000:.1f} ms/article")
    print(f"model: {results['model']}; baseline: {BASELINE}")
    print("dev, one at a time, days grouped again around a newcomer (SETTLE_DAYS picked by this): " + "; ".join(
        f"{k}: ARI {v['ari']}" for k, v in results["dev_settle"].items()) + f"; shipped {stories.SETTLE_DAYS}")
    for name in ("url dates", "no dates"):
        r = results[name]
        assert isinstance(r, dict)
        print(f"{name} ({r['test_articles']} test articles):")
        for kind in ("test_batch", "test_incremental", "baseline_batch", "baseline_incremental"):
            print(f"  {kind}: ARI {r[kind]['ari']}, purity {r[kind]['purity']}, "
                  f"{r[kind]['stories']} stories for {r[kind]['gold_stories']}")
        print(f"  group {r['batch_s']} s; settle one at a time "
              f"{r['settle_one_at_a_time_s_per_article'] * 1000:.2f} ms/article")
    tm = results["timing"]
    assert isinstance(tm, dict)
    print(f"settle in one call over {tm['settle_bulk_articles']} articles: {tm['settle_bulk_s']} s "
          f"({tm['settle_bulk_s_per_article'] * 1000:.2f} ms/article); one article into a store of "
          f"{tm['settle_one_into_store_of']}: {tm['settle_one_s']} s")


if __name__ == "__main__":
    main()
