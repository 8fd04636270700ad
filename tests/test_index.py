"""index: the pipeline step above the vector backends — open_index / create_index pick the backend from
Settings, sync keeps it equal to the store's body passages (with each passage's source and article), rebuild
is `factcheck reindex`. The FAISS backend itself is tested in tests/vectors/test_faiss.py."""
from __future__ import annotations

import shutil
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from factcheck import index as ix
from factcheck.errors import IndexMismatchError, SettingsError, StoreError
from factcheck.settings import Settings
from factcheck.vectors import Where
from factcheck.vectors import faiss as fx
from factcheck.vectors.faiss import FaissBackend

FORMAT1 = Path(__file__).resolve().parent / "data" / "index_format1"  # saved by VectorIndex, before the fields


@pytest.fixture
def settings(store) -> Settings:
    return Settings(store_dir=store.path)


def opened(settings, store, enc):
    return ix.open_index(settings, store, enc.name, enc.dim)


def test_open_index_picks_the_backend_settings_name(settings, store, fake_encoder):
    vi = opened(settings, store, fake_encoder)
    assert isinstance(vi, FaissBackend) and vi.directory == store.path and len(vi) == 0
    assert isinstance(ix.create_index(settings, store, fake_encoder.name, fake_encoder.dim), FaissBackend)
    with pytest.raises(SettingsError, match="'chroma' is not a vector backend"):
        opened(replace(settings, vector_backend="chroma"), store, fake_encoder)


def test_sync_holds_the_callers_lock_only_while_the_index_changes(settings, store, add_article, fake_encoder):
    """Searches wait for index changes, not for embedding: the encoder runs with the lock free."""
    for i in range(3):
        add_article(f"S{i}", [f"Sentence number {i} about the budget."])
    lock = threading.Lock()
    held_while_encoding = []

    class Watching:
        name, dim = fake_encoder.name, fake_encoder.dim

        def encode(self, texts, **kw):
            held_while_encoding.append(lock.locked())
            return fake_encoder.encode(texts, **kw)

    vi = opened(settings, store, fake_encoder)
    ix.sync(store, vi, Watching(), lock=lock)
    assert held_while_encoding == [False] and len(vi) == 3 and not lock.locked()


def test_sync_gives_every_vector_its_passages_source_and_article(settings, store, add_article, fake_encoder):
    a1 = add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    a2 = add_article("A", ["The homicide rate fell sharply."])
    add_article("B", ["Homicides fell by a third, officials said.", "The weather was mild."])
    vi = opened(settings, store, fake_encoder)
    ix.sync(store, vi, fake_encoder)
    q = fake_encoder.encode(["the homicide rate fell"])
    by_id = {p.id: p for p in store.passages()}

    def found(where: Where) -> set[tuple[str, int]]:
        _, ids = vi.search(q, 10, where=where)
        return {(by_id[int(i)].source, by_id[int(i)].article_id) for i in ids[0] if i >= 0}

    assert {s for s, _ in found(Where(sources=frozenset({"B"})))} == {"B"}
    assert {s for s, _ in found(Where(exclude_source="B"))} == {"A"}
    assert found(Where(sources=frozenset({"A"}), exclude_article=a1)) == {("A", a2)}
    reopened = opened(settings, store, fake_encoder)  # the fields were saved with the vectors
    assert np.array_equal(reopened.search(q, 10, where=Where(exclude_article=a1))[1],
                          vi.search(q, 10, where=Where(exclude_article=a1))[1])


def test_truncated_index_is_rebuilt_from_the_store(settings, store, add_article, fake_encoder):
    add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    add_article("B", ["Migration toward the border declined.", "The talks went well."])
    vi = opened(settings, store, fake_encoder)
    first = ix.sync(store, vi, fake_encoder)
    assert (first.added, first.removed, first.message) == (4, 0, None)
    calls = fake_encoder.calls
    q = fake_encoder.encode(["homicide rate"])
    before = vi.search(q, 4)
    f = store.path / fx.INDEX_FILE
    f.write_bytes(f.read_bytes()[:100])
    again = opened(settings, store, fake_encoder)
    result = ix.sync(store, again, fake_encoder)
    assert result.added == 4 and "damaged" in (result.message or "")
    assert ix.sync(store, again, fake_encoder).message is None  # said once, not by every later sync
    assert fake_encoder.calls == calls + 1  # rebuilt from cached embeddings: only the query was encoded
    assert np.array_equal(again.search(q, 4)[1], before[1])
    assert opened(settings, store, fake_encoder).messages == []  # saved whole


def test_an_index_saved_before_the_fields_is_rebuilt_from_the_embedding_cache(settings, store, add_article,
                                                                              fake_encoder):
    """A store indexed by factcheck before the vector backends (tests/data/index_format1: index.faiss and
    index.json, no fields): opening says so, and sync refills it without embedding anything again."""
    add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    add_article("B", ["Homicides fell by a third, officials said."])
    ix.sync(store, opened(settings, store, fake_encoder), fake_encoder)  # the store's cache holds every vector
    for p in (fx.INDEX_FILE, fx.FIELDS_FILE, fx.META_FILE):
        (store.path / p).unlink()
    for p in FORMAT1.iterdir():
        shutil.copy(p, store.path / p.name)
    calls = fake_encoder.calls
    old = opened(settings, store, fake_encoder)
    assert len(old) == 0 and "older factcheck" in " ".join(old.messages)
    result = ix.sync(store, old, fake_encoder)
    assert (result.added, fake_encoder.calls) == (3, calls)
    assert sorted(old.ids()) == store.passage_ids()
    again = opened(settings, store, fake_encoder)
    assert again.messages == [] and len(again) == 3 and (store.path / fx.FIELDS_FILE).is_file()


def test_store_copied_elsewhere_opens_and_answers_the_same(settings, store, add_article, fake_encoder, tmp_path):
    from factcheck.retrieve import retrieve
    from factcheck.store import Store

    add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    add_article("B", ["Homicides fell by a third, officials said.", "The weather was mild."])
    vi = opened(settings, store, fake_encoder)
    ix.sync(store, vi, fake_encoder)
    q = fake_encoder.encode(["the homicide rate fell"])[0]
    here = retrieve(store, vi, q, k=2)
    copy = tmp_path / "elsewhere"
    shutil.copytree(store.path, copy)
    with Store.open(copy) as there:
        moved = ix.open_index(replace(settings, store_dir=copy), there, fake_encoder.name, fake_encoder.dim)
        assert moved.messages == [] and len(moved) == 4
        assert ix.sync(there, moved, fake_encoder).added == 0
        assert retrieve(there, moved, q, k=2) == here


def test_sync_follows_the_store(settings, store, add_article, fake_encoder):
    add_article("A", ["One fact here."], comments=["A reader's comment is never indexed."])
    add_article("B", ["Another fact there.", "And a third."])
    vi = opened(settings, store, fake_encoder)
    seen: list[tuple[int, int]] = []
    assert ix.sync(store, vi, fake_encoder, lambda d, t, _label: seen.append((d, t))).added == 3
    assert seen[-1] == (3, 3)
    assert sorted(vi.ids()) == sorted(store.passage_ids())
    removed = store.remove_source("B")
    result = ix.sync(store, vi, fake_encoder)
    assert (result.added, result.removed) == (0, 2)
    assert sorted(vi.ids()) == sorted(store.passage_ids()) and not set(removed) & set(vi.ids())
    assert not vi.dirty  # saved
    assert len(opened(settings, store, fake_encoder)) == 1
    q = fake_encoder.encode(["Another fact there."])
    assert vi.search(q, 3, where=Where(sources=frozenset({"B"})))[1][0].tolist() == [-1, -1, -1]


def test_sync_refuses_another_model(store, fake_encoder):
    vi = FaissBackend(store.path, "another", fake_encoder.dim)
    with pytest.raises(IndexMismatchError, match="another"):
        ix.sync(store, vi, fake_encoder)


def test_rebuild_makes_a_fresh_index_for_the_encoder(settings, store, add_article, fake_encoder):
    add_article("A", ["One fact here.", "Two facts here."])
    old = FaissBackend(store.path, "old-model", 8)
    old.upsert([1], np.ones((1, 8), dtype=np.float32) / np.sqrt(8), ["A"], [1])
    old.flush()
    with pytest.raises(IndexMismatchError):
        opened(settings, store, fake_encoder)
    vi, result = ix.rebuild(settings, store, fake_encoder)
    assert result.added == 2 and len(vi) == 2
    assert opened(settings, store, fake_encoder).messages == []


def test_sync_keeps_a_read_only_stores_index_in_memory_and_reindex_refuses(settings, store, add_article,
                                                                           fake_encoder, monkeypatch):
    add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    monkeypatch.setattr(store, "read_only", True)
    vi = opened(settings, store, fake_encoder)
    assert ix.sync(store, vi, fake_encoder).added == 2 and len(vi) == 2  # was a write, then an error
    assert not (store.path / fx.INDEX_FILE).exists()
    with pytest.raises(StoreError, match="read-only"):
        ix.rebuild(settings, store, fake_encoder)
