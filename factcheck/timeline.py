"""Timeline of a story: when each outlet first carried each claim, who reported it first, and how its wording
drifted from outlet to outlet.

Pure (no store, no model): built from the checks a comparison made (factcheck.consistency) and the articles
they point into. For each claim:

- *appearances*: its own outlet (the claim's article), every outlet whose deciding passage states it
  (supports) and every outlet whose deciding passage contradicts it (conflicts: the same story told with another
  figure, date or name), each at the date its article was published, else — the date unknown — the time it was
  ingested (``dated=False``, shown as such: an ingest time says when *we* saw it, not when it appeared);
- *first*: the earliest appearance of an outlet that states it (own or supports), ties broken by source name;
- *drift*: the other outlets' wordings, in time order, with the details that differ from the claim's wording
  (``Evidence.mismatches``: spans in both texts, as the verifier found them).

A claim's outlet carries it once: when an outlet has several articles in the story, only the one its claim or
deciding passage sits in is placed.

One fact, one row: outlets' claims that state one another (claim X's deciding passage in outlet B *is* B's claim
Y, supporting X) are one fact told by several outlets, and `build` merges them (``merge=True``) into one row,
named after the one of them most outlets state (the first in the comparison's order on a tie), with its verdict
(``members``: their places there, so "C3" still names the same claim as in the other charts, and the row says it
also stands for "C9": "C3 = C9"; rows in the order of the claims they are named after). Each member's own sentence is an
appearance of its outlet (stance own); an outlet no member belongs to keeps the side the first member's check
gives it (then the next member's, for an outlet that one leaves out). Only support links merge: a contradiction
links two tellings of one event that differ, which is the drift a row shows, not a second row's reason to go;
nor do claims join whose checks find each other's outlets contradicting them (`same_facts`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from factcheck.labels import SIDES, Carried, SourceStance, VerdictLabel
from factcheck.mismatch import Mismatch
from factcheck.records import Article
from factcheck.verdict import Check

STATING: tuple[Carried, ...] = (Carried.OWN, Carried.SUPPORTS)


@dataclass(frozen=True)
class Appearance:
    """One outlet carrying a claim: where, when, in which words, and what differs from the claim's words."""

    source: str
    stance: Carried  # own: the claim is this outlet's sentence; supports / conflicts: its deciding passage
    text: str  # the outlet's wording (the claim itself for its own outlet)
    article_id: int | None
    passage_id: int | None
    when: str | None  # ISO date (article date) or ISO timestamp (ingest time); None: no article known
    dated: bool  # True: the article's own date; False: the date is unknown and `when` is the ingest time
    title: str | None = None
    mismatches: tuple[Mismatch, ...] = ()  # spans into the claim (claim_span) and into `text` (passage_span)
    compared_with: str | None = None  # the wording `mismatches` compare `text` with, when not the row's claim

    def against(self, claim: str) -> str:
        """The claim wording this appearance's differing details point into (`claim`: the row's)."""
        return self.compared_with if self.compared_with is not None else claim

    @property
    def states(self) -> bool:
        return self.stance in STATING


@dataclass(frozen=True)
class ClaimTimeline:
    claim: str
    claim_source: str | None
    verdict: VerdictLabel
    appearances: tuple[Appearance, ...]  # in time order (unknown times last)
    members: tuple[int, ...] = ()  # the claims (places in the comparison's order) this row stands for, its own first
    wordings: tuple[tuple[str, str | None], ...] = ()  # those claims' (words, outlet), in the same order

    @property
    def first(self) -> Appearance | None:
        """Who reported it first: the earliest outlet stating it."""
        return next((a for a in self.appearances if a.states and a.when is not None), None)

    @property
    def drift(self) -> tuple[Appearance, ...]:
        """The other outlets' wordings that differ from the claim's in a detail, in time order."""
        return tuple(a for a in self.appearances if a.stance != Carried.OWN and a.mismatches)


@dataclass(frozen=True)
class Timeline:
    story_id: int | None
    name: str
    claims: tuple[ClaimTimeline, ...]  # one row per fact: claims that state one another merged (see the module)

    @property
    def labels(self) -> list[str]:
        """Each row's short name: its first claim's ("C3", as in the other charts), and the others it stands for
        ("C3 = C7 = C12")."""
        return [" = ".join(f"C{i + 1}" for i in c.members) if c.members else f"C{n + 1}"
                for n, c in enumerate(self.claims)]

    @property
    def undated(self) -> int:
        """Appearances placed at their ingest time (their article has no date)."""
        return sum(1 for c in self.claims for a in c.appearances if not a.dated and a.when is not None)


def _order(a: Appearance) -> tuple[int, str, int, str]:
    # an ISO date sorts before any timestamp of the same day ("2025-03-01" < "2025-03-01T…"): a dated
    # article of that day is not put after one we only know the ingest time of
    return (a.when is None, a.when or "", 0 if a.stance == Carried.OWN else 1, a.source)


def placed(source: str, stance: Carried, text: str, article: Article | None, *, article_id: int | None,
           passage_id: int | None, mismatches: Sequence[Mismatch] = ()) -> Appearance:
    """An appearance at its article's date, else its ingest time."""
    when = (article.date or article.added or None) if article is not None else None
    return Appearance(source=source, stance=stance, text=text, article_id=article_id, passage_id=passage_id,
                      when=when, dated=bool(article is not None and article.date),
                      title=article.title if article is not None else None, mismatches=tuple(mismatches))


def claim_timeline(check: Check, articles: Mapping[int, Article]) -> ClaimTimeline:
    """One claim's appearances: its own outlet, then each outlet whose deciding passage takes a side."""
    found: list[Appearance] = []
    if check.claim_source:
        aid = check.claim_article_id
        article = articles.get(aid) if aid is not None else None
        found.append(placed(check.claim_source, Carried.OWN, check.claim, article, article_id=aid,
                            passage_id=check.claim_passage_id))
    for source, stance in check.verdict.source_stances:
        if stance not in SIDES or source == check.claim_source:
            continue
        e = check.deciding(source)
        if e is None:
            continue
        found.append(placed(source, Carried(stance), e.text,
                            articles.get(e.article_id), article_id=e.article_id, passage_id=e.passage_id,
                            mismatches=e.mismatches))
    return ClaimTimeline(check.claim, check.claim_source, check.verdict.label, tuple(sorted(found, key=_order)))


def same_facts(checks: Sequence[Check]) -> list[list[int]]:
    """Groups of claims (places in `checks`, each group in order, groups by their first) that state one another:
    claim i and claim j are linked when i's deciding passage in j's outlet is j's own sentence and supports i (or
    the other way round); a group is what these links join, except that two groups never join where a claim of
    one finds the outlet of a claim of the other contradicting it (one outlet's words supporting two others that
    differ in a figure, or a link one way and a contradiction the other): that difference is drift to show, and
    one row would hide it."""
    parent = list(range(len(checks)))
    members = [[i] for i in range(len(checks))]
    against = [{s for s, st in c.verdict.source_stances if st == SourceStance.CONFLICTS} for c in checks]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def at_odds(x: list[int], y: list[int]) -> bool:
        return any(checks[b].claim_source in against[a] or checks[a].claim_source in against[b] for a in x for b in y)

    by_passage = {c.claim_passage_id: j for j, c in enumerate(checks) if c.claim_passage_id is not None}
    for i, c in enumerate(checks):
        for source, stance in c.verdict.source_stances:
            e = c.deciding(source) if stance == SourceStance.SUPPORTS and source != c.claim_source else None
            j = by_passage.get(e.passage_id) if e is not None else None
            if j is None or j == i or checks[j].claim_source != source:
                continue
            a, b = sorted((root(i), root(j)))
            if a != b and not at_odds(members[a], members[b]):
                parent[b] = a
                members[a] += members[b]
    groups: dict[int, list[int]] = {}
    for i in range(len(checks)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values())


def merged(rows: Sequence[ClaimTimeline], members: Sequence[int]) -> ClaimTimeline:
    """One row for claims that state one another (`rows`: their timelines, the first's claim names the row)."""
    first = rows[0]
    found: dict[str, Appearance] = {}
    for r in rows:  # each member's own sentence: its outlet carries the fact in its own words
        for a in r.appearances:
            if a.stance == Carried.OWN and (a.source not in found or _order(a) < _order(found[a.source])):
                found[a.source] = a
    for r in rows:  # the others: the side the first member that places them gives them
        for a in r.appearances:
            if a.source not in found:  # a later member's differing details point into that member's words
                found[a.source] = a if r is first or not a.mismatches else replace(a, compared_with=r.claim)
    return replace(first, appearances=tuple(sorted(found.values(), key=_order)), members=tuple(members),
                   wordings=tuple((r.claim, r.claim_source) for r in rows))


def build(checks: Sequence[Check], articles: Sequence[Article] | Mapping[int, Article], *,
          story_id: int | None = None, name: str = "", merge: bool = True) -> Timeline:
    """The timeline of the claims in `checks`, a row per fact in their order (`Timeline.labels`: "C3" names the
    same claim here as in the consistency charts); `merge=False`: a row per claim. `articles`: those the checks
    point into (more do no harm)."""
    by_id = articles if isinstance(articles, Mapping) else {a.id: a for a in articles}
    rows = [claim_timeline(c, by_id) for c in checks]
    if not merge:
        return Timeline(story_id, name, tuple(merged([r], [i]) for i, r in enumerate(rows)))
    facts = []
    for g in same_facts(checks):
        # the row is named after the claim most outlets state: a longer sentence of one outlet may state another's
        # claim and more ("… and agreed to X"), so the claim it states, corroborated, names the fact
        first = max(g, key=lambda i: (len(checks[i].verdict.supporting_sources), -i))
        members = [first, *(i for i in g if i != first)]
        facts.append(merged([rows[i] for i in members], members))
    return Timeline(story_id, name, tuple(sorted(facts, key=lambda r: r.members[0])))
