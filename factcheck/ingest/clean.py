"""Cleaning: tell an article's body apart from page chrome, headings and reader comments.

Rules are general (what page chrome looks like on any outlet), not one page's strings. Nothing is
deleted from the text: the result is spans into the ORIGINAL text, so offsets survive for highlighting.
A line is classified as chrome (share/subscribe/listen/cookie lines, slogans, widget headings with their
promo line, comment counters, lone tags), a heading (short, no final punctuation: headline, subhead),
a byline, body text, or - after a comments heading - a reader comment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from typing import Literal

from factcheck.lexicon import (
    CALL_TO_ACTION_OBJECTS,
    CALL_TO_ACTION_VERBS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    PROMOTIONS,
    TITLE_SMALL_WORDS,
    WEEKDAYS,
    alternation,
    nested_forms,
)

Span = tuple[int, int]

# a month by its first three letters; its name or a short form of it (lexicon.MONTH_ABBREVIATIONS: "Sept.")
_MONTHS = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_MONTH = "(?:" + alternation(nested_forms((*MONTH_ABBREVIATIONS[m], m)) for m in MONTHS) + r")\.?"
_WEEKDAY = r"(?:(?:" + alternation(WEEKDAYS) + r"),?\s+)?"
DATE_PATTERN = (rf"(?i:{_WEEKDAY}(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
                rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?"
                r"|\d{4}[-/]\d{1,2}[-/]\d{1,2}))")

_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
# a body line this long ends the page header: the headline must come before it
_PARAGRAPH_WORDS = 10
# longer than this, a line is a paragraph (perhaps cut short), not a headline
_HEADLINE_WORDS = 20
_SMALL_WORDS = TITLE_SMALL_WORDS

# Chrome phrases, matched against a whole (short) line. Case-insensitive.
_CHROME = re.compile(r"""^(?:
    (?:listen|read|watch)\s+(?:to\s+)?(?:this|the)\s+(?:article|story|podcast|video)(?:\s*\(?\d+\s*min\w*\)?)?
  | (?:audio|listen)(?:\s*[:|-]?\s*\d+\s*min\w*)?
  | \d+\s*min(?:ute)?s?\s+(?:read|listen)
  | share(?:\s+(?:this|the)\s+(?:article|story|post|page))?(?:\s+(?:on|via|with)\s+[\w ]+)?
  | (?:share|tweet|post|email|e-mail|print|save|copy)(?:\s+(?:this|link|article|story|url))*
  | (?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|email)(?:\s*[|/·,]\s*\w+)*
  | subscribe\b.* | sign\s*(?:up|in)\b.* | log\s*(?:in|out)\b.* | register\b.{0,40} | newsletter\b.*
  | (?:get|join|try)\s+(?:our|the|a|\d+)\s.{0,60}(?:newsletter|subscription|premium|access|trial|app)\b.*
  | .{0,40}\b(?:newsletter|cookies?|privacy\s+policy|terms\s+of\s+(?:use|service)|all\s+rights\s+reserved)\b.{0,60}
  | (?:accept|reject|manage)\s+(?:all\s+)?(?:cookies|preferences|settings)
  | advertisement | advertising | sponsored(?:\s+content)? | promoted | ad | partner\s+content
  | follow\s+(?:us|on)\b.{0,40} | read\s+more\b.{0,60} | continue\s+reading\b.* | read\s+next\b.*
  | (?:related|recommended|trending|popular|latest)(?:\s+(?:articles?|stories|posts|news|reads|videos))?
  | (?:more\s+from|you\s+may\s+also\s+like|most\s+(?:read|popular|viewed)|don'?t\s+miss)\b.{0,40}
  | skip\s+to\s+(?:main\s+)?content | (?:main\s+)?menu | search | home | back\s+to\s+top | top\s+stories
  | (?:©|\(c\)|copyright)\s*.{0,80}
  | (?:photo|image|picture|video|credit|source|file\s+photo)\s*[:/].{0,80}
  | .{0,60}\b(?:getty\s+images|shutterstock|afp\s+photo|ap\s+photo|reuters/)\S*.{0,30}
  | (?:reply|like|report|flag|share|upvote|downvote|load\s+more|show\s+more|view\s+more|see\s+more)(?:\s*\(\d+\))?
  | \d+\s*(?:likes?|replies|shares|views)
  | (?:posted|published|updated|last\s+updated|modified)\b.{0,60}
  | \d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago
)$""", re.IGNORECASE | re.VERBOSE)

# A comments section starts at one of these lines; every line after it is a reader's.
_COMMENTS_HEADING = re.compile(r"""^(?:
    \d+\s+(?:comments?|responses?|replies|reactions)
  | (?:reader\s+|user\s+)?comments?(?:\s*\(\d+\))?(?:\s*\d+)?
  | (?:reader\s+|user\s+)?(?:responses|discussion|conversation)\s*\(\d+\)
  | (?:leave|post|add|write|submit)\s+a\s+(?:comment|reply|response)\b.{0,40}
  | join\s+the\s+(?:discussion|conversation|debate)\b.{0,40}
  | (?:show|view|load|read|see)\s+(?:all\s+)?(?:\d+\s+)?comments?\b.{0,20}
  | what\s+do\s+you\s+think\?? | have\s+your\s+say | comments\s+are\s+closed\.?
)$""", re.IGNORECASE | re.VERBOSE)

_COOKIE_BANNER = re.compile(r"\b(?:we|this (?:site|website)) uses? cookies\b|\b(?:accept|use of|our) cookies\b"
                            r"|\bcookie (?:policy|settings|preferences)\b", re.IGNORECASE)

# Chrome that arrives glued to a paragraph ("...with Washington.Listen to the article").
_GLUE_PHRASES = (r"listen\s+to\s+(?:this|the)\s+(?:article|story)|read\s+more|continue\s+reading|advertisement"
                 r"|share\s+(?:this|the)\s+(?:article|story)|subscribe(?:\s+now)?|sign\s+up(?:\s+now)?"
                 r"|\d+\s+comments?|comments?\s*\(\d+\)|leave\s+a\s+(?:comment|reply)")
_GLUED_TAIL = re.compile(rf"(?<=[.!?…\"”’])\s*(?P<chrome>{_GLUE_PHRASES})\s*$", re.IGNORECASE)
# used with .match(text, pos): anchored at pos, so no "^" (which would only match at 0)
_GLUED_HEAD = re.compile(rf"(?P<chrome>(?i:{_GLUE_PHRASES}))(?=[A-Z\"“‘'])")

# A promo line under a widget heading ("Fact Checker" / "Verify the accuracy of this article using ...").
# The verb must be followed by what an imperative takes ("Support the ...", "Get unlimited ..."), so that
# sentences opening with the same word as a noun ("Support for the plan fell", "Share prices rose") stay.
_CALL_TO_ACTION = re.compile(rf"^(?:{alternation(CALL_TO_ACTION_VERBS)})\s+(?:{alternation(CALL_TO_ACTION_OBJECTS)})\b",
                             re.IGNORECASE)
# a call to action is promotion, not reporting, when it speaks of these (lexicon.PROMOTIONS)
_PROMO = re.compile(rf"\b(?:{alternation(PROMOTIONS)})\b", re.IGNORECASE)

_BYLINE = re.compile(r"^(?i:by|written\s+by|reporting\s+by)\s+"
                     r"(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|la|van|von|der|and|&))*)"
                     r"(?:\s*[,|·-]\s*.{0,60})?$")

# "Mexico City, January 17, 2026 – The Europe Today: ..." / "WASHINGTON (AP) — ..." / "LONDON, Jan 5 (Reuters) -"
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.'’ -]{1,40}?(?:,\s*[A-Z][A-Za-z.' -]{1,30}?)?)"
    rf"(?:\s*,\s*(?P<date>{DATE_PATTERN}))?"
    r"(?:\s*\((?P<agency>[A-Za-z][\w .&'-]{0,30})\))?"
    r"\s*(?:[–—]|--|-(?=\s))\s*"
    r"(?:(?P<outlet>[A-Z][\w.&'’ -]{1,40}?)\s*:\s+)?")


def parse_date(s: str) -> str | None:
    """The first full date in `s` as ISO YYYY-MM-DD; None when there is none or it lacks a year (never guessed)."""
    m = re.search(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", s)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(rf"(?i)\b(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", s)
    if not m:
        m = re.search(rf"(?i)\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH}),?\s+(?P<year>\d{{4}})\b", s)
    if not m:
        return None
    return _iso(int(m.group("year")), _MONTHS[m.group("mon").lower()[:3]], int(m.group("day")))


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return None


@dataclass(frozen=True)
class Cleaned:
    """Spans into the original text. Body spans are paragraphs (sentences come later); one span per comment."""

    body_spans: tuple[Span, ...]
    comment_spans: tuple[Span, ...]
    title: str | None
    title_span: Span | None = None
    masthead: str | None = None  # an outlet name the page shows at its top or in its dateline
    date: str | None = None  # ISO date from a dateline or "Published ..." line; never guessed
    author: str | None = None  # from a "By ..." byline
    dropped: tuple[tuple[int, int, str], ...] = ()  # (start, end, why): chrome and headings kept out


# what a line of a page is to the cleaner ("": not decided yet); its body and comment lines become the passages
# (labels.PassageKind), the others are kept out, each with its role as the reason
LineRole = Literal["", "body", "comment", "comment meta", "comments heading", "chrome", "byline", "slogan", "widget",
                   "tag", "heading", "title", "masthead", "page header"]


@dataclass
class _Line:
    start: int
    end: int
    gap_before: bool  # a blank line (or a split-off piece of chrome) precedes it
    kind: LineRole = ""


def clean(text: str) -> Cleaned:
    """Classify the lines of `text`; see the module docstring for the rules."""
    lines, dropped = _lines(text)
    _classify(text, lines)
    title_span, masthead = _pick_title(text, lines)
    loose = [ln for ln in lines if ln.kind in ("heading", "title", "tag")]
    if not any(ln.kind == "body" for ln in lines) and any(len(_words(text[ln.start:ln.end])) >= 5 for ln in loose):
        # no paragraph at all (a pasted line or two): what is not chrome is the content, not a headline
        for ln in loose:
            ln.kind = "body"
        title_span = None
    comment_spans = tuple((ln.start, ln.end) for ln in lines if ln.kind == "comment")
    date = author = None
    for ln in lines:
        s = text[ln.start:ln.end]
        if ln.kind == "byline" and author is None:
            m = _BYLINE.match(s)
            author = m.group("name").strip() if m else None
        if ln.kind == "chrome" and date is None and re.match(r"(?i)(posted|published|updated)\b", s):
            date = parse_date(s)
    body = [ln for ln in lines if ln.kind == "body"]
    if body:
        first = body[0]
        m = _DATELINE.match(text, first.start, first.end)
        if m and (m.group("date") or m.group("agency")) and m.end() < first.end:
            dropped.append((first.start, m.end(), "dateline"))
            date = parse_date(m.group("date") or "") or date
            masthead = masthead or (m.group("outlet") or "").strip() or None
            first.start = m.end()
    dropped.extend((ln.start, ln.end, ln.kind) for ln in lines if ln.kind not in ("body", "comment"))
    title = text[title_span[0]:title_span[1]] if title_span else None
    return Cleaned(tuple(_paragraphs(text, body)), comment_spans, title, title_span, masthead, date, author,
                   tuple(sorted(dropped)))


def _lines(text: str) -> tuple[list[_Line], list[tuple[int, int, str]]]:
    """Stripped non-blank lines, with glued chrome split off into `dropped`."""
    out: list[_Line] = []
    dropped: list[tuple[int, int, str]] = []
    gap = True
    pos = 0
    for raw in text.split("\n"):
        s, e = _strip(text, pos, pos + len(raw))
        pos += len(raw) + 1
        if s == e:
            gap = True
            continue
        head = _GLUED_HEAD.match(text, s, e)
        if head and head.end() < e:
            dropped.append((s, head.end(), "glued chrome"))
            s, e = _strip(text, head.end(), e)
            gap = True
        tail = _GLUED_TAIL.search(text, s, e)
        if tail and tail.start("chrome") > s:
            out.append(_Line(s, _strip(text, s, tail.start("chrome"))[1], gap))
            out.append(_Line(tail.start("chrome"), tail.end("chrome"), True))  # classified like any line
            gap = True
            continue
        out.append(_Line(s, e, gap))
        gap = False
    return out, dropped


def _strip(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _words(s: str) -> list[str]:
    return s.split()


def _statement(s: str, n_words: int) -> bool:
    """A full sentence ("Published figures show unemployment at 4.1% in May.") is reporting, even when its
    words look like chrome; only calls to action are chrome in sentence form."""
    return n_words >= 7 and not _unterminated(s) and not _CALL_TO_ACTION.match(s)


def _is_heading(s: str) -> bool:
    """A headline, subhead, tag or label, not a sentence: no final punctuation, and short or in Title Case.
    A longer sentence-case line without a full stop is a statement (a bullet, a summary point)."""
    if s.startswith(("-", "•", "*", "–", "·")) and not s.startswith("**"):
        return False  # a bullet point is body text
    if s.startswith("#"):
        return True
    if _unterminated(s):
        words = _words(s)
        return len(words) <= 6 or (len(words) <= 16 and len(s) <= 160 and _title_case_share(words) >= 0.6)
    return False


def _unterminated(s: str) -> bool:
    return not _TERMINAL.search(s) and not s.endswith((":", ";", ","))


def _title_case_share(words: list[str]) -> float:
    content = [w for w in words if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
    return sum(w[0].isupper() for w in content) / len(content) if content else 0.0


def _is_slogan(s: str) -> bool:
    """'Discover, Engage & Empower', 'News. Views. Reviews.': a list of a few capitalised words."""
    words = _words(s)
    if not 2 <= len(words) <= 6:
        return False
    parts = [p for p in re.split(r"\s*(?:,|&|\band\b|\.|\|)\s*", s) if p]
    return (len(parts) >= 3 and all(len(_words(p)) <= 2 for p in parts)
            and all(p[0].isupper() for p in parts))


def _is_name_like(s: str) -> bool:
    """Every word capitalised (small words aside): a masthead such as 'The Europe Today'."""
    words = _words(s)
    return 1 <= len(words) <= 5 and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)


def _classify(text: str, lines: list[_Line]) -> None:
    in_comments = False
    seen_body = False
    for i, ln in enumerate(lines):
        if ln.kind:  # already decided: the promo line under a widget heading
            continue
        s = text[ln.start:ln.end]
        n_words = len(_words(s))
        if seen_body and _COMMENTS_HEADING.match(s):
            ln.kind, in_comments = "comments heading", True
        elif _COOKIE_BANNER.search(s) or (n_words <= 14 and _CHROME.match(s) and not _statement(s, n_words)):
            ln.kind = "chrome"
            _promo_below(text, lines, i)
        elif n_words <= 40 and _CALL_TO_ACTION.match(s) and _PROMO.search(s):
            ln.kind = "chrome"
        elif n_words <= 12 and _BYLINE.match(s):
            ln.kind = "byline"
        elif _is_slogan(s):
            ln.kind = "slogan"
        elif in_comments:
            # names and timestamps above comments are short headings; the comments are the rest
            ln.kind = "comment meta" if _is_heading(s) and n_words <= 8 else "comment"
        elif _is_heading(s):
            nxt = text[lines[i + 1].start:lines[i + 1].end] if i + 1 < len(lines) else ""
            if n_words <= 4 and _CALL_TO_ACTION.match(nxt) and 5 <= len(_words(nxt)) <= 40 and not _is_slogan(nxt):
                ln.kind = "widget"
                _promo_below(text, lines, i)
            elif n_words == 1:
                ln.kind = "tag"
            else:
                ln.kind = "heading"
        else:
            ln.kind = "body"
            seen_body = True


def _promo_below(text: str, lines: list[_Line], i: int) -> None:
    """A call-to-action line right under chrome or a widget heading belongs to it."""
    if i + 1 < len(lines) and not lines[i + 1].gap_before:
        nxt = text[lines[i + 1].start:lines[i + 1].end]
        if _CALL_TO_ACTION.match(nxt) and len(_words(nxt)) <= 40:
            lines[i + 1].kind = "widget"


def _pick_title(text: str, lines: list[_Line]) -> tuple[Span | None, str | None]:
    """The headline is the first heading of 4+ words above the first real paragraph (else the longest).
    Above it sits the page header: a short all-capitalised line there is the outlet's masthead, and short
    lines there (slogans such as "News You Can Trust. Every Day.") are header, not body."""
    top: list[_Line] = []
    for ln in lines:
        s = text[ln.start:ln.end]
        if ln.kind == "comments heading" or (
                ln.kind == "body" and len(_words(s)) >= _PARAGRAPH_WORDS and not _unterminated(s)):
            break
        top.append(ln)
    headings = [ln for ln in top if ln.kind == "heading"]
    first = next((ln for ln in top if ln.kind not in ("chrome", "slogan", "widget", "byline")), None)
    if (first is not None and first.kind == "body" and _unterminated(text[first.start:first.end])
            and len(_words(text[first.start:first.end])) <= _HEADLINE_WORDS):
        headings.insert(0, first)  # a sentence-case headline, where a headline stands: first, no full stop
    if not headings:
        return None, None
    long_enough = [ln for ln in headings if len(_words(text[ln.start:ln.end])) >= 4]
    title = long_enough[0] if long_enough else max(headings, key=lambda ln: ln.end - ln.start)
    title.kind = "title"
    header = [ln for ln in top if ln.start < title.start and ln.kind not in ("chrome", "slogan", "widget")]
    masthead = None
    if header:
        s = text[header[0].start:header[0].end].lstrip("# ")
        if _is_name_like(s):
            masthead = s.title() if s.isupper() else s
            header[0].kind = "masthead"
    for ln in header:
        if ln.kind == "body":
            ln.kind = "page header"
    return (title.start, title.end), masthead


def _paragraphs(text: str, body: list[_Line]) -> list[Span]:
    """Consecutive body lines with no blank or dropped line between form one paragraph span, so a
    hard-wrapped sentence stays whole (sentences.split decides where lines break)."""
    out: list[Span] = []
    prev: _Line | None = None
    for ln in body:
        if out and prev is not None and not ln.gap_before and _adjacent(text, prev, ln):
            out[-1] = (out[-1][0], ln.end)
        else:
            out.append((ln.start, ln.end))
        prev = ln
    return out


def _adjacent(text: str, a: _Line, b: _Line) -> bool:
    """Only whitespace between two lines, with a single newline."""
    between = text[a.end:b.start]
    return not between.strip() and between.count("\n") == 1
