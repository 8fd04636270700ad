from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from factcheck.settings import Settings
from factcheck.verdict import DUPLICATE_OF_CLAIM, Evidence, check_claim, decide, mark_duplicates, near_duplicate

SUP = (0.8, 0.05, 0.1, 0.05)
CON = (0.05, 0.8, 0.1, 0.05)
NEU = (0.1, 0.1, 0.75, 0.05)
UNR = (0.02, 0.02, 0.06, 0.9)


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
    """Stance by keyword in the passage: 'agrees' supports, 'denies' conflicts, 'mentions' neutral."""

    def scores(self, claims, texts):
        rows = []
        for t in texts:
            rows.append(SUP if "agrees" in t else CON if "denies" in t else NEU if "mentions" in t else UNR)
        return np.asarray(rows, dtype=np.float32)


def ev(source, label_scores, *, pid, text=None):
    label = ("supports", "conflicts", "neutral", "unrelated")[int(np.argmax(label_scores))]
    return Evidence(text=text or f"passage {pid} of {source}", source=source, article_id=pid, passage_id=pid,
                    label=label, scores=label_scores, mismatches=(), similarity=0.7)


@pytest.mark.parametrize("stances,claim_source,expected", [
    ([("B", SUP)], None, "corroborated"),
    ([("B", SUP), ("C", NEU)], "A", "corroborated"),
    ([("B", CON)], None, "contested"),
    ([("B", SUP), ("C", CON)], None, "mixed"),
    ([("B", NEU), ("C", UNR)], "A", "single-source"),
    ([("A", SUP)], "A", "single-source"),  # its own source never counts
    ([], "A", "single-source"),
    ([("B", NEU), ("C", UNR)], None, "not enough evidence"),
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


def test_a_source_takes_its_most_confident_side():
    strong_con = (0.05, 0.9, 0.03, 0.02)
    v = decide([ev("B", SUP, pid=1), ev("B", strong_con, pid=2)])
    assert v.label == "contested" and dict(v.source_stances) == {"B": "conflicts"}


SYND = "The central bank raised interest rates by half a point on Tuesday to fight inflation, officials said."


def test_syndicated_copy_is_collapsed_and_flagged():
    evidence = [ev("B", SUP, pid=1, text=SYND), ev("C", SUP, pid=2, text="Reuters: " + SYND),
                ev("D", CON, pid=3, text="Rates were not raised on Tuesday, the bank said in a statement today.")]
    marked = mark_duplicates(evidence)
    assert [e.duplicate_of for e in marked] == [None, 1, None]
    v = decide(marked)
    assert (v.label, v.supporting, v.conflicting, v.duplicates) == ("mixed", 1, 1, 1)
    assert "near-duplicate" in v.reason


def test_one_source_repeating_itself_is_not_a_duplicate():
    marked = mark_duplicates([ev("B", SUP, pid=1, text=SYND), ev("B", SUP, pid=2, text=SYND)])
    assert [e.duplicate_of for e in marked] == [None, None]


def test_copy_of_the_claim_is_not_corroboration():
    marked = mark_duplicates([ev("B", SUP, pid=1, text=SYND)], claim=SYND, claim_source="A")
    assert marked[0].duplicate_of == DUPLICATE_OF_CLAIM
    assert decide(marked, claim_source="A").label == "single-source"
    # a pasted claim (no source) may quote a passage word for word: that is support
    assert mark_duplicates([ev("B", SUP, pid=1, text=SYND)], claim=SYND)[0].duplicate_of is None


def test_vectors_catch_reworded_copies():
    a, b = ev("B", SUP, pid=1, text="one two three"), ev("C", SUP, pid=2, text="four five six")
    v = np.array([1.0, 0.0], dtype=np.float32)
    marked = mark_duplicates([a, b], vectors={1: v, 2: v}, duplicate_similarity=0.95)
    assert marked[1].duplicate_of == 1


def test_near_duplicate_needs_enough_words():
    assert not near_duplicate("Prices rose.", "Prices rose.")
    assert near_duplicate(SYND, SYND.upper())


def test_check_claim_end_to_end_with_mismatch():
    hits = [FakeHit(1, "The outlet agrees that homicides dropped", "B", 10, 0.8),
            FakeHit(2, "The outlet agrees that homicides decreased", "C", 20, 0.7),
            FakeHit(3, "Weather mentions nothing", "D", 30, 0.3)]
    c = check_claim("Homicides dropped significantly", hits, FixedModel(), settings=Settings())
    assert c.verdict.label == "corroborated" and c.verdict.supporting == 2
    assert [e.passage_id for e in c.evidence] == [1, 2, 3]
    # the same evidence against the opposite claim: the direction mismatch turns support into conflict
    c2 = check_claim("Homicides rose sharply", hits, FixedModel(), settings=Settings())
    assert c2.verdict.label == "contested"
    assert c2.evidence[0].label == "conflicts"
    assert {m.kind for m in c2.evidence[0].mismatches} >= {"direction"}


def test_check_claim_drops_the_claim_passage_itself():
    @dataclass(frozen=True)
    class P:
        id: int
        article_id: int

    hits = [FakeHit(7, "The outlet agrees", "A", 1, 1.0)]
    c = check_claim("x", hits, FixedModel(), claim_source="A", claim_passage=P(7, 1))
    assert c.evidence == () and c.verdict.label == "single-source" and c.claim_passage_id == 7


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from factcheck.api import Factcheck

    fc = Factcheck(Settings(store_dir=tmp_path_factory.mktemp("seed_store")))
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        results = fc.ingest_paths([path], source=f"seed outlet {i + 1}")
        assert [r.status for r in results] == ["added"], results
    return fc


@pytest.mark.model
def test_seed_claim_is_corroborated_by_both_outlets(seeded):
    c = seeded.check("Mexico's homicide rate has dropped significantly, Sheinbaum said")
    assert c.verdict.label == "corroborated", c.verdict
    assert c.verdict.supporting_sources == ("seed outlet 1", "seed outlet 2"), c.verdict


@pytest.mark.model
def test_seed_bare_fact_is_carried_by_both_outlets_only_as_sheinbaums_statement(seeded):
    # both outlets report the fall as what Sheinbaum said ("she cited ... pointing to a substantial decrease");
    # without the attribution in the claim, each outlet must either support it or be listed as carrying it
    c = seeded.check("Mexico's homicide rate has dropped significantly")
    assert c.verdict.conflicting == 0, c.verdict
    assert set(c.verdict.supporting_sources) | set(c.verdict.reporting) == {"seed outlet 1", "seed outlet 2"}


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


def test_gate_turns_support_of_a_barely_similar_passage_into_neutral():
    from factcheck.verdict import gate

    p = np.array([0.7, 0.1, 0.15, 0.05], dtype=np.float32)
    kept = gate(p, 0.6, evidence_similarity=0.45)
    gated = gate(p, 0.3, evidence_similarity=0.45)
    assert np.allclose(kept, p)
    assert gated[0] == 0 and gated[1] == 0 and abs(gated[2] - 0.95) < 1e-6 and abs(gated.sum() - 1) < 1e-6


def test_snippets_are_scored_once_per_article_and_passages_keep_their_own_text():
    from factcheck.verdict import label_evidence

    class Counting:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def scores(self, claims, texts):
            self.seen.extend(texts)
            return np.tile(np.array([0.8, 0.1, 0.05, 0.05], dtype=np.float32), (len(texts), 1))

    hits = [FakeHit(1, "Homicides fell 20%.", "A", 10, 0.8), FakeHit(2, "Other line.", "A", 10, 0.5)]
    model = Counting()
    ev = label_evidence("Homicides fell 20%", hits, model, snippets={1: "SNIP", 2: "SNIP"},
                        evidence_similarity=0.45)
    assert model.seen == ["SNIP"]
    assert [e.text for e in ev] == ["Homicides fell 20%.", "Other line."]
    assert [e.label for e in ev] == ["supports", "supports"]


class ReportingModel:
    """Reads every passage as neutral reporting that leans to support, as the stance model reads an
    outlet carrying a speaker's statement."""

    def scores(self, claims, texts):
        return np.tile(np.array([0.25, 0.05, 0.65, 0.05], dtype=np.float32), (len(texts), 1))


REPORTS = [FakeHit(1, "President Sheinbaum highlighted a significant drop in homicide rates.", "B", 10, 0.7),
           FakeHit(2, "She cited progress, pointing to a substantial decrease in the homicide rate.", "C", 20, 0.65)]
SNIPPETS = {1: REPORTS[0].text, 2: "Claudia Sheinbaum announced results. " + REPORTS[1].text}


def test_a_reported_statement_corroborates_a_claim_about_what_its_speaker_said():
    c = check_claim("Mexico's homicide rate has dropped significantly, Sheinbaum said", REPORTS, ReportingModel(),
                    settings=Settings(), snippets=SNIPPETS)
    assert c.verdict.label == "corroborated" and c.verdict.supporting_sources == ("B", "C")
    assert all(e.reported and e.label == "supports" and e.model_label == "neutral" for e in c.evidence)


def test_a_reported_statement_does_not_corroborate_the_bare_fact():
    c = check_claim("Mexico's homicide rate has dropped significantly", REPORTS, ReportingModel(),
                    settings=Settings(), snippets=SNIPPETS)
    assert c.verdict.label == "not enough evidence" and c.verdict.supporting == 0
    assert c.verdict.reporting == ("B", "C") and "someone's statement" in c.verdict.reason
    assert all(e.reported and e.label == "neutral" for e in c.evidence)


@pytest.mark.parametrize("claim,hit", [
    # another speaker
    ("Homicides dropped significantly, Ebrard said", REPORTS[0]),
    # the outlet reports the opposite direction
    ("Homicide rates rose sharply, Sheinbaum said", REPORTS[0]),
    # not a reported statement
    ("Homicides dropped significantly, Sheinbaum said",
     FakeHit(3, "Sheinbaum's government saw a significant drop in homicide rates.", "B", 10, 0.7)),
    # too far from the claim to count
    ("Homicides dropped significantly, Sheinbaum said", FakeHit(4, REPORTS[0].text, "B", 10, 0.3)),
])
def test_no_attributed_support_without_speaker_agreement_and_similarity(claim, hit):
    c = check_claim(claim, [hit], ReportingModel(), settings=Settings(), snippets={hit.passage_id: hit.text})
    assert c.verdict.supporting == 0 and all(e.label != "supports" for e in c.evidence), c.evidence
