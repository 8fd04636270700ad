"""vectors.faiss_files: the three files a FAISS index is saved as, read back directly (tests/vectors/test_faiss.py
damages them through the backend): a round trip, nothing saved, another model, and what opening says of damage."""
from __future__ import annotations

import json

import numpy as np
import pytest

from factcheck.errors import IndexMismatchError
from factcheck.vectors import faiss_files as ff
from factcheck.vectors.faiss_build import new_faiss
from factcheck.vectors.faiss_fields import Fields

DIM = 8


def saved(d, n: int = 3) -> None:
    index = new_faiss("flat", DIM)
    vecs = np.eye(n, DIM, dtype=np.float32)
    ids = np.arange(1, n + 1, dtype=np.int64)
    index.add_with_ids(vecs, ids)
    fields = Fields()
    fields.add(ids, ["S"] * n, ids * 10)
    ff.save(d, index, fields, model_name="m", dim=DIM, kind="flat")


def test_save_then_load_gives_back_kind_index_and_fields(tmp_path):
    saved(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= {ff.INDEX_FILE, ff.FIELDS_FILE, ff.META_FILE}
    meta = json.loads((tmp_path / ff.META_FILE).read_text())
    assert (meta["format"], meta["model"], meta["dim"], meta["count"]) == (ff.FORMAT, "m", DIM, 3)
    kind, index, fields = ff.load(tmp_path, "m", DIM)  # type: ignore[misc]
    assert kind == "flat" and index.ntotal == 3 and fields.ids.tolist() == [1, 2, 3]


def test_nothing_saved_is_none(tmp_path):
    assert ff.load(tmp_path, "m", DIM) is None


def test_another_model_is_refused_or_a_rebuild_message(tmp_path):
    saved(tmp_path)
    with pytest.raises(IndexMismatchError, match="built with m \\(dim 8\\), this is other"):
        ff.load(tmp_path, "other", DIM)
    said = ff.load(tmp_path, "other", DIM, rebuild_on_mismatch=True)
    assert isinstance(said, str) and said.endswith("rebuilding it.")


@pytest.mark.parametrize(("damage", "says"), [
    (lambda d: (d / ff.INDEX_FILE).write_bytes(b"x"), "bytes"),
    (lambda d: (d / ff.FIELDS_FILE).unlink(), "index.fields is missing"),
    (lambda d: (d / ff.META_FILE).write_text("{"), "index.json is unreadable"),
    (lambda d: (d / ff.META_FILE).write_text(json.dumps({**json.loads((d / ff.META_FILE).read_text()),
                                                          "format": 1})), "saved by an older factcheck"),
])
def test_damage_is_a_message_that_it_starts_again(tmp_path, damage, says):
    saved(tmp_path)
    damage(tmp_path)
    said = ff.load(tmp_path, "m", DIM)
    assert isinstance(said, str) and says in said and "rebuilding it from the stored passages" in said
