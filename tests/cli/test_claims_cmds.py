"""`factcheck checkworthy`: JSONL in, JSONL out; bad lines get one line naming the line number."""
from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeModels

from factcheck.cli import main

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def fake_score(fake_models: FakeModels) -> list[list[str]]:
    """Score = 0.9 when the text has a digit, else 0.1; records what the CLI asked to score."""
    calls: list[list[str]] = []

    def score(texts: Sequence[str], **_: object) -> np.ndarray:
        calls.append(list(texts))
        return np.array([0.9 if any(c.isdigit() for c in t) else 0.1 for t in texts])

    fake_models.scorer = score
    return calls


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_scores_every_line_in_order(tmp_path: Path, fake_score: list[list[str]],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scores.jsonl"
    code = main(["checkworthy", "--input", str(DATA / "claims_sentences.jsonl"), "--output", str(out),
                 "--store", str(tmp_path / "store"), "--json"])
    assert code == 0
    assert _read(out) == [{"id": "s1", "score": 0.9}, {"id": 2, "score": 0.1}, {"id": "s3", "score": 0.1}]
    assert len(fake_score[0]) == 3  # the blank line is skipped, not scored
    summary = json.loads(capsys.readouterr().out)
    assert summary["scored"] == 3 and summary["claims"] == 1 and summary["threshold"] == 0.5
    assert not (tmp_path / "store").exists()  # it scores loose sentences: no store is opened, nor created


def test_bad_json_line_names_the_line_and_writes_nothing(tmp_path: Path, fake_score: list[list[str]],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scores.jsonl"
    code = main(["checkworthy", "--input", str(DATA / "claims_bad.jsonl"), "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "line 2" in err and "not valid JSON" in err and "Traceback" not in err
    # where and what to do, not json's bare "Expecting value"
    assert "line 2: not valid JSON at column 25: Expecting value (a value is missing here" in err
    assert "then try again" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and fake_score == []


@pytest.mark.parametrize(("content", "reason"), [
    ('{"text": "no id"}\n', 'expected an object like'),
    ('{"id": 1, "text": 5}\n', 'expected an object like'),
    ('["id", "text"]\n', 'expected an object like'),
    ('{"id": [1], "text": "x"}\n', 'id must be a string or an integer'),
    ('\n\n', 'no lines to score'),
])
def test_malformed_objects_are_refused(tmp_path: Path, fake_score: list[list[str]],
                                       capsys: pytest.CaptureFixture[str], content: str, reason: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(content, encoding="utf-8")
    assert main(["checkworthy", "--input", str(src), "--output", str(tmp_path / "o.jsonl")]) == 2
    assert reason in capsys.readouterr().err


def test_binary_input_is_refused_with_its_line(tmp_path: Path, fake_score: list[list[str]],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": 1, "text": "ok"}\n\xff\xfe\x00garbage\n')
    assert main(["checkworthy", "--input", str(src), "--output", str(tmp_path / "o.jsonl")]) == 2
    assert "line 2: not UTF-8" in capsys.readouterr().err


def test_missing_input_file(tmp_path: Path, fake_score: list[list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["checkworthy", "--input", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "no such file" in err and "Traceback" not in err


def test_output_folder_must_exist(tmp_path: Path, fake_score: list[list[str]],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["checkworthy", "--input", str(DATA / "claims_sentences.jsonl"),
                 "--output", str(tmp_path / "missing" / "o.jsonl")])
    assert code == 2 and "does not exist" in capsys.readouterr().err


def test_existing_output_is_kept_when_input_is_bad(tmp_path: Path, fake_score: list[list[str]]) -> None:
    out = tmp_path / "o.jsonl"
    out.write_text("previous results\n")
    src = tmp_path / "in.jsonl"
    shutil.copy(DATA / "claims_bad.jsonl", src)
    assert main(["checkworthy", "--input", str(src), "--output", str(out)]) == 2
    assert out.read_text() == "previous results\n"


@pytest.mark.model
def test_real_scorer_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    assert main(["checkworthy", "--input", str(DATA / "claims_sentences.jsonl"), "--output", str(out)]) == 0
    scores = {row["id"]: row["score"] for row in _read(out)}
    assert scores["s1"] > 0.5 > scores["s3"]
    assert scores["s1"] > scores[2]
