from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from factcheck.cli import main
from factcheck.settings import Settings

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def run(tmp_path: Path, capsys, fake_models):
    """run(*argv) -> (exit code, stdout, stderr) against a fresh store; every body sentence scores 0.8."""
    fake_models.scorer = lambda texts: np.full(len(texts), 0.8)
    store = str(tmp_path / "store")

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--store", store])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_ingest_claims_stats_round_trip(run):
    code, out, err = run("ingest", str(DATA / "corpus_seed_000.txt"), str(DATA / "corpus_seed_001.txt"), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert [r["status"] for r in payload["results"]] == ["added", "added"]
    assert payload["stats"]["articles"] == 2

    code, out, _ = run("claims", "--json")
    claims = json.loads(out)["claims"]
    assert code == 0 and len(claims) == 31
    first = claims[0]
    assert set(first) >= {"id", "text", "source", "article", "score", "start", "end"}
    assert first["source"] == "The Europe Today"
    assert first["article"].startswith("Mexican President Sheinbaum Says")
    assert first["score"] == 0.8 and first["end"] > first["start"]

    # the seed's compound sentence lists its checkable parts, their offsets into the article's text
    compound = next(c for c in claims if "lower migration figures" in c["text"])
    assert len(compound["parts"]) == 3 and all(not c["parts"] for c in claims if c is not compound)
    text = (DATA / "corpus_seed_000.txt").read_text(encoding="utf-8")
    assert [text[p["start"]:p["end"]] for p in compound["parts"]][2].startswith("lower migration figures")
    code, out, _ = run("claims")
    assert "        part: Addressing the media in her morning press briefing" in out

    code, out, _ = run("claims", "--source", "The Europe Today", "--json")
    assert {c["source"] for c in json.loads(out)["claims"]} == {"The Europe Today"}

    code, out, _ = run("stats", "--json")
    stats = json.loads(out)
    assert {k: stats[k] for k in ("sources", "articles", "passages", "comments", "claims")} == {
        "sources": 2, "articles": 2, "passages": 31, "comments": 8, "claims": 31}


def test_store_may_come_before_the_verb(tmp_path: Path, capsys, fake_models):
    """`factcheck --store DIR VERB` and `factcheck VERB --store DIR` name the same store; after the verb wins."""
    fake_models.scorer = lambda texts: np.full(len(texts), 0.8)
    before, after = str(tmp_path / "before"), str(tmp_path / "after")
    assert main(["--store", before, "ingest", str(DATA / "corpus_seed_000.txt")]) == 0
    capsys.readouterr()
    assert main(["--store", before, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 1
    assert main(["--store", before, "stats", "--store", after, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 0


def test_ingest_twice_reports_skipped(run):
    run("ingest", str(DATA / "corpus_articles.json"))
    code, out, _ = run("ingest", str(DATA / "corpus_articles.json"))
    assert code == 0
    assert sum(line.startswith("skipped ") for line in out.splitlines()) == 2
    assert "0 added, 2 skipped, 0 refused" in out


def test_source_flag_names_the_outlet(run):
    code, out, _ = run("ingest", str(DATA / "corpus_seed_001.txt"), "--source", "Seed Outlet")
    assert code == 0 and "[Seed Outlet]" in out


def _bad_inputs(tmp_path: Path) -> list[str]:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(30 * 1024 * 1024)
    odd = tmp_path / "odd.json"  # valid JSON but no article text
    odd.write_text('{"title": "only a title"}', encoding="utf-16")
    return [str(empty), str(binary), str(DATA / "corpus_broken.json"), str(DATA / "corpus_broken.csv"),
            str(big), str(odd), "file:///etc/passwd", "http://127.0.0.1:9/", "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/", str(tmp_path / "nope.txt")]


def test_bad_input_one_line_each_non_zero_exit_store_unchanged(run, tmp_path: Path):
    run("ingest", str(DATA / "corpus_seed_000.txt"))
    _, before, _ = run("stats", "--json")
    bad = _bad_inputs(tmp_path)
    code, out, err = run("ingest", *bad)
    assert code != 0
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == len(bad) and all(line.startswith("refused ") for line in lines)
    assert "30.0 MB" in err and "only http" in err and "line 3, column 1" in err and "binary" in err
    _, after, _ = run("stats", "--json")
    assert json.loads(after) == json.loads(before)


def test_bad_input_json_output(run, tmp_path: Path):
    code, out, _ = run("ingest", str(tmp_path / "nope.txt"), str(DATA / "corpus_articles.csv"), "--json")
    results = json.loads(out)["results"]
    assert code != 0
    assert [r["status"] for r in results] == ["refused", "added", "added"]
    assert "no such file" in results[0]["reason"]


def test_a_good_file_among_bad_ones_still_lands(run, tmp_path: Path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "corpus_chrome.txt", folder / "a.txt")
    (folder / "b.txt").write_bytes(b"\x00" * 100)
    code, out, err = run("ingest", str(folder))
    assert code != 0 and "added" in out and err.count("refused") == 1


@pytest.mark.model
def test_ingest_with_the_real_model(tmp_path: Path, capsys):
    """The acceptance through the command line: the seeds' real claims come out of `claims --json`, with
    offsets into the article, and no comment, slogan or widget line among them."""
    store = str(tmp_path / "s")
    code = main(["--store", store, "ingest", str(DATA / "corpus_seed_000.txt"), str(DATA / "corpus_seed_001.txt"),
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert all(r["claims"] > 0 for r in json.loads(out)["results"])
    assert main(["--store", store, "claims", "--json"]) == 0
    claims = json.loads(capsys.readouterr().out)["claims"]
    texts = "\n".join(c["text"] for c in claims)
    for fact in ("compelling results", "fentanyl seizures", "Juan Ramón de la Fuente issued a joint statement",
                 "The officials released a joint statement"):
        assert fact in texts, fact
    for chatter in ("Verify the accuracy", "Discover, Engage", "Fact Checker", "Listen to the article", "Comments",
                    "extremely worrying", "I hope", "Agreed,"):
        assert chatter not in texts, chatter
    threshold = Settings().claim_threshold
    assert all(threshold <= c["score"] <= 1 and c["end"] > c["start"] for c in claims)


# a title that retitles the terminal, an outlet that clears it and forges a line, a claim that turns red
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE_ARTICLE = {"title": "Budget\x1b]0;pwned\x07 passes", "outlet": "Valley\x9b2J\u202e Times\nadded    forged",
                   "body": "The council approved a budget of 412 million dollars\x1b[31m on Wednesday, the mayor said."}


def test_people_see_control_characters_scripts_get_them_exact(run, tmp_path: Path):
    """ingest, claims and stats print names, titles and sentences from the articles: shown, not obeyed."""
    src = tmp_path / "hostile.json"
    src.write_text(json.dumps([HOSTILE_ARTICLE]), encoding="utf-8")
    code, out, err = run("ingest", str(src))
    assert code == 0, err
    assert not UNSAFE.search(out + err), repr(out + err)
    assert "Budget\\u001b]0;pwned\\u0007 passes [Valley\\u009b2J\\u202e Times added forged]" in out
    assert sum(line.startswith("added ") for line in out.splitlines()) == 1  # no forged line
    for verb in ("claims", "stats"):
        code, out, err = run(verb)
        assert code == 0 and not UNSAFE.search(out + err), (verb, repr(out + err))
        assert "Valley\\u009b2J\\u202e Times added" in out
    code, out, _ = run("claims", "--json")
    assert json.loads(out)["claims"][0]["source"].startswith("Valley\x9b2J\u202e Times")  # as stored


def test_names_and_arguments_that_are_not_utf8_are_one_line_not_an_internal_error(run, tmp_path: Path):
    """Python hands `factcheck ingest $'\\xff'` over as a lone surrogate, which JSON output, SQLite and a
    UTF-8 terminal refuse; paths are shown with such bytes as \\xff, other text arguments are refused."""
    code, out, err = run("ingest", os.fsdecode(b"/nonexistent/\xff.txt"), "--json")
    assert code == 2 and out.encode("utf-8")  # no lone surrogate left in what is printed
    (r,) = json.loads(out)["results"]
    assert (r["origin"], r["reason"]) == ("/nonexistent/\\xff.txt", "/nonexistent/\\xff.txt: no such file or folder.")
    code, out, err = run("claims", "--source", os.fsdecode(b"Caf\xe9"))
    assert (code, out) == (2, "")
    assert err == ("factcheck: the argument 'Caf\\xe9' is not UTF-8 text; type it again in a UTF-8 terminal "
                   "(e.g. LANG=C.UTF-8), or convert it with iconv.\n")
