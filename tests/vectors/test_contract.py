"""The vector backend contract (factcheck.vectors.base), one suite run against every backend: FAISS files, a
milvus-lite file in the store folder, and a real Milvus server (tests/vectors/conftest.py starts one).

add, replace, remove, count, order (ties by the smaller id), filters (sources, exclude a source, exclude an
article, hostile source names), changes visible at once, reopen, a reindex that replaces on first flush, and
another model or dimension refused with the same message by every backend."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from factcheck.errors import IndexMismatchError
from factcheck.vectors import Location, VectorBackend, Where, backend_class

DIM = 16
MODEL = "test-model"
# source names are user text: each of these must match itself and nothing else inside every backend's filter
HOSTILE = ['a" or id > 0 or "', "x' or '1'=='1", "back\\slash", "tail\\", 'quote"', "line\nbreak", "cr\r\ttab",
           "日本語の新聞", "e\u0301mile", "\U0001F600 emoji", "", " ", "%_*", "\\n", "\x1b[31mred", "nul\x00"]

BACKENDS = ["faiss", pytest.param("milvus-lite", marks=pytest.mark.milvus),
            pytest.param("milvus-server", marks=pytest.mark.milvus)]

Opener = Callable[..., VectorBackend]


@pytest.fixture(params=BACKENDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def where(kind: str, tmp_path, request: pytest.FixtureRequest) -> Location:
    """A fresh store's location in this backend (a new store id: stores sharing the server never mix)."""
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    if kind == "milvus-server":
        server = request.getfixturevalue("milvus_server")
        return Location(store_dir, uuid.uuid4().hex, server.uri, server.token)
    return Location(store_dir, uuid.uuid4().hex)


@pytest.fixture
def backends(kind: str, where: Location) -> Iterator[tuple[Opener, Opener]]:
    """(open, create) for this backend at `where`; everything they opened is closed afterwards."""
    cls = backend_class("faiss" if kind == "faiss" else "milvus")
    opened: list[VectorBackend] = []

    def open_(model: str = MODEL, dim: int = DIM, **kw: object) -> VectorBackend:
        opened.append(cls.open(where, model, dim, **kw))  # type: ignore[arg-type]
        return opened[-1]

    def create(model: str = MODEL, dim: int = DIM) -> VectorBackend:
        opened.append(cls.create(where, model, dim))
        return opened[-1]

    yield open_, create
    for b in opened:
        b.close()


@pytest.fixture
def open_(backends: tuple[Opener, Opener]) -> Opener:
    return backends[0]


def unit(rows: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def put(b: VectorBackend, ids, vecs: np.ndarray, sources: list[str] | str = "S", articles=None) -> None:
    ids = [int(i) for i in ids]
    srcs = [sources] * len(ids) if isinstance(sources, str) else sources
    b.upsert(ids, vecs, srcs, articles if articles is not None else [i // 10 for i in ids])


def held(b: VectorBackend) -> list[int]:
    return sorted(int(i) for i in b.ids())


def test_add_count_search_and_padding(open_):
    b = open_()
    assert len(b) == 0 and held(b) == [] and not b.messages
    vecs = unit(6)
    put(b, range(100, 106), vecs)
    assert len(b) == 6 and held(b) == list(range(100, 106))
    scores, ids = b.search(vecs[[2, 4]], 3)
    assert scores.shape == ids.shape == (2, 3) and ids.dtype == np.int64
    assert ids[0, 0] == 102 and ids[1, 0] == 104
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first
    want = np.argsort(-(vecs @ vecs[2]), kind="stable")[:3] + 100
    assert ids[0].tolist() == want.tolist()
    scores, ids = b.search(vecs[0], 10)  # more than there is: the rest is -1 / -inf
    assert ids.shape == (1, 10) and (ids[0, 6:] == -1).all() and np.isneginf(scores[0, 6:]).all()
    assert sorted(ids[0, :6].tolist()) == list(range(100, 106))


def test_replace_never_duplicates(open_):
    b = open_()
    vecs = unit(4)
    put(b, [1, 2, 3], vecs[:3], "Old", [10, 10, 10])
    put(b, [2], vecs[3:4], "New", [20])  # id 2 now holds another vector, source and article
    assert len(b) == 3 and held(b) == [1, 2, 3]
    scores, ids = b.search(vecs[3], 1)
    assert ids[0, 0] == 2 and scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert b.search(vecs[1], 3, where=Where(sources=frozenset({"Old"})))[1][0].tolist() == sorted(
        [1, 3], key=lambda i: -float(vecs[i - 1] @ vecs[1])) + [-1]
    assert b.search(vecs[1], 3, where=Where(sources=frozenset({"New"})))[1][0].tolist() == [2, -1, -1]
    assert 2 not in b.search(vecs[3], 3, where=Where(exclude_article=20))[1][0]


def test_remove(open_):
    b = open_()
    vecs = unit(5)
    put(b, range(5), vecs)
    assert b.remove([1, 3, 99]) == 2  # ids not held are ignored
    assert b.remove([1]) == 0 and b.remove([]) == 0
    assert len(b) == 3 and held(b) == [0, 2, 4]
    assert not {1, 3} & set(b.search(vecs, 5)[1].ravel().tolist())


def test_changes_are_visible_at_once_and_dirty_until_flushed(open_):
    b = open_()
    assert not b.dirty
    vecs = unit(3)
    put(b, [7], vecs[:1])
    assert b.dirty and b.search(vecs[0], 1)[1][0, 0] == 7
    b.flush()
    assert not b.dirty
    b.remove([7])
    assert b.dirty and b.search(vecs[0], 1)[1][0, 0] == -1
    put(b, [8], vecs[1:2])
    assert b.search(vecs[1], 1)[1][0, 0] == 8


def test_ties_go_to_the_smaller_id(open_):
    b = open_()
    same = unit(1, seed=3)
    others = unit(10, seed=4) * 0.5  # shorter: every inner product with `same` is below 1
    ids = [41, 7, 30, 12, 3, 25, 18, 9, 36, 2, 33, 15]  # twelve copies of one vector, in no order
    put(b, ids, np.repeat(same, len(ids), axis=0))
    put(b, range(100, 110), others)
    for k in (1, 3, 5):  # the tie runs on well past k: the backend must not stop at any k-th it met first
        scores, got = b.search(same, k)
        assert got[0].tolist() == sorted(ids)[:k]
        assert np.allclose(scores[0], scores[0, 0])
    _, got = b.search(np.vstack([same, same]), 4, where=Where(exclude_source="nobody"))
    assert got.tolist() == [sorted(ids)[:4]] * 2


def test_filters_run_inside_the_backend(open_):
    b = open_()
    n = 64
    vecs = unit(n, seed=1)
    names = ["Alpha", "Beta", *HOSTILE]
    sources = [names[i % len(names)] for i in range(n)]
    articles = [i % 7 for i in range(n)]
    b.upsert(list(range(n)), vecs, sources, articles)
    queries = unit(3, seed=2)
    wheres = [Where(), Where(sources=frozenset({"Alpha"})), Where(sources=frozenset(HOSTILE[:3])),
              Where(exclude_source="Beta"), Where(exclude_article=3), Where(sources=frozenset()),
              Where(sources=frozenset({"Alpha", "Beta"}), exclude_source="Beta", exclude_article=0),
              Where(sources=frozenset({"nobody"})),
              # a story's articles (compare --story): alone, with a source, and none held
              Where(articles=frozenset({1, 4})), Where(sources=frozenset({"Alpha"}), articles=frozenset({1, 2}),
                                                       exclude_article=2), Where(articles=frozenset({99}))]
    wheres += [Where(sources=frozenset({name})) for name in HOSTILE]
    wheres += [Where(exclude_source=name) for name in HOSTILE]
    for w in wheres:
        admitted = np.array([w.admits(sources[i], articles[i]) for i in range(n)])
        for q in queries:
            sims = np.where(admitted, vecs @ q, -np.inf)
            want = [int(i) for i in np.argsort(-sims, kind="stable")[:5] if admitted[i]]
            want += [-1] * (5 - len(want))
            got = b.search(q, 5, where=w)[1][0].tolist()
            assert got == want, (w, got, want)
    # many filters at once (retrieval asks one a source) answer as one search each would
    for q in queries:
        each = b.search_each(q, 5, [*wheres, None])
        assert len(each) == len(wheres) + 1
        for w, (scores, ids) in zip([*wheres, None], each, strict=True):
            one_scores, one_ids = b.search(q, 5, where=w)
            assert ids.tolist() == one_ids.tolist(), w
            assert np.allclose(scores, one_scores, atol=1e-5), w


def test_each_sources_best_come_at_once_as_one_search_per_source_finds_them(open_):
    """Retrieval per source (`search_sources`): each named source's k best of one query, from a score up, the
    claim's own article or a story's articles applied, ranked best first with ties by id: what one filtered
    search a source answers (Milvus filters inside itself; FAISS ranks a flat index's rows by source)."""
    b = open_()
    n = 60
    vecs = unit(n, seed=8)
    names = ["Alpha", "Beta", *HOSTILE[:4]]
    sources = [names[i % len(names)] for i in range(n)]
    articles = [i % 9 for i in range(n)]
    b.upsert(list(range(n)), vecs, sources, articles)
    b.upsert([100, 101, 102], np.repeat(vecs[:1], 3, axis=0), ["Alpha", "Beta", "Alpha"], [50, 51, 52])  # a tie
    for q in [*unit(2, seed=9), vecs[0]]:
        for exclude, story, floor in ((None, None, -np.inf), (0, None, 0.0), (None, frozenset({1, 2, 50}), -0.2)):
            scores, got, of = b.search_sources(q, 3, [*names, "nobody"], exclude_article=exclude, articles=story,
                                               min_score=floor)
            want: list[tuple[float, int, str]] = []
            for name in names:
                w = Where(sources=frozenset({name}), exclude_article=exclude, articles=story)
                s_, i_ = b.search(q, 3, where=w)
                want += [(float(s), int(i), name) for s, i in zip(s_[0], i_[0], strict=True)
                         if i >= 0 and s >= floor]
            want.sort(key=lambda hit: (-hit[0], hit[1]))
            assert got.tolist() == [i for _, i, _ in want], (exclude, story, floor)
            assert of == [name for _, _, name in want]
            assert np.allclose(scores, [s for s, _, _ in want], atol=1e-5)


def test_hostile_names_match_themselves_only(open_):
    b = open_()
    vecs = unit(len(HOSTILE), seed=5)
    b.upsert(list(range(len(HOSTILE))), vecs, HOSTILE, list(range(len(HOSTILE))))
    for i, name in enumerate(HOSTILE):
        _, got = b.search(vecs[i], len(HOSTILE), where=Where(sources=frozenset({name})))
        assert got[0].tolist() == [i] + [-1] * (len(HOSTILE) - 1), repr(name)
        _, got = b.search(vecs[i], len(HOSTILE), where=Where(exclude_source=name))
        assert sorted(got[0].tolist()) == [-1] + [j for j in range(len(HOSTILE)) if j != i], repr(name)


def test_reopen_holds_what_was_flushed(open_):
    b = open_()
    vecs = unit(8, seed=6)
    put(b, range(20, 28), vecs, ["A", "B"] * 4)
    b.remove([21])
    b.flush()
    before = b.search(vecs, 4, where=Where(exclude_source="B"))
    b.close()
    again = open_()
    assert not again.messages and not again.dirty
    assert len(again) == 7 and held(again) == [20, 22, 23, 24, 25, 26, 27]
    after = again.search(vecs, 4, where=Where(exclude_source="B"))
    assert np.array_equal(before[1], after[1]) and np.allclose(before[0], after[0], atol=1e-5)


def test_another_model_or_dimension_is_refused_with_one_message(open_):
    b = open_()
    put(b, [1, 2], unit(2))
    b.flush()
    b.close()
    with pytest.raises(IndexMismatchError) as e:
        open_("other-model")
    assert str(e.value).startswith("The search index in ")
    assert str(e.value).endswith(f"was built with {MODEL} (dim {DIM}), this is other-model (dim {DIM}): "
                                 "run `factcheck reindex`.")
    with pytest.raises(IndexMismatchError) as e:
        open_(MODEL, 2 * DIM)
    assert str(e.value).endswith(f"was built with {MODEL} (dim {DIM}), this is {MODEL} (dim {2 * DIM}): "
                                 "run `factcheck reindex`.")
    fresh = open_("other-model", rebuild_on_mismatch=True)
    assert len(fresh) == 0 and fresh.dirty and fresh.model_name == "other-model"
    assert len(fresh.messages) == 1 and fresh.messages[0].endswith(
        f"was built with {MODEL} (dim {DIM}), this is other-model (dim {DIM}): rebuilding it.")
    put(fresh, [5], unit(1, seed=9))
    fresh.flush()  # the rebuilt one is the store's now: the first model is the one refused
    fresh.close()
    with pytest.raises(IndexMismatchError, match=r"built with other-model .*this is test-model"):
        open_()
    assert held(open_("other-model")) == [5]


def test_a_reindex_replaces_the_old_vectors_on_its_first_flush(backends):
    open_, create = backends
    old = open_()
    vecs = unit(4, seed=7)
    put(old, [1, 2], vecs[:2])
    old.flush()
    new = create()
    assert len(new) == 0 and new.dirty
    put(new, [3, 4], vecs[2:])
    assert held(open_()) == [1, 2]  # searches meanwhile go on against the old vectors
    new.flush()
    assert held(open_()) == [3, 4] and not new.dirty
    assert new.search(vecs[2], 1)[1][0, 0] == 3


def test_describe_and_bad_input(open_, where):
    b = open_()
    put(b, [1, 2, 3], unit(3))
    d = b.describe()
    assert (d.backend, d.model_name, d.dim, d.count) == (b.name, MODEL, DIM, 3)
    if where.token:
        assert where.token not in repr(d) and where.token not in repr(where)
    with pytest.raises(ValueError):
        b.upsert([4], unit(1, dim=DIM + 1), ["S"], [0])
    with pytest.raises(ValueError):
        b.upsert([4, 4], unit(2), ["S", "S"], [0, 0])
    with pytest.raises(ValueError):
        b.search(unit(1, dim=DIM + 1), 3)
    assert len(b) == 3
