"""Check a claim: a verdict badge, the evidence grouped by source, the stance mix; recent checks kept."""
from __future__ import annotations

import streamlit as st

from factcheck import charts, display, escape, profiles
from factcheck.ui import render, state

st.title("Check a claim")
with st.form("fc_check_form"):
    claim = st.text_area("Claim", key="fc_claim", height=90,
                         placeholder="Mexico's homicide rate has dropped significantly")
    submitted = st.form_submit_button("Check", type="primary", key="fc_check_submit")
if submitted:
    with st.spinner("Retrieving evidence and judging each passage…"):
        state.remember(state.tuned().check(claim))

recent = st.session_state.get(state.RECENT_CHECKS, [])
if not recent:
    st.info("Paste a claim above: it is checked against every source in the store.")
    st.stop()
pick = st.selectbox("Recent checks", range(len(recent)), key=state.CURRENT_CHECK,
                    format_func=lambda i: recent[i].claim[:120])
check = recent[pick or 0]
verdict = check.verdict

st.badge(verdict.label, color=display.BADGES[verdict.label])  # type: ignore[arg-type]
st.caption(escape.markdown(verdict.reason))
m1, m2, m3 = st.columns(3)
m1.metric("Sources supporting", verdict.supporting)
m2.metric("Sources conflicting", verdict.conflicting)
m3.metric("Sources neutral", verdict.neutral)
if check.parts:  # a compound claim: each checkable part checked on its own (factcheck.parts)
    with st.expander(f"Checked in {len(check.parts)} parts: a source may state one part and not another",
                     expanded=True):
        for i, part in enumerate(check.parts):
            st.markdown(f"{i + 1}. {escape.markdown(part.claim)}")
            st.badge(part.verdict.label, color=display.BADGES[part.verdict.label])  # type: ignore[arg-type]
            st.caption(escape.markdown(part.verdict.reason))
# beside the verdict, never part of it: a fact-checker's rating is theirs, and the verdict above is the corpus's
if published := state.published(check.claim):
    with st.expander(f"Published fact-checks ({len(published)}): their ratings, not this verdict", expanded=True):
        for i, m in enumerate(published):
            render.show(render.published_html(m))
            if m.review.url:
                st.link_button("Open the review", m.review.url, key=f"fc_published_link_{i}")
if not check.evidence:
    st.warning("No passage in the store is similar enough to this claim. Lower the minimum similarity in the "
               "sidebar, or add articles that cover the story.")
    st.stop()

left, right = st.columns([3, 2])
with right:
    st.plotly_chart(charts.stance_mix(check.evidence), key="fc_stance_mix")
with left:
    stances = dict(verdict.source_stances)
    outlets = state.profiles()
    for source in sorted({e.source for e in check.evidence}):
        deciding = verdict.deciding_passage(source)
        own = sorted((e for e in check.evidence if e.source == source),
                     key=lambda e: (e.passage_id != deciding, -e.similarity))
        with st.container(border=True):
            st.markdown(f"**{escape.markdown(source)}** — {stances.get(source, 'its own claim')}")
            if about := profiles.summary(outlets.get(source)):
                st.caption(escape.markdown(about))
            render.show("".join(render.evidence_html(check.claim, e, deciding=e.passage_id == deciding)
                                for e in own))
