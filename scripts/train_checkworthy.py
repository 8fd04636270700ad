"""Train factcheck's check-worthiness scorer on the CLEF-2019 CheckThat! task 1 debates.

Reproducible, offline, CPU-only, a few minutes (most of it embedding 16k sentences once; the
embeddings are cached under --work). Features: MiniLM sentence vector + lexical cues
(factcheck.claims.lexical_features); model: logistic regression (class_weight balanced) or a small
MLP, chosen by cross-validation *by debate*; weights are written as .npz + JSON, never pickle.

The benchmark debates (bench_split: every 4th file in name order, from the 4th) are held apart
from tuning; `--holdout-bench` also keeps them out of the fit, which is what bench/checkworthy.py does.

Usage:
    python scripts/train_checkworthy.py cv                       # tune on the non-bench debates
    python scripts/train_checkworthy.py train                    # ship: fit on all debates
    python scripts/train_checkworthy.py train --holdout-bench --out .train/checkworthy/bench_model
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from factcheck.claims import LEXICAL_FEATURES, MODEL_DIR, CheckworthyModel, features  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
DATA = SHARED / "checkworthy" / "clef2019-train"
WORK = ROOT / ".train" / "checkworthy"
ENCODER = "all-MiniLM-L6-v2"
# share of the total training weight given to the news sentences (the rest to the debates); chosen by `cv`
NEWS_WEIGHT = 0.3
NEWS_PER_KIND = 1200  # cap per kind of news sentence: embedding is the slow part
# page-chrome lines among the news negatives, chosen by `cv`: ~150 (a twentieth of the negatives) teach the
# scorer that "8 Comments" or a slogan is no claim; all 571 cost CLEF MAP (0.213 -> 0.204)
CHROME_PER_KIND = 150
# figures behind the choice (scripts/train_checkworthy.py cv, bench/checkworthy.py), written into the model card
MEASURED: dict[str, object] = {
    # 31 cues (the release before) -> the 6 that earn their place (bench/checkworthy.py --cues, MODEL_CARD.md)
    "cv_map_3_grouped_folds_of_the_15_tuning_debates": {"31_cues": 0.2004, "shipped": 0.2039},
    "cv_map_leave_one_debate_out_of_the_15": {"31_cues": 0.2100, "shipped": 0.2125},
    "bench_4_held_apart_debates": {"31_cues": {"MAP": 0.3334, "P@5": 0.45, "P@10": 0.45},
                                   "shipped": {"MAP": 0.3344, "P@5": 0.45, "P@10": 0.40}},
    "news_dev_auc_facts_vs_comments": {"31_cues": 0.955, "shipped": 0.941},
}
_SENT_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“A-Z])")
# chosen by `cv` (see the model card in factcheck/models/checkworthy/spec.json)
DEFAULT: dict[str, object] = {"kind": "logreg", "C": 0.001, "name_dims": 30, "news_weight": NEWS_WEIGHT}
# runs of capitalised tokens after the first word: the names, titles and places of the debates
_TOKEN = r"(?:[A-Z][a-z]+|[A-Z]{2,}|[A-Z]\.(?:[A-Z]\.)+)"
_NAME_RUN = re.compile(_TOKEN + r"(?:\s+" + _TOKEN + ")*")


@dataclass(frozen=True)
class Debate:
    name: str
    texts: list[str]
    labels: np.ndarray
    speakers: tuple[str, ...] = ()  # one per text; context for scripts/train_checkworthy_finetune.py


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, file=sys.stderr, flush=True)  # stdout stays for --json


def load_debates(data: Path = DATA) -> list[Debate]:
    """One Debate per .tsv (`line speaker text label`), in file-name order."""
    debates = []
    for f in sorted(data.glob("*.tsv")):
        texts, labels, speakers = [], [], []
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            parts = line.split("\t")
            if len(parts) != 4 or parts[3] not in {"0", "1"}:
                raise SystemExit(f"{f}:{n}: expected `line<TAB>speaker<TAB>text<TAB>0|1`")
            speakers.append(parts[1])
            texts.append(parts[2])
            labels.append(int(parts[3]))
        debates.append(Debate(f.stem, texts, np.array(labels, dtype=np.int8), tuple(speakers)))
    if not debates:
        raise SystemExit(f"no .tsv files in {data}")
    return debates


@dataclass(frozen=True)
class News:
    """Sentences from news and reader comments, to teach the debate-trained scorer the product's register."""

    texts: list[str]
    labels: np.ndarray
    kinds: list[str]


def _sentences(text: str) -> list[str]:
    return [s.strip() for para in text.split("\n") for s in _SENT_END.split(para) if s.strip()]


def _sample(items: list[str], k: int, rng: np.random.Generator) -> list[str]:
    items = sorted(set(items))
    return [items[i] for i in sorted(rng.choice(len(items), size=min(k, len(items)), replace=False))]


def allsides(shared: Path = SHARED, *, split: str = "train") -> tuple[list[str], list[str]]:
    """(ledes, roundup sentences) of the AllSides stories; split by story: every 4th story id is "dev".

    A lede is the first sentence of each outlet's excerpt; the roundup is AllSides' own neutral summary of
    the story (its first paragraph: what happened, who said what, when; the second is about the coverage).
    Both are attributed statements and events in the news register: "Secretary Blinken spoke with his
    counterpart on Monday", the kind of sentence the debates, where talk about statements and calls is
    turn-taking, teach a scorer to overlook.
    """
    ledes, roundup = [], []
    with (shared / "neus" / "allsides_stories.jsonl").open(encoding="utf-8") as f:
        for line in f:
            story = json.loads(line)
            if (int(story["id"]) % 4 != 0) != (split == "train"):
                continue
            for side in story.get("news", {}).values():
                first = _sentences(side["newBody"][0])[:1] if side.get("newBody") else []
                # excerpts end on "..." where AllSides cut them: a cut sentence is not a statement
                if first and 12 <= len(first[0].split()) <= 60 and not first[0].endswith(("?", "...", "…")):
                    ledes.append(first[0])
            summary = story.get("roundup") or []
            if summary:
                # a sentence opening on a quotation mark is a quote cut loose from its speaker
                roundup += [s for s in _sentences(summary[0]) if 8 <= len(s.split()) <= 60
                            and not s.endswith("?") and not s.startswith(("\"", "“"))]
    return ledes, roundup


def load_news(shared: Path = SHARED, *, split: str = "train", per_kind: int = NEWS_PER_KIND) -> News:
    """News sentences with a check-worthiness label by construction, never from the seed articles.

    1 = factual news statements: FNC-1 headlines ("Nigeria says ceasefire agreed with Boko Haram"), the
    opening sentence of FNC-1 article bodies (a news lede: who did or said what, when), Emergent's claim
    headlines, and AllSides ledes and roundup sentences (see `allsides`). 0 = sentences of ARC reader
    comments (first-person opinion, rhetorical questions, asides) that carry no figure, and the page chrome
    left in FNC-1 bodies (short lines that do not end as a sentence: "Scroll down for video"). split="train" uses
    FNC-1's train stories, three quarters of the ARC posts and of the AllSides stories; split="dev" the
    FNC-1 dev stories (held apart by story) and the other ARC posts and AllSides stories, for a news check.
    """
    import csv

    rng = np.random.default_rng(0 if split == "train" else 1)

    def rows(path: Path) -> list[dict[str, str]]:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    stances = rows(shared / "fnc1" / ("train_stances.csv" if split == "train" else "dev_stances.csv"))
    bodies = {r["Body ID"]: r["articleBody"] for r in rows(shared / "fnc1" / "train_bodies.csv")}
    # Title Case headlines would teach "many capitals = claim" (page chrome is Title Case too): sentence case only
    heads = [h for h in (r["Headline"].strip() for r in stances) if 4 <= len(h.split()) <= 30
             and not h.endswith("?") and sum(w[:1].isupper() for w in h.split()) <= 0.5 * len(h.split())]
    ledes = []
    for body_id in sorted({r["Body ID"] for r in stances}):
        first = _sentences(bodies.get(body_id, ""))[:1]
        # a lede reads as a statement of 12-60 words; shorter openings are bylines and captions
        if first and 12 <= len(first[0].split()) <= 60 and not first[0].endswith("?"):
            ledes.append(first[0])
    # page chrome scraped into the bodies along with the article: short lines that do not end as a sentence
    # does ("Scroll down for video", "VIEW GALLERY", "Advertisement", "Follow me on Twitter @...", "AFP")
    chrome = [line.strip() for body_id in sorted({r["Body ID"] for r in stances})
              for line in bodies.get(body_id, "").split("\n")
              if 1 <= len(line.split()) <= 5 and re.search(r"[A-Za-z]", line)
              and not re.search(r"[.!?\"”’:]$", line.strip())]
    arc = rows(shared / "arc" / "arc_bodies.csv")
    arc = [r for r in arc if (int(r["Body ID"]) % 4 != 0) == (split == "train")]
    comments = [s for r in arc for s in _sentences(r["articleBody"])
                if 4 <= len(s.split()) <= 50 and not re.search(r"\d", s)]
    kinds = {"fnc1_headline": (heads, 1), "fnc1_lede": (ledes, 1), "arc_comment": (comments, 0)}
    if split == "train":
        kinds["emergent_claim"] = ([r["claimHeadline"].strip() for r in rows(shared / "emergent" / "train.csv")], 1)
    # after the others, so their samples stay the ones drawn before AllSides joined
    as_ledes, as_roundup = allsides(shared, split=split)
    kinds["allsides_lede"], kinds["allsides_roundup"] = (as_ledes, 1), (as_roundup, 1)
    kinds["fnc1_chrome"] = (chrome, 0)
    texts, labels, names = [], [], []
    for name, (items, label) in kinds.items():
        cap = min(per_kind, CHROME_PER_KIND) if name == "fnc1_chrome" else per_kind if label else 2 * per_kind
        picked = _sample(items, cap, rng)
        texts += picked
        labels += [label] * len(picked)
        names += [name] * len(picked)
    return News(texts, np.array(labels, dtype=np.int8), names)


def bench_split(debates: list[Debate]) -> tuple[list[Debate], list[Debate]]:
    """(tune, bench): a fixed rule, not a choice: every 4th debate in file-name order, starting at the 4th."""
    tune = [d for i, d in enumerate(debates) if i % 4 != 3]
    bench = [d for i, d in enumerate(debates) if i % 4 == 3]
    return tune, bench


def embed(texts: list[str], work: Path = WORK) -> np.ndarray:
    """MiniLM vectors, cached in work/ by a hash of the texts (embedding 16k sentences takes minutes)."""
    key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    cache = work / f"emb_{key}.npy"
    if cache.is_file():
        return np.load(cache, allow_pickle=False)
    from factcheck.embed import load_encoder

    log(f"embedding {len(texts)} sentences (cached afterwards in {cache})")
    vecs = np.asarray(load_encoder().encode(texts), dtype=np.float32)
    work.mkdir(parents=True, exist_ok=True)
    np.save(cache, vecs)
    return vecs


def design(debates: list[Debate], work: Path = WORK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, group) over all sentences of the debates, group = index of the debate."""
    texts = [t for d in debates for t in d.texts]
    # cached per debate, so the tuning subset and the full set share the cache
    x = features(texts, np.vstack([embed(d.texts, work) for d in debates]))
    y = np.concatenate([d.labels for d in debates]).astype(int)
    g = np.concatenate([np.full(len(d.texts), i) for i, d in enumerate(debates)])
    return x, y, g


def name_subspace(debates: list[Debate], dims: int, work: Path = WORK) -> np.ndarray:
    """(dims, 384) orthonormal directions spanned by the embeddings of the debates' names.

    In the debates, sentences naming the candidates ("Senator Rubio, ...") are mostly moderators'
    turn-taking and score low; a scorer leaning on who is named would then bury news sentences about
    other people who share a name (a Secretary of State Rubio). Projecting these directions out of the
    sentence vectors makes it judge what is said, not who is named.
    """
    counts: dict[str, int] = {}
    for d in debates:
        for t in d.texts:
            rest = t.split(" ", 1)[1] if " " in t else ""
            for m in _NAME_RUN.finditer(rest):
                if m.group() not in {"I", "I'm", "OK"}:
                    counts[m.group()] = counts.get(m.group(), 0) + 1
    names = sorted(n for n, k in counts.items() if k >= 2)
    vecs = embed(names, work).astype(np.float64)
    return np.linalg.svd(vecs - vecs.mean(axis=0), full_matrices=False)[2][:dims]


def fit(x: np.ndarray, y: np.ndarray, params: dict[str, object], *, seed: int = 0,
        names: np.ndarray | None = None, weight: np.ndarray | None = None) -> CheckworthyModel:
    """Fit the recipe and return it as numpy layers (so inference never needs sklearn or pickle).

    With `names` (from name_subspace), the embedding is fitted with those directions projected out,
    and the projection is folded into the first layer, so inference stays one matrix product.
    """
    emb = x.shape[1] - len(LEXICAL_FEATURES)
    if names is not None and len(names):
        x = x.copy()
        x[:, :emb] -= (x[:, :emb] @ names.T) @ names
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    mean = x.mean(axis=0).astype(np.float64)
    scale = x.std(axis=0).astype(np.float64)
    scale[scale < 1e-8] = 1.0  # a constant feature carries nothing; keep it from dividing by zero
    xs = (x - mean) / scale
    if params["kind"] == "logreg":
        # with `weight` (from sample_weights) the classes are balanced there already
        lr = LogisticRegression(C=float(params["C"]), class_weight=None if weight is not None else "balanced",  # type: ignore[arg-type]
                                max_iter=3000)
        lr.fit(xs, y, sample_weight=weight)
        layers = ((lr.coef_.T.astype(np.float64), lr.intercept_.astype(np.float64)),)
    elif params["kind"] == "mlp":
        # MLPClassifier has no class_weight: weight positives so both classes count the same
        w = np.where(y == 1, (y == 0).sum() / max((y == 1).sum(), 1), 1.0)
        mlp = MLPClassifier(hidden_layer_sizes=(int(params["hidden"]),), alpha=float(params["alpha"]),  # type: ignore[arg-type]
                            max_iter=int(params.get("epochs", 40)), early_stopping=False, random_state=seed)  # type: ignore[call-overload]
        mlp.fit(xs, y, sample_weight=w)
        layers = tuple((c.astype(np.float64), b.astype(np.float64))
                       for c, b in zip(mlp.coefs_, mlp.intercepts_, strict=True))
    else:
        raise SystemExit(f"unknown model kind {params['kind']!r}")
    if names is not None and len(names):
        # w . ((Px - m) / s) == (P (w / s)) . x - (w / s) . m, P symmetric: fold P into the weights
        (w0, b0), rest = layers[0], layers[1:]
        ws = w0[:emb] / scale[:emb, None]
        b0 = b0 - mean[:emb] @ ws
        w0 = np.vstack([ws - names.T @ (names @ ws), w0[emb:]])
        mean, scale = mean.copy(), scale.copy()
        mean[:emb], scale[:emb] = 0.0, 1.0
        layers = ((w0, b0), *rest)
    return CheckworthyModel(encoder=ENCODER, embed_dim=x.shape[1] - len(LEXICAL_FEATURES),
                            lexical=LEXICAL_FEATURES, mean=mean, scale=scale, layers=layers)


def with_news(x: np.ndarray, y: np.ndarray, g: np.ndarray, news: News,
              work: Path = WORK) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The debates' (X, y, group) followed by the news sentences, whose group is -1 (in every training fold)."""
    xn = features(news.texts, embed(news.texts, work))
    return np.vstack([x, xn]), np.concatenate([y, news.labels.astype(int)]), np.concatenate([g, np.full(len(xn), -1)])


def sample_weights(y: np.ndarray, g: np.ndarray, news_weight: float) -> np.ndarray:
    """Balanced class weights within the debates and within the news; the news get `news_weight` of the total.

    A share of the weight rather than a count: the scorer learns the news register without the few
    thousand news sentences outvoting the debates' 440 check-worthy ones.
    """
    w = np.zeros(len(y))
    for part, share in ((g >= 0, 1.0 - news_weight), (g < 0, news_weight)):
        for label in (0, 1):
            cell = part & (y == label)
            if cell.any():
                w[cell] = share / 2 / cell.sum()
    return w * len(y) / w.sum()  # mean 1, so C keeps the meaning it has without weights


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """CLEF-2019 AP: mean precision at the rank of each positive; ties broken by original order."""
    order = np.argsort(-scores, kind="stable")
    hits = labels[order] == 1
    if not hits.any():
        return 0.0
    ranks = np.flatnonzero(hits) + 1
    return float(np.mean(np.arange(1, len(ranks) + 1) / ranks))


def precision_at(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    order = np.argsort(-scores, kind="stable")[:k]
    return float((labels[order] == 1).sum() / k)


def evaluate(scores: np.ndarray, y: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """Per debate, then the mean over debates (as CLEF reports them)."""
    per = [(average_precision(scores[g == i], y[g == i]), precision_at(scores[g == i], y[g == i], 5),
            precision_at(scores[g == i], y[g == i], 10)) for i in np.unique(g)]
    a = np.array(per)
    return {"MAP": float(a[:, 0].mean()), "P@5": float(a[:, 1].mean()), "P@10": float(a[:, 2].mean())}


def cross_validate(x: np.ndarray, y: np.ndarray, g: np.ndarray, params: dict[str, object],
                   debates: list[Debate] | None = None, work: Path = WORK) -> dict[str, float]:
    """Leave one debate out: each debate is scored by a model that never saw it (news rows, g < 0, always train).

    With params["name_dims"], the name subspace of each fold comes from its training debates only
    (`debates`, in the order of g), so not even the names of the debate left out reach its model."""
    scores = out_of_fold(x, y, g, params, debates, work)
    deb = g >= 0
    return evaluate(scores[deb], y[deb], g[deb])


def out_of_fold(x: np.ndarray, y: np.ndarray, g: np.ndarray, params: dict[str, object],
                debates: list[Debate] | None = None, work: Path = WORK,
                fold: np.ndarray | None = None) -> np.ndarray:
    """Scores of the debate rows (g >= 0), each from a model fitted without its fold; 0 on news rows.

    `fold` maps each debate (index in g) to its fold; by default every debate is its own (leave one out)."""
    scores = np.zeros(len(y))
    nw = float(params.get("news_weight", 0.0))  # type: ignore[arg-type]
    dims = int(params.get("name_dims", 0))  # type: ignore[call-overload]
    if dims and debates is None:
        raise ValueError("cross_validate needs the debates to build each fold's name subspace")
    w = sample_weights(y, g, nw) if (g < 0).any() and nw > 0 else None
    fold_of = np.arange(int(g.max()) + 1) if fold is None else np.asarray(fold)
    row_fold = np.where(g >= 0, fold_of[np.maximum(g, 0)], -1)
    for f in np.unique(fold_of):
        tr = row_fold != f
        if w is None:
            tr &= g >= 0
        names = name_subspace([d for j, d in enumerate(debates or []) if fold_of[j] != f], dims, work) if dims \
            else None
        model = fit(x[tr], y[tr], params, names=names, weight=None if w is None else w[tr])
        scores[row_fold == f] = model.predict(x[row_fold == f])
    return scores


def news_check(model: CheckworthyModel, news: News, work: Path = WORK) -> dict[str, float]:
    """On held-apart news: share of each kind on the right side of 0.5, and the ranking AUC facts vs comments."""
    p = model.predict(features(news.texts, embed(news.texts, work)))
    y = news.labels == 1
    kinds = np.array(news.kinds)
    out = {k: float(((p[kinds == k] >= 0.5) == (news.labels[kinds == k] == 1)).mean()) for k in sorted(set(news.kinds))}
    rank = np.argsort(np.argsort(p)) + 1  # Mann-Whitney U from ranks (no ties in practice)
    out["AUC"] = float((rank[y].sum() - y.sum() * (y.sum() + 1) / 2) / (y.sum() * (~y).sum()))
    return {k: round(v, 3) for k, v in out.items()}


def grid(which: str = "news") -> list[dict[str, object]]:
    if which == "news":  # the debate recipe fixed, the weight of the news and the names projected out swept
        return [{**DEFAULT, "news_weight": w, "name_dims": k} for k in (0, 20, 30, 40) for w in (0.2, 0.3, 0.4)]
    # how the debate recipe was chosen (without news): C, the name subspace, an MLP
    out: list[dict[str, object]] = [{"kind": "logreg", "C": c, "name_dims": 0} for c in (0.0003, 0.001, 0.01, 0.1)]
    out += [{"kind": "logreg", "C": 0.001, "name_dims": k} for k in (10, 30)]
    out += [{"kind": "mlp", "hidden": 64, "alpha": 10.0, "epochs": 30, "name_dims": 0}]
    return out


def fit_recipe(debates: list[Debate], params: dict[str, object], work: Path = WORK,
               news: News | None = None) -> tuple[CheckworthyModel, np.ndarray, np.ndarray]:
    """The shipped recipe on these debates (plus the news when params give them weight): (model, y, group)."""
    x, y, g = design(debates, work)
    nw = float(params.get("news_weight", 0.0))  # type: ignore[arg-type]
    if nw > 0:
        x, y, g = with_news(x, y, g, news or load_news(), work)
    dims = int(params.get("name_dims", 0))  # type: ignore[call-overload]
    names = name_subspace(debates, dims, work) if dims else None
    model = fit(x, y, params, names=names, weight=sample_weights(y, g, nw) if nw > 0 else None)
    return model, y, g


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["cv", "train"])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--holdout-bench", action="store_true", help="leave the bench debates out of the fit")
    ap.add_argument("--lexical-only", action="store_true", help="cv: zero the embedding (ablation)")
    ap.add_argument("--grid", choices=["news", "recipe"], default="news", help="cv: what to sweep")
    args = ap.parse_args(argv)

    debates = load_debates(args.data)
    tune, bench = bench_split(debates)
    if args.mode == "cv":
        x0, y0, g0 = design(tune, args.work)
        news, news_dev = load_news(), load_news(split="dev", per_kind=300)
        x, y, g = with_news(x0, y0, g0, news, args.work)
        if args.lexical_only:
            x[:, : x.shape[1] - len(LEXICAL_FEATURES)] = 0.0
        log(f"cv on {len(tune)} debates ({int(y0.sum())} positives of {len(y0)}) + {len(news.texts)} news "
            f"sentences ({int(news.labels.sum())} positives); bench held apart: " + ", ".join(d.name for d in bench))
        for params in grid(args.grid):
            t = time.time()
            cv = cross_validate(x, y, g, params, tune, args.work)
            dev = news_check(fit_recipe(tune, params, args.work, news)[0], news_dev, args.work)
            log(f"{params}: {cv} news dev {dev} ({time.time() - t:.0f}s)")
        return 0
    train = tune if args.holdout_bench else debates
    t = time.time()
    news = load_news()
    model, y, g = fit_recipe(train, DEFAULT, args.work, news)
    deb = g >= 0
    kinds = {k: news.kinds.count(k) for k in dict.fromkeys(news.kinds)}
    card = {
        "task": "check-worthiness of a sentence (CLEF-2019 CheckThat! task 1), adapted to news articles",
        "data": f"{len(train)} debates/speeches, {int(y[deb].sum())} check-worthy of {int(deb.sum())} sentences; "
                f"{int((~deb).sum())} news sentences, {int(y[~deb].sum())} factual (FNC-1 train headlines in "
                "sentence case and article ledes, Emergent claims, AllSides ledes and roundup sentences of 3 in 4 "
                "stories), the rest not (sentences of ARC reader comments without figures, page-chrome lines "
                f"of FNC-1 bodies): {kinds}",
        "debates": [d.name for d in train],
        "weights": f"classes balanced within debates and within news; news carry {DEFAULT['news_weight']} of the "
                   "total weight",
        "features": f"{ENCODER} sentence embedding (L2-normalised) with the {DEFAULT['name_dims']} directions "
                    "spanned by the debates' names projected out (name_subspace), + "
                    f"{len(LEXICAL_FEATURES)} lexical cues: {', '.join(LEXICAL_FEATURES)}",
        "params": DEFAULT,
        "measured": MEASURED,
        "cross_encoder": "cross/: a MiniLM cross-encoder fine-tuned by scripts/train_checkworthy_finetune.py; "
                         "claims.score averages its probability in at the weight in "
                         "cross/factcheck_checkworthy.json, with the figures it was chosen by (MODEL_CARD.md)",
        "probabilities": "fitted with balanced class weights: 0.5 means 'as likely check-worthy as not' "
                         "under equal priors, not a 50% chance in a real debate",
        "trained": time.strftime("%Y-%m-%d"),
        "fit_seconds": round(time.time() - t, 1),
    }
    model.save(args.out, card=card)
    log(f"wrote {args.out} ({card['data']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
