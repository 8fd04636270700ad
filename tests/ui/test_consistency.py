"""Page "Consistency": four Plotly charts, all driven by the source / verdict / score filters."""
from __future__ import annotations

from ui_support import app, errors, load_articles, no_exceptions, plotly_specs, seed


def charts_by_title(at) -> dict[str, dict]:
    return {spec["layout"]["title"]["text"]: spec for spec in plotly_specs(at)}


def test_four_charts_over_every_claim_and_source(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="consistency")
    no_exceptions(at)
    assert not at.error, errors(at)
    figs = charts_by_title(at)
    assert set(figs) == {"Agreement between sources", "What happens to each source's claims", "Claims × sources",
                         "Most contested claims"}
    n_claims = sum(len(a["sentences"]) for a in load_articles())
    matrix = figs["Claims × sources"]["data"][0]
    assert len(matrix["y"]) == n_claims and len(matrix["x"]) == 3
    # hovering a cell shows the claim's text
    assert any("Fentanyl seizures at the border fell sharply" in cell for row in matrix["customdata"] for cell in row)
    heat = figs["Agreement between sources"]["data"][0]
    names = heat["x"]
    planet, courier = names.index("Daily Planet"), names.index("The Courier")
    # they agree on the homicide figure and conflict on the seizures: 2 of 4 shared stances agree
    assert heat["z"][planet][courier] == 0.5
    assert at.dataframe[0].value.shape[0] == n_claims


def test_filters_drive_every_chart(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="consistency")
    at.multiselect(key="fc_cons_sources").set_value(["Daily Planet", "The Courier"]).run()
    at.multiselect(key="fc_cons_verdicts").set_value(["contested"]).run()
    no_exceptions(at)
    figs = charts_by_title(at)
    matrix = figs["Claims × sources"]["data"][0]
    assert list(matrix["x"]) == ["Daily Planet", "The Courier"]
    assert len(matrix["y"]) == 2  # each outlet's seizures claim, contested by the other
    assert len(figs["Agreement between sources"]["data"][0]["x"]) == 2
    bars = {t["name"]: t["y"] for t in figs["What happens to each source's claims"]["data"]}
    assert bars["contested"] == [1, 1] and bars["corroborated"] == [0, 0]
    assert len(figs["Most contested claims"]["data"][0]["y"]) == 2
    assert set(at.dataframe[0].value["verdict"]) == {"contested"}


def test_score_filter_can_empty_the_view_with_a_message(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="consistency")
    at.slider(key="fc_cons_score").set_value(0.95).run()  # fixture claims all score 0.9
    no_exceptions(at)
    assert not plotly_specs(at)
    assert "No claim matches" in at.warning[0].value


def test_one_source_is_not_enough(tmp_path, monkeypatch):
    seed(tmp_path, load_articles()[:1])
    at = app(monkeypatch, tmp_path, page="consistency")
    no_exceptions(at)
    assert "at least two sources" in at.info[0].value


def test_a_story_shows_its_timeline_and_the_wording_that_drifted(tmp_path, monkeypatch):
    from ui_support import assert_inert, html_text, markdown_text

    from factcheck.store import Store

    seed(tmp_path)
    with Store.open(tmp_path) as store:
        ids = [a.id for a in store.articles()]
        (story,) = store.set_stories([(None, ids, "<script>alert(1)</script> Border")])
    at = app(monkeypatch, tmp_path, page="consistency")
    assert "When each outlet carried each claim" not in charts_by_title(at)  # all stories: no timeline
    assert "Pick a story" in markdown_text(at)
    at.selectbox(key="fc_cons_story").set_value(story).run()
    no_exceptions(at)
    fig = charts_by_title(at)["When each outlet carried each claim"]
    names = {t["name"] for t in fig["data"]}
    # the fixture articles carry no date: every outlet is placed at its ingest time, said so
    assert {"its own outlet (ingest time)", "contradicts it (ingest time)"} <= names
    # outlets' claims that state one another are one row ("C1 = C3"), each outlet there in its own words
    rows = {y for t in fig["data"] for y in t["y"]}
    assert any(" = " in y for y in rows), rows
    assert "placed at their ingest time" in markdown_text(at)
    shown = html_text(at)
    # The Courier's "did not fall" against Daily Planet's "fell sharply": the negation marked in the drift table
    assert 'class="fc-drift"' in shown and "The Courier (conflicts)" in shown
    drift = shown.split('class="fc-drift"', 1)[1]
    assert 'title="negation: not in the claim">not</mark> fall last year' in drift
    assert_inert(at)
