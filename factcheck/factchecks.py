"""Published fact-checks: schema.org ClaimReview records read from pages, feeds and CSV, and matched to a claim.

Formats read (`read`):
- an HTML page with ClaimReview in its JSON-LD (`<script type="application/ld+json">`, read with extruct; a
  `@graph`, a list or a nested object is searched too);
- the JSON feed fact-check aggregators publish (Google Fact Check Tools: {"claims": [{"text", "claimant",
  "claimDate", "claimReview": [{"publisher": {"name", "site"}, "url", "title", "reviewDate", "textualRating",
  "languageCode"}]}]});
- JSON holding ClaimReview objects anywhere: a schema.org DataFeed (`dataFeedElement` → `item`), a list, one;
- CSV with a header: claim, rating, publisher, date, url, claimant (aliases in CSV_COLUMNS).

Input from strangers: files are read bounded (corpus.read_file), URLs through fetch (no private addresses, a
size cap), bytes decoded like an article (binary refused). A record without a claim or a rating, or with a
field past its limit, is skipped and counted under its reason; a link that is not http(s) is dropped. What is
read is shown only through the escapers of each face.

Matching (`match`): the checked claim's vector against every stored review's (numpy: a few thousand reviews
is a millisecond; the passages' FAISS index is not needed at this size), the closest `pool` judged by the
claim verifier — supports: the same claim; conflicts: its opposite; nei: another claim — and the best k kept.
A rating is shown beside a verdict; it never changes one (factcheck.verdict does not read this module).
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from factcheck.errors import IngestError, csv_problem, json_problem
from factcheck.labels import Verification
from factcheck.records import PublishedCheck, Review, ReviewDraft
from factcheck.settings import DEFAULTS, Settings

if TYPE_CHECKING:
    from factcheck.verify import Verifier

MAX_CLAIM_CHARS = 2_000  # as a checked claim (Settings.max_claim_chars)
MAX_FIELD_CHARS = 300  # a rating, a publisher, a claimant
MAX_URL_CHARS = 2_048
MAX_RECORDS = 100_000  # reviews in one input: a feed of more is split by whoever made it
MAX_DEPTH = 40  # JSON-LD nesting searched for ClaimReview objects
SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".json": "json", ".jsonld": "json", ".csv": "csv"}
# CSV header names (case-insensitive), first found wins
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "claim": ("claim", "claim_reviewed", "claimreviewed", "claim_text", "text"),
    "rating": ("rating", "textual_rating", "textualrating", "verdict", "alternatename"),
    "publisher": ("publisher", "author", "organisation", "organization", "fact_checker"),
    "date": ("date", "review_date", "reviewdate", "date_published", "datepublished"),
    "url": ("url", "review_url", "link"),
    "claimant": ("claimant", "claim_author", "speaker"),
}
# skip reasons, counted per import
NO_CLAIM = "no claim reviewed"
NO_RATING = "no rating"
TOO_LONG = "a field past its length limit"
NOT_AN_OBJECT = "not a ClaimReview object"
NO_REVIEW = "a claim with no review"
TOO_MANY = f"past {MAX_RECORDS:,} records in one input"


@dataclass
class Read:
    """What reading one input gave: the reviews, and the records skipped by reason."""

    origin: str
    drafts: list[ReviewDraft] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, draft: ReviewDraft | str) -> None:
        if isinstance(draft, str):
            self.skipped[draft] += 1
        elif len(self.drafts) >= MAX_RECORDS:
            self.skipped[TOO_MANY] += 1
        else:
            self.drafts.append(draft)


# --- reading -------------------------------------------------------------------------------------
def read(path_or_url: str, settings: Settings) -> Read:
    """The reviews in a file, a folder's files (.html .htm .json .jsonld .csv, recursively) or an http(s) URL.
    Raises IngestError for an input that cannot be read at all (missing, binary, too big, broken JSON or CSV)."""
    from factcheck.ingest import corpus

    target = path_or_url.strip()
    if target.lower().startswith(("http://", "https://")):
        from factcheck.ingest.fetch import fetch_url

        got = fetch_url(target, settings)
        kind = got.content_type.partition(";")[0].strip().lower()
        fmt = "json" if kind.endswith("json") else "csv" if kind == "text/csv" else _sniff(got.body)
        text = corpus.decode(got.body, target, encoding=got.encoding)
        return read_text(text, fmt, origin=target, page_url=got.final_url)
    p = Path(target)
    if p.is_dir():
        out = Read(corpus.shown(p))
        for f in corpus.files_in(p):
            if f.suffix.lower() in SUFFIXES:
                one = read_text(_file_text(f, settings, folder=p), SUFFIXES[f.suffix.lower()], origin=corpus.shown(f))
                for d in one.drafts:
                    out.add(d)
                out.skipped.update(one.skipped)
        return out
    return read_bytes(corpus.shown(p), corpus.read_file(p, settings.max_input_bytes), settings)


def read_bytes(name: str, data: bytes, settings: Settings) -> Read:
    """The reviews in one file's bytes (an upload): its format from the name's suffix, else sniffed from the
    bytes. Raises IngestError for bytes that cannot be read at all (too big, binary, broken JSON or CSV)."""
    from factcheck.ingest import corpus

    if len(data) > settings.max_input_bytes:
        raise IngestError(f"{name}: the file is larger than {settings.max_input_bytes // (1024 * 1024)} MB, the "
                          "most factcheck reads; split it, or raise FACTCHECK_MAX_INPUT_BYTES.")
    fmt = SUFFIXES.get(Path(name).suffix.lower()) or _sniff(data)
    return read_text(corpus.decode(data, name), fmt, origin=name)


def _file_text(path: Path, settings: Settings, *, folder: Path) -> str:
    from factcheck.ingest import corpus

    return corpus.decode(corpus.read_file(path, settings.max_input_bytes, folder=folder), corpus.shown(path))


def _sniff(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" if head[:1] in (b"{", b"[") else "html" if head[:1] == b"<" else "csv"


def read_text(text: str, fmt: str, *, origin: str, page_url: str | None = None) -> Read:
    """Reviews in decoded text of format `fmt` ("html", "json" or "csv")."""
    out = Read(origin)
    try:
        if fmt == "html":
            for obj in _jsonld_objects(text, origin):
                for rec in _claim_reviews(obj):
                    out.add(_from_claim_review(rec, origin, page_url))
        elif fmt == "json":
            _read_json(text, origin, out)
        else:
            for row in _csv_rows(text, origin):
                out.add(_from_csv_row(row, origin))
    except RecursionError:
        raise IngestError(f"{origin}: objects nested too deep to read (thousands of levels); no fact-check "
                          "needs that, so the input is refused.") from None
    return out


def _jsonld_objects(html: str, origin: str) -> Iterator[Any]:
    """Each JSON-LD script's objects, a script at a time: one broken script does not hide the others."""
    from extruct.jsonld import JsonLdExtractor
    from extruct.utils import parse_html
    from lxml.etree import LxmlError

    try:  # bytes: lxml refuses a str that carries its own encoding declaration
        tree = parse_html(html.encode("utf-8", "replace"), encoding="UTF-8")
    except (ValueError, TypeError, LxmlError) as e:
        raise IngestError(f"{origin}: not an HTML page that can be parsed ({e}).") from e
    if tree is None:
        return
    extractor = JsonLdExtractor()
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            yield from extractor.extract_items(script)
        except (ValueError, TypeError):
            continue  # a script that is not JSON holds no review to read


def _read_json(text: str, origin: str, out: Read) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise IngestError(f"{origin}: broken JSON at line {e.lineno}, column {e.colno}: {json_problem(e)}.") from e
    except ValueError as e:  # a number of over 4,300 digits
        raise IngestError(f"{origin}: the JSON holds a number too long to read; remove it.") from e
    if isinstance(data, dict) and isinstance(data.get("claims"), list):  # the Fact Check Tools feed
        for claim in data["claims"]:
            if not isinstance(claim, dict):
                out.add(NOT_AN_OBJECT)
                continue
            reviews = claim.get("claimReview")
            if not reviews:
                out.add(NO_REVIEW)
                continue
            for rev in reviews if isinstance(reviews, list) else [reviews]:
                out.add(_from_feed(claim, rev, origin) if isinstance(rev, dict) else NOT_AN_OBJECT)
        return
    found = False
    for rec in _claim_reviews(data):
        found = True
        out.add(_from_claim_review(rec, origin, None))
    if not found:
        raise IngestError(f"{origin}: no ClaimReview in this JSON: give a schema.org ClaimReview, a DataFeed of "
                          'them, or a feed shaped {"claims": [{"text", "claimReview": [...]}]}.')


def _is_claim_review(obj: Mapping[str, Any]) -> bool:
    types = obj.get("@type")
    names = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "ClaimReview" for t in names)


def _claim_reviews(obj: Any, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    """Every ClaimReview object in a JSON(-LD) value, however it is nested (@graph, DataFeed, lists)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(obj, list):
        for x in obj:
            yield from _claim_reviews(x, depth + 1)
    elif isinstance(obj, dict):
        if _is_claim_review(obj):
            yield obj
            return
        for v in obj.values():
            if isinstance(v, (list, dict)):
                yield from _claim_reviews(v, depth + 1)


def _text(v: object) -> str | None:
    """A field's text: a string, or the name of an object ({"name": …}), or the first of a list; one line."""
    if isinstance(v, list):
        v = next((x for x in v if x not in (None, "")), None)
    if isinstance(v, dict):
        v = v.get("name") or v.get("alternateName")
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        v = str(v)
    if not isinstance(v, str):
        return None
    s = " ".join(v.split())
    return s.encode("utf-8", "replace").decode("utf-8") or None  # a lone surrogate cannot be stored


def _rating(rr: object) -> str | None:
    """A reviewRating's words: alternateName ("False"), else its name, else value/best ("1/5")."""
    if not isinstance(rr, dict):
        return _text(rr)
    words = _text(rr.get("alternateName")) or _text(rr.get("name"))
    if words:
        return words
    value, best = _text(rr.get("ratingValue")), _text(rr.get("bestRating"))
    return f"{value}/{best}" if value and best else value


def _url(v: object) -> str | None:
    """An http(s) link, or None: a javascript: or data: link is never kept to be shown as one."""
    s = _text(v)
    if not s or len(s) > MAX_URL_CHARS or not re.match(r"(?i)https?://[^\s/]", s):
        return None
    return s


def _date(v: object) -> str | None:
    from factcheck.ingest.clean import parse_date

    s = _text(v)
    return parse_date(s[:100]) if s else None


def _draft(claim: str | None, rating: str | None, *, publisher: str | None, date: str | None, url: str | None,
           claimant: str | None, origin: str) -> ReviewDraft | str:
    """A review, or the reason it is skipped."""
    if not claim:
        return NO_CLAIM
    if not rating:
        return NO_RATING
    if len(claim) > MAX_CLAIM_CHARS or any(x and len(x) > MAX_FIELD_CHARS for x in (rating, publisher, claimant)):
        return TOO_LONG
    return ReviewDraft(claim=claim, rating=rating, publisher=publisher, date=date, url=url, claimant=claimant,
                       origin=origin)


def _from_claim_review(rec: Mapping[str, Any], origin: str, page_url: str | None) -> ReviewDraft | str:
    item = rec.get("itemReviewed")
    item = item[0] if isinstance(item, list) and item else item
    item = item if isinstance(item, dict) else {}
    return _draft(_text(rec.get("claimReviewed")) or _text(item.get("name")), _rating(rec.get("reviewRating")),
                  publisher=_text(rec.get("author")) or _text(rec.get("publisher")),
                  date=_date(rec.get("datePublished")), url=_url(rec.get("url")) or _url(page_url),
                  claimant=_text(item.get("author")), origin=origin)


def _from_feed(claim: Mapping[str, Any], rev: Mapping[str, Any], origin: str) -> ReviewDraft | str:
    publisher = rev.get("publisher")
    site = publisher.get("site") if isinstance(publisher, dict) else None
    return _draft(_text(claim.get("text")), _text(rev.get("textualRating")),
                  publisher=_text(publisher) or _text(site), date=_date(rev.get("reviewDate")),
                  url=_url(rev.get("url")), claimant=_text(claim.get("claimant")), origin=origin)


def _csv_rows(text: str, origin: str) -> Iterator[dict[str, str]]:
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader)]
    except (csv.Error, StopIteration) as e:
        raise IngestError(f"{origin}: broken CSV header at line 1: {csv_problem(e)}.") from e
    cols = {name: next((header.index(a) for a in aliases if a in header), None)
            for name, aliases in CSV_COLUMNS.items()}
    if cols["claim"] is None or cols["rating"] is None:
        raise IngestError(f"{origin}: the CSV header ({', '.join(header)[:120]}) needs a claim and a rating column; "
                          f"name them {CSV_COLUMNS['claim'][0]!r} and {CSV_COLUMNS['rating'][0]!r}.")
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield {name: row[i] if i is not None and i < len(row) else "" for name, i in cols.items()}
    except csv.Error as e:
        raise IngestError(f"{origin}: broken CSV at line {reader.line_num}: {csv_problem(e)}.") from e


def _from_csv_row(row: Mapping[str, str], origin: str) -> ReviewDraft | str:
    return _draft(_text(row["claim"]), _text(row["rating"]), publisher=_text(row["publisher"]),
                  date=_date(row["date"]), url=_url(row["url"]), claimant=_text(row["claimant"]), origin=origin)


def key(d: ReviewDraft) -> str:
    """What identifies one review, so importing it again adds nothing: its page and claim (a page may review
    several claims), or, without a page, who rated which claim how and when."""
    from factcheck.hashes import text_hash

    claim = " ".join(d.claim.casefold().split())
    parts = (d.url, claim) if d.url else ((d.publisher or "").casefold(), claim, d.rating.casefold(), d.date or "")
    return text_hash("\x1f".join(str(p) for p in parts))


# --- matching ------------------------------------------------------------------------------------
def match(claim: str, claim_vec: np.ndarray, reviews: Sequence[Review], review_vecs: np.ndarray, verifier: Verifier,
          *, k: int = DEFAULTS.published_k, pool: int = DEFAULTS.published_pool,
          min_similarity: float = DEFAULTS.published_similarity,
          nei_similarity: float = DEFAULTS.published_nei_similarity) -> list[PublishedCheck]:
    """The stored reviews that rule on `claim`, best first, at most k: of those at `min_similarity` or more, the
    `pool` closest by cosine (unit vectors: a dot product), each judged by the verifier; one it calls the same
    claim (supports) or its opposite (conflicts) comes before one on another claim (nei), which is kept only at
    `nei_similarity` or more. A claim no review is close to costs no verifier call."""
    from factcheck.verify import judge_pairs

    if not reviews or k < 1:
        return []
    sims = review_vecs @ np.asarray(claim_vec, dtype=np.float32)
    close = np.flatnonzero(sims >= min_similarity)
    top = close[np.argsort(-sims[close], kind="stable")][:max(pool, k)]
    if not len(top):
        return []
    cands = [reviews[i] for i in top]
    found = []
    for r, i, j in zip(cands, top, judge_pairs(verifier, [claim] * len(cands), [r.claim for r in cands]),
                       strict=True):
        if j.label == Verification.NEI and sims[i] < nei_similarity:
            continue
        found.append(PublishedCheck(review=r, similarity=float(sims[i]), match=j.label, p_match=j.p(j.label)))
    # a ruling on this claim (the same or the opposite) first, then closeness
    found.sort(key=lambda m: (m.match == Verification.NEI, -m.similarity))
    return found[:k]


MATCH_WORDS = {Verification.SUPPORTS: "the same claim", Verification.CONFLICTS: "the opposite claim",
               Verification.NEI: "a related claim"}


def how_matched(m: PublishedCheck) -> str:
    """One line saying how a review was matched, for every face: "the same claim (verifier p = 0.91),
    similarity 0.83"."""
    return f"{MATCH_WORDS[m.match]} (verifier p = {m.p_match:.2f}), similarity {m.similarity:.2f}"
