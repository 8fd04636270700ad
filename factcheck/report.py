"""Exports of checks and consistency: JSON (for scripts), CSV (for spreadsheets), Markdown (for people).

The CLI (`factcheck check/compare/report`) and the dashboard's download buttons use these same
functions, so every export of the same results is the same.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from factcheck import escape
from factcheck.consistency import Consistency
from factcheck.labels import VERIFICATIONS
from factcheck.mismatch import Mismatch
from factcheck.records import SourceProfile
from factcheck.verdict import Check, Evidence
from factcheck.verify import scores_dict

CSV_FIELDS = ("claim", "claim_source", "verdict", "supporting", "conflicting", "source", "stance",
              "evidence", "label", "p_supports", "p_conflicts", "p_nei", "mismatches", "deciding_detail",
              "source_country", "source_owner", "source_rating", "source_rating_source")
# what the user recorded about an outlet (factcheck.profiles), in every export beside the outlet's name
PROFILE_FIELDS = ("name", "country", "owner", "rating", "rating_source", "notes")


def profile_dict(p: SourceProfile) -> dict[str, Any]:
    return {f: getattr(p, f) for f in PROFILE_FIELDS}


def mismatch_dict(m: Mismatch) -> dict[str, Any]:
    return {"kind": m.kind, "claim": m.claim_text, "passage": m.passage_text,
            "claim_span": list(m.claim_span), "passage_span": list(m.passage_span)}


def evidence_dict(e: Evidence) -> dict[str, Any]:
    return {"text": e.text, "source": e.source, "article": e.article_id, "passage": e.passage_id,
            "label": str(e.label), "scores": scores_dict(e.scores),
            "model_label": str(e.model_label),
            "model_scores": scores_dict(e.model_scores) if e.model_scores is not None else None,
            "similarity": round(e.similarity, 4), "start": e.start, "end": e.end, "duplicate_of": e.duplicate_of,
            "reported": e.reported, "mismatches": [mismatch_dict(m) for m in e.mismatches],
            "blocked_by": mismatch_dict(e.blocked_by) if e.blocked_by is not None else None}


def check_dict(c: Check) -> dict[str, Any]:
    v = c.verdict
    return {"claim": c.claim, "claim_source": c.claim_source, "verdict": v.label,
            "supporting": v.supporting, "conflicting": v.conflicting, "neutral": v.neutral,
            "duplicates": v.duplicates, "reason": v.reason, "reporting": list(v.reporting),
            "sources": {s: st for s, st in v.source_stances},
            "deciding": {s: pid for s, pid in v.deciding},
            "evidence": [evidence_dict(e) for e in c.evidence]}


def consistency_dict(cons: Consistency) -> dict[str, Any]:
    return {
        "sources": list(cons.sources),
        "matrix": [{"claim": c.claim, "claim_source": c.claim_source, "verdict": c.verdict.label,
                    "stances": dict(zip(cons.sources, row, strict=True))}
                   for c, row in zip(cons.checks, cons.matrix, strict=True)],
        "pairs": [{"a": p.a, "b": p.b, "shared": p.shared, "agree": p.agree, "conflict": p.conflict,
                   "agreement": None if p.agreement is None else round(p.agreement, 4)} for p in cons.pairs],
        "per_source": [{"source": s.source, "claims": s.claims, "corroborated": s.corroborated,
                        "contested": s.contested, "mixed": s.mixed, "unique": s.unique} for s in cons.summaries],
    }


def to_json(*, checks: Sequence[Check] = (), consistency: Consistency | None = None,
            profiles: Sequence[SourceProfile] = ()) -> str:
    """`profiles`: the outlet profiles to include, as "sources" (the caller picks them: those of the sources
    reported on)."""
    checks = list(consistency.checks) if consistency is not None and not checks else list(checks)
    payload: dict[str, Any] = {"checks": [check_dict(c) for c in checks]}
    if consistency is not None:
        payload["consistency"] = consistency_dict(consistency)
    if profiles:
        payload["sources"] = [profile_dict(p) for p in profiles]
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def to_csv(*, checks: Sequence[Check] = (), consistency: Consistency | None = None,
           profiles: Sequence[SourceProfile] = ()) -> str:
    """One row per claim × source: the source's stance and the passage that decides it.

    Text cells are quoted and a formula's first character neutralised (escape.csv_cell), so a spreadsheet
    shows the text instead of running it; numbers (counts, probabilities) are written bare and stay numbers.
    The source's profile (`profiles`), when it has one, fills the source_* columns.
    """
    checks = list(consistency.checks) if consistency is not None and not checks else list(checks)
    by_name = {p.name: p for p in profiles}
    buf = io.StringIO()
    buf.write(",".join(CSV_FIELDS) + "\n")
    # every text cell quoted: a spreadsheet whose separator is ';' would otherwise split "a;=cmd" into a
    # cell of its own that starts with '='
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    for c in checks:
        v = c.verdict
        stances = dict(v.source_stances)
        cols = list(consistency.sources) if consistency is not None else sorted(stances)
        for s in cols or [""]:
            if s == c.claim_source:
                continue
            e = c.deciding(s) if s else None
            probs: dict[str, object] = (
                {f"p_{lab}": round(x, 4) for lab, x in zip(VERIFICATIONS, e.scores, strict=True)}
                if e else {f"p_{lab}": "" for lab in VERIFICATIONS})
            row = {"claim": c.claim, "claim_source": c.claim_source or "", "verdict": v.label,
                   "supporting": v.supporting, "conflicting": v.conflicting, "source": s,
                   "stance": stances.get(s, "silent") if s else "", "evidence": e.text if e else "",
                   "label": str(e.label) if e else "",
                   **probs,
                   "mismatches": "; ".join(f"{m.kind}: {m.claim_text} vs {m.passage_text}"
                                           for m in (e.mismatches if e else ())),
                   "deciding_detail": _detail(e.blocked_by) if e and e.blocked_by else "",
                   **{f"source_{f}": getattr(by_name[s], f) or "" if s in by_name else ""
                      for f in ("country", "owner", "rating", "rating_source")}}
            w.writerow({k: escape.csv_cell(x) for k, x in row.items()})
    return buf.getvalue()


def _detail(m: Mismatch) -> str:
    passage = f"the passage says {m.passage_text}" if m.passage_text else "the passage lacks it"
    claim = f"the claim says {m.claim_text}" if m.claim_text else "the claim does not say it"
    return f"{m.kind}: {passage}; {claim}"


def _md(text: str) -> str:
    """Text in a Markdown table cell or heading: one line, nothing that renders (escape.markdown escapes the
    pipe too, so no cell ends early)."""
    return escape.markdown(text)


def to_markdown(*, checks: Sequence[Check] = (), consistency: Consistency | None = None,
                profiles: Sequence[SourceProfile] = ()) -> str:
    checks = list(consistency.checks) if consistency is not None and not checks else list(checks)
    lines = ["# factcheck report", ""]
    if profiles:
        lines += ["## Source profiles", "", "What the user recorded about each outlet; a rating is its source's, "
                  "not factcheck's.", "", "| source | country | owner | rating | rating source | notes |",
                  "|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(_md(getattr(p, f) or "") for f in PROFILE_FIELDS) + " |" for p in profiles]
        lines.append("")
    if consistency is not None:
        lines += ["## Sources", "", "| source | claims | corroborated | contested | mixed | unique |",
                  "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {_md(s.source)} | {s.claims} | {s.corroborated} | {s.contested} | {s.mixed} | {s.unique} |"
                  for s in consistency.summaries]
        lines += ["", "## Agreement between sources", "", "| source A | source B | shared | agree | conflict |",
                  "|---|---|---:|---:|---:|"]
        lines += [f"| {_md(p.a)} | {_md(p.b)} | {p.shared} | {p.agree} | {p.conflict} |" for p in consistency.pairs]
        lines.append("")
    lines += ["## Claims", ""]
    for c in checks:
        v = c.verdict
        src = f" ({_md(c.claim_source)})" if c.claim_source else ""
        lines += [f"### {_md(c.claim)}{src}", "", f"**Verdict: {v.label}** — {_md(v.reason)}", ""]
        shown = list(c.evidence)
        if shown:
            lines += ["| source | stance | p | passage | mismatches |", "|---|---|---:|---|---|"]
            for e in shown:
                dup = (" (near-duplicate)" if not e.counted else "") + (" (reported statement)" if e.reported else "")
                mm = "; ".join(f"{m.kind}: {_md(m.claim_text)} vs {_md(m.passage_text)}" for m in e.mismatches)
                lines.append(f"| {_md(e.source)} | {e.label}{dup} | {e.p(e.label):.2f} | {_md(e.text)} | {mm} |")
            lines.append("")
    return "\n".join(lines) + "\n"
