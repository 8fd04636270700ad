"""The Sources page's stories panel: the stories the articles were grouped into, and the user's edits (rename,
merge, move an article, regroup), each through the shared facade. Story names and titles are user text: the
table and select boxes show plain text, and messages go through escape.markdown."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from factcheck import escape
from factcheck.errors import FactcheckError
from factcheck.records import Article, Story
from factcheck.ui import state


def panel(articles: Sequence[Article]) -> None:
    stories = state.tuned().stories()
    st.subheader("Stories")
    if not stories:
        st.caption("No stories yet: articles are grouped into stories as they are added.")
        return
    # a static table, apart from the page's two data frames of sources and articles; st.table renders each cell
    # as Markdown, so the names (a web page's title, an outlet's name) are escaped: no link, no remote image
    st.table([{"story": s.id, "name": escape.markdown(s.name), "articles": len(s.articles),
               "sources": escape.markdown(", ".join(s.sources)),
               "dates": escape.markdown(s.first if s.first == s.last else f"{s.first or '?'} – {s.last or '?'}"),
               "edited": s.edited} for s in stories])
    by_id = {s.id: s for s in stories}
    titles = {a.id: f"{a.source} — {a.title or '(untitled)'}" for a in articles}

    def label(i: int) -> str:
        return f"{i}: {by_id[i].name}"

    with st.expander("Edit stories"):
        c1, c2, c3 = st.columns([2, 3, 1])
        target = c1.selectbox("Story", list(by_id), key="fc_story_rename_choice", format_func=label)
        name = c2.text_input("New name", key="fc_story_rename_name", max_chars=200)
        if c3.button("Rename", key="fc_story_rename"):
            _do(lambda: state.shared().rename_story(int(target), name), "Renamed the story to {}.")
        c1, c2 = st.columns([5, 1])
        merging = c1.multiselect("Stories to merge (into the first)", list(by_id), key="fc_story_merge_choice",
                                 format_func=label)
        if c2.button("Merge", key="fc_story_merge"):
            _do(lambda: state.shared().merge_stories([int(i) for i in merging]), "Merged into {}.")
        c1, c2, c3 = st.columns([3, 2, 1])
        art = c1.selectbox("Article", list(titles), key="fc_story_move_article", format_func=lambda i: titles[i])
        into = c2.selectbox("Into story", list(by_id), key="fc_story_move_target", format_func=label)
        if c3.button("Move", key="fc_story_move"):
            _do(lambda: state.shared().move_article(int(art), int(into)), "Moved the article into {}.")
        if st.button("Regroup all articles (your edits stay)", key="fc_story_regroup"):
            _do(lambda: state.shared().regroup(), "Regrouped: {}.")


def _do(edit: Callable[[], Story | list[Story]], done: str) -> None:
    try:
        result = edit()
    except FactcheckError as e:
        st.error(escape.markdown(str(e)))
        return
    what = f"{len(result)} stories" if isinstance(result, list) else f"“{result.name}”"
    st.session_state[state.FLASH] = done.format(escape.markdown(what))
    st.rerun()
