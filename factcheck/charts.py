"""Charts: pure functions from checks and consistency results to plotly Figures.

The dashboard only calls st.plotly_chart on them.

Every piece of text that reaches a figure came from an article or a user, so it is escaped
(factcheck.escape.plotly): plotly renders a subset of HTML in hover labels and tick labels, and escaped text is
shown as the characters it is. Claims are long, so axes carry short labels ("C3") and the hover carries
the claim. Colours and words of the labels are factcheck.display's, the same as the dashboard's.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from factcheck import escape
from factcheck.display import COLOURS, WORDS, claim_labels
from factcheck.labels import VERIFICATIONS, Carried, SourceStance, VerdictLabel

if TYPE_CHECKING:
    from factcheck.consistency import Consistency
    from factcheck.timeline import Timeline
    from factcheck.verdict import Evidence

STANCES = VERIFICATIONS  # the stance mix's bars, in this order
# claim x source cells, in colour-scale order; "own": the source the claim comes from
CELLS: tuple[str, ...] = (SourceStance.CONFLICTS, SourceStance.NEUTRAL, SourceStance.SILENT, SourceStance.SUPPORTS,
                          Carried.OWN)
_CELL_SCALE = [(edge, COLOURS[c]) for i, c in enumerate(CELLS) for edge in (i / len(CELLS), (i + 1) / len(CELLS))]
_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.15))
# axes of names are categories: left to guess, plotly reads "1", "1.0" or "2024-01-01" as numbers or dates,
# so two sources named "1" and "1.0" would share a bar and a date-like name would turn the axis into a calendar
_NAMES = dict(type="category")


def stance_mix(evidence: Sequence[Evidence], *, title: str = "Stance of the evidence, by source") -> go.Figure:
    """One stacked horizontal bar per source: how many of its passages support, conflict, ..."""
    sources = sorted({e.source for e in evidence})
    counts = Counter((e.source, e.label) for e in evidence)
    fig = go.Figure()
    for label in STANCES:
        xs = [counts[(s, label)] for s in sources]
        if any(xs):
            fig.add_trace(go.Bar(name=str(label), y=[escape.plotly(s, width=30) for s in sources], x=xs,
                                 orientation="h", marker_color=COLOURS[label],
                                 hovertemplate="%{y}: %{x} passage(s) " + label + "<extra></extra>"))
    fig.update_layout(barmode="stack", title=title, xaxis_title="passages", yaxis=_NAMES, **_LAYOUT)
    return fig


def agreement_heatmap(cons: Consistency, *, title: str = "Agreement between sources") -> go.Figure:
    """Share of the claims two sources both take a side on where they take the same side; blank: none shared."""
    names = [escape.plotly(s, width=30) for s in cons.sources]
    z: list[list[float | None]] = []
    shared: list[list[int]] = []
    for a in cons.sources:
        pairs = [cons.pair(a, b) if a != b else None for b in cons.sources]
        z.append([p.agreement if p else None for p in pairs])
        shared.append([p.shared if p else 0 for p in pairs])
    text = [["–" if v is None else f"{v:.0%}" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=names, y=names, zmin=0, zmax=1, text=text, texttemplate="%{text}", customdata=shared,
        colorscale=[(0, COLOURS[SourceStance.CONFLICTS]), (0.5, "#fafafa"), (1, COLOURS[SourceStance.SUPPORTS])],
        hovertemplate="%{y} vs %{x}<br>agreement %{text}<br>%{customdata} claim(s) both take a side on"
                      "<extra></extra>",
        colorbar=dict(title="agree", tickformat=".0%"), xgap=2, ygap=2,
    ))
    fig.update_layout(title=title, xaxis=_NAMES, yaxis=dict(_NAMES, autorange="reversed"), **_LAYOUT)
    return fig


def claim_matrix(cons: Consistency, *, title: str = "Claims × sources") -> go.Figure:
    """What each source says about each claim: supports / conflicts / neutral / silent, or it is the claim's own."""
    labels = claim_labels(len(cons.checks))
    z, hover = [], []
    for i, (check, row) in enumerate(zip(cons.checks, cons.matrix, strict=True)):
        cells = [Carried.OWN if s == check.claim_source else c for s, c in zip(cons.sources, row, strict=True)]
        z.append([CELLS.index(c) if c in CELLS else CELLS.index(SourceStance.SILENT) for c in cells])
        head = f"{labels[i]} ({escape.plotly(check.claim_source or 'pasted', width=40)}): {escape.plotly(check.claim)}"
        hover.append([f"{head}<br><b>{escape.plotly(s, width=40)}</b>: {c}"
                      for s, c in zip(cons.sources, cells, strict=True)])
    fig = go.Figure(go.Heatmap(
        z=z, x=[escape.plotly(s, width=30) for s in cons.sources], y=labels, zmin=-0.5, zmax=len(CELLS) - 0.5,
        colorscale=_CELL_SCALE, customdata=hover, hovertemplate="%{customdata}<extra></extra>", xgap=2, ygap=2,
        colorbar=dict(tickvals=list(range(len(CELLS))), ticktext=list(CELLS)),
    ))
    fig.update_layout(title=title, xaxis=_NAMES, yaxis=dict(_NAMES, autorange="reversed"),
                      height=max(300, 80 + 22 * len(labels)), **_LAYOUT)
    return fig


def source_bars(cons: Consistency, *, title: str = "What happens to each source's claims") -> go.Figure:
    """Per source: its claims others corroborate, contest, both (mixed), or do not report (unique)."""
    names = [escape.plotly(s.source, width=30) for s in cons.summaries]
    fig = go.Figure()
    for label in (VerdictLabel.CORROBORATED, VerdictLabel.CONTESTED, VerdictLabel.MIXED, "unique"):
        fig.add_trace(go.Bar(name=str(label), x=names, y=[getattr(s, label) for s in cons.summaries],
                             marker_color=COLOURS[label], hovertemplate="%{x}: %{y} " + label + "<extra></extra>"))
    fig.update_layout(barmode="group", title=title, yaxis_title="claims", xaxis=_NAMES, **_LAYOUT)
    return fig


def contested_ranking(cons: Consistency, *, limit: int = 20, title: str = "Most contested claims") -> go.Figure:
    """Claims by how many independent sources conflict with them (red) beside those supporting (green)."""
    index = {id(c): i for i, c in enumerate(cons.checks)}
    ranked = [c for c, _ in cons.contested_ranking()][:limit]
    labels = [f"C{index[id(c)] + 1}" for c in ranked]
    hover = [f"{escape.plotly(c.claim_source or 'pasted', width=40)}: {escape.plotly(c.claim)}<br>{c.verdict.label}"
             for c in ranked]
    fig = go.Figure()
    for label, attr in ((SourceStance.CONFLICTS, "conflicting"), (SourceStance.SUPPORTS, "supporting")):
        fig.add_trace(go.Bar(name=str(label), x=[getattr(c.verdict, attr) for c in ranked], y=labels, orientation="h",
                             marker_color=COLOURS[label], customdata=hover,
                             hovertemplate="%{customdata}<br>%{x} source(s) " + label + "<extra></extra>"))
    fig.update_layout(title=title, barmode="stack", xaxis_title="independent sources", yaxis_autorange="reversed",
                      height=max(300, 80 + 22 * len(labels)), **_LAYOUT)
    return fig


def _plot_time(when: str) -> str:
    """An ISO date or an ingest timestamp ("2025-03-01T10:00:00+00:00", UTC) as a plotly date axis reads it."""
    return when.replace("T", " ")[:19]


def timeline(tl: Timeline, *, title: str = "When each outlet carried each claim") -> go.Figure:
    """One row per fact (C1… as in the other charts; "C1 = C4": outlets' claims that state one another), one marker
    per outlet carrying it, at its article's date; an open marker: the date is unknown and the marker sits at the
    ingest time. A star: who stated it first."""
    labels = tl.labels
    fig = go.Figure()
    for stance in Carried:
        for dated in (True, False):
            xs, ys, hover = [], [], []
            for label, c in zip(labels, tl.claims, strict=True):
                for a in c.appearances:
                    if a.stance != stance or a.dated != dated or a.when is None:
                        continue
                    xs.append(_plot_time(a.when))
                    ys.append(label)
                    when = escape.plotly(a.when, width=40) + (
                        "" if dated else " (ingest time: the article has no date)")
                    hover.append(f"{label}: {escape.plotly(c.claim)}<br><b>{escape.plotly(a.source, width=40)}</b> "
                                 f"{WORDS[stance]}, {when}<br>“{escape.plotly(a.text)}”")
            if xs:
                fig.add_trace(go.Scatter(
                    x=xs, y=ys, mode="markers", name=WORDS[stance] + ("" if dated else " (ingest time)"),
                    marker=dict(color=COLOURS[stance], size=11,
                                symbol="circle" if dated else "circle-open", line=dict(width=2)),
                    customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    firsts = [(label, c.first) for label, c in zip(labels, tl.claims, strict=True) if c.first is not None]
    if firsts:
        fig.add_trace(go.Scatter(
            x=[_plot_time(f.when or "") for _, f in firsts], y=[label for label, _ in firsts], mode="markers",
            name="first to state it", marker=dict(symbol="star", size=17, color="#ffd600",
                                                  line=dict(width=1, color="#333")),
            customdata=[f"{label}: first stated by <b>{escape.plotly(f.source, width=40)}</b>" for label, f in firsts],
            hovertemplate="%{customdata}<extra></extra>"))
    fig.update_layout(title=title, xaxis=dict(type="date", title="published (open: ingested)"),
                      yaxis=dict(_NAMES, autorange="reversed", categoryorder="array", categoryarray=labels),
                      height=max(300, 80 + 26 * len(labels)), **_LAYOUT)
    return fig
