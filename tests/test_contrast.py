"""The contrastive-pair generator: each transformation does what its label promises, and runs are seeded."""
from __future__ import annotations

import random

import pytest

from factcheck import contrast
from factcheck.labels import Verification
from factcheck.mismatch import find_mismatches, numbers

STORY = [
    "The Senate approved the bill 52-48 on Thursday, and the House is expected to vote next week.",
    "Homicides fell 25% in the first nine months, to 84,000 cases, officials said.",
    "Sheinbaum said U.S. military intervention in Mexico is unnecessary.",
    "Police arrested 13 people after the protest in Portland, the city's mayor, Ted Wheeler, said.",
    "The company did not confirm the layoffs in its statement to investors.",
]


def test_numbers_are_rewritten_not_changed():
    out = contrast.rewrite_numbers("Homicides fell 25% in the first nine months, to 84,000 cases.")
    assert out == "Homicides fell 25 percent in the first nine months, to 84 thousand cases."
    assert sorted(n.value for n in numbers(out)) == sorted(n.value for n in numbers(
        "Homicides fell 25% in the first nine months, to 84,000 cases."))
    assert contrast.rewrite_numbers("No figures here at all.") is None


def test_attribution_moves_both_ways():
    assert contrast.move_attribution("Homicides fell sharply in the first nine months, Sheinbaum said.") == \
        "Sheinbaum said that homicides fell sharply in the first nine months."
    assert contrast.move_attribution("Sheinbaum said U.S. military intervention in Mexico is unnecessary.") == \
        "U.S. military intervention in Mexico is unnecessary, Sheinbaum said."


def test_clause_lead_and_appositive_drop_only_detail():
    assert contrast.first_clause(STORY[0]) == "The Senate approved the bill 52-48 on Thursday."
    assert contrast.drop_lead("On Monday, the court ruled that the law was unconstitutional.") == \
        "The court ruled that the law was unconstitutional."
    assert contrast.drop_lead("This means the end of the menu, apple pie and large size items.") is None
    dropped = contrast.drop_appositive(STORY[3])
    assert dropped is not None and "Ted Wheeler" in dropped and "mayor" not in dropped


@pytest.mark.parametrize("seed", range(5))
def test_changed_number_differs_and_is_found_as_a_mismatch(seed):
    rng = random.Random(seed)
    out = contrast.change_number(STORY[1], rng)
    assert out is not None and out != STORY[1]
    assert any(m.kind == "number" for m in find_mismatches(out, STORY[1], entities=False))


def test_date_change_swaps_a_weekday_month_or_year():
    rng = random.Random(1)
    out = contrast.change_date(STORY[0], rng)
    assert out is not None and "Thursday" not in out
    assert any(m.kind == "date" for m in find_mismatches(out, STORY[0], entities=False))
    assert contrast.change_date("No dates at all in this sentence here.", rng) is None


def test_polarity_adds_or_removes_a_negation():
    rng = random.Random(0)
    assert contrast.flip_polarity(STORY[4], rng) == "The company did confirm the layoffs in its statement to investors."
    added = contrast.flip_polarity("The plan was approved by the council last week.", rng)
    assert added == "The plan was not approved by the council last week."
    # a sentence that already negates something is not negated twice
    assert contrast.flip_polarity("No dissent was filed in either case.", rng) is None


def test_outcome_reversed_from_the_lexicon():
    rng = random.Random(0)
    out = contrast.reverse_outcome(STORY[2], rng)
    assert out == "Sheinbaum said U.S. military intervention in Mexico is necessary."
    assert contrast.OPPOSITES["won"] == "lost" and contrast.OPPOSITES["lost"] in ("won", "gained")
    assert contrast.OPPOSITES["approved"] == "rejected" and contrast.OPPOSITES["arrested"] == "released"
    assert len(contrast.OPPOSITES) > 150  # a lexicon, not a hand-picked few


def test_name_swap_uses_the_pool_and_skips_calendar_words():
    rng = random.Random(3)
    out = contrast.swap_name("The mayor, Ted Wheeler, met Kate Brown on Monday.", rng, ["Nancy Pelosi"])
    assert out is not None and "Nancy Pelosi" in out and "Monday" in out
    assert contrast.swap_name("The mayor met the governor on Monday.", rng, ["Nancy Pelosi"]) is None


def test_added_detail_goes_before_the_attribution():
    rng = random.Random(2)
    out = contrast.add_detail(STORY[1], rng)
    assert out is not None and out.endswith(", officials said.") and len(out) > len(STORY[1])


def test_make_pairs_is_seeded_and_labels_follow_the_edits():
    a = contrast.make_pairs(STORY, random.Random(7), names_pool=["Nancy Pelosi", "Canada"])
    b = contrast.make_pairs(STORY, random.Random(7), names_pool=["Nancy Pelosi", "Canada"])
    assert a == b and a
    assert a != contrast.make_pairs(STORY, random.Random(8), names_pool=["Nancy Pelosi", "Canada"])
    labels = {p.label for p in a}
    assert labels == {Verification.SUPPORTS, Verification.CONFLICTS, Verification.NEI}
    for p in a:
        assert p.evidence in STORY
        if p.label == Verification.CONFLICTS:
            assert p.claim != p.evidence
        if p.how == "other-sentence":
            assert p.claim in STORY and p.claim != p.evidence
    assert max(sum(1 for p in a if p.evidence == s) for s in STORY) <= 3


def test_short_or_question_sentences_make_no_pairs():
    assert contrast.make_pairs(["Too short.", "Is this a question about the council vote today?"],
                               random.Random(0)) == []


@pytest.mark.parametrize("seed", range(12))
def test_cross_pairs_change_only_a_detail_the_other_outlet_carries(seed):
    claim = "The Senate passed the bill 52-48 on Thursday after a long debate."
    evidence = "On Thursday senators voted 52-48 to approve the bill, sending it to the House."
    pairs = contrast.cross_pairs(claim, evidence, random.Random(seed), names_pool=["Nancy Pelosi"])
    conflicts = [p for p in pairs if p.label == Verification.CONFLICTS]
    nei = [p for p in pairs if p.label == Verification.NEI]
    assert len(nei) == 1 and nei[0].claim != claim and nei[0].how == "cross-detail-added"
    assert all(p.evidence == evidence for p in pairs)
    for p in conflicts:  # the edited-away word is one the other outlet says: "52", "48" or "Thursday"
        removed = contrast._words(claim) - contrast._words(p.claim)
        assert removed and removed <= contrast._words(evidence), (p.how, p.claim)
        assert p.how in ("cross-number", "cross-date")


def test_cross_pairs_skip_a_detail_the_other_outlet_never_states():
    claim = "Police arrested 13 people in Portland, the mayor said."
    evidence = "Several protesters were detained by officers downtown, according to city officials."
    for seed in range(20):
        pairs = contrast.cross_pairs(claim, evidence, random.Random(seed))
        assert not [p for p in pairs if p.label == Verification.CONFLICTS]  # "13" / "Portland" are not there


def test_cross_pairs_keep_to_the_kinds_asked_for_and_the_unsettled_share():
    claim = "The Senate did approve the bill 52-48 on Thursday after a long debate."
    evidence = "On Thursday senators voted 52-48 to approve the bill, sending it to the House."
    made = [p for seed in range(20)
            for p in contrast.cross_pairs(claim, evidence, random.Random(seed), kinds=("polarity",), unsettled=0.0)]
    assert made and {p.how for p in made} == {"cross-polarity"}
    assert all(" not " in p.claim for p in made)
    assert all(p.how == "cross-detail-added" for p in contrast.cross_pairs(claim, evidence, random.Random(1),
                                                                           kinds=(), unsettled=1.0))


@pytest.mark.parametrize("seed", range(8))
def test_minimal_pairs_edit_the_supported_claim_not_the_sentence(seed):
    pairs = contrast.make_pairs(STORY, random.Random(seed), names_pool=["Nancy Pelosi", "Canada"], minimal=True)
    assert pairs
    by_sentence: dict[str, dict] = {}
    for p in pairs:
        by_sentence.setdefault(p.evidence, {})[p.label] = p
    edited = 0
    for sent, made in by_sentence.items():
        sup, con = made.get(Verification.SUPPORTS), made.get(Verification.CONFLICTS)
        if con is None:
            continue
        # every word the edit took away is one the evidence has: the sentence contradicts, not merely omits
        words = contrast._words
        assert words(sup.claim if sup and sup.how != "copy" else sent) - words(con.claim) <= words(sent)
        if sup is not None and sup.how != "copy":
            # the contradicted claim is the supported one with one detail changed: same length, not the sentence
            assert con.how.startswith(sup.how + "+")
            assert abs(len(con.claim.split()) - len(sup.claim.split())) <= 3  # a name may be longer
            assert len(words(con.claim) ^ words(sup.claim)) <= 6
            edited += 1
    assert edited, "no sentence had a supported claim to edit"


def test_minimal_off_writes_what_it_always_wrote():
    # the transformations the generator drew for this story and seed before `minimal` existed (commit 14ba854):
    # the shipped verifier's pairs stay reproducible
    before = [("clause", "supports"), ("detail-added", "nei"), ("polarity", "conflicts"), ("number", "conflicts"),
              ("numbers-rewritten", "supports"), ("detail-added", "nei"), ("attribution-moved", "supports"),
              ("opposite", "conflicts"), ("other-sentence", "nei"), ("appositive-dropped", "supports"),
              ("other-sentence", "nei"), ("name", "conflicts"), ("opposite", "conflicts"), ("other-sentence", "nei"),
              ("copy", "supports")]
    made = contrast.make_pairs(STORY, random.Random(7), names_pool=["Nancy Pelosi", "Canada"])
    assert [(p.how, str(p.label)) for p in made] == before
    assert made == contrast.make_pairs(STORY, random.Random(7), names_pool=["Nancy Pelosi", "Canada"], minimal=False)
