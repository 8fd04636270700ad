"""The dashboard with the real packaged models: first-start ingest, then two checks.
(How fast a warm check is: bench/check.py.)"""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from ui_support import APP, errors, no_exceptions, plotly_specs

pytestmark = pytest.mark.model

SEED = Path(__file__).parents[1] / "data" / "ui_seed"


def test_first_start_then_check_with_real_models(tmp_path, monkeypatch):
    from factcheck.ui import state

    monkeypatch.setenv("FACTCHECK_STORE", str(tmp_path))
    monkeypatch.setattr(state, "SAMPLE_DIR", SEED)
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=600).run()
    no_exceptions(at)
    assert not at.error, errors(at)

    # the outlets report the fall as the president's statement: that corroborates the attributed claim
    at.text_area(key="fc_claim").input("Mexico's homicide rate has dropped significantly, Sheinbaum said")
    at.button(key="fc_check_submit").click().run()
    no_exceptions(at)
    assert not at.error, errors(at)
    check = at.session_state[state.RECENT_CHECKS][0]
    assert {e.source for e in check.evidence} == {"Northern Herald", "Coastal Times"}
    assert check.verdict.label == "corroborated", check.verdict
    # known miss of the verifier: Coastal Times' "homicides in Mexico had declined significantly" reads as support
    # at p ≈ 0.43, under Settings.verify_supports_at (0.5), so only Northern Herald decides (bench/verify.py)
    assert "Northern Herald" in check.verdict.supporting_sources and not check.verdict.conflicting_sources
    assert plotly_specs(at)

    # warm: models and index are loaded; the outlets disagree on fentanyl seizures
    at.text_area(key="fc_claim").input("Fentanyl seizures at the border dropped last year")
    at.button(key="fc_check_submit").click().run()
    no_exceptions(at)
    check = at.session_state[state.RECENT_CHECKS][0]
    assert check.claim.startswith("Fentanyl")
    assert "Coastal Times" in check.verdict.conflicting_sources, check.verdict
