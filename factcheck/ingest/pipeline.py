"""Ingest: inputs → drafts → clean → sentences → check-worthiness → store.

Each input gets an IngestResult: "added", "skipped" (already stored) or "refused" with a one-line reason.
A refused input changes nothing in the store and never stops the inputs after it; each article lands
with all its passages in one transaction (Store.add_article). Scoring is batched across articles
because a model scores a batch of sentences far faster than one article at a time; an article already stored is
not scored again (`already_stored`: its result gives the claims the store holds).
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from factcheck.errors import FactcheckError, IngestError, ModelMissingError, StoreError
from factcheck.ingest import corpus
from factcheck.ingest.clean import clean
from factcheck.ingest.sentences import split_span
from factcheck.labels import IngestStatus, PassageKind
from factcheck.progress import Progress
from factcheck.records import ArticleDraft, IngestResult, PassageDraft
from factcheck.settings import Settings
from factcheck.store import Store

if TYPE_CHECKING:
    from factcheck.claims import CheckworthyScorer
Input = ArticleDraft | str | os.PathLike[str]
Prepared = tuple[ArticleDraft, tuple[PassageDraft, ...]]  # an article and its passages, not yet scored
_Slot = IngestResult | Prepared

# articles whose sentences are scored in one call
SCORE_BATCH_ARTICLES = 32


def ingest(store: Store, inputs: Iterable[Input], settings: Settings, *, source: str | None = None,
           progress: Progress | None = None, scorer: CheckworthyScorer | None = None) -> list[IngestResult]:
    """Ingest drafts, file or folder paths, and http(s) URLs; one result per article (or per refused input),
    in input order. `source` overrides every article's outlet name; `scorer` defaults to claims.score."""
    items = expand(inputs)
    slots: list[_Slot] = []
    pending: list[int] = []
    score = scorer
    for done, (origin, item) in enumerate(items, 1):
        try:
            for pair in prepare(item, settings, source=source):
                slots.append(pair)
                pending.append(len(slots) - 1)
        except Exception as e:  # noqa: BLE001 - one unreadable input must not stop the others
            slots.append(refused(origin, e))
        if len(pending) >= SCORE_BATCH_ARTICLES or (done == len(items) and pending):
            score = score or _default_scorer()
            _store_batch(store, slots, pending, settings, score)
            pending = []
        if progress is not None:
            progress(done, len(items), origin)
    return [s for s in slots if isinstance(s, IngestResult)]


def prepare(item: Input, settings: Settings, *, source: str | None = None) -> list[Prepared]:
    """An input's articles, each with its passages (unscored); `source` overrides the outlet. All of a file's
    articles are prepared before any is returned: a bad one refuses the file whole (it raises)."""
    drafts = [replace(d, source=source) if source else d for d in _read(item, settings)]
    return [(d, d.passages or _passages(d)) for d in drafts]


def scored(prepared: Sequence[Prepared], score: CheckworthyScorer) -> list[ArticleDraft]:
    """The articles with their body passages scored in one call of `score` (comments keep 0)."""
    texts = [p.text for _, passages in prepared for p in passages if p.kind == PassageKind.BODY]
    values = _checked(score(texts) if texts else np.zeros(0), len(texts))
    out, pos = [], 0
    for draft, passages in prepared:
        n = sum(1 for p in passages if p.kind == PassageKind.BODY)
        out.append(replace(draft, passages=tuple(_with_scores(passages, values[pos:pos + n].tolist()))))
        pos += n
    return out


def store_article(store: Store, draft: ArticleDraft, settings: Settings) -> IngestResult:
    """Store one scored article: "added", "skipped" (the same content is stored) or "refused" (the store would
    not take it). A failing store raises: every article after would fail too."""
    try:
        article_id, created = store.add_article(draft)
    except (StoreError, sqlite3.OperationalError):
        raise  # the store itself failed (disk full, locked too long): every article after would too
    except Exception as e:  # noqa: BLE001 - one article the store will not take must not stop the others
        return IngestResult(origin=draft.origin, status=IngestStatus.REFUSED,
                            reason=f"{draft.origin}: could not be stored ({type(e).__name__}: {e}).")
    claims = sum(1 for p in draft.passages if p.kind == PassageKind.BODY and p.score >= settings.claim_threshold)
    return IngestResult(
        origin=draft.origin, status=IngestStatus.ADDED if created else IngestStatus.SKIPPED,
        reason="" if created else f"already in the store (article {article_id})",
        article_id=article_id, title=draft.title, source=draft.source, claims=claims)


def already_stored(store: Store, draft: ArticleDraft, settings: Settings) -> IngestResult | None:
    """The "skipped" result of an article whose content is stored, with the claims the store holds for it, else
    None: a re-ingest of a folder scores only what is new (check-worthiness is the costly part of ingest)."""
    found = store.stored_article(draft.text, settings.claim_threshold)
    if found is None:
        return None
    article_id, claims = found
    return IngestResult(origin=draft.origin, status=IngestStatus.SKIPPED,
                        reason=f"already in the store (article {article_id})", article_id=article_id,
                        title=draft.title, source=draft.source, claims=claims)


def refused(origin: str, e: BaseException) -> IngestResult:
    """The result of an input that could not be read: a FactcheckError's own sentence, else the exception named
    (one unreadable input is refused on its own; it never stops the others)."""
    reason = str(e) if isinstance(e, FactcheckError) else f"{origin}: could not be read ({type(e).__name__}: {e})."
    return IngestResult(origin=origin, status=IngestStatus.REFUSED, reason=reason)


def expand(inputs: Iterable[Input]) -> list[tuple[str, Input]]:
    """(origin, item) per input: folders become their files; strings with :// stay URLs. An origin is the path
    as corpus.shown gives it (odd bytes in a file name as \\xff), so it can be printed and stored."""
    out: list[tuple[str, Input]] = []
    for item in inputs:
        if isinstance(item, ArticleDraft):
            out.append((item.origin or "paste", item))
        elif isinstance(item, str) and "://" in item:
            out.append((corpus.shown(item), item))
        else:
            p = Path(item)
            if p.is_dir():
                files = corpus.files_in(p)
                out.extend((corpus.shown(f), corpus.FolderFile(f, p)) for f in files)
                if not files:
                    out.append((corpus.shown(p), p))  # _read refuses it: no supported files
            else:
                out.append((corpus.shown(p), p))
    return out


def passages_of(text: str, scores: Sequence[float] | None = None) -> list[PassageDraft]:
    """Body sentences and reader comments of a text, in text order; body scores from `scores` (or 0)."""
    return list(_with_scores(_passages_text(text), scores))


def _read(item: Input, settings: Settings) -> list[ArticleDraft]:
    if isinstance(item, ArticleDraft):
        return [item]
    if isinstance(item, str) and "://" in item:
        return corpus.read_url(item, settings)
    if isinstance(item, corpus.FolderFile):
        return corpus.read_path(item.path, settings, folder=item.folder)
    p = Path(item)
    if p.is_dir():
        raise IngestError(f"{corpus.shown(p)}: no supported files in this folder "
                          f"({', '.join(sorted(corpus.SUFFIXES))}).")
    return corpus.read_path(p, settings)


def _passages_text(text: str) -> tuple[PassageDraft, ...]:
    c = clean(text)
    body = [PassageDraft(PassageKind.BODY, s, e, text[s:e]) for p in c.body_spans for s, e in split_span(text, *p)]
    # one passage per comment: shown as the reader wrote it, never scored as the outlet's claim
    comments = [PassageDraft(PassageKind.COMMENT, s, e, text[s:e]) for s, e in c.comment_spans]
    return tuple(sorted(body + comments, key=lambda p: p.start))


def _passages(draft: ArticleDraft) -> tuple[PassageDraft, ...]:
    passages = _passages_text(draft.text)
    if not any(p.kind == PassageKind.BODY for p in passages):
        raise IngestError(f"{draft.origin}: no article text found (only headings, page chrome or comments).")
    return passages


def _with_scores(passages: Sequence[PassageDraft], scores: Sequence[float] | None) -> list[PassageDraft]:
    it = iter(scores if scores is not None else [])
    out = []
    for p in passages:
        if p.kind == PassageKind.BODY:
            out.append(replace(p, score=float(next(it, 0.0))))
        else:
            out.append(p)
    return out


def _store_batch(store: Store, slots: list[_Slot], pending: list[int], settings: Settings,
                 score: CheckworthyScorer) -> None:
    todo: list[int] = []
    prepared: list[Prepared] = []
    for i in pending:
        slot = slots[i]
        assert not isinstance(slot, IngestResult), "a refused input is never pending"
        known = already_stored(store, slot[0], settings)
        if known is not None:
            slots[i] = known  # stored before: reported as stored, not scored again
        else:
            todo.append(i)
            prepared.append(slot)
    for i, draft in zip(todo, scored(prepared, score), strict=True):
        slots[i] = store_article(store, draft, settings)


def _checked(values: np.ndarray, n: int) -> np.ndarray:
    """Scores as n floats in [0, 1]; NaN counts as 0 (not worth checking) rather than poisoning the store."""
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.shape[0] != n:
        raise ValueError(f"the check-worthiness scorer returned {arr.shape[0]} scores for {n} sentences")
    return np.clip(np.nan_to_num(arr, nan=0.0), 0.0, 1.0)


def _default_scorer() -> CheckworthyScorer:
    try:
        from factcheck.claims import score
    except ImportError as e:
        raise ModelMissingError(f"The check-worthiness scorer (factcheck.claims) cannot be loaded: {e}. "
                                "Reinstall factcheck with its dependencies.") from e
    return score
