"""Verdict per claim: what the other sources, counted as independent sources, say about it.

Rules (``decide``):

1. Evidence from the claim's own source (``claim_source``) never counts.
2. Near-duplicate wording is collapsed: a passage whose wording nearly repeats an earlier (higher-ranked)
   passage of another source — syndicated or copied text — gets ``duplicate_of`` = that passage's id and
   does not count; one that repeats the claim itself word for word, when the claim has a source, gets
   ``duplicate_of = DUPLICATE_OF_CLAIM`` (a copy of the claim's own outlet is not corroboration).
   Near-duplicate = cosine ≥ ``Settings.duplicate_similarity`` when vectors are given, or word-overlap
   containment ≥ TOKEN_CONTAINMENT over at least MIN_DUP_TOKENS words.
3. A claim that says who said it ("…, Sheinbaum said") is corroborated by an outlet that carries the same
   statement by the same speaker: a passage the model reads as neutral (reported, not endorsed) counts as
   support when it is similar enough to count (``Settings.evidence_similarity``), leans to support rather
   than conflict, has no number, date, negation or direction mismatch, reports a statement and, with its
   article's snippet, names the speaker (factcheck.attribution). Such evidence has ``reported=True``. For a
   claim of fact the same passages stay neutral; the verdict lists their sources as ``reporting``.
4. Each other source takes ONE stance: of its counted passages labelled supports or conflicts, the one
   with the higher probability wins; else "neutral" if any passage is on topic; else it is silent.
5. With S independent sources supporting and C conflicting:
   - ``corroborated``: S ≥ 1 and C = 0;
   - ``contested``: C ≥ 1 and S = 0;
   - ``mixed``: S ≥ 1 and C ≥ 1;
   - ``single-source``: S = C = 0 and the claim has a source (only its own outlet says it);
   - ``not enough evidence``: S = C = 0 for a pasted claim with no source.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from factcheck.attribution import claim_speaker, names, reports_statement
from factcheck.mismatch import Mismatch, adjust_scores, find_mismatches
from factcheck.settings import Settings
from factcheck.stance import LABELS, Scorer, label_of

VERDICTS = ("corroborated", "contested", "mixed", "single-source", "not enough evidence")
DUPLICATE_OF_CLAIM = -1
TOKEN_CONTAINMENT = 0.85
MIN_DUP_TOKENS = 8
SOURCE_STANCES = ("supports", "conflicts", "neutral", "silent")


class HitLike(Protocol):
    """What retrieval returns (factcheck.retrieve.Hit); any object with these attributes will do."""

    @property
    def passage_id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def article_id(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Evidence:
    text: str
    source: str
    article_id: int
    passage_id: int
    label: str
    scores: tuple[float, float, float, float]  # in LABELS order, after mismatch adjustment
    mismatches: tuple[Mismatch, ...]
    similarity: float  # retrieval cosine between the claim and the passage
    start: int = 0
    end: int = 0
    duplicate_of: int | None = None  # passage id of the kept copy, DUPLICATE_OF_CLAIM, or None
    reported: bool = False  # carries the claim as someone's statement (rule 3); label is the verdict's reading

    @property
    def counted(self) -> bool:
        return self.duplicate_of is None

    @property
    def model_label(self) -> str:
        """The stance model's own label (differs from `label` only for reported statements, rule 3)."""
        return label_of(np.asarray(self.scores))

    def p(self, label: str) -> float:
        return self.scores[LABELS.index(label)]


@dataclass(frozen=True)
class Verdict:
    label: str  # one of VERDICTS
    supporting: int  # independent sources
    conflicting: int
    neutral: int
    source_stances: tuple[tuple[str, str], ...]  # (source, supports|conflicts|neutral|silent), sorted by source
    duplicates: int  # evidence passages collapsed as near-duplicates
    reason: str  # one sentence for people
    reporting: tuple[str, ...] = ()  # neutral sources that carry the claim as someone's statement (rule 3)

    @property
    def supporting_sources(self) -> tuple[str, ...]:
        return tuple(s for s, st in self.source_stances if st == "supports")

    @property
    def conflicting_sources(self) -> tuple[str, ...]:
        return tuple(s for s, st in self.source_stances if st == "conflicts")


@dataclass(frozen=True)
class Check:
    """A claim checked against the corpus."""

    claim: str
    claim_source: str | None
    verdict: Verdict
    evidence: tuple[Evidence, ...]
    claim_passage_id: int | None = None
    claim_article_id: int | None = None


_WORD = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def near_duplicate(a: str, b: str) -> bool:
    """Copied wording: most words of the shorter text appear in the longer one."""
    ta, tb = _tokens(a), _tokens(b)
    small = min(len(ta), len(tb))
    return small >= MIN_DUP_TOKENS and len(ta & tb) / small >= TOKEN_CONTAINMENT


def mark_duplicates(evidence: Sequence[Evidence], *, claim: str | None = None, claim_source: str | None = None,
                    vectors: Mapping[int, np.ndarray] | None = None,
                    duplicate_similarity: float = 0.95) -> list[Evidence]:
    """Collapse near-duplicates across sources; the first (best-ranked) copy is kept and counted."""
    from dataclasses import replace

    kept: list[Evidence] = []
    out: list[Evidence] = []
    for ev in evidence:
        dup: int | None = None
        copied_claim = claim is not None and claim_source is not None and ev.source != claim_source
        if copied_claim and near_duplicate(claim or "", ev.text):
            dup = DUPLICATE_OF_CLAIM
        else:
            for k in kept:
                if k.source == ev.source:
                    continue  # one source repeating itself is still one source
                same = near_duplicate(k.text, ev.text)
                if not same and vectors is not None and k.passage_id in vectors and ev.passage_id in vectors:
                    same = float(vectors[k.passage_id] @ vectors[ev.passage_id]) >= duplicate_similarity
                if same:
                    dup = k.passage_id
                    break
        if dup is None:
            kept.append(ev)
        out.append(replace(ev, duplicate_of=dup))
    return out


def source_stance(evidence: Sequence[Evidence]) -> str:
    """One source's stance from its counted passages (rule 4)."""
    counted = [e for e in evidence if e.counted]
    sides = [e for e in counted if e.label in ("supports", "conflicts")]
    if sides:
        best = max(sides, key=lambda e: e.p(e.label))
        return best.label
    return "neutral" if any(e.label == "neutral" for e in counted) else "silent"


def decide(evidence: Sequence[Evidence], *, claim_source: str | None = None) -> Verdict:
    """The verdict from labelled, duplicate-marked evidence (rules 1, 4, 5)."""
    by_source: dict[str, list[Evidence]] = {}
    for e in evidence:
        if e.source != claim_source:
            by_source.setdefault(e.source, []).append(e)
    stances = tuple(sorted((s, source_stance(evs)) for s, evs in by_source.items()))
    n = {k: sum(1 for _, st in stances if st == k) for k in SOURCE_STANCES}
    sup, con = n["supports"], n["conflicts"]
    dups = sum(1 for e in evidence if not e.counted)
    if sup and con:
        label, reason = "mixed", f"{sup} independent source(s) support it and {con} conflict with it."
    elif sup:
        label, reason = "corroborated", f"{sup} independent source(s) support it; none conflicts."
    elif con:
        label, reason = "contested", f"{con} independent source(s) conflict with it; none supports it."
    elif claim_source is not None:
        label, reason = "single-source", f"Only {claim_source} reports it; no other source supports or contradicts it."
    else:
        label, reason = "not enough evidence", "No source in the corpus supports or contradicts it."
    reporting = tuple(s for s, st in stances if st == "neutral"
                      and any(e.reported and e.counted for e in by_source[s]))
    if reporting:
        reason += (f" {len(reporting)} source(s) carry it as someone's statement without taking a side: "
                   f"{', '.join(reporting)}.")
    if dups:
        reason += f" {dups} near-duplicate passage(s) were counted once."
    return Verdict(label, sup, con, n["neutral"], stances, dups, reason, reporting)


def gate(probs: np.ndarray, similarity: float, *, evidence_similarity: float) -> np.ndarray:
    """A passage less similar to the claim than `evidence_similarity` is about the story, not about the
    claim: it can neither support nor contradict it, so its supports/conflicts mass is counted as neutral.
    (The small cross-encoder reads "same topic" as agreement; this keeps "Canada closed its border" from
    being corroborated by any article that mentions Mexico's borders.)"""
    if similarity >= evidence_similarity:
        return probs
    q = np.asarray(probs, dtype=np.float32).copy()
    q[2] += q[0] + q[1]
    q[0] = q[1] = 0.0
    return q


STATEMENT_MISMATCHES = frozenset({"number", "date", "negation", "direction"})


def carries_statement(text: str, scores: np.ndarray, mismatches: Sequence[Mismatch], similarity: float, *,
                      evidence_similarity: float) -> bool:
    """A neutral reading of a passage that repeats the claim as someone's statement (rule 3)."""
    return (label_of(scores) == "neutral" and similarity >= evidence_similarity and scores[0] >= scores[1]
            and not any(m.kind in STATEMENT_MISMATCHES for m in mismatches) and reports_statement(text))


def label_evidence(claim: str, hits: Sequence[HitLike], model: Scorer, *, with_entities: bool = True,
                   snippets: Mapping[int, str] | None = None,
                   evidence_similarity: float = 0.0) -> list[Evidence]:
    """Stance and mismatches for each hit; mismatches may move probability (factcheck.mismatch).

    `snippets` (passage id → text) lets the model read what it was trained on — the article's sentences
    closest to the claim (factcheck.snippet) — instead of the lone passage; identical snippets (hits of
    one article) are scored once. Mismatches are always found in the passage itself, for highlighting.
    """
    if not hits:
        return []
    texts = [snippets.get(h.passage_id, h.text) if snippets else h.text for h in hits]
    unique = list(dict.fromkeys(texts))
    scored = dict(zip(unique, model.scores([claim] * len(unique), unique), strict=True))
    probs = [scored[t] for t in texts]
    best_mm: dict[int, tuple[Mismatch, ...]] = {}
    for h in sorted(hits, key=lambda h: -h.score):
        if h.article_id not in best_mm:
            best_mm[h.article_id] = find_mismatches(claim, h.text, entities=False)
    speaker = claim_speaker(claim)
    out = []
    for h, p in zip(hits, probs, strict=True):
        mm = find_mismatches(claim, h.text, entities=with_entities)
        # with snippets the probability is the article's, so the contradiction that adjusts it is the one in
        # the article's passage closest to the claim: every passage of one article carries one stance
        adjusting = best_mm.get(h.article_id, mm) if snippets else mm
        q = adjust_scores(gate(p, float(h.score), evidence_similarity=evidence_similarity), adjusting)
        label = label_of(q)
        reported = carries_statement(h.text, q, mm, float(h.score), evidence_similarity=evidence_similarity)
        context = f"{h.text} {snippets.get(h.passage_id, '')}" if snippets else h.text
        if reported and speaker is not None and names(context, speaker):
            label = "supports"
        out.append(Evidence(text=h.text, source=h.source, article_id=h.article_id, passage_id=h.passage_id,
                            label=label, scores=(float(q[0]), float(q[1]), float(q[2]), float(q[3])),
                            mismatches=mm, similarity=float(h.score), start=h.start, end=h.end,
                            reported=reported))
    return out


def check_claim(claim: str, hits: Sequence[HitLike], model: Scorer, *, claim_source: str | None = None,
                settings: Settings | None = None, claim_passage: Any = None,
                vectors: Mapping[int, np.ndarray] | None = None,
                snippets: Mapping[int, str] | None = None) -> Check:
    """A claim and its retrieved passages → labelled evidence, duplicates collapsed, verdict.

    `claim_passage` (a stored Passage, optional) records which passage the claim is; `vectors`
    (passage id → unit vector, optional) adds the cosine test for near-duplicates.
    """
    settings = settings or Settings()
    if claim_passage is not None:
        hits = [h for h in hits if h.passage_id != claim_passage.id]
    ranked = sorted(hits, key=lambda h: -h.score)
    labelled = label_evidence(claim, ranked, model, snippets=snippets,
                              evidence_similarity=settings.evidence_similarity)
    ev = mark_duplicates(labelled, claim=claim, claim_source=claim_source,
                         vectors=vectors, duplicate_similarity=settings.duplicate_similarity)
    return Check(claim=claim, claim_source=claim_source, verdict=decide(ev, claim_source=claim_source),
                 evidence=tuple(ev),
                 claim_passage_id=getattr(claim_passage, "id", None),
                 claim_article_id=getattr(claim_passage, "article_id", None))
