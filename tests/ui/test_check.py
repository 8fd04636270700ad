"""Page "Check a claim": verdict badge, evidence by source, stance-mix chart, recent checks, errors."""
from __future__ import annotations

from ui_support import app, assert_inert, html_text, markdown_text, no_exceptions, plotly_specs, seed, shown_text


def check(at, claim: str):
    at.text_area(key="fc_claim").input(claim)
    at.button(key="fc_check_submit").click().run()
    return at


def test_check_shows_verdict_evidence_and_stance_mix(tmp_path, monkeypatch):
    seed(tmp_path)
    at = check(app(monkeypatch, tmp_path, page="check"), "Mexico's homicide rate dropped by 25 percent in 2025")
    no_exceptions(at)
    assert not at.error
    text = shown_text(at)
    assert "mixed" in text  # two outlets support it, the hostile one says it rose
    assert "Daily Planet" in text and "The Courier" in text
    assert "supports" in text and "conflicts" in text
    # each source's passages, the one that decides its stance first; one deciding passage per source taking a side
    boxes = [el.proto.body for el in at.get("html") if "fc-box" in el.proto.body]
    assert len(boxes) == 3
    for b in boxes:
        first, *rest = b.split('<div class="fc-box"')[1:]
        assert '<div class="fc-meta"><b>deciding passage</b>' in first and not any("deciding" in r for r in rest)
    assert html_text(at).count("deciding passage") == 3
    assert "<b>states it</b>" in html_text(at) and "<b>contradicts it</b>" in html_text(at)
    (spec,) = plotly_specs(at)
    traces = {t["name"]: t for t in spec["data"]}
    assert set(traces) >= {"supports", "conflicts"}
    assert sum(traces["supports"]["x"]) >= 2


def test_mismatching_number_is_highlighted_in_both_texts(tmp_path, monkeypatch):
    seed(tmp_path)
    at = check(app(monkeypatch, tmp_path, page="check"), "Mexico's homicide rate dropped by 40 percent in 2025")
    no_exceptions(at)
    html = html_text(at)
    assert '<mark class="fc-mismatch"' in html
    assert "40 percent</mark>" in html and "25 percent</mark>" in html
    # the differing figure keeps the outlets from supporting the claim, and the page says so
    assert "verifier read states it (p = 0.88), but the number differs" in html
    reason = markdown_text(at).replace("\\", "")
    assert "contested" in reason
    assert "(“25 percent” where the claim says “40 percent”)" in reason


def test_recent_checks_stay_in_the_session(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="check")
    check(at, "Fentanyl seizures at the border fell sharply last year")
    check(at, "Mexico's homicide rate dropped by 25 percent in 2025")
    recent = at.selectbox(key="fc_current_check")
    assert len(recent.options) == 2
    assert recent.value == 0
    recent.select(1).run()
    no_exceptions(at)
    assert "Fentanyl" in shown_text(at)


def test_empty_and_overlong_claims_give_a_reason(tmp_path, monkeypatch):
    seed(tmp_path)
    at = check(app(monkeypatch, tmp_path, page="check"), "   ")
    no_exceptions(at)
    assert "empty" in at.error[0].value
    check(at, "word " * 1000)
    assert "limit" in at.error[0].value


def test_hostile_evidence_shows_as_text(tmp_path, monkeypatch):
    seed(tmp_path)
    at = check(app(monkeypatch, tmp_path, page="check"), "Mexico's homicide rate rose in 2025")
    no_exceptions(at)
    assert_inert(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text(at)  # shown, as text


def test_a_bug_shows_a_short_message_not_a_traceback(tmp_path, monkeypatch):
    from factcheck.api import Factcheck

    def boom(self, claim, **kw):
        raise RuntimeError("internal detail /secret/path")

    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="check")
    monkeypatch.setattr(Factcheck, "check", boom)
    check(at, "Mexico's homicide rate dropped")
    assert not at.exception
    (err,) = at.error
    assert err.value.startswith("Something went wrong (RuntimeError)")
    assert "/secret/path" not in err.value


def test_a_bad_setting_in_the_environment_is_named_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MAX_INPUT_BYTES", "lots")
    at = app(monkeypatch, tmp_path, page="check")
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith("FACTCHECK_MAX_INPUT_BYTES='lots' is not a size") for e in at.error), \
        [e.value for e in at.error]


HOSTILE_REVIEW = {"claim": "Mexico's homicide rate dropped by 25 percent in 2025",
                  "rating": "<script>alert(1)</script>**False**", "publisher": "<img src=x onerror=alert(2)> Desk",
                  "url": "https://evil.example/r?a=<b>&c=1",
                  "claimant": "[x](javascript:alert(3))"}


def test_a_published_rating_shows_beside_the_verdict_and_changes_nothing(tmp_path, monkeypatch):
    from ui_support import seed_factchecks

    seed(tmp_path)
    seed_factchecks(tmp_path, HOSTILE_REVIEW)
    at = check(app(monkeypatch, tmp_path, page="check"), "Mexico's homicide rate dropped by 25 percent in 2025")
    no_exceptions(at)
    assert not at.error
    assert "mixed" in shown_text(at)  # the corpus verdict, as without the review (first test)
    assert any("Published fact-checks (1): their ratings, not this verdict" in e.label for e in at.expander)
    html = html_text(at)
    (box,) = [b for b in html.split('<div class="fc-published">')[1:]]
    assert "<b>&lt;script&gt;alert(1)&lt;/script&gt;**False**</b> — &lt;img src=x onerror=alert(2)&gt; Desk" in box
    assert "the same claim (verifier p = 0.88), similarity 1.00" in box
    assert "https://evil.example/r?a=&lt;b&gt;&amp;c=1" in box
    (link,) = at.get("link_button")
    assert link.proto.url == "https://evil.example/r?a=<b>&c=1"
    assert_inert(at)


def test_an_outlet_profile_shows_beside_its_source(tmp_path, monkeypatch):
    from ui_support import seed_profiles

    seed(tmp_path)
    seed_profiles(tmp_path, {"name": "The Courier", "country": "Sylvania", "owner": "<script>x</script> Ltd",
                             "rating": "High", "rating_source": "my reading"})
    at = check(app(monkeypatch, tmp_path, page="check"), "Mexico's homicide rate dropped by 25 percent in 2025")
    no_exceptions(at)
    captions = [c.value for c in at.caption]
    assert "Sylvania · owner\\: \\<script\\>x\\</script\\> Ltd · rating\\: High \\(per my reading\\)" in captions
    assert not at.get("link_button")  # no fact-check stored: none shown
    assert_inert(at)


def test_a_compound_claim_is_checked_in_its_parts_each_with_its_own_verdict(tmp_path, monkeypatch):
    seed(tmp_path)
    claim = ("Mexico's homicide rate dropped by 25 percent in 2025 and the mayor said the curfew would be lifted on "
             "Monday.")
    at = check(app(monkeypatch, tmp_path, page="check"), claim)
    no_exceptions(at)
    box = next(e for e in at.expander if e.label.startswith("Checked in 2 parts"))
    shown = [m.value for m in box.markdown]
    assert [v for v in shown if v[:1].isdigit()] == [
        "1. Mexico's homicide rate dropped by 25 percent in 2025\\.",
        "2. The mayor said the curfew would be lifted on Monday\\."]  # user text escaped ("." as "\\.")
    badges = [v for v in shown if "badge[" in v]
    assert badges == [":orange-badge[mixed]", ":gray-badge[not enough evidence]"]  # as the first part alone is
    assert len(box.caption) == 2
