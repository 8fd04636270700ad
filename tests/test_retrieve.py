"""retrieve: top passages per other source, with filters, on hand-made vectors and on the seeds."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from factcheck import index as ix
from factcheck import retrieve as rt
from factcheck.retrieve import Hit, retrieve

DIM = 8


def axis(i: int, j: int | None = None, w: float = 0.0) -> np.ndarray:
    """A unit vector along axis i, tilted towards axis j by w."""
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    if j is not None:
        v[j] = w
    return v / np.linalg.norm(v)


@pytest.fixture
def corpus(store, add_article):
    """Three sources; vectors are set by hand so similarities are known exactly."""
    a1 = add_article("A", ["a0", "a1"])
    b1 = add_article("B", ["b0", "b1", "b2"])
    c1 = add_article("C", ["c0"])
    a2 = add_article("A", ["a-second"])
    vecs = {"a0": axis(0), "a1": axis(1), "b0": axis(0, 1, 0.2), "b1": axis(0, 1, 0.5), "b2": axis(2),
            "c0": axis(0, 2, 1.0), "a-second": axis(0, 3, 0.1)}
    vi = ix.VectorIndex(store.path, "hand", DIM)
    ps = store.passages()
    vi.add([p.id for p in ps], np.stack([vecs[p.text] for p in ps]))
    return vi, {"a1": a1, "b1": b1, "c1": c1, "a2": a2}


def texts(hits: list[Hit]) -> list[str]:
    return [h.text for h in hits]


def test_top_k_per_source_best_first(store, corpus):
    vi, _ = corpus
    hits = retrieve(store, vi, axis(0), k=1)
    assert texts(hits) == ["a0", "b0", "c0"]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(retrieve(store, vi, axis(0), k=2)) == 5  # A 2, B 2, C 1


def test_hits_carry_source_article_and_offsets(store, corpus):
    vi, ids = corpus
    h = retrieve(store, vi, axis(0), k=1, sources=["B"])[0]
    art = store.article(h.article_id)
    assert (h.source, h.article_id) == ("B", ids["b1"])
    assert art is not None and art.text[h.start:h.end] == h.text == "b0"


def test_excluding_the_claims_own_article_and_source(store, corpus):
    vi, ids = corpus
    assert "a0" not in texts(retrieve(store, vi, axis(0), k=1, exclude_article=ids["a1"]))
    assert texts(retrieve(store, vi, axis(0), k=1, exclude_article=ids["a1"]))[:2] == ["a-second", "b0"]
    assert {h.source for h in retrieve(store, vi, axis(0), k=3, exclude_source="A")} == {"B", "C"}


def test_restricting_to_sources(store, corpus):
    vi, _ = corpus
    assert texts(retrieve(store, vi, axis(0), k=5, sources=["C"])) == ["c0"]
    assert retrieve(store, vi, axis(0), sources=["A"], exclude_source="A") == []
    assert retrieve(store, vi, axis(0), sources=["nobody"]) == []


def test_min_similarity(store, corpus):
    vi, _ = corpus
    hits = retrieve(store, vi, axis(0), k=5, min_similarity=0.9)
    assert texts(hits) == ["a0", "a-second", "b0"] and all(h.score >= 0.9 for h in hits)


def test_overall_top_k(store, corpus):
    vi, _ = corpus
    assert texts(retrieve(store, vi, axis(0), k=2, per_source=False)) == ["a0", "a-second"]


def test_nothing_to_search(store, corpus, tmp_path):
    vi, _ = corpus
    assert retrieve(store, vi, axis(0), k=0) == []
    assert retrieve(store, ix.VectorIndex(tmp_path, "hand", DIM), axis(0)) == []


def test_widens_when_filters_eat_the_candidates(store, add_article, monkeypatch):
    """Source B's passages are far down the list, behind 200 closer passages of A: still found."""
    monkeypatch.setattr(rt, "MIN_FETCH", 4)
    monkeypatch.setattr(rt, "OVERFETCH", 1)
    add_article("A", [f"a{i}" for i in range(200)])
    add_article("B", ["b0", "b1"])
    vi = ix.VectorIndex(store.path, "hand", DIM)
    ps = store.passages()
    vecs = np.stack([axis(0, 1, 0.01 * (i + 1)) if p.source == "A" else axis(1, 0, 0.5 + 0.1 * i)
                     for i, p in enumerate(ps)])
    vi.add([p.id for p in ps], vecs)
    calls = []
    search = vi.search
    monkeypatch.setattr(vi, "search", lambda q, k, **kw: calls.append(k) or search(q, k, **kw))
    hits = retrieve(store, vi, axis(0), k=2, exclude_source="A")
    assert texts(hits) == ["b1", "b0"] and len(calls) > 1 and calls == sorted(calls)


def test_passages_deleted_since_the_last_sync_are_skipped(store, corpus):
    vi, _ = corpus
    store.remove_source("C")
    assert "c0" not in texts(retrieve(store, vi, axis(0), k=1))


# --- the acceptance test on the two seed articles, with the real model ---------------------------

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_A, SEED_B = "000_f0bff7c0d2141bfe.txt", "001_cd3b2722a962042a.txt"
# (a claim as one outlet words it, words that must appear in the other outlet's counterpart)
COUNTERPARTS = [
    ("The Europe Today", "highlighted a significant drop in homicide rates, a sharp decrease in fentanyl seizures",
     ["homicide rate", "fentanyl"]),
    ("The Europe Today", "Marco Rubio and Mexican Foreign Secretary Juan Ramón de la Fuente issued a joint statement",
     ["Rubio", "de la Fuente"]),
    ("The Europe Today", "Sheinbaum also spoke with President Trump by phone earlier this week",
     ["spoken directly with Trump by phone"]),
    ("The Europe Today", "a high‑profile U.S. military operation in Venezuela that ousted former President",
     ["operation in Venezuela"]),
    ("Unknown outlet", "pointing to a substantial decrease in Mexico’s homicide rate",
     ["homicide rates", "fentanyl"]),
    ("Unknown outlet", "The officials released a joint statement acknowledging",
     ["joint statement"]),
    ("Unknown outlet", "Sheinbaum revealed she had spoken directly with Trump by phone on Monday",
     ["spoke with President Trump by phone"]),
    ("Unknown outlet", "recent U.S. military operation in Venezuela that removed President Nicolás Maduro",
     ["operation in Venezuela"]),
]


def _sentences(text: str) -> list[str]:
    """A plain splitter, enough for these two articles (ingest's splitter is tested elsewhere)."""
    return [s.strip() for s in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])|\n+", text) if len(s.strip()) > 20]


@pytest.mark.model
def test_seed_claims_find_their_counterpart_in_the_other_outlet_in_the_top_3(store, add_article):
    from factcheck.embed import load_encoder

    enc = load_encoder()
    a = (SEEDS / SEED_A).read_text(encoding="utf-8")
    b = (SEEDS / SEED_B).read_text(encoding="utf-8").split("Fact Checker")[0]  # body only, as ingest keeps it
    ids = {"The Europe Today": add_article("The Europe Today", _sentences(a)),
           "Unknown outlet": add_article("Unknown outlet", _sentences(b))}
    vi = ix.VectorIndex.open(store.path, enc.name, enc.dim)
    ix.sync(store, vi, enc)
    for source, fragment, needles in COUNTERPARTS:
        claim = next(p for p in store.passages(article_id=ids[source]) if fragment in p.text)
        q = enc.encode([claim.text])[0]
        hits = retrieve(store, vi, q, k=3, exclude_source=source)
        assert hits, claim.text
        assert any(all(n in h.text for n in needles) for h in hits), (claim.text, texts(hits))
        assert all(h.source != source for h in hits)
