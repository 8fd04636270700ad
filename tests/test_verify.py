"""factcheck.verify without the model: the detail rule (judge), labels and score dicts, calibration arithmetic,
the missing-model message, and Factcheck.verify with a fake verifier."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from factcheck.calibration import softmax
from factcheck.errors import FactcheckError, ModelMissingError
from factcheck.labels import Verification
from factcheck.mismatch import Mismatch
from factcheck.verify import (
    BLOCKING_KINDS,
    DETAIL_TO_CONFLICTS,
    Judgement,
    VerifyModel,
    judge,
    label_of,
    load_verifier,
    scores_dict,
)

SUP = (0.8, 0.1, 0.1)
CON = (0.1, 0.8, 0.1)
NEI = (0.1, 0.1, 0.8)


def mm(kind: str, claim_text: str = "30", passage_text: str = "13") -> Mismatch:
    return Mismatch(kind, (0, len(claim_text)), (0, len(passage_text)), claim_text, passage_text)


NUMBER = mm("number")


def test_supports_with_a_number_mismatch_leans_to_conflicts():
    j = judge(SUP, [NUMBER])
    assert j.label == Verification.CONFLICTS
    assert j.blocked_by == NUMBER
    s, c, n = j.scores
    assert s == 0.0
    assert c == pytest.approx(0.1 + DETAIL_TO_CONFLICTS * 0.8)
    assert n == pytest.approx(0.1 + (1 - DETAIL_TO_CONFLICTS) * 0.8)
    assert sum(j.scores) == pytest.approx(1.0)
    # the model's own reading is kept beside the judged one
    assert j.model_scores == pytest.approx(SUP) and j.model_label == Verification.SUPPORTS
    assert j.mismatches == (NUMBER,)


@pytest.mark.parametrize("kind", sorted(BLOCKING_KINDS))
def test_every_blocking_kind_blocks_support(kind):
    j = judge(SUP, [mm(kind)])
    assert j.label != Verification.SUPPORTS and j.scores[0] == 0.0 and j.blocked_by is not None


def test_blocking_kinds_are_the_details_of_a_claim():
    assert frozenset({"number", "date", "negation", "direction", "opposite", "entity"}) == BLOCKING_KINDS


def test_another_name_blocks_support_but_only_shows_the_claim_unstated():
    j = judge(SUP, [mm("entity", "Smith", "Jones")])
    assert j.label == Verification.NEI and j.scores[1] == pytest.approx(SUP[1]) and j.blocked_by.kind == "entity"


def test_a_passage_negating_something_the_claim_never_says_blocks_nothing():
    from factcheck.mismatch import find_mismatches

    claim = "The company cut 1,200 jobs in March."
    passage = "The company cut 1,200 jobs in March, though it did not say which plants would close."
    j = judge(SUP, find_mismatches(claim, passage, entities=False))
    assert j.label == Verification.SUPPORTS and j.blocked_by is None
    # the claim's own negation, against a passage that affirms, still contradicts
    j = judge(SUP, find_mismatches("Seizures did not fall last year.", "Seizures fell last year.", entities=False))
    assert j.label == Verification.CONFLICTS and j.blocked_by.kind == "negation"


def test_a_contradicting_detail_is_named_before_a_missing_name():
    j = judge(SUP, [mm("entity", "Smith", "Jones"), NUMBER])
    assert j.blocked_by.kind == "number" and j.label == Verification.CONFLICTS


@pytest.mark.parametrize("probs", [CON, NEI, (0.35, 0.4, 0.25)])
def test_non_supports_is_untouched(probs):
    j = judge(probs, [NUMBER, mm("direction", "rose", "fell")])
    assert j.scores == pytest.approx(probs) and j.model_scores == pytest.approx(probs)
    assert j.label == label_of(probs) and j.blocked_by is None
    assert len(j.mismatches) == 2  # still reported, for highlighting


def test_supports_without_a_mismatch_is_untouched():
    j = judge(SUP, [])
    assert j.label == Verification.SUPPORTS and j.scores == pytest.approx(SUP) and j.blocked_by is None


def test_kinds_chooses_which_details_block():
    entity = mm("entity", "Ebrard", "Sheinbaum")
    assert judge(SUP, [entity], kinds=frozenset({"number"})).label == Verification.SUPPORTS
    assert judge(SUP, [entity], kinds=frozenset({"number"})).blocked_by is None
    assert judge(SUP, [entity], kinds=frozenset({"entity"})).blocked_by == entity
    assert judge(SUP, [NUMBER], kinds=frozenset()).label == Verification.SUPPORTS


def test_the_first_blocking_mismatch_is_the_one_named():
    entity, date = mm("entity", "Ebrard", "Sheinbaum"), mm("date", "Friday", "Monday")
    assert judge(SUP, [entity, date], kinds=frozenset({"date"})).blocked_by == date
    assert judge(SUP, [date, NUMBER]).blocked_by == date


def test_to_conflicts_splits_the_moved_mass():
    j = judge(SUP, [NUMBER], to_conflicts=0.0)
    assert j.scores == pytest.approx((0.0, 0.1, 0.9)) and j.label == Verification.NEI
    j = judge(SUP, [NUMBER], to_conflicts=1.0)
    assert j.scores == pytest.approx((0.0, 0.9, 0.1)) and j.label == Verification.CONFLICTS


def test_judge_does_not_change_its_input():
    p = np.array(SUP, dtype=np.float32)
    judge(p, [NUMBER])
    assert p.tolist() == pytest.approx(SUP)


def test_judgement_p_reads_by_label():
    j = judge(SUP, [NUMBER])
    assert j.p("conflicts") == j.scores[1] and j.p(Verification.NEI) == j.scores[2]
    with pytest.raises(ValueError):
        j.p("neutral")


def test_label_of_and_scores_dict():
    assert label_of([0.2, 0.7, 0.1]) is Verification.CONFLICTS
    assert label_of(np.array([0.1, 0.1, 0.8])) is Verification.NEI
    assert label_of([0.4, 0.4, 0.2]) is Verification.SUPPORTS  # a tie goes to the first
    d = scores_dict(np.array([0.123456, 0.5, 0.376544], dtype=np.float32))
    assert list(d) == ["supports", "conflicts", "nei"]
    assert d == {"supports": 0.1235, "conflicts": 0.5, "nei": 0.3765}
    assert all(type(k) is str for k in d)  # plain strings: JSON and CSV write them as they are
    with pytest.raises(ValueError):
        scores_dict([0.5, 0.5])  # a stance row of another length is refused, not truncated


class _FixedLogits(VerifyModel):
    def logits(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        return np.tile(np.array([2.0, 0.0, 0.0], dtype=np.float32), (len(claims), 1))


def test_scores_divide_the_logits_by_the_temperature():
    sharp = _FixedLogits(None, None, temperature=1.0).scores(["c"], ["e"])
    soft = _FixedLogits(None, None, temperature=2.0).scores(["c"], ["e"])
    assert sharp[0].tolist() == pytest.approx(softmax(np.array([[2.0, 0.0, 0.0]]))[0].tolist())
    assert soft[0].tolist() == pytest.approx(softmax(np.array([[1.0, 0.0, 0.0]]))[0].tolist())
    assert soft[0, 0] < sharp[0, 0]


def test_no_pairs_no_work():
    out = VerifyModel(None, None).scores([], [])  # no model needed: nothing is run
    assert out.shape == (0, 3)


def test_missing_model_names_the_training_script(tmp_path):
    with pytest.raises(ModelMissingError) as e:
        load_verifier(tmp_path)
    msg = str(e.value)
    assert "scripts/train_verify.py" in msg and str(tmp_path) in msg
    assert isinstance(e.value, FactcheckError) and "\n" not in msg  # the CLI shows it as one line


def test_a_folder_without_a_config_is_missing_too(tmp_path):
    (tmp_path / "calibration.json").write_text('{"temperature": 1.5}')
    with pytest.raises(ModelMissingError, match="train_verify.py"):
        load_verifier(str(tmp_path))


# --- through the facade ----------------------------------------------------------------------

class KeywordVerifier:
    """'agrees' supports, 'denies' conflicts, else nei; records what it was asked."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []

    def scores(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        self.pairs += list(zip(claims, evidence, strict=True))
        return np.asarray([SUP if "agrees" in e else CON if "denies" in e else NEI for e in evidence],
                          dtype=np.float32)


@pytest.fixture
def fc(tmp_path):
    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    f = Factcheck(Settings(store_dir=tmp_path / "store"), verifier=KeywordVerifier())
    yield f
    f.store.close()


def test_facade_verify_judges_each_pair(fc):
    claims = ["Police made 30 arrests", "Police made 30 arrests", "Police made 30 arrests"]
    evidence = ["The report agrees police made 30 arrests.", "The report agrees police made 13 arrests.",
                "The chief denies police made 30 arrests."]
    out = fc.verify(claims, evidence)
    assert all(isinstance(j, Judgement) for j in out)
    assert [j.label for j in out] == ["supports", "conflicts", "conflicts"]
    assert out[1].blocked_by is not None and out[1].blocked_by.kind == "number"
    assert (out[1].blocked_by.claim_text, out[1].blocked_by.passage_text) == ("30", "13")
    assert out[1].model_label == "supports" and out[2].blocked_by is None
    assert fc.verifier.pairs == list(zip(claims, evidence, strict=True))  # the given verifier, one pass


def test_facade_verify_refuses_unequal_lists(fc):
    with pytest.raises(FactcheckError, match="2 claims but 1 evidence"):
        fc.verify(["a", "b"], ["c"])
    assert fc.verify([], []) == []


def test_another_place_named_beside_the_claims_blocks_nothing_another_person_does():
    place = Mismatch("entity", (0, 6), (10, 14), "Mexico", "U.S.", "place")
    person = Mismatch("entity", (0, 5), (10, 15), "Smith", "Jones", "name")
    assert judge(SUP, [place]).label == Verification.SUPPORTS
    assert judge(SUP, [person]).label == Verification.NEI


def test_a_place_swapped_in_a_list_the_passage_otherwise_keeps_blocks_support():
    swapped = Mismatch("entity", (0, 7), (10, 17), "Florida", "Georgia", "place", swapped=True)
    assert judge(SUP, [swapped]).label != Verification.SUPPORTS
