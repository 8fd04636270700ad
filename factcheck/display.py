"""How results are shown to people, in one place for every face: each label's colour and words, the claims' short
names, an appearance's time, and the HTML of a text with the details that differ from the other text marked.

The charts, the reports (Markdown, HTML) and the dashboard read these, so a label looks and reads the same in each.
Pure: no streamlit, no plotly. Escaping is factcheck.escape's.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from factcheck import escape
from factcheck.labels import Carried, SourceStance, VerdictLabel, Verification

if TYPE_CHECKING:
    from factcheck.mismatch import Mismatch

# one colour per label, wherever it is drawn (chart marks, the dashboard's evidence borders)
COLOURS: dict[str, str] = {
    Verification.SUPPORTS: "#2e7d32",
    Verification.CONFLICTS: "#c62828",
    SourceStance.NEUTRAL: "#f9a825",
    Verification.NEI: "#90a4ae",
    SourceStance.SILENT: "#eceff1",
    Carried.OWN: "#1565c0",
    VerdictLabel.CORROBORATED: "#2e7d32",
    VerdictLabel.CONTESTED: "#c62828",
    VerdictLabel.MIXED: "#ef6c00",
    "unique": "#1565c0",  # a source's claims no other source reports (consistency.SourceSummary.unique)
}
# a label's colour as text on white (the HTML report's stance cells): nei's and neutral's mark colours are too pale
TEXT_COLOURS: dict[str, str] = {
    Verification.SUPPORTS: COLOURS[Verification.SUPPORTS],
    Verification.CONFLICTS: COLOURS[Verification.CONFLICTS],
    Verification.NEI: "#607d8b",
    SourceStance.NEUTRAL: "#607d8b",
}
# a verdict's badge on the dashboard (Streamlit's named badge colours)
BADGES: dict[VerdictLabel, str] = {
    VerdictLabel.CORROBORATED: "green",
    VerdictLabel.CONTESTED: "red",
    VerdictLabel.MIXED: "orange",
    VerdictLabel.SINGLE_SOURCE: "blue",
    VerdictLabel.NOT_ENOUGH_EVIDENCE: "gray",
}
# what a passage or an outlet does to the claim, in words (a verdict's reason, evidence headings, the timeline)
WORDS: dict[str, str] = {
    Verification.SUPPORTS: "states it",
    Verification.CONFLICTS: "contradicts it",
    Verification.NEI: "does not settle it",
    Carried.OWN: "its own outlet",
}
_WHEN_UNKNOWN = "no date; ingested"


def claim_labels(n: int) -> list[str]:
    """The claims' short names ("C1"…) on chart axes and in reports: long claims go in hovers and tables."""
    return [f"C{i + 1}" for i in range(n)]


def when_text(when: str | None, dated: bool) -> str:
    """An appearance's time for people: the article's date, or the ingest time said to be one."""
    if when is None:
        return "unknown"
    return when if dated else f"{_WHEN_UNKNOWN} {when.replace('T', ' ')[:16]}"


def differing_html(text: str, mismatches: Sequence[Mismatch], *, side: Literal["passage", "claim"]) -> str:
    """Escaped HTML of `text` with the differing details marked: `side` "passage" (the outlet's wording) or
    "claim" (the claim's), each mark titled with what the other text says."""
    if side == "claim":
        spans = [(m.claim_span[0], m.claim_span[1], "fc-mismatch") for m in mismatches if m.claim_span[0] >= 0]
        tips = [f"{m.kind}: the passage says “{m.passage_text or 'nothing'}”" for m in mismatches
                if m.claim_span[0] >= 0]
    else:
        spans = [(m.passage_span[0], m.passage_span[1], "fc-mismatch") for m in mismatches if m.passage_span[0] >= 0]
        tips = [f"{m.kind}: the claim says “{m.claim_text}”" if m.claim_text else f"{m.kind}: not in the claim"
                for m in mismatches if m.passage_span[0] >= 0]
    return escape.marked(text, spans, titles=tips)
