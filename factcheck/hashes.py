"""Content hashes: the key a text is stored and cached under.

Below the store and the embedding cache alike (factcheck.store keeps it beside each passage and fact-check claim,
factcheck.embed looks vectors up by it), so neither imports the other for it.
"""
from __future__ import annotations

import hashlib


def text_hash(text: str) -> str:
    """SHA-256 of the text's UTF-8 (lone surrogates kept), as hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
