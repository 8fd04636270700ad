"""Verdict per claim: what the other sources, counted as independent sources, say about it.

Each retrieved passage is judged on its own by the claim verifier (factcheck.verify): it supports the claim
(states it, every checkable detail consistent), conflicts with it (states something incompatible) or does
not settle it (nei). Rules (``decide``):

1. Evidence from the claim's own source (``claim_source``) never counts.
2. Near-duplicate wording is collapsed: a passage whose wording nearly repeats an earlier (higher-ranked)
   passage of another source — syndicated or copied text — gets ``duplicate_of`` = that passage's id and
   does not count; one that repeats the claim itself word for word, when the claim has a source, gets
   ``duplicate_of = DUPLICATE_OF_CLAIM`` (a copy of the claim's own outlet is not corroboration).
   Near-duplicate = cosine ≥ ``Settings.duplicate_similarity`` when vectors are given, or word-overlap
   containment ≥ TOKEN_CONTAINMENT over at least MIN_DUP_TOKENS words.
3. Details are evidence: a passage that differs from the claim in a number, date, name, negation, direction
   or outcome ("necessary" / "unnecessary") cannot support it (factcheck.verify.judge); the differing detail
   is kept (``Evidence.blocked_by``) and named in the reason.
4. A passage supports (conflicts) when the verifier gives that side ≥ ``Settings.verify_supports_at``
   (``verify_conflicts_at``) and more than the other side (``settle``); a passage
   less similar to the claim than ``Settings.evidence_similarity`` is about the story, not the claim, and
   settles nothing — unless a differing detail makes it contradict the claim and it sits at or above
   ``Settings.conflict_similarity`` (a changed figure or date moves the wording away): it may then conflict,
   never support.
5. Each other source takes ONE stance through ONE deciding passage: of its counted passages that support or
   conflict, the most probable; else "neutral" if a passage is on the claim's topic; else it is silent.
6. With S independent sources supporting and C conflicting:
   - ``corroborated``: S ≥ 1 and C = 0;
   - ``contested``: C ≥ 1 and S = 0;
   - ``mixed``: S ≥ 1 and C ≥ 1;
   - ``single-source``: S = C = 0 and the claim has a source (only its own outlet says it);
   - ``not enough evidence``: S = C = 0 for a pasted claim with no source.
   The reason names each deciding passage and the detail that differs ("Outlet B contradicts it: “Police
   made 13 arrests …” (“13” where the claim says “30”).").

A passage that presents what it states as someone's statement ("…, Sheinbaum said") has ``reported=True``;
for a claim that names no speaker, a source that supports it through such a passage is listed as
``reporting`` as well (the outlet carries the statement; whether it endorses it is for the reader to weigh).
Copied wording with a different figure, date or polarity is not a near-duplicate: it is a second account.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from factcheck.attribution import claim_speaker, reports_statement
from factcheck.display import WORDS
from factcheck.labels import (
    SIDES,
    SOURCE_STANCES,
    VERIFICATIONS,
    MismatchKind,
    Probabilities,
    SourceStance,
    VerdictLabel,
    Verification,
)
from factcheck.lexicon import POINTING_BACK, alternation
from factcheck.mismatch import Mismatch, find_mismatches

if TYPE_CHECKING:
    from factcheck.records import Passage
from factcheck.settings import DEFAULTS, Settings
from factcheck.verify import Verifier, bears_on_claim, contradicts, judge, label_of

DUPLICATE_OF_CLAIM = -1
TOKEN_CONTAINMENT = 0.85
MIN_DUP_TOKENS = 8


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
    label: Verification
    scores: Probabilities  # after the detail rule and the gates
    mismatches: tuple[Mismatch, ...]
    similarity: float  # retrieval cosine between the claim and the passage
    start: int = 0
    end: int = 0
    duplicate_of: int | None = None  # passage id of the kept copy, DUPLICATE_OF_CLAIM, or None
    reported: bool = False  # presents what it states as someone's statement
    model_scores: Probabilities | None = None  # the verifier's own probabilities
    blocked_by: Mismatch | None = None  # the differing detail that kept it from supporting (rule 3)

    def __post_init__(self) -> None:
        # named fields whatever the caller built it from (a tuple, a JSON array read back)
        object.__setattr__(self, "label", Verification(self.label))
        object.__setattr__(self, "scores", Probabilities.of_row(self.scores))
        if self.model_scores is not None:
            object.__setattr__(self, "model_scores", Probabilities.of_row(self.model_scores))

    @property
    def counted(self) -> bool:
        return self.duplicate_of is None

    @property
    def model_label(self) -> Verification:
        """The verifier's own label (differs from `label` when a detail or a gate moved it)."""
        return label_of(np.asarray(self.model_scores if self.model_scores is not None else self.scores))

    def p(self, label: Verification | str) -> float:
        return self.scores.of(label)

    @property
    def settles(self) -> bool:
        return self.label in (Verification.SUPPORTS, Verification.CONFLICTS)


@dataclass(frozen=True)
class Verdict:
    label: VerdictLabel
    supporting: int  # independent sources
    conflicting: int
    neutral: int
    source_stances: tuple[tuple[str, SourceStance], ...]  # sorted by source
    duplicates: int  # evidence passages collapsed as near-duplicates
    reason: str  # for people: the verdict, then each deciding passage and the detail that differs
    reporting: tuple[str, ...] = ()  # sources whose deciding passage carries the claim as someone's statement
    deciding: tuple[tuple[str, int], ...] = ()  # (source, passage id) of each supporting/conflicting source

    def __post_init__(self) -> None:
        # members whatever the caller built it from (the strings of a stored check's JSON)
        object.__setattr__(self, "label", VerdictLabel(self.label))
        object.__setattr__(self, "source_stances", tuple((s, SourceStance(st)) for s, st in self.source_stances))

    @property
    def supporting_sources(self) -> tuple[str, ...]:
        return tuple(s for s, st in self.source_stances if st == SourceStance.SUPPORTS)

    @property
    def conflicting_sources(self) -> tuple[str, ...]:
        return tuple(s for s, st in self.source_stances if st == SourceStance.CONFLICTS)

    def deciding_passage(self, source: str) -> int | None:
        return dict(self.deciding).get(source)


@dataclass(frozen=True)
class Check:
    """A claim checked against the corpus."""

    claim: str
    claim_source: str | None
    verdict: Verdict
    evidence: tuple[Evidence, ...]
    claim_passage_id: int | None = None
    claim_article_id: int | None = None
    # a compound claim's checkable parts (factcheck.parts), each checked on its own; () when it is one fact. The
    # verdict above is the sentence's: a source that contradicts a part contradicts it (with_parts), but a part's
    # support never makes the sentence's (a source may state one part and not the others)
    parts: tuple[Check, ...] = ()

    def deciding(self, source: str) -> Evidence | None:
        """The passage that decides `source`'s stance (rule 5), else its most similar counted passage."""
        pid = self.verdict.deciding_passage(source)
        own = [e for e in self.evidence if e.source == source]
        if pid is not None:
            return next((e for e in own if e.passage_id == pid), None)
        counted = [e for e in own if e.counted] or own
        return max(counted, key=lambda e: e.similarity, default=None)


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
                    duplicate_similarity: float = DEFAULTS.duplicate_similarity) -> list[Evidence]:
    """Collapse near-duplicates across sources; the first (best-ranked) copy is kept and counted."""
    kept: list[Evidence] = []
    out: list[Evidence] = []
    for ev in evidence:
        dup: int | None = None
        copied_claim = claim is not None and claim_source is not None and ev.source != claim_source
        if copied_claim and near_duplicate(claim or "", ev.text) and _same_details(claim or "", ev.text):
            dup = DUPLICATE_OF_CLAIM
        else:
            for k in kept:
                if k.source == ev.source:
                    continue  # one source repeating itself is still one source
                same = near_duplicate(k.text, ev.text)
                if not same and vectors is not None and k.passage_id in vectors and ev.passage_id in vectors:
                    same = float(vectors[k.passage_id] @ vectors[ev.passage_id]) >= duplicate_similarity
                # copied wording with another figure, date or polarity is a second account, not a copy
                if same and not _same_details(k.text, ev.text):
                    same = False
                if same:
                    dup = k.passage_id
                    break
        if dup is None:
            kept.append(ev)
        out.append(replace(ev, duplicate_of=dup))
    return out


# the details that make copied wording a second account (a name alone does not: outlets spell names differently)
_SAME_DETAILS = frozenset({MismatchKind.NUMBER, MismatchKind.DATE, MismatchKind.NEGATION, MismatchKind.DIRECTION,
                           MismatchKind.OPPOSITE})


def _same_details(a: str, b: str) -> bool:
    return not any(m.kind in _SAME_DETAILS
                   for m in find_mismatches(a, b, entities=False) + find_mismatches(b, a, entities=False))


def deciding_evidence(evidence: Sequence[Evidence]) -> Evidence | None:
    """The passage that decides one source's stance (rule 5): its most probable counted side-taking passage."""
    sides = [e for e in evidence if e.counted and e.settles]
    return max(sides, key=lambda e: e.p(e.label), default=None)


def source_stance(evidence: Sequence[Evidence], *, on_topic: float = DEFAULTS.evidence_similarity) -> SourceStance:
    """One source's stance from its counted passages (rule 5)."""
    best = deciding_evidence(evidence)
    if best is not None:
        return SourceStance(best.label)
    on = any(e.counted and e.similarity >= on_topic for e in evidence)
    return SourceStance.NEUTRAL if on else SourceStance.SILENT


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1].rstrip() + "…") + "”"


def _detail(ev: Evidence) -> str:
    m = ev.blocked_by or next((m for m in ev.mismatches if m.kind != MismatchKind.ENTITY), None)
    if m is None or ev.label == Verification.SUPPORTS:
        return ""
    if m.kind == MismatchKind.NEGATION and not m.passage_text:
        return f" (it lacks the claim's “{m.claim_text}”)" if m.claim_text else " (it negates what the claim says)"
    if not m.claim_text:
        return f" (it says “{m.passage_text}” where the claim does not)"
    return f" (“{m.passage_text or '—'}” where the claim says “{m.claim_text}”)"


def decide(evidence: Sequence[Evidence], *, claim_source: str | None = None, claim: str | None = None,
           on_topic: float = DEFAULTS.evidence_similarity) -> Verdict:
    """The verdict from judged, duplicate-marked evidence (rules 1, 5, 6)."""
    by_source: dict[str, list[Evidence]] = {}
    for e in evidence:
        if e.source != claim_source:
            by_source.setdefault(e.source, []).append(e)
    stances = tuple(sorted((s, source_stance(evs, on_topic=on_topic)) for s, evs in by_source.items()))
    n = {k: sum(1 for _, st in stances if st == k) for k in SOURCE_STANCES}
    sup, con = n[SourceStance.SUPPORTS], n[SourceStance.CONFLICTS]
    dups = sum(1 for e in evidence if not e.counted)
    label: VerdictLabel
    if sup and con:
        label, reason = VerdictLabel.MIXED, f"{sup} independent source(s) support it and {con} conflict with it."
    elif sup:
        label, reason = VerdictLabel.CORROBORATED, f"{sup} independent source(s) state it; none contradicts it."
    elif con:
        label, reason = VerdictLabel.CONTESTED, f"{con} independent source(s) contradict it; none states it."
    elif claim_source is not None:
        label, reason = VerdictLabel.SINGLE_SOURCE, (f"Only {claim_source} reports it; no other source states "
                                                      "or contradicts it.")
    else:
        label, reason = VerdictLabel.NOT_ENOUGH_EVIDENCE, "No source in the corpus states or contradicts it."
    deciding: list[tuple[str, int]] = []
    parts = []
    for s, st in stances:
        best = deciding_evidence(by_source[s]) if st in SIDES else None
        if best is None:
            continue
        deciding.append((s, best.passage_id))
        parts.append(f"{s} {WORDS[st]}: {_quote(best.text)}{_detail(best)}.")
    if parts:
        reason += " " + " ".join(parts)
    speaker = claim_speaker(claim) if claim else None
    reporting = tuple(s for s, pid in deciding if speaker is None and dict(stances)[s] == SourceStance.SUPPORTS
                      and any(e.passage_id == pid and e.reported for e in by_source[s]))
    if reporting:
        reason += f" {', '.join(reporting)} give(s) it as someone's statement."
    if dups:
        reason += f" {dups} near-duplicate passage(s) were counted once."
    return Verdict(label, sup, con, n[SourceStance.NEUTRAL], stances, dups, reason, reporting, tuple(deciding))


def with_parts(check: Check, *, on_topic: float = DEFAULTS.evidence_similarity,
               duplicate_similarity: float = DEFAULTS.duplicate_similarity) -> Check:
    """A compound claim's verdict with what its parts' checks found: a source's passage that contradicts one part
    contradicts the claim, so each source's most probable deciding contradiction of a part joins the claim's
    evidence (in place of the claim's own reading of that passage, its differing words found again in the claim's
    text), near-duplicates are marked again over the whole (the contradictions ranked first), and the verdict is
    decided again by the same rules —
    the source's most probable side-taking passage decides (rule 5), copies count once (rule 2). Support is never
    borrowed from a part: a passage stating one part does not state the others. Order-free: the parts' order
    changes nothing."""
    stances = dict(check.verdict.source_stances)
    strongest: dict[str, Evidence] = {}
    for part in check.parts:
        for source in part.verdict.conflicting_sources:
            e = part.deciding(source)
            if e is None or e.label != Verification.CONFLICTS or stances.get(source) == SourceStance.CONFLICTS:
                continue
            had = strongest.get(source)
            if had is None or (e.p(e.label), -e.passage_id) > (had.p(had.label), -had.passage_id):
                strongest[source] = e
    if not strongest:
        return check
    joining = {e.passage_id: replace(e, duplicate_of=None, mismatches=tuple(_in(check.claim, m) for m in e.mismatches),
                                     blocked_by=_in(check.claim, e.blocked_by) if e.blocked_by is not None else None)
               for e in sorted(strongest.values(), key=lambda e: e.passage_id)}
    # the contradictions first: where one is a copy of a passage the sentence read otherwise, the same words
    # contradict the part there too, so the copy kept and counted is the one that says so
    rest = [replace(e, duplicate_of=None) for e in check.evidence if e.passage_id not in joining]
    evidence = mark_duplicates([*joining.values(), *rest], claim=check.claim, claim_source=check.claim_source,
                               duplicate_similarity=duplicate_similarity)
    return replace(check, evidence=tuple(evidence), verdict=decide(evidence, claim_source=check.claim_source,
                                                                  claim=check.claim, on_topic=on_topic))


def _in(claim: str, m: Mismatch) -> Mismatch:
    """A part's mismatch with its span found again in the whole claim's text ((-1, -1) where it is not there)."""
    at = claim.find(m.claim_text) if m.claim_text else -1
    return replace(m, claim_span=(at, at + len(m.claim_text)) if at >= 0 else (-1, -1))


# the verifier's columns in a probability row (VERIFICATIONS order), for the gates that move mass between them
_SUP, _CON, _NEI = (VERIFICATIONS.index(v) for v in (Verification.SUPPORTS, Verification.CONFLICTS, Verification.NEI))


def gate(q: np.ndarray, similarity: float, *, evidence_similarity: float, min_probability: float,
         conflict_similarity: float | None = None) -> np.ndarray:
    """Rule 4: a passage far from the claim settles nothing; a side needs `min_probability`. A passage that
    contradicts the claim through a differing detail may sit down to `conflict_similarity` (changing a figure,
    a date or an outcome moves the wording away from the claim's): below `evidence_similarity` it keeps only its
    conflicts mass, never support."""
    q = np.asarray(q, dtype=np.float32).copy()
    if float(max(q[_SUP], q[_CON])) < min_probability or similarity < evidence_similarity and (
            conflict_similarity is None or similarity < conflict_similarity):
        q[_NEI] += q[_SUP] + q[_CON]
        q[_SUP] = q[_CON] = 0.0
    elif similarity < evidence_similarity:
        q[_NEI] += q[_SUP]
        q[_SUP] = 0.0
    return q


def settle(q: np.ndarray | Sequence[float], *, supports_at: float = DEFAULTS.verify_supports_at,
           conflicts_at: float = DEFAULTS.verify_conflicts_at) -> Verification:
    """Rule 4's decision: the side with more probability, when it reaches its threshold; else nei."""
    p = Probabilities.of_row(q)
    sup, con = p.supports, p.conflicts
    if sup >= supports_at and sup > con:
        return Verification.SUPPORTS
    if con >= conflicts_at and con > sup:
        return Verification.CONFLICTS
    return Verification.NEI


# a passage opening on a word that points back ("She cited …", "The 69-year-old suffered …") says whom it is about
# only in the sentence before it: the verifier reads the two together
_POINTS_BACK = re.compile(r"^(?:[\"“‘']\s*)?(?:" + alternation(POINTING_BACK) + r"|"
                          r"the\s+\d[\w-]*(?=[\s,]))\b", re.IGNORECASE)


def points_back(text: str) -> bool:
    """Does this sentence open on a pronoun ("She cited …") or a described person ("The 69-year-old …") that
    needs the sentence before it? A bare "The <noun>" does not count: read with the sentence before it, "The
    court …" or "The number of murders …" lost on the suite (bench/verify.py rules)."""
    return bool(_POINTS_BACK.match(text))


def in_context(text: str, before: str | None) -> str:
    """What the verifier reads for a passage: the sentence before it too when the passage points back."""
    return f"{before} {text}" if before and points_back(text) else text


def label_evidence(claim: str, hits: Sequence[HitLike], model: Verifier, *, with_entities: bool = True,
                   evidence_similarity: float = DEFAULTS.evidence_similarity,
                   min_probability: float = min(DEFAULTS.verify_supports_at, DEFAULTS.verify_conflicts_at),
                   supports_at: float | None = DEFAULTS.verify_supports_at,
                   conflicts_at: float | None = DEFAULTS.verify_conflicts_at,
                   bare_conflicts_at: float | None = DEFAULTS.verify_bare_conflicts_at,
                   blocking: frozenset[str] | None = None, same_event: float | None = DEFAULTS.same_event_similarity,
                   context: Mapping[int, str] | None = None,
                   conflict_similarity: float | None = DEFAULTS.conflict_similarity) -> list[Evidence]:
    """Each hit judged on its own: the verifier's probabilities, the detail rule (factcheck.verify.judge),
    then the gates of rule 4; each rule's number defaults to its setting's (check_claim passes the settings in
    use), and None or 0.0 switches it off (supports_at and conflicts_at None: the verifier's most probable
    label). Identical passages are scored once. `context` (passage id -> the sentence before
    it) lets a passage that points back ("She said …") be read with its antecedent; its differing details are
    still the passage's own, less a name of the claim the sentence before gives."""
    if not hits:
        return []
    context = context or {}
    read = {h.passage_id: in_context(h.text, context.get(h.passage_id)) for h in hits}
    unique = list(dict.fromkeys(read.values()))
    scored_read = dict(zip(unique, model.scores([claim] * len(unique), unique), strict=True))
    out = []
    for h in hits:
        before = context.get(h.passage_id) if read[h.passage_id] != h.text else None
        mm = tuple(m for m in find_mismatches(claim, h.text, entities=with_entities)
                   if not (before and m.kind == MismatchKind.ENTITY and m.claim_text and m.claim_text in before))
        # judge's keyword arguments, passed through
        rule: dict[str, Any] = {"similarity": float(h.score), "same_event": same_event}
        if blocking is not None:
            rule["kinds"] = blocking
        j = judge(scored_read[read[h.passage_id]], mm, **rule)
        detail = j.blocked_by is not None and contradicts(j.blocked_by)
        q = gate(np.asarray(j.scores), float(h.score), evidence_similarity=evidence_similarity,
                 min_probability=min_probability, conflict_similarity=conflict_similarity if detail else None)
        con_at = conflicts_at if conflicts_at is not None else 0.5
        if bare_conflicts_at is not None and not any(contradicts(m) and bears_on_claim(m) for m in mm):
            con_at = max(con_at, bare_conflicts_at)  # no differing detail to show for it: it must be surer
        out.append(Evidence(text=h.text, source=h.source, article_id=h.article_id, passage_id=h.passage_id,
                            label=label_of(q) if supports_at is None and conflicts_at is None else settle(
                                q, supports_at=supports_at if supports_at is not None else 0.5,
                                conflicts_at=con_at),
                            scores=Probabilities.of_row(q),
                            mismatches=mm, similarity=float(h.score), start=h.start, end=h.end,
                            reported=reports_statement(h.text), model_scores=j.model_scores,
                            blocked_by=j.blocked_by))
    return out


def check_claim(claim: str, hits: Sequence[HitLike], model: Verifier, *, claim_source: str | None = None,
                settings: Settings | None = None, claim_passage: Passage | None = None,
                vectors: Mapping[int, np.ndarray] | None = None, context: Mapping[int, str] | None = None) -> Check:
    """A claim and its retrieved passages → judged evidence, duplicates collapsed, verdict.

    `claim_passage` (a stored Passage, optional) records which passage the claim is; `vectors`
    (passage id → unit vector, optional) adds the cosine test for near-duplicates; `context` (passage id → the
    sentence before it, optional) lets a passage that points back be read with it.
    """
    settings = settings or Settings()
    if claim_passage is not None:
        hits = [h for h in hits if h.passage_id != claim_passage.id]
    ranked = sorted(hits, key=lambda h: -h.score)
    labelled = label_evidence(claim, ranked, model, evidence_similarity=settings.evidence_similarity,
                              min_probability=min(settings.verify_supports_at, settings.verify_conflicts_at),
                              supports_at=settings.verify_supports_at, conflicts_at=settings.verify_conflicts_at,
                              bare_conflicts_at=settings.verify_bare_conflicts_at,
                              same_event=settings.same_event_similarity,
                              context=context if settings.verify_reads_context else None,
                              conflict_similarity=settings.conflict_similarity)
    ev = mark_duplicates(labelled, claim=claim, claim_source=claim_source,
                         vectors=vectors, duplicate_similarity=settings.duplicate_similarity)
    return Check(claim=claim, claim_source=claim_source,
                 verdict=decide(ev, claim_source=claim_source, claim=claim, on_topic=settings.evidence_similarity),
                 evidence=tuple(ev),
                 claim_passage_id=getattr(claim_passage, "id", None),
                 claim_article_id=getattr(claim_passage, "article_id", None))
