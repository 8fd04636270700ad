"""Word lists: every English word list the core matches text with, in one place, each said what for and who
reads it (tests/test_lexicon.py tests each).

Lists are data; the regex a module needs is built where it is used, from these lists (``alternation``), so a
list read by two modules is written once. Entries of a list a regex is built from may be regex fragments
(``"emphasi[sz]ed"``, ``"fail(?:s|ed|ing)? to"``): the inflected forms the regex matches are part of the list.
Tuples keep their order where a regex or a random draw reads it; membership-only lists are frozensets.

The check-worthiness cues (the last section) are frozen: the shipped model (models/checkworthy) learnt its
weights on regexes built from exactly these entries, in this order. Change one and retrain with
scripts/train_checkworthy.py.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def alternation(words: Iterable[str]) -> str:
    """The entries as one regex alternation, in their order ("a|b|c"); entries are regex fragments."""
    return "|".join(words)


def nested_forms(forms: Sequence[str]) -> str:
    """One regex matching each of `forms`, each a prefix of the next, longest first:
    ("sep", "sept", "september") → "sep(?:t(?:ember)?)?"."""
    head, *longer = forms
    if not longer:
        return head
    return head + "(?:" + nested_forms([f[len(head):] for f in longer]) + ")?"


# --- the calendar -------------------------------------------------------------------------------
# Weekday and month names, lower-case, in calendar order (contrast draws replacements from them at random, so the
# order is part of its deterministic output). Read by mismatch (a date of the claim the passage gives otherwise),
# contrast (a date changed or added; "Monday, ..." leads dropped) and ingest.clean (datelines, "Published ..."
# dates).
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                           "october", "november", "december")
# "may" is too often a verb for a bare word to be read as the month (mismatch, contrast); a dateline's "May 5"
# (ingest.clean) is a month
AMBIGUOUS_MONTHS: frozenset[str] = frozenset({"may"})
# The shortened forms a dateline writes ("Jan. 5", "Sept 3"), shortest first, each a prefix of the month's name:
# ingest.clean builds its month regex from them (with the name itself) and reads a month by its first three letters.
MONTH_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "january": ("jan",), "february": ("feb",), "march": ("mar",), "april": ("apr",), "may": (), "june": ("jun",),
    "july": ("jul",), "august": ("aug",), "september": ("sep", "sept"), "october": ("oct",), "november": ("nov",),
    "december": ("dec",)}


def unambiguous_months() -> tuple[str, ...]:
    """MONTHS less AMBIGUOUS_MONTHS, in calendar order."""
    return tuple(m for m in MONTHS if m not in AMBIGUOUS_MONTHS)


# --- numbers ------------------------------------------------------------------------------------
# Figures written as words and what they are worth; mismatch reads quantities with them (its regex tries longer
# words first), contrast changes a count to another of CARDINALS[2:13] ("two" … "twelve").
CARDINALS: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
NUMBER_WORDS: dict[str, float] = {w: float(i) for i, w in enumerate(CARDINALS)}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                     "ninety": 90, "hundred": 100, "dozen": 12, "half": 0.5})
# how a figure says it is a percentage ("12%", "12 per cent", "3 percentage points"): mismatch compares percentages
# only with percentages
PERCENT_UNITS: tuple[str, ...] = ("%", r"per\s?cent", "percent", "percentage points?")
# a scale after a figure ("12 million", "$3bn"), in the order mismatch's regex tries them
SCALES: dict[str, float] = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "k": 1e3,
                            "m": 1e6}
# ranks written as words (mismatch compares them only with ranks); "first" is left out: it is as often "the first
# time" or "at first" as a rank
ORDINALS: dict[str, int] = {w: i for i, w in enumerate(
    ("second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth"),
    start=2)}
# Words before a figure that state it only roughly ("nearly 5,000", "about 30%"): mismatch lets such a figure agree
# with one within its HEDGE_TOLERANCE.
APPROXIMATIONS: tuple[str, ...] = (
    "nearly", "almost", "about", "around", "roughly", "approximately", "some", "close to", "more than", "over",
    "less than", "under", "fewer than", "just over", "just under", "up to", "at least", "at most", "upwards of",
    "an estimated", "estimated")

# --- negation and refutation --------------------------------------------------------------------
# Words that negate what follows: mismatch (one text negates, the other does not) and contrast (a sentence with
# one is not given another) read these.
NEGATIONS: tuple[str, ...] = ("not", "no", "never", "none", "nobody", "nothing", "neither", "nor")
# mismatch also reads a denial or a verdict of falsehood as a negation, and any "-n't" and "cannot"
DENIALS: tuple[str, ...] = ("denied", "denies", "deny")
FALSEHOODS: tuple[str, ...] = ("false", "fake", "hoax")
CONTRACTED_NEGATIONS: tuple[str, ...] = (r"\w+n't", "cannot")
# Verbs that negate what follows them: a passage's "failed to override" states what a claim's "could not
# override" does (mismatch reads them in the passage only). "declined to" is left out: "the rate declined to
# 4.8%" is a fall, not a refusal.
IMPLICIT_NEGATIONS: tuple[str, ...] = (
    "fail(?:s|ed|ing)? to", "fell short", "falls? short", "short of", "unable to", "refus(?:e|es|ed|ing) to")
# After a negation, words that are not what it negates ("was not", "did not have"): mismatch skips them to find
# the negated word.
NOT_NEGATED: frozenset[str] = frozenset({
    "be", "been", "is", "was", "were", "are", "have", "has", "had", "do", "does", "did", "a", "an", "the", "to",
    "yet", "ever", "any", "that", "it"})
# Words with which an article disputes what it reports (snippet: the closest sentence carrying one joins the
# snippet a stance model reads; a debunking sentence seldom repeats the claim's words).
REFUTATIONS: tuple[str, ...] = (
    r"hoax\w*", "fake[ds]?", "false(ly|hood)?", "untrue", "not true", "isn't true", "wasn't true", "den(y|ies|ied|ial)",
    r"debunk\w*", r"refut\w*", "rumou?rs?", r"satir\w*", "no evidence", r"fabricat\w*", "myths?", "misleading",
    "bogus", "incorrect", r"retract\w*", r"dismiss\w*", "baseless", "never happened")
# Auxiliaries a negation attaches to: contrast adds "not" after one or removes it ("was not" → "was").
AUXILIARIES: tuple[str, ...] = ("is", "are", "was", "were", "will", "would", "can", "could", "should", "has", "have",
                                "had", "does", "did", "do", "must")
# Contracted negations contrast recognises, and the positive form of those it flips ("doesn't", "didn't", "don't"
# are recognised but not flipped: "He doesn't confirm" → "He does confirm" would need the verb's tense too).
NEGATED_AUXILIARIES: tuple[str, ...] = (
    "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "can't", "couldn't", "shouldn't", "hasn't",
    "haven't", "hadn't", "doesn't", "didn't", "don't")
POSITIVE_OF: dict[str, str] = {
    "isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were", "won't": "will", "wouldn't": "would",
    "can't": "can", "couldn't": "could", "shouldn't": "should", "hasn't": "has", "haven't": "have", "hadn't": "had"}

# --- direction of a change ----------------------------------------------------------------------
# Words that state a change of quantity, up or down (mismatch: the passage moves what the claim moves the other
# way). "up", "down", "cut", "lower" and "dip" are left out: they read too often as something else ("set up",
# "step down", "lower court", "diplomatic").
RISES: tuple[str, ...] = (
    "ris(?:e|es|en|ing)", "rose", r"increas\w*", "grow(?:s|n|ing)?", "grew", "surg(?:e|es|ed|ing)",
    "jump(?:s|ed|ing)?", "climb(?:s|ed|ing)?", r"soar\w*", "spik(?:e|es|ed|ing)", "doubl(?:e|es|ed|ing)",
    "tripl(?:e|es|ed|ing)")
FALLS: tuple[str, ...] = (
    "fall(?:s|en|ing)?", "fell", "drop(?:s|ped|ping)?", r"decreas\w*", "declin(?:e|es|ed|ing)", r"plung\w*",
    r"plummet\w*", "reduc(?:e|es|ed|ing|tion|tions)", r"slump\w*", r"shr[aiu]nk\w*", r"diminish\w*", "sank",
    "tumbl(?:e|es|ed|ing)")
# Words before a direction word that are not what moved ("the rate has sharply risen": "rate"): mismatch's subject.
NOT_SUBJECTS: frozenset[str] = NOT_NEGATED | {
    "has", "have", "had", "will", "would", "could", "may", "might", "also", "sharply", "slightly", "significantly",
    "steadily", "and", "or", "but", "which", "who", "s"}

# --- opposite outcomes --------------------------------------------------------------------------
# Outcomes that exclude each other whatever the context (mismatch: the passage uses the claim's outcome's opposite,
# never the outcome). Kept narrow on purpose: pairs such as won/lost or before/after are often both true of one
# event ("Biden won; Trump lost"), so they are left to the verifier, which CONTRAST_OPPOSITES teach. One pair a
# "|"-separated cell; "_" joins a two-word outcome ("struck_down").
OPPOSITE_OUTCOME_ROWS = """
necessary unnecessary | legal illegal | lawful unlawful | constitutional unconstitutional | likely unlikely
possible impossible | safe unsafe | true untrue | fair unfair | effective ineffective | successful unsuccessful
guilty innocent | acquitted convicted | approved rejected | approves rejects | approve reject | confirmed denied
confirms denies | upheld overturned | upholds overturns | accepted refused | allowed banned | legalized banned
peaceful violent | increase decrease | increases decreases | increased decreased | survived died
larger smaller | bigger smaller | higher lower | more fewer | wider narrower | older younger | longer shorter
defeated won | defeated re-elected | upheld struck_down | upholds strikes_down | uphold strike_down
upheld blocked | upheld invalidated | extended ended | extended lifted
""".strip()


def _opposite_outcomes() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for pair in OPPOSITE_OUTCOME_ROWS.replace("\n", "|").split("|"):
        a, b = (w.replace("_", " ") for w in pair.split())
        out[a] = (*out.get(a, ()), b)
        out[b] = (*out.get(b, ()), a)
    return out


# each outcome → its opposites, in row order ("smaller": "larger", "bigger"; mismatch reports the first it finds)
OPPOSITE_OUTCOMES: dict[str, tuple[str, ...]] = _opposite_outcomes()

# The wider lexicon contrast writes contradicting training claims with (one outcome reversed). Each row: two words
# of opposite outcome in the same forms (verbs as news uses them: base, -s, past, -ing); both directions are used,
# and a word's first opposite wins. Kept to pairs whose swap contradicts in almost any context: words with other
# senses ("left", "lower court", "fire", "close", "sign", "pass", "first", "public") are out.
OPPOSITE_VERB_ROWS = """
win wins won winning | lose loses lost losing
approve approves approved approving | reject rejects rejected rejecting
accept accepts accepted accepting | refuse refuses refused refusing
confirm confirms confirmed confirming | deny denies denied denying
arrest arrests arrested arresting | release releases released releasing
rise rises rose rising | fall falls fell falling
increase increases increased increasing | decrease decreases decreased decreasing
grow grows grew growing | shrink shrinks shrank shrinking
gain gains gained gaining | lose loses lost losing
allow allows allowed allowing | ban bans banned banning
support supports supported supporting | oppose opposes opposed opposing
acquit acquits acquitted acquitting | convict convicts convicted convicting
uphold upholds upheld upholding | overturn overturns overturned overturning
strengthen strengthens strengthened strengthening | weaken weakens weakened weakening
include includes included including | exclude excludes excluded excluding
admit admits admitted admitting | deny denies denied denying
survive survives survived surviving | die dies died dying
resume resumes resumed resuming | suspend suspends suspended suspending
lift lifts lifted lifting | impose imposes imposed imposing
""".strip()
OPPOSITE_WORD_ROWS = """
necessary unnecessary | legal illegal | possible impossible | likely unlikely | constitutional unconstitutional
guilty innocent | higher lower | more fewer | larger smaller | biggest smallest | largest smallest
increase decrease | rise fall | gain loss | victory defeat | majority minority
success failure | successful unsuccessful | positive negative | safe unsafe | always never
peaceful violent | winner loser | above below | maximum minimum | strong weak
""".strip()


def _contrast_opposites() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in OPPOSITE_VERB_ROWS.splitlines():
        left, right = (side.split() for side in row.split("|"))
        for a, b in zip(left, right, strict=True):
            out.setdefault(a, b)
            out.setdefault(b, a)
    for chunk in OPPOSITE_WORD_ROWS.replace("\n", "|").split("|"):
        a, b = chunk.split()
        out.setdefault(a, b)
        out.setdefault(b, a)
    return out


CONTRAST_OPPOSITES: dict[str, str] = _contrast_opposites()

# --- who said it --------------------------------------------------------------------------------
# Verbs of saying, in the forms claims take ("…, Sheinbaum said", "Sheinbaum highlighted …"): attribution finds a
# claim's speaker and a passage's reported statement with them.
SPEECH_VERBS: tuple[str, ...] = (
    "said", "says", "say", "told", "tells", "announced", "announces", "claimed", "claims", "stated", "states", "added",
    "adds", "noted", "notes", "argued", "argues", "insisted", "insists", "highlighted", "highlights", "revealed",
    "reveals", "declared", "declares", "asserted", "asserts", "explained", "confirmed", "confirms", "cited", "cites",
    "touted", "touts", "credited", "credits", "reported", "reports", "warned", "warns", "suggested", "suggests",
    "acknowledged", "admitted", "maintained", "maintains", "pointed to", "points to", "pointing to", "pointed out",
    "boasted", "boasts", "stressed", "stresses", "emphasi[sz]ed", "emphasi[sz]es")
# The verbs contrast moves an attribution around with ("Y, X said." ↔ "X said Y"): at a sentence's end, at its
# start; a subset of SPEECH_VERBS ("told reporters" aside), narrow so a rewrite stays grammatical.
TRAILING_SPEECH_VERBS: tuple[str, ...] = ("said", "says", "told reporters", "added", "stated", "announced")
LEADING_SPEECH_VERBS: tuple[str, ...] = ("said", "says", "announced", "stated")
# Capitalised words that open a sentence without naming anyone ("Officials said …"): attribution's speaker is
# never one of them (compared capitalised).
NOT_SPEAKERS: frozenset[str] = frozenset({
    "the", "a", "an", "it", "this", "that", "these", "those", "he", "she", "they", "we", "i", "you", "officials",
    "experts", "sources", "critics", "reports", "some", "many"})

# --- pointing back -------------------------------------------------------------------------------
# Words a sentence opens on that point back to the sentence before it ("She cited …", "This …"): verdict reads
# such a passage with its antecedent.
POINTING_BACK: tuple[str, ...] = ("he", "she", "it", "they", "his", "her", "its", "their", "this", "these", "those",
                                  "such")

# --- page chrome --------------------------------------------------------------------------------
# Small words a Title Case headline leaves in lower case (ingest.clean: is a line a heading, a masthead).
TITLE_SMALL_WORDS: frozenset[str] = frozenset({
    "a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with", "&", "-"})

# A promo line under a widget heading opens on one of these verbs followed by one of these words ("Support our
# journalism", "Get unlimited access"): ingest.clean. The second word keeps sentences that open with the same word
# as a noun ("Support for the plan fell", "Share prices rose").
CALL_TO_ACTION_VERBS: tuple[str, ...] = (
    "verify", "check", "sign", "subscribe", "get", "try", "download", "join", "read", "discover", "learn", "click",
    "tap", "follow", "support", "donate", "listen", "watch", "explore", "register", "install", "upgrade", "become",
    r"find\s+out", "see", "share", "send", "tell", "ask", "rate")
CALL_TO_ACTION_OBJECTS: tuple[str, ...] = (
    "our", "the", "this", "these", "your", "up", "in", "now", "to", "more", "unlimited", "free", "full", "all", "a",
    "an", "us", "it", "here", "today", "me", "them")
# a call to action is promotion, not reporting, when it speaks of one of these (ingest.clean)
PROMOTIONS: tuple[str, ...] = (
    "access", r"subscri\w*", "newsletter", "app", "download", "premium", "offer", "trial", "membership", "account",
    "inbox", "notifications?", "this article", "sign up", "per month", "a month", "ad-free", r"donat\w*")

# --- check-worthiness cues (frozen: the shipped model's weights depend on them) ----------------------
# claims builds one regex per cue from these lists; each counts a trait of a sentence that its embedding blurs.
CUE_MONEY: tuple[str, ...] = ("dollars?", "euros?", "pounds", "pesos?", "budget", "taxe?s?", "deficit", "debt")
CUE_MAGNITUDES: tuple[str, ...] = ("hundreds?", "thousands?", "millions?", "billions?", "trillions?", "dozens?",
                                   "half", "twice", "double[ds]?", "tripled?", "times")
