"""factcheck.ui.render: escaping and highlighting, without running an app."""
from __future__ import annotations

import re

from factcheck.records import Passage
from factcheck.ui import render

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"


def test_md_escapes_every_markdown_construct():
    out = render.md(HOSTILE + " **bold** :red[x] $x$")
    # every markdown character is preceded by a backslash, so none can start a tag, link or directive
    assert not re.search(r"(?<!\\)[<>\[\]()*:$]", out)
    assert out.replace("\\", "") == " ".join((HOSTILE + " **bold** :red[x] $x$").split())


def test_marked_escapes_text_and_marks_spans():
    text = "a <b> c 25%"
    out = render.marked(text, [(8, 11, "fc-mismatch")], titles=['"quoted" <tip>'])
    assert out == 'a &lt;b&gt; c <mark class="fc-mismatch" title="&quot;quoted&quot; &lt;tip&gt;">25%</mark>'


def test_marked_survives_overlapping_and_stale_spans():
    out = render.marked("abcdef", [(1, 4, "x"), (2, 5, "y"), (4, 99, "z"), (-5, 0, "w")])
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


def test_evidence_html_says_when_a_reported_statement_counts_as_support_and_escapes_it():
    from factcheck.verdict import Evidence

    base = dict(text="<b>Sheinbaum</b> said homicides fell", source="B", article_id=1, passage_id=1,
                scores=(0.2, 0.02, 0.75, 0.03), mismatches=(), similarity=0.7)
    upgraded = render.evidence_html("x", Evidence(label="supports", reported=True, **base))
    assert "reports the same statement by the claim's speaker" in upgraded and "model: neutral, p = 0.75" in upgraded
    assert "<b>Sheinbaum</b>" not in upgraded and "&lt;b&gt;Sheinbaum&lt;/b&gt;" in upgraded
    plain = render.evidence_html("x", Evidence(label="neutral", reported=True, **base))
    assert "carries it as someone's statement" in plain and "model:" not in plain
