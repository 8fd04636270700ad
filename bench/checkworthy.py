"""Check-worthiness benchmark on CLEF-2019 debates held apart from tuning.

The recipe of scripts/train_checkworthy.py (same features, same hyper-parameters) is fitted on the
tuning debates only, then ranks the sentences of each held-apart debate (bench_split: every 4th
debate in file-name order, from the 4th). Prints MAP, P@5 and P@10 per debate and their mean over
debates, as CLEF-2019 reports them; best published MAP on the official test set: 0.166. Four debates
are a small sample, so it also prints the leave-one-debate-out MAP over the 15 tuning debates (each
scored by a model fitted on the other 14 and the news), the figure the recipe was chosen by.
The debate-only recipe (no news sentences), a lexical-only fit and a length-only ranking are printed
for reference, and both recipes are checked on held-apart news (FNC-1 dev stories vs unseen ARC comments).
The fine-tuned cross-encoder averaged in beside it (scripts/train_checkworthy_finetune.py) takes ~45 min of CPU to
cross-validate, so its rows are printed as that script recorded them; `--finetuned DIR` measures a cross-encoder
checkpoint on the labelled news. Then the shipped model itself (both parts) is measured on hand-labelled news
(bench/data/checkworthy_news.jsonl, every body sentence of 40 AllSides stories it never trained on; see
bench/data/CHECKWORTHY_NEWS.md), with the sentences/s claims.score ran at.

`--speed` times claims.score as a user meets it, (a) on fresh sentences (the sentence embedding included, as
`factcheck checkworthy` scores) and (b) with the sentence vectors already computed (ingest through the facade:
the index's cached vectors are the ones the scorer reads), each with the cross-encoder as it ships and as it ran
before (float32 weights under bf16 autocast), interleaved in one process; and how far the scores move between
them and from float32 throughout, on the labelled news and the 4 held-apart debates (MAP, P@k, P/R at the
shipped threshold).

`--cues` leaves each lexical cue out in turn and refits the shipped recipe: CV MAP on the tuning debates and MAP on
the held-apart ones, the model card's cue table.

Usage: python bench/checkworthy.py [--json] [--news-only | --cues | --speed [--runs N] [--threads N]]
(first run embeds ~16k sentences: a few minutes; --news-only measures the shipped model on the labelled news alone,
in seconds)
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.claims import CROSS_DIR, CUT_SCORE_MAX, is_cut

NEWS_LABELS = Path(__file__).resolve().parent / "data" / "checkworthy_news.jsonl"
NEWS_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
NEWS_TOP_SHARES = (0.3, 0.4, 0.5)

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


def load_news_labels(path: Path = NEWS_LABELS) -> list[dict[str, object]]:
    """The labelled sentences, after checking they are still the passages factcheck makes of each article:
    a changed splitter would leave the labels on sentences the claims list no longer shows."""
    from factcheck.ingest.pipeline import passages_of

    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    stories = {}
    with (tc.SHARED / "neus" / "allsides_stories.jsonl").open(encoding="utf-8") as f:
        for line in f:
            story = json.loads(line)
            stories[int(story["id"])] = story
    for sid, source in dict.fromkeys((r["story"], r["source"]) for r in rows):
        art = next(a for a in stories[sid]["news"].values() if a["newsSource"] == source)
        text = "\n\n".join(p.strip() for p in art["newBody"] if p.strip())  # as bench/verify.py ingests it
        made = [(p.start, p.end) for p in passages_of(text) if p.kind == "body"]
        if made != [(r["start"], r["end"]) for r in rows if (r["story"], r["source"]) == (sid, source)]:
            raise SystemExit(f"{path.name}: story {sid} ({source}) no longer splits into the labelled sentences")
    return rows


def _prf(shown: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = float((shown & (y == 1)).sum())
    p, r = tp / max(int(shown.sum()), 1), tp / max(int(y.sum()), 1)
    return {"precision": p, "recall": r, "F1": 2 * p * r / (p + r) if p + r else 0.0, "shown": float(shown.mean())}


def news_check(scores: np.ndarray, y: np.ndarray, article: np.ndarray, threshold: float) -> dict[str, Any]:
    """How the scorer's claims list reads on labelled news: at the shipped threshold, at others, and when each
    article shows its top share of sentences; plus the lowest threshold that keeps precision >= 0.8."""
    top = {}
    for share in NEWS_TOP_SHARES:
        shown = np.zeros(len(y), dtype=bool)
        for a in np.unique(article):  # at least one per article: of 2-7 sentences, a share rounds up
            idx = np.flatnonzero(article == a)
            shown[idx[np.argsort(-scores[idx], kind="stable")[:int(np.ceil(share * len(idx)))]]] = True
        top[f"top {share:.0%} per article"] = _prf(shown, y)
    # every distinct score is a candidate threshold; the lowest with precision >= 0.8 has the best recall
    reach = [t for t in np.unique(scores) if _prf(scores >= t, y)["precision"] >= 0.8]
    return {"sentences": len(y), "positives": int(y.sum()), "AP": tc.average_precision(scores, y),
            "shipped": {"threshold": threshold, **_prf(scores >= threshold, y)},
            "thresholds": {t: _prf(scores >= t, y) for t in NEWS_THRESHOLDS if t != threshold}, "top": top,
            "precision 0.8": {"threshold": float(min(reach)), **_prf(scores >= min(reach), y)} if reach else None}


def news_labelled(scores: np.ndarray | None = None) -> dict[str, Any]:
    """The shipped model (not a refit) on the labelled news, scored as ingest scores body passages; or `scores`
    another scorer gave the rows of load_news_labels, in their order."""
    from factcheck.claims import score
    from factcheck.settings import Settings

    rows = load_news_labels()
    rate = None
    if scores is None:
        score([str(r["text"]) for r in rows[:64]])  # loads the models before the timing
        t = time.perf_counter()
        scores = score([str(r["text"]) for r in rows])
        rate = len(rows) / (time.perf_counter() - t)
    y = np.array([int(r["label"]) for r in rows])
    article = np.unique([f"{r['story']}/{r['source']}" for r in rows], return_inverse=True)[1]
    # AllSides cut each excerpt mid-sentence ("..."): labelled 0 by rule, so also measured without them
    whole = np.array([not str(r["text"]).endswith(("...", "…")) for r in rows])  # the labelling rule's test
    threshold = Settings().claim_threshold
    return {"stories": len({r["story"] for r in rows}), "articles": int(article.max()) + 1,
            "sentences_per_second": rate, "all sentences": news_check(scores, y, article, threshold),
            "without the cut last sentences": news_check(scores[whole], y[whole], article[whole], threshold)}


def finetune_script() -> Any:
    """scripts/train_checkworthy_finetune.py as a module (it runs standalone, so it is not in the package)."""
    spec = importlib.util.spec_from_file_location("train_checkworthy_finetune",
                                                  ROOT / "scripts" / "train_checkworthy_finetune.py")
    assert spec and spec.loader
    ft = importlib.util.module_from_spec(spec)
    sys.modules["train_checkworthy_finetune"] = ft
    spec.loader.exec_module(ft)
    return ft


def finetuned_on_news(directory: Path, weight: float) -> dict[str, Any]:
    """A fine-tuned cross-encoder (scripts/train_checkworthy_finetune.py) on the labelled news, alone and
    averaged with the shipped model (`weight` its share), each sentence read after the one before it in its
    article, as the cross-encoder was trained; cut sentences capped as claims.score caps them; and speed."""
    from factcheck.claims import score

    ft = finetune_script()
    rows = load_news_labels()
    texts = [str(r["text"]) for r in rows]
    contexts = [str(rows[i - 1]["text"]) if i and (rows[i - 1]["story"], rows[i - 1]["source"])
                == (r["story"], r["source"]) else "" for i, r in enumerate(rows)]
    model, tok = ft.load_base(str(directory))
    model.eval()
    ft.predict(model, tok, contexts[:64], texts[:64])  # warm-up, kept out of the timing
    t = time.perf_counter()
    p_ft = ft.predict(model, tok, contexts, texts)
    ft_rate = len(texts) / (time.perf_counter() - t)
    score(texts[:64])  # loads the encoder and model before the timing
    t = time.perf_counter()
    p_lr = score(texts)
    lr_rate = len(texts) / (time.perf_counter() - t)
    cut = np.array([is_cut(x) for x in texts])
    p_ft = np.where(cut, np.minimum(p_ft, CUT_SCORE_MAX), p_ft)
    return {"directory": str(directory), "sentences_per_second": {"fine-tuned": ft_rate, "shipped": lr_rate},
            "fine-tuned": news_labelled(p_ft),
            f"average, fine-tuned {weight}": news_labelled(weight * p_ft + (1 - weight) * p_lr)}


def print_news(result: dict[str, Any], title: str = "shipped model") -> None:
    def line(label: str, m: dict[str, float]) -> str:
        return f"    {label:22} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['F1']:.3f}  shown {m['shown']:.0%}"

    print(f"{title} on hand-labelled news ({NEWS_LABELS.name}: {result['articles']} articles of "
          f"{result['stories']} AllSides stories it never trained on); shown = share listed as claims"
          + (f"; claims.score ran at {result['sentences_per_second']:.0f} sentences/s"
             if result.get("sentences_per_second") else ""))
    for name in ("all sentences", "without the cut last sentences"):
        r = result[name]
        print(f"  {name}: {r['sentences']} sentences, {r['positives']} check-worthy; AP {r['AP']:.3f}")
        print(line(f"shipped threshold {r['shipped']['threshold']:.2f}", r["shipped"]))
        for t, m in r["thresholds"].items():
            print(line(f"threshold {t:.2f}", m))
        for label, m in r["top"].items():
            print(line(label, m))
        best = r["precision 0.8"]
        if best is None:
            print("    no threshold reaches precision 0.8")
        else:
            reached = "both reach 0.8" if best["recall"] >= 0.8 else "recall stays under 0.8"
            print(line(f"P>=0.8 from {best['threshold']:.3f}", best) + f"  ({reached})")


def cross_variants() -> dict[str, Any]:
    """The shipped cross-encoder as claims loads it ("shipped": bf16 weights where the CPU has bf16 units), as it
    ran before ("before": float32 weights under bf16 autocast), and in float32 throughout ("float32")."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from factcheck import claims
    from factcheck.embed import quiet_loading

    shipped = claims.load_cross()
    assert shipped is not None, "no cross-encoder ships"
    with quiet_loading():
        fp32 = AutoModelForSequenceClassification.from_pretrained(str(claims.CROSS_DIR), dtype=torch.float32)
    fp32.eval()

    def like(bf16: bool) -> claims.CrossEncoder:
        return claims.CrossEncoder(fp32, shipped.tokenizer, weight=shipped.weight, max_length=shipped.max_length,
                                   bf16=bf16)

    return {"shipped": shipped, "before": like(True), "float32": like(False)}


def _rate(n: int, seconds: list[float]) -> dict[str, Any]:
    return {"median": n / float(np.median(seconds)), "runs": [round(n / t, 1) for t in seconds]}


def speed(runs: int) -> dict[str, Any]:
    """Sentences/s of claims.score on the labelled news, shipped vs before, interleaved: (a) fresh sentences
    (embedded in each call), (b) vectors already computed (a CachedEncoder whose cache holds them: through the
    facade the scorer embeds each passage into the store's cache and the index reads it from there, so (b) is
    what scoring adds to ingest); then how far scores move, and whether rankings and the shipped threshold's
    list do, on the news and the debates."""
    import os

    import torch

    from factcheck import claims
    from factcheck.embed import CachedEncoder, MemoryCache, load_encoder
    from factcheck.precision import bf16_units
    from factcheck.settings import Settings

    ft = finetune_script()

    model, plain, variants = claims._shipped_model(), load_encoder(), cross_variants()
    rows = load_news_labels()
    texts = [str(r["text"]) for r in rows]
    cached = CachedEncoder(MemoryCache(), plain)
    cached.encode(texts)  # the vectors ingest would have computed for the index
    timed = ("before", "shipped")
    for name in timed:  # warm-up: loads, first-call allocations
        claims.score(texts[:64], encoder=cached, model=model, cross=variants[name])
    seconds: dict[str, list[float]] = {f"{m} {v}": [] for m in ("fresh", "vectors") for v in timed}
    for _ in range(runs):
        for mode, enc in (("fresh", plain), ("vectors", cached)):
            for name in timed:
                t = time.perf_counter()
                claims.score(texts, encoder=enc, model=model, cross=variants[name])
                seconds[f"{mode} {name}"].append(time.perf_counter() - t)
    rates = {k: _rate(len(texts), v) for k, v in seconds.items()}

    threshold = Settings().claim_threshold
    y_news = np.array([int(r["label"]) for r in rows])
    article = np.unique([f"{r['story']}/{r['source']}" for r in rows], return_inverse=True)[1]
    news = {name: claims.score(texts, encoder=cached, model=model, cross=c) for name, c in variants.items()}
    debates = tc.bench_split(tc.load_debates())[1]
    d_texts = [t for d in debates for t in d.texts]
    d_ctx = [ft.debate_context(d, i) for d in debates for i in range(len(d.texts))]
    y_deb = np.concatenate([d.labels for d in debates]).astype(int)
    g_deb = np.concatenate([np.full(len(d.texts), k) for k, d in enumerate(debates)])
    cached.encode(d_texts)
    deb = {name: claims.score(d_texts, encoder=cached, model=model, cross=c, contexts=d_ctx)
           for name, c in variants.items()}

    def moved(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
        return {"max |delta score|": float(np.abs(a - b).max()),
                "flips at the threshold": int(((a >= threshold) != (b >= threshold)).sum())}

    quality = {name: {"news": {"AP": tc.average_precision(news[name], y_news),
                               **_prf(news[name] >= threshold, y_news),
                               "top 40% per article": news_check(news[name], y_news, article, threshold)["top"]
                               ["top 40% per article"]},
                      "debates": tc.evaluate(deb[name], y_deb, g_deb)} for name in variants}
    return {"sentences": len(texts), "torch_threads": torch.get_num_threads(), "bf16_units": sorted(bf16_units()),
            "shipped_bf16": bool(variants["shipped"].bf16), "load_average": os.getloadavg(), "runs": runs,
            "sentences_per_second": rates,
            # each run's ratio (the two ran back to back), then their median: the load moves between runs
            "shipped/before": {m: float(np.median(np.array(seconds[f"{m} before"]) / seconds[f"{m} shipped"]))
                               for m in ("fresh", "vectors")},
            "threshold": threshold, "debate_sentences": len(d_texts),
            "moved": {f"{a} vs {b}": {"news": moved(news[a], news[b]), "debates": moved(deb[a], deb[b])}
                      for a, b in (("shipped", "before"), ("shipped", "float32"), ("before", "float32"))},
            "quality": quality}


def print_speed(r: dict[str, Any]) -> None:
    print(f"claims.score on the {r['sentences']} labelled news sentences, {r['runs']} interleaved runs; torch threads "
          f"{r['torch_threads']}, bf16 units {r['bf16_units'] or 'none'} (shipped cross-encoder in "
          f"{'bf16' if r['shipped_bf16'] else 'float32'}), load average {r['load_average'][0]:.1f}")
    print("  'before': the cross-encoder's float32 weights under bf16 autocast (as it ran until this change)")
    for mode, what in (("fresh", "(a) fresh sentences, the sentence embedding included"),
                       ("vectors", "(b) sentence vectors already computed (ingest: the index's own vectors)")):
        b, s = r["sentences_per_second"][f"{mode} before"], r["sentences_per_second"][f"{mode} shipped"]
        print(f"  {what}: shipped {s['median']:.0f}/s {s['runs']}, before {b['median']:.0f}/s {b['runs']}; "
              f"x{r['shipped/before'][mode]:.2f} (median of the runs' ratios)")
    print(f"scores moved (news {r['sentences']} sentences without context; 4 held-apart debates, "
          f"{r['debate_sentences']} sentences after speaker and line before), threshold {r['threshold']}:")
    for pair, m in r["moved"].items():
        print(f"  {pair:20} news max |delta| {m['news']['max |delta score|']:.4f} "
              f"({m['news']['flips at the threshold']} flips), debates {m['debates']['max |delta score|']:.4f} "
              f"({m['debates']['flips at the threshold']} flips)")
    print("quality (the shipped models trained on these debates: only the differences between rows mean anything "
          "there; the news is unseen):")
    for name, q in r["quality"].items():
        n, d, top = q["news"], q["debates"], q["news"]["top 40% per article"]
        print(f"  {name:9} news AP {n['AP']:.4f} P {n['precision']:.4f} R {n['recall']:.4f} shown {n['shown']:.3f} "
              f"(top 40%: P {top['precision']:.4f}); debates MAP {d['MAP']:.4f} P@5 {d['P@5']:.3f} "
              f"P@10 {d['P@10']:.3f}")


def cross_encoder_record() -> dict[str, Any] | None:
    """What scripts/train_checkworthy_finetune.py measured for the shipped cross-encoder (its `cv` and `bench`,
    ~45 min of CPU, too long to rerun here), as it wrote them into the weights' factcheck_checkworthy.json."""
    spec = CROSS_DIR / "factcheck_checkworthy.json"
    if not spec.is_file():
        return None
    data = json.loads(spec.read_text(encoding="utf-8"))
    return {"weight": data.get("weight"), "hp": data.get("hp"), "train_seconds": data.get("train_seconds"),
            **data.get("measured", {})}


def print_cross_encoder() -> None:
    rec = cross_encoder_record()
    if not rec or "cv" not in rec or "bench" not in rec:
        return
    cv, held = rec["cv"]["cv"], rec["bench"]["held_apart"]
    print(f"\nfine-tuned MiniLM cross-encoder (debates read after speaker + line before), shipped at weight "
          f"{rec['weight']}, {rec['hp']}; recorded by its training script: CV = {rec['cv']['protocol']}; "
          "held-apart = fitted on the 15, the 4 bench debates scored")
    print(f"  {'candidate':40} {'CV MAP':>7} {'held-apart MAP':>14} {'P@5':>6} {'P@10':>6}")
    for name, h in held.items():
        c, m = cv.get(name, {}), h["mean"]
        print(f"  {name:40} {c.get('MAP', float('nan')):7.3f} {m['MAP']:14.3f} {m['P@5']:6.3f} {m['P@10']:6.3f}")
    best = max((n for n in held if n in cv), key=lambda n: cv[n]["MAP"])
    print(f"  best CV MAP: {best} ({cv[best]['MAP']:.3f}); the shipped average puts the cross-encoder at "
          f"{rec['weight']}")


def cue_ablation() -> dict[str, Any]:
    """Does each lexical cue earn its place? The shipped logistic-regression recipe refitted with one cue left out
    (its column zeroed, which a standardised L2 fit reads as no cue): MAP on the 15 tuning debates by the 3 grouped
    folds the cross-encoder was chosen by (debate k in fold k % 3), and on the 4 held-apart debates by a fit on the
    15, and the news AUC facts vs comments of that fit (FNC-1 dev stories vs ARC comments), and no cue at all.
    Each cue shipped costs CV MAP when left out; the 25 pruned from the 31 of earlier releases did not (the model
    card's table)."""
    tune, bench = tc.bench_split(tc.load_debates())
    x, y, g = tc.design(tune)
    xn, yn, gn = tc.with_news(x, y, g, tc.load_news())
    xb, yb, gb = tc.design(bench)
    emb = x.shape[1] - len(tc.LEXICAL_FEATURES)
    names = tc.name_subspace(tune, int(tc.DEFAULT["name_dims"]))  # type: ignore[call-overload]
    weight = tc.sample_weights(yn, gn, float(tc.DEFAULT["news_weight"]))  # type: ignore[arg-type]
    folds = np.arange(len(tune)) % 3
    news_dev = tc.load_news(split="dev", per_kind=300)  # FNC-1 dev stories' facts vs unseen ARC comments

    def without(drop: list[str]) -> dict[str, float]:
        cols = [emb + tc.LEXICAL_FEATURES.index(c) for c in drop]
        xa, xba = xn.copy(), xb.copy()
        xa[:, cols] = 0.0
        xba[:, cols] = 0.0
        cv = tc.evaluate(tc.out_of_fold(xa, yn, gn, tc.DEFAULT, tune, fold=folds)[: len(y)], y, g)["MAP"]
        model = tc.fit(xa, yn, tc.DEFAULT, names=names, weight=weight)
        held = tc.evaluate(model.predict(xba), yb, gb)["MAP"]
        # a zeroed column gets no weight, so the news are scored with every cue computed
        auc = tc.news_check(model, news_dev)["AUC"]
        return {"cv_map": round(cv, 4), "held_apart_map": round(held, 4), "news_auc": round(auc, 4)}

    every = without([])
    rows = {c: without([c]) for c in tc.LEXICAL_FEATURES}
    subsets = {"no cue": {"cues": [], **without(list(tc.LEXICAL_FEATURES))}}
    return {"every cue": every, "one cue left out": rows, "subsets": subsets}


def print_cues(r: dict[str, Any]) -> None:
    e = r["every cue"]
    print(f"lexical cues, the shipped logistic-regression recipe: CV MAP (3 grouped folds of the 15 tuning debates) "
          f"{e['cv_map']:.4f}, held-apart MAP {e['held_apart_map']:.4f} with all {len(r['one cue left out'])}")
    print(f"  news AUC {e['news_auc']:.4f}")
    print(f"  {'left out':16} {'CV MAP':>8} {'change':>8} {'held-apart':>10} {'change':>8} {'news AUC':>8}")
    for c, m in sorted(r["one cue left out"].items(), key=lambda kv: kv[1]["cv_map"]):
        print(f"  {c:16} {m['cv_map']:8.4f} {m['cv_map'] - e['cv_map']:+8.4f} {m['held_apart_map']:10.4f} "
              f"{m['held_apart_map'] - e['held_apart_map']:+8.4f} {m['news_auc']:8.4f}")
    for name, m in r["subsets"].items():
        print(f"  {name}: {len(m['cues'])} cues {m['cues']}: CV MAP {m['cv_map']:.4f}, "
              f"held-apart {m['held_apart_map']:.4f}, news AUC {m['news_auc']:.4f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--news-only", action="store_true", help="only the shipped model on the labelled news")
    ap.add_argument("--finetuned", type=Path, metavar="DIR",
                    help="also measure this fine-tuned cross-encoder on the labelled news (alone and averaged)")
    ap.add_argument("--weight", type=float, default=0.5, help="--finetuned: its share in the average")
    ap.add_argument("--cues", action="store_true", help="each lexical cue left out in turn (a minute or two)")
    ap.add_argument("--speed", action="store_true",
                    help="sentences/s of claims.score, fresh and with vectors computed, shipped vs before; "
                         "how far scores and rankings move")
    ap.add_argument("--runs", type=int, default=5, help="--speed: interleaved runs (medians printed)")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's, one per core)")
    args = ap.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    for wanted, measure, show in ((args.speed, lambda: speed(args.runs), print_speed),
                                  (args.cues, cue_ablation, print_cues)):
        if wanted:
            r = measure()
            if args.json:
                json.dump(r, sys.stdout, indent=2)
                sys.stdout.write("\n")
            else:
                show(r)
            return 0
    if args.finetuned:
        r = finetuned_on_news(args.finetuned, args.weight)
        if args.json:
            json.dump(r, sys.stdout, indent=2)
            sys.stdout.write("\n")
            return 0
        print(f"sentences/s on these {r['fine-tuned']['all sentences']['sentences']} sentences: "
              + ", ".join(f"{k} {v:.0f}" for k, v in r["sentences_per_second"].items()))
        for name in ("fine-tuned", f"average, fine-tuned {args.weight}"):
            print_news(r[name], title=f"{name} ({args.finetuned})")
        return 0
    if args.news_only:
        if args.json:
            json.dump({"news_labelled": news_labelled()}, sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            print_news(news_labelled())
        return 0

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
    texts_te = [t for d in bench for t in d.texts]
    shipped = model.predict(x_te)
    runs = {
        f"shipped recipe {tc.DEFAULT}": shipped,
        # as claims.score gives it: a sentence cut off at an ellipsis (an interrupted speaker) scores at most 0.1
        "shipped recipe, cut sentences capped": np.where([is_cut(t) for t in texts_te],
                                                         np.minimum(shipped, CUT_SCORE_MAX), shipped),
        f"debates only {debate_only}": before.predict(x_te),
        "lexical cues only": lexical.predict(lex_te),
        "sentence length only": n_words,
    }
    result = {name: {"mean": tc.evaluate(s, y_te, g_te), "debates": per_debate(s, y_te, g_te, names)}
              for name, s in runs.items()}
    if args.json:
        json.dump({"debates": result, "leave_one_debate_out_map": loo, "news_dev": news_checks,
                   "news_labelled": news_labelled(),
                   "finetuned_cross_encoder": cross_encoder_record()}, sys.stdout, indent=2)
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
    print_cross_encoder()
    print()
    print_news(news_labelled())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
