"""How well the claim verifier does the real job, and on held-apart claim–evidence pairs; how fast.

    .venv/bin/python bench/verify.py suite  [--split dev|test|all] [--model DIR]   # the multi-outlet suite
    .venv/bin/python bench/verify.py pairs  [--per-set 600] [--model DIR]          # held-apart slices, pairs/s
    .venv/bin/python bench/verify.py rules  [--split dev]                          # each detail rule's effect
    .venv/bin/python bench/verify.py recall [--split all]                          # deciding passage retrieved?
    .venv/bin/python bench/verify.py evidence [--split dev] [--model DIR]          # the verifier on deciding passages
    .venv/bin/python bench/verify.py calibrate [--model DIR]                       # temperature on dev slices

The suite (bench/data/verify_suite_{dev,test}.jsonl) is hand-written: claims over AllSides stories (a left, a
center and a right outlet on one event) in four kinds, with each outlet's gold label. Every story gets a
fresh store with its three articles, ingested and checked through `Factcheck` as a user would (pasted claim,
no claim source). A case is right when the verdict is the kind's (reported and single → corroborated,
altered → contested, absent → not enough evidence) AND no outlet takes a side its gold label does not give
it (a supporter must be a gold supporter, a conflicter a gold conflicter). Pick on dev, report test.
`pairs` reads the test slices of scripts/train_verify.py's split (by page / premise), less every row whose
evidence or claim text any training row has (FNC-1 bodies repeat each other; sets share Wikipedia sentences).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
DATA = ROOT.parent / "shared" / "data"
SUITE = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
KINDS = ("reported", "single", "altered", "absent")
EXPECTED = {"reported": "corroborated", "single": "corroborated", "altered": "contested",
            "absent": "not enough evidence"}
STANCE_AS_GOLD = {"supports": "supports", "conflicts": "conflicts", "neutral": "nei", "silent": "nei"}


def load_suite(split: str) -> list[dict[str, Any]]:
    names = ["dev", "test"] if split == "all" else [split]
    rows = []
    for n in names:
        rows += [json.loads(line) for line in (SUITE / f"verify_suite_{n}.jsonl").open() if line.strip()]
    return rows


def stories() -> dict[int, dict[str, Any]]:
    return {s["id"]: s for s in map(json.loads, (DATA / "neus/allsides_stories.jsonl").open())}


class MemoVerifier:
    """The verifier with a memo, so `rules` re-labels the same pairs under other settings for free."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.memo: dict[tuple[str, str], Any] = {}
        self.pairs = 0
        self.seconds = 0.0

    def scores(self, claims: Any, evidence: Any) -> Any:
        import numpy as np

        todo = [(c, e) for c, e in zip(claims, evidence, strict=True) if (c, e) not in self.memo]
        if todo:
            t0 = time.perf_counter()
            out = self.model.scores([c for c, _ in todo], [e for _, e in todo])
            self.seconds += time.perf_counter() - t0
            self.pairs += len(todo)
            self.memo.update(zip(todo, out, strict=True))
        return np.stack([self.memo[(c, e)] for c, e in zip(claims, evidence, strict=True)])


def story_facades(rows: list[dict[str, Any]], verifier: Any, tmp: Path, settings_kw: dict[str, Any], *,
                  mixed: bool = False) -> dict[int, Any]:
    """One store per story of the suite, its three outlets' articles ingested; `mixed`: one store for all
    (an outlet's passages of every story compete, as in a store that holds many stories)."""
    from factcheck.api import Factcheck
    from factcheck.embed import CachedEncoder, load_encoder
    from factcheck.settings import Settings

    encoder = load_encoder()
    by_id = stories()
    out = {}
    shared = None
    for sid in sorted({r["story"] for r in rows}):
        st = by_id[sid]
        if shared is None or not mixed:
            fc = Factcheck(Settings(store_dir=tmp / str(sid), **settings_kw), verifier=verifier)
            fc._shared.encoder = CachedEncoder(fc.store, encoder)
            shared = fc
        for side in ("left", "center", "right"):
            art = st["news"].get(side)
            if not art:
                continue
            text = "\n\n".join(p.strip() for p in art["newBody"] if p.strip())
            fc.ingest_text(text, source=art["newsSource"], title=art.get("newsTitle"), date=st.get("date"))
        out[sid] = fc
    return out


def score_case(row: dict[str, Any], check: Any) -> dict[str, Any]:
    stances = {s: STANCE_AS_GOLD[st] for s, st in check.verdict.source_stances}
    gold = row["gold"]
    pred = {o: stances.get(o, "nei") for o in gold}
    wrong_side = [o for o, p in pred.items() if p != "nei" and p != gold[o]]
    right = check.verdict.label == EXPECTED[row["kind"]] and not wrong_side
    return {"id": row["id"], "kind": row["kind"], "verdict": check.verdict.label, "right": right, "pred": pred,
            "gold": gold, "wrong_side": wrong_side, "claim": row["claim"]}


def run_suite(rows: list[dict[str, Any]], facades: dict[int, Any], settings_kw: dict[str, Any] | None = None
              ) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        fc = facades[r["story"]]
        if settings_kw:
            fc = fc.with_settings(**settings_kw)
        out.append(score_case(r, fc.check(r["claim"])))
    return out


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    per_kind = {k: [r["right"] for r in results if r["kind"] == k] for k in KINDS}
    acc = {k: round(sum(v) / len(v), 3) if v else None for k, v in per_kind.items()}
    outlet = Counter((r["gold"][o], r["pred"][o]) for r in results for o in r["gold"])
    labels = ("supports", "conflicts", "nei")
    f1 = {}
    for lab in labels:
        tp = outlet[(lab, lab)]
        fp = sum(outlet[(g, lab)] for g in labels if g != lab)
        fn = sum(outlet[(lab, p)] for p in labels if p != lab)
        f1[lab] = round(2 * tp / max(1, 2 * tp + fp + fn), 3)
    wrong_corroborated = sum(1 for r in results
                             if r["verdict"] == "corroborated" and r["kind"] in ("altered", "absent"))
    return {"cases": len(results), "per_kind_accuracy": acc, "n_per_kind": {k: len(v) for k, v in per_kind.items()},
            "all_right": round(sum(r["right"] for r in results) / max(1, len(results)), 3),
            "outlet_f1": f1, "outlet_macro_f1": round(sum(f1.values()) / 3, 3),
            "wrong_corroborated": wrong_corroborated,
            "outlet_confusion": {f"{g}->{p}": n for (g, p), n in sorted(outlet.items())}}


def cmd_suite(args: argparse.Namespace) -> None:
    from factcheck.verify import load_verifier

    rows = load_suite(args.split)
    verifier = MemoVerifier(load_verifier(args.model))
    with tempfile.TemporaryDirectory() as tmp:
        facades = story_facades(rows, verifier, Path(tmp), {})
        results = run_suite(rows, facades)
    summary = summarise(results)
    summary["split"] = args.split
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"verify_suite_{args.split}.json").write_text(json.dumps({"summary": summary, "cases": results},
                                                                    indent=2, ensure_ascii=False))
    print(json.dumps(summary, indent=2))
    for r in results:
        if not r["right"] and args.show_misses:
            print(f"MISS {r['id']} [{r['verdict']}] {r['claim']}\n     gold {r['gold']}\n     pred {r['pred']}")


def cmd_rules(args: argparse.Namespace) -> None:
    """Each detail rule and gate, switched off or moved, on the same pairs (memoised verifier)."""
    import factcheck.verdict as verdict_mod
    import factcheck.verify as verify_mod
    from factcheck.verify import BLOCKING_KINDS, load_verifier

    rows = load_suite(args.split)
    verifier = MemoVerifier(load_verifier(args.model))
    variants: list[tuple[str, dict[str, Any], Any]] = [
        ("shipped", {}, None), ("no detail rule", {}, frozenset()),
    ]
    variants += [(f"without {k}", {}, BLOCKING_KINDS - {k}) for k in sorted(BLOCKING_KINDS)]
    variants += [(f"supports at {a}, conflicts at {b}, same event {e}",
                  {"verify_supports_at": a, "verify_conflicts_at": b, "same_event_similarity": e}, None)
                 for e in (None, 0.7) for a in (0.3, 0.35, 0.4, 0.5) for b in (0.3, 0.4, 0.5)]
    variants += [(f"evidence similarity {s}", {"evidence_similarity": s}, None) for s in (0.0, 0.3, 0.35, 0.4, 0.5)]
    variants += [("without context", {"verify_reads_context": False}, None)]
    variants += [(f"conflict similarity {s}", {"conflict_similarity": s}, None) for s in (None, 0.3, 0.35, 0.4)]
    variants += [(f"detail share to conflicts {t}", {}, ("share", t)) for t in (0.5, 0.85, 1.0)]
    variants += [(f"bare conflicts at {t}", {"verify_bare_conflicts_at": t}, None) for t in (None, 0.55, 0.7)]
    if args.only:
        variants = [v for v in variants if v[0] == "shipped" or args.only in v[0]]
    original = verdict_mod.label_evidence
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        facades = story_facades(rows, verifier, Path(tmp), {})
        for name, kw, kinds in variants:
            def patched(*a: Any, _kinds: Any = kinds, **k: Any) -> Any:
                return original(*a, **({"blocking": _kinds} if isinstance(_kinds, frozenset) else {}), **k)

            original_share = verify_mod.DETAIL_TO_CONFLICTS
            if isinstance(kinds, tuple):  # ("share", t): the share of blocked support that goes to conflicts
                verify_mod.judge.__kwdefaults__["to_conflicts"] = kinds[1]
            verdict_mod.label_evidence = patched  # type: ignore[assignment]
            try:
                s = summarise(run_suite(rows, facades, kw))
            finally:
                verdict_mod.label_evidence = original  # type: ignore[assignment]
                verify_mod.judge.__kwdefaults__["to_conflicts"] = original_share
            table.append((name, s))
            acc = s["per_kind_accuracy"]
            print(f"{name:<28} all {s['all_right']:.3f}  " + "  ".join(f"{k} {acc[k]:.3f}" for k in KINDS)
                  + f"  outlet macro-F1 {s['outlet_macro_f1']:.3f}  wrong corroborated {s['wrong_corroborated']}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"verify_rules_{args.split}.json").write_text(json.dumps(dict(table), indent=2))


def cmd_recall(args: argparse.Namespace) -> None:
    """How often each outlet's deciding sentence (gold evidence) is among its top-k retrieved passages."""
    rows = load_suite(args.split)
    with tempfile.TemporaryDirectory() as tmp:
        facades = story_facades(rows, None, Path(tmp), {}, mixed=args.mixed)
        found: dict[int, list[bool]] = defaultdict(list)
        seed_found: dict[int, list[bool]] = defaultdict(list)
        for r in rows:
            fc = facades[r["story"]]
            hits = fc.search(r["claim"], k=max(args.k), min_similarity=0.0)
            for outlet, sentence in r.get("evidence", {}).items():
                want = " ".join(sentence.split())
                ranked = [h for h in hits if h.source == outlet]
                pos = next((i for i, h in enumerate(ranked)
                            if want[:60] in " ".join(h.text.split()) or " ".join(h.text.split())[:60] in want), None)
                for k in args.k:
                    found[k].append(pos is not None and pos < k)
        seeds = seed_facade(Path(tmp) / "seeds")
        for claim, outlet, want in SEED_CASES:
            ranked = [h for h in seeds.search(claim, k=max(args.k), min_similarity=0.0) if h.source == outlet]
            pos = next((i for i, h in enumerate(ranked) if want in h.text), None)
            for k in args.k:
                seed_found[k].append(pos is not None and pos < k)
    res: dict[str, Any] = {f"recall@{k}": round(sum(v) / len(v), 3) for k, v in sorted(found.items())}
    res["deciding_sentences"] = len(found[args.k[0]])
    res["seeds"] = {f"recall@{k}": round(sum(v) / len(v), 3) for k, v in sorted(seed_found.items())}
    res["seeds"]["deciding_sentences"] = len(SEED_CASES)
    print(json.dumps(res, indent=2))


def cmd_evidence(args: argparse.Namespace) -> None:
    """The verifier alone on the suite's deciding passages: each (claim, the outlet's sentence that states or
    contradicts it) pair, scored raw and through `judge` with its detail mismatches. No retrieval, no verdict:
    258 labelled outlets shrink to the pairs that carry a decision, so two models compare on the part the
    verifier owns, with less noise than the cases (a case needs every outlet right)."""
    from factcheck.mismatch import find_mismatches
    from factcheck.verify import judge, label_of, load_verifier

    model = load_verifier(args.model)
    pairs = [(r["claim"], e, r["gold"][o]) for r in load_suite(args.split)
             for o, e in r.get("evidence", {}).items() if r["gold"].get(o) in ("supports", "conflicts")]
    p = model.scores([c for c, _, _ in pairs], [e for _, e, _ in pairs])
    out: dict[str, Any] = {"pairs": len(pairs), "split": args.split}
    n = Counter(g for _, _, g in pairs)
    for name, pred in (("raw", [str(label_of(x)) for x in p]),
                       ("with detail rule", [str(judge(x, find_mismatches(c, e)).label)
                                             for x, (c, e, _) in zip(p, pairs, strict=True)])):
        conf = Counter((g, q) for (_, _, g), q in zip(pairs, pred, strict=True))
        out[name] = {g: {"n": n[g], "right": round(conf[(g, g)] / max(1, n[g]), 3),
                         **{f"as {q}": conf[(g, q)] for q in ("supports", "conflicts", "nei") if q != g}}
                     for g in ("supports", "conflicts")}
    out["mean_p_gold"] = round(float(sum(x[("supports", "conflicts").index(g)] for x, (_, _, g)
                                         in zip(p, pairs, strict=True)) / max(1, len(pairs))), 3)
    print(json.dumps(out, indent=2))


# (claim, outlet, words of the sentence that decides it) on the sample corpus
SEED_CASES = (
    ("The neighbours are among each other's biggest commercial partners", "seed outlet 2", "largest trading partners"),
    ("Mexico's homicide rate has dropped significantly", "seed outlet 1", "significant drop in homicide rates"),
    ("Mexico's homicide rate has dropped significantly", "seed outlet 2", "substantial decrease in Mexico’s homicide"),
    ("Sheinbaum said U.S. military intervention in Mexico is necessary.", "seed outlet 1",
     "intervention is unnecessary"),
    ("Sheinbaum said U.S. military intervention in Mexico is necessary.", "seed outlet 2",
     "intervention in the country is unnecessary"),
    ("Sheinbaum spoke with President Trump by phone", "seed outlet 1", "spoke with President Trump by phone"),
    ("Sheinbaum spoke with President Trump by phone", "seed outlet 2", "spoken directly with Trump by phone"),
)
SEEDS = ROOT.parent / "shared" / "seeds"


def seed_facade(store: Path, verifier: Any = None) -> Any:
    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    fc = Factcheck(Settings(store_dir=store), verifier=verifier)
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        fc.ingest_paths([path], source=f"seed outlet {i + 1}")
    return fc


def macro_f1(gold: list[str], pred: list[str]) -> tuple[float, float, dict[str, float]]:
    labels = sorted(set(gold))
    f1 = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        f1[lab] = 2 * tp / max(1, 2 * tp + fp + fn)
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / max(1, len(gold))
    return acc, sum(f1.values()) / max(1, len(f1)), f1


def unseen_slices(split: str, model: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The dev or test slices of every set; SNLI rows any stance training pass drew are left out too (the
    verifier starts from the stance model, which read them: bench/stance.py replays those passes' draws)."""
    import gzip

    from stance import lineage_seeds, snli_drawn  # bench/stance.py
    from train_verify import held_out, load_sets, split_of

    news = news_files(model)
    sets = held_out(DATA, news, split)
    with gzip.open(DATA / "snli/snli_train_100k.jsonl.gz", "rt") as f:
        rows = [json.loads(line) for line in f]
    seen = {(r["hypothesis"], r["premise"]) for seed in lineage_seeds(None) for r in snli_drawn(rows, seed)}
    sets["snli"] = [r for r in sets.get("snli", []) if (r["claim"], r["evidence"]) not in seen]
    # the split hashes each set's pages apart, and FNC-1 bodies repeat each other's sentences: a held-out row
    # whose evidence or claim text is in ANY set's training part is dropped, so the slices are truly unseen
    trained = set()
    for r in load_sets(DATA, news):
        if split_of(r) == "train":
            trained.add(_norm(r["evidence"]))
            trained.add(_norm(r["claim"]))
    return {name: [r for r in rs if _norm(r["evidence"]) not in trained and _norm(r["claim"]) not in trained]
            for name, rs in sets.items()}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def news_files(model: str | None) -> list[Path]:
    """The news-pair files every training pass of the model read (its factcheck_verify.json), from .train_verify/:
    a held-out row whose text an earlier pass trained on is not unseen either."""
    meta_file = Path(model or ROOT / "factcheck/models/verify") / "factcheck_verify.json"
    names = ["news_pairs.jsonl.gz"]
    if meta_file.is_file():
        passes = json.loads(meta_file.read_text()).get("passes") or [{}]
        names = list(dict.fromkeys(n for p in passes for n in (p.get("news") or []))) or names
    return [ROOT / ".train_verify" / n for n in names if (ROOT / ".train_verify" / n).is_file()]


def cmd_pairs(args: argparse.Namespace) -> None:
    import random

    import numpy as np

    from factcheck.mismatch import find_mismatches
    from factcheck.verify import judge, label_of, load_verifier

    model = load_verifier(args.model)
    sets = unseen_slices(args.slice, args.model)
    rng = random.Random(5)
    report = {}
    total_pairs, total_s = 0, 0.0
    for name, rows in sorted(sets.items()):
        if not rows:  # every held-out row's text is in training (the silver paraphrases reuse news sentences)
            continue
        rng.shuffle(rows)
        rows = rows[: args.per_set]
        t0 = time.perf_counter()
        p = model.scores([r["claim"] for r in rows], [r["evidence"] for r in rows])
        dt = time.perf_counter() - t0
        total_pairs, total_s = total_pairs + len(rows), total_s + dt
        gold = [r["label"] for r in rows]
        raw = [str(label_of(x)) for x in p]
        ruled = [str(judge(x, find_mismatches(r["claim"], r["evidence"])).label)
                 for x, r in zip(p, rows, strict=True)]
        a, m, f = macro_f1(gold, raw)
        a2, m2, _ = macro_f1(gold, ruled)
        report[name] = {"pairs": len(rows), "acc": round(a, 3), "macro_f1": round(m, 3),
                        "f1": {k: round(v, 3) for k, v in f.items()},
                        "with_detail_rule": {"acc": round(a2, 3), "macro_f1": round(m2, 3)}}
        print(f"{name:<20} n={len(rows):>4}  acc {a:.3f}  macro-F1 {m:.3f}   with detail rule: acc {a2:.3f} "
              f"macro-F1 {m2:.3f}   " + " ".join(f"{k} {v:.2f}" for k, v in f.items()))
        _ = np.asarray(p)
    # speed on short pairs, as `factcheck verify` runs them (batches of 64, length-sorted)
    short = [r for rows in sets.values() for r in rows if len(r["claim"]) + len(r["evidence"]) < 260][:1024]
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        model.scores([r["claim"] for r in short], [r["evidence"] for r in short])
        times.append(time.perf_counter() - t0)
    report["speed"] = {"short_pairs": len(short), "pairs_per_s_median": round(len(short) / statistics.median(times), 1),
                       "bf16": model.bf16, "all_slices_pairs_per_s": round(total_pairs / max(total_s, 1e-9), 1)}
    print(json.dumps(report["speed"]))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"verify_pairs_{args.slice}.json").write_text(json.dumps(report, indent=2))


def cmd_calibrate(args: argparse.Namespace) -> None:
    import random

    import numpy as np

    from factcheck.calibration import CALIBRATION_FILE, fit_temperature, softmax
    from factcheck.labels import VERIFICATIONS
    from factcheck.verify import load_verifier

    model = load_verifier(args.model)

    def gather(split: str) -> tuple[np.ndarray, np.ndarray]:
        rng = random.Random(17)
        rows = [r for rs in unseen_slices(split, args.model).values()
                for r in rng.sample(rs, min(args.per_set, len(rs)))]
        z = model.logits([r["claim"] for r in rows], [r["evidence"] for r in rows])
        return z, np.array([VERIFICATIONS.index(r["label"]) for r in rows])

    zd, yd = gather("dev")
    t = fit_temperature(zd, yd)
    zt, yt = gather("test")

    def ece_nll(temp: float) -> dict[str, float]:
        p = softmax(zt / temp)
        conf, pred = p.max(1), p.argmax(1)
        bins = np.linspace(0, 1, 11)
        ece = 0.0
        for lo, hi in zip(bins[:-1], bins[1:], strict=True):
            m = (conf > lo) & (conf <= hi)
            if m.any():
                ece += m.mean() * abs((pred[m] == yt[m]).mean() - conf[m].mean())
        nll = float(-np.mean(np.log(p[np.arange(len(yt)), yt] + 1e-12)))
        return {"nll": round(nll, 4), "ece": round(float(ece), 4)}

    res = {"temperature": t, "fitted_on": f"dev slices, {len(yd)} pairs",
           "measured_on": f"test slices, {len(yt)} pairs",
           "before": ece_nll(1.0), "after": ece_nll(t)}
    print(json.dumps(res, indent=2))
    if args.write:
        (Path(args.model) if args.model else ROOT / "factcheck/models/verify").joinpath(CALIBRATION_FILE).write_text(
            json.dumps(res, indent=2) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, fn in (("suite", cmd_suite), ("rules", cmd_rules), ("recall", cmd_recall), ("pairs", cmd_pairs),
                     ("calibrate", cmd_calibrate), ("evidence", cmd_evidence)):
        p = sub.add_parser(name)
        p.set_defaults(func=fn)
        p.add_argument("--model", default=None, help="verifier folder (default: the packaged one)")
        if name in ("suite", "rules", "recall", "evidence"):
            p.add_argument("--split", choices=("dev", "test", "all"),
                           default="dev" if name in ("rules", "evidence") else "test")
        if name == "suite":
            p.add_argument("--show-misses", action="store_true")
        if name == "rules":
            p.add_argument("--only", default="", help="only the variants whose name contains this")
        if name == "recall":
            p.add_argument("--k", type=int, nargs="+", default=[1, 3, 5])
            p.add_argument("--mixed", action="store_true", help="every story in one store")
        if name in ("pairs", "calibrate"):
            p.add_argument("--per-set", type=int, default=600)
        if name == "pairs":
            p.add_argument("--slice", choices=("dev", "test"), default="test")
        if name == "calibrate":
            p.add_argument("--write", action="store_true", help="write calibration.json beside the weights")
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
