"""The packaged claim verifier on the jobs it is for: the seeds' two wrong verdicts of old, single pairs whose one
differing detail decides, and a dozen cases of the hand-written multi-outlet suite (bench/data; its full
figures are bench/verify.py's). A regression guard: the cases were picked among the ones the shipped model
gets right, one of each kind and detail, so a model or a rule that breaks one of them has lost something."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from factcheck.labels import Verification
from factcheck.settings import Settings

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
STORIES = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
SUITE_CASES = (  # three stories of the suite's test half, every kind (ids of bench/data/verify_suite_test.jsonl)
    "5888-reported-1", "5888-reported-2", "5888-altered-1", "5888-absent-1",
    "5893-reported-2", "5893-altered-1", "5893-altered-2", "5893-absent-1",
    "5869-single-1", "5869-single-2", "5869-altered-2", "5869-absent-1",
)


@pytest.fixture(scope="module")
def verifier():
    from factcheck.verify import load_verifier

    return load_verifier()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from factcheck.api import Factcheck

    fc = Factcheck(Settings(store_dir=tmp_path_factory.mktemp("seeds")))
    for i, path in enumerate(sorted(SEEDS.glob("*.txt"))):
        assert [r.status for r in fc.ingest_paths([path], source=f"seed outlet {i + 1}")] == ["added"]
    return fc


def test_seed_reversed_statement_is_contested_by_both_outlets_with_the_opposite_highlighted(seeded):
    c = seeded.check("Sheinbaum said U.S. military intervention in Mexico is necessary.")
    assert c.verdict.label == "contested", c.verdict
    assert c.verdict.conflicting_sources == ("seed outlet 1", "seed outlet 2"), c.verdict
    for source in ("seed outlet 1", "seed outlet 2"):
        e = c.deciding(source)
        assert e is not None and e.label == Verification.CONFLICTS
        spans = [(m.claim_text, m.passage_text) for m in e.mismatches]
        assert ("necessary", "unnecessary") in spans, e
        assert "unnecessary" in c.verdict.reason
    # known miss: outlet 2's analysis line "The potential for U.S. intervention presents significant sovereignty
    # concerns …" (and one more) reads as support at p ≈ 0.5; the outlets' contradictions are more probable and decide


def test_seed_claim_no_article_states_gets_not_enough_evidence(seeded):
    c = seeded.check("Mexico announced new tariffs on Canadian steel imports.")
    assert c.verdict.label == "not enough evidence", c.verdict
    assert c.verdict.supporting == c.verdict.conflicting == 0


def test_seed_fact_both_outlets_report_is_corroborated_by_both(seeded):
    c = seeded.check("Sheinbaum spoke with President Trump by phone")
    assert c.verdict.label == "corroborated", c.verdict
    assert c.verdict.supporting_sources == ("seed outlet 1", "seed outlet 2"), c.verdict


def test_seed_attributed_fact_is_corroborated_by_both_outlets(seeded):
    c = seeded.check("Mexico's homicide rate has dropped significantly, Sheinbaum said")
    assert c.verdict.label == "corroborated", c.verdict
    assert c.verdict.supporting_sources == ("seed outlet 1", "seed outlet 2"), c.verdict
    assert "significant drop in homicide rates" in c.deciding("seed outlet 1").text
    # typed as a sentence: outlet 2's "She cited …" reads as a contradiction at 0.51 with nothing differing,
    # under Settings.verify_bare_conflicts_at, so it cannot turn the verdict into "mixed"
    c = seeded.check("Mexico's homicide rate has dropped significantly, Sheinbaum said.")
    assert c.verdict.label == "corroborated" and not c.verdict.conflicting_sources, c.verdict


@pytest.mark.parametrize(("claim", "evidence", "label"), [
    ("The company cut 1,200 jobs in March.", "The company said on Tuesday it had cut 1,200 jobs in March.",
     Verification.SUPPORTS),
    ("The company cut 3,000 jobs in March.", "The company said on Tuesday it had cut 1,200 jobs in March.",
     Verification.CONFLICTS),
    ("The Senate rejected the bill on Thursday.", "The Senate approved the bill on Thursday by 52 votes to 48.",
     Verification.CONFLICTS),
    ("The Senate approved the bill on Thursday.", "The House is expected to take up the measure next week.",
     Verification.NEI),
])
def test_single_pairs(verifier, claim, evidence, label):
    from factcheck.mismatch import find_mismatches
    from factcheck.verify import judge

    probs = verifier.scores([claim], [evidence])[0]
    assert probs.shape == (3,) and abs(float(probs.sum()) - 1.0) < 1e-4
    assert judge(probs, find_mismatches(claim, evidence)).label == label, probs


def _suite_case(case_id: str) -> dict:
    for f in sorted((ROOT / "bench" / "data").glob("verify_suite_*.jsonl")):
        for line in f.open():
            row = json.loads(line)
            if row["id"] == case_id:
                return row
    raise KeyError(case_id)


@pytest.fixture(scope="module")
def story_store(tmp_path_factory):
    """Factcheck over one AllSides story's three articles, built once per story."""
    from factcheck.api import Factcheck

    stories = {s["id"]: s for s in map(json.loads, STORIES.open())}
    built: dict[int, Factcheck] = {}

    def get(story_id: int) -> Factcheck:
        if story_id not in built:
            fc = Factcheck(Settings(store_dir=tmp_path_factory.mktemp(f"story{story_id}")))
            for art in stories[story_id]["news"].values():
                fc.ingest_text("\n\n".join(art["newBody"]), source=art["newsSource"], title=art["newsTitle"])
            built[story_id] = fc
        return built[story_id]

    return get


EXPECTED = {"reported": "corroborated", "single": "corroborated", "altered": "contested",
            "absent": "not enough evidence"}


@pytest.mark.parametrize("case_id", SUITE_CASES)
def test_suite_case(story_store, case_id):
    row = _suite_case(case_id)
    c = story_store(row["story"]).check(row["claim"])
    assert c.verdict.label == EXPECTED[row["kind"]], (row["claim"], c.verdict)
    for source, stance in c.verdict.source_stances:
        if stance in ("supports", "conflicts"):
            assert row["gold"][source] == stance, (row["claim"], source, stance, c.verdict.reason)
