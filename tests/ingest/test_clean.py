from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.ingest.clean import clean, parse_date

DATA = Path(__file__).parents[1] / "data"


def body_text(text: str) -> str:
    return "\n".join(text[s:e] for s, e in clean(text).body_spans)


def dropped(text: str) -> dict[str, str]:
    return {text[s:e]: why for s, e, why in clean(text).dropped}


@pytest.fixture
def herald() -> str:
    # another outlet's page, written for these tests: its chrome is not the seed's
    return (DATA / "corpus_chrome.txt").read_text(encoding="utf-8")


def test_page_chrome_of_an_unseen_outlet_stays_out_of_the_body(herald: str):
    body = body_text(herald)
    for chrome in ("THE COASTAL HERALD", "News You Can Trust", "Share this article", "Economy", "By Maria Lopez",
                   "Advertisement", "newsletter", "Read more", "Premium App", "unlimited access", "Comments (3)",
                   "Reply", "2 hours ago", "PORTSMOUTH"):
        assert chrome not in body, chrome
    assert "41.2 million tonnes" in body
    assert "Dr. Helen Ward" in body
    assert body.count("\n") == 3  # four paragraphs


def test_metadata_read_from_the_page_header(herald: str):
    c = clean(herald)
    assert c.title == "Harbour Authority Reports Record Cargo Volumes for 2025"
    assert c.masthead == "The Coastal Herald"
    assert c.author == "Maria Lopez"
    assert c.date == "2025-03-03"


def test_comments_are_set_apart_and_their_meta_dropped(herald: str):
    c = clean(herald)
    comments = [herald[s:e] for s, e in c.comment_spans]
    assert comments == ["Great news for the town, finally some good jobs.",
                        "I doubt those numbers, the port always exaggerates its figures.",
                        "Who pays for the dredging? Not the shipping lines, that is for sure."]
    assert dropped(herald)["J. Smith"] == "comment meta"


def test_glued_chrome_is_cut_off_the_paragraph():
    text = "Ships arrived.\nIt strengthened ties with Washington.Listen to the article\nMore ships came."
    c = clean(text)
    assert [text[s:e] for s, e in c.body_spans][0].endswith("with Washington.")
    assert dropped(text)["Listen to the article"] == "chrome"
    text2 = "Listen to the articleThe minister resigned on Monday after a vote of no confidence in parliament."
    assert body_text(text2) == "The minister resigned on Monday after a vote of no confidence in parliament."


def test_glued_comment_counter_starts_the_comments():
    text = ("The minister resigned on Monday after a vote of no confidence in parliament.12 Comments\n"
            "What a day for democracy, I never liked him anyway.")
    c = clean(text)
    assert body_text(text).endswith("in parliament.")
    assert [text[s:e] for s, e in c.comment_spans] == ["What a day for democracy, I never liked him anyway."]


def test_widget_heading_and_its_promo_line_are_dropped():
    text = ("The council voted 7 to 2 to close the library on Sundays from next year.\n"
            "Fact Checker\n"
            "Verify the accuracy of this article using our partner's real-time sources.\n"
            "Leave a comment\n"
            "A shame, the library is the only quiet place in town.")
    d = dropped(text)
    assert d["Fact Checker"] == d["Verify the accuracy of this article using our partner's real-time sources."]
    assert d["Fact Checker"] == "widget"
    c = clean(text)
    assert [text[s:e] for s, e in c.comment_spans] == ["A shame, the library is the only quiet place in town."]


@pytest.mark.parametrize("counter", ["8 Comments", "Comments (12)", "Comments", "Join the discussion",
                                     "Leave a reply"])
def test_comment_headings(counter: str):
    text = f"The mayor said on Monday that taxes will rise by 2 percent.\n{counter}\nI disagree with the mayor."
    c = clean(text)
    assert [text[s:e] for s, e in c.comment_spans] == ["I disagree with the mayor."]


def test_comment_word_before_any_body_is_navigation_not_comments():
    text = "Comments\nThe mayor said on Monday that taxes will rise by 2 percent next year."
    c = clean(text)
    assert c.comment_spans == ()
    assert "taxes will rise" in body_text(text)


def test_spans_index_the_original_text():
    text = "Site Name\n\nBig Story About Ports Today\n\n  PARIS, 5 May 2024 – Port traffic fell 4% in April.  \n"
    c = clean(text)
    assert c.title_span is not None and text[c.title_span[0]:c.title_span[1]] == c.title
    (s, e), = c.body_spans
    assert text[s:e] == "Port traffic fell 4% in April."
    assert c.date == "2024-05-05"


def test_subheads_and_bullets():
    text = ("The report was published on Tuesday by the national audit office in London.\n\n"
            "What the auditors found\n\n"
            "- Spending rose 12% in two years.\n"
            "Costs are expected to keep rising.")
    body = body_text(text)
    assert "What the auditors found" not in body
    assert "- Spending rose 12% in two years." in body


def test_no_dateline_no_date():
    c = clean("Officials said on Friday that 40 people were rescued from the flooded valley overnight.")
    assert c.date is None and c.title is None and c.masthead is None


def test_agency_dateline_without_a_date_is_stripped_but_gives_no_date():
    text = "WASHINGTON (AP) — The Senate passed the bill 52 to 48 late on Thursday night after a long debate."
    c = clean(text)
    assert body_text(text).startswith("The Senate passed")
    assert c.date is None


@pytest.mark.parametrize(("raw", "iso"), [
    ("Mexico City, January 17, 2026", "2026-01-17"), ("Published Friday, Jan. 17, 2026 10:00", "2026-01-17"),
    ("17 January 2026", "2026-01-17"), ("2026-01-17T08:30:00Z", "2026-01-17"), ("2026/1/7", "2026-01-07"),
    ("January 17", None), ("February 30, 2026", None), ("no date here", None), ("Sept. 3rd, 2024", "2024-09-03"),
])
def test_parse_date(raw: str, iso: str | None):
    assert parse_date(raw) == iso


def test_sentence_case_lines_without_full_stop_are_statements_not_headings():
    text = ("US-led evacuations from Kabul airport enter final stage\n"
            "Ninety people have been killed - mostly Afghan civilians and 13 US military personnel\n"
            "The UK says it is entering the final stages of its evacuation, with 1,000 leaving today\n"
            "Background To The Crisis\n"
            "The Taliban took the capital on 15 August after a rapid advance across the country.")
    c = clean(text)
    body = body_text(text)
    assert c.title == "US-led evacuations from Kabul airport enter final stage"
    assert "Ninety people have been killed" in body and "1,000 leaving today" in body
    assert "Background To The Crisis" not in body


def test_chrome_words_inside_a_real_sentence_do_not_drop_it():
    text = ("The regulator said on Monday that it would fine the firm for ignoring the rules.\n"
            "Published figures show unemployment at 4.1% in May, the lowest rate in a decade.\n"
            "The new EU law on tracking cookies came into force across the bloc last week.\n"
            "We use cookies to improve your experience.\n"
            "Discussion\n"
            "Economists expect the rate to rise again in the autumn.")
    body = body_text(text)
    assert "Published figures" in body and "tracking cookies came into force" in body
    assert "We use cookies" not in body
    assert "Economists expect" in body and clean(text).comment_spans == ()


def test_sentences_opening_with_a_call_to_action_word_as_a_noun_stay():
    text = ("The minister said on Monday that the plan would go ahead despite the protests.\n"
            "Support for the plan fell to 40%, according to a survey of app users.\n"
            "Share prices of the firm rose 3% after the subscription offer was announced.")
    body = body_text(text)
    assert "Support for the plan" in body and "Share prices" in body


_lines = st.sampled_from([
    "Share this article", "8 Comments", "The Daily Bugle", "Big Headline About Things Here", "Fact Checker",
    "Verify the accuracy of this article using our tools.", "The mayor said taxes rose 2% in 2024.",
    "Dr. Lee disagreed.Listen to the article", "Mexican", "", "   ", "By Ann Example",
    "LONDON, May 5, 2024 – Prices fell.", "- a bullet point", "I think this is wrong.", "Read more",
])


@settings(max_examples=100, deadline=None)
@given(st.lists(_lines, max_size=14).map("\n".join))
def test_spans_are_stripped_in_bounds_and_disjoint(text: str):
    c = clean(text)
    spans = sorted([*c.body_spans, *c.comment_spans])
    for (s, e), nxt in zip(spans, [*spans[1:], (len(text), len(text))], strict=False):
        assert 0 <= s < e <= nxt[0]
        assert text[s:e] == text[s:e].strip()
    if c.title_span:
        assert all(e <= c.title_span[0] or s >= c.title_span[1] for s, e in spans)
