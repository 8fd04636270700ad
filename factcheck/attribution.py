"""Attribution: whose statement a claim or a passage reports.

"Mexico's homicide rate has dropped significantly, Sheinbaum said" is a claim about what someone said.
An outlet that reports the same statement by the same speaker ("President Sheinbaum highlighted a
significant drop in homicide rates") corroborates that claim, even though it takes no side on the fact
itself, which is how a stance model trained on news reads it (FNC-1 "discuss": reported, not endorsed).
For a claim with no speaker such reporting stays what it is, reporting: the verdict names the outlets
that carry the statement but does not count them as support.

Plain patterns, no parser: a speaker is a run of capitalised words next to a verb of saying, in the
three shapes claims take ("X, Name said", "Name said X", "according to Name, X"). The speaker is
matched by its last word (a surname or an institution's head noun), the way outlets shorten names. The verbs
and the capitalised words that name no one are factcheck.lexicon's SPEECH_VERBS and NOT_SPEAKERS.
"""
from __future__ import annotations

import re

from factcheck.lexicon import NOT_SPEAKERS, SPEECH_VERBS, alternation

_VERB = rf"(?:{alternation(SPEECH_VERBS)})\b"
_NAME = r"(?P<speaker>(?:[A-Z][\w'’.-]*\s+){0,4}[A-Z][\w'’.-]*)"
_TRAILING = re.compile(rf",\s*{_NAME}\s+{_VERB}(?:\s+on\s+\w+|\s+\w+day)?\s*[.!]?\s*$")
_LEADING = re.compile(rf"^{_NAME}\s+{_VERB}")
_ACCORDING = re.compile(rf"\b(?i:according to\s+(?:the\s+)?){_NAME}")
_SAYING = re.compile(rf"\b{_VERB}|\baccording to\b", re.IGNORECASE)
# words that open a sentence in capitals without naming anyone
_NOT_NAMES = frozenset(w.capitalize() for w in NOT_SPEAKERS)  # compared as they open a sentence


def claim_speaker(claim: str) -> str | None:
    """The word that names who a claim says said it ("Sheinbaum"), or None for a claim of fact.

    "Mexico's homicide rate fell, Claudia Sheinbaum said" → "Sheinbaum"; "According to the Interior
    Ministry, ..." → "Ministry"; "Homicides fell, officials said" → None (no one named)."""
    text = claim.strip()
    for pattern in (_TRAILING, _LEADING, _ACCORDING):
        m = pattern.search(text)
        if m:
            words = [w for w in re.split(r"\s+", m.group("speaker")) if w]
            words = [w for w in words if w not in _NOT_NAMES]
            if words:
                return re.sub(r"(['’]s|['’.])$", "", words[-1]) or None
    return None


def reports_statement(text: str) -> bool:
    """Does the text present something as said by someone (a verb of saying, "according to")?"""
    return bool(_SAYING.search(text))


def names(text: str, speaker: str) -> bool:
    """Does the text name the speaker (whole word, possessive allowed)?"""
    return re.search(rf"\b{re.escape(speaker)}(?:['’]s)?\b", text) is not None
