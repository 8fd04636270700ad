"""Exports of checks and consistency: JSON (for scripts), CSV (for spreadsheets), Markdown and HTML (for people).

The CLI (`factcheck check/compare/report`) and the dashboard's download buttons use these same
functions, so every export of the same results is the same.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypedDict

from factcheck import escape
from factcheck.consistency import Consistency
from factcheck.display import TEXT_COLOURS, claim_labels, differing_html, when_text
from factcheck.labels import VERIFICATIONS, MismatchKind, SourceStance, VerdictLabel, Verification
from factcheck.mismatch import Mismatch
from factcheck.records import SourceProfile
from factcheck.verdict import Check, Evidence
from factcheck.verify import scores_dict

if TYPE_CHECKING:
    from collections.abc import Mapping

    from factcheck.records import PublishedCheck
    from factcheck.timeline import Timeline

# published fact-checks matched to each claim (`published=`, by the claim's text: Factcheck.published_checks) are
# shown beside its verdict, never in it
PUBLISHED_NOTE = "Published fact-checks (their publishers' ratings, not this verdict):"

CSV_FIELDS = ("claim", "claim_source", "verdict", "supporting", "conflicting", "source", "stance",
              "evidence", "label", "p_supports", "p_conflicts", "p_nei", "mismatches", "deciding_detail",
              "source_country", "source_owner", "source_rating", "source_rating_source", "part_of")
PARTS_NOTE = ("Checked in parts, each on its own (a source that contradicts a part contradicts the sentence above; "
              "one that states a part does not state the sentence):")
# what the user recorded about an outlet (factcheck.profiles), in every export beside the outlet's name
PROFILE_FIELDS = ("name", "country", "owner", "rating", "rating_source", "notes")


# --- the JSON export's objects (also `factcheck check --json` and `compare --json`) ---------------------------
class MismatchJSON(TypedDict):
    kind: MismatchKind
    claim: str
    passage: str
    claim_span: list[int]
    passage_span: list[int]


class EvidenceJSON(TypedDict):
    text: str
    source: str
    article: int
    passage: int
    label: str
    scores: dict[str, float]
    model_label: str
    model_scores: dict[str, float] | None
    similarity: float
    start: int
    end: int
    duplicate_of: int | None
    reported: bool
    mismatches: list[MismatchJSON]
    blocked_by: MismatchJSON | None


class CheckJSON(TypedDict):
    claim: str
    claim_source: str | None
    verdict: VerdictLabel
    supporting: int
    conflicting: int
    neutral: int
    duplicates: int
    reason: str
    reporting: list[str]
    sources: dict[str, SourceStance]
    deciding: dict[str, int]
    evidence: list[EvidenceJSON]
    parts: list[CheckJSON]


class MatrixRowJSON(TypedDict):
    claim: str
    claim_source: str | None
    verdict: VerdictLabel
    stances: dict[str, SourceStance]


class PairJSON(TypedDict):
    a: str
    b: str
    shared: int
    agree: int
    conflict: int
    agreement: float | None


class SourceSummaryJSON(TypedDict):
    source: str
    claims: int
    corroborated: int
    contested: int
    mixed: int
    unique: int


class ConsistencyJSON(TypedDict):
    sources: list[str]
    matrix: list[MatrixRowJSON]
    pairs: list[PairJSON]
    per_source: list[SourceSummaryJSON]


def profile_dict(p: SourceProfile) -> dict[str, str | None]:
    return {f: getattr(p, f) for f in PROFILE_FIELDS}


def mismatch_dict(m: Mismatch) -> MismatchJSON:
    return {"kind": m.kind, "claim": m.claim_text, "passage": m.passage_text,
            "claim_span": list(m.claim_span), "passage_span": list(m.passage_span)}


def evidence_dict(e: Evidence) -> EvidenceJSON:
    return {"text": e.text, "source": e.source, "article": e.article_id, "passage": e.passage_id,
            "label": str(e.label), "scores": scores_dict(e.scores),
            "model_label": str(e.model_label),
            "model_scores": scores_dict(e.model_scores) if e.model_scores is not None else None,
            "similarity": round(e.similarity, 4), "start": e.start, "end": e.end, "duplicate_of": e.duplicate_of,
            "reported": e.reported, "mismatches": [mismatch_dict(m) for m in e.mismatches],
            "blocked_by": mismatch_dict(e.blocked_by) if e.blocked_by is not None else None}


def check_dict(c: Check) -> CheckJSON:
    v = c.verdict
    return {"claim": c.claim, "claim_source": c.claim_source, "verdict": v.label,
            "supporting": v.supporting, "conflicting": v.conflicting, "neutral": v.neutral,
            "duplicates": v.duplicates, "reason": v.reason, "reporting": list(v.reporting),
            "sources": {s: st for s, st in v.source_stances},
            "deciding": {s: pid for s, pid in v.deciding},
            "evidence": [evidence_dict(e) for e in c.evidence],
            "parts": [check_dict(p) for p in c.parts]}


def consistency_dict(cons: Consistency) -> ConsistencyJSON:
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


def published_dict(m: PublishedCheck) -> dict[str, object]:
    """One matched published fact-check as JSON: the review's fields, then how it matched."""
    from dataclasses import asdict

    return {**asdict(m.review), "similarity": round(m.similarity, 4), "match": str(m.match),
            "p_match": round(m.p_match, 4)}


def to_json(*, checks: Sequence[Check] = (), consistency: Consistency | None = None,
            profiles: Sequence[SourceProfile] = (), published: Mapping[str, Sequence[PublishedCheck]] | None = None
            ) -> str:
    """`profiles`: the outlet profiles to include, as "sources" (the caller picks them: those of the sources
    reported on); `published`: each claim's matched published fact-checks, as "published_checks" beside its check
    (left out when None, as before)."""
    checks = list(consistency.checks) if consistency is not None and not checks else list(checks)
    rows: list[dict[str, object]] = [dict(check_dict(c)) for c in checks]
    if published is not None:
        for row, c in zip(rows, checks, strict=True):
            row["published_checks"] = [published_dict(m) for m in published.get(c.claim, ())]
    payload: dict[str, object] = {"checks": rows}
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
    # a compound claim's parts (factcheck.parts) follow it, each a claim of its own with the sentence in part_of
    rows = [row for whole in checks for row in [(whole, ""), *((p, whole.claim) for p in whole.parts)]]
    for c, part_of in rows:
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
                   "stance": stances.get(s, SourceStance.SILENT) if s else "", "evidence": e.text if e else "",
                   "label": str(e.label) if e else "",
                   **probs,
                   "mismatches": "; ".join(f"{m.kind}: {m.claim_text} vs {m.passage_text}"
                                           for m in (e.mismatches if e else ())),
                   "deciding_detail": _detail(e.blocked_by) if e and e.blocked_by else "",
                   **{f"source_{f}": getattr(by_name[s], f) or "" if s in by_name else ""
                      for f in ("country", "owner", "rating", "rating_source")},
                   "part_of": part_of}
            w.writerow({k: escape.csv_cell(x) for k, x in row.items()})
    return buf.getvalue()


def _detail(m: Mismatch) -> str:
    passage = f"the passage says {m.passage_text}" if m.passage_text else "the passage lacks it"
    claim = f"the claim says {m.claim_text}" if m.claim_text else "the claim does not say it"
    return f"{m.kind}: {passage}; {claim}"


def _notes(e: Evidence) -> str:
    """What a passage's stance cell adds to its label, in the Markdown and the HTML report alike."""
    return (" (near-duplicate)" if not e.counted else "") + (" (reported statement)" if e.reported else "")


# Markdown cells and headings through escape.markdown (one line, the pipe escaped too, so no cell ends early);
# HTML below through escape.html: the short names keep the templates readable, the escapers are escape's
_md = escape.markdown


def _strong(text: str, mark: str) -> str:
    """`text` (escaped already) in bold: Markdown's "**" or an HTML tag's name."""
    return f"{mark}{text}{mark}" if mark == "**" else f"<{mark}>{text}</{mark}>"


def _beside(c: Check, published: Mapping[str, Sequence[PublishedCheck]] | None, esc: Callable[[str], str],
            strong: str) -> list[tuple[str, list[str]]]:
    """What the Markdown and HTML reports list under a claim, (note, lines) each, written with the format's
    escaper: the published fact-checks matched to it (when asked for), then a compound claim's parts."""
    out = []
    if found := (published or {}).get(c.claim, ()):
        out.append((PUBLISHED_NOTE, [_published_line(m, esc, strong) for m in found]))
    if c.parts:
        out.append((PARTS_NOTE, [_part_line(p, esc, strong) for p in c.parts]))
    return out


def _published_line(m: PublishedCheck, esc: Callable[[str], str], strong: str) -> str:
    """One matched published fact-check, its texts through `esc` (the Markdown and the HTML report alike)."""
    r = m.review
    return (f"{esc(r.publisher or 'unknown publisher')}: {_strong(esc(r.rating or ''), strong)} "
            f"({esc(r.date or 'undated')}) — “{esc(r.claim)}” — {esc(r.url or '')}")


def _part_line(part: Check, esc: Callable[[str], str], strong: str) -> str:
    """One part of a compound claim with its own verdict (our label: no user text) and reason (the Markdown and the
    HTML report alike)."""
    return f"{esc(part.claim)} — {_strong(str(part.verdict.label), strong)} — {esc(part.verdict.reason)}"


def to_markdown(*, checks: Sequence[Check] = (), consistency: Consistency | None = None,
                profiles: Sequence[SourceProfile] = (), published: Mapping[str, Sequence[PublishedCheck]] | None = None
                ) -> str:
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
                dup = _notes(e)
                mm = "; ".join(f"{m.kind}: {_md(m.claim_text)} vs {_md(m.passage_text)}" for m in e.mismatches)
                lines.append(f"| {_md(e.source)} | {e.label}{dup} | {e.p(e.label):.2f} | {_md(e.text)} | {mm} |")
            lines.append("")
        for note, items in _beside(c, published, _md, "**"):
            lines += [note, "", *(f"- {item}" for item in items), ""]
    return "\n".join(lines) + "\n"


# --- HTML: one self-contained page (no network: plotly.js inline, no link, no remote font or image) ---------
_h = escape.html
# nothing may load or send anything: plotly.js and styles are inline, and a hostile string that escaped the
# escaping still could not fetch a script, an image or call home
_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
        "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")
_CSS = """body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 1.5rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; }
th, td { border: 1px solid #cfd8dc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; } .meta { color: #555; font-size: 0.85rem; }
mark.fc-mismatch { background: #ffab91; text-decoration: underline wavy #c62828; }
""" + (f".supports {{ color: {TEXT_COLOURS[Verification.SUPPORTS]}; }} "
       f".conflicts {{ color: {TEXT_COLOURS[Verification.CONFLICTS]}; }} "
       f".nei, .neutral {{ color: {TEXT_COLOURS[Verification.NEI]}; }}")


def _figures(consistency: Consistency | None, timeline: Timeline | None) -> list[str]:
    from factcheck import charts

    figs = [charts.timeline(timeline)] if timeline is not None and timeline.claims else []
    if consistency is not None and consistency.checks:
        figs += [charts.agreement_heatmap(consistency), charts.claim_matrix(consistency),
                 charts.source_bars(consistency), charts.contested_ranking(consistency)]
    # plotly.js once, inline (the page must work offline); labels were escaped by escape.plotly and the
    # figure JSON is written with '<' as \u003c, so no text can close the script element
    # fixed div ids (plotly draws random ones): the same results give the same file
    return [f.to_html(full_html=False, include_plotlyjs=i == 0, config={"displaylogo": False},
                      div_id=f"fc-chart-{i + 1}") for i, f in enumerate(figs)]


def to_html(*, checks: Sequence[Check] = (), consistency: Consistency | None = None,
            profiles: Sequence[SourceProfile] = (), timeline: Timeline | None = None, name: str = "",
            charts: bool = True, published: Mapping[str, Sequence[PublishedCheck]] | None = None) -> str:
    """A report for people in one HTML file: verdicts, each claim's evidence with its label and the differing
    words marked, the timeline (who carried each claim when, and its wording), the charts as Plotly divs
    (plotly.js inline: it opens offline). Every piece of user text is HTML-escaped; addresses are text, never
    links. `name`: the story's; `charts=False` leaves the charts (and the 4.8 MB of plotly.js) out."""
    checks = list(consistency.checks) if consistency is not None and not checks else list(checks)
    labels = claim_labels(len(checks))
    name = name or (timeline.name if timeline is not None else "")
    heading = "factcheck report" + (f" — {name}" if name else "")
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_h(_CSP)}">',
           '<meta name="referrer" content="no-referrer">',
           f"<title>{_h(heading)}</title><style>{_CSS}</style></head><body>", f"<h1>{_h(heading)}</h1>"]
    sources = consistency.sources if consistency is not None else ()
    out.append(f'<p class="meta">{len(checks)} claim(s)' + (f", {len(sources)} source(s): "
                                                           f"{_h(', '.join(sources))}" if sources else "") + "</p>")
    if profiles:
        out += ["<h2>Source profiles</h2>", '<p class="meta">What the user recorded about each outlet; a rating is its '
                "source's, not factcheck's.</p>", "<table><tr>" + "".join(f"<th>{_h(f)}</th>" for f in PROFILE_FIELDS)
                + "</tr>"]
        out += ["<tr>" + "".join(f"<td>{_h(getattr(p, f) or '')}</td>" for f in PROFILE_FIELDS) + "</tr>"
                for p in profiles]
        out.append("</table>")
    # a claim's timeline row by its words and outlet (a row stands for every claim that states the same fact):
    # `checks` may be a filtered subset of what the timeline covers
    placed = {w: t for t in timeline.claims for w in t.wordings} if timeline is not None else {}
    out += ["<h2>Verdicts</h2>", "<table><tr><th>#</th><th>claim</th><th>source</th><th>verdict</th>"
            "<th>supporting</th><th>conflicting</th>" + ("<th>first stated by</th>" if timeline is not None else "")
            + "</tr>"]
    for label, c in zip(labels, checks, strict=True):
        t = placed.get((c.claim, c.claim_source))
        first = t.first if t is not None else None
        first_cell = (f"<td>{_h(first.source)} ({_h(when_text(first.when, first.dated))})</td>" if first else
                      "<td></td>") if timeline is not None else ""
        out.append(f"<tr><td>{label}</td><td>{_h(c.claim)}</td>"
                   f"<td>{_h(c.claim_source or '')}</td><td>{_h(c.verdict.label)}</td>"
                   f'<td class="n">{c.verdict.supporting}</td><td class="n">{c.verdict.conflicting}</td>'
                   f"{first_cell}</tr>")
    out.append("</table>")
    if charts:
        divs = _figures(consistency, timeline)
        if divs:
            out += ["<h2>Charts</h2>", *divs]
    if timeline is not None:
        out += ["<h2>Timeline and wording</h2>", '<p class="meta">When each outlet carried each claim: its article\'s '
                "date, or — the date unknown — when it was ingested. Words, numbers and names that differ from the "
                "claim's are marked.</p>"]
        shown: set[int] = set()
        for label, c in zip(labels, checks, strict=True):
            t = placed.get((c.claim, c.claim_source))
            if t is None or not t.appearances or id(t) in shown:
                continue  # one table a fact: the first of its claims here shows it
            shown.add(id(t))
            out.append(f"<h3>{label}: {_h(c.claim)}</h3>")
            also = [(w, s) for w, s in t.wordings if (w, s) != (c.claim, c.claim_source)]
            if also:
                out.append('<p class="meta">The same fact in other outlets\' claims: ' + "; ".join(
                    f"{_h(s or '')}: “{_h(w)}”" for w, s in also) + "</p>")
            out.append("<table><tr><th>when</th><th>source</th><th>carries it</th><th>wording</th></tr>")
            for a in t.appearances:
                star = " ★ first" if a is t.first else ""
                out.append(f"<tr><td>{_h(when_text(a.when, a.dated))}</td><td>{_h(a.source)}{star}</td>"
                           f'<td class="{_h(a.stance)}">{_h(a.stance)}</td>'
                           f"<td>{differing_html(a.text, a.mismatches, side='passage')}</td></tr>")
            out.append("</table>")
    out.append("<h2>Claims and evidence</h2>")
    for label, c in zip(labels, checks, strict=True):
        v = c.verdict
        src = f" ({_h(c.claim_source)})" if c.claim_source else ""
        out += [f"<h3>{label}: {_h(c.claim)}{src}</h3>",
                f"<p><b>Verdict: {_h(v.label)}</b> — {_h(v.reason)}</p>"]
        if c.evidence:
            out.append("<table><tr><th>source</th><th>stance</th><th>p</th><th>passage</th>"
                       "<th>in the claim</th></tr>")
            for e in c.evidence:
                notes = _notes(e)
                claim_cell = differing_html(c.claim, e.mismatches, side="claim") if e.mismatches else ""
                out.append(f'<tr><td>{_h(e.source)}</td><td class="{_h(e.label)}">{_h(e.label)}{notes}</td>'
                           f'<td class="n">{e.p(e.label):.2f}</td>'
                           f"<td>{differing_html(e.text, e.mismatches, side='passage')}</td><td>{claim_cell}</td></tr>")
            out.append("</table>")
        for note, items in _beside(c, published, _h, "b"):  # addresses as text, never links (the page holds none)
            out += [f'<p class="meta">{_h(note)}</p>', "<ul>", *(f"<li>{item}</li>" for item in items), "</ul>"]
    out.append("</body></html>")
    return "\n".join(out) + "\n"
