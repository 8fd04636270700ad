"""Compare sources: each claim of one source beside the passage of each other source that decides its stance
(else its closest passage), coloured by stance;
what one source reports and the others do not, listed apart."""
from __future__ import annotations

import streamlit as st

from factcheck import escape, profiles
from factcheck.labels import Carried, SourceStance, VerdictLabel
from factcheck.ui import filters, render, state

st.title("Compare sources")
story = filters.story_picker(state.tuned().stories(), key="fc_compare_story")
names = [s.name for s in state.tuned().sources() if story is None or s.name in story.sources]
if len(names) < 2 and story is not None:
    st.info("This story holds articles of one source only: pick another story, or move an article into it on "
            "the Sources page.")
    st.stop()
if len(names) < 2:
    st.info("Comparing needs at least two sources: add articles from another outlet on the Sources page.")
    st.stop()
chosen = filters.source_picker("Sources to compare", names, key="fc_compare_sources", story=story)
if len(chosen) < 2:
    st.error("Pick two or more sources to compare.")
    st.stop()

cons = state.consistency(chosen, story.id if story is not None else None)
base = st.selectbox("Claims of", chosen, key="fc_compare_base")
others = [s for s in chosen if s != base]
own = [c for c in cons.checks if c.claim_source == base]
if not own:
    st.info("This source has no claims at the current claim threshold (sidebar).")

outlets = state.profiles()
header = st.columns(1 + len(others))
for col, name in zip(header, [base, *others], strict=True):
    col.markdown(f"**{escape.markdown(name)}**")
    if about := profiles.summary(outlets.get(name)):
        col.caption(escape.markdown(about))
for check in own:
    stances = dict(check.verdict.source_stances)
    row = st.columns(1 + len(others))
    with row[0]:
        render.show(render.box(check.claim, stance=Carried.OWN, note=check.verdict.label))
        for m in state.published(check.claim)[:1]:  # the closest ruling, beside the verdict, never in it
            render.show(render.published_html(m, short=True))
        if check.parts:  # a compound claim: each checkable part checked on its own (factcheck.parts)
            with st.expander(f"Checked in {len(check.parts)} parts"):
                st.caption("Each part on its own: a source that contradicts a part contradicts the sentence; one "
                           "that states a part does not state the sentence.")
                for part in check.parts:
                    render.show(render.box(part.claim, stance=Carried.OWN, note=part.verdict.label))
                    st.caption(escape.markdown(part.verdict.reason))
    for col, other in zip(row[1:], others, strict=True):
        stance = stances.get(other, SourceStance.SILENT)
        match = check.deciding(other) if stance != SourceStance.SILENT else None
        with col:
            if match is None:
                render.show(render.box("(nothing on this)", stance=SourceStance.SILENT, note=SourceStance.SILENT))
            else:
                render.show(render.evidence_html(
                    check.claim, match, deciding=check.verdict.deciding_passage(other) == match.passage_id))

st.subheader("Reported by one source only")
st.caption("Claims no other chosen source supports or contradicts: checked against nothing but their own outlet.")
for source in chosen:
    alone = [c.claim for c in cons.checks if c.claim_source == source and c.verdict.label == VerdictLabel.SINGLE_SOURCE]
    with st.expander(f"{escape.markdown(source)}: {len(alone)} claim(s)"):
        render.show("".join(render.box(text, stance=Carried.OWN) for text in alone)
                    or render.box("(none)", stance=SourceStance.SILENT))
