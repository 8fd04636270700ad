"""Consistency: who agrees with whom. Filters (source, verdict, score) drive every chart; hovering a
cell or bar shows the claim."""
from __future__ import annotations

import streamlit as st

from factcheck import charts, display, escape
from factcheck.labels import VERDICTS
from factcheck.ui import filters, render, state

st.title("Consistency")
fc = state.tuned()
story = filters.story_picker(fc.stories(), key="fc_cons_story")
names = [s.name for s in fc.sources() if story is None or s.name in story.sources]
if len(names) < 2 and story is not None:
    st.info("This story holds articles of one source only: pick another story.")
    st.stop()
if len(names) < 2:
    st.info("Consistency needs at least two sources: add articles from another outlet on the Sources page.")
    st.stop()
cons = state.consistency(names, story.id if story is not None else None)

c1, c2, c3 = st.columns([2, 2, 1])
chosen = filters.source_picker("Sources", names, key="fc_cons_sources", story=story, container=c1)
verdicts = c2.multiselect("Verdicts", VERDICTS, default=list(VERDICTS), key="fc_cons_verdicts")
min_score = c3.slider("Min. check-worthiness", 0.0, 1.0, 0.0, 0.05, key="fc_cons_score")
scores = {p.id: p.score for p in fc.claims()}
view = filters.apply(cons, sources=chosen, verdicts=verdicts, min_score=min_score, scores=scores)
if not view.checks:
    st.warning("No claim matches these filters: widen them.")
    st.stop()
st.caption(f"{len(view.checks)} of {len(cons.checks)} claims, {len(view.sources)} sources.")

left, right = st.columns(2)
left.plotly_chart(charts.agreement_heatmap(view), key="fc_chart_agreement")
right.plotly_chart(charts.source_bars(view), key="fc_chart_sources")
st.plotly_chart(charts.claim_matrix(view), key="fc_chart_matrix")
st.plotly_chart(charts.contested_ranking(view), key="fc_chart_contested")

st.subheader("Timeline and wording drift")
if story is None:
    st.caption("Pick a story above to see when each outlet carried each claim and how its wording changed.")
else:
    tl = fc.timeline(story=story.id, consistency=view)
    st.plotly_chart(charts.timeline(tl), key="fc_chart_timeline")
    if tl.undated:
        st.caption(f"{tl.undated} appearance(s) placed at their ingest time (open markers): the article has no date.")
    rows = [(label, c, a) for label, c in zip(tl.labels, tl.claims, strict=True) for a in c.drift]
    if rows:
        render.show('<table class="fc-drift"><tr><th>#</th><th>source</th><th>when</th><th>its words</th>'
                    "<th>the claim's words</th></tr>" + "".join(
                        f"<tr><td>{label}</td><td>{escape.html(a.source)} ({escape.html(a.stance)})</td>"
                        f"<td>{escape.html(display.when_text(a.when, a.dated))}</td>"
                        f'<td class="fc-text">{display.differing_html(a.text, a.mismatches, side="passage")}</td>'
                        f'<td class="fc-text">'
                        f'{display.differing_html(a.against(c.claim), a.mismatches, side="claim")}</td></tr>'
                        for label, c, a in rows) + "</table>")
    else:
        st.caption("No outlet words a claim differently in a number, date, name or negation.")

st.subheader("Claims")
st.dataframe([{"#": label, "source": c.claim_source, "verdict": c.verdict.label, "claim": c.claim,
               "supporting": c.verdict.supporting, "conflicting": c.verdict.conflicting}
              for label, c in zip(display.claim_labels(len(view.checks)), view.checks, strict=True)],
             key="fc_cons_claims", hide_index=True)
