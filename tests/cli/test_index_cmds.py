"""CLI: `factcheck search` and `factcheck reindex`, with the fake encoder in place of MiniLM (`fake_models`)."""
from __future__ import annotations

import json
import re
import sqlite3

import pytest
from conftest import make_draft
from reliability_support import FixedVerifier, fixed_scores, snapshot

from factcheck.cli import EXIT_USER_ERROR, main
from factcheck.schema import SCHEMA_VERSION
from factcheck.store import Store
from factcheck.vectors import Location
from factcheck.vectors import faiss as fx


@pytest.fixture
def cli_store(tmp_path, fake_models, fake_encoder, add_article, store):
    """Two sources' articles; every verb's facade gets the fake encoder, a verifier that finds every passage
    nei, and a scorer that makes every sentence a claim."""
    fake_models.encoder, fake_models.verifier, fake_models.scorer = fake_encoder, FixedVerifier(), fixed_scores
    add_article("Left Daily", ["The homicide rate fell by a third last year.", "The weather was mild."])
    add_article("Right Post", ["Homicides fell by a third, officials said.", "Fentanyl seizures dropped."])
    return store.path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json(cli_store, capsys):
    code, out, _ = run(capsys, "search", "the homicide rate fell by a third", "--k", "1", "--store", str(cli_store),
                       "--json", "--min-similarity", "0")
    assert code == 0
    results = json.loads(out)["results"]
    assert {r["source"] for r in results} == {"Left Daily", "Right Post"}
    assert set(results[0]) >= {"text", "source", "article", "score", "start", "end"}
    assert "homicide" in results[0]["text"].lower() and results[0]["score"] >= results[1]["score"]
    with Store.open(cli_store) as s:
        art = s.article(results[0]["article"])
        assert art is not None and art.text[results[0]["start"]:results[0]["end"]] == results[0]["text"]
    # the first search built and saved the index
    assert (cli_store / fx.INDEX_FILE).exists()


def test_search_restricted_to_a_source(cli_store, capsys):
    code, out, _ = run(capsys, "search", "fentanyl seizures", "--source", "Right Post", "--store", str(cli_store),
                       "--json", "--min-similarity", "0")
    assert code == 0 and {r["source"] for r in json.loads(out)["results"]} == {"Right Post"}


def test_search_human_output(cli_store, capsys):
    code, out, _ = run(capsys, "search", "homicides fell", "--store", str(cli_store), "--min-similarity", "0.2")
    assert code == 0 and "[Right Post] Homicides fell by a third" in out


@pytest.mark.parametrize("argv, reason", [
    (["search", "   "], "Nothing to search for"),
    (["search", "x" * 5000], "characters"),
    (["search", "fell", "--k", "0"], "--k"),
    (["search", "fell", "--source", "Nobody"], "No source named 'Nobody'"),
])
def test_bad_search_input_is_one_line_not_a_traceback(cli_store, capsys, argv, reason):
    code, out, err = run(capsys, *argv, "--store", str(cli_store))
    assert code == EXIT_USER_ERROR and reason in err and "Traceback" not in err and err.count("\n") == 1


def test_search_refuses_an_index_of_another_model(cli_store, capsys):
    other = fx.FaissBackend.create(Location(cli_store, "cli"), "other-model", 8)
    other.flush()
    code, _, err = run(capsys, "search", "homicides", "--store", str(cli_store))
    assert code == EXIT_USER_ERROR and "other-model (dim 8)" in err and "factcheck reindex" in err


def test_reindex_rebuilds_for_the_model_in_use(cli_store, capsys, fake_encoder):
    fx.FaissBackend.create(Location(cli_store, "cli"), "other-model", 8).flush()
    code, out, _ = run(capsys, "reindex", "--store", str(cli_store), "--json")
    assert code == 0 and json.loads(out) == {"passages": 4, "kind": "flat", "model": fake_encoder.name,
                                            "dim": fake_encoder.dim, "indexed": 4}
    assert run(capsys, "search", "homicides", "--store", str(cli_store))[0] == 0


def test_search_repairs_a_truncated_index_with_a_message(cli_store, capsys):
    run(capsys, "reindex", "--store", str(cli_store))
    f = cli_store / fx.INDEX_FILE
    f.write_bytes(f.read_bytes()[:50])
    code, out, err = run(capsys, "search", "homicides fell", "--store", str(cli_store), "--json")
    assert code == 0 and "damaged" in err and json.loads(out)["results"]


def test_search_shows_control_characters_instead_of_obeying_them(cli_store, capsys, add_article):
    add_article("Evil\x1b]0;pwned\x07 Post\nforged",
                ["Homicides fell by a third\x1b[2J\x1b[31m, the \u202emayor said."])
    code, out, err = run(capsys, "search", "homicides fell", "--store", str(cli_store), "--min-similarity", "0.2")
    assert code == 0
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", out + err), repr(out + err)
    assert ("[Evil\\u001b]0;pwned\\u0007 Post forged] Homicides fell by a third\\u001b[2J\\u001b[31m, "
            "the \\u202emayor") in out
    code, out, _ = run(capsys, "search", "homicides fell", "--store", str(cli_store), "--json")
    assert "Evil\x1b]0;pwned\x07 Post\nforged" in {r["source"] for r in json.loads(out)["results"]}


# --- damage, a full disk, a read-only store: one line each, and nothing stored is lost (issue 16) ---

def _indexed(capsys, cli_store) -> dict[str, bytes]:
    """Build and save the index with a search; return the index files' bytes."""
    assert run(capsys, "search", "homicides", "--store", str(cli_store))[0] == 0
    return _files(cli_store)


def _files(path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir() if p.name.startswith((".index", "index.")) and p.is_file()
            and p.name != fx.LOCK_FILE}


def _article(tmp_path, text: str = "The border crossing reopened on Monday. Trucks waited for hours."):
    f = tmp_path / "new.txt"
    f.write_text(text, encoding="utf-8")
    return f


def _one_line(code: int, err: str) -> None:
    assert code == EXIT_USER_ERROR and err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err, err


def test_a_full_disk_while_ingesting_is_one_line_and_keeps_the_store(cli_store, fake_models, store, capsys,
                                                                      monkeypatch, tmp_path):
    index_before, stored_before = _indexed(capsys, cli_store), snapshot(store)
    connect = Store._connect

    def full(*args, **kw):  # SQLite may not grow the database by a page: SQLITE_FULL, as on a full disk
        conn = connect(*args, **kw)
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        return conn

    with monkeypatch.context() as disk:
        disk.setattr(Store, "_connect", staticmethod(full))
        code, _, err = run(capsys, "ingest", str(_article(tmp_path, "Long. " * 20_000)), "--store", str(cli_store))
    # was "internal error: OperationalError: cannot rollback - no transaction is active"
    _one_line(code, err)
    assert "full" in err and "rollback" not in err
    assert snapshot(store) == stored_before and _files(cli_store) == index_before


def test_a_full_disk_while_saving_the_index_keeps_the_article_and_doctor_repairs(cli_store, fake_models, store,
                                                                                  capsys, monkeypatch, tmp_path):
    import faiss

    index_before = _indexed(capsys, cli_store)

    def write_index(index, path):  # FAISS on a full disk: part of the file, then a RuntimeError
        with open(path, "wb") as f:
            f.write(b"\0" * 4096)
        raise RuntimeError(f"Error: 'ret == (size * 4)' failed: write error in {path}: 4096 != 9000 "
                           "(No space left on device)")

    with monkeypatch.context() as full:
        full.setattr(faiss, "write_index", write_index)
        code, _, err = run(capsys, "ingest", str(_article(tmp_path)), "--store", str(cli_store))
        doctor = run(capsys, "doctor", "--store", str(cli_store))
    _one_line(code, err)  # was "internal error: RuntimeError: ..." though the article was committed
    assert "full" in err and "doctor" in err
    _one_line(doctor[0], doctor[2])  # and so was the doctor's rebuild
    assert "full" in doctor[2]
    assert store.stats()["articles"] == 3  # the article is stored
    assert _files(cli_store) == index_before  # the old index stays whole, and no temp file is left
    code, out, _ = run(capsys, "doctor", "--store", str(cli_store), "--json")
    n = len(store.passage_ids())
    assert code == 0 and json.loads(out)["notes"][1] == f"index: had 4 vectors for {n} passages; rebuilt ({n})"


def test_doctor_compares_the_index_with_the_store_before_it_syncs(cli_store, fake_models, add_article, capsys):
    _indexed(capsys, cli_store)
    add_article("Left Daily", ["A crash kept this article out of the index."])
    code, out, _ = run(capsys, "doctor", "--store", str(cli_store), "--json")
    # was "index: 5 vectors = 5 passages": it synced first, so the "rebuilt" branch could never run
    assert code == 0
    assert json.loads(out)["notes"] == ["database: ok", "index: had 4 vectors for 5 passages; rebuilt (5)"]
    code, out, _ = run(capsys, "doctor", "--store", str(cli_store), "--json")
    assert json.loads(out)["notes"] == ["database: ok", "index: 5 vectors = 5 passages"]


@pytest.mark.parametrize("verb", [["doctor"], ["stats"], ["search", "homicides"], ["ingest", "ARTICLE"]])
def test_a_database_lost_beside_its_index_is_refused_by_every_verb_and_the_index_kept(
        cli_store, fake_models, store, capsys, tmp_path, verb):
    index_before = _indexed(capsys, cli_store)
    store.close()
    for p in cli_store.glob("factcheck.sqlite3*"):
        p.unlink()
    (cli_store / "factcheck.sqlite3").write_bytes(b"")  # a failed restore, a truncated copy
    argv = [str(_article(tmp_path)) if a == "ARTICLE" else a for a in verb]
    code, _, err = run(capsys, *argv, "--store", str(cli_store))
    # doctor said "database: ok", synced and emptied the index that still held the vectors
    _one_line(code, err)
    assert "backup" in err and "index.faiss" in err
    assert _files(cli_store) == index_before and (cli_store / "factcheck.sqlite3").stat().st_size == 0


def test_a_store_written_by_a_newer_factcheck_is_one_line(cli_store, store, capsys):
    store.close()
    with sqlite3.connect(cli_store / "factcheck.sqlite3") as c:
        c.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    c.close()
    code, _, err = run(capsys, "stats", "--store", str(cli_store))
    _one_line(code, err)
    assert "schema 99" in err and f"schema {SCHEMA_VERSION}" in err


def test_a_read_only_store_answers_reading_verbs_and_refuses_writing_ones(cli_store, fake_models, store, capsys,
                                                                          deny_writes, tmp_path):
    index_before, stored_before = _indexed(capsys, cli_store), snapshot(store)
    store.add_article(make_draft("Center Wire", ["Homicides fell by a third in the capital."]))  # not indexed yet
    stored_before = snapshot(store)
    deny_writes(cli_store)  # the folder and its files are not this user's to write
    for argv in (["stats"], ["claims"], ["search", "homicides fell"], ["check", "Homicides fell by a third"],
                 ["report", "--format", "json"]):
        code, out, err = run(capsys, *argv, "--store", str(cli_store), *(["--json"] if argv[0] != "report" else []))
        assert code == 0 and out, (argv, err)
    for argv in (["ingest", str(_article(tmp_path))], ["reindex"]):
        code, _, err = run(capsys, *argv, "--store", str(cli_store))
        _one_line(code, err)
        assert "read-only" in err, (argv, err)
    assert snapshot(store) == stored_before and _files(cli_store) == index_before
