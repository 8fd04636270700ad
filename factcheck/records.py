"""The records factcheck stores and returns: frozen dataclasses, no behaviour."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PassageDraft:
    """A sentence of an article before it is stored; offsets index the article's text."""

    kind: str  # "body" | "comment"
    start: int
    end: int
    text: str
    score: float = 0.0  # check-worthiness in [0, 1]; comments keep 0


@dataclass(frozen=True)
class ArticleDraft:
    """An article as ingestion produced it, before the store assigns ids."""

    source: str
    text: str  # the text as ingested; every passage offset points into it
    title: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known
    url: str | None = None
    author: str | None = None
    origin: str = ""  # file path, URL or "paste": where it came from
    passages: tuple[PassageDraft, ...] = field(default=())


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    articles: int
    claims: int


@dataclass(frozen=True)
class Article:
    id: int
    source: str
    text: str
    title: str | None
    date: str | None
    url: str | None
    author: str | None
    origin: str
    added: str


@dataclass(frozen=True)
class Passage:
    id: int
    article_id: int
    source: str
    kind: str
    seq: int
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class IngestResult:
    """What one input became: added, skipped (duplicate) or refused, with a reason a person can act on."""

    origin: str
    status: str  # "added" | "skipped" | "refused"
    reason: str = ""
    article_id: int | None = None
    title: str | None = None
    source: str | None = None
    claims: int = 0
