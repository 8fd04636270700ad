import io
import json
import re

import numpy as np
import pytest

import factcheck.embed
import factcheck.stance
import factcheck.verify
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


class KeywordVerifier:
    """A claim verifier by keyword in the passage: 'fell' supports, 'rose' conflicts, else nei; (n, 3)."""

    def __init__(self) -> None:
        self.calls = 0

    def scores(self, claims, evidence):
        self.calls += 1
        rows = [[0.8, 0.1, 0.1] if "fell" in e else [0.1, 0.8, 0.1] if "rose" in e else [0.1, 0.1, 0.8]
                for e in evidence]
        return np.asarray(rows, dtype=np.float32).reshape(len(evidence), 3)


@pytest.fixture
def fakes(fake_models):
    fake_models.stance_model = KeywordModel()


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


# --- verify ---------------------------------------------------------------------------------------

@pytest.fixture
def verifier(fake_models):
    """The verify verb's facade gets a keyword verifier in place of the packaged one."""
    v = fake_models.verifier = KeywordVerifier()
    return v


VERIFY_LINES = [{"id": 1, "claim": "Crime in the city fell", "evidence": "Crime in the city fell by a third."},
                {"id": "b", "claim": "Crime fell by 30%", "evidence": "Crime fell by 13% last year."},
                {"id": 3, "claim": "Crime in the city rose", "evidence": "Crime in the city rose again."},
                {"id": [4], "claim": "Penguins learn to fly", "evidence": "The mayor thanked the police."}, "\n"]


def test_verify_jsonl_round_trip(tmp_path, verifier, capsys):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(src, VERIFY_LINES)
    assert main(["verify", "--input", str(src), "--output", str(dst), "--store", str(tmp_path / "s")]) == 0
    out = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == [1, "b", 3, [4]]
    assert all(set(o) == {"id", "label", "scores", "mismatches"} for o in out)
    # the second reads as support to the verifier, but its figure differs: the detail rule makes it conflict
    assert [o["label"] for o in out] == ["supports", "conflicts", "conflicts", "nei"]
    assert all(list(o["scores"]) == ["supports", "conflicts", "nei"] for o in out)
    assert all(abs(sum(o["scores"].values()) - 1) < 1e-3 for o in out)
    assert out[0]["scores"] == {"supports": 0.8, "conflicts": 0.1, "nei": 0.1}
    assert out[1]["scores"]["supports"] == 0.0
    assert out[0]["mismatches"] == [] and out[3]["mismatches"] == []
    (m,) = out[1]["mismatches"]
    assert (m["kind"], m["claim"], m["passage"]) == ("number", "30%", "13%")
    assert "Crime fell by 30%"[slice(*m["claim_span"])] == "30%"
    assert verifier.calls == 1  # one batch for the whole (small) file
    assert "4/4 pairs" in capsys.readouterr().err


def test_verify_to_stdout(tmp_path, verifier, capsys):
    src = tmp_path / "in.jsonl"
    _write(src, VERIFY_LINES[:1])
    assert main(["verify", "--input", str(src), "--output", "-", "--store", str(tmp_path / "s")]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["label"] == "supports"


def test_the_scoring_verbs_open_no_store(tmp_path, fakes, verifier, capsys):
    """verify and stance score the pairs they are given: their facade never opens (nor creates) a store."""
    src = tmp_path / "in.jsonl"
    _write(src, [{"id": 1, "claim": "Crime fell", "evidence": "Crime fell.", "text": "Crime in the city fell."}])
    for verb in ("verify", "stance"):
        assert main([verb, "--input", str(src), "--output", "-", "--store", str(tmp_path / "never")]) == 0
    assert [json.loads(x)["label"] for x in capsys.readouterr().out.splitlines()] == ["supports", "supports"]
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("bad,reason", [
    ('{"id": 1, "claim": "x", "evidence": "y"}\n{not json\n',
     "line 2: not valid JSON at column 2: Expecting property name enclosed in double quotes; put field names"),
    ('{"id": 1, "claim": "x", "text": "y"}\n', 'line 1: "claim" and "evidence" must be non-empty strings'),
    ('{"id": 1, "claim": "x", "evidence": "  "}\n', 'line 1: "claim" and "evidence" must be non-empty strings'),
    ('{"claim": "x", "evidence": "y"}\n', 'line 1: expected an object with "id", "claim" and "evidence"'),
    ('\n\n', "holds no lines"),
])
def test_verify_bad_lines_name_the_line(tmp_path, verifier, capsys, bad, reason):
    src = tmp_path / "in.jsonl"
    src.write_text(bad, encoding="utf-8")
    code = main(["verify", "--input", str(src), "--output", str(tmp_path / "o.jsonl"), "--store", str(tmp_path / "s")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert reason in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o.jsonl").exists()
    assert verifier.calls == 0  # the whole file is checked before any pair is verified


def test_verify_without_the_model_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(factcheck.verify, "DEFAULT_MODEL_DIR", tmp_path / "no-model")
    src = tmp_path / "in.jsonl"
    _write(src, VERIFY_LINES[:1])
    code = main(["verify", "--input", str(src), "--output", str(tmp_path / "o.jsonl"), "--store", str(tmp_path / "s")])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "scripts/train_verify.py" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o.jsonl").exists()  # no empty output left behind


# --- check, compare, report -------------------------------------------------------------------------

def _cli_on(fc, fake_models) -> None:
    """The verbs (given no --store) open facades on fc's store, with its settings and fake models."""
    fake_models.settings = {"store_dir": fc.settings.store_dir, "min_similarity": fc.settings.min_similarity}
    fake_models.encoder, fake_models.verifier = fc.encoder, fc.verifier


@pytest.fixture
def corpus(tmp_path, fake_models):
    fc = Factcheck(Settings(store_dir=tmp_path / "store", min_similarity=0.0), encoder=FakeEncoder(),
                   verifier=KeywordVerifier())
    fc.store.add_article(make_draft("Outlet A", ["Homicides in the city fell sharply this year, the mayor said.",
                                                 "The mayor spoke at a press briefing on Friday."]))
    fc.store.add_article(make_draft("Outlet B", ["The mayor said homicides in the city fell sharply this year.",
                                                 "Snow is expected in the city next week."]))
    fc.store.add_article(make_draft("Outlet C", ["Homicides in the city rose this year, police data show."]))
    _cli_on(fc, fake_models)
    return fc


def test_check_json(corpus, capsys):
    assert main(["check", "Homicides in the city fell sharply", "--k", "2", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["claim"] == "Homicides in the city fell sharply" and d["verdict"] == "mixed"
    assert {e["source"] for e in d["evidence"]} == {"Outlet A", "Outlet B", "Outlet C"}
    # B's statement repeats A's wording: counted once, so B takes no side of its own
    assert d["sources"] == {"Outlet A": "supports", "Outlet B": "silent", "Outlet C": "conflicts"}
    assert d["duplicates"] == 1 and set(d["deciding"]) == {"Outlet A", "Outlet C"}
    for e in d["evidence"]:
        assert set(e) >= {"text", "source", "article", "label", "scores", "mismatches", "model_label", "blocked_by"}
        assert set(e["scores"]) == {"supports", "conflicts", "nei"}
    deciding_c = next(e for e in d["evidence"] if e["passage"] == d["deciding"]["Outlet C"])
    assert "rose" in deciding_c["text"] and deciding_c["label"] == "conflicts"


def test_check_human_and_bad_k(corpus, capsys):
    assert main(["check", "Homicides in the city fell sharply"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("MIXED:")
    assert "Outlet C contradicts it: “Homicides in the city rose" in out.splitlines()[0]
    # every judged passage is listed, nei ones too (this one far from the claim: all its mass is nei)
    assert "  nei       1.00  Outlet B: Snow is expected in the city next week." in out
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


def test_report_html_of_one_story(corpus, tmp_path, capsys):
    ids = [a.id for a in corpus.store.articles()]
    story, _ = corpus.store.set_stories([(None, ids[:2], "<b>Homicides</b>"), (None, ids[2:], "Other")])
    out = tmp_path / "r.html"
    assert main(["report", "--format", "html", "--story", str(story), "--output", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "factcheck report — &lt;b&gt;Homicides&lt;/b&gt;" in page
    assert "Timeline and wording" in page and "no date; ingested" in page  # fixture articles carry no date
    assert "Outlet C" not in page.split("<h1>", 1)[1]  # the other story's outlet is left out
    assert page.count("Plotly.newPlot") == 5
    assert main(["report", "--format", "html", "--story", "999"]) == 2
    assert "No story 999" in capsys.readouterr().err


def test_report_published_puts_each_claims_closest_fact_checks_beside_its_verdict(corpus, tmp_path, capsys):
    from factcheck.records import ReviewDraft

    drafts = [ReviewDraft(claim="Homicides in the city fell sharply this year", rating="<b>Mostly true</b>",
                          publisher="Desk", date="2026-01-02", url="https://desk.example/1", claimant=None,
                          origin="test")]
    corpus.store.add_reviews(drafts, ["k1"])
    assert main(["report", "--format", "json"]) == 0
    assert all("published_checks" not in c for c in json.loads(capsys.readouterr().out)["checks"])  # as before
    assert main(["report", "--format", "json", "--published"]) == 0
    checks = json.loads(capsys.readouterr().out)["checks"]
    fell = next(c for c in checks if c["claim"].startswith("Homicides in the city fell"))
    assert [p["url"] for p in fell["published_checks"]] == ["https://desk.example/1"]
    assert fell["published_checks"][0]["rating"] == "<b>Mostly true</b>" and fell["verdict"] != "<b>Mostly true</b>"
    out = tmp_path / "r.md"
    assert main(["report", "--format", "md", "--published", "--output", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    assert "Published fact-checks (their publishers' ratings, not this verdict):" in md
    assert "- Desk: **\\<b\\>Mostly true\\</b\\>**" in md and "<b>" not in md
    assert main(["report", "--format", "csv", "--published"]) == 2
    assert "--format json" in capsys.readouterr().err


# --- hostile text printed for people (issue 16) -----------------------------------------------------

# retitle the terminal, clear it, turn text red; a C1 CSI; a bidi override; backspaces and a carriage return
ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
SOURCE_B = "Outlet B\u202e\x9b2J\nFAKE  supports  1.00  Reuters: forged line"
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def hostile(tmp_path, fake_models):
    fc = Factcheck(Settings(store_dir=tmp_path / "store", min_similarity=0.0), encoder=FakeEncoder(),
                   verifier=KeywordVerifier())
    fc.store.add_article(make_draft(f"Outlet{ESC}A", [f"Homicides in the city fell sharply this year{ESC}."]))
    fc.store.add_article(make_draft(SOURCE_B, ["Homicides in the city rose this year\r\x08\x08, police say."]))
    _cli_on(fc, fake_models)
    return fc


def test_check_and_compare_show_control_characters_instead_of_obeying_them(hostile, capsys):
    assert main(["check", "Homicides in the city fell sharply"]) == 0
    out, err = capsys.readouterr()
    assert not UNSAFE.search(out + err), repr(out + err)
    assert "Outlet\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31mA" in out  # shown, not obeyed
    assert "Outlet B\\u202e\\u009b2J FAKE" in out  # the newline in the name forges no line of its own
    assert not any(line.startswith("FAKE") for line in out.splitlines())
    assert main(["compare"]) == 0
    out, err = capsys.readouterr()
    assert not UNSAFE.search(out + err) and "Outlet\\u001b]0;pwned" in out
    assert not any(line.startswith("FAKE") for line in out.splitlines())


def test_json_output_stays_exact(hostile, capsys, monkeypatch):
    assert main(["check", "Homicides in the city fell sharply", "--json"]) == 0
    raw = capsys.readouterr().out
    d = json.loads(raw)
    assert {e["source"] for e in d["evidence"]} == {f"Outlet{ESC}A", SOURCE_B}
    assert "\u202e" in raw  # piped: byte for byte what json.dumps wrote
    # on a terminal the same JSON, with the characters a terminal would obey written as \uXXXX escapes
    tty = FakeTTY()
    monkeypatch.setattr("sys.stdout", tty)
    assert main(["check", "Homicides in the city fell sharply", "--json"]) == 0
    assert not UNSAFE.search(tty.getvalue()) and json.loads(tty.getvalue()) == d


def test_report_to_a_terminal_is_inert_to_a_file_exact(hostile, capsys, monkeypatch, tmp_path):
    out = tmp_path / "r.csv"
    assert main(["report", "--format", "csv", "--output", str(out)]) == 0
    assert SOURCE_B in out.read_text(encoding="utf-8")  # the file is data: exact
    tty = FakeTTY()
    monkeypatch.setattr("sys.stdout", tty)
    assert main(["report", "--format", "csv"]) == 0
    assert not UNSAFE.search(tty.getvalue().replace("\n", "")) and "Outlet B\\u202e" in tty.getvalue()


def test_an_error_line_shows_control_characters(hostile, capsys, tmp_path):
    bad = str(tmp_path / "no\x1b]0;pwned\x07dir" / "r.md")
    assert main(["report", "--output", bad]) == 2
    err = capsys.readouterr().err
    assert "no\\u001b]0;pwned\\u0007dir" in err and not UNSAFE.search(err.rstrip("\n"))


@pytest.mark.parametrize("verb", ["report", "compare"])
def test_an_unknown_source_is_an_error_that_names_the_known_ones(corpus, capsys, verb):
    """`report --source TYPO` wrote an empty report and exited 0 (issue 16)."""
    assert main([verb, "--source", "outlet a", "--source", "Outlet B"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("factcheck: No source named 'outlet a' in the store (did you mean 'Outlet A'?); known sources: "
                   "Outlet A, Outlet B, Outlet C.\n")
    assert main([verb, "--source", "Outlet B", "--source", "Outlet C"]) == 0  # known names still work


def test_compare_shows_progress_on_a_terminal(corpus, capsys, monkeypatch):
    """compare checks every claim (minutes on a real corpus): a progress bar on stderr when it is a terminal."""
    tty = FakeTTY()
    monkeypatch.setattr("sys.stderr", tty)
    assert main(["compare"]) == 0
    assert "checking claims" in tty.getvalue() and "5/5" in tty.getvalue()
    shown, _ = tty.getvalue(), capsys.readouterr()
    assert main(["compare", "--json"]) == 0 and json.loads(capsys.readouterr().out)["sources"]
    assert tty.getvalue() == shown  # with --json, no bar


# --- what loading a model prints (issue 16) ---------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """Cross-encoders of a few hundred weights in the packaged models' format; the MiniLM tokenizer is the
    loaders' fallback."""
    from transformers import BertConfig, BertForSequenceClassification, BertModel

    root = tmp_path_factory.mktemp("tiny")
    size = dict(vocab_size=30522, hidden_size=8, num_hidden_layers=1, num_attention_heads=1, intermediate_size=8)
    for name, labels in (("stance", 4), ("verify", 3)):
        BertForSequenceClassification(BertConfig(**size, num_labels=labels)).save_pretrained(root / name)
    BertModel(BertConfig(**size)).save_pretrained(root / "bare")  # no classifier: a checkpoint that is wrong
    return root


def test_verbs_load_models_without_progress_lines(tiny_models, tmp_path, capfd, fake_models):
    """Every verb printed transformers' "Loading weights" bar to stderr; it says nothing a person can use."""
    src = tmp_path / "in.jsonl"
    _write(src, [{"id": 1, "claim": "Crime fell", "text": "Crime in the city fell by a third last year."}])
    capfd.readouterr()
    assert main(["stance", "--input", str(src), "--output", str(tmp_path / "o.jsonl"),
                 "--model", str(tiny_models / "stance"), "--store", str(tmp_path / "s")]) == 0
    err = capfd.readouterr().err
    assert "Loading weights" not in err and err == "factcheck: 1/1 pairs\n"
    factcheck.verify.load_verifier(tiny_models / "verify")
    assert capfd.readouterr().err == ""


def test_a_wrong_checkpoint_still_says_so(tiny_models, capfd, caplog):
    """Only the bar is off, and only while loading: transformers' warnings (a missing classifier) still show."""
    from transformers.utils import logging as hf_logging

    assert hf_logging.is_progress_bar_enabled()
    capfd.readouterr()
    factcheck.stance.load_stance_model(tiny_models / "bare")
    assert "Loading weights" not in capfd.readouterr().err
    warned = "\n".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "classifier.weight" in warned and "MISSING" in warned
    assert hf_logging.is_progress_bar_enabled()  # training scripts keep their bars


@pytest.mark.model
def test_the_sentence_encoder_loads_quietly(capfd):
    factcheck.embed.load_encoder.cache_clear()
    capfd.readouterr()
    factcheck.embed.load_encoder()
    assert "Loading weights" not in capfd.readouterr().err


def test_verify_lines_on_a_terminal_show_control_characters_and_decode_the_same(tmp_path, monkeypatch):
    """JSON escapes C0 characters but not C1 (CSI \\x9b) or bidi overrides: on a terminal the verify lines show them
    as \\uXXXX, which a JSON reader decodes to the same data (issue 16)."""
    import sys

    claim = "Police made 13 arrests \x9b2J\u202e."
    out = FakeTTY()
    monkeypatch.setattr(sys, "stdout", out)
    rc = analysis._stream([(1, claim, "x")], lambda chunk: [{"id": 1, "claim": claim}], "-")
    line = out.getvalue().strip()
    assert rc == 0 and "\x9b" not in line and "\u202e" not in line
    assert json.loads(line)["claim"] == claim
