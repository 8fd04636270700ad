"""vectors.faiss_fields: each vector's source and article beside FAISS, its file, and the filters made from it;
checked on the fields and selectors alone (tests/vectors/test_faiss.py checks them through searches)."""
from __future__ import annotations

import io

import numpy as np
import pytest

from factcheck.vectors.base import Where
from factcheck.vectors.faiss_fields import NOTHING, Fields, Filters


def fields() -> Fields:
    f = Fields()
    f.add(np.array([1, 2, 3, 4], dtype=np.int64), ["A", "B", "A", "C"], np.array([10, 20, 10, 30], dtype=np.int64))
    return f


def test_add_codes_sources_once_and_drop_removes_ids():
    f = fields()
    assert len(f) == 4 and f.names == ["A", "B", "C"] and f.codes.tolist() == [0, 1, 0, 2]
    f.drop(np.array([2, 99]))
    assert f.ids.tolist() == [1, 3, 4] and f.articles.tolist() == [10, 10, 30]


def test_write_and_read_round_trip_leaving_out_unused_names(tmp_path):
    f = fields()
    f.drop(np.array([2]))  # no vector carries B any more
    path = tmp_path / "index.fields"
    with path.open("wb") as out:
        f.write(out)
    back = Fields.read(path)
    assert back.ids.tolist() == [1, 3, 4] and back.articles.tolist() == [10, 10, 30]
    assert back.names == ["A", "C"] and [back.names[c] for c in back.codes] == ["A", "A", "C"]


def test_read_refuses_what_write_did_not_write(tmp_path):
    path = tmp_path / "index.fields"
    buf = io.BytesIO()
    np.savez(buf, ids=np.array([1, 2]), codes=np.array([0, 5]), articles=np.array([1, 1]),
             names=np.frombuffer(b'["A"]', dtype=np.uint8))
    path.write_bytes(buf.getvalue())
    with pytest.raises(ValueError, match="past its names"):
        Fields.read(path)


def test_filters_share_a_selector_for_equivalent_wheres_and_say_when_nothing_passes():
    filters = Filters(fields())
    assert filters.get(None, None).sel is None and not filters.get(None, None).nothing
    one = filters.get(Where(sources=frozenset({"A"})), None)
    assert one.source == 0 and one.sel is not None
    # an unknown source adds nothing, and the article excluded is not A's: the same selector
    assert filters.get(Where(sources=frozenset({"A", "Z"}), exclude_article=30), None) is one
    assert filters.get(Where(sources=frozenset({"Z"})), None) is NOTHING
    assert filters.get(Where(articles=frozenset({99})), None) is NOTHING
    assert filters.get(Where(sources=frozenset({"B"}), exclude_source="B"), None) is NOTHING


def test_clear_forgets_the_selectors():
    filters = Filters(fields())
    first = filters.get(Where(sources=frozenset({"A"})), None)
    filters.clear()
    assert filters.get(Where(sources=frozenset({"A"})), None) is not first
