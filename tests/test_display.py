"""display: every label drawn has a colour, every verdict a badge, and the texts people read."""
from __future__ import annotations

import re

from factcheck import display
from factcheck.labels import Carried, MismatchKind, SourceStance, VerdictLabel, Verification
from factcheck.mismatch import Mismatch

HEX = re.compile(r"#[0-9a-f]{6}")


def test_every_label_member_has_a_colour():
    for enum in (Verification, SourceStance, Carried, VerdictLabel):
        missing = [m for m in enum if m not in display.COLOURS and m is not VerdictLabel.SINGLE_SOURCE
                   and m is not VerdictLabel.NOT_ENOUGH_EVIDENCE]
        assert not missing, f"{enum.__name__} has no colour for {missing}"
    assert all(HEX.fullmatch(c) for c in display.COLOURS.values())
    assert all(HEX.fullmatch(c) for c in display.TEXT_COLOURS.values())


def test_every_verdict_has_a_badge_and_every_verification_its_words():
    assert set(display.BADGES) == set(VerdictLabel)
    assert set(Verification) <= set(display.WORDS)
    assert display.WORDS[Verification.SUPPORTS] != display.WORDS[Verification.CONFLICTS]


def test_claim_labels_and_when_text():
    assert display.claim_labels(3) == ["C1", "C2", "C3"] and display.claim_labels(0) == []
    assert display.when_text(None, True) == "unknown"
    assert display.when_text("2024-03-01", True) == "2024-03-01"
    assert display.when_text("2024-03-01T10:20:30.123", False) == "no date; ingested 2024-03-01 10:20"


def test_differing_html_marks_each_side_escaped_and_titled():
    m = Mismatch(MismatchKind.NUMBER, claim_span=(4, 6), passage_span=(4, 6), claim_text="12", passage_text="<9")
    claim = display.differing_html("Won 12 <seats>", [m], side="claim")
    assert "&lt;seats&gt;" in claim and claim.count("fc-mismatch") == 1 and "12" in claim
    assert "the passage says" in claim
    passage = display.differing_html("Won <9 seats", [m], side="passage")
    assert "&lt;9" in passage and "the claim says" in passage
    absent = Mismatch(MismatchKind.NEGATION, claim_span=(0, 3), passage_span=(-1, -1), claim_text="not",
                      passage_text="")
    assert "fc-mismatch" not in display.differing_html("Won seats", [absent], side="passage")
