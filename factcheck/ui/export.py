"""Export: the comparison as JSON, CSV, a Markdown report or one HTML page — the same text `factcheck report
--format json|csv|md|html [--source NAME…] [--story ID]` writes — and the session's recent checks.

A story picked (as on Compare and Consistency) narrows the export to its articles and names the files after it.
The HTML page carries plotly.js (4.8 MB): it is built when its button is clicked, not on every rerun."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from factcheck import escape, report
from factcheck.api import Factcheck
from factcheck.consistency import Consistency
from factcheck.records import PublishedCheck, SourceProfile, Story
from factcheck.ui import filters, state
from factcheck.verdict import Check

REPORT = "factcheck-report"
CHECKS = "factcheck-checks"
SOURCES = "fc_export_sources"
MAX_SLUG = 40  # characters of the story's name in a file name


def file_stem(base: str, story: Story | None = None) -> str:
    """`base`, then the story's id and its name in lower-case ASCII letters, digits and hyphens: the user's
    text never reaches a file name as typed (no path separator, no dot, no markup, no control character)."""
    if story is None:
        return base
    ascii_name = unicodedata.normalize("NFKD", story.name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:MAX_SLUG].rstrip("-")
    return f"{base}-story-{story.id}" + (f"-{slug}" if slug else "")


def html_report(fc: Factcheck, *, checks: Sequence[Check] = (), consistency: Consistency | None = None,
                profiles: Sequence[SourceProfile] = (), story: Story | None = None,
                published: Mapping[str, Sequence[PublishedCheck]] | None = None) -> Callable[[], str]:
    """The HTML page `factcheck report --format html [--story ID]` writes, with the comparison's timeline, as a
    callable for st.download_button: Streamlit runs it on the click, on a thread without the script's context,
    so it reads only what it was handed here, never st.session_state."""
    checks = tuple(checks)  # the session's list of recent checks grows after this run: the click gets this one

    def build() -> str:
        timeline = (fc.timeline(story=story.id if story is not None else None, consistency=consistency)
                    if consistency is not None else None)
        return report.to_html(consistency=consistency, checks=checks, profiles=profiles, timeline=timeline,
                              name=story.name if story is not None else "", published=published)
    return build


FORMATS = (("JSON", "json", "application/json"), ("CSV", "csv", "text/csv"), ("Markdown", "md", "text/markdown"),
           ("HTML", "html", "text/html"))
TEXT = {"json": report.to_json, "md": report.to_markdown}  # small: built with the page (CSV too, below)


def buttons(kind: str, *, consistency: Consistency | None = None, checks: Sequence[Check] = (),
            story: Story | None = None, published: Mapping[str, Sequence[PublishedCheck]] | None = None) -> None:
    outlets = state.profiles()
    shown = {s for c in checks for s, _ in c.verdict.source_stances} | set(consistency.sources if consistency else ())
    chosen = [outlets[s] for s in sorted(shown) if s in outlets]  # the profiles of the sources reported on
    stem = file_stem(kind, story)
    for col, (label, ext, mime) in zip(st.columns(len(FORMATS)), FORMATS, strict=True):
        data: str | Callable[[], str]
        if ext == "html":
            data = html_report(state.tuned(), consistency=consistency, checks=checks, profiles=chosen, story=story,
                               published=published)
        elif ext == "csv":  # a row is one claim and one source: a publisher's rating has no column there
            data = report.to_csv(consistency=consistency, checks=checks, profiles=chosen)
        else:
            data = TEXT[ext](consistency=consistency, checks=checks, profiles=chosen, published=published)
        col.download_button(f"Download {label}", data, file_name=f"{stem}.{ext}", mime=mime,
                            key=f"fc_dl_{kind}_{ext}", on_click="ignore")


st.title("Export")
fc = state.tuned()
story = filters.story_picker(fc.stories(), key="fc_export_story")
names = [s.name for s in fc.sources() if story is None or s.name in story.sources]
if not names and story is not None:
    st.info("This story holds no article any more: pick another story.")
    st.stop()
if not names:
    st.info("The store is empty: add articles on the Sources page first.")
    st.stop()

st.subheader("Report on the sources")
story_id = story.id if story is not None else None
chosen = filters.source_picker("Sources", names, key=SOURCES, story=story)  # another story: all its sources
if not chosen:
    st.error("Pick at least one source to report on.")
    st.stop()
cons = state.consistency(chosen, story_id)
of_story = f" of the story “{escape.markdown(story.name)}”" if story is not None else ""
command = "factcheck report" + (f" --story {story.id}" if story is not None else "")
with_published = st.checkbox("Add each claim's closest published fact-checks beside its verdict (JSON, Markdown, "
                             "HTML; every claim is matched, which takes a while)", key="fc_export_published",
                             disabled=not (stored := fc.factchecks_version()[0]))
published = {c.claim: state.published(c.claim) for c in cons.checks} if with_published and stored else None
if published is not None:
    command += " --published"
st.caption(f"{len(cons.checks)} claims from {len(cons.sources)} source(s){of_story}, as `{command}` writes them.")
buttons(REPORT, consistency=cons, story=story, published=published)
with st.expander("Preview the Markdown report"):
    st.code(report.to_markdown(consistency=cons, profiles=[p for n, p in state.profiles().items() if n in chosen],
                               published=published), language="markdown")

st.subheader("Recent checks")
recent = st.session_state.get(state.RECENT_CHECKS, [])
if recent:
    st.caption(f"The {len(recent)} claim(s) checked in this session, newest first.")
    buttons(CHECKS, checks=recent)
else:
    st.info("No claim checked in this session yet (page “Check a claim”).")
