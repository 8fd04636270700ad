"""Shared fixtures: a deterministic fake sentence encoder and a throw-away store.

FakeEncoder hashes words (and word pairs) into signed buckets and L2-normalises: texts that share
words get close vectors, the same text always gets the same vector, and no model is downloaded.
"""
from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from factcheck.records import ArticleDraft, PassageDraft
from factcheck.store import Store

_WORD = re.compile(r"[a-z0-9]+")


class FakeEncoder:
    """Hashed bag of words: an Encoder (factcheck.embed) good enough to test retrieval logic."""

    def __init__(self, dim: int = 256, name: str = "fake-bow") -> None:
        self.dim = dim
        self.name = name
        self.calls = 0  # texts encoded so far: lets tests prove a cache was used

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        words = _WORD.findall(text.lower())
        for tok in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
            h = zlib.crc32(tok.encode("utf-8"))
            v[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def encode(self, texts: Sequence[str], *, batch_size: int = 64,
               progress: Callable[[int, int, str], None] | None = None) -> np.ndarray:
        texts = list(texts)
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo in range(0, len(texts), batch_size):
            for i in range(lo, min(lo + batch_size, len(texts))):
                out[i] = self._vec(texts[i])
            if progress is not None:
                progress(min(lo + batch_size, len(texts)), len(texts), "embedding")
        return out


def make_draft(source: str, sentences: Sequence[str], *, title: str | None = None,
               comments: Sequence[str] = ()) -> ArticleDraft:
    """An article whose text is the sentences joined by spaces, one body passage each (then comments)."""
    parts, passages, pos = [], [], 0
    for kind, items in (("body", sentences), ("comment", comments)):
        for s in items:
            passages.append(PassageDraft(kind=kind, start=pos, end=pos + len(s), text=s,
                                         score=0.9 if kind == "body" else 0.0))
            parts.append(s)
            pos += len(s) + 1
    return ArticleDraft(source=source, text=" ".join(parts), title=title, origin="test",
                        passages=tuple(passages))


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "store")
    yield s
    s.close()


@pytest.fixture
def add_article(store: Store) -> Callable[..., int]:
    """add_article(source, sentences, **kw) -> article id, stored in the `store` fixture."""

    def add(source: str, sentences: Sequence[str], **kw: object) -> int:
        aid, _ = store.add_article(make_draft(source, sentences, **kw))  # type: ignore[arg-type]
        return aid

    return add


@pytest.fixture
def deny_writes(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """deny_writes(folder): os.access says the folder and its files are not writable — a read-only store as
    another user sees it (tests run as root, which chmod does not stop)."""
    real = os.access

    def deny(folder: Path) -> None:
        def access(p: object, mode: int, **kw: object) -> bool:
            if mode & os.W_OK and Path(str(p)).resolve().is_relative_to(folder.resolve()):
                return False
            return real(p, mode, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)

    return deny
