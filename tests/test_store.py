"""Store: threads sharing one Store (the dashboard's sessions do) each get a connection of their own,
so none reads another's uncommitted rows or starts a transaction inside another's; passages_version
tells a process holding an index that passages changed, whoever changed them."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from conftest import make_draft

from factcheck.errors import StoreError
from factcheck.store import Store


def test_threads_sharing_a_store_neither_see_nor_break_each_others_transactions(store, add_article):
    add_article("A", ["One sentence here."])
    inside, release, errors = threading.Event(), threading.Event(), []

    def writer() -> None:
        with store.transaction() as c:
            c.execute("INSERT INTO sources(name, created) VALUES ('B', 'now')")
            inside.set()
            release.wait(10)

    def second_writer() -> None:
        try:
            store.set_meta("note", "written while another thread held the write lock")
        except Exception as e:  # noqa: BLE001 - one connection for both threads raised "within a transaction"
            errors.append(e)

    first = threading.Thread(target=writer)
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=second_writer)
    try:
        assert [s.name for s in store.sources()] == ["A"]  # B is not committed yet
        second.start()
        second.join(0.3)
        assert second.is_alive()  # waiting its turn, not failing
    finally:
        release.set()
        first.join(10)
        if second.ident is not None:
            second.join(10)
    assert not errors, errors
    assert [s.name for s in store.sources()] == ["A", "B"]
    assert store.meta("note") is not None


def test_passages_version_moves_with_every_passage_change_from_any_connection(store, add_article):
    seen = [store.passages_version()]

    def moved() -> bool:
        seen.append(store.passages_version())
        return seen[-1] != seen[-2]

    aid = add_article("A", ["First sentence."])
    assert moved()
    store.add_article(make_draft("A", ["First sentence."]))  # already stored: nothing changes
    store.put_embeddings("m", {"h": np.zeros(3, dtype=np.float32)})
    store.set_meta("x", "1")
    assert not moved()
    store.remove_article(aid)
    assert moved()
    add_article("B", ["Second sentence."])
    assert moved()
    store.remove_source("B")
    assert moved()
    with Store.open(store.path) as other:  # another process's connection
        other.add_article(make_draft("C", ["Third sentence."]))
    assert moved()


def test_a_closed_store_refuses_calls_with_a_sentence(store):
    store.close()
    with pytest.raises(StoreError, match="closed; open it again"):
        store.stats()
