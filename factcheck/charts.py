"""Charts: pure functions from plain data to plotly Figures (the dashboard only calls st.plotly_chart).

Every piece of text that reaches a figure came from an article or a user, so it is HTML-escaped
here: plotly renders a subset of HTML in hover labels and tick labels, and escaped text is shown
as the characters it is. Claims are long, so axes carry short labels ("C3") and the hover carries
the claim.
"""
from __future__ import annotations

import html
import textwrap
from collections import Counter
from collections.abc import Sequence

import plotly.graph_objects as go

STANCES = ("supports", "conflicts", "neutral", "unrelated")
COLOURS = {
    "supports": "#2e7d32",
    "conflicts": "#c62828",
    "neutral": "#f9a825",
    "unrelated": "#90a4ae",
    "silent": "#eceff1",
    "own": "#1565c0",
    "corroborated": "#2e7d32",
    "contested": "#c62828",
    "unique": "#1565c0",
}
# claim x source cells: the claim's own source, a source that says nothing, conflicts, supports
CELL_CODES = {"own": 2, "supports": 1, "silent": 0, "conflicts": -1}
_CELL_SCALE = [
    (0.0, COLOURS["conflicts"]), (0.25, COLOURS["conflicts"]),
    (0.25, COLOURS["silent"]), (0.5, COLOURS["silent"]),
    (0.5, COLOURS["supports"]), (0.75, COLOURS["supports"]),
    (0.75, COLOURS["own"]), (1.0, COLOURS["own"]),
]
_LAYOUT = dict(margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.15))


def safe(text: str, *, width: int = 70, limit: int = 400) -> str:
    """Text from an article as plotly label text: escaped, shortened, wrapped with <br>."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width) or [""])


def claim_labels(n: int) -> list[str]:
    return [f"C{i + 1}" for i in range(n)]


def stance_mix(rows: Sequence[tuple[str, str]], *, title: str = "Stance of the evidence, by source") -> go.Figure:
    """rows: (source, stance label). One stacked horizontal bar per source, one trace per stance."""
    sources = sorted({s for s, _ in rows})
    counts = Counter(rows)
    fig = go.Figure()
    for label in STANCES:
        xs = [counts[(s, label)] for s in sources]
        if any(xs):
            fig.add_trace(go.Bar(name=label, y=[safe(s, width=30) for s in sources], x=xs, orientation="h",
                                 marker_color=COLOURS[label],
                                 hovertemplate="%{y}: %{x} passage(s) " + label + "<extra></extra>"))
    fig.update_layout(barmode="stack", title=title, xaxis_title="passages", **_LAYOUT)
    return fig


def agreement_heatmap(sources: Sequence[str], agreement: Sequence[Sequence[float | None]],
                      pairs: Sequence[Sequence[int]] | None = None, *,
                      title: str = "Agreement between sources") -> go.Figure:
    """agreement[i][j] in [-1, 1]: +1 every shared claim supported, -1 every one conflicting; None: nothing shared."""
    names = [safe(s, width=30) for s in sources]
    counts = pairs if pairs is not None else [[0] * len(sources) for _ in sources]
    text = [["–" if v is None else f"{v:+.2f}" for v in row] for row in agreement]
    fig = go.Figure(go.Heatmap(
        z=[[None if v is None else float(v) for v in row] for row in agreement], x=names, y=names,
        zmin=-1, zmax=1, colorscale=[(0, COLOURS["conflicts"]), (0.5, "#fafafa"), (1, COLOURS["supports"])],
        text=text, texttemplate="%{text}", customdata=counts,
        hovertemplate="%{y} vs %{x}<br>agreement %{text}<br>%{customdata} shared claim(s)<extra></extra>",
        colorbar=dict(title="agree"),
    ))
    fig.update_layout(title=title, yaxis_autorange="reversed", **_LAYOUT)
    return fig


def claim_matrix(claims: Sequence[str], sources: Sequence[str], cells: Sequence[Sequence[str]], *,
                 title: str = "Claims × sources") -> go.Figure:
    """cells[i][j] in own/supports/conflicts/silent: what source j says about claim i."""
    labels = claim_labels(len(claims))
    z = [[CELL_CODES[c] for c in row] for row in cells]
    hover = [[f"{labels[i]} — {safe(claims[i])}<br><b>{safe(sources[j], width=40)}</b>: {cells[i][j]}"
              for j in range(len(sources))] for i in range(len(claims))]
    fig = go.Figure(go.Heatmap(
        z=z, x=[safe(s, width=30) for s in sources], y=labels, zmin=-1.5, zmax=2.5, colorscale=_CELL_SCALE,
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", xgap=2, ygap=2,
        colorbar=dict(tickvals=[-1, 0, 1, 2], ticktext=["conflicts", "silent", "supports", "own"]),
    ))
    fig.update_layout(title=title, yaxis_autorange="reversed", height=max(300, 40 + 24 * len(claims)), **_LAYOUT)
    return fig


def source_bars(sources: Sequence[str], corroborated: Sequence[int], contested: Sequence[int],
                unique: Sequence[int], *, title: str = "Claims of each source") -> go.Figure:
    """Grouped bars: how many of each source's claims others corroborate, contest, or do not report."""
    names = [safe(s, width=30) for s in sources]
    fig = go.Figure()
    for label, ys in (("corroborated", corroborated), ("contested", contested), ("unique", unique)):
        fig.add_trace(go.Bar(name=label, x=names, y=list(ys), marker_color=COLOURS[label],
                             hovertemplate="%{x}: %{y} " + label + "<extra></extra>"))
    fig.update_layout(barmode="group", title=title, yaxis_title="claims", **_LAYOUT)
    return fig


def contested_ranking(claims: Sequence[str], scores: Sequence[float], sources: Sequence[str], *,
                      limit: int = 20, title: str = "Most contested claims") -> go.Figure:
    """Claims ranked by how contested they are (share of conflicting evidence, 0..1), most first."""
    labels = claim_labels(len(claims))
    order = sorted(range(len(claims)), key=lambda i: (-scores[i], i))[:limit]
    hover = [f"{safe(sources[i], width=40)}: {safe(claims[i])}" for i in order]
    fig = go.Figure(go.Bar(
        x=[float(scores[i]) for i in order], y=[labels[i] for i in order], orientation="h",
        marker_color=[COLOURS["conflicts"] if scores[i] > 0 else COLOURS["silent"] for i in order],
        customdata=hover, hovertemplate="%{customdata}<br>contested %{x:.2f}<extra></extra>",
    ))
    fig.update_layout(title=title, xaxis=dict(range=[0, 1], title="how contested"),
                      yaxis_autorange="reversed", height=max(300, 40 + 24 * len(order)), **_LAYOUT)
    return fig
