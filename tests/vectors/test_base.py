"""vectors.base: what every backend shares, without a backend: Where's filter, the one mismatch message, ids and
the checks every upsert makes first."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from factcheck.vectors.base import Location, Where, as_ids, mismatch, upsert_rows


def test_where_admits_what_each_field_allows():
    assert Where().admits("S", 1)
    w = Where(sources=frozenset({"A", "B"}), exclude_source="B", exclude_article=3)
    assert w.admits("A", 1)
    assert not w.admits("B", 1)  # excluded, though among the sources
    assert not w.admits("C", 1) and not w.admits("A", 3)
    assert not Where(sources=frozenset()).admits("A", 1)  # an empty set admits none
    assert Where(articles=frozenset({1, 2})).admits("X", 2) and not Where(articles=frozenset()).admits("X", 2)


def test_where_is_a_cache_key():
    assert Where(sources=frozenset({"A"})) == Where(sources=frozenset({"A"}))
    assert len({Where(exclude_article=1), Where(exclude_article=1), Where()}) == 2


def test_mismatch_message_names_both_models_and_what_to_do():
    refused = mismatch(" in /s", ("old-model", 384), "new-model", 768, rebuild=False)
    assert refused == ("The search index in /s was built with old-model (dim 384), this is new-model (dim 768): "
                       "run `factcheck reindex`.")
    assert mismatch("", ("a", 1), "b", 2, rebuild=True).endswith("(dim 2): rebuilding it.")


def test_location_never_shows_its_token():
    loc = Location(Path("/s"), "id", uri="http://h:19530", token="user:s3cret")
    assert "s3cret" not in repr(loc) and "s3cret" not in str(loc) and "h:19530" in repr(loc)


def test_as_ids_is_contiguous_int64():
    ids = as_ids([3, 1, np.int32(2)])
    assert ids.dtype == np.int64 and ids.flags.c_contiguous and ids.tolist() == [3, 1, 2]
    assert as_ids([]).shape == (0,)


def test_upsert_rows_refuses_what_no_backend_may_store():
    vecs = np.ones((2, 4), dtype=np.float64)
    ids, rows = upsert_rows([5, 6], vecs, ["A", "B"], [1, 1], 4)
    assert ids.tolist() == [5, 6] and rows.dtype == np.float32 and rows.flags.c_contiguous
    with pytest.raises(ValueError, match="expected 2 vectors of dim 3"):
        upsert_rows([5, 6], vecs, ["A", "B"], [1, 1], 3)
    with pytest.raises(ValueError, match="1 sources"):
        upsert_rows([5, 6], vecs, ["A"], [1, 1], 4)
    with pytest.raises(ValueError, match="duplicate"):
        upsert_rows([5, 5], vecs, ["A", "B"], [1, 1], 4)
    with pytest.raises(ValueError, match="never negative"):
        upsert_rows([-1, 6], vecs, ["A", "B"], [1, 1], 4)
