"""hashes: the key a text is stored and cached under is stable, and tells texts apart."""
from __future__ import annotations

import hashlib

from factcheck.hashes import text_hash


def test_stable_and_sha256_of_utf8():
    assert text_hash("Ünïcode") == text_hash("Ünïcode") == hashlib.sha256("Ünïcode".encode()).hexdigest()
    assert text_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_distinguishes_texts_even_by_one_space_or_case():
    texts = ["a claim", "a claim ", "A claim", "a  claim", "a claim\n"]
    assert len({text_hash(t) for t in texts}) == len(texts)


def test_lone_surrogates_hash_instead_of_failing():
    assert len(text_hash("odd \udcff bytes")) == 64
    assert text_hash("odd \udcff bytes") != text_hash("odd \udcfe bytes")
