"""Page "Compare sources": claims side by side with the best match elsewhere, one-source claims apart."""
from __future__ import annotations

import re

from ui_support import app, assert_inert, errors, html_text, markdown_text, no_exceptions, seed


def test_side_by_side_colours_matches_by_stance(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="compare")
    no_exceptions(at)
    assert not at.error, errors(at)
    at.multiselect(key="fc_compare_sources").set_value(["Daily Planet", "The Courier"]).run()
    at.selectbox(key="fc_compare_base").set_value("Daily Planet").run()
    no_exceptions(at)
    html = html_text(at)
    boxes = {re.sub(r"<[^>]+>", "", b): b for b in html.split('<div class="fc-box"')[1:]}  # text -> its box
    # the homicide claim is matched by the Courier's same figure (supports, green border) ...
    same = next(b for t, b in boxes.items() if "dropped 25 percent during 2025" in t)
    assert "border-left-color:#2e7d32" in same and "<b>deciding passage</b> · <b>states it</b>" in same
    # ... the seizures claim by the Courier's "did not fall" (conflicts, red border), its negation marked
    negated = next(b for t, b in boxes.items() if "did not fall" in t)
    assert "border-left-color:#c62828" in negated and "<b>contradicts it</b>" in negated
    assert '<mark class="fc-mismatch"' in negated
    assert "Daily Planet" in markdown_text(at) and "The Courier" in markdown_text(at)


def test_claims_no_other_source_reports_are_listed_apart(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="compare")
    at.multiselect(key="fc_compare_sources").set_value(["Daily Planet", "The Courier"]).run()
    no_exceptions(at)
    labels = [e.label for e in at.expander]
    courier = next(label for label in labels if "Courier" in label)
    assert "1 claim(s)" in courier  # the trade agreement in Toronto: only the Courier reports it
    assert "Toronto" in html_text(at)


def test_fewer_than_two_sources_is_refused_with_a_reason(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="compare")
    at.multiselect(key="fc_compare_sources").set_value(["Daily Planet"]).run()
    no_exceptions(at)
    assert "two or more" in at.error[0].value


def test_empty_store_says_what_to_do(tmp_path, monkeypatch):
    at = app(monkeypatch, tmp_path, page="compare")
    no_exceptions(at)
    assert "at least two sources" in at.info[0].value


def test_hostile_source_is_inert(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="compare")
    hostile = next(s for s in at.multiselect(key="fc_compare_sources").options if "<img" in s)
    at.selectbox(key="fc_compare_base").set_value(hostile).run()
    no_exceptions(at)
    assert_inert(at)
    assert "&lt;script&gt;" in html_text(at)


def test_each_claim_shows_its_closest_published_fact_check_and_sources_their_profile(tmp_path, monkeypatch):
    from ui_support import seed_factchecks, seed_profiles

    seed(tmp_path)
    seed_factchecks(tmp_path, {"claim": "Mexico's homicide rate dropped by 25 percent in 2025, the government said.",
                               "rating": "Half true", "publisher": "Invented Checkers", "date": "2026-01-20"})
    seed_profiles(tmp_path, {"name": "The Courier", "country": "Sylvania", "notes": "**bold** [x](javascript:1)"})
    at = app(monkeypatch, tmp_path, page="compare")
    at.multiselect(key="fc_compare_sources").set_value(["Daily Planet", "The Courier"]).run()
    at.selectbox(key="fc_compare_base").set_value("Daily Planet").run()
    no_exceptions(at)
    html = html_text(at)
    assert ('Published fact-check: <b>Half true</b> — Invented Checkers · 2026-01-20 · the same claim (verifier '
            "p = 0.88), similarity 1.00") in html
    assert html.count('class="fc-published"') == 1  # only the claim a review rules on
    assert "Sylvania · notes\\: \\*\\*bold\\*\\* \\[x\\]\\(javascript\\:1\\)" in [c.value for c in at.caption]
    assert_inert(at)


def test_picking_another_story_chooses_all_its_sources_not_the_last_pick(tmp_path, monkeypatch):
    from factcheck.store import Store

    seed(tmp_path)
    with Store.open(tmp_path) as store:
        ids = [a.id for a in store.articles()]
        (first,) = store.set_stories([(None, ids[:2], "two outlets")])
        story = next(s for s in store.stories() if s.id == first)
    at = app(monkeypatch, tmp_path, page="compare")
    picked = at.multiselect(key="fc_compare_sources")
    outside = next(n for n in picked.options if n not in story.sources)
    picked.set_value([sorted(story.sources)[0], outside]).run()
    at.selectbox(key="fc_compare_story").set_value(first).run()
    no_exceptions(at)
    assert at.multiselect(key="fc_compare_sources").value == sorted(story.sources)
