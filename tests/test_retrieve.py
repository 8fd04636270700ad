"""retrieve: top passages per other source, with filters, on hand-made vectors, against a brute-force ranking,
and on the seeds."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from factcheck import index as ix
from factcheck.retrieve import Hit, retrieve
from factcheck.settings import Settings
from factcheck.vectors.faiss import FaissBackend

DIM = 8


def axis(i: int, j: int | None = None, w: float = 0.0) -> np.ndarray:
    """A unit vector along axis i, tilted towards axis j by w."""
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    if j is not None:
        v[j] = w
    return v / np.linalg.norm(v)


def indexed(store, vec_of) -> FaissBackend:
    """A backend holding every stored body passage with vec_of(passage) and its source and article."""
    vi = FaissBackend(store.path, "hand", DIM)
    ps = store.passages()
    vi.upsert([p.id for p in ps], np.stack([vec_of(p) for p in ps]), [p.source for p in ps],
              [p.article_id for p in ps])
    return vi


@pytest.fixture
def corpus(store, add_article):
    """Three sources; vectors are set by hand so similarities are known exactly."""
    a1 = add_article("A", ["a0", "a1"])
    b1 = add_article("B", ["b0", "b1", "b2"])
    c1 = add_article("C", ["c0"])
    a2 = add_article("A", ["a-second"])
    vecs = {"a0": axis(0), "a1": axis(1), "b0": axis(0, 1, 0.2), "b1": axis(0, 1, 0.5), "b2": axis(2),
            "c0": axis(0, 2, 1.0), "a-second": axis(0, 3, 0.1)}
    return indexed(store, lambda p: vecs[p.text]), {"a1": a1, "b1": b1, "c1": c1, "a2": a2}


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
    assert retrieve(store, FaissBackend(tmp_path, "hand", DIM), axis(0)) == []


def test_a_source_far_down_the_ranking_is_found_by_one_filtered_search(store, add_article, monkeypatch):
    """Source B's passages are far down the list, behind 200 closer passages of A: the backend is asked for B's
    k best alone, in one call (the old retrieval widened a search of everything until B turned up)."""
    add_article("A", [f"a{i}" for i in range(200)])
    add_article("B", ["b0", "b1"])
    order = {p.id: i for i, p in enumerate(store.passages())}
    vi = indexed(store, lambda p: axis(0, 1, 0.01 * (order[p.id] + 1)) if p.source == "A"
                 else axis(1, 0, 0.5 + 0.1 * order[p.id]))
    calls = []
    search = vi.search_sources
    monkeypatch.setattr(vi, "search_sources", lambda q, k, names, **kw: calls.append((k, set(names)))
                        or search(q, k, names, **kw))
    hits = retrieve(store, vi, axis(0), k=2, exclude_source="A")
    assert texts(hits) == ["b1", "b0"] and calls == [(2, {"B"})]


def test_per_source_retrieval_reads_only_the_passages_it_returns(store, corpus, monkeypatch):
    vi, _ = corpus
    asked: list[list[int]] = []
    shown = store.shown
    monkeypatch.setattr(store, "shown", lambda ids, **kw: asked.append(list(ids)) or shown(ids, **kw))
    hits = retrieve(store, vi, axis(0), k=1)
    assert len(asked) == 1 and sorted(asked[0]) == sorted(h.passage_id for h in hits)
    by_id = {p.id: p for p in store.passages()}
    assert [(h.text, h.source, h.article_id, h.start, h.end) for h in hits] == [
        (p.text, p.source, p.article_id, p.start, p.end) for p in (by_id[h.passage_id] for h in hits)]


def test_passages_deleted_since_the_last_sync_are_skipped(store, corpus):
    vi, _ = corpus
    store.remove_source("C")
    assert "c0" not in texts(retrieve(store, vi, axis(0), k=1))


# --- against a brute-force ranking: every passage scored, filtered and ranked in Python ---------------

def _brute(store, vecs, q, *, k, per_source=True, exclude_article=None, exclude_source=None, sources=None,
           min_similarity=0.0) -> list[tuple[int, float]]:
    ranked = sorted(((-float(vecs[p.text] @ q), p.id), p) for p in store.passages())
    ok = [(pid, -neg, p.source) for (neg, pid), p in ranked
          if p.article_id != exclude_article and p.source != exclude_source
          and (sources is None or p.source in sources) and -neg >= min_similarity]
    if not per_source:
        return [(pid, score) for pid, score, _ in ok[:k]]
    taken: dict[str, int] = {}
    out = []
    for pid, score, source in ok:
        if taken.get(source, 0) < k:
            taken[source] = taken.get(source, 0) + 1
            out.append((pid, score))
    return out


@pytest.fixture
def random_corpus(store, add_article):
    """Five sources, 3-9 articles each, 2-12 passages an article, random unit vectors (no ties)."""
    rng = np.random.default_rng(5)
    articles = []
    for s in range(5):
        for a in range(int(rng.integers(3, 10))):
            name = ["Left Daily", "Right Post", "Centre Wire", 'Odd "quoted" outlet', "Ünï"][s]
            articles.append(add_article(name, [f"s{s} a{a} sentence {i}" for i in range(int(rng.integers(2, 13)))]))
    vecs = {p.text: v / np.linalg.norm(v) for p in store.passages()
            for v in [rng.standard_normal(DIM).astype(np.float32)]}
    return indexed(store, lambda p: vecs[p.text]), vecs, articles


@pytest.mark.parametrize("case", [
    {"k": 3}, {"k": 1}, {"k": 20}, {"k": 4, "per_source": False}, {"k": 500, "per_source": False},
    {"k": 3, "exclude_source": "Right Post"}, {"k": 2, "exclude_article": "first"},
    {"k": 2, "exclude_article": "first", "exclude_source": "Left Daily"},
    {"k": 3, "sources": ["Centre Wire", 'Odd "quoted" outlet']}, {"k": 3, "min_similarity": 0.2},
    {"k": 6, "per_source": False, "exclude_source": "Ünï", "exclude_article": "last", "min_similarity": -0.1},
    {"k": 5, "per_source": False, "sources": ["Left Daily", "Ünï"], "exclude_article": "first"},
])
def test_retrieval_gives_exactly_the_brute_force_ranking(store, random_corpus, case):
    vi, vecs, articles = random_corpus
    case = {"min_similarity": 0.0, **case}  # as _brute's floor (retrieve's default is Settings.min_similarity)
    if "exclude_article" in case:
        case["exclude_article"] = articles[0] if case["exclude_article"] == "first" else articles[-1]
    for q in np.random.default_rng(6).standard_normal((8, DIM)).astype(np.float32):
        q /= np.linalg.norm(q)
        got = retrieve(store, vi, q, **case)
        want = _brute(store, vecs, q, **case)
        assert [h.passage_id for h in got] == [pid for pid, _ in sorted(want, key=lambda w: (-w[1], w[0]))]
        assert [h.score for h in got] == pytest.approx(sorted((s for _, s in want), reverse=True), abs=1e-5)


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
    vi = ix.open_index(Settings(store_dir=store.path), store, enc.name, enc.dim)
    ix.sync(store, vi, enc)
    for source, fragment, needles in COUNTERPARTS:
        claim = next(p for p in store.passages(article_id=ids[source]) if fragment in p.text)
        q = enc.encode([claim.text])[0]
        hits = retrieve(store, vi, q, k=3, exclude_source=source)
        assert hits, claim.text
        assert any(all(n in h.text for n in needles) for h in hits), (claim.text, texts(hits))
        assert all(h.source != source for h in hits)


def test_an_empty_index_retrieves_nothing_without_being_counted_first(store):
    from factcheck.vectors import Location, backend_class

    class Uncounted(backend_class("faiss")):  # type: ignore[misc,valid-type]
        def __len__(self) -> int:
            raise AssertionError("retrieval asked for a count (on Milvus, a call of its own)")

    b = Uncounted.create(Location(store.path, "x"), "m", 8)
    q = np.ones(8, dtype=np.float32) / np.sqrt(8)
    assert retrieve(store, b, q, k=3) == [] and retrieve(store, b, q, k=3, per_source=False) == []
