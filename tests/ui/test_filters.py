"""ui.filters.apply: the Consistency page's filters keep the claims asked for and drop the rest; pure, no page."""
from __future__ import annotations

from factcheck.consistency import build_consistency
from factcheck.labels import VerdictLabel, Verification
from factcheck.ui import filters
from factcheck.verdict import Check, Evidence, decide

PROBS = {"supports": (0.9, 0.05, 0.05), "conflicts": (0.05, 0.9, 0.05)}


def ev(source: str, label: str, pid: int) -> Evidence:
    return Evidence(text="a passage", source=source, article_id=pid, passage_id=pid, label=Verification(label),
                    scores=PROBS[label], mismatches=(), similarity=0.8)


def check(claim: str, source: str, pid: int, *evidence: Evidence) -> Check:
    return Check(claim=claim, claim_source=source, verdict=decide(evidence, claim_source=source),
                 evidence=tuple(evidence), claim_passage_id=pid)


CONS = build_consistency([
    check("A1 corroborated", "A", 10, ev("B", "supports", 1)),
    check("A2 contested", "A", 11, ev("C", "conflicts", 2)),
    check("B1 corroborated", "B", 12, ev("A", "supports", 3)),
    check("C1 single-source", "C", 13),
], sources=["A", "B", "C"])
EVERY = set(VerdictLabel)


def claims(cons) -> list[str]:
    return [c.claim for c in cons.checks]


def test_everything_kept_when_nothing_is_filtered():
    assert claims(filters.apply(CONS, sources={"A", "B", "C"}, verdicts=EVERY)) == claims(CONS)


def test_sources_keep_their_claims_and_columns_in_the_comparison_order():
    kept = filters.apply(CONS, sources={"C", "A"}, verdicts=EVERY)
    assert claims(kept) == ["A1 corroborated", "A2 contested", "C1 single-source"]
    assert list(kept.sources) == ["A", "C"]


def test_verdicts_keep_only_their_claims_and_are_not_recomputed():
    kept = filters.apply(CONS, sources={"A", "B", "C"}, verdicts={VerdictLabel.CONTESTED})
    assert claims(kept) == ["A2 contested"]
    # B's supporting evidence is gone with B, yet A1 keeps the verdict the sources gave it
    only_a = filters.apply(CONS, sources={"A"}, verdicts={VerdictLabel.CORROBORATED})
    assert claims(only_a) == ["A1 corroborated"]
    assert only_a.checks[0].verdict.label == VerdictLabel.CORROBORATED


def test_scores_drop_claims_below_the_minimum_and_unknown_scores_count_as_one():
    kept = filters.apply(CONS, sources={"A", "B", "C"}, verdicts=EVERY, min_score=0.5, scores={10: 0.2, 11: 0.5})
    assert claims(kept) == ["A2 contested", "B1 corroborated", "C1 single-source"]
    assert claims(filters.apply(CONS, sources=set(), verdicts=EVERY)) == []
