"""Contrastive claim–evidence pairs from real news sentences: the training data that teaches details.

Given one sentence of a news article (the evidence), ``make_pairs`` writes claims that the sentence

- **supports** (``Verification.SUPPORTS``): the sentence with its numbers re-written ("84,000" → "84 thousand",
  "25%" → "25 percent"), one clause of it, its attribution moved ("X said Y" ↔ "Y, X said"), a leading
  time or place phrase dropped;
- **conflicts** with: one number, count, weekday, month, year, name or place changed, its polarity flipped
  (a negation added or removed) or an outcome reversed with its opposite from ``OPPOSITES``
  (won/lost, approved/rejected, rose/fell, necessary/unnecessary, confirmed/denied, arrested/released …);
- does **not settle** (``NEI``): the sentence with a detail added that it does not state, or another sentence
  of the same story.

Everything is deterministic for a given ``random.Random``; ``scripts/make_verify_pairs.py`` drives it over
FNC-1 train bodies and AllSides stories (never the stories of the project's own evaluation suite).
"""
from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from factcheck import lexicon as lx
from factcheck.labels import Verification
from factcheck.lexicon import alternation
from factcheck.mismatch import numbers

# the lexicon of opposite outcomes a claim is reversed with: lexicon.CONTRAST_OPPOSITES
OPPOSITES: dict[str, str] = lx.CONTRAST_OPPOSITES

# names as a sentence writes them, in calendar order (random draws read the order); "May" is too often a verb
_WEEKDAYS = [w.capitalize() for w in lx.WEEKDAYS]
_MONTHS = [m.capitalize() for m in lx.unambiguous_months()]
_NUM_WORDS = list(lx.CARDINALS[2:13])  # "two" … "twelve"
_AUX_NEG = re.compile(r"\b(" + alternation(lx.AUXILIARIES) + r")\b(?! not)")
_NOT = re.compile(r"\b(" + alternation(lx.AUXILIARIES) + r") not\b")
_NT = re.compile(r"\b(" + alternation(lx.NEGATED_AUXILIARIES) + r")\b", re.IGNORECASE)
_NT_POS = lx.POSITIVE_OF
_SAID = re.compile(r"^(?P<body>.{25,}?),\s+(?P<who>(?:[A-Z][\w.'-]*\s?){1,4}|he|she|they|officials|the \w+)\s+"
                   r"(?P<verb>" + alternation(lx.TRAILING_SPEECH_VERBS) + r")\.?$")
_SAYS_THAT = re.compile(r"^(?P<who>(?:[A-Z][\w.'-]*\s){1,4})(?P<verb>" + alternation(lx.LEADING_SPEECH_VERBS)
                        + r")\s+(?:that\s+)?(?P<body>.{25,})$")
_LEAD = re.compile(r"^(?:(?:On|Late on|Early on|By) (?:" + alternation(_WEEKDAYS) + r")|"
                   r"(?:In|Earlier|Later|Last|This|Since) (?:week|month|year|"
                   + alternation(m.capitalize() for m in lx.MONTHS) + r"|19\d\d|20\d\d|the [a-z]+ (?:week|month|year))"
                   r"|(?:Earlier|Later|Last) (?:this|that|on) \w+)[^,]{0,30},\s+(?P<rest>[a-z].{25,})$")
_APPOSITIVE = re.compile(r",\s+(?:the|a|an|who|which)\s[^,\"“”]{3,60},\s+")
_CLAUSE = re.compile(r"(?:,\s+(?:and|but|while|although|as|which)\s+|;\s+)")
_NAME = re.compile(r"(?<!\bthe )(?<!\bThe )\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,})*\b")
_DETAILS = (" on {weekday}", " for the second time", " in {month}", " after a unanimous vote",
            " for the first time in a decade", " in {year}", " despite strong opposition")
_CALENDAR = frozenset(_WEEKDAYS + _MONTHS)
_HAS_NEG = re.compile(r"\b(" + alternation((*lx.NEGATIONS, "without")) + r")\b|n't\b", re.IGNORECASE)


@dataclass(frozen=True)
class Pair:
    claim: str
    evidence: str
    label: Verification
    how: str  # which transformation wrote the claim ("number", "opposite", "clause", "other-sentence" …)


def _ends(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", '"', "”")) else text + "."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- supports ---------------------------------------------------------------------------------
def _number_words(value: float) -> str | None:
    for scale, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if value >= scale and (value / scale) * 10 == int((value / scale) * 10):
            q = value / scale
            return f"{q:g} {word}"
    return None


def rewrite_numbers(sentence: str) -> str | None:
    """The same quantities written another way ("84,000" → "84 thousand", "25%" → "25 percent")."""
    out, changed, last = [], False, 0
    for n in numbers(sentence):
        s, e = n.span
        txt = n.text
        new = None
        if txt.endswith("%"):
            new = txt[:-1].rstrip() + " percent"
        elif "percent" in txt.lower():
            new = re.sub(r"\s*per\s?cent", "%", txt, flags=re.IGNORECASE)
        elif "," in txt and not n.unit:
            new = _number_words(n.value)
        elif n.unit == "$" and n.value >= 1e6:
            words = _number_words(n.value)
            new = f"{words} dollars" if words else None
        if new:
            out.append(sentence[last:s] + new)
            last, changed = e, True
    if not changed:
        return None
    return "".join(out) + sentence[last:]


def move_attribution(sentence: str) -> str | None:
    """ "Y, X said." ↔ "X said Y" — the same statement by the same speaker."""
    m = _SAID.match(sentence.strip())
    if m and m.group("who")[0].isupper():
        body = m.group("body").strip().strip('"“”')
        return _ends(f"{m.group('who').strip()} {m.group('verb')} that {body[:1].lower() + body[1:]}")
    m = _SAYS_THAT.match(sentence.strip())
    if m:
        body = m.group("body").strip().rstrip(".")
        return _ends(f"{_cap(body)}, {m.group('who').strip()} {m.group('verb')}")
    return None


def first_clause(sentence: str) -> str | None:
    parts = _CLAUSE.split(sentence, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) >= 6 and '"' not in parts[0] and "“" not in parts[0]:
        return _ends(parts[0])
    return None


def drop_appositive(sentence: str) -> str | None:
    """ "X, the new prime minister, said …" → "X said …" (a description dropped, nothing asserted added)."""
    m = _APPOSITIVE.search(sentence)
    if not m:
        return None
    joined = sentence[: m.start()] + " " + sentence[m.end():]
    return joined if len(joined.split()) >= 6 else None


def drop_lead(sentence: str) -> str | None:
    m = _LEAD.match(sentence.strip())
    return _ends(_cap(m.group("rest"))) if m else None


# --- conflicts --------------------------------------------------------------------------------
def change_number(sentence: str, rng: random.Random) -> str | None:
    """One quantity changed to a clearly different one, written in the same style."""
    nums = [n for n in numbers(sentence) if n.value > 0]
    if not nums:
        return None
    n = rng.choice(nums)
    s, e = n.span
    txt = n.text
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", txt)
    if digits:
        raw = digits.group(0)
        value = float(raw.replace(",", ""))
        factor = rng.choice((0.5, 0.6, 1.5, 2.0, 3.0)) if value > 3 else rng.choice((2.0, 3.0, 4.0))
        new_val = value * factor
        if "." in raw:
            new_raw = f"{new_val:.{len(raw.split('.')[1])}f}"
        else:
            new_val = round(new_val)
            if new_val == value:
                new_val = value + rng.choice((1, 2, 5))
            new_raw = f"{int(new_val):,}" if "," in raw else str(int(new_val))
        new = txt[: digits.start()] + new_raw + txt[digits.end():]
    else:
        word = txt.split()[0].lower()
        pool = [w for w in _NUM_WORDS if w != word]
        new = rng.choice(pool) + txt[len(word):]
        if txt[:1].isupper():
            new = _cap(new)
    return sentence[:s] + new + sentence[e:]


def change_date(sentence: str, rng: random.Random) -> str | None:
    for names in (_WEEKDAYS, _MONTHS):
        found = [w for w in names if re.search(rf"\b{w}\b", sentence)]
        if found:
            w = rng.choice(found)
            other = rng.choice([x for x in names if x != w])
            return re.sub(rf"\b{w}\b", other, sentence, count=1)
    years = list(re.finditer(r"\b(19[5-9]\d|20[0-2]\d)\b", sentence))
    if years:
        m = rng.choice(years)
        y = int(m.group(0)) + rng.choice((-3, -2, -1, 1, 2, 3))
        return sentence[: m.start()] + str(y) + sentence[m.end():]
    return None


def flip_polarity(sentence: str, rng: random.Random) -> str | None:
    """A negation added or removed."""
    m = _NOT.search(sentence)
    if m:
        return sentence[: m.start()] + m.group(1) + sentence[m.end():]
    m = _NT.search(sentence)
    if m and m.group(0).lower() in _NT_POS:
        pos = _NT_POS[m.group(0).lower()]
        return sentence[: m.start()] + (_cap(pos) if m.group(0)[0].isupper() else pos) + sentence[m.end():]
    hits = list(_AUX_NEG.finditer(sentence))
    if hits and not _HAS_NEG.search(sentence):  # "no dissent was not filed" reads either way
        m = rng.choice(hits)
        return sentence[: m.end()] + " not" + sentence[m.end():]
    return None


def reverse_outcome(sentence: str, rng: random.Random) -> str | None:
    """One outcome word replaced by its opposite from OPPOSITES."""
    words = [m for m in re.finditer(r"[A-Za-z]+", sentence) if m.group(0).lower() in OPPOSITES]
    if not words:
        return None
    m = rng.choice(words)
    new = OPPOSITES[m.group(0).lower()]
    if m.group(0)[0].isupper():
        new = _cap(new)
    return sentence[: m.start()] + new + sentence[m.end():]


def swap_name(sentence: str, rng: random.Random, names_pool: Sequence[str]) -> str | None:
    """A capitalised name (not the sentence's first word) replaced by another name from the pool."""
    found = [m for m in _NAME.finditer(sentence) if m.start() > 0 and m.group(0).split()[0] not in _CALENDAR]
    if not found or not names_pool:
        return None
    m = rng.choice(found)
    candidates = [n for n in names_pool if n.lower() not in sentence.lower()]
    if not candidates:
        return None
    return sentence[: m.start()] + rng.choice(candidates) + sentence[m.end():]


# --- not enough information -------------------------------------------------------------------
def add_detail(sentence: str, rng: random.Random) -> str | None:
    """The sentence with a detail it does not state (a day, a month, a count of times, a vote)."""
    body, tail = sentence.strip().rstrip("."), ""
    said = _SAID.match(sentence.strip())
    if said:  # the detail goes with the statement, not with the saying of it
        body, tail = said.group("body"), sentence.strip()[said.end("body"):].rstrip(".")
    if '"' in body[-3:] or "”" in body[-3:] or len(body.split()) < 6:
        return None
    options = [d for d in _DETAILS
               if not (("{weekday}" in d and any(w in body for w in _WEEKDAYS))
                       or ("{month}" in d and any(m in body for m in _MONTHS))
                       or ("{year}" in d and re.search(r"\b(19|20)\d\d\b", body)))]
    d = rng.choice(options).format(weekday=rng.choice(_WEEKDAYS), month=rng.choice(_MONTHS),
                                   year=rng.randint(2008, 2019))
    return _ends(body + d + tail)


SUPPORT_MAKERS = (("numbers-rewritten", lambda s, r, p: rewrite_numbers(s)),
                  ("attribution-moved", lambda s, r, p: move_attribution(s)),
                  ("clause", lambda s, r, p: first_clause(s)),
                  ("lead-dropped", lambda s, r, p: drop_lead(s)),
                  ("appositive-dropped", lambda s, r, p: drop_appositive(s)))
CONFLICT_MAKERS = (("number", lambda s, r, p: change_number(s, r)),
                   ("date", lambda s, r, p: change_date(s, r)),
                   ("polarity", lambda s, r, p: flip_polarity(s, r)),
                   ("opposite", lambda s, r, p: reverse_outcome(s, r)),
                   ("name", lambda s, r, p: swap_name(s, r, p)))


def _usable(sentence: str) -> bool:
    n = len(sentence.split())
    return 7 <= n <= 50 and not sentence.strip().endswith("?") and sum(c.isalpha() for c in sentence) > 30


def make_pairs(story: Sequence[str], rng: random.Random, *, names_pool: Sequence[str] = (),
               per_sentence: int = 3, minimal: bool = False) -> list[Pair]:
    """Pairs for each usable sentence of one story (the sentences of its articles, in order).

    Per sentence, at most `per_sentence` pairs: one of each label where a transformation applies, the
    transformation drawn at random among those that apply. A claim equal to its evidence is never written.

    `minimal`: the contradicted and the unsettled claim are edits of the *supported* claim (one clause of the
    sentence, its attribution moved …), not of the whole sentence, so the three claims of a sentence differ in
    one detail only. Without it a claim shorter than its evidence is never contradicted, and a model learns
    "a shortened claim is supported or unsettled, a full-length edit is contradicted": it then reads an
    outlet's sentence that states another figure than a short claim as silent on it. The edit must remove only
    words the evidence has (else the evidence would be silent on the new detail, not contradict it).
    """
    sents = [s.strip() for s in story if _usable(s)]
    out: list[Pair] = []
    for i, sent in enumerate(sents):
        made: list[Pair] = []
        sup = [(how, c) for how, f in SUPPORT_MAKERS if (c := f(sent, rng, names_pool)) and c != sent]
        con = None if minimal else [(how, c) for how, f in CONFLICT_MAKERS
                                    if (c := f(sent, rng, names_pool)) and c != sent]
        base, prefix = sent, ""
        if sup:
            how, c = rng.choice(sup)
            made.append(Pair(c, sent, Verification.SUPPORTS, how))
            if minimal:
                base, prefix = c, f"{how}+"
        elif rng.random() < 0.5:  # the same words: syndicated copy, a claim pasted from the article
            made.append(Pair(sent, sent, Verification.SUPPORTS, "copy"))
        if con is None:
            have = _words(sent)
            con = [(prefix + how, c) for how, f in CONFLICT_MAKERS
                   if (c := f(base, rng, names_pool)) and c != base and _grounded(base, c, have, how)]
        if con:
            how, c = rng.choice(con)
            made.append(Pair(c, sent, Verification.CONFLICTS, how))
        others = [s for j, s in enumerate(sents) if j != i and _overlap(s, sent) < 0.5]
        if others and rng.random() < 0.5:
            made.append(Pair(rng.choice(others), sent, Verification.NEI, "other-sentence"))
        elif (c := add_detail(base, rng)) is not None:
            made.append(Pair(c, sent, Verification.NEI, prefix + "detail-added"))
        rng.shuffle(made)
        out.extend(made[:per_sentence])
    return out


def _overlap(a: str, b: str) -> float:
    ta, tb = set(re.findall(r"[a-z0-9]+", a.lower())), set(re.findall(r"[a-z0-9]+", b.lower()))
    return len(ta & tb) / max(1, min(len(ta), len(tb)))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _grounded(before: str, after: str, evidence_words: set[str], how: str) -> bool:
    """Does the edit `before` → `after` contradict the evidence rather than add to it? Every word it removed
    must be one the evidence has (else the evidence is silent on the new detail: nei, not conflicts), and it
    must remove one — except a negation added, which removes nothing and shares the evidence's verb."""
    removed = _words(before) - _words(after)
    return removed <= evidence_words and (bool(removed) or how == "polarity")


def cross_pairs(claim: str, evidence: str, rng: random.Random, *, names_pool: Sequence[str] = (),
                kinds: Sequence[str] | None = None, unsettled: float = 1.0) -> list[Pair]:
    """From a paraphrase — `evidence` states `claim` in other words (another outlet's sentence) — a claim the
    evidence contradicts and one it does not settle, with the low word overlap of real corroboration.

    The contradicting claim changes one detail of `claim` (a number, date, negation, outcome or name) that
    `evidence` also carries: every word the edit removed must appear in `evidence`, else the evidence would be
    silent on it (nei, not conflicts). A negation added removes no word; the paraphrase shares its verb.
    The unsettled claim is `claim` with a detail added that neither states, written for `unsettled` of the
    pairs. `kinds` limits the edits to some of CONFLICT_MAKERS ("number", "date", "opposite" …)."""
    out: list[Pair] = []
    have = _words(evidence)
    makers = [(how, f) for how, f in CONFLICT_MAKERS if kinds is None or how in kinds]
    edits = [(how, c) for how, f in makers if (c := f(claim, rng, names_pool)) and c != claim]
    rng.shuffle(edits)
    for how, c in edits:
        if _grounded(claim, c, have, how):
            out.append(Pair(c, evidence, Verification.CONFLICTS, f"cross-{how}"))
            break
    if rng.random() < unsettled and (c := add_detail(claim, rng)) is not None:
        out.append(Pair(c, evidence, Verification.NEI, "cross-detail-added"))
    return out
