"""Store: threads sharing one Store (the dashboard's sessions do) each get a connection of their own,
so none reads another's uncommitted rows or starts a transaction inside another's; passages_version
tells a process holding an index that passages changed, whoever changed them."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import make_draft

from factcheck.errors import StoreError
from factcheck.schema import SCHEMA_VERSION
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


# --- damage and hostility: what a store refuses, each with a sentence (issue 16) ------------------

def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection the store opens from now on finds the disk full: SQLite may not grow the
    database by a page (max_page_count), so a write fails with SQLITE_FULL, as on a full disk."""
    connect = Store._connect

    def full(*args: object, **kw: object) -> sqlite3.Connection:
        conn = connect(*args, **kw)  # type: ignore[arg-type]
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        conn.execute(f"PRAGMA max_page_count = {int(pages)}")
        return conn

    monkeypatch.setattr(Store, "_connect", staticmethod(full))


def test_a_full_disk_is_one_typed_sentence_and_keeps_what_was_stored(store, add_article, monkeypatch):
    add_article("A", ["One sentence here."])
    before = (store.stats(), [a.text for a in store.articles()])
    store.close()
    _full_disk(monkeypatch)
    with Store.open(store.path) as s:
        with pytest.raises(StoreError) as e:  # was "cannot rollback - no transaction is active"
            s.add_article(make_draft("B", ["A long sentence " + "x" * 50_000 + "."]))
        assert "disk" in str(e.value) and "full" in str(e.value) and "rollback" not in str(e.value)
        assert "\n" not in str(e.value)
        assert (s.stats(), [a.text for a in s.articles()]) == before  # still readable, nothing lost
    monkeypatch.undo()  # space freed: the same store takes the article
    with Store.open(store.path) as s:
        assert s.add_article(make_draft("B", ["A long sentence."]))[1]
        assert s.stats()["articles"] == 2


def _index_files(path: Path, count: int = 3) -> dict[str, bytes]:
    (path / "index.faiss").write_bytes(b"FAISS vectors " * 100)
    (path / "index.json").write_text(json.dumps({"format": 1, "model": "m", "dim": 8, "count": count,
                                                 "kind": "flat", "size": 1400, "sha256": "0" * 64}))
    return {p.name: p.read_bytes() for p in path.iterdir() if p.name.startswith("index.")}


@pytest.mark.parametrize("damage", ["zero-byte", "missing", "no tables"])
def test_a_lost_database_beside_an_index_with_vectors_is_refused_not_started_afresh(tmp_path, damage):
    """An index that holds vectors was built from passages: a database without its schema beside it is
    damage (a failed restore, a truncated copy), not a new store. Starting afresh would let the next
    sync empty the index, the one thing left of the passages."""
    path = tmp_path / "store"
    Store.open(path).close()
    db = path / "factcheck.sqlite3"
    kept = _index_files(path)
    if damage == "zero-byte":
        db.write_bytes(b"")
    elif damage == "missing":
        db.unlink()
    else:
        db.unlink()
        sqlite3.connect(db).close()
    with pytest.raises(StoreError) as e:
        Store.open(path)
    msg = str(e.value)
    assert "backup" in msg and "index.faiss" in msg and "index.json" in msg and "\n" not in msg
    assert {p.name: p.read_bytes() for p in path.iterdir() if p.name.startswith("index.")} == kept
    assert not db.exists() or db.stat().st_size == 0  # no schema written into it either


def test_a_new_store_still_starts_beside_an_empty_index(tmp_path):
    path = tmp_path / "store"
    path.mkdir()
    _index_files(path, count=0)  # `factcheck reindex` on an empty store saves an empty index
    with Store.open(path) as s:
        assert s.stats()["articles"] == 0


def _set_schema_version(path: Path, value: str) -> None:
    with sqlite3.connect(path / "factcheck.sqlite3") as c:
        c.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
    c.close()


def test_a_store_written_by_a_newer_factcheck_is_refused_naming_both_versions(store, add_article):
    add_article("A", ["One sentence here."])
    store.close()
    _set_schema_version(store.path, str(SCHEMA_VERSION + 1))
    with pytest.raises(StoreError) as e:  # was accepted, and read with this version's queries
        Store.open(store.path)
    msg = str(e.value)
    assert f"schema {SCHEMA_VERSION + 1}" in msg and f"schema {SCHEMA_VERSION}" in msg and "newer" in msg


@pytest.mark.parametrize("older", ["version", "column"])
def test_an_older_store_is_refused_with_a_sentence_not_an_internal_error(store, add_article, older):
    """No older schema can be upgraded in place (none was released): a clear refusal."""
    add_article("A", ["One sentence here."])
    store.close()
    if older == "version":
        _set_schema_version(store.path, "0")
    else:  # a pre-release store: passages without their check-worthiness score
        with sqlite3.connect(store.path / "factcheck.sqlite3") as c:
            c.execute("ALTER TABLE passages DROP COLUMN score")
        c.close()
    with pytest.raises(StoreError) as e:  # was "no such column: p.score" from the first read
        Store.open(store.path)
    msg = str(e.value)
    assert ("schema 0" if older == "version" else "passages.score") in msg and "new store" in msg


def test_a_read_only_store_reads_and_refuses_writes_with_a_sentence(store, add_article, monkeypatch,
                                                                      deny_writes):
    add_article("A", ["One sentence here.", "Another one there."])
    store.close()
    deny_writes(store.path)
    with Store.open(store.path) as s:  # was "attempt to write a readonly database" before any read
        assert s.read_only
        assert s.stats()["passages"] == 2 and [p.text for p in s.claims(0.5)][0] == "One sentence here."
        s.put_embeddings("m", {"h": np.ones(3, dtype=np.float32)})  # a cache write is skipped, not an error
        with pytest.raises(StoreError, match="read-only") as e:
            s.add_article(make_draft("B", ["Two."]))
        assert "search" in str(e.value) and "\n" not in str(e.value)
        with pytest.raises(StoreError, match="read-only"):
            s.remove_source("A")
    monkeypatch.undo()
    with Store.open(store.path) as s:
        assert not s.read_only and s.stats()["articles"] == 1


def test_a_store_this_user_cannot_write_opens_for_reading(store, add_article, tmp_path):
    """The real thing, no os.access stand-in: the files belong to someone else and SQLite may create
    no -shm file beside them. As root (the CI container) a forked child becomes `nobody`."""
    add_article("A", ["One sentence here.", "Another one there."])
    store.close()
    shared = Path(tempfile.mkdtemp(prefix="factcheck-ro-"))
    try:
        shared.chmod(0o755)
        ro = shared / "store"
        shutil.copytree(store.path, ro)
        for p in [ro, *ro.iterdir()]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        stats = _read_as_another_user(ro)
        assert stats == {"read_only": True, "articles": 1, "passages": 2}, stats
    finally:
        for p in [shared, *shared.rglob("*")]:
            p.chmod(0o755)
        shutil.rmtree(shared)


def _read_as_another_user(path: Path) -> dict[str, object]:
    import pwd

    if os.geteuid() != 0:
        with Store.open(path) as s:
            return {"read_only": s.read_only, "articles": s.stats()["articles"], "passages": s.stats()["passages"]}
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user 'nobody' to read the store as")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, read, report through the pipe, never return into pytest
        code = 0
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            with Store.open(path) as s:
                out = {"read_only": s.read_only, "articles": s.stats()["articles"],
                       "passages": s.stats()["passages"]}
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            out, code = {"error": f"{type(e).__name__}: {e}"}, 1
        os.write(w, json.dumps(out).encode())
        os._exit(code)
    os.close(w)
    with os.fdopen(r) as f:
        data = f.read()
    os.waitpid(pid, 0)
    return dict(json.loads(data))


@pytest.mark.parametrize("damage", ["pages", "not sqlite"])
def test_a_damaged_database_is_a_sentence_not_an_internal_error(store, add_article, damage):
    for i in range(30):
        add_article(f"S{i}", [f"Sentence {i} " + "words " * 200])
    store.close()
    db = store.path / "factcheck.sqlite3"
    data = bytearray(db.read_bytes())
    if damage == "pages":  # the schema stays readable, the last half of the tables' pages is overwritten
        data[len(data) // 2:] = b"\xff" * (len(data) - len(data) // 2)
    else:
        data[:] = b"not a database at all " * 100
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as e:  # was sqlite3.DatabaseError: database disk image is malformed
        with Store.open(store.path) as s:
            s.stats()
            s.passages()
    msg = str(e.value)
    assert "damaged" in msg and "backup" in msg and "\n" not in msg


def test_a_wal_left_beside_a_deleted_database_is_refused_not_overwritten(tmp_path):
    """The -wal file of a store whose database file was deleted (or not copied) holds committed articles:
    a new database there made SQLite discard it, and the articles with it."""
    path = tmp_path / "store"
    s = Store.open(path)
    s.add_article(make_draft("A", ["One sentence here."]))
    wal = (path / "factcheck.sqlite3-wal").read_bytes()  # copied while the store is open: nothing checkpointed
    s.close()
    (path / "factcheck.sqlite3").unlink()
    (path / "factcheck.sqlite3-wal").write_bytes(wal)
    with pytest.raises(StoreError) as e:
        Store.open(path)
    assert "factcheck.sqlite3-wal" in str(e.value) and "backup" in str(e.value)
    assert (path / "factcheck.sqlite3-wal").read_bytes() == wal and not (path / "factcheck.sqlite3").exists()


def test_another_programs_database_is_refused_not_written_into(tmp_path):
    path = tmp_path / "store"
    path.mkdir()
    with sqlite3.connect(path / "factcheck.sqlite3") as c:
        c.execute("CREATE TABLE notes (body TEXT)")
    c.close()
    with pytest.raises(StoreError, match="not a factcheck store"):
        Store.open(path)
    with sqlite3.connect(path / "factcheck.sqlite3") as c:  # was given factcheck's five tables
        assert [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]
    c.close()


def test_a_read_only_store_that_reads_as_damaged_is_told_to_try_again_first(store, add_article, deny_writes):
    """A read-only store may be read as immutable while its owner writes it: a page that looks damaged may only
    have changed under the reader. "Restore from a backup, or move the store aside" could make someone discard a
    healthy store (review of issue 16)."""
    for i in range(30):
        add_article(f"S{i}", [f"Sentence {i} " + "words " * 200])
    store.close()
    db = store.path / "factcheck.sqlite3"
    data = bytearray(db.read_bytes())
    data[len(data) // 2:] = b"\xff" * (len(data) - len(data) // 2)
    db.write_bytes(bytes(data))
    deny_writes(store.path)
    with pytest.raises(StoreError) as e:
        with Store.open(store.path) as s:
            s.stats()
            s.passages()
    msg = str(e.value)
    assert "try again" in msg and "backup" not in msg and "doctor" in msg and "\n" not in msg


def _as_schema_1(path: Path) -> None:
    """Make a store look as factcheck with schema 1 left it: none of the tables version 2 added."""
    with sqlite3.connect(path / "factcheck.sqlite3") as c:
        for table in ("article_stories", "stories", "factchecks", "source_profiles", "checks"):
            c.execute(f"DROP TABLE {table}")
        c.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    c.close()


def test_a_schema_1_store_is_upgraded_in_place_keeping_what_it_holds(store, add_article):
    add_article("A", ["One sentence here.", "Another one there."])
    store.close()
    _as_schema_1(store.path)
    with Store.open(store.path) as s:
        assert s.stats()["passages"] == 2 and s.meta("schema_version") == str(SCHEMA_VERSION)
        with s.transaction() as c:  # the tables the upgrade added take rows
            c.execute("INSERT INTO source_profiles(name, country, updated) VALUES ('A', 'MX', 'now')")
    with Store.open(store.path) as s:  # and a second opening finds nothing left to do
        assert s.stats()["passages"] == 2 and s.meta("schema_version") == str(SCHEMA_VERSION)
        assert {"stories", "article_stories", "factchecks", "source_profiles", "checks"} <= _tables(s.path)


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path / "factcheck.sqlite3") as c:
        found = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    c.close()
    return found


def test_a_store_of_this_schema_written_before_one_of_its_tables_existed_gains_it(store, add_article):
    add_article("A", ["One sentence here."])
    store.close()
    with sqlite3.connect(store.path / "factcheck.sqlite3") as c:  # schema 2 as a build before `checks` wrote it
        c.execute("DROP TABLE checks")
    c.close()
    with Store.open(store.path) as s:  # was refused: "lacks checks.passage_id"
        assert s.stats()["passages"] == 1 and "checks" in _tables(s.path)


def test_a_damaged_store_missing_a_base_table_is_refused_not_refilled(store, add_article):
    add_article("A", ["One sentence here."])
    store.close()
    with sqlite3.connect(store.path / "factcheck.sqlite3") as c:
        c.execute("DROP TABLE passages")
    c.close()
    with pytest.raises(StoreError):
        Store.open(store.path)


def test_a_schema_1_store_this_user_may_not_write_is_refused_saying_how_to_upgrade(store, add_article,
                                                                                   deny_writes):
    add_article("A", ["One sentence here."])
    store.close()
    _as_schema_1(store.path)
    deny_writes(store.path)
    with pytest.raises(StoreError) as e:
        Store.open(store.path)
    assert "schema 1" in str(e.value) and "may write it" in str(e.value)


def test_preceding_gives_the_body_sentence_before_each_passage_of_its_own_article(store, add_article):
    add_article("A", ["Sheinbaum spoke on Friday.", "She cited a drop in homicides."])
    add_article("B", ["Another outlet's first line."])
    first, second, other = (p.id for p in store.passages())
    assert store.preceding([second, first, other, second]) == {second: "Sheinbaum spoke on Friday."}
    assert store.preceding([]) == {}
