"""Train the story-grouping pair model (factcheck.stories) on the dev half of AllSides.

Data: /work/shared/data/neus/allsides_stories.jsonl through bench/stories.py's loader; stories with an even id
only (the odd ones are bench/stories.py's test half, never read here). An article's date is its URL's, else
its story's. Each pair of dev articles is one example: same story or not.

Leads are over all dev articles (what `probabilities` computes). The threshold on 1 - p is the one with the
best adjusted Rand index of complete-linkage clustering on out-of-fold probabilities: stories in 5 folds by id,
each pair scored by a model trained without the folds of either of its articles. An ingest places articles by
the same model (`settle` groups a newcomer's days again; bench/stories.py picks its days on this half).

It is StandardScaler + LogisticRegression(C=1) over factcheck.stories.FEATURES, as the study that picked
the recipe (with ranks; leads replace them so that a small store's quiet weeks carry no false evidence); the
threshold is picked with dated pairs more than APART_DAYS apart kept apart, as grouping does. The study had
every article dated; an unknown date reads as the same day (factcheck.stories), so no undated copy is trained
on. The model also trains on the pairs of random shares of the dev stories (THIN_SHARES): a quieter week, as a
small store holds, where the cosines must decide alone.

Deterministic; a few minutes on one CPU core (most of it encoding the titles and ledes).

    .venv/bin/python scripts/train_stories.py [--out factcheck/models/stories/pairs.json]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck import stories  # noqa: E402

WINDOW_DAYS = 3
RANK_CAP = 50
# dated articles further apart are never one story: the model itself learns the date window through leads,
# which a small set has too few of; 4 of the 704 same-story pairs of dev are further apart (URL dates)
APART_DAYS = 14
FOLDS = 5
C = 1.0
# a copy of the pairs of a random share of the dev stories, each of these: a store with a quiet week
THIN_SHARES = (0.1, 0.3)
THIN_WEIGHT = 1.0
GRID = np.round(np.arange(0.05, 0.99, 0.025), 3)  # thresholds on 1 - p tried


def bench_module():
    """bench/stories.py by path: its name would clash with factcheck.stories."""
    spec = importlib.util.spec_from_file_location("bench_stories", ROOT / "bench" / "stories.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))


def pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def fold_of(gold: np.ndarray) -> np.ndarray:
    return (gold // 2) % FOLDS  # even ids only: // 2 spreads them over the folds


def _fit(sets: list[tuple[np.ndarray, np.ndarray, float]], leave_out: tuple[int, ...] = ()):
    """One model on every pair of each (features, gold story ids, weight) set, leaving out the pairs with an
    article of a story in the folds `leave_out`."""
    xs, ys, ws = [], [], []
    for x, gold, weight in sets:
        iu = pairs(len(gold))
        fold = fold_of(gold)
        keep = ~(np.isin(fold[iu[0]], leave_out) | np.isin(fold[iu[1]], leave_out))
        sel = (iu[0][keep], iu[1][keep])
        xs.append(x[sel])
        ys.append(gold[sel[0]] == gold[sel[1]])
        ws.append(np.full(len(sel[0]), weight))
    return make().fit(np.concatenate(xs), np.concatenate(ys), logisticregression__sample_weight=np.concatenate(ws))


def out_of_fold(sets: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """P(same) of the pairs of the first set, each from a model trained without the story folds of its two
    articles (in every set)."""
    x0, gold, _ = sets[0]
    n = len(gold)
    fold = fold_of(gold)
    p = np.zeros((n, n))
    for a in range(FOLDS):
        for b in range(a, FOLDS):
            m = _fit(sets, (a, b))
            ia, ib = np.flatnonzero(fold == a), np.flatnonzero(fold == b)
            sub = m.predict_proba(x0[np.ix_(ia, ib)].reshape(-1, x0.shape[-1]))[:, 1].reshape(len(ia), len(ib))
            p[np.ix_(ia, ib)] = sub
            p[np.ix_(ib, ia)] = sub.T
    p = (p + p.T) / 2
    np.fill_diagonal(p, 1.0)
    return p


def thinned(rows: list[dict], vecs: np.ndarray, keep: float, seed: int) -> tuple[list[dict], np.ndarray]:
    """The dev articles of a seeded random `keep` share of the stories: a quieter news week, as a small store
    holds, where being an article's nearest neighbour means less."""
    rng = np.random.default_rng(seed)
    ids = sorted({r["story"] for r in rows})
    kept = set(np.asarray(ids)[rng.random(len(ids)) < keep].tolist())
    idx = [i for i, r in enumerate(rows) if r["story"] in kept]
    return [rows[i] for i in idx], vecs[idx]


def cut(p: np.ndarray, rows: list[dict]) -> np.ndarray:
    """`p` with 0 for dated pairs more than APART_DAYS apart, as factcheck.stories applies it."""
    days = np.array([stories.day_of(r["date"]) for r in rows], dtype=np.float64)
    return np.where(np.abs(days[:, None] - days[None, :]) > APART_DAYS, 0.0, p)


def cluster(d: np.ndarray, threshold: float) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    d = d.copy()
    np.fill_diagonal(d, 0.0)
    return AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="complete",
                                   distance_threshold=float(threshold)).fit(d).labels_


def best_threshold(score) -> tuple[float, float]:
    """(threshold, ARI): the first best of GRID."""
    found = [(float(score(t)), float(t)) for t in GRID]
    ari, t = max(found, key=lambda at: at[0])
    return t, ari


def export(model, threshold: float) -> dict:
    scaler, lr = model[0], model[-1]
    return {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(), "coef": lr.coef_[0].tolist(),
            "intercept": float(lr.intercept_[0]), "threshold": threshold, "linkage": "complete"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=stories.MODEL_FILE)
    args = ap.parse_args()
    from sklearn.metrics import adjusted_rand_score as ari

    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    t0 = time.perf_counter()
    bench = bench_module()
    rows = [r for r in bench.articles() if r["story"] % 2 == 0]
    with tempfile.TemporaryDirectory() as tmp:
        fc = Factcheck(Settings.from_env(Path(tmp)))
        vecs = fc.encoder.encode([stories.lede_text(r["title"], r["lede"]) for r in rows])
        fc.store.close()
    print(f"{len(rows)} dev articles, {len({r['story'] for r in rows})} stories; encoded in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    gold = np.array([r["story"] for r in rows])
    kw = {"window_days": WINDOW_DAYS, "cap": RANK_CAP}
    sets = [(stories.features(bench.signatures(rows, vecs), **kw), gold, 1.0)]
    for k, share in enumerate(THIN_SHARES):
        sub, sub_vecs = thinned(rows, vecs, share, seed=k)
        sets.append((stories.features(bench.signatures(sub, sub_vecs), **kw), np.array([r["story"] for r in sub]),
                     THIN_WEIGHT))
    p = cut(out_of_fold(sets), rows)
    threshold, dev_ari = best_threshold(lambda t: ari(gold, cluster(1 - p, t)))
    model = _fit(sets)
    print(f"dev out-of-fold ARI {dev_ari:.4f} at threshold {threshold}", flush=True)

    spec = {"format": stories.FORMAT, "features": list(stories.FEATURES), "window_days": WINDOW_DAYS,
            "rank_cap": RANK_CAP, "apart_days": APART_DAYS,
            "data": "AllSides stories (allsides_stories.jsonl), even story ids only: "
                    f"{len(rows)} articles, {len(set(gold.tolist()))} stories; dates from URLs, else the story's; "
                    f"and the pairs of random shares {THIN_SHARES} of the stories (weight {THIN_WEIGHT})",
            "trained": date.today().isoformat(), "script": "scripts/train_stories.py",
            "model": {**export(model, threshold), "dev_ari": round(dev_ari, 4),
                      "fit": f"StandardScaler + LogisticRegression(C={C}, lbfgs) on every pair; p = sigmoid",
                      "threshold_by": "complete-linkage ARI, out-of-fold by story folds"}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    weights = {n: round(w / sc, 3) for n, w, sc in zip(stories.FEATURES, spec["model"]["coef"],
                                                        spec["model"]["scale"], strict=True)}
    print(f"weights per unit: {weights}")
    print(f"wrote {args.out} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
