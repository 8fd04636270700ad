from factcheck.consistency import build_consistency, compare
from factcheck.verdict import Check, Verdict


def chk(claim, source, label, stances):
    sup = sum(1 for s in stances.values() if s == "supports")
    con = sum(1 for s in stances.values() if s == "conflicts")
    v = Verdict(label, sup, con, 0, tuple(sorted(stances.items())), 0, "")
    return Check(claim=claim, claim_source=source, verdict=v, evidence=())


CHECKS = [
    chk("c1", "A", "corroborated", {"B": "supports", "C": "supports"}),
    chk("c2", "A", "contested", {"B": "conflicts"}),
    chk("c3", "B", "mixed", {"A": "supports", "C": "conflicts"}),
    chk("c4", "C", "single-source", {"A": "neutral"}),
]


def test_matrix_marks_own_source_and_silence():
    c = build_consistency(CHECKS)
    assert c.sources == ("A", "B", "C")
    assert c.matrix[0] == ("supports", "supports", "supports")
    assert c.matrix[1] == ("supports", "conflicts", "silent")
    assert c.matrix[3] == ("neutral", "silent", "supports")
    assert c.cell(2, "C") == "conflicts"


def test_pairwise_agreement():
    c = build_consistency(CHECKS)
    ab, ac, bc = c.pair("A", "B"), c.pair("A", "C"), c.pair("B", "C")
    assert (ab.shared, ab.agree, ab.conflict) == (3, 2, 1)
    assert (ac.shared, ac.agree, ac.conflict) == (2, 1, 1)  # c4: A only neutral, not shared
    assert (bc.agree, bc.conflict) == (1, 1)
    assert ab.agreement == 2 / 3


def test_per_source_summary():
    c = build_consistency(CHECKS)
    by = {s.source: s for s in c.summaries}
    assert (by["A"].claims, by["A"].corroborated, by["A"].contested, by["A"].unique) == (2, 1, 1, 0)
    assert (by["B"].mixed, by["C"].unique) == (1, 1)


def test_explicit_sources_and_empty():
    c = compare(CHECKS[:1], sources=["A", "B", "D"])
    assert c.matrix[0] == ("supports", "supports", "silent")
    assert c.pair("A", "D").agreement is None
    empty = build_consistency([])
    assert empty.sources == () and empty.pairs == ()


def test_contested_ranking():
    ranked = build_consistency(CHECKS).contested_ranking()
    assert ranked[0][0].claim in {"c2", "c3"} and ranked[0][1] == 1 and ranked[-1][1] == 0
