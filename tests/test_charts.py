"""Charts are pure: hand-made checks in, assertions on fig.data out; no browser, no streamlit."""
from __future__ import annotations

import plotly.graph_objects as go

from factcheck import charts, display
from factcheck.consistency import build_consistency
from factcheck.labels import Verification
from factcheck.verdict import Check, Evidence, decide

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
PROBS = {"supports": (0.9, 0.05, 0.05), "conflicts": (0.05, 0.9, 0.05), "nei": (0.1, 0.1, 0.8)}


def ev(source: str, label: str, pid: int, text: str = "a passage") -> Evidence:
    return Evidence(text=text, source=source, article_id=pid, passage_id=pid, label=Verification(label),
                    scores=PROBS[label], mismatches=(), similarity=0.8)


def check(claim: str, source: str | None, *evidence: Evidence) -> Check:
    return Check(claim=claim, claim_source=source, verdict=decide(evidence, claim_source=source),
                 evidence=tuple(evidence))


def corpus():
    """Three sources: B backs A's first claim, C contradicts it; A's second claim is A's alone."""
    checks = [
        check("Homicides fell by 40%.", "A", ev("B", "supports", 1), ev("C", "conflicts", 2)),
        check("The summit was on Friday.", "A"),
        check("Seizures rose.", "B", ev("A", "supports", 3), ev("C", "supports", 4)),
    ]
    return build_consistency(checks, sources=["A", "B", "C"])


def test_stance_mix_counts_per_source_and_label():
    evs = [ev("A", "supports", 1), ev("A", "supports", 2), ev("B", "conflicts", 3), ev("B", "nei", 4),
           ev("A", "conflicts", 5)]
    fig = charts.stance_mix(evs)
    assert isinstance(fig, go.Figure)
    by_name = {t.name: t for t in fig.data}
    assert list(by_name) == ["supports", "conflicts", "nei"]  # the verifier's labels, in its order
    assert list(by_name["supports"].y) == ["A", "B"]
    assert list(by_name["supports"].x) == [2, 0]
    assert list(by_name["conflicts"].x) == [1, 1]
    assert list(by_name["nei"].x) == [0, 1]
    assert by_name["nei"].marker.color == display.COLOURS["nei"]
    assert fig.layout.barmode == "stack"


def test_stance_mix_has_no_trace_for_a_label_no_passage_has():
    fig = charts.stance_mix([ev("A", "supports", 1), ev("B", "nei", 2)])
    assert [t.name for t in fig.data] == ["supports", "nei"]


def test_every_label_and_cell_has_a_colour():
    assert charts.STANCES == tuple(str(v) for v in Verification)
    assert all(label in display.COLOURS for label in charts.STANCES + charts.CELLS)


def test_stance_mix_without_evidence_has_no_traces():
    assert len(charts.stance_mix([]).data) == 0


def test_agreement_heatmap_values_and_gaps():
    (hm,) = charts.agreement_heatmap(corpus()).data
    # A,B: both take a side on two claims (A's first, B's own) and agree on both
    assert hm.z[0][1] == 1.0 and hm.z[1][0] == 1.0
    # A,C: claim 1 (A supports, C conflicts) and claim 3 (both support) -> 1 of 2
    assert hm.z[0][2] == 0.5
    assert hm.z[0][0] is None and hm.text[0][0] == "–"
    assert hm.text[0][2] == "50%"
    assert hm.customdata[0][2] == 2
    assert (hm.zmin, hm.zmax) == (0, 1)


def test_claim_matrix_codes_cells_and_hover_shows_claim():
    (hm,) = charts.claim_matrix(corpus()).data
    code = charts.CELLS.index
    assert list(hm.z[0]) == [code("own"), code("supports"), code("conflicts")]
    assert list(hm.z[1]) == [code("own"), code("silent"), code("silent")]
    assert list(hm.y) == ["C1", "C2", "C3"]
    assert "Homicides fell by 40%." in hm.customdata[0][2] and "conflicts" in hm.customdata[0][2]
    assert "The summit was on Friday." in hm.customdata[1][1]


def test_source_bars_count_each_sources_claims():
    fig = charts.source_bars(corpus())
    assert [t.name for t in fig.data] == ["corroborated", "contested", "mixed", "unique"]
    by = {t.name: list(t.y) for t in fig.data}
    assert by["mixed"] == [1, 0, 0]  # A's first claim: B supports, C conflicts
    assert by["unique"] == [1, 0, 0]  # A's second claim: nobody else reports it
    assert by["corroborated"] == [0, 1, 0]


def test_contested_ranking_puts_most_contested_first():
    fig = charts.contested_ranking(corpus(), limit=2)
    conflicts, supports = fig.data
    assert list(conflicts.y) == ["C1", "C3"]
    assert list(conflicts.x) == [1, 0]
    assert list(supports.x) == [1, 2]
    assert "Homicides fell by 40%." in conflicts.customdata[0]


def test_hostile_text_is_escaped_everywhere():
    cons = build_consistency([check(HOSTILE, HOSTILE, ev(HOSTILE, "conflicts", 1, HOSTILE))],
                             sources=[HOSTILE, "B"])
    figs = [charts.stance_mix([ev(HOSTILE, "supports", 1)]), charts.agreement_heatmap(cons),
            charts.claim_matrix(cons), charts.source_bars(cons), charts.contested_ranking(cons)]
    for fig in figs:
        blob = fig.to_json()
        assert "<script>" not in blob and "<img" not in blob
        assert "&lt;script&gt;" in blob


def test_labels_escape_tags_but_show_quotes_and_ampersands_as_typed():
    """Plotly renders label text as a small HTML subset (escape.plotly, tested in test_escape): a quote must stay
    a quote, '<' and '&' must be escaped once (issue 16)."""
    cons = build_consistency([check('The "plan" worked', "A O'Brien", ev("B & Co", "supports", 1))],
                             sources=["A O'Brien", "B & Co"])
    blob = charts.claim_matrix(cons).to_json()
    assert "&quot;" not in blob and "&#x27;" not in blob and "B &amp; Co" in blob


def test_source_axes_are_categories_even_for_names_that_look_like_numbers_or_dates():
    """Plotly reads strings like "1", "1.0" or "2024-01-01" as numbers or dates: two sources named "1" and "1.0"
    would share one bar, and a date-named one would move the axis to a calendar."""
    names = ["1", "1.0", "2024-01-01"]
    cons = build_consistency([check("Rates fell.", "1", ev("1.0", "supports", 1), ev("2024-01-01", "conflicts", 2))],
                             sources=names)
    figs = {"stance_mix": (charts.stance_mix([ev(n, "supports", i) for i, n in enumerate(names)]), "y"),
            "agreement_heatmap": (charts.agreement_heatmap(cons), "xy"),
            "claim_matrix": (charts.claim_matrix(cons), "x"),
            "source_bars": (charts.source_bars(cons), "x")}
    for name, (fig, axes) in figs.items():
        for axis in axes:
            assert fig.layout[f"{axis}axis"].type == "category", (name, axis)


def test_timeline_places_each_outlet_open_when_undated_and_stars_the_first():
    from factcheck.records import Article
    from factcheck.timeline import build

    arts = [Article(i, s, "t", None, d, None, None, "test", "2025-03-09T08:00:00+00:00")
            for i, s, d in ((10, "A", "2025-03-03"), (1, "B", None), (2, HOSTILE, "2025-03-01"))]
    c = Check("Homicides fell by 40%.", "A", decide((ev("B", "supports", 1), ev(HOSTILE, "conflicts", 2)),
                                                    claim_source="A"),
              (ev("B", "supports", 1), ev(HOSTILE, "conflicts", 2, text=HOSTILE)), claim_article_id=10)
    fig = charts.timeline(build([c], arts))
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"its own outlet", "states it (ingest time)", "contradicts it", "first to state it"}
    assert traces["states it (ingest time)"].marker.symbol == "circle-open"
    assert list(traces["states it (ingest time)"].x) == ["2025-03-09 08:00:00"]
    assert list(traces["first to state it"].x) == ["2025-03-03"] and list(traces["first to state it"].y) == ["C1"]
    hover = " ".join(traces["contradicts it"].customdata) + " ".join(str(t.name) for t in fig.data)
    assert "<script" not in hover and "<img" not in hover and "&lt;script&gt;" in hover
    assert "ingest time" in traces["states it (ingest time)"].customdata[0]
    assert fig.layout.xaxis.type == "date"
