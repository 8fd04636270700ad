"""Sentences: split a text into (start, end) spans that index the text itself.

pysbd (clean=False) knows "U.S.", "Dr.", quotes and decimals, but its own char spans can drift, so we
map each segment back onto the text ourselves. Paragraph breaks are hard breaks; a single newline is a
hard break too unless the lines look hard-wrapped (long lines of similar length, no final punctuation).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_PARA = re.compile(r"\n[ \t\r\f\v]*\n")
_TERMINAL = tuple('.!?:;"”’»)')
# a wrapped line is at least this share of the paragraph's longest line
_WRAP_RATIO = 0.6


# pysbd's time grows with the square of its input (96 KB of one-line prose took over two minutes), so a long
# block goes to it in windows of about this many characters: linear time, whatever the input
_WINDOW = 1_000

# somewhere a sentence could end inside a block: without one, the block is one sentence and pysbd is skipped
_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s+[\"'“‘(\[]*[A-Z0-9]")


@lru_cache(maxsize=1)
def segmenter():  # type: ignore[no-untyped-def]
    """The process's one pysbd Segmenter (English, clean=False): building one compiles its rules, and
    factcheck.snippet splits stance bodies with it too."""
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _segments(text: str) -> list[str]:
    """pysbd's sentences. Its Processor alone: Segmenter.segment would also compute char spans by
    regex (half the time) and we map segments back ourselves anyway."""
    seg = segmenter()
    try:
        return list(seg.processor(text).process())
    except AttributeError:  # another pysbd version without that attribute: the public call
        return list(seg.segment(text))


def split(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) into `text`, in order; text[start:end] is a stripped, non-empty sentence."""
    spans: list[tuple[int, int]] = []
    for start, end in _blocks(text):
        spans.extend(_segment_block(text, start, end))
    return spans


def split_span(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of text[start:end], with spans into the whole `text`."""
    return [(start + s, start + e) for s, e in split(text[start:end])]


def _blocks(text: str) -> list[tuple[int, int]]:
    """Stretches of text no sentence crosses: paragraphs, and lines that are not hard-wrapped."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in [*_PARA.finditer(text), None]:
        para_end = m.start() if m else len(text)
        out.extend(_lines_of_paragraph(text, pos, para_end))
        if m:
            pos = m.end()
    return [(s, e) for s, e in out if text[s:e].strip()]


def _lines_of_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        lines.append((pos, line_end))
        if nl == -1:
            break
        pos = nl + 1
    if len(lines) == 1:
        return lines
    longest = max(len(text[s:e].strip()) for s, e in lines)
    merged: list[tuple[int, int]] = [lines[0]]
    for (prev_s, prev_e), (s, e) in zip(lines, lines[1:], strict=False):
        prev_line = text[prev_s:prev_e].strip()
        wrapped = (bool(prev_line) and not prev_line.endswith(_TERMINAL)
                   and len(prev_line) >= max(40.0, _WRAP_RATIO * longest))
        if wrapped:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _segment_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    # pysbd breaks at every newline; inside a wrapped block a newline is a space (same length, same offsets)
    flat = text[start:end].replace("\n", " ")
    if not _BOUNDARY.search(flat):
        s, e = _strip(flat)
        return [(start + s, start + e)] if s < e else []
    spans: list[tuple[int, int]] = []
    cursor = 0
    for seg in _windowed_segments(flat):
        piece = seg.strip()
        if not piece:
            continue
        at = flat.find(piece, cursor)
        length = len(piece)
        if at < 0:
            # pysbd changed whitespace inside the segment: match its words with any whitespace between
            words = [re.escape(w) for w in piece.split()]
            m = re.compile(r"\s+".join(words)).search(flat, cursor)
            if m is None:
                break  # the rest becomes one sentence below: text is never lost
            at, length = m.start(), m.end() - m.start()
        spans.append((start + at, start + at + length))
        cursor = at + length
    s, e = _strip(flat, cursor)
    if s < e:
        # never lose text: whatever pysbd did not hand back becomes the last sentence
        spans.append((start + s, start + e))
    return spans


def _windowed_segments(flat: str) -> Iterator[str]:
    """pysbd's sentences of `flat`, in order, feeding it at most _WINDOW characters at a time. The last
    sentence of a window may run on past it, so it is handed to the next window rather than trusted."""
    pos, n = 0, len(flat)
    while n - pos > _WINDOW:
        cut = flat.rfind(" ", pos + 1, pos + _WINDOW)  # cut between words
        cut = cut if cut > pos else pos + _WINDOW
        segs = [seg for seg in _segments(flat[pos:cut]) if seg.strip()]
        at = flat.rfind(segs[-1].strip(), pos, cut) if len(segs) > 1 else -1
        if at <= pos:  # one sentence fills the window (or cannot be found again): cut it there
            yield from segs
            pos = cut
            continue
        yield from segs[:-1]
        pos = at
    yield from _segments(flat[pos:])


def _strip(s: str, pos: int = 0) -> tuple[int, int]:
    """Bounds of s[pos:] without surrounding whitespace (str.isspace, as str.strip uses)."""
    end = len(s)
    while pos < end and s[pos].isspace():
        pos += 1
    while end > pos and s[end - 1].isspace():
        end -= 1
    return pos, end
