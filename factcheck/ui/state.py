"""Everything the dashboard keeps: the cached facade (one per store per process) and session-state keys.

Models and the index load once per process and are shared by every browser tab: the facade is
cached with st.cache_resource keyed by the store folder's resolved path (never an object id).
Writes (ingest, remove, reindex) go through that shared facade; reads use a clone carrying the
sidebar's thresholds (Factcheck.with_settings shares its store, models and index).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, cast

import streamlit as st

from factcheck import escape
from factcheck.api import Factcheck
from factcheck.errors import FactcheckError
from factcheck.labels import IngestStatus
from factcheck.progress import Progress
from factcheck.settings import DEFAULTS, Settings, store_dir_from_env

if TYPE_CHECKING:
    from factcheck.consistency import Consistency
    from factcheck.records import PublishedCheck, SourceProfile
    from factcheck.verdict import Check

# session-state keys (widget keys are named where the widget lives; these hold results)
RECENT_CHECKS = "fc_recent_checks"  # list[Check], newest first
CURRENT_CHECK = "fc_current_check"  # index into RECENT_CHECKS
CONSISTENCY = "fc_consistency"  # {key: Consistency}; key: sources, sidebar values, store counts
LAST_CONSISTENCY = "fc_last_consistency"  # the key shown last
OPEN_ARTICLE = "fc_open_article"
FLASH = "fc_flash"  # a message to show after st.rerun (e.g. "Removed …")
PUBLISHED = "fc_published"  # {(claim, stored fact-checks' version): [PublishedCheck]}
# sidebar widget keys
TOP_K = "fc_top_k"
MIN_SIMILARITY = "fc_min_similarity"
CLAIM_THRESHOLD = "fc_claim_threshold"
MAX_RECENT = 10
MAX_KEPT = 4
SEEDED_META = "dashboard_seeded"
FACTCHECKS_DIR = "factchecks"  # the sample fact-checks in data/: imported as fact-checks, never as articles
MAX_PUBLISHED_KEPT = 500
# the sample corpus beside app.py in a checkout (an installed package has none: first start skips it)
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data"

log = logging.getLogger("factcheck.ui")


@st.cache_resource(show_spinner="Loading the models and the index…")
def _shared(store_dir: str) -> Factcheck:
    fc = Factcheck.open(Settings.from_env(store_dir))  # as every CLI verb builds it: the packaged models
    # load now, once: clones made by with_settings then share these instead of loading their own.
    # A missing model is not fatal here: pages that need it say so when they use it.
    for warm in (lambda: fc.index, lambda: fc.verifier):
        try:
            warm()
        except FactcheckError as e:
            log.warning("dashboard: %s", e)
    return fc


def store_dir() -> str:
    # the store alone: a bad value of another setting must not break the sidebar (outside render.guard);
    # the page reports it when it builds the facade
    return str(store_dir_from_env().resolve())


def shared() -> Factcheck:
    """The process-wide facade for this store: use it for writes."""
    return _shared(store_dir())


def tuned() -> Factcheck:
    """The facade with the sidebar's thresholds: use it for reads and checks."""
    return shared().with_settings(**overrides())


class Overrides(TypedDict):
    """The sidebar's thresholds, as Factcheck.with_settings takes them."""

    top_k: int
    min_similarity: float
    claim_threshold: float


def overrides() -> Overrides:
    ss = st.session_state
    return {"top_k": int(ss.get(TOP_K, DEFAULTS.top_k)),
            "min_similarity": float(ss.get(MIN_SIMILARITY, DEFAULTS.min_similarity)),
            "claim_threshold": float(ss.get(CLAIM_THRESHOLD, DEFAULTS.claim_threshold))}


def sidebar() -> None:
    with st.sidebar:
        st.header("Settings")
        st.slider("Evidence passages (top-k)", 1, 20, DEFAULTS.top_k, key=TOP_K,
                  help="How many passages are retrieved for a claim, at most one per source first.")
        st.slider("Minimum similarity", 0.0, 1.0, DEFAULTS.min_similarity, 0.05, key=MIN_SIMILARITY,
                  help="Passages less similar than this to the claim are not evidence.")
        st.slider("Claim threshold", 0.0, 1.0, DEFAULTS.claim_threshold, 0.05, key=CLAIM_THRESHOLD,
                  help="Sentences whose check-worthiness reaches this are claims.")
        st.caption(f"Store: `{store_dir()}`")


def remember(check: Check) -> None:
    recent = [c for c in st.session_state.get(RECENT_CHECKS, []) if c.claim != check.claim]
    st.session_state[RECENT_CHECKS] = [check, *recent][:MAX_RECENT]
    st.session_state[CURRENT_CHECK] = 0


def progress_bar(label: str) -> Progress:
    """A progress(done, total, label) callback drawing a st.progress bar."""
    bar = st.progress(0.0, text=label)

    def update(done: int, total: int, what: str) -> None:
        # `what` may be a file name or a URL: the bar's text is Markdown, so it is escaped
        bar.progress(min(1.0, done / total) if total else 1.0, text=f"{escape.markdown(what)}: {done}/{total}")

    return update


def consistency(sources: Sequence[str], story: int | None = None) -> Consistency:
    """Every claim of the chosen sources (of one story's articles, when given) checked against the others; kept
    in the session until the sources, the story's articles, the sidebar or the store's contents change."""
    fc = tuned()
    told = (story, fc.story(story).articles) if story is not None else None
    key = (tuple(sorted(sources)), tuple(sorted(overrides().items())), tuple(sorted(fc.stats().items())), told)
    kept: dict[tuple[object, ...], Consistency] = st.session_state.setdefault(CONSISTENCY, {})
    if key in kept:
        st.session_state[LAST_CONSISTENCY] = key
        return kept[key]
    with st.status("Checking every claim against the other sources…", expanded=True) as status:
        result = fc.compare(sources=list(key[0]), story=story, progress=progress_bar("Comparing"))
        status.update(label=f"{len(result.checks)} claims compared", state="complete", expanded=False)
    while len(kept) >= MAX_KEPT:
        kept.pop(next(iter(kept)))
    kept[key] = result
    st.session_state[LAST_CONSISTENCY] = key
    return result


def published(claim: str) -> list[PublishedCheck]:
    """The published fact-checks matched to a claim, kept in the session until a fact-check is imported: a page
    rerun (any click) does not ask the verifier again."""
    fc = shared()
    key = (claim, fc.factchecks_version())
    kept: dict[tuple[object, ...], list[PublishedCheck]] = st.session_state.setdefault(PUBLISHED, {})
    if key not in kept:
        if len(kept) >= MAX_PUBLISHED_KEPT:
            kept.clear()
        kept[key] = fc.published_checks(claim)
    return kept[key]


def profiles() -> dict[str, SourceProfile]:
    """The outlet profiles by source name."""
    return {p.name: p for p in shared().profiles()}


def last_consistency() -> Consistency | None:
    """The comparison shown last (on Compare or Consistency): what Export writes."""
    key = st.session_state.get(LAST_CONSISTENCY)
    return cast("Consistency | None", st.session_state.get(CONSISTENCY, {}).get(key))


def first_start(data_dir: Path | None = None) -> None:
    """On an empty store, ingest the sample corpus once (a store emptied on purpose stays empty)."""
    data_dir = SAMPLE_DIR if data_dir is None else data_dir
    fc = shared()
    if fc.meta(SEEDED_META) or not data_dir.is_dir() or fc.read_only:
        return  # a read-only store (another user's, a read-only mount) is shown as it is
    if not fc.stats()["articles"]:
        with st.status("First start: adding the sample articles…", expanded=True) as status:
            from factcheck.ingest.corpus import files_in

            inputs = [p for p in files_in(data_dir) if p.relative_to(data_dir).parts[0] != FACTCHECKS_DIR]
            results = fc.ingest_paths(inputs, progress=progress_bar("Reading the sample corpus"))
            added = sum(r.status == IngestStatus.ADDED for r in results)
            status.update(label=f"Sample corpus added: {added} article(s)", state="complete", expanded=False)
        # the sample fact-checks (invented publishers) come with the sample articles, into a new store only
        if (data_dir / FACTCHECKS_DIR).is_dir() and not fc.factchecks():
            fc.ingest_factchecks(data_dir / FACTCHECKS_DIR)
    fc.set_meta(SEEDED_META, "1")
