"""Sources: add articles, see every source and article, read one with its claims marked, remove a source."""
from __future__ import annotations

from collections import Counter

import streamlit as st

from factcheck import escape, profiles
from factcheck.errors import FactcheckError
from factcheck.labels import PassageKind
from factcheck.ui import adding, render, state, stories

st.title("Sources")
fc = state.tuned()
# the forms come first so that what they add shows in the lists below in the same run
with st.expander("Add articles", expanded=not fc.sources(), icon=":material/add:"):
    paste, upload, url = st.tabs(["Paste", "Upload files", "From a URL"])
    with paste:
        adding.paste_form()
    with upload:
        adding.upload_form()
    with url:
        adding.url_form()

with st.expander("Import published fact-checks", icon=":material/fact_check:"):
    st.caption("Fact-checking organisations' rulings (schema.org ClaimReview: a fact-check page saved as HTML, a "
               "JSON feed, a DataFeed or a CSV of claim, rating, publisher, date, url). A claim you check shows the "
               "closest beside its verdict; a rating never changes a verdict.")
    with st.form("fc_factchecks_form", clear_on_submit=True):
        uploads = st.file_uploader("Fact-check files (.html .htm .json .jsonld .csv)",
                                   type=["html", "htm", "json", "jsonld", "csv"], accept_multiple_files=True,
                                   key="fc_factchecks_files")
        imported = st.form_submit_button("Import the fact-checks", key="fc_factchecks_import")
    if imported:
        for f in uploads or []:
            try:
                got = state.shared().ingest_factcheck_bytes(f.name, f.getvalue())
            except FactcheckError as e:  # one file that cannot be read stops neither the others nor the page
                st.error(escape.markdown(str(e)))
                continue
            skipped = "; ".join(f"{n} {escape.markdown(why)}" for why, n in got.skipped)
            st.success(f"{escape.markdown(f.name)}: {got.read} read, {got.added} added, {got.already} already "
                       "stored" + (f"; skipped: {skipped}" if skipped else "") + ".")
    st.caption(f"{fc.factchecks_version()[0]} published fact-check(s) stored.")  # a count, not every review read

if flash := st.session_state.pop(state.FLASH, None):
    st.success(flash)
sources = fc.sources()
if not sources:
    st.info("The store is empty: add articles above.")
    st.stop()

articles = fc.articles()
per_article = Counter(c.article_id for c in fc.claims())
st.subheader("Sources")
outlets = state.profiles()
st.dataframe([{"source": s.name, "articles": s.articles, "claims": s.claims,
               "profile": profiles.summary(outlets.get(s.name))} for s in sources],
             key="fc_sources_table", hide_index=True)
st.dataframe([{"source": a.source, "title": a.title or "(untitled)", "date": a.date or "unknown",
               "claims": per_article[a.id], "url": a.url or ""} for a in articles],
             key="fc_articles_table", hide_index=True)
stories.panel(articles)

st.subheader("Read an article")
by_id = {a.id: a for a in articles}
chosen = st.selectbox("Article", list(by_id), key=state.OPEN_ARTICLE,
                      format_func=lambda i: f"{by_id[i].source} — {by_id[i].title or '(untitled)'}")
if chosen is not None and (art := fc.article(chosen)):
    st.caption(f"{escape.markdown(art.source)} · {escape.markdown(art.date or 'date unknown')} · "
               f"{per_article[art.id]} claim(s) marked")
    body = fc.passages(article_id=art.id, kind=PassageKind.BODY)
    render.show(render.article_html(art.text, body, threshold=fc.settings.claim_threshold))
    compound = [(c.text, parts) for c in body if c.score >= fc.settings.claim_threshold and (parts := fc.parts(c.text))]
    if compound:
        with st.expander(f"Compound claims ({len(compound)}): each part is checked on its own on the Compare page"):
            for text, parts in compound:
                st.markdown(f"**{escape.markdown(text)}**")
                st.markdown("\n".join(f"- {escape.markdown(part.text)}" for part in parts))
    if comments := fc.passages(article_id=art.id, kind=PassageKind.COMMENT):
        with st.expander(f"Reader comments ({len(comments)}): not the outlet's claims"):
            render.comments([c.text for c in comments])

st.subheader("Outlet profiles")
st.caption("What you know of each outlet: yours to write, nothing is filled in for you. A rating needs its "
           "source (your own reading, or who rated it). Shown beside the outlet on Check and Compare, and in exports.")
names = sorted({s.name for s in sources} | set(outlets))
who = st.selectbox("Outlet", range(len(names)), key="fc_profile_outlet", format_func=lambda i: names[i])
if who is not None:
    had = outlets.get(names[who])
    with st.form("fc_profile_form"):
        # keys carry the outlet's place in the list: picking another outlet shows its own values
        typed = {c: (st.text_area if c == "notes" else st.text_input)(
                    c.replace("_", " ").capitalize(), value=(getattr(had, c) or "") if had else "",
                    key=f"fc_profile_{c}_{who}") for c in profiles.COLUMNS[1:]}
        saved = st.form_submit_button("Save the profile", key="fc_profile_save")
    if saved:
        try:
            if any(v.strip() for v in typed.values()):
                state.shared().set_profile(names[who], **typed)
                st.session_state[state.FLASH] = f"Saved the profile of {escape.markdown(names[who])}."
            elif had:
                state.shared().remove_profile(names[who])
                st.session_state[state.FLASH] = f"Removed the profile of {escape.markdown(names[who])}."
            st.rerun()
        except FactcheckError as e:
            st.error(str(e))
st.download_button("Download the profiles (CSV)", profiles.to_csv(list(outlets.values())), file_name="profiles.csv",
                   mime="text/csv", key="fc_profiles_download", on_click="ignore")

st.subheader("Remove a source")
c1, c2 = st.columns([3, 1])
gone = c1.selectbox("Source to remove", [s.name for s in sources], key="fc_remove_choice")
sure = c1.checkbox("Remove it with all its articles", key="fc_remove_confirm")
if c2.button("Remove", key="fc_remove_button", disabled=not sure) and gone:
    n = state.shared().remove_source(gone)
    st.session_state[state.FLASH] = f"Removed {escape.markdown(gone)} ({n} passages)."
    st.rerun()

with st.expander("Maintenance"):
    if st.button("Rebuild the index", key="fc_reindex"):
        n = state.shared().reindex(progress=state.progress_bar("Rebuilding the index"))
        st.success(f"Index rebuilt: {n} passages.")
