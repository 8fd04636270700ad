"""Property tests (hypothesis) for cleaning, sentence splitting and offset mapping: whatever the text,
every span points at its passage in the original text, spans never overlap, and splitting loses no text.

Texts mix what real pages hold and what breaks offset arithmetic: CRLF and lone CR, tabs, NBSP,
Unicode line separators (U+2028, U+0085), zero-width characters and BOMs, right-to-left marks and
overrides with Arabic and Hebrew, emoji (ZWJ sequences, flags, skin tones), combining marks, and the
abbreviations and numbers a sentence splitter must not break at.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.errors import IngestError
from factcheck.ingest import corpus
from factcheck.ingest.clean import clean
from factcheck.ingest.pipeline import passages_of
from factcheck.ingest.sentences import split, split_span
from factcheck.records import ArticleDraft
from factcheck.store import Store

TOKENS = [
    "The", "mayor", "said", "U.S.", "Dr.", "Mr. Smith", "3.5%", "$1.2 billion", "Jan. 5", "e.g.", "...", "…",
    ".", ". ", "! ", "? ", "?!", ",", ";", ":", "\"", "“", "”", "'", "’", "(", ")", "-", "—", " ", "  ",
    "\n", "\n\n", "\r\n", "\r", "\r\n\r\n", "\t", "\u00a0", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b", "\u202e", "\u202c",
    "\u2066", "\u2069", "قال الوزير", "השר אמר", "١٢٣", "😀", "👩‍👩‍👧", "🇲🇽", "👍🏽", "e\u0301", "a\u0308\u0323",
    "\u0301", "Ｆｕｌｌ", "ß", "İ", "ﬁ", "Comments", "8 Comments", "Share this article", "Listen to the article",
    "By Ana López", "Mexico City, January 17, 2026 – ",
]
WORDISH = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6)
TEXTS = st.lists(st.one_of(st.sampled_from(TOKENS), WORDISH), max_size=60).map("".join)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """In bounds, non-empty, in order and disjoint."""
    for s, e in spans:
        assert 0 <= s < e <= len(text), (s, e, len(text))
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2


@PROPS
@given(TEXTS)
def test_sentence_spans_index_the_text_and_lose_nothing(text: str):
    spans = split(text)
    _assert_spans(text, spans)
    for s, e in spans:
        piece = text[s:e]
        assert piece == piece.strip() and piece.strip()
    covered = set(itertools.chain.from_iterable(range(s, e) for s, e in spans))
    lost = [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered]
    assert not lost, [text[i] for i in lost]


@PROPS
@given(TEXTS, st.data())
def test_split_span_is_split_of_the_slice_shifted(text: str, data: st.DataObject):
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    spans = split_span(text, a, b)
    assert spans == [(a + s, a + e) for s, e in split(text[a:b])]
    assert all(a <= s < e <= b for s, e in spans)


@PROPS
@given(TEXTS)
def test_clean_spans_are_disjoint_and_in_bounds(text: str):
    c = clean(text)
    spans = sorted([*c.body_spans, *c.comment_spans, *([c.title_span] if c.title_span else [])])
    _assert_spans(text, spans)
    if c.title_span:
        assert text[slice(*c.title_span)].strip()


@PROPS
@given(TEXTS)
def test_passages_point_at_their_text(text: str):
    passages = passages_of(text)
    _assert_spans(text, [(p.start, p.end) for p in passages])
    for p in passages:
        assert text[p.start:p.end] == p.text and p.kind in ("body", "comment")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = Store.open(Path(tmp_path_factory.mktemp("props")) / "store")
    yield s
    s.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(TEXTS)
def test_offsets_survive_reading_and_the_store(store: Store, text: str):
    """From raw input to the stored passage: article.text[start:end] is the passage, whatever came in."""
    try:
        draft = corpus.from_text(text, source="Props")
    except IngestError:
        return  # nothing to store (no article text): refusing is allowed, crashing is not
    passages = tuple(passages_of(draft.text))
    aid, _ = store.add_article(ArticleDraft(**{**draft.__dict__, "passages": passages}))
    article = store.article(aid)
    assert article is not None
    stored = store.passages(article_id=aid, kind=None)
    assert stored and all(article.text[p.start:p.end] == p.text for p in stored)
    # a duplicate keeps the first copy
    assert article.text == draft.text or store.stored_article(draft.text, 0.5) is not None


@PROPS
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_in_one_line(data: bytes):
    for name in ("x.txt", "x.json", "x.csv", "x.html"):
        try:
            drafts = corpus.read_bytes(name, data, corpus.Settings())
        except IngestError as e:
            assert "\n" not in str(e) and str(e)
            continue
        for d in drafts:
            assert "\r" not in d.text and d.text.strip()
            for p in passages_of(d.text):
                assert d.text[p.start:p.end] == p.text
