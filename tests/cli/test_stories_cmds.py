"""`factcheck stories` and `compare --story`: listing as JSON and for people, the edits, one-line refusals."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import FakeEncoder
from test_stories import FLOOD, VOTE, _ingest

from factcheck.api import Factcheck
from factcheck.cli import main
from factcheck.settings import Settings


@pytest.fixture
def store_dir(tmp_path, fake_models):
    """A store holding two stories, and the CLI's facade built with the fake encoder (no model loads)."""
    folder = tmp_path / "store"
    fc = Factcheck(Settings(store_dir=folder), encoder=FakeEncoder(), scorer=lambda t: np.full(len(t), 0.9))
    _ingest(fc, FLOOD)
    _ingest(fc, VOTE)
    fc.store.close()
    fake_models.scorer = lambda t: np.full(len(t), 0.9)
    return str(folder)


def _stories(capsys, store_dir):
    assert main(["stories", "--json", "--store", store_dir]) == 0
    return json.loads(capsys.readouterr().out)["stories"]


def test_stories_json_lists_two_stories_with_their_articles(capsys, store_dir):
    got = _stories(capsys, store_dir)
    assert len(got) == 2 and sorted(len(s["articles"]) for s in got) == [3, 3]
    assert {s["name"] for s in got} == {FLOOD[0][1], VOTE[0][1]}
    assert all(s["sources"] == ["Outlet A", "Outlet B", "Outlet C"] for s in got)


def test_rename_merge_move_and_regroup(capsys, store_dir):
    a, b = _stories(capsys, store_dir)
    assert main(["stories", "rename", str(a["id"]), "Floods \x1b[31m", "--store", store_dir]) == 0
    assert "\\u001b" in capsys.readouterr().out  # a name cannot drive the terminal
    assert main(["stories", "move", str(b["articles"][0]), str(a["id"]), "--store", store_dir]) == 0
    capsys.readouterr()
    assert main(["stories", "regroup", "--store", store_dir]) == 0
    capsys.readouterr()
    got = {s["id"]: s for s in _stories(capsys, store_dir)}
    assert len(got[a["id"]]["articles"]) == 4 and got[a["id"]]["edited"]
    assert main(["stories", "merge", str(a["id"]), str(b["id"]), "--store", store_dir]) == 0
    capsys.readouterr()
    (only,) = _stories(capsys, store_dir)
    assert only["id"] == a["id"] and len(only["articles"]) == 6


def test_unknown_story_is_one_line(capsys, store_dir):
    assert main(["stories", "rename", "999", "x", "--store", store_dir]) == 2
    err = capsys.readouterr().err
    assert err.startswith("factcheck: No story 999") and err.count("\n") == 1
    assert main(["compare", "--story", "999", "--store", store_dir]) == 2
    assert "No story 999" in capsys.readouterr().err
