"""The dashboard with the real packaged models: first-start ingest, a check, and its speed once warm."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui_support import APP, errors, no_exceptions, plotly_specs

pytestmark = pytest.mark.model

SEED = Path(__file__).parent / "data" / "ui_seed"


def test_first_start_then_check_with_real_models(tmp_path, monkeypatch):
    from factcheck.ui import state

    monkeypatch.setenv("FACTCHECK_STORE", str(tmp_path))
    monkeypatch.setattr(state, "SAMPLE_DIR", SEED)
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=600).run()
    no_exceptions(at)
    assert not at.error, errors(at)

    # both outlets report the fall as the president's statement: that corroborates the attributed claim
    at.text_area(key="fc_claim").input("Mexico's homicide rate has dropped significantly, Sheinbaum said")
    at.button(key="fc_check_submit").click().run()
    no_exceptions(at)
    assert not at.error, errors(at)
    check = at.session_state[state.RECENT_CHECKS][0]
    assert {e.source for e in check.evidence} == {"Northern Herald", "Coastal Times"}
    assert check.verdict.label == "corroborated", check.verdict
    assert check.verdict.supporting_sources == ("Coastal Times", "Northern Herald")
    assert plotly_specs(at)

    # warm: models and index are loaded; a second claim costs retrieval + stance + page
    at.text_area(key="fc_claim").input("Fentanyl seizures at the border dropped last year")
    started = time.perf_counter()
    at.button(key="fc_check_submit").click().run()
    elapsed = time.perf_counter() - started
    no_exceptions(at)
    assert at.session_state[state.RECENT_CHECKS][0].claim.startswith("Fentanyl")
    assert elapsed < 2.0, f"a warm check took {elapsed:.2f}s"
