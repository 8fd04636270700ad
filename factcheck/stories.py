"""Stories: the articles of one event, grouped as they are ingested.

Two articles are one story with a learned probability (`probabilities`): a logistic regression over a few
features of the pair. The cosine of their title-and-lede vectors (MiniLM, what the embedding cache holds); the
cosine of their TF-IDF vectors (title and text, the vectoriser fitted on the articles being grouped); their date
gap (log days, same day, within 1, within 3; an unknown date reads as the other's day: it never keeps an article
apart, as two outlets' undated reports of one event pasted into a new store); and, for each of the two cosines,
leads: of an article's neighbours within 3 days (an undated article is everyone's neighbour), how many the other
article of the pair is closer to it than, as log1p(neighbours) - log1p(closer ones), the larger and the smaller
of the two directions. Leads make the probability relative to what else was written that week: the nearest of
many neighbours is strong evidence, a close pair in a busy week counts for less, and in a quiet week (a small
store) there is nothing to lead, so the cosines decide; the model was also trained on thinned weeks for that.
Two dated articles more than the model's apart_days (14) apart are never one story.

Articles are then grouped by complete linkage on 1 - p: every pair a grouping puts together is at most the
model's threshold apart (`group`: scikit-learn's AgglomerativeClustering, leads over the whole set). An ingest
(`settle`) groups again the new articles and the articles dated within SETTLE_DAYS of them, leaving the rest,
and whatever the user pinned or edited, where it is (`regroup`), so that articles arriving one at a time end
grouped almost as a batch would: a newcomer's days are re-read with it (a story kept in place is not re-read:
after an edit or a pin, two of its articles may be further apart). The model and its threshold come from
the even-numbered stories of AllSides (scripts/train_stories.py writes factcheck/models/stories/pairs.json);
bench/stories.py measures them on the odd-numbered ones.

The grouping is pure (signatures in, labels out: `group`, `settle`, `regroup`); `on_ingest` and
`regroup_store` read a store's articles, encode them through its embedding cache (the facade's encoder) and
write the stories back, leaving what the user edited as it is: a pinned article stays, and an edited story
keeps its name and articles.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from factcheck.errors import ModelMissingError

if TYPE_CHECKING:
    from factcheck.embed import Encoder
    from factcheck.records import ArticleHead
    from factcheck.store import Store

Linkage = Literal["complete", "average"]
MODEL_FILE = Path(__file__).parent / "models" / "stories" / "pairs.json"
FORMAT = "factcheck-story-pairs/1"
# the pair features, in the order the models' weights are stored
FEATURES = ("cos_lede", "tfidf", "log1p_gap", "same_day", "gap_le_1", "gap_le_3",
            "lead_max_lede", "lead_min_lede", "lead_max_tfidf", "lead_min_tfidf")
GAP_CAP = 60  # days: a larger gap reads as this one
# AllSides gives each article's first paragraphs (about 650 characters, at most 867): a longer text is cut here,
# so its TF-IDF cosines stay on the scale the model learned (and a store of long articles groups as fast)
TEXT_CHARS = 1000
# TF-IDF leaves out words in more than half of the articles, but never words in fewer than this many (half the
# 730 articles the model was trained on): in a small set (a new store, the articles an ingest reads) one event can
# be most of the articles, and would lose every word its articles share
MIN_MAX_DF = 365
NAME_CHARS = 80  # a story's default name: its earliest article's title, shortened to this
# an ingest groups again the articles dated this close to a new one (`settle`); picked on the AllSides dev half,
# articles arriving one at a time in date order: ARI 0.907 with 3 days, 0.904 with 1 (bench/stories.py)
SETTLE_DAYS = 3


@dataclass(frozen=True)
class PairModel:
    """P(same story) of a pair from its FEATURES: standardised, then a logistic regression."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # the largest linkage distance (1 - p) inside one story
    linkage: Linkage
    window_days: int  # leads count an article's neighbours within this many days
    rank_cap: int  # neighbours and ranks above this read as this many
    apart_days: int  # two dated articles further apart than this are never one story (p = 0)


@dataclass(frozen=True)
class Signature:
    """What grouping reads of one article."""

    vec: np.ndarray  # unit vector of its title and lede
    day: int | None  # date.toordinal() of its date, None when unknown
    text: str = ""  # its title and text, cut to TEXT_CHARS (`tfidf_text`): what TF-IDF reads


def _damaged(path: Path, why: str) -> ModelMissingError:
    return ModelMissingError(f"The story-grouping model {path} {why}; reinstall factcheck, or run "
                             "scripts/train_stories.py to write it again.")


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> PairModel:
    """The pair model in `path` (the packaged one by default)."""
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _damaged(path, "is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _damaged(path, f"cannot be read ({e})") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        found = spec.get("format") if isinstance(spec, dict) else None
        raise _damaged(path, f"is in another format ({found!r}, this factcheck reads {FORMAT!r})")
    try:
        m = spec["model"]
        k = len(FEATURES)
        model = PairModel(features=tuple(spec["features"]), mean=tuple(map(float, m["mean"])),
                          scale=tuple(map(float, m["scale"])), coef=tuple(map(float, m["coef"])),
                          intercept=float(m["intercept"]), threshold=float(m["threshold"]),
                          linkage=m["linkage"], window_days=int(spec["window_days"]),
                          rank_cap=int(spec["rank_cap"]), apart_days=int(spec["apart_days"]))
    except (KeyError, TypeError, ValueError) as e:
        raise _damaged(path, f"lacks a field or has a bad value ({e!r})") from None
    if model.features != FEATURES or not len(model.mean) == len(model.scale) == len(model.coef) == k \
            or model.linkage not in ("complete", "average") or not all(s > 0 for s in model.scale):
        raise _damaged(path, "does not match the features this factcheck computes")
    return model


# --- an article's texts ---------------------------------------------------------------------------------------
def lede_text(title: str | None, lede: str | None) -> str:
    """What an article is embedded by for grouping: its title and first sentence."""
    parts = [p.strip() for p in (title, lede) if p and p.strip()]
    return ". ".join(parts)


def head_text(title: str | None, lede: str | None) -> str:
    """The text an article's grouping vector is encoded from (what the embedding cache keeps it under): a
    distributed ingest's workers encode it beside the passages, so the driver groups without encoding."""
    return lede_text(title, lede) or "(empty)"


def tfidf_text(title: str | None, text: str | None) -> str:
    """What TF-IDF reads of an article: its title and text, cut to TEXT_CHARS."""
    return ". ".join(p.strip() for p in (title, text) if p and p.strip())[:TEXT_CHARS]


def day_of(when: str | None) -> int | None:
    """The day number of an ISO date (its first 10 characters), None when there is none or it is not one."""
    try:
        return date.fromisoformat((when or "")[:10]).toordinal()
    except ValueError:
        return None


def default_name(title: str | None, lede: str | None) -> str:
    """A story's name until the user gives one: its earliest article's title (else lede), shortened."""
    text = " ".join((title or lede or "(untitled)").split())
    return text if len(text) <= NAME_CHARS else text[:NAME_CHARS - 1].rstrip() + "…"


# --- pair features --------------------------------------------------------------------------------------------
def tfidf_cosines(texts: Sequence[str]) -> np.ndarray:
    """(n, n) cosines of TF-IDF vectors fitted on these texts (sublinear tf, English stop words left out)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    vectoriser = TfidfVectorizer(sublinear_tf=True, stop_words="english", max_df=max(n // 2, MIN_MAX_DF))
    try:
        m = vectoriser.fit_transform(texts)
    except ValueError:  # no word left (empty or stop words only): nothing to compare by
        return np.zeros((n, n))
    return np.asarray((m @ m.T).toarray(), dtype=np.float64)  # rows are L2-normalised: product == cosine


def similarities(signatures: Sequence[Signature]) -> tuple[np.ndarray, np.ndarray]:
    """(n, n) cosines of the title-and-lede vectors and of the TF-IDF vectors."""
    vecs = np.stack([s.vec for s in signatures]).astype(np.float64)
    return vecs @ vecs.T, tfidf_cosines([s.text for s in signatures])  # inner product == cosine: unit vectors


def _days(signatures: Sequence[Signature]) -> np.ndarray:
    return np.array([np.nan if s.day is None else s.day for s in signatures], dtype=np.float64)


def _windowed(sim: np.ndarray, days: np.ndarray, window_days: int) -> np.ndarray:
    """`sim` with -inf outside each article's window and on the diagonal: what ranks compare."""
    with np.errstate(invalid="ignore"):
        near = ~(np.abs(days[:, None] - days[None, :]) > window_days)  # NaN (a date unknown): near everyone
    out = np.where(near, sim, -np.inf)
    np.fill_diagonal(out, -np.inf)
    return out


def ranks(sim: np.ndarray, days: np.ndarray, *, window_days: int, cap: int) -> np.ndarray:
    """(n, n) r[i, j]: how many articles k != i, j within `window_days` of i are at least as similar to i as j
    is, at most `cap`; a j outside i's window is less similar than any, so r = i's neighbours (or more). `days`:
    day numbers, NaN when unknown (in every window)."""
    return _ranks(_windowed(sim, days, window_days), cap)


def _ranks(w: np.ndarray, cap: int) -> np.ndarray:
    from scipy.stats import rankdata

    # the "max" rank of -w in its row is how many values are at least as large, j's own included: a tie counts
    # against j (an article sharing no word with any neighbour leads none of them), and a j outside the window
    # ties with every -inf, so it leads nothing
    return np.minimum(rankdata(-w, method="max", axis=1) - 1, cap).astype(np.int64)


def leads(sim: np.ndarray, days: np.ndarray, *, window_days: int, cap: int) -> np.ndarray:
    """(n, n) how far j leads i's neighbours: log1p(i's neighbours) - log1p(`ranks`[i, j]), both at most `cap`.
    The nearest of many neighbours leads by much; in a quiet week, with no neighbour to beat, nothing is led
    (0): a rank alone would read the only article of a week as everyone's nearest. A j outside i's window: 0."""
    w = _windowed(sim, days, window_days)
    neighbours = np.minimum(np.isfinite(w).sum(axis=1), cap).astype(np.float64)
    r = _ranks(w, cap).astype(np.float64)
    return np.log1p(neighbours)[:, None] - np.log1p(np.minimum(r, neighbours[:, None]))


def _columns(signatures: Sequence[Signature], *, window_days: int, cap: int
             ) -> tuple[Iterator[np.ndarray], np.ndarray]:
    """The FEATURES of every pair, one (n, n) array each, in order, and the date gaps in days (NaN: a date
    unknown)."""
    cos, tfidf = similarities(signatures)
    days = _days(signatures)
    gap = np.abs(days[:, None] - days[None, :])

    def columns() -> Iterator[np.ndarray]:
        g = np.where(np.isnan(gap), 0.0, gap)  # a date unknown reads as the same day: it never keeps apart
        yield cos
        yield tfidf
        yield np.log1p(np.minimum(g, GAP_CAP))
        for near in (0, 1, 3):
            yield (g <= near).astype(np.float64)
        for sim in (cos, tfidf):
            lead = leads(sim, days, window_days=window_days, cap=cap)
            yield np.maximum(lead, lead.T)
            yield np.minimum(lead, lead.T)

    return columns(), gap


def _probability(model: PairModel, columns: Iterator[np.ndarray], gap: np.ndarray) -> np.ndarray:
    """P(same story) from the FEATURES' `columns`; 0 where the dates are more than apart_days apart (the
    model learned the date window through leads, which a small set has too few of to carry)."""
    from scipy.special import expit

    z: np.ndarray | float = model.intercept
    for x, mean, scale, coef in zip(columns, model.mean, model.scale, model.coef, strict=True):
        z = z + coef * (x - mean) / scale
    with np.errstate(invalid="ignore"):
        return np.where(gap > model.apart_days, 0.0, np.asarray(expit(z), dtype=np.float64))  # NaN: never apart


def features(signatures: Sequence[Signature], *, window_days: int, cap: int) -> np.ndarray:
    """(n, n, len(FEATURES)) pair features, leads over the whole set (scripts/train_stories.py trains on them)."""
    columns, _ = _columns(signatures, window_days=window_days, cap=cap)
    return np.stack(list(columns), axis=-1)


def probabilities(signatures: Sequence[Signature], model: PairModel | None = None) -> np.ndarray:
    """(n, n) P(same story) of every pair, symmetric, 1 on the diagonal; leads over the whole set."""
    model = model or load_model()
    n = len(signatures)
    if n == 0:
        return np.zeros((0, 0))
    columns, gap = _columns(signatures, window_days=model.window_days, cap=model.rank_cap)
    p = _probability(model, columns, gap)
    p = (p + p.T) / 2  # the features are symmetric; this only evens out rounding
    np.fill_diagonal(p, 1.0)
    return p


# --- grouping ---------------------------------------------------------------------------------------------
def _cluster(d: np.ndarray, model: PairModel) -> np.ndarray:
    if len(d) < 2:
        return np.zeros(len(d), dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    d = d.copy()
    np.fill_diagonal(d, 0.0)
    found = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage=model.linkage,
                                    distance_threshold=model.threshold).fit(d)
    return np.asarray(found.labels_, dtype=np.int64)


def group(signatures: Sequence[Signature], model: PairModel | None = None) -> np.ndarray:
    """A label per article (0, 1, …): the batch grouping, AgglomerativeClustering on 1 - `probabilities`."""
    model = model or load_model()
    if len(signatures) < 2:
        return np.zeros(len(signatures), dtype=np.int64)
    return _cluster(1.0 - probabilities(signatures, model), model)


def _linked(d: np.ndarray, labels: np.ndarray, linkage: Linkage) -> tuple[np.ndarray, np.ndarray]:
    """Each label's linkage distance from its members' distances `d`: (labels, distances)."""
    names, which = np.unique(labels, return_inverse=True)
    if linkage == "complete":
        out = np.full(len(names), -np.inf)
        np.maximum.at(out, which, d)
    else:
        out = np.bincount(which, weights=d, minlength=len(names)) / np.bincount(which, minlength=len(names))
    return names, out


def _held_id(before: Sequence[int | None], taken: set[int]) -> int | None:
    """The story id most of a regrouped cluster's articles had (`before`) of those not `taken` (of a tie, the
    lowest), added to `taken`; None when each is taken: so ids stay put when little changed."""
    olds = [int(b) for b in before if b is not None and int(b) not in taken]
    if not olds:
        return None
    sid = max(sorted(set(olds)), key=olds.count)
    taken.add(sid)
    return sid


def regroup(signatures: Sequence[Signature], kept: Sequence[int | None], model: PairModel | None = None,
            closed: frozenset[int] = frozenset()) -> list[int]:
    """Group every article again, leaving the `kept` ones (a story id: pinned, or in a story the user edited)
    where they are: the free articles are clustered among themselves (as `group`, with leads over every
    article), then each cluster joins the nearest kept story within the threshold (linkage over both) that is
    not `closed`, else stays a story of its own, labelled below every story id (-1, -2, …)."""
    model = model or load_model()
    free = [i for i, k in enumerate(kept) if k is None]
    out: list[int] = [int(k) if k is not None else 0 for k in kept]
    if not free:
        return out
    d = 1.0 - probabilities(signatures, model)
    labels = _cluster(d[np.ix_(free, free)], model)
    fixed = np.array([i for i, k in enumerate(kept) if k is not None], dtype=np.int64)
    fixed_labels = np.array([kept[i] for i in fixed], dtype=np.int64)
    new = -1
    # larger clusters first; a cluster that joins a story counts among its members for the clusters after it,
    # so two clusters far apart cannot both join one story
    for lab in sorted(np.unique(labels), key=lambda g: (-int((labels == g).sum()), int(g))):
        idx = [free[j] for j in np.flatnonzero(labels == lab)]
        best = None
        if len(fixed):
            # a cluster's linkage to a story: over every pair of a cluster member and a story member
            per_member = [_linked(d[i, fixed], fixed_labels, model.linkage) for i in idx]
            names = per_member[0][0]
            stacked = np.stack([linked for _, linked in per_member])
            linked = stacked.max(axis=0) if model.linkage == "complete" else stacked.mean(axis=0)
            linked = np.where(np.isin(names, list(closed)), np.inf, linked)
            k = int(np.argmin(linked))
            if linked[k] <= model.threshold:
                best = int(names[k])
        if best is None:
            best, new = new, new - 1
        else:
            fixed = np.concatenate([fixed, np.asarray(idx, dtype=np.int64)])
            fixed_labels = np.concatenate([fixed_labels, np.full(len(idx), best, dtype=np.int64)])
        for i in idx:
            out[i] = best
    return out


def settle(signatures: Sequence[Signature], labels: Sequence[int | None], fixed: Sequence[bool] | None = None,
           model: PairModel | None = None, *, days_around: int = SETTLE_DAYS) -> list[int]:
    """Labels (story ids, >= 0) after the articles whose label is None arrived. They, and every article dated
    within `days_around` of one of them that is not `fixed` (pinned, or in a story the user edited), are grouped
    again by `regroup` (among themselves, then each group joins the nearest remaining story within the
    threshold); every other article keeps its label. A regrouped cluster takes, of the labels its articles had,
    the one most of them had among those no remaining article and no larger cluster holds; else a new label
    above every label so far.

    Only the articles that can matter are read: those dated within the model's apart_days (beyond, p = 0) plus
    the regrouped days and the rank window of a newcomer, and the undated ones (all of them when a newcomer is
    undated). A story with an article beyond that reach cannot be joined: that article is further than
    apart_days from every regrouped one. With dated articles this reads what the whole set would give (the
    TF-IDF weights aside, fitted on what is read); an undated article counts every article as a neighbour, so
    its leads are counted among what is read only: an approximation, kept because reading everything on every
    ingest costs the square of the store."""
    model = model or load_model()
    n = len(labels)
    if any(lab is not None and int(lab) < 0 for lab in labels):
        raise ValueError("settle: story labels are >= 0 (regroup's own are negative)")
    fixed = list(fixed) if fixed is not None else [False] * n
    new = [i for i, lab in enumerate(labels) if lab is None]
    if not new:
        return [int(lab) for lab in labels if lab is not None]
    days = _days(signatures)
    near = np.zeros(n, dtype=bool)
    near[new] = True
    # an average linkage is lowered by far members a complete one is blocked by: it reads everything
    scope = np.isnan(days) | (model.linkage != "complete")
    reach = model.apart_days + days_around + model.window_days
    with np.errstate(invalid="ignore"):  # an undated article is regrouped only when it is new
        for d in days[new]:
            if np.isnan(d):
                scope[:] = True
            else:
                near |= np.abs(days - d) <= days_around
                scope |= np.abs(days - d) <= reach
    sub = [int(i) for i in np.flatnonzero(scope)]
    kept = [None if near[i] and not fixed[i] else labels[i] for i in sub]
    closed = frozenset(int(lab) for lab, inside in zip(labels, scope, strict=True) if lab is not None and not inside)
    got = regroup([signatures[i] for i in sub], kept, model, closed)
    taken = set(closed) | {int(k) for k in kept if k is not None}  # labels still held by articles left in place
    fresh = max((int(lab) for lab in labels if lab is not None), default=-1) + 1
    out = [int(lab) if lab is not None else -1 for lab in labels]
    clusters: dict[int, list[int]] = {}
    for j, g in enumerate(got):
        if g < 0:
            clusters.setdefault(g, []).append(sub[j])
        else:
            out[sub[j]] = g
    for members in sorted(clusters.values(), key=lambda m: (-len(m), m[0])):
        sid = _held_id([labels[i] for i in members], taken)
        if sid is None:
            sid, fresh = fresh, fresh + 1
        for i in members:
            out[i] = sid
    return out


# --- a store's stories --------------------------------------------------------------------------------------
def signatures_of(heads: Sequence[ArticleHead], encoder: Encoder) -> list[Signature]:
    """Each article's profile; vectors through `encoder` (the facade's caches them: a regroup encodes nothing)."""
    texts = [head_text(h.title, h.lede) for h in heads]
    vecs = encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    return [Signature(v, day_of(h.date), tfidf_text(h.title, h.text)) for v, h in zip(vecs, heads, strict=True)]


def _name(members: Sequence[ArticleHead]) -> str:
    first = min(members, key=lambda h: (day_of(h.date) or 10**9, h.id))
    return default_name(first.title, first.lede)


def on_ingest(store: Store, encoder: Encoder, added: Sequence[int], model: PairModel | None = None) -> list[int]:
    """Put newly stored articles (and any other article in no story) into stories by `settle`, which may also
    move articles dated close to them that the user neither pinned nor placed in an edited story, in one
    transaction; returns the stories written (those that gained an article, and those renamed after losing
    their earliest)."""
    heads = store.article_heads(text_chars=TEXT_CHARS)
    new = set(added)
    labels: list[int | None] = [None if h.id in new else h.story_id for h in heads]
    if all(lab is not None for lab in labels):
        return []
    edited = {s.id for s in store.stories() if s.edited}
    fixed = [h.pinned or (h.story_id is not None and h.story_id in edited) for h in heads]
    got = settle(signatures_of(heads, encoder), labels, fixed, model)
    known = {h.story_id for h in heads if h.story_id is not None and h.id not in new}
    gained = {g for g, before in zip(got, labels, strict=True) if g != before}
    groups: list[tuple[int | None, Sequence[int], str]] = []
    for lab in sorted(gained):
        members = [h for h, g in zip(heads, got, strict=True) if g == lab]
        moved = [h.id for h, g, before in zip(heads, got, labels, strict=True) if g == lab and before != lab]
        groups.append((lab if lab in known else None, moved, _name(members)))
    # a story that only lost articles keeps its id; its default name follows its earliest remaining article
    left = {before for g, before in zip(got, labels, strict=True) if before is not None and g != before}
    for lab in sorted(left - gained):
        if rest := [h for h, g in zip(heads, got, strict=True) if g == lab]:
            groups.append((lab, [], _name(rest)))
    return store.set_stories(groups)


def regroup_store(store: Store, encoder: Encoder, model: PairModel | None = None) -> list[int]:
    """Group every article again by `regroup`, leaving pinned articles and edited stories as they are. A new
    group takes the id of the story most of its articles were in, where that story is not already taken, so
    ids stay put when little changed. Returns the stories written."""
    heads = store.article_heads(text_chars=TEXT_CHARS)
    if not heads:
        return []
    edited = {s.id for s in store.stories() if s.edited}
    kept = [h.story_id if h.story_id is not None and (h.pinned or h.story_id in edited) else None for h in heads]
    got = regroup(signatures_of(heads, encoder), kept, model)
    by_label: dict[int, list[ArticleHead]] = {}
    for h, lab in zip(heads, got, strict=True):
        by_label.setdefault(lab, []).append(h)
    taken = {lab for lab in by_label if lab >= 0}
    groups = []
    for lab, members in sorted(by_label.items(), key=lambda kv: -len(kv[1])):
        sid = lab if lab >= 0 else _held_id([h.story_id for h in members], taken)
        groups.append((sid, [h.id for h in members], _name(members)))
    return store.set_stories(groups)
