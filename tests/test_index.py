"""index: FAISS persisted in the store folder — add/remove, reopen, copy, mismatch, damage, HNSW switch."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from factcheck import index as ix
from factcheck.errors import IndexMismatchError, StoreError

DIM = 16


def unit(rows: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_add_search_remove(tmp_path):
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vecs = unit(10)
    vi.add(range(100, 110), vecs)
    assert len(vi) == 10
    scores, ids = vi.search(vecs[3], 2)
    assert ids[0, 0] == 103 and scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert vi.remove([103, 999]) == 1
    assert 103 not in vi.search(vecs[3], 10)[1][0]
    # asking for more than there is pads with -1
    scores, ids = vi.search(vecs[0], 20)
    assert ids.shape == (1, 20) and (ids[0, 9:] == -1).all() and np.isneginf(scores[0, 9:]).all()


def test_add_replaces_an_id_already_held(tmp_path):
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    a, b = unit(2)
    vi.add([1], a[None])
    vi.add([1], b[None])
    assert len(vi) == 1
    assert vi.search(b, 1)[1][0, 0] == 1 and vi.search(b, 1)[0][0, 0] == pytest.approx(1.0, abs=1e-5)


def test_bad_shapes_are_refused(tmp_path):
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    with pytest.raises(ValueError, match="dim 16"):
        vi.add([1], np.zeros((1, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="duplicate"):
        vi.add([1, 1], unit(2))
    with pytest.raises(ValueError, match="dim"):
        vi.search(np.zeros(8, dtype=np.float32), 1)


def test_allowed_restricts_the_search(tmp_path):
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vecs = unit(20)
    vi.add(range(20), vecs)
    _, ids = vi.search(vecs[0], 5, allowed=[7, 8])
    assert set(ids[0][:2]) == {7, 8} and (ids[0][2:] == -1).all()


def test_save_and_reopen_answer_the_same(tmp_path):
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vecs = unit(50)
    vi.add(range(50), vecs)
    vi.remove([4])
    vi.save()
    # no temp files left; index.lock is the (empty) file saves and opens flock
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ix.INDEX_FILE, ix.META_FILE, ix.LOCK_FILE])
    meta = json.loads((tmp_path / ix.META_FILE).read_text())
    assert (meta["model"], meta["dim"], meta["count"], meta["kind"]) == ("m", DIM, 49, "flat")
    again = ix.VectorIndex.open(tmp_path, "m", DIM)
    assert again.message is None and len(again) == 49
    q = unit(3, seed=9)
    assert np.array_equal(again.search(q, 5)[1], vi.search(q, 5)[1])


def test_model_or_dim_mismatch_is_refused_naming_both(tmp_path):
    vi = ix.VectorIndex(tmp_path, "model-a", DIM)
    vi.add([1], unit(1))
    vi.save()
    with pytest.raises(IndexMismatchError) as e:
        ix.VectorIndex.open(tmp_path, "model-b", 32)
    msg = str(e.value)
    assert "model-a (dim 16)" in msg and "model-b (dim 32)" in msg and "factcheck reindex" in msg
    rebuilt = ix.VectorIndex.open(tmp_path, "model-b", 32, rebuild_on_mismatch=True)
    assert len(rebuilt) == 0 and rebuilt.dim == 32 and "model-a" in (rebuilt.message or "")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "no-meta", "bad-meta", "count", "no-index"])
def test_damage_is_detected_not_crashed_on(tmp_path, damage):
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vi.add(range(30), unit(30))
    vi.save()
    f, m = tmp_path / ix.INDEX_FILE, tmp_path / ix.META_FILE
    if damage == "truncate":
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    elif damage == "garbage":
        f.write_bytes(b"\0" * f.stat().st_size)
    elif damage == "no-meta":
        m.unlink()
    elif damage == "bad-meta":
        m.write_text("{not json")
    elif damage == "count":
        meta = json.loads(m.read_text())
        meta["count"] = 31
        m.write_text(json.dumps(meta))
    else:
        f.unlink()
    opened = ix.VectorIndex.open(tmp_path, "m", DIM)
    assert len(opened) == 0 and opened.dirty
    assert "damaged" in (opened.message or "") and "rebuilding" in (opened.message or "")


def test_an_open_while_another_saves_never_takes_the_index_for_damaged(tmp_path):
    """A dashboard starting (or `factcheck doctor`) while an ingest saves: the two files are swapped
    under a lock, so an open reads one save's pair, never one save's index with another's metadata.
    (Without the lock most opens here saw a mismatch.) flock also separates two threads' open files."""
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vi.add(range(10), unit(10))
    vi.save()
    stop, saves = threading.Event(), [0]

    def saver() -> None:
        while not stop.is_set():
            n = len(vi)
            vi.add(range(n, n + 10), unit(10, seed=n))
            vi.save()
            saves[0] += 1

    t = threading.Thread(target=saver)
    t.start()
    opened, deadline = [], time.monotonic() + 30
    try:
        while saves[0] < 20 and time.monotonic() < deadline:
            opened.append(ix.VectorIndex.open(tmp_path, "m", DIM))
    finally:
        stop.set()
        t.join(30)
    assert saves[0] >= 20 and len(opened) >= 20
    assert [o.message for o in opened if o.message] == []
    assert all(len(o) % 10 == 0 and len(o) >= 10 for o in opened)


def test_sync_holds_the_callers_lock_only_while_the_index_changes(store, add_article, fake_encoder):
    """Searches wait for FAISS changes, not for embedding: the encoder runs with the lock free."""
    for i in range(3):
        add_article(f"S{i}", [f"Sentence number {i} about the budget."])
    lock = threading.Lock()
    held_while_encoding = []

    class Watching:
        name, dim = fake_encoder.name, fake_encoder.dim

        def encode(self, texts, **kw):
            held_while_encoding.append(lock.locked())
            return fake_encoder.encode(texts, **kw)

    vi = ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim)
    ix.sync(store, vi, Watching(), lock=lock)
    assert held_while_encoding == [False] and len(vi) == 3 and not lock.locked()


def test_truncated_index_is_rebuilt_from_the_store(store, add_article, fake_encoder):
    add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    add_article("B", ["Migration toward the border declined.", "The talks went well."])
    vi = ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim)
    first = ix.sync(store, vi, fake_encoder)
    assert (first.added, first.removed, first.message) == (4, 0, None)
    calls = fake_encoder.calls
    q = fake_encoder.encode(["homicide rate"])
    before = vi.search(q, 4)
    f = store.path / ix.INDEX_FILE
    f.write_bytes(f.read_bytes()[:100])
    again = ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim)
    result = ix.sync(store, again, fake_encoder)
    assert result.added == 4 and "damaged" in (result.message or "")
    assert fake_encoder.calls == calls + 1  # rebuilt from cached embeddings: only the query was encoded
    assert np.array_equal(again.search(q, 4)[1], before[1])
    assert ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim).message is None  # saved whole


def test_store_copied_elsewhere_opens_and_answers_the_same(store, add_article, fake_encoder, tmp_path):
    from factcheck.retrieve import retrieve
    from factcheck.store import Store

    add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    add_article("B", ["Homicides fell by a third, officials said.", "The weather was mild."])
    vi = ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim)
    ix.sync(store, vi, fake_encoder)
    q = fake_encoder.encode(["the homicide rate fell"])[0]
    here = retrieve(store, vi, q, k=2)
    copy = tmp_path / "elsewhere"
    shutil.copytree(store.path, copy)
    with Store.open(copy) as there:
        moved = ix.VectorIndex.open(there.path, fake_encoder.name, fake_encoder.dim)
        assert moved.message is None and len(moved) == 4
        assert ix.sync(there, moved, fake_encoder).added == 0
        assert retrieve(there, moved, q, k=2) == here


def test_sync_follows_the_store(store, add_article, fake_encoder):
    add_article("A", ["One fact here."], comments=["A reader's comment is never indexed."])
    add_article("B", ["Another fact there.", "And a third."])
    vi = ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim)
    seen: list[tuple[int, int]] = []
    assert ix.sync(store, vi, fake_encoder, lambda d, t: seen.append((d, t))).added == 3
    assert seen[-1] == (3, 3)
    assert sorted(vi.ids()) == sorted(store.passage_ids())
    removed = store.remove_source("B")
    result = ix.sync(store, vi, fake_encoder)
    assert (result.added, result.removed) == (0, 2)
    assert sorted(vi.ids()) == sorted(store.passage_ids()) and not set(removed) & set(vi.ids())
    assert not vi.dirty  # saved
    assert len(ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim)) == 1


def test_sync_refuses_another_model(store, fake_encoder):
    vi = ix.VectorIndex(store.path, "another", fake_encoder.dim)
    with pytest.raises(IndexMismatchError, match="another"):
        ix.sync(store, vi, fake_encoder)


def test_rebuild_makes_a_fresh_index_for_the_encoder(store, add_article, fake_encoder):
    add_article("A", ["One fact here.", "Two facts here."])
    old = ix.VectorIndex(store.path, "old-model", 8)
    old.add([1], np.ones((1, 8), dtype=np.float32) / np.sqrt(8))
    old.save()
    vi, result = ix.rebuild(store, fake_encoder)
    assert result.added == 2 and len(vi) == 2
    assert ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim).message is None


def test_switches_to_ivf_past_the_threshold_and_back(tmp_path, monkeypatch):
    monkeypatch.setattr(ix, "IVF_THRESHOLD", 200)
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vecs = unit(600)
    vi.add(range(150), vecs[:150])
    assert vi.kind == "flat"
    vi.add(range(150, 300), vecs[150:300])
    assert vi.kind == "ivf" and len(vi) == 300
    assert vi.search(vecs[250], 1)[1][0, 0] == 250
    assert vi.remove([250, 251, 9999]) == 2
    assert len(vi) == 298 and 250 not in vi.search(vecs[250], 10)[1][0]
    vi.add([250], vecs[250][None])
    vi.add([250], vecs[250][None])  # adding again replaces, never duplicates
    assert vi.search(vecs[250], 1)[1][0, 0] == 250 and len(vi) == 299
    exact = ix.VectorIndex(tmp_path / "exact", "m", DIM)
    exact.add(vi.ids(), vecs[vi.ids()])
    q = unit(20, seed=5)
    _, want = exact.search(q, 10)
    _, got = vi.search(q, 10, nprobe=vi._index.nlist)  # probing every list is exact
    assert np.array_equal(np.sort(got, axis=1), np.sort(want, axis=1))
    vi.save()
    again = ix.VectorIndex.open(tmp_path, "m", DIM)
    assert again.kind == "ivf" and len(again) == 299 and 251 not in again.ids()
    again.remove(range(220))  # below half the threshold: back to exact search
    assert again.kind == "flat" and len(again) == 79
    assert sorted(again.ids()) == [i for i in range(220, 300) if i != 251]


@pytest.mark.parametrize("codec", ["fp16", "sq8", "flat"])
def test_ivf_lists_decode_back_to_the_vectors_they_hold(tmp_path, monkeypatch, codec):
    monkeypatch.setattr(ix, "IVF_THRESHOLD", 200)
    monkeypatch.setattr(ix, "IVF_CODEC", codec)
    vecs = unit(400, seed=3)
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vi.add(range(1000, 1400), vecs)
    assert vi.kind == "ivf"
    back = dict(zip(*(np.concatenate(p) for p in zip(*vi._chunks(), strict=True)), strict=True))
    assert sorted(back) == list(range(1000, 1400))
    err = max(float(np.abs(back[i] - vecs[i - 1000]).max()) for i in back)
    # float16 keeps ~3 decimal digits, 8-bit codes ~2; float32 is exact
    assert err < {"fp16": 1e-3, "sq8": 2e-2, "flat": 1e-7}[codec]


def test_float16_lists_survive_a_round_trip_through_exact_search_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(ix, "IVF_THRESHOLD", 200)
    vecs = unit(300, seed=4)
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vi.add(range(300), vecs)
    assert vi.kind == "ivf"
    held = dict(zip(*(np.concatenate(p) for p in zip(*vi._chunks(), strict=True)), strict=True))
    vi.remove(range(220))  # below half the threshold: back to flat, then up again
    assert vi.kind == "flat"
    vi.add(range(220), vecs[:220])
    assert vi.kind == "ivf" and len(vi) == 300
    again = dict(zip(*(np.concatenate(p) for p in zip(*vi._chunks(), strict=True)), strict=True))
    # the passages that stayed were decoded and re-encoded twice without drifting a bit
    assert all(np.array_equal(again[i], held[i]) for i in range(220, 300))


def test_growing_ivf_retrains_its_lists_and_keeps_every_id(tmp_path, monkeypatch):
    monkeypatch.setattr(ix, "IVF_THRESHOLD", 200)
    monkeypatch.setattr(ix, "ADD_CHUNK", 64)  # rebuilds move vectors in several chunks
    vecs = unit(3000, seed=6)
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vi.add(range(250), vecs[:250])
    first = vi._index.nlist
    vi.add(range(250, 3000), vecs[250:])
    assert vi._index.nlist > 2 * first and len(vi) == 3000
    assert sorted(vi.ids().tolist()) == list(range(3000))
    assert vi.search(vecs[2999], 1, nprobe=vi._index.nlist)[1][0, 0] == 2999


# --- a full disk, temp files of saves that died, a read-only store (issue 16) --------------------

def _saved(tmp_path):
    vi = ix.VectorIndex(tmp_path, "m", DIM)
    vi.add(range(30), unit(30))
    vi.save()
    return vi, {p.name: p.read_bytes() for p in tmp_path.iterdir()}


@pytest.mark.parametrize("where", ["faiss", "fsync"])
def test_a_save_that_runs_out_of_space_says_so_and_keeps_the_old_index(tmp_path, monkeypatch, where):
    import faiss

    vi, before = _saved(tmp_path)
    vi.add(range(30, 40), unit(10, seed=1))
    if where == "faiss":  # what FAISS raises on a full disk, after writing part of the file
        def write_index(index, path):
            with open(path, "wb") as f:
                f.write(b"\0" * 1000)
            raise RuntimeError(f"Error in void faiss::write_index(const Index*, IOWriter*, int) at "
                               f"index_write.cpp:499: Error: 'ret == (size * 4)' failed: write error in "
                               f"{path}: 1000 != 4608000 (No space left on device)")

        monkeypatch.setattr(faiss, "write_index", write_index)
    else:
        def fsync(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(ix.os, "fsync", fsync)
    with pytest.raises(StoreError) as e:  # FAISS's RuntimeError was an internal error
        vi.save()
    monkeypatch.undo()
    msg = str(e.value)
    assert "disk" in msg and "full" in msg and "\n" not in msg
    # no multi-MB temp file left behind, and the saved pair is untouched
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert len(ix.VectorIndex.open(tmp_path, "m", DIM)) == 30 and vi.dirty


def test_opening_sweeps_temp_files_of_saves_that_died(tmp_path):
    """A save killed between writing its temp file and the rename left `.index.faiss.<pid>.tmp` (as big
    as the index) behind for ever. Opening removes those of processes that are gone, and of any process
    once they are an hour old, but never one a live save holds (saves flock their temp files)."""
    _saved(tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead = int(gone.stdout)
    alive = os.getppid()
    stale = [tmp_path / f".{ix.INDEX_FILE}.{dead}.tmp", tmp_path / f".{ix.META_FILE}.{dead}.tmp",
             tmp_path / f".{ix.INDEX_FILE}.{alive + 0}.tmp"]
    for p in stale:
        p.write_bytes(b"\0" * 4096)
    os.utime(stale[2], (time.time() - 7200, time.time() - 7200))  # a live pid, but two hours old: reused
    fresh = tmp_path / f".{ix.META_FILE}.{alive}.tmp"  # a live process's, being written now
    fresh.write_bytes(b"{}")
    held = tmp_path / f".{ix.META_FILE}.{dead + 0}.tmp.other"  # not one of ours by name
    held.write_bytes(b"x")
    assert len(ix.VectorIndex.open(tmp_path, "m", DIM)) == 30
    assert [p for p in stale if p.exists()] == [] and fresh.exists() and held.exists()


def test_a_temp_file_a_save_holds_is_never_swept(tmp_path, monkeypatch):
    """Another process's save, seen from here: its pid may look dead (another pid namespace) but it
    holds its temp file's lock while it writes, so an open in between leaves it alone."""
    import faiss

    vi, _ = _saved(tmp_path)
    seen = []
    real = faiss.write_index

    def write_and_open_meanwhile(index, path):
        real(index, path)
        foreign = Path(path).with_name(f".{ix.INDEX_FILE}.{4_000_000}.tmp")
        os.link(path, foreign)  # the same file under a dead pid's name, still locked by this save
        ix.VectorIndex.open(tmp_path, "m", DIM)
        seen.append(foreign.exists())
        foreign.unlink()

    monkeypatch.setattr(faiss, "write_index", write_and_open_meanwhile)
    vi.save()
    assert seen == [True]


def test_sync_keeps_a_read_only_stores_index_in_memory_and_reindex_refuses(store, add_article, fake_encoder,
                                                                           monkeypatch):
    add_article("A", ["The homicide rate fell by a third.", "Fentanyl seizures dropped."])
    monkeypatch.setattr(store, "read_only", True)
    vi = ix.VectorIndex.open(store.path, fake_encoder.name, fake_encoder.dim)
    assert ix.sync(store, vi, fake_encoder).added == 2 and len(vi) == 2  # was a write, then an error
    assert not (store.path / ix.INDEX_FILE).exists()
    with pytest.raises(StoreError, match="read-only"):
        ix.rebuild(store, fake_encoder)


@pytest.mark.parametrize("swap", ["fifo index", "fifo meta", "endless index"])
def test_an_index_file_that_is_no_regular_file_is_damage_not_a_hang(tmp_path, swap):
    """A FIFO (or a link to /dev/zero) in place of a saved file, with index.json edited to match: reading it
    blocked for ever (FIFO) or hashed without end (/dev/zero); now it is damage, rebuilt like any other."""
    _saved(tmp_path)
    f, m = tmp_path / ix.INDEX_FILE, tmp_path / ix.META_FILE
    meta = json.loads(m.read_text())
    swapped = m if swap == "fifo meta" else f
    swapped.unlink()
    if swap == "endless index":
        f.symlink_to("/dev/zero")
    else:
        os.mkfifo(swapped)
    if swapped is f:
        m.write_text(json.dumps({**meta, "size": 0}))  # what stat says of a FIFO or /dev/zero
    opened: list[ix.VectorIndex] = []
    t = threading.Thread(target=lambda: opened.append(ix.VectorIndex.open(tmp_path, "m", DIM)), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive() and swap != "endless index":  # free the reader blocked on the FIFO before failing
        os.close(os.open(swapped, os.O_WRONLY | os.O_NONBLOCK))
    assert not t.is_alive() and opened, "opening the index hung"
    assert len(opened[0]) == 0 and "damaged" in (opened[0].message or "")
    opened[0].add([1], unit(1))
    opened[0].save()  # the save replaces the odd file itself, never writes through it
    assert f.is_file() and not f.is_symlink() and m.is_file()
