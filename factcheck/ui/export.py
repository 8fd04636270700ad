"""Export: the comparison as JSON, CSV, a Markdown report or one HTML page — the same text `factcheck report
--format json|csv|md|html [--source NAME…]` writes — and the session's recent checks."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from factcheck import report
from factcheck.consistency import Consistency
from factcheck.records import SourceProfile
from factcheck.ui import state
from factcheck.verdict import Check


def html_report(*, checks: Sequence[Check] = (), consistency: Consistency | None = None,
                profiles: Sequence[SourceProfile] = ()) -> str:
    """The HTML page `factcheck report --format html` writes, with the comparison's timeline."""
    timeline = state.tuned().timeline(consistency=consistency) if consistency is not None else None
    return report.to_html(consistency=consistency, checks=checks, profiles=profiles, timeline=timeline)


FORMATS = (("JSON", "json", "application/json", report.to_json),
           ("CSV", "csv", "text/csv", report.to_csv),
           ("Markdown", "md", "text/markdown", report.to_markdown),
           ("HTML", "html", "text/html", html_report))


def buttons(name: str, *, consistency: Consistency | None = None, checks: Sequence[Check] = ()) -> None:
    outlets = state.profiles()
    shown = {s for c in checks for s, _ in c.verdict.source_stances} | set(consistency.sources if consistency else ())
    chosen = [outlets[s] for s in sorted(shown) if s in outlets]  # the profiles of the sources reported on
    for col, (label, ext, mime, fn) in zip(st.columns(len(FORMATS)), FORMATS, strict=True):
        col.download_button(f"Download {label}", fn(consistency=consistency, checks=checks, profiles=chosen),
                            file_name=f"{name}.{ext}", mime=mime, key=f"fc_dl_{name}_{ext}", on_click="ignore")


st.title("Export")
names = [s.name for s in state.tuned().sources()]
if not names:
    st.info("The store is empty: add articles on the Sources page first.")
    st.stop()

st.subheader("Report on the sources")
chosen = st.multiselect("Sources", names, default=names, key="fc_export_sources")
if not chosen:
    st.error("Pick at least one source to report on.")
    st.stop()
cons = state.consistency(chosen)
st.caption(f"{len(cons.checks)} claims from {len(cons.sources)} source(s), as `factcheck report` writes them.")
buttons("factcheck-report", consistency=cons)
with st.expander("Preview the Markdown report"):
    st.code(report.to_markdown(consistency=cons, profiles=[p for n, p in state.profiles().items() if n in chosen]),
            language="markdown")

st.subheader("Recent checks")
recent = st.session_state.get(state.RECENT_CHECKS, [])
if recent:
    st.caption(f"The {len(recent)} claim(s) checked in this session, newest first.")
    buttons("factcheck-checks", checks=recent)
else:
    st.info("No claim checked in this session yet (page “Check a claim”).")
