"""Shared fixtures: deterministic fake models, the one way they reach a facade, and a throw-away store.

FakeEncoder hashes words (and word pairs) into signed buckets and L2-normalises: texts that share
words get close vectors, the same text always gets the same vector, and no model is downloaded.
FakeVerifier and fake_checkworthiness stand in for the claim verifier and the check-worthiness model.

Fakes enter a facade through its constructor, the door the packaged models come through: a test builds
`Factcheck(settings, encoder=FakeEncoder(), ...)` itself, or, for what the CLI verbs and the dashboard build
(Factcheck.open), asks for the `fake_models` fixture (or calls use_fake_models), whose FakeModels hands
its fakes to that constructor. The real-model tests (`-m model`) use neither and get the packaged models.
"""
from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from factcheck.api import Factcheck
from factcheck.records import ArticleDraft, PassageDraft
from factcheck.settings import Settings
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


_STOP = {"the", "a", "in", "of", "at", "by", "said", "last", "to", "on"}
_CONTRA = {"not", "rose", "never", "no", "increased"}


class FakeVerifier:
    """A claim verifier (factcheck.verify.Verifier) by word overlap: a passage sharing at least 30% of the
    claim's words states it (supports), or contradicts it (conflicts) when a contradicting word ("not",
    "rose"…) is in only one of the two; any other passage does not settle it (nei). (n, 3) probabilities,
    VERIFICATIONS order; differing details (numbers, dates…) are left to factcheck.verify.judge."""

    def __init__(self) -> None:
        self.calls = 0

    def scores(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.full((len(claims), 3), 0.06, dtype=np.float32)
        for i, (c, t) in enumerate(zip(claims, evidence, strict=True)):
            cw, tw = set(_WORD.findall(c.lower())) - _STOP, set(_WORD.findall(t.lower())) - _STOP
            overlap = len(cw & tw) / max(1, len(cw))
            label = (1 if (cw & _CONTRA) != (tw & _CONTRA) else 0) if overlap >= 0.3 else 2
            out[i, label] = 0.88
        return out


def fake_checkworthiness(texts: Sequence[str], **_: object) -> np.ndarray:
    """Figures and attributed statements are claims; the rest is not (stands in for claims.score)."""
    return np.array([0.9 if re.search(r"\d|\bsaid\b", t) else 0.1 for t in texts], dtype=np.float64)


@dataclass
class FakeModels:
    """The models of every facade a face opens in a test (Factcheck.open: each CLI verb, the dashboard), handed to
    the facade's constructor. A test swaps one by assigning it (`fake_models.verifier = KeywordVerifier()`);
    `stance_model` None is the packaged one, loaded only if a stance is asked for. `settings` changes what the
    face read from its arguments and environment (FakeEncoder's cosines are far lower than MiniLM's: a test may
    want min_similarity=0.0). `opened` holds every facade opened, in order."""

    encoder: Any = field(default_factory=FakeEncoder)
    verifier: Any = field(default_factory=FakeVerifier)
    scorer: Any = fake_checkworthiness
    stance_model: Any = None
    settings: dict[str, Any] = field(default_factory=dict)
    opened: list[Factcheck] = field(default_factory=list)

    def open(self, settings: Settings, *, stance_model: Any = None) -> Factcheck:
        """What Factcheck.open gives while these models are in use; a stance model the face picked wins."""
        fc = Factcheck(replace(settings, **self.settings), encoder=self.encoder, verifier=self.verifier,
                       scorer=self.scorer, stance_model=stance_model or self.stance_model)
        self.opened.append(fc)
        return fc


def use_fake_models(monkeypatch: pytest.MonkeyPatch, **fields: Any) -> FakeModels:
    """Until the test ends, every facade the CLI and the dashboard open gets these fake models."""
    models = FakeModels(**fields)
    monkeypatch.setattr(Factcheck, "open", classmethod(lambda cls, settings, **kw: models.open(settings, **kw)))
    return models


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch) -> FakeModels:
    """The CLI's and the dashboard's facades get FakeEncoder, FakeVerifier and fake_checkworthiness."""
    return use_fake_models(monkeypatch)


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
