"""Hostile text made safe for each place factcheck writes it: Markdown, a CSV cell, a terminal, HTML, a chart label.

Article text, titles and source names come from strangers. One escaper per output format, here and nowhere else,
used by every face that writes that format (the report module and the dashboard share `markdown`; the CLI
prints through `terminal`); HTML (the dashboard and the HTML report) through `html` and `marked`, Plotly labels
and hovers (factcheck.charts) through `plotly`.

Control characters are shown as `\\uXXXX`: visible to a reader, and the same escape JSON and Python
use, so a JSON text cleaned for the terminal still decodes to the exact original.
"""
from __future__ import annotations

import html as _html
import re
import textwrap
from collections.abc import Sequence

# Backslash first in the class only for readability: re.sub makes one pass, so a backslash already in
# the text is itself escaped and cannot cancel the escape of the character after it ("\<" -> "\\\<").
# Beyond CommonMark's set: ":" (Streamlit's :red[…] and :material/…: directives), "$" (math), "=" "~" "^"
# "%" "@" (highlight, strikethrough, footnotes, comments and mentions in other renderers). Quotes and
# apostrophes are markup nowhere once brackets are escaped (a link title needs a link): left as typed, so a raw
# report reads "it's", not "it\\'s".
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=^%@])")
# C0 (but tab and newline), DEL and C1 (ESC, CSI U+009B, OSC U+009D…): they drive terminals
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# bidirectional embeddings, overrides, isolates and marks: they reorder how a terminal shows a line
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# and lone surrogates (a file name's undecodable bytes): a UTF-8 terminal cannot take them, print() would raise
_TERMINAL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
# a spreadsheet reads a cell starting with these as a formula (OWASP, CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _code(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def markdown(text: object) -> str:
    """User text for a place rendered as Markdown (a report's table cell or heading, a Streamlit caption).

    One line (a newline would end a table row), every Markdown punctuation character backslash-escaped
    so no tag, link, image, entity, emphasis or directive forms, and control characters shown as
    `\\uXXXX`. Rendered, it reads as the text it was."""
    flat = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _CONTROL.sub(lambda m: "\\" + _code(m), flat)  # "\\u001b": an escaped backslash, then "u001b"


def csv_cell(value: object) -> object:
    """A value for a CSV cell: text that a spreadsheet would run as a formula (`=HYPERLINK(…)`, DDE) gets
    a leading `'`, which spreadsheets show as text; numbers pass unchanged and stay numbers."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_uncell(value: str) -> str:
    """What `csv_cell` was given, from what it wrote: a file factcheck exported reads back as it was stored."""
    if value.startswith("'") and value[1:].lstrip(" ").startswith(_FORMULA_START):
        return value[1:]
    return value


def terminal(text: object, *, keep_lines: bool = False) -> str:
    """Text to print for a person: control characters (ESC, CSI, bell, backspace, carriage return…) and
    bidi overrides become visible `\\uXXXX`, so text cannot retitle, recolour or rewrite the terminal, nor
    reorder what it shows. One line unless `keep_lines`: a field then cannot forge lines of its own."""
    s = str(text) if keep_lines else " ".join(str(text).split())
    return _TERMINAL.sub(_code, s)


def html(text: object) -> str:
    """User text for HTML (an element's text or a quoted attribute): every '<', '>', '&' and quote an entity."""
    return _html.escape(str(text), quote=True)


def marked(text: str, spans: Sequence[tuple[int, int, str]], *, titles: Sequence[str] | None = None) -> str:
    """Escaped HTML of `text` with <mark class=…> around each (start, end, css class) span.

    Spans may overlap or fall outside the text (a stale offset): of overlapping spans the first
    wins and the others are dropped; a span running past the end is clipped; none raises.
    """
    out, pos = [], 0
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1]))
    for i in order:
        start, end, cls = spans[i]
        end = min(end, len(text))
        if start < pos or end <= start:
            continue
        title = f' title="{html(titles[i])}"' if titles else ""
        out.append(html(text[pos:start]))
        out.append(f'<mark class="{html(cls)}"{title}>{html(text[start:end])}</mark>')
        pos = end
    out.append(html(text[pos:]))
    return "".join(out)


def plotly(text: object, *, width: int = 70, limit: int = 400) -> str:
    """Text from an article as plotly label text: escaped, shortened, wrapped with <br>.

    Plotly's label subset needs '<' to open a tag and decodes &amp; &lt; &gt; and numeric entities, but not
    &quot;: escaping '&', '<' and '>' (quote=False) keeps every tag out and shows quotes as typed."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return "<br>".join(_html.escape(line, quote=False) for line in textwrap.wrap(flat, width) or [""])
