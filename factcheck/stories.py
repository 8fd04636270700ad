"""Stories: the articles of one event, grouped as they are ingested.

Two articles are close when their title-and-lede vectors are (cosine), they name the same people, places and
figures (entities: capitalised words and numbers, Jaccard), and their dates lie within a window (an article
without a date is never kept apart by date). A batch regroup is scikit-learn's AgglomerativeClustering on those
distances with a distance threshold; an ingest assigns each new article by the same rule, one at a time: to the
story whose linkage distance to it (complete: the farthest member; average: the mean) is smallest, if it is
within the threshold, else to a new story. The rule's numbers were picked on half of the AllSides stories and
are measured on the other half by bench/stories.py.

The rule is pure (vectors in, labels out: `group`, `assign`, `regroup`); `on_ingest` and `regroup_store` read a
store's articles, encode them through its embedding cache (the facade's encoder) and write the stories back,
leaving what the user edited as it is: a pinned article stays, and an edited story keeps its name and articles.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

import numpy as np

from factcheck import lexicon

if TYPE_CHECKING:
    from factcheck.embed import Encoder
    from factcheck.records import ArticleHead
    from factcheck.store import Store

Linkage = Literal["complete", "average"]
FAR = 2.0  # the distance of a pair the date window keeps apart: above every threshold (cosine distance <= 2)
NAME_CHARS = 80  # a story's default name: its earliest article's title, shortened to this


@dataclass(frozen=True)
class Rule:
    """When two articles report one event (bench/stories.py picks these on half of AllSides)."""

    # picked on the dev half of AllSides with articles' own dates (bench/stories.py, "url dates"); names and
    # numbers did not help there (weight 0), though they did with every article given its story's date
    threshold: float = 0.575  # the largest linkage distance inside one story
    linkage: Linkage = "complete"
    window_days: int | None = 1  # dates further apart than this: never one story (None: dates not used)
    entity_weight: float = 0.0  # share of the distance from names and numbers (the rest: the embedding)


RULE = Rule()


@dataclass(frozen=True)
class Signature:
    """What grouping reads of one article."""

    vec: np.ndarray  # unit vector of its title and lede
    entities: frozenset[str]
    day: int | None  # date.toordinal() of its date, None when unknown


# capitalised words that name no one: sentence starts, days, months, titles (lexicon.NOT_NAMES)
NOT_NAMES = lexicon.NOT_NAMES
_ENTITY_RE = re.compile(r"\b(?:[A-Z][\w'’-]+|\d[\d,.]*%?)")


def lede_text(title: str | None, lede: str | None) -> str:
    """What an article is embedded by for grouping: its title and first sentence."""
    parts = [p.strip() for p in (title, lede) if p and p.strip()]
    return ". ".join(parts)


def head_text(title: str | None, lede: str | None) -> str:
    """The text an article's grouping vector is encoded from (what the embedding cache keeps it under): a
    distributed ingest's workers encode it beside the passages, so the driver groups without encoding."""
    return lede_text(title, lede) or "(empty)"


def entities(text: str) -> frozenset[str]:
    """Capitalised words and numbers, lower-cased, less NOT_NAMES: a cheap stand-in for named entities."""
    found = (t.strip("'’.,").lower() for t in _ENTITY_RE.findall(text))
    return frozenset(t for t in found if len(t) > 1 and t not in NOT_NAMES)


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


def distances(a: Sequence[Signature], b: Sequence[Signature], rule: Rule = RULE) -> np.ndarray:
    """(len a, len b) distances: cosine distance blended with entity Jaccard distance, FAR outside the window."""
    if not a or not b:
        return np.zeros((len(a), len(b)))
    va = np.stack([p.vec for p in a]).astype(np.float64)
    vb = np.stack([p.vec for p in b]).astype(np.float64)
    d = 1.0 - va @ vb.T  # inner product == cosine: vectors are L2-normalised
    if rule.entity_weight:
        jac = np.array([[len(x.entities & y.entities) / len(x.entities | y.entities) if x.entities | y.entities
                         else 0.0 for y in b] for x in a])
        d = (1 - rule.entity_weight) * d + rule.entity_weight * (1.0 - jac)
    if rule.window_days is not None:
        da = np.array([np.nan if p.day is None else p.day for p in a], dtype=np.float64)
        db = np.array([np.nan if p.day is None else p.day for p in b], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            apart = np.abs(da[:, None] - db[None, :]) > rule.window_days  # NaN (a date unknown) compares False
        d = np.where(apart, FAR, d)
    return np.clip(d, 0.0, FAR)


def group(signatures: Sequence[Signature], rule: Rule = RULE) -> np.ndarray:
    """A label per article (0, 1, …): the batch grouping, AgglomerativeClustering on `distances`."""
    if len(signatures) < 2:
        return np.zeros(len(signatures), dtype=np.int64)
    from sklearn.cluster import AgglomerativeClustering

    d = distances(signatures, signatures, rule)
    np.fill_diagonal(d, 0.0)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage=rule.linkage,
                                    distance_threshold=rule.threshold)
    return np.asarray(model.fit(d).labels_, dtype=np.int64)


def _linked(d: np.ndarray, rule: Rule) -> float:
    """The linkage distance between two groups from their pairwise distances."""
    return float(d.max() if rule.linkage == "complete" else d.mean())


def assign(signatures: Sequence[Signature], labels: Sequence[int | None], rule: Rule = RULE) -> list[int]:
    """Labels for the articles whose label is None, one at a time in order: the nearest labelled group within
    the threshold, else a new label (one more than the largest so far). Labelled articles keep theirs."""
    out: list[int | None] = list(labels)
    todo = [i for i, lab in enumerate(out) if lab is None]
    if not todo:
        return [int(lab) for lab in out if lab is not None]
    d = distances([signatures[i] for i in todo], signatures, rule)
    members: dict[int, list[int]] = {}
    for i, lab in enumerate(out):
        if lab is not None:
            members.setdefault(lab, []).append(i)
    fresh = max(members, default=-1) + 1
    for row, i in enumerate(todo):
        best, best_d = None, rule.threshold
        for lab, idx in members.items():
            linked = _linked(d[row, idx], rule)
            if linked <= best_d:
                best, best_d = lab, linked
        if best is None:
            best, fresh = fresh, fresh + 1
        out[i] = best
        members.setdefault(best, []).append(i)
    return [int(lab) for lab in out if lab is not None]


def regroup(signatures: Sequence[Signature], kept: Sequence[int | None], rule: Rule = RULE) -> list[int]:
    """Group every article again, leaving the `kept` ones (a story id: pinned, or in a story the user edited)
    where they are: the free articles are clustered among themselves (`group`), then each cluster joins the
    nearest kept story within the threshold (linkage over both), else stays a story of its own, labelled
    below every story id (-1, -2, …)."""
    free = [i for i, k in enumerate(kept) if k is None]
    out: list[int] = [int(k) if k is not None else 0 for k in kept]
    if not free:
        return out
    labels = group([signatures[i] for i in free], rule)
    stories: dict[int, list[int]] = {}
    for i, k in enumerate(kept):
        if k is not None:
            stories.setdefault(int(k), []).append(i)
    new = -1
    for lab in np.unique(labels):
        idx = [free[j] for j in np.flatnonzero(labels == lab)]
        best, best_d = None, rule.threshold
        if stories:
            d = distances([signatures[i] for i in idx], signatures, rule)
            for sid, members in stories.items():
                linked = _linked(d[:, members], rule)
                if linked <= best_d:
                    best, best_d = sid, linked
        if best is None:
            best, new = new, new - 1
        for i in idx:
            out[i] = best
    return out


# --- a store's stories --------------------------------------------------------------------------------------
def signatures_of(heads: Sequence[ArticleHead], encoder: Encoder) -> list[Signature]:
    """Each article's profile; vectors through `encoder` (the facade's caches them: a regroup encodes nothing)."""
    texts = [head_text(h.title, h.lede) for h in heads]
    vecs = encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    return [Signature(v, entities(t), day_of(h.date)) for v, t, h in zip(vecs, texts, heads, strict=True)]


def _name(members: Sequence[ArticleHead]) -> str:
    first = min(members, key=lambda h: (day_of(h.date) or 10**9, h.id))
    return default_name(first.title, first.lede)


def on_ingest(store: Store, encoder: Encoder, added: Sequence[int], rule: Rule = RULE) -> list[int]:
    """Put newly stored articles (and any other article in no story) into stories by `assign`; returns the
    stories written."""
    heads = store.article_heads()
    new = set(added)
    labels: list[int | None] = [None if h.id in new else h.story_id for h in heads]
    if all(lab is not None for lab in labels):
        return []
    got = assign(signatures_of(heads, encoder), labels, rule)
    known = {h.story_id for h in heads if h.story_id is not None and h.id not in new}
    touched = {lab for lab, before in zip(got, labels, strict=True) if before is None}
    groups = []
    for lab in sorted(touched):
        members = [h for h, g in zip(heads, got, strict=True) if g == lab]
        fresh = [h.id for h, g, before in zip(heads, got, labels, strict=True) if g == lab and before is None]
        groups.append((lab if lab in known else None, fresh, _name(members)))
    return store.set_stories(groups)


def regroup_store(store: Store, encoder: Encoder, rule: Rule = RULE) -> list[int]:
    """Group every article again by `regroup`, leaving pinned articles and edited stories as they are. A new
    group takes the id of the story most of its articles were in, where that story is not already taken, so
    ids stay put when little changed. Returns the stories written."""
    heads = store.article_heads()
    if not heads:
        return []
    edited = {s.id for s in store.stories() if s.edited}
    kept = [h.story_id if h.story_id is not None and (h.pinned or h.story_id in edited) else None for h in heads]
    got = regroup(signatures_of(heads, encoder), kept, rule)
    by_label: dict[int, list[ArticleHead]] = {}
    for h, lab in zip(heads, got, strict=True):
        by_label.setdefault(lab, []).append(h)
    taken = {lab for lab in by_label if lab >= 0}
    groups = []
    for lab, members in sorted(by_label.items(), key=lambda kv: -len(kv[1])):
        sid: int | None = lab
        if lab < 0:
            olds = [h.story_id for h in members if h.story_id is not None and h.story_id not in taken]
            sid = max(set(olds), key=olds.count) if olds else None
            if sid is not None:
                taken.add(sid)
        groups.append((sid, [h.id for h in members], _name(members)))
    return store.set_stories(groups)
