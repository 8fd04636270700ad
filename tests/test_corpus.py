from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from factcheck import corpus
from factcheck.clean import clean
from factcheck.errors import IngestError
from factcheck.settings import Settings

DATA = Path(__file__).parent / "data"
S = Settings()
ARTICLE = "Officials said on Friday that 40 people were rescued from the flooded valley overnight.\n"


# --- decoding -------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    "Café naïve – “quoted”".encode("utf-8-sig"),
    "Café naïve – “quoted”".encode("utf-16"),  # with BOM
    "Café naïve – “quoted”".encode("utf-16-le"),  # no BOM
    "Café naïve – “quoted”".encode("utf-16-be"),
    "Café naïve – “quoted”".encode("cp1252"),
    "Café naïve".encode("latin-1"),
])
def test_decode_odd_encodings(data: bytes):
    assert corpus.decode(data).startswith("Café naïve")


def test_decode_normalises_newlines():
    assert corpus.decode(b"a\r\nb\rc") == "a\nb\nc"


@pytest.mark.parametrize(("data", "why"), [
    (b"", "empty"), (b"   \n\t \n", "empty"), ("  \u3000 ".encode(), "whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    (bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 50 + b"some text", "binary"),
])
def test_decode_refuses_empty_and_binary(data: bytes, why: str):
    with pytest.raises(IngestError, match=why) as e:
        corpus.decode(data, "x.txt")
    assert "\n" not in str(e.value) and str(e.value).startswith("x.txt:")


# --- files ----------------------------------------------------------------------------------------
def test_text_file_takes_masthead_headline_and_dateline(tmp_path: Path):
    (d,) = corpus.read_path(DATA / "corpus_seed_000.txt", S)
    assert d.source == "The Europe Today"
    assert d.title.startswith("Mexican President Sheinbaum Says Crackdown")
    assert d.date == "2026-01-17"
    assert d.url is None and d.author is None  # the text does not say: not invented
    assert d.text == (DATA / "corpus_seed_000.txt").read_text(encoding="utf-8")


def test_text_without_masthead_falls_back_to_the_file_stem():
    (d,) = corpus.read_path(DATA / "corpus_seed_001.txt", S)
    assert d.source == "corpus_seed_001"
    assert d.title == "Mexican President Touts Anti-Cartel Progress Amid Trump Intervention Threats"
    assert d.date is None


def test_html_file_metadata_via_trafilatura():
    (d,) = corpus.read_path(DATA / "corpus_article.html", S)
    assert (d.source, d.title, d.date, d.author) == ("Northern Ledger", "Rail Strike Ends After Pay Deal",
                                                     "2025-11-04", "Sam Okafor")
    assert "6.2% pay rise" in d.text
    assert "<p>" not in d.text and "Subscribe" not in d.text


def test_html_comments_section_is_kept_apart():
    html = b"""<html><head><meta property="og:site_name" content="Bay News"></head><body><article>
    <h1>Dock Workers End Strike After Four Days</h1>
    <p>Dock workers returned to work on Thursday after accepting a 5 percent pay rise, the union said.</p>
    <p>The strike had left 30 ships waiting offshore, according to the harbour master.</p></article>
    <section id="comments" class="comments"><h3>3 Comments</h3>
    <div class="comment"><p>About time, the queue of ships was visible from the beach.</p></div>
    <div class="comment"><p>Five percent is not enough given inflation this year.</p></div></section></body></html>"""
    (d,) = corpus.read_bytes("page.html", html, S)
    c = clean(d.text)
    assert [d.text[s:e] for s, e in c.comment_spans] == [
        "About time, the queue of ships was visible from the beach.",
        "Five percent is not enough given inflation this year."]
    assert "queue of ships" not in "".join(d.text[s:e] for s, e in c.body_spans)


def test_html_date_is_not_guessed_from_a_copyright_line(tmp_path: Path):
    page = tmp_path / "p.html"
    page.write_text("<html><body><article><h1>Ferry Service Returns To The Island</h1><p>The ferry resumed "
                    "sailing on Monday after repairs to its engine were finished.</p></article>"
                    "<footer>Copyright 2024</footer></body></html>", encoding="utf-8")
    (d,) = corpus.read_path(page, S)
    assert d.date is None


def test_json_list_with_field_aliases():
    a, b = corpus.read_path(DATA / "corpus_articles.json", S)
    assert (a.source, a.title, a.date, a.url, a.author) == (
        "Valley Times", "City Council Approves Budget", "2025-06-12", "https://valleytimes.example/budget",
        "A. Brown, C. Diaz")
    assert (b.title, b.date) == ("Bridge Reopens", "2025-06-14")
    assert "nine months.\n\nEngineers" in b.text  # paragraphs kept apart
    assert a.origin.endswith("corpus_articles.json#1") and b.origin.endswith("#2")


def test_json_single_object_and_articles_wrapper(tmp_path: Path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"text": ARTICLE, "source": "Wire"}), encoding="utf-8")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"articles": [{"text": ARTICLE, "source": "Wire"}]}), encoding="utf-8")
    assert [d.source for d in corpus.read_path(one, S)] == ["Wire"]
    assert [d.source for d in corpus.read_path(wrapped, S)] == ["Wire"]


def test_csv_rows():
    a, b = corpus.read_path(DATA / "corpus_articles.csv", S)
    assert (a.source, a.title, a.date, a.url) == ("Weather Weekly", "Heatwave Breaks Records", "2025-07-20",
                                                  "https://ww.example/heat")
    assert (b.date, b.url) == (None, None)


def test_jsonl(tmp_path: Path):
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"text": ARTICLE}) + "\n\n" + json.dumps({"body": ARTICLE + "More."}) + "\n")
    assert len(corpus.read_path(f, S)) == 2


@pytest.mark.parametrize(("name", "where"), [
    ("corpus_broken.json", "line 3, column 1"), ("corpus_broken.csv", "line 3"),
])
def test_broken_json_and_csv_name_the_place(name: str, where: str):
    with pytest.raises(IngestError, match="broken") as e:
        corpus.read_path(DATA / name, S)
    assert where in str(e.value) and "\n" not in str(e.value)


# json's own messages are cut before the place ("Invalid control character at"): the refusal says what is
# wrong, where (line and column) and what to do, and never ends in a dangling "at"
@pytest.mark.parametrize(("name", "content", "said"), [
    ("x.json", '{\n "title": "A",\n "text": "a\tb"}', [
        "broken JSON at line 3, column 12: Invalid control character (a raw tab or line break inside a string)",
        r"write it as \t or \n"]),
    ("x.json", '{"text": "cut off', ["line 1, column 10: Unterminated string", "add the closing double quote"]),
    ("x.json", '{"text": "a" "b"}', ["line 1, column 14: Expecting ',' delimiter", "add the missing comma"]),
    ("x.json", "{'text': 'a'}", ["line 1, column 2: Expecting property name", "double quotes"]),
    ("x.json", '{"text": "a\\q"}', ["line 1, column 12: Invalid \\escape", "write a backslash as \\\\"]),
    ("x.jsonl", json.dumps({"text": ARTICLE}) + '\n{"text": "a\tb"}\n',
     ["broken JSON at line 2, column 12: Invalid control character"]),
])
def test_broken_json_says_what_where_and_what_to_do(name: str, content: str, said: list[str]):
    with pytest.raises(IngestError) as e:
        corpus.read_bytes(name, content.encode(), S)
    msg = str(e.value)
    for part in said:
        assert part in msg
    assert msg.endswith("then try again.") and " at." not in msg and " at;" not in msg


@pytest.mark.parametrize(("content", "said"), [
    # the quote opens on line 3 and the reader only notices at the end of the file, on line 5
    ('text,title\n"ok row",A\n"never closed,B\nmore\n', [
        "broken CSV at line 3: a double quote opens a field here and never closes",
        "add the closing quote"]),
    ('text\n"a"b\n', ["broken CSV at line 2: text follows the closing double quote", 'as ""']),
    ('"te"xt,title\nabc,x\n', ["broken CSV header at line 1: text follows the closing double quote"]),
    ("title,text\nA,B,C\n", ["broken CSV at line 2: 3 fields where the header has 2", "in double quotes"]),
])
def test_broken_csv_says_what_where_and_what_to_do(content: str, said: list[str]):
    with pytest.raises(IngestError) as e:
        corpus.read_bytes("x.csv", content.encode(), S)
    msg = str(e.value)
    for part in said:
        assert part in msg
    assert msg.endswith("then try again.") and "unexpected end of data" not in msg


@pytest.mark.parametrize(("content", "why"), [
    ("title,text\nA,B,C\n", "3 fields"), ("title,author\nA,B\n", "no text column"), ("text\n", "no rows"),
])
def test_csv_shape_problems(tmp_path: Path, content: str, why: str):
    f = tmp_path / "x.csv"
    f.write_text(content)
    with pytest.raises(IngestError, match=why):
        corpus.read_path(f, S)


@pytest.mark.parametrize("content", ['{"title": "no text"}', "[]", '["just a string"]', '[{"text": "   "}]'])
def test_json_without_article_text(tmp_path: Path, content: str):
    f = tmp_path / "x.json"
    f.write_text(content)
    with pytest.raises(IngestError):
        corpus.read_path(f, S)


def test_a_30_mb_file_is_refused_from_its_size_without_reading_it(tmp_path: Path, monkeypatch):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(30 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file that is over the limit"))
    with pytest.raises(IngestError, match="30.0 MB is over the 20.0 MB input limit") as e:
        corpus.read_path(big, S)
    # names the setting that really raises the limit (it once said "raise FACTCHECK max_input_bytes")
    assert str(e.value).endswith("split it into smaller files, or raise the limit with FACTCHECK_MAX_INPUT_BYTES "
                                 "(in bytes).")


def test_read_bytes_checks_size_and_text_length():
    with pytest.raises(IngestError, match="input limit; split it .* FACTCHECK_MAX_INPUT_BYTES"):
        corpus.read_bytes("x.txt", b"a" * 101, Settings(max_input_bytes=100))
    with pytest.raises(IngestError, match="characters"):
        corpus.read_bytes("x.txt", ARTICLE.encode() * 3, Settings(max_text_chars=100))


def test_only_headings_or_chrome_is_refused():
    with pytest.raises(IngestError, match="no article text"):
        corpus.from_text("Share this article\nSubscribe\nBig Headline Here\n")


def test_a_lone_line_without_a_full_stop_is_content_not_a_headline():
    d = corpus.from_text("Officials say 40 people were rescued overnight")
    assert d.title is None


def test_missing_path():
    with pytest.raises(IngestError, match="no such file"):
        corpus.read_path("/nonexistent/article.txt", S)


# --- folders and sidecar metadata ----------------------------------------------------------------
def test_folder_recursive_sorted_skips_hidden_and_unknown(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "2.txt").write_text(ARTICLE)
    (tmp_path / "a.md").write_text(ARTICLE + "A.")
    (tmp_path / ".hidden.txt").write_text(ARTICLE)
    (tmp_path / ".git" / "x.txt").write_text(ARTICLE)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\x00\x00")
    assert [p.relative_to(tmp_path).as_posix() for p in corpus.files_in(tmp_path)] == ["a.md", "b/2.txt"]
    assert len(corpus.read_path(tmp_path, S)) == 2


def test_sources_json_beside_the_files_supplies_metadata(tmp_path: Path):
    shutil.copy(DATA / "corpus_seed_000.txt", tmp_path / "000.txt")
    shutil.copy(DATA / "corpus_seed_001.txt", tmp_path / "001.txt")
    (tmp_path / "sources.json").write_text(json.dumps({"articles": {
        "000.txt": {"outlet": "The Europe Today", "url": "https://example.org/a", "date": "2026-01-17"},
        "001.txt": {"outlet": None, "source_label": "Unnamed outlet", "date": None}}}), encoding="utf-8")
    a, b = corpus.read_path(tmp_path, S)
    assert (a.source, a.url, a.date) == ("The Europe Today", "https://example.org/a", "2026-01-17")
    assert (b.source, b.date) == ("Unnamed outlet", None)


def test_a_broken_sources_json_is_ignored(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "sources.json").write_text("{not json")
    (d,) = corpus.read_path(tmp_path, S)
    assert d.source == "a"


def test_from_text_metadata_wins_and_source_falls_back():
    d = corpus.from_text(ARTICLE, source=" Wire  Service ", url="https://www.news.example/x", date="2025-02-01")
    assert (d.source, d.date, d.origin) == ("Wire Service", "2025-02-01", "paste")
    assert corpus.from_text(ARTICLE, url="https://www.news.example/x").source == "news.example"
    assert corpus.from_text(ARTICLE).source == "pasted text"


@hyp_settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".json", ".csv", ".html", ".md", ".jsonl", ""]))
def test_any_bytes_are_read_or_refused_never_crash(data: bytes, suffix: str):
    try:
        drafts = corpus.read_bytes(f"x{suffix}", data, S)
    except IngestError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert all(d.text.strip() for d in drafts)
