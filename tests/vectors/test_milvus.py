"""vectors.milvus beyond the contract: filter expressions and names (pure), the install hint, what an unreachable
server, a wrong token, a URI with credentials and a milvus-lite file held by another process say, stores sharing
one server, and the write/remove chunks and the HNSW index a reindex gets past INDEX_FROM vectors.
The contract itself (tests/vectors/test_contract.py) runs on milvus-lite and a real server too."""
from __future__ import annotations

import importlib.util
import re
import socket
import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pytest

from factcheck.errors import BackendMissingError, ModelMissingError, StoreError
from factcheck.vectors import Location, Where
from factcheck.vectors import milvus as mv

DIM = 8


def unit(rows: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


# --- pure: no Milvus needed -----------------------------------------------------------------------
def test_filter_expressions_quote_every_source_name():
    assert mv.filter_expr(None) == "" and mv.filter_expr(Where()) == ""
    assert mv.filter_expr(Where(exclude_article=7)) == "article != 7"
    expr = mv.filter_expr(Where(sources=frozenset({'a" or id > 0 or "', "b\\"}), exclude_source="line\nbreak"))
    assert expr == r'source in ["a\" or id > 0 or \"", "b\\"] and source != "line\nbreak"'
    assert mv.quote("tab\tcr\r") == r'"tab\tcr\r"'
    assert mv.quote("日本 \x00") == '"日本 \x00"'  # everything else goes in as it is: both parsers take it


def test_names():  # shown URIs are milvus_client's: tests/vectors/test_milvus_client.py
    for model in ("sentence-transformers/all-MiniLM-L6-v2", "a-b", "a_b", "Ünïcode modèle", "x" * 500):
        s = mv.slug(model)
        assert re.fullmatch(r"[a-z0-9_]+", s) and len(s) <= 89
    assert mv.slug("a-b") != mv.slug("a_b")


def test_a_missing_install_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pymilvus", None)  # import pymilvus now raises ImportError
    with pytest.raises(BackendMissingError, match=re.escape("pip install -e '.[milvus]'")) as e:
        mv.MilvusBackend.open(Location(tmp_path, "s"), "m", DIM)
    assert isinstance(e.value, ModelMissingError)


@pytest.mark.milvus
def test_a_missing_milvus_lite_names_the_extra(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "milvus_lite" else real(name, *a))
    with pytest.raises(BackendMissingError, match=re.escape("pip install -e '.[milvus]'")):
        mv.MilvusBackend.open(Location(tmp_path, "s"), "m", DIM)


# --- errors a person can act on -------------------------------------------------------------------
@pytest.mark.milvus
def test_an_unreachable_server_is_one_line_naming_the_uri(tmp_path, capfd):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uri = f"http://127.0.0.1:{port}"
    with pytest.raises(StoreError) as e:
        mv.MilvusBackend.open(Location(tmp_path, "s", uri, "root:s3cret"), "m", DIM)
    msg = str(e.value)
    assert msg.startswith(f"Cannot reach Milvus at {uri} ") and "FACTCHECK_MILVUS_URI" in msg
    assert "\n" not in msg and "s3cret" not in msg
    assert "Traceback" not in capfd.readouterr().err  # pymilvus's own logging stays quiet


@pytest.mark.milvus
def test_a_wrong_token_is_refused_by_name_without_showing_it(tmp_path, milvus_server):
    with pytest.raises(StoreError) as e:
        mv.MilvusBackend.open(Location(tmp_path, "s", milvus_server.uri, "root:wrong-s3cret"), "m", DIM)
    msg = str(e.value)
    assert milvus_server.uri in msg and "FACTCHECK_MILVUS_TOKEN" in msg
    assert "s3cret" not in msg and "\n" not in msg


@pytest.mark.milvus
def test_stores_sharing_a_server_never_mix_and_credentials_in_the_uri_are_never_shown(tmp_path, milvus_server):
    user, password = milvus_server.token.split(":")
    in_uri = milvus_server.uri.replace("http://", f"http://{user}:{password}@")
    a = mv.MilvusBackend.open(Location(tmp_path / "a", uuid.uuid4().hex, in_uri), "m", DIM)
    b = mv.MilvusBackend.open(Location(tmp_path / "b", uuid.uuid4().hex, milvus_server.uri, milvus_server.token),
                              "m", DIM)
    try:
        vecs = unit(2)
        a.upsert([1], vecs[:1], ["A"], [1])
        b.upsert([1, 2], vecs, ["B", "B"], [1, 1])
        assert len(a) == 1 and len(b) == 2 and a.collection != b.collection
        assert a.search(vecs[1], 2)[1][0].tolist() == [1, -1]
        d = a.describe()
        assert d.location == milvus_server.uri and password not in repr(d)
    finally:
        a.close()
        b.close()


@pytest.mark.milvus
def test_milvus_lite_lives_in_the_store_folder_and_serves_one_process(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    b = mv.MilvusBackend.open(Location(store, "s"), "m", DIM)
    try:
        assert (store / mv.LITE_FILE).exists() and b.describe().location == str(store / mv.LITE_FILE)
    finally:
        b.close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from factcheck.vectors import Location
        from factcheck.vectors.milvus import MilvusBackend
        b = MilvusBackend.open(Location(Path({str(store)!r}), "s"), "m", {DIM})
        print("open", flush=True)
        sys.stdin.read()
        b.close()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="in use by another process") as e:
            mv.MilvusBackend.open(Location(store, "s"), "m", DIM)
        assert "FACTCHECK_MILVUS_URI" in str(e.value)
    finally:
        holder.communicate("", timeout=60)
    again = mv.MilvusBackend.open(Location(store, "s"), "m", DIM)  # free again once the other has closed it
    again.close()


# --- chunks and the index kind ----------------------------------------------------------------------
@pytest.fixture(params=[pytest.param("milvus-lite", marks=pytest.mark.milvus),
                        pytest.param("milvus-server", marks=pytest.mark.milvus)])
def where(request, tmp_path) -> Location:
    if request.param == "milvus-server":
        server = request.getfixturevalue("milvus_server")
        return Location(tmp_path, uuid.uuid4().hex, server.uri, server.token)
    return Location(tmp_path, uuid.uuid4().hex)


def test_chunked_writes_and_a_reindex_past_index_from_gets_hnsw(where, monkeypatch):
    monkeypatch.setattr(mv, "WRITE_CHUNK", 3)
    monkeypatch.setattr(mv, "ID_CHUNK", 2)
    monkeypatch.setattr(mv, "INDEX_FROM", 5)
    vecs = unit(11, seed=1)
    b = mv.MilvusBackend.create(where, "m", DIM)
    try:
        b.upsert(list(range(11)), vecs, ["A", "B"] * 5 + ["A"], [i // 3 for i in range(11)])
        assert sorted(b.ids().tolist()) == list(range(11))  # read back in pages of two
        assert b.remove([0, 1, 2, 3, 4, 99]) == 5
        b.flush()
        assert "hnsw" in b.describe().detail
    finally:
        b.close()
    again = mv.MilvusBackend.open(where, "m", DIM)
    try:
        assert "hnsw" in again.describe().detail and len(again) == 6
        scores, ids = again.search(vecs[5:], 6, where=Where(exclude_source="B"))
        want = [[int(i) + 5 for i in np.argsort(-(vecs[5:] @ q)) if (int(i) + 5) % 2 == 0] for q in vecs[5:]]
        assert ids.tolist() == [w + [-1] * (6 - len(w)) for w in want]
    finally:
        again.close()
