import json
from pathlib import Path

import numpy as np
import pytest

from factcheck.mismatch import (
    DIRECTION_SHIFT,
    NO_SPAN,
    Mismatch,
    adjust_pair,
    adjust_scores,
    find_mismatches,
    numbers,
)

CASES = json.loads((Path(__file__).parent / "data" / "stance_mismatch_cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["claim"][:30] for c in CASES])
def test_kinds_found(case):
    found = find_mismatches(case["claim"], case["passage"], entities=False)
    assert sorted({m.kind for m in found}) == sorted(case["kinds"])


@pytest.mark.parametrize("case", CASES, ids=[c["claim"][:30] for c in CASES])
def test_spans_point_at_the_text_in_both(case):
    for m in find_mismatches(case["claim"], case["passage"], entities=False):
        if m.claim_span != NO_SPAN:
            assert case["claim"][m.claim_span[0]:m.claim_span[1]] == m.claim_text
        if m.passage_span != NO_SPAN:
            assert case["passage"][m.passage_span[0]:m.passage_span[1]] == m.passage_text


def test_percent_forms_and_words_normalise():
    assert [(n.value, n.unit) for n in numbers("12% then 15 percent, two or 3 million")] == [
        (12.0, "%"), (15.0, "%"), (2.0, ""), (3e6, "")]
    assert numbers("in 2026") == []  # a year is a date, not a quantity


def test_number_mismatch_pairs_the_closest_value():
    (m,) = find_mismatches("Seizures fell 40%", "Seizures fell 45% while arrests fell 10%", entities=False)
    assert (m.claim_text, m.passage_text) == ("40%", "45%")


def test_negation_span_in_the_other_text():
    (m,) = find_mismatches("The CEO did not resign", "The CEO resigned after the vote.", entities=False)
    assert m.claim_text == "not" and m.passage_text == "resigned"


def test_entities_regex_or_spacy_find_a_swapped_name():
    found = find_mismatches("Marco Rubio met Claudia Sheinbaum", "Antony Blinken met Claudia Sheinbaum")
    ents = [m for m in found if m.kind == "entity"]
    assert ents and ents[0].claim_text == "Marco Rubio" and ents[0].passage_text == "Antony Blinken"


def test_shared_entity_is_no_mismatch():
    found = find_mismatches("Claudia Sheinbaum spoke", "President Sheinbaum spoke on Friday")
    assert not [m for m in found if m.kind == "entity"]


def test_direction_mismatch_moves_support_to_conflict():
    mm = (Mismatch("direction", (0, 4), (0, 4), "rose", "fell"),)
    p = adjust_scores([0.7, 0.1, 0.15, 0.05], mm)
    assert p[0] == pytest.approx(0.7 * (1 - DIRECTION_SHIFT))
    assert p[1] == pytest.approx(0.1 + 0.7 * DIRECTION_SHIFT)
    assert p.sum() == pytest.approx(1.0)


def test_no_shift_unless_the_pair_reads_as_support():
    mm = (Mismatch("direction", (0, 4), (0, 4), "rose", "fell"),)
    assert np.allclose(adjust_scores([0.1, 0.1, 0.1, 0.7], mm), [0.1, 0.1, 0.1, 0.7])
    assert np.allclose(adjust_scores([0.3, 0.2, 0.4, 0.1], mm), [0.3, 0.2, 0.4, 0.1])


def test_no_shift_for_other_kinds():
    num = (Mismatch("number", (0, 2), (0, 2), "12", "15"),)
    assert np.allclose(adjust_scores([0.7, 0.1, 0.15, 0.05], num), [0.7, 0.1, 0.15, 0.05])


def test_adjust_pair_end_to_end():
    p = adjust_pair("Homicides rose sharply", "Homicides decreased substantially", np.array([0.8, 0.1, 0.05, 0.05]))
    assert np.argmax(p) == 1


def test_opposite_outcome_is_found_with_spans_in_both_texts():
    claim = "Sheinbaum said U.S. military intervention in Mexico is necessary."
    passage = "She reiterated that U.S. military intervention in the country is unnecessary."
    (m,) = find_mismatches(claim, passage, entities=False)
    assert m.kind == "opposite" and (m.claim_text, m.passage_text) == ("necessary", "unnecessary")
    assert claim[m.claim_span[0]:m.claim_span[1]] == "necessary"
    assert passage[m.passage_span[0]:m.passage_span[1]] == "unnecessary"


def test_opposite_needs_the_passage_to_lack_the_claims_word():
    # both words present: the passage discusses both outcomes, no mismatch
    assert not find_mismatches("The court upheld the ruling.", "Some expected it to be overturned, but it was "
                               "upheld.", entities=False)
    assert not find_mismatches("The council approved the plan.", "The council approved the plan on Monday.",
                               entities=False)
    (m,) = find_mismatches("The council approved the plan.", "The council rejected the plan.", entities=False)
    assert m.kind == "opposite"


def test_direction_words_are_not_reported_twice_as_opposites():
    found = find_mismatches("Homicides increased last year.", "Homicides decreased last year.", entities=False)
    assert [m.kind for m in found] == ["direction"]


@pytest.mark.parametrize(("claim", "passage", "pair"), [
    ("Biden's margin in the recount was slightly smaller than on Election Day.",
     "The hand recount found Biden's margin slightly larger than the official count.", ("smaller", "larger")),
    ("The Liberal Party was defeated in Monday's election.",
     "Trudeau's Liberals won Monday's election but fell short of a majority.", ("defeated", "won")),
    ("Fewer migrants were stopped in July.", "More migrants were stopped in July than in any month since 2000.",
     ("Fewer", "More")),
])
def test_comparatives_and_a_defeat_are_opposites(claim, passage, pair):
    found = [m for m in find_mismatches(claim, passage, entities=False) if m.kind == "opposite"]
    assert [(m.claim_text, m.passage_text) for m in found] == [pair]


def test_a_word_with_several_opposites_matches_any_of_them():
    (m,) = find_mismatches("The crowd was smaller than expected.", "The crowd was bigger than expected.",
                           entities=False)
    assert (m.claim_text, m.passage_text) == ("smaller", "bigger")
    both = find_mismatches("The crowd was smaller than expected, not larger.", "The crowd was larger.",
                           entities=False)
    assert "opposite" not in [m.kind for m in both]  # the claim names both: not an opposite


@pytest.mark.parametrize(("claim", "passage"), [
    ("Louisiana legislators could not muster enough votes to overturn the veto.",
     "Louisiana lawmakers failed to override the governor's veto."),
    ("Trudeau's Liberals did not win enough seats for a majority.",
     "Trudeau fell short of winning a majority in the elections."),
])
def test_a_negation_worded_as_a_verb_is_still_a_negation(claim, passage):
    assert "negation" not in [m.kind for m in find_mismatches(claim, passage, entities=False)]


def test_a_failure_in_the_passage_against_a_success_is_a_negation_mismatch():
    (m,) = find_mismatches("Lawmakers voted to override the veto.", "Lawmakers failed to override the veto.",
                           entities=False)
    assert m.kind == "negation" and m.passage_text == "failed to" and m.claim_text == "override"


def test_a_claims_own_wording_of_a_negation_is_left_to_the_verifier():
    # "lacking justification" is the passage's "unjustified": no word list sees both as negations
    assert not find_mismatches("The panel called it an arbitrary line lacking justification.",
                               "The panel said the rule draws an arbitrary, unjustified line.", entities=False)


def test_a_rate_that_declined_is_not_a_refusal():
    assert not find_mismatches("The jobless rate slipped to 4.8% in September.",
                               "The unemployment rate declined to 4.8% in September.", entities=False)


@pytest.mark.model
def test_a_place_swapped_in_a_list_is_marked_and_a_place_named_beside_is_not():
    (swap,) = [m for m in find_mismatches("The landlords who sued were from Alabama and Florida.",
                                          "Landlords in Alabama and Georgia challenged the moratorium.")
               if m.kind == "entity"]
    assert (swap.claim_text, swap.passage_text, swap.group, swap.swapped) == ("Florida", "Georgia", "place", True)
    beside = [m for m in find_mismatches("Mexico's homicide rate has dropped significantly.",
                                         "The country's homicide rate fell, crediting joint work with U.S. agencies.")
              if m.kind == "entity"]
    assert all(not m.swapped for m in beside)


def _kinds(claim: str, passage: str) -> list[str]:
    return [m.kind for m in find_mismatches(claim, passage, entities=False)]


def test_a_hedged_figure_agrees_with_a_close_one_and_not_with_a_far_one():
    claim = "The U.S. saw 4,901 more murders in 2020."
    assert _kinds(claim, "There were almost 5,000 more murders in 2020.") == []
    assert _kinds(claim, "There were nearly 6,000 more murders in 2020.") == ["number"]
    assert _kinds(claim, "There were 5,000 more murders in 2020.") == ["number"]  # no hedge: another figure


def test_a_year_the_claim_names_or_a_record_reaches_back_to_contradicts_nothing():
    claim = "The U.S. saw 4,901 more murders in 2020 than in 2019."
    assert _kinds(claim, "Murders jumped by 4,901 in 2020 compared with the previous year.") == []
    assert _kinds(claim, "4,901 more murders in 2020, the largest leap since records started in 1960.") == []
    assert _kinds("The law was passed in 2019.", "The law was passed in 2018.") == ["date"]


def test_direction_is_read_for_what_moved_not_for_any_word_of_the_passage():
    claim = "The unemployment rate rose to 4.8% in September."
    passage = "Payrolls increased by 194,000 in September as the unemployment rate fell to 4.8%."
    (m,) = find_mismatches(claim, passage, entities=False)
    assert m.kind == "direction" and (m.claim_text, m.passage_text) == ("rose", "fell")
    assert passage[m.passage_span[0]:m.passage_span[1]] == "fell"
    assert _kinds(claim, "Payrolls fell by 10,000 while the unemployment rate rose to 4.8%.") == []


def test_ranks_are_figures_and_a_hyphenated_name_is_not():
    assert _kinds("The 9th Circuit ruled on it.", "The 4th Circuit ruled on it.") == ["number"]
    assert _kinds("The 9th Circuit ruled on it.", "The Ninth Circuit ruled on it.") == []
    assert [n.text for n in numbers("The COVID-19 trial of the F-35 had 21 cases")] == ["21"]


def test_struck_down_is_the_opposite_of_upheld():
    (m,) = find_mismatches("The Supreme Court upheld the moratorium.",
                           "The Supreme Court struck down the moratorium.", entities=False)
    assert m.kind == "opposite" and m.passage_text == "struck down"
