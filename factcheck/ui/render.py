"""Showing hostile text safely, and failing without a traceback.

Article text, titles, source names and comments come from the web: they may hold `<script>`,
`<img onerror=…>` or markdown links to `javascript:`. Rules kept here, in one place:
- highlighted text is built as HTML in which every piece of user text went through html.escape,
  then shown with st.html (which also sanitises, and runs no JavaScript);
- user text placed where Streamlit renders markdown (headers, captions) goes through escape.markdown first,
  which backslash-escapes every markdown punctuation character, so no link or directive forms; it is
  the report's Markdown escaper too.
Colours and words of labels, and the marking of differing details, are factcheck.display's: the reports use the
same.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import streamlit as st

from factcheck import escape
from factcheck.display import COLOURS, WORDS, differing_html
from factcheck.errors import FactcheckError
from factcheck.records import Passage, PublishedCheck
from factcheck.verdict import Evidence

log = logging.getLogger("factcheck.ui")

CSS = """<style>
.fc-text { white-space: pre-wrap; line-height: 1.6; font-size: 0.95rem; }
.fc-text mark { background: #fff3b0; padding: 0 1px; }
.fc-text mark.fc-mismatch { background: #ffab91; text-decoration: underline wavy #c62828; }
.fc-box { border-left: 4px solid #90a4ae; padding: 0.3rem 0.7rem; margin: 0.3rem 0; }
.fc-meta { font-size: 0.8rem; color: #555; margin: 0.2rem 0; }
.fc-text mark.fc-claim { background: #fff3b0; }
.fc-comment { color: #555; border-left: 3px solid #cfd8dc; padding-left: 0.6rem; margin: 0.4rem 0; }
.fc-published { border-left: 4px solid #6a1b9a; padding: 0.3rem 0.7rem; margin: 0.3rem 0; background: #f8f5fb; }
</style>"""

_esc = escape.html  # every piece of user text in the HTML built here


def article_html(text: str, body: Sequence[Passage], *, threshold: float) -> str:
    """The article's body sentences in order (chrome and comments left out), claims marked.

    Sentences keep their paragraph breaks: a gap holding a newline in the original text becomes a
    blank line, any other gap one space.
    """
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    titles: list[str] = []
    pos, prev_end = 0, None
    for p in sorted(body, key=lambda p: p.start):
        sentence = text[p.start:p.end] if 0 <= p.start < p.end <= len(text) else p.text
        if prev_end is not None:
            gap = "\n\n" if "\n" in text[prev_end:p.start] else " "
            parts.append(gap)
            pos += len(gap)
        if p.score >= threshold:
            spans.append((pos, pos + len(sentence), "fc-claim"))
            titles.append(f"claim · check-worthiness {p.score:.2f}")
        parts.append(sentence)
        pos += len(sentence)
        prev_end = p.end
    return f'<div class="fc-text">{escape.marked("".join(parts), spans, titles=titles)}</div>'


def evidence_html(claim: str, ev: Evidence, *, deciding: bool = False) -> str:
    """One passage of evidence: its own label and probability, the passage with differing details marked,
    and, when details differ, the claim with the same details marked. `deciding`: this passage decides its
    source's stance."""
    head = f"<b>{_esc(WORDS[ev.label])}</b> · p = {ev.p(ev.label):.2f}"
    if ev.label != ev.model_label and ev.model_scores is not None:
        why = (f"the {_esc(ev.blocked_by.kind)} differs" if ev.blocked_by is not None
               else "too weak or too far from the claim to settle it")
        head += (f" · verifier read {_esc(WORDS[ev.model_label])} "
                 f"(p = {max(ev.model_scores):.2f}), but {why}")
    head += f" · similarity {ev.similarity:.2f}"
    if deciding:
        head = "<b>deciding passage</b> · " + head
    if ev.reported:
        head += " · gives it as someone's statement"
    if ev.duplicate_of is not None:
        head += " · near-duplicate wording, counted once"
    out = [f'<div class="fc-box" style="border-left-color:{COLOURS[ev.label]}">',
           f'<div class="fc-meta">{head}</div>',
           f'<div class="fc-text">{differing_html(ev.text, ev.mismatches, side="passage")}</div>']
    if ev.mismatches:
        kinds = ", ".join(sorted({m.kind for m in ev.mismatches}))
        out.append(f'<div class="fc-meta">Differing {_esc(kinds)} — in the claim:</div>'
                   f'<div class="fc-text">{differing_html(claim, ev.mismatches, side="claim")}</div>')
    return "".join(out) + "</div>"


def box(text: str, *, stance: str, note: str = "") -> str:
    """A passage in a box whose border shows its stance; `note` is our own (trusted) text."""
    colour = COLOURS.get(stance, "#cfd8dc")
    meta = f'<div class="fc-meta">{_esc(note)}</div>' if note else ""
    return f'<div class="fc-box" style="border-left-color:{colour}">{meta}<div class="fc-text">{_esc(text)}</div></div>'


def published_html(m: PublishedCheck, *, short: bool = False) -> str:
    """A published fact-check matched to a claim: the publisher's rating (theirs: shown, never adopted), who and
    when, how it matched, the claim it reviewed and its address (as text: the page holds no link). `short`: one
    line, for a table cell."""
    from factcheck.factchecks import how_matched

    r = m.review
    who = " · ".join(_esc(x) for x in (r.publisher or "unknown publisher", r.date) if x)
    head = f"<b>{_esc(r.rating or 'no rating')}</b> — {who} · {_esc(how_matched(m))}"
    if short:
        return f'<div class="fc-published"><div class="fc-meta">Published fact-check: {head}</div></div>'
    out = [f'<div class="fc-published"><div class="fc-meta">{head}</div>',
           f'<div class="fc-text">{_esc(r.claim)}</div>']
    if r.claimant:
        out.append(f'<div class="fc-meta">claim made by {_esc(r.claimant)}</div>')
    if r.url:
        out.append(f'<div class="fc-meta">{_esc(r.url)}</div>')
    return "".join(out) + "</div>"


def show(body_html: str) -> None:
    """Show HTML built only by this module's functions (every piece of user text escaped)."""
    st.html(CSS + body_html)


def comments(texts: Sequence[str]) -> None:
    st.html(CSS + "".join(f'<div class="fc-comment fc-text">{_esc(t)}</div>' for t in texts))


@contextmanager
def guard() -> Iterator[None]:
    """A page body: a user error shows its reason, anything else a short message; never a traceback."""
    try:
        yield
    except FactcheckError as e:
        st.error(str(e))
    except Exception as e:  # noqa: BLE001 - the last line of defence between a bug and the user
        log.exception("dashboard page failed")  # the traceback goes to the server's console, not the page
        st.error(f"Something went wrong ({type(e).__name__}). Try again; if it persists, run "
                 "`factcheck doctor` to check the store.")
