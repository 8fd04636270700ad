"""factcheck.ui.render: escaping and highlighting, without running an app."""
from __future__ import annotations

import re

from factcheck import escape
from factcheck.mismatch import Mismatch
from factcheck.records import Passage
from factcheck.ui import render

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"


def test_md_escapes_every_markdown_construct():
    out = escape.markdown(HOSTILE + " **bold** :red[x] $x$")
    # every markdown character is preceded by a backslash, so none can start a tag, link or directive
    assert not re.search(r"(?<!\\)[<>\[\]()*:$]", out)
    assert out.replace("\\", "") == " ".join((HOSTILE + " **bold** :red[x] $x$").split())


def test_dashboard_and_report_share_one_markdown_escaper():
    """The report's cells once escaped fewer characters and left the backslash alone (issue 16)."""
    from factcheck import report
    from factcheck.verdict import Check, decide

    hostile = "\\<img src=x onerror=alert(1)\\> a\\|b ![i](x.png) &lt; \x1b]0;t\x07"
    assert f"### {escape.markdown(hostile)}\n" in report.to_markdown(checks=[Check(hostile, None, decide(()), ())])
    assert escape.markdown(hostile).startswith("\\\\\\<img")  # the backslash escaped, then the '<'
    assert "\x1b" not in escape.markdown(hostile) and "\\\\u001b" in escape.markdown(hostile)


def test_marked_escapes_text_and_marks_spans():
    text = "a <b> c 25%"
    out = escape.marked(text, [(8, 11, "fc-mismatch")], titles=['"quoted" <tip>'])
    assert out == 'a &lt;b&gt; c <mark class="fc-mismatch" title="&quot;quoted&quot; &lt;tip&gt;">25%</mark>'


def test_marked_survives_overlapping_and_stale_spans():
    out = escape.marked("abcdef", [(1, 4, "x"), (2, 5, "y"), (4, 99, "z"), (-5, 0, "w")])
    assert out == 'a<mark class="x">bcd</mark><mark class="z">ef</mark>'  # y overlaps x: dropped


def test_article_html_marks_claims_keeps_paragraphs_and_drops_chrome():
    text = "Share this! Rates fell 25%. Officials agreed.\nNice weather today."
    body = [Passage(1, 1, "S", "body", 0, 12, 27, "Rates fell 25%.", 0.9),
            Passage(2, 1, "S", "body", 1, 28, 45, "Officials agreed.", 0.2),
            Passage(3, 1, "S", "body", 2, 46, 65, "Nice weather today.", 0.1)]
    out = render.article_html(text, body, threshold=0.5)
    assert "Share this" not in out
    claim = '<mark class="fc-claim" title="claim · check-worthiness 0.90">Rates fell 25%.</mark>'
    assert claim + " Officials agreed." in out
    assert "agreed.\n\nNice weather" in out


def test_hostile_article_html_is_inert():
    body = [Passage(1, 1, "S", "body", 0, 0, len(HOSTILE), HOSTILE, 0.9)]
    out = render.article_html(HOSTILE, body, threshold=0.5)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_box_escapes_text_and_note():
    out = render.box(HOSTILE, stance="supports", note="<b>n</b>")
    assert "<script>" not in out and "<b>n</b>" not in out
    assert "#2e7d32" in out


def _evidence(**kw):
    from factcheck.verdict import Evidence
    from factcheck.verify import label_of

    base = dict(text="<b>Sheinbaum</b> said homicides fell 13%", source="B", article_id=1, passage_id=1,
                scores=(0.8, 0.1, 0.1), mismatches=(), similarity=0.7)
    base.update(kw)
    return Evidence(label=label_of(base["scores"]), **base)


NUMBER = Mismatch("number", (15, 18), (37, 40), "30%", "13%")


def test_evidence_html_names_its_label_in_words_and_escapes_the_passage():
    out = render.evidence_html("x", _evidence())
    assert "<b>states it</b> · p = 0.80 · similarity 0.70" in out
    assert "<b>Sheinbaum</b> said" not in out and "&lt;b&gt;Sheinbaum&lt;/b&gt;" in out
    assert "border-left-color:#2e7d32" in out and "verifier read" not in out and "deciding passage" not in out
    con = render.evidence_html("x", _evidence(scores=(0.1, 0.7, 0.2)))
    assert "<b>contradicts it</b> · p = 0.70" in con and "#c62828" in con
    nei = render.evidence_html("x", _evidence(scores=(0.1, 0.1, 0.8)))
    assert "<b>does not settle it</b> · p = 0.80" in nei and "#90a4ae" in nei


def test_evidence_html_says_which_detail_kept_a_passage_from_supporting():
    blocked = _evidence(scores=(0.0, 0.66, 0.34), model_scores=(0.8, 0.1, 0.1), blocked_by=NUMBER,
                        mismatches=(NUMBER,))
    out = render.evidence_html("Homicides fell 30% in 2025", blocked)
    assert "<b>contradicts it</b> · p = 0.66 · verifier read states it (p = 0.80), but the number differs" in out
    # the differing detail is marked in the passage and in the claim
    assert "Differing number — in the claim:" in out
    assert 'title="number: the claim says “30%”">13%</mark>' in out
    assert 'title="number: the passage says “13%”">30%</mark>' in out


def test_evidence_html_says_when_a_gate_left_it_unsettled():
    gated = _evidence(scores=(0.0, 0.0, 1.0), model_scores=(0.45, 0.2, 0.35))
    out = render.evidence_html("x", gated)
    assert "<b>does not settle it</b> · p = 1.00 · verifier read states it (p = 0.45), but too weak" in out


def test_evidence_html_marks_the_deciding_passage_reported_statements_and_copies():
    out = render.evidence_html("x", _evidence(reported=True, duplicate_of=3), deciding=True)
    assert out.count("deciding passage") == 1 and "<b>deciding passage</b> · <b>states it</b>" in out
    assert "gives it as someone's statement" in out and "near-duplicate wording, counted once" in out


def test_evidence_html_marks_a_negation_the_passage_lacks_only_in_the_claim():
    lacking = Mismatch("negation", (5, 8), (-1, -1), "not", "")
    absent_in_claim = Mismatch("negation", (-1, -1), (0, 4), "", "<b>S")
    out = render.evidence_html("Rate not cut", _evidence(scores=(0.1, 0.7, 0.2), mismatches=(lacking,)))
    assert 'the passage says “nothing”">not</mark>' in out and out.count("<mark") == 1
    out = render.evidence_html("Rate cut", _evidence(scores=(0.1, 0.7, 0.2), mismatches=(absent_in_claim,)))
    assert out.count("<mark") == 1 and "<b>" not in out.replace("<b>contradicts it</b>", "")


def test_the_passage_shown_is_the_deciding_one_else_the_closest():
    from factcheck.verdict import Check, decide

    weak = _evidence(passage_id=1, scores=(0.6, 0.2, 0.2), similarity=0.9)
    strong = _evidence(passage_id=2, scores=(0.9, 0.05, 0.05), similarity=0.5)
    near = _evidence(source="C", passage_id=3, scores=(0.1, 0.1, 0.8), similarity=0.8)
    far = _evidence(source="C", passage_id=4, scores=(0.1, 0.1, 0.8), similarity=0.6)
    evs = (weak, strong, near, far)
    check = Check("x", None, decide(evs), evs)
    assert check.deciding("B").passage_id == 2  # the most probable side, not the most similar passage
    assert check.deciding("C").passage_id == 3
    assert check.deciding("D") is None
