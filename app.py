"""factcheck dashboard: `streamlit run app.py` (or `factcheck dashboard`).

The router only: page config, the sidebar settings, the first-start ingest of data/ on an empty
store, and the pages (one module each in factcheck/ui/). Every page body runs inside
render.guard(), so a failure shows as st.error, never as a traceback.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from factcheck.ui import render, state

UI = Path(state.__file__).resolve().parent

# a shipped image, served by the dashboard itself: a ":material/…:" page icon has the browser fetch the favicon
# from fonts.gstatic.com, and nothing is downloaded at run time (the pages' own icons come from Streamlit's
# bundled font, and are not used as the favicon once this one is set)
st.set_page_config(page_title="factcheck", page_icon=UI / "icon.png", layout="wide")

page = st.navigation([
    st.Page(UI / "sources.py", title="Sources", icon=":material/newspaper:", url_path="sources"),
    st.Page(UI / "check.py", title="Check a claim", icon=":material/search_check:", url_path="check",
            default=True),
    st.Page(UI / "compare.py", title="Compare sources", icon=":material/compare:", url_path="compare"),
    st.Page(UI / "consistency.py", title="Consistency", icon=":material/hub:", url_path="consistency"),
    st.Page(UI / "export.py", title="Export", icon=":material/download:", url_path="export"),
])
state.sidebar()

with render.guard():
    state.first_start()
with render.guard():
    page.run()
