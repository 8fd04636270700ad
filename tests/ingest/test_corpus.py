from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from factcheck.errors import IngestError
from factcheck.ingest import corpus
from factcheck.ingest.clean import clean
from factcheck.settings import Settings

DATA = Path(__file__).parents[1] / "data"
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


# --- what is not a regular file, links, odd names (issue 16) ------------------------------------------
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, sockets and /dev are POSIX")


@posix_only
def test_a_fifo_a_socket_and_a_device_are_refused_by_kind_without_waiting(tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    sock_path = tmp_path / "s.txt"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    # were the FIFO opened for reading, open() would wait for a writer for ever: this one comes after 5 s
    # (and finds no reader, so does nothing, when the FIFO was never opened)
    unblock = threading.Timer(5, _open_for_writing, args=(fifo,))
    unblock.start()
    try:
        t0 = time.monotonic()
        for path, kind in ((fifo, "named pipe"), (sock_path, "socket"), (Path("/dev/null"), "character device")):
            with pytest.raises(IngestError, match=kind) as e:
                corpus.read_path(path, S)
            assert str(e.value).startswith(f"{path}: ") and "only regular files are read" in str(e.value)
        assert time.monotonic() - t0 < 4  # refused at once, not after the 5 s timer that would unblock a read
    finally:
        unblock.cancel()
        sock.close()


def _open_for_writing(fifo: Path) -> None:
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass  # ENXIO: nobody is reading it, which is the point


@posix_only
def test_a_link_out_of_a_folder_is_refused_and_one_inside_it_is_read(tmp_path: Path):
    outside = tmp_path / "private.txt"
    outside.write_text("The secret plan said 12 bridges will close on Monday.\n")
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(ARTICLE)
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "sub" / "up.txt").symlink_to("../../private.txt")  # relative, still outside
    (folder / "same.txt").symlink_to("sub/real.txt")
    (folder / "sub" / "real.txt").write_text(ARTICLE.replace("40", "41"))
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    for name in ("passwd.txt", "sub/up.txt"):
        with pytest.raises(IngestError, match="a link that leads outside the folder") as e:
            corpus.read_path(folder / name, S, folder=folder)
        assert str(e.value).startswith(f"{folder / name}: ")
    with pytest.raises(IngestError, match="no such file or folder .a link to nothing"):
        corpus.read_path(folder / "dangling.txt", S, folder=folder)
    (d,) = corpus.read_path(folder / "same.txt", S, folder=folder)
    assert "41 people" in d.text
    # a folder read whole stops at the first bad file; what it reads never comes from outside it
    with pytest.raises(IngestError, match="a link to nothing|a link that leads outside"):
        corpus.read_path(folder, S)
    # a file named on its own may be a link anywhere: the user chose it
    assert "secret plan" in corpus.read_path(folder / "passwd.txt", S)[0].text


def test_a_file_is_read_up_to_the_limit_plus_one_byte_whatever_its_size_says(tmp_path: Path):
    f = tmp_path / "a.txt"
    f.write_bytes(b"x" * 300)
    assert corpus.read_file(f, 300) == b"x" * 300
    with pytest.raises(IngestError, match="over the 299 bytes input limit"):
        corpus.read_file(f, 299)
    if Path("/proc/self/maps").exists():  # says 0 bytes, holds more
        with pytest.raises(IngestError, match="it is over the 10 bytes input limit"):
            corpus.read_file(Path("/proc/self/maps"), 10)


@posix_only
def test_a_file_name_that_is_not_utf8_is_shown_with_its_bytes_escaped(tmp_path: Path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9 \xff.txt"
    with open(raw, "wb") as f:
        f.write(ARTICLE.encode())
    (path,) = corpus.files_in(tmp_path)
    (d,) = corpus.read_path(path, S)
    assert d.origin == f"{tmp_path}/caf\\xe9 \\xff.txt" and d.source == "caf\\xe9 \\xff"
    assert corpus.shown(path).encode("utf-8")  # no lone surrogate: prints, stores and dumps as JSON
    with pytest.raises(IngestError) as e:
        corpus.read_path(os.fsdecode(b"/nonexistent/\xff.txt"), S)
    assert str(e.value) == "/nonexistent/\\xff.txt: no such file or folder."


# --- NULs, nesting, numbers (issue 16) --------------------------------------------------------------
def test_nul_bytes_after_the_first_8_kb_still_make_a_file_binary():
    data = (ARTICLE * 200).encode() + b"\x00\x01PK\x03\x04" + (ARTICLE * 5).encode()
    assert len(ARTICLE * 200) > 8192
    with pytest.raises(IngestError, match="binary file .it contains NUL bytes"):
        corpus.decode(data, "x.txt")


def test_nul_characters_from_json_escapes_or_paste_are_dropped_before_offsets_are_taken():
    rec = json.dumps([{"text": "Officials said on Friday that 40\u0000 people were rescued.\n\nThey said so again.",
                       "title": "Res\u0000cue", "source": "Wire\u0000"}]).encode()
    assert b"\\u0000" in rec
    (d,) = corpus.read_bytes("x.json", rec, S)
    assert "\x00" not in d.text + d.title + d.source
    assert (d.text.split("\n")[0], d.title, d.source) == (
        "Officials said on Friday that 40 people were rescued.", "Rescue", "Wire")
    assert "\x00" not in corpus.from_text("A pasted\x00 text said 12 bridges will close.").text


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_nested_50000_deep_is_refused_not_a_recursion_error(suffix: str):
    deep = b"[" * 50_000 + b"]" * 50_000
    with pytest.raises(IngestError, match="nested too deep to read") as e:
        corpus.read_bytes(f"deep{suffix}", deep, S)
    assert str(e.value).startswith(f"deep{suffix}: ") and "\n" not in str(e.value)
    as_text = b'{"text": ' + b"[" * 50_000 + b'"x"' + b"]" * 50_000 + b"}"
    with pytest.raises(IngestError, match="nested too deep"):
        corpus.read_bytes("deep-text.json", as_text, S)


@pytest.mark.parametrize("data", [b'{"text": "The mayor said 40 roads will close.", "id": ' + b"7" * 5_000 + b"}",
                                  b'[{"text": "The mayor said 40 roads will close.", "n": -' + b"1" * 4_400 + b"}]"])
def test_json_with_a_number_too_long_for_python_is_refused_not_a_value_error(data: bytes):
    for suffix in (".json", ".jsonl"):
        with pytest.raises(IngestError, match="a number too long to read .over 4,300 digits.; no article field"):
            corpus.read_bytes(f"n{suffix}", data, S)


def test_a_sources_json_nested_too_deep_is_ignored_and_the_articles_still_read(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.txt").write_text(ARTICLE.replace("40", "41"))
    (tmp_path / "sources.json").write_text("[" * 50_000 + "]" * 50_000)
    assert [d.source for d in corpus.read_path(tmp_path, S)] == ["a", "b"]


def test_sources_json_is_parsed_once_for_its_folder_not_once_per_file(tmp_path: Path, monkeypatch):
    for i in range(30):
        (tmp_path / f"{i:02}.txt").write_text(ARTICLE.replace("40", str(i + 100)))
    (tmp_path / "sources.json").write_text(json.dumps([{"file": "07.txt", "outlet": "Seven News"},
                                                       {"file": "07.txt", "outlet": "Second Entry"}]))
    parsed: list[int] = []
    real = json.loads
    monkeypatch.setattr(json, "loads", lambda s, *a, **kw: parsed.append(len(s)) or real(s, *a, **kw))
    drafts = corpus.read_path(tmp_path, S)
    assert [d.source for d in drafts].count("Seven News") == 1 and len(drafts) == 30
    assert len(parsed) == 1
    (tmp_path / "sources.json").write_text(json.dumps({"07.txt": {"outlet": "Edited Outlet, Renamed"}}))
    assert corpus.read_path(tmp_path / "07.txt", S)[0].source == "Edited Outlet, Renamed"


@posix_only
def test_a_sources_json_that_links_out_of_its_folder_is_ignored(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (tmp_path / "elsewhere.json").write_text(json.dumps({"a.txt": {"outlet": "Leaked Outlet"}}))
    (folder / "sources.json").symlink_to(tmp_path / "elsewhere.json")
    (folder / "a.txt").write_text(ARTICLE)
    assert corpus.read_path(folder / "a.txt", S)[0].source == "a"


@pytest.mark.parametrize("label", ["punycode", "utf-7", "unicode_escape", "idna", "rot13", "no-such-codec"])
def test_a_charset_label_no_browser_reads_with_is_ignored(label):
    """A page labelled punycode used to be refused ('UnicodeError'); unicode_escape rewrote backslashes: the label
    is ignored and the bytes read as if it were absent."""
    text = "Le café a rouvert lundi \\n à 9 h, a dit le maire.".encode()
    assert corpus.decode(text, "page.html", encoding=label) == text.decode("utf-8")
