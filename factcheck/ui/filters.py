"""The Consistency page's filters (source, verdict, check-worthiness score) applied to a comparison.

Pure: the filtered view is rebuilt with consistency.build_consistency, so every chart drawn from
it (matrix, pairwise agreement, per-source bars, ranking) reflects the same filters. Verdicts are
not recomputed: a claim keeps the verdict the sources gave it in the full comparison.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from factcheck.consistency import Consistency, build_consistency
from factcheck.labels import VerdictLabel
from factcheck.records import Story

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

ALL_STORIES = "All stories"


def story_picker(stories: Sequence[Story], *, key: str) -> Story | None:
    """The Compare and Consistency pages' story select box, "All stories" first; the chosen story or None.
    A story gone since it was picked (merged, removed) falls back to all."""
    import streamlit as st

    by_id = {s.id: s for s in stories}
    if st.session_state.get(key) not in (None, *by_id):
        st.session_state.pop(key)
    # option labels are plain text (never Markdown), so a story's name shows as the user typed it
    chosen = st.selectbox("Story", [None, *by_id], key=key, format_func=lambda i: ALL_STORIES if i is None else
                          f"{by_id[i].name} ({len(by_id[i].articles)} articles, {len(by_id[i].sources)} sources)")
    return by_id.get(chosen) if chosen is not None else None


def source_picker(label: str, names: Sequence[str], *, key: str, story: Story | None,
                  container: DeltaGenerator | None = None) -> list[str]:
    """A multiselect of `names`, all chosen by default; picking another story resets it to all of that story's
    sources (the last pick is not among a new story's options, and Streamlit would have dropped it to none).
    `container`: where to draw it (a column), else the page."""
    import streamlit as st

    story_key = f"{key}__story"
    story_id = story.id if story is not None else None
    if st.session_state.get(story_key) != story_id:
        st.session_state.pop(key, None)
        st.session_state[story_key] = story_id
    if container is None:
        return list(st.multiselect(label, names, default=list(names), key=key))
    with container:
        return list(st.multiselect(label, names, default=list(names), key=key))


def apply(cons: Consistency, *, sources: Collection[str], verdicts: Collection[VerdictLabel], min_score: float = 0.0,
          scores: Mapping[int, float] | None = None) -> Consistency:
    """Claims made by one of `sources`, with a verdict in `verdicts` and a check-worthiness score (looked
    up by claim passage id in `scores`; unknown counts as 1.0) of at least `min_score`; columns: `sources`."""
    scores = scores or {}
    keep = [c for c in cons.checks
            if c.claim_source in sources and c.verdict.label in verdicts
            and scores.get(c.claim_passage_id if c.claim_passage_id is not None else -1, 1.0) >= min_score]
    return build_consistency(keep, sources=[s for s in cons.sources if s in sources])
