"""Source consistency: who agrees with whom, built from per-claim checks (factcheck.verdict.Check).

- Claim × source matrix: each claim's own source "supports" it (it says it); every other source
  takes the stance its verdict gave it (supports / conflicts / neutral), or "silent" when nothing it
  published was retrieved or on topic.
- Pairwise: for sources A and B, a claim is *shared* when both take a side (supports or conflicts);
  they *agree* when they take the same side and *conflict* when they take opposite sides.
  agreement = agree / (agree + conflict), None when they share no claim.
- Per source, over the claims it made: corroborated, contested, mixed, unique (verdict single-source).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from factcheck.labels import SIDES, SourceStance, VerdictLabel
from factcheck.verdict import Check


@dataclass(frozen=True)
class PairAgreement:
    a: str
    b: str
    shared: int
    agree: int
    conflict: int

    @property
    def agreement(self) -> float | None:
        return self.agree / (self.agree + self.conflict) if self.agree + self.conflict else None


@dataclass(frozen=True)
class SourceSummary:
    source: str
    claims: int
    corroborated: int
    contested: int
    mixed: int
    unique: int


@dataclass(frozen=True)
class Consistency:
    sources: tuple[str, ...]
    checks: tuple[Check, ...]
    matrix: tuple[tuple[SourceStance, ...], ...]  # one row per check, one column per source
    pairs: tuple[PairAgreement, ...]
    summaries: tuple[SourceSummary, ...]

    def cell(self, claim_index: int, source: str) -> SourceStance:
        return self.matrix[claim_index][self.sources.index(source)]

    def pair(self, a: str, b: str) -> PairAgreement | None:
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        return None

    def contested_ranking(self) -> list[tuple[Check, int]]:
        """Claims by how many independent sources conflict with them, most contested first."""
        ranked = [(c, c.verdict.conflicting) for c in self.checks]
        return sorted(ranked, key=lambda t: (-t[1], -t[0].verdict.supporting))


def _row(check: Check, sources: Sequence[str]) -> tuple[SourceStance, ...]:
    stances = dict(check.verdict.source_stances)
    return tuple(SourceStance.SUPPORTS if s == check.claim_source else stances.get(s, SourceStance.SILENT)
                 for s in sources)


def build_consistency(checks: Sequence[Check], *, sources: Sequence[str] | None = None) -> Consistency:
    """Matrix, pairwise agreement and per-source counts over the given checks."""
    if sources is None:
        found = {c.claim_source for c in checks if c.claim_source}
        found |= {s for c in checks for s, _ in c.verdict.source_stances}
        sources = sorted(found)
    cols = tuple(sources)
    matrix = tuple(_row(c, cols) for c in checks)
    pairs = []
    for i, j in combinations(range(len(cols)), 2):
        agree = conflict = 0
        for row in matrix:
            a, b = row[i], row[j]
            if a in SIDES and b in SIDES:
                if a == b:
                    agree += 1
                else:
                    conflict += 1
        pairs.append(PairAgreement(cols[i], cols[j], agree + conflict, agree, conflict))
    summaries = []
    for s in cols:
        own = [c.verdict.label for c in checks if c.claim_source == s]
        summaries.append(SourceSummary(s, len(own), own.count(VerdictLabel.CORROBORATED),
                                       own.count(VerdictLabel.CONTESTED), own.count(VerdictLabel.MIXED),
                                       own.count(VerdictLabel.SINGLE_SOURCE)))
    return Consistency(cols, tuple(checks), matrix, tuple(pairs), tuple(summaries))


compare = build_consistency  # the name ARCHITECTURE.md gives
