"""The corpus: turn pasted text, files, folders and URLs into ArticleDrafts (without passages).

Readers for .txt .md .html/.htm .json/.jsonl .csv; a folder is read recursively in sorted order.
Every refusal is an IngestError with one line a person can act on: empty, binary, too big, malformed.
Metadata comes from the input (JSON fields, CSV columns, HTML meta tags via trafilatura, a
sources.json beside the files); what the input does not say is left None, never invented.
"""
from __future__ import annotations

import codecs
import csv
import functools
import io
import json
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, overload
from urllib.parse import urlsplit

from factcheck.errors import IngestError, csv_problem, json_problem
from factcheck.ingest.clean import clean, parse_date
from factcheck.records import ArticleDraft
from factcheck.settings import ENV_MAX_INPUT_BYTES, Settings

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".json", ".jsonl", ".csv"}
# a metadata file for the articles in its folder, matched by file name (see data/sources.json)
SOURCES_FILE = "sources.json"

# field names accepted in JSON objects and CSV headers (case-insensitive), first found wins
FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "articlebody", "article_body", "maintext", "full_text",
             "newbody", "story"),
    "title": ("title", "headline", "newstitle", "name"),
    "source": ("source", "outlet", "publisher", "site_name", "sitename", "newssource", "site", "publication"),
    "date": ("date", "published", "published_at", "publish_date", "datepublished", "pubdate", "date_publish"),
    "url": ("url", "link", "newslink", "href"),
    "author": ("author", "authors", "byline", "creator"),
}

# binary if more than this share of the first 8 KB are control characters (tab, newlines, form feed aside)
_MAX_CONTROL_SHARE = 0.10
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\x1b"}


# --- decoding -----------------------------------------------------------------------------------
def decode(data: bytes, name: str = "input", *, encoding: str | None = None) -> str:
    """Bytes → text: BOM (UTF-8/16/32), else UTF-8, else UTF-16 without BOM, else cp1252, else latin-1.

    Refuses binary data and empty text. Newlines become "\\n" so offsets are the same on every platform."""
    if not data.strip():
        raise IngestError(f"{name}: the input is empty; there is no text to read.")
    text, guessed = _decode(data, encoding)
    sample = text[:8192]
    # the whole text, not the head alone: binary appended after 8 KB of text is still binary
    if "\x00" in text:
        raise IngestError(f"{name}: this looks like a binary file (it contains NUL bytes), not text.")
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise IngestError(f"{name}: this looks like a binary file ({controls} control characters in the first "
                          f"{len(sample)}), not text.")
    if guessed and _garbled(sample):
        raise IngestError(f"{name}: the text is in an encoding factcheck cannot tell (not UTF-8, UTF-16/32 or "
                          "Windows-1252: read as any of them it is mostly stray symbols); save it as UTF-8.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{name}: the input holds only whitespace; there is no text to read.")
    return text


def _garbled(sample: str) -> bool:
    """Text read as Windows-1252 from another encoding (Shift-JIS, EBCDIC, Cyrillic code pages...)?

    Western text in cp1252 is mostly ASCII letters with a few accented ones; the same bytes from
    another encoding come out as more non-ASCII characters than ASCII letters. Figures and
    punctuation count for neither, so a table of numbers is not garbled."""
    ascii_letters = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    high = sum(1 for ch in sample if not ch.isascii() and not ch.isspace())
    return high >= 16 and high > ascii_letters


# a well-formed multi-byte UTF-8 character: text that has them is UTF-8, whatever else it has
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_STRAY_BYTES = "factcheck-cp1252"


def _stray_bytes_as_cp1252(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    bad = err.object[err.start:err.end]
    return bytes(bad).decode("cp1252", errors="replace"), err.end


codecs.register_error(_STRAY_BYTES, _stray_bytes_as_cp1252)


# Python codecs a page may name but no browser reads a page with: they rewrite text (escapes, IDNA) or are
# a known filter bypass (UTF-7); such a label is ignored and the bytes are detected as if it were absent
_NOT_WEB_ENCODINGS = frozenset({"punycode", "idna", "unicode_escape", "raw_unicode_escape", "utf_7"})


def _web_encoding(label: str) -> bool:
    try:
        return codecs.lookup(label).name.replace("-", "_") not in _NOT_WEB_ENCODINGS
    except LookupError:
        return False


def _decode(data: bytes, encoding: str | None) -> tuple[str, bool]:
    """(text, guessed): guessed is True when no BOM, header or UTF form vouched for the encoding."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), False
    if encoding and _web_encoding(encoding):
        try:
            return data.decode(encoding), False
        except (LookupError, UnicodeError):
            pass  # a wrong charset header is common: fall through to our own detection
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    in_utf8 = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    if in_utf8 and in_utf8 >= sum(1 for byte in data if byte >= 0x80) - in_utf8:
        # mostly UTF-8 with some bytes from another encoding (text pasted together from two sources):
        # keep the UTF-8 and read only the stray bytes as cp1252, rather than garble every accent.
        # (When stray bytes outnumber UTF-8 ones, the UTF-8 look-alikes are chance pairs in another encoding.)
        return data.decode("utf-8", errors=_STRAY_BYTES), False
    head = data[:4096]
    if len(head) >= 4 and head.count(0) > len(head) // 4:
        # UTF-16 without a BOM: NULs sit on one side of every ASCII character
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.4 * len(head) / 2 and even < 0.05 * len(head) / 2:
            return data.decode("utf-16-le", errors="replace"), False
        if even > 0.4 * len(head) / 2 and odd < 0.05 * len(head) / 2:
            return data.decode("utf-16-be", errors="replace"), False
        return data.decode("latin-1"), False  # binary: the NUL check in decode() refuses it
    try:
        # Western news pages that are not UTF-8 are nearly always Windows-1252 (a superset of printable latin-1)
        return data.decode("cp1252"), True
    except UnicodeDecodeError:
        return data.decode("latin-1"), True


# --- reading ------------------------------------------------------------------------------------
def from_text(text: str, *, source: str | None = None, title: str | None = None, date: str | None = None,
              url: str | None = None, author: str | None = None, origin: str = "paste",
              settings: Settings | None = None) -> ArticleDraft:
    """One article from text. What metadata does not say comes from the text itself (masthead, headline,
    dateline, byline); the source falls back to the URL's host, else the origin's file stem."""
    settings = settings or Settings()
    # a JSON escape like "\ud800" gives a lone surrogate, which SQLite (UTF-8) cannot store
    text = _valid_unicode(text) or ""
    source, title, date, url, author = (_valid_unicode(v) for v in (source, title, date, url, author))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{origin}: the text is empty; there is nothing to ingest.")
    if len(text) > settings.max_text_chars:
        raise IngestError(f"{origin}: the text has {len(text):,} characters, more than the limit of "
                          f"{settings.max_text_chars:,}; split it into several articles.")
    c = clean(text)
    if not c.body_spans:
        raise IngestError(f"{origin}: no article text found (only headings, page chrome or comments).")
    name = _clean_str(source) or c.masthead or _host(url) or _fallback_name(origin)
    return ArticleDraft(
        source=name, text=text, title=_clean_str(title) or c.title,
        date=_norm_date(date) or c.date, url=_clean_str(url), author=_clean_str(author) or c.author,
        origin=origin)


def read_bytes(name: str, data: bytes, settings: Settings, *, suffix: str | None = None,
               encoding: str | None = None, url: str | None = None,
               meta: Mapping[str, Any] | None = None) -> list[ArticleDraft]:
    """Articles in one file's bytes; the format is `suffix`, else the name's suffix (plain text if unknown)."""
    if len(data) > settings.max_input_bytes:
        raise too_big(name, len(data), settings.max_input_bytes)
    suffix = (suffix or Path(urlsplit(name).path if "://" in name else name).suffix).lower()
    meta = dict(meta or {})
    if url:
        meta.setdefault("url", url)
    text = decode(data, name, encoding=encoding)
    try:
        return _read_text(name, text, suffix, settings, meta)
    except RecursionError:
        # json.loads on [[[[... 50,000 deep, or the str() of such a list: no article is shaped like that
        raise IngestError(f"{name}: lists or objects nested too deep to read (thousands of levels); "
                          "no article needs that, so the file is refused.") from None


def _read_text(name: str, text: str, suffix: str, settings: Settings,
               meta: Mapping[str, Any]) -> list[ArticleDraft]:
    if suffix in HTML_SUFFIXES:
        return [_from_html(name, text, settings, meta)]
    if suffix == ".json":
        return [_from_record(name, rec, f"{name}#{i + 1}", settings, meta) for i, rec in _json_records(name, text)]
    if suffix == ".jsonl":
        return [_from_record(name, rec, f"{name}#{i + 1}", settings, meta) for i, rec in _jsonl_records(name, text)]
    if suffix == ".csv":
        return [_from_record(name, rec, f"{name}#row{i}", settings, meta) for i, rec in _csv_records(name, text)]
    if _looks_like_html(text) and suffix not in TEXT_SUFFIXES:
        return [_from_html(name, text, settings, meta)]
    return [_record_draft({"text": text, **meta}, name, settings)]


def read_path(path: str | os.PathLike[str], settings: Settings, *, folder: Path | None = None) -> list[ArticleDraft]:
    """Articles in a file, or in every supported file of a folder (recursive, sorted). For a folder, the
    first bad file raises; ingest.ingest reads folders file by file so one bad file stops nothing.
    With `folder`, the file was found in that folder and is read only if it lies inside it (see read_file)."""
    p = Path(path)
    if p.is_dir():
        return [d for f in files_in(p) for d in read_path(f, settings, folder=p)]
    name = shown(p)
    data = read_file(p, settings.max_input_bytes, folder=folder)
    return read_bytes(name, data, settings, meta=sidecar_meta(p, settings))


@dataclass(frozen=True)
class FolderFile:
    """A file found in a folder the user named: read only if it lies inside that folder (see read_file)."""

    path: Path
    folder: Path

    def __fspath__(self) -> str:
        return os.fspath(self.path)


_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def read_file(path: Path, limit: int, *, folder: Path | None = None) -> bytes:
    """A regular file's bytes, at most `limit` (settings.max_input_bytes): a device (/dev/zero), a named pipe or a
    socket is refused before it is opened (reading one never ends, or waits forever), and a file is read
    up to the limit plus one byte whatever its size said (a /proc file says 0). With `folder`, a link that
    leads out of the folder (`passwd.txt -> /etc/passwd` in a folder of articles) is refused; a link to a
    file inside the folder is read."""
    name = shown(path)
    try:
        if folder is not None:
            target = path.resolve(strict=True)
            if not target.is_relative_to(folder.resolve(strict=True)):
                raise IngestError(f"{name}: a link that leads outside the folder {shown(folder)}; it is not read. "
                                  "Give the file it points to by its own path to read it.")
        else:
            target = path
        info = os.stat(target)
        _check_regular(name, info.st_mode)
        if info.st_size > limit:
            # refused from its size alone: a huge file is never read into memory
            raise too_big(name, info.st_size, limit)
        # O_NONBLOCK: should the path have become a FIFO since the stat, opening it still returns at once
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb", buffering=0) as f:
            _check_regular(name, os.fstat(fd).st_mode)
            chunks: list[bytes] = []
            total = 0
            while total <= limit:
                chunk = f.read(min(max(info.st_size + 1, 1 << 16), limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except FileNotFoundError as e:
        raise IngestError(f"{name}: no such file or folder" + (" (a link to nothing)." if path.is_symlink()
                                                                else ".")) from e
    except RuntimeError as e:  # Path.resolve on a loop of links (Python < 3.13)
        raise IngestError(f"{name}: a loop of links; it cannot be read.") from e
    except OSError as e:
        raise IngestError(f"{name}: cannot be read ({e.strerror or e}).") from e
    except ValueError as e:  # a NUL in the path (from the API; a command line cannot hold one)
        raise IngestError(f"{name!r}: not a usable path ({e}).") from e
    if total > limit:
        raise too_big(name, None, limit)  # it grew, or its size was not its length
    return b"".join(chunks)


def _check_regular(name: str, mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((what for test, what in _NOT_REGULAR if test(mode)), "not a regular file")
        raise IngestError(f"{name}: {kind}, not a file; only regular files are read.")


def shown(path: str | os.PathLike[str]) -> str:
    """A path as text a person, a terminal, JSON and SQLite can all take: a file name that is not UTF-8
    (b'\\xff.txt', read by Python as a lone surrogate) shows its odd bytes as \\xff."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # a surrogate that did not come from the file system
        return os.fspath(path).encode("utf-8", errors="backslashreplace").decode("ascii", errors="replace")
    return raw.decode("utf-8", errors="backslashreplace")


def read_url(url: str, settings: Settings) -> list[ArticleDraft]:
    """Download a web page (SSRF-safe, see fetch) and read it like a file of its content type."""
    from factcheck.ingest.fetch import fetch_url

    got = fetch_url(url, settings)
    kind = got.content_type.partition(";")[0]
    suffix = {"text/html": ".html", "application/xhtml+xml": ".html", "application/json": ".json",
              "text/csv": ".csv", "text/markdown": ".md"}.get(kind.strip().lower(), ".txt")
    drafts = read_bytes(got.final_url, got.body, settings, suffix=suffix, encoding=got.encoding, url=got.final_url)
    return [replace(d, origin=url) for d in drafts] if len(drafts) == 1 else drafts


def files_in(folder: Path) -> list[Path]:
    """Supported files under a folder, recursively, sorted; hidden files and sources.json skipped."""
    out: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith(".") or f == SOURCES_FILE or Path(f).suffix.lower() not in SUFFIXES:
                continue
            out.append(Path(root) / f)
    return sorted(out)


def sidecar_meta(path: Path, settings: Settings | None = None) -> dict[str, Any]:
    """Metadata for `path` from a sources.json in its folder: {"file name": {outlet, title, date, url, ...}}
    or a list of objects with a "file" field. A broken sidecar is ignored: the article still reads. It is
    read as bounded as an article (read_file), and a sources.json that is a link out of the folder is ignored."""
    side = path.parent / SOURCES_FILE
    try:
        info = side.stat()
    except (OSError, ValueError):
        return {}
    if not stat.S_ISREG(info.st_mode):
        return {}
    entry = _sidecar(side, info.st_mtime_ns, info.st_size, (settings or Settings()).max_input_bytes).get(path.name)
    if not isinstance(entry, dict):
        return {}
    meta = {k: v for k, v in entry.items() if v is not None and k != "file"}
    if "outlet" not in meta and entry.get("source_label"):
        meta["source"] = entry["source_label"]  # the outlet is unknown: a label that says so
    return meta


@functools.lru_cache(maxsize=4)
def _sidecar(side: Path, mtime_ns: int, size: int, limit: int) -> dict[str, Any]:
    """A sources.json's entries by file name, parsed once for its folder, not once per file in it (a 20 MB one
    took 80 ms a file); keyed by its time and size, so an edited one is read again. {} if it cannot be read."""
    try:
        raw = json.loads(read_file(side, limit, folder=side.parent).decode("utf-8"))
    except (IngestError, ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
        return {}
    entries = raw.get("articles", raw) if isinstance(raw, dict) else raw
    if isinstance(entries, list):
        by_name: dict[str, Any] = {}
        for e in entries:
            if isinstance(e, dict) and isinstance(e.get("file"), str):
                by_name.setdefault(e["file"], e)  # the first entry for a file wins, as it always did
        return by_name
    return entries if isinstance(entries, dict) else {}


# --- formats ------------------------------------------------------------------------------------
def _json_records(name: str, text: str) -> Iterator[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise IngestError(f"{name}: broken JSON at line {e.lineno}, column {e.colno}: {json_problem(e)}.") from e
    except ValueError as e:
        raise _json_number_error(name) from e
    if isinstance(data, dict) and _field(data, "text") is None:
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:  # {"articles": [...]}
            data = lists[0]
    records = data if isinstance(data, list) else [data]
    if not records:
        raise IngestError(f"{name}: the JSON list is empty; there is no article to read.")
    yield from enumerate(records)


def _jsonl_records(name: str, text: str) -> Iterator[tuple[int, Any]]:
    rows = []
    for n, line in enumerate(text.split("\n"), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise IngestError(f"{name}: broken JSON at line {n}, column {e.colno}: {json_problem(e)}.") from e
            except ValueError as e:
                raise _json_number_error(f"{name}, line {n}") from e
    yield from enumerate(rows)


def _json_number_error(name: str) -> IngestError:
    # Python refuses to turn more than 4,300 digits into an int (a CPU-time guard), with a ValueError of its own
    return IngestError(f"{name}: the JSON holds a number too long to read (over 4,300 digits); no article field "
                       "needs one, so remove it or put it in quotes.")


def _csv_records(name: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    csv.field_size_limit(64 * 1024 * 1024)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as e:
        raise IngestError(f"{name}: broken CSV header {_csv_place(e, 1, reader.line_num)}.") from e
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(h.lower() in FIELDS["text"] for h in header):
        raise IngestError(f"{name}: no text column in the CSV header ({', '.join(header)[:120]}); "
                          f"name one of: {', '.join(FIELDS['text'][:4])}.")
    rows = []
    start = reader.line_num + 1
    try:
        for row in reader:
            start = reader.line_num + 1  # where the next record begins
            if not any(cell.strip() for cell in row):
                continue  # blank rows (often trailing) carry nothing
            if len(row) != len(header):
                raise IngestError(f"{name}: broken CSV at line {reader.line_num}: {len(row)} fields where the "
                                  f"header has {len(header)}; put a field that holds a comma in double quotes "
                                  '("a, b"), then try again.')
            rows.append((reader.line_num, dict(zip(header, row, strict=True))))
    except csv.Error as e:
        raise IngestError(f"{name}: broken CSV {_csv_place(e, start, reader.line_num)}.") from e
    if not rows:
        raise IngestError(f"{name}: the CSV has a header but no rows.")
    yield from rows


def _csv_place(e: Exception, start: int, line: int) -> str:
    """Where and what: a quote left open is reported on the line where it opened (a quoted field may span
    lines, and the reader only notices at the end of the file), anything else where the reader stopped."""
    return f"at line {start if str(e) == 'unexpected end of data' else line}: {csv_problem(e)}"


def _from_record(name: str, rec: Any, origin: str, settings: Settings, meta: Mapping[str, Any]) -> ArticleDraft:
    if not isinstance(rec, dict):
        raise IngestError(f"{origin}: expected an article object with a text field, found {type(rec).__name__}.")
    merged = {**meta, **{k: v for k, v in rec.items() if v not in (None, "")}}
    return _record_draft(merged, origin, settings)


def _record_draft(rec: Mapping[str, Any], origin: str, settings: Settings) -> ArticleDraft:
    body = _field(rec, "text")
    if isinstance(body, list):  # paragraphs
        body = "\n\n".join(str(p) for p in body if p)
    if not isinstance(body, str) or not body.strip():
        raise IngestError(f"{origin}: no article text (expected a field named {', '.join(FIELDS['text'][:3])}).")
    return from_text(body, source=_as_str(_field(rec, "source")), title=_as_str(_field(rec, "title")),
                     date=_as_str(_field(rec, "date")), url=_as_str(_field(rec, "url")),
                     author=_as_str(_field(rec, "author")), origin=origin, settings=settings)


def _from_html(name: str, html: str, settings: Settings, meta: Mapping[str, Any]) -> ArticleDraft:
    import trafilatura  # heavy-ish (lxml); only when a page is read

    try:
        doc = trafilatura.bare_extraction(
            html, url=meta.get("url"), with_metadata=True, include_comments=True,
            # no extensive search: htmldate would otherwise guess a date from a copyright line
            date_extraction_params={"extensive_search": False, "original_date": True})
    except Exception as e:  # noqa: BLE001 - a parser failure on one page is that page's refusal
        raise IngestError(f"{name}: the HTML could not be parsed ({type(e).__name__}).") from e
    d = doc if isinstance(doc, dict) else (doc.as_dict() if doc is not None else {})
    text = (d.get("text") or "").strip()
    if not text:
        raise IngestError(f"{name}: no article text found in the HTML page.")
    if d.get("comments"):
        # reader comments stay apart: after a heading that clean() reads as the start of comments
        text = f"{text}\n\nComments\n{d['comments'].strip()}"
    rec = {"text": text, "title": d.get("title"), "source": d.get("sitename"), "date": d.get("date"),
           "url": d.get("url"), "author": d.get("author")}
    rec.update({k: v for k, v in meta.items() if v})
    return _record_draft(rec, name, settings)


# --- helpers ------------------------------------------------------------------------------------
def _field(rec: Mapping[str, Any], key: str) -> Any:
    lower = {str(k).lower(): v for k, v in rec.items()}
    for name in FIELDS[key]:
        if lower.get(name) not in (None, ""):
            return lower[name]
    return None


def _as_str(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, list):
        return ", ".join(str(x) for x in v if x) or None
    if isinstance(v, dict):
        return _as_str(v.get("name"))
    return str(v)


_SURROGATE = re.compile("[\ud800-\udfff]")


@overload
def _valid_unicode(v: str) -> str: ...
@overload
def _valid_unicode(v: str | None) -> str | None: ...
def _valid_unicode(v: str | None) -> str | None:
    """Lone surrogates (never valid Unicode text) become U+FFFD, the replacement character, and NULs are
    dropped: a JSON "\\u0000" or a pasted one is never part of an article, and C code reading the store stops
    at one. Runs before any offset is taken, so offsets index the text as stored."""
    return _SURROGATE.sub("\ufffd", v).replace("\x00", "") if v else v


def _clean_str(v: str | None) -> str | None:
    return " ".join(v.split()) if v and v.strip() else None


def _norm_date(v: str | None) -> str | None:
    return parse_date(v) if v else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _fallback_name(origin: str) -> str:
    if origin == "paste":
        return "pasted text"
    if "://" in origin:
        return _host(origin) or origin
    return Path(origin.split("#", 1)[0]).stem or origin


def _looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def too_big(name: str, size: int | None, limit: int) -> IngestError:
    """The refusal of an input over the size limit, naming the setting that raises it (size None: unknown)."""
    what = f"{_mb(size)} is" if size is not None else "it is"
    return IngestError(f"{name}: {what} over the {_mb(limit)} input limit; split it "
                       f"into smaller files, or raise the limit with {ENV_MAX_INPUT_BYTES} (in bytes).")


def _mb(n: int) -> str:
    # a limit set below 1 MB ($FACTCHECK_MAX_INPUT_BYTES) would read "0.0 MB"
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n:,} bytes"
