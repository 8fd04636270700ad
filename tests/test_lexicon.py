"""Each word list of factcheck.lexicon: what its readers rely on, and the regexes built from it."""
from __future__ import annotations

import re

import numpy as np
import pytest

from factcheck import lexicon as lx
from factcheck.attribution import reports_statement
from factcheck.contrast import OPPOSITES
from factcheck.ingest.clean import DATE_PATTERN, parse_date
from factcheck.mismatch import OPPOSITE_OUTCOMES, find_mismatches, numbers
from factcheck.snippet import REFUTATION_CUE
from factcheck.verdict import points_back

# every ordered list: a repeated entry is a typo or a merge left half done
TUPLES = {name: value for name, value in vars(lx).items()
          if name.isupper() and isinstance(value, tuple) and all(isinstance(w, str) for w in value)}
# entries compared as typed, not lower-cased (none today: a cased list names itself here)
CASED: set[str] = set()


@pytest.mark.parametrize("name", sorted(TUPLES))
def test_each_list_has_no_duplicates_and_no_stray_case_or_space(name):
    words = TUPLES[name]
    assert words and len(set(words)) == len(words)
    assert all(w == w.strip() and "  " not in w for w in words)
    if name not in CASED:
        assert all(w == w.lower() for w in words), name


@pytest.mark.parametrize("name", sorted(TUPLES))
def test_each_list_makes_a_valid_regex(name):
    re.compile(r"\b(" + lx.alternation(TUPLES[name]) + r")\b")


def test_alternation_and_nested_forms():
    assert lx.alternation(("a", "b(?:c)?")) == "a|b(?:c)?"
    assert lx.nested_forms(("sep", "sept", "september")) == "sep(?:t(?:ember)?)?"
    assert lx.nested_forms(("may",)) == "may"
    rx = re.compile(rf"^(?:{lx.nested_forms(('jun', 'june'))})$")
    assert rx.match("jun") and rx.match("june") and not rx.match("junee")


# --- calendar -----------------------------------------------------------------------------------------------
def test_calendar_in_order_and_complete():
    assert len(lx.WEEKDAYS) == 7 and lx.WEEKDAYS[0] == "monday" and lx.WEEKDAYS[-1] == "sunday"
    assert len(lx.MONTHS) == 12 and lx.MONTHS.index("may") == 4 and lx.MONTHS[-1] == "december"
    assert lx.unambiguous_months() == tuple(m for m in lx.MONTHS if m != "may")


def test_month_abbreviations_are_prefixes_shortest_first_and_three_letters_tell_months_apart():
    assert list(lx.MONTH_ABBREVIATIONS) == list(lx.MONTHS)
    for month, short in lx.MONTH_ABBREVIATIONS.items():
        forms = (*short, month)
        assert all(b.startswith(a) and len(a) < len(b) for a, b in zip(forms, forms[1:], strict=False)), month
        assert all(len(s) >= 3 for s in short)
    assert len({m[:3] for m in lx.MONTHS}) == 12  # clean reads a month by its first three letters


def test_date_pattern_built_from_the_calendar():
    rx = re.compile(DATE_PATTERN)
    for text in ("January 17, 2026", "Jan. 17, 2026", "Sept 3, 2025", "sep. 3", "17 June 2024", "jun 17",
                 "Monday, May 5, 2025", "2026-01-17"):
        assert rx.fullmatch(text), text
    for text in ("Janu 17", "Mayday 5", "Mon, May 5"):
        assert not rx.fullmatch(text), text
    assert parse_date("Published Tuesday, Sept. 9, 2025") == "2025-09-09"
    assert parse_date("WASHINGTON, 3 December 2024 (AP) —") == "2024-12-03"


def test_may_the_verb_is_no_date_in_mismatch():
    assert find_mismatches("Prices may rise in June.", "Prices rose in July.", entities=False)[0].kind == "date"
    assert not [m for m in find_mismatches("Prices may rise in June.", "In June, prices rose.", entities=False)
                if m.kind == "date"]


# --- numbers ------------------------------------------------------------------------------------------------
def test_number_words_worth_what_they_say():
    assert lx.NUMBER_WORDS["zero"] == 0 and lx.NUMBER_WORDS["twenty"] == 20 and lx.NUMBER_WORDS["dozen"] == 12
    assert lx.CARDINALS[2:13][0] == "two" and lx.CARDINALS[2:13][-1] == "twelve"  # what contrast draws from
    assert all(lx.NUMBER_WORDS[w] == i for i, w in enumerate(lx.CARDINALS))
    assert lx.SCALES["bn"] == lx.SCALES["billion"] == 1e9
    assert "first" not in lx.ORDINALS and lx.ORDINALS["second"] == 2 and lx.ORDINALS["twelfth"] == 12
    assert [n.value for n in numbers("three million people, a 9th place and the twelfth")] == [3e6, 9, 12]


def test_approximations_let_a_rounded_figure_agree():
    assert {"nearly", "almost", "about", "more than", "at least"} <= set(lx.APPROXIMATIONS)
    claim = "There were 4,901 more murders in 2020."
    assert not find_mismatches(claim, "There were almost 5,000 more murders in 2020.", entities=False)
    assert [m.kind for m in find_mismatches(claim, "There were 5,000 more murders in 2020.", entities=False)] == \
        ["number"]


# --- negation -----------------------------------------------------------------------------------------------
def test_negations_and_the_narrower_copies():
    assert {"not", "no", "never", "nobody", "neither", "nor"} <= set(lx.NEGATIONS)
    assert not set(lx.DENIALS) & set(lx.NEGATIONS) and not set(lx.FALSEHOODS) & set(lx.NEGATIONS)


@pytest.mark.parametrize("passage", ["The senator never voted for the bill.", "The senator denied voting for it.",
                                     "The senator didn't vote for it.", "The senator cannot vote for it.",
                                     "Lawmakers failed to vote for it.", "They refused to vote for it."])
def test_negation_words_make_a_negation_mismatch(passage):
    assert [m.kind for m in find_mismatches("The senator voted for the bill.", passage, entities=False)] == \
        ["negation"]


def test_declined_to_is_a_fall_not_a_refusal():
    assert not any(w.startswith("declin") for w in lx.IMPLICIT_NEGATIONS)
    assert "be" in lx.NOT_NEGATED and "override" not in lx.NOT_NEGATED


@pytest.mark.parametrize("text,cue", [("Experts say the image is a hoax made from two photos.", True),
                                      ("The ministry denied the report.", True),
                                      ("The claim was debunked by fact-checkers.", True),
                                      ("There is no evidence of fraud.", True),
                                      ("The shark swam past the bridge.", False),
                                      ("The company said it would hire staff.", False)])
def test_refutations_make_the_snippet_cue(text, cue):
    assert bool(REFUTATION_CUE.search(text)) is cue


def test_contrast_auxiliaries_and_their_contractions():
    assert set(lx.POSITIVE_OF) <= set(lx.NEGATED_AUXILIARIES)
    assert set(lx.POSITIVE_OF.values()) <= set(lx.AUXILIARIES)
    assert all(n.endswith("n't") for n in lx.NEGATED_AUXILIARIES)
    assert set(lx.NEGATED_AUXILIARIES) - set(lx.POSITIVE_OF) == {"doesn't", "didn't", "don't"}


# --- direction ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("words,yes,no", [
    (lx.RISES, ["rose", "risen", "increased", "grew", "surging", "doubled", "soared"], ["up", "rosewood", "fell"]),
    (lx.FALLS, ["fell", "fallen", "dropped", "declined", "plummeted", "shrunk", "shrank", "reduction"],
     ["down", "lower", "cut", "dip", "rose"]),
])
def test_direction_words(words, yes, no):
    rx = re.compile(r"\b(" + lx.alternation(words) + r")\b", re.IGNORECASE)
    assert all(rx.fullmatch(w) for w in yes) and not any(rx.fullmatch(w) for w in no)


def test_a_direction_mismatch_from_the_lists():
    (m,) = find_mismatches("The unemployment rate rose in May.", "The unemployment rate fell in May.",
                           entities=False)
    assert m.kind == "direction" and (m.claim_text, m.passage_text) == ("rose", "fell")
    assert {"sharply", "has", "the"} <= lx.NOT_SUBJECTS and lx.NOT_NEGATED <= lx.NOT_SUBJECTS


# --- opposites ----------------------------------------------------------------------------------------------
def test_opposite_outcomes_are_symmetric_and_narrow():
    assert OPPOSITE_OUTCOMES is lx.OPPOSITE_OUTCOMES
    for word, opposites in lx.OPPOSITE_OUTCOMES.items():
        assert word == word.lower() and len(set(opposites)) == len(opposites)
        assert all(word in lx.OPPOSITE_OUTCOMES[o] for o in opposites), word
    assert lx.OPPOSITE_OUTCOMES["struck down"] == ("upheld",)
    assert lx.OPPOSITE_OUTCOMES["smaller"] == ("larger", "bigger")
    assert "won" in lx.OPPOSITE_OUTCOMES and "lost" not in lx.OPPOSITE_OUTCOMES  # won/lost is left to the verifier
    (m,) = find_mismatches("The court upheld the ban.", "The court struck down the ban.", entities=False)
    assert m.kind == "opposite" and m.passage_text == "struck down"


def test_contrast_opposites_both_ways():
    assert OPPOSITES is lx.CONTRAST_OPPOSITES
    assert OPPOSITES["won"] == "lost" and OPPOSITES["approved"] == "rejected" and OPPOSITES["rose"] == "fell"
    assert all(OPPOSITES[b] == a or OPPOSITES[a] == b for a, b in OPPOSITES.items())
    assert not {"left", "fire", "close", "sign", "pass", "first", "public"} & set(OPPOSITES)
    for row in lx.OPPOSITE_VERB_ROWS.splitlines():  # the same number of forms on each side
        left, right = row.split("|")
        assert len(left.split()) == len(right.split()) == 4, row


# --- who said it --------------------------------------------------------------------------------------------
def test_speech_verbs_as_attribution_reads_them():
    assert {"said", "says", "told", "highlighted", "pointing to"} <= set(lx.SPEECH_VERBS)
    assert reports_statement("She cited progress, pointing to a substantial decrease in the homicide rate")
    assert reports_statement("The minister emphasised the drop.") and reports_statement("He emphasized it.")
    assert not reports_statement("Homicides fell by a quarter in 2025")
    assert all(v in lx.SPEECH_VERBS for v in lx.LEADING_SPEECH_VERBS)
    assert all(v in lx.SPEECH_VERBS or v == "told reporters" for v in lx.TRAILING_SPEECH_VERBS)


def test_not_speakers():
    assert {"officials", "experts", "the", "she"} <= lx.NOT_SPEAKERS
    assert all(w == w.lower() and " " not in w for w in lx.NOT_SPEAKERS)
    assert not {"sheinbaum", "mexico"} & lx.NOT_SPEAKERS


def test_pointing_back():
    assert points_back("She cited progress.") and points_back("“They said so.") and points_back("The 69-year-old fell.")
    assert not points_back("The court ruled.") and not points_back("Shell said so.")


@pytest.mark.parametrize("line,promo", [
    ("Support our journalism: become a member for $5 a month.", True),
    ("Get unlimited access to this article and more with a free trial.", True),
    ("Sign up for our newsletter to get the day's news in your inbox.", True),
    ("Support for the plan fell to 40% in May, the poll showed.", False),  # a noun, not an imperative
    ("Share prices rose after the announcement of the merger.", False),
    ("Check the figures in the report: they do not add up.", False),  # an imperative, but no promotion
])
def test_call_to_action_and_promotion_words(line, promo):
    from factcheck.ingest.clean import _CALL_TO_ACTION, _PROMO

    assert bool(_CALL_TO_ACTION.match(line) and _PROMO.search(line)) is promo
    assert {"subscribe", "support", r"find\s+out"} <= set(lx.CALL_TO_ACTION_VERBS)


def test_percent_units():
    assert [n.unit for n in numbers("up 12%, 12 per cent, 12 percent and 3 percentage points, then 12")] == \
        ["%", "%", "%", "%", ""]


def test_title_small_words():
    assert {"a", "of", "the", "and"} <= lx.TITLE_SMALL_WORDS
    assert not {"news", "today"} & lx.TITLE_SMALL_WORDS


# --- check-worthiness cues ----------------------------------------------------------------------------------
def test_cue_lists_are_what_the_shipped_model_was_trained_on():
    from factcheck.claims import LEXICAL_FEATURES, lexical_features

    # the spec next to the weights names the features; the lists must still produce them
    row = dict(zip(LEXICAL_FEATURES, lexical_features(
        ["On Friday, the ministry said it issued 12 million dollars last year, I think."])[0], strict=True))
    for cue in ("number", "money", "magnitude", "past_tense", "log_words"):
        assert row[cue] > 0, cue
    assert row["question"] == 0
    assert lexical_features(["Half the budget, twice the debt?"])[0].tolist() == pytest.approx(
        [0.0, np.log1p(2), np.log1p(2), 0.0, np.log1p(6), 1.0])
