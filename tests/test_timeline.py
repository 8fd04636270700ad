"""Timeline: who carried each claim when (article date, else ingest time), who stated it first, wording drift."""
from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import make_draft
from ui_support import fake_factcheck

from factcheck import timeline
from factcheck.errors import FactcheckError
from factcheck.labels import Verification
from factcheck.mismatch import Mismatch
from factcheck.records import Article
from factcheck.settings import Settings
from factcheck.store import Store
from factcheck.verdict import Check, Evidence, decide

NUMBER = Mismatch("number", (18, 21), (18, 21), "15%", "12%")
PROBS = {"supports": (0.9, 0.05, 0.05), "conflicts": (0.05, 0.9, 0.05), "nei": (0.1, 0.1, 0.8)}


def article(aid: int, source: str, date: str | None, added: str = "2025-03-09T08:00:00+00:00") -> Article:
    return Article(aid, source, "text", f"title {aid}", date, None, None, "test", added)


def ev(source: str, label: str, aid: int, text: str, mismatches: tuple[Mismatch, ...] = ()) -> Evidence:
    return Evidence(text=text, source=source, article_id=aid, passage_id=100 + aid, label=Verification(label),
                    scores=PROBS[label], mismatches=mismatches, similarity=0.8)


def checked(*evidence: Evidence, claim: str = "Homicides fell by 15%", source: str = "A", aid: int = 1) -> Check:
    return Check(claim, source, decide(evidence, claim_source=source), tuple(evidence), claim_passage_id=7,
                 claim_article_id=aid)


ARTICLES = [article(1, "A", "2025-03-03"), article(2, "B", "2025-03-01"), article(3, "C", "2025-03-02"),
            article(4, "D", None, added="2025-03-02T10:30:00+00:00"), article(5, "E", "2025-03-02")]


def test_appearances_in_time_order_and_the_first_is_the_earliest_that_states_it():
    c = checked(ev("B", "conflicts", 2, "Homicides fell by 12%", (NUMBER,)),
                ev("C", "supports", 3, "Homicides dropped 15%"), ev("E", "nei", 5, "Crime data came out"))
    t = timeline.claim_timeline(c, {a.id: a for a in ARTICLES})
    assert [(a.source, a.stance, a.when) for a in t.appearances] == [
        ("B", "conflicts", "2025-03-01"), ("C", "supports", "2025-03-02"), ("A", "own", "2025-03-03")]
    # B was earlier but told another figure: C is the first to state the claim; E (does not settle it) is absent
    assert t.first is not None and t.first.source == "C"
    assert t.verdict == "mixed" and t.appearances[2].text == c.claim and t.appearances[2].passage_id == 7


def test_an_undated_article_is_placed_at_its_ingest_time_and_marked_so():
    c = checked(ev("D", "supports", 4, "Homicides dropped 15%"), ev("E", "supports", 5, "Homicides fell 15%"))
    t = timeline.build([c], ARTICLES).claims[0]
    d = next(a for a in t.appearances if a.source == "D")
    assert d.when == "2025-03-02T10:30:00+00:00" and d.dated is False
    assert all(a.dated for a in t.appearances if a.source != "D")
    # a dated article of the same day comes before one we only know the ingest time of
    assert [a.source for a in t.appearances] == ["E", "D", "A"]
    assert timeline.build([c], ARTICLES).undated == 1


def test_drift_pairs_each_other_wording_with_the_spans_that_differ():
    c = checked(ev("B", "conflicts", 2, "Homicides fell by 12%", (NUMBER,)),
                ev("C", "supports", 3, "Homicides dropped 15%"))
    drift = timeline.build([c], ARTICLES).claims[0].drift
    assert [(a.source, a.text) for a in drift] == [("B", "Homicides fell by 12%")]
    m = drift[0].mismatches[0]
    assert c.claim[slice(*m.claim_span)] == "15%" and drift[0].text[slice(*m.passage_span)] == "12%"


def test_a_missing_article_or_a_pasted_claim_leaves_no_time_and_no_first():
    pasted = Check("Homicides fell by 15%", None, decide([], claim_source=None), ())
    t = timeline.build([pasted, checked(aid=99)], ARTICLES)
    assert t.claims[0].appearances == ()
    only = t.claims[1].appearances[0]
    assert only.when is None and t.claims[1].first is None


def test_facade_builds_a_storys_timeline_from_dated_and_undated_articles(tmp_path):
    drafts = [replace(make_draft("Daily Planet", ["Fentanyl seizures at the border fell sharply last year."]),
                      date="2025-03-01"),
              make_draft("The Courier", ["Fentanyl seizures at the border did not fall last year, data show."]),
              replace(make_draft("Other", ["A new trade agreement was signed in Toronto on Monday."]),
                      date="2025-01-01")]
    with Store.open(tmp_path) as store:
        ids = [store.add_article(d)[0] for d in drafts]
        story, _ = store.set_stories([(None, ids[:2], "Seizures"), (None, ids[2:], "Trade")])
    fc = fake_factcheck(Settings.from_env(tmp_path))
    tl = fc.timeline(story=story)
    assert tl.name == "Seizures" and tl.story_id == story
    assert {c.claim_source for c in tl.claims} == {"Daily Planet", "The Courier"}  # Other's story left out
    planet = next(c for c in tl.claims if c.claim_source == "Daily Planet")
    assert [(a.source, a.stance, a.dated) for a in planet.appearances] == [
        ("Daily Planet", "own", True), ("The Courier", "conflicts", False)]
    assert planet.first is not None and planet.first.when == "2025-03-01"
    assert planet.drift and planet.drift[0].mismatches[0].kind == "negation"
    # an existing comparison is reused as it is
    assert fc.timeline(story=story, consistency=fc.compare(story=story)) == tl
    with pytest.raises(FactcheckError, match="No story 999"):
        fc.timeline(story=999)


def told(source: str, aid: int, claim: str, *evidence: Evidence, pid: int | None = None) -> Check:
    """`source`'s own claim (its passage id 100 + aid, as `ev` numbers passages, unless `pid`) and what the others
    say of it."""
    return Check(claim, source, decide(evidence, claim_source=source), tuple(evidence),
                 claim_passage_id=100 + aid if pid is None else pid, claim_article_id=aid)


def test_outlets_claims_that_state_one_another_are_one_row_named_after_the_first():
    a = told("A", 1, "Homicides fell by 15%", ev("B", "supports", 2, "Murders dropped 15 percent"),
             ev("C", "conflicts", 3, "Homicides fell by 12%", (NUMBER,)))
    other = told("A", 1, "The mayor resigned", ev("B", "nei", 2, "Murders dropped 15 percent"), pid=55)
    b = told("B", 2, "Murders dropped 15 percent", ev("A", "supports", 1, "Homicides fell by 15%"))
    tl = timeline.build([a, other, b], ARTICLES)
    assert tl.labels == ["C1 = C3", "C2"]
    row = tl.claims[0]
    assert row.members == (0, 2)
    assert row.wordings == (("Homicides fell by 15%", "A"), ("Murders dropped 15 percent", "B"))
    # each outlet once: A and B in their own words, C's contradiction kept as drift; B (1 March) stated it first
    assert [(x.source, x.stance) for x in row.appearances] == [("B", "own"), ("C", "conflicts"), ("A", "own")]
    assert row.first is not None and row.first.source == "B"
    assert [x.source for x in row.drift] == ["C"] and row.drift[0].against(row.claim) == row.claim
    # a row per claim on request
    assert timeline.build([a, other, b], ARTICLES, merge=False).labels == ["C1", "C2", "C3"]


def test_one_way_support_merges_but_a_contradiction_does_not():
    a = told("A", 1, "Homicides fell by 15%", ev("B", "conflicts", 2, "Homicides fell by 12%", (NUMBER,)))
    b = told("B", 2, "Homicides fell by 12%", ev("A", "conflicts", 1, "Homicides fell by 15%", (NUMBER,)))
    assert timeline.build([a, b], ARTICLES).labels == ["C1", "C2"]
    # B's claim is stated by A's claim, which says more than B's (A's check saw B only as nei): one fact, named
    # after the claim both outlets state, B's, with its verdict
    a2 = told("A", 1, "Homicides fell by 15% in the capital", ev("B", "nei", 2, "Murders dropped 15 percent"))
    b2 = told("B", 2, "Murders dropped 15 percent", ev("A", "supports", 1, "Homicides fell by 15% in the capital"))
    tl = timeline.build([a2, b2], ARTICLES)
    assert tl.labels == ["C2 = C1"]
    row = tl.claims[0]
    assert (row.claim, row.verdict) == ("Murders dropped 15 percent", "corroborated")
    assert [(x.source, x.stance, x.text) for x in row.appearances] == [
        ("B", "own", "Murders dropped 15 percent"), ("A", "own", "Homicides fell by 15% in the capital")]


def test_a_later_members_drift_points_into_that_members_words():
    a = told("A", 1, "Homicides fell by 15% last year", ev("B", "supports", 2, "Murders dropped 15 percent"))
    number = Mismatch("number", (16, 26), (18, 21), "15 percent", "12%")
    b = told("B", 2, "Murders dropped 15 percent", ev("A", "supports", 1, "Homicides fell by 15% last year"),
             ev("C", "conflicts", 3, "Homicides fell by 12%", (number,)))
    row = timeline.build([a, b], ARTICLES).claims[0]
    c = next(x for x in row.appearances if x.source == "C")
    # C is placed by B's check: its spans are into B's words, not the row's (A's) claim
    assert c.compared_with == "Murders dropped 15 percent"
    m = c.mismatches[0]
    assert c.against(row.claim)[slice(*m.claim_span)] == "15 percent"


def test_claims_that_contradict_each_other_are_never_one_row_whatever_links_them():
    # B's bare "Homicides fell" supports both A's 15% and C's 12%, which contradict each other
    a = told("A", 1, "Homicides fell by 15%", ev("B", "supports", 2, "Homicides fell"),
             ev("C", "conflicts", 3, "Homicides fell by 12%", (NUMBER,)))
    b = told("B", 2, "Homicides fell")
    c = told("C", 3, "Homicides fell by 12%", ev("B", "supports", 2, "Homicides fell"),
             ev("A", "conflicts", 1, "Homicides fell by 15%", (NUMBER,)))
    tl = timeline.build([a, b, c], ARTICLES)
    assert tl.labels == ["C1 = C2", "C3"]
    # each row keeps the other figure as drift, and nobody is starred for a figure it contradicts
    assert [[x.source for x in row.drift] for row in tl.claims] == [["C"], ["A"]]
    assert all(row.first is not None and row.first.source != "C" for row in tl.claims[:1])
    # a link one way, a contradiction the other: two rows
    a1 = told("A", 1, "Homicides fell by 15%", ev("B", "supports", 2, "Homicides fell by 12%"))
    b1 = told("B", 2, "Homicides fell by 12%", ev("A", "conflicts", 1, "Homicides fell by 15%", (NUMBER,)))
    assert timeline.build([a1, b1], ARTICLES).labels == ["C1", "C2"]
