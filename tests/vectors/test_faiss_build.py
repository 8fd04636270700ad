import numpy as np
import pytest

from factcheck.vectors.faiss_build import ivf_lists, new_faiss, sample_rows


@pytest.mark.parametrize("n", [1, 100, 5_000, 40_000, 1_000_000])
def test_ivf_lists_is_a_power_of_two_with_enough_points_each(n):
    lists = ivf_lists(n)
    assert lists >= 1 and lists & (lists - 1) == 0 and (lists == 1 or n // lists >= 39)


def test_sample_rows_draws_distinct_rows_in_order():
    vecs = np.arange(1000, dtype=np.float32).reshape(-1, 1)
    s = sample_rows(vecs, 50)
    assert len(s) == 50 and len(np.unique(s)) == 50 and np.all(np.diff(s[:, 0]) > 0)
    assert sample_rows(vecs, 5000) is vecs


@pytest.mark.parametrize("codec", ["fp16", "sq8", "flat"])
def test_new_ivf_is_trained_and_probes_at_most_its_lists(codec):
    rng = np.random.default_rng(0)
    vecs = rng.standard_normal((2000, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ivf = new_faiss("ivf", 16, vecs, codec=codec)
    assert ivf.is_trained and ivf.nprobe <= ivf.nlist
    with pytest.raises(ValueError):
        new_faiss("hnsw", 16)
