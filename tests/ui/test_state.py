"""ui.state without a page: the sidebar's overrides, the recent checks, the progress bar and the comparison shown
last, read from and written to a stand-in for st.session_state."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from factcheck import escape
from factcheck.settings import DEFAULTS
from factcheck.ui import state


class Bar:
    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def progress(self, value: float, text: str) -> None:
        self.calls.append((value, text))


@pytest.fixture
def st(monkeypatch):
    bar = Bar()
    fake = SimpleNamespace(session_state={}, progress=lambda value, text: bar, bar=bar)
    monkeypatch.setattr(state, "st", fake)
    return fake


def test_overrides_are_the_defaults_until_the_sidebar_moves(st):
    assert state.overrides() == {"top_k": DEFAULTS.top_k, "min_similarity": DEFAULTS.min_similarity,
                                 "claim_threshold": DEFAULTS.claim_threshold}
    st.session_state.update({state.TOP_K: 7, state.MIN_SIMILARITY: 0.45, state.CLAIM_THRESHOLD: 0.9})
    assert state.overrides() == {"top_k": 7, "min_similarity": 0.45, "claim_threshold": 0.9}


def test_remember_keeps_one_check_a_claim_newest_first_and_at_most_max_recent(st):
    for i in range(state.MAX_RECENT + 3):
        state.remember(SimpleNamespace(claim=f"claim {i}"))
    state.remember(SimpleNamespace(claim="claim 5"))
    recent = [c.claim for c in st.session_state[state.RECENT_CHECKS]]
    assert recent[0] == "claim 5" and recent.count("claim 5") == 1 and len(recent) == state.MAX_RECENT
    assert recent[1] == f"claim {state.MAX_RECENT + 2}"
    assert st.session_state[state.CURRENT_CHECK] == 0


def test_progress_bar_escapes_what_it_names_and_copes_with_no_total(st):
    update = state.progress_bar("Reading")
    update(1, 4, "a*b*.txt")
    update(0, 0, "done")
    assert "*" not in escape.markdown("a*b*.txt").replace("\\*", "")
    assert st.bar.calls == [(0.25, escape.markdown("a*b*.txt") + ": 1/4"), (1.0, "done: 0/0")]


def test_last_consistency_is_the_one_shown_last(st):
    assert state.last_consistency() is None
    shown = object()
    st.session_state.update({state.CONSISTENCY: {("k",): shown}, state.LAST_CONSISTENCY: ("k",)})
    assert state.last_consistency() is shown
