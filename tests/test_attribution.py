import pytest

from factcheck.attribution import claim_speaker, names, reports_statement


@pytest.mark.parametrize("claim,speaker", [
    ("Mexico's homicide rate has dropped significantly, Sheinbaum said", "Sheinbaum"),
    ("Homicides fell 25% in 2025, Claudia Sheinbaum said on Friday.", "Sheinbaum"),
    ("Mexican President Claudia Sheinbaum said homicides fell", "Sheinbaum"),
    ("According to the Interior Ministry, homicides fell", "Ministry"),
    ("Homicides fell, according to Sheinbaum", "Sheinbaum"),
    ("Mexico's homicide rate has dropped significantly", None),
    ("Homicides fell, officials said", None),
    ("She said homicides fell", None),
    ("Canada closed its border with Mexico", None),
])
def test_claim_speaker(claim, speaker):
    assert claim_speaker(claim) == speaker


def test_reports_statement_needs_a_verb_of_saying():
    assert reports_statement("She cited progress, pointing to a substantial decrease in the homicide rate")
    assert reports_statement("Homicides fell by a quarter, according to the ministry")
    assert not reports_statement("Homicides fell by a quarter in 2025")


def test_names_matches_whole_words_and_possessives():
    assert names("President Sheinbaum's office said", "Sheinbaum")
    assert names("Sheinbaum said", "Sheinbaum")
    assert not names("Sheinbaumist writers said", "Sheinbaum")
