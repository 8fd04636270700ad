"""vectors.milvus_client without a server: where a Location points, URIs shown without credentials, a missing
install, and what a failed call says (tests/vectors/test_milvus.py meets real servers)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from factcheck.errors import BackendMissingError, IngestError, StoreError
from factcheck.vectors import milvus_client as mc
from factcheck.vectors.base import Location


class Code:
    def __init__(self, name: str) -> None:
        self.name = name


class RpcFailure(Exception):
    """Shaped as gRPC's errors: a code() whose name is the status."""

    def __init__(self, status: str) -> None:
        super().__init__(f"failed: {status}\nsecond line")
        self.status = status

    def code(self) -> Code:
        return Code(self.status)


def test_shown_uris():
    assert mc.shown_uri("https://user:s3cret@milvus.example:19530/db?token=s3cret") == "https://milvus.example:19530/db"
    assert mc.shown_uri("http://[::1]:19530") == "http://[::1]:19530"
    assert "s3cret" not in mc.shown_uri("user:s3cret@host")


def test_lite_file_or_server(tmp_path):
    lite = Location(tmp_path, "s")
    assert mc.is_lite(lite) and mc.lite_path(lite) == tmp_path / mc.LITE_FILE
    assert mc.shown(lite) == str(tmp_path / mc.LITE_FILE) and mc.place(lite).startswith("the milvus-lite file ")
    named = Location(tmp_path, "s", uri="~/vectors.db")
    assert mc.is_lite(named) and mc.lite_path(named) == Path("~/vectors.db").expanduser()
    server = Location(tmp_path, "s", uri="http://u:pw@host:19530", token="u:pw")
    assert not mc.is_lite(server) and mc.shown(server) == mc.place(server) == "http://host:19530"


def test_a_missing_pymilvus_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pymilvus", None)
    with pytest.raises(BackendMissingError, match=re.escape("pip install -e '.[milvus]'")):
        mc.pymilvus()


def test_failures_are_one_sentence_without_credentials(tmp_path):
    server = Location(tmp_path, "s", uri="http://u:pw@host:19530", token="u:pw")
    refused = mc.failure(server, "search", RpcFailure("UNAUTHENTICATED"))
    assert isinstance(refused, StoreError) and "refused the credentials while trying to search" in str(refused)
    assert "FACTCHECK_MILVUS_TOKEN" in str(refused) and "pw" not in str(refused)
    lost = mc.failure(Location(tmp_path, "s"), "connect", RpcFailure("UNAVAILABLE"))
    assert str(lost).startswith("Cannot reach Milvus at the milvus-lite file") and "\n" not in str(lost)
    other = mc.failure(server, "flush", ValueError("quota exceeded\nat line 3"))
    assert "failed to flush: quota exceeded. Check the server" in str(other)


def test_connection_lost_reads_the_status_through_the_causes():
    try:
        try:
            raise RpcFailure("UNAVAILABLE")
        except RpcFailure as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert mc.connection_lost(outer)
    assert not mc.connection_lost(ValueError("bad expression"))
    assert mc.connection_lost(ValueError("Fail connecting to server"))


def test_translated_lets_factcheck_errors_and_bugs_through(tmp_path):
    where = Location(tmp_path, "s")
    with pytest.raises(IngestError), mc.translated(where, "search"):
        raise IngestError("ours")
    with pytest.raises(KeyError), mc.translated(where, "search"):
        raise KeyError("a bug")
