"""Stance benchmark, triage tuning and temperature calibration.

    python bench/stance.py                # FNC-1 dev (whole articles), Emergent held-out claims, SNLI tail
    python bench/stance.py --model .train/ckpt --limit 500
    python bench/stance.py tune-triage    # similarity threshold keeping >= 99% of related FNC-1 train pairs
    python bench/stance.py calibrate      # fit the temperature, write calibration.json beside the model
    python bench/stance.py throughput     # `factcheck stance` on 25,000 FNC-1 train claim–article pairs

FNC-1 dev goes through the SAME path as `factcheck stance` (factcheck.stance.stance_many: split,
encode once per body, triage, snippet, cross-encoder, mismatch adjustment). Prints a table and writes
JSON to bench/out/.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from factcheck.calibration import CALIBRATION_FILE, fit_temperature, softmax  # noqa: E402
from factcheck.stance import LABELS, load_stance_model, model_snippet, stance_many  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "out"
FNC_MAP = {"agree": "supports", "disagree": "conflicts", "discuss": "neutral", "unrelated": "unrelated"}
EMERGENT_MAP = {"for": "supports", "against": "conflicts", "observing": "neutral"}
SNLI_MAP = {"entailment": "supports", "contradiction": "conflicts", "neutral": "neutral"}
SNLI_BENCH_PER_CLASS = 500  # taken from the END of the training script's shuffled order: never trained on
SNLI_CALIB_PER_CLASS = 300  # taken from just after the 2000 per class the training script used


def fnc_score(gold: list[str], pred: list[str], *, unrelated_weight: float = 1.0) -> tuple[float, float]:
    """Official FNC-1 score: +0.25 related/unrelated right, +0.75 more for the exact related label.
    `unrelated_weight` counts each unrelated pair that many times (1: the official score)."""
    score = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        weight = unrelated_weight if g == "unrelated" else 1.0
        best += weight * (0.25 if g == "unrelated" else 1.0)
        if (g == "unrelated") == (p == "unrelated"):
            score += weight * (0.25 + (0.75 if g != "unrelated" and g == p else 0.0))
    return score, best


TEST_UNRELATED_SHARE = 18_349 / 25_413  # the official FNC-1 test set: 72% unrelated pairs, dev has 33%


def fnc_score_test_mix(gold: list[str], pred: list[str]) -> float:
    """The FNC-1 relative score (%) with unrelated pairs re-weighted to the official test set's share:
    an estimate of the published figure's footing from dev predictions (same per-class accuracies)."""
    n_unrel = sum(g == "unrelated" for g in gold)
    if not n_unrel or n_unrel == len(gold):
        return float("nan")
    w = TEST_UNRELATED_SHARE * (len(gold) - n_unrel) / ((1 - TEST_UNRELATED_SHARE) * n_unrel)
    score, best = fnc_score(gold, pred, unrelated_weight=w)
    return round(100 * score / best, 2)


def class_report(gold: list[str], pred: list[str], labels: tuple[str, ...]) -> dict:
    from sklearn.metrics import confusion_matrix, f1_score

    f1 = f1_score(gold, pred, labels=list(labels), average=None, zero_division=0)
    cm = confusion_matrix(gold, pred, labels=list(labels)).tolist()
    return {"macro_f1": round(float(np.mean(f1)), 4),
            "f1": {lab: round(float(f), 4) for lab, f in zip(labels, f1, strict=True)},
            "accuracy": round(float(np.mean([g == p for g, p in zip(gold, pred, strict=True)])), 4),
            "confusion": {"labels": list(labels), "rows_gold_cols_pred": cm}}


VEC_CACHE = OUT / "sentence_vectors.npz"  # bench runs on several checkpoints reuse the MiniLM vectors


def encoder():  # type: ignore[no-untyped-def]
    from factcheck.embed import CachedEncoder, MemoryCache, load_encoder

    memo = CachedEncoder(MemoryCache(), load_encoder())
    if VEC_CACHE.exists():
        with np.load(VEC_CACHE) as z:  # keyed by text_hash (a file from before, keyed otherwise, just misses)
            memo.cache.put_embeddings(memo.name, {k: z[k] for k in z.files})
    return memo


def save_vectors(memo) -> None:  # type: ignore[no-untyped-def]
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(VEC_CACHE, **{h: v for (_, h), v in memo.cache._vecs.items()})


def adjust_hook(on: bool):  # type: ignore[no-untyped-def]
    from factcheck.mismatch import adjust_pair

    return adjust_pair if on else None


def bench_fnc(model, enc, settings_triage: float, on_topic: float | None, limit: int | None, adjust: bool) -> dict:  # type: ignore[no-untyped-def]
    """FNC-1 dev through stance_many; the mismatch rules are measured on the same model outputs."""
    from factcheck.mismatch import ADJUSTING_KINDS, adjust_scores, find_mismatches

    bodies = pd.read_csv(DATA / "fnc1/train_bodies.csv").set_index("Body ID").articleBody.to_dict()
    dev = pd.read_csv(DATA / "fnc1/dev_stances.csv")
    if limit:
        dev = dev.sample(min(limit, len(dev)), random_state=0)
    pairs = [(h, bodies[b]) for h, b in zip(dev.Headline, dev["Body ID"], strict=True)]
    t0 = time.perf_counter()
    res = stance_many(pairs, enc, model, triage_similarity=settings_triage, on_topic_similarity=on_topic)
    secs = time.perf_counter() - t0
    gold = [FNC_MAP[s] for s in dev.Stance]
    mms = [find_mismatches(c, r.snippet, entities=False) if r.snippet else ()
           for (c, _), r in zip(pairs, res, strict=True)]

    def labels(kinds: frozenset[str]) -> list[str]:
        return [LABELS[int(np.argmax(adjust_scores(r.scores, m, kinds=kinds)))] if r.snippet else r.label
                for r, m in zip(res, mms, strict=True)]

    def summary(pred: list[str]) -> dict:
        score, best = fnc_score(gold, pred)
        return {"fnc_relative": round(100 * score / best, 2), "fnc_relative_test_mix": fnc_score_test_mix(gold, pred),
                **class_report(gold, pred, LABELS)}

    final = labels(ADJUSTING_KINDS if adjust else frozenset())
    out = {"pairs": len(pairs), "seconds": round(secs, 1), "pairs_per_s": round(len(pairs) / secs, 1),
           "triaged": sum(r.triaged for r in res),
           "triaged_related": sum(r.triaged and g != "unrelated" for r, g in zip(res, gold, strict=True)),
           "adjusting_kinds": sorted(ADJUSTING_KINDS) if adjust else []}
    out.update(summary(final))
    ablation = {"none": frozenset()} | {k: frozenset({k}) for k in ("direction", "number", "date", "negation")}
    out["mismatch_rules"] = {name: {k: v for k, v in summary(labels(kinds)).items() if k != "confusion"}
                             for name, kinds in ablation.items()}
    # how often each kind fires, by gold label: a rule that fires on agreeing pairs as often as on
    # disagreeing ones would only add noise
    rates: dict = {}
    for g in LABELS[:3]:
        idx = [i for i, x in enumerate(gold) if x == g and res[i].snippet]
        rates[g] = {k: round(sum(any(m.kind == k for m in mms[i]) for i in idx) / max(1, len(idx)), 3)
                    for k in ("direction", "number", "date", "negation")}
    out["mismatch_fire_rate_by_gold"] = rates
    return out


def emergent_dev() -> pd.DataFrame:
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_stance import emergent_split

    return emergent_split(pd.read_csv(DATA / "emergent/train.csv"))[1]


def bench_pairs(model, claims: list[str], texts: list[str], gold: list[str], labels: tuple[str, ...]) -> dict:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    p = model.scores(claims, texts)
    secs = time.perf_counter() - t0
    # these sets have no "unrelated" pairs: predict among their own labels
    idx = [LABELS.index(lab) for lab in labels]
    pred = [labels[i] for i in np.argmax(p[:, idx], axis=1)]
    out = {"pairs": len(gold), "pairs_per_s": round(len(gold) / secs, 1)}
    out.update(class_report(gold, pred, labels))
    return out


def snli_rows(part: str, model_dir: Path | None) -> list[dict]:
    """SNLI rows the model never saw. Each training pass draws its rows by shuffling with its seed
    (`random.Random(seed).shuffle`, then the first 2000 per class); replaying every seed in the model's
    lineage (factcheck_stance.json) gives the rows it trained on. The rest, in Random(13) order: "bench"
    takes rows from the end, "calib" from the start."""
    with gzip.open(DATA / "snli/snli_train_100k.jsonl.gz", "rt") as f:
        rows = [json.loads(line) for line in f]
    seen = {(r["hypothesis"], r["premise"]) for seed in lineage_seeds(model_dir) for r in snli_drawn(rows, seed)}
    order = list(rows)
    random.Random(13).shuffle(order)
    out: list[dict] = []
    for lab in SNLI_MAP:
        mine = [r for r in order if r["label"] == lab and (r["hypothesis"], r["premise"]) not in seen]
        out += mine[::-1][:SNLI_BENCH_PER_CLASS] if part == "bench" else mine[:SNLI_CALIB_PER_CLASS]
    return out


def snli_drawn(rows: list[dict], seed: int, per_class: int = 2000) -> list[dict]:
    """The SNLI rows train_stance.py draws with this seed (its rng's first use is this shuffle)."""
    order = list(rows)
    random.Random(seed).shuffle(order)
    out, per = [], dict.fromkeys(SNLI_MAP, 0)
    for r in order:
        if r["label"] in per and per[r["label"]] < per_class:
            per[r["label"]] += 1
            out.append(r)
    return out


def lineage_seeds(model_dir: Path | None) -> set[int]:
    """Seeds of every training pass behind a model: its own and its earlier passes' (13 when unknown)."""
    from factcheck.stance import DEFAULT_MODEL_DIR

    path = Path(model_dir or DEFAULT_MODEL_DIR) / "factcheck_stance.json"
    meta = json.loads(path.read_text()) if path.is_file() else {}
    seeds = {int(p["seed"]) for p in meta.get("passes", []) if p.get("seed") is not None}
    if meta.get("seed") is not None:
        seeds.add(int(meta["seed"]))
    return seeds or {13}


def run(args: argparse.Namespace) -> dict:
    model = load_stance_model(args.model)
    enc = encoder()
    res: dict = {"model": str(model.path), "temperature": model.temperature, "triage_similarity": args.triage,
                 "on_topic_similarity": args.on_topic,
                 # with cached vectors, FNC pairs/s is the cross-encoder's alone; `throughput` times it all
                 "sentence_vectors_cached": VEC_CACHE.exists()}
    res["fnc1_dev"] = bench_fnc(model, enc, args.triage, args.on_topic or None, args.limit, adjust=not args.no_adjust)
    save_vectors(enc)
    em = emergent_dev()
    if args.limit:
        em = em.head(args.limit)
    res["emergent_dev"] = bench_pairs(model, list(em.claimHeadline), list(em.articleHeadline),
                                      [EMERGENT_MAP[s] for s in em.articleHeadlineStance], LABELS[:3])
    sn = snli_rows("bench", model.path)
    random.Random(5).shuffle(sn)  # classes interleaved, so --limit keeps all three
    sn = sn[: args.limit or None]
    res["snli_heldout"] = bench_pairs(model, [r["hypothesis"] for r in sn], [r["premise"] for r in sn],
                                      [SNLI_MAP[r["label"]] for r in sn], LABELS[:3])
    return res


def tune_triage(args: argparse.Namespace) -> dict:
    """Best claim–sentence cosine for related and unrelated FNC-1 train pairs; the threshold keeps >= 99%."""
    from factcheck.snippet import split_body

    enc = encoder()
    bodies = pd.read_csv(DATA / "fnc1/train_bodies.csv").set_index("Body ID").articleBody.to_dict()
    tr = pd.read_csv(DATA / "fnc1/train_stances.csv")
    ids = sorted(tr["Body ID"].unique())
    random.Random(3).shuffle(ids)
    tr = tr[tr["Body ID"].isin(set(ids[: args.bodies]))]
    sents = {b: split_body(bodies[b]) for b in tr["Body ID"].unique()}
    flat = [s for v in sents.values() for s in v]
    vecs = enc.encode(flat)
    off, svec = 0, {}
    for b, v in sents.items():
        svec[b] = vecs[off : off + len(v)]
        off += len(v)
    cv = dict(zip(tr.Headline.unique(), enc.encode(list(tr.Headline.unique())), strict=True))
    best = np.array([float((svec[b] @ cv[h]).max()) for h, b in zip(tr.Headline, tr["Body ID"], strict=True)])
    related = (tr.Stance != "unrelated").to_numpy()
    thr = float(np.quantile(best[related], 0.01))
    # the other end: above this cosine almost no unrelated pair reaches (99.5%), so a pair there is on topic
    floor = float(np.quantile(best[~related], 0.995))
    out = {"bodies": len(sents), "pairs": len(tr), "related": int(related.sum()),
           "threshold_keep_99pct": round(thr, 4), "on_topic_floor_995pct_unrelated_below": round(floor, 4),
           "related_above_floor": round(float((best[related] >= floor).mean()), 4)}
    for t in (0.15, 0.2, 0.25, 0.3, round(thr, 3)):
        out[f"at_{t}"] = {"related_kept": round(float((best[related] >= t).mean()), 4),
                          "unrelated_dropped": round(float((best[~related] < t).mean()), 4)}
    return out


def calibrate(args: argparse.Namespace) -> dict:
    """Temperature on pairs the model never saw: SNLI rows after the training draws, FNC-1 unrelated
    train pairs outside the training sample, Emergent is left to the benchmark."""
    model = load_stance_model(args.model)
    sn = snli_rows("calib", model.path)
    claims = [r["hypothesis"] for r in sn]
    texts = [r["premise"] for r in sn]
    gold = [LABELS.index(SNLI_MAP[r["label"]]) for r in sn]
    tr = pd.read_csv(DATA / "fnc1/train_stances.csv")
    bodies = pd.read_csv(DATA / "fnc1/train_bodies.csv").set_index("Body ID").articleBody.to_dict()
    # the training script sampled 4000 unrelated pairs with random_state=1: take others
    unrel_all = tr[tr.Stance == "unrelated"]
    unrel = unrel_all.drop(unrel_all.sample(4000, random_state=1).index).sample(300, random_state=2)
    pairs = [(h, bodies[b]) for h, b in zip(unrel.Headline, unrel["Body ID"], strict=True)]
    from factcheck.snippet import split_body

    enc = encoder()
    for h, body in pairs:
        s = split_body(body)
        claims.append(h)
        texts.append(model_snippet(model, h, enc.encode([h])[0], s, enc.encode(s)))
        gold.append(LABELS.index("unrelated"))
    logits = model.logits(claims, texts)
    y = np.asarray(gold)
    t = fit_temperature(logits, y)
    out = {"temperature": t, "pairs": len(gold), "from": "SNLI held-out rows + FNC-1 train unrelated pairs unseen",
           "before": calibration_error(softmax(logits), y), "after": calibration_error(softmax(logits / t), y)}
    if args.write:
        assert model.path is not None
        (Path(model.path) / CALIBRATION_FILE).write_text(json.dumps(out, indent=2) + "\n")
    return out


def calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> dict:
    """Negative log-likelihood and expected calibration error (top label, equal-width bins)."""
    conf, pred = probs.max(axis=1), probs.argmax(axis=1)
    edges = np.minimum((conf * bins).astype(int), bins - 1)
    ece = sum(abs(float(np.mean(pred[m] == labels[m])) - float(np.mean(conf[m]))) * m.mean()
              for b in range(bins) if (m := edges == b).any())
    nll = float(-np.mean(np.log(probs[np.arange(len(labels)), labels] + 1e-12)))
    return {"nll": round(nll, 4), "ece": round(float(ece), 4)}


def throughput(args: argparse.Namespace) -> dict:
    """`factcheck stance` itself on N FNC-1 train claim–article pairs (whole articles), timed end to end."""
    import tempfile

    from factcheck.cli import main as cli

    n = args.limit or 25_000
    bodies = pd.read_csv(DATA / "fnc1/train_bodies.csv").set_index("Body ID").articleBody.to_dict()
    tr = pd.read_csv(DATA / "fnc1/train_stances.csv").sample(n, random_state=4, replace=n > 39_000)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with src.open("w") as f:
            for i, (h, b) in enumerate(zip(tr.Headline, tr["Body ID"], strict=True)):
                f.write(json.dumps({"id": i, "claim": h, "text": bodies[b]}) + "\n")
        argv = ["stance", "--input", str(src), "--output", str(dst), "--store", tmp]
        if args.model:
            argv += ["--model", args.model]
        t0 = time.perf_counter()
        rc = cli(argv)
        secs = time.perf_counter() - t0
        labels = [json.loads(line)["label"] for line in dst.open()]
    return {"pairs": n, "exit": rc, "seconds": round(secs, 1), "pairs_per_s": round(n / secs, 1),
            "bodies": int(tr["Body ID"].nunique()), "unrelated_share": round(labels.count("unrelated") / n, 3)}


def print_table(res: dict) -> None:
    print(f"model {res['model']}  temperature {res['temperature']}  triage {res['triage_similarity']}  "
          f"on-topic {res['on_topic_similarity']}")
    head = f"{'set':<14}{'pairs':>7}{'pairs/s':>9}{'acc':>7}{'macroF1':>9}  " + "  ".join(f"{x[:5]:>5}" for x in LABELS)
    print(head)
    for name in ("fnc1_dev", "emergent_dev", "snli_heldout"):
        r = res[name]
        f1 = "  ".join(f"{r['f1'].get(lab, float('nan')):>5.3f}" for lab in LABELS)
        print(f"{name:<14}{r['pairs']:>7}{r['pairs_per_s']:>9}{r['accuracy']:>7.3f}{r['macro_f1']:>9.3f}  {f1}")
    f = res["fnc1_dev"]
    print(f"FNC-1 dev relative score {f['fnc_relative']}%, re-weighted to the test set's 72% unrelated "
          f"{f['fnc_relative_test_mix']}%  (triaged {f['triaged']}, of them related "
          f"{f['triaged_related']})")
    print("FNC-1 dev confusion (rows gold, cols pred):", f["confusion"]["rows_gold_cols_pred"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="?", default="run", choices=("run", "tune-triage", "calibrate", "throughput"))
    ap.add_argument("--model", default=None, help="model folder (default: packaged)")
    ap.add_argument("--limit", type=int, default=None, help="pairs per set, for a quick look")
    ap.add_argument("--triage", type=float, default=None, help="triage similarity (default: Settings)")
    ap.add_argument("--on-topic", type=float, default=None,
                    help="on-topic floor (default: Settings; 0 turns it off)")
    ap.add_argument("--no-adjust", action="store_true", help="skip the mismatch adjustment")
    ap.add_argument("--bodies", type=int, default=300, help="tune-triage: FNC-1 train bodies to use")
    ap.add_argument("--write", action="store_true", help="calibrate: write calibration.json beside the model")
    ap.add_argument("--tag", default="", help="suffix for the output file")
    args = ap.parse_args()
    from factcheck.settings import Settings

    if args.triage is None:
        args.triage = Settings().triage_similarity
    if args.on_topic is None:
        args.on_topic = Settings().on_topic_similarity
    import torch

    torch.set_num_threads(2)
    fn = {"run": run, "tune-triage": tune_triage, "calibrate": calibrate, "throughput": throughput}[args.what]
    res = fn(args)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"stance_{args.what}{args.tag}.json"
    path.write_text(json.dumps(res, indent=2) + "\n")
    if args.what == "run":
        print_table(res)
    else:
        print(json.dumps(res, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
