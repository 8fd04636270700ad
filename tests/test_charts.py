"""Charts are pure: assert on fig.data, no browser, no streamlit."""
from __future__ import annotations

import plotly.graph_objects as go

from factcheck import charts

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"


def test_stance_mix_counts_per_source_and_label():
    rows = [("A", "supports"), ("A", "supports"), ("B", "conflicts"), ("B", "neutral"), ("A", "conflicts")]
    fig = charts.stance_mix(rows)
    assert isinstance(fig, go.Figure)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name) == ["supports", "conflicts", "neutral"]  # labels absent from every source: no trace
    assert list(by_name["supports"].y) == ["A", "B"]
    assert list(by_name["supports"].x) == [2, 0]
    assert list(by_name["conflicts"].x) == [1, 1]
    assert fig.layout.barmode == "stack"


def test_stance_mix_empty_has_no_traces():
    assert len(charts.stance_mix([]).data) == 0


def test_agreement_heatmap_values_and_gaps():
    fig = charts.agreement_heatmap(["A", "B"], [[1.0, -0.5], [-0.5, None]], [[3, 2], [2, 0]])
    (hm,) = fig.data
    assert list(hm.z[0]) == [1.0, -0.5]
    assert hm.z[1][1] is None
    assert hm.text[1][1] == "–" and hm.text[0][1] == "-0.50"
    assert (hm.zmin, hm.zmax) == (-1, 1)
    assert hm.customdata[0][1] == 2


def test_claim_matrix_codes_cells_and_hover_shows_claim():
    cells = [["own", "supports", "silent"], ["conflicts", "own", "silent"]]
    fig = charts.claim_matrix(["Rates fell by 40%.", "No deal was signed."], ["A", "B", "C"], cells)
    (hm,) = fig.data
    assert [list(r) for r in hm.z] == [[2, 1, 0], [-1, 2, 0]]
    assert list(hm.y) == ["C1", "C2"]
    assert "Rates fell by 40%." in hm.customdata[0][1] and "supports" in hm.customdata[0][1]
    assert "No deal was signed." in hm.customdata[1][0]


def test_source_bars_three_groups():
    fig = charts.source_bars(["A", "B"], [3, 1], [0, 2], [5, 4])
    assert [t.name for t in fig.data] == ["corroborated", "contested", "unique"]
    assert list(fig.data[1].y) == [0, 2]
    assert fig.layout.barmode == "group"


def test_contested_ranking_orders_most_contested_first_and_limits():
    fig = charts.contested_ranking(["a", "b", "c"], [0.1, 0.9, 0.0], ["A", "B", "C"], limit=2)
    (bar,) = fig.data
    assert list(bar.y) == ["C2", "C1"]
    assert list(bar.x) == [0.9, 0.1]
    assert "B: b" in bar.customdata[0]


def test_hostile_text_is_escaped_everywhere():
    figs = [
        charts.stance_mix([(HOSTILE, "supports")]),
        charts.agreement_heatmap([HOSTILE, "B"], [[1.0, 0.0], [0.0, 1.0]]),
        charts.claim_matrix([HOSTILE], [HOSTILE], [["own"]]),
        charts.source_bars([HOSTILE], [1], [0], [0]),
        charts.contested_ranking([HOSTILE], [0.5], [HOSTILE]),
    ]
    for fig in figs:
        blob = fig.to_json()
        assert "<script>" not in blob and "<img" not in blob
        assert "&lt;script&gt;" in blob


def test_safe_shortens_and_wraps():
    out = charts.safe("word " * 200, width=20, limit=100)
    assert out.count("<br>") >= 4
    assert out.endswith("…")
