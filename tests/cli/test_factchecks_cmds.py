"""CLI: ingest-factchecks, factchecks, profiles — counts, JSON, one-line refusals, nothing that drives a terminal."""
from __future__ import annotations

import json
from pathlib import Path

from factcheck.cli import main

DATA = Path(__file__).parents[1] / "data"
FIXTURES = DATA / "factchecks"


def test_ingest_factchecks_then_again_adds_nothing(tmp_path, capsys):
    store = str(tmp_path / "s")
    assert main(["ingest-factchecks", str(FIXTURES), "--store", store, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["read"], first["added"], first["already"]) == (24, 24, 0)
    assert first["skipped"] == {"a claim with no review": 1, "no claim reviewed": 2, "no rating": 1}
    assert main(["ingest-factchecks", str(FIXTURES / "feed.json"), "--store", store]) == 0
    out = capsys.readouterr().out
    assert "10 fact-check(s) read, 0 added, 10 already stored, 2 skipped" in out
    assert "skipped 1: a claim with no review" in out


def test_factchecks_lists_them(tmp_path, capsys):
    store = str(tmp_path / "s")
    main(["ingest-factchecks", str(FIXTURES / "reviews.csv"), "--store", store])
    capsys.readouterr()
    assert main(["factchecks", "--store", store, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["factchecks"]
    assert len(rows) == 7 and {"claim", "rating", "publisher", "date", "url", "claimant"} <= set(rows[0])
    assert main(["factchecks", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "Mostly false  [The Plain Ledger, 2025-04-03] Average rents in Lakeport" in out
    assert out.rstrip().endswith("7 published fact-check(s)")


def test_a_broken_input_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"claims": [', encoding="utf-8")
    assert main(["ingest-factchecks", str(bad), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("factcheck: ") and "broken JSON" in err and err.count("\n") == 1
    empty = tmp_path / "none.csv"
    empty.write_text("claim,rating\nNo rating,\n", encoding="utf-8")
    assert main(["ingest-factchecks", str(empty), "--store", str(tmp_path / "s")]) == 2  # nothing read


def test_hostile_text_cannot_drive_the_terminal(tmp_path, capsys):
    path = tmp_path / "evil.csv"
    path.write_text('claim,rating,publisher\n"Crime \x1b]0;pwned\x07 fell",False \x1b[31mred,"\u202eEvil"\n',
                    encoding="utf-8")
    store = str(tmp_path / "s")
    assert main(["ingest-factchecks", str(path), "--store", store]) == 0
    capsys.readouterr()
    assert main(["factchecks", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\\u001b" in out and "\\u202e" in out


def test_profiles_import_list_export(tmp_path, capsys):
    store = str(tmp_path / "s")
    assert main(["profiles", "import", str(DATA / "profiles_invented.csv"), "--store", store]) == 2  # 2 refused
    captured = capsys.readouterr()
    assert "2 profile(s) stored, 2 row(s) refused" in captured.out
    assert "refused line 4:" in captured.err
    assert main(["profiles", "--store", store, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["profiles"]
    assert [r["name"] for r in rows] == ["Daily Planet", "The Courier"]
    assert main(["profiles", "--store", store]) == 0
    assert "Daily Planet: Freedonia · owner: Planet Media Group · rating: Mostly reliable (per My own reading" in \
        capsys.readouterr().out
    assert main(["profiles", "export", "--store", store]) == 0
    assert capsys.readouterr().out.startswith('"name","country","owner","rating","rating_source","notes"')
    assert main(["profiles", "import", "--store", store]) == 2
    assert "Give the CSV to import" in capsys.readouterr().err
