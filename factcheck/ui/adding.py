"""The Sources page's three ways in: paste, upload several files, or a URL. Each shows real progress."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from factcheck import escape
from factcheck.errors import FactcheckError
from factcheck.labels import IngestStatus
from factcheck.progress import Progress
from factcheck.records import IngestResult
from factcheck.ui import state

UPLOAD_TYPES = ["txt", "md", "html", "htm", "json", "csv"]


def _run(what: str, job: Callable[[Progress], list[IngestResult]]) -> None:
    with st.status(f"Adding {what}…", expanded=True) as status:
        results = job(state.progress_bar("Reading, splitting and scoring"))
        added = sum(r.status == IngestStatus.ADDED for r in results)
        status.update(label=f"{added} of {len(results)} added", state="complete" if added else "error",
                      expanded=not added)
    for r in results:
        if r.status == IngestStatus.REFUSED:
            st.error(f"{escape.markdown(r.origin)}: {escape.markdown(r.reason)}")
        elif r.status == IngestStatus.SKIPPED:
            st.info(f"{escape.markdown(r.title or r.origin)}: already in the store ({escape.markdown(r.reason)})")
    if added:
        st.dataframe([{"article": r.title or r.origin, "source": r.source, "claims": r.claims}
                      for r in results if r.status == IngestStatus.ADDED], key=f"fc_added_{what}", hide_index=True)


def paste_form() -> None:
    with st.form("fc_paste_form", clear_on_submit=False):
        text = st.text_area("Article text", height=200, key="fc_paste_text")
        c1, c2, c3 = st.columns(3)
        source = c1.text_input("Source (outlet)", key="fc_paste_source")
        title = c2.text_input("Title (optional)", key="fc_paste_title")
        date = c3.text_input("Date (optional, YYYY-MM-DD)", key="fc_paste_date")
        if not st.form_submit_button("Add the article", key="fc_paste_submit"):
            return
    if not source.strip():
        st.error("Name the source (the outlet that published it) so its claims can be compared with others'.")
        return
    fc = state.shared()
    _run("the pasted article", lambda cb: [fc.ingest_text(text, source=source.strip(), title=title.strip() or None,
                                                          date=date.strip() or None, progress=cb)])


def upload_form() -> None:
    with st.form("fc_upload_form", clear_on_submit=True):
        files = st.file_uploader("Files (.txt .md .html .json .csv)", type=UPLOAD_TYPES, accept_multiple_files=True,
                                 key="fc_upload_files")
        source = st.text_input("Source (optional: else taken from each file)", key="fc_upload_source")
        if not st.form_submit_button("Add the files", key="fc_upload_submit"):
            return
    if not files:
        st.error("Choose one or more files first.")
        return
    fc = state.shared()

    def each_file(cb: Progress) -> list[IngestResult]:
        results: list[IngestResult] = []
        for f in files:
            try:
                results += fc.ingest_bytes(f.name, f.getvalue(), source=source.strip() or None, progress=cb)
            except Exception as e:  # noqa: BLE001 - one file's failure is its own line; the next file is still added
                reason = str(e) if isinstance(e, FactcheckError) else f"could not be added ({type(e).__name__}: {e})"
                results.append(IngestResult(origin=f.name, status=IngestStatus.REFUSED, reason=reason))
        return results

    _run(f"{len(files)} file(s)", each_file)


def url_form() -> None:
    with st.form("fc_url_form"):
        url = st.text_input("Address (http or https)", key="fc_url")
        source = st.text_input("Source (optional: else the site's name)", key="fc_url_source")
        if not st.form_submit_button("Fetch and add", key="fc_url_submit"):
            return
    fc = state.shared()
    # ingest_url, not ingest_paths: it refuses anything but an http(s) address (this field must never read a
    # file on the server), and it downloads before taking the writer lock, so a slow server holds up this form
    # only, not every other session's writes
    _run("the page", lambda cb: fc.ingest_url(url.strip(), source=source.strip() or None, progress=cb))
