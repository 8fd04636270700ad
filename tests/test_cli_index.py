"""CLI: `factcheck search` and `factcheck reindex`, with the fake encoder in place of MiniLM."""
from __future__ import annotations

import json

import pytest

from factcheck import embed
from factcheck import index as ix
from factcheck.cli import EXIT_USER_ERROR, main
from factcheck.store import Store


@pytest.fixture
def cli_store(tmp_path, monkeypatch, fake_encoder, add_article, store):
    monkeypatch.setattr(embed, "load_encoder", lambda: fake_encoder)
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
    assert (cli_store / ix.INDEX_FILE).exists()


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
    other = ix.VectorIndex(cli_store, "other-model", 8)
    other.save()
    code, _, err = run(capsys, "search", "homicides", "--store", str(cli_store))
    assert code == EXIT_USER_ERROR and "other-model (dim 8)" in err and "factcheck reindex" in err


def test_reindex_rebuilds_for_the_model_in_use(cli_store, capsys, fake_encoder):
    ix.VectorIndex(cli_store, "other-model", 8).save()
    code, out, _ = run(capsys, "reindex", "--store", str(cli_store), "--json")
    assert code == 0 and json.loads(out) == {"passages": 4, "kind": "flat", "model": fake_encoder.name,
                                            "dim": fake_encoder.dim, "indexed": 4}
    assert run(capsys, "search", "homicides", "--store", str(cli_store))[0] == 0


def test_search_repairs_a_truncated_index_with_a_message(cli_store, capsys):
    run(capsys, "reindex", "--store", str(cli_store))
    f = cli_store / ix.INDEX_FILE
    f.write_bytes(f.read_bytes()[:50])
    code, out, err = run(capsys, "search", "homicides fell", "--store", str(cli_store), "--json")
    assert code == 0 and "damaged" in err and json.loads(out)["results"]
