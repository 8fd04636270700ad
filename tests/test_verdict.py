"""factcheck.verdict with a keyword verifier: the rules of decide, the detail rule (via verify.judge) and the
gates as label_evidence and check_claim apply them, the deciding passage, the reason, the reporting list."""
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from factcheck.labels import Verification
from factcheck.settings import Settings
from factcheck.verdict import (
    DUPLICATE_OF_CLAIM,
    Check,
    Evidence,
    check_claim,
    decide,
    gate,
    in_context,
    label_evidence,
    mark_duplicates,
    near_duplicate,
    points_back,
)
from factcheck.verify import DETAIL_TO_CONFLICTS, label_of

SUP = (0.8, 0.1, 0.1)
CON = (0.1, 0.8, 0.1)
NEI = (0.1, 0.1, 0.8)
OFF = (0.05, 0.05, 0.9)
WEAK = (0.45, 0.2, 0.35)  # reads as support, below Settings.verify_supports_at
FAINT = (0.55, 0.05, 0.4)  # a support just above verify_supports_at


@dataclass(frozen=True)
class FakeHit:
    passage_id: int
    text: str
    source: str
    article_id: int
    score: float
    start: int = 0
    end: int = 0


class FixedModel:
    """A verifier by keyword in the passage: 'agrees' supports, 'denies' conflicts, 'hedges' weakly supports,
    'faintly' barely supports, 'mentions' does not settle it, anything else is off topic."""

    def __init__(self) -> None:
        self.claims: list[str] = []
        self.seen: list[str] = []

    def scores(self, claims, texts):
        self.claims += list(claims)
        self.seen += list(texts)
        rows = [SUP if "agrees" in t else CON if "denies" in t else WEAK if "hedges" in t
                else FAINT if "faintly" in t else NEI if "mentions" in t else OFF for t in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), 3)


def ev(source, scores, *, pid, text=None, similarity=0.7, reported=False):
    return Evidence(text=text or f"passage {pid} of {source}", source=source, article_id=pid, passage_id=pid,
                    label=label_of(scores), scores=scores, mismatches=(), similarity=similarity,
                    reported=reported)


# label_evidence's rules switched off (its defaults are the settings'): these tests are about the verifier's labels
RULES_OFF: dict[str, Any] = {"evidence_similarity": 0.0, "min_probability": 0.0, "supports_at": None,
                             "conflicts_at": None, "bare_conflicts_at": None, "same_event": None,
                             "conflict_similarity": None}


def check_of(evidence, *, claim="a claim", claim_source=None, on_topic=0.0):
    v = decide(evidence, claim_source=claim_source, claim=claim, on_topic=on_topic)
    return Check(claim=claim, claim_source=claim_source, verdict=v, evidence=tuple(evidence))


# --- decide: rules 1, 5, 6 -----------------------------------------------------------------------

@pytest.mark.parametrize("stances,claim_source,expected", [
    ([("B", SUP)], None, "corroborated"),
    ([("B", SUP), ("C", NEI)], "A", "corroborated"),
    ([("B", CON)], None, "contested"),
    ([("B", CON), ("C", NEI)], "A", "contested"),
    ([("B", SUP), ("C", CON)], None, "mixed"),
    ([("B", NEI), ("C", OFF)], "A", "single-source"),
    ([("A", SUP)], "A", "single-source"),  # its own source never counts
    ([("A", CON)], "A", "single-source"),
    ([], "A", "single-source"),
    ([("B", NEI), ("C", OFF)], None, "not enough evidence"),
    ([], None, "not enough evidence"),
])
def test_rules(stances, claim_source, expected):
    evidence = [ev(s, sc, pid=i) for i, (s, sc) in enumerate(stances)]
    v = decide(evidence, claim_source=claim_source)
    assert v.label == expected


def test_counts_are_per_source_not_per_passage():
    evidence = [ev("B", SUP, pid=1), ev("B", SUP, pid=2), ev("C", SUP, pid=3)]
    v = decide(evidence)
    assert (v.supporting, v.conflicting) == (2, 0)
    assert v.supporting_sources == ("B", "C")


def test_a_source_takes_its_most_probable_side_through_one_deciding_passage():
    strong_con = (0.05, 0.9, 0.05)
    c = check_of([ev("B", SUP, pid=1), ev("B", strong_con, pid=2), ev("C", SUP, pid=3)])
    v = c.verdict
    assert v.label == "mixed" and dict(v.source_stances) == {"B": "conflicts", "C": "supports"}
    assert v.deciding == (("B", 2), ("C", 3))
    assert v.deciding_passage("B") == 2 and v.deciding_passage("D") is None
    assert c.deciding("B").passage_id == 2
    assert "B contradicts it: “passage 2 of B”." in v.reason and "passage 1 of B" not in v.reason


def test_a_duplicate_never_decides():
    dup = replace(ev("B", (0.05, 0.9, 0.05), pid=1), duplicate_of=9)
    c = check_of([dup, ev("B", SUP, pid=2)])
    assert dict(c.verdict.source_stances) == {"B": "supports"} and c.verdict.deciding == (("B", 2),)


def test_a_source_without_a_side_is_neutral_when_on_topic_else_silent():
    c = check_of([ev("B", NEI, pid=1, similarity=0.6), ev("C", NEI, pid=2, similarity=0.3)], on_topic=0.45)
    v = c.verdict
    assert dict(v.source_stances) == {"B": "neutral", "C": "silent"}
    assert (v.neutral, v.deciding) == (1, ())
    assert v.label == "not enough evidence"
    # without a deciding passage the source's most similar counted passage is the one shown
    assert c.deciding("B").passage_id == 1 and v.deciding_passage("B") is None


def test_a_neutral_sources_shown_passage_is_its_closest_counted_one():
    c = check_of([ev("B", NEI, pid=1, similarity=0.5), ev("B", NEI, pid=2, similarity=0.8),
                  replace(ev("B", NEI, pid=3, similarity=0.9), duplicate_of=7)])
    assert c.deciding("B").passage_id == 2
    assert c.deciding("Z") is None
    only_dups = check_of([replace(ev("B", NEI, pid=3, similarity=0.9), duplicate_of=7)])
    assert only_dups.deciding("B").passage_id == 3  # nothing counted: still something to show


@pytest.mark.parametrize("evidence,claim_source,reason", [
    ([ev("B", SUP, pid=1, text="Homicides fell.")], None,
     "1 independent source(s) state it; none contradicts it. B states it: “Homicides fell.”."),
    ([ev("B", CON, pid=1, text="Homicides rose.")], "A",
     "1 independent source(s) contradict it; none states it. B contradicts it: “Homicides rose.”."),
    ([ev("B", SUP, pid=1, text="Fell."), ev("C", CON, pid=2, text="Rose.")], None,
     "1 independent source(s) support it and 1 conflict with it. B states it: “Fell.”. C contradicts it: “Rose.”."),
    ([ev("B", NEI, pid=1)], "A", "Only A reports it; no other source states or contradicts it."),
    ([], None, "No source in the corpus states or contradicts it."),
])
def test_reason_names_each_deciding_passage(evidence, claim_source, reason):
    assert decide(evidence, claim_source=claim_source).reason == reason


def test_reason_shortens_long_passages():
    long = "word " * 100
    reason = decide([ev("B", SUP, pid=1, text=long)]).reason
    quote = reason.split("B states it: ", 1)[1]
    assert quote.endswith("…”.") and len(quote) <= 160 + 3


SYND = "The central bank raised interest rates by half a point on Tuesday to fight inflation, officials said."


def test_syndicated_copy_is_collapsed_and_flagged():
    evidence = [ev("B", SUP, pid=1, text=SYND), ev("C", SUP, pid=2, text="Reuters: " + SYND),
                ev("D", CON, pid=3, text="Rates were not raised on Tuesday, the bank said in a statement today.")]
    marked = mark_duplicates(evidence)
    assert [e.duplicate_of for e in marked] == [None, 1, None]
    v = decide(marked)
    assert (v.label, v.supporting, v.conflicting, v.duplicates) == ("mixed", 1, 1, 1)
    assert "near-duplicate" in v.reason


def test_copied_wording_with_another_figure_is_a_second_account_not_a_copy():
    other = SYND.replace("half a point", "a full point").replace("Tuesday", "Wednesday")
    marked = mark_duplicates([ev("B", SUP, pid=1, text=SYND), ev("C", CON, pid=2, text=other)])
    assert [e.duplicate_of for e in marked] == [None, None]
    figure = "Police made 13 arrests after the march in the city centre on Saturday night, the mayor said."
    marked = mark_duplicates([ev("B", SUP, pid=1, text=figure), ev("C", CON, pid=2, text=figure.replace("13", "30"))])
    assert [e.duplicate_of for e in marked] == [None, None]


def test_one_source_repeating_itself_is_not_a_duplicate():
    marked = mark_duplicates([ev("B", SUP, pid=1, text=SYND), ev("B", SUP, pid=2, text=SYND)])
    assert [e.duplicate_of for e in marked] == [None, None]


def test_copy_of_the_claim_is_not_corroboration():
    marked = mark_duplicates([ev("B", SUP, pid=1, text=SYND)], claim=SYND, claim_source="A")
    assert marked[0].duplicate_of == DUPLICATE_OF_CLAIM
    assert decide(marked, claim_source="A").label == "single-source"
    # a pasted claim (no source) may quote a passage word for word: that is support
    assert mark_duplicates([ev("B", SUP, pid=1, text=SYND)], claim=SYND)[0].duplicate_of is None


def test_the_claims_wording_with_another_figure_is_a_contradiction_not_a_copy():
    figure = "Police made 30 arrests after the march in the city centre on Saturday night, the mayor said."
    other = ev("B", CON, pid=1, text=figure.replace("30", "13"))
    marked = mark_duplicates([other], claim=figure, claim_source="A")
    assert marked[0].duplicate_of is None
    assert decide(marked, claim_source="A").label == "contested"


def test_vectors_catch_reworded_copies():
    a, b = ev("B", SUP, pid=1, text="alpha beta gamma"), ev("C", SUP, pid=2, text="delta epsilon zeta")
    v = np.array([1.0, 0.0], dtype=np.float32)
    marked = mark_duplicates([a, b], vectors={1: v, 2: v}, duplicate_similarity=0.95)
    assert marked[1].duplicate_of == 1


def test_near_duplicate_needs_enough_words():
    assert not near_duplicate("Prices rose.", "Prices rose.")
    assert near_duplicate(SYND, SYND.upper())


def test_evidence_helpers():
    e = ev("B", CON, pid=1)
    assert e.label is Verification.CONFLICTS and e.p("conflicts") == 0.8 and e.settles and e.counted
    assert e.model_label == "conflicts"  # no model scores given: its own
    assert not ev("B", NEI, pid=2).settles
    moved = replace(e, label=Verification.NEI, scores=(0.0, 0.0, 1.0), model_scores=SUP)
    assert moved.model_label == "supports" and not moved.settles


# --- check_claim: the detail rule and the gates ---------------------------------------------------

def test_check_claim_end_to_end_with_mismatch():
    hits = [FakeHit(1, "The outlet agrees that homicides dropped", "B", 10, 0.8),
            FakeHit(2, "The outlet agrees that homicides decreased", "C", 20, 0.7),
            FakeHit(3, "Weather mentions nothing", "D", 30, 0.3)]
    c = check_claim("Homicides dropped significantly", hits, FixedModel(), settings=Settings())
    assert c.verdict.label == "corroborated" and c.verdict.supporting == 2
    assert [e.passage_id for e in c.evidence] == [1, 2, 3]
    assert dict(c.verdict.source_stances)["D"] == "silent"  # below evidence_similarity: not on the claim
    # the same evidence against the opposite claim: the direction mismatch turns support into conflict
    c2 = check_claim("Homicides rose sharply", hits, FixedModel(), settings=Settings())
    assert c2.verdict.label == "contested"
    first = c2.evidence[0]
    assert first.label == "conflicts" and first.model_label == "supports"
    assert first.blocked_by is not None and first.blocked_by.kind == "direction"
    assert {m.kind for m in first.mismatches} >= {"direction"}
    assert "(“dropped” where the claim says “rose”)" in c2.verdict.reason


def test_a_differing_number_keeps_a_passage_from_supporting_and_is_named():
    claim = "Police made 30 arrests on Friday"
    hits = [FakeHit(1, "The outlet agrees police made 13 arrests on Friday.", "B", 10, 0.8),
            FakeHit(2, "Officers detained 30 people in raids on Friday, a spokesman agrees.", "C", 20, 0.8)]
    c = check_claim(claim, hits, FixedModel(), settings=Settings())
    v = c.verdict
    assert v.label == "mixed" and v.conflicting_sources == ("B",) and v.supporting_sources == ("C",)
    b, cc = c.evidence
    assert b.label == "conflicts" and b.model_scores == pytest.approx(SUP)
    share = DETAIL_TO_CONFLICTS
    assert b.scores == pytest.approx((0.0, 0.1 + share * 0.8, 0.1 + (1 - share) * 0.8))
    assert (b.blocked_by.kind, b.blocked_by.claim_text, b.blocked_by.passage_text) == ("number", "30", "13")
    assert cc.label == "supports" and cc.blocked_by is None
    assert ("B contradicts it: “The outlet agrees police made 13 arrests on Friday.” "
            "(“13” where the claim says “30”).") in v.reason
    assert "C states it: “Officers detained 30 people in raids on Friday, a spokesman agrees.”." in v.reason


def test_a_lacking_negation_is_named():
    hits = [FakeHit(1, "The outlet agrees seizures fell last year.", "B", 10, 0.8)]
    c = check_claim("Seizures did not fall last year", hits, FixedModel(), settings=Settings())
    assert c.verdict.label == "contested"
    assert c.evidence[0].blocked_by.kind == "negation"
    assert "(it lacks the claim's “not”)" in c.verdict.reason


def test_which_details_block_can_be_chosen():
    hits = [FakeHit(1, "The outlet agrees police made 13 arrests on Friday.", "B", 10, 0.8)]
    claim = "Police made 30 arrests on Friday"
    (blocked,) = label_evidence(claim, hits, FixedModel(), **RULES_OFF)
    (kept,) = label_evidence(claim, hits, FixedModel(), blocking=frozenset({"date"}), **RULES_OFF)
    assert blocked.label == "conflicts" and blocked.blocked_by is not None
    assert kept.label == "supports" and kept.blocked_by is None
    assert [m.kind for m in kept.mismatches] == ["number"]  # still found, for highlighting


def test_a_side_below_the_minimum_probability_settles_nothing():
    hits = [FakeHit(1, "The outlet hedges that homicides dropped", "B", 10, 0.7)]
    c = check_claim("Homicides dropped", hits, FixedModel(), settings=Settings())
    (e,) = c.evidence
    assert e.label == "nei" and e.model_label == "supports" and e.blocked_by is None
    assert e.scores == pytest.approx(WEAK)  # the probabilities stay the verifier's; the decision says nei
    assert c.verdict.label == "not enough evidence" and dict(c.verdict.source_stances) == {"B": "neutral"}
    # the threshold is the setting's
    looser = check_claim("Homicides dropped", hits, FixedModel(),
                         settings=Settings(verify_supports_at=0.4, verify_conflicts_at=0.4))
    assert looser.evidence[0].label == "supports" and looser.verdict.label == "corroborated"


def test_a_blocked_faint_support_with_another_figure_still_contradicts():
    # 0.55 supports; the number mismatch moves DETAIL_TO_CONFLICTS of it to conflicts: above verify_conflicts_at
    hits = [FakeHit(1, "The outlet faintly says police made 13 arrests.", "B", 10, 0.7)]
    c = check_claim("Police made 30 arrests", hits, FixedModel(), settings=Settings())
    (e,) = c.evidence
    assert e.label == "conflicts" and e.blocked_by is not None and e.blocked_by.kind == "number"
    assert e.p("conflicts") == pytest.approx(FAINT[1] + DETAIL_TO_CONFLICTS * FAINT[0])
    assert c.verdict.label == "contested"
    # a stricter conflicts threshold leaves it unsettled
    strict = check_claim("Police made 30 arrests", hits, FixedModel(), settings=Settings(verify_conflicts_at=0.6))
    assert strict.evidence[0].label == "nei" and strict.verdict.label == "not enough evidence"


def test_a_passage_far_from_the_claim_settles_nothing():
    hits = [FakeHit(1, "The outlet agrees that homicides dropped", "B", 10, 0.4)]
    c = check_claim("Homicides dropped", hits, FixedModel(), settings=Settings())
    assert c.evidence[0].label == "nei" and c.evidence[0].model_label == "supports"
    assert c.verdict.label == "not enough evidence"
    assert dict(c.verdict.source_stances) == {"B": "silent"}  # and it is not on the claim's topic
    closer = check_claim("Homicides dropped", hits, FixedModel(), settings=Settings(evidence_similarity=0.3))
    assert closer.verdict.label == "corroborated"


def test_gate_moves_both_sides_to_nei():
    p = np.array([0.7, 0.1, 0.2], dtype=np.float32)
    kept = gate(p, 0.6, evidence_similarity=0.45, min_probability=0.5)
    far = gate(p, 0.3, evidence_similarity=0.45, min_probability=0.5)
    weak = gate(p, 0.6, evidence_similarity=0.45, min_probability=0.75)
    assert np.allclose(kept, p)
    for g in (far, weak):
        assert g[0] == 0 and g[1] == 0 and abs(g[2] - 1.0) < 1e-6
    assert np.allclose(p, [0.7, 0.1, 0.2])  # the input is not changed
    con = gate(np.array([0.1, 0.6, 0.3]), 0.6, evidence_similarity=0.45, min_probability=0.5)
    assert np.allclose(con, [0.1, 0.6, 0.3])  # either side may reach the minimum


def test_identical_passages_are_scored_once_and_each_passage_alone():
    text = "The outlet agrees homicides fell 20%."
    hits = [FakeHit(1, text, "A", 10, 0.8), FakeHit(2, "Other line mentions it.", "A", 10, 0.5),
            FakeHit(3, text, "B", 20, 0.8)]
    model = FixedModel()
    out = label_evidence("Homicides fell 20%", hits, model, **RULES_OFF)
    assert model.seen == [text, "Other line mentions it."]  # the passage itself, not its article
    assert model.claims == ["Homicides fell 20%"] * 2
    assert [(e.passage_id, e.source, e.text) for e in out] == [(h.passage_id, h.source, h.text) for h in hits]
    assert [e.label for e in out] == ["supports", "nei", "supports"]


def test_no_hits_asks_the_verifier_nothing():
    model = FixedModel()
    assert label_evidence("claim", [], model, **RULES_OFF) == [] and model.seen == []


def test_check_claim_drops_the_claim_passage_itself():
    @dataclass(frozen=True)
    class P:
        id: int
        article_id: int

    hits = [FakeHit(7, "The outlet agrees", "A", 1, 1.0)]
    c = check_claim("x", hits, FixedModel(), claim_source="A", claim_passage=P(7, 1))
    assert c.evidence == () and c.verdict.label == "single-source" and c.claim_passage_id == 7


# --- reported statements ------------------------------------------------------------------------

SAID = FakeHit(1, "Officials said homicides dropped significantly; the outlet agrees.", "B", 10, 0.7)


def test_a_deciding_reported_statement_is_listed_when_the_claim_names_no_speaker():
    c = check_claim("Homicides dropped significantly", [SAID], FixedModel(), settings=Settings())
    assert c.evidence[0].reported and c.evidence[0].label == "supports"
    assert c.verdict.label == "corroborated" and c.verdict.reporting == ("B",)
    assert c.verdict.reason.endswith("B give(s) it as someone's statement.")


def test_a_reported_contradiction_is_not_listed_as_carrying_the_claim():
    hit = FakeHit(1, "Officials said homicides rose; the outlet denies they dropped.", "B", 10, 0.7)
    c = check_claim("Homicides dropped significantly", [hit], FixedModel(), settings=Settings())
    assert c.verdict.label == "contested" and c.verdict.reporting == ()


def test_no_reporting_list_when_the_claim_names_its_speaker():
    c = check_claim("Homicides dropped significantly, Sheinbaum said", [SAID], FixedModel(), settings=Settings())
    assert c.evidence[0].reported
    assert c.verdict.label == "corroborated" and c.verdict.reporting == ()
    assert "someone's statement" not in c.verdict.reason


def test_only_the_deciding_passage_makes_a_source_reporting():
    hits = [FakeHit(1, "Officials said it mentions homicides.", "B", 10, 0.8),
            FakeHit(2, "The outlet agrees homicides dropped significantly.", "B", 10, 0.7)]
    c = check_claim("Homicides dropped significantly", hits, FixedModel(), settings=Settings())
    assert [e.reported for e in c.evidence] == [True, False]
    assert c.verdict.deciding == (("B", 2),) and c.verdict.reporting == ()
    # nor does a reported statement that settles nothing
    c = check_claim("Homicides dropped significantly", hits[:1], FixedModel(), settings=Settings())
    assert c.verdict.reporting == () and c.verdict.label == "not enough evidence"


class ReportingModel:
    """Reads every passage as not settling the claim with some lean to support, as a verifier reads an outlet
    carrying a speaker's statement."""

    def scores(self, claims, texts):
        return np.tile(np.array([0.25, 0.1, 0.65], dtype=np.float32), (len(texts), 1))


REPORTS = [FakeHit(1, "President Sheinbaum highlighted a significant drop in homicide rates.", "B", 10, 0.7),
           FakeHit(2, "She cited progress, pointing to a substantial decrease in the homicide rate.", "C", 20, 0.65)]


@pytest.mark.parametrize("claim", ["Mexico's homicide rate has dropped significantly, Sheinbaum said",
                                   "Mexico's homicide rate has dropped significantly"])
def test_a_reported_statement_the_verifier_does_not_read_as_support_stays_unsettled(claim):
    # the old rule promoted such a passage to support when it named the claim's speaker: it is gone
    c = check_claim(claim, REPORTS, ReportingModel(), settings=Settings())
    assert c.verdict.label == "not enough evidence" and c.verdict.supporting == 0
    assert all(e.reported and e.label == "nei" for e in c.evidence)
    assert dict(c.verdict.source_stances) == {"B": "neutral", "C": "neutral"}
    assert c.verdict.reporting == ()


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from factcheck.api import Factcheck

    fc = Factcheck(Settings(store_dir=tmp_path_factory.mktemp("seed_store")))
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        results = fc.ingest_paths([path], source=f"seed outlet {i + 1}")
        assert [r.status for r in results] == ["added"], results
    return fc


# the seeds' attributed and reversed statements: tests/test_verify_model.py


@pytest.mark.model
def test_seed_claim_reversed_is_contested(seeded):
    c = seeded.check("Mexico's homicide rate rose sharply, Sheinbaum said")
    assert c.verdict.label == "contested", c.verdict
    assert c.verdict.conflicting >= 1 and c.verdict.supporting == 0
    assert any(m.kind == "direction" for e in c.evidence for m in e.mismatches)


@pytest.mark.model
def test_seed_unreported_claim_finds_no_support(seeded):
    c = seeded.check("Canada closed its border with Mexico")
    assert c.verdict.supporting == 0, c.verdict
    assert c.verdict.label in {"not enough evidence", "contested"}




def test_a_contradiction_with_no_differing_detail_needs_more_probability():
    # 0.55 conflicts with nothing to show for it: under verify_bare_conflicts_at (0.6) it settles nothing
    hits = [FakeHit(1, "The outlet writes that homicides dropped.", "B", 10, 0.7)]
    c = check_claim("Homicides dropped", hits, BareModel(), settings=Settings())
    assert c.evidence[0].label == "nei" and c.verdict.label == "not enough evidence"
    off = check_claim("Homicides dropped", hits, BareModel(), settings=Settings(verify_bare_conflicts_at=None))
    assert off.evidence[0].label == "conflicts" and off.verdict.label == "contested"
    # the same probability with a differing figure to show does contradict
    hits = [FakeHit(1, "The outlet barely denies police made 13 arrests.", "B", 10, 0.7)]
    shown = check_claim("Police made 30 arrests", hits, BareModel(), settings=Settings())
    assert shown.evidence[0].label == "conflicts"


class BareModel:
    def scores(self, claims, texts):
        return np.array([(0.05, 0.55, 0.4)] * len(texts), dtype=np.float32)


def test_a_passage_that_points_back_is_read_with_the_sentence_before_it():
    assert points_back("She cited a drop in homicides.") and points_back("The 69-year-old died.")
    assert not points_back("The Supreme Court ruled.") and not points_back("Police said so.")
    read = in_context("She agrees it fell.", "Sheinbaum spoke on Friday.")
    assert read == "Sheinbaum spoke on Friday. She agrees it fell."
    assert in_context("Police agree it fell.", "Sheinbaum spoke on Friday.") == "Police agree it fell."
    model = FixedModel()
    hits = [FakeHit(1, "She mentions a drop in homicides.", "B", 10, 0.7), FakeHit(2, "Police agree.", "B", 10, 0.6)]
    out = label_evidence("Homicides dropped", hits, model, context={1: "Sheinbaum agrees on Friday.", 2: "Before."},
                         **RULES_OFF)
    assert model.seen == ["Sheinbaum agrees on Friday. She mentions a drop in homicides.", "Police agree."]
    assert out[0].label == "supports" and out[0].text == "She mentions a drop in homicides."  # shown as stored


def test_a_contradiction_through_a_detail_may_sit_further_from_the_claim_than_a_support():
    hits = [FakeHit(1, "The outlet agrees police made 13 arrests.", "B", 10, 0.38)]
    c = check_claim("Police made 30 arrests", hits, FixedModel(), settings=Settings())
    assert c.evidence[0].label == "conflicts" and c.verdict.label == "contested"
    far = check_claim("Police made 30 arrests", hits, FixedModel(), settings=Settings(conflict_similarity=None))
    assert far.evidence[0].label == "nei"
    same = [FakeHit(1, "The outlet agrees police made 30 arrests.", "B", 10, 0.38)]  # no detail: no support
    alike = check_claim("Police made 30 arrests", same, FixedModel(), settings=Settings())
    assert alike.verdict.label != "corroborated"
    g = gate(np.array([0.6, 0.3, 0.1]), 0.4, evidence_similarity=0.45, min_probability=0.4, conflict_similarity=0.35)
    assert g[0] == 0 and np.isclose(g[1], 0.3) and np.isclose(g[2], 0.7)  # its support is never kept


# --- compound claims: a contradicted part contradicts the claim (verdict.with_parts) ---------------------------
WHOLE = "Police arrested 13 people on Friday and the mayor said the curfew would be lifted on Monday."
ARRESTS, CURFEW = "Police arrested 13 people on Friday.", "The mayor said the curfew would be lifted on Monday."


def _ev(pid: int, source: str, label: Verification, scores: tuple[float, float, float], text: str,
        mismatches: tuple = ()) -> Evidence:
    return Evidence(text=text, source=source, article_id=pid, passage_id=pid, label=label, scores=scores,
                    mismatches=mismatches, similarity=0.7)


def _compound(whole_evidence: list[Evidence], curfew_evidence: list[Evidence]) -> Check:
    part = Check(CURFEW, "A", decide(curfew_evidence, claim_source="A"), tuple(curfew_evidence))
    arrests = Check(ARRESTS, "A", decide([], claim_source="A"), ())
    return Check(WHOLE, "A", decide(whole_evidence, claim_source="A"), tuple(whole_evidence), parts=(arrests, part))


def test_a_source_contradicting_one_part_contradicts_the_compound_claim():
    from factcheck.labels import MismatchKind
    from factcheck.mismatch import Mismatch
    from factcheck.verdict import with_parts

    said = "Police arrested 13 people on Friday; the mayor said the curfew stays until Tuesday."
    tuesday = Mismatch(MismatchKind.DATE, (44, 50), (70, 77), "Monday", "Tuesday")
    b_whole = _ev(7, "B", Verification.SUPPORTS, (0.7, 0.2, 0.1), said)  # the verifier read the whole as stated
    c_whole = _ev(8, "C", Verification.SUPPORTS, SUP, "Thirteen detained in overnight sweep; city hall ends the "
                  "curfew Monday.")
    b_part = _ev(7, "B", Verification.CONFLICTS, (0.05, 0.85, 0.1), said, (tuesday,))
    check = _compound([b_whole, c_whole], [b_part])
    assert check.verdict.label == "corroborated"  # the whole sentence's own reading
    got = with_parts(check)
    assert got.verdict.label == "mixed" and got.verdict.conflicting_sources == ("B",)
    assert got.verdict.supporting_sources == ("C",) and got.parts == check.parts
    b = got.deciding("B")
    assert b is not None and b.label == Verification.CONFLICTS and b.passage_id == 7
    assert sorted(e.passage_id for e in got.evidence) == [7, 8]  # the part's reading of 7 replaced the whole's
    (m,) = b.mismatches
    assert WHOLE[m.claim_span[0]:m.claim_span[1]] == "Monday"  # found again in the whole claim's text
    assert "Tuesday" in got.verdict.reason


def test_a_weaker_contradiction_of_a_part_gives_way_as_within_one_source_and_support_is_never_borrowed():
    from factcheck.verdict import with_parts

    text = "Thirteen detained in overnight sweep; city hall ends the curfew Monday."
    strong_whole = _ev(7, "B", Verification.SUPPORTS, (0.9, 0.05, 0.05), text)
    faint_part = _ev(9, "B", Verification.CONFLICTS, (0.1, 0.6, 0.3), "The curfew may stay, an aide said.")
    check = _compound([strong_whole], [faint_part])
    assert with_parts(check).verdict == check.verdict  # rule 5: B's most probable side-taking passage decides
    supported_part = _ev(9, "D", Verification.SUPPORTS, SUP, CURFEW)
    alone = _compound([], [supported_part])
    assert with_parts(alone) == alone and alone.verdict.label == "single-source"  # one part stated is not the claim


def test_with_parts_takes_each_sources_strongest_contradiction_whatever_the_parts_order():
    from factcheck.verdict import with_parts

    whole_b = _ev(7, "B", Verification.SUPPORTS, (0.8, 0.1, 0.1), "Police arrested 13 people; the curfew ends Monday.")
    faint = _ev(9, "B", Verification.CONFLICTS, (0.2, 0.6, 0.2), "Police arrested 30 people on Friday.")
    strong = _ev(10, "B", Verification.CONFLICTS, (0.02, 0.95, 0.03), "The curfew stays until Tuesday, the mayor said.")
    one = Check(ARRESTS, "A", decide([faint], claim_source="A"), (faint,))
    two = Check(CURFEW, "A", decide([strong], claim_source="A"), (strong,))
    verdicts = {with_parts(Check(WHOLE, "A", decide([whole_b], claim_source="A"), (whole_b,), parts=ps)).verdict
                for ps in ((one, two), (two, one))}
    (only,) = verdicts  # the same whichever part comes first
    assert only.label == "contested" and only.deciding_passage("B") == 10


def test_copies_joined_from_a_part_count_once():
    from factcheck.verdict import with_parts

    copy = "The mayor said on Monday that the curfew would not be lifted this week, city officials confirmed."
    x = _ev(1, "X", Verification.CONFLICTS, CON, copy)
    y = _ev(2, "Y", Verification.CONFLICTS, CON, copy)
    whole_ev = mark_duplicates([x, y], claim=WHOLE, claim_source="A")  # X first: Y's copy is a duplicate
    part_ev = mark_duplicates([y, x], claim=CURFEW, claim_source="A")  # the part's ranking has Y first
    part = Check(CURFEW, "A", decide(part_ev, claim_source="A", claim=CURFEW), tuple(part_ev))
    check = Check(WHOLE, "A", decide(whole_ev, claim_source="A", claim=WHOLE), tuple(whole_ev), parts=(part,))
    got = with_parts(check)
    assert got.verdict.conflicting == 1 and got.verdict.duplicates == 1
