"""Check-worthiness benchmark on CLEF-2019 debates held apart from tuning.

The recipe of scripts/train_checkworthy.py (same features, same hyper-parameters) is fitted on the
tuning debates only, then ranks the sentences of each held-apart debate (bench_split: every 4th
debate in file-name order, from the 4th). Prints MAP, P@5 and P@10 per debate and their mean over
debates, as CLEF-2019 reports them; best published MAP on the official test set: 0.166. Four debates
are a small sample, so it also prints the leave-one-debate-out MAP over the 15 tuning debates (each
scored by a model fitted on the other 14 and the news), the figure the recipe was chosen by.
The debate-only recipe (no news sentences), a lexical-only fit and a length-only ranking are printed
for reference, and both recipes are checked on held-apart news (FNC-1 dev stories vs unseen ARC comments).

Usage: python bench/checkworthy.py [--json]   (first run embeds ~16k sentences: a few minutes)
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("train_checkworthy", ROOT / "scripts" / "train_checkworthy.py")
assert _spec and _spec.loader
tc = importlib.util.module_from_spec(_spec)
sys.modules["train_checkworthy"] = tc  # dataclasses look their module up while the script loads
_spec.loader.exec_module(tc)


def per_debate(scores: np.ndarray, y: np.ndarray, g: np.ndarray, names: list[str]) -> list[dict[str, object]]:
    return [{"debate": names[i], "sentences": int((g == i).sum()), "positives": int(y[g == i].sum()),
             **tc.evaluate(scores[g == i], y[g == i], np.zeros(int((g == i).sum()), dtype=int))}
            for i in np.unique(g)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    tune, bench = tc.bench_split(tc.load_debates())
    x_tr, y_tr, g_tr = tc.design(tune)
    x_te, y_te, g_te = tc.design(bench)
    names = [d.name for d in bench]
    emb = x_tr.shape[1] - len(tc.LEXICAL_FEATURES)

    news_dev = tc.load_news(split="dev", per_kind=300)
    news = tc.load_news()
    model = tc.fit_recipe(tune, tc.DEFAULT, news=news)[0]
    debate_only = {**tc.DEFAULT, "news_weight": 0.0}
    before = tc.fit_recipe(tune, debate_only)[0]
    x_cv, y_cv, g_cv = tc.with_news(x_tr, y_tr, g_tr, news)
    loo = {f"shipped recipe {tc.DEFAULT}": tc.cross_validate(x_cv, y_cv, g_cv, tc.DEFAULT, tune)["MAP"],
           f"debates only {debate_only}": tc.cross_validate(x_cv, y_cv, g_cv, debate_only, tune)["MAP"]}
    lex_tr, lex_te = x_tr.copy(), x_te.copy()
    lex_tr[:, :emb] = 0.0
    lex_te[:, :emb] = 0.0
    lexical = tc.fit(lex_tr, y_tr, debate_only)
    n_words = np.array([len(t.split()) for d in bench for t in d.texts], dtype=float)
    news_checks = {f"shipped recipe {tc.DEFAULT}": tc.news_check(model, news_dev),
            f"debates only {debate_only}": tc.news_check(before, news_dev)}
    runs = {
        f"shipped recipe {tc.DEFAULT}": model.predict(x_te),
        f"debates only {debate_only}": before.predict(x_te),
        "lexical cues only": lexical.predict(lex_te),
        "sentence length only": n_words,
    }
    result = {name: {"mean": tc.evaluate(s, y_te, g_te), "debates": per_debate(s, y_te, g_te, names)}
              for name, s in runs.items()}
    if args.json:
        json.dump({"debates": result, "leave_one_debate_out_map": loo, "news_dev": news_checks}, sys.stdout,
                  indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"trained on {len(tune)} debates ({int(y_tr.sum())} positives of {len(y_tr)}); "
          f"held apart: {len(bench)} debates ({int(y_te.sum())} positives of {len(y_te)})")
    for name, r in result.items():
        print(f"\n{name}")
        print(f"  {'debate':32} {'n':>5} {'pos':>4} {'AP':>6} {'P@5':>5} {'P@10':>5}")
        for d in r["debates"]:
            print(f"  {d['debate']:32} {d['sentences']:5d} {d['positives']:4d} {d['MAP']:6.3f} {d['P@5']:5.2f} "
                  f"{d['P@10']:5.2f}")
        m = r["mean"]
        print(f"  {'mean over debates':43} {m['MAP']:6.3f} {m['P@5']:5.2f} {m['P@10']:5.2f}")
        if name in loo:
            print(f"  {'leave-one-debate-out MAP, 15 tuning debates':43} {loo[name]:6.3f}")
    print(f"\nnews held apart ({len(news_dev.texts)} sentences: FNC-1 dev stories, unseen ARC posts and AllSides "
          "stories): share on the right side of 0.5 by kind, and AUC facts vs comments")
    for name, r in news_checks.items():
        print(f"  {name}: {r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
