from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.ingest.sentences import split, split_span


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split(text)]


def test_abbreviations_decimals_and_quotes_do_not_split():
    text = ('The U.S. economy grew 3.5% in 2025, Dr. Smith said. "Is it real?" she asked. '
            "Mr. Jones left at 5 p.m. on Monday. Then the U.S. Army arrived.")
    assert sentences(text) == [
        "The U.S. economy grew 3.5% in 2025, Dr. Smith said.",
        '"Is it real?" she asked.',
        "Mr. Jones left at 5 p.m. on Monday.",
        "Then the U.S. Army arrived.",
    ]


def test_lines_are_hard_breaks_but_wrapped_paragraphs_stay_whole():
    text = ("Headline Without A Full Stop\n"
            "A first sentence. A second one.\n\n"
            "This paragraph is hard wrapped at a fixed width so that a sentence\n"
            "continues on the next line and must not be cut at the newline because\n"
            "it is one sentence. Next one.\n")
    got = sentences(text)
    assert got[0] == "Headline Without A Full Stop"
    assert got[1:3] == ["A first sentence.", "A second one."]
    assert got[3].startswith("This paragraph") and got[3].endswith("it is one sentence.")
    assert got[4] == "Next one."


def test_split_span_offsets_index_the_whole_text():
    text = "IGNORED PREFIX\nOne fact. Two facts."
    start = text.index("One")
    spans = split_span(text, start, len(text))
    assert [text[s:e] for s, e in spans] == ["One fact.", "Two facts."]


def test_empty_and_blank_texts_have_no_sentences():
    assert split("") == []
    assert split(" \n\t\n ") == []


_pieces = st.sampled_from([
    "The U.S. said so.", "Dr. Ruiz agreed.", "Prices rose 3.5% in May.", '"Why?" she asked.', "No!",
    "It cost $4.2 million", "  ", "\n", "\n\n", " ", "e.g. this", "Ça va très bien.", "«Oui», dit-il.", "…",
])


@settings(max_examples=80, deadline=None)
@given(st.lists(_pieces, max_size=12).map("".join))
def test_spans_are_stripped_ordered_and_lose_no_text(text: str):
    spans = split(text)
    covered = set()
    last_end = 0
    for s, e in spans:
        assert 0 <= last_end <= s < e <= len(text)
        piece = text[s:e]
        assert piece == piece.strip() and piece
        covered.update(range(s, e))
        last_end = e
    # every non-space character belongs to some sentence
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
