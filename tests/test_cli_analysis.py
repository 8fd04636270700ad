import json

import numpy as np
import pytest

import factcheck.embed
import factcheck.stance
from factcheck.api import Factcheck
from factcheck.cli import analysis, main
from factcheck.settings import Settings
from tests.conftest import FakeEncoder, make_draft


class KeywordModel:
    """Stance by keyword: 'fell' supports, 'rose' conflicts, else neutral; stands in for the cross-encoder."""

    def scores(self, claims, texts):
        rows = [[0.8, 0.1, 0.05, 0.05] if "fell" in t else [0.1, 0.8, 0.05, 0.05] if "rose" in t
                else [0.1, 0.1, 0.7, 0.1] for t in texts]
        return np.asarray(rows, dtype=np.float32)


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setattr(factcheck.embed, "load_encoder", lambda: FakeEncoder())
    monkeypatch.setattr(factcheck.stance, "load_stance_model", lambda path=None: KeywordModel())


def _write(path, lines):
    path.write_text("".join(x if isinstance(x, str) else json.dumps(x) + "\n" for x in lines), encoding="utf-8")


def test_stance_jsonl_round_trip(tmp_path, fakes):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    article = "Crime in the city fell by a third last year.\nThe mayor thanked the police."
    _write(src, [{"id": 1, "claim": "Crime in the city fell", "text": article},
                 {"id": "b", "claim": "Crime in the city rose", "text": "Crime in the city rose last year."},
                 {"id": 3, "claim": "Penguins learn to fly", "text": article}, "\n"])
    assert main(["stance", "--input", str(src), "--output", str(dst), "--store", str(tmp_path / "s")]) == 0
    out = [json.loads(x) for x in dst.read_text().splitlines()]
    assert [o["id"] for o in out] == [1, "b", 3]
    assert [o["label"] for o in out] == ["supports", "conflicts", "unrelated"]
    assert set(out[0]["scores"]) == {"supports", "conflicts", "neutral", "unrelated"}


@pytest.mark.parametrize("bad,reason", [
    ('{"id": 1, "claim": "x", "text": "y"}\n{not json\n',
     "line 2: not valid JSON at column 2: Expecting property name enclosed in double quotes; put field names"),
    ('{"id": 1, "claim": "", "text": "y"}\n', 'line 1: "claim" and "text" must be non-empty'),
    ('[1, 2]\n', 'line 1: expected an object'),
    ('\n\n', "holds no lines"),
])
def test_stance_bad_lines_name_the_line(tmp_path, fakes, capsys, bad, reason):
    src = tmp_path / "in.jsonl"
    src.write_text(bad, encoding="utf-8")
    assert main(["stance", "--input", str(src), "--output", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert reason in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o.jsonl").exists()


def test_stance_binary_and_missing_input(tmp_path, fakes, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\xff\xfe\x00bin")
    assert main(["stance", "--input", str(src), "--output", str(tmp_path / "o")]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert main(["stance", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o")]) == 2


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    fc = Factcheck(Settings(store_dir=tmp_path / "store", min_similarity=0.0), encoder=FakeEncoder(),
                   stance_model=KeywordModel())
    fc.store.add_article(make_draft("Outlet A", ["Homicides in the city fell sharply this year, the mayor said.",
                                                 "The mayor spoke at a press briefing on Friday."]))
    fc.store.add_article(make_draft("Outlet B", ["The mayor said homicides in the city fell sharply this year.",
                                                 "Snow is expected in the city next week."]))
    fc.store.add_article(make_draft("Outlet C", ["Homicides in the city rose this year, police data show."]))
    monkeypatch.setattr(analysis, "_facade", lambda args: fc)
    return fc


def test_check_json(corpus, capsys):
    assert main(["check", "Homicides in the city fell sharply", "--k", "2", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["claim"] == "Homicides in the city fell sharply" and d["verdict"] == "mixed"
    assert {e["source"] for e in d["evidence"]} == {"Outlet A", "Outlet B", "Outlet C"}
    for e in d["evidence"]:
        assert set(e) >= {"text", "source", "article", "label", "scores", "mismatches"}


def test_check_human_and_bad_k(corpus, capsys):
    assert main(["check", "Homicides in the city fell sharply"]) == 0
    assert capsys.readouterr().out.startswith("MIXED:")
    assert main(["check", "x", "--k", "0"]) == 2
    assert main(["check", "   "]) == 2
    assert "empty" in capsys.readouterr().err


def test_compare_json(corpus, capsys):
    assert main(["compare", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["sources"] == ["Outlet A", "Outlet B", "Outlet C"]
    assert {p["a"] + "|" + p["b"] for p in d["pairs"]} == {"Outlet A|Outlet B", "Outlet A|Outlet C",
                                                          "Outlet B|Outlet C"}
    assert all(set(row["stances"]) == set(d["sources"]) for row in d["matrix"])


@pytest.mark.parametrize("fmt,marker", [("json", '"consistency"'), ("csv", "claim,claim_source,verdict"),
                                        ("md", "# factcheck report")])
def test_report_formats(corpus, tmp_path, capsys, fmt, marker):
    out = tmp_path / f"r.{fmt}"
    assert main(["report", "--format", fmt, "--output", str(out)]) == 0
    assert marker in out.read_text()
    assert main(["report", "--format", fmt]) == 0
    assert marker in capsys.readouterr().out
