"""Retrieval and a whole `check` on the sample corpus (data/) with FACTCHECK_VECTOR_BACKEND=milvus (a milvus-lite
file in the store folder) give what they give with FAISS: the same passages, scores and verdicts, with the real
models. The backend contract itself is tests/vectors/test_contract.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.api import Factcheck
from factcheck.settings import ENV_VECTOR_BACKEND, Settings

pytestmark = [pytest.mark.model, pytest.mark.milvus]

DATA = Path(__file__).resolve().parents[1] / "data"
CLAIMS = [
    "Sheinbaum spoke with President Trump by phone",
    "Sheinbaum said U.S. military intervention in Mexico is necessary.",
    "Mexico's homicide rate rose sharply, Sheinbaum said",
    "Mexico announced new tariffs on Canadian steel imports.",
    "Canada closed its border with Mexico",
]


def _seeded(store_dir: Path, backend: str, models: Factcheck | None) -> Factcheck:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_VECTOR_BACKEND, backend)
        settings = Settings.from_env(store_dir)
    assert settings.vector_backend == backend
    kw = {} if models is None else {"encoder": models.encoder, "verifier": models.verifier}
    fc = Factcheck(settings, **kw)  # type: ignore[arg-type]
    for i, path in enumerate(sorted(DATA.glob("*.txt"))):
        assert [r.status for r in fc.ingest_paths([path], source=f"seed outlet {i + 1}")] == ["added"]
    return fc


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Factcheck, Factcheck]:
    faiss = _seeded(tmp_path_factory.mktemp("faiss"), "faiss", None)
    milvus = _seeded(tmp_path_factory.mktemp("milvus"), "milvus", faiss)  # the same models, loaded once
    return faiss, milvus


def test_the_milvus_store_keeps_its_vectors_in_milvus_lite(pair):
    faiss, milvus = pair
    d = milvus.index.describe()
    assert d.backend == "milvus" and d.location == str(milvus.store.path / "milvus.db")
    assert d.count == faiss.index.describe().count > 0
    assert not list(milvus.store.path.glob("index.faiss*"))


@pytest.mark.parametrize("claim", CLAIMS)
def test_retrieval_is_the_same(pair, claim):
    faiss, milvus = pair
    for kw in ({}, {"per_source": False, "k": 8}, {"exclude_source": "seed outlet 1"}):
        want, got = faiss.search(claim, **kw), milvus.search(claim, **kw)  # type: ignore[arg-type]
        assert [(h.passage_id, h.source) for h in got] == [(h.passage_id, h.source) for h in want], kw
        assert [h.score for h in got] == pytest.approx([h.score for h in want], abs=1e-5)


# the verifier dominates a check's time: three claims, one for each verdict the seeds give
@pytest.mark.parametrize("claim", [CLAIMS[0], CLAIMS[1], CLAIMS[3]])
def test_check_gives_the_same_verdict(pair, claim):
    faiss, milvus = pair
    want, got = faiss.check(claim), milvus.check(claim)
    assert got.verdict.label == want.verdict.label
    assert got.verdict.supporting_sources == want.verdict.supporting_sources
    assert got.verdict.conflicting_sources == want.verdict.conflicting_sources
    assert [(e.passage_id, e.label) for e in got.evidence] == [(e.passage_id, e.label) for e in want.evidence]


def test_stored_claims_find_the_same_passages_outside_their_article(pair):
    faiss, milvus = pair
    claims = faiss.claims()
    assert len({c.source for c in claims}) == 2
    for c in claims[::3]:
        kw = {"exclude_article": c.article_id}
        want, got = faiss.search(c.text, **kw), milvus.search(c.text, **kw)
        assert c.article_id not in {h.article_id for h in got}
        assert [h.passage_id for h in got] == [h.passage_id for h in want], c.text
    c = claims[0]
    want = faiss.check(c.text, claim_source=c.source, exclude_article=c.article_id)
    got = milvus.check(c.text, claim_source=c.source, exclude_article=c.article_id)
    assert got.verdict.label == want.verdict.label
    assert [e.passage_id for e in got.evidence] == [e.passage_id for e in want.evidence]
