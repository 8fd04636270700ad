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
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from factcheck.labels import SIDES, Carried, VerdictLabel
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

    @property
    def states(self) -> bool:
        return self.stance in STATING


@dataclass(frozen=True)
class ClaimTimeline:
    claim: str
    claim_source: str | None
    verdict: VerdictLabel
    appearances: tuple[Appearance, ...]  # in time order (unknown times last)

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
    claims: tuple[ClaimTimeline, ...]

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


def build(checks: Sequence[Check], articles: Sequence[Article] | Mapping[int, Article], *,
          story_id: int | None = None, name: str = "") -> Timeline:
    """The timeline of every claim in `checks`, in their order (so "C3" names the same claim here as in the
    consistency charts); `articles`: those the checks point into (more do no harm)."""
    by_id = articles if isinstance(articles, Mapping) else {a.id: a for a in articles}
    return Timeline(story_id, name, tuple(claim_timeline(c, by_id) for c in checks))
