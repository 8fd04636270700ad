"""Helpers for the dashboard's AppTest tests: a seeded store, the app under test with fake models.

The dashboard builds its facade with Factcheck.open, as the CLI does; `app` has it hand FakeEncoder,
FakeVerifier and fake_checkworthiness (tests/conftest.py) to the facade's constructor, so no model loads.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import streamlit as st
from conftest import FakeModels, FakeVerifier, fake_checkworthiness, make_draft, use_fake_models
from streamlit.testing.v1 import AppTest

from factcheck.api import Factcheck
from factcheck.settings import Settings
from factcheck.store import Store

__all__ = ["FakeVerifier", "fake_checkworthiness"]  # here before tests/conftest.py held them; still imported so

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
ARTICLES = Path(__file__).parent / "data" / "ui_articles.json"
# the hashed bag-of-words FakeEncoder gives far lower cosines than MiniLM: no similarity gate (tested in
# test_verdict); the verifier's minimum probability stays as set (FakeVerifier's side is 0.88)
UI_SETTINGS = {"evidence_similarity": 0.0}


def load_articles() -> list[dict]:
    return json.loads(ARTICLES.read_text(encoding="utf-8"))


def seed(store_dir: Path, articles: Sequence[dict] | None = None) -> None:
    """Store the fixture articles directly (one body passage a sentence), bypassing ingestion."""
    with Store.open(store_dir) as store:
        for a in load_articles() if articles is None else articles:
            store.add_article(make_draft(a["source"], a["sentences"], title=a["title"], comments=a["comments"]))


def fake_factcheck(settings: Settings) -> Factcheck:
    """The facade the dashboard opens in these tests, for a test to call itself."""
    return FakeModels(settings=UI_SETTINGS).open(settings)


def app(monkeypatch, store_dir: Path, *, sample_dir: Path | None = None, page: str | None = None) -> AppTest:
    """The dashboard on `store_dir` with fake models; `page` e.g. "check" runs that page's file."""
    from factcheck.ui import state

    monkeypatch.setenv("FACTCHECK_STORE", str(store_dir))
    use_fake_models(monkeypatch, settings=UI_SETTINGS)
    monkeypatch.setattr(state, "SAMPLE_DIR", sample_dir or store_dir / "no-sample")
    st.cache_resource.clear()
    # generous: a run is ~1 s alone, but a loaded 2-core CI box (model training beside it) starves it
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    if page:
        at.switch_page(f"factcheck/ui/{page}.py").run()
    return at


def no_exceptions(at: AppTest) -> None:
    """No traceback reached the page (and none was swallowed into the generic message by render.guard)."""
    assert not at.exception, [e.value for e in at.exception]
    generic = [e.value for e in at.error if e.value.startswith("Something went wrong")]
    assert not generic, generic


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def markdown_text(at: AppTest) -> str:
    """Everything the page rendered as markdown (markdown, captions, alerts, expander labels)."""
    parts = [el.value for el in at.markdown] + [el.value for el in at.caption]
    parts += [el.value for kind in (at.error, at.warning, at.info, at.success) for el in kind]
    parts += [el.label for el in at.expander]
    # st.table renders its cells as Markdown too
    parts += [str(v) for el in at.table for v in el.value.to_numpy().ravel()]
    return "\n".join(str(p) for p in parts)


def html_text(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


def shown_text(at: AppTest) -> str:
    return markdown_text(at) + "\n" + html_text(at)


def assert_inert(at: AppTest) -> None:
    """Hostile article text reached the page only as text: no tag, no attribute, no javascript: link."""
    md, html = markdown_text(at), html_text(at)
    # markdown: a backslash-escaped "\<" is a literal character, not a tag; links need an unescaped "]("
    assert not re.search(r"(?<!\\)<(script|img)", md)
    assert not re.search(r"(?<!\\)\]\((?i:javascript)", md)
    assert not re.search(r"(?<!\\)!\[[^\]]*(?<!\\)\]\(", md)  # no image, which a browser would fetch
    # html: user text is entity-escaped, so no tag of theirs and no link at all
    assert "<script" not in html and "<img" not in html
    assert "href" not in html.lower()


def seed_factchecks(store_dir: Path, *extra: dict) -> None:
    """Store the fixture fact-checks (tests/data/factchecks) and `extra` ReviewDraft fields, as an import would."""
    from factcheck import factchecks
    from factcheck.records import ReviewDraft
    from factcheck.settings import Settings

    drafts = factchecks.read(str(Path(__file__).parent / "data" / "factchecks"), Settings()).drafts
    drafts += [ReviewDraft(**e) for e in extra]
    with Store.open(store_dir) as store:
        store.add_reviews(drafts, [factchecks.key(d) for d in drafts])


def seed_profiles(store_dir: Path, *profiles: dict) -> None:
    from factcheck.records import SourceProfile

    with Store.open(store_dir) as store:
        store.set_profiles([SourceProfile(**p) for p in profiles])
